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
- ``bitrix24``: a Bitrix24 leads export — UTF-8 with a BOM, ``;``, work and mobile phone
  columns and work and private e-mail columns, each often empty; the work number is the
  office's, shared by everyone of a company who gave it; ``bitrix24_xlsx``: the same as a
  spreadsheet, dates as date cells and 11-digit phones stored as numbers;
- ``google_ads``: Google Ads lead forms — Romanian numbers, half typed nationally, one lead
  in six from Moldova (with Chișinău as its city);
- ``google_forms``: Google Forms responses — ``M/D/YYYY H:MM:SS`` without leading zeros, US
  numbers as typed;
- ``typeform``: Typeform responses — question headers, budget ranges, international
  numbers only, start and submit times;
- ``tiktok``: TikTok lead generation — 19-digit ids, Kazakh numbers as ``8701…``.

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

KINDS = (
    "meta",
    "tilda",
    "amocrm",
    "linkedin",
    "hubspot",
    "accounts",
    "bitrix24",
    "bitrix24_xlsx",
    "google_ads",
    "google_forms",
    "typeform",
    "tiktok",
)
# kind -> (file name, encoding, delimiter)
FILES = {
    "meta": ("meta_leads.tsv", "utf-16", "\t"),
    "tilda": ("tilda_form.csv", "cp1251", ";"),
    "amocrm": ("amocrm_deals.csv", "utf-8", ";"),
    "linkedin": ("linkedin_leads.csv", "utf-8-sig", ","),
    "hubspot": ("hubspot_contacts.csv", "utf-8-sig", ","),
    "accounts": ("hubspot_account_contacts.csv", "utf-8-sig", ","),
    "bitrix24": ("bitrix24_leads.csv", "utf-8-sig", ";"),
    "bitrix24_xlsx": ("bitrix24_leads.xlsx", "", ""),
    "google_ads": ("google_ads_leads.csv", "utf-8", ","),
    "google_forms": ("google_forms_responses.csv", "utf-8", ","),
    "typeform": ("typeform_responses.csv", "utf-8", ","),
    "tiktok": ("tiktok_leads.csv", "utf-8", ","),
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


def bitrix24(n: int, seed: int = 7) -> pd.DataFrame:
    """A Bitrix24 leads export: two phone and two e-mail columns, each mostly empty; an
    office number shared by everyone of a company, a mobile of one's own."""
    rng = np.random.default_rng(seed)
    person = _people(n, rng)
    first = np.array(FIRST_RU, dtype=object)[person % len(FIRST_RU)]
    company = _companies(person, seed)
    office = _own_digits(company, 7, seed + 1)
    work = "+7 (495) " + np.array([f"{d[:3]}-{d[3:5]}-{d[5:]}" for d in office], dtype=object)
    mobile = np.array(
        [f"8 {d[:3]} {d[3:6]} {d[6:8]} {d[8:]}" for d in _ru_mobiles(person, seed).tolist()],
        dtype=object,
    )
    has_work = person % 3 == 0
    latin = np.array(SYLLABLES_EN, dtype=object)[person % len(SYLLABLES_EN)]
    mails = _emails(person, latin, ["example.ru", "mail.example"], rng)
    private = person % 4 == 1
    stamps = pd.DatetimeIndex(_times(person, rng)).strftime("%d.%m.%Y %H:%M:%S")
    return pd.DataFrame(
        {
            "ID": (1045 + np.arange(n)).astype(str),
            "Название лида": np.array(["Заявка с сайта", "Звонок", "Чат"])[person % 3],
            "Обращение": np.array(["г-н", "г-жа", ""])[person % 3],
            "Имя": first,
            "Фамилия": _surnames(person, SYLLABLES_RU, seed),
            "Отчество": np.array(["Игоревич", "", "Петровна"])[person % 3],
            "Дата создания": stamps,
            "Рабочий телефон": np.where(has_work, work, ""),
            "Мобильный телефон": np.where(person % 5 == 4, "", mobile),
            "Рабочий e-mail": np.where(private, "", mails),
            "Частный e-mail": np.where(private, mails, ""),
            "Название компании": np.where(
                person % 2 == 0, "ООО Компания " + company.astype(str), ""
            ),
            "Должность": np.array(["Генеральный директор", "Менеджер", ""])[person % 3],
            "Комментарий": np.array(["Интересует тариф Бизнес", "", "Перезвонить"])[person % 3],
            "Стадия": np.array(["Не обработан", "В работе", "Некачественный лид"])[person % 3],
            "Источник": np.array(["Веб-сайт", "Звонок", "Реклама"])[person % 3],
            "Дополнительно об источнике": "",
            "Ответственный": "Менеджер " + (person % 5).astype(str),
            "UTM Source": np.array(["yandex", "", "vk"])[person % 3],
            "UTM Campaign": np.array(["brand_msk", "", "retarget"])[person % 3],
        }
    )


def google_ads(n: int, seed: int = 8) -> pd.DataFrame:
    """Google Ads lead form leads from Romania (and some from Moldova): international and
    national numbers, names as typed (some all lower case), diacritics in cities."""
    rng = np.random.default_rng(seed)
    person = _people(n, rng)
    first = np.array(["Andrei", "Elena", "Vasile", "Ioana", "Mihai", "Ana"], dtype=object)
    first = first[person % 6]
    name = first + " " + _surnames(person, SYLLABLES_EN, seed)
    name = np.where(person % 7 == 0, np.char.lower(name.astype(str)).astype(object), name)
    body = _own_digits(person, 7, seed)
    kind = person % 6  # Romania's numbers, half as typed at home; one in six Moldovan
    phone = np.select(
        [kind < 3, kind < 5],
        ["+40 74" + body, "074" + body],
        "+373 69 " + _own_digits(person, 6, seed + 1),
    )
    campaign = np.array(["Search RO - Servicii", "PMax MD", "Search RO - Brand"])[person % 3]
    return pd.DataFrame(
        {
            "Lead ID": "TeSter-" + np.arange(n).astype(str) + "-ABCDEFGHIJ",
            "Campaign": campaign,
            "Ad group": np.array(["Contabilitate", "", "Audit"])[person % 3],
            "Form name": "Cerere oferta",
            "Lead submit time": pd.DatetimeIndex(_times(person, rng)).strftime("%Y-%m-%d %H:%M:%S"),
            "Full name": name,
            "User email": _emails(
                person, np.char.lower(first.astype(str)).astype(object), ["example.ro"], rng
            ),
            "User phone": phone,
            "Company name": np.where(person % 2 == 0, "Firma " + (person % 997).astype(str), ""),
            "Job title": np.array(["Administrator", "Director financiar", ""])[person % 3],
            "City": np.where(
                kind == 5, "Chișinău", np.array(["Cluj-Napoca", "Iași", "București"])[person % 3]
            ),
            "gclid": "EAIaIQobChMI" + np.char.zfill(np.arange(n).astype(str), 10),
        }
    )


def google_forms(n: int, seed: int = 9) -> pd.DataFrame:
    """Google Forms responses: US ``M/D/YYYY H:MM:SS`` timestamps (no leading zeros), US
    numbers as typed, free-text answers."""
    rng = np.random.default_rng(seed)
    person = _people(n, rng)
    first = np.array(FIRST_EN, dtype=object)[person % len(FIRST_EN)]
    last = _surnames(person, SYLLABLES_EN, seed)
    number = _own_digits(person, 7, seed, low=2_000_000)
    area = np.array(["650", "415", "212", "718"], dtype=object)[person % 4]
    kind = person % 3
    phone = np.select(
        [kind == 0, kind == 1],
        [
            "(" + area + ") " + np.array([f"{d[:3]}-{d[3:]}" for d in number], dtype=object),
            area + " " + np.array([f"{d[:3]} {d[3:]}" for d in number], dtype=object),
        ],
        area + number,
    )
    times = pd.DatetimeIndex(_times(person, rng))
    stamps = [
        f"{t.month}/{t.day}/{t.year} {t.hour}:{t.minute:02d}:{t.second:02d}"
        for t in times.to_pydatetime()
    ]
    return pd.DataFrame(
        {
            "Timestamp": stamps,
            "Email address": _emails(
                person, np.char.lower(first.astype(str)).astype(object), ["example.com"], rng
            ),
            "Your name": first + " " + last,
            "Phone number": phone,
            "Which course interests you?": np.array(["Data analytics", "Marketing", "Design"])[
                person % 3
            ],
            "How did you hear about us?": np.array(["Instagram", "Friend", "Google", ""])[
                person % 4
            ],
        }
    )


def typeform(n: int, seed: int = 10) -> pd.DataFrame:
    """Typeform responses: question headers, budget ranges, British and US numbers in
    international format, UTC times to the second."""
    rng = np.random.default_rng(seed)
    person = _people(n, rng)
    first = np.array(FIRST_EN, dtype=object)[person % len(FIRST_EN)]
    last = _surnames(person, SYLLABLES_EN, seed)
    body = _own_digits(person, 6, seed)
    phone = np.where(person % 2 == 0, "+44 7402 " + body, "+1 650 5" + body)
    start = _times(person, rng)
    return pd.DataFrame(
        {
            "#": np.char.zfill(np.arange(n).astype(str), 20),
            "What's your name?": first + " " + last,
            "What is your email?": _emails(
                person, np.char.lower(first.astype(str)).astype(object), ["example.com"], rng
            ),
            "And your phone number?": phone,
            "Which company do you work for?": last + " Ltd",
            "What is your budget?": np.array(["$5,000 - $10,000", "Under $1,000", "$10,000+", ""])[
                person % 4
            ],
            "Response Type": "completed",
            "Start Date (UTC)": pd.DatetimeIndex(start).strftime("%Y-%m-%d %H:%M:%S"),
            "Stage Date (UTC)": "",
            "Submit Date (UTC)": pd.DatetimeIndex(start + np.timedelta64(80, "s")).strftime(
                "%Y-%m-%d %H:%M:%S"
            ),
            "Network ID": "4f1c2a9e8b",
            "Tags": "",
        }
    )


def tiktok(n: int, seed: int = 11) -> pd.DataFrame:
    """TikTok lead generation from Kazakhstan: 19-digit ids, numbers as ``87…`` (national,
    no separators)."""
    rng = np.random.default_rng(seed)
    person = _people(n, rng)
    first = np.array(["Aigerim", "Nurlan", "Dana", "Arman", "Aliya"], dtype=object)
    body = _own_digits(person, 7, seed)
    campaign = person % 4
    return pd.DataFrame(
        {
            "lead_id": (7301000000000000001 + np.arange(n, dtype=np.int64)).astype(str),
            "create_time": pd.DatetimeIndex(_times(person, rng)).strftime("%Y-%m-%d %H:%M:%S"),
            "advertiser_id": "6900000000000",
            "campaign_id": (1780000000000001 + campaign).astype(str),
            "campaign_name": "TT Lead KZ " + campaign.astype(str),
            "adgroup_id": (1780000000000101 + campaign).astype(str),
            "adgroup_name": "KZ 18-34",
            "ad_id": (1780000000001001 + campaign).astype(str),
            "ad_name": "Dance promo",
            "form_name": "Signup",
            "name": first[person % 5] + " " + _surnames(person, SYLLABLES_EN, seed),
            "phone_number": "8701" + body,
            "email": _emails(person, np.full(n, "user", dtype=object), ["example.kz"], rng),
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
    "bitrix24": bitrix24,
    "bitrix24_xlsx": bitrix24,
    "google_ads": google_ads,
    "google_forms": google_forms,
    "typeform": typeform,
    "tiktok": tiktok,
}


def write(kind: str, n: int, folder: Path) -> Path:
    """The export of ``kind`` with N leads in ``folder`` (written once, then reused)."""
    name, encoding, delimiter = FILES[kind]
    path = folder / name
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        frame = GENERATORS[kind](n)
        if path.suffix == ".xlsx":
            _write_xlsx(frame, path)
        else:
            frame.to_csv(path, index=False, sep=delimiter, encoding=encoding)
    return path


def _write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    """The spreadsheet a CRM gives: a header row, then typed cells — dates as dates, and
    phones as numbers where they are digits alone (as a user's edits in Excel leave them)."""
    import xlsxwriter

    stamps = pd.to_datetime(frame["Дата создания"], format="%d.%m.%Y %H:%M:%S")
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Лиды")
    when = book.add_format({"num_format": "dd.mm.yyyy hh:mm:ss"})
    sheet.write_row(0, 0, list(frame.columns))
    date_col = frame.columns.get_loc("Дата создания")
    rows = frame.to_numpy(dtype=object).tolist()
    for r, (row, stamp) in enumerate(zip(rows, stamps.tolist(), strict=True), 1):
        for c, value in enumerate(row):
            if c == date_col:
                sheet.write_datetime(r, c, stamp, when)
            elif value:
                digits = value.replace(" ", "")
                if digits.isdigit() and len(digits) == 11:
                    sheet.write_number(r, c, int(digits))
                else:
                    sheet.write_string(r, c, value)
    book.close()


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 100_000
    folder = Path(argv[1]) if len(argv) > 1 else Path(f"benchmarks/data/exports_{n}")
    for kind in KINDS:
        print(write(kind, n, folder))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
