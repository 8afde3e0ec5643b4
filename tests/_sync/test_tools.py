# Generated from tests/_async/test_tools.py; do not edit.
# Edit the async source and run `python scripts/unasync.py`.
"""Tools on a response: tool_calls(), execute_tool_calls(), reply(), hooks, errors.

Scripted models only; ``tests.tool_support`` holds the ``async def`` tools and
hooks, which stay coroutine functions in the generated sync twin too.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import llm_sync as llm
from llm_sync import (
    CancelToolCall,
    PauseChain,
    ScriptedModel,
    ScriptedReply,
    Tool,
    ToolCall,
    ToolResult,
)
from tests.tool_support import HookLog, PreparedBox, async_fail, async_upper

RAN: list[str] = []


def upper(text: str) -> str:
    """Convert text to uppercase."""
    RAN.append(text)
    return text.upper()


def add(a: int, b: int = 1) -> int:
    """Add two numbers."""
    return a + b


def explode(reason: str) -> str:
    """Always fails."""
    raise ValueError(f"cannot do {reason}")


@pytest.fixture(autouse=True)
def _clear_ran() -> None:
    RAN.clear()


def calling(*calls: ToolCall, text: str = "") -> ScriptedReply:
    return ScriptedReply(chunks=[text] if text else [], tool_calls=list(calls))


def test_prompt_wraps_functions_and_keeps_tools() -> None:
    model = ScriptedModel(["ok"])
    tool = Tool.function(add)
    response = model.prompt("x", tools=[upper, async_upper, tool])
    assert response.text() == "ok"
    tools = model.prompts[0].tools
    assert [t.name for t in tools] == ["upper", "async_upper", "add"]
    assert tools[0].input_schema["required"] == ["text"]
    assert tools[2] is tool


def test_tool_calls_get_ids_and_execute_in_call_order() -> None:
    model = ScriptedModel(
        [
            calling(
                ToolCall("upper", {"text": "panda"}, "call_1"),
                ToolCall("async_upper", {"text": "pelican"}),
                ToolCall("add", {"a": 2}),
            )
        ]
    )
    response = model.prompt("go", tools=[upper, async_upper, add])
    calls = response.tool_calls()
    assert [(c.name, c.arguments) for c in calls] == [
        ("upper", {"text": "panda"}),
        ("async_upper", {"text": "pelican"}),
        ("add", {"a": 2}),
    ]
    assert calls[0].tool_call_id == "call_1"
    assert all(c.tool_call_id and c.tool_call_id.startswith("tc_") for c in calls[1:])
    results = response.execute_tool_calls()
    assert [(r.name, r.output, r.tool_call_id) for r in results] == [
        ("upper", "PANDA", "call_1"),
        ("async_upper", "PELICAN", calls[1].tool_call_id),
        ("add", "3", calls[2].tool_call_id),
    ]
    assert all(r.exception is None for r in results)
    assert response.tool_calls_or_raise() == calls


def test_execute_with_other_tools_or_calls() -> None:
    model = ScriptedModel([calling(ToolCall("upper", {"text": "a"}, "c1"))])
    response = model.prompt("go", tools=[upper])
    shout = Tool.function(lambda text: text + "!", name="upper")
    (result,) = response.execute_tool_calls(tools=[shout])
    assert result.output == "a!"
    results = response.execute_tool_calls(
        tool_calls_list=[ToolCall("upper", {"text": "b"}, "c2")]
    )
    assert [(r.output, r.tool_call_id) for r in results] == [("B", "c2")]


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_before_and_after_hooks_see_each_call(kind: str) -> None:
    log = HookLog()
    before, after = (
        (log.before, log.after) if kind == "sync" else (log.abefore, log.aafter)
    )
    model = ScriptedModel(
        [
            calling(
                ToolCall("upper", {"text": "a"}, "c1"),
                ToolCall("async_upper", {"text": "b"}, "c2"),
            )
        ]
    )
    response = model.prompt("go", tools=[upper, async_upper])
    results = response.execute_tool_calls(before_call=before, after_call=after)
    assert [r.output for r in results] == ["A", "B"]
    assert sorted(log.events) == sorted(
        [
            (kind, "before", "upper", "upper"),
            (kind, "after", "upper", "A"),
            (kind, "before", "async_upper", "async_upper"),
            (kind, "after", "async_upper", "B"),
        ]
    )


def test_before_call_gets_none_for_an_unknown_tool() -> None:
    log = HookLog()
    model = ScriptedModel([calling(ToolCall("nope", {}, "c1"))])
    response = model.prompt("go", tools=[upper])
    (result,) = response.execute_tool_calls(
        before_call=log.before, after_call=log.after
    )
    assert log.events[0] == ("sync", "before", None, "nope")
    assert result.output == 'Error: tool "nope" does not exist'
    assert isinstance(result.exception, KeyError)


def test_cancel_tool_call_skips_the_call_and_says_so() -> None:
    log = HookLog(cancel=("upper",))
    model = ScriptedModel(
        [
            calling(
                ToolCall("upper", {"text": "a"}, "c1"),
                ToolCall("add", {"a": 1, "b": 2}, "c2"),
            )
        ]
    )
    response = model.prompt("go", tools=[upper, add])
    results = response.execute_tool_calls(before_call=log.abefore, after_call=log.after)
    assert [r.output for r in results] == ["Cancelled: upper is not allowed", "3"]
    assert isinstance(results[0].exception, CancelToolCall)
    assert RAN == []
    # after_call runs only for calls that ran.
    assert [e for e in log.events if e[1] == "after"] == [("sync", "after", "add", "3")]


def test_hook_errors_propagate() -> None:
    def broken(tool: Any, call: ToolCall, result: ToolResult) -> None:
        raise RuntimeError("hook failed")

    model = ScriptedModel([calling(ToolCall("upper", {"text": "a"}, "c1"))])
    response = model.prompt("go", tools=[upper])
    with pytest.raises(RuntimeError, match="hook failed"):
        response.execute_tool_calls(after_call=broken)
    assert RAN == ["a"]


def test_failing_tools_give_error_results_without_traceback() -> None:
    model = ScriptedModel(
        [
            calling(
                ToolCall("explode", {"reason": "that"}, "c1"),
                ToolCall("async_fail", {"reason": "gone"}, "c2"),
                ToolCall("upper", {"text": "fine"}, "c3"),
            )
        ]
    )
    response = model.prompt("go", tools=[explode, async_fail, upper])
    results = response.execute_tool_calls()
    assert [r.output for r in results] == [
        "Error: ValueError: cannot do that",
        "Error: LookupError: gone",
        "FINE",
    ]
    assert isinstance(results[0].exception, ValueError)
    assert isinstance(results[1].exception, LookupError)
    assert all("Traceback" not in r.output for r in results)


def test_invalid_arguments_never_reach_the_tool() -> None:
    model = ScriptedModel(
        [
            calling(
                ToolCall("upper", {"_raw": '{"text": "par'}, "c1"),
                ToolCall("upper", {"txt": "typo"}, "c2"),
                ToolCall("upper", {"text": 42}, "c3"),
                ToolCall("add", {"a": "many"}, "c4"),
                ToolCall("upper", {"text": "ok"}, "c5"),
            )
        ]
    )
    response = model.prompt("go", tools=[upper, add])
    results = response.execute_tool_calls()
    outputs = [r.output for r in results]
    assert outputs[0] == (
        'Error: Invalid arguments for tool "upper": the arguments are not valid '
        'JSON: {"text": "par'
    )
    assert outputs[1].startswith('Error: Invalid arguments for tool "upper": ')
    assert "text: Field required" in outputs[1]
    assert "txt: Extra inputs are not permitted" in outputs[1]
    assert outputs[2].startswith('Error: Invalid arguments for tool "upper": text:')
    assert outputs[3].startswith('Error: Invalid arguments for tool "add": a:')
    assert outputs[4] == "OK"
    assert all(isinstance(r.exception, ValueError) for r in results[:4])
    assert RAN == ["ok"]


def test_tool_without_implementation() -> None:
    model = ScriptedModel([calling(ToolCall("bare", {}, "c1"))])
    response = model.prompt("go", tools=[Tool("bare", "No code")])
    (result,) = response.execute_tool_calls()
    assert result.output == 'Error: tool "bare" has no implementation'


def test_llm_tool_call_parameter_receives_the_call() -> None:
    seen: list[ToolCall] = []

    def traced(query: str, llm_tool_call: ToolCall) -> str:
        """Look something up."""
        seen.append(llm_tool_call)
        return query

    call = ToolCall("traced", {"query": "q"}, "c1")
    model = ScriptedModel([calling(call)])
    response = model.prompt("go", tools=[traced])
    (result,) = response.execute_tool_calls()
    assert result.output == "q"
    assert seen == [call]


def test_outputs_that_are_not_strings_are_json() -> None:
    def facts(n: int) -> dict[str, Any]:
        return {"n": n, "even": n % 2 == 0, "none": None}

    model = ScriptedModel([calling(ToolCall("facts", {"n": 4}, "c1"))])
    (result,) = model.prompt("go", tools=[facts]).execute_tool_calls()
    assert json.loads(result.output) == {"n": 4, "even": True, "none": None}


def test_toolbox_prepares_once_and_keeps_state() -> None:
    box = PreparedBox("Hi")
    model = ScriptedModel(
        [
            calling(
                ToolCall("PreparedBox_greet", {"name": "Ann"}, "c1"),
                ToolCall("PreparedBox_shout", {"name": "Bob"}, "c2"),
            ),
            calling(ToolCall("PreparedBox_greet", {"name": "Cy"}, "c3")),
        ]
    )
    first = model.prompt("go", tools=[box]).execute_tool_calls()
    assert [r.output for r in first] == ["Hi, Ann", "HI, BOB!"]
    assert all(r.instance is box for r in first)
    second = model.prompt("again", tools=[box]).execute_tool_calls()
    assert [r.output for r in second] == ["Hi, Cy"]
    assert (box.prepared, box.prepared_async) == (1, 1)
    assert box._config == {"greeting": "Hi"}


def test_pause_chain_from_a_tool_propagates_with_the_results() -> None:
    def approve(item: str) -> str:
        raise PauseChain(f"approve {item}?")

    model = ScriptedModel(
        [
            calling(
                ToolCall("upper", {"text": "a"}, "c1"),
                ToolCall("approve", {"item": "x"}, "c2"),
            )
        ]
    )
    response = model.prompt("go", tools=[upper, approve])
    with pytest.raises(PauseChain) as info:
        response.execute_tool_calls()
    assert info.value.tool_call is not None
    assert info.value.tool_call.tool_call_id == "c2"
    assert [r.output for r in info.value.tool_results] == ["A"]


def test_reply_runs_pending_calls_and_sends_the_results() -> None:
    log = HookLog()
    model = ScriptedModel(
        [
            calling(ToolCall("upper", {"text": "panda"}, "c1"), text="Let me see."),
            "PANDA!",
        ]
    )
    response = model.prompt("Convert panda", tools=[upper])
    response.text()
    response.before_call = log.abefore
    follow_up = response.reply()
    assert follow_up.text() == "PANDA!"
    assert log.events == [("async", "before", "upper", "upper")]
    sent = model.prompts[1]
    assert [(r.name, r.output, r.tool_call_id) for r in sent.tool_results] == [
        ("upper", "PANDA", "c1")
    ]
    assert [m.role for m in sent.messages] == ["user", "assistant", "tool"]
    assert [t.name for t in sent.tools] == ["upper"]
    assert follow_up.before_call == log.abefore


def test_reply_with_explicit_results_runs_nothing() -> None:
    model = ScriptedModel([calling(ToolCall("upper", {"text": "panda"}, "c1")), "done"])
    response = model.prompt("Convert panda", tools=[upper])
    mine = ToolResult("upper", "MINE", tool_call_id="c1")
    follow_up = response.reply("and?", tool_results=[mine])
    assert follow_up.text() == "done"
    assert RAN == []
    sent = model.prompts[1]
    assert sent.tool_results == [mine]
    assert [m.role for m in sent.messages] == ["user", "assistant", "tool", "user"]


def test_prompt_accepts_tool_results() -> None:
    model = llm.get_model("echo")
    results = [ToolResult("upper", "PANDA", tool_call_id="c1")]
    response = model.prompt("next", tools=[upper], tool_results=results)
    payload = json.loads(response.text())
    assert payload["tool_results"] == [
        {"name": "upper", "output": "PANDA", "tool_call_id": "c1"}
    ]
    assert response.prompt.tool_results == results
    assert any(m.role == "tool" for m in response.prompt.messages)


def test_server_side_tools_are_never_run_locally() -> None:
    search = llm.ServerSideTool({"type": "web_search"})
    search.name = "web_search"  # type: ignore[misc]
    model = ScriptedModel([calling(ToolCall("web_search", {}, "c1"))])
    response = model.prompt("go")
    (result,) = response.execute_tool_calls(tools=[search, upper])
    assert result.output == 'Error: tool "web_search" does not exist'
