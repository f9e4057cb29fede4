"""Benchmark of ``dv merge --docx``: the Word appendix for a province of N units (not a test:
it prints figures).

    .venv/bin/python benchmarks/bench_docx.py                 # N = 400, 2000, 10000
    .venv/bin/python benchmarks/bench_docx.py --n 400 --n 2000

Each unit is an accepted report with the seed's figures and 3 documents (the seed's own),
without a workbook (``tests/domain.reported``), so only the appendix is timed. The summary
workbook for the same province is timed beside it, for scale.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def province(n: int):  # noqa: ANN201 - a MergeResult
    from tests.support.domain import form, reported
    from tests.support.testing import SEED_DOCS
    from toolkit.merger import merge_reports
    from toolkit.roster import Roster, Unit

    units = [Unit(f"U{i:05d}", f"Đơn vị số {i}", "so") for i in range(n)]
    reports = [reported(u, docs=SEED_DOCS[:3], staff_cc=20 + i % 7) for i, u in enumerate(units)]
    return merge_reports(reports, form(), Roster(tuple(units)))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, action="append", help="units (repeatable)")
    args = parser.parse_args(argv)
    from toolkit.appendix_docx import build_appendix_docx
    from toolkit.summary import build_summary

    print(f"{'units':>7} {'docx s':>8} {'ms/unit':>8} {'summary s':>10} {'docx kB':>8}")
    for n in args.n or [400, 2000, 10000]:
        result = province(n)
        started = time.perf_counter()
        data = build_appendix_docx(result)
        docx_s = time.perf_counter() - started
        started = time.perf_counter()
        build_summary(result)
        summary_s = time.perf_counter() - started
        print(f"{n:>7} {docx_s:>8.2f} {1000 * docx_s / n:>8.2f} {summary_s:>10.2f} {len(data) // 1024:>8}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
