"""Part-index allocation and messages() assembly (§1.8)."""

from __future__ import annotations

import pytest

from llm_async import (
    Message,
    ReasoningPart,
    StreamEvent,
    TextPart,
    ToolCall,
    ToolCallPart,
    ToolResultPart,
)
from llm_async._core.stream_state import StreamAccumulator, assemble_messages


def _feed(*items: str | StreamEvent) -> StreamAccumulator:
    state = StreamAccumulator()
    for item in items:
        state.add(item)
    return state


def _indexes(state: StreamAccumulator) -> list[int | None]:
    return [event.part_index for event in state.events]


def test_strings_are_text_events_sharing_a_part() -> None:
    state = _feed("Hel", "lo")
    assert [(e.type, e.chunk) for e in state.events] == [
        ("text", "Hel"),
        ("text", "lo"),
    ]
    assert _indexes(state) == [0, 0]
    assert state.text() == "Hello"
    assert state.messages() == [Message("assistant", [TextPart("Hello")])]


def test_plain_text_events_are_stored_as_runs_and_replayed_equal() -> None:
    items: list[str | StreamEvent] = [
        "a",
        "b",
        StreamEvent("text", "c", 0),
        StreamEvent("text", "d", 0, provider_metadata={"k": "v"}),
        StreamEvent("text", "e", 0),
        StreamEvent("reasoning", "r"),
        StreamEvent("text", "f", 5),
        StreamEvent("text", "g", 5, message_index=1),
        StreamEvent("text", "h", 5, message_index=1),
        *[StreamEvent("text", str(i), 6, message_index=1) for i in range(1000)],
    ]
    state = StreamAccumulator()
    returned = [state.add(item) for item in items]
    assert state.events == returned
    assert state.text() == "abcdefgh" + "".join(str(i) for i in range(1000))
    assert len(state._log) == 7  # runs abc, e, f, gh and the 1000: one entry each
    assert len(state.messages()) == 2
    state.add("i")
    assert state.events == [*returned, StreamEvent("text", "i", 7)]
    assert state.messages() == assemble_messages([*returned, state.events[-1]], [])


def test_family_changes_allocate_new_parts() -> None:
    state = _feed(
        StreamEvent("reasoning", "think"),
        StreamEvent("reasoning", "ing"),
        "answer",
        StreamEvent("reasoning", "more"),
        "end",
    )
    assert _indexes(state) == [0, 0, 1, 2, 3]
    assert state.messages() == [
        Message(
            "assistant",
            [
                ReasoningPart("thinking"),
                TextPart("answer"),
                ReasoningPart("more"),
                TextPart("end"),
            ],
        )
    ]


def test_message_index_change_starts_a_new_part_and_message() -> None:
    state = _feed(
        StreamEvent("text", "one"),
        StreamEvent("text", "two", message_index=1),
        StreamEvent("text", "!", message_index=1),
    )
    assert _indexes(state) == [0, 1, 1]
    assert state.messages() == [
        Message("assistant", [TextPart("one")]),
        Message("assistant", [TextPart("two!")]),
    ]


def test_tool_call_events_by_id_and_glued_args() -> None:
    state = _feed(
        StreamEvent("tool_call_name", "a", tool_call_id="c1"),
        StreamEvent("tool_call_name", "b", tool_call_id="c2"),
        StreamEvent("tool_call_args", '{"x": ', tool_call_id="c1"),
        StreamEvent("tool_call_args", '{"y": 2}', tool_call_id="c2"),
        StreamEvent("tool_call_args", "1}", tool_call_id="c1"),
        StreamEvent("tool_call_name", "c"),
        StreamEvent("tool_call_args", '{"z"'),
        StreamEvent("tool_call_args", ": 3}"),
        StreamEvent("tool_call_name", "d"),
    )
    assert _indexes(state) == [0, 1, 0, 1, 0, 2, 2, 2, 3]
    assert state.messages()[0].parts == [
        ToolCallPart("a", {"x": 1}, "c1"),
        ToolCallPart("b", {"y": 2}, "c2"),
        ToolCallPart("c", {"z": 3}),
        ToolCallPart("d", {}),
    ]


def test_args_without_a_preceding_call_start_a_part() -> None:
    state = _feed("text", StreamEvent("tool_call_args", "{}"))
    assert _indexes(state) == [0, 1]


def test_tool_results_always_start_a_part() -> None:
    state = _feed(
        StreamEvent("tool_result", "r1", tool_name="search", tool_call_id="s1"),
        StreamEvent("tool_result", "r2", server_executed=True),
    )
    assert _indexes(state) == [0, 1]
    assert state.messages()[0].parts == [
        ToolResultPart(name="search", output="r1", tool_call_id="s1"),
        ToolResultPart(name="", output="r2", server_executed=True),
    ]


def test_explicit_part_index_passes_through_and_updates_bookkeeping() -> None:
    event = StreamEvent("text", "a", part_index=5)
    state = StreamAccumulator()
    assert state.add(event) is event
    assert event.part_index == 5
    state.add(StreamEvent("tool_call_name", "f", part_index=7, tool_call_id="c"))
    state.add(StreamEvent("tool_call_args", "{}", tool_call_id="c"))
    state.add(StreamEvent("reasoning", "r"))
    assert _indexes(state) == [5, 7, 7, 8]


def test_events_without_index_are_updated_in_place() -> None:
    event = StreamEvent("reasoning", "r")
    state = StreamAccumulator()
    assert state.add(event) is event
    assert event.part_index == 0


def test_mixed_families_in_one_part_fail_at_messages_time() -> None:
    state = _feed(
        StreamEvent("text", "a", part_index=0),
        StreamEvent("reasoning", "b", part_index=0),
    )
    with pytest.raises(ValueError) as caught:
        state.messages()
    assert str(caught.value) == (
        "StreamEvent type 'reasoning' is incompatible with prior type at "
        "part_index=0. Allocate a new part_index for a different content type."
    )


def test_unknown_event_type_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"Unknown StreamEvent type 'image'"):
        StreamAccumulator().add(StreamEvent("image", "x"))


def test_metadata_merges_last_wins() -> None:
    state = _feed(
        StreamEvent("reasoning", "r", provider_metadata={"a": 1, "b": 1}),
        StreamEvent("reasoning", "", provider_metadata={"b": 2}),
    )
    assert state.messages()[0].parts == [
        ReasoningPart("r", provider_metadata={"a": 1, "b": 2})
    ]


def test_redacted_reasoning_is_hoisted_and_empties_dropped() -> None:
    state = _feed(
        "answer",
        StreamEvent("reasoning", ""),
        StreamEvent("text", "", message_index=1),
        StreamEvent("reasoning", "", redacted=True, provider_metadata={"k": "v"}),
    )
    assert state.messages() == [
        Message(
            "assistant",
            [ReasoningPart("", True, {"k": "v"}), TextPart("answer")],
        )
    ]


def test_invalid_arguments_are_kept_raw() -> None:
    state = _feed(
        StreamEvent("tool_call_name", "f", tool_call_id="1"),
        StreamEvent("tool_call_args", "{broken", tool_call_id="1"),
        StreamEvent("tool_call_name", "g", tool_call_id="2"),
        StreamEvent("tool_call_args", "[1, 2]", tool_call_id="2"),
    )
    assert [p.arguments for p in state.messages()[0].parts] == [  # type: ignore[attr-defined]
        {"_raw": "{broken"},
        {"_raw": "[1, 2]"},
    ]


def test_added_tool_calls_dedup_by_id_onto_last_message() -> None:
    state = _feed(
        StreamEvent("tool_call_name", "f", tool_call_id="c1"),
        StreamEvent("text", "later", message_index=1),
    )
    state.add_tool_call(ToolCall("f", {"a": 1}, "c1"))
    state.add_tool_call(ToolCall("g", {"b": 2}))
    new_id = state.tool_calls[1].tool_call_id
    assert new_id is not None and new_id.startswith("tc_") and len(new_id) == 29
    assert state.messages() == [
        Message("assistant", [ToolCallPart("f", {}, "c1")]),
        Message("assistant", [TextPart("later"), ToolCallPart("g", {"b": 2}, new_id)]),
    ]


def test_no_events_no_calls_no_messages() -> None:
    assert StreamAccumulator().messages() == []
    state = StreamAccumulator()
    state.add_tool_call(ToolCall("f", {}, "x"))
    assert state.messages() == [Message("assistant", [ToolCallPart("f", {}, "x")])]


def test_restore_holds_stored_messages() -> None:
    stored = [
        Message(
            "assistant",
            [
                TextPart("a"),
                ToolCallPart("f", {"x": 1}, "c1"),
                ToolCallPart("web", {}, "s1", server_executed=True),
                TextPart("b"),
            ],
        )
    ]
    state = StreamAccumulator()
    state.restore(stored)
    assert state.events == []
    assert state.messages() == stored
    assert state.text() == "ab"
    assert state.tool_calls == [ToolCall("f", {"x": 1}, "c1")]
