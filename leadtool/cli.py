"""Command-line interface: parse options, call one library function, print to stderr.

Stdout carries data only. Errors the user can fix print one ``Error: …`` line and exit 1;
usage errors exit 2 (Typer/Click); ``--debug`` adds the traceback.
"""

from __future__ import annotations

import datetime as dt
import gc
import inspect
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table as RichTable

from leadtool import __version__
from leadtool.errors import LeadtoolError, NotLeadsError, os_reason

# The library (pandas, pyarrow, phonenumbers: 0.3 s) is imported by the commands that use
# it, so `--help`, `--version` and usage errors answer at once.
if TYPE_CHECKING:
    import pandas as pd

    from leadtool.importer import ImportOptions, ImportStats
    from leadtool.spend import SpendStats

app = typer.Typer(
    name="leadtool",
    help="Import, clean, deduplicate, qualify and report on marketing leads from any export.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


F = TypeVar("F", bound=Callable[..., Any])


def command(name: str) -> Callable[[F], F]:
    """``app.command``, with the first paragraph of the command's docstring on one line as its
    entry in ``leadtool --help``. Typer's list of commands keeps a docstring's line breaks
    (its rich mode, unlike a command's own help), which broke every entry mid-sentence."""

    def register(function: F) -> F:
        first = inspect.cleandoc(function.__doc__ or "").split("\n\n")[0]
        return app.command(name, short_help=" ".join(first.split()))(function)

    return register


@dataclass
class State:
    """Global options, set by the app callback for the command that follows."""

    quiet: bool = False
    verbose: bool = False
    debug: bool = False
    escape_formulas: bool = True
    redact: str | None = None


STATE = State()
T = TypeVar("T")
console = Console(stderr=True, highlight=False, soft_wrap=True)


def print_whole(out: Console, table: RichTable) -> None:
    """A table that loses nothing. Rich fits a table to the terminal — 80 columns when the
    output is a pipe or a file — by squeezing its columns to "…" and cropping the rest: a
    report redirected to a file lost its cost columns. Piped, the table is printed at its
    natural width; on a terminal too narrow for it, only the columns allowed to fold (the
    names of sources and campaigns) fold, and the terminal wraps what is still wider."""
    measured = out.measure(table, options=out.options.update_width(100_000))
    needed = measured.minimum if out.is_terminal else measured.maximum
    if needed > out.width:
        table.width = needed
    out.print(table, crop=False)


def say(message: str) -> None:
    """A progress or summary line on stderr (silent with --quiet)."""
    if not STATE.quiet:
        console.print(message, markup=False)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"leadtool {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="Print nothing but errors.")] = False,
    verbose: Annotated[
        bool, typer.Option("-v", "--verbose", help="Print more detail (column mappings).")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    no_escape_formulas: Annotated[
        bool,
        typer.Option(
            "--no-escape-formulas",
            help="Write CSV cells as they are, for machine consumers (default: cells that "
            "start like a spreadsheet formula get a leading ').",
        ),
    ] = False,
    redact: Annotated[
        str | None,
        typer.Option(
            "--redact",
            metavar="MODE",
            help="Mask (mask) or hash (hash) e-mails and phones in lead files, for sharing.",
        ),
    ] = None,
) -> None:
    """leadtool: any lead export in, one clean, deduplicated, qualified list out."""
    if redact is not None:
        from leadtool.privacy import REDACT_MODES

        if redact not in REDACT_MODES:
            raise typer.BadParameter("use mask or hash", param_hint="--redact")
    STATE.quiet, STATE.verbose, STATE.debug = quiet, verbose and not quiet, debug
    STATE.escape_formulas, STATE.redact = not no_escape_formulas, redact


def emit(frame: pd.DataFrame, output: str | None, fmt: str | None = None) -> None:
    """Write a data file with the global output safety options applied."""
    from leadtool.io import write_table
    from leadtool.privacy import redact as redact_frame

    if STATE.redact:
        frame = redact_frame(frame, STATE.redact)
    write_table(frame, output, fmt, escape=STATE.escape_formulas)


@contextmanager
def handled_errors() -> Iterator[None]:
    """Turn library errors into one ``Error:`` line and exit code 1.

    Every command enters here once its library modules are imported. The objects those
    imports made (some 70,000: pandas, pyarrow, phonenumbers) are never garbage; frozen, the
    cycle collector stops walking them on each full pass (a 1M-lead run spent 1.4% of its
    CPU in the collector, 0.5% after).
    """
    gc.freeze()
    small_pages()
    try:
        yield
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except LeadtoolError as exc:
        _fail(str(exc))
    except BrokenPipeError:
        _quiet_broken_pipe()
    except Exception as exc:
        if isinstance(exc, OSError) and exc.filename is not None:
            _fail(f"{exc.filename}: {os_reason(exc)}")  # no permission…: the user's to fix
        # A bug: still one line, the traceback with --debug. The message itself is not
        # shown: it may quote a cell, i.e. a person's data.
        _fail(
            f"unexpected {type(exc).__name__} at {_where(exc)} (run with --debug for the traceback)"
        )


# prctl(2)'s option of Linux that sets the process's "no transparent huge pages" flag.
PR_SET_THP_DISABLE = 41


def small_pages() -> None:
    """Turn transparent huge pages off for this process (Linux; ``LEADTOOL_HUGE_PAGES=1``
    keeps them), as Redis does.

    A run makes and frees hundreds of large arrays and buffers; numpy and Arrow's allocator
    ask for huge pages for them, and freed memory goes back to the system. Each first touch
    of such a region then makes the kernel zero a whole 2 MiB page, however little of it is
    written: on the benchmark host a fifth of a 1M-lead run's CPU time. With 4 KiB pages the
    kernel's time fell from 2.9–4.4 s to 2.2–2.9 s and whole runs took 5–9% less (see
    docs/performance.md). The flag is inherited by ``--jobs`` workers."""
    if not sys.platform.startswith("linux") or os.environ.get("LEADTOOL_HUGE_PAGES") == "1":
        return
    import ctypes

    with suppress(OSError, AttributeError):  # no prctl in this libc: nothing to turn off
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0)


def _where(exc: BaseException) -> str:
    """file:line of the deepest leadtool frame of an exception."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "leadtool" in f.filename]
    last = frames[-1] if frames else None
    return f"{Path(last.filename).name}:{last.lineno}" if last else "unknown place"


def _fail(message: str) -> None:
    if STATE.debug:
        traceback.print_exc(file=sys.stderr)
    console.print(f"Error: {' '.join(message.split())}", markup=False, soft_wrap=True)
    raise typer.Exit(1)


def _silence_stdout() -> None:
    """``leadtool … | head``: the reader left. Point stdout at /dev/null so the interpreter's
    final flush does not print a broken-pipe traceback."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _quiet_broken_pipe() -> None:
    _silence_stdout()
    raise typer.Exit(1)


# --------------------------------------------------------------------------- options


def _check_region(value: str | None) -> str | None:
    from leadtool.settings import region_code

    return None if value is None else _checked(region_code, value)


def _checked(check: Callable[[str], T], value: str) -> T:
    """A setting checked by leadtool.settings, its complaint as a usage error."""
    try:
        return check(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


def _check_timezone(value: str | None) -> str | None:
    from leadtool.settings import timezone_name

    return None if value is None else _checked(timezone_name, value)


def _check_profile(value: str | None) -> str | None:
    if value is None:
        return None
    from leadtool.sources import profile_by_key

    try:
        return profile_by_key(value).key
    except LeadtoolError as exc:
        raise typer.BadParameter(str(exc)) from exc


def _check_output_format(value: str | None) -> str | None:
    if value is None:
        return None
    from leadtool.io import output_format

    try:
        return output_format(None, value)
    except LeadtoolError as exc:
        raise typer.BadParameter(str(exc)) from exc


Files = Annotated[
    list[str],
    typer.Argument(
        metavar="FILE",
        show_default=False,
        help="Export files or folders to read; - reads standard input.",
    ),
]
Output = Annotated[
    str | None,
    typer.Option(
        "-o",
        "--output",
        metavar="FILE",
        show_default="CSV to stdout",
        help="Output file (.csv .tsv .jsonl .parquet .xlsx); - for stdout.",
    ),
]
InputFormat = Annotated[
    str | None,
    typer.Option(
        "--format",
        metavar="F",
        show_default="from the content and extension",
        help="Input format: csv, tsv, txt, xlsx, json, jsonl, parquet, html.",
    ),
]
OutputFormat = Annotated[
    str | None,
    typer.Option(
        "--output-format",
        metavar="F",
        callback=_check_output_format,
        show_default="from the extension",
        help="Output format: csv, tsv, jsonl, parquet, xlsx.",
    ),
]
Region = Annotated[
    str | None,
    typer.Option(
        "--region",
        metavar="CC",
        callback=_check_region,
        show_default="inferred per file",
        help="Phone region (ISO code such as RU, RO, MD) for numbers without a country code.",
    ),
]
Timezone = Annotated[
    str | None,
    typer.Option(
        "--timezone",
        metavar="TZ",
        callback=_check_timezone,
        show_default="UTC, or the profile's",
        help="Time zone (IANA name such as Europe/Moscow) of dates written without one.",
    ),
]
Mapping = Annotated[
    str | None,
    typer.Option(
        "--mapping",
        metavar="FILE",
        help="YAML/JSON/CSV file mapping your headers to canonical columns; wins over detection.",
    ),
]
Sheet = Annotated[
    str | None,
    typer.Option(
        "--sheet",
        metavar="NAME",
        show_default="every sheet with a table",
        help="Read only this XLSX sheet.",
    ),
]
Source = Annotated[
    str | None,
    typer.Option(
        "--source", metavar="NAME", help="Set the source of every lead (facebook, tilda…)."
    ),
]
Jobs = Annotated[
    int,
    typer.Option(
        "--jobs",
        "-j",
        metavar="N",
        min=0,
        help="Processes for phone and e-mail validation on large files (0: every core).",
    ),
]
ProfileOpt = Annotated[
    str | None,
    typer.Option(
        "--profile",
        metavar="NAME",
        callback=_check_profile,
        show_default="detected from the headers",
        help="Source profile to use (see docs/sources.md).",
    ),
]


# --------------------------------------------------------------------------- import


@command("import")
def import_cmd(
    files: Files,
    output: Output = None,
    source: Source = None,
    region: Region = None,
    timezone: Timezone = None,
    mapping: Mapping = None,
    sheet: Sheet = None,
    input_format: InputFormat = None,
    out_format: OutputFormat = None,
    profile: ProfileOpt = None,
    jobs: Jobs = 1,
) -> None:
    """Read lead exports (Meta, Google Ads, LinkedIn, TikTok, Typeform, Google Forms, Tilda,
    Bitrix24, amoCRM, HubSpot or any table with recognizable columns) into one canonical,
    normalized lead file: E.164 phones, validated e-mails, UTC dates, lineage."""
    from leadtool.importer import ImportOptions, combine, import_table
    from leadtool.io import output_format, read_tables
    from leadtool.normalize import resolve_jobs
    from leadtool.sources import load_user_mapping

    with handled_errors():
        if output not in (None, "-"):
            output_format(output, out_format)  # fail on a bad output name before reading
        options = ImportOptions(
            source=source,
            region=region,
            timezone=timezone,
            mapping=load_user_mapping(mapping) if mapping else None,
            profile=profile,
            jobs=resolve_jobs(jobs),
        )
        frames, spend_reports = [], []
        for path in _paths(files):
            for table in read_tables(path, input_format, sheet):
                try:
                    frame, stats = import_table(table, options)
                except NotLeadsError as exc:
                    # A folder of the night's exports holds spend reports too: left out,
                    # as run reads them as spend. A file named on its own is an error.
                    if exc.spend_profile is None or path in files:
                        raise
                    spend_reports.append(table.label)
                    continue
                frames.append(frame)
                _summary(stats)
        if spend_reports:
            say(f"spend reports left out (for leadtool spend): {', '.join(spend_reports)}")
            if not frames:
                raise LeadtoolError(f"no lead tables in {', '.join(files)}, only spend reports")
        leads = combine(frames)
        emit(leads, output, out_format)
        if len(frames) > 1:
            say(f"{len(leads)} leads from {len(frames)} tables written to {output or 'stdout'}")


def _paths(files: list[str]) -> list[str]:
    from leadtool.io import iter_paths

    paths = iter_paths(files)
    if not paths:
        raise LeadtoolError(f"no table files in {', '.join(files)}")
    return paths


def _summary(stats: ImportStats) -> None:
    parts = [f"profile {stats.profile}"]
    if stats.encoding:
        parts.append(stats.encoding)
    if stats.delimiter:
        parts.append({"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}[stats.delimiter])
    parts.append(f"{stats.rows_read} rows read, {stats.rows_written} written")
    parts.append(f"phones {stats.phones_valid}/{stats.phones_given} valid")
    parts.append(f"e-mails {stats.emails_valid}/{stats.emails_given} valid")
    parts.append(f"region {stats.region or '-'} ({stats.region_from})")
    notes = []
    if stats.ragged_rows:
        notes.append(f"{stats.ragged_rows} ragged rows flagged")
    if stats.dates_bad:
        notes.append(f"{stats.dates_bad} dates unparsed")
    if stats.footer_rows:
        notes.append(f"{stats.footer_rows} footer rows skipped (totals, report notes)")
    if stats.header_repeats:
        n = stats.header_repeats
        notes.append(f"{n} repeated header row{'s' if n > 1 else ''} skipped")
    if stats.header_row > 1:
        notes.append(f"header at row {stats.header_row}")
    say(f"{stats.file}: " + ", ".join(parts) + (f"; {', '.join(notes)}" if notes else ""))
    if STATE.verbose:
        for header, target in stats.mapping.items():
            say(f"    {header} -> {target}")


# --------------------------------------------------------------------------- inspect


@command("inspect")
def inspect_cmd(
    files: Files,
    source: Source = None,
    region: Region = None,
    timezone: Timezone = None,
    mapping: Mapping = None,
    sheet: Sheet = None,
    input_format: InputFormat = None,
    profile: ProfileOpt = None,
    rows: Annotated[int, typer.Option("--rows", min=0, help="Sample rows to show.")] = 3,
) -> None:
    """Show what import would detect in each file (encoding, delimiter, header row, profile,
    column mapping, phone region, sample rows) without writing anything."""
    from leadtool.importer import ImportOptions
    from leadtool.io import read_tables
    from leadtool.sources import load_user_mapping

    with handled_errors():
        options = ImportOptions(
            source=source,
            region=region,
            timezone=timezone,
            mapping=load_user_mapping(mapping) if mapping else None,
            profile=profile,
        )
        out = Console(stderr=False, highlight=False, soft_wrap=False, width=120)
        for path in _paths(files):
            for table in read_tables(path, input_format, sheet):
                _inspect_table(out, table, options, rows)


def _inspect_table(out: Console, table: object, options: ImportOptions, rows: int) -> None:
    from leadtool.importer import import_table
    from leadtool.io import Table

    assert isinstance(table, Table)
    facts = RichTable(title=table.label, show_header=False, title_justify="left")
    facts.add_column("what", style="bold")
    facts.add_column("found")
    facts.add_row("encoding", table.encoding or "-")
    facts.add_row("delimiter", repr(table.delimiter) if table.delimiter else "-")
    facts.add_row("header", f"row {table.header_row}, column {table.header_col}")
    if table.preamble:
        facts.add_row("skipped above header", " / ".join(table.preamble)[:100])
    facts.add_row("data rows", str(len(table.rows)))
    if table.footer_rows:
        facts.add_row("footer rows skipped", str(table.footer_rows))
    if table.header_repeats:
        facts.add_row("repeated header rows skipped", str(table.header_repeats))
    try:
        frame, stats = import_table(table, options)
    except LeadtoolError as exc:
        facts.add_row("problem", str(exc))
        out.print(facts)
        _raw_sample(out, table, rows)
        return
    facts.add_row("profile", stats.profile)
    facts.add_row("phone region", f"{stats.region or '-'} ({stats.region_from})")
    facts.add_row("time zone for naive dates", stats.timezone)
    facts.add_row("valid phones", f"{stats.phones_valid}/{stats.phones_given}")
    facts.add_row("valid e-mails", f"{stats.emails_valid}/{stats.emails_given}")
    out.print(facts)
    columns = RichTable(title="column mapping", title_justify="left")
    columns.add_column("header in file")
    columns.add_column("leadtool column")
    for header, target in stats.mapping.items():
        columns.add_row(header, target)
    out.print(columns)
    if rows:
        shown = [c for c in frame.columns if (frame[c].head(rows) != "").any()]
        sample = RichTable(title=f"first {rows} rows after import", title_justify="left")
        sample.add_column("column")
        for i in range(min(rows, len(frame))):
            sample.add_column(f"row {frame['source_row'].iat[i]}", overflow="fold")
        for c in shown:
            sample.add_row(c, *[str(v) for v in frame[c].head(rows)])
        out.print(sample)


def _raw_sample(out: Console, table: object, rows: int) -> None:
    from leadtool.io import Table

    assert isinstance(table, Table)
    sample = RichTable(title=f"first {rows} rows as read", title_justify="left")
    for c in table.data.columns:
        sample.add_column(str(c), overflow="fold")
    for row in table.data.head(rows).itertuples(index=False, name=None):
        sample.add_row(*[str(v) for v in row])
    out.print(sample)


# --------------------------------------------------------------------------- clean


def _country_list(value: str | None) -> list[str] | None:
    if value is None:
        return None
    import phonenumbers

    codes = [c.strip().upper() for c in value.split(",") if c.strip()]
    bad = [c for c in codes if c not in phonenumbers.SUPPORTED_REGIONS]
    if bad or not codes:
        raise typer.BadParameter(
            f"{', '.join(bad) or value!r}: not ISO country codes such as RU,MD"
        )
    return codes


@command("clean")
def clean_cmd(
    input_file: Annotated[
        str, typer.Argument(metavar="IN", help="Lead file from leadtool import; - reads stdin.")
    ],
    output: Output = None,
    rejected: Annotated[
        str | None,
        typer.Option("--rejected", metavar="FILE", help="Also write the junk leads to this file."),
    ] = None,
    drop_junk: Annotated[
        bool, typer.Option("--drop-junk", help="Leave junk leads out of the output.")
    ] = False,
    checks: Annotated[
        str | None,
        typer.Option(
            "--checks", metavar="FILE", help="YAML file adjusting checks (see docs/checks.md)."
        ),
    ] = None,
    target_countries: Annotated[
        str | None,
        typer.Option(
            "--target-countries",
            metavar="CC,...",
            help="Countries you serve; leads whose phone is elsewhere are out_of_geo.",
        ),
    ] = None,
    block_domains: Annotated[
        str | None,
        typer.Option(
            "--block-domains",
            metavar="FILE",
            help="E-mail domains to mark blocked_domain (one per line; competitors, staff).",
        ),
    ] = None,
    stats_file: Annotated[
        str | None,
        typer.Option(
            "--stats", metavar="FILE", help="Write counts per reason and junk rates as JSON."
        ),
    ] = None,
    input_format: InputFormat = None,
    out_format: OutputFormat = None,
) -> None:
    """Mark bots, fakes, test entries, disposable mailboxes and other junk: every lead gets
    quality (ok / suspect / junk) and reasons. Nothing is dropped unless --drop-junk."""
    from leadtool.clean import clean, load_config
    from leadtool.io import output_format, read_leads, write_json

    countries = _country_list(target_countries)
    with handled_errors():
        if output not in (None, "-"):
            output_format(output, out_format)
        config = load_config(checks, block_domains, countries)
        leads = read_leads(input_file, input_format)
        cleaned, stats = clean(leads, config)
        junk = cleaned["quality"].eq("junk")
        if rejected:
            emit(cleaned[junk], rejected)
        if stats_file:
            write_json(stats.as_dict(), stats_file)
        emit(cleaned[~junk] if drop_junk else cleaned, output, out_format)
        _clean_summary(input_file, stats, dropped=int(junk.sum()) if drop_junk else 0)


def _clean_summary(name: str, stats: object, dropped: int) -> None:
    from leadtool.clean import CleanStats

    assert isinstance(stats, CleanStats)
    if STATE.quiet:
        return
    q = stats.quality
    rate = q["junk"] / stats.rows if stats.rows else 0.0
    say(
        f"{'stdin' if name == '-' else name}: {stats.rows} leads: {q['ok']} ok, "
        f"{q['suspect']} suspect, {q['junk']} junk ({rate:.1%})"
        + (f"; {dropped} junk left out" if dropped else "")
    )
    if stats.reasons:
        say(
            "reasons: "
            + ", ".join(f"{k} {v}" for k, v in sorted(stats.reasons.items(), key=lambda kv: -kv[1]))
        )
    for note in stats.notes:
        say(f"note: {note}")
    rows = stats.by_campaign if STATE.verbose else stats.by_source
    if not rows:
        return
    table = RichTable(
        title="junk by " + ("campaign" if STATE.verbose else "source"), title_justify="left"
    )
    keys = ["source", "campaign"] if STATE.verbose else ["source"]
    for col in [*keys, "leads", "junk", "suspect", "junk rate"]:
        table.add_column(col, justify="right" if col not in keys else "left")
    for row in rows[:20]:
        table.add_row(
            *[str(row[k]) or "(none)" for k in keys],
            str(row["leads"]),
            str(row["junk"]),
            str(row["suspect"]),
            f"{row['junk_rate']:.1%}",
        )
    print_whole(console, table)


# --------------------------------------------------------------------------- dedupe


def _name_list(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


@command("dedupe")
def dedupe_cmd(
    input_file: Annotated[
        str, typer.Argument(metavar="IN", help="Lead file (from import or clean); - reads stdin.")
    ],
    output: Output = None,
    history: Annotated[
        str | None,
        typer.Option(
            "--history", metavar="FILE", help="Leads seen on earlier nights (csv or parquet)."
        ),
    ] = None,
    update_history: Annotated[
        bool,
        typer.Option("--update-history", help="Add tonight's new leads to --history (atomically)."),
    ] = False,
    fuzzy: Annotated[
        bool, typer.Option("--fuzzy/--no-fuzzy", help="Also match names typed differently.")
    ] = True,
    fields: Annotated[
        str | None,
        typer.Option(
            "--fields",
            metavar="COL,...",
            show_default="company,email_local",
            help="Fields of which one must agree for a fuzzy name match: any column, "
            "or email_local.",
        ),
    ] = None,
    threshold: Annotated[
        float,
        typer.Option(
            "--threshold", metavar="X", min=0.5, max=1.0, help="Name similarity for a fuzzy match."
        ),
    ] = 0.88,
    keep: Annotated[
        str,
        typer.Option(
            "--keep", metavar="RULE", help="Primary of a group: first, last, complete or priority."
        ),
    ] = "first",
    source_priority: Annotated[
        str | None,
        typer.Option(
            "--source-priority", metavar="a,b,...", help="Source order for --keep priority."
        ),
    ] = None,
    pairs_file: Annotated[
        str | None,
        typer.Option(
            "--pairs", metavar="FILE", help="Write each matched pair with its rule and score."
        ),
    ] = None,
    drop_duplicates: Annotated[
        bool, typer.Option("--drop-duplicates", help="Write only each person's primary lead.")
    ] = False,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATE",
            show_default="today (UTC)",
            help="The night this input is (a date, or yesterday): --history's leads from "
            "other nights are seen before, from this one a re-run's. Pin it to re-run a night.",
        ),
    ] = None,
    input_format: InputFormat = None,
    out_format: OutputFormat = None,
) -> None:
    """One person, one lead: group leads sharing an e-mail or phone, or a similar name plus
    a company or e-mail name, across sources and (with --history) across nights."""
    from leadtool.dedupe import (
        KEEP_RULES,
        DedupeOptions,
        dedupe,
        history_additions,
        history_columns,
        night_of,
    )
    from leadtool.io import append_history, output_format, read_history, read_leads
    from leadtool.pipeline import history_lock

    if keep not in KEEP_RULES:
        raise typer.BadParameter(f"must be one of {', '.join(KEEP_RULES)}", param_hint="--keep")
    if update_history and not history:
        raise typer.BadParameter("needs --history FILE", param_hint="--update-history")
    night = night_of(_timestamp(as_of))  # a lead the history got on another night is seen before
    with handled_errors():
        if output not in (None, "-"):
            output_format(output, out_format)
        options = DedupeOptions(
            fuzzy=fuzzy,
            fields=_name_list(fields) or DedupeOptions().fields,
            threshold=threshold,
            keep=keep,
            source_priority=_name_list(source_priority),
        )
        leads = read_leads(input_file, input_format)
        with history_lock(history if update_history else None):
            past = (
                read_history(history, history_columns(options))
                if history and os.path.exists(history)
                else None
            )
            out, pairs, stats = dedupe(leads, options, past, night)
            if update_history and history:
                append_history(history, history_additions(past, out, night))
        if pairs_file:
            emit(pairs, pairs_file)
        primary = out["is_primary"].eq("true")
        emit(out[primary] if drop_duplicates else out, output, out_format)
        say(
            f"{'stdin' if input_file == '-' else input_file}: {stats.rows} leads, "
            f"{stats.groups} people, {stats.duplicates} duplicates"
            + (f", {stats.matched_history} seen on earlier nights" if past is not None else "")
            + (" (duplicates left out)" if drop_duplicates else "")
            + "; matches: "
            + (", ".join(f"{k} {v}" for k, v in sorted(stats.pairs_by_rule.items())) or "none")
        )


# --------------------------------------------------------------------------- qualify


@command("qualify")
def qualify_cmd(
    input_file: Annotated[
        str,
        typer.Argument(
            metavar="IN", help="Lead file (from import, clean or dedupe); - reads stdin."
        ),
    ],
    output: Output = None,
    rules_file: Annotated[
        str | None,
        typer.Option(
            "--rules",
            metavar="FILE",
            show_default="the shipped default rules",
            help="Rules file (YAML; see docs/rules.md).",
        ),
    ] = None,
    evaluate_column: Annotated[
        str | None,
        typer.Option(
            "--evaluate",
            metavar="COLUMN",
            help="Backtest the rules against this outcome column (e.g. Converted).",
        ),
    ] = None,
    outcomes_file: Annotated[
        str | None,
        typer.Option(
            "--outcomes",
            metavar="FILE",
            help="Outcomes in a separate file, joined on lead_id, e-mail or phone.",
        ),
    ] = None,
    metrics_file: Annotated[
        str | None,
        typer.Option(
            "--metrics", metavar="FILE", help="Write the backtest to FILE (.json or .md)."
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATE",
            show_default="the newest lead's time",
            help="Reference time for days_since() and decay: an ISO date, now or yesterday.",
        ),
    ] = None,
    input_format: InputFormat = None,
    out_format: OutputFormat = None,
) -> None:
    """Score leads with readable rules: score, stage (junk / IQL / MQL / SQL), temperature
    (cold / warm / hot), BANT letters and the reasons behind each score."""
    from leadtool.importer import with_contact_keys
    from leadtool.io import output_format, read_leads, read_tables, write_json
    from leadtool.qualify import (
        backtest,
        backtest_markdown,
        join_outcomes,
        load_rules,
        outcome_column,
        outcomes_from,
        prepared_columns,
        qualify,
    )
    from leadtool.report import outcomes_table

    now = _timestamp(as_of)
    with handled_errors():
        if output not in (None, "-"):
            output_format(output, out_format)
        leads = read_leads(input_file, input_format)
        rules = load_rules(rules_file, prepared_columns(leads.columns))
        if outcomes_file:
            outcomes = with_contact_keys(read_tables(outcomes_file)[0])
            if evaluate_column is None:  # its won or deal stage column, as report finds it
                outcomes, evaluate_column, _ = outcomes_table(outcomes)
            outcome = join_outcomes(leads, outcomes, evaluate_column or "converted")
        elif evaluate_column:
            outcome = outcomes_from(leads[outcome_column(leads, evaluate_column)])
        else:
            outcome = None
        out, stats = qualify(leads, rules, now)
        emit(out, output, out_format)
        name = "stdin" if input_file == "-" else input_file
        say(
            f"{name}: {stats.rows} leads: "
            + ", ".join(f"{stats.stages[s]} {s}" for s in ("SQL", "MQL", "IQL", "junk"))
            + "; "
            + ", ".join(f"{stats.temperatures[t]} {t}" for t in ("hot", "warm", "cold"))
        )
        if outcome is not None:
            metrics = backtest(out, outcome)
            _print_backtest(metrics)
            if metrics_file:
                if metrics_file.endswith(".md"):
                    Path(metrics_file).write_text(
                        backtest_markdown(metrics) + "\n", encoding="utf-8"
                    )
                else:
                    write_json(metrics, metrics_file)


def _timestamp(value: str | None) -> pd.Timestamp | None:
    from leadtool.settings import as_of_stamp

    if value is None:
        return None
    try:
        return as_of_stamp(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--as-of") from exc


def _print_backtest(metrics: dict) -> None:
    if STATE.quiet:
        return
    say(
        f"backtest: {metrics['leads_with_outcome']} leads with an outcome, base rate "
        f"{metrics['base_rate']:.1%}, score AUC {metrics['auc']}, SQL precision "
        f"{metrics['sql_precision']}, SQL recall {metrics['sql_recall']}"
    )
    for key, title in (("by_stage", "stage"), ("by_temperature", "temperature")):
        table = RichTable(title=f"conversion by {title}", title_justify="left")
        for col in (title, "leads", "converted", "conversion", "lift"):
            table.add_column(col, justify="left" if col == title else "right")
        for row in metrics[key]:
            rate = "" if row["conversion_rate"] is None else f"{row['conversion_rate']:.1%}"
            lift = "" if row["lift"] is None else f"{row['lift']:.2f}x"
            table.add_row(row[title], str(row["leads"]), str(row["converted"]), rate, lift)
        print_whole(console, table)


# --------------------------------------------------------------------------- spend


@command("spend")
def spend_cmd(
    files: Files,
    output: Output = None,
    currency: Annotated[
        str | None,
        typer.Option(
            "--currency",
            metavar="CUR",
            help="Currency of the amounts: an ISO 4217 code (USD, RUB; RUR and руб read as RUB).",
        ),
    ] = None,
    source: Source = None,
    sheet: Sheet = None,
    input_format: InputFormat = None,
    out_format: OutputFormat = None,
) -> None:
    """Read ad-spend exports (Meta Ads Manager, Google Ads, Yandex Direct, VK Ads, LinkedIn
    Campaign Manager or any table with a cost column) into canonical spend: date, source,
    campaign, campaign_id, adset, ad, spend, currency, impressions, clicks."""
    from leadtool.io import output_format, read_tables
    from leadtool.spend import combine_spend, currency_code, spend_table

    if currency is not None:
        if not (code := currency_code(currency)):
            raise typer.BadParameter(
                f"{currency!r} is not an ISO 4217 currency code such as USD, EUR or RUB",
                param_hint="--currency",
            )
        currency = code
    with handled_errors():
        if output not in (None, "-"):
            output_format(output, out_format)
        frames = []
        for path in _paths(files):
            for table in read_tables(path, input_format, sheet):
                frame, stats = spend_table(table, currency, source)
                frames.append(frame)
                totals = ", ".join(
                    f"{v:,.2f} {k or '(currency unknown)'}" for k, v in stats.total.items()
                )
                say(
                    f"{stats.file}: profile {stats.profile}, {stats.rows} rows, "
                    f"spend {totals or '0'}"
                    + (
                        "; currency unknown: give --currency"
                        if stats.currency_from == "unknown"
                        else f" (currency from {stats.currency_from})"
                    )
                    + _spend_gaps(stats)
                )
        emit(combine_spend(frames), output, out_format)


def _spend_gaps(stats: SpendStats) -> str:
    """What a spend summary should warn of: rows no lead can join (no source) and rows no
    period holds (no date)."""
    gaps = ""
    if stats.no_source:
        gaps += f"; {stats.no_source} rows with no source: give --source"
    if stats.no_date:
        gaps += f"; {stats.no_date} rows with no date"
    return gaps


# --------------------------------------------------------------------------- report

REPORT_FORMATS = ("csv", "json", "md", "xlsx", "html")


@command("report")
def report_cmd(
    input_file: Annotated[
        str, typer.Argument(metavar="IN", help="Lead file (best after qualify); - reads stdin.")
    ],
    spend_files: Annotated[
        list[str] | None,
        typer.Option(
            "--spend",
            metavar="FILE",
            help="Spend: a canonical file from leadtool spend, or raw exports. Repeatable.",
        ),
    ] = None,
    by: Annotated[
        str,
        typer.Option(
            "--by",
            metavar="DIMS",
            help=(
                "Any of source, medium, campaign, adset, ad, form, utm_source, utm_medium, "
                "utm_campaign, utm_content, utm_term, day, week, month."
            ),
        ),
    ] = "source,campaign",
    output: Annotated[
        str | None,
        typer.Option(
            "-o",
            "--output",
            metavar="FILE",
            show_default="a table on the terminal",
            help="Report file: .csv .json .md .xlsx (a sheet per view) .html (with charts).",
        ),
    ] = None,
    outcomes_file: Annotated[
        str | None,
        typer.Option(
            "--outcomes",
            metavar="FILE",
            help="Won deals and revenue, joined on lead_id, e-mail or phone.",
        ),
    ] = None,
    fx_file: Annotated[
        str | None,
        typer.Option(
            "--fx",
            metavar="FILE",
            help="Currency rates (currency,rate) to add spend across currencies.",
        ),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(
            "--timezone",
            metavar="TZ",
            callback=_check_timezone,
            show_default="UTC",
            help="Time zone (IANA name such as Europe/Moscow) of the leads' days, weeks and "
            "months: the zone the ad accounts report spend in.",
        ),
    ] = None,
    period_from: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="DAY",
            show_default="the first lead",
            help="Only leads and spend from this day on: 2026-11-23, a month (2026-11), an "
            "ISO week (2026-W47), or from today: yesterday, 7 days ago, last month.",
        ),
    ] = None,
    period_to: Annotated[
        str | None,
        typer.Option(
            "--to",
            metavar="DAY",
            show_default="the last lead",
            help="Only leads and spend up to this day, included: a date, month or week, "
            "or yesterday, last week, ….",
        ),
    ] = None,
    input_format: InputFormat = None,
) -> None:
    """CPL, cost per valid / MQL / SQL lead, junk rate and conversion by source, campaign and
    period, joined with spend. Aggregates only: no names, e-mails or phones."""
    from leadtool.importer import with_contact_keys
    from leadtool.io import read_leads, read_tables, write_text, write_workbook
    from leadtool.report import (
        Period,
        build_report,
        load_fx,
        parse_dimensions,
        to_html,
        to_json,
        to_markdown,
        today_in,
        workbook_sheets,
    )
    from leadtool.report import machine as machine_table
    from leadtool.spend import combine_spend, spend_frame

    try:
        dims = parse_dimensions(by)
    except LeadtoolError as exc:
        raise typer.BadParameter(str(exc), param_hint="--by") from exc
    today = today_in(timezone)  # (the days "yesterday" or "last month" name: the report's)
    period = Period(_bound(period_from, "--from", today), _bound(period_to, "--to", today))
    if period.first and period.last and period.first > period.last:
        raise typer.BadParameter(f"{period_from} is after --to {period_to}", param_hint="--from")
    fmt = None
    if output not in (None, "-"):
        fmt = Path(str(output)).suffix.lower().lstrip(".")
        if fmt not in REPORT_FORMATS:
            raise typer.BadParameter(
                f"use one of .{', .'.join(REPORT_FORMATS)}", param_hint="--output"
            )
    with handled_errors():
        leads = read_leads(input_file, input_format)
        frames = []
        for path in spend_files or []:
            frames += [spend_frame(table) for table in read_tables(path)]
        spend = combine_spend(frames) if frames else None
        outcomes = with_contact_keys(read_tables(outcomes_file)[0]) if outcomes_file else None
        fx = load_fx(read_tables(fx_file)[0].data, fx_file) if fx_file else None
        report = build_report(leads, spend, dims, outcomes, fx, timezone, period)
        for note in report.notes:
            say(f"note: {note}")
        if fmt is None and output is None:
            _print_report(report)
        elif fmt in (None, "csv"):
            emit(machine_table(report.table), output)
        elif fmt == "json":
            write_text(to_json(report), output)
        elif fmt == "md":
            write_text(to_markdown(report), output)
        elif fmt == "xlsx":
            write_workbook(workbook_sheets(report), str(output))
        else:
            write_text(to_html(report), output)
        if output not in (None, "-"):
            say(f"report by {', '.join(dims)}: {len(report.table)} rows written to {output}")


def _bound(value: str | None, option: str, today: dt.date) -> str | None:
    from leadtool.report import period_bound

    if value is None:
        return None
    try:
        return period_bound(value, end=option == "--to", today=today)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint=option) from exc


def _print_report(report: object) -> None:
    from leadtool.report import Report, formatted

    assert isinstance(report, Report)
    shown = [
        *report.by,
        "leads",
        "junk_rate",
        "valid",
        "mql",
        "sql",
        "spend",
        "currency",
        "cpl",
        "cost_per_sql",
    ]
    table = formatted(report.table)[[c for c in shown if c in report.table.columns]]
    out = Console(highlight=False)
    view = RichTable(title=f"leads by {', '.join(report.by)}", title_justify="left")
    labels = {"junk_rate": "junk", "currency": "cur", "cost_per_sql": "per SQL"}
    for col in table.columns:
        if col in report.by:
            width = min(30, max(len(str(v)) for v in [col, *table[col]]))
            view.add_column(str(col), min_width=width, overflow="fold")
        else:
            view.add_column(labels.get(str(col), str(col)), justify="right", no_wrap=True)
    for row in table.itertuples(index=False):
        view.add_row(*[str(v) for v in row])
    print_whole(out, view)
    reasons = report.views.get("junk_reasons")
    if STATE.verbose and reasons is not None and len(reasons):  # what to fix, with -v
        why = RichTable(title="why junk", title_justify="left")
        for col in reasons.columns:
            if col in ("junk", "share"):
                why.add_column(str(col), justify="right", no_wrap=True)
            else:
                why.add_column(str(col), overflow="fold")
        for row in formatted(reasons).itertuples(index=False):
            why.add_row(*[str(v) for v in row])
        print_whole(out, why)


# --------------------------------------------------------------------------- run


@command("run")
def run_cmd(
    inputs: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[FILE|DIR]...",
            show_default=False,
            help="Lead exports or folders; spend reports among them are read as spend. "
            "[default: inputs: in the config]",
        ),
    ] = None,
    out: Annotated[
        str | None,
        typer.Option("--out", metavar="DIR", help="Output folder. [default: out: in the config]"),
    ] = None,
    spend_files: Annotated[
        list[str] | None,
        typer.Option("--spend", metavar="FILE", help="Spend exports or folders. Repeatable."),
    ] = None,
    config_file: Annotated[
        str | None,
        typer.Option(
            "--config",
            metavar="FILE",
            show_default="leadtool.yml if present",
            help="Settings a team sets once (docs/run.md).",
        ),
    ] = None,
    history: Annotated[
        str | None,
        typer.Option(
            "--history", metavar="FILE", help="Leads of earlier nights; updated after the run."
        ),
    ] = None,
    inbox: Annotated[
        bool,
        typer.Option(
            "--inbox", help="Only files not seen before (by hash); go on past a bad file."
        ),
    ] = False,
    stage_files: Annotated[
        bool,
        typer.Option(
            "--stage-files",
            help="Also write leads.csv, clean.csv and deduped.csv (what qualified.csv holds, "
            "stage by stage).",
        ),
    ] = False,
    jobs: Jobs = 1,
) -> None:
    """Run import, clean, dedupe, qualify and report in one go, into an output folder:
    qualified.csv (every lead with every stage's columns), the rejected leads, the matched
    pairs, report.html, report.md and manifest.json."""
    from leadtool.pipeline import find_config, load_run_config, run_pipeline

    with handled_errors():
        config = load_run_config(find_config(config_file))
        if inputs:
            config.inputs = list(inputs)
        if spend_files:
            config.spend = list(spend_files)
        if history:
            config.history = history
        if jobs != 1:
            config.jobs = jobs
        config.stage_files = config.stage_files or stage_files
        config.escape_formulas, config.redact = STATE.escape_formulas, STATE.redact
        folder = out or config.out
        if not folder:
            raise LeadtoolError("no output folder: give --out DIR (or out: in the config)")
        result = _run_with_progress(config, folder, inbox, run_pipeline)
        manifest = result.manifest
        if manifest.get("nothing_new"):
            say(f"{folder}: nothing new in the inbox")
        else:
            spent = [
                table["table"]
                for record in manifest["inputs"]
                for table in record.get("tables", [])
                if "spend_profile" in table
            ]
            if STATE.verbose:
                _run_details(manifest)
            if spent:
                say(f"read as spend, not leads: {', '.join(spent)}")
            for note in [*manifest.get("clean_notes", []), *manifest.get("report_notes", [])]:
                say(f"note: {note}")
            rows = manifest["rows"]
            stages = rows["stages"]
            say(
                f"{folder}: {rows['imported']} leads, {rows['junk']} junk, {rows['people']} people "
                f"({rows['seen_before']} seen before); {stages['SQL']} SQL, {stages['MQL']} MQL, "
                f"{stages['IQL']} IQL; report: {Path(folder) / 'report.html'}"
            )
        if result.failures:
            for failure in result.failures:
                console.print(f"Error: {failure}", markup=False, soft_wrap=True)
            raise typer.Exit(1)


def _run_details(manifest: dict[str, Any]) -> None:
    """``run -v``: each input as ``import`` and ``spend`` summarize it, and the stages'
    times — what a cron job's log needs to tell which file or stage a bad night came from."""
    from leadtool.importer import ImportStats

    for record in [*manifest["inputs"], *manifest.get("spend", [])]:
        if "skipped" in record or "error" in record:
            say(f"{record['path']}: {record.get('skipped') or record.get('error')}")
        for table in record.get("tables", []):
            if "import" in table:
                _summary(
                    ImportStats(file=table["table"], profile=table["profile"], **table["import"])
                )
            else:
                profile, rows = table["spend_profile"], table["rows"]
                plural = "" if rows == 1 else "s"
                say(f"{table['table']}: spend, profile {profile}, {rows} row{plural}")
    times = ", ".join(f"{k} {v:.2f} s" for k, v in manifest["durations_seconds"].items())
    say(f"stages: {times}")


def _run_with_progress(config: object, folder: str, inbox: bool, runner: Any) -> Any:
    """Stage-by-stage progress on a terminal; nothing in logs or with --quiet."""
    if STATE.quiet or not console.is_terminal:
        return runner(config, folder, inbox)
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    stages = ["import", "clean", "dedupe", "qualify", "report"]
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("starting", total=len(stages))

        def step(name: str) -> None:
            progress.update(task, description=name, completed=stages.index(name))

        return runner(config, folder, inbox, step)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except BrokenPipeError:
        _silence_stdout()
        sys.exit(1)
