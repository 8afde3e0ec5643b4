"""A synthetic OpenAI Chat Completions server for running the seed examples.

Not a recording: it answers any chat request so that the documentation's
examples (which name real OpenAI models and tools of their own) can run
offline, end to end, through the real provider, transport and tool chain.

* A request with ``tools`` whose last message is not a tool result gets one
  call of the first tool, with arguments made up from the tool's JSON schema.
* A request with a ``json_schema`` response format gets a JSON object with
  one sample value per property of the schema, as for tool arguments.
* Anything else gets ``"Synthetic answer: <last user text>"``, or, after a
  tool result, ``"Synthetic answer after tool: <tool output>"``.

Both streamed (SSE with ``include_usage``) and non-streamed replies.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

CHAT_URL = "https://api.openai.com/v1/chat/completions"
SAMPLE_VALUES: dict[str, Any] = {
    "string": "panda",
    "number": 100,
    "integer": 3,
    "boolean": True,
}


def made_up_arguments(schema: dict[str, Any]) -> dict[str, Any]:
    """Arguments for a tool: one sample value per property, by JSON type."""
    properties = schema.get("properties", {})
    return {
        name: SAMPLE_VALUES.get(spec.get("type", "string"), "panda")
        for name, spec in properties.items()
    }


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(item.get("text", "") for item in content if item)
    return ""


def synthetic_reply(body: dict[str, Any]) -> dict[str, Any]:
    """The assistant message (content or tool_calls) for a request body."""
    messages = body.get("messages", [])
    last = messages[-1] if messages else {}
    tools = body.get("tools") or []
    if tools and last.get("role") != "tool":
        function = tools[0]["function"]
        return {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": f"call_synthetic_{len(messages)}",
                    "type": "function",
                    "function": {
                        "name": function["name"],
                        "arguments": json.dumps(
                            made_up_arguments(function.get("parameters") or {})
                        ),
                    },
                }
            ],
        }
    response_format = body.get("response_format") or {}
    if response_format.get("type") == "json_schema":
        schema = response_format.get("json_schema", {}).get("schema") or {}
        return {"role": "assistant", "content": json.dumps(made_up_arguments(schema))}
    if last.get("role") == "tool":
        return {
            "role": "assistant",
            "content": f"Synthetic answer after tool: {last.get('content')}",
        }
    user_texts = [_text_of(m.get("content")) for m in messages if m["role"] == "user"]
    return {
        "role": "assistant",
        "content": f"Synthetic answer: {user_texts[-1] if user_texts else ''}",
    }


USAGE = {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}


def _sse(chunks: list[dict[str, Any]]) -> bytes:
    lines = [f"data: {json.dumps(chunk)}\n\n" for chunk in chunks]
    return ("".join(lines) + "data: [DONE]\n\n").encode()


def synthetic_openai(request: httpx.Request) -> httpx.Response:
    """respx side effect: answer one Chat Completions request."""
    body = json.loads(request.content)
    message = synthetic_reply(body)
    base = {
        "id": "chatcmpl-synthetic",
        "created": 1700000000,
        "model": body["model"],
    }
    finish = "tool_calls" if message.get("tool_calls") else "stop"
    if not body.get("stream"):
        payload = {
            **base,
            "object": "chat.completion",
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": USAGE,
        }
        return httpx.Response(200, json=payload)
    chunk = {**base, "object": "chat.completion.chunk"}
    deltas: list[dict[str, Any]] = [{"role": "assistant", "content": ""}]
    if message.get("tool_calls"):
        for index, call in enumerate(message["tool_calls"]):
            deltas.append(
                {"tool_calls": [{"index": index, **call}]},
            )
    else:
        words = message["content"].split(" ")
        deltas.extend(
            {"content": word if i == 0 else " " + word} for i, word in enumerate(words)
        )
    chunks = [
        {**chunk, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
        for delta in deltas
    ]
    chunks.append(
        {**chunk, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]}
    )
    chunks.append({**chunk, "choices": [], "usage": USAGE})
    return httpx.Response(
        200, content=_sse(chunks), headers={"content-type": "text/event-stream"}
    )
