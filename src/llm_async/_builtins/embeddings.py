"""The built-in embedding models, for both facades: classes and registration.

OpenAI's (``text-embedding-3-small``... with ``llm``'s aliases) and the local
demonstration model ``smollm2-embed`` (llama.cpp, loaded lazily). The request
and response formats are in ``llm_async.providers.openai.embeddings``.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from llm_async._builtins.model_pairs import class_pair
from llm_async._core.types import JSONObject
from llm_async.providers.openai.embeddings import BATCH_SIZE, EMBEDDING_SPECS

if TYPE_CHECKING:
    from llm_async._io.http_embedding_model import AsyncHTTPEmbeddingModel
    from llm_async._io.local_embedding_model import AsyncLocalEmbeddingModel
    from llm_async.providers.llama_cpp.engine import PackagedFile
    from llm_sync._io.http_embedding_model import HTTPEmbeddingModel
    from llm_sync._io.local_embedding_model import LocalEmbeddingModel

__all__ = [
    "openai_embedding_models",
    "register_embedding_models",
    "register_gguf_embedding",
]


@functools.cache
def _openai_classes() -> tuple[type[HTTPEmbeddingModel], type[AsyncHTTPEmbeddingModel]]:
    from llm_async._io.http_embedding_model import AsyncHTTPEmbeddingModel
    from llm_sync._io.http_embedding_model import HTTPEmbeddingModel

    return class_pair(
        __name__,
        "OpenAIEmbeddingModel",
        "OpenAIEmbeddingModel",
        "An OpenAI embedding model (``POST /embeddings``)",
        (HTTPEmbeddingModel, AsyncHTTPEmbeddingModel),
    )


def openai_embedding_models() -> list[
    tuple[HTTPEmbeddingModel, AsyncHTTPEmbeddingModel, list[str]]
]:
    """``(sync model, async model, aliases)`` for each OpenAI embedding model."""
    sync_class, async_class = _openai_classes()
    models = []
    for spec in EMBEDDING_SPECS:
        provider = spec.provider()
        kwargs: JSONObject = {
            "needs_key": "openai",
            "key_env_var": "OPENAI_API_KEY",
            "batch_size": BATCH_SIZE,
            "dimensions": spec.output_dimensions,
        }
        models.append(
            (
                sync_class(spec.model_id, provider, **kwargs),
                async_class(spec.model_id, provider, **kwargs),
                list(spec.aliases),
            )
        )
    return models


def _local_models(
    model_id: str, path: str | PackagedFile, n_ctx: int, truncate: bool
) -> tuple[LocalEmbeddingModel, AsyncLocalEmbeddingModel]:
    from llm_async._io.local_embedding_model import AsyncLocalEmbeddingModel
    from llm_sync._io.local_embedding_model import LocalEmbeddingModel

    return (
        LocalEmbeddingModel(model_id, path, n_ctx=n_ctx, truncate=truncate),
        AsyncLocalEmbeddingModel(model_id, path, n_ctx=n_ctx, truncate=truncate),
    )


def register_embedding_models(register: Callable[..., None]) -> None:
    """Register OpenAI's embedding models and ``smollm2-embed`` (plugin hook)."""
    for sync_model, async_model, aliases in openai_embedding_models():
        register(sync_model, aliases=aliases, async_model=async_model)
    from llm_async.providers.llama_cpp.embeddings import SMOLLM2_EMBED

    local_sync, local_async = _local_models(
        SMOLLM2_EMBED.model_id, SMOLLM2_EMBED.path, SMOLLM2_EMBED.n_ctx, True
    )
    register(local_sync, aliases=list(SMOLLM2_EMBED.aliases), async_model=local_async)


def register_gguf_embedding(
    model_id: str,
    path: str | os.PathLike[str],
    *,
    aliases: Sequence[str] = (),
    n_ctx: int = 512,
    truncate: bool = True,
) -> None:
    """Register a GGUF embedding model file (nomic-embed, bge...), sync and async.

    Cheap: the file loads on the first embedding. ``n_ctx`` is the most tokens
    per text; ``truncate`` cuts longer texts instead of raising.
    """
    from llm_async._core.registry import register_embedding_model

    if isinstance(aliases, str):
        raise ValueError(f"aliases of {model_id!r} must be a list of strings")
    if not os.fspath(path):
        raise ValueError(f"path of {model_id!r} must be a file path")
    absolute = os.path.abspath(os.path.expanduser(os.fspath(path)))
    sync_model, async_model = _local_models(model_id, absolute, n_ctx, truncate)
    register_embedding_model(sync_model, async_model=async_model, aliases=list(aliases))
