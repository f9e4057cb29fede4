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
from functools import cmp_to_key
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .form import Field, Form, load_form
from .form.rules import EvalError
from .intake import check_files
from .intake.check import expand_paths
from .issues import ERROR, FileReport, make_issue, quote
from .numbers import format_number, format_percent
from .roster import Roster
from .text import normalise_code

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
                    self._by_unit[normalise_code(f.unit_code)].append(f)
        return self._by_unit.get(normalise_code(unit_code), [])

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

    def json_bytes(self, lang: str = "vi", comparison: Any = None) -> bytes:
        """The JSON report file ``dv merge --json`` writes (SPEC section 5), as UTF-8 bytes;
        ``comparison`` (a ``toolkit.previous.Comparison``) adds last year's figures."""
        import json

        report = self.to_dict(lang)
        if comparison is not None:
            report["previous"] = comparison.to_dict()
        return json.dumps(report, ensure_ascii=False, indent=2, default=str).encode("utf-8")


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
            by_unit[normalise_code(report.unit_code)].append(report)
    winners: dict[str, FileReport] = {}
    for unit, candidates in by_unit.items():
        # Later report date wins; on the same date, the file saved later (never the later name:
        # a browser names a second download "X (1).xlsx", which sorts before "X.xlsx").
        ordered = sorted(candidates, key=cmp_to_key(_submission_order))
        winner = ordered[-1]
        winners[unit] = winner
        win_date = report_date(winner)
        for loser in ordered[:-1]:
            loser.status = "superseded"
            lose_date = report_date(loser)
            if lose_date == win_date:
                basis_vi, basis_en = _saved_basis(winner, loser)
                reason_vi = f"cùng ngày báo cáo; {winner.name} {basis_vi}"
                reason_en = f"same report date; {winner.name} {basis_en}"
                winner.issues.append(make_issue(
                    "merge-tie", unit=winner.unit_code, value=format_number(win_date), file=winner.name,
                    other=loser.name, basis_vi=basis_vi, basis_en=basis_en,
                    diffs_vi=differences(form, winner, loser, "vi"), diffs_en=differences(form, winner, loser, "en")))  # fmt: skip
            else:
                reason_vi = f"ngày báo cáo {format_number(lose_date)} cũ hơn {format_number(win_date)}"
                reason_en = f"report date {format_number(lose_date)} is older than {format_number(win_date)}"
            loser.issues.append(make_issue("merge-superseded", file=loser.name, unit=loser.unit_code,
                                           other=winner.name, reason_vi=reason_vi, reason_en=reason_en))  # fmt: skip
    _settle_rejected(reports, winners, form)
    return winners


def _save_times(a: FileReport, b: FileReport) -> tuple[str, Any, Any] | None:
    """The times that tell which of ``a`` and ``b`` was saved later, and which they are:
    ("saved", …) the workbooks' own last-saved times when both have one and they differ, else
    ("modified", …) the files' modification times when they differ, else None. One rule for
    :func:`saved_order` and the words that explain it (:func:`_saved_basis`)."""
    if a.saved_at is not None and b.saved_at is not None and a.saved_at != b.saved_at:
        return "saved", a.saved_at, b.saved_at
    if a.mtime is not None and b.mtime is not None and a.mtime != b.mtime:
        return "modified", a.mtime, b.mtime
    return None


def saved_order(a: FileReport, b: FileReport) -> int:
    """-1 if ``a`` was saved before ``b``, 1 if after, 0 if dv cannot tell: the workbooks' own
    last-saved times when both have one, else the files' modification times."""
    times = _save_times(a, b)
    if times is None:
        return 0
    return -1 if times[1] < times[2] else 1


def _submission_order(a: FileReport, b: FileReport) -> int:
    date_a, date_b = report_date(a) or dt.date.min, report_date(b) or dt.date.min
    if date_a != date_b:
        return -1 if date_a < date_b else 1
    return saved_order(a, b)


def _local(value: dt.datetime) -> str:
    return value.astimezone().strftime("%d/%m/%Y %H:%M:%S")


def _saved_basis(winner: FileReport, other: FileReport) -> tuple[str, str]:
    """Why ``winner`` counts as saved later, in words (vi, en)."""
    times = _save_times(winner, other)
    if times is not None and times[0] == "saved":
        won, lost = _local(times[1]), _local(times[2])
        return (f"được chương trình bảng tính lưu sau (lúc {won}, tệp kia lúc {lost})",
                f"saved later by the spreadsheet program (at {won}, the other at {lost})")  # fmt: skip
    if times is not None:
        won, lost = (_local(dt.datetime.fromtimestamp(t)) for t in times[1:])
        return (f"được sửa sau trên máy này (lúc {won}, tệp kia lúc {lost}; tệp không ghi thời điểm lưu)",
                f"modified later on this computer (at {won}, the other at {lost}; no save time in the files)")  # fmt: skip
    return ("không xác định được tệp nào lưu sau (cùng thời điểm lưu)",
            "it cannot be told which was saved later (same save time)")  # fmt: skip


_MAX_DIFFERENCES = 8


def differences(form: Form, used: FileReport, other: FileReport, lang: str = "vi") -> str:
    """The figures that differ between two files of one unit: "label: used / other; …"."""
    parts = []
    for f in form.fields:
        a, b = used.values.get(f.code), other.values.get(f.code)
        if a != b:
            parts.append(f"{f.text(lang)}: {_shown(f, a, lang)} / {_shown(f, b, lang)}")
    rows_a = [{k: v for k, v in d.items() if k != "_row"} for d in used.docs]
    rows_b = [{k: v for k, v in d.items() if k != "_row"} for d in other.docs]
    if rows_a != rows_b:
        vi = f"danh sách văn bản: {len(rows_a)} / {len(rows_b)} dòng"
        en = f"list of documents: {len(rows_a)} / {len(rows_b)} rows"
        if len(rows_a) == len(rows_b):
            vi, en = vi + " (khác nội dung)", en + " (different content)"
        parts.append(en if lang == "en" else vi)
    if not parts:
        return "no figure differs" if lang == "en" else "không khác số liệu nào"
    more = len(parts) - _MAX_DIFFERENCES
    shown = "; ".join(parts[:_MAX_DIFFERENCES])
    if more > 0:
        shown += f"; {'and' if lang == 'en' else 'và'} {more} {'more' if lang == 'en' else 'mục khác'}"
    return shown


def _shown(f: Field, value: Any, lang: str) -> str:
    if value is None:
        return "(empty)" if lang == "en" else "(trống)"
    if f.type == "percent" and isinstance(value, int | float):
        return format_percent(value, lang=lang)
    return quote(format_number(value, lang=lang) if not isinstance(value, str) else value, 40)


def _settle_rejected(reports: list[FileReport], winners: dict[str, FileReport], form: Form) -> None:
    """A rejected file of a unit that also sent a valid one: an older rejected file was
    corrected by the valid one and is ``superseded``; a newer rejected file stays rejected,
    and the valid one that is used instead says so. A rejected file whose report date is
    wrong or missing cannot be placed by that date: the save times decide, and when it was
    saved after the valid file (or dv cannot tell), it stays rejected."""
    for report in reports:
        winner = winners.get(normalise_code(report.unit_code)) if report.unit_code else None
        if report.status != "rejected" or winner is None or any(i.code == "unit-unknown" for i in report.issues):
            continue
        rejected_date, win_date = report_date(report), report_date(winner)
        bad_date = rejected_date is None or any(i.severity == ERROR and i.field == form.date_field
                                                for i in report.issues)  # fmt: skip
        order = saved_order(report, winner)
        if bad_date:
            shown_vi, shown_en = ("trống", "empty") if not rejected_date else (format_number(rejected_date),) * 2
            if order < 0:
                report.status = "superseded"
                report.issues.append(make_issue(
                    "merge-superseded", file=report.name, unit=report.unit_code,
                    other=winner.name,
                    reason_vi=f"ngày báo cáo sai ({shown_vi}); bản lưu sau đã sửa và hợp lệ",
                    reason_en=f"wrong report date ({shown_en}); the file saved later is corrected and valid"))  # fmt: skip
            else:
                winner.issues.append(make_issue(
                    "merge-rejected-date", unit=winner.unit_code, file=winner.name,
                    other=report.name, value_vi=shown_vi, value_en=shown_en))  # fmt: skip
        elif rejected_date < win_date or (rejected_date == win_date and order <= 0):
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
        rows.append(UnitRow(unit.code, unit.name, True, winners.get(normalise_code(unit.code))))
        seen.add(normalise_code(unit.code))
    extra = sorted(code for code in winners if code not in seen)
    for code in extra:
        report = winners[code]
        name = str(report.values.get(form.roster_name) or "")
        rows.append(UnitRow(code, name, False, report))
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
