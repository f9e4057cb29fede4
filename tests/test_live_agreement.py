"""The sheet and dv agree: a file whose status line says "số liệu khớp" is not rejected by
``dv check``, and a file whose status line counts errors (or empty required cells) is not
accepted. Every variant of tests/variants.py, recalculated in LibreOffice and in Gnumeric."""

from __future__ import annotations

import openpyxl
import pytest
from variants import AWAITING_MERGE, CASES, has_errors

from toolkit.check import check_file

AGREEING = [name for name in CASES if name not in AWAITING_MERGE]


def status(form, path) -> str:
    lay = form.layout
    return openpyxl.load_workbook(path, data_only=True)[lay.sheet][f"{lay.number_column}{lay.status_row}"].value


def dv_rejects(form, path) -> bool:
    report = check_file(path, form)  # the file the clerk sends: saved by LibreOffice
    return any(i.severity == "error" for i in report.issues)


@pytest.mark.libreoffice
@pytest.mark.parametrize("case", AGREEING)
def test_libreoffice_status_line_gives_dv_verdict(form, variants_in_libreoffice, case):
    path = variants_in_libreoffice[case]
    shown = status(form, path)
    assert has_errors(shown) is dv_rejects(form, path), (shown, [i.code for i in check_file(path, form).issues])


@pytest.mark.gnumeric
@pytest.mark.libreoffice
@pytest.mark.parametrize("case", AGREEING)
def test_gnumeric_status_line_gives_dv_verdict(form, variants_in_libreoffice, variants_in_gnumeric, case):
    shown = status(form, variants_in_gnumeric[case])
    assert has_errors(shown) is dv_rejects(form, variants_in_libreoffice[case]), shown


@pytest.mark.libreoffice
@pytest.mark.gnumeric
@pytest.mark.parametrize("case", sorted(AWAITING_MERGE))
def test_sheet_already_gives_the_agreed_verdict(form, variants_in_libreoffice, variants_in_gnumeric, case):
    """dv's side of these lands with other branches of issue 9; the sheet's is done."""
    expected, _why = AWAITING_MERGE[case]
    for path in (variants_in_libreoffice[case], variants_in_gnumeric[case]):
        assert has_errors(status(form, path)) is expected, (case, status(form, path))


def test_the_cases_cover_both_verdicts_and_every_new_check():
    verdicts = {name: expected for name, (expected, _) in AWAITING_MERGE.items()}
    assert set(verdicts.values()) == {True, False}
    assert {"seed", "wrong", "empty"} <= set(CASES)
