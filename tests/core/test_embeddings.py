"""Embeddings, sans-I/O: llm's vector format, similarity, the store, OpenAI bodies."""

from __future__ import annotations

import base64
import json
import sqlite3
import struct
from pathlib import Path

import httpx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import llm_async
from llm_async._core.embeddings import batched, check_item, content_hash
from llm_async._core.embeddings_db import EmbeddingsStore, StoredRow
from llm_async.providers.openai.embeddings import (
    EMBEDDING_SPECS,
    OpenAIEmbeddingProvider,
    decode_vector,
)
from tests.embedding_support import LLM_DB, LLM_SIMILAR_WATER_BIRDS, hash_vector

floats32 = st.floats(width=32, allow_nan=False, allow_infinity=False)


@given(st.lists(floats32, max_size=64))
def test_encode_decode_round_trip_is_numpy_compatible(values: list[float]) -> None:
    encoded = llm_async.encode(values)
    assert len(encoded) == 4 * len(values)
    assert llm_async.decode(encoded) == tuple(values)
    assert np.frombuffer(encoded, "<f4").tolist() == values


def test_decode_returns_a_tuple_and_rejects_odd_lengths() -> None:
    assert llm_async.decode(struct.pack("<2f", 1.5, -2.0)) == (1.5, -2.0)
    with pytest.raises(ValueError, match="multiple of 4 bytes long, not 5"):
        llm_async.decode(b"12345")


def test_cosine_similarity_as_llm() -> None:
    assert llm_async.cosine_similarity([1, 0], [0, 1]) == 0
    assert llm_async.cosine_similarity([1, 2], [2, 4]) == pytest.approx(1)
    assert llm_async.cosine_similarity([1, 0], [-1, 0]) == -1
    with pytest.raises(ZeroDivisionError):
        llm_async.cosine_similarity([0, 0], [1, 1])


def test_content_hash_is_md5_of_utf8() -> None:
    import hashlib

    assert content_hash("héron") == hashlib.md5("héron".encode()).digest()
    assert content_hash(b"\x00\x01") == hashlib.md5(b"\x00\x01").digest()
    assert llm_async.AsyncCollection.content_hash("x") == content_hash("x")


def test_batched() -> None:
    assert list(batched(range(5), 2)) == [[0, 1], [2, 3], [4]]
    assert list(batched(range(3), None)) == [[0, 1, 2]]
    assert list(batched([], None)) == []
    for bad in (0, -1, True):
        with pytest.raises(ValueError, match="batch_size must be a positive integer"):
            list(batched([1], bad))


def test_check_item_messages() -> None:
    class TextOnly:
        supports_text, supports_binary = True, False

    class BinaryOnly:
        supports_text, supports_binary = False, True

    with pytest.raises(ValueError, match=r"^This model does not support binary data"):
        check_item(TextOnly(), b"x")
    with pytest.raises(ValueError, match=r"^This model does not support text strings"):
        check_item(BinaryOnly(), "x")
    with pytest.raises(TypeError, match="Can only embed str or bytes, not int"):
        check_item(TextOnly(), 3)
    check_item(TextOnly(), "x")
    check_item(BinaryOnly(), b"x")


# -- the store ------------------------------------------------------------------


def _schema(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    return sorted(
        conn.execute("select name, sql from sqlite_master where sql is not null")
    )


def test_new_database_has_llms_exact_schema_and_migration_rows(tmp_path: Path) -> None:
    store = EmbeddingsStore(tmp_path / "ours.db")
    theirs = sqlite3.connect(LLM_DB)
    assert _schema(store.conn) == _schema(theirs)
    ours_applied = store.conn.execute(
        "select migration_set, name from _sqlite_migrations order by id"
    ).fetchall()
    assert (
        ours_applied
        == theirs.execute(
            "select migration_set, name from _sqlite_migrations order by id"
        ).fetchall()
    )
    # Opening again changes nothing.
    EmbeddingsStore(tmp_path / "ours.db")
    assert len(store.conn.execute("select * from _sqlite_migrations").fetchall()) == 5


def test_a_database_from_an_older_llm_is_refused(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "old.db")
    conn.execute("create table collections (id integer primary key, name, model)")
    with pytest.raises(ValueError, match=r"older version of llm.*llm collections list"):
        EmbeddingsStore(conn)


def test_db_argument_kinds(tmp_path: Path) -> None:
    import sqlite_utils

    for db in (
        None,
        str(tmp_path / "a.db"),
        tmp_path / "b.db",
        sqlite3.connect(tmp_path / "c.db"),
        sqlite_utils.Database(tmp_path / "d.db"),
    ):
        assert EmbeddingsStore(db).collection("missing") is None
    with pytest.raises(TypeError, match="db= must be a file path"):
        EmbeddingsStore(42)


def test_reads_the_collections_llm_wrote() -> None:
    store = EmbeddingsStore(sqlite3.connect(LLM_DB))
    assert store.collection("animals") == (1, "hash-16")
    assert store.collection("other") == (2, "hash-16")
    assert store.count(1) == 6
    vector = hash_vector("water birds")
    for found in (
        store.similar_by_vector(1, vector, 10),
        store.similar_python(1, vector, 10),
    ):
        # Equal scores come in no promised order (SQLite's sort, in llm).
        pairs = [(e.id, e.score) for e in found]
        assert sorted(pairs, key=lambda p: (-p[1], p[0])) == LLM_SIMILAR_WATER_BIRDS
    cake = store.similar_by_vector(1, hash_vector("cake flour sugar"), 1)[0]
    assert (cake.id, cake.content, cake.metadata) == (
        "cake",
        "Cake is baked from flour sugar and eggs",
        {"kind": "food"},
    )


def _filled(rows: list[tuple[str, list[float]]], numpy: bool) -> EmbeddingsStore:
    store = EmbeddingsStore(use_numpy=numpy)
    collection = store.create_collection("c", "m")
    store.upsert(
        collection,
        [
            StoredRow(id, llm_async.encode(v), None, None, content_hash(id), None)
            for id, v in rows
        ],
    )
    return store


vectors = st.lists(st.integers(-3, 3).map(float), min_size=3, max_size=3).filter(any)


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(st.sampled_from(["a1", "a2", "b1", "b_", "c%"]), vectors),
    vectors,
    st.integers(0, 6),
    st.sampled_from([None, "a", "b_", "C"]),
    st.sampled_from([None, "a1", "zz"]),
)
def test_numpy_and_python_scoring_agree(
    stored: dict[str, list[float]],
    query: list[float],
    number: int,
    prefix: str | None,
    skip_id: str | None,
) -> None:
    rows = sorted(stored.items())
    fast, slow = _filled(rows, True), _filled(rows, False)
    got = fast.similar_by_vector(1, query, number, skip_id=skip_id, prefix=prefix)
    want = slow.similar_by_vector(1, query, number, skip_id=skip_id, prefix=prefix)
    assert [e.id for e in got] == [e.id for e in want]
    assert [e.score for e in got] == pytest.approx([e.score for e in want], abs=1e-12)


def test_the_numpy_matrix_follows_writes_from_any_connection(tmp_path: Path) -> None:
    path = tmp_path / "e.db"
    store = EmbeddingsStore(path, use_numpy=True)
    collection = store.create_collection("c", "m")
    row = StoredRow("x", llm_async.encode([1, 0]), None, None, b"h", None)
    store.upsert(collection, [row])
    assert [e.id for e in store.similar_by_vector(collection, [1, 0])] == ["x"]
    # This connection's write...
    store.upsert(
        collection, [StoredRow("y", llm_async.encode([0, 1]), *[None] * 2, b"i", None)]
    )
    assert [e.id for e in store.similar_by_vector(collection, [0, 1], 1)] == ["y"]
    # ...and another connection's commit are both seen.
    other = sqlite3.connect(path)
    with other:
        other.execute("delete from embeddings where id = 'y'")
    assert [e.id for e in store.similar_by_vector(collection, [0, 1])] == ["x"]


def test_similar_by_vector_errors() -> None:
    store = _filled([("a", [1.0, 2.0])], True)
    with pytest.raises(ValueError, match=r"query vector has 3 dimensions.*have 2"):
        store.similar_by_vector(1, [1.0, 2.0, 3.0])
    with pytest.raises(ZeroDivisionError):
        store.similar_by_vector(1, [0.0, 0.0])
    with pytest.raises(ValueError, match="number must be 0 or a positive integer"):
        store.similar_by_vector(1, [1.0, 2.0], -1)
    assert store.similar_by_vector(1, [1.0, 2.0], 0) == []
    assert store.similar_by_vector(2, [1.0, 2.0]) == []  # no such collection


# -- OpenAI ---------------------------------------------------------------------


def test_llms_openai_models_and_aliases() -> None:
    table = {spec.model_id: (spec.aliases, spec.dimensions) for spec in EMBEDDING_SPECS}
    assert table == {
        "text-embedding-ada-002": (("ada", "ada-002"), None),
        "text-embedding-3-small": (("3-small",), None),
        "text-embedding-3-large": (("3-large",), None),
        "text-embedding-3-small-512": (("3-small-512",), 512),
        "text-embedding-3-large-256": (("3-large-256",), 256),
        "text-embedding-3-large-1024": (("3-large-1024",), 1024),
    }


def test_openai_request(monkeypatch: pytest.MonkeyPatch) -> None:
    provider = OpenAIEmbeddingProvider("text-embedding-3-small", dimensions=512)
    request = provider.build_request(["a", "b"], key="sk-test")
    assert request.method == "POST"
    assert str(request.url) == "https://api.openai.com/v1/embeddings"
    assert request.headers["authorization"] == "Bearer sk-test"
    assert json.loads(request.content) == {
        "input": ["a", "b"],
        "model": "text-embedding-3-small",
        "dimensions": 512,
        "encoding_format": "base64",
    }
    monkeypatch.setenv("OPENAI_BASE_URL", "http://localhost:8080/v1/")
    plain = OpenAIEmbeddingProvider("m", encoding_format="float")
    request = plain.build_request(["a"], key=None)
    assert str(request.url) == "http://localhost:8080/v1/embeddings"
    assert "authorization" not in request.headers
    assert json.loads(request.content)["encoding_format"] == "float"
    with pytest.raises(ValueError, match="does not support binary data"):
        plain.build_request([b"x"], key=None)
    with pytest.raises(ValueError, match="encoding_format must be"):
        OpenAIEmbeddingProvider("m", encoding_format="int8")


def test_openai_parse_both_encodings_by_index() -> None:
    provider = OpenAIEmbeddingProvider("m")
    packed = base64.b64encode(struct.pack("<2f", 0.5, -1.25)).decode()
    data = {
        "data": [
            {"index": 1, "embedding": packed},
            {"index": 0, "embedding": [1.0, 2.0]},
        ]
    }
    assert provider.parse_response(data, 2) == [[1.0, 2.0], [0.5, -1.25]]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "no list of embeddings"),
        ({"data": [{"index": 0, "embedding": [1.0]}]}, "Asked for 2 embeddings"),
        ({"data": [{"index": 0}, {"index": 1}]}, "has no embedding"),
        (
            {"data": [{"index": 0, "embedding": []}, {"index": 5, "embedding": []}]},
            "bad index: 5",
        ),
        (
            {"data": [{"index": 0, "embedding": []}, {"index": 0, "embedding": []}]},
            "Two embeddings have the index 0",
        ),
        (
            {"data": [{"embedding": "!!"}, {"embedding": []}]},
            "neither a list of numbers nor base64",
        ),
        (
            {"data": [{"embedding": "AAA="}, {"embedding": []}]},
            "not a multiple of 4",
        ),
        ({"data": [{"embedding": 3}, {"embedding": []}]}, "not int"),
    ],
)
def test_openai_parse_errors(data: object, message: str) -> None:
    with pytest.raises(llm_async.ResponseDecodeError, match=message):
        OpenAIEmbeddingProvider("m").parse_response(data, 2)


def test_decode_vector_keeps_a_json_list() -> None:
    values = [1.0, 2.5]
    assert decode_vector(values) is values


def test_openai_error_body() -> None:
    provider = OpenAIEmbeddingProvider("m")
    body = {"error": {"message": "Too long", "code": "context_length_exceeded"}}
    assert provider.error_message(400, body) == ("Too long", "context_length_exceeded")
    assert isinstance(provider.build_request(["a"], key=None), httpx.Request)
