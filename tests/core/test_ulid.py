"""Response and conversation ids: ULIDs in lower-case Crockford base32."""

from __future__ import annotations

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
