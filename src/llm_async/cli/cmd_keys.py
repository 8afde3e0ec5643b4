"""llm-async keys: API keys in keys.json (shared with llm)."""

from __future__ import annotations

import click

__all__ = ["keys"]


@click.group()
def keys() -> None:
    """Store and read API keys (keys.json in the user directory)."""


@keys.command(name="set")
@click.argument("name")
@click.option(
    "--value", prompt="Enter key", hide_input=True, help="The key (asked if left out)"
)
def set_(name: str, value: str) -> None:
    """Store the key for NAME (openai, ...)."""
    from llm_async._core.config import set_key

    value = value.strip()
    if not value:
        raise click.BadParameter("the key is empty", param_hint="--value")
    set_key(name, value)


@keys.command(name="get")
@click.argument("name")
def get(name: str) -> None:
    """Print the stored key for NAME."""
    from llm_async._core.config import load_keys

    stored = load_keys()
    if name not in stored:
        raise click.ClickException(
            f"No key stored for {name}: run `llm-async keys set {name}`"
        )
    click.echo(stored[name])


@keys.command(name="list")
def list_() -> None:
    """The names of the stored keys."""
    from llm_async._core.config import KEYS_NOTE, load_keys

    for name, value in sorted(load_keys().items()):
        if value != KEYS_NOTE:
            click.echo(name)


@keys.command(name="path")
def path() -> None:
    """Where the keys are stored."""
    from llm_async._core.config import user_dir

    click.echo(user_dir() / "keys.json")
