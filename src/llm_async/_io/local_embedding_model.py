"""Local GGUF embedding models, run in-process by llama.cpp (the ``local`` extra)."""

from __future__ import annotations

import os
from collections.abc import Sequence

from llm_async._core.concurrency import async_run_blocking
from llm_async.providers.llama_cpp.embeddings import EMBED_N_CTX, embed_texts
from llm_async.providers.llama_cpp.engine import GGUFSpec, PackagedFile

from .embedding_model import AsyncEmbeddingModel

__all__ = ["AsyncLocalEmbeddingModel"]


class AsyncLocalEmbeddingModel(AsyncEmbeddingModel):
    """A GGUF file run in llama.cpp's embedding mode; no key, no network.

    Vectors are the mean of the model's hidden states. ``n_ctx`` is the most
    tokens per text; ``truncate`` cuts longer texts (``False``: they raise
    ``LocalModelError``). The file loads on first use; batches run one at a time
    per file, in a worker thread in the async facade.
    Needs ``pip install 'llm-async[local]'``.
    """

    batch_size = 32
    concurrency = 1

    def __init__(
        self,
        model_id: str,
        path: str | os.PathLike[str] | PackagedFile,
        *,
        n_ctx: int = EMBED_N_CTX,
        truncate: bool = True,
    ) -> None:
        if not isinstance(path, PackagedFile):
            path = os.fspath(path)
        self.spec = GGUFSpec(model_id, path, n_ctx=n_ctx)
        self.model_id = model_id
        self.truncate = truncate

    async def embed_batch(
        self, items: Sequence[str | bytes], *, key: str | None = None
    ) -> list[list[float]]:
        """Embed the texts with llama.cpp (in a worker thread when async)."""
        texts = [str(item) for item in items]
        spec, truncate = self.spec, self.truncate
        vectors = await async_run_blocking(
            lambda: embed_texts(spec, texts, truncate=truncate)
        )
        if vectors:
            self.dimensions = len(vectors[0])
        return vectors
