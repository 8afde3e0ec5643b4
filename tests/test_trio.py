"""The async facade under trio (not generated)."""

from __future__ import annotations

import gc
import json
import time

import pytest
import trio

import llm_async
from tests.support import (
    CANARY_KEY,
    LoopbackServer,
    SyntheticProvider,
    respond,
    stall_after,
)


def make_model(url: str, **settings: object) -> llm_async.AsyncHTTPModel:
    model = llm_async.AsyncHTTPModel(
        "synthetic",
        SyntheticProvider(url + "/v1"),
        needs_key="synthetic",
        **settings,  # type: ignore[arg-type]
    )
    model.key = CANARY_KEY
    return model


def test_prompt_under_trio_twice() -> None:
    body = json.dumps({"text": "pong"}).encode()
    with LoopbackServer(
        respond(200, body, {"content-type": "application/json"})
    ) as server:
        model = make_model(server.url)

        async def ask() -> str:
            return await model.prompt("ping", stream=False).text()

        assert trio.run(ask) == "pong"
        assert trio.run(ask) == "pong"
    gc.collect()


def test_stalled_stream_under_trio_is_interrupted() -> None:
    with LoopbackServer(stall_after(3)) as server:
        model = make_model(server.url, total_timeout=0.5)

        async def read() -> list[str]:
            received: list[str] = []
            with pytest.raises(llm_async.StreamInterruptedError) as info:
                async for chunk in model.prompt("hi"):
                    received.append(chunk)
            assert isinstance(info.value.__cause__, llm_async.APITimeoutError)
            return received

        start = time.monotonic()
        assert trio.run(read) == ["chunk0 ", "chunk1 ", "chunk2 "]
        assert time.monotonic() - start < 1.0
    gc.collect()
