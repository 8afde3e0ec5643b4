"""docs/security.md names, for each promise, the tests that prove it: they exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "security.md"
# `tests/x.py::test_name`, `tests/x.py`, `::test_name` or `test_name` (a name
# alone is in the file named last); `test_prefix_*` stands for several tests.
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)?(?:::)?(test_\w+\*?)?`")


def _test_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name
        for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    }


def test_every_test_named_in_security_md_exists() -> None:
    text = " ".join(DOC.read_text(encoding="utf-8").split())
    current: Path | None = None
    named = 0
    for match in REFERENCE.finditer(text):
        file, name = match.groups()
        if file is None and name is None:
            continue
        if file is not None:
            current = ROOT / file
            assert current.is_file(), file
        if name is not None:
            assert current is not None, name
            names = _test_names(current)
            if name.endswith("*"):
                assert any(n.startswith(name[:-1]) for n in names), name
            else:
                assert name in names, f"{current.name}::{name}"
            named += 1
    assert named >= 20
