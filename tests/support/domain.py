"""Test helpers that speak the domain: the seed's appendix with some figures changed, filled
into a workbook or as a report (through the shared generator, ``tests.support.submissions``),
and issues as (code, field) tuples."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from tests.support import submissions
from tests.support.testing import SEED, SEED_DOCS
from toolkit.intake import check_file
from toolkit.issues import FileReport
from toolkit.roster import Roster, Unit

DROP = object()  # a value that removes the field from the seed
form = submissions.shipped_form  # the shipped form, loaded once


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
    """The unit's template (the generic one for None) filled (by defined names) with the seed,
    or ``values`` and ``docs``, and saved as ``folder/name``."""
    values = SEED if values is None else values
    return submissions.write(folder / name, values, SEED_DOCS if docs is None else docs, unit=unit)


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
    return submissions.report(unit, appendix(**figures), docs)
