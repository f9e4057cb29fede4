"""``dv roll-up`` on the command line: what the officer types and reads; exit codes; nothing
written when it refuses (docs/spec.md §5.10, §9)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from tests.support import submissions
from tests.support.levels import template_file, write_round
from toolkit.cli import app
from toolkit.roster import Unit

DISTRICT = Unit("HCT", "Huyện Châu Thành", "huyen")
runner = CliRunner()


@pytest.fixture
def district(tmp_path: Path) -> Path:
    write_round(tmp_path, submissions.communes(DISTRICT, 3), 9100)
    template_file(tmp_path / "mau.xlsx", DISTRICT)
    return tmp_path


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_roll_up_writes_the_report_and_says_what_is_left_to_type(district: Path):
    out = district / "ra" / "HCT.xlsx"
    out.parent.mkdir()
    done = run(
        "roll-up",
        str(district / "nop-ve"),
        "--units",
        str(district / "don-vi.csv"),
        "--to",
        str(district / "mau.xlsx"),
        "-o",
        str(out),
        "--set",
        "report_date=05/12/2020",
        "--set",
        "report_number=125/BC-UBND",
    )
    assert done.exit_code == 0, done.output
    assert out.is_file()
    said = done.output
    assert "3 tệp: 3 hợp lệ" in said
    assert f"Đã ghi báo cáo gửi cấp trên: {out}" in said and "tổng hợp từ 3 đơn vị" in said
    assert "Ngày báo cáo: 05/12/2020" in said
    assert "Cán bộ gõ trước khi gửi" in said and "Người ký (D13)" in said
    assert "có thể gửi" in said


def test_the_default_name_and_english(district: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(district)
    done = run("--lang", "en", "roll-up", "nop-ve", "--units", "don-vi.csv", "--to", "mau.xlsx")
    assert done.exit_code == 0, done.output
    assert (district / "mau-gui-len.xlsx").is_file()
    assert "Report for the level above written: mau-gui-len.xlsx" in done.output
    # No report date: the file is written, and the officer is told to type it.
    assert "For the officer to type" in done.output and "Report date (D12)" in done.output
    again = run("roll-up", "nop-ve", "--units", "don-vi.csv", "--to", "mau.xlsx")
    assert again.exit_code == 2 and "--force" in again.output


def test_an_unsettled_round_writes_nothing_and_says_why(district: Path):
    first = sorted((district / "nop-ve").glob("*.xlsx"))[0]
    wb = openpyxl.load_workbook(first)
    wb["Phụ lục"]["D27"] = wb["Phụ lục"]["D27"].value + 5
    wb.save(first)
    out = district / "HCT.xlsx"
    args = [
        "roll-up",
        str(district / "nop-ve"),
        "--units",
        str(district / "don-vi.csv"),
        "--to",
        str(district / "mau.xlsx"),
    ]
    done = run(*args, "-o", str(out))
    assert done.exit_code == 2 and not out.exists()
    assert "Vòng tổng hợp chưa chốt" in done.output and first.name in done.output and "--partial" in done.output
    assert "Không tệp kết quả nào được ghi" in done.output
    partial = run(*args, "-o", str(out), "--partial")
    assert partial.exit_code == 1 and out.is_file()
    assert "vòng tổng hợp chưa chốt (--partial)" in partial.output


def test_refusals_before_anything_is_read(district: Path):
    base = ["roll-up", str(district / "nop-ve"), "--to", str(district / "mau.xlsx")]
    inside = run(*base, "-o", str(district / "nop-ve" / "HCT.xlsx"))
    assert inside.exit_code == 2 and "nằm trong thư mục đang tổng hợp" in inside.output
    bad_set = run(*base, "--set", "report_date")
    assert bad_set.exit_code == 2 and "MÃ=GIÁ_TRỊ" in bad_set.output
    no_template = run("roll-up", str(district / "nop-ve"), "--to", str(district / "khong-co.xlsx"))
    assert no_template.exit_code == 2 and "Không có biểu mẫu cấp trên" in no_template.output
    missing = run("roll-up", str(district / "khong-co"), "--to", str(district / "mau.xlsx"))
    assert missing.exit_code == 2


def test_to_form_names_a_form_dv_does_not_ship(district: Path, tmp_path: Path):
    from toolkit.form import load_form

    text = Path(load_form("dan-van-chinh-quyen-bo").path).read_text(encoding="utf-8")
    definition = tmp_path / "bo-moi.toml"
    definition.write_text(text.replace('id = "dan-van-chinh-quyen-bo"', 'id = "bo-moi"'), encoding="utf-8")
    template = tmp_path / "mau-bo.xlsx"
    assert run("make-template", "--form", str(definition), "-o", str(template)).exit_code == 0
    base = ["roll-up", str(district / "nop-ve"), "--to", str(template), "-o", str(tmp_path / "ra.xlsx")]
    unknown = run(*base)
    assert unknown.exit_code == 2 and "--to-form" in unknown.output
    known = run(*base, "--to-form", str(definition), "--set", "unit_code=T01", "--set", "unit_name=Tỉnh Trà Vinh")
    assert known.exit_code == 0, known.output
    assert "mẫu bo-moi 2020.1, đơn vị T01" in known.output
