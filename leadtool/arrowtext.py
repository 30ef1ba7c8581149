"""Text columns as Arrow arrays and back.

pandas 3 keeps text in Arrow (``str`` dtype); the stages hand such columns to Arrow's
kernels (take, if_else, regex, the CSV writer) without making a Python string per cell,
and turn Arrow results back into Series the same way. On pandas 2.2 the Series side is
object dtype, and these helpers convert.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cache
from typing import Any, Generic, NamedTuple, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa

TEXT = pa.large_string()
# What Python's ``\s`` matches in text, spelled out: pandas hands a pattern with ``\s`` to
# Python's re, one call per cell, because RE2's ``\s`` is narrower; with this class the
# pattern runs in Arrow and means the same.
SPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
    "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
# Characters that show nothing and mean nothing in a lead's cell, copied along from
# messengers, right-to-left pages and phone contact cards: the bidi marks and embeddings
# (WhatsApp wraps a pasted number in U+202A…U+202C, iOS a contact's in U+200E), zero-width
# space, word joiner, byte order mark and soft hyphen. Not the zero-width (non-)joiner:
# Persian and Indic names spell with them.
INVISIBLE = (
    "\u00ad\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff"
)


def to_arrow(values: pd.Series) -> pa.Array:
    """A column as one Arrow large_string array, missing values as "". Arrow-backed text is
    taken as it is; anything else is formatted the way ``astype(str)`` formats it."""
    if is_arrow_text(values):
        array = pa.array(values.array)
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        array = array.cast(TEXT)
        return array.fill_null("") if array.null_count else array
    if values.dtype == object or pd.api.types.is_string_dtype(values):
        values = values.fillna("")
    return pa.array(values.astype(str).to_numpy(dtype=object), type=TEXT)


def is_arrow_text(values: pd.Series) -> bool:
    """Whether a column keeps its text in Arrow (pandas 3's ``str``), so that ``to_arrow``
    hands it over without a Python string per cell."""
    return isinstance(values.dtype, pd.StringDtype) and values.dtype.storage != "python"


V = TypeVar("V")


class SameText(Generic[V]):
    """The answers of a pure function of a text column, found again when a column holds the
    same text — the same cells, not necessarily the same memory.

    A run hands one column to several stages, and each would work it out anew: clean,
    dedupe, qualify and report each parse ``created_at`` (0.1–0.25 s a million); clean's
    checks number the name column and the full name, most often the same text. Comparing a
    column with a remembered one is one ``memcmp`` of its bytes (2–4 ms a million cells).
    The ``size`` columns last asked for and their answers are kept alive, so ``size`` stays
    small; an answer is shared, so whoever gets it must not change it."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._kept: list[tuple[pa.Array, V]] = []
        self._lock = threading.Lock()

    def get(self, values: pa.Array, compute: Callable[[], V]) -> V:
        with self._lock:
            for i, (kept, answer) in enumerate(self._kept):
                if len(kept) == len(values) and kept.equals(values):
                    self._kept.insert(0, self._kept.pop(i))
                    return answer
        answer = compute()  # outside the lock: another column's answer may be asked meanwhile
        with self._lock:
            self._kept = [(values, answer), *self._kept][: self._size]
        return answer


Codes = tuple[np.ndarray, Any]
"""``pd.factorize``'s answer: each row's code, and the distinct values."""


def factorized(values: pd.Series, memo: SameText[Codes] | None = None) -> Codes:
    """``pd.factorize(values, use_na_sentinel=False)`` of a text column, found in ``memo``
    when it holds the same text (the codes are then read-only). Columns not kept in Arrow
    (pandas 2.2's object text) are simply factorized: turning them into Arrow to compare
    them would cost what it saves."""
    if memo is None or not is_arrow_text(values):
        return pd.factorize(values, use_na_sentinel=False)

    def compute() -> Codes:
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        codes.flags.writeable = False
        return codes, uniques

    return memo.get(to_arrow(values), compute)


def from_arrow(values: pa.Array, index: pd.Index | None = None) -> pd.Series:
    """Arrow text as a Series of pandas' text dtype (no copy on pandas 3)."""
    series = values.to_pandas()
    return series if index is None else pd.Series(series.array, index=index)


def named(names: tuple[str, ...], codes: np.ndarray, index: pd.Index) -> pd.Series:
    """A text column from each row's code into ``names`` (one Arrow take, no Python string
    per row): how columns of a few values such as stage and quality are built."""
    return from_arrow(pa.array(names, TEXT).take(pa.array(codes)), index)


# Arrow compiles a regular expression on every call: a long one (a class of every space
# and invisible character, ``\p{Lu}``) takes 1–2 ms, more than matching a small file's
# column. Below this many values, the pattern compiled once by the same RE2 matches them.
SMALL_ARRAY = 512


def matches(values: pa.Array, pattern: str) -> np.ndarray:
    """Where RE2 ``pattern`` matches somewhere in each text (Arrow's
    ``match_substring_regex``; null -> False)."""
    import pyarrow.compute as pc

    if len(values) >= SMALL_ARRAY:
        return mask(pc.match_substring_regex(values, pattern))
    search = _compiled(pattern).search
    cells = values.to_pylist()
    return np.fromiter((c is not None and search(c) is not None for c in cells), bool, len(cells))


@cache
def _compiled(pattern: str) -> Any:
    import re2  # google-re2: the RE2 Arrow matches with, and its syntax

    return re2.compile(pattern)


def mask(values: pa.Array) -> np.ndarray:
    """An Arrow boolean array as a numpy mask (null -> False)."""
    import pyarrow.compute as pc

    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


def is_in(values: pd.Series, others: pd.Series) -> np.ndarray:
    """Where each text of ``values`` is also among ``others``, by Arrow's hash set. pandas
    3's ``isin`` on Arrow text is slow against many values — 4.8 s for 200,000 lead ids
    against a history of 1.2 million, 0.2 s here — and a set of Python strings costs as
    much to build."""
    import pyarrow.compute as pc

    return mask(pc.is_in(to_arrow(values), value_set=to_arrow(others)))


def prefixed(prefix: str, values: pa.Array) -> pa.Array:
    """``prefix + value`` for every value of an Arrow text array."""
    import pyarrow.compute as pc

    return pc.binary_join_element_wise(pa.scalar(prefix, TEXT), values, pa.scalar("", TEXT))


class Words(NamedTuple):
    """Texts (names, as a rule) split into their whitespace-separated words, each distinct
    word once: a check that judges words judges each distinct word once in Python and
    gives each text its verdict by whole-array steps. A million varied names hold some
    150,000 distinct words."""

    texts: pa.Array  # the texts, Arrow large_string
    distinct: list[str]  # their distinct words
    codes: np.ndarray  # each word of each text, in order: its place in ``distinct``
    rows: np.ndarray  # each word of each text: the text's place in ``texts``

    def any_of(self, verdicts: np.ndarray) -> np.ndarray:
        """Per text, whether any of its words has a true verdict (a verdict per distinct
        word); False for a text without words."""
        hit = np.asarray(verdicts, dtype=bool)[self.codes]
        return np.bincount(self.rows[hit], minlength=len(self.texts)) > 0


def split_words(texts: pa.Array) -> Words:
    """``texts`` split at whitespace by Arrow (which knows Unicode whitespace, though not the
    ASCII separators U+001C-U+001F that ``str.split`` also splits at: a check that relies on
    the split has to hold whichever the split knows)."""
    import pyarrow.compute as pc

    words = pc.utf8_split_whitespace(texts)
    flat, rows = pc.list_flatten(words), pc.list_parent_indices(words)
    filled = pc.not_equal(flat, "")  # Arrow gives "" between two whitespace characters
    encoded = flat.filter(filled).dictionary_encode()
    return Words(
        texts,
        encoded.dictionary.to_numpy(zero_copy_only=False).tolist(),
        encoded.indices.to_numpy().astype(np.intp),
        rows.filter(filled).to_numpy().astype(np.intp),
    )


def map_joined(words: list[str], func: Callable[[str], str]) -> list[str]:
    """``func`` of each word, worked out on all the words joined by line breaks and split
    again — a few passes of C string methods instead of a Python call per word. For steps
    that act character by character and make or take no line break (case folding, NFKD,
    transliteration, character classes: a scan of all of Unicode finds none that makes one);
    word by word when a word holds a line break, or should the split not give them back."""
    joined = "\n".join(words)
    if joined.count("\n") == len(words) - 1:
        parts = func(joined).split("\n")
        if len(parts) == len(words):
            return parts
    return [func(word) for word in words]


Coded = tuple[np.ndarray, list[str]]
"""A text column as each row's code into a short list of texts: ``texts[codes[row]]``."""

# More distinct combinations than this and joining them one by one in Python costs more
# than joining the pieces row by row in Arrow.
MAX_COMBINATIONS = 50_000


def text_where(fired: np.ndarray, text: str) -> Coded:
    """``text`` where ``fired``, "" elsewhere."""
    return fired.astype(np.uint8), ["", text]


def coded(values: pa.Array) -> Coded:
    """Arrow text as codes into its distinct values."""
    codes, uniques = pd.factorize(from_arrow(values), use_na_sentinel=False)
    return codes, [str(u) for u in uniques]


def join_coded(pieces: list[Coded], index: pd.Index, strip: str = "") -> pd.Series:
    """Each row's pieces concatenated in order, with the leading ``strip`` characters
    removed: how reason and code lists are built.

    A row's text depends only on which text each piece gives it, and a million leads show
    a few hundred such combinations: each combination is numbered (integer arithmetic on
    the codes), spelled once in Python, and taken by row — instead of a million-cell text
    column per piece joined cell by cell."""
    pieces = [(codes, texts) for codes, texts in pieces if any(texts)]  # "" everywhere adds nothing
    n = len(index)
    if not pieces:
        return pd.Series("", index=index, dtype="str")
    key, bound = np.zeros(n, dtype=np.int64), 1
    for codes, texts in pieces:
        if bound * len(texts) >= 1 << 62:  # renumber before the product could overflow
            key, seen = pd.factorize(key)
            bound = len(seen)
        key = key * len(texts) + codes
        bound *= len(texts)
    combination, seen = pd.factorize(key)
    if len(seen) > MAX_COMBINATIONS:
        return _joined_by_row(pieces, index, strip)
    # Any row of a combination stands for it: all of them have the same codes.
    example = np.empty(len(seen), dtype=np.int64)
    example[combination] = np.arange(n)
    columns = [np.asarray(texts, dtype=object)[codes[example]] for codes, texts in pieces]
    spelled = ["".join(parts).lstrip(strip) for parts in zip(*columns, strict=True)]
    return from_arrow(pa.array(spelled, TEXT).take(pa.array(combination)), index)


def _joined_by_row(pieces: list[Coded], index: pd.Index, strip: str) -> pd.Series:
    """``join_coded`` for pieces with too many combinations: one Arrow join of the rows."""
    import pyarrow.compute as pc

    columns = [pa.array(texts, TEXT).take(pa.array(codes)) for codes, texts in pieces]
    joined = pc.binary_join_element_wise(*columns, pa.scalar("", TEXT))
    return from_arrow(pc.utf8_ltrim(joined, characters=strip) if strip else joined, index)


def coalesce(first: pd.Series, then: pd.Series | str) -> pd.Series:
    """``first`` where it is not empty, else ``then`` (a column or one value), in Arrow."""
    import pyarrow.compute as pc

    a = to_arrow(first)
    empty = pc.equal(a, "")
    if not pc.any(empty).as_py():
        return first
    b = pa.scalar(then, TEXT) if isinstance(then, str) else to_arrow(then)
    return from_arrow(pc.if_else(empty, b, a), first.index)


def cell_offsets(values: pa.Array) -> np.ndarray:
    """The ``len + 1`` byte offsets of the cells of a large_string (or large_binary) array
    into its data buffer — a slice's own, not its parent's."""
    if values.buffers()[1] is None:
        return np.zeros(len(values) + 1, dtype=np.int64)
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int64)
    return offsets[values.offset : values.offset + len(values) + 1]


def data_bytes(values: pa.Array) -> np.ndarray:
    """The data buffer of a large_string (or large_binary) array as bytes, without a copy
    (empty when there is none); ``cell_offsets`` index into it."""
    data = values.buffers()[2]
    return np.frombuffer(data, dtype=np.uint8) if data else np.zeros(0, dtype=np.uint8)


def byte_size(values: pa.Array) -> int:
    """The bytes of text an Arrow large_string array holds (0 when every cell is empty)."""
    offsets = cell_offsets(values if values.type == TEXT else values.cast(TEXT))
    return int(offsets[-1] - offsets[0])


def ascii_digits(values: pa.Array, leading_plus: bool = False) -> pa.Array:
    """Each cell with every character but 0-9 removed, from the bytes: an ASCII digit is one
    byte and no byte of another character is one, so keeping the digit bytes is exact — and
    far cheaper than a regex replace, which builds every cell anew. ``leading_plus``: a
    ``+`` that starts a cell is kept too (a phone's key: "+7 912…" → "+7912…")."""
    values = values.cast(TEXT) if values.type != TEXT else values
    n = len(values)
    offsets = cell_offsets(values)
    raw = data_bytes(values)[offsets[0] : offsets[-1]]
    keep = (raw - np.uint8(ord("0"))) < 10
    starts = offsets[:-1] - offsets[0]
    lengths = np.diff(offsets)
    filled = np.flatnonzero(lengths)
    if leading_plus and filled.size:
        first = starts[filled]
        keep[first] |= raw[first] == ord("+")
    # Kept bytes per cell by one reduceat over the cells' starts (no running count per
    # byte); an empty cell's segment is empty, and reduceat would give it its neighbour's.
    counts = np.zeros(n, dtype=np.int64)
    if filled.size:
        counts[filled] = np.add.reduceat(keep, starts[filled], dtype=np.int64)
    new_offsets = np.concatenate([[0], np.cumsum(counts)])
    buffers = [None, pa.py_buffer(new_offsets), pa.py_buffer(raw[keep])]  # no copies
    return pa.Array.from_buffers(TEXT, n, buffers)


def holds_any(values: pa.Array, chars: tuple[str, ...]) -> bool:
    """Whether any cell of an Arrow large_string array contains one of ``chars``: a scan of
    the array's bytes, far faster than a per-cell regex when (as usual) none does."""
    offsets = cell_offsets(values)
    data = data_bytes(values)[offsets[0] : offsets[-1]].tobytes()
    return any(char.encode("utf-8") in data for char in chars)


def first_bytes(text: pa.Array) -> np.ndarray:
    """The first byte of every cell of a large_string array (0 for an empty cell). One
    gather at every cell's start — an empty cell's is its neighbour's byte, zeroed after —
    rather than picking out the filled cells first."""
    offsets, data = cell_offsets(text), data_bytes(text)
    if not len(data):  # every cell empty
        return np.zeros(len(text), dtype=np.uint8)
    starts = offsets[:-1]
    first = np.take(data, starts, mode="clip")  # trailing empty cells start past the end
    first *= offsets[1:] > starts  # a multiply: cheaper than a masked assignment
    return first
