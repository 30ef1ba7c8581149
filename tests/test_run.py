"""leadtool run: the whole chain, the config file, idempotence, the lock, inbox mode,
and the shell pipeline that gives the same result."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from leadtool.errors import LeadtoolError
from leadtool.pipeline import LOCK_NAME, folder_lock, load_run_config
from leadtool.settings import as_of_stamp
from tests.conftest import FIXTURES, REPO

EXAMPLES = REPO / "examples"
STAGE_FILES = {"leads.csv", "clean.csv", "deduped.csv"}
OUTPUTS = {
    "rejected.csv",
    "clean-stats.json",
    "pairs.csv",
    "qualified.csv",
    "spend.csv",
    "report.html",
    "report.md",
    "report.csv",
    "manifest.json",
}


def test_run_on_the_examples(run, tmp_path) -> None:
    out = tmp_path / "demo"
    result = run("run", "--config", str(EXAMPLES / "leadtool.yml"), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} >= OUTPUTS
    assert not {p.name for p in out.iterdir()} & STAGE_FILES  # only with --stage-files
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["rows"]["imported"] == 15
    assert manifest["clean_notes"] == []
    assert manifest["inputs"] and all(  # hashed beside the import: each file's own digest
        i["sha256"] == hashlib.sha256(Path(i["path"]).read_bytes()).hexdigest()
        for i in manifest["inputs"]
    )
    assert set(manifest["durations_seconds"]) == {
        "import",
        "clean",
        "dedupe",
        "qualify",
        "report",
        "writing",
    }
    assert manifest["options"]["timezone"] == "Europe/Moscow"
    assert "Days in Europe/Moscow." in (out / "report.md").read_text(encoding="utf-8")
    assert manifest["versions"]["pandas"]
    qualified = pd.read_csv(out / "qualified.csv", dtype=str, keep_default_na=False)
    assert len(qualified) == 15 and {"quality", "dup_group", "stage", "score"} <= set(
        qualified.columns
    )
    rejected = pd.read_csv(out / "rejected.csv", dtype=str, keep_default_na=False)
    assert set(rejected["quality"]) == {"junk"}
    assert "report.html" in result.stderr
    # What import found in each file, and each spend report's profile, for a night's log.
    tilda = next(t for i in manifest["inputs"] for t in i["tables"] if t["profile"] == "tilda")
    assert tilda["import"]["encoding"] == "cp1251" and tilda["import"]["phones_valid"] == 3
    spend = {t["table"]: t["spend_profile"] for i in manifest["spend"] for t in i["tables"]}
    assert spend["yandex_direct_spend.csv"] == "yandex_direct"
    assert "profile tilda" not in result.stderr  # the summary alone without -v


def test_run_verbose_tells_each_files_summary_and_the_stages_times(run, tmp_path) -> None:
    out = tmp_path / "demo"
    result = run("-v", "run", "--config", str(EXAMPLES / "leadtool.yml"), "--out", str(out))
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert any(
        line.startswith("tilda_form.csv: profile tilda, cp1251, semicolon, 3 rows read")
        for line in lines
    )
    assert "    Телефон -> phone" in lines  # the column mapping, as import -v shows it
    assert "yandex_direct_spend.csv: spend, profile yandex_direct, 3 rows" in lines
    assert "vk_ads_spend.csv: spend, profile vk_ads, 1 row" in lines
    assert any(line.startswith("stages: import ") and "writing" in line for line in lines)


def test_a_runs_report_takes_currency_rates_and_won_deals(run, tmp_path) -> None:
    # The nightly report converts spend with the team's rates and counts the CRM's won deals
    # (report --fx and --outcomes), set in the config as the report's other options are.
    (tmp_path / "rates.csv").write_text("currency,rate\nUSD,1\nRUB,0.0125\nRON,0.22\n")
    (tmp_path / "deals.csv").write_text(  # amoCRM's deals: its headers, phones as typed
        "Полное имя контакта;Рабочий email;Рабочий телефон;Бюджет \n"
        "Иван Петров;Ivan.Petrov@example.com;;1 500,00\n"
        "Анна Смирнова;;8 (926) 111-22-33;2 000\n",
        encoding="utf-8",
    )
    config = tmp_path / "leadtool.yml"
    config.write_text(
        f"inputs: [{EXAMPLES / 'leads'}]\nspend: [{EXAMPLES / 'spend'}]\n"
        "report: {fx: rates.csv, outcomes: deals.csv}\n",
        encoding="utf-8",
    )
    result = run("run", "--config", str(config), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "note: spend converted to USD with the --fx rates" in result.stderr
    assert "several currencies" not in result.stderr
    report = pd.read_csv(tmp_path / "out" / "report.csv", dtype=str, keep_default_na=False)
    assert set(report["currency"]) <= {"USD", ""}
    assert pd.to_numeric(report["won"]).sum() == 2
    assert pd.to_numeric(report["revenue"]).sum() == 3500
    # a rates file without rates stops the run before anything is written
    (tmp_path / "rates.csv").write_text("currency;kurs\nUSD;1\n")
    bad = run("run", "--config", str(config), "--out", str(tmp_path / "bad"))
    assert bad.exit_code == 1 and "rates.csv: expected columns currency and rate" in bad.stderr
    assert not (tmp_path / "bad" / "qualified.csv").exists()


def test_stage_files_hold_what_qualified_holds_stage_by_stage(run, tmp_path) -> None:
    out = tmp_path / "demo"
    args = ["-q", "run", "--config", str(EXAMPLES / "leadtool.yml"), "--out", str(out)]
    assert run(*args, "--stage-files").exit_code == 0
    assert {p.name for p in out.iterdir()} >= OUTPUTS | STAGE_FILES
    qualified = pd.read_csv(out / "qualified.csv", dtype=str, keep_default_na=False)
    for name, marks in (
        ("leads.csv", None),
        ("clean.csv", "quality"),
        ("deduped.csv", "dup_group"),
    ):
        stage = pd.read_csv(out / name, dtype=str, keep_default_na=False)
        assert stage["lead_id"].tolist() == qualified["lead_id"].tolist(), name
        assert set(stage.columns) <= set(qualified.columns), name
        if marks:
            assert stage[marks].tolist() == qualified[marks].tolist(), name
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["options"]["stage_files"] is True
    # Run again without the flag: the stage files of the earlier run go, not stay stale.
    assert run(*args).exit_code == 0
    assert not {p.name for p in out.iterdir()} & STAGE_FILES


def test_same_inputs_same_bytes(run, tmp_path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for folder in (a, b):
        assert (
            run(
                "-q", "run", "--config", str(EXAMPLES / "leadtool.yml"), "--out", str(folder)
            ).exit_code
            == 0
        )
    for name in OUTPUTS - {"manifest.json"}:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    ma = json.loads((a / "manifest.json").read_text())
    mb = json.loads((b / "manifest.json").read_text())
    for m in (ma, mb):
        m.pop("durations_seconds")
        m["options"].pop("out", None)
    assert ma == mb


def test_shell_pipeline_gives_the_same_result(tmp_path) -> None:
    leads = tmp_path / "in"
    leads.mkdir()
    for name in ("facebook_leads.tsv", "tilda_form.csv", "typeform_responses.csv"):
        shutil.copy(FIXTURES / name, leads / name)
    lt = f"'{sys.executable}' -m leadtool -q"
    shell = (
        f"{lt} import '{leads}' | {lt} clean - | {lt} dedupe - | {lt} qualify - "
        f"> '{tmp_path / 'piped.csv'}'"
    )
    subprocess.run(shell, shell=True, check=True)
    subprocess.run(
        [sys.executable, "-m", "leadtool", "-q", "run", str(leads), "--out", str(tmp_path / "run")],
        check=True,
        cwd=tmp_path,
    )
    assert (tmp_path / "piped.csv").read_bytes() == (
        tmp_path / "run" / "qualified.csv"
    ).read_bytes()


def test_config_found_in_working_directory(tmp_path, monkeypatch, run) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    (tmp_path / "leadtool.yml").write_text(
        "inputs: [examples/leads]\nout: nightly\nhistory: seen.parquet\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    first = run("-q", "run")
    assert first.exit_code == 0, first.output
    assert (tmp_path / "nightly" / "report.html").exists()
    assert len(pd.read_parquet(tmp_path / "seen.parquet")) == 15
    second = run("run")  # the same night again: nothing changes
    assert "0 seen before" in second.stderr
    assert len(pd.read_parquet(tmp_path / "seen.parquet")) == 15


def test_the_next_nights_cumulative_export_brings_no_lead_twice(tmp_path, run) -> None:
    # The same export downloaded again the next night, with more leads: yesterday's are
    # seen before, and re-running that night changes nothing.
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "tilda.csv").write_bytes((FIXTURES / "tilda_form.csv").read_bytes())
    for night in ("2026-11-30", "2026-12-01"):
        (tmp_path / f"{night}.yml").write_text(
            f"inputs: [inbox]\nhistory: seen.parquet\nas_of: {night}\n", encoding="utf-8"
        )
    first = run("run", "--config", str(tmp_path / "2026-11-30.yml"), "--out", str(tmp_path / "o1"))
    assert first.exit_code == 0, first.output
    assert "3 people (0 seen before)" in first.stderr
    (inbox / "hubspot.csv").write_bytes((FIXTURES / "hubspot_contacts.csv").read_bytes())
    for out in ("o2", "o2-again"):
        done = run(
            "run", "--config", str(tmp_path / "2026-12-01.yml"), "--out", str(tmp_path / out)
        )
        assert done.exit_code == 0, done.output
        assert "5 leads, 0 junk, 5 people (3 seen before)" in done.stderr
    assert (tmp_path / "o2" / "qualified.csv").read_bytes() == (
        tmp_path / "o2-again" / "qualified.csv"
    ).read_bytes()
    assert len(pd.read_parquet(tmp_path / "seen.parquet")) == 5


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("outputs: x\n", "unknown setting 'outputs'"),
        ("- a\n", "expected a mapping"),
        ("dedupe: {keep_all: true}\n", "dedupe: expected"),
        ("report: {by: [planet]}\n", "report: by: unknown dimension 'planet'"),
        ("report: {since: 2026-11}\n", "report: expected some of by, from, fx, outcomes, to"),
        ("report: [source]\n", "report: expected some of by, from, fx, outcomes, to"),
        ("report: {from: 2026-13}\n", "report: from: '2026-13' is not a day, month or week"),
        (
            "report: {from: 2026-12, to: 2026-11}\n",
            "report: from 2026-12-01 is after to 2026-11-30",
        ),
        ("inputs: [\n", "not valid YAML"),
        ("timezone: Mars/Base\n", "timezone: 'Mars/Base' is not an IANA time zone"),
        ("region: XX\n", "region: 'XX' is not a region code"),
        ("as_of: last tuesday\n", "as_of: 'last tuesday' is not a date such as 2026-11-23"),
        ("jobs: many\n", "jobs: 'many' is not a whole number"),
        ("jobs: -2\n", "jobs: -2 is not a whole number"),
        ("profile: nope\n", "profile: unknown profile 'nope'"),
    ],
)
def test_bad_config(tmp_path, text: str, message: str) -> None:
    path = tmp_path / "leadtool.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LeadtoolError, match=f"^{re.escape(str(path))}: {re.escape(message)}"):
        load_run_config(str(path))


def test_good_config_settings_are_read_as_meant(tmp_path) -> None:
    path = tmp_path / "leadtool.yml"
    path.write_text(
        "region: ru\ntimezone: Europe/Moscow\nas_of: 2026-11-23T10:00+03:00\njobs: 0\n"
        "profile: tilda\n",
        encoding="utf-8",
    )
    config = load_run_config(str(path))
    assert (config.region, config.timezone, config.jobs, config.profile) == (
        "RU",
        "Europe/Moscow",
        0,
        "tilda",
    )
    assert as_of_stamp(config.as_of) == pd.Timestamp("2026-11-23T07:00Z")
    # words: now (or today) and yesterday, a day before it
    now = pd.Timestamp.now(tz="UTC")
    assert abs(as_of_stamp("Today") - now) < pd.Timedelta(minutes=5)
    assert abs(as_of_stamp(" yesterday ") - (now - pd.Timedelta(days=1))) < pd.Timedelta(minutes=5)


def test_a_runs_report_covers_the_period_its_config_names(run, tmp_path) -> None:
    config = tmp_path / "leadtool.yml"
    config.write_text(
        f"inputs: [{EXAMPLES / 'leads'}]\nreport: {{by: [day], from: 2026-11-05, to: 2026-11}}\n",
        encoding="utf-8",
    )
    result = run("run", "--config", str(config), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["options"]["report_from"], manifest["options"]["report_to"]) == (
        "2026-11-05",
        "2026-11",
    )
    assert manifest["report_period"] == {"from": "2026-11-05", "to": "2026-11-30"}
    assert manifest["report_notes"][0].startswith("period 2026-11-05 to 2026-11-30: ")
    days = pd.read_csv(tmp_path / "out" / "report.csv", dtype=str)["day"]
    assert days.min() >= "2026-11-05" and len(days)
    assert manifest["rows"]["imported"] == 15  # every lead imported, cleaned and scored
    # a nightly job's config names its days from the run's: as_of's, in its time zone
    config.write_text(
        f"inputs: [{EXAMPLES / 'leads'}]\ntimezone: Europe/Moscow\n"
        "as_of: 2026-11-08T22:30:00Z\nreport: {by: [day], from: 3 days ago, to: yesterday}\n",
        encoding="utf-8",
    )
    assert run("-q", "run", "--config", str(config), "--out", str(tmp_path / "o2")).exit_code == 0
    manifest = json.loads((tmp_path / "o2" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["report_period"] == {"from": "2026-11-06", "to": "2026-11-08"}  # Moscow: 9th


def test_run_errors(run, tmp_path) -> None:
    assert "no output folder" in run("run", str(FIXTURES / "tilda_form.csv")).stderr
    assert (
        "no such config file"
        in run("run", "--config", str(tmp_path / "x.yml"), "--out", "o").stderr
    )
    result = run("run", str(FIXTURES / "empty.csv"), "--out", str(tmp_path / "o"))
    assert result.exit_code == 1 and "file is empty" in result.stderr
    assert not (tmp_path / "o" / "leads.csv").exists()
    assert not (tmp_path / "o" / LOCK_NAME).exists()  # the lock is released on errors


@pytest.mark.parametrize("where", ["input", "spend"])
def test_run_names_a_missing_file(run, tmp_path, where: str) -> None:
    missing = str(tmp_path / "gone.csv")
    given = [missing] if where == "input" else [str(FIXTURES / "tilda_form.csv")]
    spend = ["--spend", missing] if where == "spend" else []
    result = run("run", *given, *spend, "--out", str(tmp_path / "o"))
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {missing}: no such file"


def test_lock_blocks_a_second_run_and_stale_locks_are_taken_over(tmp_path) -> None:
    with (
        folder_lock(tmp_path),
        pytest.raises(LeadtoolError, match="another leadtool run"),
        folder_lock(tmp_path),
    ):
        pass
    (tmp_path / LOCK_NAME).write_text("999999999", encoding="utf-8")  # no such process
    with folder_lock(tmp_path):
        assert (tmp_path / LOCK_NAME).read_text() == str(os.getpid())
    assert not (tmp_path / LOCK_NAME).exists()


def test_a_run_that_fails_late_leaves_the_history_as_it_was(run, tmp_path, monkeypatch) -> None:
    # The history is written while the last stages compute, and put in place only once
    # every other file is: a run failing in its report leaves it untouched, and nothing
    # of the written one behind.
    history = tmp_path / "nights" / "history.parquet"
    config = tmp_path / "leadtool.yml"
    config.write_text(f"inputs: [{EXAMPLES / 'leads'}]\nhistory: {history}\n", encoding="utf-8")
    leads = tmp_path / "first.csv"
    leads.write_text("lead_id,name,phone\nx:1,Anna Pop,+40722418305\n", encoding="utf-8")
    assert (
        run("-q", "dedupe", str(leads), "--history", str(history), "--update-history").exit_code
        == 0
    )
    before = history.read_bytes()

    def broken(*args, **kwargs):
        raise LeadtoolError("report: the disk is gone")

    monkeypatch.setattr("leadtool.pipeline.build_report", broken)
    failed = run("run", "--config", str(config), "--out", str(tmp_path / "a"))
    assert failed.exit_code == 1 and "report: the disk is gone" in failed.stderr
    assert history.read_bytes() == before
    assert sorted(p.name for p in history.parent.iterdir()) == ["history.parquet"]
    monkeypatch.undo()
    done = run("-q", "run", "--config", str(config), "--out", str(tmp_path / "b"))
    assert done.exit_code == 0, done.output
    assert len(pd.read_parquet(history)) == 16
    assert sorted(p.name for p in history.parent.iterdir()) == ["history.parquet"]


def test_one_run_at_a_time_updates_a_history(run, tmp_path) -> None:
    # Two cron jobs sharing one history, each writing it back with its own night's leads,
    # would lose the first one's: the second is stopped with one clear line instead.
    history = tmp_path / "nights" / "history.parquet"
    config = tmp_path / "leadtool.yml"
    config.write_text(f"inputs: [{EXAMPLES / 'leads'}]\nhistory: {history}\n", encoding="utf-8")
    lock = Path(f"{history}.lock")
    lock.parent.mkdir()
    lock.write_text(str(os.getpid()), encoding="utf-8")  # a live process holds it
    busy = run("run", "--config", str(config), "--out", str(tmp_path / "a"))
    assert busy.exit_code == 1
    assert f"{history}: another leadtool run is updating this history" in busy.stderr
    assert not history.exists()
    leads = tmp_path / "leads.csv"
    leads.write_text("lead_id,name,phone\nx:1,Anna,+40722418305\n", encoding="utf-8")
    busy = run("dedupe", str(leads), "--history", str(history), "--update-history")
    assert busy.exit_code == 1 and "another leadtool run is updating" in busy.stderr
    # its process gone, the lock is taken over; released after the run
    lock.write_text("999999999", encoding="utf-8")
    assert run("-q", "run", "--config", str(config), "--out", str(tmp_path / "b")).exit_code == 0
    assert history.exists() and not lock.exists()
    # a lock that cannot be made is one error naming it
    from leadtool.pipeline import pid_lock

    nowhere = tmp_path / "gone" / "h.lock"
    cannot = rf"^{re.escape(str(nowhere))}: cannot write: "
    with pytest.raises(LeadtoolError, match=cannot), pid_lock(nowhere, "busy"):
        pass
    # a dedupe that does not update the history takes no lock
    lock.write_text(str(os.getpid()), encoding="utf-8")
    assert run("-q", "dedupe", str(leads), "--history", str(history)).exit_code == 0


def test_inbox_processes_new_files_only_and_goes_on_past_bad_ones(run, tmp_path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    shutil.copy(FIXTURES / "facebook_leads.tsv", inbox)
    first = run("run", str(inbox), "--out", str(out), "--inbox")
    assert first.exit_code == 0, first.output
    assert json.loads((out / "manifest.json").read_text())["rows"]["imported"] == 5
    again = run("run", str(inbox), "--out", str(out), "--inbox")
    assert again.exit_code == 0 and "nothing new" in again.stderr
    assert (out / "report.html").exists()  # yesterday's outputs stay
    shutil.copy(FIXTURES / "tilda_form.csv", inbox)
    shutil.copy(FIXTURES / "binary.csv", inbox / "broken.csv")
    third = run("run", str(inbox), "--out", str(out), "--inbox")
    assert third.exit_code == 1
    assert "Error: " in third.stderr and "broken.csv: binary file" in third.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["rows"]["imported"] == 3  # only the new, good file
    assert manifest["failures"] and "broken.csv" in manifest["failures"][0]
    seen = json.loads((out / "inbox-seen.json").read_text())
    assert len(seen) == 2 and not any(p.endswith("broken.csv") for p in seen.values())


def test_spend_reports_among_the_inputs_are_read_as_spend(run, tmp_path) -> None:
    """A team drops the night's exports, leads and spend, into one folder: the spend
    reports in it are the report's spend, as if given with --spend."""
    mixed, apart, together = tmp_path / "mixed", tmp_path / "apart", tmp_path / "together"
    mixed.mkdir()
    for name in ("facebook_leads.tsv", "tilda_form.csv", "meta_ads_spend.csv"):
        shutil.copy(FIXTURES / name, mixed)
    result = run("run", str(mixed), "--out", str(together))
    assert result.exit_code == 0, result.output
    assert "read as spend, not leads: meta_ads_spend.csv" in result.stderr
    leads = [str(mixed / "facebook_leads.tsv"), str(mixed / "tilda_form.csv")]
    spend = str(mixed / "meta_ads_spend.csv")
    assert run("run", *leads, "--spend", spend, "--out", str(apart)).exit_code == 0
    for name in ("report.csv", "spend.csv", "qualified.csv"):
        assert (together / name).read_bytes() == (apart / name).read_bytes(), name
    manifest = json.loads((together / "manifest.json").read_text())
    assert manifest["rows"]["imported"] == 8
    tables = [t for record in manifest["inputs"] for t in record["tables"]]
    assert {"table": "meta_ads_spend.csv", "spend_profile": "meta_ads", "rows": 3} in tables
    # A table that is neither leads nor spend still stops the run, named.
    shutil.copy(FIXTURES / "no_contact.csv", mixed)
    failed = run("run", str(mixed), "--out", str(tmp_path / "failed"))
    assert failed.exit_code == 1 and "no_contact.csv: no recognizable contact" in failed.stderr


def test_quiet_run_prints_nothing(run, tmp_path) -> None:
    result = run("-q", "run", str(FIXTURES / "tilda_form.csv"), "--out", str(tmp_path / "o"))
    assert result.exit_code == 0 and result.stderr == "" and result.stdout == ""


def test_run_reads_relative_paths_from_the_config_folder(tmp_path) -> None:
    config = load_run_config(str(EXAMPLES / "leadtool.yml"))
    assert Path(config.inputs[0]) == EXAMPLES / "leads"
    assert Path(config.rules or "") == EXAMPLES / "rules.yml"


def test_run_on_the_real_x_education_data(run, real_data, tmp_path) -> None:
    config = tmp_path / "leadtool.yml"
    config.write_text(
        f"inputs: [{real_data / 'x_education_leads.csv'}]\n"
        f"checks: {EXAMPLES / 'x_education' / 'checks.yml'}\n"
        f"rules: {EXAMPLES / 'x_education' / 'rules.yml'}\n",
        encoding="utf-8",
    )
    result = run("-q", "run", "--config", str(config), "--out", str(tmp_path / "xe"))
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "xe" / "manifest.json").read_text(encoding="utf-8"))
    # The only junk is the sales team's own verdict: the tags "invalid number" and "wrong
    # number given" (the data set is anonymized, so no contact check applies).
    raw = pd.read_csv(real_data / "x_education_leads.csv", usecols=["Tags"])
    tagged = int(raw["Tags"].isin(["invalid number", "wrong number given"]).sum())
    assert tagged == 130
    assert manifest["rows"]["imported"] == 9240 and manifest["rows"]["junk"] == tagged
    assert manifest["rows"]["stages"]["junk"] == tagged
    qualified = pd.read_csv(tmp_path / "xe" / "qualified.csv", usecols=["reasons"], dtype=str)
    assert set(qualified["reasons"].dropna()) == {"marked_junk"}
    assert manifest["clean_notes"] == []
    assert manifest["rows"]["stages"]["SQL"] > 2000
