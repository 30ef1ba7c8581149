"""Time ``leadtool qualify`` with the default rules on N generated, imported leads.

    python benchmarks/bench_qualify.py 1000000

Uses the same cached imported leads as bench_clean.py; only qualify is timed.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_clean import imported_leads
from leadtool.cli import small_pages
from leadtool.qualify import load_rules, prepared_columns, qualify


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 100_000
    small_pages()  # as leadtool's commands do
    leads = imported_leads(n)
    start = time.perf_counter()
    rules = load_rules(None, prepared_columns(leads.columns))
    _, stats = qualify(leads, rules, pd.Timestamp("2026-11-23", tz="UTC"))
    seconds = time.perf_counter() - start
    result = {
        "rows": n,
        "qualify_seconds": round(seconds, 2),
        "rows_per_second": round(n / seconds),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "stages": stats.stages,
        "temperatures": stats.temperatures,
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
