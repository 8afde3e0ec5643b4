"""Structured output end to end: ``schema=`` (pydantic class, dict, schema_dsl)
through the OpenAI provider, parse_structured() on recorded answers, refusals,
and the supports_schema gate."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pydantic
import pytest
import respx

import llm_async as llm
from llm_async import SchemaValidationError, parse_structured, schema_dsl
from tests.openai_support import reset_registry
from tests.support import CANARY_KEY, load_recorded, recorded_responses

OPENAI_URL = "https://api.openai.com/v1/chat/completions"


class Author(pydantic.BaseModel):
    """The author of a book."""

    model_config = pydantic.ConfigDict(extra="forbid")
    first_name: str
    last_name: str


class Book(pydantic.BaseModel):
    """A book with a rating. The title should be in all caps!"""

    model_config = pydantic.ConfigDict(extra="forbid")
    title: str
    author: Author
    rating: int = pydantic.Field(
        description="For testing purposes, the rating should be 7"
    )


class FentanylHandbook(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")
    instructions: str


@pytest.fixture(autouse=True)
def openai_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    reset_registry()
    monkeypatch.setenv("OPENAI_API_KEY", CANARY_KEY)
    yield
    reset_registry()


def _recorded(name: str) -> tuple[dict[str, Any], list[httpx.Response]]:
    fixture = load_recorded(f"openai/{name}.json")
    request = json.loads(fixture["interactions"][0]["request"]["body"])
    return request, recorded_responses(fixture)


def _user_text(request: dict[str, Any]) -> str:
    content = request["messages"][0]["content"]
    assert isinstance(content, str)
    return content


@pytest.mark.parametrize("stream", [False, True])
async def test_pydantic_schema_replays_the_recording(stream: bool) -> None:
    name = "chat_structured_json_schema" + ("_stream" if stream else "")
    recorded, answers = _recorded(name)
    model = llm.get_async_model("gpt-4o")
    with respx.mock() as router:
        route = router.post(OPENAI_URL).mock(side_effect=answers)
        response = model.prompt(_user_text(recorded), schema=Book, stream=stream)
        text = await response.text()
    # The class becomes its JSON schema, titles and descriptions kept.
    assert response.prompt.schema == Book.model_json_schema()
    sent = json.loads(route.calls[0].request.content)
    assert sent["response_format"]["type"] == "json_schema"
    assert (
        sent["response_format"]["json_schema"]["schema"]
        == recorded["response_format"]["json_schema"]["schema"]
    )
    book = parse_structured(text, Book)
    assert book == Book(
        title="THE NAME OF THE WIND",
        author=Author(first_name="Patrick", last_name="Rothfuss"),
        rating=7,
    )
    # A dict schema gives the decoded JSON.
    assert parse_structured(text, Book.model_json_schema()) == book.model_dump()


@pytest.mark.parametrize("stream", [False, True])
async def test_a_refusal_is_not_structured_output(stream: bool) -> None:
    name = "chat_refusal_structured" + ("_stream" if stream else "")
    recorded, answers = _recorded(name)
    model = llm.get_async_model("gpt-4o")
    with respx.mock() as router:
        router.post(OPENAI_URL).mock(side_effect=answers)
        response = model.prompt(
            _user_text(recorded), schema=FentanylHandbook, stream=stream
        )
        text = await response.text()
    data = await response.json()
    assert data is not None
    # Streamed: the assembled summary; not streamed: the body as received.
    refusal = data["refusal"] if stream else data["choices"][0]["message"]["refusal"]
    assert "can't assist" in refusal
    assert text == ""
    with pytest.raises(SchemaValidationError) as caught:
        parse_structured(text, FentanylHandbook)
    assert caught.value.text == text
    assert isinstance(caught.value, ValueError)


async def test_invalid_output_raises_with_the_raw_text() -> None:
    body = {
        "id": "synthetic",
        "model": "gpt-4o-mini",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": '{"title": 3}'},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
    model = llm.get_async_model("gpt-4o-mini")
    with respx.mock() as router:
        router.post(OPENAI_URL).respond(200, json=body)
        text = await model.prompt("x", schema=Book, stream=False).text()
    with pytest.raises(SchemaValidationError, match="does not match Book") as caught:
        parse_structured(text, Book)
    assert caught.value.text == '{"title": 3}'
    assert isinstance(caught.value.__cause__, pydantic.ValidationError)
    with pytest.raises(SchemaValidationError, match="does not match the schema"):
        parse_structured(text, Book.model_json_schema())


async def test_schema_dsl_and_dict_schemas_are_sent_as_given() -> None:
    answer = {
        "id": "synthetic",
        "model": "gpt-4o-mini",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": '{"items": [{"name": "Rex", "age": 3}]}',
                },
                "finish_reason": "stop",
            }
        ],
    }
    schema = schema_dsl("name, age int: in years", multi=True)
    model = llm.get_async_model("gpt-4o-mini")
    with respx.mock() as router:
        route = router.post(OPENAI_URL).respond(200, json=answer)
        response = model.prompt("dogs", schema=schema, stream=False)
        text = await response.text()
    sent = json.loads(route.calls[0].request.content)
    assert sent["response_format"]["json_schema"]["schema"] == schema
    assert response.prompt.schema is schema
    assert parse_structured(text, schema) == {"items": [{"name": "Rex", "age": 3}]}


async def test_schema_needs_supports_schema_and_a_schema() -> None:
    with respx.mock() as router:
        # gpt-3.5-turbo-instruct style: a model without structured output.
        plain = llm.AsyncScriptedModel(["never"])
        plain.supports_schema = False
        with pytest.raises(ValueError) as info:
            plain.prompt("x", schema=Book)
        assert str(info.value) == f"{plain} does not support schemas"
        with pytest.raises(TypeError, match="pydantic model class"):
            llm.get_async_model("gpt-4o-mini").prompt("x", schema="name, age")
        assert not router.calls
