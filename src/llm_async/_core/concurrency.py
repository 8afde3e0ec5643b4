"""Async/sync primitive pairs: the only place the two facades differ.

The I/O modules are written once against the ``Async*``/``async_*`` halves;
``scripts/unasync.py`` rewrites those names to the ``Sync*``/``sync_*`` halves for
``llm_sync``. Each pair has the same signature, so the rewrite stays mechanical.
Async primitives are created lazily, inside the running event loop, and use anyio,
so the async facade runs on asyncio and on trio.
"""

from __future__ import annotations

import contextlib
import inspect
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from llm_async._core.types import JSONObject

if TYPE_CHECKING:
    import asyncio
    import weakref

    import anyio
    from anyio.lowlevel import RunVar

T = TypeVar("T")
R = TypeVar("R")


class _AsyncClosable(Protocol):
    """A resource closed by ``await resource.aclose()`` (an async HTTP client)."""

    async def aclose(self) -> None: ...


class _Closable(Protocol):
    """A resource closed by ``resource.close()`` (a blocking HTTP client)."""

    def close(self) -> None: ...


class _Cancellable(Protocol):
    """What stops a closer: an asyncio task or an anyio cancel scope."""

    def cancel(self) -> object: ...


AC = TypeVar("AC", bound=_AsyncClosable)
SC = TypeVar("SC", bound=_Closable)

__all__ = [
    "AsyncFacade",
    "AsyncLazyResource",
    "AsyncLock",
    "AsyncResultMixin",
    "SyncFacade",
    "SyncLazyResource",
    "SyncLock",
    "SyncResultMixin",
    "async_call_within",
    "async_checkpointer",
    "async_closing",
    "async_gather",
    "async_iterate_in_thread",
    "async_map_bounded",
    "async_owner_id",
    "async_prepare_now",
    "async_resolve",
    "async_run_blocking",
    "async_sleep",
    "sync_call_within",
    "sync_checkpointer",
    "sync_closing",
    "sync_gather",
    "sync_iterate_in_thread",
    "sync_map_bounded",
    "sync_owner_id",
    "sync_prepare_now",
    "sync_resolve",
    "sync_run_blocking",
    "sync_sleep",
]


class AsyncFacade:
    """Text that differs between the facades (the generator swaps the class)."""

    label = " (async)"  # after a model's class name in str(model)
    pending_text = "... not yet awaited ..."


class SyncFacade:
    """Text that differs between the facades (the generator swaps the class)."""

    label = ""
    pending_text = "... not yet done ..."


class AsyncLock:
    """A lock for tasks; the anyio lock is made on first use, inside the loop."""

    def __init__(self) -> None:
        self._lock: anyio.Lock | None = None

    async def __aenter__(self) -> None:
        if self._lock is None:
            import anyio

            self._lock = anyio.Lock()
        await self._lock.acquire()

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._lock is not None
        self._lock.release()


class SyncLock:
    """A lock for threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def __enter__(self) -> None:
        self._lock.acquire()

    def __exit__(self, *exc_info: object) -> None:
        self._lock.release()


async def async_sleep(seconds: float) -> None:
    """Sleep without blocking the event loop."""
    import anyio

    await anyio.sleep(seconds)


def async_checkpointer() -> Callable[[], Awaitable[None]]:
    """A function whose call, awaited, lets the event loop run other tasks now.

    Found once, then called often: on plain asyncio it is ``asyncio.sleep(0)``
    (anyio's ``checkpoint`` does the same after looking up the backend at every
    call); elsewhere (trio) anyio's.
    """
    if _plain_asyncio_loop() is not None:
        import asyncio

        return partial(asyncio.sleep, 0)
    import anyio.lowlevel

    return anyio.lowlevel.checkpoint


def _no_checkpoint() -> None:
    """A thread is preempted by the operating system: nothing to do."""


def sync_checkpointer() -> Callable[[], None]:
    """The blocking facade's twin of ``async_checkpointer``: a no-op."""
    return _no_checkpoint


def sync_sleep(seconds: float) -> None:
    """Sleep, blocking the thread."""
    time.sleep(seconds)


def async_prepare_now(prepare: Callable[[], object]) -> None:
    """Nothing now: the async facade prepares on first use, inside the loop."""


def sync_prepare_now(prepare: Callable[[], object]) -> None:
    """Run ``prepare`` now: the blocking facade may block in a constructor."""
    prepare()


async def async_resolve(value: object) -> object:
    """Await ``value`` if it is awaitable, else return it: callbacks may be either."""
    if inspect.isawaitable(value):
        return await value
    return value


def sync_resolve(value: object) -> object:
    """Run ``value`` to completion if it is awaitable, else return it.

    An awaitable runs on a private event loop in a worker thread, so this works
    even when the caller's thread already runs an event loop (a notebook, an
    ``async def``).
    """
    if not inspect.isawaitable(value):
        return value
    return run_awaitable_in_thread(value)


async def async_run_blocking(function: Callable[[], T]) -> T:
    """Call a blocking function in a worker thread, keeping the event loop free.

    Cancellation waits for the call to return (a thread cannot be interrupted).
    """
    import anyio.to_thread

    return await anyio.to_thread.run_sync(function)


def sync_run_blocking(function: Callable[[], T]) -> T:
    """Call a blocking function in the calling thread."""
    return function()


def run_awaitable_in_thread(awaitable: Awaitable[object]) -> object:
    """Run an awaitable to completion on a new event loop in a worker thread."""
    import asyncio

    outcome: JSONObject = {}

    async def main() -> object:
        return await awaitable

    def target() -> None:
        try:
            outcome["value"] = asyncio.run(main())
        except BaseException as exc:  # re-raised in the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=target, name="llm-sync-awaitable", daemon=True)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


async def async_gather(functions: Sequence[Callable[[], Awaitable[T]]]) -> list[T]:
    """Run the async callables concurrently; results in order.

    Every call finishes before an error propagates; the first error (in call
    order) is raised.
    """
    import anyio

    results: list[Any] = [None] * len(functions)
    errors: list[BaseException | None] = [None] * len(functions)

    async def run(index: int) -> None:
        try:
            results[index] = await functions[index]()
        except Exception as exc:
            errors[index] = exc

    async with anyio.create_task_group() as group:
        for index in range(len(functions)):
            group.start_soon(run, index)
    for error in errors:
        if error is not None:
            raise error
    return results


def sync_gather(functions: Sequence[Callable[[], T]]) -> list[T]:
    """Run the callables one after the other; results in order.

    Like the async twin, every call runs before the first error is raised.
    """
    results: list[Any] = [None] * len(functions)
    errors: list[BaseException | None] = [None] * len(functions)
    for index, function in enumerate(functions):
        try:
            results[index] = function()
        except Exception as exc:
            errors[index] = exc
    for error in errors:
        if error is not None:
            raise error
    return results


async def async_map_bounded(
    function: Callable[[T], Awaitable[R]], items: Sequence[T], limit: int
) -> list[R]:
    """``await function(item)`` for every item, ``limit`` at a time; results in order.

    After the first error no new call starts; the calls in flight finish, then
    that error is raised.
    """
    import anyio

    results: list[Any] = [None] * len(items)
    failures: list[BaseException] = []
    next_index = 0

    async def worker() -> None:
        nonlocal next_index
        while not failures and next_index < len(items):
            index = next_index
            next_index += 1
            try:
                results[index] = await function(items[index])
            except Exception as exc:
                failures.append(exc)

    async with anyio.create_task_group() as group:
        for _ in range(max(1, min(limit, len(items)))):
            group.start_soon(worker)
    if failures:
        raise failures[0]
    return results


def sync_map_bounded(
    function: Callable[[T], R], items: Sequence[T], limit: int
) -> list[R]:
    """``function(item)`` for every item, one after the other; results in order.

    ``limit`` is accepted for the async twin's signature; the first error is
    raised at once.
    """
    return [function(item) for item in items]


_DONE = object()


async def async_iterate_in_thread(iterator: Iterator[T]) -> AsyncIterator[T]:
    """Iterate a blocking iterator in a worker thread, keeping the loop free.

    When the consumer stops early or is cancelled, the iterator is closed in a
    worker thread, after any step still running there has finished (a task
    cancelled by ``Task.cancel()`` stops waiting for its thread), and even when
    the surrounding scope is cancelled.
    """
    import anyio
    import anyio.to_thread

    step_lock = threading.Lock()

    def step() -> Any:
        with step_lock:
            return next(iterator, _DONE)

    def close() -> None:
        with step_lock:
            close_iterator = getattr(iterator, "close", None)
            if close_iterator is not None:
                close_iterator()

    try:
        while True:
            item = await anyio.to_thread.run_sync(step)
            if item is _DONE:
                return
            yield item
    finally:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(close)


def sync_iterate_in_thread(iterator: Iterator[T]) -> Iterator[T]:
    """Iterate a blocking iterator in the calling thread."""
    try:
        yield from iterator
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()


def async_owner_id() -> int:
    """Who is running: the current task (a blocking call here would block it)."""
    import anyio

    return anyio.get_current_task().id


def sync_owner_id() -> int:
    """Who is running: the current thread (a blocking call here would block it)."""
    return threading.get_ident()


class AsyncResultMixin:
    """``await response`` drives it to completion and returns it."""

    def __await__(self) -> Any:
        return self._force().__await__()  # type: ignore[attr-defined]

    def _require_done(self, method: str) -> None:
        """Raise unless already awaited: async plain methods never drive I/O."""
        if not self._done:  # type: ignore[attr-defined]
            raise ValueError(
                f"Response not yet awaited — call `await response` before {method}"
            )


class SyncResultMixin:
    """``str(response)`` drives it to completion and returns its text."""

    def __str__(self) -> str:
        return self.text()  # type: ignore[attr-defined,no-any-return]

    def _require_done(self, method: str) -> None:
        """Drive the response to completion (the blocking facade may block)."""
        if not self._done:  # type: ignore[attr-defined]
            self._force()  # type: ignore[attr-defined]


# Deadlines and per-event-loop resources (used by the HTTP transport) ----------


async def async_call_within(
    seconds: float | None, function: Callable[[], Awaitable[T]]
) -> T:
    """Await ``function()``; raise ``TimeoutError`` after ``seconds`` (``None``: never).

    The wait is cancelled when the time is up, so nothing is left running.
    """
    if seconds is None:
        return await function()
    import anyio

    with anyio.fail_after(seconds):
        return await function()


def sync_call_within(seconds: float | None, function: Callable[[], T]) -> T:
    """Call ``function()``.

    A blocking call cannot be interrupted from the same thread: callers bound it
    with socket timeouts no longer than ``seconds`` instead.
    """
    return function()


async def _close_when_loop_ends(
    resource: _AsyncClosable, slot: list[_Cancellable]
) -> None:
    """Wait until the event loop shuts down (or the slot is emptied), then close."""
    import anyio

    try:
        with anyio.CancelScope() as scope:
            slot.append(scope)
            await anyio.sleep_forever()
    finally:
        with anyio.CancelScope(shield=True), contextlib.suppress(Exception):
            await resource.aclose()


def _spawn_closer(resource: _AsyncClosable, slot: list[_Cancellable]) -> None:
    """Start the task that closes ``resource`` when the running loop shuts down.

    asyncio cancels leftover tasks before closing its loop, and trio cancels
    system tasks when the main task returns: either way the task closes it.
    """
    import asyncio

    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # not asyncio: trio
        import trio

        trio.lowlevel.spawn_system_task(_close_when_loop_ends, resource, slot)
        return
    slot.append(loop.create_task(_close_when_loop_ends(resource, slot)))


def _plain_asyncio_loop() -> asyncio.AbstractEventLoop | None:
    """The running asyncio loop, if anyio would use the asyncio backend here.

    ``None`` outside a loop, or when sniffio names another library (trio in
    guest mode on top of asyncio, for instance).
    """
    import asyncio

    loop = asyncio._get_running_loop()
    if loop is None:
        return None
    try:
        import sniffio
    except ModuleNotFoundError:  # anyio then assumes asyncio
        return loop
    if (
        sniffio.thread_local.name is not None
        or sniffio.current_async_library_cvar.get() is not None
    ):
        return None
    return loop


class AsyncLazyResource(Generic[AC]):
    """One resource per running event loop, made on first use.

    A resource (an object with ``aclose()``, such as an HTTP client) is never
    shared between event loops: each loop gets its own, and it is closed when
    that loop shuts down (``asyncio.run`` returning, ``trio.run`` ending), or by
    ``aclose()``. The factory is called inside the running loop.
    """

    def __init__(self, factory: Callable[[], AC]) -> None:
        self._factory = factory
        self._var: RunVar[JSONObject] | None = None
        self._lock = threading.Lock()
        # (weak reference to an asyncio loop, its slots): anyio's RunVar lookup
        # costs about 2 us, and every request asks for its loop's client.
        self._last: tuple[weakref.ref[asyncio.AbstractEventLoop], JSONObject] | None = (
            None
        )

    def _slots(self) -> JSONObject:
        last = self._last
        if last is not None and _plain_asyncio_loop() is last[0]():
            return last[1]
        slots = self._runvar_slots()
        loop = _plain_asyncio_loop()
        if loop is not None:
            import weakref

            self._last = (weakref.ref(loop), slots)
        return slots

    def _runvar_slots(self) -> JSONObject:
        if self._var is None:
            from anyio.lowlevel import RunVar

            with self._lock:
                if self._var is None:
                    self._var = RunVar(f"llm_async_resource_{id(self)}")
        try:
            slots: JSONObject = self._var.get()
        except LookupError:
            slots = {}
            self._var.set(slots)
        return slots

    def get(self) -> AC:
        """The resource of the running event loop, made if needed."""
        slots = self._slots()
        if "resource" not in slots:
            resource = self._factory()
            slots["resource"] = resource
            closer: list[_Cancellable] = []
            slots["closer"] = closer
            _spawn_closer(resource, closer)
        made: AC = slots["resource"]
        return made

    async def aclose(self) -> None:
        """Close the running loop's resource; the next ``get()`` makes a new one."""
        slots = self._slots()
        resource = slots.pop("resource", None)
        closer = slots.pop("closer", [])
        if resource is not None:
            await resource.aclose()
        for item in closer:
            item.cancel()


class SyncLazyResource(Generic[SC]):
    """One resource per process, made on first use; closed by ``close()`` or at exit.

    A child made by ``os.fork()`` does not use its parent's resource (its pooled
    connections are the parent's sockets): it drops it unclosed, so the parent's
    connections are untouched, and makes its own on first use.
    """

    def __init__(self, factory: Callable[[], SC]) -> None:
        import os
        import weakref

        self._factory = factory
        self._lock = threading.Lock()
        self._slot: list[SC] = []
        weakref.finalize(self, _close_slot, self._slot)
        if hasattr(os, "register_at_fork"):
            owner = weakref.ref(self)
            os.register_at_fork(after_in_child=lambda: _forget_in_child(owner))

    def _after_fork_in_child(self) -> None:
        self._lock = threading.Lock()  # another thread may have held it
        self._slot.clear()

    def get(self) -> SC:
        """The resource, made if needed."""
        with self._lock:
            if not self._slot:
                self._slot.append(self._factory())
            return self._slot[0]

    def close(self) -> None:
        """Close the resource; the next ``get()`` makes a new one."""
        _close_slot(self._slot)


def _forget_in_child(owner: Callable[[], SyncLazyResource[SC] | None]) -> None:
    resource = owner()
    if resource is not None:
        resource._after_fork_in_child()


def _close_slot(slot: list[SC]) -> None:
    while slot:
        slot.pop().close()


class async_closing(Generic[T]):
    """``async with async_closing(gen) as it``: close the async generator on exit.

    ``contextlib.aclosing`` for a generator annotated ``AsyncIterator[T]``.
    """

    def __init__(self, iterator: AsyncIterator[T]) -> None:
        self._iterator = iterator

    async def __aenter__(self) -> AsyncIterator[T]:
        return self._iterator

    async def __aexit__(self, *exc_info: object) -> None:
        close = getattr(self._iterator, "aclose", None)
        if close is not None:
            await close()


class sync_closing(Generic[T]):
    """``with sync_closing(gen) as it``: close the generator on exit.

    ``contextlib.closing`` for a generator annotated ``Iterator[T]``.
    """

    def __init__(self, iterator: Iterator[T]) -> None:
        self._iterator = iterator

    def __enter__(self) -> Iterator[T]:
        return self._iterator

    def __exit__(self, *exc_info: object) -> None:
        close = getattr(self._iterator, "close", None)
        if close is not None:
            close()
