"""Rebuild ``samples/tong-hop-2019.xlsx``: the sample province's summary of the year before,
so that ``dv merge … --previous samples/tong-hop-2019.xlsx`` has something to compare with.

Written by dv itself (``toolkit.merger.merge_reports`` and ``toolkit.summary.build_summary``)
under a 2019 copy of the form (year 2019, version 2019.1), from figures derived from this
year's samples: seeded, a little lower than 2020's (fewer online services, fewer posts cut),
with more staff before the cuts. Sở Khoa học và Công nghệ sent nothing in 2019 (it did in
2020); the three units silent in 2020 were silent in 2019 too; the two units rejected in 2020
had reported in 2019. Sở Thông tin và Truyền thông had 29 online services (37 in 2020). The
2019 reports are figures, not files: the summary's file names stand for them and their
SHA-256 is left empty.

    .venv/bin/python -m samples.make_previous     # after -m samples.make_samples
    .venv/bin/python -m samples.make_previous --out FILE

The reports and their document numbers are the shared generator's
(``tests.support.submissions``); the year-on-year changes are this script's.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import random
import sys
from pathlib import Path
from typing import Any

from tests.support.submissions import bodies, document_number, issuer, report, shipped_form
from toolkit.form import Form
from toolkit.issues import FileReport
from toolkit.merger import merge, merge_reports
from toolkit.roster import Unit, read_roster
from toolkit.summary import build_summary

HERE = Path(__file__).resolve().parent
OUT = HERE / "tong-hop-2019.xlsx"
YEAR = 2019
SILENT = {"SKHCN", "TTT", "BQLKKT", "HTCU"}  # sent nothing in 2019
STTTT_2019 = {"dvc_total": 29, "dvc_level4": 21, "staff_cc": 30, "staff_vc": 29, "cut_cc": 2, "cut_vc": 3}


def lower(rng: random.Random, now: dict[str, Any]) -> dict[str, Any]:
    """Last year's figures of a unit from this year's: a little lower, more staff before cuts."""
    dvc_total = max(0, now["dvc_total"] - rng.randint(2, 12))
    return {
        "dvc_total": dvc_total,
        "dvc_level4": min(dvc_total, max(0, now["dvc_level4"] - rng.randint(1, 9))),
        "staff_cc": now["staff_cc"] + rng.randint(0, 3),
        "staff_vc": now["staff_vc"] + rng.randint(0, max(1, now["staff_vc"] // 40)),
        "cut_cc": round(now["cut_cc"] * rng.uniform(0.6, 0.9)),
        "cut_vc": round(now["cut_vc"] * rng.uniform(0.6, 0.9)),
    }


def invent(rng: random.Random, unit: Unit) -> dict[str, Any]:
    """Figures of a unit whose 2020 report is missing or rejected in the samples."""
    if unit.kind == "huyen":
        staff_cc, staff_vc, dvc_total = rng.randint(85, 140), rng.randint(1400, 3300), rng.randint(6, 40)
    else:
        staff_cc, staff_vc, dvc_total = rng.randint(18, 75), rng.randint(10, 250), rng.randint(10, 120)
    cut = round((staff_cc + staff_vc) * rng.uniform(0.05, 0.09))
    cut_cc = round(cut * staff_cc / (staff_cc + staff_vc))
    return {
        "dvc_total": dvc_total,
        "dvc_level4": round(dvc_total * rng.uniform(0.3, 0.7)),
        "staff_cc": staff_cc,
        "staff_vc": staff_vc,
        "cut_cc": cut_cc,
        "cut_vc": cut - cut_cc,
    }


def documents(rng: random.Random, unit: Unit, party: int, gov: int, form: Form) -> list[dict[str, Any]]:
    party_body, state_body = bodies(unit)
    docs = []
    for i in range(party):
        docs.append(
            {
                "issuer": issuer(form, "party"),
                "doc_type": "Kế hoạch",
                "number": document_number(form, "party", "Kế hoạch", i + 1, party_body),
                "date": dt.date(YEAR, rng.randint(1, 11), rng.randint(1, 28)),
                "title": f"Về thực hiện công tác dân vận năm {YEAR}",
            }
        )
    for i in range(gov):
        docs.append(
            {
                "issuer": issuer(form, "state"),
                "doc_type": "Kế hoạch",
                "number": document_number(form, "state", "Kế hoạch", 100 + i, state_body),
                "date": dt.date(YEAR, rng.randint(1, 11), rng.randint(1, 28)),
                "title": f"Về thực hiện công tác dân vận chính quyền năm {YEAR}",
            }
        )
    return docs


def reported(
    unit: Unit, figures: dict[str, Any], docs: list[dict[str, Any]], rng: random.Random, form: Form
) -> FileReport:
    cut = figures["cut_cc"] + figures["cut_vc"]
    values = {
        "report_number": document_number(form, "state", "Báo cáo", rng.randint(50, 480), unit.code),
        "report_date": dt.date(YEAR, 11, rng.randint(12, 28)),
        **figures,
        "cut_total": cut,
        "cut_rate": round(cut / (figures["staff_cc"] + figures["staff_vc"] + cut), 4),
    }
    return report(unit, values, docs, form, path=f"{unit.code}-phu-luc-{YEAR}.xlsx")


def form_2019() -> Form:
    return dataclasses.replace(shipped_form(), year=YEAR, version=f"{YEAR}.1")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=OUT, help="the summary to write (default samples/tong-hop-2019.xlsx)"
    )
    out = parser.parse_args(argv).out
    form, last_form = shipped_form(), form_2019()
    roster = read_roster(HERE / "units.csv")
    submissions = HERE / "submissions"
    if not submissions.is_dir():
        print("samples/submissions/ is missing: run .venv/bin/python -m samples.make_samples first")
        return 2
    now = merge([submissions], form, roster)
    rng = random.Random(2019)
    reports = []
    for unit in roster.units:
        if unit.code in SILENT:
            continue
        row = next(r for r in now.rows if r.code == unit.code)
        if unit.code == "STTTT":
            figures = dict(STTTT_2019)
        elif row.sent:
            figures = lower(rng, row.values)
        else:
            figures = invent(rng, unit)
        party = max(1, (row.values.get("docs_party") or rng.randint(2, 5)) - rng.randint(0, 2))
        gov = max(1, (row.values.get("docs_gov") or rng.randint(1, 4)) - rng.randint(0, 1))
        reports.append(reported(unit, figures, documents(rng, unit, party, gov, last_form), rng, last_form))
    result = merge_reports(reports, last_form, roster)
    out.write_bytes(build_summary(result))
    totals = result.totals
    print(
        f"{out}: {len(reports)} units; dvc_total {totals['dvc_total']}, "
        f"cut_total {totals['cut_total']}, cut_rate {totals['cut_rate']:.4f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
