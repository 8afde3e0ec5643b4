"""Figure (i): Responses API streaming throughput, ours vs raw httpx.

A self-contained loopback server (a thread, its own from ``fake_server.py``)
streams one ``/v1/responses`` answer as OpenAI does: typed events
(``response.created``, ``response.output_item.added``...), ``n`` text deltas
(``response.output_text.delta``, with the ``obfuscation`` padding OpenAI adds)
and ``response.completed`` with usage, 256 events per write. Ours is a gpt-5
style model on the built-in Responses provider (``llm_sync``/``llm_async``);
raw httpx reads the same stream by hand (``iter_lines``, ``json.loads`` per
``data:`` line, keep the deltas). Both must yield exactly ``n`` chunks.

    python bench/responses_stream.py [--chunks N] [--reps R]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from statistics import median
from typing import Any, ClassVar

import httpx

BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(1, os.path.join(os.path.dirname(BENCH), "src"))

MODEL = "gpt-5-mini"
PROMPT = "Count to a large number."
BATCH = 256  # SSE events per write
FIGURES = [  # key, label, unit, target for ours/raw, "min": ratio >= target
    ("responses_stream_sync", "(i) Responses stream, sync", "chunk/s", 1.0, "min"),
    ("responses_stream_async", "(i) Responses stream, async", "chunk/s", 1.0, "min"),
]


def _event(kind: str, **data: Any) -> bytes:
    payload = json.dumps({"type": kind, **data}, separators=(",", ":"))
    return f"event: {kind}\ndata: {payload}\n\n".encode()


def stream_body(n: int) -> list[bytes]:
    """The answer's SSE body in writes of ``BATCH`` events."""
    response = {"id": "resp_bench", "object": "response", "model": MODEL}
    item = {"id": "msg_bench", "type": "message", "role": "assistant"}
    events = [
        _event("response.created", response={**response, "status": "in_progress"}),
        _event("response.output_item.added", output_index=0, item=item),
    ]
    events += [
        _event(
            "response.output_text.delta",
            content_index=0,
            delta="tok ",
            item_id="msg_bench",
            logprobs=[],
            obfuscation="AbCdEfGhIjKl",
            output_index=0,
            sequence_number=i + 2,
        )
        for i in range(n)
    ]
    text = "tok " * n
    done = {**item, "content": [{"type": "output_text", "text": text}]}
    events.append(_event("response.output_item.done", output_index=0, item=done))
    usage = {"input_tokens": 5, "output_tokens": n, "total_tokens": n + 5}
    final = {**response, "status": "completed", "output": [done], "usage": usage}
    events.append(_event("response.completed", response=final))
    return [b"".join(events[i : i + BATCH]) for i in range(0, len(events), BATCH)]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    bodies: ClassVar[dict[int, list[bytes]]] = {}

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        n = int(body.get("max_output_tokens") or 20)
        writes = self.bodies.get(n) or self.bodies.setdefault(n, stream_body(n))
        self.send_response(200)
        self.send_header("content-type", "text/event-stream; charset=utf-8")
        self.send_header("content-length", str(sum(map(len, writes))))
        self.end_headers()
        for chunk in writes:
            self.wfile.write(chunk)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def start_server() -> tuple[str, Callable[[], None]]:
    """A loopback server in a thread: its base URL and a stop function."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()

    return f"http://127.0.0.1:{server.server_address[1]}/v1", stop


# Ours ---------------------------------------------------------------------------


def our_models(base_url: str) -> tuple[Any, Any]:
    """A gpt-5 style Responses model on ``base_url``, sync and async."""
    os.environ.setdefault("LLM_USER_PATH", tempfile.mkdtemp(prefix="llm-bench-"))
    from llm_async._builtins.openai import chat_models
    from llm_async.providers.openai.models import ModelSpec

    spec = ModelSpec(
        MODEL,
        api="responses",
        base_url=base_url,
        needs_key=None,
        key_env_var=None,
        reasoning=True,
        vision=True,
        verbosity=True,
        supports_tools=True,
        supports_schema=True,
    )
    return chat_models(spec)


def ours_sync(model: Any, n: int) -> Iterator[str]:
    yield from model.prompt(PROMPT, max_output_tokens=n)


async def ours_async(model: Any, n: int) -> AsyncIterator[str]:
    async for chunk in model.prompt(PROMPT, max_output_tokens=n):
        yield chunk


# Raw httpx, by hand ---------------------------------------------------------------


def raw_body(n: int) -> dict[str, Any]:
    return {
        "model": MODEL,
        "input": [{"role": "user", "content": PROMPT}],
        "max_output_tokens": n,
        "stream": True,
        "store": False,
        "include": ["reasoning.encrypted_content"],
    }


def _delta(line: str) -> tuple[str | None, bool]:
    """(text delta or None, whether the response is complete) of one line."""
    event = json.loads(line[6:])
    kind = event["type"]
    if kind == "response.output_text.delta":
        return event["delta"], False
    return None, kind in ("response.completed", "response.incomplete")


def raw_sync(client: httpx.Client, n: int) -> Iterator[str]:
    with client.stream("POST", "/responses", json=raw_body(n)) as r:
        r.raise_for_status()
        for line in r.iter_lines():
            if line.startswith("data: "):
                text, done = _delta(line)
                if text:
                    yield text
                if done:
                    break


async def raw_async(client: httpx.AsyncClient, n: int) -> AsyncIterator[str]:
    async with client.stream("POST", "/responses", json=raw_body(n)) as r:
        r.raise_for_status()
        async for line in r.aiter_lines():
            if line.startswith("data: "):
                text, done = _delta(line)
                if text:
                    yield text
                if done:
                    break


# Measuring --------------------------------------------------------------------------


def _check(count: int, n: int) -> None:
    if count != n:
        raise RuntimeError(f"got {count} chunks, expected {n}")


def measure(chunks: int, reps: int) -> dict[str, dict[str, float]]:
    """Chunks per second, ours and raw, sync and async (median of ``reps``)."""
    url, stop = start_server()
    try:
        sync_model, async_model = our_models(url)
        with httpx.Client(base_url=url, timeout=60) as client:
            sync_fns: dict[str, Callable[[], Iterator[str]]] = {
                "ours": lambda: ours_sync(sync_model, chunks),
                "raw": lambda: raw_sync(client, chunks),
            }
            times: dict[str, list[float]] = {name: [] for name in sync_fns}
            for i in range(reps + 1):  # the first round warms up
                for name in list(sync_fns)[:: 1 if i % 2 else -1]:
                    t0 = time.perf_counter()
                    _check(sum(1 for _ in sync_fns[name]()), chunks)
                    if i:
                        times[name].append(time.perf_counter() - t0)
        sync_model.close()
        async_times = asyncio.run(_measure_async(url, async_model, chunks, reps))
    finally:
        stop()
    return {
        "responses_stream_sync": {k: chunks / median(t) for k, t in times.items()},
        "responses_stream_async": {
            k: chunks / median(t) for k, t in async_times.items()
        },
    }


async def _measure_async(
    url: str, model: Any, chunks: int, reps: int
) -> dict[str, list[float]]:
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        fns: dict[str, Callable[[], AsyncIterator[str]]] = {
            "ours": lambda: ours_async(model, chunks),
            "raw": lambda: raw_async(client, chunks),
        }
        times: dict[str, list[float]] = {name: [] for name in fns}
        for i in range(reps + 1):
            for name in list(fns)[:: 1 if i % 2 else -1]:
                t0 = time.perf_counter()
                _check(sum([1 async for _ in fns[name]()]), chunks)
                if i:
                    times[name].append(time.perf_counter() - t0)
    await model.aclose()
    return times


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--chunks", type=int, default=20_000)
    p.add_argument("--reps", type=int, default=5)
    a = p.parse_args()
    values = measure(a.chunks, a.reps)
    for key, label, unit, target, _ in FIGURES:
        ours, raw = values[key]["ours"], values[key]["raw"]
        print(
            f"{label:32} ours {ours:,.0f} {unit}, raw {raw:,.0f} {unit}, "
            f"ratio {ours / raw:.3f} (target >= {target})"
        )


if __name__ == "__main__":
    main()
