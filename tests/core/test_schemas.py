"""schema_dsl and parse_structured."""

from __future__ import annotations

import json
import re

import pydantic
import pytest

from llm_async import SchemaValidationError, parse_structured, schema_dsl


def test_schema_dsl_commas() -> None:
    assert schema_dsl("name, age int, bio: a short bio") == {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "age": {"type": "integer"},
            "bio": {"type": "string", "description": "a short bio"},
        },
        "required": ["name", "age", "bio"],
    }


def test_schema_dsl_newlines_types_and_multi() -> None:
    dsl = "score float: out of 10, maybe\nok bool\nlabel str\nother weird: x"
    schema = schema_dsl(dsl, multi=True)
    assert schema == {
        "type": "object",
        "properties": {
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "score": {"type": "number", "description": "out of 10, maybe"},
                        "ok": {"type": "boolean"},
                        "label": {"type": "string"},
                        "other": {"type": "string", "description": "x"},
                    },
                    "required": ["score", "ok", "label", "other"],
                },
            }
        },
        "required": ["items"],
    }


def test_schema_dsl_missing_name() -> None:
    with pytest.raises(ValueError) as caught:
        schema_dsl("name, : no name")
    assert str(caught.value) == (
        "Invalid schema DSL: field ': no name' is missing a name before ':'"
    )


class Dog(pydantic.BaseModel):
    name: str
    age: int


def test_parse_pydantic() -> None:
    assert parse_structured('{"name": "Rex", "age": 3}', Dog) == Dog(name="Rex", age=3)
    raw = '{"name": "Rex", "age": "old"}'
    with pytest.raises(SchemaValidationError) as caught:
        parse_structured(raw, Dog)
    assert caught.value.text == raw
    assert "age" in str(caught.value)
    assert isinstance(caught.value.__cause__, pydantic.ValidationError)


def test_parse_dict_schema() -> None:
    schema = schema_dsl("name, age int", multi=True)
    data = {"items": [{"name": "a", "age": 1}, {"name": "b", "age": 2.0}]}
    assert parse_structured(json.dumps(data), schema) == data
    for bad, message in [
        ('{"items": [{"name": "a"}]}', "missing required property 'age'"),
        ('{"items": [{"name": "a", "age": true}]}', "$.items[0].age: expected integer"),
        ('{"items": {}}', "$.items: expected array"),
        ("not json", "not valid JSON"),
        ("", "not valid JSON"),
    ]:
        with pytest.raises(SchemaValidationError, match=re.escape(message)) as e:
            parse_structured(bad, schema)
        assert e.value.text == bad


def test_dict_schema_keywords() -> None:
    schema = {
        "$defs": {"Color": {"enum": ["red", "blue"]}},
        "type": "object",
        "properties": {
            "color": {"$ref": "#/$defs/Color"},
            "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
            "note": {"anyOf": [{"type": "string", "maxLength": 3}, {"type": "null"}]},
        },
        "additionalProperties": False,
    }
    assert parse_structured('{"color": "red", "note": null}', schema)
    for bad, message in [
        ('{"color": "green"}', "is not one of"),
        ('{"tags": ["a", "b", "c"]}', "more than 2 items"),
        ('{"note": "long"}', "matches none of anyOf"),
        ('{"extra": 1}', "unexpected property 'extra'"),
    ]:
        with pytest.raises(SchemaValidationError, match=message):
            parse_structured(bad, schema)


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(SchemaValidationError):
        parse_structured(deep, {"type": "array"})


def test_bad_schema_argument() -> None:
    with pytest.raises(TypeError, match="pydantic model class or a JSON schema"):
        parse_structured("{}", "name, age")
