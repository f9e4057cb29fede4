"""File → raw cell values, one reader for every format (xlsx, xlsm, xls, ods).

python-calamine reads the values (cached results for formula cells) of the sheets the form
uses; for xlsx/xlsm, a streaming scan of the workbook part and the main sheet (expat through
defusedxml) adds the two cell-level facts calamine does not give: which input cells hold a
formula, and where the defined names point. openpyxl is not imported here. For ods the
tables' named ranges are read from content.xml (a clerk may have grown a table by inserting
rows). python-calamine gives no defined names for xls: the validator works the table's extent
out from the sheet's own cached counts there (``toolkit.intake.validate``).
"""

from __future__ import annotations

import datetime as dt
import html
import io
import os
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook, SheetVisibleEnum

from ..form import Form
from ..form.cells import cell_rc, col_index
from .safety import LIMITS
from .sniff import OLE_MAGIC, is_bytes, open_zip

__all__ = ["RawBook", "Source", "read_raw", "assert_defused", "saved_at"]

Source = Path | bytes  # a file, or its bytes read once (hashed and parsed as the same bytes)


def assert_defused() -> None:
    """dv's own XML scans go through defusedxml, and so does openpyxl (``--annotate``) when it
    is importable and not switched off by ``OPENPYXL_DEFUSEDXML``: make sure, without importing
    openpyxl (and numpy with it) to read its flag."""
    import importlib.util

    if importlib.util.find_spec("defusedxml") is None:  # pragma: no cover - a hard dependency
        raise RuntimeError("defusedxml is not installed: XML would be parsed unprotected")
    if os.environ.get("OPENPYXL_DEFUSEDXML", "True") != "True":
        raise RuntimeError("OPENPYXL_DEFUSEDXML is set: openpyxl would parse XML unprotected")


def _visibility(value: SheetVisibleEnum) -> str:
    # calamine's enum is not hashable: compare, don't look up.
    if value == SheetVisibleEnum.VeryHidden:
        return "veryhidden"
    return "hidden" if value == SheetVisibleEnum.Hidden else "visible"


@dataclass
class RawBook:
    fmt: str
    sheets: dict[str, list[list[Any]]] = field(default_factory=dict)
    visibility: dict[str, str] = field(default_factory=dict)
    formulas: dict[tuple[str, str], str] = field(default_factory=dict)  # (sheet, cell) → "=…"
    names: dict[str, str] = field(default_factory=dict)  # defined name → "sheet!$D$27"
    saved_at: dt.datetime | None = None  # the workbook's own last-saved time (UTC), if it says

    def value(self, sheet: str, cell: str) -> Any:
        """The raw value at ``cell`` ("D27"); None when empty or outside the data."""
        row, col = cell_rc(cell)
        rows = self.sheets.get(sheet)
        if rows is None or row > len(rows) or col > len(rows[row - 1]):
            return None
        value = rows[row - 1][col - 1]
        return None if value == "" else value


_MAX_OTHER_SHEETS = 16


def read_raw(source: Source, fmt: str, form: Form) -> RawBook:
    """Read the sheets ``form`` needs (main, tables, metadata) from a file or its bytes. For
    xlsx/xlsm/ods, call after ``safety.check_zip``."""
    book = RawBook(fmt=fmt)
    wanted = {form.layout.sheet, form.layout.meta_sheet, *(t.sheet for t in form.tables.values())}
    if is_bytes(source):
        wb = CalamineWorkbook.from_filelike(io.BytesIO(source))  # type: ignore[arg-type]
    else:
        wb = CalamineWorkbook.from_path(str(source))
    try:
        metas = wb.sheets_metadata
        # A sheet of the form missing (renamed, or the sheets copied into a new workbook): the
        # other sheets are read too, so that the validator can say what happened.
        others = not wanted <= {m.name for m in metas}
        for meta in metas:
            book.visibility[meta.name] = _visibility(meta.visible)
            if meta.name in wanted or (others and len(book.sheets) < _MAX_OTHER_SHEETS):
                book.sheets[meta.name] = wb.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
    finally:
        wb.close()
    if fmt not in _SAVED_AT:  # .xls
        book.saved_at = saved_at(source, fmt)
        return book
    with open_zip(source) as archive:
        if fmt in ("xlsx", "xlsm") and (form.layout.sheet in book.sheets or others):
            _read_cell_facts(archive, form, book)
        elif fmt == "ods":
            book.names.update(_ods_table_names(archive, form))
        book.saved_at = _zip_saved_at(archive, fmt)
    return book


# <table:named-range table:name="<table code>" … table:cell-range-address="$'Văn bản'.$B$5:.$F$354"/>
_ODS_RANGE = re.compile(rb"<table:named-range\b([^>]*)>")
_ODS_ATTR = re.compile(rb'([\w:-]+)="([^"]*)"')


def _ods_table_names(archive: zipfile.ZipFile, form: Form) -> dict[str, str]:
    """Where the tables' named ranges point in an ods file, as "sheet!$B$5:$F$354".

    A byte scan of content.xml (already size-checked by ``safety.check_zip``), not an XML
    parse: no entity is ever expanded, and the named ranges are one small element each.
    """
    wanted = set(form.tables)
    found: dict[str, str] = {}
    if "content.xml" not in archive.namelist():
        return found
    data = archive.read("content.xml")
    for match in _ODS_RANGE.finditer(data):
        attrs = {k.decode(): html.unescape(v.decode("utf-8", "replace")) for k, v in _ODS_ATTR.findall(match.group(1))}
        name = attrs.get("table:name", "")
        if name in wanted and name not in found:
            found[name] = _ods_address(attrs.get("table:cell-range-address", ""))
    return found


def _ods_address(address: str) -> str:
    """ODF "$'Văn bản'.$B$5:.$F$354" → "'Văn bản'!$B$5:$F$354"."""
    start, _, end = address.partition(":")
    sheet, _, cell = start.lstrip("$").rpartition(".")
    end = end.rpartition(".")[2]
    return f"{sheet}!{cell}:{end}" if end else f"{sheet}!{cell}"


# The part and element where each zip format keeps its last-saved time (set by Excel and
# LibreOffice on every save); a .xls keeps it in its OLE SummaryInformation stream. Element
# names as expat gives them with "}" as namespace separator: "ns}name".
_SAVED_AT = {
    "xlsx": ("docProps/core.xml", "http://purl.org/dc/terms/}modified"),
    "xlsm": ("docProps/core.xml", "http://purl.org/dc/terms/}modified"),
    "ods": ("meta.xml", "http://purl.org/dc/elements/1.1/}date"),
}
_SAVED_AT_MAX = 64 * 1024  # these parts are a few hundred bytes


class _Found(Exception):
    def __init__(self, text: str) -> None:
        self.text = text


class _SavedAtTarget:
    """Collects the text of one element and stops the parser there (expat's handlers)."""

    def __init__(self, tag: str) -> None:
        self.tag, self.inside, self.text = tag, False, []

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.inside = tag == self.tag

    def end(self, tag: str) -> None:
        if tag == self.tag:
            raise _Found("".join(self.text))

    def data(self, data: str) -> None:
        if self.inside:
            self.text.append(data)


def saved_at(source: Source, fmt: str) -> dt.datetime | None:
    """When the spreadsheet program last saved the workbook (UTC), from its document
    properties; None when the format or the file does not say. Call after safety.check_zip:
    the part is read in small pieces through a DTD-forbidding parser, at most 64 kB of it."""
    if fmt == "xls":
        return _xls_saved_at(source)
    if fmt not in _SAVED_AT:
        return None
    try:
        with open_zip(source) as archive:
            return _zip_saved_at(archive, fmt)
    except Exception:  # noqa: BLE001 - a damaged container only means the file does not say
        return None


def _zip_saved_at(archive: zipfile.ZipFile, fmt: str) -> dt.datetime | None:
    from .safety import defused_expat, feed_part

    part, tag = _SAVED_AT[fmt]
    target = _SavedAtTarget(tag)
    expat = defused_expat(target.start, target.end, target.data)
    try:
        with archive.open(part) as stream:
            feed_part(expat, stream, 4096, limit=_SAVED_AT_MAX)
    except _Found as found:
        return parse_saved_at(found.text)
    except Exception:  # noqa: BLE001 - a missing or odd part only means the file does not say
        return None
    return None


def parse_saved_at(text: str) -> dt.datetime | None:
    """``2020-11-16T08:30:00Z`` (Excel), ``2020-11-16T15:30:00.123456789`` (LibreOffice, local
    time without a zone) → an aware UTC datetime."""
    text = text.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    date, dot, rest = text.partition(".")
    if dot:  # fractions of a second: at most 6 digits for fromisoformat, then the zone
        digits = len(rest) - len(rest.lstrip("0123456789"))
        text = f"{date}.{rest[:digits][:6].ljust(6, '0')}{rest[digits:]}"
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.year < 1980:  # an unset property (LibreOffice writes 1601 or 0 on some paths)
        return None
    # A time without a zone is the saving computer's local time: this computer's is the best guess.
    return (value if value.tzinfo else value.astimezone()).astimezone(dt.UTC)


def _read_cell_facts(archive: zipfile.ZipFile, form: Form, book: RawBook) -> None:
    """Defined names and formulas in input cells, by a streaming scan of ``xl/workbook.xml``,
    its relationships and the main sheet.

    A real XML parser reads each part (expat, through defusedxml: a DTD or an entity is
    refused); Python sees only the start of the elements dv needs (``<definedName>``,
    ``<sheet>``, ``<Relationship>``, ``<row>``, ``<c>``, ``<f>``) and the text of the first
    and the last. The facts are the ones openpyxl's workbook and worksheet parsers give
    (tests/test_readers.py compares them on every file of the benchmark, the samples and
    tests/awkward/), at a fifth of the cost and without importing openpyxl.
    """
    names = archive.namelist()
    if _WORKBOOK not in names:
        return
    workbook = _WorkbookScan()
    _scan(archive, _WORKBOOK, workbook)
    book.names.update(workbook.names)
    targets: dict[str, str] = {}
    if _WORKBOOK_RELS in names:
        rels = _RelsScan()
        _scan(archive, _WORKBOOK_RELS, rels)
        targets = rels.targets
    rid = workbook.sheets.get(form.layout.sheet)
    part = targets.get(rid) if rid else None
    if part is None or part not in names:
        return
    inputs = {(f.row, col_index(f.column) + 1): f.cell for f in form.input_fields if f.sheet == form.layout.sheet}
    sheet = _SheetScan(inputs)
    _scan(archive, part, sheet)
    for ref, formula in sheet.formulas.items():
        book.formulas[(form.layout.sheet, ref)] = formula


_WORKBOOK, _WORKBOOK_RELS = "xl/workbook.xml", "xl/_rels/workbook.xml.rels"
# Element and attribute names as expat gives them with "}" as namespace separator: "ns}name".
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_DEFINED_NAME, _SHEET, _ROW, _CELL, _FORMULA, _SHEET_DATA = (
    f"{_MAIN}{t}" for t in ("definedName", "sheet", "row", "c", "f", "sheetData")
)
_R_ID = "http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_RELATIONSHIP = "http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


def _scan(archive: zipfile.ZipFile, part: str, target: Any) -> None:
    """Feed one part, in pieces, to defusedxml's expat parser (a DTD, an entity declaration or
    an external reference is refused, as defusedxml does), with ``target``'s methods as expat's
    own element handlers: Python sees each element once, as ``("ns}name", {attr: value})``,
    without building the ElementTree events a target object would get. A target that needs
    some text sets ``target.parser.CharacterDataHandler`` for as long as it needs it: most of
    a sheet's text (labels, values) is then never handed to Python."""
    from xml.etree.ElementTree import ParseError
    from xml.parsers.expat import ExpatError

    from .safety import defused_expat, feed_part

    expat = target.parser = defused_expat(target.start, target.end)
    try:
        with archive.open(part) as stream:
            feed_part(expat, stream, 65536)
    except _Enough:
        pass
    except ExpatError as exc:
        raise ParseError(f"{part}: {exc}") from None


class _Enough(Exception):
    """The scan has seen what it needs: stop parsing the part."""


class _WorkbookScan:
    """``<sheet name r:id>`` and the workbook-scoped ``<definedName>`` (docs/spec.md §4.3)."""

    def __init__(self) -> None:
        self.parser: Any = None  # the expat parser reading the part (set by _scan)
        self.sheets: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self._name: str | None = None
        self._text: list[str] = []

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if tag == _DEFINED_NAME:
            # A name scoped to one sheet (a print area) is not the form's.
            self._name = None if "localSheetId" in attrib else attrib.get("name")
            self._text = []
            self.parser.CharacterDataHandler = self.data if self._name is not None else None
        elif tag == _SHEET:
            name, rid = attrib.get("name"), attrib.get(_R_ID)
            if name is not None and rid:
                self.sheets[name] = rid

    def end(self, tag: str) -> None:
        if tag == _DEFINED_NAME and self._name is not None:
            self.names[self._name] = "".join(self._text)
            self._name = None
            self.parser.CharacterDataHandler = None

    def data(self, text: str) -> None:
        if self._name is not None:
            self._text.append(text)


class _RelsScan:
    """The workbook's relationships: id → part, resolved as the package says (relative to ``xl/``)."""

    def __init__(self) -> None:
        self.parser: Any = None  # the expat parser reading the part (set by _scan)
        self.targets: dict[str, str] = {}

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if tag == _RELATIONSHIP and attrib.get("TargetMode") != "External":
            target = attrib.get("Target", "")
            part = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            self.targets[attrib.get("Id", "")] = part

    def end(self, tag: str) -> None:
        pass


class _SheetScan:
    """The formulas of the input cells of one worksheet (``inputs``: (row, column) → "D27").

    A shared formula's dependent cell holds only ``<f t="shared" si="0"/>``: its formula is
    the master's (seen earlier in the sheet) moved to its cell."""

    def __init__(self, inputs: dict[tuple[int, int], str]) -> None:
        self.parser: Any = None  # the expat parser reading the part (set by _scan)
        self.inputs = inputs
        # Rows come in ascending order (ECMA-376; a shared formula's master before its
        # dependents): past the last input row, and past <sheetData>, nothing is needed.
        self.last_row = max((row for row, _ in inputs), default=0)
        self.formulas: dict[str, str] = {}
        self._row = 0
        self._col = 0
        self._cell: tuple[int, int, str | None] = (0, 0, None)
        self._formula: dict[str, str] | None = None
        self._text: list[str] = []
        self._shared: dict[str, tuple[str, str]] = {}  # si → (master formula, master cell)

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if tag == _CELL:
            ref = attrib.get("r")
            if ref:
                row, self._col = cell_rc(ref)
            else:
                self._col += 1
                row = self._row
            self._cell = (row, self._col, ref)
        elif tag == _FORMULA:
            # Only an input cell's formula, or a shared formula's master (an input cell may
            # share it further down), is needed: the sheet's own check formulas are skipped.
            row, col, _ref = self._cell
            if (row, col) in self.inputs or attrib.get("t") == "shared":
                self._formula = attrib
                self._text = []
                self.parser.CharacterDataHandler = self.data
        elif tag == _ROW:
            ref = attrib.get("r")
            self._row = _row_number(ref) if ref else self._row + 1
            self._col = 0
            if self._row > self.last_row:
                raise _Enough

    def end(self, tag: str) -> None:
        if tag == _SHEET_DATA:
            raise _Enough
        if tag != _FORMULA or self._formula is None:
            return
        attrib, self._formula = self._formula, None
        self.parser.CharacterDataHandler = None
        row, col, ref = self._cell
        formula = "=" + "".join(self._text)
        kind = attrib.get("t")
        if kind == "shared":
            si = attrib.get("si", "")
            if si in self._shared:
                formula = _translate(*self._shared[si], ref or "")
            elif formula != "=":
                self._shared[si] = (formula, ref or "")
        elif kind == "dataTable":  # a what-if table: Excel shows it as {=TABLE(row input, column input)}
            formula = f"=TABLE({attrib.get('r1', '')},{attrib.get('r2', '')})"
        cell = self.inputs.get((row, col))
        if cell is not None:
            self.formulas[cell] = formula

    def data(self, text: str) -> None:
        if self._formula is not None:
            self._text.append(text)


def _translate(formula: str, origin: str, dest: str) -> str:
    """A shared formula moved from its master cell to a dependent: openpyxl's translator (it
    tokenises the formula), imported only for the rare input cell that holds one."""
    from openpyxl.formula.translate import Translator

    return Translator(formula, origin).translate_formula(dest)


def _row_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        value = float(text)
        if not value.is_integer():
            raise ValueError(f"{text} is not a valid row number") from None
        return int(value)


# -- .xls: the OLE compound file's SummaryInformation, PID_LASTSAVE_DTM ----------------------------

_NO_SECTOR = 0xFFFFFFFA  # this and above: end of chain, free, FAT or DIFAT sector markers
_PID_LASTSAVE_DTM, _VT_FILETIME = 13, 64
_FILETIME_EPOCH = dt.datetime(1601, 1, 1, tzinfo=dt.UTC)


def _xls_saved_at(source: Source) -> dt.datetime | None:
    """The last-saved time Excel and LibreOffice write into a .xls (UTC), read from the bytes
    with bounded loops (a damaged or hostile file gives None, never a hang)."""
    import struct

    # Never more than the size every file is refused over (an appendix .xls is ~100 kB).
    try:
        if is_bytes(source):
            data = source if isinstance(source, bytes) else bytes(source)  # type: ignore[arg-type]
        elif Path(source).stat().st_size > LIMITS.max_file:  # type: ignore[arg-type]
            return None
        else:
            data = Path(source).read_bytes()  # type: ignore[arg-type]
        if len(data) > LIMITS.max_file:
            return None
        if not data.startswith(OLE_MAGIC):
            return None
        size = 1 << struct.unpack_from("<H", data, 0x1E)[0]
        mini_size = 1 << struct.unpack_from("<H", data, 0x20)[0]
        if size not in (512, 4096) or mini_size != 64:
            return None
        per_sector = size // 4
        limit = len(data) // size + 1  # no chain is longer than the file

        def sector(i: int) -> bytes:
            return data[(i + 1) * size : (i + 2) * size]

        def chain(start: int, table: list[int]) -> list[int]:
            out: list[int] = []
            seen: set[int] = set()
            while start < _NO_SECTOR and start not in seen and start < len(table) + limit and len(out) < limit:
                seen.add(start)
                out.append(start)
                start = table[start] if start < len(table) else _NO_SECTOR
            return out

        difat = [i for i in struct.unpack_from("<109I", data, 0x4C) if i < _NO_SECTOR]
        next_difat, guard = struct.unpack_from("<I", data, 0x44)[0], 0
        while next_difat < _NO_SECTOR and guard < limit:
            entries = struct.unpack(f"<{per_sector}I", sector(next_difat))
            difat += [i for i in entries[:-1] if i < _NO_SECTOR]
            next_difat, guard = entries[-1], guard + 1
        fat: list[int] = []
        for i in difat[:limit]:
            fat.extend(struct.unpack(f"<{per_sector}I", sector(i)))
        directory = b"".join(sector(i) for i in chain(struct.unpack_from("<I", data, 0x30)[0], fat))
        entries = [directory[k : k + 128] for k in range(0, len(directory) - 127, 128)]
        stream = b""
        for entry in entries:
            name_len = struct.unpack_from("<H", entry, 64)[0]
            if entry[: max(0, name_len - 2)].decode("utf-16-le", "replace") != "\x05SummaryInformation":
                continue
            start, length = struct.unpack_from("<I", entry, 116)[0], struct.unpack_from("<I", entry, 120)[0]
            if length < struct.unpack_from("<I", data, 0x38)[0]:  # in the mini stream
                root_start = struct.unpack_from("<I", entries[0], 116)[0]
                mini_stream = b"".join(sector(i) for i in chain(root_start, fat))
                mini_fat_bytes = b"".join(sector(i) for i in chain(struct.unpack_from("<I", data, 0x3C)[0], fat))
                mini_fat = list(struct.unpack(f"<{len(mini_fat_bytes) // 4}I", mini_fat_bytes))
                stream = b"".join(mini_stream[i * 64 : (i + 1) * 64] for i in chain(start, mini_fat))
            else:
                stream = b"".join(sector(i) for i in chain(start, fat))
            stream = stream[:length]
            break
        if len(stream) < 48:
            return None
        section = struct.unpack_from("<I", stream, 44)[0]
        count = struct.unpack_from("<I", stream, section + 4)[0]
        for k in range(min(count, 1000)):
            pid, offset = struct.unpack_from("<II", stream, section + 8 + 8 * k)
            if pid == _PID_LASTSAVE_DTM:
                vt, ticks = struct.unpack_from("<IQ", stream, section + offset)
                if vt != _VT_FILETIME:
                    return None
                value = _FILETIME_EPOCH + dt.timedelta(microseconds=ticks // 10)
                return value if value.year >= 1980 else None
    except (OSError, struct.error, ValueError, OverflowError, IndexError):
        return None
    return None
