"""JSON schemas rewritten to the subset Gemini accepts (``responseSchema``,
function ``parameters``).

Gemini's schema is an OpenAPI 3 subset: no ``$ref``/``$defs``, ``$schema``,
``additionalProperties`` or ``title``; ``nullable`` instead of a ``null``
type. ``gemini_schema`` resolves local references (a recursive model cannot be
expressed and raises ``ValueError``), drops those keywords (outside a
``properties`` map, where they are property names), turns ``anyOf [X, null]``
and ``type: [X, "null"]`` into ``X`` with ``nullable: true`` and ``const`` into a
one-value ``enum``. The input is never modified.
"""

from __future__ import annotations

from llm_async._core.types import JSONObject, JSONValue

__all__ = ["gemini_schema"]

_DROPPED = frozenset({"$schema", "$id", "additionalProperties", "title"})


def gemini_schema(schema: JSONObject) -> JSONObject:
    """A copy of ``schema`` that Gemini accepts (see the module docs)."""
    if not isinstance(schema, dict):
        raise TypeError(f"A schema must be a dict, not {type(schema).__name__}")
    defs = schema.get("$defs") or schema.get("definitions") or {}
    result = _rewrite(schema, defs, ())
    assert isinstance(result, dict)
    return result


def _resolve(ref: str, defs: JSONObject, stack: tuple[str, ...]) -> JSONValue:
    for prefix in ("#/$defs/", "#/definitions/"):
        if ref.startswith(prefix):
            name = ref[len(prefix) :]
            break
    else:
        raise ValueError(f"Gemini schemas cannot use the reference {ref!r}")
    if name not in defs:
        raise ValueError(f"The schema references {ref!r}, which it does not define")
    if name in stack:
        raise ValueError(
            f"Recursive schema: {name!r} refers to itself"
            + (f" through {stack[-1]!r}" if stack[-1] != name else "")
            + ". The Gemini API does not support recursive schemas; use a "
            "non-recursive structure."
        )
    return _rewrite(defs[name], defs, (*stack, name))


def _nullable(options: list[JSONValue]) -> tuple[list[JSONValue], bool]:
    kept = [o for o in options if not (isinstance(o, dict) and o == {"type": "null"})]
    return kept, len(kept) != len(options)


def _rewrite(node: JSONValue, defs: JSONObject, stack: tuple[str, ...]) -> JSONValue:
    if isinstance(node, list):
        return [_rewrite(item, defs, stack) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        resolved = dict(_resolve(node["$ref"], defs, stack))
        extra = {k: v for k, v in node.items() if k != "$ref"}
        resolved.update(_rewrite(extra, defs, stack))
        return resolved
    out: JSONObject = {}
    nullable = False
    for key, value in node.items():
        if key in _DROPPED or key in ("$defs", "definitions"):
            continue
        if key == "properties" and isinstance(value, dict):
            out[key] = {
                name: _rewrite(prop, defs, stack) for name, prop in value.items()
            }
        elif key == "type" and isinstance(value, list):
            types = [t for t in value if t != "null"]
            nullable = nullable or len(types) != len(value)
            if len(types) == 1:
                out["type"] = types[0]
            else:
                out["anyOf"] = [{"type": t} for t in types]
        elif key in ("anyOf", "oneOf") and isinstance(value, list):
            kept, was_nullable = _nullable(value)
            nullable = nullable or was_nullable
            rewritten = [_rewrite(option, defs, stack) for option in kept]
            if len(rewritten) == 1 and isinstance(rewritten[0], dict):
                out.update(rewritten[0])
            else:
                out["anyOf"] = rewritten
        elif key == "const":
            out["enum"] = [value]
        else:
            out[key] = _rewrite(value, defs, stack)
    if nullable:
        out["nullable"] = True
    return out
