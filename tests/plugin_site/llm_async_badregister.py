"""A test plugin that registers one model and then fails."""

from __future__ import annotations

from typing import Any

import llm_async
import llm_sync


@llm_async.hookimpl
def register_models(register: Any) -> None:
    register(llm_sync.ScriptedModel(model_id="half-registered"))
    raise RuntimeError("registration failed half-way")
