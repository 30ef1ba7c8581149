"""Generate canonical leads with known duplicates, for measuring ``leadtool dedupe``.

Each person submits one to four times; the repeats are what real repeat submissions look
like: the same phone only, the same e-mail only (case, Gmail dots, ``+tags``), a second phone
with the same e-mail, a work address with the same phone, a typo in the name with the same
company and no shared contact, the name in Latin letters with a work address of the same
local part, first and last name swapped. Namesakes (different people, same common name and
city) test precision. ``x_person`` is the truth.

    python benchmarks/duplicates.py 1000000 benchmarks/data/dupes_1m.parquet
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from build_name_model import names_by_locale, split

from leadtool.normalize import transliterate

SOURCES = np.array(["facebook", "instagram", "google", "yandex", "vk", "tilda", "typeform"])
DOMAINS = np.array(["gmail.com", "mail.ru", "yandex.ru", "outlook.com", "bk.ru", "icloud.com"])
WORDS = [
    "Vector",
    "Romashka",
    "Nord",
    "Alfa",
    "Delta",
    "Orion",
    "Sever",
    "Volga",
    "Ural",
    "Agro",
    "Tech",
    "Soft",
    "Trans",
    "Stroy",
    "Invest",
    "Med",
    "Lux",
    "Eco",
    "Smart",
    "Pro",
]
KINDS = np.array(
    [
        "same",
        "phone_only",
        "email_only",
        "second_phone",
        "work_email",
        "typo",
        "translit",
        "swapped",
    ]
)


def _people(n_people: int, rng: np.random.Generator) -> pd.DataFrame:
    held = {loc: split(names)[1] for loc, names in names_by_locale().items()}
    ru = held["ru_RU"]
    latin = held["en_US"] + held["ro_RO"] + held["en_GB"]
    cyr = rng.random(n_people) < 0.5
    first = np.where(
        cyr,
        np.array(ru, dtype=object)[rng.integers(0, len(ru), n_people)],
        np.array(latin, dtype=object)[rng.integers(0, len(latin), n_people)],
    )
    last = np.where(
        cyr,
        np.array(ru, dtype=object)[rng.integers(0, len(ru), n_people)],
        np.array(latin, dtype=object)[rng.integers(0, len(latin), n_people)],
    )
    idx = np.arange(n_people)
    # namesakes: 5% of people carry the name of someone else (other contacts, other company)
    twin = rng.random(n_people) < 0.05
    other = rng.integers(0, n_people, n_people)
    first = np.where(twin, first[other], first)
    last = np.where(twin, last[other], last)
    company = (
        pd.Series(np.array(WORDS, dtype=object)[rng.integers(0, len(WORDS), n_people)])
        + " "
        + pd.Series(np.array(WORDS, dtype=object)[rng.integers(0, len(WORDS), n_people)])
        + " "
        + pd.Series(idx % 997).astype(str)
    )
    company = company.where(rng.random(n_people) < 0.6, "")
    local = pd.Series([transliterate(f"{f}.{s}") for f, s in zip(first, last, strict=True)])
    local = local.str.replace(r"[^a-z.]", "", regex=True) + pd.Series(idx).astype(str)
    return pd.DataFrame(
        {
            "person": idx,
            "first": first,
            "last": last,
            "phone": "+79" + pd.Series(rng.integers(10**8, 10**9 - 1, n_people)).astype(str),
            "phone2": "+79" + pd.Series(rng.integers(10**8, 10**9 - 1, n_people)).astype(str),
            "local": local,
            "domain": DOMAINS[rng.integers(0, len(DOMAINS), n_people)],
            "company": company,
            "city": np.array(["Москва", "Казань", "Chișinău", "București"], dtype=object)[idx % 4],
        }
    )


def _typo(names: pd.Series, rng: np.random.Generator) -> pd.Series:
    pos = (rng.random(len(names)) * (names.str.len() - 2).clip(lower=1)).astype(int) + 1
    return pd.Series(
        [n[:p] + n[p + 1 :] if len(n) > 4 else n for n, p in zip(names, pos, strict=True)],
        index=names.index,
    )


def generate_duplicates(n: int, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_people = max(1, int(n / 1.6))
    people = _people(n_people, rng)
    visits = rng.choice([1, 2, 3, 4], size=n_people, p=[0.6, 0.25, 0.1, 0.05])
    rows = people.loc[people.index.repeat(visits)].reset_index(drop=True)
    first_visit = ~rows["person"].duplicated()
    kind = pd.Series(KINDS[rng.integers(0, len(KINDS), len(rows))]).where(~first_visit, "first")
    name = rows["first"] + " " + rows["last"]
    email = rows["local"] + "@" + rows["domain"]
    phone = rows["phone"].copy()
    company = rows["company"].copy()
    has_company = company != ""
    # a typo or swapped name only counts as a duplicate when the company shows it
    kind = kind.where(~(kind.isin(["typo", "swapped"]) & ~has_company), "same")
    m = kind == "phone_only"
    email[m] = ""
    m = kind == "email_only"
    phone[m] = ""
    email[m] = email[m].str.upper()
    m = kind == "second_phone"
    phone[m] = rows.loc[m, "phone2"]
    m = kind == "work_email"
    email[m] = (
        rows.loc[m, "local"]
        + "@"
        + rows.loc[m, "company"].str.split().str[0].str.lower().replace("", "corp")
        + ".example"
    )
    m = kind == "typo"
    name[m] = _typo(rows.loc[m, "first"], rng) + " " + rows.loc[m, "last"]
    phone[m] = ""
    email[m] = ""
    m = kind == "translit"
    name[m] = name[m].map(lambda s: transliterate(s).title())
    phone[m] = rows.loc[m, "phone2"]
    email[m] = rows.loc[m, "local"] + "@work.example"
    m = kind == "swapped"
    name[m] = rows.loc[m, "last"] + " " + rows.loc[m, "first"]
    phone[m] = ""
    email[m] = ""
    seconds = rng.integers(0, 60 * 86400, len(rows))
    created = (pd.Timestamp("2026-09-01", tz="UTC") + pd.to_timedelta(seconds, unit="s")).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    out = pd.DataFrame(
        {
            "lead_id": "gen:" + pd.Series(np.arange(len(rows))).astype(str),
            "source": SOURCES[rng.integers(0, len(SOURCES), len(rows))],
            "created_at": created,
            "name": name,
            "email": email.str.lower(),
            "email_raw": email,
            "phone": phone,
            "company": company,
            "city": rows["city"],
            "quality": "ok",
            "x_person": rows["person"].astype(str),
            "x_kind": kind,
        }
    )
    return out.sample(frac=1.0, random_state=seed).reset_index(drop=True).head(n)


def pairwise_scores(truth: pd.Series, predicted: pd.Series) -> tuple[float, float]:
    """Pairwise precision and recall of predicted groups against true groups."""

    def pairs(counts: pd.Series) -> int:
        return int((counts * (counts - 1) // 2).sum())

    both = pairs(pd.DataFrame({"t": truth, "p": predicted}).value_counts())
    predicted_pairs = pairs(predicted.value_counts())
    true_pairs = pairs(truth.value_counts())
    precision = both / predicted_pairs if predicted_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    return precision, recall


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 100_000
    target = Path(argv[1]) if len(argv) > 1 else Path(f"benchmarks/data/dupes_{n}.parquet")
    target.parent.mkdir(parents=True, exist_ok=True)
    generate_duplicates(n).to_parquet(target, index=False)
    print(f"wrote {n} leads to {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
