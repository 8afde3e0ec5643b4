"""``Fragment``: a piece of prompt text that remembers where it came from."""

from __future__ import annotations

import hashlib

__all__ = ["Fragment"]


class Fragment(str):
    """A string with a ``source`` (a path, URL or loader name).

    Pass fragments in ``fragments=`` / ``system_fragments=``; fragment loaders
    (the ``register_fragment_loaders`` hook) return them.
    """

    source: str

    def __new__(cls, content: str, *args: object, **kwargs: object) -> Fragment:
        return super().__new__(cls, content)

    def __init__(self, content: str, source: str = "") -> None:
        self.source = source

    def id(self) -> str:
        """The sha256 hex digest of the UTF-8 content."""
        return hashlib.sha256(self.encode("utf-8")).hexdigest()
