"""``leadtool run``: import → clean → dedupe → qualify → report into one output folder.

One config file (``leadtool.yml``) holds what a team sets once. The run takes a lock on the
folder, writes every file atomically, and records a ``manifest.json`` (inputs with sha256,
rows per stage, options, versions, durations). The same inputs give byte-identical outputs.
Inbox mode processes only files it has not seen before (remembered by hash) and keeps going
past a bad file, reporting it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from leadtool import __version__
from leadtool.clean import clean
from leadtool.clean import load_config as load_checks
from leadtool.dedupe import (
    DedupeOptions,
    dedupe,
    history_additions,
    history_columns,
    night_of,
)
from leadtool.errors import LeadtoolError, NotLeadsError, os_reason
from leadtool.importer import ImportOptions, ImportStats, combine, import_table, with_contact_keys
from leadtool.io import (
    Staged,
    Table,
    iter_paths,
    read_history,
    read_tables,
    sha256,
    stage_history,
    write_json,
    write_table,
    write_text,
)
from leadtool.normalize import resolve_jobs
from leadtool.privacy import redact
from leadtool.qualify import load_rules, prepared_columns, qualify
from leadtool.report import (
    Period,
    build_report,
    load_fx,
    machine,
    outcomes_table,
    parse_dimensions,
    period_bound,
    to_html,
    to_markdown,
    today_in,
)
from leadtool.settings import as_of_stamp, job_count, region_code, timezone_name
from leadtool.sources import load_user_mapping, profile_by_key
from leadtool.spend import combine_spend, spend_frame, spend_frame_and_profile
from leadtool.yamltext import YAMLError, parse_yaml

CONFIG_NAME = "leadtool.yml"
LOCK_NAME = ".leadtool.lock"
SEEN_NAME = "inbox-seen.json"
CONFIG_KEYS = {
    "inputs",
    "spend",
    "out",
    "region",
    "timezone",
    "mapping",
    "profile",
    "source",
    "checks",
    "target_countries",
    "block_domains",
    "rules",
    "history",
    "dedupe",
    "report",
    "as_of",
    "jobs",
    "stage_files",
}
DEDUPE_KEYS = {"keep", "fuzzy", "fields", "threshold", "source_priority"}
REPORT_KEYS = {"by", "from", "to", "fx", "outcomes"}


@dataclass
class RunConfig:
    """Everything a run needs; paths already resolved against the config file's folder."""

    inputs: list[str] = field(default_factory=list)
    spend: list[str] = field(default_factory=list)
    out: str | None = None
    region: str | None = None
    timezone: str | None = None
    mapping: str | None = None
    profile: str | None = None
    source: str | None = None
    checks: str | None = None
    target_countries: list[str] = field(default_factory=list)
    block_domains: str | None = None
    rules: str | None = None
    history: str | None = None
    dedupe: dict[str, Any] = field(default_factory=dict)
    report_by: tuple[str, ...] = ("source", "campaign")
    report_from: str | None = None  # as written ("2026-11", "7 days ago"): told at run time
    report_to: str | None = None
    report_fx: str | None = None  # report: currency rates (--fx)
    report_outcomes: str | None = None  # report: won deals and revenue (--outcomes)
    as_of: str | None = None
    jobs: int = 1
    stage_files: bool = False
    escape_formulas: bool = True
    redact: str | None = None
    config_file: str | None = None

    def options(self) -> dict[str, Any]:
        """The settings, as the manifest records them."""
        return {k: v for k, v in self.__dict__.items() if k not in ("inputs", "spend")}

    def report_period(self) -> Period | None:
        """The days ``report: from/to`` name, told from the run's day — ``as_of``'s, else
        today's — in its time zone; None when the report covers every lead."""
        if not self.report_from and not self.report_to:
            return None
        zone = self.timezone or "UTC"
        today = as_of_stamp(self.as_of).tz_convert(zone).date() if self.as_of else today_in(zone)
        return _period(self.report_from, self.report_to, today)


def find_config(path: str | None) -> str | None:
    """``--config`` as given, else ``leadtool.yml`` in the working directory, else none."""
    if path:
        if not Path(path).is_file():
            raise LeadtoolError(f"{path}: no such config file")
        return path
    return CONFIG_NAME if Path(CONFIG_NAME).is_file() else None


def load_run_config(path: str | None) -> RunConfig:
    """Read and check a config file; relative paths are taken from the file's folder."""
    if path is None:
        return RunConfig()
    try:
        doc = parse_yaml(Path(path).read_text(encoding="utf-8-sig")) or {}
    except YAMLError as exc:
        raise LeadtoolError(f"{path}: not valid YAML ({' '.join(str(exc).split())})") from exc
    if not isinstance(doc, dict):
        raise LeadtoolError(f"{path}: expected a mapping of settings")
    unknown = set(doc) - CONFIG_KEYS
    if unknown:
        raise LeadtoolError(
            f"{path}: unknown setting {sorted(unknown)[0]!r} "
            f"(known: {', '.join(sorted(CONFIG_KEYS))})"
        )
    base = Path(path).resolve().parent

    def rel(value: Any) -> str | None:
        if value in (None, ""):
            return None
        p = Path(str(value))
        return str(p if p.is_absolute() else base / p)

    def rel_list(value: Any) -> list[str]:
        items = value if isinstance(value, list) else [value] if value else []
        return [r for r in (rel(v) for v in items) if r]

    def setting(key: str, check: Callable[[Any], Any]) -> Any:
        """The setting as ``check`` (leadtool.settings) reads it; None when not given."""
        return None if doc.get(key) in (None, "") else setting_text(key, doc[key], check)

    def setting_text(key: str, text: str, check: Callable[[str], Any]) -> Any:
        try:
            return check(text)
        except (ValueError, LeadtoolError) as exc:
            raise LeadtoolError(f"{path}: {key}: {exc}") from exc

    dedupe_opts = doc.get("dedupe") or {}
    if not isinstance(dedupe_opts, dict) or set(dedupe_opts) - DEDUPE_KEYS:
        raise LeadtoolError(f"{path}: dedupe: expected some of {', '.join(sorted(DEDUPE_KEYS))}")
    report = doc.get("report") or {}
    if not isinstance(report, dict) or set(report) - REPORT_KEYS:
        raise LeadtoolError(f"{path}: report: expected some of {', '.join(sorted(REPORT_KEYS))}")
    by = report.get("by", ["source", "campaign"])
    by_text = ",".join(by) if isinstance(by, list) else str(by)
    ends = {e: None if report.get(e) in (None, "") else str(report[e]) for e in ("from", "to")}
    try:
        _period(ends["from"], ends["to"], today_in(None))  # checked now, told at run time
    except ValueError as exc:
        raise LeadtoolError(f"{path}: report: {exc}") from exc
    countries = doc.get("target_countries") or []
    return RunConfig(
        inputs=rel_list(doc.get("inputs")),
        spend=rel_list(doc.get("spend")),
        out=rel(doc.get("out")),
        region=setting("region", region_code),
        timezone=setting("timezone", timezone_name),
        mapping=rel(doc.get("mapping")),
        profile=setting("profile", lambda key: profile_by_key(str(key)).key),
        source=doc.get("source"),
        checks=rel(doc.get("checks")),
        target_countries=countries if isinstance(countries, list) else str(countries).split(","),
        block_domains=rel(doc.get("block_domains")),
        rules=rel(doc.get("rules")),
        history=rel(doc.get("history")),
        dedupe=dedupe_opts,
        report_by=setting_text("report: by", by_text, parse_dimensions),
        report_from=ends["from"],
        report_to=ends["to"],
        report_fx=rel(report.get("fx")),
        report_outcomes=rel(report.get("outcomes")),
        as_of=str(doc["as_of"]) if setting("as_of", as_of_stamp) is not None else None,
        jobs=1 if (jobs := setting("jobs", job_count)) is None else jobs,
        stage_files=bool(doc.get("stage_files", False)),
        config_file=str(Path(path).resolve()),
    )


def _period(first: str | None, last: str | None, today: dt.date) -> Period:
    """``report: from/to`` as days (ValueError naming the setting when one is no day)."""
    ends = []
    for key, text in (("from", first), ("to", last)):
        try:
            ends.append(None if text is None else period_bound(text, key == "to", today))
        except ValueError as exc:
            raise ValueError(f"{key}: {exc}") from exc
    period = Period(*ends)
    if period.first and period.last and period.first > period.last:
        raise ValueError(f"from {period.first} is after to {period.last}")
    return period


# --------------------------------------------------------------------------- lock


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """One run per output folder: a lock file holding the pid; a stale one is taken over."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LeadtoolError(f"{folder}: cannot make the output folder: {os_reason(exc)}") from exc
    lock = folder / LOCK_NAME
    with pid_lock(lock, f"{folder}: another leadtool run is using this folder (lock {lock})"):
        yield


@contextlib.contextmanager
def history_lock(history: str | None) -> Iterator[None]:
    """One run at a time updating a history (``history.parquet.lock`` beside it): two cron
    jobs sharing it, each reading it and writing it back with its own night's leads, would
    lose the first one's leads."""
    if not history:
        yield
        return
    lock = Path(f"{history}.lock")
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)  # (a first night's new folder)
    except OSError as exc:
        raise LeadtoolError(f"{history}: cannot write: {os_reason(exc)}") from exc
    with pid_lock(lock, f"{history}: another leadtool run is updating this history ({lock})"):
        yield


@contextlib.contextmanager
def pid_lock(lock: Path, busy: str) -> Iterator[None]:
    """A lock file holding this process's pid, for the ``with``; ``busy`` is the error when a
    live process holds it. A stale one (its process gone) is taken over."""
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            if _lock_alive(lock):
                raise LeadtoolError(busy) from None
            lock.unlink(missing_ok=True)
            continue
        except OSError as exc:  # a read-only folder
            raise LeadtoolError(f"{lock}: cannot write: {os_reason(exc)}") from exc
        with os.fdopen(fd, "w") as handle:
            handle.write(str(os.getpid()))
        break
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)


def _lock_alive(lock: Path) -> bool:
    try:
        pid = int(lock.read_text().strip() or 0)
    except (OSError, ValueError):
        return False
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --------------------------------------------------------------------------- the run


@dataclass
class RunResult:
    manifest: dict[str, Any]
    failures: list[str]


def run_pipeline(
    config: RunConfig,
    out: str,
    inbox: bool = False,
    step: Callable[[str], None] | None = None,
) -> RunResult:
    """Run every stage into ``out``. Returns the manifest and the inputs that failed (inbox
    mode only; otherwise the first bad input raises)."""
    folder = Path(out)
    step = step or (lambda _name: None)
    with folder_lock(folder), history_lock(config.history), BackgroundWriter() as writer:
        return _run(config, folder, inbox, step, writer)


class BackgroundWriter:
    """Writes the run's data files on one worker thread while the next stage computes.

    Arrow's CSV kernels and the file writes release the GIL, so on a two-core machine a
    stage's output costs almost no wall time. Files are written one at a time in the order
    given (each atomically); ``wait`` re-raises the first failure. Stages never modify the
    frames they are given, so the next stage may read a frame while it is being written.
    """

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="leadtool-write")
        self._pending: list[Future[Any]] = []
        self._staged: list[Future[Staged | None]] = []

    def submit(self, write: Callable[..., Any], *args: Any) -> Future[Any]:
        future = self._pool.submit(write, *args)
        self._pending.append(future)
        return future

    def stage(self, write: Callable[..., Staged | None], *args: Any) -> Future[Staged | None]:
        """``submit`` a file to be put in place later (``Staged.commit``); one not put in
        place by the end of the run is removed."""
        future = self.submit(write, *args)
        self._staged.append(future)
        return future

    def wait(self) -> None:
        """Block until every submitted file is written; raise the first error."""
        pending, self._pending = self._pending, []
        for future in pending:
            future.result()

    def __enter__(self) -> BackgroundWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        # On an error elsewhere, files not yet started are dropped (the run failed anyway);
        # the one being written finishes or leaves only its temp file behind.
        self._pool.shutdown(wait=True, cancel_futures=True)
        for future in self._staged:
            if future.done() and not future.cancelled() and future.exception() is None:
                staged = future.result()
                if staged is not None:
                    staged.discard()  # (a no-op once committed)


def _run(
    config: RunConfig,
    folder: Path,
    inbox: bool,
    step: Callable[[str], None],
    writer: BackgroundWriter,
) -> RunResult:
    def emit(frame: pd.DataFrame, name: str, rows: pd.Series | None = None) -> None:
        """Write ``frame`` (with ``rows``, only those: picked on the writer's thread)."""
        writer.submit(_emit, config, frame, folder / name, rows)

    def stage_file(frame: pd.DataFrame, name: str) -> None:
        """A stage's own file with --stage-files; without, one left by an earlier run goes
        (it would no longer match qualified.csv)."""
        if config.stage_files:
            emit(frame, name)
        else:
            (folder / name).unlink(missing_ok=True)

    durations: dict[str, float] = {}
    seen_path = folder / SEEN_NAME
    seen: dict[str, str] = json.loads(seen_path.read_text()) if inbox and seen_path.exists() else {}
    paths = iter_paths(config.inputs)
    if not paths:
        raise LeadtoolError("no input files (give FILE or DIR, or inputs: in the config)")

    step("import")
    started = time.perf_counter()
    options = ImportOptions(
        source=config.source,
        region=config.region,
        timezone=config.timezone,
        mapping=load_user_mapping(config.mapping) if config.mapping else None,
        profile=config.profile,
        jobs=resolve_jobs(config.jobs),
    )
    frames, inputs, failures = [], [], []
    spend_tables: list[Table] = []  # spend reports found among the inputs
    # Each file is hashed on a thread while it is read and imported (hashlib lets go of the
    # interpreter lock: 0.09 s a million leads off the run); the inbox, which skips files
    # seen before, waits for the digest first.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="leadtool-sha256") as hasher:
        for path in paths:
            record: dict[str, Any] = {"path": path, "sha256": ""}
            try:
                digest = hasher.submit(sha256, path) if path != "-" else None
                if inbox and digest is not None and (known := digest.result()) in seen:
                    record["sha256"] = known
                    record["skipped"] = f"seen before ({seen[known]})"
                    inputs.append(record)
                    continue
                imported, spent = _import_or_spend(read_tables(path), options)
                record["sha256"] = digest.result() if digest is not None else ""
            except LeadtoolError as exc:
                if not inbox:
                    raise
                record["error"] = str(exc)
                failures.append(str(exc))
                imported, spent = [], []
            for frame, stats in imported:
                frames.append(frame)
                # What import found (the summary `leadtool import` prints): a night whose
                # share of valid phones falls tells of a broken form.
                found = {k: v for k, v in stats.as_dict().items() if k not in ("file", "profile")}
                record.setdefault("tables", []).append(
                    {
                        "table": stats.file,
                        "profile": stats.profile,
                        "rows": stats.rows_written,
                        "import": found,
                    }
                )
            for table, profile in spent:
                spend_tables.append(table)
                record.setdefault("tables", []).append(
                    {"table": table.label, "spend_profile": profile, "rows": len(table.data)}
                )
            inputs.append(record)
    leads = combine(frames)
    durations["import"] = time.perf_counter() - started
    if inbox and not frames:
        # Nothing new tonight: yesterday's outputs stay as they are.
        manifest = {
            "leadtool": __version__,
            "inputs": inputs,
            "failures": failures,
            "nothing_new": True,
            "options": config.options() | {"inbox": inbox},
        }
        write_json(manifest, str(folder / "manifest.json"))
        return RunResult(manifest, failures)

    # Check everything a later stage reads before writing anything.
    checks = load_checks(config.checks, config.block_domains, config.target_countries)
    rules = load_rules(config.rules, prepared_columns(leads.columns))
    dedupe_options = _dedupe_options(config.dedupe)
    as_of = as_of_stamp(config.as_of) if config.as_of else None
    try:
        report_period = config.report_period()
    except ValueError as exc:
        raise LeadtoolError(f"report: {exc}") from exc
    fx = load_fx(read_tables(fx_path)[0].data, fx_path) if (fx_path := config.report_fx) else None
    outcomes = (
        with_contact_keys(read_tables(config.report_outcomes)[0])
        if config.report_outcomes
        else None
    )
    if outcomes is not None:
        outcomes_table(outcomes)  # (one with no won or revenue column stops the run here)

    stage_file(leads, "leads.csv")
    step("clean")
    started = time.perf_counter()
    cleaned, clean_stats = clean(leads, checks)
    n_imported = len(leads)
    del leads, frames  # each stage's frame is let go once the next one exists
    junk = cleaned["quality"].eq("junk")
    n_junk = int(junk.sum())
    stage_file(cleaned, "clean.csv")
    emit(cleaned, "rejected.csv", junk)
    del junk
    writer.submit(write_json, clean_stats.as_dict(), str(folder / "clean-stats.json"))
    durations["clean"] = time.perf_counter() - started

    step("dedupe")
    started = time.perf_counter()
    history = (
        read_history(config.history, history_columns(dedupe_options))
        if config.history and Path(config.history).exists()
        else None
    )
    night = night_of(as_of)  # the run's night: as_of's date, else today's (UTC)
    deduped, pairs, dedupe_stats = dedupe(cleaned, dedupe_options, history, night)
    del cleaned
    stage_file(deduped, "deduped.csv")
    emit(pairs, "pairs.csv")
    del pairs
    # Tonight's new leads added to the history: the file is written while the last stages
    # compute, and put in place once everything else is written.
    staged_history = None
    if config.history:
        additions = history_additions(history, deduped, night)
        staged_history = writer.stage(stage_history, config.history, additions)
        del additions
    del history
    durations["dedupe"] = time.perf_counter() - started

    step("qualify")
    started = time.perf_counter()
    qualified, qualify_stats = qualify(deduped, rules, as_of)
    del deduped
    emit(qualified, "qualified.csv")
    durations["qualify"] = time.perf_counter() - started

    step("report")
    started = time.perf_counter()
    spend_frames = [spend_frame(table) for table in spend_tables]
    spend_inputs = []
    for path in iter_paths(config.spend):
        tables = []
        for table in read_tables(path):
            frame, profile = spend_frame_and_profile(table)
            spend_frames.append(frame)
            tables.append({"table": table.label, "spend_profile": profile, "rows": len(frame)})
        spend_inputs.append({"path": path, "sha256": sha256(path), "tables": tables})
    spend = combine_spend(spend_frames) if spend_frames else None
    if spend is not None:
        emit(spend, "spend.csv")
    report = build_report(
        qualified, spend, config.report_by, outcomes, fx, config.timezone, report_period
    )
    write_text(to_html(report), str(folder / "report.html"))
    write_text(to_markdown(report), str(folder / "report.md"))
    emit(machine(report.table), "report.csv")
    durations["report"] = time.perf_counter() - started

    started = time.perf_counter()
    writer.wait()
    durations["writing"] = time.perf_counter() - started

    if staged_history is not None and (staged := staged_history.result()) is not None:
        staged.commit()
    if inbox:
        for record in inputs:
            if "error" not in record and "skipped" not in record and record["sha256"]:
                seen[record["sha256"]] = record["path"]
        write_json(dict(sorted(seen.items())), str(seen_path))
    manifest = {
        "leadtool": __version__,
        "versions": _versions(),
        "inputs": inputs,
        "spend": spend_inputs,
        "rows": {
            "imported": n_imported,
            "junk": n_junk,
            "clean": n_imported - n_junk,
            "people": dedupe_stats.groups,
            "duplicates": dedupe_stats.duplicates,
            "seen_before": dedupe_stats.matched_history,
            "stages": qualify_stats.stages,
        },
        "options": config.options() | {"inbox": inbox},
        "clean_notes": clean_stats.notes,
        "report_period": (
            {"from": report_period.first, "to": report_period.last} if report_period else None
        ),
        "report_notes": report.notes,
        "failures": failures,
        "durations_seconds": {k: round(v, 3) for k, v in durations.items()},
        "outputs": sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")),
    }
    write_json(manifest, str(folder / "manifest.json"))
    return RunResult(manifest, failures)


def _import_or_spend(
    tables: list[Table], options: ImportOptions
) -> tuple[list[tuple[pd.DataFrame, ImportStats]], list[tuple[Table, str]]]:
    """Each table imported — or, when it is an ad-spend report rather than leads, kept
    aside with its spend profile for the report: a team drops every export of the night
    into one folder, and a run should not stop at the first spend report in it."""
    imported, spent = [], []
    for table in tables:
        try:
            imported.append(import_table(table, options))
        except NotLeadsError as exc:
            if exc.spend_profile is None:
                raise
            spent.append((table, exc.spend_profile))
    return imported, spent


def _emit(
    config: RunConfig, frame: pd.DataFrame, path: Path, rows: pd.Series | None = None
) -> None:
    """A data file of the run (with ``rows``, those rows only), with the output safety
    options applied."""
    if rows is not None:
        frame = frame[rows]
    if config.redact:
        frame = redact(frame, config.redact)
    write_table(frame, str(path), escape=config.escape_formulas)


def _dedupe_options(spec: dict[str, Any]) -> DedupeOptions:
    defaults = DedupeOptions()
    fields = spec.get("fields", defaults.fields)
    priority = spec.get("source_priority", defaults.source_priority)
    return DedupeOptions(
        fuzzy=bool(spec.get("fuzzy", defaults.fuzzy)),
        fields=tuple(fields if isinstance(fields, list | tuple) else str(fields).split(",")),
        threshold=float(spec.get("threshold", defaults.threshold)),
        keep=str(spec.get("keep", defaults.keep)),
        source_priority=tuple(
            priority if isinstance(priority, list | tuple) else str(priority).split(",")
        ),
    )


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for package in ("pandas", "phonenumbers", "email-validator", "rapidfuzz", "pyarrow"):
        try:
            out[package] = version(package)
        except PackageNotFoundError:
            out[package] = ""
    return out
