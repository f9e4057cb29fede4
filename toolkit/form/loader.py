"""Loading a form definition: TOML → :class:`~toolkit.form.Form`, checked entry by entry.

Every mistake raises :class:`~toolkit.form.FormError` naming the file and the entry (an
unknown key, a duplicate code, a bad type, a rule naming an unknown field), so that next
year's definition is put right before any workbook is made from it.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..messages import Localized, os_error_text
from .cells import col_index
from .errors import FormError, RuleSyntaxError
from .model import (
    DEFAULT_FORM_ID,
    FIELD_TYPES,
    NUMERIC_TYPES,
    SEVERITIES,
    SOURCES,
    Chart,
    Choice,
    Column,
    Field,
    Form,
    Layout,
    Report,
    ReportChange,
    ReportSection,
    Rule,
    Section,
    Table,
)
from .rules import Expression, Template

__all__ = ["load_form", "load_form_file", "available_forms"]

_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
# Names Excel would read as a cell (A1, XFD12) or an R1C1 reference: not allowed as codes.
_CELLISH = re.compile(r"^([a-z]{1,3}[0-9]+|r[0-9]*c?[0-9]*|c[0-9]*)$")
_COLUMN = re.compile(r"^[A-Z]{1,3}$")
_CELL = re.compile(r"^[A-Z]{1,3}[1-9][0-9]*$")


# -- loading ---------------------------------------------------------------------------------


class _Loader:
    """Turns the parsed TOML into a Form, with errors that name file and entry."""

    def __init__(self, data: dict[str, Any], path: str) -> None:
        self.data = data
        self.path = path

    def fail(self, where: str, what: str, en: str) -> FormError:
        """An error naming the file and the entry, in Vietnamese (``what``) and English."""
        return FormError(Localized(f"{self.path}: {where}: {what}", f"{self.path}: {where}: {en}"))

    def take(
        self, table: Mapping[str, Any], where: str, required: tuple[str, ...], optional: tuple[str, ...]
    ) -> dict[str, Any]:
        if not isinstance(table, Mapping):
            raise self.fail(where, "phải là một bảng (table) TOML", "must be a TOML table")
        missing = [k for k in required if k not in table]
        if missing:
            raise self.fail(where, f"thiếu khóa {', '.join(missing)}", f"missing key(s) {', '.join(missing)}")
        unknown = sorted(set(table) - set(required) - set(optional))
        if unknown:
            raise self.fail(where, f"khóa không biết {', '.join(unknown)}", f"unknown key(s) {', '.join(unknown)}")
        return dict(table)

    def code(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not _CODE.match(value) or _CELLISH.match(value):
            raise self.fail(
                where,
                f"mã {value!r} không hợp lệ (chữ thường, số, dấu _; không giống địa chỉ ô)",
                f"invalid code {value!r} (lower-case letters, digits, _; not like a cell address)",
            )
        return value

    def column(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not _COLUMN.match(value):
            raise self.fail(where, f'cột {value!r} không hợp lệ (ví dụ "D")', f'invalid column {value!r} (e.g. "D")')
        return value

    def cell(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not _CELL.match(value):
            raise self.fail(where, f'ô {value!r} không hợp lệ (ví dụ "A1")', f'invalid cell {value!r} (e.g. "A1")')
        return value

    def load(self) -> Form:
        top = self.take(
            self.data,
            "tệp",
            ("form", "layout", "sections", "roster"),
            ("choices", "tables", "rules", "guide", "summary", "report"),
        )
        meta = self.take(
            top["form"],
            "[form]",
            ("id", "version", "year", "title", "subtitle"),
            ("title_en", "subtitle_en", "number_field", "date_field"),
        )
        if not isinstance(meta["year"], int) or not 1990 <= meta["year"] <= 2200:
            raise self.fail("[form].year", f"năm {meta['year']!r} không hợp lệ", f"invalid year {meta['year']!r}")
        layout = self.layout(top["layout"])
        choices = self.choices(top.get("choices", {}))
        sections = self.sections(top["sections"], layout)
        codes = [f.code for s in sections for f in s.fields]
        tables = self.tables(top.get("tables", {}), choices, codes)
        known_fields = {f.code: f for s in sections for f in s.fields}
        for name, f in known_fields.items():
            if f.total is not None:
                self.names_known(f.total.names, known_fields, f"trường {name}.total")
            if f.expr is not None:
                self.names_known(f.expr.names, known_fields, f"trường {name}.expr")
                for ref in f.expr.table_refs:
                    self.table_ref_known(ref, tables, f"trường {name}.expr")
        rules = tuple(
            self.rule(r, f"rules[{i}]", known_fields, None, tables)
            for i, r in enumerate(self.as_list(top.get("rules", []), "rules"))
        )
        self.unique([r.id for r in rules] + [r.id for t in tables.values() for r in t.rules], "rules")
        roster = self.take(top["roster"], "[roster]", ("code", "name"), ())
        for key, code in roster.items():
            if code not in known_fields or not known_fields[code].is_input:
                raise self.fail(
                    f"[roster].{key}", f"{code!r} không phải là một ô nhập", f"{code!r} is not an input field"
                )
        guide = self.take(top.get("guide", {"title": "", "lines": []}), "[guide]", ("title", "lines"), ())
        charts = self.charts(top.get("summary", {}), known_fields)
        report = self.report(top["report"], known_fields, tables) if "report" in top else None
        return Form(
            id=self.code_like_id(meta["id"]),
            version=str(meta["version"]),
            year=meta["year"],
            title=meta["title"],
            title_en=meta.get("title_en", meta["title"]),
            subtitle=meta["subtitle"],
            subtitle_en=meta.get("subtitle_en", meta["subtitle"]),
            layout=layout,
            sections=sections,
            choices=MappingProxyType(choices),
            tables=MappingProxyType(tables),
            rules=rules,
            roster_code=roster["code"],
            roster_name=roster["name"],
            number_field=self.report_field(meta, "number_field", "text", known_fields),
            date_field=self.report_field(meta, "date_field", "date", known_fields),
            guide_title=guide["title"],
            guide_lines=tuple(self.as_list(guide["lines"], "[guide].lines")),
            charts=charts,
            report=report,
            path=self.path,
        )

    def charts(self, raw: Any, known: Mapping[str, Field]) -> tuple[Chart, ...]:
        summary = self.take(raw, "[summary]", (), ("charts",))
        out = []
        for i, c in enumerate(self.as_list(summary.get("charts", []), "[summary].charts")):
            where = f"[summary].charts[{i}]"
            c = self.take(c, where, ("title", "fields"), ("title_en", "target", "target_label"))
            self.names_known(frozenset(c["fields"]), known, f"{where}.fields")
            out.append(
                Chart(
                    title=c["title"],
                    title_en=c.get("title_en", c["title"]),
                    fields=tuple(c["fields"]),
                    target=c.get("target"),
                    target_label=c.get("target_label", ""),
                )
            )
        return tuple(out)

    # Names a report template may use besides field codes, by kind of template.
    _REPORT_NAMES = {
        "sentence": frozenset({"year"}),
        "change": frozenset({"year", "previous_year", "change", "previous"}),
        "list": frozenset({"year", "count", "total", "names"}),
        "note": frozenset({"year", "previous_year", "label", "names", "units", "previous_units"}),
    }

    def report(self, raw: Any, known: Mapping[str, Field], tables: Mapping[str, Table]) -> Report:
        texts = ("agency_parent", "agency", "nation", "motto", "date_line", "title", "attachment", "province")
        r = self.take(raw, "[report]", (*texts, "compare_intro", "sections", "documents", "units", "notes"), ())
        for key in texts:
            self.plain(r[key], f"[report].{key}")
        summable = {code for code, f in known.items() if f.type in NUMERIC_TYPES}

        def tpl(text: Any, where: str, kind: str) -> Template:
            out = self.template(text, where)
            allowed = self._REPORT_NAMES[kind] | (summable if kind in ("sentence", "change") else set())
            self.names_known(out.names, dict.fromkeys(allowed), where)
            return out

        d = self.take(r["documents"], "[report.documents]", ("table", "group", "item", "headers"), ())
        table = tables.get(d["table"])
        if table is None:
            raise self.fail("[report.documents].table", f"không có bảng {d['table']!r}", f"no table {d['table']!r}")
        columns = {c.code: c for c in table.columns}
        if d["group"] not in columns or not columns[d["group"]].choices:
            raise self.fail(
                "[report.documents].group",
                f"{d['group']!r} không phải là cột chọn của bảng {table.code}",
                f"{d['group']!r} is not a choice column of table {table.code}",
            )
        item = self.template(d["item"], "[report.documents].item")
        self.names_known(item.names, columns, "[report.documents].item")
        doc_headers = self.headers(d["headers"], "[report.documents].headers", 5)
        u = self.take(
            r["units"],
            "[report.units]",
            ("title", "headers", "columns", "no_previous", "note", "missing", "rejected", "all_sent"),
            (),
        )
        unit_columns = []
        for i, c in enumerate(self.as_list(u["columns"], "[report.units].columns")):
            c = self.take(c, f"[report.units].columns[{i}]", ("field", "header"), ())
            if c["field"] not in summable:
                raise self.fail(
                    f"[report.units].columns[{i}]",
                    f"{c['field']!r} không phải là một trường số",
                    f"{c['field']!r} is not a numeric field",
                )
            unit_columns.append((c["field"], self.plain(c["header"], f"[report.units].columns[{i}].header")))
        notes = ("new_field", "not_in_previous", "not_sent_previous", "coverage")
        n = self.take(r["notes"], "[report.notes]", notes, ())
        sections = []
        for i, sec in enumerate(self.as_list(r["sections"], "[[report.sections]]")):
            where = f"[[report.sections]][{i}]"
            sec = self.take(sec, where, ("title", "sentences"), ("documents", "compare"))
            changes = []
            for j, c in enumerate(self.as_list(sec.get("compare", []), f"{where}.compare")):
                cw = f"{where}.compare[{j}]"
                c = self.take(c, cw, ("field", "up", "down", "same"), ())
                if c["field"] not in summable:
                    raise self.fail(
                        cw, f"{c['field']!r} không phải là một trường số", f"{c['field']!r} is not a numeric field"
                    )
                changes.append(
                    ReportChange(c["field"], *(tpl(c[k], f"{cw}.{k}", "change") for k in ("up", "down", "same")))
                )
            sections.append(
                ReportSection(
                    title=self.plain(sec["title"], f"{where}.title"),
                    sentences=tuple(
                        tpl(t, f"{where}.sentences[{k}]", "sentence")
                        for k, t in enumerate(self.as_list(sec["sentences"], f"{where}.sentences"))
                    ),
                    documents=bool(sec.get("documents", False)),
                    compare=tuple(changes),
                )
            )
        return Report(
            **{k: r[k] for k in texts},
            compare_intro=tpl(r["compare_intro"], "[report].compare_intro", "note"),
            sections=tuple(sections),
            documents_table=table.code,
            documents_group=d["group"],
            documents_item=item,
            documents_headers=doc_headers,
            units_title=self.plain(u["title"], "[report.units].title"),
            units_headers=self.headers(u["headers"], "[report.units].headers", 2),
            units_columns=tuple(unit_columns),
            no_previous=self.plain(u["no_previous"], "[report.units].no_previous"),
            units_note=tpl(u["note"], "[report.units].note", "note"),
            missing=tpl(u["missing"], "[report.units].missing", "list"),
            rejected=tpl(u["rejected"], "[report.units].rejected", "list"),
            all_sent=tpl(u["all_sent"], "[report.units].all_sent", "list"),
            **{k: tpl(n[k], f"[report.notes].{k}", "note") for k in notes},
        )

    def plain(self, text: Any, where: str) -> str:
        """A plain text; ``{year}`` and ``{previous_year}`` are the only placeholders."""
        if not isinstance(text, str):
            raise self.fail(where, "phải là chuỗi", "must be a string")
        try:
            text.format(year=2000, previous_year=1999)
        except (KeyError, IndexError, ValueError) as exc:
            raise self.fail(
                where, f"chỉ dùng được {{year}}, {{previous_year}} ({exc})", f"only {{year}}, {{previous_year}} ({exc})"
            ) from None
        return text

    def headers(self, value: Any, where: str, count: int) -> tuple[str, ...]:
        items = self.as_list(value, where)
        if len(items) != count or not all(isinstance(h, str) for h in items):
            raise self.fail(where, f"cần đúng {count} tiêu đề cột", f"needs exactly {count} column headings")
        return tuple(items)

    def report_field(self, meta: Mapping[str, Any], key: str, type_: str, known: Mapping[str, Field]) -> str:
        """An optional [form] key naming an input field of ``type_`` ("" when absent)."""
        code = meta.get(key, "")
        if code and (code not in known or not known[code].is_input or known[code].type != type_):
            raise self.fail(
                f"[form].{key}", f"{code!r} không phải là một ô nhập kiểu {type_}", f"{code!r} is not a {type_} input"
            )
        return code

    def code_like_id(self, value: Any) -> str:
        if not isinstance(value, str) or not re.match(r"^[a-z0-9][a-z0-9-]*$", value):
            raise self.fail("[form].id", f"mã biểu mẫu {value!r} không hợp lệ", f"invalid form id {value!r}")
        return value

    def as_list(self, value: Any, where: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(where, "phải là một danh sách", "must be a list")
        return value

    def unique(self, codes: list[str], where: str) -> None:
        seen: set[str] = set()
        for code in codes:
            if code in seen:
                raise self.fail(where, f"mã {code!r} bị trùng", f"duplicate code {code!r}")
            seen.add(code)

    def layout(self, raw: Any) -> Layout:
        keys = (
            "sheet",
            "title_row",
            "subtitle_row",
            "attachment_row",
            "status_row",
            "header_row",
            "number_column",
            "label_column",
            "unit_column",
            "value_column",
            "check_column",
            "headers",
            "widths",
            "lists_sheet",
            "meta_sheet",
            "guide_sheet",
        )
        lay = self.take(raw, "[layout]", keys, ("headers_en",))
        for key in keys:
            if key.endswith("_column"):
                self.column(lay[key], f"[layout].{key}")
            if key.endswith("_row") and (not isinstance(lay[key], int) or lay[key] < 1):
                raise self.fail(f"[layout].{key}", "phải là số dòng ≥ 1", "must be a row number ≥ 1")
        return Layout(
            **{k: lay[k] for k in keys if k not in ("headers", "widths")},
            headers=MappingProxyType(dict(lay["headers"])),
            headers_en=MappingProxyType(dict(lay.get("headers_en", lay["headers"]))),
            widths=MappingProxyType(dict(lay["widths"])),
        )

    def choices(self, raw: Any) -> dict[str, tuple[Choice, ...]]:
        out: dict[str, tuple[Choice, ...]] = {}
        for key, items in raw.items():
            where = f"[choices].{key}"
            entries = []
            for i, item in enumerate(self.as_list(items, where)):
                entry = self.take(item, f"{where}[{i}]", ("value",), ("en", "abbr", "style"))
                if entry.get("style", "") not in ("", "party", "state"):
                    raise self.fail(f"{where}[{i}]", "style phải là party hoặc state", "style must be party or state")
                entries.append(Choice(**entry))
            self.unique([c.value for c in entries], where)
            out[self.code(key, where)] = tuple(entries)
        return out

    def sections(self, raw: Any, lay: Layout) -> tuple[Section, ...]:
        row = lay.header_row + 1
        out = []
        codes: list[str] = []
        for i, sec in enumerate(self.as_list(raw, "sections")):
            where = f"sections[{i}]"
            s = self.take(sec, where, ("number", "title", "fields"), ("title_en",))
            section_row = row
            row += 1
            fields = []
            for j, raw_field in enumerate(self.as_list(s["fields"], f"{where}.fields")):
                fields.append(self.field(raw_field, f"{where}.fields[{j}]", lay, str(s["number"]), row))
                codes.append(fields[-1].code)
                row += 1
            out.append(
                Section(
                    number=str(s["number"]),
                    title=s["title"],
                    title_en=s.get("title_en", s["title"]),
                    row=section_row,
                    fields=tuple(fields),
                )
            )
        self.unique(codes, "sections.fields")
        return tuple(out)

    def field(self, raw: Any, where: str, lay: Layout, section: str, row: int) -> Field:
        f = self.take(
            raw,
            where,
            ("code", "label", "type"),
            ("label_en", "required", "source", "unit", "unit_en", "help", "expr", "value", "total"),
        )
        code = self.code(f["code"], f"{where}.code")
        where = f"{where} ({code})"
        if f["type"] not in FIELD_TYPES:
            raise self.fail(
                where,
                f"kiểu {f['type']!r} không biết (có: {', '.join(FIELD_TYPES)})",
                f"unknown type {f['type']!r} (known: {', '.join(FIELD_TYPES)})",
            )
        source = f.get("source", "input")
        if source not in SOURCES:
            raise self.fail(
                where,
                f"source {source!r} không biết (có: {', '.join(SOURCES)})",
                f"unknown source {source!r} (known: {', '.join(SOURCES)})",
            )
        if (source == "derived") != ("expr" in f):
            raise self.fail(
                where,
                'trường tính toán (source = "derived") cần expr, và chỉ nó',
                'a derived field (source = "derived") needs expr, and only it does',
            )
        expr = self.expression(f["expr"], f"{where}.expr") if "expr" in f else None
        if (source == "fixed") != ("value" in f):
            raise self.fail(
                where,
                'trường cố định (source = "fixed") cần value, và chỉ nó',
                'a fixed field (source = "fixed") needs value, and only it does',
            )
        if source == "fixed" and f["type"] == "integer":
            try:
                int(str(f["value"]).format(year=2000))
            except ValueError:
                raise self.fail(
                    where, f"value {f['value']!r} không phải là số nguyên", f"value {f['value']!r} is not an integer"
                ) from None
        return Field(
            code=code,
            label=f["label"],
            label_en=f.get("label_en", ""),
            type=f["type"],
            section=section,
            sheet=lay.sheet,
            row=row,
            column=lay.value_column,
            required=bool(f.get("required", False)),
            source=source,
            unit=f.get("unit", ""),
            unit_en=f.get("unit_en", ""),
            help=f.get("help", ""),
            expr=expr,
            value=str(f.get("value", "")),
            total=self.expression(f["total"], f"{where}.total") if "total" in f else None,
        )

    def expression(self, text: Any, where: str) -> Expression:
        if not isinstance(text, str):
            raise self.fail(where, "phải là chuỗi", "must be a string")
        try:
            return Expression(text)
        except RuleSyntaxError as exc:
            raise self.fail(where, exc.message.vi, exc.message.en) from None

    def template(self, text: Any, where: str) -> Template:
        if not isinstance(text, str):
            raise self.fail(where, "phải là chuỗi", "must be a string")
        try:
            return Template(text)
        except RuleSyntaxError as exc:
            raise self.fail(where, exc.message.vi, exc.message.en) from None

    def names_known(self, names: frozenset[str], known: Mapping[str, Any], where: str) -> None:
        unknown = sorted(names - set(known))
        if unknown:
            raise self.fail(
                where,
                f"trường không có trong biểu mẫu: {', '.join(unknown)}",
                f"field(s) not in the form: {', '.join(unknown)}",
            )

    def table_ref_known(self, ref: Any, tables: Mapping[str, Table], where: str) -> None:
        table = tables.get(ref.table)
        if table is None or ref.column not in {c.code for c in table.columns}:
            raise self.fail(where, f"không có cột {ref.table}.{ref.column}", f"no column {ref.table}.{ref.column}")

    def tables(self, raw: Any, choices: Mapping[str, Any], field_codes: list[str]) -> dict[str, Table]:
        out: dict[str, Table] = {}
        for code, t in raw.items():
            where = f"[tables.{code}]"
            self.code(code, where)
            if code in field_codes:
                raise self.fail(where, "trùng mã với một trường", "same code as a field")
            t = self.take(
                t,
                where,
                ("sheet", "title", "header_row", "rows", "number_column", "check_column", "columns"),
                ("title_en", "rules", "widths", "earlier_title_cell", "identity"),
            )
            cols = []
            for i, c in enumerate(self.as_list(t["columns"], f"{where}.columns")):
                cw = f"{where}.columns[{i}]"
                c = self.take(c, cw, ("code", "column", "label", "type"), ("label_en", "choices", "help"))
                self.code(c["code"], f"{cw}.code")
                self.column(c["column"], f"{cw}.column")
                if c["type"] not in FIELD_TYPES:
                    raise self.fail(cw, f"kiểu {c['type']!r} không biết", f"unknown type {c['type']!r}")
                if (c["type"] == "choice") != bool(c.get("choices")):
                    raise self.fail(
                        cw,
                        "cột kiểu choice cần choices (tên danh mục), và chỉ nó",
                        "a choice column needs choices (a list name), and only it does",
                    )
                if c.get("choices") and c["choices"] not in choices:
                    raise self.fail(
                        cw,
                        f"không có danh mục {c['choices']!r} trong [choices]",
                        f"no list {c['choices']!r} in [choices]",
                    )
                cols.append(Column(label_en=c.get("label_en", ""), **{k: v for k, v in c.items() if k != "label_en"}))
            self.unique([c.code for c in cols], f"{where}.columns")
            letters = [col_index(c.column) for c in cols]
            if letters != list(range(letters[0], letters[0] + len(letters))):
                raise self.fail(where, "các cột phải liền nhau, theo thứ tự", "columns must be adjacent, in order")
            if not isinstance(t["rows"], int) or t["rows"] < 200:
                raise self.fail(f"{where}.rows", "cần ít nhất 200 dòng nhập sẵn", "needs at least 200 pre-made rows")
            identity = tuple(self.as_list(t.get("identity", []), f"{where}.identity"))
            if any(name not in {c.code for c in cols} for name in identity):
                raise self.fail(f"{where}.identity", "chỉ gồm mã các cột của bảng", "only the table's column codes")
            known = {**{c.code: c for c in cols}, **dict.fromkeys(field_codes)}
            rules = tuple(
                self.rule(r, f"{where}.rules[{i}]", known, code, out)
                for i, r in enumerate(self.as_list(t.get("rules", []), f"{where}.rules"))
            )
            out[code] = Table(
                code=code,
                sheet=t["sheet"],
                title=t["title"],
                title_en=t.get("title_en", t["title"]),
                header_row=t["header_row"],
                rows=t["rows"],
                number_column=self.column(t["number_column"], f"{where}.number_column"),
                check_column=self.column(t["check_column"], f"{where}.check_column"),
                columns=tuple(cols),
                rules=rules,
                widths=MappingProxyType(dict(t.get("widths", {}))),
                identity=identity,
                earlier_title_cell=(
                    self.cell(t["earlier_title_cell"], f"{where}.earlier_title_cell")
                    if "earlier_title_cell" in t
                    else None
                ),
            )
        return out

    def rule(
        self, raw: Any, where: str, known: Mapping[str, Any], table: str | None, tables: Mapping[str, Table]
    ) -> Rule:
        r = self.take(
            raw,
            where,
            ("id", "severity", "expr", "live", "message"),
            ("anchor", "live_en", "message_en", "description", "description_en"),
        )
        where = f"{where} ({r['id']})"
        if r["severity"] not in SEVERITIES:
            raise self.fail(
                where, f"severity phải là {' hoặc '.join(SEVERITIES)}", f"severity must be {' or '.join(SEVERITIES)}"
            )
        expr = self.expression(r["expr"], f"{where}.expr")
        self.names_known(expr.names, known, f"{where}.expr")
        for ref in expr.table_refs:
            self.table_ref_known(ref, tables, f"{where}.expr")
        texts = {
            k: self.template(r.get(k, r[k.removesuffix("_en")]), f"{where}.{k}")
            for k in ("live", "live_en", "message", "message_en")
        }
        for key, tpl in texts.items():
            self.names_known(tpl.names, known, f"{where}.{key}")
        anchor = r.get("anchor", "")
        if table is None:
            if anchor not in known:
                raise self.fail(
                    where, f"anchor {anchor!r} không phải là một trường", f"anchor {anchor!r} is not a field"
                )
            if known[anchor].source == "derived":
                raise self.fail(where, "anchor phải là một ô nhập", "anchor must be an input field")
        elif anchor:
            raise self.fail(where, "quy tắc của bảng không có anchor", "a table rule has no anchor")
        description = str(r.get("description", ""))
        return Rule(
            id=r["id"],
            severity=r["severity"],
            expr=expr,
            anchor=anchor,
            table=table or "",
            description=description,
            description_en=str(r.get("description_en", description)),
            **texts,
        )


def _packaged_forms() -> list[Path]:
    root = resources.files("workbook_templates")
    return sorted(Path(str(p)) for p in root.iterdir() if p.name.endswith(".toml"))


def load_form_file(path: str | Path) -> Form:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        reason = os_error_text(exc)
        raise FormError(
            f"{path}: không đọc được tệp biểu mẫu ({reason.vi})",
            f"{path}: cannot read the form file ({reason.en})",
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise FormError(f"{path}: không phải TOML hợp lệ: {exc}", f"{path}: not valid TOML: {exc}") from None
    return _Loader(data, str(path)).load()


def available_forms() -> list[Form]:
    """The forms that ship with the package."""
    return [load_form_file(p) for p in _packaged_forms()]


def load_form(form: str | Path | None = None, year: int | None = None) -> Form:
    """A form by path, or by id (and year) among the packaged ones; the newest by default."""
    if form is not None and (Path(form).suffix == ".toml" or Path(form).is_file()):
        loaded = load_form_file(form)
        if year is not None and loaded.year != year:
            raise FormError(
                f"{form}: biểu mẫu của năm {loaded.year}, không phải {year}",
                f"{form}: a form for {loaded.year}, not {year}",
            )
        return loaded
    wanted = str(form or DEFAULT_FORM_ID)
    candidates = [f for f in available_forms() if f.id == wanted]
    if not candidates:
        known = sorted({f.id for f in available_forms()})
        raise FormError(
            f"không có biểu mẫu {wanted!r} (có: {', '.join(known)})", f"no form {wanted!r} (known: {', '.join(known)})"
        )
    if year is not None:
        match = [f for f in candidates if f.year == year]
        if not match:
            years = ", ".join(str(f.year) for f in candidates)
            raise FormError(
                f"biểu mẫu {wanted!r} không có năm {year} (có: {years})",
                f"form {wanted!r} has no year {year} (known: {years})",
            )
        candidates = match
    return max(candidates, key=lambda f: (f.year, f.version))
