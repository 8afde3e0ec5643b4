"""Run calls concurrently and collect their results as they finish: a primitive pair.

``AsyncWorkerPool`` runs each call as a task of an anyio task group (asyncio or
trio); ``SyncWorkerPool``, its generated twin's counterpart, in a thread pool
of ``size`` threads. Same interface, so the batch runner is written once::

    async with AsyncWorkerPool(size) as pool:
        pool.start(function, argument)        # function must not raise
        finished = await pool.wait(timeout)   # results of calls done (maybe none)

Leaving the block early (an error, the consumer stopping) cancels the calls
still running (threads finish their current call).
"""

from __future__ import annotations

import contextlib
import math
import queue
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from types import TracebackType

    from anyio.abc import TaskGroup
    from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

__all__ = ["AsyncWorkerPool", "SyncWorkerPool"]

A = TypeVar("A")
R = TypeVar("R")


class AsyncWorkerPool(Generic[R]):
    """Concurrent calls in tasks; ``size`` is unused (tasks are cheap)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.running = 0
        self._group: TaskGroup | None = None
        self._send: MemoryObjectSendStream[R] | None = None
        self._receive: MemoryObjectReceiveStream[R] | None = None

    async def __aenter__(self) -> AsyncWorkerPool[R]:
        import anyio

        self._send, self._receive = anyio.create_memory_object_stream[R](math.inf)
        self._group = anyio.create_task_group()
        await self._group.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool | None:
        assert self._group is not None and self._send is not None
        assert self._receive is not None
        self._group.cancel_scope.cancel()
        try:
            return await self._group.__aexit__(exc_type, exc, traceback)
        except BaseException as raised:
            # trio groups the block's own exception (GeneratorExit when a
            # batch's consumer stops early): let that exception go on as is.
            inner = getattr(raised, "exceptions", None)
            if exc is not None and inner and all(e is exc for e in inner):
                return False
            raise
        finally:
            self._send.close()
            self._receive.close()

    def start(self, function: Callable[[A], Awaitable[R]], argument: A) -> None:
        """Run ``function(argument)`` concurrently; its result comes from ``wait``."""
        assert self._group is not None, "use the pool in an async with-block"
        self.running += 1
        self._group.start_soon(self._run, function, argument)

    async def _run(self, function: Callable[[A], Awaitable[R]], argument: A) -> None:
        assert self._send is not None
        self._send.send_nowait(await function(argument))

    async def wait(self, timeout: float | None) -> list[R]:
        """The results of the calls that finished, waiting up to ``timeout`` s for one.

        ``None``: until one finishes. Returns an empty list on a timeout.
        """
        import anyio

        assert self._receive is not None, "use the pool in an async with-block"
        found = []
        with anyio.move_on_after(timeout):
            found.append(await self._receive.receive())
        while True:
            try:
                found.append(self._receive.receive_nowait())
            except anyio.WouldBlock:
                break
        self.running -= len(found)
        return found


class SyncWorkerPool(Generic[R]):
    """Concurrent calls in a pool of ``size`` threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.running = 0
        self._executor: ThreadPoolExecutor | None = None
        self._done: queue.SimpleQueue[R] = queue.SimpleQueue()

    def __enter__(self) -> SyncWorkerPool[R]:
        self._executor = ThreadPoolExecutor(self.size, thread_name_prefix="llm-batch")
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)

    def start(self, function: Callable[[A], R], argument: A) -> None:
        """Run ``function(argument)`` in a thread; its result comes from ``wait``."""
        assert self._executor is not None, "use the pool in a with-block"
        self.running += 1
        self._executor.submit(lambda: self._done.put(function(argument)))

    def wait(self, timeout: float | None) -> list[R]:
        """The results of the calls that finished, waiting up to ``timeout`` s."""
        found = []
        with contextlib.suppress(queue.Empty):
            found.append(self._done.get(timeout=timeout))
        while True:
            try:
                found.append(self._done.get_nowait())
            except queue.Empty:
                break
        self.running -= len(found)
        return found
