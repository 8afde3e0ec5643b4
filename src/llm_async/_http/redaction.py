"""Keeping credentials out of everything the library shows or keeps: the one place.

Every provider and transport uses these, so that no API key ever reaches an
exception message, ``repr``, ``args``, ``body`` or other attribute, a cause in
the chain, a warning or a log line:

* ``request_secrets(request)``: the credentials a request carries (secret-looking
  headers, with and without their ``Bearer``/``Basic`` scheme, and key-like
  query parameters);
* ``redact(text, secrets)``: a string with each secret replaced by ``***``;
* ``redact_value(value, secrets)``: the same for decoded JSON (an error body);
* ``redact_error(error, secrets)``: an exception and its whole ``__cause__`` /
  ``__context__`` chain, in place: ``args``, every string, dict or list
  attribute (``message``, ``body``, ``partial_text``, ``code``...), and any
  ``httpx.Request`` or ``httpx.Response`` it holds, replaced by a stand-in
  whose URL has no query string and whose headers are gone;
* ``safe_url(url)``: a URL without query string, user info or fragment;
* ``mask_httpx_log_urls()``: masks key-like query parameters in the URLs that
  ``httpx`` itself logs (``HTTP Request: POST https://...?key=***``); the
  transport installs it when it makes a client.

A provider that raises from its stream parser needs nothing: the HTTP model
calls ``redact_error`` on whatever it raises, with the request's secrets and
the key.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Iterable
from contextlib import suppress

import httpx

from llm_async._core.types import JSONValue

__all__ = [
    "MASK",
    "SECRET_QUERY",
    "mask_httpx_log_urls",
    "redact",
    "redact_error",
    "redact_value",
    "request_secrets",
    "safe_url",
]

#: What a secret is replaced with.
MASK = "***"
#: Query parameters that carry a credential (Google's ``?key=``...).
SECRET_QUERY = ("key", "api_key", "apikey", "access_token", "token")
_SECRET_HEADER = re.compile(r"auth|key|token|secret|cookie|signature", re.IGNORECASE)
# Shorter values are not masked: "***" for every "a" in a message helps nobody.
_MIN_SECRET = 4


def request_secrets(request: httpx.Request) -> list[str]:
    """The credentials in a request's headers and query, to keep out of messages.

    Any header whose name mentions a key, token, secret, auth, cookie or
    signature counts.
    """
    found: list[str] = []
    headers = request.headers
    encoding = None
    for raw_name, raw_value in headers.raw:  # decode only the secret ones
        if not raw_value or not _is_secret_header(raw_name.decode("latin-1")):
            continue
        encoding = encoding or headers.encoding
        value = raw_value.decode(encoding)
        if value:
            found.append(value)
            scheme, _, token = value.partition(" ")
            if token and scheme.lower() in ("bearer", "basic", "token"):
                found.append(token)
    if request.url.query:  # parsing the query string costs a few microseconds
        for name, value in request.url.params.multi_items():
            if name.lower() in SECRET_QUERY and value:
                found.append(value)
    return [secret for secret in found if len(secret) >= _MIN_SECRET]


@functools.lru_cache(maxsize=512)
def _is_secret_header(name: str) -> bool:
    return _SECRET_HEADER.search(name) is not None


def _usable(secrets: Iterable[str]) -> list[str]:
    """Longest first, so that a secret containing another is masked whole."""
    unique = {s for s in secrets if isinstance(s, str) and len(s) >= _MIN_SECRET}
    return sorted(unique, key=len, reverse=True)


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret replaced by ``***``."""
    for secret in _usable(secrets):
        text = text.replace(secret, MASK)
    return text


def redact_value(value: object, secrets: Iterable[str]) -> JSONValue:
    """``value`` (decoded JSON: dicts, lists, strings...) with the secrets masked.

    Returned as it is when no secret occurs in it; otherwise a redacted copy
    (the original is not changed). A value that cannot be encoded as JSON
    becomes its redacted ``repr``.
    """
    usable = _usable(secrets)
    if not usable or value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        return redact(value, usable)
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return redact(repr(value), usable)
    if not any(secret in text for secret in usable):
        return value
    try:
        return json.loads(redact(text, usable))
    except (ValueError, RecursionError):
        return redact(text, usable)


def safe_url(url: httpx.URL | str) -> str:
    """The URL without query string, user info or fragment, for messages."""
    parsed = httpx.URL(str(url))
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.scheme}://{parsed.host}{port}{parsed.path}"


_STAND_IN = "llm_async.stand_in"


def _stand_in_request(request: httpx.Request) -> httpx.Request:
    """A request with the same method and URL minus its query, and no headers."""
    if request.extensions.get(_STAND_IN):
        return request
    url = request.url
    if url.query or url.userinfo or url.fragment:
        url = httpx.URL(safe_url(url))
    return httpx.Request(request.method, url, extensions={_STAND_IN: True})


def _stand_in_response(response: httpx.Response) -> httpx.Response:
    """A response with the same status and no headers, body or real request."""
    request = getattr(response, "_request", None)
    if isinstance(request, httpx.Request) and request.extensions.get(_STAND_IN):
        return response
    stand_in = httpx.Response(response.status_code, content=b"")
    if isinstance(request, httpx.Request):
        stand_in.request = _stand_in_request(request)
    return stand_in


def _redact_attribute(value: object, usable: list[str]) -> JSONValue:
    if isinstance(value, httpx.Request):
        return _stand_in_request(value)
    if isinstance(value, httpx.Response):
        return _stand_in_response(value)
    if isinstance(value, (str, dict, list, tuple)):
        return redact_value(value, usable)
    return value


def redact_error(error: BaseException, secrets: Iterable[str]) -> BaseException:
    """Mask ``secrets`` in ``error`` and its cause/context chain, in place.

    For each exception of the chain: ``args``, every string, dict, list or
    tuple attribute, and any ``httpx.Request``/``httpx.Response`` attribute
    (an ``httpx`` exception's request, which holds the headers and may hold a
    key in its URL) replaced by a stand-in without headers or query string.
    Returns ``error``, for ``raise redact_error(error, secrets)``.
    """
    usable = _usable(secrets)
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, httpx.HTTPError):
            request = getattr(current, "_request", None)
            if isinstance(request, httpx.Request):
                stand_in = _stand_in_request(request)
                if stand_in is not request:
                    current.request = stand_in
        if usable:
            current.args = tuple(_redact_attribute(a, usable) for a in current.args)
        for name, value in list(vars(current).items()):
            if name == "_request" and isinstance(current, httpx.HTTPError):
                continue  # replaced above
            if usable or isinstance(value, (httpx.Request, httpx.Response)):
                new = _redact_attribute(value, usable)
                if new is not value:
                    with suppress(AttributeError, TypeError):  # read-only
                        setattr(current, name, new)
        pending += [current.__cause__, current.__context__]
    return error


def _mask_query(url: httpx.URL) -> httpx.URL:
    params = [
        (name, MASK if name.lower() in SECRET_QUERY else value)
        for name, value in url.params.multi_items()
    ]
    return url.copy_with(params=params)


class _HttpxURLFilter(logging.Filter):
    """Masks key-like query parameters of the URLs in ``httpx``'s log records."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and any(
            isinstance(arg, httpx.URL) and arg.query for arg in args
        ):
            record.args = tuple(
                _mask_query(arg) if isinstance(arg, httpx.URL) and arg.query else arg
                for arg in args
            )
        return True


_log_filter = _HttpxURLFilter()


def mask_httpx_log_urls() -> None:
    """Install (once) the filter that masks keys in the URLs ``httpx`` logs."""
    logger = logging.getLogger("httpx")
    if _log_filter not in logger.filters:
        logger.addFilter(_log_filter)
