"""Byte-level helpers on Arrow text must mean what their slower spellings mean."""

from __future__ import annotations

from collections.abc import Callable
from unittest import mock

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from leadtool import arrowtext
from leadtool.arrowtext import (
    TEXT,
    Coded,
    ascii_digits,
    byte_size,
    coded,
    first_bytes,
    join_coded,
    text_where,
)

# Digits of several scripts, phone punctuation, letters and emoji: only 0-9 must survive.
PHONE_TEXT = st.text(st.sampled_from([*"0123456789+-() .xд", "٣", "९", "０", "😀", "\u00a0"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(PHONE_TEXT, max_size=20), st.integers(0, 5), st.integers(0, 20))
def test_ascii_digits_is_the_regex_replace(cells: list[str], start: int, length: int) -> None:
    whole = pa.array(cells, TEXT)
    for values in (whole, whole.slice(min(start, len(cells)), length)):
        want = pc.replace_substring_regex(values, "[^0-9]", "")
        assert ascii_digits(values).to_pylist() == want.to_pylist()


@settings(max_examples=200, deadline=None)
@given(st.lists(PHONE_TEXT, max_size=20), st.integers(0, 5))
def test_ascii_digits_keeps_a_leading_plus(cells: list[str], start: int) -> None:
    values = pa.array(cells, TEXT).slice(min(start, len(cells)))
    want = [
        ("+" if c.startswith("+") else "") + "".join(filter("0123456789".__contains__, c))
        for c in cells[start:]
    ]
    assert ascii_digits(values, leading_plus=True).to_pylist() == want


def test_ascii_digits_of_missing_and_small_string_arrays() -> None:
    assert ascii_digits(pa.array([None, "a1"], pa.string())).to_pylist() == ["", "1"]
    assert ascii_digits(pa.array([], TEXT)).to_pylist() == []


def test_byte_size() -> None:
    assert byte_size(pa.array(["", "ab", "д"], TEXT)) == 4
    assert byte_size(pa.array(["ab", "", ""], TEXT).slice(1)) == 0
    assert byte_size(pa.array(["x"], pa.string())) == 1
    assert byte_size(pa.array([], TEXT)) == 0


# Pieces as reason lists have them: a few texts (often "" or one code), some starting with
# the characters stripped, some empty everywhere.
PIECE_TEXTS = st.lists(st.sampled_from(["", ";a", "; b +5", "c", ";", " ;d", "é;"]), min_size=1)


@st.composite
def coded_pieces(draw: st.DrawFn) -> tuple[int, list[Coded]]:
    rows = draw(st.integers(0, 30))
    pieces = []
    for texts in draw(st.lists(PIECE_TEXTS, max_size=6)):
        codes = draw(st.lists(st.integers(0, len(texts) - 1), min_size=rows, max_size=rows))
        pieces.append((np.array(codes, dtype=np.int64), texts))
    return rows, pieces


def joined_in_python(rows: int, pieces: list[Coded], strip: str) -> list[str]:
    return ["".join(t[c[i]] for c, t in pieces).lstrip(strip) for i in range(rows)]


@settings(max_examples=300, deadline=None)
@given(coded_pieces(), st.sampled_from(["", ";", "; "]), st.booleans())
def test_join_coded_is_the_row_by_row_join(
    drawn: tuple[int, list[Coded]], strip: str, by_row: bool
) -> None:
    rows, pieces = drawn
    # by_row: more combinations than the limit, the Arrow join of every row instead
    limit = 0 if by_row else arrowtext.MAX_COMBINATIONS
    with mock.patch.object(arrowtext, "MAX_COMBINATIONS", limit):
        got = join_coded(pieces, pd.RangeIndex(rows), strip)
    assert got.tolist() == joined_in_python(rows, pieces, strip)
    assert got.index.equals(pd.RangeIndex(rows))


def test_join_coded_renumbers_before_the_key_overflows() -> None:
    """70 two-text pieces make 2**70 possible combinations: the key is renumbered on the
    way. Piece i fires on row i alone (row 70: none), so a key that lost its first pieces'
    digits would give rows 0-5 the text of row 70."""
    fired = np.eye(70, 71, dtype=bool)
    pieces = [text_where(f, f";r{i}") for i, f in enumerate(fired)]
    got = join_coded(pieces, pd.RangeIndex(71), strip=";")
    assert got.tolist() == [f"r{i}" for i in range(70)] + [""]


def test_join_coded_edges() -> None:
    index = pd.Index([10, 11, 12])
    assert join_coded([], index).tolist() == ["", "", ""]
    nothing = text_where(np.zeros(3, dtype=bool), ";x")
    assert join_coded([nothing], index, strip=";").tolist() == ["", "", ""]
    got = join_coded([text_where(np.array([True, False, True]), ";x"), nothing], index, ";")
    assert got.tolist() == ["x", "", "x"] and got.index.equals(index)
    assert str(got.dtype) == "str" or got.dtype == object  # text, as every stage writes
    codes, texts = coded(pa.array(["b", "", "b", "a"], TEXT))
    assert [texts[c] for c in codes] == ["b", "", "b", "a"]


@settings(max_examples=200, deadline=None)
@given(st.lists(PHONE_TEXT, max_size=20), st.integers(0, 5))
def test_first_bytes(cells: list[str], start: int) -> None:
    values = pa.array(cells, TEXT).slice(min(start, len(cells)))
    want = [c.encode()[0] if c else 0 for c in cells[start:]]
    assert first_bytes(values).tolist() == want


def test_split_words_numbers_the_distinct_words_of_each_text() -> None:
    import numpy as np
    import pyarrow as pa

    from leadtool.arrowtext import split_words

    texts = ["Anna  Petrova", "", "  ", "Petrova\u2003Anna", "Ivan"]
    words = split_words(pa.array(texts, pa.large_string()))
    assert sorted(words.distinct) == ["Anna", "Ivan", "Petrova"]
    rebuilt = [[] for _ in texts]
    for code, row in zip(words.codes, words.rows, strict=True):
        rebuilt[row].append(words.distinct[code])
    assert rebuilt == [t.split() for t in texts]
    ivan = np.array([w == "Ivan" for w in words.distinct])
    assert words.any_of(ivan).tolist() == [False, False, False, False, True]
    assert words.any_of(~ivan).tolist() == [True, False, False, True, False]


def test_same_text_answers_once_for_the_same_cells_in_other_memory() -> None:
    from leadtool.arrowtext import SameText

    memo: SameText[str] = SameText(2)
    asked: list[str] = []

    def answer(tag: str) -> Callable[[], str]:
        def compute() -> str:
            asked.append(tag)
            return tag

        return compute

    first = pa.array(["Anna", "", "Ivan"], TEXT)
    again = pa.concat_arrays([pa.array(["x", "Anna"], TEXT).slice(1), pa.array(["", "Ivan"], TEXT)])
    assert memo.get(first, answer("first")) == "first"
    assert memo.get(again, answer("again")) == "first"  # same cells, other buffers and offsets
    other = pa.array(["Anna", "", "Ivan "], TEXT)  # as long, one byte differs
    assert memo.get(other, answer("other")) == "other"
    assert memo.get(pa.array(["Anna"], TEXT), answer("short")) == "short"
    assert asked == ["first", "other", "short"]
    # two kept, the least recently asked let go: "first" (asked before "other")
    assert memo.get(first, answer("first2")) == "first2"
    assert memo.get(pa.array(["Anna"], TEXT), answer("short2")) == "short"  # asked again…
    assert memo.get(other, answer("other2")) == "other2"  # …so "first2" went, not "short"
    assert memo.get(pa.array(["Anna"], TEXT), answer("short3")) == "short"


def test_factorized_is_pd_factorize_and_shares_read_only_codes() -> None:
    from leadtool.arrowtext import SameText, factorized

    column = pd.Series(["b", "", "a", "b"], dtype="str")
    want_codes, want_uniques = pd.factorize(column, use_na_sentinel=False)
    memo: SameText[arrowtext.Codes] = SameText(1)
    for memo_or_none in (None, memo, memo):
        codes, uniques = factorized(column.copy(), memo_or_none)
        assert codes.tolist() == want_codes.tolist() and list(uniques) == list(want_uniques)
    shared, _ = factorized(pd.Series(["b", "", "a", "b"], dtype="str"), memo)
    if arrowtext.is_arrow_text(column):  # pandas 3: remembered and shared, so read-only
        assert shared is codes and not shared.flags.writeable


def _matched_patterns() -> list[str]:
    """The patterns import matches through ``matches`` (names, e-mails)."""
    from leadtool import normalize as nz

    return [
        nz._UNTIDY,
        "[a-zа-яё]",
        "[A-ZА-ЯЁ]",
        f"^(?:{nz.PLAIN_EMAIL.pattern})$",
        nz._NOT_PLAIN_DOMAIN.pattern,
        *nz._split_patterns().values(),
    ]


# Names and addresses of every shape the patterns tell apart: capitals, spaces of all kinds,
# invisible characters, line breaks ("$" before a final newline differs in Python's re),
# dots, commas, titles, @ and special-use domains.
PATTERN_PIECES = [*"aZяЯёЁ .,;<(-@", "\n", "\u00a0", "\u200b", "\u2028", "\u0301"]
PATTERN_PIECES += ["mr", "Dr.", "test", "x--y", "ivan@mail.ru", "Ivan", "ИВАН", "оглы", ".local"]
PATTERN_TEXT = st.lists(st.sampled_from(PATTERN_PIECES), max_size=6).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(PATTERN_TEXT, st.none()), max_size=12))
def test_matches_on_a_small_array_is_arrows_regex(cells: list[str | None]) -> None:
    # Below SMALL_ARRAY values the pattern is compiled once by google-re2 rather than by
    # Arrow on every call: the same RE2, the same answers, nulls not matching.
    values = pa.array(cells, TEXT)
    for pattern in _matched_patterns():
        want = pc.fill_null(pc.match_substring_regex(values, pattern), False).to_pylist()
        assert arrowtext.matches(values, pattern).tolist() == want, pattern


def test_matches_on_a_large_array_is_arrows_regex() -> None:
    values = pa.array(["Ivan Petrov", "ИВАН", None, "a  b"] * arrowtext.SMALL_ARRAY, TEXT)
    got = arrowtext.matches(values, "[A-ZА-Я]{2}")
    assert got.tolist() == [False, True, False, False] * arrowtext.SMALL_ARRAY
