"""Keyboard mash detection for names, from a character model rather than a word list.

A name token is gibberish when it has the shape of typing, not of a name: a run along one
keyboard row ("asdfg", "фывап"), a fragment typed again ("ertert"), the same letter three
times, no vowel in four or more letters, Latin and Cyrillic mixed in one word, mostly
neighbouring keys, or letter pairs that names in its script almost never have. The last test is a
letter-bigram model trained on Russian, Ukrainian, Romanian and English names
(``data/name_bigrams.json``, built by ``scripts/build_name_model.py``); its threshold is
set so that held-out real names pass.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from functools import cache
from importlib import resources
from itertools import pairwise

import numpy as np

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
    """Lowercase without diacritics (ș ş ă ё ґ -> s s a е г), й kept: it is its own key."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("й", "\0"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("\0", "й")


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
    """One folded letter token: see the module docstring for the tests, cheapest first."""
    script = script_of(token)
    if script is None:
        return _mixed_scripts(token)
    if len(token) < 3:
        return False
    if _repeated_fragment(token):
        return True
    vowels = LATIN_VOWELS if script == "latin" else CYRILLIC_VOWELS
    if re.search(r"(.)\1\1", token):
        return True
    if len(token) >= 4 and not any(c in vowels for c in token):
        return True
    if _keyboard_run(token, 5) or (len(token) == 4 and _keyboard_run(token, 4)):
        return True
    logps = pair_logps(token, script)
    mean = sum(logps) / len(logps)
    if len(token) >= 4 and keyboard_share(token) >= KEYBOARD_SHARE and mean < KEYBOARD_MEAN:
        return True
    rare = sum(p < RARE_PAIR for p in logps)
    return mean < MEAN_FLOOR or rare >= 3 or (rare >= 2 and len(token) <= 5)


@cache
def is_gibberish(name: str) -> bool:
    """True when any letter token of the name looks like keyboard mash."""
    return any(token_is_gibberish(t) for t in tokens(name))


def gibberish_names(names: list[str]) -> np.ndarray:
    """``is_gibberish`` of each of many names, judged word by word with each distinct word
    and token judged once in this call: names are many, their words far fewer. (Letter
    tokens never span whitespace, and folding turns no whitespace into a letter, so a name
    is gibberish exactly when one of its words is.)"""
    words: dict[str, bool] = {}
    judged: dict[str, bool] = {}

    def word_is_gibberish(word: str) -> bool:
        for token in tokens(word):
            verdict = judged.get(token)
            if verdict is None:
                verdict = judged[token] = token_is_gibberish(token)
            if verdict:
                return True
        return False

    out = np.zeros(len(names), dtype=bool)
    for i, name in enumerate(names):
        for word in name.split():
            verdict = words.get(word)
            if verdict is None:
                verdict = words[word] = word_is_gibberish(word)
            if verdict:
                out[i] = True
                break
    return out
