# Generated from tests/_async/test_canary_key.py; do not edit.
# Edit the async source and run `python scripts/unasync.py`.
"""The canary key: every error path, with DEBUG logging captured, and the key
never shows in an exception, a repr, a log record or ``to_dict()``.

Each failing answer also echoes the key back in its body (as OpenAI's 401 does),
so a message built from the body must be redacted too.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Iterator
from typing import Any

import httpx
import pydantic
import pytest
import respx

import llm_sync as llm
from tests.openai_support import reset_registry
from tests.support import CANARY_KEY, ScriptedStream, synthetic_error

OPENAI_URL = "https://api.openai.com/v1/chat/completions"
ECHOED = f"Incorrect API key provided: {CANARY_KEY}."


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
}


def _answer(failure: Any) -> Any:
    return failure() if callable(failure) and not isinstance(failure, type) else failure


def _rendered(exc: BaseException) -> list[str]:
    return [str(exc), repr(exc), "".join(traceback.format_exception(exc))]


def _assert_no_canary(texts: list[str], caplog: pytest.LogCaptureFixture) -> None:
    records = [
        text
        for record in caplog.records
        for text in (record.getMessage(), repr(record.args), repr(record.__dict__))
    ]
    for text in [*texts, *records]:
        assert CANARY_KEY not in text


@pytest.mark.parametrize("name", sorted(FAILURES))
def test_error_paths_never_show_the_key(
    name: str, caplog: pytest.LogCaptureFixture
) -> None:
    model = llm.get_model("gpt-4o-mini")
    failure = FAILURES[name]
    with respx.mock() as router:
        route = router.post(OPENAI_URL)
        if isinstance(failure, Exception):
            route.mock(side_effect=failure)
        else:
            route.mock(side_effect=lambda request: _answer(failure))
        response = model.prompt("hi", max_retries=0)
        with pytest.raises(llm.ModelError) as info:
            response.text()
    assert route.calls[0].request.headers["authorization"] == f"Bearer {CANARY_KEY}"
    texts = [
        *_rendered(info.value),
        repr(model),
        repr(response),
        repr(response.prompt),
        repr(response.prompt.options),
    ]
    cause = info.value.__cause__
    if cause is not None:
        texts += _rendered(cause)
    _assert_no_canary(texts, caplog)


def test_explicit_key_successful_answer_schema_and_tool_failures(
    caplog: pytest.LogCaptureFixture,
) -> None:
    model = llm.get_model("gpt-4o-mini")
    invalid_dog = _stream([_text_chunk('{"nom": 1}')])
    answers = iter(
        [invalid_dog, _stream([_tool_call_chunk()]), _stream([_text_chunk("done")])]
    )
    with respx.mock() as router:
        router.post(OPENAI_URL).mock(side_effect=lambda request: next(answers))
        structured = model.prompt("a dog", schema=Dog, key=CANARY_KEY)
        text = structured.text()
        with pytest.raises(llm.SchemaValidationError) as info:
            llm.parse_structured(text, Dog)
        conversation = model.conversation(tools=[failing_tool])
        chain = conversation.chain("look up rex", key=CANARY_KEY)
        chain.text()
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
