"""llm-async models: list models, their aliases and options; the default."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from llm_async._core.types import JSONObject
from llm_async.cli.support import DefaultGroup, resolve_model

if TYPE_CHECKING:
    from llm_sync import Model, ModelWithAliases

__all__ = ["models"]


@click.group(cls=DefaultGroup, default_command="list")
def models() -> None:
    """List the models (models list) or show/set the default."""


@models.command(name="list")
@click.option(
    "--options", "show_options", is_flag=True, help="Show each model's options"
)
@click.option("--async", "asynchronous", is_flag=True, help="List the async models")
@click.option("--json", "as_json", is_flag=True, help="Output JSON")
@click.option("-q", "--query", "queries", multiple=True, help="Only models matching")
def list_models(
    show_options: bool, asynchronous: bool, as_json: bool, queries: tuple[str, ...]
) -> None:
    """The registered models, with their aliases."""
    import llm_sync

    entries = [
        entry
        for entry in llm_sync.get_models_with_aliases()
        if all(entry.matches(q) for q in queries)
        and (entry.async_model is not None or not asynchronous)
    ]
    if as_json:
        import json

        click.echo(json.dumps([_model_json(e) for e in entries], indent=2))
        return
    for entry in entries:
        model = entry.async_model if asynchronous else entry.model
        line = str(model)
        if entry.aliases:
            line += f" (aliases: {', '.join(entry.aliases)})"
        click.echo(line)
        if show_options:
            for name, kind, description in _options(model):
                click.echo(f"    {name}: {kind}")
                if description:
                    click.echo(f"      {description}")
    if not show_options:
        default = llm_sync.get_default_model()
        click.echo(f"Default: {default}")


def _options(model: Model) -> list[tuple[str, str, str]]:
    fields = getattr(model.Options, "model_fields", {})
    out = []
    for name, info in fields.items():
        kind = getattr(info.annotation, "__name__", None) or str(info.annotation)
        out.append((name, kind.replace("typing.", ""), info.description or ""))
    return out


def _model_json(entry: ModelWithAliases) -> JSONObject:
    model = entry.model
    return {
        "model_id": model.model_id,
        "name": str(model),
        "aliases": list(entry.aliases),
        "async": entry.async_model is not None,
        "can_stream": bool(model.can_stream),
        "supports_schema": bool(model.supports_schema),
        "supports_tools": bool(model.supports_tools),
        "needs_key": model.needs_key,
        "attachment_types": sorted(model.attachment_types),
        "options": {name: kind for name, kind, _ in _options(model)},
    }


@models.command(name="default")
@click.argument("model_name", required=False)
def default(model_name: str | None) -> None:
    """Show the default model, or set it to MODEL (an id or alias)."""
    import llm_sync

    if model_name is None:
        click.echo(llm_sync.get_default_model())
        return
    model = resolve_model(model_name)
    llm_sync.set_default_model(model.model_id)
