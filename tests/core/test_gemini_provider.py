"""The Gemini provider without I/O: schema rewrite, request bodies, parsing."""

from __future__ import annotations

import json
from typing import Any

import pydantic
import pytest

from llm_async._core.errors import APIConnectionError, ResponseDecodeError
from llm_async._core.parts import (
    Message,
    ReasoningPart,
    TextPart,
    ToolCallPart,
    ToolResultPart,
)
from llm_async._core.prompt import Prompt
from llm_async._core.tools import Tool
from llm_async._core.usage import Usage
from llm_async.providers.gemini.models import GeminiSpec, builtin_specs
from llm_async.providers.gemini.response import GeminiParser, parse_generate_response
from llm_async.providers.gemini.schema import gemini_schema


class Sink:
    """Collects what a parser records."""

    def __init__(self) -> None:
        self.response_json: Any = None
        self.usage: Usage | None = None
        self.model: str | None = None
        self.calls: list[Any] = []

    def set_usage(
        self, *, input: Any = None, output: Any = None, details: Any = None
    ) -> None:
        self.usage = Usage(input, output, details)

    def set_resolved_model(self, model_id: str) -> None:
        self.model = model_id

    def add_tool_call(self, tool_call: Any) -> None:
        self.calls.append(tool_call)


def body_for(spec: GeminiSpec, prompt: Prompt) -> dict[str, Any]:
    provider = spec.provider()
    prompt.options = provider.Options(**dict(prompt.options))
    return provider.build_body(prompt)


# Schema rewrite --------------------------------------------------------------------


class Author(pydantic.BaseModel):
    name: str
    nickname: str | None = None


class Book(pydantic.BaseModel):
    title: str
    author: Author
    kind: str = pydantic.Field(json_schema_extra={"const": "book"})


def test_schema_refs_resolved_titles_dropped_nullable_and_const() -> None:
    schema = Book.model_json_schema()
    original = json.dumps(schema)
    rewritten = gemini_schema(schema)
    assert json.dumps(schema) == original  # the input is untouched
    text = json.dumps(rewritten)
    for gone in ("$defs", "$ref", '"Book"', '"Author"', '"Nickname"'):
        assert gone not in text
    author = rewritten["properties"]["author"]
    assert author["type"] == "object"
    assert author["properties"]["nickname"] == {
        "type": "string",
        "nullable": True,
        "default": None,
    }
    assert rewritten["properties"]["kind"]["enum"] == ["book"]
    # A property called "title" is a name, not the keyword.
    assert "title" in rewritten["properties"]


def test_schema_type_lists_and_recursion() -> None:
    assert gemini_schema({"type": ["integer", "null"]}) == {
        "type": "integer",
        "nullable": True,
    }
    recursive = {
        "$defs": {
            "Node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/Node"}}}
        },
        "$ref": "#/$defs/Node",
    }
    with pytest.raises(ValueError, match="Recursive schema: 'Node'"):
        gemini_schema(recursive)
    with pytest.raises(ValueError, match="does not define"):
        gemini_schema({"$ref": "#/$defs/Missing"})


# Request bodies ----------------------------------------------------------------------

FLASH = GeminiSpec("gemini-2.5-flash", thinking_budget=True)
PRO = GeminiSpec("gemini-3.1-pro-preview", thinking_levels=("low", "medium", "high"))


def test_options_map_to_generation_config() -> None:
    prompt = Prompt(
        "hi",
        None,
        options={
            "temperature": 0.5,
            "max_output_tokens": 20,
            "top_p": 0.9,
            "top_k": 3,
            "stop_sequences": "END",
            "seed": 7,
            "json_object": True,
            "thinking_budget": 128,
            "media_resolution": "high",
        },
    )
    config = body_for(FLASH, prompt)["generationConfig"]
    assert config == {
        "temperature": 0.5,
        "maxOutputTokens": 20,
        "topP": 0.9,
        "topK": 3,
        "stopSequences": ["END"],
        "seed": 7,
        "responseMimeType": "application/json",
        "mediaResolution": "MEDIA_RESOLUTION_HIGH",
        "thinkingConfig": {"thinkingBudget": 128, "includeThoughts": True},
    }


def test_thinking_level_hide_reasoning_and_budget_zero() -> None:
    level = body_for(PRO, Prompt("hi", None, options={"thinking_level": "low"}))
    assert level["generationConfig"]["thinkingConfig"] == {
        "thinkingLevel": "low",
        "includeThoughts": True,
    }
    hidden = body_for(PRO, Prompt("hi", None, hide_reasoning=True))
    assert "generationConfig" not in hidden
    off = body_for(FLASH, Prompt("hi", None, options={"thinking_budget": 0}))
    assert off["generationConfig"]["thinkingConfig"] == {"thinkingBudget": 0}
    with pytest.raises(pydantic.ValidationError):
        PRO.provider().Options(thinking_level="minimal")
    with pytest.raises(pydantic.ValidationError):
        PRO.provider().Options(thinking_budget=10)


def test_system_tools_schema_and_history() -> None:
    tool = Tool(
        name="lookup",
        description="Look a word up",
        input_schema={
            "type": "object",
            "properties": {"word": {"type": "string", "title": "Word"}},
            "additionalProperties": False,
        },
    )
    bare = Tool(name="now", description="", input_schema={})
    messages = [
        Message("system", [TextPart("Be brief")]),
        Message("user", [TextPart("Define two words")]),
        Message(
            "assistant",
            [
                ReasoningPart(
                    "thinking...",
                    provider_metadata={"gemini": {"thoughtSignature": "R"}},
                ),
                TextPart("Sure", {"gemini": {"thoughtSignature": "T"}}),
                ToolCallPart(
                    "lookup",
                    {"word": "a"},
                    "c1",
                    provider_metadata={"gemini": {"thoughtSignature": "S"}},
                ),
                ToolCallPart(
                    "lookup",
                    {"word": "b"},
                    "c2",
                    provider_metadata={"gemini": {"id": "server-2"}},
                ),
            ],
        ),
        Message(
            "tool",
            [
                ToolResultPart("lookup", "B", "c2"),
                ToolResultPart("lookup", "A", "c1", exception="ValueError: no"),
            ],
        ),
        Message("system", [TextPart("Be brief")]),
        Message("user", [TextPart("Thanks")]),
    ]
    prompt = Prompt(
        None,
        None,
        messages=messages,
        tools=[tool, bare],
        schema={"type": "object", "properties": {"x": {"type": "integer"}}},
    )
    body = body_for(FLASH, prompt)
    assert body["systemInstruction"] == {"parts": [{"text": "Be brief"}]}
    assert body["contents"] == [
        {"role": "user", "parts": [{"text": "Define two words"}]},
        {
            "role": "model",
            "parts": [
                {"text": "Sure", "thoughtSignature": "T"},
                {
                    "functionCall": {"name": "lookup", "args": {"word": "a"}},
                    "thoughtSignature": "S",
                },
                {
                    "functionCall": {
                        "name": "lookup",
                        "args": {"word": "b"},
                        "id": "server-2",
                    }
                },
            ],
        },
        {
            "role": "user",
            "parts": [
                {
                    "functionResponse": {
                        "name": "lookup",
                        "response": {"output": "A", "error": "ValueError: no"},
                    }
                },
                {
                    "functionResponse": {
                        "name": "lookup",
                        "response": {"output": "B"},
                        "id": "server-2",
                    }
                },
                {"text": "Thanks"},
            ],
        },
    ]
    assert body["tools"] == [
        {
            "functionDeclarations": [
                {
                    "name": "lookup",
                    "description": "Look a word up",
                    "parameters": {
                        "type": "object",
                        "properties": {"word": {"type": "string"}},
                    },
                },
                {"name": "now"},
            ]
        }
    ]
    assert body["generationConfig"]["responseSchema"] == {
        "type": "object",
        "properties": {"x": {"type": "integer"}},
    }
    assert body["generationConfig"]["responseMimeType"] == "application/json"


def test_request_url_and_key_header() -> None:
    provider = FLASH.provider()
    request = provider.build_request(
        Prompt("hi", None, options=provider.Options()), stream=True, key="k-123456"
    )
    assert str(request.url) == (
        "https://generativelanguage.googleapis.com/v1beta/models/"
        "gemini-2.5-flash:streamGenerateContent?alt=sse"
    )
    assert request.headers["x-goog-api-key"] == "k-123456"
    whole = provider.build_request(
        Prompt("hi", None, options=provider.Options()), stream=False, key=None
    )
    assert whole.url.path.endswith(":generateContent") and not whole.url.query
    assert "x-goog-api-key" not in whole.headers


def test_catalogue_matches_llm_gemini() -> None:
    names = [spec.name for spec in builtin_specs()]
    assert len(names) == len(set(names)) == 14
    assert "gemini-2.5-flash" in names and "gemini-3.7-flash" in names
    for spec in builtin_specs():
        assert spec.model_id == f"gemini/{spec.name}"
        assert spec.aliases == (spec.name,)


# Parsing -------------------------------------------------------------------------


def chunk(
    parts: list[dict[str, Any]], finish: str | None = None, **extra: Any
) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}}
    if finish:
        candidate["finishReason"] = finish
    return {"candidates": [candidate], "modelVersion": "gemini-x", **extra}


def test_parser_families_signatures_and_server_ids() -> None:
    sink = Sink()
    parser = GeminiParser(sink)
    events = []
    events += parser.chunk(chunk([{"text": "plan", "thought": True}]))
    events += parser.chunk(chunk([{"text": "", "thoughtSignature": "SIG0"}]))
    events += parser.chunk(chunk([{"text": "Hi"}, {"text": " there"}]))
    events += parser.chunk(
        chunk(
            [
                {"functionCall": {"name": "f", "args": {"a": 1}, "id": "given"}},
                {"functionCall": {"name": "f"}},
            ],
            "STOP",
            usageMetadata={
                "promptTokenCount": 4,
                "candidatesTokenCount": 6,
                "thoughtsTokenCount": 2,
                "totalTokenCount": 12,
                "toolUsePromptTokenCount": 1,
            },
        )
    )
    events += parser.finish()
    summary = [(e.type, e.chunk, e.part_index) for e in events]
    assert summary[:4] == [
        ("reasoning", "plan", 0),
        ("reasoning", "", 0),
        ("text", "Hi", 1),
        ("text", " there", 1),
    ]
    assert events[1].provider_metadata == {"gemini": {"thoughtSignature": "SIG0"}}
    names = [
        (e.chunk, e.part_index, e.tool_call_id)
        for e in events
        if e.type == "tool_call_name"
    ]
    assert names[0] == ("f", 2, "given")
    assert names[1][1] == 3 and names[1][2].startswith("call_")
    assert events[4].provider_metadata == {"gemini": {"id": "given"}}
    assert [(c.name, c.arguments) for c in sink.calls] == [("f", {"a": 1}), ("f", {})]
    assert sink.usage == Usage(
        5,
        8,
        {
            "candidatesTokenCount": 6,
            "thoughtsTokenCount": 2,
            "toolUsePromptTokenCount": 1,
        },
    )
    assert sink.model == "gemini-x"
    assert sink.response_json == {
        "candidates": [{"finishReason": "STOP"}],
        "modelVersion": "gemini-x",
    }


def test_hidden_thoughts_become_one_redacted_reasoning_event() -> None:
    sink = Sink()
    events = parse_generate_response(
        chunk(
            [{"text": "ok"}],
            "STOP",
            usageMetadata={
                "promptTokenCount": 1,
                "candidatesTokenCount": 1,
                "thoughtsTokenCount": 9,
            },
        ),
        sink,
    )
    assert [(e.type, e.chunk, e.redacted) for e in events] == [
        ("text", "ok", False),
        ("reasoning", "", True),
    ]


def test_cut_stream_and_bad_bodies() -> None:
    parser = GeminiParser(Sink())
    parser.chunk(chunk([{"text": "Hal"}]))
    with pytest.raises(APIConnectionError, match="no finishReason"):
        parser.finish()
    with pytest.raises(ResponseDecodeError):
        parse_generate_response("nope", Sink())
    with pytest.raises(ValueError, match="expected a JSON object"):
        GeminiParser(Sink()).chunk([1])
