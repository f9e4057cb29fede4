"""A rolled-up file in the real spreadsheet programs (docs/spec.md §9): opened in LibreOffice (made
to recalculate every formula) and in Gnumeric (``ssconvert --recalc``), its status line says
"số liệu khớp" and its checks "Khớp", and dv still reads it — figures and provenance — after they
save it. The file dv writes holds no cached result (openpyxl keeps none): what the programs show
is their own computation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from tests.support import submissions
from tests.support.levels import MINISTRY_FORM, rolled_up, same_first_document, template_file, typed, write_round
from tests.support.testing import gnumeric_convert, libreoffice_convert
from toolkit.form import load_form
from toolkit.intake import check_file
from toolkit.roster import Unit

DISTRICT = Unit("HCT", "Huyện Châu Thành", "huyen")
PROVINCE = Unit("T01", "Tỉnh Trà Vinh", "tinh")
SETTLED = "Kết quả kiểm tra: số liệu khớp"


@pytest.fixture(scope="module")
def rollups(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    """The district's report to the province (the province's form, with its communes' documents),
    and the province's report to the ministry (the ministry's form): (file, form id)."""
    base = tmp_path_factory.mktemp("rollups")
    write_round(base / "huyen", submissions.communes(DISTRICT, 3), 9500)
    district = base / "tinh" / "nop-ve" / "HCT.xlsx"
    rolled_up(
        base / "huyen" / "nop-ve",
        base / "huyen" / "don-vi.csv",
        template_file(base / "mau-tinh.xlsx", DISTRICT),
        district,
        typed(DISTRICT, dt.date(2020, 12, 5)),
    )
    write_round(base / "tinh", [Unit("SNV", "Sở Nội vụ", "so")], 9600, roster_name="don-vi-so.csv")
    submissions.write_roster(base / "tinh" / "don-vi.csv", [Unit("SNV", "Sở Nội vụ", "so"), DISTRICT])
    ministry = base / "bo" / "T01.xlsx"
    template = template_file(base / "mau-bo.xlsx", PROVINCE, load_form(MINISTRY_FORM))
    rolled_up(
        base / "tinh" / "nop-ve",
        base / "tinh" / "don-vi.csv",
        template,
        ministry,
        typed(PROVINCE, dt.date(2020, 12, 10)),
    )
    # A district whose two communes sent plans of one number, date and subject: two documents,
    # each subject followed by its commune, so the sheet finds no row pasted twice either.
    write_round(base / "huyen-2", submissions.communes(DISTRICT, 3), 9700)
    first, second = sorted((base / "huyen-2" / "nop-ve").glob("*.xlsx"))[:2]
    same_first_document(first, second)
    alike = base / "tinh-2" / "HCT.xlsx"
    rolled_up(
        base / "huyen-2" / "nop-ve",
        base / "huyen-2" / "don-vi.csv",
        template_file(base / "mau-tinh-2.xlsx", DISTRICT),
        alike,
        typed(DISTRICT, dt.date(2020, 12, 5)),
    )
    return {
        "district": (district, "dan-van-chinh-quyen"),
        "province": (ministry, MINISTRY_FORM),
        "district, two alike plans": (alike, "dan-van-chinh-quyen"),
    }


def sheet(path: Path, name: str = "Phụ lục") -> list[list]:
    wb = CalamineWorkbook.from_path(str(path))
    try:
        return wb.get_sheet_by_name(name).to_python()
    finally:
        wb.close()


def status_line(path: Path) -> str:
    return str(sheet(path)[3][0])


def check_cells(path: Path, form_id: str) -> list[str]:
    form = load_form(form_id)
    rows = sheet(path)
    return [rows[f.row - 1][4] for f in form.fields if form.rules_for(f.code)]


def test_dv_writes_no_cached_result(rollups):
    for path, _ in rollups.values():
        assert status_line(path) in ("", "None")  # nothing until a spreadsheet program computes it


def _reads_the_same(original: Path, saved: Path, form_id: str) -> None:
    form = load_form(form_id)
    before, after = check_file(original, form), check_file(saved, form)
    assert after.status == "accepted", [(i.code, i.message) for i in after.errors]
    assert {k: v for k, v in after.values.items() if k != "cut_rate"} == {
        k: v for k, v in before.values.items() if k != "cut_rate"
    }
    assert after.values["cut_rate"] == pytest.approx(before.values["cut_rate"], rel=1e-12)
    assert after.rollup is not None and after.rollup.inputs == before.rollup.inputs
    assert [e.sha256 for e in after.rollup.entries] == [e.sha256 for e in before.rollup.entries]


@pytest.mark.libreoffice
@pytest.mark.parametrize("level", ["district", "province", "district, two alike plans"])
def test_libreoffice_says_the_figures_agree_and_dv_accepts_its_copy(rollups, level, tmp_path: Path):
    path, form_id = rollups[level]
    saved = libreoffice_convert(path, "xlsx", tmp_path, recalc=True)
    assert status_line(saved).startswith(SETTLED), status_line(saved)
    assert set(check_cells(saved, form_id)) == {"Khớp"}
    _reads_the_same(path, saved, form_id)


@pytest.mark.gnumeric
@pytest.mark.parametrize("level", ["district", "province", "district, two alike plans"])
def test_gnumeric_says_the_figures_agree_and_dv_accepts_its_copy(rollups, level, tmp_path: Path):
    path, form_id = rollups[level]
    saved = gnumeric_convert(path, "xlsx", tmp_path)
    assert status_line(saved).startswith(SETTLED), status_line(saved)
    assert set(check_cells(saved, form_id)) == {"Khớp"}
    _reads_the_same(path, saved, form_id)
