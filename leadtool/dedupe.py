"""The dedupe stage: one person, one lead — across sources and across nights.

Matching has two parts. Exact: the same e-mail (for matching only: case, Gmail dots and
``+tags`` folded) or the same E.164 phone — unless the names of the leads sharing it
clearly differ (an office's number, an ``info@`` mailbox: ``_name_clusters``). Fuzzy: the
same person typed differently — names compared with rapidfuzz after transliteration and
token sorting, only inside blocks of leads that already agree on a supporting field
(company, e-mail local part, or any ``--fields`` column), so the work grows with the data,
never with its square. Matches are edges of a graph; its connected components are the
duplicate groups (A shares a phone with B, B an e-mail with C: one person). Junk never
merges into genuine leads.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from leadtool.arrowtext import (
    TEXT,
    Words,
    cell_offsets,
    data_bytes,
    from_arrow,
    is_in,
    map_joined,
    mask,
    split_words,
    to_arrow,
)
from leadtool.errors import LeadtoolError
from leadtool.normalize import (
    iso_seconds,
    name_or_parts,
    parse_stamps,
    per_distinct,
    telegram_handles,
    transliterate,
)
from leadtool.schema import DEDUPE_COLUMNS
from leadtool.sha1hex import hex12
from leadtool.sources import load_yaml_data
from leadtool.threads import pool_for

KEEP_RULES = ("first", "last", "complete", "priority")
DEFAULT_FIELDS = ("company", "email_local")
DEFAULT_THRESHOLD = 0.88
MAX_BLOCK = 200  # larger blocks are split by the name's first letter
# Fields the primary takes from the other members of its group when its own are empty.
FILL_COLUMNS = (
    "name",
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "job_title",
    "city",
    "country",
    "message",
    "budget",
    "authority",
    "need",
    "timeframe",
)
_GMAIL = ("gmail.com", "googlemail.com")
_GMAIL_END = "@(?:" + "|".join(re.escape(d) for d in _GMAIL) + ")$"


@dataclass
class DedupeOptions:
    """How to match and whom to keep (see docs/commands/dedupe.md)."""

    fuzzy: bool = True
    fields: tuple[str, ...] = DEFAULT_FIELDS
    threshold: float = DEFAULT_THRESHOLD
    keep: str = "first"
    source_priority: tuple[str, ...] = ()


@dataclass
class DedupeStats:
    rows: int
    groups: int
    duplicates: int
    matched_history: int
    pairs_by_rule: dict[str, int] = field(default_factory=dict)


# --------------------------------------------------------------------------- keys


def email_key(emails: pd.Series) -> pd.Series:
    """E-mail as compared: lowercase, ``+tag`` dropped, dots ignored at Gmail. Arrow
    kernels only (split at the last ``@`` and the first ``+``): no Python work per row.
    Most addresses have no ``+`` and are not Gmail's, and their key is the address itself:
    only the others are split."""
    email = pc.utf8_lower(pc.utf8_trim_whitespace(to_arrow(emails)))
    has_at = pc.match_substring(email, "@")
    reworked = pc.or_(
        pc.match_substring(email, "+"),
        pc.match_substring_regex(email, _GMAIL_END),
    )
    rework = pc.and_(has_at, reworked)
    if pc.any(rework).as_py():
        email = pc.replace_with_mask(email, rework, _split_key(pc.filter(email, rework)))
    return from_arrow(pc.if_else(has_at, email, pa.scalar("", TEXT)), emails.index)


def _split_key(email: pa.Array) -> pa.Array:
    """The key of addresses holding an ``@``: the local part up to its first ``+``, and at
    Gmail without dots, joined to the domain (after the last ``@``)."""
    parts = pc.split_pattern(email, "@", max_splits=1, reverse=True)
    local = pc.list_element(pc.split_pattern(pc.list_element(parts, 0), "+", max_splits=1), 0)
    domain = pc.list_element(parts, 1)
    gmail = pc.is_in(domain, value_set=pa.array(_GMAIL, TEXT))
    local = pc.if_else(gmail, pc.replace_substring(local, ".", ""), local)
    domain = pc.if_else(gmail, pa.scalar("gmail.com", TEXT), domain)
    return pc.binary_join_element_wise(local, domain, pa.scalar("@", TEXT))


def name_key(frame: pd.DataFrame, rows: np.ndarray | None = None) -> pd.Series:
    """Name as compared: transliterated, lowercase, letters only, tokens sorted. With
    ``rows`` (positions), only those rows' names are keyed, the others' keys are ""."""
    if rows is not None:
        parts = frame[["name", "first_name", "last_name"]].iloc[rows]
        keys = to_arrow(name_key(parts)) if len(rows) else pa.array([], TEXT)
        where = np.full(len(frame), len(rows), dtype=np.intp)
        where[rows] = np.arange(len(rows))
        padded = pa.concat_arrays([keys, pa.array([""], TEXT)])
        return from_arrow(padded.take(pa.array(where)), frame.index)
    name = frame["name"].astype(str)
    blank = name.mask(name.str.strip() == "", "")  # a name of spaces is no name
    first, last = frame["first_name"].astype(str), frame["last_name"].astype(str)
    names = name_or_parts(blank, first, last)
    codes, uniques = pd.factorize(names, use_na_sentinel=False)
    keys = name_keys(split_words(to_arrow(pd.Series(uniques, dtype=names.dtype))))
    return from_arrow(keys.take(pa.array(codes)), names.index)


def _name_key(name: str) -> str:
    """The key of one name (``name_keys`` gives many at once)."""
    return " ".join(sorted(r for r in _letter_runs(name) if r not in _ignored_titles()))


@cache
def _ignored_titles() -> frozenset[str]:
    """Titles left out of name keys (``data/names.yml``), as their letter runs."""
    titles = load_yaml_data("names.yml")["ignored_in_matching"]
    return frozenset(run for title in titles for run in _letter_runs(str(title)))


def _letter_runs(text: str) -> list[str]:
    """The runs of letters of the transliterated text."""
    return _letters(text).split()


def _letters(text: str) -> str:
    """The text transliterated, its characters other than letters (and line breaks) made
    spaces; the letter test looks at each distinct character once."""
    latin = transliterate(text)
    others = [c for c in set(latin) if not c.isalpha() and c != "\n"]
    if len(others) > 32:  # many kinds: one table pass
        return latin.translate({ord(c): " " for c in others})
    for c in others:  # a few kinds (a hyphen, an apostrophe, digits): faster than a table
        latin = latin.replace(c, " ")
    return latin


def _letters_of_words(words: list[str]) -> list[str]:
    """``_letters`` of each word, all of them as one text."""
    return map_joined(words, _letters)


def name_keys(names: Words) -> pa.Array:
    """``_name_key`` of each name, from its words: each distinct word is transliterated and
    split into letter runs once in Python (transliteration and the letter test act letter by
    letter, and whitespace is no letter, so a name's runs are its words' runs in turn); each
    name's runs are then put in order by one numpy sort on (name, rank of the run) and joined
    by Arrow. A million varied names hold some 150,000 distinct words."""
    number: dict[str, int] = {}
    counts = np.zeros(len(names.distinct), dtype=np.intp)
    runs: list[int] = []
    titles = _ignored_titles()
    for i, letters in enumerate(_letters_of_words(names.distinct)):
        found = [run for run in letters.split() if run not in titles]
        counts[i] = len(found)
        runs.extend(number.setdefault(run, len(number)) for run in found)
    distinct = list(number)
    rank = np.empty(len(distinct), dtype=np.intp)
    rank[sorted(range(len(distinct)), key=distinct.__getitem__)] = np.arange(len(distinct))
    # Each word of each name, expanded into its runs.
    per_word = counts[names.codes]
    starts = np.repeat((np.cumsum(counts) - counts)[names.codes], per_word)
    within = np.arange(int(per_word.sum())) - np.repeat(np.cumsum(per_word) - per_word, per_word)
    run = np.asarray(runs, dtype=np.intp)[starts + within]
    row = np.repeat(names.rows, per_word)
    run = run[np.lexsort((rank[run], row))]
    offsets = np.zeros(len(names.texts) + 1, dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=len(names.texts)), out=offsets[1:])
    listed = pa.LargeListArray.from_arrays(
        pa.array(offsets), pa.array(distinct, TEXT).take(pa.array(run))
    )
    return pc.binary_join(listed, pa.scalar(" ", TEXT))


def field_values(frame: pd.DataFrame, column: str, emails: pd.Series | None = None) -> pd.Series:
    """A supporting field, normalized for comparison ("" when empty). ``emails``: the rows'
    email_key when already computed."""
    if column == "email_local":
        # dots ignored everywhere here: ivan.petrov@gmail.com is ivanpetrov once keyed
        keys = email_key(frame["email"]) if emails is None else emails
        before_at = pc.split_pattern(to_arrow(keys), "@", max_splits=1, reverse=True)
        local = from_arrow(pc.replace_substring(pc.list_element(before_at, 0), ".", ""), keys.index)
        shared = set(load_yaml_data("checks.yml")["lists"]["role_local_parts"])
        # "info", "sales", "ivan" alone prove nothing about who wrote
        return local.where((local.str.len() >= 5) & ~local.isin(shared), "")
    if column not in frame.columns:
        raise LeadtoolError(f"--fields: no column {column!r} in the leads")
    text = frame[column].fillna("").astype(str)
    return per_distinct(text, lambda v: " ".join(transliterate(v).replace('"', " ").split()))


# --------------------------------------------------------------------------- graph


def components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Connected components of ``n`` nodes and edges (a, b): each node's smallest member.

    Hook-and-compress label propagation: vectorized, converges in a few rounds.
    """
    labels = np.arange(n, dtype=np.int64)
    if len(a) == 0:
        return labels
    while True:
        la, lb = labels[a], labels[b]
        low = np.minimum(la, lb)
        np.minimum.at(labels, la, low)
        np.minimum.at(labels, lb, low)
        while True:
            jumped = labels[labels]
            if np.array_equal(jumped, labels):
                break
            labels = jumped
        if np.array_equal(labels[a], labels[b]):
            return labels


def _key_groups(keys: pd.Series, partition: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows holding a key (e-mail key, phone) that another row of their partition holds
    too, ascending, and a number per (key, partition) for each."""
    valid = (keys != "").to_numpy(dtype=bool)
    rows = np.flatnonzero(valid)
    if len(rows) == 0:
        return rows, rows
    group = _block_codes(keys[valid], partition[rows])
    shared = np.bincount(group)[group] >= 2
    return rows[shared], group[shared]


def _telegram_groups(frame: pd.DataFrame, partition: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``_key_groups`` of the Telegram usernames typed instead of a phone or an e-mail
    (forms of the Russian market ask for "phone or Telegram"): a username is one person's,
    as a number is. Only a field that gave no valid phone or e-mail is read."""
    found: dict[int, str] = {}  # row -> username (few rows have one)
    for column, raw in (("phone", "phone_raw"), ("email", "email_raw")):
        if raw not in frame.columns:
            continue
        rows = np.flatnonzero((frame[column] == "").to_numpy(dtype=bool))
        handles = telegram_handles(frame[raw].iloc[rows])
        for at in np.flatnonzero((handles != "").to_numpy(dtype=bool)).tolist():
            found.setdefault(int(rows[at]), str(handles.iloc[at]))
    if not found:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    keys = np.full(len(frame), "", dtype=object)
    keys[list(found)] = list(found.values())
    return _key_groups(pd.Series(keys, index=frame.index, dtype="str"), partition)


def _phone_groups(frame: pd.DataFrame, partition: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``_key_groups`` of the phones — each lead's ``phone`` and the further numbers import
    found beside it (``x_phone_extra``: a CRM contact's "8 912 …, 8 926 …") — as (rows,
    key group) pairs; a lead holding two numbers is in two groups. Another night's form that
    gives only the second number is the same person. A number clean found to be a service
    line (``service_phone``: a toll-free hotline, a premium-rate or shared-cost number, often
    typed as a made-up one) is nobody's: no key."""
    phones = frame["phone"]
    if "reasons" in frame.columns:
        service = mask(pc.match_substring(to_arrow(frame["reasons"]), SERVICE_REASON))
        if service.any():
            phones = phones.where(pd.Series(~service, index=phones.index), "")
    return _groups_with_extras(frame, phones, "x_phone_extra", partition)


SERVICE_REASON = "service_phone"  # clean's reason code for a service line's number


def _email_groups(
    frame: pd.DataFrame, keys: pd.Series, partition: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``_phone_groups`` for the e-mails: each lead's ``email`` key and those of the further
    addresses of its cell (``x_email_extra``: "ivan@mail.ru, i.petrov@corp.ru")."""
    return _groups_with_extras(frame, keys, "x_email_extra", partition, email_key)


def _groups_with_extras(
    frame: pd.DataFrame,
    keys: pd.Series,
    extra_column: str,
    partition: np.ndarray,
    key: Callable[[pd.Series], pd.Series] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``_key_groups`` of ``keys`` and of the ``;``-joined values of ``extra_column`` (as
    ``key`` makes them keys), as (rows, key group) pairs: a row holding two keys is in two
    groups."""
    every = np.arange(len(keys))
    owners, combined = _with_extras(every, to_arrow(keys), frame, extra_column, key)
    if len(owners) == len(keys):  # no further keys
        return _key_groups(keys, partition)
    order = np.argsort(owners, kind="stable")  # each lead's keys together, leads ascending
    owners = owners[order]
    rows, group = _key_groups(from_arrow(combined.take(pa.array(order))), partition[owners])
    return owners[rows], group


MAX_NAMES_ON_KEY = 100  # distinct names on one key beyond which no two are compared


def _exact_edges(
    rows: np.ndarray, group: np.ndarray, names: tuple[np.ndarray, pa.Array], threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    """Edges from every row of a key group (``_key_groups``) to the group's first row whose
    name does not clearly differ from its own (``_name_clusters``): a phone or e-mail is one
    person's — unless leads with plainly different names share it, as everyone at a
    company shares its office number and ``info@`` mailbox. ``names``: ``_coded_names``."""
    if len(rows) == 0:
        return rows, rows
    codes, texts = names
    cluster = _name_clusters(group, codes[rows], texts, threshold)
    if cluster.any():  # (a number per group and person: a key of many people has many)
        group, _ = pd.factorize(group.astype(np.int64) * (int(cluster.max()) + 1) + cluster)
    first = np.full(int(group.max()) + 1, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, group, rows)  # rows ascend: the smallest is the first
    target = first[group]
    keep = target != rows
    return rows[keep], target[keep]


def _coded_names(
    keys: pd.Series, rows: np.ndarray, partition: np.ndarray
) -> tuple[np.ndarray, pa.Array]:
    """The name key of each of ``rows`` as a code into the distinct keys, -1 for the other
    rows and for no name or junk (a bot sending one number under random names is one
    sender, and is not asked its name)."""
    encoded = pc.dictionary_encode(to_arrow(keys).take(pa.array(rows)))
    found = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    empty = pc.index(encoded.dictionary, pa.scalar("", TEXT)).as_py()
    if empty >= 0:
        found[found == empty] = -1
    codes = np.full(len(keys), -1, dtype=np.int64)
    codes[rows] = found
    codes[partition != 0] = -1
    return codes, encoded.dictionary


def _name_clusters(
    group: np.ndarray, codes: np.ndarray, texts: pa.Array, threshold: float
) -> np.ndarray:
    """For each row (its key group, the code of its name key into ``texts``, -1 for none):
    which of its group's people it is, 0 the first. Names of one group are one person
    unless they clearly differ: they agree when the words (of two letters or more) of one
    are all among the other's — a first name alone, a surname alone, a patronymic added —
    or when they are alike by rapidfuzz's ratio at ``threshold`` (a typo, another spelling);
    a first name in common is not enough (two Ivans of one office). Each distinct name, in
    order of first appearance, joins the first person whose first-seen name it agrees
    with, or is a new person. Rows without a name are the first person: they never join two people
    together. Only groups holding two distinct names or more are looked at in Python (a
    few in most exports; one per company in a CRM's contacts)."""
    cluster = np.zeros(len(group), dtype=np.int64)
    named = codes >= 0
    if not named.any():
        return cluster
    width = len(texts)
    pair = group[named].astype(np.int64) * width + codes[named]
    found, first = np.unique(pair, return_index=True)
    many = np.bincount(found // width)[found // width] >= 2
    if not many.any():
        return cluster
    found, first = found[many], first[many]
    order = np.lexsort((first, found // width))  # by group, then first appearance
    in_group = found[order] // width
    listed = texts.take(pa.array(found[order] % width)).to_pylist()
    from rapidfuzz.fuzz import ratio

    people = np.empty(len(order), dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, np.diff(in_group) != 0]).tolist()
    for start, end in zip(starts, [*starts[1:], len(order)], strict=True):
        people[start:end] = _people_of(listed[start:end], threshold * 100, ratio)
    at = np.minimum(np.searchsorted(found, pair), len(found) - 1)  # found is sorted
    hit = found[at] == pair
    by_found = np.empty(len(found), dtype=np.int64)
    by_found[order] = people
    cluster[np.flatnonzero(named)[hit]] = by_found[at[hit]]
    return cluster


def _people_of(names: list[str], cutoff: float, ratio: Callable[..., float]) -> list[int]:
    """The person of each of a key group's distinct names (see ``_name_clusters``);
    ``cutoff``: the threshold as a score of ``ratio`` (rapidfuzz's)."""
    if len(names) > MAX_NAMES_ON_KEY:  # a key of a hundred people identifies none
        return list(range(len(names)))
    firsts: list[tuple[str, set[str]]] = []
    people = []
    for name in names:
        words = {w for w in name.split() if len(w) >= 2}
        for person, (other, other_words) in enumerate(firsts):
            if (
                words <= other_words
                or other_words <= words
                or ratio(name, other, score_cutoff=cutoff)
            ) and not genders_differ(name, other):
                people.append(person)
                break
        else:
            people.append(len(firsts))
            firsts.append((name, words))
    return people


class _NameKeys:
    """Name keys (``name_key``) computed when first asked for, each row's once: the fuzzy
    and the exact matching ask for different rows, most of them the same."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.done = np.zeros(len(frame), dtype=bool)
        self.keys: pd.Series | None = None

    def __call__(self, rows: np.ndarray) -> pd.Series:
        new = rows[~self.done[rows]]
        if self.keys is None or len(new):
            fresh = name_key(self.frame, new)
            if self.keys is not None:
                where = np.zeros(len(self.frame), dtype=bool)
                where[new] = True
                merged = pc.if_else(pa.array(where), to_arrow(fresh), to_arrow(self.keys))
                fresh = from_arrow(merged, self.keys.index)
            self.keys = fresh
            self.done[new] = True
        return self.keys


# --------------------------------------------------------------------------- fuzzy


def fuzzy_pairs(
    names: Callable[[np.ndarray], pd.Series],
    supports: dict[str, pd.Series],
    partition: np.ndarray,
    threshold: float,
) -> pd.DataFrame:
    """Pairs of rows whose names are alike (score >= threshold) and that agree on a field.

    Blocks are rows sharing a supporting field value (and partition); a block larger than
    MAX_BLOCK is split by the first letter of the name key. The pairs of small blocks (most
    blocks are two leads) are listed with numpy, a run of blocks of up to PAIRS_AT_ONCE
    pairs at a time, and scored by rapidfuzz's ``cpdist`` once per run (only the pairs
    whose names share letters enough: ``_scores``). ``names`` gives the name keys of the
    given rows ("" for the others):
    only rows that share a field value with another row are ever compared, and only their
    names are keyed (a third of the distinct names of a million varied leads).
    """
    found: list[pd.DataFrame] = []
    blocks: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    shared = np.zeros(len(partition), dtype=bool)
    for column, values in supports.items():
        rows = np.flatnonzero((values != "").to_numpy())
        if len(rows) >= 2:
            codes = _block_codes(values.iloc[rows], partition[rows])
            blocks[column] = (rows, codes)
            shared[rows[np.bincount(codes)[codes] >= 2]] = True
    keys = names(np.flatnonzero(shared))
    # Names repeat: pairs are scored by their names' codes, each distinct pair of names once.
    name_codes, distinct_names = pd.factorize(keys, use_na_sentinel=False)
    name_arr = np.asarray(distinct_names, dtype=object)
    counts = _letter_counts(name_arr)
    named = (keys != "").to_numpy()
    for column, (rows, codes) in blocks.items():
        # Rows without a name key leave their blocks; the blocks keep the order of their
        # first named row (what numbering the named rows alone gives).
        keep = named[rows]
        rows, codes = rows[keep], pd.factorize(codes[keep])[0]
        if len(rows) < 2:
            continue
        big = np.bincount(codes)[codes] > MAX_BLOCK
        if big.any():  # split by the name's first letter
            first = pd.Series(name_arr[name_codes[rows[big]]], dtype=object).str[:1]
            letters, _ = pd.factorize(first)
            split = codes.astype(np.int64) * (int(letters.max()) + 2)
            split[big] += letters + 1
            codes, _ = pd.factorize(split)
        multi = np.bincount(codes)[codes] >= 2
        rows, codes = rows[multi], codes[multi]
        order = np.argsort(codes, kind="stable")
        rows, codes = rows[order], codes[order]
        for piece in _runs_of_blocks(codes, PAIRS_AT_ONCE):
            a, b = _block_pairs(rows[piece], codes[piece])
            scores = _scores(name_arr, name_codes[a], name_codes[b], threshold, counts)
            keep = scores > 0
            if keep.any():
                found.append(
                    pd.DataFrame(
                        {
                            "a": a[keep],
                            "b": b[keep],
                            "rule": "fuzzy",
                            "fields": f"name+{column}",
                            "score": (scores[keep] / 100).round(3),
                        }
                    )
                )
    if not found:
        return pd.DataFrame({"a": [], "b": [], "rule": [], "fields": [], "score": []})
    pairs = pd.concat(found, ignore_index=True)
    return pairs.drop_duplicates(subset=["a", "b"], keep="first")


def _block_codes(values: pd.Series, partition: np.ndarray) -> np.ndarray:
    """A number per (value, partition), in order of first appearance."""
    value_codes, _ = pd.factorize(values)
    codes, _ = pd.factorize(value_codes.astype(np.int64) * (int(partition.max()) + 1) + partition)
    return np.asarray(codes)


PAIRS_AT_ONCE = 2_000_000  # pairs listed and scored together: bounds the memory they take


def _runs_of_blocks(codes: np.ndarray, most: int) -> list[slice]:
    """Slices of ``codes`` (sorted: each block contiguous) covering whole blocks, in order,
    each holding at most ``most`` pairs unless one block alone has more. A company or
    domain shared by hundreds of leads gives tens of thousands of pairs; thousands of such
    blocks listed at once took gigabytes (4 GB for 25 million pairs)."""
    if not len(codes):
        return []
    starts = np.flatnonzero(np.r_[True, np.diff(codes) != 0])
    sizes = np.diff(np.r_[starts, len(codes)])
    pairs = np.where(sizes > MAX_BLOCK * 5, 0, sizes * (sizes - 1) // 2)
    total = np.cumsum(pairs)
    cuts, begin, done = [], 0, 0
    while begin < len(starts):
        # the blocks whose pairs end within ``most`` of where this run begins (at least one)
        end = max(int(np.searchsorted(total, done + most, side="right")), begin + 1)
        cuts.append(
            slice(int(starts[begin]), int(starts[end]) if end < len(starts) else len(codes))
        )
        done, begin = int(total[end - 1]), end
    return cuts


def _block_pairs(rows: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair (i < j by position) inside each block of rows sorted by block code, in
    block order then row-major order — the order a matrix per block would give."""
    if not len(rows):
        return rows, rows
    starts = np.flatnonzero(np.r_[True, np.diff(codes) != 0])
    sizes = np.diff(np.r_[starts, len(rows)])
    pieces_a, pieces_b, pieces_key = [], [], []
    for size in np.unique(sizes):
        if size > MAX_BLOCK * 5:  # still huge after splitting: too weak to compare
            continue
        i, j = np.triu_indices(int(size), k=1)
        first = starts[sizes == size]
        pieces_a.append((first[:, None] + i[None, :]).ravel())
        pieces_b.append((first[:, None] + j[None, :]).ravel())
        pieces_key.append(np.repeat(first, len(i)))
    if not pieces_a:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    pos_a, pos_b = np.concatenate(pieces_a), np.concatenate(pieces_b)
    order = np.lexsort((pos_b, pos_a, np.concatenate(pieces_key)))
    return rows[pos_a[order]], rows[pos_b[order]]


def _scores(
    names: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    threshold: float,
    counts: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """rapidfuzz ratio of each pair (``a``, ``b``: codes into ``names``; 0 below the
    threshold), computed once per distinct pair of names, all in one call — for the pairs
    that can reach the threshold at all. ratio is 200·LCS/(len a + len b), and two names
    share no more characters in order than they share at all: most pairs of a block (leads
    of one company) are different people whose names share too few letters, and are
    dropped by that bound, a few numpy operations a pair, before rapidfuzz sees them.
    ``counts`` is ``_letter_counts(names)``, when the caller has it."""
    from rapidfuzz import fuzz, process

    scores = np.zeros(len(a), dtype=np.float64)
    if not len(a):
        return scores
    lengths, letters = counts if counts is not None else _letter_counts(names)
    cutoff = threshold * 100
    maybe = np.zeros(len(a), dtype=bool)
    for start in range(0, len(a), _BOUND_AT_ONCE):
        i, j = a[start : start + _BOUND_AT_ONCE], b[start : start + _BOUND_AT_ONCE]
        shared = np.minimum(letters[i], letters[j]).sum(axis=1, dtype=np.int64)
        # (a hair below the cutoff: the bound must never drop a pair rapidfuzz keeps)
        maybe[start : start + len(i)] = 200.0 * shared >= (cutoff - 1e-6) * (
            lengths[i] + lengths[j]
        )
    if not maybe.any():
        return scores
    a, b = a[maybe], b[maybe]
    pair, distinct = pd.factorize(a.astype(np.int64) * len(names) + b)
    found = process.cpdist(
        names[distinct // len(names)],
        names[distinct % len(names)],
        scorer=fuzz.ratio,
        score_cutoff=cutoff,
        workers=1,
    )
    found = np.asarray(found)
    found[_of_two_genders(names, distinct // len(names), distinct % len(names), found > 0)] = 0
    scores[maybe] = found[pair]
    return scores


_BOUND_AT_ONCE = 100_000  # pairs whose letter counts are compared together
# Byte classes counted for the bound: a-z, space, and one class for every other byte (a
# character of several bytes then counts several times in both names: the bound stays an
# upper bound).
_BYTE_CLASS = np.full(256, 27, dtype=np.int64)
_BYTE_CLASS[np.frombuffer(b"abcdefghijklmnopqrstuvwxyz", np.uint8)] = np.arange(26)
_BYTE_CLASS[ord(" ")] = 26


def _letter_counts(names: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each name's length in characters (as rapidfuzz counts them) and its count of bytes
    of each class in ``_BYTE_CLASS``."""
    text = pa.array(names, TEXT)
    lengths = np.asarray(pc.utf8_length(text).to_numpy(zero_copy_only=False), dtype=np.int64)
    offsets = cell_offsets(text)
    data = data_bytes(text)[offsets[0] : offsets[-1]]
    row = np.repeat(np.arange(len(text)), np.diff(offsets))
    classes = 28
    found = np.bincount(row * classes + _BYTE_CLASS[data], minlength=len(text) * classes)
    # One byte a count when every count fits (names are short): the pairs' counts are
    # gathered and compared four times faster than as 32-bit numbers.
    narrow = np.uint8 if not len(found) or found.max() <= 255 else np.int32
    return lengths, found.reshape(len(text), classes).astype(narrow)


# --------------------------------------------------------------------------- genders


@cache
def _gender_endings() -> tuple[tuple[str, str], ...]:
    """(masculine, feminine) endings of one name (``data/gendered_names.yml``)."""
    pairs = []
    for masculine, feminine in load_yaml_data("gendered_names.yml").items():
        for ending in [feminine] if isinstance(feminine, str) else feminine:
            pairs.append((str(masculine), str(ending)))
    return tuple(pairs)


_MIN_STEM = 2  # letters a word keeps before a gendered ending (Ильин: "il")


@lru_cache(maxsize=1 << 16)  # names recur from pair to pair
def _gendered_words(key: str) -> tuple[frozenset[tuple[int, str]], frozenset[tuple[int, str]]]:
    """The (ending pair, stem) of each word of a name key that ends as a man's form of a
    name, and of each that ends as a woman's (``petrov``: (ov/ova, "petr"), masculine)."""
    masculine: set[tuple[int, str]] = set()
    feminine: set[tuple[int, str]] = set()
    for word in key.split():
        for pair, (man, woman) in enumerate(_gender_endings()):
            if word.endswith(man) and len(word) - len(man) >= _MIN_STEM:
                masculine.add((pair, word[: -len(man)]))
            if word.endswith(woman) and len(word) - len(woman) >= _MIN_STEM:
                feminine.add((pair, word[: -len(woman)]))
    return frozenset(masculine), frozenset(feminine)


def genders_differ(a: str, b: str) -> bool:
    """Whether two name keys hold a man's and a woman's form of one name (``petrov`` and
    ``petrova``, ``evgeniy`` and ``evgeniya``): two people, however alike the names look
    otherwise. A form both names hold is no difference."""
    man_a, woman_a = _gendered_words(a)
    man_b, woman_b = _gendered_words(b)
    return bool((man_a - man_b) & (woman_b - woman_a) or (woman_a - woman_b) & (man_b - man_a))


def _of_two_genders(
    names: np.ndarray, a: np.ndarray, b: np.ndarray, alike: np.ndarray
) -> np.ndarray:
    """Which of the name pairs (``a``, ``b``: codes into ``names``) that are ``alike`` hold
    two genders of one name (``genders_differ``). Only pairs where one name has a word with
    a man's ending and the other a word with a woman's ending (told by RE2 over each name
    once) are looked at in Python: a few among the alike pairs."""
    differ = np.zeros(len(a), dtype=bool)
    pairs = np.flatnonzero(alike)
    if not len(pairs):
        return differ
    involved, at = np.unique(np.r_[a[pairs], b[pairs]], return_inverse=True)
    text = pa.array(names[involved], TEXT)
    man = mask(pc.match_substring_regex(text, _ending_pattern(0)))
    woman = mask(pc.match_substring_regex(text, _ending_pattern(1)))
    of_a, of_b = at[: len(pairs)], at[len(pairs) :]
    for i in pairs[(man[of_a] & woman[of_b]) | (woman[of_a] & man[of_b])].tolist():
        differ[i] = genders_differ(names[a[i]], names[b[i]])
    return differ


@cache
def _ending_pattern(side: int) -> str:
    """RE2: a word with a stem and one of the masculine (0) or feminine (1) endings."""
    endings = sorted({pair[side] for pair in _gender_endings()})
    return rf"\pL{{{_MIN_STEM}}}(?:{'|'.join(map(re.escape, endings))})(?: |$)"


# --------------------------------------------------------------------------- the stage


def dedupe(
    leads: pd.DataFrame,
    options: DedupeOptions | None = None,
    history: pd.DataFrame | None = None,
    night: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, DedupeStats]:
    """Group the leads into people; returns (leads with dedupe columns, matched pairs, stats).

    ``history`` holds leads already seen on earlier nights: tonight's leads that match one get
    ``is_new=false`` and ``duplicate_of`` the historical lead. A history row with one of
    tonight's own lead ids is that lead seen before when an earlier night added it (its
    ``NIGHT_COLUMN`` is another than ``night``: the exports most people download hold every
    lead so far), and tonight's lead seen again — a re-run, not matched against — when
    tonight added it, or when either night is not known (histories written before nights).
    """
    options = options or DedupeOptions()
    _check_options(options)
    wanted = _wanted_columns(options)
    tonight = _prepare(leads, wanted)
    past = _prepare(history, [*wanted, NIGHT_COLUMN]) if history is not None else tonight.iloc[0:0]
    seen_again = np.zeros(len(past), dtype=bool)  # an earlier night's lead, tonight again
    if len(past):
        again = is_in(past["lead_id"], tonight["lead_id"])
        rerun = again.copy()
        if night and NIGHT_COLUMN in past.columns:
            nights = past[NIGHT_COLUMN].to_numpy(dtype=object)
            rerun &= (nights == "") | (nights == night)
        past, seen_again = past[~rerun], again[~rerun]
    # A lead of an earlier night that tonight's export holds again is that lead: it is not
    # matched anew (a cumulative export would double what is matched), but takes its
    # history row's person (``_twins``).
    twin = _twins(tonight["lead_id"], past["lead_id"], seen_again)
    returning = twin >= 0
    if returning.any():
        tonight = tonight[~returning]
    combined = pd.concat([past, tonight], ignore_index=True, sort=False).fillna("")
    n_past = len(past)
    # Junk stays among junk: a partition key the matching never crosses.
    partition = combined["quality"].astype(str).eq("junk").to_numpy().astype(np.int64)
    # Only the history tonight's leads can reach is matched (``_reachable``).
    reach = _reachable(combined, n_past, twin[returning], partition, options)
    if reach is not None:
        combined, partition = combined.iloc[reach].reset_index(drop=True), partition[reach]
        position = np.full(n_past + len(tonight), -1, dtype=np.int64)
        position[reach] = np.arange(len(reach))
        twin[returning] = position[twin[returning]]
        n_past = int(np.searchsorted(reach, n_past))
    is_past = np.arange(len(combined)) < n_past

    # The exact edges and the rows' times and keep order read nothing the fuzzy matching
    # computes: a second thread works them out meanwhile (Arrow's and numpy's kernels
    # release the GIL), and later builds the pair table while the groups are labelled.
    with pool_for(len(combined), 1, "leadtool-match") as pool:
        phones = pool.submit(_phone_groups, combined, partition)
        timing = pool.submit(_times, combined, is_past, options)
        emails = email_key(combined["email"])
        by_email = pool.submit(_email_groups, combined, emails, partition)
        names = _NameKeys(combined)
        fuzzy = None
        if options.fuzzy:
            supports = {f: field_values(combined, f, emails) for f in options.fields}
            fuzzy = fuzzy_pairs(names, supports, partition, options.threshold)
        (mail_rows, mail_groups), (phone_rows, phone_groups) = by_email.result(), phones.result()
        tg_rows, tg_groups = _telegram_groups(combined, partition)
        held = np.zeros(len(combined), dtype=bool)
        held[mail_rows] = held[phone_rows] = held[tg_rows] = True
        held_rows = np.flatnonzero(held)
        keyed = _coded_names(names(held_rows), held_rows, partition)
        mail_edges = pool.submit(_exact_edges, mail_rows, mail_groups, keyed, options.threshold)
        phone_edges = _exact_edges(phone_rows, phone_groups, keyed, options.threshold)
        tg_edges = _exact_edges(tg_rows, tg_groups, keyed, options.threshold)
        pairs = _exact_pairs(
            {"email": mail_edges.result(), "phone": phone_edges, "telegram": tg_edges}
        )
        if fuzzy is not None and len(fuzzy):
            pairs = pd.concat([pairs, fuzzy], ignore_index=True) if len(pairs) else fuzzy
        a, b = pairs["a"].to_numpy(np.int64), pairs["b"].to_numpy(np.int64)
        labels = components(len(combined), a, b)
        # Each of tonight's leads is its row of ``combined``: its own, or its history row's.
        rows = np.where(returning, twin, 0)
        rows[~returning] = n_past + np.arange(int((~returning).sum()))
        # The pairs of tonight's people: the history's other people are no news tonight.
        ours = np.zeros(len(combined), dtype=bool)
        ours[labels[rows]] = True
        if not ours[labels[a]].all():
            pairs = pairs[ours[labels[a]]]
        table = pool.submit(_pair_table, pairs, combined)
        result = _assign(combined, labels, is_past, timing.result())
        pair_table = table.result()
    out = leads.reset_index(drop=True).fillna("")
    out = out.drop(columns=[c for c in DEDUPE_COLUMNS if c in out.columns])
    for column, values in result.items():
        if column in DEDUPE_COLUMNS or column in out.columns:
            taken = values.iloc[rows].reset_index(drop=True)
            if column not in DEDUPE_COLUMNS and returning.any():  # its own fields tonight
                taken = taken.where(pd.Series(~returning), out[column].astype(taken.dtype))
            out[column] = taken
    if returning.any():
        _as_seen_before(out, returning)
        pair_table = pd.concat([pair_table, _twin_pairs(out, returning)], ignore_index=True)
    out = out[[c for c in out.columns if c not in DEDUPE_COLUMNS] + list(DEDUPE_COLUMNS)]
    stats = DedupeStats(
        rows=len(out),
        groups=int(np.count_nonzero(np.bincount(labels[rows]))),  # one dup_group each
        duplicates=int((out["is_primary"] == "false").sum()),
        matched_history=int((out["is_new"] == "false").sum()),
        pairs_by_rule={str(k): int(v) for k, v in pair_table["rule"].value_counts().items()},
    )
    return out, pair_table, stats


def _reachable(
    combined: pd.DataFrame,
    n_past: int,
    twins: np.ndarray,
    partition: np.ndarray,
    options: DedupeOptions,
) -> np.ndarray | None:
    """The rows of ``combined`` (the history's ``n_past`` rows, then tonight's) that can be
    in a person with one of tonight's leads or their history rows (``twins``), ascending;
    None for all of them.

    A night of a thousand leads against a history of a million matched the million again
    (a second every 200,000 rows), though the night can change none of the history's
    people but those it touches. Every edge dedupe draws is between rows of one key group
    (a phone, an e-mail key, a Telegram username) or one fuzzy block (a shared company or
    e-mail local part), and what it decides inside a group depends only on the group's rows
    and their order — so the rows reachable from tonight's through shared groups, whole
    groups each, are matched exactly as among all rows, and the rest is left out. Worth it
    only when tonight is a small part: a cumulative export brings the history back."""
    n = len(combined)
    seeds = np.zeros(n, dtype=bool)
    seeds[n_past:] = True
    seeds[twins] = True
    if n_past == 0 or int(seeds.sum()) * 2 > n:
        return None
    # Each kind of key numbered on its own, with the rows holding them (a row's further
    # phones and e-mails beside its own): coarser than the matching's groups (no
    # partitions, no service lines left out), which only reaches more rows.
    emails = email_key(combined["email"])
    every = np.arange(n)
    kinds = [
        _with_extras(every, to_arrow(combined["phone"]), combined, "x_phone_extra", None),
        _with_extras(every, to_arrow(emails), combined, "x_email_extra", email_key),
    ]
    if options.fuzzy:
        for column in options.fields:
            kinds.append((every, to_arrow(field_values(combined, column, emails))))
    groupings = [_numbered_keys(rows, values) for rows, values in kinds]
    groupings.append(_telegram_groups(combined, partition))
    inside = _spread(seeds, groupings)
    return None if inside.all() else np.flatnonzero(inside)


def _extra_keys(
    extra: pd.Series, key: Callable[[pd.Series], pd.Series] | None
) -> tuple[np.ndarray, pa.Array]:
    """The ``;``-joined further keys of a column (``x_phone_extra``), each with its row."""
    more = np.flatnonzero((extra != "").to_numpy(dtype=bool))
    if not more.size:
        return more, pa.array([], TEXT)
    parts = pc.split_pattern(to_arrow(extra).take(pa.array(more)), ";")
    values = pc.list_flatten(parts).cast(TEXT)
    if key is not None:
        values = to_arrow(key(from_arrow(values)))
    return more[np.asarray(pc.list_parent_indices(parts))], values


def _with_extras(
    rows: np.ndarray,
    values: pa.Array,
    frame: pd.DataFrame,
    column: str,
    key: Callable[[pd.Series], pd.Series] | None,
) -> tuple[np.ndarray, pa.Array]:
    """``rows`` and ``values`` followed by the further keys of ``column`` and their rows."""
    if column not in frame.columns:
        return rows, values
    more, extra = _extra_keys(frame[column], key)
    return np.r_[rows, more], pa.concat_arrays([values, extra])


def _numbered_keys(rows: np.ndarray, values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The rows holding a key and a number per distinct key. Each kind of key is numbered
    on its own: one table for a million rows' phones, e-mails and e-mail boxes together
    took two to four times as long as three."""
    encoded = pc.dictionary_encode(values)
    codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    keyed = codes != pc.index(encoded.dictionary, pa.scalar("", TEXT)).as_py()
    return rows[keyed], codes[keyed]


def _spread(inside: np.ndarray, groupings: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """``inside`` grown by every group (``groupings``: rows and their group numbers) that
    holds one of its rows, until no group adds a row: one vectorized pass per step."""
    inside = inside.copy()
    grew = True
    while grew:
        grew = False
        for rows, groups in groupings:
            if not len(groups):
                continue
            held = np.zeros(int(groups.max()) + 1, dtype=bool)
            held[groups[inside[rows]]] = True
            new = rows[held[groups] & ~inside[rows]]
            if len(new):
                inside[new] = True
                grew = True
    return inside


def _twins(tonight: pd.Series, past: pd.Series, seen_again: np.ndarray) -> np.ndarray:
    """For each of tonight's lead ids, the position of its history row from an earlier
    night (``seen_again``), else -1."""
    twin = np.full(len(tonight), -1, dtype=np.int64)
    if not seen_again.any():
        return twin
    rows = np.flatnonzero(seen_again)
    at = pc.index_in(to_arrow(tonight), value_set=to_arrow(past.iloc[rows])).to_numpy(
        zero_copy_only=False
    )
    found = ~pd.isna(at)
    twin[found] = rows[at[found].astype(np.int64)]
    return twin


def _as_seen_before(out: pd.DataFrame, returning: np.ndarray) -> None:
    """A returning lead took its history row's dedupe columns; it is that lead again: not
    tonight's primary, a duplicate of its person's primary (itself, when the history row
    was), seen before."""
    at, no = pa.array(returning), pa.scalar("false", TEXT)
    duplicate_of = to_arrow(out["duplicate_of"])
    primary_of = pc.if_else(pc.equal(duplicate_of, ""), to_arrow(out["lead_id"]), duplicate_of)
    out["duplicate_of"] = from_arrow(pc.if_else(at, primary_of, duplicate_of), out.index)
    for column in ("is_primary", "is_new"):  # (Arrow's if_else: pandas' where took 0.2 s)
        out[column] = from_arrow(pc.if_else(at, no, to_arrow(out[column])), out.index)


def _twin_pairs(out: pd.DataFrame, returning: np.ndarray) -> pd.DataFrame:
    """The pairs (rule ``lead_id``) of the returning leads and their history rows."""
    ids = out["lead_id"][returning].astype(str).reset_index(drop=True)
    return pd.DataFrame(
        {
            "lead_id_a": ids,
            "lead_id_b": ids,
            "rule": "lead_id",
            "fields": "lead_id",
            "score": "1.000",
        }
    )


def _check_options(options: DedupeOptions) -> None:
    if options.keep not in KEEP_RULES:
        raise LeadtoolError(f"--keep must be one of {', '.join(KEEP_RULES)}")
    if not 0 < options.threshold <= 1:
        raise LeadtoolError("--threshold must be between 0 and 1 (e.g. 0.88)")
    if options.keep == "priority" and not options.source_priority:
        raise LeadtoolError("--keep priority needs --source-priority a,b,...")


_KEY_COLUMNS = (
    "lead_id",
    "email",
    "phone",
    "name",
    "first_name",
    "last_name",
    "company",
    "created_at",
    "source",
    "quality",
    "reasons",  # (clean's: a service line's number is no key)
)


def _wanted_columns(options: DedupeOptions) -> list[str]:
    """The columns matching and choosing the primary read: only these are copied."""
    fields = [f for f in options.fields if f != "email_local"]
    raw = ["phone_raw", "email_raw"]  # (a Telegram username typed in either field)
    extra = ["x_phone_extra", "x_email_extra"]
    return list(dict.fromkeys([*_KEY_COLUMNS, *FILL_COLUMNS, *extra, *raw, *fields]))


def _prepare(frame: pd.DataFrame, wanted: list[str]) -> pd.DataFrame:
    present = [c for c in wanted if c in frame.columns]
    out = frame[present].fillna("").astype("str").reset_index(drop=True)
    for column in _KEY_COLUMNS:
        if column not in out.columns:
            out[column] = ""
    return out


def _exact_pairs(edges: dict[str, tuple[np.ndarray, np.ndarray]]) -> pd.DataFrame:
    """The e-mail, phone and Telegram edges as pairs, in that order."""
    frames = [
        pd.DataFrame({"a": a, "b": b, "rule": rule, "fields": rule, "score": 1.0})
        for rule, (a, b) in edges.items()
    ]
    filled = [f for f in frames if len(f)]
    return pd.concat(filled, ignore_index=True) if filled else frames[0]


@dataclass
class _Times:
    """The rows' times (int64 ns, a missing one after every real one) and two orders of
    row positions: keep order (see _primary_order) and by time, then row."""

    ticks: np.ndarray
    order: np.ndarray
    by_time: np.ndarray


def _times(frame: pd.DataFrame, is_past: np.ndarray, options: DedupeOptions) -> _Times:
    stamps = parse_stamps(frame["created_at"])
    ticks = _ticks(stamps)
    by_time = np.lexsort((np.arange(len(ticks)), ticks))
    return _Times(ticks, _primary_order(frame, stamps, is_past, options), by_time)


def _assign(
    frame: pd.DataFrame, labels: np.ndarray, is_past: np.ndarray, times: _Times
) -> dict[str, pd.Series]:
    """The dedupe columns, and the fill columns with the primary's empty fields filled, for
    every row of ``frame``. Row positions are sorted, never rows; the text columns are
    built with Arrow's take/if_else, never as a Python string per row."""
    n = len(frame)
    order, ticks, by_time = times.order, times.ticks, times.by_time
    rank = _ranks(order)
    primary_of = order[_best_rank(labels, rank)[labels]]
    is_primary = primary_of == np.arange(n)
    earliest = by_time[_best_rank(labels, _ranks(by_time))[labels]]
    lead_ids = to_arrow(frame["lead_id"])
    size = np.bincount(labels, minlength=n)
    first, last = _time_span(ticks, labels)
    past = np.bincount(labels, weights=is_past.astype(float), minlength=n) > 0
    multi = size[labels] > 1
    fill = [c for c in FILL_COLUMNS if c in frame.columns]

    def built_beside() -> dict[str, pd.Series]:
        primary = is_primary & multi
        columns = {c: _filled(frame[c], labels, order, rank, primary, multi) for c in fill}
        columns["sources"] = _group_sources(frame["source"], labels, multi)
        return columns

    # The fill and sources columns (Arrow takes, GIL released) are built on a second thread
    # while the group labels are hashed and the times written here (the two sides take
    # about as long).
    with pool_for(n, 1, "leadtool-fill") as pool:
        beside = pool.submit(built_beside)
        group_labels = from_arrow(_group_labels(lead_ids, earliest))
        columns = {
            "dup_group": group_labels,
            "is_primary": _flag(is_primary),
            "duplicate_of": from_arrow(
                pc.if_else(pa.array(is_primary), "", lead_ids.take(pa.array(primary_of)))
            ),
            "touches": from_arrow(pc.cast(pa.array(size[labels]), TEXT)),
            "is_new": _flag(~past[labels], "true", "false"),
            "first_seen": _iso_times(first),
            "last_seen": _iso_times(last),
        }
        return columns | beside.result()


def _ranks(order: np.ndarray) -> np.ndarray:
    """Each row's place in ``order``."""
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank


def _best_rank(groups: np.ndarray, rank: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
    """Per group label (labels are row positions), the smallest rank among ``rows`` (every
    row when None); len(rank) for a group with none of them."""
    best = np.full(len(groups), len(rank), dtype=np.int64)
    if rows is None:
        np.minimum.at(best, groups, rank)
    else:
        np.minimum.at(best, groups[rows], rank[rows])
    return best


_NAT = np.iinfo(np.int64).min
_LAST = np.iinfo(np.int64).max


def _time_span(ticks: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's group's earliest and latest time; missing times are skipped, and a group
    without any gives _LAST (formatted as "")."""
    first = np.full(len(groups), _LAST, dtype=np.int64)
    np.minimum.at(first, groups, ticks)
    last = np.full(len(groups), _NAT, dtype=np.int64)
    np.maximum.at(last, groups, np.where(ticks == _LAST, _NAT, ticks))
    last[last == _NAT] = _LAST
    return first[groups], last[groups]


def _ticks(stamps: pd.Series) -> np.ndarray:
    """Timestamps as int64 nanoseconds, a missing one after every real one."""
    naive = stamps.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy().astype("datetime64[ns]")
    ticks = naive.view(np.int64).copy()
    ticks[ticks == _NAT] = _LAST
    return ticks


def _iso_times(ticks: np.ndarray) -> pd.Series:
    """ISO-8601 UTC text per row ("" when missing), whole seconds (floored, as leadtool
    writes times)."""
    missing = ticks == _LAST
    # Each distinct second written once: a night's leads share far fewer seconds than rows.
    codes, seconds = pd.factorize(np.where(missing, 0, ticks) // 1_000_000_000)
    text = iso_seconds(seconds).take(pa.array(codes))
    if missing.any():
        text = pc.if_else(pa.array(missing), pa.scalar("", TEXT), text)
    return from_arrow(text)


def _flag(mask: np.ndarray, yes: str = "true", no: str = "false") -> pd.Series:
    return from_arrow(pc.if_else(pa.array(mask), yes, no).cast(TEXT))


def _group_labels(lead_ids: pa.Array, earliest: np.ndarray) -> pa.Array:
    """``g`` + a hash of the group's earliest lead id, hashed once per group. ``earliest``
    holds row positions, so the distinct ones are found by marking them (no hashing)."""
    marked = np.zeros(len(lead_ids), dtype=bool)
    marked[earliest] = True
    rows = np.flatnonzero(marked)
    code_of = np.zeros(len(lead_ids), dtype=np.int64)
    code_of[rows] = np.arange(len(rows))
    return hex12("g", lead_ids.take(pa.array(rows))).take(pa.array(code_of[earliest]))


def _filled(
    values: pd.Series,
    groups: np.ndarray,
    order: np.ndarray,
    rank: np.ndarray,
    primary: np.ndarray,
    multi: np.ndarray,
) -> pd.Series:
    """The column with each primary's empty cell taken from the first filled cell of its
    group in keep ``order`` (``rank``: each row's place in it). Only groups of two or more
    are looked at."""
    text = to_arrow(values)
    empty = mask(pc.equal(text, ""))
    need = np.flatnonzero(primary & empty)
    if not need.size:
        return from_arrow(text)
    found = _best_rank(groups, rank, np.flatnonzero(multi & ~empty))[groups[need]]
    filled = found < len(order)
    if not filled.any():  # no group has the cell elsewhere (a column nobody filled in)
        return from_arrow(text)
    take = np.arange(len(groups))
    take[need[filled]] = order[found[filled]]
    return from_arrow(text.take(pa.array(take)))


def _group_sources(sources: pd.Series, labels: np.ndarray, multi: np.ndarray) -> pd.Series:
    """All sources of each group, sorted and ``;``-joined. Most people submit once: their
    sources are their own, and only groups of two or more (``multi``) are joined, once per
    group."""
    source = to_arrow(sources)
    if not multi.any():
        return from_arrow(source)
    groups = labels[multi]
    first_seen, seen = pd.factorize(from_arrow(source.filter(pa.array(multi))))
    names = np.asarray(seen, dtype=object)
    alphabetical = np.argsort(names, kind="stable")  # a few names: sort them, not the rows
    names = names[alphabetical]
    place = np.empty(len(alphabetical), dtype=np.int64)
    place[alphabetical] = np.arange(len(alphabetical))
    codes = place[first_seen]
    if len(names) > 62:  # too many sources for a bit set: join per group
        pairs = pd.DataFrame({"g": groups, "s": names[codes]})
        pairs = pairs[pairs["s"] != ""].drop_duplicates().sort_values(["g", "s"], kind="stable")
        joined = pairs.groupby("g", sort=False)["s"].agg(";".join)
        spelled_rows = pd.Series(groups).map(joined).fillna("").to_numpy(dtype=object)
        return from_arrow(_replaced(source, multi, spelled_rows))
    # Each group's sources as a bit set (OR over its rows), spelled out once per distinct set.
    bits = np.where(names[codes] != "", np.left_shift(np.int64(1), codes.astype(np.int64)), 0)
    order = np.argsort(groups, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(groups[order]) != 0])
    sets = np.bitwise_or.reduceat(bits[order], starts)
    per_row = np.empty(len(groups), dtype=np.int64)
    per_row[order] = np.repeat(sets, np.diff(np.r_[starts, len(order)]))
    codes_of_sets, sets_seen = pd.factorize(per_row)
    spelled_sets = pa.array(
        [";".join(str(n) for i, n in enumerate(names) if int(m) >> i & 1) for m in sets_seen],
        TEXT,
    )
    return from_arrow(_replaced(source, multi, spelled_sets.take(pa.array(codes_of_sets))))


def _replaced(values: pa.Array, mask: np.ndarray, new: Any) -> pa.Array:
    """``values`` with the cells under ``mask`` replaced, in order, by ``new``."""
    new = new if isinstance(new, pa.Array) else pa.array(new, TEXT)
    return pc.replace_with_mask(values, pa.array(mask), new.cast(TEXT))


def _primary_order(
    frame: pd.DataFrame, stamps: pd.Series, is_past: np.ndarray, options: DedupeOptions
) -> np.ndarray:
    """Row positions sorted so that each group's first row is its primary; history always
    wins, then the keep rule, then time (``stamps``, missing last) and row. One numpy
    lexsort: the row key makes the order total."""
    n = len(frame)
    sign = -1 if options.keep == "last" else 1
    seconds = (stamps - pd.Timestamp("1970-01-01", tz="UTC")).dt.total_seconds()
    keys: list[np.ndarray] = [sign * np.arange(n), sign * seconds.to_numpy(dtype=float)]
    if options.keep == "complete":
        columns = [c for c in FILL_COLUMNS if c in frame.columns]
        keys.append(-(frame[columns].astype(str) != "").sum(axis=1).to_numpy())
    if options.keep == "priority":
        rank = {s: i for i, s in enumerate(options.source_priority)}
        keys.append(frame["source"].map(lambda s: rank.get(s, len(rank))).to_numpy())
    keys.append(~np.asarray(is_past, dtype=bool))
    return np.lexsort(keys)  # the last key sorts first; NaN (no time) sorts last


def _pair_table(pairs: pd.DataFrame, combined: pd.DataFrame) -> pd.DataFrame:
    """The matched pairs by lead id; scores formatted once per distinct score."""
    ids = to_arrow(combined["lead_id"])
    a = pa.array(pairs["a"].to_numpy(np.int64))
    b = pa.array(pairs["b"].to_numpy(np.int64))
    score = per_distinct(pairs["score"].astype(float), lambda s: f"{s:.3f}")

    def text(column: pd.Series) -> pd.Series:  # as text, without a Python string per pair
        return column.astype("str").reset_index(drop=True)

    return pd.DataFrame(
        {
            "lead_id_a": from_arrow(ids.take(a)),
            "lead_id_b": from_arrow(ids.take(b)),
            "rule": text(pairs["rule"]),
            "fields": text(pairs["fields"]),
            "score": text(score),
        }
    )


def history_columns(options: DedupeOptions | None = None) -> list[str]:
    """The columns of a history file dedupe reads (``io.read_history``)."""
    return [*_wanted_columns(options or DedupeOptions()), NIGHT_COLUMN]


def history_additions(
    history: pd.DataFrame | None, deduped: pd.DataFrame, night: str | None = None
) -> pd.DataFrame:
    """Tonight's leads the history does not hold yet (by lead id), dedupe columns dropped and
    each marked with the ``night`` that adds it (``NIGHT_COLUMN``): what ``io.append_history``
    adds to the file."""
    tonight = deduped.drop(columns=[c for c in DEDUPE_COLUMNS if c in deduped.columns])
    if night:
        tonight = tonight.assign(**{NIGHT_COLUMN: night})
    if history is not None and not history.empty:
        tonight = tonight[~is_in(tonight["lead_id"], history["lead_id"])]
    return tonight.reset_index(drop=True)


def history_update(
    history: pd.DataFrame | None, deduped: pd.DataFrame, night: str | None = None
) -> pd.DataFrame:
    """History plus ``history_additions``: the history a night leaves, in memory."""
    new = history_additions(history, deduped, night)
    if history is None or history.empty:
        return new
    return pd.concat([history, new], ignore_index=True, sort=False).fillna("")


# The night (a UTC date, "2026-11-23") that added a lead to the history: a lead id seen again
# is a lead seen before from an earlier night, a re-run's own from the same night.
NIGHT_COLUMN = "x_history_night"


def night_of(stamp: pd.Timestamp | None = None) -> str:
    """The night a run belongs to: the UTC date of ``stamp`` (``as_of``), else of now."""
    stamp = stamp if stamp is not None else pd.Timestamp.now(tz="UTC")
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.strftime("%Y-%m-%d")


def as_dict(stats: DedupeStats) -> dict[str, Any]:
    return dict(stats.__dict__)
