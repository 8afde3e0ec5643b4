"""Plugin hook specifications (pluggy project ``"llm"``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

__all__ = ["hookimpl", "hookspec"]

hookspec = pluggy.HookspecMarker("llm")
hookimpl = pluggy.HookimplMarker("llm")


@hookspec
def register_models(register: Callable[..., None], model_aliases: Any) -> None:
    """Register models: ``register(model, async_model=None, aliases=None)``."""


@hookspec
def register_embedding_models(register: Callable[..., None]) -> None:
    """Register embedding models.

    ``register(model, aliases=None, async_model=None)``.
    """


@hookspec
def register_tools(register: Callable[..., None]) -> None:
    """Register tools: ``register(function_or_tool_or_toolbox_class, name=None)``."""


@hookspec
def register_template_loaders(register: Callable[..., None]) -> None:
    """Register template loaders: ``register(prefix, loader)``; ``loader(key)``
    returns a ``Template``."""


@hookspec
def register_fragment_loaders(register: Callable[..., None]) -> None:
    """Register fragment loaders: ``register(prefix, loader)``; ``loader(key)``
    returns a ``Fragment``, an ``Attachment`` or a list of them."""


# Hooks of ``llm`` that this library never calls: a plugin implementing one is
# loaded as usual, with one ``UnsupportedHookWarning`` naming the hook.
UNSUPPORTED_HOOKS = {
    "register_commands": "llm-async's command line takes no plugin commands",
}
