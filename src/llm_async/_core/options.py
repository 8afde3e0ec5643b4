"""The base class of every model's ``Options``."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ConfigDict, create_model

from llm_async._core.types import JSONMapping, JSONObject

__all__ = [
    "Options",
    "holds_immutable_values",
    "merge_options",
    "option_values",
    "validate_options",
    "with_fields",
]

M = TypeVar("M", bound=BaseModel)


class Options(BaseModel):
    """Options a model accepts; subclass it as the nested ``Options`` of a model.

    Unknown options are rejected (``extra="forbid"``); a bad value raises
    ``pydantic.ValidationError`` naming the field.
    """

    model_config = ConfigDict(extra="forbid")


def with_fields(base: type[M], fields: JSONObject) -> type[M]:
    """``base`` plus ``fields`` (``create_model`` definitions); ``base`` for none.

    The class is named ``{base}With{Field}{Field}...``, with ``base``'s module
    and docstring (so the module can find it by name for pickle).
    """
    if not fields:
        return base
    suffix = "".join(name.title().replace("_", "") for name in fields)
    built: type[M] = create_model(
        f"{base.__name__}With{suffix}",
        __base__=base,
        __module__=base.__module__,
        __doc__=base.__doc__,
        **fields,
    )
    return built


# Validated options by class and values; cleared when full.
_validated: dict[object, BaseModel] = {}
_VALIDATED_KEPT = 256
# What a cached instance may hold: values no caller can change in place.
_IMMUTABLE = frozenset({str, int, float, bool, type(None), bytes})


def holds_immutable_values(options: BaseModel) -> bool:
    """Whether every value of ``options`` (extras too) is an immutable scalar,
    so that instances sharing them cannot change each other."""
    extra = options.__pydantic_extra__ or {}
    return all(
        type(v) in _IMMUTABLE for v in (*options.__dict__.values(), *extra.values())
    )


def validate_options(options_class: type[M], values: JSONMapping) -> M:
    """``options_class(**values)``, validated once per distinct ``values``.

    Each call gets its own copy. Validation is taken to be pure (the same
    values give the same options); values that cannot be hashed (a list, a
    dict) are validated every time, and so are those whose validated values
    are not all immutable scalars (a validator may turn a string into a dict);
    an invalid value raises every time.
    """
    try:
        key = (options_class, tuple(values.items()), tuple(map(type, values.values())))
        found = _validated.get(key)
    except TypeError:  # an unhashable value
        return options_class(**values)
    if found is None:
        made = options_class(**values)
        if not isinstance(made, BaseModel) or not holds_immutable_values(made):
            return made  # a plugin's own kind of options, or mutable values
        if len(_validated) >= _VALIDATED_KEPT:
            _validated.clear()
        _validated[key] = found = made
    return found.__copy__()  # type: ignore[return-value]


def option_values(options: BaseModel | JSONMapping) -> JSONObject:
    """``dict(options)``: every field's value (and any extra), as a new dict.

    For a pydantic model this is what its ``__iter__`` yields, read from the
    instance dict in one step (iterating the model costs 6 us per request).
    """
    if not isinstance(options, BaseModel):
        return dict(options)
    values = dict(options.__dict__)  # fields only: private ones live elsewhere
    extra = options.__pydantic_extra__
    if extra:
        values.update(extra)
    return values


def merge_options(options: JSONObject | None, option_kwargs: JSONObject) -> JSONObject:
    """Merge ``options=`` with option keyword arguments; a name in both is an error."""
    merged = dict(options or {})
    overlap = merged.keys() & option_kwargs.keys()
    if overlap:
        raise TypeError(
            "Got values for these options both in options= and as keyword "
            f"arguments: {sorted(overlap)!r}"
        )
    merged.update(option_kwargs)
    return merged


def options_to_dict(options: BaseModel | JSONMapping | None) -> JSONObject:
    """The options that were set, as a plain dict (``None`` values dropped)."""
    if isinstance(options, BaseModel):
        return {k: v for k, v in options if v is not None}
    return {k: v for k, v in dict(options or {}).items() if v is not None}
