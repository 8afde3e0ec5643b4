"""Registry, aliases, defaults and plugins (real entry points on sys.path)."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import llm_async
import llm_sync
from llm_async._core import registry as _registry

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


@pytest.mark.parametrize("content", [b"\xff\xfe\x00binary", b"[" * 100_000])
def test_unreadable_aliases_json_is_a_config_error_then_set_alias_recovers(
    user_path: Path, content: bytes
) -> None:
    """get_model names the file (no UnicodeDecodeError or RecursionError from
    the json module); set_alias overwrites it, as llm does, keeping it aside."""
    user_path.mkdir(exist_ok=True)
    (user_path / "aliases.json").write_bytes(content)
    for get in (llm_sync.get_model, llm_async.get_async_model):
        with pytest.raises(llm_async.ConfigError, match=r"aliases\.json"):
            get("echo")
    with pytest.warns(llm_async.ConfigFileWarning, match="corrupt-") as record:
        llm_sync.set_alias("e", "echo")
    assert len(record) == 1
    assert llm_sync.get_model("e").model_id == "echo"
    (backup,) = user_path.glob("aliases.json.corrupt-*")
    assert backup.read_bytes() == content


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


def _plugin_warnings(call: Any) -> tuple[Any, list[str]]:
    """Load the plugins first, then record the warnings ``call()`` raises."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        llm_async.load_plugins()  # brokenplugin's import warning happens here
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call()
    return result, [
        str(w.message) for w in caught if w.category is llm_async.PluginWarning
    ]


def test_embedding_models_from_a_plugin(plugins: None, user_path: Path) -> None:
    models, messages = _plugin_warnings(llm_sync.get_embedding_models)
    assert messages == []
    assert "plugin-embed" in [m.model_id for m in models]
    model = llm_sync.get_embedding_model("pe")
    assert model.model_id == "plugin-embed"
    assert model.embed("banana") == [6.0, 3.0]
    assert llm_sync.get_embedding_model("plugin-embed") is model
    assert llm_sync.get_embedding_model_aliases()["pe"] is model
    # The plugin registered no async twin.
    with pytest.raises(llm_async.UnknownModelError) as caught:
        llm_async.get_async_embedding_model("pe")
    assert caught.value.args[0] == "Unknown async model (sync model exists): pe"
    assert "pe" not in llm_async.get_async_embedding_model_aliases()
    (user_path / "aliases.json").write_text('{"vec": "plugin-embed"}')
    entry = next(
        e
        for e in llm_async.get_embedding_models_with_aliases()
        if e.model.model_id == "plugin-embed"
    )
    assert entry.aliases == ["pe", "vec"]
    assert entry.matches("VEC")
    assert llm_sync.get_embedding_model("vec") is model


def test_get_tools_from_a_plugin(plugins: None) -> None:
    tools, messages = _plugin_warnings(llm_sync.get_tools)
    assert llm_sync.get_tools is llm_async.get_tools

    # A function becomes a Tool.
    multiply = tools["multiply"]
    assert isinstance(multiply, llm_async.Tool)
    assert multiply.description == "Multiply two numbers."
    assert multiply.input_schema["required"] == ["a", "b"]
    assert multiply.implementation is not None
    assert multiply.implementation(3, 4) == 12
    assert multiply.plugin == "testplugin"

    # A Tool registered with name= is renamed; the plugin's own object is not.
    import llm_async_testplugin

    add = tools["plugin_add"]
    assert isinstance(add, llm_async.Tool)
    assert add.name == "plugin_add" and add.plugin == "testplugin"
    assert add is not llm_async_testplugin.ADD_TOOL
    assert llm_async_testplugin.ADD_TOOL.name == "add"
    assert llm_async_testplugin.ADD_TOOL.plugin is None
    assert "add" not in tools

    # A Toolbox subclass is listed as the class, with .plugin set on it.
    counter = tools["Counter"]
    assert counter is llm_async_testplugin.Counter
    assert counter.plugin == "testplugin"
    assert [t.plugin for t in counter(5).tools()] == ["testplugin"]

    # badregister: one warning naming it; its tool registered before the
    # failure is not listed, and every other tool still is.
    assert len(messages) == 1, messages
    assert "badregister" in messages[0]
    assert "register_tools" in messages[0]
    assert (
        "TypeError: Toolbox classes must inherit from llm.Toolbox, "
        "NotAToolbox does not." in messages[0]
    )
    assert "half_registered_tool" not in tools
    assert {"multiply", "plugin_add", "Counter"} <= set(tools)


def test_get_tools_is_cached_until_plugins_change(plugins: None) -> None:
    first, _ = _plugin_warnings(llm_async.get_tools)
    second, messages = _plugin_warnings(llm_async.get_tools)
    assert messages == []  # not re-run: no second warning from badregister
    assert second == first and second is not first
    assert second["multiply"] is first["multiply"]
    second.clear()  # the caller's copy only
    assert "multiply" in llm_async.get_tools()


def test_get_tools_name_collisions_get_suffixes(plugins: None) -> None:
    def multiply(x: float) -> float:
        """Another multiply."""
        return x * 2

    class Counter(llm_async.Toolbox):
        def count(self) -> int:
            return 1

    class Extra:
        @llm_async.hookimpl
        def register_tools(self, register: Any) -> None:
            register(multiply)
            register(llm_async.Tool.function(len, name="x"), name="multiply")
            register(Counter)

    _plugin_warnings(llm_async.load_plugins)
    llm_async.register_plugin(Extra(), name="extra")
    try:
        tools, _ = _plugin_warnings(llm_async.get_tools)
        # Pluggy's call order: the plugin registered last runs first, so the
        # run-time plugin takes the plain names and the test plugin's tools,
        # registered afterwards, get the next suffixes.
        assert tools["multiply"].plugin == "extra"
        assert tools["multiply"].description == "Another multiply."
        assert tools["multiply_1"].plugin == "extra"
        assert tools["multiply_1"].implementation is len
        assert tools["multiply_2"].plugin == "testplugin"
        assert tools["multiply_2"].description == "Multiply two numbers."
        assert tools["Counter"] is Counter
        assert Counter.plugin == "extra"
        assert tools["Counter_1"].plugin == "testplugin"
        assert "multiply_3" not in tools and "Counter_2" not in tools
    finally:
        _registry._reset()


def test_get_tools_strict_mode_raises(
    plugins: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLM_LOAD_PLUGINS", "llm-async-badregister")
    monkeypatch.setenv("LLM_ASYNC_STRICT_PLUGINS", "1")
    with pytest.raises(TypeError, match="NotAToolbox does not"):
        llm_sync.get_tools()


def test_get_tools_lists_a_runtime_plugin_without_installed_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LLM_LOAD_PLUGINS", "")
    _registry._reset()

    def hello(name: str) -> str:
        return f"hi {name}"

    class Plugin:
        @llm_async.hookimpl
        def register_tools(self, register: Any) -> None:
            register(hello, name="greet")

    builtin = {"llm_time", "llm_version"}
    try:
        assert set(llm_async.get_tools()) == builtin
        llm_async.register_plugin(Plugin(), name="greeter")
        tools = llm_async.get_tools()
        assert set(tools) == {*builtin, "greet"}
        assert tools["greet"].plugin == "greeter"
        _registry._reset()
        assert set(llm_async.get_tools()) == builtin
    finally:
        _registry._reset()


#: Never loaded by ``import llm_sync`` / ``import llm_async``: the runtime
#: dependencies load on first use, the optional ones only when asked for.
HEAVY_MODULES = (
    "pydantic",
    "pluggy",
    "httpx",
    "httpcore",
    "anyio",
    "yaml",
    "puremagic",
    "platformdirs",
    "certifi",
    "llama_cpp",
    "numpy",
    "truststore",
    "llm_async_testplugin",
)


@pytest.mark.parametrize("package", ["llm_sync", "llm_async"])
def test_import_is_lazy_and_side_effect_free(tmp_path: Path, package: str) -> None:
    """Importing either package loads no plugin, no provider and nothing outside
    the standard library (no pydantic, httpx, yaml, numpy...); no I/O."""
    code = (
        "import sys, socket\n"
        "def refuse(*a, **k): raise AssertionError('network I/O at import')\n"
        "socket.socket.connect = refuse\n"
        "before = set(sys.modules)\n"
        f"import {package}\n"
        f"heavy = {HEAVY_MODULES!r}\n"
        "loaded = [m for m in heavy if m in sys.modules]\n"
        "ours = ('llm_async', 'llm_sync')\n"
        "tops = {m.split('.')[0] for m in set(sys.modules) - before}\n"
        "other = sorted(tops - set(sys.stdlib_module_names) - set(ours))\n"
        "print(','.join(loaded + other))\n"
    )
    env_path = str(PLUGIN_SITE)
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={
            "PYTHONPATH": env_path + ":" + ":".join(p for p in sys.path if p),
            "LLM_USER_PATH": str(tmp_path / "user"),
            "LLM_TRUSTSTORE": "1",  # read when the first client is made, not before
        },
        check=True,
    )
    assert result.stdout.strip() == ""
    assert not (tmp_path / "user").exists()
