"""Nothing counted twice across levels (docs/spec.md §9.4): a unit's file that arrives on its own
and inside a roll-up, or inside two roll-ups, is an error naming both places, and neither file's
figures are merged until the officer removes one. Each case would add a unit's figures twice
without the check."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from tests.support import submissions
from tests.support.levels import rolled_up, template_file, typed, write_round
from toolkit.form import load_form
from toolkit.merger import merge
from toolkit.messages import DvError
from toolkit.rollup import roll_up
from toolkit.roster import Unit

DISTRICT = Unit("HCT", "Huyện Châu Thành", "huyen")
OTHER = Unit("HCK", "Huyện Cầu Kè", "huyen")
DEPARTMENTS = [Unit("SNV", "Sở Nội vụ", "so"), Unit("SYT", "Sở Y tế", "so")]


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Huyện Châu Thành's round of three communes, and its roll-up to the province."""
    base = tmp_path_factory.mktemp("district")
    roster = write_round(base, submissions.communes(DISTRICT, 3), 7100)
    template = template_file(base / "mau.xlsx", DISTRICT)
    rolled_up(base / "nop-ve", roster, template, base / "HCT-gui-len.xlsx", typed(DISTRICT, dt.date(2020, 12, 5)))
    return base


@pytest.fixture
def province(tmp_path: Path, district: Path) -> Path:
    """The province's folder: two departments, and the district's roll-up."""
    write_round(tmp_path, DEPARTMENTS, 7200)
    shutil.copy(district / "HCT-gui-len.xlsx", tmp_path / "nop-ve" / "HCT-gui-len.xlsx")
    return tmp_path / "nop-ve"


def commune_file(district: Path) -> Path:
    return sorted((district / "nop-ve").glob("*.xlsx"))[0]


def twice(result) -> dict[str, list[str]]:
    """File → the messages of its merge-counted-twice issues."""
    return {
        f.name: [i.message for i in f.issues if i.code == "merge-counted-twice"]
        for f in result.files
        if any(i.code == "merge-counted-twice" for i in f.issues)
    }


def sum_of(result, names: list[str], code: str = "cut_total") -> int:
    return sum(f.values[code] for f in result.files if f.name in names)


def test_a_commune_file_on_its_own_and_inside_the_district_roll_up(province: Path, district: Path):
    # The commune sent its file to the district, and also straight to the province (no roster:
    # the province would take it as a unit of its own).
    leaf = commune_file(district)
    shutil.copy(leaf, province / leaf.name)
    result = merge([province], load_form())
    found = twice(result)
    assert set(found) == {leaf.name, "HCT-gui-len.xlsx"}
    message = found[leaf.name][0]
    assert leaf.name in message and f"HCT-gui-len.xlsx › {leaf.name}" in message
    assert {f.name: f.status for f in result.files if f.name in found} == dict.fromkeys(found, "rejected")
    # Neither is merged: the province's total is its two departments', not theirs plus the commune twice.
    departments = [f.name for f in result.files if f.name.startswith(("SNV", "SYT"))]
    assert result.totals["cut_total"] == sum_of(result, departments)
    assert not result.ok


def test_the_same_commune_re_saved_is_the_same_unit(province: Path, district: Path):
    # Other bytes (a corrected signer), same unit code and name: still that commune's figures twice.
    leaf = commune_file(district)
    unit = submissions.communes(DISTRICT, 3)[0]
    again = province / f"{unit.code}-sua.xlsx"
    # The commune's own filled file with one text changed: the figures stay the commune's.
    import openpyxl

    wb = openpyxl.load_workbook(leaf)
    wb["Phụ lục"]["D13"] = "CHỦ TỊCH Lê Văn Bình"
    wb.save(again)
    result = merge([province], load_form())
    found = twice(result)
    assert set(found) == {again.name, "HCT-gui-len.xlsx"}
    assert unit.code in found[again.name][0]


def test_one_code_in_two_rosters_is_two_units(tmp_path: Path, district: Path):
    # A department of the province coded like a commune of the district, with its own name: two
    # units of two levels' rosters, nothing counted twice.
    unit = submissions.communes(DISTRICT, 3)[0]
    namesake = Unit(unit.code, "Ban Quản lý dự án", "so")
    write_round(tmp_path, [namesake, *DEPARTMENTS], 7300)
    shutil.copy(district / "HCT-gui-len.xlsx", tmp_path / "nop-ve")
    result = merge([tmp_path / "nop-ve"], load_form())
    assert twice(result) == {} and result.ok and len(result.accepted) == 4


def test_a_roll_up_sent_on_its_own_and_inside_another_roll_up(province: Path, district: Path, tmp_path: Path):
    # Huyện Cầu Kè's officer rolled up a folder that held Châu Thành's report too (sent to both by
    # mistake, no roster to refuse it): Châu Thành's figures come to the province twice.
    other = tmp_path / "hck"
    write_round(other, submissions.communes(OTHER, 2), 7400)
    shutil.copy(district / "HCT-gui-len.xlsx", other / "nop-ve")
    template = template_file(other / "mau.xlsx", OTHER)
    result = merge([other / "nop-ve"], load_form())  # no roster: HCT's report is taken as a unit's
    made = roll_up(result, template, typed=typed(OTHER, dt.date(2020, 12, 6)))
    (province / "HCK-gui-len.xlsx").write_bytes(made.data)
    found = twice(merge([province], load_form()))
    assert set(found) == {"HCT-gui-len.xlsx", "HCK-gui-len.xlsx"}
    assert "HCK-gui-len.xlsx › HCT-gui-len.xlsx" in found["HCT-gui-len.xlsx"][0]


def test_two_roll_ups_holding_the_same_commune_file(province: Path, district: Path, tmp_path: Path):
    # Cầu Kè's folder held one of Châu Thành's communes: the same bytes inside both reports.
    other = tmp_path / "hck"
    write_round(other, submissions.communes(OTHER, 2), 7500)
    leaf = commune_file(district)
    shutil.copy(leaf, other / "nop-ve")
    template = template_file(other / "mau.xlsx", OTHER)
    made = roll_up(merge([other / "nop-ve"], load_form()), template, typed=typed(OTHER, dt.date(2020, 12, 6)))
    (province / "HCK-gui-len.xlsx").write_bytes(made.data)
    found = twice(merge([province], load_form()))
    assert set(found) == {"HCT-gui-len.xlsx", "HCK-gui-len.xlsx"}
    message = found["HCT-gui-len.xlsx"][0]
    assert f"HCT-gui-len.xlsx › {leaf.name}" in message and f"HCK-gui-len.xlsx › {leaf.name}" in message


def test_two_provinces_holding_the_same_district_at_the_ministry(tmp_path: Path, district: Path):
    # Two provinces' reports to the ministry both hold Châu Thành's report: its figures (and its
    # communes') would be in the national total twice.
    ministry = load_form("dan-van-chinh-quyen-bo")
    out = tmp_path / "bo"
    for n, province in enumerate([Unit("T01", "Tỉnh Trà Vinh", "tinh"), Unit("T02", "Tỉnh Bến Tre", "tinh")]):
        base = tmp_path / province.code
        write_round(base, [Unit(f"SNV{n}", "Sở Nội vụ", "so")], 7600 + n)
        shutil.copy(district / "HCT-gui-len.xlsx", base / "nop-ve")
        template = template_file(base / "mau-bo.xlsx", province, ministry)
        made = roll_up(merge([base / "nop-ve"], load_form()), template, typed=typed(province, dt.date(2020, 12, 10)))
        out.mkdir(exist_ok=True)
        (out / f"{province.code}.xlsx").write_bytes(made.data)
    result = merge([out], ministry)
    found = twice(result)
    assert set(found) == {"T01.xlsx", "T02.xlsx"}
    # Said once for the pair, where it starts: the district's report itself, not each commune.
    assert len(found["T01.xlsx"]) == 1 and "T01.xlsx › HCT-gui-len.xlsx" in found["T01.xlsx"][0]
    assert result.totals["cut_total"] is None  # nothing merged until one is removed


def test_a_round_with_figures_counted_twice_is_not_rolled_up(province: Path, district: Path, tmp_path: Path):
    leaf = commune_file(district)
    shutil.copy(leaf, province / leaf.name)
    template = template_file(
        tmp_path / "mau-bo.xlsx", Unit("T01", "Tỉnh Trà Vinh", "tinh"), load_form("dan-van-chinh-quyen-bo")
    )
    with pytest.raises(DvError) as err:
        roll_up(merge([province], load_form()), template, typed=typed(DISTRICT, dt.date(2020, 12, 10)))
    assert err.value.key == "rollup.unsettled" and "HCT-gui-len.xlsx" in err.value.render()
