"""The sans-I/O parts of batches: limiter, rate-limit headers, records, store,
pickling of models, prompts, options, results and errors."""

from __future__ import annotations

import json
import pickle
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest

import llm_async
import llm_sync
from llm_async._core.batch_records import BatchResult, batch_items
from llm_async._core.batch_stores import JSONLStore, SQLiteStore, open_store
from llm_async._http.batch_limiter import AdaptiveLimiter
from llm_async._http.ratelimit import RateWindow, parse_duration, parse_rate_limits
from llm_async._io.transport import AsyncTransport


def test_parse_durations() -> None:
    assert parse_duration("1s") == 1.0
    assert parse_duration("6m0s") == 360.0
    assert parse_duration("20ms") == 0.02
    assert parse_duration("1h2m3.5s") == 3723.5
    assert parse_duration("2.5") == 2.5
    assert parse_duration("soon") is None
    assert parse_duration("1s garbage") is None


def test_openai_and_anthropic_headers() -> None:
    openai = {
        "x-ratelimit-limit-requests": "500",
        "x-ratelimit-remaining-requests": "499",
        "x-ratelimit-reset-requests": "120ms",
        "x-ratelimit-limit-tokens": "30000",
        "x-ratelimit-remaining-tokens": "29000",
        "x-ratelimit-reset-tokens": "2s",
    }
    assert parse_rate_limits(openai) == [
        RateWindow("requests", 500, 499, 0.12),
        RateWindow("tokens", 30000, 29000, 2.0),
    ]
    anthropic = {
        "anthropic-ratelimit-requests-limit": "50",
        "anthropic-ratelimit-requests-remaining": "0",
        "anthropic-ratelimit-requests-reset": "2024-01-01T00:00:30Z",
    }
    now = 1704067200.0  # 2024-01-01T00:00:00Z
    assert parse_rate_limits(anthropic, now) == [RateWindow("requests", 50, 0, 30.0)]
    assert parse_rate_limits({"content-type": "application/json"}) == []


def test_concurrency_grows_while_it_is_the_limit_and_halves_on_overload() -> None:
    limiter = AdaptiveLimiter(initial=4, maximum=100)
    numbers = [limiter.start(0.0) for _ in range(4)]
    assert limiter.wait_time(0.0) is None  # full
    for number in numbers:
        limiter.finish(number, 0.1)
    assert limiter.limit > 4  # slow start: grew while saturated
    grown = limiter.limit
    idle = AdaptiveLimiter(initial=4)
    idle.finish(idle.start(0.0), 0.1)
    assert idle.limit == 4  # never full: no reason to grow
    first, second = limiter.start(1.0), limiter.start(1.0)
    limiter.finish(first, 1.1, status=429, retry_after=2.0)
    limiter.finish(second, 1.1, status=429, retry_after=2.0)
    assert limiter.limit == grown // 2  # once per episode
    assert limiter.decreases == 1 and limiter.overloads == 2
    assert limiter.wait_time(1.2) == pytest.approx(1.9)  # Retry-After honoured
    assert limiter.wait_time(3.2) == 0.0


def test_overload_without_retry_after_backs_off_exponentially() -> None:
    limiter = AdaptiveLimiter(backoff=1.0)
    limiter.finish(limiter.start(0.0), 0.0, status=529)
    assert limiter.wait_time(0.0) == pytest.approx(1.0)
    limiter.finish(limiter.start(1.0), 1.0, status=503)
    assert limiter.wait_time(1.0) == pytest.approx(2.0)


def test_requests_window_holds_starts_until_reset() -> None:
    limiter = AdaptiveLimiter(initial=10)
    first = limiter.start(0.0)
    limiter.start(0.0)  # sent after the first: not in its report
    headers = {
        "x-ratelimit-limit-requests": "3",
        "x-ratelimit-remaining-requests": "2",
        "x-ratelimit-reset-requests": "500ms",
    }
    limiter.observe(first, headers, now=0.01)
    assert limiter.wait_time(0.02) == 0.0  # one left: 2 minus the one in flight
    limiter.start(0.02)
    wait = limiter.wait_time(0.03)
    assert wait is not None and 0.48 < wait < 0.5
    assert limiter.wait_time(0.52) == 0.0  # a new window
    limiter.start(0.52)
    # A late report from the old window does not undo the new one's count.
    limiter.observe(first, headers, now=0.53)
    assert limiter.wait_time(0.53) == 0.0


def test_requests_per_minute_spaces_starts() -> None:
    limiter = AdaptiveLimiter(requests_per_minute=120)
    limiter.start(0.0)
    assert limiter.wait_time(0.1) == pytest.approx(0.4)


def test_limiter_rejects_bad_settings() -> None:
    with pytest.raises(ValueError, match="minimum <= initial <= maximum"):
        AdaptiveLimiter(initial=10, maximum=5)
    with pytest.raises(ValueError, match="requests_per_minute"):
        AdaptiveLimiter(requests_per_minute=0)


def test_batch_items() -> None:
    items = batch_items(["a", {"key": "k", "prompt": "b", "system": "s"}])
    assert [(i.key, i.index) for i in items] == [(0, 0), ("k", 1)]
    assert items[1].arguments == {"prompt": "b", "system": "s"}
    with pytest.raises(ValueError, match="neither 'prompt' nor 'messages'"):
        batch_items([{"system": "s"}])
    with pytest.raises(TypeError, match="prompt string or a dict"):
        batch_items([3.5])


def test_store_reads_back_successes_and_survives_a_torn_line(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    items = batch_items(["a", "b"])
    store = JSONLStore(path)
    store.write(items[0], BatchResult(0, text="A", usage=llm_async.Usage(1, 2)))
    store.write(items[1], BatchResult(1, error=llm_async.ModelError("no")))
    store.close()
    with path.open("a") as file:
        file.write('{"key": 1, "te')  # the run was killed mid-line
    done = JSONLStore(path).done()
    assert list(done) == [0]
    digest, result = done[0]
    assert digest == items[0].fingerprint()
    assert result.text == "A" and result.usage == llm_async.Usage(1, 2, None)
    again = JSONLStore(path)
    again.write(items[1], BatchResult(1, text="B"))
    again.close()
    assert sorted(JSONLStore(path).done()) == [0, 1]
    assert json.loads(path.read_text().splitlines()[1])["error"] == {
        "type": "ModelError",
        "message": "no",
    }


def test_sqlite_store_keeps_the_latest_result_of_each_key(tmp_path: Path) -> None:
    path = tmp_path / "out.db"
    items = batch_items({1: "a", "1": "b", "x": "c"})
    store = open_store(path)
    assert isinstance(store, SQLiteStore)
    store.write(items[0], BatchResult(1, text="A", usage=llm_async.Usage(1, 2)))
    store.write(items[1], BatchResult("1", error=llm_async.ModelError("no")))
    store.write(items[2], BatchResult("x", text="C", attempts=2))
    store.close()  # as if the process ended; the rows stay
    done = SQLiteStore(path).done()
    assert set(done) == {1, "x"}  # 1 and "1" stay different keys
    digest, result = done[1]
    assert digest == items[0].fingerprint() and result.from_store
    assert result.text == "A" and result.usage == llm_async.Usage(1, 2, None)
    assert done["x"][1].attempts == 2
    again = SQLiteStore(path)
    again.write(items[1], BatchResult("1", text="B"))  # the rerun's success
    again.close()
    assert set(SQLiteStore(path).done()) == {1, "1", "x"}
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT key, error FROM batch_results").fetchall()
    assert sorted(rows) == [('"1"', None), ('"x"', None), ("1", None)]


def test_store_kind_by_suffix(tmp_path: Path) -> None:
    assert isinstance(open_store(tmp_path / "a.jsonl"), JSONLStore)
    assert isinstance(open_store(tmp_path / "a.SQLITE"), SQLiteStore)
    assert isinstance(open_store(tmp_path / "a.sqlite3"), SQLiteStore)


def test_results_and_errors_pickle() -> None:
    error = llm_async.RateLimitError("slow", retry_after=2.5, request_id="req_1")
    result = BatchResult("k", error=error, attempts=3, index=4)
    back = pickle.loads(pickle.dumps(result))
    assert (back.key, back.attempts, back.index) == ("k", 3, 4)
    assert isinstance(back.error, llm_async.RateLimitError)
    assert (back.error.retry_after, back.error.request_id) == (2.5, "req_1")
    assert str(back.error) == str(error)
    for exc in (
        llm_async.SchemaValidationError("bad", text="{}"),
        llm_async.StreamInterruptedError("cut", partial_text="par"),
        llm_async.BatchExpiredError("late", batch_id="b1", status="expired"),
    ):
        copy = pickle.loads(pickle.dumps(exc))
        assert type(copy) is type(exc) and copy.__dict__ == exc.__dict__


@pytest.mark.parametrize("get", [llm_async.get_async_model, llm_sync.get_model])
def test_models_prompts_and_options_pickle(
    get: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LLM_USER_PATH", str(tmp_path))
    model = get("gpt-4o-mini")
    copy = pickle.loads(pickle.dumps(model))
    assert type(copy) is type(model) and copy.model_id == model.model_id
    assert copy.Options is model.Options  # the transport options class, rebuilt
    options = model.Options(temperature=0.5, max_retries=2)
    assert pickle.loads(pickle.dumps(options)) == options
    response = model.prompt("hi", system="s", temperature=0.2)
    prompt = pickle.loads(pickle.dumps(response.prompt))
    assert prompt.prompt == "hi" and prompt.system == "s"
    assert prompt.options.temperature == 0.2


def test_a_model_with_its_own_transport_pickles_without_clients() -> None:
    transport = AsyncTransport(headers={"x-team": "a"}, pool_timeout=3.0)
    transport._ssl_context()
    copy = pickle.loads(pickle.dumps(transport))
    assert copy.headers == {"x-team": "a"} and copy.pool_timeout == 3.0
    assert copy._ssl is None  # made again on first use


def test_message_batches_send_the_key_only_to_the_api_host() -> None:
    from llm_async.providers.anthropic.batch import AnthropicBatchAPI
    from llm_async.providers.batch_api_base import BatchJob
    from tests.synthetic_anthropic_batches import SPEC

    provider = SPEC.provider("https://claude.example")
    request = httpx.Request(
        "POST",
        "https://claude.example/v1/messages",
        headers={"x-api-key": "sk-ant-k", "anthropic-beta": "b1,b2"},
        json={"model": "m", "max_tokens": 5, "messages": [], "stream": True},
    )
    api = AnthropicBatchAPI.for_request(provider, request)
    api.add("a", request)
    second = httpx.Request(
        "POST", request.url, headers={"anthropic-beta": "b2,b3"}, json={"messages": []}
    )
    api.add("b", second)
    create = api.submit_request()
    assert str(create.url) == "https://claude.example/v1/messages/batches"
    assert create.headers["anthropic-beta"] == "b1,b2,b3"  # every request's betas
    assert "stream" not in json.loads(create.content)["requests"][0]["params"]
    own = BatchJob("mb_1", "ended", True, ("https://claude.example/v1/x/results",))
    elsewhere = BatchJob("mb_1", "ended", True, ("https://evil.example/results",))
    assert str(api.result_requests(own)[0].url) == own.results[0]
    (moved,) = api.result_requests(elsewhere)
    assert str(moved.url) == "https://claude.example/v1/messages/batches/mb_1/results"
    assert moved.headers["x-api-key"] == "sk-ant-k"


def test_custom_ids_fall_back_to_numbers() -> None:
    from llm_async.providers.anthropic.batch import AnthropicBatchAPI
    from llm_async.providers.batch_api_base import custom_ids

    valid = AnthropicBatchAPI.valid_custom_id
    assert custom_ids(["a", 2, "c-d_e"], valid) == ["a", "2", "c-d_e"]
    assert custom_ids(["a", "b c"], valid) == ["request-0", "request-1"]
    assert custom_ids([1, "1"], valid) == ["request-0", "request-1"]
    assert custom_ids(["x" * 65], valid) == ["request-0"]


@pytest.mark.parametrize(
    "line", [b"not json", b"[1, 2]", b'{"id": "no custom_id"}', b'"text"']
)
def test_a_malformed_results_line_is_a_batch_error(line: bytes) -> None:
    from llm_async.providers.anthropic.batch import AnthropicBatchAPI
    from llm_async.providers.batch_api_base import BatchJob
    from llm_async.providers.openai.batch import OpenAIBatchAPI
    from tests.synthetic_anthropic_batches import SPEC

    provider = SPEC.provider("https://claude.example")
    job = BatchJob("b_1", "ended", True, ())
    content = b'\n{"custom_id": "a", "result": {"type": "expired"}}\n' + line
    anthropic = AnthropicBatchAPI(provider, "https://claude.example/v1", {})
    openai = OpenAIBatchAPI(provider, "https://api.example/v1", {})
    for api, kind in ((anthropic, "message batch result"), (openai, "batch output")):
        with pytest.raises(llm_async.BatchError, match=f"Unexpected {kind}"):
            api.outcomes(job, content, {})


def test_an_openai_output_line_without_a_response_object_is_an_item_error() -> None:
    from llm_async.providers.batch_api_base import BatchJob
    from llm_async.providers.openai.batch import OpenAIBatchAPI
    from tests.synthetic_anthropic_batches import SPEC

    api = OpenAIBatchAPI(SPEC.provider("https://x.example"), "https://x.example", {})
    job = BatchJob("b_1", "completed", True, ())
    found = api.outcomes(job, b'{"custom_id": "a", "response": "gone"}', {})
    assert found["a"].error is not None


def _jobs(sizes: list[int], max_requests: int, max_bytes: int) -> list[list[int]]:
    from llm_async.providers.batch_api_base import JobSplitter

    splitter = JobSplitter(max_requests, max_bytes)
    jobs: list[list[int]] = []
    for index, size in enumerate(sizes):
        if splitter.starts_job(size):
            jobs.append([])
        jobs[-1].append(index)
    return jobs


def test_jobs_hold_at_most_max_requests() -> None:
    assert _jobs([10] * 5, 2, 10**9) == [[0, 1], [2, 3], [4]]


def test_jobs_hold_at_most_max_bytes_with_the_overhead() -> None:
    from llm_async.providers.batch_api_base import REQUEST_OVERHEAD

    room = 2 * (100 + REQUEST_OVERHEAD)  # two requests of 100 bytes, exactly
    assert _jobs([100, 100, 100], 10, room) == [[0, 1], [2]]
    assert _jobs([100, 100, 100], 10, room - 1) == [[0], [1], [2]]


def test_a_request_larger_than_a_job_gets_a_job_of_its_own() -> None:
    assert _jobs([10, 5_000, 10], 10, 1_000) == [[0], [1], [2]]
