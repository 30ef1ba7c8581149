"""The I/O module: encodings, delimiters, header search, formats, errors, atomic writes."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import re
import shutil
import tempfile
import zipfile
from pathlib import Path
from unittest import mock

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadtool import io as io_module
from leadtool.errors import LeadtoolError
from leadtool.io import (
    csv_bytes,
    decode,
    find_header,
    is_table_file,
    iter_paths,
    read_tables,
    sniff_delimiter,
    write_table,
)
from tests.conftest import FIXTURES

TEXT = "name;phone\nАнна Иванова;8 912 345-67-89\n"


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8-sig"),
        (b"\xff\xfe" + TEXT.encode("utf-16-le"), "utf-16-le"),
        (b"\xfe\xff" + TEXT.encode("utf-16-be"), "utf-16-be"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),
        (TEXT.encode("utf-16-be"), "utf-16-be"),
        (TEXT.encode("cp1251"), "cp1251"),
    ],
)
def test_decode_detects_encoding(raw: bytes, encoding: str) -> None:
    text, found = decode(raw, "f.csv")
    assert found == encoding
    assert text == TEXT


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("№;Имя;Телефон\n1;Ольга «Оля»;+7 903 123\n2;Пётр Ёлкин – VIP;8 916\n", "cp1251"),
        ("Name;Phone\nИван;89161234567\n", "cp1251"),
        # Excel's CSV on a Romanian PC: s and t with a cedilla, ă read as Russian г before
        ("Nume;Prenume;Oraş\nPopescu;Ştefan;Iaşi\nŢurcanu;Mădălina;Timişoara\n", "cp1250"),
        ("Nume;Telefon\nMădălina Ionescu;0722123456\nAna Stănescu;0745987654\n", "cp1250"),
        ("Imię;Miasto\nŁukasz Wąsik;Łódź\nZofia Żak;Kraków\n", "cp1250"),
        ("Jméno\nJiří Dvořák\n", "cp1250"),
        ("Name;Stadt\nJürgen Müller;München\nFrançois Lefèvre;Genève\n", "cp1252"),
        ("Nombre\nIñigo Muñoz\n", "cp1252"),
        ("Ім'я;Місто\nОлена Коваленко;Київ\nЄвген Шевченко;Львів\n", "cp1251"),
        ("Компания;Оператор\nООО МегаФон Ритейл;ВКонтакте\nСберБанк;Билайн\n", "cp1251"),
        # Old Russian systems: KOI8-R (Unix mail, some CRMs) and cp866 (DOS, accounting)
        ("Имя;Телефон;Город\nИван Петров;8 916 123;Москва\n", "koi8-r"),
        ("Name;Phone\nИван;89161234567\n", "koi8-r"),
        ("ФИО;ТЕЛЕФОН\nИВАНОВ ИВАН ПЕТРОВИЧ;89123456789\n", "koi8-r"),
        ("имя;город\nольга;новосибирск\n", "koi8-r"),
        ("Имя;Комментарий\nАнна Смирнова;перезвоните после обеда\n", "cp866"),
        # rare letters only: the case inside the words tells (the wrong page's "чБ" or "фЮ")
        ("Фамилия;Имя\nЧуб;Юзеф\n", "cp1251"),
        ("Фамилия;Имя\nЧуб;Юзеф\n", "koi8-r"),
    ],
)
def test_a_single_byte_code_page_is_told_by_its_words(text: str, encoding: str) -> None:
    # Each of these code pages reads any bytes as some letters; the one whose words read as
    # ordinary words of one script is the file's.
    got, found = decode(text.encode(encoding), "f.csv")
    assert (got, found) == (text, encoding)


def test_decode_rejects_broken_utf8_naming_the_line() -> None:
    raw = (FIXTURES / "bad_utf8.csv").read_bytes()
    with pytest.raises(LeadtoolError, match=r"bad_utf8.csv: line 5: .*not valid UTF-8"):
        decode(raw, "bad_utf8.csv")


def test_decode_rejects_binary() -> None:
    with pytest.raises(LeadtoolError, match="binary file"):
        decode(bytes(range(256)), "x.csv")


@pytest.mark.parametrize("delim", [",", ";", "\t", "|"])
def test_sniff_delimiter(delim: str) -> None:
    rows = [["name", "e-mail, work", "phone"], ["A, B", "a@example.com", "1"], ["C", "c@x.io", "2"]]
    text = "\n".join(delim.join(f'"{c}"' if delim in c or "," in c else c for c in r) for r in rows)
    assert sniff_delimiter(text) == delim


def test_find_header_skips_title_lines() -> None:
    records = [
        ["Campaign performance"],
        ["1 November 2026 - 30 November 2026"],
        [],
        ["Day", "Campaign", "Cost"],
        ["2026-11-01", "Brand", "10.5"],
        ["2026-11-02", "Brand", "12"],
    ]
    assert find_header(records) == (3, 0)


def test_find_header_below_a_preamble_longer_than_the_table() -> None:
    # A short report: its title, dates and account (two cells each, the dates' commas
    # unquoted) outnumber its rows; the table is what runs to the end.
    records = [
        ["Campaign Performance Report (in UTC)"],
        ["Report Start: 11/1/2026", " 12:00 AM"],
        ["Report End: 11/30/2026", " 11:59 PM"],
        ["Date Generated: 12/1/2026", " 9:15 AM"],
        ["Account Name", "Demo Account"],
        [],
        ["Start Date (in UTC)", "Campaign Name", "Currency", "Total Spent"],
        ["11/1/2026", "LeadGen", "USD", "150.25"],
        ["11/2/2026", "LeadGen", "USD", "1,204.10"],
    ]
    assert find_header(records) == (6, 0)


def test_find_header_when_the_table_starts_lower_and_to_the_right() -> None:
    records = [["", "", ""], ["", "", ""], ["", "Variables", "Description"], ["", "a", "b"]]
    assert find_header(records) == (2, 1)


def test_report_preamble_and_total_row(tmp_path) -> None:
    (table,) = read_tables(str(FIXTURES / "leads_report_cp1251.csv"))
    assert table.encoding == "cp1251" and table.delimiter == ";"
    assert table.header_row == 4
    assert table.preamble[0].startswith("Отчёт")
    assert table.footer_rows == 1
    assert len(table.data) == 2


def test_a_reports_closing_notes_are_no_leads() -> None:
    """Salesforce ends a report's CSV with two blank lines and its notes (name, copyright,
    "Confidential", "Generated By", the company): each was a lead with only a first field."""
    (table,) = read_tables(str(FIXTURES / "salesforce_leads_report.csv"))
    assert table.footer_rows == 5 and table.blank_rows == 2
    assert table.data["Last Name"].tolist() == ["Miller", "Lopez", "Wright", "Test"]
    assert table.ragged == [""] * 4


@pytest.mark.parametrize(
    ("tail", "leads", "footer"),
    [
        # A lead with a phone alone above the blank row stays a lead.
        ([["8 912 345-67-89"], [], ["Отчёт сформирован 23.11.2026"]], 2, 1),
        # No blank row above the lines: leads whose first field is all they gave.
        ([["Leads report"], ["© 2026 Example CRM"]], 3, 0),
        # One-cell rows with no notice among them are leads, however they end.
        ([[], ["Иван"], ["Пётр"]], 3, 0),
        # A one-cell line below the notice and a blank row: a lead, and the notice with it.
        ([[], ["© 2026 Example CRM"], [], ["Иван"]], 3, 0),
        # More lines than notes have: leads, a notice below them or not.
        ([[], *[[f"Лид {i}"] for i in range(9)], ["Copyright 2026"]], 11, 0),
    ],
)
def test_closing_notes_need_a_notice(tmp_path, tail, leads: int, footer: int) -> None:
    rows = [["Имя", "Телефон", "Почта"], ["Анна", "8 912 000-00-01", "a@example.ru"], *tail]
    path = tmp_path / "report.csv"
    path.write_text("".join(";".join(r) + "\n" for r in rows), encoding="utf-8")
    (table,) = read_tables(str(path))
    assert (len(table.data), table.footer_rows) == (leads, footer)


def test_closing_notes_padded_to_the_tables_width(monkeypatch, tmp_path) -> None:
    # A report saved again by a spreadsheet pads its notes with empty cells: every row is as
    # wide as the header, and the Arrow reader reads the file; both readers skip the notes.
    rows = ["Name,Email,Phone", "Grace,grace@example.com,(415) 555-0132", ",,", ",,"]
    rows += [
        "Leads by source,,",
        '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.",,',
        "Confidential Information - Do Not Distribute,,",
    ]
    path = tmp_path / "report.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    fast, slow = _both_readers(monkeypatch, str(path))
    _same_table(fast, slow)
    assert (len(fast[0].data), fast[0].footer_rows, fast[0].blank_rows) == (1, 3, 2)


def test_a_copyright_line_below_a_one_column_list_takes_no_lead(tmp_path) -> None:
    # Every lead of a one-column file is one cell: a notice right below them must not take
    # them all for its notes (the line is a lead then, as before); below a blank row it is
    # a note, and the leads above stay leads.
    phones = [f"8 912 000-00-{i:02d}" for i in range(1, 31)]
    for gap, leads, footer in (([], 31, 0), ([""], 30, 1)):
        path = tmp_path / "phones.csv"
        path.write_text("\n".join(["Телефон", *phones, *gap, "© 2026 Example"]) + "\n")
        (table,) = read_tables(str(path))
        assert (len(table.data), table.footer_rows) == (leads, footer)


def test_ragged_rows_are_kept_and_flagged() -> None:
    (table,) = read_tables(str(FIXTURES / "ragged.csv"))
    assert table.ragged == ["short_row", "long_row", ""]
    assert table.extra[1] == "extra cell | another"
    assert table.data.iloc[0].tolist() == ["Tom Short", "tom@example.com", ""]


@pytest.mark.parametrize("size", ["small", "large"])  # the csv module's path and Arrow's
def test_an_unclosed_quote_does_not_swallow_the_rows_after_it(tmp_path, size: str) -> None:
    """A cell typed as `"Ivan` opens a quote nothing closes: the reader ran on to the next
    quote or the end of the file and made every row in between one. Each row is kept; the
    one with the stray quote is read as typed, and flagged when its width is off."""
    rows = [
        "Имя;Телефон;Email;Компания",
        '"Иван Петров;+7 916 385-71-42;ivan@example.ru;А',
        "Анна;+7 916 385-71-43;anna@example.ru;Б",
        'Олег;+7 916 385-71-44;oleg@example.ru;"ООО ""Ромашка"""',
        'Мария;+7 916 385-71-45;maria@example.ru;"две\nстроки"',
        'Пётр;+7 916 385-71-46;petr@example.ru;ООО "Лютик"',
    ]
    more = [
        f"Гость {i};+7 916 000-{i // 100:02d}-{i % 100:02d};g{i}@example.ru;В"
        for i in range(30_000)
    ]
    path = tmp_path / "tilda.csv"
    path.write_bytes(
        ("\r\n".join(rows + (more if size == "large" else [])) + "\r\n").encode("cp1251")
    )
    (table,) = read_tables(str(path))
    assert len(table.data) == 5 + (30_000 if size == "large" else 0)
    assert table.data["Имя"].tolist()[:5] == ['"Иван Петров', "Анна", "Олег", "Мария", "Пётр"]
    assert table.data["Компания"].tolist()[1:5] == [
        "Б",
        'ООО "Ромашка"',
        "две\nстроки",
        'ООО "Лютик"',
    ]
    assert table.ragged[:5] == ["", "", "", "", ""]  # as wide as the header: nothing to flag


def test_an_unclosed_quote_that_shifts_cells_is_flagged(tmp_path) -> None:
    path = tmp_path / "form.csv"
    path.write_text(
        'name,email,phone\n"Ivan, Petrov,ivan@example.com,+79161234567\n'
        "Anna,anna@example.com,+79161234568\nOleg,oleg@example.com,+79161234569",  # no last \\n
        encoding="utf-8",
    )
    (table,) = read_tables(str(path))
    assert table.data["name"].tolist() == ['"Ivan', "Anna", "Oleg"]
    assert table.ragged == ["long_row", "", ""]


def test_cells_with_line_breaks_in_ragged_rows_stay_cells(tmp_path) -> None:
    """A short row whose quoted cell holds line breaks is no runaway quote: the lines it
    holds are text, not rows."""
    path = tmp_path / "notes.csv"
    path.write_text(
        'name,email,phone,comment\nAnna,anna@example.com,"+79161234568\ncall after 6"\n'
        "Oleg,oleg@example.com,+79161234569,ok\n",
        encoding="utf-8",
    )
    (table,) = read_tables(str(path))
    assert table.data["phone"].tolist() == ["+79161234568\ncall after 6", "+79161234569"]
    assert table.ragged == ["short_row", ""]


def test_blank_rows_skipped_but_row_numbers_kept(tmp_path) -> None:
    path = tmp_path / "gaps.csv"
    path.write_text("name,email\nA,a@example.com\n,\nB,b@example.com\n", encoding="utf-8")
    (table,) = read_tables(str(path))
    assert table.rows == [1, 3]
    assert table.blank_rows == 1


def test_xlsx_finds_table_below_and_right_and_skips_sheets_without_one() -> None:
    tables = read_tables(str(FIXTURES / "crm_export.xlsx"))
    assert [t.sheet for t in tables] == ["Leads"]
    assert (tables[0].header_row, tables[0].header_col) == (3, 2)
    # numbers stored as numbers in Excel come back without ".0"
    assert tables[0].data["ID"].tolist() == ["1045", "1046"]


def test_xlsx_named_sheet_and_unknown_sheet() -> None:
    (table,) = read_tables(str(FIXTURES / "crm_export.xlsx"), sheet="Leads")
    assert len(table.data) == 2
    with pytest.raises(LeadtoolError, match="no sheet 'Nope'"):
        read_tables(str(FIXTURES / "crm_export.xlsx"), sheet="Nope")


def test_real_data_dictionary_table_at_row_3_column_b(real_data) -> None:
    (table,) = read_tables(str(real_data / "x_education_data_dictionary.xlsx"))
    assert (table.header_row, table.header_col) == (3, 2)
    assert list(table.data.columns) == ["Variables", "Description"]
    assert table.data["Variables"].iloc[0] == "Prospect ID"


def test_real_leads_csv_reads_every_row(real_data) -> None:
    (table,) = read_tables(str(real_data / "x_education_leads.csv"))
    assert len(table.data) == 9240
    assert "column_38" not in table.data.columns  # trailing empty, unnamed column dropped


def test_json_array_meta_field_data_and_jsonl(tmp_path) -> None:
    doc = {
        "data": [
            {
                "id": "1",
                "created_time": "2026-11-05T10:00:00+0000",
                "field_data": [
                    {"name": "full_name", "values": ["Ann Lee"]},
                    {"name": "email", "values": ["ann@example.com"]},
                ],
            }
        ]
    }
    path = tmp_path / "graph.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    (table,) = read_tables(str(path))
    assert table.data.to_dict("records") == [
        {
            "id": "1",
            "created_time": "2026-11-05T10:00:00+0000",
            "full_name": "Ann Lee",
            "email": "ann@example.com",
        }
    ]
    (jsonl,) = read_tables(str(FIXTURES / "google_ads_webhook.jsonl"))
    assert jsonl.data["EMAIL"].tolist() == ["test@example.com", "olga.k@example.kz"]


def test_jsonl_records_alike_or_not(tmp_path) -> None:
    # Records with the same keys in the same order (a lead file leadtool wrote) are taken
    # column by column as they are; others are filled key by key. Both give the same table.
    alike = tmp_path / "alike.jsonl"
    alike.write_text(
        '{"email": "a@x.com", "phone": "+40722123456"}\n\n{"email": "", "phone": "x"}\n',
        encoding="utf-8",
    )
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text(
        '{"email": "a@x.com", "phone": "+40722123456"}\n{"phone": "x", "n": 5}\n'
        '{"email": "b@x.com", "phone": {"work": "1"}}\n',
        encoding="utf-8",
    )
    (first,) = read_tables(str(alike))
    assert first.data.to_dict("list") == {"email": ["a@x.com", ""], "phone": ["+40722123456", "x"]}
    (second,) = read_tables(str(mixed))
    assert second.data.to_dict("list") == {
        "email": ["a@x.com", "", "b@x.com"],
        "phone": ["+40722123456", "x", ""],
        "n": ["", "5", ""],
        "phone_work": ["", "", "1"],
    }
    assert second.rows == [1, 2, 3]


JSONL_CASES = {
    "flat text, ISO dates": '{"id": "1", "created_at": "2026-11-23T10:15:00Z", "d": "2026-11-23"}\n'
    '{"id": "2", "created_at": "2026-11-24 08:00", "d": ""}\n',
    "blank lines, CRLF, gaps": '{"a": "1", "b": null}\r\n   \r\n{"c": "é\\u00e9"}\r\n',
    "numbers and flags": '{"phone": 79123456789, "score": 5.0, "ok": true}\n{"phone": "x"}\n',
    "nested": '{"a": {"b": "1"}, "field_data": [{"name": "email", "values": ["x@y.z"]}]}\n'
    '{"a": {"b": "2"}}\n',
    "a repeated key": '{"a": "1", "a": "2"}\n{"a": "3"}\n',
    "two objects on a line": '{"a": "1"} {"a": "2"}\n{"a": "3"}\n',
    "a broken line": '{"a": "1"}\n{"a": "2"\n',
}


@pytest.mark.parametrize("case", sorted(JSONL_CASES))
def test_jsonl_by_arrow_reads_what_the_record_path_reads(monkeypatch, tmp_path, case) -> None:
    # Flat records of text go through Arrow's JSON reader; everything else (and every error)
    # through json.loads line by line. The table, or the error, is the same either way.
    import leadtool.io as io_module

    path = tmp_path / "leads.jsonl"
    path.write_bytes(JSONL_CASES[case].encode("utf-8"))
    taken = []
    real = io_module._flat_jsonl

    def spied(text, records):
        answer = real(text, records)
        taken.append(answer is not None)
        return answer

    monkeypatch.setattr(io_module, "_flat_jsonl", spied)

    def read(path):
        try:
            (table,) = read_tables(str(path))
        except LeadtoolError as exc:
            return str(exc)
        return table.data.to_dict("list"), table.rows

    fast = read(path)
    monkeypatch.setattr(io_module, "_flat_jsonl", lambda text, records: None)
    assert fast == read(path)
    # (a first record that is not flat text skips Arrow's reader without a try)
    arrow = case in ("flat text, ISO dates", "blank lines, CRLF, gaps")
    assert (taken == [True]) if arrow else (taken in ([], [False]))


def test_the_collector_rests_while_records_are_built_and_comes_back(monkeypatch, tmp_path) -> None:
    # Building hundreds of thousands of dicts with the cycle collector running cost more
    # than parsing them; it must be paused for that, and running again afterwards — also
    # after an error.
    import gc

    import leadtool.io as io_module

    seen = []
    real = io_module._flatten

    def spied(record, prefix=""):
        seen.append(gc.isenabled())
        return real(record, prefix)

    monkeypatch.setattr(io_module, "_flatten", spied)
    good, bad = tmp_path / "good.jsonl", tmp_path / "bad.jsonl"
    good.write_text('{"a": {"b": "1"}}\n{"a": {"b": "2"}}\n', encoding="utf-8")
    bad.write_text('{"a": {"b": "1"}}\n{"a": \n', encoding="utf-8")
    (table,) = read_tables(str(good))
    assert table.data["a_b"].tolist() == ["1", "2"] and seen and not any(seen)
    assert gc.isenabled()
    with pytest.raises(LeadtoolError, match="line 2"):
        read_tables(str(bad))
    assert gc.isenabled()


def test_invalid_jsonl_line_is_named(tmp_path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"email": "a@example.com"}\n{oops\n', encoding="utf-8")
    with pytest.raises(LeadtoolError, match=r"bad.jsonl: line 2: invalid JSON"):
        read_tables(str(path))


def test_parquet_roundtrip_and_magic_bytes_win_over_extension(tmp_path) -> None:
    frame = pd.DataFrame({"email": ["a@example.com", ""], "phone": ["+40722123456", "x"]})
    target = tmp_path / "leads.parquet"
    write_table(frame, str(target))
    disguised = tmp_path / "leads.csv"
    disguised.write_bytes(target.read_bytes())
    (table,) = read_tables(str(disguised))
    assert table.data.to_dict("list") == frame.to_dict("list")


def test_parquet_cells_of_every_type_as_text(tmp_path) -> None:
    # Another tool's Parquet file: text with gaps, a categorical, phones stored as numbers,
    # counts, a date, a flag. Text columns stay Arrow text (as the CSV reader gives them);
    # the others are formatted as spreadsheet cells are.
    import pyarrow as pa
    import pyarrow.parquet as pq

    from leadtool.arrowtext import is_arrow_text

    frame = pd.DataFrame(
        {
            "email": ["a@example.com", None, ""],
            "source": pd.Categorical(["facebook", "tilda", None]),
            "phone": [79123456789.0, float("nan"), 40722123456.0],
            "visits": [3, 0, 12],
            "created": pd.to_datetime(["2026-11-23 10:15", None, "2026-11-24 00:00"]),
            "converted": [True, False, None],
        }
    )
    target = tmp_path / "crm.parquet"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), target)
    (table,) = read_tables(str(target))
    assert table.data.to_dict("list") == {
        "email": ["a@example.com", "", ""],
        "source": ["facebook", "tilda", ""],
        "phone": ["79123456789", "", "40722123456"],
        "visits": ["3", "0", "12"],
        "created": ["2026-11-23 10:15:00", "", "2026-11-24 00:00:00"],
        "converted": ["true", "false", ""],
    }
    assert table.rows == [1, 2, 3]
    if pd.__version__ >= "3":
        assert all(is_arrow_text(table.data[c]) for c in table.data.columns)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"PAR1 not really parquet PAR1", "not a readable Parquet file"), (None, "file is empty")],
)
def test_bad_parquet_files(tmp_path, content: bytes | None, message: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    target = tmp_path / "leads.parquet"
    if content is None:
        pq.write_table(pa.table({}), target)
    else:
        target.write_bytes(content)
    with pytest.raises(LeadtoolError, match=message):
        read_tables(str(target))


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.csv", "file is empty"),
        ("binary.csv", "binary file"),
        ("missing.csv", "no such file"),
    ],
)
def test_bad_files(name: str, message: str) -> None:
    with pytest.raises(LeadtoolError, match=message):
        read_tables(str(FIXTURES / name))


def test_html_tables_cells_rows_spans_and_breaks() -> None:
    from leadtool.htmltable import html_tables

    page = (
        "<html><body><p>Exported 05.11.2026</p><table>"
        "<tr><th>Name</th><th colspan=2>Phone</th><th>Note</th></tr>"
        "<tr><td> Ivan &amp; Co </td><td>+7 912<br>385-27-19</td><td>x</td>"
        "<td>line<br/>two &quot;q&quot;</td></tr>"
        "<tr><td>Olga<td>+40722418305<td colspan='x'>y<script>alert(1)</script><td></tr>"
        "</table><table></table>"
        "<table><tr><td>only<table><tr><td>inner</td></tr></table></td></tr>"  # never closed
    )
    outer, inner, last = None, None, None
    tables = html_tables(page)
    assert len(tables) == 3  # the empty table is left out; the inner one ends first
    outer, inner, last = tables
    assert outer == [
        ["Name", "Phone", "", "Note"],
        ["Ivan & Co", "+7 912 385-27-19", "x", 'line two "q"'],
        ["Olga", "+40722418305", "y", ""],
    ]
    assert inner == [["inner"]]
    assert last == [["only"]]
    # A hostile span is capped, not a billion cells.
    assert len(html_tables("<table><tr><td colspan=999999999>a</td></tr></table>")[0][0]) == 1000


# Export-like HTML pages: cells of text, <br> and entities, attributes, sections, text
# between cells — and, in "odd" pages, what only html.parser reads (a colspan, a <b>, a
# comment, an uppercase tag, a cell left open).
_PLAIN_BITS = [*"ab Я1 >", "&amp;", "&lt;", "&nbsp;", "&#1071;", "&quot;", "&am", "\n", "\t"]
_PLAIN_BITS += ["  ", "\xa0", "\u2003", "\x1c", "<br>", "<br/>", "<br />"]
_ODD_BITS = ["<b>", "<!-- c -->", "x<y", "x < y", "<script>1</script>", "<BR>"]
_PLAIN_TAGS = ["td", "th", 'td class="x"', "td\nalign=left"]
_ODD_TAGS = ["TD", "td colspan=2", "td COLSPAN='2'", 'td title="a>b"', "td title='<th'"]


@st.composite
def _export_page(draw, odd: bool) -> str:
    bits = st.sampled_from(_PLAIN_BITS + (_ODD_BITS if odd else []))
    tags = st.sampled_from(_PLAIN_TAGS + (_ODD_TAGS if odd else []))
    gap = st.sampled_from(["", "\n", " ", "x"])
    tables = []
    for _ in range(draw(st.integers(1, 2))):
        rows = []
        for _ in range(draw(st.integers(0, 4))):
            tds = ""
            for _ in range(draw(st.integers(0, 4))):
                tag, text = draw(tags), "".join(draw(st.lists(bits, max_size=6)))
                close = draw(st.booleans()) if odd else True
                tds += f"<{tag}>{text}" + (f"</{tag.split()[0]}>" if close else "") + draw(gap)
            rows.append(f"<tr{draw(st.sampled_from(['', ' class=r']))}>{tds}</tr>{draw(gap)}")
        head = draw(st.sampled_from(["", "<tbody>", "<thead>"]))
        tables.append(f'<table border="1">{head}' + "".join(rows) + "</table>")
    return "<html><head><meta charset=utf-8></head><body>" + "\n".join(tables) + "</body></html>"


@settings(max_examples=300, deadline=None)
@given(_export_page(odd=False), _export_page(odd=True))
def test_plain_export_pages_read_as_html_parser_reads_them(page: str, odd: str) -> None:
    # An export-like page is read without html.parser, as html.parser reads it; another
    # page either so too, or (mostly) by html.parser itself.
    from leadtool.htmltable import _parsed_tables, _plain_tables

    assert _plain_tables(page) == _parsed_tables(page)
    plain = _plain_tables(odd)
    assert plain is None or plain == _parsed_tables(odd)


def test_plain_export_pages_skip_html_parser(monkeypatch) -> None:
    # The common page (lowercase tags, cells of text, <br>, entities, attributes) is read
    # without html.parser; anything else is handed to it.
    from leadtool import htmltable

    page = (
        '<html><table border="1"><thead><tr><th>Имя</th><th>Телефон</th></tr></thead>'
        "<tbody><tr><td class=n> Иван &amp; Co </td><td>+7 912<br/>385\n27\xa019</td></tr>"
        "<tr><td></td><td>&#1071;</td></tr></tbody></table>"
        "<table><tr><td>a</td><td>b</td></tr></table></html>"
    )
    want = htmltable._parsed_tables(page)
    assert want[0][1] == ["Иван & Co", "+7 912 385 27 19"]
    monkeypatch.setattr(htmltable, "_parsed_tables", lambda text: pytest.fail("parsed"))
    assert htmltable.html_tables(page) == want
    for odd in (
        *("<td colspan=2>a</td>", "<TD>a</TD>", "<td><b>a</b></td>", "<td>a<!---->", "<td>a"),
        '<td title="x>y">a</td>',  # a ">" in a quoted value does not end the tag
    ):
        assert htmltable._plain_tables(page.replace("<td>a</td>", odd, 1)) is None, odd
    # A table in uppercase beside one in lowercase: the string searches see only the one.
    assert htmltable._plain_tables(page.replace("<table><tr>", "<TABLE><tr>")) is None


@pytest.mark.parametrize(
    ("raw", "html"),
    [
        (b"<html><head>", True),
        (b"\xef\xbb\xbf  <!DOCTYPE html><html>", True),
        ("<table><tr><td>Имя</td></tr></table>".encode("utf-16-le"), True),
        (b"\xff\xfe" + "<meta charset=utf-16>".encode("utf-16-le"), True),
        (b"Name,Phone\n<b>Ivan</b>,+7912", False),
        (b"<?xml version='1.0'?><Workbook>", False),
    ],
)
def test_html_is_told_by_its_first_tag(raw: bytes, html: bool) -> None:
    from leadtool.htmltable import looks_like_html

    assert looks_like_html(raw) is html


def test_html_export_saved_as_xls_is_read_in_its_declared_encoding(tmp_path) -> None:
    # Bitrix24's list export: an HTML table in windows-1251, named .xls.
    tables = read_tables(str(FIXTURES / "bitrix24_list_export.xls"))
    assert len(tables) == 1 and tables[0].encoding == "windows-1251"
    assert tables[0].data.columns[:4].tolist() == ["ID", "Название лида", "Обращение", "Имя"]
    assert tables[0].rows == [1, 2]
    # No charset declared: decoded as any text file; several tables are each a table.
    page = "<table><tr><td>Имя</td><td>Телефон</td></tr><tr><td>Иван</td><td>+7912</td></tr>"
    (tmp_path / "two.html").write_bytes((page + "</table>" + page + "</table>").encode("cp1251"))
    tables = read_tables(str(tmp_path / "two.html"))
    assert [t.sheet for t in tables] == ["table 1", "table 2"]
    assert tables[1].data.to_dict("list") == {"Имя": ["Иван"], "Телефон": ["+7912"]}
    # An unknown charset falls back to detection; a page without a table is an error.
    (tmp_path / "odd.xls").write_bytes(b'<meta charset="klingon">' + page.encode())
    assert read_tables(str(tmp_path / "odd.xls"))[0].encoding == "utf-8"
    (tmp_path / "none.xls").write_bytes(b"<html><body>Session expired</body></html>")
    with pytest.raises(LeadtoolError, match=r"none\.xls: an HTML page without a table of leads"):
        read_tables(str(tmp_path / "none.xls"))
    assert read_tables(str(tmp_path / "two.html"), fmt="html")[0].data.shape == (1, 2)


def test_directory_is_not_a_file(tmp_path) -> None:
    with pytest.raises(LeadtoolError, match="is a directory"):
        read_tables(str(tmp_path))


def test_iter_paths_expands_folders() -> None:
    paths = iter_paths([str(FIXTURES)])
    assert any(p.endswith("facebook_leads.tsv") for p in paths)
    assert not any(p.endswith(".py") for p in paths)
    # compressed exports are table files too
    assert any(p.endswith("tilda_form.csv.gz") for p in paths)
    assert any(p.endswith("hubspot_export.zip") for p in paths)


def test_office_owner_files_are_not_tables(tmp_path) -> None:
    # Excel keeps ~$leads.xlsx beside a workbook someone has open (the user's name, no
    # table): in a shared exports folder it stopped the night's run.
    shutil.copy(FIXTURES / "crm_export.xlsx", tmp_path / "leads.xlsx")
    owner = tmp_path / "~$leads.xlsx"
    owner.write_bytes(b"\x05Maria" + "Maria".encode("utf-16-le") + b"\x00" * 40)
    assert iter_paths([str(tmp_path)]) == [str(tmp_path / "leads.xlsx")]
    assert not is_table_file("~$leads.xlsx") and not is_table_file("in/~$leads.csv")
    with pytest.raises(LeadtoolError, match=r"~\$leads.xlsx: an Excel owner file \(someone has "):
        read_tables(str(owner))  # named on the command line: one clear error


def test_table_files_by_name() -> None:
    for name in ("a.csv", "A.CSV.GZ", "b.xlsx.gz", "c.zip", "d.jsonl.gzip", "e.xls"):
        assert is_table_file(name), name
    for name in ("a.pdf", "a.pdf.gz", "a.gz", "archive.tar.gz", "notes.md"):
        assert not is_table_file(name), name


def test_a_gzipped_export_reads_as_the_export(tmp_path) -> None:
    plain = read_tables(str(FIXTURES / "tilda_form.csv"))[0]
    packed = read_tables(str(FIXTURES / "tilda_form.csv.gz"))[0]
    assert packed.label == "tilda_form.csv.gz"
    assert (packed.encoding, packed.delimiter) == ("cp1251", ";")
    pd.testing.assert_frame_equal(packed.data, plain.data)
    # several gzip members one after another (as `cat a.gz b.gz` gives) are one content
    raw = (FIXTURES / "tilda_form.csv").read_bytes()
    (tmp_path / "two.csv.gz").write_bytes(gzip.compress(raw[:40]) + gzip.compress(raw[40:]))
    pd.testing.assert_frame_equal(read_tables(str(tmp_path / "two.csv.gz"))[0].data, plain.data)
    # the format comes from the name inside: a gzipped TSV is tab-separated
    (tmp_path / "x.tsv.gz").write_bytes(gzip.compress(b"name\temail\nA, B\ta@b.com\n"))
    assert read_tables(str(tmp_path / "x.tsv.gz"))[0].data.iloc[0].tolist() == ["A, B", "a@b.com"]


def test_a_zip_archive_gives_the_tables_of_its_table_files(tmp_path) -> None:
    tables = read_tables(str(FIXTURES / "hubspot_export.zip"))  # (and a __MACOSX copy)
    assert [t.label for t in tables] == ["hubspot_export.zip/hubspot-crm-exports-contacts.csv"]
    plain = read_tables(str(FIXTURES / "hubspot_contacts.csv"))[0]
    pd.testing.assert_frame_equal(tables[0].data, plain.data)
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(FIXTURES / "crm_export.xlsx", "leads/crm_export.xlsx")
        archive.write(FIXTURES / "tilda_form.csv.gz", "tilda.csv.gz")
        archive.writestr("README.pdf", b"%PDF")
        archive.writestr(".hidden.csv", b"a,b\n1,2\n")
        archive.writestr("leads/~$crm_export.xlsx", b"\x05Maria")  # zipped while open
    labels = [t.label for t in read_tables(str(path))]
    assert labels == ["export.zip/leads/crm_export.xlsx#Leads", "export.zip/tilda.csv.gz"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: gzip.compress(b"name,email\nA,a@b.com\n")[:-12], "gzip file cut short"),
        (lambda: b"\x1f\x8b" + b"\x00" * 30, "not a readable gzip file"),
        (lambda: gzip.compress(b""), "file is empty"),
        (lambda: _zipped({"scan.pdf": b"%PDF", "logo.png": b"\x89PNG"}), "without a table file"),
        (lambda: _zipped({"leads.csv": b""}), r"leads.zip/leads.csv: file is empty"),
    ],
)
def test_bad_compressed_files_are_one_clear_error(tmp_path, make, message: str) -> None:
    path = tmp_path / ("leads.zip" if message.startswith(("without", "leads")) else "leads.csv.gz")
    path.write_bytes(make())
    with pytest.raises(LeadtoolError, match=message):
        read_tables(str(path))


def test_compressed_bombs_are_refused(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(io_module, "ARCHIVE_MAX_UNPACKED", 100_000)
    (tmp_path / "bomb.csv.gz").write_bytes(gzip.compress(b"a,b\n" + b"1,2\n" * 50_000))
    (tmp_path / "bomb.zip").write_bytes(_zipped({"a.csv": b"a,b\n" + b"1,2\n" * 50_000}))
    for name in ("bomb.csv.gz", "bomb.zip"):
        with pytest.raises(LeadtoolError, match="zip bomb"):
            read_tables(str(tmp_path / name))


def _zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("ext", ["csv", "tsv", "jsonl", "parquet", "xlsx"])
def test_write_formats_roundtrip_and_are_deterministic(tmp_path, ext: str) -> None:
    frame = pd.DataFrame({"name": ["Ана", "=1+1"], "phone": ["+40722123456", ""]})
    a, b = tmp_path / f"a.{ext}", tmp_path / f"b.{ext}"
    write_table(frame, str(a), escape=False)
    write_table(frame, str(b), escape=False)
    assert a.read_bytes() == b.read_bytes()
    (table,) = read_tables(str(a))
    assert table.data.to_dict("list") == frame.to_dict("list")
    assert not list(tmp_path.glob(".*.tmp"))


def test_write_to_stdout_is_csv(capsys) -> None:
    write_table(pd.DataFrame({"a": ["1"], "b": [""]}), None)
    assert capsys.readouterr().out == "a,b\n1,\n"


def test_binary_formats_refuse_stdout() -> None:
    with pytest.raises(LeadtoolError, match="cannot write parquet to stdout"):
        write_table(pd.DataFrame({"a": ["1"]}), "-", "parquet")


def test_failed_write_leaves_no_partial_file(tmp_path, monkeypatch) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old", encoding="utf-8")

    def boom(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("leadtool.io._write_binary", boom)
    with pytest.raises(OSError):
        write_table(pd.DataFrame({"a": ["1"]}), str(target))
    # A full disk is one error naming the file (exit code 1), not a traceback.
    import errno

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("leadtool.io._write_binary", full)
    with pytest.raises(LeadtoolError, match=r"out\.csv: cannot write: No space left"):
        write_table(pd.DataFrame({"a": ["1"]}), str(target))
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_stdin_bytes_are_read(monkeypatch) -> None:
    class FakeStdin:
        buffer = io.BytesIO(b"email\nann@example.com\n")

    monkeypatch.setattr("sys.stdin", FakeStdin())
    (table,) = read_tables("-")
    assert table.file_name == "stdin"
    assert table.data["email"].tolist() == ["ann@example.com"]


CELL_TEXT = st.lists(st.sampled_from([*"ab,;\t\"'\n\r x=é\x01\x04", "Иван"]), max_size=8).map(
    "".join
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(CELL_TEXT, CELL_TEXT, CELL_TEXT), min_size=1, max_size=20),
    st.sampled_from([",", "\t"]),
)
def test_fast_csv_writer_matches_pandas_byte_for_byte(rows, sep: str) -> None:
    frame = pd.DataFrame(rows, columns=["a,b", 'say "x"', "c"], dtype=object)
    written = csv_bytes(frame, sep)
    if any("\r" in cell for row in rows for cell in row):
        # pandas leaves a lone "\r" unquoted, which splits the row for any reader; we quote
        # it, so the file reads back to exactly the same cells.
        back = list(csv.reader(io.StringIO(written.decode(), newline=""), delimiter=sep))
        assert back[1:] == [list(r) for r in rows]
    else:
        assert written == frame.to_csv(index=False, sep=sep, lineterminator="\n").encode()


def test_fast_csv_writer_on_every_golden_file() -> None:
    for path in (FIXTURES.parent / "golden").glob("*.csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert csv_bytes(frame) == frame.to_csv(index=False, lineterminator="\n").encode(), path


def test_csv_rows_fill_a_buffer_of_their_exact_size(monkeypatch) -> None:
    # The writer sizes its buffer from the cells; a growing buffer is only the fallback for
    # a wrong size, which no table here may need (quoted cells, multibyte text, tabs).
    def refuse() -> None:
        raise AssertionError("the exact-size buffer was not enough")

    monkeypatch.setattr("pyarrow.BufferOutputStream", refuse)
    for path in (FIXTURES.parent / "golden").glob("*.csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        for sep in (",", "\t"):
            want = frame.to_csv(index=False, sep=sep, lineterminator="\n").encode()
            assert csv_bytes(frame, sep) == want, path


def test_csv_is_written_in_chunks_with_the_same_bytes(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr("leadtool.io.CSV_CHUNK_ROWS", 3)
    frame = pd.DataFrame({"a": [str(i) for i in range(10)], "b": ['x,"y"'] * 10})
    write_table(frame, str(tmp_path / "c.csv"), escape=False)
    assert (tmp_path / "c.csv").read_bytes() == frame.to_csv(
        index=False, lineterminator="\n"
    ).encode()


def test_formulas_are_escaped_in_every_chunk(tmp_path, monkeypatch) -> None:
    """Escaping happens a piece at a time: every piece, and the single-column and stdout
    paths, give what escaping the whole frame first gives."""
    from leadtool.privacy import escape_formulas

    monkeypatch.setattr("leadtool.io.CSV_CHUNK_ROWS", 3)
    cells = ["=1+1", "Ann", "+79161234567", "@SUM(A1)", "-2+3", "-15.5", "ok", "+cmd|x", "b"]
    frame = pd.DataFrame({"a": cells, "b": cells[::-1], "n": [str(i) for i in range(9)]})
    want = escape_formulas(frame).to_csv(index=False, lineterminator="\n").encode()
    write_table(frame, str(tmp_path / "c.csv"))
    assert (tmp_path / "c.csv").read_bytes() == want
    assert b"'=1+1" in want and b"'@SUM(A1)" in want and b",'=1+1,8\n" in want
    one = frame[["a"]]
    write_table(one, str(tmp_path / "one.csv"))
    assert (tmp_path / "one.csv").read_bytes() == escape_formulas(one).to_csv(
        index=False, lineterminator="\n"
    ).encode()


def _both_readers(monkeypatch, path: str) -> tuple:
    """The table as the Arrow reader gives it (forced on) and as the csv module gives it."""
    monkeypatch.setattr("leadtool.io.ARROW_MIN_BYTES", 0)
    fast = read_tables(path)
    monkeypatch.setattr("leadtool.io.ARROW_MIN_BYTES", 1 << 60)
    slow = read_tables(path)
    return fast, slow


def _same_table(fast, slow) -> None:
    assert len(fast) == len(slow)
    for a, b in zip(fast, slow, strict=True):
        assert list(a.data.columns) == list(b.data.columns)
        assert a.data.astype(object).values.tolist() == b.data.astype(object).values.tolist()
        assert (a.rows, a.ragged, a.extra) == (b.rows, b.ragged, b.extra)
        assert (a.header_row, a.header_col, a.footer_rows, a.blank_rows, a.preamble) == (
            b.header_row,
            b.header_col,
            b.footer_rows,
            b.blank_rows,
            b.preamble,
        )
        assert a.header_repeats == b.header_repeats


@pytest.mark.parametrize(
    "name", sorted(p.name for p in FIXTURES.iterdir() if p.suffix in (".csv", ".tsv"))
)
def test_arrow_reader_gives_what_the_csv_module_gives(monkeypatch, name: str) -> None:
    try:
        fast, slow = _both_readers(monkeypatch, str(FIXTURES / name))
    except LeadtoolError as exc:  # the error fixtures fail the same way on both
        monkeypatch.setattr("leadtool.io.ARROW_MIN_BYTES", 0)
        with pytest.raises(LeadtoolError, match=re.escape(str(exc))):
            read_tables(str(FIXTURES / name))
        return
    _same_table(fast, slow)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(CELL_TEXT, min_size=1, max_size=4), min_size=1, max_size=12),
    st.sampled_from([",", ";", "\t"]),
    st.sampled_from(["\n", "\r\n", "\r\r\n"]),  # (the last: Python's csv in a Windows text file)
)
def test_arrow_reader_matches_on_random_tables(tmp_path_factory, rows, sep: str, end: str) -> None:
    # Quoted and unquoted cells with delimiters, quotes, newlines; rows of any width, blank
    # rows, footers: the Arrow reader either declines or gives the same table.
    header = sep.join(f"col{i}" for i in range(3))
    lines = [header] + [
        sep.join('"' + c.replace('"', '""') + '"' if i % 2 else c for i, c in enumerate(r))
        for r in rows
    ]
    path = tmp_path_factory.mktemp("arrow") / "t.csv"
    path.write_bytes((end.join(lines) + end).encode("utf-8"))
    mp = pytest.MonkeyPatch()
    try:
        fast, slow = _both_readers(mp, str(path))
    except LeadtoolError:
        return
    finally:
        mp.undo()
    _same_table(fast, slow)


@pytest.mark.parametrize(
    ("fixture", "encoding"),
    [
        ("bitrix24_leads.csv", "utf-8-sig"),  # a BOM heads the second file too
        ("facebook_leads.tsv", "utf-16"),  # UTF-16 with a BOM each
        ("tilda_form.csv", "cp1251"),
    ],
)
def test_exports_joined_end_to_end_lose_the_second_header(
    monkeypatch, tmp_path, fixture: str, encoding: str
) -> None:
    """``cat monday.csv tuesday.csv > week.csv``: the second header is no lead."""
    text = (FIXTURES / fixture).read_bytes().decode(encoding)
    joined = tmp_path / fixture
    with_bom = encoding != "cp1251"
    part = ("\ufeff" if with_bom else "") + text.lstrip("\ufeff")
    if not part.endswith("\n"):
        part += "\r\n"
    plain = {"utf-8-sig": "utf-8", "utf-16": "utf-16-le"}.get(encoding, encoding)  # BOM: ours
    joined.write_bytes(part.encode(plain) * 2)
    (once,) = read_tables(str(FIXTURES / fixture))
    fast, slow = _both_readers(monkeypatch, str(joined))
    _same_table(fast, slow)
    (table,) = fast
    n = len(once.data)
    assert table.header_repeats == 1
    assert table.rows == once.rows + [r + n + 1 for r in once.rows]  # its line: skipped
    assert table.data.astype(object).values.tolist() == (
        once.data.astype(object).values.tolist() * 2
    )


def test_a_lead_that_shares_a_header_word_is_kept(tmp_path) -> None:
    path = tmp_path / "form.csv"
    path.write_text(
        "Name,Phone,Email,\n"
        "Anna,+79161234567,a@example.com,\n"
        "name, PHONE ,email,\n"  # the header again (case and spaces aside)
        "Name,+79161234568,name@example.com,\n"  # a lead typing "Name" for a name
        "Name,Phone,,\n",  # a header with a cell missing: kept (its row is flagged)
        encoding="utf-8",
    )
    (table,) = read_tables(str(path))
    assert table.header_repeats == 1
    assert table.rows == [1, 3, 4]
    assert table.data["Name"].tolist() == ["Anna", "Name", "Name"]


def test_a_repeated_header_with_padded_cells_is_found(tmp_path) -> None:
    # The header as written had spaces around its first name ("Имя ;Телефон"): the table's
    # column is "Имя", the copy's cell "Имя " — found all the same.
    part = "Имя ; Телефон\nАнна;+79161234567\n"
    path = tmp_path / "week.csv"
    path.write_bytes((part * 2).encode("cp1251"))
    (table,) = read_tables(str(path))
    assert table.header_repeats == 1 and table.rows == [1, 3]
    assert table.data["Имя"].tolist() == ["Анна", "Анна"]


def test_a_spreadsheet_pasted_below_another_loses_its_header(tmp_path) -> None:
    frame = pd.DataFrame(
        {
            "Имя": ["Анна", "Имя", "Иван"],
            "Телефон": ["+79161234567", "Телефон", "+79161234568"],
            "Имя (2)": ["", "Имя", ""],  # a second column headed "Имя"
        }
    )
    path = tmp_path / "leads.xlsx"
    write_table(frame, str(path))
    (table,) = read_tables(str(path))
    assert table.header_repeats == 1 and table.rows == [1, 3]
    assert table.data["Телефон"].tolist() == ["+79161234567", "+79161234568"]


def test_arrow_reader_reads_a_large_file_with_blank_rows_and_a_total(tmp_path) -> None:
    lines = ["name;phone;email"]
    lines += [f"Anna {i};+7916{i:07d};a{i}@example.com" for i in range(30_000)]
    lines[500] = ";;"
    lines += ["Итого;30000;"]
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (table,) = read_tables(str(path))
    assert len(table.data) == 29_999 and table.blank_rows == 1 and table.footer_rows == 1
    assert table.rows[498:501] == [499, 501, 502]
    assert table.data["phone"].iloc[-1] == "+79160029999"


def test_arrow_reader_header_cells_with_line_breaks(monkeypatch, tmp_path) -> None:
    # Google Forms questions can hold line breaks; the header is one record, not one line.
    path = tmp_path / "form.csv"
    path.write_text(
        '"Your\nname",phone,"Which\r\nservice?"\nAnn,+79161234567,a\nBob,+79161234568,"b\nc"\n',
        encoding="utf-8",
    )
    fast, slow = _both_readers(monkeypatch, str(path))
    _same_table(fast, slow)
    assert fast[0].data["phone"].tolist() == ["+79161234567", "+79161234568"]


@pytest.mark.parametrize(
    "row",
    [
        " ;\t;\u00a0",  # whitespace only, ASCII and not: blank
        ";;",  # empty: blank
        " Anna; +79161234567;\u00a0a@example.com",  # every cell starts with a space: kept
        "\u00e9;;",  # starts with a non-ASCII letter: kept
    ],
)
def test_blank_rows_found_by_first_byte_then_trimmed(monkeypatch, tmp_path, row: str) -> None:
    # _blank_rows trims only the rows whose every cell starts with a space, a control or a
    # non-ASCII byte; the answer must be the csv module's either way.
    path = tmp_path / "t.csv"
    path.write_text(f"name;phone;email\nAnn;1;a\n{row}\nBob;2;b\n", encoding="utf-8")
    fast, slow = _both_readers(monkeypatch, str(path))
    _same_table(fast, slow)


def _arrow_calls(monkeypatch) -> list[bytes]:
    """The bytes each call of the Arrow reader was given."""
    import leadtool.io as lio

    calls: list[bytes] = []
    real = lio._arrow_read

    def spy(data: bytes, delim: str, fields: int):
        calls.append(data)
        return real(data, delim, fields)

    monkeypatch.setattr(lio, "_arrow_read", spy)
    return calls


def _large_lines(n: int = 30_000) -> list[str]:
    return ["name;phone;email"] + [f"Анна {i};+7916{i:07d};a{i}@example.com" for i in range(n)]


def test_large_utf8_file_with_bom_goes_to_arrow_as_bytes(monkeypatch, tmp_path) -> None:
    path = tmp_path / "bom.csv"
    body = ("\n".join(_large_lines()) + "\n").encode("utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + body)
    calls = _arrow_calls(monkeypatch)
    (table,) = read_tables(str(path))
    assert calls == [body]
    assert table.encoding == "utf-8-sig"
    assert list(table.data.columns) == ["name", "phone", "email"]
    assert len(table.data) == 30_000 and table.data["name"].iloc[-1] == "Анна 29999"


def test_large_file_with_broken_utf8_names_the_line(tmp_path) -> None:
    # Arrow's UTF-8 check declines the file; decode() then names the line, as for small files.
    raw = ("\n".join(_large_lines()) + "\n").encode("utf-8")
    cut = raw.index(b"\n", 2_000_000 // 2)
    path = tmp_path / "broken.csv"
    path.write_bytes(raw[:cut] + b"\n\xd0;x;y" + raw[cut:])
    line = raw[:cut].count(b"\n") + 2
    with pytest.raises(LeadtoolError, match=rf"broken.csv: line {line}: .*not valid UTF-8"):
        read_tables(str(path))


def test_large_file_with_nul_bytes_is_decoded_and_cleaned(tmp_path) -> None:
    path = tmp_path / "nul.csv"
    lines = _large_lines()
    lines[7] = "Bo\x00b;+79160000006;b@example.com"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    (table,) = read_tables(str(path))
    assert table.encoding == "utf-8" and table.data["name"].iloc[6] == "Bob"


def test_large_cp1251_file_is_read_by_arrow_too(monkeypatch, tmp_path) -> None:
    path = tmp_path / "tilda.csv"
    text = "\n".join(_large_lines()) + "\n"
    path.write_bytes(text.encode("cp1251"))
    calls = _arrow_calls(monkeypatch)
    (table,) = read_tables(str(path))
    assert calls == [text.encode("utf-8")]
    assert table.encoding == "cp1251" and table.data["name"].iloc[0] == "Анна 0"
    assert len(table.data) == 30_000


# --------------------------------------------------------------------------- CSV in place

_IN_PLACE = pytest.mark.skipif(
    not hasattr(os, "posix_fallocate"), reason="no posix_fallocate: files are written plainly"
)


def _plain_csv(frame: pd.DataFrame, sep: str = ",") -> bytes:
    return b"".join(bytes(p) for p in io_module.csv_chunks(frame, sep))


@_IN_PLACE
@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(CELL_TEXT, CELL_TEXT, CELL_TEXT), min_size=1, max_size=14),
    st.sampled_from([",", "\t"]),
    st.integers(1, 5),
)
def test_csv_written_in_place_equals_the_pieces(rows, sep: str, chunk: int) -> None:
    # Pieces of `chunk` rows, each built in its own region of the file (header first), give
    # the bytes csv_chunks gives: quoted cells, cells holding the writer's stand-in control
    # bytes (joined instead), multibyte text, region borders inside a page.
    frame = pd.DataFrame(rows, columns=["a,b", 'say "x"', "c"], dtype=object)
    with mock.patch.object(io_module, "CSV_CHUNK_ROWS", chunk):
        fd, path = tempfile.mkstemp()
        try:
            with os.fdopen(fd, "w+b") as handle:
                assert io_module._write_csv_in_place(frame, sep, handle)
            written = Path(path).read_bytes()
        finally:
            os.unlink(path)
        assert written == _plain_csv(frame, sep)


def test_csv_goes_the_plain_way_where_the_file_cannot_be_mapped(tmp_path) -> None:
    frame = pd.DataFrame({"a": ["1", "2"], "b": ['x,"y"', "z"]})
    with open(tmp_path / "w.csv", "wb") as handle:  # write-only: no memory map
        assert not io_module._write_csv_in_place(frame, ",", handle)
    assert not io_module._write_csv_in_place(frame, ",", io.BytesIO())
    assert (tmp_path / "w.csv").read_bytes() == b""


@_IN_PLACE
def test_a_file_system_without_fallocate_gets_plain_writes(tmp_path, monkeypatch) -> None:
    import errno

    def unsupported(*_args) -> None:
        raise OSError(errno.EOPNOTSUPP, "Operation not supported")

    monkeypatch.setattr(os, "posix_fallocate", unsupported)
    frame = pd.DataFrame({"a": [str(i) for i in range(7)], "b": ["=1+1"] * 7})
    write_table(frame, str(tmp_path / "c.csv"), escape=False)
    assert (tmp_path / "c.csv").read_bytes() == _plain_csv(frame)


@_IN_PLACE
def test_a_full_disk_is_one_error_and_the_old_file_stays(tmp_path, monkeypatch) -> None:
    import errno

    calls = []
    real = os.posix_fallocate

    def full(*args) -> None:
        calls.append(args)
        if len(calls) > 1:  # the header fits, the first rows do not
            raise OSError(errno.ENOSPC, "No space left on device")
        real(*args)

    monkeypatch.setattr(os, "posix_fallocate", full)
    monkeypatch.setattr(io_module, "CSV_CHUNK_ROWS", 2)
    target = tmp_path / "out.csv"
    target.write_text("old", encoding="utf-8")
    frame = pd.DataFrame({"a": [str(i) for i in range(9)], "b": ["x"] * 9})
    with pytest.raises(LeadtoolError, match=r"out\.csv: cannot write: No space left"):
        write_table(frame, str(target))
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


@_IN_PLACE
def test_a_failing_piece_stops_the_pieces_after_it(tmp_path, monkeypatch) -> None:
    # The second piece fails before it takes its turn: it gives the turn up, so the third
    # does not wait for it (no hang); its error comes out, and no partial file is left.
    real = io_module._rows_by_arrow_writer
    seen = []

    def second_fails(columns, sep, place=None):
        seen.append(1)
        if len(seen) == 2:
            raise ValueError("boom")
        return real(columns, sep, place)

    monkeypatch.setattr(io_module, "_rows_by_arrow_writer", second_fails)
    monkeypatch.setattr(io_module, "CSV_CHUNK_ROWS", 2)
    frame = pd.DataFrame({"a": [str(i) for i in range(9)], "b": ["x"] * 9})
    with pytest.raises(ValueError, match="boom"):
        write_table(frame, str(tmp_path / "out.csv"))
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- history files


def _night(ids: list[str], night: str, **extra: str) -> pd.DataFrame:
    rows = [
        {"lead_id": i, "name": f"Lead, {i}", "phone": "+79161234567", "x_history_night": night}
        | extra
        for i in ids
    ]
    return pd.DataFrame(rows, dtype="str")


@pytest.mark.parametrize("suffix", ["csv", "tsv", "parquet", "jsonl"])
def test_a_night_appended_to_a_history_is_the_history_written_whole(
    tmp_path, monkeypatch, suffix
) -> None:
    # A history grows every night: tonight's leads are appended to the file, not the file
    # read whole and written again — and the file is the one writing it whole gave.
    from leadtool.io import append_history, read_leads

    old = _night(["a", "b"], "2026-11-30")
    new = _night(["c"], "2026-12-01")
    appended, whole = tmp_path / f"appended.{suffix}", tmp_path / f"whole.{suffix}"
    write_table(old, str(appended), escape=False)
    with monkeypatch.context() as patched:
        if suffix != "jsonl":  # (JSON lines, and other formats, are read and written whole)
            patched.setattr(io_module, "read_leads", mock.Mock(side_effect=AssertionError))
        append_history(str(appended), new)
    write_table(pd.concat([old, new], ignore_index=True), str(whole), escape=False)
    if suffix != "parquet":
        assert appended.read_bytes() == whole.read_bytes()
    pd.testing.assert_frame_equal(read_leads(str(appended)), read_leads(str(whole)))
    # a night with nothing new leaves the file as it was
    before = appended.read_bytes()
    append_history(str(appended), new.iloc[0:0])
    assert appended.read_bytes() == before


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_a_night_with_a_column_the_history_lacks_widens_it(tmp_path, suffix) -> None:
    # Tonight's source brings a column earlier nights had not (a form's new question, or a
    # history kept before nights were recorded): the history gains it, empty in old rows.
    from leadtool.io import append_history, read_leads

    path = tmp_path / f"history.{suffix}"
    write_table(_night(["a"], "").drop(columns="x_history_night"), str(path), escape=False)
    append_history(str(path), _night(["b"], "2026-12-01", x_budget="100000"))
    got = read_leads(str(path))
    assert got.columns.tolist() == ["lead_id", "name", "phone", "x_history_night", "x_budget"]
    assert got.fillna("").to_dict("list") == {
        "lead_id": ["a", "b"],
        "name": ["Lead, a", "Lead, b"],
        "phone": ["+79161234567"] * 2,
        "x_history_night": ["", "2026-12-01"],
        "x_budget": ["", "100000"],
    }
    append_history(str(path), _night(["c"], "2026-12-02"))  # the columns it has now
    assert read_leads(str(path))["x_budget"].fillna("").tolist() == ["", "100000", ""]


def test_a_staged_history_is_in_place_only_once_committed(tmp_path, monkeypatch) -> None:
    from leadtool.io import read_leads, stage_history

    path = tmp_path / "history.csv"
    write_table(_night(["a"], "2026-11-30"), str(path), escape=False)
    before = path.read_bytes()
    staged = stage_history(str(path), _night(["b"], "2026-12-01"))
    assert staged is not None and path.read_bytes() == before  # written beside it
    assert staged.temp.name.startswith(".") and staged.temp.exists()
    staged.commit()
    assert read_leads(str(path))["lead_id"].tolist() == ["a", "b"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.csv"]
    staged.discard()  # once in place, nothing to remove
    assert path.exists()
    again = stage_history(str(path), _night(["c"], "2026-12-02"))
    assert again is not None
    again.discard()
    assert read_leads(str(path))["lead_id"].tolist() == ["a", "b"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.csv"]
    assert stage_history(str(path), _night([], "2026-12-03")) is None  # nothing new

    def full_disk(target, new, dest):
        raise LeadtoolError(f"{dest}: cannot write: No space left on device")

    monkeypatch.setattr("leadtool.io._write_history", full_disk)
    with pytest.raises(LeadtoolError, match=f"^{re.escape(str(path))}: cannot write"):
        stage_history(str(path), _night(["d"], "2026-12-04"))


def test_a_history_appended_to_streams_its_rows_in_batches(tmp_path, monkeypatch) -> None:
    # A Parquet history is copied a batch at a time, never read whole: the new file's row
    # groups are the batches.
    import pyarrow.parquet as pq

    from leadtool.io import append_history

    monkeypatch.setattr(io_module, "_HISTORY_BATCH_ROWS", 2)
    path = tmp_path / "history.parquet"
    write_table(_night(list("abcde"), "2026-11-30"), str(path), escape=False)
    append_history(str(path), _night(["f"], "2026-12-01"))
    file = pq.ParquetFile(path)
    assert [file.metadata.row_group(g).num_rows for g in range(file.num_row_groups)] == [
        2,
        2,
        1,
        1,
    ]
    assert file.read().column("lead_id").to_pylist() == list("abcdef")


def test_a_csv_history_edited_by_hand_is_appended_to_on_a_line_of_its_own(tmp_path) -> None:
    from leadtool.io import append_history, read_leads

    path = tmp_path / "history.csv"
    path.write_bytes(b"lead_id,name,phone\na,Anna,+79161234567")  # no final newline
    append_history(str(path), pd.DataFrame({"lead_id": ["b"], "phone": ["+79161234568"]}))
    assert path.read_bytes() == (b"lead_id,name,phone\na,Anna,+79161234567\nb,,+79161234568\n")
    assert read_leads(str(path))["lead_id"].tolist() == ["a", "b"]


def test_a_history_not_there_yet_is_written_with_the_night(tmp_path) -> None:
    from leadtool.io import append_history, read_leads

    path = tmp_path / "nights" / "history.parquet"
    append_history(str(path), _night(["a"], "2026-12-01"))
    assert read_leads(str(path))["lead_id"].tolist() == ["a"]


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_dedupe_reads_only_its_columns_of_a_history(tmp_path, suffix) -> None:
    from leadtool.io import read_history

    path = tmp_path / f"history.{suffix}"
    write_table(_night(["a"], "2026-11-30", message="hello"), str(path), escape=False)
    got = read_history(str(path), ["lead_id", "phone", "company", "x_history_night"])
    assert got.to_dict("list") == {
        "lead_id": ["a"],
        "phone": ["+79161234567"],
        "x_history_night": ["2026-11-30"],
    }


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_a_history_that_is_not_a_lead_file_is_one_error(tmp_path, suffix) -> None:
    from leadtool.io import read_history

    path = tmp_path / f"history.{suffix}"
    write_table(pd.DataFrame({"campaign": ["x"], "cost": ["1"]}), str(path), escape=False)
    with pytest.raises(LeadtoolError, match=r"history\.\w+: not a leadtool lead file"):
        read_history(str(path), ["lead_id", "phone"])


@pytest.mark.parametrize("name", ["leads.csv.gz", "leads.tsv.gz", "leads.jsonl.gz", "x.gzip"])
def test_an_output_named_gz_is_gzipped(tmp_path, name: str) -> None:
    # `-o leads.csv.gz` wrote a plain CSV under a gzip name: zcat and pandas refused it.
    from leadtool.io import read_leads

    frame = pd.DataFrame({"lead_id": ["a", "b"], "name": ["Анна", "=Bob"], "phone": ["", "1"]})
    path = tmp_path / name
    write_table(frame, str(path))
    raw = path.read_bytes()
    assert raw[:2] == b"\x1f\x8b"
    again = tmp_path / f"again-{name}"
    write_table(frame, str(again))
    assert again.read_bytes() == raw  # no time stamp: the same leads, the same bytes
    unpacked = gzip.decompress(raw)
    if name.startswith("leads.csv"):
        assert unpacked == csv_bytes(io_module.escape_formulas(frame))
    assert read_leads(str(path)).to_dict("list") == frame.to_dict("list")


@pytest.mark.parametrize("name", ["leads.parquet.gz", "leads.xlsx.gz"])
def test_a_gzipped_parquet_or_xlsx_output_is_refused(tmp_path, name: str) -> None:
    with pytest.raises(LeadtoolError, match=r"is not gzipped; write \.(parquet|xlsx)"):
        write_table(pd.DataFrame({"lead_id": ["a"]}), str(tmp_path / name))
    assert not (tmp_path / name).exists()


def test_a_gzipped_history_takes_each_night(tmp_path) -> None:
    from leadtool.io import append_history, read_leads

    path = tmp_path / "history.csv.gz"
    append_history(str(path), _night(["a"], "2026-11-30"))
    append_history(str(path), _night(["b"], "2026-12-01"))
    assert path.read_bytes()[:2] == b"\x1f\x8b"
    assert read_leads(str(path))["lead_id"].tolist() == ["a", "b"]
