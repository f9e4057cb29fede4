"""The form definition as a workbook the officer edits in Excel or LibreOffice (docs/spec.md §10).

One sheet per part of the definition, Vietnamese headings, a dropdown wherever a column has a
closed set of values, and a "Hướng dẫn" sheet that explains every column with an example. The
sheets are either *lists* (one row per field, rule, choice value…) or *entries* (one row per
setting: its key, its name, its value). :func:`write_book` turns the neutral structure (the
dict the TOML gives, ``toolkit.form.export.form_data``) into such a workbook with xlsxwriter;
:func:`read_book` reads one back (python-calamine: .xlsx and .ods alike) into the same
structure, with the cell every entry came from, so that the one builder names problems as
``Quy tắc!B7``. Columns are found by their heading, never by position.
"""

from __future__ import annotations

import collections
import datetime as dt
import io
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..issues import Issue, make_issue
from ..messages import Localized, phrase
from .cells import col_letters
from .sheets import (
    BY_NAME,
    CHARTS,
    CHOICES,
    ENTRY_HEADINGS,
    FIELDS,
    GUIDE,
    HELP,
    INFO,
    LAYOUT,
    LAYOUT_MAPS,
    LIST_PATHS,
    NOTES_PREFIX,
    REPORT,
    REPORT_TEXT,
    ROSTER,
    RULES,
    SHEETS,
    TABLE_ENTRIES,
    TABLES,
    Col,
    Entry,
    Sheet,
    entry_of,
)
from .where import BookSource, close_matches, close_phrase, generic
from .where import Path as EntryPath
from .words import enum_value, enum_word, enum_words, text_key

__all__ = ["write_book", "read_book", "SHEETS"]


# -- writing ------------------------------------------------------------------------------------


def _flat(prefix: str, value: Any, out: dict[str, Any]) -> None:
    if isinstance(value, Mapping):
        for k, v in value.items():
            _flat(f"{prefix}.{k}", v, out)
    else:
        out[prefix] = value


def _settings(data: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The entries of each entries sheet, by key, in the order they are written."""
    flat: dict[str, Any] = {}
    for top in ("form", "roster", "layout", "report"):
        part = data.get(top, {})
        for k, v in part.items():
            if top == "report" and k == "sections":
                continue
            if top == "report" and k == "units" and isinstance(v, Mapping):
                v = {kk: vv for kk, vv in v.items() if kk != "columns"}
            _flat(f"{top}.{k}", v, flat)
    if "guide" in data:
        flat["guide.title"] = data["guide"].get("title", "")
    for code, table in data.get("tables", {}).items():
        for k, v in table.items():
            if k not in ("columns", "rules"):
                _flat(f"tables.{code}.{k}", v, flat)
    out: dict[str, dict[str, Any]] = {s.name: {} for s in SHEETS if s.entries}
    order = {e.key: i for s in SHEETS for i, e in enumerate(s.entries)}
    for key in sorted(flat, key=lambda k: order.get(k, len(order))):
        found = entry_of(key)
        sheet = found[0] if found else LAYOUT
        out[sheet][key] = flat[key]
    return out


def _rows(data: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The rows of each list sheet (a dict of column key → value each)."""
    rows: dict[str, list[dict[str, Any]]] = {s.name: [] for s in SHEETS if s.columns}
    for section in data.get("sections", []):
        rows[FIELDS].append(
            {"number": section.get("number"), "label": section.get("title"), "label_en": section.get("title_en")}
        )
        for f in section.get("fields", []):
            row = {"source": "input", **f}  # said in every row: the officer sees the choice
            if row.get("source") == "fixed":
                row["expr"] = row.pop("value", None)
            rows[FIELDS].append(row)
    for rule in data.get("rules", []):
        rows[RULES].append(dict(rule))
    for code, table in data.get("tables", {}).items():
        for rule in table.get("rules", []):
            rows[RULES].append({**rule, "table": code})
        for col in table.get("columns", []):
            rows[TABLES].append({"table": code, **col})
    for name, values in data.get("choices", {}).items():
        for value in values:
            rows[CHOICES].append({"list": name, **value})
    for chart in data.get("summary", {}).get("charts", []):
        rows[CHARTS].append(dict(chart))
    report = data.get("report", {})
    for section in report.get("sections", []):
        rows[REPORT_TEXT].append(
            {"kind": "section", "text": section.get("title"), "documents": section.get("documents")}
        )
        for sentence in section.get("sentences", []):
            rows[REPORT_TEXT].append({"kind": "sentence", "text": sentence})
        for c in section.get("compare", []):
            rows[REPORT_TEXT].append(
                {
                    "kind": "compare",
                    "field": c.get("field"),
                    "text": c.get("up"),
                    "down": c.get("down"),
                    "same": c.get("same"),
                }
            )
    for c in report.get("units", {}).get("columns", []):
        rows[REPORT_TEXT].append({"kind": "units-column", "field": c.get("field"), "text": c.get("header")})
    for line in data.get("guide", {}).get("lines", []):
        rows[GUIDE].append({"line": line})
    return rows


def _shown(col: Col, value: Any) -> Any:
    """A value as its cell shows it (a closed column's word, a list joined by commas)."""
    if value is None:
        return None
    if col.kind.startswith("enum:"):
        return enum_word(col.kind[5:], value)
    if col.kind == "codes" and isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return value


def write_book(data: Mapping[str, Any]) -> bytes:
    """The form workbook of the definition ``data`` (the neutral structure), as xlsx bytes."""
    from ..page import new_workbook

    buffer = io.BytesIO()
    wb = new_workbook(buffer, font_size=11)
    year = data.get("form", {}).get("year", 2000)
    wb.set_properties(
        {
            "title": f"Biểu mẫu {data.get('form', {}).get('id', '')} {year}",
            "author": "Sở Nội vụ",
            "comments": "dv form export",
            "created": dt.datetime(int(year) if isinstance(year, int) else 2000, 1, 1),
        }
    )
    add = wb.add_format
    fmt = {
        "head": add({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True, "valign": "top"}),
        # One line a row, as a table of data: a long message runs into the next (empty) cell
        # or is cut at the border on screen, never makes its row many lines tall.
        "text": add({"num_format": "@", "valign": "top"}),
        "number": add({"valign": "top"}),
        "key": add({"num_format": "@", "font_color": "#808080", "font_size": 9, "valign": "top"}),
        "label": add({"bold": True, "text_wrap": True, "valign": "top"}),
        "section": add({"num_format": "@", "bold": True, "bg_color": "#F2F2F2", "valign": "top"}),
        "title": add({"bold": True, "font_size": 13}),
        "wrap": add({"text_wrap": True, "valign": "top"}),
    }
    settings, rows = _settings(data), _rows(data)
    for sheet in SHEETS:
        ws = wb.add_worksheet(sheet.name)
        if sheet.is_list:
            _write_list(ws, sheet, rows[sheet.name], fmt)
        else:
            _write_entries(ws, sheet, settings[sheet.name], fmt)
        if sheet.name == INFO:
            ws.activate()
    _write_help(wb.add_worksheet(HELP), fmt)
    wb.close()
    return buffer.getvalue()


def _cell(ws: Any, row: int, col: int, value: Any, fmt: Any) -> None:
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_string(row, col, enum_word("bool", value), fmt)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def _page(ws: Any, landscape: bool = True) -> None:
    """A4, one page wide, gridlines and headings printed: the sheet on paper looks as on screen."""
    ws.set_paper(9)
    if landscape:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.hide_gridlines(0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.set_footer("&L&8&P/&N&R&8&A")


def _write_list(ws: Any, sheet: Sheet, rows: list[dict[str, Any]], fmt: Mapping[str, Any]) -> None:
    _page(ws)
    for c, col in enumerate(sheet.columns):
        ws.write_string(0, c, col.heading, fmt["head"])
        style = fmt["number"] if col.kind in ("int", "number") else fmt["text"]
        ws.set_column(c, c, col.width, style)
        if col.explain:
            ws.write_comment(
                0, c, col.explain + (f"\nVí dụ: {col.example}" if col.example else ""), {"x_scale": 2, "y_scale": 1.5}
            )
        if col.kind.startswith("enum:"):
            ws.data_validation(
                1,
                c,
                1000,
                c,
                {
                    "validate": "list",
                    "source": enum_words(col.kind[5:]),
                    "error_type": "warning",
                    "error_title": col.heading,
                    "error_message": "Chọn một giá trị trong danh sách.",
                },
            )
    ws.set_row(0, 30)
    ws.freeze_panes(1, 0)
    for r, values in enumerate(rows, start=1):
        section = sheet.name == FIELDS and not values.get("code")
        for c, col in enumerate(sheet.columns):
            style = fmt["section"] if section else fmt["number"] if col.kind in ("int", "number") else fmt["text"]
            _cell(ws, r, c, _shown(col, values.get(col.key)), style)
    ws.autofilter(0, 0, max(len(rows), 1), len(sheet.columns) - 1)


def _write_entries(ws: Any, sheet: Sheet, values: Mapping[str, Any], fmt: Mapping[str, Any]) -> None:
    _page(ws)
    for c, (heading, width) in enumerate(zip(ENTRY_HEADINGS, (24, 30, 60), strict=True)):
        ws.write_string(0, c, heading, fmt["head"])
        ws.set_column(c, c, width)
    ws.set_column(3, 8, 24)
    ws.freeze_panes(1, 0)
    keys = [e.key for e in sheet.entries]  # every setting, filled or not: the officer sees what exists
    keys += [k for k in values if k not in keys]
    for r, key in enumerate(keys, start=1):
        found = entry_of(key)
        entry = found[1] if found else Entry(key, key)
        ws.write_string(r, 0, key, fmt["key"])
        ws.write_string(r, 1, entry.label, fmt["label"])
        if entry.explain:
            ws.write_comment(
                r,
                1,
                entry.explain + (f"\nVí dụ: {entry.example}" if entry.example else ""),
                {"x_scale": 2, "y_scale": 1.5},
            )
        value = values.get(key)
        if entry.kind.startswith("enum:") and value is not None:
            value = enum_word(entry.kind[5:], value)  # the word the officer reads, as in a list sheet
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            _cell(ws, r, 2 + i, item, fmt["number"] if entry.kind in ("int", "number") else fmt["text"])


def _write_help(ws: Any, fmt: Mapping[str, Any]) -> None:
    _page(ws, landscape=False)
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 70, fmt["wrap"])
    ws.set_column(2, 2, 36, fmt["wrap"])
    ws.set_column(3, 3, 30, fmt["wrap"])
    lines: list[tuple[str, ...]] = [
        ("HƯỚNG DẪN SOẠN BIỂU MẪU",),
        (
            "",
            "Mỗi trang là một phần của biểu mẫu. Sửa các giá trị; giữ nguyên tên trang và tiêu đề cột (thứ tự cột "
            'đổi được; một cột ghi chú riêng thì đặt tiêu đề bắt đầu bằng "Ghi chú"). Lưu dạng .xlsx hoặc .ods, rồi '
            "chạy: dv form check <tệp>. dv chỉ ra từng lỗi ở ô của nó và cách sửa. Khi không còn lỗi: "
            "dv make-template --form <tệp>, dv merge … --form <tệp>.",
        ),
        (
            "",
            "Đổi chỉ tiêu hay bố cục thì đổi phiên bản (ở trang Thông tin), để tệp điền theo hai biểu mẫu khác nhau "
            "không mang cùng một phiên bản.",
        ),
        ("", "Ô có dấu tam giác đỏ ở tiêu đề: di chuột vào để xem giải thích."),
    ]
    row = 0
    for line in lines:
        ws.write_row(row, 0, line, fmt["title"] if len(line) == 1 else fmt["wrap"])
        row += 1
    for sheet in SHEETS:
        row += 1
        ws.write_string(row, 0, sheet.name, fmt["title"])
        ws.write_string(row, 1, sheet.purpose, fmt["wrap"])
        row += 1
        heads = ("Cột", "Ý nghĩa", "Ví dụ", "Giá trị chọn") if sheet.is_list else ("Mã mục", "Ý nghĩa", "Ví dụ", "Tên")
        ws.write_row(row, 0, heads, fmt["head"])
        row += 1
        for col in sheet.columns:
            values = ", ".join(enum_words(col.kind[5:])) if col.kind.startswith("enum:") else ""
            ws.write_row(row, 0, (col.heading, col.explain, col.example, values), fmt["wrap"])
            row += 1
        for entry in sheet.entries:
            ws.write_row(row, 0, (entry.key, entry.explain, entry.example, entry.label), fmt["wrap"])
            row += 1
        if sheet.name == LAYOUT:
            for key, (label, _) in LAYOUT_MAPS.items():
                ws.write_row(row, 0, (f"{key}.<cột>", f"{label} (một dòng mỗi cột: A, B…)", "", label), fmt["wrap"])
                row += 1
            for entry in TABLE_ENTRIES:
                ws.write_row(
                    row,
                    0,
                    (f"tables.<mã bảng>.{entry.key}", entry.explain, entry.example, f"Bảng …: {entry.label}"),
                    fmt["wrap"],
                )
                row += 1


# -- reading ------------------------------------------------------------------------------------


class _Reader:
    """The workbook's sheets → the neutral structure, each entry's cell, the reading's problems."""

    def __init__(self, name: str, sheets: Mapping[str, list[list[Any]]]) -> None:
        self.name = name
        self.sheets = sheets
        self.cells: dict[EntryPath, tuple[str, str]] = {}
        self.issues: list[Issue] = []
        self.data: dict[str, Any] = {}
        self.headings: dict[tuple[str, str], str] = {}  # (sheet, column key) → letter
        # A list sheet's columns whose heading is missing or misspelt (said at row 1), and the
        # entries in them that are therefore not said again, row by row.
        self.absent: dict[str, set[str]] = collections.defaultdict(set)
        self.silent: set[EntryPath] = set()

    def say(self, code: str, sheet: str, cell: str, **params: Any) -> None:
        where = f"{sheet}!{cell}" if cell else sheet
        self.issues.append(make_issue(code, sheet=sheet, cell=cell, where=where, **params))

    def at(self, path: EntryPath, sheet: str, cell: str) -> None:
        self.cells.setdefault(path, (sheet, cell))

    # -- values -----------------------------------------------------------------------------------
    @staticmethod
    def value(raw: Any, kind: str) -> Any:
        """A cell's value as the definition has it; None for an empty cell."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if isinstance(raw, float) and raw.is_integer() and kind != "number":
            raw = int(raw)
        if kind.startswith("enum:"):
            return enum_value(kind[5:], raw.strip() if isinstance(raw, str) else raw)
        if kind in ("int", "number"):
            if isinstance(raw, float) and raw.is_integer():
                return int(raw)
            if isinstance(raw, str):
                text = raw.strip().replace(",", ".")
                try:
                    number = float(text.rstrip("%")) / (100 if text.endswith("%") else 1)
                except ValueError:
                    return raw.strip()
                return int(number) if number.is_integer() and kind == "int" else number
            return raw
        if kind == "codes":
            return [part.strip() for part in str(raw).replace(";", ",").split(",") if part.strip()]
        if isinstance(raw, bool):
            return enum_word("bool", raw)
        if isinstance(raw, int | float):
            return str(raw)
        text = unicodedata.normalize("NFC", str(raw))
        return text.strip() if kind == "code" else text

    # -- the sheets -----------------------------------------------------------------------------
    def columns(self, sheet: Sheet, rows: list[list[Any]]) -> dict[str, int]:
        """Column key → index, from the headings of row 1; unknown headings are said."""
        head = rows[0] if rows else []
        by_heading = {text_key(c.heading): c for c in sheet.columns}
        found: dict[str, int] = {}
        meant: set[str] = set()  # the headings an unknown one was close to: said with it
        for i, raw in enumerate(head):
            text = text_key(raw) if raw not in (None, "") else ""
            if not text or text.startswith(NOTES_PREFIX):
                continue
            col = by_heading.get(text)
            if col is None:
                close = close_matches(str(raw), [c.heading for c in sheet.columns])
                meant.update(text_key(h) for h in close)
                self.say(
                    "def-unknown-key",
                    sheet.name,
                    f"{col_letters(i)}1",
                    key=str(raw),
                    close=phrase("def.close_key", names=", ".join(close)) if close else Localized(""),
                )
                continue
            found.setdefault(col.key, i)
        for col in sheet.columns:
            if col.key not in found and col.key in ("code", "value", "id", "line", "kind", "expr"):
                if sheet.name == FIELDS and col.key == "expr":
                    continue
                self.say(
                    "def-missing",
                    sheet.name,
                    "A1",
                    what=phrase("def.what.column", heading=col.heading, sheet=sheet.name),
                    fix=phrase("def.fix.fill"),
                )
                self.absent[sheet.name].add(col.key)
            elif col.key not in found and text_key(col.heading) in meant:
                self.absent[sheet.name].add(col.key)
        return found

    def row_values(self, sheet: Sheet, found: Mapping[str, int], row: list[Any]) -> dict[str, Any]:
        out = {}
        for col in sheet.columns:
            i = found.get(col.key)
            if i is not None and i < len(row):
                value = self.value(row[i], col.kind)
                if value is not None:
                    out[col.key] = value
        return out

    def register(
        self, path: EntryPath, sheet: Sheet, found: Mapping[str, int], r: int, keys: Mapping[str, str] | None = None
    ) -> None:
        """Every column of row ``r`` as the cell of ``path`` + its key (``keys`` renames)."""
        self.at(path, sheet.name, f"A{r + 1}")
        for col in sheet.columns:
            i = found.get(col.key)
            key = (keys or {}).get(col.key, col.key)
            if i is not None:
                self.at((*path, key), sheet.name, f"{col_letters(i)}{r + 1}")
            elif col.key in self.absent[sheet.name]:
                # Its heading is missing or misspelt, said once at row 1: not again in every row.
                self.silent.add((*path, key))

    def read_list(self, sheet: Sheet) -> None:
        rows = self.sheets[sheet.name]
        found = self.columns(sheet, rows)
        reader = getattr(self, f"rows_{_method(sheet.name)}")
        items = [(r, self.row_values(sheet, found, row)) for r, row in enumerate(rows) if r > 0]
        reader(sheet, found, [(r, v) for r, v in items if v])

    def rows_fields(self, sheet: Sheet, found: Mapping[str, int], items: list[tuple[int, dict[str, Any]]]) -> None:
        sections: list[dict[str, Any]] = self.data.setdefault("sections", [])
        for r, v in items:
            if "number" in v and "code" in v:
                self.say("def-invalid", sheet.name, f"A{r + 1}", reason=phrase("def.reason.section_and_field"))
                continue
            # A row with only a number and a name is a section; anything else is a field (one
            # without its code is said as such, not taken for a section).
            if "code" not in v and not set(v) - {"number", "label", "label_en"}:
                path: EntryPath = ("sections", len(sections))
                section = {"number": v.get("number"), "title": v.get("label"), "fields": []}
                if "label_en" in v:
                    section["title_en"] = v["label_en"]
                sections.append({k: x for k, x in section.items() if x is not None})
                self.register(path, sheet, found, r, {"label": "title", "label_en": "title_en"})
                continue
            if not sections:
                self.say("def-invalid", sheet.name, f"B{r + 1}", reason=phrase("def.reason.field_before_section"))
                continue
            field = {k: x for k, x in v.items() if k != "number"}
            if field.get("source") == "fixed" and "expr" in field:
                field["value"] = field.pop("expr")
            fields = sections[-1]["fields"]
            path = ("sections", len(sections) - 1, "fields", len(fields))
            fields.append(field)
            self.register(path, sheet, found, r, {"expr": "value" if "value" in field else "expr"})
            if "value" in field:
                self.at((*path, "expr"), sheet.name, f"{col_letters(found['expr'])}{r + 1}")

    def rows_rules(self, sheet: Sheet, found: Mapping[str, int], items: list[tuple[int, dict[str, Any]]]) -> None:
        tables = self.data.get("tables", {})
        for r, v in items:
            table = v.pop("table", None)
            if table is None:
                rules = self.data.setdefault("rules", [])
                path: EntryPath = ("rules", len(rules))
            elif table in tables:
                rules = tables[table].setdefault("rules", [])
                path = ("tables", table, "rules", len(rules))
            else:
                self.say(
                    "def-unknown-name",
                    sheet.name,
                    f"{col_letters(found['table'])}{r + 1}",
                    value=table,
                    kind=phrase("def.kind.table"),
                    close=close_phrase(str(table), tables),
                )
                continue
            rules.append(v)
            self.register(path, sheet, found, r)

    def rows_choices(self, sheet: Sheet, found: Mapping[str, int], items: list[tuple[int, dict[str, Any]]]) -> None:
        choices = self.data.setdefault("choices", {})
        for r, v in items:
            name = v.pop("list", None)
            if name is None:
                self.say("def-invalid", sheet.name, f"A{r + 1}", reason=phrase("def.reason.row_without_list"))
                continue
            values = choices.setdefault(name, [])
            self.at(("choices", name), sheet.name, f"{col_letters(found.get('list', 0))}{r + 1}")
            if not v:
                continue  # a list's name alone: the list, still without values
            path: EntryPath = ("choices", name, len(values))
            values.append(v)
            self.register(path, sheet, found, r)

    def rows_tables(self, sheet: Sheet, found: Mapping[str, int], items: list[tuple[int, dict[str, Any]]]) -> None:
        tables = self.data.setdefault("tables", {})
        for r, v in items:
            code = v.pop("table", None)
            if code is None:
                self.say("def-invalid", sheet.name, f"A{r + 1}", reason=phrase("def.reason.row_without_table"))
                continue
            columns = tables.setdefault(code, {}).setdefault("columns", [])
            self.at(("tables", code), sheet.name, f"A{r + 1}")
            path: EntryPath = ("tables", code, "columns", len(columns))
            columns.append(v)
            self.register(path, sheet, found, r)

    def rows_charts(self, sheet: Sheet, found: Mapping[str, int], items: list[tuple[int, dict[str, Any]]]) -> None:
        if not items:
            return
        charts = self.data.setdefault("summary", {}).setdefault("charts", [])
        for r, v in items:
            self.register(("summary", "charts", len(charts)), sheet, found, r)
            charts.append(v)

    def rows_report_text(self, sheet: Sheet, found: Mapping[str, int], items: list[tuple[int, dict[str, Any]]]) -> None:
        if not items:
            return
        report = self.data.setdefault("report", {})
        sections = report.setdefault("sections", [])
        for r, v in items:
            kind = v.pop("kind", None)
            if kind == "units-column":
                columns = report.setdefault("units", {}).setdefault("columns", [])
                self.register(("report", "units", "columns", len(columns)), sheet, found, r, {"text": "header"})
                columns.append(
                    {k: x for k, x in (("field", v.get("field")), ("header", v.get("text"))) if x is not None}
                )
            elif kind == "section":
                section: dict[str, Any] = {"title": v.get("text"), "sentences": []}
                if v.get("documents"):
                    section["documents"] = v["documents"]
                self.register(("report", "sections", len(sections)), sheet, found, r, {"text": "title"})
                sections.append({k: x for k, x in section.items() if x is not None})
            elif kind in ("sentence", "compare") and sections:
                i = len(sections) - 1
                if kind == "sentence":
                    n = len(sections[i]["sentences"])
                    self.at(
                        ("report", "sections", i, "sentences", n),
                        sheet.name,
                        f"{col_letters(found.get('text', 2))}{r + 1}",
                    )
                    sections[i]["sentences"].append(v.get("text", ""))
                else:
                    compare = sections[i].setdefault("compare", [])
                    self.register(("report", "sections", i, "compare", len(compare)), sheet, found, r, {"text": "up"})
                    compare.append(
                        {
                            k: x
                            for k, x in (
                                ("field", v.get("field")),
                                ("up", v.get("text")),
                                ("down", v.get("down")),
                                ("same", v.get("same")),
                            )
                            if x is not None
                        }
                    )
            elif kind in ("sentence", "compare"):
                self.say("def-invalid", sheet.name, f"A{r + 1}", reason=phrase("def.reason.sentence_before_section"))
            else:
                self.say(
                    "def-bad-value",
                    sheet.name,
                    f"{col_letters(found.get('kind', 0))}{r + 1}",
                    value=str(kind or ""),
                    reason=phrase("def.reason.enum", values=", ".join(enum_words("kind"))),
                )

    def rows_guide(self, sheet: Sheet, found: Mapping[str, int], items: list[tuple[int, dict[str, Any]]]) -> None:
        if not items:
            return
        lines = self.data.setdefault("guide", {}).setdefault("lines", [])
        for r, v in items:
            self.at(("guide", "lines", len(lines)), sheet.name, f"{col_letters(found.get('line', 0))}{r + 1}")
            lines.append(v["line"])

    def read_entries(self, sheet: Sheet) -> None:
        rows = self.sheets[sheet.name]
        for r, row in enumerate(rows):
            if r == 0:
                continue
            key = self.value(row[0], "code") if row else None
            values = [self.value(v, "text") for v in row[2:]] if len(row) > 2 else []
            if not key:
                if any(v is not None for v in values):
                    self.say("def-invalid", sheet.name, f"A{r + 1}", reason=phrase("def.reason.row_without_key"))
                continue
            found = entry_of(str(key))
            kind = found[1].kind if found else "text"
            path = tuple(str(key).split("."))
            # An entry dv does not know is said at the key the author typed, not at its value.
            self.at(path, sheet.name, f"{'C' if found else 'A'}{r + 1}")
            raw = row[2:] if len(row) > 2 else []
            if kind == "list":
                value: Any = [self.value(v, "text") for v in raw]
                while value and value[-1] is None:
                    value.pop()
                value = [v if v is not None else "" for v in value]
                for i in range(len(value)):
                    self.at((*path, i), sheet.name, f"{col_letters(2 + i)}{r + 1}")
            else:
                value = self.value(raw[0], kind) if raw else None
            if value is None or value == []:
                continue
            node = self.data
            for part in path[:-1]:
                nxt = node.setdefault(part, {})
                if not isinstance(nxt, dict):
                    break
                node = nxt
            else:
                node[path[-1]] = value

    # -- naming entries ---------------------------------------------------------------------------
    def describe(self, path: EntryPath) -> Localized:
        """What is missing at ``path``: a setting's row, or a value in a column of a list."""
        key = ".".join(str(p) for p in path)
        found = entry_of(key)
        if found is not None:  # the row is there with its value empty, or not there at all
            what = "def.what.row_value" if path in self.cells else "def.what.row"
            return phrase(what, label=found[1].label, entry=key, sheet=found[0])
        shape = generic(path)
        for sheet, columns, renames in LIST_PATHS:
            if shape[: len(columns)] == columns and len(shape) == len(columns) + 1:
                name = renames.get(str(path[-1]), str(path[-1]))
                col = next((c for c in BY_NAME[sheet].columns if c.key == name), None)
                if col is not None:
                    return phrase("def.what.cell", heading=col.heading)
        if path and path[-1] == "headers" or (len(path) >= 2 and path[-2] == "headers"):
            return phrase("def.what.row", label="Tiêu đề cột", entry=key, sheet=LAYOUT)
        return phrase("def.what.key", name=key)


def _method(sheet: str) -> str:
    return {
        FIELDS: "fields",
        RULES: "rules",
        CHOICES: "choices",
        TABLES: "tables",
        CHARTS: "charts",
        REPORT_TEXT: "report_text",
        GUIDE: "guide",
    }[sheet]


def _sheet_order(names: Iterable[str]) -> list[str]:
    """The sheets to read, tables (Bố cục, Bảng kê) before the rules that name them."""
    wanted = [LAYOUT, TABLES, INFO, ROSTER, FIELDS, CHOICES, RULES, CHARTS, REPORT, REPORT_TEXT, GUIDE]
    return [n for n in wanted if n in names]


def read_book(path: str | Path) -> tuple[dict[str, Any], BookSource, list[Issue]]:
    """The neutral structure of a form workbook (.xlsx, .ods), where each entry was read, and the
    problems of the reading itself. Raises :class:`~toolkit.form.FormError` for a file that is
    not a readable workbook."""
    from python_calamine import CalamineError, CalamineWorkbook

    from ..intake.safety import Broken, TooLarge, Unsafe, check_zip
    from ..messages import os_error_text
    from .errors import FormError

    path = Path(path)
    try:
        check_zip(path)
        book = CalamineWorkbook.from_path(str(path))
        sheets = {
            name: book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in book.sheet_names
            if name in BY_NAME
        }
    except OSError as exc:
        raise FormError(phrase("def.unreadable", path=str(path), reason=os_error_text(exc))) from None
    except (Unsafe, Broken, TooLarge, CalamineError, ValueError) as exc:
        raise FormError(phrase("def.unreadable", path=str(path), reason=str(exc)[:200])) from None
    if not any(s.required and s.name in sheets for s in SHEETS):
        # Not a form workbook at all: a unit's template (its hidden "Danh mục" is no form's
        # sheet), a summary, any other workbook.
        raise FormError(phrase("def.not_book", path=str(path), sheets=", ".join(s.name for s in SHEETS[:3])))
    reader = _Reader(str(path), sheets)
    data = _read_in_order(reader, tuple(BY_NAME[n] for n in _sheet_order(sheets)))
    return data, BookSource(str(path), reader.cells, reader.describe, reader.silent), reader.issues


def _read_in_order(reader: _Reader, ordered: tuple[Sheet, ...]) -> dict[str, Any]:
    for sheet in SHEETS:
        if sheet.required and sheet.name not in reader.sheets:
            # Its entries are not said missing one by one: the sheet is.
            for entry in sheet.entries:
                parts = tuple(entry.key.split("."))
                reader.silent.update(parts[:n] for n in range(1, len(parts) + 1))
            reader.issues.append(
                make_issue(
                    "def-missing",
                    where=reader.name,
                    what=phrase("def.what.sheet", sheet=sheet.name),
                    fix=phrase("def.fix.sheet"),
                )
            )
    for sheet in ordered:
        reader.cells[(sheet.name,)] = (sheet.name, "")
        if sheet.is_list:
            reader.read_list(sheet)
        else:
            reader.read_entries(sheet)
    for top, sheet_name in (
        ("form", INFO),
        ("roster", ROSTER),
        ("layout", LAYOUT),
        ("report", REPORT),
        ("sections", FIELDS),
        ("rules", RULES),
        ("choices", CHOICES),
        ("tables", TABLES),
        ("summary", CHARTS),
        ("guide", GUIDE),
    ):
        reader.at((top,), sheet_name, "")
    return reader.data
