"""Option fields the OpenAI endpoints share, and the builder of per-model classes.

A model's ``Options`` class is a base class (``ChatOptions``,
``ResponsesOptions``...) plus the optional fields its capabilities allow;
``options_class`` builds and caches those subclasses.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, Field

from llm_async._core.options import with_fields

__all__ = ["FIELDS", "class_named", "options_class"]

OptionsT = TypeVar("OptionsT", bound=BaseModel)

_IMAGE_DETAIL = Literal["low", "high", "auto"]
_IMAGE_DETAIL_ORIGINAL = Literal["low", "high", "original", "auto"]
_REASONING_EFFORT = Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"]

#: Every optional field: name -> (annotation, pydantic ``FieldInfo``). The
#: ``FieldInfo`` stays untyped: option classes use it as the default of typed fields.
FIELDS: dict[str, tuple[object, Any]] = {
    "temperature": (
        float | None,
        Field(
            default=None,
            ge=0,
            le=2,
            description="Sampling temperature from 0 to 2: higher is more random, "
            "lower more focused and deterministic",
        ),
    ),
    "top_p": (
        float | None,
        Field(
            default=None,
            ge=0,
            le=1,
            description="Nucleus sampling: consider only the tokens in the top_p "
            "probability mass (alter this or temperature, not both)",
        ),
    ),
    "image_detail": (
        _IMAGE_DETAIL | None,
        Field(
            default=None,
            description="Detail of image attachments: low, high or auto",
        ),
    ),
    "image_detail_original": (
        _IMAGE_DETAIL_ORIGINAL | None,
        Field(
            default=None,
            description="Detail of image attachments: low, high, original or auto",
        ),
    ),
    "reasoning_effort": (
        _REASONING_EFFORT | None,
        Field(
            default=None,
            description="How hard a reasoning model thinks: none, minimal, low, "
            "medium, high, xhigh or max (which values a model accepts varies)",
        ),
    ),
    "reasoning_summary": (
        Literal["auto", "concise", "detailed"] | None,
        Field(
            default=None,
            description="Ask for a summary of the model's reasoning (streamed as "
            "reasoning events): auto, concise or detailed",
        ),
    ),
    "verbosity": (
        Literal["low", "medium", "high"] | None,
        Field(
            default=None,
            description="How long the answer should be: low, medium or high",
        ),
    ),
    "service_tier": (
        str | None,
        Field(
            default=None,
            description="Processing tier: auto, default, flex, priority...",
        ),
    ),
}
# Fields whose option name differs from their key in FIELDS.
_NAMES = {"image_detail_original": "image_detail"}

_classes: dict[tuple[type[BaseModel], tuple[str, ...]], type[BaseModel]] = {}
_lock = threading.Lock()


def options_class(base: type[OptionsT], names: Sequence[str]) -> type[OptionsT]:
    """``base`` plus the ``FIELDS`` named in ``names`` (``base`` itself for none).

    Cached: the same base and names give the same class.
    """
    key = (base, tuple(names))
    with _lock:
        found = _classes.get(key)
        if found is not None and issubclass(found, base):
            return found
        fields = {_NAMES.get(name, name): FIELDS[name] for name in names}
        built = with_fields(base, fields)
        _classes[key] = built
        return built


def class_named(base: type[BaseModel], name: str, module: str) -> type[BaseModel]:
    """The class ``options_class(base, ...)`` makes under ``name`` (for pickle).

    An options module's ``__getattr__`` calls this, so that ``pickle`` finds the
    classes made at run time by their names; ``AttributeError`` otherwise.
    """
    with _lock:
        for (made_from, _), made in _classes.items():
            if made_from is base and made.__name__ == name:
                return made
    titles = [(_NAMES.get(key, key).title().replace("_", ""), key) for key in FIELDS]

    def split(rest: str) -> list[str] | None:
        if not rest:
            return []
        for title, key in titles:
            if rest.startswith(title):
                tail = split(rest[len(title) :])
                if tail is not None:
                    return [key, *tail]
        return None

    prefix = f"{base.__name__}With"
    names = split(name[len(prefix) :]) if name.startswith(prefix) else None
    if names:
        found = options_class(base, names)
        if found.__name__ == name:
            return found
    raise AttributeError(f"module {module!r} has no attribute {name!r}")
