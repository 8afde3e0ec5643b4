"""Helpers for replaying the OpenAI and OpenAI-compatible recordings (not rewritten).

* ``success_cases()`` / ``error_cases()``: every recorded interaction whose answer
  is a 200, and every fixture whose first answer is an error.
* ``expected_outcome()``: what a response must yield, read from the recorded
  answer with a plain line-by-line reading of the body (independent of the
  library's SSE decoder and parser).
* ``replay_call()``: the ``prompt()`` arguments that make our provider send the
  recorded request (its messages converted to ``Message`` objects).
* ``normalize_request()``: the parts of a request body both sides must agree on.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from llm_async import Attachment
from llm_async._core.parts import (
    AttachmentPart,
    Message,
    TextPart,
    ToolCallPart,
    ToolResultPart,
)
from llm_async._core.registry import _reset as reset_registry
from llm_async._core.tools import Tool
from llm_async.providers.openai.models import (
    VISION_TYPES,
    ChatSpec,
    OpenAIConfigWarning,
)
from tests.support import RECORDED, load_recorded

__all__ = [
    "VISION_TYPES",
    "ChatSpec",
    "OpenAIConfigWarning",
    "Outcome",
    "error_cases",
    "expected_outcome",
    "normalize_request",
    "replay_call",
    "reset_registry",
    "spec_for",
    "success_cases",
    "to_messages",
    "without_none",
]

FOLDERS = ("openai", "openai_compatible")
# Request fields our provider does not produce (the recording clients' own
# features): compared nowhere.
IGNORED_FIELDS = {"tool_choice", "parallel_tool_calls", "n", "web_search_options"}


def _fixture_names() -> list[str]:
    if not RECORDED.is_dir():
        raise FileNotFoundError(f"recorded fixtures not found at {RECORDED}")
    return [
        f"{folder}/{path.name}"
        for folder in FOLDERS
        for path in sorted((RECORDED / folder).glob("*.json"))
    ]


def success_cases() -> list[tuple[str, int]]:
    """(fixture, interaction index) of every recorded 200 answer."""
    cases = []
    for name in _fixture_names():
        fixture = load_recorded(name)
        for index, interaction in enumerate(fixture["interactions"]):
            if interaction["response"]["status"] == 200:
                cases.append((name, index))
    return cases


def error_cases() -> list[str]:
    """Every fixture whose first answer is an HTTP error."""
    return [
        name
        for name in _fixture_names()
        if load_recorded(name)["interactions"][0]["response"]["status"] >= 400
    ]


def base_url(url: str) -> str:
    """The API root of a recorded ``.../chat/completions`` URL."""
    suffix = "/chat/completions"
    assert url.endswith(suffix), url
    return url[: -len(suffix)]


def spec_for(request: dict[str, Any]) -> ChatSpec:
    """A model like the recorded one: same name and server, every feature on."""
    body = json.loads(request["body"])
    return ChatSpec(
        body["model"],
        base_url=base_url(request["url"]),
        needs_key="recorded",
        key_env_var=None,
        supports_tools=True,
        supports_schema=True,
        vision=True,
        reasoning="max_completion_tokens" in body,
    )


# What the answer holds -------------------------------------------------------------


@dataclass
class Outcome:
    """What a recorded answer says, read without the library."""

    text: str = ""
    text_deltas: list[str] = field(default_factory=list)
    reasoning: str = ""
    tool_calls: list[tuple[str, dict[str, Any], str]] = field(default_factory=list)
    usage: dict[str, Any] | None = None
    model: str | None = None
    finish_reason: str | None = None
    id: str | None = None
    refusal: str = ""
    body: Any = None


def _args(text: str) -> dict[str, Any]:
    value = json.loads(text) if text else {}
    assert isinstance(value, dict)
    return value


def expected_outcome(response: dict[str, Any]) -> Outcome:
    """Text, tool calls, usage and model of a recorded 200 answer."""
    body = response["body"]
    if response.get("stream_format") != "sse":
        data = json.loads(body)
        message = data["choices"][0]["message"]
        return Outcome(
            text=message.get("content") or "",
            reasoning=message.get("reasoning") or "",
            tool_calls=[
                (
                    call["function"]["name"],
                    _args(call["function"]["arguments"]),
                    call["id"],
                )
                for call in message.get("tool_calls") or []
            ],
            usage=data.get("usage"),
            model=data["model"],
            finish_reason=data["choices"][0]["finish_reason"],
            id=data["id"],
            refusal=message.get("refusal") or "",
            body=data,
        )
    outcome = Outcome()
    calls: dict[int, list[Any]] = {}
    for line in body.splitlines():
        if not line.startswith("data:"):
            continue
        payload = line[len("data:") :].strip()
        if payload == "[DONE]":
            continue
        chunk = json.loads(payload)
        outcome.model = outcome.model or chunk.get("model")
        outcome.id = outcome.id or chunk.get("id")
        if chunk.get("usage"):
            outcome.usage = chunk["usage"]
        for choice in chunk.get("choices") or []:
            outcome.finish_reason = choice.get("finish_reason") or outcome.finish_reason
            delta = choice.get("delta") or {}
            if delta.get("content"):
                outcome.text_deltas.append(delta["content"])
            outcome.refusal += delta.get("refusal") or ""
            for call in delta.get("tool_calls") or []:
                entry = calls.setdefault(call["index"], ["", "", ""])
                function = call.get("function") or {}
                entry[0] = entry[0] or function.get("name") or ""
                entry[1] += function.get("arguments") or ""
                entry[2] = entry[2] or call.get("id") or ""
    outcome.text = "".join(outcome.text_deltas)
    outcome.tool_calls = [(n, _args(a), i) for n, a, i in calls.values()]
    return outcome


def without_none(value: Any) -> Any:
    """``value`` with ``None`` entries of dicts removed, recursively."""
    if isinstance(value, dict):
        return {k: without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_none(item) for item in value]
    return value


# What the request holds -------------------------------------------------------------


def _attachment(item: dict[str, Any]) -> Attachment:
    if item["type"] == "image_url":
        url = item["image_url"]["url"]
    else:
        url = item["file"]["file_data"]
    if url.startswith("data:"):
        head, _, data = url.partition(",")
        mime = head[len("data:") :].split(";")[0]
        return Attachment(type=mime, content=base64.b64decode(data))
    return Attachment(type="image/png", url=url)


def to_messages(wire: list[dict[str, Any]]) -> list[Message]:
    """Recorded Chat Completions messages as ``Message`` objects."""
    names: dict[str, str] = {}
    messages: list[Message] = []
    for item in wire:
        role = item["role"]
        content = item.get("content")
        parts: list[Any] = []
        if isinstance(content, str) and content:
            parts.append(TextPart(content))
        elif isinstance(content, list):
            for piece in content:
                if piece["type"] == "text":
                    parts.append(TextPart(piece["text"]))
                else:
                    parts.append(AttachmentPart(_attachment(piece)))
        if role == "tool":
            call_id = item["tool_call_id"]
            result = ToolResultPart(names.get(call_id, ""), content, call_id)
            messages.append(Message("tool", [result]))
            continue
        for call in item.get("tool_calls") or []:
            names[call["id"]] = call["function"]["name"]
            parts.append(
                ToolCallPart(
                    call["function"]["name"],
                    _args(call["function"]["arguments"]),
                    call["id"],
                )
            )
        messages.append(Message(role, parts))
    return messages


def replay_call(request: dict[str, Any]) -> dict[str, Any]:
    """``prompt()`` keyword arguments that reproduce the recorded request."""
    body = json.loads(request["body"])
    kwargs: dict[str, Any] = {
        "messages": to_messages(body["messages"]),
        "stream": bool(body.get("stream", False)),
    }
    for name in ("temperature", "top_p", "seed", "stop", "max_tokens"):
        if name in body:
            kwargs[name] = body[name]
    if "max_completion_tokens" in body:
        kwargs["max_tokens"] = body["max_completion_tokens"]
    response_format = body.get("response_format") or {}
    if response_format.get("type") == "json_object":
        kwargs["json_object"] = True
    elif response_format.get("type") == "json_schema":
        kwargs["schema"] = response_format["json_schema"]["schema"]
    if body.get("tools"):
        kwargs["tools"] = [
            Tool(
                tool["function"]["name"],
                tool["function"].get("description"),
                tool["function"].get("parameters") or {},
            )
            for tool in body["tools"]
        ]
    details = [
        piece["image_url"].get("detail")
        for message in body["messages"]
        if isinstance(message.get("content"), list)
        for piece in message["content"]
        if piece["type"] == "image_url"
    ]
    if any(details):
        kwargs["image_detail"] = next(d for d in details if d)
    return kwargs


def _normalize_message(item: dict[str, Any], ids: dict[str, str]) -> dict[str, Any]:
    def call_id(value: str) -> str:
        return ids.setdefault(value, f"id{len(ids)}")

    out: dict[str, Any] = {"role": item["role"]}
    content = item.get("content")
    if isinstance(content, list):
        pieces = []
        for piece in content:
            if piece["type"] == "text":
                pieces.append(("text", piece["text"]))
            elif piece["type"] == "image_url":
                image = piece["image_url"]
                pieces.append(("image", image["url"], image.get("detail")))
            elif piece["type"] == "file":
                pieces.append(("file", piece["file"]["file_data"]))
            else:
                pieces.append((piece["type"], json.dumps(piece, sort_keys=True)))
        out["content"] = pieces
    else:
        out["content"] = content or None
    if item.get("tool_calls"):
        out["tool_calls"] = [
            (
                call_id(call["id"]),
                call["function"]["name"],
                _args(call["function"]["arguments"]),
            )
            for call in item["tool_calls"]
        ]
    if item["role"] == "tool":
        out["tool_call_id"] = call_id(item["tool_call_id"])
    return out


def normalize_request(body: dict[str, Any]) -> dict[str, Any]:
    """The fields of a Chat Completions body that must match, made comparable.

    Tool call ids become ``id0``, ``id1``... in order of appearance (a server
    that sends no ids gets ours); an assistant message with no content and no
    tool calls is dropped (one recording client sends an empty one before
    each tool call); a json_schema's name and strictness and a tool's
    ``strict`` flag are not compared, nor are ``IGNORED_FIELDS``.
    """
    ids: dict[str, str] = {}
    messages = [
        _normalize_message(item, ids)
        for item in body["messages"]
        if not (
            item["role"] == "assistant"
            and not item.get("content")
            and not item.get("tool_calls")
        )
    ]
    out: dict[str, Any] = {
        "model": body["model"],
        "messages": messages,
        "stream": bool(body.get("stream", False)),
        "stream_options": body.get("stream_options"),
    }
    for name in ("temperature", "top_p", "seed", "stop"):
        out[name] = body.get(name)
    out["max_tokens"] = body.get("max_tokens") or body.get("max_completion_tokens")
    response_format = body.get("response_format")
    if response_format and response_format.get("type") == "json_schema":
        response_format = {
            "type": "json_schema",
            "schema": response_format["json_schema"]["schema"],
        }
    out["response_format"] = response_format
    out["tools"] = [
        (
            tool["function"]["name"],
            tool["function"].get("description") or None,
            tool["function"].get("parameters"),
        )
        for tool in body.get("tools") or []
    ]
    unknown = set(body) - set(out) - IGNORED_FIELDS - {"max_completion_tokens"}
    assert not unknown, f"fields the comparison does not cover: {sorted(unknown)}"
    return out
