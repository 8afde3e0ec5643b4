"""How tool calls run in each facade (not generated: the facades differ here).

* Async facade: the ``async def`` tools of one turn run concurrently; plain
  (blocking) tools run in a worker thread, never on the event loop's thread.
* Sync facade: calls run one after the other; an ``async def`` tool or hook runs
  on a private event loop in a worker thread, so a sync chain works even when
  called from inside a running event loop.
"""

from __future__ import annotations

import asyncio
import threading
import time

import trio

import llm_async
import llm_sync
from llm_async import ScriptedReply, ToolCall
from tests.tool_support import HookLog, async_slow_echo, async_upper

THREE_SLOW_CALLS = ScriptedReply(
    tool_calls=[
        ToolCall("async_slow_echo", {"text": word, "seconds": 1.0}, f"c{i}")
        for i, word in enumerate(["a", "b", "c"])
    ]
)


def test_async_tools_of_one_turn_run_concurrently() -> None:
    model = llm_async.AsyncScriptedModel([THREE_SLOW_CALLS, "done"])

    async def run() -> str:
        return await model.chain("go", tools=[async_slow_echo]).text()

    start = time.monotonic()
    assert asyncio.run(run()) == "done"
    elapsed = time.monotonic() - start
    # Three one-second sleeps in well under two seconds: they overlapped.
    assert elapsed < 1.8, elapsed
    outputs = [r.output for r in model.prompts[1].tool_results]
    assert outputs == ["a", "b", "c"]  # still in call order


def test_async_tools_run_concurrently_under_trio() -> None:
    model = llm_async.AsyncScriptedModel([THREE_SLOW_CALLS])

    async def run() -> list[str]:
        response = model.prompt("go", tools=[async_slow_echo])
        results = await response.execute_tool_calls()
        return [r.output for r in results]

    start = time.monotonic()
    assert trio.run(run) == ["a", "b", "c"]
    assert time.monotonic() - start < 1.8


def test_blocking_tools_run_off_the_event_loop_thread() -> None:
    threads: list[int] = []

    def blocking(text: str) -> str:
        """A plain tool."""
        threads.append(threading.get_ident())
        time.sleep(0.05)
        return text

    calls = [ToolCall("blocking", {"text": str(i)}, f"c{i}") for i in range(3)]
    model = llm_async.AsyncScriptedModel([ScriptedReply(tool_calls=calls), "ok"])

    async def run() -> tuple[str, int, int]:
        loop_thread = threading.get_ident()
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticker = asyncio.create_task(tick())
        text = await model.chain("go", tools=[blocking]).text()
        ticker.cancel()
        return text, loop_thread, ticks

    text, loop_thread, ticks = asyncio.run(run())
    assert text == "ok"
    assert len(threads) == 3
    assert loop_thread not in threads
    assert ticks >= 5  # the loop kept running while the tools slept


def test_sync_chain_with_async_tools_inside_a_running_loop() -> None:
    log = HookLog()
    model = llm_sync.ScriptedModel(
        [
            ScriptedReply(tool_calls=[ToolCall("async_upper", {"text": "hi"}, "c1")]),
            "HI it is",
        ]
    )

    async def main() -> str:
        # A sync chain called from inside a running event loop (a notebook cell,
        # an async web handler): the async tool and hooks run on a private loop.
        chain = model.chain(
            "go",
            tools=[async_upper],
            before_call=log.abefore,
            after_call=log.aafter,
        )
        return chain.text()

    assert asyncio.run(main()) == "HI it is"
    assert [r.output for r in model.prompts[1].tool_results] == ["HI"]
    assert log.events == [
        ("async", "before", "async_upper", "async_upper"),
        ("async", "after", "async_upper", "HI"),
    ]
    # The async hook ran on a worker thread, not the caller's.
    assert threading.get_ident() not in log.threads


def test_sync_facade_runs_calls_one_after_the_other() -> None:
    calls = [
        ToolCall("async_slow_echo", {"text": w, "seconds": 0.1}, f"c{i}")
        for i, w in enumerate("ab")
    ]
    model = llm_sync.ScriptedModel([ScriptedReply(tool_calls=calls)])
    response = model.prompt("go", tools=[async_slow_echo])
    start = time.monotonic()
    results = response.execute_tool_calls()
    assert [r.output for r in results] == ["a", "b"]
    assert time.monotonic() - start >= 0.2
