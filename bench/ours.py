"""Our library behind the benchmark interface: ``llm_sync`` and ``llm_async``.

Same interface as ``baselines.py`` (the raw-httpx reference) and the same work:
model ``baselines.MODEL``, one user message ``baselines.PROMPT``,
``max_tokens=n`` (the fake server then streams ``n`` content chunks of
``"tok "``), streams with ``stream_options.include_usage``, one long-lived model
per ``open_*`` call. Everything goes through the public API a user calls:
``model.prompt(...)``, ``.text()``, ``for chunk in response``.

The model is an ``HTTPModel``/``AsyncHTTPModel`` with a small OpenAI Chat
Completions provider (``BenchProvider`` below, the sans-I/O contract of
``llm_async._providers._base``) until the library's own OpenAI provider lands.
Its transport gets the baseline's pool limits (1000 connections), so that
neither side waits for the pool in figure (d).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
from baselines import LIMITS, MODEL, PROMPT, request_body

import llm_async
import llm_sync
from llm_async import StreamEvent
from llm_async._options import Options

# Timed by `python -c "import <name>"` against `import httpx`; None skips.
IMPORT_SYNC: str | None = "llm_sync"
IMPORT_ASYNC: str | None = "llm_async"
HEADERS = {"authorization": "Bearer sk-bench"}


class BenchOptions(Options):
    max_tokens: int | None = None


class BenchParser:
    """OpenAI ``chat.completion.chunk`` events -> text events; usage recorded."""

    def __init__(self, sink: Any) -> None:
        self.sink = sink

    def feed(self, event: Any) -> list[StreamEvent]:
        if event.data == "[DONE]":
            return []
        data = event.json()
        if choices := data["choices"]:
            text = choices[0]["delta"].get("content")
            return [StreamEvent("text", text)] if text else []
        if usage := data.get("usage"):
            self.sink.set_usage(
                input=usage["prompt_tokens"], output=usage["completion_tokens"]
            )
        return []

    def finish(self) -> list[StreamEvent]:
        return []


class BenchProvider:
    """Builds OpenAI Chat Completions requests; parses answers and chunks."""

    Options = BenchOptions

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def build_request(
        self, prompt: Any, *, stream: bool, key: str | None
    ) -> httpx.Request:
        body = request_body(prompt.options.max_tokens, stream)
        url = f"{self.base_url}/chat/completions"
        return httpx.Request("POST", url, json=body, headers=HEADERS)

    def parse_response(self, data: Any, sink: Any) -> list[StreamEvent]:
        sink.response_json = data
        usage = data["usage"]
        sink.set_usage(input=usage["prompt_tokens"], output=usage["completion_tokens"])
        return [StreamEvent("text", data["choices"][0]["message"]["content"])]

    def stream_parser(self, sink: Any) -> BenchParser:
        return BenchParser(sink)

    def error_message(self, status_code: int, body: Any) -> tuple[str, str | None]:
        return str(body.get("error", {}).get("message")), None


def open_sync(base_url: str) -> llm_sync.HTTPModel:
    transport = llm_sync.Transport(limits=LIMITS)
    return llm_sync.HTTPModel(MODEL, BenchProvider(base_url), transport=transport)


def close_sync(model: llm_sync.HTTPModel) -> None:
    model.close()


def nonstream_sync(model: llm_sync.HTTPModel, n: int) -> str:
    return model.prompt(PROMPT, stream=False, max_tokens=n).text()


def stream_sync(model: llm_sync.HTTPModel, n: int) -> Iterator[str]:
    yield from model.prompt(PROMPT, max_tokens=n)


async def open_async(base_url: str) -> llm_async.AsyncHTTPModel:
    transport = llm_async.AsyncTransport(limits=LIMITS)
    return llm_async.AsyncHTTPModel(MODEL, BenchProvider(base_url), transport=transport)


async def close_async(model: llm_async.AsyncHTTPModel) -> None:
    await model.aclose()


async def nonstream_async(model: llm_async.AsyncHTTPModel, n: int) -> str:
    return await model.prompt(PROMPT, stream=False, max_tokens=n).text()


async def stream_async(model: llm_async.AsyncHTTPModel, n: int) -> AsyncIterator[str]:
    async for chunk in model.prompt(PROMPT, max_tokens=n):
        yield chunk


async def concurrent_async(
    model: llm_async.AsyncHTTPModel, streams: int, n: int
) -> int:
    async def one() -> int:
        return sum([1 async for _ in model.prompt(PROMPT, max_tokens=n)])

    return sum(await asyncio.gather(*(one() for _ in range(streams))))
