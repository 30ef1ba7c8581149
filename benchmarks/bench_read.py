"""Time reading a stage's lead file: what ``leadtool clean``, ``dedupe``, ``qualify`` and
``report`` each do first when they are run one by one in a shell pipeline.

    python benchmarks/bench_read.py 1000000

The file is qualified.csv of ``leadtool run`` on N generated leads — every canonical column
and every stage's own — made once in benchmarks/data/. The read is timed in a fresh
process, with its peak RSS, user and system CPU.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.generate import generate  # noqa: E402

_TIMED = """
import json, resource, sys, time
start = time.perf_counter()
from leadtool.cli import small_pages
from leadtool.io import read_leads
small_pages()  # as leadtool's commands do
leads = read_leads(sys.argv[1])
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"rows": len(leads), "columns": len(leads.columns),
    "read_seconds": round(seconds, 2), "user_cpu": round(usage.ru_utime, 2),
    "system_cpu": round(usage.ru_stime, 2), "peak_rss_mb": usage.ru_maxrss // 1024}))
"""


def lead_file(n: int) -> Path:
    """qualified.csv of ``leadtool run`` on N generated leads (made once, then reused)."""
    data = HERE / "data"
    out = data / f"run_read_{n}"
    if not (out / "qualified.csv").exists():
        data.mkdir(exist_ok=True)
        leads = data / f"leads_{n}.csv"
        if not leads.exists():
            generate(n).to_csv(leads, index=False, sep=";", encoding="utf-8")
        command = [sys.executable, "-m", "leadtool", "-q", "run", str(leads), "--out", str(out)]
        subprocess.run(command, check=True)
    return out / "qualified.csv"


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 100_000
    path = lead_file(n)
    result = json.loads(
        subprocess.run(
            [sys.executable, "-c", _TIMED, str(path)], check=True, capture_output=True, text=True
        ).stdout
    )
    result["file_mb"] = round(path.stat().st_size / 2**20)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
