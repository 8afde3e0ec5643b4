"""Scripted models for tests: ``echo`` and a replayer of given replies."""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Iterable
from typing import TYPE_CHECKING

from llm_async._core.concurrency import async_sleep
from llm_async._core.scripted_base import (
    ScriptedOptions,
    ScriptedReply,
    as_reply,
    echo_reply,
)

from .model import AsyncModel

if TYPE_CHECKING:
    from llm_async._core.parts import StreamEvent
    from llm_async._core.prompt import Prompt

    from .conversation import AsyncConversation
    from .response import AsyncResponse

__all__ = ["AsyncEchoModel", "AsyncScriptedModel"]


async def _play(
    reply: ScriptedReply, response: AsyncResponse
) -> AsyncIterator[str | StreamEvent]:
    for index, chunk in enumerate(reply.chunks):
        if reply.error is not None and index == reply.error_after:
            raise reply.error
        if reply.delay:
            await async_sleep(reply.delay)
        yield chunk
    if reply.error is not None and reply.error_after >= len(reply.chunks):
        raise reply.error
    for tool_call in reply.tool_calls:
        response.add_tool_call(tool_call)
    if reply.usage is not None:
        response.set_usage(
            input=reply.usage.input,
            output=reply.usage.output,
            details=reply.usage.details,
        )
    if reply.response_json is not None:
        response.response_json = reply.response_json
    if reply.resolved_model is not None:
        response.set_resolved_model(reply.resolved_model)


class _ScriptedCapabilities(AsyncModel):
    """Streams and takes tools, schemas, images and PDFs (the scripted models)."""

    can_stream = True
    supports_tools = True
    supports_schema = True
    attachment_types = frozenset(
        {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"}
    )
    Options = ScriptedOptions


class AsyncEchoModel(_ScriptedCapabilities):
    """Answers with a JSON account of the prompt it received; needs no key."""

    model_id = "echo"

    async def execute(
        self,
        prompt: Prompt,
        stream: bool,
        response: AsyncResponse,
        conversation: AsyncConversation | None,
    ) -> AsyncIterator[str | StreamEvent]:
        """Stream the echo payload line by line."""
        async for chunk in _play(echo_reply(prompt), response):
            yield chunk


class AsyncScriptedModel(_ScriptedCapabilities):
    """Replays scripted replies in order, one per prompt, and records the prompts.

    ``replies`` items may be ``ScriptedReply`` objects, strings (one chunk) or
    lists of chunks. ``prompts`` holds every prompt received, for assertions.
    """

    def __init__(
        self,
        replies: Iterable[ScriptedReply | str | Iterable[str]] = (),
        *,
        model_id: str = "scripted",
    ) -> None:
        self.model_id = model_id
        self.replies: deque[ScriptedReply] = deque(as_reply(r) for r in replies)
        self.prompts: list[Prompt] = []

    def add(self, *replies: ScriptedReply | str | Iterable[str]) -> None:
        """Queue more replies."""
        self.replies.extend(as_reply(r) for r in replies)

    async def execute(
        self,
        prompt: Prompt,
        stream: bool,
        response: AsyncResponse,
        conversation: AsyncConversation | None,
    ) -> AsyncIterator[str | StreamEvent]:
        """Stream the next scripted reply."""
        self.prompts.append(prompt)
        if not self.replies:
            raise RuntimeError(
                f"{self} has no scripted reply left for prompt {prompt.prompt!r}; "
                "queue one with model.add(...)"
            )
        async for chunk in _play(self.replies.popleft(), response):
            yield chunk
