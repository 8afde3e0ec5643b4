"""model.prompt_many(): results, order, failures, retries, rate limits, the store,
budgets and the batch API engine: OpenAI's Batch API and Anthropic's Message
Batches (synthetic fixtures, no recording)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

import llm_async as llm
from llm_async import AsyncHTTPModel, AsyncScriptedModel, ScriptedReply
from tests.synthetic_anthropic_batches import KEY, SPEC, SyntheticMessageBatches
from tests.synthetic_batch_api import SyntheticBatchAPI, chat_provider, limit_jobs
from tests.synthetic_openai_server import synthetic_openai

BASE = "https://batch.example/v1"
CHAT = f"{BASE}/chat/completions"
ANTHROPIC = "https://claude.example"


def openai_model() -> AsyncHTTPModel:
    return AsyncHTTPModel("gpt-test", chat_provider("gpt-test", BASE), needs_key=None)


def claude_model(base_url: str = ANTHROPIC) -> AsyncHTTPModel:
    model = AsyncHTTPModel(
        SPEC.model_id, SPEC.provider(base_url), **SPEC.model_kwargs()
    )
    model.key = KEY
    return model


async def collect(iterator: Any) -> list[llm.BatchResult]:
    return [result async for result in iterator]


async def test_every_prompt_gets_its_result_with_key_text_and_usage() -> None:
    model = llm.AsyncEchoModel()
    prompts = [f"prompt {i}" for i in range(40)]
    results = await collect(model.prompt_many(prompts, progress=False))
    assert sorted(r.key for r in results) == list(range(40))
    for result in results:
        assert result.ok and result.error is None
        assert json.loads(result.text or "")["prompt"] == f"prompt {result.key}"
        assert result.usage is not None and result.attempts == 1


async def test_keys_from_a_mapping_and_from_dicts() -> None:
    model = llm.AsyncEchoModel()
    results = await collect(model.prompt_many({"a": "one", "b": {"prompt": "two"}}))
    assert {r.key: json.loads(r.text or "")["prompt"] for r in results} == {
        "a": "one",
        "b": "two",
    }
    results = await collect(
        model.prompt_many([{"key": "x", "prompt": "p", "system": "s"}], ordered=True)
    )
    assert json.loads(results[0].text or "")["system"] == "s"


async def test_shared_arguments_apply_to_every_prompt() -> None:
    model = llm.AsyncEchoModel()
    results = await collect(model.prompt_many(["a", "b"], system="be brief"))
    assert {json.loads(r.text or "")["system"] for r in results} == {"be brief"}


async def test_ordered_results_come_in_input_order() -> None:
    replies = [
        ScriptedReply(chunks=[str(i)], delay=0.001 * (20 - i)) for i in range(20)
    ]
    model = AsyncScriptedModel(replies)
    results = await collect(
        model.prompt_many([str(i) for i in range(20)], ordered=True)
    )
    assert [r.key for r in results] == list(range(20))


async def test_a_failure_is_reported_and_the_batch_goes_on() -> None:
    model = AsyncScriptedModel(
        ["fine", ScriptedReply(error=llm.ModelError("broken")), "also fine"]
    )
    results = await collect(
        model.prompt_many(["a", "b", "c"], ordered=True, initial_concurrency=1)
    )
    assert [r.ok for r in results] == [True, False, True]
    assert isinstance(results[1].error, llm.ModelError)
    assert results[1].text is None and str(results[1].error) == "broken"


@respx.mock
async def test_429_with_retry_after_is_retried_by_the_batch() -> None:
    route = respx.post(CHAT).mock(
        side_effect=[
            httpx.Response(
                429,
                json={"error": {"message": "slow down"}},
                headers={"retry-after-ms": "10"},
            ),
            *[synthetic_openai] * 3,
        ]
    )
    model = openai_model()
    results = await collect(model.prompt_many(["a", "b"], initial_concurrency=1))
    assert all(r.ok for r in results)
    assert sorted(r.attempts for r in results) == [1, 2]
    # The batch retries itself: each request was sent with max_retries=0,
    # so one 429 cost exactly one more request.
    assert route.call_count == 3


@respx.mock
async def test_non_retryable_errors_are_not_retried() -> None:
    route = respx.post(CHAT).mock(
        return_value=httpx.Response(400, json={"error": {"message": "bad"}})
    )
    results = await collect(openai_model().prompt_many(["a"], max_attempts=3))
    assert isinstance(results[0].error, llm.BadRequestError)
    assert route.call_count == 1 and results[0].attempts == 1


@respx.mock
async def test_retryable_failures_stop_after_max_attempts() -> None:
    route = respx.post(CHAT).mock(
        return_value=httpx.Response(
            429, json={"error": {"message": "no"}}, headers={"retry-after-ms": "1"}
        )
    )
    results = await collect(openai_model().prompt_many(["a"], max_attempts=3))
    assert isinstance(results[0].error, llm.RateLimitError)
    assert route.call_count == 3 and results[0].attempts == 3


@respx.mock
async def test_rate_limit_headers_hold_requests_until_the_window_resets() -> None:
    sent: list[int] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(len(sent))
        response = synthetic_openai(request)
        remaining = max(0, 2 - len(sent))
        response.headers.update(
            {
                "x-ratelimit-limit-requests": "2",
                "x-ratelimit-remaining-requests": str(remaining),
                "x-ratelimit-reset-requests": "50ms",
            }
        )
        return response

    respx.post(CHAT).mock(side_effect=answer)
    model = openai_model()
    run = model.prompt_many(["a", "b", "c"], initial_concurrency=1)
    results = await collect(run)
    assert all(r.ok for r in results) and len(sent) == 3


@pytest.mark.parametrize("name", ["results.jsonl", "results.db"])
async def test_store_resumes_and_skips_what_is_done(tmp_path: Path, name: str) -> None:
    store = tmp_path / name
    model = AsyncScriptedModel(
        ["one", ScriptedReply(error=llm.ModelError("boom")), "three"]
    )
    first = await collect(
        model.prompt_many(["a", "b", "c"], store=store, initial_concurrency=1)
    )
    assert sum(r.ok for r in first) == 2
    assert store.exists()
    model.add("two")
    second = await collect(
        model.prompt_many(["a", "b", "c"], store=store, ordered=True)
    )
    assert [r.text for r in second] == ["one", "two", "three"]
    assert [r.from_store for r in second] == [True, False, True]
    assert len(model.prompts) == 4  # only the failed prompt was sent again
    # A changed prompt under a done key is sent again.
    model.add("changed")
    third = await collect(model.prompt_many(["a", "B", "c"], store=store))
    assert {r.key: r.text for r in third}[1] == "changed"


async def test_budget_stops_sending_and_reports_the_rest() -> None:
    model = llm.AsyncEchoModel()
    results = await collect(
        model.prompt_many(
            ["a"] * 5, max_total_requests=2, initial_concurrency=1, max_concurrency=1
        )
    )
    assert sum(r.ok for r in results) == 2
    over = [r.error for r in results if not r.ok]
    assert len(over) == 3
    assert all(isinstance(e, llm.BudgetExceededError) for e in over)
    assert "max_total_requests=2" in str(over[0])


async def test_token_budget() -> None:
    model = llm.AsyncEchoModel()  # 7 tokens a prompt
    results = await collect(
        model.prompt_many(
            ["a"] * 4, max_total_tokens=10, initial_concurrency=1, max_concurrency=1
        )
    )
    assert sum(r.ok for r in results) == 2


def test_bad_arguments_raise_at_once() -> None:
    model = llm.AsyncEchoModel()
    with pytest.raises(TypeError, match="not one string"):
        model.prompt_many("one prompt")
    with pytest.raises(ValueError, match="Duplicate batch key 'a'"):
        model.prompt_many([{"key": "a", "prompt": "x"}, {"key": "a", "prompt": "y"}])
    with pytest.raises(ValueError, match="engine must be one of"):
        model.prompt_many(["a"], engine="magic")
    with pytest.raises(ValueError, match="initial_concurrency"):
        model.prompt_many(["a"], initial_concurrency=0)
    with pytest.raises(TypeError, match="must be str or int"):
        model.prompt_many({(1, 2): "x"})


async def test_progress_true_shows_a_bar(capsys: pytest.CaptureFixture[str]) -> None:
    await collect(llm.AsyncEchoModel().prompt_many(["a", "b"], progress=True))
    assert "2/2" in capsys.readouterr().err


async def test_no_progress_bar_when_not_a_terminal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    await collect(llm.AsyncEchoModel().prompt_many(["a", "b"]))
    assert capsys.readouterr().err == ""


# The OpenAI Batch API engine, against a synthetic server ---------------------------


@respx.mock
async def test_batch_api_engine_uploads_polls_and_maps_results() -> None:
    api = SyntheticBatchAPI(BASE, polls_before_done=2)
    api.mount(respx)
    model = openai_model()
    prompts = {"first": "hello", "second": "world", "bad": "FAIL"}
    results = await collect(
        model.prompt_many(prompts, engine="batch_api", poll_interval=0.001)
    )
    by_key = {r.key: r for r in results}
    assert by_key["first"].text == "Synthetic answer: hello"
    assert by_key["second"].usage == llm.Usage(input=11, output=7, details={})
    assert isinstance(by_key["bad"].error, llm.BadRequestError)
    assert api.polls == 3
    lines = api.uploaded_lines()
    assert [line["custom_id"] for line in lines] == ["first", "second", "bad"]
    assert lines[0]["url"] == "/v1/chat/completions"
    assert lines[0]["body"]["messages"] == [{"role": "user", "content": "hello"}]


@respx.mock
async def test_batch_api_expired_batch_gives_typed_errors_to_the_rest() -> None:
    api = SyntheticBatchAPI(BASE, final_status="expired", answered=1)
    api.mount(respx)
    results = await collect(
        openai_model().prompt_many(["a", "b"], engine="batch_api", poll_interval=0)
    )
    assert results[0].text == "Synthetic answer: a"
    error = results[1].error
    assert isinstance(error, llm.BatchExpiredError)
    assert error.batch_id == api.batch_id and error.status == "expired"


@respx.mock
async def test_batch_api_failed_batch() -> None:
    api = SyntheticBatchAPI(BASE, final_status="failed", answered=0)
    api.mount(respx)
    results = await collect(
        openai_model().prompt_many(["a"], engine="batch_api", poll_interval=0)
    )
    assert isinstance(results[0].error, llm.BatchFailedError)
    assert "invalid_request" in str(results[0].error)


@respx.mock
async def test_batch_api_splits_prompts_beyond_one_jobs_limits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    limit_jobs(monkeypatch, max_requests=2)
    api = SyntheticBatchAPI(BASE, polls_before_done=1)
    api.mount(respx)
    prompts = {f"p{i}": f"prompt {i}" for i in range(5)}
    results = await collect(
        openai_model().prompt_many(prompts, engine="batch_api", poll_interval=0)
    )
    assert {r.key: r.text for r in results} == {
        key: f"Synthetic answer: {text}" for key, text in prompts.items()
    }
    assert [
        [line["custom_id"] for line in api.uploaded_lines(job)] for job in range(3)
    ] == [["p0", "p1"], ["p2", "p3"], ["p4"]]
    assert api.job_polls == [2, 2, 2]  # polled together, each until done


@respx.mock
async def test_batch_api_a_refused_job_fails_only_its_own_prompts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    limit_jobs(monkeypatch, max_bytes=1_000)  # about 2 prompts a job
    api = SyntheticBatchAPI(BASE, refuse_upload=1)
    api.mount(respx)
    prompts = {f"p{i}": f"prompt {i}" for i in range(6)}
    results = {
        r.key: r
        for r in await collect(
            openai_model().prompt_many(prompts, engine="batch_api", poll_interval=0)
        )
    }
    refused = {key for key, result in results.items() if result.error is not None}
    assert refused and len(refused) < len(prompts)
    for key in refused:
        assert isinstance(results[key].error, llm.BadRequestError)
        assert "Synthetic refusal" in str(results[key].error)
    for key in prompts.keys() - refused:
        assert results[key].text == f"Synthetic answer: {prompts[key]}"
    assert {line["custom_id"] for line in api.uploaded_lines()} == (
        prompts.keys() - refused
    )


async def test_batch_api_needs_an_openai_or_anthropic_model() -> None:
    with pytest.raises(llm.BatchError, match="engine='direct'"):
        await collect(llm.AsyncEchoModel().prompt_many(["a"], engine="batch_api"))


@respx.mock
async def test_batch_api_keys_that_are_the_same_as_text_get_index_ids() -> None:
    api = SyntheticBatchAPI(BASE)
    api.mount(respx)
    results = await collect(
        openai_model().prompt_many({1: "one", "1": "text one"}, engine="batch_api")
    )
    assert {r.key: r.text for r in results} == {
        1: "Synthetic answer: one",
        "1": "Synthetic answer: text one",
    }
    assert [line["custom_id"] for line in api.uploaded_lines()] == [
        "request-0",
        "request-1",
    ]


# Anthropic's Message Batches, against a synthetic server ----------------------------


@respx.mock
async def test_message_batches_create_poll_and_map_results_by_custom_id() -> None:
    api = SyntheticMessageBatches(ANTHROPIC, polls_before_done=2)
    api.mount(respx)
    prompts = {
        "first": "hello",
        "second": {"prompt": "world", "system": "be brief"},
        "bad": "FAIL",
        "json": {"prompt": "give JSON", "prefill": "{"},
    }
    results = await collect(
        claude_model().prompt_many(prompts, engine="batch_api", poll_interval=0.001)
    )
    by_key = {r.key: r for r in results}
    assert by_key["first"].text == "Synthetic answer: hello"
    assert by_key["second"].text == "Synthetic answer: world"
    assert by_key["first"].usage == llm.Usage(input=11, output=7, details={})
    # The answer is read for its own prompt: the prefill comes first.
    assert by_key["json"].text == "{} Synthetic continuation"
    error = by_key["bad"].error
    assert isinstance(error, llm.BadRequestError)
    assert "Synthetic invalid request" in str(error) and by_key["bad"].text is None
    assert api.polls == 3
    sent = api.created["requests"]
    assert [entry["custom_id"] for entry in sent] == ["first", "second", "bad", "json"]
    params = sent[1]["params"]
    # The body the prompt would have been sent with alone, not streamed.
    assert params == {
        "model": "claude-synthetic",
        "messages": [{"role": "user", "content": [{"type": "text", "text": "world"}]}],
        "system": "be brief",
        "max_tokens": 256,
    }
    # Create, polls and results all go with the model's key and API version.
    assert len(api.headers) == 5
    assert {h["x-api-key"] for h in api.headers} == {KEY}
    assert {h["anthropic-version"] for h in api.headers} == {"2023-06-01"}


@respx.mock
async def test_message_batches_expired_requests_get_batch_expired_errors() -> None:
    api = SyntheticMessageBatches(ANTHROPIC, answered=1)
    api.mount(respx)
    results = await collect(
        claude_model().prompt_many(
            ["a", "b", "c"], engine="batch_api", poll_interval=0, ordered=True
        )
    )
    assert results[0].text == "Synthetic answer: a"
    for result in results[1:]:
        assert isinstance(result.error, llm.BatchExpiredError)
        assert result.error.batch_id == api.batch_id
        assert result.error.status == "expired" and result.text is None


@respx.mock
async def test_message_batches_canceled_requests_get_batch_failed_errors() -> None:
    api = SyntheticMessageBatches(ANTHROPIC, answered=0, unanswered="canceled")
    api.mount(respx)
    results = await collect(
        claude_model().prompt_many(["a"], engine="batch_api", poll_interval=0)
    )
    error = results[0].error
    assert isinstance(error, llm.BatchFailedError) and error.status == "canceled"


@respx.mock
async def test_message_batches_take_any_key() -> None:
    api = SyntheticMessageBatches(ANTHROPIC)
    api.mount(respx)
    prompts = {"row 1": "one", "row/2": "two"}  # not valid custom ids
    results = await collect(
        claude_model().prompt_many(prompts, engine="batch_api", poll_interval=0)
    )
    assert {r.key: r.text for r in results} == {
        "row 1": "Synthetic answer: one",
        "row/2": "Synthetic answer: two",
    }
    sent = [entry["custom_id"] for entry in api.created["requests"]]
    assert sent == ["request-0", "request-1"]


@respx.mock
async def test_message_batches_refused_gives_every_prompt_the_error() -> None:
    respx.post(f"{ANTHROPIC}/v1/messages/batches").mock(
        return_value=httpx.Response(
            401,
            json={
                "type": "error",
                "error": {
                    "type": "authentication_error",
                    "message": "invalid x-api-key",
                },
            },
        )
    )
    results = await collect(
        claude_model().prompt_many(["a", "b"], engine="batch_api", poll_interval=0)
    )
    assert all(isinstance(r.error, llm.AuthenticationError) for r in results)
    assert KEY not in str(results[0].error)
