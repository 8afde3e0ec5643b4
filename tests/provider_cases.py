"""The providers the behaviour tests run against, one ``ProviderCase`` each.

A case says how to reach a provider's built-in model through respx (its
endpoint, key variable, how the key is sent), how to build a synthetic answer
in its wire format (text, tool calls, an error body, a stream cut or failing
midway) and how to read back what we sent (``Sent``: the same view of every
provider's request body). Every answer built here is synthetic.

Adding a provider is one entry in ``CASES``: a ``ProviderCase`` built from its
own small functions. Not rewritten for the blocking facade (plain helpers).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.support import ScriptedStream

__all__ = [
    "ANTHROPIC",
    "CASES",
    "OPENAI",
    "PNG",
    "Call",
    "ProviderCase",
    "Sent",
    "case_ids",
]

#: A tool call in a synthetic answer: (id, name, arguments).
Call = tuple[str, str, dict[str, Any]]


@dataclass
class Sent:
    """What a request asked for, in one shape for every provider.

    ``turns`` is the text of each user and assistant turn in order (tool calls,
    results and attachments are listed separately; a turn with no text is
    ``""``). ``tool_results`` are ``(call id, output)``; ``attachments`` are
    ``("base64", mime type)`` or ``("url", url)``.
    """

    system: str | None = None
    turns: list[tuple[str, str]] = field(default_factory=list)
    tool_calls: list[Call] = field(default_factory=list)
    tool_results: list[tuple[str | None, str]] = field(default_factory=list)
    attachments: list[tuple[str, str]] = field(default_factory=list)
    schema: dict[str, Any] | None = None
    tool_names: list[str] = field(default_factory=list)
    stream: bool = False


def _sse_response(
    messages: Sequence[str], *, error: Exception | None = None
) -> httpx.Response:
    """A 200 event stream of ``messages`` (already framed), maybe failing after."""
    return httpx.Response(
        200,
        headers={"content-type": "text/event-stream"},
        stream=ScriptedStream([m.encode() for m in messages], error=error),
    )


def _strip_titles(schema: Any) -> Any:
    """A schema without the keys a provider may add (for comparisons)."""
    if isinstance(schema, dict):
        return {
            k: _strip_titles(v)
            for k, v in schema.items()
            if k not in ("additionalProperties",)
        }
    if isinstance(schema, list):
        return [_strip_titles(v) for v in schema]
    return schema


# OpenAI Chat Completions -----------------------------------------------------------


def _openai_chunk(delta: dict[str, Any], finish: str | None = None) -> str:
    chunk = {
        "id": "chatcmpl-synthetic",
        "object": "chat.completion.chunk",
        "model": "gpt-4o-mini-synthetic",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(chunk)}\n\n"


def _openai_usage() -> str:
    usage = {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}
    chunk = {"id": "chatcmpl-synthetic", "choices": [], "usage": usage}
    return f"data: {json.dumps(chunk)}\n\n"


def _openai_message(message: dict[str, Any], finish: str) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "id": "chatcmpl-synthetic",
            "object": "chat.completion",
            "model": "gpt-4o-mini-synthetic",
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
        },
    )


def openai_text(chunks: Sequence[str], stream: bool) -> httpx.Response:
    if not stream:
        return _openai_message(
            {"role": "assistant", "content": "".join(chunks)}, "stop"
        )
    messages = [_openai_chunk({"role": "assistant", "content": ""})]
    messages += [_openai_chunk({"content": c}) for c in chunks]
    messages += [_openai_chunk({}, "stop"), _openai_usage(), "data: [DONE]\n\n"]
    return _sse_response(messages)


def openai_tool_calls(calls: Sequence[Call], stream: bool) -> httpx.Response:
    wire = [
        {
            "index": i,
            "id": call_id,
            "type": "function",
            "function": {"name": name, "arguments": json.dumps(args)},
        }
        for i, (call_id, name, args) in enumerate(calls)
    ]
    if not stream:
        message = {"role": "assistant", "content": None, "tool_calls": wire}
        for item in message["tool_calls"]:
            del item["index"]
        return _openai_message(message, "tool_calls")
    messages = [_openai_chunk({"role": "assistant", "tool_calls": [c]}) for c in wire]
    messages += [_openai_chunk({}, "tool_calls"), "data: [DONE]\n\n"]
    return _sse_response(messages)


def openai_error(status: int, message: str) -> httpx.Response:
    body = {"error": {"message": message, "type": "synthetic", "code": None}}
    return httpx.Response(status, json=body)


def openai_cut(text: str, error: Exception) -> httpx.Response:
    return _sse_response([_openai_chunk({"content": text})], error=error)


def openai_stream_error(text: str, message: str) -> httpx.Response:
    error = {"error": {"message": message, "type": "server_error"}}
    return _sse_response(
        [_openai_chunk({"content": text}), f"data: {json.dumps(error)}\n\n"]
    )


def _openai_attachment(item: dict[str, Any]) -> tuple[str, str]:
    url = item["image_url"]["url"] if item["type"] == "image_url" else ""
    if item["type"] == "file":
        url = item["file"]["file_data"]
    if url.startswith("data:"):
        return ("base64", url[len("data:") :].split(";")[0])
    return ("url", url)


def openai_sent(body: dict[str, Any]) -> Sent:
    sent = Sent(stream=bool(body.get("stream")))
    for message in body["messages"]:
        role, content = message["role"], message.get("content")
        if role == "system":
            sent.system = content
            continue
        if role == "tool":
            sent.tool_results.append((message["tool_call_id"], content))
            continue
        text = content if isinstance(content, str) else ""
        if isinstance(content, list):
            text = "\n".join(p["text"] for p in content if p["type"] == "text")
            sent.attachments += [
                _openai_attachment(p) for p in content if p["type"] != "text"
            ]
        sent.turns.append((role, text))
        for call in message.get("tool_calls") or []:
            function = call["function"]
            sent.tool_calls.append(
                (call["id"], function["name"], json.loads(function["arguments"]))
            )
    response_format = body.get("response_format") or {}
    if response_format.get("type") == "json_schema":
        sent.schema = response_format["json_schema"]["schema"]
    sent.tool_names = [t["function"]["name"] for t in body.get("tools") or []]
    return sent


def openai_key(request: httpx.Request) -> str | None:
    value = request.headers.get("authorization")
    return value[len("Bearer ") :] if value else None


# Anthropic Messages ---------------------------------------------------------------


def _event(kind: str, data: dict[str, Any]) -> str:
    return f"event: {kind}\ndata: {json.dumps({'type': kind, **data})}\n\n"


def _anthropic_start() -> str:
    message = {
        "id": "msg_synthetic",
        "type": "message",
        "role": "assistant",
        "model": "claude-synthetic",
        "content": [],
        "stop_reason": None,
        "usage": {"input_tokens": 11, "output_tokens": 1},
    }
    return _event("message_start", {"message": message})


def _anthropic_end(stop_reason: str) -> list[str]:
    return [
        _event(
            "message_delta",
            {"delta": {"stop_reason": stop_reason}, "usage": {"output_tokens": 7}},
        ),
        _event("message_stop", {}),
    ]


def _anthropic_message(content: list[dict[str, Any]], stop: str) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "id": "msg_synthetic",
            "type": "message",
            "role": "assistant",
            "model": "claude-synthetic",
            "content": content,
            "stop_reason": stop,
            "usage": {"input_tokens": 11, "output_tokens": 7},
        },
    )


def _text_block(index: int, chunks: Sequence[str]) -> list[str]:
    block = {"type": "text", "text": ""}
    return [
        _event("content_block_start", {"index": index, "content_block": block}),
        _event("ping", {}),
        *[
            _event(
                "content_block_delta",
                {"index": index, "delta": {"type": "text_delta", "text": chunk}},
            )
            for chunk in chunks
        ],
        _event("content_block_stop", {"index": index}),
    ]


def anthropic_text(chunks: Sequence[str], stream: bool) -> httpx.Response:
    if not stream:
        return _anthropic_message(
            [{"type": "text", "text": "".join(chunks)}], "end_turn"
        )
    return _sse_response(
        [_anthropic_start(), *_text_block(0, chunks), *_anthropic_end("end_turn")]
    )


def anthropic_tool_calls(calls: Sequence[Call], stream: bool) -> httpx.Response:
    if not stream:
        blocks = [
            {"type": "tool_use", "id": call_id, "name": name, "input": args}
            for call_id, name, args in calls
        ]
        return _anthropic_message(blocks, "tool_use")
    messages = [_anthropic_start()]
    for index, (call_id, name, args) in enumerate(calls):
        block = {"type": "tool_use", "id": call_id, "name": name, "input": {}}
        text = json.dumps(args)
        middle = len(text) // 2
        messages.append(
            _event("content_block_start", {"index": index, "content_block": block})
        )
        for fragment in ("", text[:middle], text[middle:]):
            delta = {"type": "input_json_delta", "partial_json": fragment}
            messages.append(
                _event("content_block_delta", {"index": index, "delta": delta})
            )
        messages.append(_event("content_block_stop", {"index": index}))
    return _sse_response([*messages, *_anthropic_end("tool_use")])


_ANTHROPIC_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}


def anthropic_error(status: int, message: str) -> httpx.Response:
    kind = _ANTHROPIC_TYPES.get(status, "api_error")
    body = {
        "type": "error",
        "error": {"type": kind, "message": message},
        "request_id": "req_synthetic",
    }
    return httpx.Response(status, json=body)


def anthropic_cut(text: str, error: Exception) -> httpx.Response:
    start = _text_block(0, [text])[:-1]  # the block never stops
    return _sse_response([_anthropic_start(), *start], error=error)


def anthropic_stream_error(text: str, message: str) -> httpx.Response:
    error = {"error": {"type": "overloaded_error", "message": message}}
    start = _text_block(0, [text])[:-1]
    return _sse_response([_anthropic_start(), *start, _event("error", error)])


def _anthropic_attachment(block: dict[str, Any]) -> tuple[str, str]:
    source = block["source"]
    if source["type"] == "url":
        return ("url", source["url"])
    return ("base64", source["media_type"])


def anthropic_sent(body: dict[str, Any]) -> Sent:
    sent = Sent(stream=bool(body.get("stream")))
    system = body.get("system")
    if isinstance(system, list):
        system = "\n\n".join(block["text"] for block in system)
    sent.system = system
    for message in body["messages"]:
        content = message["content"]
        if isinstance(content, str):
            content = [{"type": "text", "text": content}]
        texts: list[str] = []
        for block in content:
            kind = block["type"]
            if kind == "text":
                texts.append(block["text"])
            elif kind in ("image", "document"):
                sent.attachments.append(_anthropic_attachment(block))
            elif kind == "tool_use":
                sent.tool_calls.append((block["id"], block["name"], block["input"]))
            elif kind == "tool_result":
                sent.tool_results.append((block["tool_use_id"], block["content"]))
        if texts or not any(b["type"] == "tool_result" for b in content):
            sent.turns.append((message["role"], "\n".join(texts)))
    output_format = (body.get("output_config") or {}).get("format")
    if output_format:
        sent.schema = output_format["schema"]
    sent.tool_names = [t["name"] for t in body.get("tools") or []]
    return sent


def anthropic_key(request: httpx.Request) -> str | None:
    return request.headers.get("x-api-key")


# Google Gemini ----------------------------------------------------------------------

_GEMINI_USAGE = {
    "promptTokenCount": 11,
    "candidatesTokenCount": 5,
    "thoughtsTokenCount": 2,
    "totalTokenCount": 18,
}


def _gemini_chunk(
    parts: list[dict[str, Any]], finish: str | None = None
) -> dict[str, Any]:
    candidate: dict[str, Any] = {
        "content": {"role": "model", "parts": parts},
        "index": 0,
    }
    if finish:
        candidate["finishReason"] = finish
    return {
        "candidates": [candidate],
        "usageMetadata": _GEMINI_USAGE,
        "modelVersion": "gemini-synthetic",
    }


def _gemini_event(chunk: dict[str, Any]) -> str:
    return f"data: {json.dumps(chunk)}\r\n\r\n"  # Gemini's separator


def _gemini_answer(
    parts: list[dict[str, Any]], chunks: list[dict[str, Any]], stream: bool
) -> httpx.Response:
    if not stream:
        return httpx.Response(200, json=_gemini_chunk(parts, "STOP"))
    return _sse_response([_gemini_event(chunk) for chunk in chunks])


def gemini_text(chunks: Sequence[str], stream: bool) -> httpx.Response:
    events = [_gemini_chunk([{"text": c}]) for c in chunks]
    events[-1]["candidates"][0]["finishReason"] = "STOP"
    return _gemini_answer([{"text": "".join(chunks)}], events, stream)


def gemini_tool_calls(calls: Sequence[Call], stream: bool) -> httpx.Response:
    """Function calls without ids (Gemini sends none), all in one event."""
    parts = [
        {"functionCall": {"name": name, "args": args}, "thoughtSignature": "c2ln"}
        for _, name, args in calls
    ]
    return _gemini_answer(parts, [_gemini_chunk(parts, "STOP")], stream)


_GEMINI_STATUSES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


def _gemini_status(status: int, message: str) -> dict[str, Any]:
    code = _GEMINI_STATUSES.get(status, "UNKNOWN")
    return {"error": {"code": status, "message": message, "status": code}}


def gemini_error(status: int, message: str) -> httpx.Response:
    return httpx.Response(status, json=_gemini_status(status, message))


def gemini_cut(text: str, error: Exception) -> httpx.Response:
    return _sse_response([_gemini_event(_gemini_chunk([{"text": text}]))], error=error)


def gemini_stream_error(text: str, message: str) -> httpx.Response:
    return _sse_response(
        [
            _gemini_event(_gemini_chunk([{"text": text}])),
            _gemini_event(_gemini_status(503, message)),
        ]
    )


def gemini_sent(body: dict[str, Any]) -> Sent:
    """Gemini sends no call ids: calls and results are numbered in order."""
    sent = Sent()
    system = body.get("systemInstruction")
    if system:
        sent.system = "\n".join(part["text"] for part in system["parts"])
    calls = 0
    results = 0
    for content in body["contents"]:
        role = "assistant" if content["role"] == "model" else "user"
        texts: list[str] = []
        for part in content["parts"]:
            if "text" in part:
                texts.append(part["text"])
            elif "inlineData" in part:
                sent.attachments.append(("base64", part["inlineData"]["mimeType"]))
            elif "fileData" in part:
                sent.attachments.append(("url", part["fileData"]["fileUri"]))
            elif "functionCall" in part:
                call = part["functionCall"]
                sent.tool_calls.append((f"#{calls}", call["name"], call["args"]))
                calls += 1
            elif "functionResponse" in part:
                response = part["functionResponse"]["response"]
                sent.tool_results.append((f"#{results}", response["output"]))
                results += 1
        if texts or not any("functionResponse" in p for p in content["parts"]):
            sent.turns.append((role, "\n".join(texts)))
    config = body.get("generationConfig") or {}
    sent.schema = config.get("responseSchema")
    sent.tool_names = [
        declaration["name"]
        for group in body.get("tools") or []
        for declaration in group.get("functionDeclarations", [])
    ]
    return sent


def gemini_key(request: httpx.Request) -> str | None:
    return request.headers.get("x-goog-api-key")


# The registry ---------------------------------------------------------------------


@dataclass(frozen=True)
class ProviderCase:
    """One provider, as the behaviour tests see it."""

    name: str
    #: A built-in model id or alias (it must take tools, schemas and images).
    model_id: str
    #: The endpoint its requests go to (respx mocks every POST to it).
    url: str
    key_env_var: str
    #: The key as it arrived in a request (whichever header the provider uses).
    sent_key: Callable[[httpx.Request], str | None]
    #: A text answer: ``(chunks, stream)``.
    text: Callable[[Sequence[str], bool], httpx.Response]
    #: An answer that calls tools: ``(calls, stream)``.
    tool_calls: Callable[[Sequence[Call], bool], httpx.Response]
    #: An HTTP error of the provider's shape: ``(status, message)``.
    error: Callable[[int, str], httpx.Response]
    #: A 200 stream that sends ``text`` and then fails with ``error``.
    cut: Callable[[str, Exception], httpx.Response]
    #: A 200 stream that sends ``text`` and then the provider's error event.
    stream_error: Callable[[str, str], httpx.Response]
    #: The request body read back as ``Sent``.
    sent: Callable[[dict[str, Any]], Sent]
    #: Whether the provider sends tool call ids (else synthesised and matched).
    call_ids: bool = True
    #: Whether image URLs are passed on (else downloaded and sent inline).
    url_images: bool = True
    #: Whether ``sent`` can tell a streamed request (Gemini: by its URL only).
    stream_in_body: bool = True

    def __str__(self) -> str:
        return self.name

    def schema_sent(self, sent: Sent) -> Any:
        """The schema as sent, without what the provider adds to close objects."""
        return _strip_titles(sent.schema)


OPENAI = ProviderCase(
    name="openai",
    model_id="gpt-4o-mini",
    url="https://api.openai.com/v1/chat/completions",
    key_env_var="OPENAI_API_KEY",
    sent_key=openai_key,
    text=openai_text,
    tool_calls=openai_tool_calls,
    error=openai_error,
    cut=openai_cut,
    stream_error=openai_stream_error,
    sent=openai_sent,
)

ANTHROPIC = ProviderCase(
    name="anthropic",
    model_id="claude-sonnet-4.5",
    url="https://api.anthropic.com/v1/messages",
    key_env_var="ANTHROPIC_API_KEY",
    sent_key=anthropic_key,
    text=anthropic_text,
    tool_calls=anthropic_tool_calls,
    error=anthropic_error,
    cut=anthropic_cut,
    stream_error=anthropic_stream_error,
    sent=anthropic_sent,
)

GEMINI = ProviderCase(
    name="gemini",
    model_id="gemini-2.5-flash",
    # The streamed and whole endpoints differ: requests are matched by prefix.
    url="https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:",
    key_env_var="GEMINI_API_KEY",
    sent_key=gemini_key,
    text=gemini_text,
    tool_calls=gemini_tool_calls,
    error=gemini_error,
    cut=gemini_cut,
    stream_error=gemini_stream_error,
    sent=gemini_sent,
    call_ids=False,
    url_images=False,
    stream_in_body=False,
)

#: Every provider the behaviour tests run against.
CASES: list[ProviderCase] = [OPENAI, ANTHROPIC, GEMINI]

#: A tiny PNG (1x1 pixel) for attachment tests.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9"
    "awAAAABJRU5ErkJggg=="
)


def case_ids(case: ProviderCase) -> str:
    """The pytest id of a case."""
    return case.name
