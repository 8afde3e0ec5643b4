# Generated from tests/_async/test_anthropic_recorded.py; do not edit.
# Edit the async source and run `python scripts/unasync.py`.
"""Every Anthropic Messages recording, replayed through respx.

Each recorded 200 answer is replayed on its own: the prompt is rebuilt from the
recorded request (messages with their thinking signatures, tools, options,
schema), the request we send is compared with the recorded one, and the
response must give the recorded text chunks, reasoning, signatures, tool
calls, usage and model. Recorded errors raise the matching typed errors, and
the multi-turn recordings run as conversations and chains, carrying thinking
blocks from one turn to the next (also through ``to_dict()``/``from_dict()``).
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
from llm_sync import Conversation, HTTPModel, RetryPolicy, Transport
from tests.anthropic_support import (
    ENDPOINT,
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


def _api_interactions(name: str) -> list[dict[str, Any]]:
    return [
        i
        for i in load_recorded(name)["interactions"]
        if i["request"]["url"].startswith(ENDPOINT)
    ]


def _sent_bodies(route: Any) -> list[dict[str, Any]]:
    return [normalize_request(json.loads(c.request.content)) for c in route.calls]


@pytest.mark.parametrize(("name", "index"), success_cases())
def test_recorded_answer_replays(transport: Transport, name: str, index: int) -> None:
    interaction = load_recorded(name)["interactions"][index]
    request = interaction["request"]
    expected = expected_outcome(interaction["response"])
    model = make_model(request, transport)
    call = replay_call(request)
    with respx.mock() as router:
        route = router.post(ENDPOINT).mock(
            side_effect=recorded_responses({"interactions": [interaction]})
        )
        response = model.prompt(**call)
        chunks = [chunk for chunk in response]
    # The request: the recorded one, up to what the recording client adds.
    sent = route.calls[0].request
    assert sent.headers["x-api-key"] == CANARY_KEY
    assert sent.headers["anthropic-version"] == "2023-06-01"
    assert normalize_request(json.loads(sent.content)) == normalize_request(
        json.loads(request["body"])
    )
    # The text, chunk by chunk when streamed, after the prefill if any.
    prefill = [call["prefill"]] if call.get("prefill") else []
    if call["stream"]:
        assert chunks == prefill + expected.text_deltas
    else:
        assert "".join(chunks) == "".join(prefill) + expected.text
    # Usage: input and output tokens, the cache and thinking counts as details.
    usage = response.usage()
    assert (usage.input, usage.output) == (
        expected.usage["input_tokens"],
        expected.usage["output_tokens"],
    )
    for key in ("cache_read_input_tokens", "cache_creation_input_tokens"):
        if expected.usage.get(key):
            assert usage.details is not None
            assert usage.details[key] == expected.usage[key]
    if (expected.usage.get("output_tokens_details") or {}).get("thinking_tokens"):
        assert usage.details is not None
        assert usage.details["output_tokens_details"]["thinking_tokens"] > 0
    assert response.resolved_model == expected.model
    data = response.json()
    assert data is not None
    assert (data["id"], data["stop_reason"]) == (expected.id, expected.stop_reason)
    # Tool calls (client tools only), with the recorded ids.
    calls = response.tool_calls()
    assert [(c.name, c.arguments, c.tool_call_id) for c in calls] == (
        expected.tool_calls
    )
    # The assistant message: reasoning with signatures, server tool calls and
    # their results, in block order.
    (message,) = response.messages()
    reasoning = [p for p in message.parts if isinstance(p, llm.ReasoningPart)]
    thought = [p for p in reasoning if not p.redacted]
    assert [p.text for p in thought] == expected.reasoning
    assert [
        (p.provider_metadata or {})["anthropic"]["signature"]
        for p in thought
        if p.provider_metadata
    ] == expected.signatures
    hidden = [p for p in reasoning if p.redacted]
    assert [
        (p.provider_metadata or {})["anthropic"]["redacted_data"] for p in hidden
    ] == expected.redacted
    server_calls = [
        (p.name, p.tool_call_id)
        for p in message.parts
        if isinstance(p, llm.ToolCallPart) and p.server_executed
    ]
    assert server_calls == expected.server_calls
    server_results = [
        p.tool_call_id
        for p in message.parts
        if isinstance(p, llm.ToolResultPart) and p.server_executed
    ]
    assert server_results == expected.server_results


EXPECTED_ERRORS: dict[int, type[llm.APIStatusError]] = {
    400: llm.BadRequestError,
    401: llm.AuthenticationError,
    404: llm.NotFoundError,
}


@pytest.mark.parametrize("name", error_cases())
def test_recorded_error_raises_the_typed_error(transport: Transport, name: str) -> None:
    fixture = load_recorded(name)
    first = fixture["interactions"][0]
    request, answer = first["request"], first["response"]
    status = answer["status"]
    body = json.loads(answer["body"])
    model = make_model(request, transport)
    call = replay_call(request)
    with respx.mock() as router:
        route = router.post(ENDPOINT).mock(side_effect=recorded_responses(fixture))
        with pytest.raises(llm.APIStatusError) as info:
            model.prompt(**call).text()
    error = info.value
    assert type(error) is EXPECTED_ERRORS[status]
    assert error.status_code == status
    assert body["error"]["message"] in error.message
    assert error.code == body["error"]["type"]
    recorded_id = answer["headers"].get("request-id") or body.get("request_id")
    assert error.request_id == recorded_id
    assert route.call_count == 1  # x-should-retry: false, and none is retryable
    rendered = "".join(traceback.format_exception(error))
    for text in (str(error), repr(error), rendered):
        assert CANARY_KEY not in text


CHAINS = [
    "anthropic/messages_tools_parallel.json",
    "anthropic/messages_tools_parallel_stream.json",
    "anthropic/messages_tool_chain_haiku.json",
    "anthropic/messages_tools_stream_llm.json",
    "anthropic/messages_tool_error_result.json",
    "anthropic/messages_thinking_with_tools_stream.json",
]


def _recorded_outputs(interactions: list[dict[str, Any]]) -> dict[str, str]:
    """Tool call id -> the output the recording client sent back."""
    outputs: dict[str, str] = {}
    for interaction in interactions:
        for message in json.loads(interaction["request"]["body"])["messages"]:
            if isinstance(message["content"], list):
                for block in message["content"]:
                    if block["type"] == "tool_result":
                        outputs[block["tool_use_id"]] = block["content"]
    return outputs


@pytest.mark.parametrize("name", CHAINS)
def test_recorded_tool_chain_runs_as_a_chain(transport: Transport, name: str) -> None:
    """Each round's request is the recorded one: tool calls, results, thinking."""
    interactions = _api_interactions(name)
    first = interactions[0]["request"]
    call = replay_call(first)
    outputs = _recorded_outputs(interactions)
    ran: list[str] = []

    def before_call(tool: Any, tool_call: llm.ToolCall) -> None:
        ran.append(str(tool_call.tool_call_id))

    tools = []
    for tool in call.pop("tools"):

        def implementation(**kwargs: Any) -> str:
            return outputs[ran[-1]]

        tools.append(
            llm.Tool(tool.name, tool.description, tool.input_schema, implementation)
        )
    model = make_model(first, transport)
    (user,) = [m for m in call["messages"] if m.role == "user"]
    system = [m for m in call["messages"] if m.role == "system"]
    call.pop("messages")
    with respx.mock() as router:
        route = router.post(ENDPOINT).mock(
            side_effect=recorded_responses({"interactions": interactions})
        )
        chain = model.chain(
            user.parts[0].text,
            system=system[0].parts[0].text if system else None,
            tools=tools,
            before_call=before_call,
            **call,
        )
        chain.text()
    expected = [
        normalize_request(json.loads(i["request"]["body"])) for i in interactions
    ]
    assert _sent_bodies(route) == expected
    assert ran == list(outputs)


@pytest.mark.parametrize(
    "name",
    ["anthropic/messages_thinking.json", "anthropic/messages_thinking_stream.json"],
)
def test_thinking_signature_goes_back_and_survives_to_dict(
    transport: Transport, name: str
) -> None:
    """The second turn resends the first turn's signed thinking, restored or not."""
    interactions = _api_interactions(name)
    first = interactions[0]["request"]
    call = replay_call(first)
    (user,) = call.pop("messages")
    model = make_model(first, transport)
    replies = [interactions[1]["response"]] * 2
    answers = recorded_responses(
        {"interactions": [interactions[0], *({"response": r} for r in replies)]}
    )
    later = replay_call(interactions[1]["request"])
    question = later.pop("messages")[-1].parts[0].text
    with respx.mock() as router:
        route = router.post(ENDPOINT).mock(side_effect=answers)
        conversation = model.conversation()
        conversation.prompt(user.parts[0].text, **call).text()
        data = json.loads(json.dumps(conversation.to_dict()))
        restored = Conversation.from_dict(data, model=model)
        conversation.prompt(question, **later).text()
        restored.prompt(question, **later).text()
    recorded = normalize_request(json.loads(interactions[1]["request"]["body"]))
    sent = _sent_bodies(route)
    assert sent[1] == recorded
    assert sent[2] == recorded


def test_overloaded_529_is_retried(transport: Transport) -> None:
    """A synthetic 529 ``overloaded_error`` (no recording has one) is retried."""
    fixture = load_recorded("anthropic/messages_basic_stream.json")
    (interaction,) = fixture["interactions"]
    overloaded = httpx.Response(
        529,
        json={
            "type": "error",
            "error": {"type": "overloaded_error", "message": "Overloaded"},
        },
        headers={"request-id": "req_synthetic"},
    )
    model = make_model(interaction["request"], transport)
    call = replay_call(interaction["request"])
    with respx.mock() as router:
        route = router.post(ENDPOINT).mock(
            side_effect=[overloaded, *recorded_responses(fixture)]
        )
        text = model.prompt(**call).text()
    assert text == expected_outcome(interaction["response"]).text
    assert route.call_count == 2
    with respx.mock() as router:
        router.post(ENDPOINT).mock(return_value=overloaded)
        with pytest.raises(llm.ServerError) as info:
            model.prompt(**call, max_retries=0).text()
    assert (info.value.status_code, info.value.code) == (529, "overloaded_error")
