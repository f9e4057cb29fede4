"""Terminal rendering of reports (rich). Only the CLI imports this."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .issues import ERROR, FileReport, Status
from .messages import t

if TYPE_CHECKING:
    from .form.loader import FormCheck
    from .merger import MergeResult
    from .rollup import RollUp

_STATUS_STYLE = {
    "accepted": "green",
    "rejected": "bold red",
    "ignored": "dim",
    "duplicate": "yellow",
    "superseded": "yellow",
    "conflict": "bold red",
    "unit-conflict": "bold red",
}


# Issues of an accepted file that the merge account prints: why another file of its unit was not used.
_ACCOUNT_NOTES = ("merge-tie", "merge-chosen", "merge-newer-rejected", "merge-rejected-date")


def status_text(status: str, lang: str) -> str:
    return Status(status).text(lang)


def render_reports(console: Console, reports: Sequence[FileReport], lang: str) -> None:
    for report in reports:
        n_err, n_warn = len(report.errors), len(report.warnings)
        head = Text()
        mark = "– " if report.status == "ignored" else ("✗ " if n_err else "✓ ")
        head.append(mark, style="red" if n_err else ("dim" if report.status == "ignored" else "green"))
        head.append(report.path, style="bold")
        if report.unit_code:
            head.append(f" — {report.unit_code}")
        head.append(f" — {status_text(report.status, lang)}", style=_STATUS_STYLE.get(report.status, ""))
        head.append(" " + t("check.counts", lang, errors=n_err, warnings=n_warn), style="dim")
        console.print(head)
        if not report.issues:
            continue
        table = Table(show_header=True, header_style="bold", expand=False, pad_edge=False, box=None)
        table.add_column(t("col.severity", lang), no_wrap=True)
        table.add_column(t("col.cell", lang), no_wrap=True)
        table.add_column(t("col.code", lang), no_wrap=True, style="dim")
        table.add_column(t("col.message", lang), overflow="fold")
        for issue in report.sorted_issues():
            sev = t("severity.error" if issue.severity == ERROR else "severity.warning", lang)
            table.add_row(
                Text(sev, style="red" if issue.severity == ERROR else "yellow"),
                issue.where,
                issue.code,
                issue.text(lang),
            )
        console.print(table)
        console.print()


def render_form_check(console: Console, check: FormCheck, lang: str) -> None:
    """What ``dv form check`` says: the form, or each problem at its cell or entry."""
    if check.ok and check.form is not None:
        form = check.form
        rules = len(form.rules) + sum(len(t.rules) for t in form.tables.values())
        console.print(
            t(
                "form.check.ok",
                lang,
                path=check.path,
                id=form.id,
                version=form.version,
                year=form.year,
                fields=len(form.fields),
                rules=rules,
            ),
            style="green",
            highlight=False,
        )
        console.print(t("form.check.next", lang, path=check.path), highlight=False)
        return
    console.print(t("form.check.problems", lang, path=check.path, count=len(check.errors)), style="bold red")
    table = Table(show_header=True, header_style="bold", expand=False, pad_edge=False, box=None)
    table.add_column(t("col.code", lang), no_wrap=True, style="dim")
    table.add_column(t("col.message", lang), overflow="fold")
    for issue in check.issues:
        table.add_row(issue.code, issue.text(lang))
    console.print(table)


def render_summary(console: Console, reports: Sequence[FileReport], lang: str) -> None:
    counts: dict[str, int] = {}
    for r in reports:
        counts[r.status] = counts.get(r.status, 0) + 1
    parts = [f"{status_text(s, lang)}: {n}" for s, n in counts.items()]
    console.print(t("check.summary", lang, files=len(reports), parts=", ".join(parts)))


def _say(console: Console, lang: str, key: str, style: str = "yellow", **params: Any) -> None:
    """One line of the account: the catalogue's ``key``, never read as markup."""
    console.print(t(key, lang, **params), style=style, highlight=False, markup=False)


def render_merge(
    console: Console,
    result: MergeResult,
    out: Path | None,
    json_path: Path | None,
    lang: str,
    *,
    verbose: bool = False,
) -> None:
    """The short account a Home Affairs officer reads after a merge: what was rejected, what
    waits for the officer's decision, which file counts for a unit that sent several (one line
    per unit when a unit sent many: every file with ``verbose``, and always in the JSON)."""

    from .numbers import format_number, format_percent

    counts = {s: 0 for s in ("accepted", "rejected", "duplicate", "superseded", "ignored")}
    extra = {s: 0 for s in (Status.CONFLICT, Status.UNIT_CONFLICT)}
    for f in result.files:
        if f.status in extra:
            extra[f.status] += 1
        else:
            counts[f.status] = counts.get(f.status, 0) + 1
    more = "".join(t("merge.account_extra", lang, count=n, status=status_text(s, lang)) for s, n in extra.items() if n)
    missing = ", ".join(result.missing_units) or t("none", lang)
    console.print(t("merge.account", lang, files=len(result.files), missing=missing, extra=more, **counts))
    for f in result.files:
        if f.status == "rejected":
            first = f.errors[0] if f.errors else None
            _say(
                console,
                lang,
                "merge.rejected_line",
                "red",
                file=f.name,
                unit=f.unit_code or "?",
                reason=first.text(lang) if first else "",
            )
    for f in result.accepted:
        prov = f.report.rollup
        if prov is not None:
            partial = "" if prov.settled else t("merge.rollup_partial", lang)
            _say(
                console,
                lang,
                "merge.rollup_line",
                "cyan",
                file=f.name,
                unit=f.unit_code,
                units=prov.units,
                leaves=len(prov.leaves()),
                generator=prov.generator,
                partial=partial,
            )
    # What the officer must decide: both readings, and the one step that decides.
    for code, files in result.conflicts.items():
        _say(console, lang, "merge.conflict_unit", "bold red", unit=code, count=len(files))
        seen: set[int] = set()
        for f in files:
            for issue in (i for i in f.notes if i.code == "merge-conflict" and id(i) not in seen):
                seen.add(id(issue))
                _say(console, lang, "merge.conflict_line", "red", reason=issue.text(lang))
    for f in result.unit_conflicts:
        for issue in (i for i in f.issues if i.code == "unit-conflict"):
            _say(console, lang, "merge.conflict_line", "red", reason=issue.text(lang))
    for problem in result.use_problems:
        _say(console, lang, "merge.conflict_line", "red", reason=problem.render(lang))
    _render_replaced(console, result, lang, verbose)
    for f in result.files:
        if f.status == "ignored":
            _say(console, lang, "merge.ignored_line", "dim", reason=f.issues[0].text(lang) if f.issues else "")
    console.print(t("merge.totals", lang, line=""), highlight=False)
    for f in result.form.summable_fields:
        value = result.totals.get(f.code)
        unit = (f.unit_en or f.unit) if lang == "en" else f.unit
        if value is None:
            shown, unit = t("merge.no_data", lang), ""
        else:
            shown = format_percent(value, lang=lang) if f.type == "percent" else format_number(value, lang=lang)
        console.print(f"  {f.text(lang)}: {shown} {unit if f.type != 'percent' else ''}".rstrip(), highlight=False)
    if out is not None:
        console.print(t("merge.written", lang, path=out), style="green", highlight=False)
    if json_path is not None:
        console.print(t("merge.json_written", lang, path=json_path), highlight=False)


# At most this many lines per unit for its superseded and duplicate files, and as many for the
# notes of the file that counts; beyond, one line says how many (a unit that sent 500 versions).
UNIT_LINES = 3


def _render_replaced(console: Console, result: MergeResult, lang: str, verbose: bool) -> None:
    """Which file counts, when a unit sent several: said here, not only in the summary."""
    replaced: dict[str, list[Any]] = {}
    for f in result.files:
        if f.status in ("superseded", "duplicate"):
            replaced.setdefault(f.unit_code, []).append(f)
    for unit, files in replaced.items():
        if verbose or len(files) <= UNIT_LINES or not unit:
            for f in files:
                code = "merge-superseded" if f.status == "superseded" else "merge-duplicate"
                for issue in (i for i in f.issues if i.code == code):
                    _say(console, lang, "merge.superseded_line", reason=issue.text(lang))
            continue
        used = next((r.report for r in result.rows if r.report and r.code == unit), None)
        _say(
            console,
            lang,
            "merge.replaced_unit",
            unit=unit,
            superseded=sum(1 for f in files if f.status == "superseded"),
            duplicate=sum(1 for f in files if f.status == "duplicate"),
            used=used.name if used is not None else t("none", lang),
        )
    notes: dict[str, list[str]] = {}
    for f in result.accepted:
        notes.setdefault(f.unit_code, []).extend(i.text(lang) for i in f.issues if i.code in _ACCOUNT_NOTES)
    for unit, texts in notes.items():
        shown = texts if verbose else texts[:UNIT_LINES]
        for text in shown:
            _say(console, lang, "merge.note_line", reason=text)
        if len(texts) > len(shown):
            _say(console, lang, "merge.notes_more", unit=unit, count=len(texts) - len(shown))


def render_rollup(console: Console, rollup: RollUp, path: Path, lang: str) -> None:
    """What ``dv roll-up`` says once the file is written: where, what it rolls up, each figure
    filled in, what was typed and what is left for the officer to type."""
    from .rollup import shown

    form = rollup.form
    unit = t("rollup.unit", lang, unit=rollup.unit_code) if rollup.unit_code else ""
    documents = t("rollup.documents", lang, count=rollup.documents) if rollup.tables else ""
    said = t(
        "rollup.written",
        lang,
        path=path,
        form=form.id,
        version=form.version,
        unit=unit,
        units=rollup.units,
        documents=documents,
    )
    console.print(said, style="green", highlight=False)
    console.print(t("rollup.figures", lang), highlight=False)
    for f in form.fields:
        if f.code in rollup.values and f.rollup in ("sum", "recompute"):
            unit_word = ((f.unit_en or f.unit) if lang == "en" else f.unit) if f.type != "percent" else ""
            value = shown(f, rollup.values[f.code], lang)
            console.print(f"  {f.text(lang)}: {value} {unit_word}".rstrip(), highlight=False)
    if rollup.typed:
        console.print(t("rollup.typed", lang), highlight=False)
        for code, value in rollup.typed.items():
            f = form.field(code)
            console.print(
                f"  {f.text(lang)}: {shown(f, value, lang) if f.type in ('integer', 'percent') else _plain(value)}",
                highlight=False,
            )
    if rollup.open:
        problems = "\n".join(f"  - {p.render(lang)}" for p in rollup.open)
        _say(console, lang, "rollup.partial", problems=problems)
    if rollup.left:
        fields = ", ".join(f"{f.text(lang)} ({f.cell})" for f in rollup.left)
        _say(console, lang, "rollup.left", fields=fields)
    if not rollup.check.errors:
        console.print(t("rollup.ready", lang), style="green", highlight=False)


def _plain(value: Any) -> str:
    from .numbers import format_number

    return format_number(value) if not isinstance(value, str) else value
