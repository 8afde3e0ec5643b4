"""Loopback fake OpenAI Chat Completions server for the benchmark (raw asyncio).

``POST /v1/chat/completions`` answers like OpenAI: a ``chat.completion`` JSON
with usage, or, with ``"stream": true``, SSE ``chat.completion.chunk`` events
(role chunk, content chunks, finish chunk, usage chunk if
``stream_options.include_usage``, ``data: [DONE]``). The request's
``max_tokens`` is the number of content chunks (default 20), each ``"tok "``.

Like OpenAI's, Anthropic's, Gemini's, llama.cpp's and vLLM's servers, it sends
each SSE event as its own HTTP/1.1 chunk (chunked transfer-encoding), so a
client reads one event per chunk. ``--packed`` (or ``packed=True``) instead
packs ``BATCH`` events into one chunk, which spreads a client's per-chunk cost
over many events. Either way the responses are pre-rendered once and written
``BATCH`` events per write, so that the server is not the bottleneck.
HTTP/1.1 keep-alive; JSON answers use content-length. Binds 127.0.0.1 only.

    python bench/fake_server.py --port 0 [--packed]   # prints the port

As a subprocess it exits when its stdin closes (unless stdin is a terminal),
and always after ``--timeout`` seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import queue
import sys
import threading
from asyncio import StreamReader, StreamWriter
from collections.abc import Callable
from functools import lru_cache
from typing import Any

HOST = "127.0.0.1"
BATCH = 256  # SSE events per write (and per chunk when packed)
DEFAULT_CHUNKS = 20
MAX_CHUNKS = 1_000_000
MAX_BODY = 1 << 20
IDLE_TIMEOUT = 120.0  # seconds an idle keep-alive connection is kept
CREATED = 1_700_000_000
PATH = "/v1/chat/completions"
INCOMPLETE = (asyncio.IncompleteReadError, asyncio.LimitOverrunError)


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def _frame(data: bytes) -> bytes:
    """One chunk of chunked transfer-encoding."""
    return b"%x\r\n%s\r\n" % (len(data), data)


def _usage(n: int) -> dict[str, Any]:
    return {
        "prompt_tokens": 8,
        "completion_tokens": n,
        "total_tokens": 8 + n,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def _envelope(model: str, obj: str) -> dict[str, Any]:
    head = {"id": "chatcmpl-bench", "object": obj, "created": CREATED, "model": model}
    return head | {"service_tier": "default", "system_fingerprint": "fp_bench"}


@lru_cache(maxsize=64)
def _stream_parts(
    model: str, usage: bool, packed: bool
) -> tuple[bytes, bytes, bytes, bytes]:
    """Pre-rendered (role event, content event, finish event, BATCH content events).

    The last is what one write sends: ``BATCH`` events framed as one chunk
    (packed) or each as its own chunk.
    """

    def event(delta: dict[str, Any], finish: str | None) -> bytes:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        obj = _envelope(model, "chat.completion.chunk")
        obj["choices"] = [choice]
        if usage:
            obj["usage"] = None
        return b"data: " + _dumps(obj) + b"\n\n"

    content = event({"content": "tok "}, None)
    first = event({"role": "assistant", "content": "", "refusal": None}, None)
    batch = _frame(content * BATCH) if packed else _frame(content) * BATCH
    return first, content, event({}, "stop"), batch


@lru_cache(maxsize=256)
def _completion(model: str, n: int) -> bytes:
    obj = _envelope(model, "chat.completion")
    message: dict[str, Any] = {"role": "assistant", "content": "tok " * n}
    message.update(refusal=None, annotations=[])
    choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": "stop"}
    obj.update(choices=[choice], usage=_usage(n))
    return json.dumps(obj, indent=2).encode()  # pretty-printed, as OpenAI does


def _head(status: str, ctype: str, keep: bool, length: int | None = None) -> bytes:
    framing = (
        "transfer-encoding: chunked" if length is None else f"content-length: {length}"
    )
    conn = "keep-alive" if keep else "close"
    return (
        f"HTTP/1.1 {status}\r\ncontent-type: {ctype}\r\n{framing}\r\n"
        f"connection: {conn}\r\n\r\n"
    ).encode()


def _json(writer: StreamWriter, status: str, body: bytes, keep: bool) -> None:
    writer.write(_head(status, "application/json", keep, len(body)) + body)


def _error(writer: StreamWriter, status: str, message: str, keep: bool) -> None:
    err = {"message": message, "type": "invalid_request_error", "param": None}
    _json(writer, status, _dumps({"error": {**err, "code": None}}), keep)


async def _respond(
    writer: StreamWriter, path: str, body: bytes, keep: bool, packed: bool
) -> None:
    if path.partition("?")[0] != PATH:
        return _error(writer, "404 Not Found", f"no route {path}", keep)
    try:
        req = json.loads(body)
        n = req.get("max_tokens")
        n = min(max(DEFAULT_CHUNKS if n is None else int(n), 0), MAX_CHUNKS)
        model = str(req.get("model", "gpt-4o-mini"))
    except (ValueError, TypeError, AttributeError):
        return _error(writer, "400 Bad Request", "invalid JSON body", keep)
    if not req.get("stream"):
        return _json(writer, "200 OK", _completion(model, n), keep)
    usage = bool((req.get("stream_options") or {}).get("include_usage"))
    first, content, finish, batch = _stream_parts(model, usage, packed)
    writer.write(
        _head("200 OK", "text/event-stream; charset=utf-8", keep) + _frame(first)
    )
    full, rest = divmod(n, BATCH)
    for _ in range(full):
        writer.write(batch)
        await writer.drain()
    tail = [content] * rest + [finish]
    if usage:
        obj = _envelope(model, "chat.completion.chunk")
        obj.update(choices=[], usage=_usage(n))
        tail.append(b"data: " + _dumps(obj) + b"\n\n")
    tail.append(b"data: [DONE]\n\n")
    frames = _frame(b"".join(tail)) if packed else b"".join(map(_frame, tail))
    writer.write(frames + b"0\r\n\r\n")


async def _connection(reader: StreamReader, writer: StreamWriter, packed: bool) -> None:
    """Serve requests on one connection until it closes, idles out or errs."""
    try:
        while True:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), IDLE_TIMEOUT)
            request_line, *lines = head.decode("latin-1").split("\r\n")
            method, path, _ = request_line.split(" ", 2)
            fields = (line.partition(":") for line in lines if line)
            headers = {k.strip().lower(): v.strip().lower() for k, _, v in fields}
            length = int(headers.get("content-length", "0"))
            keep = headers.get("connection") != "close"
            if length > MAX_BODY or "transfer-encoding" in headers or method != "POST":
                _error(writer, "400 Bad Request", "unsupported request", False)
                keep = False
            else:
                body = await reader.readexactly(length)
                await _respond(writer, path, body, keep, packed)
            await writer.drain()
            if not keep:
                break
    except (OSError, ValueError, asyncio.TimeoutError, *INCOMPLETE):
        pass  # the client went away, idled out, or sent garbage
    finally:
        writer.close()


async def serve(
    port: int,
    on_ready: Callable[[int], None],
    stop: asyncio.Event,
    timeout: float,
    packed: bool = False,
) -> None:
    """Serve until ``stop`` is set or ``timeout`` seconds pass."""
    writers: set[StreamWriter] = set()

    async def handle(reader: StreamReader, writer: StreamWriter) -> None:
        writers.add(writer)
        try:
            await _connection(reader, writer, packed)
        finally:
            writers.discard(writer)

    server = await asyncio.start_server(handle, HOST, port, backlog=2048)
    on_ready(server.sockets[0].getsockname()[1])
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout)
    server.close()
    for writer in list(writers):
        writer.transport.abort()  # handlers then return on their own
    for _ in range(100):
        if not writers:
            break
        await asyncio.sleep(0.01)


def start_in_thread(
    port: int = 0, timeout: float = 3600.0, packed: bool = False
) -> tuple[str, int, Callable[[], None]]:
    """Start the server on a background thread; returns (host, port, stop_fn)."""
    ready: queue.Queue[tuple[asyncio.AbstractEventLoop, asyncio.Event, int]] = (
        queue.Queue()
    )

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        await serve(port, lambda p: ready.put((loop, stop, p)), stop, timeout, packed)

    thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
    thread.start()
    loop, stop, bound = ready.get(timeout=10)

    def stop_fn() -> None:
        with contextlib.suppress(RuntimeError):  # loop closed: timed out already
            loop.call_soon_threadsafe(stop.set)
        thread.join(10)

    return HOST, bound, stop_fn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--timeout", type=float, default=3600.0, help="max lifetime (s)"
    )
    parser.add_argument(
        "--packed", action="store_true", help=f"{BATCH} SSE events per HTTP chunk"
    )
    args = parser.parse_args()

    async def run() -> None:
        loop, stop = asyncio.get_running_loop(), asyncio.Event()

        def on_stdin() -> None:
            if not os.read(fd, 65536):  # EOF: our parent went away
                stop.set()

        fd = sys.stdin.fileno()
        if not sys.stdin.isatty():  # on a terminal: Ctrl-C or --timeout instead
            with contextlib.suppress(OSError, ValueError):  # e.g. stdin is /dev/null
                loop.add_reader(fd, on_stdin)
        ready = lambda p: print(p, flush=True)  # noqa: E731
        await serve(args.port, ready, stop, args.timeout, args.packed)

    asyncio.run(run())


if __name__ == "__main__":
    main()
