"""The built-in OpenAI models, for both facades: classes and registration.

One class pair per endpoint: ``OpenAIChat``/``AsyncOpenAIChat`` (Chat
Completions), ``OpenAIResponses``/``AsyncOpenAIResponses`` (the Responses API)
and ``OpenAICompletion``/``AsyncOpenAICompletion`` (Completions).

The model catalogue and ``extra-openai-models.yaml`` parsing are sans-I/O and
live in ``llm_async.providers.openai.models``; this module makes the sync and
async model objects from them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from llm_async._builtins.model_pairs import http_class_pair, model_pair, register_specs
from llm_async.providers.openai.models import (
    TITLES,
    ModelSpec,
    builtin_specs,
    extra_specs,
)

if TYPE_CHECKING:
    from llm_async._io.http_model import AsyncHTTPModel
    from llm_sync._io.http_model import HTTPModel

__all__ = [
    "chat_models",
    "register_openai_compatible",
    "register_openai_models",
]


_CLASS_NAMES = {"chat": "Chat", "responses": "Responses", "completion": "Completion"}


@functools.cache
def _model_classes(api: str) -> tuple[type[HTTPModel], type[AsyncHTTPModel]]:
    """The sync and async model classes of one endpoint (``OpenAIChat``...)."""
    title = TITLES[api]
    name = "OpenAI" + _CLASS_NAMES[api]
    return http_class_pair(__name__, name, title, f"An {title} model")


def __getattr__(name: str) -> type:
    # The model classes are made on first use; found by name (for pickle).
    for api, suffix in _CLASS_NAMES.items():
        if name in (f"OpenAI{suffix}", f"AsyncOpenAI{suffix}"):
            sync_class, async_class = _model_classes(api)
            return async_class if name.startswith("Async") else sync_class
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def chat_models(spec: ModelSpec) -> tuple[HTTPModel, AsyncHTTPModel]:
    """The sync and async model objects for ``spec`` (one provider, shared)."""
    return model_pair(_model_classes(spec.api), spec)


def register_openai_models(register: Callable[..., None]) -> None:
    """Register the OpenAI models and ``extra-openai-models.yaml`` (plugin hook)."""
    register_specs(register, [*builtin_specs(), *extra_specs()], chat_models)


def register_openai_compatible(
    model_id: str,
    *,
    base_url: str,
    model_name: str | None = None,
    aliases: Sequence[str] = (),
    api_key_name: str | None = None,
    key_env_var: str | None = None,
    headers: Mapping[str, str] | None = None,
    can_stream: bool = True,
    supports_tools: bool = False,
    supports_schema: bool = False,
    vision: bool = False,
    audio: bool = False,
    reasoning: bool = False,
) -> None:
    """Register a model served by an OpenAI-compatible Chat Completions endpoint.

    ``base_url`` is the API root (``http://localhost:11434/v1`` for Ollama);
    requests go to ``{base_url}/chat/completions`` as ``model_name`` (default:
    ``model_id``). With ``api_key_name`` (a ``keys.json`` name) and/or
    ``key_env_var`` the model needs a key, sent as ``Authorization: Bearer``;
    otherwise none is sent. Both the sync and the async model are registered.
    """
    if isinstance(aliases, str):
        raise ValueError(f"aliases of {model_id!r} must be a list of strings")
    if not base_url:
        raise ValueError(f"base_url of {model_id!r} must be a URL")
    from llm_async._core.registry import register_model
    from llm_async.providers.http_model_base import check_headers

    spec = ModelSpec(
        model_id,
        model_name=model_name,
        aliases=tuple(aliases),
        base_url=base_url,
        needs_key=api_key_name or (model_id if key_env_var else None),
        key_env_var=key_env_var,
        headers=check_headers(headers),
        can_stream=can_stream,
        supports_tools=supports_tools,
        supports_schema=supports_schema,
        vision=vision,
        audio=audio,
        reasoning=reasoning,
    )
    sync_model, async_model = chat_models(spec)
    register_model(sync_model, async_model, aliases=list(spec.aliases))
