"""Sans-I/O helpers of ``AsyncHTTPModel``/``HTTPModel``.

Per-call transport settings travel as prompt options (``timeout``,
``connect_timeout``, ``total_timeout``, ``max_retries``): the model's ``Options``
class is the provider's, extended with those four fields. The transport
consumes them; the provider never sees them.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import httpx

from llm_async._core.errors import APIError, ResponseDecodeError
from llm_async._core.options_memo import OptionsMemo
from llm_async._core.prompt import Prompt
from llm_async._core.types import JSONObject, JSONValue
from llm_async._http.settings import SETTING_NAMES, UNSET, resolve_settings

if TYPE_CHECKING:
    from pydantic import BaseModel

    from llm_async._core.parts import StreamEvent
    from llm_async._http.sse import ServerSentEvent
    from llm_async.providers.base import HTTPProvider, ResponseSink, StreamParser

__all__ = [
    "EventDecoder",
    "call_settings",
    "check_headers",
    "decode_json",
    "given_settings",
    "is_event_stream",
    "parse_body",
    "provider_prompt",
    "rebase_url",
    "retarget",
    "with_transport_options",
]

_DESCRIPTIONS = {
    "timeout": "Seconds to wait for the first byte and between chunks (idle "
    "timeout); None disables it",
    "connect_timeout": "Seconds to wait for the connection to be established",
    "total_timeout": "Deadline in seconds for the whole call, retries included",
    "max_retries": "Retries after a failed attempt (0: exactly one request)",
}
_options_cache: dict[type[BaseModel], type[BaseModel]] = {}
_options_lock = threading.Lock()


def with_transport_options(base: type[BaseModel]) -> type[BaseModel]:
    """A subclass of the provider's ``Options`` that adds the transport settings."""
    with _options_lock:
        cached = _options_cache.get(base)
        if cached is not None:
            return cached
        from pydantic import Field, create_model

        clashes = sorted(set(SETTING_NAMES) & set(base.model_fields))
        if clashes:
            raise TypeError(
                f"{base.__qualname__} defines {clashes}, which HTTP models reserve "
                "for the transport settings"
            )
        fields: JSONObject = {
            name: (
                int | None if name == "max_retries" else float | None,
                Field(
                    default=None,
                    ge=0 if name == "max_retries" else None,
                    gt=None if name == "max_retries" else 0,
                    description=_DESCRIPTIONS[name],
                ),
            )
            for name in SETTING_NAMES
        }
        options: type[BaseModel] = create_model(
            base.__name__,
            __base__=base,
            __module__=base.__module__,
            __doc__=base.__doc__,
            **fields,
        )
        options.__reduce__ = _reduce_transport_options  # type: ignore[assignment]
        _options_cache[base] = options
        return options


def _reduce_transport_options(
    self: BaseModel,
) -> tuple[
    Callable[[type[BaseModel], JSONObject], BaseModel],
    tuple[type[BaseModel], JSONObject],
]:
    # The class is made at run time: pickle its base and the values set.
    base = type(self).__mro__[1]
    return (_transport_options, (base, self.model_dump(exclude_unset=True)))


def _transport_options(base: type[BaseModel], values: JSONObject) -> BaseModel:
    return with_transport_options(base)(**values)


def call_settings(options: object) -> JSONObject:
    """The transport settings the caller set explicitly in a prompt's options."""
    if isinstance(options, Mapping):
        return {k: v for k, v in options.items() if k in SETTING_NAMES}
    explicit: set[str] = getattr(options, "model_fields_set", set())
    if explicit.isdisjoint(SETTING_NAMES):
        return {}
    return {name: getattr(options, name) for name in SETTING_NAMES if name in explicit}


def provider_prompt(prompt: Prompt, options_class: type[BaseModel]) -> Prompt:
    """A copy of ``prompt`` whose options are the provider's, without transport ones.

    Providers read these options and never change them: equal options share one
    instance (``provider_options``).
    """
    options = prompt.options
    if type(prompt) is Prompt:  # what copy.copy does, without its dispatch
        clone = object.__new__(Prompt)
        clone.__dict__.update(prompt.__dict__)
    else:
        clone = copy.copy(prompt)
    clone.options = provider_options(options, options_class)
    return clone


# Validated provider options by what they were made from.
_provider_options: OptionsMemo[BaseModel] = OptionsMemo()


def provider_options(options: object, options_class: type[BaseModel]) -> BaseModel:
    """``options`` (a model's validated options, or a mapping) as an instance of
    the provider's ``options_class``, without the transport settings.

    Made once per distinct value (``OptionsMemo``: a pydantic dump and
    validation cost more than the lookup) and shared.
    """
    if isinstance(options, Mapping):
        values = {k: v for k, v in options.items() if k not in SETTING_NAMES}
        return options_class.model_validate(values)
    model: BaseModel = options  # type: ignore[assignment]
    fields = model.__dict__
    extra = model.__pydantic_extra__
    key = (
        options_class,
        type(options),
        tuple(fields.items()),
        tuple(map(type, fields.values())),  # 1 and True are equal keys
        frozenset(model.model_fields_set),
        tuple(extra.items()) if extra else (),
        tuple(map(type, extra.values())) if extra else (),
    )

    def make() -> BaseModel:
        values = model.model_dump(exclude=set(SETTING_NAMES), exclude_unset=True)
        return options_class.model_validate(values)

    return _provider_options.get(key, make)[0]


def check_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    """Extra headers as a dict; ``ValueError`` for a name or value with CR or LF."""
    checked: dict[str, str] = {}
    for name, value in (headers or {}).items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError(f"Header names and values must be strings: {name!r}")
        if any(c in name + value for c in "\r\n\0") or not name.strip():
            raise ValueError(f"Invalid header {name!r}: no CR, LF or NUL allowed")
        checked[name] = value
    return checked


def rebase_url(url: httpx.URL, base_url: str, provider_base: str | None) -> httpx.URL:
    """``url`` moved onto ``base_url``.

    When the provider exposes its ``base_url`` and the request starts with it,
    that prefix is replaced; otherwise the scheme, host and port are replaced and
    ``base_url``'s path is put in front of the request's path.
    """
    new_base = base_url.rstrip("/")
    if provider_base:
        old_base = provider_base.rstrip("/")
        text = str(url)
        if text.startswith(old_base):
            return httpx.URL(new_base + text[len(old_base) :])
    base = httpx.URL(new_base)
    return url.copy_with(
        scheme=base.scheme,
        host=base.host,
        port=base.port,
        path=base.path.rstrip("/") + url.path,
    )


def given_settings(**given: object) -> JSONObject:
    """The transport settings passed to a model (``UNSET`` ones left out).

    Checked now, so a bad value fails when the model is made, not at its first
    request.
    """
    settings = {name: value for name, value in given.items() if value is not UNSET}
    resolve_settings(model=settings, env={})
    return settings


def retarget(
    request: httpx.Request,
    provider: object,
    base_url: str | None,
    headers: Mapping[str, str],
) -> httpx.Request:
    """``request`` moved onto ``base_url`` (if any), with the model's ``headers``."""
    if base_url:
        provider_base = getattr(provider, "base_url", None)
        request.url = rebase_url(request.url, base_url, provider_base)
        request.headers["host"] = request.url.netloc.decode("ascii")
    for name, value in headers.items():
        request.headers[name] = value
    return request


def is_event_stream(headers: Mapping[str, str]) -> bool:
    """Whether a response to a streaming request is SSE (not a plain JSON body)."""
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    return not (content_type == "application/json" or content_type.endswith("+json"))


def _excerpt(data: bytes) -> str:
    return repr(data[:120]) + ("..." if len(data) > 120 else "")


def decode_json(content: bytes, *, request_id: str | None, status: int) -> JSONValue:
    """A JSON body, or ``ResponseDecodeError`` naming what arrived instead."""
    try:
        return json.loads(content)
    except ValueError as exc:
        raise ResponseDecodeError(
            f"The server's response is not valid JSON: {_excerpt(content)}",
            status_code=status,
            request_id=request_id,
        ) from exc


def parse_body(
    provider: HTTPProvider,
    data: JSONValue,
    sink: ResponseSink,
    *,
    request_id: str | None,
    status: int,
) -> list[StreamEvent]:
    """Events of a non-streamed body; the provider's parsing errors become typed."""
    try:
        return list(provider.parse_response(data, sink))
    except APIError:
        raise
    except Exception as exc:
        raise ResponseDecodeError(
            f"Unexpected response from the provider ({type(exc).__name__}: {exc})",
            status_code=status,
            request_id=request_id,
        ) from exc


class EventDecoder:
    """Turns the bytes of one streamed response into stream events.

    Wraps the SSE decoder and the provider's parser: their failures become
    ``ResponseDecodeError``, as does a body with no server-sent event at all (an
    HTML page, garbage) or more than ``max_pending`` bytes without a complete event.

    A failure after some events of a chunk were parsed does not lose them:
    ``feed()``/``finish()`` return them and keep the failure in ``error``, which
    the caller raises once they are delivered. A failure before any is raised.
    """

    max_pending = 16 * 1024 * 1024

    def __init__(
        self, parser: StreamParser, *, request_id: str | None, status: int = 200
    ) -> None:
        from llm_async._http.sse import SSEDecoder

        self._sse = SSEDecoder()
        self._parser = parser
        # The parser's optional fast paths: an event as its type and data (no
        # ServerSentEvent built), and all of a chunk's messages in one call.
        self._feed_event = getattr(parser, "feed_event", None)
        self._feed_many = getattr(parser, "feed_many", None)
        self._request_id = request_id
        self._status = status
        self._pending = 0
        self._head = b""
        self.messages = 0
        self.error: Exception | None = None

    def _decode_error(self, message: str) -> ResponseDecodeError:
        return ResponseDecodeError(
            message, status_code=self._status, request_id=self._request_id
        )

    def feed(self, chunk: bytes) -> list[str | StreamEvent]:
        """Events completed by ``chunk``, in order (see the class for failures).

        A list, built in one loop per network chunk (not a generator per event:
        this is the hot path of every stream).
        """
        feed_event = self._feed_event
        if feed_event is not None:
            whole = self._sse.feed_whole_event(chunk)
            if whole is not None:  # the usual chunk: one event, parsed in one call
                self._pending = 0
                self.messages += 1
                events: list[str | StreamEvent] = []
                try:
                    feed_event(whole[0], whole[1], events)
                except Exception as exc:
                    return self._failed(events, exc)
                return events
        if self.messages == 0 and len(self._head) < 120:
            self._head += chunk[: 120 - len(self._head)]
        try:
            messages = self._sse.feed(chunk)
        except Exception as exc:
            raise self._decode_error(
                f"Could not decode the event stream: {exc}"
            ) from exc
        if messages:
            self._pending = 0
            return self._parse(messages)
        self._pending += len(chunk)
        if self._pending > self.max_pending:
            raise self._decode_error(
                f"The event stream sent over {self.max_pending} bytes without "
                "a complete event"
            )
        return []

    def finish(self) -> list[str | StreamEvent]:
        """The last events, once the body has ended (see the class for failures)."""
        try:
            messages = self._sse.flush()
        except Exception as exc:
            raise self._decode_error(
                f"Could not decode the event stream: {exc}"
            ) from exc
        events = self._parse(messages) if messages else []
        if self.error is not None:
            return events
        try:
            if self.messages == 0:
                raise self._decode_error(
                    "The server's response is not an event stream: "
                    + (_excerpt(self._head) if self._head else "empty body")
                )
            try:
                events += self._parser.finish()
            except APIError:
                raise
            except Exception as exc:
                raise self._decode_error(
                    f"Unexpected end of the event stream ({type(exc).__name__}: {exc})"
                ) from exc
        except APIError as exc:
            if not events:
                raise
            self.error = exc
        return events

    def _parse(self, messages: list[ServerSentEvent]) -> list[str | StreamEvent]:
        """The parser's events for ``messages``; a failure after some is kept."""
        events: list[str | StreamEvent] = []
        try:
            feed_many = self._feed_many
            if feed_many is not None:
                self.messages += len(messages)
                feed_many(messages, events)
            else:
                feed = self._parser.feed
                for message in messages:
                    self.messages += 1
                    events += feed(message)
        except Exception as exc:
            return self._failed(events, exc)
        return events

    def _failed(
        self, events: list[str | StreamEvent], exc: Exception
    ) -> list[str | StreamEvent]:
        """The parser failed after ``events``: raise now if none, else keep it."""
        error = exc
        if not isinstance(exc, APIError):
            error = self._decode_error(
                f"Unexpected event in the stream ({type(exc).__name__}: {exc})"
            )
            error.__cause__ = exc
        if not events:
            raise error
        self.error = error
        return events
