"""The live checks of the template: one Excel formula per check cell and its Python mirror.

The formula is what the clerk sees compute in Excel or LibreOffice; the mirror gives the
value the template caches for it (so a viewer that does not recalculate shows the right text)
and lets tests compare the two. Both are built from the form's rules, and read a typed text
the way dv does (:mod:`toolkit.reading`): each number or date input has a defined name,
``_doc_<code>``, for the value as dv reads it, and every rule uses it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .form import NUMERIC_TYPES, Column, Field, Form, Rule, Table
from .form.cells import col_index, col_letters, quote_sheet
from .form.rules import EXCEL_EPOCH, EvalError, TableRef, excel_string
from .intake.coerce import EARLIEST_DATE, INTEGER_ABS_TOL, INTEGER_REL_TOL, choices_by_form, is_whole
from .numbers import format_number, format_percent
from .reading import (
    HELPERS,
    YEARS,
    choice_key,
    choice_text,
    helper_cell,
    is_blank,
    read_date,
    read_number,
    sheet_key,
    strip_spaces,
    xl_ambiguous,
    xl_date,
    xl_date_parts,
    xl_listed,
    xl_number,
    xl_number_body,
    xl_stripped,
    xl_trimmed,
    xl_without_separators,
    xl_year_only,
)

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
OUT_OF_RANGE_LOW = "Sai: phải từ {bound} trở lên"
OUT_OF_RANGE_HIGH = "Sai: không được lớn hơn {bound}"
DERIVED_TYPED = "Sai: ô này tự tính, phải là "
LOCKED_CHANGED = "Sai: ô đã khóa bị sửa, phải là "
UNIT_UNRESOLVED = "Sai: tên đơn vị không có trong danh sách, hãy chọn từ danh sách để có mã đơn vị"
# A typed text the reader does not take as a number or a date (docs/spec.md §2.11): an error,
# as dv rejects the file for it.
NOT_NUMBER = "Sai: không phải là số, hãy gõ lại chỉ bằng chữ số (ví dụ 37)"
AMBIGUOUS = "Sai: không rõ là số nào (dấu chấm, dấu phẩy mỗi máy hiểu một kiểu), gõ số không có dấu phân cách: "
NOT_DATE = "Sai: không đọc được ngày, hãy gõ dạng ngày/tháng/năm (ví dụ 16/11/2020)"
YEAR_ONLY = "Sai: mới có năm, hãy gõ đầy đủ ngày/tháng/năm"
TOO_EARLY = "Sai: ngày trước năm 1945, hãy gõ đầy đủ ngày/tháng/năm"
NOT_IN_LIST_OF = 'Sai: {label} "{{value}}" không có trong danh sách ({choices})'
DUPLICATE_ROW = "Sai: dòng này giống hệt một dòng khác (kê hai lần), hãy xóa dòng thừa"
EARLIEST_SERIAL = (EARLIEST_DATE - EXCEL_EPOCH).days
ON_RECEIPT = "mã, tên đơn vị theo danh sách và các tệp gửi trùng do Sở Nội vụ kiểm tra khi nhận"


def _is_blank(value: Any) -> bool:
    """An empty cell, or one holding only spaces (docs/spec.md §2.12): the sheet tests
    ``LEN(_chu_<code>)=0``, the text without its spaces."""
    return value is None or (isinstance(value, str) and is_blank(value))


def _textlike(type_: str) -> bool:
    return type_ in NUMERIC_TYPES or type_ == "date"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _rule_inputs(form: Form, rules: tuple[Rule, ...], but: str) -> list[Field]:
    names = set().union(*(r.fields for r in rules)) if rules else set()
    return [f for f in form.input_fields if f.code in names and f.code != but]


# -- the helper cells of a typed value, as dv reads it (toolkit.reading.HELPERS) --------------------


def helper_name(kind: str, code: str) -> str:
    """The defined name of a field's helper cell (``_doc_cut_rate``), or of the formula of a
    table column's helper cells (``_tinh_doc_van_ban_date``, relative to the row using it)."""
    return f"_{kind}_{code}"


# In a table's row, the steps that are cheap to write out stay inside the formulas that use
# them; the others are hidden cells of each row (fewer cells a row: the sheet reads fast).
INLINE_IN_ROWS = ("chu",)


def helper_formulas(type_: str, ref: str, at: Callable[[str], str]) -> dict[str, str]:
    """The formula of each step of reading a value of ``type_`` held at ``ref`` (kind →
    formula); ``at(kind)`` refers to another step's cell, or writes it out. A text of spaces
    is an empty cell; only a text the grammar does not read gives #N/A, in the ``doc`` step."""
    s = at("chu")
    out = {"chu": xl_stripped(ref)}
    if type_ in NUMERIC_TYPES:
        body = s
        if type_ == "percent":
            out["than"] = xl_number_body(s)
            body = at("than")
        out["ky"] = xl_without_separators(body)
        out["so"] = f'IF(OR(LEN({s})=0,NOT(ISTEXT({ref}))),"",{xl_number(body, at("ky"), whole=type_ == "integer")})'
        number = at("so")
        if type_ == "integer":
            text = f"IF({_xl_whole(number)},ROUND({number},0),{number})"
            typed = f"IF({_xl_whole(ref)},ROUND({ref},0),{ref})"
        else:
            text = f'IF(RIGHT({s},1)="%",{number}/100,IF(AND({number}>1,{number}<=100),{number}/100,{number}))'
            typed = f"IF(AND({ref}>1,{ref}<=100),{ref}/100,{ref})"
        out["doc"] = f'IF(LEN({s})=0,"",IF(ISTEXT({ref}),{text},IF(ISNUMBER({ref}),{typed},{ref})))'
    elif type_ == "date":
        gach, p1, p2 = xl_date_parts(s, at("gach"), at("p1"))
        out |= {"gach": gach, "p1": f"IFERROR({p1},0)", "p2": f"IFERROR({p2},0)"}
        reading = xl_date(s, at("gach"), at("p1"), at("p2"))
        out["doc"] = f'IF(LEN({s})=0,"",IF(ISTEXT({ref}),{reading},{ref}))'
    return {kind: out[kind] for kind in HELPERS[type_]}


def _field_at(code: str) -> Callable[[str], str]:
    return lambda kind: helper_name(kind, code)


def field_helpers(form: Form, f: Field) -> dict[str, tuple[str, str]]:
    """A field's helper cells: kind → (cell on the field's sheet, formula); each has the
    defined name ``helper_name(kind, code)``."""
    formulas = helper_formulas(f.type, f.code, _field_at(f.code))
    return {
        kind: (helper_cell(form.layout.check_column, f.type, kind, f.row), formula)
        for kind, formula in formulas.items()
    }


def table_helpers(table: Table) -> dict[str, dict[str, str]]:
    """Each column of ``table`` whose text is read as a number or a date: kind → column letter
    of its hidden helper cells, beside the check column."""
    out: dict[str, dict[str, str]] = {}
    column = col_index(table.check_column) + 1
    for c in table.columns:
        if _textlike(c.type):
            out[c.code] = {}
            for kind in HELPERS[c.type]:
                if kind not in INLINE_IN_ROWS:
                    out[c.code][kind] = col_letters(column)
                    column += 1
    return out


def _row_at(table: Table, c: Column, row: int, sheet: str) -> Callable[[str], str]:
    """A table cell's reading steps in its row: a helper cell, or the step written out."""
    cells = table_helpers(table)[c.code]
    ref = f"{sheet}${c.column}{row}"

    def at(kind: str) -> str:
        if kind in cells:
            return f"{sheet}${cells[kind]}{row}"
        return xl_stripped(ref)  # "chu", the one step written out

    return at


def table_helper_formulas(table: Table) -> dict[str, str]:
    """The formula of each table helper cell, as a defined name relative to row 1 (the cells
    of each row name it): ``_tinh_<kind>_<table>_<column>`` → formula."""
    sheet = quote_sheet(table.sheet) + "!"
    out = {}
    for code, cells in table_helpers(table).items():
        c = table.column(code)
        formulas = helper_formulas(c.type, f"{sheet}${c.column}1", _row_at(table, c, 1, sheet))
        for kind in cells:
            out[helper_name("tinh_" + kind, f"{table.code}_{code}")] = formulas[kind]
    return out


# -- values as the reader takes them -----------------------------------------------------------


@dataclass(frozen=True)
class _Read:
    """A cell as the checks see it: ``state`` blank, logical (TRUE in a number cell), unread (a
    text the grammar does not read; ``problem`` says how), or read (``value``)."""

    state: str
    value: Any = None
    problem: str = ""


def _read(type_: str, value: Any) -> _Read:
    if _is_blank(value):
        return _Read("blank")
    if isinstance(value, bool):
        return _Read("logical", int(value))
    if type_ in NUMERIC_TYPES:
        if isinstance(value, str):
            reading = read_number(value, whole=type_ == "integer")
            if reading.problem:
                return _Read("unread", problem=reading.problem)
            number = reading.value
            if type_ == "percent" and not reading.percent_sign or type_ == "integer":
                number = _read_number(type_, number)
            return _Read("read", number)
        return _Read("read", _read_number(type_, value))
    if type_ == "date" and isinstance(value, str):
        reading = read_date(value)
        if reading.problem:
            return _Read("unread", problem=reading.problem)
        return _Read("read", reading.value)
    return _Read("read", value)


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


def as_read(form: Form, env: Mapping[str, Any]) -> dict[str, Any]:
    """The values as the rules see them: each input as dv reads it (an unread text stays as
    it is, and a rule naming it cannot compute, as in the sheet)."""
    types = form.input_types
    out = {}
    for k, v in env.items():
        read = _read(types[k], v) if k in types else _Read("read", v)
        out[k] = read.value if read.state in ("read", "logical") else (None if read.state == "blank" else v)
    return out


def field_reference(form: Form) -> Callable[[str], str]:
    """How a rule's formula names a field: a number or date input by its reading, ``_doc_<code>``."""
    types = form.input_types

    def resolve(name: str) -> str:
        return helper_name("doc", name) if types.get(name) in (*NUMERIC_TYPES, "date") else name

    return resolve


def _chain_formula(
    form: Form,
    rules: tuple[Rule, ...],
    resolve: Callable[[str], str],
    tail: str,
    skip_blank: Callable[[Rule], list[str]] | None = None,
) -> str:
    """The rules in turn (errors first), the first failing one's live text, else ``tail``.
    ``skip_blank``: the inputs of a rule that, left empty, skip it (as dv skips a rule naming an
    empty field); empty as dv reads it, spaces only included. The skip is an IF, never an OR:
    IF computes only the branch it takes, so the rule's comparison of an empty reading ("")
    never runs into an error that would make the whole check "cannot compute"."""

    def column_range(ref: TableRef) -> str:
        return form.tables[ref.table].column_range(ref.column)

    out = tail
    for rule in reversed(_errors_first(rules)):
        holds = rule.expr.to_excel(resolve, column_range)
        blanks = skip_blank(rule) if skip_blank else []
        if blanks:
            empty = ",".join(f"LEN({helper_name('chu', b)})=0" for b in blanks)
            holds = f"IF(OR({empty}),TRUE,{holds})"
        out = f"IF({holds},{out},{rule.live.to_excel(resolve)})"
    return out


def _errors_first(rules: tuple[Rule, ...]) -> tuple[Rule, ...]:
    """The rules in the order a check shows them: an error is never hidden behind a warning."""
    return tuple(sorted(rules, key=lambda r: r.severity != "error"))


def _chain_value(
    form: Form,
    rules: tuple[Rule, ...],
    env: Mapping[str, Any],
    tables: Tables,
    tail: str = OK,
    unread: frozenset[str] = frozenset(),
    skip_blank: Callable[[Rule], list[str]] | None = None,
) -> str:
    for rule in _errors_first(rules):
        if skip_blank and any(_is_blank(env.get(name)) for name in skip_blank(rule)):
            continue
        if rule.fields & unread:
            raise EvalError("a value the sheet cannot read")  # #N/A in the sheet: IFERROR's text
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
    """One check of a single value read: an Excel condition on ``{x}``, its Python mirror, the text."""

    excel: str
    python: Callable[[Any], bool]
    text: str


def _serial(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return (value - dt.datetime.combine(EXCEL_EPOCH, dt.time())).total_seconds() / 86400
    if isinstance(value, dt.date):
        return (value - EXCEL_EPOCH).days
    return value


def _value_checks(type_: str, bounds: Field | None = None) -> list[_Check]:
    """The errors of one value read, judged before the rules (docs/spec.md §4.10); ``bounds``:
    the field whose smallest and largest values the value must respect."""
    num = _is_number
    errors: list[_Check] = []
    if type_ in ("integer", "percent"):
        errors.append(_Check("{x}<0", lambda v: num(v) and v < 0, NEGATIVE))
    if type_ == "integer":
        errors.append(_Check(f"NOT({_xl_whole('{x}')})", lambda v: num(v) and not is_whole(float(v)), NOT_INTEGER))
    if type_ == "percent":
        errors.append(_Check("{x}>1", lambda v: num(v) and v > 1, PERCENT_RANGE))
    # The form's own limits, on the value as dv reads it (12,5 in a rate is 12,5 %).
    if type_ in NUMERIC_TYPES and bounds is not None:
        if bounds.minimum is not None:
            errors.append(_bound_check(type_, bounds.minimum, below=True))
        if bounds.maximum is not None:
            errors.append(_bound_check(type_, bounds.maximum, below=False))
    if type_ == "date":
        # A year typed into a date cell (2016 is 08/07/1905), or any date before 1945: as dv reads it.
        first, last = YEARS.start, YEARS.stop - 1
        errors.append(
            _Check(
                f"AND({{x}}>={first},{{x}}<={last},{{x}}=INT({{x}}))",
                lambda v: num(_serial(v)) and first <= _serial(v) <= last and _serial(v) == int(_serial(v)),
                YEAR_ONLY,
            )
        )
        errors.append(
            _Check(f"{{x}}<{EARLIEST_SERIAL}", lambda v: num(_serial(v)) and _serial(v) < EARLIEST_SERIAL, TOO_EARLY)
        )
    return errors


def _bound_check(type_: str, bound: float, *, below: bool) -> _Check:
    """A value read under the field's smallest (``below``) or over its largest value."""
    shown = format_percent(bound) if type_ == "percent" else format_number(bound)

    def outside(value: Any) -> bool:
        return _is_number(value) and (value < bound if below else value > bound)

    if below:
        return _Check(f"{{x}}<{bound!r}", outside, OUT_OF_RANGE_LOW.format(bound=shown))
    return _Check(f"{{x}}>{bound!r}", outside, OUT_OF_RANGE_HIGH.format(bound=shown))


def _wrap_formula(checks: list[_Check], ref: str, inner: str) -> str:
    for check in reversed(checks):
        inner = f"IF({check.excel.format(x=ref)},{excel_string(check.text)},{inner})"
    return inner


def _first_failing(checks: list[_Check], value: Any) -> str | None:
    return next((c.text for c in checks if c.python(value)), None)


def _unread_formula(type_: str, at: Callable[[str], str]) -> str:
    """What the check says of a text the grammar does not read (``at``: the value's helper cells)."""
    s = at("chu")
    if type_ == "date":
        return f"IF({xl_year_only(s)},{excel_string(YEAR_ONLY)},{excel_string(NOT_DATE)})"
    if type_ == "integer":
        digits = at("ky")
        return f"IF({xl_ambiguous(s, digits)},{excel_string(AMBIGUOUS)}&{digits},{excel_string(NOT_NUMBER)})"
    return excel_string(NOT_NUMBER)


def _unread_value(type_: str, value: Any, read: _Read) -> str:
    if type_ == "date":
        return YEAR_ONLY if read.problem == "year" else NOT_DATE
    if read.problem == "ambiguous":
        return AMBIGUOUS + strip_spaces(str(value)).replace(".", "").replace(",", "")
    return NOT_NUMBER


def _unread_or_logical(type_: str, ref: str, at: Callable[[str], str], inner: str) -> str:
    """The checks of a typed value before its value checks: TRUE/FALSE (a number to some
    engines, never to dv), a text the grammar does not read."""
    logical = excel_string(NOT_DATE if type_ == "date" else NOT_NUMBER)
    unread = f"AND(ISTEXT({ref}),ISERROR({at('doc')}))"
    return f"IF(ISLOGICAL({ref}),{logical},IF({unread},{_unread_formula(type_, at)},{inner}))"


# -- one field's row ---------------------------------------------------------------------


def field_check_formula(form: Form, f: Field) -> str:
    rules = form.rules_for(f.code)
    others = _rule_inputs(form, rules, f.code)
    tail = excel_string(OK if rules else "")
    if f.type == "percent":
        tail = f"IF(AND(ISNUMBER({f.code}),{f.code}>1),{excel_string(PERCENT_AS_NUMBER)},{tail})"
    if _textlike(f.type):
        warn = TEXT_DATE if f.type == "date" else TEXT_NUMBER
        tail = f"IF(ISTEXT({f.code}),{excel_string(warn)},{tail})"
    body = _chain_formula(form, rules, field_reference(form), tail) if rules else tail
    if others:
        blanks = ",".join(f"LEN({helper_name('chu', o.code)})=0" for o in others)
        body = f'IF(OR({blanks}),"",{body})'
    if _textlike(f.type):
        body = _wrap_formula(_value_checks(f.type, f), helper_name("doc", f.code), body)
        body = _unread_or_logical(f.type, f.code, _field_at(f.code), body)
    if f.type == "choice" and f.choices:
        # A value pasted past the dropdown: the sheet says what dv says (value-not-choice),
        # looking the text up among every spelling dv accepts, as a table's row check does.
        body = _listed_formula(form, f.label, f.choices, f.code, body)
    missing = excel_string(MISSING if f.required else "")
    return f"IFERROR(IF(LEN({helper_name('chu', f.code)})=0,{missing},{body}),{excel_string(CANNOT)})"


def field_check_value(form: Form, f: Field, env: Mapping[str, Any], tables: Tables = None) -> str:
    """What :func:`field_check_formula` computes for these values (None is an empty cell)."""
    value = env.get(f.code)
    read = _read(f.type, value)
    if read.state == "blank":
        return MISSING if f.required else ""
    rules = form.rules_for(f.code)
    if _textlike(f.type):
        if read.state == "logical":
            return NOT_DATE if f.type == "date" else NOT_NUMBER
        if read.state == "unread":
            return _unread_value(f.type, value, read)
        failed = _first_failing(_value_checks(f.type, f), read.value)
        if failed:
            return failed
    if f.type == "choice" and f.choices and _chosen(form, f.choices, value) is None:
        return _not_listed_value(form, f.label, f.choices, value)
    if any(_is_blank(env.get(o.code)) for o in _rule_inputs(form, rules, f.code)):
        return ""
    if isinstance(value, str) and _textlike(f.type):
        tail = TEXT_DATE if f.type == "date" else TEXT_NUMBER
    elif f.type == "percent" and _is_number(value) and value > 1:
        tail = PERCENT_AS_NUMBER
    else:
        tail = OK if rules else ""
    if not rules:
        return tail
    try:
        return _chain_value(form, rules, as_read(form, env), tables, tail, _unread(form, env))
    except EvalError:
        return CANNOT


def _unread(form: Form, env: Mapping[str, Any]) -> frozenset[str]:
    """The inputs holding a text the grammar does not read: #N/A to every rule that names them."""
    types = form.input_types
    return frozenset(k for k, v in env.items() if k in types and _read(types[k], v).state == "unread")


# -- a derived count: the clerk must not type over it --------------------------------------


def needs_array(f: Field) -> bool:
    """Whether ``f``'s formula counts over a table: the cell holding it (and its check) is an
    array formula, so that every engine reads each row's spaces and spelling."""
    return f.expr is not None and bool(f.expr.table_refs)


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
    expected = f.expr.evaluate({k: (0 if v is None else v) for k, v in env.items()}, _as_read_tables(form, tables))
    shown = env.get(f.code)
    return "" if (0 if shown is None else shown) == expected else f"{DERIVED_TYPED}{expected}"


def _as_read_tables(form: Form, tables: Tables) -> dict[str, list[dict[str, Any]]]:
    """The tables' rows with each choice as dv reads it (a spelling outside the list: None)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for code, rows in (tables or {}).items():
        table = form.tables.get(code)
        columns = [c for c in table.columns if c.choices] if table else []
        out[code] = [{**row, **{c.code: _chosen(form, c.choices, row.get(c.code)) for c in columns}} for row in rows]
    return out


def _chosen(form: Form, choices: str, value: Any) -> Any:
    """The form's value a cell of the list ``choices`` holds, as dv reads it; None if none."""
    if value is None or isinstance(value, dt.date):
        return None
    return choices_by_form(form.choice_values(choices)).get(choice_key(str(value)))


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


def _row_value(table: Table, c: Column, row: int, sheet: str) -> str:
    """A number or date of a row as dv reads it: its helper cell; the cell itself in a row
    inserted by the clerk, which has no helper cells (LibreOffice copies no formula into it)."""
    doc = _row_at(table, c, row, sheet)("doc")
    return f"IF(ISBLANK({doc}),{sheet}${c.column}{row},{doc})"


def _row_resolver(form: Form, table: Table, row: int, sheet: str) -> Callable[[str], str]:
    columns = {c.code: c for c in table.columns}
    fields = field_reference(form)

    def resolve(name: str) -> str:
        if name in columns:
            c = columns[name]
            return _row_value(table, c, row, sheet) if _textlike(c.type) else f"{sheet}${c.column}{row}"
        return fields(name)

    return resolve


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


def _not_in_list_text(form: Form, label: str, choices: str) -> str:
    return NOT_IN_LIST_OF.format(label=label, choices=", ".join(form.choice_values(choices)))


def _listed_formula(form: Form, label: str, choices: str, ref: str, inner: str) -> str:
    """``inner`` when the cell ``ref`` holds one of the list's accepted spellings (the
    template's lists sheet, by its name ``_dang_<list>``); else what is typed and the list."""
    trimmed = xl_trimmed(ref)
    text = _not_in_list_text(form, label, choices).split("{value}")
    message = f"{excel_string(text[0])}&LEFT({trimmed},40)&{excel_string(text[1])}"
    return f"IF(NOT({xl_listed(trimmed, helper_name('dang', choices))}),{message},{inner})"


def _not_listed_value(form: Form, label: str, choices: str, value: Any) -> str:
    """What :func:`_listed_formula` shows for a ``value`` outside the list."""
    return _not_in_list_text(form, label, choices).replace("{value}", choice_text(str(value))[:40])


def row_check_body(form: Form, table: Table, row: int, sheet: str = "") -> str:
    """The check of one row of ``table`` without its IFERROR, in one formula."""
    parts = _row_check_parts(form, table, row, sheet)
    inline = parts[-1]
    for part in reversed(parts[:-1]):
        inline = part.replace(_NEXT, inline)
    return inline


def row_check_names(form: Form, table: Table) -> dict[str, str]:
    """The row check as defined names relative to row 1 (the check cell of each row names the
    first), in parts that each name the next: a name over about 4 kB of tokens is dropped when
    LibreOffice saves as .xls (Excel 97), and every row would then show an error."""
    _, check, _ = row_names(table)
    names = [check] + [f"{check}_{i}" for i in range(1, 3)]
    parts = _row_check_parts(form, table, 1, quote_sheet(table.sheet) + "!")
    return {
        name: part.replace(_NEXT, names[i + 1]) if i + 1 < len(parts) else part
        for i, (name, part) in enumerate(zip(names, parts, strict=True))
    }


_NEXT = "\x00next\x00"  # where a part of the row check goes on with the next part


def _row_check_parts(form: Form, table: Table, row: int, sheet: str) -> list[str]:
    """The row check in three parts, each going on where the previous one says _NEXT: whether
    the row is filled and whole; its choices in their lists; its dates, rules and duplicates.
    Written to hold in a row the clerk inserted, which has this check once a check cell is
    copied into it, but no helper cells."""
    cell = {c.code: f"{sheet}${c.column}{row}" for c in table.columns}
    filled = "(" + "+".join(f"(LEN({xl_stripped(cell[c.code])})>0)" for c in table.columns) + ")"
    missing = "&".join(
        f'IF(LEN({xl_stripped(cell[c.code])})=0,{excel_string("; " + c.label)},"")' for c in table.columns
    )
    whole = (
        f'IF({filled}=0,"",IF({filled}<{len(table.columns)},{excel_string(ROW_MISSING)}&MID({missing},3,1000),{_NEXT}))'
    )
    listed = _NEXT
    for c in reversed(table.columns):
        if c.choices:
            listed = _listed_formula(form, c.label, c.choices, cell[c.code], listed)
    tail = excel_string(OK)
    for c in table.columns:
        if c.type == "date":
            tail = f"IF(ISTEXT({cell[c.code]}),{excel_string(TEXT_DATE)},{tail})"
    resolve = _row_resolver(form, table, row, sheet)
    inputs = _row_rule_inputs(form, table)
    body = _chain_formula(form, table.rules, resolve, tail, inputs) if table.rules else tail
    same = [table.column(code) for code in table.identity]
    if same:  # a row listed twice: an error, shown before any rule's warning
        matches = "*".join(
            f"({sheet}${c.column}${table.first_row}:${c.column}${table.last_row}={cell[c.code]})" for c in same
        )
        body = f"IF(SUMPRODUCT({matches})>1,{excel_string(DUPLICATE_ROW)},{body})"
    for c in reversed(table.columns):
        if not _textlike(c.type):
            continue
        at = _row_at(table, c, row, sheet)
        checked = _wrap_formula(_value_checks(c.type), _row_value(table, c, row, sheet), body)
        checked = _unread_or_logical(c.type, cell[c.code], at, checked)
        # An inserted row: no helper cells to read a text with; the text is only flagged.
        missing_helpers = f"AND(ISTEXT({cell[c.code]}),ISBLANK({at('doc')}))"
        body = f"IF({missing_helpers},{excel_string(TEXT_DATE if c.type == 'date' else TEXT_NUMBER)},{checked})"
    return [whole, listed, body]


def row_check_value(
    form: Form,
    table: Table,
    values: Mapping[str, Any],
    env: Mapping[str, Any],
    rows: list[Mapping[str, Any]] | None = None,
) -> str:
    """What the row check shows for a row holding ``values``; ``rows``: every row of the table
    (the row itself included), to tell a row listed twice."""
    present = [c for c in table.columns if not _is_blank(values.get(c.code))]
    if not present:
        return ""
    if len(present) < len(table.columns):
        return ROW_MISSING + "; ".join(c.label for c in table.columns if c not in present)
    for c in table.columns:
        if c.choices and _chosen(form, c.choices, values[c.code]) is None:
            return _not_listed_value(form, c.label, c.choices, values[c.code])
    row_env = dict(values)
    for c in table.columns:
        if not _textlike(c.type):
            continue
        read = _read(c.type, values.get(c.code))
        if read.state == "logical":
            return NOT_DATE if c.type == "date" else NOT_NUMBER
        if read.state == "unread":
            return _unread_value(c.type, values.get(c.code), read)
        failed = _first_failing(_value_checks(c.type), read.value)
        if failed:
            return failed
        row_env[c.code] = read.value
    tail = OK
    same = [table.column(code) for code in table.identity]
    if same and rows is not None:
        key = [sheet_key(values.get(c.code)) for c in same]
        if sum(1 for other in rows if [sheet_key(other.get(c.code)) for c in same] == key) > 1:
            return DUPLICATE_ROW
    for c in table.columns:
        if c.type == "date" and isinstance(values.get(c.code), str):
            tail = TEXT_DATE
    try:
        row_env = {**as_read(form, env), **row_env}
        return _chain_value(form, table.rules, row_env, None, tail, _unread(form, env), _row_rule_inputs(form, table))
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
