# Generated from src/llm_async/_io/transport.py; do not edit.
# Edit the async source and run `python scripts/unasync.py`.
"""The HTTP transport: the one place that builds HTTP clients and sends requests.

Every HTTP model sends through a transport, and plugins may use one directly.
A transport pools connections: it reuses one client across calls (see
``client()`` for when a client is made and closed). It applies the call's
timeouts and total deadline, retries with jittered backoff (see
``llm_async._http.settings`` for the settings, their environment variables and
precedence, and ``llm_async._http.retry`` for what is retried), and maps every
failure onto the library's exceptions, without ever putting a key in a message.

Proxies (``HTTPS_PROXY``, ``NO_PROXY``...) and TLS trust (``LLM_TRUSTSTORE`` for
the operating system's store, else the CA bundles of ``SSL_CERT_FILE``,
``REQUESTS_CA_BUNDLE``, ``SSL_CERT_DIR``) come from the environment unless
``trust_env=False``.

The total deadline bounds the whole call, retries and waits included (see
docs/transport.md for how exact it is in each facade).
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

import httpx

from llm_async._core.concurrency import (
    SyncLazyResource,
    sync_call_within,
    sync_closing,
    sync_sleep,
)
from llm_async._core.errors import APIError, APITimeoutError
from llm_async._core.types import JSONMapping, JSONObject
from llm_async._http.body import BodyBuffer
from llm_async._http.errors import (
    ErrorMessage,
    request_id,
    status_error,
    transport_error,
)
from llm_async._http.pool import speed_up_pool
from llm_async._http.ratelimit import current_observer
from llm_async._http.redaction import (
    mask_httpx_log_urls,
    redact_error,
    request_secrets,
    safe_url,
)
from llm_async._http.retry import RetryState, logger
from llm_async._http.settings import CallSettings, RetryPolicy, resolve_settings
from llm_async._http.tls import ssl_context

__all__ = [
    "HTTPStream",
    "Transport",
    "TransportUser",
    "shared_transport",
]

USER_AGENT = "llm-async"
_User = TypeVar("_User", bound="TransportUser")
MAX_ERROR_BODY = 1024 * 1024
MAX_BODY = 64 * 1024 * 1024
# Streams last seconds to minutes: with httpx's 100 connections, the 101st
# concurrent stream would wait for the pool (and fail after pool_timeout).
# The same limits as the openai SDK.
DEFAULT_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100)
# A timeout this close to the total deadline was caused by it (timers fire early).
DEADLINE_SLACK = 0.05
# What a pickled transport keeps: its constructor's arguments.
_SETTINGS = (
    "verify",
    "trust_env",
    "proxy",
    "limits",
    "headers",
    "transport_factory",
    "pool_timeout",
    "retry",
)


class HTTPStream:
    """A response with a success status, read chunk by chunk within the deadlines."""

    def __init__(
        self,
        response: httpx.Response,
        state: RetryState,
        secrets: list[str] | None = None,
    ) -> None:
        self.response = response
        self.request_id = request_id(response.headers)
        self._state = state
        self._secrets = secrets  # None: the request's, found when an error needs them

    @property
    def status_code(self) -> int:
        """The HTTP status of the response."""
        return self.response.status_code

    @property
    def headers(self) -> httpx.Headers:
        """The response headers."""
        return self.response.headers

    def error(self, exc: BaseException) -> APIError:
        """The typed error for an ``httpx`` error raised while reading the body."""
        error = transport_error(
            exc,
            url=self.response.request.url,
            settings=self._state.settings,
            deadline_passed=self._state.expired(DEADLINE_SLACK),
            secrets=(
                self._secrets
                if self._secrets is not None
                else request_secrets(self.response.request)
            ),
        )
        if error is None:
            raise exc
        error.status_code = self.response.status_code
        error.request_id = self.request_id
        return error

    def _deadline_error(self) -> APITimeoutError:
        return APITimeoutError(
            f"The total deadline of {self._state.settings.total_timeout:g} s for "
            f"{safe_url(self.response.request.url)} was exceeded (total_timeout, "
            "or LLM_TOTAL_TIMEOUT)",
            status_code=self.response.status_code,
            request_id=self.request_id,
        )

    def chunks(self) -> Iterator[bytes]:
        """The body as it arrives (decompressed), within the idle and total limits."""
        iterator = self.response.iter_bytes()
        try:
            while True:
                try:
                    chunk = sync_call_within(self._state.remaining(), iterator.__next__)
                except StopIteration:
                    return
                except (httpx.HTTPError, TimeoutError) as exc:
                    raise self.error(exc) from exc
                if self._state.expired():
                    raise self._deadline_error()
                yield chunk
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()

    def body(self) -> Iterator[bytes]:
        """The body's chunks for the caller's own loop: the streaming hot path.

        Without a total deadline and with an uncompressed body, this is httpx's
        byte stream itself, with no layer in between: the caller maps the
        ``httpx.HTTPError`` it raises with ``error()``. Otherwise it is
        ``chunks()``, whose errors are mapped already. Close it when done.
        """
        response = self.response
        encoding = response.headers.get("content-encoding")
        if self._state.deadline is not None or encoding not in (None, "identity"):
            return self.chunks()
        response.is_stream_consumed = True  # what httpx's own readers mark
        stream: Any = response.stream  # the client's: this facade's kind
        iterator: Iterator[bytes] = stream.__iter__()
        return iterator

    def _fits(self, limit: int) -> bool:
        # Whether the body is uncompressed and declares a length within limit.
        headers = self.response.headers
        length = headers.get("content-length")
        return (
            length is not None
            and length.isdigit()
            and int(length) <= limit
            and headers.get("content-encoding", "identity") == "identity"
        )

    def read(self, limit: int = MAX_BODY, *, truncate: bool = False) -> bytes:
        """The rest of the body; beyond ``limit`` bytes, ``ResponseDecodeError``.

        With ``truncate``, the first ``limit`` bytes are returned instead.
        Without a total deadline, httpx's iterator is read directly (the idle
        timeout is httpx's own read timeout), with errors mapped as in
        ``chunks()``.
        """
        if self._state.deadline is None and self._fits(limit):
            # httpx reads no more than the declared length: no need to count.
            try:
                return self.response.read()
            except (httpx.HTTPError, TimeoutError) as exc:
                raise self.error(exc) from exc
        body = BodyBuffer(
            limit, truncate, status_code=self.status_code, request_id=self.request_id
        )
        if self._state.deadline is not None:
            with sync_closing(self.chunks()) as chunks:
                for chunk in chunks:
                    if body.add(chunk):
                        break
            return body.content()
        iterator = self.response.iter_bytes()
        try:
            for chunk in iterator:
                if body.add(chunk):
                    break
        except (httpx.HTTPError, TimeoutError) as exc:
            raise self.error(exc) from exc
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()
        return body.content()


class Transport:
    """Sends the HTTP requests of models: pooled, bounded in time, retried, typed.

    ``verify`` is an ``ssl.SSLContext``, a CA bundle path, ``"truststore"`` (the
    operating system's certificate store; needs ``llm-async[truststore]``) or
    ``False``; by default the environment's choice (``LLM_TRUSTSTORE=1``, or a CA
    bundle) or certifi. ``proxy`` overrides the environment's
    proxies; ``limits`` sets the pool size (``DEFAULT_LIMITS``: 1000 connections,
    100 kept alive); ``headers`` are sent
    with every request; ``transport_factory`` makes a custom ``httpx`` transport for
    each client (for example an aiohttp-backed one). ``retry`` shapes the backoff.
    Use it as a context manager, or call ``close()``, to release connections.
    """

    def __init__(
        self,
        *,
        verify: ssl.SSLContext | str | bool | None = None,
        trust_env: bool = True,
        proxy: str | None = None,
        limits: httpx.Limits | None = None,
        headers: Mapping[str, str] | None = None,
        transport_factory: Callable[[], httpx.BaseTransport] | None = None,
        pool_timeout: float | None = 10.0,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.verify = verify
        self.trust_env = trust_env
        self.proxy = proxy
        self.limits = limits
        self.headers = dict(headers or {})
        # Sent with every request that does not set them itself (requests built
        # by providers do not get a client's default headers).
        self._default_headers = {"user-agent": USER_AGENT, **self.headers}
        self.transport_factory = transport_factory
        self.pool_timeout = pool_timeout
        self.retry = retry or RetryPolicy()
        self._ssl: ssl.SSLContext | bool | None = None
        self._ssl_lock = threading.Lock()
        self._clients = SyncLazyResource(self._new_client)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} trust_env={self.trust_env}>"

    def __getstate__(self) -> JSONObject:
        # Settings only: clients, locks and TLS contexts are made again.
        return {name: getattr(self, name) for name in _SETTINGS}

    def __setstate__(self, state: JSONObject) -> None:
        self.__init__(**state)  # type: ignore[misc]

    def _ssl_context(self) -> ssl.SSLContext | bool:
        with self._ssl_lock:
            if self._ssl is None:
                self._ssl = ssl_context(self.verify, trust_env=self.trust_env)
            return self._ssl

    def _new_client(self) -> httpx.Client:
        mask_httpx_log_urls()  # httpx logs each request's URL, query included
        factory = self.transport_factory
        client = httpx.Client(
            verify=self._ssl_context(),
            trust_env=self.trust_env,
            proxy=self.proxy,
            limits=self.limits or DEFAULT_LIMITS,
            headers=self._default_headers,
            transport=factory() if factory is not None else None,
        )
        if factory is None:  # httpx's own transport (with transport=, httpx
            # would ignore the environment's proxies): give it a faster pool
            speed_up_pool(getattr(client, "_transport", None))
        return client

    def client(self) -> httpx.Client:
        """The pooled ``httpx`` client (one per transport), made on first use."""
        client: httpx.Client = self._clients.get()
        return client

    def settings(
        self,
        call: JSONMapping | None = None,
        model: JSONMapping | None = None,
    ) -> CallSettings:
        """Resolve call, model, environment and default settings for one call."""
        return resolve_settings(
            call, model, retry=self.retry, pool_timeout=self.pool_timeout
        )

    def close(self) -> None:
        """Close the pooled connections; later calls open new ones."""
        self._clients.close()

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def send(
        self,
        request: httpx.Request,
        *,
        settings: CallSettings | None = None,
        error_message: ErrorMessage | None = None,
    ) -> httpx.Response:
        """Send ``request`` and read the whole body, retrying as allowed.

        Returns the response with its body read; an error status raises the
        matching ``APIStatusError`` subclass. ``error_message(status, body)`` (a
        provider's) extracts the message and error code from error bodies.
        """
        state = RetryState(settings or self.settings())
        while True:
            try:
                opened, content = self.fetch(request, state, error_message)
                response = opened.response
            except APIError as error:
                if self.wait_before_retry(state, request, error):
                    continue
                raise
            headers = [
                (name, value)
                for name, value in response.headers.multi_items()
                if name.lower() not in ("content-encoding", "content-length")
            ]
            kept = ("http_version", "reason_phrase")
            return httpx.Response(
                response.status_code,
                headers=headers,
                content=content,
                request=request,
                extensions={
                    k: response.extensions[k] for k in kept if k in response.extensions
                },
            )

    @contextmanager
    def stream(
        self,
        request: httpx.Request,
        *,
        settings: CallSettings | None = None,
        error_message: ErrorMessage | None = None,
        retry: RetryState | None = None,
    ) -> Iterator[HTTPStream]:
        """Open a streamed response, retrying until the server answers with success.

        The body is read with ``chunks()`` inside the block; a failure while
        reading it is raised, never retried here. Any ``APIError`` leaving the
        block (a parser's too) has the request's credentials masked
        (``redact_error``). Pass ``retry`` to share one
        attempt count and deadline between several opens of the same call.
        """
        state = retry or RetryState(settings or self.settings())
        try:
            response = self._open(request, state, error_message)
            try:
                yield HTTPStream(response, state)
            finally:
                response.close()
        except APIError as error:  # ours, or raised in the block (a parser's)
            redact_error(error, request_secrets(request))
            raise

    def fetch(
        self,
        request: httpx.Request,
        retry: RetryState,
        error_message: ErrorMessage | None = None,
    ) -> tuple[HTTPStream, bytes]:
        """``stream()`` and ``read()`` in one: the opened response and its body.

        The connection is released before returning. No retry after a failure
        while reading (the caller decides, as with ``stream()``).
        """
        try:
            response = self._open(request, retry, error_message)
            try:
                opened = HTTPStream(response, retry)
                return opened, opened.read()
            finally:
                response.close()
        except APIError as error:
            redact_error(error, request_secrets(request))
            raise

    def _open(
        self,
        request: httpx.Request,
        state: RetryState,
        error_message: ErrorMessage | None,
    ) -> httpx.Response:
        # The request's credentials are looked up only when an error is raised.
        client = self.client()
        for name, value in self._default_headers.items():
            request.headers.setdefault(name, value)
        while True:
            state.begin_attempt()
            request.extensions["timeout"] = state.timeouts()
            try:
                response = sync_call_within(
                    state.remaining(), lambda: client.send(request, stream=True)
                )
            except (httpx.HTTPError, TimeoutError) as exc:
                error = transport_error(
                    exc,
                    url=request.url,
                    settings=state.settings,
                    deadline_passed=state.expired(DEADLINE_SLACK),
                    secrets=request_secrets(request),
                )
                if error is None:
                    raise
                if self.wait_before_retry(state, request, error):
                    continue
                raise error from exc
            observer = current_observer()  # a batch watching its rate limits
            if observer is not None:
                observer(response.status_code, response.headers)
            if 200 <= response.status_code < 300:
                return response
            try:
                opened = HTTPStream(response, state)
                content = opened.read(MAX_ERROR_BODY, truncate=True)
            except APIError:
                content = b""
            finally:
                response.close()
            status = status_error(
                response.status_code,
                headers=response.headers,
                content=content,
                error_message=error_message,
                settings=state.settings,
                secrets=request_secrets(request),
            )
            cause = httpx.HTTPStatusError(
                f"HTTP {response.status_code} from {safe_url(request.url)}",
                request=request,
                response=response,
            )
            if self.wait_before_retry(state, request, status):
                continue
            raise status from cause

    def wait_before_retry(
        self, state: RetryState, request: httpx.Request, error: BaseException
    ) -> bool:
        """Wait and return ``True`` if the call may be retried after ``error``.

        Each retry is logged (logger ``llm_async``, INFO) with the attempt number,
        the reason and the wait; never with headers or keys.
        """
        wait = state.next_wait(error)
        if wait is None:
            return False
        attempt = state.attempts + 1
        reason = str(error)
        logger.info(
            "Retrying %s %s (attempt %d of %d) in %.2f s after: %s",
            request.method,
            safe_url(request.url),
            attempt,
            state.settings.max_retries + 1,
            wait,
            reason,
            extra={"attempt": attempt, "reason": reason, "wait": wait},
        )
        sync_sleep(wait)
        return True


_shared: Transport | None = None
_shared_lock = threading.Lock()


def shared_transport() -> Transport:
    """The transport models use when they are not given one (made on first use)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Transport()
        return _shared


class TransportUser:
    """A model's transport: the one it was given (``close()`` closes it), else
    the transport shared by all models (which stays open)."""

    _transport: Transport | None

    @property
    def transport(self) -> Transport:
        """The transport this model sends through."""
        return self._transport if self._transport is not None else shared_transport()

    def close(self) -> None:
        """Close the transport given to this model (the shared one stays open)."""
        if self._transport is not None:
            self._transport.close()

    def __enter__(self: _User) -> _User:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
