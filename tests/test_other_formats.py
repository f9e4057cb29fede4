"""A unit's form saved in a spreadsheet format dv does not read (issue 17 item 11): .xlsb, .fods
(LibreOffice's flat XML) and CSV are rejected (exit 1) with what the file is and how to save it
as .xlsx, never skipped as "not a spreadsheet" while the unit goes missing; an .xlsb is never
called a zip archive; the portal says the same, never "0 lỗi". A CSV that holds nothing of the
form (the roster kept in the folder) stays a stray file."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.support.domain import filled, form
from tests.support.portal import ROSTER, Clerk, links, make_portal, text_of
from tests.support.testing import libreoffice_convert
from toolkit.cli import app
from toolkit.intake import check_file
from toolkit.issues import CATALOGUE

ROSTER_CSV = Path(__file__).resolve().parent.parent / "samples" / "units.csv"


def xlsb(path: Path) -> Path:
    """An .xlsb's container: a zip whose workbook part is binary (xl/workbook.bin). Excel
    writes them; LibreOffice reads them but cannot write one, so the parts are laid out here."""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Override PartName="/xl/workbook.bin" ContentType="application/'
            'vnd.ms-excel.sheet.binary.macroEnabled.main"/></Types>',
        )
        z.writestr("xl/workbook.bin", b"\x83\x01\x00\x00")
        z.writestr("xl/worksheets/sheet1.bin", b"\x81\x01\x00")
    return path


def test_an_xlsb_is_a_spreadsheet_of_another_format_not_a_zip(tmp_path):
    report = check_file(xlsb(tmp_path / "STTTT.xlsb"), form())
    (issue,) = report.issues
    assert (issue.code, report.status) == ("file-format", "rejected")
    assert ".xlsb" in issue.message and "tệp nén zip" not in issue.message and "Lưu thành" in issue.message


@pytest.fixture(scope="module")
def saved_by_libreoffice(tmp_path_factory) -> dict[str, Path]:
    """The seed's form saved by LibreOffice as .fods and as CSV (its first sheet, "Phụ lục")."""
    from tests.support import programs

    if (why := programs.missing("libreoffice")) is not None:
        pytest.skip(why)
    folder = tmp_path_factory.mktemp("formats")
    source = filled(folder, "STTTT.xlsx")
    return {fmt: libreoffice_convert(source, fmt, folder / fmt) for fmt in ("fods", "csv")}


@pytest.mark.libreoffice
@pytest.mark.parametrize("fmt", ["fods", "csv"])
def test_the_form_saved_as_fods_or_csv_is_rejected_with_how_to_save_it(saved_by_libreoffice, fmt):
    report = check_file(saved_by_libreoffice[fmt], form())
    (issue,) = report.issues
    assert (issue.code, report.status) == ("file-format", "rejected")
    assert f".{fmt}" in issue.message.lower() or "CSV" in issue.message
    assert "Lưu thành → Sổ làm việc Excel (.xlsx)" in issue.message


@pytest.mark.libreoffice
def test_dv_merge_exits_1_and_names_the_files(saved_by_libreoffice, tmp_path):
    """Before: the three were skipped ("không phải bảng tính"), exit 0, the unit missing."""
    folder = tmp_path / "nop"
    folder.mkdir()
    shutil.copy(saved_by_libreoffice["fods"], folder / "SYT.fods")
    shutil.copy(saved_by_libreoffice["csv"], folder / "SXD.csv")
    xlsb(folder / "SNV.xlsb")
    filled(folder, "STTTT.xlsx")
    shutil.copy(ROSTER_CSV, folder / "units.csv")  # the officer's roster, kept in the folder
    result = CliRunner().invoke(app, ["merge", str(folder), "--units", str(ROSTER_CSV), "-o", str(tmp_path / "t.xlsx")])
    assert result.exit_code == 1, result.output
    for name in ("SYT.fods", "SXD.csv", "SNV.xlsb"):
        assert f"✗ {name}" in result.output, result.output
    assert "✗ units.csv" not in result.output and "– Bỏ qua units.csv" in result.output


def test_a_csv_that_is_not_the_form_stays_a_stray_file(tmp_path):
    roster = shutil.copy(ROSTER_CSV, tmp_path / "units.csv")
    report = check_file(roster, form(), ROSTER)
    assert report.status == "ignored" and [i.code for i in report.issues] == ["file-ignored"]
    # Named like a unit's file, it is the unit's: rejected.
    named = shutil.copy(ROSTER_CSV, tmp_path / "STTTT-phu-luc.csv")
    assert check_file(named, form(), ROSTER).issues[0].code == "file-format"


def test_the_portal_rejects_them_never_zero_errors(tmp_path):
    pytest.importorskip("starlette")
    from starlette.testclient import TestClient

    web, portal = make_portal(tmp_path / "portal")
    try:
        client = TestClient(web)
        clerk = Clerk(client, links(tmp_path / "portal")["STTTT"])
        for path in (xlsb(tmp_path / "STTTT.xlsb"), shutil.copy(ROSTER_CSV, tmp_path / "bao-cao.csv")):
            result = clerk.upload(Path(path))
            assert text_of(result.text, "status").startswith("bị từ chối"), result.text
            assert "Lưu thành" in result.text and "0 lỗi" not in result.text
    finally:
        portal.checker.close()
        portal.store.close()


def test_the_code_is_catalogued():
    assert CATALOGUE["file-format"].severity == "error"
