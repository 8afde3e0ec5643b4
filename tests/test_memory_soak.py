"""10,000 sequential calls over a real loopback socket keep no memory (RSS).

The server is the benchmark's fake OpenAI server, in its own process so that
its memory is not counted. Calls alternate streamed and whole answers,
successes and errors (a 404 from a wrong path), through the real provider,
transport and connection pool of each facade. RSS (what the operating system
sees, allocator and C libraries included) is measured after a warm-up and
after the 10,000 calls.
"""

from __future__ import annotations

import gc
import os
import resource
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

import llm_async
import llm_sync
from tests.openai_support import ChatSpec

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path("/proc/self/statm").exists() and sys.platform != "darwin",
        reason="reads the current RSS from /proc (or the peak RSS on macOS)",
    ),
]

SERVER = Path(__file__).resolve().parent.parent / "bench" / "fake_server.py"
WARM_UP = 1_000
CALLS = 10_000
ROUND = 500
LIMIT = 10 * 1024 * 1024


def rss() -> int:
    """The process's resident set size in bytes (peak RSS on macOS)."""
    statm = Path("/proc/self/statm")
    if statm.exists():
        return int(statm.read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # bytes on macOS


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, str(SERVER), "--port=0", "--timeout=600"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        assert process.stdin is not None
        process.stdin.close()  # the server exits when its stdin closes
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()


def _models(server_url: str, facade: str) -> tuple[Any, Any, Any]:
    """The transport, a model of the server and one whose requests all get a 404."""
    good = ChatSpec("soak", base_url=f"{server_url}/v1", needs_key=None)
    bad = ChatSpec("soak-404", base_url=f"{server_url}/missing/v1", needs_key=None)
    if facade == "sync":
        transport: Any = llm_sync.Transport()
        model_class: Any = llm_sync.HTTPModel
    else:
        transport = llm_async.AsyncTransport()
        model_class = llm_async.AsyncHTTPModel
    good_model, bad_model = (
        model_class(
            spec.model_id, spec.provider(), transport=transport, **spec.model_kwargs()
        )
        for spec in (good, bad)
    )
    return transport, good_model, bad_model


def test_calls_keep_no_memory(server_url: str) -> None:
    """10,000 calls after a warm-up of 1,000: in rounds of 500 through the
    blocking facade, then 500 through the async one on a new event loop (its
    transport keeps one client per loop, closed when the loop ends)."""
    sync_transport, sync_good, sync_bad = _models(server_url, "sync")
    _, async_good, async_bad = _models(server_url, "async")

    def sync_calls(count: int) -> None:
        for number in range(count):
            stream = number % 2 == 0
            if number % 4 < 2:
                response = sync_good.prompt("hi", stream=stream, max_tokens=4)
                assert response.text() == "tok " * 4
                response.usage()
            else:
                response = sync_bad.prompt("hi", stream=stream, max_retries=0)
                with pytest.raises(llm_sync.NotFoundError):
                    response.text()

    async def async_calls(count: int) -> None:
        for number in range(count):
            stream = number % 2 == 0
            if number % 4 < 2:
                response = async_good.prompt("hi", stream=stream, max_tokens=4)
                assert await response.text() == "tok " * 4
                await response.usage()
            else:
                response = async_bad.prompt("hi", stream=stream, max_retries=0)
                with pytest.raises(llm_async.NotFoundError):
                    await response.text()

    def rounds(calls: int) -> int:
        for _ in range(calls // (2 * ROUND)):
            sync_calls(ROUND)
            anyio.run(async_calls, ROUND)
        gc.collect()
        return rss()

    try:
        before = rounds(WARM_UP)
        after = rounds(CALLS)
    finally:
        sync_transport.close()
    assert after - before < LIMIT, f"RSS grew by {(after - before) / 1e6:.1f} MB"
