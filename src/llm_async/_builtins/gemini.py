"""The built-in Gemini models, for both facades: classes and registration.

The catalogue and the provider are sans-I/O (``llm_async.providers.gemini``);
this module makes the sync and async model objects from them.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from llm_async._builtins.model_pairs import http_class_pair, model_pair, register_specs
from llm_async.providers.gemini.models import KEY_ENV_VARS, GeminiSpec, builtin_specs

if TYPE_CHECKING:
    from llm_async._io.http_model import AsyncHTTPModel
    from llm_sync._io.http_model import HTTPModel

__all__ = ["gemini_models", "register_gemini_models"]


def _key_with_fallback(
    model: HTTPModel | AsyncHTTPModel, found: Callable[[], str | None]
) -> str | None:
    """``found()``, else ``$LLM_GEMINI_KEY``; the error names both variables."""
    from llm_async._core.errors import NeedsKeyException

    try:
        return found()
    except NeedsKeyException:
        for name in KEY_ENV_VARS[1:]:
            value = os.environ.get(name)
            if value:
                return value
        raise NeedsKeyException(
            f"No key found - add one using 'llm keys set {model.needs_key}' or set "
            f"the {' or '.join(KEY_ENV_VARS)} environment variable"
        ) from None


def _get_key(
    self: HTTPModel | AsyncHTTPModel, explicit_key: str | None = None
) -> str | None:
    """``model.key``, ``key=``, keys.json, $GEMINI_API_KEY, $LLM_GEMINI_KEY."""
    from llm_async._core.model_base import resolve_key

    return _key_with_fallback(self, lambda: resolve_key(self, explicit_key))


@functools.cache
def _model_classes() -> tuple[type[HTTPModel], type[AsyncHTTPModel]]:
    return http_class_pair(
        __name__,
        "Gemini",
        "Gemini",
        "A Google Gemini model (the Generative Language API)",
        {"get_key": _get_key},
    )


def gemini_models(spec: GeminiSpec) -> tuple[HTTPModel, AsyncHTTPModel]:
    """The sync and async model objects for ``spec`` (one provider, shared)."""
    return model_pair(_model_classes(), spec)


def register_gemini_models(register: Callable[..., None]) -> None:
    """Register the Gemini models (plugin hook)."""
    register_specs(register, builtin_specs(), gemini_models)
