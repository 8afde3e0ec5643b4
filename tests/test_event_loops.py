"""Event-loop lifecycles: several ``asyncio.run()`` calls, sync inside a loop.

Not generated: these tests are about the async facade's loops themselves.
"""

from __future__ import annotations

import asyncio
import gc
import json
import threading

import llm_async
import llm_sync
from tests.support import CANARY_KEY, LoopbackServer, SyntheticProvider, drip, respond

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
