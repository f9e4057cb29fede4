"""``dv form check`` (issue 20, point 2): every problem of an officer's form workbook at its cell,
in Vietnamese (English with --lang en), with the fix; the same checks name the TOML entry of a
TOML form. Each mistake is made the officer's way: the 2021 workbook of the worked example
(tests/support/formbook.py) with one cell typed over."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.support.formbook import (
    ADDS_UP,
    column_of,
    edit,
    edit_worked_example,
    entry_row,
    export_book,
    next_row,
    row_of,
)
from toolkit.cli import app
from toolkit.form import FormError, load_form, load_form_file
from toolkit.form.export import export_form
from toolkit.form.loader import check_form_file

RUNNER = CliRunner()


@pytest.fixture(scope="module")
def book2021(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("form2021")
    return edit_worked_example(export_book(load_form(), folder / "bieu-mau-2020.xlsx"), folder / "bieu-mau-2021.xlsx")


@pytest.fixture
def book(book2021: Path, tmp_path: Path) -> Path:
    """A copy of the 2021 workbook the test may type over."""
    return Path(shutil.copyfile(book2021, tmp_path / "bieu-mau-2021.xlsx"))


def problems(path: Path, lang: str = "vi") -> list[tuple[str, str]]:
    return [(i.code, i.text(lang)) for i in check_form_file(path).issues]


def the_problem(path: Path, lang: str = "vi") -> tuple[str, str]:
    found = problems(path, lang)
    assert len(found) == 1, found
    return found[0]


def test_the_worked_example_has_no_problem(book2021):
    checked = check_form_file(book2021)
    assert checked.issues == [] and checked.ok
    assert (checked.form.year, checked.form.version) == (2021, "2021.1")


# -- point 2: each check, at its cell ---------------------------------------------------------------


def test_an_unknown_code_in_a_rule_names_the_close_matches(book):
    row = row_of(book, "Quy tắc", "Mã quy tắc", "don_thu_cong")
    col = column_of(book, "Quy tắc", "Biểu thức")
    edit(book, "Quy tắc", {f"{col}{row}": ADDS_UP.replace("don_thu_tong", "don_tong")})
    code, message = the_problem(book)
    assert code == "def-unknown-name"
    assert message.startswith(
        f'Quy tắc!{col}{row}: "don_tong" không phải mã chỉ tiêu nào; các mã gần giống: don_thu_tong.'
    ), message
    assert "Sửa lại mã, hoặc thêm mã chỉ tiêu đó vào biểu mẫu" in message
    en = the_problem(book, "en")[1]
    assert en.startswith(f'Quy tắc!{col}{row}: "don_tong" is not any field code; close matches: don_thu_tong.'), en


def test_a_duplicate_code_names_both_cells(book):
    first = row_of(book, "Chỉ tiêu", "Mã chỉ tiêu", "don_khieu_nai")
    second = row_of(book, "Chỉ tiêu", "Mã chỉ tiêu", "don_to_cao")
    col = column_of(book, "Chỉ tiêu", "Mã chỉ tiêu")
    edit(book, "Chỉ tiêu", {f"{col}{second}": "don_khieu_nai"})
    found = problems(book)
    assert found[0] == (
        "def-duplicate",
        f'Chỉ tiêu!{col}{second}: "don_khieu_nai" đã dùng ở Chỉ tiêu!{col}{first}; mỗi mã, mỗi giá trị của một danh mục chỉ dùng một lần. '
        "Đổi một trong hai.",
    )
    # The rule that named the renamed field says so once, where the rule is.
    assert [c for c, _ in found[1:]] == ["def-unknown-name"] and "don_to_cao" in found[1][1]


def test_a_type_that_does_not_exist_lists_the_types(book):
    row = row_of(book, "Chỉ tiêu", "Mã chỉ tiêu", "don_to_cao")
    col = column_of(book, "Chỉ tiêu", "Kiểu")
    edit(book, "Chỉ tiêu", {f"{col}{row}": "số thực"})
    assert the_problem(book) == (
        "def-unknown-type",
        f'Chỉ tiêu!{col}{row}: kiểu "số thực" không có. Chọn một trong: chữ, mã, số nguyên, ngày, tỷ lệ, danh mục.',
    )
    assert the_problem(book, "en")[1].endswith(
        "Pick one of: chữ (text), mã (code), số nguyên (integer), ngày (date), tỷ lệ (percent), danh mục (choice)."
    )


def test_a_rule_that_does_not_parse_gives_the_position(book):
    row = row_of(book, "Quy tắc", "Mã quy tắc", "don_thu_cong")
    col = column_of(book, "Quy tắc", "Biểu thức")
    edit(book, "Quy tắc", {f"{col}{row}": ADDS_UP.replace("==", "=")})
    assert the_problem(book) == (
        "def-rule-syntax",
        f'Quy tắc!{col}{row}: "don_thu_tong = don_khieu_nai + don_to_cao + don_phan_anh" sai ở ký tự 14: '
        "để so sánh bằng, viết hai dấu bằng == (ví dụ a == b + c).",
    )
    edit(book, "Quy tắc", {f"{col}{row}": "(don_thu_tong == don_khieu_nai + don_to_cao"})
    assert the_problem(book)[1] == (
        f'Quy tắc!{col}{row}: "(don_thu_tong == don_khieu_nai + don_to_cao" sai ở ký tự 1: dấu "(" ở đây chưa có '
        'dấu ")" đóng lại.'
    )


def test_a_message_placeholder_that_does_not_parse_gives_its_position_in_the_message(book):
    row = row_of(book, "Quy tắc", "Mã quy tắc", "don_thu_cong")
    col = column_of(book, "Quy tắc", "Ô kiểm tra")
    edit(book, "Quy tắc", {f"{col}{row}": "Sai: tổng phải bằng {don_khieu_nai +}"})
    code, message = the_problem(book)
    assert code == "def-rule-syntax"
    assert message.startswith(f'Quy tắc!{col}{row}: "Sai: tổng phải bằng {{don_khieu_nai +}}" sai ở ký tự 36')


def test_an_empty_choice_list_is_said_at_its_row(book):
    row = next_row(book, "Danh mục")
    edit(book, "Danh mục", {f"A{row}": "hinh_thuc"})
    assert the_problem(book) == (
        "def-choices-empty",
        f'Danh mục!A{row}: danh mục "hinh_thuc" không có giá trị nào. Thêm các giá trị của danh mục (mỗi giá trị '
        "một dòng), hoặc bỏ danh mục này.",
    )


def test_a_year_that_does_not_match_the_version(book):
    row = entry_row(book, "Thông tin", "form.version")
    edit(book, "Thông tin", {f"C{row}": "2020.1"})
    assert the_problem(book) == (
        "def-year-version",
        f'Thông tin!C{row}: biểu mẫu năm 2021 nhưng phiên bản là "2020.1". Phiên bản bắt đầu bằng năm của biểu '
        "mẫu, ví dụ 2021.1: sửa năm hoặc phiên bản cho khớp.",
    )


def test_fields_changed_but_not_the_version_is_refused(book):
    # The officer edited the 2020 form (new section, new label) but left year and version as they were.
    edit(
        book,
        "Thông tin",
        {
            f"C{entry_row(book, 'Thông tin', 'form.year')}": 2020,
            f"C{entry_row(book, 'Thông tin', 'form.version')}": "2020.1",
        },
    )
    row = entry_row(book, "Thông tin", "form.version")
    code, message = the_problem(book)
    assert code == "def-version-unchanged"
    assert message == (
        f'Thông tin!C{row}: phiên bản "2020.1" đã là phiên bản của biểu mẫu "dan-van-chinh-quyen" có sẵn trong dv, '
        "nhưng nội dung đã khác (thêm don_thu_tong, don_khieu_nai, don_to_cao, don_phan_anh; đổi tên dvc_level4). "
        "Tệp điền theo hai biểu mẫu khác nhau sẽ mang cùng một phiên bản: đổi phiên bản, ví dụ 2020.2."
    )
    with pytest.raises(FormError):  # and no command uses it
        load_form_file(book)


def test_a_row_identity_naming_no_column_of_the_table(book, tmp_path):
    """The columns that make a row one document (issue 17's row pasted twice) are the table's
    own: a code the table does not have is said at its cell, with the codes it has, and the
    same mistake in the TOML text at its entry."""
    row = entry_row(book, "Bố cục", "tables.van_ban.identity")
    edit(book, "Bố cục", {f"D{row}": "so_hieu"})
    assert the_problem(book) == (
        "def-bad-value",
        f'Bố cục!D{row}: "so_hieu" không dùng được: chỉ ghi mã các cột của bảng: issuer, doc_type, number, '
        "date, title.",
    )
    toml = tmp_path / "bieu-mau.toml"
    text = export_form(load_form(), "toml").decode("utf-8")
    toml.write_text(text.replace('identity = ["issuer", "doc_type"', 'identity = ["issuer", "loai"'), encoding="utf-8")
    assert the_problem(toml)[1].startswith('[tables.van_ban].identity[1]: "loai" không dùng được')


def test_every_problem_is_said_not_only_the_first(book):
    edit(
        book,
        "Chỉ tiêu",
        {f"{column_of(book, 'Chỉ tiêu', 'Kiểu')}{row_of(book, 'Chỉ tiêu', 'Mã chỉ tiêu', 'don_to_cao')}": "số thực"},
    )
    edit(
        book,
        "Quy tắc",
        {f"{column_of(book, 'Quy tắc', 'Mức độ')}{row_of(book, 'Quy tắc', 'Mã quy tắc', 'don_thu_cong')}": "nặng"},
    )
    edit(book, "Thông tin", {f"C{entry_row(book, 'Thông tin', 'form.version')}": "2020.1"})
    assert [c for c, _ in problems(book)] == ["def-year-version", "def-unknown-type", "def-bad-value"]


# -- the workbook's own mistakes ---------------------------------------------------------------------


def test_a_misspelt_heading_is_said_with_the_close_heading(book):
    col = column_of(book, "Chỉ tiêu", "Kiểu")
    edit(book, "Chỉ tiêu", {f"{col}1": "Kieu"})
    # Said once, at the heading: not again in each of the 22 rows that now lack a type, nor in
    # the charts and the Word wording that need those fields' types (43 problems before).
    assert problems(book) == [
        (
            "def-unknown-key",
            f'Chỉ tiêu!{col}1: không có mục "Kieu"; có phải ý là: Kiểu. Sửa lại cho đúng tên, hoặc xóa nó.',
        )
    ]


def test_a_misspelt_setting_is_said_at_the_key_typed(book):
    row = entry_row(book, "Thông tin", "form.year")
    edit(book, "Thông tin", {f"A{row}": "form.yaer"})
    # At the key the officer typed, named whole, and not again as the missing year.
    assert problems(book) == [
        (
            "def-unknown-key",
            f'Thông tin!A{row}: không có mục "form.yaer"; có phải ý là: form.year. Sửa lại cho đúng tên, hoặc xóa nó.',
        )
    ]


def test_a_setting_left_empty_is_said_as_its_value_not_as_a_missing_row(book):
    row = entry_row(book, "Thông tin", "form.id")
    edit(book, "Thông tin", {f"C{row}": None})
    assert the_problem(book) == (
        "def-missing",
        f'Thông tin!C{row}: thiếu giá trị ở dòng "Mã biểu mẫu" (form.id) của trang Thông tin. Điền vào rồi kiểm '
        "tra lại (dv form check).",
    )


def test_the_report_number_of_another_type_is_said_in_the_workbooks_words(book):
    row = entry_row(book, "Đơn vị", "form.number_field")
    edit(book, "Đơn vị", {f"C{row}": "dvc_total"})
    assert the_problem(book) == ("def-invalid", f'Đơn vị!C{row}: "dvc_total" phải là một chỉ tiêu nhập kiểu chữ.')


def test_a_lower_limit_above_the_upper_one(book):
    row = row_of(book, "Chỉ tiêu", "Mã chỉ tiêu", "dvc_total")
    low, high = column_of(book, "Chỉ tiêu", "Nhỏ nhất"), column_of(book, "Chỉ tiêu", "Lớn nhất")
    edit(book, "Chỉ tiêu", {f"{low}{row}": 10, f"{high}{row}": 5})
    code, message = the_problem(book)
    assert code == "def-invalid" and message.startswith(f"Chỉ tiêu!{high}{row}: ")


def test_a_notes_column_of_the_officer_is_not_read(book):
    col = "R"
    edit(book, "Chỉ tiêu", {f"{col}1": "Ghi chú của phòng", f"{col}25": "thêm theo công văn 1494"})
    assert problems(book) == []


def test_a_field_row_without_its_code(book):
    row = row_of(book, "Chỉ tiêu", "Mã chỉ tiêu", "don_to_cao")
    col = column_of(book, "Chỉ tiêu", "Mã chỉ tiêu")
    edit(book, "Chỉ tiêu", {f"{col}{row}": None})
    found = problems(book)
    assert found[0] == (
        "def-missing",
        f'Chỉ tiêu!{col}{row}: thiếu giá trị ở cột "Mã chỉ tiêu". Điền vào rồi kiểm tra lại (dv form check).',
    )


def test_a_code_with_tone_marks_gets_a_suggestion(book):
    row = row_of(book, "Chỉ tiêu", "Mã chỉ tiêu", "don_to_cao")
    col = column_of(book, "Chỉ tiêu", "Mã chỉ tiêu")
    edit(book, "Chỉ tiêu", {f"{col}{row}": "Đơn tố cáo"})
    message = problems(book)[0][1]
    assert message.startswith(f'Chỉ tiêu!{col}{row}: "Đơn tố cáo" không dùng được: mã chỉ gồm chữ thường')
    assert message.endswith("; có thể dùng don_to_cao.")


def test_a_missing_sheet(book):
    import openpyxl

    wb = openpyxl.load_workbook(book)
    del wb["Đơn vị"]
    wb.save(book)
    found = problems(book)
    # The sheet is said, not each of its rows again.
    assert found == [
        (
            "def-missing",
            f"{book}: thiếu trang Đơn vị. Chép lại trang này từ một tệp dv form export viết ra, rồi kiểm tra lại "
            "(dv form check).",
        )
    ]


# -- the same checks on the TOML text ----------------------------------------------------------------


def test_the_toml_text_gets_the_same_checks_at_its_entries(book2021, tmp_path):
    toml = tmp_path / "bieu-mau-2021.toml"
    assert RUNNER.invoke(app, ["form", "export", "--form", str(book2021), "-o", str(toml)]).exit_code == 0
    text = toml.read_text(encoding="utf-8").replace(
        f'expr = "{ADDS_UP}"', f'expr = "{ADDS_UP.replace("don_thu_tong", "don_tong")}"'
    )
    toml.write_text(text, encoding="utf-8")
    assert the_problem(toml)[1].startswith(
        'rules[6] (don_thu_cong).expr: "don_tong" không phải mã chỉ tiêu nào; các mã gần giống: don_thu_tong.'
    )


# -- the command -------------------------------------------------------------------------------------


def test_exit_codes_as_dv_check(book, tmp_path):
    ok = RUNNER.invoke(app, ["form", "check", str(book)])
    assert ok.exit_code == 0, ok.output
    form = load_form_file(book)
    rules = len(form.rules) + sum(len(t.rules) for t in form.tables.values())
    assert f"không có lỗi ({len(form.fields)} chỉ tiêu, {rules} quy tắc)" in ok.output
    edit(book, "Thông tin", {f"C{entry_row(book, 'Thông tin', 'form.version')}": "2020.1"})
    bad = RUNNER.invoke(app, ["form", "check", str(book)])
    assert bad.exit_code == 1 and "1 lỗi cần sửa" in bad.output and "def-year-version" in bad.output
    missing = RUNNER.invoke(app, ["form", "check", str(tmp_path / "khong-co.xlsx")])
    assert missing.exit_code == 2 and "Không đọc được tệp biểu mẫu" in missing.output
    garbled = tmp_path / "hong.xlsx"
    garbled.write_bytes(b"PK\x03\x04 not a zip")
    assert RUNNER.invoke(app, ["form", "check", str(garbled)]).exit_code == 2
    usage = RUNNER.invoke(app, ["form", "check"])
    assert usage.exit_code == 2
    # A unit's filled workbook given by mistake: said for what it is, not as fifty missing sheets.
    template = Path(__file__).resolve().parent.parent / "samples" / "submissions" / "SNV-phu-luc-2020.xlsx"
    wrong = RUNNER.invoke(app, ["form", "check", str(template)])
    assert wrong.exit_code == 2 and "không phải biểu mẫu soạn bằng dv form export" in wrong.output


def test_english_and_json_say_what_the_library_says(book):
    edit(book, "Thông tin", {f"C{entry_row(book, 'Thông tin', 'form.version')}": "2020.1"})
    en = RUNNER.invoke(app, ["--lang", "en", "form", "check", str(book)])
    assert "a form for 2021 but its version is" in en.output and "biểu mẫu năm" not in en.output
    out = RUNNER.invoke(app, ["form", "check", str(book), "--json"])
    assert out.exit_code == 1
    assert json.loads(out.output) == check_form_file(book).to_dict("vi")
    row = entry_row(book, "Thông tin", "form.version")
    assert json.loads(out.output)["issues"][0] | {"message": ""} == {
        "code": "def-year-version",
        "severity": "error",
        "field": "",
        "sheet": "Thông tin",
        "cell": f"C{row}",
        "message": "",
        "where": f"Thông tin!C{row}",
    }


def test_commands_refuse_a_form_with_problems_and_list_them(book, tmp_path):
    edit(book, "Thông tin", {f"C{entry_row(book, 'Thông tin', 'form.version')}": "2020.1"})
    made = RUNNER.invoke(app, ["make-template", "--form", str(book), "-o", str(tmp_path / "x.xlsx")])
    assert made.exit_code == 2
    assert "biểu mẫu có 1 lỗi, chưa dùng được" in made.output and "Thông tin!C" in made.output
    assert not (tmp_path / "x.xlsx").exists()


# -- typed by the officer in LibreOffice -------------------------------------------------------------


@pytest.mark.libreoffice
@pytest.mark.uno
def test_mistakes_typed_in_libreoffice_are_each_said_once_where_they_were_made(book, tmp_path):
    """The officer misspells a heading and a setting's key in LibreOffice and saves: each is one
    problem, at the cell typed (a misspelt heading once gave 43, one in every row below it)."""
    from tests.support.formbook import run_clerk

    heading = column_of(book, "Chỉ tiêu", "Kiểu")
    year = entry_row(book, "Thông tin", "form.year")
    saved = tmp_path / "bieu-mau-sua.xlsx"
    steps = [
        {"do": "type", "sheet": "Chỉ tiêu", "cell": f"{heading}1", "text": "Kieu"},
        {"do": "type", "sheet": "Thông tin", "cell": f"A{year}", "text": "form.yaer"},
    ]
    run_clerk([{"source": str(book), "steps": steps, "save": {"xlsx": str(saved)}}], tmp_path)
    assert sorted((code, message.split(":")[0]) for code, message in problems(saved)) == [
        ("def-unknown-key", f"Chỉ tiêu!{heading}1"),
        ("def-unknown-key", f"Thông tin!A{year}"),
    ]
