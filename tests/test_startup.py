"""Start-up cost: ``llm-async --help`` and ``import llm_async`` load next to nothing.

Checked by what a fresh interpreter has in ``sys.modules``, never by timing (the
timings are in the benchmark, ``bench/run.py``).
"""

from __future__ import annotations

import ast
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import llm_async
import llm_sync
from llm_async.cli import COMMANDS, cli

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"

#: Our modules ``import llm_async`` loads: the package and the two tiny modules
#: it names its built-in plugin and converters to.
PACKAGE_MODULES = {
    "llm_async",
    "llm_async._core",
    "llm_async._core.builtin_plugins",
    "llm_async._core.conversion",
}

#: Modules that must never load for ``--help`` or a bare import.
HEAVY = (
    "pydantic",
    "httpx",
    "anyio",
    "pluggy",
    "yaml",
    "puremagic",
    "sqlite3",
    "socket",
    "ssl",
    "asyncio",
    "dataclasses",
    "json",
    "pathlib",
    "llm_sync._io",
    "llm_async._io",
    "llm_async._core.config",
    "llm_async._core.parts",
    "llm_async._core.registry",
)


def _loaded_after(setup: str, code: str) -> list[str]:
    """The modules ``code`` adds to ``sys.modules`` after ``setup`` ran, in a
    fresh interpreter with this checkout's sources first."""
    script = (
        "import sys, json\n"
        f"{setup}\n"
        "before = set(sys.modules)\n"
        f"{code}\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SRC)},
        timeout=120,
        check=True,
    )
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


def _heavy(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)]


# click's own --help, with a Path option as ours have: what any click program
# loads to print its help, so that only our own additions remain.
CLICK_HELP = (
    "import click\n"
    "@click.command()\n"
    "@click.option('-d', type=click.Path(dir_okay=False))\n"
    "def bare(d): pass\n"
    "try:\n    bare.main(['--help'])\nexcept SystemExit:\n    pass"
)

RUN_HELP = (
    "from llm_async.cli import main\n"
    "try:\n    main(['--help'])\nexcept SystemExit:\n    pass"
)


def test_help_loads_only_click_and_the_command_modules() -> None:
    loaded = _loaded_after(CLICK_HELP, RUN_HELP)
    assert set(loaded) == PACKAGE_MODULES | {"llm_async.cli", "llm_async.cli.support"}


def test_help_lists_each_commands_own_summary() -> None:
    """The summaries --help shows without importing a command are the commands'."""
    for name, (module, attribute, summary) in COMMANDS.items():
        command = getattr(importlib.import_module(module), attribute)
        assert command.name == name
        assert command.get_short_help_str(limit=200) == summary, name
    result = CliRunner().invoke(cli, ["--help"])
    listed = result.output.split("Commands:\n", 1)[1].splitlines()
    assert [line.split()[0] for line in listed] == sorted(COMMANDS)


def test_a_command_loads_its_module_when_it_runs() -> None:
    loaded = _loaded_after(
        "from llm_async.cli import main",
        "try:\n    main(['keys', 'path'])\nexcept SystemExit:\n    pass",
    )
    assert "llm_async.cli.cmd_keys" in loaded
    assert "llm_async.cli.cmd_prompt" not in loaded


def test_every_subcommand_help_stays_light() -> None:
    code = (
        "from llm_async.cli import main\n"
        "for argv in (['models', '--help'], ['keys', '--help'], "
        "['logs', 'list', '--help'], ['prompt', '--help'], "
        "['embed', '--help'], ['similar', '--help']):\n"
        "    try:\n        main(argv)\n    except SystemExit:\n        pass"
    )
    assert _heavy(_loaded_after(CLICK_HELP, code)) == []


@pytest.mark.parametrize("package", ["llm_async", "llm_sync"])
def test_import_loads_only_the_package_init(package: str) -> None:
    # typing is what the package's own annotations need; everything else waits.
    loaded = _loaded_after("import __future__, importlib, typing", f"import {package}")
    assert set(loaded) == PACKAGE_MODULES | {package}


@pytest.mark.parametrize("package", ["llm_async", "llm_sync"])
def test_a_name_loads_its_own_module_on_first_use(package: str) -> None:
    loaded = _loaded_after(f"import {package}", f"{package}.NeedsKeyException")
    assert "llm_async._core.errors" in loaded
    assert _heavy(loaded) == []


def _type_checking_imports(init: Path, package: str) -> dict[str, str]:
    """name -> absolute module of the ``if TYPE_CHECKING:`` imports of ``init``."""
    found: dict[str, str] = {}
    for node in ast.parse(init.read_text("utf-8")).body:
        if not (isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"):
            continue
        for statement in node.body:
            assert isinstance(statement, ast.ImportFrom)
            module = statement.module or ""
            if statement.level:
                module = f"{package}.{module}"
            for alias in statement.names:
                submodule = f"{module}.{alias.name}"
                is_module = (SRC / submodule.replace(".", "/")).with_suffix(".py")
                found[alias.asname or alias.name] = (
                    submodule if is_module.exists() else module
                )
    return found


@pytest.mark.parametrize("package", [llm_async, llm_sync])
def test_lazy_names_match_the_typed_imports(package: object) -> None:
    """What type checkers see (the TYPE_CHECKING imports) is what loads."""
    name = package.__name__  # type: ignore[attr-defined]
    typed = _type_checking_imports(SRC / name / "__init__.py", name)
    lazy: dict[str, str] = package._LAZY_NAMES  # type: ignore[attr-defined]
    resolved = {
        key: (f"{name}{module}" if module.startswith(".") else module)
        for key, module in lazy.items()
    }
    # The async API re-exported by llm_sync is typed from llm_async itself.
    typed = {k: v for k, v in typed.items() if v != "llm_async"}
    assert typed == {k: v for k, v in resolved.items() if k in typed}
    assert set(package.__all__) == set(lazy)  # type: ignore[attr-defined]
    assert "parts" in dir(package)
