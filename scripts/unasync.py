#!/usr/bin/env python
"""Generate the sync facade (``src/llm_sync``) and sync tests from the async source.

Usage::

    python scripts/unasync.py          # regenerate src/llm_sync/ and tests/_sync/
    python scripts/unasync.py --check  # fail if the committed output is not current

Only ``src/llm_async/__init__.py``, the drop-in modules at ``llm``'s paths
(``models.py``, ``utils.py``, ``errors.py``, ``hookspecs.py``) and the
``src/llm_async/_io/`` folder are rewritten (with ``__main__.py``, which runs
the command line); the sans-I/O code (``_core``,
``_http``, ``providers``) is imported by both facades from ``llm_async``. Output is
formatted with ruff and starts with a "generated, do not edit" header. ``--check``
regenerates into a temporary directory and reports changed, missing and stale
files, and fails when a replacement rule was never used.
"""

from __future__ import annotations

import ast
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

# This file is named unasync.py: drop its folder from sys.path so that the
# import below finds the unasync package, not this script.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import unasync  # noqa: E402

ROOT = _HERE.parent
SRC_ASYNC = Path("src/llm_async")
SRC_SYNC = Path("src/llm_sync")
TESTS_ASYNC = Path("tests/_async")
TESTS_SYNC = Path("tests/_sync")

# The async source of truth for the sync facade: the package's public
# ``__init__.py`` and every module of the ``_io/`` folder. Shared sans-I/O code
# (``_core/``, ``_http/``, ``providers/``) is imported by both facades as it is.
IO_FOLDER = "_io"
# Modules at ``llm``'s import paths (``llm.models``...): re-exports only, so
# the sync twins are generated like ``__init__.py``.
# ``__main__.py`` (``python -m``) runs the command line of ``llm_async.cli``.
DROP_IN_MODULES = ("__main__.py", "errors.py", "hookspecs.py", "models.py", "utils.py")


def _io_modules() -> list[str]:
    """``__init__.py`` and the ``_io/`` modules, as paths under ``src/llm_async``."""
    folder = ROOT / SRC_ASYNC / IO_FOLDER
    return [
        "__init__.py",
        *DROP_IN_MODULES,
        *sorted(
            path.relative_to(ROOT / SRC_ASYNC).as_posix()
            for path in folder.rglob("*.py")
            if "__pycache__" not in path.parts
        ),
    ]


# Public and helper names whose sync twin is not just the name without "Async".
SRC_REPLACEMENTS = {
    "AsyncChainResponse": "ChainResponse",
    "AsyncCollection": "Collection",
    "AsyncConversation": "Conversation",
    "AsyncEchoModel": "EchoModel",
    "AsyncEmbeddingModel": "EmbeddingModel",
    "AsyncHTTPEmbeddingModel": "HTTPEmbeddingModel",
    "AsyncLocalEmbeddingModel": "LocalEmbeddingModel",
    "AsyncKeyModel": "KeyModel",
    "AsyncLocalModel": "LocalModel",
    "AsyncModel": "Model",
    "AsyncResponse": "Response",
    "AsyncScriptedModel": "ScriptedModel",
    "AsyncBaseTransport": "BaseTransport",
    "AsyncClient": "Client",
    "AsyncHTTPModel": "HTTPModel",
    "AsyncHTTPStream": "HTTPStream",
    "AsyncTransport": "Transport",
    "AsyncTransportUser": "TransportUser",
    "aclose": "close",
    "afetch_attachment": "fetch_attachment",
    "astream_events": "stream_events",
    "aiter_bytes": "iter_bytes",
    "aread": "read",
    "async_call_within": "sync_call_within",
    "async_checkpointer": "sync_checkpointer",
    "async_closing": "sync_closing",
    "async_gather": "sync_gather",
    "async_getaddrinfo": "sync_getaddrinfo",
    "async_iterate_in_thread": "sync_iterate_in_thread",
    "async_map_bounded": "sync_map_bounded",
    "async_owner_id": "sync_owner_id",
    "async_prepare_now": "sync_prepare_now",
    "async_prepare_attachments": "sync_prepare_attachments",
    "async_resolve": "sync_resolve",
    "async_run_blocking": "sync_run_blocking",
    "async_sleep": "sync_sleep",
    "get_async_embedding_model": "get_embedding_model",
    "get_async_embedding_model_aliases": "get_embedding_model_aliases",
    "get_async_embedding_models": "get_embedding_models",
    "get_async_model": "get_model",
    "get_async_model_aliases": "get_model_aliases",
    "get_async_models": "get_models",
}
# Docstring prose that differs between the facades (code in double backquotes
# is rewritten by the token rules; this is for the words around it).
DOC_REPLACEMENTS = {
    "raises ``ValueError`` if not yet awaited": "reads it to the end first if needed",
    "raises ``ValueError`` if one is not yet awaited": (
        "one still being read is read to the end"
    ),
    "(one per event loop)": "(one per transport)",
}
TEST_REPLACEMENTS = {
    **{k: v for k, v in SRC_REPLACEMENTS.items() if not k.startswith("async_")},
    "llm_async": "llm_sync",
}

# The generated package's own docstring (the async one describes the async API).
SYNC_PACKAGE_DOCSTRING = '''"""llm_sync: the Python API of ``llm``, blocking.

Generated from ``llm_async`` (the async API), which offers the same names with
``Async`` prefixes; ``import llm_sync as llm`` runs ``llm``'s examples unchanged.
"""'''
_CODE_SPAN = re.compile(r"``([^`\n]+)``")
_KEYWORD = re.compile(r"\b(?:async|await)\s+")
_IDENTIFIER = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")

HEADER = (
    "# Generated from {source}; do not edit.\n"
    "# Edit the async source and run `python scripts/unasync.py`.\n"
)


class TrackingRule(unasync.Rule):  # type: ignore[misc]
    """An unasync rule that records which replacements it applied."""

    def __init__(self, fromdir: str, todir: str, replacements: dict[str, str]) -> None:
        super().__init__(fromdir, todir, additional_replacements=replacements)
        self.custom = set(replacements)
        self.used: set[str] = set()

    def _unasync_name(self, name: str) -> str:
        if name in self.custom:
            self.used.add(name)
        return str(super()._unasync_name(name))


def _sources() -> list[tuple[Path, Path]]:
    pairs = [(SRC_ASYNC / name, SRC_SYNC / name) for name in _io_modules()]
    for path in sorted((ROOT / TESTS_ASYNC).rglob("*.py")):
        relative = path.relative_to(ROOT / TESTS_ASYNC)
        pairs.append((TESTS_ASYNC / relative, TESTS_SYNC / relative))
    return pairs


def _sync_code_spans(text: str, rule: TrackingRule) -> str:
    """Rewrite double-backquoted code in docstrings and comments like the code.

    aclose() becomes close(), "async with" becomes "with" and AsyncResponse
    becomes Response: the same rules as the code, so the generated docs speak
    of the generated API.
    """

    for phrase, replacement in DOC_REPLACEMENTS.items():
        if phrase in text:
            used_doc_phrases.add(phrase)
            text = text.replace(phrase, replacement)

    def rewrite(match: re.Match[str]) -> str:
        code = _KEYWORD.sub("", match.group(1))
        code = _IDENTIFIER.sub(lambda m: str(rule._unasync_name(m.group(0))), code)
        return f"``{code}``"

    return _CODE_SPAN.sub(rewrite, text)


used_doc_phrases: set[str] = set()


def _sync_package_docstring(init_source: str) -> str:
    """``init_source`` with the blocking package's own docstring."""
    docstring = ast.get_docstring(ast.parse(init_source), clean=False)
    if docstring is None:
        raise SystemExit("src/llm_async/__init__.py has no docstring")
    node = ast.parse(init_source).body[0]
    lines = init_source.splitlines(keepends=True)
    end = node.end_lineno or node.lineno
    before, after = lines[: node.lineno - 1], lines[end:]
    return "".join([*before, SYNC_PACKAGE_DOCSTRING, "\n", *after])


def _sync_init_reexports(init_source: str) -> str:
    """Add the async API to the generated ``llm_sync/__init__.py``.

    ``import llm_sync as llm`` then offers everything the seed examples use,
    ``get_async_model`` and ``AsyncResponse`` included. Names that ``llm_async``
    loads lazily stay lazy here too.
    """
    async_init = (ROOT / SRC_ASYNC / "__init__.py").read_text(encoding="utf-8")
    async_only = sorted(
        name
        for name in _module_literal(async_init, "__all__")
        if SRC_REPLACEMENTS.get(name, name) != name
    )
    async_lazy = _module_literal(async_init, "_LAZY_NAMES")
    eager = [name for name in async_only if name not in async_lazy]
    lazy = {
        name: "llm_async" + module if module.startswith(".") else module
        for name, module in async_lazy.items()
        if name in async_only
    }
    combined = sorted(set(_module_literal(init_source, "__all__")) | set(async_only))
    lines = init_source.splitlines(keepends=True)
    node = _module_assignment(init_source, "__all__")
    start, end = node.lineno - 1, node.end_lineno or node.lineno
    new_all = "__all__ = [\n" + "".join(f'    "{n}",\n' for n in combined) + "]\n"
    reexport = "\n# The async API, so that one import offers both.\n"
    if eager:
        reexport += (
            "from llm_async import (  # noqa: E402\n"
            + "".join(f"    {n},\n" for n in eager)
            + ")\n"
        )
    if lazy:  # typed for type checkers, loaded on first use
        reexport += (
            "if TYPE_CHECKING:\n"
            "    from llm_async import (  # noqa: E402\n"
            + "".join(f"        {n},\n" for n in sorted(lazy))
            + "    )\n"
        )
    reexport += "\n"
    text = "".join([*lines[:start], new_all, reexport, *lines[end:]])
    lazy_node = _module_assignment(text, "_LAZY_NAMES")
    lines = text.splitlines(keepends=True)
    insert_at = lazy_node.end_lineno or lazy_node.lineno
    addition = (
        "_LAZY_NAMES.update({\n"
        + "".join(
            f'    "{name}": "{module}",\n' for name, module in sorted(lazy.items())
        )
        + "})\n"
    )
    return "".join([*lines[:insert_at], addition, *lines[insert_at:]])


def _sync_models_reexports(source: str) -> str:
    """Add the async classes to the generated ``llm_sync/models.py``, which
    (like ``llm.models``) offers both."""
    async_models = (ROOT / SRC_ASYNC / "models.py").read_text(encoding="utf-8")
    async_only = sorted(
        name
        for name in _module_literal(async_models, "__all__")
        if SRC_REPLACEMENTS.get(name, name) != name
    )
    combined = sorted(set(_module_literal(source, "__all__")) | set(async_only))
    node = _module_assignment(source, "__all__")
    lines = source.splitlines(keepends=True)
    start, end = node.lineno - 1, node.end_lineno or node.lineno
    new_all = "__all__ = [\n" + "".join(f'    "{n}",\n' for n in combined) + "]\n"
    reexport = (
        "from llm_async.models import (  # noqa: E402\n"
        + "".join(f"    {n},\n" for n in async_only)
        + ")\n\n"
    )
    return "".join([*lines[:start], reexport, new_all, *lines[end:]])


def _module_assignment(source: str, name: str) -> ast.Assign:
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return node
    raise SystemExit(f"src/llm_async/__init__.py has no module-level {name}")


def _module_literal(source: str, name: str) -> Any:
    return ast.literal_eval(_module_assignment(source, name).value)


def generate(out_root: Path) -> list[str]:
    """Write the generated tree under ``out_root``; return unused replacements."""
    work = Path(tempfile.mkdtemp(prefix="unasync-"))
    try:
        src_rule = TrackingRule(
            str(work / "in" / SRC_ASYNC) + "/",
            str(work / "out" / SRC_SYNC) + "/",
            SRC_REPLACEMENTS,
        )
        test_rule = TrackingRule(
            str(work / "in" / TESTS_ASYNC) + "/",
            str(work / "out" / TESTS_SYNC) + "/",
            TEST_REPLACEMENTS,
        )
        pairs = _sources()
        inputs = []
        for source, _target in pairs:
            staged = work / "in" / source
            staged.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / source, staged)
            inputs.append(str(staged))
        unasync.unasync_files(inputs, [src_rule, test_rule])
        outputs = [work / "out" / target for _source, target in pairs]
        for produced in outputs:
            if SRC_SYNC.name in produced.parts:
                text = _sync_code_spans(produced.read_text("utf-8"), src_rule)
                produced.write_text(text, "utf-8")
        init = work / "out" / SRC_SYNC / "__init__.py"
        init_source = _sync_package_docstring(init.read_text("utf-8"))
        init.write_text(_sync_init_reexports(init_source), "utf-8")
        models = work / "out" / SRC_SYNC / "models.py"
        models.write_text(_sync_models_reexports(models.read_text("utf-8")), "utf-8")
        _ruff(outputs)
        for (source, target), produced in zip(pairs, outputs, strict=True):
            destination = out_root / target
            destination.parent.mkdir(parents=True, exist_ok=True)
            body = produced.read_text("utf-8")
            destination.write_text(
                HEADER.format(source=source.as_posix()) + body, "utf-8"
            )
        (out_root / SRC_SYNC / "py.typed").write_text("", "utf-8")
        # Every source replacement must be used by the source; the tests need only
        # use their own extra ones (they exercise a subset of the API).
        test_only = set(TEST_REPLACEMENTS) - set(SRC_REPLACEMENTS)
        unused = (src_rule.custom - src_rule.used) | (test_only - test_rule.used)
        unused |= set(DOC_REPLACEMENTS) - used_doc_phrases
        return sorted(unused)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _ruff(paths: list[Path]) -> None:
    files = [str(p) for p in paths]
    config = ["--config", str(ROOT / "pyproject.toml")]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            *config,
            "--quiet",
            "--select",
            "I,RUF022,RUF100",
            "--fix",
            *files,
        ],
        check=True,
    )
    subprocess.run(
        [sys.executable, "-m", "ruff", "format", *config, "--quiet", *files],
        check=True,
    )


def _generated_files(root: Path) -> set[Path]:
    found = set()
    for directory in (SRC_SYNC, TESTS_SYNC):
        base = root / directory
        if base.exists():
            found |= {
                p.relative_to(root)
                for p in base.rglob("*")
                if p.is_file() and "__pycache__" not in p.parts
            }
    return found


def check() -> int:
    """Compare the committed generated tree with a fresh one; 1 on any difference."""
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        fresh_root = Path(tmp)
        unused = generate(fresh_root)
        problems += [f"replacement never used: {name!r}" for name in unused]
        fresh = _generated_files(fresh_root)
        current = _generated_files(ROOT)
        for path in sorted(fresh - current):
            problems.append(f"missing: {path}")
        for path in sorted(current - fresh):
            problems.append(f"stale (no async source): {path}")
        for path in sorted(fresh & current):
            want = (fresh_root / path).read_text("utf-8")
            have = (ROOT / path).read_text("utf-8")
            if want != have:
                diff = difflib.unified_diff(
                    have.splitlines(),
                    want.splitlines(),
                    str(path),
                    "regenerated",
                    lineterm="",
                    n=1,
                )
                problems.append(f"changed: {path}\n" + "\n".join(list(diff)[:20]))
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(
            "\nThe generated sync code is out of date: run `python scripts/unasync.py`"
            " and commit the result (never edit src/llm_sync or tests/_sync by hand).",
            file=sys.stderr,
        )
        return 1
    print("generated sync code is up to date")
    return 0


def main(argv: list[str]) -> int:
    os.chdir(ROOT)
    if argv[1:] == ["--check"]:
        return check()
    if argv[1:]:
        print(__doc__, file=sys.stderr)
        return 2
    before = _generated_files(ROOT)
    produced = {target for _source, target in _sources()} | {SRC_SYNC / "py.typed"}
    unused = generate(ROOT)
    for path in sorted(before - produced):
        (ROOT / path).unlink()
        print(f"removed stale {path}")
    if unused:
        print(f"replacements never used: {unused}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
