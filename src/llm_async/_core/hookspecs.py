"""Plugin hook specifications (pluggy project ``"llm"``)."""

from __future__ import annotations

from typing import Any

import pluggy

__all__ = ["hookimpl", "hookspec"]

hookspec = pluggy.HookspecMarker("llm")
hookimpl = pluggy.HookimplMarker("llm")


@hookspec
def register_models(register: Any, model_aliases: Any) -> None:
    """Register models: ``register(model, async_model=None, aliases=None)``."""


@hookspec
def register_embedding_models(register: Any) -> None:
    """Register embedding models.

    ``register(model, aliases=None, async_model=None)``.
    """


@hookspec
def register_tools(register: Any) -> None:
    """Register tools: ``register(function_or_tool_or_toolbox_class, name=None)``."""
