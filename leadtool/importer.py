"""The import stage: one raw table in, canonical leads out (a pure function, no I/O)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from leadtool import normalize as nz
from leadtool import threads
from leadtool.arrowtext import (
    INVISIBLE,
    SPACE,
    TEXT,
    Coded,
    cell_offsets,
    coalesce,
    coded,
    data_bytes,
    from_arrow,
    holds_any,
    join_coded,
    mask,
    prefixed,
    text_where,
    to_arrow,
)
from leadtool.errors import LeadtoolError, NotLeadsError
from leadtool.io import Table
from leadtool.privacy import ADDRESS_IN_TEXT
from leadtool.schema import BOOL_COLUMNS, CANONICAL, IDENTITY_COLUMNS, extra_column_name, snake_case
from leadtool.sha1hex import hex12
from leadtool.sources import (
    GENERIC,
    Profile,
    detect_profile,
    header_key,
    load_yaml_data,
    map_columns,
    profile_by_key,
)
from leadtool.threads import pool_for

TEST_LEAD_MARK = "<test lead"
# Columns import derives itself; written only when a row has something in them.
DERIVED = (
    "x_phone_extra",
    "x_email_extra",
    "x_created_at_raw",
    "x_country_raw",
    "x_name_raw",
    "x_extra_cells",
)

_EMPTY = pa.scalar("", TEXT)


@dataclass
class ImportOptions:
    """What the user can tell import beyond the file itself."""

    source: str | None = None
    region: str | None = None
    timezone: str | None = None
    mapping: dict[str, str | None] | None = None
    profile: str | None = None
    jobs: int = 1  # processes for the per-value phone / e-mail work


@dataclass
class ImportStats:
    """What import found and did for one table (the per-file summary)."""

    file: str
    profile: str
    encoding: str | None
    delimiter: str | None
    header_row: int
    header_col: int
    rows_read: int
    rows_written: int
    region: str | None
    region_from: str
    timezone: str
    phones_given: int = 0
    phones_valid: int = 0
    emails_given: int = 0
    emails_valid: int = 0
    dates_bad: int = 0
    ragged_rows: int = 0
    footer_rows: int = 0
    blank_rows: int = 0
    header_repeats: int = 0
    preamble: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def import_table(
    table: Table, options: ImportOptions | None = None
) -> tuple[pd.DataFrame, ImportStats]:
    """Map and normalize one table into canonical lead columns.

    Every record of the table becomes exactly one output row, in input order, with its
    lineage (``source_file``, ``source_row``); values that do not parse stay visible in
    the ``*_raw`` or ``x_`` columns and are noted in ``import_issues``.
    """
    options = options or ImportOptions()
    data = _blank_placeholders(table.data)
    headers = [str(c) for c in data.columns]
    profile = profile_by_key(options.profile) if options.profile else detect_profile(headers)
    mapping = map_columns(headers, profile, options.mapping)
    if not any(mapping.get(h) in IDENTITY_COLUMNS for h in headers):
        raise _not_leads(table, headers)
    ranked = _by_precedence(headers, mapping, profile)  # headers of one column, in order
    out, extras = _assemble(data, headers, mapping, ranked)
    ragged, shapes = _cell_texts(table.ragged)
    issues: list[Coded] = [(ragged, [f";{s}" if s else "" for s in shapes])]
    timezone = options.timezone or profile.timezone or "UTC"

    _strip_id_prefixes(out, extras, headers, mapping, profile)
    # Each row's country (ISO code) and the country its city tells, computed once: they
    # choose the file's phone region, each row's region, and the country column.
    countries, bad_countries = nz.normalize_countries(out["country"])
    city_regions = _city_regions(out["city"])
    region, region_from = _file_region(out, options, profile, countries, city_regions)
    row_regions = None if options.region else countries.where(countries != "", city_regions)
    # Phones, the longest step, run on a second thread while everything that does not need
    # them is normalized here: most of the work is in Arrow kernels, which release the GIL.
    # (With --jobs, the per-value work that remains goes to worker processes started by a
    # fork server, which is safe beside threads.)
    out["phone_raw"] = out["phone"]
    no_id = mask(pc.equal(to_arrow(out["lead_id"]), ""))
    row_numbers = np.asarray(table.rows, dtype=np.int64)
    hash_args = (table.label, row_numbers[no_id])
    with pool_for(len(data), 2, "leadtool-import") as pool:
        args = (out["phone_raw"], region, row_regions, options.jobs)
        phones = pool.submit(_phone_columns, *args)
        hashing = pool.submit(_hashed_ids, *hash_args)
        out["email_raw"], out["email"] = (
            out["email"],
            nz.normalize_emails(out["email"], options.jobs),
        )
        out["email"] = _valid_from_others(
            out["email"],
            out["email_raw"],
            [data[h] for h in ranked.get("email", [])[1:]],
            lambda values, _rows: nz.normalize_emails(values, options.jobs),
        )
        in_names = _contacts_in_names(out, region, row_regions, options.jobs)
        whole_names = _names(out)
        dates, bad_dates = nz.normalize_dates(out["created_at"], timezone, region)
        created_raw, out["created_at"] = out["created_at"].where(bad_dates, ""), dates
        country_raw, out["country"] = out["country"].where(bad_countries, ""), countries
        for col in BOOL_COLUMNS:
            out[col] = nz.normalize_bools(out[col])
        _test_marks(out)
        _time_to_submit(out, data, headers, profile)
        _utm_and_source(out, options, profile, _click_id_columns(data, headers))
        _lead_ids(out, profile, options, no_id, hashing.result())
        out["phone"], more = phones.result()

        def phones_at(values: pd.Series, rows: np.ndarray) -> pd.Series:
            """The E.164 phone of ``values``, the cells of rows ``rows`` (positions)."""
            regions = None if row_regions is None else row_regions.iloc[rows]
            return _phone_columns(values, region, regions, options.jobs)[0]

        ranked_phones = [data[h] for h in ranked.get("phone", [])[1:]]
        out["phone"] = _valid_from_others(out["phone"], out["phone_raw"], ranked_phones, phones_at)
        email_in_phone, phone_in_email = _swapped_contacts(out, phones_at, options.jobs)
        email_repaired = _repaired_emails(out, options.jobs)
        email_in_name, phone_in_name, more = in_names.fill(out, more)
        more_emails = nz.extra_emails(out["email_raw"], out["email"])
    issues.append(text_where(mask(pc.not_equal(to_arrow(more), "")), ";extra_phones"))
    issues.append(text_where(email_in_phone, ";email_in_phone"))
    issues.append(text_where(phone_in_email, ";phone_in_email"))
    issues.append(text_where(email_repaired, ";email_repaired"))
    issues.append(text_where(email_in_name, ";email_in_name"))
    issues.append(text_where(phone_in_name, ";phone_in_name"))
    issues.append(text_where(mask(pc.not_equal(to_arrow(more_emails), "")), ";extra_emails"))
    issues.append(text_where(bad_dates.to_numpy(dtype=bool), ";bad_date"))
    extras["x_phone_extra"] = more
    extras["x_email_extra"] = more_emails
    extras["x_created_at_raw"] = created_raw
    extras["x_country_raw"] = country_raw
    extras["x_name_raw"] = in_names.typed
    out["source_file"] = pd.Series(table.label, index=data.index, dtype="str")
    rows = pa.array(row_numbers).cast(TEXT)
    out["source_row"] = from_arrow(rows, data.index)
    out["import_issues"] = join_coded(issues, data.index, strip=";")
    extra = pa.array(table.extra, TEXT) if any(table.extra) else pa.repeat(_EMPTY, len(table.extra))
    extras["x_extra_cells"] = from_arrow(extra, data.index)
    frame = _finish(out, extras)
    mapped = _mapping_shown(mapping, ranked)
    if whole_names:  # (the first-name field held whole names: shown as what it became)
        mapped = {h: "name" if c == "first_name" else c for h, c in mapped.items()}
    stats = _stats(table, frame, profile, region, region_from, timezone, mapped, bad_dates)
    return frame, stats


# At least six digits and no "@": what the e-mail field holds when a phone was typed in it.
_PHONE_LIKE = "^[^@]*(?:[^0-9@]*[0-9]){6}[^@]*$"


def _swapped_contacts(
    out: dict[str, pd.Series],
    phones_of: Callable[[pd.Series, np.ndarray], pd.Series],
    jobs: int,
) -> tuple[np.ndarray, np.ndarray]:
    """An e-mail typed into the phone field, or a phone into the e-mail field (forms filled
    on a phone see both): where a lead's own column gave no valid value, the other field's
    cell fills it, if valid there. ``phone_raw`` and ``email_raw`` keep what each field
    held; returns where each happened, for ``import_issues``."""
    rows = np.flatnonzero(
        (out["email"] == "").to_numpy(dtype=bool)
        & mask(pc.match_substring(to_arrow(out["phone_raw"]), "@"))
    )
    email_in_phone = _filled_from(
        out, "email", rows, nz.normalize_emails(out["phone_raw"].iloc[rows], jobs)
    )
    typed = to_arrow(out["email_raw"])
    rows = np.flatnonzero(
        (out["phone"] == "").to_numpy(dtype=bool)
        & ~mask(pc.match_substring(typed, "@"))  # (most cells: an address, looked at no more)
        & mask(pc.not_equal(typed, ""))
    )
    rows = rows[mask(pc.match_substring_regex(typed.take(pa.array(rows)), _PHONE_LIKE))]
    phone_in_email = _filled_from(out, "phone", rows, phones_of(out["email_raw"].iloc[rows], rows))
    return email_in_phone, phone_in_email


# In a name field: an address, or a run of at least six digits (with what numbers are
# written with between them) — a contact typed where the name goes.
_CONTACT_IN_NAME = "@|[0-9](?:[- ().]*[0-9]){5}"
_EMPTY_BRACKETS = re.compile(r"\(\W*\)|\[\W*\]")
_NUMBER_TEXT = re.compile(r"(?:\b(?:tel|тел|phone|p)\b\.?:?\s*)?\+?[0-9][- ().0-9]{5,}[0-9]", re.I)


@dataclass
class _NamedContacts:
    """Contacts typed into name fields, found before the names are tidied (``ivan@mail.ru``
    would be title-cased) and put where they belong once the lead's own columns are known:
    they fill only what those left empty."""

    typed: pd.Series  # what each changed name field held ("" where none changed): x_name_raw
    email_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    emails: pd.Series = field(default_factory=lambda: pd.Series([], dtype="str"))
    phone_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    phones: pd.Series = field(default_factory=lambda: pd.Series([], dtype="str"))
    more_phones: pd.Series = field(default_factory=lambda: pd.Series([], dtype="str"))

    def fill(
        self, out: dict[str, pd.Series], more: pd.Series
    ) -> tuple[np.ndarray, np.ndarray, pd.Series]:
        """The e-mails and phones found, where the lead has none: where each filled, and the
        further numbers (``x_phone_extra``) with those of a name field that filled the
        phone ("Иван 8 916 …, 8 926 …")."""
        filled = []
        for column, rows, found in (
            ("email", self.email_rows, self.emails),
            ("phone", self.phone_rows, self.phones),
        ):
            empty = (out[column].iloc[rows] == "").to_numpy(dtype=bool)
            filled.append(_filled_from(out, column, rows[empty], found[empty]))
        took = filled[1][self.phone_rows]
        further = self.more_phones[took].to_numpy(dtype=object)
        if (further != "").any():
            values = more.to_numpy(dtype=object).copy()
            values[self.phone_rows[took]] = further
            more = pd.Series(values, index=more.index, dtype="str")
        return filled[0], filled[1], more


def _contacts_in_names(
    out: dict[str, pd.Series], region: str | None, row_regions: pd.Series | None, jobs: int
) -> _NamedContacts:
    """An e-mail or a phone typed into a name field (``ivan@mail.ru``, ``89161234567``,
    ``Иван 8 916 123-45-67``) is no name: it leaves the name field — what is left of the
    cell, if it holds letters, is the name — and fills the lead's e-mail or phone if they
    are empty (``_NamedContacts.fill``). Only a valid contact is taken; the field as typed
    is kept in ``x_name_raw``. Few cells qualify: a byte scan per name column finds the
    candidates (``_six_digits_or_at``), RE2 the cells among them, Python only those."""
    n = len(out["name"])
    typed: dict[int, str] = {}  # row -> the name field as typed, where it changed (few)
    emails: dict[int, str] = {}
    phones: dict[int, tuple[str, str]] = {}  # row -> (phone, further numbers)
    for column in ("name", "first_name", "last_name"):
        text = to_arrow(out[column])
        rows = _six_digits_or_at(text)
        if rows.size:
            picked = pc.match_substring_regex(text.take(pa.array(rows)), _CONTACT_IN_NAME)
            rows = rows[mask(picked)]
        if not rows.size:
            continue
        cells = out[column].iloc[rows]
        found_emails = nz.normalize_emails(cells, jobs)
        regions = None if row_regions is None else row_regions.iloc[rows]
        found_phones, found_more = _phone_columns(cells, region, regions, jobs)
        left = cells.to_numpy(dtype=object).copy()
        for at, (cell, email, phone, further) in enumerate(
            zip(
                cells.tolist(),
                found_emails.tolist(),
                found_phones.tolist(),
                found_more.tolist(),
                strict=True,
            )
        ):
            rest = ADDRESS_IN_TEXT.sub(" ", cell) if email else cell
            rest = _NUMBER_TEXT.sub(" ", rest) if phone else rest
            if rest == cell:
                continue
            row = int(rows[at])
            rest = _EMPTY_BRACKETS.sub(" ", rest)  # "Мария (тел. 8 903 …)"
            left[at] = " ".join(rest.split()).strip(" ,;:-–—/|") if _has_letter(rest) else ""
            typed.setdefault(row, cell)
            if email:
                emails.setdefault(row, email)
            if phone:
                phones.setdefault(row, (phone, further))
        at_rows = np.zeros(n, dtype=bool)
        at_rows[rows] = True
        out[column] = from_arrow(
            pc.replace_with_mask(
                to_arrow(out[column]), pa.array(at_rows), pa.array(left.tolist(), TEXT)
            ),
            out[column].index,
        )
    index = out["name"].index
    kept = pa.repeat(_EMPTY, n)  # (no Python string per row: most files)
    if typed:
        changed = np.zeros(n, dtype=bool)
        changed[list(typed)] = True
        order = sorted(typed)
        kept = pc.replace_with_mask(
            kept, pa.array(changed), pa.array([typed[r] for r in order], TEXT)
        )
    return _NamedContacts(
        typed=from_arrow(kept, index),
        email_rows=np.array(list(emails), dtype=np.int64),
        emails=pd.Series(list(emails.values()), dtype="str"),
        phone_rows=np.array(list(phones), dtype=np.int64),
        phones=pd.Series([p for p, _ in phones.values()], dtype="str"),
        more_phones=pd.Series([m for _, m in phones.values()], dtype="str"),
    )


def _six_digits_or_at(text: pa.Array) -> np.ndarray:
    """The rows whose cell holds an "@" or at least six ASCII digits — those
    ``_CONTACT_IN_NAME`` may match — from the bytes: such bytes are rare in names, so only
    the cells holding them are counted (a million names in some 15 ms, where RE2 over
    every cell takes 0.1 s)."""
    offsets = cell_offsets(text)
    raw = data_bytes(text)[offsets[0] : offsets[-1]]
    hits = np.flatnonzero(((raw - np.uint8(ord("0"))) < 10) | (raw == ord("@")))
    if not hits.size:
        return hits
    cells = np.searchsorted(offsets - offsets[0], hits, side="right") - 1
    weight = np.where(raw[hits] == ord("@"), 6, 1)  # a digit counts 1, an "@" enough alone
    counts = np.bincount(cells, weights=weight, minlength=len(text))
    return np.flatnonzero(counts >= 6)


def _has_letter(text: str) -> bool:
    return any(c.isalpha() for c in text)


def _repaired_emails(out: dict[str, pd.Series], jobs: int) -> np.ndarray:
    """Where the typed e-mail is invalid but one slip from an address (``repair_email``:
    ``ivan@mail,ru``, ``ivan[at]gmail.com``), that address fills ``email``; ``email_raw``
    keeps what was typed. Returns where, for ``import_issues``. Only the rows without a
    valid e-mail are looked at (a few in a file)."""
    typed = to_arrow(out["email_raw"])
    rows = np.flatnonzero(
        (out["email"] == "").to_numpy(dtype=bool)
        & mask(pc.not_equal(pc.utf8_trim_whitespace(typed), ""))
    )
    found = nz.per_distinct(out["email_raw"].iloc[rows], nz.repair_email, jobs)
    return _filled_from(out, "email", rows, found)


def _filled_from(
    out: dict[str, pd.Series], column: str, rows: np.ndarray, found: pd.Series
) -> np.ndarray:
    """``out[column]`` at ``rows`` set to ``found`` where that is a value; where it was."""
    filled = np.zeros(len(out[column]), dtype=bool)
    got = (found != "").to_numpy(dtype=bool) if len(rows) else np.zeros(0, dtype=bool)
    if got.any():
        filled[rows[got]] = True
        values = pc.replace_with_mask(
            to_arrow(out[column]), pa.array(filled), to_arrow(found).filter(pa.array(got))
        )
        out[column] = from_arrow(values, out[column].index)
    return filled


def _cell_texts(cells: list[str]) -> Coded:
    """A per-record list of the reader's (ragged shapes) as codes into its texts; a list of
    empty strings only — every record of a well-formed file — without turning a million
    Python strings into Arrow text (the extra cells are skipped the same way)."""
    if not any(cells):
        return np.zeros(len(cells), dtype=np.int64), [""]
    return coded(pa.array(cells, TEXT))


def combine(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate imported files: canonical columns first, x_ columns in first-seen order."""
    if not frames:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in CANONICAL})
    frame = pd.concat(frames, ignore_index=True, sort=False)
    return frame[_column_order(frame.columns)].fillna("")


# --------------------------------------------------------------------------- steps


def with_contact_keys(table: Table) -> pd.DataFrame:
    """An outcomes file (a CRM's deals export) with the keys its rows join leads on, in
    columns ``email`` and ``phone``: its e-mail and phone as import reads them — found by
    the same headers (``Рабочий e-mail``, ``Phone Number``), normalized the same way (``8
    (912) 345-67-89`` is ``+79123456789``, as the leads have it). Its ``lead_id`` column
    stays as it is: ids the import would make are not used, a CRM's deal ids not being its
    lead ids (Bitrix24 numbers both from 1). A table import cannot read as contacts (no
    e-mail, phone or name column) is returned as it is."""
    data = table.data
    try:
        imported, _ = import_table(table)
    except LeadtoolError:
        return data
    keys = {k: imported[k].to_numpy() for k in ("email", "phone") if (imported[k] != "").any()}
    kept = data.drop(columns=[c for c in data.columns if snake_case(str(c)) in keys])
    return kept.assign(**keys)


def _not_leads(table: Table, headers: list[str]) -> NotLeadsError:
    """The error for a table without a contact or name column, saying so when it is an
    ad-spend report (the most common wrong file: the night's exports share a folder)."""
    from leadtool.spend import detect_spend_profile

    where = f"{table.path}{'#' + table.sheet if table.sheet else ''}"
    spend = detect_spend_profile(headers)
    if spend is not None:
        return NotLeadsError(
            f"{where}: a spend report ({spend.label}), not leads; give it to leadtool spend, "
            "or to --spend of report and run",
            spend.key,
        )
    shown = ", ".join(headers[:8]) + (" …" if len(headers) > 8 else "")
    return NotLeadsError(
        f"{where}: no recognizable contact or name column (headers: {shown}); "
        "map one with --mapping"
    )


_TRIMMED = SPACE + INVISIBLE  # SPACE: what str.strip() trims, in Python and in Arrow


def _blank_placeholders(data: pd.DataFrame) -> pd.DataFrame:
    """ "Select", "n/a", "-" … read as empty; cells trimmed of surrounding whitespace and
    invisible characters (``INVISIBLE``: a pasted "\u202a+7 912 …\u202c" is a number, and a
    national one, only without them).

    A small file's columns go through the kernels end to end, as one array: run per column,
    each kernel's fixed cost came to 8 ms of a 50-row file's 50. A large file's columns are
    independent and the kernels release the GIL: two threads, both cores (this runs before
    import's other threads start)."""
    nulls = pa.array(sorted(nz.null_values()), TEXT)

    def blanked(values: pa.Array) -> pa.Array:
        trimmed = pc.utf8_trim(values, _TRIMMED)
        placeholder = pc.is_in(pc.utf8_lower(trimmed), value_set=nulls)
        return pc.if_else(placeholder, pa.scalar("", TEXT), trimmed)

    if len(data) < threads.SMALL_ROWS:
        texts = [to_arrow(data.iloc[:, i]) for i in range(data.shape[1])]
        whole = blanked(pa.concat_arrays(texts)) if texts else pa.array([], TEXT)
        ends = np.cumsum([len(t) for t in texts])
        columns = [whole.slice(end - len(t), len(t)) for end, t in zip(ends, texts, strict=True)]
    else:
        with pool_for(len(data), 2, "leadtool-blank") as pool:
            columns = list(
                pool.map(lambda i: blanked(to_arrow(data.iloc[:, i])), range(data.shape[1]))
            )
    return pd.DataFrame(
        {col: from_arrow(c, data.index) for col, c in zip(data.columns, columns, strict=True)},
        index=data.index,
    )


def _assemble(
    data: pd.DataFrame,
    headers: list[str],
    mapping: dict[str, str | None],
    ranked: dict[str, list[str]],
) -> tuple[dict[str, pd.Series], dict[str, pd.Series]]:
    """Canonical columns and x_ columns. Where several headers map to one column (a CRM's
    mobile, work and home phones), the first that the profile lists wins and the others
    fill its gaps in that order — not the export's column order: Bitrix24 puts the work
    phone, often an office's switchboard, before the person's mobile. The others are also
    kept as x_ columns. ``ranked``: ``_by_precedence``."""
    empty = pd.Series("", index=data.index, dtype="str")
    out: dict[str, pd.Series] = {c: empty for c in CANONICAL}
    extras: dict[str, pd.Series] = {}
    for h in headers:
        target = mapping.get(h)
        if target and target.startswith("x_"):
            extras[_unique(target, extras)] = data[h]
        elif target and ranked[target][0] == h:
            out[target] = data[h]
        else:
            extras[_unique(extra_column_name(h), extras)] = data[h]
    for target, ordered in ranked.items():
        for h in ordered[1:]:
            out[target] = out[target].mask(out[target].eq(""), data[h])
    return out, extras


def _by_precedence(
    headers: list[str], mapping: dict[str, str | None], profile: Profile
) -> dict[str, list[str]]:
    """Each canonical column's headers, the profile's own first in the profile's order,
    then the rest in the export's order — of phones, a mobile's header (``Mobile``,
    ``Мобильный телефон``: ``mobile_phone_headers`` in ``data/values.yml``) before the others
    the profile does not order: ``Work phone, Mobile phone`` gave the office's number."""
    rank = {key: i for i, key in enumerate(profile.columns)}
    last = len(rank)
    mobile = _mobile_phone_headers()
    ranked: dict[str, list[str]] = {}
    for h in headers:
        target = mapping.get(h)
        if target and not target.startswith("x_"):
            ranked.setdefault(target, []).append(h)
    for target, names in ranked.items():
        # stable: ties keep the file's order
        names.sort(
            key=lambda h: (
                rank.get(header_key(h), last),
                target == "phone" and header_key(h) not in mobile,
            )
        )
    return ranked


@cache
def _mobile_phone_headers() -> frozenset[str]:
    names = load_yaml_data("values.yml")["mobile_phone_headers"]
    return frozenset(header_key(str(h)) for h in names)


def _unique(name: str, taken: dict[str, pd.Series]) -> str:
    if name not in taken and name not in CANONICAL:
        return name
    i = 2
    while f"{name}_{i}" in taken:
        i += 1
    return f"{name}_{i}"


def _strip_id_prefixes(
    out: dict[str, pd.Series],
    extras: dict[str, pd.Series],
    headers: list[str],
    mapping: dict[str, str | None],
    profile: Profile,
) -> None:
    """Meta writes ids as ``l:123``, ``c:456``: keep the id itself."""
    if not profile.strip_id_prefixes:
        return
    for h in headers:
        if header_key(h) not in profile.strip_id_prefixes:
            continue
        target = mapping.get(h)
        if target in out:
            out[target] = _without_id_prefix(out[target])
        name = extra_column_name(h)
        if name in extras:
            extras[name] = _without_id_prefix(extras[name])


_ID_PREFIXES = ("l:", "ag:", "as:", "c:", "f:", "a:")  # none starts another


def _without_id_prefix(ids: pd.Series) -> pd.Series:
    """``ids.str.replace(r"^(?:l|ag|as|c|f|a):", "")`` as a test of each prefix and one
    slice of the cells that have it: a regex replace rebuilds every cell (0.15 s a
    column of 500,000 ids, five such columns in a Meta export)."""
    text = original = to_arrow(ids)
    for prefix in _ID_PREFIXES:  # each tested on the cell as it was: one prefix goes
        has = pc.starts_with(original, prefix)
        if pc.any(has).as_py():
            text = pc.if_else(has, pc.utf8_slice_codeunits(original, len(prefix)), text)
    return from_arrow(text, ids.index)


def _file_region(
    out: dict[str, pd.Series],
    options: ImportOptions,
    profile: Profile,
    countries: pd.Series,
    city_regions: pd.Series,
) -> tuple[str | None, str]:
    """Default phone region for numbers written without a country code, and why."""
    if options.region:
        return options.region.upper(), "--region"
    region = nz.most_common(countries)
    if region:
        return region, "country column"
    if profile.region:
        return profile.region, f"profile {profile.key}"
    region = nz.most_common(city_regions)
    if region:
        return region, "city column"
    candidates = load_yaml_data("regions.yml")["candidates"]
    texts = nz.clean_phone_text(out["phone"])
    region = nz.infer_phone_region(texts[texts != ""], candidates)
    if region:
        return region, "phone numbers"
    # Numbers typed in the e-mail or the name field (a form filled on a phone, a file whose
    # only field is "Имя"), which import takes as the leads' phones: their region too.
    for column in ("email", "name"):
        texts = out[column]
        typed = mask(pc.invert(pc.match_substring(to_arrow(texts), "@")))
        region = nz.infer_phone_region(texts[typed], candidates)
        if region:
            return region, f"phone numbers in the {column} field"
    return None, "none"


@cache
def _city_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for code, names in load_yaml_data("regions.yml")["cities"].items():
        for name in names:
            table[header_key(str(name))] = code
    return table


def _city_regions(cities: pd.Series) -> pd.Series:
    """The country a city names (``data/regions.yml``), "" when unknown."""
    table = _city_table()
    return nz.per_distinct(cities, lambda c: table.get(header_key(c), "") if c else "")


def _phone_columns(
    raw: pd.Series, region: str | None, row_regions: pd.Series | None, jobs: int = 1
) -> tuple[pd.Series, pd.Series]:
    """(E.164 phone, further numbers) of the cells as typed. A row's own region (country,
    else city; None under --region) beats the file's — unless its number is no number
    there and is one under the file's region: a lead of a Russian form who picked
    `Chișinău` from the city list and typed `8 (912) 345-67-89` gave a Russian mobile,
    which Moldova's numbering cannot read."""
    text = nz.clean_phone_text(raw)
    if row_regions is None:
        regions = pd.Series(region or "", index=raw.index, dtype="str")
        return nz.normalize_phones(text, regions, jobs)
    regions = row_regions.where(row_regions != "", region or "")
    phone, more = nz.normalize_phones(text, regions, jobs)
    if not region:
        return phone, more
    retry = np.flatnonzero(
        mask(pc.equal(to_arrow(phone), ""))
        & mask(pc.not_equal(to_arrow(text), ""))
        & mask(pc.not_equal(to_arrow(regions), region))
    )
    if not len(retry):
        return phone, more
    fallback = pd.Series(region, index=text.index[retry], dtype="str")
    found, found_more = nz.normalize_phones(text.iloc[retry], fallback, jobs)
    # (A further number is found only beside a first one: where no phone was, none was.)
    out = {"phone": phone, "more": more}
    _filled_from(out, "phone", retry, found)
    _filled_from(out, "more", retry, found_more)
    return out["phone"], out["more"]


def _valid_from_others(
    chosen: pd.Series,
    raw: pd.Series,
    others: list[pd.Series],
    normalize: Callable[[pd.Series, np.ndarray], pd.Series],
) -> pd.Series:
    """``chosen`` (a normalized column) where it holds a value; where the value its first
    filled header gave did not normalize (a mistyped mobile), the first of ``others`` — the
    headers behind it, in order (``_by_precedence``) — that does: a lead that gave a valid
    number keeps one. ``raw`` still shows what the first header held, and each other header
    is kept as an x_ column. ``normalize(values, rows)`` normalizes the values at ``rows``
    (positions); it sees only the few rows that need it."""
    if not others:
        return chosen
    missing = np.flatnonzero((chosen == "").to_numpy(dtype=bool) & (raw != "").to_numpy(dtype=bool))
    result, changed = to_arrow(chosen), False
    for other in others:
        if not len(missing):
            break
        given = other.iloc[missing]
        wanted = ((given != "") & (given != raw.iloc[missing])).to_numpy(dtype=bool)
        rows = missing[wanted]
        if not len(rows):
            continue
        found = to_arrow(normalize(given[wanted], rows))
        got = mask(pc.not_equal(found, ""))
        if got.any():
            where = np.zeros(len(chosen), dtype=bool)
            where[rows[got]] = True
            result = pc.replace_with_mask(result, pa.array(where), found.filter(pa.array(got)))
            missing, changed = np.setdiff1d(missing, rows[got], assume_unique=True), True
    return from_arrow(result, chosen.index) if changed else chosen


def _names(out: dict[str, pd.Series]) -> bool:
    """Names tidied and split; True where the file's only name field, headed as a first
    name, was read as the full name."""
    first, last, name = out["first_name"], out["last_name"], out["name"]
    whole = bool((first != "").any() and not (last != "").any() and not (name != "").any())
    if whole:
        # A form's one name field headed as a first name ("Ваше имя", "Prenume"): people
        # type their whole name in it. It is the file's only name: read as the full name.
        out["name"], out["first_name"] = first, last
    for col in ("first_name", "last_name"):
        out[col] = nz.normalize_names(out[col])
    # The full name tidied, and split where no part is given (its split is worked out with
    # the tidying, once per distinct name).
    name, split_first, split_last = nz.normalize_full_names(out["name"])
    first, last = out["first_name"], out["last_name"]
    out["name"] = nz.name_or_parts(name, first, last)
    need_split = ((first == "") & (last == "") & (out["name"] != "")).to_numpy(dtype=bool)
    if need_split.any():  # there the name is the tidied full name: take its split
        rows = pa.array(need_split)
        for column, parts in (("first_name", split_first), ("last_name", split_last)):
            replaced = pc.replace_with_mask(
                to_arrow(out[column]), rows, to_arrow(parts).filter(rows)
            )
            out[column] = from_arrow(replaced, out[column].index)
    return whole


def _test_marks(out: dict[str, pd.Series]) -> None:
    """Meta's ``<test lead: dummy data for …>`` values mark a test lead."""
    marked = pd.Series(False, index=out["name"].index)
    for col in ("name", "first_name", "last_name", "email_raw", "phone_raw"):
        if holds_any(to_arrow(out[col]), ("<",)):  # a byte scan rules most columns out
            marked |= out[col].str.contains(TEST_LEAD_MARK, case=False, regex=False)
    if marked.any():
        out["is_test"] = out["is_test"].mask(marked, "true")


def _time_to_submit(
    out: dict[str, pd.Series], data: pd.DataFrame, headers: list[str], profile: Profile
) -> None:
    if len(profile.time_to_submit) != 2 or (out["time_to_submit"] != "").any():
        return
    by_key = {header_key(h): h for h in headers}
    start_h, end_h = (by_key.get(k) for k in profile.time_to_submit)
    if start_h is None or end_h is None:
        return
    start = pd.to_datetime(data[start_h].replace("", None), errors="coerce")
    end = pd.to_datetime(data[end_h].replace("", None), errors="coerce")
    seconds = (end - start).dt.total_seconds()
    known = seconds.notna().to_numpy(dtype=bool)
    whole = pa.array(seconds.fillna(0).to_numpy(dtype=np.float64).astype(np.int64))  # as int()
    text = pc.if_else(pa.array(known), whole.cast(TEXT), pa.scalar("", TEXT))
    out["time_to_submit"] = from_arrow(text, data.index)


def _click_id_columns(data: pd.DataFrame, headers: list[str]) -> dict[str, pd.Series]:
    """The file's columns named after a click id (``gclid``, ``yclid``, ``fbclid``: a
    form's hidden fields), by parameter."""
    ids = {header_key(k): k for k in nz.click_ids()}
    return {ids[header_key(h)]: data[h] for h in headers if header_key(h) in ids}


def _utm_and_source(
    out: dict[str, pd.Series],
    options: ImportOptions,
    profile: Profile,
    clicks: dict[str, pd.Series],
) -> None:
    """Source, medium and campaign: the file's own, else its UTM tags (columns, or the
    landing URL's), else the click id an ad platform put in its link (``gclid`` → google,
    cpc), else the profile's."""
    if (out["landing_url"] != "").any():
        parsed = nz.utm_columns(out["landing_url"])
        for f in nz.UTM_FIELDS:
            out[f] = coalesce(out[f], parsed[f])
    clicked = nz.click_sources(clicks, out["landing_url"])
    if options.source:
        source = pd.Series(nz.source_key(options.source), index=out["source"].index, dtype="str")
    else:
        source = nz.normalize_sources(out["source"], profile.source_values)
        source = coalesce(source, nz.normalize_sources(out["utm_source"]))
        if clicked is not None:
            source = coalesce(source, clicked[0])
        source = coalesce(source, profile.source or "")
    out["source"] = source
    medium = coalesce(out["medium"], out["utm_medium"])
    if clicked is not None:  # where the click's platform is the lead's source
        medium = coalesce(medium, clicked[1].where(clicked[0] == source, ""))
    if profile.organic_medium:
        medium = medium.mask(out["is_organic"].eq("true") & medium.eq(""), profile.organic_medium)
    out["medium"] = coalesce(medium, profile.medium or "")
    out["campaign"] = coalesce(out["campaign"], out["utm_campaign"])


def _lead_ids(
    out: dict[str, pd.Series],
    profile: Profile,
    options: ImportOptions,
    no_id: np.ndarray,
    hashed: pa.Array,
) -> None:
    """``<namespace>:<export id>``, or the hashed id (``_hashed_ids``) where the export gave
    none (``no_id``).

    The namespace is the system that issued the id: the profile's own source for platform
    and CRM exports, else the --source or the lead's source.
    """
    if no_id.all():  # a file without ids (site forms): every id is a hashed one
        ids = hashed
    else:
        ids = to_arrow(out["lead_id"])
        if no_id.any():
            ids = pc.replace_with_mask(ids, pa.array(no_id), hashed)
    if profile.key != GENERIC and profile.source:
        joined = prefixed(f"{profile.source}:", ids)
    elif options.source:
        joined = prefixed(f"{nz.source_key(options.source)}:", ids)
    else:
        space = out["source"].where(out["source"] != "", "lead")
        joined = pc.binary_join_element_wise(to_arrow(space), ids, pa.scalar(":", TEXT))
    out["lead_id"] = from_arrow(joined, out["source"].index)


def _hashed_ids(label: str, rows: np.ndarray) -> pa.Array:
    """``h`` + 12 hex digits of SHA-1 of ``file:row``: the same lead gets the same id on every
    run, so nightly histories recognize it. Import runs it on a thread beside its Arrow
    work; ``sha1hex`` hashes all rows at once, mostly outside the interpreter lock."""
    numbers = pa.array(np.asarray(rows, dtype=np.int64)).cast(TEXT)
    return hex12("h", prefixed(f"{label}:", numbers))


def _finish(out: dict[str, pd.Series], extras: dict[str, pd.Series]) -> pd.DataFrame:
    """Canonical columns, then the input's x_ columns; derived notes only when used."""
    columns = {c: out[c] for c in CANONICAL}
    for name, series in extras.items():
        if name not in DERIVED or (series != "").any():
            columns[name] = series
    # Text columns in pandas' own string dtype (Arrow-backed on pandas 3): faster string
    # operations and far less memory than Python objects for every later stage.
    return pd.DataFrame(columns).fillna("").astype("str")


def _column_order(columns: Any) -> list[str]:
    names = [str(c) for c in columns]
    return [c for c in CANONICAL if c in names] + [c for c in names if c not in CANONICAL]


def _stats(
    table: Table,
    frame: pd.DataFrame,
    profile: Profile,
    region: str | None,
    region_from: str,
    timezone: str,
    mapping: dict[str, str],
    bad_dates: pd.Series,
) -> ImportStats:
    return ImportStats(
        file=table.label,
        profile=profile.key,
        encoding=table.encoding,
        delimiter=table.delimiter,
        header_row=table.header_row,
        header_col=table.header_col,
        rows_read=len(table.rows),
        rows_written=len(frame),
        region=region,
        region_from=region_from,
        timezone=timezone,
        # given: the leads that typed one anywhere (a phone in the e-mail or name field too)
        phones_given=int(((frame["phone_raw"] != "") | (frame["phone"] != "")).sum()),
        phones_valid=int((frame["phone"] != "").sum()),
        emails_given=int(((frame["email_raw"] != "") | (frame["email"] != "")).sum()),
        emails_valid=int((frame["email"] != "").sum()),
        dates_bad=int(bad_dates.sum()),
        ragged_rows=len(table.ragged) - table.ragged.count(""),
        footer_rows=table.footer_rows,
        blank_rows=table.blank_rows,
        header_repeats=table.header_repeats,
        preamble=table.preamble,
        mapping=mapping,
    )


def _mapping_shown(mapping: dict[str, str | None], ranked: dict[str, list[str]]) -> dict[str, str]:
    """What each header became, as ``inspect`` and ``-v`` show it; a header that only fills
    another's empty cells says so (a Bitrix24 work phone behind the mobile)."""
    shown = {h: (t or extra_column_name(h)) for h, t in mapping.items()}
    for target, ordered in ranked.items():
        for i, h in enumerate(ordered[1:], start=1):
            before = ", ".join(ordered[:i])
            empty = "is empty" if i == 1 else "are empty"
            shown[h] = f"{target} where {before} {empty}; kept as {extra_column_name(h)}"
    return shown
