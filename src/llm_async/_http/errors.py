"""Sans-I/O error mapping for the HTTP transport.

HTTP statuses and ``httpx`` exceptions become the library's exception tree
(``_errors``). Every error carries ``status_code`` and the provider's
``request_id`` when there was a response, keeps the original exception as
``__cause__``, and never contains an API key: messages and bodies are passed
through ``redact()``/``redact_value()`` with the request's secrets, and URLs
lose their query string (``_http.redaction`` holds those helpers).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping

import httpx

from llm_async._core.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ContextWindowExceededError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseDecodeError,
    ServerError,
)
from llm_async._core.types import JSONObject, JSONValue
from llm_async._http.redaction import (
    SECRET_QUERY,
    redact,
    redact_value,
    request_secrets,
    safe_url,
)
from llm_async._http.retry import (
    mark_retryable,
    parse_retry_after,
    retry_delay_from_body,
)
from llm_async._http.settings import NEVER_RETRIED_STATUSES, CallSettings

__all__ = [
    "SECRET_QUERY",
    "ErrorMessage",
    "decode_error_body",
    "default_error_message",
    "is_context_window_error",
    "redact",
    "request_id",
    "request_secrets",
    "safe_url",
    "status_error",
    "transport_error",
]

#: ``provider.error_message``: ``(status, body) -> (message, code)``.
ErrorMessage = Callable[[int, JSONValue], tuple[str, str | None]]

REQUEST_ID_HEADERS = (
    "x-request-id",
    "request-id",
    "x-goog-request-id",
    "x-amzn-requestid",
    "x-ms-request-id",
    "cf-ray",
)
_REQUEST_ID_SET = frozenset(REQUEST_ID_HEADERS)

CONTEXT_WINDOW_CODES = frozenset(
    {"context_length_exceeded", "context_window_exceeded", "exceed_context_size_error"}
)
_CONTEXT_WINDOW_MESSAGE = re.compile(
    "|".join(
        [
            r"prompt is too long",
            r"maximum context length",
            r"context[ _-]?(?:length|window|size)[^.]{0,40}exceed",
            r"exceed\w* (?:the )?(?:[\w']+ ){0,2}context(?: size| length| window)?",
            r"input token count[^.]{0,60}exceeds the maximum",
            r"exceeds the maximum number of tokens",
            r"too many (?:input )?tokens",
            r"input is too long",
            r"reduce the length of the messages",
            r"context_length_exceeded",
        ]
    ),
    re.IGNORECASE,
)
AUTH_CODES = frozenset({"invalid_api_key", "API_KEY_INVALID", "authentication_error"})
NON_RETRYABLE_CODES = frozenset(
    {"insufficient_quota", "billing_hard_limit_reached", "enforced_spend_limit_reached"}
)
MAX_MESSAGE = 1000


def request_id(headers: Mapping[str, str], body: JSONValue = None) -> str | None:
    """The provider's request id from the response headers or an error body."""
    # httpx looks a name up by scanning every header: look up only those present.
    present = _REQUEST_ID_SET.intersection(headers.keys())
    for name in REQUEST_ID_HEADERS:
        if name in present:
            value = headers.get(name)
            if value:
                return value
    if isinstance(body, dict) and isinstance(body.get("request_id"), str):
        return str(body["request_id"])
    return None


def decode_error_body(content: bytes) -> tuple[JSONValue, str]:
    """An error body as parsed JSON (or ``None``) and as text."""
    text = content.decode("utf-8", errors="replace")
    try:
        return json.loads(text), text
    except ValueError:
        return None, text


def default_error_message(status: int, body: JSONValue) -> tuple[str, str | None]:
    """Message and code from common error shapes (OpenAI, Anthropic, Google)."""
    error = body.get("error", body) if isinstance(body, dict) else body
    if isinstance(error, str):
        return error, None
    if isinstance(error, dict):
        message = error.get("message") or error.get("detail") or error.get("msg")
        code = error.get("code") or error.get("type") or error.get("status")
        if isinstance(message, str) and message:
            return message, None if code is None else str(code)
    return f"HTTP {status} error", None


def body_codes(body: JSONValue) -> set[str]:
    """Every error code-like string in an error body (code, type, status, reason)."""
    codes: set[str] = set()
    error = body.get("error", body) if isinstance(body, dict) else None
    candidates: list[JSONValue] = [error]
    if isinstance(error, dict):
        details = error.get("details")
        if isinstance(details, list):
            candidates.extend(details)
        elif isinstance(details, dict):
            candidates.append(details)
    for candidate in candidates:
        if isinstance(candidate, dict):
            for key in ("code", "type", "status", "reason", "error_code"):
                value = candidate.get(key)
                if isinstance(value, str):
                    codes.add(value)
    return codes


def is_context_window_error(message: str, codes: Iterable[str], text: str = "") -> bool:
    """Whether an error says the input is longer than the model's context window."""
    if CONTEXT_WINDOW_CODES & set(codes):
        return True
    return bool(_CONTEXT_WINDOW_MESSAGE.search(message + "\n" + text[:8192]))


def _status_class(
    status: int, message: str, codes: set[str], text: str
) -> type[APIStatusError]:
    if status == 401 or (status in (400, 403) and AUTH_CODES & codes):
        return AuthenticationError
    if status in (400, 413, 422) and is_context_window_error(message, codes, text):
        return ContextWindowExceededError
    if status in (400, 413, 422):
        return BadRequestError
    if status == 403:
        return PermissionDeniedError
    if status == 404:
        return NotFoundError
    if status == 429:
        return RateLimitError
    if status >= 500:
        return ServerError
    return APIStatusError


def status_error(
    status: int,
    *,
    headers: Mapping[str, str],
    content: bytes,
    error_message: ErrorMessage | None = None,
    settings: CallSettings | None = None,
    secrets: Iterable[str] = (),
    now: float | None = None,
) -> APIStatusError:
    """The typed error for an HTTP error response, marked retryable or not.

    The message comes from ``error_message(status, body)`` (the provider's), with
    a generic fallback; ``retry_after`` is set from the headers (or Google's
    ``RetryInfo``) on every error whose response named one.
    """
    body, text = decode_error_body(content)
    message, code = None, None
    if error_message is not None:
        try:
            message, code = error_message(status, body if body is not None else text)
        except Exception:
            message = None
    if not message:
        message, code = default_error_message(status, body)
    excerpt = " ".join(text.split())[:200]
    if body is None and excerpt and excerpt not in message:
        # Not JSON (a proxy's HTML page...): the body says more than the status.
        message = f"{message}: {excerpt}"
    secret_list = list(secrets)
    message = redact(str(message), secret_list)[:MAX_MESSAGE]
    body = redact_value(body, secret_list)
    codes = body_codes(body) | ({code} if code else set())
    cls = _status_class(status, message, codes, text)
    retry_after = parse_retry_after(headers, now)
    if retry_after is None:
        retry_after = retry_delay_from_body(body)
    error: APIStatusError
    kwargs: JSONObject = {
        "status_code": status,
        "request_id": request_id(headers, body),
        "body": body,
    }
    if cls is RateLimitError:
        error = RateLimitError(message, retry_after=retry_after, **kwargs)
    else:
        error = cls(message, **kwargs)
        error.retry_after = retry_after
    error.code = code
    policy_statuses = (settings.retry.statuses if settings else None) or frozenset()
    hint = (headers.get("x-should-retry") or "").strip().lower()
    retryable = (
        status not in NEVER_RETRIED_STATUSES
        and cls is not ContextWindowExceededError
        and hint != "false"
        and not (NON_RETRYABLE_CODES & codes)
        and (hint == "true" or status in policy_statuses)
    )
    mark_retryable(error, retryable)
    return error


def transport_error(
    exc: BaseException,
    *,
    url: httpx.URL | str,
    settings: CallSettings,
    deadline_passed: bool,
    secrets: Iterable[str] = (),
) -> APIError | None:
    """The typed error for an ``httpx`` exception (or the deadline's ``TimeoutError``).

    A builtin ``TimeoutError`` means the total deadline cancelled the wait;
    ``deadline_passed`` says an ``httpx`` timeout came from the deadline too.
    Connection failures and connect timeouts are retryable; idle (read), write and
    pool timeouts, TLS failures and protocol misuse are not. ``None`` for an
    exception this module does not know.
    """
    where = safe_url(url)
    host = httpx.URL(str(url)).host
    detail = redact(str(exc), secrets)[:MAX_MESSAGE] or type(exc).__name__
    error: APIError
    retryable = False
    deadline = isinstance(exc, TimeoutError) or (
        deadline_passed and isinstance(exc, httpx.TimeoutException)
    )
    if deadline:
        error = APITimeoutError(
            f"The total deadline of {settings.total_timeout:g} s for {where} was "
            "exceeded (total_timeout, or LLM_TOTAL_TIMEOUT)"
        )
    elif isinstance(exc, httpx.ConnectTimeout):
        error = APITimeoutError(
            f"Timed out connecting to {host} after {_seconds(settings.connect_timeout)}"
            " (connect_timeout, or LLM_CONNECT_TIMEOUT)"
        )
        retryable = True
    elif isinstance(exc, httpx.ReadTimeout):
        error = APITimeoutError(
            f"No data from {where} for {_seconds(settings.timeout)} (idle timeout: "
            "set timeout=, or LLM_TIMEOUT)"
        )
    elif isinstance(exc, httpx.WriteTimeout):
        error = APITimeoutError(
            f"Timed out sending the request to {where} after "
            f"{_seconds(settings.timeout)} (timeout, or LLM_TIMEOUT)"
        )
    elif isinstance(exc, httpx.PoolTimeout):
        error = APITimeoutError(
            f"Timed out after {_seconds(settings.pool_timeout)} waiting for a free "
            f"connection to {host}: too many requests in flight for the pool"
        )
    elif isinstance(exc, httpx.TimeoutException):
        error = APITimeoutError(f"Request to {where} timed out: {detail}")
    elif isinstance(exc, httpx.DecodingError):
        error = ResponseDecodeError(
            f"Could not decode the response of {where}: {detail}"
        )
    elif isinstance(exc, httpx.ConnectError):
        if "CERTIFICATE_VERIFY_FAILED" in detail or "SSL" in detail:
            error = APIConnectionError(
                f"TLS error connecting to {host}: {detail} (to trust a custom CA, "
                "set SSL_CERT_FILE or REQUESTS_CA_BUNDLE; to use the operating "
                "system's certificate store, LLM_TRUSTSTORE=1)"
            )
        else:
            error = APIConnectionError(f"Could not connect to {host}: {detail}")
            retryable = True
    elif isinstance(
        exc, (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)
    ):
        error = APIConnectionError(f"The connection to {host} was lost: {detail}")
        retryable = True
    elif isinstance(exc, httpx.ProxyError):
        error = APIConnectionError(f"Proxy error for {where}: {detail}")
    elif isinstance(exc, httpx.HTTPError):
        error = APIConnectionError(f"Request to {where} failed: {detail}")
    else:
        return None
    return mark_retryable(error, retryable)


def _seconds(value: float | None) -> str:
    return "(no limit)" if value is None else f"{value:g} s"
