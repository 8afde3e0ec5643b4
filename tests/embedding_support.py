"""Embedding test helpers: the ``hash-16`` model and a synthetic /embeddings server.

``hash_vector`` is the function of ``fixtures/embeddings/llm_hash_embed.py``,
the ``llm`` plugin that made ``llm-cli-hash16.db``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

import llm_async
import llm_sync
from llm_async._core.registry import _reset as reset_registry
from llm_async.providers.openai.embeddings import OpenAIEmbeddingProvider

__all__ = ["OpenAIEmbeddingProvider", "reset_registry"]  # and the names below

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "embeddings"
LLM_DB = FIXTURES / "llm-cli-hash16.db"
EMBEDDINGS_URL = "https://api.openai.com/v1/embeddings"
# What `llm similar animals -c "water birds"` printed for the fixture (heron and
# pelican tie; sorted here by score, then id).
LLM_SIMILAR_WATER_BIRDS = [
    ("heron", 0.42640143271122083),
    ("pelican", 0.42640143271122083),
    ("python", 0.31622776601683794),
    ("bread", 0.26726124191242434),
    ("rust", 0.24999999999999994),
    ("cake", 0.0),
]


def hash_vector(text: str, dimensions: int = 16) -> list[float]:
    """Bag of words: each word's MD5 picks one of ``dimensions`` buckets."""
    vector = [0.0] * dimensions
    for word in text.lower().split():
        digest = hashlib.md5(word.strip(".,!?").encode("utf-8")).digest()
        vector[digest[0] % dimensions] += 1.0
    return vector


class SyncHashEmbed(llm_sync.EmbeddingModel):
    """``hash-16`` for the blocking API; records each batch it embeds."""

    model_id = "hash-16"

    def __init__(self, batch_size: int | None = None) -> None:
        self.batch_size = batch_size
        self.batches: list[list[str | bytes]] = []

    def embed_batch(
        self, items: Sequence[str | bytes], *, key: str | None = None
    ) -> Any:
        self.batches.append(list(items))
        return (hash_vector(str(item)) for item in items)  # a generator, as in llm


class AsyncHashEmbed(llm_async.AsyncEmbeddingModel):
    """``hash-16`` for the async API; records each batch it embeds."""

    model_id = "hash-16"

    def __init__(self, batch_size: int | None = None) -> None:
        self.batch_size = batch_size
        self.batches: list[list[str | bytes]] = []

    async def embed_batch(
        self, items: Sequence[str | bytes], *, key: str | None = None
    ) -> list[list[float]]:
        self.batches.append(list(items))
        return [hash_vector(str(item)) for item in items]


def synthetic_vector(text: str, dimensions: int) -> list[float]:
    """A made-up but deterministic float32-exact vector for a text."""
    seed = hashlib.sha256(text.encode("utf-8")).digest()
    return [(seed[i % len(seed)] - 128) / 128 for i in range(dimensions)]


def synthetic_embeddings(request: httpx.Request) -> httpx.Response:
    """A synthetic OpenAI /embeddings answer (base64 or float, as asked)."""
    body = json.loads(request.content)
    native = {"text-embedding-3-large": 3072}.get(body["model"], 1536)
    dimensions = body.get("dimensions") or (
        native if body["model"].startswith("text-embedding-") else 8
    )
    data = []
    for index, text in enumerate(body["input"]):
        vector = synthetic_vector(text, dimensions)
        embedding: Any = vector
        if body.get("encoding_format") == "base64":
            packed = struct.pack(f"<{len(vector)}f", *vector)
            embedding = base64.b64encode(packed).decode("ascii")
        data.append({"object": "embedding", "index": index, "embedding": embedding})
    data.reverse()  # the index, not the order, says which input a vector is for
    return httpx.Response(
        200,
        json={
            "object": "list",
            "data": data,
            "model": body["model"],
            "usage": {"prompt_tokens": 3, "total_tokens": 3},
        },
        headers={"x-request-id": "req_synthetic_embeddings"},
    )
