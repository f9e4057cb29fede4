"""Raw workbook → which form, typed values, documents, and every issue (SPEC section 2).

Walks the form definition only: each field's cell, each table column, each rule. Bad data
becomes issues; nothing here raises for what a clerk typed.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .coerce import coerce
from .form import Field, Form, Rule, Table
from .issues import ERROR, Issue, make_issue
from .readers import RawBook
from .roster import Roster
from .rules import EvalError, format_number

__all__ = ["Extracted", "extract"]

_LEADING_NUMBER = re.compile(r"^\s*\d+[a-zA-Z]?\s*([-/])")
_PARTY_ABBR = re.compile(r"^\s*\d+[a-zA-Z]?\s*-\s*([^\W\d_]+)\s*/", re.UNICODE)
_STATE_ABBR = re.compile(r"^\s*\d+[a-zA-Z]?\s*/\s*(?:\d{4}\s*/\s*)?([^\W\d_]+)\s*-", re.UNICODE)
_STYLE_TEXT = {
    "party": ("Đảng (18-KH/ĐU)", "Party (18-KH/ĐU)"),
    "state": ("chính quyền (545/KH-…)", "state (545/KH-…)"),
}


@dataclass
class Extracted:
    """What one workbook says, typed, with its issues."""

    fmt: str
    meta: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    docs: list[dict[str, Any]] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    unit_code: str = ""

    @property
    def has_errors(self) -> bool:
        return any(i.severity == ERROR for i in self.issues)


def _norm(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", " ".join(str(value).replace("\u00a0", " ").split()))


def _field_issue(f: Field | Any, sheet: str, cell: str, prefix: str = "") -> Callable[..., Issue]:
    """An issue maker for one cell; ``prefix`` names the table of a column (van_ban.date)."""
    label_en = f.label_en or f.label

    def make(code: str, **params: Any) -> Issue:
        return make_issue(code, field=prefix + f.code, sheet=sheet, cell=cell, label_vi=f.label, label_en=label_en,
                          label=f.label, **params)  # fmt: skip

    return make


def extract(book: RawBook, form: Form, file_name: str, roster: Roster | None = None) -> Extracted:
    out = Extracted(fmt=book.fmt)
    if book.fmt == "xlsm":
        out.issues.append(make_issue("file-macro", file=file_name))
    if not _identify(book, form, file_name, out):
        return out
    _read_fields(book, form, out)
    for table in form.tables.values():
        _read_table(book, form, table, out)
    if _unfilled(form, out):
        out.issues = [i for i in out.issues if i.severity != ERROR] + [make_issue("template-unfilled", file=file_name)]
        return out
    _derive(form, out)
    _required(form, out)
    _rules(form, out)
    _unit(form, out, roster)
    _report_date(form, out)
    return out


# -- which form ------------------------------------------------------------------------------


def _identify(book: RawBook, form: Form, file_name: str, out: Extracted) -> bool:
    lay = form.layout
    base = {"file": file_name, "form": form.id}
    meta_rows = book.sheets.get(lay.meta_sheet)
    if meta_rows is None:
        # Never name the hidden sheet: the clerk cannot see it.
        main = lay.sheet if lay.sheet in book.sheets else _renamed_sheet(book, form, lay.sheet)
        if main is not None and _carries_labels(book, form, main, lay.sheet):
            out.issues.append(make_issue("form-copied", **base))  # the sheets, without the form's metadata
        elif lay.sheet in book.sheets:
            out.issues.append(make_issue("form-unknown", reason="thông tin ẩn của biểu mẫu",
                                         reason_en="the form's hidden information", **base))  # fmt: skip
        else:
            out.issues.append(make_issue("form-unknown", reason=f"trang {lay.sheet}", reason_en=f"sheet {lay.sheet}",
                                         **base))  # fmt: skip
        return False
    meta = {_norm(r[0]): _norm(r[1]) for r in meta_rows if len(r) >= 2 and r[0] != ""}
    out.meta = meta
    if meta.get("kind") == "summary":
        return False  # a summary dv merge wrote: not a submission (check_file ignores it)
    if meta.get("form_id") != form.id:
        out.issues.append(make_issue("form-other", found=meta.get("form_id") or "?", **base))
        return False
    if meta.get("form_year") != str(form.year):
        out.issues.append(make_issue("form-year", found=meta.get("form_year") or "?", year=form.year, **base))
        return False
    missing_sheets = [s for s in (lay.sheet, *(t.sheet for t in form.tables.values())) if s not in book.sheets]
    if missing_sheets:
        for sheet in missing_sheets:
            found = _renamed_sheet(book, form, sheet)
            if found is not None:
                out.issues.append(make_issue("form-sheet-renamed", sheet=found, expected=sheet, found=found, **base))
            else:
                out.issues.append(make_issue("form-unknown", reason=f"trang {sheet}", reason_en=f"sheet {sheet}",
                                             **base))  # fmt: skip
        return False
    for sheet, cell, expected in form.fixed_cells():
        actual = _norm(book.value(sheet, cell))
        if actual != _norm(expected):
            out.issues.append(make_issue("form-tampered", sheet=sheet, cell=cell, value=actual, expected=expected,
                                         **base))  # fmt: skip
            return False
    if meta.get("fingerprint") != form.fingerprint:
        if meta.get("form_version") != form.version:
            out.issues.append(make_issue("form-version", found=meta.get("form_version") or "?",
                                         version=form.version, **base))  # fmt: skip
        else:
            out.issues.append(make_issue("form-tampered", sheet=lay.meta_sheet, cell="B6",
                                         value=meta.get("fingerprint", ""), expected=form.fingerprint, **base))  # fmt: skip
            return False
    for f in form.fields:
        target = book.names.get(f.code)
        expected = f"{f.sheet}!${f.column}${f.row}"
        if target is not None and target.replace("'", "") != expected:
            out.issues.append(make_issue("form-names", field=f.code, sheet=f.sheet, cell=f.cell, value=target,
                                         file=file_name))  # fmt: skip
    return True


def _carries_labels(book: RawBook, form: Form, name: str, sheet: str) -> bool:
    """Whether the sheet ``name`` holds most of the fixed labels the form puts on ``sheet``."""
    labels = [(cell, text) for s, cell, text in form.fixed_cells() if s == sheet]
    hits = sum(_norm(book.value(name, cell)) == _norm(text) for cell, text in labels)
    return bool(labels) and hits * 2 > len(labels)


def _renamed_sheet(book: RawBook, form: Form, sheet: str) -> str | None:
    """The sheet the clerk renamed ``sheet`` to: where the defined names of its fields now point
    (Excel and LibreOffice rewrite them on a rename), or the other sheet holding its labels."""
    known = {form.layout.sheet, form.layout.meta_sheet, *(t.sheet for t in form.tables.values())}
    codes = [f.code for f in form.fields if f.sheet == sheet] + [
        t.code for t in form.tables.values() if t.sheet == sheet
    ]
    for code in codes:
        target = book.names.get(code, "")
        if "!" in target:
            name = target.rsplit("!", 1)[0].lstrip("=")
            name = name[1:-1].replace("''", "'") if name.startswith("'") and name.endswith("'") else name
            if name not in known and name in book.visibility:
                return name
    for name in book.sheets:
        if name not in known and _carries_labels(book, form, name, sheet):
            return name
    return None


# -- values ----------------------------------------------------------------------------------


def _read_fields(book: RawBook, form: Form, out: Extracted) -> None:
    for f in form.fields:
        if f.source == "derived":
            continue
        issue = _field_issue(f, f.sheet, f.cell)
        raw = book.value(f.sheet, f.cell)
        formula = book.formulas.get((f.sheet, f.cell))
        if formula is not None:
            if raw is None:
                out.issues.append(issue("value-formula-no-value", formula=formula))
                out.values[f.code] = None
                continue
            out.issues.append(issue("value-formula", formula=formula, read=format_number(raw)))
        choices = form.choice_values(f.code) if f.type == "choice" and f.code in form.choices else ()
        result = coerce(raw, f.type, issue, choices=choices)
        out.issues.extend(result.issues)
        out.values[f.code] = result.value
        if f.source == "fixed" and result.ok and result.value is not None:
            expected = form.fixed_value(f)
            if result.value != expected:
                out.issues.append(issue("value-fixed-changed", value=result.value, expected=expected))


def _read_table(book: RawBook, form: Form, table: Table, out: Extracted) -> None:
    rows = book.sheets.get(table.sheet, [])
    seen_numbers: dict[str, int] = {}
    for row in range(table.first_row, min(table.last_row, len(rows)) + 1):
        raws = {c.code: book.value(table.sheet, f"{c.column}{row}") for c in table.columns}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in raws.values()):
            continue
        doc: dict[str, Any] = {"_row": row}
        unreadable: set[str] = set()
        for c in table.columns:
            issue = _field_issue(c, table.sheet, f"{c.column}{row}", prefix=f"{table.code}.")
            choices = form.choice_values(c.choices) if c.choices else ()
            result = coerce(raws[c.code], c.type, issue, choices=choices)
            out.issues.extend(result.issues)
            doc[c.code] = result.value
            if not result.ok:
                unreadable.add(c.code)
        # Missing: nothing in the cell (empty, or only spaces); an unreadable value has its
        # own error already.
        missing = [c for c in table.columns if doc[c.code] is None and c.code not in unreadable]
        if missing:
            first = missing[0]
            out.issues.append(make_issue(
                "doc-incomplete", field=f"{table.code}.{first.code}", sheet=table.sheet, cell=f"{first.column}{row}",
                row=row, missing_vi="; ".join(c.label for c in missing),
                missing_en="; ".join(c.label_en or c.label for c in missing)))  # fmt: skip
        out.docs.append(doc)
        if missing or unreadable:
            continue
        _row_rules(form, table, doc, row, out)
        _doc_number(form, table, doc, row, out, seen_numbers)


def _unfilled(form: Form, out: Extracted) -> bool:
    personal = {form.roster_code, form.roster_name} if out.meta.get("unit_code") else set()
    inputs = [f for f in form.input_fields if f.code not in personal]
    return (
        not out.docs
        and all(out.values.get(f.code) is None for f in inputs)
        and not any(i.code.startswith("value-") and i.severity == ERROR for i in out.issues)
    )


def _derive(form: Form, out: Extracted) -> None:
    tables = {code: out.docs for code in form.tables}
    for f in form.derived_fields:
        assert f.expr is not None
        try:
            out.values[f.code] = f.expr.evaluate(out.values, tables)
        except (EvalError, KeyError):
            out.values[f.code] = None


def _required(form: Form, out: Extracted) -> None:
    flagged = {i.field for i in out.issues if i.severity == ERROR}
    for f in form.fields:
        if f.required and out.values.get(f.code) is None and f.code not in flagged:
            out.issues.append(_field_issue(f, f.sheet, f.cell)("value-required"))


# -- rules -----------------------------------------------------------------------------------


def _attrs(
    form: Form, table: Table | None = None, row: int | None = None, lang: str = "vi"
) -> Callable[[str, str], str]:
    columns = {c.code: c for c in table.columns} if table else {}

    def attrs(name: str, attr: str) -> str:
        if name in columns:
            col = columns[name]
            return f"{col.column}{row}" if attr == "cell" else col.text(lang)
        f = form.field(name)
        return f.cell if attr == "cell" else f.text(lang)

    return attrs


def _rule_issue(form: Form, rule: Rule, env: dict[str, Any], *, sheet: str, cell: str, field: str,
                value: Any, table: Table | None = None, row: int | None = None) -> Issue:  # fmt: skip
    vi = rule.message.render(env, _attrs(form, table, row, "vi"), row=row, lang="vi")
    en = rule.message_en.render(env, _attrs(form, table, row, "en"), row=row, lang="en")
    return Issue(code=rule.id, severity=rule.severity, message=vi, message_en=en, field=field, sheet=sheet,
                 cell=cell, value=value)  # fmt: skip


def _rules(form: Form, out: Extracted) -> None:
    for rule in form.rules:
        if any(out.values.get(name) is None for name in rule.fields):
            continue  # a missing value is reported once, as required
        try:
            ok = rule.expr.evaluate(out.values, {code: out.docs for code in form.tables})
        except EvalError:
            ok = False
        if not ok:
            anchor = form.field(rule.anchor)
            out.issues.append(_rule_issue(form, rule, out.values, sheet=anchor.sheet, cell=anchor.cell,
                                          field=anchor.code, value=out.values.get(anchor.code)))  # fmt: skip


def _row_rules(form: Form, table: Table, doc: dict[str, Any], row: int, out: Extracted) -> None:
    env = {**out.values, **doc}
    for rule in table.rules:
        if any(env.get(name) is None for name in rule.fields):
            continue
        try:
            ok = rule.expr.evaluate(env)
        except EvalError:
            ok = False
        if not ok:
            names = sorted(n for n in rule.fields if n in {c.code for c in table.columns})
            col = table.column(names[0]) if names else table.columns[0]
            out.issues.append(_rule_issue(form, rule, env, sheet=table.sheet, cell=f"{col.column}{row}",
                                          field=f"{table.code}.{col.code}", value=doc.get(col.code),
                                          table=table, row=row))  # fmt: skip


def _doc_number(form: Form, table: Table, doc: dict[str, Any], row: int, out: Extracted,
                seen: dict[str, int]) -> None:  # fmt: skip
    """SPEC section 2: number style vs issuer, type abbreviation vs doc_type, duplicates."""
    number = doc.get("number")
    if not isinstance(number, str) or "number" not in {c.code for c in table.columns}:
        return
    col = table.column("number")
    where = {"field": f"{table.code}.number", "sheet": table.sheet, "cell": f"{col.column}{row}", "value": number}
    key = "".join(number.split()).casefold()
    if key in seen:
        out.issues.append(make_issue("doc-number-duplicate", row=row, first=seen[key], **where))
    else:
        seen[key] = row
    issuer = next((c for c in form.choices.get("issuer", ()) if c.value == doc.get("issuer")), None)
    m = _LEADING_NUMBER.match(number)
    style = None if m is None else ("party" if m.group(1) == "-" else "state")
    if issuer is not None and issuer.style and style and style != issuer.style:
        out.issues.append(make_issue("doc-number-style", row=row, issuer=issuer.value, style_vi=_STYLE_TEXT[style][0],
                                     style_en=_STYLE_TEXT[style][1], **where))  # fmt: skip
    doc_type = next((c for c in form.choices.get("doc_type", ()) if c.value == doc.get("doc_type")), None)
    if doc_type is None or style is None:
        return
    m = (_PARTY_ABBR if style == "party" else _STATE_ABBR).match(number)
    abbr = m.group(1) if m else ""
    known = {c.abbr for c in form.choices["doc_type"] if c.abbr}
    expected = doc_type.abbr
    if (expected and abbr != expected) or (not expected and abbr in known):
        out.issues.append(make_issue(
            "doc-number-type", row=row, abbr=abbr or "?", doc_type=doc_type.value,
            expected_vi=f"ký hiệu đúng: {expected}" if expected else "không có ký hiệu loại riêng",
            expected_en=f"expected {expected}" if expected else "no type abbreviation of its own", **where))  # fmt: skip


# -- unit and dates --------------------------------------------------------------------------


def _unit(form: Form, out: Extracted, roster: Roster | None) -> None:
    f = form.field(form.roster_code)
    code = out.values.get(f.code)
    meta_unit = out.meta.get("unit_code", "")
    if meta_unit and code and str(code).upper() != meta_unit.upper():
        out.issues.append(_field_issue(f, f.sheet, f.cell)("unit-mismatch", value=code, expected=meta_unit))
    out.unit_code = str(code or meta_unit or "")
    if roster is None or not out.unit_code:
        return
    unit = roster.get(out.unit_code)
    if unit is None:
        out.issues.append(_field_issue(f, f.sheet, f.cell)("unit-unknown", value=out.unit_code))
        return
    out.unit_code = unit.code
    name_field = form.field(form.roster_name)
    name = out.values.get(name_field.code)
    if name and _norm(name).casefold() != _norm(unit.name).casefold():
        out.issues.append(_field_issue(name_field, name_field.sheet, name_field.cell)(
            "unit-name-differs", value=name, expected=unit.name))  # fmt: skip


def _report_date(form: Form, out: Extracted) -> None:
    for f in form.fields:
        value = out.values.get(f.code)
        if f.type == "date" and isinstance(value, dt.date) and value.year not in (form.year, form.year + 1):
            out.issues.append(_field_issue(f, f.sheet, f.cell)("report-date-year", value=format_number(value),
                                                               year=form.year))  # fmt: skip
