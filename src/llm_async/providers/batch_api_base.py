"""Provider batch APIs, sans-I/O: the part every provider's batch API shares.

A provider's batch API (OpenAI's Batch API, Anthropic's Message Batches) runs
many requests as one job, at half the price. Each is a ``ProviderBatchAPI``: it
takes the model's own one-prompt requests (``add``), builds the requests that
submit the job, poll it and fetch its results, and reads each prompt's outcome
from the results. ``llm_async._io.batch_api`` sends them: the loop is written
once, for every provider.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from llm_async._core.errors import BatchError
from llm_async._core.types import JSONObject, JSONValue
from llm_async._core.usage import Usage

if TYPE_CHECKING:
    import httpx

    from llm_async._core.errors import BatchError
    from llm_async._core.prompt import Prompt
    from llm_async._core.tools import ToolCall
    from llm_async.providers.base import HTTPProvider

__all__ = [
    "REQUEST_OVERHEAD",
    "BatchJob",
    "ItemOutcome",
    "JobSplitter",
    "ProviderBatchAPI",
    "answer_outcome",
    "batch_headers",
    "custom_ids",
    "request_body",
]


@dataclass(frozen=True)
class BatchJob:
    """A batch job as the provider last described it.

    ``done``: its status is final. ``results``: where its results are (file
    ids or URLs, as the provider's API reads them). ``failure``: the error of
    every prompt the results leave without an answer.
    """

    id: str
    status: str
    done: bool
    results: tuple[str, ...] = ()
    failure: BatchError | None = None


@dataclass
class ItemOutcome:
    """One prompt's answer (``text`` and ``usage``) or its ``error``."""

    text: str | None = None
    usage: Usage | None = None
    error: BaseException | None = None


class ProviderBatchAPI(Protocol):
    """The requests of one provider's batch job and how to read its answers.

    ``max_requests`` and ``max_bytes`` are the provider's limits for one job:
    more prompts are sent as several jobs (``JobSplitter``).
    """

    max_requests: int
    max_bytes: int

    @staticmethod
    def valid_custom_id(text: str) -> bool:
        """Whether the provider takes ``text`` as a request's custom id."""
        ...

    def add(self, custom_id: str, request: httpx.Request) -> None:
        """Add one prompt's request (as the model would send it alone)."""
        ...

    def submit_request(self) -> httpx.Request:
        """The first request that submits the job (after every ``add``)."""
        ...

    def submitted(self, data: JSONValue) -> httpx.Request | BatchJob:
        """Read the answer to a submit request: the next one to send, or the job."""
        ...

    def retrieve_request(self, job: BatchJob) -> httpx.Request:
        """The request that polls ``job``."""
        ...

    def job(self, data: JSONValue) -> BatchJob:
        """A batch object (the answer to a poll) as a ``BatchJob``."""
        ...

    def result_requests(self, job: BatchJob) -> list[httpx.Request]:
        """The requests that fetch a finished job's results."""
        ...

    def outcomes(
        self, job: BatchJob, content: bytes, prompts: Mapping[str, Prompt]
    ) -> dict[str, ItemOutcome]:
        """Each result in ``content`` (JSON lines), by custom id."""
        ...


def result_lines(content: bytes, kind: str) -> Iterator[tuple[str, JSONObject]]:
    """Each JSON line of a results file with its ``custom_id`` (blank lines
    skipped); a ``BatchError`` naming ``kind`` for a line that is not one."""
    for raw in content.splitlines():
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
        except ValueError:
            line = None
        if not isinstance(line, dict) or "custom_id" not in line:
            raise BatchError(f"Unexpected {kind}: {raw!r:.200}")
        yield str(line["custom_id"]), line


# What one request adds to a job beyond its body (its custom id, the wrapper).
REQUEST_OVERHEAD = 256


class JobSplitter:
    """Where a batch's requests, taken in order, start a new job: a job holds
    at most ``max_requests`` requests and ``max_bytes`` bytes (each request's
    body plus ``REQUEST_OVERHEAD``). A request too large for any job still
    gets one of its own (the provider then refuses it, and only it)."""

    def __init__(self, max_requests: int, max_bytes: int) -> None:
        self.max_requests = max_requests
        self.max_bytes = max_bytes
        self._count = 0
        self._bytes = 0

    def starts_job(self, body_bytes: int) -> bool:
        """Count one more request; whether it starts a new job (the first does)."""
        size = body_bytes + REQUEST_OVERHEAD
        new = (
            self._count == 0
            or self._count >= self.max_requests
            or self._bytes + size > self.max_bytes
        )
        if new:
            self._count, self._bytes = 0, 0
        self._count += 1
        self._bytes += size
        return new


def custom_ids(keys: Sequence[object], valid: Callable[[str], bool]) -> list[str]:
    """The custom id of each prompt: its key as text when ``valid`` (the
    provider's rule) takes every key and no two are the same as text (``1``
    and ``"1"``), else ``request-{index}`` for all (mapped back to the keys
    all the same)."""
    texts = [str(key) for key in keys]
    if len(set(texts)) == len(texts) and all(map(valid, texts)):
        return texts
    return [f"request-{index}" for index in range(len(keys))]


def batch_headers(request: httpx.Request) -> dict[str, str]:
    """A request's headers for the batch API's own requests: authentication and
    the transport's headers, not those of its JSON body."""
    return {
        name: value
        for name, value in request.headers.items()
        if name.lower() not in ("content-type", "content-length", "host")
    }


def request_body(request: httpx.Request) -> JSONObject:
    """A one-prompt request's JSON body, not streamed (a batch answers whole)."""
    body = json.loads(request.content)
    body.pop("stream", None)
    body.pop("stream_options", None)
    return body  # type: ignore[no-any-return]


class _OutcomeSink:
    """What a provider's parser records of a whole answer (a ``ResponseSink``)."""

    def __init__(self, prompt: Prompt | None) -> None:
        self.prompt = prompt  # read by parsers whose answer depends on the prompt
        self.response_json: JSONObject | None = None
        self.usage: Usage | None = None

    def set_usage(
        self,
        *,
        input: int | None = None,
        output: int | None = None,
        details: JSONObject | None = None,
    ) -> None:
        self.usage = Usage(input=input, output=output, details=details)

    def set_resolved_model(self, model_id: str) -> None:
        pass

    def add_tool_call(self, tool_call: ToolCall) -> None:
        pass


def answer_outcome(
    provider: HTTPProvider, answer: JSONValue, prompt: Prompt | None
) -> ItemOutcome:
    """A whole answer (the body one request would have got) as an outcome."""
    sink = _OutcomeSink(prompt)
    events = provider.parse_response(answer, sink)
    text = "".join(event.chunk for event in events if event.type == "text")
    return ItemOutcome(text=text, usage=sink.usage)
