# Generated from tests/_async/test_gemini_recorded.py; do not edit.
# Edit the async source and run `python scripts/unasync.py`.
"""Every Gemini recording, replayed through respx.

Each recorded 200 answer is replayed on its own: the prompt is rebuilt from the
recorded request (contents, system instruction, tools, options and schema), the
request we send is compared with the recorded one, and the response must give
the recorded text, chunks, thoughts, tool calls, usage and model. Each recorded
error must raise the matching typed error. Streams recorded without ``alt=sse``
(one JSON array) are answered to our ``alt=sse`` request: a JSON body is read
whole, as a non-streamed answer.
"""

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
from tests.gemini_support import (
    error_cases,
    expected_outcome,
    normalize_request,
    replay_call,
    spec_for,
    success_cases,
)
from tests.support import CANARY_KEY, load_recorded, recorded_responses

FAST = RetryPolicy(initial_delay=0.01, max_delay=0.02)


@pytest.fixture
def transport() -> Iterator[Transport]:
    with Transport(retry=FAST) as shared:
        yield shared


def make_model(request: dict[str, Any], transport: Transport) -> HTTPModel:
    spec = spec_for(request)
    model = HTTPModel(
        spec.model_id, spec.provider(), transport=transport, **spec.model_kwargs()
    )
    model.key = CANARY_KEY
    return model


def mock_one(router: respx.Router, request: dict[str, Any], answer: Any) -> Any:
    url = httpx.URL(request["url"])
    return router.post(host=url.host, path=url.path).mock(side_effect=answer)


def expected_usage(usage: dict[str, Any]) -> tuple[int, int]:
    """llm-gemini's reading: prompt (+ tool prompt) in, candidates + thoughts out."""
    prompt = usage["promptTokenCount"] + usage.get("toolUsePromptTokenCount", 0)
    output = usage.get("candidatesTokenCount", 0) + usage.get("thoughtsTokenCount", 0)
    return prompt, output


@pytest.mark.parametrize(("name", "index"), success_cases())
def test_recorded_answer_replays(transport: Transport, name: str, index: int) -> None:
    interaction = load_recorded(name)["interactions"][index]
    request, answer = interaction["request"], interaction["response"]
    expected = expected_outcome(answer)
    model = make_model(request, transport)
    call = replay_call(request)
    with respx.mock() as router:
        route = mock_one(
            router, request, recorded_responses({"interactions": [interaction]})
        )
        response = model.prompt(**call)
        chunks = [chunk for chunk in response]
    # The request: the recorded one, up to spelling and what clients add.
    sent = route.calls[0].request
    assert sent.headers["x-goog-api-key"] == CANARY_KEY
    assert CANARY_KEY not in str(sent.url)
    stream = call["stream"]
    method = ":streamGenerateContent" if stream else ":generateContent"
    assert sent.url.path.endswith(method)
    assert sent.url.params.get("alt") == ("sse" if stream else None)
    body = json.loads(sent.content)
    assert normalize_request(body) == normalize_request(json.loads(request["body"]))
    assert len(body["safetySettings"]) == 4
    # The answer.
    streamed_sse = stream and answer.get("stream_format") == "sse"
    if streamed_sse:
        assert chunks == expected.text_deltas
    assert "".join(chunks) == expected.text
    assert response.text() == expected.text
    usage = response.usage()
    assert expected.usage is not None
    assert (usage.input, usage.output) == expected_usage(expected.usage)
    assert usage.details is not None
    assert "totalTokenCount" not in usage.details
    assert response.resolved_model == expected.model
    calls = response.tool_calls()
    assert [(c.name, c.arguments) for c in calls] == [
        (n, a) for n, a, _ in expected.tool_calls
    ]
    ids = [c.tool_call_id for c in calls]
    assert all(i and i.startswith("call_") for i in ids)
    assert len(set(ids)) == len(ids)
    data = response.json()
    assert data is not None
    assert data["modelVersion"] == expected.model
    assert data["candidates"][0].get("finishReason") == expected.finish_reason
    assert "content" not in data["candidates"][0]
    # The assistant message: thoughts, text and calls, signatures kept.
    messages = response.messages()
    parts = messages[0].parts if messages else []
    reasoning = [p for p in parts if isinstance(p, llm.ReasoningPart)]
    if expected.reasoning:
        assert "".join(p.text for p in reasoning) == expected.reasoning
        assert not any(p.redacted for p in reasoning)
    elif expected.usage.get("thoughtsTokenCount"):
        assert [(p.text, p.redacted) for p in reasoning] == [("", True)]
    else:
        assert reasoning == []
    texts = [p.text for p in parts if isinstance(p, llm.TextPart)]
    assert "".join(texts) == expected.text
    kept = [
        (p.provider_metadata or {}).get("gemini", {}).get("thoughtSignature")
        for p in parts
    ]
    assert [s for s in kept if s] == expected.signatures
    tool_parts = [p for p in parts if isinstance(p, llm.ToolCallPart)]
    assert [(p.name, p.arguments, p.tool_call_id) for p in tool_parts] == [
        (c.name, c.arguments, c.tool_call_id) for c in calls
    ]


EXPECTED_ERRORS: dict[int, type[llm.APIStatusError]] = {
    400: llm.AuthenticationError,  # Gemini's invalid key is a 400
    404: llm.NotFoundError,
}


def assert_no_key(error: BaseException) -> None:
    rendered = "".join(traceback.format_exception(error))
    for text in (str(error), repr(error), rendered):
        assert CANARY_KEY not in text


@pytest.mark.parametrize("name", error_cases())
def test_recorded_error_raises_the_typed_error(transport: Transport, name: str) -> None:
    fixture = load_recorded(name)
    first = fixture["interactions"][0]
    request, answer = first["request"], first["response"]
    status = answer["status"]
    error_body = json.loads(answer["body"])["error"]
    stream = ":streamGenerateContent" in request["url"]
    model = make_model(request, transport)
    with respx.mock() as router:
        route = mock_one(router, request, recorded_responses(fixture))
        with pytest.raises(llm.APIStatusError) as info:
            model.prompt("Hello", stream=stream).text()
    error = info.value
    assert type(error) is EXPECTED_ERRORS[status]
    assert error.status_code == status
    assert error.message == error_body["message"]
    reasons = [d["reason"] for d in error_body.get("details", []) if "reason" in d]
    assert error.code == (reasons[0] if reasons else error_body["status"])
    assert isinstance(error.__cause__, httpx.HTTPStatusError)
    assert route.call_count == 1  # neither is retried
    assert_no_key(error)
