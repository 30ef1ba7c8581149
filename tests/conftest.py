"""Shared test helpers: fixture paths, the real data set, a CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from leadtool.cli import STATE, app

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"
GOLDEN = TESTS / "golden"
REPO = TESTS.parent
REAL = REPO.parent / "shared" / "data" / "real"


@pytest.fixture
def real_data() -> Path:
    """The public X Education data set shipped beside the repository in shared/."""
    if not (REAL / "x_education_leads.csv").exists():
        pytest.skip("shared/data/real is not beside this checkout")
    return REAL


@pytest.fixture
def run():
    """Invoke the CLI in-process; returns the click Result (stdout and stderr apart)."""
    runner = CliRunner()

    def invoke(*args: str, input: str | bytes | None = None):
        STATE.quiet = STATE.verbose = STATE.debug = False
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    return invoke
