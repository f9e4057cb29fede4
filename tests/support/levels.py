"""Rounds at several levels (docs/spec.md §9), for the tests, the samples and the benchmark: a
district's communes rolled up into the district's report to the province, a province's units
(that district's roll-up among them) rolled up into the province's report to the ministry, the
ministry's round of provinces — every leaf file from the shared generator, seeded.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support import submissions
from toolkit.form import Form, load_form
from toolkit.merger import MergeResult, merge
from toolkit.rollup import RollUp, roll_up
from toolkit.roster import Unit, read_roster
from toolkit.template import build_template

__all__ = [
    "MINISTRY_FORM",
    "Chain",
    "typed",
    "write_round",
    "rolled_up",
    "template_file",
    "same_first_document",
    "build_chain",
    "read_leaves",
    "ministry_figures",
]

MINISTRY_FORM = "dan-van-chinh-quyen-bo"


def typed(unit: Unit, date: dt.date, signer: str = "KT. CHỦ TỊCH – PHÓ CHỦ TỊCH Nguyễn Văn An") -> dict[str, str]:
    """What the officer of ``unit`` types into its roll-up (``dv roll-up --set``): the report's
    number (issued by its people's committee: no other unit's code in it), date and signer."""
    return {"report_number": "125/BC-UBND", "report_date": date.strftime("%d/%m/%Y"), "signer": signer}


def write_round(
    folder: Path, units: Sequence[Unit], seed: int, *, form: Form | None = None, roster_name: str = "don-vi.csv"
) -> Path:
    """Each unit's submission (its seeded figures and documents in its personalised template)
    in ``folder/nop-ve/``, and the units' roster as ``folder/<roster_name>``; returns the roster."""
    form = form or submissions.shipped_form()
    for i, unit in enumerate(units):
        values, docs = submissions.submission(random.Random(seed + i), unit, form)
        submissions.write(folder / "nop-ve" / f"{unit.code}-phu-luc-{form.year}.xlsx", values, docs, unit=unit)
    return submissions.write_roster(folder / roster_name, units)


def rolled_up(
    folder: Path,
    roster: Path,
    template: Path,
    out: Path,
    values: Mapping[str, str],
    *,
    form: Form | None = None,
    partial: bool = False,
) -> tuple[MergeResult, RollUp]:
    """``dv roll-up folder --units roster --to template -o out --set …``, through the library."""
    result = merge([folder], form or submissions.shipped_form(), read_roster(roster))
    made = roll_up(result, template, typed=values, partial=partial)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(made.data)
    return result, made


def same_first_document(source: Path, target: Path, form: Form | None = None) -> None:
    """``target``'s first document row made ``source``'s, cell for cell (two communes' plans of
    one number, date and subject), as a clerk would type it: the workbook saved again."""
    import openpyxl

    from toolkit.intake import check_file

    form = form or submissions.shipped_form()
    table = next(iter(form.tables.values()))
    row_a, row_b = check_file(source, form).docs[0]["_row"], check_file(target, form).docs[0]["_row"]
    a, b = openpyxl.load_workbook(source), openpyxl.load_workbook(target)
    for col in table.columns:
        b[table.sheet][f"{col.column}{row_b}"].value = a[table.sheet][f"{col.column}{row_a}"].value
    b.save(target)


def template_file(path: Path, unit: Unit | None, form: Form | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(build_template(form or submissions.shipped_form(), unit=unit))
    return path


@dataclass
class Chain:
    root: Path
    leaves: list[Path] = field(default_factory=list)  # every file a clerk typed
    provinces: list[Unit] = field(default_factory=list)
    ministry: Path | None = None  # the ministry's folder of the provinces' roll-ups
    ministry_roster: Path | None = None
    rollups: list[Path] = field(default_factory=list)  # every roll-up written, lowest level first


def build_chain(
    root: Path,
    *,
    provinces: int = 3,
    units: int = 5,
    districts: int = 2,
    communes: int = 3,
    seed: int = 1900,
) -> Chain:
    """Communes → districts → provinces → the ministry: ``provinces`` provinces of ``units`` units
    each, the first ``districts`` districts of each with ``communes`` communes rolled up into
    their report to the province; each province rolled up into its report to the ministry."""
    form, ministry = submissions.shipped_form(), load_form(MINISTRY_FORM)
    chain = Chain(root)
    every = submissions.units(provinces * units * 3)
    for p in range(provinces):
        province = Unit(f"T{p + 1:02d}", f"Tỉnh {submissions.PROVINCES[p]}", "tinh")
        chain.provinces.append(province)
        base = root / province.code
        mine = every[p * units * 3 : p * units * 3 + units * 3]
        own = [u for u in mine if u.kind != "huyen"][: units - districts] + [u for u in mine if u.kind == "huyen"][
            :districts
        ]
        leaves = [u for u in own if u.kind != "huyen"]
        roster = write_round(base, leaves, seed + 1000 * p, form=form)
        submissions.write_roster(roster, own)  # the province's roster: its departments and districts
        chain.leaves += sorted((base / "nop-ve").glob("*.xlsx"))
        for d, district in enumerate(u for u in own if u.kind == "huyen"):
            below = base / f"huyen-{district.code}"
            commune_roster = write_round(
                below, submissions.communes(district, communes), seed + 1000 * p + 100 * (d + 1)
            )
            chain.leaves += sorted((below / "nop-ve").glob("*.xlsx"))
            template = template_file(below / "mau-cap-tren.xlsx", district, form)
            out = base / "nop-ve" / f"{district.code}-gui-len.xlsx"
            rolled_up(below / "nop-ve", commune_roster, template, out, typed(district, dt.date(2020, 12, 5)))
            chain.rollups.append(out)
        template = template_file(base / "mau-bo.xlsx", province, ministry)
        out = root / "bo" / "nop-ve" / f"{province.code}-gui-len.xlsx"
        rolled_up(base / "nop-ve", roster, template, out, typed(province, dt.date(2020, 12, 10)))
        chain.rollups.append(out)
    chain.ministry = root / "bo" / "nop-ve"
    chain.ministry_roster = submissions.write_roster(root / "bo" / "tinh.csv", chain.provinces)
    return chain


def read_leaves(paths: Iterable[Path], form: Form | None = None) -> dict[str, Any]:
    """Every leaf read on its own (``check_file``, nothing merged), its integer figures added up
    field by field: what the levels above must add up to."""
    from toolkit.intake import check_file

    form = form or submissions.shipped_form()
    sums: dict[str, int] = {}
    for path in paths:
        report = check_file(path, form)
        assert report.status == "accepted", (path, [i.code for i in report.errors])
        for f in form.fields:
            if f.type == "integer" and f.source != "fixed":
                sums[f.code] = sums.get(f.code, 0) + (report.values.get(f.code) or 0)
    return sums


def ministry_figures(leaves: Mapping[str, int]) -> dict[str, Any]:
    """The ministry form's figures from the leaves' sums, written out by hand (not through the
    form's declarations): the posts grouped, the rate recomputed from the sums."""
    staff = leaves["staff_cc"] + leaves["staff_vc"]
    return {
        "docs_total": leaves["docs_total"],
        "dvc_total": leaves["dvc_total"],
        "dvc_level4": leaves["dvc_level4"],
        "staff_total": staff,
        "cut_total": leaves["cut_total"],
        "cut_rate": leaves["cut_total"] / (staff + leaves["cut_total"]),
    }
