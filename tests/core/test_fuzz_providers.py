"""Bounded fuzzing of every provider's stream and whole-answer parsers.

Recorded streams of each provider (Anthropic, Gemini, the OpenAI Responses and
Completions APIs) are mutated (bytes flipped, deleted, inserted, cut short) and
cut at random points, then decoded the way the HTTP model does; random JSON goes
through each whole-answer parser. Only the library's typed errors (``APIError``
subclasses) may escape. The OpenAI Chat parser and the SSE decoder are fuzzed in
``test_fuzz_streams``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import llm_async
from llm_async._core.errors import APIError
from llm_async.providers.http_model_base import EventDecoder, parse_body
from tests.core.test_fuzz_streams import json_values, mutated, split
from tests.core.test_openai_chat import Sink

RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "recorded"
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Provider -> (a model that uses it, its recordings folder).
PROVIDERS = {
    "anthropic": ("claude-sonnet-4.5", "anthropic"),
    "gemini": ("gemini-2.5-flash", "gemini"),
    "openai-responses": ("gpt-5-mini", "openai_responses"),
    "openai-completions": ("gpt-3.5-turbo-instruct", "openai"),
}


def recorded_streams(folder: str) -> list[bytes]:
    """The 200 event-stream bodies recorded for one provider (a few)."""
    bodies = []
    for path in sorted((RECORDED / folder).glob("*.json")):
        for interaction in json.loads(path.read_text("utf-8"))["interactions"]:
            response = interaction["response"]
            if (
                response["status"] == 200
                and response.get("stream_format") == "sse"
                and response.get("body")
                and "body_encoding" not in response
            ):
                bodies.append(response["body"].encode())
        if len(bodies) >= 6:
            break
    return bodies


STREAMS = {name: recorded_streams(folder) for name, (_, folder) in PROVIDERS.items()}


def provider(name: str) -> Any:
    return llm_async.get_async_model(PROVIDERS[name][0]).provider


def decode(name: str, data: bytes, cuts: list[int]) -> Sink:
    """What the HTTP model does with a streamed body; typed errors only."""
    sink = Sink()
    decoder = EventDecoder(provider(name).stream_parser(sink), request_id="req-1")
    try:
        for piece in split(data, cuts):
            list(decoder.feed(piece))
        list(decoder.finish())
    except APIError:
        pass
    return sink


@st.composite
def typed_events(draw: st.DrawFn) -> bytes:
    """SSE frames with provider-like event names around random JSON."""
    frames = []
    for _ in range(draw(st.integers(0, 8))):
        name = draw(
            st.sampled_from(
                ["message_start", "content_block_delta", "response.completed", "x"]
            )
        )
        payload = json.dumps(draw(json_values))
        frames.append(f"event: {name}\ndata: {payload}\n\n")
    return "".join(frames).encode()


@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_every_provider_has_recorded_streams_that_parse(name: str) -> None:
    assert STREAMS[name], f"no recorded stream for {name}"
    for body in STREAMS[name]:
        sink = decode(name, body, [])
        assert sink.response_json is not None or sink.usage is not None


@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_stream_parsers_raise_only_api_errors(name: str) -> None:
    @FUZZ
    @given(
        data=st.binary(max_size=600) | mutated(STREAMS[name]) | typed_events(),
        cuts=st.lists(st.integers(0, 4000), max_size=6),
    )
    def check(data: bytes, cuts: list[int]) -> None:
        sink = decode(name, data, cuts)
        for call in sink.tool_calls:
            assert isinstance(call.name, str)

    check()


@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_whole_answer_parsers_raise_only_api_errors(name: str) -> None:
    @FUZZ
    @given(data=json_values)
    def check(data: Any) -> None:
        try:
            events = parse_body(
                provider(name), data, Sink(), request_id=None, status=200
            )
        except APIError:
            return
        assert isinstance(events, list)

    check()
