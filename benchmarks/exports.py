"""Generate N crafted leads in the shapes real exports have (no real person's data).

``benchmarks/generate.py`` writes one site-form export; real nights bring others, each
with its own encoding, delimiter, phone style and date format — and each can take its own
path through leadtool. The shapes follow tests/fixtures (see
``../shared/reference/export-formats.md``):

- ``meta``: Meta lead ads — UTF-16 TSV, ``l:``/``c:`` ids, ``p:+7…`` phones, ISO times with
  an offset, to the second;
- ``tilda``: Tilda forms — cp1251, ``;``, Russian headers, ``8 (9xx) …`` phones (one in
  twenty cells with a second number), ``DD.MM.YYYY HH:MM:SS``;
- ``amocrm``: an amoCRM deals export — UTF-8, ``;``, phones as ``79…`` without ``+`` (one in
  ten cells with two numbers), ``DD.MM.YYYY HH:MM:SS``;
- ``linkedin``: LinkedIn lead gen forms — UTF-8 with BOM, British and German numbers in
  national format, ``YYYY-MM-DD`` dates, companies in a long tail (the largest holds 1.5%
  of the people: dedupe compares names within each company);
- ``hubspot``: a HubSpot contacts export — US numbers in three styles,
  ``YYYY-MM-DD HH:MM``;
- ``accounts``: the same export from an enterprise sales team, 100 people to a company —
  dedupe compares the names of every two people of a company (5,000 pairs a company).

One person in five submits twice; names are drawn from syllables, so nearly every person's
name is their own. One e-mail in 500 has a Cyrillic local part (email-validator's slow
path, as in real Russian data).

    python benchmarks/exports.py 100000 benchmarks/data/exports_100000
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

KINDS = ("meta", "tilda", "amocrm", "linkedin", "hubspot", "accounts")
# kind -> (file name, encoding, delimiter)
FILES = {
    "meta": ("meta_leads.tsv", "utf-16", "\t"),
    "tilda": ("tilda_form.csv", "cp1251", ";"),
    "amocrm": ("amocrm_deals.csv", "utf-8", ";"),
    "linkedin": ("linkedin_leads.csv", "utf-8-sig", ","),
    "hubspot": ("hubspot_contacts.csv", "utf-8-sig", ","),
    "accounts": ("hubspot_account_contacts.csv", "utf-8-sig", ","),
}
FIRST_RU = [
    "Иван",
    "Анна",
    "Сергей",
    "Ольга",
    "Дмитрий",
    "Мария",
    "Алексей",
    "Елена",
    "Павел",
    "Наталья",
    "Андрей",
    "Татьяна",
    "Михаил",
    "Ирина",
    "Николай",
    "Светлана",
    "Артём",
    "Юлия",
    "Владимир",
    "Екатерина",
    "Максим",
    "Анастасия",
    "Егор",
    "Ксения",
    "Роман",
    "Дарья",
    "Игорь",
    "Полина",
    "Олег",
    "Вера",
]
FIRST_EN = [
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Ava",
    "James",
    "Sophia",
    "Lucas",
    "Mia",
    "Ethan",
    "Amelia",
    "Oliver",
    "Harper",
    "Henry",
    "Ella",
    "Jack",
    "Grace",
    "Leo",
    "Chloe",
    "Daniel",
    "Lily",
    "Samuel",
    "Zoe",
    "David",
    "Nora",
    "Thomas",
    "Ruby",
    "George",
    "Alice",
    "Adam",
]
SYLLABLES_RU = [
    "ко",
    "ло",
    "ми",
    "не",
    "ру",
    "са",
    "то",
    "ва",
    "зе",
    "бо",
    "дан",
    "мир",
    "ров",
    "лев",
    "ган",
    "тур",
    "пе",
    "ши",
    "ка",
    "ре",
]
SYLLABLES_EN = [
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "sa",
    "to",
    "va",
    "ze",
    "bo",
    "dan",
    "mir",
    "ton",
    "ley",
    "ham",
    "ford",
    "wes",
    "bri",
    "car",
    "den",
]
START = np.datetime64("2026-10-01T00:00:00")


def _people(n: int, rng: np.random.Generator) -> np.ndarray:
    """Each row's person: one in five rows repeats an earlier person."""
    person = np.arange(n)
    again = np.flatnonzero(rng.random(n) < 0.2)
    person[again] = rng.integers(0, np.maximum(again, 1))
    return person


def _surnames(person: np.ndarray, syllables: list[str], seed: int) -> np.ndarray:
    """A surname per person from three or four syllables: nearly every person their own."""
    rng = np.random.default_rng(seed)
    count = int(person.max()) + 1
    parts = rng.integers(0, len(syllables), size=(count, 4))
    table = np.array(syllables, dtype=object)
    words = table[parts[:, 0]] + table[parts[:, 1]] + table[parts[:, 2]]
    words = np.where(rng.random(count) < 0.5, words + table[parts[:, 3]], words)
    return np.array([w.capitalize() for w in words], dtype=object)[person]


def _digits(rng: np.random.Generator, count: int, width: int) -> np.ndarray:
    return np.char.zfill(rng.integers(0, 10**width, size=count).astype(str), width)


def _own_digits(person: np.ndarray, width: int, seed: int, low: int = 0) -> np.ndarray:
    """Digits of a number of its own for each person (drawn without repeats while there
    are enough numbers of ``width`` digits): people do not share phones by chance."""
    rng = np.random.default_rng(seed + 10)
    count = int(person.max()) + 1
    span = 10**width - low
    own = low + (rng.permutation(span)[:count] if count <= span else rng.integers(0, span, count))
    return np.char.zfill(own.astype(str), width).astype(object)[person]


def _companies(person: np.ndarray, seed: int) -> np.ndarray:
    """A company per person, a long tail as in B2B data: the largest holds about 1.5% of
    the people, thousands hold one or two."""
    rng = np.random.default_rng(seed + 20)
    count = int(person.max()) + 1
    return (count * rng.random(count) ** 3).astype(np.int64)[person]


def _times(person: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Seconds into a 60-day window: nearly every time of day to the second distinct."""
    return START + rng.integers(0, 60 * 86400, size=len(person)).astype("timedelta64[s]")


def _emails(
    person: np.ndarray, local: np.ndarray, domains: list[str], rng: np.random.Generator
) -> np.ndarray:
    domain = np.array(domains, dtype=object)[person % len(domains)]
    mails = local + "." + person.astype(str) + "@" + domain
    cyrillic = rng.random(len(person)) < 0.002
    mails[cyrillic] = "иван." + person[cyrillic].astype(str) + "@example.ru"
    return mails


def _ru_mobiles(person: np.ndarray, seed: int) -> np.ndarray:
    """A Russian mobile number's ten digits (9xx …) per person."""
    rng = np.random.default_rng(seed)
    return ("9" + _digits(rng, int(person.max()) + 1, 9).astype(object))[person]


def meta(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    person = _people(n, rng)
    first = np.array(FIRST_RU, dtype=object)[person % len(FIRST_RU)]
    name = first + " " + _surnames(person, SYLLABLES_RU, seed)
    mobile = _ru_mobiles(person, seed)
    style = rng.integers(0, 3, size=n)
    phone = np.where(
        style == 0, "p:+7" + mobile, np.where(style == 1, "p:8" + mobile, "p:7" + mobile)
    )
    campaign = rng.integers(0, 12, size=n)
    stamps = pd.DatetimeIndex(_times(person, rng)).strftime("%Y-%m-%dT%H:%M:%S+03:00")
    return pd.DataFrame(
        {
            "id": "l:" + (2231857610000000 + np.arange(n)).astype(str),
            "created_time": stamps,
            "ad_id": "ag:12021" + (campaign * 7).astype(str),
            "ad_name": "Ad " + campaign.astype(str),
            "adset_id": "as:12022" + (campaign * 3).astype(str),
            "adset_name": "Set " + campaign.astype(str),
            "campaign_id": "c:12023" + (campaign % 4).astype(str),
            "campaign_name": "Leadgen RU " + (campaign % 4).astype(str),
            "form_id": "f:99000" + (campaign % 2).astype(str),
            "form_name": "Consultation form",
            "is_organic": "0",
            "platform": np.where(rng.random(n) < 0.5, "fb", "ig"),
            "what_is_your_budget?": np.array(
                ["до 100 000 ₽", "100 000 - 300 000 ₽", "более 300 000 ₽"]
            )[person % 3],
            "when_do_you_want_to_start?": np.array(["this month", "next quarter", "just looking"])[
                person % 3
            ],
            "full_name": name,
            "phone_number": phone,
            "email": _emails(
                person, np.full(n, "ivan", dtype=object), ["example.ru", "example.com"], rng
            ),
            "city": np.array(["Москва", "Казань", "Moscow", ""])[person % 4],
            "inbox_url": "",
            "lead_status": "CREATED",
        }
    )


def tilda(n: int, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    person = _people(n, rng)
    first = np.array(FIRST_RU, dtype=object)[person % len(FIRST_RU)]
    surname = _surnames(person, SYLLABLES_RU, seed)
    eight = rng.random(n) < 0.6
    phone = np.array(
        [
            f"8 ({d[:3]}) {d[3:6]}-{d[6:8]}-{d[8:]}"
            if e
            else f"+7 {d[:3]} {d[3:6]}-{d[6:8]}-{d[8:]}"
            for d, e in zip(_ru_mobiles(person, seed).tolist(), eight.tolist(), strict=True)
        ],
        dtype=object,
    )
    second = rng.random(n) < 0.05
    phone[second] = phone[second] + ", 8 926 " + _digits(rng, int(second.sum()), 7).astype(object)
    stamps = pd.DatetimeIndex(_times(person, rng)).strftime("%d.%m.%Y %H:%M:%S")
    latin = np.array(SYLLABLES_EN, dtype=object)[person % len(SYLLABLES_EN)]
    return pd.DataFrame(
        {
            "Имя": first + " " + surname,
            "Телефон": phone,
            "Email": _emails(person, latin, ["example.ru", "mail.example"], rng),
            "Город": np.array(["Москва", "Екатеринбург", "Казань", ""])[person % 4],
            "Комментарий": np.array(["", "Перезвоните после 18:00", "Нужна консультация"])[
                person % 3
            ],
            "utm_source": np.array(["yandex", "vk", "google"])[person % 3],
            "utm_medium": "cpc",
            "utm_campaign": "camp_" + (person % 30).astype(str),
            "referer": "https://site.example/",
            "formid": "form123",
            "tranid": "1234567:" + np.arange(n).astype(str),
            "sent": stamps,
        }
    )


def amocrm(n: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    person = _people(n, rng)
    first = np.array(FIRST_RU, dtype=object)[person % len(FIRST_RU)]
    mobile = _ru_mobiles(person, seed).astype(object)
    phone = np.where(rng.random(n) < 0.7, "7" + mobile, "+7" + mobile)
    second = rng.random(n) < 0.1
    phone[second] = phone[second] + ", 7912" + _digits(rng, int(second.sum()), 7).astype(object)
    stamps = pd.DatetimeIndex(_times(person, rng)).strftime("%d.%m.%Y %H:%M:%S")
    latin = np.array(SYLLABLES_EN, dtype=object)[person % len(SYLLABLES_EN)]
    return pd.DataFrame(
        {
            "ID": (31000000 + np.arange(n)).astype(str),
            "Название сделки": "Сделка #" + (31000000 + np.arange(n)).astype(str),
            "Бюджет ": (rng.integers(0, 50, size=n) * 10000).astype(str),
            "Ответственный": np.array(["Анна", "Павел", "Ирина"])[person % 3],
            "Дата создания сделки": stamps,
            "Кем создана сделка": "Робот",
            "Теги": np.array(["tilda, сайт", "", "звонок"])[person % 3],
            "Этап сделки": np.array(["Первичный контакт", "Переговоры", "Успешно реализовано"])[
                person % 3
            ],
            "Воронка": "Продажи",
            "Полное имя контакта": first + " " + _surnames(person, SYLLABLES_RU, seed),
            "Компания контакта": np.where(person % 3 == 0, "ООО Ромашка", ""),
            "Рабочий телефон": phone,
            "Рабочий email": _emails(person, latin, ["example.ru", "corp.example"], rng),
            "Город": np.array(["Казань", "Уфа", "Москва"])[person % 3],
        }
    )


def linkedin(n: int, seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    person = _people(n, rng)
    first = np.array(FIRST_EN, dtype=object)[person % len(FIRST_EN)]
    last = _surnames(person, SYLLABLES_EN, seed)
    kind = person % 4
    body = _own_digits(person, 6, seed)
    phone = np.select(
        [kind == 0, kind == 1, kind == 2],
        ["07400 " + body, "+44 7400 " + body, "030 " + body + "1"],
        "+49 30 " + body + "1",
    )
    country = np.where(kind < 2, "United Kingdom", "Germany")
    return pd.DataFrame(
        {
            "Date": pd.DatetimeIndex(_times(person, rng)).strftime("%Y-%m-%d"),
            "First Name": first,
            "Last Name": last,
            "Email Address": _emails(
                person,
                np.char.lower(last.astype(str)).astype(object),
                ["example.co.uk", "example.de"],
                rng,
            ),
            "Phone Number": phone,
            "Company Name": "Company " + _companies(person, seed).astype(str) + " Ltd",
            "Job Title": np.array(["Head of Marketing", "CEO", "Analyst", "VP Sales"])[person % 4],
            "Country/Region": country,
            "Campaign Name": "Camp " + (person % 9).astype(str),
            "Form Name": "Demo request",
            "LinkedIn Profile URL": "",
        }
    )


def hubspot(n: int, seed: int = 5, per_account: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    person = _people(n, rng)
    first = np.array(FIRST_EN, dtype=object)[person % len(FIRST_EN)]
    last = _surnames(person, SYLLABLES_EN, seed)
    area = np.array(["212", "646", "415", "312", "617", "305", "512"], dtype=object)[person % 7]
    number = _own_digits(person, 7, seed, low=2_000_000)  # exchanges 200-999
    exchange = np.array([d[:3] for d in number], dtype=object)
    line = np.array([d[3:] for d in number], dtype=object)
    kind = person % 3
    phone = np.select(
        [kind == 0, kind == 1],
        ["+1 (" + area + ") " + exchange + "-" + line, "(" + area + ") " + exchange + "-" + line],
        area + exchange + line,
    )
    return pd.DataFrame(
        {
            "Record ID": (51001 + np.arange(n)).astype(str),
            "First Name": first,
            "Last Name": last,
            "Email": _emails(
                person, np.char.lower(first.astype(str)).astype(object), ["example.com"], rng
            ),
            "Phone Number": phone,
            "Company Name": last + " & Co"
            if not per_account
            else "Account " + (person // per_account).astype(str) + " Inc",
            "Job Title": np.array(["VP Sales", "Founder", "Marketing Manager"])[person % 3],
            "Lead Status": "NEW",
            "Lifecycle Stage": "lead",
            "Create Date": pd.DatetimeIndex(_times(person, rng)).strftime("%Y-%m-%d %H:%M"),
            "Original Source": np.array(["Paid Social", "Organic Search", "Direct Traffic"])[
                person % 3
            ],
            "Contact owner": "Sam Owner",
        }
    )


def accounts(n: int, seed: int = 6) -> pd.DataFrame:
    """HubSpot contacts of an enterprise sales team: 100 people to an account."""
    return hubspot(n, seed, per_account=100)


GENERATORS: dict[str, Callable[[int], pd.DataFrame]] = {
    "meta": meta,
    "tilda": tilda,
    "amocrm": amocrm,
    "linkedin": linkedin,
    "hubspot": hubspot,
    "accounts": accounts,
}


def write(kind: str, n: int, folder: Path) -> Path:
    """The export of ``kind`` with N leads in ``folder`` (written once, then reused)."""
    name, encoding, delimiter = FILES[kind]
    path = folder / name
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        GENERATORS[kind](n).to_csv(path, index=False, sep=delimiter, encoding=encoding)
    return path


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 100_000
    folder = Path(argv[1]) if len(argv) > 1 else Path(f"benchmarks/data/exports_{n}")
    for kind in KINDS:
        print(write(kind, n, folder))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
