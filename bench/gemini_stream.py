"""Gemini streaming throughput: our built-in Gemini model vs raw httpx.

    PYTHONPATH=src python bench/gemini_stream.py [--chunks N] [--reps N]

A loopback server (``stream_server.py``: its own process, one HTTP chunk per
event) answers every ``:streamGenerateContent?alt=sse`` request with
``--chunks`` Gemini events
(``data: {GenerateContentResponse}`` separated by ``\\r\\n\\r\\n``, one
``"tok "`` text part each, cumulative ``usageMetadata``, ``finishReason`` on the
last). Both sides read the same stream:

* **ours**: ``get_model("gemini-2.5-flash")`` (the registered model, key from
  ``GEMINI_API_KEY``), moved to the loopback server with ``base_url``, then
  ``model.prompt(PROMPT)`` iterated;
* **raw httpx**: one pooled client, ``client.stream("POST", ...)`` with the key
  header, ``iter_lines()``, ``data: `` lines through ``json.loads``, the text
  of ``candidates[0].content.parts`` yielded.

``run.py`` adds these figures to its table (``FIGURES``); the target is the
same as the OpenAI stream's: ours/raw >= 1.0. ``--packed``: see
``stream_server.py``.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from statistics import median
from typing import Any

import httpx
import stream_server

BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(1, os.path.join(os.path.dirname(BENCH), "src"))

PROMPT = "Count to a large number."
KEY = "bench-gemini-key"
MODEL = "gemini-2.5-flash"
#: key, label, unit, target (ours/raw), kind: rows for run.py's table.
FIGURES = [
    ("gemini_stream_sync", "(h) Gemini stream, sync", "chunk/s", 1.0, "min"),
    ("gemini_stream_async", "(h) Gemini stream, async", "chunk/s", 1.0, "min"),
]


def events(request: dict[str, Any], n: int) -> list[bytes]:
    """``n`` streamed events of one ``"tok "`` text part each."""
    found = []
    for i in range(n):
        candidate: dict[str, Any] = {
            "content": {"role": "model", "parts": [{"text": "tok "}]},
            "index": 0,
        }
        if i == n - 1:
            candidate["finishReason"] = "STOP"
        chunk = {
            "candidates": [candidate],
            "usageMetadata": {
                "promptTokenCount": 6,
                "candidatesTokenCount": i + 1,
                "totalTokenCount": i + 7,
            },
            "modelVersion": MODEL,
            "responseId": "bench",
        }
        data = json.dumps(chunk, separators=(",", ":"))
        found.append(f"data: {data}\r\n\r\n".encode())
    return found


# raw httpx ------------------------------------------------------------------------


def _request(base: str) -> tuple[str, dict[str, Any]]:
    url = f"{base}/models/{MODEL}:streamGenerateContent?alt=sse"
    return url, {"contents": [{"role": "user", "parts": [{"text": PROMPT}]}]}


def _texts(line: str) -> list[str]:
    if not line.startswith("data: "):
        return []
    data = json.loads(line[6:])
    parts = data["candidates"][0]["content"]["parts"]
    return [part["text"] for part in parts if "text" in part]


def raw_sync(client: httpx.Client, base: str) -> Iterator[str]:
    url, body = _request(base)
    with client.stream("POST", url, json=body) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            yield from _texts(line)


async def raw_async(client: httpx.AsyncClient, base: str) -> AsyncIterator[str]:
    url, body = _request(base)
    async with client.stream("POST", url, json=body) as response:
        response.raise_for_status()
        async for line in response.aiter_lines():
            for text in _texts(line):
                yield text


# ours --------------------------------------------------------------------------


def _ours(get: Any, base: str) -> Any:
    os.environ.setdefault("LLM_USER_PATH", tempfile.mkdtemp(prefix="llm-bench-"))
    os.environ["GEMINI_API_KEY"] = KEY
    model = get(MODEL)
    model.base_url = base
    return model


# Timing -------------------------------------------------------------------------


def _check(count: int, want: int) -> None:
    if count != want:
        raise RuntimeError(f"got {count} chunks, expected {want}")


def measure_sync(url: str, chunks: int, reps: int) -> dict[str, float]:
    import llm_sync

    base = f"{url}/v1beta"
    model = _ours(llm_sync.get_model, base)
    client = httpx.Client(headers={"x-goog-api-key": KEY}, timeout=60)
    runs = {
        "ours": lambda: sum(1 for _ in model.prompt(PROMPT)),
        "raw": lambda: sum(1 for _ in raw_sync(client, base)),
    }
    times: dict[str, list[float]] = {name: [] for name in runs}
    for i in range(reps + 1):  # the first round warms up
        for name in list(runs)[:: 1 if i % 2 else -1]:
            t0 = time.perf_counter()
            _check(runs[name](), chunks)
            if i:
                times[name].append(time.perf_counter() - t0)
    client.close()
    return {name: chunks / median(t) for name, t in times.items()}


async def measure_async(url: str, chunks: int, reps: int) -> dict[str, float]:
    import llm_async

    base = f"{url}/v1beta"
    model = _ours(llm_async.get_async_model, base)
    client = httpx.AsyncClient(headers={"x-goog-api-key": KEY}, timeout=60)

    async def ours() -> int:
        return sum([1 async for _ in model.prompt(PROMPT)])

    async def raw() -> int:
        return sum([1 async for _ in raw_async(client, base)])

    runs = {"ours": ours, "raw": raw}
    times: dict[str, list[float]] = {name: [] for name in runs}
    for i in range(reps + 1):
        for name in list(runs)[:: 1 if i % 2 else -1]:
            t0 = time.perf_counter()
            _check(await runs[name](), chunks)
            if i:
                times[name].append(time.perf_counter() - t0)
    await client.aclose()
    return {name: chunks / median(t) for name, t in times.items()}


def main() -> None:
    stream_server.main(sys.modules[__name__])


if __name__ == "__main__":
    main()
