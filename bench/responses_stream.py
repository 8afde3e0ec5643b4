"""Figure (i): Responses API streaming throughput, ours vs raw httpx.

A loopback server (``stream_server.py``: its own process, one HTTP chunk per
event) streams one ``/v1/responses`` answer as OpenAI does: typed events
(``response.created``, ``response.output_item.added``...), ``n`` text deltas
(``response.output_text.delta``, with the ``obfuscation`` padding OpenAI adds)
and ``response.completed`` with usage. Ours is a gpt-5
style model on the built-in Responses provider (``llm_sync``/``llm_async``);
raw httpx reads the same stream by hand (``iter_lines``, ``json.loads`` per
``data:`` line, keep the deltas). Both must yield exactly ``n`` chunks.

    python bench/responses_stream.py [--chunks N] [--reps R] [--packed]
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator
from statistics import median
from typing import Any

import httpx
import stream_server

BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(1, os.path.join(os.path.dirname(BENCH), "src"))

MODEL = "gpt-5-mini"
PROMPT = "Count to a large number."
FIGURES = [  # key, label, unit, target for ours/raw, "min": ratio >= target
    ("responses_stream_sync", "(i) Responses stream, sync", "chunk/s", 1.0, "min"),
    ("responses_stream_async", "(i) Responses stream, async", "chunk/s", 1.0, "min"),
]


def _event(kind: str, **data: Any) -> bytes:
    payload = json.dumps({"type": kind, **data}, separators=(",", ":"))
    return f"event: {kind}\ndata: {payload}\n\n".encode()


def events(request: dict[str, Any], chunks: int) -> list[bytes]:
    """The answer's SSE events: ``max_output_tokens`` text deltas."""
    n = int(request.get("max_output_tokens") or 20)
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
    return events


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


def measure_sync(url: str, chunks: int, reps: int) -> dict[str, float]:
    """Chunks per second, ours and raw (median of ``reps``, after a warm-up)."""
    model = our_models(f"{url}/v1")[0]
    with httpx.Client(base_url=f"{url}/v1", timeout=60) as client:
        fns: dict[str, Callable[[], Iterator[str]]] = {
            "ours": lambda: ours_sync(model, chunks),
            "raw": lambda: raw_sync(client, chunks),
        }
        times: dict[str, list[float]] = {name: [] for name in fns}
        for i in range(reps + 1):  # the first round warms up
            for name in list(fns)[:: 1 if i % 2 else -1]:
                t0 = time.perf_counter()
                _check(sum(1 for _ in fns[name]()), chunks)
                if i:
                    times[name].append(time.perf_counter() - t0)
    model.close()
    return {k: chunks / median(t) for k, t in times.items()}


async def measure_async(url: str, chunks: int, reps: int) -> dict[str, float]:
    """``measure_sync``'s figure for the async facade."""
    model = our_models(f"{url}/v1")[1]
    async with httpx.AsyncClient(base_url=f"{url}/v1", timeout=60) as client:
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
    return {k: chunks / median(t) for k, t in times.items()}


def main() -> None:
    stream_server.main(sys.modules[__name__])


if __name__ == "__main__":
    main()
