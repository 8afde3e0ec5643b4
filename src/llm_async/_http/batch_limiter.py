"""How many requests a batch may have in flight, and when the next may start.

Sans-I/O: every method takes the time (``time.monotonic()``) from the caller.

* Concurrency adapts like TCP's congestion window (AIMD): it starts at
  ``initial``, grows by one per success while below ``maximum`` (doubling per
  round trip until the first back-off, then by one per round trip), and
  halves on an overload (429, 529, 503), once per overload episode. It only
  grows while it is what holds the batch back, and, as in TCP Vegas, while
  the latency stays under twice the lowest seen: more requests in flight than
  the server (or this process) can work on only queue up.
* An overload pauses every new start for the ``Retry-After`` the server named
  (else an exponential backoff).
* Rate-limit headers (``x-ratelimit-*``, ``anthropic-ratelimit-*``) are
  followed exactly: the limiter keeps an estimate of the requests (and tokens)
  left in the provider's window, counting its own requests sent since each
  report, and holds new starts until the window resets when nothing is left.
  So once the provider's limits are known, no request is sent beyond them.
* ``requests_per_minute`` spaces starts evenly, for a limit set by the user.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from llm_async._http.ratelimit import RateWindow, parse_rate_limits

__all__ = ["OVERLOAD_STATUSES", "AdaptiveLimiter"]

#: Statuses that mean "too much, slow down" for every request, not just this one.
OVERLOAD_STATUSES = frozenset({429, 503, 529})
# Starts after a window's reset wait this much longer (the provider's clock).
RESET_MARGIN = 0.005


@dataclass
class _Window:
    """The limiter's estimate of one provider limit."""

    remaining: float
    reset_at: float
    limit: int | None
    opened: int = 0  # the first request counted in this window
    confirmed: bool = True  # a report of this window arrived (else reset_at a guess)


class AdaptiveLimiter:
    """Decides when a batch may start its next request (see the module doc)."""

    def __init__(
        self,
        *,
        initial: int = 16,
        maximum: int = 512,
        minimum: int = 1,
        requests_per_minute: float | None = None,
        backoff: float = 1.0,
        max_backoff: float = 60.0,
    ) -> None:
        if minimum < 1 or not minimum <= initial <= maximum:
            raise ValueError(
                "concurrency must satisfy 1 <= minimum <= initial <= maximum, got "
                f"minimum={minimum}, initial={initial}, maximum={maximum}"
            )
        if requests_per_minute is not None and requests_per_minute <= 0:
            raise ValueError(
                f"requests_per_minute must be positive, got {requests_per_minute}"
            )
        self.concurrency = float(initial)
        self.minimum = minimum
        self.maximum = maximum
        self.interval = 60.0 / requests_per_minute if requests_per_minute else 0.0
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.in_flight = 0
        self.started = 0  # requests started so far; a request's number is its index
        self.paused_until = 0.0
        self.overloads = 0  # overload responses
        self.decreases = 0  # times the concurrency was cut
        self._next_start = 0.0
        self._slow_start = True
        self._episode_start = -1  # requests numbered below this are of an old episode
        self._consecutive = 0
        self._saturated = False
        self._windows: dict[str, _Window] = {}
        self._tokens_per_request: float | None = None
        self._started_at: dict[int, float] = {}
        self._min_rtt: float | None = None
        self._rtt: float | None = None

    @property
    def limit(self) -> int:
        """The current concurrency limit."""
        return int(self.concurrency)

    def wait_time(self, now: float) -> float | None:
        """``0``: start one now; seconds to wait; ``None``: wait for one to finish."""
        if self.in_flight >= int(self.concurrency):
            self._saturated = True
            return None
        ready = max(self.paused_until, self._next_start)
        for kind, window in self._windows.items():
            cost = 1.0 if kind == "requests" else (self._tokens_per_request or 0.0)
            if window.remaining < cost and window.reset_at > now:
                ready = max(ready, window.reset_at + RESET_MARGIN)
        return max(0.0, ready - now)

    def start(self, now: float) -> int:
        """Record a request starting now; returns its number (for ``finish``)."""
        number = self.started
        self.started += 1
        self._started_at[number] = now
        self.in_flight += 1
        if self.interval:
            self._next_start = max(self._next_start, now) + self.interval
        for kind, window in list(self._windows.items()):
            if window.reset_at <= now:  # a new window: full again, or unknown
                if window.limit is None:
                    del self._windows[kind]
                    continue
                self._windows[kind] = window = _Window(
                    float(window.limit), now + 1.0, window.limit, number, False
                )
            window.remaining -= self._cost(kind)
        return number

    def _cost(self, kind: str) -> float:
        return 1.0 if kind == "requests" else (self._tokens_per_request or 0.0)

    def observe(
        self,
        number: int,
        headers: Mapping[str, str],
        now: float,
        wall_time: float | None = None,
    ) -> None:
        """Learn the provider's limits from the headers of request ``number``."""
        for reported in parse_rate_limits(headers, wall_time):
            self._observe_window(number, reported, now)

    def _observe_window(self, number: int, reported: RateWindow, now: float) -> None:
        if reported.kind not in ("requests", "tokens"):
            return
        reset_at = now + (reported.reset if reported.reset is not None else 1.0)
        # Requests started after this one may not be counted in the report yet.
        later = (self.started - number - 1) * self._cost(reported.kind)
        estimate = reported.remaining - later
        window = self._windows.get(reported.kind)
        if window is None or window.reset_at <= now:
            self._windows[reported.kind] = _Window(
                estimate, reset_at, reported.limit, number
            )
            return
        if number < window.opened:  # it describes the window before this one
            return
        window.remaining = min(window.remaining, estimate)
        window.reset_at = (
            reset_at if not window.confirmed else max(window.reset_at, reset_at)
        )
        window.confirmed = True
        window.limit = reported.limit

    def finish(
        self,
        number: int,
        now: float,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        tokens: int | None = None,
    ) -> None:
        """Record the end of request ``number``: ``status`` is its HTTP status.

        ``None`` means no HTTP error (a success, or a failure of another kind).
        ``tokens`` is the usage it reported, to estimate token limits.
        """
        self.in_flight -= 1
        started_at = self._started_at.pop(number, None)
        if status in OVERLOAD_STATUSES:
            self._overloaded(number, now, retry_after)
            return
        if tokens:
            previous = self._tokens_per_request
            self._tokens_per_request = (
                float(tokens) if previous is None else 0.9 * previous + 0.1 * tokens
            )
        if status is not None:
            return
        self._consecutive = 0
        if started_at is not None and not self._may_grow(now - started_at):
            return
        if self._saturated and self.concurrency < self.maximum:
            step = 1.0 if self._slow_start else 1.0 / self.concurrency
            self.concurrency = min(float(self.maximum), self.concurrency + step)
            self._saturated = self.in_flight + 1 >= int(self.concurrency)

    def _may_grow(self, rtt: float) -> bool:
        """Record a success's latency; whether more concurrency may still help."""
        # The lowest latency drifts up slowly, so one lucky sample does not
        # stop growth for good.
        low = rtt if self._min_rtt is None else min(rtt, self._min_rtt * 1.001)
        self._min_rtt = low
        self._rtt = rtt if self._rtt is None else 0.9 * self._rtt + 0.1 * rtt
        if self._rtt <= 2 * low:
            return True
        self._slow_start = False
        return False

    def _overloaded(self, number: int, now: float, retry_after: float | None) -> None:
        self.overloads += 1
        self._consecutive += 1
        if retry_after is None:
            retry_after = min(
                self.max_backoff, self.backoff * 2.0 ** (self._consecutive - 1)
            )
        self.paused_until = max(self.paused_until, now + retry_after)
        if number >= self._episode_start:  # the first overload of an episode
            self.concurrency = max(float(self.minimum), self.concurrency / 2)
            self.decreases += 1
            self._slow_start = False
            self._episode_start = self.started
