"""llm-async prompt: send a prompt, stream the answer, log it."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, BinaryIO, TextIO

import click

from llm_async._core.types import JSONObject
from llm_async.cli.support import friendly_error, resolve_model, stdin_is_terminal

if TYPE_CHECKING:
    from llm_sync import (
        Attachment,
        ChainResponse,
        Conversation,
        Model,
        Response,
        Tool,
        Toolbox,
    )

__all__ = ["prompt"]


@click.command(name="prompt")
@click.argument("text", required=False)
@click.option("-m", "--model", "model_name", envvar="LLM_MODEL", help="Model or alias")
@click.option("-s", "--system", help="System prompt")
@click.option(
    "-a",
    "--attachment",
    "attachments",
    multiple=True,
    help="File path, URL or - (stdin) to attach",
)
@click.option(
    "-o",
    "--option",
    "options",
    type=(str, str),
    multiple=True,
    help="key value: a model option (see `llm-async models --options`)",
)
@click.option("--schema", help="JSON schema: JSON, a file or the concise DSL")
@click.option("-T", "--tool", "tools", multiple=True, help="A registered tool by name")
@click.option("--no-stream", is_flag=True, help="Print the answer once complete")
@click.option("--key", help="API key, or the name of a stored key")
@click.option(
    "-c",
    "--continue",
    "continue_",
    is_flag=True,
    help="Continue the latest conversation",
)
@click.option(
    "--cid", "--conversation", "conversation_id", help="Continue this conversation"
)
@click.option("-u", "--usage", is_flag=True, help="Show token usage on stderr")
@click.option("-n", "--no-log", is_flag=True, help="Do not log to logs.db")
@click.option("--log", "force_log", is_flag=True, help="Log even if logging is off")
@click.option("-d", "--database", type=click.Path(dir_okay=False), help="Log database")
def prompt(
    text: str | None,
    model_name: str | None,
    system: str | None,
    attachments: tuple[str, ...],
    options: tuple[tuple[str, str], ...],
    schema: str | None,
    tools: tuple[str, ...],
    no_stream: bool,
    key: str | None,
    continue_: bool,
    conversation_id: str | None,
    usage: bool,
    no_log: bool,
    force_log: bool,
    database: str | None,
) -> None:
    """Send TEXT (and piped stdin) to a model and stream the answer."""
    import llm_sync
    from llm_async._core.logs import logs_db_path, logs_enabled

    stdin_bytes = _stdin_bytes() if "-" in attachments else None
    text = _prompt_text(text, reading_stdin=stdin_bytes is None)
    db = database or logs_db_path()
    conversation = None
    if continue_ or conversation_id:
        conversation = _load_conversation(db, conversation_id, model_name)
        model = conversation.model
    else:
        model = resolve_model(model_name)
    validated = _options(model, options)
    try:
        kwargs: JSONObject = {
            "system": system,
            "attachments": [_attachment(a, stdin_bytes) for a in attachments],
            "stream": not no_stream,
            "schema": _schema(schema),
            "options": validated,
            "key": key,
        }
        target = conversation or model.conversation()
        if tools:
            chain = target.chain(text, tools=_tools(tools), **kwargs)
            _print(chain, stream=not no_stream)
            rounds = list(chain.responses())
        else:
            response = target.prompt(text, **kwargs)
            _print(response, stream=not no_stream)
            rounds = [response]
    except KeyboardInterrupt:
        click.echo("", err=True)
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except (llm_sync.ModelError, ValueError, OSError) as exc:
        raise friendly_error(exc, model) from None
    if usage:
        for item in rounds:
            click.echo(f"Token usage: {item.token_usage() or 'not reported'}", err=True)
    if not no_log and (force_log or logs_enabled()):
        for item in rounds:
            item.log_to_db(db)


def _stdin_bytes() -> bytes:
    stream: BinaryIO = sys.stdin.buffer
    return bytes(stream.read())


def _prompt_text(text: str | None, *, reading_stdin: bool) -> str | None:
    """The argument, after piped stdin if there is any (as llm does)."""
    if reading_stdin and not stdin_is_terminal():
        stream: TextIO = sys.stdin
        piped = str(stream.read())
        if piped:
            return f"{piped}\n{text}" if text else piped
    if text is None:
        raise click.UsageError("No prompt: pass one as an argument or pipe it in")
    return text


def _load_conversation(
    db: object, conversation_id: str | None, model_name: str | None
) -> Conversation:
    import llm_sync

    model = resolve_model(model_name) if model_name else None
    try:
        return llm_sync.Conversation.from_db(db, conversation_id, model=model)
    except llm_sync.UnknownModelError as exc:
        raise click.ClickException(
            f"{exc.args[0]}: the logged conversation's model is not installed; "
            "pick another with -m"
        ) from None
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None


def _options(model: Model, pairs: tuple[tuple[str, str], ...]) -> JSONObject:
    """-o key value pairs, validated by the model's Options."""
    import pydantic

    values = dict(pairs)
    if not values:
        return {}
    fields = getattr(model.Options, "model_fields", {})
    for name in values:
        if name not in fields:
            known = ", ".join(sorted(fields)) or "none"
            raise click.BadParameter(
                f"{model.model_id} has no option {name!r} (its options: {known})",
                param_hint="-o/--option",
            )
    try:
        checked = model.Options(**values)
    except pydantic.ValidationError as exc:
        problem = exc.errors()[0]
        name = ".".join(str(p) for p in problem["loc"])
        raise click.BadParameter(
            f"{name}: {problem['msg']} (got {values.get(name)!r})",
            param_hint="-o/--option",
        ) from None
    return {name: getattr(checked, name) for name in values}


def _attachment(value: str, stdin_bytes: bytes | None) -> Attachment:
    from pathlib import Path

    import llm_sync

    if value == "-":
        return llm_sync.Attachment(content=stdin_bytes or b"")
    if value.startswith(("http://", "https://")):
        return llm_sync.Attachment(url=value)
    path = Path(value)
    if not path.is_file():
        raise click.BadParameter(f"no such file: {value}", param_hint="-a/--attachment")
    return llm_sync.Attachment(path=str(path.resolve()))


def _schema(value: str | None) -> JSONObject | None:
    """--schema: inline JSON, a JSON file, or the DSL (name, age int)."""
    import json
    from pathlib import Path

    import llm_sync

    if not value:
        return None
    if value.lstrip().startswith("{"):
        try:
            return _schema_object(json.loads(value), value)
        except json.JSONDecodeError as exc:
            raise click.BadParameter(
                f"invalid JSON: {exc}", param_hint="--schema"
            ) from None
    path = Path(value)
    if path.is_file():
        try:
            return _schema_object(json.loads(path.read_text("utf-8")), value)
        except json.JSONDecodeError as exc:
            raise click.BadParameter(
                f"{value} is not JSON: {exc}", param_hint="--schema"
            ) from None
    try:
        return llm_sync.schema_dsl(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--schema") from None


def _schema_object(parsed: object, value: str) -> JSONObject:
    if not isinstance(parsed, dict):
        raise click.BadParameter(
            f"{value} is JSON but not an object: a schema is a JSON object",
            param_hint="--schema",
        )
    return parsed


def _tools(names: tuple[str, ...]) -> list[Tool | type[Toolbox]]:
    import llm_sync

    available = llm_sync.get_tools()
    chosen = []
    for name in names:
        if name not in available:
            known = ", ".join(sorted(available)) or "none"
            raise click.BadParameter(
                f"no tool {name!r} (available: {known})", param_hint="-T/--tool"
            )
        chosen.append(available[name])
    return chosen


def _print(response: Response | ChainResponse, *, stream: bool) -> None:
    if stream:
        for chunk in response:
            click.echo(chunk, nl=False)
            sys.stdout.flush()
        click.echo("")
    else:
        click.echo(response.text())
