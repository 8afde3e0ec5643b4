"""Fixtures shared by every test: an isolated user directory, no stray keys."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "recorded"
# Transport settings and proxies from the caller's shell would change the tests.
TRANSPORT_ENV = (
    "LLM_TIMEOUT",
    "LLM_CONNECT_TIMEOUT",
    "LLM_TOTAL_TIMEOUT",
    "LLM_MAX_RETRIES",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
)


@pytest.fixture(autouse=True)
def user_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the user directory at a fresh folder and drop provider keys."""
    path = tmp_path / "llm-user"
    monkeypatch.setenv("LLM_USER_PATH", str(path))
    for name in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "LLM_LOAD_PLUGINS",
        "ANTHROPIC_API_KEY",
        "ANTHROPIC_BASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    for name in TRANSPORT_ENV:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    yield path
