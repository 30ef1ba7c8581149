"""The canonical lead columns every stage reads and writes (see docs/schema.md).

Columns are plain strings in every file: a missing value is an empty cell, booleans are
``true``/``false``, dates ISO-8601 UTC. Unknown input columns are kept as ``x_<snake_case>``.
"""

from __future__ import annotations

import re
import unicodedata

# name -> one-line meaning; the order is the column order of every output file.
LEAD_COLUMNS: dict[str, str] = {
    "lead_id": "stable id: `<source>:<id from the export>`, or `<source>:h<hash of file+row>`",
    "source": "lowercase platform key (facebook, instagram, google, yandex, vk, tilda, ...)",
    "medium": "channel type as far as the export tells (paid_social, cpc, organic, ...)",
    "campaign": "campaign name",
    "campaign_id": "campaign id, platform prefixes such as `c:` removed",
    "adset": "ad set / ad group name",
    "ad": "ad name",
    "form": "form name",
    "created_at": "submission time, ISO-8601 UTC (`2026-11-05T16:05:21Z`)",
    "name": "full name, whitespace-normalized, ALL-CAPS / all-lower title-cased",
    "first_name": "first name",
    "last_name": "last name",
    "email": "trimmed, lowercased, syntax-checked e-mail; empty when none or invalid",
    "phone": "E.164 phone (`+79161234567`); empty when none or not a valid number",
    "email_raw": "the e-mail as typed (of the first filled e-mail column, when several)",
    "phone_raw": "the phone as typed (of the first filled phone column, when several)",
    "company": "company name",
    "job_title": "job title / position",
    "city": "city",
    "country": "ISO-3166 alpha-2 country code",
    "message": "free-text comment or question",
    "consent_email": "true / false / empty",
    "consent_call": "true / false / empty",
    "ip": "submitter IP address (bot signal)",
    "user_agent": "submitter browser user agent (bot signal)",
    "time_to_submit": "seconds between form open and submit (bot signal)",
    "honeypot": "value of a hidden honeypot field (bot signal)",
    "budget": "BANT: budget answer as given",
    "authority": "BANT: authority / role answer as given",
    "need": "BANT: need answer as given",
    "timeframe": "BANT: timeframe answer as given",
    "utm_source": "utm_source",
    "utm_medium": "utm_medium",
    "utm_campaign": "utm_campaign",
    "utm_content": "utm_content",
    "utm_term": "utm_term",
    "landing_url": "landing page or referer URL",
    "is_test": "true when the platform marks the lead as a test",
    "is_organic": "true when the platform marks the lead as organic",
    "source_file": "lineage: input file name (with `#sheet` for spreadsheets)",
    "source_row": "lineage: 1-based data row in that file or sheet",
    "import_issues": (
        "`;`-joined import notes: short_row, long_row, bad_date, extra_phones, "
        "extra_emails, email_in_phone, phone_in_email, email_in_name, phone_in_name, "
        "email_repaired"
    ),
}

CANONICAL: tuple[str, ...] = tuple(LEAD_COLUMNS)

# Columns each stage adds (docs/schema.md describes them).
QUALITY_COLUMNS: tuple[str, ...] = ("quality", "reasons")  # clean
DEDUPE_COLUMNS: tuple[str, ...] = (  # dedupe
    "dup_group",
    "is_primary",
    "duplicate_of",
    "touches",
    "sources",
    "first_seen",
    "last_seen",
    "is_new",
)
QUALIFY_COLUMNS: tuple[str, ...] = ("score", "stage", "temperature", "bant", "score_reasons")
STAGE_COLUMN_MEANINGS: dict[str, str] = {
    "quality": "clean: ok / suspect / junk",
    "reasons": "clean: `;`-joined reason codes (docs/checks.md)",
    "dup_group": "dedupe: the person's id, stable across nights",
    "is_primary": "dedupe: true for the one lead kept per person",
    "duplicate_of": "dedupe: lead_id of the person's primary (or historical lead)",
    "touches": "dedupe: submissions of the person, history included",
    "sources": "dedupe: all sources of the person, `;`-joined",
    "first_seen": "dedupe: earliest created_at of the person",
    "last_seen": "dedupe: latest created_at of the person",
    "is_new": "dedupe: false when the person was in --history",
    "score": "qualify: points from the rules",
    "stage": "qualify: junk / IQL / MQL / SQL",
    "temperature": "qualify: cold / warm / hot",
    "bant": "qualify: letters of the BANT criteria met (B, A, N, T)",
    "score_reasons": "qualify: the rules that fired with their points",
}

# Columns a file must map at least one of to be taken as a lead export.
IDENTITY_COLUMNS: tuple[str, ...] = ("email", "phone", "name", "first_name", "last_name", "lead_id")

BOOL_COLUMNS: tuple[str, ...] = ("consent_email", "consent_call", "is_test", "is_organic")

_NON_WORD = re.compile(r"[^\w]+")


def snake_case(header: str) -> str:
    """``"What's your budget?"`` -> ``what_s_your_budget``; keeps Cyrillic and other letters."""
    text = unicodedata.normalize("NFKC", header).strip().casefold()
    text = _NON_WORD.sub("_", text).strip("_")
    return text or "column"


def extra_column_name(header: str) -> str:
    """Name under which an unmapped input column is kept."""
    return "x_" + snake_case(header)
