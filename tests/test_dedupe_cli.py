"""leadtool dedupe from the command line: pipelines, history across nights, pairs, errors."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from tests.conftest import FIXTURES


@pytest.fixture
def leads_csv(run, tmp_path):
    result = run(
        "-q", "import", str(FIXTURES / "facebook_leads.tsv"), str(FIXTURES / "tilda_form.csv")
    )
    path = tmp_path / "leads.csv"
    path.write_text(result.stdout, encoding="utf-8")
    return path


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_dedupe_pipeline_and_pairs(run, leads_csv, tmp_path) -> None:
    # The Tilda form's Ольга Морозова and Пётр left the number Ivan Petrov gave on Meta:
    # three people by their names (a household's or an office's phone), not duplicates.
    result = run("dedupe", str(leads_csv))
    assert result.exit_code == 0, result.output
    assert "8 leads, 8 people, 0 duplicates" in result.stderr
    # Пётр signs as Иван Петров: one person across the two sources, by the phone.
    leads = pd.read_csv(leads_csv, dtype=str, keep_default_na=False)
    leads.loc[leads["name"] == "Пётр", ["name", "first_name"]] = ["Иван Петров", "Иван"]
    leads.to_csv(leads_csv, index=False)
    pairs = tmp_path / "pairs.csv"
    result = run("dedupe", str(leads_csv), "--pairs", str(pairs))
    out = rows(result.stdout)
    assert len(out) == 8
    dupes = [r for r in out if r["is_primary"] == "false"]
    assert [(r["name"], r["duplicate_of"]) for r in dupes] == [
        ("Иван Петров", "facebook:2231857610465551")
    ]
    assert "8 leads, 7 people, 1 duplicates; matches: phone 1" in result.stderr
    table = pd.read_csv(pairs, dtype=str)
    assert list(table.columns) == ["lead_id_a", "lead_id_b", "rule", "fields", "score"]
    assert table[["lead_id_a", "lead_id_b", "rule"]].values.tolist() == [
        ["tilda:1234567:8903", "facebook:2231857610465551", "phone"]
    ]
    # --drop-duplicates keeps one lead a person.
    result = run("dedupe", str(leads_csv), "--drop-duplicates")
    assert {r["is_primary"] for r in rows(result.stdout)} == {"true"}
    assert len(rows(result.stdout)) == 7


def test_nightly_history_is_idempotent(run, leads_csv, tmp_path) -> None:
    history = tmp_path / "history.parquet"
    first = run("-q", "dedupe", str(leads_csv), "--history", str(history), "--update-history")
    assert first.exit_code == 0, first.output
    assert len(pd.read_parquet(history)) == 8
    before = history.read_bytes()
    second = run("-q", "dedupe", str(leads_csv), "--history", str(history), "--update-history")
    assert second.stdout == first.stdout
    assert history.read_bytes() == before
    # the next night: one returning person, one new
    night2 = tmp_path / "night2.csv"
    night2.write_text(
        "lead_id,name,phone,email,created_at\n"
        "site:9,Ivan P.,+79163857142,,2026-11-20T10:00:00Z\n"
        "site:10,Nou Client,+40722418377,,2026-11-20T11:00:00Z\n",
        encoding="utf-8",
    )
    third = run("dedupe", str(night2), "--history", str(history), "--update-history")
    out = rows(third.stdout)
    assert [r["is_new"] for r in out] == ["false", "true"]
    assert out[0]["duplicate_of"] == "facebook:2231857610465551"
    assert "1 seen on earlier nights" in third.stderr
    assert len(pd.read_parquet(history)) == 10


def test_as_of_names_the_night_of_a_cumulative_export(run, leads_csv, tmp_path) -> None:
    # A cron job re-running last night's file after midnight pins the night with --as-of:
    # its leads stay that night's (a re-run's), not "seen before"; the next night's file,
    # holding every lead so far, brings them back seen before.
    history = tmp_path / "history.csv"
    args = ["dedupe", str(leads_csv), "--history", str(history), "--update-history"]
    first = run("-q", *args, "--as-of", "2026-11-30")
    assert first.exit_code == 0, first.output
    assert set(pd.read_csv(history, dtype=str)["x_history_night"]) == {"2026-11-30"}
    before = history.read_bytes()
    rerun = run(*args, "--as-of", "2026-11-30T23:30:00+00:00")
    assert rerun.stdout == first.stdout
    assert "0 seen on earlier nights" in rerun.stderr
    assert history.read_bytes() == before
    # Moscow's 02:30 on 1 December is still 30 November in UTC
    assert run("-q", *args, "--as-of", "2026-12-01T02:30:00+03:00").stdout == first.stdout
    after = run(*args, "--as-of", "2026-12-01")
    assert "8 seen on earlier nights" in after.stderr
    assert {r["is_new"] for r in rows(after.stdout)} == {"false"}
    assert history.read_bytes() == before  # nothing new to add


def test_as_of_yesterday_is_last_nights_night(run, leads_csv, tmp_path) -> None:
    # A cron job re-running last night's file after midnight says so in a word.
    import datetime as dt

    history = tmp_path / "history.csv"
    args = ["-q", "dedupe", str(leads_csv), "--history", str(history), "--update-history"]
    before = dt.datetime.now(dt.UTC)
    assert run(*args, "--as-of", "yesterday").exit_code == 0
    after = dt.datetime.now(dt.UTC)
    nights = set(pd.read_csv(history, dtype=str)["x_history_night"])
    days = {(t - dt.timedelta(days=1)).date().isoformat() for t in (before, after)}
    assert nights <= days and len(nights) == 1


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--update-history"], 2, "needs --history"),
        (["--as-of", "last tuesday"], 2, "not a date"),
        (["--keep", "best"], 2, "must be one of"),
        (["--threshold", "2"], 2, ""),
        (["--fields", "nope"], 1, "no column 'nope'"),
        (["--keep", "priority"], 1, "needs --source-priority"),
    ],
)
def test_errors(run, leads_csv, args: list[str], code: int, message: str) -> None:
    result = run("dedupe", str(leads_csv), *args)
    assert result.exit_code == code
    assert message in result.output
