"""The built-in models, registered like any plugin's."""

from __future__ import annotations

from typing import Any

from llm_async._hookspecs import hookimpl


@hookimpl
def register_models(register: Any) -> None:
    """Register the scripted ``echo`` model (sync and async)."""
    import llm_sync

    import llm_async

    register(llm_sync.EchoModel(), llm_async.AsyncEchoModel())
