"""Benchmark of ``dv merge --docx``: the Word appendix for a province of N units (not a test:
it prints figures).

    .venv/bin/python -m benchmarks.bench_docx                 # N = 400, 2000, 10000
    .venv/bin/python -m benchmarks.bench_docx --n 400 --n 2000

Each unit is an accepted report (the shared generator's: ``tests.support.submissions``,
seeded figures and 3 documents, 2 of the Party and one of the state) without a workbook,
so only the appendix is timed. The summary workbook for the same province is timed beside
it, for scale.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Sequence

SEED = 20201116


def province(n: int):  # noqa: ANN201 - a MergeResult
    from tests.support import submissions
    from toolkit.merger import merge_reports
    from toolkit.roster import Roster

    form, units = submissions.shipped_form(), submissions.units(n)
    reports = []
    for i, unit in enumerate(units):
        values, docs = submissions.submission(random.Random(SEED + i), unit, form, party=(2, 2), state=(1, 1))
        reports.append(submissions.report(unit, values, docs, form))
    return merge_reports(reports, form, Roster(tuple(units)))


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
