# Generated from tests/_async/test_persist.py; do not edit.
# Edit the async source and run `python scripts/unasync.py`.
"""Events, messages(), hide_reasoning, and to_dict()/from_dict() on responses."""

from __future__ import annotations

import datetime
import inspect
import json
from typing import Any

import httpx
import pytest
import respx
from hypothesis import given, settings
from hypothesis import strategies as st

import llm_sync as llm
from llm_sync import (
    Attachment,
    Message,
    ReasoningPart,
    Response,
    ScriptedModel,
    ScriptedReply,
    StreamEvent,
    TextPart,
    ToolCall,
    ToolCallPart,
    ToolResult,
    ToolResultPart,
    Usage,
)
from tests.core.media import png_bytes
from tests.core.test_parts import json_values, messages
from tests.openai_support import reset_registry

# True here, False in the generated blocking twin.
IS_ASYNC = inspect.iscoroutinefunction(Response.text)
CANARY = "sk-CANARY-5e1d0c9b7a3f2e48"


def _rich_reply() -> ScriptedReply:
    return ScriptedReply(
        chunks=[
            StreamEvent("reasoning", "Let me think"),
            "The answer",
            " is 4.",
            StreamEvent("tool_call_name", "add", tool_call_id="call_1"),
            StreamEvent("tool_call_args", '{"a": 2, ', tool_call_id="call_1"),
            StreamEvent("tool_call_args", '"b": 2}', tool_call_id="call_1"),
            StreamEvent(
                "tool_call_name", "web", tool_call_id="ws_1", server_executed=True
            ),
            StreamEvent("tool_result", "found", tool_call_id="ws_1", tool_name="web"),
            StreamEvent("reasoning", "", redacted=True, provider_metadata={"o": 1}),
            StreamEvent("text", "Second message", message_index=1),
        ],
        tool_calls=[ToolCall("add", {"a": 2, "b": 2}, "call_1")],
        usage=Usage(input=10, output=5, details={"cached_tokens": 2}),
        resolved_model="scripted-2026-01-01",
    )


EXPECTED_OUTPUT = [
    Message(
        "assistant",
        [
            ReasoningPart("", redacted=True, provider_metadata={"o": 1}),
            ReasoningPart("Let me think"),
            TextPart("The answer is 4."),
            ToolCallPart("add", {"a": 2, "b": 2}, "call_1"),
            ToolCallPart("web", {}, "ws_1", server_executed=True),
            ToolResultPart(name="web", output="found", tool_call_id="ws_1"),
        ],
    ),
    Message("assistant", [TextPart("Second message")]),
]


def test_events_text_and_messages() -> None:
    response = ScriptedModel([_rich_reply()]).prompt("x")
    events = [event for event in response.stream_events()]
    assert [e.type for e in events] == [
        "reasoning",
        "text",
        "text",
        "tool_call_name",
        "tool_call_args",
        "tool_call_args",
        "tool_call_name",
        "tool_result",
        "reasoning",
        "text",
    ]
    assert [chunk for chunk in response] == [
        "The answer",
        " is 4.",
        "Second message",
    ]
    assert response.messages() == EXPECTED_OUTPUT
    replayed = [event for event in response.stream_events()]
    assert replayed == events


def test_hide_reasoning_hides_reasoning_events_only() -> None:
    model = ScriptedModel([_rich_reply()])
    response = model.prompt("x", hide_reasoning=True)
    live = [event.type for event in response.stream_events()]
    assert "reasoning" not in live
    assert live.count("text") == 3
    replay = [event.type for event in response.stream_events()]
    assert replay == live
    # Providers need reasoning parts (e.g. encrypted) to continue: they stay.
    assert (response.messages())[0].parts[:2] == EXPECTED_OUTPUT[0].parts[:2]


def test_prompt_messages_fold_this_turn() -> None:
    model = ScriptedModel(["ok"])
    history = [llm.user("first"), llm.assistant("reply")]
    picture = Attachment(type="image/png", content=b"\x89PNG")
    response = model.prompt("second", messages=history, attachments=[picture])
    assert response.prompt.messages == [
        *history,
        Message("user", [TextPart("second"), llm.parts.AttachmentPart(picture)]),
    ]
    response.text()


def test_explicit_messages_are_copied_and_not_extended_with_system() -> None:
    model = ScriptedModel(["ok", "ok"])
    history = [llm.user("a"), llm.assistant("b")]
    response = model.prompt(messages=history, system="ignored here")
    history.append(llm.user("added later"))
    assert response.prompt.messages == [llm.user("a"), llm.assistant("b")]
    assert response.prompt.system == "ignored here"
    assert response.prompt.messages is not response.prompt.messages
    # Without messages=, only this turn: system, then the user message.
    alone = model.prompt("q", system="S")
    assert alone.prompt.messages == [llm.system("S"), llm.user("q")]
    response.text()
    alone.text()
    assert [p.messages for p in model.prompts] == [
        [llm.user("a"), llm.assistant("b")],
        [llm.system("S"), llm.user("q")],
    ]


def _finished(model: Any, **kwargs: Any) -> Response:
    picture = Attachment(type="image/png", content=b"\x89PNG\r\n")
    response = model.prompt(
        "What is 2+2?",
        system="Be exact",
        attachments=[picture],
        tool_results=[
            ToolResult(
                name="lookup",
                output="4",
                tool_call_id="prev_1",
                attachments=[Attachment(type="image/png", content=b"tool-png")],
                exception=ValueError("partial"),
            )
        ],
        temperature=0.5,
        key=CANARY,
        **kwargs,
    )
    response.text()
    return response


def test_to_dict_shape_and_round_trip() -> None:
    model = ScriptedModel([_rich_reply()])
    response = _finished(model)
    data = response.to_dict()
    text = json.dumps(data)
    assert CANARY not in text
    assert set(data) == {
        "model",
        "prompt",
        "messages",
        "id",
        "usage",
        "datetime_utc",
        "resolved_model",
    }
    assert data["model"] == "scripted"
    assert data["prompt"]["system"] == "Be exact"
    assert data["prompt"]["options"] == {"temperature": 0.5}
    assert data["usage"] == {"input": 10, "output": 5, "details": {"cached_tokens": 2}}
    assert data["resolved_model"] == "scripted-2026-01-01"
    assert [m["role"] for m in data["prompt"]["messages"]] == ["system", "tool", "user"]
    tool_part = data["prompt"]["messages"][1]["parts"][0]
    assert tool_part["exception"] == "ValueError: partial"
    assert data["prompt"]["messages"][2]["parts"][1] == {
        "type": "attachment",
        "attachment": {"type": "image/png", "content": "iVBORw0K"},
    }

    restored = Response.from_dict(json.loads(text), model=model)
    assert restored.to_dict() == data
    assert restored.id == response.id
    assert restored.model is model
    assert restored.prompt.messages == response.prompt.messages
    assert restored.prompt.system == "Be exact"
    assert restored.prompt.options.temperature == 0.5
    assert restored.messages() == EXPECTED_OUTPUT
    assert restored.text() == "The answer is 4.Second message"
    assert restored.tool_calls() == [ToolCall("add", {"a": 2, "b": 2}, "call_1")]
    assert restored.usage() == Usage(10, 5, {"cached_tokens": 2})
    assert restored.resolved_model == "scripted-2026-01-01"
    assert restored.datetime_utc() == response.datetime_utc()
    assert [event for event in restored.stream_events()] == []
    assert "..." not in repr(restored)


def test_from_dict_looks_up_the_model() -> None:
    response = llm.get_model("echo").prompt("hi")
    restored = Response.from_dict(response.to_dict())
    assert restored.model.model_id == "echo"
    assert restored.text() == response.text()
    data = response.to_dict()
    data["model"] = "no-such-model"
    with pytest.raises(llm.UnknownModelError):
        Response.from_dict(data)


def test_from_dict_rejects_malformed_data() -> None:
    model = ScriptedModel()
    with pytest.raises(ValueError, match="'prompt' must be a dict"):
        Response.from_dict({"model": "scripted", "messages": []}, model=model)
    with pytest.raises(ValueError, match="Unknown part type"):
        Response.from_dict(
            {
                "model": "scripted",
                "prompt": {"messages": []},
                "messages": [{"role": "assistant", "parts": [{"type": "?"}]}],
            },
            model=model,
        )
    with pytest.raises(ValueError, match="'usage' must be a dict"):
        Response.from_dict(
            {
                "model": "scripted",
                "prompt": {"messages": []},
                "messages": [],
                "usage": 3,
            },
            model=model,
        )


def test_to_dict_before_completion() -> None:
    model = ScriptedModel(["done"])
    response = model.prompt("x")
    if IS_ASYNC:
        with pytest.raises(ValueError) as caught:
            response.to_dict()
        assert str(caught.value) == (
            "Response not yet awaited — call `await response` before to_dict()"
        )
        assert model.prompts == []
    else:
        # The blocking facade drives the response instead.
        assert response.to_dict()["messages"] == [
            {"role": "assistant", "parts": [{"type": "text", "text": "done"}]}
        ]


def test_rehydrated_response_continues_with_full_history() -> None:
    model = ScriptedModel(["four", "five"])
    first = model.prompt("2+2?", system="Be brief")
    restored = Response.from_dict(json.loads(json.dumps(first.to_dict())), model=model)
    chain = restored.prompt.messages + restored.messages()
    follow = model.prompt("add one", messages=chain)
    assert follow.text() == "five"
    assert model.prompts[-1].messages == [
        llm.system("Be brief"),
        llm.user("2+2?"),
        llm.assistant("four"),
        llm.user("add one"),
    ]
    model.add("six")
    answer = restored.reply("and one more")
    assert answer.text() == "six"
    assert model.prompts[-1].messages == [*chain, llm.user("and one more")]


def _openai_answer(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "chatcmpl-synthetic",
        "object": "chat.completion",
        "model": "gpt-4o-mini-2024-07-18",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 20, "completion_tokens": 6, "total_tokens": 26},
    }


def test_rehydrated_openai_response_replies_with_the_whole_history(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    reset_registry()
    first_answer = _openai_answer(
        {
            "role": "assistant",
            "content": "A cat. Let me check.",
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "lookup", "arguments": '{"q": "cat"}'},
                }
            ],
        }
    )
    second_answer = _openai_answer({"role": "assistant", "content": "Felis catus."})
    picture = Attachment(content=png_bytes())
    try:
        with respx.mock() as router:
            route = router.post("https://api.openai.com/v1/chat/completions").mock(
                side_effect=[
                    httpx.Response(200, json=first_answer),
                    httpx.Response(200, json=second_answer),
                ]
            )
            first = llm.get_model("gpt-4o-mini").prompt(
                "What is this?", system="Be brief", attachments=[picture], stream=False
            )
            first.text()
            payload = json.dumps(first.to_dict())
            assert CANARY not in payload
            restored = Response.from_dict(json.loads(payload))
            assert restored.model.model_id == "gpt-4o-mini"
            assert restored.resolved_model == "gpt-4o-mini-2024-07-18"
            assert restored.tool_calls() == [ToolCall("lookup", {"q": "cat"}, "call_1")]
            follow = restored.reply(
                "And its Latin name?",
                tool_results=[
                    ToolResult("lookup", "a small feline", tool_call_id="call_1")
                ],
            )
            assert follow.text() == "Felis catus."
    finally:
        reset_registry()
    sent = [json.loads(call.request.content) for call in route.calls]
    assert len(sent) == 2
    image_url = "data:image/png;base64," + picture.base64_content()
    assert sent[0]["messages"] == [
        {"role": "system", "content": "Be brief"},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is this?"},
                {"type": "image_url", "image_url": {"url": image_url}},
            ],
        },
    ]
    history = sent[1]["messages"]
    assert history[:2] == sent[0]["messages"]
    assistant, tool, user = history[2:]
    assert assistant["role"] == "assistant"
    assert assistant["content"] == "A cat. Let me check."
    [call] = assistant["tool_calls"]
    assert (call["id"], call["function"]["name"]) == ("call_1", "lookup")
    assert json.loads(call["function"]["arguments"]) == {"q": "cat"}
    assert tool == {
        "role": "tool",
        "tool_call_id": "call_1",
        "content": "a small feline",
    }
    assert user == {"role": "user", "content": "And its Latin name?"}
    assert route.calls[1].request.headers["authorization"] == f"Bearer {CANARY}"


# Property tests: any finished response survives to_dict() → JSON → from_dict().

usages = st.fixed_dictionaries(
    {"input": st.integers(0, 10**9)},
    optional={
        "output": st.integers(0, 10**9),
        "details": st.dictionaries(st.text(max_size=5), json_values, max_size=3),
    },
)
response_dicts = st.fixed_dictionaries(
    {
        "model": st.just("scripted"),
        "prompt": st.fixed_dictionaries(
            {"messages": st.lists(messages.map(Message.to_dict), max_size=3)},
            optional={
                "options": st.fixed_dictionaries(
                    {},
                    optional={
                        "temperature": st.floats(0, 2),
                        "max_tokens": st.integers(1, 10**6),
                    },
                ).filter(bool),
                "system": st.text(min_size=1, max_size=10),
            },
        ),
        "messages": st.lists(
            messages.map(lambda m: Message("assistant", m.parts).to_dict()),
            max_size=3,
        ),
        "id": st.text(
            alphabet="0123456789abcdefghjkmnpqrstvwxyz", min_size=26, max_size=26
        ),
    },
    optional={
        "usage": usages,
        "datetime_utc": st.datetimes(timezones=st.just(datetime.timezone.utc)).map(
            datetime.datetime.isoformat
        ),
        "resolved_model": st.text(min_size=1, max_size=10),
    },
)


@settings(max_examples=100, deadline=None)
@given(response_dicts)
def test_response_dict_round_trip(data: dict[str, Any]) -> None:
    model = ScriptedModel()
    data = json.loads(json.dumps(data))
    restored = Response.from_dict(data, model=model)
    assert json.loads(json.dumps(restored.to_dict())) == data
    again = Response.from_dict(restored.to_dict(), model=model)
    assert again.prompt.messages == restored.prompt.messages
    assert again.to_dict() == restored.to_dict()


@settings(max_examples=50, deadline=None)
@given(st.lists(messages, max_size=3), st.lists(messages, min_size=1, max_size=3))
def test_prompt_messages_and_output_survive(
    history: list[Message], output: list[Message]
) -> None:
    model = ScriptedModel()
    data = {
        "model": "scripted",
        "prompt": {"messages": [m.to_dict() for m in history]},
        "messages": [m.to_dict() for m in output],
    }
    restored = Response.from_dict(json.loads(json.dumps(data)), model=model)
    assert restored.prompt.messages == history
    assert restored.text_or_raise() == "".join(
        p.text for m in output for p in m.parts if isinstance(p, TextPart)
    )
