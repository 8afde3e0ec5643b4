"""The transport's connection pool (``llm_async._http.pool``) on a loopback server.

httpcore's own assignment gives one idle connection to several queued requests,
which then wait for each other: ``GET /?wait=N`` answers only once N requests are
in the server at the same time, so those tests hang (and time out) unless every
concurrent request gets a connection of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpcore
import httpx
import pytest

from llm_async._http.pool import speed_up_pool
from llm_async._io.transport import AsyncTransport


class Server:
    """HTTP/1.1 keep-alive on 127.0.0.1, in a thread; counts accepted connections."""

    def __init__(self) -> None:
        self.accepted = 0
        self.waiting = 0
        self.writers: list[asyncio.StreamWriter] = []
        self.loop = asyncio.new_event_loop()
        started = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(started,), daemon=True)
        self.thread.start()
        started.wait()

    def _run(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        self.arrived = asyncio.Condition()
        server = self.loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", 0)
        )
        self.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/"
        started.set()
        self.loop.run_forever()
        server.close()
        tasks = asyncio.all_tasks(self.loop)
        for task in tasks:
            task.cancel()
        self.loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
        for writer in self.writers:
            writer.close()
        self.loop.run_until_complete(asyncio.sleep(0))
        self.loop.close()

    async def _handle(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.accepted += 1
        self.writers.append(writer)
        with contextlib.suppress(asyncio.CancelledError, ConnectionError):
            await self._serve(reader, writer)

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        while line := await reader.readline():
            while await reader.readline() not in (b"\r\n", b""):
                pass
            query = dict(
                part.split("=")
                for part in line.split()[1].decode().partition("?")[2].split("&")
                if part
            )
            if wait := int(query.get("wait", 0)):
                async with self.arrived:
                    self.waiting += 1
                    self.arrived.notify_all()
                    await self.arrived.wait_for(lambda: self.waiting >= wait)
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
            await writer.drain()
            if "close" in query:
                await asyncio.sleep(0.05)
                break
        writer.close()

    def reset(self) -> None:
        self.waiting = 0

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.stop()


def limits(keepalive: int = 20) -> httpx.Limits:
    return httpx.Limits(max_connections=1000, max_keepalive_connections=keepalive)


def async_client(**kwargs: Any) -> httpx.AsyncClient:
    transport = httpx.AsyncHTTPTransport(**kwargs)
    speed_up_pool(transport)
    assert type(transport._pool).__name__ == "_AsyncConnectionPool"
    return httpx.AsyncClient(transport=transport, timeout=10)


def sync_client(**kwargs: Any) -> httpx.Client:
    transport = httpx.HTTPTransport(**kwargs)
    speed_up_pool(transport)
    assert type(transport._pool).__name__ == "_ConnectionPool"
    return httpx.Client(transport=transport, timeout=10)


async def test_concurrent_requests_each_get_a_connection(server: Server) -> None:
    async with async_client(limits=limits(keepalive=10)) as client:

        async def burst(n: int) -> None:
            server.reset()
            url = f"{server.url}?wait={n}"
            responses = await asyncio.gather(*(client.get(url) for _ in range(n)))
            assert [r.text for r in responses] == ["ok"] * n

        await burst(10)
        assert server.accepted == 10
        pool = client._transport._pool  # type: ignore[attr-defined]
        calls = []
        assign = pool._assign_requests_to_connections
        pool._assign_requests_to_connections = lambda: calls.append(1) or assign()
        await asyncio.wait_for(burst(50), 10)  # 10 kept alive and 40 new
        assert server.accepted == 50
        # Once when each request arrives and once when it ends: no request was
        # given a connection that another one took first (httpcore 1.0.9: 196).
        assert len(calls) == 100
        assert len(pool.connections) == 10  # the keep-alive limit
        await asyncio.wait_for(burst(10), 10)
        assert server.accepted == 50  # reused


def test_concurrent_requests_each_get_a_connection_sync(server: Server) -> None:
    with (
        sync_client(limits=limits(keepalive=5)) as client,
        ThreadPoolExecutor(20) as ex,
    ):

        def burst(n: int) -> None:
            server.reset()
            url = f"{server.url}?wait={n}"
            futures = [ex.submit(client.get, url) for _ in range(n)]
            assert [f.result(timeout=10).text for f in futures] == ["ok"] * n

        burst(5)
        burst(20)
        assert server.accepted == 20
        assert len(client._transport._pool.connections) == 5  # type: ignore[attr-defined]


async def test_a_connection_the_server_closed_is_not_reused(server: Server) -> None:
    async with async_client(limits=limits()) as client:
        assert (await client.get(f"{server.url}?close=1")).text == "ok"
        await asyncio.sleep(0.3)  # the server has closed it
        assert (await client.get(server.url)).text == "ok"
        assert server.accepted == 2


async def test_the_pool_caps_connections_and_replaces_idle_ones(server: Server) -> None:
    transport = httpx.AsyncHTTPTransport(
        limits=httpx.Limits(max_connections=3, max_keepalive_connections=3)
    )
    speed_up_pool(transport)
    async with httpx.AsyncClient(transport=transport, timeout=10) as client:
        responses = await asyncio.gather(*(client.get(server.url) for _ in range(9)))
        assert {r.text for r in responses} == {"ok"}
        assert server.accepted <= 3
        other = server.url.replace("127.0.0.1", "localhost")
        assert (await client.get(other)).text == "ok"  # an idle one was replaced
        assert len(transport._pool.connections) == 3


def test_only_plain_http11_pools_are_changed() -> None:
    http2 = httpx.AsyncHTTPTransport(http2=True)
    speed_up_pool(http2)
    assert type(http2._pool) is httpcore.AsyncConnectionPool
    proxy = httpx.HTTPTransport(proxy="http://127.0.0.1:9")
    speed_up_pool(proxy)
    assert type(proxy._pool) is httpcore.HTTPProxy
    speed_up_pool(httpx.MockTransport(lambda request: httpx.Response(200)))


async def test_the_transport_uses_the_faster_pool(server: Server) -> None:
    async with AsyncTransport() as transport:
        pool = transport.client()._transport._pool  # type: ignore[attr-defined]
        assert type(pool).__name__ == "_AsyncConnectionPool"
        server.reset()
        url = f"{server.url}?wait=150"
        requests = [httpx.Request("GET", url) for _ in range(150)]
        responses = await asyncio.wait_for(
            asyncio.gather(*(transport.send(r) for r in requests)), 20
        )
        assert {r.text for r in responses} == {"ok"}
