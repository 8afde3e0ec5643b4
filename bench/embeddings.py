"""Embedding benchmark: similarity search and embed_multi, side by side.

    python bench/embeddings.py [--quick] [--out bench/embeddings.json]

(j) ``Collection.similar_by_vector()`` over VECTORS stored 384-dimension vectors
    (numpy: one matrix-vector product over a cached float32 matrix) against
    llm's way (a SQLite function decoding and scoring every vector in Python),
    in one run, on one database. Target: median under 50 ms and at least 20x
    faster.
(k) ``embed_multi()`` of TEXTS short texts in batches of 100 against a loopback
    OpenAI-style /embeddings server (base64 vectors, a separate process) against
    raw httpx sending the same batches with the same concurrency (4 in flight,
    async; one at a time, sync). Target: within 1.2x of raw httpx.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import random
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from statistics import median
from typing import Any

BENCH = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(os.path.dirname(BENCH), "src")
sys.path.insert(1, SRC)  # measure this checkout, installed or not

DIMENSIONS = 384
BATCH = 100
CONCURRENCY = 4
COUNTS = {  # flag: (full run, --quick)
    "vectors": (100_000, 10_000),
    "queries": (21, 5),
    "llm_queries": (3, 1),
    "texts": (10_000, 1_000),
    "reps": (5, 2),
}


# -- (j) similarity ------------------------------------------------------------


def fill(path: str, count: int) -> Any:
    """A collection of ``count`` random unit-ish vectors, written in one go."""
    import numpy as np

    from llm_async._core.embeddings import content_hash
    from llm_async._core.embeddings_db import EmbeddingsStore, StoredRow

    store = EmbeddingsStore(path)
    collection = store.create_collection("bench", "random-384")
    rng = np.random.default_rng(42)
    vectors = rng.standard_normal((count, DIMENSIONS)).astype("<f4")
    store.upsert(
        collection,
        (
            StoredRow(
                f"id{i}", vectors[i].tobytes(), None, None, content_hash(str(i)), None
            )
            for i in range(count)
        ),
    )
    return collection


def measure_similar(a: argparse.Namespace) -> dict[str, Any]:
    import llm_sync
    from llm_async._core.embeddings_db import EmbeddingsStore

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "embeddings.db")
        t0 = time.perf_counter()
        fill(path, a.vectors)
        fill_s = time.perf_counter() - t0
        rng = random.Random(7)
        queries = [
            [rng.gauss(0, 1) for _ in range(DIMENSIONS)] for _ in range(a.queries)
        ]

        class Fixed(llm_sync.EmbeddingModel):
            model_id = "random-384"

            def embed_batch(self, items: Any, *, key: Any = None) -> Any:
                return [queries[0] for _ in items]

        ours = llm_sync.Collection("bench", path, model=Fixed())
        t0 = time.perf_counter()
        first = ours.similar_by_vector(queries[0], 10)
        load_s = time.perf_counter() - t0
        times, cpu_times = [], []
        for query in queries:
            t0, c0 = time.perf_counter(), time.process_time()
            ours.similar_by_vector(query, 10)
            times.append(time.perf_counter() - t0)
            cpu_times.append(time.process_time() - c0)
        slow = EmbeddingsStore(path, use_numpy=False)
        llm_times = []
        for query in queries[: a.llm_queries]:
            t0 = time.perf_counter()
            want = slow.similar_by_vector(ours.id, query, 10)
            llm_times.append(time.perf_counter() - t0)
        got = ours.similar_by_vector(queries[0], 10)
        if [e.id for e in got] != [
            e.id for e in slow.similar_by_vector(ours.id, queries[0], 10)
        ]:
            raise RuntimeError("numpy and llm's way disagree")
        del want, first
    ms, llm_ms = median(times) * 1000, median(llm_times) * 1000
    return {
        "vectors": a.vectors,
        "dimensions": DIMENSIONS,
        "fill_s": round(fill_s, 2),
        "first_query_ms (loads the matrix)": round(load_s * 1000, 1),
        "ours_median_ms": round(ms, 2),
        "ours_median_cpu_ms (all threads)": round(median(cpu_times) * 1000, 2),
        "llm_way_median_ms": round(llm_ms, 1),
        "speedup": round(llm_ms / ms, 1),
        "target": "ours < 50 ms and speedup >= 20",
        "pass": ms < 50 and llm_ms / ms >= 20,
    }


# -- (k) embed_multi -----------------------------------------------------------


def _vector_b64() -> str:
    values = [((i * 37) % 101 - 50) / 50 for i in range(DIMENSIONS)]
    return base64.b64encode(struct.pack(f"<{DIMENSIONS}f", *values)).decode()


async def serve(port_out: Callable[[int], None]) -> None:
    """A loopback OpenAI /embeddings server (HTTP/1.1 keep-alive, base64 vectors)."""
    vector = json.dumps(_vector_b64())

    async def handle(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                body = json.loads(await reader.readexactly(length))
                items = ",".join(
                    f'{{"object":"embedding","index":{i},"embedding":{vector}}}'
                    for i in range(len(body["input"]))
                )
                payload = (
                    f'{{"object":"list","data":[{items}],"model":"{body["model"]}",'
                    '"usage":{"prompt_tokens":1,"total_tokens":1}}'
                ).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                    + f"content-length: {len(payload)}\r\n\r\n".encode()
                    + payload
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.CancelledError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port_out(server.sockets[0].getsockname()[1])
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_reader(sys.stdin.fileno(), stop.set)  # parent closes stdin: stop
    async with server:
        await stop.wait()


@contextlib.contextmanager
def server_process() -> Iterator[str]:
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)


def _body(texts: list[str]) -> dict[str, Any]:
    return {"input": texts, "model": "bench-embed", "encoding_format": "base64"}


def _vectors(data: dict[str, Any]) -> list[list[float]]:
    import array

    out: list[list[float]] = [[] for _ in data["data"]]
    for entry in data["data"]:
        out[entry["index"]] = array.array(
            "f", base64.b64decode(entry["embedding"])
        ).tolist()
    return out


async def raw_async(url: str, texts: list[str], client: Any) -> list[list[float]]:
    batches = [texts[i : i + BATCH] for i in range(0, len(texts), BATCH)]
    results: list[list[list[float]]] = [[] for _ in batches]
    limit = asyncio.Semaphore(CONCURRENCY)

    async def one(index: int) -> None:
        async with limit:
            response = await client.post(
                f"{url}/embeddings", json=_body(batches[index])
            )
            response.raise_for_status()
            results[index] = _vectors(response.json())

    await asyncio.gather(*(one(i) for i in range(len(batches))))
    return [v for batch in results for v in batch]


def raw_sync(url: str, texts: list[str], client: Any) -> list[list[float]]:
    vectors: list[list[float]] = []
    for i in range(0, len(texts), BATCH):
        response = client.post(f"{url}/embeddings", json=_body(texts[i : i + BATCH]))
        response.raise_for_status()
        vectors += _vectors(response.json())
    return vectors


def measure_embed_multi(a: argparse.Namespace) -> dict[str, Any]:
    import httpx

    import llm_async
    import llm_sync
    from llm_async.providers.openai.embeddings import OpenAIEmbeddingProvider

    texts = [f"short text number {i}" for i in range(a.texts)]
    with server_process() as url:
        provider = OpenAIEmbeddingProvider("bench-embed", base_url=url)
        sync_model = llm_sync.HTTPEmbeddingModel(
            "bench", provider, batch_size=BATCH, transport=llm_sync.Transport()
        )
        async_model = llm_async.AsyncHTTPEmbeddingModel(
            "bench", provider, batch_size=BATCH, concurrency=CONCURRENCY
        )
        times: dict[str, list[float]] = {
            k: [] for k in ("ours_async", "raw_async", "ours_sync", "raw_sync")
        }

        async def async_round(client: Any, ours_first: bool) -> None:
            order = (
                ["ours_async", "raw_async"]
                if ours_first
                else ["raw_async", "ours_async"]
            )
            for name in order:
                t0 = time.perf_counter()
                if name == "ours_async":
                    got = await async_model.embed_multi(texts)
                else:
                    got = await raw_async(url, texts, client)
                times[name].append(time.perf_counter() - t0)
                if len(got) != len(texts) or len(got[0]) != DIMENSIONS:
                    raise RuntimeError(f"{name}: wrong vectors")

        async def run_async() -> None:
            async with httpx.AsyncClient() as client:
                for rep in range(a.reps + 1):
                    await async_round(client, rep % 2 == 0)

        asyncio.run(run_async())
        with httpx.Client() as client:
            for rep in range(a.reps + 1):
                order = (
                    ["ours_sync", "raw_sync"] if rep % 2 else ["raw_sync", "ours_sync"]
                )
                for name in order:
                    t0 = time.perf_counter()
                    if name == "ours_sync":
                        got = sync_model.embed_multi(texts)
                    else:
                        got = raw_sync(url, texts, client)
                    times[name].append(time.perf_counter() - t0)
                    if len(got) != len(texts):
                        raise RuntimeError(f"{name}: wrong vectors")
    medians = {k: median(v[1:]) for k, v in times.items()}  # first round: warm-up
    result: dict[str, Any] = {
        "texts": a.texts,
        "batch": BATCH,
        "concurrency": CONCURRENCY,
    }
    for facade in ("async", "sync"):
        ours, raw = medians[f"ours_{facade}"], medians[f"raw_{facade}"]
        result[facade] = {
            "ours_ms": round(ours * 1000, 1),
            "raw_httpx_ms": round(raw * 1000, 1),
            "ratio": round(ours / raw, 3),
            "target": "ratio <= 1.2",
            "pass": ours / raw <= 1.2,
        }
    return result


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small counts: a smoke test")
    p.add_argument("--out", default=os.path.join(BENCH, "embeddings.json"))
    p.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    for key, (full, quick) in COUNTS.items():
        p.add_argument(
            f"--{key.replace('_', '-')}",
            type=int,
            help=f"default {full}, quick {quick}",
        )
    a = p.parse_args(argv)
    if a.serve:
        asyncio.run(serve(lambda port: print(port, flush=True)))
        return {}
    for key, counts in COUNTS.items():
        if getattr(a, key) is None:
            setattr(a, key, counts[a.quick])
    results = {
        "load_average_before": os.getloadavg(),
        "(j) similar": measure_similar(a),
        "(k) embed_multi": measure_embed_multi(a),
        "load_average_after": os.getloadavg(),
    }
    print(json.dumps(results, indent=2))
    with open(a.out, "w") as f:
        json.dump(results, f, indent=2)
    print(f"wrote {a.out}")
    return results


if __name__ == "__main__":
    main()
