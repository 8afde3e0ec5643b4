# Generated from tests/_async/test_http_errors.py; do not edit.
# Edit the async source and run `python scripts/unasync.py`.
"""Error mapping at the transport boundary; hostile bytes give typed errors."""

from __future__ import annotations

import json
import traceback
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx

import llm_sync as llm
from llm_sync import HTTPModel, RetryPolicy, Transport
from tests.support import (
    BASE_URL,
    CANARY_KEY,
    ScriptedStream,
    SyntheticProvider,
    load_recorded,
    recorded_error_fixtures,
    recorded_responses,
    sse_chunks,
    synthetic_error,
)

URL = f"{BASE_URL}/generate"
SSE = {"content-type": "text/event-stream"}
EXPECTED = {
    400: llm.BadRequestError,
    401: llm.AuthenticationError,
    403: llm.PermissionDeniedError,
    404: llm.NotFoundError,
    429: llm.RateLimitError,
}


@pytest.fixture
def transport() -> Iterator[Transport]:
    policy = RetryPolicy(initial_delay=0.001, max_delay=0.002)
    with Transport(retry=policy) as shared:
        yield shared


def make_model(transport: Transport, **settings: Any) -> HTTPModel:
    model = HTTPModel(
        "synthetic",
        SyntheticProvider(),
        needs_key="synthetic",
        transport=transport,
        **settings,
    )
    model.key = CANARY_KEY
    return model


def assert_no_key(error: BaseException) -> None:
    rendered = "".join(traceback.format_exception(error))
    for text in (str(error), repr(error), rendered, str(error.__cause__)):
        assert CANARY_KEY not in text


@pytest.mark.parametrize("name", recorded_error_fixtures())
def test_recorded_error_bodies_map_to_typed_errors(
    transport: Transport, name: str
) -> None:
    fixture = load_recorded(name)
    first = fixture["interactions"][0]["response"]
    status = first["status"]
    expected_message = json.loads(first["body"])["error"]["message"]
    with respx.mock() as router:
        route = router.post(URL).mock(side_effect=recorded_responses(fixture))
        with pytest.raises(llm.APIStatusError) as info:
            make_model(transport).prompt("hi", stream="stream" in name).text()
    error = info.value
    assert type(error) is EXPECTED[status]
    assert error.status_code == status
    assert error.message == expected_message
    assert error.request_id == first["headers"].get("x-request-id")
    assert isinstance(error.__cause__, httpx.HTTPStatusError)
    expected_calls = min(3, len(fixture["interactions"])) if status == 429 else 1
    assert route.call_count == expected_calls
    assert_no_key(error)


@pytest.mark.parametrize(
    "body",
    [
        {
            "error": {
                "message": "This model's maximum context length is 128000 tokens. "
                "However, your messages resulted in 130017 tokens.",
                "type": "invalid_request_error",
                "param": "messages",
                "code": "context_length_exceeded",
            }
        },
        {
            "type": "error",
            "error": {
                "type": "invalid_request_error",
                "message": "prompt is too long: 208310 tokens > 200000 maximum",
            },
            "request_id": "req_synthetic_1",
        },
        {
            "error": {
                "code": 400,
                "message": "The input token count (1234567) exceeds the maximum "
                "number of tokens allowed (1048576).",
                "status": "INVALID_ARGUMENT",
            }
        },
    ],
    ids=["synthetic-openai", "synthetic-anthropic", "synthetic-gemini"],
)
def test_context_window_errors_are_recognised(
    transport: Transport, body: dict[str, Any]
) -> None:
    with respx.mock() as router:
        route = router.post(URL).mock(return_value=httpx.Response(400, json=body))
        with pytest.raises(llm.ContextWindowExceededError) as info:
            make_model(transport).prompt("hi").text()
    assert route.call_count == 1
    assert info.value.status_code == 400
    if "request_id" in body:
        assert info.value.request_id == body["request_id"]


def test_invalid_google_key_is_an_authentication_error(
    transport: Transport,
) -> None:
    body = {
        "error": {
            "code": 400,
            "message": "API key not valid. Please pass a valid API key.",
            "status": "INVALID_ARGUMENT",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "API_KEY_INVALID",
                }
            ],
        }
    }
    with respx.mock() as router:
        router.post(URL).mock(return_value=httpx.Response(400, json=body))
        with pytest.raises(llm.AuthenticationError):
            make_model(transport).prompt("hi").text()


def test_rate_limit_carries_retry_after_and_request_id(
    transport: Transport,
) -> None:
    response = synthetic_error(
        429, "slow down", headers={"retry-after": "90", "x-request-id": "req_42"}
    )
    with respx.mock() as router:
        router.post(URL).mock(return_value=response)
        with pytest.raises(llm.RateLimitError) as info:
            make_model(transport).prompt("hi").text()
    assert info.value.retry_after == 90
    assert info.value.request_id == "req_42"
    assert str(info.value) == "slow down (status 429) [request id req_42]"


def test_a_key_echoed_in_an_error_body_is_redacted(
    transport: Transport,
) -> None:
    response = synthetic_error(401, f"Incorrect API key provided: {CANARY_KEY}")
    with respx.mock() as router:
        router.post(URL).mock(return_value=response)
        with pytest.raises(llm.AuthenticationError) as info:
            make_model(transport).prompt("hi").text()
    assert info.value.message == "Incorrect API key provided: ***"
    assert_no_key(info.value)


def test_connection_error_is_typed_without_the_key(
    transport: Transport,
) -> None:
    with respx.mock() as router:
        router.post(URL).mock(side_effect=httpx.ConnectError("refused"))
        with pytest.raises(llm.APIConnectionError) as info:
            make_model(transport).prompt("hi").text()
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert info.value.status_code is None
    assert_no_key(info.value)


def test_non_json_error_body_still_maps(transport: Transport) -> None:
    response = httpx.Response(502, content=b"<html>Bad gateway</html>")
    with respx.mock() as router:
        router.post(URL).mock(return_value=response)
        with pytest.raises(llm.ServerError) as info:
            make_model(transport).prompt("hi", max_retries=0).text()
    assert "Bad gateway" in info.value.message


# Hostile bytes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "content"),
    [
        ({"content-type": "text/html"}, b"<html><body>captive portal</body></html>"),
        (SSE, b""),
        (SSE, b"data: not json\n\n"),
        (SSE, b"\x00\x01\x02garbage\xff" * 100),
    ],
    ids=["html", "empty", "non-json-data", "garbage"],
)
def test_hostile_stream_bodies_raise_decode_errors(
    transport: Transport, headers: dict[str, str], content: bytes
) -> None:
    with respx.mock() as router:
        router.post(URL).mock(
            return_value=httpx.Response(200, headers=headers, content=content)
        )
        with pytest.raises(llm.ResponseDecodeError) as info:
            make_model(transport).prompt("hi").text()
    assert info.value.status_code == 200


@pytest.mark.parametrize(
    "content", [b"not json at all", b"\xff\xfe", b"[1, 2, 3]", b'{"unexpected": 1}']
)
def test_hostile_json_bodies_raise_decode_errors(
    transport: Transport, content: bytes
) -> None:
    with respx.mock() as router:
        router.post(URL).mock(return_value=httpx.Response(200, content=content))
        with pytest.raises(llm.ResponseDecodeError):
            make_model(transport).prompt("hi", stream=False).text()


def test_a_line_that_never_ends_is_refused(
    transport: Transport, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "llm_async.providers.http_model_base.EventDecoder.max_pending", 10_000
    )
    chunks = [*sse_chunks(["ok "]), b"data: ", *[b"x" * 5_000] * 10]
    with respx.mock() as router:
        router.post(URL).mock(
            return_value=httpx.Response(200, headers=SSE, stream=ScriptedStream(chunks))
        )
        with pytest.raises(llm.StreamInterruptedError) as info:
            make_model(transport).prompt("hi").text()
    assert info.value.partial_text == "ok "
    assert isinstance(info.value.__cause__, llm.ResponseDecodeError)


def test_a_json_answer_to_a_streaming_request_is_accepted(
    transport: Transport,
) -> None:
    with respx.mock() as router:
        router.post(URL).mock(
            return_value=httpx.Response(
                200, json={"text": "whole", "usage": {"in": 1, "out": 2}}
            )
        )
        response = make_model(transport).prompt("hi")
        assert response.text() == "whole"
    assert response.input_tokens == 1
