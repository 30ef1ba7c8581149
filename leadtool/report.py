"""The report: CPL, cost per valid/MQL/SQL lead, junk rate and conversion by source, campaign
and period, joined with spend — and its renderers (terminal, CSV, JSON, Markdown, XLSX, HTML).

Reports are aggregates only: no names, e-mails or phones ever reach them. Amounts in
different currencies are never added together unless an FX table converts them.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from leadtool.arrowtext import SPACE, to_arrow
from leadtool.errors import LeadtoolError
from leadtool.normalize import canonical_stamps, per_distinct, source_key
from leadtool.schema import snake_case
from leadtool.sources import load_yaml_data

# What leads are counted by. Campaigns, ad sets and ads are named in the spend reports too,
# and their spend joins by name (``NAMED_DIMENSIONS``); forms and UTM tags are the leads'
# alone, and spend lands on their "(none)" rows. Names group case- and space-blind, shown as
# the first lead (or spend row) spelled them.
EXTRA_DIMENSIONS = (
    "adset",
    "ad",
    "form",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_term",
)
DIMENSIONS = ("source", "medium", "campaign", *EXTRA_DIMENSIONS, "day", "week", "month")
NAMED_DIMENSIONS = ("campaign", *EXTRA_DIMENSIONS)
_PLURAL = {"adset": "ad sets", "ad": "ads"}
# Other names of a dimension (as typed, lower case, "_" read as a space).
_DIMENSION_WORDS = {"ad set": "adset", "ad group": "adset", "adgroup": "adset"}
COUNTS = ("leads", "junk", "valid", "unique", "iql", "mql", "sql", "won")
METRICS = (
    *COUNTS,
    "revenue",
    "spend",
    "currency",
    "cpl",
    "cost_per_valid",
    "cost_per_mql",
    "cost_per_sql",
    "junk_rate",
    "mql_rate",
    "sql_rate",
    "win_rate",
    "roas",
)
MONEY = ("revenue", "spend", "cpl", "cost_per_valid", "cost_per_mql", "cost_per_sql", "roas")
NONE_LABEL = "(none)"
TOTAL_LABEL = "(total)"
WON_COLUMNS = ("won", "converted", "is_won", "outcome", "успешно", "closed_won")
# A CRM's deal stage column (amoCRM's ``Этап сделки``, Bitrix24's ``Стадия сделки``,
# HubSpot's ``Deal Stage``, Pipedrive's ``Deal - Status``: open, won, lost): won where it
# holds a won stage (``qualify.outcomes_from``). The first that holds a closing stage is it.
STAGE_COLUMNS = (
    "этап_сделки",
    "стадия_сделки",
    "deal_stage",
    "dealstage",
    "deal_status",
    "stage",
    "этап",
    "стадия",
    "status",
    "статус",
)
REVENUE_COLUMNS = (
    "revenue",
    "amount",
    "deal_amount",
    "value",
    "deal_value",
    "сумма",
    "выручка",
    "бюджет",
)


@dataclass
class Report:
    """Every view of one report run."""

    by: tuple[str, ...]
    table: pd.DataFrame
    views: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    timezone: str = "UTC"  # the zone of the leads' days, weeks and months
    period: Period | None = None  # the days it covers, when not every lead's


@dataclass(frozen=True)
class Period:
    """The days a report covers, both ends included (ISO dates; ``None``: open), in the
    report's time zone — "November", "last week", as an analyst asks."""

    first: str | None = None
    last: str | None = None

    def __str__(self) -> str:
        if self.first and self.last:
            return f"{self.first} to {self.last}"
        return f"from {self.first}" if self.first else f"up to {self.last}"


_BOUND_RE = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?|(\d{4})-?W(\d{2})", re.IGNORECASE)
# Days named from today, for a nightly job's config: "yesterday", "7 days ago", "last month".
_RELATIVE_RE = re.compile(r"today|yesterday|(\d+) days? ago|(this|last) (week|month)")


def period_bound(text: str, end: bool = False, today: dt.date | None = None) -> str:
    """The day ``--from`` (or, with ``end``, ``--to``) names, as an ISO date: a date
    (2026-11-23), a month (2026-11: its first or last day) or an ISO week (2026-W47: its
    Monday or Sunday) — the labels the report's own periods carry — or a day named from
    ``today`` (the report's time zone's, by default the machine's): ``today``,
    ``yesterday``, ``7 days ago``, ``this week``, ``last week``, ``this month``, ``last
    month`` (a week or month: its first or last day, as above)."""
    spelled = " ".join(text.casefold().split())
    relative = _RELATIVE_RE.fullmatch(spelled)
    if relative:
        return _relative_day(relative, end, today or dt.date.today()).isoformat()
    found = _BOUND_RE.fullmatch(text.strip())
    try:
        if found is None:
            raise ValueError
        year, month, day, week_year, week = found.groups()
        if week:
            day_of = dt.date.fromisocalendar(int(week_year), int(week), 7 if end else 1)
        elif day:
            day_of = dt.date(int(year), int(month), int(day))
        else:
            day_of = _month_end(int(year), int(month), end)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a day, month or week such as 2026-11-23, 2026-11, 2026-W47 "
            "or yesterday, 7 days ago, last month"
        ) from None
    return day_of.isoformat()


def _month_end(year: int, month: int, end: bool) -> dt.date:
    """The first day of a month, or with ``end`` its last."""
    first = dt.date(year, month, 1)
    return (first + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1) if end else first


def _relative_day(found: re.Match[str], end: bool, today: dt.date) -> dt.date:
    days, which, span = found.groups()
    if days is not None:
        return today - dt.timedelta(days=int(days))
    if span is None:
        return today if found.group(0) == "today" else today - dt.timedelta(days=1)
    if span == "week":
        monday = today - dt.timedelta(days=today.weekday() + (7 if which == "last" else 0))
        return monday + dt.timedelta(days=6) if end else monday
    year, month = (today.year, today.month)
    if which == "last":
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return _month_end(year, month, end)


def today_in(timezone: str | None) -> dt.date:
    """Today's date where the report's days are counted (UTC by default)."""
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo(timezone or "UTC")).date()


def _within(
    frame: pd.DataFrame, column: str, period: Period, timezone: str
) -> tuple[pd.DataFrame, int]:
    """The rows of ``frame`` whose day (of ``column``, in ``timezone``) is in ``period``, and
    how many rows had no date to tell (left out). The days are compared once each."""
    codes, table = _days(text_column(frame, column), timezone)
    days = table["day"]
    inside = days.ne("")
    if period.first:
        inside &= days.ge(period.first)
    if period.last:
        inside &= days.le(period.last)
    undated = int(np.count_nonzero(codes == len(table) - 1))
    return frame[inside.to_numpy()[codes]], undated


def _in_period(
    leads: pd.DataFrame,
    spend: pd.DataFrame,
    period: Period,
    timezone: str,
    notes: list[str],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The leads created and the spend spent in ``period``; a note says how many of each
    it holds — and how many had no date, so were left out — so nothing goes unaccounted."""
    total = len(leads)
    leads, undated = _within(leads, "created_at", period, timezone)
    notes.append(
        f"period {period}: {len(leads)} of {total} leads"
        + (f" ({undated} without a date left out)" if undated else "")
    )
    if len(spend):
        kept, undated = _within(spend, "date", period, "UTC")  # the account's own days
        if undated:
            notes.append(f"{undated} spend rows without a date left out of the period")
        spend = kept
    return leads, spend


# Spend on this many days before the first lead or after the last is no longer a campaign's
# first quiet day and tonight's spend with its leads still to come, but reports of another
# period.
_DAYS_APART = 3


def _days_apart(lead_days: pd.Series, spend_days: pd.Series) -> list[str]:
    """A note when spend runs on days before the first lead's or after the last's: a month's
    spend report beside a week's leads makes every cost per lead several times what it was.
    ``lead_days``, ``spend_days``: ISO days, "" for none."""
    leads, spent = lead_days[lead_days != ""], spend_days[spend_days != ""]
    if not len(leads) or not len(spent):
        return []
    first, last = str(leads.min()), str(leads.max())
    outside = {d for d in spent.unique().tolist() if not first <= d <= last}
    if len(outside) < _DAYS_APART:
        return []
    return [
        f"spend on {len(outside)} days before the first lead or after the last (spend "
        f"{spent.min()} to {spent.max()}, leads {first} to {last}) is in the costs per lead: "
        f"give --from {first} --to {last} to compare the same days"
    ]


# --------------------------------------------------------------------------- inputs


def parse_dimensions(text: str) -> tuple[str, ...]:
    # each once, in the order given ("day,day" is the day)
    spelled = (" ".join(d.casefold().replace("_", " ").split()) for d in text.split(","))
    dims = tuple(dict.fromkeys(_DIMENSION_WORDS.get(d, d.replace(" ", "_")) for d in spelled if d))
    bad = [d for d in dims if d not in DIMENSIONS]
    if bad or not dims:
        raise LeadtoolError(
            f"unknown dimension {bad[0] if bad else text!r} (use {', '.join(DIMENSIONS)})"
        )
    return dims


def load_fx(frame: pd.DataFrame, name: str = "--fx") -> dict[str, float]:
    """FX table: ``currency, rate`` — the value of one unit in the report's base currency.
    ``name``: the file, as errors name it."""
    cols = {snake_case(str(c)): c for c in frame.columns}
    if "currency" not in cols or "rate" not in cols:
        raise LeadtoolError(
            f"{name}: expected columns currency and rate (one unit in the base currency)"
        )
    rates = {}
    for cur, rate in zip(frame[cols["currency"]], frame[cols["rate"]], strict=True):
        try:
            value = float(str(rate).replace(",", "."))
        except ValueError as exc:
            raise LeadtoolError(f"{name}: rate {rate!r} for {cur} is not a number") from exc
        if not math.isfinite(value) or value <= 0:
            raise LeadtoolError(f"{name}: rate {rate!r} for {cur} must be above zero")
        rates[str(cur).strip().upper()] = value
    return rates


def outcomes_table(frame: pd.DataFrame) -> tuple[pd.DataFrame, str | None, str | None]:
    """Find the won and revenue columns of an outcomes file (CRM deals export)."""
    from leadtool.qualify import holds_deal_stages

    cols = {snake_case(str(c)): c for c in frame.columns}
    won = next((cols[c] for c in WON_COLUMNS if c in cols), None)
    if won is None:  # a deals export: its stages say which deals were won
        stages = (cols[c] for c in STAGE_COLUMNS if c in cols)
        won = next((c for c in stages if holds_deal_stages(frame[c])), None)
    revenue = next((cols[c] for c in REVENUE_COLUMNS if c in cols), None)
    if won is None and revenue is None:
        raise LeadtoolError(
            "--outcomes: no won or revenue column "
            "(expected one of: won, converted, a deal stage, revenue, amount)"
        )
    return (
        frame.rename(columns={v: k for k, v in cols.items()}),
        won and snake_case(won),
        revenue and snake_case(revenue),
    )


# --------------------------------------------------------------------------- keys


@dataclass
class _SpendIndex:
    """What spend knows about campaigns, keyed ``"<source>\\x00<id or normalized name>"``:
    ids -> name, normalized name -> display name."""

    by_id: dict[str, str]
    by_name: dict[str, str]


def text_column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column as text, or empty text when the file lacks it (a stage was skipped)."""
    if name not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[name].fillna("").astype(str)


def _norm(text: pd.Series) -> pd.Series:
    # lower(), not casefold(): an Arrow kernel instead of Python per row; they differ only
    # for a few letters (ß) that campaign names on both sides spell the same way.
    text = text.fillna("").astype(str).str.strip().str.lower()
    return text.str.replace(f"[{SPACE}]+", " ", regex=True)


@cache
def _platform_aliases() -> dict[str, str]:
    return dict(load_yaml_data("spend_profiles.yml").get("spend_platform", {}))


def _platform(source: pd.Series) -> pd.Series:
    """Source key used to join spend: Meta bills Facebook and Instagram together."""
    aliases = _platform_aliases()
    return per_distinct(
        source.fillna("").astype(str), lambda s: aliases.get(source_key(s), source_key(s))
    )


def _days(dates: pd.Series, timezone: str = "UTC") -> tuple[np.ndarray, pd.DataFrame]:
    """Each row's day as a code into a table of the distinct days' day, ISO week and month;
    the table's last row is the blank period of rows without a date. Days are counted in
    ``timezone``: a Moscow team's lead of 01:30 on the 24th (22:30 UTC on the 23rd) is the
    24th's, as the ad platforms count their spend in the account's own days."""
    stamps = canonical_stamps(dates)  # leadtool's own times, read from their bytes
    if stamps is None:
        stamps = pd.to_datetime(
            dates.replace("", None), utc=True, errors="coerce", format="ISO8601"
        )
    if timezone != "UTC":  # local wall time, without a zone: midnight is never ambiguous
        stamps = stamps.dt.tz_convert(timezone).dt.tz_localize(None)
    codes, days = pd.factorize(stamps.dt.floor("D"))
    days = pd.DatetimeIndex(days)
    iso = days.isocalendar()
    labels = {
        "day": days.strftime("%Y-%m-%d"),
        "week": iso["year"].astype(str) + "-W" + iso["week"].astype(str).str.zfill(2),
        "month": days.strftime("%Y-%m"),
    }
    table = pd.DataFrame(
        {name: np.append(np.asarray(values, dtype=object), "") for name, values in labels.items()}
    )
    return np.where(codes < 0, len(table) - 1, codes), table


def _periods(dates: pd.Series) -> pd.DataFrame:
    """Day, ISO week and month of each row, worked out once per distinct day."""
    codes, table = _days(dates)
    return table.iloc[codes].set_axis(dates.index)


def _lookup(keys: pd.Series, table: dict[str, str], default: Any) -> pd.Series:
    """``table[key]`` per row (a hash lookup, no per-row Python), ``default`` where absent."""
    return keys.map(table).astype(object).fillna(default)


_KEY_SOURCES = ("source", "campaign", "utm_campaign", "campaign_id", "medium")
_KEY_LIMIT = 2**62  # a combined group key stays below this (int64, with room to multiply)


def _lead_groups(
    leads: pd.DataFrame,
    flags: pd.DataFrame,
    index: _SpendIndex,
    timezone: str = "UTC",
    extra: tuple[str, ...] = (),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Report keys (platform, medium, campaign resolved against spend, periods) and summed
    flags per distinct (key columns, day) — a million leads have a few thousand of those, and
    every view's counts are sums of these partial sums. The groups keep the order of their
    first lead, so a view's "first" campaign name is the one its first lead gave."""
    # (the extra dimensions asked for, only: a million leads' column takes 30-60 ms to number)
    sources = tuple(dict.fromkeys((*_KEY_SOURCES, *extra)))
    given = pd.DataFrame({c: text_column(leads, c) for c in sources}, index=leads.index)
    days, periods = _days(text_column(leads, "created_at"), timezone)
    # group = (day, then each key column), numbered as first seen: the codes are combined
    # into one integer (renumbered first only if it could outgrow int64), then factorized.
    groups, span = days.astype(np.int64), int(days.max(initial=0)) + 1
    for name in sources:
        codes, uniques = pd.factorize(given[name])
        width = max(len(uniques), 1)
        if span * width >= _KEY_LIMIT:
            groups, seen = pd.factorize(groups)
            span = len(seen)
        groups, span = groups * width + codes, span * width
    groups, _ = pd.factorize(groups)
    firsts = np.full(groups.max(initial=-1) + 1, len(groups))  # each group's first lead
    np.minimum.at(firsts, groups, np.arange(len(groups)))
    first = given.iloc[firsts].reset_index(drop=True)
    keys = pd.concat(
        [
            _campaign_keys(first, index),
            _named_keys({d: first[d] for d in extra}),
            periods.iloc[days[firsts]].reset_index(drop=True),
        ],
        axis=1,
    )
    return keys, _group_sums(flags, groups, len(firsts))


def _named_keys(named: dict[str, pd.Series]) -> pd.DataFrame:
    """Each named dimension as shown (trimmed) and as grouped (``_<name>_key``: lower case,
    spaces folded), as ``_campaign_keys`` gives the campaign."""
    columns: dict[str, pd.Series] = {}
    for name, values in named.items():
        shown = values.fillna("").astype(str).str.strip()
        columns[name], columns[f"_{name}_key"] = shown, _norm(shown)
    return pd.DataFrame(columns, index=next(iter(named.values())).index if named else None)


def _group_sums(flags: pd.DataFrame, groups: np.ndarray, count: int) -> pd.DataFrame:
    """``flags.groupby(groups).sum(min_count=1)`` for groups numbered 0..count-1 as first
    seen: the 0/1 count columns by ``np.bincount`` (one pass each, no sort; sums of integers
    below 2⁵³ are exact in its float64), columns with no value as NaN, and only the money
    and outcome columns that hold values through pandas (its float sums are compensated)."""
    sums: dict[str, Any] = {}
    pandas_sums: list[str] = []
    for name in flags.columns:
        values = flags[name].to_numpy()
        if values.dtype.kind in "iub":
            sums[name] = np.bincount(groups, weights=values, minlength=count).astype(np.int64)
        elif values.dtype.kind == "f" and np.isnan(values).all():
            sums[name] = np.full(count, np.nan)
        else:
            pandas_sums.append(name)
    if pandas_sums:
        summed = flags[pandas_sums].groupby(groups).sum(min_count=1)
        sums.update({name: summed[name].to_numpy() for name in pandas_sums})
    return pd.DataFrame({name: sums[name] for name in flags.columns})


def _campaign_keys(leads: pd.DataFrame, index: _SpendIndex) -> pd.DataFrame:
    def col(name: str) -> pd.Series:
        return text_column(leads, name)

    source = _platform(col("source"))
    name = col("campaign").where(col("campaign").str.strip() != "", col("utm_campaign"))
    key = _norm(name)
    cid = _norm(col("campaign_id"))
    by_id = _lookup(source + "\x00" + cid, index.by_id, "")
    by_utm_id = _lookup(source + "\x00" + key, index.by_id, "")
    resolved = by_id.where(by_id != "", by_utm_id)
    label = _lookup(source + "\x00" + key, index.by_name, name)
    campaign = resolved.where(resolved != "", label)
    keys = pd.DataFrame({"source": source, "medium": _norm(col("medium")), "campaign": campaign})
    keys["_campaign_key"] = _norm(keys["campaign"])
    return keys


def _spend_index(spend: pd.DataFrame) -> _SpendIndex:
    source = _platform(spend["source"])
    name = spend["campaign"].fillna("").astype(str).str.strip()
    ids, keys = _norm(spend["campaign_id"]), _norm(name)
    with_id = (ids != "") & (name != "")
    by_id = dict(zip(source[with_id] + "\x00" + ids[with_id], name[with_id], strict=True))
    named = keys != ""
    by_name = dict(zip(source[named] + "\x00" + keys[named], name[named], strict=True))
    return _SpendIndex(by_id, by_name)


# --------------------------------------------------------------------------- the report


def build_report(
    leads: pd.DataFrame,
    spend: pd.DataFrame | None = None,
    by: tuple[str, ...] = ("source", "campaign"),
    outcomes: pd.DataFrame | None = None,
    fx: dict[str, float] | None = None,
    timezone: str | None = None,
    period: Period | None = None,
) -> Report:
    """Aggregate leads (and spend) by ``by``; also every standard view (source, campaign,
    day, funnel) for the workbook and HTML renderers. Leads fall in the days, weeks and
    months of ``timezone`` (IANA name; UTC by default); spend's dates are the days the ad
    account reports in, taken as they are. With ``period``, only the leads and the spend
    of its days."""
    timezone = timezone or "UTC"
    spend = (
        spend
        if spend is not None
        else pd.DataFrame(
            columns=["date", "source", "campaign", "campaign_id", "spend", "currency"]
        )
    )
    spend = spend.fillna("").astype(object)
    notes: list[str] = []
    if period is not None and (period.first or period.last):
        leads, spend = _in_period(leads, spend, period, timezone, notes)
    else:
        period = None
    index = _spend_index(spend)
    extra = tuple(d for d in by if d in EXTRA_DIMENSIONS)
    keys, flags = _lead_groups(leads, _lead_flags(leads, outcomes), index, timezone, extra)
    spend_keys = _spend_keys(spend, index, extra)
    amounts, currency = _spend_amounts(spend, fx, notes)
    notes += _days_apart(keys["day"], spend_keys["day"][amounts.to_numpy() > 0])
    table = _aggregate(keys, flags, spend_keys, amounts, currency, by)
    report = Report(by=by, table=table, notes=notes, timezone=timezone, period=period)
    for name, dims in (
        ("by_source", ("source",)),
        ("by_campaign", ("source", "campaign")),
        ("by_day", ("day",)),
    ):
        report.views[name] = _aggregate(keys, flags, spend_keys, amounts, currency, dims)
    report.views["summary"] = _aggregate(keys, flags, spend_keys, amounts, currency, ())
    report.views["funnel"] = _funnel(report.views["summary"])
    report.views["junk_reasons"] = _junk_reasons(leads)
    if (currency.nunique() > 1) and not fx:
        notes.append(
            "spend is in several currencies; totals are per currency (give --fx to convert)"
        )
    if len(spend) and (currency == "").any():
        notes.append("some spend has no currency (give --currency to leadtool spend)")
    if len(spend) and "source" in by and (text_column(spend, "source").str.strip() == "").any():
        notes.append(
            f"some spend has no source: it is on the {NONE_LABEL} source rows, not its "
            "platform's (give --source to leadtool spend)"
        )
    for d in (d for d in ("adset", "ad") if d in extra):
        if len(spend) and (text_column(spend, d).str.strip() == "").any():
            notes.append(
                f"spend from reports without {_PLURAL[d]} is on the {NONE_LABEL} {d} rows "
                f"(export the spend by {d} to split it)"
            )
    return report


def _lead_flags(leads: pd.DataFrame, outcomes: pd.DataFrame | None) -> pd.DataFrame:
    def col(name: str) -> pd.Series:
        return text_column(leads, name)

    junk = col("quality").eq("junk")
    stage = col("stage")
    has_stage = "stage" in leads.columns
    primary = col("is_primary")
    unique = ~junk & primary.ne("false") if "is_primary" in leads.columns else ~junk
    flags = pd.DataFrame(
        {
            "leads": 1,
            "junk": junk.astype(int),
            "valid": (~junk).astype(int),
            "unique": unique.astype(int),
            # the funnel counts people: unique valid leads at each stage
            "iql": (unique & stage.isin(["IQL", "MQL", "SQL"])).astype(int)
            if has_stage
            else np.nan,
            "mql": (unique & stage.isin(["MQL", "SQL"])).astype(int) if has_stage else np.nan,
            "sql": (unique & stage.eq("SQL")).astype(int) if has_stage else np.nan,
            "won": np.nan,
            "revenue": np.nan,
        },
        index=leads.index,
    )
    if outcomes is not None:
        won, revenue = _join_outcomes(leads, outcomes)
        flags["won"] = won.fillna(0).where(unique, 0)
        flags["revenue"] = revenue.fillna(0).where(unique, 0)
    return flags


def _join_outcomes(leads: pd.DataFrame, outcomes: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    from leadtool.qualify import outcomes_from
    from leadtool.spend import parse_amounts

    table, won_col, revenue_col = outcomes_table(outcomes)
    won_values = outcomes_from(table[won_col]) if won_col else None
    revenue_values = parse_amounts(table[revenue_col]) if revenue_col else None
    if won_values is None and revenue_values is not None:
        won_values = (revenue_values.fillna(0) > 0).astype(float)
    elif revenue_values is not None and won_values is not None:
        revenue_values = revenue_values.where(won_values.eq(1))  # a lost deal keeps its budget
    won = pd.Series(np.nan, index=leads.index)
    revenue = pd.Series(np.nan, index=leads.index)
    matched = False
    for key in ("lead_id", "email", "phone"):
        if key not in leads.columns or key not in table.columns:
            continue
        theirs = _norm(table[key])
        ours = _norm(leads[key])
        ok = theirs != ""
        if won_values is not None:
            won = won.fillna(ours.map(won_values[ok].groupby(theirs[ok]).max()))
        if revenue_values is not None:
            revenue = revenue.fillna(ours.map(revenue_values[ok].groupby(theirs[ok]).sum()))
        matched = matched or bool(ours.isin(set(theirs[ok])).any())
    if not matched:
        raise LeadtoolError("--outcomes: no lead matched on lead_id, email or phone")
    return won, revenue


def _spend_keys(
    spend: pd.DataFrame, index: _SpendIndex, extra: tuple[str, ...] = ()
) -> pd.DataFrame:
    """The report keys of each spend row: its platform, campaign and the ad set and ad its
    report names (empty where it names none: a campaign-level report's spend is not split
    between ad sets); no medium, form or UTM tags — spend has none."""
    source = _platform(spend["source"])
    name = spend["campaign"].fillna("").astype(str).str.strip()
    keys = pd.DataFrame({"source": source, "medium": "", "campaign": name})
    keys["_campaign_key"] = _norm(name)
    named = _named_keys({d: text_column(spend, d) for d in extra}).set_axis(keys.index)
    periods = _periods(spend["date"].fillna("").astype(str))
    return pd.concat([keys, named, periods.set_axis(keys.index)], axis=1)


def _spend_amounts(
    spend: pd.DataFrame, fx: dict[str, float] | None, notes: list[str]
) -> tuple[pd.Series, pd.Series]:
    amount = pd.to_numeric(
        spend["spend"].astype(str).str.replace(",", "."), errors="coerce"
    ).fillna(0.0)
    currency = spend["currency"].fillna("").astype(str).str.upper()
    if fx:
        missing = sorted(set(currency[currency != ""]) - set(fx))
        if missing:
            raise LeadtoolError(f"--fx: no rate for {', '.join(missing)}")
        base = next((c for c, r in fx.items() if r == 1.0), "BASE")
        amount = amount * currency.map(lambda c: fx.get(c, 1.0))
        currency = pd.Series(base, index=spend.index, dtype=object)
        notes.append(f"spend converted to {base} with the --fx rates")
    return amount, currency


def _aggregate(
    keys: pd.DataFrame,
    flags: pd.DataFrame,
    spend_keys: pd.DataFrame,
    amounts: pd.Series,
    currency: pd.Series,
    dims: tuple[str, ...],
) -> pd.DataFrame:
    # A named dimension is grouped by its key and shown as first spelled (leads first).
    named = [d for d in dims if d in NAMED_DIMENSIONS]
    group_cols = [(f"_{d}_key" if d in NAMED_DIMENSIONS else d) for d in dims]
    lead_part = pd.concat([keys[group_cols + named], flags], axis=1)
    if group_cols:
        grouped = lead_part.groupby(group_cols, dropna=False)
        leads_g = grouped[list(flags.columns)].sum(min_count=1)
        for d in named:
            leads_g[d] = grouped[d].first()
    else:
        leads_g = pd.DataFrame([flags.sum(min_count=1)], index=pd.Index([TOTAL_LABEL], name="_all"))
    spend_part = pd.concat(
        [spend_keys[group_cols + named], amounts.rename("spend"), currency.rename("currency")],
        axis=1,
    )
    if group_cols:
        spend_g = _spend_by(spend_part, group_cols, named)
    else:
        spend_part["_all"] = TOTAL_LABEL
        spend_g = _spend_by(spend_part, ["_all"], [])
    merged = leads_g.merge(
        spend_g, how="outer", left_index=True, right_index=True, suffixes=("", "_spend")
    )
    for d in named:
        merged[d] = merged[d].where(merged[d].notna() & (merged[d] != ""), merged.get(f"{d}_spend"))
    merged = merged.reset_index()
    out = pd.DataFrame()
    for d in dims:
        out[d] = merged[d].fillna("").replace("", NONE_LABEL)
    if not dims:
        out["scope"] = TOTAL_LABEL
    for c in COUNTS:
        out[c] = merged[c] if c in merged.columns else np.nan
    for c in ("leads", "junk", "valid", "unique"):
        out[c] = out[c].fillna(0)
    out["revenue"] = merged["revenue"] if "revenue" in merged.columns else np.nan
    out["spend"] = merged["spend"]
    out["currency"] = merged["currency"].fillna("")
    return _metrics(out).sort_values(list(dims) or ["scope"], kind="stable").reset_index(drop=True)


def _spend_by(spend_part: pd.DataFrame, group_cols: list[str], named: list[str]) -> pd.DataFrame:
    """Spend per group; a group with spend in several currencies shows them side by side and
    no single total (amounts of different currencies are never added). ``named``: the
    dimensions shown as their first spend row spells them."""
    if spend_part.empty:
        cols = ["spend", "currency", *named]
        return pd.DataFrame(
            columns=cols,
            index=pd.MultiIndex.from_tuples([], names=group_cols)
            if len(group_cols) > 1
            else pd.Index([], name=group_cols[0]),
        )
    per_cur = (
        spend_part.groupby([*group_cols, "currency"], dropna=False)["spend"].sum().reset_index()
    )
    rows = []
    for key, part in per_cur.groupby(group_cols, dropna=False, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        if len(part) == 1:
            spend, cur = float(part["spend"].iloc[0]), str(part["currency"].iloc[0])
        else:
            spend = np.nan
            cur = "; ".join(
                f"{c or '?'} {s:.2f}" for c, s in zip(part["currency"], part["spend"], strict=True)
            )
        rows.append((*key, spend, cur))
    frame = pd.DataFrame(rows, columns=[*group_cols, "spend", "currency"]).set_index(group_cols)
    for d in named:
        frame[d] = spend_part.groupby(group_cols, dropna=False)[d].first()
    return frame


def _metrics(out: pd.DataFrame) -> pd.DataFrame:
    def div(a: pd.Series, b: pd.Series) -> pd.Series:
        a = pd.to_numeric(a, errors="coerce")
        b = pd.to_numeric(b, errors="coerce")
        return (a / b.where(b != 0)).astype(float)

    single = ~out["currency"].astype(str).str.contains(";", regex=False)
    spend = out["spend"].where(single)
    out["cpl"] = div(spend, out["leads"])
    out["cost_per_valid"] = div(spend, out["valid"])
    out["cost_per_mql"] = div(spend, out["mql"])
    out["cost_per_sql"] = div(spend, out["sql"])
    out["junk_rate"] = div(out["junk"], out["leads"])
    out["mql_rate"] = div(out["mql"], out["unique"])
    out["sql_rate"] = div(out["sql"], out["unique"])
    out["win_rate"] = div(out["won"], out["unique"])
    out["roas"] = div(out["revenue"], spend)
    return out


def _junk_reasons(leads: pd.DataFrame, top: int = 3) -> pd.DataFrame:
    """Why leads were junk: each reason clean gave the junk leads (``docs/checks.md``), how
    many junk leads have it, their share of the junk, and the sources with most of them — a
    source's junk rate says how much, this says what to fix (a form's bots, a partner's
    test leads, an ad's wrong audience). Empty without clean's columns."""
    columns = ["reason", "junk", "share", "sources"]
    if "quality" not in leads.columns or "reasons" not in leads.columns:
        return pd.DataFrame(columns=columns)
    junk = (text_column(leads, "quality") == "junk").to_numpy(dtype=bool)
    if not junk.any():
        return pd.DataFrame(columns=columns)
    parts = pc.split_pattern(to_arrow(text_column(leads, "reasons")[junk]), ";")
    reason_codes, reason_names = pd.factorize(pd.Series(pc.list_flatten(parts), dtype="str"))
    lead_of = np.asarray(pc.list_parent_indices(parts))  # each reason's junk lead
    sources = _platform(text_column(leads, "source")[junk]).replace("", NONE_LABEL)
    source_codes, source_names = pd.factorize(sources)
    named = np.array([name.strip() != "" for name in reason_names], dtype=bool)
    width = max(len(source_names), 1)
    pair = reason_codes.astype(np.int64) * width + source_codes[lead_of]
    counts = np.bincount(reason_codes, minlength=len(reason_names))
    by_source = np.bincount(pair, minlength=len(reason_names) * width).reshape(-1, width)
    order = [r for r in np.argsort(-counts, kind="stable") if named[r]]
    most = [
        ", ".join(
            f"{source_names[c]} {by_source[r, c]}"
            for c in np.argsort(-by_source[r], kind="stable")[:top]
            if by_source[r, c]
        )
        for r in order
    ]
    return pd.DataFrame(
        {
            "reason": [reason_names[r] for r in order],
            "junk": counts[order].astype(np.int64),
            "share": counts[order] / int(junk.sum()),
            "sources": most,
        },
        columns=columns,
    )


def _funnel(summary: pd.DataFrame) -> pd.DataFrame:
    row = summary.iloc[0] if len(summary) else pd.Series(dtype=float)
    steps = [
        ("leads", "all leads received"),
        ("valid", "not junk"),
        ("unique", "one per person"),
        ("iql", "IQL or better"),
        ("mql", "MQL or better"),
        ("sql", "SQL"),
        ("won", "won"),
    ]
    top = float(row.get("leads", 0) or 0)
    data = []
    for key, label in steps:
        value = row.get(key, np.nan)
        if isinstance(value, float) and math.isnan(value):
            continue
        data.append(
            {
                "step": key,
                "meaning": label,
                "count": int(value),
                "share": (value / top) if top else np.nan,
            }
        )
    return pd.DataFrame(data)


# --------------------------------------------------------------------------- renderers


def _as_text(table: pd.DataFrame, rate: str) -> pd.DataFrame:
    """Numbers as text: counts whole, money with 2 decimals, other figures with ``rate``;
    empty where a metric does not apply."""
    out = table.copy()
    for c in out.columns:
        if c in COUNTS or c == "count":
            spec = "d"
        elif c in MONEY:
            spec = ".2f"
        elif out[c].dtype.kind == "f":
            spec = rate
        else:
            continue
        out[c] = out[c].map(
            lambda v, s=spec: "" if pd.isna(v) else format(int(v) if s == "d" else v, s)
        )
    return out.fillna("")


def formatted(table: pd.DataFrame) -> pd.DataFrame:
    """For people: rates and shares as percentages."""
    return _as_text(table, ".1%")


def machine(table: pd.DataFrame) -> pd.DataFrame:
    """For CSV: rates as fractions with 4 decimals."""
    return _as_text(table, ".4f")


def to_json(report: Report) -> str:
    def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
        return [
            {str(k): (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}
            for r in frame.to_dict("records")
        ]

    doc = {
        "by": list(report.by),
        "timezone": report.timezone,
        "period": {
            "from": report.period.first if report.period else None,
            "to": report.period.last if report.period else None,
        },
        "rows": records(report.table),
        "notes": report.notes,
        "views": {k: records(v) for k, v in report.views.items()},
    }
    return json.dumps(doc, ensure_ascii=False, indent=2, default=float) + "\n"


def to_markdown(report: Report) -> str:
    days = f"Days in {report.timezone}" + (f", {report.period}." if report.period else ".")
    lines = [f"# Lead report by {', '.join(report.by)}", "", days, ""]
    lines += _md_table(formatted(report.table))
    lines += ["", "## Funnel", "", *_md_table(formatted(report.views["funnel"]))]
    reasons = report.views.get("junk_reasons")
    if reasons is not None and len(reasons):
        lines += ["", "## Why junk", "", *_md_table(formatted(reasons))]
    if report.notes:
        lines += ["", *[f"> {n}" for n in report.notes]]
    return "\n".join(lines) + "\n"


def _md_table(frame: pd.DataFrame) -> list[str]:
    cols = list(frame.columns)
    esc = lambda v: str(v).replace("|", "\\|")  # noqa: E731
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    lines += [
        "| " + " | ".join(esc(v) for v in row) + " |" for row in frame.itertuples(index=False)
    ]
    return lines


def workbook_sheets(report: Report) -> dict[str, pd.DataFrame]:
    """The XLSX workbook: one sheet per view."""
    main = "_".join(report.by)
    sheets = {
        "summary": report.views["summary"],
        "by_source": report.views["by_source"],
        "by_campaign": report.views["by_campaign"],
        "by_day": report.views["by_day"],
        "funnel": report.views["funnel"],
    }
    if len(report.views.get("junk_reasons", ())):
        sheets["junk_reasons"] = report.views["junk_reasons"]
    if main not in ("source", "source_campaign", "day"):
        sheets = {f"by_{main}"[:31]: report.table, **sheets}
    return sheets


# ---- HTML


def to_html(report: Report, title: str = "Lead report") -> str:
    """One self-contained page, readable offline: inline CSS and SVG charts, no scripts."""
    campaigns = report.views["by_campaign"]
    sources = report.views["by_source"]
    days = report.views["by_day"]
    funnel = report.views["funnel"]
    label = (campaigns["source"].astype(str) + " / " + campaigns["campaign"].astype(str)).tolist()
    parts = [
        f"<h1>{html.escape(title)}</h1>",
        _notes_html(report.notes),
        _cost_charts(campaigns, label),
        "<section><h2>Funnel</h2>",
        _bar_chart(
            "funnel-chart",
            funnel.get("step", pd.Series(dtype=object)).tolist(),
            [("leads", funnel.get("count", pd.Series(dtype=float)))],
        ),
        "</section><section><h2>Junk rate by source</h2>",
        _bar_chart(
            "junk-chart",
            sources["source"].tolist(),
            [("junk rate", sources["junk_rate"])],
            percent=True,
        ),
        "</section>",
        _junk_reasons_html(report.views.get("junk_reasons")),
        f"<section><h2>Leads per day ({html.escape(report.timezone)})</h2>",
        _bar_chart("daily-chart", days["day"].tolist(), [("leads", days["leads"])]),
        "</section>",
        f"<section><h2>By {html.escape(', '.join(report.by))}</h2>",
        _html_table(formatted(report.table)),
        "</section>",
    ]
    css = (
        "body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;"
        "font-size:.85rem}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}"
        "td:first-child,th:first-child{text-align:left}svg{max-width:100%;height:auto}"
        ".note{background:#fff6d5;padding:.5rem}"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{css}</style></head><body>\n"
        + "\n".join(parts)
        + "\n</body></html>\n"
    )


def _junk_reasons_html(reasons: pd.DataFrame | None) -> str:
    if reasons is None or not len(reasons):
        return ""
    return f"<section><h2>Why junk</h2>{_html_table(formatted(reasons))}</section>"


def _cost_charts(campaigns: pd.DataFrame, label: list[str]) -> str:
    """CPL and cost per SQL by campaign, one chart per currency: bars of different currencies
    on one axis would compare roubles with dollars."""
    labels = pd.Series(label, index=campaigns.index)
    has_cost = campaigns["cpl"].notna()
    currencies = sorted(c for c in campaigns.loc[has_cost, "currency"].unique() if c)
    if not currencies:
        return (
            "<section><h2>Cost per lead and per SQL by campaign</h2>"
            + _bar_chart("cpl-chart", [], [])
            + "</section>"
        )
    parts = []
    for i, currency in enumerate(currencies):
        rows = campaigns[has_cost & (campaigns["currency"] == currency)]
        chart_id = "cpl-chart" if i == 0 else f"cpl-chart-{i + 1}"
        parts.append(
            f"<section><h2>Cost per lead and per SQL by campaign, {html.escape(currency)}</h2>"
            + _bar_chart(
                chart_id,
                labels[rows.index].tolist(),
                [("CPL", rows["cpl"]), ("cost per SQL", rows["cost_per_sql"])],
                money=True,
            )
            + "</section>"
        )
    return "".join(parts)


def _notes_html(notes: list[str]) -> str:
    return "".join(f'<p class="note">{html.escape(n)}</p>' for n in notes)


def _html_table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_COLORS = ("#4c78a8", "#f58518", "#54a24b", "#e45756")


def _bar_chart(
    chart_id: str,
    labels: list[str],
    series: list[tuple[str, Any]],
    money: bool = False,
    percent: bool = False,
) -> str:
    """Horizontal bars, one group per label, one bar per series; values written beside."""
    values = [pd.to_numeric(pd.Series(list(s)), errors="coerce").tolist() for _, s in series]
    finite = [v for vs in values for v in vs if v == v and v is not None]
    if not labels or not finite:
        return (
            f'<svg id="{chart_id}" role="img" width="600" height="30">'
            '<text x="4" y="20">no data</text></svg>'
        )
    top = max(finite) or 1.0
    bar, gap, left, width = 14, 10, 220, 360
    group = bar * len(series) + gap
    height = group * len(labels) + 30
    out = [
        f'<svg id="{chart_id}" role="img" xmlns="http://www.w3.org/2000/svg" '
        f'width="{left + width + 120}" height="{height}" '
        f'viewBox="0 0 {left + width + 120} {height}">'
    ]
    for i, name in enumerate(series):
        out.append(
            f'<rect x="{left + i * 110}" y="4" width="10" height="10" fill="{_COLORS[i % 4]}"/>'
            f'<text x="{left + i * 110 + 14}" y="13" font-size="11">{html.escape(name[0])}</text>'
        )
    for row, text in enumerate(labels):
        y = 24 + row * group
        out.append(
            f'<text x="{left - 6}" y="{y + bar}" font-size="11" text-anchor="end">'
            f"{html.escape(str(text)[:40])}</text>"
        )
        for i, vs in enumerate(values):
            v = vs[row] if row < len(vs) else float("nan")
            if v != v or v is None:
                continue
            w = max(1.0, width * v / top)
            shown = f"{v:.1%}" if percent else (f"{v:,.2f}" if money else f"{v:,.0f}")
            out.append(
                f'<rect x="{left}" y="{y + i * bar}" width="{w:.1f}" height="{bar - 2}" '
                f'fill="{_COLORS[i % 4]}"><title>{html.escape(shown)}</title></rect>'
                f'<text x="{left + w + 4:.1f}" y="{y + i * bar + bar - 4}" font-size="10">'
                f"{html.escape(shown)}</text>"
            )
    out.append("</svg>")
    return "".join(out)
