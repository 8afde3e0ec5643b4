"""Anthropic Messages answers, sans-I/O: streamed events and whole messages.

Each content block is one part: its ``index`` is the ``part_index`` of its
events. ``thinking`` blocks become reasoning with the block's ``signature`` in
``provider_metadata["anthropic"]``, ``redacted_thinking`` blocks redacted
reasoning with their ``redacted_data``, so both go back unchanged on the next
turn. Server tools (web search) are tool calls and results with
``server_executed`` set. An ``error`` event, even after a 200, raises the typed
error of its ``error.type`` (``overloaded_error`` is a retryable
``ServerError`` with status 529).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from llm_async._core.errors import (
    APIConnectionError,
    APIStatusError,
    ResponseDecodeError,
)
from llm_async._core.parts import StreamEvent
from llm_async._core.stream_state import text_part
from llm_async._core.tools import ToolCall, parse_tool_arguments
from llm_async._core.types import JSONObject, JSONValue
from llm_async._http.errors import status_error
from llm_async._http.retry import mark_retryable
from llm_async._http.sse import parse_json
from llm_async.providers.anthropic.request import STRUCTURED_TOOL
from llm_async.providers.openai.chat_response import clean_usage_details

if TYPE_CHECKING:
    from llm_async._http.sse import ServerSentEvent
    from llm_async.providers.base import ResponseSink

__all__ = [
    "ERROR_STATUS",
    "AnthropicStreamParser",
    "error_message",
    "event_error",
    "parse_message",
    "record_usage",
]

#: The HTTP status that goes with each ``error.type`` (for errors in a stream).
ERROR_STATUS = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "billing_error": 402,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "timeout_error": 504,
    "overloaded_error": 529,
}
_RETRYABLE = frozenset({"rate_limit_error", "api_error", "overloaded_error"})
_TOOL_USE = frozenset({"tool_use", "server_tool_use"})


def error_message(status_code: int, body: JSONValue) -> tuple[str, str | None]:
    """Message and ``error.type`` of an Anthropic error body."""
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            message = error.get("message")
            kind = error.get("type")
            if isinstance(message, str) and message:
                return message, kind if isinstance(kind, str) else None
    if isinstance(body, str) and body.strip():
        return body.strip()[:500], None
    return f"HTTP {status_code} error", None


def event_error(data: JSONValue) -> APIStatusError:
    """The typed error of an ``error`` event (or an error body in a 200)."""
    error = data.get("error") if isinstance(data, dict) else None
    kind = error.get("type") if isinstance(error, dict) else None
    status = ERROR_STATUS.get(kind, 500) if isinstance(kind, str) else 500
    found = status_error(
        status,
        headers={},
        content=json.dumps(data).encode(),
        error_message=error_message,
    )
    mark_retryable(found, kind in _RETRYABLE)
    return found


def record_usage(usage: JSONValue, sink: ResponseSink) -> None:
    """Input and output tokens; cache and thinking counts as details."""
    if not isinstance(usage, dict):
        return
    input_tokens = usage.get("input_tokens")
    output_tokens = usage.get("output_tokens")
    rest = {
        key: value
        for key, value in usage.items()
        if key not in ("input_tokens", "output_tokens") and not isinstance(value, str)
    }
    details = clean_usage_details(rest)
    sink.set_usage(
        input=input_tokens if isinstance(input_tokens, int) else None,
        output=output_tokens if isinstance(output_tokens, int) else None,
        details=details if isinstance(details, dict) else {},
    )


def _signature(value: object) -> JSONObject | None:
    return {"anthropic": {"signature": value}} if value else None


def _result_text(content: JSONValue) -> str:
    return json.dumps(content) if content else ""


def block_events(
    block: JSONObject,
    part: int,
    *,
    structured: bool,
    names: dict[str, str],
    sink: ResponseSink,
) -> list[StreamEvent]:
    """The events of one whole content block (of a non-streamed answer)."""
    kind = block.get("type")
    if kind == "text":
        text = block.get("text") or ""
        return [StreamEvent("text", text, part)] if text else []
    if kind == "thinking":
        return [
            StreamEvent(
                "reasoning",
                block.get("thinking") or "",
                part,
                provider_metadata=_signature(block.get("signature")),
            )
        ]
    if kind == "redacted_thinking":
        metadata = {"anthropic": {"redacted_data": block.get("data")}}
        return [
            StreamEvent(
                "reasoning", "", part, redacted=True, provider_metadata=metadata
            )
        ]
    if kind in _TOOL_USE:
        name = block.get("name") or ""
        arguments = block.get("input")
        text = json.dumps(arguments if arguments is not None else {})
        if structured and kind == "tool_use" and name == STRUCTURED_TOOL:
            return [StreamEvent("text", text, part)]
        call_id = block.get("id") or None
        server = kind == "server_tool_use"
        if call_id:
            names[call_id] = name
        if not server:
            args = arguments if isinstance(arguments, dict) else {}
            sink.add_tool_call(ToolCall(name, dict(args), call_id))
        return [
            StreamEvent("tool_call_name", name, part, call_id, server),
            StreamEvent("tool_call_args", text, part, call_id, server),
        ]
    if isinstance(kind, str) and kind.endswith("_tool_result"):
        call_id = block.get("tool_use_id")
        return [
            StreamEvent(
                "tool_result",
                _result_text(block.get("content")),
                part,
                call_id,
                True,
                tool_name=names.get(call_id or "", kind[: -len("_tool_result")]),
            )
        ]
    return []


def parse_message(
    data: JSONValue, sink: ResponseSink, *, structured: bool = False, prefill: str = ""
) -> list[StreamEvent]:
    """Events of a non-streamed ``message``; records usage, tool calls and JSON."""
    if not isinstance(data, dict):
        raise ResponseDecodeError(
            f"Expected a JSON object from the server, got {type(data).__name__}"
        )
    if data.get("type") == "error":
        raise event_error(data)
    content = data.get("content")
    if not isinstance(content, list):
        raise ResponseDecodeError("The server's answer has no content blocks")
    sink.response_json = data
    events: list[StreamEvent] = []
    names: dict[str, str] = {}
    for part, block in enumerate(content):
        if not isinstance(block, dict):
            raise ResponseDecodeError("A content block of the answer is not an object")
        events += block_events(
            block, part, structured=structured, names=names, sink=sink
        )
    if prefill:
        events.insert(0, StreamEvent("text", prefill, 0))
    record_usage(data.get("usage"), sink)
    model = data.get("model")
    if isinstance(model, str) and model:
        sink.set_resolved_model(model)
    return events


class _Block:
    """One streamed content block, as it accumulates."""

    __slots__ = ("call_id", "chunks", "kind", "raw", "server", "structured")

    def __init__(self, raw: JSONObject, structured: bool) -> None:
        self.raw = raw
        self.kind: str = raw.get("type") or ""
        self.chunks: list[str] = []
        self.call_id: str | None = raw.get("id") or None
        self.server = self.kind == "server_tool_use"
        self.structured = structured


class AnthropicStreamParser:
    """Turns one streamed Messages response into stream events.

    ``structured``: a ``tool_use`` of the forced structured-output tool is text.
    ``prefill``: text to emit first (the prefill the answer continues).
    """

    __slots__ = (
        "_blocks",
        "_message",
        "_names",
        "_prefill",
        "_sink",
        "_stop_reason",
        "_stopped",
        "_structured",
        "_text_chunks",
        "_text_index",
        "_usage",
    )

    def __init__(
        self, sink: ResponseSink, *, structured: bool = False, prefill: str = ""
    ) -> None:
        self._sink = sink
        self._structured = structured
        self._prefill = prefill
        self._blocks: dict[int, _Block] = {}
        self._names: dict[str, str] = {}
        self._message: JSONObject | None = None
        self._usage: JSONObject = {}
        self._stop_reason: Any = None
        self._stopped = False
        # The block of the last event, if that was text: a text_delta for it
        # takes the fast path in feed_event.
        self._text_index: int | None = None
        self._text_chunks: list[str] | None = None

    def feed(self, event: ServerSentEvent) -> list[StreamEvent]:
        """Events for one server-sent event."""
        return self._parsed(event.json())

    def feed_many(
        self, messages: Iterable[ServerSentEvent], out: list[str | StreamEvent]
    ) -> None:
        """``feed`` each message, appending the events to ``out``."""
        feed_event = self.feed_event
        for message in messages:
            feed_event(message.event, message.data, out)

    def feed_event(self, event: str, data: str, out: list[str | StreamEvent]) -> None:
        """``feed`` for one event given by its type and data: the hot path.

        A ``text_delta`` for the block of the last text event (most events)
        is handled inline and appended as a plain ``str`` (see ``text_part``);
        every other event goes to ``_event``.
        """
        value = parse_json(data)
        if type(value) is dict and value.get("type") == "content_block_delta":
            delta = value.get("delta")
            if (
                type(delta) is dict
                and delta.get("type") == "text_delta"
                and self._text_chunks is not None
                and value.get("index") == self._text_index
            ):
                text = delta.get("text")
                if type(text) is str:
                    if text:
                        self._text_chunks.append(text)
                        out.append(text)
                    return
        out += self._parsed(value)

    def _parsed(self, data: JSONValue) -> list[StreamEvent]:
        """The events of one parsed event, without the fast path (its reference)."""
        events = self._event(data)
        if events:
            index = text_part(events[-1])
            block = None if index is None else self._blocks.get(index)
            self._text_index = index if block is not None else None
            self._text_chunks = block.chunks if block is not None else None
        return events

    def _event(self, data: JSONValue) -> list[StreamEvent]:
        if type(data) is not dict:
            raise ValueError(f"expected a JSON object, got {type(data).__name__}")
        kind = data.get("type")
        if kind == "content_block_delta":
            return self._delta(data.get("index"), data.get("delta") or {})
        if kind == "content_block_start":
            return self._start(data.get("index"), data.get("content_block") or {})
        if kind == "message_start":
            message = data.get("message") or {}
            self._message = dict(message)
            usage = message.get("usage")
            if isinstance(usage, dict):
                self._usage.update(usage)
            if self._prefill:
                return [StreamEvent("text", self._prefill, 0)]
            return []
        if kind == "message_delta":
            delta = data.get("delta") or {}
            if delta.get("stop_reason"):
                self._stop_reason = delta["stop_reason"]
            if self._message is not None:
                self._message.update({k: v for k, v in delta.items() if v is not None})
            usage = data.get("usage")
            if isinstance(usage, dict):
                self._usage.update({k: v for k, v in usage.items() if v is not None})
            return []
        if kind == "message_stop":
            self._stopped = True
            return []
        if kind == "error":
            raise event_error(data)
        return []  # ping, content_block_stop and event types added later

    def _start(self, index: Any, raw: JSONObject) -> list[StreamEvent]:
        if not isinstance(index, int):
            raise ValueError(f"content_block_start without an index: {raw!r}")
        kind = raw.get("type")
        structured = (
            self._structured
            and kind == "tool_use"
            and raw.get("name") == STRUCTURED_TOOL
        )
        block = _Block(raw, structured)
        self._blocks[index] = block
        if index == self._text_index:  # a block started again: not the last one's
            self._text_index = self._text_chunks = None
        if kind == "text":
            text = raw.get("text") or ""
            if text:
                block.chunks.append(text)
                return [StreamEvent("text", text, index)]
            return []
        if kind == "thinking":
            text = raw.get("thinking") or ""
            if text:
                block.chunks.append(text)
                return [StreamEvent("reasoning", text, index)]
            return []
        if kind == "redacted_thinking":
            metadata = {"anthropic": {"redacted_data": raw.get("data")}}
            return [
                StreamEvent(
                    "reasoning", "", index, redacted=True, provider_metadata=metadata
                )
            ]
        if kind in _TOOL_USE:
            if structured:
                return []
            name = raw.get("name") or ""
            if block.call_id:
                self._names[block.call_id] = name
            return [
                StreamEvent("tool_call_name", name, index, block.call_id, block.server)
            ]
        if isinstance(kind, str) and kind.endswith("_tool_result"):
            call_id = raw.get("tool_use_id")
            tool_name = self._names.get(call_id or "", kind[: -len("_tool_result")])
            return [
                StreamEvent(
                    "tool_result",
                    _result_text(raw.get("content")),
                    index,
                    call_id,
                    True,
                    tool_name=tool_name,
                )
            ]
        return []

    def _delta(self, index: Any, delta: JSONObject) -> list[StreamEvent]:
        block = self._blocks.get(index)
        if block is None:
            raise ValueError(f"content_block_delta for unknown block {index!r}")
        kind = delta.get("type")
        if kind == "text_delta":
            text = delta.get("text") or ""
            if not text:
                return []
            block.chunks.append(text)
            return [StreamEvent("text", text, index)]
        if kind == "input_json_delta":
            fragment = delta.get("partial_json") or ""
            if not fragment:
                return []
            block.chunks.append(fragment)
            if block.structured:
                return [StreamEvent("text", fragment, index)]
            return [
                StreamEvent(
                    "tool_call_args", fragment, index, block.call_id, block.server
                )
            ]
        if kind == "thinking_delta":
            text = delta.get("thinking") or ""
            if not text:
                return []
            block.chunks.append(text)
            return [StreamEvent("reasoning", text, index)]
        if kind == "signature_delta":
            signature = delta.get("signature")
            block.raw = {**block.raw, "signature": signature}
            return [
                StreamEvent(
                    "reasoning", "", index, provider_metadata=_signature(signature)
                )
            ]
        if kind == "citations_delta":
            citation = delta.get("citation")
            block.raw = {
                **block.raw,
                "citations": [*(block.raw.get("citations") or []), citation],
            }
        return []

    def _final_block(self, block: _Block) -> JSONObject:
        raw = dict(block.raw)
        text = "".join(block.chunks)
        if block.kind == "text":
            raw["text"] = text
        elif block.kind == "thinking":
            raw["thinking"] = text
        elif block.kind in _TOOL_USE:
            raw["input"] = (
                parse_tool_arguments(text) if text else raw.get("input") or {}
            )
        return raw

    def finish(self) -> list[StreamEvent]:
        """Record usage, tool calls and ``response_json`` once the stream ends.

        A stream that ends with neither ``message_stop`` nor a ``stop_reason``
        was cut off: that raises ``APIConnectionError`` and records no tool call.
        """
        if not self._stopped and self._stop_reason is None:
            raise APIConnectionError(
                "The stream ended before the model finished (no message_stop): "
                "the connection was closed early"
            )
        sink = self._sink
        content = []
        for index in sorted(self._blocks):
            block = self._blocks[index]
            final = self._final_block(block)
            content.append(final)
            if block.kind == "tool_use" and not block.structured:
                arguments = final["input"]
                sink.add_tool_call(
                    ToolCall(
                        block.raw.get("name") or "",
                        dict(arguments) if isinstance(arguments, dict) else {},
                        block.call_id,
                    )
                )
        message = dict(self._message or {})
        message["content"] = content
        message["stop_reason"] = self._stop_reason
        if self._usage:
            message["usage"] = dict(self._usage)
        sink.response_json = message
        record_usage(self._usage or None, sink)
        model = message.get("model")
        if isinstance(model, str) and model:
            sink.set_resolved_model(model)
        return []
