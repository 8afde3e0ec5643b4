# Generated from src/llm_async/_io/embedding_model.py; do not edit.
# Edit the async source and run `python scripts/unasync.py`.
"""The embedding model base class: ``embed()``, ``embed_multi()``, ``embed_batch()``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import cast

from llm_async._core.concurrency import sync_map_bounded, sync_resolve
from llm_async._core.embeddings import batched, check_item, embedding_model_str
from llm_async._core.model_base import resolve_key

__all__ = ["EmbeddingModel"]


class EmbeddingModel:
    """An embedding model: subclass it and implement ``embed_batch()``.

    ``embed_batch(items, *, key=None)`` returns one vector (a list of floats)
    per item, in order; it may be a coroutine function or a plain one, and may
    return any iterable of vectors (``llm`` plugins' generators too).
    ``batch_size`` caps the items of one ``embed_batch`` call (``None``: no cap);
    the async ``embed_multi`` runs up to ``concurrency`` batches at once, the
    blocking one sends them one after the other. ``dimensions`` is the length
    of the vectors when known.
    """

    model_id: str
    key: str | None = None
    needs_key: str | None = None
    key_env_var: str | None = None
    supports_text: bool = True
    supports_binary: bool = False
    batch_size: int | None = None
    dimensions: int | None = None
    concurrency: int = 4

    def __str__(self) -> str:
        return embedding_model_str(self)

    def __repr__(self) -> str:
        return f"<{self}>"

    def get_key(self, explicit_key: str | None = None) -> str | None:
        """The API key to use: ``model.key``, ``key=``, keys.json, then env."""
        return resolve_key(self, explicit_key)

    def embed_batch(
        self, items: Sequence[str | bytes], *, key: str | None = None
    ) -> Iterable[Sequence[float]]:
        """One vector per item, in order: implement this in a subclass."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement embed_batch(items, *, key=None)"
        )

    def embed(self, item: str | bytes, *, key: str | None = None) -> list[float]:
        """The vector of one text (or bytes, when ``supports_binary``)."""
        check_item(self, item)
        (vector,) = self._embed_batch([item], self.get_key(key))
        return vector

    def embed_multi(
        self,
        items: Iterable[str | bytes],
        batch_size: int | None = None,
        *,
        key: str | None = None,
    ) -> list[list[float]]:
        """The vectors of many items, in order, in batches of ``batch_size``.

        ``batch_size`` defaults to the model's; with neither, one batch.
        """
        size = self.batch_size if batch_size is None else batch_size
        batches = list(batched(self._checked(items), size))
        if not batches:
            return []
        resolved = self.get_key(key)

        def embed_one(batch: list[str | bytes]) -> list[list[float]]:
            return self._embed_batch(batch, resolved)

        results = sync_map_bounded(embed_one, batches, self.concurrency)
        return [vector for vectors in results for vector in vectors]

    def _checked(self, items: Iterable[str | bytes]) -> Iterator[str | bytes]:
        if isinstance(items, (str, bytes)):
            raise TypeError(
                "embed_multi() takes an iterable of items; use embed() for one item"
            )
        for item in items:
            check_item(self, item)
            yield item

    def _embed_batch(
        self, items: list[str | bytes], key: str | None
    ) -> list[list[float]]:
        # embed_batch() may be a plain function in a subclass: resolve either.
        result = sync_resolve(self.embed_batch(items, key=key))
        rows = cast("Iterable[Sequence[float]]", result)
        vectors = [v if type(v) is list else list(v) for v in rows]
        if len(vectors) != len(items):
            raise ValueError(
                f"{self.model_id}: embed_batch() returned {len(vectors)} vectors "
                f"for {len(items)} items"
            )
        return vectors
