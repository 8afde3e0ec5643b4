"""Benchmark: our library vs raw httpx against a loopback fake OpenAI server.

    python bench/run.py [--quick] [--out bench/results.json]

Implementations are modules with one interface (``ours.py``, ``baselines.py``);
whatever raises ``NotImplementedError`` is reported as n/a. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from functools import partial
from statistics import median
from typing import Any

import anthropic_stream
import gemini_stream
import responses_stream
import stream_server

BENCH = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(os.path.dirname(BENCH), "src")
sys.path.insert(1, SRC)  # measure this checkout, installed or not
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([SRC, os.getenv("PYTHONPATH", "")])}
IMPLS = {"ours": "ours", "raw": "baselines"}  # name -> module: the seam
COUNTS = {  # flag: (full run, --quick)
    "import_runs": (15, 3),  # (a) `python -c "import X"` runs per module
    "requests": (300, 30),  # (b) sequential non-streamed requests
    "chunks": (20_000, 2_000),  # (c) chunks in the one streamed answer
    "reps": (5, 2),  # (c) answers per implementation; (d) runs per process
    "streams": (200, 20),  # (d) concurrent streams
    "length": (200, 50),  # (d) chunks per concurrent stream
    "procs": (3, 1),  # (b), (d), (e), (f) subprocesses per implementation
    "tick_streams": (500, 50),  # (f) concurrent streams beside the ticker
    "tick_length": (100, 20),  # (f) chunks per stream
}
# (a) what the llm-async console script runs for `llm-async --help`
CLI_HELP = "from llm_async.cli import main; main(['--help'])"
TICK = 0.001  # (f) the ticker's period, seconds
FIGURES = [  # key, label, unit, target for ours/raw, "max": ratio <= target
    ("import_sync", "(a) import llm_sync vs httpx", "ms", 1.5, "max"),
    ("import_async", "(a) import llm_async vs httpx", "ms", 1.5, "max"),
    ("cli_help", "(a) llm-async --help vs click", "ms", 1.5, "max"),
    ("latency_sync", "(b) non-streamed latency, sync", "ms", 1.15, "max"),
    ("latency_async", "(b) non-streamed latency, async", "ms", 1.15, "max"),
    ("stream_sync", "(c) stream throughput, sync", "chunk/s", 1.0, "min"),
    ("stream_async", "(c) stream throughput, async", "chunk/s", 1.0, "min"),
    ("concurrent", "(d) concurrent streams, wall", "s", 1.15, "max"),
    ("rss", "(e) peak RSS during (d)", "MB", 1.25, "max"),
    ("ticker_lag", "(f) 1 ms ticker max lag", "ms", 1.5, "max"),
]
FIGURES += anthropic_stream.FIGURES  # (g), measured by its own module
FIGURES += gemini_stream.FIGURES
FIGURES += responses_stream.FIGURES
Values = dict[str, dict[str, float]]  # figure -> implementation -> value
Fns = Mapping[str, Callable[[], Any]]


def expect(got: object, want: object) -> None:
    if got != want:
        raise RuntimeError(f"got {str(got)[:40]!r}, expected {str(want)[:40]!r}")


def maxrss_mb() -> float:
    """Peak RSS of this process in MB.

    On Linux ``ru_maxrss`` is carried across exec: a child inherits the peak of
    the parent it was spawned from (run.py with httpx, pydantic... imported), so
    read the address space's own high-water mark, ``VmHWM``, instead.
    """
    with contextlib.suppress(OSError), open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return rss / (1 << 20 if sys.platform == "darwin" else 1 << 10)


def interleaved(fns: Fns, rounds: int, warmup: int) -> dict[str, float]:
    """Median seconds per call, alternating implementations; n/a ones dropped."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for i in range(warmup + rounds):
        for name in list(times)[:: 1 if i % 2 else -1]:
            t0 = time.perf_counter()
            try:
                fns[name]()
            except NotImplementedError:
                del times[name]
                continue
            times[name].append(time.perf_counter() - t0)
    return {name: median(t[warmup:]) for name, t in times.items()}


async def ainterleaved(fns: Fns, rounds: int, warmup: int) -> dict[str, float]:
    """Async twin of ``interleaved``: each function returns an awaitable."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for i in range(warmup + rounds):
        for name in list(times)[:: 1 if i % 2 else -1]:
            t0 = time.perf_counter()
            try:
                await fns[name]()
            except NotImplementedError:
                del times[name]
                continue
            times[name].append(time.perf_counter() - t0)
    return {name: median(t[warmup:]) for name, t in times.items()}


def import_times(stmts: dict[str, str], runs: int) -> Values:
    """Median wall ms of ``python -c STMT``, and ``-X importtime`` cumulative ms."""

    def run(stmt: str, *flags: str) -> tuple[float, str, int]:
        t0 = time.perf_counter()
        argv = [sys.executable, *flags, "-c", stmt]
        proc = subprocess.run(argv, env=ENV, capture_output=True, text=True)
        return (time.perf_counter() - t0) * 1e3, proc.stderr, proc.returncode

    ok = {k: s for k, s in stmts.items() if run(s)[2] == 0}  # also warms .pyc
    walls: dict[str, list[float]] = {k: [] for k in ok}
    for i in range(runs):
        for key in list(ok)[:: 1 if i % 2 else -1]:
            walls[key].append(run(ok[key])[0])
    cumulative = {}
    for key, stmt in ok.items():
        for line in run(stmt, "-X", "importtime")[1].splitlines():
            _, *cells = line.split("|")  # "import time: self | cumulative | name"
            if len(cells) == 2 and f"import {cells[1].strip()}" == stmt:
                cumulative[key] = int(cells[0]) / 1e3
    wall = {k: median(w) for k, w in walls.items()}
    return {"import_wall": wall, "importtime_cumulative": cumulative}


def measure_sync(impls: dict[str, Any], url: str, a: argparse.Namespace) -> Values:
    """(b), sync."""
    states = {}
    for name, impl in impls.items():
        with contextlib.suppress(NotImplementedError):
            states[name] = (impl, impl.open_sync(url))

    def nonstream(impl: Any, state: Any) -> None:
        expect(impl.nonstream_sync(state, 20), "tok " * 20)

    fns = {name: partial(nonstream, *s) for name, s in states.items()}
    latency = interleaved(fns, a.requests, 5 + a.requests // 10)
    for impl, state in states.values():
        impl.close_sync(state)
    return {"latency_sync": {k: t * 1e3 for k, t in latency.items()}}


async def measure_async(
    impls: dict[str, Any], url: str, a: argparse.Namespace
) -> Values:
    """(b), async."""
    states = {}
    for name, impl in impls.items():
        with contextlib.suppress(NotImplementedError):
            states[name] = (impl, await impl.open_async(url))

    async def nonstream(impl: Any, state: Any) -> None:
        expect(await impl.nonstream_async(state, 20), "tok " * 20)

    fns = {name: partial(nonstream, *s) for name, s in states.items()}
    latency = await ainterleaved(fns, a.requests, 5 + a.requests // 10)
    for impl, state in states.values():
        await impl.close_async(state)
    return {"latency_async": {k: t * 1e3 for k, t in latency.items()}}


def stream_sync(impls: dict[str, Any], url: str, a: argparse.Namespace) -> Any:
    """(c), sync, in this process: chunk/s per implementation, and the
    raw-socket client's (plain, and with the same json.loads work)."""
    states = {}
    for name, impl in impls.items():
        with contextlib.suppress(NotImplementedError):
            states[name] = (impl, impl.open_sync(url))

    def stream(impl: Any, state: Any) -> None:
        expect(sum(1 for _ in impl.stream_sync(state, a.chunks)), a.chunks)

    def sock(parse: bool) -> None:
        chunks = impls["raw"].raw_socket_stream(url, a.chunks, parse)
        expect(sum(1 for _ in chunks), a.chunks)

    fns = {name: partial(stream, *s) for name, s in states.items()}
    fns |= {"raw-socket": partial(sock, False), "raw-socket+json": partial(sock, True)}
    seconds = interleaved(fns, a.reps, 1)
    for impl, state in states.values():
        impl.close_sync(state)
    return {k: a.chunks / t for k, t in seconds.items()}


async def stream_async(impls: dict[str, Any], url: str, a: argparse.Namespace) -> Any:
    """(c), async, in this process: chunk/s per implementation."""
    states = {}
    for name, impl in impls.items():
        with contextlib.suppress(NotImplementedError):
            states[name] = (impl, await impl.open_async(url))

    async def stream(impl: Any, state: Any) -> None:
        expect(sum([1 async for _ in impl.stream_async(state, a.chunks)]), a.chunks)

    fns = {name: partial(stream, *s) for name, s in states.items()}
    seconds = await ainterleaved(fns, a.reps, 1)
    for impl, state in states.values():
        await impl.close_async(state)
    return {k: a.chunks / t for k, t in seconds.items()}


def measure_latency(url: str, a: argparse.Namespace) -> Values:
    """(b), sync and async, in ``a.procs`` fresh processes each
    (``--latency-child``), alternating; per side the median of the processes'
    medians (each process's own figures are kept under ``latency_*_runs``)."""
    runs: dict[str, list[dict[str, float]]] = {"sync": [], "async": []}
    for _ in range(a.procs):
        for facade in ("sync", "async"):
            argv = [sys.executable, __file__, f"--latency-child={facade}"]
            argv += [f"--url={url}", f"--requests={a.requests}"]
            proc = subprocess.run(argv, env=ENV, capture_output=True, timeout=900)
            if proc.returncode:
                raise RuntimeError(f"(b) {facade} failed:\n{proc.stderr[-3000:]!r}")
            child = json.loads(proc.stdout.splitlines()[-1])
            runs[facade].append(child[f"latency_{facade}"])
    values: Values = {}
    for facade, found in runs.items():
        sides = {side for run in found for side in run}
        values[f"latency_{facade}"] = {
            side: median(run[side] for run in found if side in run)
            for side in sorted(sides)
        }
        values[f"latency_{facade}_runs"] = found
    return values


def measure_streams(url: str, a: argparse.Namespace, suffix: str = "") -> Values:
    """(c), sync then async, each in a fresh process (``--stream-child``), so
    that no earlier figure's heap, connections or garbage slow it."""
    values: Values = {}
    for facade in ("sync", "async"):
        argv = [sys.executable, __file__, f"--stream-child={facade}", f"--url={url}"]
        argv += [f"--chunks={a.chunks}", f"--reps={a.reps}"]
        proc = subprocess.run(argv, env=ENV, capture_output=True, timeout=900)
        if proc.returncode:
            raise RuntimeError(f"(c) {facade} failed:\n{proc.stderr[-3000:]!r}")
        values[f"stream_{facade}{suffix}"] = json.loads(proc.stdout.splitlines()[-1])
    return values


async def max_lag(work: Awaitable[Any]) -> tuple[Any, float]:
    """``work``'s result, and the longest a 1 ms ticker on the same loop overslept.

    An event loop is fair when no task runs long without yielding: the ticker
    then wakes about on time however busy the other tasks are.
    """
    worst = 0.0
    running = True

    async def ticker() -> None:
        nonlocal worst
        while running:
            t0 = time.perf_counter()
            await asyncio.sleep(TICK)
            worst = max(worst, time.perf_counter() - t0 - TICK)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)  # the ticker is waiting before the work starts
    try:
        result = await work
    finally:
        running = False
        await task
    return result, worst


def concurrent_child(a: argparse.Namespace) -> None:
    """Subprocess body for (d), (e), or (f) with ``--ticker``; prints a JSON line,
    ``null`` when n/a."""
    impl = importlib.import_module(IMPLS[a.child])
    rss_import = maxrss_mb()
    streams, length = (
        (a.tick_streams, a.tick_length) if a.ticker else (a.streams, a.length)
    )

    async def main() -> tuple[list[float], list[float]]:
        state = await impl.open_async(a.url)
        walls, lags = [], []
        try:
            for _ in range(a.reps + 1):  # the first run (new connections) is a warm-up
                t0 = time.perf_counter()
                work = impl.concurrent_async(state, streams, length)
                if a.ticker:
                    chunks, lag = await max_lag(work)
                    lags.append(lag)
                else:
                    chunks = await work
                walls.append(time.perf_counter() - t0)
                expect(chunks, streams * length)
        finally:
            await impl.close_async(state)
        return walls, lags

    try:
        walls, lags = asyncio.run(main())
    except NotImplementedError:
        return print("null")
    data = {"walls": walls, "lags": lags, "rss_import": rss_import, "rss": maxrss_mb()}
    print(json.dumps(data))


def child_runs(
    names: list[str], url: str, a: argparse.Namespace, ticker: bool = False
) -> dict[str, list[dict[str, Any]]]:
    """Run ``concurrent_child`` in fresh processes, alternating implementations."""
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    flags = [f"--url={url}", f"--reps={a.reps}", *(["--ticker"] if ticker else [])]
    for key in ("streams", "length", "tick_streams", "tick_length"):
        flags.append(f"--{key.replace('_', '-')}={getattr(a, key)}")
    for i in range(a.procs):
        for name in names[:: 1 if i % 2 else -1]:
            argv = [sys.executable, __file__, f"--child={name}", *flags]
            proc = subprocess.run(argv, env=ENV, capture_output=True, timeout=900)
            if proc.returncode:
                figure = "(f)" if ticker else "(d)"
                raise RuntimeError(f"{figure} {name} failed:\n{proc.stderr[-3000:]!r}")
            if data := json.loads(proc.stdout.splitlines()[-1]):
                runs[name].append(data)
    return {name: r for name, r in runs.items() if r}


def measure_ticker(names: list[str], url: str, a: argparse.Namespace) -> Values:
    """(f): the 1 ms ticker's max lag per run, median over runs (ms)."""
    runs = child_runs(names, url, a, ticker=True)
    return {
        "ticker_lag": {
            n: median(x for d in r for x in d["lags"][1:]) * 1e3
            for n, r in runs.items()
        },
        "ticker_lag_cold": {
            n: median(d["lags"][0] for d in r) * 1e3 for n, r in runs.items()
        },
        "ticker_wall": {
            n: median(w for d in r for w in d["walls"][1:]) for n, r in runs.items()
        },
    }


def measure_concurrent(names: list[str], url: str, a: argparse.Namespace) -> Values:
    """(d) and (e), each process fresh, alternating implementations."""
    runs = child_runs(names, url, a)
    return {  # the first run of each process (cold connections) is reported apart
        "concurrent": {
            n: median(w for d in r for w in d["walls"][1:]) for n, r in runs.items()
        },
        "concurrent_cold": {
            n: median(d["walls"][0] for d in r) for n, r in runs.items()
        },
        "rss": {n: median(d["rss"] for d in r) for n, r in runs.items()},
        "rss_after_import": {
            n: median(d["rss_import"] for d in r) for n, r in runs.items()
        },
    }


@contextlib.contextmanager
def fake_server(mode: str, packed: bool = False) -> Iterator[str]:
    """Yield the base URL of a fake server in a subprocess (default) or a thread.

    It sends one SSE event per HTTP chunk, or ``packed``, many per chunk.
    """
    if mode == "thread":
        from fake_server import start_in_thread

        host, port, stop = start_in_thread(packed=packed)
        try:
            yield f"http://{host}:{port}/v1"
        finally:
            stop()
        return
    argv = [sys.executable, os.path.join(BENCH, "fake_server.py"), "--port=0"]
    if packed:
        argv.append("--packed")
    with subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE) as proc:
        assert proc.stdin and proc.stdout
        try:
            yield f"http://127.0.0.1:{int(proc.stdout.readline())}/v1"
        finally:
            proc.stdin.close()  # the server exits at stdin EOF
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


def measure(impls: dict[str, Any], url: str, a: argparse.Namespace) -> Values:
    stmts = {"python": "pass", "raw": "import httpx", "click": "import click"}
    stmts["cli_help"] = CLI_HELP
    for side in ("sync", "async"):
        if module := getattr(impls.get("ours"), f"IMPORT_{side.upper()}", None):
            stmts[f"ours_{side}"] = f"import {module}"
    print(f"(a) import time, {a.import_runs} runs each")
    v = import_times(stmts, a.import_runs)
    for side in ("sync", "async"):
        v[f"import_{side}"] = {"raw": v["import_wall"]["raw"]}
        if f"ours_{side}" in v["import_wall"]:
            v[f"import_{side}"]["ours"] = v["import_wall"][f"ours_{side}"]
    v["cli_help"] = {"raw": v["import_wall"]["click"]}  # vs `import click`
    if "cli_help" in v["import_wall"]:
        v["cli_help"]["ours"] = v["import_wall"]["cli_help"]
    print(f"(b) sync and async: {a.requests} requests each, {a.procs} process(es)")
    v |= measure_latency(url, a)
    print(f"(c) sync and async: {a.reps} x {a.chunks} chunks, a fresh process each")
    v |= measure_streams(url, a)
    print(f"(d), (e): {a.streams} x {a.length} chunks, {a.procs} process(es) each")
    v |= measure_concurrent(list(impls), url, a)
    print(f"(h) Gemini streams: {a.reps} x {a.chunks} chunks, sync and async")
    v = v | stream_server.measure(gemini_stream, a.chunks, a.reps)
    print(f"(i) Responses API stream: {a.reps} x {a.chunks} chunks")
    v = v | stream_server.measure(responses_stream, a.chunks, a.reps)
    print(f"(f): {a.tick_streams} x {a.tick_length} chunks beside a 1 ms ticker")
    return v | measure_ticker(list(impls), url, a)


def measure_packed(url: str, a: argparse.Namespace) -> Values:
    """(c) again on a server that packs many events into each HTTP chunk."""
    print(f"(c) packed server, sync and async: {a.reps} x {a.chunks} chunks")
    return measure_streams(url, a, "_packed")


def fmt(x: float | None, unit: str = "") -> str:
    if x is None:
        return "n/a"
    return f"{x:,.{3 if x < 10 else 0 if x > 1e3 else 1}f} {unit}".strip()


def report(v: Values, a: argparse.Namespace) -> dict[str, Any]:
    """Print the table; return the JSON document."""
    rows = []
    print(f"\n{'figure':32} {'ours':>15} {'raw httpx':>15} {'ratio':>6} target  result")
    for key, label, unit, target, kind in FIGURES:
        ours, raw = v[key].get("ours"), v[key].get("raw")
        ratio = None if ours is None or raw is None else ours / raw
        ok = (
            None
            if ratio is None
            else ratio >= target
            if kind == "min"
            else ratio <= target
        )
        row = dict(key=key, label=label, unit=unit, ours=ours, raw=raw, ratio=ratio)
        rows.append(row | dict(target=target, kind=kind, passed=ok))
        goal = f"{'<=' if kind == 'max' else '>='}{target}"
        result = {None: "n/a", True: "PASS", False: "FAIL"}[ok]
        print(f"{label:32} {fmt(ours, unit):>15} {fmt(raw, unit):>15}", end=" ")
        print(f"{fmt(ratio):>6} {goal:6}  {result}")
    sockets = {}
    for key in ("stream_sync", "stream_sync_packed"):
        rates = v.get(key, {})
        for k, rate in rates.items():
            if "socket" in k and "raw" in rates:
                sockets[f"{key}:{k}"] = ratio = rate / rates["raw"]
                print(f"{key} {k}: {rate:,.0f} chunk/s = {ratio:.2f} x raw httpx")
    for key in ("stream_sync_packed", "stream_async_packed"):
        rates = v.get(key, {})
        if "ours" in rates and "raw" in rates:
            ours, raw = rates["ours"], rates["raw"]
            print(
                f"(c) packed, {key.split('_')[1]}: ours {ours:,.0f}, raw {raw:,.0f}",
                end="",
            )
            print(f" chunk/s, ratio {ours / raw:.3f} (for information)")
    for key in (
        "import_wall",
        "importtime_cumulative",
        "rss_after_import",
        "concurrent_cold",
        "ticker_lag_cold",
        "ticker_wall",
    ):
        print(f"{key}: {json.dumps({k: round(x, 3) for k, x in v[key].items()})}")
    meta = {
        "python": sys.version.split()[0],
        "httpx": importlib.import_module("httpx").__version__,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "loadavg_at_end": os.getloadavg(),
        "settings": {k: getattr(a, k) for k in (*COUNTS, "quick", "server")},
        "fake_server": "one SSE event per HTTP chunk (*_packed: 256 per chunk)",
    }
    print(f"load average at end: {meta['loadavg_at_end']}")
    return {"meta": meta, "figures": rows, "socket_vs_httpx": sockets, "values": v}


def main() -> None:
    p = argparse.ArgumentParser(description="llm-async benchmark vs raw httpx")
    p.add_argument("--quick", action="store_true", help="small counts: a smoke test")
    p.add_argument("--out", default=os.path.join(BENCH, "results.json"))
    p.add_argument("--server", choices=["process", "thread"], default="process")
    for key, (full, quick) in COUNTS.items():
        p.add_argument(
            f"--{key.replace('_', '-')}",
            type=int,
            help=f"default {full}, quick {quick}",
        )
    p.add_argument(
        "--no-embeddings", action="store_true", help="skip bench/embeddings.py"
    )
    p.add_argument("--skip-batch", action="store_true", help="skip bench/batch.py")
    p.add_argument(
        "--no-packed",
        action="store_true",
        help="skip (c) on the server that packs many events per HTTP chunk",
    )
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--stream-child", choices=["sync", "async"], help=argparse.SUPPRESS)
    p.add_argument("--latency-child", choices=["sync", "async"], help=argparse.SUPPRESS)
    p.add_argument("--ticker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--url", help=argparse.SUPPRESS)
    a = p.parse_args()
    for key, counts in COUNTS.items():
        if getattr(a, key) is None:
            setattr(a, key, counts[a.quick])
    if a.child:
        return concurrent_child(a)
    impls = {}
    for name, module in IMPLS.items():
        try:
            impls[name] = importlib.import_module(module)
        except Exception as exc:  # e.g. the library does not import right now
            print(f"{name}: n/a, {module}.py does not import: {exc!r}")
    if a.latency_child == "sync":
        return print(json.dumps(measure_sync(impls, a.url, a)))
    if a.latency_child == "async":
        return print(json.dumps(asyncio.run(measure_async(impls, a.url, a))))
    if a.stream_child == "sync":
        return print(json.dumps(stream_sync(impls, a.url, a)))
    if a.stream_child == "async":
        return print(json.dumps(asyncio.run(stream_async(impls, a.url, a))))
    with fake_server(a.server) as url:
        values = measure(impls, url, a)
    values |= stream_server.measure(anthropic_stream, a.chunks, a.reps)
    if not a.no_packed:
        with fake_server(a.server, packed=True) as url:
            values |= measure_packed(url, a)
    with open(a.out, "w") as f:
        json.dump(report(values, a), f, indent=2)
    print(f"wrote {a.out}")
    if not a.no_embeddings:  # (f), (g): its own figures, its own results file
        importlib.import_module("embeddings").main(["--quick"] if a.quick else [])
    if not a.skip_batch:  # many prompts at once (bench/batch.py), its own figures
        import batch

        batch.main(["--quick"] if a.quick else [])


if __name__ == "__main__":
    main()
