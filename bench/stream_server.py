"""What the provider stream figures share: their loopback server and how they run.

Each provider module (``anthropic_stream.py``, ``gemini_stream.py``,
``responses_stream.py``) describes its wire format and its two sides; this
module serves the format and runs the figures:

- **the server** (``python MODULE.py --serve``, a subprocess, so that it does
  not compete for the measuring process's GIL): a ``ThreadingHTTPServer`` on
  127.0.0.1 answering every POST with the events of ``module.events(request,
  chunks)``, **each SSE event its own HTTP chunk** (chunked transfer-encoding),
  as the providers' own servers send them, written 256 events per write so that
  the server is not the bottleneck. ``--packed`` instead sends the whole body
  with a ``content-length``, which a client reads in large socket reads (many
  events per read: for information).
- **the figures**: each facade's figure (sync, async) is measured in a fresh
  process of its own (``--facade``), against a fresh server, so that no figure
  inherits another's heap, connections or server state; within it the two
  sides alternate, one warm-up round, then the median of ``reps``.

A module provides ``FIGURES`` (the sync then the async row of ``run.py``'s
table), ``events(request, chunks) -> list[bytes]``, and ``measure_sync(url,
chunks, reps)`` / ``async measure_async(url, chunks, reps)`` returning chunks
per second per side (``url``: the server's root, ``http://127.0.0.1:PORT``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import ModuleType
from typing import Any

BENCH = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(os.path.dirname(BENCH), "src")
BATCH = 256  # SSE events per write
Values = dict[str, dict[str, float]]


def _frame(data: bytes) -> bytes:
    """One chunk of chunked transfer-encoding."""
    return b"%x\r\n%s\r\n" % (len(data), data)


def writes(events: list[bytes], packed: bool) -> tuple[list[bytes], dict[str, str]]:
    """The body's writes and framing header: one HTTP chunk per event, or packed."""
    if packed:
        body = b"".join(events)
        return [body], {"content-length": str(len(body))}
    frames = [
        b"".join(map(_frame, events[i : i + BATCH]))
        for i in range(0, len(events), BATCH)
    ]
    frames.append(b"0\r\n\r\n")
    return frames, {"transfer-encoding": "chunked"}


def serve(module: ModuleType, chunks: int, packed: bool) -> None:
    """Serve ``module``'s stream on a free port, print the URL, run until stdin EOF."""
    cache: dict[str, tuple[list[bytes], dict[str, str]]] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length") or 0))
            key = f"{self.path} {raw.decode()}"
            if key not in cache:
                cache[key] = writes(module.events(json.loads(raw), chunks), packed)
            body, framing = cache[key]
            self.send_response(200)
            self.send_header("content-type", "text/event-stream; charset=utf-8")
            for name, value in framing.items():
                self.send_header(name, value)
            self.end_headers()
            for write in body:
                self.wfile.write(write)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    import threading

    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()
    server.shutdown()


@contextlib.contextmanager
def server(module: ModuleType, chunks: int, packed: bool) -> Iterator[str]:
    """Run ``module``'s server in a subprocess; yield its root URL."""
    argv = [sys.executable, module.__file__, "--serve", f"--chunks={chunks}"]
    argv += ["--packed"] if packed else []
    with subprocess.Popen(
        argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdin is not None and proc.stdout is not None
        try:
            yield proc.stdout.readline().strip()
        finally:
            proc.stdin.close()  # the server exits at stdin EOF
            proc.wait(timeout=10)


def measure_here(
    module: ModuleType, facade: str, chunks: int, reps: int, packed: bool
) -> dict[str, float]:
    """One facade's figure, in this process, against a fresh server."""
    if SRC not in sys.path:
        sys.path.insert(1, SRC)
    with server(module, chunks, packed) as url:
        if facade == "sync":
            return dict(module.measure_sync(url, chunks, reps))
        return dict(asyncio.run(module.measure_async(url, chunks, reps)))


def measure(module: ModuleType, chunks: int, reps: int, packed: bool = False) -> Values:
    """Both of ``module``'s figures, each in a fresh process; keyed as ``FIGURES``."""
    values: Values = {}
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([SRC, os.getenv("PYTHONPATH", "")]),
    }
    for (key, *_), facade in zip(module.FIGURES, ("sync", "async"), strict=True):
        argv = [
            sys.executable,
            module.__file__,
            f"--facade={facade}",
            f"--chunks={chunks}",
            f"--reps={reps}",
        ]
        argv += ["--packed"] if packed else []
        proc = subprocess.run(
            argv, env=env, capture_output=True, text=True, timeout=900
        )
        if proc.returncode:
            raise RuntimeError(f"{key} failed:\n{proc.stderr[-3000:]}")
        values[key] = json.loads(proc.stdout.splitlines()[-1])
    return values


def main(module: ModuleType, argv: list[str] | None = None) -> None:
    """A provider module's command line: both figures, a table; or one part."""
    p = argparse.ArgumentParser(description=(module.__doc__ or "").splitlines()[0])
    p.add_argument("--chunks", type=int, default=20_000)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument(
        "--packed",
        action="store_true",
        help="the whole body in large reads, not one HTTP chunk per event",
    )
    p.add_argument(
        "--facade",
        choices=["sync", "async"],
        help="measure one facade here, print JSON",
    )
    p.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.serve:
        return serve(module, a.chunks, a.packed)
    if a.facade:
        return print(
            json.dumps(measure_here(module, a.facade, a.chunks, a.reps, a.packed))
        )
    values = measure(module, a.chunks, a.reps, a.packed)
    for key, label, unit, target, _kind in module.FIGURES:
        ours, raw = values[key]["ours"], values[key]["raw"]
        verdict = "PASS" if ours / raw >= target else "FAIL"
        print(
            f"{label:32} ours {ours:>10,.0f} {unit}  raw {raw:>10,.0f} {unit}  "
            f"ratio {ours / raw:.3f} (>= {target})  {verdict}"
        )
