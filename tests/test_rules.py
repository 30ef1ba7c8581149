"""The rules language: parsing, checking, vectorized evaluation, errors."""

from __future__ import annotations

import pandas as pd
import pytest

from leadtool.rules import Context, RuleError, amounts, as_numbers, compile_condition, evaluate

NOW = pd.Timestamp("2026-11-23", tz="UTC")
FRAME = pd.DataFrame(
    {
        "job_title": ["CEO", "Генеральный директор", "intern", "", "Director General"],
        "budget": ["до 100 000 ₽", "$10,000 - $50,000", "100-500 тыс", "", "Over $50,000"],
        "visits": ["3", "12", "x", "", "7,5"],
        "created_at": [
            "2026-11-22T10:00:00Z",
            "2026-11-01T00:00:00Z",
            "",
            "2026-11-23T00:00:00Z",
            "",
        ],
        "message": ["Send the price please", "", "Перезвоните", "hello", ""],
        "x_lead_origin": ["Lead Add Form", "API", "api", "", "Landing Page Submission"],
    }
)
COLUMNS = set(FRAME.columns)


def check(expr: str) -> list[bool]:
    return evaluate(compile_condition(expr, COLUMNS), FRAME, NOW).tolist()


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("decision_maker(job_title)", [True, True, False, False, True]),
        ("amount(budget) >= 100000", [True, False, True, False, False]),
        ("amount_min(budget) >= 50000", [True, False, True, False, True]),
        ("num(visits) between 3 and 10", [True, False, False, False, True]),
        ("visits > 5", [False, True, False, False, True]),
        ("isblank(message)", [False, True, False, False, True]),
        ("not isblank(message) and len(message) > 6", [True, False, True, False, False]),
        ("days_since(created_at) <= 2", [True, False, False, True, False]),
        ('x_lead_origin in ["lead add form", "API"]', [True, True, True, False, False]),
        ('x_lead_origin not in ["API"]', [True, False, False, True, True]),
        ('x_lead_origin == "api"', [False, True, True, False, False]),
        ('x_lead_origin != "API"', [True, False, False, True, True]),
        ('" api " == x_lead_origin', [False, True, True, False, False]),  # a literal first
        ('"API" != x_lead_origin', [True, False, False, True, True]),
        ('"a" == " A "', [True] * 5),
        ("x_lead_origin == job_title", [False, False, False, True, False]),  # two columns
        ('message contains "PRICE"', [True, False, False, False, False]),
        ('message startswith "hel"', [False, False, False, True, False]),
        ('job_title endswith "тор"', [False, True, False, False, False]),
        ('message matches "(price|перезвон)"', [True, False, True, False, False]),
        ('`x_lead_origin` == "API" or job_title == "CEO"', [True, True, True, False, False]),
        ("num(visits) * 2 - 1 >= 5", [True, True, False, False, True]),
        ("-num(visits) < -10", [False, True, False, False, False]),
        ("true", [True] * 5),
        ("not (visits > 5 or isblank(visits))", [True, False, True, False, False]),
    ],
)
def test_conditions(expr: str, expected: list[bool]) -> None:
    assert check(expr) == expected


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("budgett > 3", "unknown column 'budgett' (did you mean 'budget'?)"),
        ("visits >", "unexpected 'end of rule'"),
        ("visits > 3 and", "unexpected 'end of rule'"),
        ("(visits > 3", "expected ')'"),
        ("visits > 3 )", "unexpected ')'"),
        ("foo(visits)", "unknown function 'foo'"),
        ("amount(budget, visits) > 1", "amount() takes 1 argument"),
        ('crm_stage(visits > 1) == "SQL"', "crm_stage() needs columns, got a boolean"),
        ("num(visits)", "the condition is a number"),
        ('message matches "(unclosed"', "does not compile"),
        ('message > "a"', "text can only be == or !="),
        ("visits and true", "and needs a boolean"),
        ("not visits", "not needs a boolean"),
        ("message contains visits", "quoted string on the right"),
        ("visits in [true]", "a list holds strings or numbers"),
        ("visits ; drop", "unexpected character ';'"),
        ("__import__('os')", "unknown function '__import__'"),
        ("", "non-empty expression"),
    ],
)
def test_errors(expr: str, message: str) -> None:
    with pytest.raises(RuleError) as err:
        compile_condition(expr, COLUMNS)
    assert message in str(err.value)


@pytest.mark.parametrize(
    ("cells", "stage"),
    [
        ({"x_lifecycle_stage": "salesqualifiedlead"}, "SQL"),  # HubSpot's API value
        ({"x_lifecycle_stage": "Marketing Qualified Lead"}, "MQL"),  # ... and its UI's
        ({"x_lifecycle_stage": "lead"}, ""),
        ({"x_lifecycle_stage": "Customer"}, "SQL"),
        ({"x_lead_status": "OPEN_DEAL"}, "SQL"),  # HubSpot's lead status
        ({"x_стадия": "Качественный лид"}, "SQL"),  # Bitrix24's converted lead
        ({"x_стадия": "Некачественный лид"}, ""),  # junk: clean's business
        ({"x_status": "Closed - Converted"}, "SQL"),  # Salesforce
        ({"x_lifecycle_stage": "marketingqualifiedlead", "x_lead_status": "OPEN_DEAL"}, "SQL"),
        ({"x_lifecycle_stage": "opportunity", "x_lead_status": "NEW"}, "SQL"),  # the furthest
        ({"x_deal_stage": "Qualified", "x_deal_status": "Open"}, "SQL"),  # Pipedrive
        ({"x_deal_stage": "Contact Made", "x_deal_status": "Won"}, "SQL"),  # a won deal
        ({"x_deal_stage": "Contact Made", "x_deal_status": "Lost"}, ""),
        ({"x_этап_сделки": "Успешно реализовано"}, "SQL"),  # amoCRM's won deal
        ({"x_comment": "sql"}, ""),  # not a column a CRM keeps its stage in
        ({}, ""),
    ],
)
def test_crm_stage_reads_the_stage_a_crm_gave(cells: dict[str, str], stage: str) -> None:
    frame = pd.DataFrame([{"name": "Anna", **cells}])
    columns = set(frame.columns)
    for expected in ("SQL", "MQL", ""):
        node = compile_condition(f'crm_stage() == "{expected}"', columns)
        assert evaluate(node, frame, NOW).tolist() == [expected == stage]


def test_crm_stage_reads_the_columns_it_is_given() -> None:
    # A CRM that keeps its stage under a header of its own (a custom pipeline field): the
    # rule names the column, and only the columns named are read.
    frame = pd.DataFrame(
        {
            "x_pipeline": ["Marketing Qualified Lead", "SQL", "", "new"],
            "x_lifecycle_stage": ["", "", "salesqualifiedlead", ""],
        }
    )
    columns = set(frame.columns)

    def stages(call: str) -> list[str]:
        found = ["", "", "", ""]
        for stage in ("SQL", "MQL"):
            hits = evaluate(compile_condition(f'{call} == "{stage}"', columns), frame, NOW)
            found = [stage if hit else f for hit, f in zip(hits, found, strict=True)]
        return found

    assert stages("crm_stage(x_pipeline)") == ["MQL", "SQL", "", ""]
    assert stages("crm_stage(x_pipeline, x_lifecycle_stage)") == ["MQL", "SQL", "SQL", ""]
    assert stages("crm_stage()") == ["", "", "SQL", ""]  # the columns values.yml names


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("до 100 000 ₽", [100000]),
        ("$10,000 - $50,000", [10000, 50000]),
        ("100-500 тыс", [100000, 500000]),
        ("Over $50,000", [50000]),
        ("1,5 млн", [1500000]),
        ("50k", [50000]),
        ("1.250.000 руб", [1250000]),
        ("2 миллиона", [2000000]),
        ("не знаю", []),
    ],
)
def test_amounts(text: str, values: list[float]) -> None:
    assert amounts(text) == values


def test_evaluation_is_vectorized_over_a_million_rows_shape() -> None:
    big = pd.concat([FRAME] * 2000, ignore_index=True)
    node = compile_condition("decision_maker(job_title) and amount(budget) >= 50000", COLUMNS)
    result = evaluate(node, big, NOW)
    assert len(result) == len(big) and result.sum() == 2000 * 3


def test_catastrophic_patterns_run_in_linear_time() -> None:
    """(a+)+$ on "aaaa…b" takes exponential time with backtracking engines; RE2 does not."""
    import time

    frame = pd.DataFrame({"message": ["a" * 5000 + "b"] * 3})
    node = compile_condition('message matches "(a+)+$"', {"message"})
    start = time.perf_counter()
    assert evaluate(node, frame, NOW).tolist() == [False] * 3
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize("pattern", [r"(a)\\1", "(?<=a)b"])
def test_backtracking_only_syntax_is_refused(pattern: str) -> None:
    with pytest.raises(RuleError, match="does not compile"):
        compile_condition(f'message matches "{pattern}"', {"message"})


def test_conditions_in_one_context_compute_a_repeated_call_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rule sets repeat calls (amount(budget) in three rules); a shared context computes
    each once, also when the conditions run on two threads, and gives the same answers."""
    from concurrent.futures import ThreadPoolExecutor

    import leadtool.rules as rules

    seen: list[str] = []
    real = rules.amounts
    monkeypatch.setattr(rules, "amounts", lambda text: seen.append(text) or real(text))
    texts = [
        "amount(budget) >= 100000",
        "not isblank(budget) and amount( budget ) < 100000",
        "amount(budget) >= 50000 or decision_maker(job_title)",
        "decision_maker(job_title) and num(visits) > 2",
    ]
    nodes = [compile_condition(t, COLUMNS) for t in texts]
    alone = [evaluate(n, FRAME, NOW).tolist() for n in nodes]
    calls_alone = len(seen)
    seen.clear()
    context = Context(FRAME, NOW)
    with ThreadPoolExecutor(max_workers=2) as pool:
        shared = list(pool.map(lambda n: evaluate(n, FRAME, NOW, context).tolist(), nodes))
    assert shared == alone
    assert len(seen) == calls_alone // 3  # three rules call amount(budget); it ran once


def test_stage_names_do_not_share_results_with_columns_of_the_same_name() -> None:
    """A stage condition's ``score`` is the computed score, not a lead column called score."""
    frame = FRAME.assign(score=["90", "0", "0", "0", "0"])
    context = Context(frame, NOW)
    rule = compile_condition("num(score) > 50", set(frame.columns))
    assert evaluate(rule, frame, NOW, context).tolist() == [True] + [False] * 4
    staged = frame.assign(score=[0.0, 99.0, 0.0, 0.0, 0.0])
    stage = compile_condition("num(score) > 50", set(frame.columns), {"score": "number"})
    result = evaluate(stage, staged, NOW, context.with_columns(staged))
    assert result.tolist() == [False, True, False, False, False]


@pytest.mark.parametrize(
    "values",
    [
        ["1", " 2,5", "", "x", "1e3", "-0", "1", "1"],
        ["3", "12", "3", "007"],
        ["", ""],
        [],
    ],
)
def test_numbers_per_distinct_value_match_pandas(values: list[str]) -> None:
    text = pd.Series(values, dtype="str", index=range(10, 10 + len(values)))
    expected = pd.to_numeric(text.str.strip().str.replace(",", ".", regex=False), errors="coerce")
    pd.testing.assert_series_equal(as_numbers(text), expected, check_names=False)
