# Generated from src/llm_async/_io/batch_api.py; do not edit.
# Edit the async source and run `python scripts/unasync.py`.
"""``prompt_many(..., engine="batch_api")``: a batch through the provider's batch API.

The I/O half of ``llm_async.providers.batch_api_base``, one loop for every
provider (OpenAI's Batch API, Anthropic's Message Batches): add each prompt's
request, submit the job, poll it every ``poll_interval`` seconds, fetch the
results and yield each prompt's result. A failure of the job as a whole (a
submission refused, the job failed or expired) becomes the error of each
prompt it left without an answer; the iteration itself does not raise.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

from llm_async._core.batch_records import BatchItem, BatchResult
from llm_async._core.concurrency import sync_sleep
from llm_async._core.errors import BatchError
from llm_async._core.types import JSONMapping, JSONObject, JSONValue
from llm_async.providers.batch_api_base import (
    BatchJob,
    ItemOutcome,
    ProviderBatchAPI,
    custom_ids,
)

if TYPE_CHECKING:
    import httpx

    from llm_async._core.prompt import Prompt
    from llm_async.providers.base import HTTPProvider

    from .transport import Transport


class Prompted(Protocol):
    """A response, as far as the engine reads it: its ``Prompt``."""

    prompt: Prompt


class HTTPModel(Protocol):
    """What the batch API engine needs of an HTTP model (``HTTPModel``)."""

    model_id: str
    provider: HTTPProvider
    transport: Transport
    transport_settings: JSONObject

    def get_key(self, explicit_key: str | None = None) -> str | None: ...

    def prompt(self, prompt: str | None = None, **kwargs: Any) -> Prompted: ...

    def build_request(
        self, prompt: Prompt, *, stream: bool, key: str | None
    ) -> httpx.Request: ...


class _BatchAPIClass(Protocol):
    """A provider batch API class: ``valid_custom_id`` and ``for_request``."""

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


def _check(model: Any) -> tuple[HTTPModel, _BatchAPIClass]:
    api = batch_api_class(getattr(model, "provider", None))
    if api is None or not hasattr(model, "transport"):
        raise BatchError(
            f"engine='batch_api' needs an OpenAI Chat Completions or Anthropic "
            f"Messages model, and {model.model_id} is neither: use engine='direct'"
        )
    http_model: HTTPModel = model
    return http_model, api


def _send(model: HTTPModel, request: httpx.Request) -> bytes:
    transport = model.transport
    response = transport.send(
        request,
        settings=transport.settings(None, model.transport_settings),
        error_message=model.provider.error_message,
    )
    return response.content


def _send_json(model: HTTPModel, request: httpx.Request) -> JSONValue:
    content = _send(model, request)
    return json.loads(content) if content else None


def _outcomes(
    model: HTTPModel,
    api_class: _BatchAPIClass,
    items: list[BatchItem],
    ids: list[str],
    shared: JSONMapping,
    poll_interval: float,
) -> dict[str, ItemOutcome]:
    """Each prompt's outcome by custom id, once the job has finished."""
    key = model.get_key()
    api: ProviderBatchAPI | None = None
    prompts: dict[str, Prompt] = {}
    for item, custom_id in zip(items, ids, strict=True):
        prompt = model.prompt(stream=False, **{**shared, **item.arguments}).prompt
        request = model.build_request(prompt, stream=False, key=key)
        if api is None:
            api = api_class.for_request(model.provider, request)
        api.add(custom_id, request)
        prompts[custom_id] = prompt
    assert api is not None
    step: httpx.Request | BatchJob = api.submit_request()
    while not isinstance(step, BatchJob):
        step = api.submitted(_send_json(model, step))
    job = step
    while not job.done:
        sync_sleep(poll_interval)
        job = api.job(_send_json(model, api.retrieve_request(job)))
    found: dict[str, ItemOutcome] = {}
    for request in api.result_requests(job):
        found.update(api.outcomes(job, _send(model, request), prompts))
    missing = job.failure or BatchError(
        f"Batch {job.id} ({job.status}) returned no result for this request",
        batch_id=job.id,
        status=job.status,
    )
    return {
        custom_id: found.get(custom_id) or ItemOutcome(error=missing)
        for custom_id in prompts
    }


def run_batch_api(
    model: Any,
    items: list[BatchItem],
    shared: JSONMapping,
    poll_interval: float,
) -> Iterator[tuple[BatchItem, BatchResult]]:
    """Each prompt's result once the provider's batch job has finished."""
    if not items:
        return
    http_model, api_class = _check(model)
    ids = custom_ids([item.key for item in items], api_class.valid_custom_id)
    try:
        found = _outcomes(http_model, api_class, items, ids, shared, poll_interval)
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
