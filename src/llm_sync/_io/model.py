# Generated from src/llm_async/_io/model.py; do not edit.
# Edit the async source and run `python scripts/unasync.py`.
"""Model base classes: ``prompt()``, ``conversation()``, ``chain()``."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias

from llm_async._core.chain_base import DEFAULT_CHAIN_LIMIT
from llm_async._core.concurrency import SyncFacade
from llm_async._core.model_base import (
    LazyOptions,
    build_prompt,
    resolve_key,
)
from llm_async._core.tools import AfterCallHook, BeforeCallHook
from llm_async._core.types import JSONObject

from .chain import ChainResponse
from .conversation import Conversation
from .response import Response

if TYPE_CHECKING:
    from pydantic import BaseModel

    from llm_async._core.attachments import Attachment
    from llm_async._core.batch_records import BatchResult
    from llm_async._core.parts import Message, StreamEvent
    from llm_async._core.prompt import Prompt, ToolInput
    from llm_async._core.tools import ToolResult

__all__ = ["KeyModel", "Model"]

#: One ``prompt_many()`` prompt: a prompt string or a dict of ``prompt()`` arguments.
BatchPrompt: TypeAlias = str | Mapping[str, object]


class Model:
    """A model: subclass it and implement ``execute()``.

    ``execute()`` yields text chunks (``str``) or ``StreamEvent`` objects and may
    record usage, tool calls and the provider's JSON on the response.
    """

    model_id: str
    can_stream: bool = False
    attachment_types: frozenset[str] | set[str] = frozenset()
    supports_schema: bool = False
    supports_tools: bool = False
    # False: a single-turn model (history raises ConversationNotSupported).
    supports_conversation: bool = True
    needs_key: str | None = None
    key: str | None = None
    key_env_var: str | None = None
    Options: ClassVar[Any] = LazyOptions()

    @property
    def supported_server_side_tools(self) -> tuple[type, ...]:
        """Server-side tool classes this model accepts."""
        return ()

    def __str__(self) -> str:
        label = SyncFacade.label
        return f"{type(self).__name__}{label}: {self.model_id}"

    def __repr__(self) -> str:
        return f"<{self}>"

    def get_key(self, explicit_key: str | None = None) -> str | None:
        """The API key to use: ``model.key``, ``key=``, keys.json, then env."""
        return resolve_key(self, explicit_key)

    def prompt(
        self,
        prompt: str | None = None,
        *,
        fragments: Sequence[str] | None = None,
        attachments: Sequence[Attachment] | None = None,
        system: str | None = None,
        system_fragments: Sequence[str] | None = None,
        messages: Sequence[Message] | None = None,
        stream: bool = True,
        schema: JSONObject | type[BaseModel] | None = None,
        tools: Sequence[ToolInput] | None = None,
        tool_results: Sequence[ToolResult] | None = None,
        options: JSONObject | None = None,
        hide_reasoning: bool = False,
        key: str | None = None,
        **option_kwargs: object,
    ) -> Response:
        """Start a prompt; nothing runs until the response is consumed."""
        built = build_prompt(
            self,
            prompt,
            fragments=fragments,
            attachments=attachments,
            system=system,
            system_fragments=system_fragments,
            messages=messages,
            schema=schema,
            tools=tools,
            tool_results=tool_results,
            options=options,
            option_kwargs=option_kwargs,
            hide_reasoning=hide_reasoning,
        )
        return Response(built, self, stream, key=key)

    def chain(
        self,
        prompt: str | None = None,
        *,
        fragments: Sequence[str] | None = None,
        attachments: Sequence[Attachment] | None = None,
        system: str | None = None,
        system_fragments: Sequence[str] | None = None,
        messages: Sequence[Message] | None = None,
        stream: bool = True,
        schema: JSONObject | type[BaseModel] | None = None,
        tools: Sequence[ToolInput] | None = None,
        tool_results: Sequence[ToolResult] | None = None,
        chain_limit: int | None = DEFAULT_CHAIN_LIMIT,
        before_call: BeforeCallHook | None = None,
        after_call: AfterCallHook | None = None,
        options: JSONObject | None = None,
        hide_reasoning: bool = False,
        key: str | None = None,
        **option_kwargs: object,
    ) -> ChainResponse:
        """Prompt, run the tools the model calls, and prompt again until it answers.

        Takes ``prompt()``'s arguments plus ``chain_limit`` (most model calls,
        default 10; ``None`` or ``0`` for no limit; exceeding it raises
        ``ChainLimitExceeded``) and the ``before_call``/``after_call`` hooks.
        Nothing runs until the chain is consumed.
        """
        built = build_prompt(
            self,
            prompt,
            fragments=fragments,
            attachments=attachments,
            system=system,
            system_fragments=system_fragments,
            messages=messages,
            schema=schema,
            tools=tools,
            tool_results=tool_results,
            options=options,
            option_kwargs=option_kwargs,
            hide_reasoning=hide_reasoning,
        )
        return ChainResponse(
            built,
            self,
            stream,
            key=key,
            chain_limit=chain_limit,
            before_call=before_call,
            after_call=after_call,
        )

    def conversation(
        self,
        tools: Sequence[ToolInput] | None = None,
        before_call: BeforeCallHook | None = None,
        after_call: AfterCallHook | None = None,
        chain_limit: int | None = DEFAULT_CHAIN_LIMIT,
    ) -> Conversation:
        """Start a conversation: each prompt sends the history before it.

        ``tools``, the hooks and ``chain_limit`` (default 10 model calls per
        chain; ``None`` for no limit) apply to its ``prompt()`` and ``chain()``.
        """
        return Conversation(
            self,
            tools=list(tools) if tools else None,
            before_call=before_call,
            after_call=after_call,
            chain_limit=chain_limit,
        )

    def prompt_many(
        self,
        prompts: Iterable[BatchPrompt]
        | Mapping[str, BatchPrompt]
        | Mapping[int, BatchPrompt],
        *,
        ordered: bool = False,
        store: str | os.PathLike[str] | None = None,
        progress: bool | None = None,
        engine: str = "direct",
        initial_concurrency: int = 16,
        max_concurrency: int = 256,
        max_attempts: int = 5,
        max_total_requests: int | None = None,
        max_total_tokens: int | None = None,
        requests_per_minute: float | None = None,
        poll_interval: float = 30.0,
        **prompt_kwargs: object,
    ) -> Iterator[BatchResult]:
        """Run many prompts concurrently; iterate the ``BatchResult`` of each.

        ``prompts``: prompt strings or dicts of ``prompt()`` arguments (key =
        index, or a dict's ``"key"``), or a mapping key -> prompt.
        ``prompt_kwargs`` (``system=``, ``schema=``, options...) apply to all.
        Results come as they complete, or in input order with ``ordered=True``;
        a failure is reported in its result and never stops the batch.
        Concurrency starts at ``initial_concurrency`` and adapts (up to
        ``max_concurrency``) to the provider's rate limits; each prompt gets up
        to ``max_attempts`` requests. ``store`` (a ``.jsonl`` path, or a SQLite
        ``.db``) saves each result as it arrives; a rerun with it skips the
        prompts already done.
        ``max_total_requests`` / ``max_total_tokens`` cap the batch's spend
        (prompts not sent get a ``BudgetExceededError``);
        ``requests_per_minute`` caps its rate. ``progress``: a tqdm bar
        (``None``: only on a terminal). ``engine="batch_api"`` runs the batch
        through the provider's batch API (OpenAI, Anthropic) instead, checking
        the job every ``poll_interval`` seconds. See docs/batch.md.
        """
        from llm_async._core.batch_records import batch_items

        from .batch import ENGINES, BatchSettings, run_prompt_many

        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
        settings = BatchSettings(
            ordered=ordered,
            store=store,
            progress=progress,
            initial_concurrency=initial_concurrency,
            max_concurrency=max_concurrency,
            max_attempts=max_attempts,
            max_total_requests=max_total_requests,
            max_total_tokens=max_total_tokens,
            requests_per_minute=requests_per_minute,
            poll_interval=poll_interval,
        )
        items = batch_items(prompts)
        return run_prompt_many(self, items, settings, engine, prompt_kwargs)

    def execute(
        self,
        prompt: Prompt,
        stream: bool,
        response: Response,
        conversation: Conversation | None,
    ) -> Iterator[str | StreamEvent]:
        """Run the prompt, yielding text chunks or stream events."""
        raise NotImplementedError(f"{type(self).__name__} must implement execute()")

    def _run(self, response: Response) -> Iterator[Sequence[str | StreamEvent]]:
        """What the response iterates: batches of items, in arrival order.

        Here each of ``execute()``'s items is a batch of its own; models that
        receive many at once (HTTP ones, a network chunk at a time) override it
        so that the response takes one step per batch, not per item.
        """
        return one_by_one(self._items(response))

    def _items(self, response: Response) -> Iterator[str | StreamEvent]:
        """``execute()`` with this model's arguments."""
        return self.execute(
            response.prompt, response.stream, response, response.conversation
        )


class KeyModel(Model):
    """A model whose ``execute()`` receives the resolved API key."""

    def execute(  # type: ignore[override]
        self,
        prompt: Prompt,
        stream: bool,
        response: Response,
        conversation: Conversation | None,
        key: str | None,
    ) -> Iterator[str | StreamEvent]:
        """Run the prompt with ``key``, yielding text chunks or stream events."""
        raise NotImplementedError(f"{type(self).__name__} must implement execute()")

    def _items(self, response: Response) -> Iterator[str | StreamEvent]:
        return self.execute(
            response.prompt,
            response.stream,
            response,
            response.conversation,
            self.get_key(response._key),
        )


def one_by_one(
    items: Iterator[str | StreamEvent],
) -> Iterator[Sequence[str | StreamEvent]]:
    """Each item as a batch of one; closing this closes ``items``."""
    try:
        for item in items:
            yield (item,)
    finally:
        close = getattr(items, "close", None)
        if close is not None:
            close()
