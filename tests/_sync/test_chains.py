# Generated from tests/_async/test_chains.py; do not edit.
# Edit the async source and run `python scripts/unasync.py`.
"""Chains: model.chain(), conversation.chain(), hooks, pause/resume, chain limit.

Scripted models only (the recorded OpenAI chains are in test_openai_tools.py).
"""

from __future__ import annotations

import pytest

from llm_sync import (
    ChainLimitExceeded,
    PauseChain,
    ScriptedModel,
    ScriptedReply,
    StreamEvent,
    ToolCall,
)
from tests.tool_support import HookLog, async_fail, async_upper

RAN: list[str] = []


def upper(text: str) -> str:
    """Convert text to uppercase."""
    RAN.append(text)
    return text.upper()


def explode(reason: str) -> str:
    """Always fails."""
    raise RuntimeError(reason)


@pytest.fixture(autouse=True)
def _clear_ran() -> None:
    RAN.clear()


def calling(*calls: ToolCall, text: str = "") -> ScriptedReply:
    return ScriptedReply(chunks=[text] if text else [], tool_calls=list(calls))


def up(text: str, call_id: str) -> ToolCall:
    return ToolCall("upper", {"text": text}, call_id)


def test_chain_runs_tools_until_the_model_answers() -> None:
    model = ScriptedModel(
        [
            calling(up("panda", "c1"), text="Converting"),
            calling(up("pelican", "c2"), ToolCall("async_upper", {"text": "x"}, "c3")),
            ["Done: ", "PANDA PELICAN X"],
        ]
    )
    chain = model.chain("Convert panda then pelican", tools=[upper, async_upper])
    assert model.prompts == []  # lazy
    text = chain.text()
    # A space between rounds whose texts would run together; empty rounds add none.
    assert text == "Converting Done: PANDA PELICAN X"
    assert RAN == ["panda", "pelican"]
    assert len(model.prompts) == 3
    second, third = model.prompts[1], model.prompts[2]
    assert second.prompt == ""
    assert [(r.output, r.tool_call_id) for r in second.tool_results] == [
        ("PANDA", "c1")
    ]
    assert [m.role for m in second.messages] == ["user", "assistant", "tool"]
    assert [(r.output, r.tool_call_id) for r in third.tool_results] == [
        ("PELICAN", "c2"),
        ("X", "c3"),
    ]
    assert [m.role for m in third.messages] == [
        "user",
        "assistant",
        "tool",
        "assistant",
        "tool",
    ]
    assert [t.name for t in third.tools] == ["upper", "async_upper"]
    # Once complete, every reader replays instead of prompting again.
    assert chain.text() == text
    rounds = [response for response in chain.responses()]
    assert len(rounds) == 3
    assert len(model.prompts) == 3


def test_chain_iteration_and_events_stream_across_rounds() -> None:
    model = ScriptedModel(
        [
            ScriptedReply(
                chunks=[StreamEvent("reasoning", "hmm"), "Let", " me"],
                tool_calls=[up("a", "c1")],
            ),
            ["check", "."],
        ]
    )
    chain = model.chain("go", tools=[upper])
    assert [chunk for chunk in chain] == ["Let", " me", " ", "check", "."]

    model = ScriptedModel(
        [
            ScriptedReply(
                chunks=[StreamEvent("reasoning", "hmm"), "Let", " me"],
                tool_calls=[up("a", "c1")],
            ),
            ["check", "."],
        ]
    )
    chain = model.chain("go", tools=[upper])
    events = [(e.type, e.chunk) for e in chain.stream_events()]
    assert events == [
        ("reasoning", "hmm"),
        ("text", "Let"),
        ("text", " me"),
        ("text", " "),
        ("text", "check"),
        ("text", "."),
    ]


def test_chain_without_tool_calls_is_one_round() -> None:
    model = ScriptedModel(["Just text"])
    chain = model.chain("hi", tools=[upper])
    assert chain.text() == "Just text"
    assert len([r for r in chain.responses()]) == 1


def test_chain_hooks_sync_and_async() -> None:
    log = HookLog()
    model = ScriptedModel(
        [
            calling(up("a", "c1"), ToolCall("async_upper", {"text": "b"}, "c2")),
            "ok",
        ]
    )
    chain = model.chain(
        "go",
        tools=[upper, async_upper],
        before_call=log.abefore,
        after_call=log.after,
    )
    assert chain.text() == "ok"
    assert sorted(log.events) == sorted(
        [
            ("async", "before", "upper", "upper"),
            ("async", "before", "async_upper", "async_upper"),
            ("sync", "after", "upper", "A"),
            ("sync", "after", "async_upper", "B"),
        ]
    )


def test_cancel_tool_call_tells_the_model() -> None:
    log = HookLog(cancel=("upper",))
    model = ScriptedModel([calling(up("a", "c1")), "I was not allowed."])
    chain = model.chain("go", tools=[upper], before_call=log.before)
    assert chain.text() == "I was not allowed."
    assert RAN == []
    (result,) = model.prompts[1].tool_results
    assert result.output == "Cancelled: upper is not allowed"


def test_errors_go_back_to_the_model_and_the_chain_continues() -> None:
    model = ScriptedModel(
        [
            calling(
                ToolCall("explode", {"reason": "boom"}, "c1"),
                ToolCall("async_fail", {"reason": "gone"}, "c2"),
                ToolCall("missing", {}, "c3"),
                ToolCall("upper", {"_raw": "{not json"}, "c4"),
                ToolCall("upper", {"text": 1}, "c5"),
            ),
            "Sorry.",
        ]
    )
    chain = model.chain("go", tools=[explode, async_fail, upper])
    assert chain.text() == "Sorry."
    outputs = [r.output for r in model.prompts[1].tool_results]
    assert outputs[:3] == [
        "Error: RuntimeError: boom",
        "Error: LookupError: gone",
        'Error: tool "missing" does not exist',
    ]
    assert outputs[3].startswith(
        'Error: Invalid arguments for tool "upper": the arguments are not valid JSON'
    )
    assert outputs[4].startswith('Error: Invalid arguments for tool "upper": text:')
    assert RAN == []


def test_default_chain_limit_is_ten_model_calls() -> None:
    model = ScriptedModel(
        [calling(up(str(i), f"c{i}"), text=f"r{i}") for i in range(11)]
    )
    chain = model.chain("loop forever", tools=[upper])
    assert chain.chain_limit == 10
    with pytest.raises(ChainLimitExceeded) as info:
        chain.text()
    message = str(info.value)
    assert message.startswith("Chain limit of 10 exceeded")
    assert "chain_limit=" in message
    assert len(model.prompts) == 10
    assert len(RAN) == 9  # the last round's calls were not run
    # The error is kept: reading again raises it again without prompting.
    with pytest.raises(ChainLimitExceeded):
        chain.text()
    assert len(model.prompts) == 10


def test_chain_limit_can_be_lowered_or_removed() -> None:
    model = ScriptedModel([calling(up("a", "c1")), calling(up("b", "c2"))])
    with pytest.raises(ChainLimitExceeded, match="Chain limit of 2 exceeded"):
        model.chain("go", tools=[upper], chain_limit=2).text()
    assert RAN == ["a"]

    RAN.clear()
    replies = [calling(up(str(i), f"c{i}")) for i in range(12)]
    model = ScriptedModel([*replies, "finally"])
    chain = model.chain("go", tools=[upper], chain_limit=None)
    assert chain.text() == "finally"
    assert len(RAN) == 12

    with pytest.raises(ValueError, match="chain_limit must be a positive integer"):
        model.chain("go", tools=[upper], chain_limit=-1)


def test_conversation_tools_chain_limit_and_responses() -> None:
    log = HookLog()
    model = ScriptedModel(
        [
            calling(up("a", "c1")),
            "A it is.",
            calling(up("b", "c2")),
            "B too.",
        ]
    )
    conversation = model.conversation(
        tools=[upper], after_call=log.aafter, chain_limit=3
    )
    first = conversation.chain("Convert a")
    assert first.chain_limit == 3
    assert first.text() == "A it is."
    assert len(conversation.responses) == 2
    assert conversation.chain("Now b").text() == "B too."
    assert len(conversation.responses) == 4
    assert [e[2:] for e in log.events] == [("upper", "A"), ("upper", "B")]
    # The second chain carried the whole history.
    roles = [m.role for m in model.prompts[2].messages]
    assert roles == ["user", "assistant", "tool", "assistant", "user"]
    assert all(r.conversation is conversation for r in conversation.responses)


def test_conversation_chain_limit_and_override() -> None:
    model = ScriptedModel([calling(up("a", "c1")), calling(up("b", "c2"))])
    conversation = model.conversation(tools=[upper], chain_limit=1)
    with pytest.raises(ChainLimitExceeded, match="Chain limit of 1 exceeded"):
        conversation.chain("go").text()
    assert conversation.chain("go", chain_limit=5).chain_limit == 5
    assert model.conversation().chain_limit == 10
    assert model.conversation(chain_limit=None).chain_limit is None
    with pytest.raises(ValueError, match="chain_limit must be a positive integer"):
        model.conversation(chain_limit=-3)


def test_conversation_resumes_after_the_chain_limit() -> None:
    model = ScriptedModel([calling(up("a", "c1")), "Finished."])
    conversation = model.conversation(tools=[upper], chain_limit=1)
    with pytest.raises(ChainLimitExceeded):
        conversation.chain("go").text()
    assert RAN == []
    # Continuing without a prompt runs the pending call first.
    assert conversation.chain(chain_limit=2).text() == "Finished."
    assert RAN == ["a"]
    assert [(r.output, r.tool_call_id) for r in model.prompts[1].tool_results] == [
        ("A", "c1")
    ]


def test_pause_chain_and_resume() -> None:
    approved: list[str] = []

    def delete(path: str) -> str:
        """Delete a file (needs approval)."""
        if path not in approved:
            raise PauseChain(f"delete {path}?")
        return f"deleted {path}"

    model = ScriptedModel(
        [
            calling(up("x", "c1"), ToolCall("delete", {"path": "/tmp/f"}, "c2")),
            "All done.",
        ]
    )
    conversation = model.conversation(tools=[upper, delete])
    with pytest.raises(PauseChain) as info:
        conversation.chain("Clean up").text()
    pause = info.value
    assert pause.tool_call is not None and pause.tool_call.tool_call_id == "c2"
    assert [r.output for r in pause.tool_results] == ["X"]
    assert len(model.prompts) == 1
    assert len(conversation.responses) == 1

    approved.append("/tmp/f")
    resumed = conversation.chain(tool_results=pause.tool_results)
    assert resumed.text() == "All done."
    assert RAN == ["x"]  # the completed call is not run again
    sent = model.prompts[1].tool_results
    assert [(r.output, r.tool_call_id) for r in sent] == [
        ("X", "c1"),
        ("deleted /tmp/f", "c2"),
    ]


def test_pause_from_before_call_stops_the_chain() -> None:
    log = HookLog(pause=("upper",))
    model = ScriptedModel([calling(up("a", "c1")), "never"])
    chain = model.chain("go", tools=[upper], before_call=log.before)
    with pytest.raises(PauseChain, match="upper needs approval"):
        chain.text()
    assert RAN == []
    assert len(model.prompts) == 1


def test_stream_error_mid_round_runs_no_tool() -> None:
    reply = ScriptedReply(
        chunks=["Calling", " tools"],
        tool_calls=[up("a", "c1")],
        error=ConnectionError("dropped"),
        error_after=1,
    )
    model = ScriptedModel([reply, "never"])
    chain = model.chain("go", tools=[upper])
    with pytest.raises(ConnectionError, match="dropped"):
        chain.text()
    assert RAN == []
    assert len(model.prompts) == 1
