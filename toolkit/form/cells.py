"""Cell addresses: column letters, sheet names in formulas. One place for what every module
that writes or reads a cell by its address needs."""

from __future__ import annotations

from functools import lru_cache

__all__ = ["col_index", "col_letters", "quote_sheet", "cell_rc"]


def col_index(letters: str) -> int:
    """``"A"`` → 0, ``"AB"`` → 27."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def col_letters(index: int) -> str:
    """``0`` → ``"A"``, ``27`` → ``"AB"``."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def quote_sheet(name: str) -> str:
    """A sheet name as a formula writes it: ``'Văn bản'`` (quotes doubled inside)."""
    return "'" + name.replace("'", "''") + "'"


@lru_cache(maxsize=8192)
def cell_rc(cell: str) -> tuple[int, int]:
    """ "D27" → (27, 4): row and column, both from 1."""
    letters = "".join(ch for ch in cell if ch.isalpha())
    return int("".join(ch for ch in cell if ch.isdigit())), col_index(letters) + 1
