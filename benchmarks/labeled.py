"""Generate leads with known junk, for measuring ``leadtool clean`` (recall / false junk).

Genuine leads get real-looking names from the *held-out* half of Faker's name lists (the
half the gibberish model never saw), valid phone numbers of the markets leadtool serves,
plausible e-mails, some shared-office role addresses and repeat submissions. Junk leads come
in the kinds bots and careless people produce; each row's ``truth`` says which.

    python benchmarks/labeled.py 20000 benchmarks/data/labeled.csv
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pandas as pd
import phonenumbers

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from build_name_model import names_by_locale, split, transliterate

REGIONS = {"RU": 0.45, "RO": 0.2, "MD": 0.1, "US": 0.1, "GB": 0.1, "UA": 0.05}
LOCALE_OF = {
    "RU": "ru_RU",
    "RO": "ro_RO",
    "MD": "ro_RO",
    "US": "en_US",
    "GB": "en_GB",
    "UA": "uk_UA",
}
MAIL = [
    "gmail.com",
    "mail.ru",
    "yandex.ru",
    "yahoo.com",
    "outlook.com",
    "icloud.com",
    "bk.ru",
    "inbox.ru",
    "gmail.com",
    "gmail.com",
]
COMPANIES = [
    "Romashka LLC",
    "ООО Вектор",
    "Agro Invest SRL",
    "Northwind Ltd",
    "Bright Bakery",
    "",
    "",
    "",
    "ИП Смирнов",
    "Contoso Inc",
]
JUNK_KINDS = {
    "gibberish": 0.2,
    "test": 0.12,
    "disposable": 0.12,
    "fake_phone": 0.12,
    "no_contact": 0.12,
    "spam": 0.08,
    "honeypot": 0.08,
    "too_fast": 0.08,
    "burst": 0.08,
}
KEY_ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm", "йцукенгшщзх", "фывапролджэ", "ячсмитьбю"]


class Maker:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        held = {}
        for locale, names in names_by_locale().items():
            held[locale] = split(names)[1]
        held["ru_RU_latin"] = [transliterate(n).title() for n in held["ru_RU"]]
        self.names = held

    def region(self) -> str:
        return self.rng.choices(list(REGIONS), weights=list(REGIONS.values()))[0]

    def name(self, region: str) -> str:
        locale = LOCALE_OF[region]
        if region == "RU" and self.rng.random() < 0.2:
            locale = "ru_RU_latin"
        pool = self.names[locale]
        return f"{self.rng.choice(pool)} {self.rng.choice(pool)}"

    def phone(self, region: str, national_ok: bool = True) -> str:
        example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
        assert example is not None
        national = str(example.national_number)
        for _ in range(50):
            digits = national[:3] + "".join(self.rng.choice("0123456789") for _ in national[3:])
            number = phonenumbers.parse(digits, region)
            if phonenumbers.is_valid_number(number):
                style = self.rng.random()
                if style < 0.5 and national_ok:
                    return phonenumbers.format_number(
                        number, phonenumbers.PhoneNumberFormat.NATIONAL
                    )
                if style < 0.8:
                    return phonenumbers.format_number(
                        number, phonenumbers.PhoneNumberFormat.INTERNATIONAL
                    )
                return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        return ""

    def email(self, name: str) -> str:
        local = transliterate(name).replace(" ", self.rng.choice([".", "_", ""]))
        local = "".join(c for c in local if c.isascii() and (c.isalnum() or c in "._"))
        number = str(self.rng.randint(1, 99)) if self.rng.random() < 0.3 else ""
        return f"{local}{number}@{self.rng.choice(MAIL)}"

    def mash(self) -> str:
        r = self.rng.random()
        row = self.rng.choice(KEY_ROWS)
        if r < 0.35:  # a run along one row
            i = self.rng.randrange(len(row) - 4)
            return row[i : i + self.rng.randint(4, 7)]
        if r < 0.7:  # a fragment typed again and again
            i = self.rng.randrange(len(row) - 3)
            return row[i : i + self.rng.randint(2, 3)] * self.rng.randint(2, 3)
        letters = row + self.rng.choice(KEY_ROWS[:3] if row in KEY_ROWS[:3] else KEY_ROWS[3:])
        return "".join(self.rng.choice(letters) for _ in range(self.rng.randint(5, 9)))

    def genuine(self) -> dict[str, str]:
        region = self.region()
        name = self.name(region)
        country = region if self.rng.random() < 0.5 else ""
        row = {"Name": name, "Phone": "", "Email": "", "Country": country}
        roll = self.rng.random()
        if roll < 0.8:  # national formats only where the form knows the country
            row["Phone"] = self.phone(region, national_ok=bool(country))
        if roll > 0.3:
            row["Email"] = self.email(name)
        if self.rng.random() < 0.03 and row["Email"]:
            row["Email"] = "info@" + row["Email"].split("@")[1].replace("gmail.com", "firm.example")
        row["Company"] = self.rng.choice(COMPANIES)
        row["Time to submit"] = str(self.rng.randint(8, 400))
        return row

    def junk(self, kind: str) -> dict[str, str]:
        row = self.genuine()
        if kind == "gibberish":
            row["Name"] = self.mash().title() + (
                " " + self.mash().title() if self.rng.random() < 0.5 else ""
            )
            if row["Email"]:
                row["Email"] = (
                    self.mash() + "@gmail.com" if self.rng.random() < 0.5 else row["Email"]
                )
        elif kind == "test":
            row["Name"] = self.rng.choice(
                ["Test Test", "тест", "Тест Тестович", "test", "Asdf", "Qwerty", "John Doe"]
            )
            row["Email"] = self.rng.choice(
                ["test@test.com", "test@gmail.com", "test1@mail.ru", "", "qwerty@yandex.ru"]
            )
        elif kind == "disposable":
            from disposable_email_domains import blocklist

            domains = sorted(blocklist)
            row["Email"] = (
                row["Email"].split("@")[0] + "@" + self.rng.choice(domains)
                if row["Email"]
                else "x@" + self.rng.choice(domains)
            )
            row["Phone"] = ""
        elif kind == "fake_phone":
            fakes = [
                "+7 999 999-99-99",
                "89111111111",
                "+7 912 123-45-67",
                "+40 722 222 222",
                "0722 345 678",
                "+1 650 765 4321",
                "8 (900) 000-00-00",
                "+373 69 999 999",
            ]
            row["Phone"] = self.rng.choice(fakes)
            row["Email"] = ""
        elif kind == "no_contact":
            row["Phone"] = self.rng.choice(["", "123", "000", "нет", "-"])
            row["Email"] = self.rng.choice(["", "asdf", "no", "нет@", "name@"])
        elif kind == "spam":
            row["Name"] = self.rng.choice(
                [
                    "Best SEO http://seo.example",
                    "<a href='x'>Win</a>",
                    "Crypto bonus www.bonus.example",
                    "<script>alert(1)</script>",
                    "Заработок на дому bit.ly/xyz",
                ]
            )
        elif kind == "honeypot":
            row["_gotcha"] = self.rng.choice(["http://spam.example", "1", "x"])
        elif kind == "too_fast":
            row["Time to submit"] = str(self.rng.randint(0, 2))
        return row


def generate_labeled(n: int, seed: int = 11, junk_share: float = 0.25) -> pd.DataFrame:
    """``n`` rows; ``truth`` is ``ok`` or the junk kind. Columns as a site form exports them."""
    maker = Maker(seed)
    rng = maker.rng
    rows: list[dict[str, str]] = []
    start = pd.Timestamp("2026-11-01")
    while len(rows) < n:
        moment = start + pd.Timedelta(seconds=rng.randint(0, 30 * 86400))
        if rng.random() >= junk_share:
            row = maker.genuine()
            row.update(truth="ok", Date=moment.isoformat(), IP=_ip(rng))
            rows.append(row)
            if rng.random() < 0.05:  # the same person again, an hour later
                again = dict(row, Date=(moment + pd.Timedelta(hours=1)).isoformat())
                rows.append(again)
            continue
        kind = rng.choices(list(JUNK_KINDS), weights=list(JUNK_KINDS.values()))[0]
        if kind == "burst":
            ip = _ip(rng)
            for i in range(6):
                row = maker.genuine()
                row.update(
                    truth="burst", IP=ip, Date=(moment + pd.Timedelta(seconds=40 * i)).isoformat()
                )
                rows.append(row)
            continue
        row = maker.junk(kind)
        row.update(truth=kind, Date=moment.isoformat(), IP=_ip(rng))
        rows.append(row)
    columns = [
        "Date",
        "Name",
        "Phone",
        "Email",
        "Company",
        "Country",
        "IP",
        "Time to submit",
        "_gotcha",
        "truth",
    ]
    frame = pd.DataFrame(rows[:n]).reindex(columns=columns).fillna("")
    return frame


def _ip(rng: random.Random) -> str:
    return ".".join(str(rng.randint(1, 254)) for _ in range(4))


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 20000
    target = Path(argv[1]) if len(argv) > 1 else Path(f"benchmarks/data/labeled_{n}.csv")
    target.parent.mkdir(parents=True, exist_ok=True)
    generate_labeled(n).to_csv(target, index=False)
    print(f"wrote {n} labeled leads to {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
