"""The async facade of local models: a free event loop, and safe sharing.

Not generated: these are about tasks and threads, which only the async facade
(and threads in sync code) have.
"""

from __future__ import annotations

import itertools
import threading
import time

import anyio
import pytest

import llm_async
import llm_sync
from tests.local_support import OPTIONS, SMOLLM2, load, require_smollm2

pytestmark = pytest.mark.integration

# Prompts of different lengths: their token counts tell the answers apart.
PROMPTS = ("Name three fruits.", "Name three colours of the rainbow, in order.")


@pytest.fixture(scope="module")
def alone() -> dict[str, int]:
    """Each prompt's input token count when it runs alone.

    Answers are not compared: two generations need not be bit-identical
    (thread scheduling, CPU kernels). The prompt's tokens are deterministic, so
    they show that each answer came from its own prompt.
    """
    require_smollm2()
    model = llm_sync.get_model("smollm2")
    counts = {}
    for prompt in PROMPTS:
        response = model.prompt(prompt, **OPTIONS)
        assert response.text().strip()
        counts[prompt] = response.usage().input or 0
    assert len(set(counts.values())) == len(PROMPTS), counts
    return counts


async def test_event_loop_keeps_ticking_while_the_model_generates(
    alone: dict[str, int],
) -> None:
    ticks: list[float] = []
    done = anyio.Event()

    async def ticker() -> None:
        while not done.is_set():
            ticks.append(time.monotonic())
            await anyio.sleep(0.005)

    async with anyio.create_task_group() as group:
        group.start_soon(ticker)
        await anyio.sleep(0.02)
        started = time.monotonic()
        options = {**OPTIONS, "max_tokens": 64}
        text = (
            await llm_async.get_async_model("smollm2")
            .prompt("Write a short poem about the sea.", **options)
            .text()
        )
        elapsed = time.monotonic() - started
        done.set()
    assert text
    during = [tick for tick in ticks if started <= tick <= started + elapsed]
    gaps = [later - earlier for earlier, later in itertools.pairwise(during)]
    # The loop ran all along: ticks every few ms, never a long stall.
    assert len(during) >= elapsed / 0.05
    assert max(gaps) < 0.1


async def test_concurrent_prompts_each_get_their_own_answer(
    alone: dict[str, int],
) -> None:
    model = llm_async.get_async_model("smollm2")
    answers: dict[str, list[int]] = {prompt: [] for prompt in PROMPTS}

    async def ask(prompt: str) -> None:
        response = model.prompt(prompt, **OPTIONS)
        assert (await response.text()).strip()
        answers[prompt].append((await response.usage()).input or 0)

    async with anyio.create_task_group() as group:
        for _ in range(2):
            for prompt in PROMPTS:
                group.start_soon(ask, prompt)
    for prompt in PROMPTS:
        assert answers[prompt] == [alone[prompt]] * 2


def test_threads_share_the_loaded_model_safely(alone: dict[str, int]) -> None:
    model = llm_sync.get_model("smollm2")
    answers: dict[str, int] = {}

    def ask(prompt: str) -> None:
        response = model.prompt(prompt, **OPTIONS)
        if response.text().strip():
            answers[prompt] = response.usage().input or 0

    threads = [threading.Thread(target=ask, args=(prompt,)) for prompt in PROMPTS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == alone


async def test_cancelled_prompt_frees_the_model(alone: dict[str, int]) -> None:
    model = llm_async.get_async_model("smollm2")
    with anyio.move_on_after(0.1):
        async for _chunk in model.prompt("Tell me a long story.", max_tokens=200):
            pass
    assert not load(SMOLLM2).lock.locked()
    after = model.prompt(PROMPTS[0], **OPTIONS)
    assert (await after.text()).strip()
    assert (await after.usage()).input == alone[PROMPTS[0]]


async def test_a_prompt_waiting_for_the_model_can_be_cancelled(
    alone: dict[str, int],
) -> None:
    model = llm_async.get_async_model("smollm2")
    long_answer = model.prompt("Tell me a long story.", **{**OPTIONS, "max_tokens": 80})
    async with anyio.create_task_group() as group:
        group.start_soon(long_answer.text)
        await anyio.sleep(0.05)
        started = time.monotonic()
        with anyio.move_on_after(0.05):
            await model.prompt(PROMPTS[0], **OPTIONS).text()
        waited = time.monotonic() - started
    # Cancelled while queued behind the long answer: out within ~a wait slice.
    assert waited < 0.5
    assert await long_answer.text()


def test_streams_under_trio(alone: dict[str, int]) -> None:
    import trio

    async def ask() -> tuple[list[str], str, int | None]:
        model = llm_async.get_async_model("smollm2")
        response = model.prompt(PROMPTS[0], **OPTIONS)
        chunks = [chunk async for chunk in response]
        return chunks, await response.text(), (await response.usage()).input

    chunks, text, tokens = trio.run(ask)
    assert len(chunks) > 1
    assert "".join(chunks) == text
    assert tokens == alone[PROMPTS[0]]
