"""Time ``leadtool clean`` on N generated, imported leads.

    python benchmarks/bench_clean.py 1000000

The leads come from ``benchmarks/generate.py`` through the import stage once (cached as
Parquet in benchmarks/data/); only the clean stage is timed, in this process, with peak RSS.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import generate
from leadtool.clean import clean
from leadtool.cli import small_pages
from leadtool.importer import ImportOptions, import_table
from leadtool.io import Table, write_table


def imported_leads(n: int) -> pd.DataFrame:
    cache = Path("benchmarks/data") / f"imported_{n}.parquet"
    if not cache.exists():
        raw = generate(n).astype(object)
        table = Table("gen.csv", "gen.csv", raw, list(range(1, n + 1)), [""] * n, [""] * n)
        leads, _ = import_table(table, ImportOptions())
        # a few bot signals the site-form generator does not carry
        leads["ip"] = (pd.Series(range(n)) % (n // 3 + 1)).astype(str).radd("10.0.").to_numpy()
        leads["time_to_submit"] = (pd.Series(range(n)) % 120).astype(str).to_numpy()
        write_table(leads, str(cache))
    return pd.read_parquet(cache)


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 100_000
    small_pages()  # as leadtool's commands do
    leads = imported_leads(n)
    start = time.perf_counter()
    _, stats = clean(leads)
    seconds = time.perf_counter() - start
    result = {
        "rows": n,
        "clean_seconds": round(seconds, 2),
        "rows_per_second": round(n / seconds),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "quality": stats.quality,
        "reasons": stats.reasons,
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
