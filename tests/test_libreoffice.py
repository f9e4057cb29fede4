"""The template in a real spreadsheet program: LibreOffice opens the filled workbooks,
recalculates every formula, and saves them. What a clerk would see in the "Kiểm tra" column
must be what the rules say, what the Python mirror says, and never an error value.

All workbooks are converted in a handful of soffice runs (each costs about a second)."""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.support import testing
from tests.support.domain import appendix
from tests.support.testing import SEED, SEED_DOCS, fill_template, libreoffice_convert
from tests.support.variants import CASES as VARIANTS
from tests.support.variants import ERROR_VALUES
from toolkit.live import (
    CANNOT,
    MISSING,
    OK,
    TEXT_DATE,
    TEXT_NUMBER,
    UNIT_UNRESOLVED,
    as_read,
    derived_check_value,
    field_check_value,
    row_check_value,
    status_value,
)
from toolkit.template import build_template

pytestmark = pytest.mark.libreoffice


# -- the workbooks ---------------------------------------------------------------------------------

WRONG = {**SEED, "cut_total": 9, "dvc_level4": 40, "cut_rate": 0.2}


# One workbook per case: the seed with a few cells changed (None: the cell left empty).
FIELD_CASES: dict[str, dict[str, Any]] = {
    "seed": appendix(),
    "cut_total_9": appendix(cut_total=9),
    "cut_total_7": appendix(cut_total=7),
    "rate_0_2": appendix(cut_rate=0.2),
    "rate_typed_12_5": appendix(cut_rate=12.5),
    "rate_within_half_point": appendix(cut_rate=0.1254),
    "rate_at_the_tolerance": appendix(cut_rate=0.1255),
    "rate_off_by_a_point": appendix(cut_rate=0.126),
    "rate_of_9_cuts": appendix(cut_total=9, cut_vc=5, cut_rate=0.1385),
    "dvc_level4_40": appendix(dvc_level4=40),
    "dvc_level4_equal": appendix(dvc_level4=37),
    "no_staff_no_cuts": appendix(staff_cc=0, staff_vc=0, cut_cc=0, cut_vc=0, cut_total=0, cut_rate=0),
    "no_staff_all_cut": appendix(staff_cc=0, staff_vc=0, cut_rate=1),
    "blank_cut_vc": appendix(cut_vc=None),
    "blank_rate": appendix(cut_rate=None),
    "blank_staff": appendix(staff_cc=None, staff_vc=None),
    "total_as_text": appendix(cut_total="8"),
    "rate_as_text": appendix(cut_rate="12,5%"),
    "date_as_text": appendix(report_date="16/11/2020"),
    "report_date_typo_next_year": appendix(report_date=dt.date(2021, 11, 16)),  # an error (issue 9, item 4)
    "report_date_first_quarter_after": appendix(report_date=dt.date(2021, 3, 31)),  # a warning
    "report_date_before_the_year": appendix(report_date=dt.date(2019, 11, 16)),  # an error
    "year_in_the_report_date": appendix(report_date=2020),  # reads as 12/07/1905: an error
    "nothing_but_the_unit": {"unit_code": "STTTT", "unit_name": "Sở Thông tin và Truyền thông"},
}

DOC_ROWS: list[dict[str, Any]] = [
    *SEED_DOCS,
    {**SEED_DOCS[6], "number": "600/KH-STTTT-VP", "date": dt.date(2021, 1, 5)},  # after the year
    {**SEED_DOCS[6], "number": "601/KH-STTTT-VP", "date": dt.date(2020, 12, 31)},  # after the report (16/11)
    {**SEED_DOCS[0], "number": "19-KH/ĐU", "date": dt.date(2019, 12, 31)},  # before the year
    {"issuer": "Đảng ủy", "doc_type": "Kế hoạch", "title": "Thiếu số và ngày"},  # incomplete
    {**SEED_DOCS[1], "number": "40-HD/BCĐ", "date": "16/11/2020"},  # a date typed as text
    {**SEED_DOCS[2], "issuer": "đảng ủy", "number": "06-QĐ/ĐU"},  # lower case still counts
]


@dataclass
class Converted:
    before: dict[str, Path]  # what openpyxl wrote
    xlsx: dict[str, Path]  # after LibreOffice recalculated and saved
    ods: dict[str, Path]
    xls: dict[str, Path]
    single: Path  # the seed through tests.support.testing.libreoffice_convert itself

    def book(self, name: str) -> Any:
        return openpyxl.load_workbook(self.xlsx[name], data_only=True)


@pytest.fixture(scope="module")
def converted(soffice, form, roster, template_bytes, tmp_path_factory) -> Converted:
    src = tmp_path_factory.mktemp("filled")
    before: dict[str, Path] = {}

    def save(name: str, data: bytes) -> None:
        before[name] = src / f"{name}.xlsx"
        before[name].write_bytes(data)

    for name, values in FIELD_CASES.items():
        docs = SEED_DOCS if name == "seed" else ()
        save(f"case-{name}", fill_template(template_bytes, values, docs))
    save("seed", fill_template(template_bytes, SEED, SEED_DOCS))
    save("wrong", fill_template(template_bytes, WRONG, SEED_DOCS))
    save("empty", template_bytes)
    save("docs", fill_template(template_bytes, SEED, DOC_ROWS))
    save("thousands", fill_template(template_bytes, appendix(dvc_total=1250, dvc_level4=1300)))
    save("text_in_a_sum", fill_template(template_bytes, appendix(cut_cc="04")))
    unit = {k: v for k, v in SEED.items() if k not in ("unit_code", "unit_name")}
    save("personal", fill_template(build_template(form, unit=roster.require("STTTT")), unit, SEED_DOCS))
    save("picked_unit", fill_template(build_template(form, roster=roster), {"unit_name": "Sở Nội vụ"}))

    out = tmp_path_factory.mktemp("converted")
    xlsx = testing.libreoffice_convert_many(list(before.values()), "xlsx", out / "xlsx")
    few = [before["seed"], before["wrong"], before["empty"]]
    ods = testing.libreoffice_convert_many(few, "ods", out / "ods")
    xls = testing.libreoffice_convert_many(few, "xls", out / "xls")
    single = libreoffice_convert(before["seed"], "xlsx", out / "single")
    return Converted(before, xlsx, ods, xls, single)


def check_cell(form, code: str) -> str:
    return f"{form.layout.check_column}{form.field(code).row}"


def shown(ws, ref: str) -> str:
    value = ws[ref].value
    return "" if value is None else value


def by_name(book, name: str) -> Any:
    (sheet, ref), *_ = list(book.defined_names[name].destinations)
    return book[sheet][ref.replace("$", "")].value


def same_text(calc: str, python: str) -> bool:
    """Equal but for the decimal separator (LibreOffice runs in an English locale here)."""
    return calc.replace(",", ".") == python.replace(",", ".")


# -- recalculation happened ----------------------------------------------------------------------


def test_filled_file_has_no_cached_results_before_libreoffice(form, converted):
    ws = openpyxl.load_workbook(converted.before["seed"], data_only=True)[form.layout.sheet]
    for code in ("cut_total", "cut_rate", "dvc_level4"):
        assert ws[check_cell(form, code)].value is None
    assert ws[form.field("docs_party").cell].value is None


def test_libreoffice_recalculated_the_checks(form, converted):
    ws = converted.book("seed")[form.layout.sheet]
    for code in ("cut_total", "cut_rate", "dvc_level4"):
        assert ws[check_cell(form, code)].value == OK, code


def test_toolkit_convert_helper_recalculates_too(form, converted):
    ws = openpyxl.load_workbook(converted.single, data_only=True)[form.layout.sheet]
    assert ws[check_cell(form, "cut_total")].value == OK
    assert ws[form.field("docs_party").cell].value == 5


# -- the seed, the wrong variant, the empty template --------------------------------------------------


def test_seed_reads_khop_everywhere(form, converted):
    book = converted.book("seed")
    ws = book[form.layout.sheet]
    for rule in form.rules:
        assert ws[check_cell(form, rule.anchor)].value == "Khớp", rule.id
    assert by_name(book, "docs_party") == 5
    assert by_name(book, "docs_gov") == 2
    assert by_name(book, "docs_total") == 7
    assert ws["A4"].value == status_value(0, 0)
    assert ws["A3"].value == "(Kèm theo Báo cáo số …/BC-STTTT-VP ngày 16/11/2020 của Sở Thông tin và Truyền thông)"


def test_seed_documents(form, converted):
    table = form.tables["van_ban"]
    ws = converted.book("seed")[table.sheet]
    checks = [shown(ws, f"{table.check_column}{table.first_row + i}") for i in range(len(SEED_DOCS))]
    assert checks[5].startswith("Lưu ý")  # 420/KH-STTTT-VP of 2016, still in force
    assert all(c == OK for i, c in enumerate(checks) if i != 5), checks
    numbers = [ws[f"{table.number_column}{table.first_row + i}"].value for i in range(len(SEED_DOCS) + 1)]
    assert numbers[:-1] == list(range(1, len(SEED_DOCS) + 1)) and numbers[-1] in (None, "")


def test_wrong_variant_says_what_to_fix(form, converted):
    book = converted.book("wrong")
    ws = book[form.layout.sheet]
    assert ws[check_cell(form, "cut_total")].value == "Sai: tổng phải bằng 8"
    assert ws[check_cell(form, "dvc_level4")].value == "Sai: mức độ 4 không thể lớn hơn tổng 37"
    rate = ws[check_cell(form, "cut_rate")].value
    assert same_text(rate, "Sai: tỷ lệ phải là 13,85%"), rate  # 9 / (28 + 28 + 9)
    assert ws["A4"].value == "Kết quả kiểm tra: còn 3 lỗi cần sửa (ô đỏ ở cột Kiểm tra)"


def test_empty_template_asks_for_every_required_cell(form, converted):
    ws = converted.book("empty")[form.layout.sheet]
    for f in form.input_fields:
        assert shown(ws, check_cell(form, f.code)) == (MISSING if f.required else ""), f.code
    required = sum(f.required for f in form.input_fields)
    assert ws["A4"].value == f"Kết quả kiểm tra: chưa nhập đủ, còn {required} ô bắt buộc trống"
    assert ws["A3"].value == "(Kèm theo Báo cáo số …… ngày …… của ……)"
    assert [ws[form.field(c).cell].value for c in ("docs_party", "docs_gov", "docs_total")] == [0, 0, 0]


def test_personalised_template_filled_by_the_unit(form, converted):
    book = converted.book("personal")
    ws = book[form.layout.sheet]
    assert by_name(book, "unit_code") == "STTTT"
    assert shown(ws, check_cell(form, "unit_code")) == ""
    assert ws["A4"].value == status_value(0, 0)


def test_unit_picked_from_the_dropdown_fills_its_code(form, converted):
    book = converted.book("picked_unit")
    assert by_name(book, "unit_name") == "Sở Nội vụ"
    assert by_name(book, "unit_code") == "SNV"


def test_defined_names_survive_the_round_trip(form, converted):
    book = openpyxl.load_workbook(converted.xlsx["seed"])
    for f in form.fields:
        (sheet, ref), *_ = list(book.defined_names[f.code].destinations)
        assert (sheet, ref.replace("$", "")) == (f.sheet, f.cell), f.code
    assert by_name(converted.book("seed"), "cut_total") == 8


def test_no_error_value_anywhere(converted):
    for name, path in converted.xlsx.items():
        book = openpyxl.load_workbook(path, data_only=True)
        for ws in book.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    where = (name, ws.title, c.coordinate, c.value)
                    assert c.data_type != "e", where
                    assert not (isinstance(c.value, str) and c.value.startswith(ERROR_VALUES)), where


# -- every field check: LibreOffice vs the rules vs the Python mirror ---------------------------------


def env_of(values: dict[str, Any], form) -> dict[str, Any]:
    env: dict[str, Any] = {f.code: None for f in form.fields}
    env.update({f.code: form.fixed_value(f) for f in form.fields if f.source == "fixed"})
    env.update(values)
    return env


MIRROR_CASES = list(FIELD_CASES)


@pytest.mark.parametrize("case", MIRROR_CASES)
def test_check_column_matches_the_python_mirror(form, converted, case):
    ws = converted.book(f"case-{case}")[form.layout.sheet]
    env = env_of(FIELD_CASES[case], form)
    mismatches = {}
    for f in form.input_fields:
        calc = shown(ws, check_cell(form, f.code))
        python = field_check_value(form, f, env)
        if not same_text(calc, python):
            mismatches[f.code] = (calc, python)
    assert not mismatches


@pytest.mark.parametrize("case", list(FIELD_CASES))
def test_rule_verdict_in_libreoffice_is_the_python_verdict(form, converted, case):
    ws = converted.book(f"case-{case}")[form.layout.sheet]
    env = env_of(FIELD_CASES[case], form)
    for rule in form.rules:
        if any(not isinstance(env[n], int | float) for n in rule.fields):
            continue  # blanks and text: the check waits or warns instead of judging
        calc = ws[check_cell(form, rule.anchor)].value
        # One check cell shows every rule anchored on it, judged on the values as dv reads
        # them (12,5 typed in a rate is 12,5 %): "Sai" when an error rule fails.
        errors = [r for r in form.rules_for(rule.anchor) if r.severity == "error"]
        assert (not calc.startswith("Sai")) is all(r.expr.evaluate(as_read(form, env)) for r in errors), (rule.id, calc)


def test_the_cases_cover_every_outcome(form, converted):
    seen = set()
    for case in FIELD_CASES:
        ws = converted.book(f"case-{case}")[form.layout.sheet]
        for f in form.input_fields:
            text = shown(ws, check_cell(form, f.code))
            seen.add(text.split(":")[0] if text.startswith("Sai") else text)
    assert {OK, "Sai", MISSING, TEXT_NUMBER, TEXT_DATE, ""} <= seen


def test_text_number_is_flagged_on_its_own_row(form, converted):
    ws = converted.book("case-total_as_text")[form.layout.sheet]
    assert ws[check_cell(form, "cut_total")].value == TEXT_NUMBER
    ws = converted.book("case-rate_as_text")[form.layout.sheet]
    assert ws[check_cell(form, "cut_rate")].value == TEXT_NUMBER


def test_zero_staff_is_guarded_not_an_error(form, converted):
    ws = converted.book("case-no_staff_no_cuts")[form.layout.sheet]
    assert ws[check_cell(form, "cut_rate")].value == OK


def test_mirror_matches_the_sheet_for_numbers_over_a_thousand(form, converted):
    ws = converted.book("thousands")[form.layout.sheet]
    calc = ws[check_cell(form, "dvc_level4")].value
    assert calc == "Sai: mức độ 4 không thể lớn hơn tổng 1250"
    python = field_check_value(form, form.field("dvc_level4"), env_of(appendix(dvc_total=1250, dvc_level4=1300), form))
    assert same_text(calc, python), (calc, python)


def test_mirror_matches_the_sheet_when_a_summand_is_text(form, converted):
    ws = converted.book("text_in_a_sum")[form.layout.sheet]
    assert ws[check_cell(form, "cut_cc")].value == TEXT_NUMBER  # the clerk is told on that row
    calc = shown(ws, check_cell(form, "cut_total"))
    python = field_check_value(form, form.field("cut_total"), env_of(appendix(cut_cc="04"), form))
    assert python != CANNOT or calc == CANNOT
    assert same_text(calc, python), (calc, python)


# -- the documents table ---------------------------------------------------------------------------


def doc_checks(form, converted) -> list[str]:
    table = form.tables["van_ban"]
    ws = converted.book("docs")[table.sheet]
    return [shown(ws, f"{table.check_column}{table.first_row + i}") for i in range(len(DOC_ROWS) + 1)]


def test_document_rows_in_libreoffice(form, converted):
    checks = doc_checks(form, converted)
    assert checks[7].startswith("Sai: ngày ban hành sau năm")  # 5/1/2021
    # 31/12/2020: in the year, but after the report dated 16/11/2020 (issue 17 item 4).
    assert checks[8] == "Sai: ngày ban hành sau ngày báo cáo"
    assert checks[9].startswith("Lưu ý: ban hành trước năm")  # 31/12/2019
    assert checks[10] == "Sai: thiếu Số, ký hiệu; Ngày ban hành"
    assert checks[11] == TEXT_DATE
    assert checks[12] == OK
    assert checks[13] == ""  # the first unused row


def test_document_rows_match_the_python_mirror(form, converted):
    table = form.tables["van_ban"]
    checks = doc_checks(form, converted)
    for i, row in enumerate(DOC_ROWS):
        env = {"report_year": 2020, "report_date": SEED["report_date"]}
        assert checks[i] == row_check_value(form, table, row, env), (i, row)
    # The report year is shown as a year on both sides, never "2.020".
    assert checks[5] == "Lưu ý: ban hành trước năm 2020"


def test_document_counts_match_python_countif(form, converted):
    book = converted.book("docs")
    for code in ("docs_party", "docs_gov"):
        expected = form.field(code).expr.evaluate({}, {"van_ban": DOC_ROWS})
        assert by_name(book, code) == expected, code
    assert by_name(book, "docs_party") == 9  # the seed's 5 + 19-KH/ĐU, the incomplete row, 40-HD, "đảng ủy"
    assert by_name(book, "docs_gov") == 4
    assert by_name(book, "docs_total") == 13


def test_a_document_error_counts_in_the_status(form, converted):
    ws = converted.book("docs")[form.layout.sheet]
    # After the year, after the report date, incomplete.
    assert ws["A4"].value == "Kết quả kiểm tra: còn 3 lỗi cần sửa (ô đỏ ở cột Kiểm tra)"


# -- other formats ----------------------------------------------------------------------------------


def test_saved_as_ods(converted):
    for name, path in converted.ods.items():
        assert path.stat().st_size > 0, name
        with zipfile.ZipFile(path) as z:
            assert z.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"


def test_saved_as_xls(converted):
    for name, path in converted.xls.items():
        assert path.stat().st_size > 0, name
        assert path.read_bytes()[:8] == bytes.fromhex("D0CF11E0A1B11AE1"), name  # an OLE2 (Excel 97) file


# -- the variants of tests/variants.py: every new single-value check, sheet vs mirror ----------


@pytest.mark.parametrize("case", [n for n, c in VARIANTS.items() if c.template == "generic"])
def test_variant_checks_match_the_python_mirror(form, variants_in_libreoffice, case):
    variant = VARIANTS[case]
    book = openpyxl.load_workbook(variants_in_libreoffice[case], data_only=True)
    ws = book[form.layout.sheet]
    env = env_of(dict(variant.values), form)
    tables = {"van_ban": list(variant.docs)}
    for f in form.derived_fields:  # the cell's formula, unless the case typed over it
        env[f.code] = variant.values.get(f.code, f.expr.evaluate(env, tables))
    mismatches = {}
    for f in form.input_fields:
        calc, python = shown(ws, check_cell(form, f.code)), field_check_value(form, f, env, tables)
        if not same_text(calc, python):
            mismatches[f.code] = (calc, python)
    for f in form.derived_fields:
        calc, python = shown(ws, check_cell(form, f.code)), derived_check_value(form, f, env, tables)
        if calc != python:
            mismatches[f.code] = (calc, python)
    table = form.tables["van_ban"]
    rows = book[table.sheet]
    for i, values in enumerate(variant.docs):
        calc = shown(rows, f"{table.check_column}{table.first_row + i}")
        python = row_check_value(form, table, values, env, list(variant.docs))
        if calc != python:
            mismatches[f"row {i}"] = (calc, python)
    assert not mismatches


def test_new_checks_say_what_to_fix(form, variants_in_libreoffice):
    def check(case: str, code: str) -> str:
        return shown(
            openpyxl.load_workbook(variants_in_libreoffice[case], data_only=True)[form.layout.sheet],
            check_cell(form, code),
        )

    assert check("count_typed_over", "docs_party") == "Sai: ô này tự tính, phải là 5"
    assert check("count_typed_over", "docs_total") == ""  # it adds what the sheet shows: reported once
    assert check("count_typed_same", "docs_party") == ""
    assert check("float_noise", "dvc_level4") == OK  # 29.0000001: 29, as dv reads it
    assert check("far_from_whole", "dvc_level4").startswith("Sai: phải là số nguyên")
    assert check("rate_typed_12_5", "cut_rate").startswith("Lưu ý: đã gõ số thay vì phần trăm")
    assert check("year_changed", "report_year") == "Sai: ô đã khóa bị sửa, phải là 2020"
    assert check("seed", "report_year") == ""
    assert check("personal_code_changed", "unit_code") == "Sai: ô đã khóa bị sửa, phải là STTTT"
    assert check("personal", "unit_code") == ""


def test_roster_name_in_old_tone_marks_still_gives_the_code(form, variants_in_libreoffice):
    book = openpyxl.load_workbook(variants_in_libreoffice["unit_old_tone_marks"], data_only=True)
    assert by_name(book, "unit_code") == "SVHTTDL"
    assert book[form.layout.sheet]["A4"].value == status_value(0, 0)
    book = openpyxl.load_workbook(variants_in_libreoffice["unit_not_in_roster"], data_only=True)
    assert by_name(book, "unit_code") in (None, "")
    assert shown(book[form.layout.sheet], check_cell(form, "unit_code")) == UNIT_UNRESOLVED
    assert book[form.layout.sheet]["A4"].value == status_value(1, 0)


def test_party_documents_in_old_tone_marks_are_counted(form, variants_in_libreoffice):
    book = openpyxl.load_workbook(variants_in_libreoffice["doc_issuer_old_style"], data_only=True)
    assert (by_name(book, "docs_party"), by_name(book, "docs_total")) == (5, 7)
    table = form.tables["van_ban"]
    assert book[table.sheet][f"{table.check_column}{table.first_row}"].value == OK
