"""Shared pieces of the command line: the default-command group, model
lookup with suggestions and error messages a person can act on."""

from __future__ import annotations

import sys
from typing import Any

import click

__all__ = ["DefaultGroup", "friendly_error", "resolve_model", "stdin_is_terminal"]


class DefaultGroup(click.Group):
    """A group that runs default_command when the first argument is not
    one of its commands (llm-async "hi" is llm-async prompt "hi")."""

    def __init__(self, *args: Any, default_command: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default_command = default_command

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        help_names = set(ctx.help_option_names) | {"--version"}
        if args and args[0] not in self.commands and args[0] not in help_names:
            args = [self.default_command, *args]
        elif not args and (ctx.parent is not None or not _stdin_is_terminal()):
            args = [self.default_command]
        return super().parse_args(ctx, args)


def _stdin_is_terminal() -> bool:
    return stdin_is_terminal()


def stdin_is_terminal() -> bool:
    """True when nothing is piped in (a closed or odd stdin counts as a terminal)."""
    stream: Any = sys.stdin
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return True


def resolve_model(name: str | None, *, asynchronous: bool = False) -> Any:
    """The model called name (default: the default model), or a
    ClickException suggesting close names."""
    import llm_sync

    wanted = name or llm_sync.get_default_model()
    try:
        if asynchronous:
            return llm_sync.get_async_model(wanted)
        return llm_sync.get_model(wanted)
    except llm_sync.UnknownModelError:
        known = list(llm_sync.get_model_aliases())
        import difflib

        close = difflib.get_close_matches(str(wanted), known, n=3, cutoff=0.5)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise click.ClickException(
            f"Unknown model: {wanted}.{hint} Run `llm-async models` to list them."
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
