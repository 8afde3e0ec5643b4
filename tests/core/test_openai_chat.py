"""The OpenAI Chat Completions provider without I/O: options, requests, parsing."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from pydantic import ValidationError

from llm_async import Attachment, Prompt, StreamEvent
from llm_async._core.errors import APIConnectionError, ResponseDecodeError, ServerError
from llm_async._core.parts import (
    AttachmentPart,
    Message,
    ReasoningPart,
    TextPart,
    ToolCallPart,
    ToolResultPart,
)
from llm_async._core.tools import Tool, ToolCall
from llm_async._http.sse import ServerSentEvent
from llm_async.providers.http_model_base import EventDecoder
from llm_async.providers.openai.chat import (
    DEFAULT_BASE_URL,
    ChatOptions,
    OpenAIChatProvider,
    chat_options_class,
    clean_usage_details,
    wire_messages,
)

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


class Sink:
    """Records what a parser reports, like a response does."""

    def __init__(self) -> None:
        self.response_json: dict[str, Any] | None = None
        self.usage: dict[str, Any] | None = None
        self.resolved_model: str | None = None
        self.tool_calls: list[ToolCall] = []

    def set_usage(
        self,
        *,
        input: int | None = None,
        output: int | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        self.usage = {"input": input, "output": output, "details": details}

    def set_resolved_model(self, model_id: str) -> None:
        self.resolved_model = model_id

    def add_tool_call(self, tool_call: ToolCall) -> None:
        self.tool_calls.append(tool_call)


def prompt_for(messages: list[Message], options: Any = None, **kwargs: Any) -> Prompt:
    return Prompt(
        None, None, messages=messages, options=options or ChatOptions(), **kwargs
    )


def sse(*chunks: Any) -> list[ServerSentEvent]:
    return [
        ServerSentEvent(data=c if isinstance(c, str) else json.dumps(c)) for c in chunks
    ]


def run_stream(chunks: list[Any], sink: Sink | None = None) -> list[StreamEvent]:
    """The events of a whole stream: ``chunks``, then ``data: [DONE]``."""
    parser = OpenAIChatProvider("m").stream_parser(sink or Sink())
    events: list[StreamEvent] = []
    for event in sse(*chunks, "[DONE]"):
        events.extend(parser.feed(event))
    events.extend(parser.finish())
    return events


def delta(**fields: Any) -> dict[str, Any]:
    return {"id": "c1", "model": "m-2025", "choices": [{"index": 0, "delta": fields}]}


# Options ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("temperature", 2.5),
        ("temperature", -0.1),
        ("top_p", 1.5),
        ("frequency_penalty", -3),
        ("presence_penalty", 2.1),
        ("max_tokens", 0),
        ("seed", "abc"),
    ],
)
def test_out_of_range_options_name_the_field(field: str, value: Any) -> None:
    with pytest.raises(ValidationError) as info:
        ChatOptions(**{field: value})
    assert info.value.errors()[0]["loc"] == (field,)


def test_logit_bias_from_dict_or_json_string() -> None:
    assert ChatOptions(logit_bias={"50256": -100}).logit_bias == {50256: -100}
    assert ChatOptions(logit_bias='{"1": 5, "2": -5}').logit_bias == {1: 5, 2: -5}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("{not json", "Invalid JSON in logit_bias string"),
        ({"a": 1}, "Invalid key-value pair in logit_bias dictionary"),
        ({"1": 101}, "Invalid key-value pair in logit_bias dictionary"),
        ({"1": "x"}, "Invalid key-value pair in logit_bias dictionary"),
        ({"1": 1.5}, "Invalid key-value pair in logit_bias dictionary"),
    ],
)
def test_bad_logit_bias_messages(value: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as info:
        ChatOptions(logit_bias=value)
    assert info.value.errors()[0]["loc"] == ("logit_bias",)


def test_unknown_options_are_rejected() -> None:
    with pytest.raises(ValidationError, match="reasoning_effort"):
        ChatOptions(reasoning_effort="low")
    with pytest.raises(ValidationError, match="image_detail"):
        chat_options_class(reasoning=True)(image_detail="low")


def test_reasoning_and_vision_options_only_where_supported() -> None:
    reasoning = chat_options_class(reasoning=True)
    assert reasoning(reasoning_effort="high").reasoning_effort == "high"
    with pytest.raises(ValidationError, match="reasoning_effort"):
        reasoning(reasoning_effort="extreme")
    vision = chat_options_class(vision=True)
    assert vision(image_detail="low").image_detail == "low"
    with pytest.raises(ValidationError, match="image_detail"):
        vision(image_detail="ultra")
    both = chat_options_class(vision=True, reasoning=True, service_tier=True)
    assert set(both.model_fields) - set(ChatOptions.model_fields) == {
        "image_detail",
        "reasoning_effort",
        "service_tier",
    }
    assert chat_options_class(vision=True) is vision  # cached
    assert chat_options_class() is ChatOptions


# Requests ----------------------------------------------------------------------------


def test_request_goes_to_chat_completions_with_bearer_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    provider = OpenAIChatProvider("gpt-4o-mini")
    prompt = prompt_for([Message("user", [TextPart("hi")])])
    request = provider.build_request(prompt, stream=True, key="sk-1")
    assert str(request.url) == f"{DEFAULT_BASE_URL}/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-1"
    assert json.loads(request.content) == {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": "hi"}],
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    monkeypatch.setenv("OPENAI_BASE_URL", "https://proxy.example/v1/")
    request = provider.build_request(prompt, stream=False, key=None)
    assert str(request.url) == "https://proxy.example/v1/chat/completions"
    assert "authorization" not in request.headers
    assert json.loads(request.content)["stream"] is False
    local = OpenAIChatProvider("x", base_url="http://127.0.0.1:8080/v1")
    assert str(local.build_request(prompt, stream=False, key=None).url) == (
        "http://127.0.0.1:8080/v1/chat/completions"
    )


def test_options_are_sent_and_json_object_becomes_a_response_format() -> None:
    options = ChatOptions(
        temperature=0.5,
        max_tokens=10,
        stop=["\n"],
        logit_bias={"7": 3},
        seed=1,
        json_object=True,
    )
    body = OpenAIChatProvider("m").build_body(
        prompt_for([Message("user", [TextPart("hi")])], options), stream=False
    )
    assert body["temperature"] == 0.5
    assert body["max_tokens"] == 10
    assert body["stop"] == ["\n"]
    assert json.loads(json.dumps(body))["logit_bias"] == {"7": 3}
    assert body["seed"] == 1
    assert body["response_format"] == {"type": "json_object"}
    assert "json_object" not in body
    assert "top_p" not in body  # unset options are not sent


def test_reasoning_models_get_max_completion_tokens_and_effort() -> None:
    options = chat_options_class(reasoning=True)(max_tokens=50, reasoning_effort="low")
    provider = OpenAIChatProvider("o3-mini", reasoning=True)
    body = provider.build_body(
        prompt_for([Message("user", [TextPart("hi")])], options), stream=False
    )
    assert body["max_completion_tokens"] == 50
    assert "max_tokens" not in body
    assert body["reasoning_effort"] == "low"


def test_schema_overrides_json_object_and_tools_are_described() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}}
    tools = [
        Tool("add", "Add numbers", {"type": "object", "properties": {}}),
        Tool("noop"),
    ]
    prompt = prompt_for(
        [Message("user", [TextPart("hi")])],
        ChatOptions(json_object=True),
        schema=schema,
        tools=tools,
    )
    body = OpenAIChatProvider("m").build_body(prompt, stream=False)
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "output", "schema": schema},
    }
    assert body["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "add",
                "description": "Add numbers",
                "parameters": {"type": "object", "properties": {}},
            },
        },
        {
            "type": "function",
            "function": {
                "name": "noop",
                "description": None,
                "parameters": {"type": "object", "properties": {}},
            },
        },
    ]


def test_message_translation() -> None:
    messages = [
        Message("system", [TextPart("Be brief.")]),
        Message("user", [TextPart("What is 2+2?")]),
        Message(
            "assistant",
            [
                ReasoningPart("thinking..."),
                TextPart("Let me check."),
                ToolCallPart("add", {"a": 2, "b": 2}, "call_1"),
                ToolCallPart("broken", {"_raw": "{oops"}, "call_2"),
            ],
        ),
        Message(
            "tool",
            [
                ToolResultPart("add", "4", "call_1"),
                ToolResultPart("broken", "Error: bad JSON", "call_2"),
            ],
        ),
        Message("system", [TextPart("Be brief.")]),  # same as before: dropped
        Message("assistant", []),
        Message("user", []),  # empty: dropped
        Message("system", [TextPart("Now be verbose.")]),
        Message("user", [TextPart("Thanks"), TextPart("again")]),
    ]
    assert wire_messages(messages) == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "What is 2+2?"},
        {
            "role": "assistant",
            "content": "Let me check.",
            "tool_calls": [
                {
                    "type": "function",
                    "id": "call_1",
                    "function": {"name": "add", "arguments": '{"a": 2, "b": 2}'},
                },
                {
                    "type": "function",
                    "id": "call_2",
                    "function": {"name": "broken", "arguments": "{oops"},
                },
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "4"},
        {"role": "tool", "tool_call_id": "call_2", "content": "Error: bad JSON"},
        {"role": "assistant", "content": None},
        {"role": "system", "content": "Now be verbose."},
        {"role": "user", "content": "Thanks\nagain"},
    ]


def test_attachments_become_content_items(tmp_path: Any) -> None:
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(b"%PDF-1.4 tiny")
    wav = Attachment(type="audio/wav", content=b"RIFF....WAVE")
    mp3 = Attachment(type="audio/mpeg", content=b"ID3...")
    by_url = Attachment(type="image/jpeg", url="https://example.com/cat.jpg")
    inline = Attachment(type="image/png", content=PNG)
    document = Attachment(type="application/pdf", path=str(pdf))
    message = Message(
        "user",
        [
            TextPart("Describe these"),
            AttachmentPart(by_url),
            AttachmentPart(inline),
            AttachmentPart(document),
            AttachmentPart(wav),
            AttachmentPart(mp3),
        ],
    )
    (wire,) = wire_messages([message], image_detail="low")
    assert wire["content"] == [
        {"type": "text", "text": "Describe these"},
        {
            "type": "image_url",
            "image_url": {"url": "https://example.com/cat.jpg", "detail": "low"},
        },
        {
            "type": "image_url",
            "image_url": {
                "url": "data:image/png;base64," + base64.b64encode(PNG).decode(),
                "detail": "low",
            },
        },
        {
            "type": "file",
            "file": {
                "filename": f"{document.id()}.pdf",
                "file_data": "data:application/pdf;base64,"
                + base64.b64encode(b"%PDF-1.4 tiny").decode(),
            },
        },
        {
            "type": "input_audio",
            "input_audio": {
                "data": base64.b64encode(b"RIFF....WAVE").decode(),
                "format": "wav",
            },
        },
        {
            "type": "input_audio",
            "input_audio": {
                "data": base64.b64encode(b"ID3...").decode(),
                "format": "mp3",
            },
        },
    ]
    provider = OpenAIChatProvider("m")
    assert provider.accepts_url(by_url)
    assert not provider.accepts_url(Attachment(type="application/pdf", url="https://x"))


def test_unsupported_attachment_type_is_a_clear_error() -> None:
    video = Attachment(type="video/mp4", content=b"\x00\x00\x00\x18ftypmp42")
    with pytest.raises(ValueError, match="video/mp4"):
        wire_messages([Message("user", [AttachmentPart(video)])])


# Streams ---------------------------------------------------------------------------


def test_text_stream_with_usage_chunk_and_resolved_model() -> None:
    sink = Sink()
    events = run_stream(
        [
            delta(role="assistant", content=""),
            delta(content="Hel"),
            delta(content="lo"),
            {
                "id": "c1",
                "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
            },
            {
                "id": "c1",
                "choices": [],
                "usage": {
                    "prompt_tokens": 5,
                    "completion_tokens": 2,
                    "total_tokens": 7,
                    "prompt_tokens_details": {"cached_tokens": 3, "audio_tokens": 0},
                    "completion_tokens_details": {"reasoning_tokens": 0},
                },
            },
            "[DONE]",
        ],
        sink,
    )
    assert [(e.type, e.chunk, e.part_index) for e in events] == [
        ("text", "Hel", 0),
        ("text", "lo", 0),
    ]
    assert sink.usage == {
        "input": 5,
        "output": 2,
        "details": {"prompt_tokens_details": {"cached_tokens": 3}},
    }
    assert sink.resolved_model == "m-2025"
    assert sink.response_json is not None
    assert sink.response_json["content"] == "Hello"
    assert sink.response_json["finish_reason"] == "stop"
    assert sink.response_json["id"] == "c1"


def test_interleaved_tool_calls_are_assembled_by_index() -> None:
    sink = Sink()
    events = run_stream(
        [
            delta(content="Checking."),
            delta(
                tool_calls=[
                    {"index": 0, "id": "a", "function": {"name": "f", "arguments": ""}},
                    {"index": 1, "id": "b", "function": {"name": "g", "arguments": ""}},
                ]
            ),
            delta(tool_calls=[{"index": 1, "function": {"arguments": '{"y"'}}]),
            delta(tool_calls=[{"index": 0, "function": {"arguments": '{"x": 1}'}}]),
            delta(tool_calls=[{"index": 1, "function": {"arguments": ": 2}"}}]),
        ],
        sink,
    )
    assert [(e.type, e.chunk, e.part_index, e.tool_call_id) for e in events] == [
        ("text", "Checking.", 0, None),
        ("tool_call_name", "f", 1, "a"),
        ("tool_call_name", "g", 2, "b"),
        ("tool_call_args", '{"y"', 2, "b"),
        ("tool_call_args", '{"x": 1}', 1, "a"),
        ("tool_call_args", ": 2}", 2, "b"),
    ]
    assert sink.tool_calls == [
        ToolCall("f", {"x": 1}, "a"),
        ToolCall("g", {"y": 2}, "b"),
    ]
    assert sink.usage is None  # the server sent none: nothing made up


def test_tool_call_edge_cases() -> None:
    sink = Sink()
    run_stream(
        [
            # no id (some servers), empty arguments, then broken JSON elsewhere
            delta(tool_calls=[{"index": 0, "function": {"name": "now"}}]),
            delta(tool_calls=[{"index": 1, "id": "", "function": {"name": "bad"}}]),
            delta(tool_calls=[{"index": 1, "function": {"arguments": "{nope"}}]),
            delta(tool_calls=[{"index": 2, "id": "c", "function": {"name": "lst"}}]),
            delta(tool_calls=[{"index": 2, "function": {"arguments": "[1]"}}]),
        ],
        sink,
    )
    first, second, third = sink.tool_calls
    assert (first.name, first.arguments) == ("now", {})
    assert (second.name, second.arguments) == ("bad", {"_raw": "{nope"})
    assert (third.name, third.arguments) == ("lst", {"_raw": "[1]"})
    assert first.tool_call_id and first.tool_call_id.startswith("call_")
    assert second.tool_call_id and second.tool_call_id != first.tool_call_id


def test_reasoning_content_from_compatible_servers() -> None:
    sink = Sink()
    events = run_stream(
        [
            delta(reasoning_content="Let me "),
            delta(reasoning_content="think."),
            delta(content="Paris"),
            delta(reasoning="Ollama style"),
        ],
        sink,
    )
    assert [(e.type, e.chunk, e.part_index) for e in events] == [
        ("reasoning", "Let me ", 0),
        ("reasoning", "think.", 0),
        ("text", "Paris", 1),
        ("reasoning", "Ollama style", 2),
    ]
    assert sink.response_json is not None
    assert sink.response_json["reasoning"] == "Let me think.Ollama style"


def test_hidden_reasoning_tokens_give_a_redacted_marker() -> None:
    sink = Sink()
    usage = {
        "prompt_tokens": 1,
        "completion_tokens": 9,
        "completion_tokens_details": {"reasoning_tokens": 8},
    }
    events = run_stream([delta(content="ok"), {"choices": [], "usage": usage}], sink)
    assert [(e.type, e.chunk, e.redacted, e.part_index) for e in events] == [
        ("text", "ok", False, 0),
        ("reasoning", "", True, 1),
    ]


def test_usage_on_the_finish_chunk_and_null_choices() -> None:
    # llama.cpp attaches usage to the finish chunk; vLLM may send choices: null.
    sink = Sink()
    run_stream(
        [
            delta(content="a"),
            {
                "choices": [{"index": 0, "delta": {}, "finish_reason": "length"}],
                "usage": {"prompt_tokens": 3, "completion_tokens": 1},
            },
            {"choices": None, "usage": {"prompt_tokens": 3, "completion_tokens": 1}},
        ],
        sink,
    )
    assert sink.usage == {"input": 3, "output": 1, "details": {}}
    assert sink.response_json is not None
    assert sink.response_json["finish_reason"] == "length"


def test_refusal_is_kept_in_the_json_not_the_text() -> None:
    sink = Sink()
    events = run_stream(
        [delta(content=None, refusal=""), delta(refusal="I can't"), delta(refusal=".")],
        sink,
    )
    assert events == []
    assert sink.response_json is not None
    assert sink.response_json["refusal"] == "I can't."


def test_error_event_mid_stream_is_a_server_error() -> None:
    parser = OpenAIChatProvider("m").stream_parser(Sink())
    first, error = sse(
        delta(content="partial"),
        {"error": {"message": "upstream overloaded", "code": 502}},
    )
    assert [e.chunk for e in parser.feed(first)] == ["partial"]
    with pytest.raises(ServerError, match="upstream overloaded"):
        parser.feed(error)


@pytest.mark.parametrize(
    "body",
    [
        b"data: [1, 2]\n\n",
        b"data: {not json\n\n",
        b'data: {"choices": "nope"}\n\n',
        b'data: {"choices": [{"delta": {"tool_calls": [{"function": 3}]}}]}\n\n',
        b"<html>502 Bad Gateway</html>",
    ],
)
def test_hostile_stream_bytes_are_decode_errors(body: bytes) -> None:
    decoder = EventDecoder(
        OpenAIChatProvider("m").stream_parser(Sink()), request_id="req_1"
    )
    with pytest.raises(ResponseDecodeError) as info:
        list(decoder.feed(body))
        list(decoder.finish())
    assert info.value.request_id == "req_1"


# Non-streamed answers --------------------------------------------------------------


def answer(message: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "id": "c9",
        "object": "chat.completion",
        "model": "m-2025",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        **extra,
    }


def test_non_streamed_answer_with_tool_calls_and_reasoning() -> None:
    sink = Sink()
    data = answer(
        {
            "role": "assistant",
            "content": "Calling.",
            "reasoning": "hmm",
            "refusal": None,
            "tool_calls": [
                {
                    "id": "",
                    "type": "function",
                    "function": {"name": "t", "arguments": "{}"},
                },
                {
                    "id": "k",
                    "type": "function",
                    "function": {"name": "u", "arguments": {"a": 1}},
                },
            ],
        },
        usage={"prompt_tokens": 4, "completion_tokens": 6, "total_tokens": 10},
    )
    events = OpenAIChatProvider("m").parse_response(data, sink)
    assert [(e.type, e.chunk, e.part_index) for e in events] == [
        ("reasoning", "hmm", 0),
        ("text", "Calling.", 1),
        ("tool_call_name", "t", 2),
        ("tool_call_args", "{}", 2),
        ("tool_call_name", "u", 3),
        ("tool_call_args", '{"a": 1}', 3),
    ]
    made_up = sink.tool_calls[0].tool_call_id
    assert made_up and made_up.startswith("call_")
    assert events[2].tool_call_id == made_up
    assert sink.tool_calls[1] == ToolCall("u", {"a": 1}, "k")
    assert sink.usage == {"input": 4, "output": 6, "details": {}}
    assert sink.response_json is not None
    assert "refusal" not in sink.response_json["choices"][0]["message"]
    assert sink.resolved_model == "m-2025"


def test_non_streamed_answer_without_usage_or_content() -> None:
    sink = Sink()
    events = OpenAIChatProvider("m").parse_response(
        answer({"role": "assistant", "content": None}), sink
    )
    assert events == []
    assert sink.usage is None


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ([1, 2], ResponseDecodeError),
        ({"object": "chat.completion"}, ResponseDecodeError),
        ({"error": {"message": "model crashed"}}, ServerError),
        ({"choices": [{"message": {"tool_calls": ["x"]}}]}, ResponseDecodeError),
    ],
)
def test_unusable_answers_raise_typed_errors(data: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        OpenAIChatProvider("m").parse_response(data, Sink())


# Errors and usage ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {
                "error": {
                    "message": "Bad key",
                    "type": "invalid_request_error",
                    "code": "invalid_api_key",
                }
            },
            ("Bad key", "invalid_api_key"),
        ),
        (
            {
                "error": {
                    "message": "Nope",
                    "type": "invalid_request_error",
                    "code": None,
                }
            },
            ("Nope", "invalid_request_error"),
        ),
        (
            {
                "error": {
                    "code": 429,
                    "message": "Provider returned error",
                    "metadata": {"raw": "slow down"},
                }
            },
            ("Provider returned error: slow down", "429"),
        ),
        (
            {"object": "error", "message": "vLLM says no", "code": 400},
            ("vLLM says no", "400"),
        ),
        ({"detail": "Not Found"}, ("Not Found", None)),
        ({"error": "plain string"}, ("plain string", None)),
        ("<html>oops</html>", ("<html>oops</html>", None)),
        ({}, ("HTTP 500 error", None)),
    ],
)
def test_error_messages(body: Any, expected: tuple[str, str | None]) -> None:
    assert OpenAIChatProvider("m").error_message(500, body) == expected


def test_usage_details_drop_zeros_and_empty_dicts() -> None:
    assert clean_usage_details(
        {
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 12, "audio_tokens": 0},
            "cost": 0.5,
            "is_byok": False,
            "cost_details": {"upstream_inference_cost": None},
        }
    ) == {"completion_tokens_details": {"reasoning_tokens": 12}, "cost": 0.5}


# The fast paths (feed_event, feed_many) of this and every provider's stream
# parser are checked against feed() in test_stream_fast_paths.py.


def test_stream_cut_before_the_model_finished_raises() -> None:
    """Neither a finish_reason nor [DONE]: the connection closed early. No tool
    call of the cut stream is recorded (its arguments may be incomplete)."""
    call = {"index": 0, "id": "c", "function": {"name": "f", "arguments": '{"a": '}}
    for feed in ("feed", "feed_many"):
        sink = Sink()
        parser = OpenAIChatProvider("m").stream_parser(sink)
        messages = sse(delta(content="partial"), delta(tool_calls=[call]))
        if feed == "feed":
            for message in messages:
                parser.feed(message)
        else:
            parser.feed_many(messages, [])
        with pytest.raises(APIConnectionError, match="closed early"):
            parser.finish()
        assert sink.tool_calls == []


@pytest.mark.parametrize(
    "ending",
    [
        ["[DONE]"],
        [{"id": "c1", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}],
    ],
    ids=["done-only", "finish-reason-only"],
)
def test_either_terminator_completes_the_stream(ending: list[Any]) -> None:
    parser = OpenAIChatProvider("m").stream_parser(Sink())
    for message in sse(delta(content="whole"), *ending):
        parser.feed(message)
    parser.finish()  # no error
