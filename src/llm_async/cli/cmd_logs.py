"""llm-async logs: what was logged to logs.db (ours and llm's)."""

from __future__ import annotations

import click

from llm_async._core.types import JSONObject
from llm_async.cli.support import DefaultGroup

__all__ = ["logs"]


@click.group(cls=DefaultGroup, default_command="list")
def logs() -> None:
    """Show logged responses (logs list), the database path, on/off."""


@logs.command(name="list")
@click.option(
    "-n", "--count", type=int, default=3, show_default=True, help="How many (0: all)"
)
@click.option("--json", "as_json", is_flag=True, help="Output JSON")
@click.option("-c", "--current", is_flag=True, help="Only the latest conversation")
@click.option(
    "--cid", "--conversation", "conversation_id", help="Only this conversation"
)
@click.option("-d", "--database", type=click.Path(dir_okay=False), help="Log database")
def list_(
    count: int,
    as_json: bool,
    current: bool,
    conversation_id: str | None,
    database: str | None,
) -> None:
    """The latest logged responses, oldest first."""
    from llm_async._core.logs import (
        connect,
        latest_conversation_id,
        logs_db_path,
        recent_turns,
    )

    with connect(database or logs_db_path()) as conn:
        if current and conversation_id is None:
            conversation_id = latest_conversation_id(conn)
        rows = recent_turns(conn, limit=count, conversation_id=conversation_id)
    if as_json:
        import json

        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        click.echo(_markdown(row))


def _markdown(row: JSONObject) -> str:
    lines = [
        f"# {(row['datetime_utc'] or '')[:19]}    conversation: "
        f"{row['conversation_id']} id: {row['id']}",
        "",
        f"Model: **{row['model']}**",
        "",
        "## Prompt",
        "",
        row["prompt"],
        "",
    ]
    if row["system"]:
        lines += ["## System", "", row["system"], ""]
    lines += ["## Response", "", row["response"], ""]
    return "\n".join(lines)


@logs.command(name="path")
def path() -> None:
    """Where responses are logged."""
    from llm_async._core.logs import logs_db_path

    click.echo(logs_db_path())


@logs.command(name="on")
def on() -> None:
    """Log every prompt (the default)."""
    from llm_async._core.config import user_dir
    from llm_async._core.logs import LOGS_OFF_FILE

    (user_dir() / LOGS_OFF_FILE).unlink(missing_ok=True)


@logs.command(name="off")
def off() -> None:
    """Stop logging prompts (shared with llm logs off)."""
    from llm_async._core.config import user_dir
    from llm_async._core.logs import LOGS_OFF_FILE

    (user_dir() / LOGS_OFF_FILE).touch()
