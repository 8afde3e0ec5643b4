"""Anthropic streaming throughput: our Claude model vs raw httpx, same stream.

A loopback server (its own process) answers ``POST /v1/messages`` with a
Messages API event stream of ``max_tokens`` text deltas, in the shape the API
sends (``message_start``, a text block with a ``ping``, ``content_block_delta``
events, ``message_delta`` with usage, ``message_stop``).

- **ours**: the registered ``claude-haiku-4.5`` model, sent to the server with
  ``ANTHROPIC_BASE_URL`` (key from ``ANTHROPIC_API_KEY``), iterated.
- **raw httpx**: one pooled client, ``client.stream()`` + ``iter_lines()``,
  ``json.loads`` of each ``data:`` line, yielding ``delta.text`` of every
  ``text_delta`` (what a user writes by hand).

Run alone (``python bench/anthropic_stream.py [--chunks N --reps R]``) or from
``run.py``, which adds ``FIGURES`` to its table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from statistics import median
from typing import Any, ClassVar

BENCH = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(os.path.dirname(BENCH), "src")
MODEL = "claude-haiku-4.5"
KEY = "sk-ant-bench"
FIGURES = [  # same shape and target as run.py's (c)
    ("anthropic_sync", "(g) Anthropic stream, sync", "chunk/s", 1.0, "min"),
    ("anthropic_async", "(g) Anthropic stream, async", "chunk/s", 1.0, "min"),
]


# The server ------------------------------------------------------------------------


def _event(kind: str, data: dict[str, Any]) -> bytes:
    return f"event: {kind}\ndata: {json.dumps({'type': kind, **data})}\n\n".encode()


def stream_body(n: int) -> bytes:
    """A Messages event stream of ``n`` text deltas."""
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
    return b"".join(parts)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    bodies: ClassVar[dict[int, bytes]] = {}

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", 0))
        n = int(json.loads(self.rfile.read(length))["max_tokens"])
        body = self.bodies.get(n) or self.bodies.setdefault(n, stream_body(n))
        self.send_response(200)
        self.send_header("content-type", "text/event-stream; charset=utf-8")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def serve() -> None:
    """Serve on a free loopback port; print the URL, run until stdin closes."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    import threading

    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()
    server.shutdown()


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


def measure_sync(base: str, n: int, reps: int) -> dict[str, float]:
    import httpx

    import llm_sync

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


def measure(chunks: int, reps: int) -> dict[str, dict[str, float]]:
    """Both figures, against a server process of this module."""
    if SRC not in sys.path:
        sys.path.insert(1, SRC)
    print(f"(g) Anthropic streams: {reps} x {chunks} chunks, sync and async")
    server = subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), "--serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    saved = {k: os.environ.get(k) for k in ("ANTHROPIC_BASE_URL", "ANTHROPIC_API_KEY")}
    try:
        assert server.stdout is not None
        base = server.stdout.readline().strip()
        os.environ["ANTHROPIC_BASE_URL"] = base
        os.environ["ANTHROPIC_API_KEY"] = KEY
        return {
            "anthropic_sync": measure_sync(base, chunks, reps),
            "anthropic_async": asyncio.run(measure_async(base, chunks, reps)),
        }
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=10)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--chunks", type=int, default=20_000)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.serve:
        return serve()
    values = measure(a.chunks, a.reps)
    for key, label, unit, target, _kind in FIGURES:
        ours, raw = values[key]["ours"], values[key]["raw"]
        print(
            f"{label}: ours {ours:,.0f} {unit}, raw httpx {raw:,.0f} {unit}, ", end=""
        )
        print(f"ratio {ours / raw:.3f} (target >= {target})")


if __name__ == "__main__":
    main()
