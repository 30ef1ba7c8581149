"""The vectorized e-mail fast path agrees with email-validator wherever it decides.

It only ever *accepts* (anything it does not accept goes to email-validator), so agreement
means: every address it accepts, email-validator accepts with the same normalized form.
Edge cases in the style of email-validator's own test suite, property tests, and a large
generated sample.
"""

from __future__ import annotations

import pandas as pd
import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from leadtool.normalize import normalize_emails, plain_email, validate_address


def reference(address: str) -> str:
    try:
        return str(
            validate_email(address, check_deliverability=False, allow_smtputf8=True).normalized
        ).lower()
    except EmailNotValidError:
        return ""


def agrees(addresses: list[str]) -> None:
    series = pd.Series(addresses, dtype=object)
    fast = plain_email(series)
    for address, accepted in zip(addresses, fast, strict=True):
        if accepted:
            assert reference(address) == address, address


EDGE_CASES = [
    "a@b.co",
    "a.b@c.de",
    "a..b@c.de",
    ".a@c.de",
    "a.@c.de",
    "a@-c.de",
    "a@c-.de",
    "a@c..de",
    "a@c.d",
    "a@c.123",
    "a@123.com",
    "a@localhost",
    "a@x.local",
    "a@x.test",
    "a@x.invalid",
    "a@x.onion",
    "a@x.arpa",
    "a@xn--80ak6aa92e.com",
    "a@ex--ample.com",
    "a@[127.0.0.1]",
    '"quoted"@x.com',
    "a b@x.com",
    "a@x.com.",
    "a@.x.com",
    "a+tag@x.com",
    "o'brien@x.ie",
    "!#$%&'*+/=?^_`{|}~-@x.com",
    "a" * 64 + "@x.com",
    "a" * 65 + "@x.com",
    "a@" + ("b" * 63 + ".") * 3 + "com",
    "a@" + "b" * 64 + ".com",
    "a@b" + ".c" * 130 + "om",
    # 254 characters in all (the most email-validator takes) and 255: labels of 63, 63, 63
    # and 37 (.com makes 233 domain characters) after 20 before the @, and 21 before it.
    "a" * 20 + "@" + ".".join(["b" * 63] * 3 + ["b" * 37]) + ".com",
    "a" * 21 + "@" + ".".join(["b" * 63] * 3 + ["b" * 37]) + ".com",
    "user@sub.domain.example.co.uk",
    "a@b.c0m",
    "a@b.museum",
    "a@b.xn--p1ai",
    "a@b_c.com",
    "a@@b.com",
    "@b.com",
    "a@",
    "",
    "a@b.com\n",
]


@pytest.mark.parametrize("address", EDGE_CASES)
def test_edge_cases(address: str) -> None:
    agrees([address])


@pytest.mark.parametrize(
    ("address", "fast"),
    [
        ("ivan.petrov@gmail.com", True),
        ("a+b@x.org", True),
        ("a@x.local", False),
        ("a..b@x.com", False),
        ("иван@почта.рф", False),
        ("a@xn--80ak6aa92e.com", False),
        ("a--b@x.com", True),  # dashes in the local part are no IDNA label
        ("test@x.com", True),
        ("a@sub.localhost", False),
    ],
)
def test_what_takes_the_fast_path(address: str, fast: bool) -> None:
    assert bool(plain_email(pd.Series([address]))[0]) is fast


def test_a_column_with_non_ascii_addresses() -> None:
    # Lengths and the @'s place are counted in bytes: a non-ASCII address in the column
    # (never plain itself) must not shift the answers for the others.
    column = ["иван@почта.рф", "a@b.com", "a" * 64 + "@x.com", "a" * 65 + "@x.com", "é@x.com"]
    assert plain_email(pd.Series(column)).tolist() == [False, True, True, False, False]
    assert normalize_emails(pd.Series(column)).tolist() == [reference(a) for a in column]


ALPHABET = "abcxyz019.-_+@!#'`{}~" + "AZ"
LABELS = st.text(alphabet="abz09-", min_size=1, max_size=12)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=ALPHABET, min_size=1, max_size=40))
def test_random_strings(text: str) -> None:
    agrees([text.lower()])


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet="abc09._+-'", min_size=1, max_size=70),
    st.lists(LABELS, min_size=1, max_size=4),
    st.sampled_from(["com", "ru", "io", "c", "123", "local", "test", "xn--p1ai", "museum"]),
)
def test_address_shaped(local: str, labels: list[str], tld: str) -> None:
    agrees([f"{local}@{'.'.join(labels)}.{tld}"])


def test_large_generated_sample_gives_the_same_result_both_ways() -> None:
    from benchmarks.generate import generate

    emails = generate(20000)["Email"]
    fast = normalize_emails(emails)
    slow = emails.str.strip().str.lower().map(validate_address)
    assert fast.tolist() == slow.tolist()
