"""The template workbook read back with openpyxl: the contract of docs/spec.md §4 (defined names,
locked sheets, validation, the hidden metadata sheet, live checks) and Decree 30 printing."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.formula import ArrayFormula

from toolkit.live import CANNOT, MISSING, field_reference, row_names
from toolkit.roster import META_ROSTER_KEY
from toolkit.template import META_KEYS, build_template, template_filename

ERROR_VALUES = ("#DIV/0!", "#VALUE!", "#NAME?", "#REF!", "#N/A", "#NUM!", "#NULL!")
MM = 1 / 25.4


@pytest.fixture(scope="module")
def personal_bytes(form, roster) -> bytes:
    """The template personalised for the seed's unit, Sở Thông tin và Truyền thông."""
    return build_template(form, unit=roster.require("STTTT"))


@pytest.fixture(scope="module", params=["generic", "personalised"])
def kind(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def xlsx(kind, template_bytes, personal_bytes) -> bytes:
    return template_bytes if kind == "generic" else personal_bytes


@pytest.fixture(scope="module")
def wb(xlsx):
    return openpyxl.load_workbook(io.BytesIO(xlsx))


@pytest.fixture(scope="module")
def cached(xlsx):
    """The same workbook's cached formula results (what a viewer that does not recalculate shows)."""
    return openpyxl.load_workbook(io.BytesIO(xlsx), data_only=True)


def destination(wb, name):
    (sheet, ref), *rest = list(wb.defined_names[name].destinations)
    assert not rest
    return sheet, ref.replace("$", "")


def cell_of(wb, code):
    sheet, ref = destination(wb, code)
    return wb[sheet][ref]


def validations_covering(ws, ref):
    return [dv for dv in ws.data_validations.dataValidation if ref in dv.sqref]


def input_fields(form, kind):
    """The cells a clerk types into: in a personalised template the unit is already filled."""
    skip = {form.roster_code, form.roster_name} if kind == "personalised" else set()
    return [f for f in form.input_fields if f.code not in skip]


# -- defined names ------------------------------------------------------------------------------


def test_every_field_has_a_workbook_scoped_name_at_its_cell(form, wb):
    for f in form.fields:
        assert f.code in wb.defined_names, f.code  # workbook scope, not a sheet's
        sheet, ref = destination(wb, f.code)
        assert (sheet, ref) == (f.sheet, f.cell), f.code
    for ws in wb.worksheets:
        assert not ws.defined_names, f"sheet-scoped names on {ws.title}"


def test_van_ban_names_the_data_rows_only(form, wb):
    sheet, ref = destination(wb, "van_ban")
    assert sheet == "Văn bản"
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    assert max_col - min_col + 1 == 5
    assert max_row - min_row + 1 >= 200
    ws = wb[sheet]
    header = [ws.cell(min_row - 1, c).value for c in range(min_col, max_col + 1)]
    assert header == ["Cơ quan ban hành", "Loại văn bản", "Số, ký hiệu", "Ngày ban hành", "Trích yếu"]
    assert all(ws.cell(min_row, c).value is None for c in range(min_col, max_col + 1))


def test_file_names(form, roster):
    assert template_filename(form) == "dan-van-chinh-quyen-2020.xlsx"
    assert template_filename(form, roster.require("STTTT")) == "dan-van-chinh-quyen-2020-STTTT.xlsx"


# -- protection -------------------------------------------------------------------------------


def test_every_sheet_is_protected(wb):
    for ws in wb.worksheets:
        assert ws.protection.sheet is True, ws.title


def test_rows_cannot_be_inserted_or_deleted_but_formats_may_change(wb):
    for name in ("Phụ lục", "Văn bản"):
        p = wb[name].protection
        assert p.insertRows and p.deleteRows and p.insertColumns and p.deleteColumns  # True: forbidden
        assert not p.formatCells and not p.sort  # False: allowed


def test_input_cells_are_unlocked(form, wb, kind):
    for f in input_fields(form, kind):
        assert cell_of(wb, f.code).protection.locked is False, f.code
    ws = wb["Văn bản"]
    table = form.tables["van_ban"]
    for row in (table.first_row, table.first_row + 137, table.last_row):
        for col in table.columns:
            assert ws[f"{col.column}{row}"].protection.locked is False, (col.code, row)


def test_everything_else_is_locked(form, wb):
    ws = wb[form.layout.sheet]
    lay = form.layout
    for f in form.fields:
        assert ws[f"{lay.label_column}{f.row}"].protection.locked is True, f.code
        assert ws[f"{lay.check_column}{f.row}"].protection.locked is True, f.code
    for f in form.fields:
        if not f.is_input:
            assert cell_of(wb, f.code).protection.locked is True, f.code
    table = form.tables["van_ban"]
    tws = wb[table.sheet]
    assert tws[f"{table.check_column}{table.first_row}"].protection.locked is True
    assert tws[f"{table.number_column}{table.first_row}"].protection.locked is True
    assert tws[f"B{table.last_row + 1}"].protection.locked is True  # below the table


def test_personalised_unit_is_filled_and_locked(form, roster, personal_bytes):
    book = openpyxl.load_workbook(io.BytesIO(personal_bytes))
    unit = roster.require("STTTT")
    assert cell_of(book, "unit_code").value == "STTTT"
    assert cell_of(book, "unit_name").value == unit.name == "Sở Thông tin và Truyền thông"
    assert cell_of(book, "unit_code").protection.locked is True
    assert cell_of(book, "unit_name").protection.locked is True


def test_report_year_is_fixed(form, wb):
    year = cell_of(wb, "report_year")
    assert year.value == 2020
    assert year.protection.locked is True


# -- data validation --------------------------------------------------------------------------


def test_every_input_cell_has_a_validation(form, wb, kind):
    ws = wb[form.layout.sheet]
    for f in input_fields(form, kind):
        assert validations_covering(ws, f.cell), f.code
    table = form.tables["van_ban"]
    tws = wb[table.sheet]
    for col in table.columns:
        for row in (table.first_row, table.last_row):
            assert validations_covering(tws, f"{col.column}{row}"), (col.code, row)


def test_integer_fields_accept_whole_numbers_from_zero(form, wb):
    ws = wb[form.layout.sheet]
    for f in form.input_fields:
        if f.type == "integer":
            (dv,) = validations_covering(ws, f.cell)
            assert (dv.type, dv.operator, dv.formula1) == ("whole", "greaterThanOrEqual", "0"), f.code
            assert dv.showErrorMessage and dv.error


def test_percent_accepts_a_fraction_between_0_and_1(wb):
    (dv,) = validations_covering(wb["Phụ lục"], "D28")
    assert (dv.type, dv.formula1, dv.formula2) == ("decimal", "0", "1")
    assert dv.operator in (None, "between")


def test_date_fields_and_column_take_dates(form, wb):
    (dv,) = validations_covering(wb["Phụ lục"], form.field("report_date").cell)
    assert dv.type == "date"
    (dv,) = validations_covering(wb["Văn bản"], "E5")
    assert dv.type == "date"
    assert int(dv.formula1) <= 42475 <= int(dv.formula2)  # 15/4/2016, the seed's oldest plan


def test_issuer_and_doc_type_are_dropdowns_of_the_form_choices(form, wb):
    lists = wb[form.layout.lists_sheet]
    for letter, key in (("B", "issuer"), ("C", "doc_type")):
        (dv,) = validations_covering(wb["Văn bản"], f"{letter}5")
        assert dv.type == "list"
        sheet, ref = dv.formula1.split("!")
        assert sheet.strip("'") == form.layout.lists_sheet
        values = [c.value for row in lists[ref.replace("$", "")] for c in row]
        assert tuple(values) == form.choice_values(key)


def test_help_prompt_for_the_rate(form, wb):
    (dv,) = validations_covering(wb["Phụ lục"], "D28")
    assert dv.showInputMessage and "12,5%" in dv.prompt


# -- number formats and fonts -----------------------------------------------------------------


def test_percent_cell_shows_a_percentage(wb):
    assert "%" in cell_of(wb, "cut_rate").number_format


def test_text_and_code_cells_are_text_formatted(form, wb, kind):
    for f in input_fields(form, kind):
        if f.type in ("text", "code"):
            assert cell_of(wb, f.code).number_format == "@", f.code
    assert wb["Văn bản"]["D5"].number_format == "@"  # 18-KH/ĐU must not become a date or a formula


def test_dates_show_day_month_year(form, wb):
    assert cell_of(wb, "report_date").number_format == "dd/mm/yyyy"
    assert wb["Văn bản"]["E5"].number_format == "dd/mm/yyyy"


def test_times_new_roman_everywhere_the_clerk_reads(form, wb):
    ws = wb[form.layout.sheet]
    lay = form.layout
    for f in form.fields:
        for letter in (lay.label_column, lay.value_column, lay.check_column):
            assert ws[f"{letter}{f.row}"].font.name == "Times New Roman", (f.code, letter)
    assert ws["A1"].font.name == "Times New Roman"
    tws = wb["Văn bản"]
    for ref in ("B4", "B5", "F304", "G5"):
        assert tws[ref].font.name == "Times New Roman", ref


# -- the very hidden metadata sheet -----------------------------------------------------------


def test_metadata_sheet_is_very_hidden(form, wb):
    assert wb[form.layout.meta_sheet].sheet_state == "veryHidden"
    assert wb[form.layout.lists_sheet].sheet_state == "hidden"
    assert wb[form.layout.sheet].sheet_state == "visible"


def meta(book, form):
    rows = {r[0]: r[1] for r in book[form.layout.meta_sheet].iter_rows(values_only=True)}
    # Then, in a dropdown template only, one row per roster unit (test_clerk_edits.py).
    assert tuple(k for k in rows if k != META_ROSTER_KEY) == META_KEYS
    return rows


def test_metadata_identifies_the_form(form, wb, kind):
    m = meta(wb, form)
    assert m["form_id"] == "dan-van-chinh-quyen"
    assert m["form_version"] == form.version == "2020.1"
    assert str(m["form_year"]) == "2020"
    assert m["fingerprint"] == form.fingerprint
    assert m["kind"] == kind


def test_metadata_names_the_unit_only_when_personalised(form, template_bytes, personal_bytes):
    generic = meta(openpyxl.load_workbook(io.BytesIO(template_bytes)), form)
    personal = meta(openpyxl.load_workbook(io.BytesIO(personal_bytes)), form)
    assert (generic["unit_code"] or "") == ""
    assert personal["unit_code"] == "STTTT"
    assert personal["unit_name"] == "Sở Thông tin và Truyền thông"


# -- printing (Decree 30/2020/NĐ-CP) ------------------------------------------------------------


@pytest.mark.parametrize("sheet", ["Phụ lục", "Văn bản"])
def test_a4_with_decree_30_margins(wb, sheet):
    ws = wb[sheet]
    assert int(ws.page_setup.paperSize) == 9
    m = ws.page_margins
    assert m.left == pytest.approx(30 * MM, abs=0.01)
    assert m.right == pytest.approx(15 * MM, abs=0.01)
    assert m.top == pytest.approx(20 * MM, abs=0.01)
    assert m.bottom == pytest.approx(20 * MM, abs=0.01)


def test_print_titles_and_page_numbers(wb):
    assert wb["Phụ lục"].print_title_rows == "$6:$6"
    assert wb["Văn bản"].print_title_rows == "$4:$4"
    for name in ("Phụ lục", "Văn bản"):
        header = wb[name].oddHeader
        assert "&P" in "".join(filter(None, (header.left.text, header.center.text, header.right.text)))
    assert wb["Văn bản"].page_setup.orientation == "landscape"
    assert wb["Phụ lục"].page_setup.orientation == "portrait"


def test_signature_block(wb):
    texts = {c.value for row in wb["Phụ lục"].iter_rows() for c in row if isinstance(c.value, str)}
    assert {"NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ", "(Ký tên, đóng dấu)"} <= texts


# -- heading, live checks and formulas ------------------------------------------------------------


def test_heading_and_attachment_line(form, wb, cached, kind):
    ws = wb[form.layout.sheet]
    assert ws["A1"].value == "PHỤ LỤC SỐ LIỆU"
    assert ws["A2"].value == "Kết quả thực hiện công tác dân vận của chính quyền năm 2020"
    assert ws["A3"].value.startswith("=") and "Kèm theo Báo cáo số" in ws["A3"].value
    shown = cached[form.layout.sheet]["A3"].value
    assert shown.startswith("(Kèm theo Báo cáo số")
    if kind == "personalised":
        assert shown.endswith("của Sở Thông tin và Truyền thông)")


def test_every_input_has_a_live_check_with_iferror(form, wb, kind):
    ws = wb[form.layout.sheet]
    for f in input_fields(form, kind):
        formula = ws[f"{form.layout.check_column}{f.row}"].value
        assert isinstance(formula, str) and formula.startswith("=IFERROR("), f.code
    for rule in form.rules:
        formula = ws[f"{form.layout.check_column}{form.field(rule.anchor).row}"].value
        # Each input as the reader takes it (12,5 in a rate is 12,5 %; float noise rounded).
        assert rule.expr.to_excel(field_reference(form)) in formula, rule.id


def test_every_document_row_has_a_live_check(form, wb):
    """One defined name holds the row check, its references relative to the row that uses it
    (relative to A1 in the file, as Excel stores them); each row's cell names it."""
    table = form.tables["van_ban"]
    ws = wb[table.sheet]
    number, check, cannot = row_names(table)
    body = wb.defined_names[check].value
    assert body.startswith("IF(") and f"{check}_1" in body  # in parts that name each other (.xls)
    assert "YEAR(IF(ISBLANK('Văn bản'!$K1),'Văn bản'!$E1,'Văn bản'!$K1))" in wb.defined_names[f"{check}_2"].value
    # The date as dv reads it (a text too) in hidden cells beside the check: names relative to row 1.
    assert "'Văn bản'!$E1" in wb.defined_names["_tinh_doc_van_ban_date"].value
    assert ws[f"K{table.first_row}"].value == "=_tinh_doc_van_ban_date"
    assert "ROW()" in wb.defined_names[number].value
    assert wb.defined_names[cannot].value == f'"{CANNOT}"'
    for row in range(table.first_row, table.last_row + 1):
        assert ws[f"{table.check_column}{row}"].value == f"=IFERROR({check},{cannot})", row
        assert ws[f"{table.number_column}{row}"].value == f"={number}", row


def test_an_empty_document_row_costs_little(form, template_bytes):
    """The rows a clerk leaves empty hold a short formula each, not the row check's text: the
    number, the check, and the four hidden cells that read a date typed as text (each a name).
    Measured: python-calamine reads the sheet in 1.5 ms, 0.4 ms more than without those cells."""
    with zipfile.ZipFile(io.BytesIO(template_bytes)) as z:
        sheet = next(n for n in z.namelist() if n.startswith("xl/worksheets/") and b"van_ban_kiem_tra" in z.read(n))
        per_row = len(z.read(sheet)) / form.tables["van_ban"].rows
    assert per_row < 600, per_row
    ws = openpyxl.load_workbook(io.BytesIO(template_bytes))[form.tables["van_ban"].sheet]
    assert all(len(str(c.value)) < 60 for row in ws.iter_rows(min_row=5, max_row=304) for c in row if c.value)


@pytest.mark.parametrize("sheet, first", [("Phụ lục", "E8"), ("Văn bản", "G5")])
def test_check_column_is_coloured_by_its_text(wb, sheet, first):
    coloured = {
        rule.text
        for cf in wb[sheet].conditional_formatting
        if first in cf.sqref
        for rule in cf.rules
        if rule.type == "beginsWith"
    }
    assert {"Khớp", "Sai", "Lưu ý"} <= coloured


def test_no_formula_holds_a_hash(wb):
    # '#' in a formula is an error literal (#REF!, #NAME?) or a structured reference.
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith("="):
                    assert "#" not in c.value, (ws.title, c.coordinate, c.value)


def test_derived_counts_are_array_formulas_over_the_column(form, wb, cached):
    for code, issuer in (("docs_party", "Đảng ủy"), ("docs_gov", "Chính quyền")):
        formula = cell_of(wb, code).value
        # An array formula: each row trimmed and compared, as dv reads it (issue 17 item 10).
        assert isinstance(formula, ArrayFormula) and f'"{issuer.lower()}")' in formula.text, code
        assert "'Văn bản'!$B$5:$B$304" in formula.text
        assert cell_of(cached, code).value == 0
    assert cell_of(wb, "docs_total").value == "=(docs_party+docs_gov)"


def test_empty_template_caches_no_error_and_asks_for_the_required_cells(form, template_bytes):
    book = openpyxl.load_workbook(io.BytesIO(template_bytes), data_only=True)
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "e", (ws.title, c.coordinate)
                assert not (isinstance(c.value, str) and c.value.startswith(ERROR_VALUES)), (
                    ws.title,
                    c.coordinate,
                )
    ws = book[form.layout.sheet]
    for f in form.input_fields:
        shown = ws[f"{form.layout.check_column}{f.row}"].value
        assert shown == (MISSING if f.required else None), f.code
    required = sum(1 for f in form.input_fields if f.required)
    assert ws["A4"].value == f"Kết quả kiểm tra: chưa nhập đủ, còn {required} ô bắt buộc trống"


def test_personalised_template_does_not_ask_for_the_unit(form, personal_bytes):
    ws = openpyxl.load_workbook(io.BytesIO(personal_bytes), data_only=True)[form.layout.sheet]
    assert ws["E8"].value is None and ws["E9"].value is None
    required = sum(1 for f in form.input_fields if f.required) - 2
    assert ws["A4"].value == f"Kết quả kiểm tra: chưa nhập đủ, còn {required} ô bắt buộc trống"


# -- the guide, and what must not be there --------------------------------------------------------


def test_guide_sheet_in_vietnamese(form, wb):
    ws = wb[form.layout.guide_sheet]
    text = "\n".join(c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str))
    assert "HƯỚNG DẪN ĐIỀN BIỂU MẪU" in text
    assert "Kiểm tra" in text and "Khớp" in text and "Sai" in text
    assert "16/11/2020" in text  # how to type a date
    assert ws.sheet_state == "visible"


def test_no_macros(xlsx):
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        names = z.namelist()
        content_types = z.read("[Content_Types].xml").decode()
    assert not any("vbaProject" in n for n in names)
    assert "macroEnabled" not in content_types


def test_no_external_links_or_hidden_names_to_other_files(xlsx):
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        assert not any(n.startswith("xl/externalLinks") for n in z.namelist())
        workbook_xml = z.read("xl/workbook.xml").decode()
    assert not re.search(r"\[\d+\]", workbook_xml)


def test_same_form_same_bytes(form, template_bytes):
    assert build_template(form) == template_bytes


# -- a generic template made with a roster (the unit is picked from a dropdown) --------------------


@pytest.fixture(scope="module")
def with_roster(form, roster):
    return build_template(form, roster=roster)


def test_generic_template_with_roster_offers_the_units(form, roster, with_roster):
    book = openpyxl.load_workbook(io.BytesIO(with_roster))
    ws = book[form.layout.sheet]
    (dv,) = validations_covering(ws, form.field("unit_name").cell)
    assert dv.type == "list"
    sheet, ref = dv.formula1.split("!")
    names = [c.value for row in book[sheet.strip("'")][ref.replace("$", "")] for c in row]
    assert names == [u.name for u in roster.units]
    code = cell_of(book, "unit_code")
    assert code.value.startswith("=IFERROR(INDEX(") and code.protection.locked is True
    assert meta(book, form)["unit_code"] in (None, "")


def test_generic_template_with_roster_caches_what_excel_computes(form, with_roster):
    ws = openpyxl.load_workbook(io.BytesIO(with_roster), data_only=True)[form.layout.sheet]
    # The check formula is IF(ISBLANK(unit_code),"Chưa nhập",""): a formula cell is not blank.
    assert ws[f"E{form.field('unit_code').row}"].value in (None, "")


def test_status_line_counts_errors_with_a_wildcard_countif(form, wb):
    # SUMPRODUCT over LEFT of a range is #VALUE! in Gnumeric; COUNTIF with "Sai*" is not.
    lay = form.layout
    formula = wb[lay.sheet][f"{lay.number_column}{lay.status_row}"].value
    assert 'COUNTIF($E$7:$E$28,"Sai*")' in formula and "'Văn bản'!$G$5:$G$304,\"Sai*\"" in formula
    assert "SUMPRODUCT" not in formula and "LEFT(" not in formula
    assert "Sở Nội vụ kiểm tra khi nhận" in formula
