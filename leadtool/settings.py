"""Checks of the settings people type — on the command line or in run's config file —
shared so that both say the same about the same mistake, before any file is written."""

from __future__ import annotations

import zoneinfo
from typing import Any

import pandas as pd


def region_code(value: str) -> str:
    """A phone region (ISO country code phonenumbers knows), upper-cased."""
    import phonenumbers

    code = str(value).strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"{value!r} is not a region code such as RU, RO, MD, US, GB")
    return code


def timezone_name(value: str) -> str:
    """An IANA time zone name."""
    try:
        zoneinfo.ZoneInfo(str(value))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"{value!r} is not an IANA time zone such as Europe/Moscow") from exc
    return str(value)


def as_of_stamp(value: Any) -> pd.Timestamp:
    """qualify's reference time and dedupe's night: ``now`` (or ``today``), ``yesterday``
    (this time a day ago: a nightly job re-running last night's file after midnight), a
    date or a date and time (UTC unless it says)."""
    text = str(value).strip()
    word = text.casefold()
    if word in ("now", "today"):
        return pd.Timestamp.now(tz="UTC")
    if word == "yesterday":
        return pd.Timestamp.now(tz="UTC") - pd.Timedelta(days=1)
    try:
        stamp = pd.Timestamp(text)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{value!r} is not a date such as 2026-11-23") from exc
    if pd.isna(stamp):
        raise ValueError(f"{value!r} is not a date such as 2026-11-23")
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def job_count(value: Any) -> int:
    """``--jobs``: a whole number of worker processes, 0 for one per core."""
    if isinstance(value, bool) or not str(value).strip().lstrip("-").isdigit():
        raise ValueError(f"{value!r} is not a whole number (0: one per core)")
    number = int(str(value).strip())
    if number < 0:
        raise ValueError(f"{value!r} is not a whole number (0: one per core)")
    return number
