"""The user directory and its files: keys, aliases, defaults, extra models."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from llm_async._core import config as _config
from llm_async._core.config import (
    DEFAULT_MODEL,
    KEYS_NOTE,
    ConfigError,
    KeysFileWarning,
    atomic_write_text,
    delete_alias,
    get_default_embedding_model,
    get_default_model,
    get_key,
    load_aliases,
    load_extra_openai_models,
    load_keys,
    set_default_embedding_model,
    set_default_model,
    set_key,
    user_dir,
    write_alias,
)

SECRET = "sk-CANARY-3f9a1c7e55"
#: A JSON document nested deeper than the json module can read.
DEEP_JSON = '{"a": ' * 100_000 + f'"{SECRET}"' + "}" * 100_000
#: Valid JSON, over MAX_CONFIG_BYTES.
HUGE_JSON = json.dumps({f"name{i}": SECRET for i in range(200_000)})
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh ``LLM_USER_PATH`` (not created yet) and no stray env keys."""
    path = tmp_path / "config"
    monkeypatch.setenv("LLM_USER_PATH", str(path))
    for name in ("DEMO_KEY", "OTHER_KEY"):
        monkeypatch.delenv(name, raising=False)
    return path


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def write(path: Path, text: str | bytes) -> Path:
    """Write a config file; ``keys.json`` private, as ``set_key`` makes it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    if path.name == "keys.json":
        path.chmod(0o600)
    return path


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def assert_no_secret(exc: BaseException) -> None:
    rendered = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    assert SECRET not in str(exc)
    assert SECRET not in repr(exc)
    assert SECRET not in rendered
    # The parser's exception (which holds the file's text) is not kept around.
    assert exc.__cause__ is None
    assert exc.__context__ is None


# user_dir


def test_user_dir_uses_llm_user_path_and_creates_it(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nested = config / "a" / "b"
    monkeypatch.setenv("LLM_USER_PATH", str(nested))
    assert not nested.exists()
    assert user_dir() == nested
    assert nested.is_dir()
    assert user_dir() == nested  # an existing directory is fine


@posix_only
def test_user_dir_is_created_private(config: Path, umask_022: None) -> None:
    assert stat.S_IMODE(user_dir().stat().st_mode) == 0o700


@posix_only
def test_user_dir_leaves_an_existing_directory_mode_alone(config: Path) -> None:
    config.mkdir()
    config.chmod(0o755)
    user_dir()
    assert stat.S_IMODE(config.stat().st_mode) == 0o755


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``LLM_USER_PATH`` unset, ``HOME`` a fresh folder, no XDG variable."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("LLM_USER_PATH", raising=False)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    return home


@posix_only
@pytest.mark.parametrize("value", [None, ""])
def test_user_dir_linux_default(
    home: Path, monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    if value is not None:
        monkeypatch.setenv("LLM_USER_PATH", value)  # empty counts as unset
        monkeypatch.setenv("XDG_CONFIG_HOME", value)
    expected = home / ".config" / "io.datasette.llm"
    assert user_dir() == expected
    assert expected.is_dir()


@posix_only
def test_user_dir_linux_xdg_config_home(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert user_dir() == tmp_path / "xdg" / "io.datasette.llm"
    assert user_dir().is_dir()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux rules")
@pytest.mark.parametrize("xdg", [False, True])
def test_user_dir_matches_platformdirs_on_linux(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, xdg: bool
) -> None:
    import platformdirs

    if xdg:
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    expected = platformdirs.user_config_dir(
        "io.datasette.llm", appauthor=False, roaming=True
    )
    assert user_dir() == Path(expected)


@posix_only
def test_user_dir_macos_ignores_xdg_like_click(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    expected = home / "Library" / "Application Support" / "io.datasette.llm"
    assert user_dir() == expected
    assert expected.is_dir()


@posix_only
def test_user_dir_windows_uses_roaming_appdata(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("APPDATA", str(tmp_path / "Roaming"))
    assert user_dir() == tmp_path / "Roaming" / "io.datasette.llm"
    monkeypatch.delenv("APPDATA")
    assert user_dir() == home / "io.datasette.llm"


# Importing the module


def test_import_does_no_io_and_imports_nothing_heavy(tmp_path: Path) -> None:
    # Import the module without running llm_async/__init__.py, to see what
    # _config itself pulls in.
    source = Path(_config.__file__).parent.parent
    code = textwrap.dedent(
        f"""
        import sys, types
        package = types.ModuleType("llm_async")
        package.__path__ = [{str(source)!r}]
        sys.modules["llm_async"] = package
        import llm_async._core.config
        heavy = {{"yaml", "pydantic", "httpx", "platformdirs", "click",
                 "pluggy", "anyio", "llama_cpp", "numpy", "truststore",
                 "filelock"}}
        print(sorted(heavy & set(sys.modules)))
        """
    )
    target = tmp_path / "never-created"
    env = {**os.environ, "LLM_USER_PATH": str(target)}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
    assert not target.exists()


# atomic_write_text


def test_atomic_write_creates_and_replaces(tmp_path: Path) -> None:
    path = tmp_path / "file.txt"
    atomic_write_text(path, "one ✓\n")
    assert path.read_bytes() == "one ✓\n".encode()
    atomic_write_text(str(path), "two")
    assert path.read_text(encoding="utf-8") == "two"
    assert leftovers(tmp_path) == []


def test_atomic_write_failed_replace_keeps_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "file.txt", "old")

    def fail(src: Any, dst: Any) -> None:
        assert Path(src).read_text() == "new"  # the new text was fully written
        raise OSError("disk on fire")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk on fire"):
        atomic_write_text(path, "new")
    assert path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]


def test_atomic_write_failed_write_keeps_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "file.txt", "old")

    def fail(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_text(path, "new")
    assert path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]


def test_atomic_write_failure_on_a_new_file_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(src: Any, dst: Any) -> None:
        raise OSError("nope")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        atomic_write_text(tmp_path / "new.txt", "text")
    assert list(tmp_path.iterdir()) == []


@posix_only
def test_atomic_write_modes(tmp_path: Path, umask_022: None) -> None:
    fresh = tmp_path / "fresh.txt"
    atomic_write_text(fresh, "x")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
    private = tmp_path / "private.txt"
    atomic_write_text(private, "x", mode=0o600)
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    # An existing file keeps its mode, whatever ``mode`` says.
    shared = write(tmp_path / "shared.txt", "x")
    shared.chmod(0o640)
    atomic_write_text(shared, "y", mode=0o600)
    assert stat.S_IMODE(shared.stat().st_mode) == 0o640
    assert shared.read_text() == "y"


@posix_only
def test_atomic_write_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    real = write(tmp_path / "dotfiles" / "keys.json", "old")
    link = tmp_path / "keys.json"
    link.symlink_to(real)
    atomic_write_text(link, "new")
    assert link.is_symlink()
    assert real.read_text() == "new"
    assert leftovers(real.parent) == []


# keys.json


def test_load_keys(config: Path) -> None:
    assert load_keys() == {}
    write(config / "keys.json", json.dumps({"// Note": "x", "openai": SECRET}))
    assert load_keys() == {"// Note": "x", "openai": SECRET}


def test_load_keys_sees_every_change_of_the_file(config: Path) -> None:
    # The parsed file is cached by inode, size and times (read once per change).
    set_key("openai", "sk-1")
    assert load_keys()["openai"] == "sk-1"
    loaded = load_keys()
    loaded["openai"] = "changed by the caller"
    assert load_keys()["openai"] == "sk-1"  # a copy each time
    set_key("openai", "sk-2")  # same size, new file
    assert load_keys()["openai"] == "sk-2"
    path = config / "keys.json"
    path.write_text(json.dumps({"openai": "sk-3"}))  # edited in place
    os.utime(path, ns=(1, 1))
    assert load_keys() == {"openai": "sk-3"}
    path.write_text("[]")
    with pytest.raises(ConfigError):
        load_keys()
    path.unlink()
    assert load_keys() == {}


def test_keys_json_appearing_later_is_seen(config: Path) -> None:
    # Once missing, the file is asked after without a raised error; it is
    # found as soon as another process writes it, and missed once it is gone.
    path = config / "keys.json"
    for _ in range(2):
        assert get_key(None, "openai") is None
        write(path, json.dumps({"openai": "sk-1"}))
        assert get_key(None, "openai") == "sk-1"
        path.unlink()
        assert get_key(None, "openai") is None


def test_load_keys_accepts_a_utf8_bom(config: Path) -> None:
    write(config / "keys.json", b'\xef\xbb\xbf{"openai": "sk-1"}')
    assert load_keys() == {"openai": "sk-1"}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (f'{{"openai": "{SECRET}"', "is not valid JSON"),
        (f'{{"openai": "{SECRET}",}}', "is not valid JSON"),
        (f'["{SECRET}"]', "must contain a JSON object, not list"),
        (f'"{SECRET}"', "must contain a JSON object, not string"),
        (f'{{"openai": "{SECRET}", "other": 5}}', "has a number for 'other'"),
        (f'{{"openai": ["{SECRET}"]}}', "has a list for 'openai'"),
        (SECRET.encode() + b"\xff\xfe", "is not"),
        (DEEP_JSON, "nests too deeply"),
        (HUGE_JSON, "is larger than 4 MB"),
    ],
)
def test_invalid_keys_json_never_reveals_secrets(
    config: Path, content: str | bytes, expected: str
) -> None:
    path = write(config / "keys.json", content)
    with pytest.raises(ConfigError) as info:
        load_keys()
    message = str(info.value)
    assert str(path) in message
    assert expected in message
    assert "llm keys set" in message  # says how to fix it
    assert isinstance(info.value, ValueError)
    assert_no_secret(info.value)
    with pytest.raises(ConfigError) as again:
        get_key("literal-key")  # needs keys.json to know if it is a name
    assert_no_secret(again.value)


def test_invalid_keys_json_reports_line_and_column(config: Path) -> None:
    write(config / "keys.json", '{\n  "a": "b"\n  "c": "d"\n}')
    with pytest.raises(ConfigError, match="line 3 column 3"):
        load_keys()


# get_key


@pytest.fixture
def keys(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(
        config / "keys.json",
        json.dumps({"demo": "stored-demo", "other": "stored-other", "empty": ""}),
    )
    monkeypatch.setenv("DEMO_KEY", "env-demo")
    monkeypatch.setenv("OTHER_KEY", "env-other")


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        # Nothing to go on.
        ((), {}, None),
        ((None, "missing", "UNSET_VAR"), {}, None),
        # The environment variable alone.
        ((None, "missing", "DEMO_KEY"), {}, "env-demo"),
        ((None, None, "DEMO_KEY"), {}, "env-demo"),
        # keys.json beats the environment.
        ((None, "demo", "DEMO_KEY"), {}, "stored-demo"),
        # An explicit key that names a stored key → the stored key.
        (("other", "demo", "DEMO_KEY"), {}, "stored-other"),
        # An explicit key that does not → used literally, beats everything.
        (("literal", "demo", "DEMO_KEY"), {}, "literal"),
        # An empty explicit key is ignored.
        (("", "demo", "DEMO_KEY"), {}, "stored-demo"),
        # A stored key is returned even if empty (as llm does).
        ((None, "empty", "DEMO_KEY"), {}, ""),
        # Keyword forms override the positional ones.
        (("literal",), {"input": "other"}, "stored-other"),
        (("literal",), {"input": "kw-literal"}, "kw-literal"),
        ((None, "demo", "DEMO_KEY"), {"alias": "other"}, "stored-other"),
        ((None, "missing", "DEMO_KEY"), {"env": "OTHER_KEY"}, "env-other"),
        ((None, None, None), {"alias": "demo", "env": "OTHER_KEY"}, "stored-demo"),
        ((None, None, None), {"alias": "missing", "env": "OTHER_KEY"}, "env-other"),
        # Empty keyword forms do not override.
        (("literal",), {"input": ""}, "literal"),
        ((None, "demo"), {"alias": ""}, "stored-demo"),
        ((None, None, "DEMO_KEY"), {"env": ""}, "env-demo"),
    ],
)
def test_get_key_precedence(
    keys: None, args: tuple[Any, ...], kwargs: dict[str, Any], expected: str | None
) -> None:
    assert get_key(*args, **kwargs) == expected


def test_get_key_ignores_an_empty_environment_variable(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEMO_KEY", "")
    assert get_key(env="DEMO_KEY") is None


def test_get_key_without_keys_json(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEMO_KEY", "env-demo")
    assert get_key("literal", "demo", "DEMO_KEY") == "literal"
    assert get_key(alias="demo", env="DEMO_KEY") == "env-demo"


# set_key


def test_set_key_creates_keys_json_in_the_cli_format(config: Path) -> None:
    set_key("openai", SECRET)
    text = (config / "keys.json").read_text()
    assert text == json.dumps({"// Note": KEYS_NOTE, "openai": SECRET}, indent=2) + "\n"
    assert text.startswith('{\n  "// Note": "This file stores secret API credentials.')
    assert get_key(alias="openai") == SECRET
    set_key("other", "v2")
    set_key("openai", "v3")
    assert load_keys() == {"// Note": KEYS_NOTE, "openai": "v3", "other": "v2"}
    assert leftovers(config) == []


@pytest.fixture
def temp_modes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The mode of each temporary file when it is opened for writing."""
    seen: list[int] = []
    original = os.fdopen

    def spy(fd: int, *args: Any, **kwargs: Any) -> Any:
        assert os.fstat(fd).st_size == 0
        seen.append(stat.S_IMODE(os.fstat(fd).st_mode))
        return original(fd, *args, **kwargs)

    monkeypatch.setattr(os, "fdopen", spy)
    return seen


@posix_only
def test_set_key_creates_the_file_0600_before_writing_the_secret(
    config: Path, umask_022: None, temp_modes: list[int]
) -> None:
    set_key("openai", SECRET)
    assert temp_modes == [0o600]
    assert stat.S_IMODE((config / "keys.json").stat().st_mode) == 0o600


@posix_only
def test_set_key_keeps_the_mode_of_an_existing_file(
    config: Path, umask_022: None, temp_modes: list[int]
) -> None:
    path = write(config / "keys.json", '{"a": "b"}')
    path.chmod(0o640)
    with pytest.warns(KeysFileWarning):
        set_key("openai", SECRET)
    # Owner-only until the old file's mode is copied, before the secret is written.
    assert temp_modes == [0o600]
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert load_keys() == {"a": "b", "openai": SECRET}  # no note added


@posix_only
def test_keys_json_readable_by_others_warns_once(config: Path) -> None:
    path = write(config / "keys.json", json.dumps({"openai": SECRET}))
    path.chmod(0o644)
    with pytest.warns(KeysFileWarning) as caught:
        assert get_key(alias="openai") == SECRET
    assert len(caught) == 1
    message = str(caught[0].message)
    assert f"{path} has mode 0644" in message
    assert f"chmod 600 {path}" in message
    assert SECRET not in message
    # The same file and mode again: no second warning (filterwarnings=error).
    assert load_keys() == {"openai": SECRET}


@posix_only
def test_private_keys_json_does_not_warn(config: Path) -> None:
    write(config / "keys.json", json.dumps({"openai": SECRET}))
    assert load_keys() == {"openai": SECRET}  # any warning would be an error here


def test_set_key_from_many_threads_loses_nothing(config: Path) -> None:
    threads = [
        threading.Thread(target=set_key, args=(f"name{i}", f"value{i}"))
        for i in range(20)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert load_keys() == {
        "// Note": KEYS_NOTE,
        **{f"name{i}": f"value{i}" for i in range(20)},
    }
    assert leftovers(config) == []


def test_set_key_refuses_to_overwrite_an_invalid_file(config: Path) -> None:
    path = write(config / "keys.json", f'{{"old": "{SECRET}"')
    with pytest.raises(ConfigError) as info:
        set_key("openai", "new")
    assert_no_secret(info.value)
    assert path.read_text() == f'{{"old": "{SECRET}"'


def test_set_key_is_atomic(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    set_key("openai", "old")
    before = (config / "keys.json").read_bytes()

    def fail(src: Any, dst: Any) -> None:
        raise OSError("simulated crash")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="simulated crash"):
        set_key("openai", SECRET)
    assert (config / "keys.json").read_bytes() == before
    assert leftovers(config) == []


# aliases.json


def test_load_aliases(config: Path) -> None:
    assert load_aliases() == {}
    write(config / "aliases.json", '{"fast": "gpt-4o-mini"}')
    assert load_aliases() == {"fast": "gpt-4o-mini"}


UNREADABLE_ALIASES: dict[str, str | bytes] = {
    "invalid": "{nope",
    "binary": b"\xff\xfe\x00\x81garbage",
    "deep": "[" * 100_000 + "]" * 100_000,
    "huge": json.dumps({f"a{i}": "gpt-4o" for i in range(300_000)}),
    "list": '["a"]',
    "number": '{"a": 1}',
    "empty": "",
}


@pytest.mark.parametrize("name", sorted(UNREADABLE_ALIASES))
def test_unreadable_aliases_json_raises_config_error(config: Path, name: str) -> None:
    """Never a JSONDecodeError, UnicodeDecodeError or RecursionError from inside
    the json module: a ConfigError (a ValueError) naming the file and the fix."""
    path = write(config / "aliases.json", UNREADABLE_ALIASES[name])
    with pytest.raises(ConfigError) as info:
        load_aliases()
    message = str(info.value)
    assert message.startswith(f"{path} ")
    assert "set_alias" in message
    assert isinstance(info.value, ValueError)
    assert info.value.__cause__ is None
    assert info.value.__context__ is None


def test_write_alias_format(config: Path) -> None:
    write_alias("fast", "gpt-4o-mini")
    write_alias("big", "gpt-4o")
    write_alias("fast", "gpt-4.1-nano")
    text = (config / "aliases.json").read_text()
    expected = {"fast": "gpt-4.1-nano", "big": "gpt-4o"}
    assert text == json.dumps(expected, indent=4) + "\n"
    assert load_aliases() == expected
    assert leftovers(config) == []


@pytest.mark.parametrize("name", sorted(UNREADABLE_ALIASES))
def test_write_alias_moves_an_unreadable_file_aside(config: Path, name: str) -> None:
    """As the seed says, an unreadable aliases.json is overwritten; its bytes are
    kept first as aliases.json.corrupt-<timestamp>, with one warning naming both."""
    content = UNREADABLE_ALIASES[name]
    path = write(config / "aliases.json", content)
    with pytest.warns(_config.ConfigFileWarning) as record:
        write_alias("fast", "gpt-4o-mini")
    assert load_aliases() == {"fast": "gpt-4o-mini"}
    backups = sorted(config.glob("aliases.json.corrupt-*"))
    assert len(backups) == 1
    expected = content.encode() if isinstance(content, str) else content
    assert backups[0].read_bytes() == expected
    assert len(record) == 1
    assert str(path) in str(record[0].message)
    assert str(backups[0]) in str(record[0].message)
    write_alias("big", "gpt-4o")  # readable now: no second warning
    assert load_aliases() == {"fast": "gpt-4o-mini", "big": "gpt-4o"}


def test_two_recoveries_keep_both_old_files(config: Path) -> None:
    for content in ("{one", "{two"):
        write(config / "aliases.json", content)
        with pytest.warns(_config.ConfigFileWarning):
            assert _config.recover_aliases() is not None
    kept = sorted(p.read_text() for p in config.glob("aliases.json.corrupt-*"))
    assert kept == ["{one", "{two"]
    assert not (config / "aliases.json").exists()
    assert _config.recover_aliases() is None  # nothing to do


def test_delete_alias_leaves_an_unreadable_file_alone(config: Path) -> None:
    path = write(config / "aliases.json", b"\xff\xfe")
    with pytest.raises(KeyError, match="not valid JSON"):
        delete_alias("fast")
    assert path.read_bytes() == b"\xff\xfe"


def test_delete_alias(config: Path) -> None:
    write_alias("fast", "gpt-4o-mini")
    write_alias("big", "gpt-4o")
    delete_alias("fast")
    text = (config / "aliases.json").read_text()
    assert text == json.dumps({"big": "gpt-4o"}, indent=4) + "\n"


def test_delete_alias_errors(config: Path) -> None:
    with pytest.raises(KeyError) as info:
        delete_alias("fast")
    assert info.value.args == ("No aliases.json file exists",)
    write(config / "aliases.json", "{nope")
    with pytest.raises(KeyError) as info:
        delete_alias("fast")
    assert info.value.args == ("aliases.json file is not valid JSON",)
    write(config / "aliases.json", '{"big": "gpt-4o"}')
    with pytest.raises(KeyError) as info:
        delete_alias("fast")
    assert info.value.args == ("No such alias: fast",)
    assert load_aliases() == {"big": "gpt-4o"}


# Default models


def test_default_model(config: Path) -> None:
    assert DEFAULT_MODEL == "gpt-4o-mini"
    assert get_default_model() == DEFAULT_MODEL
    assert get_default_model(default=None) is None
    set_default_model("claude-alias")
    assert (config / "default_model.txt").read_bytes() == b"claude-alias"
    assert get_default_model() == "claude-alias"
    write(config / "default_model.txt", "  gpt-4o \n")
    assert get_default_model() == "gpt-4o"
    assert leftovers(config) == []


def test_default_model_empty_file_counts_as_absent(config: Path) -> None:
    write(config / "default_model.txt", " \n")
    assert get_default_model() == DEFAULT_MODEL
    assert get_default_model(default=None) is None


def test_set_default_model_none_deletes_the_file(config: Path) -> None:
    set_default_model("gpt-4o")
    set_default_model(None)
    assert not (config / "default_model.txt").exists()
    assert get_default_model() == DEFAULT_MODEL


def test_set_default_model_none_without_a_file_is_a_no_op(config: Path) -> None:
    set_default_model(None)  # llm raises TypeError here
    assert not (config / "default_model.txt").exists()
    assert get_default_model() == DEFAULT_MODEL


@pytest.mark.parametrize(
    ("content", "expected"),
    [(b"\xff\xfe\x00gpt", "is not UTF-8 text"), (b"x" * (5 << 20), "larger than")],
)
def test_unreadable_default_model_file_raises_config_error(
    config: Path, content: bytes, expected: str
) -> None:
    path = write(config / "default_model.txt", content)
    with pytest.raises(ConfigError) as info:
        get_default_model()
    assert str(path) in str(info.value)
    assert expected in str(info.value)
    set_default_model("gpt-4o")  # setting it again is the fix
    assert get_default_model() == "gpt-4o"


def test_default_model_custom_filename(config: Path) -> None:
    set_default_model("m", filename="other.txt")
    assert (config / "other.txt").read_text() == "m"
    assert get_default_model("other.txt") == "m"
    assert get_default_model() == DEFAULT_MODEL


def test_default_embedding_model(config: Path) -> None:
    assert get_default_embedding_model() is None
    set_default_embedding_model("3-small")
    assert (config / "default_embedding_model.txt").read_text() == "3-small"
    assert get_default_embedding_model() == "3-small"
    assert get_default_model() == DEFAULT_MODEL  # separate file
    set_default_embedding_model(None)
    assert get_default_embedding_model() is None
    set_default_embedding_model(None)
    assert not (config / "default_embedding_model.txt").exists()


# extra-openai-models.yaml


def write_extra(config: Path, text: str) -> Path:
    return write(config / "extra-openai-models.yaml", textwrap.dedent(text))


def test_extra_openai_models_absent_or_empty(config: Path) -> None:
    assert load_extra_openai_models() == []
    write_extra(config, "")
    assert load_extra_openai_models() == []
    write_extra(config, "# nothing yet\n")
    assert load_extra_openai_models() == []


def test_extra_openai_models_entries_are_kept_as_dicts(config: Path) -> None:
    write_extra(
        config,
        """
        - model_id: local-llama
          model_name: llama3
          api_base: http://localhost:8080/v1
          aliases: [ll]
          can_stream: false
          headers:
            X-Team: research
        - model_id: azure-4o
          model_name: gpt-4o
          api_key_name: azure
        """,
    )
    assert load_extra_openai_models() == [
        {
            "model_id": "local-llama",
            "model_name": "llama3",
            "api_base": "http://localhost:8080/v1",
            "aliases": ["ll"],
            "can_stream": False,
            "headers": {"X-Team": "research"},
        },
        {"model_id": "azure-4o", "model_name": "gpt-4o", "api_key_name": "azure"},
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f"- model_id: a\n  headers: {{Authorization: Bearer {SECRET}\n",
            "is not valid YAML",
        ),
        (f"- model_id: a\n\theaders: {SECRET}\n", "is not valid YAML"),
        (f"model_id: {SECRET}\n", "must contain a list of model definitions"),
        ("- " * 20_000 + SECRET, "nests too deeply"),
        (b"- model_id: \xff\xfe\x00" + SECRET.encode(), "is not UTF-8 text"),
        (f"- model_id: {SECRET}\n" * 300_000, "is larger than 4 MB"),
    ],
)
def test_invalid_extra_openai_models(
    config: Path, text: str | bytes, expected: str
) -> None:
    path = write(config / "extra-openai-models.yaml", text)
    with pytest.raises(ConfigError) as info:
        load_extra_openai_models()
    assert str(path) in str(info.value)
    assert expected in str(info.value)
    assert_no_secret(info.value)


def test_extra_openai_models_keeps_invalid_entries_for_the_caller(
    config: Path,
) -> None:
    """Entries are checked one by one by the provider (which skips a bad one)."""
    write_extra(config, "- model_id: a\n- just a string\n- model_id: 4\n")
    assert load_extra_openai_models() == [
        {"model_id": "a"},
        "just a string",
        {"model_id": 4},
    ]


def test_load_yaml_list_gives_each_entry_its_line(config: Path) -> None:
    path = write_extra(
        config, "# models\n- model_id: a\n\n- model_id: b\n  x: 1\n- 3\n"
    )
    assert _config.load_yaml_list(path) == [
        (2, {"model_id": "a"}),
        (4, {"model_id": "b", "x": 1}),
        (6, 3),
    ]


def test_invalid_extra_openai_models_yaml_names_the_line(config: Path) -> None:
    write_extra(config, "- model_id: a\n  model_name: [b\n")
    with pytest.raises(ConfigError, match=r"line \d+, column \d+"):
        load_extra_openai_models()
