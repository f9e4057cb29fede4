"""``dv make-template`` end to end: the files Home Affairs gets, and the refusals that leave
nothing behind (docs/spec.md §5.2)."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.fsutil import OutputError, atomic_write
from toolkit.make import make_templates
from toolkit.roster import RosterError

GENERIC = "dan-van-chinh-quyen-2020.xlsx"
TMP_PREFIX = ".~dv-"


@pytest.fixture(autouse=True)
def vietnamese_by_default(monkeypatch):
    monkeypatch.delenv("DV_LANG", raising=False)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def out(tmp_path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def dv(runner: CliRunner, *args: str | Path, **kwargs):
    return runner.invoke(app, [str(a) for a in args], **kwargs)


@pytest.fixture
def small_roster(tmp_path) -> Path:
    """Three units of the sample province: enough to show one file per unit, quickly."""
    path = tmp_path / "units-3.csv"
    path.write_text("code,name,kind\nSNV,Sở Nội vụ,so\nSYT,Sở Y tế,so\nHCK,Huyện Cầu Kè,huyen\n", encoding="utf-8")
    return path


def meta(path: Path) -> dict[str, str]:
    book = openpyxl.load_workbook(path)
    return {r[0]: r[1] for r in book["_dv"].iter_rows(values_only=True)}


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.startswith(TMP_PREFIX))


def assert_usage_error(result, *needles: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    for needle in needles:
        assert needle in result.output, (needle, result.output)


# -- help -------------------------------------------------------------------------------------


def test_help_lists_make_template(runner):
    result = dv(runner, "--help")
    assert result.exit_code == 0
    assert "make-template" in result.output


def test_make_template_help_explains_the_options(runner):
    result = dv(runner, "make-template", "--help")
    assert result.exit_code == 0
    for option in ("--output", "--form", "--year", "--units", "--unit", "--force", "--lang"):
        assert option in result.output, option


# -- the generic template -----------------------------------------------------------------------


def test_generic_template_in_the_current_folder(runner, out, monkeypatch, template_bytes):
    monkeypatch.chdir(out)
    result = dv(runner, "make-template")
    assert result.exit_code == 0, result.output
    assert "Đã ghi biểu mẫu" in result.output and GENERIC in result.output
    assert (out / GENERIC).read_bytes() == template_bytes
    assert meta(out / GENERIC)["kind"] == "generic"
    assert leftovers(out) == []


def test_output_into_a_folder_or_to_a_file(runner, out):
    assert dv(runner, "make-template", "-o", out).exit_code == 0
    assert (out / GENERIC).is_file()
    target = out / "phu-luc.xlsx"
    assert dv(runner, "make-template", "--output", target).exit_code == 0
    assert target.is_file()
    assert sorted(p.name for p in out.iterdir()) == [GENERIC, "phu-luc.xlsx"]


def test_existing_output_is_not_overwritten_without_force(runner, out):
    target = out / GENERIC
    target.write_bytes(b"the clerk's own file")
    result = dv(runner, "make-template", "-o", target)
    assert_usage_error(result, "--force", str(target))
    assert target.read_bytes() == b"the clerk's own file"
    assert leftovers(out) == []


def test_force_overwrites(runner, out, template_bytes):
    target = out / GENERIC
    target.write_bytes(b"old")
    result = dv(runner, "make-template", "-o", target, "--force")
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == template_bytes
    assert leftovers(out) == []


def test_year_and_form_options(runner, out):
    assert dv(runner, "make-template", "-o", out, "--year", "2020", "--form", "dan-van-chinh-quyen").exit_code == 0
    result = dv(runner, "make-template", "-o", out / "x.xlsx", "--year", "2031")
    assert_usage_error(result, "2031")
    assert not (out / "x.xlsx").exists()


def test_broken_form_definition_is_a_usage_error(runner, out, tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text('[form]\nid = "x"\n', encoding="utf-8")
    result = dv(runner, "make-template", "-o", out, "--form", broken)
    assert_usage_error(result, "Lỗi biểu mẫu", str(broken))
    assert list(out.iterdir()) == []


# -- personalised templates ---------------------------------------------------------------------


def test_one_unit(runner, out, roster_path):
    result = dv(runner, "make-template", "--units", roster_path, "--unit", "STTTT", "-o", out)
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.iterdir()] == ["dan-van-chinh-quyen-2020-STTTT.xlsx"]
    m = meta(out / "dan-van-chinh-quyen-2020-STTTT.xlsx")
    assert (m["unit_code"], m["unit_name"], m["kind"]) == (
        "STTTT",
        "Sở Thông tin và Truyền thông",
        "personalised",
    )


def test_unit_code_is_matched_without_regard_to_case(runner, out, roster_path):
    result = dv(runner, "make-template", "--units", roster_path, "--unit", "snv", "-o", out)
    assert result.exit_code == 0, result.output
    assert meta(out / "dan-van-chinh-quyen-2020-SNV.xlsx")["unit_code"] == "SNV"


def test_one_file_per_unit(runner, tmp_path, roster_path, roster):
    folder = tmp_path / "bieu-mau"
    result = dv(runner, "make-template", "--units", roster_path, "-o", folder)
    assert result.exit_code == 0, result.output
    # Issue 17 item 13: the personalised files and the generic one, counted apart (it said "29
    # biểu mẫu riêng" for a roster of 28).
    assert f"Đã ghi {len(roster.units)} biểu mẫu riêng và 1 biểu mẫu chung vào" in result.output
    expected = {f"dan-van-chinh-quyen-2020-{u.code}.xlsx" for u in roster.units} | {GENERIC}
    assert {p.name for p in folder.iterdir()} == expected
    for unit in (roster.units[0], roster.require("STTTT"), roster.units[-1]):
        assert meta(folder / f"dan-van-chinh-quyen-2020-{unit.code}.xlsx")["unit_code"] == unit.code
    generic = meta(folder / GENERIC)
    assert generic["kind"] == "generic" and generic["unit_code"] in (None, "")
    assert leftovers(folder) == []


def test_per_unit_run_refuses_before_writing_anything(runner, tmp_path, small_roster):
    folder = tmp_path / "bieu-mau"
    folder.mkdir()
    existing = folder / "dan-van-chinh-quyen-2020-SYT.xlsx"
    existing.write_bytes(b"sent last week")
    result = dv(runner, "make-template", "--units", small_roster, "-o", folder)
    assert_usage_error(result, "--force")
    assert [p.name for p in folder.iterdir()] == [existing.name]
    assert existing.read_bytes() == b"sent last week"
    result = dv(runner, "make-template", "--units", small_roster, "-o", folder, "--force")
    assert result.exit_code == 0, result.output
    assert meta(existing)["unit_code"] == "SYT"


def test_unknown_unit_writes_nothing(runner, out, roster_path):
    result = dv(runner, "make-template", "--units", roster_path, "--unit", "SXYZ", "-o", out)
    assert_usage_error(result, "SXYZ", "STTTT")  # the message lists the codes there are
    assert list(out.iterdir()) == []


def test_unit_without_roster_is_a_usage_error(runner, out):
    result = dv(runner, "make-template", "--unit", "STTTT", "-o", out)
    assert_usage_error(result, "--units")
    assert list(out.iterdir()) == []


def test_per_unit_output_must_be_a_folder(runner, out, roster_path):
    target = out / "a-file.xlsx"
    target.write_bytes(b"x")
    result = dv(runner, "make-template", "--units", roster_path, "-o", target)
    assert_usage_error(result, str(target))
    assert target.read_bytes() == b"x"


# -- unwritable destinations (we run as root, so a FILE stands where a folder should be) -----------


@pytest.mark.parametrize(
    "args",
    [
        ["-o", "{blocker}/phu-luc.xlsx"],
        ["--units", "{roster}", "--unit", "STTTT", "-o", "{blocker}/phu-luc.xlsx"],
        ["--units", "{roster}", "-o", "{blocker}/bieu-mau"],
    ],
    ids=["generic", "one unit", "per unit"],
)
def test_a_file_in_place_of_the_folder(runner, out, roster_path, args):
    blocker = out / "not-a-folder"
    blocker.write_text("x")
    result = dv(runner, "make-template", *[a.format(blocker=blocker, roster=roster_path) for a in args])
    assert_usage_error(result, "Không ghi được", str(blocker))
    assert sorted(p.name for p in out.iterdir()) == ["not-a-folder"]


def test_the_installed_command_never_shows_a_traceback(out):
    blocker = out / "not-a-folder"
    blocker.write_text("x")
    dv_exe = Path(sys.executable).with_name("dv")
    if not dv_exe.exists():
        pytest.skip("the dv script is not installed in this environment")
    proc = subprocess.run(
        [str(dv_exe), "--lang", "en", "make-template", "-o", str(blocker / "t.xlsx")],
        capture_output=True,
        text=True,
        env={**os.environ, "DV_DEBUG": ""},
        timeout=60,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "Cannot write into" in proc.stderr and "not a folder" in proc.stderr


# -- language ---------------------------------------------------------------------------------------


def test_english_messages(runner, out):
    target = out / GENERIC
    result = dv(runner, "--lang", "en", "make-template", "-o", target)
    assert result.exit_code == 0 and "Template written" in result.output
    result = dv(runner, "make-template", "--lang", "en", "-o", target)
    assert_usage_error(result, "already exists", "--force")
    assert "Đã có" not in result.output


def test_english_from_the_environment(runner, out):
    (out / GENERIC).write_bytes(b"x")
    result = dv(runner, "make-template", "-o", out / GENERIC, env={"DV_LANG": "en"})
    assert_usage_error(result, "already exists")


def test_vietnamese_by_default(runner, out):
    (out / GENERIC).write_bytes(b"x")
    result = dv(runner, "make-template", "-o", out / GENERIC)
    assert_usage_error(result, "Đã có tệp", "Thêm --force để ghi đè")


# -- the library call behind the command --------------------------------------------------------------


def test_make_templates_generic(form, out, template_bytes):
    result = make_templates(form, output=out)
    assert result.paths == (out / GENERIC,) and result.folder is None
    assert result.paths[0].read_bytes() == template_bytes


def test_make_templates_per_unit(form, tmp_path, small_roster):
    result = make_templates(form, output=tmp_path / "all", roster_path=small_roster)
    assert result.folder == tmp_path / "all"
    assert [p.name for p in result.paths] == [
        "dan-van-chinh-quyen-2020-SNV.xlsx",
        "dan-van-chinh-quyen-2020-SYT.xlsx",
        "dan-van-chinh-quyen-2020-HCK.xlsx",
        GENERIC,
    ]
    assert all(p.parent == result.folder and p.is_file() for p in result.paths)


def test_make_templates_refusals(form, out, roster_path):
    with pytest.raises(RosterError):
        make_templates(form, output=out, unit_code="STTTT")
    with pytest.raises(RosterError) as info:
        make_templates(form, output=out, roster_path=roster_path, unit_code="NOPE")
    assert "NOPE" in info.value.render("en")
    (out / GENERIC).write_bytes(b"x")
    with pytest.raises(OutputError) as info:
        make_templates(form, output=out)
    assert info.value.key == "output.exists"
    assert (out / GENERIC).read_bytes() == b"x"
    assert sorted(p.name for p in out.iterdir()) == [GENERIC]


# -- atomic writes ---------------------------------------------------------------------------------


def test_failed_write_leaves_no_temporary_file_and_the_old_file(out, monkeypatch):
    target = out / GENERIC
    target.write_bytes(b"old")

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("toolkit.fsutil.os.fsync", disk_full)
    with pytest.raises(OutputError) as info:
        atomic_write(target, b"new", force=True)
    assert "the disk is full" in info.value.render("en") and "ổ đĩa đã hết chỗ trống" in info.value.render("vi")
    assert target.read_bytes() == b"old"
    assert leftovers(out) == []


def test_file_created_meanwhile_is_not_overwritten(out, monkeypatch):
    # Another program creates the file between the check and the write: link() refuses it.
    target = out / GENERIC
    target.write_bytes(b"created meanwhile")
    monkeypatch.setattr("toolkit.fsutil.check_writable", lambda path, force: None)
    with pytest.raises(OutputError) as info:
        atomic_write(target, b"new")
    assert info.value.key == "output.exists"
    assert target.read_bytes() == b"created meanwhile"
    assert leftovers(out) == []


def test_atomic_write_into_a_missing_folder_is_an_output_error(tmp_path):
    with pytest.raises(OutputError) as info:
        atomic_write(tmp_path / "missing" / "x.xlsx", b"x")
    assert info.value.key == "output.no_folder"


def test_written_template_is_readable_by_others_as_with_a_plain_write(runner, out):
    umask = os.umask(0o022)
    try:
        assert dv(runner, "make-template", "-o", out).exit_code == 0
    finally:
        os.umask(umask)
    assert stat.S_IMODE((out / GENERIC).stat().st_mode) == 0o644


def test_output_with_a_trailing_slash_is_a_folder(runner, out):
    result = dv(runner, "make-template", "-o", f"{out / 'new'}{os.sep}")
    assert result.exit_code == 0, result.output
    assert (out / "new" / GENERIC).is_file()


def test_written_file_is_a_complete_workbook(runner, out):
    dv(runner, "make-template", "-o", out)
    book = openpyxl.load_workbook(io.BytesIO((out / GENERIC).read_bytes()))
    assert "Phụ lục" in book.sheetnames


@pytest.mark.parametrize(
    "args",
    [["-o", "{out}/mau.txt"], ["--units", "{roster}", "-o", "{out}/mot-tep.xlsx"]],
)
def test_output_names_that_do_not_fit_are_refused(runner, out, roster_path, args):
    result = dv(runner, "make-template", *[a.format(out=out, roster=roster_path) for a in args])
    assert result.exit_code == 2, result.output
    assert not any(out.iterdir())


def test_generic_template_with_a_roster_dropdown_only(runner, out, roster_path, roster):
    result = dv(runner, "make-template", "--units", roster_path, "--generic", "-o", out)
    assert result.exit_code == 0, result.output
    (written,) = list(out.iterdir())
    book = openpyxl.load_workbook(written)
    sheet = book["Phụ lục"]
    assert str(sheet["D8"].value).startswith("=IFERROR(INDEX(")  # the code follows the picked name
    assert any("D9" in str(v.sqref) and v.type == "list" for v in sheet.data_validations.dataValidation)
