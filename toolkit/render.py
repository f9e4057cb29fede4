"""Terminal rendering of reports (rich). Only the CLI imports this."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .issues import ERROR, FileReport, Status
from .messages import t

if TYPE_CHECKING:
    from .form.loader import FormCheck
    from .merger import MergeResult

_STATUS_STYLE = {
    "accepted": "green",
    "rejected": "bold red",
    "ignored": "dim",
    "duplicate": "yellow",
    "superseded": "yellow",
}


# Issues of an accepted file that the merge account prints: why another file of its unit was not used.
_ACCOUNT_NOTES = ("merge-tie", "merge-newer-rejected", "merge-rejected-date")


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


def render_merge(console: Console, result: MergeResult, out: Path, json_path: Path | None, lang: str) -> None:
    """The short account a Home Affairs officer reads after a merge."""

    from .numbers import format_number, format_percent

    counts = {s: 0 for s in ("accepted", "rejected", "duplicate", "superseded", "ignored")}
    for f in result.files:
        counts[f.status] = counts.get(f.status, 0) + 1
    missing = ", ".join(result.missing_units) or t("none", lang)
    console.print(t("merge.account", lang, files=len(result.files), missing=missing, **counts))
    for f in result.files:
        if f.status == "rejected":
            first = f.errors[0] if f.errors else None
            console.print(
                t(
                    "merge.rejected_line",
                    lang,
                    file=f.name,
                    unit=f.unit_code or "?",
                    reason=first.text(lang) if first else "",
                ),
                style="red",
                highlight=False,
            )
    # Which file counts, when a unit sent several: said here, not only in the summary.
    for f in result.files:
        if f.status == "superseded":
            for issue in (i for i in f.issues if i.code == "merge-superseded"):
                console.print(
                    t("merge.superseded_line", lang, reason=issue.text(lang)),
                    style="yellow",
                    highlight=False,
                    markup=False,
                )
    for f in result.accepted:
        for issue in (i for i in f.issues if i.code in _ACCOUNT_NOTES):
            console.print(
                t("merge.note_line", lang, reason=issue.text(lang)), style="yellow", highlight=False, markup=False
            )
    for f in result.files:
        if f.status == "ignored":
            console.print(
                t("merge.ignored_line", lang, file=f.name, reason=f.issues[0].text(lang) if f.issues else ""),
                style="dim",
                highlight=False,
            )
    console.print(t("merge.totals", lang, line=""), highlight=False)
    for f in result.form.summable_fields:
        value = result.totals.get(f.code)
        shown = format_percent(value, lang=lang) if f.type == "percent" else format_number(value, lang=lang)
        unit = (f.unit_en or f.unit) if lang == "en" else f.unit
        console.print(f"  {f.text(lang)}: {shown} {unit if f.type != 'percent' else ''}".rstrip(), highlight=False)
    console.print(t("merge.written", lang, path=out), style="green", highlight=False)
    if json_path is not None:
        console.print(t("merge.json_written", lang, path=json_path), highlight=False)
