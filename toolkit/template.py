"""Write the appendix workbook a unit fills: locked, validated, live-checked, print-ready.

Everything placed here comes from the form definition (``toolkit.form``); this module only
decides how it looks. The result is bytes: writing files is the caller's job.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from . import __version__
from .form import Field, Form, Table
from .form.cells import col_index, col_letters, quote_sheet
from .form.rules import excel_string
from .live import (
    CANNOT,
    MISSING,
    derived_check_formula,
    field_check_formula,
    field_check_value,
    field_helpers,
    helper_name,
    locked_check_formula,
    needs_array,
    row_check_cell,
    row_check_names,
    row_names,
    status_formula,
    status_value,
    table_helper_formulas,
    table_helpers,
    text_height,
    unit_lookup_check_formula,
)
from .numbers import format_number, format_percent
from .page import FONT, MARGINS_MM, mm, new_workbook
from .reading import choice_forms, xl_escaped, xl_trimmed
from .roster import META_ROSTER_KEY, Roster, Unit

__all__ = ["build_template", "template_filename", "META_KEYS"]

INPUT_FILL = "#FFF2CC"
FIXED_FILL = "#EDEDED"
# Keys of the very hidden metadata sheet, in order (column A: key, column B: value).
META_KEYS = (
    "form_id",
    "form_version",
    "form_year",
    "unit_code",
    "unit_name",
    "fingerprint",
    "kind",
    "generator",
)


def _pieces(text: str) -> list[tuple[str, str]]:
    """ "(Kèm theo Báo cáo số {number} ngày …" → [("(Kèm theo Báo cáo số ", "number"), …]."""
    out = []
    for m in re.finditer(r"([^{]*)(?:\{(\w+)\})?", text):
        if m.group(0):
            out.append((m.group(1), m.group(2) or ""))
    return out


def template_filename(form: Form, unit: Unit | None = None) -> str:
    base = f"{form.id}-{form.year}"
    return f"{base}-{unit.code}.xlsx" if unit else f"{base}.xlsx"


# The guide's column (characters): A4 portrait inside the Decree 30 margins at 100 %.
GUIDE_WIDTH = 78
# The checks of single values the sheet makes besides the form's rules (toolkit.live).
GUIDE_NUMBER_CHECK = (
    "Số lượng là số nguyên không âm; tỷ lệ từ 0% đến 100% (gõ 12,5 được hiểu là 12,5%, kèm lưu ý).  [lỗi]"
)
# What a number or date typed as text means (toolkit.reading), in the clerk's words.
GUIDE_TEXT_CHECK = (
    "Số hay ngày gõ thành chữ được đọc nếu rõ nghĩa (kèm lưu ý). Một dấu chấm hay dấu phẩy đứng trước đúng ba chữ "
    "số (1.000, 1,000) thì máy đặt tiếng Anh và máy đặt tiếng Việt hiểu khác nhau: là lỗi, hãy gõ 1000. Ngày gõ "
    "thành chữ đọc theo ngày/tháng/năm.  [lỗi]"
)
GUIDE_DUPLICATE_ROW = "Một dòng giống hệt một dòng khác (dán hai lần) bị đếm hai lần: là lỗi, hãy xóa dòng thừa.  [lỗi]"


def _guide_checks(form: Form) -> tuple[str, ...]:
    """The guide's lines on those checks, naming the sheets, columns and counts of ``form`` (the
    form definition is the one place they are spelled)."""
    lines = [GUIDE_NUMBER_CHECK, GUIDE_TEXT_CHECK]
    labels = [c.label for t in form.tables.values() for c in t.columns if c.choices]
    labels += [f.label for f in form.input_fields if f.type == "choice"]
    if labels:
        # One sentence: the labels after the first continue it, so they start lower-case.
        listed = ", ".join([labels[0], *(text[:1].lower() + text[1:] for text in labels[1:])])
        lines.append(
            f'{listed} phải có trong danh sách ("hoá" hay "hóa", "uỷ" hay "ủy", chữ hoa hay thường, thừa khoảng '
            "trắng đều được).  [lỗi]"
        )
    if any(t.identity for t in form.tables.values()):
        lines.append(GUIDE_DUPLICATE_ROW)
    derived = [f for f in form.derived_fields]
    if derived:
        counted = {r.table for f in derived if f.expr is not None for r in f.expr.table_refs}
        sources = ", ".join(f'"{form.tables[code].sheet}"' for code in form.tables if code in counted)
        where = f" tự đếm từ trang {sources}" if sources else " tự tính"
        labels = ", ".join(f.label for f in derived)
        lines.append(
            f'Các ô ở trang "{form.layout.sheet}" ({labels}){where}: gõ đè số khác vào các ô này là lỗi.  [lỗi]'
        )
    return tuple(lines)


def _on_receipt(form: Form) -> str:
    """What Home Affairs checks only when it receives the file."""
    numbered = any(t.role_column("doc-number") for t in form.tables.values())
    parts = ["mã và tên đơn vị theo danh sách của Sở", "báo cáo gửi nhiều lần hoặc trùng nhau"]
    if numbered:
        parts.append("kiểu số ký hiệu văn bản (lưu ý)")
    parts.append("tệp đã bị sửa cấu trúc hay chép sang tệp khác")
    return ", ".join(parts)


_INPUT_FORMATS: dict[str, dict[str, Any]] = {
    "text": {"num_format": "@"},
    "code": {"num_format": "@"},
    "choice": {},
    "integer": {"num_format": "#,##0", "align": "right"},
    "percent": {"num_format": "0.0#%", "align": "right"},
    "date": {"num_format": "dd/mm/yyyy", "align": "center"},
}
NEXT_ROW_BORDER = "#A6A6A6"


class _Styles:
    def __init__(self, wb: Workbook) -> None:
        base = {"font_name": FONT, "font_size": 12, "valign": "vcenter"}
        open_cell = {**base, "text_wrap": True}  # a table's pre-made rows: no border (see table_inputs)
        cell = {**open_cell, "border": 1}
        unlocked = {**cell, "locked": False, "bg_color": INPUT_FILL}
        add = wb.add_format
        self.title = add({**base, "bold": True, "font_size": 14, "align": "center"})
        self.subtitle = add({**base, "bold": True, "font_size": 13, "align": "center", "text_wrap": True})
        self.italic = add({**base, "italic": True, "align": "center", "text_wrap": True})
        self.status = add({**base, "bold": True, "align": "left"})
        self.header = add({**cell, "bold": True, "align": "center", "bg_color": "#D9E1F2"})
        self.section = add({**cell, "bold": True})
        self.section_no = add({**cell, "bold": True, "align": "center"})
        self.label = add(cell)
        self.center = add({**cell, "align": "center"})
        self.check = add({**cell, "italic": True, "font_size": 11})
        self.derived = add({**cell, "bold": True, "num_format": "#,##0", "align": "right"})
        self.fixed = add({**cell, "bg_color": FIXED_FILL, "align": "right"})
        self.fixed_text = add({**cell, "bg_color": FIXED_FILL, "num_format": "@"})
        self.inputs = {type_: add({**unlocked, **fmt}) for type_, fmt in _INPUT_FORMATS.items()}
        self.plain = add(base)
        self.wrap = add({**base, "text_wrap": True, "valign": "top"})
        self.bold_center = add({**base, "bold": True, "align": "center"})
        self.italic_center = add({**base, "italic": True, "align": "center"})
        self.meta = add({**base, "num_format": "@"})
        self.helper = add({**base, "locked": True, "hidden": True})  # hidden: the formula too
        # Conditional formats: the colour says what the text says.
        # They carry the border too: LibreOffice applies one conditional format to a cell, and
        # a table's check cell has its border from one (see table_inputs).
        self.cf_ok = add({"font_color": "#006100", "bg_color": "#C6EFCE", "border": 1})
        self.cf_error = add({"font_color": "#9C0006", "bg_color": "#FFC7CE", "bold": True, "border": 1})
        self.cf_warning = add({"font_color": "#7F6000", "bg_color": "#FFEB9C", "border": 1})
        self.cf_missing = add({"font_color": "#808080", "border": 1})
        # A table's pre-made rows carry no border or fill of their own: LibreOffice prints
        # every page of the print area that holds a border or a fill, so 300 bordered empty
        # rows were 8 pages for 7 documents. Filled rows, and the next row to type in, get
        # theirs from conditional formats (which do not make a page print).
        self.table_inputs = {type_: add({**open_cell, "locked": False, **fmt}) for type_, fmt in _INPUT_FORMATS.items()}
        self.table_center = add({**open_cell, "align": "center"})
        self.table_check = add({**open_cell, "italic": True, "font_size": 11})
        self.cf_row_filled = add({"border": 1})
        self.cf_row_filled_input = add({"border": 1, "bg_color": INPUT_FILL})
        self.cf_row_next = add({"border": 1, "border_color": NEXT_ROW_BORDER, "bg_color": INPUT_FILL})


def _validation(
    form: Form, type_: str, help_text: str, title: str, source: str = "", field: Field | None = None
) -> dict[str, Any]:
    """Data validation for an input of ``type_``; ``source`` is the range of a dropdown; a
    ``field``'s smallest and largest values narrow a number's range."""
    prompt: dict[str, Any] = {}
    if help_text:
        prompt = {"input_title": title[:32], "input_message": help_text[:255]}
    low = field.minimum if field is not None and field.minimum is not None else 0
    high = field.maximum if field is not None else None
    if type_ == "integer":
        bounded = (
            {"criteria": "between", "minimum": low, "maximum": high}
            if high is not None
            else {
                "criteria": ">=",
                "value": low,
            }
        )
        message = "Nhập số nguyên không âm (0, 1, 2, …), không gõ chữ hay dấu chấm."
        if high is not None or low:
            message = (
                f"Nhập số nguyên từ {format_number(low)} đến {format_number(high)}."
                if high is not None
                else (f"Nhập số nguyên từ {format_number(low)} trở lên.")
            )
        return {"validate": "integer", **bounded, "error_title": "Số không hợp lệ", "error_message": message, **prompt}
    if type_ == "percent":
        top = 1 if high is None else min(high, 1)
        return {
            "validate": "decimal",
            "criteria": "between",
            "minimum": low,
            "maximum": top,
            "error_title": "Tỷ lệ không hợp lệ",
            "error_message": f"Nhập tỷ lệ phần trăm từ {format_percent(low)} đến {format_percent(top)}, ví dụ 12,5%."
            if (low, top) != (0, 1)
            else "Nhập tỷ lệ phần trăm từ 0% đến 100%, ví dụ 12,5%.",
            **prompt,
        }
    if type_ == "date":
        return {
            "validate": "date",
            "criteria": "between",
            "minimum": dt.date(1990, 1, 1),
            "maximum": dt.date(form.year + 1, 12, 31),
            "error_title": "Ngày không hợp lệ",
            "error_message": f"Nhập ngày dạng ngày/tháng/năm, ví dụ 16/11/{form.year}.",
            **prompt,
        }
    if source:
        return {
            "validate": "list",
            "source": source,
            "error_title": "Chọn từ danh sách",
            "error_message": "Chọn một giá trị trong danh sách thả xuống.",
            **prompt,
        }
    return {
        "validate": "length",
        "criteria": "<=",
        "value": 1000,
        "error_title": "Quá dài",
        "error_message": "Nội dung tối đa 1000 ký tự.",
        **prompt,
    }


def _print_setup(ws: Worksheet, form: Form, repeat_row: int, landscape: bool = False) -> None:
    ws.set_paper(9)  # A4
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_margins(
        left=mm(MARGINS_MM["left"]),
        right=mm(MARGINS_MM["right"]),
        top=mm(MARGINS_MM["top"]),
        bottom=mm(MARGINS_MM["bottom"]),
    )
    # Page number centred at the top, as Decree 30 numbers the pages of a document.
    ws.set_header(f'&C&"{FONT},Regular"&12&P', {"margin": mm(10)})
    ws.set_footer(f'&L&"{FONT},Italic"&8{form.id} {form.version}&R&"{FONT},Italic"&8&A', {"margin": mm(8)})
    ws.repeat_rows(repeat_row - 1)
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()


def _protect(ws: Worksheet) -> None:
    ws.protect(
        "",
        {
            "format_cells": True,
            "format_columns": True,
            "format_rows": True,
            "sort": True,
            "select_locked_cells": True,
            "select_unlocked_cells": True,
        },
    )


def _remembering_formulas(ws: Worksheet) -> Worksheet:
    """xlsxwriter runs ~30 regular expressions over every formula written (Excel's newer
    functions get a prefix), whether or not it uses one: a template writes the same few dozen
    formulas (a table's two in each of its rows, the same checks in every unit's template), so
    each distinct formula is prepared once per process (measured: 60 % of a template's time)."""
    prepare = getattr(ws, "_prepare_formula", None)
    if callable(prepare):

        def remembered(formula: str, expand_future_functions: bool = False) -> str:
            key = (formula, expand_future_functions, bool(getattr(ws, "use_future_functions", False)))
            if (done := _PREPARED.get(key)) is None:
                if len(_PREPARED) > 4096:
                    _PREPARED.clear()
                done = _PREPARED[key] = prepare(formula, expand_future_functions)
            return done

        ws._prepare_formula = remembered  # type: ignore[method-assign]
    return ws


_PREPARED: dict[tuple[str, bool, bool], str] = {}


def _conditional(ws: Worksheet, rng: str, st: _Styles) -> None:
    for prefix, fmt in (("Khớp", st.cf_ok), ("Sai", st.cf_error), ("Lưu ý", st.cf_warning), (MISSING, st.cf_missing)):
        ws.conditional_format(rng, {"type": "text", "criteria": "begins with", "value": prefix, "format": fmt})


class _Writer:
    def __init__(self, form: Form, unit: Unit | None, roster: Roster | None) -> None:
        self.form = form
        self.unit = unit
        self.roster = roster
        self.buffer = io.BytesIO()
        self.wb = new_workbook(self.buffer, font_size=12)
        # A fixed creation date keeps the bytes reproducible for a given form and unit.
        created = dt.datetime(form.year, 1, 1)
        self.wb.set_properties(
            {
                "title": f"{form.title} - {form.subtitle_text()}",
                "subject": form.id,
                "author": "Sở Nội vụ",
                "company": "dv",
                "comments": f"{form.id} {form.version} ({__version__})",
                "created": created,
            }
        )
        self.wb.set_calc_mode("auto")
        self.st = _Styles(self.wb)
        self.lists: dict[str, str] = {}
        # Values the template itself puts in input or fixed cells (for cached results).
        self.env: dict[str, Any] = {f.code: None for f in form.fields}
        # Input fields this template fills with a formula (the unit code picked by name).
        self.computed: set[str] = set()

    # -- sheets ----------------------------------------------------------------------------
    def build(self) -> bytes:
        form = self.form
        main = _remembering_formulas(self.wb.add_worksheet(form.layout.sheet))
        tables = {code: _remembering_formulas(self.wb.add_worksheet(t.sheet)) for code, t in form.tables.items()}
        guide = self.wb.add_worksheet(form.layout.guide_sheet)
        lists = self.wb.add_worksheet(form.layout.lists_sheet)
        meta = self.wb.add_worksheet(form.layout.meta_sheet)
        self.write_lists(lists)
        self.prefill()
        self.write_main(main)
        for code, ws in tables.items():
            self.write_table(ws, form.tables[code])
        self.write_guide(guide)
        self.write_meta(meta)
        main.activate()
        self.wb.close()
        return self.buffer.getvalue()

    def prefill(self) -> None:
        for f in self.form.fields:
            if f.source == "fixed":
                self.env[f.code] = self.form.fixed_value(f)
        if self.unit is not None:
            self.env[self.form.roster_code] = self.unit.code
            self.env[self.form.roster_name] = self.unit.name

    def write_lists(self, ws: Worksheet) -> None:
        column = 0
        for key, choices in self.form.choices.items():
            ws.write_string(0, column, key)
            for i, choice in enumerate(choices, start=1):
                ws.write_string(i, column, choice.value)
            letter = col_letters(column)
            self.lists[key] = f"{quote_sheet(self.form.layout.lists_sheet)}!${letter}$2:${letter}${len(choices) + 1}"
            column += 1
        if self.roster is not None and self.unit is None:
            for key, attr in (("roster_code", "code"), ("roster_name", "name")):
                ws.write_string(0, column, key)
                for i, unit in enumerate(self.roster.units, start=1):
                    ws.write_string(i, column, getattr(unit, attr))
                letter = col_letters(column)
                self.lists[key] = (
                    f"{quote_sheet(self.form.layout.lists_sheet)}!${letter}$2:${letter}${len(self.roster.units) + 1}"
                )
                column += 1
            # The code follows the name in every spelling dv accepts for it: tone marks either
            # way (Văn hóa, Văn hoá), precomposed, decomposed or with the tone apart.
            pairs = [(s, unit.code) for unit in self.roster.units for s in choice_forms(unit.name)]
            for key, index in (("lookup_name", 0), ("lookup_code", 1)):
                ws.write_string(0, column, key)
                for i, pair in enumerate(pairs, start=1):
                    ws.write_string(i, column, pair[index])
                letter = col_letters(column)
                self.lists[key] = f"{quote_sheet(self.form.layout.lists_sheet)}!${letter}$2:${letter}${len(pairs) + 1}"
                column += 1
        # Every spelling each list accepts (tone marks either way, decomposed…, lower case): a
        # row's choice is looked up there, as dv looks it up (toolkit.reading.choice_forms).
        for key in self.form.choices:
            forms = [f for value in self.form.choice_values(key) for f in choice_forms(value)]
            ws.write_string(0, column, f"{key}: dạng viết")
            for i, spelling in enumerate(forms, start=1):
                ws.write_string(i, column, spelling)
            letter = col_letters(column)
            sheet = quote_sheet(self.form.layout.lists_sheet)
            self.wb.define_name(helper_name("dang", key), f"={sheet}!${letter}$2:${letter}${len(forms) + 1}")
            column += 1
        ws.hide()
        _protect(ws)

    def write_main(self, ws: Worksheet) -> None:
        form, lay, st = self.form, self.form.layout, self.st
        for letter, width in lay.widths.items():
            ws.set_column(f"{letter}:{letter}", width)
        first, last = lay.number_column, lay.check_column
        ws.merge_range(f"{first}{lay.title_row}:{last}{lay.title_row}", form.title, st.title)
        ws.merge_range(f"{first}{lay.subtitle_row}:{last}{lay.subtitle_row}", form.subtitle_text(), st.subtitle)
        self.write_attachment(ws, f"{first}{lay.attachment_row}:{last}{lay.attachment_row}")
        for letter, text in lay.headers.items():
            ws.write_string(f"{letter}{lay.header_row}", text, st.header)
        ws.set_row(lay.header_row - 1, 20)
        label_width = lay.widths.get(lay.label_column, 40)
        for section in form.sections:
            ws.write_string(f"{lay.number_column}{section.row}", section.number, st.section_no)
            ws.write_string(f"{lay.label_column}{section.row}", section.title, st.section)
            for letter in (lay.unit_column, lay.value_column, lay.check_column):
                ws.write_blank(f"{letter}{section.row}", None, st.section)
            ws.set_row(section.row - 1, text_height(section.title, label_width))
            for f in section.fields:
                ws.write_blank(f"{lay.number_column}{f.row}", None, st.center)
                ws.write_string(f"{lay.label_column}{f.row}", f.label, st.label)
                if f.unit:
                    ws.write_string(f"{lay.unit_column}{f.row}", f.unit, st.center)
                else:
                    ws.write_blank(f"{lay.unit_column}{f.row}", None, st.center)
                # Text inputs (unit name, signer) get two lines: the clerk's text wraps.
                lines = 2 if f.type == "text" and f.is_input else 1
                ws.set_row(f.row - 1, max(text_height(f.label, label_width), 16.5 * lines))
                self.write_value(ws, f)
                self.wb.define_name(f.code, f"={quote_sheet(f.sheet)}!${f.column}${f.row}")
        self.write_helpers(ws)
        for f in form.fields:  # checks after all values are known (cached results)
            self.write_check(ws, f)
        n_missing = sum(
            1
            for f in form.fields
            if f.is_input and f.code not in self.computed and field_check_value(form, f, self.env) == MISSING
        )
        ws.merge_range(f"{first}{lay.status_row}:{last}{lay.status_row}", "", st.status)
        ws.write_formula(f"{first}{lay.status_row}", "=" + status_formula(form), st.status, status_value(0, n_missing))
        _conditional(ws, f"{last}{lay.header_row + 1}:{last}{max(f.row for f in form.fields)}", st)
        self.write_signatures(ws, max(f.row for f in form.fields) + 2)
        ws.freeze_panes(lay.header_row, 0)
        _print_setup(ws, form, lay.header_row)
        ws.print_area(f"{first}1:{last}{max(f.row for f in form.fields) + 8}")
        _protect(ws)

    def write_helpers(self, ws: Worksheet) -> None:
        """Each input's text read as dv reads it, step by step, in hidden locked cells beside
        the check column (toolkit.live.HELPERS); each has a defined name the checks use."""
        used: set[str] = set()
        for f in self.form.input_fields:
            if f.code in self.computed or (f.source == "input" and self.env.get(f.code) is not None):
                continue  # a value the template wrote and locked: nothing typed to read
            for kind, (cell, formula) in field_helpers(self.form, f).items():
                cached: Any = "" if kind in ("chu", "than", "ky", "gach") else 0
                ws.write_formula(cell, "=" + formula, self.st.helper, cached)
                self.wb.define_name(helper_name(kind, f.code), f"={quote_sheet(f.sheet)}!${cell[0]}${f.row}")
                used.add(cell[0])
        for letter in used:
            ws.set_column(f"{letter}:{letter}", 12, None, {"hidden": True})

    def write_attachment(self, ws: Worksheet, rng: str) -> None:
        """The form's attachment line, "(Kèm theo Báo cáo số {number} ngày {date} của {unit})":
        a formula of the report's number, date and unit name, "……" while one is empty."""
        form = self.form
        if not form.attachment:
            return
        gap = "……"

        def part(code: str) -> tuple[str, str]:
            if not code:
                return f'"{gap}"', gap
            shown = self.env.get(code)
            return f'IF(ISBLANK({code}),"{gap}",{code})', gap if shown in (None, "") else str(shown)

        date = form.date_field
        if date and form.field(date).source == "input" and self.env.get(date) is None:
            # The date as dv reads it (its hidden reading cell): a date typed as text shows too.
            date = helper_name("doc", date)
        places = {
            "number": part(form.number_field),
            "date": (
                (f'IF(ISNUMBER({date}),DAY({date})&"/"&MONTH({date})&"/"&YEAR({date}),"{gap}")', gap)
                if date
                else (f'"{gap}"', gap)
            ),
            "unit": part(form.roster_name),
        }
        formula, cached = [], []
        for text, name in _pieces(form.attachment):
            if text:
                formula.append(excel_string(text))
                cached.append(text)
            if name:
                formula.append(places[name][0])
                cached.append(places[name][1])
        ws.merge_range(rng, "", self.st.italic)
        ws.write_formula(rng.split(":")[0], "=" + "&".join(formula), self.st.italic, "".join(cached))

    def write_value(self, ws: Worksheet, f: Field) -> None:
        st = self.st
        cell = f.cell
        if f.source == "derived":
            assert f.expr is not None
            formula = f.expr.to_excel(lambda n: n, lambda ref: self.form.tables[ref.table].column_range(ref.column))
            cached = f.expr.evaluate({k: v for k, v in self.env.items()}, {t: [] for t in self.form.tables})
            self.env[f.code] = cached
            if needs_array(f):  # a count over a table's rows, each read as dv reads it
                ws.write_array_formula(f"{cell}:{cell}", "{=" + formula + "}", st.derived, cached)
            else:
                ws.write_formula(cell, "=" + formula, st.derived, cached)
            return
        value = self.env.get(f.code)
        if f.source == "fixed" or value is not None:
            # Fixed and personalised values: shown, locked, read back like any other cell.
            if isinstance(value, int):
                ws.write_number(cell, value, st.fixed)
            else:
                ws.write_string(cell, str(value), st.fixed_text)
            return
        if f.code == self.form.roster_name and "roster_name" in self.lists:
            ws.write_blank(cell, None, st.inputs["choice"])
            source = "=" + self.lists["roster_name"]
            ws.data_validation(
                cell, _validation(self.form, "text", "Chọn tên đơn vị trong danh sách.", f.label, source)
            )
            return
        if f.code == self.form.roster_code and "roster_code" in self.lists:
            # Generic template with a roster: the code follows the chosen name.
            formula = (
                f"=IFERROR(INDEX({self.lists['lookup_code']},MATCH({xl_escaped(xl_trimmed(self.form.roster_name))},"
                f'{self.lists["lookup_name"]},0)),"")'
            )
            ws.write_formula(cell, formula, st.fixed_text, "")
            self.computed.add(f.code)
            return
        ws.write_blank(cell, None, st.inputs[f.type])
        source = "=" + self.lists[f.choices] if f.type == "choice" and f.choices else ""
        ws.data_validation(cell, _validation(self.form, f.type, f.help, f.label, source, field=f))

    def write_check(self, ws: Worksheet, f: Field) -> None:
        cell = f"{self.form.layout.check_column}{f.row}"
        if f.source == "derived":
            formula = derived_check_formula(self.form, f)
            if needs_array(f):
                ws.write_array_formula(f"{cell}:{cell}", "{=" + formula + "}", self.st.check, "")
            else:
                ws.write_formula(cell, "=" + formula, self.st.check, "")
            return
        if f.code in self.computed:
            ws.write_formula(cell, "=" + unit_lookup_check_formula(self.form), self.st.check, "")
            return
        locked = f.source == "fixed" or (self.unit is not None and f.code == self.form.roster_code)
        if locked and self.env.get(f.code) is not None:
            ws.write_formula(cell, "=" + locked_check_formula(f, self.env[f.code]), self.st.check, "")
            return
        if not f.is_input or self.env.get(f.code) is not None:
            ws.write_blank(cell, None, self.st.check)
            return
        cached = field_check_value(self.form, f, self.env)
        ws.write_formula(cell, "=" + field_check_formula(self.form, f), self.st.check, cached)

    def write_signatures(self, ws: Worksheet, row: int) -> None:
        """The form's signature blocks: on the left under the labels, on the right under the
        values; each a bold title, then its hints in italics."""
        lay, st = self.form.layout, self.st
        blocks = (
            (lay.signature_left, lay.number_column, lay.unit_column),
            (lay.signature_right, lay.value_column, lay.check_column),
        )
        for i in range(max(len(lay.signature_left), len(lay.signature_right))):
            for lines, first, last in blocks:
                if i < len(lines):
                    style = st.bold_center if i == 0 else st.italic_center
                    ws.merge_range(f"{first}{row + i}:{last}{row + i}", lines[i], style)

    def write_table(self, ws: Worksheet, table: Table) -> None:
        form, st = self.form, self.st
        for letter, width in table.widths.items():
            ws.set_column(f"{letter}:{letter}", width)
        first, last = table.number_column, table.check_column
        # What prints is the documents a clerk typed, columns first_column..last_column: the
        # row number and the check are formulas in every pre-made row, and LibreOffice
        # prints every page of the print area holding one, so they stay beside it, on screen.
        left, right = table.first_column, table.last_column
        ws.merge_range(f"{table.title_cell}:{right}1", table.title.format(year=form.year), st.subtitle)
        ws.set_row(0, 22)
        if table.note:
            note = table.note.format(rows=table.rows)
            ws.merge_range(f"{left}2:{right}2", note, st.italic)
            printed = range(col_index(left), col_index(right) + 1)
            ws.set_row(1, text_height(note, sum(w for c, w in table.widths.items() if col_index(c) in printed)))
        header = table.header_row
        ws.write_string(f"{first}{header}", form.layout.headers[form.layout.number_column], st.header)
        for col in table.columns:
            ws.write_string(f"{col.column}{header}", col.label, st.header)
        ws.write_string(f"{last}{header}", form.layout.headers[form.layout.check_column], st.header)
        ws.set_row(header - 1, 33)
        top, bottom = table.first_row, table.last_row
        for col in table.columns:
            rng = f"{col.column}{top}:{col.column}{bottom}"
            fmt = st.table_inputs[col.type]
            source = "=" + self.lists[col.choices] if col.choices else ""
            ws.data_validation(rng, _validation(form, col.type, col.help, col.label, source))
            for row in range(top, bottom + 1):
                ws.write_blank(f"{col.column}{row}", None, fmt)
        # Each row's number and check are one defined name each, whose references are
        # relative to the row that uses it: a cell holds "=van_ban_kiem_tra", not 900 bytes
        # of formula (python-calamine reads the sheet in a third of the time).
        sheet = quote_sheet(table.sheet) + "!"
        number, check, cannot = row_names(table)
        self.wb.define_name(cannot, "=" + excel_string(CANNOT))
        self.wb.define_name(
            number, f'=IF(COUNTA({sheet}${table.first_column}1:${table.last_column}1)=0,"",ROW()-{table.header_row})'
        )
        for name, formula in row_check_names(form, table).items():
            self.wb.define_name(name, "=" + formula)
        for row in range(top, bottom + 1):
            ws.write_formula(f"{first}{row}", f"={number}", st.table_center, "")
            ws.write_formula(f"{last}{row}", row_check_cell(table), st.table_check, "")
        # A date typed as text, read as dv reads it, step by step: hidden cells of each row
        # beside the check, each naming its formula (written relative to row 1).
        for name, formula in table_helper_formulas(table).items():
            self.wb.define_name(name, "=" + formula)
        for code, kinds in table_helpers(table).items():
            for kind, letter in kinds.items():
                name = helper_name("tinh_" + kind, f"{table.code}_{code}")
                for row in range(top, bottom + 1):
                    ws.write_formula(f"{letter}{row}", f"={name}", st.helper, "")
                ws.set_column(f"{letter}:{letter}", 12, None, {"hidden": True})
        _conditional(ws, f"{last}{top}:{last}{bottom}", st)
        # Borders and the input colour come with the content: a filled row gets them, and so
        # does the row after the last filled one (the next to type in), nothing else.
        filled = f"COUNTA(${left}{top}:${right}{top})>0"
        above = f"COUNTA(${left}{top - 1}:${right}{top - 1})>0"
        data = f"{left}{top}:{right}{bottom}"
        ws.conditional_format(data, {"type": "formula", "criteria": "=" + filled, "format": st.cf_row_filled_input})
        ws.conditional_format(
            data, {"type": "formula", "criteria": f"=AND(NOT({filled}),{above})", "format": st.cf_row_next}
        )
        for letter in (first, last):
            rng = f"{letter}{top}:{letter}{bottom}"
            ws.conditional_format(rng, {"type": "formula", "criteria": "=" + filled, "format": st.cf_row_filled})
        self.wb.define_name(table.code, "=" + table.data_range)
        ws.freeze_panes(header, 0)
        _print_setup(ws, form, header, landscape=True)
        ws.print_area(f"{left}1:{right}{bottom}")
        _protect(ws)

    def write_guide(self, ws: Worksheet) -> None:
        form, st = self.form, self.st
        # One column that fits A4 portrait inside the margins at 100 %: every line wraps in it
        # and its row is as tall as its wrapped text (nothing cut at the margin, no overlap).
        width = GUIDE_WIDTH
        ws.set_column("A:A", width)
        row = 0

        def line(text: str, style: Any) -> None:
            nonlocal row
            ws.write_string(row, 0, text, style)
            ws.set_row(row, text_height(text, width))
            row += 1

        line(form.guide_title, st.title)
        line(f"{form.title} – {form.subtitle_text()}", st.italic)
        row += 1
        for text in form.guide_lines:
            line(text, st.wrap)
        row += 1
        line('Các kiểm tra tự động (cột "Kiểm tra" và dòng "Kết quả kiểm tra"):', st.section)
        for rule in (*form.rules, *(r for t in form.tables.values() for r in t.rules)):
            kind = "lỗi" if rule.severity == "error" else "lưu ý"
            anchor = form.field(rule.anchor) if rule.anchor else None
            where = (
                f"{anchor.label} ({anchor.cell}): "
                if anchor
                else f'Mỗi dòng ở trang "{form.tables[rule.table].sheet}": '
            )
            line(f"- {where}{rule.description or rule.live.text}  [{kind}]", st.wrap)
        for text in _guide_checks(form):
            line(f"- {text}", st.wrap)
        row += 1
        line(f"Khi nhận tệp, Sở Nội vụ kiểm tra thêm: {_on_receipt(form)}.", st.wrap)
        row += 1
        line(f"Mẫu {form.id}, phiên bản {form.version}, năm {form.year}.", st.italic)
        _print_setup(ws, form, 1)
        _protect(ws)

    def write_meta(self, ws: Worksheet) -> None:
        form, unit = self.form, self.unit
        values = {
            "form_id": form.id,
            "form_version": form.version,
            "form_year": str(form.year),
            "unit_code": unit.code if unit else "",
            "unit_name": unit.name if unit else "",
            "fingerprint": form.fingerprint,
            "kind": "personalised" if unit else "generic",
            "generator": f"dv {__version__}",
        }
        for row, key in enumerate(META_KEYS):
            ws.write_string(row, 0, key, self.st.meta)
            ws.write_string(row, 1, values[key], self.st.meta)
        if self.roster is not None and unit is None:
            # The dropdown's roster: dv reads the unit from the chosen name, not from the
            # code formula's cached result (.xls keeps 0 there), even without --units.
            for row, u in enumerate(self.roster.units, start=len(META_KEYS)):
                ws.write_string(row, 0, META_ROSTER_KEY, self.st.meta)
                ws.write_string(row, 1, u.code, self.st.meta)
                ws.write_string(row, 2, u.name, self.st.meta)
        ws.very_hidden()
        _protect(ws)


def build_template(form: Form, *, unit: Unit | None = None, roster: Roster | None = None) -> bytes:
    """The template workbook (xlsx bytes): generic, or personalised for ``unit``."""
    return _Writer(form, unit, roster).build()
