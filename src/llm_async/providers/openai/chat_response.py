"""OpenAI Chat Completions answers, sans-I/O: stream chunks and whole completions."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from llm_async._core.errors import APIConnectionError, ResponseDecodeError, ServerError
from llm_async._core.parts import (
    StreamEvent,
)
from llm_async._core.tools import ToolCall, parse_tool_arguments
from llm_async._core.types import JSONObject, JSONValue
from llm_async._http.sse import parse_json
from llm_async.providers.openai.common import (
    clean_usage_details,
    error_text,
    record_response_json,
    record_usage,
)
from llm_async.providers.openai.common import new_call_id as _new_call_id

if TYPE_CHECKING:
    from llm_async._http.sse import ServerSentEvent
    from llm_async.providers.base import ResponseSink

__all__ = [
    "OpenAIChatParser",
    "clean_usage_details",
    "error_text",
    "parse_completion",
    "record_usage",
]


class OpenAIChatParser:
    """Turns one streamed Chat Completions response into stream events.

    Events carry their ``part_index``: text and reasoning runs each get one, and
    every tool call (keyed by its ``index`` in the deltas) gets its own.
    """

    __slots__ = (
        "_calls",
        "_done",
        "_family",
        "_finish",
        "_meta",
        "_part",
        "_reasoning",
        "_reasoning_tokens",
        "_refusal",
        "_sink",
        "_text",
        "_usage",
    )

    def __init__(self, sink: ResponseSink) -> None:
        self._sink = sink
        self._text: list[str] = []
        self._reasoning: list[str] = []
        self._refusal: list[str] = []
        # index -> [part_index, id, name, argument fragments]
        self._calls: dict[Any, list[Any]] = {}
        self._meta: JSONObject | None = None
        self._usage: Any = None
        self._finish: Any = None
        self._done = False  # data: [DONE] arrived
        self._part = -1
        self._family = ""
        self._reasoning_tokens = 0

    def feed(self, event: ServerSentEvent) -> list[StreamEvent]:
        """Events for one ``chat.completion.chunk`` (none for ``[DONE]``).

        Every chunk through ``_chunk``: the reference for the fast path.
        """
        if event.data == "[DONE]":
            self._done = True
            return []
        return self._chunk(parse_json(event.data))

    def feed_many(
        self, messages: Iterable[ServerSentEvent], out: list[str | StreamEvent]
    ) -> None:
        """``feed`` each message, appending the events to ``out`` as they come."""
        feed_event = self.feed_event
        for message in messages:
            feed_event(message.event, message.data, out)

    def feed_event(self, event: str, data: str, out: list[str | StreamEvent]) -> None:
        """``feed`` for one event given by its type and data: the stream's hot path.

        A chunk that only adds text to the current text part (most of them) is
        handled inline, with the same checks as ``_chunk`` (which takes every
        other chunk), and appended as a plain ``str`` (the last event was text
        of that part: see ``text_part``).
        """
        if data == "[DONE]":
            self._done = True
            return
        chunk = parse_json(data)
        if (
            self._family == "text"
            and type(chunk) is dict
            and self._meta is not None
            and "error" not in chunk
            and not chunk.get("usage")
        ):
            choices = chunk.get("choices")
            if type(choices) is list and choices:
                choice = choices[0]
                if type(choice) is dict and not choice.get("finish_reason"):
                    delta = choice.get("delta")
                    if type(delta) is dict:
                        content = delta.get("content")
                        if (
                            type(content) is str
                            and content
                            and (
                                len(delta) == 1 or (len(delta) == 2 and "role" in delta)
                            )
                        ):
                            self._text.append(content)
                            out.append(content)
                            return
        out += self._chunk(chunk)

    def _chunk(self, chunk: JSONValue) -> list[StreamEvent]:
        if type(chunk) is not dict:
            raise ValueError(f"expected a JSON object, got {type(chunk).__name__}")
        if self._meta is None:
            self._meta = {
                key: chunk.get(key) for key in ("id", "object", "model", "created")
            }
        if "error" in chunk:
            raise ServerError(error_text(chunk["error"]) or "The stream failed")
        usage = chunk.get("usage")
        if usage:
            self._usage = usage
        choices = chunk.get("choices")
        if not choices:
            return []
        choice = choices[0]
        finish = choice.get("finish_reason")
        if finish:
            self._finish = finish
        delta = choice.get("delta")
        if not delta:
            return []
        content = delta.get("content")
        if (
            type(content) is str
            and content
            and (len(delta) == 1 or (len(delta) == 2 and "role" in delta))
        ):
            # The common case: a text fragment (perhaps with its role).
            if self._family != "text":
                self._family = "text"
                self._part += 1
            self._text.append(content)
            return [StreamEvent("text", content, self._part)]
        return self._delta(delta, content)

    def _delta(self, delta: JSONObject, content: JSONValue) -> list[StreamEvent]:
        events: list[StreamEvent] = []
        reasoning = delta.get("reasoning_content") or delta.get("reasoning")
        if reasoning and isinstance(reasoning, str):
            if self._family != "reasoning":
                self._family = "reasoning"
                self._part += 1
            self._reasoning.append(reasoning)
            events.append(StreamEvent("reasoning", reasoning, self._part))
        if content and isinstance(content, str):
            if self._family != "text":
                self._family = "text"
                self._part += 1
            self._text.append(content)
            events.append(StreamEvent("text", content, self._part))
        refusal = delta.get("refusal")
        if refusal:
            self._refusal.append(refusal)
        tool_calls = delta.get("tool_calls")
        if tool_calls:
            for position, call in enumerate(tool_calls):
                self._tool_delta(call, position, events)
        return events

    def _tool_delta(
        self, call: JSONObject, position: int, events: list[StreamEvent]
    ) -> None:
        index = call.get("index", position)
        function = call.get("function") or {}
        name = function.get("name")
        arguments = function.get("arguments")
        state = self._calls.get(index)
        if state is None:
            self._part += 1
            call_id = call.get("id") or _new_call_id()
            state = [self._part, call_id, name or "", []]
            self._calls[index] = state
            events.append(
                StreamEvent(
                    "tool_call_name", name or "", state[0], tool_call_id=call_id
                )
            )
        elif name and name != state[2]:
            # A name in pieces; some servers instead repeat the whole name.
            state[2] += name
            events.append(
                StreamEvent("tool_call_name", name, state[0], tool_call_id=state[1])
            )
        self._family = "tool"
        if arguments and isinstance(arguments, str):
            state[3].append(arguments)
            events.append(
                StreamEvent(
                    "tool_call_args", arguments, state[0], tool_call_id=state[1]
                )
            )

    def finish(self) -> list[StreamEvent]:
        """Record usage, the tool calls and ``response_json`` once the stream ends.

        A stream that ends with neither a ``finish_reason`` nor ``[DONE]`` was cut
        off (a connection closed early, without an HTTP-level error): that raises
        ``APIConnectionError``, and no tool call of it is recorded, since its
        arguments may be incomplete.
        """
        if not self._done and self._finish is None:
            raise APIConnectionError(
                "The stream ended before the model finished (no finish_reason "
                "and no [DONE]): the connection was closed early"
            )
        sink = self._sink
        events: list[StreamEvent] = []
        if self._usage is not None:
            reasoning_tokens = record_usage(self._usage, sink)
            if reasoning_tokens > 0 and not self._reasoning:
                events.append(
                    StreamEvent("reasoning", "", self._part + 1, redacted=True)
                )
        tool_calls = []
        for _part, call_id, name, fragments in self._calls.values():
            text = "".join(fragments)
            sink.add_tool_call(ToolCall(name, parse_tool_arguments(text), call_id))
            tool_calls.append(
                {
                    "id": call_id,
                    "type": "function",
                    "function": {"name": name, "arguments": text},
                }
            )
        meta = self._meta or {}
        summary: JSONObject = {
            "content": "".join(self._text),
            "role": "assistant",
            "finish_reason": self._finish,
            "usage": self._usage,
            **meta,
        }
        if self._reasoning:
            summary["reasoning"] = "".join(self._reasoning)
        if self._refusal:
            summary["refusal"] = "".join(self._refusal)
        if tool_calls:
            summary["tool_calls"] = tool_calls
        record_response_json(sink, summary)
        model = meta.get("model")
        if isinstance(model, str) and model:
            sink.set_resolved_model(model)
        return events


def parse_completion(data: JSONValue, sink: ResponseSink) -> list[StreamEvent]:
    """Events of a non-streamed ``chat.completion``; records usage and JSON."""
    if not isinstance(data, dict):
        raise ResponseDecodeError(
            f"Expected a JSON object from the server, got {type(data).__name__}"
        )
    if "error" in data and not data.get("choices"):
        raise ServerError(error_text(data["error"]) or "The request failed")
    choices = data.get("choices")
    if not isinstance(choices, list):
        raise ResponseDecodeError("The server's answer has no choices")
    record_response_json(sink, data)
    events: list[StreamEvent] = []
    first = choices[0] if choices else None
    message = first.get("message") if isinstance(first, dict) else None
    if not isinstance(message, dict):
        message = {}
    part = 0
    reasoning = message.get("reasoning_content") or message.get("reasoning")
    if isinstance(reasoning, str) and reasoning:
        events.append(StreamEvent("reasoning", reasoning, part))
        part += 1
    content = message.get("content")
    if isinstance(content, str) and content:
        events.append(StreamEvent("text", content, part))
        part += 1
    for call in message.get("tool_calls") or ():
        if not isinstance(call, dict):
            raise ResponseDecodeError("A tool call in the answer is not an object")
        function = call.get("function") or {}
        name = function.get("name") or ""
        arguments = function.get("arguments")
        if not isinstance(arguments, str):
            arguments = json.dumps(arguments) if arguments is not None else ""
        call_id = call.get("id") or _new_call_id()
        sink.add_tool_call(ToolCall(name, parse_tool_arguments(arguments), call_id))
        events.append(StreamEvent("tool_call_name", name, part, tool_call_id=call_id))
        if arguments:
            events.append(
                StreamEvent("tool_call_args", arguments, part, tool_call_id=call_id)
            )
        part += 1
    reasoning_tokens = record_usage(data.get("usage"), sink)
    if reasoning_tokens > 0 and not reasoning:
        events.append(StreamEvent("reasoning", "", part, redacted=True))
    model = data.get("model")
    if isinstance(model, str) and model:
        sink.set_resolved_model(model)
    return events
