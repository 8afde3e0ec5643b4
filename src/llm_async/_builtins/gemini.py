"""The built-in Gemini models, for both facades: classes and registration.

The catalogue and the provider are sans-I/O (``llm_async.providers.gemini``);
this module makes the sync and async model objects from them.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from llm_async.providers.gemini.models import KEY_ENV_VARS, GeminiSpec, builtin_specs

if TYPE_CHECKING:
    from llm_async._io.http_model import AsyncHTTPModel
    from llm_sync._io.http_model import HTTPModel

__all__ = ["gemini_models", "register_gemini_models"]


def _key_with_fallback(model: Any, found: Callable[[], str | None]) -> str | None:
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


@functools.cache
def _model_classes() -> tuple[type[HTTPModel], type[AsyncHTTPModel]]:
    from llm_async._io.http_model import AsyncHTTPModel
    from llm_sync._io.http_model import HTTPModel

    class Gemini(HTTPModel):
        """A Google Gemini model (the Generative Language API)."""

        def __str__(self) -> str:
            return f"Gemini: {self.model_id}"

        def get_key(self, explicit_key: str | None = None) -> str | None:
            """``model.key``, ``key=``, keys.json, $GEMINI_API_KEY, $LLM_GEMINI_KEY."""
            return _key_with_fallback(
                self, lambda: super(Gemini, self).get_key(explicit_key)
            )

    class AsyncGemini(AsyncHTTPModel):
        """A Google Gemini model (the Generative Language API), async."""

        def __str__(self) -> str:
            return f"Gemini: {self.model_id}"

        def get_key(self, explicit_key: str | None = None) -> str | None:
            """``model.key``, ``key=``, keys.json, $GEMINI_API_KEY, $LLM_GEMINI_KEY."""
            return _key_with_fallback(
                self, lambda: super(AsyncGemini, self).get_key(explicit_key)
            )

    for cls in (Gemini, AsyncGemini):
        cls.__module__ = __name__
        cls.__qualname__ = cls.__name__
    return Gemini, AsyncGemini


def gemini_models(spec: GeminiSpec) -> tuple[HTTPModel, AsyncHTTPModel]:
    """The sync and async model objects for ``spec`` (one provider, shared)."""
    sync_class, async_class = _model_classes()
    provider = spec.provider()
    kwargs = spec.model_kwargs()
    return (
        sync_class(spec.model_id, provider, **kwargs),
        async_class(spec.model_id, provider, **kwargs),
    )


def register_gemini_models(register: Callable[..., None]) -> None:
    """Register the Gemini models (plugin hook)."""
    for spec in builtin_specs():
        sync_model, async_model = gemini_models(spec)
        register(sync_model, async_model, aliases=list(spec.aliases))
