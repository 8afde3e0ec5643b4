"""Helpers for the tests that run the real SmolLM2 model and llama.cpp server.

Without llama-cpp-python or the model file those tests skip, unless
``LLM_ASYNC_REQUIRE_LOCAL`` is set (the nox ``tests`` session sets it), in which
case they fail: CI must never skip them silently.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from llm_async._core.registry import _reset as reset_registry
from llm_async.providers.llama_cpp.engine import (
    INSTALL_LOCAL,
    INSTALL_SMOLLM2,
    SMOLLM2,
    load,
)

__all__ = [
    "INSTALL_LOCAL",
    "INSTALL_SMOLLM2",
    "OPTIONS",
    "SMOLLM2",
    "llama_server",
    "load",
    "require_smollm2",
    "reset_registry",
]

# Repeatable answers: greedy sampling, a fixed seed, short outputs.
OPTIONS = {"temperature": 0, "seed": 42, "max_tokens": 24}


def require_smollm2(*, server: bool = False) -> Path:
    """The SmolLM2 GGUF file; skips (or fails, in CI) when something is missing."""
    missing = []
    if importlib.util.find_spec("llama_cpp") is None:
        missing.append(INSTALL_LOCAL)
    elif server and importlib.util.find_spec("uvicorn") is None:
        missing.append("pip install 'llm-async[local-server]'")
    path = SMOLLM2.find_file()
    if path is None:
        missing.append(INSTALL_SMOLLM2)
    if missing or path is None:
        reason = "needs: " + "; ".join(missing)
        if os.environ.get("LLM_ASYNC_REQUIRE_LOCAL"):
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def llama_server(model: Path, *, timeout: float = 120.0) -> Iterator[str]:
    """Run ``python -m llama_cpp.server`` on a free local port; yield its /v1 URL.

    Waits (at most ``timeout`` seconds) until ``/v1/models`` answers, and stops
    the server on exit.
    """
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(model),
        "--model_alias",
        "smollm2",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "2048",
    ]
    log = open(os.devnull, "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"llama_cpp.server exited with code {process.returncode}: "
                    + " ".join(command)
                )
            try:
                if (
                    httpx.get(
                        f"{base_url}/models", timeout=2, trust_env=False
                    ).status_code
                    == 200
                ):
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"llama_cpp.server not ready after {timeout}s")
            time.sleep(0.2)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
