"""Each crafted export, in its real encoding and layout, imports to its golden output.

Regenerate after an intended change with ``LEADTOOL_UPDATE_GOLDEN=1 pytest`` and review
the diff of tests/golden/ like code.
"""

from __future__ import annotations

import os

import pandas as pd
import pytest

from leadtool.importer import ImportOptions, combine, import_table
from leadtool.io import read_tables, write_table
from tests.conftest import FIXTURES, GOLDEN

CASES = {
    "facebook_leads.tsv": "facebook",
    "google_ads_leads.csv": "google_ads",
    "google_ads_webhook.jsonl": "google_ads",
    "linkedin_leads.csv": "linkedin",
    "tiktok_leads.csv": "tiktok",
    "typeform_responses.csv": "typeform",
    "google_forms_responses.csv": "google_forms",
    "tilda_form.csv": "tilda",
    "bitrix24_leads.csv": "bitrix24",
    "crm_export.xlsx": "bitrix24",
    "amocrm_deals.csv": "amocrm",
    "hubspot_contacts.csv": "hubspot",
    "site_form_ro.csv": "generic",
    "question_headers.csv": "generic",
    "leads_report_cp1251.csv": "generic",
    "ragged.csv": "generic",
}


def _import(name: str) -> tuple[pd.DataFrame, list[str]]:
    frames, profiles = [], []
    for table in read_tables(str(FIXTURES / name)):
        frame, stats = import_table(table, ImportOptions())
        frames.append(frame)
        profiles.append(stats.profile)
    return combine(frames), profiles


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture_matches_golden(name: str, tmp_path) -> None:
    frame, profiles = _import(name)
    assert set(profiles) == {CASES[name]}
    golden = GOLDEN / (name.rsplit(".", 1)[0] + ".csv")
    written = tmp_path / "out.csv"
    write_table(frame, str(written))
    if os.environ.get("LEADTOOL_UPDATE_GOLDEN"):
        golden.write_bytes(written.read_bytes())
    assert written.read_text(encoding="utf-8") == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_row_accounted_for(name: str) -> None:
    frame, _ = _import(name)
    tables = read_tables(str(FIXTURES / name))
    assert len(frame) == sum(len(t.rows) for t in tables)
    assert frame["source_row"].tolist() == [str(r) for t in tables for r in t.rows]
    assert frame["lead_id"].is_unique
    assert (frame["source_file"] != "").all()
