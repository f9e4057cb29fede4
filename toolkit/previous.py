"""Last year's summary (``dv merge --previous``): read a summary workbook dv wrote, and compare
this year's merge with it, unit by unit and for the province.

Columns are matched by the field code the summary writes under each heading of "Tổng hợp"
(never by position or label), so a summary of another form version compares what both years
have and says the rest: a field added this year, a field dropped, a unit new this year or
silent last year. The library part: returns data, prints nothing, writes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .form import Form
from .merger import MergeResult
from .messages import DvError, os_error_text
from .text import normalise_code

__all__ = ["Comparison", "PreviousError", "PreviousSummary", "UnitComparison", "compare", "read_previous"]

_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
_YEAR = re.compile(r"\bnăm (\d{4})\b")
# The fixed text of a summary written by toolkit.summary (kept here, not imported: reading a
# summary must not need xlsxwriter).
_SHEET = "Tổng hợp"
_TOTAL = "TOÀN TỈNH"
_ACCEPTED = "Đã nộp, hợp lệ"
_OUTSIDE = " (ngoài danh sách)"


class PreviousError(DvError):
    """A previous summary that cannot be compared with: unreadable, not a dv summary, another
    form, or not an earlier year."""


@dataclass
class PreviousUnit:
    code: str
    name: str
    sent: bool
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class PreviousSummary:
    path: str
    form_id: str  # "" when the summary does not say (re-saved without its hidden sheet)
    form_version: str
    year: int
    fields: tuple[str, ...]  # the field codes under the headings, in column order
    units: dict[str, PreviousUnit]  # by upper-case unit code
    totals: dict[str, Any]


@dataclass
class UnitComparison:
    code: str
    status: str  # compared | not_in_previous | not_sent_previous
    previous: dict[str, Any] = field(default_factory=dict)
    changes: dict[str, Any] = field(default_factory=dict)  # field code → this year − last year


@dataclass
class Comparison:
    year: int
    previous_year: int
    path: str
    form_id: str
    form_version: str
    same_version: bool
    fields: tuple[str, ...]  # this form's numeric fields that last year's summary has
    new_fields: tuple[str, ...]  # this form's numeric fields last year's summary lacks
    dropped_fields: tuple[str, ...]  # last year's field columns this form no longer has
    units: dict[str, UnitComparison]  # this year's accepted units, by upper-case code
    dropped_units: list[str]  # sent last year, not in this year's list at all
    previous_totals: dict[str, Any]
    changes: dict[str, Any]  # province: this year's total − last year's
    units_now: int
    units_before: int
    previous_names: dict[str, str] = field(default_factory=dict)
    previous: PreviousSummary | None = field(default=None, repr=False)  # what was read

    def units_with(self, status: str) -> list[str]:
        return [u.code for u in self.units.values() if u.status == status]

    def previous_values(self, code: str) -> dict[str, Any]:
        unit = self.previous.units.get(normalise_code(code)) if self.previous else None
        return unit.values if unit and unit.sent else {}

    def to_dict(self) -> dict[str, Any]:
        """The ``previous`` section of ``dv merge --json``."""
        return {
            "path": self.path,
            "form": {"id": self.form_id, "version": self.form_version, "year": self.previous_year},
            "fields": list(self.fields),
            "new_fields": list(self.new_fields),
            "dropped_fields": list(self.dropped_fields),
            "units_not_in_previous": self.units_with("not_in_previous"),
            "units_not_sent_previous": self.units_with("not_sent_previous"),
            "units_dropped": list(self.dropped_units),
            "totals": dict(self.previous_totals),
            "changes": dict(self.changes),
            "unit_changes": {u.code: dict(u.changes) for u in self.units.values() if u.status == "compared"},
        }


# -- reading -----------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return unicodedata.normalize("NFC", str(value)).strip() if value not in (None, "") else ""


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if isinstance(value, float) and value.is_integer() else value


def read_previous(path: str | Path, form: Form) -> PreviousSummary:
    """Read a summary workbook written by ``dv merge`` for an earlier year of ``form``.

    Raises :class:`PreviousError` when the file cannot be read, is not a dv summary, belongs
    to another form, or is not of an earlier year."""
    from python_calamine import CalamineError, CalamineWorkbook

    from .intake.safety import Broken, TooLarge, Unsafe, check_zip
    from .intake.sniff import sniff

    path = Path(path)
    name = str(path)
    try:
        kind = sniff(path).kind
        if kind not in ("xlsx", "xlsm", "xls", "ods"):
            raise PreviousError("previous.not_summary", path=name)
        if kind != "xls":
            check_zip(path)
        book = CalamineWorkbook.from_path(str(path))
        sheets = set(book.sheet_names)
        if _SHEET not in sheets:
            raise PreviousError("previous.not_summary", path=name)
        rows = book.get_sheet_by_name(_SHEET).to_python()
        meta_sheet = form.layout.meta_sheet
        meta_rows = book.get_sheet_by_name(meta_sheet).to_python() if meta_sheet in sheets else []
    except OSError as exc:
        raise PreviousError("previous.unreadable", path=name, reason=os_error_text(exc)) from None
    except (Unsafe, Broken, TooLarge, CalamineError) as exc:
        raise PreviousError("previous.unreadable", path=name, reason=str(exc)[:200]) from None
    meta = {_text(r[0]): _text(r[1]) for r in meta_rows if len(r) >= 2 and r[0] not in (None, "")}
    if meta.get("kind", "summary") != "summary":
        raise PreviousError("previous.not_summary", path=name)
    head = next((i for i, r in enumerate(rows[:20]) if r and _text(r[0]) == "STT"), None)
    if head is None or head + 1 >= len(rows):
        raise PreviousError("previous.not_summary", path=name)
    codes = {col: _text(v) for col, v in enumerate(rows[head + 1]) if col >= 4 and _CODE.match(_text(v))}
    if not codes:
        raise PreviousError("previous.not_summary", path=name)
    form_id = meta.get("form_id", "")
    if form_id and form_id != form.id:
        raise PreviousError("previous.other_form", path=name, found=form_id, form=form.id)
    year_text = meta.get("form_year") or next(
        (m.group(1) for r in rows[:3] for v in r if (m := _YEAR.search(_text(v)))), ""
    )
    if not year_text.isdigit():
        raise PreviousError("previous.no_year", path=name)
    year = int(year_text)
    if year >= form.year:
        raise PreviousError("previous.not_earlier", path=name, found=year, year=form.year)
    units: dict[str, PreviousUnit] = {}
    totals: dict[str, Any] = {}
    for r in rows[head + 2 :]:
        if not r:
            continue
        if _text(r[0]) == _TOTAL:
            totals = {code: _number(r[col]) for col, code in codes.items() if col < len(r)}
            break
        code = _text(r[1]) if len(r) > 1 else ""
        if not code:
            continue
        values = {c: v for col, c in codes.items() if col < len(r) and (v := _number(r[col])) is not None}
        # A roll-up's row says of how many units: "Đã nộp, hợp lệ (tổng hợp 6 đơn vị)" (§9.5).
        status = _text(r[3]) if len(r) > 3 else ""
        sent = status == _ACCEPTED or status.startswith(_ACCEPTED + " (")
        units[normalise_code(code)] = PreviousUnit(
            code, _text(r[2]).removesuffix(_OUTSIDE), sent, values if sent else {}
        )
    _fill_totals(form, totals, codes.values(), [u.values for u in units.values() if u.sent])
    return PreviousSummary(
        path=name,
        form_id=form_id,
        form_version=meta.get("form_version", ""),
        year=year,
        fields=tuple(codes.values()),
        units=units,
        totals=totals,
    )


def _fill_totals(form: Form, totals: dict[str, Any], codes: Any, values: list[dict[str, Any]]) -> None:
    """Totals a re-saved summary lost (formulas without cached results): sums, then rates
    recomputed from the sums with this form's expression, as ``dv merge`` does."""
    from .form.rules import EvalError

    known = {f.code: f for f in form.fields}
    codes = list(codes)
    for code in codes:
        f = known.get(code)
        summed = f is None or (f.type == "integer" and f.total is None)  # an unknown column: numbers or nothing
        if totals.get(code) is None and summed:
            totals[code] = sum(v.get(code) or 0 for v in values) if values else None
    for code in codes:
        f = known.get(code)
        if totals.get(code) is None and f is not None and f.total is not None and values:
            try:
                totals[code] = f.total.evaluate(totals)
            except (EvalError, KeyError, TypeError):
                totals[code] = None


# -- comparing ---------------------------------------------------------------------------------


def _delta(now: Any, before: Any) -> Any:
    def number(v: Any) -> bool:
        return isinstance(v, int | float) and not isinstance(v, bool)

    return now - before if number(now) and number(before) else None


def compare(result: MergeResult, previous: PreviousSummary) -> Comparison:
    """This year's merge against last year's summary: per unit and for the province."""
    form = result.form
    numeric = [f.code for f in form.summable_fields]
    fields = tuple(c for c in numeric if c in previous.fields)
    new_fields = tuple(c for c in numeric if c not in previous.fields)
    ours = {f.code for f in form.fields}
    dropped_fields = tuple(c for c in previous.fields if c not in ours)
    units: dict[str, UnitComparison] = {}
    for row in result.rows:
        if not row.sent:
            continue
        before = previous.units.get(normalise_code(row.code))
        if before is None:
            units[normalise_code(row.code)] = UnitComparison(row.code, "not_in_previous")
        elif not before.sent:
            units[normalise_code(row.code)] = UnitComparison(row.code, "not_sent_previous")
        else:
            changes = {c: d for c in fields if (d := _delta(row.values.get(c), before.values.get(c))) is not None}
            units[normalise_code(row.code)] = UnitComparison(row.code, "compared", dict(before.values), changes)
    listed = {normalise_code(r.code) for r in result.rows}
    dropped_units = [u.code for key, u in previous.units.items() if u.sent and key not in listed]
    changes = {c: d for c in fields if (d := _delta(result.totals.get(c), previous.totals.get(c))) is not None}
    return Comparison(
        year=form.year,
        previous_year=previous.year,
        path=previous.path,
        form_id=previous.form_id,
        form_version=previous.form_version,
        same_version=previous.form_version == form.version,
        fields=fields,
        new_fields=new_fields,
        dropped_fields=dropped_fields,
        units=units,
        dropped_units=dropped_units,
        previous_totals={c: previous.totals.get(c) for c in fields},
        changes=changes,
        units_now=sum(1 for r in result.rows if r.sent),
        units_before=sum(1 for u in previous.units.values() if u.sent),
        previous_names={u.code: u.name for u in previous.units.values()},
        previous=previous,
    )
