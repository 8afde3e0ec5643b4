# Generated from tests/_async/test_transport_api.py; do not edit.
# Edit the async source and run `python scripts/unasync.py`.
"""The transport used directly, as a plugin would."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import respx

import llm_sync as llm
from llm_sync import RetryPolicy, Transport
from tests.support import ScriptedStream, synthetic_error

URL = "https://plugin.invalid/api"


@pytest.fixture
def transport() -> Iterator[Transport]:
    with Transport(retry=RetryPolicy(initial_delay=0.001)) as shared:
        yield shared


def test_send_returns_the_response_with_its_body(
    transport: Transport,
) -> None:
    with respx.mock() as router:
        router.get(URL).mock(
            return_value=httpx.Response(200, json={"ok": True}, headers={"x-a": "1"})
        )
        response = transport.send(httpx.Request("GET", URL))
    assert response.json() == {"ok": True}
    assert response.headers["x-a"] == "1"
    assert response.reason_phrase == "OK"


def test_send_maps_errors_with_the_default_message_parser(
    transport: Transport,
) -> None:
    with respx.mock() as router:
        router.get(URL).mock(return_value=synthetic_error(404, "no such thing"))
        with pytest.raises(llm.NotFoundError) as info:
            transport.send(httpx.Request("GET", URL))
    assert info.value.message == "no such thing"


def test_huge_error_bodies_are_cut(transport: Transport) -> None:
    with respx.mock() as router:
        router.get(URL).mock(return_value=httpx.Response(500, content=b"x" * 3_000_000))
        with pytest.raises(llm.ServerError) as info:
            transport.send(
                httpx.Request("GET", URL),
                settings=transport.settings({"max_retries": 0}),
            )
    assert len(info.value.message) < 1100


def test_stream_yields_chunks_and_closes(transport: Transport) -> None:
    body = ScriptedStream([b"one", b"two"])
    with respx.mock() as router:
        router.get(URL).mock(return_value=httpx.Response(200, stream=body))
        with transport.stream(httpx.Request("GET", URL)) as opened:
            assert opened.status_code == 200
            chunks = [chunk for chunk in opened.chunks()]
    assert chunks == [b"one", b"two"]
    assert body.closed


def test_settings_resolve_call_over_model(transport: Transport) -> None:
    settings = transport.settings({"timeout": 1}, {"timeout": 2, "max_retries": 0})
    assert (settings.timeout, settings.max_retries) == (1, 0)
    assert settings.retry == RetryPolicy(initial_delay=0.001)


@pytest.mark.parametrize("total_timeout", [None, 30], ids=["direct", "deadline"])
def test_aread_caps_the_body(transport: Transport, total_timeout: float | None) -> None:
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
        with transport.stream(request, settings=settings) as opened:
            assert opened.read(limit=5, truncate=True) == b"abcde"
        with transport.stream(request, settings=settings) as opened:
            with pytest.raises(llm.ResponseDecodeError) as info:
                opened.read(limit=5)
        with transport.stream(request, settings=settings) as opened:
            assert opened.read(limit=10) == b"abcdefghij"
    assert str(info.value) == (
        "The response is larger than 5 bytes (status 200) [request id req_9]"
    )


@pytest.mark.parametrize("total_timeout", [None, 30], ids=["direct", "deadline"])
def test_aread_of_a_body_that_declares_its_length(
    transport: Transport, total_timeout: float | None
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
        with transport.stream(request, settings=settings) as opened:
            assert opened.read(limit=10) == b"abcdefghij"
        with transport.stream(request, settings=settings) as opened:
            with pytest.raises(llm.ResponseDecodeError):
                opened.read(limit=5)
        with transport.stream(request, settings=settings) as opened:
            with pytest.raises(llm.APIConnectionError):
                opened.read()
