"""leadtool spend and leadtool report: every spend format, CPL arithmetic, currencies,
unmatched rows, every output format."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadtool import spend
from leadtool.errors import LeadtoolError
from leadtool.io import read_tables
from leadtool.report import (
    build_report,
    outcomes_table,
    parse_dimensions,
    to_html,
    to_json,
    to_markdown,
    workbook_sheets,
)
from leadtool.schema import snake_case
from leadtool.sources import load_yaml_data
from leadtool.spend import currency_of, parse_amount, spend_table
from tests.conftest import FIXTURES


def spend_of(name: str, **kwargs) -> pd.DataFrame:
    frames = [spend_table(t, **kwargs)[0] for t in read_tables(str(FIXTURES / name))]
    return pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "meta_ads_spend.csv",
            [
                ["2026-11-05", "facebook", "Leadgen RU Nov", "", "1250.50", "USD", "48210", "912"],
                ["2026-11-05", "facebook", "Leadgen US Nov", "", "310.00", "USD", "12004", "233"],
                ["2026-11-06", "facebook", "Leadgen RU Nov", "", "980.25", "USD", "40100", "701"],
            ],
        ),
        (
            # An account in Russian: "Дата начала отчетности", "Сумма затрат (RUB)"
            "meta_ads_spend_ru.csv",
            [
                ["2026-11-05", "facebook", "Лидген Москва", "", "15200.50", "RUB", "48210", "912"],
                ["2026-11-05", "facebook", "Лидген Москва", "", "9800.00", "RUB", "30100", ""],
            ],
        ),
        (
            "google_ads_spend.csv",
            [
                [
                    "2026-11-03",
                    "google",
                    "Search RO - Servicii",
                    "21000000001",
                    "402.10",
                    "RON",
                    "5120",
                    "311",
                ],
                [
                    "2026-11-04",
                    "google",
                    "Search RO - Servicii",
                    "21000000001",
                    "388.00",
                    "RON",
                    "4980",
                    "290",
                ],
                ["2026-11-04", "google", "PMax MD", "21000000002", "95.35", "RON", "9410", "120"],
            ],
        ),
        (
            "google_ads_spend_ru.csv",
            [
                ["2026-11-05", "google", "Поиск Москва", "", "12400.00", "RUB", "3210", "154"],
                ["2026-11-06", "google", "Поиск Москва", "", "11950.50", "RUB", "2980", "140"],
            ],
        ),
        (
            "yandex_direct_spend.csv",
            [
                [
                    "2026-11-05",
                    "yandex",
                    "direct_search_ekb",
                    "70000001",
                    "5400.50",
                    "RUB",
                    "1520",
                    "88",
                ],
                ["2026-11-06", "yandex", "direct_search_ekb", "70000001", "", "RUB", "1411", ""],
                ["2026-11-06", "yandex", "Бренд", "70000002", "1200.00", "RUB", "300", "41"],
            ],
        ),
        (
            "vk_ads_spend.csv",
            [["2026-11-06", "vk", "vk_retarget", "9100001", "3050.00", "RUB", "8000", "120"]],
        ),
        (
            # Its preamble has more lines than the report has rows, and 11/1 is November
            "linkedin_ads_spend.csv",
            [
                [
                    "2026-11-01",
                    "linkedin",
                    "LeadGen US Decision Makers",
                    "612000001",
                    "150.25",
                    "USD",
                    "10234",
                    "87",
                ],
                [
                    "2026-11-02",
                    "linkedin",
                    "LeadGen US Decision Makers",
                    "612000001",
                    "1204.10",
                    "USD",
                    "11234",
                    "97",
                ],
            ],
        ),
        (
            # "Campaign name" and "Cost" are Yandex Direct's API names too
            "tiktok_ads_spend.csv",
            [
                ["2026-11-04", "tiktok", "TT Lead KZ", "", "1075.50", "USD", "112000", "300"],
                ["2026-11-05", "tiktok", "TT Lead KZ", "", "80.00", "USD", "13000", "31"],
            ],
        ),
        (
            "generic_spend.csv",
            [
                ["2026-11-05", "tilda", "", "", "150.00", "EUR", "", ""],
                ["2026-11-04", "tiktok", "TT Lead KZ", "", "75.50", "USD", "", ""],
            ],
        ),
    ],
)
def test_spend_formats(name: str, expected: list[list[str]]) -> None:
    assert spend_of(name).drop(columns=["adset", "ad"]).values.tolist() == expected


def test_a_sheet_of_ones_own_across_platforms_keeps_its_sources(tmp_path) -> None:
    # "Campaign name" and "Cost" are Yandex Direct's API names: a sheet with a Source column
    # beside them had every row's spend put on Yandex.
    (tmp_path / "own.csv").write_text(
        "Date,Source,Campaign name,Cost\n2026-11-05,Facebook,Leadgen,120.50\n"
        "2026-11-05,Google Ads,Search,300\n",
        encoding="utf-8",
    )
    frame, stats = spend_table(read_tables(str(tmp_path / "own.csv"))[0])
    assert stats.profile == "generic"
    assert frame["source"].tolist() == ["facebook", "google"]
    assert frame["campaign"].tolist() == ["Leadgen", "Search"]


def test_yandex_directs_api_report_is_still_yandexs(tmp_path) -> None:
    # Its names are TikTok's in other letters (CampaignName, AdGroupName, Cost); TikTok's
    # own columns are what tell them apart.
    (tmp_path / "direct.tsv").write_text(
        "Date\tCampaignName\tAdGroupName\tImpressions\tClicks\tCost\n"
        "2026-11-05\tПоиск\tГруппа 1\t1000\t50\t2500.5\n",
        encoding="utf-8",
    )
    frame, stats = spend_table(read_tables(str(tmp_path / "direct.tsv"))[0])
    assert (stats.profile, frame["source"].tolist()) == ("yandex_direct", ["yandex"])


def test_a_sheet_of_ones_own_with_a_total_spent_column_keeps_its_sources(tmp_path) -> None:
    # "Total spent" alone is no LinkedIn report: an agency's sheet keeps its own sources.
    (tmp_path / "agency.csv").write_text(
        "Date,Source,Campaign,Total spent\n2026-11-05,Facebook Ads,Leadgen,120.50\n"
        "2026-11-05,Яндекс Директ,Поиск,3000\n",
        encoding="utf-8",
    )
    frame, stats = spend_table(read_tables(str(tmp_path / "agency.csv"))[0])
    assert stats.profile == "generic"
    assert frame["source"].tolist() == ["facebook", "yandex"]
    assert frame["spend"].tolist() == ["120.50", "3000.00"]


@pytest.mark.parametrize(
    ("name", "adsets"),
    [
        ("meta_ads_spend.csv", ["Moscow 25-45", "US lookalike", "Moscow 25-45"]),
        ("yandex_direct_spend.csv", ["Екатеринбург", "Екатеринбург", "Бренд"]),  # "Группа"
        ("google_ads_spend.csv", ["", "", ""]),  # a campaign report: no ad groups
    ],
)
def test_spend_keeps_the_ad_set_its_report_names(name: str, adsets: list[str]) -> None:
    assert spend_of(name)["adset"].tolist() == adsets


def test_currency_override_and_unknown() -> None:
    assert set(spend_of("vk_ads_spend.csv", currency="KZT")["currency"]) == {"KZT"}
    table = read_tables(str(FIXTURES / "generic_spend.csv"))[0]
    table.data = table.data.drop(columns=["currency"])
    frame, stats = spend_table(table)
    assert set(frame["currency"]) == {""} and stats.currency_from == "unknown"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,250.50", 1250.5),
        ("1 234,56", 1234.56),
        ("500,50", 500.5),
        ("$1,250", 1250.0),
        ("12 400,00 ₽", 12400.0),
        ("1.250.000", 1250000.0),
        ("-", None),
        ("", None),
        ("-15.5", -15.5),
        ("(100.00)", -100.0),  # an accountant's negative: a refund or a credit
        ("($1,250.50)", -1250.5),
        ("()", None),
    ],
)
def test_parse_amount(text: str, value: float | None) -> None:
    result = parse_amount(text)
    assert (result != result) if value is None else result == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "code"), [("USD", "USD"), ("руб.", "RUB"), ("€", "EUR"), ("lei", "RON"), ("", "")]
)
def test_currency_of(text: str, code: str) -> None:
    assert currency_of(text) == code


def test_not_a_spend_file() -> None:
    with pytest.raises(LeadtoolError, match="not a spend report"):
        spend_of("not_spend.csv")


# --------------------------------------------------------------------------- report


LEADS = pd.DataFrame(
    [
        {
            "lead_id": "a",
            "source": "facebook",
            "campaign": "Leadgen RU Nov",
            "created_at": "2026-11-05T10:00:00Z",
            "quality": "ok",
            "is_primary": "true",
            "stage": "SQL",
            "email": "a@x.io",
        },
        {
            "lead_id": "b",
            "source": "instagram",
            "campaign": "leadgen  ru nov",
            "created_at": "2026-11-05T11:00:00Z",
            "quality": "ok",
            "is_primary": "true",
            "stage": "MQL",
            "email": "b@x.io",
        },
        {
            "lead_id": "c",
            "source": "fb",
            "campaign": "Leadgen RU Nov",
            "created_at": "2026-11-06T11:00:00Z",
            "quality": "junk",
            "is_primary": "true",
            "stage": "junk",
            "email": "c@x.io",
        },
        {
            "lead_id": "d",
            "source": "google",
            "campaign": "",
            "utm_campaign": "21000000001",
            "created_at": "2026-11-04T09:00:00Z",
            "quality": "ok",
            "is_primary": "false",
            "stage": "IQL",
            "email": "d@x.io",
        },
        {
            "lead_id": "e",
            "source": "tilda",
            "campaign": "",
            "created_at": "2026-11-07T09:00:00Z",
            "quality": "ok",
            "is_primary": "true",
            "stage": "IQL",
            "email": "e@x.io",
        },
    ]
)


def test_cpl_arithmetic_and_joins() -> None:
    spend = pd.concat(
        [spend_of("meta_ads_spend.csv"), spend_of("google_ads_spend.csv")], ignore_index=True
    )
    report = build_report(LEADS, spend, ("source", "campaign"))
    rows = {(r["source"], r["campaign"]): r for r in report.table.to_dict("records")}
    fb = rows[("facebook", "Leadgen RU Nov")]  # Instagram and "fb" leads join Meta's spend
    assert (fb["leads"], fb["junk"], fb["valid"], fb["mql"], fb["sql"]) == (3, 1, 2, 2, 1)
    assert fb["spend"] == pytest.approx(2230.75) and fb["currency"] == "USD"
    assert fb["cpl"] == pytest.approx(2230.75 / 3)
    assert fb["cost_per_valid"] == pytest.approx(2230.75 / 2)
    assert fb["cost_per_sql"] == pytest.approx(2230.75)
    assert fb["junk_rate"] == pytest.approx(1 / 3)
    search = rows[("google", "Search RO - Servicii")]  # utm_campaign held the campaign id
    assert (search["leads"], search["unique"], search["spend"]) == (1, 0, pytest.approx(790.10))
    # spend without leads and leads without spend are both kept
    assert rows[("facebook", "Leadgen US Nov")]["leads"] == 0
    assert rows[("google", "PMax MD")]["leads"] == 0
    assert pd.isna(rows[("tilda", "(none)")]["spend"])


def test_cpl_by_ad_set_and_ad_joins_the_spend_their_reports_name() -> None:
    # Meta's spend report by ad set: its ad sets' spend joins the leads of each, names
    # compared case- and space-blind; Google's campaign-level spend cannot be split between
    # ad groups, and is shown on the campaign's "(none)" ad set, with a note.
    leads = LEADS.assign(
        adset=["Moscow 25-45", "moscow  25-45", "Moscow 25-45", "Contabilitate", ""],
        ad=["Autumn video", "Autumn video", "Carousel", "", ""],
    )
    spend = pd.concat(
        [spend_of("meta_ads_spend.csv"), spend_of("google_ads_spend.csv")], ignore_index=True
    )
    report = build_report(leads, spend, ("source", "campaign", "adset"))
    rows = {(r["source"], r["campaign"], r["adset"]): r for r in report.table.to_dict("records")}
    moscow = rows[("facebook", "Leadgen RU Nov", "Moscow 25-45")]
    assert (moscow["leads"], moscow["sql"]) == (3, 1)
    assert moscow["spend"] == pytest.approx(2230.75)
    assert moscow["cpl"] == pytest.approx(2230.75 / 3)
    assert rows[("facebook", "Leadgen US Nov", "US lookalike")]["spend"] == pytest.approx(310)
    google = rows[("google", "Search RO - Servicii", "(none)")]
    assert (google["leads"], google["spend"]) == (0, pytest.approx(790.10))
    assert rows[("google", "Search RO - Servicii", "Contabilitate")]["leads"] == 1
    assert any("without ad sets is on the (none) adset rows" in n for n in report.notes)
    by_ad = build_report(leads, None, ("ad",)).table
    assert dict(zip(by_ad["ad"], by_ad["leads"], strict=True)) == {
        "(none)": 2,
        "Autumn video": 2,
        "Carousel": 1,
    }


def test_leads_by_form_and_utm_tags_keep_spend_on_none() -> None:
    leads = LEADS.assign(
        form=["Consultation", "consultation", "Demo", "", ""],
        utm_content=["video_a", "video_a", "video_b", "", "banner"],
    )
    report = build_report(leads, spend_of("meta_ads_spend.csv"), ("form", "utm_content"))
    rows = {(r["form"], r["utm_content"]): r for r in report.table.to_dict("records")}
    assert rows[("Consultation", "video_a")]["leads"] == 2  # one form, however spelled
    assert rows[("Demo", "video_b")]["leads"] == 1
    assert rows[("(none)", "banner")]["leads"] == 1
    assert rows[("(none)", "(none)")]["spend"] == pytest.approx(2540.75)  # spend has no form
    assert parse_dimensions("Source, AdSet,utm_term") == ("source", "adset", "utm_term")
    assert parse_dimensions("ad_group,ad set") == ("adset",)  # Google's word, and spaced
    with pytest.raises(LeadtoolError, match=r"unknown dimension 'region'.*adset, ad, form"):
        parse_dimensions("region")


def test_spend_with_no_source_is_said_to_be_on_the_none_rows() -> None:
    spend = spend_of("meta_ads_spend.csv").assign(source="")
    report = build_report(LEADS, spend, ("source",))
    rows = {r["source"]: r for r in report.table.to_dict("records")}
    assert rows["(none)"]["spend"] == pytest.approx(2540.75)
    assert any(n.startswith("some spend has no source: it is on the (none)") for n in report.notes)
    assert not any("no source" in n for n in build_report(LEADS, spend, ("day",)).notes)
    sourced = build_report(LEADS, spend_of("meta_ads_spend.csv"), ("source",))
    assert not any("no source" in n for n in sourced.notes)


def test_currencies_are_never_added_without_fx() -> None:
    spend = pd.concat(
        [spend_of("meta_ads_spend.csv"), spend_of("google_ads_spend.csv")], ignore_index=True
    )
    report = build_report(LEADS, spend, ("day",))
    day4 = report.table[report.table["day"] == "2026-11-05"].iloc[0]
    assert day4["currency"] == "USD"
    total = report.views["summary"].iloc[0]
    assert pd.isna(total["spend"]) and total["currency"] == "RON 885.45; USD 2540.75"
    assert pd.isna(total["cpl"])
    assert any("several currencies" in n for n in report.notes)
    fx = build_report(LEADS, spend, ("source",), fx={"USD": 1.0, "RON": 0.2})
    total = fx.views["summary"].iloc[0]
    assert total["currency"] == "USD" and total["spend"] == pytest.approx(2540.75 + 885.45 * 0.2)


def test_outcomes_won_and_revenue() -> None:
    outcomes = pd.DataFrame(
        {"Email": ["A@x.io", "d@x.io"], "Won": ["yes", "no"], "Revenue": ["1 000,00", "0"]}
    )
    spend = spend_of("meta_ads_spend.csv")
    report = build_report(LEADS, spend, ("source",), outcomes=outcomes)
    fb = report.table[report.table["source"] == "facebook"].iloc[0]
    assert (fb["won"], fb["revenue"]) == (1, 1000.0)
    assert fb["roas"] == pytest.approx(1000 / 2540.75)
    assert fb["win_rate"] == pytest.approx(1 / 2)


@pytest.mark.parametrize(
    ("won", "expected"),
    [
        # amoCRM's stages: won, lost (its budget is no revenue), open (no outcome yet)
        ({"Этап сделки": ["Успешно реализовано", "Закрыто и не реализовано", "Переговоры"]}, 1),
        ({"Deal Stage": ["Closed Won", "Closed Lost", "Contract Sent"]}, 1),  # HubSpot
        # Pipedrive: a won deal stays in its last stage; its status says it was won
        (
            {
                "Deal - Status": ["Won", "Lost", "Open"],
                "Deal - Stage": ["Negotiations Started", "Qualified", "Contact Made"],
            },
            1,
        ),
        ({"Won": ["yes", "no", ""]}, 1),  # a plain won column: a lost deal's amount no revenue
    ],
)
def test_outcomes_of_a_deals_export_by_its_stages(won: dict[str, list[str]], expected: int) -> None:
    outcomes = pd.DataFrame(
        {"Email": ["a@x.io", "b@x.io", "d@x.io"], **won, "Бюджет ": ["1 000", "500", "700"]}
    )
    _, won_col, _ = outcomes_table(outcomes)
    assert won_col == snake_case(next(iter(won)))
    report = build_report(LEADS, None, ("source",), outcomes=outcomes)
    total = report.table[["won", "revenue"]].sum()
    assert (total["won"], total["revenue"]) == (expected, 1000.0)


def test_periods_and_medium() -> None:
    report = build_report(LEADS, None, ("week", "month"))
    assert set(report.table["week"]) == {"2026-W45"}
    assert set(report.table["month"]) == {"2026-11"}


def test_the_report_says_why_leads_were_junk_and_from_which_sources() -> None:
    # A source's junk rate says how much; the reasons say what to fix — bots on a form,
    # a partner's test leads — and where.
    leads = pd.DataFrame(
        {
            "source": ["facebook", "instagram", "tilda", "tilda", "google", "tilda"],
            "created_at": ["2026-11-05T10:00:00Z"] * 6,
            "quality": ["junk", "junk", "junk", "junk", "ok", "suspect"],
            "reasons": [
                "test_entry",
                "no_contact;test_entry",
                "too_fast;honeypot",
                "too_fast",
                "",
                "role_email",  # suspect: not junk, not counted
            ],
        }
    )
    report = build_report(leads, None, ("source",))
    reasons = report.views["junk_reasons"]
    assert reasons.to_dict("list") == {
        "reason": ["test_entry", "too_fast", "no_contact", "honeypot"],
        "junk": [2, 2, 1, 1],
        "share": [0.5, 0.5, 0.25, 0.25],
        # Meta's placements as one source, as the report joins their spend
        "sources": ["facebook 2", "tilda 2", "facebook 1", "tilda 1"],
    }
    markdown = to_markdown(report)
    assert "## Why junk" in markdown and "| test_entry | 2 | 50.0% | facebook 2 |" in markdown
    assert "<h2>Why junk</h2>" in to_html(report)
    assert "junk_reasons" in workbook_sheets(report) and '"junk_reasons"' in to_json(report)
    # Leads without clean's columns, or without junk: no such section.
    plain = build_report(leads.drop(columns=["reasons"]), None, ("source",))
    assert plain.views["junk_reasons"].empty and "Why junk" not in to_markdown(plain)
    assert "junk_reasons" not in workbook_sheets(plain)


def test_no_personal_data_in_any_rendering() -> None:
    report = build_report(LEADS, spend_of("meta_ads_spend.csv"), ("source", "campaign"))
    for text in (to_html(report), to_markdown(report)):
        assert "@x.io" not in text


def test_html_is_self_contained_with_charts() -> None:
    leads = LEADS.assign(campaign=LEADS["campaign"].replace("", "<script>alert(1)</script>"))
    html = to_html(build_report(leads, spend_of("meta_ads_spend.csv"), ("source", "campaign")))
    for chart in ("cpl-chart", "funnel-chart", "junk-chart", "daily-chart"):
        assert f'id="{chart}"' in html
    assert html.count("<rect") > 10
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert not re.search(r"(src|href)=\"https?://", html)


# --------------------------------------------------------------------------- CLI


@pytest.fixture
def qualified(run, tmp_path):
    data = run(
        "-q", "import", str(FIXTURES / "facebook_leads.tsv"), str(FIXTURES / "google_ads_leads.csv")
    ).stdout
    data = run("-q", "clean", "-", input=data).stdout
    data = run("-q", "qualify", "-", "--as-of", "2026-11-08", input=data).stdout
    path = tmp_path / "q.csv"
    path.write_text(data, encoding="utf-8")
    return path


def test_cli_spend(run, tmp_path) -> None:
    out = tmp_path / "spend.csv"
    result = run(
        "spend",
        str(FIXTURES / "meta_ads_spend.csv"),
        str(FIXTURES / "yandex_direct_spend.csv"),
        "-o",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert (
        "meta_ads_spend.csv: profile meta_ads, 3 rows, spend 2,540.75 USD "
        "(currency from spend header)" in result.stderr
    )
    assert len(pd.read_csv(out)) == 6
    assert run("spend", str(FIXTURES / "not_spend.csv")).exit_code == 1
    assert run("spend", str(FIXTURES / "vk_ads_spend.csv"), "--currency", "rubles").exit_code == 2


def test_cli_spend_says_which_rows_no_lead_or_period_can_take(run, tmp_path) -> None:
    # A Google Ads report from an account in Romanian read as a table of one's own had no
    # source, date or currency, and the summary said only the currency was missing.
    path = tmp_path / "ads.tsv"
    path.write_text(
        "Raport campanie\n1 noiembrie 2026 - 30 noiembrie 2026\n"
        "Zi\tCampanie\tCod monedă\tCost\tAfișări\tClicuri\n"
        "2026-11-03\tSearch RO\tRON\t402,10\t5120\t311\n",
        encoding="utf-8",
    )
    result = run("spend", str(path))
    assert result.exit_code == 0, result.output
    assert "profile google_ads, 1 rows, spend 402.10 RON" in result.stderr
    assert result.stdout.splitlines()[1] == "2026-11-03,google,Search RO,,,,402.10,RON,5120,311"
    own = tmp_path / "own.csv"
    own.write_text("Campaign,Spend\nLeadgen,120\nSearch,80\n", encoding="utf-8")
    result = run("spend", str(own), "--currency", "EUR")
    assert "; 2 rows with no source: give --source; 2 rows with no date" in result.stderr
    result = run("spend", str(own), "--currency", "EUR", "--source", "tiktok")
    assert "no source" not in result.stderr and "2 rows with no date" in result.stderr


@pytest.mark.parametrize(
    ("given", "code"),
    [("usd", "USD"), ("RUR", "RUB"), ("руб", "RUB"), ("€", "EUR"), ("euro", "EUR"), ("chf", "CHF")],
)
def test_spend_currency_takes_codes_and_the_words_exports_use(
    run, tmp_path, given: str, code: str
) -> None:
    # RUR, the ruble's code before 1998, is what Russian systems still write: the same
    # currency as RUB, and report would have kept the two apart.
    out = tmp_path / "spend.csv"
    vk = str(FIXTURES / "vk_ads_spend.csv")
    assert run("spend", vk, "--currency", given, "-o", str(out)).exit_code == 0
    assert pd.read_csv(out)["currency"].tolist() == [code]


@pytest.mark.parametrize("given", ["RUS", "XYZ", "DOLLARS", "rubles"])
def test_spend_currency_that_is_no_currency_is_a_usage_error(run, given: str) -> None:
    # Any three letters were taken: spend labelled "RUS" (a country) could never be
    # converted by --fx nor added to the same spend labelled RUB.
    result = run("spend", str(FIXTURES / "vk_ads_spend.csv"), "--currency", given)
    assert result.exit_code == 2
    assert "is not an ISO 4217 currency code" in " ".join(result.stderr.split())


def test_the_iso_4217_list_holds_every_currency_leadtool_names() -> None:
    codes = spend._iso_codes()
    assert len(codes) > 170 and all(re.fullmatch("[A-Z]{3}", c) for c in codes)
    assert set(load_yaml_data("spend_profiles.yml")["currencies"]) <= codes


@pytest.mark.parametrize("ext", ["csv", "json", "md", "xlsx", "html"])
def test_cli_report_formats(run, qualified, tmp_path, ext: str) -> None:
    spend = tmp_path / "spend.csv"
    run(
        "-q",
        "spend",
        str(FIXTURES / "meta_ads_spend.csv"),
        str(FIXTURES / "google_ads_spend.csv"),
        "-o",
        str(spend),
    )
    out = tmp_path / f"report.{ext}"
    result = run("report", str(qualified), "--spend", str(spend), "-o", str(out))
    assert result.exit_code == 0, result.output
    if ext == "csv":
        rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
        ru = next(r for r in rows if r["campaign"] == "Leadgen RU Nov")
        assert ru["spend"] == "2230.75" and ru["currency"] == "USD"
    elif ext == "json":
        doc = json.loads(out.read_text(encoding="utf-8"))
        assert set(doc["views"]) == {
            "by_source",
            "by_campaign",
            "by_day",
            "summary",
            "funnel",
            "junk_reasons",
        }
    elif ext == "xlsx":
        sheets = [t.sheet for t in read_tables(str(out))]
        assert {"summary", "by_source", "by_campaign", "by_day", "funnel"} <= set(sheets)
    else:
        text = out.read_text(encoding="utf-8")
        assert "Leadgen RU Nov" in text
        assert "ivan.petrov" not in text.lower()


def test_cli_report_terminal_raw_spend_and_errors(run, qualified, tmp_path) -> None:
    result = run(
        "report", str(qualified), "--spend", str(FIXTURES / "meta_ads_spend.csv"), "--by", "source"
    )
    assert result.exit_code == 0, result.output
    assert "leads by source" in result.stdout and "facebook" in result.stdout
    assert "why junk" not in result.stdout  # the reasons with -v
    verbose = run("-v", "report", str(qualified), "--by", "source")
    assert "why junk" in verbose.stdout and "test_entry" in verbose.stdout
    assert run("report", str(qualified), "--by", "planet").exit_code == 2
    twice = run("report", str(qualified), "--by", "source,Source", "-o", "-")
    assert twice.exit_code == 0 and twice.stdout.splitlines()[0].startswith("source,leads")
    assert run("report", str(qualified), "-o", str(tmp_path / "r.pdf")).exit_code == 2
    fx = tmp_path / "fx.csv"
    fx.write_text("currency,rate\nUSD,1\n", encoding="utf-8")
    result = run(
        "report", str(qualified), "--spend", str(FIXTURES / "google_ads_spend.csv"), "--fx", str(fx)
    )
    assert result.exit_code == 1 and "no rate for RON" in result.stderr


def test_cli_report_outcomes_from_a_crm_deals_export(run, tmp_path) -> None:
    # A CRM's deals export names and writes contacts its own way (amoCRM: `Рабочий email`,
    # `Рабочий телефон` as typed, `Бюджет `): its rows join the leads by the e-mail and
    # phone import would read from it, not only by columns named email and phone.
    leads = tmp_path / "qualified.csv"
    leads.write_text(
        "lead_id,source,email,phone\n"
        "bitrix24:1045,site,,+79031112233\n"
        "facebook:7,facebook,maria.ionescu@example.ro,\n"
        "facebook:8,facebook,anna@example.ru,+79261112233\n",
        encoding="utf-8",
    )
    deals = tmp_path / "deals.csv"
    deals.write_text(
        "Название сделки;Бюджет ;Этап сделки;Полное имя контакта;Рабочий телефон;Рабочий email\n"
        "Курс;45 000;Успешно реализовано;Алексей Соколов;8 (903) 111-22-33;\n"
        "Курс;30 000;Успешно реализовано;Мария Ионеску;;Maria.Ionescu@Example.ro\n"
        # a lost deal keeps its budget, and an open one has no outcome yet: neither is revenue
        "Курс;20 000;Закрыто и не реализовано;Анна;+7 926 111-22-33;\n"
        "Курс;10 000;Переговоры;Анна;;anna@example.ru\n",
        encoding="utf-8",
    )
    out = tmp_path / "report.csv"
    result = run("report", str(leads), "--outcomes", str(deals), "--by", "source", "-o", str(out))
    assert result.exit_code == 0, result.output
    report = pd.read_csv(out, dtype=str, keep_default_na=False).set_index("source")
    assert report.loc["site", ["won", "revenue"]].tolist() == ["1", "45000.00"]
    assert report.loc["facebook", ["won", "revenue"]].tolist() == ["1", "30000.00"]
    # A deal's id is not a lead's: Bitrix24 numbers deals and leads alike from 1, and deal
    # 1045 of another person is not lead bitrix24:1045.
    deals.write_text(
        "ID;Название сделки;Стадия сделки;Сумма;Ответственный;Мобильный телефон\n"
        "1045;Курс;Сделка успешна;50 000;Менеджер 1;+7 999 000-00-00\n",
        encoding="utf-8",
    )
    other = run("report", str(leads), "--outcomes", str(deals), "-o", str(out))
    assert other.exit_code == 1 and "no lead matched on lead_id, email or phone" in other.stderr


def test_cli_report_outcomes_from_a_pipedrive_deals_export(run, tmp_path) -> None:
    # Pipedrive writes "Person - Email" and "Deal - Status": import's profile finds the
    # e-mail to join on, and the status (open, won, lost) says which deals were won.
    leads = tmp_path / "qualified.csv"
    leads.write_text(
        "lead_id,source,email,phone\nfacebook:7,facebook,jonas@example.de,\n"
        "google:8,google,mia@example.de,\n",
        encoding="utf-8",
    )
    deals = tmp_path / "deals.csv"
    deals.write_text(
        "Deal - ID,Deal - Title,Deal - Value,Deal - Stage,Deal - Status,Person - Name,"
        "Person - Email\n"
        "41,Schulz deal,12000,Negotiations Started,Won,Jonas Schulz,Jonas@Example.de\n"
        "42,Weber deal,8000,Proposal Made,Open,Mia Weber,mia@example.de\n",
        encoding="utf-8",
    )
    out = tmp_path / "report.csv"
    result = run("report", str(leads), "--outcomes", str(deals), "--by", "source", "-o", str(out))
    assert result.exit_code == 0, result.output
    report = pd.read_csv(out, dtype=str, keep_default_na=False).set_index("source")
    assert report.loc["facebook", ["won", "revenue"]].tolist() == ["1", "12000.00"]
    assert report.loc["google", ["won", "revenue"]].tolist() == ["0", "0.00"]  # still open


def test_cli_report_table_piped_keeps_every_column(run, qualified, monkeypatch) -> None:
    """Piped to a file, rich would fit the table to 80 columns and crop the costs away."""
    monkeypatch.setenv("COLUMNS", "60")
    result = run("report", str(qualified), "--spend", str(FIXTURES / "meta_ads_spend.csv"))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "per SQL" in result.stdout and "Leadgen RU Nov" in result.stdout
    ru = next(line for line in lines if "Leadgen RU Nov" in line)
    assert "2230.75" in ru and "743.58" in ru and ru.endswith("│")
    assert "…" not in result.stdout


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 4),
            st.integers(0, 1),
            st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False)),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_group_sums_equal_pandas(rows: list[tuple[int, int, float | None]]) -> None:
    # Flag columns (0/1 integers), a column with no value at all (no outcomes given) and
    # revenue with gaps: each summed per group as groupby().sum(min_count=1) sums them.
    from leadtool.report import _group_sums

    groups, _ = pd.factorize(pd.Series([g for g, _, _ in rows]))
    flags = pd.DataFrame(
        {
            "leads": 1,
            "junk": [flag for _, flag, _ in rows],
            "won": np.nan,
            "revenue": [np.nan if money is None else money for _, _, money in rows],
        }
    )
    expected = flags.groupby(groups).sum(min_count=1).reset_index(drop=True)
    pd.testing.assert_frame_equal(_group_sums(flags, groups, groups.max() + 1), expected)


def test_group_keys_renumbered_before_they_could_overflow(monkeypatch) -> None:
    # The day and key columns' codes are combined into one integer; where it could outgrow
    # int64 they are renumbered first. With the limit set low, every step renumbers: the
    # groups, their order and their sums must not change.
    from leadtool import report

    leads = pd.DataFrame(
        {
            "source": ["facebook", "vk", "facebook", "google", "vk", "facebook"],
            "campaign": ["a", "b", "a", "c", "b", "d"],
            "medium": ["cpc", "", "cpc", "cpc", "", "cpc"],
            "created_at": ["2026-10-01T10:00:00Z"] * 3 + ["2026-10-02T10:00:00Z", "", "x"],
            "quality": ["ok", "junk", "ok", "ok", "ok", "ok"],
        }
    )
    expected = build_report(leads, None, ("source", "campaign"))
    monkeypatch.setattr(report, "_KEY_LIMIT", 2)
    got = build_report(leads, None, ("source", "campaign"))
    pd.testing.assert_frame_equal(got.table, expected.table)
    for name, view in expected.views.items():
        pd.testing.assert_frame_equal(got.views[name], view)


def test_days_are_counted_in_the_teams_time_zone(run, tmp_path) -> None:
    """A Moscow lead of 01:30 on the 24th is 22:30 UTC on the 23rd; the ad account counts
    its spend in Moscow days, so the lead and the day's spend meet only in Moscow time."""
    leads = pd.DataFrame(
        {
            "lead_id": ["a", "b", "c"],
            "source": ["facebook"] * 3,
            "created_at": ["2026-11-23T22:30:00Z", "2026-11-23T10:00:00Z", "2026-03-28T21:30:00Z"],
            "quality": ["ok"] * 3,
            "stage": ["MQL", "IQL", "SQL"],
        }
    )
    spend = pd.DataFrame(
        {
            "date": ["2026-11-24"],
            "source": ["facebook"],
            "campaign": [""],
            "campaign_id": [""],
            "spend": ["100"],
            "currency": ["USD"],
        }
    )

    def by_day(timezone: str | None) -> dict[str, tuple[int, float]]:
        table = build_report(leads, spend, ("day",), timezone=timezone).table
        return {r.day: (int(r.leads), r.cpl) for r in table.itertuples()}

    utc = by_day(None)
    assert utc["2026-11-23"][0] == 2 and utc["2026-11-24"][0] == 0
    moscow = by_day("Europe/Moscow")
    assert moscow["2026-11-23"][0] == 1
    assert moscow["2026-11-24"] == (1, 100.0)
    assert "2026-03-29" in moscow  # 21:30 UTC is past midnight in Moscow
    assert "2026-03-28" in by_day("America/New_York")

    path = tmp_path / "qualified.csv"
    leads.to_csv(path, index=False)
    out = tmp_path / "r.json"
    args = ["report", str(path), "--by", "day", "--timezone", "Europe/Moscow", "-o", str(out)]
    assert run(*args).exit_code == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["timezone"] == "Europe/Moscow"
    assert [r["day"] for r in doc["rows"]] == ["2026-03-29", "2026-11-23", "2026-11-24"]
    bad = run("report", str(path), "--timezone", "Mars/Base")
    assert bad.exit_code == 2 and "not an IANA time zone" in bad.stderr


@pytest.mark.parametrize(
    ("text", "end", "day"),
    [
        ("2026-11-23", False, "2026-11-23"),
        (" 2026-11-23 ", True, "2026-11-23"),
        ("2026-11", False, "2026-11-01"),
        ("2026-11", True, "2026-11-30"),
        ("2026-12", True, "2026-12-31"),
        ("2028-02", True, "2028-02-29"),
        ("2026-W47", False, "2026-11-16"),
        ("2026-w47", True, "2026-11-22"),
        ("2026W01", False, "2025-12-29"),  # ISO week 1 of 2026 starts in 2025
    ],
)
def test_a_period_is_named_by_day_month_or_week(text: str, end: bool, day: str) -> None:
    from leadtool.report import period_bound

    assert period_bound(text, end) == day


@pytest.mark.parametrize(
    ("text", "end", "day"),
    [
        ("today", False, "2026-12-01"),
        ("Yesterday", True, "2026-11-30"),
        ("7 days ago", False, "2026-11-24"),
        ("1 day ago", False, "2026-11-30"),
        ("this week", False, "2026-11-30"),  # 1 December 2026 is a Tuesday
        ("this  week", True, "2026-12-06"),
        ("last week", False, "2026-11-23"),
        ("last week", True, "2026-11-29"),
        ("this month", False, "2026-12-01"),
        ("last month", False, "2026-11-01"),
        ("last month", True, "2026-11-30"),
    ],
)
def test_a_nightly_jobs_period_is_named_from_today(text: str, end: bool, day: str) -> None:
    from leadtool.report import period_bound

    assert period_bound(text, end, today=dt.date(2026, 12, 1)) == day
    january = dt.date(2027, 1, 15)
    assert period_bound("last month", False, today=january) == "2026-12-01"


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-02-30", "2026-W54", "tomorrow", "7 weeks ago", "23.11.2026"]
)
def test_a_period_bound_that_is_no_day_is_refused(text: str) -> None:
    from leadtool.report import period_bound

    with pytest.raises(ValueError, match="is not a day, month or week"):
        period_bound(text)


def test_a_period_keeps_its_days_leads_and_spend_and_says_what_it_left_out() -> None:
    from leadtool.report import Period

    leads = pd.concat(
        [LEADS, pd.DataFrame([{"lead_id": "f", "source": "facebook", "created_at": ""}])],
        ignore_index=True,
    )
    spend = pd.DataFrame(
        {
            "date": ["2026-11-04", "2026-11-05", "2026-11-06", ""],
            "source": ["facebook"] * 4,
            "campaign": ["Leadgen RU Nov"] * 4,
            "campaign_id": [""] * 4,
            "spend": ["10", "20", "40", "80"],
            "currency": ["USD"] * 4,
        }
    )
    report = build_report(leads, spend, ("day",), period=Period("2026-11-05", "2026-11-06"))
    days = {r.day: (int(r.leads), r.spend) for r in report.table.itertuples()}
    assert days == {"2026-11-05": (2, 20.0), "2026-11-06": (1, 40.0)}
    assert report.notes[:2] == [
        "period 2026-11-05 to 2026-11-06: 3 of 6 leads (1 without a date left out)",
        "1 spend rows without a date left out of the period",
    ]
    # open at either end; in the team's time zone (10:00 UTC on the 5th is the 5th in Moscow,
    # 09:00 UTC on the 4th the 4th)
    since = build_report(
        leads, spend, ("day",), timezone="Europe/Moscow", period=Period("2026-11-06")
    )
    assert {r.day: int(r.leads) for r in since.table.itertuples()} == {
        "2026-11-06": 1,
        "2026-11-07": 1,
    }
    upto = build_report(leads, None, ("source",), period=Period(last="2026-11-04"))
    assert upto.table["leads"].sum() == 1 and upto.notes[0].startswith("period up to 2026-11-04")
    # no period: every lead, no note
    plain = build_report(leads, spend, ("day",), period=Period())
    assert plain.table["leads"].sum() == 6 and not any(n.startswith("period") for n in plain.notes)


def test_spend_of_days_without_leads_is_pointed_out() -> None:
    # A month's spend report beside a week's leads: every cost per lead several times what
    # it was. Said, with the period that compares the same days; a campaign's first quiet
    # day, or tonight's spend with its leads still to come, is no such thing.
    def spend_on(days: list[str]) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "date": days,
                "source": "facebook",
                "campaign": "Leadgen RU Nov",
                "campaign_id": "",
                "spend": "10",
                "currency": "USD",
            }
        )

    month = spend_on([f"2026-11-{d:02d}" for d in range(1, 31)])
    notes = build_report(LEADS, month).notes
    assert notes == [
        "spend on 26 days before the first lead or after the last (spend 2026-11-01 to "
        "2026-11-30, leads 2026-11-04 to 2026-11-07) is in the costs per lead: give --from "
        "2026-11-04 --to 2026-11-07 to compare the same days"
    ]
    assert build_report(LEADS, spend_on(["2026-11-03", "2026-11-05", "2026-11-08"])).notes == []
    from leadtool.report import Period

    week = build_report(LEADS, month, period=Period("2026-11-04", "2026-11-07")).notes
    assert not any(n.startswith("spend on") for n in week)
    unspent = spend_on([f"2026-11-{d:02d}" for d in range(1, 31)]).assign(spend="0")
    assert build_report(LEADS, unspent).notes == []


def test_cli_report_period(run, qualified, tmp_path) -> None:
    out = tmp_path / "r.json"
    result = run("report", str(qualified), "--from", "2026-11", "--to", "2026-11", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "note: period 2026-11-01 to 2026-11-30:" in result.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["period"] == {"from": "2026-11-01", "to": "2026-11-30"}
    assert run("report", str(qualified), "-o", str(out)).exit_code == 0
    whole = json.loads(out.read_text(encoding="utf-8"))
    assert whole["period"] == {"from": None, "to": None}
    yesterday = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).date().isoformat()
    result = run("report", str(qualified), "--from", "yesterday", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["period"]["from"] in (
        yesterday,
        (dt.date.fromisoformat(yesterday) + dt.timedelta(days=1)).isoformat(),  # past midnight
    )
    md = tmp_path / "r.md"
    assert run("report", str(qualified), "--from", "2026-W45", "-o", str(md)).exit_code == 0
    assert "Days in UTC, from 2026-11-02." in md.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-13"], "'2026-13' is not a day, month or week"),
        (["--to", "November"], "'November' is not a day, month or week"),
        (["--from", "2026-12", "--to", "2026-11"], "2026-12 is after --to 2026-11"),
    ],
)
def test_cli_report_period_errors(run, qualified, args: list[str], message: str) -> None:
    result = run("report", str(qualified), *args)
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.replace("│", " ").split())


@pytest.mark.parametrize(
    ("rates", "message"),
    [
        (
            "cur,rate\nUSD,1\n",
            "--fx: expected columns currency and rate (one unit in the base currency)",
        ),
        ("currency,rate\nUSD,abc\n", "--fx: rate 'abc' for USD is not a number"),
        ("currency,rate\nUSD,-1\n", "--fx: rate '-1' for USD must be above zero"),
        ("currency,rate\nUSD,0\n", "--fx: rate '0' for USD must be above zero"),
        ("currency,rate\nUSD,nan\n", "--fx: rate 'nan' for USD must be above zero"),
    ],
)
def test_bad_fx_rates_are_one_error_line(
    run, qualified, tmp_path, rates: str, message: str
) -> None:
    fx = tmp_path / "fx.csv"
    fx.write_text(rates, encoding="utf-8")
    result = run("report", str(qualified), "--fx", str(fx))
    named = message.replace("--fx:", f"{fx}:")  # the file, as every input error names it
    assert result.exit_code == 1 and result.stderr.strip() == f"Error: {named}"
