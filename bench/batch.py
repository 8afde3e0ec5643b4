"""Benchmark of ``prompt_many``: many prompts against a loopback fake server.

    python bench/batch.py            # 10,000 prompts (about a minute)
    python bench/batch.py --quick    # 1,000 prompts
    python bench/run.py              # runs it after the main benchmark

Two figures, each against its own reference:

* **rate-limited**: the server admits ``--rate`` requests per one-second window
  (fixed windows) and answers any request beyond that with 429 and
  ``Retry-After``; every answer carries OpenAI's ``x-ratelimit-*-requests``
  headers. The ideal time is ``prompts / rate``; target: within 1.15 x of it,
  and no 429 after the batch's first back-off.
* **unlimited**: the same server without a limit; the reference is a
  hand-written ``asyncio.gather`` with a semaphore (the same library calls,
  ``model.prompt(...).text()``) at the best of several fixed concurrencies;
  target: within 1.15 x of it.

The server runs in a subprocess (``python bench/batch.py --serve``), binds
127.0.0.1 and exits when its stdin closes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from typing import Any

HOST = "127.0.0.1"
BENCH = os.path.dirname(os.path.abspath(__file__))
MODEL = "gpt-4o-mini"
TARGET = 1.15
RATE = 500  # requests per second in the rate-limited figure
FIXED_CONCURRENCIES = (32, 64, 128)


# The server ---------------------------------------------------------------------


class RateLimitedServer:
    """A Chat Completions endpoint that admits ``rate`` requests per window."""

    def __init__(self, rate: int | None, window: float = 1.0) -> None:
        self.rate = rate
        self.window = window
        self.start = time.monotonic()
        self.counts: dict[int, int] = {}
        self.ok = 0
        self.limited: list[float] = []  # when each 429 was sent (s since start)
        self.over: list[int] = []  # per window: requests beyond the rate

    def decide(self) -> tuple[int, dict[str, str]]:
        """Status and headers for the request arriving now."""
        if self.rate is None:
            self.ok += 1
            return 200, {}
        elapsed = time.monotonic() - self.start
        index = int(elapsed // self.window)
        reset = (index + 1) * self.window - elapsed
        used = self.counts.get(index, 0) + 1
        self.counts[index] = used
        headers = {
            "x-ratelimit-limit-requests": str(self.rate),
            "x-ratelimit-remaining-requests": str(max(0, self.rate - used)),
            "x-ratelimit-reset-requests": f"{math.ceil(reset * 1000)}ms",
        }
        if used > self.rate:
            self.limited.append(elapsed)
            headers["retry-after-ms"] = str(math.ceil(reset * 1000))
            headers["retry-after"] = str(math.ceil(reset))
            return 429, headers
        self.ok += 1
        return 200, headers

    def stats(self) -> dict[str, Any]:
        return {"ok": self.ok, "limited": self.limited}


def _answer(body: dict[str, Any]) -> bytes:
    text = body["messages"][-1]["content"]
    return json.dumps(
        {
            "id": "chatcmpl-bench",
            "object": "chat.completion",
            "created": 1_700_000_000,
            "model": body.get("model", MODEL),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": f"echo: {text}"},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 8, "completion_tokens": 3, "total_tokens": 11},
        },
        separators=(",", ":"),
    ).encode()


_LIMITED_BODY = json.dumps(
    {"error": {"message": "Rate limit reached", "type": "requests"}}
).encode()


async def _handle(
    server: RateLimitedServer,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            _method, path, _ = lines[0].split(" ", 2)
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            raw = await reader.readexactly(length) if length else b""
            headers: dict[str, str] = {}
            if path.endswith("/stats"):
                status, content = 200, json.dumps(server.stats()).encode()
            else:
                status, headers = server.decide()
                content = _answer(json.loads(raw)) if status == 200 else _LIMITED_BODY
            reason = "OK" if status == 200 else "Too Many Requests"
            extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            writer.write(
                f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
                f"content-length: {len(content)}\r\n{extra}\r\n".encode()
                + content
            )
            await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.CancelledError, ConnectionError):
        pass
    finally:
        writer.close()


async def serve(rate: int | None, window: float, port: int) -> None:
    """Serve until stdin closes; print the port first."""
    state = RateLimitedServer(rate, window)
    server = await asyncio.start_server(
        lambda r, w: _handle(state, r, w), HOST, port, backlog=4096
    )
    print(server.sockets[0].getsockname()[1], flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)  # until the parent closes it
    server.close()


@contextlib.contextmanager
def fake_server(rate: int | None, window: float = 1.0) -> Iterator[str]:
    """The base URL of a server in a subprocess, stopped on exit."""
    argv = [sys.executable, os.path.abspath(__file__), "--serve", f"--window={window}"]
    if rate is not None:
        argv.append(f"--rate={rate}")
    with subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE) as proc:
        assert proc.stdin and proc.stdout
        try:
            yield f"http://{HOST}:{int(proc.stdout.readline())}/v1"
        finally:
            proc.stdin.close()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


def server_stats(url: str) -> dict[str, Any]:
    import httpx

    return httpx.get(f"{url}/stats").json()  # type: ignore[no-any-return]


# The clients ----------------------------------------------------------------------


def open_model(url: str) -> Any:
    """The library's OpenAI model, pointed at the fake server (a fresh registry)."""
    import llm_async

    os.environ.setdefault("LLM_USER_PATH", tempfile.mkdtemp(prefix="llm-bench-"))
    os.environ["LLM_BENCH_API_KEY"] = "sk-bench"
    llm_async.register_openai_compatible(
        "bench-batch", base_url=url, model_name=MODEL, key_env_var="LLM_BENCH_API_KEY"
    )
    return llm_async.get_async_model("bench-batch")


def prompts(n: int) -> list[str]:
    return [f"prompt {i}" for i in range(n)]


async def ours(model: Any, n: int) -> float:
    """Seconds for ``prompt_many`` over ``n`` prompts (each answer checked)."""
    started = time.perf_counter()
    ok = 0
    async for result in model.prompt_many(prompts(n)):
        if result.error is not None:
            raise result.error
        assert result.text == f"echo: prompt {result.key}"
        ok += 1
    assert ok == n
    return time.perf_counter() - started


async def gather_semaphore(model: Any, n: int, concurrency: int) -> float:
    """The hand-written reference: ``asyncio.gather`` + a semaphore."""
    semaphore = asyncio.Semaphore(concurrency)

    async def one(text: str) -> str:
        async with semaphore:
            return await model.prompt(text, stream=False).text()  # type: ignore[no-any-return]

    started = time.perf_counter()
    answers = await asyncio.gather(*(one(p) for p in prompts(n)))
    assert len(answers) == n
    return time.perf_counter() - started


async def measure(n: int, rate: int, warmup: int) -> dict[str, Any]:
    """Both figures; returns a JSON-able dict."""
    figures: dict[str, Any] = {"prompts": n, "rate": rate}
    with fake_server(None) as url:
        model = open_model(url)
        await gather_semaphore(model, warmup, 32)
        fixed = {}
        # Each run starts with a fresh pool: idle keep-alive connections left
        # by a wider run slow httpcore's pool down for the next one.
        for concurrency in FIXED_CONCURRENCIES:
            await model.transport.aclose()
            fixed[concurrency] = await gather_semaphore(model, n, concurrency)
            print(f"  gather+semaphore({concurrency}): {fixed[concurrency]:.2f} s")
        best = min(fixed.values())
        await model.transport.aclose()
        seconds = await ours(model, n)
        print(f"  prompt_many: {seconds:.2f} s")
        figures["unlimited"] = {
            "ours": seconds,
            "best_fixed": best,
            "best_concurrency": min(fixed, key=lambda c: fixed[c]),
            "fixed": fixed,
            "ratio": seconds / best,
            "passed": seconds / best <= TARGET,
        }
    with fake_server(rate) as url:
        model = open_model(url)
        seconds = await ours(model, n)
        stats = server_stats(url)
        ideal = n / rate
        limited = stats["limited"]
        after = [t for t in limited if limited and t > limited[0] + 1.0]
        print(
            f"  prompt_many at {rate}/s: {seconds:.2f} s (ideal {ideal:.2f} s), "
            f"{len(limited)} 429s"
        )
        figures["rate_limited"] = {
            "ours": seconds,
            "ideal": ideal,
            "ratio": seconds / ideal,
            "responses_429": len(limited),
            "429_after_first_backoff": len(after),
            "passed": seconds / ideal <= TARGET and not after,
        }
    return figures


def report(figures: dict[str, Any]) -> None:
    unlimited, limited = figures["unlimited"], figures["rate_limited"]
    print(f"\n{'batch figure':44} {'ours':>8} {'ref':>8} {'ratio':>6} target result")
    rows = [
        (
            f"{figures['prompts']:,} prompts, no limit vs best gather+sem",
            unlimited["ours"],
            unlimited["best_fixed"],
            unlimited["ratio"],
            unlimited["passed"],
        ),
        (
            f"{figures['prompts']:,} prompts at {figures['rate']}/s vs ideal",
            limited["ours"],
            limited["ideal"],
            limited["ratio"],
            limited["passed"],
        ),
    ]
    for label, ours_s, ref, ratio, ok in rows:
        print(
            f"{label:44} {ours_s:7.2f}s {ref:7.2f}s {ratio:6.3f} <={TARGET}  "
            f"{'PASS' if ok else 'FAIL'}"
        )
    print(
        f"429s: {limited['responses_429']} in all, "
        f"{limited['429_after_first_backoff']} after the first back-off"
    )


def main(argv: list[str] | None = None) -> dict[str, Any] | None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    p.add_argument("--window", type=float, default=1.0, help=argparse.SUPPRESS)
    p.add_argument("--rate", type=int, help=f"requests per second (default {RATE})")
    p.add_argument("--prompts", type=int, help="default 10,000 (--quick 1,000)")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--out", help="write the figures to this JSON file")
    a = p.parse_args(argv)
    if a.serve:
        asyncio.run(serve(a.rate, a.window, a.port))
        return None
    n = a.prompts or (1_000 if a.quick else 10_000)
    rate = a.rate or RATE
    print(f"batch: {n:,} prompts; rate limit {rate}/s")
    figures = asyncio.run(measure(n, rate, warmup=200))
    report(figures)
    if a.out:
        with open(a.out, "w") as f:
            json.dump(figures, f, indent=2)
    return figures


if __name__ == "__main__":
    main()
