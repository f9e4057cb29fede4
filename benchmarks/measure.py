"""How the benchmarks measure: best-of timings, the baselines dv is compared with, whole
processes' CPU, peak memory, and profiles of ``check_file`` and ``build_summary``.

Imports only the standard library at the top: a child process that imports this module to
report its memory must not count dv's imports twice.
"""

from __future__ import annotations

import contextlib
import cProfile
import gc
import io
import json
import os
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# -- timings ----------------------------------------------------------------------------------


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, list[float], Any]:
    times, result = [], None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), times, result


def fmt_times(times: list[float]) -> str:
    return ", ".join(f"{t:.2f}" for t in times)


def ok(passed: bool) -> str:
    return "OK" if passed else "MISSED"


def merge_function() -> Callable[..., Any]:
    """``toolkit.merge.merge`` (the module is being renamed ``toolkit.merger``: either works)."""
    import importlib

    for name in ("toolkit.merger", "toolkit.merge"):
        try:
            return importlib.import_module(name).merge
        except ModuleNotFoundError:
            continue
    raise SystemExit("no toolkit.merger / toolkit.merge module")


# -- the baselines: what a user writes, and the floor ---------------------------------------------


def openpyxl_names(path: Path, first_cell_only: bool = False) -> dict[str, Any]:
    """What a user writes: openpyxl, cached values, every defined name's cells (or only the
    first cell of each, the lighter loop)."""
    import openpyxl

    wb = openpyxl.load_workbook(path, data_only=True)
    out: dict[str, Any] = {}
    for name, defined in wb.defined_names.items():
        for sheet, ref in defined.destinations:
            if first_cell_only:
                out[name] = wb[sheet][ref.replace("$", "").split(":")[0]].value
                break
            cells = wb[sheet][ref.replace("$", "")]
            out[name] = [[c.value for c in row] for row in cells] if isinstance(cells, tuple) else cells.value
    wb.close()
    return out


def calamine_rows(path: Path, wanted: frozenset[str] | None = None) -> int:
    """python-calamine's bare read of every sheet, or of the ``wanted`` ones (those dv needs:
    main, table, metadata) with their empty area, as dv reads them."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    rows = 0
    try:
        for name in wb.sheet_names:
            if wanted is None:
                rows += len(wb.get_sheet_by_name(name).to_python())
            elif name in wanted:
                rows += len(wb.get_sheet_by_name(name).to_python(skip_empty_area=False))
    finally:
        wb.close()
    return rows


# -- whole processes ----------------------------------------------------------------------------


def process_cpu(
    cmd: Sequence[str], repeat: int = 5, *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> tuple[float, float]:
    """(best CPU seconds, best wall seconds) of a whole process, user + system."""
    cpus, walls = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=False, cwd=cwd, env=env)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return min(cpus), min(walls)


def bytecode_state(package: Path) -> tuple[int, int]:
    """(modules with bytecode Python will use, modules) of a package: a .pyc in __pycache__
    whose header matches its source's modification time and size (what the import system
    checks). Without it each run compiles the module afresh, as an editable install does
    when PYTHONDONTWRITEBYTECODE=1 forbids writing the .pyc."""
    import importlib.util

    sources = sorted(package.rglob("*.py"))
    fresh = 0
    for source in sources:
        with contextlib.suppress(OSError, ValueError):
            head = Path(importlib.util.cache_from_source(str(source))).read_bytes()[:16]
            st = source.stat()
            if (
                head[:4] == importlib.util.MAGIC_NUMBER
                and int.from_bytes(head[4:8], "little") == 0  # timestamp-based (PEP 552)
                and int.from_bytes(head[8:12], "little") == int(st.st_mtime) & 0xFFFFFFFF
                and int.from_bytes(head[12:16], "little") == st.st_size & 0xFFFFFFFF
            ):
                fresh += 1
    return fresh, len(sources)


def whole_processes(path: Path) -> dict[str, tuple[float, float]]:
    """``dv check ONE.xlsx`` and ``dv --help`` as whole processes (best of 5): dv as installed
    here, and a copy of the toolkit package without and with its bytecode (run from the
    copy's folder, which comes first on sys.path), so that both cases are measured whatever
    state this tree's __pycache__ is in."""
    import compileall

    dv = [sys.executable, "-m", "toolkit.cli"]
    out = {
        "check, as installed": process_cpu([*dv, "check", str(path)], cwd=ROOT),
        "help, as installed": process_cpu([*dv, "--help"], cwd=ROOT),
    }
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    with tempfile.TemporaryDirectory(prefix="dv-pyc-") as tmp:
        copy = Path(tmp) / "toolkit"
        shutil.copytree(ROOT / "toolkit", copy, ignore=shutil.ignore_patterns("__pycache__"))
        out["check, without .pyc"] = process_cpu([*dv, "check", str(path)], cwd=Path(tmp), env=env)
        out["help, without .pyc"] = process_cpu([*dv, "--help"], cwd=Path(tmp), env=env)
        compileall.compile_dir(copy, quiet=1)
        out["check, with .pyc"] = process_cpu([*dv, "check", str(path)], cwd=Path(tmp), env=env)
        out["help, with .pyc"] = process_cpu([*dv, "--help"], cwd=Path(tmp), env=env)
    return out


# Runs a command as its own child and reports how it ended: a process that dies cannot report its
# own peak RSS, and wait4() in the (large) benchmark process would count the pre-exec copy of it.
_LAUNCHER = """
import json, os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
sys.stdout.flush()
print("\\n@launcher " + json.dumps({"wall": time.perf_counter() - start, "status": status,
                                     "maxrss": usage.ru_maxrss}), flush=True)
"""


def run_measured(cmd: Sequence[str], timeout: float, cwd: Path = ROOT) -> tuple[float, int, int, str]:
    """Run ``cmd`` in ``cwd``: (wall seconds, wait status or -1 on timeout, peak RSS in kB of it
    and its workers, its stdout)."""
    launcher = [sys.executable, "-I", "-S", "-c", _LAUNCHER, *cmd]
    proc = subprocess.Popen(
        launcher, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True, cwd=cwd
    )
    try:
        stdout, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.communicate()
        return timeout, -1, 0, ""
    text = stdout.decode("utf-8", "replace")
    head, _, tail = text.rpartition("@launcher ")
    ended = json.loads(tail)
    return ended["wall"], ended["status"], ended["maxrss"], head


# -- memory ---------------------------------------------------------------------------------------


def _proc_status_kb(key: str) -> int | None:
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return None


def peak_rss_kb() -> int:
    """This process's peak RSS. On Linux ``getrusage(RUSAGE_SELF).ru_maxrss`` of an exec'd child
    starts at the RSS its parent had when it forked (the pre-exec image is counted), so the
    high-water mark of the current image (VmHWM) is used where /proc has it."""
    hwm = _proc_status_kb("VmHWM")
    return hwm if hwm is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def current_rss_kb() -> int:
    """Resident set size now (not the peak); 0 where /proc is missing."""
    return _proc_status_kb("VmRSS") or 0


# -- profiles -------------------------------------------------------------------------------------


def short_paths(text: str) -> str:
    for prefix in sorted({str(ROOT), sys.prefix, sys.base_prefix, sys.exec_prefix}, key=len, reverse=True):
        text = text.replace(prefix + "/", "")
    return text.replace("lib/python3." + str(sys.version_info.minor) + "/", "")


def display(path: Path) -> str:
    with contextlib.suppress(ValueError):
        return str(path.resolve().relative_to(ROOT))
    return str(path)


def _cumulative(prof: cProfile.Profile, keep: Callable[[str, str], bool]) -> dict[tuple[str, str], float]:
    """(file name, function) → its largest cumulative time in the profile, for those kept."""
    out: dict[tuple[str, str], float] = {}
    for (filename, _line, func), (_cc, _nc, _tt, ct, _callers) in pstats.Stats(prof).stats.items():  # type: ignore[attr-defined]
        if keep(filename, func):
            key = (Path(filename).name, func)
            out[key] = max(out.get(key, 0.0), ct)
    return out


def profile_summary(result: Any) -> list[str]:
    """Where build_summary spends its time, per sheet (one run, with cProfile)."""
    from toolkit.summary import build_summary

    prof = cProfile.Profile()
    prof.enable()
    build_summary(result)
    prof.disable()

    def dvs_or_close(file: str, func: str) -> bool:  # dv's summary.py, and xlsxwriter's close (XML, zip)
        return Path(file).name == "summary.py" or func == "close" and "xlsxwriter" in file

    kept = _cumulative(prof, dvs_or_close)
    cumulative: dict[str, float] = {}
    for (_file, func), ct in kept.items():
        cumulative[func] = max(cumulative.get(func, 0.0), ct)
    total = cumulative.get("build_summary", 0.0)
    lines = []
    for func in ("write_summary", "write_documents", "write_checks", "write_submissions", "write_charts", "close"):
        label = "xlsxwriter Workbook.close (XML + zip)" if func == "close" else func
        ct = cumulative.get(func, 0.0)
        lines.append(f"  {label:<42} {ct:7.2f} s {ct / total if total else 0:6.0%}")
    lines.append(f"  {'build_summary (with profiler overhead)':<42} {total:7.2f} s")
    return lines


def profile_check_file(path: Path, form: Any, roster: Any, runs: int) -> tuple[list[str], float]:
    """``check_file`` on one file: its mean time, the stages called one by one, and cProfile's
    view (cumulative under the stages, top functions by own time). Returns (lines, mean)."""
    from toolkit.fsutil import sha256_of
    from toolkit.intake import check_file, readers
    from toolkit.intake.safety import check_zip
    from toolkit.intake.sniff import sniff
    from toolkit.intake.validate import extract

    lines = []
    for _ in range(5):
        check_file(path, form, roster)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        check_file(path, form, roster)
        samples.append(time.perf_counter() - start)
    # The target's figure: the best of 5 rounds' means (a shared machine inflates some rounds).
    size = max(1, runs // 5)
    rounds = [statistics.fmean(samples[i : i + size]) for i in range(0, size * 5, size) if samples[i : i + size]]
    mean = min(rounds)
    lines.append(
        f"check_file, one file ({path.stat().st_size / 1024:.0f} kB), {runs} runs in 5 rounds: "
        f"best round's mean {mean * 1e3:.2f} ms (rounds {', '.join(f'{r * 1e3:.2f}' for r in rounds)}); "
        f"median {statistics.median(samples) * 1e3:.2f} ms, min {min(samples) * 1e3:.2f} ms"
    )

    # The same stages called one by one, without a profiler (its overhead inflates Python code).
    wanted = {form.layout.sheet, form.layout.meta_sheet, *(t.sheet for t in form.tables.values())}

    def calamine_part() -> readers.RawBook:
        book = readers.RawBook(fmt="xlsx")
        wb = readers.CalamineWorkbook.from_path(str(path))
        try:
            for meta in wb.sheets_metadata:
                book.visibility[meta.name] = readers._visibility(meta.visible)
                if meta.name in wanted:
                    book.sheets[meta.name] = wb.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
        finally:
            wb.close()
        return book

    def cell_facts() -> None:
        with readers.open_zip(path) as archive:
            readers._read_cell_facts(archive, form, readers.RawBook("xlsx"))

    book = readers.read_raw(path, "xlsx", form)
    stages: list[tuple[str, Callable[[], Any]]] = [
        ("sha256_of", lambda: sha256_of(path)),
        ("sniff (zip directory #1)", lambda: sniff(path)),
        ("check_zip (zip directory #2, prologs)", lambda: check_zip(path)),
        ("read_raw: calamine, 3 sheets (zip #3)", calamine_part),
        ("read_raw: cell facts, expat scan (zip #4)", lambda: cell_facts()),
        ("extract (validation)", lambda: extract(book, form, path.name, roster)),
    ]
    rows = []
    for label, fn in stages:
        for _ in range(3):
            fn()
        start = time.perf_counter()
        for _ in range(runs):
            fn()
        rows.append((label, (time.perf_counter() - start) / runs))
    total = sum(t for _, t in rows)
    lines += ["", f"  {'stage (called alone, no profiler)':<42} {'ms':>7} {'share':>6}"]
    lines += [f"  {label:<42} {t * 1e3:7.2f} {t / total:6.0%}" for label, t in rows]
    lines.append(f"  {'sum of stages':<42} {total * 1e3:7.2f}   (check_file mean {mean * 1e3:.2f})")

    # cProfile: cumulative time under the same stages, and the top functions by own time.
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(runs):
        check_file(path, form, roster)
    prof.disable()
    cumulative = _cumulative(prof, lambda file, func: True)
    prof_total = cumulative.get(("check.py", "check_file"), 0.0)
    picks = [
        ("sha256_of", ("fsutil.py", "sha256_of")),
        ("sniff", ("sniff.py", "sniff")),
        ("check_zip", ("safety.py", "check_zip")),
        ("  of which _check_prolog (XML prologs)", ("safety.py", "_check_prolog")),
        ("read_raw", ("readers.py", "read_raw")),
        ("  of which _read_cell_facts (expat scan)", ("readers.py", "_read_cell_facts")),
        ("    _scan (workbook, rels, main sheet)", ("readers.py", "_scan")),
        ("extract", ("validate.py", "extract")),
        ("  of which _identify", ("validate.py", "_identify")),
        ("  of which _read_fields", ("validate.py", "_read_fields")),
        ("  of which _read_table", ("validate.py", "_read_table")),
        ("    RawBook.value (all calls)", ("readers.py", "value")),
        ("  of which _unit (roster lookup)", ("validate.py", "_unit")),
    ]
    lines += ["", f"  {'cProfile, cumulative':<42} {'ms':>7} {'share':>6}   ({runs} runs, with profiler overhead)"]
    for label, key in picks:
        ct = cumulative.get(key, 0.0) / runs
        lines.append(f"  {label:<42} {ct * 1e3:7.2f} {ct * runs / prof_total if prof_total else 0:6.0%}")
    lines.append(f"  {'check_file':<42} {prof_total / runs * 1e3:7.2f}")
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(14)
    lines += ["", f"  top functions by own time ({runs} runs):"]
    table = out.getvalue().splitlines()
    start_at = next((i for i, line in enumerate(table) if line.strip().startswith("ncalls")), 0)
    lines.extend("  " + short_paths(line) for line in table[start_at:] if line.strip())
    return lines, mean
