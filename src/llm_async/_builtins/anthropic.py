"""The built-in Claude models, for both facades: classes and registration.

The catalogue, requests and answers are sans-I/O and live in
``llm_async.providers.anthropic``; this module makes the sync and async model
objects from them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from llm_async.providers.anthropic.models import ClaudeSpec, builtin_specs

if TYPE_CHECKING:
    from llm_async._io.http_model import AsyncHTTPModel
    from llm_sync._io.http_model import HTTPModel

__all__ = ["claude_models", "register_anthropic_models"]


@functools.cache
def _model_classes() -> tuple[type[HTTPModel], type[AsyncHTTPModel]]:
    from llm_async._core.tools import ServerSideTool
    from llm_async._io.http_model import AsyncHTTPModel
    from llm_sync._io.http_model import HTTPModel

    class ClaudeMessages(HTTPModel):
        """A Claude model (Anthropic Messages API)."""

        @property
        def supported_server_side_tools(self) -> tuple[type, ...]:
            """Raw server tool specs (``ServerSideTool({...})``) are passed on."""
            return (ServerSideTool,)

        def __str__(self) -> str:
            return f"Anthropic Messages: {self.model_id}"

    class AsyncClaudeMessages(AsyncHTTPModel):
        """A Claude model (Anthropic Messages API), async."""

        @property
        def supported_server_side_tools(self) -> tuple[type, ...]:
            """Raw server tool specs (``ServerSideTool({...})``) are passed on."""
            return (ServerSideTool,)

        def __str__(self) -> str:
            return f"Anthropic Messages: {self.model_id}"

    for cls in (ClaudeMessages, AsyncClaudeMessages):
        cls.__module__ = __name__
        cls.__qualname__ = cls.__name__
    return ClaudeMessages, AsyncClaudeMessages


def claude_models(spec: ClaudeSpec) -> tuple[HTTPModel, AsyncHTTPModel]:
    """The sync and async model objects for ``spec`` (one provider, shared)."""
    sync_class, async_class = _model_classes()
    provider = spec.provider()
    kwargs = spec.model_kwargs()
    return (
        sync_class(spec.model_id, provider, **kwargs),
        async_class(spec.model_id, provider, **kwargs),
    )


def register_anthropic_models(register: Callable[..., None]) -> None:
    """Register the Claude models with the ``llm-anthropic`` ids and aliases."""
    for spec in builtin_specs():
        sync_model, async_model = claude_models(spec)
        register(sync_model, async_model, aliases=list(spec.aliases))
