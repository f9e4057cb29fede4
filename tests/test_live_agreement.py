"""The sheet and dv agree: a file whose status line says "số liệu khớp" is not rejected by
``dv check``, and a file whose status line counts errors (or empty required cells) is not
accepted. Every variant of tests/variants.py, recalculated in LibreOffice and in Gnumeric."""

from __future__ import annotations

import openpyxl
import pytest

from tests.support.variants import CASES, DOC_COUNTS, VERDICTS, has_errors
from toolkit.intake import check_file


def status(form, path) -> str:
    lay = form.layout
    return openpyxl.load_workbook(path, data_only=True)[lay.sheet][f"{lay.number_column}{lay.status_row}"].value


def dv_rejects(form, path) -> bool:
    report = check_file(path, form)  # the file the clerk sends: saved by LibreOffice
    return any(i.severity == "error" for i in report.issues)


def dv_codes(form, path) -> list[str]:
    return [f"{i.severity}:{i.code}" for i in check_file(path, form).issues]


@pytest.mark.libreoffice
@pytest.mark.parametrize("case", list(CASES))
def test_libreoffice_status_line_gives_dv_verdict(form, variants_in_libreoffice, case):
    path = variants_in_libreoffice[case]
    shown = status(form, path)
    assert has_errors(shown) is dv_rejects(form, path), (shown, dv_codes(form, path))


@pytest.mark.gnumeric
@pytest.mark.libreoffice
@pytest.mark.parametrize("case", list(CASES))
def test_gnumeric_status_line_gives_dv_verdict(form, variants_in_libreoffice, variants_in_gnumeric, case):
    shown = status(form, variants_in_gnumeric[case])
    assert has_errors(shown) is dv_rejects(form, variants_in_libreoffice[case]), shown


@pytest.mark.libreoffice
@pytest.mark.gnumeric
@pytest.mark.parametrize("case", list(VERDICTS))
def test_the_verdict_issue_9_asks_for(form, variants_in_libreoffice, variants_in_gnumeric, case):
    expected = VERDICTS[case]
    assert dv_rejects(form, variants_in_libreoffice[case]) is expected, dv_codes(form, variants_in_libreoffice[case])
    for path in (variants_in_libreoffice[case], variants_in_gnumeric[case]):
        assert has_errors(status(form, path)) is expected, status(form, path)


def test_the_cases_cover_both_verdicts():
    assert set(VERDICTS.values()) == {True, False} and set(VERDICTS) <= set(CASES)


@pytest.mark.libreoffice
@pytest.mark.gnumeric
@pytest.mark.parametrize("case", list(DOC_COUNTS))
def test_every_filled_document_row_shows_its_check(form, variants_in_libreoffice, variants_in_gnumeric, case):
    """The row check is one defined name relative to its row: it computes in every filled row
    (the last one wrong in the *_wrong cases), and the rows left empty show nothing."""
    table = form.tables["van_ban"]
    filled = len(CASES[case].docs)
    for path in (variants_in_libreoffice[case], variants_in_gnumeric[case]):
        ws = openpyxl.load_workbook(path, data_only=True)[table.sheet]
        checks = [ws[f"{table.check_column}{row}"].value for row in range(table.first_row, table.last_row + 1)]
        numbers = [ws[f"{table.number_column}{row}"].value for row in range(table.first_row, table.first_row + filled)]
        assert numbers == list(range(1, filled + 1)), path
        last = "Sai" if case.endswith("_wrong") else "Khớp"
        # The seed's documents include one from 2016: "Lưu ý", not an error.
        assert all(c.startswith(("Khớp", "Lưu ý")) for c in checks[: filled - 1]), path
        assert checks[filled - 1].startswith(last), path
        assert all(c in (None, "") for c in checks[filled:]), path


def _rows_in_error(form, path) -> set[int]:
    """The document rows whose check says "Sai" in the file as a spreadsheet computed it."""
    table = form.tables["van_ban"]
    ws = openpyxl.load_workbook(path, data_only=True)[table.sheet]
    return {
        row
        for row in range(table.first_row, table.last_row + 1)
        if str(ws[f"{table.check_column}{row}"].value or "").startswith("Sai")
    }


def _rows_dv_rejects(form, path) -> set[int]:
    table = form.tables["van_ban"]
    return {
        int("".join(ch for ch in i.cell if ch.isdigit()))
        for i in check_file(path, form).errors
        if i.sheet == table.sheet and i.cell
    }


@pytest.mark.libreoffice
@pytest.mark.gnumeric
@pytest.mark.parametrize(
    "case",
    [
        *DOC_COUNTS,
        "doc_issuer_unknown",
        "doc_type_unknown",
        "doc_incomplete",
        "docs_0",
        "doc_late_report_date_blank",
        "doc_late_report_date_spaces",
        "doc_late_report_date_text",
    ],
)
def test_libreoffice_and_gnumeric_flag_the_rows_dv_rejects(form, variants_in_libreoffice, variants_in_gnumeric, case):
    """Issue 17 section D: with the formulas gone from the rows nobody filled, each engine still
    gives each filled row dv's verdict, row by row."""
    expected = _rows_dv_rejects(form, variants_in_libreoffice[case])
    assert _rows_in_error(form, variants_in_libreoffice[case]) == expected
    assert _rows_in_error(form, variants_in_gnumeric[case]) == expected


@pytest.mark.libreoffice
@pytest.mark.gnumeric
def test_the_attachment_line_shows_the_report_date_as_dv_reads_it(form, variants_in_libreoffice, variants_in_gnumeric):
    """The form's attachment line (issue 20) names the report date through its reading (issue 17):
    a date typed as text shows as the date dv reads, an empty one (spaces only too) as "……"."""
    lay = form.layout
    for case, date in (
        ("doc_late_report_date_text", "16/11/2020"),
        ("doc_late_report_date_spaces", "……"),
        ("doc_late_report_date_blank", "……"),
    ):
        for path in (variants_in_libreoffice[case], variants_in_gnumeric[case]):
            line = openpyxl.load_workbook(path, data_only=True)[lay.sheet][f"{lay.number_column}{lay.attachment_row}"]
            assert f" ngày {date} của " in line.value, (case, path.name, line.value)
