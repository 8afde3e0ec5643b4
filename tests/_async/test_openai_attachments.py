"""Attachments and stream events through the OpenAI provider (respx, fake DNS):
images by URL or as base64 data URLs, PDFs downloaded and sent as file parts,
audio input, type checks before the model is called, and stream events of a
recorded tool call in arrival order."""

from __future__ import annotations

import base64
import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
import respx

import llm_async as llm
from llm_async import AsyncHTTPModel, Attachment, StreamEvent
from tests.core.media import PDF_BYTES, png_bytes, wav_bytes
from tests.openai_support import ChatSpec, reset_registry
from tests.support import CANARY_KEY, load_recorded, recorded_responses

OPENAI_URL = "https://api.openai.com/v1/chat/completions"
PUBLIC_IP = "93.184.216.34"
ANSWER = {
    "id": "synthetic",
    "object": "chat.completion",
    "model": "gpt-4o-mini",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Seen."},
            "finish_reason": "stop",
        }
    ],
    "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6},
}


@pytest.fixture(autouse=True)
def openai_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    reset_registry()
    monkeypatch.setenv("OPENAI_API_KEY", CANARY_KEY)
    yield
    reset_registry()


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A fake resolver: host → address (unknown hosts fail to resolve)."""
    table: dict[str, str] = {}

    def fake(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        name = host.decode() if isinstance(host, bytes) else host
        if name not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (table[name], port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return table


def _content(route: Any) -> list[dict[str, Any]]:
    body = json.loads(route.calls.last.request.content)
    content: list[dict[str, Any]] = body["messages"][-1]["content"]
    return content


async def test_image_urls_are_sent_by_url_with_the_type_from_head(
    dns: dict[str, str],
) -> None:
    dns["img.example"] = PUBLIC_IP
    model = llm.get_async_model("gpt-4o-mini")
    with respx.mock() as router:
        head = router.head(f"https://{PUBLIC_IP}/cat").respond(
            200, headers={"content-type": "image/jpeg; charset=binary"}
        )
        post = router.post(OPENAI_URL).respond(200, json=ANSWER)
        response = model.prompt(
            "What?", attachments=[Attachment(url="https://img.example/cat")]
        )
        assert await response.text() == "Seen."
    assert head.call_count == 1
    assert _content(post) == [
        {"type": "text", "text": "What?"},
        {"type": "image_url", "image_url": {"url": "https://img.example/cat"}},
    ]


async def test_image_bytes_and_audio_are_sent_inline() -> None:
    spec = ChatSpec("gpt-4o-audio-preview", vision=True, audio=True)
    model = AsyncHTTPModel(spec.model_id, spec.provider(), **spec.model_kwargs())
    model.key = CANARY_KEY
    assert {"image/png", "audio/wav", "audio/mpeg"} <= set(model.attachment_types)
    picture = Attachment(content=png_bytes())
    sound = Attachment(content=wav_bytes())
    with respx.mock() as router:
        post = router.post(OPENAI_URL).respond(200, json=ANSWER)
        response = model.prompt("Describe", attachments=[picture, sound])
        assert await response.text() == "Seen."
    assert _content(post) == [
        {"type": "text", "text": "Describe"},
        {
            "type": "image_url",
            "image_url": {
                "url": "data:image/png;base64," + base64.b64encode(png_bytes()).decode()
            },
        },
        {
            "type": "input_audio",
            "input_audio": {
                "data": base64.b64encode(wav_bytes()).decode(),
                "format": "wav",
            },
        },
    ]


async def test_pdf_urls_are_downloaded_and_sent_as_file_parts(
    dns: dict[str, str],
) -> None:
    dns["docs.example"] = PUBLIC_IP
    model = llm.get_async_model("gpt-4o-mini")
    document = Attachment(url="https://docs.example/paper")
    with respx.mock() as router:
        router.head(f"https://{PUBLIC_IP}/paper").respond(
            200, headers={"content-type": "application/pdf"}
        )
        router.get(f"https://{PUBLIC_IP}/paper").respond(200, content=PDF_BYTES)
        post = router.post(OPENAI_URL).respond(200, json=ANSWER)
        assert await model.prompt("Summarise", attachments=[document]).text()
    assert _content(post)[1] == {
        "type": "file",
        "file": {
            "filename": f"{document.id()}.pdf",
            "file_data": "data:application/pdf;base64,"
            + base64.b64encode(PDF_BYTES).decode(),
        },
    }


async def test_types_are_checked_before_the_model_is_called(
    dns: dict[str, str],
) -> None:
    dns["site.example"] = PUBLIC_IP
    model = llm.get_async_model("gpt-4o-mini")
    with respx.mock() as router:
        # Known types fail in model.prompt(), before any request.
        with pytest.raises(ValueError, match="attachments of type 'audio/wav'"):
            model.prompt("x", attachments=[Attachment(content=wav_bytes())])
        with pytest.raises(ValueError, match="does not support attachments"):
            llm.get_async_model("gpt-3.5-turbo").prompt(
                "x", attachments=[Attachment(content=png_bytes())]
            )
        assert not router.calls
        # A URL's type is known after its HEAD: nothing else is sent.
        router.head(f"https://{PUBLIC_IP}/page").respond(
            200, headers={"content-type": "text/html"}
        )
        response = model.prompt(
            "x", attachments=[Attachment(url="https://site.example/page")]
        )
        with pytest.raises(ValueError, match="attachments of type 'text/html'"):
            await response.text()
        assert len(router.calls) == 1  # the HEAD; no download, no model call


async def test_recorded_tool_call_stream_events_arrive_in_order() -> None:
    fixture = load_recorded("openai/chat_stream_tool_call_then_answer.json")
    first = fixture["interactions"][0]
    recorded = json.loads(first["request"]["body"])
    tool = llm.Tool(
        "multiply",
        "Multiply two numbers.",
        recorded["tools"][0]["function"]["parameters"],
    )
    model = llm.get_async_model("gpt-4o-mini")
    with respx.mock() as router:
        router.post(OPENAI_URL).mock(
            side_effect=recorded_responses({"interactions": [first]})
        )
        response = model.prompt(recorded["messages"][0]["content"], tools=[tool])
        events: list[StreamEvent] = [e async for e in response.astream_events()]
    kinds = [event.type for event in events]
    assert kinds[0] == "tool_call_name"
    assert set(kinds[1:]) == {"tool_call_args"}
    assert events[0].chunk == "multiply"
    assert {event.tool_call_id for event in events} == {"call_1EYWDzueHEp8OsB8jJSEp7WB"}
    arguments = "".join(event.chunk for event in events[1:])
    assert json.loads(arguments) == {"a": 1231, "b": 2331}
    # Iteration yields text only: this answer has none.
    assert [chunk async for chunk in response] == []
    assert await response.text() == ""
    [message] = await response.messages()
    assert message.parts == [
        llm.ToolCallPart(
            "multiply", {"a": 1231, "b": 2331}, "call_1EYWDzueHEp8OsB8jJSEp7WB"
        )
    ]
