"""Time ``leadtool dedupe`` (exact + fuzzy) on N generated leads with known duplicates, and
score it: pairwise precision and recall against the generator's truth.

    python benchmarks/bench_dedupe.py 1000000
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.duplicates import generate_duplicates, pairwise_scores
from leadtool.cli import small_pages
from leadtool.dedupe import dedupe


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 100_000
    small_pages()  # as leadtool's commands do
    leads = generate_duplicates(n)
    start = time.perf_counter()
    out, pairs, stats = dedupe(leads)
    seconds = time.perf_counter() - start
    precision, recall = pairwise_scores(out["x_person"], out["dup_group"])
    result = {
        "rows": len(out),
        "dedupe_seconds": round(seconds, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "people": stats.groups,
        "duplicates": stats.duplicates,
        "matched_pairs": len(pairs),
        "pairs_by_rule": stats.pairs_by_rule,
        "pairwise_precision": round(precision, 4),
        "pairwise_recall": round(recall, 4),
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
