"""Accumulates a response's stream events and assembles its messages (minimal)."""

from __future__ import annotations

import dataclasses
from typing import Any

from llm_async._parts import (
    Message,
    ReasoningPart,
    StreamEvent,
    TextPart,
    ToolCallPart,
    _loads,
)
from llm_async._tools import ToolCall
from llm_async._ulid import monotonic_ulid

__all__ = ["StreamAccumulator"]


class StreamAccumulator:
    """Records events as they stream; builds text and assistant messages."""

    def __init__(self) -> None:
        self.events: list[StreamEvent] = []
        self.text_chunks: list[str] = []
        self.tool_calls: list[ToolCall] = []
        self._index = -1
        self._family: str | None = None

    def add(self, item: str | StreamEvent) -> StreamEvent:
        """Record one chunk or event; returns it with its part index set."""
        event = StreamEvent("text", item) if isinstance(item, str) else item
        family = "tool" if event.type.startswith("tool_call") else event.type
        if event.part_index is None:
            if family != self._family or event.type == "tool_call_name":
                self._index += 1
            event = dataclasses.replace(event, part_index=self._index)
        else:
            self._index = max(self._index, event.part_index)
        self._family = family
        self.events.append(event)
        if event.type == "text":
            self.text_chunks.append(event.chunk)
        return event

    def text(self) -> str:
        """All text so far."""
        return "".join(self.text_chunks)

    def add_tool_call(self, tool_call: ToolCall) -> None:
        """Record a tool call, giving it an id if it has none."""
        if tool_call.tool_call_id is None:
            tool_call.tool_call_id = "tc_" + monotonic_ulid()
        self.tool_calls.append(tool_call)

    def messages(self) -> list[Message]:
        """The assistant message assembled from the events and tool calls."""
        groups: dict[int, list[StreamEvent]] = {}
        for event in self.events:
            groups.setdefault(event.part_index or 0, []).append(event)
        parts: list[Any] = []
        for events in groups.values():
            first = events[0]
            joined = "".join(e.chunk for e in events if e.type != "tool_call_name")
            if first.type == "text" and joined:
                parts.append(TextPart(joined))
            elif first.type == "reasoning":
                parts.append(
                    ReasoningPart(joined, redacted=any(e.redacted for e in events))
                )
            elif first.type.startswith("tool_call"):
                name = "".join(e.chunk for e in events if e.type == "tool_call_name")
                parts.append(ToolCallPart(name, _loads(joined), first.tool_call_id))
        known = {p.tool_call_id for p in parts if isinstance(p, ToolCallPart)}
        for call in self.tool_calls:
            if call.tool_call_id not in known:
                parts.append(ToolCallPart(call.name, call.arguments, call.tool_call_id))
        return [Message("assistant", parts)] if parts else []
