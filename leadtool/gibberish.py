"""Keyboard mash detection for names, from a character model rather than a word list.

A name token is gibberish when it has the shape of typing, not of a name: a run along one
keyboard row ("asdfg", "фывап"), a fragment typed again ("ertert"), the same letter three
times, no vowel in four or more letters, Latin and Cyrillic mixed in one word, mostly
neighbouring keys, or letter pairs that names in its script almost never have. The last test is a
letter-bigram model trained on Russian, Ukrainian, Romanian, English, Hungarian and Polish names
(``data/name_bigrams.json``, built by ``scripts/build_name_model.py``); its threshold is
set so that held-out real names pass.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Sequence
from functools import cache
from importlib import resources
from itertools import pairwise
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

if TYPE_CHECKING:
    from leadtool.arrowtext import Words

LATIN_VOWELS = set("aeiouy")
CYRILLIC_VOWELS = set("аеиоуыэюяіє")
KEYBOARD_ROWS = (
    "1234567890",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "йцукенгшщзхъ",
    "фывапролджэ",
    "ячсмитьбю",
)
# Thresholds of the bigram test, set on held-out names (tests/test_gibberish.py).
RARE_PAIR = -6.5
MEAN_FLOOR = -4.4
KEYBOARD_SHARE = 0.8
KEYBOARD_MEAN = -3.2
_LETTERS = re.compile(r"[^\W\d_]+", re.UNICODE)


def fold(text: str) -> str:
    """Lowercase without diacritics (ș ş ă ё ґ -> s s a е г), й kept: it is its own key. The
    combining marks are looked for among the text's distinct characters only and removed
    with ``str.replace`` (a few marks: faster than a table or a test per character)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("й", "\0"))
    for mark in [c for c in set(decomposed) if unicodedata.combining(c)]:
        decomposed = decomposed.replace(mark, "")
    return decomposed.replace("\0", "й")


def fold_many(words: list[str]) -> list[str]:
    """``fold`` of each word, all of them as one text (``arrowtext.map_joined``)."""
    from leadtool.arrowtext import map_joined

    return map_joined(words, fold)


def tokens(name: str) -> list[str]:
    """Folded letter runs of a name ("Anna-Maria O'Neil" -> anna, maria, o, neil)."""
    return [t for t in _LETTERS.findall(fold(name)) if t]


_LATIN = re.compile("[a-z]*")
_CYRILLIC = re.compile("[\u0400-\u04ff]*")


def script_of(token: str) -> str | None:
    if _LATIN.fullmatch(token):
        return "latin"
    if _CYRILLIC.fullmatch(token):
        return "cyrillic"
    return None


@cache
def _model() -> dict[str, tuple[dict[str, float], float]]:
    """Per script: bigram -> log P(second | first), and the log-probability of an unseen pair."""
    text = resources.files("leadtool").joinpath("data", "name_bigrams.json").read_text("utf-8")
    counts: dict[str, dict[str, int]] = json.loads(text)
    model = {}
    for script, table in counts.items():
        firsts: dict[str, int] = {}
        for pair, n in table.items():
            firsts[pair[0]] = firsts.get(pair[0], 0) + n
        alphabet = len({p[1] for p in table}) + 1
        logp = {p: math.log((n + 0.5) / (firsts[p[0]] + 0.5 * alphabet)) for p, n in table.items()}
        unseen = math.log(0.5 / (max(firsts.values()) + 0.5 * alphabet))
        model[script] = (logp, unseen)
    return model


def pair_logps(token: str, script: str) -> list[float]:
    """log P(letter | previous letter) for each pair of ``^token$`` under the name model."""
    logp, unseen = _model()[script]
    padded = f"^{token}$"
    return [logp.get(padded[i : i + 2], unseen) for i in range(len(padded) - 1)]


@cache
def _neighbours() -> frozenset[tuple[str, str]]:
    """Letter pairs next to each other on a keyboard row, or diagonally on the next row."""
    pairs: set[tuple[str, str]] = set()
    rows = [r for r in KEYBOARD_ROWS if r.isalpha()]
    for row in rows:
        for a, b in pairwise(row):
            pairs |= {(a, b), (b, a)}
    for upper, lower in (
        (rows[0], rows[1]),
        (rows[1], rows[2]),
        (rows[3], rows[4]),
        (rows[4], rows[5]),
    ):
        for i, a in enumerate(upper):
            for b in lower[max(0, i - 1) : i + 1]:
                pairs |= {(a, b), (b, a)}
    return frozenset(pairs)


def keyboard_share(token: str) -> float:
    """Share of letter pairs typed with neighbouring keys."""
    if len(token) < 2:
        return 0.0
    near = _neighbours()
    hits = sum((a, b) in near for a, b in pairwise(token))
    return hits / (len(token) - 1)


@cache
def _keyboard_runs(length: int) -> frozenset[str]:
    """Every ``length`` keys in a row along a keyboard row, either way."""
    return frozenset(
        seq[i : i + length]
        for row in KEYBOARD_ROWS
        for seq in (row, row[::-1])
        for i in range(len(seq) - length + 1)
    )


def _keyboard_run(token: str, length: int) -> bool:
    """A keyboard run of ``length`` keys somewhere in the token: its windows of that length
    looked up in the set of runs (a handful of lookups, not a search per run)."""
    runs = _keyboard_runs(length)
    return any(token[i : i + length] in runs for i in range(len(token) - length + 1))


def _mixed_scripts(token: str) -> bool:
    """Latin and Cyrillic typed into one word, two or more letters of each (one look-alike
    letter is a layout slip, not mash)."""
    latin = sum("a" <= c <= "z" for c in token)
    cyrillic = sum("\u0400" <= c <= "\u04ff" for c in token)
    return latin >= 2 and cyrillic >= 2


def _repeated_fragment(token: str) -> bool:
    """ "ertert", "апрапр", "sdsdsd": one fragment typed again and again."""
    for size in range(2, len(token) // 2 + 1):
        if len(token) % size == 0:
            times = len(token) // size
            if token == token[:size] * times and (size >= 3 or times >= 3):
                return True
    return False


def token_is_gibberish(token: str) -> bool:
    """One folded letter token: see the module docstring for the tests, cheapest first.
    (``tokens_gibberish`` judges many tokens at once by the same tests.)"""
    script = script_of(token)
    if script is None:
        return _mixed_scripts(token)
    if len(token) < 3:
        return False
    if _repeated_fragment(token):
        return True
    vowels = LATIN_VOWELS if script == "latin" else CYRILLIC_VOWELS
    if _TRIPLE.search(token):
        return True
    if len(token) >= 4 and not any(c in vowels for c in token):
        return True
    if _keyboard_run(token, 5) or (len(token) == 4 and _keyboard_run(token, 4)):
        return True
    logps = pair_logps(token, script)
    total = 0.0
    for p in logps:  # left to right, as tokens_gibberish adds (sum() compensates on 3.12+)
        total += p
    mean = total / len(logps)
    if len(token) >= 4 and keyboard_share(token) >= KEYBOARD_SHARE and mean < KEYBOARD_MEAN:
        return True
    rare = sum(p < RARE_PAIR for p in logps)
    return mean < MEAN_FLOOR or rare >= 3 or (rare >= 2 and len(token) <= 5)


_TRIPLE = re.compile(r"(.)\1\1")


@cache
def is_gibberish(name: str) -> bool:
    """True when any letter token of the name looks like keyboard mash."""
    return any(token_is_gibberish(t) for t in tokens(name))


def gibberish_names(names: Sequence[str] | Words) -> np.ndarray:
    """``is_gibberish`` of each of many names (a list, or their words), with each
    distinct word folded and tokenized once and each distinct token judged once, by
    whole-array tests (``tokens_gibberish``): names are many, their words far fewer. Letter
    tokens never span whitespace, and folding turns no whitespace into a letter, so a name is
    gibberish exactly when one of its words is, whichever whitespace the split knows."""
    import pyarrow as pa

    from leadtool.arrowtext import Words, split_words

    if not isinstance(names, Words):
        names = split_words(pa.array(list(names), pa.large_string()))
    return names.any_of(gibberish_words(names.distinct))


def gibberish_words(words: list[str]) -> np.ndarray:
    """Whether each (distinct) word holds a gibberish token."""
    number: dict[str, int] = {}
    of_word: list[int] = []
    token_codes: list[int] = []
    for i, folded in enumerate(fold_many(words)):
        for token in _LETTERS.findall(folded):
            token_codes.append(number.setdefault(token, len(number)))
            of_word.append(i)
    verdicts = tokens_gibberish(list(number))
    hit = verdicts[np.asarray(token_codes, dtype=np.intp)]
    return np.bincount(np.asarray(of_word, dtype=np.intp)[hit], minlength=len(words)) > 0


# Tokens longer than this (rare: names are short) are judged one at a time, so that the
# code point matrix of a block stays small.
_WIDEST = 32
_BLOCK = 65_536


def tokens_gibberish(tokens: list[str]) -> np.ndarray:
    """``token_is_gibberish`` of each token, Latin and Cyrillic ones (nearly all) by tests
    over a matrix of code points, a block of tokens at a time, rather than a few microseconds
    of Python each; the rest one by one. tests/test_gibberish.py checks the two agree."""
    out = np.zeros(len(tokens), dtype=bool)
    scripts = np.array([_SCRIPT_CODE.get(script_of(t) or "", 0) for t in tokens], dtype=np.int8)
    lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
    alone = np.flatnonzero((scripts == 0) | (lengths > _WIDEST))
    out[alone] = [token_is_gibberish(tokens[i]) for i in alone]
    for script, code in _SCRIPT_CODE.items():
        rows = np.flatnonzero((scripts == code) & (lengths <= _WIDEST) & (lengths >= 3))
        for start in range(0, len(rows), _BLOCK):
            block = rows[start : start + _BLOCK]
            out[block] = _judged(np.array([tokens[i] for i in block]), lengths[block], script)
    return out


_SCRIPT_CODE = {"latin": 1, "cyrillic": 2}


def _judged(texts: np.ndarray, lengths: np.ndarray, script: str) -> np.ndarray:
    """``token_is_gibberish`` of tokens of one script, three or more letters each, given as
    a numpy unicode array: each test of it over the matrix of their code points."""
    width = texts.dtype.itemsize // 4
    codes = texts.view(np.uint32).reshape(len(texts), width).astype(np.intp)
    inside = np.arange(width) < lengths[:, None]
    repeated = np.zeros(len(texts), dtype=bool)
    for size in range(2, width // 2 + 1):
        fits = (lengths % size == 0) & (lengths >= 2 * size) & ((size >= 3) | (lengths >= 3 * size))
        if fits.any():
            periodic = ((codes[:, size:] == codes[:, :-size]) | ~inside[:, size:]).all(axis=1)
            repeated |= fits & periodic
    triple = (
        (codes[:, :-2] == codes[:, 1:-1]) & (codes[:, 1:-1] == codes[:, 2:]) & inside[:, 2:]
    ).any(axis=1)
    vowels = LATIN_VOWELS if script == "latin" else CYRILLIC_VOWELS
    voiceless = (lengths >= 4) & ~np.isin(codes, [ord(v) for v in vowels]).any(axis=1)
    tables = _tables()
    keys = tables.key_ids[codes]  # every code point of a Latin or Cyrillic token is < 0x500
    run = _keyboard_run_mask(keys, lengths, 5) | (
        (lengths == 4) & _keyboard_run_mask(keys[:, :4], lengths, 4)
    )
    logps = _pair_logps_matrix(codes, lengths, script)
    pairs = np.arange(width + 1) <= lengths[:, None]
    total = np.zeros(len(texts))
    for k in range(width + 1):  # left to right, as token_is_gibberish adds
        total += np.where(pairs[:, k], logps[:, k], 0.0)
    mean = total / (lengths + 1)
    near = (tables.neighbours[keys[:, :-1], keys[:, 1:]] & inside[:, 1:]).sum(axis=1)
    share = near / np.maximum(lengths - 1, 1)
    typed = (lengths >= 4) & (share >= KEYBOARD_SHARE) & (mean < KEYBOARD_MEAN)
    rare = ((logps < RARE_PAIR) & pairs).sum(axis=1)
    scored = (mean < MEAN_FLOOR) | (rare >= 3) | ((rare >= 2) & (lengths <= 5))
    judged: np.ndarray = repeated | triple | voiceless | run | typed | scored
    return judged


class _Tables(NamedTuple):
    key_ids: np.ndarray  # code point (< 0x500) -> 1 + its place among the keyboard keys, or 0
    neighbours: np.ndarray  # key id, key id -> keys next to each other (``_neighbours``)
    runs: dict[int, np.ndarray]  # run length -> the runs' window keys (``_window_keys``)
    logp: dict[str, tuple[np.ndarray, np.ndarray]]  # script -> (letter index, pair table)


_KEY_BASE = 128  # more than the number of keys: a window's key spells its keys' ids


@cache
def _tables() -> _Tables:
    keys = sorted({c for row in KEYBOARD_ROWS for c in row})
    assert len(keys) < _KEY_BASE
    key_ids = np.zeros(0x500, dtype=np.intp)
    for i, key in enumerate(keys, start=1):
        key_ids[ord(key)] = i
    neighbours = np.zeros((_KEY_BASE, _KEY_BASE), dtype=bool)
    for a, b in _neighbours():
        neighbours[key_ids[ord(a)], key_ids[ord(b)]] = True
    runs = {}
    for length in (4, 5):
        ids = np.array([[key_ids[ord(c)] for c in run] for run in _keyboard_runs(length)])
        runs[length] = np.unique(ids @ (_KEY_BASE ** np.arange(length)))
    logp = {}
    for script, (table, unseen) in _model().items():
        letters = sorted({c for pair in table for c in pair})
        index = np.zeros(0x500, dtype=np.intp)  # 0: a letter the model never saw
        for i, letter in enumerate(letters, start=1):
            index[ord(letter)] = i
        pairs = np.full((len(letters) + 1, len(letters) + 1), unseen)
        for pair, value in table.items():
            pairs[index[ord(pair[0])], index[ord(pair[1])]] = value
        logp[script] = (index, pairs)
    return _Tables(key_ids, neighbours, runs, logp)


def _keyboard_run_mask(keys: np.ndarray, lengths: np.ndarray, length: int) -> np.ndarray:
    """``_keyboard_run`` of each row of key ids: every window of ``length`` keys, spelled as
    one number in base _KEY_BASE, looked up among the runs' numbers (a window holding a
    non-key, id 0, spells no run: every run's digits are ids of keys)."""
    starts = keys.shape[1] - length + 1
    if starts <= 0:
        return np.zeros(len(keys), dtype=bool)
    spelled = np.zeros((len(keys), starts), dtype=np.int64)
    for j in range(length):
        spelled += keys[:, j : j + starts] * _KEY_BASE**j
    found = np.isin(spelled, _tables().runs[length])
    within = np.arange(starts) + length <= lengths[:, None]
    return np.asarray((found & within).any(axis=1))


def _pair_logps_matrix(codes: np.ndarray, lengths: np.ndarray, script: str) -> np.ndarray:
    """``pair_logps`` of each row of code points: column k is the k-th pair of ``^token$``
    (columns past a token's last pair hold whatever the padding gives)."""
    index, pairs = _tables().logp[script]
    letters = np.zeros((len(codes), codes.shape[1] + 2), dtype=np.intp)
    letters[:, 0] = index[ord("^")]
    letters[:, 1:-1] = index[codes]
    letters[np.arange(len(codes)), lengths + 1] = index[ord("$")]
    return pairs[letters[:, :-1], letters[:, 1:]]
