"""OpenAI Chat Completions, sans-I/O: options, requests, responses, streams.

Also speaks to OpenAI-compatible servers (Ollama, llama.cpp's server, vLLM,
OpenRouter, Groq...): it ignores fields it does not know, accepts ``content:
null``, usage on any chunk (or none), a stream without ``data: [DONE]``, and
reasoning text in ``reasoning_content`` or ``reasoning``.

``AsyncHTTPModel``/``HTTPModel`` do the I/O; this module only builds the
``httpx.Request`` and turns JSON bodies and server-sent events into stream events.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

import httpx
from pydantic import Field, create_model, field_validator

from llm_async._core.errors import APIConnectionError, ResponseDecodeError, ServerError
from llm_async._core.options import Options
from llm_async._core.parts import (
    AttachmentPart,
    Message,
    StreamEvent,
    TextPart,
    ToolCallPart,
    ToolResultPart,
)
from llm_async._core.tools import ToolCall, parse_tool_arguments
from llm_async._core.ulid import monotonic_ulid

if TYPE_CHECKING:
    from llm_async._core.prompt import Prompt
    from llm_async._http.sse import ServerSentEvent
    from llm_async.providers.base import ResponseSink

__all__ = [
    "DEFAULT_BASE_URL",
    "ChatOptions",
    "OpenAIChatParser",
    "OpenAIChatProvider",
    "chat_options_class",
    "clean_usage_details",
    "parse_logit_bias",
    "wire_messages",
]

#: Where requests go when neither ``base_url`` nor ``OPENAI_BASE_URL`` is set.
DEFAULT_BASE_URL = "https://api.openai.com/v1"

_IMAGE_DETAIL = Literal["low", "high", "auto"]
_REASONING_EFFORT = Literal["none", "minimal", "low", "medium", "high", "xhigh"]
# Options consumed by the request builder rather than sent as they are.
_NOT_SENT = frozenset({"json_object", "image_detail"})


def parse_logit_bias(value: Any) -> dict[int, int] | None:
    """``logit_bias`` as ``{token_id: bias}``: a dict or a JSON object string.

    Biases must be integers from -100 to 100; token ids non-negative integers.
    """
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ValueError("Invalid JSON in logit_bias string") from None
    if not isinstance(value, Mapping):
        raise ValueError("logit_bias must be a dict or a JSON object string")
    parsed: dict[int, int] = {}
    for key, bias in value.items():
        try:
            token = int(key)
            amount = int(bias)
        except (TypeError, ValueError):
            raise ValueError(
                "Invalid key-value pair in logit_bias dictionary"
            ) from None
        if isinstance(bias, float) and bias != amount:
            raise ValueError("Invalid key-value pair in logit_bias dictionary")
        if token < 0 or not -100 <= amount <= 100:
            raise ValueError("Invalid key-value pair in logit_bias dictionary")
        parsed[token] = amount
    return parsed


class ChatOptions(Options):
    """Options of the OpenAI Chat Completions models."""

    temperature: float | None = Field(
        default=None,
        ge=0,
        le=2,
        description="Sampling temperature from 0 to 2: higher is more random, "
        "lower more focused and deterministic",
    )
    max_tokens: int | None = Field(
        default=None, ge=1, description="Maximum number of tokens to generate"
    )
    top_p: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Nucleus sampling: consider only the tokens in the top_p "
        "probability mass (alter this or temperature, not both)",
    )
    frequency_penalty: float | None = Field(
        default=None,
        ge=-2,
        le=2,
        description="From -2 to 2: positive values penalise tokens by how often "
        "they already appeared",
    )
    presence_penalty: float | None = Field(
        default=None,
        ge=-2,
        le=2,
        description="From -2 to 2: positive values penalise tokens that already "
        "appeared at all",
    )
    stop: str | list[str] | None = Field(
        default=None, description="A string (or list) at which to stop generating"
    )
    logit_bias: dict[int, int] | str | None = Field(
        default=None,
        description="Bias for token ids: a dict or JSON object of token id to a "
        "value from -100 to 100",
    )
    seed: int | None = Field(
        default=None, description="An integer seed for (mostly) repeatable sampling"
    )
    json_object: bool | None = Field(
        default=None,
        description="Answer with a JSON object (the prompt must mention JSON)",
    )

    @field_validator("logit_bias", mode="before")
    @classmethod
    def _check_logit_bias(cls, value: Any) -> dict[int, int] | None:
        return parse_logit_bias(value)


_EXTRA_FIELDS: dict[str, tuple[Any, Any]] = {
    "image_detail": (
        _IMAGE_DETAIL | None,
        Field(
            default=None,
            description="Detail of image attachments: low, high or auto",
        ),
    ),
    "reasoning_effort": (
        _REASONING_EFFORT | None,
        Field(
            default=None,
            description="How hard a reasoning model thinks: none, minimal, low, "
            "medium, high or xhigh (which values a model accepts varies)",
        ),
    ),
    "service_tier": (
        str | None,
        Field(
            default=None,
            description="Processing tier: auto, default, flex, priority...",
        ),
    ),
}
_option_classes: dict[tuple[bool, bool, bool], type[ChatOptions]] = {}


def chat_options_class(
    *, vision: bool = False, reasoning: bool = False, service_tier: bool = False
) -> type[ChatOptions]:
    """``ChatOptions`` plus ``image_detail`` (vision), ``reasoning_effort``
    (reasoning) and ``service_tier``, as the model supports them (cached)."""
    flags = (vision, reasoning, service_tier)
    found = _option_classes.get(flags)
    if found is not None:
        return found
    names = [name for name, wanted in zip(_EXTRA_FIELDS, flags, strict=True) if wanted]
    if not names:
        _option_classes[flags] = ChatOptions
        return ChatOptions
    suffix = "".join(name.title().replace("_", "") for name in names)
    options: type[ChatOptions] = create_model(
        f"ChatOptionsWith{suffix}",
        __base__=ChatOptions,
        __module__=__name__,
        __doc__=ChatOptions.__doc__,
        **{name: _EXTRA_FIELDS[name] for name in names},  # type: ignore[call-overload]
    )
    return _option_classes.setdefault(flags, options)


# Usage --------------------------------------------------------------------------


def clean_usage_details(value: Any) -> Any:
    """Usage details with zeros, ``None``, ``False`` and empty dicts removed."""
    if isinstance(value, dict):
        cleaned = {}
        for key, item in value.items():
            item = clean_usage_details(item)
            if item is None or item == 0 or item == {}:
                continue
            cleaned[key] = item
        return cleaned
    return value


def _record_usage(usage: Any, sink: ResponseSink) -> int:
    """Record ``usage`` on the sink; returns the reasoning token count."""
    if not isinstance(usage, dict):
        return 0
    prompt_tokens = usage.get("prompt_tokens")
    completion_tokens = usage.get("completion_tokens")
    rest = {
        key: value
        for key, value in usage.items()
        if key not in ("prompt_tokens", "completion_tokens", "total_tokens")
    }
    details = clean_usage_details(rest)
    sink.set_usage(
        input=prompt_tokens if isinstance(prompt_tokens, int) else None,
        output=completion_tokens if isinstance(completion_tokens, int) else None,
        details=details if isinstance(details, dict) else {},
    )
    completion_details = usage.get("completion_tokens_details")
    if isinstance(completion_details, dict):
        reasoning = completion_details.get("reasoning_tokens")
        if isinstance(reasoning, int):
            return reasoning
    return 0


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _without_none(v) if isinstance(v, _NESTED) else v
            for k, v in value.items()
            if v is not None
        }
    if isinstance(value, list):
        return [_without_none(v) if isinstance(v, _NESTED) else v for v in value]
    return value


_NESTED = (dict, list)  # what _without_none goes into (not a call per scalar)


def _new_call_id() -> str:
    # For servers that send no (or an empty) tool call id (Gemini's compat API).
    return "call_" + monotonic_ulid()


# Requests -----------------------------------------------------------------------


def _text_of(parts: Iterable[Any]) -> str:
    return "\n".join(part.text for part in parts if isinstance(part, TextPart))


def _attachment_item(attachment: Any, image_detail: str | None) -> dict[str, Any]:
    mime = attachment.resolve_type()
    if mime is None:
        raise ValueError("Cannot send an attachment whose type is unknown")
    if mime.startswith("image/"):
        url = getattr(attachment, "url", None)
        has_bytes = (
            getattr(attachment, "content", None) is not None
            or getattr(attachment, "path", None) is not None
        )
        if not url or has_bytes:
            url = f"data:{mime};base64,{attachment.base64_content()}"
        image: dict[str, Any] = {"url": url}
        if image_detail:
            image["detail"] = image_detail
        return {"type": "image_url", "image_url": image}
    if mime == "application/pdf":
        return {
            "type": "file",
            "file": {
                "filename": f"{attachment.id()}.pdf",
                "file_data": f"data:{mime};base64,{attachment.base64_content()}",
            },
        }
    if mime.startswith("audio/"):
        return {
            "type": "input_audio",
            "input_audio": {
                "data": attachment.base64_content(),
                "format": "wav" if mime in ("audio/wav", "audio/x-wav") else "mp3",
            },
        }
    raise ValueError(f"OpenAI Chat cannot send attachments of type {mime!r}")


def _content(parts: list[Any], image_detail: str | None) -> Any:
    """A message's ``content``: text, a list with attachments, or ``None``."""
    if not any(isinstance(part, AttachmentPart) for part in parts):
        text = _text_of(parts)
        return text or None
    items: list[dict[str, Any]] = []
    for part in parts:
        if isinstance(part, TextPart):
            if part.text:
                items.append({"type": "text", "text": part.text})
        elif isinstance(part, AttachmentPart):
            items.append(_attachment_item(part.attachment, image_detail))
    return items


def _call_arguments(arguments: Any) -> str:
    if isinstance(arguments, dict) and set(arguments) == {"_raw"}:
        raw = arguments["_raw"]
        if isinstance(raw, str):
            return raw  # what the model sent, unparseable: send it back as it was
    return json.dumps(arguments)


def wire_messages(
    messages: Iterable[Message], *, image_detail: str | None = None
) -> list[dict[str, Any]]:
    """Chat Completions ``messages`` for a canonical message chain.

    A system message repeating the system text already in force is dropped;
    each tool result becomes a ``tool`` message; reasoning parts are not sent.
    """
    wire: list[dict[str, Any]] = []
    active_system: str | None = None
    for message in messages:
        parts = list(message.parts)
        for part in parts:
            if isinstance(part, ToolResultPart) and not part.server_executed:
                wire.append(
                    {
                        "role": "tool",
                        "tool_call_id": part.tool_call_id or "",
                        "content": part.output,
                    }
                )
        role = message.role
        if role == "tool":
            continue
        if role == "system":
            text = _text_of(parts)
            if not text or text == active_system:
                continue
            active_system = text
            wire.append({"role": "system", "content": text})
            continue
        content = _content(parts, image_detail)
        if role == "assistant":
            calls = [
                {
                    "type": "function",
                    "id": part.tool_call_id,
                    "function": {
                        "name": part.name,
                        "arguments": _call_arguments(part.arguments),
                    },
                }
                for part in parts
                if isinstance(part, ToolCallPart) and not part.server_executed
            ]
            item: dict[str, Any] = {"role": "assistant", "content": content}
            if calls:
                item["tool_calls"] = calls
            wire.append(item)
        elif content is not None:
            wire.append({"role": role, "content": content})
    return wire


def _tool_spec(tool: Any) -> dict[str, Any]:
    schema = tool.input_schema or {"type": "object", "properties": {}}
    return {
        "type": "function",
        "function": {
            "name": tool.name,
            "description": tool.description or None,
            "parameters": schema,
        },
    }


# Responses ----------------------------------------------------------------------


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
        self._meta: dict[str, Any] | None = None
        self._usage: Any = None
        self._finish: Any = None
        self._done = False  # data: [DONE] arrived
        self._part = -1
        self._family = ""
        self._reasoning_tokens = 0

    def feed(self, event: ServerSentEvent) -> list[StreamEvent]:
        """Events for one ``chat.completion.chunk`` (none for ``[DONE]``)."""
        if event.data == "[DONE]":
            self._done = True
            return []
        return self._chunk(event.json())

    def feed_many(
        self, messages: Iterable[ServerSentEvent], out: list[StreamEvent]
    ) -> None:
        """``feed`` each message, appending the events to ``out`` as they come.

        The stream's hot path: a chunk that only adds text to the current text
        part (most of them) is handled inline, with the same checks as
        ``_chunk`` (which takes every other chunk).
        """
        append = out.append
        text = self._text.append
        part = self._part
        fast = self._family == "text" and self._meta is not None
        for message in messages:
            if message.data == "[DONE]":
                self._done = True
                continue
            chunk = message.json()
            if (
                fast
                and type(chunk) is dict
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
                                    len(delta) == 1
                                    or (len(delta) == 2 and "role" in delta)
                                )
                            ):
                                text(content)
                                append(StreamEvent("text", content, part))
                                continue
            out += self._chunk(chunk)
            part = self._part
            fast = self._family == "text" and self._meta is not None

    def _chunk(self, chunk: Any) -> list[StreamEvent]:
        if type(chunk) is not dict:
            raise ValueError(f"expected a JSON object, got {type(chunk).__name__}")
        if self._meta is None:
            self._meta = {
                key: chunk.get(key) for key in ("id", "object", "model", "created")
            }
        if "error" in chunk:
            raise ServerError(_error_text(chunk["error"]) or "The stream failed")
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

    def _delta(self, delta: dict[str, Any], content: Any) -> list[StreamEvent]:
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
        self, call: dict[str, Any], position: int, events: list[StreamEvent]
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
            reasoning_tokens = _record_usage(self._usage, sink)
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
        summary: dict[str, Any] = {
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
        sink.response_json = _without_none(summary)
        model = meta.get("model")
        if isinstance(model, str) and model:
            sink.set_resolved_model(model)
        return events


@lru_cache(maxsize=64)
def _parsed_url(url: str) -> httpx.URL:
    """``httpx.URL(url)``, parsed once per endpoint rather than per request."""
    return httpx.URL(url)


def _error_text(error: Any) -> str:
    """The message of an OpenAI-style ``error`` value (dict or string)."""
    if isinstance(error, str):
        return error
    if not isinstance(error, dict):
        return ""
    message = error.get("message") or error.get("detail") or ""
    if not isinstance(message, str):
        message = json.dumps(message)
    metadata = error.get("metadata")
    raw = metadata.get("raw") if isinstance(metadata, dict) else None
    if isinstance(raw, str) and raw and raw not in message:
        # OpenRouter: "Provider returned error" plus the upstream's own words.
        message = f"{message}: {raw}" if message else raw
    return message


class OpenAIChatProvider:
    """Builds Chat Completions requests for one model and parses the answers.

    ``base_url=None`` means ``$OPENAI_BASE_URL``, else the OpenAI API, read for
    each request. The key, when there is one, is sent as ``Authorization:
    Bearer``; without one no ``Authorization`` header is sent.
    """

    def __init__(
        self,
        model_name: str,
        *,
        base_url: str | None = None,
        options: type[ChatOptions] = ChatOptions,
        reasoning: bool = False,
    ) -> None:
        self.model_name = model_name
        self._base_url = base_url.rstrip("/") if base_url else None
        self.Options = options
        self.reasoning = reasoning

    def __repr__(self) -> str:
        return f"<OpenAIChatProvider {self.model_name!r} at {self.base_url}>"

    @property
    def base_url(self) -> str:
        """The API's base URL (the endpoint is ``{base_url}/chat/completions``)."""
        if self._base_url:
            return self._base_url
        return (os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")

    def accepts_url(self, attachment: Any) -> bool:
        """Images are sent by URL; other URLs are downloaded and sent inline."""
        mime = attachment.resolve_type()
        return bool(mime and mime.startswith("image/"))

    def build_body(self, prompt: Prompt, *, stream: bool) -> dict[str, Any]:
        """The JSON body for ``prompt``."""
        options = prompt.options
        # A pydantic Options instance iterates as (name, value) pairs.
        values: dict[str, Any] = dict(options)
        image_detail = values.get("image_detail")
        body: dict[str, Any] = {
            "model": self.model_name,
            "messages": wire_messages(prompt.messages, image_detail=image_detail),
            "stream": stream,
        }
        for name, value in values.items():
            if value is None or name in _NOT_SENT:
                continue
            if name == "max_tokens" and self.reasoning:
                name = "max_completion_tokens"  # reasoning models refuse max_tokens
            body[name] = value
        if stream:
            body["stream_options"] = {"include_usage": True}
        if values.get("json_object"):
            body["response_format"] = {"type": "json_object"}
        if prompt.schema is not None:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "output", "schema": prompt.schema},
            }
        tools = [
            _tool_spec(tool)
            for tool in prompt.tools
            if not getattr(tool, "_is_server_side_tool", False)
        ]
        if tools:
            body["tools"] = tools
        return body

    def build_request(
        self, prompt: Prompt, *, stream: bool, key: str | None
    ) -> httpx.Request:
        """``POST {base_url}/chat/completions`` with the JSON body."""
        headers = {"authorization": f"Bearer {key}"} if key else {}
        return httpx.Request(
            "POST",
            _parsed_url(f"{self.base_url}/chat/completions"),
            json=self.build_body(prompt, stream=stream),
            headers=headers,
        )

    def parse_response(self, data: Any, sink: ResponseSink) -> list[StreamEvent]:
        """Events of a non-streamed ``chat.completion``; records usage and JSON."""
        if not isinstance(data, dict):
            raise ResponseDecodeError(
                f"Expected a JSON object from the server, got {type(data).__name__}"
            )
        if "error" in data and not data.get("choices"):
            raise ServerError(_error_text(data["error"]) or "The request failed")
        choices = data.get("choices")
        if not isinstance(choices, list):
            raise ResponseDecodeError("The server's answer has no choices")
        sink.response_json = _without_none(data)
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
            events.append(
                StreamEvent("tool_call_name", name, part, tool_call_id=call_id)
            )
            if arguments:
                events.append(
                    StreamEvent("tool_call_args", arguments, part, tool_call_id=call_id)
                )
            part += 1
        reasoning_tokens = _record_usage(data.get("usage"), sink)
        if reasoning_tokens > 0 and not reasoning:
            events.append(StreamEvent("reasoning", "", part, redacted=True))
        model = data.get("model")
        if isinstance(model, str) and model:
            sink.set_resolved_model(model)
        return events

    def stream_parser(self, sink: ResponseSink) -> OpenAIChatParser:
        """A fresh parser for one streamed response."""
        return OpenAIChatParser(sink)

    def error_message(self, status_code: int, body: Any) -> tuple[str, str | None]:
        """Message and code of an OpenAI-style error body (and common variants)."""
        if isinstance(body, dict):
            error = body.get("error", body)
            message = _error_text(error)
            if not message and isinstance(body.get("detail"), (str, list)):
                detail = body["detail"]  # FastAPI servers (llama_cpp.server)
                message = detail if isinstance(detail, str) else json.dumps(detail)
            code: Any = None
            if isinstance(error, dict):
                code = error.get("code") or error.get("type")
            if message:
                return message, None if code is None else str(code)
        if isinstance(body, str) and body.strip():
            return body.strip()[:500], None
        return f"HTTP {status_code} error", None
