"""A synthetic OpenAI Batch API (files + batches) for respx: not a recording.

No recording of the Batch API exists in tests/fixtures; this follows the
documented shapes (file object, batch object, output/error JSONL lines). Each
uploaded request is answered by ``synthetic_openai``; a prompt "FAIL" gets a
400 line in the error file. ``final_status`` ends the job (``completed``,
``expired``, ``failed``); ``answered`` limits how many requests ran.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from llm_async.providers.openai.chat import OpenAIChatProvider
from tests.synthetic_openai_server import synthetic_openai


def chat_provider(model_name: str, base_url: str) -> OpenAIChatProvider:
    """The built-in Chat Completions provider (shared by both facades)."""
    return OpenAIChatProvider(model_name, base_url=base_url)


class SyntheticBatchAPI:
    """The routes of one batch job: upload, create, poll, download."""

    batch_id = "batch_synthetic"

    def __init__(
        self,
        base: str,
        *,
        polls_before_done: int = 0,
        final_status: str = "completed",
        answered: int | None = None,
    ) -> None:
        self.base = base
        self.polls_before_done = polls_before_done
        self.final_status = final_status
        self.answered = answered
        self.polls = 0
        self.upload: bytes = b""
        self.created: dict[str, Any] = {}

    def mount(self, router: Any) -> None:
        router.post(f"{self.base}/files").mock(side_effect=self._upload)
        router.post(f"{self.base}/batches").mock(side_effect=self._create)
        router.get(f"{self.base}/batches/{self.batch_id}").mock(side_effect=self._poll)
        router.get(f"{self.base}/files/file-out/content").mock(side_effect=self._output)
        router.get(f"{self.base}/files/file-err/content").mock(side_effect=self._errors)

    def uploaded_lines(self) -> list[dict[str, Any]]:
        return [
            json.loads(line)
            for line in self.upload.splitlines()
            if line.startswith(b'{"custom_id"')
        ]

    def _upload(self, request: httpx.Request) -> httpx.Response:
        self.upload = request.read()
        assert b'name="purpose"' in self.upload and b"batch" in self.upload
        return httpx.Response(200, json={"id": "file-in", "object": "file"})

    def _batch(self, status: str) -> dict[str, Any]:
        done = status == self.final_status
        batch: dict[str, Any] = {
            "id": self.batch_id,
            "object": "batch",
            "endpoint": "/v1/chat/completions",
            "input_file_id": "file-in",
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
            batch["output_file_id"] = "file-out"
            batch["error_file_id"] = "file-err"
        return batch

    def _create(self, request: httpx.Request) -> httpx.Response:
        self.created = json.loads(request.content)
        assert self.created["input_file_id"] == "file-in"
        return httpx.Response(200, json=self._batch("validating"))

    def _poll(self, request: httpx.Request) -> httpx.Response:
        self.polls += 1
        done = self.polls > self.polls_before_done
        return httpx.Response(
            200, json=self._batch(self.final_status if done else "in_progress")
        )

    def _ran(self) -> list[dict[str, Any]]:
        lines = self.uploaded_lines()
        return lines if self.answered is None else lines[: self.answered]

    def _output(self, request: httpx.Request) -> httpx.Response:
        out = []
        for line in self._ran():
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
            for line in self._ran()
            if line["body"]["messages"][-1]["content"] == "FAIL"
        ]
        return httpx.Response(200, content="\n".join(map(json.dumps, out)).encode())
