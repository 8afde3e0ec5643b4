"""State and plugin API shared by ``AsyncResponse`` and the generated ``Response``."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from llm_async._core.stream_state import StreamAccumulator
from llm_async._core.tools import AfterCallHook, BeforeCallHook
from llm_async._core.types import JSONObject
from llm_async._core.ulid import monotonic_ulid
from llm_async._core.usage import Usage

if TYPE_CHECKING:
    from llm_async._core.attachments import Attachment
    from llm_async._core.prompt import Prompt
    from llm_async._core.tools import ToolCall

__all__ = ["ResponseBase"]


class ResponseBase:
    """What a response knows, with no I/O: chunks, events, usage, tool calls."""

    _pending_text = "... not yet done ..."

    def __init__(
        self,
        prompt: Prompt,
        model: Any,
        stream: bool,
        conversation: Any = None,
        key: str | None = None,
        before_call: BeforeCallHook | None = None,
        after_call: AfterCallHook | None = None,
    ) -> None:
        self.id = monotonic_ulid()
        self.prompt = prompt
        self.model = model
        self.stream = stream
        self.conversation = conversation
        self._key = key
        self.before_call = before_call
        self.after_call = after_call
        self.attachments: list[Attachment] = []
        self.input_tokens: int | None = None
        self.output_tokens: int | None = None
        self.token_details: JSONObject | None = None
        self._response_json: JSONObject | None = None
        self._compute_json: Callable[[], JSONObject] | None = None
        self.resolved_model: str | None = None
        self.done_callbacks: list[Callable[..., object]] = []
        self._state = StreamAccumulator()
        self._done = False
        self._start: float | None = None
        self._end: float | None = None
        self._started_at: float | None = None  # time.time() at the start
        self._started_utc: datetime.datetime | None = None

    @property
    def _start_utcnow(self) -> datetime.datetime | None:
        # When the response started, made from the clock reading when first read.
        if self._started_utc is None and self._started_at is not None:
            self._started_utc = datetime.datetime.fromtimestamp(
                self._started_at, datetime.timezone.utc
            )
        return self._started_utc

    @_start_utcnow.setter
    def _start_utcnow(self, value: datetime.datetime | None) -> None:
        self._started_at = None
        self._started_utc = value

    # Plugin API -------------------------------------------------------------

    def set_usage(
        self,
        *,
        input: int | None = None,
        output: int | None = None,
        details: JSONObject | None = None,
    ) -> None:
        """Record token usage (called by model implementations)."""
        self.input_tokens = input
        self.output_tokens = output
        self.token_details = details

    @property
    def response_json(self) -> JSONObject | None:
        """The provider's answer as JSON, as ``llm`` logs it (``None`` if none)."""
        compute = self._compute_json
        if compute is not None:
            self._compute_json = None
            self._response_json = compute()
        return self._response_json

    @response_json.setter
    def response_json(self, value: JSONObject | None) -> None:
        self._compute_json = None
        self._response_json = value

    def defer_response_json(self, compute: Callable[[], JSONObject]) -> None:
        """Set ``response_json`` to ``compute()``, called when it is first read
        (called by implementations: most answers' JSON is never read)."""
        self._compute_json = compute

    def set_resolved_model(self, model_id: str) -> None:
        """Record the exact model the provider used (called by implementations)."""
        self.resolved_model = model_id

    def add_tool_call(self, tool_call: ToolCall) -> None:
        """Record a tool call the model requested (called by implementations)."""
        self._state.add_tool_call(tool_call)

    def token_usage(self) -> str:
        """Usage as text: ``"1,234 input, 56 output, {details}"``."""
        pieces = []
        if self.input_tokens is not None:
            pieces.append(f"{self.input_tokens:,} input")
        if self.output_tokens is not None:
            pieces.append(f"{self.output_tokens:,} output")
        if self.token_details:
            pieces.append(json.dumps(self.token_details))
        return ", ".join(pieces)

    # Shared readers ---------------------------------------------------------

    def _usage(self) -> Usage:
        return Usage(
            input=self.input_tokens,
            output=self.output_tokens,
            details=self.token_details,
        )

    def _duration_ms(self) -> int:
        if self._start is None or self._end is None:
            return 0
        return int((self._end - self._start) * 1000)

    def _datetime_utc(self) -> str:
        return self._start_utcnow.isoformat() if self._start_utcnow else ""

    def __repr__(self) -> str:
        text = self._state.text() if self._done else self._pending_text
        return f"<{type(self).__name__} prompt={self.prompt.prompt!r} text={text!r}>"
