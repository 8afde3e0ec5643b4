"""model.prompt_many() under trio (not generated): the batch's task group,
waits and cancellation run on anyio, so they must work on trio as on asyncio."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from contextlib import aclosing
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import respx
import trio

import llm_async
from llm_async import AsyncHTTPModel, AsyncScriptedModel, ScriptedReply
from tests.synthetic_anthropic_batches import KEY, SPEC, SyntheticMessageBatches

ROOT = Path(__file__).resolve().parents[1]


def load_bench() -> ModuleType:
    """bench/batch.py: its loopback server (a subprocess) speaks Chat Completions."""
    path = ROOT / "bench" / "batch.py"
    spec = importlib.util.spec_from_file_location("bench_batch_under_trio", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[ModuleType]:
    monkeypatch.setenv("LLM_USER_PATH", str(tmp_path))
    yield load_bench()


def chat_model(url: str) -> Any:
    llm_async.register_openai_compatible(
        "trio-batch", base_url=url, model_name="gpt-4o-mini"
    )
    return llm_async.get_async_model("trio-batch")


def test_prompt_many_under_trio(bench: ModuleType) -> None:
    prompts = {f"k{i}": f"prompt {i}" for i in range(60)}

    async def run() -> list[llm_async.BatchResult]:
        model = chat_model(url)
        return [r async for r in model.prompt_many(prompts, initial_concurrency=4)]

    with bench.fake_server(rate=None) as url:
        results = trio.run(run)
    assert sorted(r.key for r in results) == sorted(prompts)
    for result in results:
        assert result.ok, result.error
        assert result.text == f"echo: {prompts[str(result.key)]}"


def test_rate_limited_batch_under_trio_retries_the_429s(bench: ModuleType) -> None:
    # 5 requests per 0.2 s window: 429s with Retry-After, and waits for resets.
    async def run() -> list[llm_async.BatchResult]:
        model = chat_model(url)
        many = model.prompt_many(
            [f"prompt {i}" for i in range(20)], ordered=True, max_attempts=10
        )
        return [r async for r in many]

    with bench.fake_server(rate=5, window=0.2) as url:
        results = trio.run(run)
        stats = bench.server_stats(url)
    assert [r.key for r in results] == list(range(20))
    assert all(r.ok and r.text == f"echo: prompt {r.key}" for r in results)
    assert stats["ok"] == 20  # each prompt answered once; 429s retried
    assert sum(r.attempts for r in results) == 20 + len(stats["limited"])


def test_leaving_early_under_trio_cancels_the_requests_in_flight() -> None:
    replies = ["first", *[ScriptedReply(chunks=["late"], delay=3600)] * 5]
    model = AsyncScriptedModel(replies)

    async def run() -> str | None:
        with trio.fail_after(30):  # a guard: the late replies never come
            many = model.prompt_many(["a", "b", "c", "d", "e", "f"])
            async with aclosing(many) as results:
                async for result in results:
                    return result.text
        return None

    assert trio.run(run) == "first"


def test_failures_under_trio_are_reported_per_prompt() -> None:
    model = AsyncScriptedModel(
        ["one", ScriptedReply(error=llm_async.ModelError("broken")), "three"]
    )

    async def run() -> list[llm_async.BatchResult]:
        many = model.prompt_many(
            ["a", "b", "c"], ordered=True, initial_concurrency=1, max_concurrency=1
        )
        return [r async for r in many]

    results = trio.run(run)
    assert [r.text for r in results] == ["one", None, "three"]
    assert isinstance(results[1].error, llm_async.ModelError)


def test_message_batches_engine_under_trio() -> None:
    base = "https://claude.example"

    async def run() -> list[llm_async.BatchResult]:
        model = AsyncHTTPModel(
            SPEC.model_id, SPEC.provider(base), **SPEC.model_kwargs()
        )
        model.key = KEY
        many = model.prompt_many(
            {"a": "hello", "b": "FAIL"}, engine="batch_api", poll_interval=0.01
        )
        return [r async for r in many]

    with respx.mock:
        api = SyntheticMessageBatches(base, polls_before_done=2)
        api.mount(respx)
        results = trio.run(run)
    by_key = {r.key: r for r in results}
    assert by_key["a"].text == "Synthetic answer: hello"
    assert isinstance(by_key["b"].error, llm_async.BadRequestError)
    assert api.polls == 3
