"""Fuzzing (bounded) what a server sends: random and mutated bytes through the
SSE decoder and the OpenAI Chat stream parser, random JSON through the parser
of whole answers. Only the documented typed errors may escape: the SSE decoder
raises ``SSEDecodeError``; the HTTP model's decoder (SSE decoder + provider
parser) and ``parse_body`` raise ``APIError`` subclasses."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llm_async._core.errors import APIError
from llm_async._http.sse import SSEDecodeError, SSEDecoder
from llm_async.providers.http_model_base import EventDecoder, parse_body
from llm_async.providers.openai.chat import OpenAIChatProvider
from tests.core.test_openai_chat import Sink
from tests.support import load_recorded

FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _recorded_streams() -> list[bytes]:
    bodies = []
    for name in (
        "openai/chat_basic_stream.json",
        "openai/chat_parallel_tools_stream.json",
        "openai/chat_refusal_structured_stream.json",
        "openai/chat_reasoning_model_max_completion_tokens_stream.json",
    ):
        for interaction in load_recorded(name)["interactions"]:
            body = interaction["response"]["body"]
            if body and interaction["response"]["status"] == 200:
                bodies.append(body.encode())
    return bodies


RECORDED = _recorded_streams()

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
# Chat-chunk-shaped values: the right keys, any types below them.
fields = st.sampled_from(
    [
        "id",
        "model",
        "choices",
        "delta",
        "content",
        "tool_calls",
        "index",
        "function",
        "name",
        "arguments",
        "finish_reason",
        "usage",
        "error",
        "reasoning_content",
        "refusal",
        "message",
        "completion_tokens_details",
        "reasoning_tokens",
        "prompt_tokens",
    ]
)
chunk_like = st.recursive(
    json_values,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(fields, children, max_size=5)
    ),
    max_leaves=25,
)


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    """``data`` cut at the given offsets (taken modulo its length)."""
    points = sorted({cut % (len(data) + 1) for cut in cuts})
    pieces, start = [], 0
    for point in [*points, len(data)]:
        pieces.append(data[start:point])
        start = point
    return pieces


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes] | None = None) -> bytes:
    """A recorded stream (of ``seeds``, else the OpenAI Chat ones) with bytes
    flipped, deleted, inserted or cut short."""
    data = bytearray(draw(st.sampled_from(seeds or RECORDED)))
    for _ in range(draw(st.integers(1, 8))):
        position = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["flip", "delete", "insert", "truncate"]))
        if action == "flip" and position < len(data):
            data[position] = draw(st.integers(0, 255))
        elif action == "delete":
            del data[position : position + draw(st.integers(1, 40))]
        elif action == "insert":
            data[position:position] = draw(st.binary(max_size=20))
        elif action == "truncate":
            del data[position:]
    return bytes(data)


@st.composite
def event_streams(draw: st.DrawFn) -> bytes:
    """SSE framing around chunk-like JSON, junk lines and ``[DONE]``."""
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["chunk", "json", "junk", "done", "comment"]))
        if kind == "chunk":
            payload = json.dumps(draw(chunk_like))
        elif kind == "json":
            payload = json.dumps(draw(json_values))
        elif kind == "junk":
            payload = draw(st.text(max_size=30))
        elif kind == "done":
            payload = "[DONE]"
        else:
            lines.append(f": {draw(st.text(max_size=10))}\n")
            continue
        lines.append(f"data: {payload}\n\n")
    return "".join(lines).encode("utf-8", "surrogatepass")


def decode_all(data: bytes, cuts: list[int], *, max_line_bytes: int) -> list[Any]:
    decoder = SSEDecoder(max_line_bytes=max_line_bytes)
    events = []
    for piece in split(data, cuts):
        events += decoder.feed(piece)
    return events + decoder.flush()


def run_model_decoder(data: bytes, cuts: list[int]) -> Sink:
    """What the HTTP model does with a streamed body; typed errors only."""
    sink = Sink()
    decoder = EventDecoder(
        OpenAIChatProvider("m").stream_parser(sink), request_id="req-1"
    )
    try:
        for piece in split(data, cuts):
            list(decoder.feed(piece))
        list(decoder.finish())
    except APIError:
        pass
    return sink


@FUZZ
@given(
    data=st.binary(max_size=600) | mutated() | event_streams(),
    cuts=st.lists(st.integers(0, 2000), max_size=6),
    max_line=st.sampled_from([8, 64, 1 << 20]),
)
def test_sse_decoder_raises_only_sse_decode_error(
    data: bytes, cuts: list[int], max_line: int
) -> None:
    try:
        events = decode_all(data, cuts, max_line_bytes=max_line)
    except SSEDecodeError:
        return
    for event in events:
        assert isinstance(event.data, str)
        assert isinstance(event.event, str)


@FUZZ
@given(
    data=st.binary(max_size=600) | mutated() | event_streams(),
    cuts=st.lists(st.integers(0, 2000), max_size=6),
)
def test_sse_decoder_result_does_not_depend_on_chunking(
    data: bytes, cuts: list[int]
) -> None:
    whole = decode_all(data, [], max_line_bytes=1 << 20)
    assert decode_all(data, cuts, max_line_bytes=1 << 20) == whole


@FUZZ
@given(
    data=st.binary(max_size=600) | mutated() | event_streams(),
    cuts=st.lists(st.integers(0, 4000), max_size=6),
)
def test_openai_stream_parser_raises_only_api_errors(
    data: bytes, cuts: list[int]
) -> None:
    sink = run_model_decoder(data, cuts)
    for call in sink.tool_calls:
        assert isinstance(call.name, str)
    assert sink.response_json is None or isinstance(sink.response_json, dict)


@pytest.mark.parametrize("index", range(len(RECORDED)))
def test_unmutated_recorded_streams_parse(index: int) -> None:
    """The seeds of the mutations are valid streams (so mutations test something)."""
    sink = run_model_decoder(RECORDED[index], [])
    assert sink.response_json is not None


@FUZZ
@given(data=chunk_like)
def test_openai_whole_answer_parser_raises_only_api_errors(data: Any) -> None:
    try:
        events = parse_body(
            OpenAIChatProvider("m"), data, Sink(), request_id=None, status=200
        )
    except APIError:
        return
    assert isinstance(events, list)
