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
RATE = 200  # requests per second in the rate-limited figure (well below the client)
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


def open_model(url: str, name: str = "bench-batch") -> Any:
    """The library's OpenAI model, pointed at the fake server (a fresh registry)."""
    import llm_async

    os.environ.setdefault("LLM_USER_PATH", tempfile.mkdtemp(prefix="llm-bench-"))
    os.environ["LLM_BENCH_API_KEY"] = "sk-bench"
    llm_async.register_openai_compatible(
        name, base_url=url, model_name=MODEL, key_env_var="LLM_BENCH_API_KEY"
    )
    return llm_async.get_async_model(name)


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


ARMS = (*(f"gather:{c}" for c in FIXED_CONCURRENCIES), "ours")


def load() -> str:
    """The 1-minute load average (the machine is shared: each figure notes it)."""
    return f"{os.getloadavg()[0]:.2f}"


async def child(arm: str, url: str, warmup_url: str, n: int, warmup: int) -> float:
    """One arm in this (fresh) process: warm up, then time it."""
    warm = open_model(warmup_url)
    await gather_semaphore(warm, warmup, 32)
    await warm.transport.aclose()
    model = warm if url == warmup_url else open_model(url, "bench-batch-timed")
    if arm == "ours":
        return await ours(model, n)
    return await gather_semaphore(model, n, int(arm.partition(":")[2]))


def run_arm(arm: str, url: str, warmup_url: str, n: int, warmup: int) -> float:
    """Seconds of one arm, run in a fresh process (nothing left from other arms)."""
    argv = [sys.executable, os.path.abspath(__file__), f"--arm={arm}"]
    argv += [f"--url={url}", f"--warmup-url={warmup_url}"]
    argv += [f"--prompts={n}", f"--warmup={warmup}"]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"{arm} failed:\n{done.stderr[-2000:]}")
    return float(done.stdout.strip().splitlines()[-1])


def _best(runs: list[dict[str, Any]], arm: str) -> float:
    return min(run["seconds"] for run in runs if run["arm"] == arm)


def measure(n: int, rate: int, warmup: int, rounds: int) -> dict[str, Any]:
    """Both figures, each arm in its own process, arms alternating; JSON-able."""
    figures: dict[str, Any] = {"prompts": n, "rate": rate, "rounds": rounds}
    unlimited: list[dict[str, Any]] = []
    limited: list[dict[str, Any]] = []
    with fake_server(None) as url:
        for round_ in range(rounds):
            # Alternate the order so no arm always follows the same one.
            order = ARMS if round_ % 2 == 0 else ARMS[::-1]
            for arm in order:
                seconds = run_arm(arm, url, url, n, warmup)
                unlimited.append({"arm": arm, "seconds": seconds, "load": load()})
                print(f"  {arm:>12}: {seconds:6.2f} s  (load {load()})", flush=True)
            with fake_server(rate) as limited_url:
                seconds = run_arm("ours", limited_url, url, n, warmup)
                stats = server_stats(limited_url)
            times = stats["limited"]
            after = [t for t in times if t > times[0] + 1.0] if times else []
            limited.append(
                {
                    "seconds": seconds,
                    "responses_429": len(times),
                    "429_after_first_backoff": len(after),
                    "load": load(),
                }
            )
            print(
                f"  ours at {rate}/s: {seconds:6.2f} s (ideal {n / rate:.2f} s), "
                f"{len(times)} 429s, {len(after)} after the first back-off "
                f"(load {load()})",
                flush=True,
            )
    fixed = {c: _best(unlimited, f"gather:{c}") for c in FIXED_CONCURRENCIES}
    best = min(fixed.values())
    seconds = _best(unlimited, "ours")
    figures["unlimited"] = {
        "ours": seconds,
        "best_fixed": best,
        "best_concurrency": min(fixed, key=lambda c: fixed[c]),
        "fixed": fixed,
        "ratio": seconds / best,
        "passed": seconds / best <= TARGET,
        "runs": unlimited,
    }
    ideal = n / rate
    fastest = min(limited, key=lambda run: run["seconds"])
    figures["rate_limited"] = {
        "ours": fastest["seconds"],
        "ideal": ideal,
        "ratio": fastest["seconds"] / ideal,
        "responses_429": fastest["responses_429"],
        "429_after_first_backoff": max(r["429_after_first_backoff"] for r in limited),
        "passed": fastest["seconds"] / ideal <= TARGET
        and not any(r["429_after_first_backoff"] for r in limited),
        "runs": limited,
    }
    return figures


def report(figures: dict[str, Any]) -> None:
    unlimited, limited = figures["unlimited"], figures["rate_limited"]
    print(
        f"\nbest of {figures['rounds']} run(s) per arm, each in a fresh process; "
        f"load average now {load()}"
    )
    print(f"{'batch figure':44} {'ours':>8} {'ref':>8} {'ratio':>6} target result")
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
        "gather+semaphore, best of each concurrency: "
        + ", ".join(f"{c}: {s:.2f} s" for c, s in unlimited["fixed"].items())
    )
    print(
        f"429s: {limited['responses_429']} in the fastest rate-limited run, at most "
        f"{limited['429_after_first_backoff']} after the first back-off in any run"
    )


def main(argv: list[str] | None = None) -> dict[str, Any] | None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    p.add_argument("--window", type=float, default=1.0, help=argparse.SUPPRESS)
    p.add_argument("--arm", help=argparse.SUPPRESS)
    p.add_argument("--url", help=argparse.SUPPRESS)
    p.add_argument("--warmup-url", help=argparse.SUPPRESS)
    p.add_argument("--warmup", type=int, default=200, help=argparse.SUPPRESS)
    p.add_argument("--rate", type=int, help=f"requests per second (default {RATE})")
    p.add_argument("--prompts", type=int, help="default 10,000 (--quick 1,000)")
    p.add_argument("--rounds", type=int, help="runs of each arm (default 3, quick 1)")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--out", help="write the figures to this JSON file")
    a = p.parse_args(argv)
    if a.serve:
        asyncio.run(serve(a.rate, a.window, a.port))
        return None
    n = a.prompts or (1_000 if a.quick else 10_000)
    if a.arm:
        seconds = asyncio.run(child(a.arm, a.url, a.warmup_url, n, a.warmup))
        print(seconds)
        return None
    rate = a.rate or RATE
    rounds = a.rounds or (1 if a.quick else 3)
    print(f"batch: {n:,} prompts; rate limit {rate}/s; {rounds} round(s)")
    figures = measure(n, rate, 200, rounds)
    report(figures)
    if a.out:
        with open(a.out, "w") as f:
            json.dump(figures, f, indent=2)
    return figures


if __name__ == "__main__":
    main()
