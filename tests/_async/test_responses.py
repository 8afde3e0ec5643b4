"""Responses: laziness, streaming, text, usage, json, on_done, repr, errors."""

from __future__ import annotations

import json

import pytest

import llm_async as llm
from llm_async import AsyncScriptedModel, ScriptedReply, StreamEvent, Usage


async def test_echo_model_answers_with_the_prompt() -> None:
    model = llm.get_async_model("echo")
    response = model.prompt("Hello there", system="Be brief")
    payload = json.loads(await response.text())
    assert payload["prompt"] == "Hello there"
    assert payload["system"] == "Be brief"
    assert payload["previous"] == []


async def test_prompt_is_lazy_until_consumed() -> None:
    model = AsyncScriptedModel(["hi"])
    response = model.prompt("anything")
    assert model.prompts == []
    assert not response._done
    assert await response.text() == "hi"
    assert [p.prompt for p in model.prompts] == ["anything"]


async def test_iteration_streams_chunks_then_replays() -> None:
    model = AsyncScriptedModel([["Hel", "lo", " world"]])
    response = model.prompt("x")
    chunks = [chunk async for chunk in response]
    assert chunks == ["Hel", "lo", " world"]
    again = [chunk async for chunk in response]
    assert again == chunks
    assert await response.text() == "Hello world"
    assert len(model.prompts) == 1


async def test_iteration_yields_text_only() -> None:
    reply = ScriptedReply(
        chunks=[StreamEvent("reasoning", "thinking..."), "answer"],
    )
    response = AsyncScriptedModel([reply]).prompt("x")
    assert [chunk async for chunk in response] == ["answer"]
    events = [event async for event in response.astream_events()]
    assert [(e.type, e.chunk) for e in events] == [
        ("reasoning", "thinking..."),
        ("text", "answer"),
    ]


async def test_await_response_returns_itself_completed() -> None:
    response = AsyncScriptedModel(["done"]).prompt("x")
    result = await response
    assert result is response
    assert await result.text() == "done"
    assert response._done


async def test_usage_json_and_resolved_model() -> None:
    reply = ScriptedReply(
        chunks=["a", "b"],
        usage=Usage(input=3, output=2, details={"cached": 1}),
        response_json={"id": "abc"},
        resolved_model="scripted-2026",
    )
    response = AsyncScriptedModel([reply]).prompt("x")
    assert await response.usage() == Usage(input=3, output=2, details={"cached": 1})
    assert await response.json() == {"id": "abc"}
    assert response.resolved_model == "scripted-2026"
    assert response.token_usage() == '3 input, 2 output, {"cached": 1}'


async def test_deferred_response_json_is_computed_once_on_first_read() -> None:
    response = AsyncScriptedModel(["hi"]).prompt("x")
    await response.text()
    calls: list[int] = []

    def compute() -> dict[str, int]:
        calls.append(1)
        return {"a": 1}

    response.defer_response_json(compute)
    assert calls == []
    assert await response.json() == {"a": 1}
    assert response.response_json == {"a": 1}
    assert calls == [1]
    # Setting the attribute replaces a value not yet computed.
    response.defer_response_json(compute)
    response.response_json = {"b": 2}
    assert await response.json() == {"b": 2}
    assert calls == [1]


async def test_usage_is_empty_when_model_records_none() -> None:
    response = AsyncScriptedModel(["a"]).prompt("x")
    assert await response.usage() == Usage(input=None, output=None, details=None)


async def test_on_done_fires_once_after_completion() -> None:
    seen: list[str] = []
    response = AsyncScriptedModel([["a", "b"]]).prompt("x")
    await response.on_done(lambda r: seen.append(r.id))
    assert seen == []
    await response.text()
    await response.text()
    assert seen == [response.id]


async def test_on_done_after_completion_runs_immediately() -> None:
    seen: list[object] = []
    response = AsyncScriptedModel(["a"]).prompt("x")
    await response.text()
    await response.on_done(seen.append)
    assert seen == [response]


async def test_on_done_callback_may_read_the_response() -> None:
    seen: list[Usage] = []
    reply = ScriptedReply(chunks=["a"], usage=Usage(input=1, output=1))
    response = AsyncScriptedModel([reply]).prompt("x")

    async def done(r: llm.AsyncResponse) -> None:
        seen.append(await r.usage())

    await response.on_done(done)
    await response.text()
    assert seen == [Usage(input=1, output=1)]


async def test_repr_before_and_after() -> None:
    response = AsyncScriptedModel(["The answer"]).prompt("Name three rivers")
    before = repr(response)
    assert before.endswith("prompt='Name three rivers' text='" + llm_pending() + "'>")
    await response.text()
    assert repr(response).endswith("text='The answer'>")


def llm_pending() -> str:
    return llm.AsyncResponse._pending_text


async def test_duration_and_datetime() -> None:
    response = AsyncScriptedModel(["a"]).prompt("x")
    assert await response.duration_ms() >= 0
    stamp = await response.datetime_utc()
    assert stamp.endswith("+00:00")


async def test_id_is_a_lowercase_ulid() -> None:
    first = AsyncScriptedModel(["a"]).prompt("x")
    second = AsyncScriptedModel(["a"]).prompt("x")
    assert len(first.id) == 26
    assert first.id == first.id.lower()
    assert first.id < second.id


async def test_error_before_first_chunk_propagates_and_is_kept() -> None:
    reply = ScriptedReply(chunks=["a"], error=llm.ServerError("boom", status_code=500))
    model = AsyncScriptedModel([reply])
    response = model.prompt("x")
    with pytest.raises(llm.ServerError, match="boom"):
        await response.text()
    # Reading again raises the same error and never re-sends the prompt.
    with pytest.raises(llm.ServerError, match="boom"):
        await response.text()
    assert len(model.prompts) == 1


async def test_error_mid_stream_keeps_the_chunks_already_received() -> None:
    reply = ScriptedReply(
        chunks=["one ", "two ", "three"],
        error=llm.APIConnectionError("connection lost"),
        error_after=2,
    )
    response = AsyncScriptedModel([reply]).prompt("x")
    received = []
    with pytest.raises(llm.APIConnectionError):
        async for chunk in response:
            received.append(chunk)
    assert received == ["one ", "two "]
    assert response._state.text() == "one two "


async def test_breaking_out_early_ends_the_response_with_partial_text() -> None:
    response = AsyncScriptedModel([["a", "b", "c"]]).prompt("x")
    async for chunk in response:
        assert chunk == "a"
        break
    await response.aclose()
    assert response._done
    assert await response.text() == "a"


async def test_scripted_model_without_replies_says_how_to_fix() -> None:
    model = AsyncScriptedModel()
    with pytest.raises(RuntimeError, match=r"model\.add"):
        await model.prompt("x").text()


async def test_options_validate_through_the_model_options() -> None:
    model = AsyncScriptedModel(["a", "b"])
    response = model.prompt("x", temperature=0.5, options={"max_tokens": 10})
    assert response.prompt.options.temperature == 0.5
    assert response.prompt.options.max_tokens == 10
    await response.text()


async def test_unknown_option_raises_validation_error_naming_it() -> None:
    from pydantic import ValidationError

    model = AsyncScriptedModel()
    with pytest.raises(ValidationError, match="no_such_option"):
        model.prompt("x", no_such_option=1)
    with pytest.raises(ValidationError, match="temperature"):
        model.prompt("x", temperature="hot")


async def test_same_option_twice_is_a_type_error() -> None:
    model = AsyncScriptedModel()
    with pytest.raises(TypeError) as info:
        model.prompt("x", options={"max_tokens": 1}, max_tokens=2)
    assert str(info.value) == (
        "Got values for these options both in options= and as keyword "
        "arguments: ['max_tokens']"
    )


async def test_echo_reports_options() -> None:
    response = llm.get_async_model("echo").prompt("x", temperature=0.2)
    assert json.loads(await response.text())["options"] == {"temperature": 0.2}


async def test_schema_needs_a_model_that_supports_it() -> None:
    class NoSchema(llm.AsyncModel):
        model_id = "no-schema"

    with pytest.raises(ValueError, match="does not support schemas"):
        NoSchema().prompt("x", schema={"type": "object"})


async def test_model_str() -> None:
    model = AsyncScriptedModel(model_id="demo")
    assert str(model).endswith(": demo")
    assert repr(model) == f"<{model}>"
