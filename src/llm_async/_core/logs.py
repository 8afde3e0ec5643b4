"""``logs.db``: the log ``llm`` keeps, read and written in its own schema.

Both facades share this module: it is blocking ``sqlite3`` code that the async
API runs in a worker thread. A response is stored the way ``llm`` 0.36 stores
it, in the content-addressed message store:

- ``messages(hash, parent_hash, role, provider_metadata)``: one row per message
  of a chain; ``hash`` covers the parent, so shared history is stored once;
- ``parts(message_hash, position, type, tool_name, text, payload)``: the
  message's parts (literal text in ``text``, the rest of ``to_dict()`` as JSON);
- ``threads(id, name, tip_message_hash, ...)``: a conversation, by its id;
- ``turns``: one model call (model, options, usage, timing, the input tip
  ``parent_message_hash`` and the output tip ``tip_message_hash``);
- ``turn_search``, ``schemas``, ``attachments`` and ``part_attachments``.

So ``llm logs`` lists what we log, and ``llm -c`` continues it; we read what
``llm`` logged the same way. A new database gets ``llm``'s full schema
(``logs_schema.py``) and its migration names, so ``llm`` finds nothing to do.
Fragments are stored inline (as ``llm`` does when it is given none), and tool
definitions are not recorded per turn.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llm_async._core.attachments import Attachment
from llm_async._core.errors import ConfigError
from llm_async._core.parts import AttachmentPart, Message, Part, ToolResultPart
from llm_async._core.serialize import (
    ConversationDict,
    MessageDict,
    ResponseDict,
    options_dict,
)
from llm_async._core.types import JSONMapping, JSONObject

if TYPE_CHECKING:
    from llm_async._core.response_base import ResponseBase

__all__ = [
    "LOGS_FILE",
    "LOGS_OFF_FILE",
    "connect",
    "conversation_dict",
    "last_user_text",
    "latest_conversation_id",
    "legacy_response_dict",
    "log_response",
    "logs_db_path",
    "logs_enabled",
    "message_hash",
    "recent_turns",
    "response_dict",
    "turn_row",
]

LOGS_FILE = "logs.db"
# Its presence in the user directory turns the command line's logging off.
LOGS_OFF_FILE = "logs-off"
_NAME_LENGTH = 32
_HASH_PREFIX = "b2:"


def logs_db_path() -> Path:
    """Where ``llm`` and our command line log: ``user_dir() / "logs.db"``."""
    from llm_async._core.config import user_dir

    return Path(user_dir()) / LOGS_FILE


def logs_enabled() -> bool:
    """False once ``llm logs off`` (or ``llm-async logs off``) has run."""
    from llm_async._core.config import user_dir

    return not (Path(user_dir()) / LOGS_OFF_FILE).exists()


@contextmanager
def connect(db: Any) -> Iterator[sqlite3.Connection]:
    """A connection to ``db`` with the schema in place, committed on success.

    ``db`` is a path, a ``sqlite3.Connection`` or anything with a ``conn``
    attribute holding one (a ``sqlite_utils.Database``, as ``llm`` passes).
    A connection opened here is closed on exit.
    """
    if isinstance(db, sqlite3.Connection):
        conn, owned = db, False
    elif isinstance(getattr(db, "conn", None), sqlite3.Connection):
        conn, owned = db.conn, False
    elif isinstance(db, (str, os.PathLike)):
        Path(db).parent.mkdir(parents=True, exist_ok=True)
        conn, owned = sqlite3.connect(os.fspath(db)), True
    else:
        raise TypeError(
            "db must be a path, a sqlite3.Connection or a sqlite_utils.Database, "
            f"not {type(db).__name__}"
        )
    try:
        _ensure_schema(conn)
        with conn:
            yield conn
    finally:
        if owned:
            conn.close()


def _ensure_schema(conn: sqlite3.Connection) -> None:
    from llm_async._core.logs_schema import MIGRATIONS, SCHEMA

    tables = {row[0] for row in conn.execute("select name from sqlite_master")}
    if "_llm_migrations" not in tables:
        if tables - {"sqlite_sequence"}:
            raise ConfigError(
                "This database has tables but is not an llm log database; "
                "pass the path of a logs.db or of a new file"
            )
        now = str(datetime.datetime.now(datetime.timezone.utc))
        with conn:
            for statement in SCHEMA:
                conn.execute(statement)
            conn.executemany(
                "insert into _llm_migrations (name, applied_at) values (?, ?)",
                [(name, now) for name in MIGRATIONS],
            )
        return
    applied = {row[0] for row in conn.execute("select name from _llm_migrations")}
    missing = [name for name in MIGRATIONS if name not in applied]
    if missing:
        raise ConfigError(
            "This logs.db was written by an older llm and needs its migrations "
            f"({missing[0]}, ...): run `llm logs -n 1` with llm 0.36 or later "
            "once to upgrade it, or log to a new file"
        )


# Hashing ---------------------------------------------------------------------


def _canonical_json(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _attachment_identity(attachment: Attachment) -> JSONObject:
    """An attachment as hashed: the sha256 of its bytes and its type."""
    if attachment.content is not None:
        content_id = hashlib.sha256(attachment.content).hexdigest()
    elif attachment.path is not None:
        try:
            content_id = hashlib.sha256(Path(attachment.path).read_bytes()).hexdigest()
        except OSError:
            content_id = f"missing:{attachment.path}"
    else:
        url = json.dumps({"url": attachment.url}).encode("utf-8")
        content_id = hashlib.sha256(url).hexdigest()
    try:
        kind = attachment.resolve_type()
    except OSError:
        kind = attachment.type
    return {"id": content_id, "type": kind}


def message_hash(message: Message, parent_hash: str | None) -> str:
    """The message's id in the store: ``"b2:"`` + blake2b-128 of the canonical
    JSON of ``{"parent": parent_hash, "message": message.to_dict()}``, with
    attachments replaced by their content id and type."""
    data = message.to_dict()
    for part, part_dict in zip(message.parts, data["parts"], strict=True):
        if isinstance(part, AttachmentPart) and part.attachment is not None:
            part_dict["attachment"] = _attachment_identity(part.attachment)
        if isinstance(part, ToolResultPart) and part.attachments:
            part_dict["attachments"] = [
                _attachment_identity(a) for a in part.attachments
            ]
    canonical = _canonical_json({"parent": parent_hash, "message": data})
    digest = hashlib.blake2b(canonical.encode("utf-8"), digest_size=16).hexdigest()
    return _HASH_PREFIX + digest


# Writing ---------------------------------------------------------------------


def _dump(value: JSONMapping | None) -> str | None:
    return json.dumps(value) if value else None


def _now() -> str:
    return str(datetime.datetime.now(datetime.timezone.utc))


def _conversation_name(text: str) -> str:
    text = re.sub(r"\s+", " ", text)
    if len(text) <= _NAME_LENGTH:
        return text
    return text[: _NAME_LENGTH - 1] + "…"


def _store_attachment(conn: sqlite3.Connection, attachment: Attachment) -> str:
    attachment_id = attachment.id()
    conn.execute(
        "insert or replace into attachments (id, type, path, url, content)"
        " values (?, ?, ?, ?, ?)",
        [
            attachment_id,
            attachment.resolve_type(),
            attachment.path,
            attachment.url,
            attachment.content,
        ],
    )
    return attachment_id


def _store_part(
    conn: sqlite3.Connection, message: str, position: int, part: Part
) -> None:
    payload = part.to_dict()
    kind = payload.pop("type")
    attachments: list[Attachment] = []
    if isinstance(part, AttachmentPart) and part.attachment is not None:
        attachments = [part.attachment]
    elif isinstance(part, ToolResultPart):
        attachments = list(part.attachments)
    ids = [_store_attachment(conn, a) for a in attachments]
    if kind == "attachment" and ids:
        payload["attachment"] = {"id": ids[0]}
    elif kind == "tool_result" and ids:
        payload["attachments"] = [{"id": i} for i in ids]
    text = payload.pop("text") if kind in ("text", "reasoning") else None
    cursor = conn.execute(
        "insert into parts (message_hash, position, type, tool_name, text, payload)"
        " values (?, ?, ?, ?, ?, ?)",
        [message, position, kind, payload.get("name"), text, _dump(payload)],
    )
    conn.executemany(
        'insert into part_attachments (part_id, attachment_id, "order")'
        " values (?, ?, ?)",
        [(cursor.lastrowid, i, order) for order, i in enumerate(ids)],
    )


def _store_chain(
    conn: sqlite3.Connection, messages: Sequence[Message], parent: str | None
) -> str | None:
    """Store each message not stored yet; the hash of the last one."""
    tip = parent
    for message in messages:
        digest = message_hash(message, tip)
        inserted = conn.execute(
            "insert or ignore into messages (hash, parent_hash, role,"
            " provider_metadata) values (?, ?, ?, ?)",
            [digest, tip, message.role, _dump(message.provider_metadata)],
        ).rowcount
        if inserted:
            for position, part in enumerate(message.parts):
                _store_part(conn, digest, position, part)
        tip = digest
    return tip


def _text_of(messages: Sequence[Message], role: str) -> str:
    return "".join(
        getattr(part, "text", "")
        for message in messages
        if message.role == role
        for part in message.parts
        if part.to_dict()["type"] == "text"
    )


def last_user_text(messages: Sequence[Message]) -> str:
    """The text the user typed for this turn: the last message's, if a user's."""
    return _text_of(messages[-1:], "user") if messages else ""


def write_response(db: object, response: ResponseBase) -> str:
    """Write a finished response to ``db`` (blocking); the turn id."""
    with connect(db) as conn:
        return log_response(conn, response)


def log_response(conn: sqlite3.Connection, response: ResponseBase) -> str:
    """Record a finished response as a turn of its conversation's thread.

    The thread is the conversation's id (a fresh one for a lone prompt); the
    turn id is the response id. Returns the turn id.
    """
    from llm_async._core.ulid import monotonic_ulid

    prompt = response.prompt
    conversation = response.conversation
    thread_id = conversation.id if conversation is not None else monotonic_ulid()
    conn.execute(
        "insert or ignore into threads (id, name, tip_message_hash, forked_from,"
        " datetime_utc) values (?, ?, null, null, ?)",
        [thread_id, _conversation_name(prompt.prompt or prompt.system or ""), _now()],
    )
    inputs = list(prompt.messages)
    outputs = response._state.messages()
    parent = _store_chain(conn, inputs, None)
    tip = _store_chain(conn, outputs, parent)
    schema_id = None
    if prompt.schema:
        schema_json = json.dumps(prompt.schema, separators=(",", ":"))
        schema_id = hashlib.blake2b(schema_json.encode(), digest_size=16).hexdigest()
        conn.execute(
            "insert or ignore into schemas (id, content) values (?, ?)",
            [schema_id, schema_json],
        )
    conn.execute(
        "insert or replace into turns (id, thread_id, parent_message_hash,"
        " tip_message_hash, model, resolved_model, options_json, schema_id,"
        " input_tokens, output_tokens, token_details, duration_ms, datetime_utc,"
        " response_json) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            response.id,
            thread_id,
            parent,
            tip,
            response.model.model_id,
            response.resolved_model,
            _dump(options_dict(prompt.options)),
            schema_id,
            response.input_tokens,
            response.output_tokens,
            _dump(response.token_details),
            response._duration_ms(),
            response._datetime_utc(),
            _dump(response.response_json),
        ],
    )
    conn.execute("delete from turn_search where turn_id = ?", [response.id])
    last_input = inputs[-1:] if inputs and inputs[-1].role == "user" else []
    conn.execute(
        "insert into turn_search (turn_id, prompt, response) values (?, ?, ?)",
        [response.id, _text_of(last_input, "user"), _text_of(outputs, "assistant")],
    )
    conn.execute(
        "update threads set tip_message_hash = ? where id = ?", [tip, thread_id]
    )
    return str(response.id)


# Reading ---------------------------------------------------------------------


def _rows(
    conn: sqlite3.Connection, sql: str, args: Sequence[object] = ()
) -> list[sqlite3.Row]:
    conn.row_factory = sqlite3.Row
    try:
        return list(conn.execute(sql, args))
    finally:
        conn.row_factory = None


def _chain(conn: sqlite3.Connection, tip: str | None) -> list[MessageDict]:
    """The messages ending at ``tip``, oldest first, as dicts."""
    rows = []
    while tip is not None:
        found = _rows(conn, "select * from messages where hash = ?", [tip])
        if not found:
            raise ValueError(f"logs.db has no message {tip}")
        rows.append(found[0])
        tip = found[0]["parent_hash"]
    rows.reverse()
    out: list[MessageDict] = []
    for row in rows:
        parts = [
            _part_dict(conn, part)
            for part in _rows(
                conn,
                "select * from parts where message_hash = ? order by position",
                [row["hash"]],
            )
        ]
        message: MessageDict = {"role": row["role"], "parts": parts}
        if row["provider_metadata"]:
            message["provider_metadata"] = json.loads(row["provider_metadata"])
        out.append(message)
    return out


def _part_dict(conn: sqlite3.Connection, row: sqlite3.Row) -> JSONObject:
    payload: JSONObject = json.loads(row["payload"]) if row["payload"] else {}
    payload["type"] = row["type"]
    if row["text"] is not None:
        payload["text"] = row["text"]
    pieces = payload.pop("text_ref", None)
    if pieces is not None:
        payload["text"] = "".join(
            piece["literal"] if "literal" in piece else _fragment(conn, piece)
            for piece in pieces
        )
    if row["type"] == "attachment" and "attachment" in payload:
        payload["attachment"] = _attachment_dict(conn, payload["attachment"]["id"])
    if row["type"] == "tool_result" and payload.get("attachments"):
        payload["attachments"] = [
            _attachment_dict(conn, ref["id"]) for ref in payload["attachments"]
        ]
    return payload


def _fragment(conn: sqlite3.Connection, piece: JSONMapping) -> str:
    found = conn.execute(
        "select content from fragments where id = ?", [piece["fragment"]]
    ).fetchone()
    return str(found[0]) if found else ""


def _attachment_dict(conn: sqlite3.Connection, attachment_id: str) -> JSONObject:
    found = _rows(conn, "select * from attachments where id = ?", [attachment_id])
    if not found:
        raise ValueError(f"logs.db has no attachment {attachment_id}")
    row = found[0]
    values = {k: row[k] for k in ("type", "path", "url") if row[k] is not None}
    if row["content"] is not None:
        values["content"] = bytes(row["content"])
    return Attachment(**values).to_dict()


def response_dict(conn: sqlite3.Connection, row: sqlite3.Row) -> ResponseDict:
    """The ``ResponseDict`` (``to_dict()`` form) of a ``turns`` row."""
    inputs = _chain(conn, row["parent_message_hash"])
    outputs = _chain(conn, row["tip_message_hash"])[len(inputs) :]
    data: ResponseDict = {
        "model": row["model"],
        "prompt": {"messages": inputs},
        "messages": outputs,
        "id": row["id"],
    }
    if row["options_json"]:
        data["prompt"]["options"] = json.loads(row["options_json"])
    usage: JSONObject = {}
    if row["input_tokens"] is not None:
        usage["input"] = row["input_tokens"]
    if row["output_tokens"] is not None:
        usage["output"] = row["output_tokens"]
    if row["token_details"]:
        usage["details"] = json.loads(row["token_details"])
    if usage:
        data["usage"] = usage  # type: ignore[typeddict-item]
    if row["datetime_utc"]:
        data["datetime_utc"] = row["datetime_utc"]
    if row["resolved_model"]:
        data["resolved_model"] = row["resolved_model"]
    return data


def legacy_response_dict(row: JSONMapping) -> ResponseDict:
    """The ``ResponseDict`` of a row of the legacy ``responses`` table (written
    by ``llm`` before 0.32): the prompt, system and answer as text."""
    inputs: list[MessageDict] = []
    if row.get("system"):
        inputs.append(
            {"role": "system", "parts": [{"type": "text", "text": row["system"]}]}
        )
    if row.get("prompt"):
        inputs.append(
            {"role": "user", "parts": [{"type": "text", "text": row["prompt"]}]}
        )
    output: list[MessageDict] = []
    if row.get("response"):
        output.append(
            {"role": "assistant", "parts": [{"type": "text", "text": row["response"]}]}
        )
    data: ResponseDict = {
        "model": row["model"],
        "prompt": {"messages": inputs},
        "messages": output,
        "id": row["id"],
    }
    if row.get("options_json") and json.loads(row["options_json"]):
        data["prompt"]["options"] = json.loads(row["options_json"])
    usage = {
        key: row.get(column)
        for key, column in (("input", "input_tokens"), ("output", "output_tokens"))
        if row.get(column) is not None
    }
    if usage:
        data["usage"] = usage  # type: ignore[typeddict-item]
    if row.get("datetime_utc"):
        data["datetime_utc"] = row["datetime_utc"]
    return data


def turn_row(conn: sqlite3.Connection, turn_id: str) -> sqlite3.Row:
    """The ``turns`` row of ``turn_id`` (``ValueError`` if there is none)."""
    found = _rows(conn, "select * from turns where id = ?", [turn_id])
    if not found:
        raise ValueError(f"logs.db has no response with id {turn_id}")
    return found[0]


def latest_conversation_id(conn: sqlite3.Connection) -> str | None:
    """The most recent conversation (thread), or ``None`` in an empty log."""
    found = conn.execute(
        "select id from (select id from threads union select id from conversations)"
        " order by id desc limit 1"
    ).fetchone()
    return str(found[0]) if found else None


def conversation_dict(conn: sqlite3.Connection, thread_id: str) -> ConversationDict:
    """A logged conversation in ``conversation.to_dict()`` form.

    Each turn becomes a response; the model is the latest turn's. Raises
    ``ValueError`` when no turn of ``thread_id`` is logged.
    """
    turns = _rows(
        conn, "select * from turns where thread_id = ? order by id", [thread_id]
    )
    if not turns:
        raise ValueError(f"No conversation found with id={thread_id}")
    names = conn.execute(
        "select name from threads where id = ?", [thread_id]
    ).fetchone()
    model = turns[-1]["model"]
    data: ConversationDict = {
        "id": thread_id,
        "model": model,
        "responses": [{**response_dict(conn, row), "model": model} for row in turns],
        "chain_limit": None,
    }
    if names and names[0]:
        data["name"] = names[0]
    return data


def recent_turns(
    conn: sqlite3.Connection, *, limit: int | None, conversation_id: str | None
) -> list[JSONObject]:
    """The latest turns, oldest first: id, model, conversation, prompt,
    system, response, usage and time (as ``llm-async logs`` shows them)."""
    where, args = "", []
    if conversation_id is not None:
        where, args = "where thread_id = ?", [conversation_id]
    sql = f"select * from turns {where} order by id desc"
    if limit:
        sql += f" limit {int(limit)}"
    out = []
    for row in reversed(_rows(conn, sql, args)):
        data = response_dict(conn, row)
        inputs = [Message.from_dict(m) for m in data["prompt"]["messages"]]
        outputs = [Message.from_dict(m) for m in data["messages"]]
        last = inputs[-1:] if inputs and inputs[-1].role == "user" else []
        out.append(
            {
                "id": row["id"],
                "model": row["model"],
                "conversation_id": row["thread_id"],
                "prompt": _text_of(last, "user"),
                "system": _text_of(inputs, "system") or None,
                "response": _text_of(outputs, "assistant"),
                "options": json.loads(row["options_json"] or "{}"),
                "input_tokens": row["input_tokens"],
                "output_tokens": row["output_tokens"],
                "duration_ms": row["duration_ms"],
                "datetime_utc": row["datetime_utc"],
            }
        )
    return out
