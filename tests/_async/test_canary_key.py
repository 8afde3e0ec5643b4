"""The canary key: every error path, with DEBUG logging captured, and the key
never shows in an exception, a repr, a log record, a warning or ``to_dict()``.

Each failing answer also echoes the key back in its body (as OpenAI's 401 does),
or in an error event of a stream that answered 200 (first or mid-stream), so a
message, ``args``, ``body`` or ``partial_text`` built from what the server sent
must be redacted too; so must every exception of the ``__cause__`` chain, and
any request object it holds (its headers carry the key).
"""

from __future__ import annotations

import json
import logging
import traceback
import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pydantic
import pytest
import respx

import llm_async as llm
from tests.openai_support import reset_registry
from tests.support import (
    BASE_URL,
    CANARY_KEY,
    ScriptedStream,
    SyntheticProvider,
    synthetic_error,
)

OPENAI_URL = "https://api.openai.com/v1/chat/completions"
ECHOED = f"Incorrect API key provided: {CANARY_KEY}."
BEARER_ECHO = f"Invalid credentials: Bearer {CANARY_KEY}"


class Dog(pydantic.BaseModel):
    name: str


def failing_tool(name: str) -> str:
    """Fails, naming the key's variable (not the key)."""
    raise ValueError(f"could not look up {name} (OPENAI_API_KEY is set)")


@pytest.fixture(autouse=True)
def canary(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> Iterator[None]:
    reset_registry()
    monkeypatch.setenv("OPENAI_API_KEY", CANARY_KEY)
    caplog.set_level(logging.DEBUG)  # every logger, httpx and httpcore included
    yield
    reset_registry()


def _stream(chunks: list[dict[str, Any]], error: Exception | None = None) -> Any:
    body = [f"data: {json.dumps(chunk)}\n\n".encode() for chunk in chunks]
    if error is None:
        body.append(b"data: [DONE]\n\n")
    return httpx.Response(
        200,
        headers={"content-type": "text/event-stream"},
        stream=ScriptedStream(body, error=error),
    )


def _text_chunk(text: str) -> dict[str, Any]:
    return {"id": "c", "choices": [{"index": 0, "delta": {"content": text}}]}


def _tool_call_chunk() -> dict[str, Any]:
    call = {
        "index": 0,
        "id": "call_1",
        "type": "function",
        "function": {"name": "failing_tool", "arguments": '{"name": "rex"}'},
    }
    return {"id": "c", "choices": [{"index": 0, "delta": {"tool_calls": [call]}}]}


def _error_event(message: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": "auth", "param": CANARY_KEY}}


def _raw_stream(body: bytes, status: int = 200) -> httpx.Response:
    return httpx.Response(
        status, headers={"content-type": "text/event-stream"}, content=body
    )


FAILURES: dict[str, Any] = {
    "401": synthetic_error(401, ECHOED, code="invalid_api_key"),
    "404": synthetic_error(404, ECHOED, code="model_not_found"),
    "429": synthetic_error(429, ECHOED, headers={"retry-after": "30"}),
    "500": synthetic_error(500, ECHOED),
    "timeout": httpx.ReadTimeout("timed out"),
    "connection": httpx.ConnectError("connection refused"),
    "mid-stream": lambda: _stream(
        [_text_chunk("partial")], error=httpx.ReadError("connection reset")
    ),
    # 200, then an error event echoing the credentials: first, or mid-stream.
    "event-first": lambda: _stream([_error_event(BEARER_ECHO)]),
    "event-mid-stream": lambda: _stream(
        [_text_chunk(f"partial {CANARY_KEY[:6]}"), _error_event(BEARER_ECHO)]
    ),
    # The key inside bytes that are not what the parser expects.
    "garbage-event": lambda: _raw_stream(f"data: {{{BEARER_ECHO}\n\n".encode()),
    "html-500": lambda: httpx.Response(
        500, headers={"content-type": "text/html"}, text=f"<p>{BEARER_ECHO}</p>"
    ),
    "not-json-200": lambda: httpx.Response(
        200, headers={"content-type": "application/json"}, text=BEARER_ECHO
    ),
    "ok-with-error-body": lambda: httpx.Response(
        200, headers={"content-type": "application/json"}, json=_error_event(ECHOED)
    ),
    "deep-error-body": lambda: httpx.Response(
        400, text='{"error": ' * 500 + json.dumps(ECHOED) + "}" * 500
    ),
}


def _answer(failure: Any) -> Any:
    return failure() if callable(failure) and not isinstance(failure, type) else failure


def _rendered(exc: BaseException) -> list[str]:
    """Everything an error shows or keeps, along its whole cause/context chain:
    str, repr, args, traceback, every attribute (body, partial_text...), and
    the repr, URL and headers of any request or response it holds."""
    texts = ["".join(traceback.format_exception(exc))]
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        texts += [str(current), repr(current), repr(current.args)]
        for value in vars(current).values():
            texts.append(repr(value))
            response = value if isinstance(value, httpx.Response) else None
            request = value if isinstance(value, httpx.Request) else None
            if response is not None:
                texts.append(repr(dict(response.headers)))
                request = getattr(response, "_request", None)
            if request is not None:
                texts += [repr(request), str(request.url), repr(dict(request.headers))]
        pending += [current.__cause__, current.__context__]
    return texts


def _assert_no_canary(texts: list[str], caplog: pytest.LogCaptureFixture) -> None:
    records = [
        text
        for record in caplog.records
        for text in (record.getMessage(), repr(record.args), repr(record.__dict__))
    ]
    for text in [*texts, *records]:
        assert CANARY_KEY not in text


@pytest.mark.parametrize("name", sorted(FAILURES))
async def test_error_paths_never_show_the_key(
    name: str, caplog: pytest.LogCaptureFixture
) -> None:
    model = llm.get_async_model("gpt-4o-mini")
    failure = FAILURES[name]
    with respx.mock() as router:
        route = router.post(OPENAI_URL)
        if isinstance(failure, Exception):
            route.mock(side_effect=failure)
        else:
            route.mock(side_effect=lambda request: _answer(failure))
        response = model.prompt("hi", max_retries=0)
        with (
            warnings.catch_warnings(record=True) as caught,
            pytest.raises(llm.ModelError) as info,
        ):
            warnings.simplefilter("always")
            await response.text()
    assert route.calls[0].request.headers["authorization"] == f"Bearer {CANARY_KEY}"
    texts = [
        *_rendered(info.value),
        *[str(warning.message) for warning in caught],
        repr(model),
        repr(response),
        repr(response.prompt),
        repr(response.prompt.options),
    ]
    _assert_no_canary(texts, caplog)
    if name in ("401", "event-first", "event-mid-stream", "html-500"):
        assert "***" in str(info.value)  # the echo was there, masked


@pytest.mark.parametrize("stream", [True, False])
async def test_key_in_the_query_string_never_shows(
    stream: bool, caplog: pytest.LogCaptureFixture
) -> None:
    """A provider sending the key as ``?key=`` (Google's style): every error
    keeps the URL out, and no request in the cause chain shows it."""

    class QueryKeyProvider(SyntheticProvider):
        def build_request(self, prompt: Any, *, stream: bool, key: str | None) -> Any:
            request = super().build_request(prompt, stream=stream, key=None)
            request.url = request.url.copy_merge_params({"key": key or ""})
            return request

    model = llm.AsyncHTTPModel("query-key", QueryKeyProvider(), needs_key="q")
    for answer in (
        synthetic_error(401, f"API key not valid: {CANARY_KEY}"),
        _raw_stream(b"data: " + json.dumps(_error_event(BEARER_ECHO)).encode()),
        httpx.ConnectError(f"cannot reach {BASE_URL}?key={CANARY_KEY}"),
    ):
        with respx.mock() as router:
            route = router.post(url__startswith=f"{BASE_URL}/generate")
            if isinstance(answer, Exception):
                route.mock(side_effect=answer)
            else:
                route.mock(return_value=answer)
            response = model.prompt("hi", key=CANARY_KEY, stream=stream, max_retries=0)
            with pytest.raises(llm.ModelError) as info:
                await response.text()
        assert route.calls[0].request.url.params["key"] == CANARY_KEY
        _assert_no_canary([*_rendered(info.value), repr(response)], caplog)


async def test_explicit_key_successful_answer_schema_and_tool_failures(
    caplog: pytest.LogCaptureFixture,
) -> None:
    model = llm.get_async_model("gpt-4o-mini")
    invalid_dog = _stream([_text_chunk('{"nom": 1}')])
    answers = iter(
        [invalid_dog, _stream([_tool_call_chunk()]), _stream([_text_chunk("done")])]
    )
    with respx.mock() as router:
        router.post(OPENAI_URL).mock(side_effect=lambda request: next(answers))
        structured = model.prompt("a dog", schema=Dog, key=CANARY_KEY)
        text = await structured.text()
        with pytest.raises(llm.SchemaValidationError) as info:
            llm.parse_structured(text, Dog)
        conversation = model.conversation(tools=[failing_tool])
        chain = conversation.chain("look up rex", key=CANARY_KEY)
        await chain.text()
    assert caplog.records, "DEBUG logging captured nothing"
    results = conversation.responses[-1].prompt.tool_results
    assert results[0].output.startswith("Error: ValueError: could not look up rex")
    dumped = [
        json.dumps(structured.to_dict()),
        *[json.dumps(r.to_dict()) for r in conversation.responses],
    ]
    texts = [
        *_rendered(info.value),
        *dumped,
        repr(structured),
        repr(conversation),
        repr(chain),
        *[repr(r) for r in conversation.responses],
        repr(results[0]),
    ]
    _assert_no_canary(texts, caplog)
