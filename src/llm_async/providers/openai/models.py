"""The OpenAI models (the ones ``llm`` 0.36 registers), and OpenAI-compatible ones.

Each model uses one endpoint (``api``): Chat Completions (the gpt-4o, gpt-4.1,
gpt-3.5 and gpt-4 families, and compatible servers), the Responses API (the
o-series and the gpt-5 family) or Completions (``gpt-3.5-turbo-instruct``).

Registered by the built-in plugin: the OpenAI models below, and every entry of
``extra-openai-models.yaml`` in the user directory (the ``llm`` CLI's format)::

    - model_id: qwen-local          # the id (required)
      model_name: qwen2.5:0.5b      # the server's name for it (default: model_id)
      api_base: http://localhost:11434/v1
      aliases: [qwen]
      api_key_name: ollama          # key name in keys.json; without it and with
                                    # api_base, no key is needed or sent
      headers: {X-Team: core}
      can_stream: true              # and supports_tools, supports_schema,
      vision: false                 # vision, audio, reasoning, service_tier

``completion: true`` entries use the Completions API and ``responses: true``
entries the Responses API (``reasoning``, ``vision`` and ``service_tier``
choose their options, as in ``llm``; ``verbosity: true``, our addition, adds
that option). Each invalid entry is skipped with one ``OpenAIConfigWarning``
naming its position (entry number from 0, and line) and the reason; the valid
entries still load. A file that cannot be read warns once and the other models
work. ``register_openai_compatible()`` registers Chat Completions models from
Python.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from llm_async._core.errors import ConfigError, OpenAIConfigWarning
from llm_async._core.types import JSONObject, JSONValue

if TYPE_CHECKING:
    from llm_async.providers.openai.chat import OpenAIChatProvider
    from llm_async.providers.openai.completions import OpenAICompletionsProvider
    from llm_async.providers.openai.responses import OpenAIResponsesProvider

__all__ = [
    "AUDIO_TYPES",
    "VISION_TYPES",
    "ChatSpec",
    "ModelSpec",
    "OpenAIConfigWarning",
    "builtin_specs",
    "spec_from_entry",
]

#: The endpoint a model uses: Chat Completions, the Responses API, Completions.
API = Literal["chat", "responses", "completion"]
#: How ``str(model)`` starts, per endpoint (as in ``llm``).
TITLES = {
    "chat": "OpenAI Chat",
    "responses": "OpenAI Responses",
    "completion": "OpenAI Completion",
}

#: Attachment types of vision models.
VISION_TYPES = frozenset(
    {"image/png", "image/jpeg", "image/webp", "image/gif", "application/pdf"}
)
#: Attachment types of audio models.
AUDIO_TYPES = frozenset({"audio/wav", "audio/mpeg"})

_EXTRA_FILE = "extra-openai-models.yaml"
_FLAGS = (
    "can_stream",
    "supports_tools",
    "supports_schema",
    "vision",
    "audio",
    "reasoning",
    "service_tier",
    "verbosity",
)
_KNOWN_KEYS = frozenset(
    {
        "model_id",
        "model_name",
        "aliases",
        "api_base",
        "api_key_name",
        "headers",
        "completion",
        "responses",
        # Azure-era settings of the openai SDK; accepted and ignored.
        "api_type",
        "api_version",
        "api_engine",
        *_FLAGS,
    }
)


@dataclass(frozen=True)
class ModelSpec:
    """What is needed to build one OpenAI model (sync and async).

    ``api`` is its endpoint; the flags are its capabilities, which also decide
    its options (``reasoning``: ``reasoning_effort`` and, on the Responses API,
    ``reasoning_summary`` but no ``temperature``/``top_p``; ``verbosity``;
    ``image_detail_original``: ``image_detail="original"``).
    """

    model_id: str
    model_name: str | None = None
    aliases: tuple[str, ...] = ()
    base_url: str | None = None
    needs_key: str | None = "openai"
    key_env_var: str | None = "OPENAI_API_KEY"
    headers: Mapping[str, str] = field(default_factory=dict)
    can_stream: bool = True
    supports_tools: bool = False
    supports_schema: bool = False
    vision: bool = False
    audio: bool = False
    reasoning: bool = False
    service_tier: bool = False
    api: API = "chat"
    verbosity: bool = False
    image_detail_original: bool = False
    default_max_tokens: int | None = None

    @property
    def title(self) -> str:
        """``str(model)``: ``"OpenAI Responses: gpt-5"``."""
        return f"{TITLES[self.api]}: {self.model_id}"

    def provider(
        self,
    ) -> OpenAIChatProvider | OpenAIResponsesProvider | OpenAICompletionsProvider:
        """The sans-I/O provider for this model."""
        name = self.model_name or self.model_id
        if self.api == "responses":
            from llm_async.providers.openai.responses import (
                OpenAIResponsesProvider,
                responses_options_class,
            )

            return OpenAIResponsesProvider(
                name,
                base_url=self.base_url,
                options=responses_options_class(
                    vision=self.vision,
                    reasoning=self.reasoning,
                    verbosity=self.verbosity,
                    image_detail_original=self.image_detail_original,
                    service_tier=self.service_tier,
                ),
                reasoning=self.reasoning,
            )
        if self.api == "completion":
            from llm_async.providers.openai.completions import (
                OpenAICompletionsProvider,
            )

            return OpenAICompletionsProvider(
                name,
                base_url=self.base_url,
                default_max_tokens=self.default_max_tokens,
            )
        from llm_async.providers.openai.chat import (
            OpenAIChatProvider,
            chat_options_class,
        )

        options = chat_options_class(
            vision=self.vision, reasoning=self.reasoning, service_tier=self.service_tier
        )
        return OpenAIChatProvider(
            name,
            base_url=self.base_url,
            options=options,
            reasoning=self.reasoning,
        )

    def model_kwargs(self) -> JSONObject:
        """Keyword arguments of ``HTTPModel``/``AsyncHTTPModel`` (provider aside)."""
        attachment_types: set[str] = set()
        completion = self.api == "completion"  # text in, text out
        if self.vision and not completion:
            attachment_types |= VISION_TYPES
        if self.audio and self.api == "chat":  # only Chat Completions takes audio
            attachment_types |= AUDIO_TYPES
        return {
            "needs_key": self.needs_key,
            "key_env_var": self.key_env_var,
            "can_stream": self.can_stream,
            "supports_tools": self.supports_tools and not completion,
            "supports_schema": self.supports_schema and not completion,
            "attachment_types": attachment_types,
            "headers": dict(self.headers),
        }


#: ``ChatSpec`` is the older name of ``ModelSpec``.
ChatSpec = ModelSpec

_CAPABLE: JSONObject = {
    "supports_tools": True,
    "supports_schema": True,
    "service_tier": True,
}
_GPT5_IDS = (
    "gpt-5",
    "gpt-5-mini",
    "gpt-5-nano",
    "gpt-5-2025-08-07",
    "gpt-5-mini-2025-08-07",
    "gpt-5-nano-2025-08-07",
    "gpt-5.1",
    "gpt-5.2",
    "gpt-5.2-chat-latest",
)
_GPT5_ORIGINAL_DETAIL_IDS = (
    "gpt-5.4",
    "gpt-5.4-2026-03-05",
    "gpt-5.4-mini",
    "gpt-5.4-mini-2026-03-17",
    "gpt-5.4-nano",
    "gpt-5.4-nano-2026-03-17",
    "gpt-5.5",
    "gpt-5.5-2026-04-23",
    "gpt-5.6-sol",
    "gpt-5.6-terra",
    "gpt-5.6-luna",
    "gpt-6-astra",
    "gpt-6-sol",
    "gpt-6-luna",
)


def builtin_specs() -> list[ModelSpec]:
    """The OpenAI models registered by default, with ``llm`` 0.36's ids and aliases.

    Chat Completions: gpt-4o, gpt-4.1, gpt-3.5 and gpt-4; the Responses API:
    o1, o3-mini, o3, o4-mini and the gpt-5 family; Completions:
    gpt-3.5-turbo-instruct.
    """
    chat_vision: JSONObject = {"vision": True, **_CAPABLE}
    responses: JSONObject = {"api": "responses", "reasoning": True, **_CAPABLE}
    gpt5: JSONObject = {"vision": True, "verbosity": True, **responses}
    specs = [
        ModelSpec("gpt-4o", aliases=("4o",), **chat_vision),
        ModelSpec("gpt-4o-mini", aliases=("4o-mini",), **chat_vision),
        *(
            ModelSpec(model_id, aliases=(model_id.removeprefix("gpt-"),), **chat_vision)
            for model_id in ("gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano")
        ),
        ModelSpec("gpt-3.5-turbo", aliases=("3.5", "chatgpt"), service_tier=True),
        ModelSpec(
            "gpt-3.5-turbo-16k", aliases=("chatgpt-16k", "3.5-16k"), service_tier=True
        ),
        ModelSpec("gpt-4", aliases=("4", "gpt4"), service_tier=True),
        ModelSpec("gpt-4-turbo-2024-04-09", service_tier=True),
        ModelSpec(
            "gpt-4-turbo",
            aliases=("gpt-4-turbo-preview", "4-turbo", "4t"),
            service_tier=True,
        ),
        # o1 streams nothing: it answers whole.
        *(
            ModelSpec(model_id, vision=True, can_stream=False, **responses)
            for model_id in ("o1", "o1-2024-12-17")
        ),
        ModelSpec("o3-mini", **responses),
        ModelSpec("o3", vision=True, **responses),
        ModelSpec("o4-mini", vision=True, **responses),
        *(ModelSpec(model_id, **gpt5) for model_id in _GPT5_IDS),
        *(
            ModelSpec(model_id, image_detail_original=True, **gpt5)
            for model_id in _GPT5_ORIGINAL_DETAIL_IDS
        ),
        ModelSpec(
            "gpt-3.5-turbo-instruct",
            aliases=("3.5-instruct", "chatgpt-instruct"),
            api="completion",
            default_max_tokens=256,
        ),
    ]
    return specs


def _strings(value: object, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, (list, tuple)) or not all(
        isinstance(item, str) for item in value
    ):
        raise ValueError(f"{what} must be a list of strings")
    return tuple(value)


def spec_from_entry(entry: JSONValue) -> ModelSpec:
    """The ``ChatSpec`` of one ``extra-openai-models.yaml`` entry.

    ``ValueError`` names the problem without quoting values (headers may hold
    credentials).
    """
    if not isinstance(entry, Mapping):
        raise ValueError(
            f"it must be a mapping with a model_id, not a {type(entry).__name__}"
        )
    unknown = sorted(set(entry) - _KNOWN_KEYS, key=str)
    if unknown:
        raise ValueError(f"unknown keys {unknown}")
    model_id = entry.get("model_id")
    if not isinstance(model_id, str) or not model_id.strip():
        raise ValueError("model_id must be a non-empty string")
    api: API = "chat"
    for key, kind in (("completion", "completion"), ("responses", "responses")):
        if key in entry and not isinstance(entry[key], bool):
            raise ValueError(f"{key} must be true or false")
        if entry.get(key):
            if api != "chat":
                raise ValueError("completion and responses cannot both be true")
            api = kind  # type: ignore[assignment]
    model_name = entry.get("model_name")
    if model_name is not None and not isinstance(model_name, str):
        raise ValueError("model_name must be a string")
    api_base = entry.get("api_base")
    if api_base is not None and (not isinstance(api_base, str) or not api_base):
        raise ValueError("api_base must be a URL")
    key_name = entry.get("api_key_name")
    if key_name is not None and (not isinstance(key_name, str) or not key_name):
        raise ValueError("api_key_name must be a non-empty string")
    headers = entry.get("headers") or {}
    if not isinstance(headers, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
    ):
        raise ValueError("headers must map strings to strings")
    flags: JSONObject = {}
    for name in _FLAGS:
        if name in entry:
            value = entry[name]
            if not isinstance(value, bool):
                raise ValueError(f"{name} must be true or false")
            flags[name] = value
    if api_base:
        needs_key, key_env_var = key_name, None
    else:
        needs_key = key_name or "openai"
        key_env_var = None if key_name else "OPENAI_API_KEY"
    return ModelSpec(
        model_id,
        api=api,
        model_name=model_name,
        aliases=_strings(entry.get("aliases"), "aliases"),
        base_url=api_base,
        needs_key=needs_key,
        key_env_var=key_env_var,
        headers=headers,
        **flags,
    )


def _warn(message: str) -> None:
    warnings.warn(message, OpenAIConfigWarning, stacklevel=3)


def extra_specs() -> list[ModelSpec]:
    """The usable entries of ``extra-openai-models.yaml``; warns about the others."""
    from llm_async._core.config import load_yaml_list, user_dir

    try:
        entries = load_yaml_list(user_dir() / _EXTRA_FILE, "model definitions")
    except ConfigError as exc:
        _warn(f"{exc}; its models were not registered")
        return []
    specs = []
    for index, (line, entry) in enumerate(entries):
        try:
            specs.append(spec_from_entry(entry))
        except (TypeError, ValueError) as exc:
            _warn(
                f"{_EXTRA_FILE}: entry {index} (line {line}"
                f"{_name_of(entry)}) was skipped: {exc}"
            )
    return specs


def _name_of(entry: JSONValue) -> str:
    """``, 'model-id'`` for an entry with a string model_id, else nothing."""
    name = entry.get("model_id") if isinstance(entry, Mapping) else None
    if not isinstance(name, str) or not name:
        return ""
    return f", {name[:60]!r}"
