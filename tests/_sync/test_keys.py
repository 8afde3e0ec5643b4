# Generated from tests/_async/test_keys.py; do not edit.
# Edit the async source and run `python scripts/unasync.py`.
"""Key resolution for models that need one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import llm_sync as llm


class KeyEcho(llm.KeyModel):
    model_id = "key-echo"
    needs_key = "demo"
    key_env_var = "DEMO_API_KEY"

    def execute(  # type: ignore[override]
        self, prompt: Any, stream: bool, response: Any, conversation: Any, key: Any
    ) -> Iterator[str]:
        yield f"key={key}"


def test_missing_key_names_the_env_var_and_keys_json_name() -> None:
    with pytest.raises(llm.NeedsKeyException) as info:
        KeyEcho().prompt("x").text()
    assert str(info.value) == (
        "No key found - add one using 'llm keys set demo' "
        "or set the DEMO_API_KEY environment variable"
    )


def test_env_var_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_API_KEY", "from-env")
    assert KeyEcho().prompt("x").text() == "key=from-env"


def test_keys_json_beats_env(monkeypatch: pytest.MonkeyPatch, user_path: Path) -> None:
    monkeypatch.setenv("DEMO_API_KEY", "from-env")
    user_path.mkdir(parents=True, exist_ok=True)
    (user_path / "keys.json").write_text(json.dumps({"demo": "from-file"}))
    (user_path / "keys.json").chmod(0o600)
    assert KeyEcho().prompt("x").text() == "key=from-file"


def test_explicit_key_and_alias(user_path: Path) -> None:
    user_path.mkdir(parents=True, exist_ok=True)
    (user_path / "keys.json").write_text(json.dumps({"other": "aliased"}))
    (user_path / "keys.json").chmod(0o600)
    assert KeyEcho().prompt("x", key="literal").text() == "key=literal"
    assert KeyEcho().prompt("x", key="other").text() == "key=aliased"


def test_model_key_attribute_wins() -> None:
    model = KeyEcho()
    model.key = "attribute"
    assert model.prompt("x", key="literal").text() == "key=attribute"


def test_key_never_in_repr() -> None:
    response = KeyEcho().prompt("x", key="sk-secret-value")
    assert "sk-secret-value" not in repr(response)
    assert "sk-secret-value" not in repr(response.prompt)
