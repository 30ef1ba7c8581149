"""sha1hex must give hashlib's digests: lead ids and group labels live on in histories."""

from __future__ import annotations

import hashlib

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadtool import sha1hex
from leadtool.arrowtext import TEXT


def _hashlib(prefix: str, messages: list[str | None]) -> list[str]:
    return [prefix + hashlib.sha1((m or "").encode()).hexdigest()[:12] for m in messages]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.text(max_size=140)), max_size=20),
    st.sampled_from(["h", "g", "", "лид-"]),
    st.integers(1, 7),
)
def test_digests_equal_hashlib(messages, prefix: str, chunk: int) -> None:
    # Any text (one, two and three blocks; multibyte characters; empty; missing), in chunks
    # smaller than the batch so that chunk boundaries are crossed.
    mp = pytest.MonkeyPatch()
    mp.setattr(sha1hex, "CHUNK", chunk)
    try:
        got = sha1hex.hex12(prefix, pa.array(messages, TEXT)).to_pylist()
    finally:
        mp.undo()
    assert got == _hashlib(prefix, messages)


@pytest.mark.parametrize("length", [0, 1, 54, 55, 56, 63, 64, 65, 119, 120, 128, 1000])
def test_block_boundaries(length: int) -> None:
    # 55 bytes is the longest one-block message, 119 the longest two-block one.
    messages = ["x" * length, "y" * (length // 2), "z" * length]
    assert sha1hex.hex12("h", pa.array(messages, TEXT)).to_pylist() == _hashlib("h", messages)


def test_slices_binary_and_empty_input() -> None:
    whole = pa.array([f"file.csv:{i}" for i in range(50)], TEXT)
    part = whole.slice(7, 20)
    assert sha1hex.hex12("h", part).to_pylist() == _hashlib("h", part.to_pylist())
    raw = pa.array([b"abc", b""], pa.binary())
    assert sha1hex.hex12("", raw).to_pylist() == _hashlib("", ["abc", ""])
    assert sha1hex.hex12("h", pa.array([], TEXT)).to_pylist() == []


def test_known_lead_ids_do_not_change() -> None:
    # Ids already in users' histories: computed once by hashlib, pinned here.
    from leadtool.importer import _hashed_ids

    got = _hashed_ids("tilda_leads.csv", [1, 2, 1000000]).to_pylist()
    assert got == _hashlib(
        "h", ["tilda_leads.csv:1", "tilda_leads.csv:2", "tilda_leads.csv:1000000"]
    )
