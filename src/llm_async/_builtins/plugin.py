"""The built-in models, registered like any plugin's."""

from __future__ import annotations

from typing import Any

from llm_async._core.hookspecs import hookimpl


@hookimpl
def register_models(register: Any) -> None:
    """Register ``echo``, the OpenAI models, ``smollm2`` and local GGUF models."""
    import llm_async
    import llm_sync

    register(llm_sync.EchoModel(), llm_async.AsyncEchoModel())

    # OpenAI Chat Completions models and extra-openai-models.yaml.
    from llm_async._builtins.openai import register_openai_models

    register_openai_models(register)

    # Local GGUF models: SmolLM2 and gguf-models.yaml (llama_cpp loads lazily).
    from llm_async._builtins.local import register_local_models

    register_local_models(register)


@hookimpl
def register_embedding_models(register: Any) -> None:
    """Register the OpenAI embedding models and ``smollm2-embed``."""
    from llm_async._builtins.embeddings import register_embedding_models as builtin

    builtin(register)
