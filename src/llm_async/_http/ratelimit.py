"""Provider rate-limit headers, and a way to watch the responses of a call.

OpenAI (and compatible servers) send ``x-ratelimit-{limit,remaining,reset}-
{requests,tokens}``, the reset as a duration (``"1s"``, ``"6m0s"``, ``"20ms"``);
Anthropic sends ``anthropic-ratelimit-{requests,tokens,input-tokens,
output-tokens}-{limit,remaining,reset}``, the reset as an RFC 3339 time.
``parse_rate_limits`` turns either into ``RateWindow`` values.

``watch_responses(callback)`` makes the transport call ``callback(status,
headers)`` for every HTTP response of the calls made in the current context
(task or thread), errors included, before their body is read: the batch runner
learns the provider's limits from it without touching a model's code.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

__all__ = [
    "RateWindow",
    "ResponseObserver",
    "current_observer",
    "parse_duration",
    "parse_rate_limits",
    "watch_responses",
]

#: ``callback(status_code, headers)``, called for every response.
ResponseObserver = Callable[[int, Mapping[str, str]], None]

_observer: contextvars.ContextVar[ResponseObserver | None] = contextvars.ContextVar(
    "llm_async_response_observer", default=None
)

#: The transport's lookup: ``None`` unless a batch watches this context.
current_observer = _observer.get


@contextmanager
def watch_responses(callback: ResponseObserver) -> Iterator[None]:
    """Within the block, report every HTTP response's status and headers."""
    token = _observer.set(callback)
    try:
        yield
    finally:
        _observer.reset(token)


@dataclass(frozen=True)
class RateWindow:
    """One limit the provider reported: ``remaining`` of ``limit`` until ``reset``.

    ``kind`` is ``"requests"``, ``"tokens"``, ``"input-tokens"`` or
    ``"output-tokens"``; ``reset`` is seconds from when the response arrived.
    """

    kind: str
    limit: int | None
    remaining: int
    reset: float | None


_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_PREFIXES = ("x-ratelimit-", "anthropic-ratelimit-")
_KINDS = ("requests", "tokens", "input-tokens", "output-tokens")


def parse_duration(text: str) -> float | None:
    """Seconds in an OpenAI-style duration (``"1m30.5s"``, ``"20ms"``, ``"2"``)."""
    text = text.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    total, end = 0.0, 0
    units = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
    for match in _DURATION.finditer(text):
        if match.start() != end:
            return None
        total += float(match.group(1)) * units[match.group(2)]
        end = match.end()
    return total if end and end == len(text) else None


def _reset_seconds(text: str | None, now: float | None) -> float | None:
    if text is None:
        return None
    seconds = parse_duration(text)
    if seconds is not None:
        return seconds
    try:  # Anthropic: an RFC 3339 time
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None or now is None:
        return None
    return max(0.0, when.timestamp() - now)


def _int(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(float(text.strip()))
    except ValueError:
        return None


_PARTS = ("limit", "remaining", "reset")
# (kind, (limit, remaining, reset) header names) of every window, both styles.
_WINDOW_NAMES = tuple(
    (kind, tuple(f"x-ratelimit-{part}-{kind}" for part in _PARTS)) for kind in _KINDS
) + tuple(
    (kind, tuple(f"anthropic-ratelimit-{kind}-{part}" for part in _PARTS))
    for kind in _KINDS
)


def parse_rate_limits(
    headers: Mapping[str, str], now: float | None = None
) -> list[RateWindow]:
    """The rate-limit windows named in a response's headers (OpenAI or Anthropic).

    ``now`` is the Unix time, needed for Anthropic's absolute reset times.
    """
    # One pass over the headers; most responses of most servers have none.
    found = {
        name.lower(): value
        for name, value in headers.items()
        if name.lower().startswith(_PREFIXES)
    }
    if not found:
        return []
    windows = []
    for kind, (limit, remaining_name, reset) in _WINDOW_NAMES:
        remaining = _int(found.get(remaining_name))
        if remaining is None:
            continue
        windows.append(
            RateWindow(
                kind,
                _int(found.get(limit)),
                remaining,
                _reset_seconds(found.get(reset), now),
            )
        )
    return windows
