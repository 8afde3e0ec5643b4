"""A synthetic OpenAI Batch API (files + batches) for respx: not a recording.

No recording of the Batch API exists in tests/fixtures; this follows the
documented shapes (file object, batch object, output/error JSONL lines). Each
uploaded request is answered by ``synthetic_openai``; a prompt "FAIL" gets a
400 line in the error file. ``final_status`` ends the job (``completed``,
``expired``, ``failed``); ``answered`` limits how many requests ran;
``refuse_upload`` refuses one upload (by its number, from 0).
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from llm_async.providers.openai.batch import OpenAIBatchAPI
from llm_async.providers.openai.chat import OpenAIChatProvider
from tests.synthetic_openai_server import synthetic_openai


def chat_provider(model_name: str, base_url: str) -> OpenAIChatProvider:
    """The built-in Chat Completions provider (shared by both facades)."""
    return OpenAIChatProvider(model_name, base_url=base_url)


def limit_jobs(
    monkeypatch: Any, *, max_requests: int | None = None, max_bytes: int | None = None
) -> None:
    """Smaller limits for one OpenAI batch job, to see a batch split."""
    if max_requests is not None:
        monkeypatch.setattr(OpenAIBatchAPI, "max_requests", max_requests)
    if max_bytes is not None:
        monkeypatch.setattr(OpenAIBatchAPI, "max_bytes", max_bytes)


class SyntheticBatchAPI:
    """The routes of batch jobs: upload, create, poll, download.

    The first job's ids are ``file-in``, ``batch_synthetic``, ``file-out`` and
    ``file-err``; the n-th job's end in ``-n`` (a batch split in several jobs).
    """

    batch_id = "batch_synthetic"

    def __init__(
        self,
        base: str,
        *,
        polls_before_done: int = 0,
        final_status: str = "completed",
        answered: int | None = None,
        refuse_upload: int | None = None,
    ) -> None:
        self.base = base
        self.refuse_upload = refuse_upload  # this upload (0-based) gets a 400
        self.polls_before_done = polls_before_done
        self.final_status = final_status
        self.answered = answered
        self.polls = 0  # in all, every job's
        self.uploads: list[bytes] = []
        self.job_polls: list[int] = []
        self.created: dict[str, Any] = {}

    @property
    def upload(self) -> bytes:
        """The last uploaded input file."""
        return self.uploads[-1] if self.uploads else b""

    @staticmethod
    def _suffix(job: int) -> str:
        return "" if job == 0 else f"-{job + 1}"

    @classmethod
    def _job_of(cls, text: str) -> int:
        _, _, number = text.rpartition("-")
        return int(number) - 1 if number.isdigit() else 0

    def mount(self, router: Any) -> None:
        base = re.escape(self.base)
        router.post(f"{self.base}/files").mock(side_effect=self._upload)
        router.post(f"{self.base}/batches").mock(side_effect=self._create)
        router.get(url__regex=rf"^{base}/batches/{self.batch_id}(-\d+)?$").mock(
            side_effect=self._poll
        )
        router.get(url__regex=rf"^{base}/files/file-out(-\d+)?/content$").mock(
            side_effect=self._output
        )
        router.get(url__regex=rf"^{base}/files/file-err(-\d+)?/content$").mock(
            side_effect=self._errors
        )

    def uploaded_lines(self, job: int | None = None) -> list[dict[str, Any]]:
        """The request lines of one job's input file, or of every job's."""
        files = self.uploads if job is None else [self.uploads[job]]
        return [
            json.loads(line)
            for upload in files
            for line in upload.splitlines()
            if line.startswith(b'{"custom_id"')
        ]

    def _upload(self, request: httpx.Request) -> httpx.Response:
        upload = request.read()
        assert b'name="purpose"' in upload and b"batch" in upload
        if len(self.uploads) == self.refuse_upload:
            self.refuse_upload = None
            return httpx.Response(
                400, json={"error": {"message": "Synthetic refusal", "code": None}}
            )
        job = len(self.uploads)
        self.uploads.append(upload)
        self.job_polls.append(0)
        file_id = f"file-in{self._suffix(job)}"
        return httpx.Response(200, json={"id": file_id, "object": "file"})

    def _batch(self, job: int, status: str) -> dict[str, Any]:
        done = status == self.final_status
        suffix = self._suffix(job)
        batch: dict[str, Any] = {
            "id": f"{self.batch_id}{suffix}",
            "object": "batch",
            "endpoint": "/v1/chat/completions",
            "input_file_id": f"file-in{suffix}",
            "completion_window": "24h",
            "status": status,
            "output_file_id": None,
            "error_file_id": None,
            "errors": None,
        }
        if done and status == "failed":
            batch["errors"] = {
                "object": "list",
                "data": [{"code": "invalid_request", "message": "bad file", "line": 1}],
            }
        elif done:
            batch["output_file_id"] = f"file-out{suffix}"
            batch["error_file_id"] = f"file-err{suffix}"
        return batch

    def _create(self, request: httpx.Request) -> httpx.Response:
        self.created = json.loads(request.content)
        file_id = self.created["input_file_id"]
        assert file_id.startswith("file-in")
        return httpx.Response(
            200, json=self._batch(self._job_of(file_id), "validating")
        )

    def _poll(self, request: httpx.Request) -> httpx.Response:
        job = self._job_of(request.url.path.rsplit("/", 1)[-1])
        self.polls += 1
        self.job_polls[job] += 1
        done = self.job_polls[job] > self.polls_before_done
        status = self.final_status if done else "in_progress"
        return httpx.Response(200, json=self._batch(job, status))

    def _ran(self, request: httpx.Request) -> list[dict[str, Any]]:
        file_id = request.url.path.split("/")[-2]
        lines = self.uploaded_lines(self._job_of(file_id))
        return lines if self.answered is None else lines[: self.answered]

    def _output(self, request: httpx.Request) -> httpx.Response:
        out = []
        for line in self._ran(request):
            if line["body"]["messages"][-1]["content"] == "FAIL":
                continue
            answer = synthetic_openai(
                httpx.Request("POST", "https://x/", json=line["body"])
            )
            out.append(
                {
                    "id": f"batch_req_{line['custom_id']}",
                    "custom_id": line["custom_id"],
                    "response": {
                        "status_code": 200,
                        "request_id": "req_synthetic",
                        "body": answer.json(),
                    },
                    "error": None,
                }
            )
        return httpx.Response(200, content="\n".join(map(json.dumps, out)).encode())

    def _errors(self, request: httpx.Request) -> httpx.Response:
        out = [
            {
                "id": f"batch_req_{line['custom_id']}",
                "custom_id": line["custom_id"],
                "response": {
                    "status_code": 400,
                    "request_id": "req_synthetic_error",
                    "body": {
                        "error": {"message": "Synthetic bad request", "code": None}
                    },
                },
                "error": None,
            }
            for line in self._ran(request)
            if line["body"]["messages"][-1]["content"] == "FAIL"
        ]
        return httpx.Response(200, content="\n".join(map(json.dumps, out)).encode())
