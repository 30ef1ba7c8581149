"""The qualify stage: rule-based score, BANT, stage (junk/IQL/MQL/SQL), temperature — each
explained per lead — and the backtest that tells whether the rules predict conversions.

Rules come from a YAML file (``data/rules/default.yml`` by default) whose conditions are
written in the language of :mod:`leadtool.rules`. Everything is checked before any lead is
scored, so a bad rule stops the run with one line naming the file, the rule and the problem.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from leadtool.arrowtext import TEXT, Coded, from_arrow, join_coded, named, text_where
from leadtool.errors import LeadtoolError
from leadtool.normalize import bool_values, deal_stages, parse_stamps, per_distinct, status_key
from leadtool.rules import NUM, Context, Node, RuleError, compile_condition, evaluate
from leadtool.schema import (
    CANONICAL,
    DEDUPE_COLUMNS,
    QUALIFY_COLUMNS,
    QUALITY_COLUMNS,
    snake_case,
)
from leadtool.threads import pool_for
from leadtool.yamltext import YAMLError, parse_yaml

STAGES = ("junk", "IQL", "MQL", "SQL")
TEMPERATURES = ("hot", "warm", "cold")
BANT_LETTERS = {"budget": "B", "authority": "A", "need": "N", "timeframe": "T"}
# Columns earlier stages add; rules may name them even when a stage was skipped.
STAGE_COLUMNS = (*QUALITY_COLUMNS, *DEDUPE_COLUMNS)
TRUE_OUTCOMES = frozenset({"1", "true", "yes", "y", "won", "converted", "да", "da", "1.0"})
STAGE_NAMES = {"score": NUM, "bant_count": NUM}


@dataclass
class Rule:
    name: str
    condition: Node
    points: float
    group: str | None = None
    half_life_days: float | None = None


@dataclass
class RuleSet:
    """A checked rules file."""

    source: str
    groups: dict[str, float]
    rules: list[Rule]
    bant: dict[str, tuple[Node, float]]
    stages: list[tuple[str, Node]]
    hot: float
    warm: float


@dataclass
class QualifyStats:
    rows: int
    stages: dict[str, int]
    temperatures: dict[str, int]
    rules_fired: dict[str, int] = field(default_factory=dict)


# --------------------------------------------------------------------------- loading


def default_rules_path() -> str:
    return str(resources.files("leadtool").joinpath("data", "rules", "default.yml"))


def load_rules(path: str | None, columns: list[str]) -> RuleSet:
    """Read and check a rules file against the lead columns. Raises LeadtoolError."""
    source = path or default_rules_path()
    label = path or "default rules"
    p = Path(source)
    if not p.is_file():
        raise LeadtoolError(f"{label}: no such rules file")
    try:
        doc = parse_yaml(p.read_text(encoding="utf-8-sig"))
    except YAMLError as exc:
        raise LeadtoolError(f"{label}: not valid YAML ({' '.join(str(exc).split())})") from exc
    if not isinstance(doc, dict):
        raise LeadtoolError(f"{label}: expected a mapping with rules, bant, stages, temperature")
    unknown = set(doc) - {"version", "groups", "rules", "bant", "stages", "temperature"}
    if unknown:
        raise LeadtoolError(f"{label}: unknown section {sorted(unknown)[0]!r}")
    known = set(columns) | set(CANONICAL) | set(STAGE_COLUMNS)
    groups = _groups(label, doc.get("groups") or {})
    rules = [_rule(label, i, spec, known, groups) for i, spec in enumerate(doc.get("rules") or [])]
    names = [r.name for r in rules]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate:
        raise LeadtoolError(f"{label}: rule {duplicate!r} is defined twice")
    bant = _bant(label, doc.get("bant") or {}, known)
    stages = _stages(label, doc.get("stages"), known)
    hot, warm = _temperature(label, doc.get("temperature") or {"hot": 60, "warm": 30})
    return RuleSet(label, groups, rules, bant, stages, hot, warm)


def _compile(
    label: str, where: str, text: Any, known: set[str], extra: dict[str, str] | None = None
) -> Node:
    try:
        return compile_condition(text, known, extra)
    except RuleError as exc:
        raise LeadtoolError(f"{label}: {where}: {exc}") from exc


def _number(label: str, where: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise LeadtoolError(f"{label}: {where}: expected a number, got {value!r}")
    return float(value)


def _groups(label: str, spec: Any) -> dict[str, float]:
    if not isinstance(spec, dict):
        raise LeadtoolError(f"{label}: groups: expected a mapping of name: {{cap: N}}")
    caps = {}
    for name, value in spec.items():
        if not isinstance(value, dict) or set(value) - {"cap"}:
            raise LeadtoolError(f"{label}: group {name!r}: expected {{cap: N}}")
        caps[str(name)] = _number(label, f"group {name!r} cap", value.get("cap", math.inf))
    return caps


def _rule(label: str, i: int, spec: Any, known: set[str], groups: dict[str, float]) -> Rule:
    if not isinstance(spec, dict):
        raise LeadtoolError(f"{label}: rule #{i + 1}: expected name, when, points")
    name = str(spec.get("name") or f"#{i + 1}")
    where = f"rule {name!r}"
    unknown = set(spec) - {"name", "when", "points", "group", "decay"}
    if unknown:
        raise LeadtoolError(f"{label}: {where}: unknown key {sorted(unknown)[0]!r}")
    for key in ("name", "when", "points"):
        if key not in spec:
            raise LeadtoolError(f"{label}: {where}: missing {key!r}")
    group = spec.get("group")
    if group is not None and group not in groups:
        raise LeadtoolError(f"{label}: {where}: unknown group {group!r} (declare it under groups)")
    half_life = None
    if "decay" in spec:
        decay = spec["decay"]
        if not isinstance(decay, dict) or set(decay) != {"half_life_days"}:
            raise LeadtoolError(f"{label}: {where}: decay must be {{half_life_days: N}}")
        half_life = _number(label, f"{where} half_life_days", decay["half_life_days"])
        if half_life <= 0:
            raise LeadtoolError(f"{label}: {where}: half_life_days must be positive")
    return Rule(
        name=name,
        condition=_compile(label, where, spec["when"], known),
        points=_number(label, f"{where} points", spec["points"]),
        group=group,
        half_life_days=half_life,
    )


def _bant(label: str, spec: Any, known: set[str]) -> dict[str, tuple[Node, float]]:
    if not isinstance(spec, dict):
        raise LeadtoolError(f"{label}: bant: expected budget, authority, need, timeframe")
    out = {}
    for key, value in spec.items():
        if key not in BANT_LETTERS:
            raise LeadtoolError(
                f"{label}: bant: unknown criterion {key!r} (budget, authority, need, timeframe)"
            )
        if not isinstance(value, dict) or "when" not in value:
            raise LeadtoolError(f"{label}: bant {key}: expected {{when: …, points: N}}")
        points = _number(label, f"bant {key} points", value.get("points", 0))
        out[key] = (_compile(label, f"bant {key}", value["when"], known), points)
    return out


def _stages(label: str, spec: Any, known: set[str]) -> list[tuple[str, Node]]:
    if spec is None:
        spec = [{"stage": "junk", "when": 'quality == "junk"'}, {"stage": "IQL", "when": True}]
    if not isinstance(spec, list) or not spec:
        raise LeadtoolError(f"{label}: stages: expected a list of {{stage, when}}")
    out = []
    for item in spec:
        if not isinstance(item, dict) or "stage" not in item or "when" not in item:
            raise LeadtoolError(f"{label}: stages: each entry needs stage and when")
        stage = str(item["stage"])
        if stage not in STAGES:
            raise LeadtoolError(f"{label}: stage {stage!r}: not one of {', '.join(STAGES)}")
        out.append((stage, _compile(label, f"stage {stage}", item["when"], known, STAGE_NAMES)))
    return out


def _temperature(label: str, spec: Any) -> tuple[float, float]:
    if not isinstance(spec, dict) or set(spec) - {"hot", "warm"}:
        raise LeadtoolError(f"{label}: temperature: expected {{hot: N, warm: N}}")
    hot = _number(label, "temperature hot", spec.get("hot", 60))
    warm = _number(label, "temperature warm", spec.get("warm", 30))
    if warm > hot:
        raise LeadtoolError(f"{label}: temperature: warm ({warm:g}) is above hot ({hot:g})")
    return hot, warm


# --------------------------------------------------------------------------- scoring


def prepare(leads: pd.DataFrame) -> pd.DataFrame:
    """Leads with every canonical and stage column present (empty when a stage was skipped)
    and earlier qualify results removed."""
    frame = leads.drop(columns=[c for c in QUALIFY_COLUMNS if c in leads.columns])
    frame = frame.fillna("").astype("str")
    missing = prepared_columns(frame.columns)[len(frame.columns) :]
    if missing:
        frame = pd.concat(
            [frame, pd.DataFrame("", index=frame.index, columns=missing, dtype="str")], axis=1
        )
    return frame


def prepared_columns(columns: Iterable[str]) -> list[str]:
    """The columns ``prepare`` gives leads with these ``columns`` (what rules may name),
    without building it."""
    kept = [str(c) for c in columns if c not in QUALIFY_COLUMNS]
    return kept + [c for c in (*CANONICAL, *STAGE_COLUMNS) if c not in kept]


def qualify(
    leads: pd.DataFrame, rules: RuleSet, now: pd.Timestamp | None = None
) -> tuple[pd.DataFrame, QualifyStats]:
    """Score every lead; add score, stage, temperature, bant and score_reasons."""
    frame = prepare(leads)
    stamps = parse_stamps(frame["created_at"])
    now = now or reference_time(stamps)
    context = Context(frame, now, {"stamps:created_at": stamps})
    index = frame.index
    # Points, sums and counts are numpy arrays: pandas' arithmetic on a million floats
    # costs a few milliseconds a step in checks and copies, and a run takes dozens.
    age = ((now - stamps).dt.total_seconds() / 86400).to_numpy(dtype=float)
    groups: dict[str | None, np.ndarray] = {}
    reasons: list[Coded] = []  # one "; name +points" piece per rule, joined at the end
    fired: dict[str, int] = {}
    conditions = [r.condition for r in rules.rules] + [c for c, _ in rules.bant.values()]
    # Conditions are independent and mostly pandas/Arrow kernels: two threads, both cores.
    with pool_for(len(frame), 2, "leadtool-rules") as pool:
        held = pool.map(lambda c: evaluate(c, frame, now, context), conditions)
        masks = iter([mask.to_numpy(dtype=bool) for mask in held])
    for rule in rules.rules:
        mask = next(masks)
        fired[rule.name] = int(mask.sum())
        points = np.where(mask, rule.points, 0.0)
        if rule.half_life_days:
            halves = age / rule.half_life_days
            halves = np.maximum(np.where(np.isnan(halves), 0.0, halves), 0.0)  # no date: none
            points = points * np.power(0.5, halves)
        groups[rule.group] = groups.get(rule.group, 0.0) + points
        constant = None if rule.half_life_days else rule.points
        reasons.append(_reason(mask, rule.name, points, constant))
    letters: list[Coded] = []
    bant_count = np.zeros(len(index), dtype=np.int64)
    for key, (_condition, pts) in rules.bant.items():
        mask = next(masks)
        fired[f"bant_{key}"] = int(mask.sum())
        letters.append(text_where(mask, BANT_LETTERS[key]))
        bant_count += mask
        if pts:
            points = np.where(mask, pts, 0.0)
            groups[None] = groups.get(None, 0.0) + points
            reasons.append(_reason(mask, f"bant_{key}", points, pts))
    bant_letters = join_coded(letters, index)
    score = np.zeros(len(index), dtype=float)
    for group, total in groups.items():
        if group is not None and group in rules.groups:
            cap = rules.groups[group]
            reasons.append(text_where(total > cap, f"; {group} capped at {cap:g}"))
            total = np.minimum(total, cap)
        score = score + total
    score = np.round(score, 0)
    staged = context.with_columns(frame.assign(score=score, bant_count=bant_count.astype(float)))
    stage = _stages_for(staged, rules)
    hot, warm, cold = (TEMPERATURES.index(t) for t in ("hot", "warm", "cold"))
    heat = np.where(score >= rules.hot, hot, np.where(score >= rules.warm, warm, cold))
    heat[stage == STAGES.index("junk")] = cold
    out = leads.drop(columns=[c for c in QUALIFY_COLUMNS if c in leads.columns]).fillna("")
    out["score"] = from_arrow(pa.array(score.astype(np.int64)).cast(TEXT), out.index)
    out["stage"] = named(STAGES, stage, out.index)
    out["temperature"] = named(TEMPERATURES, heat, out.index)
    out["bant"] = bant_letters
    out["score_reasons"] = join_coded(reasons, index, strip="; ")
    stage_counts = np.bincount(stage, minlength=len(STAGES))
    heat_counts = np.bincount(heat, minlength=len(TEMPERATURES))
    stats = QualifyStats(
        rows=len(out),
        stages={s: int(n) for s, n in zip(STAGES, stage_counts, strict=True)},
        temperatures={t: int(n) for t, n in zip(TEMPERATURES, heat_counts, strict=True)},
        rules_fired=fired,
    )
    return out, stats


def reference_time(stamps: pd.Series) -> pd.Timestamp:
    """ "Now" for days_since() and decay when none is given: the newest lead's time, so the
    same file always scores the same (a nightly file's newest lead is about today)."""
    newest = stamps.max()
    return pd.Timestamp(newest) if pd.notna(newest) else pd.Timestamp("1970-01-01", tz="UTC")


def _reason(
    fired: np.ndarray, name: str, points: np.ndarray, constant: float | None = None
) -> Coded:
    """ "; name +points" where the rule fired, "" elsewhere (points formatted once per
    distinct value: decay makes them vary). ``constant``: the points of every row that fired
    (a rule without decay), which then need no numbering."""
    if constant is not None:
        return fired.astype(np.int64), ["", f"; {name} {_signed(float(constant))}"]
    codes, values = pd.factorize(points[fired])
    # Decayed points differ in every row but show as a few texts: one code per text.
    shown = pd.Index([f"; {name} {_signed(float(v))}" for v in values])
    text_codes, texts = pd.factorize(shown)
    coded = np.zeros(len(fired), dtype=np.int64)
    coded[fired] = text_codes[codes] + 1
    return coded, ["", *map(str, texts)]


def _signed(points: float) -> str:
    return f"{points:+.1f}".rstrip("0").rstrip(".") if points % 1 else f"{points:+.0f}"


def _stages_for(context: Context, rules: RuleSet) -> np.ndarray:
    """Each lead's stage as its place in STAGES: the first stage rule that holds, else IQL."""
    unset = -1
    stage = np.full(len(context.frame), unset, dtype=np.intp)
    for name, condition in rules.stages:
        mask = evaluate(condition, context.frame, context.now, context).to_numpy(dtype=bool)
        stage[mask & (stage == unset)] = STAGES.index(name)
    stage[stage == unset] = STAGES.index("IQL")
    return stage


# --------------------------------------------------------------------------- backtest


def outcome_column(frame: pd.DataFrame, name: str) -> str:
    """The column an outcome name refers to: as given, or as import keeps it (``x_…``)."""
    for candidate in (name, "x_" + snake_case(name), snake_case(name)):
        if candidate in frame.columns:
            return candidate
    raise LeadtoolError(f"no outcome column {name!r} in the leads")


def outcomes_from(values: pd.Series) -> pd.Series:
    """Outcome cells -> 1.0 / 0.0, NaN where empty (unknown outcomes are left out). A
    column of a CRM's deal stages (``is_stage_column``) is won at a won stage, lost at a
    lost one, and unknown at any other: an open deal has no outcome yet."""
    text, stages = _folded(values), _stage_keys(values)
    won, lost = deal_stages()
    result = (text.isin(TRUE_OUTCOMES) | stages.isin(won)).astype(float)
    if is_stage_column(values):
        return result.where(stages.isin(won | lost), np.nan)
    return result.where(text != "", np.nan)


def holds_deal_stages(values: pd.Series) -> bool:
    """Whether some cell is a CRM deal stage that closes a deal (``data/values.yml``)."""
    won, lost = deal_stages()
    return bool(_stage_keys(values).isin(won | lost).any())


def is_stage_column(values: pd.Series) -> bool:
    """Whether a column holds a CRM's deal stages: a stage that closes a deal (won or lost,
    ``data/values.yml``) beside stages that do not (``Переговоры``, ``Contract Sent``)."""
    text = pd.Series(_folded(values).unique())
    won, lost = deal_stages()
    closing = pd.Series([status_key(t) for t in text], dtype=object).isin(won | lost)
    plain = text.isin(TRUE_OUTCOMES | bool_values().keys()) | (text == "")
    return bool(closing.any() and not (closing | plain).all())


def _folded(values: pd.Series) -> pd.Series:
    """Outcome cells as compared: trimmed and case-folded, empty where missing."""
    return values.fillna("").astype(str).str.strip().str.casefold()


def _stage_keys(values: pd.Series) -> pd.Series:
    """Outcome cells as deal stages are compared (``status_key``: ``Closed Won``,
    ``CLOSED_WON`` and ``closed-won`` alike), once per distinct cell."""
    return per_distinct(values.fillna("").astype(str), status_key)


def join_outcomes(leads: pd.DataFrame, outcomes: pd.DataFrame, column: str) -> pd.Series:
    """Outcomes from a separate file, joined on lead_id, else e-mail, else phone."""
    col = outcome_column(outcomes, column)
    values = outcomes_from(outcomes[col])
    result = pd.Series(np.nan, index=leads.index)
    by_name = {snake_case(str(c)): c for c in outcomes.columns}
    for key in ("lead_id", "email", "phone"):
        if key in leads.columns and key in by_name:
            keys = outcomes[by_name[key]].fillna("").astype(str).str.strip().str.casefold()
            table = values[keys != ""].groupby(keys[keys != ""]).max()
            mine = leads[key].fillna("").astype(str).str.strip().str.casefold()
            result = result.fillna(mine.map(table))
    if result.notna().sum() == 0:
        raise LeadtoolError("outcomes: no lead matched on lead_id, email or phone")
    return result


def auc(score: pd.Series, outcome: pd.Series) -> float:
    """Area under the ROC curve of ``score`` for ``outcome`` (Mann-Whitney, ties averaged)."""
    known = outcome.notna()
    s, y = score[known].astype(float), outcome[known].astype(float)
    positives = int(y.sum())
    negatives = len(y) - positives
    if positives == 0 or negatives == 0:
        return float("nan")
    ranks = s.rank(method="average")
    return float((ranks[y == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def backtest(qualified: pd.DataFrame, outcome: pd.Series) -> dict[str, Any]:
    """Per stage and temperature: count, conversions, rate, lift; SQL precision and recall;
    the score's AUC. Leads without a known outcome are left out."""
    known = outcome.notna()
    frame = qualified[known]
    y = outcome[known].astype(float)
    base = float(y.mean()) if len(y) else float("nan")
    score = pd.to_numeric(frame["score"], errors="coerce").fillna(0)

    def table(column: str, order: tuple[str, ...]) -> list[dict[str, Any]]:
        rows = []
        for value in order:
            m = frame[column] == value
            n = int(m.sum())
            conv = int(y[m].sum())
            rate = conv / n if n else float("nan")
            rows.append(
                {
                    column: value,
                    "leads": n,
                    "converted": conv,
                    "conversion_rate": _r(rate),
                    "lift": _r(rate / base) if n and base else None,
                }
            )
        return rows

    sql = frame["stage"] == "SQL"
    positives = float(y.sum())
    return {
        "leads_with_outcome": len(y),
        "converted": int(positives),
        "base_rate": _r(base),
        "auc": _r(auc(score, y)),
        "sql_precision": _r(float(y[sql].mean())) if sql.any() else None,
        "sql_recall": _r(float(y[sql].sum() / positives)) if positives else None,
        "by_stage": table("stage", STAGES),
        "by_temperature": table("temperature", TEMPERATURES),
    }


def _r(value: float) -> float | None:
    return (
        None
        if value is None or (isinstance(value, float) and math.isnan(value))
        else round(value, 4)
    )


def backtest_markdown(metrics: dict[str, Any]) -> str:
    """The backtest as a Markdown page (what docs show and ``--metrics x.md`` writes)."""
    lines = [
        f"- leads with an outcome: {metrics['leads_with_outcome']}, "
        f"converted: {metrics['converted']} (base rate {metrics['base_rate']:.1%})",
        f"- score AUC: **{metrics['auc']}**",
        f"- SQL precision: {metrics['sql_precision']}, SQL recall: {metrics['sql_recall']}",
        "",
    ]
    for key, title in (("by_stage", "stage"), ("by_temperature", "temperature")):
        lines += [
            f"| {title} | leads | converted | conversion | lift |",
            "|---|---:|---:|---:|---:|",
        ]
        for row in metrics[key]:
            rate = "" if row["conversion_rate"] is None else f"{row['conversion_rate']:.1%}"
            lift = "" if row["lift"] is None else f"{row['lift']:.2f}×"
            lines.append(
                f"| {row[title]} | {row['leads']} | {row['converted']} | {rate} | {lift} |"
            )
        lines.append("")
    return "\n".join(lines)
