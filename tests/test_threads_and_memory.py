"""Many threads share the registry and models; repeated calls keep no memory."""

from __future__ import annotations

import gc
import json
import threading
import tracemalloc
from pathlib import Path

import httpx
import pytest

import llm_sync
from llm_async._core import registry as _registry
from tests.openai_support import ChatSpec


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


def _openai_answer(request: httpx.Request) -> httpx.Response:
    """A synthetic Chat Completions answer, streamed or not, or a 500."""
    body = json.loads(request.content)
    if body["messages"][-1]["content"] == "fail":
        return httpx.Response(500, json={"error": {"message": "synthetic failure"}})
    if not body.get("stream"):
        message = {"role": "assistant", "content": "pong"}
        return httpx.Response(
            200,
            json={
                "id": "x",
                "model": "m",
                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 3, "completion_tokens": 1},
            },
        )
    chunks = [
        {"id": "x", "choices": [{"index": 0, "delta": {"content": word}}]}
        for word in ("po", "ng")
    ]
    chunks.append({"id": "x", "choices": [{"index": 0, "finish_reason": "stop"}]})
    sse = "".join(f"data: {json.dumps(chunk)}\n\n" for chunk in chunks)
    return httpx.Response(
        200,
        headers={"content-type": "text/event-stream"},
        content=(sse + "data: [DONE]\n\n").encode(),
    )


@pytest.mark.parametrize(
    ("prompt", "stream"),
    [("ping", True), ("ping", False), ("fail", True), ("fail", False)],
    ids=["stream", "whole", "stream-error", "whole-error"],
)
def test_repeated_http_calls_keep_no_memory(prompt: str, stream: bool) -> None:
    """The OpenAI provider and transport over a mock HTTP layer (no recorder
    that would keep every request): 1,500 calls after warm-up, successes and
    server errors, leave (almost) nothing allocated."""
    spec = ChatSpec("soak", base_url="https://soak.invalid/v1", needs_key=None)
    transport = llm_sync.Transport(
        transport_factory=lambda: httpx.MockTransport(_openai_answer)
    )
    model = llm_sync.HTTPModel(
        spec.model_id, spec.provider(), transport=transport, **spec.model_kwargs()
    )

    def calls(count: int) -> int:
        for _ in range(count):
            response = model.prompt(prompt, stream=stream, max_retries=0)
            try:
                assert response.text() == "pong"
            except llm_sync.ServerError:
                assert prompt == "fail"
        gc.collect()
        return tracemalloc.get_traced_memory()[0]

    tracemalloc.start()
    try:
        warm = calls(200)
        after = calls(1500)
    finally:
        tracemalloc.stop()
        transport.close()
    assert after - warm < 50_000, after - warm
