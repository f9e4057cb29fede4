"""File → raw cell values, one reader for every format (xlsx, xlsm, xls, ods).

python-calamine reads the values (cached results for formula cells) of the sheets the form
uses; for xlsx/xlsm, openpyxl in read-only mode adds the two cell-level facts calamine does
not give: which input cells hold a formula, and where the defined names point.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook, SheetVisibleEnum

from .form import Form, col_index, col_letters

__all__ = ["RawBook", "read_raw", "assert_defused"]


def assert_defused() -> None:
    """openpyxl parses XML through defusedxml only when it is importable: make sure."""
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:  # pragma: no cover - defusedxml is a hard dependency
        raise RuntimeError("defusedxml is not installed: openpyxl would parse XML unprotected")


def _visibility(value: SheetVisibleEnum) -> str:
    # calamine's enum is not hashable: compare, don't look up.
    if value == SheetVisibleEnum.VeryHidden:
        return "veryhidden"
    return "hidden" if value == SheetVisibleEnum.Hidden else "visible"


@dataclass
class RawBook:
    fmt: str
    sheets: dict[str, list[list[Any]]] = field(default_factory=dict)
    visibility: dict[str, str] = field(default_factory=dict)
    formulas: dict[tuple[str, str], str] = field(default_factory=dict)  # (sheet, cell) → "=…"
    names: dict[str, str] = field(default_factory=dict)  # defined name → "sheet!$D$27"

    def value(self, sheet: str, cell: str) -> Any:
        """The raw value at ``cell`` ("D27"); None when empty or outside the data."""
        col = col_index("".join(ch for ch in cell if ch.isalpha()))
        row = int("".join(ch for ch in cell if ch.isdigit())) - 1
        rows = self.sheets.get(sheet)
        if rows is None or row >= len(rows) or col >= len(rows[row]):
            return None
        value = rows[row][col]
        return None if value == "" else value


def read_raw(path: Path, fmt: str, form: Form) -> RawBook:
    """Read the sheets ``form`` needs (main, tables, metadata) from ``path``."""
    book = RawBook(fmt=fmt)
    wanted = {form.layout.sheet, form.layout.meta_sheet, *(t.sheet for t in form.tables.values())}
    wb = CalamineWorkbook.from_path(str(path))
    try:
        for meta in wb.sheets_metadata:
            book.visibility[meta.name] = _visibility(meta.visible)
            if meta.name in wanted:
                book.sheets[meta.name] = wb.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
    finally:
        wb.close()
    if fmt in ("xlsx", "xlsm") and form.layout.sheet in book.sheets:
        _read_cell_facts(path, form, book)
    return book


def _read_cell_facts(path: Path, form: Form, book: RawBook) -> None:
    import openpyxl

    inputs = {f.cell for f in form.input_fields}
    rows = [f.row for f in form.input_fields]
    cols = [col_index(f.column) + 1 for f in form.input_fields]
    wb = openpyxl.load_workbook(path, read_only=True, data_only=False, keep_links=False)
    try:
        for name, defined in wb.defined_names.items():
            book.names[name] = defined.attr_text
        ws = wb[form.layout.sheet]
        for row in ws.iter_rows(min_row=min(rows), max_row=max(rows), min_col=min(cols), max_col=max(cols)):
            for cell in _cells(row):
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    ref = f"{col_letters(cell.column - 1)}{cell.row}"
                    if ref in inputs:
                        book.formulas[(form.layout.sheet, ref)] = cell.value
    finally:
        wb.close()


def _cells(row: Iterable[Any]) -> Iterable[Any]:
    return (c for c in row if getattr(c, "column", None) is not None)
