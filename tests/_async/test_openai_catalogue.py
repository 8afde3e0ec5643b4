"""The OpenAI models llm 0.36 registers (ids, aliases, endpoints, options), the
Completions models, and extra-openai-models.yaml entries for the new endpoints."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

import llm_async as llm
from tests.openai_support import VISION_TYPES, reset_registry
from tests.support import CANARY_KEY

BASE = "https://api.openai.com/v1"
SSE = {"content-type": "text/event-stream"}

# llm 0.36's registrations: model id -> (str() prefix, aliases).
CHAT = "OpenAI Chat"
RESPONSES = "OpenAI Responses"
COMPLETION = "OpenAI Completion"
LLM_036: dict[str, tuple[str, tuple[str, ...]]] = {
    "gpt-4o": (CHAT, ("4o",)),
    "gpt-4o-mini": (CHAT, ("4o-mini",)),
    "gpt-4.1": (CHAT, ("4.1",)),
    "gpt-4.1-mini": (CHAT, ("4.1-mini",)),
    "gpt-4.1-nano": (CHAT, ("4.1-nano",)),
    "gpt-3.5-turbo": (CHAT, ("3.5", "chatgpt")),
    "gpt-3.5-turbo-16k": (CHAT, ("chatgpt-16k", "3.5-16k")),
    "gpt-4": (CHAT, ("4", "gpt4")),
    "gpt-4-turbo-2024-04-09": (CHAT, ()),
    "gpt-4-turbo": (CHAT, ("gpt-4-turbo-preview", "4-turbo", "4t")),
    **{
        model_id: (RESPONSES, ())
        for model_id in (
            "o1",
            "o1-2024-12-17",
            "o3-mini",
            "o3",
            "o4-mini",
            "gpt-5",
            "gpt-5-mini",
            "gpt-5-nano",
            "gpt-5-2025-08-07",
            "gpt-5-mini-2025-08-07",
            "gpt-5-nano-2025-08-07",
            "gpt-5.1",
            "gpt-5.2",
            "gpt-5.2-chat-latest",
            "gpt-5.4",
            "gpt-5.4-2026-03-05",
            "gpt-5.4-mini",
            "gpt-5.4-mini-2026-03-17",
            "gpt-5.4-nano",
            "gpt-5.4-nano-2026-03-17",
            "gpt-5.5",
            "gpt-5.5-2026-04-23",
            "gpt-5.6-sol",
            "gpt-5.6-terra",
            "gpt-5.6-luna",
            "gpt-6-astra",
            "gpt-6-sol",
            "gpt-6-luna",
        )
    },
    "gpt-3.5-turbo-instruct": (COMPLETION, ("3.5-instruct", "chatgpt-instruct")),
}


@pytest.fixture(autouse=True)
def fresh_registry(user_path: Path) -> Iterator[None]:
    reset_registry()
    yield
    reset_registry()


def openai_ids() -> set[str]:
    return {
        model.model_id
        for model in llm.get_async_models()
        if str(model).startswith("OpenAI ")
    }


async def test_llm_036_models_ids_aliases_and_endpoints() -> None:
    assert openai_ids() == set(LLM_036)
    for model_id, (title, aliases) in LLM_036.items():
        model = llm.get_async_model(model_id)
        assert str(model) == f"{title}: {model_id}"
        assert model.needs_key == "openai"
        assert model.key_env_var == "OPENAI_API_KEY"
        for alias in aliases:
            assert llm.get_async_model(alias) is model
    assert llm.get_async_model().model_id == "gpt-4o-mini"


async def test_capabilities_and_options_per_endpoint() -> None:
    gpt5 = llm.get_async_model("gpt-5-mini")
    assert gpt5.attachment_types == VISION_TYPES
    assert gpt5.supports_tools and gpt5.supports_schema and gpt5.can_stream
    fields = set(gpt5.Options.model_fields)
    assert {
        "max_output_tokens",
        "reasoning_effort",
        "reasoning_summary",
        "verbosity",
        "image_detail",
        "service_tier",
        "json_object",
    } <= fields
    assert not {"temperature", "top_p", "stop", "seed", "max_tokens"} & fields
    assert gpt5.Options(max_tokens=10).max_output_tokens == 10  # llm's name
    with pytest.raises(ValueError, match="image_detail"):
        gpt5.Options(image_detail="original")
    assert llm.get_async_model("gpt-5.4").Options(image_detail="original")
    o1 = llm.get_async_model("o1")
    assert not o1.can_stream
    o3_mini = llm.get_async_model("o3-mini")
    assert not o3_mini.attachment_types
    assert "verbosity" not in o3_mini.Options.model_fields
    instruct = llm.get_async_model("3.5-instruct")
    assert not instruct.attachment_types
    assert not instruct.supports_tools and not instruct.supports_schema
    assert "logprobs" in instruct.Options.model_fields
    assert "json_object" not in instruct.Options.model_fields
    assert "temperature" in llm.get_async_model("gpt-4o").Options.model_fields


# Completions --------------------------------------------------------------------


def completion_json(text: str) -> dict[str, Any]:
    """Synthetic ``text_completion`` answer."""
    return {
        "id": "cmpl-synthetic",
        "object": "text_completion",
        "created": 1,
        "model": "gpt-3.5-turbo-instruct:synthetic",
        "choices": [
            {"text": text, "index": 0, "logprobs": None, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
    }


def completion_stream(texts: list[str]) -> bytes:
    """Synthetic streamed ``text_completion`` chunks, usage, then ``[DONE]``."""
    chunks = [
        {
            "id": "cmpl-synthetic",
            "object": "text_completion",
            "created": 1,
            "model": "gpt-3.5-turbo-instruct:synthetic",
            "choices": [
                {
                    "text": text,
                    "index": 0,
                    "finish_reason": "stop" if i == len(texts) - 1 else None,
                }
            ],
        }
        for i, text in enumerate(texts)
    ]
    chunks.append(
        {
            "id": "cmpl-synthetic",
            "object": "text_completion",
            "choices": [],
            "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
        }
    )
    lines = [f"data: {json.dumps(chunk)}\n\n" for chunk in chunks]
    return ("".join(lines) + "data: [DONE]\n\n").encode()


@pytest.mark.parametrize("stream", [True, False])
async def test_completion_model(monkeypatch: pytest.MonkeyPatch, stream: bool) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", CANARY_KEY)
    model = llm.get_async_model("gpt-3.5-turbo-instruct")
    answer = (
        httpx.Response(200, headers=SSE, content=completion_stream(["Hel", "lo"]))
        if stream
        else httpx.Response(200, json=completion_json("Hello"))
    )
    with respx.mock() as router:
        route = router.post(f"{BASE}/completions").mock(return_value=answer)
        conversation = model.conversation()
        await conversation.prompt("Say", stream=stream).text()
        response = conversation.prompt("hello", temperature=0.2, stream=stream)
        chunks = [chunk async for chunk in response]
    assert "".join(chunks) == "Hello"
    body = json.loads(route.calls[1].request.content)
    assert body["prompt"] == "Say\nHello\nhello"  # the history, one per line
    assert body["max_tokens"] == 256  # llm's default for this model
    assert body["temperature"] == 0.2
    assert body["stream"] is stream
    assert ("stream_options" in body) is stream
    usage = await response.usage()
    assert (usage.input, usage.output) == (3, 2)
    assert response.resolved_model == "gpt-3.5-turbo-instruct:synthetic"
    data = await response.json()
    assert data is not None and data["id"] == "cmpl-synthetic"


async def test_completion_model_refuses_a_system_prompt(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", CANARY_KEY)
    model = llm.get_async_model("3.5-instruct")
    with pytest.raises(ValueError, match="System prompts are not supported"):
        await model.prompt("hi", system="Be brief").text()


# extra-openai-models.yaml -----------------------------------------------------------


async def test_extra_models_for_the_new_endpoints(user_path: Path) -> None:
    user_path.mkdir(parents=True, exist_ok=True)
    (user_path / "extra-openai-models.yaml").write_text(
        "- model_id: proxy-gpt5\n"
        "  model_name: gpt-5\n"
        "  api_base: https://proxy.example/v1\n"
        "  responses: true\n"
        "  reasoning: true\n"
        "  vision: true\n"
        "  supports_tools: true\n"
        "- model_id: my-instruct\n"
        "  model_name: gpt-3.5-turbo-instruct\n"
        "  completion: true\n"
        "  aliases: [mine]\n",
        encoding="utf-8",
    )
    proxy = llm.get_async_model("proxy-gpt5")
    assert str(proxy) == "OpenAI Responses: proxy-gpt5"
    assert proxy.needs_key is None
    assert "reasoning_effort" in proxy.Options.model_fields
    assert "temperature" not in proxy.Options.model_fields
    instruct = llm.get_async_model("mine")
    assert str(instruct) == "OpenAI Completion: my-instruct"
    assert instruct.needs_key == "openai"
    with respx.mock() as router:
        route = router.post("https://proxy.example/v1/responses").mock(
            return_value=httpx.Response(
                200,
                json={
                    "id": "resp_synthetic",
                    "object": "response",
                    "status": "completed",
                    "model": "gpt-5",
                    "output": [
                        {
                            "type": "message",
                            "id": "msg_1",
                            "content": [{"type": "output_text", "text": "ok"}],
                        }
                    ],
                },
            )
        )
        assert await proxy.prompt("hi", stream=False).text() == "ok"
    sent = json.loads(route.calls[0].request.content)
    assert sent["model"] == "gpt-5"
    assert "authorization" not in route.calls[0].request.headers
