"""Raw cell values → typed values, with an issue for every coercion.

A number, date or choice typed as text is read by the grammar of :mod:`toolkit.reading`, the
one the template's live checks compute too: digits with one decimal mark (``12,5``, ``12.5``),
thousands grouped twice or more (``41.250.000``, ``1,000,000``), never ``1,000`` (1 or 1000?);
dates day first (``16/11/2020``); a choice with its spaces trimmed, any case, any tone-mark
style. Percentages: a fraction (0.125), or "12,5%", or a number typed as 12.5 meaning 12.5 %.
Text: stray and non-breaking spaces removed, NFC, legacy TCVN3/VNI converted.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..form.rules import EXCEL_EPOCH
from ..issues import Issue
from ..legacy import detect_legacy, to_unicode
from ..numbers import format_number, format_percent
from ..reading import SPACES, YEARS, choice_forms, read_date, read_number, strip_spaces

__all__ = [
    "Coerced",
    "coerce",
    "is_whole",
    "choices_by_form",
    "MAX_TEXT",
    "CUT_MARK",
    "cut_text",
    "EARLIEST_DATE",
]

_SPACE_RUNS = re.compile(f"[{re.escape(SPACES)}]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f]")  # not text; python-docx and XML refuse them
# No document or report of this appendix predates the state it reports to: an earlier date
# is a typing slip (a year typed into a date cell reads as a day of 1905).
EARLIEST_DATE = dt.date(1945, 1, 1)
INTEGER_ABS_TOL = 1e-6  # 29.0000001 is 29
INTEGER_REL_TOL = 1e-9
MAX_TEXT = 32_767  # Excel's limit for one cell: the summary must be able to hold every value
CUT_MARK = "…[đã cắt]"

# An issue maker bound to the cell: (code, value=…, **params) → Issue
MakeIssue = Callable[..., Issue]


@dataclass
class Coerced:
    value: Any = None
    issues: list[Issue] = field(default_factory=list)
    ok: bool = True  # False: unreadable, value is None and an error was raised


def cut_text(text: str, limit: int = MAX_TEXT) -> str:
    """``text`` cut to ``limit`` characters, ending with :data:`CUT_MARK`, when longer."""
    return text if len(text) <= limit else text[: limit - len(CUT_MARK)] + CUT_MARK


def clean_text(raw: str, issue: MakeIssue, *, report_spaces: bool) -> Coerced:
    out = Coerced()
    stripped, nfc, encoding, converted = _cleaned(raw) if len(raw) <= _CLEANED_MAX else _clean(raw)
    if stripped != raw and stripped and report_spaces:
        out.issues.append(issue("value-spaces", value=raw, read=stripped))
    if nfc != stripped:
        out.issues.append(issue("value-unicode-nfd", value=raw))
    if encoding:
        out.issues.append(issue("value-legacy-encoding", value=nfc, read=converted, encoding=encoding))
    if len(converted) > MAX_TEXT:
        out.issues.append(
            issue(
                "value-text-cut", value=converted, length=format_number(len(converted)), limit=format_number(MAX_TEXT)
            )
        )
        converted = cut_text(converted)
    out.value = converted or None
    return out


def _clean(raw: str) -> tuple[str, str, str | None, str]:
    """(spaces collapsed, then NFC, the legacy encoding it looks typed in, then converted).
    The spaces are those of :data:`~toolkit.reading.SPACES`, which the sheet trims too."""
    stripped = _SPACE_RUNS.sub(" ", _CONTROL.sub("", raw)).strip(" ")
    nfc = unicodedata.normalize("NFC", stripped)
    encoding = detect_legacy(nfc)
    return stripped, nfc, encoding, to_unicode(nfc, encoding) if encoding else nfc


# Choices, labels, names and titles recur from file to file: a short text is cleaned once per
# spelling (a long one, rare, is not kept).
_CLEANED_MAX = 256
_cleaned = lru_cache(maxsize=4096)(_clean)


def _to_date(raw: Any) -> dt.date | None:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    return None


def coerce(raw: Any, type_: str, issue: MakeIssue, *, choices: tuple[str, ...] = ()) -> Coerced:
    """Turn one raw cell value into the field's type. ``issue`` builds issues for this cell."""
    if raw is None or raw == "":
        return Coerced()
    if isinstance(raw, str):
        cleaned = clean_text(raw, issue, report_spaces=type_ in ("text", "code", "choice"))
        if cleaned.value is None:
            return Coerced()
        if type_ in ("text", "code"):
            return cleaned
        if type_ == "choice":
            return _choice(raw, cleaned, choices, issue)
        # A number or a date as text, read from what was typed (the sheet reads the same cell).
        # Its spaces are part of the coercion warning, not an issue of their own.
        if type_ == "date":
            return _date_from_text(raw, issue)
        return _number_from_text(raw, type_, issue)
    if isinstance(raw, bool) and type_ not in ("text", "code"):
        return Coerced(None, [issue("value-not-number", value=raw)], ok=False)
    if type_ == "date":
        return _date(raw, issue)
    if type_ in ("integer", "percent"):
        if isinstance(raw, int | float):
            return _number(raw, type_, issue)
        return Coerced(None, [issue("value-not-number", value=raw)], ok=False)
    # text, code or choice holding a number or a date: keep what the clerk sees
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = format_number(raw) if isinstance(raw, dt.date) else str(raw)
    if type_ == "choice":
        return _choice(text, Coerced(text), choices, issue)
    return Coerced(text)


def _date_from_text(raw: str, issue: MakeIssue) -> Coerced:
    reading = read_date(raw)
    if reading.problem == "year":
        year = strip_spaces(raw)
        return Coerced(None, [issue("value-date-year", value=year, year=year)], ok=False)
    if not isinstance(reading.value, dt.date):
        return Coerced(None, [issue("value-not-date", value=raw)], ok=False)
    if reading.value < EARLIEST_DATE:
        return Coerced(None, [issue("value-date-early", value=raw)], ok=False)
    return Coerced(reading.value, [issue("value-text-date", value=raw, read=format_number(reading.value))])


def _date(raw: Any, issue: MakeIssue) -> Coerced:
    """A date cell's number or date. A year typed or pasted into it (2016) is a number, or, in a
    date-formatted cell, day 2016 of Excel's calendar (08/07/1905): an error, never a date."""
    date = _to_date(raw)
    if date is not None:
        serial = (date - EXCEL_EPOCH).days
        if serial in YEARS and not (isinstance(raw, dt.datetime) and raw.time() != dt.time()):
            return Coerced(None, [issue("value-date-year", value=format_number(date), year=serial)], ok=False)
        if date < EARLIEST_DATE:
            return Coerced(None, [issue("value-date-early", value=format_number(date))], ok=False)
        return Coerced(date)
    if isinstance(raw, int | float) and float(raw).is_integer() and int(raw) in YEARS:
        return Coerced(None, [issue("value-date-year", value=format_number(raw), year=int(raw))], ok=False)
    if isinstance(raw, int | float) and 20_000 < raw < 80_000:
        # A date cell that lost its date format (some .xls): an Excel serial number.
        date = EXCEL_EPOCH + dt.timedelta(days=int(raw))
        return Coerced(date, [issue("value-text-date", value=raw, read=format_number(date))])
    return Coerced(None, [issue("value-not-date", value=raw)], ok=False)


def _choice(raw: str, cleaned: Coerced, choices: tuple[str, ...], issue: MakeIssue) -> Coerced:
    """A choice as the sheet checks it: spaces trimmed, any case, one of the spellings of
    :func:`~toolkit.reading.choice_forms` ("Đảng uỷ", "ĐẢNG ỦY", decomposed); the form's value kept."""
    from ..reading import choice_key

    choice = choices_by_form(choices).get(choice_key(raw))
    if choice is not None:
        return Coerced(choice, cleaned.issues)
    shown = _SPACE_RUNS.sub(" ", raw).strip(" ")  # as typed (not converted from a legacy encoding)
    listed = ", ".join(choices)
    return Coerced(None, [*cleaned.issues, issue("value-not-choice", value=shown, choices=listed)], ok=False)


@lru_cache(maxsize=64)
def choices_by_form(choices: tuple[str, ...]) -> dict[str, str]:
    """A form's list of choices by each accepted spelling (lower case): the first choice of a
    spelling, as a scan finds it."""
    by_form: dict[str, str] = {}
    for choice in choices:
        for form in choice_forms(choice):
            by_form.setdefault(form, choice)
    return by_form


def _number_from_text(raw: str, type_: str, issue: MakeIssue) -> Coerced:
    reading = read_number(raw, whole=type_ == "integer")
    if reading.problem == "ambiguous":
        digits = strip_spaces(raw).replace(".", "").replace(",", "")
        return Coerced(None, [issue("value-ambiguous-number", value=raw, digits=digits)], ok=False)
    if reading.value is None or isinstance(reading.value, dt.date):
        return Coerced(None, [issue("value-not-number", value=raw)], ok=False)
    number = reading.value
    if type_ == "percent" and reading.percent_sign:
        return _checked(number, type_, issue, [issue("value-text-number", value=raw, read=format_percent(number))])
    if type_ == "percent":
        result = _number(number, type_, issue)
        if result.ok and not result.issues:  # "12,5" already says so as a percent warning
            result.issues.append(issue("value-text-number", value=raw, read=format_percent(result.value)))
        return result
    result = _number(number, type_, issue)
    if result.ok:
        result.issues.insert(0, issue("value-text-number", value=raw, read=format_number(result.value)))
    return result


def _number(number: float | int, type_: str, issue: MakeIssue) -> Coerced:
    if type_ == "percent":
        if 1 < number <= 100:
            value = number / 100
            return _checked(
                value,
                type_,
                issue,
                [issue("value-percent-number", value=format_number(number), read=format_percent(value))],
            )
        return _checked(number, type_, issue, [])
    if isinstance(number, float):
        if not is_whole(number):
            return Coerced(None, [issue("value-not-integer", value=format_number(number))], ok=False)
        number = int(round(number))
    return _checked(number, type_, issue, [])


def is_whole(number: float) -> bool:
    """Whether ``number`` is a whole number to the reader (and to the sheet's live checks).

    A count computed by a pasted formula carries float noise (29.0000001, 28.999999999999996):
    it is that whole number. Relative for big numbers, whose noise grows with them; 29.5 is not."""
    return math.isclose(number, round(number), rel_tol=INTEGER_REL_TOL, abs_tol=INTEGER_ABS_TOL)


def _checked(value: float | int, type_: str, issue: MakeIssue, issues: list[Issue]) -> Coerced:
    shown = format_percent(value) if type_ == "percent" else format_number(value)
    if value < 0:
        return Coerced(None, [*issues, issue("value-negative", value=shown)], ok=False)
    if type_ == "percent" and value > 1:
        return Coerced(None, [*issues, issue("value-percent-range", value=shown)], ok=False)
    return Coerced(value, issues)
