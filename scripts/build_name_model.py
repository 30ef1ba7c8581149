"""Build ``leadtool/data/name_bigrams.json``, the character model behind ``gibberish_name``.

Trains letter-bigram counts, one table per script (Latin, Cyrillic), on the person-name lists
Faker ships for the markets leadtool serves (ru_RU, uk_UA, ro_RO, en_US, en_GB) and the
neighbours whose names their leads carry (hu_HU: Transylvania's Hungarians, in Romania;
pl_PL: Polish names, in Ukraine's west — ``Szilágyi``, ``Krzysztof`` were mash), plus the
Russian names transliterated to Latin (people write "Dmitriy Kuznetsov" too). Only every
other name (sorted) is used: the rest is held out, and tests/test_gibberish.py checks the
model on it.

    pip install faker && python scripts/build_name_model.py
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from faker import Faker

from leadtool.normalize import transliterate

LOCALES = ("ru_RU", "uk_UA", "ro_RO", "en_US", "en_GB", "hu_HU", "pl_PL")
TARGET = Path(__file__).resolve().parent.parent / "leadtool" / "data" / "name_bigrams.json"


def names_by_locale() -> dict[str, list[str]]:
    out = {}
    for locale in LOCALES:
        provider = Faker(locale).provider("faker.providers.person")
        names: set[str] = set()
        for attr in (
            "first_names",
            "first_names_male",
            "first_names_female",
            "last_names",
            "last_names_male",
            "last_names_female",
        ):
            value = getattr(provider, attr, None) or ()
            names.update(value.keys() if isinstance(value, dict) else value)
        out[locale] = sorted(n for n in names if n.replace("-", "").replace("'", "").isalpha())
    return out


def split(names: list[str]) -> tuple[list[str], list[str]]:
    """Every other name trains; the rest is held out for the tests."""
    return names[0::2], names[1::2]


def main() -> None:
    from leadtool.gibberish import script_of, tokens

    counts: dict[str, Counter[str]] = {"latin": Counter(), "cyrillic": Counter()}
    for locale, names in names_by_locale().items():
        train, _ = split(names)
        if locale == "ru_RU":
            train = train + [transliterate(n) for n in train]
        for name in train:
            for token in tokens(name):
                script = script_of(token)
                if script:
                    padded = f"^{token}$"
                    counts[script].update(padded[i : i + 2] for i in range(len(padded) - 1))
    doc = {script: dict(sorted(c.items())) for script, c in counts.items()}
    TARGET.write_text(
        json.dumps(doc, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8"
    )
    print(f"wrote {TARGET}: " + ", ".join(f"{k} {len(v)} bigrams" for k, v in doc.items()))


if __name__ == "__main__":
    main()
