"""Every stream parser's fast paths give what its plain ``feed`` gives.

The HTTP model hands a parser each event through ``feed_event`` (a network
chunk that is exactly one event), ``feed_many`` (several events of a chunk) or,
for a parser with neither, ``feed``. Whatever the path, the events, the error
and what the sink recorded must be the same. Fast paths may append a plain
``str`` for a text chunk continuing the text part of the event before it (see
``stream_state.text_part``); ``normalised`` checks that rule and turns each one
into the event it stands for.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llm_async import StreamEvent
from llm_async._core.errors import ServerError
from llm_async._core.stream_state import StreamAccumulator, text_part
from llm_async._http.sse import ServerSentEvent, SSEDecoder
from llm_async.providers.anthropic.response import AnthropicStreamParser
from llm_async.providers.gemini import response as gemini_response
from llm_async.providers.gemini.response import GeminiParser
from llm_async.providers.http_model_base import EventDecoder
from llm_async.providers.openai import chat_response as openai_chat_response
from llm_async.providers.openai import responses_response
from llm_async.providers.openai.chat import OpenAIChatProvider
from llm_async.providers.openai.responses_response import ResponsesStreamParser
from tests.core.test_openai_chat import Sink, delta

RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "recorded"
Event = tuple[str, str]  # (SSE event type, data)


def normalised(items: Sequence[str | StreamEvent]) -> list[StreamEvent]:
    """``items`` with each ``str`` as the text event it stands for.

    Fails unless the item before each ``str`` was a text event of message 0.
    """
    events: list[StreamEvent] = []
    for item in items:
        if isinstance(item, str):
            assert events, f"a str chunk {item!r} with no event before it"
            part = text_part(events[-1])
            assert part is not None, f"a str chunk {item!r} after {events[-1]}"
            events.append(StreamEvent("text", item, part))
        else:
            events.append(item)
    return events


# Events of each provider: recorded streams, plus odd ones ---------------------------

CHAT_CHUNKS: list[Any] = [
    delta(content="tok "),
    delta(role="assistant", content="Hi"),
    delta(role="assistant"),
    delta(content=""),
    delta(content=None),
    delta(content="x", refusal="no"),
    delta(reasoning_content="think "),
    delta(tool_calls=[{"index": 0, "id": "t1", "function": {"name": "f"}}]),
    delta(tool_calls=[{"index": 0, "function": {"arguments": '{"a": 1}'}}]),
    {
        "id": "c1",
        "choices": [{"index": 0, "delta": {"content": "e"}, "finish_reason": "stop"}],
    },
    {"id": "c1", "choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 5}},
    {
        "id": "c1",
        "choices": [{"delta": {"content": "u"}}],
        "usage": {"total_tokens": 1},
    },
    {"choices": {"0": {}}},
    {"choices": ["text"]},
    {"choices": [{"delta": "text"}]},
    {"error": {"message": "boom"}},
    [1, 2],
    "[DONE]",
    "{not json",
]


def _typed(kind: str, **data: Any) -> Event:
    return kind, json.dumps({"type": kind, **data})


def _text_delta(index: Any, text: Any) -> Event:
    return _typed(
        "content_block_delta", index=index, delta={"type": "text_delta", "text": text}
    )


ODD_EVENTS: dict[str, list[Event]] = {
    "anthropic": [
        _typed("content_block_start", index=0, content_block={"type": "text"}),
        _typed(
            "content_block_start", index=0, content_block={"type": "text", "text": "s"}
        ),
        _typed("content_block_start", index=1, content_block={"type": "thinking"}),
        _text_delta(0, "a "),
        _text_delta(0, ""),
        _text_delta(0, None),
        _text_delta(1, "b "),
        _text_delta(7, "c "),
        _text_delta(True, "d "),
        _typed(
            "content_block_delta",
            index=0,
            delta={"type": "citations_delta", "citation": {"cited_text": "x"}},
        ),
        _typed("content_block_delta", index=0, delta="text"),
        _typed("message_delta", delta={"stop_reason": "end_turn"}),
        ("message", "[1, 2]"),
        ("message", "{not json"),
    ],
    "gemini": [
        ("message", json.dumps(c))
        for c in [
            {"candidates": [{"content": {"parts": [{"text": "t "}]}}]},
            {"candidates": [{"content": {"parts": [{"text": ""}]}}]},
            {"candidates": [{"content": {"parts": [{"text": "a"}, {"text": "b"}]}}]},
            {"candidates": [{"content": {"parts": [{"text": "s", "thought": True}]}}]},
            {
                "candidates": [
                    {"content": {"parts": [{"text": "m", "thoughtSignature": "c2ln"}]}}
                ]
            },
            {"candidates": [{"content": {"parts": [{"functionCall": {"name": "f"}}]}}]},
            {"candidates": [{"content": {"parts": [{"text": 3}]}}]},
            {"candidates": ["text"]},
            {"candidates": "text"},
            {
                "candidates": [
                    {"content": {"parts": [{"text": "e"}]}, "finishReason": "STOP"}
                ],
                "usageMetadata": {"promptTokenCount": 2},
            },
            {"error": {"code": 500, "message": "boom"}},
            [1, 2],
        ]
    ]
    + [("message", "{not json")],
    "openai-responses": [
        _typed(
            "response.output_item.added",
            output_index=0,
            item={"id": "msg_a", "type": "message"},
        ),
        _typed(
            "response.output_item.added",
            output_index=1,
            item={"id": "msg_b", "type": "message"},
        ),
        _typed(
            "response.output_item.added",
            output_index=1,
            item={"id": "rs_1", "type": "reasoning"},
        ),
        _typed("response.output_text.delta", item_id="msg_a", delta="a "),
        _typed("response.output_text.delta", item_id="msg_a", delta=""),
        _typed("response.output_text.delta", item_id="msg_b", delta="b "),
        _typed("response.output_text.delta", item_id="msg_new", delta="n "),
        _typed("response.output_text.delta", item_id="msg_a", delta=5),
        _typed(  # the same id again: a new item, whose text is a new part
            "response.output_item.added",
            output_index=2,
            item={"id": "msg_a", "type": "message"},
        ),
        _typed(
            "response.output_item.added",
            output_index=3,
            item={"id": 7, "type": "message"},
        ),
        _typed("response.output_text.delta", item_id=7, delta="i "),
        _typed("response.output_text.delta", item_id=[], delta="l "),
        _typed("response.output_text.delta", output_index=3, delta="o "),
        _typed("response.reasoning_summary_text.delta", item_id="rs_1", delta="r"),
        ("message", "[1, 2]"),
        ("message", "{not json"),
    ],
}


def _recorded_events(folder: str) -> list[list[Event]]:
    """The events of each 200 event stream recorded for a provider."""
    streams = []
    for path in sorted((RECORDED / folder).glob("*.json")):
        for interaction in json.loads(path.read_text("utf-8"))["interactions"]:
            response = interaction["response"]
            if (
                response["status"] == 200
                and response.get("stream_format") == "sse"
                and response.get("body")
                and "body_encoding" not in response
            ):
                decoder = SSEDecoder()
                found = decoder.feed(response["body"].encode()) + decoder.flush()
                streams.append([(e.event, e.data) for e in found])
    return streams


def _ids(module: Any, name: str) -> Callable[[], Any]:
    """Patch ``module.name`` (an id maker) with a counter, for equal runs."""
    ids = map("id_{}".format, itertools.count())
    return lambda: mock.patch.object(module, name, ids.__next__)


# provider -> (parser maker, recorded streams, odd events, id patches)
PROVIDERS: dict[str, tuple[Callable[[Sink], Any], list[list[Event]], list[Event]]] = {
    "openai-chat": (
        lambda sink: OpenAIChatProvider("m").stream_parser(sink),
        _recorded_events("openai")[:8],
        [("message", c if isinstance(c, str) else json.dumps(c)) for c in CHAT_CHUNKS],
    ),
    "anthropic": (
        AnthropicStreamParser,
        _recorded_events("anthropic"),
        ODD_EVENTS["anthropic"],
    ),
    "gemini": (GeminiParser, _recorded_events("gemini"), ODD_EVENTS["gemini"]),
    "openai-responses": (
        ResponsesStreamParser,
        _recorded_events("openai_responses"),
        ODD_EVENTS["openai-responses"],
    ),
}
ID_MAKERS = [
    (openai_chat_response, "_new_call_id"),
    (gemini_response, "monotonic_ulid"),
    (responses_response, "new_call_id"),
]


class FeedOnly:
    """A parser with the basic contract only (``feed``, ``finish``)."""

    def __init__(self, parser: Any) -> None:
        self.parser = parser

    def feed(self, event: ServerSentEvent) -> list[StreamEvent]:
        events = self.parser.feed(event)
        assert all(isinstance(e, StreamEvent) for e in events)
        return list(events)

    def finish(self) -> list[StreamEvent]:
        return list(self.parser.finish())


def _decoded(parser: Any, chunks: list[bytes]) -> Any:
    """What EventDecoder makes of ``chunks``: events, then the error (if any)."""
    decoder = EventDecoder(parser, request_id=None)
    items: list[str | StreamEvent] = []
    try:
        for chunk in chunks:
            items += decoder.feed(chunk)
            if decoder.error is not None:
                raise decoder.error
        items += decoder.finish()
        if decoder.error is not None:
            raise decoder.error
    except Exception as exc:
        return normalised(items), type(exc), str(exc)
    return normalised(items), None, None


def _frame(event: Event, eol: str) -> bytes:
    kind, data = event
    head = "" if kind == "message" else f"event: {kind}{eol}"
    return f"{head}data: {data}{eol}{eol}".encode()


def _pieces(body: bytes, cuts: list[int]) -> Iterator[bytes]:
    start = 0
    for cut in sorted({c % (len(body) + 1) for c in cuts}):
        yield body[start:cut]
        start = cut
    yield body[start:]


@st.composite
def streams(draw: st.DrawFn, name: str) -> list[Event]:
    """A recorded stream of ``name`` (or none) with events inserted, dropped
    and repeated: mostly the fast path's common case, with its edges."""
    _, recorded, odd = PROVIDERS[name]
    events = list(draw(st.sampled_from([[], *recorded])))
    odd_ones = st.sampled_from(odd)  # drawn 2 times in 3
    pool = odd_ones | odd_ones | st.sampled_from([e for s in recorded for e in s])
    for _ in range(draw(st.integers(0, 8))):
        at = draw(st.integers(0, len(events)))
        edit = draw(st.sampled_from(["insert", "drop", "repeat"]))
        if edit == "insert" or not events:
            events.insert(at, draw(pool))
        elif edit == "drop":
            del events[min(at, len(events) - 1)]
        else:
            events.insert(at, events[min(at, len(events) - 1)])
    return events


@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_decoder_paths_agree(name: str) -> None:
    # One event per network chunk (feed_event), all in one chunk or cut at
    # random points (feed_many), and a parser with only feed(): the same
    # events, error and sink.
    make = PROVIDERS[name][0]

    @settings(
        max_examples=300,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        streams(name),
        st.sampled_from(["\n", "\r\n"]),
        st.lists(st.integers(0, 10_000), max_size=8),
    )
    def check(events: list[Event], eol: str, cuts: list[int]) -> None:
        chunks = [_frame(e, eol) for e in events]
        body = b"".join(chunks)
        ways: dict[str, tuple[list[bytes], Callable[[Any], Any]]] = {
            "per event": (chunks, lambda p: p),
            "packed": ([body], lambda p: p),
            "cut": (list(_pieces(body, cuts)), lambda p: p),
            "feed only": (chunks, FeedOnly),
        }
        outcomes, sinks = [], []
        for body_chunks, wrap in ways.values():
            sink = Sink()
            with ExitStack() as stack:
                for module, maker in ID_MAKERS:
                    stack.enter_context(_ids(module, maker)())
                outcomes.append(_decoded(wrap(make(sink)), body_chunks))
            sinks.append(vars(sink))
        assert outcomes[1:] == outcomes[:1] * 3
        assert sinks[1:] == sinks[:1] * 3

    check()


@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_fast_paths_record_what_the_events_say(name: str) -> None:
    # A response fed the fast path's items (str included) records the same
    # text, events and messages as one fed the events they stand for.
    make, recorded, _ = PROVIDERS[name]
    for events in recorded:
        body = b"".join(_frame(e, "\n") for e in events)
        decoder = EventDecoder(make(Sink()), request_id=None)
        items = decoder.feed(body) + decoder.finish()
        fast, slow = StreamAccumulator(), StreamAccumulator()
        for item in items:
            if isinstance(item, str):
                fast.add_chunk(item)
            else:
                fast.add(item)
        for event in normalised(items):
            slow.add(event)
        assert fast.text() == slow.text()
        assert fast.events == slow.events
        assert fast.messages() == slow.messages()


def test_text_after_a_text_event_is_a_plain_str() -> None:
    # The fast path's point: no StreamEvent for the common text delta.
    parser = AnthropicStreamParser(Sink())
    out: list[str | StreamEvent] = []
    for event in [
        _typed("message_start", message={"id": "m"}),
        _typed("content_block_start", index=0, content_block={"type": "text"}),
        _text_delta(0, "a"),
        _text_delta(0, "b"),
    ]:
        parser.feed_event(*event, out)
    assert out == [StreamEvent("text", "a", 0), "b"]
    assert parser.feed(ServerSentEvent(*_text_delta(0, "c"))) == [
        StreamEvent("text", "c", 0)
    ]


def test_events_before_a_failing_event_of_a_chunk_are_kept() -> None:
    parser = OpenAIChatProvider("m").stream_parser(Sink())
    decoder = EventDecoder(parser, request_id="req_9")
    body = "".join(
        f"data: {json.dumps(c)}\n\n"
        for c in (delta(content="a"), delta(content="b"), {"error": {"message": "x"}})
    )
    events = normalised(decoder.feed(body.encode()))
    assert [e.chunk for e in events] == ["a", "b"]
    assert isinstance(decoder.error, ServerError)
    with pytest.raises(ServerError):  # nothing parsed before it: raised at once
        EventDecoder(parser, request_id=None).feed(b'data: {"error": "y"}\n\n')


def test_responses_text_of_a_re_added_item_is_a_new_part() -> None:
    # The fast path knows the open text item by its id: an output item added
    # again under that id is a new item, so its text is not a plain str.
    added = _typed(
        "response.output_item.added",
        output_index=0,
        item={"id": "msg_a", "type": "message"},
    )
    delta = _typed("response.output_text.delta", item_id="msg_a", delta="a")
    stream = [added, delta, delta, added, delta]
    out: list[str | StreamEvent] = []
    fast = ResponsesStreamParser(Sink())
    for event in stream:
        fast.feed_event(*event, out)
    plain = ResponsesStreamParser(Sink())
    expected = [e for event in stream for e in plain.feed(ServerSentEvent(*event))]
    assert out[:2] == [StreamEvent("text", "a", 0), "a"]
    assert out[2] == StreamEvent("text", "a", 1, message_index=1)
    assert normalised(out) == expected
