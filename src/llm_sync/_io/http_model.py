# Generated from src/llm_async/_io/http_model.py; do not edit.
# Edit the async source and run `python scripts/unasync.py`.
"""Models defined by an HTTP provider: the provider builds and parses, I/O is here.

Per-call settings are prompt options: ``model.prompt("hi", timeout=30,
max_retries=0)``. Model-level ones are constructor arguments with the same
names; the environment variables and defaults come after them (see
``llm_async._http.settings``).

Streaming: a failure before any event reached the caller is retried like any
other; once an event has been yielded, a failure (an idle timeout, a dropped
connection, a provider error event) raises ``StreamInterruptedError`` with the
text received so far in ``partial_text`` and the typed error as ``__cause__``,
so ``except APIError`` catches both. Every error raised has the request's
credentials masked everywhere (``llm_async._http.redaction.redact_error``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

import httpx

from llm_async._core.concurrency import sync_checkpointer, sync_closing
from llm_async._core.errors import APIError, StreamInterruptedError
from llm_async._core.types import JSONObject
from llm_async._http.redaction import redact_error, request_secrets
from llm_async._http.retry import RetryState
from llm_async._http.settings import UNSET, Unset
from llm_async.providers.http_model_base import (
    EventDecoder,
    call_settings,
    check_headers,
    decode_json,
    given_settings,
    is_event_stream,
    parse_body,
    provider_prompt,
    retarget,
    with_transport_options,
)

from .model import KeyModel
from .transport import Transport, TransportUser

if TYPE_CHECKING:
    from llm_async._core.attachments import Attachment
    from llm_async._core.parts import StreamEvent
    from llm_async._core.prompt import Prompt
    from llm_async.providers.base import HTTPProvider

    from .conversation import Conversation
    from .response import Response

__all__ = ["HTTPModel"]

# A stream lets other tasks run after this many chunks read without waiting: a
# burst that arrived at once is not decoded to its end in one step of the loop.
CHUNKS_PER_TURN = 32


class HTTPModel(KeyModel, TransportUser):
    """A model served over HTTP, described by a sans-I/O ``HTTPProvider``.

    ``Options`` is the provider's ``Options`` plus the transport settings
    ``timeout``, ``connect_timeout``, ``total_timeout`` and ``max_retries``.
    ``base_url`` moves requests to another server (a gateway, a proxy) and
    ``headers`` are added to every request. Without ``transport`` the model uses
    the transport shared by all models; ``close()`` (or ``with``) closes
    only a transport given here.
    """

    def __init__(
        self,
        model_id: str,
        provider: HTTPProvider,
        *,
        needs_key: str | None = None,
        key_env_var: str | None = None,
        can_stream: bool = True,
        supports_tools: bool = False,
        supports_schema: bool = False,
        attachment_types: Iterable[str] = (),
        base_url: str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | Unset | None = UNSET,
        connect_timeout: float | Unset | None = UNSET,
        total_timeout: float | Unset | None = UNSET,
        max_retries: int | Unset = UNSET,
        transport: Transport | None = None,
    ) -> None:
        self.model_id = model_id
        self.provider = provider
        self.needs_key = needs_key
        self.key_env_var = key_env_var
        self.can_stream = can_stream
        self.supports_tools = supports_tools
        self.supports_schema = supports_schema
        self.attachment_types = frozenset(attachment_types)
        self.base_url = base_url
        self.headers = check_headers(headers)
        self.transport_settings = given_settings(
            timeout=timeout,
            connect_timeout=connect_timeout,
            total_timeout=total_timeout,
            max_retries=max_retries,
        )
        self.Options = with_transport_options(provider.Options)  # type: ignore[misc]
        self._transport = transport

    def __getstate__(self) -> JSONObject:
        # Options is a class made at run time: rebuilt from the provider's.
        state = dict(self.__dict__)
        state.pop("Options", None)
        return state

    def __setstate__(self, state: JSONObject) -> None:
        self.__dict__.update(state)
        self.Options = with_transport_options(self.provider.Options)  # type: ignore[misc]

    def accepts_url(self, attachment: Attachment) -> bool:
        """Whether the provider takes this attachment by URL (else it is downloaded).

        Asks the provider's optional ``accepts_url(attachment)``; without it, no.
        """
        accepts = getattr(self.provider, "accepts_url", None)
        return bool(accepts(attachment)) if accepts is not None else False

    @property
    def supported_server_side_tools(self) -> tuple[type, ...]:
        """The provider's optional ``server_side_tools`` (hosted tools it sends)."""
        return tuple(getattr(self.provider, "server_side_tools", ()))

    def build_request(
        self, prompt: Prompt, *, stream: bool, key: str | None
    ) -> httpx.Request:
        """The provider's request, moved to ``base_url`` and with extra headers."""
        request = self.provider.build_request(
            provider_prompt(prompt, self.provider.Options), stream=stream, key=key
        )
        return retarget(request, self.provider, self.base_url, self.headers)

    def execute(  # type: ignore[override]
        self,
        prompt: Prompt,
        stream: bool,
        response: Response,
        conversation: Conversation | None,
        key: str | None,
    ) -> Iterator[str | StreamEvent]:
        """Send the prompt and yield the provider's events as they arrive."""
        batches = self._batches(prompt, stream, response, key)
        with sync_closing(batches):
            for batch in batches:
                for event in batch:
                    yield event

    def _run(self, response: Response) -> Iterator[Sequence[str | StreamEvent]]:
        # The response takes the batches directly (one step per network chunk),
        # unless a subclass changed what execute() yields.
        if type(self).execute is not HTTPModel.execute:
            return super()._run(response)
        key = self.get_key(response._key)
        return self._batches(response.prompt, response.stream, response, key)

    def _batches(
        self,
        prompt: Prompt,
        stream: bool,
        response: Response,
        key: str | None,
    ) -> Iterator[Sequence[str | StreamEvent]]:
        """``execute()``'s events in batches: one per network chunk when streaming.

        A failure before any event was yielded is retried; after one, it raises
        ``StreamInterruptedError`` with the text yielded so far.
        """
        transport = self.transport
        settings = transport.settings(
            call_settings(prompt.options), self.transport_settings
        )
        streaming = stream and self.can_stream
        request = self.build_request(prompt, stream=streaming, key=key)
        error_message = getattr(self.provider, "error_message", None)
        state = RetryState(settings)
        try:
            if not streaming:  # transport.send's loop, without its copy of the response
                while True:
                    try:
                        opened, content = transport.fetch(request, state, error_message)
                        break
                    except APIError as error:
                        if not transport.wait_before_retry(state, request, error):
                            raise
                found, status = opened.request_id, opened.status_code
                data = decode_json(content, request_id=found, status=status)
                yield parse_body(
                    self.provider, data, response, request_id=found, status=status
                )
                return
            # The text yielded so far is what the response recorded since the start
            # (it records each batch before asking for the next).
            recorded = getattr(response, "_state", None)  # a response, as a rule
            text_chunks: list[str] = [] if recorded is None else recorded.text_chunks
            start = len(text_chunks)
            emitted = False
            while True:
                try:
                    with transport.stream(
                        request, retry=state, error_message=error_message
                    ) as opened:
                        if not is_event_stream(opened.headers):
                            content = opened.read()
                            found, status = opened.request_id, opened.status_code
                            data = decode_json(content, request_id=found, status=status)
                            yield parse_body(
                                self.provider,
                                data,
                                response,
                                request_id=found,
                                status=status,
                            )
                            return
                        decoder = EventDecoder(
                            self.provider.stream_parser(response),
                            request_id=opened.request_id,
                            status=opened.status_code,
                        )
                        feed = decoder.feed
                        checkpoint = sync_checkpointer()
                        chunks = opened.body()
                        turn = CHUNKS_PER_TURN
                        try:
                            for chunk in chunks:
                                batch = feed(chunk)
                                if batch:
                                    emitted = True
                                    yield batch
                                    if decoder.error is not None:
                                        raise decoder.error
                                turn -= 1
                                if not turn:
                                    turn = CHUNKS_PER_TURN
                                    checkpoint()
                        except (httpx.HTTPError, TimeoutError) as exc:
                            raise opened.error(exc) from exc
                        finally:
                            close = getattr(chunks, "close", None)
                            if close is not None:
                                close()
                        batch = decoder.finish()
                        if batch:
                            emitted = True
                            yield batch
                        if decoder.error is not None:
                            raise decoder.error
                    return
                except APIError as error:
                    if emitted:
                        raise StreamInterruptedError(
                            "The stream was interrupted after part of the answer "
                            f"arrived: {error.message}",
                            partial_text="".join(text_chunks[start:]),
                            status_code=error.status_code,
                            request_id=error.request_id,
                        ) from error
                    if not transport.wait_before_retry(state, request, error):
                        raise
        except APIError as error:
            # Whatever the server echoed (an error event's text, a body) and
            # whatever the cause chain holds: no key in any of it.
            redact_error(error, [*request_secrets(request), key or ""])
            raise
