"""OpenAI's Batch API, sans-I/O: the requests to send and how to read the answers.

A batch job runs a file of Chat Completions requests within a completion window
(24 hours), at half the price. The steps, each an ``httpx.Request`` built here
and sent by ``llm_async._io.batch_api``:

1. upload the requests as a JSONL file (``POST /files``, purpose ``batch``),
   one line per prompt: ``{"custom_id", "method": "POST", "url":
   "/v1/chat/completions", "body"}``;
2. create the job (``POST /batches``);
3. poll it (``GET /batches/{id}``) until its status is final: ``completed``,
   ``expired`` (the window passed: what finished is in the output file, the
   rest are ``BatchExpiredError``), ``failed`` or ``cancelled``
   (``BatchFailedError`` for every prompt);
4. download the output and error files (``GET /files/{id}/content``) and map
   each line back to its prompt by ``custom_id``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING

import httpx

from llm_async._core.errors import (
    APIError,
    BatchError,
    BatchExpiredError,
    BatchFailedError,
)
from llm_async._core.types import JSONObject, JSONValue
from llm_async._http.errors import status_error
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

__all__ = ["FINAL_STATUSES", "OpenAIBatchAPI"]

FINAL_STATUSES = frozenset({"completed", "expired", "failed", "cancelled"})
CHAT_PATH = "/v1/chat/completions"


def _failure(batch_id: str, status: str, errors: list[str]) -> BatchError | None:
    """The job's error for prompts without a result, by status."""
    detail = f": {'; '.join(errors)}" if errors else ""
    if status == "expired":
        return BatchExpiredError(
            f"Batch {batch_id} expired before this request ran{detail}",
            batch_id=batch_id,
            status=status,
        )
    if status in ("failed", "cancelled"):
        return BatchFailedError(
            f"Batch {batch_id} {status}{detail}", batch_id=batch_id, status=status
        )
    return None


class OpenAIBatchAPI:
    """OpenAI's Batch API over the model's Chat Completions requests.

    ``api_root`` is the chat requests' URL without ``/chat/completions`` (so
    base URL, headers and key are as for one prompt); ``provider`` parses the
    answers.
    """

    # One job: 50,000 requests, an input file of 200 MB (counted in 10^6 bytes).
    max_requests = 50_000
    max_bytes = 200_000_000

    def __init__(
        self, provider: HTTPProvider, api_root: str, headers: Mapping[str, str]
    ) -> None:
        self.provider = provider
        self.api_root = api_root.rstrip("/")
        self.headers = dict(headers)
        self.lines: list[bytes] = []
        self.file_id: str | None = None

    @classmethod
    def for_request(
        cls, provider: HTTPProvider, request: httpx.Request
    ) -> OpenAIBatchAPI:
        """The Batch API of the server that ``request`` (a chat request) goes to."""
        url = str(request.url)
        suffix = "/chat/completions"
        if not url.endswith(suffix):
            raise BatchError(
                f"The Batch API needs a Chat Completions URL ending in {suffix}, "
                f"got {url}"
            )
        return cls(provider, url[: -len(suffix)], batch_headers(request))

    @staticmethod
    def valid_custom_id(text: str) -> bool:
        """Any text that is not empty."""
        return bool(text)

    def add(self, custom_id: str, request: httpx.Request) -> None:
        """One line of the input file: a chat request as the Batch API wants it."""
        line = {"custom_id": custom_id, "method": "POST", "url": CHAT_PATH}
        body = request_body(request)
        self.lines.append(
            json.dumps({**line, "body": body}, separators=(",", ":")).encode()
        )

    def submit_request(self) -> httpx.Request:
        """``POST /files``: the JSONL input file."""
        content = b"\n".join(self.lines) + b"\n"
        return httpx.Request(
            "POST",
            f"{self.api_root}/files",
            headers=self.headers,
            data={"purpose": "batch"},
            files={"file": ("batch.jsonl", content, "application/jsonl")},
        )

    def submitted(self, data: JSONValue) -> httpx.Request | BatchJob:
        """After the upload, ``POST /batches`` starts the job over the file."""
        if self.file_id is not None:
            return self.job(data)
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise BatchError(f"Unexpected answer to the file upload: {data!r:.200}")
        self.file_id = str(data["id"])
        body = {
            "input_file_id": self.file_id,
            "endpoint": CHAT_PATH,
            "completion_window": "24h",
        }
        return httpx.Request(
            "POST", f"{self.api_root}/batches", headers=self.headers, json=body
        )

    def retrieve_request(self, job: BatchJob) -> httpx.Request:
        """``GET /batches/{id}``: the job's status."""
        return httpx.Request(
            "GET", f"{self.api_root}/batches/{job.id}", headers=self.headers
        )

    def job(self, data: JSONValue) -> BatchJob:
        """A batch object as a ``BatchJob`` (results: error file, output file)."""
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise BatchError(f"Unexpected batch object: {data!r:.200}")
        listed = data.get("errors")
        found = listed.get("data") if isinstance(listed, dict) else None
        errors = [
            f"{e.get('code')}: {e.get('message')}"
            for e in (found if isinstance(found, list) else [])
            if isinstance(e, dict)
        ]
        batch_id, status = str(data["id"]), str(data.get("status"))
        files = (data.get("error_file_id"), data.get("output_file_id"))
        return BatchJob(
            id=batch_id,
            status=status,
            done=status in FINAL_STATUSES,
            results=tuple(f for f in files if isinstance(f, str) and f),
            failure=_failure(batch_id, status, errors),
        )

    def result_requests(self, job: BatchJob) -> list[httpx.Request]:
        """``GET /files/{id}/content``: the error and output files."""
        return [
            httpx.Request(
                "GET", f"{self.api_root}/files/{file}/content", headers=self.headers
            )
            for file in job.results
        ]

    def outcomes(
        self, job: BatchJob, content: bytes, prompts: Mapping[str, Prompt]
    ) -> dict[str, ItemOutcome]:
        """Each line of an output or error file, by ``custom_id``."""
        return {
            custom_id: self._outcome(line, prompts.get(custom_id))
            for custom_id, line in result_lines(content, "batch output line")
        }

    def _outcome(self, line: JSONObject, prompt: Prompt | None) -> ItemOutcome:
        response = line.get("response")
        if not isinstance(response, dict):
            response = {}
        status = int(response.get("status_code") or 0)
        body = response.get("body")
        request_id = response.get("request_id")
        if status == 200 and isinstance(body, dict):
            return answer_outcome(self.provider, body, prompt)
        if status:
            failed = status_error(
                status,
                headers={"x-request-id": request_id} if request_id else {},
                content=json.dumps(body).encode(),
                error_message=self.provider.error_message,
            )
            return ItemOutcome(error=failed)
        detail = line.get("error") or {}
        message = detail.get("message") if isinstance(detail, dict) else None
        error = APIError(str(message or f"Batch request failed: {detail!r:.200}"))
        error.code = detail.get("code") if isinstance(detail, dict) else None
        return ItemOutcome(error=error)
