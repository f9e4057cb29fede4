"""Templates units already hold keep reading after the template's layout changes: the seed
filled in the November 2026 layout (the documents sheet's title at A1), as written and as
LibreOffice re-saved it, is accepted with the same figures and documents as today's."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.domain import check, codes, errors, form

EARLIER = Path(__file__).resolve().parent / "earlier"
TODAY = Path(__file__).resolve().parent / "awkward" / "files"


@pytest.mark.parametrize("name", ["seed.xlsx", "seed-libreoffice.xlsx", "seed-libreoffice.ods", "seed-libreoffice.xls"])
def test_a_template_of_the_earlier_layout_reads_as_todays(name):
    earlier, today = check(EARLIER / name), check(TODAY / name)
    assert earlier.status == "accepted" and earlier.meta["fingerprint"] != form().fingerprint
    assert codes(earlier) == codes(today)
    assert (earlier.values, earlier.docs) == (today.values, today.docs)


def test_a_changed_title_in_an_earlier_template_is_still_tampering(tmp_path):
    import openpyxl

    table = form().tables["van_ban"]
    earlier_title = form().moved_cells[(table.sheet, table.title_cell)]
    wb = openpyxl.load_workbook(EARLIER / "seed.xlsx")
    wb[table.sheet][earlier_title] = "Văn bản khác"
    wb.save(tmp_path / "seed.xlsx")
    report = check(tmp_path / "seed.xlsx")
    assert errors(report) == {("form-tampered", "")}
    assert report.errors[0].cell == earlier_title and "Văn bản khác" in report.errors[0].message


def test_todays_template_does_not_accept_its_title_at_the_earlier_place(tmp_path):
    # Both places hold text: the current one rules (a copy of the title pasted at A1 is not an
    # excuse for a changed title at B1).
    import openpyxl

    table = form().tables["van_ban"]
    shutil.copy(TODAY / "seed.xlsx", tmp_path / "seed.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "seed.xlsx")
    ws = wb[table.sheet]
    ws[form().moved_cells[(table.sheet, table.title_cell)]] = ws[table.title_cell].value
    ws[table.title_cell] = "Văn bản khác"
    wb.save(tmp_path / "seed.xlsx")
    assert errors(check(tmp_path / "seed.xlsx")) == {("form-tampered", "")}


def test_todays_template_with_its_title_moved_back_is_tampered_with(tmp_path):
    # Only a file whose fingerprint is the earlier layout's may have the title at the earlier place.
    import openpyxl

    table = form().tables["van_ban"]
    shutil.copy(TODAY / "seed.xlsx", tmp_path / "seed.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "seed.xlsx")
    ws = wb[table.sheet]
    ws.unmerge_cells(f"{table.title_cell}:{table.last_column}1")
    ws[form().moved_cells[(table.sheet, table.title_cell)]] = ws[table.title_cell].value
    ws[table.title_cell] = None
    wb.save(tmp_path / "seed.xlsx")
    report = check(tmp_path / "seed.xlsx")
    assert errors(report) == {("form-tampered", "")} and report.errors[0].cell == table.title_cell


@pytest.mark.libreoffice
def test_a_choice_with_spaces_the_earlier_count_missed_is_said_as_such(tmp_path):
    """Issue 17 item 10: a template of before counted with COUNTIF, which trims nothing: " Đảng
    ủy " was not counted by the sheet while dv counts it. The file is rejected (the signed page
    says 4, the list has 5), naming the row and the text, never "có lẽ đã bị gõ đè"."""
    import openpyxl

    from tests.support.testing import libreoffice_convert

    table = form().tables["van_ban"]
    issuer = table.column("issuer").column
    wb = openpyxl.load_workbook(EARLIER / "seed.xlsx")
    wb[table.sheet][f"{issuer}{table.first_row + 1}"] = " Đảng ủy "
    wb.save(tmp_path / "spaces.xlsx")
    recalculated = libreoffice_convert(tmp_path / "spaces.xlsx", "xlsx", tmp_path / "lo")
    report = check(recalculated)
    assert errors(report) == {("derived-not-counted", "docs_party")}
    (issue,) = report.errors
    assert f"dòng {table.first_row + 1}" in issue.message and '" Đảng ủy "' in issue.message
    assert "ghi 4" in issue.message and "có 5 dòng" in issue.message and "gõ đè" not in issue.message
