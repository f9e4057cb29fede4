"""A :class:`Form` back to its definition: the neutral structure (the dict ``tomllib`` gives),
and that structure as TOML text (``dv form export --to toml``).

:func:`form_data` writes every entry the loader reads, leaving out those that only repeat a
default, so that loading the result gives an equal :class:`Form` (tests/test_form_book.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from .model import Form, Report, Rule, Table

__all__ = ["form_data", "toml_text", "export_form", "export_filename", "EXPORT_FORMATS"]

EXPORT_FORMATS = ("xlsx", "toml")


def export_filename(form: Form, to: str) -> str:
    return f"bieu-mau-{form.year}.{to}"


def export_form(form: Form, to: str = "xlsx") -> bytes:
    """The definition of ``form`` as a form workbook (``xlsx``) or as TOML text (``toml``)."""
    data = form_data(form)
    if to == "toml":
        from ..messages import t

        header = t("form.toml_header", "vi", id=form.id, version=form.version, year=form.year)
        return toml_text(data, header).encode("utf-8")
    from .book import write_book

    return write_book(data)


def form_data(form: Form) -> dict[str, Any]:
    """The definition of ``form`` as the neutral structure the loader reads."""
    meta: dict[str, Any] = {"id": form.id, "version": form.version, "year": form.year, "title": form.title}
    _put(meta, "title_en", form.title_en, form.title)
    meta["subtitle"] = form.subtitle
    _put(meta, "subtitle_en", form.subtitle_en, form.subtitle)
    _put(meta, "number_field", form.number_field)
    _put(meta, "date_field", form.date_field)
    _put(meta, "attachment", form.attachment)
    lay = form.layout
    layout: dict[str, Any] = {
        "sheet": lay.sheet,
        "title_row": lay.title_row,
        "subtitle_row": lay.subtitle_row,
        "attachment_row": lay.attachment_row,
        "status_row": lay.status_row,
        "header_row": lay.header_row,
        "headers": dict(lay.headers),
    }
    if dict(lay.headers_en) != dict(lay.headers):
        layout["headers_en"] = dict(lay.headers_en)
    for key in ("number_column", "label_column", "unit_column", "value_column", "check_column"):
        layout[key] = getattr(lay, key)
    layout["widths"] = dict(lay.widths)
    for key in ("lists_sheet", "meta_sheet", "guide_sheet"):
        layout[key] = getattr(lay, key)
    for key in ("signature_left", "signature_right"):
        if getattr(lay, key):
            layout[key] = list(getattr(lay, key))
    data: dict[str, Any] = {
        "form": meta,
        "layout": layout,
        "roster": {"code": form.roster_code, "name": form.roster_name},
    }
    if form.guide_title or form.guide_lines:
        data["guide"] = {"title": form.guide_title, "lines": list(form.guide_lines)}
    data["sections"] = [
        {
            "number": s.number,
            "title": s.title,
            **({"title_en": s.title_en} if s.title_en != s.title else {}),
            "fields": [_field(f) for f in s.fields],
        }
        for s in form.sections
    ]
    if form.charts:
        charts = []
        for c in form.charts:
            chart: dict[str, Any] = {"title": c.title}
            _put(chart, "title_en", c.title_en, c.title)
            chart["fields"] = list(c.fields)
            if c.target is not None:
                chart["target"] = c.target
            _put(chart, "target_label", c.target_label)
            charts.append(chart)
        data["summary"] = {"charts": charts}
    if form.choices:
        data["choices"] = {
            key: [
                {"value": c.value, **{k: getattr(c, k) for k in ("en", "abbr", "style") if getattr(c, k)}}
                for c in choices
            ]
            for key, choices in form.choices.items()
        }
    if form.tables:
        data["tables"] = {code: _table(t) for code, t in form.tables.items()}
    if form.rules:
        data["rules"] = [_rule(r) for r in form.rules]
    if form.report is not None:
        data["report"] = _report(form.report)
    return data


def _put(target: dict[str, Any], key: str, value: Any, default: Any = "") -> None:
    """``target[key] = value`` unless it only repeats what the loader would take by default."""
    if value != default:
        target[key] = value


def _field(f: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"code": f.code, "label": f.label}
    _put(out, "label_en", f.label_en)
    out["type"] = f.type
    _put(out, "required", f.required, False)
    _put(out, "source", f.source, "input")
    _put(out, "unit", f.unit)
    _put(out, "unit_en", f.unit_en)
    _put(out, "choices", f.choices)
    if f.minimum is not None:
        out["min"] = f.minimum
    if f.maximum is not None:
        out["max"] = f.maximum
    if f.source == "fixed":
        out["value"] = f.value
    if f.expr is not None:
        out["expr"] = f.expr.text
    if f.total is not None:
        out["total"] = f.total.text
    _put(out, "help", f.help)
    _put(out, "rollup", f.rollup)
    if f.rollup_from:
        out["rollup_from"] = list(f.rollup_from)
    return out


def _table(t: Table) -> dict[str, Any]:
    out: dict[str, Any] = {"sheet": t.sheet, "title": t.title}
    _put(out, "title_en", t.title_en, t.title)
    _put(out, "note", t.note)
    out.update(header_row=t.header_row, rows=t.rows, number_column=t.number_column, check_column=t.check_column)
    if t.widths:
        out["widths"] = dict(t.widths)
    if t.earlier_title_cell:
        out["earlier_title_cell"] = t.earlier_title_cell
    if t.identity:
        out["identity"] = list(t.identity)
    _put(out, "rollup", t.rollup)
    columns = []
    for c in t.columns:
        col: dict[str, Any] = {"code": c.code, "column": c.column, "label": c.label}
        _put(col, "label_en", c.label_en)
        col["type"] = c.type
        _put(col, "choices", c.choices)
        _put(col, "role", c.role)
        _put(col, "help", c.help)
        columns.append(col)
    out["columns"] = columns
    if t.rules:
        out["rules"] = [_rule(r) for r in t.rules]
    return out


def _rule(r: Rule) -> dict[str, Any]:
    out: dict[str, Any] = {"id": r.id}
    _put(out, "description", r.description)
    _put(out, "description_en", r.description_en, r.description)
    out["severity"] = r.severity
    _put(out, "anchor", r.anchor)
    out["expr"] = r.expr.text
    out["live"] = r.live.text
    _put(out, "live_en", r.live_en.text, r.live.text)
    out["message"] = r.message.text
    _put(out, "message_en", r.message_en.text, r.message.text)
    return out


def _report(r: Report) -> dict[str, Any]:
    out: dict[str, Any] = {
        key: getattr(r, key)
        for key in ("agency_parent", "agency", "nation", "motto", "date_line", "title", "attachment", "province")
    }
    out["compare_intro"] = r.compare_intro.text
    if r.documents_table and r.documents_item is not None:
        out["documents"] = {
            "table": r.documents_table,
            "group": r.documents_group,
            "item": r.documents_item.text,
            "headers": list(r.documents_headers),
        }
    out["units"] = {
        "title": r.units_title,
        "headers": list(r.units_headers),
        "columns": [{"field": code, "header": header} for code, header in r.units_columns],
        "no_previous": r.no_previous,
        "note": r.units_note.text,
        "missing": r.missing.text,
        "rejected": r.rejected.text,
        "all_sent": r.all_sent.text,
    }
    out["notes"] = {k: getattr(r, k).text for k in ("new_field", "not_in_previous", "not_sent_previous", "coverage")}
    sections = []
    for s in r.sections:
        section: dict[str, Any] = {"title": s.title, "sentences": [t.text for t in s.sentences]}
        if s.documents:
            section["documents"] = True
        if s.compare:
            section["compare"] = [
                {"field": c.field, "up": c.up.text, "down": c.down.text, "same": c.same.text} for c in s.compare
            ]
        sections.append(section)
    out["sections"] = sections
    return out


# -- TOML text -------------------------------------------------------------------------------------
# Python reads TOML (tomllib) but writes none, and no dependency of dv writes it; the definition
# uses a small part of TOML (tables, arrays of tables, strings, integers, floats, booleans and
# arrays of them), so this writer is small. Its output is read back by tomllib in the tests and
# must give the same form (tests/test_form_book.py).

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
INLINE_WIDTH = 120  # a table of plain values shorter than this is written inline: { A = "STT", … }
INLINE_ITEM_KEYS = 4  # an array of tables whose items have at most this many plain values: inline


def toml_text(data: Mapping[str, Any], header: str = "") -> str:
    """``data`` (nested dicts and lists of strings, numbers, booleans) as TOML text."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    _write_table(lines, [], data, array=False)
    return "\n".join(lines).strip("\n") + "\n"


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else _string(key)


def _string(text: str) -> str:
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        text = repr(value)
        return text if any(c in text for c in ".en") else text + ".0"
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML for {type(value).__name__}")


def _plain(value: Any) -> bool:
    """A value written after ``key =``: a string, a number, a boolean, or a list of them."""
    if isinstance(value, list):
        return all(_plain(v) and not isinstance(v, list) for v in value)
    return isinstance(value, str | int | float | bool)


def _inline_table(value: Any) -> bool:
    return (
        isinstance(value, Mapping)
        and bool(value)
        and all(_plain(v) for v in value.values())
        and len(_value(value)) <= INLINE_WIDTH
    )


def _inline_array(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(
            isinstance(v, Mapping) and len(v) <= INLINE_ITEM_KEYS and all(_plain(x) for x in v.values()) for v in value
        )
    )


def _write_table(lines: list[str], path: list[str], table: Mapping[str, Any], *, array: bool) -> None:
    nested = len(path) >= 1  # a top-level entry ([form], [layout]) is never written inline
    values = [(k, v) for k, v in table.items() if _plain(v) or (nested and _inline_table(v)) or _inline_array(v)]
    children = [(k, v) for k, v in table.items() if (k, v) not in values]
    if path:
        name = ".".join(_key(p) for p in path)
        lines += ["", f"[[{name}]]" if array else f"[{name}]"]
    for key, value in values:
        if _inline_array(value) or (isinstance(value, list) and len(_value(value)) > INLINE_WIDTH):
            lines.append(f"{_key(key)} = [")
            lines += [f"  {_value(item)}," for item in value]
            lines.append("]")
        else:
            lines.append(f"{_key(key)} = {_value(value)}")
    for key, value in children:
        if isinstance(value, Mapping):
            if value:
                _write_table(lines, [*path, key], value, array=False)
        elif isinstance(value, list):
            for item in value:
                _write_table(lines, [*path, key], item, array=True)
        else:  # pragma: no cover - _plain covers every scalar
            raise TypeError(f"no TOML for {key}")
