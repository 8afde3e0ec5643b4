"""llm-async embed / similar / embed-models: embeddings in ``embeddings.db``
(shared with llm), with llm's options and output formats."""

from __future__ import annotations

from typing import TYPE_CHECKING, BinaryIO, TextIO

import click

if TYPE_CHECKING:
    from pathlib import Path

    from llm_async._core.types import JSONObject
    from llm_sync import Collection, EmbeddingModel, Entry

from llm_async.cli.support import (
    DefaultGroup,
    friendly_error,
    resolve_embedding_model,
    stdin_is_terminal,
)

__all__ = ["embed", "embed_models", "similar"]

_DATABASE = click.option(
    "-d",
    "--database",
    type=click.Path(dir_okay=False),
    envvar="LLM_EMBEDDINGS_DB",
    help="Embeddings database (default: embeddings.db in the user directory)",
)
_INPUT = click.option(
    "-i",
    "--input",
    "input_path",
    type=click.Path(exists=True, dir_okay=False, allow_dash=True),
    help="File to embed (- for stdin)",
)
_BINARY = click.option("--binary", is_flag=True, help="Treat the input as bytes")


@click.command()
@click.argument("collection", required=False)
@click.argument("id", required=False)
@_INPUT
@click.option(
    "-m",
    "--model",
    "model_name",
    envvar="LLM_EMBEDDING_MODEL",
    help="Embedding model or alias (an existing collection keeps its own)",
)
@click.option("--key", help="API key, or the name of a stored key")
@click.option("--store", is_flag=True, help="Store the content next to the vector")
@_DATABASE
@click.option("-c", "--content", help="Content to embed")
@_BINARY
@click.option("--metadata", help="JSON object to store with the item")
@click.option(
    "-f",
    "--format",
    "format_",
    type=click.Choice(["json", "blob", "base64", "hex"]),
    help="Output format of the vector (default: json)",
)
def embed(
    collection: str | None,
    id: str | None,
    input_path: str | None,
    model_name: str | None,
    key: str | None,
    store: bool,
    database: str | None,
    content: str | None,
    binary: bool,
    metadata: str | None,
    format_: str | None,
) -> None:
    """Embed content: print its vector, or store it in COLLECTION under ID.

    \b
    llm-async embed -m 3-small -c "Hello"            # prints the vector (JSON)
    llm-async embed notes n1 -m 3-small -c "Hello"   # stores it in notes
    llm-async embed notes n2 -i note.txt --store --metadata '{"kind": "note"}'
    """
    import llm_sync

    if collection and not id:
        raise click.UsageError("Give both COLLECTION and ID to store an embedding")
    if not collection:
        for flag, given in (("--store", store), ("--metadata", metadata)):
            if given:
                raise click.UsageError(f"{flag} needs COLLECTION and ID")
    elif format_:
        raise click.UsageError("-f/--format prints a vector; it is not stored too")
    extra = _metadata(metadata)
    value = _content(content, input_path, binary)
    if collection:
        assert id is not None
        target = _open_collection(collection, database, model_name, create=True)
        model = None
        try:
            model = _model_of(target)
            target.embed(id, value, metadata=extra, store=store, key=key)
        except (llm_sync.ModelError, ValueError, OSError) as exc:
            raise friendly_error(exc, model) from None
        finally:
            target.close()
        return
    model = resolve_embedding_model(model_name)
    try:
        vector = model.embed(value, key=key)
    except (llm_sync.ModelError, ValueError, OSError) as exc:
        raise friendly_error(exc, model) from None
    _print_vector(vector, format_ or "json")


@click.command()
@click.argument("collection")
@click.argument("id", required=False)
@_INPUT
@click.option("-c", "--content", help="Content to compare with")
@_BINARY
@click.option(
    "-n", "--number", type=int, default=10, show_default=True, help="How many"
)
@click.option("-p", "--plain", is_flag=True, help="Plain text instead of JSON lines")
@_DATABASE
@click.option("--prefix", default="", help="Only ids starting with this")
@click.option("--key", help="API key, or the name of a stored key")
def similar(
    collection: str,
    id: str | None,
    input_path: str | None,
    content: str | None,
    binary: bool,
    number: int,
    plain: bool,
    database: str | None,
    prefix: str,
    key: str | None,
) -> None:
    """The items of COLLECTION most similar to ID or to content, best first.

    \b
    llm-async similar notes -c "greetings"   # embeds the content first
    llm-async similar notes n1               # like the stored item n1
    """
    import llm_sync

    if id and (content is not None or input_path):
        raise click.UsageError("Compare with an ID or with content, not both")
    if not id and content is None and not input_path and stdin_is_terminal():
        raise click.UsageError(
            "Nothing to compare with: give an ID, -c TEXT, -i FILE or pipe it in"
        )
    target = _open_collection(collection, database, None, create=False)
    model = None
    try:
        if id:
            found = target.similar_by_id(id, number, prefix=prefix)
        else:
            value = _content(content, input_path, binary)
            model = _model_of(target)
            found = target.similar(value, number, prefix=prefix, key=key)
    except llm_sync.CollectionDoesNotExist:
        raise click.ClickException(f"ID not found in collection: {id}") from None
    except (llm_sync.ModelError, ValueError, OSError) as exc:
        raise friendly_error(exc, model) from None
    finally:
        target.close()
    for entry in found:
        _print_entry(entry, plain)


@click.group(name="embed-models", cls=DefaultGroup, default_command="list")
def embed_models() -> None:
    """List the embedding models (embed-models list) or show/set the default."""


@embed_models.command(name="list")
@click.option("-q", "--query", "queries", multiple=True, help="Only models matching")
def list_embed_models(queries: tuple[str, ...]) -> None:
    """The registered embedding models, with their aliases."""
    import llm_sync

    for entry in llm_sync.get_embedding_models_with_aliases():
        if all(entry.matches(q) for q in queries):
            line = str(entry.model)
            if entry.aliases:
                line += f" (aliases: {', '.join(entry.aliases)})"
            click.echo(line)


@embed_models.command(name="default")
@click.argument("model_name", required=False)
@click.option("--remove-default", is_flag=True, help="Unset the default")
def default_embed_model(model_name: str | None, remove_default: bool) -> None:
    """Show the default embedding model, or set it to MODEL (an id or alias)."""
    import llm_sync

    if remove_default:
        llm_sync.set_default_embedding_model(None)
    elif model_name is None:
        click.echo(llm_sync.get_default_embedding_model() or "<No default model set>")
    else:
        model = resolve_embedding_model(model_name)
        llm_sync.set_default_embedding_model(model.model_id)


def _database_path(database: str | None) -> Path:
    from pathlib import Path

    from llm_async._core.config import user_dir

    return Path(database) if database else user_dir() / "embeddings.db"


def _open_collection(
    name: str, database: str | None, model_name: str | None, *, create: bool
) -> Collection:
    """The collection ``name``; a new one (``create``) uses ``model_name``."""
    import sqlite3

    import llm_sync

    path = _database_path(database)
    if not create and not path.exists():
        raise click.ClickException(
            f"No embeddings database at {path}: store items with "
            "`llm-async embed COLLECTION ID -c TEXT` first, or pass -d/--database"
        )
    try:
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        if llm_sync.Collection.exists(str(path), name):
            return llm_sync.Collection(name, str(path), create=False)
        if not create:
            raise click.ClickException(f"Collection does not exist: {name} ({path})")
        model = resolve_embedding_model(model_name)
        return llm_sync.Collection(name, str(path), model=model)
    except (sqlite3.Error, OSError) as exc:
        raise click.ClickException(f"{path}: {exc}") from None


def _model_of(collection: Collection) -> EmbeddingModel:
    """The collection's model, or an error naming the missing model."""
    import llm_sync

    try:
        return collection.model()
    except llm_sync.UnknownModelError:
        raise click.ClickException(
            f"Collection {collection.name} was made with the embedding model "
            f"{collection.model_id}, which is not installed: install the plugin "
            "that provides it (see `llm-async embed-models`)"
        ) from None


def _metadata(value: str | None) -> JSONObject | None:
    if value is None:
        return None
    import json

    try:
        parsed = json.loads(value)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"not JSON: {exc}", param_hint="--metadata") from None
    if not isinstance(parsed, dict):
        raise click.BadParameter("must be a JSON object", param_hint="--metadata")
    return parsed


def _content(content: str | None, input_path: str | None, binary: bool) -> str | bytes:
    """-c, else the -i file, else stdin (text, or bytes with --binary)."""
    if content is not None:
        value: str | bytes = content.encode("utf-8") if binary else content
    elif input_path and input_path != "-":
        with open(input_path, "rb" if binary else "r") as file:
            value = file.read()
    elif input_path or not stdin_is_terminal():  # -i - or piped
        import sys

        stream: TextIO | BinaryIO = sys.stdin.buffer if binary else sys.stdin
        value = stream.read()
    else:
        raise click.UsageError("No content: pass -c TEXT, -i FILE or pipe it in")
    if not value:
        raise click.UsageError("The content to embed is empty")
    return value


def _print_vector(vector: list[float], format_: str) -> None:
    if format_ == "json":
        import json

        click.echo(json.dumps(vector))
        return
    from llm_async._core.embeddings import encode

    blob = encode(vector)
    if format_ == "blob":
        click.echo(blob)
    elif format_ == "base64":
        import base64

        click.echo(base64.b64encode(blob).decode("ascii"))
    else:
        click.echo(blob.hex())


def _print_entry(entry: Entry, plain: bool) -> None:
    import json

    if not plain:
        click.echo(
            json.dumps(
                {
                    "id": entry.id,
                    "score": entry.score,
                    "content": entry.content,
                    "metadata": entry.metadata,
                }
            )
        )
        return
    import textwrap

    click.echo(f"{entry.id} ({entry.score})\n")
    if entry.content:
        click.echo(textwrap.indent(entry.content, "  "))
    if entry.metadata:
        click.echo(textwrap.indent(json.dumps(entry.metadata), "  "))
    click.echo("")
