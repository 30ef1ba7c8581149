"""The tables of an HTML page, as rows of cell texts.

CRMs' "Export to Excel" often writes no spreadsheet at all but an HTML table saved as
``.xls`` (Bitrix24's list export does), which Excel opens without a word. ``io`` reads
such a file as it reads a sheet: each ``<table>`` is a grid of cells. Python's own
``html.parser`` does the parsing (it expands no external entities and never fetches
anything); only what the grid needs is kept: ``<tr>`` rows, ``<td>``/``<th>`` cells (a
``colspan`` repeated as empty cells), and each cell's text with its whitespace folded and
``<br>`` as a space (a script's or style's text is no cell's). An export's page is
regular, and is read faster without it (``_plain_tables``).
"""

from __future__ import annotations

import html
import re
from functools import cache
from html.parser import HTMLParser
from typing import Any

_SPACES = re.compile(r"\s+")
MAX_COLSPAN = 1_000  # a hostile colspan="1000000000" must not fill memory


class _Grid:
    """A table being read: its rows, and the cell open in it (with its span)."""

    def __init__(self) -> None:
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None
        self.span = 1

    def open_cell(self, span: str | None) -> None:
        self.close_cell()
        if not self.rows:  # a cell before any <tr>
            self.rows.append([])
        self.cell = []
        span = (span or "1").strip()
        self.span = min(int(span), MAX_COLSPAN) if span.isdigit() and int(span) else 1

    def close_cell(self) -> None:
        if self.cell is not None:
            text = _SPACES.sub(" ", "".join(self.cell)).strip()
            self.rows[-1].extend([text] + [""] * (self.span - 1))
            self.cell, self.span = None, 1


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self._open: list[_Grid] = []  # tables being read, innermost last
        self._hidden = 0  # inside <script> or <style>: text that is no cell's

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        elif tag == "table":
            self._open.append(_Grid())
        elif not self._open:
            return
        elif tag == "tr":
            self._open[-1].close_cell()
            self._open[-1].rows.append([])
        elif tag in ("td", "th"):
            self._open[-1].open_cell(dict(attrs).get("colspan"))
        elif tag == "br" and self._open[-1].cell is not None:
            self._open[-1].cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden = max(0, self._hidden - 1)
        if not self._open:
            return
        if tag in ("td", "th", "tr"):
            self._open[-1].close_cell()
        elif tag == "table":
            self._end_table()

    def handle_data(self, data: str) -> None:
        if self._open and self._open[-1].cell is not None and not self._hidden:
            self._open[-1].cell.append(data)

    def close(self) -> None:
        super().close()
        while self._open:  # a table never closed is still a table
            self._end_table()

    def _end_table(self) -> None:
        grid = self._open.pop()
        grid.close_cell()
        self.tables.append(grid.rows)


def html_tables(text: str) -> list[list[list[str]]]:
    """Each table of the page, in order of its end (an inner table before the one holding
    it), as rows of cell texts; a table with no cells is left out."""
    tables = _plain_tables(text)
    if tables is None:
        tables = _parsed_tables(text)
    return [rows for rows in tables if any(rows)]


def _parsed_tables(text: str) -> list[list[list[str]]]:
    """The tables as ``html.parser`` reads the page: any HTML."""
    parser = _Tables()
    parser.feed(text)
    parser.close()
    return parser.tables


# The page of a CRM export: tables side by side (none inside another), of rows of cells whose
# only markup is <br>, tags in lowercase, and nothing that makes a cell more than its text
# (no colspan, script, style or comment). 100,000 Bitrix24 leads are such a page of 43 MB,
# which html.parser reads in 27 s (a Python call per tag); string searches and these
# patterns read it in a few seconds, and any other page goes to html.parser.
# tests/test_io.py checks that both give the same tables.
_BODY = re.compile(  # (text between the tags of rows is no cell's: both readers drop it)
    r"(?:[^<]*</?(?:thead|tbody|tfoot)\b[^>]*>)*"
    r"(?:[^<]*<tr\b[^>]*>(?:[^<]*<t[dh]\b[^>]*>[^<]*(?:<br\s*/?>[^<]*)*</t[dh]\s*>)*[^<]*</tr\s*>"
    r"(?:[^<]*</?(?:thead|tbody|tfoot)\b[^>]*>)*)*[^<]*"
)
_CELL = re.compile(r"<t[dh]\b[^>]*>([^<]*(?:<br\s*/?>[^<]*)*)</t[dh]\s*>")
_BREAK = re.compile(r"<br\s*/?>")
_UPPER_TAG = re.compile(r"</?[A-Z]")
_CELL_WITH_ATTRIBUTES = re.compile(r"<t[dh]\s[^>]*>")
_QUOTED_GT = re.compile(r"""=\s*(?:"[^"]*>|'[^']*>)""")  # title="a>b": a ">" not ending a tag
_TABLE_TAG = re.compile(r"<table\b")


def _plain_tables(text: str) -> list[list[list[str]]] | None:
    """The tables of a plain export page (above), or None for any other page."""
    if any(mark in text for mark in ("<script", "<style", "<!--", "\x00")):
        return None
    if (
        _UPPER_TAG.search(text)
        or _QUOTED_GT.search(text)
        or any("colspan" in tag.lower() for tag in _CELL_WITH_ATTRIBUTES.findall(text))
    ):
        return None
    bodies = _table_bodies(text)
    body_shape = _body_shape()  # (RE2 checks a page three times faster than Python's re)
    if not bodies or not all(body_shape.fullmatch(body) for body in bodies):
        return None
    shape: list[list[int]] = []
    cells: list[str] = []
    for body in bodies:
        found = _CELL.findall(body)
        rows = body.split("</tr")[:-1]  # each row's cells end in its piece
        shape.append([p.count("<td") + p.count("<th") - p.count("<thead") for p in rows])
        if sum(shape[-1]) != len(found):
            return None
        cells.extend(found)
    # Every cell's text at once: <br> a space, entities decoded; then whitespace folded
    # in the few cells that have more than single spaces.
    joined = html.unescape(_BREAK.sub(" ", "\x00".join(cells))).split("\x00")
    texts = iter(
        (t if t.isprintable() and "  " not in t else _SPACES.sub(" ", t)).strip() for t in joined
    )
    return [[[next(texts) for _ in range(n)] for n in table] for table in shape]


@cache
def _body_shape() -> Any:
    """``_BODY`` for RE2, whose ``\\s`` is ASCII whitespace only: a page with other
    whitespace between its tags is left to html.parser, never read differently."""
    import re2

    return re2.compile(_BODY.pattern)


def _table_bodies(text: str) -> list[str] | None:
    """What lies inside each ``<table …>…</table>``, or None where one holds another or
    is not closed."""
    bodies, at = [], 0
    while (start := text.find("<table", at)) >= 0:
        opened = text.find(">", start)
        end = text.find("</table", opened)
        if opened < 0 or end < 0 or text.find(">", end) < 0:
            return None
        body = text[opened + 1 : end]
        if "<table" in body or not _TABLE_TAG.match(text, start):
            return None
        bodies.append(body)
        at = text.find(">", end) + 1
    return bodies


def looks_like_html(raw: bytes) -> bool:
    """An HTML page (whatever the file's name says): its first tag is a doctype, ``<html>``,
    ``<head>``, ``<meta>`` or ``<table>``, after any BOM and whitespace, in an ASCII-based
    or UTF-16 encoding."""
    head = raw[:1024]
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        head = head.removeprefix(bom)
    head = head.replace(b"\x00", b"").lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<meta", b"<table"))


_CHARSET = re.compile(rb"""<meta[^>]*charset\s*=\s*["']?([a-z0-9_-]+)""", re.IGNORECASE)


def declared_charset(raw: bytes) -> str | None:
    """The encoding a page's ``<meta>`` declares (``charset=windows-1251``), if any."""
    found = _CHARSET.search(raw[:4096])
    return found.group(1).decode("ascii").lower() if found else None
