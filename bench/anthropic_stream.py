"""Anthropic streaming throughput: our Claude model vs raw httpx, same stream.

A loopback server (``stream_server.py``: its own process, one HTTP chunk per
event) answers ``POST /v1/messages`` with a Messages API event stream of
``max_tokens`` text deltas, in the shape the API sends (``message_start``, a
text block with a ``ping``, ``content_block_delta`` events, ``message_delta``
with usage, ``message_stop``).

- **ours**: the registered ``claude-haiku-4.5`` model, sent to the server with
  ``ANTHROPIC_BASE_URL`` (key from ``ANTHROPIC_API_KEY``), iterated.
- **raw httpx**: one pooled client, ``client.stream()`` + ``iter_lines()``,
  ``json.loads`` of each ``data:`` line, yielding ``delta.text`` of every
  ``text_delta`` (what a user writes by hand).

Run alone (``python bench/anthropic_stream.py [--chunks N --reps R --packed]``)
or from ``run.py``, which adds ``FIGURES`` to its table.
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

import stream_server

MODEL = "claude-haiku-4.5"
KEY = "sk-ant-bench"
FIGURES = [  # same shape and target as run.py's (c)
    ("anthropic_sync", "(g) Anthropic stream, sync", "chunk/s", 1.0, "min"),
    ("anthropic_async", "(g) Anthropic stream, async", "chunk/s", 1.0, "min"),
]


# The server ------------------------------------------------------------------------


def _event(kind: str, data: dict[str, Any]) -> bytes:
    return f"event: {kind}\ndata: {json.dumps({'type': kind, **data})}\n\n".encode()


def events(request: dict[str, Any], chunks: int) -> list[bytes]:
    """A Messages event stream of ``max_tokens`` text deltas."""
    n = int(request["max_tokens"])
    message = {
        "id": "msg_bench",
        "type": "message",
        "role": "assistant",
        "model": "claude-haiku-4-5-20251001",
        "content": [],
        "usage": {"input_tokens": 10, "output_tokens": 1},
    }
    block = {"type": "text", "text": ""}
    parts = [
        _event("message_start", {"message": message}),
        _event("content_block_start", {"index": 0, "content_block": block}),
        _event("ping", {}),
    ]
    parts += [
        _event(
            "content_block_delta",
            {"index": 0, "delta": {"type": "text_delta", "text": f"w{i} "}},
        )
        for i in range(n)
    ]
    parts += [
        _event("content_block_stop", {"index": 0}),
        _event(
            "message_delta",
            {"delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": n}},
        ),
        _event("message_stop", {}),
    ]
    return parts


# The two sides ----------------------------------------------------------------------


def _raw_request(n: int) -> dict[str, Any]:
    return {
        "model": "claude-haiku-4-5-20251001",
        "max_tokens": n,
        "messages": [{"role": "user", "content": [{"type": "text", "text": "Count"}]}],
        "stream": True,
    }


def _delta_text(line: str) -> str | None:
    if not line.startswith("data:"):
        return None
    event = json.loads(line[5:])
    if event["type"] == "content_block_delta" and event["delta"]["type"] == (
        "text_delta"
    ):
        return str(event["delta"]["text"])
    if event["type"] == "error":
        raise RuntimeError(event["error"]["message"])
    return None


def raw_stream_sync(client: Any, url: str, n: int) -> Iterator[str]:
    headers = {"x-api-key": KEY, "anthropic-version": "2023-06-01"}
    with client.stream("POST", url, json=_raw_request(n), headers=headers) as r:
        r.raise_for_status()
        for line in r.iter_lines():
            text = _delta_text(line)
            if text is not None:
                yield text


async def raw_stream_async(client: Any, url: str, n: int) -> AsyncIterator[str]:
    headers = {"x-api-key": KEY, "anthropic-version": "2023-06-01"}
    async with client.stream("POST", url, json=_raw_request(n), headers=headers) as r:
        r.raise_for_status()
        async for line in r.aiter_lines():
            text = _delta_text(line)
            if text is not None:
                yield text


def _rate(n: int, seconds: list[float]) -> float:
    return n / median(seconds)


def _setup(base: str) -> None:
    os.environ.setdefault("LLM_USER_PATH", tempfile.mkdtemp(prefix="llm-bench-"))
    os.environ["ANTHROPIC_BASE_URL"] = base
    os.environ["ANTHROPIC_API_KEY"] = KEY


def measure_sync(base: str, n: int, reps: int) -> dict[str, float]:
    import httpx

    import llm_sync

    _setup(base)
    model = llm_sync.get_model(MODEL)
    url = f"{base}/v1/messages"
    times: dict[str, list[float]] = {"ours": [], "raw": []}
    with httpx.Client(timeout=60) as client:
        for rep in range(reps + 1):  # the first round warms up
            for side in ("ours", "raw"):
                start = time.perf_counter()
                if side == "ours":
                    count = sum(1 for _ in model.prompt("Count", max_tokens=n))
                else:
                    count = sum(1 for _ in raw_stream_sync(client, url, n))
                took = time.perf_counter() - start
                assert count == n, (side, count)
                if rep:
                    times[side].append(took)
    return {side: _rate(n, t) for side, t in times.items()}


async def measure_async(base: str, n: int, reps: int) -> dict[str, float]:
    import httpx

    import llm_async

    _setup(base)
    model = llm_async.get_async_model(MODEL)
    url = f"{base}/v1/messages"
    times: dict[str, list[float]] = {"ours": [], "raw": []}
    async with httpx.AsyncClient(timeout=60) as client:
        for rep in range(reps + 1):
            for side in ("ours", "raw"):
                start = time.perf_counter()
                count = 0
                if side == "ours":
                    async for _ in model.prompt("Count", max_tokens=n):
                        count += 1
                else:
                    async for _ in raw_stream_async(client, url, n):
                        count += 1
                took = time.perf_counter() - start
                assert count == n, (side, count)
                if rep:
                    times[side].append(took)
    return {side: _rate(n, t) for side, t in times.items()}


def main() -> None:
    stream_server.main(sys.modules[__name__])


if __name__ == "__main__":
    main()
