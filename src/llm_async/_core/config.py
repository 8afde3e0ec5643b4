"""The user's configuration directory, shared with the ``llm`` command-line tool.

Same directory and same file formats as ``llm``:

* ``keys.json``: ``{"name": "secret"}``, written with mode 0600.
* ``aliases.json``: ``{"alias": "model_id"}``.
* ``default_model.txt`` and ``default_embedding_model.txt``: one model id.
* ``extra-openai-models.yaml``: a list of OpenAI-compatible model definitions.

Importing this module reads nothing; every function reads the files afresh.
Every write is atomic (``atomic_write_text``): a reader sees the old file or the
new one, never a partial one. Every read-modify-write holds a cross-process
lock (``config_lock``, on ``.llm-async.lock`` in the directory), so the CLI, a
notebook and a web app's workers sharing the directory lose no update.

A file that cannot be used (invalid JSON or YAML, wrong types, binary bytes,
nesting too deep, over ``MAX_CONFIG_BYTES``) raises ``ConfigError`` naming the
file and the problem; never an exception from inside a parser. No key value
ever appears in an exception message raised here.
"""

from __future__ import annotations

import datetime
import json
import os
import stat
import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from llm_async._core.errors import ConfigError, ConfigFileWarning, KeysFileWarning
from llm_async._core.types import JSONObject, JSONValue

__all__ = [
    "APP_NAME",
    "DEFAULT_MODEL",
    "KEYS_NOTE",
    "LOCK_FILE",
    "MAX_CONFIG_BYTES",
    "ConfigError",
    "ConfigFileWarning",
    "KeysFileWarning",
    "atomic_write_text",
    "config_lock",
    "delete_alias",
    "get_default_embedding_model",
    "get_default_model",
    "get_key",
    "load_aliases",
    "load_extra_openai_models",
    "load_keys",
    "load_yaml_list",
    "recover_aliases",
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

#: The lock file (in the user directory) that serializes writes across processes.
LOCK_FILE = ".llm-async.lock"
#: Seconds to wait for another process's write before giving up.
LOCK_TIMEOUT = 30.0
# Seconds between two tries to take a lock another process holds (filelock's
# default, 0.05, leaves the lock idle most of the time when writers queue up).
LOCK_POLL = 0.005
#: A config file larger than this is refused (``ConfigError``) without parsing.
MAX_CONFIG_BYTES = 4 * 1024 * 1024

# Serializes read-modify-write cycles between threads of this process; the file
# lock (filelock) does it between processes.
_write_lock = threading.RLock()


@contextmanager
def config_lock(directory: Path | None = None) -> Iterator[Path]:
    """Hold the configuration lock of ``directory`` (``user_dir()``); yields it.

    Every write of this module holds it around its read-modify-write, for
    threads of this process and for other processes (a ``filelock.FileLock`` on
    ``LOCK_FILE``, released by the OS if a process dies). Reentrant within a
    thread. Waiting more than ``LOCK_TIMEOUT`` seconds raises ``ConfigError``.
    """
    from filelock import FileLock, Timeout

    directory = directory or user_dir()
    path = directory / LOCK_FILE
    with _write_lock:
        lock = FileLock(path, timeout=LOCK_TIMEOUT, mode=0o600)
        try:
            lock.acquire(poll_interval=LOCK_POLL)
        except Timeout:
            timed_out = True
        else:
            timed_out = False
        if timed_out:
            raise ConfigError(
                f"Could not lock {path} within {LOCK_TIMEOUT:g} s: another process "
                "is writing the configuration. Try again; if no other process is "
                "running, delete the lock file."
            )
        try:
            yield directory
        finally:
            lock.release()


def read_config_bytes(path: Path) -> bytes | None:
    """The bytes of a config file; ``None`` if it does not exist.

    ``ConfigError`` names the file if it is larger than ``MAX_CONFIG_BYTES``
    or cannot be read (a directory, no permission).
    """
    raw, problem = _read_bytes(path)
    if problem is not None:
        raise ConfigError(f"{path} {problem}")
    return raw


def _read_bytes(path: Path) -> tuple[bytes | None, str | None]:
    """``(bytes, None)``, ``(None, None)`` if absent, or ``(None, problem)``."""
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"could not be read ({type(exc).__name__}: {exc.strerror})"
    if len(raw) > MAX_CONFIG_BYTES:
        return None, f"is larger than {MAX_CONFIG_BYTES // (1024 * 1024)} MB"
    return raw, None


def _parse_json(raw: bytes) -> tuple[JSONValue, str | None]:
    """``(data, None)``, or ``(None, problem)`` saying why ``raw`` is not JSON.

    The problem never quotes the text (it may hold secrets); nothing raised by
    the parser escapes, and none is kept as a ``__context__``.
    """
    try:
        return json.loads(raw), None
    except json.JSONDecodeError as exc:
        return None, (
            f"is not valid JSON ({exc.msg}: line {exc.lineno} column {exc.colno})"
        )
    except UnicodeDecodeError:
        return None, "is not UTF-8 text"
    except RecursionError:
        return None, "nests too deeply to be read"
    except ValueError:  # any other decoding failure of the json module
        return None, "is not valid JSON"


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
    # Where there was no file, ask whether there is one now: os.access answers
    # without raising (a FileNotFoundError costs more than the system call).
    if path in _no_keys_file and not os.access(path, os.F_OK):
        return _NO_KEYS
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if len(_no_keys_file) >= 64:
            _no_keys_file.clear()
        _no_keys_file.add(path)
        return _NO_KEYS
    _no_keys_file.discard(path)
    # Read again only when the file changed: every prompt looks its key up here.
    # Writes replace the file (a new inode); the times catch in-place edits.
    signature = (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
    cached = _keys_cache.get(path)
    if cached is None or cached[0] != signature:
        cached = _keys_cache[path] = (signature, _read_keys(Path(path)))
    return cached[1]


_NO_KEYS: dict[str, str] = {}
_no_keys_file: set[str] = set()  # paths where keys.json was missing when last asked
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
        _check_keys_mode(path, stat.S_IMODE(os.stat(path).st_mode))
    except FileNotFoundError:
        return {}
    raw, problem = _read_bytes(path)
    data: JSONValue = None
    if raw is not None:
        # The exception objects of a failed parse hold the file's text (and so
        # the secrets): _parse_json keeps only harmless fields, raises nothing.
        data, problem = _parse_json(raw)
    elif problem is None:
        return {}
    if problem is None and not isinstance(data, dict):
        problem = f"must contain a JSON object, not {_json_type(data)}"
    if problem is None:
        for name, value in data.items():
            if not isinstance(value, str):
                problem = (
                    f"has a {_json_type(value)} for {_short(name)}; every value "
                    "must be a string"
                )
                break
    if problem is not None:
        raise ConfigError(
            f"{path} {problem}. It should look like "
            '{"openai": "sk-..."}: fix it in an editor, or delete it and store '
            "your keys again with 'llm keys set NAME'."
        )
    return dict(data)


def _short(name: str) -> str:
    """A key of a config file, quoted and cut to a readable length."""
    return repr(name) if len(name) <= 60 else repr(name[:57]) + "..."


def _json_type(value: object) -> str:
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
    one keeps its mode. The write is atomic and holds ``config_lock``. An
    existing ``keys.json`` that is invalid raises ``ConfigError`` and is never
    overwritten (it may hold the only copy of other keys).
    """
    with config_lock() as directory:
        path = directory / _KEYS_FILE
        keys = _read_keys(path) if path.exists() else {"// Note": KEYS_NOTE}
        keys[name] = value
        atomic_write_text(path, json.dumps(keys, indent=2) + "\n", mode=0o600)


# aliases.json


def load_aliases() -> dict[str, str]:
    """The aliases in ``aliases.json`` (alias -> model id); ``{}`` if absent.

    A file that is not a JSON object of strings raises ``ConfigError`` (a
    ``ValueError``, like the ``json.JSONDecodeError`` of ``llm``) naming the file,
    the problem and the fix. ``set_alias`` recovers from it: see
    ``recover_aliases``.
    """
    path = user_dir() / _ALIASES_FILE
    aliases, problem = _read_aliases(path)
    if problem is not None:
        raise ConfigError(
            f"{path} {problem}. It should look like "
            '{"alias": "model-id"}: fix it in an editor or delete it; setting an '
            "alias (set_alias, or 'llm aliases set') moves it aside and starts a "
            "new one."
        )
    return aliases


def _read_aliases(path: Path) -> tuple[dict[str, str], str | None]:
    """The aliases in ``path`` and ``None``, or ``{}`` and what is wrong with it."""
    raw, problem = _read_bytes(path)
    if raw is None:
        return {}, problem
    data, problem = _parse_json(raw)
    if problem is not None:
        return {}, problem
    if not isinstance(data, dict):
        return {}, f"must contain a JSON object, not {_json_type(data)}"
    for alias, target in data.items():
        if not isinstance(target, str):
            return {}, (
                f"has a {_json_type(target)} for the alias {_short(alias)}; it "
                "must name a model id (a string)"
            )
    return data, None


def recover_aliases() -> Path | None:
    """Move an unreadable ``aliases.json`` aside, so that a new one can start.

    As in ``llm``, setting an alias over an unreadable ``aliases.json``
    overwrites it; here its contents are kept first, beside it, as
    ``aliases.json.corrupt-<timestamp>``, and a ``ConfigFileWarning`` names
    both paths. Returns the new path of the old file (``None``: nothing to do).
    An ``aliases.json`` that cannot be opened at all raises ``ConfigError``.
    """
    with config_lock() as directory:
        return _move_aside_if_unreadable(directory / _ALIASES_FILE)


def _move_aside_if_unreadable(path: Path) -> Path | None:
    _, problem = _read_aliases(path)
    if problem is None:
        return None
    if not path.is_file() or not os.access(path, os.R_OK):
        # A directory, no permission: nothing to keep, and nothing to replace.
        raise ConfigError(f"{path} {problem}")
    stamp = datetime.datetime.now().strftime("%Y%m%dT%H%M%S")
    backup = path.with_name(f"{path.name}.corrupt-{stamp}")
    number = 1
    while backup.exists():
        number += 1
        backup = path.with_name(f"{path.name}.corrupt-{stamp}-{number}")
    os.replace(path, backup)
    warnings.warn(
        f"{path} {problem}; it was moved to {backup} and a new {path.name} was "
        "started.",
        ConfigFileWarning,
        stacklevel=4,
    )
    return backup


def write_alias(alias: str, target: str) -> None:
    """Store ``alias`` for the model id ``target`` in ``aliases.json``.

    The target is written as given (``set_alias`` resolves it first). If
    ``aliases.json`` does not exist it is created; if it is unreadable it is
    moved aside first (``recover_aliases``) and a new one is started.
    """
    with config_lock() as directory:
        path = directory / _ALIASES_FILE
        _move_aside_if_unreadable(path)
        aliases, _ = _read_aliases(path)
        aliases[alias] = target
        atomic_write_text(path, json.dumps(aliases, indent=4) + "\n")


def delete_alias(alias: str) -> None:
    """Remove ``alias`` from ``aliases.json``.

    Raises ``KeyError("No aliases.json file exists")``,
    ``KeyError("aliases.json file is not valid JSON")`` (the file is left as it
    is) or ``KeyError(f"No such alias: {alias}")``.
    """
    with config_lock() as directory:
        path = directory / _ALIASES_FILE
        if not path.exists():
            raise KeyError("No aliases.json file exists")
        aliases, problem = _read_aliases(path)
        if problem is not None:
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

    Surrounding whitespace is removed; an empty file counts as absent. A file
    that is not UTF-8 text, or is huge, raises ``ConfigError`` naming it.
    """
    path = user_dir() / filename
    raw = read_config_bytes(path)
    if raw is None:
        return default
    try:
        content = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        content = None
    if content is None:
        raise ConfigError(
            f"{path} is not UTF-8 text: it should hold one model id. Fix it in an "
            "editor, delete it, or set the default model again."
        )
    return content or default


def set_default_model(model: str | None, filename: str = _DEFAULT_MODEL_FILE) -> None:
    """Save ``model`` as the default model (verbatim: no check, no newline).

    ``None`` deletes ``default_model.txt``, and does nothing if there is none
    (``llm`` raises ``TypeError`` in that case). Holds ``config_lock``.
    """
    with config_lock() as directory:
        path = directory / filename
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


def load_extra_openai_models() -> list[JSONObject]:
    """The entries of ``extra-openai-models.yaml``; ``[]`` if absent or empty.

    Each entry is returned as found in the file (checking each one is the
    caller's job: ``providers.openai.models`` skips an invalid one with a
    warning). ``ConfigError`` names the file if it cannot be read as a YAML list
    (see ``load_yaml_list``).
    """
    path = user_dir() / _EXTRA_OPENAI_MODELS_FILE
    return [entry for _, entry in load_yaml_list(path, "model definitions")]


def load_yaml_list(path: Path, what: str = "entries") -> list[tuple[int, JSONValue]]:
    """The entries of a YAML file holding a list, each with its line number.

    ``[]`` if the file is absent or empty. ``ConfigError`` names the file and
    the problem when it cannot be read as a list of ``what``: over
    ``MAX_CONFIG_BYTES``, not UTF-8, not valid YAML (with line and column),
    nesting too deep, or not a list. Messages never quote values from the file
    (they may hold credentials).
    """
    raw = read_config_bytes(path)
    if raw is None:
        return []
    try:
        text: str | None = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None:
        raise ConfigError(f"{path} is not UTF-8 text")
    import yaml

    # A YAMLError's marks hold the whole file: take what is needed, raise outside.
    problem: str | None = None
    node: JSONValue = None
    data: JSONValue = None
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            if node is not None:
                data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        problem = f"is not valid YAML: {_describe_yaml_error(exc)}"
    except RecursionError:
        problem = "nests too deeply to be read"
    if problem is not None:
        raise ConfigError(f"{path} {problem}")
    if data is None:
        return []
    if not isinstance(data, list):
        raise ConfigError(
            f"{path} must contain a list of {what} (lines starting with "
            f"'- model_id: ...'), not a {type(data).__name__}"
        )
    return [
        (item.start_mark.line + 1, entry)
        for item, entry in zip(node.value, data, strict=True)
    ]


def _describe_yaml_error(exc: Exception) -> str:
    problem = getattr(exc, "problem", None)
    mark = getattr(exc, "problem_mark", None)
    text = str(problem) if problem else type(exc).__name__
    if mark is not None:
        text += f" (line {mark.line + 1}, column {mark.column + 1})"
    return text
