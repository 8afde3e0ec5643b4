"""Type aliases for the shapes that cross module boundaries.

JSON travels through the library as Python's ``json`` module decodes it (or as
it will be encoded): objects are ``JSONObject``; a value whose JSON type is not
known yet is a ``JSONValue``. Values inside are checked where they are used,
by the parser or builder that knows the provider's format.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

__all__ = ["JSONMapping", "JSONObject", "JSONValue"]

#: Any value ``json.loads`` can return (checked where it is used).
JSONValue: TypeAlias = Any
#: A JSON object: string keys, JSON values.
JSONObject: TypeAlias = dict[str, JSONValue]
#: A read-only JSON object (what a function reads but never changes).
JSONMapping: TypeAlias = Mapping[str, JSONValue]
