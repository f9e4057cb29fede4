"""The live checks of the template: one Excel formula per check cell and its Python mirror.

The formula is what the clerk sees compute in Excel or LibreOffice; the mirror gives the
value the template caches for it (so a viewer that does not recalculate shows the right text)
and lets tests compare the two. Both are built from the form's rules only.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .form import NUMERIC_TYPES, Field, Form, Rule, Table
from .form.cells import quote_sheet
from .form.rules import EvalError, TableRef, excel_string
from .intake.coerce import INTEGER_ABS_TOL, INTEGER_REL_TOL, choices_by_key, is_whole
from .numbers import format_number, format_percent
from .text import spellings, text_key

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
# The checks dv makes on one value, live in the sheet with the same verdict.
NEGATIVE = "Sai: không được là số âm"
NOT_INTEGER = "Sai: phải là số nguyên (không có phần lẻ)"
PERCENT_RANGE = "Sai: tỷ lệ không được lớn hơn 100%"
PERCENT_AS_NUMBER = "Lưu ý: đã gõ số thay vì phần trăm, được hiểu là phần trăm; nên gõ dạng 12,5%"
NOT_IN_LIST = "Sai: {label} không có trong danh sách, hãy chọn từ danh sách"
OUT_OF_RANGE_LOW = "Sai: phải từ {bound} trở lên"
OUT_OF_RANGE_HIGH = "Sai: không được lớn hơn {bound}"
DERIVED_TYPED = "Sai: ô này tự tính, phải là "
LOCKED_CHANGED = "Sai: ô đã khóa bị sửa, phải là "
UNIT_UNRESOLVED = "Sai: tên đơn vị không có trong danh sách, hãy chọn từ danh sách để có mã đơn vị"
ON_RECEIPT = "mã, tên đơn vị theo danh sách và các tệp gửi trùng do Sở Nội vụ kiểm tra khi nhận"


def _is_blank(value: Any) -> bool:
    return value is None


def _textlike(type_: str) -> bool:
    return type_ in NUMERIC_TYPES or type_ == "date"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _rule_inputs(form: Form, rules: tuple[Rule, ...], but: str) -> list[Field]:
    names = set().union(*(r.fields for r in rules)) if rules else set()
    return [f for f in form.input_fields if f.code in names and f.code != but]


# -- values as the reader takes them -----------------------------------------------------------


def _read_number(type_: str, value: Any) -> Any:
    """What the reader makes of a number in a field of ``type_`` (12,5 in a rate is 12,5 %)."""
    if not _is_number(value):
        return value
    if type_ == "percent" and 1 < value <= 100:
        return value / 100
    if type_ == "integer" and isinstance(value, float) and is_whole(value):
        return int(round(value))
    return value


def _xl_whole(ref: str) -> str:
    return f"ABS({ref}-ROUND({ref},0))<=MAX({INTEGER_ABS_TOL!r},{INTEGER_REL_TOL!r}*ABS({ref}))"


def _xl_read_number(type_: str, ref: str) -> str:
    if type_ == "percent":
        return f"IF(ISNUMBER({ref}),IF(AND({ref}>1,{ref}<=100),{ref}/100,{ref}),{ref})"
    if type_ == "integer":
        return f"IF(ISNUMBER({ref}),IF({_xl_whole(ref)},ROUND({ref},0),{ref}),{ref})"
    return ref


def as_read(form: Form, env: Mapping[str, Any]) -> dict[str, Any]:
    types = form.input_types
    return {k: _read_number(types[k], v) if k in types else v for k, v in env.items()}


def field_reference(form: Form) -> Callable[[str], str]:
    types = form.input_types

    def resolve(name: str) -> str:
        return _xl_read_number(types[name], name) if name in types else name

    return resolve


def _chain_formula(
    form: Form,
    rules: tuple[Rule, ...],
    resolve: Callable[[str], str],
    tail: str,
    skip_blank: Callable[[Rule], list[str]] | None = None,
) -> str:
    """The rules in turn, the first failing one's live text, else ``tail``. ``skip_blank``: the
    inputs of a rule that, left empty, skip it (as dv skips a rule naming an empty field)."""

    def column_range(ref: TableRef) -> str:
        return form.tables[ref.table].column_range(ref.column)

    out = tail
    for rule in reversed(rules):
        holds = rule.expr.to_excel(resolve, column_range)
        blanks = skip_blank(rule) if skip_blank else []
        if blanks:
            holds = f"OR({','.join(f'ISBLANK({b})' for b in blanks)},{holds})"
        out = f"IF({holds},{out},{rule.live.to_excel(resolve)})"
    return out


def _chain_value(
    form: Form,
    rules: tuple[Rule, ...],
    env: Mapping[str, Any],
    tables: Tables,
    tail: str = OK,
    skip_blank: Callable[[Rule], list[str]] | None = None,
) -> str:
    for rule in rules:
        if skip_blank and any(_is_blank(env.get(name)) for name in skip_blank(rule)):
            continue
        if not rule.expr.evaluate(env, tables or {t: [] for t in form.tables}):
            # The sheet concatenates numbers without grouping: so does the mirror.
            return rule.live.render(env, lambda name, attr: "", grouping=False)
    return tail


def _row_rule_inputs(form: Form, table: Table) -> Callable[[Rule], list[str]]:
    """The form's input fields a row rule names (the report date): an empty one skips the rule
    in the sheet as in dv, never "Sai" on every document because the date is not typed yet."""
    columns = {c.code for c in table.columns}

    def inputs(rule: Rule) -> list[str]:
        return sorted(n for n in rule.fields if n not in columns and form.field(n).source == "input")

    return inputs


# -- checks of one value, before and after the rules --------------------------------------------


@dataclass(frozen=True)
class _Check:
    """One check of a single value: an Excel condition on ``{x}``, its Python mirror, the text."""

    excel: str
    python: Callable[[Any], bool]
    text: str


def _value_checks(f: Field) -> tuple[list[_Check], list[_Check]]:
    """(errors judged before the rules, warnings shown when the rules pass) for one value."""
    num = _is_number
    type_ = f.type
    errors: list[_Check] = []
    warnings: list[_Check] = []
    if type_ in ("integer", "percent"):
        errors.append(_Check("{x}<0", lambda v: num(v) and v < 0, NEGATIVE))
    if type_ == "integer":
        errors.append(_Check(f"NOT({_xl_whole('{x}')})", lambda v: num(v) and not is_whole(float(v)), NOT_INTEGER))
    if type_ == "percent":
        errors.append(_Check("{x}>100", lambda v: num(v) and v > 100, PERCENT_RANGE))
    # The form's own limits, on the value as dv reads it (12,5 in a rate is 12,5 %).
    if type_ in NUMERIC_TYPES:
        if f.minimum is not None:
            errors.append(_bound_check(type_, f.minimum, below=True))
        if f.maximum is not None:
            errors.append(_bound_check(type_, f.maximum, below=False))
    if type_ == "percent":
        warnings.append(_Check("{x}>1", lambda v: num(v) and v > 1, PERCENT_AS_NUMBER))
    # Dates (a year typed into a date cell, a report dated after the first quarter) are the
    # form's rules: the chain of rules shows them.
    return errors, warnings


def _bound_check(type_: str, bound: float, *, below: bool) -> _Check:
    """A value under the field's smallest (``below``) or over its largest value."""
    read = _xl_read_number(type_, "{x}")
    shown = format_percent(bound) if type_ == "percent" else format_number(bound)

    def outside(value: Any) -> bool:
        if not _is_number(value):
            return False
        read_value = _read_number(type_, value)
        return read_value < bound if below else read_value > bound

    if below:
        return _Check(f"{read}<{bound!r}", outside, OUT_OF_RANGE_LOW.format(bound=shown))
    return _Check(f"{read}>{bound!r}", outside, OUT_OF_RANGE_HIGH.format(bound=shown))


def _wrap_formula(checks: list[_Check], ref: str, inner: str) -> str:
    for check in reversed(checks):
        inner = f"IF({check.excel.format(x=ref)},{excel_string(check.text)},{inner})"
    return inner


def _first_failing(checks: list[_Check], value: Any) -> str | None:
    return next((c.text for c in checks if c.python(value)), None)


# -- one field's row ---------------------------------------------------------------------


def field_check_formula(form: Form, f: Field) -> str:
    rules = form.rules_for(f.code)
    others = _rule_inputs(form, rules, f.code)
    errors, warnings = _value_checks(f)
    tail = _wrap_formula(warnings, f.code, excel_string(OK if rules else ""))
    body = _chain_formula(form, rules, field_reference(form), tail) if rules else tail
    if others:
        blanks = ",".join(f"ISBLANK({o.code})" for o in others)
        body = f'IF(OR({blanks}),"",{body})'
    body = _wrap_formula(errors, f.code, body)
    if _textlike(f.type):
        warn = TEXT_DATE if f.type == "date" else TEXT_NUMBER
        body = f"IF(ISTEXT({f.code}),{excel_string(warn)},{body})"
    if f.type == "choice" and f.choices:
        # A value pasted past the dropdown: the sheet says what dv says (value-not-choice).
        outside = ",".join(f"TRIM({f.code})<>{excel_string(s)}" for s in _choice_spellings(form, f.choices))
        body = f"IF(AND({outside}),{excel_string(NOT_IN_LIST.format(label=f.label))},{body})"
    missing = excel_string(MISSING if f.required else "")
    return f"IFERROR(IF(ISBLANK({f.code}),{missing},{body}),{excel_string(CANNOT)})"


def field_check_value(form: Form, f: Field, env: Mapping[str, Any], tables: Tables = None) -> str:
    """What :func:`field_check_formula` computes for these values (None is an empty cell)."""
    value = env.get(f.code)
    if _is_blank(value):
        return MISSING if f.required else ""
    if _textlike(f.type) and isinstance(value, str):
        return TEXT_DATE if f.type == "date" else TEXT_NUMBER
    if f.type == "choice" and f.choices and not _in_list(form, f.choices, value):
        return NOT_IN_LIST.format(label=f.label)
    errors, warnings = _value_checks(f)
    failed = _first_failing(errors, value)
    if failed:
        return failed
    rules = form.rules_for(f.code)
    if any(_is_blank(env.get(o.code)) for o in _rule_inputs(form, rules, f.code)):
        return ""
    tail = _first_failing(warnings, value) or (OK if rules else "")
    if not rules:
        return tail
    try:
        return _chain_value(form, rules, as_read(form, env), tables, tail)
    except EvalError:
        return CANNOT


# -- a derived count: the clerk must not type over it --------------------------------------


def derived_check_formula(form: Form, f: Field) -> str:
    """The cell beside a derived count: empty while it holds what its formula computes from
    the sheet; an error with the right figure when a clerk typed over it. A total that adds a
    typed-over count agrees with what it adds, so the error shows once, where it starts (as
    dv reports it)."""
    assert f.expr is not None
    expected = f.expr.to_excel(lambda n: n, lambda ref: form.tables[ref.table].column_range(ref.column))
    return f'IFERROR(IF({f.code}=({expected}),"",{excel_string(DERIVED_TYPED)}&({expected})),{excel_string(CANNOT)})'


def derived_check_value(form: Form, f: Field, env: Mapping[str, Any], tables: Tables = None) -> str:
    """What :func:`derived_check_formula` computes when the cells hold ``env``."""
    assert f.expr is not None
    expected = f.expr.evaluate({k: (0 if v is None else v) for k, v in env.items()}, tables or {})
    shown = env.get(f.code)
    return "" if (0 if shown is None else shown) == expected else f"{DERIVED_TYPED}{expected}"


def locked_check_formula(f: Field, expected: Any) -> str:
    """A value the template wrote and locked (the report year, a personalised unit code): the
    clerk who unprotects the sheet and changes it is told, as dv will reject it."""
    literal = excel_string(str(expected)) if isinstance(expected, str) else repr(expected)
    text = excel_string(f"{LOCKED_CHANGED}{expected}")
    return f'IFERROR(IF({f.code}={literal},"",{text}),{excel_string(CANNOT)})'


def unit_lookup_check_formula(form: Form) -> str:
    """The roster-dropdown template: a chosen name that gives no code is an error."""
    code, name = form.roster_code, form.roster_name
    return f'IF(ISBLANK({name}),"",IF({code}="",{excel_string(UNIT_UNRESOLVED)},""))'


# -- one row of a table ------------------------------------------------------------------


def _row_resolver(form: Form, table: Table, row: int, sheet: str = "") -> Callable[[str], str]:
    columns = {c.code: c for c in table.columns}
    fields = field_reference(form)

    def resolve(name: str) -> str:
        if name in columns:
            return _xl_read_number(columns[name].type, f"{sheet}${columns[name].column}{row}")
        return fields(name)

    return resolve


def _choice_spellings(form: Form, key: str) -> list[str]:
    return [s for choice in form.choices[key] for s in spellings(choice.value)]


def _in_list(form: Form, key: str, value: Any) -> bool:
    text = "" if isinstance(value, dt.date) else str(value)
    return text_key(text) in choices_by_key(form.choice_values(key))  # the reader's lookup, cached


def row_names(table: Table) -> tuple[str, str, str]:
    """The defined names of a table row's number and check (formulas relative to the row that
    uses them), and of the text a check that cannot compute shows."""
    return f"{table.code}_so_tt", f"{table.code}_kiem_tra", f"{table.code}_khong_tinh_duoc"


def row_check_cell(table: Table) -> str:
    """What each row's check cell holds: the defined name of :func:`row_check_body` inside
    IFERROR. IFERROR stays in the cell: Gnumeric cannot read it inside a defined name of an
    .xls that LibreOffice wrote (#NAME?); its text is a name too (a few bytes a row)."""
    _, check, cannot = row_names(table)
    return f"=IFERROR({check},{cannot})"


def row_check_body(form: Form, table: Table, row: int, sheet: str = "") -> str:
    """The check of one row of ``table`` without its IFERROR. ``sheet`` ("'Văn bản'!"), with
    ``row`` 1: the formula of the defined name every row's check cell uses (its references
    are relative to the row that uses it)."""
    first, last = table.first_column, table.last_column
    filled = f"COUNTA({sheet}${first}{row}:${last}{row})"
    missing = "&".join(f'IF({sheet}${c.column}{row}="",{excel_string("; " + c.label)},"")' for c in table.columns)
    resolve = _row_resolver(form, table, row, sheet)
    inputs = _row_rule_inputs(form, table)
    body = _chain_formula(form, table.rules, resolve, excel_string(OK), inputs) if table.rules else excel_string(OK)
    for c in table.columns:
        if c.type == "date":
            body = f"IF(ISTEXT({sheet}${c.column}{row}),{excel_string(TEXT_DATE)},{body})"
    for c in reversed(table.columns):
        if c.choices:
            ref = f"TRIM({sheet}${c.column}{row})"
            outside = ",".join(f"{ref}<>{excel_string(s)}" for s in _choice_spellings(form, c.choices))
            body = f"IF(AND({outside}),{excel_string(NOT_IN_LIST.format(label=c.label))},{body})"
    return (
        f'IF({filled}=0,"",IF({filled}<{len(table.columns)},{excel_string(ROW_MISSING)}&MID({missing},3,1000),{body}))'
    )


def row_check_value(form: Form, table: Table, values: Mapping[str, Any], env: Mapping[str, Any]) -> str:
    present = [c for c in table.columns if not _is_blank(values.get(c.code))]
    if not present:
        return ""
    if len(present) < len(table.columns):
        return ROW_MISSING + "; ".join(c.label for c in table.columns if c not in present)
    for c in table.columns:
        if c.choices and not _in_list(form, c.choices, values[c.code]):
            return NOT_IN_LIST.format(label=c.label)
    for c in table.columns:
        if c.type == "date" and isinstance(values.get(c.code), str):
            return TEXT_DATE
    try:
        return _chain_value(
            form, table.rules, {**as_read(form, env), **values}, None, OK, _row_rule_inputs(form, table)
        )
    except EvalError:
        return CANNOT


# -- the whole workbook --------------------------------------------------------------------


def status_formula(form: Form) -> str:
    """The overall verdict, with functions every engine computes alike (COUNTIF with a
    wildcard: Gnumeric gives #VALUE! for SUMPRODUCT over LEFT of a range)."""
    lay = form.layout
    first = lay.header_row + 1
    last = max(f.row for f in form.fields)
    checks = f"${lay.check_column}${first}:${lay.check_column}${last}"
    errors = [f'COUNTIF({checks},"{ERROR_PREFIX}*")']
    for t in form.tables.values():
        rng = f"{t.sheet and quote_sheet(t.sheet)}!${t.check_column}${t.first_row}:${t.check_column}${t.last_row}"
        errors.append(f'COUNTIF({rng},"{ERROR_PREFIX}*")')
    n_errors = "(" + "+".join(errors) + ")"
    n_missing = f"COUNTIF({checks},{excel_string(MISSING)})"
    return (
        f'"Kết quả kiểm tra: "&IF({n_errors}>0,"còn "&{n_errors}&" lỗi cần sửa (ô đỏ ở cột Kiểm tra)",'
        f'IF({n_missing}>0,"chưa nhập đủ, còn "&{n_missing}&" ô bắt buộc trống",'
        f"{excel_string('số liệu khớp; ' + ON_RECEIPT)}))"
    )


def status_value(n_errors: int, n_missing: int) -> str:
    if n_errors:
        return f"Kết quả kiểm tra: còn {n_errors} lỗi cần sửa (ô đỏ ở cột Kiểm tra)"
    if n_missing:
        return f"Kết quả kiểm tra: chưa nhập đủ, còn {n_missing} ô bắt buộc trống"
    return f"Kết quả kiểm tra: số liệu khớp; {ON_RECEIPT}"


def text_height(text: str, width: float, line: float = 16.5) -> float:
    """A row height (points) that shows ``text`` wrapped in a column ``width`` chars wide."""
    return line * max(1, math.ceil(len(text) * 1.1 / max(width, 1)))
