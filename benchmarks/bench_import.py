"""Time ``leadtool import`` on N generated leads and record peak memory.

    python benchmarks/bench_import.py 1000000

Runs in a fresh process per measurement (the way a user runs the command) and prints the
wall time of each phase (read, import, write) plus the process's peak RSS.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import generate
from leadtool.cli import small_pages
from leadtool.importer import ImportOptions, combine, import_table
from leadtool.io import read_tables, write_table


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 100_000
    small_pages()  # as leadtool's commands do
    data = Path("benchmarks/data")
    data.mkdir(parents=True, exist_ok=True)
    source = data / f"leads_{n}.csv"
    if not source.exists():
        generate(n).to_csv(source, index=False, sep=";", encoding="utf-8")
    timings: dict[str, float] = {}
    start = time.perf_counter()
    tables = read_tables(str(source))
    timings["read"] = time.perf_counter() - start
    t = time.perf_counter()
    frames = [import_table(table, ImportOptions())[0] for table in tables]
    leads = combine(frames)
    timings["import"] = time.perf_counter() - t
    t = time.perf_counter()
    write_table(leads, str(data / f"imported_{n}.csv"))
    timings["write"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "rows": n,
        "seconds": {k: round(v, 2) for k, v in timings.items()},
        "rows_per_second": round(n / timings["total"]),
        "peak_rss_mb": round(peak_mb),
        "valid_phones": int((leads["phone"] != "").sum()),
        "valid_emails": int((leads["email"] != "").sum()),
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
