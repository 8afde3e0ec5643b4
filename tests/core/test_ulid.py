"""Response and conversation ids: ULIDs in lower-case Crockford base32."""

from __future__ import annotations

import os
import random
import time
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from llm_async._core.ulid import _ALPHABET, _encode_ulid, monotonic_ulid


def _digits(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, index = divmod(value, 32)
        chars.append(_ALPHABET[index])
    return "".join(reversed(chars))


@given(st.integers(0, (1 << 48) - 1), st.integers(0, (1 << 80) - 1))
def test_encoding_is_crockford_base32_of_time_then_randomness(
    ms: int, random: int
) -> None:
    assert _encode_ulid(ms, random) == _digits(ms, 10) + _digits(random, 16)


def test_ulids_are_26_digits_and_strictly_increasing() -> None:
    ids = [monotonic_ulid() for _ in range(1000)]
    assert all(len(i) == 26 and set(i) <= set(_ALPHABET) for i in ids)
    assert ids == sorted(set(ids))


def _keep_clock_state(patch: pytest.MonkeyPatch, ulid: object) -> None:
    # Restored after the test: ids made later continue from the real clock.
    for name in ("_last_ms", "_last_random", "_last_prefix"):
        patch.setattr(ulid, name, getattr(ulid, name))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_child_forked_within_the_parents_millisecond_makes_other_ids(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from llm_async._core import ulid

    # One frozen millisecond for parent and child: the case where both would
    # count on from the parent's last id.
    frozen = time.time_ns() + 10**10  # later than any id made so far
    _keep_clock_state(monkeypatch, ulid)
    monkeypatch.setattr(ulid, "time", SimpleNamespace(time_ns=lambda: frozen))
    random.seed(0)  # the user's seed is not ours
    monotonic_ulid()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.write(write_end, monotonic_ulid().encode())
        os._exit(0)
    os.close(write_end)
    child = os.read(read_end, 26).decode()
    os.close(read_end)
    os.waitpid(pid, 0)
    parent = monotonic_ulid()
    assert len(child) == 26
    assert child[:10] == parent[:10]  # the same millisecond
    assert child != parent


@given(st.integers(0, (1 << 80) - 1))
def test_an_id_is_its_millisecond_then_its_random_digits(value: int) -> None:
    from llm_async._core import ulid

    with pytest.MonkeyPatch.context() as patch:
        frozen = time.time_ns() + 10**12
        _keep_clock_state(patch, ulid)
        patch.setattr(ulid, "_last_ms", -1)  # a millisecond no id has used yet
        patch.setattr(ulid, "time", SimpleNamespace(time_ns=lambda: frozen))
        patch.setattr(ulid, "_random", SimpleNamespace(getrandbits=lambda n: value))
        made = monotonic_ulid()
        after = monotonic_ulid()  # the same millisecond: one more
    ms = frozen // 1_000_000
    assert made == _encode_ulid(ms, value)
    assert after == _encode_ulid(ms, (value + 1) % (1 << 80))
