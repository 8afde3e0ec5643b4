"""Our library behind the benchmark interface: ``llm_sync`` and ``llm_async``.

Same interface as ``baselines.py`` (the raw-httpx reference) and the same work:
model ``baselines.MODEL``, one user message ``baselines.PROMPT``,
``max_tokens=n`` (the fake server then streams ``n`` content chunks of
``"tok "``), streams with ``stream_options.include_usage``. Everything goes
through the public API, as a user would write it::

    llm_async.register_openai_compatible("bench", base_url=..., ...)
    model = llm_async.get_async_model("bench")
    async for chunk in model.prompt(PROMPT, max_tokens=n): ...

so the built-in OpenAI Chat provider, the registry, the key lookup (an
environment variable, after ``keys.json``) and the shared transport with its
default pool limits are all measured.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from typing import Any

from baselines import MODEL, PROMPT

import llm_async
import llm_sync

# Timed by `python -c "import <name>"` against `import httpx`; None skips.
IMPORT_SYNC: str | None = "llm_sync"
IMPORT_ASYNC: str | None = "llm_async"
MODEL_ID = "bench"
KEY_ENV_VAR = "LLM_BENCH_API_KEY"


def _register(base_url: str) -> None:
    # An empty user directory: no keys.json, aliases or extra models of the user.
    os.environ.setdefault("LLM_USER_PATH", tempfile.mkdtemp(prefix="llm-bench-"))
    os.environ[KEY_ENV_VAR] = "sk-bench"
    llm_async.register_openai_compatible(
        MODEL_ID, base_url=base_url, model_name=MODEL, key_env_var=KEY_ENV_VAR
    )


def open_sync(base_url: str) -> Any:
    _register(base_url)
    return llm_sync.get_model(MODEL_ID)


def close_sync(model: Any) -> None:
    model.close()


def nonstream_sync(model: Any, n: int) -> str:
    return str(model.prompt(PROMPT, stream=False, max_tokens=n).text())


def stream_sync(model: Any, n: int) -> Iterator[str]:
    yield from model.prompt(PROMPT, max_tokens=n)


async def open_async(base_url: str) -> Any:
    _register(base_url)
    return llm_async.get_async_model(MODEL_ID)


async def close_async(model: Any) -> None:
    await model.aclose()


async def nonstream_async(model: Any, n: int) -> str:
    return str(await model.prompt(PROMPT, stream=False, max_tokens=n).text())


async def stream_async(model: Any, n: int) -> AsyncIterator[str]:
    async for chunk in model.prompt(PROMPT, max_tokens=n):
        yield chunk


async def concurrent_async(model: Any, streams: int, n: int) -> int:
    async def one() -> int:
        return sum([1 async for _ in model.prompt(PROMPT, max_tokens=n)])

    return sum(await asyncio.gather(*(one() for _ in range(streams))))
