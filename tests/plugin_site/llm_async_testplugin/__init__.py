"""A test plugin: a model (sync and async), an embedding model and tools."""

from __future__ import annotations

from typing import Any

import llm_async
import llm_sync

IMPORTED = True


@llm_async.hookimpl
def register_models(register: Any) -> None:
    register(
        llm_sync.ScriptedModel(["from plugin"], model_id="plugin-model"),
        llm_async.AsyncScriptedModel(["from plugin"], model_id="plugin-model"),
        aliases=["pm"],
    )


class PluginEmbeddingModel:
    """A minimal embedding model: the length and vowel count of each text."""

    model_id = "plugin-embed"

    def embed(self, text: str) -> list[float]:
        return [float(len(text)), float(sum(text.count(v) for v in "aeiou"))]

    def __str__(self) -> str:
        return f"PluginEmbeddingModel: {self.model_id}"


@llm_async.hookimpl
def register_embedding_models(register: Any) -> None:
    register(PluginEmbeddingModel(), aliases=["pe"])


def multiply(a: int, b: int) -> int:
    """Multiply two numbers."""
    return a * b


def _add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


# Registered under another name: the plugin's own object must stay unchanged.
ADD_TOOL = llm_async.Tool.function(_add, name="add")


class Counter(llm_async.Toolbox):
    """A toolbox that counts."""

    def __init__(self, start: int = 0) -> None:
        self.value = start

    def increment(self) -> int:
        """Add one and return the new value."""
        self.value += 1
        return self.value


@llm_async.hookimpl
def register_tools(register: Any) -> None:
    register(multiply)
    register(ADD_TOOL, name="plugin_add")
    register(Counter)
