"""The vectorized phone fast path gives exactly what phonenumbers gives, wherever it decides.

Property tests over random numbers in every country code, and a large sample built from
phonenumbers' own example numbers of every region and type with random tails.
"""

from __future__ import annotations

import random

import pandas as pd
import phonenumbers
from hypothesis import given, settings
from hypothesis import strategies as st

from leadtool.normalize import fast_e164, fast_national, normalize_phones, parse_phone

CODES = sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)


def check(texts: list[str]) -> int:
    """Compare every decided value with phonenumbers; return how many were decided."""
    fast = fast_e164(pd.Series(texts, dtype=object))
    decided = 0
    for text, value in zip(texts, fast, strict=True):
        if pd.notna(value):
            decided += 1
            assert value == parse_phone(text, None), text
    return decided


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(CODES), st.text(alphabet="0123456789", min_size=1, max_size=14))
def test_random_numbers_in_every_country_code(code: int, tail: str) -> None:
    check([f"+{code}{tail}"])


def test_example_numbers_of_every_region_and_type_with_random_tails() -> None:
    rng = random.Random(5)
    texts = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE,
            phonenumbers.PhoneNumberType.TOLL_FREE,
            phonenumbers.PhoneNumberType.VOIP,
        ):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is None:
                continue
            e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
            texts.append(e164)
            for _ in range(12):
                cut = rng.randint(1, 5)
                tail = "".join(rng.choice("0123456789") for _ in range(cut + rng.randint(-1, 1)))
                texts.append(e164[:-cut] + tail)
    decided = check(texts)
    assert decided > len(texts) * 0.7  # the fast path takes most numbers


def test_undecided_cases_fall_back_to_phonenumbers() -> None:
    texts = pd.Series(["+390612345678", "+4407911123456", "+78001234567", "8 912 385-27-19"])
    assert fast_e164(texts).isna().all()
    phone, _ = normalize_phones(texts.str.replace(r"[^\d+]", "", regex=True), pd.Series(["RU"] * 4))
    assert phone.tolist() == ["+390612345678", "+447911123456", "+78001234567", "+79123852719"]


MARKETS = [
    "RU",
    "KZ",
    "RO",
    "MD",
    "UA",
    "BY",
    "US",
    "CA",
    "GB",
    "DE",
    "FR",
    "IT",
    "ES",
    "PL",
    "TR",
    "IN",
    "AE",
    "UZ",
    "GE",
    "AM",
    "IL",
    "AU",
    "BR",
    "AR",
    "MX",
    "CN",
    "JP",
]


def check_national(texts: list[str], region: str) -> int:
    fast = fast_national(pd.Series(texts, dtype=object), region)
    decided = 0
    for text, value in zip(texts, fast, strict=True):
        if pd.notna(value):
            decided += 1
            assert value == parse_phone(text, region), (region, text)
    return decided


@settings(max_examples=600, deadline=None)
@given(st.sampled_from(MARKETS), st.text(alphabet="0123456789", min_size=5, max_size=15))
def test_random_national_numbers(region: str, digits: str) -> None:
    check_national([digits], region)


def test_national_formats_of_example_numbers_with_random_tails() -> None:
    rng = random.Random(11)
    decided = total = 0
    for region in MARKETS:
        texts = []
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        prefix = (metadata.national_prefix or "") if metadata else ""
        for kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is None:
                continue
            nsn = phonenumbers.national_significant_number(example)
            for _ in range(40):
                cut = rng.randint(1, 4)
                body = nsn[:-cut] + "".join(rng.choice("0123456789") for _ in range(cut))
                texts += [body, prefix + body, str(example.country_code) + body]
        decided += check_national(texts, region)
        total += len(texts)
    assert (
        decided > total * 0.4
    )  # numbers written with the country code but no "+" are left to phonenumbers
