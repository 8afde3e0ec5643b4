# Generated from tests/_async/test_provider_behaviour.py; do not edit.
# Edit the async source and run `python scripts/unasync.py`.
"""Behaviour every built-in HTTP provider shares, parametrised over the providers.

Each test runs once per ``tests.provider_cases.CASES`` entry, against the
provider's registered model with respx answering in its wire format (synthetic
answers): conversations, tool chains with parallel calls, schemas,
attachments, persistence through ``to_dict()``, typed errors and retries,
broken streams, and the canary key never showing anywhere.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx

import llm_sync as llm
from llm_sync import Conversation, HTTPModel, RetryPolicy, Transport
from tests.openai_support import reset_registry
from tests.provider_cases import CASES, PNG, ProviderCase, Sent, case_ids
from tests.support import CANARY_KEY

pytestmark = pytest.mark.parametrize("case", CASES, ids=case_ids)
FAST = RetryPolicy(initial_delay=0.01, max_delay=0.02)
IMAGE_URL = "https://example.com/pelican.png"


@pytest.fixture(autouse=True)
def provider_key(case: ProviderCase, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    reset_registry()
    monkeypatch.setenv(case.key_env_var, CANARY_KEY)
    yield
    reset_registry()


@pytest.fixture
def transport() -> Iterator[Transport]:
    with Transport(retry=FAST) as fast:
        yield fast


def _model(case: ProviderCase) -> Any:
    return llm.get_model(case.model_id)


def _fast_model(case: ProviderCase, transport: Transport) -> HTTPModel:
    """The registered model, on a transport that retries without waiting."""
    model = _model(case)
    return HTTPModel(
        model.model_id,
        model.provider,
        needs_key=model.needs_key,
        key_env_var=model.key_env_var,
        supports_tools=True,
        supports_schema=True,
        attachment_types=model.attachment_types,
        transport=transport,
    )


def _sent(case: ProviderCase, route: Any) -> list[Sent]:
    return [case.sent(json.loads(call.request.content)) for call in route.calls]


@pytest.mark.parametrize("stream", [True, False])
def test_text_streamed_and_whole(case: ProviderCase, stream: bool) -> None:
    chunks = ["Pelicans ", "are ", "large."]
    with respx.mock() as router:
        route = router.post(url__startswith=case.url).mock(
            return_value=case.text(chunks, stream)
        )
        response = _model(case).prompt("Tell me", system="Be brief", stream=stream)
        received = [chunk for chunk in response]
    assert "".join(received) == "Pelicans are large."
    if stream:
        assert received == chunks
    usage = response.usage()
    assert (usage.input, usage.output) == (11, 7)
    (sent,) = _sent(case, route)
    assert case.sent_key(route.calls[0].request) == CANARY_KEY
    assert sent.system == "Be brief"
    assert sent.turns == [("user", "Tell me")]
    if case.stream_in_body:
        assert sent.stream is stream
    else:
        assert route.calls[0].request.url.params.get("alt") == (
            "sse" if stream else None
        )


def test_conversation_sends_the_history(case: ProviderCase) -> None:
    answers = iter(["Paris.", "Rome."])
    with respx.mock() as router:
        route = router.post(url__startswith=case.url).mock(
            side_effect=lambda request: case.text([next(answers)], True)
        )
        conversation = _model(case).conversation()
        first = conversation.prompt("Capital of France?", system="One word.")
        assert first.text() == "Paris."
        assert conversation.prompt("Of Italy?").text() == "Rome."
    sent = _sent(case, route)
    assert sent[1].system == "One word."
    assert sent[1].turns == [
        ("user", "Capital of France?"),
        ("assistant", "Paris."),
        ("user", "Of Italy?"),
    ]


def lookup_secret(password: str) -> str:
    """The secret behind a password."""
    return password.upper()


@pytest.mark.parametrize("stream", [True, False])
def test_chain_runs_parallel_calls_and_sends_the_results(
    case: ProviderCase, stream: bool
) -> None:
    calls = [
        ("call_a", "lookup_secret", {"password": "mellon"}),
        ("call_b", "lookup_secret", {"password": "radiance"}),
    ]
    answers = iter(
        [case.tool_calls(calls, stream), case.text(["Both ", "found."], stream)]
    )
    with respx.mock() as router:
        route = router.post(url__startswith=case.url).mock(
            side_effect=lambda request: next(answers)
        )
        chain = _model(case).chain("Secrets please", tools=[lookup_secret])
        assert chain.text() == "Both found."
    first, second = _sent(case, route)
    assert first.tool_names == ["lookup_secret"]
    assert [(name, args) for _, name, args in second.tool_calls] == [
        (name, args) for _, name, args in calls
    ]
    assert [output for _, output in second.tool_results] == ["MELLON", "RADIANCE"]
    call_ids = [call_id for call_id, _, _ in second.tool_calls]
    assert [call_id for call_id, _ in second.tool_results] == call_ids
    if case.call_ids:
        assert call_ids == ["call_a", "call_b"]


def test_schema_is_sent_and_the_answer_parses(case: ProviderCase) -> None:
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
        "required": ["name", "age"],
    }
    with respx.mock() as router:
        route = router.post(url__startswith=case.url).mock(
            return_value=case.text(['{"name": "Cleo",', ' "age": 3}'], True)
        )
        response = _model(case).prompt("A dog", schema=schema)
        text = response.text()
    assert llm.parse_structured(text, schema) == {"name": "Cleo", "age": 3}
    (sent,) = _sent(case, route)
    assert case.schema_sent(sent) == schema


def test_image_attachments_inline_and_by_url(case: ProviderCase) -> None:
    attachments = [
        llm.Attachment(content=PNG),
        llm.Attachment(type="image/png", url=IMAGE_URL, allow_private=True),
    ]
    with respx.mock() as router:
        if not case.url_images:  # downloaded, then sent inline
            router.get(IMAGE_URL).mock(return_value=httpx.Response(200, content=PNG))
        route = router.post(url__startswith=case.url).mock(
            return_value=case.text(["Birds."], True)
        )
        response = _model(case).prompt("What are these?", attachments=attachments)
        assert response.text() == "Birds."
    (sent,) = _sent(case, route)
    by_url = ("url", IMAGE_URL) if case.url_images else ("base64", "image/png")
    assert sent.attachments == [("base64", "image/png"), by_url]
    assert sent.turns == [("user", "What are these?")]


def test_restored_conversation_sends_the_whole_history(
    case: ProviderCase,
) -> None:
    calls = [("call_1", "lookup_secret", {"password": "mellon"})]
    answers = iter(
        [
            case.tool_calls(calls, True),
            case.text(["Found it."], True),
            case.text(["Bye."], True),
        ]
    )
    with respx.mock() as router:
        route = router.post(url__startswith=case.url).mock(
            side_effect=lambda request: next(answers)
        )
        conversation = _model(case).conversation(tools=[lookup_secret])
        conversation.chain("Secret of mellon?", system="Be brief").text()
        payload = json.dumps(conversation.to_dict())
        assert CANARY_KEY not in payload
        restored = Conversation.from_dict(json.loads(payload), tools=[lookup_secret])
        assert restored.prompt("Thanks").text() == "Bye."
    sent = _sent(case, route)
    assert len(sent) == 3
    assert sent[2].system == "Be brief"
    assert sent[2].tool_results == sent[1].tool_results
    assert [output for _, output in sent[2].tool_results] == ["MELLON"]
    assert sent[2].tool_calls == sent[1].tool_calls
    assert [turn for turn in sent[2].turns if turn[1]] == [
        ("user", "Secret of mellon?"),
        ("assistant", "Found it."),
        ("user", "Thanks"),
    ]


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, llm.BadRequestError),
        (401, llm.AuthenticationError),
        (403, llm.PermissionDeniedError),
        (404, llm.NotFoundError),
        (429, llm.RateLimitError),
        (500, llm.ServerError),
    ],
)
def test_error_statuses_raise_typed_errors(
    case: ProviderCase, status: int, error_class: type[Exception]
) -> None:
    with respx.mock() as router:
        router.post(url__startswith=case.url).mock(
            return_value=case.error(status, "It failed")
        )
        response = _model(case).prompt("hi", max_retries=0)
        with pytest.raises(error_class) as info:
            response.text()
    assert type(info.value) is error_class
    assert info.value.status_code == status
    assert "It failed" in str(info.value)


def test_a_server_error_is_retried(case: ProviderCase, transport: Transport) -> None:
    answers = iter([case.error(500, "Try again"), case.text(["Fine."], True)])
    with respx.mock() as router:
        route = router.post(url__startswith=case.url).mock(
            side_effect=lambda request: next(answers)
        )
        response = _fast_model(case, transport).prompt("hi", max_retries=2)
        assert response.text() == "Fine."
    assert route.call_count == 2


def test_a_cut_stream_keeps_the_partial_text(case: ProviderCase) -> None:
    with respx.mock() as router:
        router.post(url__startswith=case.url).mock(
            return_value=case.cut("Half an ", httpx.ReadError("connection reset"))
        )
        response = _model(case).prompt("hi", max_retries=0)
        received: list[str] = []
        with pytest.raises(llm.StreamInterruptedError) as info:
            for chunk in response:
                received.append(chunk)
    assert received == ["Half an "]
    assert info.value.partial_text == "Half an "
    assert isinstance(info.value.__cause__, llm.APIConnectionError)


def test_an_error_inside_a_200_stream_is_typed(case: ProviderCase) -> None:
    with respx.mock() as router:
        router.post(url__startswith=case.url).mock(
            return_value=case.stream_error("Half", "Broke")
        )
        response = _model(case).prompt("hi", max_retries=0)
        with pytest.raises(llm.StreamInterruptedError) as info:
            response.text()
    assert info.value.partial_text == "Half"
    assert isinstance(info.value.__cause__, llm.ServerError)
    assert "Broke" in str(info.value.__cause__)


FAILURES = ["401", "429", "500", "timeout", "connection", "cut", "stream-error"]


def _failure(case: ProviderCase, name: str) -> Any:
    echoed = f"Invalid key: {CANARY_KEY}"
    if name in ("401", "429", "500"):
        return case.error(int(name), echoed)
    if name == "timeout":
        return httpx.ReadTimeout("timed out")
    if name == "connection":
        return httpx.ConnectError("connection refused")
    if name == "cut":
        return case.cut("partial", httpx.ReadError("connection reset"))
    return case.stream_error("partial", echoed)


def _rendered(exc: BaseException) -> list[str]:
    return [str(exc), repr(exc), "".join(traceback.format_exception(exc))]


@pytest.mark.parametrize("name", FAILURES)
def test_the_key_never_shows(
    case: ProviderCase,
    name: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    model = _model(case)
    failure = _failure(case, name)
    with respx.mock() as router:
        route = router.post(url__startswith=case.url)
        if isinstance(failure, Exception):
            route.mock(side_effect=failure)
        else:
            route.mock(return_value=failure)
        response = model.prompt("hi", max_retries=0)
        with pytest.raises(llm.ModelError) as info:
            response.text()
    assert case.sent_key(route.calls[0].request) == CANARY_KEY
    texts = [
        *_rendered(info.value),
        repr(model),
        repr(model.provider),
        repr(response),
        repr(response.prompt.options),
    ]
    if info.value.__cause__ is not None:
        texts += _rendered(info.value.__cause__)
    texts += [
        text
        for record in caplog.records
        for text in (record.getMessage(), repr(record.args), repr(record.__dict__))
    ]
    for text in texts:
        assert CANARY_KEY not in text
