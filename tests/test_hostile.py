"""Hostile and broken input: fuzzed importers, formula injection, personal data in outputs
and messages. No crash, no hang: a clear error or flagged rows, and rows in = rows out."""

from __future__ import annotations

import csv
import io
import zipfile

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadtool.errors import LeadtoolError
from leadtool.importer import import_table
from leadtool.io import read_tables
from leadtool.privacy import escape_formulas, redact
from tests.conftest import FIXTURES

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def import_bytes(tmp_path, data: bytes, name: str = "fuzz.csv") -> tuple[int, int] | None:
    """Rows read and rows written, or None when the input was refused with a clear error."""
    path = tmp_path / name
    path.write_bytes(data)
    try:
        tables = read_tables(str(path))
        read = sum(len(t.rows) for t in tables)
        written = 0
        for table in tables:
            try:
                written += len(import_table(table)[0])
            except LeadtoolError:
                written += len(table.rows)  # refused as a whole: no row half-imported
        return read, written
    except LeadtoolError as exc:
        assert "\n" not in str(exc)
        return None


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes(tmp_path_factory, data: bytes) -> None:
    result = import_bytes(tmp_path_factory.mktemp("b"), data)
    if result:
        assert result[0] == result[1]


CELLS = st.lists(
    st.sampled_from([*"ab é,;\t|\"'\n\r\x00<>=+-@", "Иван", "<script>", "http://x", "8 912 345"]),
    max_size=12,
).map("".join)


@FUZZ
@given(
    st.lists(st.lists(CELLS, min_size=0, max_size=8), min_size=1, max_size=25),
    st.sampled_from([",", ";", "\t", "|"]),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1251"]),
)
def test_ragged_rows_with_every_delimiter_and_encoding(
    tmp_path_factory, rows, delim, encoding
) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delim)
    writer.writerow(["name", "email", "phone", "comment"])
    for row in rows:
        writer.writerow(row)
    try:
        data = buf.getvalue().encode(encoding)
    except UnicodeEncodeError:
        data = buf.getvalue().encode("utf-8")
    result = import_bytes(tmp_path_factory.mktemp("r"), data)
    if result:
        assert result[0] == result[1]


def test_every_row_survives_with_flags(tmp_path) -> None:
    text = 'name,email\nAnn,a@x.io\nBob\nCid,c@x.io,extra,more\n"Multi\nline",d@x.io\n'
    (table,) = read_tables(str(_write(tmp_path, text)))
    frame, _ = import_table(table)
    assert frame["source_row"].tolist() == ["1", "2", "3", "4"]
    assert frame["import_issues"].tolist() == ["", "short_row", "long_row", ""]
    assert frame["x_extra_cells"].tolist()[2] == "extra | more"


def test_very_long_fields_and_very_wide_files(tmp_path) -> None:
    long_cell = "x" * 1_000_000
    (table,) = read_tables(str(_write(tmp_path, f"name,comment\nAnn,{long_cell}\n")))
    assert len(table.data["comment"][0]) == 1_000_000
    header = ",".join(["email"] + [f"c{i}" for i in range(5000)])
    row = ",".join(["a@x.io"] + ["v"] * 5000)
    (wide,) = read_tables(str(_write(tmp_path, f"{header}\n{row}\n", "wide.csv")))
    frame, _ = import_table(wide)
    assert len(frame) == 1 and frame["email"][0] == "a@x.io"


def test_stray_nul_bytes_are_tolerated_but_binary_is_refused(tmp_path) -> None:
    (table,) = read_tables(str(_write(tmp_path, "name,email\nA\x00nn,a@x.io\n")))
    assert table.data["name"][0] == "Ann"
    (tmp_path / "img.csv").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(2000))
    with pytest.raises(LeadtoolError, match="binary file"):
        read_tables(str(tmp_path / "img.csv"))


def test_mixed_encodings_give_a_clear_error(tmp_path) -> None:
    data = "name\nАнна\nЖанна\nЯна\n".encode() + "Пётр\n".encode("cp1251")
    (tmp_path / "mixed.csv").write_bytes(data)
    with pytest.raises(LeadtoolError, match=r"mixed.csv: line 5: .*UTF-8"):
        read_tables(str(tmp_path / "mixed.csv"))


def test_zip_bomb_xlsx_is_refused(tmp_path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * 60_000_000)
    with pytest.raises(LeadtoolError, match="zip bomb"):
        read_tables(str(path))


@pytest.mark.parametrize("data", [b"PK\x03\x04garbage", b"PK\x03\x04" + bytes(range(256)) * 8])
def test_malformed_xlsx_is_a_clear_error(tmp_path, data: bytes) -> None:
    (tmp_path / "bad.xlsx").write_bytes(data)
    with pytest.raises(LeadtoolError, match=r"bad\.xlsx: not a readable spreadsheet"):
        read_tables(str(tmp_path / "bad.xlsx"))


@pytest.mark.parametrize(
    ("name", "data", "sep", "first"),
    [
        # A web service's "Excel" download that is a tab-separated text in cp1251...
        ("leads.xls", "Имя\tТелефон\nИван\t8 916 123-45-67\n".encode("cp1251"), "\t", "Иван"),
        # ...and a CSV someone renamed .xlsx to open it in Excel.
        ("leads.xlsx", b"Name,Phone\nIvan,+79161234567\n", ",", "Ivan"),
    ],
)
def test_a_text_table_named_as_a_spreadsheet_is_read_as_text(
    tmp_path, name: str, data: bytes, sep: str, first: str
) -> None:
    # Was "not a readable spreadsheet": the name decided the format over the bytes.
    (tmp_path / name).write_bytes(data)
    [table] = read_tables(str(tmp_path / name))
    assert table.delimiter == sep
    assert table.data.iloc[:, 0].tolist() == [first]


def test_binary_bytes_named_as_a_spreadsheet_are_a_clear_error(tmp_path) -> None:
    (tmp_path / "bad.xlsx").write_bytes(bytes(range(256)) * 8)
    with pytest.raises(LeadtoolError, match=r"bad\.xlsx: binary file, not a text table"):
        read_tables(str(tmp_path / "bad.xlsx"))


# --------------------------------------------------------------------------- formulas


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("+79161234567", "+79161234567"),
        ("-15.5", "-15.5"),
        ("-42", "-42"),
        ("Ann", "Ann"),
        ("", ""),
    ],
)
def test_escape_formulas(value: str, escaped: str) -> None:
    assert escape_formulas(pd.DataFrame({"c": [value]}))["c"][0] == escaped


def test_escape_formulas_on_mixed_columns_leaves_the_input_alone() -> None:
    values = ["=1", "ок", "", "+79161234567", "@x", "Ann", "-3", "=", "é=1"]
    frame = pd.DataFrame(
        {"a": values, "n": range(len(values)), "o": pd.Series(values, dtype=object)}
    )
    before = frame.copy()
    out = escape_formulas(frame)
    want = ["'=1", "ок", "", "+79161234567", "'@x", "Ann", "-3", "'=", "é=1"]
    assert out["a"].tolist() == want and out["o"].tolist() == want
    assert out["n"].tolist() == list(range(len(values)))
    pd.testing.assert_frame_equal(frame, before)
    sliced = frame.iloc[3:6]  # an Arrow slice with an offset
    assert escape_formulas(sliced)["a"].tolist() == ["+79161234567", "'@x", "Ann"]


def test_cli_outputs_neutralize_formulas(run, tmp_path) -> None:
    source = _write(
        tmp_path, 'name,email,phone\n"=HYPERLINK(""http://evil"",""x"")",a@x.io,+79161234567\n'
    )
    csv_out = run("-q", "import", str(source)).stdout
    assert "'=HYPERLINK" in csv_out and ",+79163857142" not in csv_out
    assert "+79161234567" in csv_out and "'+79161234567" not in csv_out
    raw = run("-q", "--no-escape-formulas", "import", str(source)).stdout
    assert "'=HYPERLINK" not in raw and '"=HYPERLINK' in raw
    xlsx = tmp_path / "out.xlsx"
    assert run("-q", "import", str(source), "-o", str(xlsx)).exit_code == 0
    with zipfile.ZipFile(xlsx) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        strings = archive.read("xl/sharedStrings.xml").decode()
    assert "<f>" not in sheet and "=HYPERLINK" in strings  # text cells, never formulas


# --------------------------------------------------------------------------- personal data


def first_row(result) -> dict[str, str]:
    return next(csv.DictReader(io.StringIO(result.stdout)))


def test_redact_mask_and_hash(run, tmp_path, monkeypatch) -> None:
    source = _write(tmp_path, "name,email,phone\nAnn,ann.lee@x.io,+79161234567\n")
    masked = first_row(run("-q", "--redact", "mask", "import", str(source)))
    assert (masked["email"], masked["email_raw"]) == ("a***@x.io", "a***@x.io")
    # a masked phone starts with "+": in CSV it is escaped like any formula-looking cell
    assert masked["phone"] == "'+7********67" and "9161234" not in masked["phone_raw"]
    monkeypatch.setenv("LEADTOOL_REDACT_KEY", "k1")
    one = first_row(run("-q", "--redact", "hash", "import", str(source)))
    monkeypatch.setenv("LEADTOOL_REDACT_KEY", "k2")
    two = first_row(run("-q", "--redact", "hash", "import", str(source)))
    assert one["email"].startswith("h:") and one["email"] != two["email"]
    assert run("--redact", "blur", "import", str(source)).exit_code == 2


def test_redact_helper_leaves_other_columns() -> None:
    frame = pd.DataFrame({"name": ["Ann"], "email": ["a@x.io"], "phone": [""]})
    out = redact(frame, "mask")
    assert out.to_dict("records") == [{"name": "Ann", "email": "a***@x.io", "phone": ""}]


def test_redact_masks_every_phone_and_email_a_bitrix24_export_keeps(run) -> None:
    # Bitrix24's work phone and private e-mail are kept as x_ columns beside the mobile and
    # work e-mail: --redact left them, and a CRM contact's further addresses, in the clear.
    leads = list(
        csv.DictReader(
            io.StringIO(
                run("-q", "--redact", "mask", "import", str(FIXTURES / "bitrix24_leads.csv")).stdout
            )
        )
    )
    plain = list(
        csv.DictReader(
            io.StringIO(run("-q", "import", str(FIXTURES / "bitrix24_leads.csv")).stdout)
        )
    )
    for column in ("x_рабочий_телефон", "x_частный_e_mail", "phone_raw", "email_raw"):
        given = [row[column] for row in plain if row[column]]
        assert given, column  # the fixture fills each
        for row in leads:
            assert row[column] == "" or "***" in row[column], (column, row[column])
    assert all(row["x_отчество"] == p["x_отчество"] for row, p in zip(leads, plain, strict=True))


def test_redact_masks_contacts_within_text_and_leaves_the_rest() -> None:
    frame = pd.DataFrame(
        {
            "x_email_extra": ["a@b.com;cc@d.ru"],
            "x_phone_extra": ["+79161234567;+79261234567"],
            "x_name_raw": ["Мария (тел. 8 903 185 22 39)"],
            "x_email_opt_out": ["true"],  # a header that says e-mail, holding none
            "x_company_phone": ["+7 495 123-45-67 доб. 12"],
            "x_телефон_2": ["89031852239"],
            "x_стадия": ["Новый 1234567"],  # no contact column: kept
        }
    )
    masked = redact(frame, "mask").iloc[0].to_dict()
    assert masked == {
        "x_email_extra": "a***@b.com;c***@d.ru",
        "x_phone_extra": "+7********67;+7********67",
        "x_name_raw": "Мария (тел. 8********39)",
        "x_email_opt_out": "true",
        "x_company_phone": "+7********67 доб. 12",
        "x_телефон_2": "8********39",
        "x_стадия": "Новый 1234567",
    }
    hashed = redact(frame, "hash").iloc[0].to_dict()
    assert hashed["x_email_opt_out"] == "true" and hashed["x_стадия"] == "Новый 1234567"
    assert all(hashed[c].startswith("h:") for c in frame.columns[[0, 1, 2, 4, 5]])


def test_unexpected_errors_do_not_print_cell_values(run, tmp_path, monkeypatch) -> None:
    def boom(*_args, **_kwargs):
        raise ValueError("could not parse ann.lee@secret.example")

    monkeypatch.setattr("leadtool.importer.nz.normalize_emails", boom)
    result = run("import", str(_write(tmp_path, "email\nann.lee@secret.example\n")))
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("Error: unexpected ValueError at ") and "secret" not in line


def test_summaries_name_files_and_counts_only(run, tmp_path) -> None:
    source = _write(tmp_path, "name,email,phone\nAnn Lee,ann.lee@x.io,+79161234567\n")
    data = run("import", str(source))
    for stage in (["clean", "-"], ["dedupe", "-"], ["qualify", "-"]):
        result = run(*stage, input=data.stdout)
        assert "ann" not in result.stderr.lower() and "9161234567" not in result.stderr
    assert "ann" not in data.stderr.lower()


def _write(tmp_path, text: str, name: str = "in.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(st.sampled_from([*"=+-@\t\rab1 '", "д"]), max_size=4), max_size=12),
    st.integers(0, 4),
)
def test_formula_starts_are_the_cells_starting_like_a_formula(cells: list[str], start: int) -> None:
    import pyarrow as pa

    from leadtool.arrowtext import TEXT
    from leadtool.privacy import FORMULA_START, _formula_starts

    values = pa.array(cells, TEXT).slice(min(start, len(cells)))
    want = [i for i, c in enumerate(cells[start:]) if c.startswith((*FORMULA_START, "'"))]
    assert _formula_starts(values).tolist() == want


IMPOSSIBLE_DATES = [
    "0001-01-01 00:00:00",  # the empty date of 1C and .NET exports
    "0001-01-01T00:00:00Z",
    "01.01.0001",
    "05.11.2300 10:00",
    "31.02.2026",
    "05.11.2026 24:61",
    "Nov 5, 1500",
    "1677-09-20",
]


def test_impossible_dates_are_bad_dates_not_a_crash(run, tmp_path) -> None:
    # Out of pandas' range (1677–2262) or not a real date or time: the row keeps its raw
    # text and is noted bad_date, the import goes on (it once ended in OutOfBoundsDatetime).
    leads = tmp_path / "crm.csv"
    rows = [["Name", "Phone", "Email", "Created"]]
    rows += [
        [f"Lead {i}", f"+7916123456{i}", f"l{i}@example.com", d]
        for i, d in enumerate(IMPOSSIBLE_DATES)
    ]
    rows.append(["Good", "+79161234599", "good@example.com", "2026-11-05 10:00:00"])
    with leads.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    spend = tmp_path / "spend.csv"
    spend.write_text("Date,Campaign,Spend\n0001-01-01,A,10\n2026-11-05,A,20\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    result = run("import", str(leads), "-o", str(out))
    assert result.exit_code == 0, result.output
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert got["created_at"].tolist() == [""] * len(IMPOSSIBLE_DATES) + ["2026-11-05T10:00:00Z"]
    assert (got["import_issues"].str.contains("bad_date").tolist()) == [True] * len(
        IMPOSSIBLE_DATES
    ) + [False]
    assert got["x_created_at_raw"].tolist()[: len(IMPOSSIBLE_DATES)] == IMPOSSIBLE_DATES
    result = run("run", str(leads), "--spend", str(spend), "--out", str(tmp_path / "run"))
    assert result.exit_code == 0, result.output
    spent = pd.read_csv(tmp_path / "run" / "spend.csv", dtype=str, keep_default_na=False)
    assert spent["date"].tolist() == ["", "2026-11-05"]  # the row kept, its date unreadable


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(st.sampled_from([*"=+-@\t\r'ab1 ", "д"]), max_size=5), max_size=12))
def test_a_stage_reads_back_what_the_last_one_escaped(cells: list[str]) -> None:
    """escape_formulas then unescape_formulas is every cell as it was — a quote its author
    typed before a formula character included — so stages chained through CSV files see
    what was typed (`+7 916 …`, `@ivan_petrov` in phone_raw), as run's stages do."""
    from leadtool.privacy import FORMULA_START, escape_formulas, unescape_formulas

    frame = pd.DataFrame({"cell": pd.Series(cells, dtype="str")})
    escaped = escape_formulas(frame)
    assert unescape_formulas(escaped)["cell"].tolist() == cells
    for before, after in zip(cells, escaped["cell"], strict=True):
        if after.startswith(FORMULA_START):  # nothing a spreadsheet would compute is left
            assert after == before and (before.startswith("+") or before.startswith("-"))
