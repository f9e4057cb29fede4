"""The provincial summary workbook (docs/spec.md §6), written with xlsxwriter from a
:class:`~toolkit.merger.MergeResult`.

Every text that came from a submission is written with ``write_string`` (never a formula
or a link), and its return code checked; a text over Excel's 32,767 characters is cut with
a visible mark ("…[đã cắt]"), never stopping the summary.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xlsxwriter.worksheet import Worksheet

from . import __version__
from .form import Form, Table
from .form.cells import col_letters, quote_sheet
from .intake.coerce import cut_text
from .issues import ERROR, Status
from .merger import MergeResult, numbers_column, report_date, summary_fields
from .messages import t
from .page import FONT, MARGINS_MM, new_workbook
from .page import mm as _mm

if TYPE_CHECKING:
    from .previous import Comparison

__all__ = ["build_summary", "TextTooLong", "summary_filename", "SUMMARY_SHEET", "TOTAL_LABEL", "SUMMARY_META_KEYS"]

SUMMARY_SHEET = "Tổng hợp"
TOTAL_LABEL = "TOÀN TỈNH"
COMPARE_SHEET = "So với năm trước"
DETAILS_SHEET = "Chi tiết"  # the rows under each roll-up (docs/spec.md §9)
NO_PREVIOUS = "chưa có năm trước"  # a field new this year, in the last year's column
# Printed on A4 landscape at a readable size (about 8 pt and more): "Tổng hợp" across two
# pages; "So với năm trước" one page wide per this many compared fields (3 columns each).
SUMMARY_PAGES_WIDE = 2
COMPARED_FIELDS_PER_PAGE = 3
# The very hidden sheet (the form's meta_sheet) of a summary: what `--previous` reads next year.
SUMMARY_META_KEYS = ("kind", "form_id", "form_version", "form_year", "generator")


def status_word(status: str) -> str:
    """A file's status (or "missing": a unit that sent nothing) as the summary writes it (the
    summary is the province's document: Vietnamese)."""
    return t(f"summary.status.{status}", "vi")


def file_status_word(report: Any) -> str:
    """A file's status in the summary, with what the officer most needs when it is not merged:
    a template of another year says which ("Bị từ chối (gửi mẫu năm 2019)")."""
    word = status_word(report.status)
    if report.status == Status.REJECTED:
        year = next((i.value for i in report.issues if i.code == "form-year"), None)
        if year:
            word += " " + t("summary.form_year", "vi", year=year)
    return word


def accepted_word(verdict: Any) -> str:
    """An accepted unit's status in "Tổng hợp": a roll-up says of how many units (and that it is
    short, when its round was not settled)."""
    word = status_word("accepted")
    prov = getattr(verdict.report, "rollup", None) if verdict is not None else None
    if prov is not None:
        word += " " + t("summary.rollup_of" if prov.settled else "summary.rollup_partial", "vi", units=prov.units)
    return word


def unit_status_word(result: MergeResult, code: str) -> str:
    """The status of a unit without an accepted file, as "Tổng hợp" writes it."""
    files = result.files_of(code)
    if any(f.status == Status.CONFLICT for f in files):
        return status_word("conflict") + " (xem Kiểm tra)"
    if any(f.status == Status.UNIT_CONFLICT for f in files):
        return status_word("unit-conflict") + " (xem Kiểm tra)"
    rejected = [f for f in files if f.status == Status.REJECTED and f.unit_code == code]
    if rejected:
        worded = [w for w in (file_status_word(f) for f in rejected) if w != status_word("rejected")]
        return worded[0] if worded else status_word("rejected") + " (xem Kiểm tra)"
    return status_word("missing")


class TextTooLong(ValueError):
    """A submitted text longer than an Excel cell can hold."""


def is_summary(path: Path, meta_sheet: str = "_dv") -> bool:
    """Whether ``path`` is a summary written by dv merge (its hidden sheet says kind=summary)."""
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
        if meta_sheet not in wb.sheet_names:
            return False
        rows = wb.get_sheet_by_name(meta_sheet).to_python()
    except (CalamineError, OSError, ValueError):
        return False
    return any(len(r) >= 2 and r[0] == "kind" and r[1] == "summary" for r in rows)


def summary_filename(form: Form) -> str:
    return f"tong-hop-{form.year}.xlsx"


def _put_text(ws: Worksheet, row: int, col: int, text: Any, fmt: Any = None) -> None:
    # A value from a unit is at most a cell long already (coerce cuts it, with a warning on
    # that unit's file); a text composed here is cut with the same mark, never stopping the summary.
    value = cut_text("" if text is None else str(text))  # to MAX_TEXT, one cell's limit
    code = ws.write_string(row, col, value, fmt)
    if code != 0:
        raise TextTooLong(f"{ws.name}!{col_letters(col)}{row + 1}: write_string → {code}")


class _Summary:
    def __init__(self, result: MergeResult, comparison: Comparison | None = None) -> None:
        self.result = result
        self.comparison = comparison
        self.form = result.form
        self.buffer = io.BytesIO()
        self.wb = new_workbook(self.buffer, font_size=11)
        self.wb.set_properties(
            {
                "title": f"Tổng hợp {self.form.subtitle_text()}",
                "author": "Sở Nội vụ",
                "comments": f"dv {__version__}",
                "created": dt.datetime(self.form.year, 12, 31),
            }
        )
        base = {"font_name": FONT, "font_size": 11, "valign": "vcenter"}
        cell = {**base, "border": 1}
        add = self.wb.add_format
        self.f_title = add({**base, "bold": True, "font_size": 14, "align": "center"})
        self.f_sub = add({**base, "italic": True, "align": "center"})
        self.f_head = add({**cell, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#D9E1F2"})
        self.f_code = add({**cell, "font_size": 8, "font_color": "#808080", "align": "center"})
        self.f_text = add({**cell, "text_wrap": True})
        self.f_int = add({**cell, "num_format": "#,##0"})
        self.f_pct = add({**cell, "num_format": "0.00%"})
        self.f_date = add({**cell, "num_format": "dd/mm/yyyy", "align": "center"})
        self.f_center = add({**cell, "align": "center"})
        self.f_missing = add({**cell, "italic": True, "font_color": "#9C0006", "bg_color": "#F2F2F2"})
        self.f_total_label = add({**cell, "bold": True, "bg_color": "#FFF2CC"})
        self.f_total_int = add({**cell, "bold": True, "num_format": "#,##0", "bg_color": "#FFF2CC"})
        self.f_total_pct = add({**cell, "bold": True, "num_format": "0.00%", "bg_color": "#FFF2CC"})
        self.f_err = add({**cell, "font_color": "#9C0006", "text_wrap": True})
        self.f_warn = add({**cell, "font_color": "#7F6000", "text_wrap": True})
        self.f_note = add({**base, "italic": True, "text_wrap": True, "valign": "top"})
        self.f_change_int = add({**cell, "num_format": "+#,##0;-#,##0;0"})
        self.f_change_pct = add({**cell, "num_format": "+0.00%;-0.00%;0.00%"})

    def build(self) -> bytes:
        self.write_summary(self.wb.add_worksheet(SUMMARY_SHEET))
        if self.comparison is not None:
            self.write_comparison(self.wb.add_worksheet(COMPARE_SHEET), self.comparison)
        if self.result.rollups:
            self.write_details(self.wb.add_worksheet(DETAILS_SHEET))
        for table in self.form.tables.values():
            self.write_documents(self.wb.add_worksheet(table.sheet), table)
        self.write_checks(self.wb.add_worksheet("Kiểm tra"))
        self.write_submissions(self.wb.add_worksheet("Tình hình nộp"))
        if self.form.charts:
            self.write_charts(self.wb.add_worksheet("Số liệu biểu đồ"))
        self.write_meta(self.wb.add_worksheet(self.form.layout.meta_sheet))
        self.wb.close()
        return self.buffer.getvalue()

    def setup(self, ws: Worksheet, header_row: int, landscape: bool = True, pages_wide: int = 1) -> None:
        """A4 landscape, Decree 30 margins, headings repeated; ``pages_wide`` > 1 prints a wide
        sheet across that many pages (the unit columns repeated on each) instead of shrinking
        it to one unreadable page."""
        ws.set_paper(9)
        if landscape:
            ws.set_landscape()
        ws.set_margins(
            left=_mm(MARGINS_MM["left"]),
            right=_mm(MARGINS_MM["right"]),
            top=_mm(MARGINS_MM["top"]),
            bottom=_mm(MARGINS_MM["bottom"]),
        )
        ws.set_header(f'&C&"{FONT},Regular"&11&P/&N', {"margin": _mm(10)})
        ws.set_footer(f'&L&"{FONT},Italic"&8{self.form.id} {self.form.version} – dv&R&"{FONT},Italic"&8&A')
        ws.repeat_rows(0, header_row)
        ws.fit_to_pages(pages_wide, 0)
        if pages_wide > 1:
            ws.repeat_columns(0, 2)  # STT, code and name of the unit on every page
            ws.print_across()
        ws.freeze_panes(header_row + 1, 0)

    def title(self, ws: Worksheet, last_col: int, title: str) -> None:
        ws.merge_range(0, 0, 0, last_col, title, self.f_title)
        ws.merge_range(1, 0, 1, last_col, self.form.subtitle_text(), self.f_sub)

    # -- Tổng hợp -------------------------------------------------------------------------
    def write_summary(self, ws: Worksheet) -> None:
        form, result = self.form, self.result
        fields = sorted(summary_fields(form), key=lambda f: 0 if f in form.summable_fields else 1)
        fixed = ["STT", "Mã", "Đơn vị", "Tình trạng"]
        first_value = len(fixed)
        last_col = first_value + len(fields) - 1
        self.title(ws, last_col, "TỔNG HỢP SỐ LIỆU PHỤ LỤC CÁC ĐƠN VỊ")
        head, codes = 3, 4
        for col, text in enumerate(fixed):
            ws.merge_range(head, col, codes, col, text, self.f_head)
        for i, f in enumerate(fields):
            col = first_value + i
            ws.write_string(head, col, f.label, self.f_head)
            ws.write_string(codes, col, f.code, self.f_code)
            ws.set_column(col, col, 14 if f in form.summable_fields else 30)  # a signer fits in 2 lines
        ws.set_column(0, 0, 5)
        ws.set_column(1, 1, 10)
        ws.set_column(2, 2, 34)
        ws.set_column(3, 3, 16)
        ws.set_row(head, 66)
        first_data = codes + 1
        row = first_data
        self.unit_rows: dict[str, int] = {}
        for n, unit in enumerate(result.rows, start=1):
            ws.write_number(row, 0, n, self.f_center)
            _put_text(ws, row, 1, unit.code, self.f_text)
            _put_text(ws, row, 2, unit.name + ("" if unit.in_roster else " (ngoài danh sách)"), self.f_text)
            if not unit.sent:
                _put_text(ws, row, 3, unit_status_word(result, unit.code), self.f_missing)
                for i in range(len(fields)):
                    ws.write_blank(row, first_value + i, None, self.f_missing)
            else:
                _put_text(ws, row, 3, accepted_word(unit.report), self.f_center)
                for i, f in enumerate(fields):
                    self.write_value(ws, row, first_value + i, f.type, unit.values.get(f.code))
            self.unit_rows[unit.code] = row
            ws.set_row(row, 34)  # two lines of 12 pt: a signer or a contact is never clipped
            row += 1
        last_data = row - 1
        total_row = row
        ws.merge_range(total_row, 0, total_row, 3, TOTAL_LABEL, self.f_total_label)
        column_of = {f.code: first_value + i for i, f in enumerate(fields)}
        for f in fields:
            col = column_of[f.code]
            letter = col_letters(col)
            value = result.totals.get(f.code)
            if f not in form.summable_fields:
                ws.write_blank(total_row, col, None, self.f_total_label)
            elif f.total is not None:
                # The rate recomputed from the sums, with the same expression as the JSON.
                formula = f.total.to_excel(lambda name: f"{col_letters(column_of[name])}{total_row + 1}")
                ws.write_formula(
                    total_row, col, f'=IFERROR({formula},"")', self.f_total_pct, "" if value is None else value
                )
            else:
                rng = f"{letter}{first_data + 1}:{letter}{max(last_data, first_data) + 1}"
                ws.write_formula(total_row, col, f"=SUM({rng})", self.f_total_int, value or 0)
        self.summary_layout = (first_data, last_data, column_of)
        note = total_row + 2
        sent = sum(1 for r in result.rows if r.sent)
        conflicts = ", ".join(result.conflicts)
        notes = (
            f"Số đơn vị đã nộp hợp lệ: {sent}/{len(result.rows)}. "
            f"Chưa có báo cáo hợp lệ: {', '.join(result.missing_units) or 'không'}."
            + (f" Chờ cán bộ chọn tệp (xung đột): {conflicts}." if conflicts else ""),
            "Dòng TOÀN TỈNH là công thức: các số được cộng; tỷ lệ được tính lại từ các tổng "
            "(không lấy trung bình các tỷ lệ).",
        )
        for i, text in enumerate(notes):
            ws.merge_range(note + i, 0, note + i, last_col, "", self.f_note)
            _put_text(ws, note + i, 0, text, self.f_note)
            ws.set_row(note + i, 30)
        self.setup(ws, codes, pages_wide=SUMMARY_PAGES_WIDE)

    def write_value(self, ws: Worksheet, row: int, col: int, type_: str, value: Any) -> None:
        if value is None:
            ws.write_blank(row, col, None, self.f_text)
        elif type_ == "percent" and isinstance(value, int | float):
            ws.write_number(row, col, value, self.f_pct)
        elif type_ == "integer" and isinstance(value, int | float):
            ws.write_number(row, col, value, self.f_int)
        elif isinstance(value, dt.date):
            ws.write_datetime(row, col, dt.datetime.combine(value, dt.time()), self.f_date)
        else:
            _put_text(ws, row, col, value, self.f_text)

    # -- So với năm trước -----------------------------------------------------------------
    def write_comparison(self, ws: Worksheet, comp: Comparison) -> None:
        """Each compared field as three columns (this year, last year, change); the change is a
        live formula. Units and fields that cannot be compared are marked and said below."""
        form, result = self.form, self.result
        # The compared fields and, in the form's order among them, those new this year (their
        # last-year column says so: never an empty cell that reads as a zero or a gap).
        shown = set(comp.fields) | set(comp.new_fields)
        fields = [f for f in form.summable_fields if f.code in shown]
        new = set(comp.new_fields)
        fixed = ["STT", "Mã", "Đơn vị", "So sánh"]
        last_col = len(fixed) + 3 * len(fields) - 1
        self.title(ws, last_col, f"SO SÁNH VỚI NĂM {comp.previous_year}")
        head, years = 3, 4
        for col, text in enumerate(fixed):
            ws.merge_range(head, col, years, col, text, self.f_head)
        for i, f in enumerate(fields):
            col = len(fixed) + 3 * i
            ws.merge_range(head, col, head, col + 2, f.label, self.f_head)
            change = "Tăng (+), giảm (-)" + (" (điểm %)" if f.type == "percent" else "")
            for k, text in enumerate((f"Năm {comp.year}", f"Năm {comp.previous_year}", change)):
                ws.write_string(years, col + k, text, self.f_head)
                ws.set_column(col + k, col + k, 12)
        for col, width in enumerate((5, 10, 34, 24)):
            ws.set_column(col, col, width)
        ws.set_row(head, 45)
        ws.set_row(years, 45)
        f_change = {"integer": self.f_change_int, "percent": self.f_change_pct}
        status_text = {
            "compared": "Có số liệu cả hai năm",
            "not_in_previous": f"Chưa có trong tổng hợp năm {comp.previous_year}",
            "not_sent_previous": f"Năm {comp.previous_year} chưa gửi báo cáo",
            "not_sent": f"Năm {comp.year} chưa có báo cáo hợp lệ",
            "dropped": f"Không có trong danh sách năm {comp.year}",
        }
        lines: list[tuple[str, str, str, dict[str, Any], dict[str, Any]]] = []
        for unit in result.rows:
            info = comp.units.get(unit.code.upper())
            status = info.status if info else "not_sent"
            lines.append(
                (unit.code, unit.name, status, unit.values if unit.sent else {}, comp.previous_values(unit.code))
            )
        for code in comp.dropped_units:
            lines.append((code, comp.previous_names.get(code, ""), "dropped", {}, comp.previous_values(code)))
        lines.append((TOTAL_LABEL, "", "", result.totals, comp.previous_totals))
        for n, (code, name, status, now, before) in enumerate(lines):
            row = years + 1 + n
            if not status:
                ws.merge_range(row, 0, row, 3, TOTAL_LABEL, self.f_total_label)
            else:
                ws.write_number(row, 0, n + 1, self.f_center)
                _put_text(ws, row, 1, code, self.f_text)
                _put_text(ws, row, 2, name, self.f_text)
                _put_text(ws, row, 3, status_text[status], self.f_text if status == "compared" else self.f_missing)
            for i, f in enumerate(fields):
                col = len(fixed) + 3 * i
                self.write_value(ws, row, col, f.type, now.get(f.code))
                if f.code in new:
                    _put_text(ws, row, col + 1, NO_PREVIOUS, self.f_missing)
                    ws.write_blank(row, col + 2, None, self.f_text)
                    continue
                self.write_value(ws, row, col + 1, f.type, before.get(f.code))
                a, b = f"{col_letters(col)}{row + 1}", f"{col_letters(col + 1)}{row + 1}"
                delta = _delta(now.get(f.code), before.get(f.code))
                ws.write_formula(
                    row, col + 2, f'=IF(COUNT({a},{b})=2,{a}-{b},"")', f_change[f.type], "" if delta is None else delta
                )
        note = years + 1 + len(lines) + 1
        notes = [
            f"So với tổng hợp năm {comp.previous_year}: {Path(comp.path).name} (biểu mẫu {comp.form_id or '?'}, "
            f"phiên bản {comp.form_version or '?'}); các chỉ tiêu được so theo mã ở dòng dưới tiêu đề cột.",
            f"Số đơn vị có báo cáo hợp lệ: năm {comp.year}: {comp.units_now}, năm {comp.previous_year}: "
            f"{comp.units_before}. Dòng {TOTAL_LABEL} so tổng của cả tỉnh mỗi năm.",
        ]
        if comp.new_fields:
            labels = ", ".join(form.field(c).label for c in comp.new_fields)
            notes.append(f"Chỉ tiêu mới năm {comp.year}, chưa so sánh được: {labels}.")
        if comp.dropped_fields:
            notes.append(
                f"Chỉ tiêu năm {comp.previous_year} không còn trong biểu mẫu năm {comp.year}: "
                f"{', '.join(comp.dropped_fields)}."
            )
        for i, text in enumerate(notes):
            ws.merge_range(note + i, 0, note + i, max(min(last_col, 12), 3), "", self.f_note)
            _put_text(ws, note + i, 0, text, self.f_note)
            ws.set_row(note + i, 30)
        self.setup(ws, years, pages_wide=max(1, math.ceil(len(fields) / COMPARED_FIELDS_PER_PAGE)))

    # -- Chi tiết ---------------------------------------------------------------------------
    def write_details(self, ws: Worksheet) -> None:
        """Under each unit whose file is a roll-up, the rows it was built from (its provenance):
        each unit below with its status, file and figures, the deeper levels indented; the
        figures are the form's own fields, as in "Tổng hợp"."""
        form = self.form
        fields = [f for f in summary_fields(form) if f in form.summable_fields]
        fixed = ["STT", "Thuộc", "Cấp", "Mã", "Đơn vị", "Tình trạng", "Tệp"]
        first_value = len(fixed)
        last_col = first_value + len(fields)
        self.title(ws, last_col, "CHI TIẾT CÁC BÁO CÁO TỔNG HỢP TỪ CẤP DƯỚI")
        head, codes = 3, 4
        for col, text in enumerate(fixed):
            ws.merge_range(head, col, codes, col, text, self.f_head)
        for i, f in enumerate(fields):
            ws.write_string(head, first_value + i, f.label, self.f_head)
            ws.write_string(codes, first_value + i, f.code, self.f_code)
            ws.set_column(first_value + i, first_value + i, 13)
        ws.merge_range(head, last_col, codes, last_col, "SHA-256", self.f_head)
        for col, width in enumerate((5, 9, 5, 10, 34, 16, 26)):
            ws.set_column(col, col, width)
        ws.set_column(last_col, last_col, 20)
        ws.set_row(head, 66)
        row, n = codes + 1, 1
        for unit in self.result.rollups:
            assert unit.report is not None
            prov = unit.report.report.rollup
            for entry in prov.entries:
                ws.write_number(row, 0, n, self.f_center)
                _put_text(ws, row, 1, unit.code, self.f_text)
                ws.write_number(row, 2, entry.depth, self.f_center)
                _put_text(ws, row, 3, entry.unit_code, self.f_text)
                _put_text(ws, row, 4, "   " * (entry.depth - 1) + entry.unit_name, self.f_text)
                alarm = not entry.counted
                _put_text(ws, row, 5, status_word(entry.status), self.f_missing if alarm else self.f_text)
                _put_text(ws, row, 6, entry.file, self.f_text)
                for i, f in enumerate(fields):
                    self.write_value(ws, row, first_value + i, f.type, entry.values.get(f.code))
                _put_text(ws, row, last_col, entry.sha256, self.f_text)
                row, n = row + 1, n + 1
        note = row + 1
        ws.merge_range(note, 0, note, min(last_col, 12), "", self.f_note)
        _put_text(
            ws,
            note,
            0,
            "Mỗi báo cáo tổng hợp ghi lại các tệp nó được lập từ (cấp 1), và các tệp của cấp dưới nữa (cấp 2, 3…): "
            "đơn vị, tình trạng, tệp, SHA-256 và số liệu tính theo các chỉ tiêu của biểu mẫu này. Số liệu của một "
            "báo cáo tổng hợp bằng tổng các dòng cấp 1 hợp lệ của nó.",
            self.f_note,
        )
        ws.set_row(note, 45)
        ws.autofilter(codes, 0, max(row - 1, codes + 1), last_col)
        self.setup(ws, codes, pages_wide=SUMMARY_PAGES_WIDE)

    # -- _dv --------------------------------------------------------------------------------
    def write_meta(self, ws: Worksheet) -> None:
        """What next year's ``dv merge --previous`` reads: which form and year this summary is."""
        form = self.form
        values = {
            "kind": "summary",
            "form_id": form.id,
            "form_version": form.version,
            "form_year": str(form.year),
            "generator": f"dv {__version__}",
        }
        for row, key in enumerate(SUMMARY_META_KEYS):
            ws.write_string(row, 0, key)
            ws.write_string(row, 1, values[key])
        ws.very_hidden()

    # -- the table's rows (the documents) ------------------------------------------------
    def write_documents(self, ws: Worksheet, table: Table) -> None:
        """Every row of the form's table of every accepted unit, with its unit; when the table
        has document numbers, the other units that reported the same number."""
        columns = list(table.columns)
        numbered = numbers_column(self.form) in {c.code for c in columns}
        documents = self.result.documents()
        # A roll-up's documents were issued by the units below it: said when there is one.
        issuers = any(doc["issued_by"] for doc in documents)
        heads = ["STT", "Mã", "Đơn vị", *(["Đơn vị ban hành (cấp dưới)"] if issuers else [])]
        heads += [*(c.label for c in columns), *(["Trùng số với đơn vị"] if numbered else [])]
        first = 4 if issuers else 3
        self.title(ws, len(heads) - 1, table.title.format(year=self.form.year).upper())
        for col, text in enumerate(heads):
            ws.write_string(3, col, text, self.f_head)
        widths = [
            5,
            10,
            28,
            *([28] if issuers else []),
            *(max(12, table.widths.get(c.column, 16)) for c in columns),
            18,
        ]
        for col, width in enumerate(widths[: len(heads)]):
            ws.set_column(col, col, width)
        row = 4
        for n, doc in enumerate(documents, start=1):
            ws.write_number(row, 0, n, self.f_center)
            _put_text(ws, row, 1, doc["unit_code"], self.f_text)
            _put_text(ws, row, 2, doc["unit_name"], self.f_text)
            if issuers:
                _put_text(ws, row, 3, doc["issued_by"], self.f_text)
            for i, c in enumerate(columns):
                self.write_value(ws, row, first + i, c.type, doc.get(c.code))
            if numbered:
                shared = ", ".join(doc["shared_with"])
                _put_text(ws, row, first + len(columns), shared, self.f_warn if shared else self.f_text)
            row += 1
        self.setup(ws, 3)

    # -- Kiểm tra -------------------------------------------------------------------------
    def write_checks(self, ws: Worksheet) -> None:
        heads = ["Tệp", "Đơn vị", "Tình trạng", "Mức độ", "Ô", "Mã lỗi", "Nội dung"]
        self.title(ws, len(heads) - 1, "KẾT QUẢ KIỂM TRA CÁC TỆP")
        for col, (text, width) in enumerate(zip(heads, (26, 10, 16, 8, 16, 20, 70), strict=True)):
            ws.write_string(3, col, text, self.f_head)
            ws.set_column(col, col, width)
        row = 4
        for report in self.result.files:
            for issue in report.sorted_issues():
                fmt = self.f_err if issue.severity == ERROR else self.f_warn
                for col, text in enumerate(
                    (
                        report.name,
                        report.unit_code,
                        file_status_word(report),
                        "Lỗi" if issue.severity == ERROR else "Lưu ý",
                        issue.where,
                        issue.code,
                        issue.message,
                    )
                ):
                    _put_text(ws, row, col, text, fmt if col == 6 else self.f_text)
                row += 1
        if row == 4:
            _put_text(ws, row, 0, "Không có lỗi hay lưu ý nào.", self.f_text)
        ws.autofilter(3, 0, max(row - 1, 4), len(heads) - 1)
        self.setup(ws, 3)

    # -- Tình hình nộp --------------------------------------------------------------------
    def write_submissions(self, ws: Worksheet) -> None:
        result = self.result
        heads = ["STT", "Mã", "Đơn vị", "Tình trạng", "Tệp", "Ngày báo cáo", "Lý do / ghi chú", "SHA-256"]
        self.title(ws, len(heads) - 1, "TÌNH HÌNH NỘP BÁO CÁO")
        for col, (text, width) in enumerate(zip(heads, (5, 10, 30, 18, 30, 12, 50, 20), strict=True)):
            ws.write_string(3, col, text, self.f_head)
            ws.set_column(col, col, width)
        row, n = 4, 1
        listed: set[int] = set()
        for unit in result.rows:
            files = result.files_of(unit.code)
            if not files:
                self._submission_row(ws, row, n, unit.code, unit.name, "missing", None)
                row, n = row + 1, n + 1
                continue
            for report in sorted(files, key=lambda f: f.status != Status.ACCEPTED):
                listed.add(id(report))
                self._submission_row(ws, row, n, unit.code, unit.name, report.status, report)
                row, n = row + 1, n + 1
        for report in result.files:  # files with no known unit: rejected, ignored, duplicates
            if id(report) not in listed:
                self._submission_row(ws, row, n, report.unit_code, "", report.status, report)
                row, n = row + 1, n + 1
        ws.autofilter(3, 0, max(row - 1, 4), len(heads) - 1)
        self.setup(ws, 3)

    def _submission_row(self, ws: Worksheet, row: int, n: int, code: str, name: str, status: str, report: Any) -> None:
        ws.write_number(row, 0, n, self.f_center)
        _put_text(ws, row, 1, code, self.f_text)
        _put_text(ws, row, 2, name, self.f_text)
        word = status_word(status) if report is None else file_status_word(report)
        alarm = status in ("missing", "rejected", "conflict", "unit-conflict")
        _put_text(ws, row, 3, word, self.f_missing if alarm else self.f_text)
        if report is None:
            for col in range(4, 8):
                ws.write_blank(row, col, None, self.f_text)
            return
        _put_text(ws, row, 4, report.name, self.f_text)
        self.write_value(ws, row, 5, "date", report_date(report))
        reason = next(
            (
                i.message
                for i in report.sorted_issues()
                if i.severity == ERROR or i.code.startswith(("merge-", "file-"))
            ),
            "",
        )
        _put_text(ws, row, 6, reason, self.f_text)
        _put_text(ws, row, 7, report.sha256, self.f_text)

    # -- Biểu đồ --------------------------------------------------------------------------
    def write_charts(self, ws: Worksheet) -> None:
        """One chart sheet per chart of the form (a full landscape page each), and their
        data on ``ws``: unit code, unit name, each charted field, the target."""
        form, result = self.form, self.result
        sent = [r for r in result.rows if r.sent]
        heads = ["Mã", "Đơn vị"]
        columns: dict[str, int] = {}
        for chart in form.charts:
            for code in chart.fields:
                if code not in columns:
                    columns[code] = len(heads)
                    heads.append(form.field(code).label)
            if chart.target is not None:
                columns[f"target:{chart.title}"] = len(heads)
                heads.append(chart.target_label or "Mục tiêu")
        self.title(ws, len(heads) - 1, "SỐ LIỆU CÁC BIỂU ĐỒ")
        for col, text in enumerate(heads):
            ws.write_string(3, col, text, self.f_head)
            ws.set_column(col, col, 34 if col == 1 else 14)
        ws.set_row(3, 45)
        for i, unit in enumerate(sent, start=4):
            _put_text(ws, i, 0, unit.code, self.f_text)
            _put_text(ws, i, 1, unit.name, self.f_text)
            for chart in form.charts:
                for code in chart.fields:
                    self.write_value(ws, i, columns[code], form.field(code).type, unit.values.get(code))
                if chart.target is not None:
                    ws.write_number(i, columns[f"target:{chart.title}"], chart.target, self.f_pct)
        self.setup(ws, 3)
        last = 4 + max(len(sent), 1) - 1
        sheet = quote_sheet(ws.name)

        def ref(col: int) -> str:
            # Short unit codes on the axis: full names would eat the plot area.
            return f"={sheet}!${col_letters(col)}$5:${col_letters(col)}${last + 1}"

        for n, chart in enumerate(form.charts, start=1):
            percent = all(form.field(c).type == "percent" for c in chart.fields)
            main = self.wb.add_chart({"type": "column"})
            for code in chart.fields:
                main.add_series(
                    {
                        "name": form.field(code).label,
                        "categories": ref(0),
                        "values": ref(columns[code]),
                        "data_labels": {
                            "value": True,
                            "num_format": "0.0%" if percent else "0",
                            "font": {"name": FONT, "size": 7},
                        },
                    }
                )
            if chart.target is not None:
                line = self.wb.add_chart({"type": "line"})
                line.add_series(
                    {
                        "name": chart.target_label or "Mục tiêu",
                        "categories": ref(0),
                        "values": ref(columns[f"target:{chart.title}"]),
                        "line": {"color": "#C00000", "width": 2, "dash_type": "dash"},
                        "marker": {"type": "none"},
                    }
                )
                main.combine(line)
            main.set_title({"name": chart.title, "name_font": {"name": FONT, "size": 14}})
            main.set_x_axis({"num_font": {"name": FONT, "size": 9, "rotation": -45}})
            main.set_y_axis(
                {
                    "num_format": "0%" if percent else "0",
                    "num_font": {"name": FONT},
                    "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
                }
            )
            main.set_legend({"position": "bottom", "font": {"name": FONT, "size": 10}})
            sheet_chart = self.wb.add_chartsheet(f"Biểu đồ {n}")
            sheet_chart.set_chart(main)
            sheet_chart.set_paper(9)
            sheet_chart.set_landscape()
            sheet_chart.set_header(f'&C&"{FONT},Regular"&11&P', {"margin": _mm(10)})


def _delta(now: Any, before: Any) -> float | None:
    def number(v: Any) -> bool:
        return isinstance(v, int | float) and not isinstance(v, bool)

    return now - before if number(now) and number(before) else None


def build_summary(result: MergeResult, comparison: Comparison | None = None) -> bytes:
    """The summary workbook as xlsx bytes; with ``comparison`` (``toolkit.previous``), a sheet
    "So với năm trước": the change against last year per unit and for the province."""
    return _Summary(result, comparison).build()
