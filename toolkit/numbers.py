"""Numbers, rates and dates written the Vietnamese way (``1.234.567``, ``12,5%``, ``25/3/2020``),
English on request; and Excel's rounding, half away from zero, which the rule language, the
messages and the sheet's live checks share."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

__all__ = ["excel_round", "format_number", "format_percent", "format_doc_date", "format_change"]


def excel_round(value: float, digits: int) -> float:
    """``value`` rounded to ``digits`` decimals as Excel's ROUND does (half away from zero)."""
    quant = Decimal(1).scaleb(-digits)
    return float(Decimal(repr(value)).quantize(quant, rounding=ROUND_HALF_UP))


def format_number(value: Any, *, lang: str = "vi", grouping: bool = True, pad: bool = False) -> str:
    """``1234567`` → ``1.234.567``; ``12.5`` → ``12,5`` (English: ``1,234,567``, ``12.5``).

    ``grouping=False`` leaves out the thousands separator, as a spreadsheet does when it
    turns a number into text (``"tổng "&1250``). ``pad=True`` writes a count from 1 to 9 with
    a leading zero, as Vietnamese reports do (``08``); zero stays ``0``, since "00" reads as
    a blank to be filled in."""
    if pad and isinstance(value, int | float) and not isinstance(value, bool) and value in range(1, 10):
        return f"{int(value):02d}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return value.strftime("%d/%m/%Y")
        return "" if value is None else str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = f"{value:,}" if isinstance(value, int) else f"{excel_round(value, 4):,.4f}".rstrip("0").rstrip(".")
    if not grouping:
        text = text.replace(",", "")
    if lang == "vi":
        text = text.translate(str.maketrans({",": ".", ".": ","}))
    return text


def format_percent(value: Any, *, lang: str = "vi", grouping: bool = True) -> str:
    """A fraction as a percentage with at most two decimals: ``0.125`` → ``12,5%``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return format_number(value, lang=lang, grouping=grouping)
    return format_number(excel_round(value * 100, 2), lang=lang, grouping=grouping) + "%"


def format_doc_date(value: Any) -> str:
    """A date as Decree 30/2020/NĐ-CP writes it in a reference: the day below 10 and the
    months 1 and 2 with a leading zero, other months without (``07/10/2020``, ``25/3/2020``,
    ``05/02/2021``)."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        return format_number(value)
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    return f"{value.day:02d}/{month}/{value.year}"


def format_change(value: Any, *, percent: bool = False, lang: str = "vi") -> str:
    """A change against last year with its sign: ``+8``, ``-3``, ``0``; a change of a rate
    (a fraction) in percentage points with at most two decimals: ``+1,28``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return format_number(value, lang=lang)
    shown = excel_round(value * 100, 2) if percent else value
    if shown == 0:
        return "0"
    return ("+" if shown > 0 else "-") + format_number(abs(shown), lang=lang)
