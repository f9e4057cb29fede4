"""The live checks of the template: one Excel formula per check cell and its Python mirror.

The formula is what the clerk sees compute in Excel or LibreOffice; the mirror gives the
value the template caches for it (so a viewer that does not recalculate shows the right text)
and lets tests compare the two. Both are built from the form's rules only.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from .form import NUMERIC_TYPES, Field, Form, Rule, Table
from .rules import EvalError, TableRef, excel_string

Tables = Mapping[str, list[Mapping[str, Any]]] | None

# The sheet is the clerk's: its texts are Vietnamese whatever --lang says.
OK = "Khớp"
MISSING = "Chưa nhập"
TEXT_NUMBER = "Lưu ý: số đang ở dạng chữ, hãy gõ lại số"
TEXT_DATE = "Lưu ý: ngày đang ở dạng chữ, hãy gõ lại dạng ngày/tháng/năm"
CANNOT = "Sai: không tính được, kiểm tra các ô liên quan có phải là số"
ROW_MISSING = "Sai: thiếu "
ERROR_PREFIX = "Sai"
WARNING_PREFIX = "Lưu ý"


def _is_blank(value: Any) -> bool:
    return value is None


def _textlike(type_: str) -> bool:
    return type_ in NUMERIC_TYPES or type_ == "date"


def _rule_inputs(form: Form, rules: tuple[Rule, ...], but: str) -> list[Field]:
    names = set().union(*(r.fields for r in rules)) if rules else set()
    return [f for f in form.input_fields if f.code in names and f.code != but]


def _chain_formula(form: Form, rules: tuple[Rule, ...], resolve: Callable[[str], str]) -> str:
    def column_range(ref: TableRef) -> str:
        return form.tables[ref.table].column_range(ref.column)

    out = excel_string(OK)
    for rule in reversed(rules):
        out = f"IF({rule.expr.to_excel(resolve, column_range)},{out},{rule.live.to_excel(resolve)})"
    return out


def _chain_value(form: Form, rules: tuple[Rule, ...], env: Mapping[str, Any], tables: Tables) -> str:
    for rule in rules:
        if not rule.expr.evaluate(env, tables or {t: [] for t in form.tables}):
            # The sheet concatenates numbers without grouping: so does the mirror.
            return rule.live.render(env, lambda name, attr: "", grouping=False)
    return OK


def _field_name(name: str) -> str:
    return name


# -- one field's row ---------------------------------------------------------------------


def field_check_formula(form: Form, f: Field) -> str:
    rules = form.rules_for(f.code)
    others = _rule_inputs(form, rules, f.code)
    body = _chain_formula(form, rules, _field_name) if rules else '""'
    if others:
        blanks = ",".join(f"ISBLANK({o.code})" for o in others)
        body = f'IF(OR({blanks}),"",{body})'
    if _textlike(f.type):
        warn = TEXT_DATE if f.type == "date" else TEXT_NUMBER
        body = f"IF(ISTEXT({f.code}),{excel_string(warn)},{body})"
    missing = excel_string(MISSING if f.required else "")
    return f"IFERROR(IF(ISBLANK({f.code}),{missing},{body}),{excel_string(CANNOT)})"


def field_check_value(form: Form, f: Field, env: Mapping[str, Any], tables: Tables = None) -> str:
    """What :func:`field_check_formula` computes for these values (None is an empty cell)."""
    if _is_blank(env.get(f.code)):
        return MISSING if f.required else ""
    if _textlike(f.type) and isinstance(env[f.code], str):
        return TEXT_DATE if f.type == "date" else TEXT_NUMBER
    rules = form.rules_for(f.code)
    if any(_is_blank(env.get(o.code)) for o in _rule_inputs(form, rules, f.code)):
        return ""
    if not rules:
        return ""
    try:
        return _chain_value(form, rules, env, tables)
    except EvalError:
        return CANNOT


# -- one row of a table ------------------------------------------------------------------


def _row_resolver(table: Table, row: int) -> Callable[[str], str]:
    columns = {c.code: c.column for c in table.columns}

    def resolve(name: str) -> str:
        return f"${columns[name]}{row}" if name in columns else name

    return resolve


def row_check_formula(form: Form, table: Table, row: int) -> str:
    first, last = table.first_column, table.last_column
    filled = f"COUNTA(${first}{row}:${last}{row})"
    missing = "&".join(f'IF(${c.column}{row}="",{excel_string("; " + c.label)},"")' for c in table.columns)
    resolve = _row_resolver(table, row)
    body = _chain_formula(form, table.rules, resolve) if table.rules else excel_string(OK)
    for c in table.columns:
        if c.type == "date":
            body = f"IF(ISTEXT(${c.column}{row}),{excel_string(TEXT_DATE)},{body})"
    return (
        f'IFERROR(IF({filled}=0,"",IF({filled}<{len(table.columns)},'
        f"{excel_string(ROW_MISSING)}&MID({missing},3,1000),{body})),{excel_string(CANNOT)})"
    )


def row_check_value(form: Form, table: Table, values: Mapping[str, Any], env: Mapping[str, Any]) -> str:
    present = [c for c in table.columns if not _is_blank(values.get(c.code))]
    if not present:
        return ""
    if len(present) < len(table.columns):
        return ROW_MISSING + "; ".join(c.label for c in table.columns if c not in present)
    for c in table.columns:
        if c.type == "date" and isinstance(values.get(c.code), str):
            return TEXT_DATE
    try:
        return _chain_value(form, table.rules, {**env, **values}, None)
    except EvalError:
        return CANNOT


# -- the whole workbook --------------------------------------------------------------------


def status_formula(form: Form) -> str:
    lay = form.layout
    first = lay.header_row + 1
    last = max(f.row for f in form.fields)
    checks = f"${lay.check_column}${first}:${lay.check_column}${last}"
    errors = [f'SUMPRODUCT(--(LEFT({checks},3)="{ERROR_PREFIX}"))']
    for t in form.tables.values():
        rng = f"{t.sheet and _quote(t.sheet)}!${t.check_column}${t.first_row}:${t.check_column}${t.last_row}"
        errors.append(f'SUMPRODUCT(--(LEFT({rng},3)="{ERROR_PREFIX}"))')
    n_errors = "+".join(errors)
    n_missing = f"COUNTIF({checks},{excel_string(MISSING)})"
    return (
        f'"Kết quả kiểm tra: "&IF({n_errors}>0,"còn "&({n_errors})&" lỗi cần sửa (ô đỏ ở cột Kiểm tra)",'
        f'IF({n_missing}>0,"chưa nhập đủ, còn "&{n_missing}&" ô bắt buộc trống","số liệu khớp"))'
    )


def status_value(n_errors: int, n_missing: int) -> str:
    if n_errors:
        return f"Kết quả kiểm tra: còn {n_errors} lỗi cần sửa (ô đỏ ở cột Kiểm tra)"
    if n_missing:
        return f"Kết quả kiểm tra: chưa nhập đủ, còn {n_missing} ô bắt buộc trống"
    return "Kết quả kiểm tra: số liệu khớp"


def _quote(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def text_height(text: str, width: float, line: float = 16.5) -> float:
    """A row height (points) that shows ``text`` wrapped in a column ``width`` chars wide."""
    return line * max(1, math.ceil(len(text) * 1.1 / max(width, 1)))
