"""``dv check --annotate``: a copy of a workbook with each faulty cell highlighted and a
comment explaining the issue, to send back to the unit. The input is never touched.

The copy comes back corrected: it is the unit's form with colours and comments, and dv reads
it as a submission. It records, in the form's metadata sheet (which dv's reader reads anyway),
the SHA-256 of the file it annotates (``annotates``) and a digest of that file's figures
(``annotated_values``): a copy whose figures are still exactly those is dv's own output, listed
as such and never merged twice (docs/spec.md §8.2)."""

from __future__ import annotations

import io
from collections import defaultdict
from pathlib import Path
from typing import Any

from .fsutil import atomic_write
from .issues import ERROR, FileReport

__all__ = ["annotated_bytes", "annotated_path", "annotate"]

_FILL = {ERROR: "FFC7CE", "warning": "FFEB9C"}


def annotated_path(path: Path) -> Path:
    """``seed.xlsx`` → ``seed.kiem-tra.xlsx``; any other extension stays in the name
    (``seed.xlsm`` → ``seed.xlsm.kiem-tra.xlsx``), so that two inputs of one folder never
    share a copy."""
    name = path.stem if path.suffix == ".xlsx" else path.name
    return path.with_name(f"{name}.kiem-tra.xlsx")


def annotate(report: FileReport, *, force: bool = False, lang: str = "vi") -> Path | None:
    """Write the annotated copy next to the input; None when there is nothing to mark or
    the file is not an xlsx/xlsm openpyxl can rewrite."""
    source = Path(report.path)
    data = annotated_bytes(report, source, lang=lang)
    if data is None:
        return None
    return atomic_write(annotated_path(source), data, force=force)


def annotated_bytes(report: FileReport, source: Path, *, lang: str = "vi") -> bytes | None:
    """The annotated copy of the workbook at ``source`` (the file ``report`` is about), as
    bytes; None when there is nothing to mark or the file is not an xlsx/xlsm."""
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    marked = [i for i in report.issues if i.sheet and i.cell]
    if not marked or report.fmt not in ("xlsx", "xlsm"):
        return None
    # From its bytes: openpyxl goes by the name's extension, and an input named "seed" (or a
    # stored upload) is an xlsx all the same, as dv read it.
    wb = openpyxl.load_workbook(io.BytesIO(Path(source).read_bytes()))
    by_cell: dict[tuple[str, str], list] = defaultdict(list)
    for issue in marked:
        by_cell[(issue.sheet, issue.cell)].append(issue)
    for (sheet, cell), issues in by_cell.items():
        if sheet not in wb.sheetnames:
            continue
        target_cell = wb[sheet][cell]
        worst = ERROR if any(i.severity == ERROR for i in issues) else "warning"
        target_cell.fill = PatternFill("solid", start_color=_FILL[worst], end_color=_FILL[worst])
        labels = ("Lỗi", "Lưu ý") if lang != "en" else ("Error", "Warning")
        text = "\n\n".join(f"[{labels[0] if i.severity == ERROR else labels[1]}] {i.text(lang)}" for i in issues)
        comment = Comment(text, "dv")
        comment.width, comment.height = 360, min(60 + 18 * len(text) // 40, 400)
        target_cell.comment = comment
    _record_source(wb, report)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# The metadata sheet's keys of an annotated copy (docs/spec.md §4.6).
ANNOTATES, ANNOTATED_VALUES = "annotates", "annotated_values"


def _record_source(wb: Any, report: FileReport) -> None:
    """Which file the copy annotates, and what it said, in the metadata sheet's key/value rows
    (a copy of a copy: the keys are rewritten, never repeated)."""
    # The metadata sheet starts with the form's id (docs/spec.md §4.6), whatever its name.
    ws = next((ws for ws in wb.worksheets if ws.cell(row=1, column=1).value == "form_id"), None)
    if ws is None:
        return  # not a workbook of a form: nothing dv would merge anyway
    rows = {ws.cell(row=r, column=1).value: r for r in range(1, ws.max_row + 1)}
    for key, value in ((ANNOTATES, report.sha256), (ANNOTATED_VALUES, report.content_digest())):
        row = rows.get(key) or ws.max_row + 1
        ws.cell(row=row, column=1, value=key)
        ws.cell(row=row, column=2, value=value)
