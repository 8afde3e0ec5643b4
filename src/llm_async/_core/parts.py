"""Message parts, messages and stream events (``llm.parts``).

Every class is a dataclass with value equality. ``to_dict()`` emits a key only
when it is set, and ``Part.from_dict``/``Message.from_dict`` rebuild an equal
object, so ``Message.from_dict(m.to_dict()) == m``. An empty
``provider_metadata`` dict is stored as ``None`` (both serialise the same way).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from llm_async._core.attachments import Attachment
from llm_async._core.types import JSONMapping, JSONObject, JSONValue

__all__ = [
    "EVENT_TYPES",
    "AttachmentPart",
    "Message",
    "Part",
    "ReasoningPart",
    "StreamEvent",
    "TextPart",
    "ToolCallPart",
    "ToolResultPart",
    "assistant",
    "normalize_parts",
    "system",
    "tool_message",
    "user",
]

#: The ``StreamEvent.type`` values a model may yield.
EVENT_TYPES = ("text", "reasoning", "tool_call_name", "tool_call_args", "tool_result")


def _metadata(value: object, where: str) -> JSONObject | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise TypeError(f"{where}: provider_metadata must be a dict, not {value!r}")
    return dict(value) if value else None


def _field(data: JSONMapping, key: str, kind: type, default: Any) -> JSONValue:
    """``data[key]`` checked against ``kind`` (untrusted input gets a clear error)."""
    value = data.get(key, default)
    if value is default:
        return value
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(
            f"Invalid {data.get('type', 'message')} part: {key!r} must be "
            f"{kind.__name__}, not {type(value).__name__}"
        )
    return value


def _put_metadata(out: JSONObject, metadata: JSONObject | None) -> None:
    if metadata:
        out["provider_metadata"] = metadata


class Part:
    """Base class of message parts; ``Part.from_dict`` rebuilds any part."""

    type: ClassVar[str] = ""
    provider_metadata: JSONObject | None

    def to_dict(self) -> JSONObject:
        """The part as a JSON-ready dict."""
        raise NotImplementedError

    @staticmethod
    def from_dict(data: JSONMapping) -> Part:
        """The part described by ``data`` (dispatches on ``data["type"]``)."""
        if not isinstance(data, Mapping):
            raise ValueError(f"A part must be a dict, not {type(data).__name__}")
        part_type = data.get("type")
        builder = _BUILDERS.get(part_type) if isinstance(part_type, str) else None
        if builder is None:
            raise ValueError(f"Unknown part type: {part_type!r}")
        part: Part = builder(data)
        return part


@dataclass
class TextPart(Part):
    """Text written by the user, the system or the model."""

    type: ClassVar[str] = "text"
    text: str = ""
    provider_metadata: JSONObject | None = None

    def __post_init__(self) -> None:
        self.provider_metadata = _metadata(self.provider_metadata, "TextPart")

    def to_dict(self) -> JSONObject:
        """``{"type": "text", "text", "provider_metadata"?}``."""
        out: JSONObject = {"type": "text", "text": self.text}
        _put_metadata(out, self.provider_metadata)
        return out


@dataclass
class ReasoningPart(Part):
    """The model's reasoning; ``redacted`` when the provider hid its text."""

    type: ClassVar[str] = "reasoning"
    text: str = ""
    redacted: bool = False
    provider_metadata: JSONObject | None = None

    def __post_init__(self) -> None:
        self.provider_metadata = _metadata(self.provider_metadata, "ReasoningPart")

    def to_dict(self) -> JSONObject:
        """``{"type": "reasoning", "text", "provider_metadata"?}``."""
        out: JSONObject = {"type": "reasoning", "text": self.text}
        if self.redacted:
            out["redacted"] = True
        _put_metadata(out, self.provider_metadata)
        return out


@dataclass
class ToolCallPart(Part):
    """A tool call requested by the model (``server_executed``: run by the provider)."""

    type: ClassVar[str] = "tool_call"
    name: str = ""
    arguments: JSONObject = field(default_factory=dict)
    tool_call_id: str | None = None
    server_executed: bool = False
    provider_metadata: JSONObject | None = None

    def __post_init__(self) -> None:
        self.provider_metadata = _metadata(self.provider_metadata, "ToolCallPart")

    def to_dict(self) -> JSONObject:
        """``{"type": "tool_call", "name", "arguments", "tool_call_id"?, ...}``."""
        out: JSONObject = {
            "type": "tool_call",
            "name": self.name,
            "arguments": self.arguments,
        }
        if self.tool_call_id is not None:
            out["tool_call_id"] = self.tool_call_id
        if self.server_executed:
            out["server_executed"] = True
        _put_metadata(out, self.provider_metadata)
        return out


@dataclass
class ToolResultPart(Part):
    """The output of a tool call; ``exception`` is the rendered error, if any."""

    type: ClassVar[str] = "tool_result"
    name: str = ""
    output: str = ""
    tool_call_id: str | None = None
    server_executed: bool = False
    attachments: list[Attachment] = field(default_factory=list)
    exception: str | None = None
    provider_metadata: JSONObject | None = None

    def __post_init__(self) -> None:
        self.provider_metadata = _metadata(self.provider_metadata, "ToolResultPart")

    def to_dict(self) -> JSONObject:
        """``{"type": "tool_result", "name", "output", ...optional keys}``."""
        out: JSONObject = {
            "type": "tool_result",
            "name": self.name,
            "output": self.output,
        }
        if self.tool_call_id is not None:
            out["tool_call_id"] = self.tool_call_id
        if self.server_executed:
            out["server_executed"] = True
        if self.exception is not None:
            out["exception"] = self.exception
        if self.attachments:
            out["attachments"] = [a.to_dict() for a in self.attachments]
        _put_metadata(out, self.provider_metadata)
        return out


@dataclass
class AttachmentPart(Part):
    """A file, URL or bytes in a message."""

    type: ClassVar[str] = "attachment"
    attachment: Attachment | None = None
    provider_metadata: JSONObject | None = None

    def __post_init__(self) -> None:
        self.provider_metadata = _metadata(self.provider_metadata, "AttachmentPart")

    def to_dict(self) -> JSONObject:
        """``{"type": "attachment", "attachment"?, "provider_metadata"?}``."""
        out: JSONObject = {"type": "attachment"}
        if self.attachment is not None:
            out["attachment"] = self.attachment.to_dict()
        _put_metadata(out, self.provider_metadata)
        return out


def _text_part(data: JSONMapping) -> TextPart:
    return TextPart(
        text=_field(data, "text", str, ""),
        provider_metadata=_field(data, "provider_metadata", dict, None),
    )


def _reasoning_part(data: JSONMapping) -> ReasoningPart:
    return ReasoningPart(
        text=_field(data, "text", str, ""),
        redacted=_field(data, "redacted", bool, False),
        provider_metadata=_field(data, "provider_metadata", dict, None),
    )


def _tool_call_part(data: JSONMapping) -> ToolCallPart:
    return ToolCallPart(
        name=_field(data, "name", str, ""),
        arguments=dict(_field(data, "arguments", dict, {})),
        tool_call_id=_field(data, "tool_call_id", str, None),
        server_executed=_field(data, "server_executed", bool, False),
        provider_metadata=_field(data, "provider_metadata", dict, None),
    )


def _tool_result_part(data: JSONMapping) -> ToolResultPart:
    attachments = _field(data, "attachments", list, [])
    return ToolResultPart(
        name=_field(data, "name", str, ""),
        output=_field(data, "output", str, ""),
        tool_call_id=_field(data, "tool_call_id", str, None),
        server_executed=_field(data, "server_executed", bool, False),
        attachments=[Attachment.from_dict(a) for a in attachments],
        exception=_field(data, "exception", str, None),
        provider_metadata=_field(data, "provider_metadata", dict, None),
    )


def _attachment_part(data: JSONMapping) -> AttachmentPart:
    attachment = _field(data, "attachment", dict, None)
    return AttachmentPart(
        attachment=None if attachment is None else Attachment.from_dict(attachment),
        provider_metadata=_field(data, "provider_metadata", dict, None),
    )


_BUILDERS: dict[Any, Any] = {
    "text": _text_part,
    "reasoning": _reasoning_part,
    "tool_call": _tool_call_part,
    "tool_result": _tool_result_part,
    "attachment": _attachment_part,
}


@dataclass
class Message:
    """One message of a conversation: a role (``system``, ``user``,
    ``assistant``, ``tool``) and its parts."""

    role: str
    parts: list[Part] = field(default_factory=list)
    provider_metadata: JSONObject | None = None

    def __post_init__(self) -> None:
        self.provider_metadata = _metadata(self.provider_metadata, "Message")

    def to_dict(self) -> JSONObject:
        """``{"role", "parts": [...], "provider_metadata"?}``."""
        out: JSONObject = {
            "role": self.role,
            "parts": [part.to_dict() for part in self.parts],
        }
        _put_metadata(out, self.provider_metadata)
        return out

    @staticmethod
    def from_dict(data: JSONMapping) -> Message:
        """The message described by ``data`` (as made by ``to_dict()``)."""
        if not isinstance(data, Mapping):
            raise ValueError(f"A message must be a dict, not {type(data).__name__}")
        role = data.get("role")
        if not isinstance(role, str):
            raise ValueError(f"A message needs a string 'role', got {role!r}")
        parts = data.get("parts", [])
        if not isinstance(parts, list):
            raise ValueError("A message's 'parts' must be a list")
        metadata = data.get("provider_metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise ValueError("A message's 'provider_metadata' must be a dict")
        return Message(role, [Part.from_dict(p) for p in parts], metadata)


@dataclass(slots=True)
class StreamEvent:
    """One streamed event: ``type`` is one of ``EVENT_TYPES``.

    ``part_index`` groups events into parts; when a model leaves it ``None`` the
    response assigns one as the event arrives (setting it on the event).
    ``message_index`` starts a new assistant message when it changes.
    """

    type: str
    chunk: str
    part_index: int | None = None
    tool_call_id: str | None = None
    server_executed: bool = False
    tool_name: str | None = None
    redacted: bool = False
    provider_metadata: JSONObject | None = None
    message_index: int = 0


def normalize_parts(items: Iterable[Any]) -> list[Part]:
    """Parts from ``items``: parts as they are, ``str`` → ``TextPart``,
    ``Attachment`` → ``AttachmentPart``, lists and tuples flattened."""
    parts: list[Part] = []
    for item in items:
        if isinstance(item, Part):
            parts.append(item)
        elif isinstance(item, str):
            parts.append(TextPart(item))
        elif isinstance(item, Attachment):
            parts.append(AttachmentPart(item))
        elif isinstance(item, (list, tuple)):
            parts.extend(normalize_parts(item))
        else:
            raise TypeError(f"Cannot convert {item!r} to an llm Part")
    return parts


def system(*items: Any, provider_metadata: JSONObject | None = None) -> Message:
    """A ``system`` message: ``system("Be brief")``."""
    return Message("system", normalize_parts(items), provider_metadata)


def user(*items: Any, provider_metadata: JSONObject | None = None) -> Message:
    """A ``user`` message of text, attachments and parts."""
    return Message("user", normalize_parts(items), provider_metadata)


def assistant(*items: Any, provider_metadata: JSONObject | None = None) -> Message:
    """An ``assistant`` message (for example, an earlier answer)."""
    return Message("assistant", normalize_parts(items), provider_metadata)


def tool_message(*items: Any, provider_metadata: JSONObject | None = None) -> Message:
    """A ``tool`` message, usually of ``ToolResultPart`` items."""
    return Message("tool", normalize_parts(items), provider_metadata)
