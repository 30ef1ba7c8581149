"""All file reading and writing: formats, encodings, delimiters, header search, stdin/stdout.

Stages never touch files; they get DataFrames from :func:`read_tables` and hand results to
:func:`write_table`. Every cell read here is a string (empty string for an empty cell), so
nothing typed by a person is reinterpreted before the normalizers see it.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import errno
import gc
import io
import json
import logging
import math
import mmap
import os
import re
import shutil
import stat
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from leadtool.arrowtext import (
    TEXT,
    byte_size,
    cell_offsets,
    data_bytes,
    first_bytes,
    holds_any,
    mask,
    to_arrow,
)
from leadtool.errors import LeadtoolError, os_reason
from leadtool.htmltable import declared_charset, html_tables, looks_like_html
from leadtool.privacy import escape_formulas, unescape_formulas

try:
    import fcntl  # Unix: the output file's access mode
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)
T = TypeVar("T")
STDIN = "-"
READ_FORMATS = ("csv", "tsv", "txt", "xlsx", "json", "jsonl", "parquet", "html")
WRITE_FORMATS = ("csv", "tsv", "jsonl", "parquet", "xlsx")
DELIMITERS = (",", ";", "\t", "|")
SNIFF_BYTES = 256 * 1024
SNIFF_RECORDS = 60
XLSX_MAX_ROWS = 1_048_575
# A real XLSX unpacks to a few times its size; a zip bomb to thousands of times.
XLSX_MAX_UNPACKED = 2_000_000_000
XLSX_MAX_RATIO = 200
# Free-text answers can be long; the csv module's default cap is 128 KB.
csv.field_size_limit(64 * 1024 * 1024)
# A trailing row whose first filled cell is one of these is a report total, not a lead.
FOOTER_RE = re.compile(r"^\s*(итого|всего|total|totals|grand total|сумма)\b", re.IGNORECASE)
# Fixed timestamp written into XLSX metadata so the same data gives the same bytes.
_XLSX_EPOCH = dt.datetime(2000, 1, 1)


@dataclass
class Table:
    """One table found in an input file, every cell a string.

    ``rows`` holds the 1-based data row number of each record (blank rows are skipped but
    still counted, so the number matches what a spreadsheet shows below the header).
    ``ragged`` is ``short``/``long``/empty per record; ``extra`` holds cells past the header.
    """

    path: str
    file_name: str
    data: pd.DataFrame
    rows: list[int]
    ragged: list[str]
    extra: list[str]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    header_row: int = 1
    header_col: int = 1
    preamble: list[str] = field(default_factory=list)
    footer_rows: int = 0
    blank_rows: int = 0
    header_repeats: int = 0  # rows that repeat the header (exports joined end to end)

    @property
    def label(self) -> str:
        """File name with the sheet, as used in messages and ``source_file``."""
        return f"{self.file_name}#{self.sheet}" if self.sheet else self.file_name


# --------------------------------------------------------------------------- reading


def read_tables(path: str, fmt: str | None = None, sheet: str | None = None) -> list[Table]:
    """Read every table in ``path`` (``-`` for stdin). Raises LeadtoolError on bad input."""
    name = "stdin" if path == STDIN else os.path.basename(path)
    return _tables_in(path, name, _read_bytes(path), fmt, sheet)


# Compressed inputs: what a cron job downloads (``leads.csv.gz``) and what CRMs send (a
# HubSpot export arrives as a ZIP). Unpacked in memory, so capped as spreadsheets are.
ARCHIVE_MAX_UNPACKED = XLSX_MAX_UNPACKED
_GZIP_SUFFIXES = (".gz", ".gzip")


def _tables_in(
    path: str,
    name: str,
    raw: bytes,
    fmt: str | None,
    sheet: str | None,
    depth: int = 0,
    named: str | None = None,
) -> list[Table]:
    """The tables of a file's bytes: a gzip file's content, each table file of a ZIP
    archive (named ``archive.zip/member.csv``), or the file itself. ``named``: the name
    that tells the format (``leads.csv`` for ``leads.csv.gz``), when not ``path``."""
    named = named or path
    if not raw or raw.isspace():  # isspace stops at the first other byte: no copy
        raise LeadtoolError(f"{path}: file is empty")
    if depth < 2 and raw.startswith(b"\x1f\x8b"):
        inner = _gunzipped(path, raw)
        stem = next((named[: -len(x)] for x in _GZIP_SUFFIXES if named.lower().endswith(x)), named)
        return _tables_in(path, name, inner, fmt, sheet, depth + 1, stem)
    if depth < 2 and _is_archive(raw):
        return _archive_tables(path, name, raw, fmt, sheet, depth)
    fmt = (fmt or _format_from_content(raw) or _text_format_from_name(named)).lower()
    if fmt not in READ_FORMATS:
        raise LeadtoolError(
            f"{path}: unknown format {fmt!r} (use one of {', '.join(READ_FORMATS)})"
        )
    if fmt == "parquet":
        return [_read_parquet(path, name, raw)]
    if fmt in ("json", "jsonl"):
        return [_read_json(path, name, raw)]
    if fmt == "xlsx":
        tables = _read_xlsx(path, name, raw, sheet)
    elif fmt == "html":
        tables = _read_html(path, name, raw)
    else:
        tables = [_read_delimited(path, name, raw, "\t" if fmt == "tsv" else None)]
    return [_without_repeated_headers(t) for t in tables]


_NUMBERED_HEADER = re.compile(r"^(.*) \(\d+\)$")  # the second "Имя" of a header: "Имя (2)"
_UNNAMED_HEADER = re.compile(r"^column_\d+$")  # a header cell left empty
# Around a repeated header's cells: spaces, and the byte order mark of the second file of a
# ``cat`` (Bitrix24's UTF-8 exports and Meta's UTF-16 ones both start with one).
_HEADER_TRIM = " \t\r\n\f\v\u00a0\ufeff"


def _without_repeated_headers(table: Table) -> Table:
    """The table without rows that repeat its header: two exports joined end to end
    (``cat monday.csv tuesday.csv``, a spreadsheet pasted below another, an export paged
    with its header on every page) put the second header among the leads, where it became a
    lead named "Имя" with the phone "Телефон". A row is a header when every cell is its
    column's name (case and surrounding spaces aside; an unnamed column's cell empty). Only
    the rows whose first named column holds its name (a space around it aside) are looked
    at: a few, if any."""
    data = table.data
    names = [str(c) for c in data.columns]
    first = next((i for i, n in enumerate(names) if not _UNNAMED_HEADER.match(n)), None)
    if first is None or not len(data):
        return table
    import pyarrow as pa
    import pyarrow.compute as pc

    # The first named column's cell as a copied header has it: as written (or in one case),
    # after the second file's byte order mark, if any. A hash lookup, no trimming or folding
    # of every cell (a million names: 17 ms, against 88 ms trimmed and lower-cased).
    name = names[first]
    spelled = {name, name.lower(), name.upper(), name.casefold(), name.title()}
    spelled |= {"\ufeff" + s for s in spelled}
    # ...and padded by a space: a header written "Имя ;Телефон" is read as "Имя", and its
    # copy's cell keeps the space (a substring search for the name took 68 ms a million).
    spelled |= {f"{pad_a}{s}{pad_b}" for s in spelled for pad_a, pad_b in _PADS}
    found = pc.is_in(to_arrow(data.iloc[:, first]), value_set=pa.array(sorted(spelled), TEXT))
    rows = np.flatnonzero(mask(found))
    if not rows.size:
        return table
    wanted = [_header_cell(n) for n in names]
    header = [
        row
        for row, cells in zip(rows, data.iloc[rows].itertuples(index=False), strict=True)
        if all(_header_key(c) in w for c, w in zip(cells, wanted, strict=True))
    ]
    if not header:
        return table
    keep = np.ones(len(data), dtype=bool)
    keep[header] = False
    kept = np.flatnonzero(keep)
    return dataclasses.replace(
        table,
        data=data.iloc[kept].reset_index(drop=True),
        rows=[table.rows[i] for i in kept],
        ragged=[table.ragged[i] for i in kept],
        extra=[table.extra[i] for i in kept],
        header_repeats=len(header),
    )


_PADS = (("", " "), (" ", ""), (" ", " "))


def _header_key(cell: Any) -> str:
    return (
        ""
        if cell is None or cell is pd.NA or cell != cell
        else str(cell).strip(_HEADER_TRIM).casefold()
    )


def _header_cell(name: str) -> set[str]:
    """What a repeated header's cell under the column ``name`` may hold, case-folded."""
    if _UNNAMED_HEADER.match(name):
        return {"", name.casefold()}
    numbered = _NUMBERED_HEADER.match(name)
    forms = {name, *([numbered.group(1).strip()] if numbered else [])}
    return {f.casefold() for f in forms}


def _gunzipped(path: str, raw: bytes) -> bytes:
    """A gzip file's content (all its members), refused past ``ARCHIVE_MAX_UNPACKED``."""
    import zlib

    unpacker = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    parts, size, rest = [], 0, raw
    try:
        while rest:
            part = unpacker.decompress(rest, ARCHIVE_MAX_UNPACKED + 1 - size)
            parts.append(part)
            size += len(part)
            if size > ARCHIVE_MAX_UNPACKED:
                raise _too_big(path)
            if unpacker.unconsumed_tail:
                rest = unpacker.unconsumed_tail
            elif unpacker.eof:  # gzip files may hold several members, one after another
                rest = unpacker.unused_data.lstrip(b"\0")
                unpacker = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
            else:
                raise LeadtoolError(f"{path}: a gzip file cut short")
    except zlib.error as exc:
        raise LeadtoolError(f"{path}: not a readable gzip file ({exc})") from exc
    return b"".join(parts)


def _too_big(path: str) -> LeadtoolError:
    return LeadtoolError(
        f"{path}: unpacks to more than {ARCHIVE_MAX_UNPACKED // 1_000_000} MB; "
        "refusing it as a possible zip bomb"
    )


def _is_archive(raw: bytes) -> bool:
    """A ZIP archive of files, not a spreadsheet (XLSX and ODS are ZIPs too)."""
    import zipfile

    if not raw.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return False  # the spreadsheet reader says what is wrong with it
    spreadsheet = {"[Content_Types].xml", "mimetype"}
    return not names & spreadsheet and not any(n.startswith(("xl/", "docProps/")) for n in names)


def _archive_tables(
    path: str, name: str, raw: bytes, fmt: str | None, sheet: str | None, depth: int
) -> list[Table]:
    """The tables of each table file in a ZIP archive, in the archive's order; folders,
    hidden files and macOS's ``__MACOSX`` copies left out."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        members = [
            info
            for info in archive.infolist()
            if not info.is_dir()
            and not info.filename.startswith("__MACOSX/")
            and not os.path.basename(info.filename).startswith(".")
        ]
        tables_files = [i for i in members if is_table_file(i.filename)]
        if not tables_files:
            held = ", ".join(i.filename for i in members[:5]) or "nothing"
            raise LeadtoolError(f"{path}: a ZIP archive without a table file (it holds {held})")
        if sum(i.file_size for i in tables_files) > ARCHIVE_MAX_UNPACKED:
            raise _too_big(path)
        tables: list[Table] = []
        for info in tables_files:
            try:
                data = archive.read(info)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError) as exc:
                raise LeadtoolError(f"{path}/{info.filename}: cannot unpack ({exc})") from exc
            inner = f"{path}/{info.filename}"
            tables += _tables_in(inner, f"{name}/{info.filename}", data, fmt, sheet, depth + 1)
    return tables


def is_table_file(name: str) -> bool:
    """Whether a file's name says it may hold a table leadtool reads (``.csv``, ``.xlsx``,
    …, also gzipped as ``.csv.gz``, or a ``.zip`` of such files) — not an Office owner file
    (``is_owner_file``)."""
    if is_owner_file(name):
        return False
    lower = name.lower()
    for suffix in _GZIP_SUFFIXES:
        lower = lower.removesuffix(suffix)
    suffix = Path(lower).suffix.lstrip(".")
    return suffix in (*READ_FORMATS, "xls", "xlsm", "ndjson", "htm", "zip")


def is_owner_file(name: str) -> bool:
    """``~$leads.xlsx``: the small file Excel (and Word) keeps beside a workbook while someone
    has it open — the user's name, no table. It lies in a shared exports folder whenever a
    colleague is looking at the night's file."""
    return os.path.basename(name).startswith("~$")


def _read_bytes(path: str) -> bytes:
    if path == STDIN:
        return sys.stdin.buffer.read()
    with _opened(path) as handle:
        data: bytes = handle.read()
    return data


def sha256(path: str) -> str:
    """The file's SHA-256 (hex), for run's manifest and the inbox's memory of files seen."""
    import hashlib

    digest = hashlib.sha256()
    with _opened(path) as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextlib.contextmanager
def _opened(path: str) -> Iterator[Any]:
    """The file open for reading; a missing, directory or unreadable one is the user's
    error, named in one line."""
    p = Path(path)
    if not p.exists():
        raise LeadtoolError(f"{path}: no such file")
    if p.is_dir():
        raise LeadtoolError(f"{path}: is a directory, not a file")
    try:
        with p.open("rb") as handle:
            yield handle
    except OSError as exc:
        raise LeadtoolError(f"{path}: cannot read ({exc.strerror})") from exc


def _format_from_name(path: str) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix in ("xls", "xlsm"):
        return "xlsx"
    if suffix in ("ndjson",):
        return "jsonl"
    if suffix == "htm":
        return "html"
    return suffix if suffix in READ_FORMATS else "csv"


def _text_format_from_name(path: str) -> str:
    """The format a file's name tells, for a file whose bytes are no spreadsheet, Parquet
    file or HTML page: a ``.xls`` or ``.xlsx`` holding text is a CSV or TSV so named (web
    services' "Excel" downloads often are; the delimiter is detected). An Excel owner file
    (``~$leads.xlsx``) stays a spreadsheet, to be told for what it is."""
    fmt = _format_from_name(path)
    return "csv" if fmt == "xlsx" and not is_owner_file(path) else fmt


def _format_from_content(raw: bytes) -> str | None:
    """Trust magic bytes over the extension: Excel files are often saved as ``.csv``."""
    if raw.startswith(b"PK\x03\x04") or raw.startswith(b"\xd0\xcf\x11\xe0"):
        return "xlsx"
    if raw.startswith(b"PAR1"):
        return "parquet"
    if looks_like_html(raw):  # a CRM's "Excel" export that is an HTML table (Bitrix24)
        return "html"
    return None


# ---- encodings


def decode(raw: bytes, path: str) -> tuple[str, str]:
    """Decode bytes to text; return (text, encoding name). Detects BOMs, UTF-16, cp1251."""
    for bom, enc in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if raw.startswith(bom):
            return _strict(raw[len(bom) :], enc, path), enc
    utf16 = _utf16_without_bom(raw)
    if utf16:
        return _strict(raw, utf16, path), utf16
    if _looks_binary(raw[:SNIFF_BYTES]):
        raise LeadtoolError(f"{path}: binary file, not a text table")
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    if _mostly_utf8(raw):
        line = raw[: utf8_error.start].count(b"\n") + 1
        raise LeadtoolError(
            f"{path}: line {line}: bytes that are not valid UTF-8 in a UTF-8 file "
            f"(byte offset {utf8_error.start}); re-save the file as UTF-8"
        )
    return _decode_legacy(raw, path)


def _looks_binary(sample: bytes) -> bool:
    """Many NUL or control bytes: an image, an archive, an executable — not a table. A stray
    NUL in a text export is tolerated (and removed)."""
    if not sample:
        return False
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 13))
    return sample.count(0) > max(8, len(sample) // 100) or controls > max(8, len(sample) // 10)


def _strict(raw: bytes, encoding: str, path: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise LeadtoolError(
            f"{path}: undecodable bytes at offset {exc.start} for {encoding}"
        ) from exc


def _utf16_without_bom(raw: bytes) -> str | None:
    sample = raw[:4096]
    if len(sample) < 4:
        return None
    even_zero = sample[0::2].count(0) / max(1, len(sample[0::2]))
    odd_zero = sample[1::2].count(0) / max(1, len(sample[1::2]))
    if odd_zero > 0.4 and even_zero < 0.05:
        return "utf-16-le"
    if even_zero > 0.4 and odd_zero < 0.05:
        return "utf-16-be"
    return None


def _mostly_utf8(raw: bytes) -> bool:
    """True when the bytes hold real UTF-8 multibyte characters beside a few broken ones."""
    good = len(re.findall(rb"[\xc2-\xf4][\x80-\xbf]+", raw[:SNIFF_BYTES]))
    text = raw[:SNIFF_BYTES].decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    return good >= 3 and bad <= good // 4


# The single-byte encodings Excel saves CSV in where leadtool's users are — Russian,
# Romanian (and Central European), Western — then the older Russian ones some CRMs, mail
# gateways and accounting exports still write: KOI8-R (Unix) and cp866 (DOS). Each reads
# any bytes as some letters; the one whose words read as one script's ordinary letters is
# the file's.
_LEGACY_ENCODINGS = ("cp1251", "cp1250", "cp1252", "koi8-r", "cp866")
# Latin letters with diacritics, by how often names and towns of leadtool's markets have
# them: Romanian's and the common Western ones count two, the rest one. Where cp1250 and
# cp1252 read a byte as different letters (è / č, ñ / ń, ã / ă, þ / ţ), the likelier wins.
_COMMON_LETTERS = "ăâîșțşţéèêëàçùûüöäßñíóúáïôœ"
_OTHER_LETTERS = "čďěňřťůőűĺľŕąćęłńśźżšžãõåæøýÿ"
_LETTER_WEIGHT = {
    **{c: 1 for c in _OTHER_LETTERS + _OTHER_LETTERS.upper()},
    **{c: 2 for c in _COMMON_LETTERS + _COMMON_LETTERS.upper()},
}
_WORD_RE = re.compile(r"\w+")
# The Cyrillic code pages hold the same letters in other orders, so under the wrong one a
# Russian text is still all Cyrillic, only other letters: KOI8-R's "Иван" is cp1251's
# "йЧБО". Its words then change case inside (KOI8-R swaps the cases' byte ranges) and its
# letters lose the frequencies of the language: the ten most frequent letters of Russian
# (with Ukrainian's і), about 60% of any Russian text, count double.
_FREQUENT_CYRILLIC = frozenset("оеаинтсрвлі")


def _cyrillic(c: str) -> bool:
    return "\u0400" <= c <= "\u04ff"


def _plausibility(text: str) -> int:
    """How much ``text`` reads as words of ordinary letters. Each Cyrillic letter of a
    Cyrillic word scores one, two if it is one of the language's most frequent
    (``_FREQUENT_CYRILLIC``), and none in a word whose case changes inside (``йЧБО``, not
    ``Иван``, ``ИВАН`` or ``иван``), each letter with a diacritic of a Latin word its weight
    (``_LETTER_WEIGHT``) — unless the word has no plain letter at all (three or more
    letters, every one marked: a Russian word read under a Latin code page, ``Ňĺëĺôîí``),
    which scores minus two a letter, as does a word mixing the two scripts (``Єtefan``);
    any other non-ASCII character (``ª``, ``Þ``, ``¶``: what a wrong code page makes of a
    letter) is minus two."""
    score = 0
    for word in _WORD_RE.findall(text):
        if word.isascii():
            continue
        cyrillic = sum(map(_cyrillic, word))
        plain = sum(c.isascii() and c.isalpha() for c in word)
        marked = [_LETTER_WEIGHT[c] for c in word if c in _LETTER_WEIGHT]
        if cyrillic and (plain or marked):
            score -= 2 * len(word)
        elif cyrillic:
            score += _cyrillic_score(word)
        elif marked and not plain and len(word) >= 3:
            score -= 2 * len(marked)
        else:
            score += sum(marked)
    return score - 2 * sum(not (c.isascii() or _cyrillic(c) or c in _LETTER_WEIGHT) for c in text)


def _cyrillic_score(word: str) -> int:
    """A Cyrillic word's part of ``_plausibility``."""
    if not (word.isupper() or word[1:] == word[1:].lower()):
        return 0
    return sum(2 if c.lower() in _FREQUENT_CYRILLIC else 1 for c in word if _cyrillic(c))


def _decode_legacy(raw: bytes, path: str) -> tuple[str, str]:
    """Single-byte text: of cp1251 (Russian Excel), cp1250 (Romanian), cp1252, KOI8-R and
    cp866 (``_LEGACY_ENCODINGS``), the one under which the text reads as ordinary words
    (``_plausibility``); charset-normalizer when none reads better than the others' garbage."""
    sample = raw[:SNIFF_BYTES]
    scores = {}
    for encoding in _LEGACY_ENCODINGS:
        try:
            scores[encoding] = _plausibility(sample[: 64 * 1024].decode(encoding, "ignore"))
        except UnicodeDecodeError:
            continue  # (a byte this code page leaves undefined)
    if scores and max(scores.values()) > 0:
        encoding = max(scores, key=lambda e: scores[e])  # (ties: the first, cp1251)
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            pass  # (past the sample)
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is None or best.encoding in ("utf_8", "ascii"):
        raise LeadtoolError(f"{path}: cannot tell the text encoding (undecodable bytes)")
    try:
        return raw.decode(best.encoding), best.encoding.replace("_", "-")
    except UnicodeDecodeError as exc:
        raise LeadtoolError(
            f"{path}: undecodable bytes at offset {exc.start} (guessed {best.encoding})"
        ) from exc


# ---- delimited text


def sniff_delimiter(sample: str) -> str:
    """The candidate delimiter that splits the sample's records most consistently."""
    best, best_score = ",", (0, 0, 0)
    for delim in DELIMITERS:
        records = [r for r in _parse(sample, delim, SNIFF_RECORDS) if any(c.strip() for c in r)]
        if not records:
            continue
        modal, freq = Counter(len(r) for r in records).most_common(1)[0]
        score = (freq if modal > 1 else 0, modal, -DELIMITERS.index(delim))
        if score > best_score:
            best, best_score = delim, score
    return best


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The cycle collector paused while a reader builds Python objects by the hundred
    thousand (a JSON record's dicts and lists, a row's list of cells). They hold no cycles,
    yet the collector walks them again and again as they pile up: 200,000 Meta webhook
    records took 5.3 s to parse with it running, 1.6 s without."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _parse(text: str, delim: str, limit: int | None = None) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=False)
    out: list[list[str]] = []
    try:
        for record in reader:
            out.append(record)
            if limit is not None and len(out) >= limit:
                break
    except csv.Error:
        pass
    return out


def _read_delimited(path: str, name: str, raw: bytes, delim: str | None) -> Table:
    utf8 = _utf8_body(raw)
    if utf8 is not None:
        data, encoding = utf8
        sample = data[:SNIFF_BYTES].decode("utf-8", errors="ignore")  # a cut last character
        text: str | None = None
    else:
        text, encoding = decode(raw, path)
        text = text.replace("\x00", "")
        sample = text[:SNIFF_BYTES]
        data = text.encode("utf-8")
    delim = delim or sniff_delimiter(sample)
    table = _arrow_table(path, name, sample, data, delim)
    if table is None:
        text = data.decode("utf-8") if text is None else text
        with _collector_paused():
            try:
                records = _records(text, delim)
            except csv.Error as exc:
                raise LeadtoolError(f"{path}: cannot parse as delimited text ({exc})") from exc
            table = _table_from_records(path, name, records)
    table.encoding, table.delimiter = encoding, delim
    return table


def _records(text: str, delim: str) -> list[list[str]]:
    """The csv module's records — except where a quote that opens a cell is never closed as
    meant (a name typed as ``"Ivan``, a cell cut short by the exporting tool). The reader
    then runs on through the next lines, to a later quote or the end of the file, and makes
    many rows one: rows lost without a word. Such a record — spanning several lines, not as
    wide as the table, the lines it swallowed each holding a row's worth of delimiters —
    is read again with its first line's quotes taken as they are, and reading goes on
    from its second line (the row is then flagged ragged if its width is off)."""
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=False))
    lines_ended = text.count("\n") + (not text.endswith("\n"))
    if '"' not in text or len(records) >= lines_ended:  # no record of several lines
        return records
    width = Counter(len(r) for r in records).most_common(1)[0][0]
    lines = list(io.StringIO(text, newline=""))
    out: list[list[str]] = []
    start = 0
    while start < len(lines):
        reader = csv.reader(iter(lines[start:]), delimiter=delim, strict=False)
        first = start
        for record in reader:
            last = start + reader.line_num  # the line after the record's end
            if last - first > 1 and _runaway(record, lines[first + 1 : last], delim, width):
                out.append(
                    next(csv.reader([lines[first]], delimiter=delim, quoting=csv.QUOTE_NONE))
                )
                start = first + 1
                break
            out.append(record)
            first = last
        else:
            break
    return out


def _runaway(record: list[str], swallowed: list[str], delim: str, width: int) -> bool:
    """Whether a record of several lines is an unclosed quote's run, not a cell that holds
    line breaks: the record is not as wide as the table, and every line it took in holds
    as many delimiters as a row of the table."""
    return (
        len(record) != width
        and width > 2
        and all(line.count(delim) >= width - 1 for line in swallowed if line.strip())
    )


def _utf8_body(raw: bytes) -> tuple[bytes, str] | None:
    """The bytes of a valid UTF-8 file (BOM removed) with its encoding's name, ready for
    Arrow as they are; None when ``decode`` must look at it (another encoding, NUL bytes, a
    binary file, invalid UTF-8). Arrow validates UTF-8 some five times faster than Python
    decodes it, and the file is then never turned into one large Python string and back."""
    import pyarrow as pa

    bom = b"\xef\xbb\xbf"
    data, encoding = (raw[len(bom) :], "utf-8-sig") if raw.startswith(bom) else (raw, "utf-8")
    if (
        (
            encoding == "utf-8"
            and (raw.startswith((b"\xff\xfe", b"\xfe\xff")) or _utf16_without_bom(raw))
        )
        or b"\x00" in data
        or _looks_binary(data[:SNIFF_BYTES])
    ):
        return None
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64).tobytes())
    whole = pa.Array.from_buffers(TEXT, 1, [None, offsets, pa.py_buffer(data)])
    try:
        whole.validate(full=True)
    except pa.ArrowInvalid:
        return None
    return data, encoding


ARROW_MIN_BYTES = 1 << 20  # below this the csv module is as fast and Arrow's start-up costs
FOOTER_LOOKBACK = 50


def _arrow_table(path: str, name: str, sample: str, data: bytes, delim: str) -> Table | None:
    """The common large file — header on the first line, every row as wide as the header —
    parsed by Arrow's multithreaded CSV reader into Arrow-backed columns. The cells equal
    what the csv module gives (tests/test_io.py checks both readers on the same files). None
    when the file needs the general path: a title above the header, a row of another
    width (ragged rows are kept and flagged there), cells past the named columns, or a
    footer longer than FOOTER_LOOKBACK rows. ``sample`` is the file's start as text,
    ``data`` the whole file as UTF-8."""
    if len(data) < ARROW_MIN_BYTES:
        return None
    head = _parse(sample, delim, SNIFF_RECORDS)
    if not head or find_header(head) != (0, 0):
        return None
    try:
        body = _arrow_read(data, delim, len(head[0]))
    except (ImportError, ValueError, OSError) as exc:  # pyarrow's errors are ValueErrors
        log.debug("arrow CSV reader declined %s (%s); using the csv module", path, exc)
        return None
    if body is None:
        return None
    header = [c.strip() for c in head[0]]
    while header and not header[-1]:
        header.pop()
    width = len(header)
    blank = _blank_rows(body)
    if width < body.num_columns and not _all_blank(body.select(range(width, body.num_columns))):
        return None  # cells under no header: the general path flags those rows as long
    tail = [
        list(r.values()) for r in body.slice(max(0, body.num_rows - FOOTER_LOOKBACK)).to_pylist()
    ]
    footer = _count_footer(tail, 0)
    if footer == FOOTER_LOOKBACK:
        return None
    rows = body.num_rows - footer
    kept = body.select(range(width))
    if footer or blank[:rows].any():
        keep = np.flatnonzero(~blank[:rows])
        kept = kept.take(keep)
    else:  # the usual file: nothing to drop, and no copy of every column to make
        keep = np.arange(rows)
    frame = kept.rename_columns(_unique_headers(header)).to_pandas()
    frame = _drop_empty_unnamed(frame, header)
    n = len(keep)
    return Table(
        path=path,
        file_name=name,
        data=frame,
        rows=(keep + 1).tolist(),
        ragged=[""] * n,
        extra=[""] * n,
        header_row=1,
        header_col=1,
        footer_rows=footer,
        blank_rows=int(blank[:rows].sum()),
    )


def _arrow_read(data: bytes, delim: str, fields: int) -> Any:
    """Rows below the header record as an Arrow table of ``fields`` string columns; None when
    some row has another number of fields."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = [f"f{i}" for i in range(fields)]
    invalid: list[int] = []

    def refuse(_row: Any) -> str:
        invalid.append(1)
        return "skip"

    body = pacsv.read_csv(
        pa.py_buffer(data),
        # The header is read as a row and dropped: skip_rows counts lines, and a header
        # cell may hold a quoted line break (Google Forms questions do).
        read_options=pacsv.ReadOptions(column_names=names, block_size=16 << 20),
        parse_options=pacsv.ParseOptions(
            delimiter=delim,
            newlines_in_values=True,
            ignore_empty_lines=False,
            invalid_row_handler=refuse,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, TEXT),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            null_values=[],
        ),
    )
    if invalid:
        return None
    # One array per column, each made whole while the next column's blocks are still held:
    # combining the table at once would hold every column twice.
    body, names = body.slice(1), body.column_names
    whole = []
    for _ in names:
        whole.append(body.column(0).combine_chunks())
        body = body.remove_column(0)
    return pa.table(whole, names=names)


def _blank_rows(body: Any) -> np.ndarray:
    """Rows whose every cell is empty or whitespace. A cell can only be blank if it is empty
    or starts with a space, a control or a non-ASCII byte, which its first byte tells without
    reading the rest; only the rare rows where every cell can be are trimmed and checked."""
    import pyarrow as pa
    import pyarrow.compute as pc

    maybe = np.ones(body.num_rows, dtype=bool)
    for column in body.columns:
        whole = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
        first = first_bytes(whole)
        maybe &= (first <= 0x20) | (first >= 0x80)
    rows = np.flatnonzero(maybe)
    if not rows.size:
        return maybe
    blank = np.ones(rows.size, dtype=bool)
    for column in body.take(pa.array(rows)).columns:
        blank &= mask(pc.equal(pc.utf8_trim_whitespace(column), ""))
    maybe[rows] = blank
    return maybe


def _all_blank(body: Any) -> bool:
    """True when every cell of every column of the Arrow table is empty or whitespace."""
    return bool(_blank_rows(body).all())


# ---- header search shared by text and spreadsheets


def find_header(records: Sequence[Sequence[str]]) -> tuple[int, int]:
    """Return (row index, first column index) of the header within the first records.

    The header is the first row that is as wide as the table, at least half filled, and
    mostly text rather than numbers: titles, date ranges and empty lines above it (report
    preambles) are skipped. The table's width is the most common among the later half of
    the first records: a table runs to the end, a preamble is at the start — and a short
    report's preamble (LinkedIn's title, dates and account, two cells each) can outnumber
    its rows. A header is at least 60% as wide as the table.
    """
    spans = [_span(r) for r in records[:SNIFF_RECORDS]]
    widths = [end - start for start, end in spans if end > start]
    if not widths:
        return 0, 0
    later, every = Counter(widths[len(widths) // 2 :]), Counter(widths)
    # Ties among the later records (a short file's few rows, some ragged) go to the width
    # most common overall, then to the wider.
    table_width = max(later, key=lambda w: (later[w], every[w], w))
    for i, (start, end) in enumerate(spans):
        cells = [c.strip() for c in records[i][start:end]]
        filled = [c for c in cells if c]
        if not filled or (len(cells) < max(2, math.ceil(table_width * 0.6)) and table_width > 1):
            continue
        numeric = sum(_looks_numeric(c) for c in filled)
        if len(filled) >= len(cells) / 2 and numeric <= len(filled) / 3:
            return i, start
    first = next(i for i, (s, e) in enumerate(spans) if e > s)
    return first, spans[first][0]


def _span(record: Sequence[str]) -> tuple[int, int]:
    filled = [i for i, c in enumerate(record) if str(c).strip()]
    return (filled[0], filled[-1] + 1) if filled else (0, 0)


_NUMERIC = re.compile(r"^[\s\d.,:/+\-%$€₽()]+$")


def _looks_numeric(cell: str) -> bool:
    return bool(_NUMERIC.match(cell))


def _table_from_records(
    path: str, name: str, records: list[list[str]], sheet: str | None = None
) -> Table:
    if not any(any(c.strip() for c in r) for r in records):
        raise LeadtoolError(f"{path}: file is empty")
    h, col0 = find_header(records)
    header = [c.strip() for c in records[h][col0:]]
    while header and not header[-1]:
        header.pop()
    width = len(header)
    body = records[h + 1 :]
    footer = _count_footer(body, col0)
    body = body[: len(body) - footer]
    rows: list[int] = []
    cells: list[list[str]] = []
    ragged: list[str] = []
    extra: list[str] = []
    blank = 0
    for number, record in enumerate(body, start=1):
        values = record[col0:]
        if not any(v.strip() for v in values):
            blank += 1
            continue
        rows.append(number)
        n = len(values)
        if n > width and any(v.strip() for v in values[width:]):
            ragged.append("long_row")
            extra.append(" | ".join(v for v in values[width:] if v.strip()))
        elif n < width:
            ragged.append("short_row")
            extra.append("")
        else:
            ragged.append("")
            extra.append("")
        cells.append(values[:width] + [""] * (width - n) if n < width else values[:width])
    columns = _unique_headers(header)
    data = pd.DataFrame(cells, columns=columns, dtype=object) if cells else _empty(columns)
    data = _drop_empty_unnamed(data, header)
    preamble = [" ".join(c for c in r if c.strip()) for r in records[:h] if any(r)]
    return Table(
        path=path,
        file_name=name,
        data=data,
        rows=rows,
        ragged=ragged,
        extra=extra,
        sheet=sheet,
        header_row=h + 1,
        header_col=col0 + 1,
        preamble=preamble,
        footer_rows=footer,
        blank_rows=blank,
    )


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})


def _count_footer(body: Sequence[Sequence[str]], col0: int) -> int:
    """Trailing blank and total rows (``Итого``, ``Total``) at the end of a report."""
    n = 0
    for record in reversed(body):
        filled = [c for c in record[col0:] if c.strip()]
        if filled and not FOOTER_RE.match(filled[0]):
            break
        n += 1
    # Trailing blank rows alone are not footers: they are counted as blank instead.
    while n and not any(c.strip() for c in body[len(body) - n]):
        n -= 1
    return n


def _unique_headers(header: list[str]) -> list[str]:
    seen: Counter[str] = Counter()
    out = []
    for i, h in enumerate(header, start=1):
        h = h or f"column_{i}"
        seen[h] += 1
        out.append(h if seen[h] == 1 else f"{h} ({seen[h]})")
    return out


def _drop_empty_unnamed(data: pd.DataFrame, header: list[str]) -> pd.DataFrame:
    """A column with neither a header nor a value (trailing delimiter) holds nothing to keep."""
    drop = [
        col
        for col, h in zip(data.columns, header, strict=False)
        if not h and not data[col].astype(str).str.strip().any()
    ]
    return data.drop(columns=drop) if drop else data


# ---- spreadsheets


def _check_archive(path: str, raw: bytes) -> None:
    """Refuse XLSX files that would unpack to far more than they weigh (zip bombs)."""
    import zipfile

    if not raw.startswith(b"PK"):
        return
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise LeadtoolError(f"{path}: not a readable spreadsheet (broken archive: {exc})") from exc
    if unpacked > XLSX_MAX_UNPACKED or unpacked > max(len(raw), 1) * XLSX_MAX_RATIO:
        raise LeadtoolError(
            f"{path}: spreadsheet would unpack to {unpacked // 1_000_000} MB "
            f"from {len(raw) // 1000} KB; refusing it as a possible zip bomb"
        )


def _read_xlsx(path: str, name: str, raw: bytes, sheet: str | None) -> list[Table]:
    from python_calamine import CalamineWorkbook

    _check_archive(path, raw)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(raw))
    except Exception as exc:
        if is_owner_file(path):
            raise LeadtoolError(
                f"{path}: an Excel owner file (someone has {name.removeprefix('~$')} open), "
                "not a spreadsheet"
            ) from exc
        raise LeadtoolError(f"{path}: not a readable spreadsheet ({exc})") from exc
    names = book.sheet_names
    if sheet is not None:
        if sheet not in names:
            raise LeadtoolError(f"{path}: no sheet {sheet!r} (sheets: {', '.join(names)})")
        names = [sheet]
    tables = []
    for sheet_name in names:
        with _collector_paused():
            try:
                grid = book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
            except Exception as exc:
                raise LeadtoolError(f"{path}: sheet {sheet_name!r} unreadable ({exc})") from exc
            # Most cells are text already: only the others are formatted (a call per cell
            # was half of reading a 200,000-row export).
            records = [[v if type(v) is str else _cell_text(v) for v in row] for row in grid]
            if sum(1 for r in records if any(c.strip() for c in r)) < 2:
                continue
            label = sheet_name if len(names) > 1 else None
            table = _table_from_records(path, name, records, label)
        table.sheet = sheet_name
        if len(table.data.columns) >= 2 or sheet is not None:
            tables.append(table)
    if not tables:
        raise LeadtoolError(f"{path}: no sheet holds a table")
    if len(tables) == 1 and sheet is None and len(book.sheet_names) == 1:
        tables[0].sheet = None
    return tables


def _read_html(path: str, name: str, raw: bytes) -> list[Table]:
    """Each table of an HTML page with a header and a row (see ``htmltable``), in the
    encoding its ``<meta>`` declares, else as any text file is decoded."""
    text, encoding = None, declared_charset(raw)
    if encoding:
        try:
            text = raw.decode(encoding).removeprefix("\ufeff")
        except (LookupError, UnicodeDecodeError):
            text = None
    if text is None:
        text, encoding = decode(raw, path)
    with _collector_paused():
        grids = [g for g in html_tables(text) if sum(1 for r in g if any(r)) >= 2]
        tables = []
        for number, records in enumerate(grids, start=1):
            label = f"table {number}" if len(grids) > 1 else None
            table = _table_from_records(path, name, records, label)
            if len(table.data.columns) >= 2:
                table.encoding = encoding
                tables.append(table)
    if not tables:
        raise LeadtoolError(f"{path}: an HTML page without a table of leads")
    return tables


def _cell_text(value: Any) -> str:
    """Spreadsheet cell to text: integral floats lose ``.0`` (phones stored as numbers)."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value.total_seconds())
    return str(value)


# ---- columnar formats


def _read_parquet(path: str, name: str, raw: bytes, columns: Sequence[str] | None = None) -> Table:
    """A Parquet file's columns as text — only ``columns``, those of them it has, when given.
    Text columns (every column of a file leadtool wrote) stay in Arrow, as the CSV reader
    gives them — a history file of 1.2 million leads in about a second, where a Python
    string per cell took 46 s; others (numbers, dates) are formatted as spreadsheet cells
    are, once per distinct value."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        if columns is not None:
            held = set(pq.read_schema(io.BytesIO(raw)).names)
            columns = [c for c in columns if c in held] or None  # (none: the file's own)
        table = pq.read_table(io.BytesIO(raw), columns=columns)
    except Exception as exc:
        raise LeadtoolError(f"{path}: not a readable Parquet file ({exc})") from exc
    if not table.num_columns:
        raise LeadtoolError(f"{path}: file is empty")
    columns = []
    for column in table.columns:
        kind = column.type.value_type if pa.types.is_dictionary(column.type) else column.type
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            columns.append(column.cast(TEXT).fill_null(""))
        else:
            columns.append(_formatted(column))
    return _text_table(path, name, [str(c) for c in table.column_names], columns)


def _formatted(column: Any) -> Any:
    """A column of another type as text, each distinct value formatted once (a missing one
    as ""); cell by cell where Arrow cannot number the values (nested types)."""
    import pyarrow as pa

    def text(value: Any) -> str:
        return _cell_text(value) if not _isna(value) else ""

    try:
        encoded = column.combine_chunks().dictionary_encode()
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
        return pa.array([text(v) for v in column.to_pylist()], TEXT)
    distinct = pa.array([text(v) for v in encoded.dictionary.to_pylist()], TEXT)
    return distinct.take(encoded.indices).fill_null("")


def _read_json(path: str, name: str, raw: bytes) -> Table:
    text, encoding = decode(raw, path)
    with _collector_paused():
        table = _json_table(path, name, text)
    table.encoding = encoding
    return table


def _json_table(path: str, name: str, text: str) -> Table:
    """The table of a JSON document or JSON lines: flat JSONL by Arrow's reader, the rest
    record by record (nested objects flattened)."""
    import pyarrow as pa

    stripped = text.strip()
    records: list[Any]
    if stripped.startswith("[") or (stripped.startswith("{") and "\n{" not in stripped):
        try:
            doc = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise LeadtoolError(f"{path}: line {exc.lineno}: invalid JSON ({exc.msg})") from exc
        records = doc if isinstance(doc, list) else doc.get("data", doc.get("leads", [doc]))
    else:
        lines = text.splitlines()
        if _looks_flat(lines):
            flat_text = _flat_jsonl(text, sum(1 for line in lines if line.strip()))
            if flat_text is not None:
                return _text_table(path, name, *flat_text)
        records = []
        for lineno, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise LeadtoolError(f"{path}: line {lineno}: invalid JSON ({exc.msg})") from exc
    flat = [_flatten(r if isinstance(r, dict) else {"value": r}) for r in records]
    columns: dict[str, None] = {}
    for rec in flat:
        columns.update(dict.fromkeys(rec))
    if not columns:
        raise LeadtoolError(f"{path}: file is empty")
    # The cells are text already (_flatten's): one Arrow column each, no pass over them.
    names = list(columns)
    order = tuple(names)
    if all(tuple(rec) == order for rec in flat):  # the usual file: every record alike
        rows = (rec.values() for rec in flat)
        cells = [pa.array(column, TEXT) for column in zip(*rows, strict=True)]
    else:
        cells = [pa.array([rec.get(c, "") for rec in flat], TEXT) for c in names]
    return _text_table(path, name, names, cells)


def _looks_flat(lines: list[str]) -> bool:
    """Whether the first record is an object of text (or nulls) only: else Arrow's JSON
    reader is not tried (it would read the whole file to find out — webhook records with
    nested ``field_data`` never are)."""
    first = next((line for line in lines if line.strip()), "")
    try:
        record = json.loads(first)
    except json.JSONDecodeError:
        return True  # let the readers say where the error is
    return isinstance(record, dict) and all(
        v is None or isinstance(v, str) for v in record.values()
    )


def _flat_jsonl(text: str, records: int) -> tuple[list[str], list[Any]] | None:
    """(names, Arrow text columns) of JSON lines that are ``records`` flat objects of text —
    a lead file leadtool wrote as JSONL — by Arrow's JSON reader, which parses them on all
    cores: 200,000 leads in about a second, where ``json.loads`` and a dict per line took
    4.8 s. None for anything else (numbers, nested objects, lists, lines that are not one
    object each, invalid JSON): the record-by-record path reads those, and names the line
    of an error."""
    import pyarrow as pa
    import pyarrow.json as pajson

    def text_only(table: pa.Table, stamps: bool = False) -> bool:
        return all(
            pa.types.is_string(t) or pa.types.is_null(t) or (stamps and pa.types.is_timestamp(t))
            for t in table.schema.types
        )

    data = text.encode("utf-8", errors="surrogatepass")
    try:
        table = pajson.read_json(io.BytesIO(data))
        if not text_only(table, stamps=True):  # numbers, flags, objects, lists
            return None
        # Arrow reads ISO-looking text as timestamps: read again with every field as text.
        if not text_only(table):
            schema = pa.schema([(name, pa.string()) for name in table.column_names])
            options = pajson.ParseOptions(explicit_schema=schema)
            table = pajson.read_json(io.BytesIO(data), parse_options=options)
    except (pa.ArrowInvalid, ValueError):
        return None
    if table.num_rows != records or not text_only(table):
        return None
    return table.column_names, [column.cast(TEXT).fill_null("") for column in table.columns]


def _flatten(record: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Nested objects to ``a_b`` keys; Meta ``field_data`` and Google ``user_column_data``
    lists (name/value pairs) become one column per field, as their CSV exports have."""
    if not prefix and set(map(type, record.values())) <= {str}:
        return record  # a flat record of text (a leadtool lead file): nothing to do
    out: dict[str, str] = {}
    for key, value in record.items():
        if key in ("field_data", "user_column_data") and isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    fname = item.get("name") or item.get("column_id") or item.get("column_name")
                    fval = item.get("values", item.get("string_value", item.get("value", "")))
                    out[str(fname)] = _scalar(fval)
            continue
        name = f"{prefix}{key}"
        if isinstance(value, str):  # most values: as they are
            out[name] = value
        elif isinstance(value, dict):
            out.update(_flatten(value, f"{name}_"))
        else:
            out[name] = _scalar(value)
    return out


def _scalar(value: Any) -> str:
    if type(value) is str:  # most values, and the items of Meta's "values" lists
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join([_scalar(v) for v in value])
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return _cell_text(value)


def _text_table(path: str, name: str, names: list[str], columns: list[Any]) -> Table:
    """A table of Arrow text columns, as pandas columns of the kind the CSV reader gives
    (Arrow-backed ``str`` on pandas 3), every record a row of its own."""
    import pyarrow as pa

    frame = pa.table(columns, names=names).to_pandas()
    n = len(frame)
    return Table(path, name, frame, list(range(1, n + 1)), [""] * n, [""] * n)


def _isna(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def read_leads(path: str, fmt: str | None = None) -> pd.DataFrame:
    """Read a lead file written by a leadtool stage (any supported format, ``-`` for stdin).

    Cells stay text, the quote ``escape_formulas`` put before formula-like cells of a CSV
    taken off. A file without the columns a stage needs is refused with a hint, rather than
    producing a file of empty checks.
    """
    return _lead_frame(path, read_tables(path, fmt))


def _lead_frame(path: str, tables: list[Table]) -> pd.DataFrame:
    table = next((t for t in tables if t.sheet in (None, "leads")), tables[0])
    frame = table.data
    if table.delimiter:  # a stage's CSV: what it escaped against spreadsheets, as it was
        frame = unescape_formulas(frame)
    if not {"lead_id", "email", "phone"} & set(frame.columns):
        shown = ", ".join(map(str, list(frame.columns)[:6]))
        raise LeadtoolError(
            f"{path}: not a leadtool lead file (columns: {shown}); "
            "run `leadtool import` on it first"
        )
    return frame


# --------------------------------------------------------------------------- history
#
# A nightly job's history (``dedupe --history``) grows every night and is read every night.
# Dedupe reads a score of its columns; tonight's new leads are appended to the file rather
# than the history read whole and written again with them: what the rest of the history's
# columns cost a night is a copy of the file, not memory.


def read_history(path: str, columns: Iterable[str]) -> pd.DataFrame:
    """The ``columns`` of a history file that it has — what dedupe reads. A Parquet history
    is read only for them (a million leads: 1.6 s and 320 MB of Arrow text instead of 3.0 s
    and 560 MB); other formats are read whole, the rest let go at once."""
    wanted = list(dict.fromkeys(columns))
    raw = _read_bytes(path)
    name = os.path.basename(path)
    if raw.startswith(b"PAR1"):
        tables = [_read_parquet(path, name, raw, wanted)]
    else:
        tables = _tables_in(path, name, raw, None, None)
    del raw
    frame = _lead_frame(path, tables)
    return frame[[c for c in wanted if c in frame.columns]]


def append_history(path: str, new: pd.DataFrame) -> None:
    """Add tonight's ``new`` leads to the history file ``path``, atomically; a history not
    there yet is written with them. A CSV (or TSV) history is copied and the new rows written
    after it, in its header's column order; a Parquet one streamed through a batch at a time
    with them added. A history of another format, or a CSV whose header lacks one of the new
    rows' columns, is read and written whole, as before this existed."""
    staged = stage_history(path, new)
    if staged is not None:
        staged.commit()


@dataclass
class Staged:
    """A file written in full beside its target (a hidden name in the same folder), put in
    its place by ``commit`` — a rename — or removed by ``discard``. ``run`` writes the
    history this way while its last stages compute, and puts it in place only once every
    other file is written: a run that fails leaves the history as it was."""

    temp: Path
    target: Path
    done: bool = False

    def commit(self) -> None:
        try:
            os.replace(self.temp, self.target)
        except OSError as exc:
            self.discard()
            raise LeadtoolError(f"{self.target}: cannot write: {os_reason(exc)}") from exc
        self.done = True

    def discard(self) -> None:
        if not self.done:
            self.temp.unlink(missing_ok=True)
            self.done = True


def stage_history(path: str, new: pd.DataFrame) -> Staged | None:
    """``append_history``'s new file, written beside the history but not yet in its place;
    None when nothing is new (the history stays as it is, byte for byte)."""
    target = Path(path)
    if target.exists() and new.empty:
        return None
    temp = target.with_name(f".{os.getpid()}-{threading.get_ident()}-{target.name}")
    staged = Staged(temp, target)
    try:
        _write_history(target, new.fillna(""), temp)
    except LeadtoolError as exc:  # named after the history, not the file beside it
        staged.discard()
        raise LeadtoolError(str(exc).replace(str(temp), str(target))) from exc
    except BaseException:
        staged.discard()
        raise
    return staged


def _write_history(target: Path, new: pd.DataFrame, dest: Path) -> None:
    """The history ``target`` with ``new`` added, written to ``dest`` (same format)."""
    if not target.exists():
        write_table(new, str(dest), escape=False)
        return
    fmt = output_format(str(target))
    if fmt in ("csv", "tsv") and _appended_csv(target, new, "\t" if fmt == "tsv" else ",", dest):
        return
    if fmt == "parquet" and _appended_parquet(target, new, dest):
        return
    whole = pd.concat([read_leads(str(target)), new], ignore_index=True, sort=False)
    write_table(whole, str(dest), escape=False)


def _appended_csv(target: Path, new: pd.DataFrame, sep: str, dest: Path) -> bool:
    """``append_history`` for a CSV history: False where its header does not hold every
    column of ``new`` (or cannot be read as leadtool writes it)."""
    try:
        with target.open("rb") as handle:
            first = handle.readline()
            handle.seek(-1, os.SEEK_END)
            ends_a_line = handle.read(1) == b"\n"
        header = next(csv.reader([first.decode("utf-8")], delimiter=sep))
    except (OSError, UnicodeDecodeError, csv.Error, StopIteration):
        return False
    if not first.endswith(b"\n") or len(set(header)) < len(header):
        return False
    if not set(map(str, new.columns)) <= set(header):
        return False
    body = csv_bytes(new.reindex(columns=header, fill_value=""), sep, header=False)

    def write(handle: Any) -> None:
        with target.open("rb") as old:
            shutil.copyfileobj(old, handle, 1 << 22)
        if not ends_a_line:
            handle.write(b"\n")
        handle.write(body)

    _atomic(dest, write)
    return True


_HISTORY_BATCH_ROWS = 131_072


def _appended_parquet(target: Path, new: pd.DataFrame, dest: Path) -> bool:
    """``append_history`` for a Parquet history: its rows streamed into a new file a batch
    at a time, then the new ones; columns only the new rows have are added (empty in the
    old rows). False where the file is not all text (not one leadtool wrote)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(target)
    except (OSError, ValueError, pa.ArrowException):  # not Parquet after all: done whole
        return False
    kinds = [f.type for f in schema]
    if not kinds or not all(pa.types.is_string(k) or pa.types.is_large_string(k) for k in kinds):
        return False
    text = kinds[0]
    added = [str(c) for c in new.columns if str(c) not in schema.names]
    if added:  # pandas' note of the columns would no longer match them
        schema = pa.schema([*schema, *(pa.field(c, text) for c in added)]).remove_metadata()
    rows = new.reindex(columns=schema.names, fill_value="")
    tail = pa.Table.from_arrays(
        [pa.array(rows[c], type=f.type) for c, f in zip(schema.names, schema, strict=True)],
        schema=schema,
    )

    def write(handle: Any) -> None:
        # (the old file is closed before the new one is renamed over it)
        with pq.ParquetFile(target) as source, pq.ParquetWriter(handle, schema) as writer:
            for batch in source.iter_batches(batch_size=_HISTORY_BATCH_ROWS):
                if added:
                    blank = pa.repeat(pa.scalar("", text), batch.num_rows)
                    batch = pa.RecordBatch.from_arrays(
                        [*batch.columns, *([blank] * len(added))], schema=schema
                    )
                writer.write_batch(batch)
            writer.write_table(tail, row_group_size=_HISTORY_BATCH_ROWS)

    _atomic(dest, write)
    return True


# --------------------------------------------------------------------------- writing


def gzipped_name(path: str | None) -> str | None:
    """The name inside a gzip file's name (``leads.csv`` of ``leads.csv.gz``), else None."""
    if path in (None, STDIN):
        return None
    text = str(path)
    return next((text[: -len(x)] for x in _GZIP_SUFFIXES if text.lower().endswith(x)), None)


def output_format(path: str | None, fmt: str | None = None) -> str:
    """Format for an output path: ``--format`` wins, then the extension (of the name inside
    a ``.gz`` one), then CSV."""
    if fmt:
        fmt = fmt.lower()
    elif path in (None, STDIN):
        fmt = "csv"
    else:
        suffix = Path(gzipped_name(path) or str(path)).suffix.lower().lstrip(".")
        fmt = suffix if suffix in WRITE_FORMATS else "csv"
    if fmt not in WRITE_FORMATS:
        raise LeadtoolError(
            f"unknown output format {fmt!r} (use one of {', '.join(WRITE_FORMATS)})"
        )
    if fmt in ("parquet", "xlsx") and gzipped_name(path) is not None:
        raise LeadtoolError(f"{path}: {fmt} is not gzipped; write .{fmt}, compressed inside")
    return fmt


def write_table(
    frame: pd.DataFrame, path: str | None, fmt: str | None = None, escape: bool = True
) -> None:
    """Write ``frame`` to ``path`` (``None``/``-`` for stdout) atomically: temp file + rename.

    CSV and TSV cells that a spreadsheet would run as formulas are escaped unless ``escape``
    is off (machine consumers); XLSX cells are always written as text, never formulas.
    """
    fmt = output_format(path, fmt)
    frame = frame.fillna("")
    if escape and fmt in ("csv", "tsv"):
        frame = escape_formulas(frame)
    if path in (None, STDIN):
        if fmt in ("parquet", "xlsx"):
            raise LeadtoolError(f"cannot write {fmt} to stdout; give -o FILE")
        data = _render_bytes(frame, fmt)
        sys.stdout.flush()
        out = getattr(sys.stdout, "buffer", None)
        if out is not None:
            out.write(data)
            out.flush()
        else:
            sys.stdout.write(data.decode("utf-8"))
            sys.stdout.flush()
        return
    if gzipped_name(path) is not None:
        _atomic(Path(str(path)), lambda handle: _write_gzipped(frame, fmt, handle))
        return
    _atomic(Path(str(path)), lambda handle: _write_binary(frame, fmt, handle))


def _write_gzipped(frame: pd.DataFrame, fmt: str, handle: Any) -> None:
    """``leads.csv.gz``: the text formats gzipped, with no time stamp in the header so the
    same leads give the same bytes. (Parquet compresses inside; XLSX is a ZIP already.)"""
    import gzip

    with gzip.GzipFile(fileobj=handle, mode="wb", compresslevel=6, mtime=0) as packed:
        # (not in place: the gzip file's descriptor is the file's, its bytes are not)
        _write_binary(frame, fmt, packed, in_place=False)


def _render_bytes(frame: pd.DataFrame, fmt: str) -> bytes:
    if fmt == "jsonl":
        if frame.empty:
            return b""
        return (frame.to_json(orient="records", lines=True, force_ascii=False) or "").encode()
    sep = "\t" if fmt == "tsv" else ","
    if len(frame.columns) > 1 and len(frame):
        try:
            return csv_bytes(frame, sep)
        except (ImportError, TypeError, ValueError, ArithmeticError) as exc:  # pragma: no cover
            log.debug("arrow CSV writer unavailable (%s); using pandas", exc)
    return (frame.to_csv(index=False, sep=sep, lineterminator="\n") or "").encode("utf-8")


CSV_CHUNK_ROWS = 200_000


def csv_chunks(frame: pd.DataFrame, sep: str = ",") -> Iterator[bytes | memoryview]:
    """The CSV of ``frame`` in pieces of CSV_CHUNK_ROWS rows, so writing a million leads
    never holds a second full copy of them in memory. Pieces are the writer's own buffers,
    handed on without a copy."""

    def piece(start: int) -> list[bytes | memoryview]:
        return _csv_parts(frame.iloc[start : start + CSV_CHUNK_ROWS], sep, header=start == 0)

    starts = range(0, max(len(frame), 1), CSV_CHUNK_ROWS)
    if len(starts) == 1:
        yield from piece(0)
        return
    for parts in _two_at_a_time(piece, starts):
        yield from parts


def _two_at_a_time(work: Callable[[int], T], items: Iterable[int]) -> Iterator[T]:
    """``work`` of each item, in order, two at a time: Arrow's kernels release the GIL, so a
    second core builds the next piece while this one is written; never more than two are
    held in memory."""
    from collections import deque
    from concurrent.futures import Future, ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="leadtool-csv") as pool:
        pending: deque[Future[T]] = deque()
        for item in items:
            pending.append(pool.submit(work, item))
            if len(pending) == 2:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def csv_bytes(frame: pd.DataFrame, sep: str = ",", header: bool = True) -> bytes:
    """CSV as ``DataFrame.to_csv(index=False, lineterminator="\\n")`` writes it (minimal
    quoting, doubled quotes) — except that a carriage return is quoted too, so it cannot split
    a row — built column-wise with Arrow's string kernels: about twice as fast on a million
    rows. tests/test_io.py checks the bytes against pandas and the round trip."""
    return b"".join(_csv_parts(frame, sep, header))


def _csv_parts(
    frame: pd.DataFrame, sep: str, header: bool, place: Place | None = None
) -> list[bytes | memoryview]:
    """``csv_bytes`` as its header line and its body, the body in the buffer it was built in
    (a piece of a million-row file is some 80 MB: a copy costs more than it seems, in fresh
    pages). With ``place``, the body is built in the memory ``place`` gives for its size (a
    region of the output file) and comes back empty."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = TEXT
    special = '["' + ("\t" if sep == "\t" else re.escape(sep)) + "\n\r]"
    quote, empty = pa.scalar('"', type=text), pa.scalar("", type=text)

    def escaped(values: Any) -> Any:
        if not holds_any(values, ('"', sep, "\n", "\r")):
            return values
        needs = pc.match_substring_regex(values, special)
        quoted = pc.binary_join_element_wise(
            quote, pc.replace_substring(values, '"', '""'), quote, empty
        )
        return pc.if_else(needs, quoted, values)

    head = sep.join(escaped(pa.array([str(c)], type=text))[0].as_py() for c in frame.columns)
    head = head + "\n" if header else ""
    if not len(frame):
        return [head.encode("utf-8")]
    columns = [escaped(to_arrow(frame[c])) for c in frame.columns]
    body = _rows_by_arrow_writer(columns, sep, place)
    if body is None:
        lines = pc.binary_join_element_wise(*columns, pa.scalar(sep, type=text))
        lines = pc.binary_join_element_wise(lines, pa.scalar("\n", type=text), empty)
        offsets = cell_offsets(lines)
        body = data_bytes(lines)[offsets[0] : offsets[-1]].data  # a view, no copy
        if place is not None:
            place(len(body))[:] = body
            body = b""
    return [head.encode("utf-8"), body]


# Arrow's CSV writer is several times faster than joining the cells, but without quoting it
# refuses the characters quoting protects. Already-quoted cells lend them to these control
# bytes for the write, and the bytes are swapped back afterwards.
_STAND_INS = {'"': "\x01", "\n": "\x02", "\r": "\x03"}


def _rows_by_arrow_writer(columns: list[Any], sep: str, place: Place | None = None) -> Any:
    """The rows of already-escaped columns through Arrow's CSV writer; None when a cell holds
    one of the stand-in control bytes itself (then the cells are joined instead). With
    ``place``, written into the memory it gives for their size, and b"" returned."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    stand_ins = {**_STAND_INS, sep: "\x04"}
    ready, lent = [], False
    for values in columns:
        if holds_any(values, tuple(stand_ins.values())):
            return None
        if holds_any(values, ('"',)):  # only quoted cells hold these characters
            lent = True
            for char, stand_in in stand_ins.items():
                values = pc.replace_substring(values, char, stand_in)
        ready.append(values)
    table = pa.table(ready, names=[f"c{i}" for i in range(len(ready))])
    # Rows go through the writer 8,192 at a time: its per-batch buffers then stay in the
    # CPU's cache (a 200,000-row piece: 0.083 s at Arrow's default of 65,536, 0.063 s).
    options = pacsv.WriteOptions(
        include_header=False, delimiter=sep, quoting_style="none", batch_size=8192
    )
    # The size is known: every cell's bytes, and per row a delimiter after each cell but
    # the last and a newline. Written into a buffer of that size, the text is neither
    # copied as a growing buffer doubles nor held twice.
    size = sum(byte_size(c) for c in ready) + table.num_rows * table.num_columns
    target = place(size) if place is not None else None
    exact = pa.allocate_buffer(size, resizable=False) if target is None else pa.py_buffer(target)
    sink = pa.FixedSizeBufferWriter(exact)
    try:
        pacsv.write_csv(table, sink, write_options=options)
        filled = sink.tell() == size
    except (OSError, ValueError):  # pyarrow's errors: the size was wrong after all
        filled = False
    if not filled and target is not None:  # pragma: no cover - the size is exact (tested)
        raise _SizeMissedError
    if filled:
        written = memoryview(exact) if target is None else target
    else:  # pragma: no cover - the size above is exact for every table tested
        log.debug("CSV size estimate missed; writing to a growing buffer")
        grown = pa.BufferOutputStream()
        pacsv.write_csv(table, grown, write_options=options)
        written = memoryview(grown.getvalue())
    if lent:
        _swap_back(written, stand_ins)
    return written if target is None else b""


def _swap_back(view: memoryview, stand_ins: dict[str, str]) -> None:
    """Each stand-in byte back to the character it stood for, in place. numpy scans outside
    the interpreter lock, a megabyte at a time so that its temporaries are reused rather
    than fresh pages (page faults cost more than the scan on a small VM)."""
    back = np.arange(256, dtype=np.uint8)
    for char, stand_in in stand_ins.items():
        back[ord(stand_in)] = ord(char)
    low, high = min(map(ord, stand_ins.values())), max(map(ord, stand_ins.values()))
    written = np.frombuffer(view, dtype=np.uint8)
    for start in range(0, len(written), 1 << 20):
        block = written[start : start + (1 << 20)]
        found = np.flatnonzero((block - np.uint8(low)) <= high - low)
        block[found] = back[block[found]]


Place = Callable[[int], Any]
"""Given a size in bytes, writable memory of that size (a region of the output file)."""


class _SizeMissedError(Exception):
    """The CSV writer did not fill the region sized for it (never seen; the caller starts
    over with plain writes)."""


# Errors of writing the file itself (a full disk, a quota, a failing disk): reported. Any
# other error of allocating or mapping the file's first bytes only says this file system
# cannot do it, and the file is written the plain way.
_WRITE_ERRORS = frozenset(
    getattr(errno, name) for name in ("ENOSPC", "EDQUOT", "EIO", "EFBIG") if hasattr(errno, name)
)


class _FileRegions:
    """Regions of an output file handed out in order — the header, then each piece of rows
    in turn, whichever thread builds it — each allocated on disk (``posix_fallocate``: a
    full disk is an error here, not a crash when the memory is written) and mapped into
    memory, so the CSV writer writes the file's pages directly."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.end = 0
        self.turn = 0  # the piece whose region comes next
        self.ready = threading.Condition()

    def region(self, piece: int, size: int) -> memoryview:
        with self.ready:
            self.ready.wait_for(lambda: self.turn == piece)
            start, self.end = self.end, self.end + size
            self.turn += 1
            self.ready.notify_all()
        os.posix_fallocate(self.fd, start, size)
        aligned = start - start % mmap.ALLOCATIONGRANULARITY
        # The map goes when the last view of it does (the writer's buffer, the swap-back).
        return memoryview(mmap.mmap(self.fd, size + start - aligned, offset=aligned))[
            start - aligned :
        ]

    def skip(self, piece: int) -> None:
        """A failed piece gives up its turn (unless it took it), so that the pieces after
        it do not wait for it: its error is the one reported, and the file is dropped."""
        with self.ready:
            self.ready.wait_for(lambda: self.turn >= piece)
            if self.turn == piece:
                self.turn += 1
                self.ready.notify_all()


def _write_csv_in_place(frame: pd.DataFrame, sep: str, handle: Any) -> bool:
    """The CSV of ``frame`` (as ``csv_chunks`` gives it) built straight in the output file's
    pages: no buffer per piece and no copy into the page cache (a million leads'
    qualified.csv: 1.6–2.4 s to build and write → 1.0–1.1 s, of which building is 0.9–1.0 s;
    replacing last night's file 0.2 s → 0.09 s: its blocks are allocated already). False —
    nothing written — where the file cannot be: not a regular file, no ``posix_fallocate``
    (Windows, macOS), or a file system without it or without memory maps."""
    fd = _regular_fd(handle)
    if fd is None or not hasattr(os, "posix_fallocate"):
        return False
    regions = _FileRegions(fd)
    head = _csv_parts(frame.iloc[0:0], sep, header=True)[0]
    try:
        regions.region(0, len(head))[:] = head
    except (OSError, ValueError) as exc:
        if isinstance(exc, OSError) and exc.errno in _WRITE_ERRORS:
            raise
        log.debug("output file not mapped (%s); writing the plain way", exc)
        os.ftruncate(fd, 0)
        return False

    def piece(index: int) -> None:
        try:
            part = frame.iloc[(index - 1) * CSV_CHUNK_ROWS : index * CSV_CHUNK_ROWS]
            _csv_parts(part, sep, header=False, place=lambda size: regions.region(index, size))
        except BaseException:
            regions.skip(index)
            raise

    try:
        for _ in _two_at_a_time(piece, range(1, -(-len(frame) // CSV_CHUNK_ROWS) + 1)):
            pass
    except _SizeMissedError:  # pragma: no cover - the sizes are exact (tested)
        log.debug("CSV size estimate missed; writing the plain way")
        os.ftruncate(fd, 0)
        return False
    return True


def _regular_fd(handle: Any) -> int | None:
    """The descriptor of a handle on a regular file open for reading and writing (a memory
    map needs both), else None."""
    if fcntl is None:  # pragma: no cover - Windows
        return None
    try:
        fd = int(handle.fileno())
        mode, flags = os.fstat(fd).st_mode, fcntl.fcntl(fd, fcntl.F_GETFL)
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None
    return fd if stat.S_ISREG(mode) and flags & os.O_ACCMODE == os.O_RDWR else None


def _write_binary(frame: pd.DataFrame, fmt: str, handle: Any, in_place: bool = True) -> None:
    if fmt in ("csv", "tsv") and len(frame.columns) > 1 and len(frame):
        sep = "\t" if fmt == "tsv" else ","
        if not (in_place and _write_csv_in_place(frame, sep, handle)):
            for piece in csv_chunks(frame, sep):
                handle.write(piece)
    elif fmt in ("csv", "tsv", "jsonl"):
        handle.write(_render_bytes(frame, fmt))
    elif fmt == "parquet":
        frame.astype(str).to_parquet(handle, index=False, engine="pyarrow")
    else:
        _write_xlsx(frame, handle)


def _write_xlsx(frame: pd.DataFrame, handle: Any) -> None:
    import xlsxwriter

    if len(frame) > XLSX_MAX_ROWS:
        raise LeadtoolError(f"{len(frame)} rows do not fit in one XLSX sheet; write CSV or Parquet")
    book = xlsxwriter.Workbook(
        handle,
        {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    book.set_properties({"created": _XLSX_EPOCH})
    sheet = book.add_worksheet("leads")
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, [str(c) for c in frame.columns], bold)
    for i, row in enumerate(frame.astype(str).itertuples(index=False, name=None), start=1):
        sheet.write_row(i, 0, row)
    sheet.freeze_panes(1, 0)
    book.close()


def write_text(text: str, path: str | None) -> None:
    """Write a rendered report (Markdown, HTML, JSON) atomically, or to stdout."""
    if path in (None, STDIN):
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    _atomic(Path(str(path)), lambda handle: handle.write(text.encode("utf-8")))


def write_workbook(sheets: dict[str, pd.DataFrame], path: str) -> None:
    """An XLSX workbook with one sheet per frame (text cells, never formulas)."""
    import xlsxwriter

    def write(handle: Any) -> None:
        book = xlsxwriter.Workbook(
            handle,
            {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
        )
        book.set_properties({"created": _XLSX_EPOCH})
        bold = book.add_format({"bold": True})
        for name, frame in sheets.items():
            sheet = book.add_worksheet(name[:31])
            sheet.write_row(0, 0, [str(c) for c in frame.columns], bold)
            for i, row in enumerate(frame.itertuples(index=False, name=None), start=1):
                for j, value in enumerate(row):
                    if isinstance(value, int | float) and not isinstance(value, bool):
                        if value == value:  # NaN stays an empty cell
                            sheet.write_number(i, j, float(value))
                    else:
                        sheet.write_string(i, j, "" if value is None else str(value))
            sheet.freeze_panes(1, 0)
        book.close()

    _atomic(Path(path), write)


def _atomic(target: Path, write: Any) -> None:
    """``write`` into a temp file beside ``target``, renamed over it once complete: a reader
    sees the old file or the new one, never part of one. A failed write (a full disk) is
    one error naming the file, and leaves the old file as it was."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:  # a file where the folder should be, no permission
        raise LeadtoolError(f"{target}: cannot write: {os_reason(exc)}") from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.errno in _WRITE_ERRORS:
            raise LeadtoolError(f"{target}: cannot write: {exc.strerror}") from exc
        if isinstance(exc, IsADirectoryError):  # a folder of the target's name
            raise LeadtoolError(f"{target}: cannot write: {os_reason(exc)}") from exc
        raise


def write_json(doc: Any, path: str) -> None:
    """Write a JSON document (stats, manifests) atomically, keys in a stable order."""
    text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    _atomic(Path(path), lambda handle: handle.write(text.encode("utf-8")))


def iter_paths(paths: Iterable[str]) -> list[str]:
    """Expand directories into the table files they hold (sorted; hidden files and Office
    owner files skipped)."""
    out: list[str] = []
    for p in paths:
        if p != STDIN and Path(p).is_dir():
            out.extend(
                str(f)
                for f in sorted(Path(p).iterdir())
                if f.is_file() and not f.name.startswith(".") and is_table_file(f.name)
            )
        else:
            out.append(p)
    return out
