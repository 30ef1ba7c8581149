"""Ad-spend exports (Meta Ads Manager, Google Ads, Yandex Direct, VK Ads, generic) into
canonical spend: ``date, source, campaign, campaign_id, spend, currency, impressions, clicks``.

Recognition and header meanings live in ``data/spend_profiles.yml``. Reading (encodings,
report title lines, ``Итого`` rows) is the I/O module's job; this module maps and parses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from leadtool.errors import LeadtoolError
from leadtool.io import Table
from leadtool.normalize import normalize_dates, per_distinct, source_key
from leadtool.sources import header_key, load_yaml_data

SPEND_COLUMNS = (
    "date",
    "source",
    "campaign",
    "campaign_id",
    "adset",
    "ad",
    "spend",
    "currency",
    "impressions",
    "clicks",
)
_PAREN = re.compile(r"^(.*?)\s*\(([^)]*)\)\s*$")


@dataclass(frozen=True)
class SpendProfile:
    key: str
    label: str
    source: str | None
    match_all: tuple[str, ...]
    match_any: tuple[tuple[str, ...], ...]
    columns: dict[str, tuple[str, ...]]
    # Whose order slash dates follow where the column cannot tell (11/1 and 11/2 only):
    # LinkedIn writes M/D/YYYY whatever the account's country.
    date_region: str | None = None

    def fits(self, keys: set[str]) -> bool:
        if self.match_all and not all(k in keys for k in self.match_all):
            return False
        if self.match_any and not any(all(k in keys for k in group) for group in self.match_any):
            return False
        return bool(self.match_all or self.match_any)


@dataclass
class SpendStats:
    file: str
    profile: str
    rows: int
    total: dict[str, float] = field(default_factory=dict)
    currency_from: str = ""
    # Rows of spend that no lead can be joined with (no source), or that no period holds.
    no_source: int = 0
    no_date: int = 0


@cache
def spend_profiles() -> tuple[SpendProfile, ...]:
    doc = load_yaml_data("spend_profiles.yml")
    return tuple(
        SpendProfile(
            key=p["key"],
            label=p["label"],
            source=p.get("source"),
            match_all=tuple(header_key(h) for h in p.get("match", ())),
            match_any=tuple(tuple(header_key(h) for h in g) for g in p.get("match_any", ())),
            columns={f: tuple(header_key(h) for h in hs) for f, hs in p["columns"].items()},
            date_region=p.get("date_region"),
        )
        for p in doc["profiles"]
    )


@cache
def _currency_words() -> dict[str, str]:
    table: dict[str, str] = {}
    for code, words in load_yaml_data("spend_profiles.yml")["currencies"].items():
        table[code.casefold()] = code
        for w in words:
            table[str(w).casefold()] = code
    return table


@cache
def _iso_codes() -> frozenset[str]:
    return frozenset(str(load_yaml_data("spend_profiles.yml")["iso_4217"]).split())


def currency_code(text: str) -> str | None:
    """The ISO 4217 code ``text`` gives: a code in any case (``usd``), or a word or sign of
    ``data/spend_profiles.yml`` (``RUR``, the ruble's code before 1998 that Russian systems
    still write; ``руб``; ``€``); None when it is neither — ``RUS`` is a country, not a
    currency, and amounts labelled so could never be converted or compared."""
    code = text.strip().upper()
    if code in _iso_codes():
        return code
    return _currency_words().get(text.strip().casefold())


def currency_of(text: str) -> str:
    """A currency code named or signed in text ("(USD)", "руб.", "€"), or ""."""
    words = _currency_words()
    folded = text.casefold().strip()
    if folded in words:
        return words[folded]
    for word, code in sorted(words.items(), key=lambda kv: -len(kv[0])):
        if len(word) >= 3 and re.search(rf"(?<![a-zа-я]){re.escape(word)}", folded):
            return code
        if len(word) < 3 and not word.isalpha() and word in folded:
            return code
    return ""


def split_header(header: str) -> tuple[str, str]:
    """ "Amount spent (USD)" -> ("Amount spent", "USD")."""
    m = _PAREN.match(header.strip())
    return (m.group(1), m.group(2)) if m else (header.strip(), "")


def detect_spend_profile(headers: list[str]) -> SpendProfile | None:
    """The first profile the headers fit. A table with a column of sources (``Source``,
    ``Источник``: ``sheet_source_headers`` in ``data/spend_profiles.yml``) is a sheet of one's
    own across platforms, whatever else its headers share with one platform's report:
    ``Date, Source, Campaign name, Cost`` had every row's spend put on Yandex Direct, whose
    API names its columns so."""
    keys = {header_key(split_header(h)[0]) for h in headers} | {header_key(h) for h in headers}
    sourced = any(k in keys for k in _source_headers())
    return next((p for p in spend_profiles() if p.fits(keys) and not (sourced and p.source)), None)


@cache
def _source_headers() -> frozenset[str]:
    names = load_yaml_data("spend_profiles.yml")["sheet_source_headers"]
    return frozenset(header_key(str(h)) for h in names)


def parse_amount(text: str) -> float:
    """Money or a count as written: "1,250.50", "1 234,56", "500,50", "$1,250", "-" -> NaN;
    an accountant's negative in brackets, "(100.00)" (a refund, a credit), -> -100."""
    bracketed = bool(re.fullmatch(r"\s*\(.*\d.*\)\s*", text))
    cleaned = re.sub(r"[^\d,.\-]", "", text.replace("\u00a0", " ").replace(" ", ""))
    if cleaned in ("", "-", ".", ","):
        return float("nan")
    negative = cleaned.startswith("-") or bracketed
    cleaned = cleaned.lstrip("-").replace("-", "")
    if "," in cleaned and "." in cleaned:
        decimal = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        cleaned = cleaned.replace(thousands, "").replace(decimal, ".")
    elif "," in cleaned:
        parts = cleaned.split(",")
        if len(parts) > 2 or len(parts[-1]) == 3:
            cleaned = cleaned.replace(",", "")  # 1,250 / 1,250,000: thousands
        else:
            cleaned = cleaned.replace(",", ".")  # 500,50: decimal comma
    elif cleaned.count(".") > 1:
        cleaned = cleaned.replace(".", "")  # 1.250.000
    try:
        value = float(cleaned)
    except ValueError:
        return float("nan")
    return -value if negative else value


def parse_amounts(values: pd.Series) -> pd.Series:
    return per_distinct(values.fillna("").astype(str), parse_amount).astype(float)


def spend_table(
    table: Table, currency: str | None = None, source: str | None = None
) -> tuple[pd.DataFrame, SpendStats]:
    """Map one spend export to canonical spend. Raises LeadtoolError when nothing fits."""
    headers = [str(c) for c in table.data.columns]
    profile = detect_spend_profile(headers)
    if profile is None:
        shown = ", ".join(headers[:8])
        raise LeadtoolError(
            f"{table.path}: not a spend report (headers: {shown}); "
            "expected a cost / spend / расход column"
        )
    found = _find_columns(headers, profile)
    data = table.data
    n = len(data)

    def column(name: str) -> pd.Series:
        header = found.get(name)
        if header is None:
            return pd.Series("", index=data.index, dtype=object)
        return data[header].fillna("").astype(str).str.strip()

    spend = parse_amounts(column("spend"))
    currency_col, currency_from = _currencies(column, found, currency, data.index)
    dates, _ = normalize_dates(column("date"), "UTC", profile.date_region)
    out = pd.DataFrame(
        {
            "date": dates.str[:10],
            "source": _sources(column("source"), source, profile, data.index),
            "campaign": column("campaign"),
            "campaign_id": column("campaign_id").str.replace(r"^c:", "", regex=True),
            "adset": column("adset"),
            "ad": column("ad"),
            "spend": spend.map(lambda v: "" if np.isnan(v) else f"{v:.2f}"),
            "currency": currency_col,
            "impressions": _counts(column("impressions")),
            "clicks": _counts(column("clicks")),
        }
    )
    totals = pd.DataFrame({"c": currency_col, "s": spend}).groupby("c")["s"].sum()
    stats = SpendStats(
        file=table.label,
        profile=profile.key,
        rows=n,
        total={str(k): round(float(v), 2) for k, v in totals.items()},
        currency_from=currency_from,
        no_source=int(out["source"].eq("").sum()),
        no_date=int(out["date"].eq("").sum()),
    )
    return out, stats


def _find_columns(headers: list[str], profile: SpendProfile) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, keys in profile.columns.items():
        for h in headers:
            base = header_key(split_header(h)[0])
            if (base in keys or header_key(h) in keys) and name not in found:
                found[name] = h
    if "spend" not in found:
        raise LeadtoolError(f"no spend column among {', '.join(headers[:8])}")
    return found


def _currencies(
    column: Any, found: dict[str, str], currency: str | None, index: pd.Index
) -> tuple[pd.Series, str]:
    if currency:
        code = currency_code(currency) or currency.upper()
        return pd.Series(code, index=index, dtype=object), "--currency"
    if "currency" in found:
        codes = per_distinct(column("currency"), lambda t: currency_of(t) or t.upper())
        return codes, "currency column"
    in_header = currency_of(split_header(found["spend"])[1]) or currency_of(found["spend"])
    if in_header:
        return pd.Series(in_header, index=index, dtype=object), "spend header"
    signs = per_distinct(column("spend"), currency_of)
    if (signs != "").any():
        return signs, "amount signs"
    return pd.Series("", index=index, dtype=object), "unknown"


def _sources(
    values: pd.Series, source: str | None, profile: SpendProfile, index: pd.Index
) -> pd.Series:
    if source:
        return pd.Series(source_key(source), index=index, dtype=object)
    keyed = per_distinct(values, source_key)
    return keyed.where(keyed != "", profile.source or "")


def _counts(values: pd.Series) -> pd.Series:
    numbers = parse_amounts(values)
    return numbers.map(lambda v: "" if np.isnan(v) else str(round(v)))


def combine_spend(frames: list[pd.DataFrame]) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in SPEND_COLUMNS})
    return pd.concat(frames, ignore_index=True)[list(SPEND_COLUMNS)].fillna("")


def spend_frame(table: Table) -> pd.DataFrame:
    """Canonical spend from a table: a file ``leadtool spend`` wrote is taken as it is, any
    other export is recognized and mapped."""
    return spend_frame_and_profile(table)[0]


def spend_frame_and_profile(table: Table) -> tuple[pd.DataFrame, str]:
    """``spend_frame``, and the profile it was read by (``canonical`` for a file ``leadtool
    spend`` wrote)."""
    if {"spend", "source", "campaign"} <= set(table.data.columns):
        return read_spend_frame(table.data), "canonical"
    frame, stats = spend_table(table)
    return frame, stats.profile


def read_spend_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A canonical spend file read back (from ``leadtool spend``), checked."""
    missing = {"spend", "source", "campaign"} - set(frame.columns)
    if missing:
        raise LeadtoolError(f"not a canonical spend file: missing {', '.join(sorted(missing))}")
    out = frame.fillna("").astype(object)
    for c in SPEND_COLUMNS:
        if c not in out.columns:
            out[c] = ""
    return out[list(SPEND_COLUMNS)]
