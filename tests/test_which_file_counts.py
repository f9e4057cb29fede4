"""Which file of a unit counts (issue 9, items 3, 4 and 10): a corrected resubmission with the
same report date, a mistyped report date, a text longer than a cell."""

from __future__ import annotations

import datetime as dt
import json
import os
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.support.domain import appendix, filled, form
from tests.support.programs import UNO_PYTHON
from tests.support.testing import SEED_DOCS, saved
from toolkit.cli import app
from toolkit.merger import merge
from toolkit.roster import Roster, Unit

STTTT = Unit("STTTT", "Sở Thông tin và Truyền thông", "so")
SNV = Unit("SNV", "Sở Nội vụ", "so")
ROSTER = Roster((STTTT, SNV))
UTC = dt.UTC


def unit_values(unit: Unit, **changes):
    return appendix(unit_code=unit.code, unit_name=unit.name, **changes)


MORNING = dt.datetime(2020, 11, 17, 8, 0, tzinfo=UTC)
AFTERNOON = dt.datetime(2020, 11, 17, 14, 30, tzinfo=UTC)


def browser_downloads(folder: Path, *, old_saved, new_saved, old_mtime=None, new_mtime=None) -> tuple[Path, Path]:
    """The unit's first file, and its correction (a figure changed, the signed report's date
    kept) that the browser saved as "X (1).xlsx", a name sorting before "X.xlsx"."""
    old = filled(folder, "STTTT.xlsx", values=unit_values(STTTT, dvc_total=37))
    new = filled(folder, "STTTT (1).xlsx", values=unit_values(STTTT, dvc_total=38))
    saved(old, old_saved, mtime=old_mtime)
    saved(new, new_saved, mtime=new_mtime)
    return old, new


def status(result) -> dict[str, str]:
    return {Path(f.path).name: f.status for f in result.files}


# -- item 3: the same report date --------------------------------------------------------------


def test_same_date_the_file_saved_later_wins_not_the_later_name(tmp_path):
    # The officer copied the old file last: its modification time is the newest, yet the
    # workbooks themselves say which was saved later.
    browser_downloads(
        tmp_path,
        old_saved=MORNING,
        new_saved=AFTERNOON,
        old_mtime=dt.datetime(2020, 11, 20, tzinfo=UTC),
        new_mtime=dt.datetime(2020, 11, 18, tzinfo=UTC),
    )
    result = merge([tmp_path], form(), ROSTER)
    assert status(result) == {"STTTT.xlsx": "superseded", "STTTT (1).xlsx": "accepted"}
    assert result.totals["dvc_total"] == 38
    used = next(f for f in result.files if f.status == "accepted")
    assert used.saved_at == AFTERNOON
    (tie,) = [i for i in used.issues if i.code == "merge-tie"]
    label = form().field("dvc_total").label
    assert f"{label}: 38 / 37" in tie.message and "STTTT.xlsx" in tie.message
    assert "lưu sau" in tie.message


def test_same_date_without_a_saved_time_the_later_modified_file_wins(tmp_path):
    browser_downloads(
        tmp_path,
        old_saved=None,
        new_saved=None,
        old_mtime=dt.datetime(2020, 11, 20, tzinfo=UTC),
        new_mtime=dt.datetime(2020, 11, 21, tzinfo=UTC),
    )
    result = merge([tmp_path], form(), ROSTER)
    assert status(result) == {"STTTT.xlsx": "superseded", "STTTT (1).xlsx": "accepted"}
    assert result.files[0].saved_at is None


def test_same_date_and_the_later_name_saved_later_still_wins(tmp_path):
    browser_downloads(tmp_path, old_saved=AFTERNOON, new_saved=MORNING)
    result = merge([tmp_path], form(), ROSTER)
    assert status(result) == {"STTTT.xlsx": "accepted", "STTTT (1).xlsx": "superseded"}
    assert result.totals["dvc_total"] == 37


def test_the_tie_is_printed_in_the_terminal_account_with_both_figures(tmp_path):
    sub = tmp_path / "nop"
    sub.mkdir()
    browser_downloads(sub, old_saved=MORNING, new_saved=AFTERNOON)
    json_path = tmp_path / "r.json"
    out = CliRunner().invoke(app, ["merge", str(sub), "-o", str(tmp_path / "t.xlsx"), "--json", str(json_path)])
    assert out.exit_code == 0, out.output
    text = " ".join(out.output.split())
    assert "cùng ngày báo cáo 16/11/2020" in text
    assert f"{form().field('dvc_total').label}: 38 / 37" in text
    assert "STTTT.xlsx của đơn vị STTTT đã được thay bằng tệp STTTT (1).xlsx" in text
    files = {Path(f["path"]).name: f for f in json.loads(json_path.read_text(encoding="utf-8"))["files"]}
    assert files["STTTT (1).xlsx"]["saved_at"] == AFTERNOON.isoformat()


def test_saved_time_of_an_ods_is_read(tmp_path):
    from toolkit.intake.readers import parse_saved_at, saved_at

    # LibreOffice writes its own format's time without a zone (the computer's local time).
    assert parse_saved_at("2020-11-17T14:30:00.123456789") == dt.datetime(2020, 11, 17, 14, 30, 0, 123456).astimezone(
        UTC
    )
    ods = tmp_path / "a.ods"
    with zipfile.ZipFile(ods, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr(
            "meta.xml",
            '<?xml version="1.0"?><office:document-meta xmlns:office="urn:oasis:names:tc:'
            'opendocument:xmlns:office:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><office:meta>'
            "<dc:date>2020-11-17T14:30:00Z</dc:date></office:meta></office:document-meta>",
        )
    assert saved_at(ods, "ods") == AFTERNOON
    assert saved_at(ods, "xls") is None


@pytest.mark.parametrize("name", ["seed-libreoffice.xls", "seed-libreoffice.xlsx", "seed-libreoffice.ods", "seed.xlsm"])
def test_every_format_says_when_it_was_saved(name):
    from toolkit.intake.readers import saved_at

    # tests/awkward/make_awkward.py stamps every file 16/11/2020 08:00 UTC; for the .xls, in its
    # OLE SummaryInformation, as LibreOffice wrote it.
    path = Path(__file__).parent / "awkward" / "files" / name
    assert saved_at(path, path.suffix.lstrip(".")) == dt.datetime(2020, 11, 16, 8, 0, tzinfo=UTC)


def test_a_damaged_xls_says_nothing_rather_than_hang(tmp_path):
    from toolkit.intake.readers import saved_at

    good = (Path(__file__).parent / "awkward" / "files" / "seed-libreoffice.xls").read_bytes()
    for cut in (600, 4096, len(good) // 2):
        broken = tmp_path / f"cut{cut}.xls"
        broken.write_bytes(good[:cut])
        assert saved_at(broken, "xls") is None
    looped = bytearray(good)
    looped[0x30:0x34] = (0).to_bytes(4, "little")  # the directory starts at a sector of the FAT chain
    (tmp_path / "loop.xls").write_bytes(bytes(looped))
    saved_at(tmp_path / "loop.xls", "xls")  # returns, whatever it finds


# -- item 4: a mistyped report date never wins ----------------------------------------------------


def test_a_mistyped_later_date_does_not_win_the_corrected_file_does(tmp_path):
    typo = filled(tmp_path, "STTTT.xlsx", values=unit_values(STTTT, report_date=dt.date(2021, 11, 16), dvc_total=30))
    fixed = filled(tmp_path, "STTTT-sua.xlsx", values=unit_values(STTTT, report_date=dt.date(2020, 11, 20)))
    saved(typo, MORNING)
    saved(fixed, AFTERNOON)
    result = merge([tmp_path], form(), ROSTER)
    assert status(result) == {"STTTT.xlsx": "superseded", "STTTT-sua.xlsx": "accepted"}
    assert result.totals["dvc_total"] == 37
    typo_report = next(f for f in result.files if f.status == "superseded")
    assert ("report_date_too_late", "report_date") in {(i.code, i.field) for i in typo_report.errors}
    (why,) = [i for i in typo_report.issues if i.code == "merge-superseded"]
    assert "16/11/2021" in why.message


def test_a_mistyped_date_saved_after_the_valid_file_stays_rejected_and_is_said(tmp_path):
    valid = filled(tmp_path, "STTTT.xlsx", values=unit_values(STTTT, report_date=dt.date(2020, 11, 16)))
    typo = filled(tmp_path, "STTTT-sua.xlsx", values=unit_values(STTTT, report_date=dt.date(2021, 11, 20)))
    saved(valid, MORNING)
    saved(typo, AFTERNOON)
    sub_result = merge([tmp_path], form(), ROSTER)
    assert status(sub_result) == {"STTTT.xlsx": "accepted", "STTTT-sua.xlsx": "rejected"}
    used = next(f for f in sub_result.files if f.status == "accepted")
    assert "merge-rejected-date" in {i.code for i in used.issues}
    out = CliRunner().invoke(app, ["merge", str(tmp_path), "-o", str(tmp_path.parent / "t.xlsx"), "--force"])
    assert out.exit_code == 1
    assert "bị từ chối vì ngày báo cáo sai (20/11/2021)" in " ".join(out.output.split())


# -- item 10: a text longer than a summary cell ----------------------------------------------------


def test_a_32740_character_title_does_not_stop_the_province(tmp_path):
    sub = tmp_path / "nop"
    sub.mkdir()
    title = "Về " + "thực hiện công tác dân vận chính quyền " * 840  # 32,763 characters: legal in Excel
    title = title[:32_740]
    filled(
        sub, "STTTT.xlsx", values=unit_values(STTTT), docs=[dict(SEED_DOCS[0], title=" " + title + " "), *SEED_DOCS[1:]]
    )
    filled(sub, "SNV.xlsx", values=unit_values(SNV, dvc_total=10, dvc_level4=5))
    out_path = tmp_path / "t.xlsx"
    out = CliRunner().invoke(
        app,
        [
            "merge",
            str(sub),
            "-o",
            str(out_path),
            "--units",
            str(roster_csv(tmp_path)),
            "--json",
            str(tmp_path / "r.json"),
        ],
    )
    assert out.exit_code == 0, out.output
    assert out_path.exists()
    assert max(len(line) for line in out.output.splitlines()) < 2_000

    import openpyxl

    wb = openpyxl.load_workbook(out_path, read_only=True)
    titles = [row[7] for row in wb["Văn bản"].iter_rows(min_row=5, values_only=True) if row[1] == "STTTT"]
    assert title in titles  # the whole title, within a cell
    checks = [row[6] for row in wb["Kiểm tra"].iter_rows(min_row=5, values_only=True) if row[6]]
    assert all(len(text) < 1_000 for text in checks)
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["totals"]["dvc_total"] == 47  # 37 + 10: the other unit intact
    assert {f["status"] for f in report["files"]} == {"accepted"}


def roster_csv(folder: Path) -> Path:
    path = folder / "units.csv"
    path.write_text("code,name\nSTTTT,Sở Thông tin và Truyền thông\nSNV,Sở Nội vụ\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("length", [32_767, 40_000])
def test_summary_cuts_what_no_cell_holds_with_a_mark(tmp_path, length):
    from toolkit.summary import _put_text

    class Sheet:
        name = "Văn bản"

        def write_string(self, row, col, text, fmt=None):
            self.text = text
            return 0 if len(text) <= 32_767 else -2

    ws = Sheet()
    _put_text(ws, 0, 0, "x" * length)
    assert len(ws.text) <= 32_767 and (length <= 32_767 or ws.text.endswith("…[đã cắt]"))


# -- through LibreOffice: the correction typed and saved by the clerk ---------------------------------


@pytest.mark.uno
@pytest.mark.parametrize("fmt", ["xlsx", "ods", "xls"])
def test_a_correction_saved_in_libreoffice_wins_whatever_its_name_and_copy_time(tmp_path, fmt):
    import shutil
    import subprocess

    from tests.support.testing import libreoffice_convert

    sub = tmp_path / "nop"
    sub.mkdir()
    first = saved(filled(tmp_path, "STTTT.xlsx", values=unit_values(STTTT)), MORNING)
    if fmt != "xlsx":
        first = libreoffice_convert(first, fmt, tmp_path / "lo")  # keeps the morning's saved time
    old = shutil.copy(first, sub / f"STTTT.{fmt}")
    # The clerk opens the file sent in the morning, corrects the count, saves: the browser
    # names the new attachment "STTTT (1)", and the officer's copy of it is the older one.
    new = Path(shutil.copy(first, sub / f"STTTT (1).{fmt}"))
    dvc_total = form().field("dvc_total")
    script = Path(__file__).parent / "support" / "uno_type.py"
    done = subprocess.run(
        [UNO_PYTHON, str(script), str(new), dvc_total.sheet, dvc_total.cell, "38"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    copied = dt.datetime.now(UTC)
    os.utime(new, ((copied - dt.timedelta(hours=2)).timestamp(),) * 2)
    os.utime(old, (copied.timestamp(),) * 2)
    result = merge([sub], form(), ROSTER)
    assert status(result) == {f"STTTT.{fmt}": "superseded", f"STTTT (1).{fmt}": "accepted"}, [
        (f.path, f.saved_at, [i.code for i in f.issues]) for f in result.files
    ]
    assert result.totals["dvc_total"] == 38
    used = next(f for f in result.files if f.status == "accepted")
    assert used.saved_at is not None and used.saved_at > MORNING
    (tie,) = [i for i in used.issues if i.code == "merge-tie"]
    assert f"{dvc_total.label}: 38 / 37" in tie.message


@pytest.mark.libreoffice
def test_an_ods_text_longer_than_any_cell_is_cut_with_a_mark_and_said(tmp_path):
    """LibreOffice's own format holds a 40,000-character cell; the summary and the Word
    appendix are written anyway, the text cut with a mark, and the unit's file says so."""
    from tests.support.testing import libreoffice_convert

    sub = tmp_path / "nop"
    sub.mkdir()
    xlsx = filled(tmp_path, "STTTT.xlsx", values=unit_values(STTTT))
    ods = libreoffice_convert(xlsx, "ods", tmp_path / "lo")
    members = {}
    with zipfile.ZipFile(ods) as src:
        for info in src.infolist():
            members[info.filename] = src.read(info)
    title = SEED_DOCS[0]["title"]
    long_title = title + " " + "về công tác dân vận " * 2_000  # 40,000+ characters
    content = members["content.xml"].decode("utf-8")
    assert title in content
    members["content.xml"] = content.replace(title, long_title, 1).encode("utf-8")
    with zipfile.ZipFile(sub / "STTTT.ods", "w") as out:
        out.writestr(zipfile.ZipInfo("mimetype"), members.pop("mimetype"))  # stored first, as ODF wants
        for name, data in members.items():
            out.writestr(name, data, zipfile.ZIP_DEFLATED)
    filled(sub, "SNV.xlsx", values=unit_values(SNV, dvc_total=10, dvc_level4=5))
    out_path, docx = tmp_path / "t.xlsx", tmp_path / "p.docx"
    run = CliRunner().invoke(
        app, ["merge", str(sub), "-o", str(out_path), "--docx", str(docx), "--json", str(tmp_path / "r.json")]
    )
    assert run.exit_code == 0, run.output
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["totals"]["dvc_total"] == 47
    ods_file = next(f for f in report["files"] if f["path"].endswith(".ods"))
    assert ods_file["status"] == "accepted"
    (cut,) = [i for i in ods_file["issues"] if i["code"] == "value-text-cut"]
    assert (cut["severity"], cut["field"], cut["cell"]) == ("warning", "van_ban.title", "F5")
    import openpyxl

    wb = openpyxl.load_workbook(out_path, read_only=True)
    titles = [row[7] for row in wb["Văn bản"].iter_rows(min_row=5, values_only=True) if row[1] == "STTTT"]
    cut_title = next(t for t in titles if t and t.startswith(title))
    assert len(cut_title) == 32_767 and cut_title.endswith("…[đã cắt]")
    assert docx.exists()
