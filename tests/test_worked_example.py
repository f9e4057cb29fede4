"""The worked example of issue 20, as the officer does it: the 2021 appendix adds section
"4. Tiếp công dân, xử lý đơn thư" (the seed report's section 5: 15 petitions = 3 complaints +
2 denunciations + 10 reports and recommendations), a rule that they add up, and renames a label.

Export the 2020 form as a workbook; edit it in LibreOffice (typed through UNO, saved as .xlsx and
as .ods); ``dv form check``; ``dv make-template --form``; a clerk fills the template in
LibreOffice; ``dv merge --form … --previous tong-hop-2020.xlsx``: the new section has its column,
its province total, its comparison ("chưa có năm trước") and its lines in the Word appendix.
A 2020 file merged with the 2021 form is refused for its year."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import docx
import openpyxl
import pytest
from typer.testing import CliRunner

from tests.support import programs
from tests.support.formbook import NEW_FIELDS, RENAMED, SEED_2021, run_clerk, worked_example_steps
from tests.support.testing import SEED, SEED_DOCS, fill_template
from toolkit.cli import app
from toolkit.form import load_form_file
from toolkit.intake import check_file
from toolkit.template import build_template

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
RUNNER = CliRunner()
NEW = [f["Mã chỉ tiêu"] for f in NEW_FIELDS]

pytestmark = [pytest.mark.libreoffice, pytest.mark.uno]  # the officer and the clerk type in LibreOffice


def dv(*args: str) -> str:
    run = RUNNER.invoke(app, list(args))
    assert run.exit_code in (0, 1), run.output
    return run.output


def figures_2021(**changes) -> dict:
    return {**SEED, "report_number": "…/BC-STTTT-VP", "report_date": dt.date(2021, 11, 15), **SEED_2021, **changes}


def docs_2021() -> list[dict]:
    return [{**d, "date": d["date"].replace(year=2021)} if d["date"].year == 2020 else d for d in SEED_DOCS]


def typed(value) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


@pytest.fixture(scope="module")
def round_2021(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if (why := programs.missing("uno")) is not None:
        pytest.skip(why)
    work = tmp_path_factory.mktemp("worked")
    book2020 = work / "bieu-mau-2020.xlsx"
    assert "bieu-mau-2020.xlsx" in dv("form", "export", "-o", str(book2020))
    # The officer edits the workbook in LibreOffice and saves it in both formats.
    book = {"xlsx": work / "bieu-mau-2021.xlsx", "ods": work / "bieu-mau-2021.ods"}
    run_clerk(
        [
            {
                "source": str(book2020),
                "steps": worked_example_steps(book2020),
                "save": {k: str(v) for k, v in book.items()},
            }
        ],
        work,
    )
    # A clerk fills the 2021 template in LibreOffice (the seed's unit, with section 4's counts).
    template = work / "mau-2021.xlsx"
    assert "mau-2021.xlsx" in dv("make-template", "--form", str(book["ods"]), "-o", str(template))
    form = load_form_file(book["xlsx"])
    nop = work / "nop-2021"
    nop.mkdir()
    values = figures_2021()
    steps = [
        {"do": "type", "sheet": f.sheet, "cell": f.cell, "text": typed(values[f.code])}
        for f in form.input_fields
        if f.code in values
    ]
    table = form.tables["van_ban"]
    rows = [[typed(d[c.code]) for c in table.columns] for d in docs_2021()]
    steps.append({"do": "rows", "sheet": table.sheet, "cell": f"{table.first_column}{table.first_row}", "rows": rows})
    run_clerk([{"source": str(template), "steps": steps, "save": {"xlsx": str(nop / "STTTT-2021.xlsx")}}], work)
    # Two more units (filled by a program, by defined names): one whose counts do not add up.
    for code, name, changes in (
        ("SNV", "Sở Nội vụ", {"don_thu_tong": 9, "don_khieu_nai": 4, "don_to_cao": 1, "don_phan_anh": 4}),
        ("SXD", "Sở Xây dựng", {"don_thu_tong": 12}),
    ):
        # Each unit's own report number: the seed's "…/BC-STTTT-VP" would name Sở TT&TT (unit-conflict).
        own = {"unit_code": code, "unit_name": name, "report_number": f"…/BC-{code}", "signer": "GIÁM ĐỐC"}
        fill_template(build_template(form), figures_2021(**own, **changes), docs_2021(), out=nop / f"{code}-2021.xlsx")
    # Last year's summary: the 2020 round of the samples, merged with the 2020 form.
    previous = work / "tong-hop-2020.xlsx"
    dv("merge", str(SAMPLES / "submissions"), "--units", str(SAMPLES / "units.csv"), "-o", str(previous))
    out = {
        "summary": work / "tong-hop-2021.xlsx",
        "json": work / "tong-hop-2021.json",
        "docx": work / "phu-luc-2021.docx",
    }
    merged = RUNNER.invoke(
        app,
        [
            "merge",
            str(nop),
            "--form",
            str(book["xlsx"]),
            "--units",
            str(SAMPLES / "units.csv"),
            "--previous",
            str(previous),
            "-o",
            str(out["summary"]),
            "--json",
            str(out["json"]),
            "--docx",
            str(out["docx"]),
        ],
    )
    assert merged.exit_code == 1, merged.output  # SXD's counts do not add up
    return {**book, **out, "nop": nop, "template": template, "account": merged.output, "work": work}


def test_the_edited_workbook_checks_clean_in_both_formats(round_2021):
    for fmt in ("xlsx", "ods"):
        run = RUNNER.invoke(app, ["form", "check", str(round_2021[fmt])])
        assert run.exit_code == 0, run.output
        assert "phiên bản 2021.1, năm 2021: không có lỗi (22 chỉ tiêu, 11 quy tắc)" in run.output
    xlsx, ods = load_form_file(round_2021["xlsx"]), load_form_file(round_2021["ods"])
    assert xlsx == ods
    assert [f.code for f in xlsx.sections[-1].fields] == NEW and xlsx.sections[
        -1
    ].title == "Tiếp công dân, xử lý đơn thư"
    assert xlsx.field(RENAMED[0]).label == RENAMED[1]
    assert xlsx.rules[-1].expr.text == "don_thu_tong == don_khieu_nai + don_to_cao + don_phan_anh"


def test_the_template_has_the_new_rows_and_their_live_check(round_2021):
    form = load_form_file(round_2021["xlsx"])
    ws = openpyxl.load_workbook(round_2021["template"])[form.layout.sheet]
    section = form.sections[-1]
    assert (ws[f"A{section.row}"].value, ws[f"B{section.row}"].value) == ("4", "Tiếp công dân, xử lý đơn thư")
    assert [ws[f"B{f.row}"].value for f in section.fields] == [f["Tên"] for f in NEW_FIELDS]
    total = form.field("don_thu_tong")
    assert "Sai: tổng phải bằng " in ws[f"E{total.row}"].value  # the rule's live check, in the sheet
    # Made from the .xlsx or the .ods, the template is the same.
    assert build_template(form) == build_template(load_form_file(round_2021["ods"]))


def test_the_clerks_file_is_accepted_and_a_wrong_sum_is_said_at_its_cell(round_2021):
    form = load_form_file(round_2021["xlsx"])
    ok = check_file(round_2021["nop"] / "STTTT-2021.xlsx", form)
    assert ok.status == "accepted", [i.message for i in ok.issues]
    assert {k: ok.values[k] for k in NEW} == SEED_2021
    bad = check_file(round_2021["nop"] / "SXD-2021.xlsx", form)
    total = form.field("don_thu_tong")
    (issue,) = [i for i in bad.issues if i.severity == "error"]
    assert (issue.code, issue.cell) == ("don_thu_cong", total.cell)
    assert issue.message == (
        f"Tổng số đơn tiếp nhận ({total.cell}) là 12, nhưng khiếu nại 3 + tố cáo 2 + phản ánh, kiến nghị 10 = 15. "
        f"Sửa ô {total.cell}, hoặc các ô D{total.row + 1}, D{total.row + 2}, D{total.row + 3}."
    )


def test_the_summary_has_the_new_section_and_its_totals(round_2021):
    assert "Tổng số đơn tiếp nhận: 24 đơn" in round_2021["account"]  # STTTT 15 + SNV 9; SXD rejected
    report = json.loads(round_2021["json"].read_text(encoding="utf-8"))
    assert {k: report["totals"][k] for k in NEW} == {
        "don_thu_tong": 24,
        "don_khieu_nai": 7,
        "don_to_cao": 3,
        "don_phan_anh": 14,
    }
    assert report["previous"]["new_fields"] == NEW
    wb = openpyxl.load_workbook(round_2021["summary"], data_only=True)
    ws = wb["Tổng hợp"]
    codes = [c.value for c in ws[5]]
    total = next(r for r in ws.iter_rows(min_row=6, values_only=True) if r[0] == "TOÀN TỈNH")
    assert total[codes.index("don_thu_tong")] == 24
    compare = wb["So với năm trước"]
    heads = [c.value for c in compare[4]]
    col = heads.index("Tổng số đơn tiếp nhận")
    stttt = next(r for r in compare.iter_rows(min_row=6, values_only=True) if r[1] == "STTTT")
    assert stttt[col : col + 2] == (15, "chưa có năm trước")


def test_the_word_appendix_has_a_line_for_each_new_field(round_2021):
    texts = [p.text for p in docx.Document(round_2021["docx"]).paragraphs if p.text.strip()]
    start = texts.index("4. Tiếp công dân, xử lý đơn thư")
    assert texts[start + 1 : start + 5] == [
        "Tổng số đơn tiếp nhận: 24 đơn.",
        "Trong đó: đơn khiếu nại: 7 đơn.",
        "Đơn tố cáo: 3 đơn.",
        "Đơn phản ánh, kiến nghị: 14 đơn.",
    ]
    assert "Chỉ tiêu “Tổng số đơn tiếp nhận” mới có từ năm 2021, chưa so sánh được với năm 2020." in texts


def test_a_2020_file_merged_with_the_2021_form_is_refused_for_its_year(round_2021, tmp_path):
    stray = tmp_path / "nop"
    shutil.copytree(round_2021["nop"], stray)
    shutil.copy(SAMPLES / "submissions" / "SNV-phu-luc-2020.xlsx", stray / "SNV-phu-luc-2020.xlsx")
    form = load_form_file(round_2021["xlsx"])
    report = check_file(stray / "SNV-phu-luc-2020.xlsx", form)
    assert [(i.code, i.severity) for i in report.issues] == [("form-year", "error")]
    assert "là biểu mẫu năm 2020, không phải năm 2021" in report.issues[0].message
