"""Helpers for replaying the Gemini recordings (not rewritten).

* ``success_cases()`` / ``error_cases()``: every recorded 200 answer, and every
  fixture whose first answer is an error.
* ``expected_outcome()``: what a response must yield, read from the recorded
  answer with plain line splitting and ``json.loads`` (independent of the
  library's SSE decoder and parser).
* ``replay_call()``: the ``prompt()`` arguments that make our provider send the
  recorded request (its contents converted to ``Message`` objects).
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
from llm_async._core.tools import Tool
from llm_async.providers.gemini.models import GeminiSpec
from tests.support import RECORDED, load_recorded

__all__ = [
    "GeminiSpec",
    "Outcome",
    "error_cases",
    "expected_outcome",
    "normalize_request",
    "recorded_chunks",
    "replay_call",
    "spec_for",
    "success_cases",
]

FOLDER = "gemini"
# snake_case spellings some clients send, and the camelCase we send.
_CAMEL = {
    "function_call": "functionCall",
    "function_response": "functionResponse",
    "inline_data": "inlineData",
    "mime_type": "mimeType",
    "response_mime_type": "responseMimeType",
    "response_schema": "responseSchema",
    "thinking_budget": "thinkingBudget",
    "thinking_level": "thinkingLevel",
    "include_thoughts": "includeThoughts",
    "property_ordering": "propertyOrdering",
    "thought_signature": "thoughtSignature",
    "system_instruction": "systemInstruction",
}


def _fixture_names() -> list[str]:
    if not RECORDED.is_dir():
        raise FileNotFoundError(f"recorded fixtures not found at {RECORDED}")
    return [
        f"{FOLDER}/{path.name}"
        for path in sorted((RECORDED / FOLDER).glob("*.json"))
        if path.name != "list_models.json"
    ]


def success_cases() -> list[tuple[str, int]]:
    """(fixture, interaction index) of every recorded 200 answer."""
    cases = []
    for name in _fixture_names():
        for index, interaction in enumerate(load_recorded(name)["interactions"]):
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


def spec_for(request: dict[str, Any]) -> GeminiSpec:
    """A model like the recorded one: same name and server, thinking budget on."""
    url = request["url"]
    base, _, rest = url.partition("/models/")
    name = rest.split(":")[0]
    levels = ("minimal", "low", "medium", "high") if "gemini-3" in name else ()
    return GeminiSpec(name, thinking_budget=True, thinking_levels=levels, base_url=base)


# What the answer holds -------------------------------------------------------------


@dataclass
class Outcome:
    """What a recorded answer says, read without the library."""

    text: str = ""
    text_deltas: list[str] = field(default_factory=list)
    reasoning: str = ""
    tool_calls: list[tuple[str, dict[str, Any], str | None]] = field(
        default_factory=list
    )
    signatures: list[str] = field(default_factory=list)
    usage: dict[str, Any] | None = None
    model: str | None = None
    finish_reason: str | None = None


def recorded_chunks(response: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``GenerateContentResponse`` objects of a recorded 200 answer."""
    body = response["body"]
    if response.get("stream_format") == "sse":
        return [
            json.loads(line[len("data: ") :])
            for line in body.replace("\r\n", "\n").split("\n")
            if line.startswith("data: ")
        ]
    data = json.loads(body)
    return data if isinstance(data, list) else [data]


def expected_outcome(response: dict[str, Any]) -> Outcome:
    """Text, thoughts, calls, usage and model of a recorded 200 answer."""
    outcome = Outcome()
    for chunk in recorded_chunks(response):
        outcome.usage = chunk.get("usageMetadata", outcome.usage)
        outcome.model = chunk.get("modelVersion", outcome.model)
        for candidate in chunk.get("candidates", [])[:1]:
            outcome.finish_reason = candidate.get("finishReason", outcome.finish_reason)
            for part in candidate.get("content", {}).get("parts", []):
                if part.get("thoughtSignature"):
                    outcome.signatures.append(part["thoughtSignature"])
                if "functionCall" in part:
                    call = part["functionCall"]
                    outcome.tool_calls.append(
                        (call["name"], call.get("args") or {}, call.get("id"))
                    )
                elif part.get("thought"):
                    outcome.reasoning += part["text"]
                elif part.get("text"):
                    outcome.text += part["text"]
                    outcome.text_deltas.append(part["text"])
    return outcome


# The prompt that sends the recorded request ------------------------------------


def _camel(value: Any) -> Any:
    if isinstance(value, dict):
        return {_CAMEL.get(k, k): _camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


def _lower_types(schema: Any) -> Any:
    """A recorded OpenAPI-style schema as JSON Schema (lower-case types)."""
    if isinstance(schema, list):
        return [_lower_types(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("propertyOrdering", "property_ordering", "title"):
            continue
        if key == "type" and isinstance(value, str):
            out[key] = value.lower()
        elif key == "properties":
            out[key] = {n: _lower_types(p) for n, p in value.items()}
        else:
            out[key] = _lower_types(value)
    return out


def _b64decode(text: str) -> bytes:
    """Standard or URL-safe base64 (Google's SDK sends the latter), any padding."""
    text = text.replace("-", "+").replace("_", "/")
    return base64.b64decode(text + "=" * (-len(text) % 4))


def _messages(body: dict[str, Any]) -> list[Message]:
    messages: list[Message] = []
    system = body.get("systemInstruction")
    if system:
        text = "\n".join(p["text"] for p in system["parts"])
        messages.append(Message("system", [TextPart(text)]))
    call_ids: list[str] = []
    for number, content in enumerate(body["contents"]):
        parts: list[Any] = []
        results: list[Any] = []
        for part in content["parts"]:
            signature = part.get("thoughtSignature")
            metadata = (
                {"gemini": {"thoughtSignature": signature}} if signature else None
            )
            if "functionCall" in part:
                call = part["functionCall"]
                call_id = call.get("id") or f"call_{number}_{len(parts)}"
                call_ids.append(call_id)
                parts.append(
                    ToolCallPart(
                        call["name"],
                        call.get("args") or {},
                        call_id,
                        provider_metadata=metadata,
                    )
                )
            elif "functionResponse" in part:
                response = part["functionResponse"]
                call_id = response.get("id") or call_ids[len(results)]
                results.append(
                    ToolResultPart(
                        response["name"], response["response"]["output"], call_id
                    )
                )
            elif "inlineData" in part:
                data = part["inlineData"]
                attachment = Attachment(
                    type=data["mimeType"], content=_b64decode(data["data"])
                )
                parts.append(AttachmentPart(attachment))
            elif part.get("thought"):
                continue  # thoughts are not sent back
            elif part.get("text") or signature:
                parts.append(TextPart(part.get("text", ""), metadata))
        if content["role"] == "model":
            messages.append(Message("assistant", parts))
        else:
            if results:
                messages.append(Message("tool", results))
                call_ids = []
            if parts:
                messages.append(Message("user", parts))
    return messages


def _tools(body: dict[str, Any]) -> list[Tool]:
    tools = []
    for group in body.get("tools", []):
        for declaration in group.get("functionDeclarations", []):
            tools.append(
                Tool(
                    name=declaration["name"],
                    description=declaration.get("description") or "",
                    input_schema=_lower_types(declaration.get("parameters") or {}),
                    implementation=None,
                )
            )
    return tools


def replay_call(request: dict[str, Any]) -> dict[str, Any]:
    """``prompt()`` keyword arguments that send the recorded request."""
    body = _camel(json.loads(request["body"]))
    config = body.get("generationConfig", {})
    thinking = config.get("thinkingConfig", {})
    options: dict[str, Any] = {}
    for name, wire in (
        ("temperature", "temperature"),
        ("max_output_tokens", "maxOutputTokens"),
        ("top_p", "topP"),
        ("top_k", "topK"),
        ("stop_sequences", "stopSequences"),
        ("seed", "seed"),
    ):
        if wire in config:
            options[name] = config[wire]
    if "thinkingBudget" in thinking:
        options["thinking_budget"] = thinking["thinkingBudget"]
    if "thinkingLevel" in thinking:
        options["thinking_level"] = thinking["thinkingLevel"].lower()
    schema = config.get("responseSchema")
    if config.get("responseMimeType") == "application/json" and schema is None:
        options["json_object"] = True
    call: dict[str, Any] = {
        "messages": _messages(body),
        "stream": ":streamGenerateContent" in request["url"],
        "options": options,
        "hide_reasoning": thinking.get("includeThoughts") is False,
    }
    if schema is not None:
        call["schema"] = _lower_types(schema)
    tools = _tools(body)
    if tools:
        call["tools"] = tools
    return call


def _drop_schema_noise(schema: Any) -> Any:
    return _lower_types(schema)


def normalize_request(body: dict[str, Any]) -> dict[str, Any]:
    """What both sides must agree on (spelling, schema style and ids aside)."""
    body = _camel(body)
    out: dict[str, Any] = {}
    contents = []
    for content in body["contents"]:
        parts = []
        for part in content["parts"]:
            if part.get("thought"):
                continue
            if "text" in part and not part["text"] and "thoughtSignature" not in part:
                continue
            part = dict(part)
            if "inlineData" in part:  # the bytes, however they were encoded
                data = part["inlineData"]
                part["inlineData"] = {
                    "mimeType": data["mimeType"],
                    "data": _b64decode(data["data"]),
                }
            if "thoughtSignature" in part:  # SDKs re-encode it URL-safe
                part["thoughtSignature"] = _b64decode(part["thoughtSignature"])
            for key in ("functionCall", "functionResponse"):
                if key in part:
                    part[key] = {k: v for k, v in part[key].items() if k != "id"}
            parts.append(part)
        if parts:
            contents.append({"role": content["role"], "parts": parts})
    out["contents"] = contents
    if body.get("systemInstruction"):
        out["system"] = [p["text"] for p in body["systemInstruction"]["parts"]]
    declarations = [
        {
            "name": d["name"],
            "description": d.get("description") or "",
            "parameters": _drop_schema_noise(d.get("parameters") or {}),
        }
        for group in body.get("tools", [])
        for d in group.get("functionDeclarations", [])
    ]
    for declaration in declarations:
        if not declaration["parameters"].get("properties"):
            declaration["parameters"] = {}
    if declarations:
        out["tools"] = declarations
    config = dict(body.get("generationConfig") or {})
    thinking = {
        k: v
        for k, v in config.pop("thinkingConfig", {}).items()
        if k != "includeThoughts"
    }
    if "thinkingLevel" in thinking:
        thinking["thinkingLevel"] = thinking["thinkingLevel"].lower()
    if thinking:
        config["thinkingConfig"] = thinking
    if "responseSchema" in config:
        config["responseSchema"] = _drop_schema_noise(config["responseSchema"])
    if config:
        out["generationConfig"] = config
    # toolConfig (forcing a tool) has no counterpart in the API: not compared.
    return out
