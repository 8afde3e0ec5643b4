"""The file that makes a batch resumable: results written as they arrive.

``prompt_many(store=path)`` writes each result to a ``JSONLStore`` (one JSON
line each) or, for a ``.db``/``.sqlite``/``.sqlite3`` path, a ``SQLiteStore``
(one row per key in a ``batch_results`` table, which a rerun replaces, and
which SQL can query); a rerun reads back the successes and sends the rest.
Both keep ``batch_records.result_record`` and write on the caller's thread:
a JSON line is flushed to the operating system, a row is committed in WAL
mode with ``synchronous=NORMAL``. Either way a killed process loses nothing
it wrote, and no write waits for the disk.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Protocol, TextIO

from llm_async._core.batch_records import (
    BatchItem,
    BatchResult,
    Key,
    result_record,
    stored_result,
)

__all__ = ["SQLITE_SUFFIXES", "JSONLStore", "ResultStore", "SQLiteStore", "open_store"]


class ResultStore(Protocol):
    """Where a batch writes its results as they arrive, and reads them back."""

    def done(self) -> dict[Key, tuple[str, BatchResult]]:
        """The successful results stored: key -> (input digest, result)."""
        ...

    def write(self, item: BatchItem, result: BatchResult) -> None:
        """Keep one result (it survives the process being killed after this)."""
        ...

    def close(self) -> None:
        """Close the file (written results stay)."""
        ...


#: Store paths with these suffixes are SQLite databases; others JSON lines.
SQLITE_SUFFIXES = frozenset({".db", ".sqlite", ".sqlite3"})


def open_store(path: str | os.PathLike[str]) -> ResultStore:
    """The store at ``path``: SQLite for ``.db``/``.sqlite``/``.sqlite3``, else
    JSON lines."""
    if Path(path).suffix.lower() in SQLITE_SUFFIXES:
        return SQLiteStore(path)
    return JSONLStore(path)


class JSONLStore:
    """Results written one JSON line each as they arrive; a rerun skips the done.

    Each line holds ``key``, ``input`` (a digest of the prompt's arguments),
    ``text``, ``usage``, ``error`` and ``attempts``. Only successes count as
    done, and only for the same input: failed or changed items run again.
    Lines are flushed as written, so a killed run loses nothing it finished
    (a torn last line is ignored on reading).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._file: TextIO | None = None

    def done(self) -> dict[Key, tuple[str, BatchResult]]:
        """The successful results in the file: key -> (input digest, result)."""
        found: dict[Key, tuple[str, BatchResult]] = {}
        if not self.path.exists():
            return found
        with self.path.open(encoding="utf-8") as file:
            for line in file:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue  # a line cut short by a crash
                if not isinstance(record, dict) or record.get("error") is not None:
                    continue
                digest, result = stored_result(record)
                found[result.key] = (digest, result)
        return found

    def write(self, item: BatchItem, result: BatchResult) -> None:
        """Append one result and flush it to the operating system."""
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            torn = self.path.exists() and not self.path.read_bytes().endswith(b"\n")
            self._file = self.path.open("a", encoding="utf-8")
            if torn and self.path.stat().st_size:
                self._file.write("\n")  # end a line cut short by a crash
        record = result_record(item, result)
        self._file.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._file.flush()

    def close(self) -> None:
        """Close the file (written results stay)."""
        if self._file is not None:
            self._file.close()
            self._file = None


_SCHEMA = """
CREATE TABLE IF NOT EXISTS batch_results (
    key TEXT PRIMARY KEY,  -- the key as JSON: 1 and "1" are different keys
    input TEXT NOT NULL,   -- a digest of the prompt's arguments
    text TEXT,
    usage TEXT,            -- JSON
    error TEXT,            -- JSON, NULL on success
    attempts INTEGER NOT NULL
)
"""
_UPSERT = (
    "INSERT OR REPLACE INTO batch_results"
    " (key, input, text, usage, error, attempts) VALUES (?, ?, ?, ?, ?, ?)"
)


class SQLiteStore:
    """Results written one row each as they arrive; a rerun skips the done.

    Only successes count as done, and only for the same input: failed or
    changed items run again (and replace their row).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._db: sqlite3.Connection | None = None

    def _open(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(_SCHEMA)
            self._db = db
        return self._db

    def done(self) -> dict[Key, tuple[str, BatchResult]]:
        """The successful results in the file: key -> (input digest, result)."""
        if not self.path.exists():
            return {}
        rows = self._open().execute(
            "SELECT key, input, text, usage, attempts FROM batch_results"
            " WHERE error IS NULL"
        )
        found: dict[Key, tuple[str, BatchResult]] = {}
        for key, digest, text, usage, attempts in rows:
            record = {
                "key": json.loads(key),
                "input": digest,
                "text": text,
                "usage": json.loads(usage) if usage else None,
                "attempts": attempts,
            }
            digest, result = stored_result(record)
            found[result.key] = (digest, result)
        return found

    def write(self, item: BatchItem, result: BatchResult) -> None:
        """Write (or replace) one result's row and commit it."""
        record = result_record(item, result)
        error = record["error"]
        self._open().execute(
            _UPSERT,
            (
                json.dumps(record["key"]),
                record["input"],
                record["text"],
                json.dumps(record["usage"]),
                None if error is None else json.dumps(error, ensure_ascii=False),
                record["attempts"],
            ),
        )

    def close(self) -> None:
        """Close the database (written results stay)."""
        if self._db is not None:
            self._db.close()
            self._db = None
