"""Fixtures shared by every test: an isolated user directory, no stray keys."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "recorded"


@pytest.fixture(autouse=True)
def user_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the user directory at a fresh folder and drop provider keys."""
    path = tmp_path / "llm-user"
    monkeypatch.setenv("LLM_USER_PATH", str(path))
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "LLM_LOAD_PLUGINS"):
        monkeypatch.delenv(name, raising=False)
    yield path
