"""Whose figures are these: unit codes however typed, a code and a name of two different units,
the roster as clerks really save it, and tone marks in the old or the new place (issue 9,
items 6, 7, 8, 11 and the case of a document number's type in 16)."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from typer.testing import CliRunner

from tests.support.domain import appendix, check, errors, filled, form, warnings
from tests.support.testing import SEED_DOCS, libreoffice_convert, saved
from tests.test_roster import UNITS, as_tuples, cp1258, csv_text, problem, write
from toolkit.cli import app
from toolkit.form.rules import Expression
from toolkit.merger import merge
from toolkit.roster import Roster, Unit, read_roster

STTTT = Unit("STTTT", "Sở Thông tin và Truyền thông", "so")
STNMT = Unit("STNMT", "Sở Tài nguyên và Môi trường", "so")
SVHTTDL = Unit("SVHTTDL", "Sở Văn hoá, Thể thao và Du lịch", "so")  # typed the old way in the roster
ROSTER = Roster((STTTT, STNMT, SVHTTDL))
ROSTER_CSV = "code,name\nSTTTT,Sở Thông tin và Truyền thông\nSTNMT,Sở Tài nguyên và Môi trường\n"


def sent(unit_code: str, unit_name: str = STTTT.name, day: int = 16, **changes):
    return appendix(unit_code=unit_code, unit_name=unit_name, report_date=dt.date(2020, 11, day), **changes)


# -- item 8: one unit, however its code is typed ----------------------------------------------


def three_spellings(folder):
    """Three reports of one unit, each saved on its report's day: the dates and save times agree
    on which is the latest (written one after the other, c.xlsx would otherwise be saved after
    b.xlsx, or in the same second, as the clock goes: a conflict, or not, by chance)."""
    for name, code, day, total in (("a", "S TTTT", 10, 30), ("b", "stttt", 12, 31), ("c", "STTTT", 11, 32)):
        path = filled(folder, f"{name}.xlsx", values=sent(code, day=day, dvc_total=total))
        on_the_day = dt.datetime(2020, 11, day, 9, 0, tzinfo=dt.UTC)
        saved(path, on_the_day, mtime=on_the_day)


def test_three_spellings_of_a_code_are_one_unit_without_a_roster(tmp_path):
    three_spellings(tmp_path)
    result = merge([tmp_path], form())
    assert [r.code for r in result.rows] == ["STTTT"]
    assert result.totals["dvc_total"] == 31  # the latest report, not 30 + 31 + 32
    assert {f.unit_code for f in result.files} == {"STTTT"}
    assert sorted(f.status for f in result.files) == ["accepted", "superseded", "superseded"]
    assert len(result.files_of("s tttt")) == 3


def test_with_a_roster_the_unit_is_the_rosters_spelling(tmp_path):
    three_spellings(tmp_path)
    roster = Roster((Unit("STTTT", STTTT.name), STNMT))
    result = merge([tmp_path], form(), roster)
    assert [r.code for r in result.rows if r.sent] == ["STTTT"]
    assert result.missing_units == ["STNMT"]
    assert result.totals["dvc_total"] == 31
    assert all(f.to_dict()["unit_code"] == "STTTT" for f in result.files)


# -- item 6: the code of one unit, the name of another ----------------------------------------


@pytest.mark.parametrize("name", [STNMT.name, "sở tài nguyên  và môi trường"])
def test_code_of_one_unit_and_name_of_another_is_rejected_naming_both(tmp_path, name):
    report = check(filled(tmp_path, values=sent("STTTT", name)), ROSTER)
    assert ("unit-ambiguous", "unit_name") in errors(report)
    (issue,) = [i for i in report.issues if i.code == "unit-ambiguous"]
    for text in (issue.message, issue.message_en):
        assert "STTTT" in text and "STNMT" in text and STTTT.name in text and STNMT.name in text


def test_a_name_no_unit_has_is_only_a_warning(tmp_path):
    report = check(filled(tmp_path, values=sent("STTTT", "Sở TT&TT")), ROSTER)
    assert ("unit-name-differs", "unit_name") in warnings(report) and not errors(report)


def test_the_merge_account_prints_the_ambiguous_file(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    filled(sub, "TTT.xlsx", values=sent("STTTT", STNMT.name))
    roster = write(tmp_path, ROSTER_CSV)
    out = tmp_path / "tong-hop.xlsx"
    result = CliRunner().invoke(app, ["merge", str(sub), "-o", str(out), "--units", str(roster)])
    assert result.exit_code == 1, result.output
    account = " ".join(result.output.split())
    assert "TTT.xlsx" in account and "STNMT (Sở Tài nguyên và Môi trường)" in account
    assert "Không rõ số liệu của đơn vị nào" in account


# -- item 11: tone marks in the old or the new place -------------------------------------------


def test_party_committee_typed_the_new_way_is_the_forms_choice(tmp_path):
    docs = [dict(d, issuer="Đảng uỷ") if d["issuer"] == "Đảng ủy" else d for d in SEED_DOCS]
    report = check(filled(tmp_path, docs=docs))
    assert not errors(report), report.errors
    assert {d["issuer"] for d in report.docs} == {"Đảng ủy", "Chính quyền"}  # the form's spelling, for the summary
    assert report.values["docs_party"] == 5


@pytest.mark.parametrize("typed", ["Sở Văn hóa, Thể thao và Du lịch", "SỞ VĂN HOÁ, THỂ THAO VÀ DU LỊCH"])
def test_unit_name_in_either_style_matches_the_roster(tmp_path, typed):
    report = check(filled(tmp_path, values=sent("SVHTTDL", typed)), ROSTER)
    assert not {c for c in warnings(report) | errors(report) if c[0].startswith("unit-")}
    assert ROSTER.by_name(typed) == SVHTTDL


def test_rule_comparisons_and_countif_ignore_the_style():
    docs = {"van_ban": [{"issuer": "Đảng uỷ"}, {"issuer": "Đảng ủy"}, {"issuer": "Chính quyền"}]}
    assert Expression('countif(van_ban.issuer, "Đảng ủy")').evaluate({}, docs) == 2
    assert Expression('a == "Văn hóa"').evaluate({"a": "Văn hoá"}) is True


@pytest.mark.libreoffice
def test_new_style_choice_and_name_saved_by_libreoffice_are_accepted(tmp_path):
    docs = [dict(SEED_DOCS[0], issuer="Đảng uỷ"), *SEED_DOCS[1:]]
    src = filled(tmp_path, "SVHTTDL.xlsx", values=sent("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch"), docs=docs)
    ods = libreoffice_convert(src, "ods", tmp_path / "lo")
    report = check(ods, ROSTER)
    assert not errors(report), report.errors
    assert report.unit_code == "SVHTTDL" and report.docs[0]["issuer"] == "Đảng ủy"
    assert not {c for c in warnings(report) if c[0].startswith("unit-")}


# -- item 7: the roster as clerks save it ---------------------------------------------------------


def test_excel_csv_of_a_vietnamese_windows_is_read_with_a_warning(tmp_path):
    data = cp1258(csv_text(newline="\r\n"))
    assert "\u0309".encode("cp1258") in data  # tone marks as combining characters, as Excel writes them
    roster = read_roster(write(tmp_path, data))
    assert as_tuples(roster) == UNITS
    assert all(u.name == unicodedata.normalize("NFC", u.name) for u in roster.units)
    (note,) = roster.warnings
    assert "Windows-1258" in note.render("vi") and "Windows-1258" in note.render("en")


def test_excel_unicode_text_is_read_with_a_warning(tmp_path):
    data = ("\ufeff" + csv_text(sep="\t", header="Mã\tTên\tLoại", newline="\r\n")).encode("utf-16-le")
    roster = read_roster(write(tmp_path, data, "units.txt"))
    assert as_tuples(roster) == UNITS
    assert "UTF-16" in roster.warnings[0].render("vi")


def test_an_unquoted_comma_in_a_two_column_roster_stays_in_the_name(tmp_path):
    roster = read_roster(
        write(tmp_path, "code,name\nSTTTT,Sở Thông tin và Truyền thông\nSVHTTDL,Sở Văn hóa, Thể thao và Du lịch\n")
    )
    assert roster.require("SVHTTDL").name == "Sở Văn hóa, Thể thao và Du lịch"
    (note,) = roster.warnings
    assert "dòng 3" in note.render("vi") and "Sở Văn hóa, Thể thao và Du lịch" in note.render("vi")


def test_an_unquoted_comma_before_a_kind_stays_in_the_name(tmp_path):
    roster = read_roster(write(tmp_path, "code,name,kind\nSVHTTDL,Sở Văn hóa, Thể thao và Du lịch,Sở\n"))
    assert as_tuples(roster) == [("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", "so")]


@pytest.mark.parametrize(
    "data",
    [
        "code,name,kind\nSNV,Sở Nội vụ,so\nSVHTTDL,Sở Văn hóa, Thể thao, Du lịch\n",
        "code,name,ghi_chu\nSNV,Sở Nội vụ,\nSVHTTDL,Sở Văn hóa, Thể thao và Du lịch,mới\n",
        "name,code\nSở Nội vụ,SNV\nSở Văn hóa, Thể thao và Du lịch,SVHTTDL\n",
    ],
    ids=["kind-missing", "a-note-column", "name-first"],
)
def test_extra_fields_that_cannot_be_placed_are_an_error_naming_the_line(tmp_path, data):
    err = problem(write(tmp_path, data))
    assert [p.key for p in err.params["problems"]] == ["roster.extra_fields"]
    assert "dòng 3" in err.render("vi") and "line 3" in err.render("en")


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("so", "so"),
        ("sở", "so"),
        ("Sở", "so"),
        ("SỞ", "so"),
        ("cấp sở", "so"),
        ("huyen", "huyen"),
        ("huyện", "huyen"),
        ("Huyện", "huyen"),
        ("HUYỆN", "huyen"),
        ("thị xã", "huyen"),
        ("Thành phố", "huyen"),
        ("quận", "huyen"),
        (unicodedata.normalize("NFD", "Huyện"), "huyen"),
    ],
)
def test_kind_written_in_vietnamese(tmp_path, typed, kind):
    roster = read_roster(write(tmp_path, f"code,name,kind\nX,Đơn vị X,{typed}\n"))
    assert roster.units[0].kind == kind


@pytest.mark.parametrize("command", ["make-template", "check", "merge"])
def test_every_command_prints_the_rosters_warning(tmp_path, command):
    roster = write(tmp_path, cp1258(ROSTER_CSV))
    sub = tmp_path / "sub"
    sub.mkdir()
    submission = filled(sub, "STTTT.xlsx")
    args = {
        "make-template": ["make-template", "--units", str(roster), "--unit", "STTTT", "-o", str(tmp_path / "m.xlsx")],
        "check": ["check", "--units", str(roster), str(submission)],
        "merge": ["merge", str(sub), "--units", str(roster), "-o", str(tmp_path / "tong-hop.xlsx")],
    }[command]
    result = CliRunner().invoke(app, ["--lang", "vi", *args])
    assert result.exit_code == 0, result.output
    assert "Windows-1258" in result.output and "Traceback" not in result.output
