"""The page every workbook dv writes shares with the others: Times New Roman, the margins of
Decree 30/2020/NĐ-CP, and an in-memory xlsxwriter workbook that writes every string as text.
The template, the summary, the Word appendix and the portal's issue list use it."""

from __future__ import annotations

import io

import xlsxwriter

__all__ = ["FONT", "MARGINS_MM", "mm", "new_workbook"]

FONT = "Times New Roman"
# Decree 30/2020/NĐ-CP: top and bottom 20-25 mm, left 30-35 mm, right 15-20 mm.
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}


def mm(value: float) -> float:
    """Millimetres as the inches xlsxwriter's margins take."""
    return value / 25.4


def new_workbook(buffer: io.BytesIO, *, font_size: int) -> xlsxwriter.Workbook:
    """An in-memory xlsxwriter workbook in Times New Roman that writes every string as text:
    never a number, a formula or a link, whatever it looks like."""
    return xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "default_format_properties": {"font_name": FONT, "font_size": font_size},
        },
    )
