# Generated from src/llm_async/_io/response.py; do not edit.
# Edit the async source and run `python scripts/unasync.py`.
"""The response to a prompt: lazy, streamed, then replayed."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from llm_async._core.chain_base import reply_messages
from llm_async._core.concurrency import (
    SyncFacade,
    SyncResultMixin,
    sync_closing,
    sync_resolve,
    sync_run_blocking,
)
from llm_async._core.response_base import ResponseBase
from llm_async._core.serialize import response_from_dict, response_to_dict
from llm_async._core.tools import AfterCallHook, BeforeCallHook
from llm_async._core.types import JSONMapping, JSONObject

from .attachment_fetch import sync_prepare_attachments

if TYPE_CHECKING:
    from llm_async._core.parts import Message, StreamEvent
    from llm_async._core.serialize import ResponseDict
    from llm_async._core.tools import ToolCall, ToolResult
    from llm_async._core.usage import Usage

__all__ = ["Response"]


class Response(SyncResultMixin, ResponseBase):
    """The response to a prompt; nothing runs until it is consumed.

    Iterate it for text chunks, or call ``text()``, ``usage()`` and friends, which
    drive it to completion. Once complete, every reader replays what arrived.
    """

    _pending_text = SyncFacade.pending_text

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The model's batches of items (see AsyncModel._run), once started.
        self._iterator: Iterator[Sequence[str | StreamEvent]] | None = None
        self._error: Exception | None = None

    def _events(self) -> Iterator[StreamEvent]:
        """Drive the model, yielding each event once; after completion, nothing.

        A consumer that stops early (``break``, cancellation) ends the response
        with what arrived and releases the connection. An error is kept and raised
        again by every later read, so a failed request is never silently re-sent.
        """
        if self._done:
            return
        iterator = self._begin()
        add = self._state.add
        try:
            for batch in iterator:
                for item in batch:
                    yield add(item)
        except BaseException as exc:
            self._stop(exc)
            raise
        self._complete()

    def _begin(self) -> Iterator[Sequence[str | StreamEvent]]:
        """The model's iterator, started on first use (a kept error is raised)."""
        if self._error is not None:
            raise self._error
        if self._iterator is None:
            self._start = time.monotonic()
            # The datetime is made from this clock reading when first read.
            self._started_at, self._started_utc = time.time(), None
            if self.conversation is not None:
                self.conversation._in_flight.add(self)
            try:
                # URL attachments: look up types, download what the model can't take.
                sync_prepare_attachments(self.model, self.prompt)
            except Exception as exc:
                self._error = exc
                raise
            self._iterator = self.model._run(self)
        return self._iterator

    def _stop(self, exc: BaseException) -> None:
        """A read ended by ``exc``: release the connection; keep an error (raised
        again by every later read) or, when the consumer stopped early
        (``break``, cancellation), complete with what arrived."""
        if isinstance(exc, Exception):
            self._error = exc
        self._close_iterator()
        if not isinstance(exc, Exception):
            self._complete()

    def _close_iterator(self) -> None:
        iterator, self._iterator = self._iterator, None
        close = getattr(iterator, "close", None)
        if close is not None:
            close()

    def _complete(self) -> None:
        if self._done:
            return
        self._end = time.monotonic()
        self._done = True
        self._iterator = None
        if self.conversation is not None:
            self.conversation.responses.append(self)
            self.conversation._in_flight.discard(self)
        for callback in self.done_callbacks:
            sync_resolve(callback(self))

    def _force(self) -> Response:
        # _events() consumed to its end, without its generator layer.
        if self._done:
            return self
        iterator = self._begin()
        add = self._state.add
        add_chunk = self._state.add_chunk
        try:
            for batch in iterator:
                for item in batch:
                    if type(item) is str:
                        add_chunk(item)
                    else:
                        add(item)
        except BaseException as exc:
            self._stop(exc)
            raise
        self._complete()
        return self

    def __iter__(self) -> Iterator[str]:
        # _events() with the text picked out inline: the one generator layer
        # between the user's loop and the model's batches.
        if self._done:
            for chunk in self._state.text_chunks:
                if chunk:
                    yield chunk
            return
        iterator = self._begin()
        add = self._state.add
        add_chunk = self._state.add_chunk
        try:
            for batch in iterator:
                for item in batch:
                    if type(item) is str:  # plain text: no event built
                        add_chunk(item)
                        if item:
                            yield item
                        continue
                    event = add(item)
                    if event.type == "text" and event.chunk:  # "": metadata only
                        yield event.chunk
        except BaseException as exc:
            self._stop(exc)
            raise
        self._complete()

    def stream_events(self) -> Iterator[StreamEvent]:
        """Every event in arrival order: text, reasoning, tool calls and results.

        With ``hide_reasoning=True`` on the prompt, reasoning events are left out
        (they still reach ``messages()``, which providers need for continuity).
        """
        hide = self.prompt.hide_reasoning
        if self._done:
            for event in self._state.events:
                if not (hide and event.type == "reasoning"):
                    yield event
            return
        with sync_closing(self._events()) as events:
            for event in events:
                if not (hide and event.type == "reasoning"):
                    yield event

    def to_dict(self) -> ResponseDict:
        """The finished response as a JSON-ready dict (no key); see ``from_dict``."""
        self._require_done("to_dict()")
        return response_to_dict(self)

    @classmethod
    def from_dict(cls, data: JSONMapping, *, model: object = None) -> Response:
        """A finished response rebuilt from ``to_dict()`` output.

        ``model`` defaults to the registered model named in ``data``
        (``UnknownModelError`` if there is none). The rebuilt response has no
        stream events; ``messages()`` returns the stored output.
        """
        from llm_async._core.registry import get_model

        return response_from_dict(cls, data, model=model, lookup=get_model)

    @classmethod
    def from_row(cls, db: Any, row: JSONMapping) -> Response:
        """A finished response rebuilt from a row of ``llm``'s ``logs.db``.

        ``row`` is a ``turns`` row (or any mapping with its ``id``, such as an
        ``llm logs --json`` entry); a row of the legacy ``responses`` table
        that older ``llm`` versions wrote works too. ``db`` as for
        ``log_to_db()``. The model is looked up by the logged id. Reads
        synchronously, as in ``llm``.
        """
        from llm_async._core.logs import (
            connect,
            last_user_text,
            legacy_response_dict,
            response_dict,
        )
        from llm_async._core.logs import turn_row as find_turn
        from llm_async._core.registry import get_model

        with connect(db) as conn:
            try:
                data = response_dict(conn, find_turn(conn, row["id"]))
            except ValueError:
                if "response" not in row:
                    raise
                data = legacy_response_dict(row)
        restored = response_from_dict(cls, data, lookup=get_model)
        restored.prompt._prompt = last_user_text(restored.prompt.messages) or None
        return restored

    @classmethod
    def fake(
        cls,
        model: object,
        prompt: str,
        *attachments: Any,
        system: str | None = None,
        response: str,
    ) -> Response:
        """A finished response answering ``prompt`` with ``response``, for tests."""
        from llm_async._core.parts import Message, TextPart
        from llm_async._core.prompt import Prompt

        fake = cls(
            Prompt(prompt, model, attachments=list(attachments), system=system),
            model,
            False,
        )
        fake._state.restore([Message("assistant", [TextPart(response)])])
        fake._done = True
        return fake

    def log_to_db(self, db: Any) -> str:
        """Record the response in ``db``, an ``llm`` ``logs.db``; the turn id.

        Finishes the response first. ``db`` is a path (the usual one is
        ``logs_db_path()``), a ``sqlite3.Connection`` or a
        ``sqlite_utils.Database``; a new file gets ``llm``'s schema, so
        ``llm logs`` shows the response and ``llm -c`` continues it. The async
        API writes in a worker thread (a connection passed in must then allow
        it: ``check_same_thread=False``); the blocking API, in the caller's.
        """
        self._force()
        from llm_async._core.logs import write_response

        return sync_run_blocking(lambda: write_response(db, self))

    def to_sync_response(self) -> Any:
        """This response, finished, as a blocking-API ``Response`` (same id,
        output, usage and prompt; its conversation converted without responses)."""
        self._force()
        from llm_async._core.conversion import to_sync_response

        return to_sync_response(self)

    def text(self) -> str:
        """The whole text, driving the response to completion if needed."""
        self._force()
        return self._state.text()

    def usage(self) -> Usage:
        """Token usage, once complete."""
        self._force()
        return self._usage()

    def json(self) -> JSONObject | None:
        """The provider's JSON for this response, if the model recorded it."""
        self._force()
        return self.response_json

    def messages(self) -> list[Message]:
        """The assistant message(s) assembled from the stream."""
        self._force()
        return self._state.messages()

    def tool_calls(self) -> list[ToolCall]:
        """Tool calls the model requested."""
        self._force()
        return list(self._state.tool_calls)

    def tool_calls_or_raise(self) -> list[ToolCall]:
        """The tool calls of the response; reads it to the end first if needed."""
        self._require_done("tool_calls_or_raise()")
        return list(self._state.tool_calls)

    def text_or_raise(self) -> str:
        """The text of the response; reads it to the end first if needed."""
        self._require_done("text_or_raise()")
        return self._state.text()

    def execute_tool_calls(
        self,
        *,
        before_call: BeforeCallHook | None = None,
        after_call: AfterCallHook | None = None,
        tool_calls_list: Sequence[ToolCall] | None = None,
        tools: Sequence[Any] | None = None,
    ) -> list[ToolResult]:
        """Run the tool calls the model requested; results in call order.

        ``tools`` replaces the prompt's tools, ``tool_calls_list`` the calls.
        Hooks default to the response's own (from its conversation or chain);
        ``before_call(tool, tool_call)`` may raise ``CancelToolCall`` to skip a
        call, ``after_call(tool, tool_call, result)`` sees each result; both may
        be coroutine functions. A failing tool, an unknown tool or invalid arguments
        give an ``"Error: ..."`` result; ``PauseChain`` propagates.
        """
        from .chain import execute_tool_calls

        return execute_tool_calls(
            self,
            before_call=before_call,
            after_call=after_call,
            tool_calls_list=tool_calls_list,
            tools=tools,
        )

    def execute_tool_call(self, tool_call: ToolCall) -> ToolResult:
        """Run one call with the response's tools and hooks (gives it an id).

        For models whose SDK drives the tool loop; do not also ``add_tool_call``.
        """
        from .chain import run_tool_calls

        results = run_tool_calls(
            [tool_call], self.prompt.tools, self.before_call, self.after_call
        )
        return results[0]

    def reply(
        self,
        prompt: str | None = None,
        *,
        messages: Sequence[Message] | None = None,
        tool_results: Sequence[ToolResult] | None = None,
        options: JSONObject | None = None,
        **kwargs: Any,
    ) -> Response:
        """Continue from this response: a new prompt after its input and output.

        Pending tool calls run first (with the response's hooks) unless
        ``tool_results`` is given; the prompt's tools are passed on unless
        ``tools=`` is. The new response keeps the key and hooks, not the
        conversation or options; ``kwargs`` go to ``model.prompt()``.
        """
        self._force()
        if "tools" not in kwargs and self.prompt.tools:
            kwargs["tools"] = self.prompt.tools
        if tool_results is None and self._state.tool_calls:
            tool_results = self.execute_tool_calls(tools=kwargs.get("tools"))
        chain = reply_messages(
            [*self.prompt.messages, *self._state.messages()],
            prompt,
            tool_results or [],
            messages or [],
        )
        kwargs.setdefault("key", self._key)
        response: Response = self.model.prompt(
            messages=chain, options=options, **kwargs
        )
        response.prompt._prompt = prompt
        response.prompt.tool_results = list(tool_results or [])
        response.before_call = self.before_call
        response.after_call = self.after_call
        return response

    def duration_ms(self) -> int:
        """Milliseconds from the first request to the last chunk."""
        self._force()
        return self._duration_ms()

    def datetime_utc(self) -> str:
        """When the response started, as an ISO 8601 UTC string."""
        self._force()
        return self._datetime_utc()

    def on_done(self, callback: Any) -> None:
        """Call ``callback(response)`` once complete (now, if it already is).

        The callback may be a plain function or a coroutine function.
        """
        if self._done:
            sync_resolve(callback(self))
        else:
            self.done_callbacks.append(callback)

    def close(self) -> None:
        """Stop a response that is still streaming and release its connection."""
        if not self._done:
            self._close_iterator()
            self._complete()
