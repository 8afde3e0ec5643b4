# Generated from tests/_async/test_openai_recorded.py; do not edit.
# Edit the async source and run `python scripts/unasync.py`.
"""Every OpenAI and OpenAI-compatible recording, replayed through respx.

Each recorded 200 answer is replayed on its own: the prompt is rebuilt from
the recorded request (its messages, tools, options and output format), the
request we send is compared with the recorded one, and the response must give
the recorded text, chunks, usage, tool calls, model and JSON. Each recorded
error must raise the matching typed error.
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
from tests.openai_support import (
    error_cases,
    expected_outcome,
    normalize_request,
    replay_call,
    spec_for,
    success_cases,
    without_none,
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
    return router.post(request["url"]).mock(side_effect=answer)


@pytest.mark.parametrize(("name", "index"), success_cases())
def test_recorded_answer_replays(transport: Transport, name: str, index: int) -> None:
    interaction = load_recorded(name)["interactions"][index]
    request = interaction["request"]
    expected = expected_outcome(interaction["response"])
    model = make_model(request, transport)
    call = replay_call(request)
    with respx.mock() as router:
        fixture = {"interactions": [interaction]}
        route = mock_one(router, request, recorded_responses(fixture))
        response = model.prompt(**call)
        chunks = [chunk for chunk in response]
    # The request: the recorded one, up to what our provider does differently.
    sent = route.calls[0].request
    assert sent.headers["authorization"] == f"Bearer {CANARY_KEY}"
    assert normalize_request(json.loads(sent.content)) == normalize_request(
        json.loads(request["body"])
    )
    # The answer.
    if call["stream"]:
        assert chunks == expected.text_deltas
    else:
        assert chunks == ([expected.text] if expected.text else [])
    assert response.text() == expected.text
    usage = response.usage()
    assert expected.usage is not None
    assert (usage.input, usage.output) == (
        expected.usage["prompt_tokens"],
        expected.usage["completion_tokens"],
    )
    assert response.resolved_model == expected.model
    calls = response.tool_calls()
    assert [(c.name, c.arguments) for c in calls] == [
        (n, a) for n, a, _ in expected.tool_calls
    ]
    for got, (_, _, recorded_id) in zip(calls, expected.tool_calls, strict=True):
        if recorded_id:
            assert got.tool_call_id == recorded_id
        else:  # Gemini's compatible API sends "": we make one up
            assert got.tool_call_id and got.tool_call_id.startswith("call_")
    data = response.json()
    assert data is not None
    if call["stream"]:
        assert data["content"] == expected.text
        assert data.get("finish_reason") == expected.finish_reason
        assert data["id"] == expected.id
        assert data["usage"] == without_none(expected.usage)
        if expected.refusal:
            assert data["refusal"] == expected.refusal
    else:
        assert data == without_none(expected.body)
    # The assistant message: reasoning, text, then the tool calls.
    messages = response.messages()
    parts = messages[0].parts if messages else []
    texts = [p.text for p in parts if isinstance(p, llm.TextPart)]
    assert texts == ([expected.text] if expected.text else [])
    tool_parts = [p for p in parts if isinstance(p, llm.ToolCallPart)]
    assert [(p.name, p.arguments, p.tool_call_id) for p in tool_parts] == [
        (c.name, c.arguments, c.tool_call_id) for c in calls
    ]
    reasoning = [p for p in parts if isinstance(p, llm.ReasoningPart)]
    if expected.reasoning:
        assert [p.text for p in reasoning] == [expected.reasoning]
    details = expected.usage.get("completion_tokens_details") or {}
    if not expected.reasoning and details.get("reasoning_tokens"):
        assert [(p.text, p.redacted) for p in reasoning] == [("", True)]
        assert usage.details is not None
        assert usage.details["completion_tokens_details"] == {
            "reasoning_tokens": details["reasoning_tokens"]
        }
    elif not expected.reasoning:
        assert reasoning == []


EXPECTED_ERRORS: dict[int, type[llm.APIStatusError]] = {
    400: llm.BadRequestError,
    401: llm.AuthenticationError,
    404: llm.NotFoundError,
    429: llm.RateLimitError,
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
    stream = bool(json.loads(request["body"]).get("stream", False))
    model = make_model(request, transport)
    with respx.mock() as router:
        route = mock_one(router, request, recorded_responses(fixture))
        with pytest.raises(llm.APIStatusError) as info:
            model.prompt("Hello", stream=stream).text()
    error = info.value
    assert type(error) is EXPECTED_ERRORS[status]
    assert error.status_code == status
    assert error_body["message"] in error.message
    raw = (error_body.get("metadata") or {}).get("raw")
    if raw:  # OpenRouter: the upstream provider's words are kept
        assert raw in error.message
    code = error_body.get("code") or error_body.get("type")
    assert error.code == (None if code is None else str(code))
    assert error.request_id == answer["headers"].get("x-request-id")
    assert isinstance(error.__cause__, httpx.HTTPStatusError)
    # 429 is retried (twice by default), the others never.
    expected_calls = min(3, len(fixture["interactions"])) if status == 429 else 1
    assert route.call_count == expected_calls
    assert_no_key(error)


def test_tool_chain_recording_as_a_conversation(
    transport: Transport,
) -> None:
    """A conversation sends the whole history: the recorded chain, turn by turn."""
    fixture = load_recorded("openai/chat_tool_chain_two_calls.json")
    interactions = fixture["interactions"]
    first = interactions[0]["request"]
    model = make_model(first, transport)
    call = replay_call(first)
    tools = call["tools"]
    conversation = model.conversation(tools=tools)
    prompt_text = json.loads(first["body"])["messages"][0]["content"]
    with respx.mock() as router:
        route = mock_one(router, first, recorded_responses(fixture))
        response = conversation.prompt(prompt_text, stream=False)
        for later in interactions[1:]:
            calls = response.tool_calls()
            sent = json.loads(later["request"]["body"])["messages"]
            outputs = {
                m["tool_call_id"]: m["content"] for m in sent if m["role"] == "tool"
            }
            results = [
                llm.ToolResult(
                    c.name, outputs[str(c.tool_call_id)], tool_call_id=c.tool_call_id
                )
                for c in calls
            ]
            response = conversation.prompt(tool_results=results, stream=False)
        assert response.text() == "YES"
    assert route.call_count == len(interactions)
    for sent_call, interaction in zip(route.calls, interactions, strict=True):
        assert normalize_request(json.loads(sent_call.request.content)) == (
            normalize_request(json.loads(interaction["request"]["body"]))
        )
