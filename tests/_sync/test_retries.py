# Generated from tests/_async/test_retries.py; do not edit.
# Edit the async source and run `python scripts/unasync.py`.
"""Retries: which statuses, how long to wait, how many requests, never mid-stream."""

from __future__ import annotations

import logging
import time
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
    LOGGER,
    ScriptedStream,
    SyntheticProvider,
    sse_chunks,
    synthetic_error,
    synthetic_json,
    synthetic_stream,
)

URL = f"{BASE_URL}/generate"
SSE = {"content-type": "text/event-stream"}
FAST = RetryPolicy(initial_delay=0.01, max_delay=0.02)


@pytest.fixture
def transport() -> Iterator[Transport]:
    with Transport(retry=FAST) as shared:
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


def success(stream: bool) -> httpx.Response:
    return synthetic_stream(["o", "k"]) if stream else synthetic_json("ok")


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504, 529])
def test_retried_statuses_succeed_on_a_later_attempt(
    transport: Transport, status: int, stream: bool
) -> None:
    with respx.mock() as router:
        route = router.post(URL).mock(
            side_effect=[synthetic_error(status), success(stream)]
        )
        text = make_model(transport).prompt("hi", stream=stream).text()
    assert text == "ok"
    assert route.call_count == 2


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, llm.BadRequestError),
        (401, llm.AuthenticationError),
        (403, llm.PermissionDeniedError),
        (404, llm.NotFoundError),
        (413, llm.BadRequestError),
        (422, llm.BadRequestError),
    ],
)
def test_client_errors_are_never_retried(
    transport: Transport, status: int, error_class: type[Exception], stream: bool
) -> None:
    with respx.mock() as router:
        route = router.post(URL).mock(
            side_effect=[synthetic_error(status, "nope"), success(stream)]
        )
        with pytest.raises(error_class) as info:
            make_model(transport).prompt("hi", stream=stream).text()
    assert route.call_count == 1
    assert info.value.status_code == status  # type: ignore[attr-defined]
    assert info.value.message == "nope"  # type: ignore[attr-defined]


def test_retries_stop_after_max_retries(transport: Transport) -> None:
    with respx.mock() as router:
        route = router.post(URL).mock(return_value=synthetic_error(503, "busy"))
        with pytest.raises(llm.ServerError) as info:
            make_model(transport).prompt("hi").text()
    assert route.call_count == 3  # the first attempt and the default 2 retries
    assert info.value.status_code == 503


def test_quota_exhaustion_is_not_retried(transport: Transport) -> None:
    with respx.mock() as router:
        route = router.post(URL).mock(
            return_value=synthetic_error(429, "quota", code="insufficient_quota")
        )
        with pytest.raises(llm.RateLimitError):
            make_model(transport).prompt("hi").text()
    assert route.call_count == 1


def test_should_retry_false_header_is_honoured(transport: Transport) -> None:
    response = synthetic_error(529, "overloaded", headers={"x-should-retry": "false"})
    with respx.mock() as router:
        route = router.post(URL).mock(return_value=response)
        with pytest.raises(llm.ServerError):
            make_model(transport).prompt("hi").text()
    assert route.call_count == 1


@pytest.mark.parametrize(
    "exception",
    [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow"), httpx.ReadError("x")],
)
def test_connection_failures_are_retried(
    transport: Transport, exception: Exception
) -> None:
    with respx.mock() as router:
        route = router.post(URL).mock(side_effect=[exception, synthetic_json("ok")])
        assert make_model(transport).prompt("hi", stream=False).text() == "ok"
    assert route.call_count == 2


def test_read_timeout_is_not_retried(transport: Transport) -> None:
    with respx.mock() as router:
        route = router.post(URL).mock(side_effect=httpx.ReadTimeout("idle"))
        with pytest.raises(llm.APITimeoutError) as info:
            make_model(transport).prompt("hi").text()
    assert route.call_count == 1
    assert isinstance(info.value.__cause__, httpx.ReadTimeout)


def timed(responses: list[httpx.Response], times: list[float]) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        times.append(time.monotonic())
        return responses.pop(0)

    return handler


@pytest.mark.parametrize(
    "headers",
    [{"retry-after-ms": "200"}, {"retry-after": "0.2"}],
    ids=["retry-after-ms", "retry-after-seconds"],
)
def test_retry_after_is_honoured(transport: Transport, headers: dict[str, str]) -> None:
    times: list[float] = []
    responses = [synthetic_error(429, "slow down", headers=headers), success(False)]
    with respx.mock() as router:
        router.post(URL).mock(side_effect=timed(responses, times))
        assert make_model(transport).prompt("hi").text() == "ok"
    assert len(times) == 2
    assert times[1] - times[0] >= 0.2


@pytest.mark.integration
def test_retry_after_http_date_is_honoured(transport: Transport) -> None:
    from email.utils import formatdate

    times: list[float] = []
    date = formatdate(time.time() + 2, usegmt=True)
    responses = [synthetic_error(503, headers={"retry-after": date}), success(False)]
    with respx.mock() as router:
        router.post(URL).mock(side_effect=timed(responses, times))
        assert make_model(transport).prompt("hi").text() == "ok"
    assert times[1] - times[0] >= 1.0  # the date has a one-second resolution


def test_wait_beyond_the_budget_raises_at_once(transport: Transport) -> None:
    response = synthetic_error(429, "later", headers={"retry-after": "120"})
    start = time.monotonic()
    with respx.mock() as router:
        route = router.post(URL).mock(return_value=response)
        with pytest.raises(llm.RateLimitError) as info:
            make_model(transport).prompt("hi").text()
    assert time.monotonic() - start < 0.5
    assert route.call_count == 1
    assert info.value.retry_after == 120


def test_total_deadline_bounds_retries(transport: Transport) -> None:
    response = synthetic_error(503, headers={"retry-after-ms": "100"})
    start = time.monotonic()
    with respx.mock() as router:
        route = router.post(URL).mock(return_value=response)
        model = make_model(transport, total_timeout=0.35, max_retries=10)
        with pytest.raises(llm.ServerError):
            model.prompt("hi").text()
    assert time.monotonic() - start < 0.35 + 0.5
    assert 2 <= route.call_count <= 4


@pytest.mark.parametrize("where", ["call", "model", "env"])
def test_max_retries_zero_sends_exactly_one_request(
    transport: Transport, where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if where == "env":
        monkeypatch.setenv("LLM_MAX_RETRIES", "0")
    model = make_model(transport, **({"max_retries": 0} if where == "model" else {}))
    options: dict[str, Any] = {"max_retries": 0} if where == "call" else {}
    with respx.mock() as router:
        route = router.post(URL).mock(return_value=synthetic_error(503))
        with pytest.raises(llm.ServerError):
            model.prompt("hi", **options).text()
    assert route.call_count == 1


def test_each_retry_is_logged_without_the_key(
    transport: Transport, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    responses = [synthetic_error(500), synthetic_error(502), success(False)]
    with respx.mock() as router:
        router.post(URL).mock(side_effect=responses)
        assert make_model(transport).prompt("hi").text() == "ok"
    records = [r for r in caplog.records if r.name == LOGGER]
    assert [r.attempt for r in records] == [2, 3]  # type: ignore[attr-defined]
    assert all(r.wait <= FAST.max_delay for r in records)  # type: ignore[attr-defined]
    assert "500" in records[0].reason  # type: ignore[attr-defined]
    for record in records:
        assert CANARY_KEY not in record.getMessage()
        assert CANARY_KEY not in repr(record.__dict__)


@pytest.mark.parametrize("count", [1, 5])
def test_stream_failure_after_a_chunk_is_never_retried(
    transport: Transport, count: int
) -> None:
    texts = [f"part{i} " for i in range(8)]
    broken = ScriptedStream(sse_chunks(texts[:count]), httpx.ReadError("reset"))
    with respx.mock() as router:
        route = router.post(URL).mock(
            side_effect=[
                httpx.Response(200, headers=SSE, stream=broken),
                synthetic_stream(texts),
            ]
        )
        received: list[str] = []
        with pytest.raises(llm.StreamInterruptedError) as info:
            for chunk in make_model(transport).prompt("hi"):
                received.append(chunk)
    assert route.call_count == 1
    assert "".join(received) == "".join(texts[:count]) == info.value.partial_text
    assert isinstance(info.value.__cause__, llm.APIConnectionError)
    assert isinstance(info.value.__cause__.__cause__, httpx.ReadError)


def test_stream_failure_before_any_chunk_is_retried(
    transport: Transport,
) -> None:
    texts = [f"part{i} " for i in range(5)]
    broken = ScriptedStream([], httpx.ReadError("reset"))
    with respx.mock() as router:
        route = router.post(URL).mock(
            side_effect=[
                httpx.Response(200, headers=SSE, stream=broken),
                synthetic_stream(texts),
            ]
        )
        received = [chunk for chunk in make_model(transport).prompt("hi")]
    assert route.call_count == 2
    assert received == texts  # no repeated prefix


def test_provider_error_event_mid_stream_interrupts(
    transport: Transport,
) -> None:
    body = sse_chunks(["first "])[0] + b'data: {"error": {"message": "overloaded"}}\n\n'
    with respx.mock() as router:
        router.post(URL).mock(
            return_value=httpx.Response(200, headers=SSE, content=body)
        )
        with pytest.raises(llm.StreamInterruptedError) as info:
            make_model(transport).prompt("hi").text()
    assert info.value.partial_text == "first "
    assert isinstance(info.value.__cause__, llm.ServerError)
