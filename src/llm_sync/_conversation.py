# Generated from src/llm_async/_conversation.py; do not edit.
# Edit the async source and run `python scripts/unasync.py`.
"""Conversations: prompts that carry the history of the ones before."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from llm_async._chain_support import DEFAULT_CHAIN_LIMIT, UNSET, check_chain_limit
from llm_async._conversation_support import history_messages
from llm_async._ulid import monotonic_ulid

from ._chain import ChainResponse

if TYPE_CHECKING:
    from llm_async._attachments import Attachment
    from llm_async._parts import Message
    from llm_async._tools import ToolResult

    from ._model import Model
    from ._response import Response

__all__ = ["Conversation"]


class Conversation:
    """A conversation with a model; ``responses`` lists the completed turns."""

    def __init__(
        self,
        model: Model,
        *,
        id: str | None = None,
        name: str | None = None,
        tools: list[Any] | None = None,
        before_call: Any = None,
        after_call: Any = None,
        chain_limit: int | None = DEFAULT_CHAIN_LIMIT,
    ) -> None:
        self.model = model
        self.id = id or monotonic_ulid()
        self.name = name
        self.responses: list[Response] = []
        self.tools = tools
        self.before_call = before_call
        self.after_call = after_call
        self.chain_limit = check_chain_limit(chain_limit)

    def __repr__(self) -> str:
        count = len(self.responses)
        return (
            f"<{type(self).__name__}: {self.id} - {count} "
            f"response{'' if count == 1 else 's'}>"
        )

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
        schema: Any = None,
        tools: Sequence[Any] | None = None,
        tool_results: Sequence[ToolResult] | None = None,
        options: dict[str, Any] | None = None,
        hide_reasoning: bool = False,
        key: str | None = None,
        **option_kwargs: Any,
    ) -> Response:
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
        schema: Any = None,
        tools: Sequence[Any] | None = None,
        tool_results: Sequence[ToolResult] | None = None,
        chain_limit: int | None = UNSET,
        before_call: Any = None,
        after_call: Any = None,
        options: dict[str, Any] | None = None,
        hide_reasoning: bool = False,
        key: str | None = None,
        **option_kwargs: Any,
    ) -> ChainResponse:
        """A chain (see ``model.chain()``) that continues this conversation.

        Tools, hooks and ``chain_limit`` default to the conversation's; every
        round is recorded in ``responses``. Called without a prompt after a
        ``PauseChain`` or ``ChainLimitExceeded`` (optionally with
        ``tool_results=``), it first runs the calls left without results.
        """
        first = self.model.prompt(
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
        return ChainResponse(
            first.prompt,
            self.model,
            stream,
            conversation=self,
            key=key,
            chain_limit=self.chain_limit if chain_limit is UNSET else chain_limit,
            before_call=before_call if before_call is not None else self.before_call,
            after_call=after_call if after_call is not None else self.after_call,
        )
