"""OpenAI embeddings, sans-I/O: the catalogue, requests and vector parsing.

``POST {base_url}/embeddings`` with ``{"input": [...], "model": ...,
"dimensions"?: n, "encoding_format": "base64"}``. Base64 is what the official
SDK asks for too: the server sends each vector as packed little-endian float32,
which is smaller on the wire and much faster to decode than JSON numbers. The
parser takes either form, so OpenAI-compatible servers that ignore
``encoding_format`` (or are given ``encoding_format="float"``) work as well.
"""

from __future__ import annotations

import array
import base64
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from llm_async._core.errors import ResponseDecodeError
from llm_async._core.types import JSONObject, JSONValue
from llm_async.providers.openai.chat import DEFAULT_BASE_URL, OpenAIChatProvider

__all__ = [
    "EMBEDDING_SPECS",
    "EmbeddingSpec",
    "OpenAIEmbeddingProvider",
    "decode_vector",
]

BATCH_SIZE = 100


@dataclass(frozen=True)
class EmbeddingSpec:
    """One OpenAI embedding model: its id, API name, aliases and dimensions.

    ``dimensions`` is sent to shorten the vectors (``text-embedding-3-*`` only);
    ``output_dimensions`` is the length of the vectors that come back.
    """

    model_id: str
    model_name: str
    aliases: tuple[str, ...]
    output_dimensions: int
    dimensions: int | None = None

    def provider(self) -> OpenAIEmbeddingProvider:
        """A provider sending requests for this model."""
        return OpenAIEmbeddingProvider(self.model_name, dimensions=self.dimensions)


#: The models (and aliases) ``llm`` registers.
EMBEDDING_SPECS = (
    EmbeddingSpec(
        "text-embedding-ada-002", "text-embedding-ada-002", ("ada", "ada-002"), 1536
    ),
    EmbeddingSpec(
        "text-embedding-3-small", "text-embedding-3-small", ("3-small",), 1536
    ),
    EmbeddingSpec(
        "text-embedding-3-large", "text-embedding-3-large", ("3-large",), 3072
    ),
    EmbeddingSpec(
        "text-embedding-3-small-512",
        "text-embedding-3-small",
        ("3-small-512",),
        512,
        dimensions=512,
    ),
    EmbeddingSpec(
        "text-embedding-3-large-256",
        "text-embedding-3-large",
        ("3-large-256",),
        256,
        dimensions=256,
    ),
    EmbeddingSpec(
        "text-embedding-3-large-1024",
        "text-embedding-3-large",
        ("3-large-1024",),
        1024,
        dimensions=1024,
    ),
)


def decode_vector(value: object) -> list[float]:
    """A vector from a JSON list of numbers or a base64 string of float32 values."""
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        try:
            raw = base64.b64decode(value, validate=True)
        except ValueError as exc:
            raise ResponseDecodeError(
                f"An embedding is neither a list of numbers nor base64: {value[:40]!r}"
            ) from exc
        if len(raw) % 4:
            raise ResponseDecodeError(
                f"A base64 embedding is {len(raw)} bytes long, not a multiple of 4"
            )
        values = array.array("f", raw)
        if sys.byteorder == "big":
            values.byteswap()
        return values.tolist()
    raise ResponseDecodeError(
        f"An embedding must be a list of numbers or a base64 string, not "
        f"{type(value).__name__}"
    )


class OpenAIEmbeddingProvider:
    """Builds ``/embeddings`` requests for one model and parses the vectors.

    ``base_url=None`` means ``$OPENAI_BASE_URL``, else the OpenAI API, read for
    each request. ``dimensions`` asks for shorter vectors; ``encoding_format``
    is ``"base64"`` (default) or ``"float"``.
    """

    error_message = OpenAIChatProvider.error_message

    def __init__(
        self,
        model_name: str,
        *,
        dimensions: int | None = None,
        base_url: str | None = None,
        encoding_format: str = "base64",
    ) -> None:
        if encoding_format not in ("base64", "float"):
            raise ValueError(
                f"encoding_format must be 'base64' or 'float', not {encoding_format!r}"
            )
        self.model_name = model_name
        self.dimensions = dimensions
        self._base_url = base_url.rstrip("/") if base_url else None
        self.encoding_format = encoding_format

    def __repr__(self) -> str:
        return f"<OpenAIEmbeddingProvider {self.model_name!r} at {self.base_url}>"

    @property
    def base_url(self) -> str:
        """The API's base URL (the endpoint is ``{base_url}/embeddings``)."""
        if self._base_url:
            return self._base_url
        return (os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")

    def build_body(self, items: Sequence[str | bytes]) -> JSONObject:
        """The JSON body embedding ``items`` (text only)."""
        texts = []
        for item in items:
            if not isinstance(item, str):
                raise ValueError(
                    "This model does not support binary data, only text strings"
                )
            texts.append(item)
        body: JSONObject = {"input": texts, "model": self.model_name}
        if self.dimensions:
            body["dimensions"] = self.dimensions
        body["encoding_format"] = self.encoding_format
        return body

    def build_request(
        self, items: Sequence[str | bytes], *, key: str | None
    ) -> httpx.Request:
        """``POST {base_url}/embeddings``; the key as ``Authorization: Bearer``."""
        headers = {"authorization": f"Bearer {key}"} if key else {}
        return httpx.Request(
            "POST",
            f"{self.base_url}/embeddings",
            json=self.build_body(items),
            headers=headers,
        )

    def parse_response(self, data: JSONValue, count: int) -> list[list[float]]:
        """The vectors of an ``/embeddings`` answer, in input order."""
        entries = data.get("data") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise ResponseDecodeError("The server's answer has no list of embeddings")
        if len(entries) != count:
            raise ResponseDecodeError(
                f"Asked for {count} embeddings, the server sent {len(entries)}"
            )
        vectors: list[list[float] | None] = [None] * count
        for position, entry in enumerate(entries):
            if not isinstance(entry, dict) or "embedding" not in entry:
                raise ResponseDecodeError("An entry of the answer has no embedding")
            index = entry.get("index", position)
            if not isinstance(index, int) or not 0 <= index < count:
                raise ResponseDecodeError(f"An embedding has a bad index: {index!r}")
            if vectors[index] is not None:
                raise ResponseDecodeError(f"Two embeddings have the index {index}")
            vectors[index] = decode_vector(entry["embedding"])
        return vectors  # type: ignore[return-value]  # all filled: count checked
