"""OpenAI Chat Completions requests, sans-I/O: messages, content parts, tools."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from llm_async._core.attachments import Attachment
    from llm_async._core.parts import Part
    from llm_async._core.tools import Tool

from collections.abc import Iterable

from llm_async._core.attachments import known_type
from llm_async._core.parts import (
    AttachmentPart,
    Message,
    TextPart,
    ToolCallPart,
    ToolResultPart,
)
from llm_async._core.tools import parameters_schema
from llm_async._core.types import JSONObject, JSONValue
from llm_async.providers.openai.common import (
    call_arguments,
    data_url,
    image_url,
    text_of,
    without_none,
)

__all__ = ["tool_spec", "wire_messages", "without_none"]


def _attachment_item(attachment: Attachment, image_detail: str | None) -> JSONObject:
    mime = known_type(attachment)
    if mime.startswith("image/"):
        image: JSONObject = {"url": image_url(attachment, mime)}
        if image_detail:
            image["detail"] = image_detail
        return {"type": "image_url", "image_url": image}
    if mime == "application/pdf":
        return {
            "type": "file",
            "file": {
                "filename": f"{attachment.id()}.pdf",
                "file_data": data_url(attachment, mime),
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


def _content(parts: list[Part], image_detail: str | None) -> JSONValue:
    """A message's ``content``: text, a list with attachments, or ``None``."""
    if len(parts) == 1 and type(parts[0]) is TextPart:  # the usual message
        return parts[0].text or None
    if not any(isinstance(part, AttachmentPart) for part in parts):
        text = text_of(parts)
        return text or None
    items: list[JSONObject] = []
    for part in parts:
        if isinstance(part, TextPart):
            if part.text:
                items.append({"type": "text", "text": part.text})
        elif isinstance(part, AttachmentPart):
            if part.attachment is None:
                raise ValueError("An attachment part has no attachment to send")
            items.append(_attachment_item(part.attachment, image_detail))
    return items


def wire_messages(
    messages: Iterable[Message], *, image_detail: str | None = None
) -> list[JSONObject]:
    """Chat Completions ``messages`` for a canonical message chain.

    A system message repeating the system text already in force is dropped;
    each tool result becomes a ``tool`` message; reasoning parts are not sent.
    """
    wire: list[JSONObject] = []
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
            text = text_of(parts)
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
                        "arguments": call_arguments(part.arguments),
                    },
                }
                for part in parts
                if isinstance(part, ToolCallPart) and not part.server_executed
            ]
            item: JSONObject = {"role": "assistant", "content": content}
            if calls:
                item["tool_calls"] = calls
            wire.append(item)
        elif content is not None:
            wire.append({"role": role, "content": content})
    return wire


def tool_spec(tool: Tool) -> JSONObject:
    schema = parameters_schema(tool)
    return {
        "type": "function",
        "function": {
            "name": tool.name,
            "description": tool.description or None,
            "parameters": schema,
        },
    }
