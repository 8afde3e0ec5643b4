"""A test plugin that registers one model (and one tool) and then fails."""

from __future__ import annotations

from typing import Any

import llm_async
import llm_sync


@llm_async.hookimpl
def register_models(register: Any) -> None:
    register(llm_sync.ScriptedModel(model_id="half-registered"))
    raise RuntimeError("registration failed half-way")


def half_registered_tool() -> str:
    """Registered just before the failure, so never listed."""
    return "never"


class NotAToolbox:
    """A class that forgot to inherit from ``llm_async.Toolbox``."""

    def method(self) -> str:
        return "never"


@llm_async.hookimpl
def register_tools(register: Any) -> None:
    register(half_registered_tool)
    register(NotAToolbox)  # raises TypeError
