"""Never a guess (issue 17, section A; docs/spec.md §8): which file is the unit's. A figure dv
cannot be sure of is never merged: the file or the unit is put in front of the officer with
both readings and one step that decides (``dv merge --use``)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from tests.support.domain import appendix, check, codes, filled, form
from tests.support.programs import UNO_PYTHON
from tests.support.testing import saved
from toolkit.cli import app
from toolkit.merger import merge
from toolkit.roster import read_roster

ROOT = Path(__file__).resolve().parent.parent
ROSTER_PATH = ROOT / "samples" / "units.csv"
ROSTER = read_roster(ROSTER_PATH)
STTTT, SYT, SNNPTNT = ROSTER.get("STTTT"), ROSTER.get("SYT"), ROSTER.get("SNNPTNT")
UTC = dt.UTC
MORNING = dt.datetime(2020, 11, 17, 8, 0, tzinfo=UTC)
AFTERNOON = dt.datetime(2020, 11, 17, 14, 30, tzinfo=UTC)


def of(unit, **changes):
    """The seed's appendix as ``unit``'s, with its own report number."""
    return appendix(unit_code=unit.code, unit_name=unit.name, **changes)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, " ".join(result.output.split())


def statuses(result) -> dict[str, str]:
    return {f.name: str(f.status) for f in result.files}


def dv_merge(folder: Path, out: Path, *extra: str) -> tuple[int, str]:
    return run(
        "merge", folder, "--units", ROSTER_PATH, "-o", out / "t.xlsx", "--json", out / "r.json", "--force", *extra
    )


def type_in_libreoffice(path: Path, code: str, value: str) -> None:
    """The clerk opens ``path`` in LibreOffice, types ``value`` into the field's cell, saves."""
    f = form().field(code)
    script = Path(__file__).parent / "support" / "uno_type.py"
    done = subprocess.run(
        [UNO_PYTHON, str(script), str(path), f.sheet, f.cell, value], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr


# -- item 1: the annotated copy comes back -------------------------------------------------------------


def annotated_copy(folder: Path, name: str, **values) -> tuple[Path, Path]:
    """``name`` filled with ``values`` and its copy annotated by ``dv check --annotate``."""
    original = filled(folder, name, values=of(STTTT, **values), unit=STTTT)
    code, output = run("check", original, "--annotate")
    copy = original.with_name(original.stem + ".kiem-tra.xlsx")
    assert copy.exists(), output
    return original, copy


def test_a_corrected_annotated_copy_is_the_units_submission(tmp_path):
    """The clerk corrects the copy dv annotated (cut_total 9 → 8) and sends it back: read as a
    submission, it counts, and the faulty original is superseded (it stayed rejected before)."""
    sub = tmp_path / "nop"
    sub.mkdir()
    original, copy = annotated_copy(sub, "STTTT.xlsx", cut_total=9)
    saved(original, MORNING)
    wb = openpyxl.load_workbook(copy)
    f = form().field("cut_total")
    wb[f.sheet][f.cell] = 8
    wb.save(copy)
    code, output = dv_merge(sub, tmp_path)
    result = merge([sub], form(), ROSTER)
    assert statuses(result) == {"STTTT.xlsx": "superseded", "STTTT.kiem-tra.xlsx": "accepted"}, output
    assert result.totals["cut_total"] == 8 and code == 0, output  # nothing rejected, nothing in doubt
    assert "STTTT" not in json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["missing_units"]


def test_an_annotated_copy_sent_back_unchanged_is_dvs_own_output_never_merged_twice(tmp_path):
    """The seed has a warning (a 2016 plan), so it is annotated; its copy, figures unchanged, is
    listed as dv's own output of that file (by its SHA-256), never a second submission."""
    sub = tmp_path / "nop"
    sub.mkdir()
    original, copy = annotated_copy(sub, "STTTT.xlsx")
    result = merge([sub], form(), ROSTER)
    assert statuses(result) == {"STTTT.xlsx": "accepted", "STTTT.kiem-tra.xlsx": "ignored"}
    (said,) = next(f for f in result.files if f.name == copy.name).issues
    sha = next(f for f in result.files if f.name == original.name).sha256
    assert said.code == "file-ignored" and sha[:12] in said.message and "chưa sửa" in said.message


@pytest.mark.uno
def test_the_clerk_corrects_the_annotated_copy_in_libreoffice(tmp_path):
    sub = tmp_path / "nop"
    sub.mkdir()
    original, copy = annotated_copy(sub, "STTTT.xlsx", cut_total=9)
    type_in_libreoffice(copy, "cut_total", "8")  # LibreOffice keeps the metadata sheet's rows
    report = check(copy, ROSTER)
    assert (report.status, report.meta.get("annotates")) == ("accepted", check(original).sha256)
    result = merge([sub], form(), ROSTER)
    assert statuses(result) == {"STTTT.xlsx": "superseded", "STTTT.kiem-tra.xlsx": "accepted"}
    assert result.totals["cut_total"] == 8


# -- item 2: a unit fills another unit's personalised template ----------------------------------------


def test_another_units_report_in_a_units_template_is_unit_conflict_not_a_replacement(tmp_path):
    """Sở Y tế fills Sở TT&TT's template, types its own number 45/BC-SYT and a later date, names
    the file SYT-phu-luc.xlsx: neither unit gets its figures, both are named, exit 1; Sở TT&TT's
    own file still counts."""
    sub = tmp_path / "nop"
    sub.mkdir()
    filled(sub, "STTTT.xlsx", values=of(STTTT), unit=STTTT)
    syt = of(STTTT, report_number="45/BC-SYT", report_date=dt.date(2020, 11, 20), dvc_total=120, dvc_level4=60)
    filled(sub, "SYT-phu-luc.xlsx", values=syt, unit=STTTT)
    code, output = dv_merge(sub, tmp_path)
    assert code == 1
    result = merge([sub], form(), ROSTER)
    assert statuses(result) == {"STTTT.xlsx": "accepted", "SYT-phu-luc.xlsx": "unit-conflict"}
    assert result.totals["dvc_total"] == 37  # Sở TT&TT's real figure, not 120
    wrong = next(f for f in result.files if f.status == "unit-conflict")
    assert ("unit-conflict", "unit_code") in {(i.code, i.field) for i in wrong.errors}
    assert (wrong.unit_code, wrong.report.other_unit) == ("STTTT", "SYT")
    for said in ("STTTT (Sở Thông tin và Truyền thông)", "SYT (Sở Y tế)", '"45/BC-SYT"', '"SYT-phu-luc.xlsx"'):
        assert said in output, said
    files = {Path(f["path"]).name: f for f in json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["files"]}
    assert (files["SYT-phu-luc.xlsx"]["status"], files["SYT-phu-luc.xlsx"]["other_unit"]) == ("unit-conflict", "SYT")
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx", read_only=True)
    listed = [(r[1], r[3], r[4]) for r in wb["Tình hình nộp"].iter_rows(min_row=5, values_only=True) if r[4]]
    assert ("STTTT", "Xung đột đơn vị", "SYT-phu-luc.xlsx") in listed  # under the unit its template names
    assert ("SYT", "Xung đột đơn vị", "SYT-phu-luc.xlsx") in listed  # and the unit its evidence names
    checks = {(r[0], r[2], r[5]) for r in wb["Kiểm tra"].iter_rows(min_row=5, values_only=True)}
    assert ("SYT-phu-luc.xlsx", "Xung đột đơn vị", "unit-conflict") in checks


@pytest.mark.parametrize(
    ("where", "changes", "evidence"),
    [
        ("SYT-phu-luc.xlsx", {"report_number": None}, "tên tệp"),
        ("SYT/phu-luc.xlsx", {"report_number": None}, "đường dẫn"),
        ("email-SYT/thu/phu-luc.xlsx", {"report_number": None}, "đường dẫn"),
        ("phu-luc.xlsx", {"report_number": "12/BC-SYT-VP"}, "số báo cáo"),
        ("phu-luc.xlsx", {"report_number": None, "signer": "GIÁM ĐỐC SỞ Y TẾ Nguyễn Văn An"}, "dòng người ký"),
        ("phu-luc.xlsx", {"report_number": None, "contact": "Văn phòng Sở Y tế, 0294.3812345"}, "dòng người ký"),
    ],
)
def test_each_piece_of_evidence_naming_another_unit_is_said(tmp_path, where, changes, evidence):
    sub = tmp_path / "nop"
    (sub / where).parent.mkdir(parents=True)
    filled((sub / where).parent, Path(where).name, values=of(STTTT, **changes), unit=STTTT)
    (report,) = merge([sub], form(), ROSTER).files
    assert (report.status, report.report.other_unit) == ("unit-conflict", "SYT")
    assert evidence in next(i for i in report.issues if i.code == "unit-conflict").message


@pytest.mark.parametrize(
    ("where", "changes"),
    [
        ("STTTT - Phu luc.xlsx", {}),  # every piece names the unit itself
        ("gui-SNV/STTTT.xlsx", {}),  # a folder naming Home Affairs, the file its unit: the path names the unit
        ("phu-luc.xlsx", {"report_number": "…/BC-STTTT-VP", "signer": "KT. GIÁM ĐỐC – PHÓ GIÁM ĐỐC Nguyễn Văn Nây"}),
        ("phu-luc.xlsx", {"report_number": "45/BC-UBND"}),  # not a roster code
        ("phu-luc.xlsx", {"signer": "GIÁM ĐỐC SỞ THÔNG TIN VÀ TRUYỀN THÔNG"}),
    ],
)
def test_evidence_that_agrees_or_names_no_unit_raises_nothing(tmp_path, where, changes):
    sub = tmp_path / "nop"
    (sub / where).parent.mkdir(parents=True)
    filled((sub / where).parent, Path(where).name, values=of(STTTT, **changes), unit=STTTT)
    (report,) = merge([sub], form(), ROSTER).files
    assert report.status == "accepted", [i.message for i in report.issues]


def test_no_false_alarm_on_the_28_shipped_samples():
    result = merge([ROOT / "samples" / "submissions"], form(), ROSTER)
    assert not result.unit_conflicts and not result.conflicts
    assert sorted(f.name for f in result.rejected) == ["SGTVT-phu-luc-2020.xlsx", "SXD-phu-luc-2020.xlsx"]


def test_the_officer_vouches_for_a_unit_conflict_file_with_use(tmp_path):
    sub = tmp_path / "nop"
    sub.mkdir()
    path = filled(sub, "SYT-phu-luc.xlsx", values=of(STTTT, dvc_total=40), unit=STTTT)
    code, output = dv_merge(sub, tmp_path, "--use", path)
    result = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert [f["status"] for f in result["files"]] == ["accepted"]
    assert result["totals"]["dvc_total"] == 40 and "STTTT" not in result["missing_units"]
    assert "theo lựa chọn của cán bộ" in output


# -- item 3: resubmissions whose evidence disagrees ----------------------------------------------------


def two_readings(folder: Path, *, later_date_saved_first: bool = True) -> tuple[Path, Path]:
    """The unit's file of 16/11, and its correction (one figure changed) saved later but dated
    12/11, the date of the signed letter kept. (05/12 typed on an en-US computer is stored as
    12/05: earlier than the documents listed, which doc_date_after_report rejects.)"""
    a, b = folder / "email-1", folder / "email-2"
    a.mkdir(parents=True)
    b.mkdir(parents=True)
    first = filled(a, "STTTT.xlsx", values=of(STTTT, dvc_total=37), unit=STTTT)
    fixed = filled(b, "STTTT.xlsx", values=of(STTTT, dvc_total=38, report_date=dt.date(2020, 11, 12)), unit=STTTT)
    saved(first, MORNING)
    saved(fixed, AFTERNOON)
    return first, fixed


def test_a_correction_saved_later_but_dated_earlier_is_a_conflict_nothing_merged(tmp_path):
    sub = tmp_path / "nop"
    first, fixed = two_readings(sub)
    code, output = dv_merge(sub, tmp_path)
    assert code == 1
    result = merge([sub], form(), ROSTER)
    assert statuses(result) == {"email-1/STTTT.xlsx": "conflict", "email-2/STTTT.xlsx": "conflict"}
    assert result.totals["dvc_total"] is None  # no unit's figure: none is sure
    assert [r.code for r in result.rows if r.conflict] == ["STTTT"] and "STTTT" not in result.missing_units
    label = form().field("dvc_total").label
    for said in (
        "email-1/STTTT.xlsx",
        "email-2/STTTT.xlsx",
        f"{label}: 37 / 38",
        "16/11/2020",
        "12/11/2020",
        f'--use "{fixed}"',
        "Chưa tổng hợp số liệu của đơn vị này",
    ):
        assert said in output, said
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["conflict_units"] == {"STTTT": [str(first), str(fixed)]}
    assert {f["status"] for f in report["files"]} == {"conflict"}
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx", read_only=True)
    row = next(r for r in wb["Tổng hợp"].iter_rows(min_row=6, values_only=True) if r[1] == "STTTT")
    assert row[3].startswith("Xung đột")
    kinds = {r[2] for r in wb["Kiểm tra"].iter_rows(min_row=5, values_only=True) if r[5] == "merge-conflict"}
    assert kinds == {"Xung đột, chờ chọn tệp"}


@pytest.mark.parametrize("how", ["path", "sha256"])
def test_use_decides_a_conflict_in_one_step(tmp_path, how):
    sub = tmp_path / "nop"
    first, fixed = two_readings(sub)
    choice = str(fixed) if how == "path" else check(fixed).sha256[:16]
    code, output = dv_merge(sub, tmp_path, "--use", choice)
    assert code == 0, output
    result = merge([sub], form(), ROSTER, use=[choice])
    assert statuses(result) == {"email-1/STTTT.xlsx": "superseded", "email-2/STTTT.xlsx": "accepted"}
    assert result.totals["dvc_total"] == 38
    assert "cán bộ đã chọn tệp email-2/STTTT.xlsx" in output


def test_use_naming_no_file_stops_before_anything_is_read(tmp_path):
    sub = tmp_path / "nop"
    two_readings(sub)
    code, output = dv_merge(sub, tmp_path, "--use", sub / "email-3" / "STTTT.xlsx")
    assert code == 2 and "--use" in output and not (tmp_path / "t.xlsx").exists()


@pytest.mark.parametrize("mtimes", ["equal", "absent-saved-time-equal-mtime"])
def test_same_date_and_no_time_that_tells_is_a_conflict_never_the_path_order(tmp_path, mtimes):
    """The README promises: never by the file's name. Two different files of one date whose
    save times (and modification times) are equal: the officer chooses."""
    sub = tmp_path / "nop"
    sub.mkdir()
    when = dt.datetime(2020, 11, 20, tzinfo=UTC)
    for name, total in (("STTTT.xlsx", 37), ("STTTT (1).xlsx", 38)):
        path = filled(sub, name, values=of(STTTT, dvc_total=total), unit=STTTT)
        saved(path, MORNING if mtimes == "equal" else None, mtime=when)
    result = merge([sub], form(), ROSTER)
    assert statuses(result) == {"STTTT.xlsx": "conflict", "STTTT (1).xlsx": "conflict"}
    (issue,) = {i.message for f in result.files for i in f.issues if i.code == "merge-conflict"}
    assert "cùng ngày báo cáo 16/11/2020" in issue and not [
        i for f in result.files for i in f.issues if i.code == "merge-tie"
    ]


def test_the_same_figures_in_two_files_are_no_conflict(tmp_path):
    sub = tmp_path / "nop"
    sub.mkdir()
    for name in ("STTTT.xlsx", "STTTT (1).xlsx"):
        path = saved(filled(sub, name, values=of(STTTT), unit=STTTT), None)
        with zipfile.ZipFile(path, "a") as z:  # other bytes (not a duplicate), the same content
            z.comment = name.encode()
        os.utime(path, (MORNING.timestamp(),) * 2)
    result = merge([sub], form(), ROSTER)
    assert sorted(statuses(result).values()) == ["accepted", "superseded"] and result.totals["dvc_total"] == 37


def test_dates_and_save_times_that_agree_still_decide_alone(tmp_path):
    sub = tmp_path / "nop"
    sub.mkdir()
    old = saved(filled(sub, "b.xlsx", values=of(STTTT, report_date=dt.date(2020, 11, 10)), unit=STTTT), MORNING)
    new = saved(filled(sub, "a.xlsx", values=of(STTTT, dvc_total=38), unit=STTTT), AFTERNOON)
    result = merge([sub], form(), ROSTER)
    assert statuses(result) == {old.name: "superseded", new.name: "accepted"} and result.ok
    assert not result.conflicts


# -- item 5: last year's template ------------------------------------------------------------------------


def test_last_years_template_is_named_by_its_unit_not_as_missing(tmp_path):
    sub = tmp_path / "nop"
    sub.mkdir()
    shutil.copy(ROOT / "tests" / "awkward" / "files" / "old-year.xlsx", sub / "phu-luc.xlsx")
    code, output = dv_merge(sub, tmp_path)
    assert code == 1
    assert "✗ phu-luc.xlsx (SNNPTNT): Tệp phu-luc.xlsx là biểu mẫu năm 2019" in output
    (file,) = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["files"]
    assert (file["unit_code"], file["status"]) == ("SNNPTNT", "rejected")
    assert ("form-year", "") in codes(check(sub / "phu-luc.xlsx", ROSTER))
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx", read_only=True)
    rows = [r for r in wb["Tình hình nộp"].iter_rows(min_row=5, values_only=True) if r[1] == "SNNPTNT"]
    assert [(r[3], r[4]) for r in rows] == [("Bị từ chối (gửi mẫu năm 2019)", "phu-luc.xlsx")]
    summary = next(r for r in wb["Tổng hợp"].iter_rows(min_row=6, values_only=True) if r[1] == "SNNPTNT")
    assert summary[3] == "Bị từ chối (gửi mẫu năm 2019)"


# -- item 6: the same file name in two sub-folders -----------------------------------------------------


def test_two_files_of_one_name_are_named_by_their_folder_and_their_save_times_as_they_are(tmp_path):
    """Both record the same save time; the modification times tell: the message says the save
    times were the same, never that the files record none."""
    sub = tmp_path / "nop"
    for folder, total, mtime in (("email-1", 37, MORNING), ("email-2", 38, AFTERNOON)):
        (sub / folder).mkdir(parents=True)
        path = filled(sub / folder, "STTTT.xlsx", values=of(STTTT, dvc_total=total), unit=STTTT)
        saved(path, dt.datetime(2020, 11, 17, 7, 0, tzinfo=UTC), mtime=mtime)
    code, output = dv_merge(sub, tmp_path)
    assert "Tệp email-1/STTTT.xlsx của đơn vị STTTT đã được thay bằng tệp email-2/STTTT.xlsx" in output
    assert "dùng email-2/STTTT.xlsx" in output and "không dùng email-1/STTTT.xlsx" in output
    assert "không ghi thời điểm lưu" not in output and "hai tệp ghi cùng thời điểm lưu" in output
    result = merge([sub], form(), ROSTER)
    assert all(("/" in f.name) for f in result.files)
    texts = [i.message for f in result.files for i in f.issues]
    assert texts and all("email-" in text for text in texts if "STTTT.xlsx" in text)


def test_dv_check_of_a_folder_names_its_files_by_their_sub_folder_and_annotates_them_in_place(tmp_path):
    sub = tmp_path / "nop"
    (sub / "email-1").mkdir(parents=True)
    (sub / "email-2").mkdir()
    shutil.copy(ROOT / "tests" / "awkward" / "files" / "old-year.xlsx", sub / "email-1" / "STTTT.xlsx")
    filled(sub / "email-2", "STTTT.xlsx", values=of(STTTT, cut_total=9), unit=STTTT)
    code, output = run("check", sub, "--annotate")
    assert code == 1 and "Tệp email-1/STTTT.xlsx là biểu mẫu năm 2019" in output
    assert (sub / "email-2" / "STTTT.kiem-tra.xlsx").exists(), output


def test_a_file_without_a_save_time_is_named_when_the_modification_times_decide(tmp_path):
    sub = tmp_path / "nop"
    sub.mkdir()
    old = saved(filled(sub, "a.xlsx", values=of(STTTT), unit=STTTT), MORNING, mtime=MORNING)
    saved(filled(sub, "b.xlsx", values=of(STTTT, dvc_total=38), unit=STTTT), None, mtime=AFTERNOON)
    result = merge([sub], form(), ROSTER)
    (tie,) = [i.message for f in result.files for i in f.issues if i.code == "merge-tie"]
    assert "tệp b.xlsx không ghi thời điểm lưu" in tie and f"tệp {old.name} không ghi" not in tie


# -- item 7: hundreds of versions of one unit ------------------------------------------------------------


def test_hundreds_of_versions_are_summarised_per_unit_and_listed_in_full_on_request(tmp_path):
    sub = tmp_path / "nop"
    sub.mkdir()
    first = saved(filled(sub, "v000.xlsx", values=of(STTTT), unit=STTTT), MORNING)
    n = 200
    for i in range(1, n):  # the same figures saved again and again: each a version of its own
        shutil.copy(first, sub / f"v{i:03d}.xlsx")
        saved(sub / f"v{i:03d}.xlsx", MORNING + dt.timedelta(minutes=i))
    shutil.copy(sub / "v001.xlsx", sub / "v001-copy.xlsx")  # and one byte-identical copy
    code, output = run("merge", sub, "-o", tmp_path / "t.xlsx", "--json", tmp_path / "r.json")
    lines = CliRunner().invoke(app, ["merge", str(sub), "-o", str(tmp_path / "t.xlsx"), "--force"]).output
    assert code == 0, output
    assert len(lines.splitlines()) < 30, lines  # it printed 2 lines a version: 400
    assert "Đơn vị STTTT: 199 tệp đã được thay bằng tệp mới hơn, 1 tệp trùng lặp; tệp dùng: v199.xlsx" in output
    verbose = CliRunner().invoke(app, ["merge", str(sub), "-o", str(tmp_path / "t.xlsx"), "--force", "--verbose"])
    assert verbose.output.count("↻") == n and verbose.exit_code == 0  # 199 superseded, 1 duplicate
    files = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["files"]
    assert len(files) == n + 1 and sum(f["status"] == "superseded" for f in files) == n - 1


def test_a_units_notes_are_capped_too(tmp_path):
    sub = tmp_path / "nop"
    sub.mkdir()
    for i in range(6):  # six files of one date, each a figure apart: five ties on the file used
        path = filled(sub, f"v{i}.xlsx", values=of(STTTT, dvc_total=30 + i), unit=STTTT)
        saved(path, MORNING + dt.timedelta(minutes=i))
    output = CliRunner().invoke(app, ["merge", str(sub), "-o", str(tmp_path / "t.xlsx")]).output
    assert output.count("  ! ") == 4 and "và 2 lưu ý khác như vậy của đơn vị STTTT" in " ".join(output.split())
