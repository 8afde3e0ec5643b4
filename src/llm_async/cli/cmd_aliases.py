"""llm-async aliases: other names for models (aliases.json)."""

from __future__ import annotations

import click

__all__ = ["aliases"]


@click.group()
def aliases() -> None:
    """Manage model aliases (aliases.json, shared with llm)."""


@aliases.command(name="set")
@click.argument("alias")
@click.argument("model_name")
def set_(alias: str, model_name: str) -> None:
    """Make ALIAS another name for MODEL."""
    import llm_sync
    from llm_async.cli.support import resolve_model

    llm_sync.set_alias(alias, resolve_model(model_name).model_id)


@aliases.command(name="remove")
@click.argument("alias")
def remove(alias: str) -> None:
    """Remove ALIAS."""
    import llm_sync

    try:
        llm_sync.remove_alias(alias)
    except KeyError as exc:
        raise click.ClickException(str(exc.args[0])) from None


@aliases.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Output JSON")
def list_(as_json: bool) -> None:
    """Every alias and the model it names."""
    import json

    import llm_sync

    found = {
        alias: entry.model.model_id
        for entry in llm_sync.get_models_with_aliases()
        for alias in entry.aliases
    }
    if as_json:
        click.echo(json.dumps(found, indent=4))
        return
    width = max((len(a) for a in found), default=0)
    for alias, model_id in found.items():
        click.echo(f"{alias:<{width}} : {model_id}")


@aliases.command(name="path")
def path() -> None:
    """Where the aliases are stored."""
    from llm_async._core.config import user_dir

    click.echo(user_dir() / "aliases.json")
