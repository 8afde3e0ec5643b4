"""Sans-I/O parts of the HTTP transport: timeouts, retries, backoff, TLS trust.

Settings
--------
Four settings control each HTTP call. Each can be given per call (as a prompt
option: ``model.prompt("hi", timeout=30)``), per model (keyword arguments of
``AsyncHTTPModel``/``HTTPModel``) or through an environment variable:

=================== ====================== ======= ===================================
setting             environment variable   default meaning
=================== ====================== ======= ===================================
``timeout``         ``LLM_TIMEOUT``        120 s   idle timeout: the longest wait for
                                                   the first byte and between chunks
``connect_timeout`` ``LLM_CONNECT_TIMEOUT`` 10 s   establishing the connection (and
                                                   TLS)
``total_timeout``   ``LLM_TOTAL_TIMEOUT``  none    deadline for the whole call,
                                                   retries and waits included
``max_retries``     ``LLM_MAX_RETRIES``    2       retries after the first attempt;
                                                   ``0`` means exactly one request
=================== ====================== ======= ===================================

Precedence: per call > per model > environment > default. A timeout is disabled
only by passing ``None`` on purpose (or ``none`` in the environment); leaving
it out never means "wait forever". Waiting for a free pooled connection has its
own limit (``pool_timeout`` of the transport, 10 s).

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

import contextlib
import email.utils
import enum
import functools
import logging
import math
import os
import random
import re
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from llm_async._core.errors import APIError, ConfigError, ResponseDecodeError

__all__ = [
    "DEFAULTS",
    "ENV_VARS",
    "RETRYABLE_STATUSES",
    "SETTING_NAMES",
    "UNSET",
    "BodyBuffer",
    "CallSettings",
    "RetryPolicy",
    "RetryState",
    "Unset",
    "backoff_delay",
    "is_retryable",
    "logger",
    "mark_retryable",
    "parse_retry_after",
    "resolve_settings",
    "ssl_context",
]

#: The logger of the library; each retry is logged here at INFO level.
logger = logging.getLogger("llm_async")


class BodyBuffer:
    """A response body collected up to ``limit`` bytes.

    Past the limit, ``add()`` raises ``ResponseDecodeError`` or, with
    ``truncate``, keeps the first ``limit`` bytes and returns ``True`` (stop).
    """

    __slots__ = ("_parts", "_size", "limit", "request_id", "status_code", "truncate")

    def __init__(
        self,
        limit: int,
        truncate: bool,
        *,
        status_code: int | None = None,
        request_id: str | None = None,
    ) -> None:
        self.limit = limit
        self.truncate = truncate
        self.status_code = status_code
        self.request_id = request_id
        self._parts: list[bytes] = []
        self._size = 0

    def add(self, chunk: bytes) -> bool:
        """Keep ``chunk``; ``True`` once the body was cut at the limit."""
        self._size += len(chunk)
        if self._size <= self.limit:
            self._parts.append(chunk)
            return False
        if not self.truncate:
            raise ResponseDecodeError(
                f"The response is larger than {self.limit} bytes",
                status_code=self.status_code,
                request_id=self.request_id,
            )
        self._parts.append(chunk[: len(chunk) - (self._size - self.limit)])
        return True

    def content(self) -> bytes:
        """The bytes kept."""
        return b"".join(self._parts)


class Unset(enum.Enum):
    """Marks a setting that was not given, as opposed to ``None`` ("disabled")."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET

#: The per-call settings, in the order they are documented.
SETTING_NAMES = ("timeout", "connect_timeout", "total_timeout", "max_retries")

#: The environment variable of each setting.
ENV_VARS: Mapping[str, str] = {
    "timeout": "LLM_TIMEOUT",
    "connect_timeout": "LLM_CONNECT_TIMEOUT",
    "total_timeout": "LLM_TOTAL_TIMEOUT",
    "max_retries": "LLM_MAX_RETRIES",
}

#: The value of each setting when neither call, model nor environment sets it.
DEFAULTS: Mapping[str, float | int | None] = {
    "timeout": 120.0,
    "connect_timeout": 10.0,
    "total_timeout": None,
    "max_retries": 2,
}

RETRYABLE_STATUSES: frozenset[int] = frozenset({408, 409, 429, 500, 502, 503, 504, 529})
NEVER_RETRIED_STATUSES: frozenset[int] = frozenset({400, 401, 403, 404, 413, 422})


@dataclass(frozen=True)
class RetryPolicy:
    """How to wait between attempts.

    The n-th retry waits a random time between 0 and
    ``min(max_delay, initial_delay * 2 ** n)`` ("full jitter"), unless the server
    asked for a specific wait. No retry starts once ``budget`` seconds have
    passed since the first attempt (``None``: no budget besides
    ``total_timeout``).
    """

    initial_delay: float = 0.5
    max_delay: float = 8.0
    budget: float | None = 60.0
    statuses: frozenset[int] = RETRYABLE_STATUSES


@dataclass(frozen=True)
class CallSettings:
    """The resolved settings of one call; see the module docs for their meaning."""

    timeout: float | None = 120.0
    connect_timeout: float | None = 10.0
    total_timeout: float | None = None
    max_retries: int = 2
    pool_timeout: float | None = 10.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)


def _check(name: str, value: Any, where: str) -> float | int | None:
    if name == "max_retries":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(
                f"{where}: max_retries must be an integer >= 0, not {value!r}"
            )
        return value
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{where}: {name} must be a number of seconds or None")
    if not value > 0 or math.isnan(value):
        raise ValueError(f"{where}: {name} must be > 0 (or None to disable it)")
    return float(value)


def _from_env(name: str, env: Mapping[str, str]) -> float | int | Unset | None:
    variable = ENV_VARS[name]
    raw = env.get(variable, "").strip()
    if not raw:
        return UNSET
    if name != "max_retries" and raw.lower() in ("none", "off"):
        return None
    try:
        value: float | int = int(raw) if name == "max_retries" else float(raw)
        return _check(name, value, variable)
    except ValueError:
        expected = (
            "an integer >= 0"
            if name == "max_retries"
            else "a number of seconds > 0, or 'none'"
        )
        raise ConfigError(
            f"{variable}={raw!r} is invalid: expected {expected}"
        ) from None


def resolve_settings(
    call: Mapping[str, Any] | None = None,
    model: Mapping[str, Any] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    retry: RetryPolicy | None = None,
    pool_timeout: float | None = 10.0,
) -> CallSettings:
    """Resolve each setting: call, then model, then environment, then default.

    ``call`` and ``model`` map setting names to values; a missing name or an
    ``UNSET`` value falls through to the next level, ``None`` disables a
    timeout.
    """
    environment = os.environ if env is None else env
    retry = retry or RetryPolicy()
    if not call and not model:  # the usual case: cached by the environment's values
        get = environment.get
        raw: tuple[str, ...] = (get(_ENV_NAMES[0], ""), get(_ENV_NAMES[1], ""))
        raw += (get(_ENV_NAMES[2], ""), get(_ENV_NAMES[3], ""))
        last = _last_from_env
        if (  # the last answer, without hashing the RetryPolicy again
            last is not None
            and last[0] == raw
            and last[1] is retry
            and last[2] == pool_timeout
        ):
            return last[3]
        with contextlib.suppress(TypeError):  # e.g. a RetryPolicy with a set
            return _remember(raw, retry, pool_timeout)
    return _resolve(call, model, environment, retry, pool_timeout)


_ENV_NAMES = tuple(ENV_VARS[name] for name in SETTING_NAMES)
_last_from_env: tuple[tuple[str, ...], RetryPolicy, float | None, CallSettings] | None
_last_from_env = None


def _remember(
    raw: tuple[str, ...], retry: RetryPolicy, pool_timeout: float | None
) -> CallSettings:
    global _last_from_env
    settings = _settings_from_env(raw, retry, pool_timeout)
    _last_from_env = (raw, retry, pool_timeout, settings)
    return settings


def _resolve(
    call: Mapping[str, Any] | None,
    model: Mapping[str, Any] | None,
    environment: Mapping[str, str],
    retry: RetryPolicy,
    pool_timeout: float | None,
) -> CallSettings:
    values: dict[str, Any] = {}
    for name in SETTING_NAMES:
        value: Any = UNSET
        for where, source in (("per-call option", call), ("model setting", model)):
            given = (source or {}).get(name, UNSET)
            if given is not UNSET:
                value = _check(name, given, where)
                break
        if value is UNSET:
            value = _from_env(name, environment)
        values[name] = DEFAULTS[name] if value is UNSET else value
    return CallSettings(**values, pool_timeout=pool_timeout, retry=retry)


@functools.lru_cache(maxsize=64)
def _settings_from_env(
    raw: tuple[str, ...], retry: RetryPolicy, pool_timeout: float | None
) -> CallSettings:
    """Settings from the environment's values and the defaults (immutable: cached)."""
    env = dict(zip([ENV_VARS[name] for name in SETTING_NAMES], raw, strict=True))
    return _resolve(None, None, env, retry, pool_timeout)


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


def retry_delay_from_body(body: Any) -> float | None:
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


#: ``verify`` value, and environment variable, that select the operating system's
#: certificate store (through the optional ``truststore`` package).
TRUSTSTORE: Final = "truststore"
TRUSTSTORE_ENV: Final = "LLM_TRUSTSTORE"


def ssl_context(
    verify: ssl.SSLContext | str | bool | None = None,
    *,
    trust_env: bool = True,
    env: Mapping[str, str] | None = None,
) -> ssl.SSLContext | bool:
    """The TLS trust to use: an explicit setting, the environment, then certifi.

    ``verify`` may be an ``ssl.SSLContext``, a CA bundle path, ``"truststore"``
    (the operating system's certificate store, through the ``truststore``
    package), ``False`` (no verification) or ``None``/``True`` (the default
    trust). With ``trust_env``, the default trust is the operating system's store
    if ``LLM_TRUSTSTORE`` is true, else ``SSL_CERT_FILE``, then
    ``REQUESTS_CA_BUNDLE``, then ``SSL_CERT_DIR``; otherwise the certifi bundle.
    """
    if isinstance(verify, ssl.SSLContext) or verify is False:
        return verify
    if verify == TRUSTSTORE:
        return _truststore_context()
    if isinstance(verify, str):
        return _context(verify, None)
    environment = os.environ if env is None else env
    if trust_env:
        if _env_flag(environment, TRUSTSTORE_ENV):
            return _truststore_context()
        for name in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"):
            path = environment.get(name)
            if path:
                if os.path.isdir(path):
                    return _context(None, path)
                return _context(path, None)
        directory = environment.get("SSL_CERT_DIR")
        if directory:
            return _context(None, directory)
    import certifi

    return _context(certifi.where(), None)


def _env_flag(environment: Mapping[str, str], name: str) -> bool:
    """A boolean environment variable: ``1``/``true``/``yes``/``on`` or not set."""
    value = environment.get(name, "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{name} must be 1 or 0 (true/false, yes/no, on/off): {value!r}")


def _truststore_context() -> ssl.SSLContext:
    """A context verifying with the operating system's certificate store."""
    try:
        import truststore
    except ImportError as exc:
        raise ConfigError(
            "Using the operating system's certificate store (verify='truststore' "
            f"or {TRUSTSTORE_ENV}=1) needs the truststore package, which is not "
            "installed. Install it with: pip install 'llm-async[truststore]'"
        ) from exc
    context: ssl.SSLContext = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    return context


@functools.lru_cache(maxsize=8)
def _context(cafile: str | None, capath: str | None) -> ssl.SSLContext:
    """A verifying context for one CA bundle, shared: loading one takes a while."""
    return ssl.create_default_context(cafile=cafile, capath=capath)
