"""The built-in local GGUF models, for both facades: classes and registration.

``gguf-models.yaml`` parsing and the llama.cpp engine are in
``llm_async.providers.llama_cpp``; this module makes the sync and async model
objects from a ``GGUFSpec``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from llm_async.providers.llama_cpp.config import CONFIG_FILE, load_config
from llm_async.providers.llama_cpp.engine import DEFAULT_N_CTX, SMOLLM2, GGUFSpec

if TYPE_CHECKING:
    from llm_async._io.local_model import AsyncLocalModel
    from llm_sync._io.local_model import LocalModel

__all__ = ["models_for", "register_gguf", "register_local_models"]


def models_for(spec: GGUFSpec) -> tuple[LocalModel, AsyncLocalModel]:
    """The sync and async model objects for ``spec`` (cheap: nothing loads)."""
    from llm_async._io.local_model import AsyncLocalModel
    from llm_sync._io.local_model import LocalModel

    return (
        LocalModel(
            spec.model_id, spec.path, n_ctx=spec.n_ctx, chat_format=spec.chat_format
        ),
        AsyncLocalModel(
            spec.model_id, spec.path, n_ctx=spec.n_ctx, chat_format=spec.chat_format
        ),
    )


def register_gguf(
    model_id: str,
    path: str | os.PathLike[str],
    *,
    aliases: Sequence[str] = (),
    n_ctx: int = DEFAULT_N_CTX,
    chat_format: str | None = None,
) -> None:
    """Register a GGUF file as a local model, sync and async, under ``model_id``.

    Registration is cheap and never touches the file: a missing file, or a
    missing ``local`` extra, raises ``LocalModelError`` when a prompt runs. A
    relative ``path`` is relative to the current directory.
    ``n_ctx`` is the context window in tokens (``0``: the model's own);
    ``chat_format`` overrides the chat template stored in the file.
    """
    from llm_async._core.registry import register_model

    if isinstance(aliases, str):
        raise ValueError(f"aliases of {model_id!r} must be a list of strings")
    if not os.fspath(path):
        raise ValueError(f"path of {model_id!r} must be a file path")
    absolute = os.path.abspath(os.path.expanduser(os.fspath(path)))
    spec = GGUFSpec(
        model_id, absolute, tuple(aliases), n_ctx=n_ctx, chat_format=chat_format
    )
    sync_model, async_model = models_for(spec)
    register_model(sync_model, async_model, aliases=list(spec.aliases))


def register_local_models(register: Callable[..., None]) -> None:
    """Register SmolLM2 and the models of ``gguf-models.yaml`` (plugin hook)."""
    from llm_async._core.config import user_dir

    for spec in [SMOLLM2, *load_config(Path(user_dir()) / CONFIG_FILE)]:
        sync_model, async_model = models_for(spec)
        register(sync_model, async_model, aliases=list(spec.aliases))
