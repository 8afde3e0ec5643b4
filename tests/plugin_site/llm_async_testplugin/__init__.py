"""A test plugin: one model, sync and async, built on the scripted models."""

from __future__ import annotations

from typing import Any

import llm_async
import llm_sync

IMPORTED = True


@llm_async.hookimpl
def register_models(register: Any) -> None:
    register(
        llm_sync.ScriptedModel(["from plugin"], model_id="plugin-model"),
        llm_async.AsyncScriptedModel(["from plugin"], model_id="plugin-model"),
        aliases=["pm"],
    )
