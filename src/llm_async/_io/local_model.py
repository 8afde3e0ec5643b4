"""Local GGUF models, run in-process by llama.cpp (the ``local`` extra)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from llm_async._core.concurrency import (
    async_closing,
    async_iterate_in_thread,
    async_owner_id,
)
from llm_async.providers.llama_cpp.engine import (
    DEFAULT_N_CTX,
    WAITING,
    GGUFSpec,
    LocalOptions,
    LocalRun,
    PackagedFile,
    chat,
)

from .model import AsyncModel

if TYPE_CHECKING:
    from llm_async._core.parts import StreamEvent
    from llm_async._core.prompt import Prompt

    from .conversation import AsyncConversation
    from .response import AsyncResponse

__all__ = ["AsyncLocalModel"]


class AsyncLocalModel(AsyncModel):
    """A GGUF model file run in-process by llama.cpp; needs no key or network.

    ``path`` is the GGUF file. ``n_ctx`` is the context window in tokens (``0``:
    the model's own); ``chat_format`` overrides the chat template stored in the
    file. The file is loaded on the first prompt and shared, per process, by
    every model object with the same file and settings; generations on it run
    one at a time. Needs ``pip install 'llm-async[local]'``.
    """

    can_stream = True
    Options = LocalOptions

    def __init__(
        self,
        model_id: str,
        path: str | os.PathLike[str] | PackagedFile,
        *,
        n_ctx: int = DEFAULT_N_CTX,
        chat_format: str | None = None,
    ) -> None:
        if not isinstance(path, PackagedFile):
            path = os.fspath(path)
        self.spec = GGUFSpec(model_id, path, n_ctx=n_ctx, chat_format=chat_format)
        self.model_id = model_id

    async def execute(
        self,
        prompt: Prompt,
        stream: bool,
        response: AsyncResponse,
        conversation: AsyncConversation | None,
    ) -> AsyncIterator[str | StreamEvent]:
        """Generate from the prompt's whole message chain, history included."""
        run = LocalRun()
        chunks = chat(
            self.spec,
            prompt.messages,
            prompt.options,
            run,
            owner=async_owner_id(),
        )
        held: list[str] = []
        async with async_closing(async_iterate_in_thread(chunks)) as items:
            async for item in items:
                if item is WAITING:
                    continue
                if stream:
                    yield item
                else:
                    held.append(item)
        if held:
            yield "".join(held)
        response.set_usage(input=run.prompt_tokens, output=run.completion_tokens)
        response.response_json = {
            "model": self.model_id,
            "finish_reason": run.finish_reason,
            "usage": {
                "prompt_tokens": run.prompt_tokens,
                "completion_tokens": run.completion_tokens,
            },
        }
