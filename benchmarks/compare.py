"""leadtool run against the plain pandas baseline, on the same generated input.

    python benchmarks/compare.py 1000000

Generates N leads (benchmarks/generate.py) and a spend file, then runs, each in its own
process: the baseline script, and ``leadtool run`` (import → clean → dedupe → qualify →
report: more work than the baseline). Prints both wall times, the ratio, each process's peak
memory, and each stage's share of leadtool's time (from the run's manifest).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.generate import CAMPAIGNS, SOURCES, generate  # noqa: E402

_PEAK = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def timed(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of a command, measured in a fresh watcher process so
    one measurement never carries another's peak."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _PEAK, *command], check=True, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    return seconds, int(done.stdout.strip().splitlines()[-1]) / 1024


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 100_000
    jobs = argv[1] if len(argv) > 1 else "1"
    data = HERE / "data"
    data.mkdir(exist_ok=True)
    leads = data / f"leads_{n}.csv"
    spend = data / "spend.csv"
    if not leads.exists():
        generate(n).to_csv(leads, index=False, sep=";", encoding="utf-8")
    rows = [
        f"{s},{c},2026-10-01,{100 + i}"
        for i, (s, c) in enumerate((s, c) for s in SOURCES if s for c in CAMPAIGNS[:10])
    ]
    spend.write_text("source,campaign,date,spend\n" + "\n".join(rows) + "\n", encoding="utf-8")

    base_s, base_mb = timed(
        [
            sys.executable,
            str(HERE / "baseline.py"),
            str(leads),
            str(spend),
            str(data / "baseline_report.csv"),
        ]
    )
    out = data / f"run_{n}"
    lt_s, lt_mb = timed(
        [
            sys.executable,
            "-m",
            "leadtool",
            "-q",
            "run",
            str(leads),
            "--spend",
            str(spend),
            "--out",
            str(out),
            "--jobs",
            jobs,
        ]
    )
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    stages = manifest["durations_seconds"]
    total = sum(stages.values()) or 1.0
    result = {
        "rows": n,
        "baseline_seconds": round(base_s, 1),
        "leadtool_run_seconds": round(lt_s, 1),
        "speedup": round(base_s / lt_s, 2),
        "baseline_peak_mb": round(base_mb),
        "leadtool_peak_mb": round(lt_mb),
        "stage_share": {k: f"{v / total:.0%}" for k, v in stages.items()},
        "stage_seconds": stages,
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
