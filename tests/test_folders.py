"""The submissions folder as an officer really has it, and the command line around it: a zip of
e-mail attachments, a sub-folder or file this computer does not let dv read, a shortcut whose
file is gone, outputs written into the folder, a renamed sheet, the language of the command
line's own messages, and a closed pipe."""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from tests.support.domain import appendix, check, codes, errors, filled, form
from tests.support.testing import libreoffice_convert
from toolkit.cli import app
from toolkit.intake import check_file
from toolkit.intake.folder import expand_paths
from toolkit.issues import CATALOGUE
from toolkit.merger import merge
from toolkit.roster import Roster, Unit

STTTT = Unit("STTTT", "Sở Thông tin và Truyền thông", "so")
SNV = Unit("SNV", "Sở Nội vụ", "so")
ROSTER = Roster((STTTT, SNV))
REPO = Path(__file__).resolve().parent.parent


def unit_values(unit: Unit, **changes):
    return appendix(unit_code=unit.code, unit_name=unit.name, **changes)


def by_name(result):
    return {f.name: f for f in result.files}


def hashes(folder: Path) -> dict[Path, str]:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def attachments_zip(path: Path, members: dict[str, bytes]) -> Path:
    """What "download all" in a web mail gives: one zip of every attachment."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def docx_bytes() -> bytes:
    import docx

    buf = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Công văn gửi kèm phụ lục")
    document.save(buf)
    return buf.getvalue()


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    """Where dv may put its private copies: checked empty afterwards."""
    tmp = tmp_path / "private"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    return tmp


# -- 12. a zip of e-mail attachments ------------------------------------------------------------


def test_the_workbooks_of_a_zip_of_attachments_are_merged_like_any_file(tmp_path, private_tmp):
    sub = tmp_path / "nop-ve"
    sub.mkdir()
    made = tmp_path / "made"
    made.mkdir()
    sttt = filled(made, "STTTT.xlsx", values=unit_values(STTTT)).read_bytes()
    snv = filled(made, "SNV.xlsx", values=unit_values(SNV, dvc_total=40)).read_bytes()
    attachments_zip(
        sub / "thu-dien-tu.zip",
        {"STTTT.xlsx": sttt, "Sở Nội vụ/SNV.xlsx": snv, "Công văn.docx": docx_bytes(), "Báo cáo.pdf": b"%PDF-1.4\n"},
    )
    before = hashes(sub)
    result = merge([sub], form(), ROSTER)
    files = by_name(result)
    assert files["thu-dien-tu.zip/STTTT.xlsx"].status == "accepted"
    assert files["thu-dien-tu.zip/Sở Nội vụ/SNV.xlsx"].status == "accepted"
    assert files["thu-dien-tu.zip/Công văn.docx"].status == "ignored"
    assert files["thu-dien-tu.zip/Báo cáo.pdf"].status == "ignored"
    assert files["thu-dien-tu.zip/STTTT.xlsx"].path == str(sub / "thu-dien-tu.zip" / "STTTT.xlsx")
    assert result.missing_units == [] and result.ok
    assert result.totals["dvc_total"] == 37 + 40
    # The input zip is never unpacked into the folder, and dv's private copies are gone.
    assert hashes(sub) == before and list(private_tmp.iterdir()) == []


def test_a_zip_member_takes_part_in_duplicates_and_later_reports(tmp_path, private_tmp):
    import datetime as dt

    made = tmp_path / "made"
    made.mkdir()
    old = filled(made, "old.xlsx", values=unit_values(STTTT, report_date=dt.date(2020, 11, 10)))
    new = filled(made, "new.xlsx", values=unit_values(SNV, report_date=dt.date(2020, 11, 20), dvc_total=40))
    newer = filled(made, "newer.xlsx", values=unit_values(STTTT, report_date=dt.date(2020, 11, 16), dvc_total=38))
    sub = tmp_path / "nop-ve"
    sub.mkdir()
    shutil.copy(old, sub / "STTTT.xlsx")
    shutil.copy(new, sub / "SNV.xlsx")
    attachments_zip(sub / "tai-ve.zip", {"SNV.xlsx": new.read_bytes(), "STTTT (1).xlsx": newer.read_bytes()})
    result = merge([sub], form(), ROSTER)
    files = by_name(result)
    assert files["tai-ve.zip/SNV.xlsx"].status == "duplicate"
    assert "giống hệt tệp SNV.xlsx" in files["tai-ve.zip/SNV.xlsx"].issues[-1].text()
    assert files["STTTT.xlsx"].status == "superseded"
    assert "tai-ve.zip/STTTT (1).xlsx" in files["STTTT.xlsx"].issues[-1].text()
    assert result.totals["dvc_total"] == 38 + 40


def bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("SXD.xlsx", b"\0" * (3 * 1024 * 1024))
    return buf.getvalue()


def many_parts() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for i in range(2_001):
            zf.writestr(f"{i:04d}.txt", b"")
    return buf.getvalue()


def encrypted() -> bytes:
    """A zip whose member says it is encrypted (the traditional PKWARE flag)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("STTTT.xlsx", b"\x12" * 100)
    data = bytearray(buf.getvalue())
    data[6] |= 0x1  # the local header's flags
    data[data.index(b"PK\x01\x02") + 8] |= 0x1  # the central directory's
    return bytes(data)


def nested() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("thang-11.zip", b"PK\x05\x06" + b"\0" * 18)
    return buf.getvalue()


@pytest.mark.parametrize(
    "content, code, name",
    [
        (lambda: b"PK\x03\x04 not really a zip", "archive-broken", "thu.zip"),
        (lambda: b"", "archive-broken", "thu.zip"),
        (bomb, "archive-unsafe", "thu.zip"),
        (many_parts, "archive-unsafe", "thu.zip"),
        (encrypted, "archive-encrypted", "thu.zip"),
        (nested, "archive-nested", "thu.zip/thang-11.zip"),
        (lambda: b"Rar!\x1a\x07\x01\x00" + b"\0" * 40, "archive-unsupported", "thu.zip"),
    ],
    ids=["broken", "empty", "bomb", "many-parts", "encrypted", "zip-in-zip", "rar-named-zip"],
)
def test_a_zip_dv_cannot_read_is_that_archives_error_never_exit_0(tmp_path, private_tmp, content, code, name):
    sub = tmp_path / "nop-ve"
    sub.mkdir()
    filled(sub, "STTTT.xlsx")
    (sub / "thu.zip").write_bytes(content())
    result = merge([sub], form())
    archive = by_name(result)[name]
    assert archive.status == "rejected" and (code, "") in errors(archive), archive.issues
    run = CliRunner().invoke(app, ["merge", str(sub), "-o", str(tmp_path / "t.xlsx")])
    assert run.exit_code == 1 and name in run.output, run.output
    assert list(private_tmp.iterdir()) == []


def test_a_rar_archive_says_to_unpack_it(tmp_path):
    path = tmp_path / "nop-ve.rar"
    path.write_bytes(b"Rar!\x1a\x07\x00" + b"\0" * 40)
    report = check(path)
    assert errors(report) == {("archive-unsupported", "")}
    assert "Giải nén" in report.issues[0].text()


def test_dv_check_reads_a_zip_too(tmp_path, private_tmp):
    made = filled(tmp_path, "STTTT.xlsx").read_bytes()
    archive = attachments_zip(tmp_path / "thu.zip", {"STTTT.xlsx": made})
    run = CliRunner().invoke(app, ["check", str(archive), "--json"])
    assert run.exit_code == 0, run.output
    data = json.loads(run.output)
    assert [(f["path"], f["status"], f["unit_code"]) for f in data["files"]] == [
        (str(archive / "STTTT.xlsx"), "accepted", "STTTT")
    ]


def test_annotating_a_workbook_inside_a_zip_says_to_unpack_it(tmp_path, private_tmp):
    made = filled(tmp_path, "x.xlsx", values=unit_values(STTTT, cut_total=9)).read_bytes()
    archive = attachments_zip(tmp_path / "thu.zip", {"STTTT.xlsx": made})
    run = CliRunner().invoke(app, ["check", str(archive), "--annotate"])
    assert run.exit_code == 1 and "thu.zip/STTTT.xlsx: tệp nằm trong tệp nén" in run.output, run.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["private", "thu.zip", "x.xlsx"]


def test_a_member_named_in_utf8_without_the_zip_flag_keeps_its_vietnamese_name(tmp_path, private_tmp):
    """Windows' "Send to → Compressed folder" and most web mails write UTF-8 names without
    the zip's UTF-8 flag."""
    made = filled(tmp_path, "x.xlsx").read_bytes()
    real = "Sở TTTT – phụ lục.xlsx".encode()
    placeholder = b"P" * (len(real) - 5) + b".xlsx"
    data = attachments_zip(tmp_path / "tmp.zip", {placeholder.decode(): made}).read_bytes()
    sub = tmp_path / "nop-ve"
    sub.mkdir()
    (sub / "thu.zip").write_bytes(data.replace(placeholder, real))
    result = merge([sub], form())
    assert [f.name for f in result.files] == ["thu.zip/Sở TTTT – phụ lục.xlsx"]
    assert result.files[0].status == "accepted"


# -- 13, 19. what this computer does not let dv read ---------------------------------------------


def test_an_unreadable_sub_folder_is_listed_as_a_problem_on_this_computer(tmp_path, monkeypatch):
    """Tests run as root, where permissions do not bite: os.scandir is made to refuse the
    folder as it does for an officer without the right (the real case is the next test)."""
    sub = tmp_path / "nop-ve"
    (sub / "SNV").mkdir(parents=True)
    filled(sub, "STTTT.xlsx")
    filled(sub / "SNV", "SNV.xlsx", values=unit_values(SNV))
    real_scandir = os.scandir

    def scandir(path="."):
        if Path(path) == sub / "SNV":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found, _ = expand_paths([sub])
    assert sub / "SNV" in found
    report = check_file(sub / "SNV", form())
    assert errors(report) == {("file-permission", "")}
    text = report.issues[0].text()
    assert str(sub / "SNV") in text and "không phải lỗi của đơn vị" in text and "gửi lại" not in text
    assert "Permission denied" not in report.issues[0].text("en")


def test_an_unreadable_file_is_not_the_units_fault(tmp_path, monkeypatch):
    path = filled(tmp_path, "STTTT.xlsx")

    def refuse(p):
        raise PermissionError(errno.EACCES, "Permission denied", str(p))

    monkeypatch.setattr("toolkit.intake.check._read_once", refuse)
    report = check(path)
    assert errors(report) == {("file-permission", "")}
    assert "trên máy tính này" in report.issues[0].text() and "Đề nghị đơn vị" not in report.issues[0].text()


def as_nobody() -> list[str]:
    """Run dv without root's rights: as nobody (root), or as we are (anyone else)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("root without setpriv: cannot drop privileges to see a permission error")
    return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]


def test_chmod_000_folder_and_file_are_listed_and_the_merge_exits_1(tmp_path):
    prefix = as_nobody()
    root = Path(tempfile.mkdtemp(prefix="dv-perm-", dir="/tmp"))  # reachable by nobody
    try:
        root.chmod(0o777)
        sub = root / "nop-ve"
        (sub / "SNV").mkdir(parents=True)
        filled(sub, "STTTT.xlsx")
        filled(sub, "HCL.xlsx", values=appendix(unit_code="HCL", unit_name="Huyện Càng Long"))
        filled(sub / "SNV", "SNV.xlsx", values=unit_values(SNV))
        for p in sub.rglob("*"):
            p.chmod(0o755 if p.is_dir() else 0o644)
        sub.chmod(0o755)
        (sub / "SNV").chmod(0o000)
        (sub / "HCL.xlsx").chmod(0o000)
        proc = subprocess.run(
            [
                *prefix,
                sys.executable,
                "-m",
                "toolkit.cli",
                "merge",
                str(sub),
                "-o",
                str(root / "t.xlsx"),
                "--json",
                str(root / "t.json"),
            ],
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=300,
        )
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert "Traceback" not in proc.stderr
        data = json.loads((root / "t.json").read_text(encoding="utf-8"))
        problems = {Path(f["path"]).name: f["issues"][0]["code"] for f in data["files"] if f["status"] == "rejected"}
        assert problems == {"SNV": "file-permission", "HCL.xlsx": "file-permission"}
        assert "không phải lỗi của đơn vị" in proc.stdout
    finally:
        for p in [root, *root.rglob("*")]:
            p.chmod(0o755)
        shutil.rmtree(root)


def test_a_shortcut_whose_file_is_gone_is_listed_as_an_error(tmp_path):
    sub = tmp_path / "nop-ve"
    sub.mkdir()
    filled(sub, "STTTT.xlsx")
    (sub / "SNV.xlsx").symlink_to(tmp_path / "USB" / "SNV.xlsx")
    result = merge([sub], form())
    link = by_name(result)["SNV.xlsx"]
    assert link.status == "rejected" and errors(link) == {("file-link-broken", "")}
    assert str(tmp_path / "USB" / "SNV.xlsx") in link.issues[0].text()
    run = CliRunner().invoke(app, ["merge", str(sub), "-o", str(tmp_path / "t.xlsx")])
    assert run.exit_code == 1 and "SNV.xlsx" in run.output


def test_a_link_loop_between_folders_is_read_once(tmp_path):
    sub = tmp_path / "nop-ve"
    (sub / "a").mkdir(parents=True)
    filled(sub / "a", "STTTT.xlsx")
    (sub / "a" / "back").symlink_to(sub)
    found, missing = expand_paths([sub])
    assert [p.name for p in found] == ["STTTT.xlsx"] and missing == []


# -- 14. outputs inside the submissions folder ---------------------------------------------------


def test_merging_twice_into_the_submissions_folder_overwrites_its_own_outputs(tmp_path):
    sub = tmp_path / "nop-ve"
    sub.mkdir()
    filled(sub, "STTTT.xlsx")
    args = ["merge", str(sub), "-o", str(sub / "x.xlsx"), "--json", str(sub / "X.json"), "--docx", str(sub / "p.docx")]
    runner = CliRunner()
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    (sub / "X.json").write_text("{}", encoding="utf-8")
    refused = runner.invoke(app, args)
    assert refused.exit_code == 2 and "--force" in refused.output
    again = runner.invoke(app, [*args, "--force"])
    assert again.exit_code == 0, again.output
    data = json.loads((sub / "X.json").read_text(encoding="utf-8"))
    assert [Path(f["path"]).name for f in data["files"]] == ["STTTT.xlsx"]


@pytest.mark.parametrize("option", ["-o", "--json"])
def test_an_output_named_like_a_units_workbook_is_refused_naming_the_option(tmp_path, option):
    sub = tmp_path / "nop-ve"
    sub.mkdir()
    unit = filled(sub, "STTTT.xlsx")
    before = unit.read_bytes()
    args = ["merge", str(sub), "--force", option, str(unit)]
    if option != "-o":
        args += ["-o", str(tmp_path / "t.xlsx")]
    run = CliRunner().invoke(app, args)
    assert run.exit_code == 2 and unit.read_bytes() == before
    assert f"chọn tên khác bằng {option}." in run.output, run.output


# -- 15. a renamed sheet, sheets copied into a new workbook ----------------------------------------


def renamed(path: Path, old: str, new: str, out: Path) -> Path:
    """Rename a sheet as Excel does: the defined names follow it."""
    wb = openpyxl.load_workbook(path)
    wb[old].title = new
    for defined in wb.defined_names.values():
        defined.attr_text = defined.attr_text.replace(f"'{old}'!", f"'{new}'!")
    wb.save(out)
    return out


@pytest.mark.parametrize("sheet", ["Phụ lục", "Văn bản"])
def test_a_renamed_sheet_is_said_with_its_new_name(tmp_path, sheet):
    path = renamed(filled(tmp_path, "a.xlsx"), sheet, "Sheet1", tmp_path / "STTTT.xlsx")
    report = check(path)
    assert errors(report) == {("form-sheet-renamed", "")}
    text = report.issues[0].text()
    assert f'trang {sheet} đã bị đổi tên thành "Sheet1"' in text and "_dv" not in text


@pytest.mark.libreoffice
def test_a_sheet_renamed_and_saved_in_libreoffice_is_found_by_its_labels(tmp_path, soffice):
    path = renamed(filled(tmp_path, "a.xlsx"), "Phụ lục", "PL STTTT", tmp_path / "b.xlsx")
    ods = libreoffice_convert(path, "ods", tmp_path / "lo")
    report = check(ods)
    assert errors(report) == {("form-sheet-renamed", "")}
    assert '"PL STTTT"' in report.issues[0].text()


def test_sheets_copied_into_a_new_workbook_lose_the_form_and_say_so(tmp_path):
    source = openpyxl.load_workbook(filled(tmp_path, "a.xlsx"))
    copy = openpyxl.Workbook()
    copy.remove(copy.active)
    for name in ("Phụ lục", "Văn bản"):
        target = copy.create_sheet(name)
        for row in source[name].iter_rows():
            for cell in row:
                if cell.value is not None:
                    target[cell.coordinate] = cell.value
    copy.save(tmp_path / "STTTT.xlsx")
    report = check(tmp_path / "STTTT.xlsx")
    assert errors(report) == {("form-copied", "")}
    assert "chép sang tệp khác" in report.issues[0].text() and "_dv" not in report.issues[0].text()


def test_a_workbook_of_something_else_does_not_name_the_hidden_sheet(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "Danh sách cán bộ"
    wb.save(tmp_path / "other.xlsx")
    report = check(tmp_path / "other.xlsx")
    assert codes(report) == {("form-unknown", "")} and "_dv" not in report.issues[0].text()


# -- 17. the command line's own words ----------------------------------------------------------------


@pytest.mark.parametrize(
    "args, vi, en",
    [
        (["check"], "Lỗi: Thiếu đối số files", "Error: Missing argument files"),
        (
            ["make-template", "--year", "abc"],
            "'abc' của '--year' không hợp lệ: phải là một số nguyên",
            "Invalid value 'abc' for '--year': must be a whole number",
        ),
        (["merge", "--bogus", "x"], "Không có tùy chọn --bogus", "No such option: --bogus"),
        (["bogus"], "Không có lệnh 'bogus'", "No such command 'bogus'"),
        (["merge", "a", "b"], "Thừa đối số: b", "Unexpected extra argument(s): b"),
    ],
)
def test_usage_errors_are_vietnamese_by_default_and_english_on_request(args, vi, en, monkeypatch):
    monkeypatch.delenv("DV_LANG", raising=False)
    runner = CliRunner()
    run = runner.invoke(app, args)
    assert run.exit_code == 2 and vi in run.output and "Cách dùng: dv" in run.output, run.output
    assert "Error" not in run.output and "Missing" not in run.output and "Input should" not in run.output
    english = runner.invoke(app, ["--lang", "en", *args])
    assert english.exit_code == 2 and en in english.output, english.output
    monkeypatch.setenv("DV_LANG", "en")
    assert en in runner.invoke(app, args).output


@pytest.mark.parametrize("args", [["bogus"], []])
def test_usage_errors_list_every_command(args):
    # [] after --lang: no command at all ("Missing command"); ["bogus"]: one that does not exist.
    run = CliRunner().invoke(app, ["--lang", "en", *args])
    assert run.exit_code == 2 and "make-template, check, merge, roll-up, serve, form." in run.output, run.output


@pytest.mark.parametrize(
    "args, env", [(["--lang", "fr", "check", "x"], None), (["check", "x"], "de"), (["check", "x", "--lang=vn"], None)]
)
def test_an_unknown_language_is_a_usage_error(args, env, monkeypatch):
    if env:
        monkeypatch.setenv("DV_LANG", env)
    else:
        monkeypatch.delenv("DV_LANG", raising=False)
    run = CliRunner().invoke(app, args)
    assert run.exit_code == 2 and "chọn vi (tiếng Việt) hoặc en" in run.output


def test_help_headings_follow_the_language(monkeypatch):
    monkeypatch.delenv("DV_LANG", raising=False)
    vi = CliRunner().invoke(app, ["merge", "--help"]).output
    assert "Tùy chọn:" in vi and "Cách dùng: dv merge" in vi and "Show this message" not in vi
    en = CliRunner().invoke(app, ["--lang", "en", "merge", "--help"]).output
    assert "Options:" in en and "Usage: dv merge" in en


@pytest.mark.parametrize("command", ["", "check", "merge", "make-template", "serve"])
def test_help_placeholders_are_in_the_users_words_and_stay_aligned(command, monkeypatch):
    monkeypatch.delenv("DV_LANG", raising=False)
    args = [command] if command else []
    vi = CliRunner().invoke(app, [*args, "--help"]).output
    assert not re.search(r"\[OPTIONS\]|COMMAND \[ARGS\]|<str>|<path>|<int>", vi), vi
    assert "[TÙY CHỌN]" in vi
    # The command's own --lang, after it, also gives English help (it used to be ignored).
    en = CliRunner().invoke(app, [*args, "--lang", "en", "--help"]).output
    assert "Usage: dv" in en and "[OPTIONS]" in en

    # Each option's help starts in the same column as in English.
    def columns(text: str) -> set[int]:
        return {len(m.group(1)) for m in re.finditer(r"^(  --\S+(?: <[^>]+>)? +)\S", text, re.M)}

    assert columns(vi) == columns(en)


def test_os_errors_are_said_in_the_users_words(tmp_path):
    from toolkit.messages import os_error_text

    for number in (errno.ENOENT, errno.EACCES, errno.ENOSPC, errno.EROFS, errno.EISDIR, errno.ENOTDIR, errno.EEXIST):
        text = os_error_text(OSError(number, os.strerror(number)))
        assert text.vi != os.strerror(number) and text.en
    folder_as_roster = CliRunner().invoke(app, ["check", str(tmp_path), "--units", str(tmp_path)])
    assert folder_as_roster.exit_code == 2
    assert "đó là một thư mục" in folder_as_roster.output and "Is a directory" not in folder_as_roster.output


# -- 18. a closed pipe ------------------------------------------------------------------------------------


@pytest.mark.parametrize("rejected, code", [(False, 0), (True, 1)])
def test_a_closed_pipe_keeps_the_exit_code_and_the_outputs(tmp_path, rejected, code):
    """``dv merge … | head -1``: the reader is gone before dv prints anything."""
    sub = tmp_path / "nop-ve"
    sub.mkdir()
    filled(sub, "STTTT.xlsx")
    if rejected:
        filled(sub, "SNV.xlsx", values=unit_values(SNV, cut_total=9))
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "toolkit.cli",
                "merge",
                str(sub),
                "-o",
                str(tmp_path / "t.xlsx"),
                "--json",
                str(tmp_path / "t.json"),
            ],
            stdout=write_end,
            stderr=subprocess.PIPE,
            cwd=REPO,
            timeout=300,
        )
    finally:
        os.close(write_end)
    stderr = proc.stderr.decode()
    assert proc.returncode == code, stderr
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr and stderr == ""
    assert (tmp_path / "t.xlsx").exists() and (tmp_path / "t.json").exists()


def test_every_new_code_is_catalogued():
    for code in (
        "file-permission",
        "file-os-error",
        "file-link-broken",
        "archive-broken",
        "archive-encrypted",
        "archive-unsafe",
        "archive-nested",
        "archive-unsupported",
        "form-copied",
        "form-sheet-renamed",
    ):
        assert code in CATALOGUE
