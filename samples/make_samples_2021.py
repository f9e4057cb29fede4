"""Rebuild ``samples/2021/``: the worked example of the README's "Next year's form", the 2021 round.

- ``bieu-mau-2021.xlsx``: the 2020 form as ``dv form export`` writes it, edited in LibreOffice
  (typed through UNO, as tests/test_worked_example.py does): year 2021, version 2021.1, section
  "4. Tiếp công dân, xử lý đơn thư" with the seed report's four counts of petitions, the rule that
  the three kinds add up to the total, and the level-4 label renamed.
- ``nop-ve/``: the 2021 workbooks that came back, each unit's own template filled: every unit
  with an accepted 2020 sample reports again, with figures grown from its 2020 ones (seeded);
  Sở Thông tin và Truyền thông sends the seed report's 15 = 3 + 2 + 10; Sở Công Thương's total of
  petitions does not add up, so the new rule rejects its file.

Needs LibreOffice with python3-uno at generation time only:

    .venv/bin/python -m samples.make_samples_2021
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from tests.support import programs, submissions
from tests.support.formbook import SEED_2021, export_book, run_clerk, worked_example_steps
from tests.support.testing import SEED, SEED_DOCS, fill_template
from toolkit.form import Form, load_form, load_form_file
from toolkit.merger import merge
from toolkit.roster import Unit, read_roster
from toolkit.template import build_template

HERE = Path(__file__).resolve().parent
OUT = HERE / "2021"
YEAR = 2021
WRONG_SUM = "SCT"  # its petitions do not add up


def grown(rng: random.Random, before: dict[str, Any]) -> dict[str, Any]:
    """A unit's 2021 figures from its 2020 ones: more online services, a few posts fewer, a cut
    rate around 11 %, and the new section's counts."""
    dvc_total = before["dvc_total"] + rng.randint(2, 15)
    dvc_level4 = min(dvc_total, before["dvc_level4"] + rng.randint(2, 12))
    staff_cc = max(5, before["staff_cc"] - rng.randint(0, 3))
    staff_vc = max(0, before["staff_vc"] - rng.randint(0, 40))
    rate = min(max(rng.gauss(0.11, 0.02), 0.04), 0.16)
    cut_total = round(rate * (staff_cc + staff_vc) / (1 - rate))
    cut_cc = round(cut_total * staff_cc / max(staff_cc + staff_vc, 1))
    complaints, denunciations, reports = rng.randint(0, 8), rng.randint(0, 4), rng.randint(0, 25)
    return {
        "report_number": f"{rng.randint(50, 480)}/BC-VP",
        "report_date": dt.date(YEAR, 11, rng.randint(12, 26)),
        "signer": before.get("signer"),
        "contact": before.get("contact"),
        "dvc_total": dvc_total,
        "dvc_level4": dvc_level4,
        "staff_cc": staff_cc,
        "staff_vc": staff_vc,
        "cut_cc": cut_cc,
        "cut_vc": cut_total - cut_cc,
        "cut_total": cut_total,
        "cut_rate": round(cut_total / (staff_cc + staff_vc + cut_total), 4),
        "don_thu_tong": complaints + denunciations + reports,
        "don_khieu_nai": complaints,
        "don_to_cao": denunciations,
        "don_phan_anh": reports,
    }


def documents(rng: random.Random, unit: Unit, form: Form, report_date: dt.date) -> list[dict[str, Any]]:
    """The year's documents, as the 2020 samples make them (the shared generator), dated in the
    2021 form's year and never after the report."""
    return submissions.documents(rng, unit, form, report_date=report_date)


def main() -> int:
    if (why := programs.missing("uno")) is not None:
        print(f"LibreOffice with python3-uno is needed: {why}")
        return 2
    if OUT.exists():
        shutil.rmtree(OUT)
    (OUT / "nop-ve").mkdir(parents=True)
    book = OUT / "bieu-mau-2021.xlsx"
    with tempfile.TemporaryDirectory() as tmp:
        exported = export_book(load_form(), Path(tmp) / "bieu-mau-2020.xlsx")
        run_clerk(
            [{"source": str(exported), "steps": worked_example_steps(exported), "save": {"xlsx": str(book)}}], Path(tmp)
        )
    form = load_form_file(book)
    roster = read_roster(HERE / "units.csv")
    last_year = merge([HERE / "submissions"], load_form(), roster)
    rng = random.Random(YEAR)
    for row in last_year.rows:
        if not row.sent:
            continue
        unit = roster.get(row.code)
        template = build_template(form, unit=unit)
        target = OUT / "nop-ve" / f"{unit.code}-phu-luc-2021.xlsx"
        if unit.code == "STTTT":  # the seed, with the section-5 counts of its report
            values = {k: v for k, v in SEED.items() if k not in ("unit_code", "unit_name")}
            values.update(SEED_2021, report_date=dt.date(YEAR, 11, 15))
            docs = [{**d, "date": d["date"].replace(year=YEAR)} if d["date"].year == 2020 else d for d in SEED_DOCS]
        else:
            values = grown(rng, row.values)
            docs = documents(rng, unit, form, values["report_date"])
        if unit.code == WRONG_SUM:
            values["don_thu_tong"] += 2
        fill_template(template, values, docs, out=target)
    for path in sorted(OUT.rglob("*")):
        if path.is_file():
            print(f"{path.relative_to(HERE)}  {path.stat().st_size:,} B")
    return 0


if __name__ == "__main__":
    sys.exit(main())
