"""The llm-async command line (python -m llm_sync), built on click.

A blocking program over llm_sync; with _builtins it is the only code
that imports both facades. A command imports its module, and that the
library, when it runs, so llm-async --help costs little more than importing
click. Expected errors
(unknown model, missing key, invalid option, provider errors) print one line
naming the fix and exit 1; usage errors exit 2; Ctrl-C exits 130.
"""

from __future__ import annotations

from typing import Any

import click

from llm_async.cli.support import LazyGroup

__all__ = ["COMMANDS", "cli", "main"]


#: name -> (module, attribute, summary). A command's module is imported when it
#: runs; --help shows the summaries (each its command's own, as a test checks).
COMMANDS = {
    "aliases": (
        "llm_async.cli.cmd_aliases",
        "aliases",
        "Manage model aliases (aliases.json, shared with llm).",
    ),
    "embed": (
        "llm_async.cli.cmd_embed",
        "embed",
        "Embed content: print its vector, or store it in COLLECTION under ID.",
    ),
    "embed-models": (
        "llm_async.cli.cmd_embed",
        "embed_models",
        "List the embedding models (embed-models list) or show/set the default.",
    ),
    "keys": (
        "llm_async.cli.cmd_keys",
        "keys",
        "Store and read API keys (keys.json in the user directory).",
    ),
    "logs": (
        "llm_async.cli.cmd_logs",
        "logs",
        "Show logged responses (logs list), the database path, on/off.",
    ),
    "models": (
        "llm_async.cli.cmd_models",
        "models",
        "List the models (models list) or show/set the default.",
    ),
    "prompt": (
        "llm_async.cli.cmd_prompt",
        "prompt",
        "Send TEXT (and piped stdin) to a model and stream the answer.",
    ),
    "similar": (
        "llm_async.cli.cmd_embed",
        "similar",
        "The items of COLLECTION most similar to ID or to content, best first.",
    ),
}


@click.group(
    cls=LazyGroup,
    lazy_commands=COMMANDS,
    default_command="prompt",
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(package_name="llm-async", prog_name="llm-async")
def cli() -> None:
    """Prompt large language models and keep a log that llm can read.

    \b
    llm-async "Ten names for a pet pelican"
    llm-async -m echo "hello" --no-log
    cat notes.txt | llm-async -s "Summarise this"
    llm-async models --options
    llm-async keys set openai
    llm-async embed notes n1 -m 3-small -c "Pelicans"
    """


def main(args: Any = None) -> None:
    """Run the command line (the llm-async console script)."""
    try:
        cli.main(args=args, prog_name="llm-async")
    except BrokenPipeError:
        # The reader went away (``llm-async ... | head``): stop quietly.
        import os
        import sys

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
