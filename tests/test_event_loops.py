"""Event-loop lifecycles: several ``asyncio.run()`` calls, sync inside a loop.

Not generated: these tests are about the async facade's loops themselves.
"""

from __future__ import annotations

import asyncio
import gc
import json
import threading

import httpx

import llm_async
import llm_sync
from llm_async._io.http_model import CHUNKS_PER_TURN
from tests.support import (
    CANARY_KEY,
    LoopbackServer,
    ScriptedStream,
    SyntheticProvider,
    drip,
    respond,
    sse_chunks,
)

BODY = json.dumps({"text": "pong"}).encode()
HEADERS = {"content-type": "application/json"}


def make_model(url: str) -> llm_async.AsyncHTTPModel:
    model = llm_async.AsyncHTTPModel(
        "synthetic", SyntheticProvider(url + "/v1"), needs_key="synthetic"
    )
    model.key = CANARY_KEY
    return model


def test_same_model_in_two_event_loops_in_a_row() -> None:
    with LoopbackServer(respond(200, BODY, HEADERS)) as server:
        model = make_model(server.url)

        async def ask() -> str:
            first = await model.prompt("ping", stream=False).text()
            second = await model.prompt("ping", stream=False).text()
            return first + second

        assert asyncio.run(ask()) == "pongpong"
        assert asyncio.run(ask()) == "pongpong"
        # One pooled connection per event loop, closed when that loop ended.
        assert server.connections == 2
    gc.collect()  # no ResourceWarning from a client left behind


def test_many_event_loops_in_a_row() -> None:
    with LoopbackServer(respond(200, BODY, HEADERS)) as server:
        model = make_model(server.url)
        for _ in range(20):
            text = asyncio.run(model.prompt("ping", stream=False).text())
            assert text == "pong"
    gc.collect()


def test_event_loops_in_threads_at_the_same_time() -> None:
    with LoopbackServer(respond(200, BODY, HEADERS)) as server:
        model = make_model(server.url)
        results: list[str] = []

        def work() -> None:
            results.append(asyncio.run(model.prompt("ping", stream=False).text()))

        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
    assert results == ["pong"] * 4
    gc.collect()


def test_sync_facade_inside_a_running_event_loop() -> None:
    with LoopbackServer(respond(200, BODY, HEADERS)) as server:
        model = llm_sync.HTTPModel(
            "synthetic", SyntheticProvider(server.url + "/v1"), needs_key="synthetic"
        )
        model.key = CANARY_KEY

        async def inside() -> str:
            return model.prompt("ping", stream=False).text()

        with model.transport:
            assert asyncio.run(inside()) == "pong"
    gc.collect()


def test_sync_facade_uses_no_threads_per_call() -> None:
    with LoopbackServer(respond(200, BODY, HEADERS)) as server:
        transport = llm_sync.Transport()
        model = llm_sync.HTTPModel(
            "synthetic",
            SyntheticProvider(server.url + "/v1"),
            needs_key="synthetic",
            transport=transport,
        )
        model.key = CANARY_KEY
        with model:
            model.prompt("ping", stream=False).text()
            before = threading.active_count()
            for _ in range(20):
                assert model.prompt("ping", stream=False).text() == "pong"
            assert threading.active_count() == before
            assert server.connections == 1
    gc.collect()


def test_cancelling_a_stream_disconnects_and_propagates() -> None:
    with LoopbackServer(drip(0.05)) as server:
        model = make_model(server.url)
        first = asyncio.Event()

        async def consume() -> None:
            async for _chunk in model.prompt("hi"):
                first.set()

        async def main() -> bool:
            task = asyncio.create_task(consume())
            await asyncio.wait_for(first.wait(), 5)
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                return True
            return False

        assert asyncio.run(main())
        assert server.disconnected.wait(1.0)
    gc.collect()


def test_a_stream_that_arrived_at_once_lets_other_tasks_run() -> None:
    # Every chunk is there already (no read waits): the stream still yields to
    # the event loop every CHUNKS_PER_TURN chunks instead of holding it to the
    # end, so a concurrent task keeps getting turns (fairness, not timing).
    texts = [f"t{i} " for i in range(20 * CHUNKS_PER_TURN)]

    def handler(request: httpx.Request) -> httpx.Response:
        stream = ScriptedStream([*sse_chunks(texts), b"data: [DONE]\n\n"])
        return httpx.Response(
            200, headers={"content-type": "text/event-stream"}, stream=stream
        )

    async def main() -> tuple[str, int]:
        transport = llm_async.AsyncTransport(
            transport_factory=lambda: httpx.MockTransport(handler)
        )
        model = llm_async.AsyncHTTPModel(
            "synthetic", SyntheticProvider(), transport=transport
        )
        turns = 0
        reading = True

        async def other() -> None:
            nonlocal turns
            while reading:
                turns += 1
                await asyncio.sleep(0)

        task = asyncio.create_task(other())
        await asyncio.sleep(0)
        turns = 0
        text = "".join([chunk async for chunk in model.prompt("go")])
        reading = False
        await task
        await model.aclose()
        return text, turns

    text, turns = asyncio.run(main())
    assert text == "".join(texts)
    assert turns >= 19
