"""File → raw cell values, one reader for every format (xlsx, xlsm, xls, ods).

python-calamine reads the values (cached results for formula cells) of the sheets the form
uses; for xlsx/xlsm, openpyxl in read-only mode adds the two cell-level facts calamine does
not give: which input cells hold a formula, and where the defined names point.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook, SheetVisibleEnum

from .form import Form, col_index

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


_MAX_OTHER_SHEETS = 16


def read_raw(path: Path, fmt: str, form: Form) -> RawBook:
    """Read the sheets ``form`` needs (main, tables, metadata) from ``path``."""
    book = RawBook(fmt=fmt)
    wanted = {form.layout.sheet, form.layout.meta_sheet, *(t.sheet for t in form.tables.values())}
    wb = CalamineWorkbook.from_path(str(path))
    try:
        metas = wb.sheets_metadata
        # A sheet of the form missing (renamed, or the sheets copied into a new workbook): the
        # other sheets are read too, so that the validator can say what happened.
        others = not wanted <= {m.name for m in metas}
        for meta in metas:
            book.visibility[meta.name] = _visibility(meta.visible)
            if meta.name in wanted or (others and len(book.sheets) < _MAX_OTHER_SHEETS):
                book.sheets[meta.name] = wb.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
    finally:
        wb.close()
    if fmt in ("xlsx", "xlsm") and (form.layout.sheet in book.sheets or others):
        _read_cell_facts(path, form, book)
    return book


def _read_cell_facts(path: Path, form: Form, book: RawBook) -> None:
    """Defined names and formulas in input cells, through openpyxl's own parsers.

    ``load_workbook`` (even read-only) parses styles and every sheet's size: ~9 ms a file.
    Its workbook parser and worksheet parser alone, on workbook.xml and the main sheet,
    give the same two facts in ~3 ms (measured on the filled template). Both parse through
    openpyxl's defused XML functions. tests/test_check.py pins the behaviour.
    """
    from openpyxl.reader.workbook import WorkbookParser
    from openpyxl.worksheet._reader import WorkSheetParser

    inputs = {(f.row, col_index(f.column) + 1): f.cell for f in form.input_fields if f.sheet == form.layout.sheet}
    with zipfile.ZipFile(path) as archive:
        parser = WorkbookParser(archive, "xl/workbook.xml", keep_links=False)
        parser.parse()
        for defined in parser.defined_names.definedName:
            if defined.localSheetId is None:  # workbook-scoped names only (SPEC section 4)
                book.names[defined.name] = defined.attr_text
        parts = {sheet.name: rel.target.lstrip("/") for sheet, rel in parser.find_sheets()}
        part = parts.get(form.layout.sheet)
        if part is None or part not in archive.namelist():
            return
        with archive.open(part) as src:
            # Shared strings are not needed to see formulas: any index reads as "".
            for _row, cells in WorkSheetParser(src, _NoStrings(), data_only=False).parse():
                for cell in cells:
                    ref = inputs.get((cell["row"], cell["column"]))
                    if ref is not None and cell["data_type"] == "f":
                        book.formulas[(form.layout.sheet, ref)] = str(cell["value"])


class _NoStrings(list):
    def __getitem__(self, index: Any) -> str:  # type: ignore[override]
        return ""
