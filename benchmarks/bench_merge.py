"""Benchmark of ``dv merge`` on a province's worth of returned workbooks (not a test: it prints figures).

    .venv/bin/python -m benchmarks.bench_merge            # N = 1000 (what ``make bench`` runs)
    .venv/bin/python -m benchmarks.bench_merge --n 100    # a quick run

Run from the repository root. What it does, in one process and one machine state:

1. Generates 2N filled submissions of distinct units (cached in ``benchmarks/.cache/<N>/``):
   set ``a/`` (N units) and set ``b/`` (N more), with the shared generator
   (``tests.support.submissions``: each file the unit's personalised template filled with
   seeded figures and 3-15 documents). Rosters ``roster-N.csv`` and ``roster-2N.csv`` go alongside.
2. Times ``toolkit.merge`` (module ``toolkit.merger``, or ``toolkit.merge``) on N files and on 2N files (best of ``--repeat``), and
   ``toolkit.summary.build_summary`` separately; the marginal cost of a file is
   (t(2N) - t(N)) / N.
3. Times the baselines, single process: a naive openpyxl loop (``load_workbook(data_only=True)``,
   every defined name's cells) and python-calamine reading every sheet (the floor).
4. Peak RSS of a merge of N and of 2N, each in a fresh interpreter (self and worker processes).
5. ``check_file`` on one file: mean time, a stage breakdown, and a cProfile table.
6. The awkward files of ``tests/awkward/files/`` (zip bomb, huge dimension…), when present.

The measuring helpers are in ``benchmarks.measure``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import hashlib
import io
import json
import os
import pickle
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import measure
from benchmarks.measure import ROOT, ok

CACHE = Path(__file__).resolve().parent / ".cache"
AWKWARD = ROOT / "tests" / "awkward" / "files"
SEED = 20201116  # unit i's submission is drawn from random.Random(SEED + i)
DOCUMENTS = {"party": (2, 8), "state": (1, 7)}  # 3-15 documents a unit

# -- the files: generated once, cached --------------------------------------------------------------


@dataclass
class Dataset:
    root: Path
    a: Path  # N units
    b: Path  # N more units
    roster_n: Path
    roster_2n: Path

    def files(self, which: str) -> list[Path]:
        return sorted((self.a if which == "a" else self.b).glob("*.xlsx"))


def _parts_digest(xlsx: bytes) -> str:
    digest = hashlib.sha256()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as zf:
        for name in sorted(zf.namelist()):
            digest.update(name.encode() + b"\0" + zf.read(name))
    return digest.hexdigest()[:16]


def dataset(n: int, cache: Path, jobs: int, log: Callable[[str], None]) -> Dataset:
    from tests.support import submissions

    form = submissions.shipped_form()
    root = cache / str(n)
    placeholder = submissions.placeholder_template(form)
    # The template's own bytes and the generator's source are part of the key: a change to
    # either rebuilds the files.
    generator = hashlib.sha256(Path(submissions.__file__).read_bytes()).hexdigest()[:16]
    manifest = json.loads(
        json.dumps(
            {
                "n": n,
                "seed": SEED,
                "documents": DOCUMENTS,
                "generator": generator,
                "form": form.id,
                "version": form.version,
                "fingerprint": form.fingerprint,
                "template": _parts_digest(placeholder),
            }
        )
    )
    ds = Dataset(root, root / "a", root / "b", root / "roster-N.csv", root / "roster-2N.csv")
    with contextlib.suppress(OSError, ValueError):
        if json.loads((root / "manifest.json").read_text()) == manifest and len(ds.files("a")) == n == len(
            ds.files("b")
        ):
            log(f"using cached files in {root}")
            return ds
    units = submissions.units(2 * n)
    tmp = Path(tempfile.mkdtemp(prefix=f"gen-{n}-", dir=cache))
    (tmp / "a").mkdir()
    (tmp / "b").mkdir()
    tasks = [(u, tmp / ("a" if i < n else "b") / f"{u.code}_phu-luc-2020.xlsx", SEED + i) for i, u in enumerate(units)]
    log(f"generating {2 * n} filled workbooks in {tmp} ({jobs} processes)…")
    try:
        submissions.write_many(tasks, processes=jobs, placeholder=placeholder, log=log, **DOCUMENTS)
        submissions.write_roster(tmp / "roster-N.csv", units[:n])
        submissions.write_roster(tmp / "roster-2N.csv", units)
        (tmp / "manifest.json").write_text(json.dumps(manifest))
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if root.exists():
        shutil.rmtree(root)
    tmp.rename(root)
    return ds


def far_cell_file(reference: Path, cache: Path) -> Path:
    """``reference`` with a cell at XFD1048576 and no <dimension> (kept in the cache), which
    python-calamine dies reading (the crash-isolation path)."""
    from tests.support.submissions import far_cell_copy

    out = cache / "extras" / "far-cell-no-dimension.xlsx"
    if out.exists() and out.stat().st_mtime >= reference.stat().st_mtime:
        return out
    return far_cell_copy(reference, out)


# -- child processes (``-m benchmarks.bench_merge --child-…``, run from the repository root) --------

THIS = [sys.executable, "-m", "benchmarks.bench_merge"]


def child_merge(args: argparse.Namespace) -> None:
    """A merge and its summary in this fresh interpreter; prints times and memory as JSON."""
    from toolkit.roster import read_roster
    from toolkit.summary import build_summary

    roster = read_roster(args.roster)
    start = time.perf_counter()
    result = measure.merge_function()(args.dirs, roster=roster)
    t_merge = time.perf_counter() - start
    peak_merge = measure.peak_rss_kb()
    gc.collect()
    now_merge = measure.current_rss_kb()
    start = time.perf_counter()
    data = build_summary(result)
    t_summary = time.perf_counter() - start
    print(
        json.dumps(
            {
                "files": len(result.files),
                "accepted": len(result.accepted),
                "t_merge": t_merge,
                "t_summary": t_summary,
                "summary_bytes": len(data),
                "self_after_merge_kb": peak_merge,
                "now_after_merge_kb": now_merge,
                "report_bytes": statistics.fmean(len(pickle.dumps(f)) for f in result.files) if result.files else 0,
                "self_kb": measure.peak_rss_kb(),
                "children_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
            }
        )
    )


def run_child(dirs: Sequence[Path], roster: Path) -> dict[str, Any]:
    cmd = [*THIS, "--child-merge", "--roster", str(roster), *map(str, dirs)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def baseline_rss_kb() -> int:
    """Peak RSS of a fresh interpreter that has imported toolkit (the floor of the figures above)."""
    code = (
        "import toolkit.summary, toolkit.intake.check, toolkit.intake.readers, toolkit.intake.validate, "
        "toolkit.roster, benchmarks.bench_merge as b; print(b.measure.peak_rss_kb())"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return int(proc.stdout)


def _awkward_one(path: str, pool: bool) -> None:
    """Child process: check one file (alone, or through dv's worker pool); print the outcome."""
    from toolkit.form import load_form
    from toolkit.intake import check_file, check_files
    from toolkit.intake.workers import MEMORY_LIMIT, _worker_init

    form = load_form()
    # A worker sends its stdout to /dev/null (it must not hold the caller's pipe): keep a copy
    # of this process's stdout for the outcome line.
    out = os.fdopen(os.dup(1), "w")
    if not pool:
        _worker_init(MEMORY_LIMIT)  # the memory cap dv's workers run under
    start = time.perf_counter()
    report = check_files([path], form, jobs=1)[0] if pool else check_file(path, form)
    elapsed = time.perf_counter() - start
    codes = ",".join(sorted({i.code for i in report.errors})) or "-"
    print(json.dumps({"t": elapsed, "status": report.status, "codes": codes}), file=out, flush=True)


def awkward(folder: Path, timeout: float, extras: Sequence[Path]) -> list[str]:
    files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
    skipped = [] if files else [f"  ({measure.display(folder)} missing or empty: only the generated files)"]
    lines = [
        "  each file checked in a fresh interpreter. s: the time of the check inside it (the first call, lazy",
        "  imports included: ~12 ms), or the wall time of the whole process, marked *, when it died. MB: peak",
        "  RSS of the process and its workers, imports included (the first row, an ordinary submission, is the",
        "  floor). check_file: in-process under dv's 2 GB address-space cap; check_files: dv's worker pool (a",
        "  worker that dies is retried alone, then the file is reported as unreadable).",
        f"  {'file':<44} {'kB':>7} {'check_file s':>12} {'MB':>5}  {'check_files s':>13} {'MB':>5}  outcome",
    ]
    for path in [*extras, *files]:
        cells, outcomes = [], []
        for flag in ("--child-awkward", "--child-awkward-pool"):
            elapsed, status, rss_kb, stdout = measure.run_measured([*THIS, flag, str(path.resolve())], timeout)
            got: dict[str, Any] = {}
            with contextlib.suppress(IndexError, ValueError):
                got = json.loads(stdout.strip().splitlines()[-1])
            if status == -1:
                cells.append(f"{'>' + str(int(timeout)):>13} {'?':>5}")
                outcomes.append("timed out")
            elif "t" in got:
                cells.append(f"{got['t']:13.3f} {rss_kb / 1024:5.0f}")
                outcomes.append(f"{got['status']} ({got['codes']})")
            else:
                cells.append(f"{elapsed:12.2f}* {rss_kb / 1024:5.0f}")
                died = f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"exit {status >> 8}"
                outcomes.append(f"process died ({died})")
        name = str(path.relative_to(folder)) if path.is_relative_to(folder) else f"(generated) {path.name}"
        size = path.stat().st_size / 1024
        lines.append(f"  {name[:44]:<44} {size:7.1f}{cells[0]}  {cells[1]}  {' | '.join(outcomes)}")
    return lines + skipped


# -- the report ---------------------------------------------------------------------------------------


def time_merges(
    ds: Dataset, form: Any, rosters: dict[str, Any], repeat: int, say: Callable[[str], None], log: Callable[[str], None]
) -> dict[str, Any]:
    """dv merge on N and 2N, interleaved, best of ``repeat``; the summary timed apart."""
    from toolkit.summary import build_summary

    merge, n = measure.merge_function(), len(ds.files("a"))
    got: dict[str, Any] = {"merge": {"N": [], "2N": []}, "summary": {"N": [], "2N": []}, "size": {}}
    got["all_accepted"] = True
    for run in range(repeat):
        for label, dirs in (("N", [ds.a]), ("2N", [ds.a, ds.b])):
            gc.collect()  # nothing from earlier runs is kept: dv's workers are forked from this process
            start = time.perf_counter()
            result = merge(dirs, form, rosters[label])
            got["merge"][label].append(time.perf_counter() - start)
            start = time.perf_counter()
            data = build_summary(result)
            with tempfile.NamedTemporaryFile(suffix=".xlsx") as fh:
                fh.write(data)
                fh.flush()
            got["summary"][label].append(time.perf_counter() - start)
            got["size"][label] = len(data)
            if run == 0:
                count = n if label == "N" else 2 * n
                statuses = Counter(f.status for f in result.files)
                if statuses.get("accepted", 0) != count:
                    got["all_accepted"] = False
                    say(f"WARNING: merge({label}) accepted {statuses.get('accepted', 0)} of {count}: {dict(statuses)}")
                if label == "N":
                    got["warnings"] = Counter(i.code for f in result.files for i in f.warnings)
                    got["docs"] = sum(len(f.docs) for f in result.files)
            if run == repeat - 1 and label == "2N":
                log("profiling build_summary(2N)…")
                got["summary_profile"] = measure.profile_summary(result)
            del result, data
    return got


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="files in the N set (the 2N set doubles it)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each merge and baseline (best is kept)")
    parser.add_argument("--cache", type=Path, default=CACHE, help="where generated files are kept")
    parser.add_argument("--profile-runs", type=int, default=200, help="check_file calls to average")
    parser.add_argument("--no-rss", action="store_true", help="skip the fresh-process peak RSS runs")
    parser.add_argument("--awkward", type=Path, default=AWKWARD, help="folder of awkward files to time")
    parser.add_argument("--awkward-timeout", type=float, default=120.0)
    parser.add_argument("--child-merge", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-awkward", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-awkward-pool", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--roster", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("dirs", nargs="*", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_merge:
        child_merge(args)
        return 0
    if args.child_awkward or args.child_awkward_pool:
        _awkward_one(str(args.dirs[0]), pool=args.child_awkward_pool)
        return 0

    from toolkit.form import load_form
    from toolkit.roster import read_roster

    def log(text: str) -> None:
        print(f"[bench] {text}", file=sys.stderr, flush=True)

    n, jobs, cache = args.n, os.cpu_count() or 1, args.cache.resolve()
    cache.mkdir(parents=True, exist_ok=True)
    ds = dataset(n, cache, jobs, log)
    form = load_form()
    rosters = {"N": read_roster(ds.roster_n), "2N": read_roster(ds.roster_2n)}
    files_a = ds.files("a")
    size_kb = statistics.fmean(p.stat().st_size for p in files_a) / 1024
    out: list[str] = []
    say = out.append
    loads = lambda: " ".join(f"{x:.2f}" for x in os.getloadavg())  # noqa: E731

    say(
        f"dv merge benchmark: N = {n} ({2 * n} generated files, mean {size_kb:.0f} kB), {jobs} CPU, "
        f"Python {sys.version.split()[0]}, {dt.datetime.now():%Y-%m-%d %H:%M}"
    )
    say(f"files: {ds.root}; load average before timing: {loads()}")

    # (a) dv merge on N and 2N; (b) the naive openpyxl loops and (c) python-calamine alone, single process.
    log("timing merge(N) and merge(2N)…")
    got = time_merges(ds, form, rosters, args.repeat, say, log)
    merge_times, summary_times, summary_size = got["merge"], got["summary"], got["size"]
    t_n, t_2n = min(merge_times["N"]), min(merge_times["2N"])
    s_n, s_2n = min(summary_times["N"]), min(summary_times["2N"])
    marginal = (t_2n - t_n) / n
    log("timing the naive openpyxl loop…")
    t_naive, naive_times, _ = measure.best_of(lambda: [measure.openpyxl_names(p) for p in files_a], args.repeat)
    log("timing openpyxl, first cell of each defined name…")
    t_first, first_times, _ = measure.best_of(
        lambda: [measure.openpyxl_names(p, first_cell_only=True) for p in files_a], args.repeat
    )
    log("timing python-calamine alone…")
    t_cal, cal_times, _ = measure.best_of(lambda: [measure.calamine_rows(p) for p in files_a], max(3, args.repeat))
    wanted = frozenset({form.layout.sheet, form.layout.meta_sheet, *(t.sheet for t in form.tables.values())})
    t_need, need_times, _ = measure.best_of(
        lambda: [measure.calamine_rows(p, wanted) for p in files_a], max(3, args.repeat)
    )
    load_after = loads()

    say("")
    say(
        f"N set: {n} files, {got['docs']} documents; {'every file accepted' if got['all_accepted'] else 'NOT all accepted'}; "
        "warnings: " + (", ".join(f"{k} ×{v}" for k, v in got["warnings"].most_common()) or "none")
    )
    say("")
    say(f"{'run':<44} {'best s':>8} {'files/s':>8} {'ms/file':>8}   runs (s)")

    def row(label: str, seconds: float, count: int, times: list[float]) -> None:
        say(
            f"{label:<44} {seconds:8.2f} {count / seconds:8.1f} {seconds / count * 1e3:8.2f}   {measure.fmt_times(times)}"
        )

    row(f"dv merge, N = {n} (read + validate, {jobs} workers)", t_n, n, merge_times["N"])
    row(f"dv merge, 2N = {2 * n}", t_2n, 2 * n, merge_times["2N"])
    for label, s, count in (("N", s_n, n), ("2N", s_2n, 2 * n)):
        say(
            f"{'  build_summary + write, ' + label:<44} {s:8.2f} {'':>8} {s / count * 1e3:8.2f}   "
            f"{measure.fmt_times(summary_times[label])}  ({summary_size[label] / 1024:.0f} kB)"
        )
    both = [a + b for a, b in zip(merge_times["N"], summary_times["N"], strict=True)]
    row(f"dv merge + summary, N = {n}", t_n + s_n, n, both)
    row("naive openpyxl loop, N (1 process)", t_naive, n, naive_times)
    row("openpyxl data_only, names' first cells (1 p.)", t_first, n, first_times)
    row("python-calamine, every sheet, N (1 process)", t_cal, n, cal_times)
    row("python-calamine, sheets dv needs (1 process)", t_need, n, need_times)
    say(
        f"(load average after the timings: {load_after}; other work on the machine inflates single runs, hence best "
        "of several)"
    )
    say("")
    cal_per_file, need_per_file, first_per_file = t_cal / n, t_need / n, t_first / n
    say(
        f"marginal cost of dv merge: (t(2N) - t(N)) / N = {marginal * 1e3:.2f} ms/file wall "
        f"({marginal * jobs * 1e3:.2f} ms/file of CPU over {jobs} workers)"
    )
    say(f"summary marginal: (s(2N) - s(N)) / N = {(s_2n - s_n) / n * 1e3:.2f} ms/file")
    speedup = t_naive / t_n
    say(
        f"dv merge speed / naive openpyxl loop  = {speedup:5.1f}×  (target ≥ 5×)  {ok(speedup >= 5)}; "
        f"with the summary: {t_naive / (t_n + s_n):.1f}×"
    )
    ratio = marginal / cal_per_file
    say(
        f"marginal cost / calamine, every sheet = {ratio:5.2f}×  [{marginal * 1e3:.2f} / {cal_per_file * 1e3:.2f} ms]; "
        f"per CPU: {ratio * jobs:.2f}×"
    )
    need_ratio = marginal / need_per_file
    say(
        f"marginal cost / calamine, dv's sheets = {need_ratio:5.2f}×  (target ≤ 2×, {jobs} workers)  "
        f"{ok(need_ratio <= 2)}  [{marginal * 1e3:.2f} / {need_per_file * 1e3:.2f} ms]; per CPU: {need_ratio * jobs:.2f}×"
    )
    first_ratio = first_per_file / marginal
    say(
        f"openpyxl first cells / marginal cost  = {first_ratio:5.1f}×  (target ≥ 10×)  {ok(first_ratio >= 10)}  "
        f"[{first_per_file * 1e3:.2f} / {marginal * 1e3:.2f} ms]"
    )

    say("")
    say("build_summary on the 2N result, by sheet (cProfile, cumulative)")
    out.extend(got["summary_profile"])
    lookups = []
    for label, ros in rosters.items():
        last = ros.units[-1].code
        start = time.perf_counter()
        for _ in range(200):
            ros.get(last)
        lookups.append(f"{label} {(time.perf_counter() - start) / 200 * 1e3:.3f} ms")
    say(f"Roster.get (linear scan; once per file, worst case): {', '.join(lookups)}")

    if not args.no_rss:
        log("peak RSS: merge(N) and merge(2N) in fresh interpreters…")
        base = baseline_rss_kb()
        rss = {"N": run_child([ds.a], ds.roster_n), "2N": run_child([ds.a, ds.b], ds.roster_2n)}
        say("")
        say(f"peak RSS, each merge in a fresh interpreter (MB; imports alone: {base / 1024:.0f} MB)")
        say(
            f"  {'run':<4} {'files':>6} {'merge s':>8} {'summary s':>9} {'main: peak after merge':>23} "
            f"{'(RSS now)':>9} {'peak incl. summary':>19} {'largest worker':>15}"
        )
        for label, r in rss.items():
            say(
                f"  {label:<4} {r['files']:>6} {r['t_merge']:8.2f} {r['t_summary']:9.2f} "
                f"{r['self_after_merge_kb'] / 1024:23.0f} {r['now_after_merge_kb'] / 1024:9.0f} "
                f"{r['self_kb'] / 1024:19.0f} {r['children_kb'] / 1024:15.0f}"
            )
        grow = (rss["2N"]["now_after_merge_kb"] - rss["N"]["now_after_merge_kb"]) / n
        say(
            f"  main process, RSS held after merge: {grow:+.1f} kB per extra file: the reports the summary is made "
            f"from (values, documents, issues with their texts; {rss['2N']['report_bytes'] / 1024:.1f} kB a report "
            "pickled, a few times that as Python objects)"
        )
        say(
            f"  the summary "
            f"raises the peak by {(rss['2N']['self_kb'] - rss['2N']['self_after_merge_kb']) / 1024:.0f} MB at 2N"
        )

    log("profiling check_file…")
    say("")
    say("check_file on one file (in this process, with the N roster)")
    check_lines, check_mean = measure.profile_check_file(files_a[0], form, rosters["N"], args.profile_runs)
    out.extend(check_lines)

    log("whole processes: dv check ONE.xlsx, dv --help…")
    fresh, modules = measure.bytecode_state(ROOT / "toolkit")
    installed = "with .pyc" if fresh == modules else f"without .pyc for {modules - fresh} of its {modules} modules"
    procs = measure.whole_processes(files_a[0].resolve())
    check_cpu = max(procs["check, without .pyc"][0], procs["check, with .pyc"][0])
    help_cpu = max(procs["help, without .pyc"][0], procs["help, with .pyc"][0])
    say("")
    say("whole processes (best of 5; CPU = user + system of the process and its children; python -m toolkit.cli)")
    say(
        f"  as installed here, toolkit {installed} "
        f"(PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')}):"
    )
    for case in ("as installed", "without .pyc", "with .pyc"):
        if case != "as installed":
            say(f"  a copy of toolkit {case}:")
        c_cpu, c_wall = procs[f"check, {case}"]
        h_cpu, h_wall = procs[f"help, {case}"]
        say(
            f"    dv check ONE.xlsx: {c_cpu * 1e3:.0f} ms CPU, {c_wall * 1e3:.0f} ms wall  (target ≤ 250 ms CPU)  "
            f"{ok(c_cpu <= 0.25)}"
        )
        say(
            f"    dv --help:         {h_cpu * 1e3:.0f} ms CPU, {h_wall * 1e3:.0f} ms wall  (target ≤ 100 ms)  "
            f"{ok(h_cpu <= 0.1)}"
        )
    say("")
    say(
        f"targets: check_file {check_mean * 1e3:.2f} ms/file (≤ 4) {ok(check_mean <= 0.004)}; "
        f"marginal / calamine of dv's sheets {need_ratio:.2f}× (≤ 2) {ok(need_ratio <= 2)}; "
        f"openpyxl first cells / marginal {first_ratio:.1f}× (≥ 10) {ok(first_ratio >= 10)}; "
        f"dv check {check_cpu * 1e3:.0f} ms CPU, the worse of with and without .pyc (≤ 250) {ok(check_cpu <= 0.25)}; "
        f"dv --help {help_cpu * 1e3:.0f} ms CPU, the worse of both (≤ 100) {ok(help_cpu <= 0.1)}"
    )
    say(f"load average now: {loads()} (the figures are for a machine this busy)")

    log("awkward files…")
    say("")
    say(f"awkward files ({measure.display(args.awkward)})")
    out.extend(awkward(args.awkward, args.awkward_timeout, [files_a[0], far_cell_file(files_a[0], cache)]))
    print("\n".join(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
