"""Benchmark of ``dv merge`` on a province's worth of returned workbooks (not a test: it prints figures).

    .venv/bin/python benchmarks/bench_merge.py            # N = 1000 (what ``make bench`` runs)
    .venv/bin/python benchmarks/bench_merge.py --n 100    # a quick run

What it does, in one process and one machine state:

1. Generates 2N filled submissions of distinct units (cached in ``benchmarks/.cache/<N>/``):
   set ``a/`` (N units) and set ``b/`` (N more). Each file is the unit's personalised template
   (the parts ``build_template(form, unit=…)`` gives, checked on two units) filled by
   defined name with ``tests.support.testing.fill_template``, with seeded random figures and 3-15
   documents. Rosters ``roster-N.csv`` and ``roster-2N.csv`` go alongside.
2. Times ``toolkit.merge`` (module ``toolkit.merger``, or ``toolkit.merge``) on N files and on 2N files (best of ``--repeat``), and
   ``toolkit.summary.build_summary`` separately; the marginal cost of a file is
   (t(2N) - t(N)) / N.
3. Times the baselines, single process: a naive openpyxl loop (``load_workbook(data_only=True)``,
   every defined name's cells) and python-calamine reading every sheet (the floor).
4. Peak RSS of a merge of N and of 2N, each in a fresh interpreter (self and worker processes).
5. ``check_file`` on one file: mean time, a stage breakdown, and a cProfile table.
6. The awkward files of ``tests/awkward/files/`` (zip bomb, huge dimension…), when present.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import csv
import datetime as dt
import gc
import io
import json
import os
import pickle
import pstats
import random
import re
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
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = HERE / ".cache"
AWKWARD = ROOT / "tests" / "awkward" / "files"
GENERATOR_VERSION = 2  # bump when the generated content changes: the cache is rebuilt
SEED = 20201116

# -- the units -----------------------------------------------------------------------------------

PROVINCES = (
    "An Giang", "Bà Rịa – Vũng Tàu", "Bạc Liêu", "Bắc Giang", "Bắc Kạn", "Bắc Ninh", "Bến Tre", "Bình Dương",
    "Bình Định", "Bình Phước", "Bình Thuận", "Cà Mau", "Cao Bằng", "Cần Thơ", "Đà Nẵng", "Đắk Lắk", "Đắk Nông",
    "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang", "Hà Nam", "Hà Nội", "Hà Tĩnh", "Hải Dương",
    "Hải Phòng", "Hậu Giang", "Hòa Bình", "Hưng Yên", "Khánh Hòa", "Kiên Giang", "Kon Tum", "Lai Châu",
    "Lâm Đồng", "Lạng Sơn", "Lào Cai", "Long An", "Nam Định", "Nghệ An", "Ninh Bình", "Ninh Thuận", "Phú Thọ",
    "Phú Yên", "Quảng Bình", "Quảng Nam", "Quảng Ngãi", "Quảng Ninh", "Quảng Trị", "Sóc Trăng", "Sơn La",
    "Tây Ninh", "Thái Bình", "Thái Nguyên", "Thanh Hóa", "Thừa Thiên Huế", "Tiền Giang", "TP. Hồ Chí Minh",
    "Trà Vinh", "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái",
)  # fmt: skip
DEPARTMENTS = (
    ("VPUBND", "Văn phòng UBND tỉnh"), ("SNV", "Sở Nội vụ"), ("STP", "Sở Tư pháp"),
    ("SKHDT", "Sở Kế hoạch và Đầu tư"), ("STC", "Sở Tài chính"), ("SCT", "Sở Công Thương"),
    ("SNNPTNT", "Sở Nông nghiệp và Phát triển nông thôn"), ("SGTVT", "Sở Giao thông vận tải"),
    ("SXD", "Sở Xây dựng"), ("STNMT", "Sở Tài nguyên và Môi trường"), ("STTTT", "Sở Thông tin và Truyền thông"),
    ("SLDTBXH", "Sở Lao động – Thương binh và Xã hội"), ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch"),
    ("SKHCN", "Sở Khoa học và Công nghệ"), ("SGDDT", "Sở Giáo dục và Đào tạo"), ("SYT", "Sở Y tế"),
    ("TTT", "Thanh tra tỉnh"), ("BDT", "Ban Dân tộc"), ("BQLKKT", "Ban Quản lý Khu kinh tế"),
)  # fmt: skip
DISTRICTS = (
    "Càng Long", "Cầu Kè", "Tiểu Cần", "Châu Thành", "Cầu Ngang", "Trà Cú", "Duyên Hải", "Long Phú",
    "Mỹ Xuyên", "Thạnh Trị", "Kế Sách", "Cù Lao Dung", "Vũng Liêm", "Tam Bình", "Bình Minh", "Mang Thít",
)  # fmt: skip
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Phan", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô")
MIDDLE = ("Văn", "Thị", "Minh", "Thanh", "Ngọc", "Hữu", "Quốc", "Thu", "Hoàng", "Kim")
GIVEN = ("Nây", "Hùng", "Lan", "Tâm", "Phúc", "Hạnh", "Dũng", "Trang", "Sơn", "Hương", "Bình", "Khoa", "Nga")
SIGNER_TITLES = (
    "KT. GIÁM ĐỐC – PHÓ GIÁM ĐỐC", "GIÁM ĐỐC", "CHỦ TỊCH", "KT. CHỦ TỊCH – PHÓ CHỦ TỊCH", "TRƯỞNG BAN",
)  # fmt: skip
# (doc_type, abbreviation in a number or None, subject)
DOC_TYPES = (
    ("Kế hoạch", "KH", "Về thực hiện công tác dân vận chính quyền năm 2020"),
    ("Kế hoạch", "KH", "Về thực hiện Quy chế dân chủ ở cơ sở và Phong trào thi đua “Dân vận khéo” năm 2020"),
    ("Quyết định", "QĐ", "Về kiện toàn Ban Chỉ đạo thực hiện Quy chế dân chủ ở cơ sở"),
    ("Quyết định", "QĐ", "Về ban hành Quy chế hoạt động của Ban Chỉ đạo Quy chế dân chủ ở cơ sở"),
    ("Hướng dẫn", "HD", "Về tiêu chí đánh giá hoạt động Quy chế dân chủ ở cơ sở và phong trào thi đua “Dân vận khéo”"),
    ("Báo cáo", "BC", "Sơ kết 6 tháng đầu năm công tác dân vận chính quyền"),
    ("Nghị quyết", "NQ", "Về lãnh đạo công tác dân vận trong tình hình mới"),
    ("Chỉ thị", "CT", "Về tăng cường công tác dân vận chính quyền, cải cách hành chính"),
    ("Kết luận", "KL", "Kết luận của Ban Thường vụ về công tác dân vận năm 2020"),
    ("Công văn", None, "Về việc triển khai thực hiện công tác dân vận chính quyền"),
)  # fmt: skip


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    kind: str  # "so" | "huyen"


def make_units(count: int) -> list[UnitSpec]:
    """``count`` distinct units: ~70 % departments, ~30 % districts, across the provinces' names."""
    units = []
    for i in range(count):
        province = PROVINCES[(i // 7) % len(PROVINCES)]
        if i % 10 < 3:
            district = DISTRICTS[i % len(DISTRICTS)]
            units.append(UnitSpec(f"H{i + 1:04d}", f"UBND huyện {district} ({province}, {i + 1})", "huyen"))
        else:
            code, name = DEPARTMENTS[i % len(DEPARTMENTS)]
            units.append(UnitSpec(f"{code}{i + 1:04d}", f"{name} tỉnh {province} ({i + 1})", "so"))
    return units


def person(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def make_values(unit: UnitSpec, rng: random.Random) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A unit's figures and documents: consistent (the rules hold), seeded, varied."""
    if unit.kind == "huyen":
        staff = rng.randint(300, 3000)
        staff_cc = round(staff * rng.uniform(0.05, 0.2))
        dvc_total = rng.randint(50, 300)
    else:
        staff = rng.randint(20, 150)
        staff_cc = round(staff * rng.uniform(0.4, 0.9))
        dvc_total = rng.randint(10, 400)
    staff_vc = staff - staff_cc
    cut_cc = rng.randint(0, max(1, staff_cc // 8))
    cut_vc = rng.randint(0, max(1, staff_vc // 8))
    cut_total = cut_cc + cut_vc
    denominator = staff_cc + staff_vc + cut_total
    values: dict[str, Any] = {
        "report_number": f"{rng.randint(1, 600)}/BC-{unit.code}",
        "report_date": dt.date(2020, 11, 1) + dt.timedelta(days=rng.randint(0, 75)),
        "signer": f"{rng.choice(SIGNER_TITLES)} {person(rng)}",
        "contact": f"{person(rng)}, 0294 38{rng.randint(10000, 99999)}",
        "dvc_total": dvc_total,
        "dvc_level4": rng.randint(0, dvc_total),
        "staff_cc": staff_cc,
        "staff_vc": staff_vc,
        "cut_cc": cut_cc,
        "cut_vc": cut_vc,
        "cut_total": cut_total,
        "cut_rate": round(cut_total / denominator, 4) if denominator else 0,
    }
    docs = []
    for _ in range(rng.randint(3, 15)):
        doc_type, abbr, title = rng.choice(DOC_TYPES)
        n = rng.randint(1, 999)
        if rng.random() < 0.5:
            issuer, number = "Đảng ủy", f"{n}-{abbr or 'CV'}/ĐU"
        else:
            issuer = "Chính quyền"
            number = f"{n}/{abbr}-{unit.code}" if abbr else f"{n}/{unit.code}-VP"
        year = 2020 if rng.random() < 0.85 else rng.randint(2016, 2019)
        date = dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
        date = min(date, values["report_date"])  # never after the report (doc_date_after_report)
        docs.append({"issuer": issuer, "doc_type": doc_type, "number": number, "date": date, "title": title})
    return values, docs


# -- generating the files (worker processes) ------------------------------------------------------

CODE_MARK, NAME_MARK = "ZZUNITCODEZZ", "ZZUNITNAMEZZ"
_PLACEHOLDER: bytes = b""


def personalise(placeholder: bytes, unit: UnitSpec) -> bytes:
    """The placeholder unit's template with this unit's code and name: the bytes of
    ``build_template(form, unit=unit)`` part for part, without rebuilding the template."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(placeholder)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith(".xml"):
                data = data.replace(CODE_MARK.encode(), escape(unit.code).encode())
                data = data.replace(NAME_MARK.encode(), escape(unit.name).encode())
            dst.writestr(info, data)
    return out.getvalue()


def _gen_init(placeholder: bytes) -> None:
    global _PLACEHOLDER
    _PLACEHOLDER = placeholder


def _gen_one(task: tuple[UnitSpec, str, int]) -> None:
    from tests.support.testing import fill_template

    unit, out, seed = task
    values, docs = make_values(unit, random.Random(seed))
    fill_template(personalise(_PLACEHOLDER, unit), values, docs, out=out)


def _parts_digest(xlsx: bytes) -> str:
    import hashlib

    digest = hashlib.sha256()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as zf:
        for name in sorted(zf.namelist()):
            digest.update(name.encode() + b"\0" + zf.read(name))
    return digest.hexdigest()[:16]


def file_name(unit: UnitSpec) -> str:
    return f"{unit.code}_phu-luc-2020.xlsx"


def write_roster(path: Path, units: Sequence[UnitSpec]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["code", "name", "kind"])
        for unit in units:
            writer.writerow([unit.code, unit.name, unit.kind])


@dataclass
class Dataset:
    root: Path
    a: Path  # N units
    b: Path  # N more units
    roster_n: Path
    roster_2n: Path

    def files(self, which: str) -> list[Path]:
        return sorted((self.a if which == "a" else self.b).glob("*.xlsx"))


def dataset(n: int, cache: Path, jobs: int, log: Callable[[str], None]) -> Dataset:
    from toolkit.form import load_form
    from toolkit.roster import Unit
    from toolkit.template import build_template

    form = load_form()
    root = cache / str(n)
    placeholder = build_template(form, unit=Unit(CODE_MARK, NAME_MARK, "so"))
    # The template's own bytes are part of the key: a change to the template writer rebuilds.
    manifest = {"n": n, "seed": SEED, "generator": GENERATOR_VERSION, "form": form.id, "version": form.version,
                "fingerprint": form.fingerprint, "template": _parts_digest(placeholder)}  # fmt: skip
    ds = Dataset(root, root / "a", root / "b", root / "roster-N.csv", root / "roster-2N.csv")
    with contextlib.suppress(OSError, ValueError):
        if json.loads((root / "manifest.json").read_text()) == manifest and len(ds.files("a")) == n == len(
            ds.files("b")
        ):
            log(f"using cached files in {root}")
            return ds
    units = make_units(2 * n)
    # The shortcut must give the real personalised template: compare part by part.
    for probe in (units[0], units[3]):
        real = zipfile.ZipFile(io.BytesIO(build_template(form, unit=Unit(probe.code, probe.name, probe.kind))))
        made = zipfile.ZipFile(io.BytesIO(personalise(placeholder, probe)))
        differ = [p for p in real.namelist() if real.read(p) != made.read(p)]
        if differ or real.namelist() != made.namelist():
            raise SystemExit(f"personalised template shortcut differs from build_template in {differ}")
    tmp = Path(tempfile.mkdtemp(prefix=f"gen-{n}-", dir=cache))
    (tmp / "a").mkdir()
    (tmp / "b").mkdir()
    tasks = [(u, str(tmp / ("a" if i < n else "b") / file_name(u)), SEED + i) for i, u in enumerate(units)]
    log(f"generating {2 * n} filled workbooks in {tmp} ({jobs} processes)…")
    start = time.perf_counter()
    try:
        with ProcessPoolExecutor(jobs, initializer=_gen_init, initargs=(placeholder,)) as pool:
            for done, _ in enumerate(pool.map(_gen_one, tasks, chunksize=8), start=1):
                if done % 200 == 0:
                    log(f"  {done}/{len(tasks)}")
        write_roster(tmp / "roster-N.csv", units[:n])
        write_roster(tmp / "roster-2N.csv", units)
        (tmp / "manifest.json").write_text(json.dumps(manifest))
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if root.exists():
        shutil.rmtree(root)
    tmp.rename(root)
    log(f"generated in {time.perf_counter() - start:.1f} s")
    return ds


# -- timing helpers ---------------------------------------------------------------------------


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


def naive_read(path: Path) -> dict[str, Any]:
    """What a user writes: openpyxl, cached values, every defined name's cells."""
    import openpyxl

    wb = openpyxl.load_workbook(path, data_only=True)
    out: dict[str, Any] = {}
    for name, defined in wb.defined_names.items():
        for sheet, ref in defined.destinations:
            cells = wb[sheet][ref.replace("$", "")]
            if isinstance(cells, tuple):
                out[name] = [[c.value for c in row] for row in cells]
            else:
                out[name] = cells.value
    wb.close()
    return out


def naive_first_cells(path: Path) -> dict[str, Any]:
    """The lighter naive loop: openpyxl, cached values, the first cell of every defined name."""
    import openpyxl

    wb = openpyxl.load_workbook(path, data_only=True)
    out: dict[str, Any] = {}
    for name, defined in wb.defined_names.items():
        for sheet, ref in defined.destinations:
            out[name] = wb[sheet][ref.replace("$", "").split(":")[0]].value
            break
    wb.close()
    return out


def calamine_needed(path: Path, wanted: frozenset[str]) -> int:
    """python-calamine's bare read of the sheets dv needs (main, table, metadata)."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    rows = 0
    try:
        for name in wb.sheet_names:
            if name in wanted:
                rows += len(wb.get_sheet_by_name(name).to_python(skip_empty_area=False))
    finally:
        wb.close()
    return rows


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


def calamine_read(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    rows = 0
    try:
        for name in wb.sheet_names:
            rows += len(wb.get_sheet_by_name(name).to_python())
    finally:
        wb.close()
    return rows


# -- peak RSS: one merge in a fresh interpreter -----------------------------------------------


def merge_function() -> Callable[..., Any]:
    """``toolkit.merge.merge`` (the module is being renamed ``toolkit.merger``: either works)."""
    import importlib

    for name in ("toolkit.merger", "toolkit.merge"):
        try:
            return importlib.import_module(name).merge
        except ModuleNotFoundError:
            continue
    raise SystemExit("no toolkit.merger / toolkit.merge module")


def child_merge(args: argparse.Namespace) -> None:
    from toolkit.roster import read_roster
    from toolkit.summary import build_summary

    roster = read_roster(args.roster)
    start = time.perf_counter()
    result = merge_function()(args.dirs, roster=roster)
    t_merge = time.perf_counter() - start
    peak_merge = peak_rss_kb()
    gc.collect()
    now_merge = current_rss_kb()
    start = time.perf_counter()
    data = build_summary(result)
    t_summary = time.perf_counter() - start
    print(json.dumps({
        "files": len(result.files), "accepted": len(result.accepted), "t_merge": t_merge, "t_summary": t_summary,
        "summary_bytes": len(data), "self_after_merge_kb": peak_merge, "now_after_merge_kb": now_merge,
        "report_bytes": statistics.fmean(len(pickle.dumps(f)) for f in result.files) if result.files else 0,
        "self_kb": peak_rss_kb(), "children_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    }))  # fmt: skip


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


def run_child(dirs: Sequence[Path], roster: Path) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child-merge", "--roster", str(roster), *map(str, dirs)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def baseline_rss_kb() -> int:
    """Peak RSS of a fresh interpreter that has imported toolkit (the floor of the figures above)."""
    code = (f"import sys; sys.path.insert(0, {str(HERE)!r}); import toolkit.summary, toolkit.intake.check, "
            "toolkit.intake.readers, toolkit.intake.validate, toolkit.roster, bench_merge; print(bench_merge.peak_rss_kb())")  # fmt: skip
    return int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def short_paths(text: str) -> str:
    for prefix in sorted({str(ROOT), sys.prefix, sys.base_prefix, sys.exec_prefix}, key=len, reverse=True):
        text = text.replace(prefix + "/", "")
    return text.replace("lib/python3." + str(sys.version_info.minor) + "/", "")


def profile_summary(result: Any) -> list[str]:
    """Where build_summary spends its time, per sheet (one run, with cProfile)."""
    from toolkit.summary import build_summary

    prof = cProfile.Profile()
    prof.enable()
    build_summary(result)
    prof.disable()
    stats = pstats.Stats(prof)
    cumulative: dict[str, float] = {}
    for (filename, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if Path(filename).name == "summary.py" or func == "close" and "xlsxwriter" in filename:
            cumulative[func] = max(cumulative.get(func, 0.0), ct)
    lines = []
    total = cumulative.get("build_summary", 0.0)
    for func in ("write_summary", "write_documents", "write_checks", "write_submissions", "write_charts", "close"):
        label = "xlsxwriter Workbook.close (XML + zip)" if func == "close" else func
        ct = cumulative.get(func, 0.0)
        lines.append(f"  {label:<42} {ct:7.2f} s {ct / total if total else 0:6.0%}")
    lines.append(f"  {'build_summary (with profiler overhead)':<42} {total:7.2f} s")
    return lines


# -- check_file on one file: stages and profile -------------------------------------------------


def profile_check_file(path: Path, form: Any, roster: Any, runs: int) -> tuple[list[str], float]:
    from toolkit.intake import check_file, readers
    from toolkit.intake.check import sha256_of
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
    lines.append(f"check_file, one file ({path.stat().st_size / 1024:.0f} kB), {runs} runs in 5 rounds: "
                 f"best round's mean {mean * 1e3:.2f} ms (rounds {', '.join(f'{r * 1e3:.2f}' for r in rounds)}); "
                 f"median {statistics.median(samples) * 1e3:.2f} ms, min {min(samples) * 1e3:.2f} ms")  # fmt: skip

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
    ]  # fmt: skip
    rows = []
    for label, fn in stages:
        for _ in range(3):
            fn()
        start = time.perf_counter()
        for _ in range(runs):
            fn()
        rows.append((label, (time.perf_counter() - start) / runs))
    total = sum(t for _, t in rows)
    lines.append("")
    lines.append(f"  {'stage (called alone, no profiler)':<42} {'ms':>7} {'share':>6}")
    for label, t in rows:
        lines.append(f"  {label:<42} {t * 1e3:7.2f} {t / total:6.0%}")
    lines.append(f"  {'sum of stages':<42} {total * 1e3:7.2f}   (check_file mean {mean * 1e3:.2f})")

    # cProfile: cumulative time under the same stages, and the top functions by own time.
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(runs):
        check_file(path, form, roster)
    prof.disable()
    stats = pstats.Stats(prof)
    cumulative: dict[tuple[str, str], float] = {}
    for (filename, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        key = (Path(filename).name, func)
        cumulative[key] = max(cumulative.get(key, 0.0), ct)
    prof_total = cumulative.get(("check.py", "check_file"), 0.0)
    picks = [
        ("sha256_of", ("check.py", "sha256_of")),
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
    lines.append("")
    lines.append(f"  {'cProfile, cumulative':<42} {'ms':>7} {'share':>6}   ({runs} runs, with profiler overhead)")
    for label, key in picks:
        ct = cumulative.get(key, 0.0) / runs
        lines.append(f"  {label:<42} {ct * 1e3:7.2f} {ct * runs / prof_total if prof_total else 0:6.0%}")
    lines.append(f"  {'check_file':<42} {prof_total / runs * 1e3:7.2f}")
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(14)
    lines.append("")
    lines.append(f"  top functions by own time ({runs} runs):")
    table = out.getvalue().splitlines()
    start_at = next((i for i, line in enumerate(table) if line.strip().startswith("ncalls")), 0)
    lines.extend("  " + short_paths(line) for line in table[start_at:] if line.strip())
    return lines, mean


# -- awkward files ----------------------------------------------------------------------------------


def display(path: Path) -> str:
    with contextlib.suppress(ValueError):
        return str(path.resolve().relative_to(ROOT))
    return str(path)


def _awkward_one(path: str, pool: bool) -> None:
    """Child process: check one file (alone, or through dv's worker pool); print the outcome."""
    from toolkit.form import load_form
    from toolkit.intake import check_file, check_files
    from toolkit.intake.check import MEMORY_LIMIT, _worker_init

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


def run_measured(cmd: Sequence[str], timeout: float) -> tuple[float, int, int, str]:
    """Run ``cmd``: (wall seconds, wait status or -1 on timeout, peak RSS in kB of it and its
    workers, its stdout)."""
    launcher = [sys.executable, "-I", "-S", "-c", _LAUNCHER, *cmd]
    proc = subprocess.Popen(launcher, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
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


def far_cell_file(reference: Path, cache: Path) -> Path:
    """A generated file whose ``_dv`` sheet has one cell at XFD1048576 and no <dimension>: what
    check_zip cannot see, so python-calamine allocates the grid (the crash-isolation path)."""
    out = cache / "extras" / "far-cell-no-dimension.xlsx"
    if out.exists() and out.stat().st_mtime >= reference.stat().st_mtime:
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(reference) as src:
        wb = src.read("xl/workbook.xml").decode()
        rels = src.read("xl/_rels/workbook.xml.rels").decode()
        rid = re.search(r'<sheet [^>]*name="_dv"[^>]*r:id="([^"]+)"', wb)
        target = re.search(rf'Id="{rid.group(1) if rid else "?"}"[^>]*Target="([^"]+)"', rels) or re.search(
            rf'Target="([^"]+)"[^>]*Id="{rid.group(1) if rid else "?"}"', rels
        )
        part = "xl/" + target.group(1).lstrip("/").removeprefix("xl/") if target else "xl/worksheets/sheet5.xml"
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                data = src.read(info)
                if info.filename == part:
                    data = re.sub(rb"<dimension [^>]*/>", b"", data).replace(
                        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
                    )
                dst.writestr(info, data)
    return out


def awkward(folder: Path, timeout: float, extras: Sequence[Path]) -> list[str]:
    files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
    skipped = [] if files else [f"  ({display(folder)} missing or empty: only the generated files)"]
    files = [*extras, *files]
    lines = [
        "  each file checked in a fresh interpreter. s: the time of the check inside it (the first call, lazy",
        "  imports included: ~12 ms), or the wall time of the whole process, marked *, when it died. MB: peak",
        "  RSS of the process and its workers, imports included (the first row, an ordinary submission, is the",
        "  floor). check_file: in-process under dv's 2 GB address-space cap; check_files: dv's worker pool (a",
        "  worker that dies is retried alone, then the file is reported as unreadable).",
        f"  {'file':<44} {'kB':>7} {'check_file s':>12} {'MB':>5}  {'check_files s':>13} {'MB':>5}  outcome",
    ]
    script = str(Path(__file__).resolve())
    for path in files:
        cells, outcomes = [], []
        for flag in ("--child-awkward", "--child-awkward-pool"):
            elapsed, status, rss_kb, stdout = run_measured([sys.executable, script, flag, str(path)], timeout)
            got: dict[str, Any] = {}
            with contextlib.suppress(IndexError, ValueError):
                got = json.loads(stdout.strip().splitlines()[-1])
            if status == -1:
                cells.append(f"{'>' + str(int(timeout)):>13} {'?':>5}")
                outcomes.append("timed out")
                continue
            if "t" in got:
                cells.append(f"{got['t']:13.3f} {rss_kb / 1024:5.0f}")
                outcomes.append(f"{got['status']} ({got['codes']})")
            else:
                cells.append(f"{elapsed:12.2f}* {rss_kb / 1024:5.0f}")
                died = f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"exit {status >> 8}"
                outcomes.append(f"process died ({died})")
        name = str(path.relative_to(folder)) if path.is_relative_to(folder) else f"(generated) {path.name}"
        lines.append(
            f"  {name[:44]:<44} {path.stat().st_size / 1024:7.1f}{cells[0]}  {cells[1]}  {' | '.join(outcomes)}"
        )
    return lines + skipped


# -- main -----------------------------------------------------------------------------------------


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
    from toolkit.summary import build_summary

    def log(text: str) -> None:
        print(f"[bench] {text}", file=sys.stderr, flush=True)

    merge = merge_function()
    n, jobs = args.n, os.cpu_count() or 1
    args.cache.mkdir(parents=True, exist_ok=True)
    ds = dataset(n, args.cache, jobs, log)
    form = load_form()
    roster_n, roster_2n = read_roster(ds.roster_n), read_roster(ds.roster_2n)
    files_a = ds.files("a")
    size_kb = statistics.fmean(p.stat().st_size for p in files_a) / 1024
    out: list[str] = []
    say = out.append

    say(f"dv merge benchmark: N = {n} ({2 * n} generated files, mean {size_kb:.0f} kB), {jobs} CPU, "
        f"Python {sys.version.split()[0]}, {dt.datetime.now():%Y-%m-%d %H:%M}")  # fmt: skip
    say(f"files: {ds.root}; load average before timing: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    # (a) dv merge on N and 2N, interleaved, best of --repeat; the summary timed apart.
    log("timing merge(N) and merge(2N)…")
    merge_times: dict[str, list[float]] = {"N": [], "2N": []}
    summary_times: dict[str, list[float]] = {"N": [], "2N": []}
    summary_size: dict[str, int] = {}
    all_accepted, warnings, docs, summary_profile = True, Counter(), 0, []
    for repeat in range(args.repeat):
        for label, dirs, roster in (("N", [ds.a], roster_n), ("2N", [ds.a, ds.b], roster_2n)):
            # Nothing from earlier runs is kept: dv's workers are forked from this process.
            gc.collect()
            start = time.perf_counter()
            result = merge(dirs, form, roster)
            merge_times[label].append(time.perf_counter() - start)
            start = time.perf_counter()
            data = build_summary(result)
            with tempfile.NamedTemporaryFile(suffix=".xlsx") as fh:
                fh.write(data)
                fh.flush()
            summary_times[label].append(time.perf_counter() - start)
            summary_size[label] = len(data)
            if repeat == 0:
                count = n if label == "N" else 2 * n
                statuses = Counter(f.status for f in result.files)
                if statuses.get("accepted", 0) != count:
                    all_accepted = False
                    say(f"WARNING: merge({label}) accepted {statuses.get('accepted', 0)} of {count}: {dict(statuses)}")
                if label == "N":
                    warnings = Counter(i.code for f in result.files for i in f.warnings)
                    docs = sum(len(f.docs) for f in result.files)
            if repeat == args.repeat - 1 and label == "2N":
                log("profiling build_summary(2N)…")
                summary_profile = profile_summary(result)
            del result, data
    t_n, t_2n = min(merge_times["N"]), min(merge_times["2N"])
    s_n, s_2n = min(summary_times["N"]), min(summary_times["2N"])
    marginal = (t_2n - t_n) / n

    # (b) naive openpyxl loop and (c) python-calamine alone, single process.
    log("timing the naive openpyxl loop…")
    t_naive, naive_times, _ = best_of(lambda: [naive_read(p) for p in files_a], args.repeat)
    log("timing openpyxl, first cell of each defined name…")
    t_first, first_times, _ = best_of(lambda: [naive_first_cells(p) for p in files_a], args.repeat)
    log("timing python-calamine alone…")
    t_cal, cal_times, _ = best_of(lambda: [calamine_read(p) for p in files_a], max(3, args.repeat))
    wanted = frozenset({form.layout.sheet, form.layout.meta_sheet, *(t.sheet for t in form.tables.values())})
    t_need, need_times, _ = best_of(lambda: [calamine_needed(p, wanted) for p in files_a], max(3, args.repeat))
    load_after = os.getloadavg()

    say("")
    say(
        f"N set: {n} files, {docs} documents; {'every file accepted' if all_accepted else 'NOT all accepted'}; warnings: "
        + (", ".join(f"{k} ×{v}" for k, v in warnings.most_common()) or "none")
    )
    say("")
    say(f"{'run':<44} {'best s':>8} {'files/s':>8} {'ms/file':>8}   runs (s)")

    def row(label: str, seconds: float, count: int, times: list[float]) -> None:
        say(f"{label:<44} {seconds:8.2f} {count / seconds:8.1f} {seconds / count * 1e3:8.2f}   {fmt_times(times)}")

    row(f"dv merge, N = {n} (read + validate, {jobs} workers)", t_n, n, merge_times["N"])
    row(f"dv merge, 2N = {2 * n}", t_2n, 2 * n, merge_times["2N"])
    say(f"{'  build_summary + write, N':<44} {s_n:8.2f} {'':>8} {s_n / n * 1e3:8.2f}   "
        f"{fmt_times(summary_times['N'])}  ({summary_size['N'] / 1024:.0f} kB)")  # fmt: skip
    say(f"{'  build_summary + write, 2N':<44} {s_2n:8.2f} {'':>8} {s_2n / (2 * n) * 1e3:8.2f}   "
        f"{fmt_times(summary_times['2N'])}  ({summary_size['2N'] / 1024:.0f} kB)")  # fmt: skip
    row(
        f"dv merge + summary, N = {n}",
        t_n + s_n,
        n,
        [a + b for a, b in zip(merge_times["N"], summary_times["N"], strict=True)],
    )
    row("naive openpyxl loop, N (1 process)", t_naive, n, naive_times)
    row("openpyxl data_only, names' first cells (1 p.)", t_first, n, first_times)
    row("python-calamine, every sheet, N (1 process)", t_cal, n, cal_times)
    row("python-calamine, sheets dv needs (1 process)", t_need, n, need_times)
    say(f"(load average after the timings: {' '.join(f'{x:.2f}' for x in load_after)}; other work on the machine "
        "inflates single runs, hence best of several)")  # fmt: skip
    say("")
    cal_per_file = t_cal / n
    say(f"marginal cost of dv merge: (t(2N) - t(N)) / N = {marginal * 1e3:.2f} ms/file wall "
        f"({marginal * jobs * 1e3:.2f} ms/file of CPU over {jobs} workers)")  # fmt: skip
    say(f"summary marginal: (s(2N) - s(N)) / N = {(s_2n - s_n) / n * 1e3:.2f} ms/file")
    speedup = (n / t_n) / (n / t_naive)
    say(f"dv merge speed / naive openpyxl loop  = {speedup:5.1f}×  (target ≥ 5×)  "
        f"{'OK' if speedup >= 5 else 'MISSED'}; with the summary: {t_naive / (t_n + s_n):.1f}×")  # fmt: skip
    ratio = marginal / cal_per_file
    say(f"marginal cost / calamine, every sheet = {ratio:5.2f}×  [{marginal * 1e3:.2f} / {cal_per_file * 1e3:.2f} ms]; "
        f"per CPU: {ratio * jobs:.2f}×")  # fmt: skip
    need_ratio = marginal / (t_need / n)
    say(f"marginal cost / calamine, dv's sheets = {need_ratio:5.2f}×  (target ≤ 2×, {jobs} workers)  "
        f"{'OK' if need_ratio <= 2 else 'MISSED'}  [{marginal * 1e3:.2f} / {t_need / n * 1e3:.2f} ms]; "
        f"per CPU: {need_ratio * jobs:.2f}×")  # fmt: skip
    first_ratio = (t_first / n) / marginal
    say(f"openpyxl first cells / marginal cost  = {first_ratio:5.1f}×  (target ≥ 10×)  "
        f"{'OK' if first_ratio >= 10 else 'MISSED'}  [{t_first / n * 1e3:.2f} / {marginal * 1e3:.2f} ms]")  # fmt: skip

    say("")
    say("build_summary on the 2N result, by sheet (cProfile, cumulative)")
    out.extend(summary_profile)
    lookups = []
    for label, ros in (("N", roster_n), ("2N", roster_2n)):
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
        say(f"  {'run':<4} {'files':>6} {'merge s':>8} {'summary s':>9} {'main: peak after merge':>23} "
            f"{'(RSS now)':>9} {'peak incl. summary':>19} {'largest worker':>15}")  # fmt: skip
        for label, r in rss.items():
            say(f"  {label:<4} {r['files']:>6} {r['t_merge']:8.2f} {r['t_summary']:9.2f} "
                f"{r['self_after_merge_kb'] / 1024:23.0f} {r['now_after_merge_kb'] / 1024:9.0f} "
                f"{r['self_kb'] / 1024:19.0f} {r['children_kb'] / 1024:15.0f}")  # fmt: skip
        grow = (rss["2N"]["now_after_merge_kb"] - rss["N"]["now_after_merge_kb"]) / n
        say(
            f"  main process, RSS held after merge: {grow:+.1f} kB per extra file: the reports the summary is made "
            f"from (values, documents, issues with their texts; {rss['2N']['report_bytes'] / 1024:.1f} kB a report "
            "pickled, a few times that as Python objects)"
        )
        say(f"  the summary "
            f"raises the peak by {(rss['2N']['self_kb'] - rss['2N']['self_after_merge_kb']) / 1024:.0f} MB at 2N")  # fmt: skip

    log("profiling check_file…")
    roster = roster_n
    say("")
    say("check_file on one file (in this process, with the N roster)")
    check_lines, check_mean = profile_check_file(files_a[0], form, roster, args.profile_runs)
    out.extend(check_lines)

    log("whole processes: dv check ONE.xlsx, dv --help…")
    fresh, modules = bytecode_state(ROOT / "toolkit")
    installed = ("with .pyc" if fresh == modules else
                 f"without .pyc for {modules - fresh} of its {modules} modules")  # fmt: skip
    procs = whole_processes(files_a[0].resolve())
    check_cpu = max(procs["check, without .pyc"][0], procs["check, with .pyc"][0])
    help_cpu = max(procs["help, without .pyc"][0], procs["help, with .pyc"][0])
    say("")
    say("whole processes (best of 5; CPU = user + system of the process and its children; python -m toolkit.cli)")
    say(
        f"  as installed here, toolkit {installed} (PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')}):"
    )
    for case in ("as installed", "without .pyc", "with .pyc"):
        if case != "as installed":
            say(f"  a copy of toolkit {case}:")
        c_cpu, c_wall = procs[f"check, {case}"]
        h_cpu, h_wall = procs[f"help, {case}"]
        say(f"    dv check ONE.xlsx: {c_cpu * 1e3:.0f} ms CPU, {c_wall * 1e3:.0f} ms wall  (target ≤ 250 ms CPU)  "
            f"{'OK' if c_cpu <= 0.25 else 'MISSED'}")  # fmt: skip
        say(f"    dv --help:         {h_cpu * 1e3:.0f} ms CPU, {h_wall * 1e3:.0f} ms wall  (target ≤ 100 ms)  "
            f"{'OK' if h_cpu <= 0.1 else 'MISSED'}")  # fmt: skip
    say("")
    say(f"targets: check_file {check_mean * 1e3:.2f} ms/file (≤ 4) {'OK' if check_mean <= 0.004 else 'MISSED'}; "
        f"marginal / calamine of dv's sheets {need_ratio:.2f}× (≤ 2) {'OK' if need_ratio <= 2 else 'MISSED'}; "
        f"openpyxl first cells / marginal {first_ratio:.1f}× (≥ 10) {'OK' if first_ratio >= 10 else 'MISSED'}; "
        f"dv check {check_cpu * 1e3:.0f} ms CPU, the worse of with and without .pyc (≤ 250) "
        f"{'OK' if check_cpu <= 0.25 else 'MISSED'}; "
        f"dv --help {help_cpu * 1e3:.0f} ms CPU, the worse of both (≤ 100) {'OK' if help_cpu <= 0.1 else 'MISSED'}")  # fmt: skip
    say(f"load average now: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (the figures are for a machine this busy)")

    log("awkward files…")
    say("")
    say(f"awkward files ({display(args.awkward)})")
    extras = [files_a[0], far_cell_file(files_a[0], args.cache)]
    out.extend(awkward(args.awkward, args.awkward_timeout, extras))
    print("\n".join(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
