"""beside.Beside: work on the other core in a forked child, with the same result and the
same errors as running it here."""

from __future__ import annotations

import os
import time

import pandas as pd
import pyarrow as pa
import pytest

from leadtool.beside import Beside, can_fork
from leadtool.errors import LeadtoolError

needs_fork = pytest.mark.skipif(not can_fork(), reason="no fork on this machine")


def columns(n: int) -> tuple[pd.Series, pa.Array, int]:
    text = pd.Series([f"+7912{i:07d}" for i in range(n)], dtype="str")
    return text.str.slice(1), pa.array([i % 2 == 0 for i in range(n)]), os.getpid()


def fail(message: str) -> None:
    raise LeadtoolError(message)


def die() -> int:
    if os.environ.get("LEADTOOL_TEST_PARENT") != str(os.getpid()):
        os._exit(3)  # the child dies without a word
    return 42


@needs_fork
def test_result_comes_from_a_child_process_and_equals_running_it_here() -> None:
    text, flags, pid = Beside(columns, 1000).result()
    here_text, here_flags, here_pid = columns(1000)
    pd.testing.assert_series_equal(text, here_text)
    assert flags.equals(here_flags)
    assert pid != here_pid  # it ran elsewhere


def test_without_fork_it_runs_on_a_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADTOOL_NO_FORK", "1")
    assert not can_fork()
    *_, pid = Beside(columns, 10).result()
    assert pid == os.getpid()


@pytest.mark.parametrize("fork", ["0", "1"])
def test_an_error_surfaces_as_it_would_here(monkeypatch: pytest.MonkeyPatch, fork: str) -> None:
    monkeypatch.setenv("LEADTOOL_NO_FORK", fork)
    with pytest.raises(LeadtoolError, match="row 7: bad"):
        Beside(fail, "row 7: bad").result()


@needs_fork
def test_a_child_that_dies_is_run_again_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADTOOL_TEST_PARENT", str(os.getpid()))
    assert Beside(die).result() == 42


@needs_fork
def test_leaving_early_stops_the_child() -> None:
    with Beside(time.sleep, 60) as slow:
        process = slow._process
        assert process is not None and process.is_alive()
    process.join(timeout=5)
    assert not process.is_alive()
