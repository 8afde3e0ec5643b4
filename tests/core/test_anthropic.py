"""The Anthropic provider, sans-I/O: catalogue, options, request bodies, parsing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pydantic
import pytest

import llm_sync
from llm_async import Attachment
from llm_async._core.errors import (
    APIConnectionError,
    RateLimitError,
    ServerError,
)
from llm_async._core.parts import (
    AttachmentPart,
    Message,
    ReasoningPart,
    TextPart,
    ToolCallPart,
    ToolResultPart,
)
from llm_async._core.prompt import Prompt
from llm_async._core.tools import ServerSideTool, Tool
from llm_async._http.retry import is_retryable
from llm_async._http.sse import ServerSentEvent
from llm_async.providers.anthropic.models import builtin_specs
from llm_async.providers.anthropic.request import strict_schema, wire_messages
from llm_async.providers.anthropic.response import AnthropicStreamParser
from tests.openai_support import reset_registry

PLUGIN_ALIASES = {  # alias -> id, as the llm-anthropic plugin registers them
    "claude-3-opus": "claude-3-opus-latest",
    "claude-3.5-sonnet": "claude-3-5-sonnet-latest",
    "claude-3.7-sonnet": "claude-3-7-sonnet-latest",
    "claude-4-sonnet": "claude-sonnet-4-0",
    "claude-opus-4.1": "claude-opus-4-1-20250805",
    "claude-sonnet-4.5": "claude-sonnet-4-5",
    "claude-haiku-4.5": "claude-haiku-4-5-20251001",
    "claude-opus-4.5": "claude-opus-4-5-20251101",
    "claude-opus-4.6": "claude-opus-4-6",
    "claude-sonnet-4.6": "claude-sonnet-4-6",
}


@pytest.fixture(autouse=True)
def fresh_registry() -> Any:
    reset_registry()
    yield
    reset_registry()


def provider(alias: str) -> Any:
    return llm_sync.get_model(alias).provider


def body(alias: str, text: str = "Hi", **kwargs: Any) -> dict[str, Any]:
    return request(alias, text, **kwargs)[0]


def request(alias: str, text: str = "Hi", **kwargs: Any) -> tuple[dict[str, Any], str]:
    found = provider(alias)
    schema = kwargs.pop("schema", None)
    tools = kwargs.pop("tools", None)
    system = kwargs.pop("system", None)
    messages = kwargs.pop("messages", None)
    prompt = Prompt(
        text,
        None,
        system=system,
        schema=schema,
        tools=tools,
        messages=messages,
        options=found.Options(**kwargs),
    )
    sent = found.build_request(prompt, stream=False, key="k")
    return json.loads(sent.content), sent.headers.get("anthropic-beta", "")


# The catalogue -----------------------------------------------------------------------


@pytest.mark.parametrize(("alias", "claude_id"), sorted(PLUGIN_ALIASES.items()))
def test_plugin_aliases_and_ids_resolve(alias: str, claude_id: str) -> None:
    model = llm_sync.get_model(alias)
    assert model.model_id == f"anthropic/{claude_id}"
    assert llm_sync.get_model(f"anthropic/{claude_id}") is model
    assert str(model) == f"Anthropic Messages: anthropic/{claude_id}"


def test_catalogue_ids_are_unique_and_defaults_sensible() -> None:
    specs = builtin_specs()
    assert len({spec.model_id for spec in specs}) == len(specs)
    for spec in specs:
        assert 4096 <= spec.max_tokens <= 128000
        assert not spec.adaptive or spec.thinking
    assert body("claude-3-haiku")["max_tokens"] == 4096
    assert body("claude-sonnet-4.5")["max_tokens"] == 64000
    assert body("claude-opus-4.6")["max_tokens"] == 128000
    assert body("claude-sonnet-4.5", max_tokens=100)["max_tokens"] == 100


def test_key_sources_in_order(user_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = llm_sync.get_model("claude-haiku-4.5")
    with pytest.raises(llm_sync.NeedsKeyException, match="ANTHROPIC_API_KEY"):
        model.get_key()
    monkeypatch.setenv("ANTHROPIC_API_KEY", "from-env")
    assert model.get_key() == "from-env"
    user_path.mkdir(parents=True, exist_ok=True)
    (user_path / "keys.json").write_text(json.dumps({"anthropic": "from-file"}))
    (user_path / "keys.json").chmod(0o600)
    assert model.get_key() == "from-file"
    assert model.get_key("explicit") == "explicit"
    model.key = "attribute"
    assert model.get_key() == "attribute"


def test_request_headers_and_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    found = provider("claude-sonnet-4.5")
    prompt = Prompt("Hi", None, options=found.Options())
    sent = found.build_request(prompt, stream=True, key="secret")
    assert str(sent.url) == "https://api.anthropic.com/v1/messages"
    assert sent.headers["x-api-key"] == "secret"
    assert sent.headers["anthropic-version"] == "2023-06-01"
    assert "authorization" not in sent.headers
    assert json.loads(sent.content)["stream"] is True
    assert "secret" not in repr(found)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "https://gateway.example/anthropic/")
    sent = found.build_request(prompt, stream=False, key=None)
    assert str(sent.url) == "https://gateway.example/anthropic/v1/messages"
    assert "x-api-key" not in sent.headers


# Options ------------------------------------------------------------------------------


def test_sampling_options_are_sent_as_they_are() -> None:
    sent = body(
        "claude-sonnet-4.5",
        temperature=0.5,
        top_p=0.9,
        top_k=40,
        stop_sequences="END",
        user_id="u1",
    )
    assert (sent["temperature"], sent["top_p"], sent["top_k"]) == (0.5, 0.9, 40)
    assert sent["stop_sequences"] == ["END"]
    assert sent["metadata"] == {"user_id": "u1"}
    assert body("claude-sonnet-4.5", stop_sequences='["a", "b"]')["stop_sequences"] == [
        "a",
        "b",
    ]
    assert "temperature" not in body("claude-sonnet-4.5")


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"temperature": 1.5}, "less than or equal to 1"),
        ({"top_k": 0}, "greater than or equal to 1"),
        ({"thinking_budget": 100}, "greater than or equal to 1024"),
        ({"thinking_effort": "extreme"}, "thinking_effort"),
        ({"web_search_location": {"city": "Paris"}}, "must contain"),
        (
            {"web_search_allowed_domains": ["a"], "web_search_blocked_domains": ["b"]},
            "not both",
        ),
        ({"stop_sequences": [1]}, "list of strings"),
    ],
)
def test_bad_options_name_the_problem(options: dict[str, Any], error: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=error):
        provider("claude-opus-4.6").Options(**options)


def test_thinking_options_only_where_the_model_thinks() -> None:
    with pytest.raises(pydantic.ValidationError, match="thinking"):
        provider("claude-3-haiku").Options(thinking=True)
    with pytest.raises(pydantic.ValidationError, match="thinking_effort"):
        provider("claude-sonnet-4.5").Options(thinking_effort="low")


def test_thinking_modes() -> None:
    assert "thinking" not in body("claude-sonnet-4.5")
    assert body("claude-sonnet-4.5", thinking=True)["thinking"] == {
        "type": "enabled",
        "budget_tokens": 1024,
    }
    assert body("claude-opus-4.6", thinking=True)["thinking"] == {"type": "adaptive"}
    assert body("claude-sonnet-4.5", thinking_budget=4000)["thinking"] == {
        "type": "enabled",
        "budget_tokens": 4000,
    }
    assert body("claude-sonnet-4.5", thinking_adaptive=True)["thinking"] == {
        "type": "adaptive"
    }
    assert body("claude-sonnet-4.5", thinking=True, thinking_display=True)[
        "thinking"
    ] == {"type": "enabled", "budget_tokens": 1024, "display": "summarized"}
    with pytest.raises(ValueError, match=r"thinking_budget \(4000\) must be less"):
        body("claude-sonnet-4.5", thinking_budget=4000, max_tokens=2000)


def test_effort_and_betas() -> None:
    sent, betas = request("claude-opus-4.5", thinking_effort="high")
    assert sent["output_config"] == {"effort": "high"}
    assert "thinking" not in sent
    assert betas == "effort-2025-11-24"
    sent, betas = request("claude-opus-4.6", thinking_effort="max")
    assert (sent["output_config"], betas) == ({"effort": "max"}, "")
    _, betas = request("claude-sonnet-4.5", max_tokens=100000)
    assert betas == "output-128k-2025-02-19"
    sent, betas = request("claude-sonnet-4.5", fast=True)
    assert (sent["speed"], betas) == ("fast", "fast-mode-2026-02-01")


def test_web_search_option_and_server_side_tool() -> None:
    sent = body(
        "claude-opus-4.6",
        web_search=True,
        web_search_max_uses=3,
        web_search_allowed_domains=["example.com"],
        web_search_location={
            "city": "Paris",
            "region": "IDF",
            "country": "FR",
            "timezone": "Europe/Paris",
        },
    )
    assert sent["tools"] == [
        {
            "type": "web_search_20250305",
            "name": "web_search",
            "max_uses": 3,
            "allowed_domains": ["example.com"],
            "user_location": {
                "type": "approximate",
                "city": "Paris",
                "region": "IDF",
                "country": "FR",
                "timezone": "Europe/Paris",
            },
        }
    ]
    with pytest.raises(ValueError, match="cannot search the web"):
        body("claude-sonnet-4.5", web_search=True)
    spec = {"type": "code_execution_20250825", "name": "code_execution"}
    model = llm_sync.get_model("claude-sonnet-4.5")
    tool = ServerSideTool(spec)
    assert model.supported_server_side_tools == (ServerSideTool,)
    assert body("claude-sonnet-4.5", tools=[tool])["tools"] == [spec]


def test_cache_marks_system_and_last_block() -> None:
    sent = body("claude-sonnet-4.5", system="Be brief", cache=True)
    mark = {"type": "ephemeral"}
    assert sent["system"] == [
        {"type": "text", "text": "Be brief", "cache_control": mark}
    ]
    assert sent["messages"][-1]["content"][-1]["cache_control"] == mark
    assert body("claude-sonnet-4.5", system="Be brief")["system"] == "Be brief"


def test_prefill() -> None:
    sent = body("claude-haiku-4.5", prefill="```python")
    assert sent["messages"][-1] == {
        "role": "assistant",
        "content": [{"type": "text", "text": "```python"}],
    }
    with pytest.raises(ValueError, match="does not accept a prefill"):
        body("claude-opus-4.6", prefill="{")


SCHEMA = {
    "type": "object",
    "properties": {
        "dog": {"type": "object", "properties": {"name": {"type": "string"}}},
        "properties": {"type": "string"},
    },
}


def test_schema_native_or_through_a_forced_tool() -> None:
    sent = body("claude-sonnet-4.5", schema=SCHEMA)
    assert sent["output_config"]["format"] == {
        "type": "json_schema",
        "schema": strict_schema(SCHEMA),
    }
    closed = sent["output_config"]["format"]["schema"]
    assert closed["additionalProperties"] is False
    assert closed["properties"]["dog"]["additionalProperties"] is False
    assert "additionalProperties" not in closed["properties"]  # a field's name
    forced = body("claude-4-sonnet", schema=SCHEMA)
    assert forced["tools"] == [
        {"name": "output_structured_data", "input_schema": SCHEMA}
    ]
    assert forced["tool_choice"] == {"type": "tool", "name": "output_structured_data"}
    tool = Tool("lookup", "Look up", {"type": "object", "properties": {}})
    with pytest.raises(ValueError, match="schema and tools"):
        body("claude-4-sonnet", schema=SCHEMA, tools=[tool])
    both = body("claude-sonnet-4.5", schema=SCHEMA, tools=[tool])
    assert [t["name"] for t in both["tools"]] == ["lookup"]


# Messages ------------------------------------------------------------------------


def test_wire_messages_roles_blocks_and_replayed_reasoning() -> None:
    signed = {"anthropic": {"signature": "sig"}}
    hidden = {"anthropic": {"redacted_data": "opaque"}}
    pdf = Attachment(type="application/pdf", content=b"%PDF-1.4")
    system, wire = wire_messages(
        [
            Message("system", [TextPart("Be brief")]),
            Message("user", [TextPart("Look it up"), AttachmentPart(pdf)]),
            Message(
                "assistant",
                [
                    ReasoningPart("", True, hidden),
                    ReasoningPart("Let me think", False, signed),
                    ReasoningPart("Another provider's", False, None),
                    TextPart(""),
                    ToolCallPart("search", {"q": "x"}, "srv_1", server_executed=True),
                    ToolResultPart(
                        "web_search", '[{"url": "u"}]', "srv_1", server_executed=True
                    ),
                    ToolCallPart("lookup", {"id": 1}, "toolu_1"),
                ],
            ),
            Message(
                "tool",
                [ToolResultPart("lookup", "failed", "toolu_1", exception="E: x")],
            ),
            Message("user", [TextPart("Thanks")]),
            Message("system", [TextPart("Be brief")]),  # repeated: sent once
        ]
    )
    assert system == ["Be brief"]
    assert [item["role"] for item in wire] == ["user", "assistant", "user"]
    assert wire[0]["content"][1]["type"] == "document"
    assert wire[0]["content"][1]["source"]["media_type"] == "application/pdf"
    assert wire[1]["content"] == [
        {"type": "redacted_thinking", "data": "opaque"},
        {"type": "thinking", "thinking": "Let me think", "signature": "sig"},
        {
            "type": "server_tool_use",
            "id": "srv_1",
            "name": "search",
            "input": {"q": "x"},
        },
        {
            "type": "web_search_tool_result",
            "tool_use_id": "srv_1",
            "content": [{"url": "u"}],
        },
        {"type": "tool_use", "id": "toolu_1", "name": "lookup", "input": {"id": 1}},
    ]
    assert wire[2]["content"] == [
        {
            "type": "tool_result",
            "tool_use_id": "toolu_1",
            "content": "failed",
            "is_error": True,
        },
        {"type": "text", "text": "Thanks"},
    ]


def test_unsupported_attachment_type_is_a_clear_error() -> None:
    audio = Attachment(type="audio/wav", content=b"RIFF")
    with pytest.raises(ValueError, match="images and PDFs only"):
        wire_messages([Message("user", [TextPart("hi"), AttachmentPart(audio)])])


# Streams -------------------------------------------------------------------------


class Sink:
    def __init__(self, prompt: Any = None) -> None:
        self.response_json: dict[str, Any] | None = None
        self.usage: tuple[Any, ...] | None = None
        self.tool_calls: list[Any] = []
        self.model: str | None = None

    def set_usage(
        self, *, input: Any = None, output: Any = None, details: Any = None
    ) -> None:
        self.usage = (input, output, details)

    def set_resolved_model(self, model_id: str) -> None:
        self.model = model_id

    def add_tool_call(self, tool_call: Any) -> None:
        self.tool_calls.append(tool_call)


def sse(kind: str, **data: Any) -> ServerSentEvent:
    return ServerSentEvent(event=kind, data=json.dumps({"type": kind, **data}))


START = sse(
    "message_start",
    message={"id": "m", "model": "claude-x", "usage": {"input_tokens": 5}},
)


def test_error_event_before_any_text_is_retryable() -> None:
    parser = AnthropicStreamParser(Sink())
    assert parser.feed(START) == []
    assert parser.feed(sse("ping")) == []
    with pytest.raises(ServerError) as info:
        parser.feed(
            sse("error", error={"type": "overloaded_error", "message": "Overloaded"})
        )
    assert (info.value.status_code, info.value.code) == (529, "overloaded_error")
    assert is_retryable(info.value)
    with pytest.raises(RateLimitError):
        AnthropicStreamParser(Sink()).feed(
            sse("error", error={"type": "rate_limit_error", "message": "Slow down"})
        )


def test_a_stream_without_message_stop_is_cut() -> None:
    sink = Sink()
    parser = AnthropicStreamParser(sink)
    parser.feed(START)
    parser.feed(
        sse(
            "content_block_start",
            index=0,
            content_block={"type": "tool_use", "id": "t", "name": "f", "input": {}},
        )
    )
    with pytest.raises(APIConnectionError, match="message_stop"):
        parser.finish()
    assert sink.tool_calls == []


def test_forced_tool_streams_as_text_and_unknown_events_are_ignored() -> None:
    sink = Sink()
    parser = AnthropicStreamParser(sink, structured=True)
    events = [
        *parser.feed(START),
        *parser.feed(sse("some_future_event", value=1)),
        *parser.feed(
            sse(
                "content_block_start",
                index=0,
                content_block={
                    "type": "tool_use",
                    "id": "t",
                    "name": "output_structured_data",
                    "input": {},
                },
            )
        ),
    ]
    for fragment in ('{"name"', ': "Cleo"}'):
        events += parser.feed(
            sse(
                "content_block_delta",
                index=0,
                delta={"type": "input_json_delta", "partial_json": fragment},
            )
        )
    events += parser.feed(
        sse(
            "message_delta",
            delta={"stop_reason": "tool_use"},
            usage={"output_tokens": 9},
        )
    )
    events += parser.feed(sse("message_stop"))
    events += parser.finish()
    assert [(e.type, e.chunk) for e in events] == [
        ("text", '{"name"'),
        ("text", ': "Cleo"}'),
    ]
    assert sink.tool_calls == []
    assert sink.usage == (5, 9, {})
    assert sink.model == "claude-x"
