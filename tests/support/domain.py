"""Test helpers that speak the domain: a filled appendix from a dict of field codes, and
issues as (code, field) tuples."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from tests.support.testing import SEED, SEED_DOCS, fill_template
from toolkit.form import Form, load_form
from toolkit.intake import check_file
from toolkit.issues import FileReport
from toolkit.roster import Roster, Unit
from toolkit.template import build_template

DROP = object()  # a value that removes the field from the seed


@functools.lru_cache(maxsize=1)
def form() -> Form:
    return load_form()


@functools.lru_cache(maxsize=4)
def template(unit: Unit | None = None) -> bytes:
    return build_template(form(), unit=unit)


def appendix(**changes: Any) -> dict[str, Any]:
    """The seed's figures with some changed (``DROP`` removes one). Another unit's appendix
    carries its own report number (``…/BC-SNV-VP``), as a real unit's does: the seed's would
    name Sở TT&TT, and dv would rightly doubt whose figures they are (unit-conflict)."""
    values = dict(SEED)
    code = changes.get("unit_code")
    if isinstance(code, str) and code and "report_number" not in changes:
        values["report_number"] = str(SEED["report_number"]).replace(str(SEED["unit_code"]), code)
    for code, value in changes.items():
        if value is DROP:
            values.pop(code, None)
        else:
            values[code] = value
    return values


def filled(
    folder: Path,
    name: str = "phu-luc.xlsx",
    values: Mapping[str, Any] | None = None,
    docs: Iterable[Mapping[str, Any]] | None = None,
    unit: Unit | None = None,
) -> Path:
    """A template filled (by defined names) and saved as ``folder/name``."""
    path = folder / name
    fill_template(template(unit), SEED if values is None else values, SEED_DOCS if docs is None else docs, out=path)
    return path


def check(path: Path, roster: Roster | None = None) -> FileReport:
    return check_file(path, form(), roster)


def codes(report: FileReport, severity: str | None = None) -> set[tuple[str, str]]:
    return {(i.code, i.field) for i in report.issues if severity is None or i.severity == severity}


def errors(report: FileReport) -> set[tuple[str, str]]:
    return codes(report, "error")


def warnings(report: FileReport) -> set[tuple[str, str]]:
    return codes(report, "warning")


def reported(unit: Unit, docs: Iterable[Mapping[str, Any]] = (), **figures: Any) -> FileReport:
    """An accepted report of ``unit`` with the seed's figures changed by ``figures`` (counts
    of documents derived from ``docs``), without a workbook: for tests of what comes after
    the merge (summary, comparison, Word appendix)."""
    values = appendix(unit_code=unit.code, unit_name=unit.name, **figures)
    docs = [dict(d, _row=5 + i) for i, d in enumerate(docs)]
    party = sum(1 for d in docs if d.get("issuer") == "Đảng ủy")
    values.update(report_year=form().year, docs_party=party, docs_gov=len(docs) - party, docs_total=len(docs))
    return FileReport(path=f"{unit.code}.xlsx", unit_code=unit.code, status="accepted", fmt="xlsx",
                      values=values, docs=docs)  # fmt: skip
