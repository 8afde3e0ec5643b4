"""Moving finished work from the async API to the blocking one.

Only code that knows both facades can convert (``llm_async._builtins.facades``).
The package names that module here when it is imported, as it names its
built-in plugin to the registry, so the async source calls these functions and
never imports the built-ins itself.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

__all__ = ["set_converters", "to_sync_conversation", "to_sync_response"]

_converters: str | None = None


def set_converters(module: str) -> None:
    """Convert with ``module``'s ``to_sync_response`` and ``to_sync_conversation``."""
    global _converters
    _converters = module


def _module() -> ModuleType:
    if _converters is None:
        raise RuntimeError("import llm_async (the package) before converting")
    return importlib.import_module(_converters)


def to_sync_response(response: object) -> Any:
    """A finished blocking ``Response`` with the state of ``response``."""
    return _module().to_sync_response(response)


def to_sync_conversation(conversation: object) -> Any:
    """A blocking ``Conversation`` like ``conversation``, without responses."""
    return _module().to_sync_conversation(conversation)
