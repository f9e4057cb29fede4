"""Comparison with last year (dv merge --previous): reading a summary dv wrote, matching fields
by code, and saying what cannot be compared (a unit missing last year, a field added this year,
another form version)."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

import docx
import openpyxl
import pytest
from typer.testing import CliRunner

from tests.support.domain import filled, form, reported
from toolkit.appendix_docx import build_appendix_docx
from toolkit.cli import app
from toolkit.form import Form
from toolkit.merger import merge_reports
from toolkit.previous import PreviousError, compare, read_previous
from toolkit.roster import Roster, Unit
from toolkit.summary import build_summary

STTTT = Unit("STTTT", "Sở Thông tin và Truyền thông", "so")
SNV = Unit("SNV", "Sở Nội vụ", "so")
HCL = Unit("HCL", "Huyện Càng Long", "huyen")
ROSTER = Roster((STTTT, SNV, HCL))
SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def last_year(year: int = 2019, version: str = "2019.1", drop: tuple[str, ...] = (), **changes) -> Form:
    """This year's form as it was in ``year``: another version, maybe without some fields."""
    sections = tuple(
        dataclasses.replace(s, fields=tuple(f for f in s.fields if f.code not in drop)) for s in form().sections
    )
    charts = tuple(c for c in form().charts if not set(c.fields) & set(drop))
    return dataclasses.replace(form(), year=year, version=version, sections=sections, charts=charts, **changes)


def summary_file(folder: Path, result, name: str = "tong-hop-2019.xlsx") -> Path:
    path = folder / name
    path.write_bytes(build_summary(result))
    return path


def previous_summary(folder: Path, reports, the_form: Form | None = None, roster: Roster = ROSTER) -> Path:
    return summary_file(folder, merge_reports(reports, the_form or last_year(), roster))


def this_year(*reports, roster: Roster = ROSTER):
    return merge_reports(list(reports), form(), roster)


def texts(data: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs if p.text.strip()]


def units_table(data: bytes) -> list[list[str]]:
    table = docx.Document(io.BytesIO(data)).tables[-1]
    return [[c.text for c in row.cells] for row in table.rows]


# -- reading a summary --------------------------------------------------------------------------------


def test_a_summary_reads_back_by_field_code(tmp_path):
    path = previous_summary(tmp_path, [reported(STTTT, dvc_total=29, dvc_level4=21), reported(SNV, dvc_total=40)])
    prev = read_previous(path, form())
    assert (prev.form_id, prev.form_version, prev.year) == ("dan-van-chinh-quyen", "2019.1", 2019)
    assert {"dvc_total", "cut_rate", "docs_total"} <= set(prev.fields)
    assert prev.units["STTTT"].sent and prev.units["STTTT"].values["dvc_total"] == 29
    assert not prev.units["HCL"].sent and prev.units["HCL"].values == {}
    assert prev.totals["dvc_total"] == 69 and prev.totals["cut_rate"] == pytest.approx(16 / 128)


def test_a_summary_saved_without_cached_totals_is_recomputed(tmp_path):
    path = previous_summary(
        tmp_path, [reported(STTTT), reported(SNV, staff_cc=20, staff_vc=18, cut_cc=1, cut_vc=1, cut_total=2)]
    )
    openpyxl.load_workbook(path).save(path)  # openpyxl keeps the formulas, drops their results
    prev = read_previous(path, form())
    assert prev.totals["cut_total"] == 10
    assert prev.totals["cut_rate"] == pytest.approx(10 / 104)  # the rate of the sums, as dv merge computes it


@pytest.mark.parametrize(
    ("make", "key"),
    [
        (
            lambda d: previous_summary(d, [reported(STTTT)], last_year(year=2020, version="2020.1")),
            "previous.not_earlier",
        ),
        (lambda d: previous_summary(d, [reported(STTTT)], last_year(id="mot-bieu-mau-khac")), "previous.other_form"),
        (lambda d: filled(d, "STTTT.xlsx"), "previous.not_summary"),
        (lambda d: (d / "ghi-chu.txt", (d / "ghi-chu.txt").write_text("x"))[0], "previous.not_summary"),
        (lambda d: d / "khong-co.xlsx", "previous.unreadable"),
    ],
)
def test_what_cannot_be_compared_is_refused_with_a_reason(tmp_path, make, key):
    with pytest.raises(PreviousError) as caught:
        read_previous(make(tmp_path), form())
    assert caught.value.key == key


# -- comparing -----------------------------------------------------------------------------------------


def test_a_unit_missing_last_year(tmp_path):
    # Last year: STTTT with 29 services, SNV sent nothing; HCL is not even in last year's list.
    path = previous_summary(tmp_path, [reported(STTTT, dvc_total=29, dvc_level4=21)], roster=Roster((STTTT, SNV)))
    result = this_year(reported(STTTT), reported(SNV), reported(HCL))
    comp = compare(result, read_previous(path, form()))
    assert comp.units_with("compared") == ["STTTT"]
    assert comp.units_with("not_sent_previous") == ["SNV"]
    assert comp.units_with("not_in_previous") == ["HCL"]
    assert comp.units["STTTT"].changes["dvc_total"] == 8
    data = build_appendix_docx(result, comp)
    rows = units_table(data)
    assert rows[1][3] == "37\n(+8)"  # STTTT: 37 services, 8 more than in 2019
    assert rows[2][3] == "37\n(–)" and rows[3][3] == "37\n(–)"
    said = texts(data)
    assert "Đơn vị năm 2019 chưa gửi báo cáo, chưa so sánh được: Sở Nội vụ." in said
    assert "Đơn vị chưa có trong tổng hợp năm 2019, chưa so sánh được: Huyện Càng Long." in said
    assert "Số liệu toàn tỉnh năm 2020 tổng hợp từ 03 đơn vị, năm 2019 từ 01 đơn vị." in said


def test_a_unit_gone_from_this_years_list_is_said(tmp_path):
    path = previous_summary(tmp_path, [reported(STTTT, dvc_total=29), reported(HCL, dvc_total=10)])
    result = this_year(reported(STTTT), roster=Roster((STTTT,)))
    comp = compare(result, read_previous(path, form()))
    assert comp.dropped_units == ["HCL"] and comp.changes["dvc_total"] == 37 - 39
    assert "Số liệu toàn tỉnh năm 2020 tổng hợp từ 01 đơn vị, năm 2019 từ 02 đơn vị." in texts(
        build_appendix_docx(result, comp)
    )
    sheet = openpyxl.load_workbook(io.BytesIO(build_summary(result, comp)))["So với năm trước"]
    assert ["HCL", "Huyện Càng Long", "Không có trong danh sách năm 2020"] in [
        [sheet.cell(r, c).value for c in (2, 3, 4)] for r in range(6, 10)
    ]


def test_a_field_added_this_year(tmp_path):
    # Last year's form had no "of which level 4" line.
    old = last_year(drop=("dvc_level4",))
    path = previous_summary(tmp_path, [reported(STTTT, dvc_total=29), reported(SNV, dvc_total=40)], old)
    prev = read_previous(path, form())
    assert "dvc_level4" not in prev.fields
    result = this_year(reported(STTTT), reported(SNV, dvc_total=40))
    comp = compare(result, prev)
    assert comp.new_fields == ("dvc_level4",) and "dvc_level4" not in comp.fields
    assert comp.changes["dvc_total"] == 8 and "dvc_level4" not in comp.changes
    data = build_appendix_docx(result, comp)
    said = texts(data)
    assert "So với năm 2019: tổng số dịch vụ công trực tuyến mức độ 3, mức độ 4 tăng 08 dịch vụ." in said
    assert "Chỉ tiêu “Trong đó: mức độ 4” mới có từ năm 2020, chưa so sánh được với năm 2019." in said
    rows = units_table(data)
    assert rows[1][3:5] == ["37\n(+8)", "29\n(–)"]
    assert rows[-1][3:5] == ["77\n(+8)", "58\n(–)"]


def test_province_sentences_say_up_down_and_unchanged(tmp_path):
    path = previous_summary(
        tmp_path, [reported(STTTT, dvc_total=40, dvc_level4=29, staff_cc=29, cut_cc=2, cut_total=6, cut_rate=6 / 63)]
    )
    result = this_year(reported(STTTT))  # 37 services (3 fewer), level 4 unchanged, 8 posts cut (2 more)
    data = build_appendix_docx(result, compare(result, read_previous(path, form())))
    said = texts(data)
    assert (
        "So với năm 2019: tổng số dịch vụ công trực tuyến mức độ 3, mức độ 4 giảm 03 dịch vụ; mức độ 4 không thay đổi."
    ) in said
    # 6 / (29 + 28 + 6) = 9,52 % then, 8 / 64 = 12,5 % now
    assert "So với năm 2019: số biên chế đã giảm nhiều hơn 02; tỷ lệ đã giảm cao hơn 2,98 điểm phần trăm." in said
    assert "So với năm 2019: tổng số văn bản không thay đổi." in said


def test_summary_gets_a_comparison_sheet_with_live_changes(tmp_path):
    path = previous_summary(tmp_path, [reported(STTTT, dvc_total=29)], roster=Roster((STTTT,)))
    result = this_year(reported(STTTT), reported(SNV))
    comp = compare(result, read_previous(path, form()))
    out = summary_file(tmp_path, result, "tong-hop-2020.xlsx")
    out.write_bytes(build_summary(result, comp))
    formulas = openpyxl.load_workbook(out)["So với năm trước"]
    values = openpyxl.load_workbook(out, data_only=True)["So với năm trước"]
    heads = {formulas.cell(4, c).value: c for c in range(1, 60) if formulas.cell(4, c).value}
    col = heads["Tổng số dịch vụ công trực tuyến mức độ 3, mức độ 4"]
    assert [formulas.cell(5, col + k).value for k in range(3)] == ["Năm 2020", "Năm 2019", "Tăng (+), giảm (-)"]
    by_code = {formulas.cell(r, 2).value: r for r in range(6, 12)}
    assert values.cell(by_code["STTTT"], col + 2).value == 8
    assert formulas.cell(by_code["STTTT"], col + 2).value.startswith("=IF(COUNT(")
    assert values.cell(by_code["SNV"], 4).value == "Chưa có trong tổng hợp năm 2019"
    total = next(r for r in range(6, 20) if formulas.cell(r, 1).value == "TOÀN TỈNH")
    assert values.cell(total, col).value == 74 and values.cell(total, col + 1).value == 29
    assert values.cell(total, col + 2).value == 45
    # The summary of this year can itself be next year's --previous.
    assert read_previous(out, dataclasses.replace(form(), year=2021)).year == 2020


# -- the command, and the sample province ------------------------------------------------------------


def test_cli_merge_with_previous_writes_all_three_and_says_what_differs(tmp_path):
    old = last_year(drop=("dvc_level4",))
    previous = previous_summary(tmp_path, [reported(STTTT, dvc_total=29)], old, Roster((STTTT,)))
    sub = tmp_path / "sub"
    sub.mkdir()
    filled(sub, "STTTT.xlsx")
    roster = tmp_path / "units.csv"
    roster.write_text("code,name\nSTTTT,Sở Thông tin và Truyền thông\n", encoding="utf-8")
    out, report, word = tmp_path / "tong-hop-2020.xlsx", tmp_path / "r.json", tmp_path / "phu-luc.docx"
    result = CliRunner().invoke(
        app,
        [
            "merge",
            str(sub),
            "--units",
            str(roster),
            "-o",
            str(out),
            "--json",
            str(report),
            "--docx",
            str(word),
            "--previous",
            str(previous),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "phiên bản 2019.1" in result.output and "dvc_level4" in result.output
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["previous"]["form"] == {"id": "dan-van-chinh-quyen", "version": "2019.1", "year": 2019}
    assert data["previous"]["changes"]["dvc_total"] == 8 and data["previous"]["new_fields"] == ["dvc_level4"]
    assert "So với năm trước" in openpyxl.load_workbook(out).sheetnames
    assert "So với năm 2019: tổng số dịch vụ công trực tuyến mức độ 3, mức độ 4 tăng 08 dịch vụ." in texts(
        word.read_bytes()
    )


def test_cli_refuses_a_previous_summary_of_the_same_year_before_any_work(tmp_path):
    previous = previous_summary(tmp_path, [reported(STTTT)], last_year(year=2020, version="2020.1"))
    sub = tmp_path / "sub"
    sub.mkdir()
    filled(sub, "STTTT.xlsx")
    out = tmp_path / "tong-hop-2020.xlsx"
    result = CliRunner().invoke(app, ["merge", str(sub), "-o", str(out), "--previous", str(previous)])
    assert result.exit_code == 2 and "năm 2020" in result.output
    assert not out.exists()


def test_the_sample_province_has_a_2019_summary_to_compare_with():
    prev = read_previous(SAMPLES / "tong-hop-2019.xlsx", form())
    assert prev.year == 2019 and prev.form_version == "2019.1"
    assert prev.units["STTTT"].values["dvc_total"] == 29  # 37 in 2020: "tăng 08 dịch vụ"
    assert not prev.units["SKHCN"].sent  # the unit absent in 2019
    assert sum(u.sent for u in prev.units.values()) == 24
