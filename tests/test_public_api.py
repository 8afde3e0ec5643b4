"""The two facades offer the same API: every async name has its sync twin."""

from __future__ import annotations

import inspect
import re
from typing import Any

import llm_async
import llm_sync

SHARED_CLASSES = [
    "Attachment",
    "Message",
    "ModelError",
    "NeedsKeyException",
    "Prompt",
    "StreamEvent",
    "Tool",
    "ToolCall",
    "ToolResult",
    "UnknownModelError",
    "Usage",
]


def sync_name(name: str) -> str:
    """The sync twin's name: the generator's rules, applied to public names."""
    renames = {
        "get_async_model": "get_model",
        "get_async_models": "get_models",
        "get_async_model_aliases": "get_model_aliases",
        "get_async_embedding_model": "get_embedding_model",
        "get_async_embedding_models": "get_embedding_models",
        "get_async_embedding_model_aliases": "get_embedding_model_aliases",
        "astream_events": "stream_events",
        "aclose": "close",
    }
    if name in renames:
        return renames[name]
    return re.sub(r"^Async(?=[A-Z])", "", name)


def test_all_is_sorted_and_complete() -> None:
    for module in (llm_async, llm_sync):
        exported = list(module.__all__)
        assert len(set(exported)) == len(exported)
        for name in exported:
            assert getattr(module, name) is not None, name


def test_sync_package_offers_the_async_api_too() -> None:
    for name in llm_async.__all__:
        assert hasattr(llm_sync, name), name
        assert hasattr(llm_sync, sync_name(name)), sync_name(name)


def test_shared_classes_are_the_same_objects() -> None:
    for name in SHARED_CLASSES:
        assert getattr(llm_sync, name) is getattr(llm_async, name), name


def _public_members(cls: type) -> dict[str, Any]:
    return {
        name: member
        for name, member in inspect.getmembers(cls)
        if not name.startswith("_") or name in ("__iter__", "__aiter__")
    }


def test_every_async_class_has_a_sync_twin_with_the_same_parameters() -> None:
    for name in llm_async.__all__:
        obj = getattr(llm_async, name)
        twin = getattr(llm_sync, sync_name(name))
        if sync_name(name) == name:
            assert twin is obj, name
            continue
        if inspect.isfunction(obj):
            assert _params(obj) == _params(twin), name
            continue
        assert inspect.isclass(obj), name
        async_members = _public_members(obj)
        sync_members = _public_members(twin)
        for member_name, member in async_members.items():
            if member_name == "__aiter__":
                assert "__iter__" in sync_members, f"{name}.__iter__"
                continue
            twin_name = sync_name(member_name)
            assert twin_name in sync_members, f"{twin.__name__}.{twin_name} missing"
            if callable(member) and not inspect.isclass(member):
                assert _params(member) == _params(sync_members[twin_name]), (
                    f"{name}.{member_name}"
                )


def _params(function: Any) -> list[tuple[str, Any, Any]]:
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return []
    return [
        (p.name, p.kind, p.default)
        for p in signature.parameters.values()
        if not p.name.startswith("_")
    ]


def test_sync_facade_has_no_async_code() -> None:
    import pathlib

    root = pathlib.Path(llm_sync.__file__).parent
    for path in root.glob("*.py"):
        if path.name == "__init__.py":
            continue
        text = path.read_text()
        for token in ("async def", "await ", "anyio", "asyncio", "AsyncIterator"):
            assert token not in text, f"{path.name} contains {token!r}"
        assert text.startswith("# Generated from src/llm_async/"), path.name
