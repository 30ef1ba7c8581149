"""Source profiles: recognize an export by its headers and map its columns to canonical ones.

The knowledge lives in package data (``data/profiles/*.yml``, ``data/synonyms.yml``,
``data/questions.yml``); this module only loads and applies it. A user mapping file
(``--mapping``) overrides both.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from leadtool.errors import LeadtoolError
from leadtool.schema import CANONICAL
from leadtool.yamltext import YAMLError, parse_yaml

GENERIC = "generic"


# Romanian's s and t with a comma below, as written with a cedilla — what Windows' code page
# 1250 (Excel's CSV on a Romanian PC) and older keyboards have: `Oraş` is `Oraș`.
_KEY_LETTERS = str.maketrans({"ё": "е", "ş": "ș", "ţ": "ț"})


def header_key(header: str) -> str:
    """Matching key of a header: case, spaces, punctuation and underscores ignored."""
    text = unicodedata.normalize("NFKC", str(header)).casefold().translate(_KEY_LETTERS)
    return re.sub(r"[\W_]+", "", text) or text.strip()


@dataclass(frozen=True)
class Profile:
    """How one kind of export looks and maps (see ``data/profiles``)."""

    key: str
    label: str
    source: str | None = None
    medium: str | None = None
    region: str | None = None
    timezone: str | None = None
    match_all: tuple[str, ...] = ()
    match_any: tuple[str, ...] = ()
    min_any: int = 1
    contains: tuple[str, ...] = ()
    first: tuple[str, ...] = ()  # the first header is one of these (in the UI's language)
    columns: dict[str, str | None] = field(default_factory=dict)
    strip_id_prefixes: tuple[str, ...] = ()
    source_values: dict[str, str] = field(default_factory=dict)
    organic_medium: str | None = None
    time_to_submit: tuple[str, ...] = ()

    def score(self, keys: list[str]) -> int:
        """How well headers (as keys) fit this profile; 0 when they do not."""
        present = set(keys)
        if not all(header_key(h) in present for h in self.match_all):
            return 0
        if self.first and (not keys or keys[0] not in {header_key(h) for h in self.first}):
            return 0
        if self.contains and not any(c in k for c in self.contains for k in keys):
            return 0
        # Spellings of one header count once (gcl_id and gclid are one key: a site form's
        # gclid alone was two hits).
        hits = len({header_key(h) for h in self.match_any} & present)
        if hits < self.min_any:
            return 0
        return 10 * len(self.match_all) + 5 * len(self.contains) + hits + 1


def _data_text(name: str) -> str:
    return resources.files("leadtool").joinpath("data", name).read_text(encoding="utf-8")


def load_yaml_data(name: str) -> Any:
    """Parse a YAML file shipped in the package's ``data`` folder."""
    return parse_yaml(_data_text(name))


@cache
def profiles() -> tuple[Profile, ...]:
    """All shipped profiles, in file-name order."""
    folder = resources.files("leadtool").joinpath("data", "profiles")
    out = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yml"):
            out.append(_profile_from_dict(parse_yaml(entry.read_text(encoding="utf-8"))))
    return tuple(out)


def _profile_from_dict(doc: dict[str, Any]) -> Profile:
    match = doc.get("match") or {}
    return Profile(
        key=doc["key"],
        label=doc.get("label", doc["key"]),
        source=doc.get("source"),
        medium=doc.get("medium"),
        region=doc.get("region"),
        timezone=doc.get("timezone"),
        match_all=tuple(match.get("all", ())),
        match_any=tuple(match.get("any", ())),
        min_any=int(match.get("min_any", 1 if match.get("any") else 0)),
        contains=tuple(match.get("contains", ())),
        first=_names(match.get("first")),
        columns={header_key(k): v for k, v in (doc.get("columns") or {}).items()},
        strip_id_prefixes=tuple(header_key(c) for c in doc.get("strip_id_prefixes", ())),
        source_values={str(k).casefold(): v for k, v in (doc.get("source_values") or {}).items()},
        organic_medium=doc.get("organic_medium"),
        time_to_submit=tuple(header_key(c) for c in doc.get("time_to_submit", ())),
    )


def _names(value: Any) -> tuple[str, ...]:
    """A profile setting given as one name or a list of them."""
    if value in (None, ""):
        return ()
    return tuple(str(v) for v in value) if isinstance(value, list) else (str(value),)


GENERIC_PROFILE = Profile(key=GENERIC, label="generic (column synonyms)")


def profile_by_key(key: str) -> Profile:
    for p in profiles():
        if p.key == key:
            return p
    if key == GENERIC:
        return GENERIC_PROFILE
    names = ", ".join([p.key for p in profiles()] + [GENERIC])
    raise LeadtoolError(f"unknown profile {key!r} (known: {names})")


def detect_profile(headers: list[str]) -> Profile:
    """The best-scoring shipped profile for these headers, or the generic one."""
    keys = [header_key(h) for h in headers]
    scored = [(p.score(keys), i, p) for i, p in enumerate(profiles())]
    best = max(scored, key=lambda t: (t[0], -t[1]), default=(0, 0, GENERIC_PROFILE))
    return best[2] if best[0] > 0 else GENERIC_PROFILE


@cache
def synonyms() -> dict[str, str]:
    """Header key -> canonical column, from ``data/synonyms.yml``."""
    out: dict[str, str] = {}
    for canonical, spellings in load_yaml_data("synonyms.yml").items():
        for s in spellings:
            out.setdefault(header_key(str(s)), canonical)
    return out


_NUMBERED = re.compile(r"\d+$")
_NUMBERED_COLUMNS = frozenset({"phone", "email"})  # forms ask for a second phone or e-mail


def _another_contact(key: str, profile: Profile, syn: dict[str, str]) -> str | None:
    """``phone`` or ``email`` for a numbered header of one (``Phone 2``, ``Email3``, or
    ``Телефон (2)`` — how the reader names a repeated header): another phone or e-mail of
    the lead, which fills the column where the first is empty and is kept as an x_ column.
    Other numbered headers (``Name 2``, ``Date 2``) are someone's or something else's."""
    base = _NUMBERED.sub("", key)
    if base == key or not base:
        return None
    target = profile.columns.get(base) or syn.get(base)
    return target if target in _NUMBERED_COLUMNS else None


def contact_header(header: str) -> str | None:
    """``phone`` or ``email`` when some export's header so named holds a lead's phone or
    e-mail — by the synonyms, any profile's own columns, or numbered (``Phone 2``) — as
    import maps it; else None. Tells the x_ columns kept from a lead's further phones and
    e-mails (Bitrix24's ``Рабочий телефон`` beside the mobile) wherever a file goes."""
    key, syn = header_key(header), synonyms()
    targets = {syn.get(key), *(p.columns.get(key) for p in profiles())}
    targets.add(_another_contact(key, Profile(key="", label=""), syn))
    found = targets & {"phone", "email"}
    return found.pop() if len(found) == 1 else None


@cache
def _questions() -> tuple[frozenset[str], tuple[tuple[str, re.Pattern[str]], ...]]:
    doc = load_yaml_data("questions.yml")
    words = frozenset(str(w).casefold() for w in doc["prompt_words"])
    patterns = tuple(
        (canonical, re.compile("|".join(rf"\b(?:{p})" for p in pats), re.IGNORECASE))
        for canonical, pats in doc["patterns"].items()
    )
    return words, patterns


def question_column(header: str) -> str | None:
    """Canonical column for a question-style header such as "What is your email?"."""
    text = " ".join(str(header).replace("_", " ").split())
    words, patterns = _questions()
    first = re.split(r"[\s,]+", text.casefold(), maxsplit=1)[0]
    if not (text.endswith(("?", ":")) or first in words):
        return None
    for canonical, pattern in patterns:
        if pattern.search(text):
            return canonical
    return None


def load_user_mapping(path: str) -> dict[str, str | None]:
    """Read ``--mapping``: YAML/JSON ``{header: canonical}`` (or under ``columns:``), or a
    two-column CSV ``header,column``. ``null``/empty target means "keep as x_ column"."""
    p = Path(path)
    if not p.is_file():
        raise LeadtoolError(f"{path}: no such mapping file")
    text = p.read_text(encoding="utf-8-sig")
    doc: Any
    if p.suffix.lower() == ".csv":
        doc = {}
        for n, line in enumerate(text.splitlines(), start=1):
            parts = [c.strip() for c in re.split(r"[,;\t]", line, maxsplit=1)]
            if n == 1 and header_key(parts[0]) in ("header", "column", "from"):
                continue
            if parts[0]:
                doc[parts[0]] = parts[1] if len(parts) > 1 else None
    else:
        try:
            doc = parse_yaml(text) or {}
        except YAMLError as exc:
            raise LeadtoolError(f"{path}: not valid YAML/JSON ({exc})") from exc
    if isinstance(doc, dict) and isinstance(doc.get("columns"), dict):
        doc = doc["columns"]
    if not isinstance(doc, dict):
        raise LeadtoolError(f"{path}: expected a mapping of header: column")
    out: dict[str, str | None] = {}
    for header, target in doc.items():
        if target in (None, ""):
            out[header_key(str(header))] = None
            continue
        target = str(target).strip()
        if target not in CANONICAL and not target.startswith("x_"):
            raise LeadtoolError(
                f"{path}: {header!r} maps to unknown column {target!r} "
                "(use a canonical column, see docs/schema.md, or an x_ name)"
            )
        out[header_key(str(header))] = target
    return out


def map_columns(
    headers: list[str], profile: Profile, user: dict[str, str | None] | None = None
) -> dict[str, str | None]:
    """Header -> canonical column (``None``: kept as an ``x_`` column).

    Precedence: the user's mapping, the profile's own columns, generic synonyms, a second
    phone or e-mail column (``Phone 2``, ``E-mail (2)``, a repeated ``Телефон``), then
    question-style headers. Several headers may map to one canonical column; per row, the
    first filled one in the profile's order, then the header order, wins (see importer).
    """
    user = user or {}
    syn = synonyms()
    out: dict[str, str | None] = {}
    for h in headers:
        key = header_key(h)
        if key in user:
            out[h] = user[key]
        elif key in profile.columns:
            out[h] = profile.columns[key]
        elif key in syn:
            out[h] = syn[key]
        else:
            out[h] = _another_contact(key, profile, syn) or question_column(h)
    # "Nume" beside "Prenume", "Name" beside "First name": the lone name column is the surname.
    targets = [t for t in out.values() if t]
    if "first_name" in targets and "last_name" not in targets and targets.count("name") == 1:
        for h, t in out.items():
            if t == "name" and header_key(h) not in profile.columns and header_key(h) not in user:
                out[h] = "last_name"
    # A profile's time_to_submit columns are read directly; never re-map them.
    if profile.time_to_submit:
        for h in headers:
            key = header_key(h)
            if key in profile.time_to_submit[:-1] and out.get(h) == "created_at":
                out[h] = None
    return out
