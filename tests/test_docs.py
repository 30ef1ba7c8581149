"""The reference pages in docs/ are generated from the code and must match it."""

from __future__ import annotations

import re

from leadtool.docgen import command_names, expected_pages
from tests.conftest import REPO


def test_generated_docs_are_current() -> None:
    stale = [
        str(path.relative_to(REPO))
        for path, text in expected_pages(REPO / "docs").items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]
    assert not stale, f"run `python -m leadtool.docgen` to refresh: {stale}"


def test_every_command_has_a_page() -> None:
    for name in command_names():
        assert (REPO / "docs" / "commands" / f"{name}.md").exists()


def test_readme_quick_start_matches_ci() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Quick start\n+```(?:sh|bash)?\n(.*?)```", readme, re.S)
    assert block, "README needs a Quick start code block"
    commands = [line for line in block.group(1).splitlines() if line and not line.startswith("#")]
    assert len(commands) == 2
    assert commands[1] in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def test_sources_page_lists_every_profile() -> None:
    from leadtool.sources import profiles

    page = (REPO / "docs" / "sources.md").read_text(encoding="utf-8")
    for profile in profiles():
        assert f"`{profile.key}`" in page, profile.key


def test_command_pages_keep_their_hand_written_text() -> None:
    for name in command_names():
        page = (REPO / "docs" / "commands" / f"{name}.md").read_text(encoding="utf-8")
        before = page.split("<!-- BEGIN GENERATED", 1)[0]
        assert len(before.split()) > 30, f"{name}.md has no explanation beside its --help"


def test_every_stage_column_is_described() -> None:
    from leadtool.schema import (
        DEDUPE_COLUMNS,
        QUALIFY_COLUMNS,
        QUALITY_COLUMNS,
        STAGE_COLUMN_MEANINGS,
    )

    assert set(STAGE_COLUMN_MEANINGS) == {*QUALITY_COLUMNS, *DEDUPE_COLUMNS, *QUALIFY_COLUMNS}


def test_checks_page_documents_every_check_with_its_default_severity() -> None:
    from leadtool.clean import CHECKS, load_config

    page = (REPO / "docs" / "checks.md").read_text(encoding="utf-8")
    for code, check in load_config().checks.items():
        assert f"| `{code}` | {check.severity} |" in page, code
    assert set(load_config().checks) == set(CHECKS)
