# Generated from tests/_async/test_http_model.py; do not edit.
# Edit the async source and run `python scripts/unasync.py`.
"""HTTPModel: per-call/model/env settings, base URL, headers, proxies, usage."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx

import llm_sync as llm
from llm_sync import HTTPModel, Transport
from tests.support import (
    BASE_URL,
    CANARY_KEY,
    LoopbackServer,
    SyntheticProvider,
    respond,
    synthetic_json,
    synthetic_stream,
)

URL = f"{BASE_URL}/generate"


@pytest.fixture
def transport() -> Iterator[Transport]:
    with Transport() as shared:
        yield shared


def make_model(transport: Transport | None, **settings: Any) -> HTTPModel:
    model = HTTPModel(
        "synthetic",
        SyntheticProvider(),
        needs_key="synthetic",
        key_env_var="SYNTHETIC_KEY",
        transport=transport,
        **settings,
    )
    model.key = CANARY_KEY
    return model


def capture(seen: list[httpx.Request], stream: bool = False) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return synthetic_stream(["o", "k"]) if stream else synthetic_json("ok")

    return handler


def test_streams_text_and_records_usage(transport: Transport) -> None:
    seen: list[httpx.Request] = []
    with respx.mock() as router:
        router.post(URL).mock(side_effect=capture(seen, stream=True))
        response = make_model(transport).prompt("hi")
        assert [chunk for chunk in response] == ["o", "k"]
    body = json.loads(seen[0].content)
    assert body == {"prompt": "hi", "stream": True, "temperature": None}
    assert seen[0].headers["authorization"] == f"Bearer {CANARY_KEY}"


def test_non_streamed_response_records_json_and_usage(
    transport: Transport,
) -> None:
    with respx.mock() as router:
        router.post(URL).mock(return_value=synthetic_json("whole"))
        response = make_model(transport).prompt("hi", stream=False)
        assert response.text() == "whole"
    assert response.json() == {"text": "whole", "usage": {"in": 3, "out": 1}}
    assert (response.input_tokens, response.output_tokens) == (3, 1)


@pytest.mark.parametrize(
    ("env", "model_settings", "call", "expected"),
    [
        ({}, {}, {}, {"connect": 10.0, "read": 120.0}),
        (
            {"LLM_TIMEOUT": "7", "LLM_CONNECT_TIMEOUT": "2"},
            {},
            {},
            {"connect": 2.0, "read": 7.0},
        ),
        ({"LLM_TIMEOUT": "7"}, {"timeout": 5}, {}, {"connect": 10.0, "read": 5.0}),
        (
            {"LLM_TIMEOUT": "7"},
            {"timeout": 5},
            {"timeout": 3},
            {"connect": 10.0, "read": 3.0},
        ),
        ({}, {"timeout": 5}, {"timeout": None}, {"connect": 10.0, "read": None}),
        ({"LLM_TIMEOUT": "none"}, {}, {}, {"connect": 10.0, "read": None}),
    ],
    ids=[
        "defaults",
        "env",
        "model-beats-env",
        "call-beats-model",
        "call-none",
        "env-none",
    ],
)
def test_timeout_precedence_reaches_the_request(
    transport: Transport,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    model_settings: dict[str, Any],
    call: dict[str, Any],
    expected: dict[str, Any],
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    seen: list[httpx.Request] = []
    with respx.mock() as router:
        router.post(URL).mock(side_effect=capture(seen))
        make_model(transport, **model_settings).prompt("hi", **call).text()
    timeout = seen[0].extensions["timeout"]
    assert {k: timeout[k] for k in expected} == expected
    body = json.loads(seen[0].content)
    assert "timeout" not in body  # the provider never sees transport options


def test_total_timeout_caps_each_wait(transport: Transport) -> None:
    seen: list[httpx.Request] = []
    with respx.mock() as router:
        router.post(URL).mock(side_effect=capture(seen))
        make_model(transport, total_timeout=4).prompt("hi").text()
    timeout = seen[0].extensions["timeout"]
    assert 3 < timeout["read"] <= 4
    assert 3 < timeout["connect"] <= 4


def test_invalid_settings_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="timeout"):
        make_model(None, timeout=0)
    with pytest.raises(ValueError, match="max_retries"):
        make_model(None, max_retries=-1)
    with pytest.raises(ValueError):
        make_model(None).prompt("hi", timeout=-5)
    monkeypatch.setenv("LLM_TOTAL_TIMEOUT", "soon")
    with pytest.raises(llm.ConfigError, match="LLM_TOTAL_TIMEOUT"):
        make_model(None).prompt("hi").text()


def test_options_class_extends_the_providers() -> None:
    model = make_model(None)
    assert issubclass(model.Options, SyntheticProvider.Options)
    assert {"timeout", "connect_timeout", "total_timeout", "max_retries"} <= set(
        model.Options.model_fields
    )


def test_base_url_and_extra_headers(transport: Transport) -> None:
    model = make_model(
        transport,
        base_url="https://gateway.example/llm/v1",
        headers={"x-gateway": "yes"},
    )
    seen: list[httpx.Request] = []
    with respx.mock() as router:
        router.post("https://gateway.example/llm/v1/generate").mock(
            side_effect=capture(seen)
        )
        assert model.prompt("hi").text() == "ok"
    assert seen[0].headers["x-gateway"] == "yes"
    assert seen[0].headers["host"] == "gateway.example"


def test_transport_headers_are_sent_unless_the_request_sets_them() -> None:
    transport = Transport(headers={"x-team": "core", "authorization": "no"})
    seen: list[httpx.Request] = []
    with respx.mock() as router:
        router.post(URL).mock(side_effect=capture(seen))
        assert make_model(transport).prompt("hi").text() == "ok"
    transport.close()
    assert seen[0].headers["x-team"] == "core"
    assert seen[0].headers["authorization"] == f"Bearer {CANARY_KEY}"
    assert seen[0].headers["user-agent"].startswith("llm-async")


@pytest.mark.parametrize("value", ["a\r\nInjected: 1", "a\nb"])
def test_header_values_with_line_breaks_are_refused(value: str) -> None:
    with pytest.raises(ValueError, match="CR"):
        make_model(None, headers={"x-bad": value})


def test_model_without_key_raises_needs_key(transport: Transport) -> None:
    model = make_model(transport)
    model.key = None
    with pytest.raises(llm.NeedsKeyException):
        model.prompt("hi").text()


def test_proxy_from_the_environment_is_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    body = json.dumps({"text": "via proxy"}).encode()
    with LoopbackServer(respond(200, body)) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", "")
        with Transport() as transport:
            model = make_model(transport, base_url="http://proxied.invalid/v1")
            assert model.prompt("hi", stream=False).text() == "via proxy"
    assert proxy.requests[0].startswith(b"POST http://proxied.invalid/v1/generate ")


def test_model_closes_only_a_transport_given_to_it() -> None:
    model = make_model(Transport())
    with respx.mock() as router:
        router.post(URL).mock(return_value=synthetic_json("ok"))
        assert model.prompt("hi").text() == "ok"
    model.close()
    shared = make_model(None)
    shared.close()  # the shared transport stays usable
    with respx.mock() as router:
        router.post(URL).mock(return_value=synthetic_json("again"))
        assert shared.prompt("hi").text() == "again"
