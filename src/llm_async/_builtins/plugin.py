"""The built-in models, registered like any plugin's."""

from __future__ import annotations

from collections.abc import Callable

from llm_async._core.hookspecs import hookimpl


@hookimpl
def register_models(register: Callable[..., None]) -> None:
    """Register ``echo``, OpenAI, ``smollm2``, local GGUF and Gemini models."""
    import llm_async
    import llm_sync

    register(llm_sync.EchoModel(), llm_async.AsyncEchoModel())

    # OpenAI models (Chat Completions, Responses, Completions) and
    # extra-openai-models.yaml.
    from llm_async._builtins.openai import register_openai_models

    register_openai_models(register)

    from llm_async._builtins.anthropic import register_anthropic_models  # Claude

    register_anthropic_models(register)

    # Local GGUF models: SmolLM2 and gguf-models.yaml (llama_cpp loads lazily).
    from llm_async._builtins.local import register_local_models

    register_local_models(register)

    # Google Gemini models, with the ids and aliases of llm-gemini.
    from llm_async._builtins.gemini import register_gemini_models

    register_gemini_models(register)


@hookimpl
def register_tools(register: Callable[..., None]) -> None:
    """Register the built-in tools ``llm_version`` and ``llm_time``."""
    from llm_async._core.default_tools import llm_time, llm_version

    register(llm_version)
    register(llm_time)


@hookimpl
def register_embedding_models(register: Callable[..., None]) -> None:
    """Register the OpenAI embedding models and ``smollm2-embed``."""
    from llm_async._builtins.embeddings import register_embedding_models as builtin

    builtin(register)
