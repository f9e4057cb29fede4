"""The template in Gnumeric (``ssconvert --recalc``), beside LibreOffice: every formula is
recalculated, no cell holds an error value, and every check text, count and the status line
are what LibreOffice and the Python mirror show."""

from __future__ import annotations

import openpyxl
import pytest

from tests.support.variants import CASES, error_values
from toolkit.live import MISSING, OK, status_value

pytestmark = pytest.mark.gnumeric


def sheet(form, path):
    return openpyxl.load_workbook(path, data_only=True)[form.layout.sheet]


def status_cell(form) -> str:
    return f"{form.layout.number_column}{form.layout.status_row}"


def check_cell(form, code: str) -> str:
    return f"{form.layout.check_column}{form.field(code).row}"


def test_filled_files_have_no_cached_results(form, variant_files):
    ws = sheet(form, variant_files["seed"])
    assert ws[status_cell(form)].value is None
    assert ws[check_cell(form, "cut_total")].value is None
    assert ws[form.field("docs_party").cell].value is None


def test_gnumeric_recalculated_every_check(form, variants_in_gnumeric):
    ws = sheet(form, variants_in_gnumeric["seed"])
    assert ws[status_cell(form)].value == status_value(0, 0)
    assert ws[check_cell(form, "cut_total")].value == OK
    assert ws[form.field("docs_party").cell].value == 5


def test_no_error_value_in_any_cell(variants_in_gnumeric):
    found = {name: error_values(path) for name, path in variants_in_gnumeric.items()}  # each book loaded once
    assert {name: cells for name, cells in found.items() if cells} == {}


def test_wrong_and_empty_appendix(form, variants_in_gnumeric):
    ws = sheet(form, variants_in_gnumeric["wrong"])
    assert ws[check_cell(form, "cut_total")].value == "Sai: tổng phải bằng 8"
    assert ws[status_cell(form)].value == status_value(3, 0)
    ws = sheet(form, variants_in_gnumeric["empty"])
    required = sum(f.required for f in form.input_fields)
    assert ws[status_cell(form)].value == status_value(0, required)
    assert all(ws[check_cell(form, f.code)].value in (MISSING, "", None) for f in form.input_fields)


@pytest.mark.libreoffice
@pytest.mark.parametrize("case", list(CASES))
def test_same_texts_as_libreoffice(form, variants_in_libreoffice, variants_in_gnumeric, case):
    lo = openpyxl.load_workbook(variants_in_libreoffice[case], data_only=True)
    gn = openpyxl.load_workbook(variants_in_gnumeric[case], data_only=True)
    lay = form.layout
    cells = [(lay.sheet, status_cell(form)), (lay.sheet, lay.number_column + str(lay.attachment_row))]
    cells += [(lay.sheet, check_cell(form, f.code)) for f in form.fields]
    cells += [(lay.sheet, f.cell) for f in form.derived_fields]
    for t in form.tables.values():
        cells += [(t.sheet, f"{t.check_column}{r}") for r in range(t.first_row, t.first_row + 10)]
    differ = {}
    for sheet_name, ref in cells:
        a, b = lo[sheet_name][ref].value, gn[sheet_name][ref].value
        if (a or "") != (b or "") and str(a).replace(",", ".") != str(b).replace(",", "."):
            differ[f"{sheet_name}!{ref}"] = (a, b)
    assert differ == {}


@pytest.mark.libreoffice
def test_document_rows_checked_in_gnumeric_from_an_xls_libreoffice_saved(form, variant_files, tmp_path):
    """A clerk saves as .xls in LibreOffice; the officer opens it in Gnumeric: each row's check
    (a defined name; IFERROR stays in the cell, Gnumeric cannot read it inside a name of an
    .xls) computes, the wrong row says "Sai"."""
    from tests.support.testing import gnumeric_convert, libreoffice_convert

    xls = libreoffice_convert(variant_files["docs_7_wrong"], "xls", tmp_path / "xls")
    table = form.tables["van_ban"]
    ws = openpyxl.load_workbook(gnumeric_convert(xls, "xlsx", tmp_path / "gnumeric"), data_only=True)[table.sheet]
    checks = [ws[f"{table.check_column}{row}"].value for row in range(table.first_row, table.first_row + 8)]
    assert checks[6].startswith("Sai") and all(c.startswith(("Khớp", "Lưu ý")) for c in checks[:6]), checks
    assert checks[7] in ("", None)
