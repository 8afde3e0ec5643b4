"""OpenAI Chat Completions requests, sans-I/O: messages, content parts, tools."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from llm_async._core.parts import (
    AttachmentPart,
    Message,
    TextPart,
    ToolCallPart,
    ToolResultPart,
)

if TYPE_CHECKING:
    pass


__all__ = ["tool_spec", "wire_messages", "without_none"]

_NESTED = (dict, list)  # what without_none goes into (not a call per scalar)


def without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: without_none(v) if isinstance(v, _NESTED) else v
            for k, v in value.items()
            if v is not None
        }
    if isinstance(value, list):
        return [without_none(v) if isinstance(v, _NESTED) else v for v in value]
    return value


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


def tool_spec(tool: Any) -> dict[str, Any]:
    schema = tool.input_schema or {"type": "object", "properties": {}}
    return {
        "type": "function",
        "function": {
            "name": tool.name,
            "description": tool.description or None,
            "parameters": schema,
        },
    }
