"""Registry, aliases, defaults and plugins (real entry points on sys.path)."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

import llm_async
import llm_sync
from llm_async import _registry

PLUGIN_SITE = Path(__file__).resolve().parents[1] / "plugin_site"


@pytest.fixture
def plugins(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Put the test plugin distributions on sys.path and reload the registry."""
    monkeypatch.syspath_prepend(str(PLUGIN_SITE))
    for name in (
        "llm_async_testplugin",
        "llm_async_brokenplugin",
        "llm_async_badregister",
    ):
        monkeypatch.delitem(sys.modules, name, raising=False)
    _registry._reset()
    yield
    _registry._reset()


def test_get_model_and_async_model_by_id() -> None:
    assert isinstance(llm_sync.get_model("echo"), llm_sync.EchoModel)
    assert isinstance(llm_async.get_async_model("echo"), llm_async.AsyncEchoModel)


def test_unknown_model_messages() -> None:
    with pytest.raises(llm_async.UnknownModelError) as info:
        llm_sync.get_model("nope")
    assert info.value.args[0] == "Unknown model: nope"
    assert isinstance(info.value, KeyError)


def test_unknown_async_model_when_only_sync_exists() -> None:
    llm_async.register_model(llm_sync.ScriptedModel(model_id="sync-only"))
    try:
        with pytest.raises(llm_async.UnknownModelError) as info:
            llm_async.get_async_model("sync-only")
        assert (
            info.value.args[0] == "Unknown async model (sync model exists): sync-only"
        )
    finally:
        _registry._reset()


def test_default_model(user_path: Path) -> None:
    assert llm_async.get_default_model() == "gpt-4o-mini"
    assert llm_async.get_default_model(default=None) is None
    llm_async.set_default_model("echo")
    assert llm_sync.get_model().model_id == "echo"
    assert llm_async.get_async_model().model_id == "echo"


def test_set_alias_resolves_target_and_remove(user_path: Path) -> None:
    llm_async.set_alias("e", "echo")
    llm_async.set_alias("e2", "e")
    assert json.loads((user_path / "aliases.json").read_text()) == {
        "e": "echo",
        "e2": "echo",
    }
    assert llm_sync.get_model("e2").model_id == "echo"
    assert llm_async.get_async_model("e").model_id == "echo"
    entry = next(
        m for m in llm_async.get_models_with_aliases() if m.model.model_id == "echo"
    )
    assert {"e", "e2"} <= set(entry.aliases)
    llm_async.remove_alias("e")
    with pytest.raises(KeyError, match="No such alias: e"):
        llm_async.remove_alias("e")


def test_models_with_aliases_have_both_facades() -> None:
    entry = next(
        m for m in llm_async.get_models_with_aliases() if m.model.model_id == "echo"
    )
    assert isinstance(entry.model, llm_sync.Model)
    assert isinstance(entry.async_model, llm_async.AsyncModel)
    assert entry.matches("ECH")


def test_get_models_lists_sync_and_async() -> None:
    assert "echo" in [m.model_id for m in llm_sync.get_models()]
    assert "echo" in [m.model_id for m in llm_async.get_async_models()]


def test_runtime_registration() -> None:
    llm_async.register_model(
        llm_sync.ScriptedModel(["hi"], model_id="rt"),
        llm_async.AsyncScriptedModel(["hi"], model_id="rt"),
        aliases=["runtime"],
    )
    try:
        assert llm_sync.get_model("runtime").prompt("x").text() == "hi"
    finally:
        _registry._reset()


def test_plugins_load_from_entry_points_and_broken_ones_warn(plugins: None) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = llm_sync.get_model("pm")
    messages = [str(w.message) for w in caught if w.category is llm_async.PluginWarning]
    assert len(messages) == 2, messages
    assert any("brokenplugin" in m and "ImportError" in m for m in messages)
    assert any("badregister" in m and "half-way" in m for m in messages)
    assert model.model_id == "plugin-model"
    assert model.prompt("x").text() == "from plugin"
    # A plugin that failed half-way leaves nothing registered.
    with pytest.raises(llm_async.UnknownModelError):
        llm_sync.get_model("half-registered")
    # Every other model still works.
    assert llm_sync.get_model("echo").model_id == "echo"
    assert llm_async.get_async_model("plugin-model").model_id == "plugin-model"


def test_strict_mode_raises_plugin_errors(
    plugins: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLM_ASYNC_STRICT_PLUGINS", "1")
    with pytest.raises(ImportError, match="broken on purpose"):
        llm_sync.get_model("pm")


def test_llm_load_plugins_limits_which_load(
    plugins: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLM_LOAD_PLUGINS", "llm-async-testplugin")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert llm_sync.get_model("pm").model_id == "plugin-model"
    assert "llm_async_brokenplugin" not in sys.modules


def test_import_is_lazy_and_side_effect_free(tmp_path: Path) -> None:
    """Importing llm_sync loads no plugin, no provider and no pydantic; no I/O."""
    code = (
        "import sys, socket\n"
        "def refuse(*a, **k): raise AssertionError('network I/O at import')\n"
        "socket.socket.connect = refuse\n"
        "import llm_sync\n"
        "loaded = [m for m in ('pydantic', 'pluggy', 'llm_async_testplugin', "
        "'httpx', 'llama_cpp', 'yaml') if m in sys.modules]\n"
        "print(','.join(loaded))\n"
    )
    env_path = str(PLUGIN_SITE)
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={
            "PYTHONPATH": env_path + ":" + ":".join(p for p in sys.path if p),
            "LLM_USER_PATH": str(tmp_path / "user"),
        },
        check=True,
    )
    assert result.stdout.strip() == ""
    assert not (tmp_path / "user").exists()
