"""Rebuild ``samples/levels/``: the three-level sample of README's "Nhiều cấp: xã → huyện → tỉnh →
Bộ" (docs/spec.md §9), which ``make demo-levels`` runs.

- ``huyen/``: Huyện Châu Thành (HCT in ``samples/units.csv``) and six of its communes: their
  roster ``don-vi.csv`` and what they sent back, ``nop-ve/`` (each commune's own template,
  filled).
- ``tinh/nop-ve/``: the province's other 27 units of ``samples/units.csv``, every file valid: the
  district's report joins them in the demo, rolled up by ``dv roll-up``.
- ``bo/``: the ministry's roster of three provinces, ``don-vi.csv``, and the reports to the
  ministry of two of them (Vĩnh Long, Bến Tre), ``nop-ve/``: each rolled up by dv's own library
  from a province round of 27 units generated here (those files are not kept; the reports carry
  their provenance). Trà Vinh's joins them in the demo.

Seeded: the same figures every run (xlsx timestamps aside). The content comes from the shared
generator (``tests.support.submissions``)::

    .venv/bin/python -m samples.make_levels              # rewrite samples/levels/
    .venv/bin/python -m samples.make_levels --out DIR    # elsewhere
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
import tempfile
from pathlib import Path

from tests.support import submissions
from tests.support.levels import MINISTRY_FORM, rolled_up, template_file, typed
from toolkit.form import load_form
from toolkit.roster import Unit, read_roster

HERE = Path(__file__).resolve().parent
OUT = HERE / "levels"
DISTRICT = "HCT"
COMMUNES = (
    ("TTCT", "Thị trấn Châu Thành"),
    ("XDL", "Xã Đa Lộc"),
    ("XMC", "Xã Mỹ Chánh"),
    ("XTM", "Xã Thanh Mỹ"),
    ("XLHA", "Xã Lương Hòa A"),
    ("XSL", "Xã Song Lộc"),
)
PROVINCES = (("TVH", "Tỉnh Trà Vinh"), ("VLG", "Tỉnh Vĩnh Long"), ("BTE", "Tỉnh Bến Tre"))
# The other provinces' districts (their departments are named as Trà Vinh's).
DISTRICTS = {
    "VLG": (
        "Thành phố Vĩnh Long",
        "Thị xã Bình Minh",
        "Huyện Long Hồ",
        "Huyện Mang Thít",
        "Huyện Vũng Liêm",
        "Huyện Tam Bình",
        "Huyện Trà Ôn",
        "Huyện Bình Tân",
    ),
    "BTE": (
        "Thành phố Bến Tre",
        "Huyện Châu Thành",
        "Huyện Chợ Lách",
        "Huyện Mỏ Cày Nam",
        "Huyện Mỏ Cày Bắc",
        "Huyện Giồng Trôm",
        "Huyện Bình Đại",
        "Huyện Ba Tri",
    ),
}
SEEDS = {"huyen": 1920, "tinh": 2920, "VLG": 3920, "BTE": 4920}


def write_round(folder: Path, units: list[Unit], seed: int) -> None:
    """Each unit's own template, filled with its seeded figures and documents."""
    form = submissions.shipped_form()
    rng = random.Random(seed)
    for unit in units:
        values, docs = submissions.submission(rng, unit, form)
        submissions.write(folder / f"{unit.code}-phu-luc-{form.year}.xlsx", values, docs, unit=unit)


def other_province(code: str, name: str, work: Path, out: Path) -> None:
    """A province's round (27 units) rolled up into its report to the ministry, kept as ``out``."""
    province = read_roster(HERE / "units.csv")
    departments = [u for u in province.units if u.kind == "so"]
    districts = [Unit(f"H{code}{i + 1}", name_, "huyen") for i, name_ in enumerate(DISTRICTS[code])]
    units = departments + districts
    base = work / code
    write_round(base / "nop-ve", units, SEEDS[code])
    roster = submissions.write_roster(base / "don-vi.csv", units)
    template = template_file(base / "mau-bo.xlsx", Unit(code, name, "tinh"), load_form(MINISTRY_FORM))
    result, made = rolled_up(base / "nop-ve", roster, template, out, typed(Unit(code, name), dt.date(2020, 12, 8)))
    assert result.ok and made.check.status == "accepted", made.check.errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="the folder to (re)write (default samples/levels)")
    out: Path = parser.parse_args(argv).out
    shutil.rmtree(out, ignore_errors=True)
    province = read_roster(HERE / "units.csv")
    # The district: its communes' roster and files.
    communes = [Unit(code, name, "xa") for code, name in COMMUNES]
    submissions.write_roster(_folder(out / "huyen") / "don-vi.csv", communes)
    write_round(out / "huyen" / "nop-ve", communes, SEEDS["huyen"])
    # The province: every unit but the district, which sends its roll-up.
    write_round(out / "tinh" / "nop-ve", [u for u in province.units if u.code != DISTRICT], SEEDS["tinh"])
    # The ministry: its roster, and two provinces' reports.
    provinces = [Unit(code, name, "tinh") for code, name in PROVINCES]
    submissions.write_roster(_folder(out / "bo") / "don-vi.csv", provinces)
    with tempfile.TemporaryDirectory(prefix="dv-levels-") as work:
        for code, name in PROVINCES[1:]:
            other_province(code, name, Path(work), out / "bo" / "nop-ve" / f"{code}-bao-cao-2020.xlsx")
    print(f"Đã ghi / written: {out}")
    return 0


def _folder(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


if __name__ == "__main__":
    sys.exit(main())
