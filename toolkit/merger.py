"""``dv merge`` (``toolkit.merge``): a folder of returned workbooks → which file counts for which unit → the
province's totals (docs/spec.md §5.8 and §2.13).

The library part: it returns a :class:`MergeResult` and writes nothing. Each file's report
stays what the file said; what the round decides of it is its :class:`Verdict`. Tables come
out as pandas DataFrames for the Python API; the summary workbook is written by
``toolkit.summary`` from the same result.
"""

from __future__ import annotations

import datetime as dt
import re
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
    """One line of the summary: a unit, its accepted file (if any) and its values; or the
    files between which dv cannot decide (``conflict``: nothing of the unit is merged)."""

    code: str
    name: str
    in_roster: bool
    report: Verdict | None = None  # the file that counts
    conflict: list[Verdict] = field(default_factory=list)  # valid files dv cannot choose between

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
    # The officer's choices (``use=``) that could not be applied, in words: nothing of that name
    # or SHA-256, or a file rejected for errors of its own.
    use_problems: list[Localized] = field(default_factory=list)

    def files_of(self, unit_code: str) -> list[Verdict]:
        """Every file that named this unit, whatever its status: by its template (or code cell),
        or, for a ``unit-conflict`` file, by its other evidence."""
        if not hasattr(self, "_by_unit"):
            self._by_unit: dict[str, list[Verdict]] = defaultdict(list)
            for f in self.files:
                for code in dict.fromkeys(c for c in (f.unit_code, f.report.other_unit) if c):
                    self._by_unit[normalise_code(code)].append(f)
        return self._by_unit.get(normalise_code(unit_code), [])

    @property
    def accepted(self) -> list[Verdict]:
        return [f for f in self.files if f.status == Status.ACCEPTED]

    @property
    def rejected(self) -> list[Verdict]:
        return [f for f in self.files if f.status == Status.REJECTED]

    @property
    def conflicts(self) -> dict[str, list[Verdict]]:
        """The units dv cannot decide between whose valid files, and those files."""
        return {r.code: r.conflict for r in self.rows if r.conflict}

    @property
    def unit_conflicts(self) -> list[Verdict]:
        """Files whose template names one unit and whose other evidence another."""
        return [f for f in self.files if f.status == Status.UNIT_CONFLICT]

    @property
    def ok(self) -> bool:
        """Every file accepted or accounted for: nothing rejected, nothing left for the
        officer to decide (the exit code of ``dv merge`` is 1 otherwise)."""
        return not (self.rejected or self.conflicts or self.unit_conflicts or self.use_problems)

    def documents(self) -> list[dict[str, Any]]:
        """Every document of every accepted unit; ``issued_by`` names, for a roll-up's document,
        the unit below that issued it (from the roll-up's provenance), else ""."""
        out = []
        number = numbers_column(self.form)
        for row in self.rows:
            prov = row.report.report.rollup if row.report else None
            for position, doc in enumerate(row.report.docs if row.report else [], start=1):
                key = doc_key(doc.get(number)) if number else ""
                others = [u for u in self.shared_numbers.get(key, []) if u != row.code]
                issuer = prov.issuer_of(position) if prov is not None else None
                issued_by = f"{issuer.unit_code} ({issuer.unit_name})" if issuer is not None else ""
                out.append(
                    {"unit_code": row.code, "unit_name": row.name, **doc, "shared_with": others, "issued_by": issued_by}
                )
        return out

    @property
    def rollups(self) -> list[UnitRow]:
        """The units whose file that counts is a roll-up of a level below (docs/spec.md §9)."""
        return [r for r in self.rows if r.report is not None and r.report.report.rollup is not None]

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
            "conflict_units": {code: [f.path for f in files] for code, files in self.conflicts.items()},
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
    root: str | Path | None = None,
    use: Iterable[str] = (),
) -> MergeResult:
    """Check every file under ``paths`` and merge the accepted ones.

    ``form`` is a Form, a form id or a path (default: the packaged form). Files are named in
    messages by their path relative to ``root`` (default: the one folder given), so two
    ``STTTT.xlsx`` of two sub-folders are never confused. ``use``: the officer's choices (see
    :func:`merge_reports`). Returns the result; writes nothing.
    """
    the_form = form if isinstance(form, Form) else load_form(form)
    paths = list(paths)
    if root is None and len(paths) == 1 and Path(paths[0]).is_dir():
        root = paths[0]
    files, _missing = expand_paths(paths)
    if on_start:
        on_start(len(files))
    reports = check_files(files, the_form, roster, jobs=jobs, progress=progress, root=root)
    return merge_reports(reports, the_form, roster, use=use)


def merge_reports(
    reports: Sequence[FileReport],
    form: Form,
    roster: Roster | None = None,
    *,
    use: Iterable[str] = (),
    by_arrival: bool = False,
) -> MergeResult:
    """Decide each file's verdict and compute the province's figures. The reports are not
    changed.

    Never a guess (docs/spec.md §8): of two valid files of a unit with different figures, the
    later counts only when the files' evidence agrees on which is later; otherwise both are
    ``conflict`` and nothing of the unit is merged. ``use`` is the officer's decision: paths (as
    given or as the reports name them) or SHA-256s (12 hex digits or more) of files that count
    for their unit whatever their dates; a ``unit-conflict`` file so chosen counts for the unit
    its template names. ``by_arrival``: the reports are in the order each unit sent them through
    its own link (the portal), and the later is the unit's intent, whatever the files' dates.
    """
    verdicts = [Verdict(r, r.status) for r in reports]
    _mark_duplicates(verdicts)
    chosen, problems = _chosen(verdicts, use)
    arrival = {id(v): i for i, v in enumerate(verdicts)} if by_arrival else None
    winners, conflicts = _pick_per_unit(verdicts, form, chosen, arrival)
    _counted_once(winners, form)
    _settle_rejected(verdicts, winners, form, arrival)
    rows = _rows(winners, conflicts, roster, form)
    missing = [r.code for r in rows if r.in_roster and not r.sent and not r.conflict]
    totals = compute_totals(form, [r.values for r in rows if r.sent])
    result = MergeResult(form=form, roster=roster, files=verdicts, rows=rows, missing_units=missing, totals=totals)
    result.shared_numbers = _shared_numbers(rows, form)
    result.use_problems = problems
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


# -- the officer's choice ------------------------------------------------------------------------

_SHA_PREFIX = re.compile(r"[0-9a-fA-F]{12,64}")


def _names_file(v: Verdict, choice: str) -> bool:
    """Whether the officer's ``choice`` (a path, a name as messages give it, a SHA-256) is ``v``."""
    if _SHA_PREFIX.fullmatch(choice) and v.sha256.startswith(choice.lower()):
        return True
    if choice in (v.path, v.name):
        return True
    try:
        return Path(choice).resolve() == Path(v.path).resolve()
    except (OSError, RuntimeError, ValueError):
        return False


def _usable(v: Verdict) -> bool:
    """A file the officer may choose: valid, or in doubt only over its unit (unit-conflict)."""
    if v.status == Status.ACCEPTED:
        return True
    return v.status == Status.UNIT_CONFLICT and all(i.code == "unit-conflict" for i in v.errors)


def _chosen(verdicts: list[Verdict], use: Iterable[str]) -> tuple[set[int], list[Localized]]:
    """The files the officer chose (by ``id``), and the choices that name no usable file."""
    ids: set[int] = set()
    problems: list[Localized] = []
    for raw in use:
        choice = str(raw).strip()
        hits = [v for v in verdicts if _names_file(v, choice)]
        if not hits:
            problems.append(phrase("merge.use.unknown", value=choice))
            continue
        # A duplicate's original is the same bytes: choosing either chooses the original.
        shas = {v.sha256 for v in hits if v.sha256}
        usable = [v for v in verdicts if (v in hits or v.sha256 in shas) and _usable(v)]
        if not usable:
            problems.append(
                phrase("merge.use.not_usable", file=hits[0].name, status=phrase(f"status.{hits[0].status.value}"))
            )
            continue
        ids.update(id(v) for v in usable)
    return ids, problems


# -- which file of a unit counts ---------------------------------------------------------------------


def _later(a: Verdict, b: Verdict, arrival: dict[int, int] | None) -> int | None:
    """1 when ``a`` is the unit's later submission, -1 when ``b`` is, None when the evidence
    cannot tell. By arrival (the portal): the later upload. Otherwise the later report date,
    unless the workbooks' own save times say the opposite; on the same date the save order
    (the workbooks' times, else the files' modification times)."""
    if arrival is not None:
        return 1 if arrival[id(a)] > arrival[id(b)] else -1
    date_a, date_b = report_date(a.report), report_date(b.report)
    if date_a != date_b:
        by_date = 1 if (date_a or dt.date.min) > (date_b or dt.date.min) else -1
        saved_a, saved_b = a.saved_at, b.saved_at
        by_saved = 0 if saved_a is None or saved_b is None or saved_a == saved_b else (1 if saved_a > saved_b else -1)
        if by_saved and by_saved != by_date:
            return None  # a correction dated earlier, or a date typed month first
        return by_date
    return saved_order(a.report, b.report) or None


def _counted_once(winners: dict[str, Verdict], form: Form) -> None:
    """Across levels (docs/spec.md §9.4): two files that count whose figures overlap — a unit's
    file on its own and inside a roll-up, a file inside two roll-ups — are both kept out until
    the officer removes one (never a guess which way the figures should be counted)."""
    from .levels import counted_twice

    units = list(winners)
    files = [winners[u] for u in units]
    if not any(f.report.rollup is not None for f in files):
        return
    for a, b, issue in counted_twice(files, form.roster_name):
        for i in (a, b):
            files[i].status = Status.REJECTED
            files[i].notes.append(issue)
            winners.pop(units[i], None)


def _pick_per_unit(
    verdicts: list[Verdict], form: Form, chosen: set[int], arrival: dict[int, int] | None
) -> tuple[dict[str, Verdict], dict[str, list[Verdict]]]:
    """Each unit's file that counts, and the units whose valid files dv cannot decide between."""
    by_unit: dict[str, list[Verdict]] = defaultdict(list)
    for v in verdicts:
        if v.unit_code and (v.status == Status.ACCEPTED or id(v) in chosen):
            by_unit[normalise_code(v.unit_code)].append(v)
    winners: dict[str, Verdict] = {}
    conflicts: dict[str, list[Verdict]] = {}
    for unit, candidates in by_unit.items():
        picked = [v for v in candidates if id(v) in chosen]
        pool = picked or candidates
        for v in picked:
            v.status = Status.ACCEPTED  # the officer vouches for it (a unit-conflict file: for its template's unit)
        if arrival is not None:
            ordered = sorted(pool, key=lambda v: arrival[id(v)])
        else:
            # Later report date first, then the file saved later (never the later name: a browser
            # names a second download "X (1).xlsx", which sorts before "X.xlsx").
            ordered = sorted(pool, key=cmp_to_key(lambda a, b: _submission_order(a.report, b.report)))
        top = ordered[-1]
        rivals = [c for c in ordered[:-1] if _differ(form, top, c) and _later(top, c, arrival) != 1]
        for v in candidates:
            if v not in pool:
                v.status = Status.SUPERSEDED
                reason = phrase("merge.reason.chosen", file=top.name)
                v.notes.append(
                    make_issue("merge-superseded", file=v.name, unit=v.unit_code, other=top.name, reason=reason)
                )
        if rivals:
            conflicts[unit] = [top, *rivals]
            for v in conflicts[unit]:
                v.status = Status.CONFLICT
            for rival in rivals:
                issue = _conflict_issue(form, top, rival)
                top.notes.append(issue)
                rival.notes.append(issue)
            losers = [v for v in ordered[:-1] if v not in rivals]
        else:
            winners[unit] = top
            losers = ordered[:-1]
            if picked:
                how = phrase("merge.how.portal" if arrival is not None else "merge.how.use")
                top.notes.append(make_issue("merge-chosen", file=top.name, unit=top.unit_code, how=how))
        for loser in losers:
            _supersede(form, top, loser, arrival, tie=not rivals)
    return winners, conflicts


def _supersede(form: Form, winner: Verdict, loser: Verdict, arrival: dict[int, int] | None, *, tie: bool) -> None:
    """``loser`` is an older submission than ``winner`` (or the same figures): said on both."""
    loser.status = Status.SUPERSEDED
    win_date, lose_date = report_date(winner.report), report_date(loser.report)
    if arrival is not None:
        reason = phrase("merge.reason.arrival", file=winner.name)
    elif lose_date == win_date:
        basis = _saved_basis(winner.report, loser.report)
        reason = phrase("merge.reason.same_date", file=winner.name, basis=basis)
        if tie:
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


def _differ(form: Form, a: Verdict, b: Verdict) -> bool:
    """Whether two files of a unit say different things (a figure, a text, a document)."""
    return bool(_difference_parts(form, a.report, b.report))


def _facts(report: FileReport) -> Localized:
    """What dv knows of when a file was made: its report date and its own save time."""
    date = format_number(report_date(report)) if report_date(report) else phrase("word.empty")
    if report.saved_at is None:
        return phrase("merge.facts.unsaved", date=date)
    return phrase("merge.facts.saved", date=date, saved=_local(report.saved_at))


def _conflict_issue(form: Form, a: Verdict, b: Verdict) -> Issue:
    """``merge-conflict``: two valid files of a unit, both readings, and how to decide."""
    date_a, date_b = report_date(a.report), report_date(b.report)
    if date_a != date_b:
        dated, saved = (a, b) if (date_a or dt.date.min) > (date_b or dt.date.min) else (b, a)
        why = phrase("merge.why.disagree", dated=dated.name, saved=saved.name)
    else:
        why = phrase("merge.why.no_time", date=format_number(date_a) if date_a else phrase("word.empty"))
    return make_issue(
        "merge-conflict",
        unit=a.unit_code,
        file=a.name,
        other=b.name,
        facts=_facts(a.report),
        other_facts=_facts(b.report),
        why=why,
        diffs=differences(form, a.report, b.report),
        path=a.path,
        other_path=b.path,
    )


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
    """Why ``winner`` counts as saved later, in words: the workbooks' save times; else the
    modification times, saying why the save times did not tell (the same in both, or which
    file records none: never "no save time" of files that record one)."""
    times = _save_times(winner, other)
    if times is not None and times[0] == "saved":
        return phrase("merge.basis.saved", won=_local(times[1]), lost=_local(times[2]))
    if times is not None:
        won, lost = (_local(dt.datetime.fromtimestamp(t)) for t in times[1:])
        unsaved = [r.name for r in (winner, other) if r.saved_at is None]
        if unsaved:
            why = phrase("merge.basis.no_save_time", files=", ".join(unsaved))
        else:
            why = phrase("merge.basis.same_save_time", saved=_local(winner.saved_at))  # type: ignore[arg-type]
        return phrase("merge.basis.modified", won=won, lost=lost, why=why)
    return phrase("merge.basis.unknown")


_MAX_DIFFERENCES = 8


def _difference_parts(form: Form, used: FileReport, other: FileReport) -> list[Localized]:
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
    return parts


def differences(form: Form, used: FileReport, other: FileReport) -> Localized:
    """The figures that differ between two files of one unit: "label: used / other; …"."""
    parts = _difference_parts(form, used, other)
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


def _settle_rejected(
    verdicts: list[Verdict], winners: dict[str, Verdict], form: Form, arrival: dict[int, int] | None
) -> None:
    """A rejected file of a unit that also sent a valid one: an older rejected file was
    corrected by the valid one and is ``superseded``; a newer rejected file stays rejected,
    and the valid one that is used instead says so. A rejected file whose report date is
    wrong or missing cannot be placed by that date: the save times decide, and when it was
    saved after the valid file (or dv cannot tell), it stays rejected. By arrival (the
    portal), the upload order decides."""
    for v in verdicts:
        winner = winners.get(normalise_code(v.unit_code)) if v.unit_code else None
        if v.status != Status.REJECTED or winner is None or any(i.code == "unit-unknown" for i in v.issues):
            continue
        rejected_date, win_date = report_date(v.report), report_date(winner.report)
        if arrival is not None:
            order = -1 if arrival[id(v)] < arrival[id(winner)] else 1
        else:
            order = saved_order(v.report, winner.report)
        corrected = phrase("merge.reason.corrected")
        if not v.report.values:
            # Not read past its form (last year's template…): only the order tells.
            if order < 0:
                v.status = Status.SUPERSEDED
                v.notes.append(
                    make_issue("merge-superseded", file=v.name, unit=v.unit_code, other=winner.name, reason=corrected)
                )
            continue
        bad_date = rejected_date is None or any(i.severity == ERROR and i.field == form.date_field for i in v.issues)
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
        elif (arrival is not None and order < 0) or (
            arrival is None and (rejected_date < win_date or (rejected_date == win_date and order <= 0))
        ):
            v.status = Status.SUPERSEDED
            v.notes.append(
                make_issue("merge-superseded", file=v.name, unit=v.unit_code, other=winner.name, reason=corrected)
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


def _rows(
    winners: dict[str, Verdict], conflicts: dict[str, list[Verdict]], roster: Roster | None, form: Form
) -> list[UnitRow]:
    rows: list[UnitRow] = []
    seen: set[str] = set()
    for unit in roster.units if roster else ():
        key = normalise_code(unit.code)
        rows.append(UnitRow(unit.code, unit.name, True, winners.get(key), list(conflicts.get(key, ()))))
        seen.add(key)
    for code in sorted(code for code in {*winners, *conflicts} if code not in seen):
        report = winners.get(code)
        files = conflicts.get(code, [])
        name = str((report or files[0]).values.get(form.roster_name) or "")
        rows.append(UnitRow(code, name, False, report, list(files)))
    return rows


def compute_totals(form: Form, values: list[dict[str, Any]]) -> dict[str, Any]:
    """Sums per field; rates recomputed from the sums by the field's ``total`` expression. A
    field no accepted unit gave a value for has no total (None: "chưa có số liệu"), and nor
    has a rate computed from such a field: never 0 or 0 % computed from nothing."""
    totals: dict[str, Any] = {}
    for f in form.summable_fields:
        if f.total is None:
            given = [v[f.code] for v in values if v.get(f.code) is not None]
            totals[f.code] = sum(given) if given else None
    for f in form.summable_fields:
        if f.total is not None:
            if not values or any(totals.get(name) is None for name in f.total.names if name in totals):
                totals[f.code] = None
                continue
            try:
                totals[f.code] = f.total.evaluate(totals)
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
