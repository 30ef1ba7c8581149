"""The gibberish model: keyboard mash flagged, real names of our markets not."""

from __future__ import annotations

import sys

import pytest

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
