"""The gibberish model: keyboard mash flagged, real names of our markets not."""

from __future__ import annotations

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadtool.gibberish import fold, is_gibberish, tokens
from tests.conftest import REPO

sys.path.insert(0, str(REPO / "scripts"))
from build_name_model import names_by_locale, split, transliterate


def held_out_names() -> list[str]:
    names = []
    for locale, all_names in names_by_locale().items():
        held = split(all_names)[1]
        names += held
        if locale == "ru_RU":
            names += [transliterate(n).title() for n in held]
    return names


def test_held_out_real_names_pass() -> None:
    """Names the model never saw (the other half of the lists): at most 0.2% flagged."""
    names = held_out_names()
    flagged = [n for n in names if is_gibberish(n)]
    assert len(names) > 2500
    assert len(flagged) / len(names) <= 0.002, flagged


@pytest.mark.parametrize(
    "name",
    [
        "Ivan Petrov",
        "Анна-Мария Смирнова",
        "Ioana Ștefănescu",
        "Mihai Ceban",
        "Siobhan O'Neill",
        "Nguyen Van",
        "Мкртчян Ашот",
        "Şerban Ţurcanu",
        "Oleksandr Kovalchuk",
        "Jessica Brown",
        "Radu",
        "Li Na",
        "Айгерим Нурланова",
        "Liam",
        "Zoë Müller",
        # Hungarian names of Transylvania (Romania's market), Polish ones (Ukraine's)
        "Szilágyi Zoltán",
        "Juhász Erzsébet",
        "Krzysztof Krawczyk",
        "Jędrzej Szczepański",
    ],
)
def test_real_names(name: str) -> None:
    assert not is_gibberish(name)


@pytest.mark.parametrize(
    "name",
    [
        "asdf",
        "Qwerty",
        "Asdfgh",
        "zxcvbn",
        "фыва",
        "Йцукен",
        "ячсмит",
        "dfgdfg",
        "ываыва",
        "Aaaaa",
        "Ккккк",
        "Sdfsdfsdf",
        "hjkl",
        "Xcvbnm Qwe",
        "gfhjkm",
        "Bbbb Cccc",
        "Jjjjdkdk",
        "ИвaнoвQW",
        "Prst Mlkn",
    ],
)
def test_mash(name: str) -> None:
    assert is_gibberish(name)


def test_fold_keeps_short_i() -> None:
    assert fold("Șerban Ёлкин Йошкар") == "serban елкин йошкар"
    assert tokens("Anna-Maria O'Neil") == ["anna", "maria", "o", "neil"]


def _keyboard_run_definition(token: str, length: int) -> bool:
    # Every window of every keyboard row, either way, searched for in the token.
    from leadtool.gibberish import KEYBOARD_ROWS

    return any(
        seq[i : i + length] in token
        for row in KEYBOARD_ROWS
        for seq in (row, row[::-1])
        for i in range(len(seq) - length + 1)
    )


_KEYS = "qwertyuiopasdfghjklzxcvbnm1234йцукенфывапячсмиъэю"
# Random letters seldom hold a run: tokens are also built around a piece of a row, either way.
_ROW_PIECES = st.builds(
    lambda row, start, size, back: (row[::-1] if back else row)[start : start + size],
    st.sampled_from(["qwertyuiop", "asdfghjkl", "zxcvbnm", "фывапролджэ", "1234567890"]),
    st.integers(0, 6),
    st.integers(3, 6),
    st.booleans(),
)
_TOKENS = st.one_of(
    st.text(alphabet=_KEYS, max_size=12),
    st.builds(
        lambda a, run, b: a + run + b,
        st.text(_KEYS, max_size=3),
        _ROW_PIECES,
        st.text(_KEYS, max_size=3),
    ),
)


@settings(max_examples=500, deadline=None)
@given(_TOKENS, st.sampled_from([4, 5]))
def test_keyboard_run_lookup_matches_its_definition(token: str, length: int) -> None:
    from leadtool.gibberish import _keyboard_run

    assert _keyboard_run(token, length) is _keyboard_run_definition(token, length)


@pytest.mark.parametrize(
    ("token", "script"),
    [("anna", "latin"), ("анна", "cyrillic"), ("", "latin"), ("anнa", None), ("ana1", None)],
)
def test_script_of(token: str, script: str | None) -> None:
    from leadtool.gibberish import script_of

    assert script_of(token) == script


_NAME_TEXT = st.text(
    alphabet=st.sampled_from(
        [*"qwertasdfgzxcvaeiouyфывапроалджя", *" \t\u00a0\u2003\x1c-'1", *"¨\u0301ßﬁⅫЙİ"]
    ),
    max_size=24,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_NAME_TEXT, st.sampled_from(["Anna Sdfgh", "Anna Petrova", "sdfgh"]))))
def test_gibberish_names_word_by_word_equal_is_gibberish(names: list[str]) -> None:
    # gibberish_names judges each distinct word (and token) once per call; is_gibberish
    # folds and tokenizes each whole name.
    from leadtool.gibberish import gibberish_names

    assert gibberish_names(names).tolist() == [is_gibberish(n) for n in names]


# Tokens as folding leaves them: letters of both scripts, vowels and not, keyboard runs,
# repeated fragments, letters the name model never saw, and long ones.
_TOKEN_LETTERS = st.sampled_from(
    [*"qwertyuiopasdfghjklzxcvbnm", *"йцукенгшщзхъфывапролджэячсмитьбюёії"]
)
_SCRIPT_TOKENS = st.one_of(
    st.text(alphabet=st.sampled_from([*"qwertyuiopasdfghjklzxcvbnm"]), min_size=1, max_size=14),
    st.text(
        alphabet=st.sampled_from([*"йцукенгшщзхъфывапролджэячсмитьбюёіїґ"]), min_size=1, max_size=14
    ),
    st.text(alphabet=_TOKEN_LETTERS, min_size=1, max_size=40),
    st.builds(
        lambda piece, times: piece * times,
        st.text(_TOKEN_LETTERS, min_size=1, max_size=4),
        st.integers(2, 5),
    ),
    _TOKENS.filter(bool),
    st.sampled_from(["anna", "ivanova", "sdfgh", "qwer", "aaab", "zzzz", "ertert", "šđ", "ωμέγα"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_SCRIPT_TOKENS, max_size=40))
def test_tokens_gibberish_equals_token_is_gibberish(tokens_: list[str]) -> None:
    # tokens_gibberish runs each test over a matrix of code points, token_is_gibberish
    # one token at a time.
    from leadtool.gibberish import token_is_gibberish, tokens_gibberish

    assert tokens_gibberish(tokens_).tolist() == [token_is_gibberish(t) for t in tokens_]


def test_tokens_gibberish_on_the_tokens_of_real_names() -> None:
    from leadtool.gibberish import token_is_gibberish, tokens_gibberish

    found = sorted({t for name in held_out_names() for t in tokens(name)})
    mash = ["asdfgh", "фывапр", "qwrtp", "zxcvb", "ertert", "ааааа", "sdsdsd", "хйцщ"]
    every = found + mash
    assert len(found) > 1000
    assert tokens_gibberish(every).tolist() == [token_is_gibberish(t) for t in every]
    assert tokens_gibberish(mash).all()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(_NAME_TEXT, st.sampled_from(["a\nb", "\0й", "Ёж\u0301", ""])), max_size=8)
)
def test_fold_many_equals_fold_of_each(words: list[str]) -> None:
    # All words folded as one text (or one by one when a word holds a line break).
    from leadtool.gibberish import fold_many

    assert fold_many(words) == [fold(w) for w in words]
