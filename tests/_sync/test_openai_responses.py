# Generated from tests/_async/test_openai_responses.py; do not edit.
# Edit the async source and run `python scripts/unasync.py`.
"""The OpenAI Responses API models: every recording replayed, the encrypted
reasoning round trip (conversations, reply(), chains, to_dict/from_dict), and
synthetic answers for reasoning summaries, hosted tools and failures."""

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
from tests.openai_responses_support import (
    RESPONSES_URL,
    CodeInterpreter,
    ModelSpec,
    WebSearch,
    expected_outcome,
    recorded_cases,
    replay_call,
    synthetic_response,
    synthetic_stream,
)
from tests.support import CANARY_KEY, load_recorded, recorded_responses

FAST = RetryPolicy(initial_delay=0.01, max_delay=0.02)
ROUND_TRIP = "openai_responses/responses_encrypted_reasoning_round_trip.json"


@pytest.fixture
def transport() -> Iterator[Transport]:
    with Transport(retry=FAST) as shared:
        yield shared


def make_model(
    transport: Transport, model_id: str = "gpt-5.5", **spec: Any
) -> HTTPModel:
    """A model like the built-in gpt-5.5 (or ``spec``), on a test transport."""
    flags: dict[str, Any] = {
        "api": "responses",
        "reasoning": True,
        "vision": True,
        "verbosity": True,
        "supports_tools": True,
        "supports_schema": True,
        "service_tier": True,
    }
    built = ModelSpec(model_id, **{**flags, **spec})
    model = HTTPModel(
        built.model_id, built.provider(), transport=transport, **built.model_kwargs()
    )
    model.key = CANARY_KEY
    return model


def sent_bodies(route: Any) -> list[dict[str, Any]]:
    return [json.loads(call.request.content) for call in route.calls]


def recorded_bodies(fixture: dict[str, Any]) -> list[dict[str, Any]]:
    return [json.loads(it["request"]["body"]) for it in fixture["interactions"]]


def lookup_population(country: str) -> int:
    """Returns the current population of the specified fictional country."""
    return 123124


def can_have_dragons(population: int) -> bool:
    """Returns True if the specified population can have dragons."""
    return True


def multiply(a: int, b: int) -> int:
    """Multiply two numbers."""
    return a * b


# Every recording --------------------------------------------------------------------


@pytest.mark.parametrize(("name", "index"), recorded_cases())
def test_recorded_answer_replays(transport: Transport, name: str, index: int) -> None:
    interaction = load_recorded(name)["interactions"][index]
    request = interaction["request"]
    expected = expected_outcome(interaction["response"])
    call = replay_call(request)
    model = make_model(transport)
    with respx.mock() as router:
        route = router.post(request["url"]).mock(
            side_effect=recorded_responses({"interactions": [interaction]})
        )
        response = model.prompt(**call)
        chunks = [chunk for chunk in response]
    # The request is exactly the recorded one.
    sent = route.calls[0].request
    assert sent.headers["authorization"] == f"Bearer {CANARY_KEY}"
    assert json.loads(sent.content) == json.loads(request["body"])
    # The answer.
    assert chunks == expected.text_deltas
    assert response.text() == expected.text
    usage = response.usage()
    assert (usage.input, usage.output) == (
        expected.usage["input_tokens"],
        expected.usage["output_tokens"],
    )
    reasoning_tokens = expected.usage["output_tokens_details"]["reasoning_tokens"]
    if reasoning_tokens:
        assert usage.details == {
            "output_tokens_details": {"reasoning_tokens": reasoning_tokens}
        }
    assert response.resolved_model == expected.model
    calls = response.tool_calls()
    assert [(c.name, c.arguments, c.tool_call_id) for c in calls] == (
        expected.tool_calls
    )
    data = response.json()
    assert data is not None
    assert data["id"] == expected.final["id"]
    assert data["output"] == expected.final["output"]
    assert data["usage"] == expected.final["usage"]
    assert "error" not in data  # None values are dropped
    # The message: the reasoning items (with their ciphertext), text, calls.
    messages = response.messages()
    parts = [part for message in messages for part in message.parts]
    reasoning = [p for p in parts if isinstance(p, llm.ReasoningPart)]
    assert [p.provider_metadata for p in reasoning] == [
        {"openai": {"id": item["id"], "encrypted_content": item["encrypted_content"]}}
        for item in expected.reasoning_items
    ]
    assert all(p.redacted and p.text == "" for p in reasoning)
    texts = [p.text for p in parts if isinstance(p, llm.TextPart)]
    assert texts == ([expected.text] if expected.text else [])


def test_recorded_error_body_raises_the_typed_error(
    transport: Transport,
) -> None:
    """Synthetic: an OpenAI error body from /v1/responses."""
    body = {
        "error": {
            "message": "Unsupported parameter: 'temperature' is not supported "
            "with this model.",
            "type": "invalid_request_error",
            "param": "temperature",
            "code": "unsupported_parameter",
        }
    }
    model = make_model(transport)
    with respx.mock() as router:
        router.post(RESPONSES_URL).mock(
            return_value=httpx.Response(
                400, json=body, headers={"x-request-id": "req_synthetic"}
            )
        )
        with pytest.raises(llm.BadRequestError) as info:
            model.prompt("hi").text()
    assert info.value.code == "unsupported_parameter"
    assert "temperature" in info.value.message
    assert info.value.request_id == "req_synthetic"
    assert CANARY_KEY not in "".join(traceback.format_exception(info.value))


# Encrypted reasoning across turns ---------------------------------------------------


def test_chain_sends_the_encrypted_reasoning_back(
    transport: Transport,
) -> None:
    """The recorded three-request tool chain, reproduced request for request."""
    fixture = load_recorded(ROUND_TRIP)
    recorded = recorded_bodies(fixture)
    model = make_model(transport)
    with respx.mock() as router:
        route = router.post(RESPONSES_URL).mock(side_effect=recorded_responses(fixture))
        chain = model.chain(
            recorded[0]["input"][0]["content"],
            tools=[lookup_population, can_have_dragons],
            options={"reasoning_effort": "high"},
            stream=False,
        )
        text = chain.text()
    assert "Pundora" in text
    assert sent_bodies(route) == recorded


def test_conversation_and_reply_send_the_reasoning_back(
    transport: Transport,
) -> None:
    """Turn by turn: a conversation, a reply() and a restored conversation."""
    fixture = load_recorded(ROUND_TRIP)
    recorded = recorded_bodies(fixture)
    model = make_model(transport)
    tools = [lookup_population, can_have_dragons]
    with respx.mock() as router:
        route = router.post(RESPONSES_URL).mock(side_effect=recorded_responses(fixture))
        conversation = model.conversation(tools=tools)
        first = conversation.prompt(
            recorded[0]["input"][0]["content"], reasoning_effort="high", stream=False
        )
        results = first.execute_tool_calls()
        second = conversation.prompt(
            tool_results=results, reasoning_effort="high", stream=False
        )
        second.text()
        # Saved and restored as JSON: the ciphertext survives.
        saved = json.loads(json.dumps(conversation.to_dict()))
        restored = Conversation.from_dict(saved, model=model, tools=tools)
        last = restored.responses[-1].execute_tool_calls(tools=tools)
        third = restored.prompt(
            tool_results=last, reasoning_effort="high", stream=False
        )
        assert "dragons" in third.text()
    assert sent_bodies(route) == recorded
    # reply() on the first response sends the same second request.
    with respx.mock() as router:
        route = router.post(RESPONSES_URL).mock(
            side_effect=recorded_responses(
                {"interactions": fixture["interactions"][1:2]}
            )
        )
        reply = first.reply(reasoning_effort="high", stream=False)
        reply.text()
    assert sent_bodies(route) == recorded[1:2]


def test_response_from_dict_keeps_the_reasoning_item(
    transport: Transport,
) -> None:
    fixture = load_recorded(ROUND_TRIP)
    model = make_model(transport)
    with respx.mock() as router:
        router.post(RESPONSES_URL).mock(side_effect=recorded_responses(fixture))
        response = model.prompt(
            "Pick a country", tools=[lookup_population], stream=False
        )
        response.text()
    restored = llm.Response.from_dict(
        json.loads(json.dumps(response.to_dict())), model=model
    )
    parts = (restored.messages())[0].parts
    reasoning = [p for p in parts if isinstance(p, llm.ReasoningPart)]
    item = json.loads(fixture["interactions"][0]["response"]["body"])["output"][0]
    assert reasoning[0].provider_metadata == {
        "openai": {"id": item["id"], "encrypted_content": item["encrypted_content"]}
    }


def test_streamed_tool_chain_matches_the_recording(
    transport: Transport,
) -> None:
    fixture = load_recorded("openai_responses/responses_tool_use_stream.json")
    recorded = recorded_bodies(fixture)
    model = make_model(transport)
    with respx.mock() as router:
        route = router.post(RESPONSES_URL).mock(side_effect=recorded_responses(fixture))
        chain = model.chain(
            recorded[0]["input"][0]["content"],
            tools=[multiply],
            options={"reasoning_effort": "low"},
        )
        chunks = [chunk for chunk in chain]
    assert (
        "".join(chunks) == expected_outcome(fixture["interactions"][1]["response"]).text
    )
    assert sent_bodies(route) == recorded


# Reasoning summaries (synthetic) --------------------------------------------------


REASONING_ITEM = {
    "id": "rs_synthetic",
    "type": "reasoning",
    "encrypted_content": "synthetic-ciphertext-2",
    "summary": [
        {"type": "summary_text", "text": "First idea."},
        {"type": "summary_text", "text": "Second idea."},
    ],
}
MESSAGE_ITEM = {
    "id": "msg_synthetic",
    "type": "message",
    "role": "assistant",
    "content": [{"type": "output_text", "text": "Done.", "annotations": []}],
}


def summary_stream() -> httpx.Response:
    """Synthetic: two summary paragraphs, then the answer."""
    rs, msg = REASONING_ITEM["id"], MESSAGE_ITEM["id"]
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": {"id": "resp_synthetic"}},
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": {"id": rs, "type": "reasoning", "summary": []},
        },
        {
            "type": "response.reasoning_summary_text.delta",
            "item_id": rs,
            "summary_index": 0,
            "delta": "First ",
        },
        {
            "type": "response.reasoning_summary_text.delta",
            "item_id": rs,
            "summary_index": 0,
            "delta": "idea.",
        },
        {
            "type": "response.reasoning_summary_text.delta",
            "item_id": rs,
            "summary_index": 1,
            "delta": "Second idea.",
        },
        {
            "type": "response.output_item.done",
            "output_index": 0,
            "item": {**REASONING_ITEM, "encrypted_content": "synthetic-ciphertext-1"},
        },
        {
            "type": "response.output_item.added",
            "output_index": 1,
            "item": {"id": msg, "type": "message", "content": []},
        },
        {"type": "response.output_text.delta", "item_id": msg, "delta": "Done."},
        {"type": "response.output_item.done", "output_index": 1, "item": MESSAGE_ITEM},
    ]
    return synthetic_stream(events, final_output=[REASONING_ITEM, MESSAGE_ITEM])


@pytest.mark.parametrize("stream", [True, False])
def test_reasoning_summary_events_and_parts(transport: Transport, stream: bool) -> None:
    model = make_model(transport)
    answer = (
        summary_stream()
        if stream
        else synthetic_response([REASONING_ITEM, MESSAGE_ITEM])
    )
    with respx.mock() as router:
        route = router.post(RESPONSES_URL).mock(return_value=answer)
        response = model.prompt(
            "Think", reasoning_summary="auto", reasoning_effort="low", stream=stream
        )
        events = [event for event in response.stream_events()]
    body = sent_bodies(route)[0]
    assert body["reasoning"] == {"effort": "low", "summary": "auto"}
    assert body["include"] == ["reasoning.encrypted_content"]
    assert body["store"] is False
    reasoning = "".join(e.chunk for e in events if e.type == "reasoning")
    assert reasoning == "First idea.\n\nSecond idea."
    assert "".join(e.chunk for e in events if e.type == "text") == "Done."
    part = (response.messages())[0].parts[0]
    assert isinstance(part, llm.ReasoningPart)
    assert (part.text, part.redacted) == ("First idea.\n\nSecond idea.", False)
    # The final ciphertext (response.completed) is the one kept.
    assert part.provider_metadata == {
        "openai": {
            "id": "rs_synthetic",
            "encrypted_content": "synthetic-ciphertext-2",
            "summary": REASONING_ITEM["summary"],
        }
    }
    usage = response.usage()
    assert usage.details == {
        "input_tokens_details": {"cached_tokens": 4},
        "output_tokens_details": {"reasoning_tokens": 12},
    }
    # Sent back next turn: the item with its summary, before the answer.
    with respx.mock() as router:
        route = router.post(RESPONSES_URL).mock(
            return_value=synthetic_response([MESSAGE_ITEM])
        )
        (response.reply("And?", stream=False)).text()
    assert sent_bodies(route)[0]["input"] == [
        {"role": "user", "content": "Think"},
        {
            "type": "reasoning",
            "id": "rs_synthetic",
            "encrypted_content": "synthetic-ciphertext-2",
            "summary": REASONING_ITEM["summary"],
        },
        {"role": "assistant", "content": "Done."},
        {"role": "user", "content": "And?"},
    ]


def test_hide_reasoning_asks_for_no_summary_and_hides_events(
    transport: Transport,
) -> None:
    model = make_model(transport)
    with respx.mock() as router:
        route = router.post(RESPONSES_URL).mock(return_value=summary_stream())
        response = model.prompt("Think", reasoning_summary="auto", hide_reasoning=True)
        events = [event for event in response.stream_events()]
    assert "summary" not in sent_bodies(route)[0].get("reasoning", {})
    assert [e.type for e in events] == ["text"]
    # Kept in the message, for the next turn.
    parts = (response.messages())[0].parts
    assert isinstance(parts[0], llm.ReasoningPart)


def test_reasoning_tokens_without_items_give_a_redacted_marker(
    transport: Transport,
) -> None:
    model = make_model(transport, reasoning=False)
    with respx.mock() as router:
        route = router.post(RESPONSES_URL).mock(
            return_value=synthetic_response([MESSAGE_ITEM])
        )
        response = model.prompt("hi", temperature=0.5, stream=False)
        parts = (response.messages())[0].parts
    body = sent_bodies(route)[0]
    assert body["temperature"] == 0.5
    assert "include" not in body and "reasoning" not in body
    assert isinstance(parts[0], llm.ReasoningPart) and parts[0].redacted


# Requests: options, schema, attachments -------------------------------------------


def test_request_options_schema_system_and_attachments(
    transport: Transport,
) -> None:
    png = llm.Attachment(content=b"\x89PNG\r\n\x1a\n" + b"\0" * 16)
    pdf = llm.Attachment(content=b"%PDF-1.4 synthetic", type="application/pdf")
    model = make_model(transport, image_detail_original=True)
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}}
    with respx.mock() as router:
        route = router.post(RESPONSES_URL).mock(
            return_value=synthetic_response([MESSAGE_ITEM])
        )
        response = model.prompt(
            "Describe",
            system="Be brief",
            attachments=[png, pdf],
            schema=schema,
            max_tokens=50,
            verbosity="low",
            image_detail="original",
            service_tier="flex",
            stream=False,
        )
        response.text()
    body = sent_bodies(route)[0]
    assert body["instructions"] == "Be brief"
    assert body["max_output_tokens"] == 50
    assert body["service_tier"] == "flex"
    assert body["text"] == {
        "verbosity": "low",
        "format": {
            "type": "json_schema",
            "name": "output",
            "schema": schema,
            "strict": False,
        },
    }
    content = body["input"][0]["content"]
    assert content[0] == {"type": "input_text", "text": "Describe"}
    assert content[1]["type"] == "input_image"
    assert content[1]["image_url"].startswith("data:image/png;base64,")
    assert content[1]["detail"] == "original"
    assert content[2]["type"] == "input_file"
    assert content[2]["file_data"].startswith("data:application/pdf;base64,")
    assert content[2]["filename"].endswith(".pdf")


def test_reasoning_models_reject_sampling_options(
    transport: Transport,
) -> None:
    model = make_model(transport)
    for name in ("temperature", "top_p", "stop", "seed", "logit_bias"):
        with pytest.raises(ValueError, match=name):
            model.prompt("hi", **{name: 0.5})
    with pytest.raises(ValueError, match="reasoning_effort"):
        model.prompt("hi", reasoning_effort="extreme")


# Hosted tools (synthetic) ----------------------------------------------------------


WEB_SEARCH_ITEM = {
    "id": "ws_synthetic",
    "type": "web_search_call",
    "status": "completed",
    "action": {"type": "search", "query": "llm news"},
}
CODE_ITEM = {
    "id": "ci_synthetic",
    "type": "code_interpreter_call",
    "status": "completed",
    "code": "print(6 * 7)",
    "outputs": [{"type": "logs", "logs": "42\n"}],
}


@pytest.mark.parametrize("stream", [True, False])
def test_hosted_tools_run_at_openai(transport: Transport, stream: bool) -> None:
    model = make_model(transport)
    output = [WEB_SEARCH_ITEM, CODE_ITEM, MESSAGE_ITEM]
    if stream:
        events: list[dict[str, Any]] = []
        for index, item in enumerate(output):
            added = {"id": item["id"], "type": item["type"]}
            events.append(
                {
                    "type": "response.output_item.added",
                    "output_index": index,
                    "item": added,
                }
            )
            if item is MESSAGE_ITEM:
                events.append(
                    {
                        "type": "response.output_text.delta",
                        "item_id": item["id"],
                        "delta": "Done.",
                    }
                )
            events.append(
                {
                    "type": "response.output_item.done",
                    "output_index": index,
                    "item": item,
                }
            )
        answer = synthetic_stream(events, final_output=output)
    else:
        answer = synthetic_response(output)
    tools = [
        WebSearch(allowed_domains=["example.com"], include_sources=True),
        CodeInterpreter(memory_limit="4g"),
    ]
    with respx.mock() as router:
        route = router.post(RESPONSES_URL).mock(return_value=answer)
        response = model.prompt("Search and compute", tools=tools, stream=stream)
        assert response.text() == "Done."
        assert response.tool_calls() == []  # nothing for the chain to run
    body = sent_bodies(route)[0]
    assert body["tools"] == [
        {"type": "web_search", "filters": {"allowed_domains": ["example.com"]}},
        {
            "type": "code_interpreter",
            "container": {"type": "auto", "memory_limit": "4g"},
        },
    ]
    assert body["include"] == [
        "reasoning.encrypted_content",
        "web_search_call.action.sources",
        "code_interpreter_call.outputs",
    ]
    parts = (response.messages())[0].parts
    calls = [p for p in parts if isinstance(p, llm.ToolCallPart)]
    results = [p for p in parts if isinstance(p, llm.ToolResultPart)]
    assert [(c.name, c.arguments, c.server_executed) for c in calls] == [
        ("web_search", WEB_SEARCH_ITEM["action"], True),
        ("code_interpreter", {"code": "print(6 * 7)"}, True),
    ]
    assert [(r.name, r.output, r.server_executed) for r in results] == [
        ("web_search", "completed", True),
        ("code_interpreter", "42\n", True),
    ]
    # Never sent back as function calls.
    with respx.mock() as router:
        route = router.post(RESPONSES_URL).mock(
            return_value=synthetic_response([MESSAGE_ITEM])
        )
        (response.reply("More", stream=False)).text()
    kinds = [
        item.get("type", item.get("role")) for item in sent_bodies(route)[0]["input"]
    ]
    assert kinds == ["user", "assistant", "user"]


def test_chat_models_refuse_hosted_tools() -> None:
    with pytest.raises(ValueError, match="does not support server-side tool"):
        llm.get_model("gpt-4o-mini").prompt("hi", tools=[WebSearch()])


# Failures (synthetic) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "error_type"),
    [
        ("rate_limit_exceeded", llm.RateLimitError),
        ("context_length_exceeded", llm.ContextWindowExceededError),
        ("server_error", llm.ServerError),
    ],
)
def test_response_failed_raises_the_typed_error(
    transport: Transport, code: str, error_type: type[Exception]
) -> None:
    failed = {
        "type": "response.failed",
        "response": {
            "id": "resp_synthetic",
            "status": "failed",
            "error": {"code": code, "message": f"Synthetic failure: {code}"},
        },
    }
    model = make_model(transport)
    with respx.mock() as router:
        route = router.post(RESPONSES_URL).mock(
            return_value=synthetic_stream([failed], complete=False)
        )
        with pytest.raises(error_type) as info:
            model.prompt("hi", max_retries=0).text()
    assert f"Synthetic failure: {code}" in str(info.value)
    assert route.call_count == 1


def test_error_event_after_text_interrupts_the_stream(
    transport: Transport,
) -> None:
    events = [
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": {"id": "msg_1", "type": "message"},
        },
        {"type": "response.output_text.delta", "item_id": "msg_1", "delta": "Part"},
        {"type": "error", "code": "server_error", "message": "Synthetic outage"},
    ]
    model = make_model(transport)
    with respx.mock() as router:
        router.post(RESPONSES_URL).mock(
            return_value=synthetic_stream(events, complete=False)
        )
        response = model.prompt("hi")
        with pytest.raises(llm.StreamInterruptedError) as info:
            for _ in response:
                pass
    assert info.value.partial_text == "Part"
    assert isinstance(info.value.__cause__, llm.ServerError)
    assert "Synthetic outage" in str(info.value.__cause__)


def test_stream_cut_before_completion_is_an_error(
    transport: Transport,
) -> None:
    events = [
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": {
                "id": "fc_1",
                "type": "function_call",
                "call_id": "call_1",
                "name": "multiply",
            },
        },
        {
            "type": "response.function_call_arguments.delta",
            "item_id": "fc_1",
            "delta": '{"a": 1',
        },
    ]
    model = make_model(transport)
    with respx.mock() as router:
        router.post(RESPONSES_URL).mock(
            return_value=synthetic_stream(events, complete=False)
        )
        response = model.prompt("hi", tools=[multiply], max_retries=0)
        with pytest.raises(llm.StreamInterruptedError) as info:
            response.text()
    assert isinstance(info.value.__cause__, llm.APIConnectionError)
    # No call was recorded from the cut arguments.
    assert response._state.tool_calls == []


def test_failed_non_streamed_response(transport: Transport) -> None:
    model = make_model(transport)
    body = {
        "id": "resp_synthetic",
        "object": "response",
        "status": "failed",
        "error": {"code": "rate_limit_exceeded", "message": "Synthetic: slow down"},
        "output": [],
    }
    with respx.mock() as router:
        router.post(RESPONSES_URL).mock(return_value=httpx.Response(200, json=body))
        with pytest.raises(llm.RateLimitError, match="slow down"):
            model.prompt("hi", stream=False, max_retries=0).text()
