"""OpenAI Responses API answers, sans-I/O: typed stream events and whole responses.

Each output item gets its own part index: a ``message`` item one text part, a
``reasoning`` item one reasoning part (its summary text, or redacted, with the
item's ``id``, ``encrypted_content`` and ``summary`` in
``provider_metadata["openai"]``), a ``function_call`` one tool-call part, and a
server-side tool call (web search, code interpreter...) a call part plus a
result part, both ``server_executed``. A reasoning or message item after a
message starts a new assistant message, so the items keep their order when
they are sent back.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

from llm_async._core.errors import APIConnectionError, APIError, ResponseDecodeError
from llm_async._core.parts import StreamEvent
from llm_async._core.tools import ToolCall, parse_tool_arguments
from llm_async._core.types import JSONObject, JSONValue
from llm_async._http.errors import status_error
from llm_async._http.sse import _scan_json, parse_json
from llm_async.providers.openai.common import (
    new_call_id,
    record_response_json,
    record_usage,
)

if TYPE_CHECKING:
    from llm_async._http.sse import ServerSentEvent
    from llm_async.providers.base import ResponseSink

__all__ = ["ResponsesStreamParser", "failure_error", "parse_response_object"]

_TEXT_DELTA = "response.output_text.delta"
_TERMINAL = frozenset({"response.completed", "response.incomplete"})
# The HTTP status OpenAI uses for each error code, so a failure reported inside
# a 200 answer maps to the same typed error as the HTTP one would.
_CODE_STATUS = {
    "rate_limit_exceeded": 429,
    "insufficient_quota": 429,
    "context_length_exceeded": 400,
    "invalid_prompt": 400,
    "invalid_request_error": 400,
    "invalid_image": 400,
    "invalid_image_format": 400,
    "invalid_base64_image": 400,
    "invalid_image_url": 400,
    "image_too_large": 400,
    "image_too_small": 400,
    "image_parse_error": 400,
    "image_content_policy_violation": 400,
    "invalid_image_mode": 400,
    "image_file_too_large": 400,
    "unsupported_image_media_type": 400,
    "empty_image_file": 400,
    "failed_to_download_image": 400,
    "image_file_not_found": 400,
}
_SERVER_TOOL_NAMES = {
    "web_search_call": "web_search",
    "code_interpreter_call": "code_interpreter",
    "file_search_call": "file_search",
    "image_generation_call": "image_generation",
}
_NOT_ARGUMENTS = frozenset({"id", "type", "status", "results", "outputs", "result"})


def failure_error(error: JSONValue) -> APIError:
    """The typed error for a ``response.failed`` / ``error`` event's error object.

    Mapped like an HTTP error with the status OpenAI gives that code (a rate
    limit is a ``RateLimitError``, an over-long input a
    ``ContextWindowExceededError``); unknown codes are server errors.
    """
    if not isinstance(error, dict):
        error = {"message": str(error) if error else "The response failed"}
    code = error.get("code") or error.get("type")
    message = error.get("message") or f"The response failed ({code or 'no code'})"
    status = _CODE_STATUS.get(str(code), 500)
    body = {"error": {"message": message, "code": code, "param": error.get("param")}}
    return status_error(status, headers={}, content=json.dumps(body).encode())


def _summary_text(item: JSONObject) -> str:
    """A reasoning item's text: its summaries (or raw content), paragraph apart."""
    texts = [
        piece.get("text")
        for key in ("summary", "content")
        for piece in item.get(key) or ()
        if isinstance(piece, dict)
    ]
    return "\n\n".join(text for text in texts if isinstance(text, str) and text)


def _reasoning_metadata(item: JSONObject) -> JSONObject | None:
    kept = {
        key: item[key]
        for key in ("id", "encrypted_content", "summary")
        if item.get(key)
    }
    return {"openai": kept} if kept else None


def _message_text(item: JSONObject) -> str:
    return "".join(
        piece.get("text") or ""
        for piece in item.get("content") or ()
        if isinstance(piece, dict) and piece.get("type") == "output_text"
    )


def _server_tool_events(item: JSONObject, part: int, message: int) -> list[StreamEvent]:
    """The call and result events of a server-side tool call item."""
    kind = item.get("type")
    name = _SERVER_TOOL_NAMES.get(str(kind)) or str(kind).removesuffix("_call")
    call_id = item.get("id") or new_call_id()
    if kind == "web_search_call":
        arguments: JSONValue = item.get("action") or {}
        results = item.get("results")
        result = json.dumps(results) if results else ""
    elif kind == "code_interpreter_call":
        arguments = {"code": item.get("code") or ""}
        outputs = [
            output.get("logs") or output.get("url") or ""
            for output in item.get("outputs") or ()
            if isinstance(output, dict)
        ]
        result = "\n".join(o for o in outputs if o)
    else:
        arguments = {k: v for k, v in item.items() if k not in _NOT_ARGUMENTS}
        found = item.get("results") or item.get("result")
        result = found if isinstance(found, str) else json.dumps(found) if found else ""
    status = item.get("status")
    return [
        StreamEvent(
            "tool_call_name",
            name,
            part,
            tool_call_id=call_id,
            server_executed=True,
            message_index=message,
        ),
        StreamEvent(
            "tool_call_args",
            json.dumps(arguments),
            part,
            tool_call_id=call_id,
            server_executed=True,
            message_index=message,
        ),
        StreamEvent(
            "tool_result",
            result or (status if isinstance(status, str) else "completed"),
            part + 1,
            tool_call_id=call_id,
            server_executed=True,
            tool_name=name,
            message_index=message,
        ),
    ]


def _is_server_tool(kind: object) -> bool:
    return (
        isinstance(kind, str)
        and kind.endswith("_call")
        and kind not in ("function_call", "custom_tool_call")
    )


class _Layout:
    """Part and message indexes of the output items, in order."""

    __slots__ = ("after_message", "message", "part")

    def __init__(self) -> None:
        self.part = -1
        self.message = 0
        self.after_message = False

    def place(self, kind: object, parts: int = 1) -> tuple[int, int]:
        """``(first part index, message index)`` of the next item of ``kind``."""
        if kind in ("message", "reasoning") and self.after_message:
            self.message += 1
            self.after_message = False
        if kind == "message":
            self.after_message = True
        first = self.part + 1
        self.part += parts
        return first, self.message


def _add_call(item: JSONObject, sink: ResponseSink) -> str:
    call_id = item.get("call_id") or new_call_id()
    arguments = item.get("arguments")
    if not isinstance(arguments, str):
        arguments = json.dumps(arguments) if arguments is not None else ""
    sink.add_tool_call(
        ToolCall(item.get("name") or "", parse_tool_arguments(arguments), call_id)
    )
    return call_id


def _finish_response(
    data: JSONObject, sink: ResponseSink, had_reasoning: bool
) -> list[StreamEvent]:
    """Usage, JSON and model of a final response object; a redacted-reasoning
    marker when the model reasoned but returned no reasoning item."""
    record_response_json(sink, data)
    reasoning_tokens = record_usage(
        data.get("usage"), sink, input_key="input_tokens", output_key="output_tokens"
    )
    model = data.get("model")
    if isinstance(model, str) and model:
        sink.set_resolved_model(model)
    if reasoning_tokens > 0 and not had_reasoning:
        return [StreamEvent("reasoning", "", None, redacted=True)]
    return []


def parse_response_object(data: JSONValue, sink: ResponseSink) -> list[StreamEvent]:
    """Events of a non-streamed ``response`` object; records usage, calls and JSON."""
    if not isinstance(data, dict):
        raise ResponseDecodeError(
            f"Expected a JSON object from the server, got {type(data).__name__}"
        )
    if data.get("status") == "failed" or (data.get("error") and not data.get("output")):
        raise failure_error(data.get("error"))
    output = data.get("output")
    if not isinstance(output, list):
        raise ResponseDecodeError("The server's answer has no output")
    layout = _Layout()
    events: list[StreamEvent] = []
    had_reasoning = False
    for item in output:
        if not isinstance(item, dict):
            raise ResponseDecodeError("An output item of the answer is not an object")
        kind = item.get("type")
        if kind == "message":
            part, message = layout.place(kind)
            text = _message_text(item)
            if text:
                events.append(StreamEvent("text", text, part, message_index=message))
        elif kind == "reasoning":
            had_reasoning = True
            part, message = layout.place(kind)
            text = _summary_text(item)
            events.append(
                StreamEvent(
                    "reasoning",
                    text,
                    part,
                    redacted=not text,
                    provider_metadata=_reasoning_metadata(item),
                    message_index=message,
                )
            )
        elif kind == "function_call":
            part, message = layout.place(kind)
            call_id = _add_call(item, sink)
            arguments = item.get("arguments")
            events.append(
                StreamEvent(
                    "tool_call_name",
                    item.get("name") or "",
                    part,
                    tool_call_id=call_id,
                    message_index=message,
                )
            )
            if isinstance(arguments, str) and arguments:
                events.append(
                    StreamEvent(
                        "tool_call_args",
                        arguments,
                        part,
                        tool_call_id=call_id,
                        message_index=message,
                    )
                )
        elif _is_server_tool(kind):
            part, message = layout.place(kind, parts=2)
            events += _server_tool_events(item, part, message)
    events += _finish_response(data, sink, had_reasoning)
    return events


class _Item:
    """What the stream parser knows of one output item."""

    __slots__ = ("call_id", "kind", "message", "part", "summary", "text")

    def __init__(self, kind: object, part: int, message: int) -> None:
        self.kind = kind
        self.part = part
        self.message = message
        self.call_id: str | None = None
        self.text = False  # reasoning text streamed for it
        self.summary = -1  # the last summary_index seen


class ResponsesStreamParser:
    """Turns one streamed Responses API answer (typed SSE events) into events.

    The stream must end with ``response.completed`` or ``response.incomplete``;
    ``response.failed`` and ``error`` events raise the typed error, and a stream
    that stops before any of them raises ``APIConnectionError``.
    """

    __slots__ = (
        "_done",
        "_final",
        "_items",
        "_layout",
        "_open_text",
        "_reasoned",
        "_sink",
    )

    def __init__(self, sink: ResponseSink) -> None:
        self._sink = sink
        self._items: dict[str, _Item] = {}
        self._layout = _Layout()
        self._final: JSONObject | None = None
        self._done = False
        self._reasoned = False
        # The item id of the last event, if that was text of message 0.
        self._open_text: str | None = None

    def feed(self, event: ServerSentEvent) -> list[StreamEvent]:
        """Events for one server-sent event."""
        return self._parsed(event.json())

    def feed_many(
        self, messages: Iterable[ServerSentEvent], out: list[str | StreamEvent]
    ) -> None:
        """``feed`` each message, appending the events to ``out`` as they come."""
        feed_event = self.feed_event
        for message in messages:
            feed_event(message.event, message.data, out)

    def feed_event(self, event: str, data: str, out: list[str | StreamEvent]) -> None:
        """``feed`` for one event given by its type and data: the hot path.

        Text deltas (most events) are handled inline: a plain ``str`` when the
        last event was text of the same item in message 0 (see ``text_part``),
        known by its ``item_id`` alone; the rest go to ``_event``. The JSON is
        read as ``parse_json`` does, without the call.
        """
        try:
            value, end = _scan_json(data, 0)
        except (StopIteration, ValueError):
            end = -1
        if end != len(data):
            value = parse_json(data)  # not one clean JSON value: its result or error
        if type(value) is dict and value.get("type") == _TEXT_DELTA:
            delta = value.get("delta")
            key = value.get("item_id")
            if type(delta) is str and type(key) is str:
                if key == self._open_text:
                    if delta:
                        out.append(delta)
                    return
                item = self._items.get(key)
                if item is not None:
                    if not delta:
                        return
                    if item.message:
                        out.append(
                            StreamEvent(
                                "text", delta, item.part, message_index=item.message
                            )
                        )
                        self._open_text = None
                    else:
                        out.append(StreamEvent("text", delta, item.part))
                        self._open_text = key
                    return
        out += self._parsed(value)

    def _parsed(self, data: JSONValue) -> list[StreamEvent]:
        """The events of one parsed event, without the fast path (its reference)."""
        events = self._event(data)
        if events:
            self._open_text = None
        return events

    def _event(self, data: JSONValue) -> list[StreamEvent]:
        if type(data) is not dict:
            raise ValueError(f"expected a JSON object, got {type(data).__name__}")
        kind = data.get("type")
        if kind == "response.output_item.added":
            return self._added(data.get("item"), data)
        if kind == "response.output_item.done":
            return self._item_done(data.get("item"))
        if kind == "response.function_call_arguments.delta":
            item = self._items.get(data.get("item_id") or "")
            delta = data.get("delta")
            if item is None or not isinstance(delta, str) or not delta:
                return []
            return [
                StreamEvent(
                    "tool_call_args",
                    delta,
                    item.part,
                    tool_call_id=item.call_id,
                    message_index=item.message,
                )
            ]
        if kind in (
            "response.reasoning_summary_text.delta",
            "response.reasoning_text.delta",
        ):
            return self._reasoning_delta(data)
        if kind == _TEXT_DELTA:  # for an item never announced
            item = self._text_item(data)
            delta = data.get("delta")
            if isinstance(delta, str) and delta:
                return [
                    StreamEvent("text", delta, item.part, message_index=item.message)
                ]
            return []
        if kind in _TERMINAL:
            return self._terminal(data.get("response"))
        if kind == "response.failed":
            response = data.get("response")
            error = response.get("error") if isinstance(response, dict) else None
            raise failure_error(error)
        if kind == "error":
            raise failure_error(data.get("error") or data)
        return []

    def _text_item(self, data: JSONObject) -> _Item:
        key = data.get("item_id") or f"#{data.get('output_index')}"
        item = self._items.get(key)
        if item is None:
            part, message = self._layout.place("message")
            item = self._items[key] = _Item("message", part, message)
        return item

    def _added(self, item: JSONValue, data: JSONObject) -> list[StreamEvent]:
        if not isinstance(item, dict):
            return []
        kind = item.get("type")
        key = item.get("id") or f"#{data.get('output_index')}"
        part, message = self._layout.place(kind, 2 if _is_server_tool(kind) else 1)
        state = self._items[key] = _Item(kind, part, message)
        if key == self._open_text:  # that id is a new item now
            self._open_text = None
        if kind != "function_call":
            return []
        state.call_id = item.get("call_id") or new_call_id()
        return [
            StreamEvent(
                "tool_call_name",
                item.get("name") or "",
                part,
                tool_call_id=state.call_id,
                message_index=message,
            )
        ]

    def _reasoning_delta(self, data: JSONObject) -> list[StreamEvent]:
        item = self._items.get(data.get("item_id") or "")
        delta = data.get("delta")
        if item is None or not isinstance(delta, str) or not delta:
            return []
        index = data.get("summary_index", data.get("content_index", 0))
        if item.text and index != item.summary:
            delta = "\n\n" + delta  # a new summary paragraph
        item.summary = index if isinstance(index, int) else item.summary
        item.text = True
        self._reasoned = True
        return [StreamEvent("reasoning", delta, item.part, message_index=item.message)]

    def _item_done(self, item: JSONValue) -> list[StreamEvent]:
        if not isinstance(item, dict):
            return []
        kind = item.get("type")
        state = self._items.get(item.get("id") or "")
        if state is None:  # done without added: place it now
            part, message = self._layout.place(kind, 2 if _is_server_tool(kind) else 1)
            state = _Item(kind, part, message)
            if item.get("id"):
                self._items[item["id"]] = state
        if kind == "reasoning":
            self._reasoned = True
            text = "" if state.text else _summary_text(item)
            return [
                StreamEvent(
                    "reasoning",
                    text,
                    state.part,
                    redacted=not (text or state.text),
                    provider_metadata=_reasoning_metadata(item),
                    message_index=state.message,
                )
            ]
        if kind == "function_call":
            if state.call_id is None:
                state.call_id = item.get("call_id")
            item = {**item, "call_id": state.call_id}
            _add_call(item, self._sink)
            return []
        if _is_server_tool(kind):
            return _server_tool_events(item, state.part, state.message)
        return []

    def _terminal(self, response: object) -> list[StreamEvent]:
        if not isinstance(response, dict):
            raise ValueError("the final event carries no response object")
        self._done = True
        self._final = response
        events: list[StreamEvent] = []
        # The final object may carry a fresh ciphertext of the same reasoning
        # (OpenAI encrypts per event): the one sent back next turn is this one.
        for item in response.get("output") or ():
            if not isinstance(item, dict) or item.get("type") != "reasoning":
                continue
            state = self._items.get(item.get("id") or "")
            metadata = _reasoning_metadata(item)
            if state is not None and metadata:
                events.append(
                    StreamEvent(
                        "reasoning",
                        "",
                        state.part,
                        redacted=not state.text,
                        provider_metadata=metadata,
                        message_index=state.message,
                    )
                )
        return events

    def finish(self) -> list[StreamEvent]:
        """Record usage, model and ``response_json`` once the stream has ended.

        A stream without ``response.completed`` / ``response.incomplete`` was
        cut off: ``APIConnectionError``.
        """
        if not self._done or self._final is None:
            raise APIConnectionError(
                "The stream ended before the response was complete (no "
                "response.completed event): the connection was closed early"
            )
        return _finish_response(self._final, self._sink, self._reasoned)
