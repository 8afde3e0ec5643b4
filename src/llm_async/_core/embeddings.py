"""Embedding vectors, sans-I/O: ``llm``'s binary format, similarity, batching, hashes.

A vector is stored as little-endian float32 values packed one after the other
(``llm``'s ``encode``/``decode``, readable by ``numpy.frombuffer(b, "<f4")``).
Content hashes are the MD5 digest of the UTF-8 text (or of the bytes), as in
``llm``'s ``Collection.content_hash``.
"""

from __future__ import annotations

import hashlib
import math
import struct
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import TypeVar

from llm_async._core.protocols import EmbeddingModelInfo, NamedModel

T = TypeVar("T")

__all__ = [
    "batched",
    "check_item",
    "content_hash",
    "cosine_similarity",
    "decode",
    "embedding_model_str",
    "encode",
]


def encode(values: Sequence[float]) -> bytes:
    """Pack floats as little-endian float32: ``llm``'s storage format."""
    return struct.pack("<" + "f" * len(values), *values)


def decode(binary: bytes) -> tuple[float, ...]:
    """Unpack ``encode()``'s bytes into a tuple of floats."""
    if len(binary) % 4:
        raise ValueError(
            f"An encoded vector is a multiple of 4 bytes long, not {len(binary)}"
        )
    return struct.unpack("<" + "f" * (len(binary) // 4), binary)


def cosine_similarity(a: Sequence[float], b: Sequence[float]) -> float:
    """The cosine of the angle between two vectors (``llm``'s pure-Python way).

    A zero vector raises ``ZeroDivisionError``, as in ``llm``.
    """
    dot = sum(x * y for x, y in zip(a, b))  # noqa: B905  (llm: no length check)
    magnitude_a = math.sqrt(sum(x * x for x in a))
    magnitude_b = math.sqrt(sum(y * y for y in b))
    return dot / (magnitude_a * magnitude_b)


def content_hash(value: str | bytes) -> bytes:
    """The MD5 digest used to skip content that is already embedded."""
    if isinstance(value, str):
        value = value.encode("utf8")
    return hashlib.md5(value).digest()


def check_item(model: EmbeddingModelInfo, item: object) -> None:
    """Raise ``ValueError`` unless ``model`` can embed ``item`` (``llm``'s messages)."""
    if isinstance(item, bytes):
        if not model.supports_binary:
            raise ValueError(
                "This model does not support binary data, only text strings"
            )
    elif isinstance(item, str):
        if not model.supports_text:
            raise ValueError(
                "This model does not support text strings, only binary data"
            )
    else:
        raise TypeError(
            f"Can only embed str or bytes, not {type(item).__name__}: {item!r:.60}"
        )


def batched(items: Iterable[T], size: int | None) -> Iterator[list[T]]:
    """Lists of at most ``size`` items (one list of everything when ``None``)."""
    if size is not None and (isinstance(size, bool) or size < 1):
        raise ValueError(f"batch_size must be a positive integer, not {size!r}")
    iterator = iter(items)
    if size is None:
        everything = list(iterator)
        if everything:
            yield everything
        return
    while batch := list(islice(iterator, size)):
        yield batch


def embedding_model_str(model: NamedModel) -> str:
    """``"{Class}: {model_id}"``, as ``llm`` prints an embedding model."""
    return f"{type(model).__name__}: {model.model_id}"
