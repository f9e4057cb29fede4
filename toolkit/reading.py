"""What a text typed into a number, date or choice cell means: one grammar, two targets.

dv reads the file with the Python half (:mod:`toolkit.intake.coerce`); the template's live
checks compute the Excel half (:mod:`toolkit.live`), with functions every engine computes alike
and the same answer in every locale (no VALUE of a text with separators, no DATEVALUE, no
COUNTIF or MATCH, whose wildcards and loose equality differ). Both halves are written here,
next to each other, so that the sheet and dv read every cell the same way (docs/spec.md §2.11,
§2.12):

- spaces: the characters of :data:`SPACES` (space, no-break space, tab, line breaks) are
  removed from a number or a date, and are a space in a choice; a cell holding nothing else
  is empty;
- a number: digits (``0``–``9`` only), with at most one ``,`` or ``.`` as the decimal mark,
  or, in a whole-number field, thousands grouped by ``.`` alone or ``,`` alone with at least two
  separators (``41.250.000``, ``1,000,000``). One separator followed by exactly three digits in
  a whole-number field (``1,000``, ``4.000``) is ambiguous: 1 or 1000 depends on the computer
  it was typed on, so it is read as neither. A rate may end in ``%``;
- a date: ``d/m/y``, ``d.m.y`` or ``d-m-y`` (day first, a two-digit year is 20yy), or
  ``yyyy-mm-dd``; four digits alone are a year typed into a date cell;
- a choice: spaces trimmed and collapsed, case ignored, and one of the spellings of
  :func:`choice_forms` (tone marks placed either way; precomposed, decomposed, or with only the
  tone mark apart as Unikey's "Unicode tổ hợp" writes it).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .text import spellings

__all__ = [
    "SPACES",
    "HELPERS",
    "helper_cell",
    "Reading",
    "strip_spaces",
    "is_blank",
    "read_number",
    "read_date",
    "choice_key",
    "choice_text",
    "choice_forms",
    "tone_apart",
    "sheet_key",
    "YEARS",
    "MAX_GROUPS",
    "xl_stripped",
    "xl_number",
    "xl_number_body",
    "xl_without_separators",
    "xl_ambiguous",
    "xl_date",
    "xl_date_parts",
    "xl_year_only",
    "xl_choice_key",
    "xl_is_one_of",
    "xl_listed",
    "xl_trimmed",
    "xl_escaped",
]

# The spaces a clerk's text holds: typed, pasted from the web or Word (no-break), a tab or a line
# break (Alt+Enter). Few, since each costs every check formula a SUBSTITUTE.
SPACES = "\t\n\r \u00a0"
DIGITS = "0123456789"
TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
YEARS = range(1900, 2101)  # four digits in this range in a date cell: a year, not a day
MAX_GROUPS = 5  # 1.000.000.000.000.000: more thousands groups are not a figure of this report
_NOT_SPACE = str.maketrans({c: None for c in SPACES})
_TO_SPACE = str.maketrans({c: " " for c in SPACES})
_SEPARATOR = re.compile(r"[.,]")


@dataclass(frozen=True)
class Reading:
    """A typed text read as a number or a date; ``problem`` says why it could not be:
    ``not-number``, ``ambiguous``, ``not-date``, ``year``."""

    value: int | float | dt.date | None = None
    problem: str = ""
    percent_sign: bool = False


def strip_spaces(text: str) -> str:
    return text.translate(_NOT_SPACE)


def is_blank(text: str) -> bool:
    """A text of spaces only is an empty cell, to dv and to the sheet."""
    return strip_spaces(text) == ""


def _digits(text: str) -> bool:
    return text != "" and all(c in DIGITS for c in text)


def _grouped(text: str, sep: str) -> bool:
    groups = text.split(sep)
    return (
        2 < len(groups) <= MAX_GROUPS + 1
        and 1 <= len(groups[0]) <= 3
        and all(len(g) == 3 for g in groups[1:])
        and all(_digits(g) for g in groups)
    )


def read_number(text: str, *, whole: bool) -> Reading:
    """A number typed as text; ``whole``: the field counts (thousands may be grouped, and a
    single separator before three digits is ambiguous). A rate may end in ``%``."""
    s = strip_spaces(text)
    percent = not whole and s.endswith("%")
    if percent:
        s = s[:-1]
    separators = s.count(".") + s.count(",")
    if not _digits(s.replace(".", "").replace(",", "")):
        return Reading(problem="not-number")
    value: int | float
    if separators == 0:
        value = int(s)
    elif separators == 1:
        head, tail = _SEPARATOR.split(s)
        if not head or not tail:
            return Reading(problem="not-number")
        if whole and ambiguous(s):
            return Reading(problem="ambiguous")
        # As the sheet computes it: the whole part, plus the decimals over a power of ten.
        value = int(head) + int(tail) / 10 ** len(tail)
    elif whole and (_grouped(s, ".") or _grouped(s, ",")):
        value = int(s.replace(".", "").replace(",", ""))
    else:
        return Reading(problem="not-number")
    return Reading(value / 100 if percent else value, percent_sign=percent)


def ambiguous(stripped: str) -> bool:
    """``1,000``, ``4.000``, ``12,500``: one separator, then exactly three digits, after one to
    three digits not starting with 0. English reads a thousands separator, Vietnamese a decimal mark."""
    return bool(re.fullmatch(r"[1-9][0-9]{0,2}[.,][0-9]{3}", stripped))


def read_date(text: str) -> Reading:
    """A date typed as text, day first (``16/11/2020``, ``16.11.20``), or ISO ``2020-11-16``."""
    s = strip_spaces(text)
    if len(s) == 4 and _digits(s) and int(s) in YEARS:
        return Reading(problem="year")
    parts = s.replace(".", "/").replace("-", "/").split("/")
    if len(parts) != 3 or not all(_digits(p) for p in parts):
        return Reading(problem="not-date")
    a, b, c = parts
    if len(a) == 4 and s[4] == "-" and s[5 + len(b)] == "-" and len(b) <= 2 and len(c) <= 2:
        year, month, day = int(a), int(b), int(c)
    elif len(a) <= 2 and len(b) <= 2 and len(c) in (2, 4):
        day, month, year = int(a), int(b), int(c) + (2000 if len(c) == 2 else 0)
    else:
        return Reading(problem="not-date")
    try:
        return Reading(dt.date(year, month, day))
    except ValueError:
        return Reading(problem="not-date")


def choice_text(text: str) -> str:
    """A typed choice with its spaces made one space and trimmed (as TRIM does in the sheet)."""
    return " ".join(p for p in text.translate(_TO_SPACE).split(" ") if p)


def choice_key(text: str) -> str:
    """What a typed choice is compared by: :func:`choice_text` in lower case."""
    return choice_text(text).lower()


def tone_apart(text: str) -> str:
    """Unikey's "Unicode tổ hợp": each letter composed with its shape mark, the tone mark apart."""
    out, chunk = [], ""
    for ch in unicodedata.normalize("NFD", text):
        if ch in TONE_MARKS:
            out += [unicodedata.normalize("NFC", chunk), ch]
            chunk = ""
        else:
            chunk += ch
    return "".join([*out, unicodedata.normalize("NFC", chunk)])


@lru_cache(maxsize=256)
def choice_forms(value: str) -> tuple[str, ...]:
    """Every spelling of a choice the sheet and dv accept, in lower case: tone marks placed
    either way (``uỷ``, ``ủy``), each precomposed (NFC), decomposed (NFD) and with only the
    tone mark apart. The form's own spelling first."""
    out: dict[str, None] = {}
    for spelling in spellings(value):
        for form in (unicodedata.normalize("NFC", spelling), unicodedata.normalize("NFD", spelling)):
            out[form.lower()] = None
        out[tone_apart(spelling).lower()] = None
    return tuple(out)


# -- where the template keeps its reading of a typed value ----------------------------------------
# A number or date typed as text is read in steps, each in a hidden cell of its own beside the
# check (LibreOffice expands a defined name into every formula naming it: a reading written as
# names would exceed its 8192 tokens a formula), so that every check and rule uses the result.
# The steps of each type, in the order of their hidden columns: ``chu`` the text without spaces,
# ``than`` a rate's without its "%", ``ky`` that without "." and ",", ``so`` the number read from
# it, ``gach`` a date's text with "/" for each separator, ``p1``/``p2`` its two "/", ``doc`` the
# value as dv reads it.
HELPERS: dict[str, tuple[str, ...]] = {
    "integer": ("chu", "ky", "so", "doc"),
    "percent": ("chu", "than", "ky", "so", "doc"),
    "date": ("chu", "gach", "p1", "p2", "doc"),
    "text": ("chu",),
    "code": ("chu",),
    "choice": ("chu",),
}


def helper_cell(check_column: str, type_: str, kind: str, row: int) -> str:
    """The hidden cell of a field's reading step ``kind``: the columns after its check column."""
    from .form.cells import col_index, col_letters  # here: toolkit.form imports this module

    return f"{col_letters(col_index(check_column) + 1 + HELPERS[type_].index(kind))}{row}"


_EPOCH = dt.datetime(1899, 12, 30)


def sheet_key(value: object) -> tuple[object, ...]:
    """What a spreadsheet's ``=`` compares of a cell: two cells are equal when their keys are.
    Numbers and dates by their number (a date is its serial number), texts ignoring case and
    nothing else (not spaces, not how a letter is composed)."""
    if isinstance(value, str):
        return ("text", value.lower())
    if isinstance(value, dt.datetime):
        return ("number", (value - _EPOCH).total_seconds() / 86400)
    if isinstance(value, dt.date):
        return ("number", float((value - _EPOCH.date()).days))
    if isinstance(value, int | float):
        return ("number", float(value))
    return ("empty",)


# -- the same in Excel formulas --------------------------------------------------------------------
# ``ref`` is a reference or a name whose value is the cell; ``s`` the same cell without spaces
# (xl_stripped), usually given as a defined name so that a long formula is written once.


def _xl_text(char: str) -> str:
    code = ord(char)
    return f"CHAR({code})" if code < 32 else f'"{char}"'


def xl_stripped(ref: str) -> str:
    """The cell's text without the characters of :data:`SPACES`."""
    out = ref
    for char in SPACES:
        out = f'SUBSTITUTE({out},{_xl_text(char)},"")'
    return out


def xl_spaced(ref: str) -> str:
    """The cell's text with each character of :data:`SPACES` made a space (for TRIM)."""
    out = ref
    for char in SPACES:
        if char != " ":
            out = f'SUBSTITUTE({out},{_xl_text(char)}," ")'
    return out


def _xl_digits_only(text: str) -> str:
    """``text`` (not empty) holds only the digits 0–9."""
    inner = text
    for d in DIGITS:
        inner = f'SUBSTITUTE({inner},"{d}","")'
    return f"AND(LEN({text})>0,LEN({inner})=0)"


def _xl_count(text: str, char: str) -> str:
    return f'(LEN({text})-LEN(SUBSTITUTE({text},"{char}","")))'


def xl_ambiguous(s: str, digits: str | None = None) -> str:
    """Excel of :func:`ambiguous` on the stripped text ``s`` (``digits``: the name of ``s``
    without "." and ",", when the caller has one). Never an error (MID before the text's start
    would be one, and AND computes all its arguments)."""
    digits = digits or xl_without_separators(s)
    n = f"LEN({s})"
    sep = f"MID({s},{n}-3,1)"
    shape = (
        f'AND(OR({sep}=".",{sep}=","),{_xl_count(s, ".")}+{_xl_count(s, ",")}=1,'
        f'LEFT({s},1)<>"0",{_xl_digits_only(digits)})'
    )
    return f"IF(AND({n}>=5,{n}<=7),{shape},FALSE)"


def xl_without_separators(s: str) -> str:
    return f'SUBSTITUTE(SUBSTITUTE({s},".",""),",","")'


def xl_number_body(s: str) -> str:
    """A rate's text without its trailing "%" (the number :func:`xl_number` reads)."""
    return f'IF(RIGHT({s},1)="%",LEFT({s},LEN({s})-1),{s})'


def xl_number(body: str, digits: str, *, whole: bool) -> str:
    """Excel of :func:`read_number` on ``body`` (the stripped text, a rate's without its "%":
    :func:`xl_number_body`) and ``digits`` (``body`` without "." and ",": :func:`xl_without_separators`),
    both given as names: the number (a rate's not yet divided by 100), or #N/A."""
    dots, commas = _xl_count(body, "."), _xl_count(body, ",")
    at = f'IF({dots}=1,FIND(".",{body}),FIND(",",{body}))'
    tail = f"MID({body},{at}+1,99)"
    decimal = f"IF(AND({at}>1,{at}<LEN({body})),VALUE(LEFT({body},{at}-1))+VALUE({tail})/10^LEN({tail}),NA())"
    one = f"IF({dots}+{commas}=0,VALUE({body}),{decimal})"
    if not whole:
        return f"IF(NOT({_xl_digits_only(digits)}),NA(),IF({dots}+{commas}<=1,{one},NA()))"
    grouped = f"IF({dots}>0,{_xl_grouped(body, '.')},{_xl_grouped(body, ',')})"
    return (
        f"IF(NOT({_xl_digits_only(digits)}),NA(),IF({xl_ambiguous(body, digits)},NA(),IF({dots}+{commas}<=1,{one},"
        f"IF(AND(OR({dots}=0,{commas}=0),{grouped}),VALUE({digits}),NA()))))"
    )


def _xl_grouped(s: str, sep: str) -> str:
    """Thousands grouped by ``sep`` alone (two to MAX_GROUPS separators), digits elsewhere."""
    k = _xl_count(s, sep)
    head = f"(LEN({s})-4*{k})"
    at = ",".join(f'IF({k}>={i},MID({s},{head}+{4 * i - 3},1)="{sep}",TRUE)' for i in range(1, MAX_GROUPS + 1))
    return f"IF(AND({k}>=2,{k}<={MAX_GROUPS},{head}>=1,{head}<=3),AND({at}),FALSE)"


def xl_date_parts(s: str, t: str, p1: str) -> tuple[str, str, str]:
    """The helpers of :func:`xl_date`, each given a defined name by the caller: the stripped text
    with "/" for every separator (from ``s``), the first "/" and the second (from ``t``, ``p1``)."""
    return f'SUBSTITUTE(SUBSTITUTE({s},".","/"),"-","/")', f'FIND("/",{t})', f'FIND("/",{t},{p1}+1)'


def xl_date(s: str, t: str, p1: str, p2: str) -> str:
    """Excel of :func:`read_date` on the stripped text ``s`` (``t``, ``p1``, ``p2``: the names of
    :func:`xl_date_parts`): the date's serial number, or #N/A (a year alone too: the check says
    which)."""
    a, b, c = f"LEFT({t},{p1}-1)", f"MID({t},{p1}+1,{p2}-{p1}-1)", f"MID({t},{p2}+1,99)"
    la, lb, lc = f"({p1}-1)", f"({p2}-{p1}-1)", f"(LEN({t})-{p2})"
    shape = f"AND({_xl_count(t, '/')}=2,{_xl_digits_only(f'SUBSTITUTE({t},{chr(34)}/{chr(34)},{chr(34)}{chr(34)})')})"
    iso = f'AND({la}=4,MID({s},5,1)="-",MID({s},{p2},1)="-",{lb}>=1,{lb}<=2,{lc}>=1,{lc}<=2)'
    dmy = f"AND({la}>=1,{la}<=2,{lb}>=1,{lb}<=2,OR({lc}=2,{lc}=4))"
    year = f"IF({iso},VALUE({a}),VALUE({c})+IF({lc}=2,2000,0))"
    month = f"VALUE({b})"
    day = f"IF({iso},VALUE({c}),VALUE({a}))"
    valid = f"AND({month}>=1,{month}<=12,{day}>=1,DAY(DATE({year},{month},{day}))={day})"
    # FIND fails on a text without two separators: the shape is tested first.
    return f"IF({shape},IF(OR({iso},{dmy}),IF({valid},DATE({year},{month},{day}),NA()),NA()),NA())"


def xl_year_only(s: str) -> str:
    """Four digits alone, a year of :data:`YEARS`: typed into a date cell."""
    return f"IF(AND(LEN({s})=4,{_xl_digits_only(s)}),AND(VALUE({s})>={YEARS.start},VALUE({s})<={YEARS.stop - 1}),FALSE)"


def xl_choice_key(ref: str) -> str:
    """Excel of :func:`choice_key`: spaces made one space and trimmed, lower case."""
    return f"LOWER(TRIM({xl_spaced(ref)}))"


def xl_trimmed(ref: str) -> str:
    """Excel of :func:`choice_text`: spaces made one space and trimmed (case kept)."""
    return f"TRIM({xl_spaced(ref)})"


def xl_escaped(text: str) -> str:
    """``text`` as MATCH's lookup value of itself: its wildcards escaped (``Đảng*`` is no
    spelling of ``Đảng ủy``)."""
    return f'SUBSTITUTE(SUBSTITUTE(SUBSTITUTE({text},"~","~~"),"*","~*"),"?","~?")'


def xl_listed(text: str, forms: str) -> str:
    """Whether ``text`` (a :func:`xl_trimmed`: MATCH ignores case) is one of the range ``forms``."""
    return f"ISNUMBER(MATCH({xl_escaped(text)},{forms},0))"


def xl_is_one_of(key: str, forms: tuple[str, ...], *, array: bool = False) -> str:
    """Whether ``key`` (a :func:`xl_choice_key`) is exactly one of ``forms``: EXACT, never ``=``
    (which some engines make ignore how a letter is composed). ``array``: ``key`` is a range,
    the result one 0/1 per cell (inside an array formula)."""
    terms = [f'EXACT({key},"{f.replace(chr(34), chr(34) * 2)}")' for f in forms]
    if array:
        return "((" + "+".join(terms) + ")>0)"
    return terms[0] if len(terms) == 1 else "OR(" + ",".join(terms) + ")"
