"""Timeouts and connections against a real loopback server (127.0.0.1 only)."""

from __future__ import annotations

import contextlib
import gc
import json
import socket
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

import llm_async as llm
from llm_async import AsyncHTTPModel, AsyncTransport, RetryPolicy
from tests.support import (
    CANARY_KEY,
    LoopbackServer,
    SyntheticProvider,
    drip,
    never_answer,
    respond,
    stall_after,
)

SLACK = 0.5
THREE = ["chunk0 ", "chunk1 ", "chunk2 "]


@pytest.fixture
async def transport() -> AsyncIterator[AsyncTransport]:
    async with AsyncTransport(retry=RetryPolicy(initial_delay=0.01)) as shared:
        yield shared


def make_model(transport: AsyncTransport, url: str, **settings: Any) -> AsyncHTTPModel:
    model = AsyncHTTPModel(
        "synthetic",
        SyntheticProvider(),
        needs_key="synthetic",
        base_url=url + "/v1",
        transport=transport,
        **settings,
    )
    model.key = CANARY_KEY
    return model


@pytest.mark.parametrize("stream", [True, False])
async def test_server_that_never_answers_times_out(
    transport: AsyncTransport, stream: bool
) -> None:
    with LoopbackServer(never_answer) as server:
        model = make_model(transport, server.url, timeout=0.4)
        start = time.monotonic()
        with pytest.raises(llm.APITimeoutError) as info:
            await model.prompt("hi", stream=stream).text()
        elapsed = time.monotonic() - start
        assert server.connections == 1  # an idle timeout is not retried
    assert 0.35 <= elapsed < 0.4 + SLACK
    assert "idle timeout" in str(info.value)


async def test_total_deadline_stops_a_silent_server(transport: AsyncTransport) -> None:
    with LoopbackServer(never_answer) as server:
        model = make_model(transport, server.url, timeout=30, total_timeout=0.4)
        start = time.monotonic()
        with pytest.raises(llm.APITimeoutError) as info:
            await model.prompt("hi").text()
        elapsed = time.monotonic() - start
    assert elapsed < 0.4 + SLACK
    assert "total deadline" in str(info.value)


async def test_stream_that_stalls_after_three_chunks_is_interrupted(
    transport: AsyncTransport,
) -> None:
    with LoopbackServer(stall_after(3)) as server:
        model = make_model(transport, server.url, timeout=0.4)
        received: list[str] = []
        start = time.monotonic()
        with pytest.raises(llm.StreamInterruptedError) as info:
            async for chunk in model.prompt("hi"):
                received.append(chunk)
        elapsed = time.monotonic() - start
        assert server.connections == 1
    assert received == THREE
    assert info.value.partial_text == "".join(THREE)
    assert isinstance(info.value.__cause__, llm.APITimeoutError)
    assert elapsed < 0.4 + SLACK


async def test_total_deadline_interrupts_a_stalled_stream(
    transport: AsyncTransport,
) -> None:
    with LoopbackServer(stall_after(3)) as server:
        model = make_model(transport, server.url, timeout=30, total_timeout=0.5)
        start = time.monotonic()
        with pytest.raises(llm.StreamInterruptedError) as info:
            await model.prompt("hi").text()
        elapsed = time.monotonic() - start
    assert info.value.partial_text == "".join(THREE)
    assert isinstance(info.value.__cause__, llm.APITimeoutError)
    assert elapsed < 0.5 + SLACK


@pytest.fixture
def unaccepting_port() -> Iterator[int]:
    """A listener that never accepts, its queue full: a new connect never completes."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    queued = []
    for _ in range(8):
        client = socket.socket()
        client.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            client.connect(("127.0.0.1", port))
        queued.append(client)
    yield port
    for client in queued:
        client.close()
    listener.close()


async def test_connect_timeout(
    transport: AsyncTransport, unaccepting_port: int
) -> None:
    url = f"http://127.0.0.1:{unaccepting_port}"
    model = make_model(transport, url, connect_timeout=0.4, max_retries=0)
    start = time.monotonic()
    with pytest.raises(llm.APITimeoutError) as info:
        await model.prompt("hi").text()
    elapsed = time.monotonic() - start
    assert 0.35 <= elapsed < 0.4 + SLACK
    assert "connect" in str(info.value)


async def test_connections_are_pooled_across_calls(transport: AsyncTransport) -> None:
    body = json.dumps({"text": "pong"}).encode()
    headers = {"content-type": "application/json"}
    with LoopbackServer(respond(200, body, headers)) as server:
        model = make_model(transport, server.url)
        for _ in range(3):
            assert await model.prompt("ping", stream=False).text() == "pong"
        assert server.connections == 1
        assert len(server.requests) == 3
        await transport.aclose()
    gc.collect()


async def test_refused_connection_is_retried_then_typed(
    transport: AsyncTransport,
) -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens on this port any more
    model = make_model(transport, f"http://127.0.0.1:{port}", max_retries=1)
    with pytest.raises(llm.APIConnectionError) as info:
        await model.prompt("hi").text()
    assert "127.0.0.1" in str(info.value)


async def test_close_after_break_disconnects_from_the_server(
    transport: AsyncTransport,
) -> None:
    with LoopbackServer(drip(0.05)) as server:
        response = make_model(transport, server.url).prompt("hi")
        async for _chunk in response:
            break
        await response.aclose()
        assert server.disconnected.wait(2.0)
