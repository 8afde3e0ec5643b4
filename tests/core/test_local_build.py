"""The warning for a llama.cpp built with its AMX backend (known to crash)."""

from __future__ import annotations

import threading
import types
import warnings

import pytest

import llm_async
import llm_sync
from llm_async.providers.llama_cpp import engine as _local
from llm_async.providers.llama_cpp.engine import REBUILD_PORTABLE, amx_warning

AMX_INFO = (
    "CPU : SSE3 = 1 | SSSE3 = 1 | AVX = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | "
    "AVX512 = 1 | AVX512_VNNI = 1 | AMX_INT8 = 1 | LLAMAFILE = 1 | REPACK = 1 |"
)
PORTABLE_INFO = (
    "CPU : SSE3 = 1 | AVX = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | REPACK = 1 |"
)


def test_amx_backend_is_named_with_the_rebuild_command() -> None:
    message = amx_warning(AMX_INFO)
    assert message is not None
    assert "AMX" in message and "segmentation fault" in message
    assert REBUILD_PORTABLE in message
    assert "-DGGML_NATIVE=OFF" in message


@pytest.mark.parametrize(
    "info", [PORTABLE_INFO, "", "CPU : AMX_INT8 = 0 |", "garbage without flags"]
)
def test_no_warning_without_the_amx_backend(info: str) -> None:
    assert amx_warning(info) is None


def test_warns_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_local, "_amx_checked", False)
    fake = types.SimpleNamespace(llama_print_system_info=lambda: AMX_INFO.encode())
    with pytest.warns(llm_async.LocalModelWarning, match="AMX") as caught:
        _local._check_build(fake)
        _local._check_build(fake)
    assert len(caught) == 1


def test_a_build_without_system_info_is_not_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_local, "_amx_checked", False)

    def broken() -> bytes:
        raise RuntimeError("no system info in this build")

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _local._check_build(types.SimpleNamespace(llama_print_system_info=broken))


def test_warning_class_is_public_in_both_facades() -> None:
    assert llm_async.LocalModelWarning is llm_sync.LocalModelWarning
    assert issubclass(llm_async.LocalModelWarning, UserWarning)


class _FakeLlama:
    def __init__(self, fail: bool = False) -> None:
        self.closed = 0
        self.fail = fail

    def close(self) -> None:
        self.closed += 1
        if self.fail:
            raise RuntimeError("already torn down")


def test_models_are_freed_at_exit_unless_in_use() -> None:
    from llm_async.providers.llama_cpp.engine import close_idle

    idle, busy, failing = _FakeLlama(), _FakeLlama(), _FakeLlama(fail=True)
    busy_lock = threading.Lock()
    busy_lock.acquire()  # a generation holds it
    locks = [threading.Lock(), busy_lock, threading.Lock()]
    freed = close_idle(list(zip([idle, busy, failing], locks, strict=True)))
    assert (idle.closed, busy.closed, failing.closed) == (1, 0, 1)
    assert freed == 1
    assert not locks[0].locked() and not locks[2].locked()  # released again
    assert close_idle([(object(), threading.Lock())]) == 0  # no close(): skipped


def test_an_exit_hook_is_registered_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import atexit

    from llm_async.providers.llama_cpp import engine

    registered: list[object] = []
    monkeypatch.setattr(atexit, "register", registered.append)
    monkeypatch.setattr(engine, "_exit_hooks", set())

    def hook() -> None: ...

    engine.close_at_exit(hook)
    engine.close_at_exit(hook)
    assert registered == [hook]


def test_a_cache_of_models_is_emptied_and_its_idle_models_freed() -> None:
    from dataclasses import dataclass, field

    from llm_async.providers.llama_cpp.engine import free_cache

    @dataclass
    class Held:
        llama: _FakeLlama
        lock: threading.Lock = field(default_factory=threading.Lock)

    cache = {"a": Held(_FakeLlama()), "b": Held(_FakeLlama())}
    held = list(cache.values())
    free_cache(cache, threading.Lock())
    assert cache == {}
    assert [h.llama.closed for h in held] == [1, 1]
