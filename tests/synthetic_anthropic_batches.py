"""A synthetic Anthropic Message Batches API for respx: not a recording.

No recording of Message Batches exists in tests/fixtures; this follows the
documented shapes (message batch object, results JSON lines). Each request's
last user message decides its result: "FAIL" is ``errored`` (an
``invalid_request_error`` body); any other text ``succeeded`` with the message
"Synthetic answer: <text>" (after a prefill, if the request has one).
``answered`` limits how many requests ran; the rest get ``unanswered``
(``expired`` or ``canceled``). Results come in reverse order (the API does not
keep the order of the requests).
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from llm_async.providers.anthropic.models import ClaudeSpec

KEY = "sk-ant-synthetic-batch-key"
#: A Claude model's description (the tests make sync and async models of it).
SPEC = ClaudeSpec("claude-synthetic", max_tokens=256)


def last_text(params: dict[str, Any]) -> str:
    """The text of the request's last message (a string or text blocks)."""
    content = params["messages"][-1]["content"]
    return content if isinstance(content, str) else str(content[0]["text"])


def message(params: dict[str, Any], index: int) -> dict[str, Any]:
    """The message one request would have got."""
    if params["messages"][-1]["role"] == "assistant":  # a prefill: continue it
        text = "} Synthetic continuation"
    else:
        text = f"Synthetic answer: {last_text(params)}"
    return {
        "id": f"msg_synthetic_{index}",
        "type": "message",
        "role": "assistant",
        "model": params["model"],
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 11, "output_tokens": 7},
    }


class SyntheticMessageBatches:
    """The routes of one message batch: create, poll, results."""

    batch_id = "msgbatch_synthetic"

    def __init__(
        self,
        base: str,
        *,
        polls_before_done: int = 0,
        answered: int | None = None,
        unanswered: str = "expired",
        results_url: str | None = None,
    ) -> None:
        self.base = base.rstrip("/")
        self.polls_before_done = polls_before_done
        self.answered = answered
        self.unanswered = unanswered
        self.results_url = results_url or f"{self.url}/results"
        self.polls = 0
        self.created: dict[str, Any] = {}
        self.headers: list[httpx.Headers] = []

    @property
    def url(self) -> str:
        return f"{self.base}/v1/messages/batches/{self.batch_id}"

    def mount(self, router: Any) -> None:
        router.post(f"{self.base}/v1/messages/batches").mock(side_effect=self._create)
        router.get(self.url).mock(side_effect=self._poll)
        router.get(f"{self.url}/results").mock(side_effect=self._results)

    def _batch(self, ended: bool) -> dict[str, Any]:
        count = len(self.created.get("requests", []))
        return {
            "id": self.batch_id,
            "type": "message_batch",
            "processing_status": "ended" if ended else "in_progress",
            "request_counts": {
                "processing": 0 if ended else count,
                "succeeded": count if ended else 0,
                "errored": 0,
                "canceled": 0,
                "expired": 0,
            },
            "ended_at": "2025-01-01T01:00:00Z" if ended else None,
            "created_at": "2025-01-01T00:00:00Z",
            "expires_at": "2025-01-02T00:00:00Z",
            "archived_at": None,
            "cancel_initiated_at": None,
            "results_url": self.results_url if ended else None,
        }

    def _create(self, request: httpx.Request) -> httpx.Response:
        self.headers.append(request.headers)
        self.created = json.loads(request.content)
        return httpx.Response(200, json=self._batch(ended=False))

    def _poll(self, request: httpx.Request) -> httpx.Response:
        self.headers.append(request.headers)
        self.polls += 1
        return httpx.Response(
            200, json=self._batch(ended=self.polls > self.polls_before_done)
        )

    def _result(self, index: int, params: dict[str, Any]) -> dict[str, Any]:
        if self.answered is not None and index >= self.answered:
            return {"type": self.unanswered}
        if last_text(params) == "FAIL":
            return {
                "type": "errored",
                "error": {
                    "type": "error",
                    "error": {
                        "type": "invalid_request_error",
                        "message": "Synthetic invalid request",
                    },
                },
            }
        return {"type": "succeeded", "message": message(params, index)}

    def _results(self, request: httpx.Request) -> httpx.Response:
        self.headers.append(request.headers)
        lines = [
            {
                "custom_id": entry["custom_id"],
                "result": self._result(i, entry["params"]),
            }
            for i, entry in enumerate(self.created["requests"])
        ]
        content = "\n".join(json.dumps(line) for line in reversed(lines))
        return httpx.Response(
            200,
            content=content.encode(),
            headers={"content-type": "application/binary"},
        )
