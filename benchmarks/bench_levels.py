"""Benchmark of the levels (docs/spec.md §9): the ministry's round over every province's units and
their districts' communes — each district rolls up its communes, each province its units (the
districts' reports among them), the ministry merges the provinces (not a test: it prints figures).

    .venv/bin/python -m benchmarks.bench_levels                    # 63 provinces (~21,000 leaf files) and 6 (~2,000)
    .venv/bin/python -m benchmarks.bench_levels --provinces 6 --small 2   # a quick run

Run from the repository root. In one process and one machine state:

1. The leaf files (what clerks typed) are generated once and cached in ``benchmarks/.cache/levels/``
   with the shared generator (``tests.support.submissions.write_many``): per province ``--units``
   units (three in ten districts), each district with ``--communes`` communes; the templates the
   levels above send (each district's from its province, each province's from the ministry) too.
2. For the small scale (the first ``--small`` provinces) and the full one, in turn, timed: every
   district's roll-up (``merge`` of its communes + ``roll_up`` into its province's template), every
   province's roll-up (``merge`` of its units and districts' reports + ``roll_up`` into the
   ministry's template), the ministry's merge of the provinces' reports, and its summary workbook
   (with "Chi tiết": a row per file under every province). The baseline, in the same process:
   the plain merge of the same leaf files in one call (one level, no roll-up).
3. Checks the national totals against the leaves' (read by the baseline merge): equal.

Prints each phase's time, the time per leaf file, the ratio full / small per leaf (1.0 is linear)
and the ratio of the three levels to the baseline, with the load average.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".cache" / "levels"
SEED = 19_450_902
DOCUMENTS = {"party": (1, 4), "state": (1, 3)}  # 2-7 documents a commune or unit


@dataclass
class Province:
    unit: object  # toolkit.roster.Unit
    folder: Path  # its own units' files (not districts)
    roster: Path
    template: Path  # the ministry's template for it
    districts: list[tuple[object, Path, Path, Path]] = field(default_factory=list)  # (unit, communes, roster, template)

    def leaves(self) -> list[Path]:
        out = sorted(self.folder.glob("*.xlsx"))
        for _, communes, _, _ in self.districts:
            out += sorted(communes.glob("*.xlsx"))
        return out


def log(text: str) -> None:
    print(text, flush=True)


def dataset(provinces: int, units: int, communes: int, jobs: int) -> list[Province]:
    """The leaf files, rosters and templates, generated once (the manifest keys the cache)."""
    from tests.support import submissions
    from toolkit.form import load_form
    from toolkit.roster import Unit

    form, ministry = submissions.shipped_form(), load_form("dan-van-chinh-quyen-bo")
    generator = hashlib.sha256(Path(submissions.__file__).read_bytes()).hexdigest()[:16]
    manifest = {
        "provinces": provinces,
        "units": units,
        "communes": communes,
        "seed": SEED,
        "documents": DOCUMENTS,
        "generator": generator,
        "form": form.fingerprint,
        "ministry": ministry.fingerprint,
    }
    root = CACHE / f"{provinces}x{units}x{communes}"
    everyone = submissions.units(provinces * units)
    out: list[Province] = []
    tasks = []
    for p in range(provinces):
        code = f"T{p + 1:02d}"
        province = Unit(code, f"Tỉnh {submissions.PROVINCES[p % len(submissions.PROVINCES)]} ({p + 1})", "tinh")
        mine = everyone[p * units : (p + 1) * units]
        base = root / code
        entry = Province(province, base / "nop-ve", base / "don-vi.csv", base / "mau-bo.xlsx")
        for u in mine:
            if u.kind == "huyen":
                below = base / f"huyen-{u.code}"
                entry.districts.append((u, below / "nop-ve", below / "don-vi.csv", below / "mau-tinh.xlsx"))
                for c in submissions.communes(u, communes):
                    tasks.append((c, below / "nop-ve" / f"{c.code}.xlsx", SEED + len(tasks)))
            else:
                tasks.append((u, base / "nop-ve" / f"{u.code}.xlsx", SEED + len(tasks)))
        out.append(entry)
    with contextlib.suppress(OSError, ValueError):
        if json.loads((root / "manifest.json").read_text()) == manifest:
            log(f"using cached files in {root} ({len(tasks)} leaf files)")
            return out
    shutil.rmtree(root, ignore_errors=True)
    log(f"generating {len(tasks)} leaf files in {root} ({jobs} processes)…")
    for _, path, _ in tasks:
        path.parent.mkdir(parents=True, exist_ok=True)
    submissions.write_many(tasks, processes=jobs, log=log, **DOCUMENTS)
    placeholder = submissions.placeholder_template(form)
    for p, entry in enumerate(out):
        submissions.write_roster(entry.roster, everyone[p * units : (p + 1) * units])
        entry.template.write_bytes(_build(ministry, entry.unit))
        for unit, _folder, roster, template in entry.districts:
            submissions.write_roster(roster, submissions.communes(unit, communes))
            template.write_bytes(submissions.personalise(placeholder, unit))
    (root / "manifest.json").write_text(json.dumps(manifest))
    return out


def _build(form: object, unit: object) -> bytes:
    from toolkit.template import build_template

    return build_template(form, unit=unit)  # type: ignore[arg-type]


def typed(date: dt.date) -> dict[str, str]:
    return {"report_number": "125/BC-UBND", "report_date": date.strftime("%d/%m/%Y"), "signer": "CHỦ TỊCH"}


@dataclass
class Run:
    districts: float = 0.0
    provinces: float = 0.0
    national: float = 0.0
    summary: float = 0.0
    baseline: float = 0.0
    leaves: int = 0
    rollups: int = 0
    totals: dict = field(default_factory=dict)
    baseline_totals: dict = field(default_factory=dict)

    @property
    def levels(self) -> float:
        return self.districts + self.provinces + self.national


def run(provinces: list[Province], work: Path) -> Run:
    from tests.support import submissions
    from toolkit.form import load_form
    from toolkit.merger import merge
    from toolkit.rollup import roll_up
    from toolkit.roster import read_roster
    from toolkit.summary import build_summary

    form, ministry = submissions.shipped_form(), load_form("dan-van-chinh-quyen-bo")
    out = Run(leaves=sum(len(p.leaves()) for p in provinces))
    shutil.rmtree(work, ignore_errors=True)
    start = time.perf_counter()
    for p in provinces:
        reports = work / p.unit.code / "huyen"  # type: ignore[attr-defined]
        reports.mkdir(parents=True)
        for unit, communes, roster, template in p.districts:
            made = roll_up(merge([communes], form, read_roster(roster)), template, typed=typed(dt.date(2020, 12, 5)))
            (reports / f"{unit.code}.xlsx").write_bytes(made.data)  # type: ignore[attr-defined]
            out.rollups += 1
    out.districts = time.perf_counter() - start
    national = work / "bo"
    national.mkdir()
    start = time.perf_counter()
    for p in provinces:
        folders = [p.folder, work / p.unit.code / "huyen"]  # type: ignore[attr-defined]
        made = roll_up(merge(folders, form, read_roster(p.roster)), p.template, typed=typed(dt.date(2020, 12, 10)))
        (national / f"{p.unit.code}.xlsx").write_bytes(made.data)  # type: ignore[attr-defined]
        out.rollups += 1
    out.provinces = time.perf_counter() - start
    roster = submissions.write_roster(work / "tinh.csv", [p.unit for p in provinces])  # type: ignore[misc]
    start = time.perf_counter()
    result = merge([national], ministry, read_roster(roster))
    out.national = time.perf_counter() - start
    assert result.ok, [(f.name, [i.code for i in f.errors]) for f in result.files if f.errors][:3]
    start = time.perf_counter()
    build_summary(result)
    out.summary = time.perf_counter() - start
    out.totals = dict(result.totals)
    leaves = [leaf for p in provinces for leaf in p.leaves()]
    start = time.perf_counter()
    plain = merge(leaves, form)
    out.baseline = time.perf_counter() - start
    out.baseline_totals = dict(plain.totals)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provinces", type=int, default=63)
    parser.add_argument("--small", type=int, default=6, help="provinces of the small scale (the ratio's baseline)")
    parser.add_argument("--units", type=int, default=30, help="units per province (three in ten districts)")
    parser.add_argument("--communes", type=int, default=35, help="communes per district")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    free = shutil.disk_usage(CACHE.parent if CACHE.parent.exists() else Path(__file__).parent).free
    log(f"free disk: {free / 2**30:.1f} GiB; cores: {os.cpu_count()}; load average: {_load()}")
    everything = dataset(args.provinces, args.units, args.communes, args.jobs)
    figures: dict[str, Run] = {}
    with tempfile.TemporaryDirectory(prefix="dv-levels-") as tmp:
        for label, count in (("small", min(args.small, args.provinces)), ("full", args.provinces)):
            log(f"\n{label}: {count} provinces… (load average {_load()})")
            figures[label] = got = run(everything[:count], Path(tmp) / label)
            _report(label, got)
    small, full = figures["small"], figures["full"]
    log(f"\nload average at the end: {_load()}")
    per = (lambda r: r.levels / r.leaves), (lambda r: r.baseline / r.leaves)
    log(
        f"linearity, time per leaf full / small: three levels {per[0](full) / per[0](small):.2f}, "
        f"plain merge {per[1](full) / per[1](small):.2f} (1.00: linear)"
    )
    log(
        f"three levels / plain merge of the same leaves: small {small.levels / small.baseline:.2f}×, "
        f"full {full.levels / full.baseline:.2f}×"
    )
    return 0


def _report(label: str, r: Run) -> None:
    ms = lambda seconds: seconds / r.leaves * 1000  # noqa: E731
    log(f"  {r.leaves} leaf files, {r.rollups} roll-ups")
    for name, seconds in (
        ("district roll-ups (merge + roll_up each)", r.districts),
        ("province roll-ups (merge + roll_up each)", r.provinces),
        ("the ministry's merge of the provinces", r.national),
        ("three levels together", r.levels),
        ("the ministry's summary workbook (Chi tiết included)", r.summary),
        ("baseline: one merge of every leaf file", r.baseline),
    ):
        log(f"  {name:55s} {seconds:8.1f} s  {ms(seconds):6.2f} ms/leaf")
    expected = {
        "docs_total": r.baseline_totals["docs_total"],
        "staff_total": r.baseline_totals["staff_cc"] + r.baseline_totals["staff_vc"],
        "cut_total": r.baseline_totals["cut_total"],
        "dvc_total": r.baseline_totals["dvc_total"],
    }
    same = all(r.totals[k] == v for k, v in expected.items())
    log(f"  national totals = the leaves' totals: {same} ({expected})")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    sys.exit(main())
