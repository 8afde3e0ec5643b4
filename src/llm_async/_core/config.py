"""The user's configuration directory, shared with the ``llm`` command-line tool.

Same directory and same file formats as ``llm``:

* ``keys.json``: ``{"name": "secret"}``, written with mode 0600.
* ``aliases.json``: ``{"alias": "model_id"}``.
* ``default_model.txt`` and ``default_embedding_model.txt``: one model id.
* ``extra-openai-models.yaml``: a list of OpenAI-compatible model definitions.

Importing this module reads nothing; every function reads the files afresh.
Every write is atomic (``atomic_write_text``). No key value ever appears in an
exception message raised here.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import threading
from contextlib import suppress
from pathlib import Path
from typing import Any

from llm_async._core.errors import ConfigError, KeysFileWarning

__all__ = [
    "APP_NAME",
    "DEFAULT_MODEL",
    "KEYS_NOTE",
    "ConfigError",
    "KeysFileWarning",
    "atomic_write_text",
    "delete_alias",
    "get_default_embedding_model",
    "get_default_model",
    "get_key",
    "load_aliases",
    "load_extra_openai_models",
    "load_keys",
    "set_default_embedding_model",
    "set_default_model",
    "set_key",
    "user_dir",
    "write_alias",
]

#: The model used when none is named and ``default_model.txt`` does not exist.
DEFAULT_MODEL = "gpt-4o-mini"
#: The application name ``llm`` gives its configuration directory.
APP_NAME = "io.datasette.llm"
#: The first entry of a ``keys.json`` created by ``set_key`` (as ``llm keys set``).
KEYS_NOTE = "This file stores secret API credentials. Do not share!"

_KEYS_FILE = "keys.json"
_ALIASES_FILE = "aliases.json"
_DEFAULT_MODEL_FILE = "default_model.txt"
_DEFAULT_EMBEDDING_MODEL_FILE = "default_embedding_model.txt"
_EXTRA_OPENAI_MODELS_FILE = "extra-openai-models.yaml"

# Serializes read-modify-write cycles within this process (not across processes).
_write_lock = threading.Lock()


def user_dir() -> Path:
    """The configuration directory, created (with its parents) if missing.

    ``$LLM_USER_PATH`` when set and non-empty; otherwise the directory the
    ``llm`` CLI uses: ``${XDG_CONFIG_HOME:-~/.config}/io.datasette.llm`` on
    Linux and other Unixes, ``~/Library/Application Support/io.datasette.llm``
    on macOS, ``%APPDATA%\\io.datasette.llm`` on Windows. A directory created
    here gets mode 0700; an existing one is left as it is.
    """
    override = os.environ.get("LLM_USER_PATH")
    path = Path(override) if override else _platform_user_dir()
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _platform_user_dir() -> Path:
    # The rules of click.get_app_dir(APP_NAME) (roaming, not forced POSIX), which
    # is what the llm CLI uses. platformdirs differs: on macOS it honours
    # $XDG_CONFIG_HOME, which click ignores. An empty variable counts as unset.
    if sys.platform.startswith("win"):
        base = os.environ.get("APPDATA") or os.path.expanduser("~")
    elif sys.platform == "darwin":
        base = os.path.expanduser("~/Library/Application Support")
    else:
        base = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
    return Path(base, APP_NAME)


def atomic_write_text(
    path: str | os.PathLike[str], text: str, *, mode: int | None = None
) -> None:
    """Replace the file at ``path`` with ``text`` (UTF-8), atomically.

    The text goes to a temporary file in the same directory, which is flushed,
    fsynced and then renamed over ``path``: readers see the old file or the new
    one, never a partial one. On any failure the old file is left intact and
    the temporary file is removed.

    An existing file keeps its permission bits. A new file gets ``mode``
    (subject to the umask), or the usual ``0o666`` minus the umask when
    ``mode`` is ``None``; the temporary file has these permissions before any
    text is written to it. If ``path`` is a symbolic link, the file it points
    to is replaced and the link is kept.
    """
    target = Path(os.path.realpath(path))
    try:
        existing: int | None = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        existing = None
    # Created owner-only when the final mode comes from the old file (fchmod below).
    create_mode = 0o600 if existing is not None else 0o666 if mode is None else mode
    data = text.encode("utf-8")
    fd, temp = _create_temp(target, create_mode)
    try:
        with os.fdopen(fd, "wb") as file:
            if existing is not None and hasattr(os, "fchmod"):
                os.fchmod(file.fileno(), existing)
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, target)
    except BaseException:
        with suppress(OSError):
            os.unlink(temp)
        raise
    _fsync_directory(target.parent)


def _create_temp(target: Path, create_mode: int) -> tuple[int, Path]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temp = target.with_name(f".{target.name}.{os.urandom(6).hex()}.tmp")
        try:
            return os.open(temp, flags, create_mode), temp
        except FileExistsError:
            continue
    raise FileExistsError(f"Could not create a temporary file next to {target}")


def _fsync_directory(directory: Path) -> None:
    # Makes the rename durable on POSIX; not possible (or needed) on Windows.
    if os.name != "posix":
        return
    with suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# keys.json


def load_keys() -> dict[str, str]:
    """The stored API keys: ``keys.json`` in ``user_dir()``, ``{}`` if absent.

    Raises ``ConfigError`` if the file is not a JSON object of strings. The
    message names the file and never quotes its contents.
    """
    return dict(_stored_keys())


def _stored_keys() -> dict[str, str]:
    """``load_keys()`` without the copy: the cached dict, not to be changed."""
    override = os.environ.get("LLM_USER_PATH")
    path = os.path.join(override or _platform_user_dir(), _KEYS_FILE)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return _NO_KEYS
    # Read again only when the file changed: every prompt looks its key up here.
    # Writes replace the file (a new inode); the times catch in-place edits.
    signature = (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
    cached = _keys_cache.get(path)
    if cached is None or cached[0] != signature:
        cached = _keys_cache[path] = (signature, _read_keys(Path(path)))
    return cached[1]


_NO_KEYS: dict[str, str] = {}
_keys_cache: dict[str, tuple[tuple[int, ...], dict[str, str]]] = {}


_warned_modes: set[tuple[str, int]] = set()


def _check_keys_mode(path: Path, mode: int) -> None:
    """Warn, once per file and mode, when others may read or write ``keys.json``."""
    if os.name != "posix" or not mode & 0o077 or (str(path), mode) in _warned_modes:
        return
    _warned_modes.add((str(path), mode))
    import warnings

    warnings.warn(
        f"{path} has mode {mode:04o}: other users on this machine can read your "
        f"API keys. Restrict it with: chmod 600 {path}",
        KeysFileWarning,
        stacklevel=4,
    )


def _read_keys(path: Path) -> dict[str, str]:
    try:
        with path.open("rb") as file:
            raw = file.read()
            _check_keys_mode(path, stat.S_IMODE(os.fstat(file.fileno()).st_mode))
    except FileNotFoundError:
        return {}
    # The exception objects of a failed parse hold the file's text (and so the
    # secrets): build the message from harmless fields and raise outside the
    # except block, so they are not even attached as __context__.
    problem: str | None = None
    data: Any = None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        problem = f"is not valid JSON ({exc.msg}: line {exc.lineno} column {exc.colno})"
    except UnicodeDecodeError:
        problem = "is not UTF-8 text"
    if problem is None and not isinstance(data, dict):
        problem = f"must contain a JSON object, not {_json_type(data)}"
    if problem is None:
        for name, value in data.items():
            if not isinstance(value, str):
                problem = (
                    f"has a {_json_type(value)} for {name!r}; every value must be "
                    "a string"
                )
                break
    if problem is not None:
        raise ConfigError(
            f"{path} {problem}. It should look like "
            '{"openai": "sk-..."}: fix it in an editor, or delete it and store '
            "your keys again with 'llm keys set NAME'."
        )
    return dict(data)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    return "object" if isinstance(value, dict) else type(value).__name__


def get_key(
    explicit_key: str | None = None,
    key_alias: str | None = None,
    env_var: str | None = None,
    *,
    alias: str | None = None,
    env: str | None = None,
    input: str | None = None,
) -> str | None:
    """Find an API key; ``None`` if there is none (this never raises for that).

    ``input``, ``alias`` and ``env`` override ``explicit_key``, ``key_alias``
    and ``env_var`` when given. In order:

    1. ``input`` is the name of a key in ``keys.json``: that stored key;
    2. ``input`` is non-empty: ``input`` itself;
    3. ``alias`` is the name of a key in ``keys.json``: that stored key;
    4. the environment variable ``env`` is set and non-empty: its value;
    5. ``None``.

    An invalid ``keys.json`` raises ``ConfigError``.
    """
    if alias:
        key_alias = alias
    if env:
        env_var = env
    if input:
        explicit_key = input
    stored = _stored_keys()
    if explicit_key:
        return stored.get(explicit_key, explicit_key)
    if key_alias and key_alias in stored:
        return stored[key_alias]
    if env_var:
        return os.environ.get(env_var) or None
    return None


def set_key(name: str, value: str) -> None:
    """Store the key ``value`` under ``name`` in ``keys.json``, as ``llm keys set``.

    A new ``keys.json`` is created with mode 0600 (it is never readable by
    others, even briefly) and starts with a ``"// Note"`` entry; an existing
    one keeps its mode. The write is atomic. An existing ``keys.json`` that is
    invalid raises ``ConfigError`` and is left untouched.
    """
    with _write_lock:
        path = user_dir() / _KEYS_FILE
        keys = _read_keys(path) if path.exists() else {"// Note": KEYS_NOTE}
        keys[name] = value
        atomic_write_text(path, json.dumps(keys, indent=2) + "\n", mode=0o600)


# aliases.json


def load_aliases() -> dict[str, str]:
    """The aliases in ``aliases.json`` (alias -> model id); ``{}`` if absent.

    As in ``llm``, a file that is not valid JSON raises ``json.JSONDecodeError``
    (its message names the file); valid JSON that is not an object of strings
    raises ``ConfigError``. Both are ``ValueError`` subclasses.
    """
    path = user_dir() / _ALIASES_FILE
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise json.JSONDecodeError(f"{path}: {exc.msg}", exc.doc, exc.pos) from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path} must contain a JSON object, not {_json_type(data)}")
    for alias, target in data.items():
        if not isinstance(target, str):
            raise ConfigError(
                f"{path}: the alias {alias!r} must name a model id (a string), "
                f"not a {_json_type(target)}"
            )
    return dict(data)


def _read_aliases_for_update(path: Path) -> dict[str, str] | None:
    """The aliases object in ``path``; ``None`` if unreadable as one."""
    try:
        data = json.loads(path.read_bytes())
    except ValueError:  # JSONDecodeError, UnicodeDecodeError
        return None
    if not isinstance(data, dict):
        return None
    return data


def write_alias(alias: str, target: str) -> None:
    """Store ``alias`` for the model id ``target`` in ``aliases.json``.

    The target is written as given (``set_alias`` resolves it first). If
    ``aliases.json`` does not exist or does not hold a JSON object, it is
    created or overwritten.
    """
    with _write_lock:
        path = user_dir() / _ALIASES_FILE
        aliases = (_read_aliases_for_update(path) if path.exists() else None) or {}
        aliases[alias] = target
        atomic_write_text(path, json.dumps(aliases, indent=4) + "\n")


def delete_alias(alias: str) -> None:
    """Remove ``alias`` from ``aliases.json``.

    Raises ``KeyError("No aliases.json file exists")``,
    ``KeyError("aliases.json file is not valid JSON")`` or
    ``KeyError(f"No such alias: {alias}")``.
    """
    with _write_lock:
        path = user_dir() / _ALIASES_FILE
        if not path.exists():
            raise KeyError("No aliases.json file exists")
        aliases = _read_aliases_for_update(path)
        if aliases is None:
            raise KeyError("aliases.json file is not valid JSON")
        if alias not in aliases:
            raise KeyError(f"No such alias: {alias}")
        del aliases[alias]
        atomic_write_text(path, json.dumps(aliases, indent=4) + "\n")


# Default models


def get_default_model(
    filename: str = _DEFAULT_MODEL_FILE, default: str | None = DEFAULT_MODEL
) -> str | None:
    """The default model id from ``default_model.txt``, else ``default``.

    Surrounding whitespace is removed; an empty file counts as absent.
    """
    path = user_dir() / filename
    try:
        content = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return default
    return content or default


def set_default_model(model: str | None, filename: str = _DEFAULT_MODEL_FILE) -> None:
    """Save ``model`` as the default model (verbatim: no check, no newline).

    ``None`` deletes ``default_model.txt``, and does nothing if there is none
    (``llm`` raises ``TypeError`` in that case).
    """
    path = user_dir() / filename
    if model is None:
        path.unlink(missing_ok=True)
    else:
        atomic_write_text(path, model)


def get_default_embedding_model() -> str | None:
    """The default embedding model from ``default_embedding_model.txt``, or ``None``."""
    return get_default_model(_DEFAULT_EMBEDDING_MODEL_FILE, None)


def set_default_embedding_model(model: str | None) -> None:
    """Save the default embedding model; ``None`` removes the setting."""
    set_default_model(model, _DEFAULT_EMBEDDING_MODEL_FILE)


# extra-openai-models.yaml


def load_extra_openai_models() -> list[dict[str, Any]]:
    """The entries of ``extra-openai-models.yaml``; ``[]`` if absent or empty.

    Each entry is returned as the mapping found in the file. Raises
    ``ConfigError`` naming the file, and the entry index (from 0), if the file
    is not valid YAML or not a list of mappings that each have a string
    ``model_id``. Messages never quote values from the file (``headers`` may
    hold credentials).
    """
    import yaml

    path = user_dir() / _EXTRA_OPENAI_MODELS_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except UnicodeDecodeError:
        text = None
    if text is None:
        raise ConfigError(f"{path} is not UTF-8 text")
    # A YAMLError's marks hold the whole file: take what is needed, raise outside.
    problem: str | None = None
    data: Any = None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        problem = _describe_yaml_error(exc)
    if problem is not None:
        raise ConfigError(f"{path} is not valid YAML: {problem}")
    if data is None:
        return []
    if not isinstance(data, list):
        raise ConfigError(
            f"{path} must contain a list of model definitions "
            f"(lines starting with '- model_id: ...'), not a {type(data).__name__}"
        )
    for index, entry in enumerate(data):
        label = f"{path}: entry {index}"
        if not isinstance(entry, dict):
            raise ConfigError(
                f"{label} must be a mapping, not a {type(entry).__name__}"
            )
        if "model_id" not in entry:
            raise ConfigError(f"{label} has no model_id")
        model_id = entry["model_id"]
        if not isinstance(model_id, str):
            raise ConfigError(
                f"{label}: model_id must be a string, not {type(model_id).__name__}"
            )
        if not model_id.strip():
            raise ConfigError(f"{label}: model_id is empty")
    return data


def _describe_yaml_error(exc: Exception) -> str:
    problem = getattr(exc, "problem", None)
    mark = getattr(exc, "problem_mark", None)
    text = str(problem) if problem else type(exc).__name__
    if mark is not None:
        text += f" (line {mark.line + 1}, column {mark.column + 1})"
    return text
