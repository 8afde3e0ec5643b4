# Generated from tests/_async/test_embeddings.py; do not edit.
# Edit the async source and run `python scripts/unasync.py`.
"""Embedding models and collections: llm's behaviour, OpenAI over the transport,
and llm's own CLI database read and written in both directions."""

from __future__ import annotations

import json
import shutil
import sqlite3
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx
import pytest
import respx

import llm_sync as llm
from llm_sync import Collection, EmbeddingModel, RetryPolicy, Transport
from tests.embedding_support import (
    EMBEDDINGS_URL,
    LLM_DB,
    LLM_SIMILAR_WATER_BIRDS,
    OpenAIEmbeddingProvider,
    SyncHashEmbed,
    hash_vector,
    reset_registry,
    synthetic_embeddings,
    synthetic_vector,
)
from tests.support import CANARY_KEY

FAST = RetryPolicy(initial_delay=0.001, max_delay=0.002)


@pytest.fixture(autouse=True)
def fresh_registry() -> Iterator[None]:
    reset_registry()
    yield
    reset_registry()


@pytest.fixture
def transport() -> Iterator[Transport]:
    with Transport(retry=FAST) as shared:
        yield shared


@pytest.fixture
def openai_server() -> Iterator[respx.MockRouter]:
    with respx.mock() as router:
        router.post(EMBEDDINGS_URL).mock(side_effect=synthetic_embeddings)
        yield router


# Embedding models -----------------------------------------------------------------


def test_embed_and_embed_multi_batches() -> None:
    model = SyncHashEmbed(batch_size=2)
    assert model.embed("a pelican") == hash_vector("a pelican")
    texts = ["one", "two", "three", "four", "five"]
    vectors = model.embed_multi(texts)
    assert vectors == [hash_vector(t) for t in texts]
    assert [len(b) for b in model.batches] == [1, 2, 2, 1]
    model.embed_multi(texts, batch_size=4)
    assert [len(b) for b in model.batches[4:]] == [4, 1]
    model.batch_size = None
    model.embed_multi(iter(texts))  # any iterable; all in one batch
    assert model.batches[-1] == texts
    assert model.embed_multi([]) == []
    assert str(model) == f"{type(model).__name__}: hash-16"


def test_type_checks() -> None:
    model = SyncHashEmbed()
    with pytest.raises(ValueError, match="does not support binary data"):
        model.embed(b"bytes")
    with pytest.raises(ValueError, match="does not support binary data"):
        model.embed_multi(["text", b"bytes"])
    with pytest.raises(TypeError, match="use embed"):
        model.embed_multi("text")
    model.supports_text, model.supports_binary = False, True
    with pytest.raises(ValueError, match="does not support text strings"):
        model.embed("text")
    assert model.batches == []  # nothing was sent


def test_a_model_must_return_one_vector_per_item() -> None:
    class Short(EmbeddingModel):
        model_id = "short"

        def embed_batch(
            self, items: Sequence[str | bytes], *, key: str | None = None
        ) -> list[list[float]]:
            return [[1.0]]

    with pytest.raises(ValueError, match=r"short: embed_batch.. returned 1 vectors"):
        Short().embed_multi(["a", "b"])
    with pytest.raises(NotImplementedError, match="must implement embed_batch"):
        EmbeddingModel().embed("x")


def test_bounded_concurrency_keeps_order() -> None:
    class Tracking(EmbeddingModel):
        model_id = "tracking"
        batch_size = 1
        concurrency = 2

        def embed_batch(
            self, items: Sequence[str | bytes], *, key: str | None = None
        ) -> list[list[float]]:
            return [[float(len(str(items[0])))]]

    model = Tracking()
    texts = ["a" * n for n in range(1, 8)]
    assert model.embed_multi(texts) == [[float(n)] for n in range(1, 8)]


def test_needs_key() -> None:
    class Keyed(SyncHashEmbed):
        needs_key = "hashy"
        key_env_var = "HASHY_KEY"

    with pytest.raises(llm.NeedsKeyException, match=r"llm keys set hashy.*HASHY_KEY"):
        Keyed().embed("x")
    model = Keyed()
    model.key = "set"
    assert model.get_key() == "set"


# OpenAI -------------------------------------------------------------------------


def test_openai_models_registered_with_llms_aliases() -> None:
    assert {m.model_id for m in llm.get_embedding_models()} >= {
        "text-embedding-ada-002",
        "text-embedding-3-small",
        "text-embedding-3-large",
        "text-embedding-3-small-512",
        "text-embedding-3-large-256",
        "text-embedding-3-large-1024",
        "smollm2-embed",
    }
    model = llm.get_embedding_model("3-large-256")
    assert model.model_id == "text-embedding-3-large-256"
    assert (model.dimensions, model.batch_size) == (256, 100)
    assert str(model) == "OpenAIEmbeddingModel: text-embedding-3-large-256"
    assert llm.get_embedding_model("ada").model_id == "text-embedding-ada-002"
    with pytest.raises(llm.UnknownModelError, match="Unknown model: nope"):
        llm.get_embedding_model("nope")
    with pytest.raises(llm.UnknownModelError, match="no default embedding model"):
        llm.get_embedding_model()
    llm.set_default_embedding_model("3-small")
    assert llm.get_embedding_model().model_id == "text-embedding-3-small"
    llm.set_alias("vectors", "3-small")
    assert llm.get_embedding_model("vectors").model_id == "text-embedding-3-small"


def test_openai_embed_multi_batches_through_the_transport(
    openai_server: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", CANARY_KEY)
    model = llm.get_embedding_model("3-small-512")
    texts = [f"text number {n}" for n in range(250)]
    vectors = model.embed_multi(texts)
    assert vectors == [synthetic_vector(t, 512) for t in texts]
    bodies = [json.loads(call.request.content) for call in openai_server.calls]
    assert sorted(len(b["input"]) for b in bodies) == [50, 100, 100]
    assert {b["model"] for b in bodies} == {"text-embedding-3-small"}
    assert {b["dimensions"] for b in bodies} == {512}
    for call in openai_server.calls:
        assert call.request.headers["authorization"] == f"Bearer {CANARY_KEY}"
    assert model.embed("hello") == synthetic_vector("hello", 512)


def test_openai_retries_and_typed_errors(transport: Transport) -> None:
    model = llm.HTTPEmbeddingModel(
        "e",
        OpenAIEmbeddingProvider("text-embedding-3-small", encoding_format="float"),
        needs_key="openai",
        transport=transport,
    )
    model.key = CANARY_KEY
    with respx.mock() as router:
        route = router.post(EMBEDDINGS_URL)

        attempts: list[int] = []

        def fail_once(request: httpx.Request) -> httpx.Response:
            attempts.append(1)
            if len(attempts) == 1:
                return httpx.Response(500, json={"error": {"message": "try again"}})
            return synthetic_embeddings(request)

        route.side_effect = fail_once
        assert model.embed("hi") == synthetic_vector("hi", 1536)
        assert route.call_count == 2
        route.side_effect = None
        route.return_value = httpx.Response(
            401, json={"error": {"message": f"Bad key {CANARY_KEY[:3]}..."}}
        )
        with pytest.raises(llm.AuthenticationError) as caught:
            model.embed("hi")
        rendered = "".join(traceback.format_exception(caught.value))
        assert CANARY_KEY not in rendered
        route.return_value = httpx.Response(
            400,
            json={
                "error": {
                    "message": "This model's maximum context length is 8192 tokens",
                    "code": "context_length_exceeded",
                }
            },
        )
        with pytest.raises(llm.ContextWindowExceededError):
            model.embed("long")
        route.return_value = httpx.Response(200, content=b"not json")
        with pytest.raises(llm.ResponseDecodeError, match="not valid JSON"):
            model.embed("hi")


def test_base_url_and_headers(transport: Transport) -> None:
    model = llm.HTTPEmbeddingModel(
        "local",
        OpenAIEmbeddingProvider("nomic"),
        base_url="http://localhost:11434/v1",
        headers={"x-team": "a"},
        transport=transport,
    )
    with respx.mock() as router:
        route = router.post("http://localhost:11434/v1/embeddings")
        route.mock(side_effect=synthetic_embeddings)
        assert model.embed("hi") == synthetic_vector("hi", 8)
        assert route.calls[0].request.headers["x-team"] == "a"
        assert "authorization" not in route.calls[0].request.headers
    for bad in (0, True):
        with pytest.raises(ValueError, match="concurrency must be"):
            llm.HTTPEmbeddingModel("x", OpenAIEmbeddingProvider("m"), concurrency=bad)


# Collections ----------------------------------------------------------------------


def test_collection_embed_store_and_metadata(tmp_path: Path) -> None:
    model = SyncHashEmbed()
    model.supports_binary = True
    collection = Collection("things", tmp_path / "e.db", model=model).open()
    assert (collection.id, collection.model_id) == (1, "hash-16")
    collection.embed("1", "hello world", metadata={"a": 1}, store=True)
    collection.embed("2", b"\x00bytes", store=True)
    collection.embed("3", "not stored")
    assert collection.count() == 3
    rows = sqlite3.connect(tmp_path / "e.db").execute(
        "select collection_id, id, embedding, content, content_blob, content_hash, "
        "metadata, updated from embeddings order by id"
    )
    one, two, three = rows.fetchall()
    assert one[:5] == (
        1,
        "1",
        llm.encode(hash_vector("hello world")),
        "hello world",
        None,
    )
    assert one[5] == Collection.content_hash("hello world")
    assert (one[6], type(one[7])) == ('{"a": 1}', int)
    assert two[3:5] == (None, b"\x00bytes")
    assert three[3:5] == (None, None)
    # Same content under another id: skipped, as in llm.
    collection.embed("4", "hello world")
    assert collection.count() == 3
    assert len(model.batches) == 3
    collection.close()


def test_collection_embed_multi_skips_unchanged(tmp_path: Path) -> None:
    model = SyncHashEmbed(batch_size=2)
    collection = Collection("c", tmp_path / "e.db", model=model)
    collection.embed_multi([("a", "alpha"), ("b", "beta"), ("c", "gamma")], store=True)
    assert collection.count() == 3
    sent = sum(len(b) for b in model.batches)
    collection.embed_multi_with_metadata(
        [("a", "alpha", None), ("b", "beta changed", {"v": 2}), ("d", "delta", None)],
        batch_size=10,
    )
    assert sum(len(b) for b in model.batches) - sent == 2  # a was unchanged
    assert collection.count() == 4
    (entry,) = collection.similar("beta changed", number=1)
    assert (entry.id, entry.content, entry.metadata) == ("b", None, {"v": 2})


def test_similar_by_id_prefix_and_delete(tmp_path: Path) -> None:
    collection = Collection("c", tmp_path / "e.db", model=SyncHashEmbed())
    collection.embed_multi(
        [("bird/1", "water birds"), ("bird/2", "water birds fly"), ("code", "rust")]
    )
    ids = [e.id for e in collection.similar_by_id("bird/1")]
    assert ids[0] == "bird/2" and "bird/1" not in ids
    birds = collection.similar("rust", prefix="bird/")
    assert {e.id for e in birds} == {"bird/1", "bird/2"}
    assert len(collection.similar("water", number=1)) == 1
    with pytest.raises(Collection.DoesNotExist, match="ID not found"):
        collection.similar_by_id("missing")
    assert Collection.exists(tmp_path / "e.db", "c")
    collection.delete()
    assert not Collection.exists(tmp_path / "e.db", "c")
    assert not Collection.exists(tmp_path / "nothing.db", "c")


def test_collection_creation_rules(tmp_path: Path) -> None:
    path = tmp_path / "e.db"
    with pytest.raises(llm.CollectionDoesNotExist, match="Collection 'x' does not"):
        Collection("x", path, create=False).count()
    with pytest.raises(ValueError, match="Either model= or model_id= must be"):
        Collection("x", path).count()
    model = SyncHashEmbed()
    llm.register_embedding_model(model, async_model=model, aliases=["hashy"])
    created = Collection("x", path, model_id="hashy")
    assert created.model() is model
    assert created.model_id == "hash-16"
    # An existing collection keeps its model id and finds the model by it.
    reopened = Collection("x", path, create=False).open()
    assert reopened.model_id == "hash-16"
    assert reopened.model() is model


def test_reads_the_database_llm_wrote(tmp_path: Path) -> None:
    path = tmp_path / "llm.db"
    shutil.copy(LLM_DB, path)
    collection = Collection("animals", path, model=SyncHashEmbed())
    assert collection.count() == 6
    found = collection.similar("water birds")
    pairs = sorted(((e.id, e.score) for e in found), key=lambda p: (-p[1], p[0]))
    assert pairs == LLM_SIMILAR_WATER_BIRDS
    assert found[-1].metadata == {"kind": "food"}
    # Our writes land next to llm's, with llm's skip-by-content rule.
    collection.embed("heron2", "Herons are long legged birds that wade in water")
    collection.embed("owl", "Owls are birds of the night", store=True)
    assert collection.count() == 7


def test_llm_reads_what_we_wrote(tmp_path: Path) -> None:
    pytest.importorskip("llm")
    import llm as upstream
    import sqlite_utils

    path = tmp_path / "ours.db"
    ours = Collection("animals", path, model=SyncHashEmbed())
    items = json.loads((LLM_DB.parent / "items.json").read_text())
    ours.embed_multi([(i["id"], i["content"]) for i in items], store=True)
    ours.embed("cake", "Cake is baked from flour sugar and eggs", {"k": 1}, True)
    ours.close()

    class HashEmbed(upstream.EmbeddingModel):  # type: ignore[misc]
        model_id = "hash-16"

        def embed_batch(self, items: Sequence[str]) -> Iterator[list[float]]:
            return (hash_vector(item) for item in items)

    theirs = upstream.Collection(
        "animals", sqlite_utils.Database(path), model=HashEmbed()
    )
    assert theirs.count() == 6
    found = theirs.similar("water birds")
    pairs = sorted(((e.id, e.score) for e in found), key=lambda p: (-p[1], p[0]))
    assert pairs == LLM_SIMILAR_WATER_BIRDS
    assert found[-1].metadata == {"k": 1}
    # And llm writes into our file without migrating it again.
    theirs.embed("owl", "Owls hunt at night", store=True)
    assert Collection("animals", path, model=SyncHashEmbed()).count() == 7
