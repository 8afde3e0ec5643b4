"""Tools without I/O: schemas from type hints, Toolbox, argument checks, results."""

from __future__ import annotations

import enum
import functools
import json
from typing import Literal, Optional

import pydantic
import pytest

from llm_async import (
    Attachment,
    ChainLimitExceeded,
    Message,
    ServerSideTool,
    TextPart,
    Tool,
    Toolbox,
    ToolCall,
    ToolCallPart,
    ToolOutput,
    ToolResult,
    ToolResultPart,
)
from llm_async._core.chain_base import (
    DEFAULT_CHAIN_LIMIT,
    chain_limit_error,
    check_chain_limit,
    error_result,
    find_resume_point,
    invalid_arguments,
    output_result,
    round_separator,
    tool_result_messages,
)

# Tool.function: names, descriptions, schemas -------------------------------------


def upper(text: str) -> str:
    """Convert text to uppercase."""
    return text.upper()


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Point(pydantic.BaseModel):
    x: int
    y: int = 0


def rich(
    text: str,
    count: int = 3,
    maybe: Optional[str] = None,  # noqa: UP045 - the Optional spelling on purpose
    color: Color = Color.RED,
    points: list[Point] | None = None,
    mode: Literal["a", "b"] = "a",
    untyped=None,  # type: ignore[no-untyped-def]
) -> str:
    return text


def test_name_description_and_schema_from_a_plain_function() -> None:
    tool = Tool.function(upper)
    assert tool.name == "upper"
    assert tool.description == "Convert text to uppercase."
    assert tool.input_schema == {
        "properties": {"text": {"type": "string"}},
        "required": ["text"],
        "type": "object",
    }
    assert tool.implementation is upper


def test_no_parameters_and_no_docstring() -> None:
    def ping():  # type: ignore[no-untyped-def]
        return "pong"

    tool = Tool.function(ping)
    assert tool.description is None
    assert tool.input_schema == {"properties": {}, "type": "object"}


def test_name_and_description_overrides() -> None:
    tool = Tool.function(upper, name="shout", description="Shout it")
    assert (tool.name, tool.description) == ("shout", "Shout it")


def test_async_function_becomes_a_tool_too() -> None:
    async def fetch(url: str, retries: int = 2) -> str:
        """Fetch a URL."""
        return url

    tool = Tool.function(fetch)
    assert tool.name == "fetch"
    assert tool.description == "Fetch a URL."
    assert tool.input_schema["required"] == ["url"]
    assert tool.input_schema["properties"]["retries"] == {
        "default": 2,
        "type": "integer",
    }


def test_lambda_without_a_name_is_rejected_with_the_spec_message() -> None:
    with pytest.raises(ValueError) as info:
        Tool.function(lambda x: x)
    assert str(info.value) == (
        "Cannot create a Tool from a lambda function without providing name="
    )
    tool = Tool.function(lambda x: x, name="identity")
    assert tool.name == "identity"
    assert tool.input_schema["properties"] == {"x": {"type": "string"}}


def test_not_callable_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="needs a callable"):
        Tool.function("upper")  # type: ignore[arg-type]


def test_schema_of_defaults_optional_enums_nested_models_lists_literals() -> None:
    schema = Tool.function(rich).input_schema
    assert schema["required"] == ["text"]
    props = schema["properties"]
    assert props["text"] == {"type": "string"}
    assert props["count"] == {"default": 3, "type": "integer"}
    assert props["maybe"] == {
        "anyOf": [{"type": "string"}, {"type": "null"}],
        "default": None,
    }
    assert props["color"] == {"$ref": "#/$defs/Color", "default": "red"}
    assert schema["$defs"]["Color"] == {"enum": ["red", "blue"], "type": "string"}
    assert props["points"]["anyOf"][0] == {
        "items": {"$ref": "#/$defs/Point"},
        "type": "array",
    }
    assert schema["$defs"]["Point"] == {
        "properties": {
            "x": {"type": "integer"},
            "y": {"default": 0, "type": "integer"},
        },
        "required": ["x"],
        "type": "object",
    }
    assert props["mode"] == {"default": "a", "enum": ["a", "b"], "type": "string"}
    # Unannotated parameters are strings.
    assert props["untyped"] == {"default": None, "type": "string"}
    # No "title" keyword anywhere, and no additionalProperties.
    assert '"title"' not in json.dumps(schema)
    assert "additionalProperties" not in schema


def test_llm_tool_call_and_self_are_not_in_the_schema() -> None:
    def traced(query: str, llm_tool_call: ToolCall) -> str:
        return query

    schema = Tool.function(traced).input_schema
    assert schema["properties"] == {"query": {"type": "string"}}
    assert schema["required"] == ["query"]


def test_a_parameter_named_title_survives_title_stripping() -> None:
    def create(title: str, body: str = "") -> str:
        return title

    schema = Tool.function(create).input_schema
    assert schema["properties"]["title"] == {"type": "string"}
    assert schema["required"] == ["title"]


def test_input_schema_from_a_pydantic_class_loses_titles() -> None:
    class Args(pydantic.BaseModel):
        city: str

    tool = Tool("weather", "Weather", Args)  # type: ignore[arg-type]
    assert tool.input_schema == {
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
        "type": "object",
    }
    with pytest.raises(TypeError, match="JSON schema dict or a pydantic model"):
        Tool("bad", input_schema=42)  # type: ignore[arg-type]


def test_hash_is_stable_and_depends_on_the_definition() -> None:
    assert Tool.function(upper).hash() == Tool.function(upper).hash()
    assert Tool.function(upper).hash() != Tool.function(upper, name="x").hash()
    assert len(Tool.function(upper).hash()) == 64


def test_partial_functions_drop_bound_parameters() -> None:
    tool = Tool.function(functools.partial(rich, "fixed"), name="partial")
    assert "text" not in tool.input_schema["properties"]
    assert "required" not in tool.input_schema
    assert tool.input_schema["properties"]["maybe"]["anyOf"][0] == {"type": "string"}


class Adder:
    """Add two numbers."""

    def __call__(self, a: int, b: Optional[int] = None) -> int:  # noqa: UP045
        return a + (b or 0)


def test_callable_objects_use_their_call_signature() -> None:
    tool = Tool.function(Adder())
    assert tool.name == "Adder"
    assert tool.description == "Add two numbers."
    assert tool.input_schema["required"] == ["a"]
    assert tool.input_schema["properties"]["b"]["default"] is None


# Toolbox -------------------------------------------------------------------------


class Memory(Toolbox):
    """A key-value store."""

    def __init__(self, prefix: str, limit: int = 10) -> None:
        self.prefix = prefix
        self.limit = limit
        self.store: dict[str, str] = {}

    def set(self, key: str, value: str) -> str:
        """Store a value."""
        self.store[self.prefix + key] = value
        return "ok"

    def get(self, key: str) -> str | None:
        """Read a value."""
        return self.store.get(self.prefix + key)

    def _private(self) -> None:
        raise AssertionError("never a tool")


def test_toolbox_methods_become_tools_and_config_is_captured() -> None:
    box = Memory("p:")
    assert box._config == {"prefix": "p:", "limit": 10}
    tools = box.tools()
    assert [t.name for t in tools] == ["Memory_get", "Memory_set"]
    setter = next(t for t in tools if t.name == "Memory_set")
    assert setter.description == "Store a value."
    assert setter.input_schema["required"] == ["key", "value"]
    assert all(t._toolbox is box for t in tools)
    assert [t.name for t in Memory.method_tools()] == ["Memory_get", "Memory_set"]


def test_toolbox_subclass_config_is_the_most_derived_constructor() -> None:
    class Bigger(Memory):
        def __init__(self, size: int) -> None:
            super().__init__("big:", limit=size)

    assert Bigger(5)._config == {"size": 5}


def test_toolbox_add_tool() -> None:
    box = Memory("")

    def count(self: Memory) -> int:
        """How many keys."""
        return len(self.store)

    box.add_tool(upper)
    box.add_tool(count, pass_self=True)
    box.add_tool(Tool("named", "A ready tool"))
    names = [t.name for t in box.tools()]
    assert names == ["Memory_get", "Memory_set", "upper", "count", "named"]
    counter = box.tools()[3]
    assert counter.input_schema == {"properties": {}, "type": "object"}
    assert counter.implementation is not None and counter.implementation() == 0
    with pytest.raises(TypeError) as info:
        box.add_tool(42)  # type: ignore[arg-type]
    assert str(info.value) == "Tool must be an instance of Tool or a callable function"


def test_server_side_tool_spec_and_hash() -> None:
    raw = ServerSideTool({"type": "web_search"})
    assert raw.tool_spec(None) == {"type": "web_search"}
    assert raw.implementation is None

    class Search(ServerSideTool):
        """Search the web."""

        name = "search"

    tool = Search()
    assert tool.description == "Search the web."
    with pytest.raises(TypeError, match="does not define a raw provider tool spec"):
        tool.tool_spec(None)
    assert len(tool.hash()) == 64


# Arguments are untrusted input ----------------------------------------------------


def check(tool: Tool, arguments: object) -> tuple[dict[str, object], str | None]:
    call = ToolCall(tool.name, arguments, "c1")  # type: ignore[arg-type]
    kwargs, problem = invalid_arguments(tool, call, False)
    return kwargs, None if problem is None else problem.output


def test_valid_arguments_are_converted() -> None:
    kwargs, problem = check(
        Tool.function(rich),
        {"text": "hi", "color": "blue", "points": [{"x": 1}]},
    )
    assert problem is None
    assert kwargs["text"] == "hi"
    assert kwargs["color"] is Color.BLUE
    assert kwargs["points"] == [Point(x=1, y=0)]
    # Defaults are the function's own: not passed.
    assert "count" not in kwargs


def test_invalid_json_schema_failures_and_extras_give_error_results() -> None:
    tool = Tool.function(upper)
    _, problem = check(tool, {"_raw": '{"text": "unfinished'})
    assert problem == (
        'Error: Invalid arguments for tool "upper": the arguments are not valid '
        'JSON: {"text": "unfinished'
    )
    _, problem = check(tool, {"_raw": "[1, 2]"})
    assert problem == (
        'Error: Invalid arguments for tool "upper": the arguments must be a JSON '
        "object, not [1, 2]"
    )
    _, problem = check(tool, {})
    assert problem is not None and problem.startswith(
        'Error: Invalid arguments for tool "upper": text: Field required'
    )
    _, problem = check(tool, {"text": "a", "other": 1})
    assert problem is not None and "other: Extra inputs are not permitted" in problem
    _, problem = check(tool, ["a"])
    assert problem is not None and "must be a JSON object" in problem
    _, problem = check(Tool.function(rich), {"text": "a", "mode": "z"})
    assert problem is not None and "mode:" in problem


def test_schema_dict_tools_check_arguments_against_the_signature() -> None:
    tool = Tool("upper", input_schema={"type": "object"}, implementation=upper)
    assert check(tool, {"text": "a"}) == ({"text": "a"}, None)
    _, problem = check(tool, {"txt": "a"})
    assert problem is not None and problem.startswith(
        'Error: Invalid arguments for tool "upper":'
    )


def test_llm_tool_call_is_passed_when_declared() -> None:
    def traced(query: str, llm_tool_call: ToolCall) -> str:
        return query

    tool = Tool.function(traced)
    call = ToolCall("traced", {"query": "q"}, "c9")
    kwargs, problem = invalid_arguments(tool, call, True)
    assert problem is None
    assert kwargs == {"query": "q", "llm_tool_call": call}


# Results ------------------------------------------------------------------------


def test_error_result_has_type_and_message_but_no_traceback() -> None:
    call = ToolCall("upper", {}, "c1")
    result = error_result(Tool.function(upper), call, ValueError("bad input"))
    assert result.output == "Error: ValueError: bad input"
    assert isinstance(result.exception, ValueError)
    assert result.tool_call_id == "c1"
    assert "Traceback" not in result.output
    assert error_result(None, call, KeyError()).output == "Error: KeyError"


def test_outputs_that_are_not_strings_are_sent_as_json() -> None:
    tool = Tool.function(upper)
    call = ToolCall("upper", {}, "c1")
    assert output_result(tool, call, 2869461).output == "2869461"
    assert output_result(tool, call, None).output == "null"
    assert output_result(tool, call, True).output == "true"
    assert output_result(tool, call, Point(x=1)).output == '{"x": 1, "y": 0}'
    attached = output_result(tool, call, ToolOutput("done", attachments=[]))
    assert attached.output == "done"


def test_tool_result_messages() -> None:
    results = [ToolResult("upper", "A", tool_call_id="c1")]
    (message,) = tool_result_messages(results)
    assert message.role == "tool"
    assert message.parts == [ToolResultPart("upper", "A", "c1")]
    assert tool_result_messages([]) == []


# Chain limit and resuming ---------------------------------------------------------


def test_default_chain_limit_is_ten() -> None:
    assert DEFAULT_CHAIN_LIMIT == 10


def test_chain_limit_values() -> None:
    assert check_chain_limit(3) == 3
    assert check_chain_limit(None) is None
    assert check_chain_limit(0) is None
    for bad in (-1, 2.5, True, "3"):
        with pytest.raises(ValueError, match="chain_limit must be a positive integer"):
            check_chain_limit(bad)


def test_chain_limit_error_says_how_to_raise_the_limit() -> None:
    error = chain_limit_error(10, [ToolCall("b", {}), ToolCall("a", {})])
    assert isinstance(error, ChainLimitExceeded)
    assert isinstance(error, ValueError)
    message = str(error)
    assert message.startswith("Chain limit of 10 exceeded")
    assert "(a, b)" in message
    assert "chain_limit=" in message


def test_round_separator() -> None:
    assert round_separator("Hello", "world") == " "
    assert round_separator("Hello ", "world") == ""
    assert round_separator("Hello", "\nworld") == ""
    assert round_separator("", "world") == ""


def test_find_resume_point() -> None:
    calls = [
        ToolCallPart("a", {"x": 1}, "c1"),
        ToolCallPart("b", {}, "c2"),
    ]
    history = [Message("user", [TextPart("go")]), Message("assistant", calls)]
    point = find_resume_point(history)
    assert point is not None
    assert [(c.name, c.tool_call_id) for c in point.pending] == [
        ("a", "c1"),
        ("b", "c2"),
    ]
    answered = [*history, Message("tool", [ToolResultPart("a", "1", "c1")])]
    point = find_resume_point(answered)
    assert point is not None
    assert [c.tool_call_id for c in point.pending] == ["c2"]
    assert [p.tool_call_id for p in point.answered] == ["c1"]
    done = [*answered, Message("tool", [ToolResultPart("b", "2", "c2")])]
    assert find_resume_point(done) is None
    later = [*history, Message("user", [TextPart("never mind")])]
    assert find_resume_point(later) is None


def test_tool_result_attachments_must_be_attachments() -> None:
    with pytest.raises(TypeError) as caught:
        ToolResult("lookup", "4", "call_1")  # type: ignore[arg-type]
    assert str(caught.value) == (
        "ToolResult attachments must be a list of Attachment objects, got "
        "'call_1'; pass tool_call_id= by keyword"
    )
    with pytest.raises(TypeError, match="ToolOutput attachments"):
        ToolOutput("x", attachments=["not an attachment"])  # type: ignore[list-item]
    picture = Attachment(type="image/png", content=b"png")
    assert ToolResult("lookup", "4", [picture]).attachments == [picture]
    assert ToolOutput("x", [picture]).attachments == [picture]
