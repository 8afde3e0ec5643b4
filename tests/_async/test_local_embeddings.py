"""The local embedding model: llama.cpp's embedding mode over SmolLM2's GGUF."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest

import llm_async as llm
from tests.local_support import require_smollm2, reset_registry


@pytest.fixture
def registered() -> Iterator[None]:
    yield None
    reset_registry()


def cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


async def test_a_missing_file_names_the_fix(tmp_path: Path, registered: None) -> None:
    llm.register_gguf_embedding("nowhere", tmp_path / "missing.gguf", aliases=["nw"])
    model = llm.get_async_embedding_model("nw")
    with pytest.raises(llm.LocalModelError, match="does not exist"):
        await model.embed("hello")
    with pytest.raises(ValueError, match="must be a list of strings"):
        llm.register_gguf_embedding("x", tmp_path / "x.gguf", aliases="x")  # type: ignore[arg-type]


def test_registered_without_loading() -> None:
    model = llm.get_async_embedding_model("smollm2-embeddings")
    assert model.model_id == "smollm2-embed"
    assert model.needs_key is None


@pytest.mark.integration
async def test_smollm2_embeddings() -> None:
    require_smollm2()
    model = llm.get_async_embedding_model("smollm2-embed")
    texts = ["Pelicans are large water birds", "Herons wade in water"]
    first, second = await model.embed_multi(texts)
    assert len(first) == len(second) == model.dimensions == 576
    assert all(math.isfinite(x) for x in first)
    again = await model.embed(texts[0])
    assert cosine(first, again) > 0.999  # same text, same vector (up to float noise)
    # Longer than the context: cut to fit by default, an error when asked not to.
    long_text = "word " * 600
    assert len(await model.embed(long_text)) == 576
    model.truncate = False
    try:
        with pytest.raises(llm.LocalModelError, match="could not embed"):
            await model.embed(long_text)
    finally:
        model.truncate = True
