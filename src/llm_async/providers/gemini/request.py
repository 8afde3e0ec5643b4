"""Gemini requests, sans-I/O: ``contents``, parts, attachments and tools.

The assistant role is ``model``; tool results travel in a ``user`` turn as
``functionResponse`` parts, in the order of the calls they answer (Gemini
matches them by position and name: its calls carry no id). A call's id is sent
back only when Gemini gave it one. Thought signatures (``provider_metadata
["gemini"]["thoughtSignature"]``) go back on the part they came with; reasoning
text is not sent back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from llm_async._core.attachments import Attachment
    from llm_async._core.parts import Part
    from llm_async._core.tools import Tool

import re
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
from llm_async._core.types import JSONObject, JSONValue
from llm_async.providers.gemini.schema import gemini_schema

__all__ = [
    "SAFETY_SETTINGS",
    "attachment_part",
    "gemini_metadata",
    "is_file_uri",
    "tool_declarations",
    "wire_contents",
]

#: Sent with every request, as the ``llm-gemini`` plugin does: block nothing.
SAFETY_SETTINGS = [
    {"category": f"HARM_CATEGORY_{name}", "threshold": "BLOCK_NONE"}
    for name in ("DANGEROUS_CONTENT", "SEXUALLY_EXPLICIT", "HATE_SPEECH", "HARASSMENT")
]
_YOUTUBE = re.compile(
    r"^https?://(?:www\.|m\.)?(?:youtube\.com/(?:watch\?v=|embed/|shorts/)|youtu\.be/)"
)
_FILES_API = "https://generativelanguage.googleapis.com/"
# MIME types Gemini names differently from what detection returns.
_MIME_ALIASES = {"audio/mpeg": "audio/mp3", "application/ogg": "audio/ogg"}


def gemini_metadata(part: JSONValue) -> JSONObject:
    """The ``"gemini"`` entry of a part's ``provider_metadata`` (or ``{}``)."""
    metadata = part.provider_metadata or {}
    found = metadata.get("gemini")
    return found if isinstance(found, dict) else {}


def is_file_uri(url: str | None) -> bool:
    """Whether Gemini reads ``url`` itself: a YouTube video or a Files API URI."""
    return bool(url) and (
        _YOUTUBE.match(url or "") is not None or (url or "").startswith(_FILES_API)
    )


def attachment_part(attachment: Attachment) -> JSONObject:
    """``fileData`` for a YouTube or Files API URL, else base64 ``inlineData``."""
    url = getattr(attachment, "url", None)
    has_bytes = attachment.content is not None or attachment.path is not None
    if url and not has_bytes and is_file_uri(url):
        file_data: JSONObject = {"fileUri": url}
        mime = attachment.type and attachment.resolve_type()
        if mime and mime != "video/youtube":
            file_data["mimeType"] = mime
        return {"fileData": file_data}
    mime = known_type(attachment)
    return {
        "inlineData": {
            "mimeType": _MIME_ALIASES.get(mime, mime),
            "data": attachment.base64_content(),
        }
    }


def _text(part: TextPart) -> JSONObject | None:
    signature = gemini_metadata(part).get("thoughtSignature")
    if not part.text and not signature:
        return None
    item: JSONObject = {"text": part.text}
    if signature:
        item["thoughtSignature"] = signature
    return item


def _function_call(part: ToolCallPart) -> JSONObject:
    metadata = gemini_metadata(part)
    call: JSONObject = {"name": part.name, "args": _arguments(part.arguments)}
    if metadata.get("id"):
        call["id"] = metadata["id"]
    item: JSONObject = {"functionCall": call}
    if metadata.get("thoughtSignature"):
        item["thoughtSignature"] = metadata["thoughtSignature"]
    return item


def _arguments(arguments: JSONValue) -> JSONObject:
    if isinstance(arguments, dict) and set(arguments) == {"_raw"}:
        return {}  # arguments that were not valid JSON: nothing to send back
    return dict(arguments) if isinstance(arguments, dict) else {}


class _Contents:
    """Builds ``contents``: merges turns of one role, orders tool results."""

    def __init__(self) -> None:
        self.contents: list[JSONObject] = []
        # tool_call_id -> (position, name, Gemini's id) of the last model turn
        self.calls: dict[str, tuple[int, str, str | None]] = {}

    def add(self, role: str, parts: list[JSONObject]) -> None:
        if not parts:
            return
        last = self.contents[-1] if self.contents else None
        if last is not None and last["role"] == role:
            last["parts"].extend(parts)
        else:
            self.contents.append({"role": role, "parts": parts})
        if role == "user":
            self._order_results(self.contents[-1]["parts"])

    def _order_results(self, parts: list[JSONObject]) -> None:
        """Function responses first, in the order of the calls they answer."""
        results = [p for p in parts if "functionResponse" in p]
        if not results:
            return
        rest = [p for p in parts if "functionResponse" not in p]
        results.sort(key=lambda p: p.get("_position", len(self.calls)))
        parts[:] = [*results, *rest]

    def result(self, part: ToolResultPart) -> JSONObject:
        position, name, gemini_id = self.calls.get(
            part.tool_call_id or "", (len(self.calls), part.name, None)
        )
        response: JSONObject = {"output": part.output}
        if part.exception:
            response["error"] = part.exception
        function_response: JSONObject = {
            "name": part.name or name,
            "response": response,
        }
        if gemini_id:
            function_response["id"] = gemini_id
        return {"functionResponse": function_response, "_position": position}

    def model_turn(self, parts: Iterable[Part]) -> list[JSONObject]:
        items: list[JSONObject] = []
        calls: dict[str, tuple[int, str, str | None]] = {}
        for part in parts:
            if isinstance(part, TextPart):
                text = _text(part)
                if text is not None:
                    items.append(text)
            elif isinstance(part, ToolCallPart) and not part.server_executed:
                item = _function_call(part)
                if part.tool_call_id:
                    calls[part.tool_call_id] = (
                        len(calls),
                        part.name,
                        item["functionCall"].get("id"),
                    )
                items.append(item)
            elif isinstance(part, (ReasoningPart, ToolResultPart)):
                continue  # thoughts are not sent back; server results neither
        if calls:
            self.calls = calls
        return items

    def user_turn(self, parts: Iterable[Part]) -> list[JSONObject]:
        items: list[JSONObject] = []
        for part in parts:
            if isinstance(part, TextPart):
                if part.text:
                    items.append({"text": part.text})
            elif isinstance(part, AttachmentPart) and part.attachment is not None:
                items.append(attachment_part(part.attachment))
            elif isinstance(part, ToolResultPart) and not part.server_executed:
                items.append(self.result(part))
                items.extend(attachment_part(a) for a in part.attachments)
        return items

    def finish(self) -> list[JSONObject]:
        for content in self.contents:
            for part in content["parts"]:
                part.pop("_position", None)
        return self.contents


def wire_contents(messages: Iterable[Message]) -> tuple[str, list[JSONObject]]:
    """The system instruction text and ``contents`` for a canonical message chain.

    System messages make the system instruction (each distinct text once, in
    order); consecutive turns of one role are merged into one content.
    """
    builder = _Contents()
    system: list[str] = []
    for message in messages:
        parts = list(message.parts)
        if message.role == "system":
            text = "\n".join(p.text for p in parts if isinstance(p, TextPart))
            if text and text not in system:
                system.append(text)
        elif message.role == "assistant":
            builder.add("model", builder.model_turn(parts))
        else:
            builder.add("user", builder.user_turn(parts))
    return "\n\n".join(system), builder.finish()


def tool_declarations(tools: Iterable[Tool]) -> list[JSONObject]:
    """``functionDeclarations`` for the prompt's (client-side) tools."""
    declarations = []
    for tool in tools:
        declaration: JSONObject = {"name": tool.name}
        if tool.description:
            declaration["description"] = tool.description
        schema = tool.input_schema or {}
        if schema.get("properties"):
            declaration["parameters"] = gemini_schema(schema)
        declarations.append(declaration)
    return declarations
