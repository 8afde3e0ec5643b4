"""Validated options remembered by what they were made from.

Validating options with pydantic is the costliest step of building a request;
most programs send the same few option sets again and again. ``OptionsMemo``
keeps one validated instance per distinct key. Imports nothing heavy: the
modules that use it stay free of pydantic until options are made.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["OptionsMemo", "holds_immutable_values"]

T = TypeVar("T")

# What a remembered instance may hold: values no caller can change in place.
_IMMUTABLE = frozenset({str, int, float, bool, type(None), bytes})


def holds_immutable_values(options: object) -> bool:
    """Whether ``options`` is a pydantic model whose every value (extras too)
    is an immutable scalar, so that instances sharing them cannot change each
    other."""
    if not hasattr(options, "__pydantic_fields_set__"):
        return False
    extra = getattr(options, "__pydantic_extra__", None) or {}
    return all(
        type(v) in _IMMUTABLE for v in (*vars(options).values(), *extra.values())
    )


class OptionsMemo(Generic[T]):
    """Options made once per distinct key, at most ``kept`` at a time (emptied
    when full). A key that cannot be hashed (a list, a dict among the values),
    or options that hold a mutable value (a validator may turn a string into a
    dict), are made every time; an error while making them is raised every
    time. Making is taken to be pure: the same key, the same options."""

    def __init__(self, kept: int = 256) -> None:
        self.kept = kept
        self._made: dict[object, T] = {}

    def __len__(self) -> int:
        return len(self._made)

    def get(self, key: object, make: Callable[[], T]) -> tuple[T, bool]:
        """The options for ``key`` (``make()`` when not remembered) and whether
        they are remembered, so shared with later callers."""
        try:
            found = self._made.get(key)
        except TypeError:  # an unhashable value in the key
            return make(), False
        if found is not None:
            return found, True
        made = make()
        if not holds_immutable_values(made):
            return made, False
        if len(self._made) >= self.kept:
            self._made.clear()
        self._made[key] = made
        return made, True
