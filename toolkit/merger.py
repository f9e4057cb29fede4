"""``dv merge`` (``toolkit.merge``): a folder of returned workbooks → which file counts for which unit → the
province's totals (SPEC sections 5 and 6).

The library part: it returns a :class:`MergeResult` and writes nothing. Tables come out as
pandas DataFrames for the Python API; the summary workbook is written by
``toolkit.summary`` from the same result.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .check import check_files, expand_paths
from .form import Field, Form, load_form
from .issues import FileReport, make_issue
from .roster import Roster
from .rules import EvalError, format_number

if TYPE_CHECKING:  # pandas is imported only when a table is asked for
    import pandas as pd

__all__ = ["MergeResult", "UnitRow", "merge", "merge_reports"]


@dataclass
class UnitRow:
    """One line of the summary: a unit, its accepted file (if any) and its values."""

    code: str
    name: str
    in_roster: bool
    report: FileReport | None = None

    @property
    def sent(self) -> bool:
        return self.report is not None

    @property
    def values(self) -> dict[str, Any]:
        return self.report.values if self.report else {}


@dataclass
class MergeResult:
    form: Form
    roster: Roster | None
    files: list[FileReport]
    rows: list[UnitRow]
    missing_units: list[str]
    totals: dict[str, Any]
    shared_numbers: dict[str, list[str]] = field(default_factory=dict)  # doc number → unit codes

    def files_of(self, unit_code: str) -> list[FileReport]:
        """Every file that named this unit, whatever its status."""
        if not hasattr(self, "_by_unit"):
            self._by_unit: dict[str, list[FileReport]] = defaultdict(list)
            for f in self.files:
                if f.unit_code:
                    self._by_unit[f.unit_code.upper()].append(f)
        return self._by_unit.get(unit_code.upper(), [])

    @property
    def accepted(self) -> list[FileReport]:
        return [f for f in self.files if f.status == "accepted"]

    @property
    def rejected(self) -> list[FileReport]:
        return [f for f in self.files if f.status == "rejected"]

    @property
    def ok(self) -> bool:
        return not self.rejected

    def documents(self) -> list[dict[str, Any]]:
        out = []
        for row in self.rows:
            for doc in row.report.docs if row.report else []:
                key = doc_key(doc.get("number"))
                others = [u for u in self.shared_numbers.get(key, []) if u != row.code]
                out.append({"unit_code": row.code, "unit_name": row.name, **doc, "shared_with": others})
        return out

    # -- pandas views ----------------------------------------------------------------------
    def summary_frame(self) -> pd.DataFrame:
        import pandas as pd

        fields = [f.code for f in summary_fields(self.form)]
        records = [
            {"unit_code": r.code, "unit_name": r.name, "sent": r.sent, **{c: r.values.get(c) for c in fields}}
            for r in self.rows
        ]
        frame = pd.DataFrame.from_records(records, columns=["unit_code", "unit_name", "sent", *fields])
        return frame.set_index("unit_code")

    def totals_series(self) -> pd.Series:
        import pandas as pd

        return pd.Series(self.totals, dtype=object)

    def documents_frame(self) -> pd.DataFrame:
        import pandas as pd

        table = next(iter(self.form.tables.values()), None)
        columns = ["unit_code", "unit_name", *(c.code for c in table.columns)] if table else []
        return pd.DataFrame.from_records(self.documents(), columns=[*columns, "shared_with"])

    def issues_frame(self, lang: str = "vi") -> pd.DataFrame:
        import pandas as pd

        records = [
            {"path": f.path, "unit_code": f.unit_code, "status": f.status, "code": i.code, "severity": i.severity,
             "sheet": i.sheet, "cell": i.cell, "field": i.field, "message": i.text(lang)}
            for f in self.files for i in f.sorted_issues()
        ]  # fmt: skip
        return pd.DataFrame.from_records(
            records, columns=["path", "unit_code", "status", "code", "severity", "sheet", "cell", "field", "message"]
        )

    def files_frame(self) -> pd.DataFrame:
        import pandas as pd

        records = [
            {"path": f.path, "unit_code": f.unit_code, "status": f.status, "sha256": f.sha256,
             "report_date": report_date(f), "errors": len(f.errors), "warnings": len(f.warnings)}
            for f in self.files
        ]  # fmt: skip
        return pd.DataFrame.from_records(
            records, columns=["path", "unit_code", "status", "sha256", "report_date", "errors", "warnings"]
        )

    def to_dict(self, lang: str = "vi") -> dict[str, Any]:
        """SPEC section 5's JSON for ``dv merge``."""
        return {
            "form": {"id": self.form.id, "version": self.form.version, "year": self.form.year},
            "files": [f.to_dict(lang) for f in self.files],
            "missing_units": list(self.missing_units),
            "totals": {k: v for k, v in self.totals.items()},
        }


def summary_fields(form: Form) -> list[Field]:
    """The columns of the summary: every field but the unit's identity and fixed ones."""
    skip = {form.roster_code, form.roster_name}
    return [f for f in form.fields if f.code not in skip and f.source != "fixed"]


def doc_key(number: Any) -> str:
    return "".join(str(number or "").split()).casefold()


def report_date(report: FileReport) -> dt.date | None:
    value = report.report_date
    return value if isinstance(value, dt.date) else None


def merge(
    paths: Iterable[str | Path],
    form: Form | str | None = None,
    roster: Roster | None = None,
    *,
    jobs: int | None = None,
    progress: Callable[[FileReport], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> MergeResult:
    """Check every file under ``paths`` and merge the accepted ones.

    ``form`` is a Form, a form id or a path (default: the packaged form). Returns the
    result; writes nothing.
    """
    the_form = form if isinstance(form, Form) else load_form(form)
    files, _missing = expand_paths(paths)
    if on_start:
        on_start(len(files))
    reports = check_files(files, the_form, roster, jobs=jobs, progress=progress)
    return merge_reports(reports, the_form, roster)


def merge_reports(reports: Sequence[FileReport], form: Form, roster: Roster | None = None) -> MergeResult:
    """Decide each file's status and compute the province's figures."""
    reports = list(reports)
    _mark_duplicates(reports)
    winners = _pick_per_unit(reports, form)
    rows = _rows(winners, roster, form)
    missing = [r.code for r in rows if r.in_roster and not r.sent]
    totals = compute_totals(form, [r.values for r in rows if r.sent])
    result = MergeResult(form=form, roster=roster, files=reports, rows=rows, missing_units=missing, totals=totals)
    result.shared_numbers = _shared_numbers(rows)
    return result


def _mark_duplicates(reports: list[FileReport]) -> None:
    first: dict[str, FileReport] = {}
    # The original of identical copies: the shallowest path, then the first by name.
    for report in sorted(reports, key=lambda r: (len(Path(r.path).parts), str(r.path).casefold())):
        if report.status == "ignored" or not report.sha256:
            continue
        original = first.setdefault(report.sha256, report)
        if original is not report:
            report.status = "duplicate"
            report.issues.append(make_issue("merge-duplicate", file=report.name,
                                            other=original.name))  # fmt: skip


def _pick_per_unit(reports: list[FileReport], form: Form) -> dict[str, FileReport]:
    by_unit: dict[str, list[FileReport]] = defaultdict(list)
    for report in reports:
        if report.status == "accepted" and report.unit_code:
            by_unit[report.unit_code.upper()].append(report)
    winners: dict[str, FileReport] = {}
    for unit, candidates in by_unit.items():
        # Later report date wins; a tie goes to the later file name, and is said.
        ordered = sorted(candidates, key=lambda r: (report_date(r) or dt.date.min, Path(r.path).name.casefold(),
                                                     str(r.path).casefold()))  # fmt: skip
        winner = ordered[-1]
        winners[unit] = winner
        win_date = report_date(winner)
        for loser in ordered[:-1]:
            loser.status = "superseded"
            lose_date = report_date(loser)
            if lose_date == win_date:
                reason_vi, reason_en = (
                    "cùng ngày báo cáo, tệp được dùng có tên xếp sau",
                    "same report date; the later file name is used",
                )
                winner.issues.append(make_issue("merge-tie", unit=winner.unit_code, value=format_number(win_date),
                                                other=winner.name))  # fmt: skip
            else:
                reason_vi = f"ngày báo cáo {format_number(lose_date)} cũ hơn {format_number(win_date)}"
                reason_en = f"report date {format_number(lose_date)} is older than {format_number(win_date)}"
            loser.issues.append(make_issue("merge-superseded", file=loser.name, unit=loser.unit_code,
                                           other=winner.name, reason_vi=reason_vi, reason_en=reason_en))  # fmt: skip
    _settle_rejected(reports, winners)
    return winners


def _settle_rejected(reports: list[FileReport], winners: dict[str, FileReport]) -> None:
    """A rejected file of a unit that also sent a valid one: an older (or undated) rejected
    file was corrected by the valid one and is ``superseded``; a newer rejected file stays
    rejected, and the valid one that is used instead says so."""
    for report in reports:
        winner = winners.get(report.unit_code.upper()) if report.unit_code else None
        if report.status != "rejected" or winner is None or any(i.code == "unit-unknown" for i in report.issues):
            continue
        rejected_date, win_date = report_date(report), report_date(winner)
        if rejected_date is None or win_date is None or rejected_date <= win_date:
            report.status = "superseded"
            report.issues.append(make_issue(
                "merge-superseded", file=report.name, unit=report.unit_code, other=winner.name,
                reason_vi="bản gửi sau đã sửa và hợp lệ", reason_en="the later submission is corrected and valid"))  # fmt: skip
        else:
            winner.issues.append(make_issue(
                "merge-newer-rejected", unit=winner.unit_code, file=winner.name,
                other=report.name, value=format_number(rejected_date)))  # fmt: skip


def _rows(winners: dict[str, FileReport], roster: Roster | None, form: Form) -> list[UnitRow]:
    rows: list[UnitRow] = []
    seen: set[str] = set()
    for unit in roster.units if roster else ():
        rows.append(UnitRow(unit.code, unit.name, True, winners.get(unit.code.upper())))
        seen.add(unit.code.upper())
    extra = sorted(code for code in winners if code not in seen)
    for code in extra:
        report = winners[code]
        name = str(report.values.get(form.roster_name) or "")
        rows.append(UnitRow(report.unit_code, name, False, report))
    return rows


def compute_totals(form: Form, values: list[dict[str, Any]]) -> dict[str, Any]:
    """Sums per field; rates recomputed from the sums by the field's ``total`` expression."""
    totals: dict[str, Any] = {}
    for f in form.summable_fields:
        if f.total is None:
            totals[f.code] = sum(v.get(f.code) or 0 for v in values)
    for f in form.summable_fields:
        if f.total is not None:
            try:
                totals[f.code] = f.total.evaluate(totals) if values else None
            except (EvalError, KeyError):
                totals[f.code] = None
    return totals


def _shared_numbers(rows: list[UnitRow]) -> dict[str, list[str]]:
    units_by_number: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        for doc in row.report.docs if row.report else []:
            key = doc_key(doc.get("number"))
            if key and row.code not in units_by_number[key]:
                units_by_number[key].append(row.code)
    return {k: v for k, v in units_by_number.items() if len(v) > 1}
