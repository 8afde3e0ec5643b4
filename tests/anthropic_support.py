"""Helpers for replaying the Anthropic Messages recordings (not rewritten).

* ``success_cases()`` / ``error_cases()``: every recorded 200 Messages answer,
  and every fixture whose first answer is an error.
* ``expected_outcome()``: what a response must yield, read from the recorded
  answer line by line (independent of the library's SSE decoder and parser).
* ``replay_call()`` and ``spec_for()``: the ``prompt()`` arguments and a model
  like the recorded one, so that our provider sends the recorded request.
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
    ReasoningPart,
    TextPart,
    ToolCallPart,
    ToolResultPart,
)
from llm_async._core.tools import Tool
from llm_async.providers.anthropic.models import ClaudeSpec
from tests.support import RECORDED, load_recorded

__all__ = [
    "ENDPOINT",
    "Outcome",
    "error_cases",
    "expected_outcome",
    "normalize_request",
    "replay_call",
    "spec_for",
    "success_cases",
    "to_messages",
]

ENDPOINT = "https://api.anthropic.com/v1/messages"
# What the recording clients add that our provider does not (compared nowhere):
# their forced-tool choice, and prompt-cache marks of their own.
IGNORED_FIELDS = {"tool_choice"}


def _names() -> list[str]:
    return [
        f"anthropic/{path.name}"
        for path in sorted((RECORDED / "anthropic").glob("*.json"))
    ]


def success_cases() -> list[tuple[str, int]]:
    """(fixture, interaction index) of every recorded 200 Messages answer."""
    cases = []
    for name in _names():
        for index, interaction in enumerate(load_recorded(name)["interactions"]):
            request = interaction["request"]
            if request["url"].startswith(ENDPOINT) and (
                interaction["response"]["status"] == 200
            ):
                cases.append((name, index))
    return cases


def error_cases() -> list[str]:
    """Every fixture whose first answer is an HTTP error."""
    return [
        name
        for name in _names()
        if load_recorded(name)["interactions"][0]["response"]["status"] >= 400
    ]


# What the answer holds -------------------------------------------------------------


@dataclass
class Outcome:
    """What a recorded answer says, read without the library."""

    text_deltas: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    signatures: list[str] = field(default_factory=list)
    redacted: list[str] = field(default_factory=list)
    tool_calls: list[tuple[str, dict[str, Any], str]] = field(default_factory=list)
    server_calls: list[tuple[str, str]] = field(default_factory=list)
    server_results: list[str] = field(default_factory=list)
    usage: dict[str, Any] = field(default_factory=dict)
    model: str | None = None
    stop_reason: str | None = None
    id: str | None = None

    @property
    def text(self) -> str:
        return "".join(self.text_deltas)


def _add_block(outcome: Outcome, block: dict[str, Any], text: str) -> None:
    kind = block["type"]
    if kind == "text" and text:
        outcome.text_deltas.append(text)
    elif kind == "thinking":
        outcome.reasoning.append(text)
        if block.get("signature"):
            outcome.signatures.append(block["signature"])
    elif kind == "redacted_thinking":
        outcome.redacted.append(block["data"])
    elif kind == "tool_use":
        arguments = json.loads(text) if text else block.get("input") or {}
        outcome.tool_calls.append((block["name"], arguments, block["id"]))
    elif kind == "server_tool_use":
        outcome.server_calls.append((block["name"], block["id"]))
    elif kind.endswith("_tool_result"):
        outcome.server_results.append(block["tool_use_id"])


def expected_outcome(response: dict[str, Any]) -> Outcome:
    """Text, reasoning, tool calls, usage and model of a recorded 200 answer."""
    outcome = Outcome()
    if response.get("stream_format") != "sse":
        data = json.loads(response["body"])
        for block in data["content"]:
            text = block.get("text") or block.get("thinking") or ""
            if block["type"] in ("tool_use",):
                text = json.dumps(block["input"])
            _add_block(outcome, block, text)
        outcome.usage = data["usage"]
        outcome.model = data["model"]
        outcome.stop_reason = data["stop_reason"]
        outcome.id = data["id"]
        return outcome
    blocks: dict[int, tuple[dict[str, Any], list[str]]] = {}
    order: list[int] = []
    for line in response["body"].splitlines():
        if not line.startswith("data:"):
            continue
        event = json.loads(line[len("data:") :])
        kind = event["type"]
        if kind == "message_start":
            message = event["message"]
            outcome.model, outcome.id = message["model"], message["id"]
            outcome.usage = dict(message["usage"])
        elif kind == "content_block_start":
            block = event["content_block"]
            pieces = [block.get("text") or block.get("thinking") or ""]
            blocks[event["index"]] = (dict(block), pieces)
            order.append(event["index"])
        elif kind == "content_block_delta":
            block, pieces = blocks[event["index"]]
            delta = event["delta"]
            if delta["type"] == "text_delta":
                pieces.append(delta["text"])
                if delta["text"]:
                    outcome.text_deltas.append(delta["text"])
            elif delta["type"] == "thinking_delta":
                pieces.append(delta["thinking"])
            elif delta["type"] == "input_json_delta":
                pieces.append(delta["partial_json"])
            elif delta["type"] == "signature_delta":
                block["signature"] = delta["signature"]
        elif kind == "message_delta":
            outcome.stop_reason = event["delta"].get("stop_reason")
            usage = event.get("usage") or {}
            outcome.usage.update({k: v for k, v in usage.items() if v is not None})
    deltas = outcome.text_deltas
    outcome.text_deltas = []
    for index in order:
        block, pieces = blocks[index]
        if block["type"] == "text":
            continue
        _add_block(outcome, block, "".join(pieces))
    outcome.text_deltas = deltas
    return outcome


# What the request holds -------------------------------------------------------------

_URL_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".pdf": "application/pdf"}


def _attachment(block: dict[str, Any]) -> Attachment:
    source = block["source"]
    if source["type"] == "base64":
        return Attachment(
            type=source["media_type"], content=base64.b64decode(source["data"])
        )
    url = source["url"]
    suffix = url[url.rfind(".") :]
    return Attachment(type=_URL_TYPES.get(suffix, "image/png"), url=url)


def to_messages(wire: list[dict[str, Any]]) -> list[Message]:
    """Recorded Messages API turns as ``Message`` objects."""
    names: dict[str, str] = {}
    messages: list[Message] = []
    for item in wire:
        content = item["content"]
        if isinstance(content, str):
            content = [{"type": "text", "text": content}]
        parts: list[Any] = []
        results: list[Any] = []
        for block in content:
            kind = block["type"]
            if kind == "text":
                parts.append(TextPart(block["text"]))
            elif kind in ("image", "document"):
                parts.append(AttachmentPart(_attachment(block)))
            elif kind == "thinking":
                metadata = {"anthropic": {"signature": block["signature"]}}
                parts.append(ReasoningPart(block["thinking"], False, metadata))
            elif kind == "redacted_thinking":
                metadata = {"anthropic": {"redacted_data": block["data"]}}
                parts.append(ReasoningPart("", True, metadata))
            elif kind == "tool_use":
                names[block["id"]] = block["name"]
                parts.append(ToolCallPart(block["name"], block["input"], block["id"]))
            elif kind == "tool_result":
                call_id = block["tool_use_id"]
                results.append(
                    ToolResultPart(names.get(call_id, ""), block["content"], call_id)
                )
            else:
                raise AssertionError(f"block type {kind!r} not replayed")
        if results:
            messages.append(Message("tool", results))
        if parts:
            messages.append(Message(item["role"], parts))
    return messages


def spec_for(request: dict[str, Any]) -> ClaudeSpec:
    """A model like the recorded one: its name and default length, all features."""
    body = json.loads(request["body"])
    adaptive = (body.get("thinking") or {}).get("type") == "adaptive" or (
        "effort" in (body.get("output_config") or {})
    )
    return ClaudeSpec(
        body["model"],
        max_tokens=body["max_tokens"],
        pdf=True,
        thinking=True,
        effort=True,
        adaptive=adaptive,
        web_search=True,
        structured_outputs=True,
    )


def replay_call(request: dict[str, Any]) -> dict[str, Any]:
    """``prompt()`` keyword arguments that reproduce the recorded request."""
    body = json.loads(request["body"])
    wire = list(body["messages"])
    kwargs: dict[str, Any] = {"stream": bool(body.get("stream", False))}
    if wire[-1]["role"] == "assistant":  # a prefill the answer continues
        (block,) = wire.pop()["content"]
        kwargs["prefill"] = block["text"]
    messages = to_messages(wire)
    system = body.get("system")
    if isinstance(system, list):
        system = "\n\n".join(block["text"] for block in system)
    if system:
        messages.insert(0, Message("system", [TextPart(system)]))
    kwargs["messages"] = messages
    for name in ("temperature", "top_p", "top_k", "stop_sequences"):
        if name in body:
            kwargs[name] = body[name]
    thinking = body.get("thinking") or {}
    if thinking.get("type") == "enabled":
        kwargs["thinking_budget"] = thinking["budget_tokens"]
    elif thinking.get("type") == "adaptive":
        kwargs["thinking_adaptive"] = True
    if thinking.get("display") == "summarized":
        kwargs["thinking_display"] = True
    output_config = body.get("output_config") or {}
    if "effort" in output_config:
        kwargs["thinking_effort"] = output_config["effort"]
    output_format = output_config.get("format") or body.get("output_format")
    if output_format:
        kwargs["schema"] = output_format["schema"]
    tools = []
    for tool in body.get("tools") or []:
        if tool.get("type", "").startswith("web_search"):
            kwargs["web_search"] = True
        else:
            tools.append(
                Tool(tool["name"], tool.get("description"), tool["input_schema"])
            )
    if tools:
        kwargs["tools"] = tools
    return kwargs


def _clean(value: Any) -> Any:
    """``value`` without ``None`` entries, cache marks and closing flags."""
    if isinstance(value, dict):
        return {
            k: _clean(v)
            for k, v in value.items()
            if v is not None and k not in ("cache_control", "additionalProperties")
        }
    if isinstance(value, list):
        return [_clean(item) for item in value]
    return value


def normalize_request(body: dict[str, Any]) -> dict[str, Any]:
    """The fields of a Messages body that must match, made comparable.

    String contents become one text block; an assistant text block of one
    space (a recording client adds one before tool calls) is left out;
    ``None`` fields, ``cache_control`` and ``additionalProperties`` are
    dropped; a list ``system`` is joined; the beta ``output_format`` is
    compared as ``output_config.format``; ``thinking: disabled`` (the API's
    default) is left out; tools are compared by name, description and schema.
    """
    messages = []
    for item in body["messages"]:
        content = item["content"]
        if isinstance(content, str):
            content = [{"type": "text", "text": content}]
        if item["role"] == "assistant":  # the recording client's display space
            content = [b for b in content if b != {"type": "text", "text": " "}]
        messages.append({"role": item["role"], "content": _clean(content)})
    system = body.get("system")
    if isinstance(system, list):
        system = "\n\n".join(block["text"] for block in system)
    output_config = dict(body.get("output_config") or {})
    if "output_format" in body:
        output_config["format"] = body["output_format"]
    thinking = body.get("thinking")
    if thinking and thinking.get("type") == "disabled":
        thinking = None
    out: dict[str, Any] = {
        "model": body["model"],
        "max_tokens": body["max_tokens"],
        "messages": messages,
        "system": system,
        "stream": bool(body.get("stream", False)),
        "thinking": thinking,
        "output_config": _clean(output_config) or None,
        "tools": [
            (
                tool.get("type"),
                tool["name"],
                tool.get("description") or None,
                _clean(tool.get("input_schema")),
            )
            for tool in body.get("tools") or []
        ],
    }
    for name in ("temperature", "top_p", "top_k", "stop_sequences", "metadata"):
        out[name] = body.get(name)
    known = set(out) | IGNORED_FIELDS | {"output_format"}
    unknown = set(body) - known
    assert not unknown, f"fields the comparison does not cover: {sorted(unknown)}"
    return out
