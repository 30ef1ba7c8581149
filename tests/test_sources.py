"""Profiles and column mapping."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
import yaml

from leadtool.errors import LeadtoolError
from leadtool.sources import (
    detect_profile,
    header_key,
    load_user_mapping,
    map_columns,
    profile_by_key,
    profiles,
    question_column,
)
from leadtool.yamltext import parse_yaml


def test_every_data_file_parses() -> None:
    data = resources.files("leadtool").joinpath("data")
    files = [p for p in data.iterdir() if p.name.endswith(".yml")]
    files += [p for p in data.joinpath("profiles").iterdir() if p.name.endswith(".yml")]
    files += [p for p in data.joinpath("rules").iterdir() if p.name.endswith(".yml")]
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert parse_yaml(text), f.name
    # The fast C parser reads every shipped file and example exactly as PyYAML's pure-Python
    # reference parser does.
    examples = Path(__file__).resolve().parent.parent / "examples"
    for f in [*files, *examples.rglob("*.yml")]:
        text = f.read_text(encoding="utf-8")
        assert parse_yaml(text) == yaml.safe_load(text), f.name
    assert {p.key for p in profiles()} >= {
        "facebook",
        "google_ads",
        "linkedin",
        "tiktok",
        "typeform",
        "google_forms",
        "tilda",
        "bitrix24",
        "amocrm",
        "hubspot",
        "xeducation",
    }


def test_header_key_ignores_case_space_punctuation() -> None:
    assert header_key("E-mail") == header_key("email") == header_key(" E_MAIL ")
    assert header_key("Бюджет ") == header_key("бюджет")


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("Phone 2", "phone"),
        ("Phone (2)", "phone"),  # how the reader names a repeated "Phone"
        ("E-mail 2", "email"),
        ("Email3", "email"),
        ("Телефон 2", "phone"),
        ("Număr de telefon 2", "phone"),
        ("Name 2", None),  # someone else's name
        ("Date 2", None),
        ("2", None),
    ],
)
def test_a_numbered_phone_or_email_header_is_another_phone_or_email(
    header: str, column: str | None
) -> None:
    headers = ["Name", "Phone", "Email", header]
    mapped = map_columns(headers, detect_profile(headers))
    assert mapped[header] == column
    assert mapped["Phone"] == "phone" and mapped["Email"] == "email"


def test_generic_synonyms_in_three_languages() -> None:
    headers = ["Nume", "Prenume", "Telefon", "Email", "Oras", "Obs"]
    assert map_columns(headers, detect_profile(headers)) == {
        "Nume": "last_name",
        "Prenume": "first_name",
        "Telefon": "phone",
        "Email": "email",
        "Oras": "city",
        "Obs": "message",
    }
    ru = ["Имя", "Телефон", "Почта", "Город", "Компания", "Комментарий", "Дата"]
    assert list(map_columns(ru, detect_profile(ru)).values()) == [
        "name",
        "phone",
        "email",
        "city",
        "company",
        "message",
        "created_at",
    ]


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("What is your email?", "email"),
        ("Your phone number", "phone"),
        ("What's your name?", "name"),
        ("Ваш номер телефона", "phone"),
        ("Как вас зовут?", "name"),
        ("Care este numele tău?", "name"),
        ("what_is_your_budget?", "budget"),
        ("Do Not Email", None),
        ("Lead Quality", None),
    ],
)
def test_question_headers(header: str, column: str | None) -> None:
    assert question_column(header) == column


def test_user_mapping_overrides_everything(tmp_path) -> None:
    path = tmp_path / "map.yml"
    path.write_text(
        "columns:\n  Номер WhatsApp: phone\n  Email: x_secondary_email\n", encoding="utf-8"
    )
    user = load_user_mapping(str(path))
    headers = ["Номер WhatsApp", "Email", "Имя"]
    assert map_columns(headers, detect_profile(headers), user) == {
        "Номер WhatsApp": "phone",
        "Email": "x_secondary_email",
        "Имя": "name",
    }


def test_user_mapping_as_csv(tmp_path) -> None:
    path = tmp_path / "map.csv"
    path.write_text("header,column\nContact cell,phone\nIgnore me,\n", encoding="utf-8")
    assert load_user_mapping(str(path)) == {"contactcell": "phone", "ignoreme": None}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Phone: telephone_number\n", "maps to unknown column 'telephone_number'"),
        ("- just\n- a list\n", "expected a mapping"),
        ("a: [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_user_mapping(tmp_path, text: str, message: str) -> None:
    path = tmp_path / "map.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LeadtoolError, match=message):
        load_user_mapping(str(path))


def test_missing_mapping_file() -> None:
    with pytest.raises(LeadtoolError, match="no such mapping file"):
        load_user_mapping("/nonexistent/map.yml")


def test_unknown_profile() -> None:
    with pytest.raises(LeadtoolError, match="unknown profile 'myspace'"):
        profile_by_key("myspace")


@pytest.mark.parametrize(
    "header",
    [
        "Время создания",
        "Дата поступления",
        "Дата обращения",
        "Created on",
        "Date added",
        "Date submitted",
        "Received at",
        "Data trimiterii",
        "Data înregistrării",
    ],
)
def test_more_spellings_of_the_date_a_lead_came(header: str) -> None:
    # A form builder's or CRM's date column that was kept as x_ and left created_at empty.
    assert map_columns([header, "Email"], detect_profile([header, "Email"]))[header] == "created_at"


def test_home_and_other_phones_and_emails_are_a_leads() -> None:
    headers = ["Name", "Home e-mail", "Other phone", "Office phone", "Alternate email"]
    assert list(map_columns(headers, detect_profile(headers)).values()) == [
        "name",
        "email",
        "phone",
        "phone",
        "email",
    ]


def test_a_pipedrive_deals_export() -> None:
    """Pipedrive heads every column "<item> - <field>": none was a synonym, and a deals
    export was "no recognizable contact or name column"."""
    headers = [
        "Deal - ID",
        "Deal - Title",
        "Deal - Value",
        "Deal - Stage",
        "Deal - Status",
        "Deal - Deal created",
        "Deal - Source origin",
        "Deal - Contact person",
        "Deal - Organization",
        "Person - Email",
        "Person - Phone",
    ]
    profile = detect_profile(headers)
    assert profile.key == "pipedrive"
    assert map_columns(headers, profile) == {
        "Deal - ID": "lead_id",
        "Deal - Title": None,
        "Deal - Value": "budget",
        "Deal - Stage": None,  # x_deal_stage and x_deal_status: crm_stage() reads them
        "Deal - Status": None,
        "Deal - Deal created": "created_at",
        "Deal - Source origin": None,  # "Web forms", "Import": not where a lead came from
        "Deal - Contact person": "name",
        "Deal - Organization": "company",
        "Person - Email": "email",
        "Person - Phone": "phone",
    }


def test_a_sheet_asking_for_a_linkedin_profile_is_no_linkedin_ads_export() -> None:
    # A webinar's sign-up sheet with a "LinkedIn Profile URL" column was LinkedIn's lead
    # export, and every lead's source linkedin, medium paid_social.
    sheet = ["First Name", "Last Name", "Email Address", "Company Name", "LinkedIn Profile URL"]
    assert detect_profile(sheet).key == "generic"
    assert detect_profile([*sheet, "Campaign Name", "Form Name"]).key == "linkedin"


def test_meta_headers_beat_generic() -> None:
    headers = ["id", "created_time", "ad_id", "form_id", "full_name", "phone_number", "email"]
    assert detect_profile(headers).key == "facebook"
    assert detect_profile(["name", "email"]).key == "generic"
