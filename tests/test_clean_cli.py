"""leadtool clean from the command line: pipelines, files, stats, errors."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest

from tests.conftest import FIXTURES


def imported(run, name: str = "typeform_responses.csv") -> str:
    result = run("-q", "import", str(FIXTURES / name))
    assert result.exit_code == 0
    return result.stdout


def test_clean_stdin_to_stdout(run) -> None:
    result = run("clean", "-", input=imported(run))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["quality"] for r in rows] == ["ok", "junk"]
    assert rows[1]["reasons"].startswith("no_contact;invalid_email")
    assert "2 leads: 1 ok, 0 suspect, 1 junk (50.0%)" in result.stderr
    assert "junk by source" in result.stderr


def test_rejected_drop_junk_and_stats(run, tmp_path) -> None:
    source = tmp_path / "leads.csv"
    source.write_text(imported(run), encoding="utf-8")
    out, rejected, stats = tmp_path / "ok.parquet", tmp_path / "junk.csv", tmp_path / "s.json"
    result = run(
        "clean",
        str(source),
        "-o",
        str(out),
        "--rejected",
        str(rejected),
        "--stats",
        str(stats),
        "--drop-junk",
    )
    assert result.exit_code == 0, result.output
    kept = pd.read_parquet(out)
    junk = pd.read_csv(rejected, dtype=str, keep_default_na=False)
    assert len(kept) + len(junk) == 2  # every lead accounted for
    assert set(kept["quality"]) == {"ok"} and set(junk["quality"]) == {"junk"}
    doc = json.loads(stats.read_text(encoding="utf-8"))
    assert doc["quality"] == {"ok": 1, "suspect": 0, "junk": 1}
    assert doc["reasons"]["too_fast"] == 1
    assert doc["by_source"] == [
        {"source": "typeform", "leads": 2, "junk": 1, "suspect": 0, "junk_rate": 0.5}
    ]
    assert "1 junk left out" in result.stderr


def test_verbose_shows_campaigns_and_quiet_nothing(run) -> None:
    data = imported(run, "facebook_leads.tsv")
    assert "junk by campaign" in run("-v", "clean", "-", input=data).stderr
    assert run("-q", "clean", "-", input=data).stderr == ""


def test_options(run, tmp_path) -> None:
    blocked = tmp_path / "blocked.txt"
    blocked.write_text("example.ro\n", encoding="utf-8")
    result = run(
        "clean",
        "-",
        "--target-countries",
        "ru,us",
        "--block-domains",
        str(blocked),
        input=imported(run, "facebook_leads.tsv"),
    )
    assert result.exit_code == 0, result.output
    rows = {r["lead_id"]: r["reasons"] for r in csv.DictReader(io.StringIO(result.stdout))}
    assert rows["facebook:2231857610465553"] == "blocked_domain;out_of_geo"


def test_same_input_same_bytes(run) -> None:
    data = imported(run, "facebook_leads.tsv")
    assert run("-q", "clean", "-", input=data).stdout == run("-q", "clean", "-", input=data).stdout


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("raw", "not a leadtool lead file"),
        ("missing", "no such file"),
        ("checks", "unknown check 'nope'"),
        ("blocklist", "no such domain list"),
    ],
)
def test_errors_are_one_line(run, tmp_path, setup: str, message: str) -> None:
    leads = tmp_path / "leads.csv"
    leads.write_text(imported(run), encoding="utf-8")
    checks = tmp_path / "checks.yml"
    checks.write_text("checks:\n  nope: {}\n", encoding="utf-8")
    args = {
        "raw": [str(FIXTURES / "no_contact.csv")],
        "missing": [str(tmp_path / "none.csv")],
        "checks": [str(leads), "--checks", str(checks)],
        "blocklist": [str(leads), "--block-domains", str(tmp_path / "none.txt")],
    }[setup]
    result = run("clean", *args)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0]


@pytest.mark.parametrize("value", ["XX", "", "RU,ZZ"])
def test_bad_target_countries_is_usage_error(run, value: str) -> None:
    assert run("clean", "x.csv", "--target-countries", value).exit_code == 2


def test_a_stage_reads_what_was_typed_through_the_last_stages_csv(run, tmp_path) -> None:
    """import writes `@ivan_petrov` in phone_raw as `'@ivan_petrov` (against spreadsheet
    formulas); clean reading that file must see the username, as run's clean does in
    memory — it read the quote and called the lead no_contact junk."""
    form = tmp_path / "form.csv"
    form.write_text(
        "Имя;Телефон;Email\nИван Петров;@ivan_petrov;\nАнна Смирнова;+7 916 318-42-76;\n",
        encoding="utf-8",
    )
    leads = tmp_path / "leads.csv"
    assert run("-q", "import", str(form), "-o", str(leads)).exit_code == 0
    assert "'@ivan_petrov" in leads.read_text(encoding="utf-8")  # escaped on the way out
    result = run("-q", "clean", str(leads))
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["quality"] for r in rows] == ["suspect", "ok"]
    assert rows[0]["phone_raw"] == "'@ivan_petrov"  # and escaped again
    unescaped = run("-q", "--no-escape-formulas", "clean", str(leads))
    assert list(csv.DictReader(io.StringIO(unescaped.stdout)))[1]["phone_raw"] == "+7 916 318-42-76"


def test_a_file_junked_whole_by_one_check_gets_a_note(run, tmp_path) -> None:
    # A CRM export whose phone column is headed "Контакт": import knows no contact in it,
    # and every lead is no_contact — marked, and the summary says why that may be.
    leads = tmp_path / "leads.csv"
    leads.write_text(
        "lead_id,name,x_контакт\n"
        + "".join(f"crm:{i},Анна {i},8 916 385-71-{i:02d}\n" for i in range(20)),
        encoding="utf-8",
    )
    result = run("clean", str(leads), "-o", str(tmp_path / "clean.csv"))
    assert result.exit_code == 0, result.output
    assert "reasons: no_contact 20" in result.stderr
    assert "note: no_contact marks every lead junk: no lead has a phone" in result.stderr
    stats = tmp_path / "stats.json"
    assert run("-q", "clean", str(leads), "--stats", str(stats)).stdout
    assert json.loads(stats.read_text(encoding="utf-8"))["notes"][0].startswith("no_contact")
