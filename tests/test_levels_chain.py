"""From commune to ministry (docs/spec.md §9): each level's merged round becomes its own
submission to the level above, and the ministry's total is the sum of every file a clerk typed,
read one by one — never a figure counted twice or lost on the way."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.levels import MINISTRY_FORM, build_chain, ministry_figures, read_leaves
from toolkit.form import load_form
from toolkit.merger import merge
from toolkit.roster import read_roster


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory):
    return build_chain(tmp_path_factory.mktemp("levels"), provinces=3, units=5, districts=2, communes=3)


@pytest.fixture(scope="module")
def national(chain):
    return merge([chain.ministry], load_form(MINISTRY_FORM), read_roster(chain.ministry_roster))


def test_the_chain_has_three_levels_of_files(chain):
    # 3 provinces × (3 departments + 2 districts × 3 communes) typed; 6 district and 3 province roll-ups.
    assert len(chain.leaves) == 3 * (3 + 2 * 3)
    assert len(chain.rollups) == 3 * 2 + 3


def test_the_ministry_total_is_the_sum_of_every_leaf_read_on_its_own(chain, national):
    assert national.ok, [(f.name, [i.code for i in f.errors]) for f in national.files]
    expected = ministry_figures(read_leaves(chain.leaves))
    got = {code: national.totals[code] for code in expected}
    assert {k: v for k, v in got.items() if k != "cut_rate"} == {k: v for k, v in expected.items() if k != "cut_rate"}
    # Recomputed from the sums at every level, never averaged: the same fraction.
    assert got["cut_rate"] == pytest.approx(expected["cut_rate"], rel=1e-12)


def test_every_province_row_is_the_roll_up_of_its_units(chain, national):
    for row in national.rows:
        prov = row.report.report.rollup
        assert prov is not None and prov.settled and prov.units == 5
        # Its leaves: 3 departments and 2 × 3 communes, found through two levels of provenance.
        assert len(prov.leaves()) == 9
        assert {e.depth for e in prov.entries} == {1, 2}


def test_the_leaves_in_the_provenance_are_the_files_read(chain, national):
    from toolkit.fsutil import sha256_of

    inside = {e.sha256 for row in national.rows for e in row.report.report.rollup.leaves()}
    assert inside == {sha256_of(p) for p in chain.leaves}


def test_the_district_level_is_the_same_sum(chain):
    # One level down: each province's round read with the province's form adds up to its leaves too.
    form = load_form()
    for province in chain.provinces:
        base = chain.root / province.code
        result = merge([base / "nop-ve"], form, read_roster(base / "don-vi.csv"))
        leaves = sorted((base / "nop-ve").glob("*-phu-luc-*.xlsx")) + sorted(base.glob("huyen-*/nop-ve/*.xlsx"))
        sums = read_leaves(leaves)
        assert result.ok and {k: result.totals[k] for k in sums} == sums


def test_the_summary_shows_each_roll_up_and_its_rows(national, tmp_path: Path):
    from python_calamine import CalamineWorkbook

    from toolkit.summary import build_summary

    path = tmp_path / "tong-hop.xlsx"
    path.write_bytes(build_summary(national))
    wb = CalamineWorkbook.from_path(str(path))
    rows = wb.get_sheet_by_name("Tổng hợp").to_python()
    statuses = [r[3] for r in rows[5:8]]
    assert statuses == ["Đã nộp, hợp lệ (tổng hợp 5 đơn vị)"] * 3
    details = wb.get_sheet_by_name("Chi tiết").to_python()
    head = details[3]
    assert head[:7] == ["STT", "Thuộc", "Cấp", "Mã", "Đơn vị", "Tình trạng", "Tệp"]
    listed = [r for r in details[5:] if r[1] in {p.code for p in national.roster.units}]
    # Per province: its 5 units at level 1, each district's 3 communes at level 2.
    assert len(listed) == 3 * (5 + 2 * 3)
    codes = details[4]
    col = codes.index("cut_total")
    for province in national.rows:
        mine = [r for r in listed if r[1] == province.code and r[2] == 1]
        assert sum(r[col] for r in mine) == province.values["cut_total"]


def test_the_json_says_a_file_is_a_roll_up(national):
    data = national.to_dict()
    for f in data["files"]:
        assert f["rollup"]["units"] == 5 and f["rollup"]["settled"] is True
        assert f["rollup"]["form"] == {"id": "dan-van-chinh-quyen", "version": "2020.1", "year": 2020}
        assert len(f["rollup"]["files"]) == 5 + 2 * 3
