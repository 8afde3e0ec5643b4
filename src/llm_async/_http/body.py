"""A cap on how much of a response body is kept in memory."""

from __future__ import annotations

from llm_async._core.errors import ResponseDecodeError

__all__ = [
    "BodyBuffer",
]


class BodyBuffer:
    """A response body collected up to ``limit`` bytes.

    Past the limit, ``add()`` raises ``ResponseDecodeError`` or, with
    ``truncate``, keeps the first ``limit`` bytes and returns ``True`` (stop).
    """

    __slots__ = ("_parts", "_size", "limit", "request_id", "status_code", "truncate")

    def __init__(
        self,
        limit: int,
        truncate: bool,
        *,
        status_code: int | None = None,
        request_id: str | None = None,
    ) -> None:
        self.limit = limit
        self.truncate = truncate
        self.status_code = status_code
        self.request_id = request_id
        self._parts: list[bytes] = []
        self._size = 0

    def add(self, chunk: bytes) -> bool:
        """Keep ``chunk``; ``True`` once the body was cut at the limit."""
        self._size += len(chunk)
        if self._size <= self.limit:
            self._parts.append(chunk)
            return False
        if not self.truncate:
            raise ResponseDecodeError(
                f"The response is larger than {self.limit} bytes",
                status_code=self.status_code,
                request_id=self.request_id,
            )
        self._parts.append(chunk[: len(chunk) - (self._size - self.limit)])
        return True

    def content(self) -> bytes:
        """The bytes kept."""
        return b"".join(self._parts)
