"""Sans-I/O parts of the scripted test models: replies and the echo payload."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from llm_async._core.options import Options
from llm_async._core.parts import StreamEvent
from llm_async._core.tools import ToolCall
from llm_async._core.types import JSONObject
from llm_async._core.usage import Usage

__all__ = ["ScriptedOptions", "ScriptedReply", "echo_reply"]


@dataclass
class ScriptedReply:
    """One scripted answer of a ``ScriptedModel``.

    ``chunks`` are streamed in order (strings, or ``StreamEvent`` objects for
    reasoning and tool-call events). ``error``, if set, is raised after
    ``error_after`` chunks (default: before the first). ``delay`` seconds pass
    before each chunk.
    """

    chunks: Sequence[str | StreamEvent] = ()
    usage: Usage | None = None
    tool_calls: Sequence[ToolCall] = ()
    error: BaseException | None = None
    error_after: int = 0
    delay: float = 0.0
    response_json: JSONObject | None = None
    resolved_model: str | None = None


def as_reply(item: ScriptedReply | str | Iterable[str]) -> ScriptedReply:
    """A ``ScriptedReply`` from a reply, a string (one chunk) or a list of chunks."""
    if isinstance(item, ScriptedReply):
        return item
    if isinstance(item, str):
        return ScriptedReply(chunks=[item])
    return ScriptedReply(chunks=list(item))


class ScriptedOptions(Options):
    """Options of the scripted models: accepted and recorded, otherwise unused."""

    temperature: float | None = None
    max_tokens: int | None = None


def echo_reply(prompt: Any) -> ScriptedReply:
    """The echo model's answer: a JSON account of what it was sent.

    Keys: ``prompt``, ``system``, ``attachments``, ``previous`` (earlier user
    texts), and ``options`` and ``tool_results`` when present. A prompt that is
    a JSON object with ``tool_calls`` makes the echo model request those calls.
    """
    messages = prompt.messages
    previous = [
        part.text
        for message in messages[:-1]
        if message.role == "user"
        for part in message.parts
        if getattr(part, "text", None)
    ]
    payload: JSONObject = {
        "prompt": prompt.prompt,
        "system": prompt.system,
        "attachments": [
            {"type": a.type, "url": a.url, "path": a.path} for a in prompt.attachments
        ],
        "previous": previous,
    }
    options = {k: v for k, v in dict(prompt.options).items() if v is not None}
    if options:
        payload["options"] = options
    if prompt.tool_results:
        payload["tool_results"] = [
            {"name": r.name, "output": r.output, "tool_call_id": r.tool_call_id}
            for r in prompt.tool_results
        ]
    tool_calls: list[ToolCall] = []
    try:
        parsed = json.loads(prompt.prompt) if prompt.prompt else None
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and isinstance(parsed.get("tool_calls"), list):
        for call in parsed["tool_calls"]:
            tool_calls.append(
                ToolCall(name=call["name"], arguments=call.get("arguments", {}))
            )
    text = json.dumps(payload, indent=2)
    lines = text.splitlines(keepends=True)
    input_words = len(prompt.prompt.split())
    return ScriptedReply(
        chunks=lines,
        usage=Usage(input=input_words, output=len(lines)),
        tool_calls=tool_calls,
    )
