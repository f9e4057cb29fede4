"""Test helpers for the form workbook (``dv form export``): export a form, find and edit its
cells by heading as the officer does, and the worked example of issue 20 — the 2021 appendix
adds a section "4. Tiếp công dân, xử lý đơn thư" with the seed report's four counts of section 5
(15 = 3 + 2 + 10), a rule that they add up, and one renamed label — as the cells typed."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tests.support.programs import UNO_PYTHON
from toolkit.form import Form
from toolkit.form.cells import col_letters
from toolkit.form.export import export_form

CLERK = Path(__file__).parent / "uno_clerk.py"


def run_clerk(jobs: list[dict[str, Any]], folder: Path) -> None:
    """Type into workbooks with the real LibreOffice (tests/support/uno_clerk.py), one session."""
    script = folder / "clerk.json"
    script.write_text(json.dumps({"jobs": jobs}, ensure_ascii=False, default=str), encoding="utf-8")
    proc = subprocess.run([UNO_PYTHON, str(CLERK), str(script)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]


def export_book(form: Form, path: Path) -> Path:
    path.write_bytes(export_form(form, "xlsx"))
    return path


def sheet_rows(path: Path, sheet: str) -> list[list[Any]]:
    """The sheet's cells from A1, as python-calamine reads them."""
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def column_of(path: Path, sheet: str, heading: str) -> str:
    """The letter of the column headed ``heading`` (row 1)."""
    return col_letters(sheet_rows(path, sheet)[0].index(heading))


def row_of(path: Path, sheet: str, heading: str, value: Any) -> int:
    """The (1-based) row whose cell in the column ``heading`` holds ``value``."""
    rows = sheet_rows(path, sheet)
    i = rows[0].index(heading)
    return next(r + 1 for r, row in enumerate(rows) if r and i < len(row) and row[i] == value)


def entry_row(path: Path, sheet: str, key: str) -> int:
    """The row of a setting (its key in column A: ``form.version``)."""
    return row_of(path, sheet, "Mã mục", key)


def next_row(path: Path, sheet: str) -> int:
    """The first row after the last one holding anything."""
    rows = sheet_rows(path, sheet)
    filled = [r for r, row in enumerate(rows) if any(v not in (None, "") for v in row)]
    return (max(filled) + 1 if filled else 0) + 1


def cells_of_row(path: Path, sheet: str, row: int, values: Mapping[str, Any]) -> dict[str, Any]:
    """{heading: value} of one row → {cell: value}."""
    head = sheet_rows(path, sheet)[0]
    return {f"{col_letters(head.index(h))}{row}": v for h, v in values.items()}


def edit(path: Path, sheet: str, cells: Mapping[str, Any], out: Path | None = None) -> Path:
    """Cells typed over (openpyxl; the officer's Excel), saved as ``out`` (or in place)."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    for cell, value in cells.items():
        wb[sheet][cell].value = value
    target = out or path
    wb.save(target)
    return target


# -- the worked example: the 2021 appendix -------------------------------------------------------

NEW_SECTION = {"Mục": "4", "Tên": "Tiếp công dân, xử lý đơn thư", "Tên tiếng Anh": "Citizen reception, petitions"}
NEW_FIELDS = [
    {"Mã chỉ tiêu": "don_thu_tong", "Tên": "Tổng số đơn tiếp nhận", "Tên tiếng Anh": "Petitions received"},
    {"Mã chỉ tiêu": "don_khieu_nai", "Tên": "Trong đó: đơn khiếu nại", "Tên tiếng Anh": "of which complaints"},
    {"Mã chỉ tiêu": "don_to_cao", "Tên": "Đơn tố cáo", "Tên tiếng Anh": "Denunciations"},
    {"Mã chỉ tiêu": "don_phan_anh", "Tên": "Đơn phản ánh, kiến nghị", "Tên tiếng Anh": "Reports and recommendations"},
]
COUNT = {
    "Kiểu": "số nguyên",
    "Bắt buộc": "có",
    "Đơn vị tính": "đơn",
    "Đơn vị tính (tiếng Anh)": "petitions",
    "Nguồn": "nhập",
    # The province's form sums its units' counts when a district rolls up its round (docs/spec.md §9).
    "Cộng lên cấp trên": "cộng",
}
ADDS_UP = "don_thu_tong == don_khieu_nai + don_to_cao + don_phan_anh"
NEW_RULE = {
    "Mã quy tắc": "don_thu_cong",
    "Biểu thức": ADDS_UP,
    "Mức độ": "lỗi",
    "Chỉ tiêu gắn": "don_thu_tong",
    "Mô tả": "Tổng số đơn tiếp nhận bằng đơn khiếu nại + đơn tố cáo + đơn phản ánh, kiến nghị.",
    "Mô tả (tiếng Anh)": "Petitions received equal complaints + denunciations + reports and recommendations.",
    "Ô kiểm tra": "Sai: tổng phải bằng {don_khieu_nai + don_to_cao + don_phan_anh}",
    "Ô kiểm tra (tiếng Anh)": "Wrong: the total must be {don_khieu_nai + don_to_cao + don_phan_anh}",
    "Thông báo": "{don_thu_tong.label} ({don_thu_tong.cell}) là {don_thu_tong}, nhưng khiếu nại {don_khieu_nai} + "
    "tố cáo {don_to_cao} + phản ánh, kiến nghị {don_phan_anh} = {don_khieu_nai + don_to_cao + don_phan_anh}. "
    "Sửa ô {don_thu_tong.cell}, hoặc các ô {don_khieu_nai.cell}, {don_to_cao.cell}, {don_phan_anh.cell}.",
    "Thông báo (tiếng Anh)": "{don_thu_tong.label} ({don_thu_tong.cell}) is {don_thu_tong}, but complaints "
    "{don_khieu_nai} + denunciations {don_to_cao} + reports {don_phan_anh} = "
    "{don_khieu_nai + don_to_cao + don_phan_anh}. Correct {don_thu_tong.cell}, or {don_khieu_nai.cell}, "
    "{don_to_cao.cell}, {don_phan_anh.cell}.",
}
RENAMED = ("dvc_level4", "Trong đó: dịch vụ công trực tuyến mức độ 4")
# The seed report's section 5: 15 petitions received, of which 3 complaints, 2 denunciations and
# 10 reports and recommendations.
SEED_2021 = {"don_thu_tong": 15, "don_khieu_nai": 3, "don_to_cao": 2, "don_phan_anh": 10}


def worked_example_cells(book: Path) -> dict[str, dict[str, Any]]:
    """The cells the officer types into the exported 2020 form workbook, by sheet."""
    fields = next_row(book, "Chỉ tiêu")
    field_cells = cells_of_row(book, "Chỉ tiêu", fields, NEW_SECTION)
    for i, f in enumerate(NEW_FIELDS, start=1):
        field_cells.update(cells_of_row(book, "Chỉ tiêu", fields + i, {**f, **COUNT}))
    label = column_of(book, "Chỉ tiêu", "Tên")
    field_cells[f"{label}{row_of(book, 'Chỉ tiêu', 'Mã chỉ tiêu', RENAMED[0])}"] = RENAMED[1]
    return {
        "Thông tin": {
            f"C{entry_row(book, 'Thông tin', 'form.year')}": 2021,
            f"C{entry_row(book, 'Thông tin', 'form.version')}": "2021.1",
        },
        "Chỉ tiêu": field_cells,
        "Quy tắc": cells_of_row(book, "Quy tắc", next_row(book, "Quy tắc"), NEW_RULE),
    }


def worked_example_steps(book: Path) -> list[dict[str, Any]]:
    """The same cells as steps of tests/support/uno_clerk.py (typed in LibreOffice)."""
    return [
        {"do": "type", "sheet": sheet, "cell": cell, "text": value}
        for sheet, cells in worked_example_cells(book).items()
        for cell, value in cells.items()
    ]


def edit_worked_example(book: Path, out: Path) -> Path:
    """The worked example typed with openpyxl (the quick way, for tests that do not need LibreOffice)."""
    import shutil as _shutil

    _shutil.copyfile(book, out)
    for sheet, cells in worked_example_cells(book).items():
        edit(out, sheet, cells)
    return out
