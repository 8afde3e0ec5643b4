"""Structured output: the schema DSL and parsing a response's JSON against a schema.

``schema_dsl("name, age int, bio: a short bio")`` builds a JSON schema from a
compact description. ``parse_structured(text, schema)`` returns the validated
object: an instance for a pydantic model class, the decoded JSON for a schema
dict. Anything that does not validate raises ``SchemaValidationError`` with the
raw text in ``.text`` (and pydantic's error as ``__cause__``).

Dict schemas are checked with a small validator covering the keywords that
structured-output schemas use: ``type``, ``properties``, ``required``,
``additionalProperties``, ``items``, ``enum``, ``const``, ``anyOf``, ``oneOf``,
``allOf``, local ``$ref`` (``#/$defs/...``), ``minItems``/``maxItems``,
``minLength``/``maxLength``, ``minimum``/``maximum`` and ``pattern``. Other
keywords (``format``...) are not checked.
"""

from __future__ import annotations

import json
import re
from typing import TypeVar, overload

from llm_async._core.errors import SchemaValidationError
from llm_async._core.types import JSONObject, JSONValue

__all__ = ["multi_schema", "parse_structured", "schema_dsl"]

T = TypeVar("T")

_TYPES = {"int": "integer", "float": "number", "bool": "boolean", "str": "string"}


def schema_dsl(schema_dsl: str, multi: bool = False) -> JSONObject:
    """A JSON schema from ``"name, age int, bio: description"``.

    Fields are separated by newlines if there are any, else by commas. A type
    (``int``, ``float``, ``bool``, ``str``; anything else means string) may
    follow the name; text after ``:`` becomes the description. Every field is
    required. ``multi=True`` wraps the object in ``{"items": [...]}``.
    """
    separator = "\n" if "\n" in schema_dsl else ","
    fields = [f.strip() for f in schema_dsl.split(separator) if f.strip()]
    properties: JSONObject = {}
    required: list[str] = []
    schema: JSONObject = {
        "type": "object",
        "properties": properties,
        "required": required,
    }
    for field in fields:
        info, _, description = field.partition(":")
        tokens = info.split()
        if not tokens:
            raise ValueError(
                f"Invalid schema DSL: field {field!r} is missing a name before ':'"
            )
        name = tokens[0]
        kind = _TYPES.get(tokens[1], "string") if len(tokens) > 1 else "string"
        prop: JSONObject = {"type": kind}
        if description.strip():
            prop["description"] = description.strip()
        properties[name] = prop
        required.append(name)
    return multi_schema(schema) if multi else schema


def multi_schema(schema: JSONObject) -> JSONObject:
    """A schema for ``{"items": [<schema>, ...]}``."""
    return {
        "type": "object",
        "properties": {"items": {"type": "array", "items": schema}},
        "required": ["items"],
    }


@overload
def parse_structured(text: str, schema: type[T]) -> T: ...


@overload
def parse_structured(text: str, schema: JSONObject) -> JSONValue: ...


def parse_structured(text: str, schema: JSONValue) -> JSONValue:
    """The object in ``text`` (a response's text) validated against ``schema``.

    ``schema`` is a pydantic model class (returns an instance) or a JSON-schema
    dict (returns the decoded JSON). Raises ``SchemaValidationError``.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_structured() takes the text, not {type(text)!r}")
    validate_json = getattr(schema, "model_validate_json", None)
    if isinstance(schema, type) and validate_json is not None:
        from pydantic import ValidationError

        try:
            return validate_json(text)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in error['loc']) or '(root)'}: {error['msg']}"
                for error in exc.errors(include_input=False)[:3]
            )
            raise SchemaValidationError(
                f"The response does not match {schema.__name__}: {problems}",
                text=text,
            ) from exc
    if not isinstance(schema, dict):
        raise TypeError(
            "schema must be a pydantic model class or a JSON schema dict, "
            f"not {type(schema).__name__}"
        )
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise SchemaValidationError(
            f"The response is not valid JSON ({exc})", text=text
        ) from exc
    try:
        problem = _check(value, schema, schema, "$")
    except RecursionError:
        problem = "the value is nested too deeply to validate"
    if problem is not None:
        raise SchemaValidationError(
            f"The response does not match the schema: {problem}", text=text
        )
    return value


def _is_type(value: object, kind: str) -> bool:
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "null":
        return value is None
    if isinstance(value, bool):
        return False
    if kind == "integer":
        return isinstance(value, int) or (
            isinstance(value, float) and value.is_integer()
        )
    if kind == "number":
        return isinstance(value, (int, float))
    return True


def _resolve(ref: str, root: JSONObject) -> JSONValue:
    if not ref.startswith("#"):
        raise ValueError(f"only local $ref values are supported, not {ref!r}")
    node: JSONValue = root
    for token in ref[1:].split("/")[1:] if ref != "#" else []:
        token = token.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or token not in node:
            raise ValueError(f"$ref {ref!r} points nowhere")
        node = node[token]
    return node


def _check(value: object, schema: JSONValue, root: JSONObject, path: str) -> str | None:
    """The first way ``value`` breaks ``schema`` (``None``: it validates)."""
    if schema is True or not isinstance(schema, dict):
        return None if schema is not False else f"{path}: no value is allowed"
    if "$ref" in schema:
        try:
            target = _resolve(str(schema["$ref"]), root)
        except ValueError as exc:
            return f"{path}: {exc}"
        problem = _check(value, target, root, path)
        if problem is not None:
            return problem
    kinds = schema.get("type")
    if kinds is not None:
        names = kinds if isinstance(kinds, list) else [kinds]
        if not any(_is_type(value, str(k)) for k in names):
            expected = " or ".join(map(str, names))
            return f"{path}: expected {expected}, got {_describe(value)}"
    if "enum" in schema and value not in schema["enum"]:
        return f"{path}: {_describe(value)} is not one of {schema['enum']!r}"
    if "const" in schema and value != schema["const"]:
        return f"{path}: expected {schema['const']!r}"
    for key in ("allOf", "anyOf", "oneOf"):
        options = schema.get(key)
        if not isinstance(options, list):
            continue
        problems = [_check(value, option, root, path) for option in options]
        passed = sum(p is None for p in problems)
        if key == "allOf" and passed < len(options):
            return next(p for p in problems if p is not None)
        if key == "anyOf" and not passed:
            return f"{path}: matches none of anyOf ({problems[0]})"
        if key == "oneOf" and passed != 1:
            return f"{path}: matches {passed} of oneOf, not exactly one"
    if isinstance(value, dict):
        return _check_object(value, schema, root, path)
    if isinstance(value, list):
        return _check_array(value, schema, root, path)
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            return f"{path}: shorter than {schema['minLength']}"
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            return f"{path}: longer than {schema['maxLength']}"
        pattern = schema.get("pattern")
        if isinstance(pattern, str) and re.search(pattern, value) is None:
            return f"{path}: does not match {pattern!r}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            return f"{path}: less than {schema['minimum']}"
        if "maximum" in schema and value > schema["maximum"]:
            return f"{path}: greater than {schema['maximum']}"
    return None


def _check_object(
    value: JSONObject, schema: JSONObject, root: JSONObject, path: str
) -> str | None:
    properties = schema.get("properties") or {}
    for name in schema.get("required") or ():
        if name not in value:
            return f"{path}: missing required property {name!r}"
    extra = schema.get("additionalProperties", True)
    for name, item in value.items():
        if name in properties:
            problem = _check(item, properties[name], root, f"{path}.{name}")
        elif extra is False:
            problem = f"{path}: unexpected property {name!r}"
        else:
            problem = _check(item, extra, root, f"{path}.{name}")
        if problem is not None:
            return problem
    return None


def _check_array(
    value: list[JSONValue], schema: JSONObject, root: JSONObject, path: str
) -> str | None:
    if len(value) < schema.get("minItems", 0):
        return f"{path}: fewer than {schema['minItems']} items"
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        return f"{path}: more than {schema['maxItems']} items"
    items = schema.get("items")
    if items is not None:
        for position, item in enumerate(value):
            problem = _check(item, items, root, f"{path}[{position}]")
            if problem is not None:
                return problem
    return None


def _describe(value: object) -> str:
    text = json.dumps(value) if not isinstance(value, (dict, list)) else None
    if text is not None and len(text) <= 40:
        return text
    return type(value).__name__ if text is None else text[:37] + "..."
