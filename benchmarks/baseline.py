"""The pandas script an analyst writes instead of leadtool — the baseline leadtool is
measured against. Deliberately plain: row-by-row ``apply`` with phonenumbers and
email-validator, ``drop_duplicates``, ``groupby`` for CPL.

    python benchmarks/baseline.py leads.csv spend.csv out.csv
"""

from __future__ import annotations

import sys

import pandas as pd
import phonenumbers
from email_validator import EmailNotValidError, validate_email


def phone_e164(raw: object) -> str:
    try:
        number = phonenumbers.parse(str(raw), "RU")
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def clean_email(raw: object) -> str:
    try:
        return validate_email(str(raw).strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return ""


def main(leads_path: str, spend_path: str, out_path: str) -> None:
    leads = pd.read_csv(leads_path, sep=";", dtype=str, keep_default_na=False)
    leads["phone"] = leads["Телефон"].apply(phone_e164)
    leads["email"] = leads["Email"].apply(clean_email)
    leads["date"] = pd.to_datetime(leads["Дата"], format="%d.%m.%Y %H:%M", errors="coerce")
    valid = leads[(leads["phone"] != "") | (leads["email"] != "")]
    unique = valid.drop_duplicates(subset=["phone"]).drop_duplicates(subset=["email"])
    spend = pd.read_csv(spend_path)
    per_source = unique.groupby("utm_source").size().rename("leads").reset_index()
    cost = spend.groupby("source")["spend"].sum().reset_index()
    report = per_source.merge(cost, left_on="utm_source", right_on="source", how="outer")
    report["cpl"] = report["spend"] / report["leads"]
    report.to_csv(out_path, index=False)


if __name__ == "__main__":
    main(*sys.argv[1:4])
