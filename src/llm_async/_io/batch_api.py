"""``prompt_many(..., engine="batch_api")``: a batch through the provider's batch API.

The I/O half of ``llm_async.providers.batch_api_base``, one loop for every
provider (OpenAI's Batch API, Anthropic's Message Batches): add each prompt's
request, submit the job (several jobs beyond the provider's limits for one),
poll every ``poll_interval`` seconds, fetch the results and yield each
prompt's result. A failure of a job as a whole (a submission refused, the job
failed or expired) becomes the error of each prompt it left without an answer;
the iteration itself does not raise.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Protocol

from llm_async._core.batch_records import BatchItem, BatchResult
from llm_async._core.concurrency import async_sleep
from llm_async._core.errors import BatchError
from llm_async._core.types import JSONMapping, JSONObject, JSONValue
from llm_async.providers.batch_api_base import (
    BatchJob,
    ItemOutcome,
    JobSplitter,
    ProviderBatchAPI,
    custom_ids,
)

if TYPE_CHECKING:
    import httpx

    from llm_async._core.prompt import Prompt
    from llm_async.providers.base import HTTPProvider

    from .transport import AsyncTransport


class Prompted(Protocol):
    """A response, as far as the engine reads it: its ``Prompt``."""

    prompt: Prompt


class AsyncHTTPModel(Protocol):
    """What the batch API engine needs of an HTTP model (``AsyncHTTPModel``)."""

    model_id: str
    provider: HTTPProvider
    transport: AsyncTransport
    transport_settings: JSONObject

    def get_key(self, explicit_key: str | None = None) -> str | None: ...

    def prompt(self, prompt: str | None = None, **kwargs: Any) -> Prompted: ...

    def build_request(
        self, prompt: Prompt, *, stream: bool, key: str | None
    ) -> httpx.Request: ...


class _BatchAPIClass(Protocol):
    """A provider batch API class: its limits for one job, ``valid_custom_id``
    and ``for_request``."""

    max_requests: int
    max_bytes: int

    @staticmethod
    def valid_custom_id(text: str) -> bool: ...

    def for_request(
        self, provider: HTTPProvider, request: httpx.Request
    ) -> ProviderBatchAPI: ...


__all__ = ["batch_api_class", "run_batch_api"]


def batch_api_class(provider: object) -> _BatchAPIClass | None:
    """The batch API of a provider's models, if it has one."""
    from llm_async.providers.anthropic.messages import AnthropicProvider
    from llm_async.providers.openai.chat import OpenAIChatProvider

    if isinstance(provider, OpenAIChatProvider):
        from llm_async.providers.openai.batch import OpenAIBatchAPI

        return OpenAIBatchAPI
    if isinstance(provider, AnthropicProvider):
        from llm_async.providers.anthropic.batch import AnthropicBatchAPI

        return AnthropicBatchAPI
    return None


def _check(model: Any) -> tuple[AsyncHTTPModel, _BatchAPIClass]:
    api = batch_api_class(getattr(model, "provider", None))
    if api is None or not hasattr(model, "transport"):
        raise BatchError(
            f"engine='batch_api' needs an OpenAI Chat Completions or Anthropic "
            f"Messages model, and {model.model_id} is neither: use engine='direct'"
        )
    http_model: AsyncHTTPModel = model
    return http_model, api


async def _send(model: AsyncHTTPModel, request: httpx.Request) -> bytes:
    transport = model.transport
    response = await transport.send(
        request,
        settings=transport.settings(None, model.transport_settings),
        error_message=model.provider.error_message,
    )
    return response.content


async def _send_json(model: AsyncHTTPModel, request: httpx.Request) -> JSONValue:
    content = await _send(model, request)
    return json.loads(content) if content else None


class _Job:
    """One provider job of a batch: its requests' API object, its prompts by
    custom id, and the job as last seen."""

    def __init__(self, api: ProviderBatchAPI) -> None:
        self.api = api
        self.prompts: dict[str, Prompt] = {}
        self.seen: BatchJob | None = None


async def _submit(model: AsyncHTTPModel, job: _Job) -> None:
    step: httpx.Request | BatchJob = job.api.submit_request()
    while not isinstance(step, BatchJob):
        step = job.api.submitted(await _send_json(model, step))
    job.seen = step


async def _results(model: AsyncHTTPModel, job: _Job) -> dict[str, ItemOutcome]:
    """Each prompt's outcome in a finished job, by custom id."""
    seen = job.seen
    assert seen is not None
    found: dict[str, ItemOutcome] = {}
    for request in job.api.result_requests(seen):
        found.update(job.api.outcomes(seen, await _send(model, request), job.prompts))
    missing = seen.failure or BatchError(
        f"Batch {seen.id} ({seen.status}) returned no result for this request",
        batch_id=seen.id,
        status=seen.status,
    )
    return {
        custom_id: found.get(custom_id) or ItemOutcome(error=missing)
        for custom_id in job.prompts
    }


def _failed(job: _Job, error: Exception) -> dict[str, ItemOutcome]:
    return {custom_id: ItemOutcome(error=error) for custom_id in job.prompts}


async def _outcomes(
    model: AsyncHTTPModel,
    api_class: _BatchAPIClass,
    items: list[BatchItem],
    ids: list[str],
    shared: JSONMapping,
    poll_interval: float,
) -> dict[str, ItemOutcome]:
    """Each prompt's outcome by custom id, once every job has finished.

    Prompts beyond the provider's limits for one job go in several jobs,
    submitted one after the other and polled together; a job that fails as a
    whole is the error of its own prompts only.
    """
    key = model.get_key()
    splitter = JobSplitter(api_class.max_requests, api_class.max_bytes)
    jobs: list[_Job] = []
    for item, custom_id in zip(items, ids, strict=True):
        prompt = model.prompt(stream=False, **{**shared, **item.arguments}).prompt
        request = model.build_request(prompt, stream=False, key=key)
        if splitter.starts_job(len(request.content) + len(custom_id)):
            jobs.append(_Job(api_class.for_request(model.provider, request)))
        jobs[-1].api.add(custom_id, request)
        jobs[-1].prompts[custom_id] = prompt
    found: dict[str, ItemOutcome] = {}
    running: list[_Job] = []
    for job in jobs:
        try:
            await _submit(model, job)
        except Exception as error:  # this job refused: its prompts' error
            found.update(_failed(job, error))
        else:
            running.append(job)
    while True:
        for job in [job for job in running if job.seen and job.seen.done]:
            running.remove(job)
            try:
                found.update(await _results(model, job))
            except Exception as error:
                found.update(_failed(job, error))
        if not running:
            break
        await async_sleep(poll_interval)
        for job in list(running):
            assert job.seen is not None
            try:
                job.seen = job.api.job(
                    await _send_json(model, job.api.retrieve_request(job.seen))
                )
            except Exception as error:
                running.remove(job)
                found.update(_failed(job, error))
    return found


async def run_batch_api(
    model: Any,
    items: list[BatchItem],
    shared: JSONMapping,
    poll_interval: float,
) -> AsyncIterator[tuple[BatchItem, BatchResult]]:
    """Each prompt's result once the provider's batch job has finished."""
    if not items:
        return
    http_model, api_class = _check(model)
    ids = custom_ids([item.key for item in items], api_class.valid_custom_id)
    try:
        found = await _outcomes(
            http_model, api_class, items, ids, shared, poll_interval
        )
    except Exception as error:  # the job as a whole failed
        found = {custom_id: ItemOutcome(error=error) for custom_id in ids}
    for item, custom_id in zip(items, ids, strict=True):
        outcome = found[custom_id]
        yield (
            item,
            BatchResult(
                key=item.key,
                text=outcome.text if outcome.error is None else None,
                usage=outcome.usage if outcome.error is None else None,
                error=outcome.error,
                attempts=1,
                index=item.index,
            ),
        )
