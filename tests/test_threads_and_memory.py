"""Many threads share the registry and models; repeated calls keep no memory."""

from __future__ import annotations

import gc
import json
import threading
import tracemalloc
from pathlib import Path

import pytest

import llm_sync
from llm_async import _registry


def test_threads_resolve_models_and_prompt_concurrently(user_path: Path) -> None:
    """16 threads x 50 rounds of get_model(alias) + prompt().text(), starting
    from an unloaded registry so the first calls race plugin loading."""
    llm_sync.set_alias("threaded-echo", "echo")
    _registry._reset()
    start = threading.Barrier(16)
    failures: list[BaseException] = []

    def work(number: int) -> None:
        start.wait()
        try:
            for round_ in range(50):
                model = llm_sync.get_model("threaded-echo")
                text = model.prompt(f"thread {number} round {round_}").text()
                assert json.loads(text)["prompt"] == f"thread {number} round {round_}"
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(16)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        _registry._reset()
    assert failures == []


def _allocated_after(calls: int, stream: bool) -> int:
    model = llm_sync.get_model("echo")
    for number in range(calls):
        response = model.prompt(f"call {number}", stream=stream)
        response.text()
        response.usage()
    gc.collect()
    current, _ = tracemalloc.get_traced_memory()
    return current


@pytest.mark.parametrize("stream", [True, False])
def test_repeated_prompts_keep_no_memory(stream: bool) -> None:
    """After warm-up, 2,000 more calls leave (almost) nothing allocated: no
    cache or registry grows with every call."""
    tracemalloc.start()
    try:
        warm = _allocated_after(200, stream)
        after = _allocated_after(2000, stream)
    finally:
        tracemalloc.stop()
    # 2,000 calls that each kept even 100 bytes would add 200 kB.
    assert after - warm < 50_000, after - warm
