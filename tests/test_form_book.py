"""The form as a workbook (issue 20): ``dv form export`` writes any form as a workbook the officer
edits, or as TOML; either reads back into an equal form, and the templates they make are the
same bytes. ``--form`` of every command takes the workbook as it takes the TOML."""

from __future__ import annotations

import io
import json
import tomllib

import openpyxl
import pytest
from typer.testing import CliRunner

from tests.support.formbook import export_book, sheet_rows
from tests.support.testing import SEED, SEED_DOCS, fill_template, libreoffice_convert
from toolkit.cli import app
from toolkit.form import load_form_file
from toolkit.form.export import export_form, form_data, toml_text
from toolkit.form.sheets import SHEETS
from toolkit.intake import check_file
from toolkit.intake.workers import WorkerPool, check_files
from toolkit.template import build_template

RUNNER = CliRunner()


def template_without_times(data: bytes) -> dict[str, bytes]:
    """A template's parts, the document properties' times set aside."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


def test_the_shipped_form_round_trips_through_its_workbook(form, tmp_path):
    book = export_book(form, tmp_path / "bieu-mau-2020.xlsx")
    again = load_form_file(book)
    assert again == form
    assert again.fingerprint == form.fingerprint
    assert again.path == str(book)
    # The template a unit fills is the same, byte for byte (its times come from the form's year).
    assert build_template(again) == build_template(form)


def test_the_shipped_form_round_trips_through_toml(form, tmp_path):
    text = export_form(form, "toml").decode("utf-8")
    path = tmp_path / "bieu-mau-2020.toml"
    path.write_text(text, encoding="utf-8")
    assert load_form_file(path) == form
    assert tomllib.loads(text) == form_data(form)  # what tomllib reads is what was written


def test_toml_writer_quotes_what_toml_must_quote():
    data = {"a": {"x y": 'say "hi"\\\n\ttab', "n": 0.1, "big": 1e-5, "t": True, "l": [1, "ư"], "u": "\x01"}}
    assert tomllib.loads(toml_text(data)) == data


def test_the_workbook_has_its_sheets_headings_and_dropdowns(form, tmp_path):
    book = export_book(form, tmp_path / "b.xlsx")
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == [s.name for s in SHEETS] + ["Hướng dẫn"]
    fields = wb["Chỉ tiêu"]
    assert [c.value for c in fields[1]][:6] == ["Mục", "Mã chỉ tiêu", "Tên", "Tên tiếng Anh", "Kiểu", "Bắt buộc"]
    assert "Cộng lên cấp trên" in [c.value for c in fields[1]]  # the roll-up column issue 19 fills
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in fields.data_validations.dataValidation}
    assert lists["E2"] == '"chữ,mã,số nguyên,ngày,tỷ lệ,danh mục"'
    assert lists["F2"] == '"có,không"'
    rules = wb["Quy tắc"]
    assert any(dv.formula1 == '"lỗi,lưu ý"' for dv in rules.data_validations.dataValidation)
    # The guide explains every column of every sheet, with an example.
    guide = [[c.value for c in row] for row in wb["Hướng dẫn"].iter_rows()]
    explained = {row[0] for row in guide if row and row[0]}
    for sheet in SHEETS:
        for col in sheet.columns:
            assert col.heading in explained, (sheet.name, col.heading)
    assert ["Kiểu", "Loại số liệu ô nhận.", "số nguyên", "chữ, mã, số nguyên, ngày, tỷ lệ, danh mục"] in [
        r[:4] for r in guide
    ]


def test_a_section_and_its_fields_are_rows(form, tmp_path):
    rows = sheet_rows(export_book(form, tmp_path / "b.xlsx"), "Chỉ tiêu")
    assert rows[1][:3] == ["I", "", "THÔNG TIN CHUNG"]
    assert rows[2][:6] == ["", "unit_code", "Mã đơn vị", "Unit code", "mã", "có"]
    rate = next(r for r in rows if r[1] == "cut_rate")
    assert rate[4] == "tỷ lệ" and rate[10] == "cut_total / (staff_cc + staff_vc + cut_total)"


@pytest.mark.libreoffice
def test_libreoffice_re_saves_read_back_the_same_form(form, tmp_path):
    book = export_book(form, tmp_path / "bieu-mau.xlsx")
    for fmt in ("ods", "xlsx"):
        saved = libreoffice_convert(book, fmt, tmp_path / fmt, recalc=False)
        assert load_form_file(saved) == form, fmt


# -- the commands --------------------------------------------------------------------------------


def test_dv_form_export_writes_a_workbook_or_toml_and_never_overwrites(tmp_path, monkeypatch, form):
    monkeypatch.chdir(tmp_path)
    done = RUNNER.invoke(app, ["form", "export"])
    assert done.exit_code == 0, done.output
    assert "bieu-mau-2020.xlsx" in done.output and load_form_file(tmp_path / "bieu-mau-2020.xlsx") == form
    again = RUNNER.invoke(app, ["form", "export"])
    assert again.exit_code == 2 and "không ghi đè" in again.output
    toml = RUNNER.invoke(app, ["form", "export", "--to", "toml"])
    assert toml.exit_code == 0 and load_form_file(tmp_path / "bieu-mau-2020.toml") == form
    named = RUNNER.invoke(app, ["form", "export", "-o", "x.toml", "--form", "bieu-mau-2020.xlsx"])
    assert named.exit_code == 0 and (tmp_path / "x.toml").read_bytes() == (tmp_path / "bieu-mau-2020.toml").read_bytes()
    bad = RUNNER.invoke(app, ["form", "export", "--to", "pdf"])
    assert bad.exit_code == 2 and "xlsx hoặc toml" in bad.output


def test_every_command_takes_the_workbook_as_its_form(tmp_path, form):
    book = export_book(form, tmp_path / "bieu-mau.xlsx")
    made = RUNNER.invoke(app, ["make-template", "--form", str(book), "-o", str(tmp_path / "mau.xlsx")])
    assert made.exit_code == 0, made.output
    assert template_without_times((tmp_path / "mau.xlsx").read_bytes()) == template_without_times(build_template(form))
    folder = tmp_path / "nop"
    folder.mkdir()
    fill_template(build_template(form), SEED, SEED_DOCS, out=folder / "STTTT.xlsx")
    checked = RUNNER.invoke(app, ["check", str(folder / "STTTT.xlsx"), "--form", str(book), "--json"])
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.output)["files"][0]["status"] == "accepted"
    merged = RUNNER.invoke(app, ["merge", str(folder), "--form", str(book), "-o", str(tmp_path / "th.xlsx")])
    assert merged.exit_code == 0, merged.output


def test_workers_spawned_for_the_portal_load_a_workbook_form_by_its_path(tmp_path, form):
    book = load_form_file(export_book(form, tmp_path / "bieu-mau.xlsx"))
    path = tmp_path / "STTTT.xlsx"
    fill_template(build_template(form), SEED, SEED_DOCS, out=path)
    with WorkerPool(book, None, jobs=1, start_method="spawn") as pool:
        from toolkit.intake.workers import check_job

        report = pool.submit(check_job, (str(path), None, None)).result(timeout=120)
    direct = check_file(path, form)
    assert (report.status, report.values) == (direct.status, direct.values)
    assert [r.status for r in check_files([path], book)] == ["accepted"]
