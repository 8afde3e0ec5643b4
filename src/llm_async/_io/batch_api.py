"""``prompt_many(..., engine="batch_api")``: a batch through OpenAI's Batch API.

The I/O half of ``llm_async.providers.openai.batch``: upload the requests,
create the job, poll it every ``poll_interval`` seconds, download the output
and error files, and yield each prompt's result. A failure of the job as a
whole (an upload refused, the job failed or expired) becomes the error of each
prompt it left without an answer; the iteration itself does not raise.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Protocol

from llm_async._core.batch_records import BatchItem, BatchResult
from llm_async._core.concurrency import async_sleep
from llm_async._core.errors import BatchError
from llm_async._core.types import JSONMapping, JSONObject
from llm_async.providers.openai.batch import ItemOutcome, OpenAIBatchAPI

if TYPE_CHECKING:
    import httpx

    from llm_async._core.prompt import Prompt

    from .transport import AsyncTransport


class Prompted(Protocol):
    """A response, as far as the engine reads it: its ``Prompt``."""

    prompt: Prompt


class AsyncHTTPModel(Protocol):
    """What the batch API engine needs of an HTTP model (``AsyncHTTPModel``)."""

    model_id: str
    provider: Any
    transport: AsyncTransport
    transport_settings: JSONObject

    def get_key(self, explicit_key: str | None = None) -> str | None: ...

    def prompt(self, prompt: str | None = None, **kwargs: Any) -> Prompted: ...

    def build_request(
        self, prompt: Prompt, *, stream: bool, key: str | None
    ) -> httpx.Request: ...


__all__ = ["run_batch_api"]


def _check(model: Any) -> AsyncHTTPModel:
    from llm_async.providers.openai.chat import OpenAIChatProvider

    provider = getattr(model, "provider", None)
    if not isinstance(provider, OpenAIChatProvider) or not hasattr(model, "transport"):
        raise BatchError(
            f"engine='batch_api' needs an OpenAI Chat Completions model, and "
            f"{model.model_id} is not one: use engine='direct'"
        )
    http_model: AsyncHTTPModel = model
    return http_model


async def _send_json(model: AsyncHTTPModel, request: httpx.Request) -> Any:
    transport = model.transport
    response = await transport.send(
        request,
        settings=transport.settings(None, model.transport_settings),
        error_message=getattr(model.provider, "error_message", None),
    )
    return json.loads(response.content) if response.content else None


async def _content(model: AsyncHTTPModel, request: httpx.Request) -> bytes:
    transport = model.transport
    response = await transport.send(
        request, settings=transport.settings(None, model.transport_settings)
    )
    return response.content


async def _outcomes(
    model: AsyncHTTPModel,
    items: list[BatchItem],
    shared: JSONMapping,
    poll_interval: float,
) -> dict[str, ItemOutcome]:
    key = model.get_key()
    lines, api = [], None
    for item in items:
        prompt = model.prompt(stream=False, **{**shared, **item.arguments}).prompt
        request = model.build_request(prompt, stream=False, key=key)
        if api is None:
            api = OpenAIBatchAPI.for_chat_request(model.provider, request)
        lines.append(api.input_line(str(item.key), request))
    assert api is not None
    file_id = api.file_id(await _send_json(model, api.upload_request(lines)))
    job = api.job(await _send_json(model, api.create_request(file_id)))
    while not job.done:
        await async_sleep(poll_interval)
        job = api.job(await _send_json(model, api.retrieve_request(job.id)))
    found: dict[str, ItemOutcome] = {}
    for file in (job.error_file_id, job.output_file_id):
        if file:
            found.update(api.outcomes(await _content(model, api.content_request(file))))
    missing = job.error() or BatchError(
        f"Batch {job.id} ({job.status}) returned no result for this request",
        batch_id=job.id,
        status=job.status,
    )
    for item in items:
        found.setdefault(str(item.key), ItemOutcome(error=missing))
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
    custom_ids = {str(item.key) for item in items}
    if len(custom_ids) != len(items):
        raise ValueError(
            "engine='batch_api' sends keys as text: two keys are the same as text "
            "(such as 1 and '1'); make them distinct"
        )
    http_model = _check(model)
    try:
        found = await _outcomes(http_model, items, shared, poll_interval)
    except Exception as error:  # the job as a whole failed
        found = {str(item.key): ItemOutcome(error=error) for item in items}
    for item in items:
        outcome = found[str(item.key)]
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
