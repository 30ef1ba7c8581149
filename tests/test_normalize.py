"""Normalizers: phones, e-mails, names, dates, countries, booleans, sources, UTM."""

from __future__ import annotations

import datetime
import re
from unittest import mock

import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from leadtool import normalize as nz
from leadtool.arrowtext import INVISIBLE
from leadtool.sources import load_yaml_data


def S(*values: str) -> pd.Series:
    return pd.Series(list(values), dtype=object)


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("8 (912) 345-67-89", "RU", "+79123456789"),
        ("89123456789", "RU", "+79123456789"),
        ("79123456789", "RU", "+79123456789"),
        ("+7 912 345-67-89", None, "+79123456789"),
        ("p:+447911123456", None, "+447911123456"),
        ("0722 123 456", "RO", "+40722123456"),
        ("069 123 456", "MD", "+37369123456"),
        ("40722123456", "RU", "+40722123456"),  # country code without "+"
        ("0040 722 123 456", "RU", "+40722123456"),
        ("37369123456", None, "+37369123456"),
        ("+7 912 345-67-89 доб. 123", None, "+79123456789"),
        ("+1 650 253 0000 ext. 12", None, "+16502530000"),
        ("79161234567.0", "RU", "+79161234567"),  # a float from pandas or a spreadsheet
        ("+79161234567.00", None, "+79161234567"),
        ("9161234567.0", "RU", "+79161234567"),
        ("7.91612E+10", "RU", ""),  # Excel's display: the last digits are gone
        ("+8 (912) 345-67-89", "RU", "+79123456789"),  # the trunk 8 after a "+": no +89 code
        ("+8 912 345 67 89", "MD", ""),  # ...read under the row's region, as 8 912 … is
        ("+8 (701) 234-56-78", "KZ", ""),  # +870 is Inmarsat's: left as typed
        ("+86 10 1234 5678", None, "+861012345678"),  # China's code is one
        ("+7 916 123 45 67 (WhatsApp)", None, "+79161234567"),  # free-text phone fields
        ("8 916 123-45-67 моб.", "RU", "+79161234567"),
        ("+7 (916) 123-45-67 Иван", None, "+79161234567"),
        ("звонить после 18:00", "RU", ""),
        ("Иван 12", "RU", ""),
        ("1111111111", "RU", ""),
        ("123", "RU", ""),
        ("not a phone", "RU", ""),
        ("", "RU", ""),
    ],
)
def test_phone_to_e164(raw: str, region: str | None, e164: str) -> None:
    text = nz.clean_phone_text(S(raw))[0]
    assert nz.parse_phone_cell(text, region)[0] == e164


def test_two_numbers_in_one_cell() -> None:
    first, more = nz.parse_phone_cell("+7 916 123-45-67, 8 926 765-43-21", "RU")
    assert (first, more) == ("+79161234567", "+79267654321")
    assert nz.parse_phone_cell("8 916 123-45-67 или 8 926 765-43-21", "RU")[1] == "+79267654321"
    # Numbers among words, in one part or in each of several.
    for cell in (
        "+7 916 123 4567 whatsapp +7 926 765 4321",
        "8 916 123-45-67 (моб.), 8 926 765-43-21 (раб.)",
        "моб 89161234567; раб +7 926 765-43-21",
    ):
        assert nz.parse_phone_cell(cell, "RU") == ("+79161234567", "+79267654321"), cell


def test_phones_parsed_once_per_distinct_value(monkeypatch) -> None:
    calls: list[str] = []
    real = nz.parse_phone_cell

    def counting(text: str, region: str | None) -> tuple[str, str]:
        calls.append(text)
        return real(text, region)

    monkeypatch.setattr(nz, "parse_phone_cell", counting)
    texts = S(*(["+79161234567", "8 912 345-67-89"] * 500))
    phone, _ = nz.normalize_phones(texts, S(*(["RU"] * 1000)))
    # "+7…" is decided by the vectorized fast path; the national number once per value
    assert calls == ["8 912 345-67-89"]
    assert phone.tolist()[:2] == ["+79161234567", "+79123456789"]


def test_emails_validated_once_per_distinct_value(monkeypatch) -> None:
    calls: list[str] = []
    real = nz.validate_address
    monkeypatch.setattr(nz, "validate_address", lambda t: calls.append(t) or real(t))
    out = nz.normalize_emails(S(*([" Ann@Пример.РФ ", "mailto:bob@почта.рф", "a@b.io"] * 300)))
    assert out.tolist()[:3] == ["ann@пример.рф", "bob@почта.рф", "a@b.io"]
    assert len(calls) == 2  # the plain address never reached email-validator


@pytest.mark.parametrize(
    ("raw", "email"),
    [
        ("Ivan.Petrov@Gmail.COM", "ivan.petrov@gmail.com"),
        ("<ann@example.com>", "ann@example.com"),
        ("ann@example.com; ann2@example.com", "ann@example.com"),
        ("иван@почта.рф", "иван@почта.рф"),
        # What is typed around an address: a display name, brackets, a full stop, spaces
        # beside the @, a zero-width space copied from a page.
        ("Ivan Petrov <Ivan@Mail.ru>", "ivan@mail.ru"),
        ('"Петров, Иван" <ivan@mail.ru>', "ivan@mail.ru"),
        ("(ivan@mail.ru)", "ivan@mail.ru"),
        ("my e-mail is ivan@mail.ru.", "ivan@mail.ru"),
        ("ivan @ mail.ru", "ivan@mail.ru"),
        ("ivan@mail.ru\u200b", "ivan@mail.ru"),
        (".ivan@mail.ru", ""),  # a leading dot stays invalid: which mailbox was meant?
        ('"ivan"@mail.ru', ""),
        ("ivan@mail .ru", ""),
        ("asdf@asdf", ""),
        ("no-at-sign", ""),
        ("a@@b.com", ""),
        ("", ""),
    ],
)
def test_email(raw: str, email: str) -> None:
    assert nz.normalize_emails(S(raw))[0] == email


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("  ivan   PETROV ", "Ivan Petrov"),
        ("АННА СМИРНОВА", "Анна Смирнова"),
        ("maria ionescu", "Maria Ionescu"),
        ("john o'brien", "John O'Brien"),
        ("McDonald", "McDonald"),
        ("<test lead: dummy data for full_name>", "<test lead: dummy data for full_name>"),
        # pasted from a messenger or a right-to-left page: marks that show nothing
        ("\u200eAnna Smith\u200f", "Anna Smith"),
        ("\u202aivan\u200b petrov\u202c", "Ivan Petrov"),
        ("Zahra\u200cnejad", "Zahra\u200cnejad"),  # a joiner spells the name: kept
        # a surname in capitals, as a passport writes it, among other words
        ("ИВАНОВ иван иванович", "Иванов Иван Иванович"),
        ("Anna LEE", "Anna Lee"),
        ("DR Anna Lee", "Dr Anna Lee"),
        ("MARY-KATE o'neil", "Mary-Kate O'Neil"),
        ("John Smith III", "John Smith III"),  # a Roman numeral stays
        ("Ludwig van Beethoven", "Ludwig van Beethoven"),  # no word in capitals: as typed
        ("McDONALD Ronald", "McDONALD Ronald"),  # mixed within the word: as typed
    ],
)
def test_names(raw: str, name: str) -> None:
    assert nz.normalize_names(S(raw))[0] == name


def test_split_full_names_knows_russian_order() -> None:
    first, last = nz.split_full_names(
        S("Ivan Petrov", "Иванов Иван Иванович", "Cher", "Ana Maria Pop")
    )
    assert first.tolist() == ["Ivan", "Иван", "Cher", "Ana"]
    assert last.tolist() == ["Petrov", "Иванов", "", "Maria Pop"]


@pytest.mark.parametrize(
    ("name", "first", "last"),
    [
        ("Smith, John", "John", "Smith"),  # CRM and HR exports: surname first, a comma
        ("Pop, Ana Maria", "Ana Maria", "Pop"),
        ("Петрова, Анна Сергеевна", "Анна", "Петрова"),
        ("Mr. John Smith", "John", "Smith"),  # titles are not first names
        ("dr Anna Lee", "Anna", "Lee"),
        ("г-н Иван Петров", "Иван", "Петров"),
        ("Mr", "Mr", ""),  # a title alone is what there is
        ("Анна Сергеевна Петрова", "Анна", "Петрова"),  # Имя Отчество Фамилия
        ("Мария Ивановна", "Мария", ""),  # Имя Отчество: no surname given
        ("Роман Абрамович", "Роман", "Абрамович"),  # a man's patronymic is also a surname
        ("Иван (менеджер)", "Иван", ""),  # a remark in brackets
        ("Smith, John, Jr", "Smith", "John Jr"),  # two commas: the words in order
        # Surname first, as Russian, Ukrainian and Romanian forms often have it:
        ("Иванов Иван", "Иван", "Иванов"),
        ("Иванова Мария", "Мария", "Иванова"),
        ("Шевченко Олена", "Олена", "Шевченко"),
        ("Popescu Ion", "Ion", "Popescu"),
        ("Петров-Водкин Кузьма", "Кузьма", "Петров-Водкин"),
        ("г-н Иванов Иван", "Иван", "Иванов"),
        # ...but a first name that ends as a surname does, or two words that both do,
        # or a patronymic after it, is left as written:
        ("Кристина Ким", "Кристина", "Ким"),
        ("Валентин Цой", "Валентин", "Цой"),
        ("Ирина Иванова", "Ирина", "Иванова"),
        ("Петров Иванович", "Петров", "Иванович"),
        ("Kevin Ivanov", "Kevin", "Ivanov"),  # Latin letters: as written
        ("Иванов 2", "Иванов", "2"),
        # A title before one word: the surname ("Mr Smith", "г-жа Петрова").
        ("Mr Smith", "", "Smith"),
        ("Госпожа Петрова", "", "Петрова"),
    ],
)
def test_full_names_split_in_every_order_exports_write(name: str, first: str, last: str) -> None:
    # Both ways a name is split: Arrow's for tidy names, _split_name for the rest.
    tidy, firsts, lasts = nz.normalize_full_names(S(name, name.upper()))
    assert firsts.tolist() == [first, first.title()]
    assert lasts.tolist() == [last, last.title()]
    assert tidy[0] == name


@pytest.mark.parametrize(
    ("raw", "tz", "region", "iso"),
    [
        ("2025-09-12T15:05:13+05:30", "UTC", None, "2025-09-12T09:35:13Z"),
        ("2026-11-05T16:05:21Z", "Europe/Moscow", None, "2026-11-05T16:05:21Z"),
        ("2026-11-05 16:05:21", "UTC", None, "2026-11-05T16:05:21Z"),
        ("2026-11-05 16:05:21", "Europe/Moscow", None, "2026-11-05T13:05:21Z"),
        ("05.11.2026 16:05", "UTC", None, "2026-11-05T16:05:00Z"),
        ("05.11.2026", "Europe/Chisinau", None, "2026-11-04T22:00:00Z"),
        ("5.11.26 9:05:07", "UTC", None, "2026-11-05T09:05:07Z"),
        ("11/5/2026 4:05:21 PM", "UTC", "US", "2026-11-05T16:05:21Z"),
        ("11/5/2026", "UTC", "GB", "2026-05-11T00:00:00Z"),
        ("45658", "UTC", None, "2025-01-01T00:00:00Z"),
        ("46000.5", "UTC", None, "2025-12-09T12:00:00Z"),
        ("46000,5", "Europe/Moscow", None, "2025-12-09T09:00:00Z"),  # a Russian Excel's comma
        ("Nov 5, 2026 4:05 PM", "UTC", None, "2026-11-05T16:05:00Z"),
        ("2026/11/05 16:05", "Europe/Moscow", "US", "2026-11-05T13:05:00Z"),  # year first
        ("2026.1.5", "UTC", None, "2026-01-05T00:00:00Z"),
        ("23 ноября 2026 г.", "Europe/Moscow", None, "2026-11-22T21:00:00Z"),
        ("понедельник, 23 ноября 2026 г. 10:00", "UTC", None, "2026-11-23T10:00:00Z"),
        ("23 нояб. 2026 10:00", "UTC", None, "2026-11-23T10:00:00Z"),
        ("23 листопада 2026 р.", "UTC", None, "2026-11-23T00:00:00Z"),
        ("joi, 23 NOIEMBRIE 2026", "UTC", None, "2026-11-23T00:00:00Z"),
        ("1763892000", "Europe/Moscow", None, "2025-11-23T10:00:00Z"),  # Unix time: UTC
        ("1763892000123", "UTC", None, "2025-11-23T10:00:00Z"),
        ("20261123", "Europe/Moscow", None, "2026-11-22T21:00:00Z"),  # ISO 8601, basic
        ("20261123T100000Z", "Europe/Moscow", None, "2026-11-23T10:00:00Z"),
        ("20261123T1000+0300", "UTC", None, "2026-11-23T07:00:00Z"),
        ("20261123 100000.5", "UTC", None, "2026-11-23T10:00:00Z"),
        # Zones in words: the offset they say, whatever --timezone is
        (
            "Mon Nov 23 2026 10:00:00 GMT+0300 (Moscow Standard Time)",
            "UTC",
            None,
            "2026-11-23T07:00:00Z",
        ),
        ("2026-11-23T10:00:00 GMT+3", "America/New_York", None, "2026-11-23T07:00:00Z"),
        ("2026-11-23 10:00 UTC-5", "UTC", None, "2026-11-23T15:00:00Z"),
        ("05.11.2026 10:00 МСК", "UTC", "US", "2026-11-05T07:00:00Z"),  # still day first
        ("23.11.2026 10:00 (мск+2)", "UTC", None, "2026-11-23T05:00:00Z"),
        ("2026-07-01 10:00 EEST", "UTC", None, "2026-07-01T07:00:00Z"),
        ("23.11.2026 в 10:00", "Europe/Moscow", None, "2026-11-23T07:00:00Z"),
        ("23 ноября 2026 в 10:00", "UTC", None, "2026-11-23T10:00:00Z"),
        ("23.11.2026 la ora 10:00", "UTC", None, "2026-11-23T10:00:00Z"),
    ],
)
def test_dates(raw: str, tz: str, region: str | None, iso: str) -> None:
    out, failed = nz.normalize_dates(S(raw), tz, region)
    assert out[0] == iso
    assert not failed[0]


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2026-11-23 10:00:00+03", "2026-11-23T07:00:00Z"),  # PostgreSQL's timestamptz
        ("2026-11-23 10:00:00.5-05", "2026-11-23T15:00:00Z"),
        ("2026-11-23T10:00:00 +03:00", "2026-11-23T07:00:00Z"),
    ],
)
def test_iso_offsets_of_every_shape_beside_naive_times(raw: str, iso: str) -> None:
    """An offset of hours alone, among naive times, made pandas refuse the whole batch
    ("Mixed timezones detected"): the import stopped with an unexpected error."""
    out, failed = nz.normalize_dates(S(raw, "2026-11-23 10:00:00"), "Europe/Moscow")
    assert out.tolist() == [iso, "2026-11-23T07:00:00Z"] and not failed.any()


def test_an_offset_pandas_sees_among_naive_times_is_left_to_the_next_parser(monkeypatch) -> None:
    # Were an offset's shape missed, the naive batch would hold an aware time: read one by
    # one then, and the aware one by a later parser, never a crash.
    monkeypatch.setattr(nz, "_ISO_TZ_RE2", "^$")
    monkeypatch.setattr(nz, "_ISO_TZ", re.compile("^$"))
    out, failed = nz.normalize_dates(S("2026-11-23T10:00:00+03:00", "2026-11-23 10:00"), "UTC")
    assert out.tolist() == ["2026-11-23T07:00:00Z", "2026-11-23T10:00:00Z"]
    assert not failed.any()


@pytest.mark.parametrize(
    ("typed", "address"),
    [
        ("ivan@mail,ru", "ivan@mail.ru"),
        ("ivan@gmail..com", "ivan@gmail.com"),
        ("ivan@@mail.ru", "ivan@mail.ru"),
        ("ivan@gmail.com/", "ivan@gmail.com"),
        ("ivan @ gmail . com", "ivan@gmail.com"),
        ("ivan[at]gmail[dot]com", "ivan@gmail.com"),
        ("ivan (собака) mail.ru", "ivan@mail.ru"),
        ("ivan at gmail dot com", "ivan@gmail.com"),
        ("Иван ivan@mail,ru", "ivan@mail.ru"),
        ("ivan.@mail.ru", ""),  # the local part: never guessed
        ("ivan@gmail", ""),  # no top-level domain: not guessed
        ("ivan@mailru", ""),
        ("call me at 5 pm", ""),
        ("a@b@c.ru", ""),
        ("", ""),
    ],
)
def test_repair_email(typed: str, address: str) -> None:
    assert nz.repair_email(typed) == address


def test_day_first_decided_by_the_column() -> None:
    out, _ = nz.normalize_dates(S("03/04/2026", "25/04/2026"), "UTC", "US")
    assert out.tolist() == ["2026-04-03T00:00:00Z", "2026-04-25T00:00:00Z"]
    out, _ = nz.normalize_dates(S("03/04/2026", "04/25/2026"), "UTC", None)
    assert out.tolist() == ["2026-03-04T00:00:00Z", "2026-04-25T00:00:00Z"]


def test_unparseable_dates_are_flagged() -> None:
    out, failed = nz.normalize_dates(S("yesterday", "", "32.13.2026", "2026/13/01"), "UTC")
    assert out.tolist() == ["", "", "", ""]
    assert failed.tolist() == [True, False, True, True]


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("India", "IN"),
        ("Россия", "RU"),
        ("România", "RO"),
        ("Republic of Moldova", "MD"),
        ("USA", "US"),
        ("de", "DE"),
        ("United Kingdom", "GB"),
        ("unknown", ""),
    ],
)
def test_countries(raw: str, code: str) -> None:
    assert nz.country_code(raw) == code


def test_bools() -> None:
    assert nz.normalize_bools(S("Yes", "0", "Да", "nu", "maybe", "")).tolist() == [
        "true",
        "false",
        "true",
        "false",
        "maybe",
        "",
    ]


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Facebook Ads", "facebook"),
        ("ig", "instagram"),
        ("Яндекс.Директ", "yandex"),
        ("VK", "vk"),
        ("Olark Chat", "olark_chat"),
        ("Звонок", "call"),  # Bitrix24's standard sources
        ("Реклама", "advertising"),
        ("По рекомендации", "referral"),
        ("CRM-форма", "site"),
        ("", ""),
        # Hosts, as referers and trackers give sources: each country's Google is Google.
        ("www.google.com", "google"),
        ("google.ru", "google"),
        ("google.co.uk", "google"),
        ("yandex.com.tr", "yandex"),
        ("https://away.vk.com/away.php?to=x", "vk"),
        ("lm.facebook.com", "facebook"),
        ("m.youtube.com", "youtube"),
        ("ok.ru", "ok"),
        ("t.co", "twitter"),
        ("call.ru", "call_ru"),  # a site's name, not Bitrix24's "call" source
        ("www.example-blog.com", "www_example_blog_com"),
        # A platform and its placement.
        ("fb_ads", "facebook"),
        ("Instagram Stories", "instagram"),
        ("yandex_search", "yandex"),
        ("Яндекс Директ РСЯ", "yandex"),
        ("tg_ads", "telegram"),
        ("vk_group", "vk"),
        ("youtubechannel", "youtube"),  # X Education's Lead Source
        ("Telegram channel", "telegram"),
        ("email_newsletter", "email"),
        ("google_sheet", "google_sheet"),  # not a placement: a slug, as before
        ("facebook_instagram", "facebook_instagram"),  # two platforms: neither
        # Platforms of their own.
        ("Одноклассники", "ok"),
        ("Microsoft Ads", "bing"),
        ("Авито", "avito"),
        ("WhatsApp", "whatsapp"),
        # Salesforce's and Zoho's standard lead sources, as Bitrix24's are read
        ("Web", "site"),
        ("Advertisement", "advertising"),
        ("Partner Referral", "referral"),
        ("Phone Inquiry", "call"),
        ("Trade Show", "trade_show"),
        ("Purchased List", "purchased_list"),
    ],
)
def test_source_keys(raw: str, key: str) -> None:
    assert nz.source_key(raw) == key


def test_utm_from_urls() -> None:
    cols = nz.utm_columns(
        S("https://x.example/?utm_source=vk&utm_campaign=spring%20sale", "", "::")
    )
    assert cols["utm_source"].tolist() == ["vk", "", ""]
    assert cols["utm_campaign"].tolist() == ["spring sale", "", ""]


def test_infer_region_from_national_numbers() -> None:
    cands = ["RU", "RO", "MD", "US"]
    assert nz.infer_phone_region(["0722 123 456", "0745 987 654", "0733 111 222"], cands) == "RO"
    assert nz.infer_phone_region(["8 912 345-67-89", "8 926 111-22-33"], cands) == "RU"
    assert nz.infer_phone_region(["+40722123456"], cands) is None
    # A column is read the same (Arrow picks the texts that may be national ones).
    column = pd.Series(["+40722123456", "0722 123 456", "0745 987 654", "0733 111 222"])
    assert nz.infer_phone_region(column, cands) == "RO"


def test_infer_region_by_how_the_numbers_are_written() -> None:
    """Validity alone chose the numbering plan that takes the most lengths: a US file's
    ``(415) 555-0132`` and an Indian ``098765 43211`` are German numbers too, and became
    ``+49…``. A number that may be a mobile, and one grouped as its region writes it, count
    more."""
    cands = load_yaml_data("regions.yml")["candidates"]
    assert nz.infer_phone_region(["(415) 555-0132", "5555555555"], cands) == "US"
    assert nz.infer_phone_region(["4155550132"], cands) == "US"  # a mobile there, in RU not
    assert nz.infer_phone_region(["030 12345678"], cands) == "DE"  # Berlin's 030, as GB's 0301
    assert nz.infer_phone_region(["098765 43211"], cands) == "IN"
    assert nz.infer_phone_region(["06 12 34 56 78"], cands) == "FR"
    assert nz.infer_phone_region(["0532 123 45 67"], cands) == "TR"
    # What the first candidates had still goes to them.
    assert nz.infer_phone_region(["9123456789", "89261112233"], cands) == "RU"
    assert nz.infer_phone_region(["8 (495) 123-45-67"], cands) == "RU"
    assert nz.infer_phone_region(["0722 123 456"], cands) == "RO"
    assert nz.infer_phone_region(["067 123 4567"], cands) == "UA"


def test_region_evidence_reads_the_digits_as_phonenumbers_reads_the_text() -> None:
    """infer_phone_region parses a number's digits once stripped of spaces, brackets,
    dashes and dots, and takes number_type's UNKNOWN for invalid: the same evidence as
    parsing the text itself and asking is_valid_number, in every candidate region."""
    import random

    def reference(text: str, region: str) -> int:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            return 0
        if not phonenumbers.is_valid_number(number):
            return 0
        evidence = 1 + (phonenumbers.number_type(number) in nz._MOBILE_TYPES)
        groups = [len(g) for g in re.findall(r"\d+", text)]
        if len(groups) > 1:
            national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
            evidence += groups == [len(g) for g in re.findall(r"\d+", national)]
        return evidence

    cands = load_yaml_data("regions.yml")["candidates"]
    rng = random.Random(7)
    texts = []
    for region in cands:  # each region's own numbers, as it writes them
        for kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE):
            example = phonenumbers.example_number_for_type(region, kind)
            if example:
                texts.append(
                    phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
                )
    for _ in range(150):  # and digits in any grouping
        digits = rng.choice(["0", "8", "9", "1", "00"]) + "".join(
            rng.choice("0123456789") for _ in range(rng.randint(5, 11))
        )
        texts.append(
            "".join(d + (rng.choice(" -.()") if rng.random() < 0.3 else "") for d in digits)
        )
    for text in texts:
        plain = nz._as_parsed(text)
        for region in cands:
            assert nz._region_evidence(text, plain, region) == reference(text, region), (
                text,
                region,
            )


def _national(t: str) -> bool:  # infer_phone_region's own test: a national number in t
    return any(nz._is_national(part) for part in nz.split_numbers(t))


def test_infer_region_from_cells_of_two_numbers() -> None:
    # CRM exports write a contact's phones in one cell; a file of such cells alone (a
    # single lead, or a column that holds only them) had no national number to go by.
    cands = ["RU", "RO", "MD", "US"]
    for cell in (
        "8 (912) 385-27-19, 8 926 765-43-21",
        "+7 912 385-27-19 или 8 926 765-43-21",
        "89123852719/89267654321",
    ):
        assert nz.infer_phone_region(pd.Series([cell]), cands) == "RU", cell
    assert nz.infer_phone_region(pd.Series(["0722 123 456; 0745 987 654"]), cands) == "RO"
    # Two international numbers are still no national one.
    assert nz.infer_phone_region(pd.Series(["+40722123456, +79123852719"]), cands) is None


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(  # characters, and the words that split a cell in two ("ſ" folds to "s")
            st.sampled_from(
                [*"0123456789+ -()\t\xa0\x1c\u0663\u096ax,;/\n", " или ", " OR ", " ſau "]
            ),
            max_size=30,
        ).map("".join),
        max_size=40,
    )
)
def test_maybe_national_keeps_every_national_text_in_order(texts: list[str]) -> None:
    # Arrow's prefilter may keep texts Python then refuses, never drop one it keeps; and the
    # distinct texts come in order of first appearance, as dict.fromkeys gives them.
    expected = [t for t in dict.fromkeys(texts) if _national(t)]
    for rows_at_once in (3, 50_000):  # slices of a column, and the column at once
        column = pd.Series(texts, dtype="str")
        picked = [t for t in nz._maybe_national(column, rows_at_once) if _national(t)]
        assert picked == expected


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["RU", "RO", "MD", "US", "GB", "DE"]), st.integers(0, 10**12))
def test_e164_output_is_what_phonenumbers_says(region: str, seed: int) -> None:
    """Any number we output is valid E.164 that phonenumbers formats back to itself."""
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    assert example is not None
    national = str(example.national_number)
    digits = str(seed).zfill(len(national))[-len(national) :]
    candidate = national[: max(1, len(national) - 4)] + digits[-4:]
    e164 = nz.parse_phone(candidate, region)
    if e164:
        parsed = phonenumbers.parse(e164)
        assert phonenumbers.is_valid_number(parsed)
        assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == e164


def test_process_pool_gives_the_same_answers(monkeypatch) -> None:
    """--jobs spreads the per-value work over processes; results must not change."""
    monkeypatch.setattr(nz, "POOL_MIN_VALUES", 50)
    pooled_calls = []
    real_pool_map = nz._pool_map

    def counted(func, values, jobs):
        pooled_calls.append(len(values))
        return real_pool_map(func, values, jobs)

    monkeypatch.setattr(nz, "_pool_map", counted)
    # Extensions: phones the fast paths leave to phonenumbers.
    texts = S(*[f"8 912 {i:03d}-{i % 100:02d}-{(i * 7) % 100:02d} доб. {i}" for i in range(300)])
    regions = S(*(["RU"] * 300))
    single = nz.normalize_phones(nz.clean_phone_text(texts), regions, jobs=1)
    pooled = nz.normalize_phones(nz.clean_phone_text(texts), regions, jobs=2)
    assert [s.tolist() for s in single] == [p.tolist() for p in pooled]
    assert single[0][7] == "+79120070749"
    emails = S(*[f"user{i}@почта.рф" for i in range(300)])
    assert nz.normalize_emails(emails, jobs=2).tolist() == nz.normalize_emails(emails).tolist()
    assert pooled_calls == [300, 300]  # the phones once, the e-mails once; not with jobs=1
    assert nz.resolve_jobs(0) >= 1 and nz.resolve_jobs(3) == 3


def test_import_with_jobs_uses_the_pool_beside_its_threads(monkeypatch) -> None:
    # The phones are normalized on a thread of import's; their pool is started from there
    # (by a fork server: forking a process that runs threads is unsafe).
    from leadtool.importer import ImportOptions, import_table
    from leadtool.io import Table

    monkeypatch.setattr(nz, "POOL_MIN_VALUES", 50)
    pooled_calls = []
    real_pool_map = nz._pool_map

    def counted(func, values, jobs):
        pooled_calls.append(func.__name__)
        return real_pool_map(func, values, jobs)

    monkeypatch.setattr(nz, "_pool_map", counted)
    data = pd.DataFrame(
        {
            "Имя": [f"Иван {i}" for i in range(200)],
            "Телефон": [f"8 912 {i:03d}-00-00 доб. {i}" for i in range(200)],
            "Email": [f"u{i}@почта.рф" for i in range(200)],
        },
        dtype="str",
    )
    table = Table("form.csv", "form.csv", data, list(range(1, 201)), [""] * 200, [""] * 200)
    single, _ = import_table(table, ImportOptions(jobs=1))
    pooled, _ = import_table(table, ImportOptions(jobs=2))
    pd.testing.assert_frame_equal(single, pooled)
    assert pooled["phone"].iloc[7] == "+79120070000"
    assert sorted(pooled_calls) == ["_parse_phone_key", "validate_address"]


def test_space_class_is_what_python_calls_whitespace() -> None:
    # Patterns spell whitespace out (so pandas can run them in Arrow); they must mean \s.
    from leadtool.arrowtext import SPACE

    every = {chr(c) for c in range(0x110000) if re.fullmatch(r"\s", chr(c))}
    assert set(SPACE) == every and "\\" not in SPACE


def _pandas_stamps(text: pd.Series) -> pd.Series:
    return pd.to_datetime(text.replace("", None), utc=True, errors="coerce")


_STAMP_CELL = st.one_of(
    st.just(""),
    st.datetimes(
        min_value=pd.Timestamp("1678-01-01").to_pydatetime(),
        max_value=pd.Timestamp("2261-12-31").to_pydatetime(),
    ).map(lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")),
    # canonical in shape, not always a real date or time: 2026-02-30, 24:00:00, year 2262
    st.tuples(
        st.integers(1670, 2270),
        st.integers(0, 13),
        st.integers(0, 32),
        st.integers(0, 24),
        st.integers(0, 60),
        st.integers(0, 60),
    ).map(lambda t: "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z".format(*t)),
    # not canonical: other separators, offsets, fractions, text
    st.sampled_from(
        ["2026-10-01 10:00:00Z", "2026-10-01T10:00:00+03:00", "2026-10-01T10:00:00.5Z", "x"]
    ),
)


@pytest.mark.filterwarnings("ignore:Could not infer format")
@settings(max_examples=300, deadline=None)
@given(st.lists(_STAMP_CELL, min_size=1, max_size=6))
def test_parse_stamps_fast_path_agrees_with_pandas(cells: list[str]) -> None:
    text = pd.Series(cells, dtype="str", index=range(10, 10 + len(cells)))
    got, want = nz.parse_stamps(text), _pandas_stamps(text)
    pd.testing.assert_series_equal(got, want)


@pytest.mark.filterwarnings("ignore:Could not infer format")
@pytest.mark.parametrize(
    "edge",
    [
        "2026-13-01T00:00:00Z",
        "2026-00-10T00:00:00Z",
        "2026-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z",
        "2000-02-29T00:00:00Z",
        "2026-04-31T00:00:00Z",
        "2026-12-31T24:00:00Z",
        "2026-12-31T23:60:00Z",
        "2026-12-31T23:59:60Z",
        "1677-12-31T23:59:59Z",
        "2262-01-01T00:00:00Z",
        "2026-1O-01T00:00:00Z",
    ],
)
def test_parse_stamps_edges_agree_with_pandas(edge: str) -> None:
    text = pd.Series(["2026-10-01T10:00:00Z", edge, ""], dtype="str")
    pd.testing.assert_series_equal(nz.parse_stamps(text), _pandas_stamps(text))


def test_parse_stamps_reads_canonical_columns_without_pandas(monkeypatch) -> None:
    # The fast path must be the one taken for leadtool's own files (not a silent fallback).
    def refuse(*args, **kwargs):
        raise AssertionError("pandas parser called")

    monkeypatch.setattr(nz.pd, "to_datetime", refuse)
    nz._stamp_dtype()  # (cached: its own pandas call is not the column's)
    text = pd.Series(["2024-02-29T23:59:59Z", "", "1970-01-01T00:00:00Z"], dtype="str")
    got = nz.parse_stamps(text)
    assert got.iloc[0] == pd.Timestamp("2024-02-29T23:59:59Z") and pd.isna(got.iloc[1])
    assert got.iloc[2].value == 0


# Dates as exports write them, and near misses: both separators, one or two digit parts,
# 12/24-hour times, fractions, and characters where Python's re and Arrow's RE2 differ
# (Arabic-Indic digits, Unicode and \x1c-\x1f whitespace, a trailing newline).
_DMY_CELL = (
    st.lists(
        st.sampled_from(
            list("0123456789") * 4
            + list("./-: T,") * 2
            + ["AM", "pm", "\u00a0", "\x1c", "\n", "٣", "x"]
        ),
        max_size=16,
    ).map("".join)
    | st.tuples(
        st.integers(0, 40),
        st.sampled_from("./-"),
        st.integers(0, 13),
        st.sampled_from("./-"),
        st.integers(0, 2100),
        st.sampled_from(
            ["", " 9:05", " 23:59:59", "T10:11", " 12:00:00.25 AM", ", 7:30pm", " 1:2"]
        ),
    ).map(lambda t: f"{t[0]}{t[1]}{t[2]}{t[3]}{t[4]}{t[5]}")
    | st.tuples(
        # the fixed shapes read from their bytes (DD.MM.YYYY[ HH:MM[:SS]]), and near misses
        st.sampled_from(["05.11.2026", "31/12/1999", "01-02-0003", "5.11.2026 ", "05.11.26"]),
        st.sampled_from(["", " 09:05", "T23:59", ",00:00:59", " 24:61:99", " 9:05", "  10:00"]),
        st.integers(0, 18),
        st.sampled_from(["", "x", ".", ":", " ", "-", "/", "0", "٣"]),
    ).map(lambda t: (t[0] + t[1])[: t[2]] + t[3] + (t[0] + t[1])[t[2] + 1 :])
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_DMY_CELL, min_size=1, max_size=8, unique=True))
def test_dmy_fields_on_arrow_agree_with_python_re(cells: list[str]) -> None:
    matched, fields = nz._dmy_fields(pa.array(cells, pa.large_string()))
    for i, cell in enumerate(cells):
        match = nz._DMY.match(cell)
        assert matched[i] == (match is not None), cell
        if match:
            numbers = [int(match[name] or 0) for name in ("a", "b", "y", "H", "M", "S")]
            numbers[2] += 2000 if len(match["y"]) <= 2 else 0
            assert [int(fields[name][i]) for name in ("a", "b", "y", "H", "M", "S")] == numbers
            assert fields["slash"][i] == (match["sep"] == "/")
            assert fields["pm"][i] == {"AM": 1, "PM": 2}.get((match["ampm"] or "").upper(), 0)


def test_dmy_fields_take_arrow_for_plain_dates(monkeypatch) -> None:
    # The RE2 path must be the one taken for ASCII dates (not a silent fallback).
    class Refuse:
        def match(self, value: str) -> None:
            raise AssertionError("Python's re called")

    monkeypatch.setattr(nz, "_DMY", Refuse())
    values = pa.array(["02.09.2026 08:25", "1/2/26 3:04 PM", "31-12-2025", "x"], pa.large_string())
    matched, fields = nz._dmy_fields(values)
    assert matched.tolist() == [True, True, True, False]
    assert [int(fields[k][1]) for k in ("a", "b", "y", "H", "M", "S", "pm")] == [
        1,
        2,
        2026,
        3,
        4,
        0,
        2,
    ]
    assert bool(fields["slash"][1]) and not fields["slash"][2]


def _one_stamp(stamp: pd.Timestamp | None) -> str:
    """The canonical text of an aware time, or "" where none or out of pandas' range."""
    if stamp is None or pd.isna(stamp):
        return ""
    stamp = stamp.tz_convert("UTC")
    if not pd.Timestamp.min.tz_localize("UTC") <= stamp <= pd.Timestamp.max.tz_localize("UTC"):
        return ""
    return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")


def _local(naive: pd.Timestamp, tz: str) -> pd.Timestamp:
    return naive.tz_localize(tz, ambiguous=False, nonexistent="shift_forward")


_YMD = re.compile(
    r"^(?P<y>[0-9]{4})(?P<sep>[/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})"
    r"(?:[ T,]+(?P<H>[0-9]{1,2}):(?P<M>[0-9]{2})(?::(?P<S>[0-9]{2}))?(?:\.[0-9]+)?)?$"
)


_REF_ZONES = {"UTC": 0, "GMT": 0, "MSK": 3, "МСК": 3, "EET": 2, "EEST": 3, "CET": 1, "EST": -5}
_REF_ZONE = re.compile(
    r"(.*?)[\s,]*\(?\s*(?:(?:GMT|UTC)\s*([+-])\s*(\d{1,2}):?(\d{2})?"
    rf"|({'|'.join(_REF_ZONES)})(?:\s*([+-])\s*(\d{{1,2}}))?)\s*\)?(?:\s*\([^)]*\))?\s*",
    re.IGNORECASE,
)


def _worded_date(value: str) -> tuple[str, int | None] | None:
    """(the date without its words, the zone's seconds east of UTC or None), for a value
    with a zone in words or "в" / "la" before its time; None for any other value."""
    plain = re.sub(r"(\d)[\s,]+(?:в|la ora|la|at)\s+(\d{1,2}[:.]\d\d)", r"\1 \2", value)
    match = _REF_ZONE.fullmatch(plain)
    if match is None:
        return (plain, None) if plain != value else None
    body, sign, hours, minutes, name, rel_sign, rel = match.groups()
    if name is not None:
        shift = int(rel or 0) * (-1 if rel_sign == "-" else 1)
        return body, (_REF_ZONES[name.upper()] + shift) * 3600
    east = int(hours) * 3600 + int(minutes or 0) * 60
    return body, -east if sign == "-" else east


_BASIC = re.compile(
    r"(\d{4})(\d{2})(\d{2})(?:[T ](\d{2})(\d{2})(\d{2}(?:[.,]\d+)?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?"
)


def _one_date(value: str, tz: str, month_first: bool, worded_first: bool | None = None) -> str:
    """What normalize_dates gives one value, value by value, in plain Python and pandas.
    ``worded_first``: whether the dates with words read month first (decided over those
    alone, as their day and month order is), else as ``month_first``."""
    if not value:
        return ""
    if nz._ISO.match(value):
        aware = bool(nz._ISO_TZ.search(value))
        stamp = pd.to_datetime(pd.Series([value]), format="ISO8601", utc=aware, errors="coerce")[0]
        found = _one_stamp(stamp if aware or pd.isna(stamp) else _local(stamp, tz))
        if found:
            return found
    if match := nz._DMY.match(value):
        a, b, y, hour, minute, second = (int(match[k] or 0) for k in ("a", "b", "y", "H", "M", "S"))
        day, month = (b, a) if month_first else (a, b)
        year = y + 2000 if len(match["y"]) <= 2 else y
        ampm = (match["ampm"] or "").upper()
        hour = (
            hour + 12 if ampm == "PM" and hour < 12 else 0 if ampm == "AM" and hour == 12 else hour
        )
        try:
            naive = pd.Timestamp(datetime.datetime(year, month, day, hour, minute, second))
        except ValueError:
            naive = None
        if naive is not None and (found := _one_stamp(_local(naive, tz))):
            return found
    if match := _YMD.match(value):  # the year first: always year, month, day
        year, month, day = (int(match[k]) for k in ("y", "m", "d"))
        hour, minute, second = (int(match[k] or 0) for k in ("H", "M", "S"))
        try:
            naive = pd.Timestamp(datetime.datetime(year, month, day, hour, minute, second))
        except ValueError:
            naive = None
        if naive is not None and (found := _one_stamp(_local(naive, tz))):
            return found
    if basic := _BASIC.fullmatch(value):  # ISO 8601 without separators: as with them
        y, mo, d, h, mi, sec, zone = basic.groups()
        time = f"T{h}:{mi}" + (f":{sec}" if sec else "") if h else ""
        if 1900 <= int(y) <= 2099 and 1 <= int(mo) <= 12 and 1 <= int(d) <= 31:
            return _one_date(f"{y}-{mo}-{d}{time}{zone or ''}", tz, month_first)
    if nz._SERIAL.match(value) and 20000 < float(value) < 80000:
        days = pd.Timestamp("1899-12-30") + pd.to_timedelta(float(value), unit="D")
        return _one_stamp(_local(days.round("s"), tz))
    if re.fullmatch("1[0-9]{9}(?:[0-9]{3})?", value):  # Unix seconds or milliseconds: UTC
        return _one_stamp(pd.Timestamp(int(value[:10]), unit="s", tz="UTC"))
    if worded := _worded_date(value):  # a zone in words, a word before the time
        body, offset = worded
        first = month_first if worded_first is None else worded_first
        inner = _one_date(body, "UTC" if offset is not None else tz, first)
        if inner:
            return _one_stamp(pd.Timestamp(inner) - pd.Timedelta(seconds=offset or 0))
    english = nz.english_months(value)  # Russian, Ukrainian, Romanian month names
    for spelled in dict.fromkeys([english, value]):
        if all(pattern.search(spelled) for pattern in nz._SPELLED):
            try:
                stamp = pd.Timestamp(spelled)
            except (ValueError, TypeError, OverflowError):
                continue
            if pd.notna(stamp):
                return _one_stamp(stamp if stamp.tzinfo else _local(stamp, tz))
    return ""


# Dates spelled with month names: the spellings read by strptime first and others (a
# two-digit year, no comma, a zone), in any case, as pandas' own parser must read them.
_SPELLED_CELL = st.tuples(
    st.datetimes(min_value=datetime.datetime(1650, 1, 1), max_value=datetime.datetime(2300, 1, 1)),
    st.sampled_from(
        [
            *nz._SPELLINGS,
            "%d %b %y",
            "%b %d %Y %H:%M",
            "%Y %b %d",
            "%d-%b-%Y",
            "%b %d, %Y %I:%M %p UTC",
        ]
    ),
    st.sampled_from([str, str.upper, str.lower]),
).map(lambda t: t[2](t[0].strftime(t[1])))

_DATE_CELL = st.one_of(
    _DMY_CELL,
    _SPELLED_CELL,
    st.tuples(
        st.sampled_from([1, 5, 1600, 1677, 1678, 1970, 2026, 2261, 2262, 2300, 9999]),
        st.integers(0, 13),
        st.integers(0, 32),
        st.sampled_from(["", "T10:11:12", " 23:59:59.999", "T00:00", " 24:00:00", "T10:61"]),
        st.sampled_from(["", "Z", "+03:00", "-0530", "+14:00", "+03", "-05", " +03:00"]),
    ).map(lambda t: "{:04d}-{:02d}-{:02d}{}{}".format(*t)),
    st.tuples(
        st.integers(0, 32),
        st.sampled_from("./"),
        st.integers(0, 13),
        st.sampled_from([26, 999, 1600, 1677, 2026, 2262, 2263, 9999]),
        st.sampled_from(["", " 9:05", " 23:59:59", " 24:00", " 99:99", " 12:30 AM", " 12:30 pm"]),
    ).map(lambda t: f"{t[0]:02d}{t[1]}{t[2]:02d}{t[1]}{t[3]}{t[4]}"),
    st.tuples(  # ISO 8601's basic format: no separators
        st.sampled_from([1050, 1899, 1900, 1999, 2026, 2099, 2100, 2950]),
        st.integers(0, 13),
        st.integers(0, 32),
        st.sampled_from(["", "T101112", " 2359", "T000000.5", "T2400", "T1061"]),
        st.sampled_from(["", "Z", "+0300", "-05:30", "+03"]),
    ).map(lambda t: "{:04d}{:02d}{:02d}{}{}".format(*t)),
    st.tuples(  # the year first, as East Asian locales write dates
        st.sampled_from([1600, 1677, 1678, 2026, 2262, 2263]),
        st.sampled_from("/."),
        st.integers(0, 13),
        st.integers(0, 32),
        st.sampled_from(["", " 9:05", "T23:59:59", " 24:00", ", 10:61", " 10:11:12.5"]),
    ).map(lambda t: f"{t[0]}{t[1]}{t[2]}{t[1]}{t[3]:02d}{t[4]}"),
    st.sampled_from(
        [
            "45658",
            "46000.5",
            "23 ноября 2026 г.",  # month names of the markets' languages
            "понедельник, 23 ноября 2026 г. 10:00",
            "1 мая 2263",
            "23 noi. 2026 16:05",
            "31 февраля 2026",
            "23 листопада 2026 р.",
            "1763892000",  # Unix seconds and milliseconds
            "1763892000123",
            "176389200",
            "2026/11.23",
            "2026-11/23",
            "99999",
            "12345",
            "٤٥٦٥٨",
            "Nov 5, 2026 4:05 PM",
            "Nov 5, 1500",
            "1 Jan 3000",
            "Jan 01, 2263 12:00 AM UTC",  # past 2262 with a zone: pandas 2 raised on it
            "5 Nov 2026 10:00 +0300",
            "Mon Nov 23 2026 10:00:00 GMT+0300 (Moscow Standard Time)",  # JavaScript's
            "2026-11-23T10:00:00 GMT+3",  # pandas' parser: three hours behind UTC
            "2026-11-23 10:00 UTC-05:00",
            "23.11.2026 10:00 МСК",
            "2026-11-05 10:00 (мск+2)",
            "23.11.2026 в 10:00",
            "23 ноября 2026 в 10:00 EET",
            "Nov 5, 2026 4:05 PM EST",
            "2026-11-23 10:00 UTC",
            "yesterday",
            "0001-01-01 00:00:00",
            "  ",
        ]
    ),
)


def test_spelled_times_past_2262_are_no_times() -> None:
    cells = ["Jan 01, 2263 12:00 AM UTC", "Jan 01, 2262 12:00 AM UTC", "Dec 31, 1600 1:00 PM"]
    out, failed = nz.normalize_dates(pd.Series(cells, dtype="str"))
    assert out.tolist() == ["", "2262-01-01T00:00:00Z", ""]
    assert failed.tolist() == [True, False, True]


def test_a_spelling_pandas_reads_otherwise_is_not_taken(monkeypatch) -> None:
    # strptime reads "05 Nov 70" as 1970, pandas' parser as 2070: the sample check must
    # refuse the spelling, and pandas' parser then reads every value itself.
    monkeypatch.setattr(nz, "_SPELLINGS", ("%d %b %y",))
    cells = [f"{d:02d} Nov {y}" for d in range(1, 29) for y in (70, 71, 72)]
    out, _ = nz.normalize_dates(pd.Series(cells, dtype="str"))
    assert out.tolist() == [_one_date(c, "UTC", False) for c in cells]
    assert out[0].startswith("2070")


def test_spelled_dates_agree_with_pandas_parser_value_by_value() -> None:
    # A whole column of one spelling (strptime's path) and one of mixed spellings.
    stamps = pd.date_range("2026-01-01", periods=300, freq="7h13min")
    for cells in (
        [t.strftime("%b %d, %Y %I:%M %p") for t in stamps],
        [t.strftime(nz._SPELLINGS[i % len(nz._SPELLINGS)]) for i, t in enumerate(stamps)],
    ):
        out, failed = nz.normalize_dates(pd.Series(cells, dtype="str"), "Europe/Moscow")
        assert out.tolist() == [_one_date(c, "Europe/Moscow", False) for c in cells]
        assert not failed.any()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_DATE_CELL, min_size=1, max_size=8),
    st.sampled_from(["UTC", "Europe/Moscow", "America/New_York"]),
    st.sampled_from([None, "US", "RU"]),
)
def test_dates_agree_with_a_value_by_value_parse(
    cells: list[str], tz: str, region: str | None
) -> None:
    text = pd.Series(cells, dtype="str").str.strip()
    distinct = [v for v in dict.fromkeys(text) if v]

    def month_first_of(values: list[str]) -> bool:
        # (a value _ISO matches never matches _DMY: the column decides on the _DMY values)
        dmy = [m for v in values if (m := nz._DMY.match(v))]
        if any(int(m["a"]) > 12 for m in dmy):
            return False
        if any(int(m["b"]) > 12 for m in dmy):
            return True
        return all(m["sep"] == "/" for m in dmy) and region in nz.MONTH_FIRST_REGIONS

    worded = [w[0] for v in distinct if not nz._DMY.match(v) and (w := _worded_date(v))]
    out, failed = nz.normalize_dates(pd.Series(cells, dtype="str"), tz, region)
    want = [_one_date(v, tz, month_first_of(distinct), month_first_of(worded)) for v in text]
    assert out.tolist() == want
    assert failed.tolist() == [bool(v) and not w for v, w in zip(text, want, strict=True)]


@pytest.mark.parametrize(
    "stamp",
    [
        "2026-11-23T10:00:00",
        "1969-12-31T23:59:59.5",
        "1677-09-22T00:12:43.2",
        "2262-04-11T23:47:16",
    ],
)
def test_dates_are_written_as_strftime_writes_them(stamp: str) -> None:
    # Sub-second times floored, also before 1970, as pandas' strftime("%S") shows them.
    out, failed = nz.normalize_dates(pd.Series([stamp, ""], dtype="str"))
    want = pd.Timestamp(stamp, tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
    assert out.tolist() == [want, ""] and failed.tolist() == [False, False]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        # years 1 to 9999, and the boundaries around leap days, centuries and 1970
        st.integers(-62135596800, 253402300799)
        | st.sampled_from([0, -1, 86399, 86400, 951782399, 951782400, 951868800, -2208988801]),
        max_size=40,
    )
)
def test_iso_seconds_agrees_with_numpy(seconds: list[int]) -> None:
    values = np.array(seconds, dtype=np.int64)
    want = [f"{s}Z" for s in np.datetime_as_string(values.astype("datetime64[s]"), unit="s")]
    assert nz.iso_seconds(values).to_pylist() == want


def test_iso_seconds_reads_back_as_the_same_times() -> None:
    # canonical_stamps the other way round: every second of a leap day and a few far ones.
    seconds = np.concatenate([np.arange(951782400 - 5, 951868800 + 5), [-9223372036, 9223372036]])
    text = pd.Series(nz.iso_seconds(seconds).to_pylist(), dtype="str")
    back = nz.parse_stamps(text)
    assert [stamp.value // 10**9 for stamp in back] == seconds.tolist()


# Phone cells as exports write them: prefixes in any case, spaces of several kinds,
# punctuation, letters, Cyrillic, two numbers, empty cells.
PHONE_CELL = st.lists(
    st.sampled_from([*"0123456789+-() .,;/xpPtTelhon:", "тел", "Тел", "\u00a0", "\t", "\x1c", "д"]),
    max_size=14,
).map("".join)


def _phone_text_as_pandas(series: pd.Series) -> pd.Series:
    """clean_phone_text as it was written with pandas' string methods."""
    text = series.fillna("").astype("str").str.strip()
    text = text.str.replace(nz._PHONE_PREFIX.pattern, "", regex=True)
    text = text.str.replace(nz._FLOAT_ZEROS, r"\1", regex=True)
    simple = text.str.fullmatch(nz._PHONE_SIMPLE).fillna(False).astype(bool)
    digits = text.str.replace(r"[^0-9]", "", regex=True)
    keyed = digits.mask(text.str.startswith("+").fillna(False).astype(bool), "+" + digits)
    folded = text[~simple].str.replace(f"{nz._WS}+", " ", regex=True)
    return keyed.where(simple, folded.reindex(text.index))


@settings(max_examples=400, deadline=None)
@given(st.lists(PHONE_CELL, min_size=1, max_size=12))
def test_clean_phone_text_is_the_pandas_spelling(cells: list[str]) -> None:
    series = pd.Series(cells, dtype="str")
    assert nz.clean_phone_text(series).tolist() == _phone_text_as_pandas(series).tolist()


@pytest.mark.parametrize(
    ("cell", "key"),
    [
        ("p:+79161234567", "+79161234567"),
        ("P: +7 916", "+7916"),
        (" Tel. 8 916 123-45-67", "89161234567"),
        ("tel:8916", "8916"),
        ("Phone: 8916", "8916"),
        ("тел: 8 (916) 1", "89161"),
        ("Тел.8916", "8916"),
        ("+7", "+7"),
        ("79161234567.0", "79161234567"),  # float zeros go only after digits and one point
        ("555.123.4560", "5551234560"),
        ("916.0", "916"),
        ("8 916.0", "89160"),
    ],
)
def test_clean_phone_text_prefixes_and_float_zeros(cell: str, key: str) -> None:
    # each alone in its column: the prefix check is made per column
    assert nz.clean_phone_text(S(cell, "8 916")).tolist() == [key, "8916"]


def _tidy_name_definition(text: str) -> str:
    # The letters gathered first, then looked at: what _tidy_name does in fewer steps.
    text = "".join(c for c in text if c not in INVISIBLE)
    text = " ".join(text.replace("\u00a0", " ").split()).strip(" ,.;")
    if not text or text.startswith("<") or "@" in text:
        return text
    letters = [c for c in text if c.isalpha()]
    if letters and (all(c.isupper() for c in letters) or all(c.islower() for c in letters)):
        return text.title()

    def capitals(word: str) -> bool:  # all its letters capitals, two of them in a row
        letters = [c for c in word if c.isalpha()]
        roman = re.fullmatch(r"[IVXLCDM]+\.?", word)
        shape = "".join("X" if c.isalpha() and c.isupper() else "." for c in word)
        return all(c.isupper() for c in letters) and "XX" in shape and not roman

    def lower(word: str) -> bool:
        return any(c.isalpha() for c in word) and all(c.islower() for c in word if c.isalpha())

    words = text.split(" ")
    if any(capitals(w) for w in words):
        text = " ".join(w.title() if capitals(w) or lower(w) else w for w in words)
    return text


@settings(max_examples=400, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            [*"aAбБ Ⅻ1'-,.<@IV\u00a0\u200e\u200b\u202a\u200c", "ǅ", "Ⓐ", "ⓑ", "م", "ß"]
        ),
        max_size=16,
    )
)
def test_tidy_name_matches_its_definition(text: str) -> None:
    assert nz._tidy_name(text) == _tidy_name_definition(text)


_NAME_WORDS = st.sampled_from(
    [
        *["Ivan", "ivan", "IVAN", "Иванов", "ИВАНОВ", "иванович", "Ивановна", "Ёлкин", "o'neil"],
        *[
            "ǅan",
            "Mr.",
            "dr",
            "Г-жа",
            "Smith,",
            "(менеджер)",
            "(x",
            "Петровна",
            "ſir",
            "MS.",
            "a@b",
        ],
    ]
)
_NAME_GAPS = st.sampled_from(
    [" ", "  ", "\t", "\u00a0", "\u2003", "\x1c", ",", ";", " <", ".", "\u200b", "\u200f "]
)


@example(["", "б Ё1Ё"])  # capitals apart ("Ё1Ё", "J.R."): no word in capitals, both ways
@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.builds(
                lambda words, gaps, lead: (
                    lead + "".join(w + g for w, g in zip(words, gaps, strict=False))
                ),
                st.lists(_NAME_WORDS, max_size=4),
                st.lists(st.one_of(st.just(" "), _NAME_GAPS), min_size=4, max_size=4),
                st.sampled_from(["", " ", "<", ",", "\u00a0", "\u200e", "\ufeff<"]),
            ),
            st.text(alphabet=st.sampled_from([*"aAбБЁё Ⅻ1'-,.<\u00a0", "ǅ", "ß"]), max_size=12),
            st.sampled_from(
                [
                    "Иванов Иван Иванович",
                    "Алиев Рашид Оглы",
                    "Иванов Иван Иванович Jr",
                    "Ли Иван Сергей Петрович",
                    "A B C",
                ]
            ),
        ),
        max_size=12,
    )
)
def test_full_names_tidied_and_split_as_one_by_one(names: list[str]) -> None:
    # normalize_full_names splits the names already tidy with Arrow and tidies the rest
    # one by one: the same as _tidy_and_split of every name.
    name, first, last = nz.normalize_full_names(pd.Series(names, dtype=object))
    assert list(zip(name, first, last, strict=True)) == [nz._tidy_and_split(n) for n in names]
    assert nz.normalize_names(pd.Series(names, dtype=object)).tolist() == [
        nz._tidy_name(n) for n in names
    ]


@pytest.mark.parametrize("dtype", ["str", object])
def test_per_distinct_of_an_empty_column_calls_once(dtype: object) -> None:
    # An all-empty Arrow column is not numbered (its byte count tells): func("") once, taken
    # by every row, the same as numbering it gives.
    calls: list[str] = []

    def func(value: str) -> str:
        calls.append(value)
        return f"<{value}>"

    values = pd.Series([""] * 5, dtype=dtype)
    out = nz.per_distinct(values, func)
    assert out.tolist() == ["<>"] * 5 and calls == [""]
    assert nz.per_distinct(pd.Series(["", None, ""], dtype=dtype), func).tolist()[0] == "<>"
    assert not nz._all_empty(pd.Series(["", None], dtype="str"))
    assert not nz._all_empty(pd.Series(["", "a"], dtype="str"))
    assert not nz._all_empty(pd.Series([], dtype="str"))


def test_canonical_stamps_parsed_once_for_the_same_text() -> None:
    # Every stage of a run parses created_at: the same text is parsed once, and each caller
    # gets the times on its own index.
    text = ["2026-03-01T10:00:00Z", "", "2026-03-02T11:30:05Z"]
    parsed = mock.Mock(wraps=nz._canonical_stamp_array)
    with (
        mock.patch.object(nz, "_STAMPS", nz.SameText(2)),
        mock.patch.object(nz, "_canonical_stamp_array", parsed),
    ):
        one = nz.canonical_stamps(pd.Series(text, dtype="str"))
        two = nz.canonical_stamps(pd.Series(text, index=[7, 8, 9], dtype="str"))
        other = nz.canonical_stamps(pd.Series(text[::-1], dtype="str"))
    assert parsed.call_count == 2  # the reversed column is other text
    assert one is not None and two is not None and other is not None
    assert two.index.tolist() == [7, 8, 9] and one.tolist()[0] == two.tolist()[0]
    assert str(one[0]) == "2026-03-01 10:00:00+00:00" and pd.isna(one[1])
    assert other.tolist()[::-1][0] == one.tolist()[0]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["l:", "ag:", "as:", "c:", "f:", "a:", "x:", "L:", "1", "a", ":", "é"]),
        max_size=4,
    ).map("".join)
    | st.text(max_size=6)
)
def test_meta_id_prefixes_go_as_the_pattern_says(cell: str) -> None:
    from leadtool.importer import _without_id_prefix

    text = pd.Series([cell, "l:123", ""], dtype="str")
    want = text.str.replace(r"^(?:l|ag|as|c|f|a):", "", regex=True)
    assert _without_id_prefix(text).tolist() == want.tolist()
