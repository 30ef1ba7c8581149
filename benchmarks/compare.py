"""leadtool run against the plain pandas baseline, on the same generated input.

    python benchmarks/compare.py 1000000 [JOBS [REPEAT]] [--varied-names]

Generates N leads (benchmarks/generate.py) and a spend file, then runs, each in its own
process: the baseline script, and ``leadtool run`` (import → clean → dedupe → qualify →
report: more work than the baseline). Prints both wall times, the ratio, each process's peak
memory, and each stage's share of leadtool's time (from the run's manifest). With REPEAT,
both run that many times, alternately, and the medians are shown (shared machines are noisy).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"  # generated inputs and outputs, git-ignored
sys.path.insert(0, str(HERE.parent))

from benchmarks.generate import CAMPAIGNS, SOURCES, generate  # noqa: E402

_PEAK = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
    "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
    "print(u.ru_maxrss, u.ru_utime, u.ru_stime)"
)


class Timing(NamedTuple):
    seconds: float
    peak_mb: float
    user_cpu: float  # seconds, the command and its children (worker processes)
    system_cpu: float


def timed(command: list[str]) -> Timing:
    """Wall seconds, peak memory (MB) and CPU seconds of a command, measured in a fresh
    watcher process so one measurement never carries another's peak. The peak is the
    larger of the biggest process's peak RSS and, on Linux, the sum of the RSS of every
    process of the command sampled 20 times a second — ``--jobs`` starts worker processes
    beside leadtool, and pages they share are counted twice, so the sum is an upper bound.
    CPU time over wall time tells how much of both cores a command kept busy (the baseline:
    one; leadtool's kernels run on two threads)."""
    start = time.perf_counter()
    watcher = subprocess.Popen(
        [sys.executable, "-c", _PEAK, *command], stdout=subprocess.PIPE, text=True
    )
    tree_peak = 0
    while watcher.poll() is None:
        tree_peak = max(tree_peak, _tree_rss(watcher.pid))
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    out, _ = watcher.communicate()
    if watcher.returncode:
        raise subprocess.CalledProcessError(watcher.returncode, command)
    maxrss, user, system = out.strip().splitlines()[-1].split()
    peak = max(int(maxrss) * 1024, tree_peak) / 2**20
    return Timing(seconds, peak, float(user), float(system))


def host_probe() -> float:
    """Seconds a fixed pure-Python loop takes here and now. On a shared host the same code
    runs up to twice as slowly from one hour to the next; this number, printed with the
    results, tells a busy spell from a change in the code."""
    start = time.perf_counter()
    sum(range(20_000_000))
    return time.perf_counter() - start


def _cpu(timing: Timing) -> dict[str, float]:
    return {"user": round(timing.user_cpu, 1), "system": round(timing.system_cpu, 1)}


def _tree_rss(root: int) -> int:
    """Bytes resident in ``root`` and all its descendants (0 where /proc is not there)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, grew = {root}, True
    while grew:
        found = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= found
        grew = bool(found)
    total = 0
    for pid in tree:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return total * os.sysconf("SC_PAGE_SIZE")


def main(argv: list[str]) -> int:
    varied = "--varied-names" in argv  # every fifth person's own surname (generate.py)
    argv = [a for a in argv if a != "--varied-names"]
    n = int(argv[0]) if argv else 100_000
    jobs = argv[1] if len(argv) > 1 else "1"
    repeat = int(argv[2]) if len(argv) > 2 else 1
    data = DATA
    data.mkdir(exist_ok=True)
    leads = data / (f"leads_{n}_varied_names.csv" if varied else f"leads_{n}.csv")
    spend = data / "spend.csv"
    if not leads.exists():
        generate(n, varied_names=varied).to_csv(leads, index=False, sep=";", encoding="utf-8")
    rows = [
        f"{s},{c},2026-10-01,{100 + i}"
        for i, (s, c) in enumerate((s, c) for s in SOURCES if s for c in CAMPAIGNS[:10])
    ]
    spend.write_text("source,campaign,date,spend\n" + "\n".join(rows) + "\n", encoding="utf-8")

    baseline = [
        sys.executable,
        str(HERE / "baseline.py"),
        str(leads),
        str(spend),
        str(data / "baseline_report.csv"),
    ]
    out = data / f"run_{n}"
    run = [sys.executable, "-m", "leadtool", "-q", "run", str(leads)]
    run += ["--spend", str(spend), "--out", str(out), "--jobs", jobs]
    base_runs, runs, probes = [], [], []
    for _ in range(repeat):  # alternated, so that a busy spell slows both
        probes.append(host_probe())
        base_runs.append(timed(baseline))
        timing = timed(run)
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        runs.append((timing, manifest["durations_seconds"]))
    base_s = statistics.median(t.seconds for t in base_runs)
    lt_s = statistics.median(t.seconds for t, _ in runs)
    median_run, stages = sorted(runs, key=lambda r: r[0].seconds)[len(runs) // 2]
    median_base = sorted(base_runs, key=lambda t: t.seconds)[len(base_runs) // 2]
    total = sum(stages.values()) or 1.0
    result = {
        "rows": n,
        "names": "varied" if varied else "pool of 500",
        "runs": repeat,
        "baseline_seconds": round(base_s, 1),
        "leadtool_run_seconds": round(lt_s, 1),
        "speedup": round(base_s / lt_s, 2),
        "baseline_peak_mb": round(max(t.peak_mb for t in base_runs)),
        "leadtool_peak_mb": round(max(t.peak_mb for t, _ in runs)),
        # user + system CPU of the median runs: over their wall time, the cores kept busy
        "baseline_cpu_seconds": _cpu(median_base),
        "leadtool_cpu_seconds": _cpu(median_run),
        # the ratio of their CPU: the speedup on one core, the work saved rather than spread
        "cpu_ratio": round(
            (median_base.user_cpu + median_base.system_cpu)
            / max(median_run.user_cpu + median_run.system_cpu, 1e-9),
            2,
        ),
        "stage_share": {k: f"{v / total:.0%}" for k, v in stages.items()},
        "stage_seconds": stages,
        # How fast this machine ran plain Python while measuring (lower is faster): compare
        # figures from different days only when these agree.
        "host_probe_seconds": [round(s, 2) for s in probes],
    }
    if repeat > 1:
        result["baseline_each"] = [round(t.seconds, 1) for t in base_runs]
        result["leadtool_each"] = [round(t.seconds, 1) for t, _ in runs]
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
