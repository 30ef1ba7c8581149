"""Byte-level helpers on Arrow text must mean what their slower spellings mean."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from leadtool.arrowtext import TEXT, ascii_digits, byte_size

# Digits of several scripts, phone punctuation, letters and emoji: only 0-9 must survive.
PHONE_TEXT = st.text(st.sampled_from([*"0123456789+-() .xд", "٣", "९", "０", "😀", "\u00a0"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(PHONE_TEXT, max_size=20), st.integers(0, 5), st.integers(0, 20))
def test_ascii_digits_is_the_regex_replace(cells: list[str], start: int, length: int) -> None:
    whole = pa.array(cells, TEXT)
    for values in (whole, whole.slice(min(start, len(cells)), length)):
        want = pc.replace_substring_regex(values, "[^0-9]", "")
        assert ascii_digits(values).to_pylist() == want.to_pylist()


def test_ascii_digits_of_missing_and_small_string_arrays() -> None:
    assert ascii_digits(pa.array([None, "a1"], pa.string())).to_pylist() == ["", "1"]
    assert ascii_digits(pa.array([], TEXT)).to_pylist() == []


def test_byte_size() -> None:
    assert byte_size(pa.array(["", "ab", "д"], TEXT)) == 4
    assert byte_size(pa.array(["ab", "", ""], TEXT).slice(1)) == 0
    assert byte_size(pa.array(["x"], pa.string())) == 1
    assert byte_size(pa.array([], TEXT)) == 0
