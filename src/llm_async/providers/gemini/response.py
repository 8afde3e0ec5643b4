"""Gemini answers, sans-I/O: streamed ``GenerateContentResponse`` events and
whole answers (one object, or the JSON array of ``streamGenerateContent``
without ``alt=sse``).

Text parts are deltas; ``thought: true`` parts are reasoning (thought
summaries); ``functionCall`` parts arrive whole, without an id, so each gets a
synthesised one (``call_`` + ULID). ``thoughtSignature`` values are kept in the
part's ``provider_metadata["gemini"]`` so they go back on the next turn.
``usageMetadata`` is cumulative: the last one counts. The stream has no end
marker; one that ends without a ``finishReason`` was cut off.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from llm_async._core.errors import (
    APIConnectionError,
    APIStatusError,
    BadRequestError,
    ResponseDecodeError,
)
from llm_async._core.parts import StreamEvent
from llm_async._core.tools import ToolCall
from llm_async._core.types import JSONObject, JSONValue
from llm_async._core.ulid import monotonic_ulid
from llm_async._http.errors import status_error
from llm_async._http.sse import parse_json

if TYPE_CHECKING:
    from llm_async._http.sse import ServerSentEvent
    from llm_async.providers.base import ResponseSink

__all__ = [
    "GeminiParser",
    "error_message",
    "parse_generate_response",
    "record_usage",
    "stream_error",
]

_TEXT, _REASONING, _TOOL = "text", "reasoning", "tool"


def error_message(status_code: int, body: JSONValue) -> tuple[str, str | None]:
    """Message and code of a ``google.rpc.Status`` error body.

    The code is the ``ErrorInfo`` reason when there is one (``API_KEY_INVALID``
    makes a 400 an authentication error), else the canonical status.
    """
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        message = error.get("message")
        code = error.get("status")
        for detail in error.get("details") or ():
            if isinstance(detail, dict) and isinstance(detail.get("reason"), str):
                code = detail["reason"]
                break
        if isinstance(message, str) and message:
            return message, code if isinstance(code, str) else None
    if isinstance(body, str) and body.strip():
        return body.strip()[:500], None
    return f"HTTP {status_code} error", None


def stream_error(data: JSONObject) -> APIStatusError:
    """The typed error for an ``{"error": ...}`` object inside a 200 stream."""
    error = data.get("error")
    code = error.get("code") if isinstance(error, dict) else None
    status = code if isinstance(code, int) and 400 <= code < 600 else 500
    return status_error(
        status,
        headers={},
        content=json.dumps(data).encode("utf-8"),
        error_message=error_message,
    )


def record_usage(usage: JSONValue, sink: ResponseSink) -> int:
    """Record ``usageMetadata`` as ``llm-gemini`` does; returns the thought tokens.

    Input is the prompt plus tool-use prompt tokens; output is the candidates'
    plus the thought tokens (``candidatesTokenCount`` alone leaves thinking
    out); the details are the rest, without the total.
    """
    if not isinstance(usage, dict):
        return 0
    prompt = usage.get("promptTokenCount")
    tool_prompt = usage.get("toolUsePromptTokenCount") or 0
    candidates = usage.get("candidatesTokenCount")
    thoughts = usage.get("thoughtsTokenCount") or 0
    input_tokens = prompt if isinstance(prompt, int) else None
    if isinstance(tool_prompt, int) and tool_prompt:
        input_tokens = (input_tokens or 0) + tool_prompt
    output = None
    if isinstance(candidates, int) or thoughts:
        output = (candidates if isinstance(candidates, int) else 0) + thoughts
    details = {
        key: value
        for key, value in usage.items()
        if key not in ("promptTokenCount", "totalTokenCount")
    }
    sink.set_usage(input=input_tokens, output=output, details=details)
    return thoughts if isinstance(thoughts, int) else 0


def _metadata(part: JSONObject, call_id: Any = None) -> JSONObject | None:
    gemini: JSONObject = {}
    signature = part.get("thoughtSignature") or part.get("thought_signature")
    if signature:
        gemini["thoughtSignature"] = signature
    if call_id:
        gemini["id"] = call_id
    return {"gemini": gemini} if gemini else None


class GeminiParser:
    """Turns one Gemini answer, chunk by chunk, into stream events.

    Events carry their ``part_index``: each run of text or of thoughts gets one,
    and every function call its own.
    """

    __slots__ = (
        "_blocked",
        "_calls",
        "_family",
        "_finish",
        "_last",
        "_part",
        "_reasoning",
        "_sink",
        "_strict",
        "_text",
        "_usage",
    )

    def __init__(self, sink: ResponseSink, *, strict: bool = True) -> None:
        self._sink = sink
        self._strict = strict  # a stream: no finishReason means it was cut off
        self._part = -1
        self._family = ""
        self._text: list[str] = []
        self._reasoning = False
        self._calls: list[ToolCall] = []
        self._usage: Any = None
        self._finish: Any = None
        self._blocked: Any = None
        self._last: JSONObject | None = None

    def feed(self, event: ServerSentEvent) -> list[StreamEvent]:
        """Events for one ``data:`` message (one ``GenerateContentResponse``)."""
        return self.chunk(event.json())

    def feed_many(
        self, messages: Iterable[ServerSentEvent], out: list[str | StreamEvent]
    ) -> None:
        """``feed`` each message, appending the events to ``out``."""
        feed_event = self.feed_event
        for message in messages:
            feed_event(message.event, message.data, out)

    def feed_event(self, event: str, data: str, out: list[str | StreamEvent]) -> None:
        """``feed`` for one event given by its type and data: the hot path.

        An event that only adds one text part to the current text part (most
        of them) is handled inline, with the checks of ``chunk`` (which takes
        every other event), and appended as a plain ``str``: the last event
        was text of that part (see ``text_part``).
        """
        value = parse_json(data)
        if self._family is _TEXT:
            try:
                candidate = value["candidates"][0]
                parts = candidate["content"]["parts"]
                part = parts[0]
                text = part["text"]
            except (KeyError, IndexError, TypeError):
                pass
            else:
                if (
                    type(text) is str
                    and text
                    and len(part) == 1
                    and len(parts) == 1
                    and "finishReason" not in candidate
                    and "error" not in value
                ):
                    self._last = value
                    usage = value.get("usageMetadata")
                    if usage:
                        self._usage = usage
                    self._text.append(text)
                    out.append(text)
                    return
        out += self.chunk(value)

    def chunk(self, data: JSONValue) -> list[StreamEvent]:
        """Events for one ``GenerateContentResponse`` object."""
        if type(data) is not dict:
            raise ValueError(f"expected a JSON object, got {type(data).__name__}")
        if "error" in data:
            raise stream_error(data)
        self._last = data
        usage = data.get("usageMetadata")
        if usage:
            self._usage = usage
        candidates = data.get("candidates")
        if not candidates:
            feedback = data.get("promptFeedback")
            if isinstance(feedback, dict) and feedback.get("blockReason"):
                self._blocked = feedback["blockReason"]
            return []
        candidate = candidates[0]
        finish = candidate.get("finishReason")
        if finish:
            self._finish = finish
        content = candidate.get("content")
        parts = content.get("parts") if isinstance(content, dict) else None
        if not parts:
            return []
        events: list[StreamEvent] = []
        for part in parts:
            self._part_events(part, events)
        return events

    def _start(self, family: str) -> int:
        if self._family != family or family == _TOOL:
            self._family = family
            self._part += 1
        return self._part

    def _part_events(self, part: JSONObject, events: list[StreamEvent]) -> None:
        text = part.get("text")
        if type(text) is str:
            metadata = _metadata(part) if len(part) > 1 else None
            if not text and metadata is None:
                return
            if part.get("thought"):
                index = self._start(_REASONING)
                self._reasoning = True
                events.append(
                    StreamEvent("reasoning", text, index, provider_metadata=metadata)
                )
                return
            if not text and self._family == _REASONING:
                # A signature after the thoughts: keep it with them.
                events.append(
                    StreamEvent("reasoning", "", self._part, provider_metadata=metadata)
                )
                return
            index = self._start(_TEXT)
            self._text.append(text)
            events.append(StreamEvent("text", text, index, provider_metadata=metadata))
            return
        call = part.get("functionCall") or part.get("function_call")
        if isinstance(call, dict):
            name = call.get("name") or ""
            args = call.get("args")
            arguments = args if isinstance(args, dict) else {}
            given_id = call.get("id")
            call_id = given_id or "call_" + monotonic_ulid()
            index = self._start(_TOOL)
            metadata = _metadata(part, given_id)
            self._calls.append(ToolCall(name, arguments, call_id))
            events.append(
                StreamEvent(
                    "tool_call_name", name, index, call_id, provider_metadata=metadata
                )
            )
            events.append(
                StreamEvent("tool_call_args", json.dumps(arguments), index, call_id)
            )

    def finish(self) -> list[StreamEvent]:
        """Record usage, tool calls, ``response_json`` and the resolved model."""
        if self._blocked is not None and self._finish is None:
            raise BadRequestError(
                f"Gemini blocked the prompt ({self._blocked}); rephrase it or "
                "remove the content it objected to",
                body=self._last,
            )
        if self._strict and self._finish is None:
            raise APIConnectionError(
                "The stream ended before the model finished (no finishReason): "
                "the connection was closed early"
            )
        sink = self._sink
        events: list[StreamEvent] = []
        thoughts = record_usage(self._usage, sink)
        if thoughts > 0 and not self._reasoning:
            events.append(StreamEvent("reasoning", "", self._part + 1, redacted=True))
        for call in self._calls:
            sink.add_tool_call(call)
        last = self._last or {}
        summary = {k: v for k, v in last.items() if k != "usageMetadata"}
        candidates = last.get("candidates")
        if isinstance(candidates, list):
            summary["candidates"] = [
                {k: v for k, v in c.items() if k != "content"}
                if isinstance(c, dict)
                else c
                for c in candidates
            ]
        sink.response_json = summary
        model = last.get("modelVersion")
        if isinstance(model, str) and model:
            sink.set_resolved_model(model)
        return events


def parse_generate_response(data: JSONValue, sink: ResponseSink) -> list[StreamEvent]:
    """Events of a whole answer: one object, or a JSON array of stream chunks."""
    if isinstance(data, dict):
        chunks: list[Any] = [data]
    elif isinstance(data, list):
        chunks = data
    else:
        raise ResponseDecodeError(
            f"Expected a JSON object from the server, got {type(data).__name__}"
        )
    parser = GeminiParser(sink, strict=False)
    events: list[StreamEvent] = []
    for chunk in chunks:
        events += parser.chunk(chunk)
    events += parser.finish()
    return events
