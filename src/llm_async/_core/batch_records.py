"""The inputs and results of a batch, and what a store keeps of a result.

Sans-I/O; the stores that make a batch resumable are in ``batch_stores``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from llm_async._core.types import JSONMapping, JSONObject
from llm_async._core.usage import Usage

__all__ = [
    "BatchItem",
    "BatchResult",
    "Key",
    "batch_items",
    "error_record",
    "result_record",
    "stored_result",
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


def result_record(item: BatchItem, result: BatchResult) -> JSONObject:
    """What a store keeps of a result: key, input digest, text, usage, error,
    attempts."""
    return {
        "key": result.key,
        "input": item.fingerprint(),
        "text": result.text,
        "usage": usage_record(result.usage),
        "error": None if result.error is None else error_record(result.error),
        "attempts": result.attempts,
    }


def stored_result(record: JSONMapping) -> tuple[str, BatchResult]:
    """A stored successful record as (input digest, result read back)."""
    usage = record.get("usage")
    result = BatchResult(
        key=_check_key(record["key"]),
        text=record.get("text"),
        usage=Usage(**usage) if isinstance(usage, dict) else None,
        attempts=int(record.get("attempts") or 0),
        from_store=True,
    )
    return str(record.get("input")), result
