"""Golden tests of scripts/unasync.py, and of its --check mode on a repo copy."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]

ASYNC_SOURCE = """\
from ._response import AsyncResponse


class AsyncThing(AsyncModel):
    async def __aiter__(self) -> AsyncIterator[str]:
        async with async_closing(self._events()) as events:
            async for event in events:
                yield event

    async def text(self) -> str:
        await async_sleep(0)
        return await self.astream_events()


async def helper() -> AsyncResponse:
    return get_async_model("x")
"""

SYNC_EXPECTED = """\
from ._response import Response


class SyncThing(Model):
    def __iter__(self) -> Iterator[str]:
        with sync_closing(self._events()) as events:
            for event in events:
                yield event

    def text(self) -> str:
        sync_sleep(0)
        return self.stream_events()


def helper() -> Response:
    return get_model("x")
"""


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "unasync_script", ROOT / "scripts" / "unasync.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_rewrite_rules_golden(tmp_path: Path) -> None:
    script = load_script()
    import unasync

    source = tmp_path / "in" / "mod.py"
    source.parent.mkdir()
    source.write_text(ASYNC_SOURCE)
    rule = script.TrackingRule(
        str(tmp_path / "in") + "/", str(tmp_path / "out") + "/", script.SRC_REPLACEMENTS
    )
    unasync.unasync_files([str(source)], [rule])
    assert (tmp_path / "out" / "mod.py").read_text() == SYNC_EXPECTED
    assert {"AsyncResponse", "AsyncModel", "async_closing", "async_sleep"} <= rule.used


def test_script_does_not_shadow_the_unasync_package() -> None:
    script = load_script()
    assert Path(script.unasync.__file__).parent.name == "unasync"


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "repo"
    for name in ("src", "tests", "scripts"):
        shutil.copytree(
            ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


def run_check(repo: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(repo / "scripts" / "unasync.py"), "--check"],
        capture_output=True,
        text=True,
    )


def test_check_passes_on_the_committed_tree(repo_copy: Path) -> None:
    result = run_check(repo_copy)
    assert result.returncode == 0, result.stderr


def test_check_fails_on_a_hand_edit(repo_copy: Path) -> None:
    target = repo_copy / "src" / "llm_sync" / "_io" / "response.py"
    target.write_text(target.read_text() + "\n# hand edit\n")
    result = run_check(repo_copy)
    assert result.returncode == 1
    assert "changed: src/llm_sync/_io/response.py" in result.stderr


def test_check_fails_on_missing_and_stale_files(repo_copy: Path) -> None:
    (repo_copy / "src" / "llm_sync" / "_io" / "conversation.py").unlink()
    (repo_copy / "src" / "llm_sync" / "_leftover.py").write_text("x = 1\n")
    result = run_check(repo_copy)
    assert result.returncode == 1
    assert "missing: src/llm_sync/_io/conversation.py" in result.stderr
    assert "stale (no async source): src/llm_sync/_leftover.py" in result.stderr


def test_check_fails_on_an_unused_replacement(repo_copy: Path) -> None:
    script = repo_copy / "scripts" / "unasync.py"
    text = script.read_text()
    script.write_text(
        text.replace(
            "SRC_REPLACEMENTS = {\n", 'SRC_REPLACEMENTS = {\n    "NeverUsed": "X",\n', 1
        )
    )
    result = run_check(repo_copy)
    assert result.returncode == 1
    assert "replacement never used: 'NeverUsed'" in result.stderr
