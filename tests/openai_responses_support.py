"""Helpers for the OpenAI Responses API recordings and synthetic answers.

Not rewritten for the sync tests (they import the providers through here).

* ``recorded_cases()``: (fixture, interaction index) of every recorded answer.
* ``expected_outcome()``: text, deltas, tool calls, reasoning items, usage and
  model of a recorded answer, read by hand (the ``output`` list, or the SSE
  body line by line), independent of the library's parser.
* ``replay_call()``: ``prompt()`` arguments that make our provider send the
  recorded request (its ``input`` converted to ``Message`` objects).
* ``synthetic_*``: clearly synthetic Responses API answers where no recording
  exists (reasoning summaries, hosted tools, failures).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx

from llm_async._core.parts import (
    Message,
    ReasoningPart,
    TextPart,
    ToolCallPart,
    ToolResultPart,
)
from llm_async._core.tools import Tool
from llm_async.providers.openai.models import ModelSpec
from llm_async.providers.openai.server_tools import CodeInterpreter, WebSearch
from tests.support import RECORDED, load_recorded

__all__ = [
    "RESPONSES_URL",
    "CodeInterpreter",
    "ModelSpec",
    "Outcome",
    "WebSearch",
    "expected_outcome",
    "recorded_cases",
    "replay_call",
    "synthetic_response",
    "synthetic_stream",
    "to_messages",
]

FOLDER = "openai_responses"
RESPONSES_URL = "https://api.openai.com/v1/responses"


def recorded_cases() -> list[tuple[str, int]]:
    """(fixture, interaction index) of every recorded answer in the folder."""
    if not (RECORDED / FOLDER).is_dir():
        raise FileNotFoundError(f"recorded fixtures not found at {RECORDED}")
    cases = []
    for path in sorted((RECORDED / FOLDER).glob("*.json")):
        name = f"{FOLDER}/{path.name}"
        for index, _ in enumerate(load_recorded(name)["interactions"]):
            cases.append((name, index))
    return cases


@dataclass
class Outcome:
    """What a recorded answer says, read without the library."""

    text: str = ""
    text_deltas: list[str] = field(default_factory=list)
    tool_calls: list[tuple[str, dict[str, Any], str]] = field(default_factory=list)
    reasoning_items: list[dict[str, Any]] = field(default_factory=list)
    usage: dict[str, Any] = field(default_factory=dict)
    model: str = ""
    final: dict[str, Any] = field(default_factory=dict)


def _from_output(outcome: Outcome, response: dict[str, Any]) -> None:
    outcome.final = response
    outcome.usage = response["usage"]
    outcome.model = response["model"]
    for item in response["output"]:
        if item["type"] == "reasoning":
            outcome.reasoning_items.append(item)
        elif item["type"] == "function_call":
            arguments = json.loads(item["arguments"]) if item["arguments"] else {}
            outcome.tool_calls.append((item["name"], arguments, item["call_id"]))
        elif item["type"] == "message":
            outcome.text += "".join(
                piece["text"]
                for piece in item["content"]
                if piece["type"] == "output_text"
            )


def expected_outcome(response: dict[str, Any]) -> Outcome:
    """What a recorded 200 answer holds."""
    outcome = Outcome()
    if response.get("stream_format") != "sse":
        _from_output(outcome, json.loads(response["body"]))
        outcome.text_deltas = [outcome.text] if outcome.text else []
        return outcome
    for line in response["body"].splitlines():
        if not line.startswith("data:"):
            continue
        event = json.loads(line[len("data:") :])
        if event["type"] == "response.output_text.delta":
            outcome.text_deltas.append(event["delta"])
        elif event["type"] == "response.completed":
            _from_output(outcome, event["response"])
    return outcome


def to_messages(wire: list[dict[str, Any]]) -> list[Message]:
    """Recorded Responses ``input`` items as ``Message`` objects.

    Reasoning items and function calls join the assistant message that follows
    them; each ``function_call_output`` becomes a tool message.
    """
    names: dict[str, str] = {}
    messages: list[Message] = []
    pending: list[Any] = []  # the assistant message being built
    for item in wire:
        kind = item.get("type")
        if kind == "reasoning":
            metadata = {key: item[key] for key in ("id", "encrypted_content")}
            if item.get("summary"):
                metadata["summary"] = item["summary"]
            pending.append(ReasoningPart("", True, {"openai": metadata}))
        elif kind == "function_call":
            names[item["call_id"]] = item["name"]
            pending.append(
                ToolCallPart(
                    item["name"], json.loads(item["arguments"]), item["call_id"]
                )
            )
        elif kind == "function_call_output":
            if pending:
                messages.append(Message("assistant", pending))
                pending = []
            result = ToolResultPart(
                names[item["call_id"]], item["output"], item["call_id"]
            )
            messages.append(Message("tool", [result]))
        elif item["role"] == "assistant":
            pending.append(TextPart(item["content"]))
        else:
            messages.append(Message(item["role"], [TextPart(item["content"])]))
    if pending:
        messages.append(Message("assistant", pending))
    return messages


def replay_call(request: dict[str, Any]) -> dict[str, Any]:
    """``prompt()`` keyword arguments that reproduce the recorded request."""
    body = json.loads(request["body"])
    kwargs: dict[str, Any] = {
        "messages": to_messages(body["input"]),
        "stream": bool(body["stream"]),
    }
    if "reasoning" in body:
        kwargs["reasoning_effort"] = body["reasoning"]["effort"]
    if body.get("tools"):
        kwargs["tools"] = [
            Tool(tool["name"], tool.get("description"), tool["parameters"])
            for tool in body["tools"]
        ]
    return kwargs


# Synthetic answers (not recordings) ------------------------------------------------


def _final(output: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "id": "resp_synthetic",
        "object": "response",
        "status": "completed",
        "model": "gpt-5-synthetic",
        "output": output,
        "usage": {
            "input_tokens": 10,
            "input_tokens_details": {"cached_tokens": 4},
            "output_tokens": 20,
            "output_tokens_details": {"reasoning_tokens": 12},
            "total_tokens": 30,
        },
        **extra,
    }


def synthetic_response(output: list[dict[str, Any]], **extra: Any) -> httpx.Response:
    """A synthetic non-streamed answer with these output items."""
    return httpx.Response(200, json=_final(output, **extra))


def synthetic_stream(
    events: list[dict[str, Any]],
    *,
    final_output: list[dict[str, Any]] | None = None,
    complete: bool = True,
) -> httpx.Response:
    """A synthetic streamed answer: ``events``, then ``response.completed``
    with ``final_output`` (unless ``complete=False``)."""
    all_events = list(events)
    if complete:
        final = {"type": "response.completed", "response": _final(final_output or [])}
        all_events.append(final)
    body = "".join(
        f"event: {event['type']}\ndata: {json.dumps(event)}\n\n" for event in all_events
    )
    return httpx.Response(
        200,
        headers={"content-type": "text/event-stream"},
        content=body.encode("utf-8"),
    )


def stream_events_for(output: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Synthetic typed events announcing and finishing each output item in turn
    (message text as one delta, reasoning summaries as one delta each)."""
    events: list[dict[str, Any]] = []
    for index, item in enumerate(output):
        added = {key: item[key] for key in ("id", "type") if key in item}
        events.append(
            {"type": "response.output_item.added", "output_index": index, "item": added}
        )
        if item["type"] == "reasoning":
            for number, summary in enumerate(item.get("summary") or ()):
                events.append(
                    {
                        "type": "response.reasoning_summary_text.delta",
                        "item_id": item["id"],
                        "summary_index": number,
                        "delta": summary["text"],
                    }
                )
        if item["type"] == "message":
            events.append(
                {
                    "type": "response.output_text.delta",
                    "item_id": item["id"],
                    "delta": item["content"][0]["text"],
                }
            )
        events.append(
            {"type": "response.output_item.done", "output_index": index, "item": item}
        )
    return events


def synthetic_responses_server(request: httpx.Request) -> httpx.Response:
    """A synthetic ``/v1/responses`` endpoint for the documentation's examples.

    Answers ``"Synthetic answer: <last user text>"`` after one reasoning item
    (with a summary when one was asked for), and runs any code interpreter
    tool as ``print(2**100)``.
    """
    body = json.loads(request.content)
    users = [item for item in body["input"] if item.get("role") == "user"]
    content = users[-1]["content"]
    text = content if isinstance(content, str) else content[0]["text"]
    reasoning: dict[str, Any] = {
        "id": f"rs_synthetic_{len(body['input'])}",
        "type": "reasoning",
        "encrypted_content": f"synthetic-ciphertext-{len(body['input'])}",
        "summary": [],
    }
    if body.get("reasoning", {}).get("summary"):
        reasoning["summary"] = [{"type": "summary_text", "text": "Thinking it over."}]
    output: list[dict[str, Any]] = [reasoning]
    if any(tool.get("type") == "code_interpreter" for tool in body.get("tools", [])):
        output.append(
            {
                "id": "ci_synthetic",
                "type": "code_interpreter_call",
                "status": "completed",
                "code": "print(2**100)",
                "outputs": [{"type": "logs", "logs": str(2**100)}],
            }
        )
    output.append(
        {
            "id": "msg_synthetic",
            "type": "message",
            "role": "assistant",
            "content": [{"type": "output_text", "text": f"Synthetic answer: {text}"}],
        }
    )
    if body.get("stream"):
        return synthetic_stream(stream_events_for(output), final_output=output)
    return synthetic_response(output)


def synthetic_completions_server(request: httpx.Request) -> httpx.Response:
    """A synthetic ``/v1/completions`` endpoint: ``" ... and then <prompt>"``."""
    body = json.loads(request.content)
    text = f" ... and then {body['prompt']}"
    choice = {"text": text, "index": 0, "finish_reason": "stop"}
    answer = {"id": "cmpl-synthetic", "object": "text_completion", "model": "m"}
    if not body.get("stream"):
        return httpx.Response(200, json={**answer, "choices": [choice]})
    chunk = json.dumps({**answer, "choices": [choice]})
    return httpx.Response(
        200,
        headers={"content-type": "text/event-stream"},
        content=f"data: {chunk}\n\ndata: [DONE]\n\n".encode(),
    )
