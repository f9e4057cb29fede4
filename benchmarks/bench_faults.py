"""Benchmark of the reader-crash path (issue 10, item 6; not a test: it prints figures).

    .venv/bin/python -m benchmarks.bench_faults               # 200 and 2,000 files
    .venv/bin/python -m benchmarks.bench_faults --n 200

For each N, in one process: ``check_files`` (what ``dv merge`` reads with) on N generated
valid submissions (the clean run), then on the same N files with one in ten replaced by a
copy of a file that makes python-calamine abort its process (a cell at XFD1048576 and no
<dimension>: ``tests.support.submissions.far_cell_copy``). Prints both times, the ratio, and checks that
every crashing file is reported ``file-unreadable`` and every other one as in the clean run.
Runs alternate (``--repeat``, best of each), and CPU time (this process and its workers) is
printed beside wall time: on a shared machine the CPU ratio is the steadier figure.
The generated files are bench_merge's (the shared generator's, cached in ``benchmarks/.cache/``).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks.bench_merge import CACHE, dataset, far_cell_file


def timed(fn: Callable[..., Any], *args: Any) -> tuple[float, float, Any]:
    """Wall time, and CPU time of this process and its (ended) workers, of ``fn(*args)``."""
    before = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = fn(*args)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = sum(a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime for a, b in zip(after, before, strict=True))
    return seconds, cpu, result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, action="append", help="files (repeatable; default 200 and 2000)")
    parser.add_argument("--every", type=int, default=10, help="one crashing file in this many (default 10)")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each, alternated; the best is shown")
    args = parser.parse_args(argv)
    sizes = args.n or [200, 2000]

    from toolkit.form import load_form
    from toolkit.intake import check_files, readers, safety, validate  # noqa: F401 - imported before any worker starts

    form = load_form()
    half = (max(sizes) + 1) // 2
    CACHE.mkdir(exist_ok=True)
    ds = dataset(half, CACHE, 2, lambda text: print(text, file=sys.stderr))
    pool = ds.files("a") + ds.files("b")
    crash = far_cell_file(pool[0], CACHE)
    print(
        f"{'files':>6} {'crashing':>8} {'clean s':>8} {'crash s':>8} {'ratio':>6}"
        f" {'clean cpu':>9} {'crash cpu':>9} {'ratio':>6}   (cpu: seconds of CPU, dv and its workers)"
    )
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="dv-faults-") as tmp:
            clean_dir, crash_dir = Path(tmp, "clean"), Path(tmp, "crash")
            clean_dir.mkdir()
            crash_dir.mkdir()
            crashing: set[str] = set()
            for i, src in enumerate(pool[:n]):
                (clean_dir / src.name).symlink_to(src)
                if i % args.every == args.every - 1:
                    shutil.copyfile(crash, crash_dir / src.name)
                    crashing.add(src.name)
                else:
                    (crash_dir / src.name).symlink_to(src)
            clean_files, crash_files = sorted(clean_dir.iterdir()), sorted(crash_dir.iterdir())
            clean_s = clean_cpu = crash_s = crash_cpu = float("inf")
            for _ in range(args.repeat):  # alternated, best of each: a busy machine inflates single runs
                seconds, cpu, clean = timed(check_files, clean_files, form)
                clean_s, clean_cpu = min(clean_s, seconds), min(clean_cpu, cpu)
                seconds, cpu, crashed = timed(check_files, crash_files, form)
                crash_s, crash_cpu = min(crash_s, seconds), min(crash_cpu, cpu)
            for a, b in zip(clean, crashed, strict=True):
                name = Path(b.path).name
                if name in crashing:
                    assert [i.code for i in b.issues] == ["file-unreadable"], (name, b.issues)
                else:
                    assert (a.status, a.values) == (b.status, b.values), name
            print(
                f"{n:>6} {len(crashing):>8} {clean_s:>8.2f} {crash_s:>8.2f} {crash_s / clean_s:>6.2f}"
                f" {clean_cpu:>9.2f} {crash_cpu:>9.2f} {crash_cpu / clean_cpu:>6.2f}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
