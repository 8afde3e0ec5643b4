# Generated from tests/_async/test_openai_models.py; do not edit.
# Edit the async source and run `python scripts/unasync.py`.
"""The registered OpenAI models, keys, extra-openai-models.yaml and
register_openai_compatible; conversations; synthetic 429/5xx and stream failures."""

from __future__ import annotations

import json
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

import llm_sync as llm
from llm_sync import HTTPModel, RetryPolicy, Transport
from tests.openai_support import (
    VISION_TYPES,
    ChatSpec,
    OpenAIConfigWarning,
    reset_registry,
)
from tests.support import CANARY_KEY

OPENAI_URL = "https://api.openai.com/v1/chat/completions"
FAST = RetryPolicy(initial_delay=0.01, max_delay=0.02)
SSE = {"content-type": "text/event-stream"}


@pytest.fixture(autouse=True)
def fresh_registry() -> Iterator[None]:
    """Registered models are cached objects: start and end each test afresh."""
    reset_registry()
    yield
    reset_registry()


@pytest.fixture
def transport() -> Iterator[Transport]:
    with Transport(retry=FAST) as shared:
        yield shared


def fast_model(transport: Transport, **spec: Any) -> HTTPModel:
    built = ChatSpec(spec.pop("model_id", "gpt-4o-mini"), **spec)
    model = HTTPModel(
        built.model_id, built.provider(), transport=transport, **built.model_kwargs()
    )
    model.key = CANARY_KEY
    return model


# Synthetic answers (not recordings) ---------------------------------------------


def synthetic_chunks(texts: list[str], *, usage: bool = True) -> list[bytes]:
    """A synthetic Chat Completions stream, one SSE event per chunk."""
    chunks = [
        {
            "id": "synthetic",
            "model": "gpt-4o-mini-synthetic",
            "choices": [
                {"index": 0, "delta": {"content": text}, "finish_reason": None}
            ],
        }
        for text in texts
    ]
    if usage:
        chunks.append(
            {
                "id": "synthetic",
                "choices": [],
                "usage": {
                    "prompt_tokens": 7,
                    "completion_tokens": len(texts),
                    "total_tokens": 9,
                },
            }
        )
    return [f"data: {json.dumps(c)}\n\n".encode() for c in chunks] + [
        b"data: [DONE]\n\n"
    ]


def synthetic_stream(texts: list[str]) -> httpx.Response:
    return httpx.Response(200, headers=SSE, content=b"".join(synthetic_chunks(texts)))


def synthetic_answer(text: str) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "id": "synthetic",
            "object": "chat.completion",
            "model": "gpt-4o-mini-synthetic",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
        },
    )


def synthetic_error(
    status: int,
    message: str,
    *,
    code: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """A synthetic OpenAI-shaped error (shape from OpenAI's error-code docs)."""
    body = {"error": {"message": message, "type": code, "param": None, "code": code}}
    return httpx.Response(status, json=body, headers=headers or {})


def capture(seen: list[httpx.Request], answers: list[httpx.Response]) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answers[min(len(seen), len(answers)) - 1]

    return handler


def sent_body(request: httpx.Request) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(request.content)
    return body


# Registered models ---------------------------------------------------------------


def test_builtin_models_aliases_and_default() -> None:
    expected = {
        "gpt-4o": ["4o"],
        "gpt-4o-mini": ["4o-mini"],
        "gpt-4.1": ["4.1"],
        "gpt-4.1-mini": ["4.1-mini"],
        "gpt-4.1-nano": ["4.1-nano"],
        "gpt-3.5-turbo": ["3.5", "chatgpt"],
        "gpt-4-turbo": ["gpt-4-turbo-preview", "4-turbo", "4t"],
    }
    for model_id, aliases in expected.items():
        model = llm.get_model(model_id)
        assert str(model) == f"OpenAI Chat: {model_id}"
        assert model.needs_key == "openai"
        assert model.key_env_var == "OPENAI_API_KEY"
        assert model.can_stream
        for alias in aliases:
            assert llm.get_model(alias) is model
    assert llm.get_model().model_id == "gpt-4o-mini"
    assert isinstance(llm.get_model("4o"), HTTPModel)


def test_capabilities_and_options_per_model() -> None:
    gpt4o = llm.get_model("gpt-4o")
    assert gpt4o.attachment_types == VISION_TYPES
    assert gpt4o.supports_tools and gpt4o.supports_schema
    assert "image_detail" in gpt4o.Options.model_fields
    assert "reasoning_effort" not in gpt4o.Options.model_fields
    turbo = llm.get_model("gpt-3.5-turbo")
    assert not turbo.attachment_types
    assert not turbo.supports_tools
    with pytest.raises(ValueError, match="reasoning_effort"):
        gpt4o.prompt("hi", reasoning_effort="low")
    with pytest.raises(ValueError, match="does not support tools"):
        turbo.prompt("hi", tools=[llm.Tool("t", "d", {})])


def test_reasoning_model_request(transport: Transport) -> None:
    """A Chat Completions reasoning model (an extra-openai-models.yaml entry)."""
    model = fast_model(transport, model_id="o3-mini", reasoning=True)
    seen: list[httpx.Request] = []
    with respx.mock() as router:
        router.post(OPENAI_URL).mock(
            side_effect=capture(seen, [synthetic_answer("ok")])
        )
        response = model.prompt(
            "hi", reasoning_effort="high", max_tokens=100, stream=False
        )
        assert response.text() == "ok"
    body = sent_body(seen[0])
    assert body["model"] == "o3-mini"
    assert body["reasoning_effort"] == "high"
    assert body["max_completion_tokens"] == 100
    assert "max_tokens" not in body


# Keys -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "stored", "model_key", "call_key", "expected"),
    [
        ("sk-env", {}, None, None, "sk-env"),
        ("sk-env", {"openai": "sk-file"}, None, None, "sk-file"),
        ("sk-env", {"openai": "sk-file", "work": "sk-work"}, None, "work", "sk-work"),
        ("sk-env", {"openai": "sk-file"}, None, "sk-literal", "sk-literal"),
        ("sk-env", {"openai": "sk-file"}, "sk-attr", "sk-literal", "sk-attr"),
    ],
    ids=["env", "keys.json-beats-env", "alias", "literal", "model.key-wins"],
)
def test_key_resolution_order(
    monkeypatch: pytest.MonkeyPatch,
    env: str,
    stored: dict[str, str],
    model_key: str | None,
    call_key: str | None,
    expected: str,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", env)
    for name, value in stored.items():
        llm.set_key(name, value)
    model = llm.get_model("gpt-4o-mini")
    model.key = model_key
    seen: list[httpx.Request] = []
    with respx.mock() as router:
        router.post(OPENAI_URL).mock(
            side_effect=capture(seen, [synthetic_stream(["k"])])
        )
        assert model.prompt("hi", key=call_key).text() == "k"
    assert seen[0].headers["authorization"] == f"Bearer {expected}"


def test_missing_key_raises_needs_key_exception() -> None:
    with respx.mock(assert_all_called=False) as router:
        route = router.post(OPENAI_URL)
        with pytest.raises(llm.NeedsKeyException) as info:
            llm.get_model("gpt-4o").prompt("hi").text()
        assert not route.called
    assert str(info.value) == (
        "No key found - add one using 'llm keys set openai' or set the "
        "OPENAI_API_KEY environment variable"
    )


def test_key_never_appears_in_errors_or_reprs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", CANARY_KEY)
    model = llm.get_model("gpt-4o-mini")
    answer = synthetic_error(
        401, f"Incorrect API key provided: {CANARY_KEY}.", code="invalid_api_key"
    )
    with respx.mock() as router:
        router.post(OPENAI_URL).mock(return_value=answer)
        response = model.prompt("hi")
        with pytest.raises(llm.AuthenticationError) as info:
            response.text()
    rendered = "".join(traceback.format_exception(info.value))
    for text in (str(info.value), rendered, repr(model), repr(model.provider)):
        assert CANARY_KEY not in text
    assert "***" in info.value.message


def test_base_url_from_openai_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", CANARY_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", "https://gateway.example/openai/v1")
    seen: list[httpx.Request] = []
    with respx.mock() as router:
        router.post("https://gateway.example/openai/v1/chat/completions").mock(
            side_effect=capture(seen, [synthetic_stream(["via gateway"])])
        )
        assert llm.get_model("4o").prompt("hi").text() == "via gateway"
    assert sent_body(seen[0])["model"] == "gpt-4o"


# Conversations ---------------------------------------------------------------------


def test_conversation_sends_the_full_history(transport: Transport) -> None:
    model = fast_model(transport)
    conversation = model.conversation()
    seen: list[httpx.Request] = []
    answers = [synthetic_stream(["Hi", " there"]), synthetic_stream(["Fine"])]
    with respx.mock() as router:
        router.post(OPENAI_URL).mock(side_effect=capture(seen, answers))
        first = conversation.prompt("Hello", system="Be nice", temperature=0.2)
        assert first.text() == "Hi there"
        assert first.resolved_model == "gpt-4o-mini-synthetic"
        assert (first.usage()).input == 7
        second = conversation.prompt("How are you?")
        assert second.text() == "Fine"
    assert sent_body(seen[1])["messages"] == [
        {"role": "system", "content": "Be nice"},
        {"role": "user", "content": "Hello"},
        {"role": "assistant", "content": "Hi there"},
        {"role": "user", "content": "How are you?"},
    ]
    assert sent_body(seen[0])["temperature"] == 0.2
    assert "temperature" not in sent_body(seen[1])


# Synthetic failures ------------------------------------------------------------------


def test_synthetic_429_with_retry_after_is_retried(
    transport: Transport,
) -> None:
    seen: list[httpx.Request] = []
    answers = [
        synthetic_error(
            429,
            "Rate limit reached for gpt-4o-mini (synthetic)",
            code="rate_limit_exceeded",
            headers={"retry-after-ms": "20"},
        ),
        synthetic_stream(["after ", "waiting"]),
    ]
    with respx.mock() as router:
        router.post(OPENAI_URL).mock(side_effect=capture(seen, answers))
        response = fast_model(transport).prompt("hi")
        assert response.text() == "after waiting"
    assert len(seen) == 2
    assert sent_body(seen[0]) == sent_body(seen[1])


def test_synthetic_insufficient_quota_is_not_retried(
    transport: Transport,
) -> None:
    seen: list[httpx.Request] = []
    answer = synthetic_error(
        429, "You exceeded your current quota (synthetic)", code="insufficient_quota"
    )
    with respx.mock() as router:
        router.post(OPENAI_URL).mock(side_effect=capture(seen, [answer]))
        with pytest.raises(llm.RateLimitError) as info:
            fast_model(transport).prompt("hi").text()
    assert len(seen) == 1
    assert info.value.code == "insufficient_quota"


@pytest.mark.parametrize("status", [500, 502, 503])
def test_synthetic_server_errors_are_retried_then_raised(
    transport: Transport, status: int
) -> None:
    seen: list[httpx.Request] = []
    answer = synthetic_error(
        status, "The server had an error while processing your request (synthetic)"
    )
    with respx.mock() as router:
        router.post(OPENAI_URL).mock(side_effect=capture(seen, [answer]))
        with pytest.raises(llm.ServerError) as info:
            fast_model(transport).prompt("hi", stream=False).text()
    assert len(seen) == 3  # the first attempt and two retries
    assert info.value.status_code == status
    assert "server had an error" in info.value.message


def test_synthetic_context_window_error(transport: Transport) -> None:
    answer = synthetic_error(
        400,
        "This model's maximum context length is 128000 tokens (synthetic).",
        code="context_length_exceeded",
    )
    with respx.mock() as router:
        router.post(OPENAI_URL).mock(return_value=answer)
        with pytest.raises(llm.ContextWindowExceededError):
            fast_model(transport).prompt("hi").text()


def test_synthetic_error_event_mid_stream_interrupts(
    transport: Transport,
) -> None:
    error = b'data: {"error": {"message": "upstream died (synthetic)", "code": 502}}'
    chunks = [
        *synthetic_chunks(["partial ", "answer"], usage=False)[:2],
        error + b"\n\n",
    ]
    with respx.mock() as router:
        router.post(OPENAI_URL).mock(
            return_value=httpx.Response(200, headers=SSE, content=b"".join(chunks))
        )
        response = fast_model(transport).prompt("hi")
        received = []
        with pytest.raises(llm.StreamInterruptedError) as info:
            for chunk in response:
                received.append(chunk)
    assert received == ["partial ", "answer"]
    assert info.value.partial_text == "partial answer"
    assert isinstance(info.value.__cause__, llm.ServerError)


def test_stream_with_finish_reason_but_no_done_or_usage_completes(
    transport: Transport,
) -> None:
    finish = {
        "id": "s",
        "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
    }
    chunks = synthetic_chunks(["no ", "terminator"], usage=False)[:-1]
    body = b"".join([*chunks, f"data: {json.dumps(finish)}\n\n".encode()])
    with respx.mock() as router:
        router.post(OPENAI_URL).mock(
            return_value=httpx.Response(200, headers=SSE, content=body)
        )
        response = fast_model(transport).prompt("hi")
        assert response.text() == "no terminator"
    usage = response.usage()
    assert (usage.input, usage.output) == (None, None)
    assert (response.json() or {})["finish_reason"] == "stop"


def test_stream_cut_without_finish_reason_or_done_is_interrupted(
    transport: Transport,
) -> None:
    """A server that closes the connection early, without an HTTP-level error
    (a close-delimited body): never silently partial text."""
    body = b"".join(synthetic_chunks(["cut ", "short"], usage=False)[:-1])
    with respx.mock() as router:
        router.post(OPENAI_URL).mock(
            return_value=httpx.Response(200, headers=SSE, content=body)
        )
        response = fast_model(transport).prompt("hi", max_retries=0)
        with pytest.raises(llm.StreamInterruptedError) as info:
            response.text()
    assert info.value.partial_text == "cut short"
    assert isinstance(info.value.__cause__, llm.APIConnectionError)
    assert "closed early" in str(info.value.__cause__)


def test_json_body_for_a_streamed_request_is_parsed(
    transport: Transport,
) -> None:
    with respx.mock() as router:
        router.post(OPENAI_URL).mock(return_value=synthetic_answer("whole"))
        response = fast_model(transport).prompt("hi")
        assert [chunk for chunk in response] == ["whole"]


# extra-openai-models.yaml -----------------------------------------------------------


def write_extra(user_path: Path, text: str) -> Path:
    user_path.mkdir(parents=True, exist_ok=True)
    path = user_path / "extra-openai-models.yaml"
    path.write_text(text, encoding="utf-8")
    reset_registry()
    return path


def test_extra_models_local_server_needs_no_key(user_path: Path) -> None:
    write_extra(
        user_path,
        "- model_id: local-qwen\n"
        "  model_name: qwen2.5:0.5b\n"
        "  api_base: http://localhost:11434/v1/\n"
        "  aliases: [qwen]\n"
        "  headers: {X-Team: core}\n"
        "  vision: true\n"
        "  supports_tools: true\n",
    )
    model = llm.get_model("qwen")
    assert model.model_id == "local-qwen"
    assert str(model) == "OpenAI Chat: local-qwen"
    assert model.needs_key is None
    assert model.attachment_types == VISION_TYPES
    assert model.supports_tools and not model.supports_schema
    seen: list[httpx.Request] = []
    with respx.mock() as router:
        router.post("http://localhost:11434/v1/chat/completions").mock(
            side_effect=capture(seen, [synthetic_stream(["local"])])
        )
        assert model.prompt("hi").text() == "local"
    assert "authorization" not in seen[0].headers
    assert seen[0].headers["x-team"] == "core"
    assert sent_body(seen[0])["model"] == "qwen2.5:0.5b"
    assert sent_body(seen[0])["stream_options"] == {"include_usage": True}


def test_extra_models_keys_and_streaming_flag(
    user_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_extra(
        user_path,
        "- model_id: router\n"
        "  model_name: openai/gpt-4o\n"
        "  api_base: https://openrouter.ai/api/v1\n"
        "  api_key_name: openrouter\n"
        "  can_stream: false\n"
        "- model_id: gpt-new\n",
    )
    router_model = llm.get_model("router")
    with pytest.raises(llm.NeedsKeyException, match="llm keys set openrouter"):
        router_model.prompt("hi").text()
    llm.set_key("openrouter", "sk-or-1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai")
    seen: list[httpx.Request] = []
    with respx.mock() as router:
        router.post("https://openrouter.ai/api/v1/chat/completions").mock(
            side_effect=capture(seen, [synthetic_answer("routed")])
        )
        router.post(OPENAI_URL).mock(
            side_effect=capture(seen, [synthetic_answer("openai")])
        )
        assert router_model.prompt("hi").text() == "routed"
        assert llm.get_model("gpt-new").prompt("hi").text() == "openai"
    assert seen[0].headers["authorization"] == "Bearer sk-or-1"
    assert sent_body(seen[0])["stream"] is False  # can_stream: false
    assert "stream_options" not in sent_body(seen[0])
    assert seen[1].headers["authorization"] == "Bearer sk-openai"
    assert sent_body(seen[1])["model"] == "gpt-new"


def test_broken_extra_models_file_warns_and_builtins_still_work(
    user_path: Path,
) -> None:
    path = write_extra(user_path, "- model_id: [unclosed\n")
    with pytest.warns(OpenAIConfigWarning, match=str(path)) as record:
        model = llm.get_model("gpt-4o-mini")
    assert model.model_id == "gpt-4o-mini"
    assert len([w for w in record if w.category is OpenAIConfigWarning]) == 1


def test_bad_extra_entries_are_skipped_with_a_warning(user_path: Path) -> None:
    write_extra(
        user_path,
        "- model_id: bad-headers\n"
        "  headers: [not, a, mapping]\n"
        "- model_id: both-apis\n"
        "  completion: true\n"
        "  responses: true\n"
        "- model_id: typo\n"
        "  can_stream: maybe\n"
        "- model_id: fine\n"
        "  api_base: http://127.0.0.1:8080/v1\n",
    )
    with pytest.warns(OpenAIConfigWarning) as record:
        assert llm.get_model("fine").model_id == "fine"
    messages = [str(w.message) for w in record]
    assert any("bad-headers" in m and "headers" in m for m in messages)
    assert any("both-apis" in m and "cannot both be true" in m for m in messages)
    assert any("typo" in m and "can_stream" in m for m in messages)
    for name in ("bad-headers", "both-apis", "typo"):
        with pytest.raises(llm.UnknownModelError):
            llm.get_model(name)


def test_each_invalid_extra_entry_is_skipped_and_the_others_load(
    user_path: Path,
) -> None:
    """An entry that is a string, has an integer model_id or none: one warning
    each, naming its position and reason; every valid entry still loads."""
    path = write_extra(
        user_path,
        "- model_id: first\n"
        "  api_base: http://127.0.0.1:8080/v1\n"
        "- just a string\n"
        "- model_id: 4\n"
        "- model_name: nameless\n"
        "- model_id: last\n"
        "  api_base: http://127.0.0.1:8080/v1\n",
    )
    with pytest.warns(OpenAIConfigWarning) as record:
        assert llm.get_model("first").model_id == "first"
    assert llm.get_model("last").model_id == "last"
    messages = sorted(str(w.message) for w in record)
    assert messages == [
        f"{path.name}: entry 1 (line 3) was skipped: it must be a mapping with a "
        "model_id, not a str",
        f"{path.name}: entry 2 (line 4) was skipped: model_id must be a non-empty "
        "string",
        f"{path.name}: entry 3 (line 5) was skipped: model_id must be a non-empty "
        "string",
    ]


# register_openai_compatible ---------------------------------------------------------


def test_register_openai_compatible(monkeypatch: pytest.MonkeyPatch) -> None:
    llm.register_openai_compatible(
        "vllm-llama",
        base_url="http://10.0.0.5:8000/v1",
        model_name="meta-llama/Llama-3.1-8B-Instruct",
        aliases=["vl"],
        key_env_var="VLLM_KEY",
        headers={"x-tenant": "a"},
        supports_schema=True,
    )
    model = llm.get_model("vl")
    assert str(model) == "OpenAI Chat: vllm-llama"
    assert model.supports_schema and not model.supports_tools
    with pytest.raises(llm.NeedsKeyException, match="VLLM_KEY"):
        model.prompt("hi").text()
    monkeypatch.setenv("VLLM_KEY", "sk-vllm")
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}}
    seen: list[httpx.Request] = []
    with respx.mock() as router:
        router.post("http://10.0.0.5:8000/v1/chat/completions").mock(
            side_effect=capture(seen, [synthetic_stream(['{"n": ', "1}"])])
        )
        response = model.prompt("count", schema=schema)
        assert response.text() == '{"n": 1}'
    assert seen[0].headers["authorization"] == "Bearer sk-vllm"
    assert seen[0].headers["x-tenant"] == "a"
    body = sent_body(seen[0])
    assert body["model"] == "meta-llama/Llama-3.1-8B-Instruct"
    assert body["response_format"]["json_schema"]["schema"] == schema
    with pytest.raises(ValueError, match="does not support tools"):
        model.prompt("hi", tools=[llm.Tool("t", "d", {})])


def test_register_openai_compatible_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="aliases"):
        llm.register_openai_compatible("x", base_url="http://h/v1", aliases="x1")
    with pytest.raises(ValueError, match="base_url"):
        llm.register_openai_compatible("x", base_url="")
    with pytest.raises(ValueError, match="CR"):
        llm.register_openai_compatible(
            "x", base_url="http://h/v1", headers={"x-a": "b\r\nc: d"}
        )
    with pytest.raises(llm.UnknownModelError):
        llm.get_model("x")
