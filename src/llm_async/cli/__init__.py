"""The llm-async command line (python -m llm_sync), built on click.

A blocking program over llm_sync; with _builtins it is the only code
that imports both facades. Commands import the library when they run, so
llm-async --help costs little more than importing click. Expected errors
(unknown model, missing key, invalid option, provider errors) print one line
naming the fix and exit 1; usage errors exit 2; Ctrl-C exits 130.
"""

from __future__ import annotations

from typing import Any

import click

from llm_async.cli.cmd_aliases import aliases
from llm_async.cli.cmd_embed import embed, embed_models, similar
from llm_async.cli.cmd_keys import keys
from llm_async.cli.cmd_logs import logs
from llm_async.cli.cmd_models import models
from llm_async.cli.cmd_prompt import prompt
from llm_async.cli.support import DefaultGroup

__all__ = ["cli", "main"]


@click.group(
    cls=DefaultGroup,
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


for command in (prompt, models, keys, aliases, logs, embed, similar, embed_models):
    cli.add_command(command)


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
