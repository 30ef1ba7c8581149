"""Generate N realistic crafted leads as a site-form export (no real person's data).

Mixed phone styles and regions (Russian ``8 (9xx)…`` and ``+7``, Romanian ``07…``, Moldovan
``06…``, US), repeat submissions, invalid values, Russian and Latin names, DD.MM.YYYY dates,
UTM tags. Vectorized with numpy so a million rows take seconds.

    python benchmarks/generate.py 1000000 benchmarks/data/leads_1m.csv [--varied-names]

By default the names come from a pool of 25 first names and 20 surnames (500 full names):
the figures published since the first pass were measured on it. ``--varied-names`` draws
surnames from syllables (Russian and Romanian shapes), one for every five people, spread so
that nearly every person's full name is their own, as in a real million leads: work done
once per distinct name or word then shows.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

FIRST = [
    "Ivan",
    "Anna",
    "Maria",
    "Andrei",
    "Elena",
    "Sergey",
    "Olga",
    "Mihai",
    "Ioana",
    "John",
    "Emma",
    "Алексей",
    "Мария",
    "Дмитрий",
    "Екатерина",
    "Сергей",
    "Ольга",
    "Radu",
    "Ana",
    "Vasile",
    "Noah",
    "Liam",
    "Sofia",
    "Артём",
    "Наталья",
]
LAST = [
    "Petrov",
    "Smirnova",
    "Popescu",
    "Ionescu",
    "Rusu",
    "Ceban",
    "Brown",
    "Miller",
    "Иванов",
    "Кузнецова",
    "Соколов",
    "Попова",
    "Лебедев",
    "Новикова",
    "Stan",
    "Popa",
    "Walker",
    "Collins",
    "Морозов",
    "Волкова",
]
DOMAINS = ["example.com", "example.ru", "example.ro", "example.md", "mail.example", "corp.example"]
CITIES = ["Москва", "Санкт-Петербург", "Казань", "București", "Cluj-Napoca", "Chișinău", "", ""]
SOURCES = ["yandex", "vk", "facebook", "google", "instagram", "", "tiktok"]
CAMPAIGNS = [f"campaign_{i:03d}" for i in range(60)]


SYLLABLES = {
    "cyrillic": (
        [
            "ка",
            "ро",
            "ми",
            "не",
            "са",
            "то",
            "лу",
            "ва",
            "ре",
            "ди",
            "по",
            "ан",
            "бо",
            "гу",
            "де",
            "жи",
            "за",
            "ку",
            "ле",
            "мо",
            "ну",
            "па",
            "ри",
            "се",
            "ту",
            "фе",
            "хо",
            "це",
            "ше",
            "ер",
        ],
        "ов",
    ),
    "latin": (
        [
            "ca",
            "ro",
            "mi",
            "ne",
            "sa",
            "to",
            "lu",
            "va",
            "re",
            "di",
            "po",
            "an",
            "bo",
            "gu",
            "de",
            "ji",
            "za",
            "cu",
            "le",
            "mo",
            "nu",
            "pa",
            "ri",
            "se",
            "tu",
            "fe",
            "ho",
            "ce",
            "si",
            "er",
        ],
        "escu",
    ),
}


def varied_surnames(count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` surnames of three to five of 30 syllables and a Russian or Romanian ending
    (most of them distinct at 200,000: 25 million five-syllable shapes per script)."""
    out = np.empty(count, dtype=object)
    cyrillic = rng.random(count) < 0.5
    for script, rows in (("cyrillic", cyrillic), ("latin", ~cyrillic)):
        syllables, ending = SYLLABLES[script]
        picks = np.array(syllables, dtype=object)[rng.integers(0, len(syllables), (count, 5))]
        size = rng.choice([3, 4, 5], count, p=[0.2, 0.5, 0.3])
        stem = picks[:, 0] + picks[:, 1] + picks[:, 2]
        stem = np.where(size > 3, stem + picks[:, 3], stem)
        stem = np.where(size > 4, stem + picks[:, 4], stem)
        out[rows] = (pd.Series(stem[rows]).str.capitalize() + ending).to_numpy(dtype=object)
    return out


def generate(n: int, seed: int = 7, varied_names: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    people = max(1, int(n * 0.8))  # ~20% of rows are repeat submissions
    person = rng.integers(0, people, n)
    first = np.array(FIRST, dtype=object)[person % len(FIRST)]
    if varied_names:  # a person's surname is theirs on every submission
        # One surname for every five people, spread over them; a count prime to the 25
        # first names gives every person a (first name, surname) pair of their own.
        count = max(1, people // 5)
        count += count % 5 == 0
        surnames = varied_surnames(count, np.random.default_rng(seed + 1))
        last = surnames[(person * 7919) % count]
    else:
        last = np.array(LAST, dtype=object)[(person // len(FIRST)) % len(LAST)]
    name = pd.Series(first + " " + last)
    upper = rng.random(n) < 0.05
    name[upper] = name[upper].str.upper()
    phone = _phones(rng, person, n)
    local = pd.Series(person).astype(str)
    email = ("user" + local + "@" + np.array(DOMAINS, dtype=object)[person % len(DOMAINS)]).astype(
        object
    )
    bad = rng.random(n)
    email[bad < 0.03] = "asdf@asdf"
    email[(bad >= 0.03) & (bad < 0.15)] = ""
    mixed_case = rng.random(n) < 0.1
    email[mixed_case] = email[mixed_case].str.upper()
    seconds = rng.integers(0, 60 * 86400, n)
    stamps = pd.Timestamp("2026-09-01") + pd.to_timedelta(seconds, unit="s")
    date = stamps.strftime("%d.%m.%Y %H:%M")
    return pd.DataFrame(
        {
            "Имя": name,
            "Телефон": phone,
            "Email": email,
            "Город": np.array(CITIES, dtype=object)[rng.integers(0, len(CITIES), n)],
            "utm_source": np.array(SOURCES, dtype=object)[rng.integers(0, len(SOURCES), n)],
            "utm_campaign": np.array(CAMPAIGNS, dtype=object)[rng.integers(0, len(CAMPAIGNS), n)],
            "Дата": date,
            "Комментарий": np.where(rng.random(n) < 0.2, "Перезвоните, пожалуйста", ""),
        }
    )


def _phones(rng: np.random.Generator, person: np.ndarray, n: int) -> pd.Series:
    digits = pd.Series(person * 7919 % 10_000_000).astype(str).str.zfill(7)
    style = rng.integers(0, 10, n)
    out = pd.Series("", index=range(n), dtype=object)
    ru = "912" + digits
    out[style <= 2] = (
        "8 (" + ru.str[:3] + ") " + ru.str[3:6] + "-" + ru.str[6:8] + "-" + ru.str[8:]
    )[style <= 2]
    out[style == 3] = ("+7" + ru)[style == 3]
    out[style == 4] = ("p:+7" + ru)[style == 4]
    out[style == 5] = ("07" + digits.str[:2] + " " + digits.str[2:5] + " " + digits.str[5:] + "0")[
        style == 5
    ]
    out[style == 6] = ("069 " + digits.str[:3] + " " + digits.str[3:6])[style == 6]
    out[style == 7] = ("+1 650 " + digits.str[:3] + " " + digits.str[3:7])[style == 7]
    out[style == 8] = "1111111"
    return out


def main(argv: list[str]) -> int:
    varied = "--varied-names" in argv
    argv = [a for a in argv if a != "--varied-names"]
    n = int(argv[0]) if argv else 100_000
    target = Path(argv[1]) if len(argv) > 1 else Path(f"benchmarks/data/leads_{n}.csv")
    target.parent.mkdir(parents=True, exist_ok=True)
    generate(n, varied_names=varied).to_csv(target, index=False, sep=";", encoding="utf-8")
    print(f"wrote {n} leads to {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
