"""The shared redaction helpers (``llm_async._http.redaction``)."""

from __future__ import annotations

import json
import logging
import traceback

import httpx
import pytest

from llm_async._core.errors import ServerError, StreamInterruptedError
from llm_async._http.redaction import (
    mask_httpx_log_urls,
    redact,
    redact_error,
    redact_value,
    request_secrets,
)

KEY = "sk-CANARY-0123456789abcdef"


def test_request_secrets_finds_headers_bearer_tokens_and_query_keys() -> None:
    request = httpx.Request(
        "POST",
        "https://x.test/v1?key=query-secret&model=m",
        headers={
            "authorization": f"Bearer {KEY}",
            "x-api-key": "header-secret",
            "content-type": "application/json",
        },
    )
    assert sorted(request_secrets(request)) == sorted(
        [f"Bearer {KEY}", KEY, "header-secret", "query-secret"]
    )


def test_redact_masks_longest_first_and_ignores_tiny_values() -> None:
    assert redact(f"a {KEY} b", [KEY[:8], KEY, "ab"]) == "a *** b"


def test_redact_value_copies_only_when_a_secret_is_there() -> None:
    clean = {"error": {"message": "nothing here"}}
    assert redact_value(clean, [KEY]) is clean
    body = {"error": {"message": f"bad key {KEY}", "param": [KEY, 1, None]}}
    assert redact_value(body, [KEY]) == {
        "error": {"message": "bad key ***", "param": ["***", 1, None]}
    }
    assert KEY in json.dumps(body)  # the original is not changed
    assert redact_value(f"x{KEY}", [KEY]) == "x***"
    assert redact_value(3, [KEY]) == 3


def test_redact_error_walks_the_whole_chain() -> None:
    request = httpx.Request(
        "POST",
        f"https://x.test/v1?key={KEY}",
        headers={"authorization": f"Bearer {KEY}"},
    )
    response = httpx.Response(401, request=request, text=KEY)
    status = httpx.HTTPStatusError(
        f"401 for {request.url}", request=request, response=response
    )
    try:
        json.loads(f"not json {KEY}")
    except ValueError as exc:
        decode = exc
    inner = ServerError(f"Invalid credentials: Bearer {KEY}", body={"echo": KEY})
    inner.__cause__ = status
    status.__context__ = decode
    outer = StreamInterruptedError(f"interrupted: {KEY}", partial_text=f"text {KEY}")
    outer.__cause__ = inner
    assert redact_error(outer, request_secrets(request)) is outer
    rendered = "".join(traceback.format_exception(outer))
    for error in (outer, inner, status, decode):
        rendered += str(error) + repr(error) + repr(error.args) + repr(vars(error))
    assert status.request.headers.get("authorization") is None
    assert status.request.url == httpx.URL("https://x.test/v1")
    rendered += repr(status.request) + repr(status.response.request)
    rendered += repr(dict(status.response.headers)) + status.response.text
    assert KEY not in rendered
    assert outer.partial_text == "text ***"
    assert inner.body == {"echo": "***"}
    redact_error(outer, request_secrets(request))  # twice changes nothing more
    assert inner.message == "Invalid credentials: ***"  # "Bearer sk-..." whole


def test_httpx_log_urls_lose_their_key(caplog: pytest.LogCaptureFixture) -> None:
    mask_httpx_log_urls()
    mask_httpx_log_urls()  # installed once
    logger = logging.getLogger("httpx")
    assert (
        len([f for f in logger.filters if type(f).__name__ == "_HttpxURLFilter"]) == 1
    )
    caplog.set_level(logging.INFO, logger="httpx")
    url = httpx.URL(f"https://x.test/v1/models?key={KEY}&alt=sse")
    logger.info('HTTP Request: %s %s "%s"', "POST", url, "HTTP/1.1 200 OK")
    (record,) = caplog.records
    assert KEY not in record.getMessage()
    assert "alt=sse" in record.getMessage()
