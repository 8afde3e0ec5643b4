"""Anthropic's Message Batches, sans-I/O: the requests to send and how to read
the answers.

A message batch runs many Messages requests within 24 hours, at half the
price. The steps, each an ``httpx.Request`` built here and sent by
``llm_async._io.batch_api``:

1. create the batch (``POST /v1/messages/batches``) with every prompt's
   Messages body: ``{"requests": [{"custom_id", "params"}]}``;
2. poll it (``GET /v1/messages/batches/{id}``) until its
   ``processing_status`` is ``ended``;
3. fetch its ``results_url``: JSON lines ``{"custom_id", "result": {"type",
   ...}}``, in any order, mapped back to the prompts by ``custom_id``. A
   ``succeeded`` result holds the ``message``, an ``errored`` one the
   ``error`` (an error body, as one request would have got it: a typed
   ``APIStatusError``); a ``canceled`` request gets a ``BatchFailedError``
   and an ``expired`` one (the 24 hours passed) a ``BatchExpiredError``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

import httpx

from llm_async._core.errors import BatchError, BatchExpiredError, BatchFailedError
from llm_async._core.types import JSONObject, JSONValue
from llm_async.providers.anthropic.response import event_error
from llm_async.providers.batch_api_base import (
    BatchJob,
    ItemOutcome,
    answer_outcome,
    batch_headers,
    request_body,
    result_lines,
)

if TYPE_CHECKING:
    from llm_async._core.prompt import Prompt
    from llm_async.providers.base import HTTPProvider

__all__ = ["AnthropicBatchAPI"]

_CUSTOM_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_MESSAGES = "/messages"
_BETA = "anthropic-beta"


class AnthropicBatchAPI:
    """Message Batches over the model's Messages requests.

    ``api_root`` is the Messages URL without ``/messages`` (``{base}/v1``), so
    base URL, key and ``anthropic-version`` are as for one prompt; the
    ``anthropic-beta`` names of every request are sent with the batch.
    """

    # One batch: 100,000 requests, 256 MB in all (counted in 10^6 bytes).
    max_requests = 100_000
    max_bytes = 256_000_000

    def __init__(
        self, provider: HTTPProvider, api_root: str, headers: Mapping[str, str]
    ) -> None:
        self.provider = provider
        self.api_root = api_root.rstrip("/")
        self.headers = {k: v for k, v in headers.items() if k.lower() != _BETA}
        self.requests: list[JSONObject] = []
        self.betas: list[str] = []

    @classmethod
    def for_request(
        cls, provider: HTTPProvider, request: httpx.Request
    ) -> AnthropicBatchAPI:
        """The Message Batches API of the server that ``request`` goes to."""
        url = str(request.url.copy_with(query=None))
        if not url.endswith(_MESSAGES):
            raise BatchError(
                f"Message Batches need a Messages URL ending in {_MESSAGES}, got {url}"
            )
        return cls(provider, url[: -len(_MESSAGES)], batch_headers(request))

    @staticmethod
    def valid_custom_id(text: str) -> bool:
        """1 to 64 letters, digits, ``-`` and ``_`` (what the API accepts)."""
        return _CUSTOM_ID.fullmatch(text) is not None

    @property
    def _batches(self) -> str:
        return f"{self.api_root}/messages/batches"

    def add(self, custom_id: str, request: httpx.Request) -> None:
        """One request of the batch: the Messages body, not streamed."""
        self.requests.append({"custom_id": custom_id, "params": request_body(request)})
        for beta in request.headers.get(_BETA, "").split(","):
            if beta.strip() and beta.strip() not in self.betas:
                self.betas.append(beta.strip())

    def submit_request(self) -> httpx.Request:
        """``POST /v1/messages/batches`` with every request."""
        headers = dict(self.headers)
        if self.betas:
            headers[_BETA] = ",".join(self.betas)
        return httpx.Request(
            "POST", self._batches, headers=headers, json={"requests": self.requests}
        )

    def submitted(self, data: JSONValue) -> BatchJob:
        """The created batch."""
        return self.job(data)

    def retrieve_request(self, job: BatchJob) -> httpx.Request:
        """``GET /v1/messages/batches/{id}``: the batch's status."""
        return httpx.Request("GET", f"{self._batches}/{job.id}", headers=self.headers)

    def job(self, data: JSONValue) -> BatchJob:
        """A message batch object as a ``BatchJob`` (its results: ``results_url``)."""
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise BatchError(f"Unexpected message batch object: {data!r:.200}")
        batch_id, status = str(data["id"]), str(data.get("processing_status"))
        url = data.get("results_url")
        done = status == "ended"
        failure = BatchFailedError(
            f"Batch {batch_id} ended without a result for this request"
            + ("" if url else " (its results are no longer available)"),
            batch_id=batch_id,
            status=status,
        )
        return BatchJob(
            id=batch_id,
            status=status,
            done=done,
            results=(url,) if isinstance(url, str) and url else (),
            failure=failure if done else None,
        )

    def result_requests(self, job: BatchJob) -> list[httpx.Request]:
        """``GET`` the ``results_url``; the key goes only to the API's own host
        (a ``results_url`` elsewhere is read at its documented path instead)."""
        requests = []
        root = httpx.URL(self.api_root)
        for url in job.results:
            target = httpx.URL(url)
            if (target.scheme, target.host, target.port) != (
                root.scheme,
                root.host,
                root.port,
            ):
                target = httpx.URL(f"{self._batches}/{job.id}/results")
            requests.append(httpx.Request("GET", target, headers=self.headers))
        return requests

    def outcomes(
        self, job: BatchJob, content: bytes, prompts: Mapping[str, Prompt]
    ) -> dict[str, ItemOutcome]:
        """Each line of the results, by ``custom_id``."""
        found: dict[str, ItemOutcome] = {}
        for custom_id, line in result_lines(content, "message batch result"):
            result = line.get("result")
            found[custom_id] = self._outcome(
                job, result if isinstance(result, dict) else {}, prompts.get(custom_id)
            )
        return found

    def _outcome(
        self, job: BatchJob, result: JSONObject, prompt: Prompt | None
    ) -> ItemOutcome:
        kind = result.get("type")
        if kind == "succeeded":
            return answer_outcome(self.provider, result.get("message"), prompt)
        if kind == "errored":
            body = result.get("error")
            # The error body one request would have got: {"type": "error",
            # "error": {"type", "message"}}; a bare {"type", "message"} too.
            if isinstance(body, dict) and not isinstance(body.get("error"), dict):
                body = {"type": "error", "error": body}
            return ItemOutcome(error=event_error(body))
        if kind == "expired":
            return ItemOutcome(
                error=BatchExpiredError(
                    f"Batch {job.id} expired before this request ran",
                    batch_id=job.id,
                    status="expired",
                )
            )
        if kind == "canceled":
            return ItemOutcome(
                error=BatchFailedError(
                    f"Batch {job.id} was canceled before this request ran",
                    batch_id=job.id,
                    status="canceled",
                )
            )
        return ItemOutcome(
            error=BatchError(
                f"Batch {job.id}: unexpected result type {kind!r}",
                batch_id=job.id,
                status=job.status,
            )
        )
