"""The built-in models, registered like any plugin's."""

from __future__ import annotations

from typing import Any

from llm_async._hookspecs import hookimpl


@hookimpl
def register_models(register: Any) -> None:
    """Register ``echo``, ``smollm2`` and the local GGUF models (sync and async)."""
    import llm_async
    import llm_sync

    register(llm_sync.EchoModel(), llm_async.AsyncEchoModel())

    # Local GGUF models: SmolLM2 and gguf-models.yaml (llama_cpp loads lazily).
    from llm_async._local_config import register_local_models

    register_local_models(register)
