"""The vectorized phone fast path gives exactly what phonenumbers gives, wherever it decides.

Property tests over random numbers in every country code, and a large sample built from
phonenumbers' own example numbers of every region and type with random tails.
"""

from __future__ import annotations

import random

import pandas as pd
import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadtool import normalize as nz
from leadtool.normalize import fast_e164, fast_national, normalize_phones, parse_phone


@pytest.fixture(autouse=True)
def _fast_paths_for_every_size(monkeypatch) -> None:
    # The tests below give normalize_phones a few cells at a time; they are about the fast
    # paths, which leadtool takes only from FAST_PATH_MIN_ROWS rows on.
    monkeypatch.setattr(nz, "FAST_PATH_MIN_ROWS", 0)


CODES = sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)
KINDS = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.TOLL_FREE,
    phonenumbers.PhoneNumberType.VOIP,
)


def examples(region: str, kinds: tuple[int, ...] = KINDS) -> list[phonenumbers.PhoneNumber]:
    """phonenumbers' example numbers of a region, one for each of ``kinds`` it has."""
    found = (phonenumbers.example_number_for_type(region, kind) for kind in kinds)
    return [example for example in found if example is not None]


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
        for example in examples(region):
            e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
            texts.append(e164)
            for _ in range(12):
                cut = rng.randint(1, 5)
                tail = "".join(rng.choice("0123456789") for _ in range(cut + rng.randint(-1, 1)))
                texts.append(e164[:-cut] + tail)
    decided = check(texts)
    assert decided > len(texts) * 0.7  # the fast path takes most numbers


def test_undecided_cases_fall_back_to_phonenumbers() -> None:
    texts = pd.Series(["+4407911123456", "+78001234567", "8 912 385-27-19"])
    assert fast_e164(texts).isna().all()
    phone, _ = normalize_phones(texts.str.replace(r"[^\d+]", "", regex=True), pd.Series(["RU"] * 3))
    assert phone.tolist() == ["+447911123456", "+78001234567", "+79123852719"]


def test_leading_zeros_are_kept_as_phonenumbers_keeps_them() -> None:
    # Italian numbers keep their 0 after the country code; a Moldovan 069… number read as
    # Russian is invalid; "00" + country code is the international form.
    texts = ["+390612345678", "+3906123"]
    assert fast_e164(pd.Series(texts)).tolist() == [parse_phone(t, None) for t in texts]
    national = ["069123456", "0012025550143", "00"]
    assert fast_national(pd.Series(national), "RU").tolist()[:2] == ["", "+12025550143"]


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(CODES),
    st.text(alphabet="0", max_size=3),
    st.text(alphabet="0123456789", min_size=1, max_size=12),
)
def test_random_numbers_with_leading_zeros(code: int, zeros: str, tail: str) -> None:
    check([f"+{code}{zeros}{tail}"])


def test_national_numbers_with_leading_zeros_in_every_region() -> None:
    rng = random.Random(17)
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        texts = [
            "0" * rng.randint(0, 2)
            + "".join(rng.choice("0123456789") for _ in range(rng.randint(5, 12)))
            for _ in range(20)
        ]
        example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
        if example is not None and metadata is not None:
            nsn = phonenumbers.national_significant_number(example)
            for _ in range(6):
                body = nsn[:-2] + "".join(rng.choice("0123456789") for _ in range(2))
                prefix = metadata.national_prefix or ""
                texts += [body, prefix + body, "0" + body, f"00{example.country_code}{body}"]
        check_national(texts, region)


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
    assert decided > total * 0.6  # the country code without "+" included (was 0.4 without)


@settings(max_examples=600, deadline=None)
@given(st.sampled_from(MARKETS), st.text(alphabet="0123456789", min_size=2, max_size=14))
def test_random_numbers_after_the_regions_own_code(region: str, digits: str) -> None:
    code = phonenumbers.country_code_for_region(region)
    check_national([f"{code}{digits}"], region)


def test_own_code_without_plus_in_every_region() -> None:
    # "79123852719" in RU, "40722418305" in RO, "12025550143" in US: example numbers of
    # every region and type after the region's code, with random tails, national prefixes
    # and zeros in between.
    rng = random.Random(23)
    decided = total = 0
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        if metadata is None:
            continue
        code, prefix = str(metadata.country_code), metadata.national_prefix or ""
        texts = []
        for example in examples(region, KINDS[:3]):
            nsn = phonenumbers.national_significant_number(example)
            for _ in range(8):
                cut = rng.randint(1, 4)
                body = nsn[:-cut] + "".join(rng.choice("0123456789") for _ in range(cut))
                texts += [code + body, code + prefix + body, code + "0" + body, code + body[:-2]]
        decided += check_national(texts, region)
        total += len(texts)
    assert decided > total * 0.5


def test_own_code_cases_left_to_phonenumbers() -> None:
    # A number that fits the region with its code kept (RU "7912345678": ten digits), a
    # national part that starts with the national prefix (RU 8-800), and KZ, whose pattern
    # the RU number does not fit: phonenumbers decides each; the answers are the same.
    texts = ["7912345678", "78005553535", "79123456789"]
    assert fast_national(pd.Series(texts[:2]), "RU").isna().all()
    assert fast_national(pd.Series(texts[2:]), "KZ").isna().all()
    assert fast_national(pd.Series(texts[2:]), "RU").tolist() == ["+79123456789"]
    # Too long for RU with the code (15 digits; RU numbers have 10 or 14): the code is taken
    # off even though what is left fits no pattern (no valid number, as phonenumbers says).
    assert fast_national(pd.Series(["701234567890123"]), "RU").tolist() == [""]
    assert parse_phone("701234567890123", "RU") == ""
    regions = pd.Series(["RU", "RU", "KZ"])
    phone, _ = normalize_phones(pd.Series(texts), regions)
    assert phone.tolist() == [parse_phone(t, r) for t, r in zip(texts, regions, strict=True)]


def test_slow_cells_are_parsed_per_text_and_region_pair() -> None:
    # The same text means different numbers in different regions; repeated pairs are parsed
    # once and every row gets its own pair's answer.
    from leadtool.normalize import clean_phone_text, parse_phone_cell

    cells = ["0722 418 305 ext 5", "8 912 385-27-19 доб. 12", "+4407911123456"]
    cells += ["0722 418 305 ext 5", "89161112233, 89264445566", "069 123 456 ext 1"]
    cells += ["069 123 456 ext 1", "0722 418 305", "12"]
    regions = ["RO", "RU", "", "MD", "RU", "MD", "RO", "RO", "US"]
    texts = clean_phone_text(pd.Series(cells * 3))
    phone, extra = normalize_phones(texts, pd.Series(regions * 3, dtype=object))
    want = [parse_phone_cell(t, r or None) for t, r in zip(texts, regions * 3, strict=True)]
    assert list(zip(phone, extra, strict=True)) == want
    assert {p for p, _ in want[:9]} >= {"+40722418305", "+37369123456", ""}  # region matters


def _written(number: phonenumbers.PhoneNumber, style: int, tail: str) -> str:
    """A number (its last digits replaced by ``tail``) as forms and CRMs write it."""
    nsn = phonenumbers.national_significant_number(number)
    nsn = nsn[: max(1, len(nsn) - len(tail))] + tail
    region = phonenumbers.region_code_for_country_code(number.country_code)
    prefix = getattr(phonenumbers.PhoneMetadata.metadata_for_region(region), "national_prefix", "")
    code = number.country_code
    return [
        f"+{code}{nsn}",
        f"+{code} ({nsn[:3]}) {nsn[3:6]}-{nsn[6:]}",
        f"{prefix or ''}{nsn}",
        f"{prefix or ''} {nsn[:3]} {nsn[3:]}",
        f"{code}{nsn}",
        f"00{code}{nsn}",
        nsn[:5],  # too short to be a number: the cell is then one text
        f"{nsn} ext. 12",  # not digits and punctuation: the cell goes to phonenumbers
    ][style]


_NUMBERS = [n for region in MARKETS for n in examples(region)]
_SEPARATORS = [", ", ",", ";", " ; ", " / ", "\n", " or ", " OR ", " sau ", " and ", " или ", " и "]


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(_NUMBERS),
            st.integers(0, 7),
            st.text(alphabet="0123456789", max_size=3),
            st.sampled_from(_SEPARATORS),
        ),
        min_size=2,
        max_size=4,
    ),
    st.sampled_from([*MARKETS, ""]),
    st.sampled_from(["", " ", "\x1c", ",", "x"]),
)
def test_cells_of_several_numbers_agree_with_parse_phone_cell(
    parts: list[tuple[phonenumbers.PhoneNumber, int, str, str]], region: str, end: str
) -> None:
    from leadtool.normalize import clean_phone_text, parse_phone_cell

    cell = "".join(_written(n, style, tail) + sep for n, style, tail, sep in parts)[:-1] + end
    texts = clean_phone_text(pd.Series([cell, cell.upper(), cell.replace(" ", "\v")]))
    regions = pd.Series([region] * 3, dtype=object)
    phone, extra = normalize_phones(texts, regions)
    want = [parse_phone_cell(t, region or None) for t in texts]
    assert list(zip(phone, extra, strict=True)) == want, texts.tolist()


def test_cells_of_several_plain_numbers_skip_phonenumbers(monkeypatch) -> None:
    # The fast path must be the one taken for ASCII cells of plain numbers.
    def refuse(*args, **kwargs):
        raise AssertionError("phonenumbers called per value")

    monkeypatch.setattr(nz, "per_distinct_fields", refuse)
    cells = ["8 (912) 385-27-19, 8 926 765-43-21", "+7 916 111-22-33; +7 916 111-22-33"]
    cells += ["89123852719 or 0722418305", "+40722418305 / 89161112233"]
    texts = nz.clean_phone_text(pd.Series(cells))
    phone, extra = normalize_phones(texts, pd.Series(["RU"] * 4, dtype=object))
    assert phone.tolist() == ["+79123852719", "+79161112233", "+79123852719", "+40722418305"]
    assert extra.tolist() == ["+79267654321", "", "", "+79161112233"]


def test_a_small_column_goes_to_phonenumbers_with_the_same_answers(monkeypatch) -> None:
    # Below FAST_PATH_MIN_ROWS rows the fast paths' fixed cost outweighs them: every distinct
    # cell goes to phonenumbers, and the answers are the fast paths' answers.
    cells = ["+7 916 111-22-33", "8 (912) 385-27-19", "79123852719", "0722 418 305", "12"]
    cells += ["89161112233, 89264445566", "+40722418305", "", "8 912 385-27-19 доб. 12"]
    texts = nz.clean_phone_text(pd.Series(cells * 40))
    regions = pd.Series(["RU", "RU", "RU", "RO", "US", "RU", "", "RU", "RU"] * 40, dtype=object)
    fast = normalize_phones(texts, regions)
    asked = []
    real = nz.per_distinct_fields

    def counted(values, *args, **kwargs):
        asked.append(len(values))
        return real(values, *args, **kwargs)

    monkeypatch.setattr(nz, "per_distinct_fields", counted)
    monkeypatch.setattr(nz, "FAST_PATH_MIN_ROWS", len(texts) + 1)
    small = normalize_phones(texts, regions)
    assert [s.tolist() for s in small] == [f.tolist() for f in fast]
    assert asked == [len(cells) - 1]  # every distinct non-empty cell, once


# ---- service numbers: the prefilter never misses what phonenumbers' number_type says

ALL_TYPES = tuple(
    getattr(phonenumbers.PhoneNumberType, name.upper())
    for name in ("mobile", "fixed_line", *nz.SERVICE_TYPES)
)


def service_sample(rng: random.Random) -> list[str]:
    """Every region's and non-geographic code's example numbers of every type, each with
    three random tails of its own length (valid or not), as E.164 text."""
    numbers = [
        n for region in sorted(phonenumbers.SUPPORTED_REGIONS) for n in examples(region, ALL_TYPES)
    ]
    numbers += [
        example
        for code in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS)
        if (example := phonenumbers.example_number_for_non_geo_entity(code)) is not None
    ]
    texts = []
    for number in numbers:
        national = str(number.national_number)
        texts.append(f"+{number.country_code}{national}")
        for _ in range(3):
            keep = rng.randrange(1, len(national) + 1)
            tail = "".join(rng.choice("0123456789") for _ in range(len(national) - keep))
            texts.append(f"+{number.country_code}{national[:keep]}{tail}")
    return texts


@pytest.mark.parametrize(
    "types",
    [("toll_free", "premium_rate", "shared_cost"), nz.SERVICE_TYPES, ("uan",)],
)
def test_service_numbers_agree_with_phonenumbers_number_type(types: tuple[str, ...]) -> None:
    texts = service_sample(random.Random(8))
    wanted = {getattr(phonenumbers.PhoneNumberType, t.upper()) for t in types}
    found = nz.service_numbers(pd.Series([*texts, "", "+7"], dtype=object), types)
    expected = [phonenumbers.number_type(phonenumbers.parse(t)) in wanted for t in texts]
    assert found.tolist() == [*expected, False, False]
    assert sum(expected) > 100  # the sample holds such numbers in many countries


def test_service_numbers_ask_phonenumbers_only_about_candidates(monkeypatch) -> None:
    asked: list[str] = []
    real = nz._number_type
    monkeypatch.setattr(nz, "_number_type", lambda e164: asked.append(e164) or real(e164))
    phones = pd.Series(["+79161234567", "+78005553535", "+78005553535", "+40722123456"] * 50)
    found = nz.service_numbers(phones, ["toll_free"])
    assert found.sum() == 100 and asked == ["+78005553535"]


def test_a_trunk_prefix_after_a_plus_is_read_as_typed_without_it() -> None:
    # "+8 (912) …": no country code starts +89, so the cell is the national 8 912 … — on
    # the fast paths as phonenumbers reads the digits without the "+".
    texts = ["+8 (912) 345-67-89", "+89161234567", "+8 (912) 345-67", "+86 10 1234 5678"]
    keys = nz.clean_phone_text(pd.Series(texts, dtype=object))
    assert keys.tolist() == ["89123456789", "89161234567", "+891234567", "+861012345678"]
    regions = pd.Series(["RU"] * len(texts), dtype=object)
    phones, _ = normalize_phones(keys, regions)
    assert phones.tolist() == [parse_phone(k, "RU") for k in keys]
    assert phones.tolist()[:2] == ["+79123456789", "+79161234567"]
