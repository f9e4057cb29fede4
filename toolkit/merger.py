"""``dv merge`` (``toolkit.merge``): a folder of returned workbooks → which file counts for which unit → the
province's totals (docs/spec.md §5.8 and §2.13).

The library part: it returns a :class:`MergeResult` and writes nothing. Each file's report
stays what the file said; what the round decides of it is its :class:`Verdict`. Tables come
out as pandas DataFrames for the Python API; the summary workbook is written by
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
from .intake.folder import expand_paths
from .issues import ERROR, WARNING, FileReport, Issue, Status, make_issue, quote
from .messages import Localized, phrase
from .numbers import format_number, format_percent
from .roster import Roster
from .text import normalise_code

if TYPE_CHECKING:  # pandas is imported only when a table is asked for
    import pandas as pd

__all__ = ["MergeResult", "UnitRow", "Verdict", "merge", "merge_reports"]


@dataclass(eq=False)
class Verdict:
    """What a round decides of one file: its status among the files of its unit, and what the
    merge said of it (``notes``: a duplicate, a superseded file, a tie). The report itself is
    untouched: a file's issues are ``report.issues`` + ``notes``."""

    report: FileReport
    status: Status
    notes: list[Issue] = field(default_factory=list)

    # What the file said, through the verdict: the summary and the account read both.
    @property
    def path(self) -> str:
        return self.report.path

    @property
    def name(self) -> str:
        return self.report.name

    @property
    def sha256(self) -> str:
        return self.report.sha256

    @property
    def unit_code(self) -> str:
        return self.report.unit_code

    @property
    def fmt(self) -> str:
        return self.report.fmt

    @property
    def readable(self) -> bool:
        return self.report.readable

    @property
    def values(self) -> dict[str, Any]:
        return self.report.values

    @property
    def docs(self) -> list[dict[str, Any]]:
        return self.report.docs

    @property
    def saved_at(self) -> dt.datetime | None:
        return self.report.saved_at

    @property
    def report_date(self) -> Any:
        return self.report.report_date

    @property
    def issues(self) -> list[Issue]:
        return [*self.report.issues, *self.notes]

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == WARNING]

    def sorted_issues(self) -> list[Issue]:
        order = {ERROR: 0, WARNING: 1}
        return sorted(self.issues, key=lambda i: order.get(i.severity, 2))

    def to_dict(self, lang: str = "vi") -> dict[str, Any]:
        issues = [i.to_dict(lang) for i in self.sorted_issues()]
        return {**self.report.to_dict(lang), "status": self.status, "issues": issues}


@dataclass
class UnitRow:
    """One line of the summary: a unit, its accepted file (if any) and its values."""

    code: str
    name: str
    in_roster: bool
    report: Verdict | None = None  # the file that counts

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
    files: list[Verdict]
    rows: list[UnitRow]
    missing_units: list[str]
    totals: dict[str, Any]
    shared_numbers: dict[str, list[str]] = field(default_factory=dict)  # doc number → unit codes

    def files_of(self, unit_code: str) -> list[Verdict]:
        """Every file that named this unit, whatever its status."""
        if not hasattr(self, "_by_unit"):
            self._by_unit: dict[str, list[Verdict]] = defaultdict(list)
            for f in self.files:
                if f.unit_code:
                    self._by_unit[normalise_code(f.unit_code)].append(f)
        return self._by_unit.get(normalise_code(unit_code), [])

    @property
    def accepted(self) -> list[Verdict]:
        return [f for f in self.files if f.status == Status.ACCEPTED]

    @property
    def rejected(self) -> list[Verdict]:
        return [f for f in self.files if f.status == Status.REJECTED]

    @property
    def ok(self) -> bool:
        return not self.rejected

    def documents(self) -> list[dict[str, Any]]:
        out = []
        number = numbers_column(self.form)
        for row in self.rows:
            for doc in row.report.docs if row.report else []:
                key = doc_key(doc.get(number)) if number else ""
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
            {
                "path": f.path,
                "unit_code": f.unit_code,
                "status": f.status,
                "code": i.code,
                "severity": i.severity,
                "sheet": i.sheet,
                "cell": i.cell,
                "field": i.field,
                "message": i.text(lang),
            }
            for f in self.files
            for i in f.sorted_issues()
        ]
        return pd.DataFrame.from_records(
            records, columns=["path", "unit_code", "status", "code", "severity", "sheet", "cell", "field", "message"]
        )

    def files_frame(self) -> pd.DataFrame:
        import pandas as pd

        records = [
            {
                "path": f.path,
                "unit_code": f.unit_code,
                "status": f.status,
                "sha256": f.sha256,
                "report_date": report_date(f.report),
                "errors": len(f.errors),
                "warnings": len(f.warnings),
            }
            for f in self.files
        ]
        return pd.DataFrame.from_records(
            records, columns=["path", "unit_code", "status", "sha256", "report_date", "errors", "warnings"]
        )

    def to_dict(self, lang: str = "vi") -> dict[str, Any]:
        """The JSON of ``dv merge`` (docs/spec.md §5.11)."""
        return {
            "form": {"id": self.form.id, "version": self.form.version, "year": self.form.year},
            "files": [f.to_dict(lang) for f in self.files],
            "missing_units": list(self.missing_units),
            "totals": {k: v for k, v in self.totals.items()},
        }

    def json_bytes(self, lang: str = "vi", comparison: Any = None) -> bytes:
        """The JSON report file ``dv merge --json`` writes (docs/spec.md §5.11), as UTF-8 bytes;
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


def numbers_column(form: Form) -> str:
    """The code of the column holding each document's number (the form's doc-number role), or
    "" when no table has one: then no number is compared across units."""
    for table in form.tables.values():
        col = table.role_column("doc-number")
        if col is not None:
            return col.code
    return ""


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
    """Decide each file's verdict and compute the province's figures. The reports are not
    changed."""
    verdicts = [Verdict(r, r.status) for r in reports]
    _mark_duplicates(verdicts)
    winners = _pick_per_unit(verdicts, form)
    rows = _rows(winners, roster, form)
    missing = [r.code for r in rows if r.in_roster and not r.sent]
    totals = compute_totals(form, [r.values for r in rows if r.sent])
    result = MergeResult(form=form, roster=roster, files=verdicts, rows=rows, missing_units=missing, totals=totals)
    result.shared_numbers = _shared_numbers(rows, form)
    return result


def _mark_duplicates(verdicts: list[Verdict]) -> None:
    first: dict[str, Verdict] = {}
    # The original of identical copies: the shallowest path, then the first by name.
    for v in sorted(verdicts, key=lambda v: (len(Path(v.path).parts), str(v.path).casefold())):
        if v.status == Status.IGNORED or not v.sha256:
            continue
        original = first.setdefault(v.sha256, v)
        if original is not v:
            v.status = Status.DUPLICATE
            v.notes.append(make_issue("merge-duplicate", file=v.name, other=original.name))


def _pick_per_unit(verdicts: list[Verdict], form: Form) -> dict[str, Verdict]:
    by_unit: dict[str, list[Verdict]] = defaultdict(list)
    for v in verdicts:
        if v.status == Status.ACCEPTED and v.unit_code:
            by_unit[normalise_code(v.unit_code)].append(v)
    winners: dict[str, Verdict] = {}
    for unit, candidates in by_unit.items():
        # Later report date wins; on the same date, the file saved later (never the later name:
        # a browser names a second download "X (1).xlsx", which sorts before "X.xlsx").
        ordered = sorted(candidates, key=cmp_to_key(lambda a, b: _submission_order(a.report, b.report)))
        winner = ordered[-1]
        winners[unit] = winner
        win_date = report_date(winner.report)
        for loser in ordered[:-1]:
            loser.status = Status.SUPERSEDED
            lose_date = report_date(loser.report)
            if lose_date == win_date:
                basis = _saved_basis(winner.report, loser.report)
                reason = phrase("merge.reason.same_date", file=winner.name, basis=basis)
                diffs = differences(form, winner.report, loser.report)
                winner.notes.append(
                    make_issue(
                        "merge-tie",
                        unit=winner.unit_code,
                        value=format_number(win_date),
                        file=winner.name,
                        other=loser.name,
                        basis=basis,
                        diffs=diffs,
                    )
                )
            else:
                reason = phrase("merge.reason.older", date=format_number(lose_date), other=format_number(win_date))
            loser.notes.append(
                make_issue("merge-superseded", file=loser.name, unit=loser.unit_code, other=winner.name, reason=reason)
            )
    _settle_rejected(verdicts, winners, form)
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


def _saved_basis(winner: FileReport, other: FileReport) -> Localized:
    """Why ``winner`` counts as saved later, in words."""
    times = _save_times(winner, other)
    if times is not None and times[0] == "saved":
        return phrase("merge.basis.saved", won=_local(times[1]), lost=_local(times[2]))
    if times is not None:
        won, lost = (_local(dt.datetime.fromtimestamp(t)) for t in times[1:])
        return phrase("merge.basis.modified", won=won, lost=lost)
    return phrase("merge.basis.unknown")


_MAX_DIFFERENCES = 8


def differences(form: Form, used: FileReport, other: FileReport) -> Localized:
    """The figures that differ between two files of one unit: "label: used / other; …"."""
    parts: list[Localized] = []
    for f in form.fields:
        a, b = used.values.get(f.code), other.values.get(f.code)
        if a != b:
            parts.append(phrase("merge.diff.field", label=f.localized_label, used=_shown(f, a), other=_shown(f, b)))
    rows_a = [{k: v for k, v in d.items() if k != "_row"} for d in used.docs]
    rows_b = [{k: v for k, v in d.items() if k != "_row"} for d in other.docs]
    if rows_a != rows_b:
        key = "merge.diff.docs_content" if len(rows_a) == len(rows_b) else "merge.diff.docs"
        parts.append(phrase(key, used=len(rows_a), other=len(rows_b)))
    if not parts:
        return phrase("merge.diff.none")
    more = len(parts) - _MAX_DIFFERENCES
    if more > 0:
        parts = [*parts[:_MAX_DIFFERENCES], phrase("word.and_more", count=more)]
    return Localized(*("; ".join(p.render(lang) for p in parts) for lang in ("vi", "en")))


def _shown(f: Field, value: Any) -> Localized | str:
    if value is None:
        return phrase("merge.value.empty")
    if isinstance(value, str):
        return quote(value, 40)
    if f.type == "percent" and isinstance(value, int | float):
        return Localized(*(format_percent(value, lang=lang) for lang in ("vi", "en")))
    return Localized(*(quote(format_number(value, lang=lang), 40) for lang in ("vi", "en")))


def _settle_rejected(verdicts: list[Verdict], winners: dict[str, Verdict], form: Form) -> None:
    """A rejected file of a unit that also sent a valid one: an older rejected file was
    corrected by the valid one and is ``superseded``; a newer rejected file stays rejected,
    and the valid one that is used instead says so. A rejected file whose report date is
    wrong or missing cannot be placed by that date: the save times decide, and when it was
    saved after the valid file (or dv cannot tell), it stays rejected."""
    for v in verdicts:
        winner = winners.get(normalise_code(v.unit_code)) if v.unit_code else None
        if v.status != Status.REJECTED or winner is None or any(i.code == "unit-unknown" for i in v.issues):
            continue
        rejected_date, win_date = report_date(v.report), report_date(winner.report)
        bad_date = rejected_date is None or any(i.severity == ERROR and i.field == form.date_field for i in v.issues)
        order = saved_order(v.report, winner.report)
        if bad_date:
            shown = phrase("word.empty") if not rejected_date else format_number(rejected_date)
            if order < 0:
                v.status = Status.SUPERSEDED
                reason = phrase("merge.reason.bad_date", date=shown)
                v.notes.append(
                    make_issue("merge-superseded", file=v.name, unit=v.unit_code, other=winner.name, reason=reason)
                )
            else:
                winner.notes.append(
                    make_issue(
                        "merge-rejected-date", unit=winner.unit_code, file=winner.name, other=v.name, value=shown
                    )
                )
        elif rejected_date < win_date or (rejected_date == win_date and order <= 0):
            v.status = Status.SUPERSEDED
            reason = phrase("merge.reason.corrected")
            v.notes.append(
                make_issue("merge-superseded", file=v.name, unit=v.unit_code, other=winner.name, reason=reason)
            )
        else:
            winner.notes.append(
                make_issue(
                    "merge-newer-rejected",
                    unit=winner.unit_code,
                    file=winner.name,
                    other=v.name,
                    value=format_number(rejected_date),
                )
            )


def _rows(winners: dict[str, Verdict], roster: Roster | None, form: Form) -> list[UnitRow]:
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


def _shared_numbers(rows: list[UnitRow], form: Form) -> dict[str, list[str]]:
    number = numbers_column(form)
    units_by_number: dict[str, list[str]] = defaultdict(list)
    for row in rows if number else []:
        for doc in row.report.docs if row.report else []:
            key = doc_key(doc.get(number))
            if key and row.code not in units_by_number[key]:
                units_by_number[key].append(row.code)
    return {k: v for k, v in units_by_number.items() if len(v) > 1}
