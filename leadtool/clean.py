"""The clean stage: mark bots, fakes, test entries and other junk, with reasons.

Every check is a vectorized function ``(leads, check, lists) -> boolean mask`` registered
under a stable reason code. Defaults (severity, thresholds, lists) live in
``data/checks.yml``; a user checks file overrides them. Nothing is dropped here: each lead
gets ``quality`` (ok / suspect / junk) and ``reasons`` (codes joined by ``;``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from leadtool.arrowtext import (
    TEXT,
    Codes,
    SameText,
    Words,
    ascii_digits,
    byte_size,
    cell_offsets,
    data_bytes,
    factorized,
    from_arrow,
    holds_any,
    join_coded,
    map_joined,
    named,
    split_words,
    text_where,
    to_arrow,
)
from leadtool.arrowtext import (
    mask as arrow_mask,
)
from leadtool.errors import LeadtoolError
from leadtool.gibberish import gibberish_names
from leadtool.normalize import (
    SERVICE_TYPES,
    as_numbers,
    casefolded,
    name_or_parts,
    parse_stamps,
    per_distinct,
    phone_region,
    service_numbers,
    status_key,
    telegram_handles,
)
from leadtool.once import Once
from leadtool.schema import CANONICAL, QUALITY_COLUMNS
from leadtool.sources import load_yaml_data
from leadtool.threads import pool_for
from leadtool.yamltext import YAMLError, parse_yaml

SEVERITIES = ("junk", "suspect")
QUALITIES = ("ok", "suspect", "junk")  # best to worst


@dataclass
class Check:
    """One check's settings: severity, on/off, thresholds."""

    code: str
    severity: str = "junk"
    enabled: bool = True
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class CleanConfig:
    """Checks and lists for a clean run (defaults merged with the user's files)."""

    checks: dict[str, Check]
    lists: dict[str, list[str]]
    target_countries: frozenset[str] = frozenset()


@dataclass
class CleanStats:
    """What clean found: totals, counts per reason, junk rate per source and campaign."""

    rows: int
    quality: dict[str, int]
    reasons: dict[str, int]
    by_source: list[dict[str, Any]]
    by_campaign: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "quality": self.quality,
            "reasons": self.reasons,
            "by_source": self.by_source,
            "by_campaign": self.by_campaign,
            "notes": self.notes,
        }


# --------------------------------------------------------------------------- configuration


def load_config(
    checks_file: str | None = None,
    block_domains_file: str | None = None,
    target_countries: list[str] | None = None,
) -> CleanConfig:
    """Defaults from ``data/checks.yml``, overridden by ``--checks`` and extended by
    ``--block-domains`` and ``--target-countries``. Bad settings raise LeadtoolError naming
    the file and the check."""
    defaults = load_yaml_data("checks.yml")
    checks = {code: _check(code, spec, "defaults") for code, spec in defaults["checks"].items()}
    lists = {
        name: [str(v).casefold() for v in values] for name, values in defaults["lists"].items()
    }
    if checks_file:
        _apply_user_checks(checks_file, checks, lists)
    if block_domains_file:
        lists["block_domains"] += _read_domain_list(block_domains_file)
    return CleanConfig(checks, lists, frozenset(c.strip().upper() for c in target_countries or ()))


def _check(code: str, spec: Any, origin: str) -> Check:
    spec = dict(spec or {})
    severity = spec.pop("severity", "junk")
    if severity not in SEVERITIES:
        raise LeadtoolError(
            f"{origin}: check {code}: severity must be junk or suspect, not {severity!r}"
        )
    enabled = spec.pop("enabled", True)
    return Check(code=code, severity=severity, enabled=bool(enabled), params=spec)


# The settings whose values are names from a fixed set.
_KNOWN_VALUES: dict[tuple[str, str], tuple[str, ...]] = {("service_phone", "types"): SERVICE_TYPES}


def _apply_user_checks(path: str, checks: dict[str, Check], lists: dict[str, list[str]]) -> None:
    p = Path(path)
    if not p.is_file():
        raise LeadtoolError(f"{path}: no such checks file")
    try:
        doc = parse_yaml(p.read_text(encoding="utf-8-sig")) or {}
    except YAMLError as exc:
        raise LeadtoolError(f"{path}: not valid YAML ({' '.join(str(exc).split())})") from exc
    if not isinstance(doc, dict) or set(doc) - {"checks", "lists"}:
        raise LeadtoolError(f"{path}: expected top-level keys 'checks' and/or 'lists'")
    for key, values in (("checks", "settings"), ("lists", "lists")):
        if not isinstance(doc.get(key) or {}, dict):
            raise LeadtoolError(f"{path}: {key}: expected a mapping of names to {values}")
    for code, spec in (doc.get("checks") or {}).items():
        if code not in checks:
            raise LeadtoolError(f"{path}: unknown check {code!r} (known: {', '.join(checks)})")
        if not isinstance(spec, dict):
            raise LeadtoolError(f"{path}: check {code}: expected a mapping of settings")
        merged = {"severity": checks[code].severity, "enabled": checks[code].enabled}
        merged.update(checks[code].params)
        unknown = set(spec) - set(merged)
        if unknown:
            raise LeadtoolError(f"{path}: check {code}: unknown setting {sorted(unknown)[0]!r}")
        for key, value in spec.items():
            default = merged[key]
            numeric = isinstance(default, int | float) and not isinstance(default, bool)
            if numeric and (not isinstance(value, int | float) or isinstance(value, bool)):
                raise LeadtoolError(f"{path}: check {code}: {key} must be a number")
            if isinstance(default, list) and not isinstance(value, list):
                raise LeadtoolError(f"{path}: check {code}: {key} must be a list")
            known = _KNOWN_VALUES.get((code, key))
            if known is not None and (wrong := sorted(set(map(str, value)) - set(known))):
                raise LeadtoolError(
                    f"{path}: check {code}: {key}: unknown {wrong[0]!r} (known: {', '.join(known)})"
                )
        merged.update(spec)
        checks[code] = _check(code, merged, path)
    for name, values in (doc.get("lists") or {}).items():
        if name not in lists:
            raise LeadtoolError(f"{path}: unknown list {name!r} (known: {', '.join(lists)})")
        if not isinstance(values, list):
            raise LeadtoolError(f"{path}: list {name}: expected a list")
        lists[name] = lists[name] + [str(v).casefold() for v in values]


def _read_domain_list(path: str) -> list[str]:
    p = Path(path)
    if not p.is_file():
        raise LeadtoolError(f"{path}: no such domain list")
    domains = []
    for line in p.read_text(encoding="utf-8-sig").splitlines():
        entry = line.split("#", 1)[0].strip().casefold().lstrip("@")
        if entry:
            domains.append(entry.split("@")[-1])
    return domains


# --------------------------------------------------------------------------- the stage


def clean(
    leads: pd.DataFrame, config: CleanConfig | None = None
) -> tuple[pd.DataFrame, CleanStats]:
    """Add ``quality`` and ``reasons`` to every lead; returns the leads and the stats."""
    config = config or load_config()
    frame = ensure_columns(leads)
    view = _View(frame)
    enabled = [(code, check) for code, check in config.checks.items() if check.enabled]

    def run(item: tuple[str, Check]) -> pd.Series:
        code, check = item
        return CHECKS[code](view, check, config).fillna(False).astype(bool)

    # The checks are independent and mostly Arrow kernels (which release the GIL): two
    # threads use both cores of a small machine. The longest start first (``_LONG_CHECKS``),
    # so that the other thread works through the rest meanwhile instead of waiting for
    # them at the end. Results keep the checks' order.
    first = {code: i for i, code in enumerate(_LONG_CHECKS)}
    order = sorted(enabled, key=lambda item: first.get(item[0], len(first)))
    with pool_for(len(frame), 2, "leadtool-clean") as pool:
        done = dict(zip([code for code, _ in order], pool.map(run, order), strict=True))
    masks = [done[code] for code, _ in enabled]
    codes = [(code, check.severity, m) for (code, check), m in zip(enabled, masks, strict=True)]
    junk = np.zeros(len(frame), dtype=bool)
    suspect = np.zeros(len(frame), dtype=bool)
    pieces = []  # one ";code" piece per check, joined once
    for code, severity, mask in codes:
        fired = mask.to_numpy(dtype=bool)
        pieces.append(text_where(fired, ";" + code))
        if severity == "junk":
            junk |= fired
        else:
            suspect |= fired
    reasons = join_coded(pieces, frame.index, strip=";")
    added = (*QUALITY_COLUMNS, SUGGESTED_EMAIL)  # (a file cleaned before: cleaned anew)
    out = frame.drop(columns=[c for c in added if c in frame.columns])
    ok, maybe, bad = (QUALITIES.index(q) for q in ("ok", "suspect", "junk"))
    quality = named(QUALITIES, np.where(junk, bad, np.where(suspect, maybe, ok)), frame.index)
    out = _insert_after(out, "lead_id", {"quality": quality, "reasons": reasons})
    typo = done["email_typo"].to_numpy(dtype=bool) if "email_typo" in done else None
    if typo is not None and typo.any():
        out[SUGGESTED_EMAIL] = _suggested_emails(frame, typo, config)
    return out, _stats(out, codes, junk, suspect & ~junk)


SUGGESTED_EMAIL = "x_email_suggested"


# Burst sorts keys (Arrow and numpy: the interpreter lock let go); the two name checks
# share the names' numbering and words and judge each distinct word in Python: started
# beside burst, the names are numbered at once and the interpreter-bound work overlaps
# burst's instead of the two name checks contending for the lock at the end (clean alone,
# a million varied names: 2.0 s → 1.75–1.8 s).
_LONG_CHECKS = ("burst", "test_entry", "gibberish_name")


def ensure_columns(leads: pd.DataFrame) -> pd.DataFrame:
    """Canonical columns a stage reads, added empty when a file lacks them."""
    frame = leads.fillna("").astype("str")
    missing = [c for c in CANONICAL if c not in frame.columns]
    if missing:
        frame = pd.concat(
            [frame, pd.DataFrame("", index=frame.index, columns=missing, dtype=object)], axis=1
        )
    return frame


def _insert_after(frame: pd.DataFrame, anchor: str, columns: dict[str, Any]) -> pd.DataFrame:
    position = list(frame.columns).index(anchor) + 1 if anchor in frame.columns else 0
    for offset, (name, values) in enumerate(columns.items()):
        frame.insert(position + offset, name, values)
    return frame


class _View:
    """Derived columns the checks share, computed once and only when asked for."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._cache: Once[pd.Series] = Once()
        self._names: Once[tuple[np.ndarray, Words]] = Once()
        self._domains: Once[tuple[np.ndarray, list[str]]] = Once()
        # The numbered text columns: the full name is most often the name column itself.
        self.texts: SameText[Codes] = SameText(4)

    def col(self, name: str) -> pd.Series:
        if name not in self.frame.columns:
            return pd.Series("", index=self.frame.index, dtype=object)
        return self._cached(f"col:{name}", lambda: self.frame[name].astype(str).str.strip())

    def _cached(self, key: str, make: Callable[[], pd.Series]) -> pd.Series:
        """Computed once even when two checks ask at the same time."""
        return self._cache.get(key, make)

    @property
    def email(self) -> pd.Series:
        # lower(), an Arrow kernel: addresses are lowercased by import already
        return self._cached("email", lambda: self.col("email").str.lower())

    @property
    def local(self) -> pd.Series:
        """The address before its first ``@`` and ``+``."""

        def make() -> pd.Series:
            email = to_arrow(self.email)
            if holds_any(email, ("\n",)):  # the patterns' "." stops at a line break
                return (
                    self.email.str.replace(r"@.*$", "", regex=True)
                    .str.replace(r"\+.*$", "", regex=True)
                    .fillna("")
                )
            # Split at the first "@", then "+": 3× faster than two regex replaces.
            before_at = pc.list_element(pc.split_pattern(email, "@", max_splits=1), 0)
            local = pc.list_element(pc.split_pattern(before_at, "+", max_splits=1), 0)
            return from_arrow(local, self.frame.index)

        return self._cached("local", make)

    @property
    def domain(self) -> pd.Series:
        """The address after its last ``@`` ("" without one)."""

        def make() -> pd.Series:
            email = to_arrow(self.email)
            if holds_any(email, ("\n",)):  # the pattern's "." stops at a line break
                return self.email.str.replace(r"^.*@", "", regex=True).where(
                    self.email.str.contains("@", regex=False), ""
                )
            # One split at the last "@" (a cell without one split as "@": no domain).
            at = pc.if_else(pc.match_substring(email, "@"), email, pa.scalar("@", TEXT))
            parts = pc.split_pattern(at, "@", max_splits=1, reverse=True)
            return from_arrow(pc.list_element(parts, 1), self.frame.index)

        return self._cached("domain", make)

    def by_domain(self, test: Callable[[str], bool]) -> pd.Series:
        """``test`` of each row's e-mail domain, asked once per distinct domain; the
        domains are numbered once for all the checks that ask (disposable, blocked, typo)."""

        def number() -> tuple[np.ndarray, list[str]]:
            codes, uniques = pd.factorize(self.domain, use_na_sentinel=False)
            return codes, [str(d) for d in uniques.tolist()]

        codes, domains = self._domains.get("domain", number)
        verdict = np.fromiter(map(test, domains), dtype=bool, count=len(domains))
        return pd.Series(verdict[codes], index=self.frame.index)

    @property
    def full_name(self) -> pd.Series:
        def make() -> pd.Series:
            return name_or_parts(self.col("name"), self.col("first_name"), self.col("last_name"))

        return self._cached("full_name", make)

    def by_names(self, test: Callable[[Words], np.ndarray]) -> pd.Series:
        """``test`` (a verdict per name, given the distinct names and their words) of each
        row's full name. The names are numbered and split into words once for all the checks
        that ask (a million varied names: 0.1–0.2 s)."""

        def number() -> tuple[np.ndarray, Words]:
            codes, uniques = factorized(self.full_name, self.texts)
            return codes, split_words(to_arrow(pd.Series(uniques, dtype=self.full_name.dtype)))

        codes, names = self._names.get("full_name", number)
        return pd.Series(np.asarray(test(names), dtype=bool)[codes], index=self.frame.index)

    @property
    def seconds(self) -> pd.Series:
        """created_at as epoch seconds (NaN when missing)."""

        def make() -> pd.Series:
            stamps = parse_stamps(self.col("created_at"))
            epoch = pd.Timestamp("1970-01-01", tz="UTC")
            return (stamps - epoch).dt.total_seconds()

        return self._cached("seconds", make)


# --------------------------------------------------------------------------- checks


def _no_contact(v: _View, check: Check, config: CleanConfig) -> pd.Series:
    """No valid phone or e-mail — and no Telegram username in either field (``@name``,
    ``t.me/name``, ``Telegram: @name``: forms on the Russian market ask for "phone or
    Telegram"): such a lead can be written to, and is no junk."""
    none = (v.col("phone") == "") & (v.col("email") == "")
    if not none.any():
        return none
    rows = np.flatnonzero(none.to_numpy(dtype=bool))  # only the leads without a contact
    handle = np.zeros(len(none), dtype=bool)
    for column in ("phone_raw", "email_raw"):
        found = telegram_handles(v.col(column).iloc[rows])
        handle[rows] |= (found != "").to_numpy(dtype=bool)
    return none & ~pd.Series(handle, index=none.index)


def _invalid_email(v: _View, check: Check, config: CleanConfig) -> pd.Series:
    # (A phone typed into the e-mail field, taken as the phone by import, is no bad e-mail.)
    typed = (v.col("email_raw") != "") & (v.col("email") == "")
    return _unless_noted(v, typed, "phone_in_email")


def _unless_noted(v: _View, flagged: pd.Series, note: str) -> pd.Series:
    """``flagged`` but where import noted ``note`` in ``import_issues`` (looked at only in
    the flagged rows: a few)."""
    rows = np.flatnonzero(flagged.to_numpy(dtype=bool))
    noted = v.col("import_issues").iloc[rows].str.contains(note, regex=False)
    kept = flagged.to_numpy(dtype=bool).copy()
    kept[rows] = ~noted.fillna(False).to_numpy(dtype=bool)
    return pd.Series(kept, index=flagged.index)


def _in_domains(v: _View, domains: set[str]) -> pd.Series:
    """The e-mail's domain, or its parent (``mx.spam.com`` -> ``spam.com``), is listed:
    decided once per distinct domain."""

    def listed(domain: str) -> bool:
        parent = domain.split(".", 1)[1] if domain.count(".") >= 2 else ""
        return bool(domain) and (domain in domains or parent in domains)

    return v.by_domain(listed)


def _disposable_email(v: _View, check: Check, config: CleanConfig) -> pd.Series:
    from disposable_email_domains import blocklist

    return _in_domains(v, set(blocklist) | set(config.lists["disposable_domains"]))


def _role_email(v: _View, check: Check, config: CleanConfig) -> pd.Series:
    return (v.local != "") & v.local.isin(set(config.lists["role_local_parts"]))


def _email_typo(v: _View, check: Check, config: CleanConfig) -> pd.Series:
    """The domain is one letter away from a mailbox provider's (``typo_domains``): one
    letter more, less or changed, or two letters swapped — ``gmial.com``, ``gmail.co``,
    ``yandex.ry`` — and is not a real domain itself (the providers, ``not_typos``)."""
    meant = _meant_domain(config)
    return v.by_domain(lambda domain: bool(meant(domain)))


def _meant_domain(config: CleanConfig) -> Callable[[str], str]:
    """The provider's domain a mistyped domain is one letter away from ("" for any other:
    a real domain, or none near), the first of ``typo_domains`` in their order."""
    from rapidfuzz.distance import OSA

    providers = tuple(config.lists["typo_domains"])
    known = set(providers) | set(config.lists["not_typos"])

    @cache  # (each distinct domain once: the suggestions ask row by row)
    def meant(domain: str) -> str:
        if not domain or domain in known:
            return ""
        return next(
            (
                p
                for p in providers
                if abs(len(domain) - len(p)) <= 1 and OSA.distance(domain, p, score_cutoff=1) == 1
            ),
            "",
        )

    return meant


def _suggested_emails(frame: pd.DataFrame, typo: np.ndarray, config: CleanConfig) -> pd.Series:
    """``x_email_suggested``: where ``email_typo`` fired, the address with the provider's
    domain it was one letter from (``ivan@gmial.com`` → ``ivan@gmail.com``), for whoever
    calls the lead to confirm; empty elsewhere. Few rows: worked out one by one."""
    meant = _meant_domain(config)
    out = np.full(len(frame), "", dtype=object)
    for row in np.flatnonzero(typo).tolist():
        local, _, domain = str(frame["email"].iat[row]).rpartition("@")
        if provider := meant(domain):
            out[row] = f"{local}@{provider}"
    return pd.Series(out, index=frame.index, dtype="str")


def _invalid_phone(v: _View, check: Check, config: CleanConfig) -> pd.Series:
    raw = v.col("phone_raw")
    typed = (raw != "") & (v.col("phone") == "") & ~raw.str.contains("<test lead", regex=False)
    return _unless_noted(v, typed, "email_in_phone")  # (an e-mail in the phone field: taken)


def _service_phone(v: _View, check: Check, config: CleanConfig) -> pd.Series:
    return service_numbers(v.col("phone"), check.params.get("types", ()))


def fake_digits(digits: str, min_distinct: int, run: int) -> bool:
    """Digits a person would not have: too few distinct digits, or the last ``run`` digits
    all equal or counting up or down (``+7 999 999-99-99``, ``…1234567``)."""
    if len(digits) < 5:
        return False
    national = digits[-10:]
    if len(set(national)) < min_distinct:
        return True
    tail = [int(d) for d in digits[-run:]]
    steps = {b - a for a, b in pairwise(tail)}
    return len(tail) == run and len(steps) == 1 and steps <= {-1, 0, 1}


def _fake_phone(v: _View, check: Check, config: CleanConfig) -> pd.Series:
    min_distinct = int(check.params.get("min_distinct_digits", 3))
    run = int(check.params.get("run_length", 6))
    phone = to_arrow(v.col("phone"))
    invalid = pc.equal(phone, "")  # judged by the digits typed: ASCII digits, an Arrow pattern
    typed = to_arrow(v.col("phone_raw")).filter(invalid)
    raw_digits = ascii_digits(typed)
    digits = pc.replace_with_mask(pc.utf8_ltrim(phone, "+"), invalid, raw_digits)
    return fake_digit_mask(from_arrow(digits, v.frame.index), min_distinct, run)


def fake_digit_mask(digits: pd.Series, min_distinct: int, run: int) -> pd.Series:
    """fake_digits for a whole column of ASCII digit strings, vectorized: the distinct digits
    of the last ten are counted from the text's bytes, and the last ``run`` digits are looked
    up among the few runs there are (``000000`` … ``999999``, ``012345`` … and the same
    counting down)."""
    fake: pd.Series = pd.Series(_distinct_digits(digits, 10) < min_distinct, index=digits.index)
    if run >= 2:
        equal = {str(d) * run for d in range(10)}
        up = {"".join(str(d + i) for i in range(run)) for d in range(10 - run + 1)}
        runs = equal | up | {r[::-1] for r in up}
        fake |= digits.str[-run:].isin(runs)
    return (digits.str.len() >= 5).fillna(False).astype(bool) & fake.fillna(False).astype(bool)


_DIGIT_BIT = np.zeros(256, dtype=np.uint16)
_DIGIT_BIT[ord("0") : ord("9") + 1] = 1 << np.arange(10, dtype=np.uint16)
_BITS_SET = np.array([bin(i).count("1") for i in range(1 << 10)], dtype=np.int64)


def _distinct_digits(digits: pd.Series, last: int) -> np.ndarray:
    """How many different digits the last ``last`` characters of each value hold: each byte
    becomes its digit's bit, the bits of each value's tail are OR-ed by one ``reduceat``
    over the Arrow buffer, and the set bits counted by table."""
    text = to_arrow(digits)
    counts = np.zeros(len(text), dtype=np.int64)
    if not byte_size(text):  # no digits at all
        return counts
    offsets = cell_offsets(text)
    data = data_bytes(text)
    bits = np.empty(len(data) + 1, dtype=_DIGIT_BIT.dtype)  # one spare 0 for reduceat's end
    np.take(_DIGIT_BIT, data, out=bits[:-1])
    bits[-1] = 0
    ends = offsets[1:]
    starts = np.maximum(offsets[:-1], ends - last)
    bounds = np.empty(2 * len(text), dtype=np.int64)
    bounds[0::2], bounds[1::2] = starts, ends
    tails = np.bitwise_or.reduceat(bits, bounds)[0::2]
    tails[starts == ends] = 0  # an empty value: reduceat gave the next byte's bit
    counts[:] = _BITS_SET[tails]
    return counts


def _test_entry(v: _View, check: Check, config: CleanConfig) -> pd.Series:
    words = set(config.lists["test_words"])
    tokens_all_test = v.by_names(lambda names: _test_names(names, words))
    local = v.local.str.rstrip("0123456789")
    email_test = (v.email != "") & (
        v.email.isin(set(config.lists["test_emails"]))
        | local.isin(words)
        | v.domain.isin(set(config.lists["test_domains"]))
    )
    marked = casefolded(v.col("is_test")).eq("true")
    meta = v.full_name.str.contains("<test lead", case=False, regex=False)
    return tokens_all_test | email_test | marked | meta


_NOT_WORD = re.compile(r"[^\w\s]")


def _test_name(name: str, words: set[str]) -> bool:
    """A name made only of test words ("Test", "Тест Тестов", "test123")."""
    text = " ".join(_word_chars(name).split())
    return bool(text) and (
        text in words or all(t in words or t.rstrip("0123456789") in words for t in text.split())
    )


def _test_names(names: Words, words: set[str]) -> np.ndarray:
    """``_test_name`` of each name, from its words: each distinct word is case-folded and
    split into tokens once. A name's tokens are its words' tokens in turn (folding and the
    split act letter by letter, and whitespace is no word character), so it is made of test
    words exactly when it has tokens and all of its words' tokens are test words. Only a name
    made entirely of tokens of the phrases among them ("john doe") may be one as a whole:
    those few are judged by ``_test_name`` itself."""
    phrasal = {token for word in words if " " in word for token in word.split()}
    count = len(names.distinct)
    has, off, other = np.zeros(count, bool), np.zeros(count, bool), np.zeros(count, bool)
    for i, text in enumerate(_folded_words(names.distinct)):
        found = text.split()
        has[i] = bool(found)
        off[i] = not all(t in words or t.rstrip("0123456789") in words for t in found)
        other[i] = not all(t in phrasal for t in found)
    named = names.any_of(has)
    verdict = named & ~names.any_of(off)
    for row in np.flatnonzero(named & ~verdict & ~names.any_of(other)):
        verdict[row] = _test_name(names.texts[int(row)].as_py(), words)
    return verdict


def _word_chars(text: str) -> str:
    """Case-folded, characters other than letters, digits and whitespace made spaces."""
    return _NOT_WORD.sub(" ", text.casefold())


def _folded_words(words: list[str]) -> list[str]:
    """``_word_chars`` of each word, all of them as one text."""
    return map_joined(words, _word_chars)


def _gibberish_name(v: _View, check: Check, config: CleanConfig) -> pd.Series:
    return (v.full_name != "") & v.by_names(gibberish_names)


# Links, markup and template injection: spam in any text field.
_SPAM = (
    r"https?://|www\.|<\s*/?\s*[a-z][a-z0-9]*(?:\s+[a-z-]+\s*=|\s*/?>)"
    r"|\[url|href\s*=|javascript:|\{\{|\$\{"
)
# A bare domain is spam in a person's name, not in a company name ("Ozon.ru").
_DOMAIN = r"\b[\w-]+\.(?:com|ru|net|org|info|biz|xyz|top|io|su|ly|me)\b"
# Python's re.IGNORECASE also matches "İ" and "ı" to "i", and "ſ" to "s" (a test scans every
# character for each letter these hints spell).
_FOLDS = {"i": "iIİı", "s": "sSſ"}


def _any_case(literal: str) -> str:
    """An RE2 pattern for ``literal`` in any case Python's re.IGNORECASE accepts."""
    return "".join(
        f"[{_FOLDS.get(c, c + c.upper())}]" if c.isalpha() else re.escape(c) for c in literal
    )


# Every match of a pattern holds one of its hint's pieces: only the distinct values that hold
# one are searched with the pattern itself (which Python's re runs, one call per value: its
# \s, \b and \w, with IGNORECASE, mean more than RE2's).
_SPAM_HINT = "|".join(
    map(_any_case, ("http", "www.", "<", "[url", "href", "javascript:", "{{", "${"))
)
_DOMAIN_HINT = re.escape(".")


def _spam_content(v: _View, check: Check, config: CleanConfig) -> pd.Series:
    mask = _searched(v.col("company"), [(_SPAM, _SPAM_HINT)], v.texts)
    for col in ("name", "first_name", "last_name"):
        mask |= _searched(v.col(col), [(_SPAM, _SPAM_HINT), (_DOMAIN, _DOMAIN_HINT)], v.texts)
    return mask


def _searched(
    text: pd.Series, patterns: list[tuple[str, str]], memo: SameText[Codes] | None = None
) -> pd.Series:
    """Where any (pattern, hint) pattern is found (case-insensitive), searched once per
    distinct value and only in the values its hint finds (Arrow's RE2, case-sensitive):
    names repeat, and pandas runs these patterns through Python's re."""
    codes, uniques = factorized(text, memo)
    distinct = pd.Series(uniques, dtype=text.dtype)
    values = to_arrow(distinct)
    hit = np.zeros(len(distinct), dtype=bool)
    for pattern, hint in patterns:
        hinted = np.flatnonzero(arrow_mask(pc.match_substring_regex(values, hint)))
        if not len(hinted):
            continue
        found = distinct.iloc[hinted].str.contains(pattern, case=False, regex=True)
        hit[hinted] |= found.fillna(False).to_numpy(dtype=bool)
    return pd.Series(hit[codes], index=text.index)


def _honeypot(v: _View, check: Check, config: CleanConfig) -> pd.Series:
    value = casefolded(v.col("honeypot"))
    return (value != "") & ~value.isin({"false", "0", "no"})


def _too_fast(v: _View, check: Check, config: CleanConfig) -> pd.Series:
    seconds = as_numbers(v.col("time_to_submit"))
    return (seconds >= 0) & (seconds < float(check.params.get("min_seconds", 3)))


def burst_mask(keys: pd.Series, seconds: pd.Series, min_count: int, window: float) -> pd.Series:
    """Rows among ``min_count`` or more with the same key within ``window`` seconds.

    Vectorized: sort by (key, time), find for each row how many rows of its key fall in
    the window starting at it (``searchsorted`` on key-offset times), and mark every row
    covered by a window that holds enough.
    """
    valid = ((keys.fillna("") != "") & seconds.notna()).to_numpy(dtype=bool, copy=True)
    if valid.sum() < min_count:
        return pd.Series(False, index=keys.index)
    codes, _ = pd.factorize(keys[valid])
    # Only a key given min_count times or more can burst: the rest (most keys) are not sorted.
    frequent = np.bincount(codes)[codes] >= min_count
    valid[valid] = frequent
    if not frequent.any():
        return pd.Series(False, index=keys.index)
    codes = codes[frequent]
    t = seconds[valid].to_numpy(dtype=float)
    t = t - t.min()
    span = t.max() + window + 1.0
    combined = codes * span + t
    order = np.argsort(combined, kind="stable")
    sorted_vals = combined[order]
    ends = np.searchsorted(sorted_vals, sorted_vals + window, side="right")
    starts = np.arange(len(sorted_vals))
    full = (ends - starts) >= min_count
    cover = np.zeros(len(sorted_vals) + 1, dtype=np.int64)
    np.add.at(cover, starts[full], 1)
    np.add.at(cover, ends[full], -1)
    in_burst_sorted = np.cumsum(cover)[:-1] > 0
    in_burst = np.empty(len(sorted_vals), dtype=bool)
    in_burst[order] = in_burst_sorted
    out = np.zeros(len(keys), dtype=bool)
    out[valid] = in_burst
    return pd.Series(out, index=keys.index)


def _burst(v: _View, check: Check, config: CleanConfig) -> pd.Series:
    min_count = int(check.params.get("min_count", 5))
    window = float(check.params.get("window_minutes", 10)) * 60
    mask = pd.Series(False, index=v.frame.index)
    for key in check.params.get("keys", ["ip", "phone", "email"]):
        values = v.email if key == "email" else v.col(key)
        if (values != "").any():
            mask |= burst_mask(values, v.seconds, min_count, window)
    return mask


def _blocked_domain(v: _View, check: Check, config: CleanConfig) -> pd.Series:
    return _in_domains(v, set(config.lists["block_domains"]))


def _out_of_geo(v: _View, check: Check, config: CleanConfig) -> pd.Series:
    if not config.target_countries:
        return pd.Series(False, index=v.frame.index)
    region = per_distinct(v.col("phone"), lambda p: phone_region(p) if p else "")
    country = v.col("country").str.upper()
    where = region.where(region != "", country)
    return (where != "") & ~where.isin(config.target_countries)


def _marked_junk(v: _View, check: Check, config: CleanConfig) -> pd.Series:
    """The export itself says junk: a CRM's stage or status (Bitrix24 ``Некачественный
    лид``, HubSpot ``Unqualified``, Zoho ``Junk Lead``) or a sales team's tag (amoCRM
    ``спам``) in one of the check's ``columns`` — import keeps such columns as ``x_…``.
    The people who called the lead judged it: its junk counts in the report like any."""
    verdicts = {status_key(v) for v in config.lists["junk_statuses"]}
    mask = pd.Series(False, index=v.frame.index)
    for column in check.params.get("columns", []):
        if str(column) in v.frame.columns:
            mask |= per_distinct(v.col(str(column)), lambda cell: _is_verdict(cell, verdicts))
    return mask


_VERDICT_SEPARATORS = re.compile(r"[,;|\n]")


def _is_verdict(cell: str, verdicts: set[str]) -> bool:
    """The cell, or one of its comma-, semicolon- or bar-separated tags, is a verdict
    (``status_key``: ``JUNK_LEAD`` is ``junk lead``). A tag may be quoted, as Mailchimp
    writes its tags: ``"Spam","Webinar"``."""
    if not cell:
        return False
    parts = [cell, *_VERDICT_SEPARATORS.split(cell)]
    return any(status_key(part.strip().strip("\"'«»")) in verdicts for part in parts)


CHECKS: dict[str, Callable[[_View, Check, CleanConfig], pd.Series]] = {
    "no_contact": _no_contact,
    "invalid_email": _invalid_email,
    "disposable_email": _disposable_email,
    "role_email": _role_email,
    "email_typo": _email_typo,
    "invalid_phone": _invalid_phone,
    "fake_phone": _fake_phone,
    "service_phone": _service_phone,
    "test_entry": _test_entry,
    "gibberish_name": _gibberish_name,
    "spam_content": _spam_content,
    "honeypot": _honeypot,
    "too_fast": _too_fast,
    "burst": _burst,
    "blocked_domain": _blocked_domain,
    "out_of_geo": _out_of_geo,
    "marked_junk": _marked_junk,
}


# --------------------------------------------------------------------------- stats


def _stats(
    frame: pd.DataFrame,
    codes: list[tuple[str, str, pd.Series]],
    junk: np.ndarray,
    suspect: np.ndarray,
) -> CleanStats:
    """Counts per quality and reason, rates per source and campaign; ``junk`` and
    ``suspect``: the rows of each quality (the masks the qualities were named from)."""
    n_junk, n_suspect = int(junk.sum()), int(suspect.sum())
    counts = {"ok": len(frame) - n_junk - n_suspect, "suspect": n_suspect, "junk": n_junk}
    return CleanStats(
        rows=len(frame),
        quality={q: counts[q] for q in QUALITIES},
        reasons={code: int(mask.sum()) for code, _, mask in codes if mask.any()},
        by_source=_rates(frame, ["source"], junk, suspect),
        by_campaign=_rates(frame, ["source", "campaign"], junk, suspect),
        notes=_notes(len(frame), codes),
    )


# A check that marks every one of this many leads junk more likely misreads the file than
# finds it all junk: an anonymized export has no contacts, a test account's export is all
# test leads. Said, not changed.
_WHOLE_FILE = 20


def _notes(rows: int, codes: list[tuple[str, str, pd.Series]]) -> list[str]:
    """A note for each junk check that fired on every lead of a file of some size."""
    notes = []
    for code, severity, mask in codes:
        if severity != "junk" or rows < _WHOLE_FILE or not bool(mask.all()):
            continue
        why = (
            "no lead has a phone, an e-mail or a Telegram username (an anonymized export, "
            "or contact columns import did not know: `leadtool inspect` shows its mapping)"
            if code == "no_contact"
            else "is the check right for this file?"
        )
        notes.append(
            f"{code} marks every lead junk: {why}; a checks file can switch it off "
            f"(`{code}: {{enabled: false}}`, docs/checks.md)"
        )
    return notes


def _numbered(values: np.ndarray, bound: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)`` of integers in ``[0, bound)``: counted
    with ``np.bincount`` rather than sorted when the bound is not far above the count (a
    million leads' source and campaign groups: 0.07 s → 0.01 s)."""
    if bound > 4 * len(values) + 1024:
        return np.unique(values, return_inverse=True)
    keys = np.flatnonzero(np.bincount(values, minlength=bound))
    place = np.zeros(bound, dtype=np.intp)
    place[keys] = np.arange(len(keys))
    return keys, place[values]


def _rates(
    frame: pd.DataFrame, by: list[str], junk: np.ndarray, suspect: np.ndarray
) -> list[dict[str, Any]]:
    """Leads, junk, suspect and junk rate per group (in the order of the group keys), worst
    junk rate first: counted with ``np.bincount`` over one integer per group, each key
    column's values numbered in sorted order (a million leads: a few groups, no groupby)."""
    group = np.zeros(len(frame), dtype=np.int64)
    names = []
    for column in by:
        codes, uniques = pd.factorize(frame[column].astype(str), sort=True)
        group = group * len(uniques) + codes
        names.append(np.asarray(uniques, dtype=object))
    keys, group = _numbered(group, int(np.prod([len(v) for v in names])))
    table = pd.DataFrame(index=range(len(keys)))
    rest = keys
    for column, values in reversed(list(zip(by, names, strict=True))):
        rest, code = np.divmod(rest, len(values))
        table[column] = values[code]
    table = table[by]
    table["leads"] = np.bincount(group, minlength=len(keys))
    for name, flags in (("junk", junk), ("suspect", suspect)):
        table[name] = np.bincount(group, weights=flags, minlength=len(keys)).astype(np.int64)
    table["junk_rate"] = (table["junk"] / table["leads"]).round(4)
    table = table.sort_values(["junk_rate", "leads"], ascending=[False, False], kind="stable")
    return [
        {
            **{c: row[c] for c in by},
            "leads": int(row["leads"]),
            "junk": int(row["junk"]),
            "suspect": int(row["suspect"]),
            "junk_rate": float(row["junk_rate"]),
        }
        for _, row in table.iterrows()
    ]
