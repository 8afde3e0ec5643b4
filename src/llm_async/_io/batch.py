"""Many prompts at once: ``model.prompt_many(prompts)``.

Results come as they complete (``ordered=True``: in input order), one
``BatchResult`` per prompt with its key, text, usage and error; a failed
prompt never stops the others. Concurrency adapts to the provider
(``AdaptiveLimiter``): it grows while requests succeed, backs off on 429/529
and follows the provider's rate-limit headers and ``Retry-After``. The batch
retries failed requests itself (up to ``max_attempts`` per prompt), so one
overloaded answer slows every request down, not only its own. With
``store="results.jsonl"`` (or a SQLite ``.db``) each result is written as it
arrives and a rerun with the same file sends only what is not done.
``engine="batch_api"`` sends the whole batch through the provider's batch API
instead (see ``batch_api.py``).
"""

from __future__ import annotations

import heapq
import os
import time
from collections import deque
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from llm_async._core.batch_progress import Progress, open_progress
from llm_async._core.batch_records import BatchItem, BatchResult
from llm_async._core.batch_stores import ResultStore, open_store
from llm_async._core.concurrency import async_closing
from llm_async._core.errors import BudgetExceededError
from llm_async._core.types import JSONMapping
from llm_async._core.worker_pool import AsyncWorkerPool
from llm_async._http.batch_limiter import OVERLOAD_STATUSES, AdaptiveLimiter
from llm_async._http.ratelimit import watch_responses
from llm_async._http.retry import backoff_delay, is_retryable
from llm_async._http.settings import RetryPolicy

if TYPE_CHECKING:
    from llm_async._core.usage import Usage


class AsyncAnswer(Protocol):
    """What a batch reads of a response."""

    async def text(self) -> str: ...

    async def usage(self) -> Usage: ...


class AsyncModel(Protocol):
    """What a batch needs of a model: its id, and ``prompt()``."""

    model_id: str

    def prompt(self, prompt: str | None = None, **kwargs: Any) -> AsyncAnswer: ...


__all__ = ["ENGINES", "BatchSettings", "run_prompt_many"]

ENGINES = ("direct", "batch_api")


@dataclass(frozen=True)
class BatchSettings:
    """How a batch runs (the keyword arguments of ``prompt_many``)."""

    ordered: bool = False
    store: str | os.PathLike[str] | None = None
    progress: bool | None = None
    initial_concurrency: int = 16
    max_concurrency: int = 256
    max_attempts: int = 5
    max_total_requests: int | None = None
    max_total_tokens: int | None = None
    requests_per_minute: float | None = None
    poll_interval: float = 30.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    def __post_init__(self) -> None:
        if not 1 <= self.initial_concurrency <= self.max_concurrency:
            raise ValueError(
                "initial_concurrency must be between 1 and max_concurrency, got "
                f"{self.initial_concurrency} and {self.max_concurrency}"
            )
        if self.max_attempts < 1:
            raise ValueError(
                f"max_attempts must be at least 1, got {self.max_attempts}"
            )
        for name in ("max_total_requests", "max_total_tokens"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} must be 0 or more, got {value}")


@dataclass
class _Attempt:
    """One request of one item, and what came back."""

    item: BatchItem
    attempt: int
    number: int = 0
    text: str | None = None
    usage: Any = None
    error: BaseException | None = None
    responses: list[tuple[int, Mapping[str, str], float, float]] = field(
        default_factory=list
    )


class _BatchRun:
    """One run of ``prompt_many`` over the items not already in the store."""

    def __init__(
        self,
        model: AsyncModel,
        items: list[BatchItem],
        settings: BatchSettings,
        shared: JSONMapping,
    ) -> None:
        self.model = model
        self.items = items
        self.settings = settings
        self.shared = dict(shared)
        fields = getattr(getattr(model, "Options", None), "model_fields", {})
        # The batch retries (and paces every request after an overload) itself.
        if "max_retries" in fields and "max_retries" not in self.shared:
            self.shared["max_retries"] = 0
        self.limiter = AdaptiveLimiter(
            initial=settings.initial_concurrency,
            maximum=settings.max_concurrency,
            requests_per_minute=settings.requests_per_minute,
        )
        self.requests = 0
        self.tokens = 0

    async def _send(self, attempt: _Attempt) -> _Attempt:
        """Send one request (in a task or thread); never raises an ``Exception``."""

        def seen(status: int, headers: Mapping[str, str]) -> None:
            attempt.responses.append((status, headers, time.monotonic(), time.time()))

        arguments = {**self.shared, **attempt.item.arguments}
        try:
            with watch_responses(seen):
                response = self.model.prompt(stream=False, **arguments)
                attempt.text = await response.text()
                attempt.usage = await response.usage()
        except Exception as error:
            attempt.error = error
        return attempt

    def _budget_left(self) -> bool:
        settings = self.settings
        if (
            settings.max_total_requests is not None
            and self.requests >= settings.max_total_requests
        ):
            return False
        return (
            settings.max_total_tokens is None or self.tokens < settings.max_total_tokens
        )

    def _learn(self, attempt: _Attempt, now: float) -> tuple[bool, float | None]:
        """Tell the limiter how a request went; (retry it?, after how long)."""
        limiter, error = self.limiter, attempt.error
        for _status, headers, seen_at, wall in attempt.responses:
            limiter.observe(attempt.number, headers, seen_at, wall)
        usage = attempt.usage
        tokens = (usage.input or 0) + (usage.output or 0) if usage is not None else 0
        self.tokens += tokens
        status = getattr(error, "status_code", None) if error is not None else None
        retry_after = getattr(error, "retry_after", None)
        limiter.finish(
            attempt.number, now, status=status, retry_after=retry_after, tokens=tokens
        )
        if error is None or attempt.attempt >= self.settings.max_attempts:
            return False, None
        if status in OVERLOAD_STATUSES:
            return True, None  # the limiter pauses every start
        if not is_retryable(error):
            return False, None
        if retry_after is not None:
            return True, retry_after
        return True, backoff_delay(attempt.attempt - 1, self.settings.retry)

    async def run(self) -> AsyncIterator[tuple[BatchItem, BatchResult]]:
        """Each item's result as it is final (retries done)."""
        pending = deque(_Attempt(item, 1) for item in self.items)
        delayed: list[tuple[float, int, _Attempt]] = []  # (ready at, tie, attempt)
        limiter = self.limiter
        async with AsyncWorkerPool[_Attempt](self.settings.max_concurrency) as pool:
            while pending or delayed or pool.running:
                now = time.monotonic()
                while delayed and delayed[0][0] <= now:
                    pending.appendleft(heapq.heappop(delayed)[2])
                timeout: float | None = None
                while pending and self._budget_left():
                    wait = limiter.wait_time(now)
                    if wait is None:
                        break
                    if wait > 0:
                        timeout = wait
                        break
                    attempt = pending.popleft()
                    attempt.number = limiter.start(now)
                    self.requests += 1
                    pool.start(self._send, attempt)
                if not pool.running and not self._budget_left():
                    for attempt in [*pending, *(entry[2] for entry in delayed)]:
                        yield attempt.item, self._over_budget(attempt)
                    return
                if delayed:
                    until = max(0.0, delayed[0][0] - now)
                    timeout = until if timeout is None else min(timeout, until)
                for attempt in await pool.wait(timeout):
                    retry, wait_for = self._learn(attempt, time.monotonic())
                    if retry:
                        again = _Attempt(attempt.item, attempt.attempt + 1)
                        if wait_for is None:
                            pending.appendleft(again)
                        else:
                            ready = time.monotonic() + wait_for
                            heapq.heappush(delayed, (ready, id(again), again))
                        continue
                    yield attempt.item, self._result(attempt)

    def _result(self, attempt: _Attempt) -> BatchResult:
        return BatchResult(
            key=attempt.item.key,
            text=attempt.text if attempt.error is None else None,
            usage=attempt.usage if attempt.error is None else None,
            error=attempt.error,
            attempts=attempt.attempt,
            index=attempt.item.index,
        )

    def _over_budget(self, attempt: _Attempt) -> BatchResult:
        settings = self.settings
        error = BudgetExceededError(
            f"Not sent: the batch's budget was used up ({self.requests} requests "
            f"of max_total_requests={settings.max_total_requests}, {self.tokens} "
            f"tokens of max_total_tokens={settings.max_total_tokens})"
        )
        return BatchResult(
            key=attempt.item.key,
            error=error,
            attempts=attempt.attempt - 1,
            index=attempt.item.index,
        )


async def run_prompt_many(
    model: AsyncModel,
    items: list[BatchItem],
    settings: BatchSettings,
    engine: str,
    shared: JSONMapping,
) -> AsyncIterator[BatchResult]:
    """The results of a batch (``model.prompt_many``'s generator)."""
    store = open_store(settings.store) if settings.store is not None else None
    stored = store.done() if store is not None else {}
    done: dict[int, BatchResult] = {}
    todo = []
    for item in items:
        found = stored.get(item.key)
        if found is not None and found[0] == item.fingerprint():
            done[item.index] = _with_index(found[1], item.index)
        else:
            todo.append(item)
    progress = open_progress(len(items), len(done), settings.progress)
    fresh = _results(model, todo, settings, engine, shared, store, progress)
    merged = (
        _in_order(len(items), done, fresh)
        if settings.ordered
        else _chain(done.values(), fresh)
    )
    try:
        # Each generator is closed here, in this task, when the caller stops
        # early (trio does not let a generator's task group be closed later).
        async with async_closing(fresh), async_closing(merged) as results:
            async for result in results:
                yield result
    finally:
        progress.close()
        if store is not None:
            store.close()


def _with_index(result: BatchResult, index: int) -> BatchResult:
    return BatchResult(
        key=result.key,
        text=result.text,
        usage=result.usage,
        attempts=result.attempts,
        index=index,
        from_store=True,
    )


async def _results(
    model: AsyncModel,
    todo: list[BatchItem],
    settings: BatchSettings,
    engine: str,
    shared: JSONMapping,
    store: ResultStore | None,
    progress: Progress,
) -> AsyncIterator[BatchResult]:
    if engine == "batch_api":
        from .batch_api import run_batch_api

        source = run_batch_api(model, todo, shared, settings.poll_interval)
    else:
        source = _BatchRun(model, todo, settings, shared).run()
    async with async_closing(source) as results:
        async for item, result in results:
            if store is not None:
                store.write(item, result)
            progress.update(result.ok)
            yield result


async def _chain(
    first: Iterable[BatchResult], rest: AsyncIterator[BatchResult]
) -> AsyncIterator[BatchResult]:
    for result in first:
        yield result
    async for result in rest:
        yield result


async def _in_order(
    total: int, done: dict[int, BatchResult], source: AsyncIterator[BatchResult]
) -> AsyncIterator[BatchResult]:
    """Results in input order: later ones wait until the earlier have arrived."""
    waiting = dict(done)
    next_index = 0
    async for result in source:
        waiting[result.index] = result
        while next_index in waiting:
            yield waiting.pop(next_index)
            next_index += 1
    while next_index < total:  # only results from the store are left
        yield waiting.pop(next_index)
        next_index += 1
