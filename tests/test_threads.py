"""Stages run their independent kernels on two threads for a large frame and one after
another for a small one (``leadtool.threads``): the same results either way."""

from __future__ import annotations

import pandas as pd
import pytest

from leadtool.clean import clean
from leadtool.dedupe import dedupe
from leadtool.errors import LeadtoolError
from leadtool.importer import combine, import_table
from leadtool.io import iter_paths, read_tables
from leadtool.qualify import load_rules, prepared_columns, qualify
from leadtool.threads import Inline
from tests.conftest import FIXTURES, REPO

EXAMPLES = REPO / "examples"


def _stages() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The examples' and fixtures' leads through import, clean, dedupe and qualify."""
    paths = iter_paths([str(EXAMPLES / "leads"), str(FIXTURES)])
    frames = []
    for path in paths:
        try:
            frames += [import_table(t)[0] for t in read_tables(path)]
        except LeadtoolError:  # (the fixtures of error paths, and spend reports)
            continue
    leads = combine(frames)
    cleaned, _ = clean(leads)
    deduped, pairs, _ = dedupe(cleaned)
    rules = load_rules(None, prepared_columns(deduped.columns))
    qualified, _ = qualify(deduped, rules, pd.Timestamp("2026-11-23", tz="UTC"))
    return cleaned, deduped, pairs, qualified


def test_stages_alike_with_and_without_threads() -> None:
    inline = _stages()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("leadtool.threads.SMALL_ROWS", 0)
        threaded = _stages()
    assert len(inline[0]) > 50
    for a, b in zip(inline, threaded, strict=True):
        pd.testing.assert_frame_equal(a, b)


def test_inline_runs_each_call_at_once_and_raises_where_asked() -> None:
    ran: list[int] = []
    with Inline() as pool:
        failed = pool.submit(int, "not a number")
        assert pool.submit(lambda: ran.append(1) or len(ran)).result() == 1
        assert list(pool.map(pow, [2, 3], [3, 2])) == [8, 9]
    with pytest.raises(ValueError, match="not a number"):
        failed.result()
