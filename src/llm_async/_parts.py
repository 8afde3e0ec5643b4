"""Message parts, messages and stream events (minimal version; being extended)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "AttachmentPart",
    "Message",
    "Part",
    "ReasoningPart",
    "StreamEvent",
    "TextPart",
    "ToolCallPart",
    "ToolResultPart",
    "assistant",
    "system",
    "tool_message",
    "user",
]


class Part:
    """Base class of message parts."""

    def to_dict(self) -> dict[str, Any]:
        """The part as a JSON-ready dict."""
        raise NotImplementedError


@dataclass
class TextPart(Part):
    """Text."""

    text: str = ""
    provider_metadata: dict[str, Any] | None = None


@dataclass
class ReasoningPart(Part):
    """Model reasoning."""

    text: str = ""
    redacted: bool = False
    provider_metadata: dict[str, Any] | None = None


@dataclass
class ToolCallPart(Part):
    """A tool call requested by the model."""

    name: str = ""
    arguments: dict[str, Any] = field(default_factory=dict)
    tool_call_id: str | None = None
    server_executed: bool = False
    provider_metadata: dict[str, Any] | None = None


@dataclass
class ToolResultPart(Part):
    """The result of a tool call."""

    name: str = ""
    output: str = ""
    tool_call_id: str | None = None
    server_executed: bool = False
    attachments: list[Any] = field(default_factory=list)
    exception: str | None = None
    provider_metadata: dict[str, Any] | None = None


@dataclass
class AttachmentPart(Part):
    """An attachment."""

    attachment: Any = None
    provider_metadata: dict[str, Any] | None = None


@dataclass
class Message:
    """A message: a role and its parts."""

    role: str
    parts: list[Any] = field(default_factory=list)
    provider_metadata: dict[str, Any] | None = None


@dataclass
class StreamEvent:
    """One streamed event (text, reasoning, tool call name/args, tool result)."""

    type: str
    chunk: str
    part_index: int | None = None
    tool_call_id: str | None = None
    server_executed: bool = False
    tool_name: str | None = None
    redacted: bool = False
    provider_metadata: dict[str, Any] | None = None
    message_index: int = 0


def _normalize(items: tuple[Any, ...]) -> list[Any]:
    parts: list[Any] = []
    for item in items:
        if isinstance(item, Part):
            parts.append(item)
        elif isinstance(item, str):
            parts.append(TextPart(item))
        elif isinstance(item, (list, tuple)):
            parts.extend(_normalize(tuple(item)))
        elif type(item).__name__ == "Attachment":
            parts.append(AttachmentPart(item))
        else:
            raise TypeError(f"Cannot convert {item!r} to an llm Part")
    return parts


def system(*items: Any, provider_metadata: dict[str, Any] | None = None) -> Message:
    """A system message."""
    return Message("system", _normalize(items), provider_metadata)


def user(*items: Any, provider_metadata: dict[str, Any] | None = None) -> Message:
    """A user message."""
    return Message("user", _normalize(items), provider_metadata)


def assistant(*items: Any, provider_metadata: dict[str, Any] | None = None) -> Message:
    """An assistant message."""
    return Message("assistant", _normalize(items), provider_metadata)


def tool_message(
    *items: Any, provider_metadata: dict[str, Any] | None = None
) -> Message:
    """A tool message."""
    return Message("tool", _normalize(items), provider_metadata)


def _loads(text: str) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {"_raw": text}
    return value if isinstance(value, dict) else {"_raw": text}
