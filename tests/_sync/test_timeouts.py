# Generated from tests/_async/test_timeouts.py; do not edit.
# Edit the async source and run `python scripts/unasync.py`.
"""Timeouts and connections against a real loopback server (127.0.0.1 only)."""

from __future__ import annotations

import contextlib
import gc
import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

import llm_sync as llm
from llm_sync import HTTPModel, RetryPolicy, Transport
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
def transport() -> Iterator[Transport]:
    with Transport(retry=RetryPolicy(initial_delay=0.01)) as shared:
        yield shared


def make_model(transport: Transport, url: str, **settings: Any) -> HTTPModel:
    model = HTTPModel(
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
def test_server_that_never_answers_times_out(
    transport: Transport, stream: bool
) -> None:
    with LoopbackServer(never_answer) as server:
        model = make_model(transport, server.url, timeout=0.4)
        start = time.monotonic()
        with pytest.raises(llm.APITimeoutError) as info:
            model.prompt("hi", stream=stream).text()
        elapsed = time.monotonic() - start
        assert server.connections == 1  # an idle timeout is not retried
    assert 0.35 <= elapsed < 0.4 + SLACK
    assert "idle timeout" in str(info.value)


def test_total_deadline_stops_a_silent_server(transport: Transport) -> None:
    with LoopbackServer(never_answer) as server:
        model = make_model(transport, server.url, timeout=30, total_timeout=0.4)
        start = time.monotonic()
        with pytest.raises(llm.APITimeoutError) as info:
            model.prompt("hi").text()
        elapsed = time.monotonic() - start
    assert elapsed < 0.4 + SLACK
    assert "total deadline" in str(info.value)


def test_stream_that_stalls_after_three_chunks_is_interrupted(
    transport: Transport,
) -> None:
    with LoopbackServer(stall_after(3)) as server:
        model = make_model(transport, server.url, timeout=0.4)
        received: list[str] = []
        start = time.monotonic()
        with pytest.raises(llm.StreamInterruptedError) as info:
            for chunk in model.prompt("hi"):
                received.append(chunk)
        elapsed = time.monotonic() - start
        assert server.connections == 1
    assert received == THREE
    assert info.value.partial_text == "".join(THREE)
    assert isinstance(info.value.__cause__, llm.APITimeoutError)
    assert elapsed < 0.4 + SLACK


def test_total_deadline_interrupts_a_stalled_stream(
    transport: Transport,
) -> None:
    with LoopbackServer(stall_after(3)) as server:
        model = make_model(transport, server.url, timeout=30, total_timeout=0.5)
        start = time.monotonic()
        with pytest.raises(llm.StreamInterruptedError) as info:
            model.prompt("hi").text()
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


def test_connect_timeout(transport: Transport, unaccepting_port: int) -> None:
    url = f"http://127.0.0.1:{unaccepting_port}"
    model = make_model(transport, url, connect_timeout=0.4, max_retries=0)
    start = time.monotonic()
    with pytest.raises(llm.APITimeoutError) as info:
        model.prompt("hi").text()
    elapsed = time.monotonic() - start
    assert 0.35 <= elapsed < 0.4 + SLACK
    assert "connect" in str(info.value)


def test_connections_are_pooled_across_calls(transport: Transport) -> None:
    body = json.dumps({"text": "pong"}).encode()
    headers = {"content-type": "application/json"}
    with LoopbackServer(respond(200, body, headers)) as server:
        model = make_model(transport, server.url)
        for _ in range(3):
            assert model.prompt("ping", stream=False).text() == "pong"
        assert server.connections == 1
        assert len(server.requests) == 3
        transport.close()
    gc.collect()


def test_refused_connection_is_retried_then_typed(
    transport: Transport,
) -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens on this port any more
    model = make_model(transport, f"http://127.0.0.1:{port}", max_retries=1)
    with pytest.raises(llm.APIConnectionError) as info:
        model.prompt("hi").text()
    assert "127.0.0.1" in str(info.value)


def test_close_after_break_disconnects_from_the_server(
    transport: Transport,
) -> None:
    with LoopbackServer(drip(0.05)) as server:
        response = make_model(transport, server.url).prompt("hi")
        for _chunk in response:
            break
        response.close()
        assert server.disconnected.wait(2.0)
