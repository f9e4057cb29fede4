"""The shipped sample province: what `make demo` shows is what the samples hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.domain import form
from toolkit.merger import merge
from toolkit.roster import read_roster

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@pytest.fixture(scope="module")
def result():
    return merge([SAMPLES / "submissions"], form(), read_roster(SAMPLES / "units.csv"))


def test_roster_is_the_28_units_of_tra_vinh():
    roster = read_roster(SAMPLES / "units.csv")
    assert len(roster.units) == 28 and roster.get("STTTT").name == "Sở Thông tin và Truyền thông"
    assert sum(u.kind == "huyen" for u in roster.units) == 9


def test_statuses_are_the_faults_an_officer_meets(result):
    by_status: dict[str, set[str]] = {}
    for f in result.files:
        by_status.setdefault(f.status, set()).add(Path(f.path).name)
    assert {Path(f.path).name.split("-")[0] for f in result.files if f.status == "rejected"} == {"SGTVT", "SXD"}
    assert by_status["superseded"] == {"TPTV-phu-luc-2020.xlsx"}
    assert by_status["ignored"] == {"~$HCL-phu-luc-2020.xlsx", "SKHDT - Cong van gui kem.docx"}
    assert len(by_status["accepted"]) == 23
    assert result.missing_units == ["SGTVT", "SXD", "TTT", "BQLKKT", "HTCU"]


def test_the_seed_unit_is_exactly_the_seed(result):
    row = next(r for r in result.rows if r.code == "STTTT")
    v = row.values
    assert (v["docs_party"], v["docs_gov"], v["dvc_total"], v["dvc_level4"]) == (5, 2, 37, 29)
    assert (v["cut_cc"], v["cut_vc"], v["cut_total"]) == (4, 4, 8) and v["cut_rate"] == pytest.approx(0.125)


def test_every_format_and_fault_is_there(result):
    formats = {f.fmt for f in result.files if f.status == "accepted"}
    assert {"xlsx", "ods", "xls"} <= formats
    hck = next(f for f in result.files if Path(f.path).name.startswith("HCK"))
    assert {"value-text-number"} <= {i.code for i in hck.issues} and hck.status == "accepted"


def test_province_rate_is_recomputed_from_the_sums(result):
    t = result.totals
    assert t["cut_rate"] == pytest.approx(t["cut_total"] / (t["staff_cc"] + t["staff_vc"] + t["cut_total"]))


# -- the 2021 round of README's "Next year's form" (samples/make_samples_2021.py) ---------------------


def test_the_2021_sample_form_is_the_worked_example(tmp_path):
    from tests.support.formbook import edit_worked_example, export_book
    from toolkit.form import load_form_file

    shipped = load_form_file(SAMPLES / "2021" / "bieu-mau-2021.xlsx")
    typed = load_form_file(edit_worked_example(export_book(form(), tmp_path / "b.xlsx"), tmp_path / "b2021.xlsx"))
    assert shipped == typed


def test_the_2021_round_merges_with_its_new_section():
    from toolkit.form import load_form_file

    form2021 = load_form_file(SAMPLES / "2021" / "bieu-mau-2021.xlsx")
    result = merge([SAMPLES / "2021" / "nop-ve"], form2021, read_roster(SAMPLES / "units.csv"))
    rejected = [f for f in result.files if f.status == "rejected"]
    assert [(Path(f.path).name, [i.code for i in f.errors]) for f in rejected] == [
        ("SCT-phu-luc-2021.xlsx", ["don_thu_cong"])
    ]
    assert len(result.accepted) == 22
    stttt = next(r for r in result.rows if r.code == "STTTT").values
    assert [stttt[c] for c in ("don_thu_tong", "don_khieu_nai", "don_to_cao", "don_phan_anh")] == [15, 3, 2, 10]
    for code in ("don_thu_tong", "don_khieu_nai", "don_to_cao", "don_phan_anh"):
        assert result.totals[code] == sum(r.values[code] for r in result.rows if r.sent)
    assert result.totals["don_thu_tong"] == sum(
        result.totals[c] for c in ("don_khieu_nai", "don_to_cao", "don_phan_anh")
    )


# -- the three levels of README's "Nhiều cấp" (samples/make_levels.py, make demo-levels) -------------------


def test_the_levels_sample_runs_from_commune_to_ministry(tmp_path):
    import datetime as dt
    import shutil

    from tests.support.levels import template_file, typed
    from toolkit.form import load_form
    from toolkit.rollup import roll_up
    from toolkit.roster import Unit

    levels = SAMPLES / "levels"
    district = merge([levels / "huyen" / "nop-ve"], form(), read_roster(levels / "huyen" / "don-vi.csv"))
    assert district.ok and len(district.accepted) == 6
    hct = read_roster(SAMPLES / "units.csv").get("HCT")
    province_folder = tmp_path / "tinh"
    shutil.copytree(levels / "tinh" / "nop-ve", province_folder)
    up = roll_up(district, template_file(tmp_path / "mau-hct.xlsx", hct), typed=typed(hct, dt.date(2020, 12, 4)))
    (province_folder / "HCT-bao-cao-2020.xlsx").write_bytes(up.data)
    province = merge([province_folder], form(), read_roster(SAMPLES / "units.csv"))
    assert province.ok and province.missing_units == [] and [r.code for r in province.rollups] == ["HCT"]
    ministry_form = load_form("dan-van-chinh-quyen-bo")
    tvh = Unit("TVH", "Tỉnh Trà Vinh", "tinh")
    national_folder = tmp_path / "bo"
    shutil.copytree(levels / "bo" / "nop-ve", national_folder)
    up = roll_up(
        province, template_file(tmp_path / "mau-tvh.xlsx", tvh, ministry_form), typed=typed(tvh, dt.date(2020, 12, 10))
    )
    (national_folder / "TVH-bao-cao-2020.xlsx").write_bytes(up.data)
    national = merge([national_folder], ministry_form, read_roster(levels / "bo" / "don-vi.csv"))
    assert national.ok and [r.report.report.rollup.units for r in national.rows] == [28, 27, 27]
    assert national.totals["cut_total"] == sum(r.values["cut_total"] for r in national.rows)
