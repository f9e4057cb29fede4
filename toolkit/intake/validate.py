"""Raw workbook → which form, typed values, documents, and every issue (docs/spec.md §2).

Walks the form definition only: each field's cell, each table column, each rule. Bad data
becomes issues; nothing here raises for what a clerk typed.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..form import Field, Form, Rule, Table
from ..form.cells import col_index, quote_sheet
from ..form.rules import EXCEL_EPOCH, EvalError
from ..issues import ERROR, Issue, make_issue, quote
from ..messages import Localized, phrase, t
from ..numbers import format_number, format_percent
from ..provenance import ROLLUP_KEYS, Provenance, ProvenanceError, read_provenance
from ..reading import HELPERS, helper_cell, is_blank, sheet_key
from ..roster import META_ROSTER_KEY as ROSTER_KEY
from ..roster import Roster
from ..text import normalise_code, same_text, spellings
from .coerce import Coerced, coerce
from .readers import RawBook

__all__ = ["Extracted", "extract"]

_LEADING_NUMBER = re.compile(r"^\s*\d+[a-zA-Z]?\s*([-/])")
_PARTY_ABBR = re.compile(r"^\s*\d+[a-zA-Z]?\s*-\s*([^\W\d_]+)\s*/", re.UNICODE)
_STATE_ABBR = re.compile(r"^\s*\d+[a-zA-Z]?\s*/\s*(?:\d{4}\s*/\s*)?([^\W\d_]+)\s*-", re.UNICODE)


@dataclass
class Extracted:
    """What one workbook says, typed, with its issues."""

    fmt: str
    meta: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    docs: list[dict[str, Any]] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    unit_code: str = ""
    # A generic template with the roster's dropdown carries the roster (code, name) in its
    # metadata sheet, so that the unit follows the chosen name without --units.
    roster_units: list[tuple[str, str]] = field(default_factory=list)
    table_rows: dict[str, tuple[int, int]] = field(default_factory=dict)  # table → (first, last) row now
    # Each document row's cells as the file holds them (table → row → column → raw value): a
    # count the sheet made is explained by what the cells say, not by what dv read of them.
    doc_raws: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    provenance: Provenance | None = None  # a roll-up's (docs/spec.md §9)

    @property
    def has_errors(self) -> bool:
        return any(i.severity == ERROR for i in self.issues)


def _norm(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return _norm_text(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _norm_text(str(value))


@lru_cache(maxsize=4096)
def _norm_text(text: str) -> str:
    """Labels and metadata keys recur in every file: each spelling is normalised once."""
    return unicodedata.normalize("NFC", " ".join(text.replace("\u00a0", " ").split()))


def _field_issue(f: Field | Any, sheet: str, cell: str, prefix: str = "") -> Callable[..., Issue]:
    """An issue maker for one cell; ``prefix`` names the table of a column (``table.column``)."""
    label = f.localized_label

    def make(code: str, **params: Any) -> Issue:
        return make_issue(code, field=prefix + f.code, sheet=sheet, cell=cell, label=label, **params)

    return make


def extract(book: RawBook, form: Form, file_name: str, roster: Roster | None = None) -> Extracted:
    out = Extracted(fmt=book.fmt)
    if book.fmt == "xlsm":
        out.issues.append(make_issue("file-macro", file=file_name))
    if not _identify(book, form, file_name, out):
        _template_unit(out, roster)
        return out
    _read_provenance(book, form, file_name, out)
    _read_fields(book, form, out)
    _unit_from_name(book, form, out, roster)
    for table in form.tables.values():
        first, last = out.table_rows[table.code] = _table_extent(book, form, table, file_name, out)
        _read_table(book, form, table, out, first, last)
        _outside_table(book, table, first, last, out)
    if _unfilled(form, out):
        out.issues = [i for i in out.issues if i.severity != ERROR] + [make_issue("template-unfilled", file=file_name)]
        return out
    _derive(form, out)
    _derived_typed_over(book, form, out)
    _rollup_sums(form, file_name, out)
    _required(form, out)
    _rules(form, out)
    _unit(form, out, roster)
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
            out.issues.append(make_issue("form-unknown", reason=phrase("reason.hidden_info"), **base))
        else:
            out.issues.append(make_issue("form-unknown", reason=phrase("reason.sheet", sheet=lay.sheet), **base))
        return False
    own_rows = (ROSTER_KEY, *ROLLUP_KEYS)  # rows of several cells, read apart
    meta = {_norm(r[0]): _norm(r[1]) for r in meta_rows if len(r) >= 2 and r[0] != "" and _norm(r[0]) not in own_rows}
    out.meta = meta
    out.roster_units = [
        (_norm(r[1]), _norm(r[2])) for r in meta_rows if len(r) >= 3 and _norm(r[0]) == ROSTER_KEY and _norm(r[1])
    ]
    if meta.get("kind") == "summary":
        return False  # a summary dv merge wrote: not a submission (check_file ignores it)
    if meta.get("form_id") != form.id:
        out.issues.append(make_issue("form-other", found=meta.get("form_id") or "?", **base))
        return False
    if meta.get("form_year") != str(form.year):
        found = meta.get("form_year") or "?"
        out.issues.append(make_issue("form-year", value=found, found=found, year=form.year, **base))
        return False
    missing_sheets = [s for s in (lay.sheet, *(t.sheet for t in form.tables.values())) if s not in book.sheets]
    if missing_sheets:
        for sheet in missing_sheets:
            found = _renamed_sheet(book, form, sheet)
            if found is not None:
                out.issues.append(make_issue("form-sheet-renamed", sheet=found, expected=sheet, found=found, **base))
            else:
                out.issues.append(make_issue("form-unknown", reason=phrase("reason.sheet", sheet=sheet), **base))
        return False
    for sheet, cell, expected in form.fixed_cells():
        raw = book.value(sheet, cell)
        if raw == expected:
            continue  # the label as the template wrote it (most of them): the same once normalised
        actual = _norm(raw)
        if actual != _norm(expected):
            # Only in a template of the earlier layout (by its fingerprint) is the label elsewhere.
            earlier_layout = meta.get("fingerprint") in form.accepted_fingerprints - {form.fingerprint}
            earlier = form.moved_cells.get((sheet, cell)) if earlier_layout else None
            if earlier is not None and actual == "" and (was := _norm(book.value(sheet, earlier))):
                if was == _norm(expected):
                    continue  # a template made before the label moved: same content, read the same
                cell, actual = earlier, was  # point at the label the clerk sees
            out.issues.append(
                make_issue("form-tampered", sheet=sheet, cell=cell, value=actual, expected=expected, **base)
            )
            return False
    if meta.get("fingerprint") not in form.accepted_fingerprints:
        if meta.get("form_version") != form.version:
            out.issues.append(
                make_issue("form-version", found=meta.get("form_version") or "?", version=form.version, **base)
            )
        else:
            out.issues.append(
                make_issue(
                    "form-tampered",
                    sheet=lay.meta_sheet,
                    cell="B6",
                    value=meta.get("fingerprint", ""),
                    expected=form.fingerprint,
                    **base,
                )
            )
            return False
    for f in form.fields:
        target = book.names.get(f.code)
        expected = f"{f.sheet}!${f.column}${f.row}"
        if target is not None and target.replace("'", "") != expected:
            out.issues.append(
                make_issue("form-names", field=f.code, sheet=f.sheet, cell=f.cell, value=target, file=file_name)
            )
    return True


def _template_unit(out: Extracted, roster: Roster | None) -> None:
    """A file not read past its form (last year's template, another form, a changed layout):
    its unit is still the one its template was made for, so the officer sees who sent it
    (never "(?)" or "not sent"). Nothing else of the file is read."""
    if out.meta.get("kind") == "summary" or not out.meta.get("unit_code"):
        return
    unit = roster.get(out.meta["unit_code"]) if roster is not None else None
    out.unit_code = unit.code if unit is not None else normalise_code(out.meta["unit_code"])


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


# -- a roll-up ------------------------------------------------------------------------------


def _read_provenance(book: RawBook, form: Form, file_name: str, out: Extracted) -> None:
    """A rolled-up file's provenance, from the metadata sheet's rows (docs/spec.md §9). Rows that
    cannot be read are an error: which files the figures come from would be unknown."""
    rows = book.sheets.get(form.layout.meta_sheet) or []
    percent = frozenset(f.code for f in form.fields if f.type == "percent")
    try:
        out.provenance = read_provenance(rows, percent)
    except ProvenanceError as exc:
        out.issues.append(make_issue("rollup-unreadable", file=file_name, reason=str(exc)[:120]))


def status_word(status: str, lang: str) -> str:
    """A file's status in a provenance (or "missing"), in words; an unknown one as it is."""
    from ..messages import MESSAGES

    return t(f"status.{status}", lang) if f"status.{status}" in MESSAGES else status


def _rollup_sums(form: Form, file_name: str, out: Extracted) -> None:
    """A roll-up's own figures are the sums of the units it lists: a figure typed over after
    ``dv roll-up`` filled it (the signed page says one thing, the provenance another) is an
    error; a roll-up made from an unsettled round (``--partial``) says what it lacks."""
    prov = out.provenance
    if prov is None:
        return
    counted = [e for e in prov.top if e.counted]
    for f in form.fields:
        if f.code not in prov.fields or f.type != "integer" or f.source == "fixed":
            continue
        given = [e.values.get(f.code) for e in counted if e.values.get(f.code) is not None]
        expected = sum(given) if given else None
        value = out.values.get(f.code)
        if value == expected or (value is None and expected is None):
            continue
        out.issues.append(
            _field_issue(f, f.sheet, f.cell)(
                "rollup-mismatch",
                value=format_number(value) if value is not None else phrase("merge.value.empty"),
                expected=format_number(expected) if expected is not None else phrase("merge.value.empty"),
                units=len(counted),
            )
        )
    if not prov.settled:
        open_units = [e for e in prov.top if not e.counted]
        listed, listed_en = (
            "; ".join(f"{e.unit_code or '?'} ({status_word(e.status, lang)})" for e in open_units[:12])
            for lang in ("vi", "en")
        )
        more = len(open_units) - 12
        if more > 0:
            listed, listed_en = f"{listed}; … (+{more})", f"{listed_en}; … (+{more})"
        out.issues.append(
            make_issue("rollup-partial", file=file_name, units=prov.units, open=Localized(listed, listed_en))
        )


# -- values ----------------------------------------------------------------------------------


def _read_fields(book: RawBook, form: Form, out: Extracted) -> None:
    for f in form.fields:
        if f.source == "derived":
            continue
        issue = _field_issue(f, f.sheet, f.cell)
        raw = book.value(f.sheet, f.cell)
        formula = book.formulas.get((f.sheet, f.cell))
        if formula is not None and f.code == form.roster_code and _unit_formula(form, formula):
            formula = None  # the template's own formula: the unit follows the name (_unit_from_name)
        if formula is not None:
            if raw is None:
                out.issues.append(issue("value-formula-no-value", formula=formula))
                out.values[f.code] = None
                continue
            out.issues.append(issue("value-formula", formula=formula, read=format_number(raw)))
        choices = form.choice_values(f.choices) if f.type == "choice" and f.choices else ()
        result = _sheets_reading(book, form, f, raw, issue) or coerce(raw, f.type, issue, choices=choices)
        out.issues.extend(result.issues)
        out.values[f.code] = result.value
        if result.ok and not within_bounds(f, result.value):
            out.issues.append(issue("value-out-of-range", value=shown(f, result.value), bounds=bounds_text(f)))
        if f.source == "fixed" and result.ok and result.value is not None:
            expected = form.fixed_value(f)
            if result.value != expected:
                out.issues.append(issue("value-fixed-changed", value=result.value, expected=expected))


def within_bounds(f: Field, value: Any) -> bool:
    """Whether a number lies within the field's smallest and largest values (docs/spec.md §2.3)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return True
    return not ((f.minimum is not None and value < f.minimum) or (f.maximum is not None and value > f.maximum))


def shown(f: Field, value: Any) -> str:
    return format_percent(value) if f.type == "percent" else format_number(value)


def bounds_text(f: Field) -> Localized:
    low = None if f.minimum is None else shown(f, f.minimum)
    high = None if f.maximum is None else shown(f, f.maximum)
    if low is not None and high is not None:
        return phrase("bounds.between", low=low, high=high)
    return phrase("bounds.low", low=low) if low is not None else phrase("bounds.high", high=high)


def _sheets_reading(book: RawBook, form: Form, f: Field, raw: Any, issue: Callable[..., Issue]) -> Coerced | None:
    """A number or date input of an .xls that python-calamine reads as 0 while the template's
    own reading of it (its hidden ``doc`` cell) says otherwise: a formula there gave a text
    ("=\"28000\""), whose value the .xls holds in a record calamine does not read. The sheet's
    reading is the reader's grammar computed by the spreadsheet: dv takes it, and says so."""
    if book.fmt != "xls" or f.type not in HELPERS or "doc" not in HELPERS[f.type] or f.source != "input":
        return None
    if not (isinstance(raw, float | int) and not isinstance(raw, bool) and raw == 0):
        return None
    helper = book.value(f.sheet, helper_cell(form.layout.check_column, f.type, "doc", f.row))
    if isinstance(helper, bool) or not isinstance(helper, int | float | dt.datetime) or helper == 0:
        return None
    value: Any = helper.date() if isinstance(helper, dt.datetime) else helper
    if f.type == "date" and isinstance(value, int | float):
        value = EXCEL_EPOCH + dt.timedelta(days=int(value))
    if f.type == "integer" and isinstance(value, float) and value.is_integer():
        value = int(value)
    read = coerce(value, f.type, issue)
    return Coerced(read.value, [issue("value-xls-text-formula", read=shown(f, value)), *read.issues], ok=read.ok)


def _unit_formula(form: Form, formula: str) -> bool:
    """Is this the generic template's own formula of the unit code (the code of the name
    chosen from the roster's dropdown)? It names the unit-name field or its cell."""
    name = form.field(form.roster_name)
    text = formula.replace("$", "").upper()
    return bool(re.search(rf"\b({re.escape(name.code.upper())}|{name.column}{name.row})\b", text))


def _unit_from_name(book: RawBook, form: Form, out: Extracted, roster: Roster | None) -> None:
    """In a generic template with the roster's dropdown, the unit code cell is a formula of
    the chosen name. Its cached result is not to be trusted (LibreOffice's .xls keeps 0, a
    file written by a program keeps none): the unit is the chosen name's, through the roster
    given to dv, else the roster the template carries; the cached code only raises a warning
    when it names another unit."""
    if out.meta.get("unit_code"):
        return  # a personalised template: the unit is in its metadata
    code_f, name_f = form.field(form.roster_code), form.field(form.roster_name)
    raw = book.value(code_f.sheet, code_f.cell)
    formula = book.formulas.get((code_f.sheet, code_f.cell))
    lost = isinstance(raw, (int, float)) and not isinstance(raw, bool) and raw == 0  # .xls keeps 0
    own = formula is not None and _unit_formula(form, formula)
    if not (out.roster_units or own or (lost and roster is not None)):
        return  # a code the clerk typed: read as typed
    # The officer's roster first; a unit renamed since the template was made is still found
    # in the roster the template carries.
    units = [*((u.code, u.name) for u in (roster.units if roster is not None else ())), *out.roster_units]
    name = out.values.get(name_f.code)
    cached = _norm(raw) if isinstance(raw, str) and raw.strip() else ""
    # The cached value's own issues (a "0" read as a code, no cached value) say nothing here.
    out.issues[:] = [i for i in out.issues if not (i.field == code_f.code and i.code.startswith("value-"))]
    if not name:
        out.values[code_f.code] = cached or None
        return
    code = next((c for c, n in units if same_text(n, name)), None)
    if code is None and cached:
        out.values[code_f.code] = cached  # the sheet's own lookup found it: a spelling variant
        return
    if code is None:
        out.values[code_f.code] = None
        out.issues.append(
            make_issue("unit-name-not-in-list", field=code_f.code, sheet=name_f.sheet, cell=name_f.cell, value=name)
        )
        return
    if cached and normalise_code(cached) != normalise_code(code):
        out.issues.append(
            _field_issue(code_f, code_f.sheet, code_f.cell)(
                "unit-code-not-name", value=cached, expected=code, name=name
            )
        )
    out.values[code_f.code] = code


# -- the documents table ---------------------------------------------------------------------


def _parse_range(target: str) -> tuple[str, str, int, str, int] | None:
    """ "'Văn bản'!$B$5:$F$354" → ("Văn bản", "B", 5, "F", 354); None if not a range."""
    sheet, bang, ref = target.rpartition("!")
    if not bang:
        return None
    sheet = sheet.strip()
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    m = _RANGE.match(ref.strip())
    if m is None:
        return None
    first_col, first_row, last_col, last_row = m.group(1), int(m.group(2)), m.group(3), int(m.group(4))
    return sheet, first_col, first_row, last_col, last_row


_RANGE = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+):\$?([A-Z]{1,3})\$?(\d+)$")


def _table_extent(book: RawBook, form: Form, table: Table, file_name: str, out: Extracted) -> tuple[int, int]:
    """The table's data rows as the file has them now: a unit with more documents than the
    template's rows may insert rows inside the table, and the spreadsheet grows the table's
    defined name (and the counts' ranges) with them."""
    target = book.names.get(table.code)
    if target is None:
        if book.fmt == "xls":
            return table.first_row, _xls_table_end(book, form, table, out)
        return table.first_row, table.last_row
    parsed = _parse_range(target)
    if (
        parsed is not None
        and parsed[0] == table.sheet
        and (parsed[1], parsed[3]) == (table.first_column, table.last_column)
        and table.header_row < parsed[2] <= parsed[4]
    ):
        return parsed[2], parsed[4]
    out.issues.append(
        make_issue(
            "form-names",
            field=table.code,
            sheet=table.sheet,
            file=file_name,
            value=target,
            cell=f"{table.first_column}{table.first_row}:{table.last_column}{table.last_row}",
        )
    )
    return table.first_row, table.last_row


def _raw_docs(book: RawBook, table: Table, first: int, last: int) -> list[tuple[int, dict[str, Any]]]:
    """(row, raw values by column) of every non-empty row from ``first`` to ``last``."""
    out = []
    rows = book.sheets.get(table.sheet) or []
    columns = [(c.code, col_index(c.column)) for c in table.columns]
    # Rows past the sheet's data are empty: not read one cell at a time (book.value's semantics).
    for row in range(first, min(last, len(rows)) + 1):
        values = rows[row - 1]
        raws = {code: None if i >= len(values) or values[i] == "" else values[i] for code, i in columns}
        if not all(v is None or (isinstance(v, str) and is_blank(v)) for v in raws.values()):
            out.append((row, raws))
    return out


def _xls_table_end(book: RawBook, form: Form, table: Table, out: Extracted) -> int:
    """python-calamine gives no defined names for .xls: the table ends at the first row
    (from the template's last one on) where dv's counts over the table equal the counts the
    sheet itself computed and cached. Rows further down are outside the table."""
    rows = book.sheets.get(table.sheet, [])
    beyond = [row for row, _ in _raw_docs(book, table, table.last_row + 1, len(rows))]
    counts = [
        f for f in form.derived_fields if f.expr is not None and any(r.table == table.code for r in f.expr.table_refs)
    ]
    cached = {f.code: book.value(f.sheet, f.cell) for f in counts}
    if not beyond or not counts or not all(isinstance(v, (int, float)) for v in cached.values()):
        return table.last_row
    docs = [
        _quiet_doc(form, table, raws) | {"_row": row}
        for row, raws in _raw_docs(book, table, table.first_row, len(rows))
    ]
    for end in (table.last_row, *beyond):
        inside = [d for d in docs if d["_row"] <= end]
        try:
            if all(
                f.expr is not None and f.expr.evaluate(out.values, {table.code: inside}) == cached[f.code]
                for f in counts
            ):
                return end
        except (EvalError, KeyError):
            break
    return table.last_row


def _quiet_doc(form: Form, table: Table, raws: dict[str, Any]) -> dict[str, Any]:
    """A row's values as dv reads them, without its issues (they are reported once, later)."""
    doc = {}
    for c in table.columns:
        choices = form.choice_values(c.choices) if c.choices else ()
        doc[c.code] = coerce(raws[c.code], c.type, lambda code, **_: make_issue(code), choices=choices).value
    return doc


def _outside_table(book: RawBook, table: Table, first: int, last: int, out: Extracted) -> None:
    """Documents typed outside the table (below it, or between its heading and its first
    row) are not counted by the sheet: never dropped silently."""
    rows = book.sheets.get(table.sheet, [])
    outside = [
        row
        for row, _ in (
            *_raw_docs(book, table, table.header_row + 1, first - 1),
            *_raw_docs(book, table, last + 1, len(rows)),
        )
    ]
    if not outside:
        return
    out.issues.append(
        make_issue(
            "doc-outside-table",
            field=table.code,
            sheet=table.sheet,
            cell=f"{table.first_column}{outside[0]}",
            count=len(outside),
            rows=_row_list(outside),
            first=first,
            last=last,
        )
    )


def _row_list(rows: list[int], limit: int = 8) -> str:
    """[305, 306, 307, 360] → "305-307, 360" (at most ``limit`` groups, then "…")."""
    groups: list[list[int]] = []
    for row in rows:
        if groups and row == groups[-1][-1] + 1:
            groups[-1].append(row)
        else:
            groups.append([row])
    text = [f"{g[0]}-{g[-1]}" if len(g) > 1 else str(g[0]) for g in groups[:limit]]
    return ", ".join(text) + (", …" if len(groups) > limit else "")


def _read_table(book: RawBook, form: Form, table: Table, out: Extracted, first: int, last: int) -> None:
    seen_numbers: dict[tuple[str, str], int] = {}
    position = 0  # the document's place in the table (a roll-up's provenance names its unit by it)
    prefix = f"{table.code}."
    columns = [(c, form.choice_values(c.choices) if c.choices else ()) for c in table.columns]
    raws_by_row = out.doc_raws.setdefault(table.code, {})
    # A row pasted twice: the same cells as another row in the table's identity columns.
    same: dict[tuple[Any, ...], list[int]] = {}
    for row, raws in _raw_docs(book, table, first, last):
        raws_by_row[row] = raws
        doc: dict[str, Any] = {"_row": row}
        unreadable: set[str] = set()
        for c, choices in columns:
            issue = _field_issue(c, table.sheet, f"{c.column}{row}", prefix=prefix)
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
            out.issues.append(
                make_issue(
                    "doc-incomplete",
                    field=f"{table.code}.{first.code}",
                    sheet=table.sheet,
                    cell=f"{first.column}{row}",
                    row=row,
                    missing=Localized(
                        "; ".join(c.label for c in missing), "; ".join(c.label_en or c.label for c in missing)
                    ),
                )
            )
        out.docs.append(doc)
        position += 1
        if missing or unreadable:
            continue
        key = tuple(sheet_key(raws[code]) for code in table.identity)
        same.setdefault(key, []).append(row)
        _row_rules(form, table, doc, row, out)
        # In a roll-up, each unit numbers its own documents: "01/KH-UBND" of two communes is no
        # repeated number (a repeat within one unit's rows still is).
        issuer = out.provenance.issuer_of(position) if out.provenance is not None else None
        scope = f"{issuer.depth}:{issuer.unit_code}:{issuer.sha256}" if issuer is not None else ""
        _doc_number(form, table, doc, row, out, seen_numbers, same[key] if table.identity else [], scope)
    _pasted_twice(table, same, out)


def _pasted_twice(table: Table, same: dict[tuple[Any, ...], list[int]], out: Extracted) -> None:
    """Every row of a document listed more than once (the same cells in the table's
    ``identity`` columns, as a spreadsheet's ``=`` compares them) is an error: the sheet counted
    it twice. The live check compares the same cells the same way."""
    identity = [table.column(code) for code in table.identity]
    columns = Localized("; ".join(c.label for c in identity), "; ".join(c.label_en or c.label for c in identity))
    for rows in same.values() if table.identity else ():
        for row in rows if len(rows) > 1 else ():
            others = ", ".join(str(r) for r in rows if r != row)
            out.issues.append(
                make_issue(
                    "doc-duplicate-row",
                    field=table.code,
                    sheet=table.sheet,
                    cell=f"{table.first_column}{row}",
                    row=row,
                    others=others,
                    columns=columns,
                )
            )


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


def _derived_typed_over(book: RawBook, form: Form, out: Extracted) -> None:
    """A derived cell (a count the sheet computes) whose value in the file is not what dv
    computes from the same file: someone typed over the formula, and the signed page says
    another figure than the one merged. A cell without a cached value (a file written by a
    program, never opened) says nothing, so it is no mismatch."""
    cached_env = dict(out.values)
    for f in form.derived_fields:
        raw = book.value(f.sheet, f.cell)
        number = _cached_number(raw)
        if number is not None:
            cached_env[f.code] = number
    for f in form.derived_fields:
        raw, computed = book.value(f.sheet, f.cell), out.values.get(f.code)
        if raw is None or computed is None or isinstance(computed, bool):
            continue
        number = _cached_number(raw)
        if number is not None and abs(number - computed) <= 1e-9 * max(1.0, abs(computed)):
            continue
        if number is not None and f.expr is not None and not f.expr.table_refs:
            # Computed from other cells of the sheet: if it agrees with what those cells show,
            # its own formula is intact and the mismatch is reported where it starts.
            try:
                if abs(f.expr.evaluate(cached_env) - number) <= 1e-9 * max(1.0, abs(number)):
                    continue
            except (EvalError, KeyError, TypeError):
                pass
        assert f.expr is not None
        if number is not None and _not_counted(form, f, out, number, computed):
            continue
        if f.expr.table_refs:  # an array formula of a thousand characters: said in words
            ref = sorted(f.expr.table_refs, key=lambda r: (r.table, r.column))[0]
            table = form.tables[ref.table]
            formula: Any = phrase("formula.count", column=table.column(ref.column).label, sheet=table.sheet)
        else:
            formula = "=" + f.expr.to_excel(lambda n: n, lambda ref: _column_range(form, out, ref.table, ref.column))
        shown = format_number(number) if number is not None else _norm(raw)[:80]
        out.issues.append(
            _field_issue(f, f.sheet, f.cell)(
                "derived-mismatch", value=shown, expected=format_number(computed), formula=formula
            )
        )


def _not_counted(form: Form, f: Field, out: Extracted, number: float, computed: Any) -> bool:
    """A count the sheet made without the rows whose choice is not written exactly as a listed
    spelling (a template made before the sheet trimmed spaces counted with COUNTIF): said as
    such, with the rows, not as a count typed over. True when it explained the difference."""
    assert f.expr is not None
    refs = [r for r in f.expr.table_refs if r.table in out.doc_raws]
    if not refs:
        return False
    odd: list[tuple[int, str, Any]] = []  # (row, column, raw) counted by dv, not by such a sheet
    strict: dict[str, list[dict[str, Any]]] = {}
    for code in form.tables:
        rows = []
        for doc in out.docs if code in out.doc_raws else ():
            doc = dict(doc)
            for ref in refs:
                raw, value = out.doc_raws[code].get(doc["_row"], {}).get(ref.column), doc.get(ref.column)
                if ref.table == code and value is not None and not _exactly(raw, value):
                    odd.append((doc["_row"], ref.column, raw))
                    doc[ref.column] = None
            rows.append(doc)
        strict[code] = rows
    try:
        if not odd or abs(f.expr.evaluate(out.values, strict) - number) > 1e-9:
            return False
    except (EvalError, KeyError, TypeError):
        return False
    row, column, raw = odd[0]
    table = form.tables[refs[0].table]
    out.issues.append(
        _field_issue(f, f.sheet, f.cell)(
            "derived-not-counted",
            value=format_number(number),
            expected=format_number(computed),
            sheet_rows=table.sheet,
            rows=_row_list(sorted({r for r, _, _ in odd})),
            found=raw,
            first=f"{table.column(column).column}{row}",
        )
    )
    return True


def _exactly(raw: Any, value: Any) -> bool:
    """Whether the cell holds one of the spellings COUNTIF was given (case aside)."""
    return isinstance(raw, str) and raw.lower() in {s.lower() for s in spellings(str(value))}


def _column_range(form: Form, out: Extracted, code: str, column: str) -> str:
    """A table column's range as the file has the table now (the formula to restore)."""
    table = form.tables[code]
    first, last = out.table_rows.get(code, (table.first_row, table.last_row))
    letter = table.column(column).column
    return f"{quote_sheet(table.sheet)}!${letter}${first}:${letter}${last}"


def _cached_number(raw: Any) -> float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        return float(raw)
    if isinstance(raw, str):
        try:
            return float(raw.strip().replace(",", "."))
        except ValueError:
            return None
    return None


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


def _rule_issue(
    form: Form,
    rule: Rule,
    env: dict[str, Any],
    *,
    sheet: str,
    cell: str,
    field: str,
    value: Any,
    table: Table | None = None,
    row: int | None = None,
) -> Issue:
    quoted = {k: quote(v) for k, v in env.items()}  # messages quote at most QUOTE_MAX characters of a value
    vi = rule.message.render(quoted, _attrs(form, table, row, "vi"), row=row, lang="vi")
    en = rule.message_en.render(quoted, _attrs(form, table, row, "en"), row=row, lang="en")
    return Issue(
        code=rule.id,
        severity=rule.severity,
        message=vi,
        message_en=en,
        field=field,
        sheet=sheet,
        cell=cell,
        value=value,
    )


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
            out.issues.append(
                _rule_issue(
                    form,
                    rule,
                    out.values,
                    sheet=anchor.sheet,
                    cell=anchor.cell,
                    field=anchor.code,
                    value=out.values.get(anchor.code),
                )
            )


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
            out.issues.append(
                _rule_issue(
                    form,
                    rule,
                    env,
                    sheet=table.sheet,
                    cell=f"{col.column}{row}",
                    field=f"{table.code}.{col.code}",
                    value=doc.get(col.code),
                    table=table,
                    row=row,
                )
            )


def _doc_number(
    form: Form,
    table: Table,
    doc: dict[str, Any],
    row: int,
    out: Extracted,
    seen: dict[tuple[str, str], int],
    same: list[int],
    scope: str = "",
) -> None:
    """docs/spec.md §2.4: the number's style against the issuer's, its type abbreviation against
    the document type's, duplicates (``same``: the rows this one repeats cell for cell, an error
    of its own; ``scope``: whose numbering the number belongs to, in a roll-up the unit that
    issued it). The columns are those the form gives these roles."""
    col = table.role_column("doc-number")
    number = doc.get(col.code) if col is not None else None
    if col is None or not isinstance(number, str):
        return
    where = {"field": f"{table.code}.{col.code}", "sheet": table.sheet, "cell": f"{col.column}{row}", "value": number}
    key = (scope, "".join(number.split()).casefold())
    if key in seen and seen[key] not in same:
        out.issues.append(make_issue("doc-number-duplicate", row=row, first=seen[key], **where))
    else:
        seen[key] = row
    issuer = _chosen(form, table, "doc-issuer", doc)
    m = _LEADING_NUMBER.match(number)
    style = None if m is None else ("party" if m.group(1) == "-" else "state")
    if issuer is not None and issuer.style and style and style != issuer.style:
        out.issues.append(
            make_issue("doc-number-style", row=row, issued_by=issuer.value, style=phrase(f"style.{style}"), **where)
        )
    kind = _chosen(form, table, "doc-type", doc)
    if kind is None or style is None:
        return
    m = (_PARTY_ABBR if style == "party" else _STATE_ABBR).match(number)
    abbr = m.group(1) if m else ""
    # "18-kh/ĐU" is a case slip, not another type: the figure is the same, so no issue.
    expected = kind.abbr
    abbrs = {c.abbr.casefold() for c in form.choices.get(kind_list(table), ()) if c.abbr}
    if (expected and abbr.casefold() != expected.casefold()) or (not expected and abbr.casefold() in abbrs):
        out.issues.append(
            make_issue(
                "doc-number-type",
                row=row,
                abbr=abbr or "?",
                kind=kind.value,
                expected=phrase("doc.abbr_expected", abbr=expected) if expected else phrase("doc.abbr_none"),
                **where,
            )
        )


def _chosen(form: Form, table: Table, role: str, doc: dict[str, Any]) -> Any:
    """The choice (with its style or abbreviation) of the row's column playing ``role``."""
    col = table.role_column(role)
    if col is None or not col.choices:
        return None
    return next((c for c in form.choices.get(col.choices, ()) if c.value == doc.get(col.code)), None)


def kind_list(table: Table) -> str:
    """The choice list of the column giving each document type's abbreviation."""
    col = table.role_column("doc-type")
    return col.choices if col is not None else ""


# -- unit and dates --------------------------------------------------------------------------


def _unit(form: Form, out: Extracted, roster: Roster | None) -> None:
    f = form.field(form.roster_code)
    code = out.values.get(f.code)
    meta_unit = out.meta.get("unit_code", "")
    if meta_unit and code and normalise_code(code) != normalise_code(meta_unit):
        out.issues.append(_field_issue(f, f.sheet, f.cell)("unit-mismatch", value=code, expected=meta_unit))
    # "S TTTT", "stttt" and "STTTT" are one unit, with or without a roster.
    out.unit_code = normalise_code(code or meta_unit or "")
    if roster is None or not out.unit_code:
        return
    unit = roster.get(out.unit_code)
    if unit is None:
        out.issues.append(_field_issue(f, f.sheet, f.cell)("unit-unknown", value=out.unit_code))
        return
    out.unit_code = unit.code
    name_field = form.field(form.roster_name)
    name = out.values.get(name_field.code)
    if not name or same_text(name, unit.name):
        return
    issue = _field_issue(name_field, name_field.sheet, name_field.cell)
    other = roster.by_name(str(name))
    if other is not None and other.code != unit.code:
        # The code says one unit, the name another: crediting either could be wrong.
        out.issues.append(
            issue(
                "unit-ambiguous", value=name, unit=unit.code, unit_name=unit.name, other=f"{other.code} ({other.name})"
            )
        )
    else:
        out.issues.append(issue("unit-name-differs", value=name, expected=unit.name))
