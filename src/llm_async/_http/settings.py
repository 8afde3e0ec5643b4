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

Retries are described in ``llm_async._http.retry``.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from llm_async._core.errors import ConfigError
from llm_async._core.types import JSONMapping, JSONObject

__all__ = [
    "DEFAULTS",
    "ENV_VARS",
    "NEVER_RETRIED_STATUSES",
    "RETRYABLE_STATUSES",
    "SETTING_NAMES",
    "UNSET",
    "CallSettings",
    "RetryPolicy",
    "Unset",
    "resolve_settings",
]


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


def _check(name: str, value: object, where: str) -> float | int | None:
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
    call: JSONMapping | None = None,
    model: JSONMapping | None = None,
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
    call: JSONMapping | None,
    model: JSONMapping | None,
    environment: Mapping[str, str],
    retry: RetryPolicy,
    pool_timeout: float | None,
) -> CallSettings:
    values: JSONObject = {}
    for name in SETTING_NAMES:
        value: object = UNSET
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
