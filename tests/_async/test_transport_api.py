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


@pytest.mark.parametrize("total_timeout", [None, 30], ids=["direct", "deadline"])
async def test_aread_caps_the_body(
    transport: AsyncTransport, total_timeout: float | None
) -> None:
    """Both read paths (with and without a total deadline) cap the same way."""
    settings = transport.settings({"total_timeout": total_timeout})
    with respx.mock() as router:
        router.get(URL).mock(
            side_effect=lambda request: httpx.Response(
                200,
                headers={"x-request-id": "req_9"},
                stream=ScriptedStream([b"abc", b"defg", b"hij"]),
            )
        )
        request = httpx.Request("GET", URL)
        async with transport.stream(request, settings=settings) as opened:
            assert await opened.aread(limit=5, truncate=True) == b"abcde"
        async with transport.stream(request, settings=settings) as opened:
            with pytest.raises(llm.ResponseDecodeError) as info:
                await opened.aread(limit=5)
        async with transport.stream(request, settings=settings) as opened:
            assert await opened.aread(limit=10) == b"abcdefghij"
    assert str(info.value) == (
        "The response is larger than 5 bytes (status 200) [request id req_9]"
    )


@pytest.mark.parametrize("total_timeout", [None, 30], ids=["direct", "deadline"])
async def test_aread_of_a_body_that_declares_its_length(
    transport: AsyncTransport, total_timeout: float | None
) -> None:
    """A declared length within the limit is read whole; beyond it, counted
    and refused; a body cut short raises the typed connection error."""
    settings = transport.settings({"total_timeout": total_timeout})
    cut = httpx.RemoteProtocolError("peer closed connection")
    with respx.mock() as router:
        route = router.get(URL)
        route.side_effect = [
            httpx.Response(
                200,
                headers={"content-length": "10"},
                stream=ScriptedStream([b"abc", b"defg", b"hij"], error=error),
            )
            for error in (None, None, cut)
        ]
        request = httpx.Request("GET", URL)
        async with transport.stream(request, settings=settings) as opened:
            assert await opened.aread(limit=10) == b"abcdefghij"
        async with transport.stream(request, settings=settings) as opened:
            with pytest.raises(llm.ResponseDecodeError):
                await opened.aread(limit=5)
        async with transport.stream(request, settings=settings) as opened:
            with pytest.raises(llm.APIConnectionError):
                await opened.aread()
