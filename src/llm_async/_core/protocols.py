"""What shared code reads from a model it cannot import.

The model classes live in the async source (``_io``) and its generated twin,
which ``_core`` never imports; the functions here that take a model (of either
facade, chat or embedding) name the attributes they read instead.
"""

from __future__ import annotations

from collections.abc import Set
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from llm_async._core.options import Options as BaseOptions

__all__ = ["EmbeddingModelInfo", "KeyedModel", "NamedModel", "PromptModel"]


class NamedModel(Protocol):
    """A registered model of either facade: its ``model_id``."""

    @property
    def model_id(self) -> str: ...


class KeyedModel(Protocol):
    """A model's API key settings (``resolve_key`` reads them)."""

    @property
    def needs_key(self) -> str | None: ...

    @property
    def key(self) -> str | None: ...

    @property
    def key_env_var(self) -> str | None: ...


class PromptModel(NamedModel, Protocol):
    """What building and checking a prompt reads from a chat model."""

    @property
    def attachment_types(self) -> Set[str]: ...

    @property
    def supports_schema(self) -> bool: ...

    @property
    def supports_tools(self) -> bool: ...

    @property
    def supported_server_side_tools(self) -> tuple[type, ...]: ...

    @property
    def Options(self) -> type[BaseOptions]: ...


class EmbeddingModelInfo(NamedModel, Protocol):
    """What checking an item to embed reads from an embedding model."""

    @property
    def supports_text(self) -> bool: ...

    @property
    def supports_binary(self) -> bool: ...
