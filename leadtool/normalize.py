"""Normalizers for phones, e-mails, names, dates, countries, booleans, sources and UTM tags.

Every normalizer takes a pandas Series of strings and returns Series aligned with it. The
expensive libraries (phonenumbers, email-validator) run once per *distinct* cleaned value
through :func:`per_distinct`, never once per row: lead files repeat values a lot (the same
person submits twice, the same campaign on every row), and the cheap string cleaning before
it is vectorized.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections import Counter
from collections.abc import Callable, Iterable
from functools import cache
from itertools import groupby, pairwise
from operator import itemgetter
from typing import Any
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
from email_validator import EmailNotValidError, validate_email

from leadtool.arrowtext import (
    INVISIBLE,
    SPACE,
    TEXT,
    SameText,
    ascii_digits,
    byte_size,
    cell_offsets,
    data_bytes,
    first_bytes,
    from_arrow,
    is_arrow_text,
    mask,
    matches,
    prefixed,
    to_arrow,
)
from leadtool.sources import header_key, load_yaml_data

UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")


# Below this many distinct values a process pool costs more than it saves.
POOL_MIN_VALUES = 20_000


def per_distinct(values: pd.Series, func: Callable[[Any], Any], jobs: int = 1) -> pd.Series:
    """``values.map(func)`` computed once per distinct value (the cache of the design).

    With ``jobs`` > 1 and many distinct values, the calls are spread over a process pool
    (``func`` must then be a module-level function, so that it can be sent to the workers).
    Text results come back as an Arrow-backed column, taken from the distinct results by
    code: no Python string per row.
    """
    codes, results = _distinct_results(values, func, jobs)
    if all(isinstance(r, str) for r in results):
        return _taken(results, codes, values.index)
    if len(results) and all(isinstance(r, bool) for r in results):  # a mask: no object column
        return pd.Series(results.astype(bool)[codes], index=values.index)
    return pd.Series(results[codes], index=values.index, dtype=object)


def as_numbers(text: pd.Series) -> pd.Series:
    """Text read as numbers (``,`` as the decimal point; NaN where it is no number), parsed
    once per distinct value: a column's numbers repeat, and parsing is Python per value."""
    codes, uniques = pd.factorize(text, use_na_sentinel=False)
    distinct = pd.Series(uniques).astype(str).str.strip().str.replace(",", ".", regex=False)
    numbers = pd.to_numeric(distinct, errors="coerce")
    return pd.Series(numbers.to_numpy()[codes], index=text.index)


def status_key(text: str) -> str:
    """A CRM status or tag as compared: case-folded, ``_`` and ``-`` as spaces, spaces
    collapsed — ``JUNK_LEAD``, ``Junk lead`` and ``Closed - Converted`` as written in UIs
    and APIs."""
    return " ".join(text.casefold().replace("_", " ").replace("-", " ").split())


def casefolded(text: pd.Series) -> pd.Series:
    """``str.casefold`` of each value ("" for a missing one), once per distinct value:
    casefold has no Arrow kernel (pandas runs it in Python for every row), and a column's
    values repeat."""
    return per_distinct(text.fillna("").astype(str), str.casefold)


def per_distinct_fields(
    values: pd.Series, func: Callable[[Any], tuple[str, ...]], width: int, jobs: int = 1
) -> list[pd.Series]:
    """Like per_distinct for a ``func`` returning a tuple of ``width`` strings: one Series
    per position, taken by row from a table of distinct results (no tuple per row)."""
    codes, results = _distinct_results(values, func, jobs)
    table = np.empty((len(results), width), dtype=object)
    for i, fields in enumerate(results):
        table[i] = fields
    return [_taken(table[:, k], codes, values.index) for k in range(width)]


def _distinct_results(
    values: pd.Series, func: Callable[[Any], Any], jobs: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """(each row's code, ``func`` of each distinct value)."""
    if _all_empty(values):  # a column the export left empty: nothing to number
        return np.zeros(len(values), dtype=np.intp), np.array([func("")], dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    distinct = uniques.tolist()  # one conversion: iterating Arrow text makes a scalar a value
    results = np.empty(len(distinct), dtype=object)
    if jobs > 1 and len(distinct) >= POOL_MIN_VALUES:
        results[:] = _pool_map(func, distinct, jobs)
    else:
        for i, value in enumerate(distinct):
            results[i] = func(value)
    return codes, results


def _all_empty(values: pd.Series) -> bool:
    """Whether Arrow-backed text holds "" in every row (and some rows): told from its byte
    count, without hashing a million empty strings."""
    if not len(values) or not is_arrow_text(values):
        return False
    array = pa.array(values.array)  # the column's own Arrow data, not a copy
    chunks = array.chunks if isinstance(array, pa.ChunkedArray) else [array]
    if array.null_count or any(chunk.type != TEXT for chunk in chunks):
        return False
    return not any(byte_size(chunk) for chunk in chunks)


def _taken(distinct: np.ndarray, codes: np.ndarray, index: pd.Index) -> pd.Series:
    """Text per row from text per distinct value, by one Arrow take."""
    return from_arrow(pa.array(distinct, type=TEXT).take(pa.array(codes)), index)


def _pool_map(func: Callable[[Any], Any], values: list[Any], jobs: int) -> list[Any]:
    """``func`` of each value on ``jobs`` worker processes.

    The workers come from a fork server (spawned where there is none: Windows): a fresh,
    single-threaded process that has imported ``func``'s module once. Forking leadtool
    itself would be unsafe, since import runs its steps on threads; the server costs about
    half a second to start, which the pool is only used to save many times over
    (POOL_MIN_VALUES distinct values)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    chunk = max(1000, len(values) // (jobs * 8))
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        context.set_forkserver_preload([func.__module__])
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        return list(pool.map(func, values, chunksize=chunk))


def resolve_jobs(jobs: int) -> int:
    """``--jobs``: 0 means every core."""
    import os

    return max(1, os.cpu_count() or 1) if jobs <= 0 else jobs


def blank(series: pd.Series) -> pd.Series:
    """Boolean mask of empty cells."""
    return series.fillna("").astype(str).str.strip().eq("")


# --------------------------------------------------------------------------- phones

# Plain patterns (an inline flag, whitespace spelled out, ASCII digits), so that pandas hands
# them to Arrow's regex engine instead of calling Python's re once per cell.
_WS = f"[{SPACE}]"
_PHONE_PREFIX = re.compile(f"^{_WS}*(?i:p|tel|phone|тел){_WS}*[:.]{_WS}*")
_PHONE_SIMPLE = f"\\+?[0-9{SPACE}().\\-]+"
_PHONE_SPLIT = re.compile(r"\s*(?:[,;/\n]|\s(?:или|or|sau|и|and)\s)\s*", re.IGNORECASE)
_NON_PHONE = re.compile(r"[^\d+]")


def clean_phone_text(series: pd.Series) -> pd.Series:
    """Vectorized pre-clean to the canonical key phonenumbers is called with.

    ``p:``/``tel:`` prefixes go; a cell of only digits and punctuation becomes its digits
    (with ``+`` when written with one), so "8 (912) 345-67-89" and "89123456789" are one
    distinct value. Cells with letters or separators (extensions, two numbers) keep their
    text, whitespace folded.
    """
    text = pc.utf8_trim_whitespace(to_arrow(series))
    if _may_have_prefix(text):
        text = pc.replace_substring_regex(text, _PHONE_PREFIX.pattern, "")
    text = _without_float_zeros(text)
    simple = mask(pc.match_substring_regex(text, f"^(?:{_PHONE_SIMPLE})$"))
    keyed = ascii_digits(text, leading_plus=True)  # the digits, with a leading "+"
    if not simple.all():
        rest = pa.array(~simple)
        folded = pc.replace_substring_regex(text.filter(rest), f"{_WS}+", " ")
        keyed = pc.replace_with_mask(keyed, rest, folded)
    return from_arrow(_without_plus_before_trunk(keyed), series.index)


# "+8 (912) 345-67-89": a Russian mobile typed with its trunk prefix 8 after a "+" (a
# form's mask that shows one, a habit from "+7"). No country code starts +89, so such a
# number is no international one: it is the national "8 912 …" it was meant as. (+84 is
# Vietnam's and +870 Inmarsat's: "+8 495 …" or a Kazakh "+8 701 …" is left as typed.)
_PLUS_TRUNK = "^\\+(89[0-9]{9})$"


def _without_plus_before_trunk(keyed: pa.Array) -> pa.Array:
    """``+89123456789`` → ``89123456789`` (read under the row's region, as ``8 912 …``
    is); only cells that start ``+89`` are looked at again."""
    return _rewritten_where(keyed, pc.starts_with(keyed, "+89"), _PLUS_TRUNK)


def _rewritten_where(text: pa.Array, maybe: pa.Array, pattern: str) -> pa.Array:
    """``text`` with ``pattern`` replaced by its first group in the cells ``maybe`` picks
    (a cheap test first: the regex runs on those few cells only)."""
    if not pc.any(maybe).as_py():
        return text
    picked = pc.fill_null(maybe, False)
    fixed = pc.replace_substring_regex(text.filter(picked), pattern, r"\1")
    return pc.replace_with_mask(text, picked, fixed)


# A number that went through a spreadsheet or pandas as a float: "79161234567.0".
_FLOAT_ZEROS = r"^(\+?[0-9]+)\.0+$"


def _without_float_zeros(text: pa.Array) -> pa.Array:
    """``79161234567.0`` → ``79161234567``: a phone column read as numbers and written back
    (pandas writes floats so, a spreadsheet with two decimals as ``.00``) would otherwise
    become the digits ``791612345670`` — a different, sometimes valid, number. Only cells
    of digits, one point and zeros; ``555.123.4560`` keeps its points. (Excel's
    ``7.91612E+10`` has lost its last digits and stays invalid.)"""
    maybe = pc.and_(pc.ends_with(text, "0"), pc.match_substring(text, "."))
    return _rewritten_where(text, maybe, _FLOAT_ZEROS)


# The first bytes a prefix can start with (p, t, т in either case; the cells are trimmed,
# and Arrow's trim removes exactly the whitespace _WS names): only a column holding a cell
# that starts with one of them is matched against the prefix pattern.
_PREFIX_FIRST_BYTES = np.zeros(256, dtype=bool)
_PREFIX_FIRST_BYTES[list({c.encode()[0] for c in "pPtTтТ"})] = True


def _may_have_prefix(text: pa.Array) -> bool:
    return bool(_PREFIX_FIRST_BYTES[first_bytes(text)].any())  # an empty cell's byte is 0


def split_numbers(text: str) -> list[str]:
    """Two numbers in one cell ("8 916 111-22-33, 8 926 444-55-66") -> both; else [text]."""
    parts = [p for p in _PHONE_SPLIT.split(text) if p.strip()]
    if len(parts) > 1 and all(len(re.sub(r"\D", "", p)) >= 6 for p in parts):
        return parts
    return [text]


def parse_phone(text: str, region: str | None) -> str:
    """One number to E.164, or "" when it is not a valid number.

    Tries the number as written (trunk prefixes such as Russian ``8`` and Romanian ``0``
    are handled by phonenumbers for the region), then digits-only numbers that carry their
    country code without ``+`` (``79161234567``, ``0040…``).
    """
    digits = _NON_PHONE.sub("", text)
    if len(digits.lstrip("+")) < 5:
        return ""
    attempts: list[tuple[str, str | None]] = [(text, region)]
    if not text.lstrip().startswith("+"):
        bare = digits.lstrip("+")
        attempts.append(("+" + bare[2:] if bare.startswith("00") else "+" + bare, None))
    for candidate, reg in attempts:
        try:
            number = phonenumbers.parse(candidate, reg)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return ""


def parse_phone_cell(text: str, region: str | None) -> tuple[str, str]:
    """A cell to (first valid E.164, further valid numbers joined by ``;``)."""
    if not text:
        return "", ""
    found = [e for p in split_numbers(text) for e in _numbers_in(p, region) if e]
    unique = list(dict.fromkeys(found))
    return (unique[0], ";".join(unique[1:])) if unique else ("", "")


# A run of a number's digits and punctuation, in a cell that also holds words.
_PHONE_SPAN = re.compile(r"\+?\d[\d ().\-]*\d")
_LETTER = re.compile(r"[^\W\d_]")


def _numbers_in(part: str, region: str | None) -> list[str]:
    """The number a part of a cell holds — or, where phonenumbers finds none in a part
    that has words (``+7 916 123-45-67 (WhatsApp)``, ``8 916 … моб.``, ``… Иван``,
    ``+7 916 … whatsapp +7 926 …``: free-text phone fields), the numbers among its words.
    A cell without letters never gets here, so the fast paths, which decide only cells of
    digits and punctuation, still agree with this function."""
    e164 = parse_phone(part, region)
    if e164 or not _LETTER.search(part):
        return [e164]
    return [parse_phone(span, region) for span in _PHONE_SPAN.findall(part)]


def infer_phone_region(
    texts: Iterable[str], candidates: Iterable[str], sample: int = 300
) -> str | None:
    """The region the distinct national-format numbers (the first ``sample`` of them) point
    at most (``_region_evidence``; ties to the earlier candidate). A cell of two numbers
    (``8 912 …, 8 926 …``, as CRM exports write a contact's phones) counts as its two
    numbers: a file of such cells alone still has its region found."""
    national: dict[str, None] = {}
    for text in _maybe_national(texts):
        national.update(dict.fromkeys(p for p in split_numbers(text) if _is_national(p)))
        if len(national) >= sample:
            break
    if not national:
        return None
    numbers = list(national)[:sample]
    scores: Counter[str] = Counter()
    for t in numbers:
        digits = _as_parsed(t)
        for region in candidates:
            scores[region] += _region_evidence(t, digits, region)
    if not scores:
        return None
    best = max(scores.values())
    return next(r for r in candidates if scores[r] == best)


_MOBILE_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


_DIGITS_AND_SEPARATORS = re.compile(r"[0-9 ()\-.]+\Z")


def _as_parsed(text: str) -> str:
    """A national number's text as phonenumbers reads it: of digits and the usual
    separators alone, its digits (parsing them gives what parsing the text does, and
    normalizing the text again for every candidate region was a fifth of the time); any
    other text as it is."""
    return _NON_PHONE.sub("", text) if _DIGITS_AND_SEPARATORS.match(text) else text


def _region_evidence(text: str, digits: str, region: str) -> int:
    """How strongly a national-format number points at a region: 0 when it is no number
    there; 1 for a valid one; 1 more when it may be a mobile (what lead forms ask for); 1
    more when its digits are grouped as the region writes its numbers. Validity alone let
    numbering plans that take almost any length win: ``(415) 555-2671`` and ``5555555555``
    are both German numbers, and a US file's phones became ``+49…``; the grouping
    (``(415) 555-2671``, ``098765 43211``, ``06 12 34 56 78``) is what tells a reader.
    ``digits``: the text as phonenumbers reads it, parsed in its place."""
    try:
        number = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return 0
    kind = phonenumbers.number_type(number)  # UNKNOWN exactly where is_valid_number is False
    if kind == phonenumbers.PhoneNumberType.UNKNOWN:
        return 0
    evidence = 1 + (kind in _MOBILE_TYPES)
    groups = _DIGIT_GROUPS.findall(text)
    if len(groups) > 1:
        written = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        evidence += list(map(len, groups)) == list(map(len, _DIGIT_GROUPS.findall(written)))
    return evidence


_DIGIT_GROUPS = re.compile(r"\d+")


def _is_national(number: str) -> bool:
    """Written without a country code: no ``+`` or ``00`` first, 6 to 12 digits."""
    digits = _NON_PHONE.sub("", number)
    return not number.lstrip().startswith(("+", "00")) and 6 <= len(digits) <= 12


def _maybe_national(texts: Iterable[str], rows_at_once: int = 50_000) -> Iterable[str]:
    """The distinct texts, in order of first appearance — of a column, only those that may
    hold a national number, picked by Arrow: a file of international numbers alone had every
    one of its distinct numbers looked at in Python to find none (a second for 500,000).
    Arrow drops a text only when ``infer_phone_region`` would find no national number in
    it. One number: it starts with ``+`` or ``00`` after ASCII whitespace (Python strips
    that too, and stops at the same place), or its count of digits and ``+`` (RE2's
    ``\\p{Nd}`` is Python's ``\\d``) is not 6 to 12. Two or more (``split_numbers``): each
    has 6 digits or more, so the cell has 12 or more, and a separator — a punctuation mark
    of ``_PHONE_SPLIT`` or, in its words, a letter."""
    if not isinstance(texts, pd.Series):
        yield from dict.fromkeys(texts)
        return
    values, seen = to_arrow(texts), set()
    for start in range(0, len(values), rows_at_once):  # most files stop in the first slice
        part = values.slice(start, rows_at_once)
        plus = mask(pc.match_substring_regex(part, r"^[\t\n\v\f\r ]*(?:\+|00)"))
        digits = pc.replace_substring_regex(part, r"[^\p{Nd}+]", "")  # (counting: 7× slower)
        count = pc.utf8_length(digits).to_numpy(zero_copy_only=False)
        keep = ~plus & (count >= 6) & (count <= 12)
        several = count >= 12
        if several.any():
            keep |= several & mask(pc.match_substring_regex(part, r"[,;/\n\pL]"))
        for text in pc.unique(part.filter(pa.array(keep))).to_pylist():  # first seen first
            if text not in seen:
                seen.add(text)
                yield text


# ---- fast path: "+<country code><national number>" decided from phonenumbers' own metadata


_TYPE_DESCS = (  # any order gives the same answer; the common types first save work
    "mobile",
    "fixed_line",
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
)


def _regex(values: pa.Array, pattern: str, whole: bool = True) -> np.ndarray:
    """Where ``pattern`` matches at the start (or the whole value), on Arrow's RE2; Python's
    re for a pattern RE2 does not take. The pattern is grouped: ``a|b`` stays one unit."""
    anchored = f"^(?:{pattern})" + ("$" if whole else "")
    try:
        return mask(pc.match_substring_regex(values, anchored))
    except pa.ArrowInvalid:  # pragma: no cover - phonenumbers' patterns are RE2-compatible
        compiled = re.compile(anchored)
        return np.array([bool(v and compiled.search(v)) for v in values.to_pylist()], dtype=bool)


def _desc_matches(national: pa.Array, size: np.ndarray, desc: Any, rows: np.ndarray) -> np.ndarray:
    """phonenumbers' _is_number_matching_desc on the ``rows`` asked about: a possible length
    and a full match of the national number pattern. Only those rows are matched."""
    out = np.zeros(len(national), dtype=bool)
    if desc is None or not desc.national_number_pattern:
        return out
    wanted = rows & np.isin(size, list(desc.possible_length)) if desc.possible_length else rows
    index = np.flatnonzero(wanted)
    if index.size:
        out[index] = _regex(national.take(pa.array(index)), desc.national_number_pattern)
    return out


def _type_known(
    national: pa.Array, size: np.ndarray, metadata: Any, rows: np.ndarray | None = None
) -> np.ndarray:
    """phonenumbers' _number_type_helper(...) != UNKNOWN: the general pattern, then any type.
    Each type is tried only on the numbers no earlier type claimed (mobile and fixed line,
    the usual answers, first)."""
    rows = np.ones(len(national), dtype=bool) if rows is None else rows
    pending = _desc_matches(national, size, metadata.general_desc, rows)
    known = np.zeros(len(national), dtype=bool)
    for name in _TYPE_DESCS:
        if not pending.any():
            break
        hit = _desc_matches(national, size, getattr(metadata, name, None), pending)
        known |= hit
        pending &= ~hit
    return known


class _Picks:
    """The phone fast paths' answers for some rows, without a Python string per number: the
    E.164 texts stay in Arrow pieces, and each row holds an index into them — -1 where the
    fast paths do not decide (phonenumbers will), 0 for "" (not a valid number)."""

    def __init__(self, rows: int) -> None:
        self.index = np.full(rows, -1, dtype=np.int64)
        self._pieces: list[pa.Array] = [pa.array([""], TEXT)]
        self._size = 1

    def undecided(self) -> np.ndarray:
        return self.index < 0

    def invalid(self, rows: np.ndarray) -> None:
        self.index[rows] = 0

    def pick(self, rows: np.ndarray, valid: np.ndarray, e164: pa.Array) -> None:
        """Row ``rows[i]`` gets ``e164[i]`` where ``valid[i]``, else ""."""
        start = self._append([e164], len(e164))
        self.index[rows] = np.where(valid, np.arange(start, start + len(e164)), 0)

    def merge(self, rows: np.ndarray, other: _Picks) -> None:
        """Row ``rows[i]`` gets ``other``'s answer for its row i, undecided included."""
        start = self._append(other._pieces, other._size)
        self.index[rows] = np.where(other.index < 0, -1, other.index + start)

    def _append(self, pieces: list[pa.Array], size: int) -> int:
        start = self._size
        self._pieces += pieces
        self._size += size
        return start

    def texts(self) -> pa.Array:
        """E.164 per row; "" where invalid or undecided."""
        return pa.concat_arrays(self._pieces).take(pa.array(np.maximum(self.index, 0)))

    def series(self, index: pd.Index) -> pd.Series:
        """Object Series of None (undecided) / "" / E.164, as fast_e164 and fast_national
        answer."""
        out = np.asarray(self.texts().to_numpy(zero_copy_only=False), dtype=object)
        out[self.undecided()] = None
        return pd.Series(out, index=index, dtype=object)


def fast_e164(texts: pd.Series) -> pd.Series:
    """E.164 for cells already written as ``+<digits>``, decided without calling
    phonenumbers per value: "" where the number is invalid, None where this path does not
    decide (then parse_phone does). It follows phonenumbers' own steps — country code, then
    region by leading digits, then the metadata's patterns — and refuses the cases those
    steps treat specially (a national prefix after the country code, non-geographic codes).
    A leading zero is kept, as phonenumbers keeps it (Italian numbers).
    tests/test_phone_fast_path.py checks it against phonenumbers."""
    return _e164_of_plus(to_arrow(texts)).series(texts.index)


def _e164_of_plus(texts: pa.Array) -> _Picks:
    """fast_e164 on an Arrow array."""
    from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata

    out = _Picks(len(texts))
    plus = np.flatnonzero(_regex(texts, r"\+\d{5,17}"))
    if not plus.size:
        return out
    digits = pc.utf8_slice_codeunits(texts.take(pa.array(plus)), 1)
    code_of = _country_codes(digits)
    out.invalid(plus[code_of == 0])  # no country code: phonenumbers refuses the number
    for number in np.unique(code_of[code_of > 0]).tolist():
        code = str(number)
        rows = np.flatnonzero(code_of == number)
        regions = COUNTRY_CODE_TO_REGION_CODE[number]
        main = PhoneMetadata.metadata_for_region(regions[0], None)
        if "001" in regions or main is None:
            continue
        national = pc.utf8_slice_codeunits(digits.take(pa.array(rows)), len(code))
        size = np.asarray(pc.utf8_length(national).to_numpy(zero_copy_only=False))
        decidable = (size >= 2) & (size <= 17)
        if main.national_prefix_for_parsing:
            decidable &= ~_regex(national, main.national_prefix_for_parsing, whole=False)
        keep = np.flatnonzero(decidable)
        national, size = national.take(pa.array(keep)), size[keep]
        out.pick(plus[rows[keep]], *_e164_if_valid(code, national, size))
    return out


def _e164_if_valid(code: str, national: pa.Array, size: np.ndarray) -> tuple[np.ndarray, pa.Array]:
    """(where phonenumbers' is_valid_number holds, "+<code><national>"): the region is
    chosen among the code's regions by leading digits or by type, then the number must be
    of a known type there."""
    from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata

    valid = np.zeros(len(national), dtype=bool)
    unassigned = np.ones(len(national), dtype=bool)
    for region in COUNTRY_CODE_TO_REGION_CODE[int(code)]:
        metadata = PhoneMetadata.metadata_for_region(region, None)
        if metadata is None or not unassigned.any():
            continue
        if metadata.leading_digits is not None:
            chosen = unassigned & _regex(national, metadata.leading_digits, whole=False)
            valid |= _type_known(national, size, metadata, chosen)
        else:
            chosen = _type_known(national, size, metadata, unassigned)
            valid |= chosen
        unassigned &= ~chosen
    return valid, prefixed("+" + code, national)


def _possible_length(size: np.ndarray, metadata: Any) -> np.ndarray:
    """phonenumbers' _test_number_length(...) in (IS_POSSIBLE, TOO_LONG), vectorized."""
    desc = metadata.general_desc
    lengths = list(desc.possible_length)
    local = list(desc.possible_length_local_only)
    if not lengths or lengths[0] == -1:
        return np.zeros(len(size), dtype=bool)
    possible = (size == lengths[0]) | np.isin(size, lengths[1:]) | (size > lengths[-1])
    return possible & ~np.isin(size, local) & (size >= lengths[0])


def fast_national(texts: pd.Series, region: str) -> pd.Series:
    """E.164 for digits-only national numbers of one region (``89123852719`` in RU,
    ``0722418305`` in RO), decided the way phonenumbers parses them: the trunk prefix is
    stripped when what is left is still a number of the region, then validity comes from the
    metadata; an invalid one gets the "+<digits>" retry parse_phone makes. None where this
    path does not decide (international prefixes, a country code without "+", carrier codes,
    transform rules)."""
    return _e164_of_national(to_arrow(texts), region).series(texts.index)


def _e164_of_national(texts: pa.Array, region: str) -> _Picks:
    """fast_national on an Arrow array."""
    from phonenumbers import PhoneMetadata

    out = _Picks(len(texts))
    metadata = PhoneMetadata.metadata_for_region(region, None)
    digits_only = _regex(texts, r"\d{5,17}")
    if metadata is None or not digits_only.any():
        return out
    npfp = metadata.national_prefix_for_parsing or ""
    if metadata.national_prefix_transform_rule or (npfp and re.compile(npfp).groups):
        return out
    code = str(metadata.country_code)
    decidable = digits_only.copy()
    if metadata.international_prefix:
        decidable &= ~_regex(texts, metadata.international_prefix, whole=False)
    with_code = decidable & mask(pc.starts_with(texts, code))
    if with_code.any():  # "79123852719" in RU: the region's own code without "+"
        coded = np.flatnonzero(with_code)
        out.merge(coded, _e164_of_own_code(texts.take(pa.array(coded)), metadata))
    rows = np.flatnonzero(decidable & ~with_code)
    number = texts.take(pa.array(rows))
    national = number
    size = np.asarray(pc.utf8_length(number).to_numpy(zero_copy_only=False))
    if npfp:
        stripped = pc.replace_substring_regex(number, f"^(?:{npfp})", "", max_replacements=1)
        stripped_size = np.asarray(pc.utf8_length(stripped).to_numpy(zero_copy_only=False))
        general = str(getattr(metadata.general_desc, "national_number_pattern", "") or "$^")
        take = (
            (stripped_size < size)
            & ~(_regex(number, general) & ~_regex(stripped, general))
            & _possible_length(stripped_size, metadata)
        )
        national = pc.if_else(pa.array(take), stripped, number)
        size = np.where(take, stripped_size, size)
    keep = np.flatnonzero((size >= 2) & (size <= 17))
    national, number = national.take(pa.array(keep)), number.take(pa.array(keep))
    valid, e164 = _e164_if_valid(code, national, size[keep])
    targets = rows[keep]
    out.pick(targets, valid, e164)
    if not valid.all():  # parse_phone's second attempt: the digits with a "+"
        again = pc.replace_substring_regex(number.filter(pa.array(~valid)), "^00", "")
        out.merge(targets[~valid], _e164_of_plus(prefixed("+", again)))
    return out


def _e164_of_own_code(number: pa.Array, metadata: Any) -> _Picks:
    """Digits-only numbers that start with the region's own country code, as phonenumbers'
    ``_maybe_extract_country_code`` reads them: the code is taken off (and then a national
    prefix after it, unless only the number with the prefix fits the region's pattern) when
    the whole number is too long for the region, or fits its pattern only without the code.
    Then validity as for "+<code><national>" (parse_phone's "+<digits>" retry of an invalid
    one reads the same code and national part: country codes are prefix-free). Left to
    phonenumbers: numbers that keep the code (national numbers that happen to start with
    it), and national parts that start with a national prefix (parse strips it once more,
    under length rules)."""
    from phonenumbers import PhoneMetadata, region_code_for_country_code

    out = _Picks(len(number))
    general = getattr(metadata.general_desc, "national_number_pattern", None)
    lengths = list(getattr(metadata.general_desc, "possible_length", ()) or ())
    if not general or not lengths:
        return out
    code = str(metadata.country_code)
    rest = pc.utf8_slice_codeunits(number, len(code))
    npfp = metadata.national_prefix_for_parsing or ""
    if npfp:  # _maybe_strip_national_prefix_carrier_code (no transform rule, no groups)
        stripped = pc.replace_substring_regex(rest, f"^(?:{npfp})", "", max_replacements=1)
        kept = _regex(rest, general) & ~_regex(stripped, general)
        rest = pc.if_else(pa.array(kept), rest, stripped)
    size = np.asarray(pc.utf8_length(number).to_numpy(zero_copy_only=False))
    local = list(metadata.general_desc.possible_length_local_only)
    too_long = (size > lengths[-1]) & ~np.isin(size, local)
    take = (~_regex(number, general) & _regex(rest, general)) | too_long
    # parse goes on with the metadata of the code's main region (KZ's numbers: RU's).
    main_region = region_code_for_country_code(metadata.country_code)
    main = PhoneMetadata.metadata_for_region_or_calling_code(metadata.country_code, main_region)
    if main is None:  # pragma: no cover - every region's code has a main region
        return out
    rest_size = np.asarray(pc.utf8_length(rest).to_numpy(zero_copy_only=False))
    take &= (rest_size >= 2) & (rest_size <= 17)
    if main.national_prefix_for_parsing:
        take &= ~_regex(rest, main.national_prefix_for_parsing, whole=False)
    rows = np.flatnonzero(take)
    out.pick(rows, *_e164_if_valid(code, rest.take(pa.array(rows)), rest_size[rows]))
    return out


def _decided(texts: pa.Array, region_of: np.ndarray, region_names: list[Any]) -> _Picks:
    """The fast paths on phone keys: ``+<code>…`` first, then national numbers of each
    row's region (``region_of`` indexes ``region_names``; "" is no region)."""
    fast = _e164_of_plus(texts)
    for code, region in enumerate(region_names):
        rows = np.flatnonzero((region_of == code) & fast.undecided())
        if region and rows.size:
            fast.merge(rows, _e164_of_national(texts.take(pa.array(rows)), str(region)))
    return fast


# _PHONE_SPLIT for Arrow's RE2 on ASCII cells, where it means the same: Python's \s on ASCII
# text spelled out (\x1c-\x1f included), and the Cyrillic words cannot occur.
_SPLIT_WS = "[ \\t\\n\\v\\f\\r\\x1c-\\x1f]"
_PHONE_SPLIT_RE2 = f"(?i){_SPLIT_WS}*(?:[,;/\\n]|{_SPLIT_WS}(?:or|sau|and){_SPLIT_WS}){_SPLIT_WS}*"


def _several_numbers(
    texts: pa.Array, rows: np.ndarray, region_of: np.ndarray, region_names: Any
) -> tuple[np.ndarray, pa.Array, pa.Array]:
    """parse_phone_cell of the cells among ``rows`` that hold several numbers
    ("8 916 111-22-33, 8 926 444-55-66", as CRM exports and free-text form fields write
    them), decided by the fast paths instead of phonenumbers once per part: (the rows
    decided, their first number, the others joined by ";"). A cell is taken when it is
    ASCII, split_numbers splits it, and every part is digits and punctuation that the fast
    paths decide; any other cell is left to parse_phone_cell."""
    cells = texts.take(pa.array(rows))
    parts = pc.split_pattern_regex(cells, _PHONE_SPLIT_RE2)
    owner = np.asarray(pc.list_parent_indices(parts))
    flat = pc.list_flatten(parts)
    filled = ~mask(pc.match_substring_regex(flat, f"^{_SPLIT_WS}*$"))  # p.strip() is not ""
    owner, flat = owner[filled], flat.filter(pa.array(filled))
    keys = ascii_digits(flat, leading_plus=True)  # its digits, and a "+" that leads
    digits = np.diff(cell_offsets(keys)) - (first_bytes(keys) == ord("+"))
    simple = _regex(flat, _PHONE_SIMPLE)
    n = len(rows)
    count = np.bincount(owner, minlength=n)
    taken = (count > 1) & mask(pc.string_is_ascii(cells))
    taken &= np.bincount(owner, weights=digits < 6, minlength=n) == 0  # split_numbers' rule
    taken &= np.bincount(owner, weights=~simple, minlength=n) == 0
    part = np.flatnonzero(taken[owner])
    if not part.size:
        return np.zeros(0, dtype=np.int64), pa.array([], TEXT), pa.array([], TEXT)
    owner = owner[part]
    picks = _decided(keys.take(pa.array(part)), region_of[rows[owner]], list(region_names))
    taken[owner[picks.undecided()]] = False
    kept = taken[owner]
    numbers = picks.texts().filter(pa.array(kept)).to_pylist()
    first: list[str] = []
    others: list[str] = []
    for _, group in groupby(zip(owner[kept].tolist(), numbers, strict=True), key=itemgetter(0)):
        found = list(dict.fromkeys(number for _, number in group if number))
        first.append(found[0] if found else "")
        others.append(";".join(found[1:]))
    return rows[taken], pa.array(first, TEXT), pa.array(others, TEXT)


# Below this many rows the phone fast paths cost more than they save: they run dozens of
# regular expressions from phonenumbers' metadata, each compiled anew for every column,
# whatever its size (about 40 ms a file of 50 leads; phonenumbers takes 1-2 ms for them).
FAST_PATH_MIN_ROWS = 1_000


def _parse_phone_key(key: tuple[str, str]) -> tuple[str, str]:
    return parse_phone_cell(key[0], key[1] or None)


def normalize_phones(
    texts: pd.Series, regions: pd.Series, jobs: int = 1
) -> tuple[pd.Series, pd.Series]:
    """(E.164 phone, extra numbers) per row: the vectorized fast paths first, then
    phonenumbers once per distinct (text, region) they leave undecided."""
    arrow = to_arrow(texts)
    region_of, region_names = pd.factorize(regions)
    small = len(texts) < FAST_PATH_MIN_ROWS  # then phonenumbers itself: the same answers
    fast = _Picks(len(texts)) if small else _decided(arrow, region_of, region_names.tolist())
    fast.invalid(mask(pc.equal(arrow, "")))  # an empty cell is no number
    slow = fast.undecided()
    phone = fast.texts()
    more = pa.repeat(pa.scalar("", TEXT), len(texts))
    if slow.any() and not small:
        rows, first, others = _several_numbers(arrow, np.flatnonzero(slow), region_of, region_names)
        if rows.size:
            decided = np.zeros(len(texts), dtype=bool)
            decided[rows] = True
            phone = pc.replace_with_mask(phone, pa.array(decided), first)
            more = pc.replace_with_mask(more, pa.array(decided), others)
            slow &= ~decided
    if slow.any():
        # One (text, region) key per distinct pair, not a tuple per row: the pairs are
        # numbered from the two columns' codes, and phonenumbers parses each pair once.
        text_codes, text_values = pd.factorize(texts[slow])
        region_codes, region_values = pd.factorize(regions[slow])
        width = len(region_values)
        pair_codes, pairs = pd.factorize(text_codes.astype(np.int64) * width + region_codes)
        keys = np.empty(len(pairs), dtype=object)
        for i, pair in enumerate(pairs.tolist()):
            keys[i] = (text_values[pair // width], region_values[pair % width])
        parsed, extra = per_distinct_fields(pd.Series(keys), _parse_phone_key, 2, jobs)
        slow_rows, taken = pa.array(slow), pa.array(pair_codes)
        phone = pc.replace_with_mask(phone, slow_rows, to_arrow(parsed).take(taken))
        more = pc.replace_with_mask(more, slow_rows, to_arrow(extra).take(taken))
    return from_arrow(phone, texts.index), from_arrow(more, texts.index)


def phone_region(e164: str) -> str:
    """Region code of an E.164 number ("" when unknown)."""
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(e164)) or ""
    except phonenumbers.NumberParseException:
        return ""


# Number types phonenumbers tells apart whose numbers belong to no one person.
SERVICE_TYPES = ("toll_free", "premium_rate", "shared_cost", "uan", "voicemail", "pager", "voip")


def service_numbers(phones: pd.Series, types: Iterable[str]) -> pd.Series:
    """Whether each E.164 phone is of one of ``types`` (names of phonenumbers' number
    types, as in ``SERVICE_TYPES``) — a toll-free line (``8 800 555-35-35``), a premium-rate
    or shared-cost number: a company's hotline or a made-up number, never a person's.

    phonenumbers' number_type costs some 30 µs a number (15 s for half a million distinct
    phones), so it is asked only about the few numbers that can be of those types: per
    country code, one RE2 pass over the distinct numbers with the union of those types'
    patterns of all the code's regions (a superset of what phonenumbers will say), then
    number_type once per distinct candidate."""
    from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata, PhoneNumberType

    wanted = {getattr(PhoneNumberType, name.upper()) for name in types}
    codes, uniques = pd.factorize(phones, use_na_sentinel=False)
    distinct = pc.fill_null(to_arrow(pd.Series(uniques, dtype=phones.dtype)), "")
    found = np.zeros(len(distinct), dtype=bool)
    plus = mask(pc.starts_with(distinct, "+"))  # (E.164, or "" where there is no phone)
    code_of = np.where(plus, _country_codes(pc.utf8_slice_codeunits(distinct, 1)), 0)
    for number in np.unique(code_of[code_of > 0]).tolist():
        regions, prefix = COUNTRY_CODE_TO_REGION_CODE[number], f"+{number}"
        rows = np.flatnonzero(code_of == number)
        metadata = [
            PhoneMetadata.metadata_for_nongeo_region(number, None)
            if region == "001"
            else PhoneMetadata.metadata_for_region(region, None)
            for region in regions
        ]
        patterns = sorted(
            {
                desc.national_number_pattern
                for meta in metadata
                if meta is not None
                for name in types
                if (desc := getattr(meta, name, None)) is not None and desc.national_number_pattern
            }
        )
        if not patterns:
            continue
        national = pc.utf8_slice_codeunits(distinct.take(pa.array(rows)), len(prefix))
        maybe = rows[_regex(national, "|".join(f"(?:{p})" for p in patterns))]
        for row in maybe.tolist():
            found[row] = _number_type(str(uniques[row])) in wanted
    return pd.Series(found[codes], index=phones.index)


def _country_codes(digits: pa.Array) -> np.ndarray:
    """The country calling code of each number's digits after its ``+`` (0: none known), as
    phonenumbers reads it: of the known prefixes of 1–3 digits, the shortest."""
    from phonenumbers import COUNTRY_CODE_TO_REGION_CODE

    code_of = np.zeros(len(digits), dtype=np.int64)
    codes = pa.array(sorted({str(c) for c in COUNTRY_CODE_TO_REGION_CODE}))
    for width in (3, 2, 1):  # the shortest known prefix is assigned last
        head = pc.utf8_slice_codeunits(digits, 0, width)
        hit = mask(pc.is_in(head, value_set=codes))
        code_of[hit] = head.filter(pa.array(hit)).cast(pa.int64()).to_numpy()
    return code_of


def _number_type(e164: str) -> int:
    try:
        return int(phonenumbers.number_type(phonenumbers.parse(e164)))
    except phonenumbers.NumberParseException:  # pragma: no cover - the phones are E.164
        return -1


# --------------------------------------------------------------------------- messengers

# A Telegram username (5–32 letters, digits and "_", a letter first) as forms get it in the
# phone or e-mail field: "@ivan_petrov", "t.me/ivan_petrov", "Telegram: @ivan_petrov".
TELEGRAM = (
    r"(?i)^[ \t]*(?:(?:telegram|tg|телеграмм?|телега)[ \t]*:?[ \t]*)?"
    r"(?:@|(?:https?://)?(?:t|telegram)\.me/)(?P<handle>[a-z][a-z0-9_]{3,30}[a-z0-9])[ \t]*$"
)


def telegram_handles(texts: pd.Series) -> pd.Series:
    """The Telegram username each cell is (lower-cased, without ``@`` or link: usernames
    are case-blind), "" for any other cell. Only cells holding "@" or ".me/" are matched."""
    values = to_arrow(texts)
    out = pa.repeat(pa.scalar("", TEXT), len(values))
    maybe = mask(pc.match_substring(values, "@")) | mask(pc.match_substring(values, ".me/"))
    rows = np.flatnonzero(maybe)
    if rows.size:
        parts = pc.extract_regex(values.take(pa.array(rows)), TELEGRAM)
        found = pc.fill_null(pc.struct_field(parts, "handle"), "")
        out = pc.replace_with_mask(out, pa.array(maybe), pc.utf8_lower(found).cast(TEXT))
    return from_arrow(out, texts.index)


# --------------------------------------------------------------------------- e-mails

_EMAIL_SPLIT = re.compile(r"[\s,;]+")
_AROUND_AT = re.compile(r"\s*@\s*")  # "ivan @mail.ru", "ivan@ mail.ru"
# Characters copied along from web pages and messengers, never part of an address.
# (The joiners too: they spell words, never addresses.)
_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE + "\u200c\u200d"))
# What encloses an address in text: "Ivan <ivan@mail.ru>", "(ivan@mail.ru)", "[…]:".
_ENCLOSING = "<>\"'()[]:"


def clean_email_text(series: pd.Series) -> pd.Series:
    """Vectorized: trim, lowercase, drop ``mailto:`` and angle brackets."""
    return from_arrow(_clean_email_arrow(to_arrow(series)), series.index)


def _clean_email_arrow(text: pa.Array) -> pa.Array:
    """``clean_email_text`` on Arrow text: the kernels pandas' Arrow-backed strings run,
    called directly (the same on pandas 2.2's object columns)."""
    text = pc.utf8_lower(pc.utf8_trim_whitespace(text))
    if pc.any(pc.starts_with(text, "mailto:")).as_py():  # rare: a regex pass is not
        text = pc.replace_substring_regex(text, "^mailto:", "")
    return pc.utf8_trim(text, "<>\"' ")


def validate_address(text: str) -> str:
    """The normalized address if email-validator accepts its syntax (no DNS), else "".

    The first address of the text: what is typed around it (a name, brackets, a sentence's
    full stop, spaces beside the ``@``, invisible characters) is left out. A plain address
    (``PLAIN_EMAIL``) is never changed by this: it has no such characters."""
    text = _AROUND_AT.sub("@", text.translate(_INVISIBLE)) if text else ""
    for part in _EMAIL_SPLIT.split(text) if text else ():
        part = part.strip(_ENCLOSING).rstrip(".")  # and a sentence's full stop
        if "@" not in part:
            continue
        try:
            result = validate_email(part, check_deliverability=False, allow_smtputf8=True)
        except EmailNotValidError:
            continue
        return str(result.normalized).lower()
    return ""


def extra_emails(raw: pd.Series, chosen: pd.Series) -> pd.Series:
    """The further valid addresses of each e-mail cell (``ivan@mail.ru, i.petrov@corp.ru``,
    as CRM exports write a contact's addresses), ``;``-joined, the lead's ``chosen`` one
    left out; "" for every other cell. Only cells with two "@" or more are read, once per
    distinct (cell, chosen)."""
    text = to_arrow(raw)
    out = pa.repeat(pa.scalar("", TEXT), len(text))
    several = np.asarray(pc.count_substring(text, "@").to_numpy(zero_copy_only=False)) >= 2
    rows = np.flatnonzero(several)
    if not rows.size:
        return from_arrow(out, raw.index)
    pairs = pd.Series(
        list(zip(raw.iloc[rows].tolist(), chosen.iloc[rows].tolist(), strict=True)), dtype=object
    )
    found = per_distinct(pairs, _other_addresses)
    out = pc.replace_with_mask(out, pa.array(several), to_arrow(found.astype("str")))
    return from_arrow(out, raw.index)


def _other_addresses(pair: tuple[str, str]) -> str:
    text, chosen = pair
    found = [validate_address(part) for part in _EMAIL_SPLIT.split(text) if "@" in part]
    return ";".join(a for a in dict.fromkeys(found) if a and a != chosen)


# Typing slips and spam-shy spellings an address is read through when it is invalid as
# typed: "ivan@mail,ru", "ivan@gmail..com", "ivan@gmail.com/", "ivan @ gmail . com",
# "ivan@@mail.ru", "ivan[at]gmail[dot]com", "ivan (собака) mail.ru".
_AT_WORD = re.compile(r"\s*(?:\[at\]|\(at\)|\{at\}|\s(?:at|собака)\s|\(собака\))\s*", re.IGNORECASE)
_DOT_WORD = re.compile(r"\s*(?:\[dot\]|\(dot\)|\{dot\}|\s(?:dot|точка)\s)\s*", re.IGNORECASE)


def repair_email(text: str) -> str:
    """The address meant by an e-mail that is invalid as typed, when it is one slip or
    spelling away (those above, in the domain only: a local part is never guessed) and
    then valid as ``validate_address`` sees it; else "". Asked only about what did not
    validate as typed."""
    if not text or len(text) > 320:
        return ""
    typed = text
    text = _AT_WORD.sub("@", _DOT_WORD.sub(".", text.translate(_INVISIBLE).strip()))
    text = re.sub(r"@{2,}", "@", _AROUND_AT.sub("@", text))
    if text.count("@") != 1:
        return ""
    local, domain = text.split("@")
    domain = re.sub(r"\s*[.,]\s*", ".", domain.strip())  # "mail,ru", "gmail . com"
    domain = re.sub(r"\.{2,}", ".", domain).strip("./\\,;:")
    local = local.strip().rsplit(None, 1)[-1] if local.strip() else ""  # "Ivan ivan@…"
    repaired = f"{local}@{domain}"
    if not local or not domain or any(c.isspace() for c in domain) or repaired == typed:
        return ""  # (as typed, it is invalid already)
    return validate_address(repaired)


# Plain ASCII addresses that email-validator accepts exactly as written (checked against it by
# tests/test_email_fast_path.py): a dot-atom local part, LDH domain labels without "--" (no
# IDNA), an alphabetic TLD, no special-use domain. Everything else goes to email-validator.
_ATOM = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
# (A local part of at most 64 characters is checked apart: a lookahead here would send the
# match to Python's re, one call per address.)
PLAIN_EMAIL = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+[a-z]{{2,63}}")
# The domain checks, spelled on the whole address: a plain address has exactly one "@", so
# its domain is what follows it (no copy of every domain is made).
_DOMAIN_DASHES = r"@.*--"
_SPECIAL_USE = r"[@.](?:arpa|invalid|local|localhost|onion|test)$"
_NOT_PLAIN_DOMAIN = re.compile(f"{_DOMAIN_DASHES}|{_SPECIAL_USE}")  # one pass for both


def plain_email(series: pd.Series) -> pd.Series:
    """Vectorized: True where email-validator is known to accept the address unchanged."""
    return pd.Series(_plain_email_mask(to_arrow(series)), index=series.index)


def _plain_email_mask(text: pa.Array) -> np.ndarray:
    """``plain_email`` on Arrow text, with Arrow's kernels called directly: pandas' string
    methods would first scan the column for non-ASCII text (its ``find`` then runs Python's
    per cell) and for line breaks (which change what ``$`` means to Python's ``re``); here
    the addresses are trimmed and the pattern matches ASCII only. Lengths and the ``@``'s
    place are counted in bytes, which are characters wherever the pattern matched."""
    plain = matches(text, f"^(?:{PLAIN_EMAIL.pattern})$")
    if not plain.any():
        return plain
    length = np.diff(cell_offsets(text))
    at = pc.fill_null(pc.find_substring(text, "@"), -1).to_numpy()
    # (A domain of at most 253 characters follows: at most 254 in all, one before the @.)
    return (
        plain & (at >= 1) & (at <= 64) & (length <= 254) & ~matches(text, _NOT_PLAIN_DOMAIN.pattern)
    )


def normalize_emails(series: pd.Series, jobs: int = 1) -> pd.Series:
    """Cleaned, validated e-mail per row ("" when none or invalid).

    Plain addresses pass a vectorized check that provably agrees with email-validator; only
    the rest (unusual characters, IDN, lists, invalid ones) are validated one distinct value
    at a time.
    """
    text = _clean_email_arrow(to_arrow(series))
    fast = _plain_email_mask(text)
    out = pc.if_else(pa.array(fast), text, pa.scalar("", TEXT))
    slow = ~fast & mask(pc.not_equal(text, ""))
    if slow.any():
        rest = from_arrow(text.filter(pa.array(slow)))
        checked = to_arrow(per_distinct(rest, validate_address, jobs))
        out = pc.replace_with_mask(out, pa.array(slow), checked)
    return from_arrow(out, series.index)


# --------------------------------------------------------------------------- names

_PATRONYMIC_ENDINGS = "вич|вна|ична|оглы|кызы"
_PATRONYMIC = re.compile(f"({_PATRONYMIC_ENDINGS})$", re.IGNORECASE)


_NAME_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE))


def _tidy_name(text: str) -> str:
    text = " ".join(text.translate(_NAME_INVISIBLE).split()).strip(" ,.;")
    # Meta's "<test lead: dummy data …>" stays as is, and so does an address (no name's case)
    if not text or text.startswith("<") or "@" in text:
        return text
    # One case throughout its letters (the checks stop at the first letter of the other
    # case: most names are mixed and decided in a few characters).
    upper = all(c.isupper() for c in text if c.isalpha())
    lower = not upper and all(c.islower() for c in text if c.isalpha())
    if (upper or lower) and any(c.isalpha() for c in text):
        return text.title()
    # A word in capitals among others ("ИВАНОВ Иван", "Anna LEE": a surname typed as a
    # passport or a form's hint writes it): it and the all-lower words are title-cased.
    words = text.split(" ")
    if any(_in_capitals(w) for w in words):
        text = " ".join(w.title() if _in_capitals(w) or _in_lower(w) else w for w in words)
    return text


def _in_capitals(word: str) -> bool:
    """All its letters capitals, two of them in a row (as ``_UNTIDY`` finds it: "J.R." and
    "Ё1Ё" are initials and codes, not words), and not a Roman numeral ("III": a suffix)."""
    capital = [c.isalpha() and c.isupper() for c in word]
    return (
        all(up for up, c in zip(capital, word, strict=True) if c.isalpha())
        and any(a and b for a, b in pairwise(capital))
        and not _ROMAN.fullmatch(word)
    )


def _in_lower(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return bool(letters) and all(c.islower() for c in letters)


_ROMAN = re.compile(r"[IVXLCDM]+\.?")


def normalize_names(series: pd.Series) -> pd.Series:
    """Whitespace folded; ALL-CAPS and all-lower names title-cased, and a word in capitals
    among others with the all-lower ones ("ИВАНОВ иван"); mixed case kept."""
    return _tidied(series, split=False)[0]


# A woman's patronymic ("Мария Ивановна"); a man's ("Петрович") is also a surname (Абрамович).
_FEMALE_PATRONYMIC = "(?i:вна|ична|кызы)$"
_REMARK = re.compile(r"\([^()]*\)")  # "Иван (менеджер)"


@cache
def _titles() -> str:
    """The titles of ``data/names.yml`` as one alternation (for ``re`` and RE2 alike)."""
    return "|".join(re.escape(str(w)) for w in load_yaml_data("names.yml")["honorifics"])


@cache
def _honorific() -> re.Pattern[str]:
    return re.compile(f"(?i:{_titles()})\\.?")


def _split_name(text: str) -> tuple[str, str]:
    """(first name, last name) of a full name: "First Last…", or as Russian, Romanian and
    CRM exports also write them — "Фамилия Имя Отчество", "Имя Отчество Фамилия", "Мария
    Ивановна" (no surname), "Smith, John" (surname first) — without titles ("Mr.", "г-н":
    ``data/names.yml``), patronymics or remarks in brackets."""
    if text.startswith("<"):
        return (text, "")
    words = _REMARK.sub(" ", text).split() if "(" in text else text.split()
    if "," in text:
        before, _, after = " ".join(words).partition(",")
        if before.strip() and after.strip() and "," not in after:  # "Surname, First"
            first = _untitled(after.split())
            if len(first) == 2 and _PATRONYMIC.search(first[1]):
                first = first[:1]
            return (" ".join(first), " ".join(_untitled(before.split())))
        words = " ".join(words).replace(",", " ").split()
    titled, words = words, _untitled(words)
    if len(words) == 1 and len(titled) == 2:
        return ("", words[0])  # "Mr Smith", "г-жа Петрова": a title goes with the surname
    if len(words) < 2:
        return (words[0] if words else text, "")
    if len(words) == 3 and _PATRONYMIC.search(words[2]):
        return (words[1], words[0])  # Фамилия Имя Отчество
    if len(words) == 3 and _PATRONYMIC.search(words[1]):
        return (words[0], words[2])  # Имя Отчество Фамилия
    if len(words) == 2 and re.search(_FEMALE_PATRONYMIC, words[1]):
        return (words[0], "")  # Имя Отчество
    if len(words) == 2 and _surname_first(words[0], words[1]):
        return (words[1], words[0])  # Фамилия Имя
    return (words[0], " ".join(words[1:]))


@cache
def _surname_words() -> tuple[re.Pattern[str], frozenset[str], str]:
    """(a word ending as a surname does, first names that end so, an RE2 prefilter for
    two-word names whose first word ends so): ``data/names.yml``."""
    doc = load_yaml_data("names.yml")
    endings = "|".join(sorted(map(re.escape, doc["surname_endings"]), key=len, reverse=True))
    word = re.compile(f"(?i:[^\\W\\d_][\\w'’-]*[^\\W\\d_](?:{endings}))")
    firsts = frozenset(str(n).casefold() for n in doc["first_names_ending_as_surnames"])
    # A prefilter, the letters left to ``_surname_first``: Arrow compiles a pattern at each
    # call, and one of Unicode letter classes with case folding took 4.5 ms, this 0.4 ms.
    spaced = f"^[^ ]{{2,}}(?i:{endings}) [^ ]+$"
    return word, firsts, spaced


_NAME_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def _surname_first(word: str, then: str) -> bool:
    """Whether a two-word name is written surname first ("Иванов Иван", "Popescu Ion"): the
    first word ends as a surname does and is no first name that ends so, the second is a
    name's word that does not (nor a patronymic: "Петров Иванович" is left as written)."""
    surname, firsts, _ = _surname_words()
    return (
        surname.fullmatch(word) is not None
        and word.casefold() not in firsts
        and _NAME_WORD.fullmatch(then) is not None
        and surname.fullmatch(then) is None
        and not _PATRONYMIC.search(then)
    )


def _untitled(words: list[str]) -> list[str]:
    """The words without a title before the name ("Mr.", "Dr", "г-н")."""
    return words[1:] if len(words) > 1 and _honorific().fullmatch(words[0]) else words


def name_or_parts(name: pd.Series, first: pd.Series, last: pd.Series) -> pd.Series:
    """The name, else "first last" where it is empty. The parts are joined only for the rows
    that need them: most exports give a full name."""
    unnamed = (name == "").to_numpy(dtype=bool)
    if not unnamed.any():
        return name
    joined = to_arrow((first[unnamed] + " " + last[unnamed]).str.strip())
    return from_arrow(pc.replace_with_mask(to_arrow(name), pa.array(unnamed), joined), name.index)


def _tidy_and_split(text: str) -> tuple[str, str, str]:
    name = _tidy_name(text)
    return (name, *_split_name(name))


def normalize_full_names(names: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(tidy name, first name, last name) of each full name, from one pass over the distinct
    names: ``normalize_names`` and ``split_full_names`` of its result, without numbering the
    names twice. Names already tidy (``_tidy_already``: most of them, "Ivan Petrov") are
    split by Arrow; only the rest go through ``_tidy_and_split`` one by one."""
    name, first, last = _tidied(names, split=True)
    return name, first, last


def _tidied(names: pd.Series, split: bool) -> list[pd.Series]:
    """The tidy names, and with ``split`` their first and last names (see
    ``normalize_full_names``)."""
    text = names.fillna("").astype(str)
    codes, uniques = pd.factorize(text, use_na_sentinel=False)
    distinct = to_arrow(pd.Series(uniques, dtype=text.dtype))
    tidy = _tidy_already(distinct)
    fields = [distinct]
    if split:
        first, last, by_python = _split_spaced(distinct)
        tidy &= ~by_python
        fields += [first, last]
    if not tidy.all():
        rest = distinct.filter(pa.array(~tidy)).to_numpy(zero_copy_only=False).tolist()
        done = [_tidy_and_split(value) if split else (_tidy_name(value),) for value in rest]
        untidy = pa.array(~tidy)
        fields = [
            pc.replace_with_mask(field, untidy, pa.array([d[k] for d in done], TEXT))
            for k, field in enumerate(fields)
        ]
    rows = pa.array(codes)
    return [from_arrow(field.take(rows), text.index) for field in fields]


# What keeps a name from being tidy as it is: whitespace other than single spaces or an
# invisible character, a space, comma, dot or semicolon at either end (``_tidy_name`` strips
# them), "<" first, or two capitals in a row (a word in capitals, maybe).
_UNTIDY = (
    "["
    + "".join(f"\\x{{{ord(c):x}}}" for c in SPACE + INVISIBLE if c != " ")
    + "]|  |^[ ,.;<]|[ ,.;]$|\\p{Lu}\\p{Lu}"
)


def _tidy_already(names: pa.Array) -> np.ndarray:
    """Which names ``_tidy_name`` leaves as they are, told by Arrow's RE2 on all at once: no
    ``_UNTIDY`` piece, and both a lowercase and an uppercase letter of the Latin or Russian
    alphabet (then its letters are neither all upper- nor all lowercase, and the case is
    kept). Conservative: other tidy names are simply tidied by ``_tidy_name``."""
    lower, upper = matches(names, "[a-zа-яё]"), matches(names, "[A-ZА-ЯЁ]")
    return lower & upper & ~matches(names, _UNTIDY)


def _split_spaced(names: pa.Array) -> tuple[pa.Array, pa.Array, np.ndarray]:
    """``_split_name`` of names whose only whitespace is single spaces between words, by
    Arrow: first word and the rest, or by a patronymic's place ("Иванов Иван Иванович",
    "Иван Иванович Иванов", "Мария Ивановна"), or surname first ("Иванов Иван"); and which
    names are left to ``_split_name`` (a comma, bracket or title: few)."""
    first, last, by_python = _split_by_patronymic(names)
    _, _, spaced = _surname_words()
    rows = np.flatnonzero(matches(names, spaced) & ~by_python)
    if not rows.size:
        return first, last, by_python
    # The few two-word names whose first word ends as a surname: decided one by one.
    pairs = [name.split(" ") for name in names.take(pa.array(rows)).to_pylist()]
    hit = np.array([_surname_first(a, b) for a, b in pairs], dtype=bool)
    if hit.any():
        where = np.zeros(len(names), dtype=bool)
        where[rows[hit]] = True
        swapped = [pairs[i] for i in np.flatnonzero(hit)]
        firsts = pa.array([b for _, b in swapped], TEXT)
        first = pc.replace_with_mask(first, pa.array(where), firsts)
        last = pc.replace_with_mask(last, pa.array(where), pa.array([a for a, _ in swapped], TEXT))
    return first, last, by_python


def _split_by_patronymic(names: pa.Array) -> tuple[pa.Array, pa.Array, np.ndarray]:
    """``_split_spaced`` but for surnames first. One pass over all names finds the names
    ``_split_name`` is left and the names with a word ending as a patronymic does; only
    they are looked at again."""
    halves = pc.split_pattern(names, " ", max_splits=1)
    first = pc.list_element(halves, 0)
    last = pc.binary_join(pc.list_slice(halves, 1), pa.scalar(" ", TEXT))
    by_python = np.zeros(len(names), dtype=bool)
    patterns = _split_patterns()
    special = np.flatnonzero(matches(names, patterns["any"]))
    if not special.size:
        return first, last, by_python
    routed = matches(names.take(pa.array(special)), patterns["python"])
    by_python[special[routed]] = True
    maybe = special[~routed]
    words = pc.split_pattern(names.take(pa.array(maybe)), " ", max_splits=3)
    count = pc.list_value_length(words).to_numpy(zero_copy_only=False)
    for size, rules in ((3, ((2, 1, 0), (1, 0, 2))), (2, ((1, 0, None),))):
        rows = np.flatnonzero(count == size)
        if not rows.size:
            continue
        some = words.take(pa.array(rows))
        left = np.ones(len(rows), dtype=bool)
        for at, first_at, last_at in rules:  # the patronymic's place, and what it makes
            word = pc.list_element(some, at)
            hit = left & mask(pc.match_substring_regex(word, patterns[f"patronymic{size}"]))
            if not hit.any():
                continue
            left &= ~hit
            where = np.zeros(len(names), dtype=bool)
            where[maybe[rows[hit]]] = True
            picked = some.filter(pa.array(hit))
            firsts = pc.list_element(picked, first_at)
            lasts = pa.repeat(pa.scalar("", TEXT), len(firsts))
            if last_at is not None:
                lasts = pc.list_element(picked, last_at)
            first = pc.replace_with_mask(first, pa.array(where), firsts)
            last = pc.replace_with_mask(last, pa.array(where), lasts)
    return first, last, by_python


@cache
def _split_patterns() -> dict[str, str]:
    """RE2 patterns of ``_split_spaced``: names ``_split_name`` splits itself (a comma or
    bracket, or a title first: ``_honorific``), any patronymic-like word, and the
    patronymics that decide a three- and a two-word name's order."""
    python = f"[,(]|^(?i:{_titles()})\\.? "
    ending = f"(?i:{_PATRONYMIC_ENDINGS})"
    return {
        "python": python,
        "any": f"{python}|{ending}(?: |$)",
        "patronymic3": f"{ending}$",
        "patronymic2": _FEMALE_PATRONYMIC,
    }


def split_full_names(names: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Full name -> (first, last); Russian "Фамилия Имя Отчество" recognized by the patronymic."""
    first, last = per_distinct_fields(names, _split_name, 2)
    return first, last


_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "y",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "",
            "y",
            "",
            "e",
            "yu",
            "ya",
            "i",
            "yi",
            "ye",
            "g",
        ],
        strict=True,
    )
)


def transliterate(text: str) -> str:
    """Lowercase Cyrillic to Latin as Russian passports spell it ("Пётр Щукин" -> "petr
    shchukin"), so "Дмитрий" and "Dmitriy" compare as near-equal strings; Latin letters
    without their diacritics ("Ștefan", "Ştefan" -> "stefan"), as people type names on a
    keyboard without them and Romanian keyboards differ on s and t."""
    return text.casefold().translate(_TRANSLIT_TABLE)


def _latin_folds() -> dict[int, str]:
    """Lowercase Latin letters with diacritics (Latin-1 Supplement, Latin Extended-A and -B)
    as the letters without them — what their Unicode decomposition leaves (ș ş → s, ă â →
    a, é → e), or for the few that have none, the letters they are written as (ł → l,
    ø → o, đ → d, æ → ae, œ → oe, þ → th)."""
    folds = {}
    for code in range(0xC0, 0x250):
        letter = chr(code)
        if not letter.isalpha() or letter != letter.casefold():
            continue
        bare = "".join(
            c for c in unicodedata.normalize("NFKD", letter) if not unicodedata.combining(c)
        )
        if bare != letter and bare.isascii() and bare.isalpha():
            folds[code] = bare
    written = {"ł": "l", "ø": "o", "đ": "d", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d", "ı": "i"}
    folds.update({ord(letter): bare for letter, bare in written.items()})
    return folds


_TRANSLIT_TABLE = {**_latin_folds(), **{ord(letter): latin for letter, latin in _TRANSLIT.items()}}


# --------------------------------------------------------------------------- dates

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}")
# An offset after a time: "Z", "+03:00", "+0300", or "+03" as PostgreSQL writes it.
_ISO_TZ = re.compile(r"\d:\d{2}(?::\d{2})?(?:[.,]\d+)?\s?(?:Z|[+-]\d{2}(?::?\d{2})?)$")
_DMY = re.compile(
    r"^(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{2,4})"
    r"(?:[ T,]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?(?:\.\d+)?\s*(?P<ampm>[AaPp][Mm])?)?$"
)
_SERIAL = re.compile(r"^\d{5}(?:[.,]\d+)?$")  # a decimal comma too: a Russian Excel's
_SPELLED = (re.compile(r"[A-Za-z]{3}"), re.compile(r"\d"))  # "Nov 5, 2026": both must be found
# The same patterns for Arrow's RE2, which runs them on the ASCII values. On ASCII text they
# mean what Python's re means: \d is [0-9], \s is the ASCII whitespace Python's \s takes
# (\x1c-\x1f included), and Python's $ also matches before a final newline. RE2 has no
# backreferences, so _DMY's second separator is captured and compared afterwards. Values
# with other characters (Arabic-Indic digits, Unicode spaces) go to Python's re.
_ISO_RE2 = "^[0-9]{4}-[0-9]{2}-[0-9]{2}"
_ISO_TZ_RE2 = (
    "[0-9]:[0-9]{2}(?::[0-9]{2})?(?:[.,][0-9]+)?[\t\n\v\f\r ]?(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)\n?$"
)
_DMY_RE2 = (
    r"^(?P<a>[0-9]{1,2})(?P<sep>[./-])(?P<b>[0-9]{1,2})(?P<sep2>[./-])(?P<y>[0-9]{2,4})"
    r"(?:[ T,]+(?P<H>[0-9]{1,2}):(?P<M>[0-9]{2})(?::(?P<S>[0-9]{2}))?(?:\.[0-9]+)?"
    r"[ \t\n\v\f\r\x1c-\x1f]*(?P<ampm>[AaPp][Mm])?)?\n?$"
)
_SERIAL_RE2 = "^[0-9]{5}(?:[.,][0-9]+)?\n?$"
_SPELLED_RE2 = ("[A-Za-z]{3}", "[0-9]")
MONTH_FIRST_REGIONS = frozenset({"US", "CA", "PH"})
# Times pandas can hold (nanoseconds since 1970 in 64 bits): what every stage reads back.
_NS_MIN, _NS_MAX = pd.Timestamp.min.value, pd.Timestamp.max.value


def normalize_dates(
    series: pd.Series, timezone: str = "UTC", region: str | None = None
) -> tuple[pd.Series, pd.Series]:
    """Dates to ISO-8601 UTC strings; returns (iso, failed mask).

    Understands ISO (with or without offset, with or without separators),
    ``DD.MM.YYYY[ HH:MM[:SS]]`` and slash dates (day or month first decided per column from
    the values, then the region), the year first with slashes or dots, Excel serial
    numbers, Unix times and spelled-out dates.
    Naive times are taken in ``timezone``. A date that does not exist (31.02, 25:00) or
    lies outside the years pandas can hold (1677–2262: the ``0001-01-01`` placeholder of 1C
    and .NET exports) is failed, not a crash.

    Each distinct value is parsed once, and the patterns run on Arrow's regex engine: a
    column of a million times to the second has nearly as many distinct values as rows.
    """
    text = series.fillna("").astype(str).str.strip()
    codes, uniques = pd.factorize(text, use_na_sentinel=False)
    values = to_arrow(pd.Series(uniques))
    found = _Found(len(values))
    filled = mask(pc.not_equal(values, ""))
    for parse in (*_DIGIT_PARSERS, _parse_worded, *_PARSERS[len(_DIGIT_PARSERS) :]):
        rows = np.flatnonzero(filled & ~found.done)
        if not rows.size:
            break
        parse(values.take(pa.array(rows)), rows, found, timezone, region)
    iso = pc.if_else(pa.array(found.done), iso_seconds(found.seconds), pa.scalar("", TEXT))
    out = from_arrow(iso.take(pa.array(codes)), text.index)
    failed = pd.Series((filled & ~found.done)[codes], index=text.index)
    return out, failed


def _parse_worded(
    values: pa.Array, rows: np.ndarray, found: _Found, timezone: str, region: str | None
) -> None:
    """Dates with a time zone in words or a word before the time, read by the other parsers
    once the words are out: "Mon Nov 23 2026 10:00:00 GMT+0300 (Moscow Standard Time)"
    (JavaScript's way), "23.11.2026 10:00 МСК", "… UTC+3", "23.11.2026 в 10:00". pandas'
    parser reads "GMT+3" the POSIX way, three hours *behind* UTC — six hours off what every
    form means — and knows no "МСК"; a date left to it with a zone in words was wrong or
    unread. The zone's offset is taken off the time read (``data/months.yml``: zones)."""
    zones, at_words = _date_words()
    picked = np.flatnonzero(mask(pc.match_substring_regex(values, _worded_pick())))
    if not picked.size:
        return
    text = pc.replace_substring_regex(
        values.take(pa.array(picked)),
        rf"(?i)(\d)[\s,]+(?:{at_words})\s+(\d{{1,2}}[:.]\d\d)",
        r"\1 \2",
    )
    parts = pc.extract_regex(text, _zone_pattern())
    zoned = mask(pc.is_valid(parts))
    offset = np.zeros(len(text), dtype=np.int64)
    if zoned.any():
        offset[zoned] = _zone_offsets(parts.filter(pa.array(zoned)), zones)
        body = pc.struct_field(parts.filter(pa.array(zoned)), "body")
        text = pc.replace_with_mask(text, pa.array(zoned), body)
    inner = _Found(len(text))
    for zone_given in (True, False):
        want = zoned if zone_given else ~zoned
        for parse in _PARSERS:
            todo = np.flatnonzero(want & ~inner.done)
            if not todo.size:
                break
            parse(text.take(pa.array(todo)), todo, inner, "UTC" if zone_given else timezone, region)
    done = inner.done
    found.seconds[rows[picked[done]]] = inner.seconds[done] - offset[done]
    found.done[rows[picked[done]]] = True


def _zone_offsets(parts: pa.StructArray, zones: dict[str, int]) -> np.ndarray:
    """Seconds east of UTC of each matched zone: ``GMT±H[H][[:]MM]`` as written, an
    abbreviation from the table, "МСК+2" the abbreviation's plus the hours after it."""

    def number(name: str) -> np.ndarray:
        field = pc.struct_field(parts, name)
        field = pc.if_else(pc.equal(field, ""), "0", field)
        return np.asarray(pc.cast(field, pa.int64()).to_numpy(zero_copy_only=False))

    def sign(name: str) -> np.ndarray:
        return np.where(mask(pc.equal(pc.struct_field(parts, name), "-")), -1, 1)

    written = sign("sign") * (number("hh") * 3600 + number("mm") * 60)
    abbreviation = pc.utf8_upper(pc.struct_field(parts, "abbr"))
    names = pa.array(list(zones), TEXT)
    index = np.asarray(pc.index_in(abbreviation, value_set=names).to_numpy(zero_copy_only=False))
    named = ~np.isnan(index.astype(float))
    table = np.array(list(zones.values()), dtype=np.int64) * 3600
    relative = sign("rsign") * number("rel") * 3600
    out = written.copy()
    out[named] = table[index[named].astype(np.int64)] + relative[named]
    return out


@cache
def _date_words() -> tuple[dict[str, int], str]:
    """(zone abbreviation, upper-cased -> hours east of UTC; the words before a time as an
    RE2 alternation), from months.yml."""
    doc = load_yaml_data("months.yml")
    zones = {str(k).upper(): int(v) for k, v in doc["zones"].items()}
    words = sorted((str(w) for w in doc["at_words"]), key=len, reverse=True)
    return zones, "|".join(re.escape(w).replace("\\ ", "\\s+") for w in words)


@cache
def _zone_pattern() -> str:
    """RE2 with groups: the date (body), then a zone — GMT/UTC with an offset (sign, hh,
    mm) or an abbreviation (abbr) and hours after it (rsign, rel) — maybe in brackets,
    maybe followed by the zone's name in brackets (JavaScript's "(Moscow Standard Time)")."""
    zones, _ = _date_words()
    abbreviations = "|".join(sorted(zones, key=len, reverse=True))
    return (
        r"(?i)^(?P<body>.*?)[\s,]*\(?\s*(?:(?:GMT|UTC)\s*(?P<sign>[+-])\s*(?P<hh>\d{1,2})"
        rf"(?::?(?P<mm>\d{{2}}))?|(?P<abbr>{abbreviations})(?:\s*(?P<rsign>[+-])\s*"
        r"(?P<rel>\d{1,2}))?)\s*\)?(?:\s*\([^)]*\))?\s*$"
    )


@cache
def _worded_pick() -> str:
    """RE2: a zone word after a digit (or after "AM" / "PM"), or a word between a date and
    its time."""
    zones, at_words = _date_words()
    abbreviations = "|".join(sorted(zones, key=len, reverse=True))
    return (
        rf"(?i)\d(?:\s*[ap]\.?m\.?)?[\s,]*\(?\s*(?:GMT|UTC|{abbreviations})(?:$|[^\pL\pN])"
        rf"|\d[\s,]+(?:{at_words})\s+\d{{1,2}}[:.]\d\d"
    )


def parse_stamps(text: pd.Series) -> pd.Series:
    """Times of a column of leadtool's own files (canonical ISO, UTC) as timestamps; NaT
    where blank or unreadable. Every stage reads ``created_at`` this way; a column that is
    all canonical (``YYYY-MM-DDTHH:MM:SSZ`` or blank), as leadtool writes it, is read from
    its bytes with numpy, several times faster than pandas' parser and with the same result
    (tests/test_normalize.py checks both on random text); anything else goes to pandas."""
    fast = canonical_stamps(text)
    if fast is not None:
        return fast
    with warnings.catch_warnings():  # a hand-edited cell: unreadable is NaT, not a warning
        warnings.filterwarnings("ignore", "Could not infer format", UserWarning)
        return pd.to_datetime(text.replace("", None), utc=True, errors="coerce")


_STAMP = np.frombuffer(b"0000-00-00T00:00:00Z", dtype=np.uint8)
_STAMP_DIGITS = np.array([0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18])
_STAMP_MARKS = np.array([4, 7, 10, 13, 16, 19])  # - - T : : Z
_NAT = np.iinfo(np.int64).min
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])  # month 0: none


def iso_seconds(seconds: np.ndarray) -> pa.Array:
    """``YYYY-MM-DDTHH:MM:SSZ`` for each count of seconds since 1970-01-01 UTC (years 1 to
    9999), as Arrow text: canonical_stamps the other way round. The bytes are written by
    numpy — the civil date from the day number by Howard Hinnant's ``civil_from_days`` — in
    a few whole-array passes, several times faster than formatting datetimes (the same text
    as numpy's ``datetime_as_string``; tests/test_normalize.py compares them)."""
    days, rest = np.divmod(np.asarray(seconds, dtype=np.int64), 86400)
    hour, rest = np.divmod(rest, 3600)
    minute, second = np.divmod(rest, 60)
    year, month, day = _civil_from_days(days)
    text = np.empty((len(days), len(_STAMP)), dtype=np.uint8)
    text[:] = _STAMP
    for column, value in (
        (0, year // 100),
        (2, year % 100),
        (5, month),
        (8, day),
        (11, hour),
        (14, minute),
        (17, second),
    ):
        tens, ones = np.divmod(value.astype(np.uint8), np.uint8(10))
        text[:, column] += tens
        text[:, column + 1] += ones
    offsets = np.arange(0, (len(days) + 1) * len(_STAMP), len(_STAMP), dtype=np.int64)
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(text)]
    return pa.Array.from_buffers(TEXT, len(days), buffers)


def canonical_stamps(text: pd.Series) -> pd.Series | None:
    """``parse_stamps`` for a column whose cells are all blank or canonical stamps of a real
    date and time within pandas' nanosecond range; None for any other column (the caller
    then parses it its own way)."""
    values = to_arrow(text)
    stamps = _STAMPS.get(values, lambda: _canonical_stamp_array(values))
    return None if stamps is None else pd.Series(stamps, index=text.index)


# Every stage reads created_at, and in a run they read the same text: it is parsed once.
_STAMPS: SameText[Any] = SameText(2)


def _canonical_stamp_array(values: pa.Array) -> Any:
    """``canonical_stamps`` of Arrow text, as pandas' array of UTC times (shared: not to be
    changed)."""
    offsets = cell_offsets(values)
    lengths = np.diff(offsets)
    filled = lengths == len(_STAMP)
    if not len(values) or not (filled | (lengths == 0)).all() or not filled.any():
        return None
    # Cells of one width and blanks: the stamps lie back to back, one row of bytes each.
    data = data_bytes(values)[offsets[0] : offsets[-1]]
    cells = data.reshape(-1, len(_STAMP))
    digits = cells[:, _STAMP_DIGITS] - np.uint8(ord("0"))  # a non-digit wraps past 9
    if (cells[:, _STAMP_MARKS] != _STAMP[_STAMP_MARKS]).any() or (digits > 9).any():
        return None
    pairs = digits[:, 0::2].astype(np.int32) * 10 + digits[:, 1::2]
    year, month, day = pairs[:, 0] * 100 + pairs[:, 1], pairs[:, 2], pairs[:, 3]
    hour, minute, second = pairs[:, 4], pairs[:, 5], pairs[:, 6]
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = _MONTH_DAYS[np.minimum(month, 12)] + (leap & (month == 2))
    real = (
        (year >= 1678)
        & (year <= 2261)
        & (month >= 1)
        & (month <= 12)
        & (day >= 1)
        & (day <= month_days)
        & (hour < 24)
        & (minute < 60)
        & (second < 60)
    )
    if not real.all():
        return None
    seconds = np.full(len(values), _NAT, dtype=np.int64)
    days = _days_since_epoch(year, month, day).astype(np.int64)
    seconds[filled] = days * 86400 + (hour * 3600 + minute * 60 + second)
    unit = np.datetime_data(_stamp_dtype().base)[0]  # pandas 3 reads ISO text as "us", 2.2 "ns"
    stamps = seconds.view("datetime64[s]").astype(f"datetime64[{unit}]")
    return pd.Series(stamps).dt.tz_localize("UTC").array


def _days_since_epoch(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days from 1970-01-01 of proleptic Gregorian dates (H. Hinnant's days_from_civil)."""
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _civil_from_days(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(year, month, day) of days from 1970-01-01: _days_since_epoch the other way round
    (H. Hinnant's civil_from_days)."""
    shifted = days + 719468  # days since 0000-03-01, so that a leap day ends its year
    era = shifted // 146097
    doe = shifted - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    month_index = (5 * doy + 2) // 153  # 0 = March
    day = doy - (153 * month_index + 2) // 5 + 1
    month = np.where(month_index < 10, month_index + 3, month_index - 9)
    return yoe + era * 400 + (month <= 2), month, day


@cache
def _stamp_dtype() -> Any:
    """The dtype pandas gives canonical stamps, which differs between pandas versions."""
    return pd.to_datetime(pd.Series(["2026-01-01T00:00:00Z"]), utc=True).dtype


def _localize(naive: pd.Series, timezone: str) -> pd.Series:
    naive = pd.to_datetime(naive, errors="coerce")
    if timezone.upper() == "UTC":
        return naive.dt.tz_localize("UTC")
    local = naive.dt.tz_localize(
        timezone, ambiguous=np.zeros(len(naive), dtype=bool), nonexistent="shift_forward"
    )
    return local.dt.tz_convert("UTC")


class _Found:
    """The times found so far for a column's distinct values: seconds since 1970 (UTC,
    floored, as strftime shows them) and whether a parser found one."""

    def __init__(self, size: int) -> None:
        self.seconds = np.zeros(size, dtype=np.int64)
        self.done = np.zeros(size, dtype=bool)

    def put(self, rows: np.ndarray, stamps: pd.Series) -> None:
        """The times of ``rows`` (aware or UTC pandas times, NaT where none), those pandas
        can hold; the rest stay for the next parser to try."""
        seconds, held = _utc_seconds(stamps)
        self.seconds[rows[held]] = seconds[held]
        self.done[rows[held]] = True


def _utc_seconds(stamps: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(floored seconds since 1970, held) of aware times: held where a time is present and
    within pandas' nanosecond range — pandas 3 gives 0001-01-01 at a coarser unit, and no
    stage could read it back."""
    if not len(stamps):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
    naive = pd.to_datetime(stamps, utc=True).dt.tz_localize(None).to_numpy()
    unit = np.datetime_data(naive.dtype)[0]
    ticks = naive.view(np.int64)
    per_second = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}[unit]  # pandas' units
    per_ns = 10**9 // per_second
    held = ~np.isnat(naive) & (ticks >= -(-_NS_MIN // per_ns)) & (ticks <= _NS_MAX // per_ns)
    return ticks // per_second, held


def _matches(
    values: pa.Array, pattern: re.Pattern[str], re2: str, search: bool = False
) -> np.ndarray:
    """Where ``pattern`` matches (at the start, or anywhere with ``search``): Arrow's RE2,
    given the same pattern spelled for ASCII, on the ASCII values; Python's re on the
    others (a value at a time, and there are seldom any)."""
    found = mask(pc.match_substring_regex(values, re2))
    other = ~mask(pc.string_is_ascii(values))
    if other.any():
        rows = np.flatnonzero(other)
        test = pattern.search if search else pattern.match
        found[rows] = [bool(test(v)) for v in values.take(pa.array(rows)).to_pylist()]
    return found


def _parse_iso(
    values: pa.Array, rows: np.ndarray, found: _Found, timezone: str, region: str | None
) -> None:
    iso = _matches(values, _ISO, _ISO_RE2)
    if not iso.any():
        return
    values, rows = values.filter(pa.array(iso)), rows[iso]
    with_tz = _matches(values, _ISO_TZ, _ISO_TZ_RE2, search=True)
    for aware in (True, False):
        picked = with_tz if aware else ~with_tz
        if picked.any():
            text = from_arrow(values.filter(pa.array(picked)))
            try:
                stamps = pd.to_datetime(text, format="ISO8601", utc=aware, errors="coerce")
                if not aware and not (
                    isinstance(stamps.dtype, np.dtype) and stamps.dtype.kind == "M"
                ):
                    raise ValueError("an aware time among the naive")  # (pandas 2.2)
            except ValueError:  # an offset of a shape not told above, among naive times
                _put_one_by_one(rows[picked], text.tolist(), found, timezone)
                continue
            found.put(rows[picked], stamps if aware else _localize(stamps, timezone))


def _dmy_fields(values: pa.Array) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Where ``_DMY`` matches, and those values' parts as numbers: a, b, y (a year of two
    digits in this century), H, M, S (0 when absent), slash (the separator is /) and pm (1
    AM, 2 PM, 0 neither). The usual shapes (``DD.MM.YYYY``, with ``HH:MM`` or
    ``HH:MM:SS``) are read from their bytes; the rest by Arrow's RE2 (ASCII values) or
    Python's re (the others)."""
    matched, fields = _dmy_fixed(values)
    rest = np.flatnonzero(~matched)
    if rest.size:
        rest_matched, rest_fields = _dmy_extracted(values.take(pa.array(rest)))
        matched[rest] = rest_matched
        for name, part in rest_fields.items():
            fields[name][rest] = part
    return matched, fields


# DD.MM.YYYY, DD.MM.YYYY HH:MM and DD.MM.YYYY HH:MM:SS (any of _DMY's separators, a space,
# T or comma before the time), by length: the byte positions of each number's digits. The
# separators sit in every other position, so every byte of such a value is checked.
_DMY_SHAPES = {
    10: {"a": (0, 1), "b": (3, 4), "y": (6, 7, 8, 9)},
    16: {"a": (0, 1), "b": (3, 4), "y": (6, 7, 8, 9), "H": (11, 12), "M": (14, 15)},
    19: {"a": (0, 1), "b": (3, 4), "y": (6, 7, 8, 9), "H": (11, 12), "M": (14, 15), "S": (17, 18)},
}


def _dmy_fixed(values: pa.Array) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """``_dmy_fields`` of the values of the usual shapes, from their bytes; the others are
    left unmatched (for the regular expressions)."""
    n = len(values)
    matched = np.zeros(n, dtype=bool)
    fields = {name: np.zeros(n, dtype=np.int64) for name in ("a", "b", "y", "H", "M", "S", "pm")}
    fields["slash"] = np.zeros(n, dtype=bool)
    offsets = cell_offsets(values)
    lengths = np.diff(offsets)
    data = data_bytes(values)
    for width, places in _DMY_SHAPES.items():
        rows = np.flatnonzero(lengths == width)
        if not rows.size:
            continue
        cells = data[offsets[rows][:, None] + np.arange(width)]
        digits = cells - np.uint8(ord("0"))  # a non-digit wraps past 9
        sep = cells[:, 2]
        fits = np.isin(sep, np.frombuffer(b"./-", np.uint8)) & (cells[:, 5] == sep)
        if width > 10:
            fits &= np.isin(cells[:, 10], np.frombuffer(b" T,", np.uint8)) & (cells[:, 13] == 58)
        if width > 16:
            fits &= cells[:, 16] == 58  # ":"
        for at in places.values():
            fits &= (digits[:, list(at)] <= 9).all(axis=1)
        for name, at in places.items():
            number = np.zeros(len(rows), dtype=np.int64)
            for position in at:
                number = number * 10 + digits[:, position]
            fields[name][rows[fits]] = number[fits]
        fields["slash"][rows[fits]] = sep[fits] == ord("/")
        matched[rows[fits]] = True
    return matched, fields


def _dmy_extracted(values: pa.Array) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """``_dmy_fields`` by the regular expressions."""
    parts = pc.extract_regex(values, _DMY_RE2)
    ascii_ = mask(pc.string_is_ascii(values))
    matched = mask(parts.is_valid()) & mask(pc.equal(parts.field("sep"), parts.field("sep2")))
    fields: dict[str, np.ndarray] = {}
    for name in ("a", "b", "y", "H", "M", "S"):
        text = parts.field(name)
        text = pc.if_else(pc.equal(text, ""), pa.scalar("0", text.type), text)
        fields[name] = np.array(pc.cast(pc.fill_null(text, "0"), pa.int64()))  # writable
    two_digit = mask(pc.less_equal(pc.utf8_length(pc.fill_null(parts.field("y"), "")), 2))
    fields["y"] += np.where(two_digit, 2000, 0)  # 26 is 2026; 0026 stays year 26
    fields["slash"] = mask(pc.equal(parts.field("sep"), "/"))
    ampm = pc.ascii_upper(pc.fill_null(parts.field("ampm"), ""))
    fields["pm"] = mask(pc.equal(ampm, "AM")) * 1 + mask(pc.equal(ampm, "PM")) * 2
    for i in np.flatnonzero(~ascii_):
        match = _DMY.match(values[i].as_py())
        matched[i] = match is not None
        if match:
            for name in ("a", "b", "y", "H", "M", "S"):
                fields[name][i] = int(match[name] or 0)
            fields["y"][i] += 2000 if len(match["y"]) <= 2 else 0
            fields["slash"][i] = match["sep"] == "/"
            fields["pm"][i] = {"AM": 1, "PM": 2}.get((match["ampm"] or "").upper(), 0)
    return matched, fields


def _parse_dmy(
    values: pa.Array, rows: np.ndarray, found: _Found, timezone: str, region: str | None
) -> None:
    matched, fields = _dmy_fields(values)
    if not matched.any():
        return
    f = {name: part[matched] for name, part in fields.items()}
    a, b, hour = f["a"], f["b"], f["H"]
    if (a > 12).any():
        month_first = False
    elif (b > 12).any():
        month_first = True
    else:
        month_first = bool(f["slash"].all()) and region in MONTH_FIRST_REGIONS
    day, month = (b, a) if month_first else (a, b)
    year = f["y"]
    hour = np.where((f["pm"] == 2) & (hour < 12), hour + 12, hour)
    hour = np.where((f["pm"] == 1) & (hour == 12), 0, hour)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = _MONTH_DAYS[np.clip(month, 0, 12)] + (leap & (month == 2))
    real = (
        (month >= 1)
        & (month <= 12)
        & (day >= 1)
        & (day <= month_days)
        & (hour < 24)
        & (f["M"] < 60)
        & (f["S"] < 60)
        & (year >= 1677)
        & (year <= 2262)  # wider than pandas' range; _Found.put takes what it can hold
    )
    days = _days_since_epoch(year[real], month[real], day[real]).astype(np.int64)
    seconds = days * 86400 + hour[real] * 3600 + f["M"][real] * 60 + f["S"][real]
    naive = pd.Series(seconds.view("datetime64[s]"))
    found.put(rows[matched][real], _localize(naive, timezone))


# YYYY/MM/DD and YYYY.MM.DD (East Asian and some European locales, and spreadsheets set to
# them), with a time as _DMY takes it, one pattern per separator (RE2 has no backreference).
_YMD_RE2 = tuple(
    f"^([0-9]{{4}}){sep}(0?[1-9]|1[0-2]){sep}([0-9]{{1,2}})"  # (a 13th month is no date)
    r"((?:[ T,]+[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?(?:\.[0-9]+)?)?)\n?$"
    for sep in ("/", "\\.")
)


def _parse_ymd(
    values: pa.Array, rows: np.ndarray, found: _Found, timezone: str, region: str | None
) -> None:
    """``2026/11/23``, ``2026.11.23 10:00``: the year first, then month and day (no locale
    writes the day second), rewritten as ``23.11.2026`` for ``_parse_dmy`` — where dotted
    dates are always read day first."""
    if not pc.any(pc.match_substring_regex(values, "^[0-9]{4}[/.]")).as_py():
        return
    for pattern in _YMD_RE2:
        picked = mask(pc.match_substring_regex(values, pattern))
        if picked.any():
            dotted = pc.replace_substring_regex(
                values.filter(pa.array(picked)), pattern, r"\3.\2.\1\4"
            )
            _parse_dmy(dotted, rows[picked], found, timezone, region)


# ISO 8601's basic format, without separators: "20261123" (Google Analytics' date, BI and
# API exports), "20261123T100000Z", "20261123T1000+0300". Years 1900–2099 and real months
# and days only: a number of eight digits is no date otherwise.
_BASIC_DATE = "(19[0-9]{2}|20[0-9]{2})(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])"
_BASIC_ZONE = "(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?"
_BASIC_RE2 = (
    (f"^{_BASIC_DATE}\n?$", r"\1-\2-\3"),
    (
        f"^{_BASIC_DATE}[T ]([0-9]{{2}})([0-9]{{2}})([0-9]{{2}}(?:[.,][0-9]+)?){_BASIC_ZONE}\n?$",
        r"\1-\2-\3T\4:\5:\6\7",
    ),
    (f"^{_BASIC_DATE}[T ]([0-9]{{2}})([0-9]{{2}}){_BASIC_ZONE}\n?$", r"\1-\2-\3T\4:\5\6"),
)


def _parse_basic(
    values: pa.Array, rows: np.ndarray, found: _Found, timezone: str, region: str | None
) -> None:
    """ISO 8601's basic format (``_BASIC_RE2``), rewritten with its separators for
    ``_parse_iso``."""
    if not pc.any(pc.match_substring_regex(values, "^(?:19|20)[0-9]{6}")).as_py():
        return
    for pattern, extended in _BASIC_RE2:
        picked = mask(pc.match_substring_regex(values, pattern))
        if picked.any():
            iso = pc.replace_substring_regex(values.filter(pa.array(picked)), pattern, extended)
            _parse_iso(iso, rows[picked], found, timezone, region)


# Unix times, as APIs and webhooks give them: seconds (10 digits) or milliseconds (13) from
# 2001-09-09 to 2033-05-18 — no other date a lead export holds is written so.
_EPOCH_RE2 = "^1[0-9]{9}(?:[0-9]{3})?\n?$"


def _parse_epoch(
    values: pa.Array, rows: np.ndarray, found: _Found, timezone: str, region: str | None
) -> None:
    """``1763892000`` or ``1763892000000``: UTC by definition (``timezone`` not applied)."""
    picked = mask(pc.match_substring_regex(values, _EPOCH_RE2))
    if not picked.any():
        return
    number = pc.cast(pc.utf8_trim_whitespace(values.filter(pa.array(picked))), pa.int64())
    ticks = number.to_numpy()
    seconds = np.where(ticks >= 10**12, ticks // 1000, ticks)
    found.put(rows[picked], pd.Series(pd.to_datetime(seconds, unit="s", utc=True)))


def _parse_serial(
    values: pa.Array, rows: np.ndarray, found: _Found, timezone: str, region: str | None
) -> None:
    picked = _matches(values, _SERIAL, _SERIAL_RE2)
    text = pc.replace_substring(values.filter(pa.array(picked)), ",", ".")
    try:
        serial = pc.cast(text, pa.float64()).to_numpy()
    except pa.ArrowInvalid:  # Arabic-Indic or other digits: Python's float reads them
        serial = np.array([float(v) for v in text.to_pylist()], dtype=np.float64)
    in_range = (serial > 20000) & (serial < 80000)
    if not in_range.any():
        return
    days = pd.Series(serial[in_range])
    stamps = pd.Timestamp("1899-12-30") + pd.to_timedelta(days, unit="D")
    found.put(rows[picked][in_range], _localize(stamps.dt.round("s"), timezone))


def _parse_other(
    values: pa.Array, rows: np.ndarray, found: _Found, timezone: str, region: str | None
) -> None:
    """Last resort for spelled-out dates ("Nov 5, 2026 4:05 PM", "05 Nov 2026 16:05"), as
    pandas' own parser reads them. That parser takes a value at a time (about 0.1 ms: a
    minute for a column of 500,000), so the usual spellings are read first by a strptime
    over the whole column each, kept when pandas' parser agrees on a sample of the values;
    the parser itself reads only what none of them does."""
    letters, digit = (
        _matches(values, pattern, re2, search=True)
        for pattern, re2 in zip(_SPELLED, _SPELLED_RE2, strict=True)
    )
    picked = np.flatnonzero(letters & digit)
    text = from_arrow(values.take(pa.array(picked)))
    left = np.ones(len(picked), dtype=bool)
    for spelling in _SPELLINGS:
        todo = np.flatnonzero(left)
        if not todo.size:
            break
        stamps = pd.to_datetime(text.iloc[todo], format=spelling, errors="coerce")
        read = stamps.notna().to_numpy()
        if read.any() and _parser_agrees(text.iloc[todo[read]], stamps[read]):
            found.put(rows[picked[todo[read]]], _localize(stamps[read], timezone))
            left[todo[read]] = False
    _put_one_by_one(rows[picked[left]], text[left].tolist(), found, timezone)


def _put_one_by_one(rows: np.ndarray, texts: list[str], found: _Found, timezone: str) -> None:
    """Each text as pandas' parser reads it, one at a time (0.1 ms each): with an offset as
    it says, without one in ``timezone``."""
    aware: dict[int, pd.Timestamp] = {}
    naive: dict[int, pd.Timestamp] = {}
    for row, value in zip(rows, texts, strict=True):
        try:
            stamp = pd.Timestamp(value)
            if pd.notna(stamp):
                # pandas 2 holds a time past 2262 at a coarser unit, then cannot put it in
                # a column (pandas 3 can, and put() leaves it out): such a time is no time.
                stamp.as_unit("ns")
        except (ValueError, TypeError, OverflowError):  # OutOfBoundsDatetime: a ValueError
            continue
        if pd.notna(stamp):
            (aware if stamp.tzinfo else naive)[row] = stamp
    if aware:
        stamps = pd.Series([s.tz_convert("UTC") for s in aware.values()])
        found.put(np.array(list(aware)), stamps)
    if naive:
        stamps = _localize(pd.Series(list(naive.values())), timezone)
        found.put(np.array(list(naive)), stamps)


def _parse_local_months(
    values: pa.Array, rows: np.ndarray, found: _Found, timezone: str, region: str | None
) -> None:
    """Dates with Russian, Ukrainian or Romanian month names ("23 ноября 2026 г.",
    "понедельник, 23 ноября 2026 10:00", "23 noiembrie 2026"): read as ``_parse_other``
    reads them once their words are English (``english_months``). Only values with a
    Cyrillic letter or a Romanian month's word are looked at, one distinct value at a time."""
    picked = np.flatnonzero(mask(pc.match_substring_regex(values, _local_month_pick())))
    if not picked.size:
        return
    texts = values.take(pa.array(picked)).to_pylist()
    english = [english_months(t) for t in texts]
    changed = np.array([e != t for e, t in zip(english, texts, strict=True)], dtype=bool)
    if changed.any():
        kept = pa.array([e for e, c in zip(english, changed, strict=True) if c], TEXT)
        _parse_other(kept, rows[picked[changed]], found, timezone, region)


def english_months(text: str) -> str:
    """A date's month and weekday words in English, as pandas' parser reads them: "23
    ноября 2026 г. 10:00" → "23 Nov 2026 10:00" (``data/months.yml``); any other text as
    it is."""
    words, months, weekdays = _local_month_words()
    if not words.search(text):
        return text
    text = weekdays.sub("", words.sub(lambda m: months[m.group(1).casefold()], text))
    text = _YEAR_WORD.sub(r"\1", text)
    return " ".join(text.split()).strip(" ,")


# "2026 г.", "2026 года", Ukrainian "2026 р.", "2026 року"
_YEAR_WORD = re.compile(r"(\d{4})\s*(?:года|г|року|р)(?![^\W\d_])\.?")


@cache
def _local_month_words() -> tuple[re.Pattern[str], dict[str, str], re.Pattern[str]]:
    """(month words, each one's English abbreviation, weekday words) of months.yml."""
    doc = load_yaml_data("months.yml")
    months = {str(w).casefold(): str(en) for en, ws in doc["months"].items() for w in ws}
    ordered = sorted(months, key=len, reverse=True)  # "нояб" before "ноя"
    words = re.compile(rf"\b({'|'.join(map(re.escape, ordered))})\b\.?", re.IGNORECASE)
    days = "|".join(map(re.escape, sorted(map(str, doc["weekdays"]), key=len, reverse=True)))
    return words, months, re.compile(rf"\b(?:{days})\b\.?,?", re.IGNORECASE)


@cache
def _local_month_pick() -> str:
    """RE2: a Cyrillic letter, or a Romanian month's word (all of them ASCII)."""
    latin = {str(w) for ws in load_yaml_data("months.yml")["months"].values() for w in ws}
    latin = {w for w in latin if w.isascii()}
    return rf"\p{{Cyrillic}}|(?i)\b(?:{'|'.join(sorted(latin))})\b"


# Spellings of dates with month names, the commonest first: a four-digit year only (a
# two-digit one is a century apart between strptime and pandas' parser), no time zone.
_SPELLINGS = tuple(
    f"{date}{time}"
    for date in ("%b %d, %Y", "%d %b %Y", "%B %d, %Y", "%d %B %Y", "%a, %b %d, %Y", "%A, %B %d, %Y")
    for time in (" %I:%M %p", " %I:%M:%S %p", " %H:%M", " %H:%M:%S", "")
)


def _parser_agrees(text: pd.Series, stamps: pd.Series, sample: int = 8) -> bool:
    """Whether pandas' own parser reads a spread of ``text`` as the times ``stamps``."""
    for i in np.unique(np.linspace(0, len(text) - 1, min(len(text), sample)).astype(int)):
        try:
            if pd.Timestamp(text.iloc[i]) != stamps.iloc[i]:
                return False
        except (ValueError, TypeError, OverflowError):
            return False
    return True


# --------------------------------------------------------------------------- countries, booleans


@cache
def _country_lookup() -> dict[str, str]:
    from phonenumbers.geodata.locale import LOCALE_DATA

    table: dict[str, str] = {}
    for code, names in LOCALE_DATA.items():
        if not (len(code) == 2 and code.isalpha()):
            continue
        table[code.casefold()] = code
        for name in names.values():
            if not name.startswith("*"):
                table.setdefault(header_key(name), code)
    for name, code in load_yaml_data("countries.yml").items():
        table[header_key(str(name))] = str(code)
    return table


def country_code(text: str) -> str:
    """Country name or code (English, Russian, Romanian, …) -> ISO alpha-2, or ""."""
    if not text:
        return ""
    return _country_lookup().get(header_key(text), "")


def normalize_countries(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(ISO alpha-2, failed mask)."""
    text = series.fillna("").astype(str).str.strip()
    codes = per_distinct(text, country_code)
    return codes, (text != "") & (codes == "")


@cache
def bool_values() -> dict[str, str]:
    """Casefolded yes/no words (``data/values.yml``) -> ``true`` / ``false``."""
    doc = load_yaml_data("values.yml")
    table = {str(v).casefold(): "true" for v in doc[True]}
    table.update({str(v).casefold(): "false" for v in doc[False]})
    return table


def normalize_bools(series: pd.Series) -> pd.Series:
    """Yes/No, 1/0, Да/Нет, true/false … -> ``true``/``false``; anything else unchanged."""
    table = bool_values()
    text = series.fillna("").astype(str).str.strip()
    return per_distinct(text, lambda v: table.get(v.casefold(), v))


@cache
def deal_stages() -> tuple[frozenset[str], frozenset[str]]:
    """(won, lost): the CRM deal stages that close a deal (``data/values.yml``), as
    ``status_key`` gives them."""
    doc = load_yaml_data("values.yml")
    return (
        frozenset(status_key(str(v)) for v in doc["won_stages"]),
        frozenset(status_key(str(v)) for v in doc["lost_stages"]),
    )


@cache
def null_values() -> frozenset[str]:
    """Placeholders ("Select", "n/a", "-") that mean no answer."""
    return frozenset(str(v).casefold() for v in load_yaml_data("values.yml")[None])


# --------------------------------------------------------------------------- sources, UTM


@cache
def _source_aliases() -> dict[str, str]:
    table: dict[str, str] = {}
    for key, spellings in load_yaml_data("sources.yml").items():
        table[header_key(key)] = key
        for s in spellings:
            table.setdefault(header_key(str(s)), key)
    return table


def source_key(text: str, extra: dict[str, str] | None = None) -> str:
    """A source value ("Facebook Ads", "ig", "Яндекс.Директ") -> platform key or a slug."""
    text = str(text).strip()
    if not text:
        return ""
    if extra and text.casefold() in extra:
        return extra[text.casefold()]
    aliases = _source_aliases()
    known = aliases.get(header_key(text)) or _host_platform(text, aliases)
    return (
        known
        or _placed_platform(text, aliases)
        or re.sub(r"[\W_]+", "_", text.casefold()).strip("_")
    )


@cache
def _source_words() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(platforms a host tells, second-level labels, placement words): source_words.yml."""
    words = load_yaml_data("source_words.yml")
    return (
        frozenset(words["host_platforms"]),
        frozenset(words["second_level"]),
        frozenset(map(header_key, words["placement_words"])),
    )


_HOST = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?((?:[a-z0-9-]+\.)+[a-z]{2,})(?::\d+)?(?:[/?#].*)?$")


def _host_platform(text: str, aliases: dict[str, str]) -> str | None:
    """The platform a host names (``www.google.com``, ``google.co.uk``,
    ``https://away.vk.com/away.php?…``): the name under its top-level domain (and a
    country's second-level one), when that is a platform's spelling — referers and trackers
    give sources so, and each country's Google was a source of its own in the report."""
    found = _HOST.match(text.casefold())
    if not found:
        return None
    labels = found.group(1).split(".")
    platforms, second_level, _ = _source_words()
    if len(labels) >= 3 and labels[-2] in second_level:
        labels = labels[:-1]
    platform = aliases.get(header_key(labels[-2]))  # (the pattern gives two labels at least)
    return platform if platform in platforms else None


def _placed_platform(text: str, aliases: dict[str, str]) -> str | None:
    """The platform of ``fb_ads``, ``Instagram Stories``, ``Яндекс Директ РСЯ``: a
    platform's spelling followed only by placement words (``data/source_words.yml``) or by
    that platform's spellings."""
    words = [w for w in re.split(r"[\W_]+", text.casefold()) if w]
    if len(words) < 2:
        return None
    placements = _source_words()[2]
    for cut in (1, 2):  # a spelling of one word or two ("google ads", "яндекс директ")
        platform = aliases.get(header_key("".join(words[:cut])))
        rest = words[cut:]
        if platform and rest and all(w in placements or aliases.get(w) == platform for w in rest):
            return platform
    return None


def normalize_sources(series: pd.Series, extra: dict[str, str] | None = None) -> pd.Series:
    return per_distinct(series.fillna("").astype(str), lambda v: source_key(v, extra))


def utm_from_url(url: str) -> tuple[str, ...]:
    """utm_* parameters of a landing/referer URL, in UTM_FIELDS order ("" when absent)."""
    if "utm_" not in url:
        return ("",) * len(UTM_FIELDS)
    try:
        query = parse_qs(urlsplit(url.strip()).query)
    except ValueError:
        return ("",) * len(UTM_FIELDS)
    return tuple((query.get(f) or [""])[0] for f in UTM_FIELDS)


@cache
def click_ids() -> dict[str, tuple[str, str]]:
    """Click id parameter -> (source, medium) (``click_ids`` in ``data/source_words.yml``)."""
    doc = load_yaml_data("source_words.yml")["click_ids"]
    return {str(k): (str(v[0]), str(v[1]) if len(v) > 1 else "") for k, v in doc.items()}


def click_sources(
    columns: dict[str, pd.Series], urls: pd.Series
) -> tuple[pd.Series, pd.Series] | None:
    """(source, medium) the click ids give each row — a column named after one (``gclid``,
    ``yclid``; ``columns`` by parameter) holding a value, else one in the landing URL's
    query (``?fbclid=…``); "" where none does. None when no row has one: auto-tagged ads
    name their platform in their links even where the form kept no UTM tags."""
    ids = click_ids()
    text = to_arrow(urls)
    in_url = (
        mask(pc.match_substring_regex(text, f"[?&#](?:{'|'.join(ids)})=[^&#]"))
        if pc.any(pc.not_equal(text, "")).as_py()
        else np.zeros(len(urls), dtype=bool)
    )
    given = {k: mask(pc.not_equal(to_arrow(v), "")) for k, v in columns.items()}
    if not in_url.any() and not any(g.any() for g in given.values()):
        return None
    source = np.full(len(urls), "", dtype=object)
    medium = np.full(len(urls), "", dtype=object)
    open_rows = np.ones(len(urls), dtype=bool)
    for key, (platform, kind) in ids.items():  # the file's own columns before its URLs
        if key in given:
            hit = given[key] & open_rows
            source[hit], medium[hit], open_rows[hit] = platform, kind, False
    rows = np.flatnonzero(in_url & open_rows)  # the URLs left to read, each id's pattern on them
    for key, (platform, kind) in ids.items():
        if not len(rows):
            break
        found = mask(pc.match_substring_regex(text.take(rows), f"[?&#]{key}=[^&#]"))
        hit = rows[found]
        source[hit], medium[hit] = platform, kind
        rows = rows[~found]
    index = urls.index
    return pd.Series(source, index=index, dtype="str"), pd.Series(medium, index=index, dtype="str")


def utm_columns(urls: pd.Series) -> dict[str, pd.Series]:
    """utm_* columns parsed out of URLs, once per distinct URL."""
    parsed = per_distinct_fields(urls.fillna("").astype(str), utm_from_url, len(UTM_FIELDS))
    return dict(zip(UTM_FIELDS, parsed, strict=True))


def most_common(values: pd.Series) -> Any:
    """The most frequent non-empty value (the first seen among equals), or None."""
    codes, uniques = pd.factorize(values.fillna(""), use_na_sentinel=False)
    counts = np.bincount(codes, minlength=len(uniques))
    counts[[i for i, u in enumerate(uniques) if not u]] = 0
    return uniques[int(counts.argmax())] if len(counts) and counts.max() else None


# The parsers normalize_dates tries in turn on the values none before it read (with
# _parse_worded after the five that read digits alone: they take no value with words).
# Dates written in digits alone, then those with words (before which ``normalize_dates``
# reads the zones in words: ``_parse_worded``).
_DIGIT_PARSERS = (
    _parse_iso,
    _parse_dmy,
    _parse_ymd,
    _parse_basic,
    _parse_serial,
    _parse_epoch,
)
_PARSERS = (*_DIGIT_PARSERS, _parse_local_months, _parse_other)
