"""The command line as a user runs it: exit codes, stderr/stdout split, every error path."""

from __future__ import annotations

import csv
import inspect
import io
import os
import re
import shutil
import subprocess
import sys
from unittest import mock

import pandas as pd
import pytest

from leadtool import __version__
from leadtool.cli import app
from tests.conftest import FIXTURES


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_version(run) -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"leadtool {__version__}"


def test_no_arguments_shows_help(run) -> None:
    result = run()
    assert result.exit_code == 2
    assert "import" in result.output


def test_import_to_stdout_with_summary_on_stderr(run) -> None:
    result = run("import", str(FIXTURES / "tilda_form.csv"))
    assert result.exit_code == 0
    out = rows(result.stdout)
    assert [r["phone"] for r in out] == ["+79123852719", "+79163857142", "+79163857142"]
    assert (
        "tilda_form.csv: profile tilda, cp1251, semicolon, 3 rows read, 3 written" in result.stderr
    )
    assert "tilda" not in result.stdout.splitlines()[0]  # stdout holds the data only


def test_import_says_it_skipped_a_repeated_header(run, tmp_path) -> None:
    joined = tmp_path / "week.csv"
    joined.write_bytes((FIXTURES / "tilda_form.csv").read_bytes() * 2)
    result = run("import", str(joined))
    assert result.exit_code == 0, result.output
    assert len(rows(result.stdout)) == 6
    assert "6 rows read, 6 written" in result.stderr
    assert "1 repeated header row skipped" in result.stderr
    result = run("inspect", str(joined))
    assert re.search(r"repeated header rows skipped\s*│\s*1", result.stdout), result.stdout


def test_quiet_prints_nothing_but_data(run) -> None:
    result = run("-q", "import", str(FIXTURES / "tilda_form.csv"))
    assert result.exit_code == 0
    assert result.stderr == ""


def test_verbose_shows_the_mapping(run) -> None:
    result = run("-v", "import", str(FIXTURES / "tilda_form.csv"), "-o", "-")
    assert "Телефон -> phone" in result.stderr


def test_several_files_and_folders_into_one_output(run, tmp_path) -> None:
    out = tmp_path / "leads.csv"
    result = run(
        "import",
        str(FIXTURES / "facebook_leads.tsv"),
        str(FIXTURES / "crm_export.xlsx"),
        "-o",
        str(out),
    )
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert (
        frame["source_file"].tolist() == ["facebook_leads.tsv"] * 5 + ["crm_export.xlsx#Leads"] * 2
    )
    assert "7 leads from 2 tables" in result.stderr


def test_options_override_detection(run) -> None:
    result = run(
        "import",
        str(FIXTURES / "ragged.csv"),
        "--source",
        "Facebook Ads",
        "--region",
        "ro",
        "--timezone",
        "Europe/Bucharest",
    )
    assert result.exit_code == 0, result.output
    assert {r["source"] for r in rows(result.stdout)} == {"facebook"}
    assert "region RO (--region)" in result.stderr


def test_mapping_file(run, tmp_path) -> None:
    data = tmp_path / "custom.csv"
    data.write_text("Contact cell,Who\n0722 123 456,Ana Pop\n", encoding="utf-8")
    mapping = tmp_path / "map.yml"
    mapping.write_text("Contact cell: phone\nWho: name\n", encoding="utf-8")
    result = run("import", str(data), "--mapping", str(mapping), "--region", "RO")
    assert result.exit_code == 0, result.output
    (row,) = rows(result.stdout)
    assert (row["phone"], row["first_name"], row["last_name"]) == ("+40722123456", "Ana", "Pop")


def test_forced_profile(run) -> None:
    result = run("import", str(FIXTURES / "ragged.csv"), "--profile", "hubspot")
    assert result.exit_code == 0
    assert "profile hubspot" in result.stderr


@pytest.mark.parametrize("ext", ["csv", "tsv", "jsonl", "parquet", "xlsx"])
def test_output_formats_are_byte_identical_across_runs(run, tmp_path, ext: str) -> None:
    a, b = tmp_path / f"a.{ext}", tmp_path / f"b.{ext}"
    for target in (a, b):
        assert (
            run("-q", "import", str(FIXTURES / "facebook_leads.tsv"), "-o", str(target)).exit_code
            == 0
        )
    assert a.read_bytes() == b.read_bytes()


def test_stdin_dash(run) -> None:
    data = (FIXTURES / "bitrix24_leads.csv").read_bytes()
    result = run("import", "-", input=data)
    assert result.exit_code == 0, result.output
    assert [r["lead_id"] for r in rows(result.stdout)] == ["bitrix24:1045", "bitrix24:1046"]
    assert "stdin: profile bitrix24" in result.stderr


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.csv", "empty.csv: file is empty"),
        ("binary.csv", "binary.csv: binary file"),
        ("no_contact.csv", "no_contact.csv: no recognizable contact or name column"),
        ("meta_ads_spend.csv", "meta_ads_spend.csv: a spend report (Meta Ads Manager), not leads"),
        ("bad_utf8.csv", "bad_utf8.csv: line 5"),
        ("missing.csv", "missing.csv: no such file"),
        ("no_table.xls", "no_table.xls: an HTML page without a table of leads"),
    ],
)
def test_bad_input_is_one_error_line_exit_1(run, name: str, message: str) -> None:
    result = run("import", str(FIXTURES / name))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: ") and message in lines[0]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x1f\x8b\x08\x00garbage", "leads.csv.gz: a gzip file cut short"),  # a download cut
        (b"\x1f\x8b\x08\x00" + b"\x00" * 6 + b"\xff" * 20, "leads.csv.gz: not a readable gzip"),
    ],
)
def test_a_broken_compressed_export_is_one_error_line(run, tmp_path, content, message) -> None:
    path = tmp_path / "leads.csv.gz"
    path.write_bytes(content)
    result = run("import", str(path))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], lines


def test_compressed_exports_import_and_run_from_a_folder(run, tmp_path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("tilda_form.csv.gz", "hubspot_export.zip"):
        (inbox / name).write_bytes((FIXTURES / name).read_bytes())
    result = run("import", str(inbox))
    assert result.exit_code == 0, result.output
    assert "hubspot_export.zip/hubspot-crm-exports-contacts.csv: profile hubspot" in result.stderr
    assert "tilda_form.csv.gz: profile tilda, cp1251" in result.stderr
    files = {r["source_file"] for r in rows(result.stdout)}
    assert files == {"hubspot_export.zip/hubspot-crm-exports-contacts.csv", "tilda_form.csv.gz"}
    done = run("-q", "run", str(inbox), "--out", str(tmp_path / "out"))
    assert done.exit_code == 0, done.output
    assert len(rows((tmp_path / "out" / "qualified.csv").read_text(encoding="utf-8"))) == 5


def test_debug_adds_the_traceback(run) -> None:
    result = run("--debug", "import", str(FIXTURES / "empty.csv"))
    assert result.exit_code == 1
    assert "Traceback" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("Error: ")


@pytest.mark.parametrize(
    "args",
    [
        ["import", "x.csv", "--region", "XX"],
        ["import", "x.csv", "--timezone", "Mars/Olympus"],
        ["import", "x.csv", "--profile", "myspace"],
        ["import", "x.csv", "--output-format", "pdf"],
        ["import"],
        ["import", "x.csv", "--no-such-option"],
    ],
)
def test_usage_errors_exit_2(run, args: list[str]) -> None:
    assert run(*args).exit_code == 2


def test_bad_output_extension_fails_before_reading(run, tmp_path) -> None:
    result = run(
        "import",
        str(FIXTURES / "tilda_form.csv"),
        "-o",
        str(tmp_path / "out.parquet"),
        "--output-format",
        "xlsx",
    )
    assert result.exit_code == 0  # explicit format wins over the extension
    result = run("import", str(FIXTURES / "tilda_form.csv"), "--output-format", "parquet")
    assert result.exit_code == 1
    assert "cannot write parquet to stdout" in result.stderr


def test_empty_folder(run, tmp_path) -> None:
    result = run("import", str(tmp_path))
    assert result.exit_code == 1
    assert "no table files" in result.stderr


def test_inspect_shows_detection_without_writing(run, tmp_path) -> None:
    result = run("inspect", str(FIXTURES / "facebook_leads.tsv"))
    assert result.exit_code == 0, result.output
    for expected in (
        "utf-16-le",
        "'\\t'",
        "facebook",
        "full_name",
        "phone",
        "row 1",
        "+79163857142",
    ):
        assert expected in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_inspect_and_verbose_import_say_which_column_only_fills_gaps(
    run, tmp_path, monkeypatch
) -> None:
    # Bitrix24's work phone stands behind the mobile: the mapping says so, in inspect and
    # in import -v alike.
    monkeypatch.setenv("COLUMNS", "200")  # one table row a line
    result = run("inspect", str(FIXTURES / "bitrix24_leads.csv"))
    assert result.exit_code == 0, result.output
    rows = {
        cells[1].strip(): cells[2].strip()
        for cells in (x.split("│") for x in result.stdout.splitlines())
        if len(cells) == 4
    }
    assert rows["Рабочий телефон"] == (
        "phone where Мобильный телефон is empty; kept as x_рабочий_телефон"
    )
    assert rows["Мобильный телефон"] == "phone"
    assert rows["Имя"] == "first_name"
    out = tmp_path / "leads.csv"
    result = run("-v", "import", str(FIXTURES / "bitrix24_leads.csv"), "-o", str(out))
    assert (
        "    Частный e-mail -> email where Рабочий e-mail is empty; kept as x_частный_e_mail"
        in (result.stderr)
    )


def test_inspect_reports_a_file_import_would_reject(run) -> None:
    result = run("inspect", str(FIXTURES / "no_contact.csv"))
    assert result.exit_code == 0
    assert "no recognizable contact" in result.stdout
    assert "Product" in result.stdout


def test_inspect_real_data_dictionary(run, real_data) -> None:
    result = run("inspect", str(real_data / "x_education_data_dictionary.xlsx"))
    assert result.exit_code == 0
    assert "row 3, column 2" in result.stdout
    assert "Prospect ID" in result.stdout


def test_real_x_education_imports_every_row(run, real_data, tmp_path) -> None:
    out = tmp_path / "xe.csv"
    result = run("import", str(real_data / "x_education_leads.csv"), "-o", str(out))
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert len(frame) == 9240
    assert frame["source_row"].tolist() == [str(i) for i in range(1, 9241)]
    assert frame["lead_id"].is_unique
    assert not (frame == "Select").any().any()  # the form's placeholder reads as empty
    assert frame["country"].value_counts().index[0] == "IN"
    assert {"google", "olark_chat", "organic", "direct"} <= set(frame["source"])
    assert "x_converted" in frame.columns and "x_lead_quality" in frame.columns


def test_python_dash_m_and_broken_pipe(tmp_path) -> None:
    """A real process: ``python -m leadtool … | head -1`` ends without a traceback."""
    proc = subprocess.run(
        [sys.executable, "-m", "leadtool", "-q", "import", str(FIXTURES / "tilda_form.csv")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0 and proc.stdout.startswith("lead_id,")
    big = tmp_path / "big.csv"
    big.write_text(
        "name,email\n" + "".join(f"Person {i},p{i}@example.com\n" for i in range(30000)),
        encoding="utf-8",
    )
    shell = subprocess.run(
        f"'{sys.executable}' -m leadtool -q import '{big}' | head -1",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert shell.stdout.startswith("lead_id,")
    assert shell.stderr == ""


def test_the_list_of_commands_gives_each_its_summary_in_flowing_lines(run) -> None:
    # Typer's command list kept the docstrings' line breaks: each entry broke mid-sentence
    # ("… Google Forms, Tilda," / "Bitrix24, …") at any terminal width.
    import typer.rich_utils as rich_utils

    with mock.patch.object(rich_utils, "MAX_WIDTH", 400):
        help_text = run("--help").stdout
    entries = [line for line in help_text.splitlines() if re.match(r"│ [a-z]+ {2,}\S", line)]
    assert [line.split()[1] for line in entries] == [c.name for c in app.registered_commands]
    for command in app.registered_commands:
        summary = " ".join(inspect.cleandoc(command.callback.__doc__).split("\n\n")[0].split())
        assert any(summary in line for line in entries), summary


@pytest.mark.parametrize(
    "args",
    [["--version"], ["--help"], ["import", "--help"], ["run", "--help"], ["import"]],
)
def test_help_version_and_usage_errors_do_not_load_the_library(args: list[str]) -> None:
    """A real process: answering these needs no pandas, pyarrow or phonenumbers (0.3 s of
    imports), so they come back at once."""
    probe = (
        "import sys\n"
        "from leadtool.cli import main\n"
        f"sys.argv = ['leadtool', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = sorted({'pandas', 'pyarrow', 'phonenumbers', 'numpy'} & set(sys.modules))\n"
        "print('loaded:', heavy, file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert proc.stderr.splitlines()[-1] == "loaded: []", proc.stderr
    assert "leadtool" in proc.stdout + proc.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a Linux process flag")
@pytest.mark.parametrize(("keep", "flag"), [("", "1"), ("1", "0")])
def test_commands_turn_transparent_huge_pages_off(keep: str, flag: str, tmp_path) -> None:
    # The flag is inherited from the process that starts the child: cleared first, then
    # read back after a command ran (LEADTOOL_HUGE_PAGES=1 keeps huge pages).
    script = (
        "import ctypes\n"
        "libc = ctypes.CDLL(None)\n"
        "if libc.prctl(41, 0, 0, 0, 0) != 0:\n"
        "    raise SystemExit(print('no prctl'))\n"
        "from typer.testing import CliRunner\n"
        "from leadtool.cli import app\n"
        f"args = ['-q', 'import', {str(FIXTURES / 'tilda_form.csv')!r},"
        f" '-o', {str(tmp_path / 'l.csv')!r}]\n"
        "assert CliRunner().invoke(app, args).exit_code == 0\n"
        "print(libc.prctl(42, 0, 0, 0, 0))\n"
    )
    env = {**os.environ, "LEADTOOL_HUGE_PAGES": keep}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    if done.stdout.strip() == "no prctl":  # a sandbox that refuses prctl(2)
        pytest.skip("prctl is not allowed here")
    assert done.stdout.strip() == flag
    assert (tmp_path / "l.csv").exists()


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (
            ["import", "{leads}", "-o", "{file}/out.csv"],
            "{file}/out.csv: cannot write: a file stands",
        ),
        (
            ["report", "{leads}", "-o", "{file}/r.html"],
            "{file}/r.html: cannot write: a file stands",
        ),
        (
            ["import", "{leads}", "-o", "{folder}"],
            "{folder}: cannot write: is a folder, not a file",
        ),
        (["run", "{leads}", "--out", "{file}"], "{file}: cannot make the output folder: a file"),
        (
            ["dedupe", "{leads}", "--history", "{file}/h.parquet", "--update-history"],
            "{file}/h.parquet: cannot write: a file stands",
        ),
    ],
)
def test_an_output_path_that_cannot_be_written_is_one_error_line(
    run, tmp_path, command: list[str], message: str
) -> None:
    """A file where the output's folder should be, or a folder of the output's name: the
    user's to fix, so said plainly with the path, never as an "unexpected" error."""
    (tmp_path / "notes.txt").write_text("a file, not a folder\n", encoding="utf-8")
    (tmp_path / "taken").mkdir()
    paths = {"folder": str(tmp_path / "taken")}
    leads = tmp_path / "leads.csv"
    assert run("-q", "import", str(FIXTURES / "tilda_form.csv"), "-o", str(leads)).exit_code == 0
    paths = {"leads": str(leads), "file": str(tmp_path / "notes.txt"), "folder": paths["folder"]}
    result = run("-q", *[part.format(**paths) for part in command])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {message.format(**paths)}"), lines


def test_any_file_system_error_names_its_path_not_a_bug(capsys) -> None:
    import errno

    import typer

    from leadtool.cli import handled_errors

    with pytest.raises(typer.Exit), handled_errors():
        raise PermissionError(errno.EACCES, "Permission denied", "/srv/leads/out")
    assert capsys.readouterr().err.strip() == "Error: /srv/leads/out: permission denied"
    with pytest.raises(typer.Exit), handled_errors():
        raise OSError(errno.EIO, "Input/output error")  # no path: a bug's one line
    assert "unexpected OSError at" in capsys.readouterr().err


def test_import_of_a_folder_leaves_its_spend_reports_out(run, tmp_path) -> None:
    """The night's exports share a folder: import takes the leads and names the spend
    reports it left (run reads them as spend); a spend report named on its own, or a
    folder of nothing else, is an error."""
    folder = tmp_path / "exports"
    folder.mkdir()
    for name in ("tilda_form.csv", "meta_ads_spend.csv", "yandex_direct_spend.csv"):
        shutil.copy(FIXTURES / name, folder)
    mixed = run("import", str(folder))
    alone = run("import", str(folder / "tilda_form.csv"))
    assert mixed.exit_code == 0 and mixed.stdout == alone.stdout
    assert (
        "spend reports left out (for leadtool spend): meta_ads_spend.csv, "
        "yandex_direct_spend.csv" in mixed.stderr
    )
    named = run("import", str(folder / "meta_ads_spend.csv"))
    assert named.exit_code == 1 and "a spend report (Meta Ads Manager), not leads" in named.stderr
    (folder / "tilda_form.csv").unlink()
    only = run("import", str(folder))
    assert only.exit_code == 1 and "only spend reports" in only.stderr
