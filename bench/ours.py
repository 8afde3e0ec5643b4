"""Our library behind the benchmark interface. TODO: wire in llm_sync/llm_async.

Same interface as ``baselines.py`` (the raw-httpx reference); ``run.py`` reports
"n/a" for anything that raises ``NotImplementedError``. Each call must do the
same work as its baseline twin: model ``baselines.MODEL``, one user message
``baselines.PROMPT``, ``max_tokens=n`` (the fake server then streams ``n``
content chunks of ``"tok "``), streams with ``stream_options.include_usage``,
against ``base_url`` (``http://127.0.0.1:PORT/v1``, any API key). Use one
long-lived model/client per ``open_*`` call, configured for at least 200
concurrent connections (the baseline allows 1000).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

# Timed by `python -c "import <name>"` against `import httpx`; None skips.
IMPORT_SYNC: str | None = "llm_sync"
IMPORT_ASYNC: str | None = "llm_async"

_TODO = "TODO: wire llm_sync/llm_async into bench/ours.py"


def open_sync(base_url: str) -> Any:
    """Return the long-lived state (e.g. a model) passed to the sync calls."""
    raise NotImplementedError(_TODO)


def close_sync(state: Any) -> None:
    raise NotImplementedError(_TODO)


def nonstream_sync(state: Any, n: int) -> str:
    """One non-streamed request; return the answer text (``"tok " * n``)."""
    raise NotImplementedError(_TODO)


def stream_sync(state: Any, n: int) -> Iterator[str]:
    """One streamed request; yield each text chunk as it reaches user code."""
    raise NotImplementedError(_TODO)


async def open_async(base_url: str) -> Any:
    raise NotImplementedError(_TODO)


async def close_async(state: Any) -> None:
    raise NotImplementedError(_TODO)


async def nonstream_async(state: Any, n: int) -> str:
    raise NotImplementedError(_TODO)


def stream_async(state: Any, n: int) -> AsyncIterator[str]:
    """Async twin of ``stream_sync`` (an async generator when implemented)."""
    raise NotImplementedError(_TODO)


async def concurrent_async(state: Any, streams: int, n: int) -> int:
    """Run ``streams`` concurrent ``stream_async`` calls; return chunks received."""
    raise NotImplementedError(_TODO)
