"""The SQLite store of embedding collections: ``llm``'s ``embeddings.db`` schema.

Blocking, and shared by both facades: the blocking ``Collection`` calls it
directly, ``AsyncCollection`` in a worker thread. Every call holds the store's
lock, so one connection serves any number of threads and tasks.

The tables, indexes and the ``_sqlite_migrations`` rows are the ones ``llm``
(0.36) creates, so the ``llm`` CLI reads and writes the same file: ``llm similar
NAME -d FILE`` finds what ``Collection`` stored and the other way round.

``similar_by_vector`` scores with numpy when it is installed (``pip install
'llm-async[numpy]'``): the collection's vectors are loaded once into a float32
matrix, kept until the database changes (this connection's writes and other
connections' commits both count), and one matrix-vector product scores them
all. The best candidates are then rescored in float64, so scores match
``llm``'s. Without numpy every stored vector is decoded and scored in Python,
as ``llm`` does.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from llm_async._core.embeddings import cosine_similarity, decode
from llm_async._core.types import JSONObject

if TYPE_CHECKING:
    import numpy
    from numpy.typing import NDArray

__all__ = [
    "MIGRATIONS",
    "EmbeddingsStore",
    "Entry",
    "StoredRow",
    "collection_exists",
    "connect",
]

MIGRATION_SET = "llm.embeddings"
MIGRATIONS = (
    "m001_create_tables",
    "m002_foreign_key",
    "m003_add_updated",
    "m004_store_content_hash",
    "m005_add_content_blob",
)
# The exact statements sqlite-utils ran for llm's migrations (its formatting
# included), so that ``.schema`` of our files and llm's is the same text.
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS "_sqlite_migrations" (
   "id" INTEGER PRIMARY KEY,
   "migration_set" TEXT,
   "name" TEXT,
   "applied_at" TEXT
)""",
    """CREATE UNIQUE INDEX IF NOT EXISTS "idx__sqlite_migrations_migration_set_name"
    ON "_sqlite_migrations" ("migration_set", "name")""",
    """CREATE TABLE IF NOT EXISTS "collections" (
   "id" INTEGER PRIMARY KEY,
   "name" TEXT,
   "model" TEXT
)""",
    """CREATE UNIQUE INDEX IF NOT EXISTS "idx_collections_name"
    ON "collections" ("name")""",
    """CREATE TABLE IF NOT EXISTS "embeddings" (
   "collection_id" INTEGER REFERENCES "collections"("id"),
   "id" TEXT,
   "embedding" BLOB,
   "content" TEXT,
   "content_blob" BLOB,
   "content_hash" BLOB,
   "metadata" TEXT,
   "updated" INTEGER,
   PRIMARY KEY ("collection_id", "id")
)""",
    """CREATE INDEX IF NOT EXISTS "idx_embeddings_content_hash"
    ON "embeddings" ("content_hash")""",
)
# How many more candidates than asked for are rescored exactly.
_RESCORE_MARGIN = 16


@dataclass
class Entry:
    """One result of a similarity search (``llm.Entry``)."""

    id: str
    score: float | None
    content: str | None = None
    metadata: JSONObject | None = None


@dataclass(frozen=True)
class StoredRow:
    """One row to write into ``embeddings``."""

    id: str
    embedding: bytes
    content: str | None
    content_blob: bytes | None
    content_hash: bytes
    metadata: str | None


def connect(db: object) -> sqlite3.Connection:
    """A connection for ``db``: a path, a ``sqlite3.Connection``, a
    ``sqlite_utils.Database`` (its ``.conn``) or ``None`` (a new in-memory one).

    Connections opened here may be used from any thread (the store's lock
    serialises them).
    """
    if db is None:
        return sqlite3.connect(":memory:", check_same_thread=False)
    if isinstance(db, sqlite3.Connection):
        return db
    conn = getattr(db, "conn", None)
    if isinstance(conn, sqlite3.Connection):
        return conn
    if isinstance(db, (str, os.PathLike)):
        return sqlite3.connect(os.fspath(db), check_same_thread=False)
    raise TypeError(
        "db= must be a file path, a sqlite3.Connection or a sqlite_utils.Database, "
        f"not {type(db).__name__}"
    )


def collection_exists(db: object, name: str) -> bool:
    """Whether ``db`` holds a collection called ``name`` (changes nothing)."""
    conn = connect(db)
    try:
        found = conn.execute(
            "select 1 from sqlite_master where type = 'table' and name = 'collections'"
        ).fetchone()
        return bool(
            found
            and conn.execute(
                "select 1 from collections where name = ?", [name]
            ).fetchone()
        )
    finally:
        if conn is not db and getattr(db, "conn", None) is None:
            conn.close()


def _numpy() -> Any:
    try:
        import numpy
    except ImportError:
        return None
    return numpy


@dataclass
class _Matrix:
    """A collection's vectors, loaded for scoring, and what they were loaded from."""

    version: tuple[int, int]
    rowids: NDArray[numpy.int64]
    vectors: NDArray[numpy.float32]  # one row per stored vector
    norms: NDArray[numpy.float64]  # inf for a zero vector: it scores 0


class EmbeddingsStore:
    """Collections and their vectors in one SQLite database (blocking).

    ``use_numpy=False`` scores in pure Python even when numpy is installed.
    """

    def __init__(self, db: object = None, *, use_numpy: bool | None = None) -> None:
        self.conn = connect(db)
        self.owns_connection = self.conn is not db and getattr(db, "conn", None) is None
        self.lock = threading.RLock()
        self.numpy: Any = _numpy() if use_numpy in (None, True) else None
        if use_numpy and self.numpy is None:
            raise ImportError(
                "use_numpy=True needs numpy: pip install 'llm-async[numpy]'"
            )
        self._matrices: dict[int, _Matrix] = {}
        with self.lock:
            self._migrate()

    # -- schema ----------------------------------------------------------------

    def _migrate(self) -> None:
        conn = self.conn
        tables = {
            row[0]
            for row in conn.execute("select name from sqlite_master where type='table'")
        }
        applied: set[str] = set()
        if "_sqlite_migrations" in tables:
            applied = {
                row[0]
                for row in conn.execute(
                    "select name from _sqlite_migrations where migration_set = ?",
                    [MIGRATION_SET],
                )
            }
        if applied >= set(MIGRATIONS):
            return
        if applied or {"collections", "embeddings"} & tables:
            raise ValueError(
                "This embeddings database was made by an older version of llm "
                f"(migrations applied: {sorted(applied) or 'none'}); upgrade it "
                "by running `llm collections list -d FILE` with llm 0.36 or later"
            )
        now = str(datetime.now(timezone.utc))
        with conn:
            for statement in SCHEMA:
                conn.execute(statement)
            conn.executemany(
                "insert into _sqlite_migrations (migration_set, name, applied_at) "
                "values (?, ?, ?)",
                [(MIGRATION_SET, name, now) for name in MIGRATIONS],
            )

    # -- collections -------------------------------------------------------------

    def collection(self, name: str) -> tuple[int, str] | None:
        """``(id, model_id)`` of the collection called ``name``, or ``None``."""
        with self.lock:
            row = self.conn.execute(
                "select id, model from collections where name = ?", [name]
            ).fetchone()
        return None if row is None else (int(row[0]), str(row[1]))

    def create_collection(self, name: str, model_id: str) -> int:
        """Insert a collection; its id."""
        with self.lock, self.conn:
            cursor = self.conn.execute(
                "insert into collections (name, model) values (?, ?)", [name, model_id]
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def delete_collection(self, collection_id: int) -> None:
        """Delete a collection and its embeddings."""
        with self.lock, self.conn:
            self.conn.execute(
                "delete from embeddings where collection_id = ?", [collection_id]
            )
            self.conn.execute("delete from collections where id = ?", [collection_id])
            self._matrices.pop(collection_id, None)

    def count(self, collection_id: int) -> int:
        """How many embeddings the collection holds."""
        with self.lock:
            row = self.conn.execute(
                "select count(*) from embeddings where collection_id = ?",
                [collection_id],
            ).fetchone()
        return int(row[0])

    # -- writing -------------------------------------------------------------------

    def has_hash(self, collection_id: int, content_hash: bytes) -> bool:
        """Whether any row of the collection has this content hash."""
        with self.lock:
            row = self.conn.execute(
                "select 1 from embeddings where content_hash = ? and collection_id = ?"
                " limit 1",
                [content_hash, collection_id],
            ).fetchone()
        return row is not None

    def ids_with_hashes(self, collection_id: int, hashes: Sequence[bytes]) -> set[str]:
        """Ids of the collection's rows holding one of ``hashes``."""
        found: set[str] = set()
        with self.lock:
            for start in range(0, len(hashes), 500):
                chunk = list(hashes[start : start + 500])
                marks = ",".join("?" * len(chunk))
                found.update(
                    row[0]
                    for row in self.conn.execute(
                        "select id from embeddings where collection_id = ? "
                        f"and content_hash in ({marks})",
                        [collection_id, *chunk],
                    )
                )
        return found

    def upsert(self, collection_id: int, rows: Iterable[StoredRow]) -> None:
        """Insert or replace rows, in one transaction."""
        updated = int(time.time())
        values = [
            (
                collection_id,
                row.id,
                row.embedding,
                row.content,
                row.content_blob,
                row.content_hash,
                row.metadata,
                updated,
            )
            for row in rows
        ]
        if not values:
            return
        with self.lock, self.conn:
            self.conn.executemany(
                "insert or replace into embeddings (collection_id, id, embedding, "
                "content, content_blob, content_hash, metadata, updated) "
                "values (?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )

    # -- reading -------------------------------------------------------------------

    def embedding_of(self, collection_id: int, id: str) -> bytes | None:
        """The stored vector (encoded) of ``id``, or ``None``."""
        with self.lock:
            row = self.conn.execute(
                "select embedding from embeddings where collection_id = ? and id = ?",
                [collection_id, id],
            ).fetchone()
        return None if row is None else bytes(row[0])

    def similar_by_vector(
        self,
        collection_id: int,
        vector: Sequence[float],
        number: int = 10,
        skip_id: str | None = None,
        prefix: str | None = None,
    ) -> list[Entry]:
        """The ``number`` entries most similar to ``vector``, best first."""
        if isinstance(number, bool) or not isinstance(number, int) or number < 0:
            raise ValueError(f"number must be 0 or a positive integer, not {number!r}")
        with self.lock:
            if self.numpy is None:
                return self.similar_python(
                    collection_id, vector, number, skip_id, prefix
                )
            return self._similar_numpy(collection_id, vector, number, skip_id, prefix)

    def similar_python(
        self,
        collection_id: int,
        vector: Sequence[float],
        number: int = 10,
        skip_id: str | None = None,
        prefix: str | None = None,
    ) -> list[Entry]:
        """``llm``'s way: decode and score every stored vector in Python."""
        query = list(vector)

        def distance_score(other: bytes) -> float:
            return cosine_similarity(decode(other), query)

        where, args = self._where(collection_id, skip_id, prefix)
        with self.lock:
            self.conn.create_function("llm_async_score", 1, distance_score)
            try:
                rows = self.conn.execute(
                    "select id, content, metadata, llm_async_score(embedding) as score "
                    f"from embeddings where {where} order by score desc limit ?",
                    [*args, number],
                ).fetchall()
            finally:
                self.conn.create_function("llm_async_score", 1, None)
        return [
            _entry(id, score, content, metadata)
            for id, content, metadata, score in rows
        ]

    @staticmethod
    def _where(
        collection_id: int, skip_id: str | None, prefix: str | None
    ) -> tuple[str, list[int | str]]:
        where: list[str] = ["collection_id = ?"]
        args: list[int | str] = [collection_id]
        if prefix:
            where.append("id LIKE ? || '%'")
            args.append(prefix)
        if skip_id:
            where.append("id != ?")
            args.append(skip_id)
        return " and ".join(where), args

    def _version(self) -> tuple[int, int]:
        data_version = self.conn.execute("pragma data_version").fetchone()[0]
        return (int(data_version), self.conn.total_changes)

    def _matrix(self, collection_id: int) -> _Matrix:
        np = self.numpy
        version = self._version()
        cached = self._matrices.get(collection_id)
        if cached is not None and cached.version == version:
            return cached
        rows = self.conn.execute(
            "select rowid, embedding from embeddings where collection_id = ? "
            "order by rowid",
            [collection_id],
        ).fetchall()
        rowids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        lengths = {len(row[1]) for row in rows}
        if len(lengths) > 1:
            raise ValueError(
                "The collection holds vectors of different lengths "
                f"({sorted(n // 4 for n in lengths)} dimensions); similarity "
                "needs one length"
            )
        dimensions = lengths.pop() // 4 if lengths else 0
        vectors = np.frombuffer(b"".join(row[1] for row in rows), dtype="<f4").reshape(
            len(rows), dimensions
        )
        norms = np.sqrt(np.einsum("ij,ij->i", vectors, vectors, dtype=np.float64))
        norms[norms == 0] = np.inf
        matrix = _Matrix(version, rowids, vectors, norms)
        self._matrices[collection_id] = matrix
        return matrix

    def _similar_numpy(
        self,
        collection_id: int,
        vector: Sequence[float],
        number: int,
        skip_id: str | None,
        prefix: str | None,
    ) -> list[Entry]:
        np = self.numpy
        matrix = self._matrix(collection_id)
        if not len(matrix.rowids) or number == 0:
            return []
        query = np.asarray(vector, dtype=np.float64)
        if query.shape != (matrix.vectors.shape[1],):
            raise ValueError(
                f"The query vector has {query.size} dimensions; the collection's "
                f"vectors have {matrix.vectors.shape[1]}"
            )
        query_norm = float(np.sqrt(query @ query))
        if query_norm == 0:
            raise ZeroDivisionError("Cannot compare with a zero vector")
        scores = (matrix.vectors @ query.astype(np.float32)) / matrix.norms
        if prefix or skip_id:
            where, args = self._where(collection_id, skip_id, prefix)
            allowed = np.fromiter(
                (
                    row[0]
                    for row in self.conn.execute(
                        f"select rowid from embeddings where {where}", args
                    )
                ),
                dtype=np.int64,
            )
            candidates = np.flatnonzero(np.isin(matrix.rowids, allowed))
        else:
            candidates = np.arange(len(matrix.rowids))
        wanted = min(len(candidates), number + _RESCORE_MARGIN)
        if wanted == 0:
            return []
        if wanted < len(candidates):
            best = np.argpartition(-scores[candidates], wanted - 1)[:wanted]
            candidates = np.sort(candidates[best])
        # Exact float64 cosine for the candidates, as llm computes it.
        picked = matrix.vectors[candidates].astype(np.float64)
        exact = (picked @ query) / (
            np.sqrt(np.einsum("ij,ij->i", picked, picked)) * query_norm
        )
        exact[~np.isfinite(exact)] = 0.0
        order = np.argsort(-exact, kind="stable")[:number]
        chosen = [(int(matrix.rowids[candidates[i]]), float(exact[i])) for i in order]
        marks = ",".join("?" * len(chosen))
        details = {
            row[0]: row[1:]
            for row in self.conn.execute(
                f"select rowid, id, content, metadata from embeddings "
                f"where rowid in ({marks})",
                [rowid for rowid, _ in chosen],
            )
        }
        entries = []
        for rowid, score in chosen:
            id, content, metadata = details[rowid]
            entries.append(_entry(id, score, content, metadata))
        return entries

    def exists(self, name: str) -> bool:
        """Whether a collection called ``name`` exists."""
        return self.collection(name) is not None

    def close(self) -> None:
        """Close the connection."""
        with self.lock:
            self.conn.close()


def _entry(id: str, score: float, content: str | None, metadata: str | None) -> Entry:
    return Entry(
        id=id,
        score=score,
        content=content,
        metadata=json.loads(metadata) if metadata else None,
    )
