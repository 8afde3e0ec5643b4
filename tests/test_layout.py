"""The layout's rules, checked on the source: who may import whom, and no circles.

``_core`` (shared sans-I/O code), ``_http`` (sans-I/O HTTP) and ``providers``
(the plugin contract and the built-in adapters) are imported by both facades,
so they never import the async source (``_io``), the built-ins or the
generated ``llm_sync``. Only ``_builtins`` knows both facades. The only
circles allowed are the mutual references of model, response, chain and
conversation inside ``_io`` (and their generated twins).
"""

from __future__ import annotations

import ast
import importlib
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

import llm_async
import llm_sync
from llm_async._core import errors

SRC = Path(__file__).resolve().parents[1] / "src"
# Generated from src/llm_async modules of the same name: llm's module paths.
DROP_IN_MODULES = {"__main__.py", "errors.py", "hookspecs.py", "models.py", "utils.py"}
SHARED = ("llm_async._core", "llm_async._http", "llm_async.providers")
FORBIDDEN_FOR_SHARED = ("llm_async._io", "llm_async._builtins", "llm_sync")
# The circle the design allows: these reference each other (some only for types).
IO_CIRCLE = {"model", "response", "chain", "conversation"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for package in ("llm_async", "llm_sync")
        for path in sorted((SRC / package).rglob("*.py"))
        if "__pycache__" not in path.parts
    }


def imports_of(name: str, path: Path) -> Iterator[tuple[str, int]]:
    """Every module ``name`` imports (anywhere in the file), with its line."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield target, node.lineno
            for alias in node.names:  # from package import submodule
                yield f"{target}.{alias.name}", node.lineno


def internal_graph() -> dict[str, set[str]]:
    found = modules()
    graph: dict[str, set[str]] = {name: set() for name in found}
    for name, path in found.items():
        for target, _line in imports_of(name, path):
            if target in found and target != name:
                graph[name].add(target)
    return graph


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_shared_code_never_imports_the_io_source_or_the_facades() -> None:
    offences = [
        f"{name} (line {line}) imports {target}"
        for name, path in modules().items()
        if within(name, SHARED)
        for target, line in imports_of(name, path)
        if within(target, FORBIDDEN_FOR_SHARED)
    ]
    assert offences == []


# The code that knows both facades: the built-in models, and the command line
# (an application of the blocking API).
KNOWS_BOTH_FACADES = ("llm_async._builtins", "llm_async.cli")


def test_only_the_builtins_and_the_cli_import_the_generated_package() -> None:
    offences = [
        f"{name} (line {line}) imports {target}"
        for name, path in modules().items()
        if name.startswith("llm_async") and not within(name, KNOWS_BOTH_FACADES)
        for target, line in imports_of(name, path)
        if within(target, ("llm_sync",))
    ]
    assert offences == []


def strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm: the components of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_circle_but_the_io_core_of_model_response_chain_conversation() -> (
    None
):
    for component in strongly_connected(internal_graph()):
        packages = {name.rsplit(".", 1)[0] for name in component}
        leaves = {name.rsplit(".", 1)[1] for name in component}
        assert len(packages) == 1, f"circle across packages: {sorted(component)}"
        assert packages <= {"llm_async._io", "llm_sync._io"}, sorted(component)
        assert leaves <= IO_CIRCLE, f"unexpected circle: {sorted(component)}"


def test_the_circle_rule_finds_circles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert strongly_connected(graph) == [{"a", "b", "c"}]


def test_the_generator_input_is_the_io_folder() -> None:
    generated = {
        path.relative_to(SRC / "llm_sync").as_posix()
        for path in (SRC / "llm_sync").rglob("*.py")
        if "__pycache__" not in path.parts
    }
    sources = {
        path.relative_to(SRC / "llm_async").as_posix()
        for path in (SRC / "llm_async" / "_io").rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert generated == sources | {"__init__.py", *DROP_IN_MODULES}


# The one exception tree -------------------------------------------------------


def exception_classes() -> list[type[BaseException]]:
    return [
        value
        for value in vars(errors).values()
        if isinstance(value, type)
        and issubclass(value, BaseException)
        and value.__module__ == errors.__name__
    ]


def test_every_exception_and_warning_is_in_the_tree_and_public() -> None:
    tree = errors.__doc__ or ""
    classes = exception_classes()
    assert len(classes) > 25
    for cls in classes:
        assert f" {cls.__name__} " in tree or f" {cls.__name__}\n" in tree, cls
        assert cls.__name__ in errors.__all__
        assert getattr(llm_async, cls.__name__) is cls
        assert getattr(llm_sync, cls.__name__) is cls
        assert cls.__name__ in llm_async.__all__
        assert cls.__name__ in llm_sync.__all__


def test_no_exception_class_is_defined_outside_the_error_module() -> None:
    offences = []
    for name, path in modules().items():
        if name == errors.__name__:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = {ast.unparse(base) for base in node.bases}
                if any(b.endswith(("Error", "Exception", "Warning")) for b in bases):
                    offences.append(f"{name}.{node.name}")
    assert offences == []


# The public plugin contract ---------------------------------------------------


def test_the_plugin_contract_is_public() -> None:
    from llm_async import providers

    assert set(providers.__all__) >= {"HTTPProvider", "StreamParser", "ResponseSink"}
    assert providers.__all__ == sorted(providers.__all__, key=isort_style)


def test_the_old_private_path_still_works_with_a_deprecation_warning() -> None:
    import sys

    sys.modules.pop("llm_async._providers._base", None)
    with pytest.warns(DeprecationWarning, match=r"import .* from llm_async\.providers"):
        old = importlib.import_module("llm_async._providers._base")
    from llm_async import providers

    assert old.HTTPProvider is providers.HTTPProvider


def isort_style(name: str) -> tuple[int, str]:
    """The order ruff keeps ``__all__`` in: constants, classes, the rest."""
    if name.isupper():
        return (0, name)
    return (1 if name[:1].isupper() else 2, name)


def test_every_package_init_has_a_sorted_all() -> None:
    for name in ("llm_async", "llm_sync", "llm_async.providers"):
        with warnings.catch_warnings():
            module = importlib.import_module(name)
        assert list(module.__all__) == sorted(module.__all__, key=isort_style), name
