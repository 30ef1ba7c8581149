"""Safety of what leadtool writes: spreadsheet formula injection and personal data.

Lead forms are filled in by strangers, and their exports are opened in Excel by analysts: a
"name" of ``=HYPERLINK("http://evil","click")`` must not become a live formula there.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Callable, Iterable
from functools import cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from leadtool.arrowtext import (
    TEXT,
    cell_offsets,
    data_bytes,
    first_bytes,
    from_arrow,
    prefixed,
    to_arrow,
)

# OWASP "CSV injection": cells starting with these are formulas to a spreadsheet.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# ... except values that are plainly data: E.164 phones and plain (negative) numbers.
_SAFE = re.compile(r"(?:\+\d{6,15}|-?\d+(?:[.,]\d+)?)")
PERSONAL_COLUMNS = ("email", "email_raw", "phone", "phone_raw", "x_phone_extra", "x_email_extra")
# What a name field held when import found a contact in it: the contacts in it are masked.
_TYPED_NAME = "x_name_raw"
REDACT_MODES = ("mask", "hash")


def escape_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix formula-like text cells with a single quote (OWASP's advice), vectorized.

    ``+79161234567`` and ``-15.5`` stay as they are; ``=1+1``, ``@SUM(A1)``, ``-2+3``,
    ``+cmd|' /C calc'!A0`` become ``'=1+1`` … and show as text in Excel and LibreOffice.
    The first character of every cell is read straight from the Arrow buffers; only the
    cells that start like a formula are matched against the safe patterns. A cell that
    already starts with quotes and then a formula character (``'=x``) gets one more, so
    that ``unescape_formulas`` gives every cell back exactly as it was.
    """
    return _each_text_column(frame, _escaped_column)


def _escaped_column(text: pa.Array) -> pa.Array | None:
    """``escape_formulas`` of one column's text; None when no cell needs a quote."""
    risky = _formula_starts(text)
    if not risky.size:
        return None
    cells = from_arrow(text.take(pa.array(risky)))
    safe = np.where(
        cells.str.startswith("'").fillna(False).astype(bool).to_numpy(),  # only '=x …
        ~cells.str.match(_QUOTED).fillna(False).astype(bool).to_numpy(),
        cells.str.fullmatch(_SAFE.pattern).fillna(False).astype(bool).to_numpy(),
    )
    rows = risky[~safe]
    if not rows.size:
        return None
    flagged = np.zeros(len(text), dtype=bool)
    flagged[rows] = True
    escaped = prefixed("'", text.take(pa.array(rows)))
    return pc.replace_with_mask(text, pa.array(flagged), escaped)


def _each_text_column(
    frame: pd.DataFrame, change: Callable[[pa.Array], pa.Array | None]
) -> pd.DataFrame:
    """``frame`` with ``change`` of each text column's Arrow text (None: left as it is);
    copied (shallowly) only once a column changes — columns are replaced whole, never
    written into."""
    out = frame
    for column in frame.columns:
        values = frame[column]
        if values.dtype != object and not pd.api.types.is_string_dtype(values):
            continue
        changed = change(to_arrow(values))
        if changed is None:
            continue
        if out is frame:
            out = frame.copy(deep=False)
        out[column] = from_arrow(changed, frame.index)
    return out


_FORMULA_BYTE = np.zeros(256, dtype=bool)  # a lookup table: one gather, no sort or compare
_FORMULA_BYTE[np.frombuffer("".join(FORMULA_START).encode("ascii"), dtype=np.uint8)] = True
_FORMULA_BYTE[ord("'")] = True  # quotes before a formula character: see _QUOTED
# A cell escaped already, or quoted by its author, before a formula character.
_QUOTED = "'+[=+\\-@\t\r]"


def _formula_starts(text: pa.Array) -> np.ndarray:
    """Positions of the cells whose first byte starts a formula, or is a quote (an empty
    cell's is 0)."""
    return np.flatnonzero(_FORMULA_BYTE[first_bytes(text)])


def unescape_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """``escape_formulas`` undone: the quote it put before a formula-like cell taken off,
    so a stage reading another's CSV sees what was typed (``+7 916 …``, ``@ivan_petrov``
    in ``phone_raw``), as ``run`` passes it in memory. From the bytes: a cell is escaped
    when its first byte is a quote and its second a formula character (or more quotes,
    then one: told by a pattern); the quotes are dropped from the column's data buffer in
    one pass (``phone_raw`` is escaped in nearly every row)."""
    return _each_text_column(frame, _unescaped_column)


def _unescaped_column(text: pa.Array) -> pa.Array | None:
    escaped = _escaped_cells(text)
    return _without_first_byte(text, escaped) if escaped.any() else None


def _escaped_cells(text: pa.Array) -> np.ndarray:
    """Where a cell starts with a quote and then a formula character, or quotes and then
    one (``_QUOTED``)."""
    first = first_bytes(text)
    quoted = first == ord("'")
    if not quoted.any():
        return quoted
    offsets = cell_offsets(text)
    long_enough = np.diff(offsets) >= 2
    second = np.take(data_bytes(text), offsets[:-1] + 1, mode="clip")
    second[~long_enough] = 0
    escaped = quoted & _FORMULA_BYTE[second] & (second != ord("'"))
    more = np.flatnonzero(quoted & (second == ord("'")))  # ''=x: rare, by the pattern
    if more.size:
        cells = text.take(pa.array(more))
        escaped[more] = np.asarray(pc.match_substring_regex(cells, f"^{_QUOTED}"), dtype=bool)
    return escaped


def _without_first_byte(text: pa.Array, rows: np.ndarray) -> pa.Array:
    """``text`` with the first byte of the cells at ``rows`` (a mask) dropped: one pass over
    the data buffer and the offsets, no cell built anew. (A column with nulls, which no
    stage's CSV has, is sliced by Arrow instead.)"""
    if text.null_count:
        bare = pc.utf8_slice_codeunits(text, 1)
        return pc.if_else(pa.array(rows), bare, text)
    offsets = cell_offsets(text)
    data = data_bytes(text)[offsets[0] : offsets[-1]]
    keep = np.ones(len(data), dtype=bool)
    keep[offsets[:-1][rows] - offsets[0]] = False
    dropped = np.concatenate([[0], np.cumsum(rows, dtype=np.int64)])
    new_offsets = offsets - offsets[0] - dropped
    buffers = [None, pa.py_buffer(new_offsets), pa.py_buffer(data[keep])]
    return pa.Array.from_buffers(TEXT, len(text), buffers)


def redact(frame: pd.DataFrame, mode: str) -> pd.DataFrame:
    """Mask (``a***@example.com``, ``+7*******42``) or hash the e-mails and phones, so a
    file can be shared. Hashes are HMAC-SHA256 with the key in ``LEADTOOL_REDACT_KEY``: the
    same value gives the same hash (files still join), and without the key a phone's hash
    cannot be reversed by trying every number."""
    if mode not in REDACT_MODES:
        raise ValueError(f"redact mode must be one of {REDACT_MODES}")
    out = frame.copy()
    key = os.environ.get("LEADTOOL_REDACT_KEY", "").encode()
    for column, kind in personal_columns(out.columns).items():
        values = out[column].fillna("").astype(str)
        if kind == "within":  # the contacts within the text; a cell without one is kept
            out[column] = values.map(lambda v: _redact_within(v, mode, key))
        elif mode == "hash":
            out[column] = values.map(lambda v: _hash(v, key) if v else "")
        else:
            mask_one = _mask_email if kind == "email" else _mask_phone
            out[column] = values.map(lambda v, m=mask_one: ";".join(map(m, v.split(";"))))
    return out


def personal_columns(columns: Iterable[object]) -> dict[str, str]:
    """The columns of a lead file that hold e-mails or phones, each with how: ``email`` or
    ``phone`` (every cell one, or several joined by ``;``), or ``within`` (text that may hold
    one). The canonical ones, import's further numbers and addresses, and the x_ columns
    kept from a lead's further phone and e-mail headers (Bitrix24's ``Рабочий телефон`` and
    ``Частный e-mail``, a ``Phone 2``), told by their header as import tells them — the
    file may come from any stage; within: a name field that held a contact
    (``x_name_raw``), and kept columns whose header says phone or e-mail in other words
    (``data/privacy.yml``: "Company phone", "Viber", "Email opt out")."""

    found: dict[str, str] = {}
    for name in map(str, columns):
        if name in PERSONAL_COLUMNS:
            found[name] = "email" if "email" in name else "phone"
        elif name == _TYPED_NAME:
            found[name] = "within"
        elif name.startswith("x_") and (kind := _kept_contact(name[2:])):
            found[name] = kind
    return found


@cache
def _kept_contact(snake: str) -> str | None:
    """``phone`` or ``email`` for a kept column's name (without ``x_``) that holds them,
    ``within`` for one that may hold them in its text; None for any other."""
    from leadtool.sources import contact_header, load_yaml_data

    if kind := contact_header(snake.replace("_", " ")):
        return kind
    words = set(snake.split("_"))
    lists = load_yaml_data("privacy.yml")
    named = words & {*lists["email_words"], *lists["phone_words"]}
    return "within" if named else None


# An address as typed among other text (import takes it out of a name field, too).
ADDRESS_IN_TEXT = re.compile(r"[^\s,;<>()\[\]]+@[^\s,;<>()\[\]]+")
_NUMBER = re.compile(r"\+?[0-9][- ().0-9]{3,}[0-9]")


def _redact_within(text: str, mode: str, key: bytes) -> str:
    """``text`` with each address and number (five digits or more) in it masked; hashed
    whole when it holds one. Other cells (``true``, ``Select``) are left as they are."""
    masked = ADDRESS_IN_TEXT.sub(lambda m: _mask_email(m.group()), text)
    masked = _NUMBER.sub(
        lambda m: _mask_phone(m.group()) if len(re.sub(r"\D", "", m.group())) >= 5 else m.group(),
        masked,
    )
    if mode == "hash":  # (a cell that held a contact is one that masking changed)
        return _hash(text, key) if masked != text else text
    return masked


def _hash(value: str, key: bytes) -> str:
    return "h:" + hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:24]


def _mask_email(value: str) -> str:
    if "@" not in value:
        return "***" if value else ""
    local, _, domain = value.rpartition("@")
    return (local[:1] or "") + "***@" + domain


def _mask_phone(value: str) -> str:
    digits = [c for c in value if c.isdigit()]
    if len(digits) < 5:
        return "***" if value else ""
    return (
        ("+" if value.lstrip().startswith("+") else "")
        + digits[0]
        + "*" * (len(digits) - 3)
        + "".join(digits[-2:])
    )
