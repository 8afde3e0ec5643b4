"""A response's stream events: part-index allocation and message assembly.

``StreamAccumulator.add`` runs once per streamed chunk, so it does O(1) work and
allocates nothing beyond the event itself (a plain ``str`` chunk becomes one
``StreamEvent``; an event without ``part_index`` gets it set in place).

Part indexes, for events that do not carry one:

* a change of ``message_index`` forgets the previous event's family;
* ``tool_call_name``/``tool_call_args`` with a ``tool_call_id`` reuse that id's
  part, else start one; without an id, ``tool_call_args`` continues the
  immediately preceding tool-call part and ``tool_call_name`` starts a new one;
* ``tool_result`` always starts a new part;
* ``text``/``reasoning`` continue the previous part if it has the same family.

An explicit ``part_index`` is kept and updates the same bookkeeping.
``messages()`` then builds one assistant ``Message`` per ``message_index``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from llm_async._core.parts import (
    EVENT_TYPES,
    Message,
    Part,
    ReasoningPart,
    StreamEvent,
    TextPart,
    ToolCallPart,
    ToolResultPart,
)
from llm_async._core.tools import ToolCall, parse_tool_arguments
from llm_async._core.types import JSONObject
from llm_async._core.ulid import monotonic_ulid

__all__ = ["StreamAccumulator", "assemble_messages", "text_part"]

_TEXT = "text"
_TOOL_CALL = "tool_call"
_FAMILY = {
    "text": _TEXT,
    "reasoning": "reasoning",
    "tool_call_name": _TOOL_CALL,
    "tool_call_args": _TOOL_CALL,
    "tool_result": "tool_result",
}


def text_part(event: StreamEvent) -> int | None:
    """The part that a ``str`` chunk right after ``event`` may continue, or ``None``.

    A stream parser's fast paths (``feed_event``, ``feed_many``) may put a
    plain ``str`` in their output instead of ``StreamEvent("text", chunk, p)``
    when the event before it was a text event of part ``p`` in message 0: the
    response records it as exactly that event, without building it. This is
    ``p`` for such an ``event``.
    """
    if event.type == _TEXT and event.message_index == 0:
        return event.part_index
    return None


def _merged_metadata(events: Sequence[StreamEvent]) -> JSONObject | None:
    merged: JSONObject | None = None
    for event in events:
        if event.provider_metadata:
            if merged is None:
                merged = {}
            merged.update(event.provider_metadata)
    return merged


def _first_id(events: Sequence[StreamEvent]) -> str | None:
    for event in events:
        if event.tool_call_id is not None:
            return event.tool_call_id
    return None


def _build_part(family: str, events: Sequence[StreamEvent]) -> Part | None:
    metadata = _merged_metadata(events)
    if family == _TEXT:
        text = "".join(e.chunk for e in events)
        return TextPart(text, metadata) if text else None
    if family == "reasoning":
        text = "".join(e.chunk for e in events)
        redacted = any(e.redacted for e in events)
        return ReasoningPart(text, redacted, metadata) if text or redacted else None
    if family == _TOOL_CALL:
        return ToolCallPart(
            name="".join(e.chunk for e in events if e.type == "tool_call_name"),
            arguments=parse_tool_arguments(
                "".join(e.chunk for e in events if e.type == "tool_call_args")
            ),
            tool_call_id=_first_id(events),
            server_executed=any(e.server_executed for e in events),
            provider_metadata=metadata,
        )
    name = next((e.tool_name for e in events if e.tool_name is not None), None)
    return ToolResultPart(
        name=name or "",
        output="".join(e.chunk for e in events),
        tool_call_id=_first_id(events),
        server_executed=any(e.server_executed for e in events),
        provider_metadata=metadata,
    )


def assemble_messages(
    events: Iterable[StreamEvent], tool_calls: Iterable[ToolCall] = ()
) -> list[Message]:
    """The assistant messages described by ``events`` (with part indexes set).

    Raises ``ValueError`` when one part index mixes families (text, reasoning,
    tool call, tool result). ``tool_calls`` missing from the events (by id) are
    added to the last message. Redacted reasoning moves to the start of its
    message; empty messages are dropped.
    """
    groups: dict[Any, list[StreamEvent]] = {}
    for event in events:
        group = groups.get(event.part_index)
        if group is None:
            groups[event.part_index] = [event]
        else:
            group.append(event)
    by_message: dict[int, list[Part]] = {}
    for index, group in groups.items():
        family = _FAMILY[group[0].type]
        for event in group:
            if _FAMILY[event.type] != family:
                raise ValueError(
                    f"StreamEvent type {event.type!r} is incompatible with prior "
                    f"type at part_index={index}. Allocate a new part_index for a "
                    "different content type."
                )
        parts = by_message.setdefault(group[0].message_index, [])
        part = _build_part(family, group)
        if part is not None:
            parts.append(part)
    known = {
        part.tool_call_id
        for parts in by_message.values()
        for part in parts
        if isinstance(part, ToolCallPart)
    }
    extra = [
        ToolCallPart(call.name, dict(call.arguments), call.tool_call_id)
        for call in tool_calls
        if call.tool_call_id is None or call.tool_call_id not in known
    ]
    if extra:
        if not by_message:
            by_message[0] = []
        last = list(by_message)[-1]
        by_message[last].extend(extra)
    messages: list[Message] = []
    for parts in by_message.values():
        if not parts:
            continue
        hoisted = [p for p in parts if isinstance(p, ReasoningPart) and p.redacted]
        if hoisted:
            parts = hoisted + [
                p for p in parts if not (isinstance(p, ReasoningPart) and p.redacted)
            ]
        messages.append(Message("assistant", parts))
    return messages


class _TextRun:
    """Consecutive plain text events of one part: ``text_chunks[start:stop]``.

    A long answer is thousands of text events. Kept as objects, each one survives
    in the heap and the garbage collector walks them again and again while the
    stream runs (about 8% of the streaming time); their chunks are already in
    ``text_chunks``, so a run records only where they are.
    """

    __slots__ = ("message_index", "part_index", "start", "stop")

    def __init__(self, start: int, part_index: int, message_index: int) -> None:
        self.start = start
        self.stop = start + 1
        self.part_index = part_index
        self.message_index = message_index


class StreamAccumulator:
    """Records a response's events as they stream; builds its text and messages."""

    __slots__ = (
        "_cache",
        "_count",
        "_family",
        "_index",
        "_log",
        "_message",
        "_next",
        "_run",
        "_stored",
        "_tool_ids",
        "text_chunks",
        "tool_calls",
    )

    def __init__(self) -> None:
        self._log: list[StreamEvent | _TextRun] = []
        self._run: _TextRun | None = None  # the last entry of _log, if a run
        self._count = 0
        self.text_chunks: list[str] = []
        self.tool_calls: list[ToolCall] = []
        self._next = 0
        self._index = -1
        self._family: str | None = None
        self._message = 0
        self._tool_ids: dict[str, int] = {}
        self._stored: list[Message] | None = None
        self._cache: tuple[tuple[int, int], list[Message]] | None = None

    @property
    def events(self) -> list[StreamEvent]:
        """Every recorded event, in arrival order (a new list)."""
        events: list[StreamEvent] = []
        chunks = self.text_chunks
        for item in self._log:
            if type(item) is _TextRun:
                part, message = item.part_index, item.message_index
                events.extend(
                    StreamEvent(_TEXT, chunk, part, message_index=message)
                    for chunk in chunks[item.start : item.stop]
                )
            else:
                events.append(item)  # type: ignore[arg-type]
        return events

    def _add_text(self, chunk: str, part: int, message: int) -> None:
        """Record a plain text event: extend the last run, or start one."""
        chunks = self.text_chunks
        log = self._log
        last = log[-1] if log else None
        if (
            type(last) is _TextRun
            and last.stop == len(chunks)
            and last.part_index == part
            and last.message_index == message
        ):
            last.stop += 1
        else:
            self._run = _TextRun(len(chunks), part, message)
            log.append(self._run)
        chunks.append(chunk)
        self._count += 1

    def add(self, item: str | StreamEvent) -> StreamEvent:
        """Record one chunk (``str``: text) or event; return it with its part index."""
        if type(item) is str:
            if self._family is _TEXT and self._message == 0:
                index = self._index
            else:
                index = self._next
                self._next = index + 1
                self._index = index
                self._family = _TEXT
                self._message = 0
            self._add_text(item, index, 0)
            return StreamEvent(_TEXT, item, index)
        event: StreamEvent = item  # type: ignore[assignment]
        run = self._run
        if (  # the hot path: more plain text for the part of the last event
            run is not None
            and event.type == _TEXT
            and event.part_index == run.part_index
            and event.message_index == run.message_index
            and run.stop == len(self.text_chunks)
            and event.tool_call_id is None
            and event.provider_metadata is None
            and event.tool_name is None
            and not event.server_executed
            and not event.redacted
            and type(event.chunk) is str
        ):
            run.stop += 1
            self.text_chunks.append(event.chunk)
            self._count += 1
            return event
        return self._add_event(event)

    def add_chunk(self, chunk: str) -> None:
        """``add(chunk)`` for a plain ``str``, without building its event.

        The streaming hot path: a chunk that continues the open text run of
        message 0 only extends it.
        """
        run = self._run
        if (
            run is not None
            and run.message_index == 0
            and run.stop == len(self.text_chunks)
        ):
            run.stop += 1
            self.text_chunks.append(chunk)
            self._count += 1
        else:
            self.add(chunk)

    def _add_event(self, event: StreamEvent) -> StreamEvent:
        kind = event.type
        family = _FAMILY.get(kind)
        if family is None:
            raise ValueError(
                f"Unknown StreamEvent type {kind!r}; expected one of "
                f"{', '.join(EVENT_TYPES)}"
            )
        if event.message_index != self._message:
            self._message = event.message_index
            self._family = None
        index = event.part_index
        if index is None:
            if family is _TOOL_CALL:
                call_id = event.tool_call_id
                if call_id is not None:
                    index = self._tool_ids.get(call_id)
                    if index is None:
                        index = self._next
                        self._next = index + 1
                        self._tool_ids[call_id] = index
                elif kind == "tool_call_args" and self._family is _TOOL_CALL:
                    index = self._index
                else:
                    index = self._next
                    self._next = index + 1
            elif family is self._family and family != "tool_result":
                index = self._index
            else:
                index = self._next
                self._next = index + 1
            event.part_index = index
        else:
            if index >= self._next:
                self._next = index + 1
            if family is _TOOL_CALL and event.tool_call_id is not None:
                self._tool_ids[event.tool_call_id] = index
        self._family = family
        self._index = index
        if (
            family is _TEXT
            and event.tool_call_id is None
            and event.tool_name is None
            and event.provider_metadata is None
            and not event.server_executed
            and not event.redacted
            and type(event.chunk) is str
        ):
            self._add_text(event.chunk, index, event.message_index)  # a plain one
            return event
        self._log.append(event)
        self._run = None
        self._count += 1
        if family is _TEXT:
            self.text_chunks.append(event.chunk)
        return event

    def text(self) -> str:
        """All text so far."""
        return "".join(self.text_chunks)

    def add_tool_call(self, tool_call: ToolCall) -> None:
        """Record a tool call, giving it an id (``tc_`` + ULID) if it has none."""
        if tool_call.tool_call_id is None:
            tool_call.tool_call_id = "tc_" + monotonic_ulid()
        self.tool_calls.append(tool_call)

    def restore(self, messages: Sequence[Message]) -> None:
        """Hold stored output messages (a rehydrated response): no events."""
        self._stored = list(messages)
        self.text_chunks = [
            part.text
            for message in messages
            for part in message.parts
            if isinstance(part, TextPart)
        ]
        self.tool_calls = [
            ToolCall(part.name, dict(part.arguments), part.tool_call_id)
            for message in messages
            for part in message.parts
            if isinstance(part, ToolCallPart) and not part.server_executed
        ]

    def messages(self) -> list[Message]:
        """The assistant message(s): stored ones, or assembled from the events."""
        if self._stored is not None:
            return list(self._stored)
        key = (self._count, len(self.tool_calls))
        if self._cache is None or self._cache[0] != key:
            self._cache = (key, assemble_messages(self.events, self.tool_calls))
        return list(self._cache[1])
