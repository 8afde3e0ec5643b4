"""Parts and messages: equality, helpers, to_dict/from_dict (incl. property tests)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import llm_async as llm
from llm_async import (
    Attachment,
    AttachmentPart,
    Message,
    Part,
    ReasoningPart,
    TextPart,
    ToolCallPart,
    ToolResultPart,
)
from llm_async._core.parts import normalize_parts


def test_helpers_normalise_items() -> None:
    picture = Attachment(type="image/png", url="https://example.com/a.png")
    assert llm.user("hi") == Message("user", [TextPart("hi")])
    message = llm.user("look", [picture, ("and", ReasoningPart("x"))])
    assert message.parts == [
        TextPart("look"),
        AttachmentPart(picture),
        TextPart("and"),
        ReasoningPart("x"),
    ]
    assert llm.system("s").role == "system"
    assert llm.assistant("a").role == "assistant"
    result = ToolResultPart(name="f", output="1", tool_call_id="c1")
    tool = llm.tool_message(result, provider_metadata={"p": 1})
    assert tool == Message("tool", [result], {"p": 1})
    assert llm.parts.TextPart is TextPart


def test_helpers_reject_other_items() -> None:
    with pytest.raises(TypeError, match=r"Cannot convert 42 to an llm Part"):
        llm.user("x", 42)
    with pytest.raises(TypeError, match="Cannot convert"):
        normalize_parts([{"type": "text"}])


def test_reasoning_part_has_no_token_count() -> None:
    with pytest.raises(TypeError, match="token_count"):
        ReasoningPart("x", token_count=3)  # type: ignore[call-arg]


def test_to_dict_emits_only_set_keys() -> None:
    assert TextPart("hi").to_dict() == {"type": "text", "text": "hi"}
    assert ReasoningPart("r", redacted=True, provider_metadata={"a": 1}).to_dict() == {
        "type": "reasoning",
        "text": "r",
        "redacted": True,
        "provider_metadata": {"a": 1},
    }
    assert ToolCallPart("f", {"x": 1}).to_dict() == {
        "type": "tool_call",
        "name": "f",
        "arguments": {"x": 1},
    }
    assert ToolCallPart("f", {}, "c", server_executed=True).to_dict() == {
        "type": "tool_call",
        "name": "f",
        "arguments": {},
        "tool_call_id": "c",
        "server_executed": True,
    }
    result = ToolResultPart(
        name="f",
        output="o",
        tool_call_id="c",
        attachments=[Attachment(content=b"\x00\x01", type="image/png")],
        exception="ValueError: bad",
    )
    assert result.to_dict() == {
        "type": "tool_result",
        "name": "f",
        "output": "o",
        "tool_call_id": "c",
        "exception": "ValueError: bad",
        "attachments": [{"type": "image/png", "content": "AAE="}],
    }
    assert AttachmentPart().to_dict() == {"type": "attachment"}
    assert Message("user", [TextPart("a")], {}).to_dict() == {
        "role": "user",
        "parts": [{"type": "text", "text": "a"}],
    }


def test_empty_metadata_is_none() -> None:
    assert TextPart("a", {}) == TextPart("a")
    assert Message("user", [], {}).provider_metadata is None


def test_from_dict_errors_are_clear() -> None:
    with pytest.raises(ValueError, match=r"Unknown part type: 'video'"):
        Part.from_dict({"type": "video"})
    with pytest.raises(ValueError, match=r"Unknown part type: None"):
        Part.from_dict({"text": "no type"})
    with pytest.raises(ValueError, match=r"'text' must be str, not int"):
        Part.from_dict({"type": "text", "text": 3})
    with pytest.raises(ValueError, match=r"'arguments' must be dict"):
        Part.from_dict({"type": "tool_call", "name": "f", "arguments": "[]"})
    with pytest.raises(ValueError, match="string 'role'"):
        Message.from_dict({"parts": []})
    with pytest.raises(ValueError, match="must be a dict"):
        Message.from_dict(["user"])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not valid base64"):
        Part.from_dict({"type": "attachment", "attachment": {"content": "!!"}})


# Property tests ------------------------------------------------------------------

json_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
metadata = st.none() | st.dictionaries(
    st.text(min_size=1, max_size=6), json_values, min_size=1, max_size=3
)
text = st.text(max_size=20)
ids = st.none() | st.text(min_size=1, max_size=10)

attachments = st.builds(
    Attachment,
    type=st.none() | st.sampled_from(["image/png", "application/pdf", "audio/wav"]),
    path=st.none() | st.text(min_size=1, max_size=15),
    url=st.none() | st.just("https://example.com/x.png"),
    content=st.binary(max_size=30),
)
parts: st.SearchStrategy[Part] = st.one_of(
    st.builds(TextPart, text=text, provider_metadata=metadata),
    st.builds(
        ReasoningPart, text=text, redacted=st.booleans(), provider_metadata=metadata
    ),
    st.builds(
        ToolCallPart,
        name=text,
        arguments=st.dictionaries(st.text(max_size=5), json_values, max_size=3),
        tool_call_id=ids,
        server_executed=st.booleans(),
        provider_metadata=metadata,
    ),
    st.builds(
        ToolResultPart,
        name=text,
        output=text,
        tool_call_id=ids,
        server_executed=st.booleans(),
        attachments=st.lists(attachments, max_size=2),
        exception=st.none() | text,
        provider_metadata=metadata,
    ),
    st.builds(
        AttachmentPart,
        attachment=st.none() | attachments,
        provider_metadata=metadata,
    ),
)
messages = st.builds(
    Message,
    role=st.sampled_from(["system", "user", "assistant", "tool"]),
    parts=st.lists(parts, max_size=4),
    provider_metadata=metadata,
)


def _through_json(data: Any) -> Any:
    return json.loads(json.dumps(data))


@settings(max_examples=150, deadline=None)
@given(parts)
def test_part_round_trip(part: Part) -> None:
    assert Part.from_dict(_through_json(part.to_dict())) == part


@settings(max_examples=150, deadline=None)
@given(messages)
def test_message_round_trip(message: Message) -> None:
    assert Message.from_dict(_through_json(message.to_dict())) == message


@settings(max_examples=100, deadline=None)
@given(attachments)
def test_attachment_round_trip(attachment: Attachment) -> None:
    restored = Attachment.from_dict(_through_json(attachment.to_dict()))
    assert restored == attachment
    assert restored.id() == attachment.id()
