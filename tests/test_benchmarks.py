"""The benchmark generator: the data the published figures were measured on."""

from __future__ import annotations

import pandas as pd
import pytest

from benchmarks.exports import KINDS, write
from benchmarks.generate import generate
from leadtool.importer import ImportOptions, combine, import_table
from leadtool.io import read_tables


def test_varied_names_are_many_and_stay_with_their_person() -> None:
    pooled, varied = generate(20_000), generate(20_000, varied_names=True)
    assert pooled["Имя"].str.casefold().nunique() <= 500
    assert varied["Имя"].str.casefold().nunique() > 2_000
    # A person who submits again gives the same name (in capitals now and then).
    people = varied[varied["Email"].str.startswith("user")].assign(
        person=lambda f: f["Email"].str.casefold(), name=lambda f: f["Имя"].str.casefold()
    )
    assert (people.groupby("person")["name"].nunique() == 1).all()
    # Everything but the names is the same data.
    assert varied.drop(columns="Имя").equals(pooled.drop(columns="Имя"))


SOURCES_OF = {
    "meta": {"facebook", "instagram"},
    "tilda": {"yandex", "vk", "google"},  # from utm_source
    "amocrm": {"amocrm"},
    "linkedin": {"linkedin"},
    "hubspot": {"hubspot"},
    "accounts": {"hubspot"},
    "bitrix24": {"site", "call", "advertising"},  # from the Источник column
    "bitrix24_xlsx": {"site", "call", "advertising"},
    "google_ads": {"google"},
    "google_forms": {"google_forms"},
    "typeform": {"typeform"},
    "tiktok": {"tiktok"},
}


@pytest.mark.parametrize("kind", KINDS)
def test_exports_are_read_as_their_source(tmp_path, kind: str) -> None:
    # bench_exports.py's inputs must be what they claim: each export recognised, in its own
    # encoding, every phone, e-mail and date readable, and two-number cells where promised.
    path = write(kind, 400, tmp_path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xff\xfe") == (kind == "meta")  # UTF-16 with its BOM
    if kind == "tilda":
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")  # cp1251
    leads = combine([import_table(t, ImportOptions())[0] for t in read_tables(str(path))])
    assert len(leads) == 400
    assert set(leads["source"]) <= SOURCES_OF[kind]
    assert (leads["created_at"] != "").all()
    if kind.startswith("bitrix24"):  # two phone columns, each often empty: 2 in 15 have none
        assert 0.8 < (leads["phone"] != "").mean() < 0.95
        assert leads["phone"].str.startswith("+7495").any()  # office numbers, shared
    else:
        assert (leads["phone"] != "").all()
    assert (leads["email"] != "").all()
    extra = leads.get("x_phone_extra", pd.Series("", index=leads.index))
    assert ((extra != "").sum() > 0) == (kind in ("tilda", "amocrm"))


def test_bench_exports_times_import_and_run(tmp_path, monkeypatch, capsys) -> None:
    import json

    from benchmarks import bench_exports

    monkeypatch.chdir(tmp_path)
    assert bench_exports.main(["300", "amocrm"]) == 0
    result = json.loads(capsys.readouterr().out)["exports"]["amocrm"]
    assert result["valid_phone"] == result["valid_date"] == 1.0
    assert result["second_phone"] > 0 and result["seconds"] > 0 and result["run_seconds"] > 0
    assert set(result["run_stage_seconds"]) >= {"import", "clean", "dedupe", "qualify", "report"}


def test_compare_times_both_and_reports_ratio_memory_cpu_and_stages(
    tmp_path, monkeypatch, capsys
) -> None:
    import json

    from benchmarks import compare

    monkeypatch.setattr(compare, "DATA", tmp_path)
    assert compare.main(["400", "1", "2"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["rows"] == 400 and result["runs"] == 2
    assert len(result["baseline_each"]) == len(result["leadtool_each"]) == 2
    ratio = result["baseline_seconds"] / result["leadtool_run_seconds"]  # of rounded times
    assert result["speedup"] == pytest.approx(ratio, rel=0.15)
    assert result["baseline_peak_mb"] > 30 and result["leadtool_peak_mb"] > 30
    for side in ("baseline_cpu_seconds", "leadtool_cpu_seconds"):
        assert result[side]["user"] > 0 and result[side]["system"] >= 0
    cpu = {side: sum(result[f"{side}_cpu_seconds"].values()) for side in ("baseline", "leadtool")}
    assert result["cpu_ratio"] == pytest.approx(cpu["baseline"] / cpu["leadtool"], rel=0.3)
    assert set(result["stage_seconds"]) >= {"import", "clean", "dedupe", "qualify", "report"}
    assert len(result["host_probe_seconds"]) == 2
    assert (tmp_path / "baseline_report.csv").stat().st_size > 0
    assert (tmp_path / "run_400" / "qualified.csv").stat().st_size > 0
