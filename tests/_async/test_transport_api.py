"""The transport used directly, as a plugin would."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import respx

import llm_async as llm
from llm_async import AsyncTransport, RetryPolicy
from tests.support import ScriptedStream, synthetic_error

URL = "https://plugin.invalid/api"


@pytest.fixture
async def transport() -> AsyncIterator[AsyncTransport]:
    async with AsyncTransport(retry=RetryPolicy(initial_delay=0.001)) as shared:
        yield shared


async def test_send_returns_the_response_with_its_body(
    transport: AsyncTransport,
) -> None:
    with respx.mock() as router:
        router.get(URL).mock(
            return_value=httpx.Response(200, json={"ok": True}, headers={"x-a": "1"})
        )
        response = await transport.send(httpx.Request("GET", URL))
    assert response.json() == {"ok": True}
    assert response.headers["x-a"] == "1"
    assert response.reason_phrase == "OK"


async def test_send_maps_errors_with_the_default_message_parser(
    transport: AsyncTransport,
) -> None:
    with respx.mock() as router:
        router.get(URL).mock(return_value=synthetic_error(404, "no such thing"))
        with pytest.raises(llm.NotFoundError) as info:
            await transport.send(httpx.Request("GET", URL))
    assert info.value.message == "no such thing"


async def test_huge_error_bodies_are_cut(transport: AsyncTransport) -> None:
    with respx.mock() as router:
        router.get(URL).mock(return_value=httpx.Response(500, content=b"x" * 3_000_000))
        with pytest.raises(llm.ServerError) as info:
            await transport.send(
                httpx.Request("GET", URL),
                settings=transport.settings({"max_retries": 0}),
            )
    assert len(info.value.message) < 1100


async def test_stream_yields_chunks_and_closes(transport: AsyncTransport) -> None:
    body = ScriptedStream([b"one", b"two"])
    with respx.mock() as router:
        router.get(URL).mock(return_value=httpx.Response(200, stream=body))
        async with transport.stream(httpx.Request("GET", URL)) as opened:
            assert opened.status_code == 200
            chunks = [chunk async for chunk in opened.chunks()]
    assert chunks == [b"one", b"two"]
    assert body.closed


async def test_settings_resolve_call_over_model(transport: AsyncTransport) -> None:
    settings = transport.settings({"timeout": 1}, {"timeout": 2, "max_retries": 0})
    assert (settings.timeout, settings.max_retries) == (1, 0)
    assert settings.retry == RetryPolicy(initial_delay=0.001)
