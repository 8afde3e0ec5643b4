"""The built-in Claude models, for both facades: classes and registration.

The catalogue, requests and answers are sans-I/O and live in
``llm_async.providers.anthropic``; this module makes the sync and async model
objects from them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from llm_async._builtins.model_pairs import http_class_pair, model_pair, register_specs
from llm_async.providers.anthropic.models import ClaudeSpec, builtin_specs

if TYPE_CHECKING:
    from llm_async._io.http_model import AsyncHTTPModel
    from llm_sync._io.http_model import HTTPModel

__all__ = ["claude_models", "register_anthropic_models"]


def _server_side_tools(self: object) -> tuple[type, ...]:
    """Raw server tool specs (``ServerSideTool({...})``) are passed on."""
    from llm_async._core.tools import ServerSideTool

    return (ServerSideTool,)


@functools.cache
def _model_classes() -> tuple[type[HTTPModel], type[AsyncHTTPModel]]:
    return http_class_pair(
        __name__,
        "ClaudeMessages",
        "Anthropic Messages",
        "A Claude model (Anthropic Messages API)",
        {"supported_server_side_tools": property(_server_side_tools)},
    )


def claude_models(spec: ClaudeSpec) -> tuple[HTTPModel, AsyncHTTPModel]:
    """The sync and async model objects for ``spec`` (one provider, shared)."""
    return model_pair(_model_classes(), spec)


def register_anthropic_models(register: Callable[..., None]) -> None:
    """Register the Claude models with the ``llm-anthropic`` ids and aliases."""
    register_specs(register, builtin_specs(), claude_models)
