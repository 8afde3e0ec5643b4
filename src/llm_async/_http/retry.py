"""Retries: which failures are retried, backoff, ``Retry-After``, the retry budget.

Retries
-------
Retried: HTTP 408, 409, 429, 500, 502, 503, 504 and 529, connection failures and
connect timeouts. Never retried: 400, 401, 403, 404, 413, 422, an idle (read)
timeout, or anything once part of a streamed answer reached the caller. Waits
use exponential backoff with full jitter, capped per wait (``RetryPolicy``); a
``Retry-After`` (seconds or HTTP date) or ``retry-after-ms`` header is honoured
exactly. When the wait asked for does not fit in the remaining retry budget or
total deadline, the error is raised at once, with ``retry_after`` set.
"""

from __future__ import annotations

import email.utils
import logging
import math
import random
import re
import time
from collections.abc import Callable, Mapping

from llm_async._core.errors import APIError
from llm_async._core.types import JSONValue
from llm_async._http.settings import (
    CallSettings,
    RetryPolicy,
)

__all__ = [
    "RetryState",
    "backoff_delay",
    "is_retryable",
    "logger",
    "mark_retryable",
    "parse_retry_after",
    "retry_delay_from_body",
]

#: The logger of the library; each retry is logged here at INFO level.
logger = logging.getLogger("llm_async")


def backoff_delay(
    retry_index: int,
    policy: RetryPolicy,
    random_value: Callable[[], float] = random.random,
) -> float:
    """The full-jitter wait before retry number ``retry_index`` (0 for the first)."""
    ceiling = min(policy.max_delay, policy.initial_delay * 2.0 ** min(retry_index, 32))
    return max(0.0, ceiling * random_value())


def parse_retry_after(
    headers: Mapping[str, str], now: float | None = None
) -> float | None:
    """Seconds the server asked to wait: ``retry-after-ms``, then ``retry-after``.

    ``retry-after`` may be a number of seconds or an HTTP date; a date in the past
    means 0. Unparseable or absent values give ``None``. ``now`` is a Unix time
    (for tests).
    """
    milliseconds = _number(headers.get("retry-after-ms"))
    if milliseconds is not None:
        return milliseconds / 1000
    raw = headers.get("retry-after")
    if raw is None:
        return None
    seconds = _number(raw)
    if seconds is not None:
        return seconds
    try:
        when = email.utils.parsedate_to_datetime(raw.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def _number(raw: str | None) -> float | None:
    if raw is None:
        return None
    try:
        value = float(raw.strip())
    except ValueError:
        return None
    if math.isnan(value) or math.isinf(value) or value < 0:
        return None
    return value


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")


def retry_delay_from_body(body: JSONValue) -> float | None:
    """Google's ``RetryInfo.retryDelay`` (``"34s"``) from an error body, if any."""
    error = body.get("error") if isinstance(body, dict) else None
    details = error.get("details") if isinstance(error, dict) else None
    if not isinstance(details, list):
        return None
    for detail in details:
        if isinstance(detail, dict) and str(detail.get("@type", "")).endswith(
            "RetryInfo"
        ):
            match = _DURATION.match(str(detail.get("retryDelay", "")))
            if match:
                return float(match.group(1))
    return None


def mark_retryable(error: APIError, retryable: bool) -> APIError:
    """Record whether the transport may retry after ``error``; returns it."""
    error._llm_retryable = retryable  # type: ignore[attr-defined]
    return error


def is_retryable(error: BaseException) -> bool:
    """Whether ``error`` was marked as safe to retry by the transport."""
    return bool(getattr(error, "_llm_retryable", False))


class RetryState:
    """The attempts of one call: counts them, tracks the deadline, picks waits."""

    def __init__(
        self,
        settings: CallSettings,
        *,
        clock: Callable[[], float] = time.monotonic,
        random_value: Callable[[], float] = random.random,
    ) -> None:
        self.settings = settings
        self.attempts = 0
        self._clock = clock
        self._random = random_value
        self.started = clock()
        total = settings.total_timeout
        self.deadline = None if total is None else self.started + total

    def begin_attempt(self) -> None:
        """Count one more attempt."""
        self.attempts += 1

    def remaining(self) -> float | None:
        """Seconds left before the total deadline (``None``: no deadline)."""
        if self.deadline is None:
            return None
        return max(0.0, self.deadline - self._clock())

    def expired(self, slack: float = 0.0) -> bool:
        """Whether the total deadline has passed (or is less than ``slack`` away)."""
        return self.deadline is not None and self._clock() + slack >= self.deadline

    def timeouts(self) -> dict[str, float | None]:
        """The httpx timeout extension for the next attempt, capped by the deadline."""
        settings = self.settings
        values = {
            "connect": settings.connect_timeout,
            "read": settings.timeout,
            "write": settings.timeout,
            "pool": settings.pool_timeout,
        }
        left = self.remaining()
        if left is None:
            return values
        # A tiny positive floor: httpx treats 0 as "fail at once" on some backends.
        left = max(left, 0.001)
        return {k: left if v is None else min(v, left) for k, v in values.items()}

    def next_wait(self, error: BaseException) -> float | None:
        """Seconds to wait before retrying after ``error``; ``None`` to give up.

        Gives up when the error is not retryable, no retries are left, or the
        wait (the server's ``retry_after`` or a jittered backoff) does not fit in
        the retry budget and the total deadline.
        """
        if not is_retryable(error) or self.attempts > self.settings.max_retries:
            return None
        asked = getattr(error, "retry_after", None)
        if isinstance(asked, (int, float)):
            wait = max(0.0, float(asked))
        else:
            wait = backoff_delay(self.attempts - 1, self.settings.retry, self._random)
        now = self._clock()
        budget = self.settings.retry.budget
        if budget is not None and now + wait > self.started + budget:
            return None
        if self.deadline is not None and now + wait >= self.deadline:
            return None
        return wait
