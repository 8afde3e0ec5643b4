"""Recorded OpenAI tool traffic replayed through respx, with real tools running.

The chains run the library's own tool loop against the recorded answers; every
request we send must match the recorded one (``normalize_request``), so the
follow-up requests carry the tool results exactly as the recordings show.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import respx

import llm_async as llm
from llm_async import AsyncHTTPModel, AsyncTransport, RetryPolicy
from tests.openai_support import (
    expected_outcome,
    normalize_request,
    replay_call,
    spec_for,
)
from tests.support import CANARY_KEY, ScriptedStream, load_recorded, recorded_responses

FAST = RetryPolicy(initial_delay=0.01, max_delay=0.02)
CALLS: list[tuple[str, dict[str, Any]]] = []


@pytest.fixture
async def transport() -> AsyncIterator[AsyncTransport]:
    async with AsyncTransport(retry=FAST) as shared:
        yield shared


@pytest.fixture(autouse=True)
def _clear_calls() -> None:
    CALLS.clear()


def make_model(request: dict[str, Any], transport: AsyncTransport) -> AsyncHTTPModel:
    spec = spec_for(request)
    model = AsyncHTTPModel(
        spec.model_id, spec.provider(), transport=transport, **spec.model_kwargs()
    )
    model.key = CANARY_KEY
    return model


def assert_requests_match(route: Any, interactions: list[dict[str, Any]]) -> None:
    assert route.call_count == len(interactions)
    for sent, interaction in zip(route.calls, interactions, strict=True):
        assert normalize_request(json.loads(sent.request.content)) == (
            normalize_request(json.loads(interaction["request"]["body"]))
        )


def with_implementations(tools: list[llm.Tool], **functions: Any) -> list[llm.Tool]:
    """The recorded tools (schemas as sent) with Python implementations."""
    for tool in tools:
        tool.implementation = functions[tool.name]
    return tools


# Tools as the recording clients defined them ------------------------------------


def lookup_population(country: str) -> int:
    """Returns the current population of the specified fictional country"""
    CALLS.append(("lookup_population", {"country": country}))
    return 123124


def can_have_dragons(population: int) -> bool:
    """Returns True if the specified population can have dragons, False otherwise"""
    CALLS.append(("can_have_dragons", {"population": population}))
    return True


def multiply(a: int, b: int) -> int:
    """Multiply two numbers."""
    CALLS.append(("multiply", {"a": a, "b": b}))
    return a * b


SECRETS = {"mellon": "Welcome to Moria!", "radiance": "Life before Death"}


def secret_retrieval_tool(password: str) -> str:
    CALLS.append(("secret_retrieval_tool", {"password": password}))
    return SECRETS[password]


# Chains -------------------------------------------------------------------------


async def test_two_call_chain_sends_each_tool_result(
    transport: AsyncTransport,
) -> None:
    fixture = load_recorded("openai/chat_tool_chain_two_calls.json")
    interactions = fixture["interactions"]
    first = interactions[0]["request"]
    question = json.loads(first["body"])["messages"][0]["content"]
    model = make_model(first, transport)
    with respx.mock() as router:
        route = router.post(first["url"]).mock(side_effect=recorded_responses(fixture))
        chain = model.chain(
            question, tools=[lookup_population, can_have_dragons], stream=False
        )
        assert await chain.text() == "YES"
    # The tools' schemas from type hints and descriptions from docstrings are
    # what the recording client sent; each follow-up carries the results.
    assert_requests_match(route, interactions)
    assert CALLS == [
        ("lookup_population", {"country": "Crumpet"}),
        ("can_have_dragons", {"population": 123124}),
    ]
    second = json.loads(route.calls[1].request.content)["messages"]
    assert second[-1] == {
        "role": "tool",
        "tool_call_id": "call_TTY8UFNo7rNCaOBUNtlRSvMG",
        "content": "123124",
    }
    third = json.loads(route.calls[2].request.content)["messages"]
    assert third[-1] == {
        "role": "tool",
        "tool_call_id": "call_aq9UyiSFkzX6W8Ydc33DoI9Y",
        "content": "true",
    }
    rounds = [response async for response in chain.responses()]
    assert [len(await r.tool_calls()) for r in rounds] == [1, 1, 0]


async def test_streamed_tool_call_then_answer(transport: AsyncTransport) -> None:
    fixture = load_recorded("openai/chat_stream_tool_call_then_answer.json")
    interactions = fixture["interactions"]
    first = interactions[0]["request"]
    expected = expected_outcome(interactions[1]["response"])
    model = make_model(first, transport)
    with respx.mock() as router:
        route = router.post(first["url"]).mock(side_effect=recorded_responses(fixture))
        chain = model.chain("What is 1231 * 2331?", tools=[multiply])
        events = [event async for event in chain.astream_events()]
    assert_requests_match(route, interactions)
    assert CALLS == [("multiply", {"a": 1231, "b": 2331})]
    names = [e.chunk for e in events if e.type == "tool_call_name"]
    arguments = "".join(e.chunk for e in events if e.type == "tool_call_args")
    assert names == ["multiply"]
    assert json.loads(arguments) == {"a": 1231, "b": 2331}
    texts = [e.chunk for e in events if e.type == "text"]
    assert texts == expected.text_deltas
    assert await chain.text() == expected.text
    sent = json.loads(route.calls[1].request.content)["messages"]
    assert sent[-1]["content"] == "2869461"


@pytest.mark.parametrize("stream", [False, True])
async def test_parallel_tool_calls_assemble_and_reply(
    transport: AsyncTransport, stream: bool
) -> None:
    name = "chat_parallel_tools_stream" if stream else "chat_parallel_tools"
    fixture = load_recorded(f"openai/{name}.json")
    interactions = fixture["interactions"]
    first = interactions[0]["request"]
    recorded_calls = expected_outcome(interactions[0]["response"]).tool_calls
    final = expected_outcome(interactions[1]["response"])
    call = replay_call(first)
    assert call["stream"] is stream
    tools = with_implementations(
        call.pop("tools"), secret_retrieval_tool=secret_retrieval_tool
    )
    model = make_model(first, transport)
    with respx.mock() as router:
        route = router.post(first["url"]).mock(side_effect=recorded_responses(fixture))
        response = model.prompt(tools=tools, **call)
        calls = await response.tool_calls()
        # Two calls (interleaved by index when streamed), each with its own id.
        assert [(c.name, c.arguments, c.tool_call_id) for c in calls] == [
            (n, a, i) for n, a, i in recorded_calls
        ]
        assert len({c.tool_call_id for c in calls}) == 2
        # reply() passes stream= on to model.prompt() (it is not inherited).
        follow_up = await response.reply(stream=stream)
        assert await follow_up.text() == final.text
    assert_requests_match(route, interactions)
    assert CALLS == [
        ("secret_retrieval_tool", {"password": "mellon"}),
        ("secret_retrieval_tool", {"password": "radiance"}),
    ]
    tool_messages = [
        m
        for m in json.loads(route.calls[1].request.content)["messages"]
        if m["role"] == "tool"
    ]
    assert tool_messages == [
        {"role": "tool", "tool_call_id": i, "content": SECRETS[a["password"]]}
        for _, a, i in recorded_calls
    ]


async def test_parallel_tool_calls_in_a_chain(transport: AsyncTransport) -> None:
    fixture = load_recorded("openai/chat_parallel_tools_stream.json")
    interactions = fixture["interactions"]
    first = interactions[0]["request"]
    call = replay_call(first)
    tools = with_implementations(
        call.pop("tools"), secret_retrieval_tool=secret_retrieval_tool
    )
    log: list[str] = []

    def after(tool: Any, tool_call: llm.ToolCall, result: llm.ToolResult) -> None:
        log.append(result.output)

    model = make_model(first, transport)
    with respx.mock() as router:
        route = router.post(first["url"]).mock(side_effect=recorded_responses(fixture))
        chain = model.chain(tools=tools, after_call=after, **call)
        text = await chain.text()
    assert text == expected_outcome(interactions[1]["response"]).text
    assert log == ["Welcome to Moria!", "Life before Death"]
    assert_requests_match(route, interactions)


async def test_tool_error_is_sent_back_and_the_model_answers(
    transport: AsyncTransport,
) -> None:
    fixture = load_recorded("openai/chat_tool_error_result.json")
    interactions = fixture["interactions"]
    first = interactions[0]["request"]
    call = replay_call(first)
    recorded_error = "Incorrect passhrase: The correct passphrase is 'cake'. Try again."

    def passphrase_test_tool(passphrase: str) -> str:
        CALLS.append(("passphrase_test_tool", {"passphrase": passphrase}))
        raise ValueError(recorded_error)

    tools = with_implementations(
        call.pop("tools"), passphrase_test_tool=passphrase_test_tool
    )
    model = make_model(first, transport)
    with respx.mock() as router:
        route = router.post(first["url"]).mock(side_effect=recorded_responses(fixture))
        chain = model.chain(tools=tools, **call)
        text = await chain.text()
    assert text == expected_outcome(interactions[1]["response"]).text
    assert CALLS == [("passphrase_test_tool", {"passphrase": "portal"})]
    # Our error result names the exception type; otherwise the request is the
    # recorded one.
    expected_body = json.loads(interactions[1]["request"]["body"])
    tool_message = expected_body["messages"][-1]
    assert tool_message["role"] == "tool"
    tool_message["content"] = f"Error: ValueError: {recorded_error}"
    sent = json.loads(route.calls[1].request.content)
    assert sent["messages"][-1]["content"] == f"Error: ValueError: {recorded_error}"
    assert normalize_request(sent) == normalize_request(expected_body)
    assert "Traceback" not in sent["messages"][-1]["content"]


async def test_strict_tool_schema_is_sent_as_given_and_the_call_runs(
    transport: AsyncTransport,
) -> None:
    fixture = load_recorded("openai/chat_strict_tool_optional_properties.json")
    (interaction,) = fixture["interactions"]
    request = interaction["request"]
    call = replay_call(request)

    def get_current_weather(location: str, unit: str = "fahrenheit") -> str:
        CALLS.append(("get_current_weather", {"location": location, "unit": unit}))
        return f"72 degrees {unit} in {location}"

    tools = with_implementations(
        call.pop("tools"), get_current_weather=get_current_weather
    )
    model = make_model(request, transport)
    with respx.mock() as router:
        route = router.post(request["url"]).mock(
            side_effect=recorded_responses(fixture)
        )
        response = model.prompt(tools=tools, **call)
        (result,) = await response.execute_tool_calls()
    sent = json.loads(route.calls[0].request.content)
    recorded = json.loads(request["body"])
    assert (
        sent["tools"][0]["function"]["parameters"]
        == (recorded["tools"][0]["function"]["parameters"])
    )
    assert normalize_request(sent) == normalize_request(recorded)
    assert CALLS == [
        ("get_current_weather", {"location": "San Francisco, CA", "unit": "fahrenheit"})
    ]
    assert result.output == "72 degrees fahrenheit in San Francisco, CA"
    assert result.tool_call_id == "call_c4yXh9W3Zrvkf4Jfp1Dia6HS"


async def test_stream_cut_mid_arguments_runs_no_tool(
    transport: AsyncTransport,
) -> None:
    fixture = load_recorded("openai/chat_stream_tool_call_then_answer.json")
    first = fixture["interactions"][0]
    body = first["response"]["body"]
    events = [e + "\n\n" for e in body.split("\n\n") if e.strip()]
    # Keep the call's name and the first argument fragments, then drop the line.
    cut = next(i for i, e in enumerate(events) if '"arguments":"a"' in e) + 1
    partial = "".join(events[:cut])
    assert '"name":"multiply"' in partial and "2331" not in partial
    stream = ScriptedStream(
        [partial.encode()], error=httpx.RemoteProtocolError("connection lost")
    )
    model = make_model(first["request"], transport)
    with respx.mock() as router:
        route = router.post(first["request"]["url"]).mock(
            return_value=httpx.Response(
                200, headers={"content-type": "text/event-stream"}, stream=stream
            )
        )
        chain = model.chain("What is 1231 * 2331?", tools=[multiply])
        with pytest.raises(llm.APIError):
            await chain.text()
    assert CALLS == []
    assert route.call_count == 1
    # The failed round keeps its error and recorded no call from the cut buffer.
    (failed,) = chain._responses
    assert failed._state.tool_calls == []
    with pytest.raises(llm.APIError):
        await failed.tool_calls()
