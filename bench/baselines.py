"""Raw-httpx reference: what a competent user writes by hand, one pooled client.

Implements the benchmark interface (see ``ours.py``), plus ``raw_socket_stream``,
a plain-socket client used once to show the fake server outruns raw httpx.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx

MODEL = "gpt-4o-mini"
PROMPT = "Count to a large number."
IMPORT_SYNC = IMPORT_ASYNC = "httpx"
# The library's default pool limits (those of the openai SDK): equal work for
# figure (d), where 200 streams open 200 connections and 100 stay alive.
LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100)
OPTIONS: dict[str, Any] = {
    "limits": LIMITS,
    "timeout": httpx.Timeout(60.0),
    "headers": {"authorization": "Bearer sk-bench"},
}


def request_body(n: int, stream: bool) -> dict[str, Any]:
    """The request: ``max_tokens`` tells the fake server how many chunks to send."""
    body: dict[str, Any] = {
        "model": MODEL,
        "messages": [{"role": "user", "content": PROMPT}],
        "max_tokens": n,
    }
    if stream:
        body.update(stream=True, stream_options={"include_usage": True})
    return body


def _text(data: str) -> str | None:
    choices = json.loads(data)["choices"]
    return choices[0]["delta"].get("content") if choices else None


def open_sync(base_url: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, **OPTIONS)


def close_sync(client: httpx.Client) -> None:
    client.close()


def nonstream_sync(client: httpx.Client, n: int) -> str:
    response = client.post("/chat/completions", json=request_body(n, False))
    response.raise_for_status()
    return str(response.json()["choices"][0]["message"]["content"])


def stream_sync(client: httpx.Client, n: int) -> Iterator[str]:
    with client.stream("POST", "/chat/completions", json=request_body(n, True)) as r:
        r.raise_for_status()
        for line in r.iter_lines():
            if line.startswith("data: "):
                if line == "data: [DONE]":
                    break
                if text := _text(line[6:]):
                    yield text


async def open_async(base_url: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base_url, **OPTIONS)


async def close_async(client: httpx.AsyncClient) -> None:
    await client.aclose()


async def nonstream_async(client: httpx.AsyncClient, n: int) -> str:
    response = await client.post("/chat/completions", json=request_body(n, False))
    response.raise_for_status()
    return str(response.json()["choices"][0]["message"]["content"])


async def stream_async(client: httpx.AsyncClient, n: int) -> AsyncIterator[str]:
    body = request_body(n, True)
    async with client.stream("POST", "/chat/completions", json=body) as r:
        r.raise_for_status()
        async for line in r.aiter_lines():
            if line.startswith("data: "):
                if line == "data: [DONE]":
                    break
                if text := _text(line[6:]):
                    yield text


async def concurrent_async(client: httpx.AsyncClient, streams: int, n: int) -> int:
    async def one() -> int:
        return sum([1 async for _ in stream_async(client, n)])

    return sum(await asyncio.gather(*(one() for _ in range(streams))))


def raw_socket_stream(base_url: str, n: int, parse: bool = True) -> Iterator[Any]:
    """Plain socket + hand-written HTTP/1.1, chunked decoding and SSE framing.

    Just enough for the fake server; one connection per call. With ``parse``,
    yields text chunks via json.loads like the httpx baseline; without, yields
    the raw ``data:`` payload of each content chunk (transport speed only).
    """
    url = urlsplit(base_url)
    body = json.dumps(request_body(n, True)).encode()
    head = (
        f"POST {url.path}/chat/completions HTTP/1.1\r\nhost: {url.netloc}\r\n"
        f"content-type: application/json\r\ncontent-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    address = (url.hostname or "127.0.0.1", url.port or 80)
    with socket.create_connection(address, 60) as sock, sock.makefile("rb") as f:
        sock.sendall(head.encode() + body)
        if b" 200 " not in f.readline():
            raise RuntimeError("unexpected status")
        while f.readline() not in (b"\r\n", b""):
            pass  # skip headers; the server always sends chunked SSE here
        pending = b""
        while size := int(f.readline(), 16):
            pending += f.read(size)
            f.readline()
            *events, pending = pending.split(b"\n\n")
            for event in events:
                if event == b"data: [DONE]":
                    return
                if not event.startswith(b"data: "):
                    continue
                if not parse:
                    if b'"delta":{"content"' in event:
                        yield event[6:]
                elif text := _text(event[6:].decode()):
                    yield text
