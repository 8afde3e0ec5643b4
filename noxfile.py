"""Development sessions: ``nox`` runs lint and tests; ``nox -s demo``, ``nox -s bench``."""

from __future__ import annotations

import nox

nox.needs_version = ">=2026.10.20"
nox.options.sessions = ["lint", "tests"]
nox.options.reuse_existing_virtualenvs = True

PYPROJECT = nox.project.load_toml("pyproject.toml")
DEV = nox.project.dependency_groups(PYPROJECT, "dev")


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite (pass pytest options after --, e.g. -m 'not integration')."""
    session.install("-e", ".", *DEV)
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff, mypy --strict over src (generated code included), generator check."""
    session.install("-e", ".", *DEV)
    session.run("ruff", "check", "src", "tests", "scripts", "bench", "noxfile.py")
    session.run("ruff", "format", "--check", "src", "tests", "scripts", "bench", "noxfile.py")
    session.run("mypy", "--strict", "src")
    session.run("python", "scripts/unasync.py", "--check")


@nox.session
def generate(session: nox.Session) -> None:
    """Regenerate src/llm_sync and tests/_sync from the async source."""
    session.install(*DEV)
    session.run("python", "scripts/unasync.py")


@nox.session
def demo(session: nox.Session) -> None:
    """Stream a prompt from a model (for now the scripted echo model)."""
    session.install("-e", ".")
    session.run(
        "python",
        "-c",
        "import llm_sync as llm\n"
        "for chunk in llm.get_model('echo').prompt('Hello from the demo'):\n"
        "    print(chunk, end='', flush=True)\n"
        "print()\n",
    )
