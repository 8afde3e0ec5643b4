"""llm-async embed / similar / embed-models, through click's runner (and once as a
real process), against the hash-16 test model, llm's own database and a
synthetic OpenAI /embeddings server."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import respx
from click.testing import CliRunner

import llm_sync
from llm_async._core.embeddings import encode
from llm_async.cli import cli
from tests.embedding_support import (
    EMBEDDINGS_URL,
    LLM_DB,
    LLM_SIMILAR_WATER_BIRDS,
    AsyncHashEmbed,
    SyncHashEmbed,
    hash_vector,
    reset_registry,
    synthetic_embeddings,
    synthetic_vector,
)

SRC = Path(__file__).resolve().parent.parent / "src"


def run(*args: str, input: str | bytes | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


@pytest.fixture(autouse=True)
def no_embedding_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LLM_EMBEDDINGS_DB", raising=False)
    monkeypatch.delenv("LLM_EMBEDDING_MODEL", raising=False)


@pytest.fixture
def hash_model() -> Iterator[SyncHashEmbed]:
    """hash-16 (alias hash), as llm's test plugin registers it, in both facades."""
    model = SyncHashEmbed()
    llm_sync.register_embedding_model(
        model, async_model=AsyncHashEmbed(), aliases=["hash"]
    )
    yield model
    reset_registry()


@pytest.fixture
def llm_db(tmp_path: Path) -> Path:
    """A copy of the database llm 0.36 wrote (collection animals, hash-16)."""
    path = tmp_path / "llm.db"
    shutil.copy(LLM_DB, path)
    return path


def lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines()]


# embed ---------------------------------------------------------------------------


def test_embed_prints_the_vector_as_json(hash_model: SyncHashEmbed) -> None:
    result = run("embed", "-m", "hash", "-c", "Water birds wade")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == hash_vector("Water birds wade")
    assert hash_model.batches == [["Water birds wade"]]


@pytest.mark.parametrize(
    ("format_", "expected"),
    [
        ("hex", lambda blob: blob.hex() + "\n"),
        ("base64", lambda blob: base64.b64encode(blob).decode("ascii") + "\n"),
    ],
)
def test_embed_formats(hash_model: SyncHashEmbed, format_: str, expected: Any) -> None:
    result = run("embed", "-m", "hash-16", "-c", "a pelican", "-f", format_)
    assert result.exit_code == 0, result.output
    assert result.output == expected(encode(hash_vector("a pelican")))


def test_embed_blob_format_writes_the_raw_bytes(hash_model: SyncHashEmbed) -> None:
    result = run("embed", "-m", "hash", "-c", "a pelican", "-f", "blob")
    assert result.exit_code == 0
    assert result.stdout_bytes == encode(hash_vector("a pelican")) + b"\n"


def test_embed_reads_stdin_and_files(hash_model: SyncHashEmbed, tmp_path: Path) -> None:
    assert json.loads(run("embed", "-m", "hash", input="from stdin").output) == (
        hash_vector("from stdin")
    )
    note = tmp_path / "note.txt"
    note.write_text("from a file", "utf-8")
    assert json.loads(run("embed", "-m", "hash", "-i", str(note)).output) == (
        hash_vector("from a file")
    )
    assert json.loads(run("embed", "-m", "hash", "-i", "-", input="dash").output) == (
        hash_vector("dash")
    )
    text_only = run("embed", "-m", "hash", "--binary", "-i", str(note))
    assert text_only.exit_code == 1
    assert "does not support binary data" in text_only.output
    hash_model.supports_binary = True
    assert run("embed", "-m", "hash", "--binary", "-i", str(note)).exit_code == 0
    assert hash_model.batches[-1] == [b"from a file"]


def test_embed_uses_the_default_embedding_model(hash_model: SyncHashEmbed) -> None:
    missing = run("embed", "-c", "x")
    assert missing.exit_code == 1
    assert "No embedding model given and no default is set" in missing.output
    assert "hash-16" in missing.output  # the known models are listed
    assert run("embed-models", "default").output == "<No default model set>\n"
    assert run("embed-models", "default", "hash").exit_code == 0
    assert llm_sync.get_default_embedding_model() == "hash-16"
    assert run("embed-models", "default").output == "hash-16\n"
    assert json.loads(run("embed", "-c", "x").output) == hash_vector("x")
    assert run("embed-models", "default", "--remove-default").exit_code == 0
    assert llm_sync.get_default_embedding_model() is None


def test_embed_models_lists_models_and_aliases(hash_model: SyncHashEmbed) -> None:
    result = run("embed-models")
    assert result.exit_code == 0
    assert "SyncHashEmbed: hash-16 (aliases: hash)" in result.output.splitlines()
    assert "text-embedding-3-small" in result.output
    filtered = run("embed-models", "list", "-q", "hash").output.splitlines()
    assert filtered == ["SyncHashEmbed: hash-16 (aliases: hash)"]


def test_embed_into_a_collection_stores_in_the_user_embeddings_db(
    hash_model: SyncHashEmbed, user_path: Path
) -> None:
    result = run(
        "embed", "birds", "pelican", "-m", "hash", "-c", "Pelicans are water birds",
        "--store", "--metadata", '{"kind": "bird"}',
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output == ""
    db = user_path / "embeddings.db"
    # A second item: the collection keeps its model, no -m needed.
    assert run("embed", "birds", "owl", "-c", "Owls hunt at night").exit_code == 0
    collection = llm_sync.Collection("birds", str(db), create=False)
    try:
        assert (collection.model_id, collection.count()) == ("hash-16", 2)
        [best] = collection.similar("water birds", number=1)
    finally:
        collection.close()
    assert (best.id, best.content, best.metadata) == (
        "pelican",
        "Pelicans are water birds",
        {"kind": "bird"},
    )


def test_embed_into_the_database_named_by_the_environment(
    hash_model: SyncHashEmbed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "sub" / "env.db"
    monkeypatch.setenv("LLM_EMBEDDINGS_DB", str(db))
    monkeypatch.setenv("LLM_EMBEDDING_MODEL", "hash")
    assert run("embed", "c", "one", "-c", "first").exit_code == 0
    assert llm_sync.Collection.exists(str(db), "c")


def test_embed_adds_to_llms_collection(hash_model: SyncHashEmbed, llm_db: Path) -> None:
    result = run("embed", "animals", "owl", "-d", str(llm_db), "-c", "Owls are birds")
    assert result.exit_code == 0, result.output
    collection = llm_sync.Collection("animals", str(llm_db), create=False)
    try:
        assert collection.count() == 7
    finally:
        collection.close()


def test_embed_usage_errors(hash_model: SyncHashEmbed) -> None:
    cases = {
        ("embed", "birds", "-c", "x"): "Give both COLLECTION and ID",
        ("embed", "-m", "hash", "-c", "x", "--store"): "--store needs COLLECTION",
        ("embed", "-m", "hash", "-c", "x", "--metadata", "{}"): "--metadata needs",
        ("embed", "b", "i", "-m", "hash", "-c", "x", "-f", "hex"): "-f/--format",
        ("embed", "b", "i", "-c", "x", "--metadata", "[1]"): "must be a JSON object",
        (
            "embed",
            "b",
            "i",
            "-c",
            "x",
            "--metadata",
            "{",
        ): "Invalid value for --metadata: not JSON",
        ("embed", "-m", "hash", "-c", ""): "The content to embed is empty",
    }
    for args, message in cases.items():
        result = run(*args)
        assert result.exit_code == 2, args
        assert message in result.output, (args, result.output)
        assert "Traceback" not in result.output


def test_embed_unknown_model_suggests_close_names(hash_model: SyncHashEmbed) -> None:
    result = run("embed", "-m", "hash-1", "-c", "x")
    assert result.exit_code == 1
    assert "Unknown embedding model: hash-1. Did you mean: hash-16" in result.output
    assert "`llm-async embed-models`" in result.output


def test_embed_with_openai_through_the_synthetic_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with respx.mock() as router:
        router.post(EMBEDDINGS_URL).mock(side_effect=synthetic_embeddings)
        missing = run("embed", "-m", "3-small-512", "-c", "hello")
        assert missing.exit_code == 1
        assert "run `llm-async keys set openai`" in missing.output
        assert "OPENAI_API_KEY" in missing.output
        result = run("embed", "-m", "3-small-512", "-c", "hello", "--key", "sk-x")
        assert result.exit_code == 0, result.output
        assert json.loads(result.output) == synthetic_vector("hello", 512)
        [call] = router.calls
        assert call.request.headers["authorization"] == "Bearer sk-x"


# similar -------------------------------------------------------------------------


def _pairs(output: str) -> list[tuple[str, float]]:
    found = [(row["id"], row["score"]) for row in lines(output)]
    return sorted(found, key=lambda pair: (-pair[1], pair[0]))


def test_similar_matches_what_llm_printed(
    hash_model: SyncHashEmbed, llm_db: Path
) -> None:
    result = run("similar", "animals", "-c", "water birds", "-d", str(llm_db))
    assert result.exit_code == 0, result.output
    pairs = _pairs(result.output)
    assert [id for id, _ in pairs] == [id for id, _ in LLM_SIMILAR_WATER_BIRDS]
    assert [score for _, score in pairs] == pytest.approx(
        [score for _, score in LLM_SIMILAR_WATER_BIRDS]
    )
    rows = {row["id"]: row for row in lines(result.output)}
    assert list(rows["cake"]) == ["id", "score", "content", "metadata"]
    assert rows["cake"]["metadata"] == {"kind": "food"}
    assert rows["pelican"]["content"].startswith("Pelicans are large water birds")


def test_similar_number_prefix_and_stdin(
    hash_model: SyncHashEmbed, llm_db: Path
) -> None:
    two = run("similar", "animals", "-c", "water birds", "-d", str(llm_db), "-n", "2")
    assert {row["id"] for row in lines(two.output)} == {"heron", "pelican"}
    piped = run("similar", "animals", "-d", str(llm_db), "--prefix", "p", input="water")
    assert {row["id"] for row in lines(piped.output)} == {"pelican", "python"}


def test_similar_by_id_leaves_the_item_out(llm_db: Path) -> None:
    # No model is needed: the stored vector is compared.
    result = run("similar", "animals", "pelican", "-d", str(llm_db))
    assert result.exit_code == 0, result.output
    ids = [row["id"] for row in lines(result.output)]
    assert ids[0] == "heron" and "pelican" not in ids and len(ids) == 5


def test_similar_plain_output(hash_model: SyncHashEmbed, llm_db: Path) -> None:
    result = run(
        "similar", "animals", "-c", "water birds", "-d", str(llm_db), "--prefix", "c",
        "-p",
    )  # fmt: skip
    assert result.exit_code == 0
    text = "Cake is baked from flour sugar and eggs"
    assert result.output == f'cake (0.0)\n\n  {text}\n  {{"kind": "food"}}\n\n'


def test_similar_errors(
    hash_model: SyncHashEmbed, llm_db: Path, tmp_path: Path
) -> None:
    missing_db = tmp_path / "none.db"
    cases = {
        ("similar", "animals", "x", "-d", str(missing_db)): "No embeddings database",
        ("similar", "nope", "x", "-d", str(llm_db)): "Collection does not exist: nope",
        ("similar", "animals", "dodo", "-d", str(llm_db)): "ID not found",
    }
    for args, message in cases.items():
        result = run(*args)
        assert result.exit_code == 1, args
        assert message in result.output, (args, result.output)
    assert not missing_db.exists()
    both = run("similar", "animals", "heron", "-c", "x", "-d", str(llm_db))
    assert both.exit_code == 2 and "not both" in both.output
    (tmp_path / "junk.db").write_text("not a database")
    junk = run("similar", "animals", "x", "-d", str(tmp_path / "junk.db"))
    assert junk.exit_code == 1 and "not a database" in junk.output


def test_similar_names_a_missing_model(llm_db: Path) -> None:
    result = run("similar", "animals", "-c", "water", "-d", str(llm_db))
    assert result.exit_code == 1
    assert "made with the embedding model hash-16, which is not installed" in (
        result.output
    )


def test_similar_output_is_what_the_real_llm_prints(
    hash_model: SyncHashEmbed, llm_db: Path
) -> None:
    """llm 0.36's own `similar` command, run in-process with its test plugin."""
    pytest.importorskip("llm")
    import llm.cli
    import llm.plugins

    sys.path.insert(0, str(LLM_DB.parent))
    try:
        import llm_hash_embed

        llm.plugins.pm.register(llm_hash_embed, name="test-hash-embed")
    finally:
        sys.path.remove(str(LLM_DB.parent))
    try:
        for args in (["heron"], ["-c", "water birds"], ["pelican", "-p"]):
            argv = ["similar", "animals", *args, "-d", str(llm_db)]
            theirs = CliRunner().invoke(llm.cli.cli, argv, catch_exceptions=False)
            ours = run(*argv)
            assert ours.exit_code == theirs.exit_code == 0
            assert sorted(ours.output.splitlines()) == sorted(
                theirs.output.splitlines()
            )
    finally:
        llm.plugins.pm.unregister(name="test-hash-embed")


def test_similar_as_a_real_process(llm_db: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "llm_sync", "similar", "animals", "rust", "-n", "1"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SRC), "LLM_EMBEDDINGS_DB": str(llm_db)},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert [row["id"] for row in lines(done.stdout)] == ["python"]
