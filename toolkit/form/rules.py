"""The rule language: one text, two targets.

A rule such as ``total == part_a + part_b`` is parsed with Python's ``ast`` (never
``eval``), checked against a whitelist, and then either compiled to an Excel formula (the live
check in the template) or evaluated in Python (the validator). Both targets share one
semantics: ``and``/``or`` short-circuit (compiled to ``IF`` so that a guarded division never
raises in the sheet), rounding is half away from zero as in Excel, text comparison in
``countif`` ignores case as ``COUNTIF`` does, and a division by zero is an evaluation error in
both.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..messages import phrase
from ..numbers import excel_round, format_doc_date, format_number, format_percent
from ..reading import choice_forms, xl_choice_key, xl_is_one_of
from ..text import text_key
from .errors import RuleSyntaxError

__all__ = [
    "Expression",
    "RuleSyntaxError",
    "EvalError",
    "EXCEL_EPOCH",
    "Template",
    "excel_string",
]


class EvalError(ArithmeticError):
    """A rule that cannot be computed on these values (e.g. a division by zero)."""


_BINOPS: dict[type, str] = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_CMPOPS: dict[type, str] = {
    ast.Eq: "=",
    ast.NotEq: "<>",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
}
# name -> (Excel function, number of arguments)
_FUNCS: dict[str, tuple[str, int | None]] = {
    "abs": ("ABS", 1),
    "min": ("MIN", None),
    "max": ("MAX", None),
    "round": ("ROUND", 2),
    "year": ("YEAR", 1),
    "month": ("MONTH", 1),
    "countif": ("COUNTIF", 2),
}


def excel_string(text: str) -> str:
    """A string literal for an Excel formula."""
    return '"' + text.replace('"', '""') + '"'


@dataclass(frozen=True)
class TableRef:
    """``table.column`` inside a rule: a whole column of a repeated table."""

    table: str
    column: str


class Expression:
    """A parsed, whitelisted rule expression."""

    def __init__(self, text: str) -> None:
        self.text = text
        stripped = text.strip()
        # Positions in messages count from 1 in the text as the author wrote it (its leading
        # spaces included): "ở ký tự 14" points at the character the author sees.
        self._lead = len(text) - len(text.lstrip())
        if not stripped:
            raise self._error("rule.empty", 0)
        try:
            tree = ast.parse(stripped, mode="eval")
        except SyntaxError as exc:
            raise self._error(*_syntax_reason(stripped, exc)) from None
        self._node = tree.body
        self.names: frozenset[str] = frozenset()
        self.table_refs: frozenset[TableRef] = frozenset()
        names: set[str] = set()
        refs: set[TableRef] = set()
        self._check(self._node, names, refs)
        self.names = frozenset(names)
        self.table_refs = frozenset(refs)
        self._fn = _compile(self._node)

    def __eq__(self, other: object) -> bool:
        # Two expressions of the same text are the same rule (a form loaded twice is equal).
        return isinstance(other, Expression) and other.text == self.text

    def __hash__(self) -> int:
        return hash(("Expression", self.text))

    def _error(self, key: str, offset: int, **params: object) -> RuleSyntaxError:
        """The expression refused at ``offset`` (0-based, in the stripped text)."""
        position = self._lead + offset + 1
        near = self.text[position - 1 : position + 19]
        return RuleSyntaxError(
            phrase("rule.refused", text=self.text, position=position, reason=phrase(key, **params)),
            position=position,
            near=near,
            reason=phrase(key, **params),
            text=self.text,
        )

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"

    # -- whitelist -------------------------------------------------------------------------
    def _check(self, node: ast.AST, names: set[str], refs: set[TableRef]) -> None:
        at = getattr(node, "col_offset", 0)
        match node:
            case ast.Constant(value=v):
                if isinstance(v, bool) or not isinstance(v, int | float | str):
                    raise self._error("rule.constant", at, value=repr(v))
            case ast.Name(id=name):
                names.add(name)
            case ast.BinOp(left=left, op=op, right=right):
                if type(op) not in _BINOPS:
                    raise self._error("rule.operator", _op_offset(self.text.strip(), left, right))
                self._check(left, names, refs)
                self._check(right, names, refs)
            case ast.UnaryOp(op=op, operand=operand):
                if not isinstance(op, ast.USub | ast.UAdd | ast.Not):
                    raise self._error("rule.operator", at)
                self._check(operand, names, refs)
            case ast.BoolOp(values=values):
                for value in values:
                    self._check(value, names, refs)
            case ast.Compare(left=left, ops=ops, comparators=comps):
                if any(type(op) not in _CMPOPS for op in ops):
                    raise self._error("rule.comparison", _op_offset(self.text.strip(), left, comps[0]))
                self._check(left, names, refs)
                for comp in comps:
                    self._check(comp, names, refs)
            case ast.Call(func=ast.Name(id=fname), args=args, keywords=[]):
                if fname not in _FUNCS:
                    raise self._error("rule.function", at, name=fname, known=", ".join(_FUNCS))
                arity = _FUNCS[fname][1]
                if arity is not None and len(args) != arity:
                    raise self._error("rule.arity", at, name=fname, count=arity)
                if not args:
                    raise self._error("rule.no_arguments", at, name=fname)
                if fname == "countif":
                    ref = args[0]
                    if not (isinstance(ref, ast.Attribute) and isinstance(ref.value, ast.Name)):
                        raise self._error("rule.countif", getattr(ref, "col_offset", at))
                    refs.add(TableRef(ref.value.id, ref.attr))
                    self._check(args[1], names, refs)
                else:
                    for arg in args:
                        self._check(arg, names, refs)
            case ast.Attribute():
                raise self._error("rule.attribute", at)
            case _:
                raise self._error("rule.syntax_kind", at, kind=type(node).__name__)

    # -- Excel -----------------------------------------------------------------------------
    def to_excel(
        self,
        resolve: Callable[[str], str],
        column_range: Callable[[TableRef], str] | None = None,
    ) -> str:
        """The expression as an Excel formula body (no leading ``=``).

        ``resolve`` maps a field name to a reference (a defined name, or a cell of the
        current row for table rules); ``column_range`` maps ``table.column`` to a range.
        """

        def col(ref: TableRef) -> str:
            if column_range is None:
                raise RuleSyntaxError(phrase("rule.no_table", ref=f"{ref.table}.{ref.column}"))
            return column_range(ref)

        return self._xl(self._node, resolve, col)

    def _xl(self, node: ast.AST, res: Callable[[str], str], col: Callable[[TableRef], str]) -> str:
        x = lambda n: self._xl(n, res, col)  # noqa: E731
        match node:
            case ast.Constant(value=str() as s):
                return excel_string(s)
            case ast.Constant(value=v):
                return repr(v)
            case ast.Name(id=name):
                return res(name)
            case ast.BinOp(left=left, op=op, right=right):
                return f"({x(left)}{_BINOPS[type(op)]}{x(right)})"
            case ast.UnaryOp(op=ast.Not(), operand=operand):
                return f"NOT({x(operand)})"
            case ast.UnaryOp(op=op, operand=operand):
                return f"({'-' if isinstance(op, ast.USub) else '+'}{x(operand)})"
            case ast.BoolOp(op=ast.And(), values=values):
                out = x(values[-1])
                for value in reversed(values[:-1]):
                    out = f"IF({x(value)},{out},FALSE)"
                return out
            case ast.BoolOp(op=ast.Or(), values=values):
                out = x(values[-1])
                for value in reversed(values[:-1]):
                    out = f"IF({x(value)},TRUE,{out})"
                return out
            case ast.Compare(left=left, ops=ops, comparators=comps):
                parts = []
                prev = left
                for op, comp in zip(ops, comps, strict=True):
                    parts.append(f"({x(prev)}{_CMPOPS[type(op)]}{x(comp)})")
                    prev = comp
                out = parts[-1]
                for part in reversed(parts[:-1]):
                    out = f"IF({part},{out},FALSE)"
                return out
            case ast.Call(func=ast.Name(id="countif"), args=[ref, value]):
                assert isinstance(ref, ast.Attribute) and isinstance(ref.value, ast.Name)
                rng = col(TableRef(ref.value.id, ref.attr))
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    # The rows whose text, spaces trimmed and case aside, is one of the spellings
                    # dv accepts for the value (toolkit.reading): an array formula, never COUNTIF,
                    # which neither trims nor compares letters alike in every engine.
                    key = xl_choice_key(rng)
                    return f"SUM(IF({xl_is_one_of(key, choice_forms(value.value), array=True)},1,0))"
                return f"COUNTIF({rng},{x(value)})"
            case ast.Call(func=ast.Name(id=fname), args=args):
                return f"{_FUNCS[fname][0]}({','.join(x(a) for a in args)})"
        raise RuleSyntaxError(phrase("rule.syntax_kind", kind=ast.dump(node)))  # pragma: no cover

    # -- Python ----------------------------------------------------------------------------
    def evaluate(
        self,
        env: Mapping[str, Any],
        tables: Mapping[str, list[Mapping[str, Any]]] | None = None,
    ) -> Any:
        """Compute the expression; a missing name is a ``KeyError``, 1/0 an ``EvalError``."""
        return self._fn(env, tables or {})


# An expression compiled to nested Python closures, once per rule of the form (never from a
# file's content): evaluating it walks no tree and matches no pattern, for each rule of each
# file. The closures do what the tree says, in its order (operands left to right, ``and``,
# ``or`` and comparison chains short-circuiting), and raise what it raises.
_Fn = Callable[[Mapping[str, Any], Mapping[str, Any]], Any]


def _compile(node: ast.AST) -> _Fn:
    match node:
        case ast.Constant(value=v):
            return lambda env, tables: v
        case ast.Name(id=name):

            def name_value(env: Mapping[str, Any], tables: Mapping[str, Any]) -> Any:
                value = env[name]
                return 0 if value is None else value  # Excel reads an empty cell as 0

            return name_value
        case ast.BinOp(left=left, op=op, right=right):
            return _binop(type(op), _compile(left), _compile(right))
        case ast.UnaryOp(op=ast.Not(), operand=operand):
            f = _compile(operand)
            return lambda env, tables: not f(env, tables)
        case ast.UnaryOp(op=op, operand=operand):
            f = _compile(operand)
            if isinstance(op, ast.USub):
                return lambda env, tables: -_num(f(env, tables))
            return lambda env, tables: _num(f(env, tables))
        case ast.BoolOp(op=ast.And(), values=values):
            fs = tuple(_compile(v) for v in values)
            return lambda env, tables: all(f(env, tables) for f in fs)  # all() short-circuits like IF
        case ast.BoolOp(op=ast.Or(), values=values):
            fs = tuple(_compile(v) for v in values)
            return lambda env, tables: any(f(env, tables) for f in fs)
        case ast.Compare(left=left, ops=ops, comparators=comps):
            return _comparison(_compile(left), tuple(zip((type(op) for op in ops), map(_compile, comps), strict=True)))
        case ast.Call(func=ast.Name(id="countif"), args=[ref, value]):
            assert isinstance(ref, ast.Attribute) and isinstance(ref.value, ast.Name)
            return _countif(ref.value.id, ref.attr, _compile(value))
        case ast.Call(func=ast.Name(id=fname), args=args) if fname in _CALLS:
            return _call(_CALLS[fname], tuple(_compile(a) for a in args))
    raise RuleSyntaxError(phrase("rule.syntax_kind", kind=ast.dump(node)))  # pragma: no cover


def _binop(op: type, left: _Fn, right: _Fn) -> _Fn:
    if op is ast.Add:
        return lambda env, tables: _num(left(env, tables)) + _num(right(env, tables))
    if op is ast.Sub:
        return lambda env, tables: _num(left(env, tables)) - _num(right(env, tables))
    if op is ast.Mult:
        return lambda env, tables: _num(left(env, tables)) * _num(right(env, tables))

    def divide(env: Mapping[str, Any], tables: Mapping[str, Any]) -> Any:
        a, b = _num(left(env, tables)), _num(right(env, tables))
        if b == 0:
            raise EvalError("chia cho 0")
        return a / b

    return divide


def _comparison(left: _Fn, rest: tuple[tuple[type, _Fn], ...]) -> _Fn:
    def compare(env: Mapping[str, Any], tables: Mapping[str, Any]) -> bool:
        a = left(env, tables)
        for op, comp in rest:
            b = comp(env, tables)
            if not _compare(op, a, b):
                return False
            a = b
        return True

    return compare


def _countif(table: str, column: str, value: _Fn) -> _Fn:
    def countif(env: Mapping[str, Any], tables: Mapping[str, Any]) -> int:
        wanted = text_key(value(env, tables))
        rows = tables.get(table, [])
        return sum(1 for row in rows if text_key(row.get(column) or "") == wanted)

    return countif


def _call(body: Callable[[list[Any]], Any], args: tuple[_Fn, ...]) -> _Fn:
    # Every argument is computed before the function runs, as a spreadsheet does.
    return lambda env, tables: body([f(env, tables) for f in args])


_CALLS: dict[str, Callable[[list[Any]], Any]] = {
    "abs": lambda vals: abs(_num(vals[0])),
    "min": lambda vals: min(_num(v) for v in vals),
    "max": lambda vals: max(_num(v) for v in vals),
    "round": lambda vals: excel_round(_num(vals[0]), int(vals[1])),
    "year": lambda vals: _as_date(vals[0]).year,
    "month": lambda vals: _as_date(vals[0]).month,
}


# Excel's date serial numbers (and LibreOffice's) are days since this date from March 1900
# on: Excel counts a 29/02/1900 that never was. Shared with toolkit.intake.coerce.
EXCEL_EPOCH = dt.date(1899, 12, 30)


def _as_date(value: Any) -> dt.date:
    """A date as YEAR() and MONTH() see it: a number is a day of Excel's calendar (a year typed
    into a date cell, 2016, is 08/07/1905 to the sheet)."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < 2_958_466:
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    raise EvalError("không phải ngày")


_EXACT = 10**15
_NUMERIC_TEXT = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$")


def _num(value: Any) -> float | int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, str) and _NUMERIC_TEXT.match(value):
        # A spreadsheet reads unambiguous numeric text in arithmetic ("04" + 4 = 8).
        number = float(value)
        return int(number) if number.is_integer() and "." not in value else number
    raise EvalError(f"{value!r} không phải là số")


def _serial(value: Any) -> Any:
    """A date as the sheet holds it, a day of Excel's calendar; anything else as it is."""
    if isinstance(value, dt.datetime):
        return (value.replace(tzinfo=None) - dt.datetime(1899, 12, 30)).total_seconds() / 86400
    if isinstance(value, dt.date):
        return (value - EXCEL_EPOCH).days
    return value


def _compare(op: type, a: Any, b: Any) -> bool:
    dates = isinstance(a, dt.date) or isinstance(b, dt.date)
    if dates and type(a) is not type(b) and not isinstance(a, str) and not isinstance(b, str):
        # A date against a number (a year typed into a date cell: 2020 is 12/07/1905), or a
        # date against a date and time: as the sheet compares them, days of Excel's calendar.
        a, b = _serial(a), _serial(b)
    if isinstance(a, str) or isinstance(b, str):
        a, b = text_key(a), text_key(b)  # Excel's "=" ignores case; tone-mark style too ("hoá" = "hóa")
    elif type(a) is int and type(b) is int and -_EXACT < a < _EXACT and -_EXACT < b < _EXACT:
        pass  # whole numbers of at most 15 digits (counts): 15 significant digits hold them exactly
    elif isinstance(a, int | float) and isinstance(b, int | float):
        # Excel compares numbers to 15 significant digits: 0.1+0.2 = 0.3 is TRUE there.
        a, b = float(f"{a:.15g}"), float(f"{b:.15g}")
    if op is ast.Eq:
        return a == b
    if op is ast.NotEq:
        return a != b
    if op is ast.Lt:
        return a < b
    if op is ast.LtE:
        return a <= b
    if op is ast.Gt:
        return a > b
    return a >= b


# -- message templates -----------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_ATTR = re.compile(r"^\s*([a-z_][a-z0-9_]*)\.(cell|label)\s*$")
_SPECS = ("%", "d", "02", "dmy", "clause")


@dataclass(frozen=True)
class _Piece:
    text: str = ""
    expr: Expression | None = None
    percent: bool = False
    plain: bool = False  # ":d": digits without grouping (a year)
    spec: str = ""  # ":02" a count with a leading zero under 10, ":dmy" a date, ":clause" a subject
    attr: tuple[str, str] | None = None  # (name, "cell" | "label")
    special: str | None = None  # "row"


class Template:
    """A message with placeholders: ``{expr}``, ``{expr:%}``, ``{expr:d}``, ``{field.cell}``,
    ``{field.label}`` and ``{row}``. Rendered in Python, or compiled to Excel (expressions
    only: the live check's short text).

    For the sentences of a report: ``{expr:02}`` a count with a leading zero under 10 (``08``),
    ``{date:dmy}`` a date as Decree 30 writes it (``25/3/2020``), ``{text:clause}`` a
    document's subject inside a sentence (``Về thực hiện …`` → ``về thực hiện …``)."""

    def __init__(self, text: str) -> None:
        self.text = text
        pieces: list[_Piece] = []
        pos = 0
        for match in _PLACEHOLDER.finditer(text):
            if match.start() > pos:
                pieces.append(_Piece(text=text[pos : match.start()]))
            body = match.group(1)
            if attr := _ATTR.match(body):
                pieces.append(_Piece(attr=(attr.group(1), attr.group(2))))
            elif body.strip() == "row":
                pieces.append(_Piece(special="row"))
            else:
                source, colon, spec = body.rstrip().rpartition(":")
                if not colon or spec not in _SPECS:
                    source, spec = body, ""
                pieces.append(
                    _Piece(
                        expr=_placeholder(text, source, match.start(1)),
                        percent=spec == "%",
                        plain=spec == "d",
                        spec=spec if spec in ("02", "dmy", "clause") else "",
                    )
                )
            pos = match.end()
        if pos < len(text):
            pieces.append(_Piece(text=text[pos:]))
        self._pieces = tuple(pieces)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Template) and other.text == self.text

    def __hash__(self) -> int:
        return hash(("Template", self.text))

    def __repr__(self) -> str:
        return f"Template({self.text!r})"

    @property
    def names(self) -> frozenset[str]:
        out: set[str] = set()
        for piece in self._pieces:
            if piece.expr is not None:
                out |= piece.expr.names
            if piece.attr is not None:
                out.add(piece.attr[0])
        return frozenset(out)

    def render(
        self,
        env: Mapping[str, Any],
        attrs: Callable[[str, str], str],
        *,
        row: int | None = None,
        lang: str = "vi",
        grouping: bool = True,
    ) -> str:
        out = []
        for piece in self._pieces:
            if piece.expr is not None:
                try:
                    value = piece.expr.evaluate(env)
                except (EvalError, KeyError):
                    value = "?"
                if piece.percent:
                    out.append(format_percent(value, lang=lang, grouping=grouping))
                elif piece.spec == "02":
                    out.append(format_number(value, lang=lang, grouping=grouping, pad=True))
                elif piece.spec == "dmy":
                    out.append(format_doc_date(value) if isinstance(value, dt.date) else "…")
                elif piece.spec == "clause":
                    out.append(_clause(value))
                elif piece.plain and isinstance(value, int | float):
                    out.append(str(int(value)))
                else:
                    out.append(format_number(value, lang=lang, grouping=grouping))
            elif piece.attr is not None:
                out.append(attrs(*piece.attr))
            elif piece.special == "row":
                out.append("" if row is None else str(row))
            else:
                out.append(piece.text)
        return "".join(out)

    def to_excel(self, resolve: Callable[[str], str]) -> str:
        """The message as an Excel text expression (``"Sai: "&(a+b)``)."""
        parts: list[str] = []
        for piece in self._pieces:
            if piece.expr is not None and piece.spec in ("dmy", "clause"):
                raise RuleSyntaxError(phrase("rule.live_spec", spec=f":{piece.spec}"))
            if piece.expr is not None:
                body = piece.expr.to_excel(resolve)
                # ROUND keeps the sheet's text as short as the validator's; the decimal
                # separator then follows the reader's locale (a comma in Vietnamese).
                if piece.spec == "02":
                    parts.append(f'IF(AND({body}>=1,{body}<=9,{body}=INT({body})),"0"&{body},ROUND({body},4))')
                    continue
                parts.append(f'ROUND({body}*100,2)&"%"' if piece.percent else f"ROUND({body},4)")
            elif piece.attr is not None or piece.special is not None:
                shown = f"{{{piece.attr[0]}.{piece.attr[1]}}}" if piece.attr else "{row}"
                raise RuleSyntaxError(phrase("rule.live_spec", spec=shown))
            else:
                parts.append(excel_string(piece.text))
        return "&".join(parts) if parts else '""'


def _placeholder(template: str, source: str, start: int) -> Expression:
    """The expression of one ``{…}`` of a message; refused, it is said where it stands in the
    whole message (the author reads the message, not the placeholder alone)."""
    try:
        return Expression(source)
    except RuleSyntaxError as exc:
        position = start + (exc.position or 1)
        raise RuleSyntaxError(
            phrase("rule.refused", text=template, position=position, reason=exc.reason),
            position=position,
            near=template[position - 1 : position + 19],
            reason=exc.reason,
            text=template,
        ) from None


def _syntax_reason(text: str, exc: SyntaxError) -> tuple[str, int]:
    """What Python's parser refused, said as the author would fix it: a catalogue key and the
    0-based offset. The usual slips of a spreadsheet user get their own words."""
    # Python says offset 0 (or a later line) when the text ends too early ("a +"): the last
    # character is where the author looks.
    offset = (exc.offset or 0) - 1 if exc.lineno in (None, 1) else -1
    if not 0 <= offset < len(text):
        offset = max(len(text.rstrip()) - 1, 0)
    for m in re.finditer(r"(?<![=!<>])=(?!=)", text):
        return "rule.single_equals", m.start()
    if text.count("(") > text.count(")"):
        return "rule.unclosed", text.rfind("(")
    if text.count(")") > text.count("("):
        return "rule.unopened", text.find(")") if ")" in text else offset
    for m in re.finditer(r"[≤≥≠×÷^%&|;]|<>", text):
        return "rule.bad_symbol", m.start()
    quotes = [m.start() for m in re.finditer(r"['\"]", text)]
    if len(quotes) % 2:
        return "rule.unclosed_quote", quotes[-1]
    return "rule.syntax", offset


def _op_offset(text: str, left: ast.AST, right: ast.AST) -> int:
    """Where the operator between two operands starts (0-based): after the left operand."""
    end = getattr(left, "end_col_offset", None)
    start = getattr(right, "col_offset", None)
    if end is None or start is None:
        return getattr(left, "col_offset", 0)
    gap = text[end:start]
    return end + (len(gap) - len(gap.lstrip()))


def _clause(value: Any) -> str:
    """A subject written as a title (``Về thực hiện …``) put inside a sentence: its first
    letter in lower case, unless the first word is an abbreviation (``UBND``)."""
    text = "" if value is None or value == 0 else str(value).strip()
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def names_in(texts: Iterable[Template | Expression]) -> frozenset[str]:
    out: set[str] = set()
    for item in texts:
        out |= item.names
    return frozenset(out)
