# Generated from src/llm_async/hookspecs.py; do not edit.
# Edit the async source and run `python scripts/unasync.py`.
"""``llm.hookspecs``' path: the plugin hook markers and specifications."""

from llm_async._core.hookspecs import (
    hookimpl,
    hookspec,
    register_embedding_models,
    register_fragment_loaders,
    register_models,
    register_template_loaders,
    register_tools,
)

__all__ = [
    "hookimpl",
    "hookspec",
    "register_embedding_models",
    "register_fragment_loaders",
    "register_models",
    "register_template_loaders",
    "register_tools",
]
