"""Helpers shared by the async tests and their generated sync twins (not rewritten).

* ``SyntheticProvider``: a tiny sans-I/O HTTP provider speaking a made-up JSON/SSE
  dialect, so the transport and ``HTTPModel`` are tested without a real adapter.
* ``synthetic_*`` builders: clearly synthetic HTTP responses and SSE bodies.
* ``ScriptedStream``: a response body for respx that yields chunks, then fails
  or ends, and records whether it was closed (works for both facades).
* ``LoopbackServer``: a real HTTP server on 127.0.0.1 that misbehaves on purpose
  (never answers, stalls, drops); it stops itself after ``lifetime`` seconds.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx

from llm_async import StreamEvent
from llm_async._core.errors import ServerError
from llm_async._core.options import Options

LOGGER = "llm_async"
CANARY_KEY = "sk-CANARY-7f3a9c1e5b2d4f60"
RECORDED = Path(__file__).resolve().parent / "fixtures" / "recorded"
BASE_URL = "https://synthetic.invalid/v1"


# A synthetic provider -----------------------------------------------------------


class SyntheticOptions(Options):
    """Options of the synthetic provider."""

    temperature: float | None = None


class SyntheticParser:
    """SSE events ``data: {"text": ...}`` → text events; ``[DONE]`` is ignored."""

    def __init__(self, sink: Any) -> None:
        self.sink = sink

    def feed(self, event: Any) -> list[StreamEvent]:
        if event.data == "[DONE]":
            return []
        data = json.loads(event.data)
        if "error" in data:
            raise ServerError(data["error"]["message"])
        if "usage" in data:
            self.sink.set_usage(input=data["usage"]["in"], output=data["usage"]["out"])
            return []
        return [StreamEvent("text", data["text"])]

    def finish(self) -> list[StreamEvent]:
        return []


class SyntheticProvider:
    """Builds ``POST {base_url}/generate`` requests; OpenAI-shaped error bodies."""

    Options = SyntheticOptions

    def __init__(self, base_url: str = BASE_URL) -> None:
        self.base_url = base_url
        self.prompts: list[Any] = []

    def build_request(
        self, prompt: Any, *, stream: bool, key: str | None
    ) -> httpx.Request:
        self.prompts.append(prompt)
        headers = {"authorization": f"Bearer {key}"} if key else {}
        body = {"prompt": prompt.prompt, "stream": stream, **dict(prompt.options)}
        return httpx.Request(
            "POST", f"{self.base_url}/generate", json=body, headers=headers
        )

    def parse_response(self, data: Any, sink: Any) -> list[StreamEvent]:
        sink.response_json = data
        if "usage" in data:
            sink.set_usage(input=data["usage"]["in"], output=data["usage"]["out"])
        return [StreamEvent("text", data["text"])]

    def stream_parser(self, sink: Any) -> SyntheticParser:
        return SyntheticParser(sink)

    def error_message(self, status_code: int, body: Any) -> tuple[str, str | None]:
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            code = error.get("code")
            return error["message"], None if code is None else str(code)
        return f"HTTP {status_code}", None


# Synthetic responses -------------------------------------------------------------


def synthetic_sse(texts: Sequence[str], *, done: bool = True) -> bytes:
    """An SSE body with one ``{"text": ...}`` event per item."""
    body = "".join(f"data: {json.dumps({'text': t})}\n\n" for t in texts)
    return (body + ("data: [DONE]\n\n" if done else "")).encode()


def synthetic_json(text: str) -> httpx.Response:
    """A synthetic successful non-streamed response."""
    return httpx.Response(200, json={"text": text, "usage": {"in": 3, "out": 1}})


def synthetic_stream(texts: Sequence[str]) -> httpx.Response:
    """A synthetic successful streamed response."""
    return httpx.Response(
        200, headers={"content-type": "text/event-stream"}, content=synthetic_sse(texts)
    )


def synthetic_error(
    status: int,
    message: str = "synthetic failure",
    *,
    code: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """A synthetic OpenAI-shaped error response."""
    body = {"error": {"message": message, "type": "synthetic", "code": code}}
    return httpx.Response(status, json=body, headers=headers or {})


def load_recorded(relative: str) -> dict[str, Any]:
    """A recorded fixture (``llm-http-fixture/v1``) by path under ``recorded/``."""
    data: dict[str, Any] = json.loads((RECORDED / relative).read_text("utf-8"))
    return data


def recorded_error_fixtures() -> list[str]:
    """Recorded OpenAI and OpenAI-compatible fixtures whose first answer is an error."""
    if not RECORDED.is_dir():
        raise FileNotFoundError(f"recorded fixtures not found at {RECORDED}")
    found = []
    for folder in ("openai", "openai_compatible"):
        for path in sorted((RECORDED / folder).glob("*error*.json")):
            data = json.loads(path.read_text("utf-8"))
            if data["interactions"][0]["response"]["status"] >= 400:
                found.append(f"{folder}/{path.name}")
    return found


def recorded_responses(fixture: dict[str, Any]) -> list[httpx.Response]:
    """The fixture's responses, in order, as ``httpx.Response`` objects."""
    return [
        httpx.Response(
            it["response"]["status"],
            headers=it["response"]["headers"],
            content=(it["response"]["body"] or "").encode("utf-8"),
        )
        for it in fixture["interactions"]
    ]


class ScriptedStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body: ``chunks``, then ``error`` (if any) is raised.

    ``closed`` records that the client closed the body (early ``break``).
    """

    def __init__(self, chunks: Sequence[bytes], error: Exception | None = None) -> None:
        self.chunks = list(chunks)
        self.error = error
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks
        if self.error is not None:
            raise self.error

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk
        if self.error is not None:
            raise self.error

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


def sse_chunks(texts: Sequence[str]) -> list[bytes]:
    """One SSE event per chunk."""
    return [f"data: {json.dumps({'text': t})}\n\n".encode() for t in texts]


# A misbehaving loopback server ------------------------------------------------------


Handler = Callable[[socket.socket, "LoopbackServer"], None]

SSE_HEADERS = (
    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
    b"transfer-encoding: chunked\r\n\r\n"
)


def http_chunk(data: bytes) -> bytes:
    """``data`` framed as one HTTP/1.1 chunk."""
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


class LoopbackServer:
    """A real HTTP server on 127.0.0.1 whose ``handler`` answers each connection.

    Use it as a context manager. Handlers should wait with ``server.wait(s)``,
    which returns early once the server stops; the server stops on exit or by
    itself after ``lifetime`` seconds, closing every socket it opened.
    """

    def __init__(self, handler: Handler, *, lifetime: float = 20.0) -> None:
        self.handler = handler
        self.lifetime = lifetime
        self.stopped = threading.Event()
        self.connections = 0
        self.requests: list[bytes] = []
        self.disconnected = threading.Event()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self._listener.settimeout(0.05)
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> LoopbackServer:
        self._started = time.monotonic()
        thread = threading.Thread(target=self._serve, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; ``True`` if the server was stopped meanwhile."""
        return self.stopped.wait(seconds)

    def stop(self) -> None:
        """Stop serving and close every socket (idempotent)."""
        self.stopped.set()
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
        for thread in self._threads:
            thread.join(timeout=5)
        with self._lock:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()
        self._listener.close()

    def _serve(self) -> None:
        workers = []
        while not self.stopped.is_set():
            if time.monotonic() - self._started > self.lifetime:
                self.stopped.set()
                break
            try:
                conn, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            with self._lock:
                self._sockets.append(conn)
                self.connections += 1
            worker = threading.Thread(target=self._handle, args=(conn,), daemon=True)
            worker.start()
            workers.append(worker)
        for worker in workers:
            worker.join(timeout=5)

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(1.0)
        try:
            request = read_request(conn)
            if request is None:
                return
            with self._lock:
                self.requests.append(request)
            self.handler(conn, self)
        except OSError:
            self.disconnected.set()


def read_request(conn: socket.socket) -> bytes | None:
    """Read one HTTP request (headers and a content-length body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        try:
            piece = conn.recv(65536)
        except (TimeoutError, OSError):
            return None
        if not piece:
            return None
        data += piece
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        piece = conn.recv(65536)
        if not piece:
            break
        body += piece
    return head + b"\r\n\r\n" + body


def never_answer(conn: socket.socket, server: LoopbackServer) -> None:
    """Read the request, then say nothing until the server stops."""
    server.wait(server.lifetime)


def stall_after(count: int) -> Handler:
    """Send headers and ``count`` SSE chunks, then go silent."""

    def handler(conn: socket.socket, server: LoopbackServer) -> None:
        conn.sendall(SSE_HEADERS)
        for piece in sse_chunks([f"chunk{i} " for i in range(count)]):
            conn.sendall(http_chunk(piece))
        server.wait(server.lifetime)

    return handler


def drip(interval: float = 0.05) -> Handler:
    """Send one SSE chunk every ``interval`` seconds until the client leaves."""

    def handler(conn: socket.socket, server: LoopbackServer) -> None:
        conn.sendall(SSE_HEADERS)
        index = 0
        while not server.wait(interval):
            try:
                conn.sendall(http_chunk(sse_chunks([f"drop{index} "])[0]))
            except OSError:
                server.disconnected.set()
                return
            index += 1

    return handler


def respond(status: int, body: bytes, headers: dict[str, str] | None = None) -> Handler:
    """Answer every request with one complete response (keep-alive)."""

    def handler(conn: socket.socket, server: LoopbackServer) -> None:
        while True:
            extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
            head = f"HTTP/1.1 {status} X\r\ncontent-length: {len(body)}\r\n{extra}\r\n"
            conn.sendall(head.encode() + body)
            request = read_request(conn)
            if request is None:
                return
            server.requests.append(request)

    return handler
