"""The async embedding API keeps the event loop free and sends batches concurrently."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import anyio
import pytest

import llm_async
from llm_async._core.embeddings_db import EmbeddingsStore
from tests.embedding_support import AsyncHashEmbed


async def test_every_sqlite_call_of_async_collection_runs_in_a_worker_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop_thread = threading.get_ident()
    calls: list[tuple[str, bool]] = []
    for name in (
        "__init__",
        "collection",
        "create_collection",
        "count",
        "has_hash",
        "ids_with_hashes",
        "upsert",
        "embedding_of",
        "similar_by_vector",
        "delete_collection",
        "close",
    ):
        original = getattr(EmbeddingsStore, name)

        def spy(*args: object, _name: str = name, _f: object = original, **kw: object):  # type: ignore[no-untyped-def]
            calls.append((_name, threading.get_ident() == loop_thread))
            return _f(*args, **kw)  # type: ignore[operator]

        monkeypatch.setattr(EmbeddingsStore, name, spy)
    collection = llm_async.AsyncCollection(
        "c", tmp_path / "e.db", model=AsyncHashEmbed()
    )
    await collection.embed("a", "water birds")
    await collection.embed_multi([("b", "herons wade"), ("c", "rust code")])
    await collection.similar("birds")
    await collection.similar_by_id("a")
    await collection.count()
    await collection.delete()
    await collection.aclose()
    assert {name for name, _ in calls} >= {"__init__", "upsert", "similar_by_vector"}
    assert [name for name, on_loop in calls if on_loop] == []


async def test_embed_multi_runs_batches_concurrently_up_to_the_limit() -> None:
    class Slow(llm_async.AsyncEmbeddingModel):
        model_id = "slow"
        batch_size = 1
        concurrency = 3

        def __init__(self) -> None:
            self.in_flight = self.most = 0

        async def embed_batch(
            self, items: Sequence[str | bytes], *, key: str | None = None
        ) -> list[list[float]]:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
            await anyio.sleep(0.01)
            self.in_flight -= 1
            return [[float(len(items[0]))] for _ in items]

    model = Slow()
    vectors = await model.embed_multi(["x" * n for n in range(1, 11)])
    assert vectors == [[float(n)] for n in range(1, 11)]
    assert model.most == 3


async def test_the_first_failing_batch_stops_new_ones() -> None:
    class Failing(AsyncHashEmbed):
        concurrency = 2

        async def embed_batch(
            self, items: Sequence[str | bytes], *, key: str | None = None
        ) -> list[list[float]]:
            self.batches.append(list(items))
            await anyio.sleep(0)
            if items[0] == "bad":
                raise RuntimeError("batch failed")
            return [[1.0] for _ in items]

    model = Failing(batch_size=1)
    with pytest.raises(RuntimeError, match="batch failed"):
        await model.embed_multi(["ok", "bad", *["later"] * 20])
    assert len(model.batches) < 22
