"""Shared pieces of the command line: the default-command group, model
lookup with suggestions and error messages a person can act on."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TextIO

import click

__all__ = [
    "DefaultGroup",
    "LazyGroup",
    "friendly_error",
    "resolve_embedding_model",
    "resolve_model",
    "stdin_is_terminal",
]


class DefaultGroup(click.Group):
    """A group that runs default_command when the first argument is not
    one of its commands (llm-async "hi" is llm-async prompt "hi")."""

    def __init__(self, *args: Any, default_command: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default_command = default_command

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        help_names = set(ctx.help_option_names) | {"--version"}
        known = self.list_commands(ctx)
        if args and args[0] not in known and args[0] not in help_names:
            args = [self.default_command, *args]
        elif not args and (ctx.parent is not None or not _stdin_is_terminal()):
            args = [self.default_command]
        return super().parse_args(ctx, args)


class LazyGroup(DefaultGroup):
    """A DefaultGroup whose commands are imported when they run.

    ``lazy_commands`` maps a name to ``(module, attribute, summary)``; --help
    lists the summaries, so that it imports no command module.
    """

    def __init__(
        self, *args: Any, lazy_commands: dict[str, tuple[str, str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = lazy_commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy_commands:
            import importlib

            module, attribute, _ = self.lazy_commands[cmd_name]
            command = getattr(importlib.import_module(module), attribute)
            self.add_command(command, cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(
        self, ctx: click.Context, formatter: click.HelpFormatter
    ) -> None:
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            summary = self.lazy_commands.get(name, ("", "", ""))[2]
            command = self.commands.get(name) or click.Command(name, help=summary)
            rows.append((name, command.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _stdin_is_terminal() -> bool:
    return stdin_is_terminal()


def stdin_is_terminal() -> bool:
    """True when nothing is piped in (a closed or odd stdin counts as a terminal)."""
    stream: TextIO = sys.stdin
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return True


def resolve_model(name: str | None, *, asynchronous: bool = False) -> Any:
    """The model called name (default: the default model), or a
    ClickException suggesting close names."""
    import llm_sync

    wanted = name or llm_sync.get_default_model()
    get = llm_sync.get_async_model if asynchronous else llm_sync.get_model
    return _lookup(wanted, get, llm_sync.get_model_aliases, "models")


def resolve_embedding_model(name: str | None) -> Any:
    """The embedding model called name (default: the default embedding model),
    or a ClickException suggesting close names."""
    import llm_sync

    wanted = name or llm_sync.get_default_embedding_model()
    if not wanted:
        known = ", ".join(sorted({m.model_id for m in llm_sync.get_embedding_models()}))
        raise click.ClickException(
            "No embedding model given and no default is set: pass -m/--model"
            f" (one of: {known or 'none registered'})."
        )
    return _lookup(
        wanted,
        llm_sync.get_embedding_model,
        llm_sync.get_embedding_model_aliases,
        "embedding models",
    )


def _lookup(
    wanted: str | None,
    get: Callable[[str | None], Any],
    aliases: Callable[[], Any],
    kind: str,
) -> Any:
    import llm_sync

    try:
        return get(wanted)
    except llm_sync.UnknownModelError:
        import difflib

        close = difflib.get_close_matches(str(wanted), list(aliases()), n=3, cutoff=0.5)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        list_them = "models" if kind == "models" else "embed-models"
        raise click.ClickException(
            f"Unknown {kind[:-1]}: {wanted}.{hint}"
            f" Run `llm-async {list_them}` to list them."
        ) from None


def friendly_error(exc: BaseException, model: object = None) -> click.ClickException:
    """A one-line error for an expected failure (no traceback)."""
    import llm_sync

    if isinstance(exc, llm_sync.NeedsKeyException):
        name = getattr(model, "needs_key", None) or "NAME"
        env = getattr(model, "key_env_var", None)
        also = f", set {env}, or pass --key" if env else " or pass --key"
        return click.ClickException(
            f"No key found for {name}: run `llm-async keys set {name}`{also}."
        )
    return click.ClickException(str(exc) or type(exc).__name__)
