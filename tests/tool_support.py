"""Tools and hooks for the tool and chain tests of both facades (not rewritten).

``scripts/unasync.py`` strips ``async``/``await`` from ``tests/_async``; what must
stay a coroutine function in the generated sync tests too (``async def`` tools,
hooks, ``prepare_async``) lives here. No class here starts with ``Async``: the
rewrite would rename it in the sync twin.
"""

from __future__ import annotations

import threading
from typing import Any

import anyio

from llm_async import CancelToolCall, PauseChain, Tool, Toolbox, ToolCall, ToolResult

__all__ = [
    "HookLog",
    "PreparedBox",
    "async_fail",
    "async_slow_echo",
    "async_upper",
]


async def async_upper(text: str) -> str:
    """Convert text to uppercase (an async tool)."""
    await anyio.sleep(0)
    return text.upper()


async def async_fail(reason: str) -> str:
    """An async tool that always fails."""
    await anyio.sleep(0)
    raise LookupError(reason)


async def async_slow_echo(text: str, seconds: float = 1.0) -> str:
    """Sleep, then echo (for concurrency tests)."""
    await anyio.sleep(seconds)
    return text


class HookLog:
    """``before``/``after`` hooks, plain and ``async def``, that record calls.

    ``cancel`` names tools whose calls ``before_call`` cancels; ``pause`` names
    tools whose calls ``before_call`` pauses.
    """

    def __init__(
        self, *, cancel: tuple[str, ...] = (), pause: tuple[str, ...] = ()
    ) -> None:
        self.cancel = cancel
        self.pause = pause
        self.events: list[tuple[Any, ...]] = []
        self.threads: list[int] = []

    def _before(self, kind: str, tool: Tool | None, call: ToolCall) -> None:
        self.threads.append(threading.get_ident())
        self.events.append((kind, "before", tool.name if tool else None, call.name))
        if call.name in self.cancel:
            raise CancelToolCall(f"{call.name} is not allowed")
        if call.name in self.pause:
            raise PauseChain(f"{call.name} needs approval")

    def _after(
        self, kind: str, tool: Tool | None, call: ToolCall, result: ToolResult
    ) -> None:
        self.events.append((kind, "after", call.name, result.output))

    def before(self, tool: Tool | None, call: ToolCall) -> None:
        self._before("sync", tool, call)

    def after(self, tool: Tool | None, call: ToolCall, result: ToolResult) -> None:
        self._after("sync", tool, call, result)

    async def abefore(self, tool: Tool | None, call: ToolCall) -> None:
        await anyio.sleep(0)
        self._before("async", tool, call)

    async def aafter(
        self, tool: Tool | None, call: ToolCall, result: ToolResult
    ) -> None:
        await anyio.sleep(0)
        self._after("async", tool, call, result)


class PreparedBox(Toolbox):
    """A toolbox with both set-up hooks and an async method tool."""

    def __init__(self, greeting: str = "Hello") -> None:
        self.greeting = greeting
        self.prepared = 0
        self.prepared_async = 0

    def prepare(self) -> None:
        self.prepared += 1

    async def prepare_async(self) -> None:
        await anyio.sleep(0)
        self.prepared_async += 1

    def greet(self, name: str) -> str:
        """Greet someone."""
        return f"{self.greeting}, {name}"

    async def shout(self, name: str) -> str:
        """Greet someone loudly."""
        await anyio.sleep(0)
        return f"{self.greeting.upper()}, {name.upper()}!"
