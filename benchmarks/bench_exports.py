"""Time ``leadtool import`` and ``leadtool run`` on N leads of each real export shape
(benchmarks/exports.py).

    python benchmarks/bench_exports.py 500000 [KIND ...]   (kinds: benchmarks/exports.py)

Each export is written once to ``benchmarks/data/exports_N/`` (git-ignored), then imported,
and run through the whole chain, by the commands themselves in fresh processes, as a user
runs them. Prints, per export, the wall time and peak memory of each, the run's stage
times, and what import made of the export: the share of rows with a valid phone, e-mail
and date, and how many carried a second phone number.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pyarrow.csv as pacsv

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.compare import timed  # noqa: E402
from benchmarks.exports import KINDS, write  # noqa: E402


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 100_000
    kinds = [k for k in argv[1:] if k in KINDS] or list(KINDS)
    folder = Path(f"benchmarks/data/exports_{n}")
    results = {}
    for kind in kinds:
        source = write(kind, n, folder)
        out = folder / f"imported_{kind}.csv"
        command = [sys.executable, "-m", "leadtool", "-q", "import", str(source), "-o", str(out)]
        seconds, peak, _, _ = timed(command)
        run_out = folder / f"run_{kind}"
        run = [sys.executable, "-m", "leadtool", "-q", "run", str(source), "--out", str(run_out)]
        run_seconds, run_peak, run_user, run_system = timed(run)
        manifest = json.loads((run_out / "manifest.json").read_text(encoding="utf-8"))
        leads = (
            pacsv.read_csv(
                out,
                convert_options=pacsv.ConvertOptions(
                    include_columns=["phone", "email", "created_at", "x_phone_extra"],
                    include_missing_columns=True,  # x_phone_extra: only when a row has one
                    column_types=dict.fromkeys(
                        ["phone", "email", "created_at", "x_phone_extra"], "string"
                    ),
                    strings_can_be_null=False,
                ),
            )
            .to_pandas()
            .fillna("")
        )
        results[kind] = {
            "seconds": round(seconds, 2),
            "rows_per_second": round(n / seconds),
            "peak_mb": round(peak),
            "run_seconds": round(run_seconds, 2),
            "run_peak_mb": round(run_peak),
            "run_cpu_seconds": {"user": round(run_user, 1), "system": round(run_system, 1)},
            "run_stage_seconds": manifest["durations_seconds"],
            "valid_phone": round(float((leads["phone"] != "").mean()), 3),
            "valid_email": round(float((leads["email"] != "").mean()), 3),
            "valid_date": round(float((leads["created_at"] != "").mean()), 3),
            "second_phone": int((leads["x_phone_extra"] != "").sum()),
        }
    print(json.dumps({"rows": n, "exports": results}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
