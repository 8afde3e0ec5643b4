"""Logging to llm's logs.db and reading it back, in both facades."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

import llm_async
from tests.logs_support import connect, message_hash

FIXTURE_DB = Path(__file__).parent.parent / "fixtures" / "llm_logs" / "llm-0.36-logs.db"


async def test_log_to_db_then_continue_from_the_database(tmp_path: Path) -> None:
    db = tmp_path / "logs.db"
    model = llm_async.get_async_model("echo")
    conversation = model.conversation()
    first = conversation.prompt("first", system="sys")
    turn = await first.log_to_db(db)
    assert turn == first.id
    second = conversation.prompt("second")
    await second.log_to_db(db)

    loaded = await llm_async.AsyncConversation.from_db(db)
    assert loaded.id == conversation.id
    assert [r.prompt.prompt for r in loaded.responses] == ["first", "second"]
    third = await loaded.prompt("third").text()
    assert '"previous": [\n    "first",\n    "second"\n  ]' in third

    again = llm_async.AsyncResponse.from_row(db, {"id": second.id})
    assert await again.text() == await second.text()
    assert again.prompt.prompt == "second"
    assert (await again.usage()).output == (await second.usage()).output


async def test_a_new_database_has_llms_schema_and_migrations(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    response = llm_async.get_async_model("echo").prompt("hi")
    await response.log_to_db(db)
    conn = sqlite3.connect(db)
    fixture = sqlite3.connect(FIXTURE_DB)
    try:
        query = "select name from sqlite_master where type in ('table', 'view')"
        assert {r[0] for r in conn.execute(query)} == {
            r[0] for r in fixture.execute(query)
        }
        migrations = "select name from _llm_migrations"
        assert {r[0] for r in conn.execute(migrations)} == {
            r[0] for r in fixture.execute(migrations)
        }
        search = conn.execute("select prompt from turn_search_fts").fetchall()
        assert search == [("hi",)]
    finally:
        conn.close()
        fixture.close()


async def test_reads_a_database_written_by_llm(tmp_path: Path) -> None:
    db = tmp_path / "llm.db"
    shutil.copyfile(FIXTURE_DB, db)
    echo = llm_async.get_async_model("echo")
    with connect(db) as conn:
        first_thread = conn.execute(
            "select thread_id from turns order by id limit 1"
        ).fetchone()[0]
    conversation = await llm_async.AsyncConversation.from_db(
        db, first_thread, model=echo
    )
    assert conversation.name == "hello there"
    texts = [await r.text() for r in conversation.responses]
    assert texts == ["HELLO THERE", "AND AGAIN"]
    assert conversation.responses[0].prompt.messages[0].role == "system"
    # Our hashes are llm's: every stored message hashes to its own key.
    with connect(db) as conn:
        rows = conn.execute("select hash, parent_hash from messages").fetchall()
        chain = await conversation.responses[-1].messages()
        messages = [*conversation.responses[-1].prompt.messages, *chain]
        parent = None
        hashes = []
        for message in messages:
            parent = message_hash(message, parent)
            hashes.append(parent)
        assert set(hashes) <= {row[0] for row in rows}
    # Continuing it appends to llm's thread.
    reply = conversation.prompt("more")
    await reply.log_to_db(db)
    with connect(db) as conn:
        count = conn.execute(
            "select count(*) from turns where thread_id = ?", [conversation.id]
        ).fetchone()[0]
    assert count == 3


async def test_an_unrelated_database_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "other.db"
    conn = sqlite3.connect(db)
    conn.execute("create table t (x)")
    conn.commit()
    conn.close()
    response = llm_async.get_async_model("echo").prompt("hi")
    with pytest.raises(llm_async.ConfigError, match="not an llm log database"):
        await response.log_to_db(db)
