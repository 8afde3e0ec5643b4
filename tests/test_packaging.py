"""A small install: few runtime dependencies, and a small wheel of the two packages.

What ``import llm_sync`` / ``import llm_async`` load is pinned in
``tests/core/test_registry.py::test_import_is_lazy_and_side_effect_free``.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pytest depends on tomli before 3.11
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent

#: The runtime dependencies, on purpose: a new one (above all a heavy one) needs a
#: conscious change here. httpx brings certifi, which is the default CA bundle.
RUNTIME_DEPENDENCIES = {
    "click",  # the llm-async command line (imported only when it runs)
    "anyio",  # concurrency primitives (asyncio and trio), attachment files
    "httpx",  # the HTTP transport
    "pydantic",  # options, schemas, tool arguments
    "pluggy",  # llm-compatible plugins
    "pyyaml",  # llm-compatible YAML configuration files
    "puremagic",  # attachment type detection, pure Python
    "filelock",  # the cross-process lock around config writes, pure Python
}

#: Optional extras; never needed by ``import llm_async``.
EXTRAS = {
    "local": {"llama-cpp-python"},
    "local-server": {"llama-cpp-python"},
    "truststore": {"truststore"},
    "numpy": {"numpy"},
    "progress": {"tqdm"},
}


def requirement_name(requirement: str) -> str:
    name = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert name is not None, requirement
    return re.sub(r"[-_.]+", "-", name.group()).lower()


def project() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        table: dict[str, object] = tomllib.load(file)["project"]
    return table


def test_runtime_dependencies_are_the_intended_small_set() -> None:
    declared = project()["dependencies"]
    assert isinstance(declared, list)
    assert {requirement_name(r) for r in declared} == RUNTIME_DEPENDENCIES
    assert len(declared) == len(RUNTIME_DEPENDENCIES)  # no duplicates


def test_heavy_packages_are_optional_extras() -> None:
    extras = project()["optional-dependencies"]
    assert isinstance(extras, dict)
    assert {
        name: {requirement_name(r) for r in requirements}
        for name, requirements in extras.items()
    } == EXTRAS


@pytest.mark.integration
def test_wheel_is_small_and_holds_only_the_packages(tmp_path: Path) -> None:
    """Builds the wheel offline with the build backend (hatchling, in the dev group)."""
    build = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from hatchling.build import build_wheel; "
            "print(build_wheel(sys.argv[1]))",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert build.returncode == 0, build.stderr
    wheel = tmp_path / build.stdout.strip().splitlines()[-1]
    assert wheel.stat().st_size < 1_000_000
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(
            next(n for n in names if n.endswith(".dist-info/METADATA"))
        ).decode()
    assert "llm_async/py.typed" in names
    assert "llm_sync/py.typed" in names
    assert "llm_async/__init__.py" in names
    assert "llm_sync/__init__.py" in names
    tops = {name.split("/")[0] for name in names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {
        "llm_async",
        "llm_sync",
    }
    for name in names:
        assert "__pycache__" not in name and not name.endswith(".pyc"), name
        assert not re.search(r"(^|/)(tests?|bench)(/|$)", name), name
        assert not re.search(r"(^|/)test_[^/]*\.py$", name), name
    # The wheel declares the same runtime dependencies as pyproject.toml.
    required = {
        requirement_name(line.split(":", 1)[1].strip())
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist:") and "extra ==" not in line
    }
    assert required == RUNTIME_DEPENDENCIES
