"""The contract between an HTTP provider adapter and the transport.

A provider is sans-I/O: it builds the request and parses what comes back. The
generated ``HTTPModel``/``AsyncHTTPModel`` do the I/O, so a provider (built-in or
a plugin's) works in both facades with no extra code.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from llm_async._core.types import JSONObject, JSONValue

if TYPE_CHECKING:
    import httpx
    from pydantic import BaseModel

    from llm_async._core.parts import StreamEvent
    from llm_async._core.prompt import Prompt
    from llm_async._core.tools import ToolCall
    from llm_async._http.sse import ServerSentEvent

__all__ = ["EmbeddingProvider", "HTTPProvider", "ResponseSink", "StreamParser"]


class ResponseSink(Protocol):
    """What a parser may record on the response besides its events.

    A response also has the optional ``defer_response_json(compute)``: it sets
    ``response_json`` to ``compute()`` when first read, for JSON that is costly
    to build and seldom read (``openai.common.record_response_json`` uses it
    when the sink has it).
    """

    response_json: JSONObject | None

    def set_usage(
        self,
        *,
        input: int | None = None,
        output: int | None = None,
        details: JSONObject | None = None,
    ) -> None: ...

    def set_resolved_model(self, model_id: str) -> None: ...

    def add_tool_call(self, tool_call: ToolCall) -> None: ...


class StreamParser(Protocol):
    """Turns one streamed response's server-sent events into stream events.

    Two optional methods make a parser faster; each must give what ``feed``
    gives. ``feed_event(event: str, data: str, out: list[StreamEvent]) -> None``
    appends the events of one SSE event given by its type and data: the decoder
    calls it, building no ``ServerSentEvent``, for a network chunk that is
    exactly one event (how OpenAI, Anthropic and Gemini send). ``feed_many(
    events, out) -> None`` appends the events of several. A failure raised after
    some events were appended to ``out`` comes after them. Either may append a
    plain ``str`` instead of ``StreamEvent("text", chunk, p)`` when the event
    before it was a text event of part ``p`` in message 0 (the response records
    it as that event without building it; see ``stream_state.text_part``).
    """

    def feed(self, event: ServerSentEvent) -> list[StreamEvent]:
        """Events for one SSE message (may be empty)."""
        ...

    def finish(self) -> list[StreamEvent]:
        """Events once the stream has ended; records usage and tool calls."""
        ...


class HTTPProvider(Protocol):
    """Builds requests for one model and parses its responses."""

    @property
    def Options(self) -> type[BaseModel]:
        """The pydantic ``Options`` class of the model."""
        ...

    def build_request(
        self, prompt: Prompt, *, stream: bool, key: str | None
    ) -> httpx.Request:
        """The HTTP request for this prompt (the key goes in a header only)."""
        ...

    def parse_response(self, data: JSONValue, sink: ResponseSink) -> list[StreamEvent]:
        """Events from a non-streamed JSON body; records usage etc. on ``sink``."""
        ...

    def stream_parser(self, sink: ResponseSink) -> StreamParser:
        """A fresh parser for one streamed response."""
        ...

    def error_message(
        self, status_code: int, body: JSONValue
    ) -> tuple[str, str | None]:
        """The provider's error message and error code from an error body."""
        ...


class EmbeddingProvider(Protocol):
    """Builds embedding requests for one model and parses the vectors."""

    def build_request(
        self, items: Sequence[str | bytes], *, key: str | None
    ) -> httpx.Request:
        """The HTTP request embedding ``items`` (the key goes in a header only)."""
        ...

    def parse_response(self, data: JSONValue, count: int) -> list[list[float]]:
        """The ``count`` vectors of a JSON body, in the order of the items."""
        ...

    def error_message(
        self, status_code: int, body: JSONValue
    ) -> tuple[str, str | None]:
        """The provider's error message and error code from an error body."""
        ...
