"""Anthropic Messages requests, sans-I/O: system, content blocks, tools, schemas.

A canonical message chain becomes ``system`` plus alternating ``user`` and
``assistant`` messages: ``tool`` messages (tool results) are user turns, and
consecutive turns of one role are merged. Reasoning parts go back as
``thinking`` blocks with their signature (or ``redacted_thinking`` with its
data); reasoning without a signature (another provider's) is not sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from llm_async._core.attachments import Attachment
    from llm_async._core.tools import Tool

import json
from collections.abc import Iterable

from llm_async._core.attachments import known_type
from llm_async._core.parts import (
    AttachmentPart,
    Message,
    Part,
    ReasoningPart,
    TextPart,
    ToolCallPart,
    ToolResultPart,
)
from llm_async._core.tools import parameters_schema
from llm_async._core.types import JSONObject, JSONValue

__all__ = [
    "CACHE",
    "STRUCTURED_TOOL",
    "anthropic_metadata",
    "strict_schema",
    "tool_spec",
    "wire_messages",
]

#: The name of the tool forced on models without native structured output.
STRUCTURED_TOOL = "output_structured_data"
#: The ``cache_control`` of a prompt-cache breakpoint.
CACHE = {"type": "ephemeral"}
_SCHEMA_MAPS = frozenset({"properties", "$defs", "definitions", "patternProperties"})


def anthropic_metadata(part: Part | Message) -> JSONObject:
    """The ``provider_metadata["anthropic"]`` dict of a part (empty if none)."""
    metadata = part.provider_metadata or {}
    found = metadata.get("anthropic")
    return found if isinstance(found, dict) else {}


def _source(attachment: Attachment, mime: str) -> JSONObject:
    url = getattr(attachment, "url", None)
    has_bytes = (
        getattr(attachment, "content", None) is not None
        or getattr(attachment, "path", None) is not None
    )
    if url and not has_bytes:
        return {"type": "url", "url": url}
    return {"type": "base64", "media_type": mime, "data": attachment.base64_content()}


def attachment_block(attachment: Attachment) -> JSONObject:
    """An ``image`` or ``document`` (PDF) block, by URL or base64."""
    mime = known_type(attachment)
    if mime.startswith("image/"):
        return {"type": "image", "source": _source(attachment, mime)}
    if mime == "application/pdf":
        return {"type": "document", "source": _source(attachment, mime)}
    raise ValueError(
        f"Claude cannot read attachments of type {mime!r} (images and PDFs only)"
    )


def _tool_result_block(part: ToolResultPart) -> JSONObject:
    if part.server_executed:  # a web search's results, sent back as they came
        try:
            results = json.loads(part.output) if part.output else []
        except ValueError:
            results = part.output
        return {
            "type": f"{part.name or 'web_search'}_tool_result",
            "tool_use_id": part.tool_call_id or "",
            "content": results,
        }
    content: JSONValue = part.output
    if part.attachments:
        content = [{"type": "text", "text": part.output}] if part.output else []
        content += [attachment_block(a) for a in part.attachments]
    block: JSONObject = {
        "type": "tool_result",
        "tool_use_id": part.tool_call_id or "",
        "content": content,
    }
    if part.exception is not None:
        block["is_error"] = True
    return block


def _call_input(arguments: JSONValue) -> JSONValue:
    if isinstance(arguments, dict) and set(arguments) == {"_raw"}:
        return {}  # unparseable arguments: the API needs an object
    return arguments


def _block(part: Part, role: str) -> JSONObject | None:
    """The content block of one part, or ``None`` when it is not sent."""
    if isinstance(part, TextPart):
        return {"type": "text", "text": part.text} if part.text else None
    if isinstance(part, AttachmentPart):
        return None if part.attachment is None else attachment_block(part.attachment)
    if isinstance(part, ToolResultPart):
        return _tool_result_block(part)
    if role != "assistant":
        return None
    if isinstance(part, ReasoningPart):
        metadata = anthropic_metadata(part)
        if part.redacted:
            data = metadata.get("redacted_data")
            return {"type": "redacted_thinking", "data": data} if data else None
        signature = metadata.get("signature")
        if not signature:
            return None  # unsigned reasoning (another provider's) is refused
        return {"type": "thinking", "thinking": part.text, "signature": signature}
    if isinstance(part, ToolCallPart):
        return {
            "type": "server_tool_use" if part.server_executed else "tool_use",
            "id": part.tool_call_id or "",
            "name": part.name,
            "input": _call_input(part.arguments),
        }
    return None


def wire_messages(
    messages: Iterable[Message],
) -> tuple[list[str], list[JSONObject]]:
    """The system texts and the Messages API ``messages`` of a chain."""
    system: list[str] = []
    wire: list[JSONObject] = []
    for message in messages:
        if message.role == "system":
            text = "\n".join(p.text for p in message.parts if isinstance(p, TextPart))
            if text and text not in system:
                system.append(text)
            continue
        role = "assistant" if message.role == "assistant" else "user"
        blocks = [b for b in (_block(p, role) for p in message.parts) if b]
        if not blocks:
            continue
        if wire and wire[-1]["role"] == role:
            wire[-1]["content"].extend(blocks)
        else:
            wire.append({"role": role, "content": blocks})
    for item in wire:  # tool results must come first in a user turn
        if item["role"] == "user":
            content = item["content"]
            content.sort(key=lambda block: block["type"] != "tool_result")
    return system, wire


def tool_spec(tool: Tool) -> JSONObject:
    """A client tool's definition: name, description and input schema."""
    spec: JSONObject = {
        "name": tool.name,
        "input_schema": parameters_schema(tool),
    }
    if tool.description:
        spec["description"] = tool.description
    return spec


def strict_schema(schema: JSONValue) -> JSONValue:
    """A JSON schema as structured output needs it: every object closed.

    Objects get ``additionalProperties: false`` unless they say otherwise;
    nested schemas (properties, items, ``$defs``, ``anyOf``...) likewise.
    """
    if isinstance(schema, list):
        return [strict_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: JSONObject = {}
    for key, value in schema.items():
        if key in _SCHEMA_MAPS and isinstance(value, dict):  # name -> schema
            out[key] = {name: strict_schema(item) for name, item in value.items()}
        else:
            out[key] = strict_schema(value)
    if out.get("type") == "object" or "properties" in out:
        out.setdefault("additionalProperties", False)
    return out
