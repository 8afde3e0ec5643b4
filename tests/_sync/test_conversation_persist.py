# Generated from tests/_async/test_conversation_persist.py; do not edit.
# Edit the async source and run `python scripts/unasync.py`.
"""conversation.to_dict() / Conversation.from_dict(): save, restore, continue."""

from __future__ import annotations

import copy
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
    Conversation,
    Message,
    Model,
    Response,
    ScriptedModel,
    ScriptedReply,
    StreamEvent,
    ToolCall,
    Usage,
)
from tests.core.test_parts import messages
from tests.openai_support import reset_registry
from tests.support import CANARY_KEY

# True here, False in the generated blocking twin.
IS_ASYNC = inspect.iscoroutinefunction(Response.text)
RAN: list[str] = []


def upper(text: str) -> str:
    """Upper-case the text."""
    RAN.append(text)
    return text.upper()


def _json(data: Any) -> Any:
    return json.loads(json.dumps(data))


def _two_turns(model: ScriptedModel) -> Conversation:
    conversation = model.conversation(chain_limit=4)
    conversation.name = "pelicans"
    conversation.prompt("Hi", system="Be brief", key=CANARY_KEY).text()
    conversation.prompt("More", temperature=0.5, key=CANARY_KEY).text()
    return conversation


def test_to_dict_shape_and_round_trip() -> None:
    reply = ScriptedReply(chunks=["Hello"], usage=Usage(input=3, output=1))
    model = ScriptedModel([reply, "Again"])
    conversation = _two_turns(model)
    data = conversation.to_dict()
    text = json.dumps(data)
    assert CANARY_KEY not in text
    assert set(data) == {"id", "name", "model", "responses", "chain_limit"}
    assert data["id"] == conversation.id
    assert (data["name"], data["model"], data["chain_limit"]) == (
        "pelicans",
        "scripted",
        4,
    )
    assert data["responses"] == [r.to_dict() for r in conversation.responses]
    assert "name" not in model.conversation().to_dict()
    assert model.conversation(chain_limit=None).to_dict()["chain_limit"] is None

    restored = Conversation.from_dict(json.loads(text), model=model)
    assert restored.to_dict() == data
    assert (restored.id, restored.name, restored.chain_limit) == (
        conversation.id,
        "pelicans",
        4,
    )
    assert restored.model is model
    assert [r.id for r in restored.responses] == [r.id for r in conversation.responses]
    assert all(r.conversation is restored for r in restored.responses)
    assert restored.responses[0].text() == "Hello"
    assert restored.responses[0].usage() == Usage(3, 1)
    assert restored.responses[1].prompt.options.temperature == 0.5
    assert restored.tools is None
    assert repr(restored).endswith(" - 2 responses>")


def test_restored_conversation_continues_with_the_whole_history() -> None:
    model = ScriptedModel(["Hello", "Again", "Third", "Third"])
    conversation = _two_turns(model)
    restored = Conversation.from_dict(_json(conversation.to_dict()), model=model)
    conversation.prompt("And then?").text()
    restored.prompt("And then?").text()
    original, again = model.prompts[-2:]
    assert again.messages == original.messages
    assert [m.role for m in again.messages] == [
        "system",
        "user",
        "assistant",
        "user",
        "assistant",
        "user",
    ]
    assert len(restored.responses) == 3
    assert (
        restored.to_dict()["responses"][:2] == conversation.to_dict()["responses"][:2]
    )


def test_restored_chain_runs_the_pending_call_with_tools_passed_again() -> None:
    RAN.clear()
    call = ToolCall("upper", {"text": "a"}, "c1")
    model = ScriptedModel([ScriptedReply(tool_calls=[call]), "Finished."])
    conversation = model.conversation(tools=[upper], chain_limit=1)
    with pytest.raises(llm.ChainLimitExceeded):
        conversation.chain("go").text()
    assert RAN == []
    data = _json(conversation.to_dict())
    restored = Conversation.from_dict(data, model=model, tools=[upper])
    assert restored.tools == [upper]
    assert restored.chain(chain_limit=2).text() == "Finished."
    assert RAN == ["a"]
    results = model.prompts[-1].tool_results
    assert [(r.output, r.tool_call_id) for r in results] == [("A", "c1")]
    assert len(restored.responses) == 2


def test_from_dict_looks_up_the_model_of_its_facade() -> None:
    conversation = llm.get_model("echo").conversation()
    conversation.prompt("hi").text()
    restored = Conversation.from_dict(_json(conversation.to_dict()))
    assert restored.model.model_id == "echo"
    assert isinstance(restored.model, Model)  # Model in the blocking twin
    assert json.loads(restored.prompt("again").text())["previous"] == ["hi"]
    data = conversation.to_dict()
    data["model"] = "no-such-model"
    for response in data["responses"]:
        response["model"] = "no-such-model"
    with pytest.raises(llm.UnknownModelError, match="no-such-model"):
        Conversation.from_dict(data)


def test_to_dict_with_a_turn_in_flight() -> None:
    model = ScriptedModel(["one", ["two", " and more"]])
    conversation = model.conversation()
    conversation.prompt("a").text()
    unstarted = conversation.prompt("never read")
    assert len(conversation.to_dict()["responses"]) == 1  # not a turn yet
    del unstarted
    model.add(["three", " and more"])
    streaming = conversation.prompt("b")
    chunks = streaming.__iter__()
    assert chunks.__next__() == "two"
    if IS_ASYNC:
        with pytest.raises(ValueError) as caught:
            conversation.to_dict()
        assert str(caught.value) == (
            "Response not yet awaited — call `await response` "
            "before conversation.to_dict()"
        )
        assert [c for c in chunks] == [" and more"]
    # The blocking facade reads the turn to its end, like response.to_dict().
    data = conversation.to_dict()
    assert len(data["responses"]) == 2
    assert data["responses"][1]["messages"][0]["parts"] == [
        {"type": "text", "text": "two and more"}
    ]


def test_a_failed_turn_is_left_out() -> None:
    model = ScriptedModel(["ok", ScriptedReply(error=RuntimeError("boom"))])
    conversation = model.conversation()
    conversation.prompt("a").text()
    with pytest.raises(RuntimeError):
        conversation.prompt("b").text()
    assert len(conversation.to_dict()["responses"]) == 1


def _valid() -> dict[str, Any]:
    turn = {
        "model": "scripted",
        "prompt": {"messages": [{"role": "user", "parts": []}]},
        "messages": [],
        "id": "r1",
    }
    return {"id": "c1", "model": "scripted", "responses": [turn], "chain_limit": 3}


def _with(**changes: Any) -> dict[str, Any]:
    data = _valid()
    for key, value in changes.items():
        if value is ...:
            del data[key]
        else:
            data[key] = value
    return data


def _turn(**changes: Any) -> dict[str, Any]:
    data = _valid()
    data["responses"][0].update(changes)
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "A conversation dict must be a dict, not list"),
        (_with(id=...), "'id' must be a str"),
        (_with(id=""), "'id' must not be empty"),
        (_with(id=7), "'id' must be a str"),
        (_with(model=...), "'model' must be a str"),
        (_with(responses=...), "'responses' must be a list"),
        (_with(responses={}), "'responses' must be a list"),
        (_with(name=3), "'name' must be a str"),
        (_with(chain_limit="5"), "chain_limit must be a positive integer"),
        (_with(chain_limit=True), "chain_limit must be a positive integer"),
        (_with(responses=["x"]), r"responses\[0\] must be a dict, not str"),
        (_turn(model="other"), r"responses\[0\]\['model'\] is 'other'"),
        (_turn(prompt=[]), r"responses\[0\]: .*'prompt' must be a dict"),
        (_turn(usage=3), r"responses\[0\]: .*'usage' must be a dict"),
    ],
)
def test_from_dict_rejects_malformed_data(data: Any, message: str) -> None:
    model = ScriptedModel()
    with pytest.raises(ValueError, match=message):
        Conversation.from_dict(data, model=model)


def test_from_dict_defaults_and_does_not_change_its_input() -> None:
    data = _with(chain_limit=...)
    del data["responses"][0]["messages"]
    with pytest.raises(
        ValueError, match=r"responses\[0\]: .*'messages' must be a list"
    ):
        Conversation.from_dict(data, model=ScriptedModel())
    data = _with(chain_limit=...)
    kept = copy.deepcopy(data)
    restored = Conversation.from_dict(data, model=ScriptedModel())
    assert data == kept
    assert restored.chain_limit == 10
    assert restored.to_dict() == {**kept, "chain_limit": 10}


def _openai_answer(content: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-synthetic",
        "object": "chat.completion",
        "model": "gpt-4o-mini-2024-07-18",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 20, "completion_tokens": 6, "total_tokens": 26},
    }


def test_restored_openai_conversation_sends_the_whole_history(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", CANARY_KEY)
    reset_registry()
    answers = ["Paris.", "Rome.", "Madrid.", "Madrid."]
    try:
        with respx.mock() as router:
            route = router.post("https://api.openai.com/v1/chat/completions").mock(
                side_effect=[
                    httpx.Response(200, json=_openai_answer(a)) for a in answers
                ]
            )
            conversation = llm.get_model("gpt-4o-mini").conversation()
            conversation.prompt(
                "Capital of France?", system="One word.", stream=False
            ).text()
            conversation.prompt("Of Italy?", stream=False).text()
            payload = json.dumps(conversation.to_dict())
            assert CANARY_KEY not in payload
            restored = Conversation.from_dict(json.loads(payload))
            assert restored.model.model_id == "gpt-4o-mini"
            assert restored.prompt("Of Spain?", stream=False).text() == "Madrid."
            conversation.prompt("Of Spain?", stream=False).text()
    finally:
        reset_registry()
    sent = [json.loads(call.request.content) for call in route.calls]
    assert len(sent) == 4
    assert sent[2]["messages"] == sent[3]["messages"]
    assert sent[2]["messages"] == [
        {"role": "system", "content": "One word."},
        {"role": "user", "content": "Capital of France?"},
        {"role": "assistant", "content": "Paris."},
        {"role": "user", "content": "Of Italy?"},
        {"role": "assistant", "content": "Rome."},
        {"role": "user", "content": "Of Spain?"},
    ]
    assert route.calls[2].request.headers["authorization"] == f"Bearer {CANARY_KEY}"


# Property tests: conversations built by running scripted models survive
# to_dict() → JSON → from_dict() → to_dict().

texts = st.text(max_size=8)
replies = st.builds(
    ScriptedReply,
    chunks=st.lists(
        texts | st.builds(StreamEvent, type=st.just("reasoning"), chunk=texts),
        max_size=3,
    ),
    usage=st.none()
    | st.builds(Usage, input=st.integers(0, 10**6), output=st.integers(0, 10**6)),
    tool_calls=st.lists(
        st.builds(
            ToolCall,
            name=st.sampled_from(["upper", "lookup"]),
            arguments=st.dictionaries(st.text(max_size=3), texts, max_size=2),
            tool_call_id=st.none() | st.text(min_size=1, max_size=4),
        ),
        max_size=2,
    ),
)
turns = st.lists(
    st.tuples(
        texts,
        replies,
        st.none() | st.text(min_size=1, max_size=6),
        st.none() | st.lists(messages, max_size=2),
    ),
    max_size=4,
)


@settings(max_examples=60, deadline=None)
@given(
    turns,
    st.none() | st.text(max_size=6),
    st.none() | st.integers(1, 50),
)
def test_conversation_dict_round_trip(
    script: list[tuple[str, ScriptedReply, str | None, list[Message] | None]],
    name: str | None,
    chain_limit: int | None,
) -> None:
    model = ScriptedModel([reply for _, reply, _, _ in script])
    conversation = model.conversation(chain_limit=chain_limit)
    conversation.name = name
    for text, _, system, history in script:
        conversation.prompt(text, system=system, messages=history).text()
    data = _json(conversation.to_dict())
    restored = Conversation.from_dict(data, model=model)
    assert _json(restored.to_dict()) == data
    again = Conversation.from_dict(restored.to_dict(), model=model)
    assert again.to_dict() == restored.to_dict()
    for old, new in zip(conversation.responses, again.responses, strict=True):
        assert new.prompt.messages == old.prompt.messages
        assert new._state.messages() == old._state.messages()
