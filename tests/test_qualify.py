"""leadtool qualify: scoring, caps, decay, BANT, stages, backtest, rules-file errors, CLI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from leadtool.errors import LeadtoolError
from leadtool.qualify import (
    auc,
    backtest,
    load_rules,
    outcomes_from,
    prepare,
    prepared_columns,
    qualify,
)
from tests.conftest import FIXTURES, REPO

NOW = pd.Timestamp("2026-11-23", tz="UTC")


def leads(*rows: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame([{"lead_id": f"t:{i}", **r} for i, r in enumerate(rows)])


def write_rules(tmp_path, text: str) -> str:
    path = tmp_path / "rules.yml"
    path.write_text(text, encoding="utf-8")
    return str(path)


RULES = """
groups:
  fit: {cap: 30}
rules:
  - {name: ceo, when: decision_maker(job_title), points: 20, group: fit}
  - {name: company, when: not isblank(company), points: 15, group: fit}
  - {name: fresh, when: "days_since(created_at) <= 30", points: 20, decay: {half_life_days: 10}}
  - {name: chatter, when: 'message contains "spam"', points: -5}
bant:
  budget: {when: "amount(budget) >= 50000", points: 10}
  authority: {when: decision_maker(job_title)}
stages:
  - {stage: junk, when: 'quality == "junk"'}
  - {stage: SQL, when: "score >= 50 or bant_count >= 2"}
  - {stage: MQL, when: "score >= 20"}
  - {stage: IQL, when: true}
temperature: {hot: 40, warm: 15}
"""


def test_scoring_caps_decay_bant_and_stages(tmp_path) -> None:
    frame = leads(
        {
            "job_title": "CEO",
            "company": "Romashka",
            "created_at": "2026-11-13T00:00:00Z",
            "budget": "100 000",
        },
        {"job_title": "intern", "company": "X", "message": "spam spam"},
        {"job_title": "CEO", "quality": "junk"},
    )
    rules = load_rules(write_rules(tmp_path, RULES), list(prepare(frame).columns))
    out, stats = qualify(frame, rules, NOW)
    first = out.iloc[0]
    # fit 20 + 15 capped at 30; fresh 20 halved after 10 days; bant budget 10
    assert first["score"] == "50"
    assert first["score_reasons"] == (
        "ceo +20; company +15; fresh +10; bant_budget +10; fit capped at 30"
    )
    assert (first["stage"], first["temperature"], first["bant"]) == ("SQL", "hot", "BA")
    assert out.iloc[1][["score", "stage", "temperature"]].tolist() == ["10", "IQL", "cold"]
    assert out.iloc[2][["stage", "temperature"]].tolist() == ["junk", "cold"]
    assert stats.stages == {"junk": 1, "IQL": 1, "MQL": 0, "SQL": 1}
    assert list(out.columns[-5:]) == ["score", "stage", "temperature", "bant", "score_reasons"]


def test_default_rules_load_and_run() -> None:
    frame = pd.read_csv(
        REPO / "tests" / "golden" / "clean_all_fixtures.csv", dtype=str, keep_default_na=False
    )
    rules = load_rules(None, list(prepare(frame).columns))
    out, stats = qualify(frame, rules, NOW)
    assert len(out) == len(frame)
    assert set(out["stage"]) <= {"junk", "IQL", "MQL", "SQL"}
    assert stats.stages["junk"] == int((frame["quality"] == "junk").sum())


def test_default_rules_take_the_stage_a_crm_gave() -> None:
    # A CRM export's own stage is evidence: HubSpot's marketing-qualified contact is an MQL,
    # Bitrix24's converted lead an SQL — whatever the form told — and the reason says so.
    frame = pd.DataFrame(
        [
            {"lead_id": "hubspot:1", "name": "Ethan Clark", "x_lifecycle_stage": "lead"},
            {"lead_id": "hubspot:2", "name": "Ethan Clark", "x_lifecycle_stage": "MQL"},
            {"lead_id": "bitrix24:3", "name": "Анна", "x_стадия": "Качественный лид"},
            {
                "lead_id": "bitrix24:4",
                "name": "Анна",
                "x_стадия": "Качественный лид",
                "quality": "junk",
            },
        ]
    )
    rules = load_rules(None, list(prepare(frame).columns))
    out, _ = qualify(frame, rules, NOW)
    assert out["stage"].tolist() == ["IQL", "MQL", "SQL", "junk"]
    assert "crm_mql +15" in out["score_reasons"][1] and "crm_sql +30" in out["score_reasons"][2]


def test_rerun_replaces_previous_scores(tmp_path) -> None:
    frame = leads({"job_title": "CEO"})
    rules = load_rules(write_rules(tmp_path, RULES), list(prepare(frame).columns))
    once, _ = qualify(frame, rules, NOW)
    twice, _ = qualify(once, rules, NOW)
    pd.testing.assert_frame_equal(once, twice)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "rules:\n  - {name: a, when: budgett > 1, points: 1}\n",
            "rule 'a': unknown column 'budgett' (did you mean 'budget'?)",
        ),
        ("rules:\n  - {name: a, when: 'x((', points: 1}\n", "rule 'a': "),
        (
            "rules:\n  - {name: a, when: 'foo(budget)', points: 1}\n",
            "rule 'a': unknown function 'foo'",
        ),
        ("rules:\n  - {name: a, when: 'budget matches \"(\"', points: 1}\n", "does not compile"),
        (
            "rules:\n  - {name: a, when: 'isblank(budget)', points: many}\n",
            "rule 'a' points: expected a number",
        ),
        ("rules:\n  - {name: a, when: 'isblank(budget)'}\n", "rule 'a': missing 'points'"),
        (
            "rules:\n  - {name: a, when: 'isblank(budget)', points: 1, group: fit}\n",
            "unknown group 'fit'",
        ),
        (
            "rules:\n  - {name: a, when: 'isblank(budget)', points: 1, decay: {days: 3}}\n",
            "decay must be",
        ),
        (
            "rules:\n  - {name: a, when: 'true', points: 1}\n"
            "  - {name: a, when: 'true', points: 2}\n",
            "rule 'a' is defined twice",
        ),
        ("stages:\n  - {stage: HOT, when: 'true'}\n", "stage 'HOT': not one of"),
        (
            "stages:\n  - {stage: SQL, when: 'score >= \"high\"'}\n",
            "stage SQL: expected a number, got a text",
        ),
        ("temperature: {hot: 10, warm: 20}\n", "warm (20) is above hot (10)"),
        ("bant:\n  money: {when: 'true'}\n", "unknown criterion 'money'"),
        ("scoring: []\n", "unknown section 'scoring'"),
        ("rules: [\n", "not valid YAML"),
    ],
)
def test_bad_rules_name_file_rule_and_problem(tmp_path, text: str, message: str) -> None:
    path = write_rules(tmp_path, text)
    with pytest.raises(LeadtoolError) as err:
        load_rules(path, list(prepare(leads({"budget": "1"})).columns))
    assert str(err.value).startswith(path)
    assert message in str(err.value)


def test_auc_and_backtest() -> None:
    score = pd.Series([90, 80, 70, 10, 20, 30])
    outcome = pd.Series([1, 1, 0, 0, 0, 1.0])
    assert auc(score, outcome) == pytest.approx(8 / 9)
    frame = pd.DataFrame(
        {
            "score": score.astype(str),
            "stage": ["SQL", "SQL", "MQL", "IQL", "IQL", "MQL"],
            "temperature": ["hot", "hot", "warm", "cold", "cold", "warm"],
        }
    )
    metrics = backtest(frame, outcome)
    assert metrics["sql_precision"] == 1.0 and metrics["sql_recall"] == pytest.approx(0.6667)
    sql = next(r for r in metrics["by_stage"] if r["stage"] == "SQL")
    assert sql == {"stage": "SQL", "leads": 2, "converted": 2, "conversion_rate": 1.0, "lift": 2.0}


def test_outcomes_parse() -> None:
    assert outcomes_from(pd.Series(["1", "0", "Yes", "no", "", "won"])).tolist()[:4] == [1, 0, 1, 0]
    assert pd.isna(outcomes_from(pd.Series([""]))[0])
    # A CRM's deal stages: won, lost, and open (no outcome yet, left out of a backtest)
    stages = pd.Series(["Успешно реализовано", "Закрыто и не реализовано", "Переговоры", ""])
    assert outcomes_from(stages).tolist()[:2] == [1, 0]
    assert outcomes_from(stages).isna().tolist() == [False, False, True, True]
    hubspot = outcomes_from(pd.Series(["Closed Won", "closed lost", "Contract Sent"]))
    assert hubspot.tolist()[:2] == [1, 0] and pd.isna(hubspot[2])
    # Stages as APIs and other UIs spell them (Salesforce's CLOSED_WON, a "Closed-Lost"):
    api = outcomes_from(pd.Series(["CLOSED_WON", "Closed-Lost", "Negotiation", "-1"]))
    assert api.tolist()[:2] == [1, 0] and api[2:].isna().all()  # "-1" no stage, no win
    # yes / no beside won is a plain outcome column: "no" is an outcome
    assert outcomes_from(pd.Series(["yes", "no", "won"])).tolist() == [1, 0, 1]


def test_x_education_rules_reach_the_auc_target(real_data) -> None:
    from leadtool.importer import import_table
    from leadtool.io import read_tables

    (table,) = read_tables(str(real_data / "x_education_leads.csv"))
    frame, _ = import_table(table)
    rules = load_rules(
        str(REPO / "examples" / "x_education" / "rules.yml"), list(prepare(frame).columns)
    )
    out, _ = qualify(frame, rules, NOW)
    metrics = backtest(out, outcomes_from(frame["x_converted"]))
    assert metrics["auc"] >= 0.85
    assert metrics["leads_with_outcome"] == 9240


# --------------------------------------------------------------------------- CLI


def test_cli_qualify_with_evaluate_and_metrics(run, tmp_path) -> None:
    data = tmp_path / "leads.csv"
    data.write_text(
        "lead_id,job_title,company,Converted\nt:1,CEO,Romashka,1\nt:2,intern,,0\nt:3,,,0\n",
        encoding="utf-8",
    )
    metrics = tmp_path / "m.json"
    result = run(
        "qualify",
        str(data),
        "--evaluate",
        "Converted",
        "--metrics",
        str(metrics),
        "--as-of",
        "2026-11-23",
    )
    assert result.exit_code == 0, result.output
    assert "score AUC 1.0" in result.stderr and "conversion by stage" in result.stderr
    assert json.loads(metrics.read_text(encoding="utf-8"))["auc"] == 1.0
    md = tmp_path / "m.md"
    assert (
        run("-q", "qualify", str(data), "--evaluate", "Converted", "--metrics", str(md)).exit_code
        == 0
    )
    assert "| SQL |" in md.read_text(encoding="utf-8")


def test_cli_outcomes_file_joined_on_email(run, tmp_path) -> None:
    data = tmp_path / "leads.csv"
    data.write_text("lead_id,email,job_title\nt:1,a@x.io,CEO\nt:2,b@x.io,\n", encoding="utf-8")
    outcomes = tmp_path / "deals.csv"
    outcomes.write_text("Email,Won\nA@x.io,yes\nb@x.io,no\n", encoding="utf-8")
    result = run("qualify", str(data), "--outcomes", str(outcomes), "--evaluate", "Won")
    assert result.exit_code == 0, result.output
    assert "2 leads with an outcome" in result.stderr
    # a CRM's phones as typed, under its own header: read as import reads them
    data.write_text(
        "lead_id,phone,job_title\nt:1,+79161234567,CEO\nt:2,+79261234567,\n", encoding="utf-8"
    )
    outcomes.write_text(
        "Phone Number,Converted\n8 (916) 123-45-67,yes\n8 926 123 45 67,no\n", encoding="utf-8"
    )
    result = run("qualify", str(data), "--outcomes", str(outcomes), "--evaluate", "Converted")
    assert result.exit_code == 0, result.output
    assert "2 leads with an outcome" in result.stderr
    # without --evaluate, the file's won column or deal stages, as report finds them; an
    # open deal has no outcome yet
    outcomes.write_text(
        "Рабочий телефон;Этап сделки\n8 (916) 123-45-67;Успешно реализовано\n"
        "8 926 123 45 67;Переговоры\n",
        encoding="utf-8",
    )
    result = run("qualify", str(data), "--outcomes", str(outcomes))
    assert result.exit_code == 0, result.output
    assert "1 leads with an outcome" in result.stderr


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--rules", "missing.yml"], 1, "no such rules file"),
        (["--evaluate", "Revenue"], 1, "no outcome column 'Revenue'"),
        (["--as-of", "someday"], 2, "not a date"),
    ],
)
def test_cli_errors(run, tmp_path, args, code: int, message: str) -> None:
    data = tmp_path / "leads.csv"
    data.write_text("lead_id,email\nt:1,a@x.io\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    result = run("qualify", str(data), "-o", str(out), *args)
    assert result.exit_code == code
    assert message in result.output
    assert not out.exists()  # nothing written before the rules are checked


def test_cli_bad_rule_is_one_line_before_output(run, tmp_path) -> None:
    rules = write_rules(tmp_path, "rules:\n  - {name: big, when: 'budgt > 1', points: 5}\n")
    out = tmp_path / "out.csv"
    result = run("qualify", str(FIXTURES / "ragged.csv"), "-o", str(out), "--rules", rules)
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"Error: {rules}: rule 'big': unknown column 'budgt'")
    assert not out.exists()


@pytest.mark.parametrize(
    "columns",
    [[], ["lead_id", "email"], ["score", "stage", "x_budget", "email"], ["quality", "touches"]],
)
def test_prepared_columns_are_prepare_s_columns(columns: list[str]) -> None:
    """What run and the CLI hand the rules to check names against, without building it."""
    frame = pd.DataFrame({c: ["v"] for c in columns})
    assert prepared_columns(frame.columns) == list(prepare(frame).columns)


def test_decayed_points_show_per_lead(tmp_path) -> None:
    """Decay gives every lead its own points; those that print alike share one text."""
    frame = leads(
        {"created_at": "2026-11-13T00:00:00Z"},  # 10 days before NOW: 20 halved
        {"created_at": "2026-11-18T00:00:00Z"},  # 5 days: 14.14…
        {"created_at": "2026-11-18T00:00:01Z"},  # a second later: prints the same
        {"created_at": "2026-01-01T00:00:00Z"},  # too old to fire
    )
    rules = load_rules(write_rules(tmp_path, RULES), prepared_columns(frame.columns))
    out, _ = qualify(frame, rules, NOW)
    assert out["score_reasons"].tolist() == ["fresh +10", "fresh +14.1", "fresh +14.1", ""]


@pytest.mark.parametrize("points", [10, -5, 2.5, 0, -0.25])
@pytest.mark.parametrize("fired", [[True, False, True], [False, False, False]])
def test_reason_of_constant_points_spells_what_numbering_them_does(
    points: float, fired: list[bool]
) -> None:
    from leadtool.qualify import _reason

    mask = np.array(fired)
    values = np.where(mask, points, 0.0)

    def spelled(coded: tuple[np.ndarray, list[str]]) -> list[str]:
        codes, texts = coded
        return [texts[c] for c in codes]

    numbered = spelled(_reason(mask, "rule", values))
    assert spelled(_reason(mask, "rule", values, points)) == numbered
    assert [text.startswith("; rule ") for text in numbered] == fired
