"""Loopback fake OpenAI Chat Completions server for the benchmark (raw asyncio).

``POST /v1/chat/completions`` answers like OpenAI: a ``chat.completion`` JSON
with usage, or, with ``"stream": true``, SSE ``chat.completion.chunk`` events
(role chunk, content chunks, finish chunk, usage chunk if
``stream_options.include_usage``, ``data: [DONE]``). The request's
``max_tokens`` is the number of content chunks (default 20), each ``"tok "``.

Responses are pre-rendered once and written in batches of ``BATCH`` events so
that the server is not the bottleneck. HTTP/1.1 keep-alive; streams use chunked
transfer-encoding, JSON uses content-length. Binds 127.0.0.1 only.

    python bench/fake_server.py --port 0   # prints the port

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
BATCH = 256  # SSE events per write
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
def _stream_parts(model: str, usage: bool) -> tuple[bytes, bytes, bytes, bytes]:
    """Pre-rendered (role event, content event, finish event, frame of BATCH)."""

    def event(delta: dict[str, Any], finish: str | None) -> bytes:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        obj = _envelope(model, "chat.completion.chunk")
        obj["choices"] = [choice]
        if usage:
            obj["usage"] = None
        return b"data: " + _dumps(obj) + b"\n\n"

    content = event({"content": "tok "}, None)
    first = event({"role": "assistant", "content": "", "refusal": None}, None)
    return first, content, event({}, "stop"), _frame(content * BATCH)


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


async def _respond(writer: StreamWriter, path: str, body: bytes, keep: bool) -> None:
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
    first, content, finish, batch = _stream_parts(model, usage)
    writer.write(
        _head("200 OK", "text/event-stream; charset=utf-8", keep) + _frame(first)
    )
    full, rest = divmod(n, BATCH)
    for _ in range(full):
        writer.write(batch)
        await writer.drain()
    tail = content * rest + finish
    if usage:
        obj = _envelope(model, "chat.completion.chunk")
        obj.update(choices=[], usage=_usage(n))
        tail += b"data: " + _dumps(obj) + b"\n\n"
    writer.write(_frame(tail + b"data: [DONE]\n\n") + b"0\r\n\r\n")


async def _connection(reader: StreamReader, writer: StreamWriter) -> None:
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
                await _respond(writer, path, await reader.readexactly(length), keep)
            await writer.drain()
            if not keep:
                break
    except (OSError, ValueError, asyncio.TimeoutError, *INCOMPLETE):
        pass  # the client went away, idled out, or sent garbage
    finally:
        writer.close()


async def serve(
    port: int, on_ready: Callable[[int], None], stop: asyncio.Event, timeout: float
) -> None:
    """Serve until ``stop`` is set or ``timeout`` seconds pass."""
    writers: set[StreamWriter] = set()

    async def handle(reader: StreamReader, writer: StreamWriter) -> None:
        writers.add(writer)
        try:
            await _connection(reader, writer)
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
    port: int = 0, timeout: float = 3600.0
) -> tuple[str, int, Callable[[], None]]:
    """Start the server on a background thread; returns (host, port, stop_fn)."""
    ready: queue.Queue[tuple[asyncio.AbstractEventLoop, asyncio.Event, int]] = (
        queue.Queue()
    )

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        await serve(port, lambda p: ready.put((loop, stop, p)), stop, timeout)

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
        await serve(args.port, lambda p: print(p, flush=True), stop, args.timeout)

    asyncio.run(run())


if __name__ == "__main__":
    main()
