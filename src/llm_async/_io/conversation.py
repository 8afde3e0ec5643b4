"""Conversations: prompts that carry the history of the ones before."""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from llm_async._core.chain_base import DEFAULT_CHAIN_LIMIT, UNSET, check_chain_limit
from llm_async._core.concurrency import async_run_blocking
from llm_async._core.conversation_base import history_messages
from llm_async._core.serialize import (
    ConversationDict,
    conversation_from_dict,
    conversation_to_dict,
)
from llm_async._core.tools import AfterCallHook, BeforeCallHook
from llm_async._core.types import JSONMapping, JSONObject
from llm_async._core.ulid import monotonic_ulid

from .chain import AsyncChainResponse

if TYPE_CHECKING:
    from pydantic import BaseModel

    from llm_async._core.attachments import Attachment
    from llm_async._core.parts import Message
    from llm_async._core.prompt import ToolInput
    from llm_async._core.tools import ToolResult

    from .model import AsyncModel
    from .response import AsyncResponse

__all__ = ["AsyncConversation"]


class AsyncConversation:
    """A conversation with a model; ``responses`` lists the completed turns."""

    def __init__(
        self,
        model: AsyncModel,
        id: str | None = None,
        name: str | None = None,
        responses: list[AsyncResponse] | None = None,
        tools: list[ToolInput] | None = None,
        chain_limit: int | None = DEFAULT_CHAIN_LIMIT,
        loaded_messages: list[Message] | None = None,
        before_call: BeforeCallHook | None = None,
        after_call: AfterCallHook | None = None,
    ) -> None:
        """Arguments in ``llm``'s order, so ``Conversation(model, "id")`` works.

        ``responses`` seeds the history; ``loaded_messages`` (a stored chain)
        is the history while the conversation has no response of its own.
        """
        self.model = model
        self.id = id or monotonic_ulid()
        self.name = name
        self.responses: list[AsyncResponse] = list(responses or [])
        self.tools = tools
        self.before_call = before_call
        self.after_call = after_call
        self.chain_limit = check_chain_limit(chain_limit)
        self.loaded_messages = loaded_messages
        # Responses of this conversation that started and have not finished.
        self._in_flight: weakref.WeakSet[AsyncResponse] = weakref.WeakSet()

    def __repr__(self) -> str:
        count = len(self.responses)
        return (
            f"<{type(self).__name__}: {self.id} - {count} "
            f"response{'' if count == 1 else 's'}>"
        )

    def to_dict(self) -> ConversationDict:
        """The finished turns as a JSON-ready dict (no key, tools or hooks).

        Every turn must have finished: raises ``ValueError`` if one is not yet awaited.
        """
        for response in sorted(self._in_flight, key=lambda r: r.id):
            if not response._done and response._error is None:
                response._require_done("conversation.to_dict()")
        return conversation_to_dict(self)

    @classmethod
    def from_dict(
        cls,
        data: JSONMapping,
        *,
        model: object = None,
        tools: list[ToolInput] | None = None,
        before_call: BeforeCallHook | None = None,
        after_call: AfterCallHook | None = None,
    ) -> AsyncConversation:
        """A conversation rebuilt from ``to_dict()`` output, ready to continue.

        ``model`` defaults to the registered model named in ``data``
        (``UnknownModelError`` if there is none). Tools and hooks are not
        saved: pass them again. Malformed data raises ``ValueError``.
        """
        from llm_async._core.registry import get_async_model

        from .response import AsyncResponse

        return conversation_from_dict(
            cls,
            AsyncResponse,
            data,
            model=model,
            lookup=get_async_model,
            tools=list(tools) if tools else None,
            before_call=before_call,
            after_call=after_call,
        )

    @classmethod
    async def from_db(
        cls,
        db: object = None,
        conversation_id: str | None = None,
        *,
        model: object = None,
        tools: list[ToolInput] | None = None,
    ) -> AsyncConversation:
        """A conversation logged in ``db`` (default: ``logs.db`` in the user
        directory), ready to continue; the latest one without
        ``conversation_id``. Reads ``llm``'s log as well as ours, in a worker
        thread for the async API. ``ValueError`` if there is none.

        ``model`` defaults to the model of the latest logged turn.
        """
        from llm_async._core.logs import (
            connect,
            conversation_dict,
            latest_conversation_id,
            logs_db_path,
        )

        def read() -> ConversationDict:
            with connect(logs_db_path() if db is None else db) as conn:
                wanted = conversation_id or latest_conversation_id(conn)
                if wanted is None:
                    raise ValueError("No conversation has been logged yet")
                return conversation_dict(conn, wanted)

        from llm_async._core.logs import last_user_text

        conversation = cls.from_dict(
            await async_run_blocking(read), model=model, tools=tools
        )
        for response in conversation.responses:
            response.prompt._prompt = last_user_text(response.prompt.messages) or None
        return conversation

    def to_sync_conversation(self) -> Any:
        """The same conversation (id, name, model's sync twin, tools) in the
        blocking API, with no responses (as in ``llm``)."""
        from llm_async._core.conversion import to_sync_conversation

        return to_sync_conversation(self)

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
    ) -> AsyncResponse:
        """Prompt the model with the conversation's history before this turn."""
        response = self.model.prompt(
            prompt,
            fragments=fragments,
            attachments=attachments,
            system=system,
            system_fragments=system_fragments,
            messages=history_messages(self, messages, system, system_fragments),
            stream=stream,
            schema=schema,
            tools=tools if tools is not None else self.tools,
            tool_results=tool_results,
            options=options,
            hide_reasoning=hide_reasoning,
            key=key,
            **option_kwargs,
        )
        response.conversation = self
        response.before_call = self.before_call
        response.after_call = self.after_call
        return response

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
        chain_limit: int | None = UNSET,
        before_call: BeforeCallHook | None = None,
        after_call: AfterCallHook | None = None,
        options: JSONObject | None = None,
        hide_reasoning: bool = False,
        key: str | None = None,
        **option_kwargs: object,
    ) -> AsyncChainResponse:
        """A chain (see ``model.chain()``) that continues this conversation.

        Tools, hooks and ``chain_limit`` default to the conversation's; every
        round is recorded in ``responses``. Called without a prompt after a
        ``PauseChain`` or ``ChainLimitExceeded`` (optionally with
        ``tool_results=``), it first runs the calls left without results.
        """
        first = self.prompt(  # the first round: history and tools as prompt() does
            prompt,
            fragments=fragments,
            attachments=attachments,
            system=system,
            system_fragments=system_fragments,
            messages=messages,
            stream=stream,
            schema=schema,
            tools=tools,
            tool_results=tool_results,
            options=options,
            hide_reasoning=hide_reasoning,
            key=key,
            **option_kwargs,
        )
        return AsyncChainResponse(
            first.prompt,
            self.model,
            stream,
            conversation=self,
            key=key,
            chain_limit=self.chain_limit if chain_limit is UNSET else chain_limit,
            before_call=before_call if before_call is not None else self.before_call,
            after_call=after_call if after_call is not None else self.after_call,
        )
