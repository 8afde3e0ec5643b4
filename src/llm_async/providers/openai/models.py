"""The OpenAI Chat Completions models, and OpenAI-compatible ones.

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

``completion: true`` and ``responses: true`` entries (the Completions and
Responses APIs) are not supported: they are skipped with a warning, as is any
invalid entry; a file that cannot be read warns once and the other models work.
Each invalid entry is skipped with one ``OpenAIConfigWarning`` naming its
position (entry number from 0, and line) and the reason; the valid entries
still load. ``register_openai_compatible()`` does the same from Python.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from llm_async._core.errors import ConfigError, OpenAIConfigWarning
from llm_async.providers.openai.chat import OpenAIChatProvider, chat_options_class

if TYPE_CHECKING:
    pass

__all__ = [
    "AUDIO_TYPES",
    "VISION_TYPES",
    "ChatSpec",
    "OpenAIConfigWarning",
    "builtin_specs",
    "spec_from_entry",
]

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
class ChatSpec:
    """What is needed to build one Chat Completions model (sync and async)."""

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

    def provider(self) -> OpenAIChatProvider:
        """The sans-I/O provider for this model."""
        options = chat_options_class(
            vision=self.vision, reasoning=self.reasoning, service_tier=self.service_tier
        )
        return OpenAIChatProvider(
            self.model_name or self.model_id,
            base_url=self.base_url,
            options=options,
            reasoning=self.reasoning,
        )

    def model_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of ``HTTPModel``/``AsyncHTTPModel`` (provider aside)."""
        attachment_types: set[str] = set()
        if self.vision:
            attachment_types |= VISION_TYPES
        if self.audio:
            attachment_types |= AUDIO_TYPES
        return {
            "needs_key": self.needs_key,
            "key_env_var": self.key_env_var,
            "can_stream": self.can_stream,
            "supports_tools": self.supports_tools,
            "supports_schema": self.supports_schema,
            "attachment_types": attachment_types,
            "headers": dict(self.headers),
        }


def builtin_specs() -> list[ChatSpec]:
    """The OpenAI models registered by default (Chat Completions)."""
    full: dict[str, Any] = {
        "vision": True,
        "supports_tools": True,
        "supports_schema": True,
        "service_tier": True,
    }
    reasoning: dict[str, Any] = {
        "reasoning": True,
        "supports_tools": True,
        "supports_schema": True,
        "service_tier": True,
    }
    return [
        ChatSpec("gpt-4o", aliases=("4o",), **full),
        ChatSpec("gpt-4o-mini", aliases=("4o-mini",), **full),
        ChatSpec("gpt-4.1", aliases=("4.1",), **full),
        ChatSpec("gpt-4.1-mini", aliases=("4.1-mini",), **full),
        ChatSpec("gpt-4.1-nano", aliases=("4.1-nano",), **full),
        ChatSpec("gpt-3.5-turbo", aliases=("3.5", "chatgpt"), service_tier=True),
        ChatSpec(
            "gpt-3.5-turbo-16k", aliases=("chatgpt-16k", "3.5-16k"), service_tier=True
        ),
        ChatSpec("gpt-4", aliases=("4", "gpt4"), service_tier=True),
        ChatSpec("gpt-4-turbo-2024-04-09", service_tier=True),
        ChatSpec(
            "gpt-4-turbo",
            aliases=("gpt-4-turbo-preview", "4-turbo", "4t"),
            service_tier=True,
        ),
        ChatSpec("o3-mini", **reasoning),
        ChatSpec("o4-mini", vision=True, **reasoning),
    ]


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, (list, tuple)) or not all(
        isinstance(item, str) for item in value
    ):
        raise ValueError(f"{what} must be a list of strings")
    return tuple(value)


def spec_from_entry(entry: Any) -> ChatSpec:
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
    for unsupported in ("completion", "responses"):
        if entry.get(unsupported):
            api = "Completions" if unsupported == "completion" else "Responses"
            raise ValueError(
                f"{unsupported}: true (the {api} API) is not supported; only Chat "
                "Completions models are"
            )
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
    flags: dict[str, Any] = {}
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
    return ChatSpec(
        model_id,
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


def extra_specs() -> list[ChatSpec]:
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


def _name_of(entry: Any) -> str:
    """``, 'model-id'`` for an entry with a string model_id, else nothing."""
    name = entry.get("model_id") if isinstance(entry, Mapping) else None
    if not isinstance(name, str) or not name:
        return ""
    return f", {name[:60]!r}"
