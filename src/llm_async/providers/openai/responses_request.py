"""OpenAI Responses API requests, sans-I/O: input items, instructions, tools.

A message chain becomes ``input`` items in order: user and assistant messages,
``function_call`` / ``function_call_output`` items for local tool calls, and
``reasoning`` items carrying the encrypted reasoning a reasoning model returned
earlier (kept in ``ReasoningPart.provider_metadata["openai"]``), so the model
picks up its chain of thought on the next turn with ``store: false``. The last
system message becomes ``instructions``.
"""

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
    ReasoningPart,
    TextPart,
    ToolCallPart,
    ToolResultPart,
)
from llm_async._core.tools import parameters_schema
from llm_async._core.types import JSONObject
from llm_async.providers.openai.common import (
    call_arguments,
    data_url,
    image_url,
    text_of,
)

__all__ = ["function_tool", "input_items", "reasoning_item"]


def _attachment_item(attachment: Attachment, image_detail: str | None) -> JSONObject:
    mime = known_type(attachment)
    if mime.startswith("image/"):
        item: JSONObject = {
            "type": "input_image",
            "image_url": image_url(attachment, mime),
        }
        if image_detail:
            item["detail"] = image_detail
        return item
    if mime == "application/pdf":
        return {
            "type": "input_file",
            "filename": f"{attachment.id()}.pdf",
            "file_data": data_url(attachment, mime),
        }
    raise ValueError(
        f"The OpenAI Responses API cannot send attachments of type {mime!r}"
    )


def reasoning_item(part: ReasoningPart) -> JSONObject | None:
    """The ``reasoning`` input item of an earlier answer's reasoning, if it has one."""
    metadata = (part.provider_metadata or {}).get("openai")
    if not isinstance(metadata, dict):
        return None
    item_id = metadata.get("id")
    encrypted = metadata.get("encrypted_content")
    if not item_id and not encrypted:
        return None
    item: JSONObject = {"type": "reasoning"}
    if item_id:
        item["id"] = item_id
    if encrypted:
        item["encrypted_content"] = encrypted
    item["summary"] = list(metadata.get("summary") or [])
    return item


def _user_item(
    role: str, parts: list[Part], image_detail: str | None
) -> JSONObject | None:
    text = text_of(parts)
    attachments = [
        part.attachment
        for part in parts
        if isinstance(part, AttachmentPart) and part.attachment is not None
    ]
    if not attachments:
        return {"role": role, "content": text} if text else None
    content: list[JSONObject] = []
    if text:
        content.append({"type": "input_text", "text": text})
    content += [_attachment_item(a, image_detail) for a in attachments]
    return {"role": role, "content": content}


def _assistant_items(parts: list[Part]) -> list[JSONObject]:
    """Reasoning, text and local tool calls of an assistant message, in order."""
    items: list[JSONObject] = []
    texts: list[TextPart] = []

    def flush() -> None:
        text = text_of(texts)
        if text:
            items.append({"role": "assistant", "content": text})
        texts.clear()

    for part in parts:
        if isinstance(part, TextPart):
            texts.append(part)
        elif isinstance(part, ReasoningPart):
            item = reasoning_item(part)
            if item is not None:
                flush()
                items.append(item)
        elif isinstance(part, ToolCallPart) and not part.server_executed:
            # Server-side tool calls ran at OpenAI: never sent back as calls.
            flush()
            items.append(
                {
                    "type": "function_call",
                    "call_id": part.tool_call_id or "",
                    "name": part.name,
                    "arguments": call_arguments(part.arguments),
                }
            )
    flush()
    return items


def input_items(
    messages: Iterable[Message], *, image_detail: str | None = None
) -> tuple[list[JSONObject], str | None]:
    """``(input, instructions)`` for a canonical message chain.

    ``instructions`` is the text of the last non-empty system message; tool
    results become ``function_call_output`` items.
    """
    items: list[JSONObject] = []
    instructions: str | None = None
    for message in messages:
        parts = list(message.parts)
        role = message.role
        if role == "system":
            instructions = text_of(parts) or instructions
            continue
        for part in parts:
            if isinstance(part, ToolResultPart) and not part.server_executed:
                items.append(
                    {
                        "type": "function_call_output",
                        "call_id": part.tool_call_id or "",
                        "output": part.output,
                    }
                )
        if role == "tool":
            continue
        if role == "assistant":
            items += _assistant_items(parts)
            continue
        item = _user_item(role, parts, image_detail)
        if item is not None:
            items.append(item)
    return items, instructions


def function_tool(tool: Tool) -> JSONObject:
    """The ``{"type": "function", ...}`` spec of a local tool."""
    return {
        "type": "function",
        "name": tool.name,
        "description": tool.description or None,
        "parameters": parameters_schema(tool),
    }
