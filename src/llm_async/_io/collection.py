"""Collections of embeddings stored in SQLite, with similarity search.

The database is ``llm``'s ``embeddings.db`` format (see
``llm_async._core.embeddings_db``), so the ``llm`` CLI and this class share
files. The async collection does every SQLite call in a worker thread and opens
the database on first use; the blocking one opens it in the constructor, as
``llm`` does.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from llm_async._core.concurrency import (
    AsyncLock,
    async_prepare_now,
    async_run_blocking,
)
from llm_async._core.embeddings import batched, content_hash, decode, encode
from llm_async._core.embeddings_db import (
    EmbeddingsStore,
    Entry,
    StoredRow,
    collection_exists,
)
from llm_async._core.errors import CollectionDoesNotExist
from llm_async._core.registry import get_async_embedding_model
from llm_async._core.types import JSONObject

if TYPE_CHECKING:
    from .embedding_model import AsyncEmbeddingModel

__all__ = ["AsyncCollection", "Entry"]

T = TypeVar("T")


class AsyncCollection:
    """A named set of embeddings in a SQLite database (``llm.Collection``).

    ``db`` is a file path, a ``sqlite3.Connection`` (made with
    ``check_same_thread=False`` for the async facade), a
    ``sqlite_utils.Database`` or ``None`` (in memory). An existing collection
    keeps its stored model id; a new one needs ``model=`` or ``model_id=`` (an
    id or alias), unless ``create=False``, which raises ``DoesNotExist``.
    ``use_numpy=False`` scores in pure Python even when numpy is installed.
    """

    DoesNotExist = CollectionDoesNotExist

    def __init__(
        self,
        name: str,
        db: Any = None,
        *,
        model: AsyncEmbeddingModel | None = None,
        model_id: str | None = None,
        create: bool = True,
        use_numpy: bool | None = None,
    ) -> None:
        self.name = name
        self.db = db
        self._model = model
        self._requested_model_id = model_id
        self._create = create
        self._use_numpy = use_numpy
        self._store: EmbeddingsStore | None = None
        self._id: int | None = None
        self._model_id: str | None = None
        self._open_lock = AsyncLock()
        async_prepare_now(self._open_store)  # blocking facade: fails early, as llm

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"

    def _open_store(self) -> None:
        """Open the database and find (or create) the collection (blocking)."""
        store = EmbeddingsStore(self.db, use_numpy=self._use_numpy)
        found = store.collection(self.name)
        if found is not None:
            self._id, self._model_id = found
        elif not self._create:
            raise CollectionDoesNotExist(f"Collection '{self.name}' does not exist")
        else:
            if self._model is None and not self._requested_model_id:
                raise ValueError(
                    "Either model= or model_id= must be provided when creating a "
                    "new collection"
                )
            if self._requested_model_id:
                self._model = get_async_embedding_model(self._requested_model_id)
            assert self._model is not None
            self._model_id = self._model.model_id
            self._id = store.create_collection(self.name, self._model_id)
        self._store = store

    async def open(self) -> AsyncCollection:
        """Open the database now (otherwise done by the first call that needs it)."""
        await self._opened()
        return self

    async def _opened(self) -> EmbeddingsStore:
        if self._store is None:
            async with self._open_lock:
                if self._store is None:
                    await async_run_blocking(self._open_store)
        assert self._store is not None
        return self._store

    def _opened_attribute(self, value: T | None, name: str) -> T:
        if value is None:
            raise RuntimeError(
                f"{type(self).__name__}.{name} is known once the collection is "
                "open: await collection.open() first"
            )
        return value

    @property
    def id(self) -> int:
        """The collection's row id in the ``collections`` table."""
        value: int = self._opened_attribute(self._id, "id")
        return value

    @property
    def model_id(self) -> str:
        """The id of the collection's embedding model, as stored."""
        value: str = self._opened_attribute(self._model_id, "model_id")
        return value

    async def model(self) -> AsyncEmbeddingModel:
        """The collection's embedding model (looked up by id if not given)."""
        await self._opened()
        if self._model is None:
            self._model = get_async_embedding_model(self.model_id)
        assert self._model is not None
        return self._model

    async def count(self) -> int:
        """How many items the collection holds."""
        store = await self._opened()
        collection_id = self.id
        return await async_run_blocking(lambda: store.count(collection_id))

    async def embed(
        self,
        id: str,
        value: str | bytes,
        metadata: JSONObject | None = None,
        store: bool = False,
        *,
        key: str | None = None,
    ) -> None:
        """Embed ``value`` and store it under ``id``.

        Skipped when any item of the collection has the same content hash.
        ``store=True`` keeps the content (text or bytes) next to the vector.
        """
        database = await self._opened()
        collection_id, digest = self.id, content_hash(value)
        if await async_run_blocking(lambda: database.has_hash(collection_id, digest)):
            return
        model = await self.model()
        vector = await model.embed(value, key=key)
        row = _row(id, value, metadata, store, vector)
        await async_run_blocking(lambda: database.upsert(collection_id, [row]))

    async def embed_multi(
        self,
        entries: Iterable[tuple[str, str | bytes]],
        store: bool = False,
        batch_size: int = 100,
        *,
        key: str | None = None,
    ) -> None:
        """Embed and store ``(id, value)`` pairs in batches."""
        await self.embed_multi_with_metadata(
            ((id, value, None) for id, value in entries),
            store=store,
            batch_size=batch_size,
            key=key,
        )

    async def embed_multi_with_metadata(
        self,
        entries: Iterable[tuple[str, str | bytes, JSONObject | None]],
        store: bool = False,
        batch_size: int = 100,
        *,
        key: str | None = None,
    ) -> None:
        """Embed and store ``(id, value, metadata)`` triples in batches.

        As in ``llm``, an item is skipped when its id is among the ids already
        holding one of its batch's content hashes (unchanged content). The
        async facade embeds up to the model's ``concurrency`` batches at once.
        """
        database = await self._opened()
        model = await self.model()
        size = min(batch_size, model.batch_size or batch_size)
        collection_id = self.id
        group_size = size * max(1, model.concurrency)
        for group in batched(entries, group_size):
            batches = list(batched(group, size))

            skipped = await async_run_blocking(
                partial(_unchanged_ids, database, collection_id, batches)
            )
            todo = [
                item
                for batch, ids in zip(batches, skipped, strict=True)
                for item in batch
                if item[0] not in ids
            ]
            if not todo:
                continue
            vectors = await model.embed_multi(
                [item[1] for item in todo], batch_size=size, key=key
            )
            rows = [
                _row(id, value, metadata, store, vector)
                for (id, value, metadata), vector in zip(todo, vectors, strict=True)
            ]
            await async_run_blocking(partial(database.upsert, collection_id, rows))

    async def similar_by_vector(
        self,
        vector: list[float],
        number: int = 10,
        skip_id: str | None = None,
        prefix: str | None = None,
    ) -> list[Entry]:
        """The ``number`` items most similar to ``vector``, best first.

        ``prefix`` keeps ids starting with it (SQL ``LIKE``, as in ``llm``);
        ``skip_id`` leaves one id out.
        """
        database = await self._opened()
        collection_id = self.id
        return await async_run_blocking(
            lambda: database.similar_by_vector(
                collection_id, vector, number, skip_id=skip_id, prefix=prefix
            )
        )

    async def similar_by_id(
        self, id: str, number: int = 10, prefix: str | None = None
    ) -> list[Entry]:
        """The items most similar to the stored item ``id`` (itself left out).

        An unknown id raises ``DoesNotExist("ID not found")``.
        """
        database = await self._opened()
        collection_id = self.id
        stored = await async_run_blocking(
            lambda: database.embedding_of(collection_id, id)
        )
        if stored is None:
            raise CollectionDoesNotExist("ID not found")
        return await self.similar_by_vector(
            list(decode(stored)), number, skip_id=id, prefix=prefix
        )

    async def similar(
        self,
        value: str | bytes,
        number: int = 10,
        prefix: str | None = None,
        *,
        key: str | None = None,
    ) -> list[Entry]:
        """The items most similar to ``value`` (embedded with the model first)."""
        model = await self.model()
        vector = await model.embed(value, key=key)
        return await self.similar_by_vector(vector, number, prefix=prefix)

    async def delete(self) -> None:
        """Delete the collection and its items from the database."""
        database = await self._opened()
        collection_id = self.id
        await async_run_blocking(lambda: database.delete_collection(collection_id))

    @classmethod
    async def exists(cls, db: object, name: str) -> bool:
        """Whether ``db`` holds a collection called ``name``."""

        return await async_run_blocking(partial(collection_exists, db, name))

    async def aclose(self) -> None:
        """Close the database connection if this collection opened it (a path)."""
        store = self._store
        if store is not None and store.owns_connection:
            await async_run_blocking(store.close)

    @staticmethod
    def content_hash(input: str | bytes) -> bytes:
        """The MD5 digest used to skip unchanged content."""
        return content_hash(input)


def _row(
    id: str,
    value: str | bytes,
    metadata: JSONObject | None,
    store: bool,
    vector: list[float],
) -> StoredRow:
    return StoredRow(
        id=id,
        embedding=encode(vector),
        content=value if store and isinstance(value, str) else None,
        content_blob=value if store and isinstance(value, bytes) else None,
        content_hash=content_hash(value),
        metadata=json.dumps(metadata) if metadata else None,
    )


def _unchanged_ids(
    database: EmbeddingsStore,
    collection_id: int,
    batches: list[list[tuple[str, str | bytes, JSONObject | None]]],
) -> list[set[str]]:
    """Per batch, the ids already holding one of the batch's content hashes."""
    return [
        database.ids_with_hashes(
            collection_id, [content_hash(item[1]) for item in batch]
        )
        for batch in batches
    ]
