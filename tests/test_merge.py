"""dv merge: which file counts for which unit, the province's totals, the summary workbook."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil

import openpyxl
import pytest
from typer.testing import CliRunner

import toolkit
from tests.support.domain import appendix, filled, form
from tests.support.testing import SEED_DOCS, libreoffice_convert
from toolkit.cli import app
from toolkit.merger import merge
from toolkit.roster import Roster, Unit
from toolkit.summary import build_summary

STTTT = Unit("STTTT", "Sở Thông tin và Truyền thông", "so")
SNV = Unit("SNV", "Sở Nội vụ", "so")
HCL = Unit("HCL", "Huyện Càng Long", "huyen")
ROSTER = Roster((STTTT, SNV, HCL))


def unit_values(unit: Unit, **changes):
    return appendix(unit_code=unit.code, unit_name=unit.name, **changes)


def staff(cc: int, vc: int, cut_cc: int, cut_vc: int) -> dict:
    cut = cut_cc + cut_vc
    return {
        "staff_cc": cc,
        "staff_vc": vc,
        "cut_cc": cut_cc,
        "cut_vc": cut_vc,
        "cut_total": cut,
        "cut_rate": cut / (cc + vc + cut),
    }


def hashes(folder):
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_seed_unit_alone_totals_equal_the_appendix(tmp_path):
    filled(tmp_path, "STTTT.xlsx")
    result = merge([tmp_path], form(), Roster((STTTT,)))
    t = result.totals
    assert (t["docs_party"], t["docs_gov"], t["docs_total"]) == (5, 2, 7)
    assert (t["dvc_total"], t["dvc_level4"]) == (37, 29)
    assert (t["cut_cc"], t["cut_vc"], t["cut_total"]) == (4, 4, 8)
    assert t["cut_rate"] == pytest.approx(0.125)
    assert result.missing_units == [] and result.ok


def two_units(tmp_path):
    filled(tmp_path, "a.xlsx", values=unit_values(STTTT, **staff(28, 28, 4, 4)))  # 8 / 64
    filled(tmp_path, "b.xlsx", values=unit_values(SNV, **staff(20, 18, 1, 1)))  # 2 / 40
    return merge([tmp_path], form(), ROSTER)


def test_province_rate_is_the_rate_of_the_sums_not_the_mean(tmp_path):
    result = two_units(tmp_path)
    assert result.totals["cut_total"] == 10
    assert result.totals["cut_rate"] == pytest.approx(10 / 104)  # 9,62 %, the mean of rates would be 11,25 %
    assert result.to_dict()["totals"]["cut_rate"] == pytest.approx(0.0961538, abs=1e-6)
    assert result.missing_units == ["HCL"]


def test_summary_totals_are_live_formulas_with_cached_values(tmp_path):
    result = two_units(tmp_path)
    out = tmp_path / "out" / "tong-hop.xlsx"
    out.parent.mkdir()
    out.write_bytes(build_summary(result))
    formulas = openpyxl.load_workbook(out)["Tổng hợp"]
    values = openpyxl.load_workbook(out, data_only=True)["Tổng hợp"]
    total_row = next(r for r in range(1, 60) if formulas.cell(r, 1).value == "TOÀN TỈNH")
    header = {formulas.cell(5, c).value: c for c in range(1, 30)}
    rate = formulas.cell(total_row, header["cut_rate"]).value
    assert rate.startswith("=") and "cut" not in rate and "/" in rate  # recomputed from the sums
    assert formulas.cell(total_row, header["cut_total"]).value.startswith("=SUM(")
    assert values.cell(total_row, header["cut_total"]).value == 10
    assert values.cell(total_row, header["cut_rate"]).value == pytest.approx(10 / 104)
    missing_row = next(r for r in range(6, total_row) if formulas.cell(r, 2).value == "HCL")
    assert formulas.cell(missing_row, 4).value == "Chưa gửi"


@pytest.mark.libreoffice
def test_summary_recalculated_by_libreoffice_gives_the_same_totals(tmp_path):
    result = two_units(tmp_path)
    src = tmp_path / "summary" / "tong-hop.xlsx"
    src.parent.mkdir()
    data = build_summary(result)
    # Drop the cached totals so the values read back can only come from LibreOffice.
    openpyxl.load_workbook(io.BytesIO(data)).save(src)
    before = openpyxl.load_workbook(src, data_only=True)["Tổng hợp"]
    total_before = next(r for r in range(1, 60) if before.cell(r, 1).value == "TOÀN TỈNH")
    assert all(before.cell(total_before, c).value is None for c in range(5, 20))  # no cached totals left
    converted = libreoffice_convert(src, "xlsx", tmp_path / "lo")
    ws = openpyxl.load_workbook(converted, data_only=True)["Tổng hợp"]
    header = {ws.cell(5, c).value: c for c in range(1, 30)}
    total_row = next(r for r in range(1, 60) if ws.cell(r, 1).value == "TOÀN TỈNH")
    assert ws.cell(total_row, header["cut_total"]).value == 10
    assert ws.cell(total_row, header["cut_rate"]).value == pytest.approx(10 / 104)
    assert ws.cell(total_row, header["dvc_total"]).value == 74


def test_duplicates_resubmissions_unknown_and_missing_units(tmp_path):
    sub = tmp_path / "submissions"
    (sub / "email-2").mkdir(parents=True)
    first = filled(sub, "STTTT.xlsx", values=unit_values(STTTT, report_date=dt.date(2020, 11, 16)))
    shutil.copy(first, sub / "email-2" / "STTTT (1).xlsx")  # byte-identical
    filled(
        sub / "email-2", "STTTT-sua.xlsx", values=unit_values(STTTT, report_date=dt.date(2020, 11, 20), dvc_total=38)
    )
    filled(sub, "la.xlsx", values=unit_values(Unit("XYZ", "Đơn vị lạ")))
    (sub / "~$STTTT.xlsx").write_bytes(b"\x05lock")
    (sub / "ghi-chu.docx").write_bytes(b"PK\x03\x04 not really")
    before = hashes(sub)
    result = merge([sub], form(), ROSTER)
    status = {os.path.relpath(f.path, sub): f.status for f in result.files}
    assert status == {
        "STTTT.xlsx": "superseded",
        os.path.join("email-2", "STTTT (1).xlsx"): "duplicate",
        os.path.join("email-2", "STTTT-sua.xlsx"): "accepted",
        "la.xlsx": "rejected",
        "~$STTTT.xlsx": "ignored",
        "ghi-chu.docx": "ignored",
    }
    assert result.totals["dvc_total"] == 38  # the later report wins
    assert result.missing_units == ["SNV", "HCL"]
    rejected = next(f for f in result.files if f.status == "rejected")
    assert ("unit-unknown", "unit_code") in {(i.code, i.field) for i in rejected.issues}
    assert hashes(sub) == before  # inputs never modified


def test_same_report_date_tie_goes_to_the_file_saved_later_and_is_said(tmp_path):
    filled(tmp_path, "a.xlsx", values=unit_values(STTTT, dvc_total=30))
    filled(tmp_path, "b.xlsx", values=unit_values(STTTT, dvc_total=31))
    result = merge([tmp_path], form(), ROSTER)
    winner = next(f for f in result.files if f.status == "accepted")
    assert winner.path.endswith("b.xlsx") and any(i.code == "merge-tie" for i in winner.issues)
    assert result.totals["dvc_total"] == 31


FORMULA_TEXTS = ['=HYPERLINK("http://x.example","bấm")', "=cmd|' /C calc'!A0", "@SUM(1+1)", "+1+2", "-3"]


def test_formula_looking_text_stays_text_in_every_sheet(tmp_path):
    docs = [dict(SEED_DOCS[0], number=f"{i}-KH/ĐU") for i in range(1, len(FORMULA_TEXTS) + 1)]
    path = filled(tmp_path, "a.xlsx", values=unit_values(STTTT), docs=docs)
    # Text cells that look like formulas, as a pasted value arrives (openpyxl would make
    # "=..." a formula, so the cell type is set to string explicitly).
    wb = openpyxl.load_workbook(path)
    targets = [wb["Phụ lục"]["D13"], wb["Phụ lục"]["D14"], *(wb["Văn bản"][f"F{r}"] for r in range(5, 10))]
    for cell, text in zip(targets, [*FORMULA_TEXTS[:2], *FORMULA_TEXTS], strict=True):
        cell.value = text
        cell.data_type = "s"
    wb.save(path)
    result = merge([tmp_path], form(), ROSTER)
    out = tmp_path / "s.xlsx"
    out.write_bytes(build_summary(result))
    wb = openpyxl.load_workbook(out)
    seen = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value in FORMULA_TEXTS:
                    assert cell.data_type == "s", (ws.title, cell.coordinate)
                    seen.add(cell.value)
                if cell.data_type == "f" and ws.title != "Tổng hợp":
                    pytest.fail(f"formula in {ws.title}!{cell.coordinate}: {cell.value}")
    assert seen == set(FORMULA_TEXTS)


def test_python_api_returns_dataframes(tmp_path):
    filled(tmp_path, "a.xlsx")
    result = toolkit.merge([tmp_path], roster=Roster((STTTT, SNV)))
    frame = result.summary_frame()
    assert list(frame.index) == ["STTTT", "SNV"]
    assert frame.loc["STTTT", "cut_total"] == 8 and not frame.loc["SNV", "sent"]
    assert len(result.documents_frame()) == 7
    assert set(result.files_frame()["status"]) == {"accepted"}


# -- the command --------------------------------------------------------------------------------


def test_cli_merge_writes_summary_and_json(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    filled(sub, "a.xlsx")
    filled(sub, "bad.xlsx", values=unit_values(SNV, cut_total=9))
    roster = tmp_path / "units.csv"
    roster.write_text("code,name\nSTTTT,Sở Thông tin và Truyền thông\nSNV,Sở Nội vụ\n", encoding="utf-8")
    out, report = tmp_path / "tong-hop.xlsx", tmp_path / "r.json"
    result = CliRunner().invoke(app, ["merge", str(sub), "-o", str(out), "--units", str(roster), "--json", str(report)])
    assert result.exit_code == 1, result.output
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["missing_units"] == ["SNV"] and data["totals"]["cut_total"] == 8
    assert {f["status"] for f in data["files"]} == {"accepted", "rejected"}
    assert out.exists() and "bad.xlsx" in result.output


def test_cli_merge_output_safety(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    inp = filled(sub, "a.xlsx")
    out = tmp_path / "tong-hop.xlsx"
    out.write_bytes(b"old summary")
    runner = CliRunner()
    refused = runner.invoke(app, ["merge", str(sub), "-o", str(out)])
    assert refused.exit_code == 2 and "--force" in refused.output and out.read_bytes() == b"old summary"
    assert runner.invoke(app, ["merge", str(sub), "-o", str(out), "--force"]).exit_code == 0
    assert out.read_bytes() != b"old summary"
    before = inp.read_bytes()
    same = runner.invoke(app, ["merge", str(sub), "-o", str(inp), "--force"])
    assert same.exit_code == 2 and inp.read_bytes() == before
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    unwritable = runner.invoke(app, ["merge", str(sub), "-o", str(blocker / "out.xlsx")])
    assert unwritable.exit_code == 2 and "Traceback" not in unwritable.output
    leftovers = [p.name for p in tmp_path.rglob(".~dv-*")]
    assert leftovers == []


# -- what a reviewer met -------------------------------------------------------------------------


def test_a_corrected_resubmission_supersedes_the_rejected_one(tmp_path):
    filled(tmp_path, "v1.xlsx", values=unit_values(STTTT, cut_total=9, report_date=dt.date(2020, 11, 10)))
    filled(tmp_path, "v2.xlsx", values=unit_values(STTTT, report_date=dt.date(2020, 11, 16)))
    result = merge([tmp_path], form(), ROSTER)
    status = {os.path.basename(f.path): f.status for f in result.files}
    assert status == {"v1.xlsx": "superseded", "v2.xlsx": "accepted"}
    assert result.ok


def test_a_newer_rejected_file_leaves_the_older_valid_one_and_says_so(tmp_path):
    filled(tmp_path, "v1.xlsx", values=unit_values(STTTT, report_date=dt.date(2020, 11, 10)))
    filled(tmp_path, "v2.xlsx", values=unit_values(STTTT, cut_total=9, report_date=dt.date(2020, 11, 16)))
    result = merge([tmp_path], form(), ROSTER)
    status = {os.path.basename(f.path): f.status for f in result.files}
    assert status == {"v1.xlsx": "accepted", "v2.xlsx": "rejected"}
    used = next(f for f in result.files if f.status == "accepted")
    assert "merge-newer-rejected" in {i.code for i in used.issues}


def test_rich_markup_in_a_cell_or_a_file_name_is_printed_as_text(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    path = filled(sub, "SXD [bo sung].xlsx", values=unit_values(SNV, dvc_total="37 [/b]"))
    result = CliRunner().invoke(app, ["merge", str(sub), "-o", str(tmp_path / "t.xlsx")])
    assert result.exit_code == 1, result.output
    assert "SXD [bo sung].xlsx" in result.output and "[/b]" in result.output
    check = CliRunner().invoke(app, ["check", str(path)])
    assert check.exit_code == 1 and "không mong đợi" not in check.output  # no crash on the markup


@pytest.mark.parametrize(
    "extra",
    [
        ["--json", "{tmp}/nodir/r.json"],
        ["--docx", "{tmp}/nodir/p.docx"],
        ["--json", "{tmp}/t.xlsx"],
        ["-o", "{tmp}/t.txt"],
    ],
)
def test_merge_refuses_bad_outputs_before_writing_anything(tmp_path, extra):
    sub = tmp_path / "sub"
    sub.mkdir()
    filled(sub, "a.xlsx")
    out = tmp_path / "t.xlsx"
    args = ["merge", str(sub), "-o", str(out), *[a.format(tmp=tmp_path) for a in extra]]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert not out.exists() and not (tmp_path / "t.txt").exists()


def test_merge_of_nothing_readable_writes_nothing(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "~$a.xlsx").write_bytes(b"\x05lock")
    out = tmp_path / "t.xlsx"
    result = CliRunner().invoke(app, ["merge", str(sub), "-o", str(out)])
    assert result.exit_code == 2 and not out.exists()
    not_a_folder = CliRunner().invoke(app, ["merge", str(sub / "~$a.xlsx"), "-o", str(out)])
    assert not_a_folder.exit_code == 2 and not out.exists()


def test_merging_again_inside_the_submissions_folder_skips_its_own_summary(tmp_path, monkeypatch):
    filled(tmp_path, "a.xlsx")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(app, ["merge", "."]).exit_code == 0
    again = runner.invoke(app, ["merge", ".", "--force"])
    assert again.exit_code == 0, again.output
    result = merge([tmp_path], form())
    summary = next(f for f in result.files if f.path.endswith("tong-hop-2020.xlsx"))
    assert summary.status == "ignored"
