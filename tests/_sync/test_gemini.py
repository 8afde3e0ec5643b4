# Generated from tests/_async/test_gemini.py; do not edit.
# Edit the async source and run `python scripts/unasync.py`.
"""The built-in Gemini models: registry, keys, conversations, chains,
persistence, attachments and failures (recorded and synthetic answers via respx).

Synthetic answers are built here and named so; the multi-turn tests replay the
recorded tool conversations and check the requests we send against them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

import llm_sync as llm
from llm_sync import HTTPModel, RetryPolicy, Transport
from tests.gemini_support import normalize_request, replay_call, spec_for
from tests.openai_support import reset_registry
from tests.support import CANARY_KEY, ScriptedStream, load_recorded, recorded_responses

FAST = RetryPolicy(initial_delay=0.01, max_delay=0.02)
API = "https://generativelanguage.googleapis.com/v1beta"
FLASH = "gemini-2.5-flash"


@pytest.fixture(autouse=True)
def no_gemini_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("GEMINI_API_KEY", "LLM_GEMINI_KEY"):
        monkeypatch.delenv(name, raising=False)
    reset_registry()
    yield
    reset_registry()


@pytest.fixture
def transport() -> Iterator[Transport]:
    with Transport(retry=FAST) as fast:
        yield fast


def fast_model(name: str, transport: Transport) -> HTTPModel:
    """The registered model's provider on a transport that retries at once."""
    registered = llm.get_model(name)
    assert isinstance(registered, HTTPModel)
    model = HTTPModel(
        registered.model_id,
        registered.provider,
        needs_key="gemini",
        supports_tools=True,
        supports_schema=True,
        attachment_types=registered.attachment_types,
        transport=transport,
    )
    model.key = CANARY_KEY
    return model


def recorded_model(name: str, transport: Transport) -> HTTPModel:
    request = load_recorded(name)["interactions"][0]["request"]
    spec = spec_for(request)
    model = HTTPModel(
        spec.model_id, spec.provider(), transport=transport, **spec.model_kwargs()
    )
    model.key = CANARY_KEY
    return model


def route_for(router: respx.Router, model: str = FLASH) -> Any:
    return router.post(host="generativelanguage.googleapis.com").mock()


def synthetic_chunk(parts: list[dict[str, Any]], finish: str | None = None) -> str:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}}
    if finish:
        candidate["finishReason"] = finish
    chunk = {
        "candidates": [candidate],
        "usageMetadata": {"promptTokenCount": 5, "candidatesTokenCount": 3},
        "modelVersion": "gemini-synthetic",
    }
    return f"data: {json.dumps(chunk)}\r\n\r\n"


def synthetic_stream(messages: list[str], error: Exception | None = None) -> Any:
    return httpx.Response(
        200,
        headers={"content-type": "text/event-stream"},
        stream=ScriptedStream([m.encode() for m in messages], error=error),
    )


def sent_bodies(route: Any) -> list[dict[str, Any]]:
    return [json.loads(call.request.content) for call in route.calls]


# Registry and keys ---------------------------------------------------------------


def test_llm_gemini_ids_and_aliases_are_registered() -> None:
    for name in (FLASH, "gemini-flash-latest", "gemini-3.1-pro-preview"):
        model = llm.get_model(name)
        assert model.model_id == f"gemini/{name}"
        assert llm.get_model(f"gemini/{name}") is model
        assert str(model) == f"Gemini: gemini/{name}"
    assert "thinking_budget" in llm.get_model(FLASH).Options.model_fields
    pro = llm.get_model("gemini-3.1-pro-preview").Options
    assert "thinking_level" in pro.model_fields
    assert "thinking_budget" not in pro.model_fields
    gemma = llm.get_model("gemma-4-31b-it").Options.model_fields
    assert "thinking_level" not in gemma and "thinking_budget" not in gemma


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("keys.json", "from-file"),
        ("GEMINI_API_KEY", "from-gemini-env"),
        ("LLM_GEMINI_KEY", "from-plugin-env"),
    ],
)
def test_key_sources_in_order(
    where: str, expected: str, user_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = ["keys.json", "GEMINI_API_KEY", "LLM_GEMINI_KEY"]
    for source in order[order.index(where) :]:
        if source == "keys.json":
            user_path.mkdir(parents=True, exist_ok=True)
            (user_path / "keys.json").write_text(json.dumps({"gemini": "from-file"}))
            (user_path / "keys.json").chmod(0o600)
        elif source == "GEMINI_API_KEY":
            monkeypatch.setenv(source, "from-gemini-env")
        else:
            monkeypatch.setenv(source, "from-plugin-env")
    model = llm.get_model(FLASH)
    with respx.mock() as router:
        route = route_for(router)
        route.side_effect = [
            synthetic_stream([synthetic_chunk([{"text": "hi"}], "STOP")])
        ]
        assert model.prompt("x").text() == "hi"
    request = route.calls[0].request
    assert request.headers["x-goog-api-key"] == expected
    assert expected not in str(request.url)


def test_explicit_key_wins_and_missing_key_names_both_variables() -> None:
    model = llm.get_model(FLASH)
    with pytest.raises(llm.NeedsKeyException) as info:
        model.prompt("x").text()
    assert str(info.value) == (
        "No key found - add one using 'llm keys set gemini' or set the "
        "GEMINI_API_KEY or LLM_GEMINI_KEY environment variable"
    )
    with respx.mock() as router:
        route = route_for(router)
        route.side_effect = [
            synthetic_stream([synthetic_chunk([{"text": "hi"}], "STOP")])
        ]
        model.prompt("x", key=CANARY_KEY).text()
    assert route.calls[0].request.headers["x-goog-api-key"] == CANARY_KEY


# Conversations, chains and persistence (recorded) ----------------------------------


def test_tool_conversation_sends_the_thought_signature_back(
    transport: Transport,
) -> None:
    """Gemini 3 needs the call's signature on the next turn: the recorded chain."""
    name = "gemini/gemini3_structured_with_tools.json"
    fixture = load_recorded(name)
    first, second = (i["request"] for i in fixture["interactions"])
    model = recorded_model(name, transport)
    call = replay_call(first)
    conversation = model.conversation(tools=call["tools"])
    text = call["messages"][0].parts[0].text
    with respx.mock() as router:
        route = route_for(router)
        route.side_effect = recorded_responses(fixture)
        response = conversation.prompt(text, schema=call["schema"], stream=False)
        [tool_call] = response.tool_calls()
        result = llm.ToolResult(
            tool_call.name, "13", tool_call_id=tool_call.tool_call_id
        )
        reply = conversation.prompt(
            tool_results=[result], schema=call["schema"], stream=False
        )
        assert json.loads(reply.text())["answer"] == 13
    second_sent = sent_bodies(route)[1]
    assert normalize_request(second_sent) == normalize_request(
        json.loads(second["body"])
    )
    signature = json.loads(fixture["interactions"][0]["response"]["body"])
    expected = signature["candidates"][0]["content"]["parts"][0]["thoughtSignature"]
    assert second_sent["contents"][1]["parts"][0]["thoughtSignature"] == expected
    assert "id" not in second_sent["contents"][1]["parts"][0]["functionCall"]


def test_parallel_calls_chain_runs_both_tools_and_answers_in_call_order(
    transport: Transport,
) -> None:
    name = "gemini/generate_tools_parallel_stream_sse.json"
    fixture = load_recorded(name)
    first, second = (i["request"] for i in fixture["interactions"])
    model = recorded_model(name, transport)
    secrets = {"mellon": "Welcome to Moria!", "radiance": "Life before Death"}

    def secret_retrieval_tool(password: str) -> str:
        """A tool that requires a password to retrieve a secret."""
        return secrets[password]

    body = json.loads(first["body"])
    with respx.mock() as router:
        route = route_for(router)
        route.side_effect = recorded_responses(fixture)
        chain = model.chain(
            body["contents"][0]["parts"][0]["text"],
            system="Use parallel tool calling.",
            tools=[secret_retrieval_tool],
        )
        text = chain.text()
    assert "Life before Death" in text
    sent = sent_bodies(route)
    assert normalize_request(sent[1]) == normalize_request(json.loads(second["body"]))
    results = [p["functionResponse"] for p in sent[1]["contents"][2]["parts"]]
    assert [r["response"]["output"] for r in results] == list(secrets.values())
    ids = {c.tool_call_id for r in chain.responses() for c in r.tool_calls()}
    assert len(ids) == 2 and all(i and i.startswith("call_") for i in ids)


def test_results_given_out_of_order_are_sent_in_call_order(
    transport: Transport,
) -> None:
    name = "gemini/generate_tools_parallel.json"
    fixture = load_recorded(name)
    first, second = (i["request"] for i in fixture["interactions"])
    model = recorded_model(name, transport)
    call = replay_call(first)
    conversation = model.conversation(tools=call["tools"])
    outputs = {"mellon": "Welcome to Moria!", "radiance": "Life before Death"}
    with respx.mock() as router:
        route = route_for(router)
        route.side_effect = recorded_responses(fixture)
        response = conversation.prompt(
            call["messages"][1].parts[0].text,
            system=call["messages"][0].parts[0].text,
            stream=False,
        )
        calls = response.tool_calls()
        results = [
            llm.ToolResult(
                c.name, outputs[c.arguments["password"]], tool_call_id=c.tool_call_id
            )
            for c in reversed(calls)
        ]
        conversation.prompt(tool_results=results, stream=False).text()
    sent = sent_bodies(route)[1]
    assert normalize_request(sent) == normalize_request(json.loads(second["body"]))


def test_restored_conversation_keeps_thought_signatures(
    transport: Transport,
) -> None:
    """to_dict() -> JSON -> from_dict(): the next turn still carries the signature."""
    name = "gemini/stream_json_array_gemini3_thought_signatures.json"
    fixture = load_recorded(name)
    first, second = (i["request"] for i in fixture["interactions"])
    model = recorded_model(name, transport)
    call = replay_call(first)
    conversation = model.conversation(tools=call["tools"])
    with respx.mock() as router:
        route = route_for(router)
        route.side_effect = recorded_responses(fixture)
        response = conversation.prompt("What is 5 times 3?")
        [tool_call] = response.tool_calls()
        saved = json.loads(json.dumps(conversation.to_dict()))
        assert CANARY_KEY not in json.dumps(saved)
        restored = type(conversation).from_dict(saved, model=model, tools=call["tools"])
        result = llm.ToolResult("multiply", "15", tool_call_id=tool_call.tool_call_id)
        assert restored.prompt(tool_results=[result]).text() == "5 times 3 is 15."
    sent = sent_bodies(route)[1]
    assert normalize_request(sent) == normalize_request(json.loads(second["body"]))
    assert sent["contents"][1]["parts"][0]["thoughtSignature"].startswith("Et0BCtoB")


def test_thoughts_stream_as_reasoning_and_are_not_sent_back(
    transport: Transport,
) -> None:
    name = "gemini/generate_thinking_stream_sse.json"
    fixture = load_recorded(name)
    model = recorded_model(name, transport)
    question = json.loads(fixture["interactions"][0]["request"]["body"])
    text = question["contents"][0]["parts"][0]["text"]
    conversation = model.conversation()
    with respx.mock() as router:
        route = route_for(router)
        route.side_effect = recorded_responses(fixture)
        response = conversation.prompt(text, thinking_budget=6400)
        events = [e for e in response.stream_events()]
        kinds = [e.type for e in events]
        assert kinds.index("text") > kinds.index("reasoning")
        assert response.text() == "3"
        conversation.prompt("Go on", thinking_budget=1600).text()
    first_sent, second_sent = sent_bodies(route)
    assert first_sent["generationConfig"]["thinkingConfig"] == {
        "thinkingBudget": 6400,
        "includeThoughts": True,
    }
    model_turn = second_sent["contents"][1]
    assert model_turn == {"role": "model", "parts": [{"text": "3"}]}


# Attachments ---------------------------------------------------------------------

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201e2f3b1b30000000049454e44ae426082"
)


def test_attachments_inline_and_youtube_by_uri(transport: Transport) -> None:
    model = fast_model(FLASH, transport)
    youtube = "https://www.youtube.com/watch?v=synthetic"
    attachments = [
        llm.Attachment(content=PNG),
        llm.Attachment(content=b"%PDF-1.4 synthetic", type="application/pdf"),
        llm.Attachment(content=b"ID3 synthetic", type="audio/mpeg"),
        llm.Attachment(content=b"synthetic video", type="video/mp4"),
        llm.Attachment(url=youtube, type="video/youtube"),
    ]
    with respx.mock() as router:
        route = route_for(router)
        route.side_effect = [
            synthetic_stream([synthetic_chunk([{"text": "ok"}], "STOP")])
        ]
        model.prompt("Describe", attachments=attachments).text()
    parts = sent_bodies(route)[0]["contents"][0]["parts"]
    assert parts[0] == {"text": "Describe"}
    inline = [p["inlineData"]["mimeType"] for p in parts[1:5]]
    assert inline == ["image/png", "application/pdf", "audio/mp3", "video/mp4"]
    assert (
        parts[1]["inlineData"]["data"] == llm.Attachment(content=PNG).base64_content()
    )
    assert parts[5] == {"fileData": {"fileUri": youtube}}
    assert len(route.calls) == 1  # the YouTube URL was not downloaded


# Failures ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "status", "error_class"),
    [
        (429, "RESOURCE_EXHAUSTED", llm.RateLimitError),
        (500, "INTERNAL", llm.ServerError),
        (400, "INVALID_ARGUMENT", llm.BadRequestError),
    ],
)
def test_error_inside_a_200_stream_is_typed(
    transport: Transport, code: int, status: str, error_class: type
) -> None:
    model = fast_model(FLASH, transport)
    error = {"error": {"code": code, "message": "synthetic failure", "status": status}}
    with respx.mock() as router:
        route = route_for(router)
        route.side_effect = [
            synthetic_stream([f"data: {json.dumps(error)}\r\n\r\n"]),
        ]
        with pytest.raises(llm.APIStatusError) as info:
            model.prompt("x", max_retries=0).text()
    assert type(info.value) is error_class
    assert info.value.message == "synthetic failure"
    assert info.value.code == status
    with respx.mock() as router:
        route = route_for(router)
        route.side_effect = [
            synthetic_stream(
                [
                    synthetic_chunk([{"text": "partial"}]),
                    f"data: {json.dumps(error)}\r\n\r\n",
                ]
            ),
        ]
        with pytest.raises(llm.StreamInterruptedError) as cut:
            model.prompt("x", max_retries=0).text()
    assert cut.value.partial_text == "partial"
    assert type(cut.value.__cause__) is error_class


def test_stream_without_finish_reason_was_cut(transport: Transport) -> None:
    model = fast_model(FLASH, transport)
    with respx.mock() as router:
        route = route_for(router)
        route.side_effect = [synthetic_stream([synthetic_chunk([{"text": "Hal"}])])]
        with pytest.raises(llm.StreamInterruptedError) as info:
            model.prompt("x", max_retries=0).text()
    assert info.value.partial_text == "Hal"
    assert isinstance(info.value.__cause__, llm.APIConnectionError)


def test_blocked_prompt_raises_bad_request(transport: Transport) -> None:
    model = fast_model(FLASH, transport)
    blocked = {"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": {}}
    with respx.mock() as router:
        route = route_for(router)
        route.side_effect = [httpx.Response(200, json=blocked)]
        with pytest.raises(llm.BadRequestError, match=r"blocked the prompt \(SAFETY\)"):
            model.prompt("x", stream=False).text()


def test_rate_limit_retry_delay_from_the_body_then_success(
    transport: Transport,
) -> None:
    """Synthetic 429 in Google's documented shape: RetryInfo.retryDelay is read."""
    model = fast_model(FLASH, transport)
    body = {
        "error": {
            "code": 429,
            "message": "Quota exceeded (synthetic)",
            "status": "RESOURCE_EXHAUSTED",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.RetryInfo",
                    "retryDelay": "0.01s",
                }
            ],
        }
    }
    with respx.mock() as router:
        route = route_for(router)
        route.side_effect = [
            httpx.Response(429, json=body),
            synthetic_stream([synthetic_chunk([{"text": "ok"}], "STOP")]),
        ]
        assert model.prompt("x").text() == "ok"
        assert route.call_count == 2
        route.side_effect = [httpx.Response(429, json=body)]
        with pytest.raises(llm.RateLimitError) as info:
            model.prompt("x", max_retries=0).text()
    assert info.value.retry_after == pytest.approx(0.01)
    assert info.value.code == "RESOURCE_EXHAUSTED"
