"""Generate the reference pages in docs/ from the code: one page per command (its --help)
and the canonical schema. ``python -m leadtool.docgen`` rewrites them; a test checks that
the committed pages match, so the docs cannot drift from the CLI.
"""

from __future__ import annotations

import sys
from pathlib import Path

from typer.testing import CliRunner

from leadtool.cli import app
from leadtool.schema import LEAD_COLUMNS, STAGE_COLUMN_MEANINGS
from leadtool.spend import SPEND_COLUMNS

WIDTH = "100"
BEGIN = "<!-- BEGIN GENERATED: leadtool {name} --help -->"
END = "<!-- END GENERATED -->"
HELP_ENV = {"COLUMNS": WIDTH, "TERMINAL_WIDTH": WIDTH, "NO_COLOR": "1", "TERM": "dumb"}


def command_help(name: str) -> str:
    """``leadtool NAME --help`` exactly as a 100-column terminal shows it, without colour."""
    result = CliRunner().invoke(app, [name, "--help"], env=HELP_ENV, color=False)
    if result.exit_code != 0:
        raise RuntimeError(f"leadtool {name} --help failed: {result.output}")
    lines = [line.rstrip() for line in result.output.splitlines()]
    return "\n".join(lines).strip("\n") + "\n"


def command_names() -> list[str]:
    """Commands in the order the app declares them."""
    return [c.name or c.callback.__name__ for c in app.registered_commands if c.callback]


def render_command_page(name: str, current: str | None) -> str:
    """The page with its generated block replaced; hand-written text around it is kept."""
    block = f"{BEGIN.format(name=name)}\n```text\n{command_help(name)}```\n{END}"
    if current and BEGIN.format(name=name) in current and END in current:
        head, rest = current.split(BEGIN.format(name=name), 1)
        tail = rest.split(END, 1)[1]
        return head + block + tail
    if current:  # a hand-written page without the block yet: keep it, add the block
        return current.rstrip("\n") + "\n\n## Options\n\n" + block + "\n"
    return f"# leadtool {name}\n\n{block}\n"


def render_schema() -> str:
    lines = [
        "# Canonical lead columns",
        "",
        "Generated from `leadtool/schema.py` by `python -m leadtool.docgen`. Every stage reads",
        "and writes these columns as text: a missing value is an empty cell, booleans are",
        "`true`/`false`, dates ISO-8601 UTC. Input columns leadtool does not map are kept after",
        "them as `x_<snake_case_header>`, so nothing is lost. Import may add `x_phone_extra`",
        "(further numbers found in a phone cell), `x_email_extra` (further addresses found in an",
        "e-mail cell), `x_created_at_raw` / `x_country_raw` (values that did not parse),",
        "`x_name_raw` (a name field that held an e-mail or a phone, as typed) and",
        "`x_extra_cells` (cells beyond the header) when a row needs them.",
        "",
        "| column | meaning |",
        "|---|---|",
    ]
    lines += [f"| `{name}` | {meaning} |" for name, meaning in LEAD_COLUMNS.items()]
    lines += ["", "## Columns the stages add", "", "| column | meaning |", "|---|---|"]
    lines += [f"| `{name}` | {meaning} |" for name, meaning in STAGE_COLUMN_MEANINGS.items()]
    lines += [
        "",
        "Canonical spend columns (`leadtool spend`): `" + "`, `".join(SPEND_COLUMNS) + "`.",
    ]
    return "\n".join(lines) + "\n"


def expected_pages(docs: Path) -> dict[Path, str]:
    pages = {}
    for name in command_names():
        path = docs / "commands" / f"{name}.md"
        current = path.read_text(encoding="utf-8") if path.exists() else None
        pages[path] = render_command_page(name, current)
    pages[docs / "schema.md"] = render_schema()
    return pages


def main(argv: list[str] | None = None) -> int:
    docs = Path(argv[0] if argv else "docs")
    for path, text in expected_pages(docs).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
