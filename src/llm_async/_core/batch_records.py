"""The inputs and results of a batch, and the file that makes a batch resumable.

Sans-I/O apart from the small appends of ``JSONLStore`` (like the config files).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llm_async._core.types import JSONMapping, JSONObject
from llm_async._core.usage import Usage

__all__ = [
    "BatchItem",
    "BatchResult",
    "JSONLStore",
    "batch_items",
    "error_record",
    "usage_record",
]

Key = str | int
# prompt() arguments a batch item may set (the rest are model options).
PROMPT_ARGUMENTS = frozenset(
    {
        "prompt",
        "fragments",
        "attachments",
        "system",
        "system_fragments",
        "messages",
        "schema",
        "tools",
        "options",
        "hide_reasoning",
    }
)


@dataclass(frozen=True)
class BatchItem:
    """One prompt of a batch: its key and ``model.prompt()`` keyword arguments."""

    key: Key
    index: int
    arguments: JSONMapping

    def fingerprint(self) -> str:
        """A digest of the arguments: a stored result counts only for the same input."""
        text = json.dumps(self.arguments, sort_keys=True, default=repr)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class BatchResult:
    """The outcome of one prompt of a batch.

    ``key`` is the input's key (its index for a list of prompts); on success
    ``text`` and ``usage`` are set and ``error`` is ``None``; on failure
    ``error`` is the exception and ``text`` is ``None``. ``attempts`` counts the
    requests sent for it; ``from_store`` is true when a previous run's result
    was read back from the store instead of being sent again.
    """

    key: Key
    text: str | None = None
    usage: Usage | None = None
    error: BaseException | None = None
    attempts: int = 0
    index: int = field(default=-1, compare=False)
    from_store: bool = field(default=False, compare=False)

    @property
    def ok(self) -> bool:
        """Whether the prompt succeeded."""
        return self.error is None


def _check_key(key: Any) -> Key:
    if isinstance(key, bool) or not isinstance(key, (str, int)):
        raise TypeError(
            f"Batch keys must be str or int (they are written to the store), "
            f"got {key!r} of type {type(key).__name__}"
        )
    return key


def _arguments(value: object, index: int) -> tuple[Key | None, JSONObject]:
    if isinstance(value, str):
        return None, {"prompt": value}
    if isinstance(value, Mapping):
        arguments = dict(value)
        key = arguments.pop("key", None)
        if "prompt" not in arguments and "messages" not in arguments:
            raise ValueError(
                f"Batch item {index} has neither 'prompt' nor 'messages': {value!r}"
            )
        return key, arguments
    raise TypeError(
        f"Batch item {index} must be a prompt string or a dict of prompt() "
        f"arguments, got {type(value).__name__}"
    )


def batch_items(prompts: Iterable[Any] | Mapping[Any, Any]) -> list[BatchItem]:
    """Normalise a batch's input into items with unique keys.

    ``prompts`` is a list of prompt strings or dicts of ``prompt()`` arguments
    (an optional ``"key"`` entry names it; else its index is its key), or a
    mapping from key to prompt string or dict.
    """
    if isinstance(prompts, (str, bytes)):
        raise TypeError(
            "prompt_many() takes a list (or dict) of prompts, not one string: "
            "wrap it in a list"
        )
    pairs: Iterator[tuple[Any, Any]]
    if isinstance(prompts, Mapping):
        pairs = iter(prompts.items())
    else:
        pairs = ((None, value) for value in prompts)
    items: list[BatchItem] = []
    seen: set[Key] = set()
    for index, (given, value) in enumerate(pairs):
        own, arguments = _arguments(value, index)
        key = _check_key(
            given if given is not None else own if own is not None else index
        )
        if key in seen:
            raise ValueError(f"Duplicate batch key {key!r}: every key must be unique")
        seen.add(key)
        items.append(BatchItem(key, index, arguments))
    return items


def usage_record(usage: Usage | None) -> JSONObject | None:
    """A usage as JSON."""
    if usage is None:
        return None
    return {"input": usage.input, "output": usage.output, "details": usage.details}


def error_record(error: BaseException) -> JSONObject:
    """An error as JSON: its type, message and HTTP status, if any."""
    record: JSONObject = {"type": type(error).__name__, "message": str(error)}
    status = getattr(error, "status_code", None)
    if status is not None:
        record["status_code"] = status
    return record


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
        self._file: Any = None

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
                usage = record.get("usage")
                result = BatchResult(
                    key=record["key"],
                    text=record.get("text"),
                    usage=Usage(**usage) if isinstance(usage, dict) else None,
                    attempts=int(record.get("attempts") or 0),
                    from_store=True,
                )
                found[result.key] = (str(record.get("input")), result)
        return found

    def write(self, item: BatchItem, result: BatchResult) -> None:
        """Append one result and flush it to the operating system."""
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            torn = self.path.exists() and not self.path.read_bytes().endswith(b"\n")
            self._file = self.path.open("a", encoding="utf-8")
            if torn and self.path.stat().st_size:
                self._file.write("\n")  # end a line cut short by a crash
        record = {
            "key": result.key,
            "input": item.fingerprint(),
            "text": result.text,
            "usage": usage_record(result.usage),
            "error": None if result.error is None else error_record(result.error),
            "attempts": result.attempts,
        }
        self._file.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._file.flush()

    def close(self) -> None:
        """Close the file (written results stay)."""
        if self._file is not None:
            self._file.close()
            self._file = None
