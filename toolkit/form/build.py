"""A form definition, as one neutral structure (the dict ``tomllib`` gives), checked entry by
entry and built into a :class:`~toolkit.form.Form`.

The TOML text and the form workbook both arrive here: the checks are written once, against
paths of the structure, and every problem is collected (never only the first) as an issue
(``def-…`` codes of ``toolkit.issues``) at the entry or cell a :class:`~toolkit.form.where.Source`
names. No form is built while a problem remains.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from ..issues import CATALOGUE, Issue, make_issue
from ..messages import Localized, phrase
from .build_report import ReportChecks
from .cells import col_index
from .errors import RuleSyntaxError
from .model import (
    FIELD_TYPES,
    NUMERIC_TYPES,
    ROLES,
    ROLLUPS,
    SEVERITIES,
    SOURCES,
    STYLES,
    TABLE_ROLLUPS,
    Choice,
    Column,
    Field,
    Form,
    Layout,
    Rule,
    Section,
    Table,
)
from .rules import Expression, Template
from .where import Path, Source, close_matches, close_phrase
from .words import enum_list

__all__ = ["build_form", "TOP_KEYS"]

CODE = re.compile(r"^[a-z][a-z0-9_]*$")
# Names Excel would read as a cell (A1, XFD12) or an R1C1 reference: not allowed as codes.
CELLISH = re.compile(r"^([a-z]{1,3}[0-9]+|r[0-9]*c?[0-9]*|c[0-9]*)$")
COLUMN = re.compile(r"^[A-Z]{1,3}$")
CELL = re.compile(r"^[A-Z]{1,3}[1-9][0-9]*$")
FORM_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# Excel refuses these in a sheet name, and names longer than 31 characters.
SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
MIN_TABLE_ROWS = 200

TOP_REQUIRED = ("form", "layout", "sections", "roster")
TOP_OPTIONAL = ("choices", "tables", "rules", "guide", "summary", "report")
TOP_KEYS = TOP_REQUIRED + TOP_OPTIONAL
FORM_REQUIRED = ("id", "version", "year", "title", "subtitle")
FORM_OPTIONAL = ("title_en", "subtitle_en", "number_field", "date_field", "attachment")
LAYOUT_ROWS = ("title_row", "subtitle_row", "attachment_row", "status_row", "header_row")
LAYOUT_COLUMNS = ("number_column", "label_column", "unit_column", "value_column", "check_column")
LAYOUT_SHEETS = ("sheet", "lists_sheet", "meta_sheet", "guide_sheet")
LAYOUT_REQUIRED = (*LAYOUT_SHEETS[:1], *LAYOUT_ROWS, "headers", *LAYOUT_COLUMNS, "widths", *LAYOUT_SHEETS[1:])
LAYOUT_OPTIONAL = ("headers_en", "signature_left", "signature_right")
SECTION_REQUIRED = ("number", "title", "fields")
SECTION_OPTIONAL = ("title_en",)
FIELD_REQUIRED = ("code", "label", "type")
FIELD_OPTIONAL = (
    "label_en",
    "required",
    "source",
    "unit",
    "unit_en",
    "help",
    "expr",
    "value",
    "total",
    "choices",
    "min",
    "max",
    "rollup",
    "rollup_from",
)
CHOICE_KEYS = ("value", "en", "abbr", "style")
TABLE_REQUIRED = ("sheet", "title", "header_row", "rows", "number_column", "check_column", "columns")
TABLE_OPTIONAL = ("title_en", "rules", "widths", "earlier_title_cell", "note", "identity", "rollup")
COLUMN_REQUIRED = ("code", "column", "label", "type")
COLUMN_OPTIONAL = ("label_en", "choices", "help", "role")
RULE_REQUIRED = ("id", "severity", "expr", "live", "message")
RULE_OPTIONAL = ("anchor", "live_en", "message_en", "description", "description_en")
ATTACHMENT_NAMES = ("number", "date", "unit")


def build_form(data: Any, source: Source, path: str = "") -> tuple[Form | None, list[Issue]]:
    """The form the structure ``data`` defines, or None, and every problem found in it."""
    builder = _Builder(data, source)
    form = builder.build(path)
    return (None if builder.issues else form), builder.issues


def _shown(value: Any) -> str:
    """A value as a message quotes it: text as it is, anything else as Python writes it."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:79] + "…"


def suggest_code(text: str) -> str:
    """A code made from a label or a misspelt code: lower case, no tone marks, _ for spaces."""
    plain = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    code = re.sub(r"[^a-z0-9]+", "_", plain).strip("_")
    if code and not code[0].isalpha():
        code = "c_" + code
    return code


class _Builder(ReportChecks):
    def __init__(self, data: Any, source: Source) -> None:
        self.data = data
        self.source = source
        self.issues: list[Issue] = []
        self.seen: dict[tuple[str, str], Path] = {}  # (kind, code) → where it was first defined
        # Fields with a valid code but some other problem: still names a rule may use, so that
        # one mistake is said once, not again in every rule that names the field.
        self.broken_fields: set[str] = set()
        self.broken_tables: set[str] = set()
        self.said_names: set[tuple[Path, str]] = set()  # (entry, name): an unknown name said once per entry

    # -- saying a problem ------------------------------------------------------------------------
    def say(self, code: str, path: Path, **params: Any) -> None:
        if code == "def-missing" and self.source.silenced(path):
            return  # a value in a column whose heading is wrong: the heading was said, once
        where, sheet, cell = self.source.locate(path)
        self.issues.append(make_issue(code, sheet=sheet, cell=cell, where=where, **params))

    def bad(self, path: Path, value: Any, reason: str, **params: Any) -> None:
        self.say("def-bad-value", path, value=_shown(value), reason=phrase(reason, **params))

    def invalid(self, path: Path, reason: str, **params: Any) -> None:
        self.say("def-invalid", path, reason=phrase(reason, **params))

    def listed(self, name: str, values: tuple[str, ...]) -> Localized:
        """A closed set of values as the author writes them (the workbook's words, or TOML's)."""
        return enum_list(name, values, self.source.kind == "book")

    def missing(self, path: Path, fix: str = "def.fix.fill", **params: Any) -> None:
        self.say("def-missing", path, what=self.source.describe(path), fix=phrase(fix, **params))

    def unknown_name(self, path: Path, name: str, kind: str, known: Iterable[str]) -> None:
        self.say("def-unknown-name", path, value=name, kind=phrase(kind), close=close_phrase(name, known))

    # -- reading values ---------------------------------------------------------------------------
    def mapping(self, value: Any, path: Path) -> Mapping[str, Any] | None:
        if isinstance(value, Mapping):
            return value
        self.bad(path, value, "def.reason.table")
        return None

    def keys(self, value: Any, path: Path, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict[str, Any]:
        """The known keys of a table; a missing one and an unknown one are each a problem."""
        table = self.mapping(value, path)
        if table is None:
            return {}
        allowed = (*required, *optional)
        meant: set[str] = set()  # the keys a misspelt one was close to: not said missing again
        for key in table:
            if key not in allowed:
                close = close_matches(str(key), allowed)
                meant.update(close)
                names = ", ".join(self.source.key_name((*path, k)) for k in close)
                self.say(
                    "def-unknown-key",
                    (*path, key),
                    key=self.source.key_name((*path, key)),
                    close=phrase("def.close_key", names=names) if close else Localized(""),
                )
        for key in required:
            if (key not in table or table[key] in ("", None)) and key not in meant:
                self.missing((*path, key))
        return {k: v for k, v in table.items() if k in allowed and v not in ("", None)}

    def items(self, value: Any, path: Path) -> list[Any]:
        if isinstance(value, list):
            return value
        self.bad(path, value, "def.reason.list")
        return []

    def text(self, table: Mapping[str, Any], key: str, path: Path, default: str | None = None) -> str | None:
        value = table.get(key, default)
        if value is None or isinstance(value, str):
            return value
        self.bad((*path, key), value, "def.reason.text")
        return None

    def plain(self, table: Mapping[str, Any], key: str, path: Path, default: str | None = None) -> str | None:
        """A text whose only placeholders are ``{year}`` and ``{previous_year}``."""
        text = self.text(table, key, path, default)
        if text is None:
            return None
        try:
            text.format(year=2000, previous_year=1999)
        except (KeyError, IndexError, ValueError, AttributeError) as exc:
            self.bad((*path, key), text, "def.reason.plain", detail=str(exc))
            return None
        return text

    def integer(self, table: Mapping[str, Any], key: str, path: Path, low: int, high: int = 10**9) -> int | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.bad((*path, key), value, "def.reason.integer", low=low, high=high)
            return None
        return value

    def number(self, table: Mapping[str, Any], key: str, path: Path) -> int | float | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.bad((*path, key), value, "def.reason.number")
            return None
        return value

    def boolean(self, table: Mapping[str, Any], key: str, path: Path) -> bool:
        value = table.get(key, False)
        if isinstance(value, bool):
            return value
        self.bad((*path, key), value, "def.reason.boolean")
        return False

    def code(self, value: Any, path: Path, kind: str = "") -> str | None:
        if isinstance(value, str) and CODE.match(value) and not CELLISH.match(value):
            if kind:
                first = self.seen.setdefault((kind, value), path)
                if first != path:
                    self.say("def-duplicate", path, value=value, first=self.source.locate(first)[0])
            return value
        suggestion = suggest_code(value) if isinstance(value, str) else ""
        if suggestion and (not CODE.match(suggestion) or CELLISH.match(suggestion)):
            suggestion = ""
        hint = phrase("def.hint.code", code=suggestion) if suggestion and suggestion != value else Localized("")
        self.bad(path, value, "def.reason.code", hint=hint)
        return None

    def column(self, value: Any, path: Path) -> str | None:
        if isinstance(value, str) and COLUMN.match(value):
            return value
        self.bad(path, value, "def.reason.column")
        return None

    def cell(self, value: Any, path: Path) -> str | None:
        if isinstance(value, str) and CELL.match(value):
            return value
        self.bad(path, value, "def.reason.cell")
        return None

    def sheet_name(self, value: Any, path: Path) -> str | None:
        if isinstance(value, str) and value.strip() and len(value) <= 31 and not SHEET_FORBIDDEN.search(value):
            return value
        self.bad(path, value, "def.reason.sheet")
        return None

    def expression(self, text: Any, path: Path) -> Expression | None:
        if not isinstance(text, str):
            self.bad(path, text, "def.reason.text")
            return None
        try:
            return Expression(text)
        except RuleSyntaxError as exc:
            self.say("def-rule-syntax", path, reason=exc.message, value=text)
            return None

    def template(self, text: Any, path: Path) -> Template | None:
        if not isinstance(text, str):
            self.bad(path, text, "def.reason.text")
            return None
        try:
            return Template(text)
        except RuleSyntaxError as exc:
            self.say("def-rule-syntax", path, reason=exc.message, value=text)
            return None

    def names_known(self, names: Iterable[str], known: Iterable[str], path: Path, kind: str) -> bool:
        """Every name known; an unknown one is said once for its entry (a rule naming a missing
        field in its expression and its four texts is one mistake), and a field that exists
        but has a problem of its own is not unknown."""
        known = set(known) | self.broken_fields
        unknown = sorted(set(names) - known)
        entry = path[:2] if path[:1] == ("rules",) else path[:4] if path[:1] == ("tables",) else path
        for name in unknown:
            if (entry, name) not in self.said_names:
                self.said_names.add((entry, name))
                self.unknown_name(path, name, kind, known - self.broken_fields)
        return not unknown

    # -- the whole form ---------------------------------------------------------------------------
    def build(self, file_path: str) -> Form | None:
        top = self.keys(self.data, (), TOP_REQUIRED, TOP_OPTIONAL)
        meta = self.keys(top.get("form", {}), ("form",), FORM_REQUIRED, FORM_OPTIONAL)
        year = self.integer(meta, "year", ("form",), 1990, 2200)
        form_id = meta.get("id")
        if form_id is not None and not (isinstance(form_id, str) and FORM_ID.match(form_id)):
            self.bad(("form", "id"), form_id, "def.reason.form_id")
        version = meta.get("version")
        if isinstance(version, bool) or (version is not None and not isinstance(version, str | int | float)):
            self.bad(("form", "version"), version, "def.reason.text")
            version = None
        version = None if version is None else str(version)
        if version is not None and year is not None and not version.startswith(str(year)):
            self.say("def-year-version", ("form", "version"), value=version, year=year, example=f"{year}.1")
        texts = {k: self.plain(meta, k, ("form",)) for k in ("title", "subtitle", "title_en", "subtitle_en")}
        attachment = self.attachment(meta)
        layout = self.layout(top.get("layout", {}))
        choices = self.choices(top.get("choices", {}))
        sections = self.sections(top.get("sections", []), layout, choices)
        fields = {f.code: f for s in sections for f in s.fields}
        self.field_paths = {f.code: p for f, p in self.field_path_list}
        names = {**dict.fromkeys(self.broken_fields), **fields}  # every field a rule may name
        tables = self.tables(top.get("tables", {}), choices, names, layout)
        self.field_references(fields, tables, names)
        rules = [
            rule
            for i, raw in enumerate(self.items(top.get("rules", []), ("rules",)))
            if (rule := self.rule(raw, ("rules", i), names, None, tables)) is not None
        ]
        roster = self.keys(top.get("roster", {}), ("roster",), ("code", "name"))
        for key in ("code", "name"):
            code = roster.get(key)
            if (
                code is not None
                and code not in self.broken_fields
                and (code not in fields or not fields[code].is_input)
            ):
                self.invalid(("roster", key), "def.reason.roster", code=_shown(code))
        number_field = self.report_field(meta, "number_field", "text", fields)
        date_field = self.report_field(meta, "date_field", "date", fields)
        guide = self.keys(top.get("guide", {"title": "", "lines": []}), ("guide",), (), ("title", "lines"))
        guide_lines = []
        for i, line in enumerate(self.items(guide.get("lines", []), ("guide", "lines"))):
            if isinstance(line, str):
                guide_lines.append(line)
            else:
                self.bad(("guide", "lines", i), line, "def.reason.text")
        charts = self.charts(top.get("summary", {}), fields)
        report = self.report(top["report"], fields, tables) if "report" in top else None
        if self.issues or layout is None or year is None or version is None:
            return None
        return Form(
            id=str(form_id),
            version=version,
            year=year,
            title=str(texts["title"]),
            title_en=texts["title_en"] or str(texts["title"]),
            subtitle=str(texts["subtitle"]),
            subtitle_en=texts["subtitle_en"] or str(texts["subtitle"]),
            layout=layout,
            sections=tuple(sections),
            choices=MappingProxyType(choices),
            tables=MappingProxyType(tables),
            rules=tuple(rules),
            roster_code=str(roster.get("code")),
            roster_name=str(roster.get("name")),
            number_field=number_field,
            date_field=date_field,
            guide_title=str(guide.get("title", "")),
            guide_lines=tuple(guide_lines),
            charts=charts,
            report=report,
            attachment=attachment,
            path=file_path,
        )

    def attachment(self, meta: Mapping[str, Any]) -> str:
        """The template's "Kèm theo Báo cáo số {number} ngày {date} của {unit}" line."""
        text = self.text(meta, "attachment", ("form",), "")
        if not text:
            return ""
        names = re.findall(r"\{([^{}]*)\}", text)
        bad = [n for n in names if n not in ATTACHMENT_NAMES]
        if bad or text.count("{") != len(names) or text.count("}") != len(names):
            self.bad(("form", "attachment"), text, "def.reason.attachment", names="{number}, {date}, {unit}")
            return ""
        return text

    def report_field(self, meta: Mapping[str, Any], key: str, type_: str, fields: Mapping[str, Field]) -> str:
        """An optional [form] key naming an input field of ``type_`` ("" when absent)."""
        code = meta.get(key, "")
        if not code:
            return ""
        if code in self.broken_fields:
            return str(code)
        if code not in fields:
            self.unknown_name(("form", key), str(code), "def.kind.field", fields)
        elif not fields[code].is_input or fields[code].type != type_:
            self.invalid(("form", key), "def.reason.report_field", code=code, type=self.listed("type", (type_,)))
        return str(code)

    # -- layout -----------------------------------------------------------------------------------
    def layout(self, raw: Any) -> Layout | None:
        path: Path = ("layout",)
        lay = self.keys(raw, path, LAYOUT_REQUIRED, LAYOUT_OPTIONAL)
        ok = True
        for key in LAYOUT_ROWS:
            if key in lay:
                ok &= self.integer(lay, key, path, 1, 1000) is not None
        for key in LAYOUT_COLUMNS:
            if key in lay:
                ok &= self.column(lay[key], (*path, key)) is not None
        sheets: dict[str, Path] = {}
        for key in LAYOUT_SHEETS:
            if key in lay and self.sheet_name(lay[key], (*path, key)) is not None:
                ok &= self.distinct_sheet(lay[key], (*path, key), sheets)
        headers = self.letters_map(lay.get("headers", {}), (*path, "headers"), str)
        headers_en = self.letters_map(lay.get("headers_en", headers), (*path, "headers_en"), str)
        widths = self.letters_map(lay.get("widths", {}), (*path, "widths"), (int, float))
        for key in LAYOUT_COLUMNS:
            letter = lay.get(key)
            if isinstance(letter, str) and headers is not None and "headers" in lay and letter not in headers:
                self.missing((*path, "headers", letter))
                ok = False
        signatures = {}
        for key in ("signature_left", "signature_right"):
            value = lay.get(key, [])
            lines = self.items(value, (*path, key))
            if not all(isinstance(line, str) for line in lines) or len(lines) > 3:
                self.bad((*path, key), value, "def.reason.signature")
                ok = False
            signatures[key] = tuple(str(line) for line in lines)
        self.sheets = sheets
        if not ok or headers is None or widths is None or headers_en is None or set(LAYOUT_REQUIRED) - set(lay):
            return None
        return Layout(
            sheet=lay["sheet"],
            title_row=lay["title_row"],
            subtitle_row=lay["subtitle_row"],
            attachment_row=lay["attachment_row"],
            status_row=lay["status_row"],
            header_row=lay["header_row"],
            number_column=lay["number_column"],
            label_column=lay["label_column"],
            unit_column=lay["unit_column"],
            value_column=lay["value_column"],
            check_column=lay["check_column"],
            headers=MappingProxyType(dict(headers)),
            headers_en=MappingProxyType(dict(headers_en)),
            widths=MappingProxyType(dict(widths)),
            lists_sheet=lay["lists_sheet"],
            meta_sheet=lay["meta_sheet"],
            guide_sheet=lay["guide_sheet"],
            **signatures,
        )

    def distinct_sheet(self, name: str, path: Path, sheets: dict[str, Path]) -> bool:
        first = sheets.setdefault(name.casefold(), path)
        if first != path:
            self.say("def-duplicate", path, value=name, first=self.source.locate(first)[0])
            return False
        return True

    def letters_map(self, raw: Any, path: Path, kind: type | tuple[type, ...]) -> dict[str, Any] | None:
        """A mapping column letter → value (headings, widths)."""
        table = self.mapping(raw, path)
        if table is None:
            return None
        out = {}
        for letter, value in table.items():
            if self.column(letter, (*path, letter)) is None:
                continue
            if isinstance(value, bool) or not isinstance(value, kind):
                self.bad((*path, letter), value, "def.reason.text" if kind is str else "def.reason.number")
                continue
            out[letter] = value
        return out

    # -- choice lists -----------------------------------------------------------------------------
    def choices(self, raw: Any) -> dict[str, tuple[Choice, ...]]:
        out: dict[str, tuple[Choice, ...]] = {}
        table = self.mapping(raw, ("choices",))
        for key, items in (table or {}).items():
            path: Path = ("choices", key)
            if self.code(key, path, "list") is None:
                continue
            entries = []
            values: dict[str, Path] = {}
            for i, item in enumerate(self.items(items, path)):
                entry = self.keys(item, (*path, i), ("value",), CHOICE_KEYS[1:])
                value = self.text(entry, "value", (*path, i))
                if not value:
                    continue
                first = values.setdefault(" ".join(value.split()).casefold(), (*path, i, "value"))
                if first != (*path, i, "value"):
                    self.say("def-duplicate", (*path, i, "value"), value=value, first=self.source.locate(first)[0])
                style = entry.get("style", "")
                if style not in ("", *STYLES):
                    self.bad((*path, i, "style"), style, "def.reason.style", styles=self.listed("style", STYLES))
                    style = ""
                texts = {k: self.text(entry, k, (*path, i), "") or "" for k in ("en", "abbr")}
                entries.append(Choice(value=value, style=style, **texts))
            if not entries and isinstance(items, list):
                self.say("def-choices-empty", path, value=key)
            out[key] = tuple(entries)
        return out

    # -- sections and fields ----------------------------------------------------------------------
    def sections(self, raw: Any, lay: Layout | None, choices: Mapping[str, Any]) -> list[Section]:
        row = (lay.header_row + 1) if lay is not None else 1
        out = []
        self.field_path_list: list[tuple[Field, Path]] = []
        sections = self.items(raw, ("sections",))
        if not sections and isinstance(raw, list):
            self.missing(("sections",), "def.fix.sections")
        for i, sec in enumerate(sections):
            path: Path = ("sections", i)
            s = self.keys(sec, path, SECTION_REQUIRED, SECTION_OPTIONAL)
            number = s.get("number", "")
            title = self.text(s, "title", path) or ""
            section_row = row
            row += 1
            fields = []
            for j, raw_field in enumerate(self.items(s.get("fields", []), (*path, "fields"))):
                f = self.field(raw_field, (*path, "fields", j), lay, str(number), row, choices)
                row += 1
                if f is not None:
                    fields.append(f)
                    self.field_path_list.append((f, (*path, "fields", j)))
            out.append(
                Section(
                    number=str(number),
                    title=title,
                    title_en=self.text(s, "title_en", path, title) or title,
                    row=section_row,
                    fields=tuple(fields),
                )
            )
        return out

    def field(
        self, raw: Any, path: Path, lay: Layout | None, section: str, row: int, choices: Mapping[str, Any]
    ) -> Field | None:
        f = self.keys(raw, path, FIELD_REQUIRED, FIELD_OPTIONAL)
        code = self.code(f.get("code"), (*path, "code"), "field") if "code" in f else None
        label = self.text(f, "label", path)
        type_ = f.get("type")
        # A field without a type is broken too: the checks that need its type (a chart, the
        # report number) say nothing more of it.
        ok = code is not None and label is not None and type_ is not None
        if type_ is not None and type_ not in FIELD_TYPES:
            self.say("def-unknown-type", (*path, "type"), value=_shown(type_), types=self.listed("type", FIELD_TYPES))
            ok = False
        source = f.get("source", "input")
        if source not in SOURCES:
            self.bad((*path, "source"), source, "def.reason.source", sources=self.listed("source", SOURCES))
            ok = False
        if source == "derived" and "expr" not in f:
            self.missing((*path, "expr"), "def.fix.expr")
            ok = False
        if source != "derived" and "expr" in f:
            self.invalid((*path, "expr"), "def.reason.expr_not_derived")
            ok = False
        if source == "fixed" and "value" not in f:
            self.missing((*path, "value"), "def.fix.value")
            ok = False
        if source != "fixed" and "value" in f:
            self.invalid((*path, "value"), "def.reason.value_not_fixed")
            ok = False
        expr = self.expression(f["expr"], (*path, "expr")) if "expr" in f else None
        total = self.expression(f["total"], (*path, "total")) if "total" in f else None
        if "expr" in f and expr is None or "total" in f and total is None:
            ok = False
        if source == "fixed" and "value" in f and type_ == "integer":
            try:
                int(str(f["value"]).format(year=2000))
            except (ValueError, KeyError, IndexError):
                self.bad((*path, "value"), f["value"], "def.reason.fixed_integer")
                ok = False
        list_name = f.get("choices", "")
        if type_ == "choice":
            list_name = list_name or (code if code in choices else "")
            if not list_name:
                self.missing((*path, "choices"), "def.fix.choices")
                ok = False
            elif list_name not in choices:
                self.unknown_name((*path, "choices"), str(list_name), "def.kind.list", choices)
                ok = False
        elif list_name:
            self.invalid((*path, "choices"), "def.reason.choices_not_choice")
            ok = False
        bounds = {k: self.number(f, k, path) for k in ("min", "max")}
        if any(v is not None for v in bounds.values()):
            if type_ not in NUMERIC_TYPES:
                self.invalid((*path, "min" if "min" in f else "max"), "def.reason.bounds_type")
                ok = False
            low, high = bounds["min"], bounds["max"]
            if low is not None and high is not None and low > high:
                self.invalid((*path, "max"), "def.reason.bounds_order", low=low, high=high)
                ok = False
            for key, value in bounds.items():
                if value is not None and (value < 0 or (type_ == "percent" and value > 1)):
                    self.bad((*path, key), value, "def.reason.bounds_range")
                    ok = False
        rollup, rollup_from = self.field_rollup(f, path, source, type_)
        ok &= rollup is not None and rollup_from is not None
        if not ok or lay is None:
            if code is not None:
                self.broken_fields.add(code)
            elif isinstance(f.get("code"), str):
                # A code typed as a label ("Đơn tố cáo"): the rules name it as it should read.
                self.broken_fields.add(suggest_code(f["code"]))
            return None
        return Field(
            code=str(code),
            label=str(label),
            label_en=self.text(f, "label_en", path, "") or "",
            type=str(type_),
            section=section,
            sheet=lay.sheet,
            row=row,
            column=lay.value_column,
            required=self.boolean(f, "required", path),
            source=source,
            unit=self.text(f, "unit", path, "") or "",
            unit_en=self.text(f, "unit_en", path, "") or "",
            help=self.text(f, "help", path, "") or "",
            expr=expr,
            value=str(f.get("value", "")),
            total=total,
            choices=str(list_name) if type_ == "choice" else "",
            minimum=bounds["min"],
            maximum=bounds["max"],
            rollup=rollup or "",
            rollup_from=rollup_from or (),
        )

    def field_rollup(
        self, f: Mapping[str, Any], path: Path, source: Any, type_: Any
    ) -> tuple[str | None, tuple[str, ...] | None]:
        """How the field is filled when a lower level's round rolls up into this form
        (docs/spec.md §9): its kind, and the lower fields a sum adds. (None, …) on a problem."""
        rollup = f.get("rollup", "")
        ok = True
        if rollup and rollup not in ROLLUPS:
            self.bad((*path, "rollup"), rollup, "def.reason.rollup_kind", kinds=self.listed("rollup", ROLLUPS))
            ok = False
        elif rollup and source != "input":
            self.invalid((*path, "rollup"), "def.reason.rollup_not_input")
            ok = False
        elif rollup == "sum" and type_ in FIELD_TYPES and type_ != "integer":  # an unknown type is said once
            self.invalid((*path, "rollup"), "def.reason.rollup_sum_type")
            ok = False
        elif rollup == "recompute" and "total" not in f:
            self.invalid((*path, "rollup"), "def.reason.rollup_recompute")
            ok = False
        codes: list[str] = []
        if "rollup_from" in f:
            for i, code in enumerate(self.items(f["rollup_from"], (*path, "rollup_from"))):
                checked = self.code(code, (*path, "rollup_from", i))
                ok &= checked is not None
                if checked is not None:
                    codes.append(checked)
            if rollup != "sum":
                self.invalid((*path, "rollup_from"), "def.reason.rollup_from")
                ok = False
            elif not codes and isinstance(f["rollup_from"], list):
                self.missing((*path, "rollup_from"), "def.fix.rollup_from")
                ok = False
        return (str(rollup), tuple(codes)) if ok else (None, None)

    def field_references(
        self, fields: Mapping[str, Field], tables: Mapping[str, Table], names: Mapping[str, Any]
    ) -> None:
        """Every name a derived field's formula or a total uses: fields, table columns."""
        for code, f in fields.items():
            path = self.field_paths.get(code, ())
            for key, expr in (("total", f.total), ("expr", f.expr)):
                if expr is None:
                    continue
                self.names_known(expr.names, names, (*path, key), "def.kind.field")
                for ref in expr.table_refs:
                    self.table_ref_known(ref, tables, (*path, key))

    def table_ref_known(self, ref: Any, tables: Mapping[str, Table], path: Path) -> None:
        table = tables.get(ref.table)
        if ref.table in self.broken_tables:
            return  # its own problem is said where it is
        if table is None:
            self.unknown_name(path, ref.table, "def.kind.table", tables)
        elif ref.column not in {c.code for c in table.columns}:
            self.unknown_name(
                path, f"{ref.table}.{ref.column}", "def.kind.column", (f"{ref.table}.{c.code}" for c in table.columns)
            )

    # -- tables -----------------------------------------------------------------------------------
    def tables(
        self, raw: Any, choices: Mapping[str, tuple[Choice, ...]], fields: Mapping[str, Field], lay: Layout | None
    ) -> dict[str, Table]:
        out: dict[str, Table] = {}
        for n, (code, t) in enumerate((self.mapping(raw, ("tables",)) or {}).items()):
            path: Path = ("tables", code)
            if n:
                # A file's rows are read as one list (FileReport.docs): a second table would mix
                # its rows with the first's, so it is refused rather than read wrongly.
                self.invalid(path, "def.reason.one_table")
                continue
            if self.code(code, path, "table") is None:
                continue
            if code in fields:
                first = self.field_paths.get(code, ("sections",))
                self.say("def-duplicate", path, value=code, first=self.source.locate(first)[0])
                continue
            table = self.table(t, path, choices, fields, out)
            if table is not None:
                out[code] = table
            else:
                self.broken_tables.add(code)
        return out

    def table(
        self,
        raw: Any,
        path: Path,
        choices: Mapping[str, tuple[Choice, ...]],
        fields: Mapping[str, Field],
        done: Mapping[str, Table],
    ) -> Table | None:
        t = self.keys(raw, path, TABLE_REQUIRED, TABLE_OPTIONAL)
        ok = not set(TABLE_REQUIRED) - set(t)
        code = str(path[-1])
        if "sheet" in t and self.sheet_name(t["sheet"], (*path, "sheet")) is not None:
            ok &= self.distinct_sheet(t["sheet"], (*path, "sheet"), getattr(self, "sheets", {}))
        ok &= self.integer(t, "header_row", path, 1, 1000) is not None or "header_row" not in t
        rows = self.integer(t, "rows", path, MIN_TABLE_ROWS, 100_000)
        ok &= rows is not None or "rows" not in t
        for key in ("number_column", "check_column"):
            if key in t:
                ok &= self.column(t[key], (*path, key)) is not None
        cols: list[Column] = []
        columns_ok = True
        for i, raw_col in enumerate(self.items(t.get("columns", []), (*path, "columns"))):
            col = self.table_column(raw_col, (*path, "columns", i), choices, code)
            if col is None:
                columns_ok = False
            else:
                cols.append(col)
        ok &= columns_ok
        if cols and columns_ok:
            letters = [col_index(c.column) for c in cols]
            if letters != list(range(letters[0], letters[0] + len(letters))):
                self.invalid((*path, "columns"), "def.reason.adjacent")
                ok = False
            ok &= self.roles(cols, path, choices)
        elif "columns" in t and columns_ok:
            self.missing((*path, "columns"), "def.fix.columns")
            ok = False
        widths = self.letters_map(t.get("widths", {}), (*path, "widths"), (int, float))
        earlier = (
            self.cell(t["earlier_title_cell"], (*path, "earlier_title_cell")) if "earlier_title_cell" in t else None
        )
        ok &= earlier is not None or "earlier_title_cell" not in t
        title = self.plain(t, "title", path)
        note = self.text(t, "note", path, "") or ""
        try:
            note.format(rows=1)
        except (KeyError, IndexError, ValueError):
            self.bad((*path, "note"), note, "def.reason.note")
            ok = False
        # The columns that make a row one document (a row listed twice): the table's own codes.
        identity: list[str] = []
        column_codes = [c.code for c in cols]
        for i, name in enumerate(self.items(t.get("identity", []), (*path, "identity"))):
            if isinstance(name, str) and name in column_codes:
                identity.append(name)
            elif columns_ok:  # a broken column is said once, not again as an unknown identity
                self.bad((*path, "identity", i), name, "def.reason.identity", columns=", ".join(column_codes))
                ok = False
        rollup = t.get("rollup", "")
        if rollup and rollup not in TABLE_ROLLUPS:
            kinds = self.listed("table_rollup", TABLE_ROLLUPS)
            self.bad((*path, "rollup"), rollup, "def.reason.rollup_kind", kinds=kinds)
            ok = False
        known = {**{c.code: c for c in cols}, **dict.fromkeys(fields)}
        tables_so_far = {**done, code: None}
        rules = []
        for i, r in enumerate(self.items(t.get("rules", []), (*path, "rules"))):
            rule = self.rule(r, (*path, "rules", i), known, code, tables_so_far)  # type: ignore[arg-type]
            if rule is None:
                ok = False
            else:
                rules.append(rule)
        if not ok or title is None or widths is None:
            return None
        return Table(
            code=code,
            sheet=t["sheet"],
            title=title,
            title_en=self.plain(t, "title_en", path, title) or title,
            header_row=t["header_row"],
            rows=t["rows"],
            number_column=t["number_column"],
            check_column=t["check_column"],
            columns=tuple(cols),
            rules=tuple(rules),
            widths=MappingProxyType(dict(widths)),
            earlier_title_cell=earlier,
            note=note,
            identity=tuple(identity),
            rollup=str(rollup),
        )

    def table_column(self, raw: Any, path: Path, choices: Mapping[str, Any], table: str) -> Column | None:
        c = self.keys(raw, path, COLUMN_REQUIRED, COLUMN_OPTIONAL)
        ok = not set(COLUMN_REQUIRED) - set(c)
        code = self.code(c["code"], (*path, "code"), f"column:{table}") if "code" in c else None
        ok &= code is not None
        if "column" in c:
            ok &= self.column(c["column"], (*path, "column")) is not None
        type_ = c.get("type")
        if type_ is not None and type_ not in FIELD_TYPES:
            self.say("def-unknown-type", (*path, "type"), value=_shown(type_), types=self.listed("type", FIELD_TYPES))
            ok = False
        list_name = c.get("choices", "")
        if type_ == "choice" and not list_name:
            self.missing((*path, "choices"), "def.fix.choices")
            ok = False
        elif list_name and type_ != "choice":
            self.invalid((*path, "choices"), "def.reason.choices_not_choice")
            ok = False
        elif list_name and list_name not in choices:
            self.unknown_name((*path, "choices"), str(list_name), "def.kind.list", choices)
            ok = False
        role = c.get("role", "")
        if role not in ("", *ROLES):
            self.bad((*path, "role"), role, "def.reason.role", roles=self.listed("role", ROLES))
            ok = False
        label = self.text(c, "label", path)
        if not ok or label is None:
            return None
        return Column(
            code=str(code),
            column=c["column"],
            label=label,
            label_en=self.text(c, "label_en", path, "") or "",
            type=str(type_),
            choices=str(list_name),
            help=self.text(c, "help", path, "") or "",
            role=str(role),
        )

    def roles(self, cols: list[Column], path: Path, choices: Mapping[str, tuple[Choice, ...]]) -> bool:
        """The document-number roles: each at most once; the number a text, the issuer and the
        type choice columns whose lists give the styles and abbreviations."""
        ok = True
        by_role: dict[str, int] = {}
        for i, col in enumerate(cols):
            if not col.role:
                continue
            where = (*path, "columns", i, "role")
            if col.role in by_role:
                self.say(
                    "def-duplicate",
                    where,
                    value=col.role,
                    first=self.source.locate((*path, "columns", by_role[col.role], "role"))[0],
                )
                ok = False
                continue
            by_role[col.role] = i
            if col.role == "doc-number" and col.type not in ("text", "code"):
                self.invalid(where, "def.reason.role_number")
                ok = False
            if col.role in ("doc-issuer", "doc-type") and col.type != "choice":
                self.invalid(where, "def.reason.role_choice")
                ok = False
            if col.role == "doc-issuer" and col.choices and not any(c.style for c in choices.get(col.choices, ())):
                self.invalid(where, "def.reason.role_style", list=col.choices)
                ok = False
        if by_role and "doc-number" not in by_role:
            first = min(by_role.values())
            self.invalid((*path, "columns", first, "role"), "def.reason.role_without_number")
            ok = False
        return ok

    # -- rules ------------------------------------------------------------------------------------
    def rule(
        self, raw: Any, path: Path, known: Mapping[str, Any], table: str | None, tables: Mapping[str, Table]
    ) -> Rule | None:
        r = self.keys(raw, path, RULE_REQUIRED, RULE_OPTIONAL)
        ok = not set(RULE_REQUIRED) - set(r)
        rule_id = r.get("id")
        if rule_id is not None:
            if self.code(rule_id, (*path, "id"), "rule") is None:
                ok = False
            elif rule_id in CATALOGUE:
                self.bad((*path, "id"), rule_id, "def.reason.rule_id")
                ok = False
        severity = r.get("severity")
        if severity is not None and severity not in SEVERITIES:
            self.bad(
                (*path, "severity"), severity, "def.reason.severity", severities=self.listed("severity", SEVERITIES)
            )
            ok = False
        kind = "def.kind.field" if table is None else "def.kind.field_or_column"
        expr = self.expression(r["expr"], (*path, "expr")) if "expr" in r else None
        if expr is None:
            ok = False
        else:
            ok &= self.names_known(expr.names, known, (*path, "expr"), kind)
            for ref in expr.table_refs:
                self.table_ref_known(ref, tables, (*path, "expr"))
        texts: dict[str, Template] = {}
        for key in ("live", "live_en", "message", "message_en"):
            base = key.removesuffix("_en")
            if base not in r:
                continue
            text_path = (*path, key if key in r else base)
            tpl = self.template(r.get(key, r[base]), text_path)
            if tpl is None:
                ok = False
                continue
            ok &= self.names_known(tpl.names, known, text_path, kind)
            if key.startswith("live"):
                try:
                    tpl.to_excel(lambda name: name)
                except RuleSyntaxError as exc:
                    self.say("def-rule-syntax", text_path, reason=exc.message, value=tpl.text)
                    ok = False
            texts[key] = tpl
        anchor = r.get("anchor", "")
        if table is None:
            if not anchor:
                self.missing((*path, "anchor"), "def.fix.anchor")
                ok = False
            elif anchor not in known:
                self.unknown_name((*path, "anchor"), str(anchor), "def.kind.field", known)
                ok = False
            elif known[anchor] is not None and known[anchor].source == "derived":
                self.invalid((*path, "anchor"), "def.reason.anchor_derived", code=anchor)
                ok = False
        elif anchor:
            self.invalid((*path, "anchor"), "def.reason.anchor_table")
            ok = False
        description = self.text(r, "description", path, "") or ""
        if not ok or len(texts) < 4:
            return None
        return Rule(
            id=str(rule_id),
            severity=str(severity),
            expr=expr,  # type: ignore[arg-type]
            anchor=str(anchor),
            table=table or "",
            description=description,
            description_en=self.text(r, "description_en", path, description) or description,
            **texts,
        )
