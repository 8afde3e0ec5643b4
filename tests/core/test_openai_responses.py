"""The Responses API provider without I/O: item layout, input items, hosted tools."""

from __future__ import annotations

from typing import Any

import pytest

from llm_async import StreamEvent
from llm_async._core.parts import Message, ReasoningPart, TextPart, ToolCallPart
from llm_async._core.stream_state import assemble_messages
from llm_async._core.tools import ToolCall
from llm_async.providers.openai.responses_request import input_items
from llm_async.providers.openai.responses_response import parse_response_object
from llm_async.providers.openai.server_tools import CodeInterpreter, WebSearch


class Sink:
    """Records what a parser reports, like a response does."""

    def __init__(self) -> None:
        self.response_json: dict[str, Any] | None = None
        self.usage: dict[str, Any] | None = None
        self.tool_calls: list[ToolCall] = []

    def set_usage(self, **usage: Any) -> None:
        self.usage = usage

    def set_resolved_model(self, model_id: str) -> None:
        pass

    def add_tool_call(self, tool_call: ToolCall) -> None:
        self.tool_calls.append(tool_call)


def reasoning(n: int) -> dict[str, Any]:
    return {"type": "reasoning", "id": f"rs_{n}", "encrypted_content": f"c{n}"}


def message(text: str) -> dict[str, Any]:
    return {"type": "message", "content": [{"type": "output_text", "text": text}]}


def test_items_keep_their_order_through_messages_and_back() -> None:
    """Two reasoning items, each before its own text: two messages, sent back
    in the same order (redacted reasoning is hoisted only within a message)."""
    output = [reasoning(1), message("a"), reasoning(2), message("b")]
    events = parse_response_object({"output": output, "model": "m"}, Sink())
    messages = assemble_messages(events)
    assert [[type(p).__name__ for p in m.parts] for m in messages] == [
        ["ReasoningPart", "TextPart"],
        ["ReasoningPart", "TextPart"],
    ]
    items, _ = input_items([Message("user", [TextPart("q")]), *messages])
    assert [item.get("id", item.get("content")) for item in items] == [
        "q",
        "rs_1",
        "a",
        "rs_2",
        "b",
    ]


def test_input_items_system_tool_results_and_unsendable_reasoning() -> None:
    messages = [
        Message("system", [TextPart("old")]),
        Message("system", [TextPart("new")]),
        Message("user", [TextPart("hi")]),
        Message(
            "assistant",
            [
                ReasoningPart("thought", False, None),  # no item id: not sendable
                ToolCallPart("f", {"_raw": "{bad"}, "call_1"),
            ],
        ),
        Message("tool", []),
    ]
    items, instructions = input_items(messages)
    assert instructions == "new"
    assert items == [
        {"role": "user", "content": "hi"},
        {
            "type": "function_call",
            "call_id": "call_1",
            "name": "f",
            "arguments": "{bad",
        },
    ]


def test_failed_and_malformed_answers() -> None:
    from llm_async._core.errors import RateLimitError, ResponseDecodeError

    with pytest.raises(ResponseDecodeError):
        parse_response_object([], Sink())
    with pytest.raises(ResponseDecodeError):
        parse_response_object({"status": "completed"}, Sink())
    with pytest.raises(RateLimitError):
        parse_response_object(
            {"status": "failed", "error": {"code": "rate_limit_exceeded"}}, Sink()
        )


def test_unknown_hosted_tool_items_become_server_parts() -> None:
    item = {"type": "file_search_call", "id": "fs_1", "queries": ["q"], "status": "ok"}
    events = parse_response_object({"output": [item]}, Sink())
    assert [(e.type, e.server_executed) for e in events] == [
        ("tool_call_name", True),
        ("tool_call_args", True),
        ("tool_result", True),
    ]
    assert events[0].chunk == "file_search"
    assert isinstance(events[0], StreamEvent)


def test_web_search_spec_and_validation() -> None:
    tool = WebSearch(
        blocked_domains=["spam.example"],
        user_location={"country": "GB"},
        search_context_size="low",
        include_results=True,
    )
    assert tool.tool_spec(None) == {
        "type": "web_search",
        "filters": {"blocked_domains": ["spam.example"]},
        "user_location": {"type": "approximate", "country": "GB"},
        "search_context_size": "low",
    }
    body: dict[str, Any] = {}
    tool.prepare_request(None, body)
    assert body == {"include": ["web_search_call.results"]}
    assert WebSearch().hash() != tool.hash()
    with pytest.raises(ValueError, match="omit the URL scheme"):
        WebSearch(allowed_domains=["https://example.com"])
    with pytest.raises(ValueError, match="low, medium or high"):
        WebSearch(search_context_size="huge")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="include_sources"):
        WebSearch(include_sources="yes")  # type: ignore[arg-type]


def test_code_interpreter_spec_and_validation() -> None:
    assert CodeInterpreter("cntr_1").tool_spec(None) == {
        "type": "code_interpreter",
        "container": "cntr_1",
    }
    assert CodeInterpreter(file_ids=["f1"]).tool_spec(None) == {
        "type": "code_interpreter",
        "container": {"type": "auto", "file_ids": ["f1"]},
    }
    with pytest.raises(ValueError, match="1g, 4g, 16g or 64g"):
        CodeInterpreter(memory_limit="2g")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="cannot be combined"):
        CodeInterpreter("cntr_1", memory_limit="1g")
    with pytest.raises(TypeError, match="container ID"):
        CodeInterpreter(1)  # type: ignore[arg-type]
