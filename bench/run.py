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
from collections.abc import Callable, Iterator, Mapping
from functools import partial
from statistics import median
from typing import Any

import anthropic_stream
import gemini_stream
import responses_stream

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
    "procs": (3, 1),  # (d), (e) subprocesses per implementation
}
FIGURES = [  # key, label, unit, target for ours/raw, "max": ratio <= target
    ("import_sync", "(a) import llm_sync vs httpx", "ms", 1.5, "max"),
    ("import_async", "(a) import llm_async vs httpx", "ms", 1.5, "max"),
    ("latency_sync", "(b) non-streamed latency, sync", "ms", 1.15, "max"),
    ("latency_async", "(b) non-streamed latency, async", "ms", 1.15, "max"),
    ("stream_sync", "(c) stream throughput, sync", "chunk/s", 1.0, "min"),
    ("stream_async", "(c) stream throughput, async", "chunk/s", 1.0, "min"),
    ("concurrent", "(d) concurrent streams, wall", "s", 1.15, "max"),
    ("rss", "(e) peak RSS during (d)", "MB", 1.25, "max"),
]
FIGURES += anthropic_stream.FIGURES  # (f), measured by its own module
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
    """(b) and (c), sync, plus the raw-socket client for (c)."""
    states = {}
    for name, impl in impls.items():
        with contextlib.suppress(NotImplementedError):
            states[name] = (impl, impl.open_sync(url))

    def nonstream(impl: Any, state: Any) -> None:
        expect(impl.nonstream_sync(state, 20), "tok " * 20)

    def stream(impl: Any, state: Any) -> None:
        expect(sum(1 for _ in impl.stream_sync(state, a.chunks)), a.chunks)

    def sock(parse: bool) -> None:
        chunks = impls["raw"].raw_socket_stream(url, a.chunks, parse)
        expect(sum(1 for _ in chunks), a.chunks)

    fns = {name: partial(nonstream, *s) for name, s in states.items()}
    latency = interleaved(fns, a.requests, 5 + a.requests // 10)
    fns = {name: partial(stream, *s) for name, s in states.items()}
    fns |= {"raw-socket": partial(sock, False), "raw-socket+json": partial(sock, True)}
    seconds = interleaved(fns, a.reps, 1)
    for impl, state in states.values():
        impl.close_sync(state)
    rate = {k: a.chunks / t for k, t in seconds.items()}
    return {
        "latency_sync": {k: t * 1e3 for k, t in latency.items()},
        "stream_sync": rate,
    }


async def measure_async(
    impls: dict[str, Any], url: str, a: argparse.Namespace
) -> Values:
    """(b) and (c), async."""
    states = {}
    for name, impl in impls.items():
        with contextlib.suppress(NotImplementedError):
            states[name] = (impl, await impl.open_async(url))

    async def nonstream(impl: Any, state: Any) -> None:
        expect(await impl.nonstream_async(state, 20), "tok " * 20)

    async def stream(impl: Any, state: Any) -> None:
        expect(sum([1 async for _ in impl.stream_async(state, a.chunks)]), a.chunks)

    fns = {name: partial(nonstream, *s) for name, s in states.items()}
    latency = await ainterleaved(fns, a.requests, 5 + a.requests // 10)
    fns = {name: partial(stream, *s) for name, s in states.items()}
    seconds = await ainterleaved(fns, a.reps, 1)
    for impl, state in states.values():
        await impl.close_async(state)
    rate = {k: a.chunks / t for k, t in seconds.items()}
    return {
        "latency_async": {k: t * 1e3 for k, t in latency.items()},
        "stream_async": rate,
    }


def concurrent_child(a: argparse.Namespace) -> None:
    """Subprocess body for (d), (e); prints a JSON line, ``null`` when n/a."""
    impl = importlib.import_module(IMPLS[a.child])
    rss_import = maxrss_mb()

    async def main() -> list[float]:
        state = await impl.open_async(a.url)
        walls = []
        try:
            for _ in range(a.reps + 1):  # the first run (new connections) is a warm-up
                t0 = time.perf_counter()
                chunks = await impl.concurrent_async(state, a.streams, a.length)
                walls.append(time.perf_counter() - t0)
                expect(chunks, a.streams * a.length)
        finally:
            await impl.close_async(state)
        return walls

    try:
        walls = asyncio.run(main())
    except NotImplementedError:
        return print("null")
    print(json.dumps({"walls": walls, "rss_import": rss_import, "rss": maxrss_mb()}))


def measure_concurrent(names: list[str], url: str, a: argparse.Namespace) -> Values:
    """(d) and (e), each process fresh, alternating implementations."""
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    flags = f"--url={url} --streams={a.streams} --length={a.length} --reps={a.reps}"
    for i in range(a.procs):
        for name in names[:: 1 if i % 2 else -1]:
            argv = [sys.executable, __file__, f"--child={name}", *flags.split()]
            proc = subprocess.run(argv, env=ENV, capture_output=True, timeout=900)
            if proc.returncode:
                raise RuntimeError(f"(d) {name} failed:\n{proc.stderr[-3000:]!r}")
            if data := json.loads(proc.stdout.splitlines()[-1]):
                runs[name].append(data)
    runs = {name: r for name, r in runs.items() if r}
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
def fake_server(mode: str) -> Iterator[str]:
    """Yield the base URL of a fake server in a subprocess (default) or a thread."""
    if mode == "thread":
        from fake_server import start_in_thread

        host, port, stop = start_in_thread()
        try:
            yield f"http://{host}:{port}/v1"
        finally:
            stop()
        return
    argv = [sys.executable, os.path.join(BENCH, "fake_server.py"), "--port=0"]
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
    stmts = {"python": "pass", "raw": "import httpx"}
    for side in ("sync", "async"):
        if module := getattr(impls.get("ours"), f"IMPORT_{side.upper()}", None):
            stmts[f"ours_{side}"] = f"import {module}"
    print(f"(a) import time, {a.import_runs} runs each")
    v = import_times(stmts, a.import_runs)
    for side in ("sync", "async"):
        v[f"import_{side}"] = {"raw": v["import_wall"]["raw"]}
        if f"ours_{side}" in v["import_wall"]:
            v[f"import_{side}"]["ours"] = v["import_wall"][f"ours_{side}"]
    print(f"(b), (c) sync: {a.requests} requests; {a.reps} x {a.chunks} chunks")
    v |= measure_sync(impls, url, a)
    print(f"(b), (c) async: {a.requests} requests; {a.reps} x {a.chunks} chunks")
    v |= asyncio.run(measure_async(impls, url, a))
    print(f"(d), (e): {a.streams} x {a.length} chunks, {a.procs} process(es) each")
    v |= measure_concurrent(list(impls), url, a)
    print(f"(g) Gemini streams: {a.reps} x {a.chunks} chunks, sync and async")
    v = v | gemini_stream.measure(a.chunks, a.reps)
    print(f"(f) Responses API stream: {a.reps} x {a.chunks} chunks")
    return v | responses_stream.measure(a.chunks, a.reps)


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
    raw_rate = v["stream_sync"]["raw"]
    sockets = {k: r / raw_rate for k, r in v["stream_sync"].items() if "socket" in k}
    for k, ratio in sockets.items():
        print(f"{k}: {v['stream_sync'][k]:,.0f} chunk/s = {ratio:.2f} x raw httpx sync")
    for key in (
        "import_wall",
        "importtime_cumulative",
        "rss_after_import",
        "concurrent_cold",
    ):
        print(f"{key}: {json.dumps({k: round(x, 3) for k, x in v[key].items()})}")
    meta = {
        "python": sys.version.split()[0],
        "httpx": importlib.import_module("httpx").__version__,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "loadavg_at_end": os.getloadavg(),
        "settings": {k: getattr(a, k) for k in (*COUNTS, "quick", "server")},
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
    p.add_argument("--child", help=argparse.SUPPRESS)
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
    with fake_server(a.server) as url:
        values = measure(impls, url, a)
    values |= anthropic_stream.measure(a.chunks, a.reps)
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
