"""The incremental Server-Sent Events decoder: spec rules, chunking, hostile input."""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llm_async._http.sse import (
    ServerSentEvent,
    SSEDecodeError,
    SSEDecoder,
    decode_events,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "recorded"

E = ServerSentEvent


def decode(*chunks: bytes, **kwargs: int) -> list[ServerSentEvent]:
    """Feed ``chunks`` one by one, then flush; return every event."""
    decoder = SSEDecoder(**kwargs)
    events: list[ServerSentEvent] = []
    for chunk in chunks:
        events += decoder.feed(chunk)
    return events + decoder.flush()


def bytewise(data: bytes) -> list[ServerSentEvent]:
    return decode(*(data[i : i + 1] for i in range(len(data))))


# --- ServerSentEvent ------------------------------------------------------------


def test_event_defaults_frozen_and_slotted() -> None:
    event = E()
    assert event.event == "message"
    assert (event.data, event.id, event.retry) == ("", None, None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.data = "x"  # type: ignore[misc]
    assert not hasattr(event, "__dict__")


def test_decoded_events_equal_constructed_ones() -> None:
    [event] = decode(b"data: x\n\n")
    assert event == E(data="x")
    assert hash(event) == hash(E(data="x"))
    assert repr(event) == (
        "ServerSentEvent(event='message', data='x', id=None, retry=None)"
    )


@pytest.mark.parametrize(
    "data",
    ['{"a": [1, 2.5, null, true]}', " [1] ", "[1]\n", '"\\u00e9"', "7", "null"],
)
def test_json_matches_json_loads(data: str) -> None:
    assert E(data=data).json() == json.loads(data)


@pytest.mark.parametrize("data", ["", "[DONE]", "{", "[1] x", "\ufeff[1]", "[1]\x0c"])
def test_json_errors_match_json_loads(data: str) -> None:
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(data)
    with pytest.raises(json.JSONDecodeError) as got:
        E(data=data).json()
    assert str(got.value) == str(expected.value)


# --- Fields ---------------------------------------------------------------------


def test_single_data_event() -> None:
    assert decode(b"data: hello\n\n") == [E(data="hello")]


def test_several_events_in_one_chunk() -> None:
    body = b"data: 1\n\ndata: 2\n\ndata: 3\n\n"
    assert decode(body) == [E(data="1"), E(data="2"), E(data="3")]


def test_multiline_data_joined_with_newline() -> None:
    assert decode(b"data: a\ndata: b\ndata:\ndata: c\n\n") == [E(data="a\nb\n\nc")]


def test_only_one_leading_space_removed() -> None:
    body = b"data:  two\n\ndata:none\n\ndata:\tx\n\ndata: a: b\n\n"
    assert [e.data for e in decode(body)] == [" two", "none", "\tx", "a: b"]


def test_event_type_resets_after_dispatch() -> None:
    body = b"event: add\ndata: 1\n\ndata: 2\n\nevent:\ndata: 3\n\n"
    assert decode(body) == [E("add", "1"), E("message", "2"), E("message", "3")]


def test_event_type_resets_on_blank_line_even_without_data() -> None:
    assert decode(b"event: x\n\ndata: y\n\n") == [E("message", "y")]


def test_last_event_type_line_wins() -> None:
    assert decode(b"event: a\nevent: b\ndata: y\n\n") == [E("b", "y")]


def test_comments_ignored() -> None:
    body = b": ping\n\n:\ndata: x\n: inside\ndata: y\n\n"
    assert decode(body) == [E(data="x\ny")]


def test_field_without_colon_has_empty_value() -> None:
    assert decode(b"data\n\n") == [E(data="")]
    assert decode(b"data\ndata\n\n") == [E(data="\n")]
    assert decode(b"event\ndata: x\n\n") == [E("message", "x")]


def test_unknown_fields_ignored() -> None:
    assert decode(b"foo: bar\nDATA: no\ndata : no\ndata: yes\n\n") == [E(data="yes")]


def test_events_without_data_not_dispatched() -> None:
    assert decode(b"\n\n\n\r\n\r\r") == []
    assert decode(b"event: x\n\nid: 1\n\nretry: 5\n\n: c\n\n") == []
    # ...but an empty data line is still data.
    assert decode(b"data:\n\n") == [E(data="")]


def test_id_persists_and_can_be_reset() -> None:
    body = b"id: 1\ndata: a\n\ndata: b\n\nid\ndata: c\n\nid: 2\n\ndata: d\n\n"
    events = decode(body)
    assert [(e.data, e.id) for e in events] == [
        ("a", "1"),
        ("b", "1"),
        ("c", ""),
        ("d", "2"),
    ]


def test_id_applies_to_its_own_event_even_after_data() -> None:
    assert decode(b"data: a\nid: 9\n\n") == [E(data="a", id="9")]


def test_id_containing_nul_ignored() -> None:
    decoder = SSEDecoder()
    events = decoder.feed(b"id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n")
    assert [e.id for e in events] == ["1", "1"]
    assert decoder.last_event_id == "1"


@pytest.mark.parametrize("value", ["", "12a", "-1", " 5", "1.5", "+3", "١٢", "²", "1 "])
def test_retry_needs_ascii_digits(value: str) -> None:
    body = f"retry: 100\ndata: a\n\nretry: {value}\ndata: b\n\n".encode()
    assert [e.retry for e in decode(body)] == [100, 100]


def test_retry_parsed_and_persists() -> None:
    decoder = SSEDecoder()
    events = decoder.feed(b"data: a\n\nretry: 0030\n\ndata: b\n\nretry:7\ndata: c\n\n")
    assert [e.retry for e in events] == [None, 30, 7]
    assert decoder.retry == 7


def test_nul_and_unicode_line_separators_are_data() -> None:
    # Unlike str.splitlines(), SSE lines end only at CR and LF.
    weird = "a\x00b\x0bc\x0cd\x1ce\x1df\x1eg\x85h\u2028i\u2029j"
    assert decode(f"data: {weird}\n\n".encode()) == [E(data=weird)]


# --- Line endings ---------------------------------------------------------------


@pytest.mark.parametrize("eol", [b"\n", b"\r\n", b"\r"])
def test_line_endings(eol: bytes) -> None:
    body = b"event: e" + eol + b"data: a" + eol + b"data: b" + eol + eol
    body += b"data: c" + eol + eol
    assert decode(body) == [E("e", "a\nb"), E(data="c")]
    assert bytewise(body) == decode(body)


def test_mixed_line_endings() -> None:
    body = b"data: a\r\ndata: b\rdata: c\n\r\ndata: d\r\r"
    assert decode(body) == [E(data="a\nb\nc"), E(data="d")]


def test_crlf_split_across_chunks_is_one_line_ending() -> None:
    # If "\r" + "\n" counted twice, the "\n" would be a blank line dispatching "a".
    chunks = [b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n"]
    assert decode(*chunks) == [E(data="a\nb")]


def test_crlf_split_by_empty_chunk() -> None:
    assert decode(b"data: a\r", b"", b"\n", b"data: b\r\n\r\n") == [E(data="a\nb")]


def test_cr_at_chunk_end_dispatches_without_waiting() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r\r") == [E(data="a")]
    assert decoder.feed(b"\ndata: b\n\n") == [E(data="b")]


def test_line_split_anywhere() -> None:
    body = b'event: update\r\ndata: {"x": 1}\r\nid: 42\r\n\r\ndata: second\n\n'
    expected = [E("update", '{"x": 1}', "42"), E(data="second", id="42")]
    for cut in range(len(body) + 1):
        assert decode(body[:cut], body[cut:]) == expected, cut
    assert bytewise(body) == expected


# --- Decoding -------------------------------------------------------------------


def test_multibyte_characters_split_across_chunks() -> None:
    text = "é€😀 ünïcødé 中文"
    body = f"data: {text}\n\n".encode()
    assert bytewise(body) == [E(data=text)]


def test_bom_stripped_at_stream_start_only() -> None:
    assert decode(b"\xef\xbb\xbfdata: x\n\n") == [E(data="x")]
    assert decode(b"\xef", b"\xbb", b"\xbfdata: x\n\n") == [E(data="x")]
    # A second BOM is part of the first line, whose field name is then unknown.
    assert decode(b"\xef\xbb\xbf\xef\xbb\xbfdata: x\n\n") == []
    assert decode(b"data: \xef\xbb\xbfx\n\n") == [E(data="\ufeffx")]


def test_invalid_utf8_replaced() -> None:
    assert decode(b"data: \xff\xfeok\xc3\n\n") == [E(data="\ufffd\ufffdok\ufffd")]
    assert bytewise(b"data: \xe2\x82\n\n") == decode(b"data: \xe2\x82\n\n")


def test_truncated_character_at_end_of_stream_replaced() -> None:
    assert decode(b"data: \xe2\x82") == [E(data="\ufffd")]


# --- End of stream --------------------------------------------------------------


@pytest.mark.parametrize(
    "body", [b"data: x", b"data: x\n", b"data: x\r", b"data: x\r\n"]
)
def test_flush_dispatches_unterminated_event(body: bytes) -> None:
    decoder = SSEDecoder()
    assert decoder.feed(body) == []
    assert decoder.flush() == [E(data="x")]
    assert decoder.flush() == []


def test_flush_without_pending_data() -> None:
    for body in (b"data: x\n\n", b"event: a\n", b": comment", b"dat", b"id: 3\n"):
        decoder = SSEDecoder()
        decoder.feed(body)
        assert decoder.flush() == []


def test_flush_keeps_event_type_of_unterminated_event() -> None:
    assert decode(b"event: end\ndata: bye") == [E("end", "bye")]


def test_decoder_reusable_after_flush() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"id: 1\nretry: 5\nevent: a\ndata: x") == []
    assert decoder.flush() == [E("a", "x", "1", 5)]
    # A new stream: fresh BOM and event type; last event ID and retry carry over.
    assert decoder.feed(b"\xef\xbb\xbfdata: y\n\n") == [E("message", "y", "1", 5)]


def test_decode_events() -> None:
    chunks = iter([b"data: a\n", b"\ndata: b"])
    assert list(decode_events(chunks)) == [E(data="a"), E(data="b")]


# --- Limits ---------------------------------------------------------------------


def test_decode_error_is_value_error() -> None:
    assert issubclass(SSEDecodeError, ValueError)


def test_line_at_limit_accepted() -> None:
    assert decode(b"data: 1234", b"\n\n", max_line_bytes=10) == [E(data="1234")]


def test_long_line_in_one_chunk_rejected() -> None:
    decoder = SSEDecoder(max_line_bytes=10)
    with pytest.raises(SSEDecodeError, match="max_line_bytes"):
        decoder.feed(b"data: 12345")


def test_line_growing_over_chunks_rejected() -> None:
    decoder = SSEDecoder(max_line_bytes=10)
    decoder.feed(b"data: ")
    decoder.feed(b"1234")
    with pytest.raises(SSEDecodeError):
        decoder.feed(b"5")


@pytest.mark.parametrize("eol", [b"\n", b"\r"])
def test_unfinished_line_after_line_ending_counted(eol: bytes) -> None:
    decoder = SSEDecoder(max_line_bytes=10)
    decoder.feed(b"data: 1" + eol + b"data: 1234")
    with pytest.raises(SSEDecodeError):
        decoder.feed(b"5")


def test_long_line_completed_inside_chunk_rejected() -> None:
    decoder = SSEDecoder(max_line_bytes=10)
    decoder.feed(b"data: ")
    with pytest.raises(SSEDecodeError):
        decoder.feed(b"12345\n\n")


def test_long_middle_line_rejected() -> None:
    with pytest.raises(SSEDecodeError):
        decode(b"data: 1\ndata: 12345678901\n\n", max_line_bytes=10)


def test_limit_counts_each_line_separately() -> None:
    body = b"data: 1234\r\n\r\n" * 50
    assert len(decode(body, max_line_bytes=10)) == 50
    assert len(decode(*[body[i : i + 7] for i in range(0, len(body), 7)])) == 50
    assert decode(b"data: 1234\r", b"\ndata: 5678\r", b"\n\n", max_line_bytes=10) == [
        E(data="1234\n5678")
    ]


def test_hostile_endless_line_bounded() -> None:
    decoder = SSEDecoder(max_line_bytes=1024)
    with pytest.raises(SSEDecodeError):
        for _ in range(1000):
            decoder.feed(b"x" * 100)


def test_invalid_max_line_bytes() -> None:
    with pytest.raises(ValueError):
        SSEDecoder(max_line_bytes=0)


# --- Properties -----------------------------------------------------------------

# Field values: any character but CR, LF and surrogates (not encodable).
values = st.text(st.characters(exclude_characters="\r\n", codec="utf-8"), max_size=12)
names = st.text(
    st.characters(exclude_characters="\r\n:", codec="utf-8"), min_size=1, max_size=8
)
fields = st.one_of(
    st.tuples(st.just("data"), values),
    st.tuples(st.just("event"), values),
    st.tuples(st.just("id"), values | st.just("a\x00b")),
    st.tuples(st.just("retry"), st.integers(0, 10**12).map(str)),
    st.tuples(st.just("retry"), st.sampled_from(["", "1a", "-1", " 2", "١", "²"])),
    st.tuples(st.just(":"), values),
    st.tuples(names, values),  # mostly unknown field names
)
# Most blocks are one data line, or an event line then one data line: the
# shapes of typical LLM streams (Chat Completions; the Responses API).
typed = st.tuples(values, values).map(lambda p: [("event", p[0]), ("data", p[1])])
blocks = st.lists(fields, max_size=5) | values.map(lambda v: [("data", v)]) | typed
eols = st.sampled_from(["\n", "\n", "\r\n", "\r"])


def expected_events(stream: list[list[tuple[str, str]]]) -> list[ServerSentEvent]:
    """What a stream of blocks (lists of (field, value)) means, modelled directly."""
    events = []
    last_id: str | None = None
    retry: int | None = None
    for block in stream:
        event, data = "", []
        for name, value in block:
            if name == "data":
                data.append(value)
            elif name == "event":
                event = value
            elif name == "id" and "\x00" not in value:
                last_id = value
            elif name == "retry" and value and all(c in "0123456789" for c in value):
                retry = int(value)
        if data:
            events.append(E(event or "message", "\n".join(data), last_id, retry))
    return events


@st.composite
def encoded_streams(draw: st.DrawFn) -> tuple[bytes, list[ServerSentEvent]]:
    """A random stream as bytes (random line endings and spellings), and its events."""
    stream = draw(st.lists(blocks, max_size=12))
    lines = []
    for block in stream:
        for name, value in block:
            if name == ":":
                lines.append(":" + value)
            elif not value and draw(st.booleans()):
                lines.append(name)  # no colon: empty value
            elif value.startswith(" ") or draw(st.booleans()):
                lines.append(f"{name}: {value}")
            else:
                lines.append(f"{name}:{value}")
        lines.append("")
    if lines and not draw(st.booleans()):
        lines.pop()  # servers often omit the final blank line
    text, previous = "", ""
    for line in lines:
        eol = draw(eols)
        if previous == "\r" and not line and eol == "\n":
            eol = "\r\n"  # "\r" then "\n" would be one line ending, not two
        text += line + eol
        previous = eol
    if text and draw(st.booleans()):
        text = text.rstrip("\r\n")  # ...and sometimes the final line ending
    bom = "\ufeff" if draw(st.booleans()) else ""
    return (bom + text).encode(), expected_events(stream)


def split_at(data: bytes, cuts: list[int]) -> list[bytes]:
    bounds = [0, *sorted(c % (len(data) + 1) for c in cuts), len(data)]
    return [data[a:b] for a, b in itertools.pairwise(bounds)]


@settings(max_examples=300, deadline=None)
@given(encoded_streams(), st.lists(st.integers(0, 10**6), max_size=20))
def test_any_chunking_gives_the_expected_events(
    case: tuple[bytes, list[ServerSentEvent]], cuts: list[int]
) -> None:
    body, expected = case
    assert decode(body) == expected
    assert decode(*split_at(body, cuts)) == expected


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(values, st.booleans()), min_size=1, max_size=40),
    eols,
    st.lists(st.integers(0, 10**6), max_size=10),
)
def test_llm_shaped_streams_however_split(
    items: list[tuple[str, bool]], eol: str, cuts: list[int]
) -> None:
    # Runs of lone "data: ..." events (the bulk fast path), some with an id.
    text, expected, last_id = "", [], None
    for n, (value, with_id) in enumerate(items):
        if with_id:
            text += f"id: {n}{eol}"
            last_id = str(n)
        text += f"data: {value}{eol}{eol}"
        expected.append(E(data=value, id=last_id))
    body = text.encode()
    assert decode(body) == expected
    assert decode(*split_at(body, cuts)) == expected


@settings(max_examples=300, deadline=None)
@given(
    st.lists(blocks, max_size=12),
    st.lists(st.sampled_from(["\n", "\r\n"]), min_size=12, max_size=12),
    st.booleans(),
)
def test_one_event_per_chunk_gives_the_expected_events(
    stream: list[list[tuple[str, str]]], eols: list[str], bom: bool
) -> None:
    # How OpenAI, Anthropic and Gemini send: each event (its lines and the blank
    # line) in a network chunk of its own; single-event chunks take a fast path.
    chunks = []
    for block, eol in zip(stream, eols, strict=False):
        lines = [":" + v if n == ":" else f"{n}: {v}" for n, v in block]
        chunks.append("".join(line + eol for line in [*lines, ""]).encode())
    if bom and chunks:
        chunks[0] = b"\xef\xbb\xbf" + chunks[0]
    assert decode(*chunks) == expected_events(stream)


@pytest.mark.parametrize("eol", [b"\n", b"\r\n"])
def test_single_event_chunks_with_event_names(eol: bytes) -> None:
    chunks = [
        b"event: delta" + eol + b'data: {"t": "\xe2\x82\xac"}' + eol + eol,
        b"data: plain" + eol + eol,
        b"event: " + eol + b"data: x\xff" + eol + eol,  # empty name, bad byte
        b"id: 7" + eol + b"data: y" + eol + eol,  # other fields: the usual path
        b"data: z" + eol + eol,
    ]
    assert decode(*chunks) == [
        E("delta", '{"t": "\u20ac"}'),
        E(data="plain"),
        E(data="x\ufffd"),
        E(data="y", id="7"),
        E(data="z", id="7"),
    ]


def test_single_event_chunk_after_an_unfinished_line_continues_it() -> None:
    assert decode(b"data: a", b"data: b\n\n", b"data: c\n\n") == [
        E(data="adata: b"),
        E(data="c"),
    ]
    assert decode(b"data: a\r", b"\ndata: b\r\n\r\n") == [E(data="a\nb")]
    assert decode(b"\xef\xbb", b"\xbfdata: b\n\n", b"data: c\n\n") == [
        E(data="b"),
        E(data="c"),
    ]


@settings(max_examples=50, deadline=None)
@given(encoded_streams())
def test_byte_at_a_time_gives_the_expected_events(
    case: tuple[bytes, list[ServerSentEvent]],
) -> None:
    body, expected = case
    assert bytewise(body) == expected


# Hostile input: pieces that stress the parser, joined at random.
pieces = st.sampled_from(
    [
        *(b"data: ", b"data:", b"data", b"x", b" ", b":", b"\r", b"\n", b"\r\n"),
        *(b"\n\n", b"event", b"id", b"retry", b"7", b"\x00", b"\xef\xbb\xbf"),
        *(b"\xe2\x82\xac", b"\xe2", b"\x82", b"\xff", b"\xf0\x9f", b"data: {}\n\n"),
    ]
)
hostile = st.one_of(
    st.binary(max_size=200), st.lists(pieces, max_size=60).map(b"".join)
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile, st.lists(st.integers(0, 10**6), max_size=20))
def test_any_bytes_decode_the_same_however_split(data: bytes, cuts: list[int]) -> None:
    whole = decode(data)
    assert decode(*split_at(data, cuts)) == whole
    assert bytewise(data) == whole
    assert list(decode_events(iter(split_at(data, cuts)))) == whole


# --- Recorded streams -----------------------------------------------------------


def recorded_sse_bodies() -> list[Path]:
    paths = []
    for path in sorted((FIXTURES / "openai").glob("*.json")):
        response = json.loads(path.read_text("utf-8"))["interactions"][0]["response"]
        if response.get("stream_format") == "sse":
            paths.append(path)
    return paths


SSE_FIXTURES = recorded_sse_bodies() if FIXTURES.is_dir() else []


@pytest.mark.skipif(not SSE_FIXTURES, reason=f"no recorded SSE fixtures in {FIXTURES}")
@pytest.mark.parametrize("path", SSE_FIXTURES, ids=lambda p: p.stem)
def test_recorded_openai_stream(path: Path) -> None:
    fixture = json.loads(path.read_text("utf-8"))
    body = fixture["interactions"][0]["response"]["body"].encode("utf-8")
    events = decode(*(body[i : i + 7] for i in range(0, len(body), 7)))
    data_lines = [
        line
        for line in re.split(r"\r\n|\r|\n", body.decode("utf-8"))
        if line.startswith("data:")
    ]
    assert len(events) == len(data_lines) > 0
    for event in events:
        if event.data != "[DONE]":
            assert isinstance(event.json(), dict)
    assert events == decode(body)
