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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from llm_async._core.errors import (
    APIError,
    BatchError,
    BatchExpiredError,
    BatchFailedError,
)
from llm_async._core.types import JSONObject, JSONValue
from llm_async._core.usage import Usage
from llm_async._http.errors import status_error

__all__ = [
    "FINAL_STATUSES",
    "BatchJob",
    "ItemOutcome",
    "OpenAIBatchAPI",
]

FINAL_STATUSES = frozenset({"completed", "expired", "failed", "cancelled"})
CHAT_PATH = "/v1/chat/completions"


@dataclass(frozen=True)
class BatchJob:
    """A batch job as the provider described it."""

    id: str
    status: str
    output_file_id: str | None = None
    error_file_id: str | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def done(self) -> bool:
        """Whether the status is final."""
        return self.status in FINAL_STATUSES

    def error(self) -> BatchError | None:
        """The job's error for prompts without a result, by status."""
        detail = f": {'; '.join(self.errors)}" if self.errors else ""
        if self.status == "expired":
            return BatchExpiredError(
                f"Batch {self.id} expired before this request ran{detail}",
                batch_id=self.id,
                status=self.status,
            )
        if self.status in ("failed", "cancelled"):
            return BatchFailedError(
                f"Batch {self.id} {self.status}{detail}",
                batch_id=self.id,
                status=self.status,
            )
        return None


@dataclass
class ItemOutcome:
    """One prompt's answer from the output or error file."""

    text: str | None = None
    usage: Usage | None = None
    error: BaseException | None = None


class _Sink:
    """Collects what the chat parser records besides text (a ``ResponseSink``)."""

    def __init__(self) -> None:
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

    def add_tool_call(self, tool_call: Any) -> None:
        pass


class OpenAIBatchAPI:
    """Builds the Batch API's requests and reads its answers.

    ``chat_requests`` are the model's own Chat Completions requests (built by
    the model, so base URL, headers and key are as for one prompt); ``api_root``
    is their URL without ``/chat/completions``. ``provider`` parses the answers.
    """

    def __init__(self, provider: Any, api_root: str, headers: Mapping[str, str]):
        self.provider = provider
        self.api_root = api_root.rstrip("/")
        # Authorization and the transport's own headers; not the JSON body's.
        self.headers = {
            k: v
            for k, v in headers.items()
            if k.lower() not in ("content-type", "content-length", "host")
        }

    @classmethod
    def for_chat_request(cls, provider: Any, request: httpx.Request) -> OpenAIBatchAPI:
        """The Batch API of the server that ``request`` (a chat request) goes to."""
        url = str(request.url)
        suffix = "/chat/completions"
        if not url.endswith(suffix):
            raise BatchError(
                f"The Batch API needs a Chat Completions URL ending in {suffix}, "
                f"got {url}"
            )
        return cls(provider, url[: -len(suffix)], request.headers)

    @staticmethod
    def input_line(custom_id: str, request: httpx.Request) -> bytes:
        """One line of the input file: a chat request as the Batch API wants it."""
        body = json.loads(request.content)
        body.pop("stream", None)
        body.pop("stream_options", None)
        line = {"custom_id": custom_id, "method": "POST", "url": CHAT_PATH}
        return json.dumps({**line, "body": body}, separators=(",", ":")).encode()

    def upload_request(self, lines: Iterable[bytes]) -> httpx.Request:
        """``POST /files``: the JSONL input file."""
        content = b"\n".join(lines) + b"\n"
        return httpx.Request(
            "POST",
            f"{self.api_root}/files",
            headers=self.headers,
            data={"purpose": "batch"},
            files={"file": ("batch.jsonl", content, "application/jsonl")},
        )

    def create_request(
        self, file_id: str, completion_window: str = "24h"
    ) -> httpx.Request:
        """``POST /batches``: start the job over the uploaded file."""
        body = {
            "input_file_id": file_id,
            "endpoint": CHAT_PATH,
            "completion_window": completion_window,
        }
        return httpx.Request(
            "POST", f"{self.api_root}/batches", headers=self.headers, json=body
        )

    def retrieve_request(self, batch_id: str) -> httpx.Request:
        """``GET /batches/{id}``: the job's status."""
        return httpx.Request(
            "GET", f"{self.api_root}/batches/{batch_id}", headers=self.headers
        )

    def content_request(self, file_id: str) -> httpx.Request:
        """``GET /files/{id}/content``: an output or error file."""
        return httpx.Request(
            "GET", f"{self.api_root}/files/{file_id}/content", headers=self.headers
        )

    @staticmethod
    def file_id(data: JSONValue) -> str:
        """The id of an uploaded file."""
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise BatchError(f"Unexpected answer to the file upload: {data!r:.200}")
        return str(data["id"])

    @staticmethod
    def job(data: JSONValue) -> BatchJob:
        """A batch object as a ``BatchJob``."""
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise BatchError(f"Unexpected batch object: {data!r:.200}")
        errors = (data.get("errors") or {}).get("data") or []
        return BatchJob(
            id=data["id"],
            status=str(data.get("status")),
            output_file_id=data.get("output_file_id"),
            error_file_id=data.get("error_file_id"),
            errors=[
                f"{e.get('code')}: {e.get('message')}"
                for e in errors
                if isinstance(e, dict)
            ],
        )

    def outcomes(self, content: bytes) -> dict[str, ItemOutcome]:
        """Each line of an output or error file, by ``custom_id``."""
        found: dict[str, ItemOutcome] = {}
        for raw in content.splitlines():
            if not raw.strip():
                continue
            line = json.loads(raw)
            found[str(line["custom_id"])] = self._outcome(line)
        return found

    def _outcome(self, line: JSONObject) -> ItemOutcome:
        response = line.get("response") or {}
        status = int(response.get("status_code") or 0)
        body = response.get("body")
        request_id = response.get("request_id")
        if status == 200 and isinstance(body, dict):
            sink = _Sink()
            events = self.provider.parse_response(body, sink)
            text = "".join(e.chunk for e in events if e.type == "text")
            return ItemOutcome(text=text, usage=sink.usage)
        if status:
            failed = status_error(
                status,
                headers={"x-request-id": request_id} if request_id else {},
                content=json.dumps(body).encode(),
                error_message=getattr(self.provider, "error_message", None),
            )
            return ItemOutcome(error=failed)
        detail = line.get("error") or {}
        message = detail.get("message") if isinstance(detail, dict) else None
        error = APIError(str(message or f"Batch request failed: {detail!r:.200}"))
        error.code = detail.get("code") if isinstance(detail, dict) else None
        return ItemOutcome(error=error)
