"""The tables the portal hands out — the event log (CSV), ``links.csv``, a submission's list of
issues (xlsx) — with every text cell through one neutraliser: a text a spreadsheet would take
for a formula (``=cmd|' /C calc'!A0`` sent as a forwarded address, a file name, a roster
name) is kept as text, whatever program opens the file or whatever format it is saved to next."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["neutral", "csv_bytes", "write_texts"]

# What starts a formula in Excel, LibreOffice or Google Sheets (OWASP "CSV injection"), the
# full-width forms some spreadsheets read as the same, and the tab and carriage return that
# hide one.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def neutral(value: Any) -> Any:
    """A text cell that cannot become a formula (a leading apostrophe); numbers stay numbers."""
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_START):
        return "'" + value
    return value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A CSV for Excel (UTF-8 with BOM, CRLF), every cell through :func:`neutral`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutral(h) for h in header])
    for row in rows:
        writer.writerow([neutral(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


def write_texts(ws: Any, row: int, texts: Sequence[Any], fmt: Any = None) -> None:
    """One row of text cells of an xlsxwriter sheet: through :func:`neutral`, as strings (never
    a formula, never a number)."""
    for col, text in enumerate(texts):
        ws.write_string(row, col, str(neutral("" if text is None else text)), fmt)
