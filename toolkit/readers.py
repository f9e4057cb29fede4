"""File → raw cell values, one reader for every format (xlsx, xlsm, xls, ods).

python-calamine reads the values (cached results for formula cells) of the sheets the form
uses; for xlsx/xlsm, openpyxl in read-only mode adds the two cell-level facts calamine does
not give: which input cells hold a formula, and where the defined names point. For ods the
tables' named ranges are read from content.xml (a clerk may have grown a table by inserting
rows). python-calamine gives no defined names for xls: the validator works the table's extent
out from the sheet's own cached counts there (``toolkit.validate``).
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook, SheetVisibleEnum

from .form import Form, col_index

__all__ = ["RawBook", "read_raw", "assert_defused", "saved_at"]


def assert_defused() -> None:
    """openpyxl parses XML through defusedxml only when it is importable: make sure."""
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:  # pragma: no cover - defusedxml is a hard dependency
        raise RuntimeError("defusedxml is not installed: openpyxl would parse XML unprotected")


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
        col = col_index("".join(ch for ch in cell if ch.isalpha()))
        row = int("".join(ch for ch in cell if ch.isdigit())) - 1
        rows = self.sheets.get(sheet)
        if rows is None or row >= len(rows) or col >= len(rows[row]):
            return None
        value = rows[row][col]
        return None if value == "" else value


_MAX_OTHER_SHEETS = 16


def _opened(source: Path | bytes) -> Path | io.BytesIO:
    """A file's path, or its bytes already read (check_file reads a file once): zipfile takes both."""
    return io.BytesIO(source) if isinstance(source, bytes) else source


def read_raw(path: Path | bytes, fmt: str, form: Form) -> RawBook:
    """Read the sheets ``form`` needs (main, tables, metadata) from ``path`` (or the file's bytes)."""
    book = RawBook(fmt=fmt)
    wanted = {form.layout.sheet, form.layout.meta_sheet, *(t.sheet for t in form.tables.values())}
    wb = (CalamineWorkbook.from_filelike(io.BytesIO(path)) if isinstance(path, bytes)
          else CalamineWorkbook.from_path(str(path)))  # fmt: skip
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
    if fmt in ("xlsx", "xlsm") and (form.layout.sheet in book.sheets or others):
        _read_cell_facts(path, form, book)
    elif fmt == "ods":
        book.names.update(_ods_table_names(path, form))
    book.saved_at = saved_at(path, fmt)
    return book


# <table:named-range table:name="van_ban" … table:cell-range-address="$'Văn bản'.$B$5:.$F$354"/>
_ODS_RANGE = re.compile(rb"<table:named-range\b([^>]*)>")
_ODS_ATTR = re.compile(rb'([\w:-]+)="([^"]*)"')


def _ods_table_names(path: Path | bytes, form: Form) -> dict[str, str]:
    """Where the tables' named ranges point in an ods file, as "sheet!$B$5:$F$354".

    A byte scan of content.xml (already size-checked by ``safety.check_zip``), not an XML
    parse: no entity is ever expanded, and the named ranges are one small element each.
    """
    wanted = set(form.tables)
    found: dict[str, str] = {}
    with zipfile.ZipFile(_opened(path)) as archive:
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
# LibreOffice on every save); a .xls keeps it in its OLE SummaryInformation stream.
_SAVED_AT = {
    "xlsx": ("docProps/core.xml", "{http://purl.org/dc/terms/}modified"),
    "xlsm": ("docProps/core.xml", "{http://purl.org/dc/terms/}modified"),
    "ods": ("meta.xml", "{http://purl.org/dc/elements/1.1/}date"),
}
_SAVED_AT_MAX = 64 * 1024  # these parts are a few hundred bytes


class _Found(Exception):
    def __init__(self, text: str) -> None:
        self.text = text


class _SavedAtTarget:
    """Collects the text of one element and stops the parser there."""

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

    def close(self) -> None:
        pass


def saved_at(path: Path | bytes, fmt: str) -> dt.datetime | None:
    """When the spreadsheet program last saved the workbook (UTC), from its document
    properties; None when the format or the file does not say. Call after safety.check_zip:
    the part is read in small pieces through a DTD-forbidding parser, at most 64 kB of it."""
    from defusedxml.ElementTree import XMLParser

    if fmt == "xls":
        return _xls_saved_at(path)
    if fmt not in _SAVED_AT:
        return None
    part, tag = _SAVED_AT[fmt]
    parser = XMLParser(target=_SavedAtTarget(tag), forbid_dtd=True)
    try:
        with zipfile.ZipFile(_opened(path)) as archive, archive.open(part) as stream:
            read = 0
            while read < _SAVED_AT_MAX and (chunk := stream.read(4096)):
                read += len(chunk)
                parser.feed(chunk)
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


def _read_cell_facts(path: Path | bytes, form: Form, book: RawBook) -> None:
    """Defined names and formulas in input cells, through openpyxl's own parsers.

    ``load_workbook`` (even read-only) parses styles and every sheet's size: ~9 ms a file.
    Its workbook parser and worksheet parser alone, on workbook.xml and the main sheet,
    give the same two facts in ~3 ms (measured on the filled template). Both parse through
    openpyxl's defused XML functions. tests/test_check.py pins the behaviour.
    """
    from openpyxl.reader.workbook import WorkbookParser
    from openpyxl.worksheet._reader import WorkSheetParser

    inputs = {(f.row, col_index(f.column) + 1): f.cell for f in form.input_fields if f.sheet == form.layout.sheet}
    with zipfile.ZipFile(_opened(path)) as archive:
        parser = WorkbookParser(archive, "xl/workbook.xml", keep_links=False)
        parser.parse()
        for defined in parser.defined_names.definedName:
            if defined.localSheetId is None:  # workbook-scoped names only (SPEC section 4)
                book.names[defined.name] = defined.attr_text
        parts = {sheet.name: rel.target.lstrip("/") for sheet, rel in parser.find_sheets()}
        part = parts.get(form.layout.sheet)
        if part is None or part not in archive.namelist():
            return
        with archive.open(part) as src:
            # Shared strings are not needed to see formulas: any index reads as "".
            for _row, cells in WorkSheetParser(src, _NoStrings(), data_only=False).parse():
                for cell in cells:
                    ref = inputs.get((cell["row"], cell["column"]))
                    if ref is not None and cell["data_type"] == "f":
                        book.formulas[(form.layout.sheet, ref)] = str(cell["value"])


class _NoStrings(list):
    def __getitem__(self, index: Any) -> str:  # type: ignore[override]
        return ""


# -- .xls: the OLE compound file's SummaryInformation, PID_LASTSAVE_DTM ----------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_MAX = 50 * 1024 * 1024  # as safety.Limits.max_file: an appendix .xls is ~100 kB
_NO_SECTOR = 0xFFFFFFFA  # this and above: end of chain, free, FAT or DIFAT sector markers
_PID_LASTSAVE_DTM, _VT_FILETIME = 13, 64
_FILETIME_EPOCH = dt.datetime(1601, 1, 1, tzinfo=dt.UTC)


def _xls_saved_at(path: Path | bytes | bytes) -> dt.datetime | None:
    """The last-saved time Excel and LibreOffice write into a .xls (UTC), read from the bytes
    with bounded loops (a damaged or hostile file gives None, never a hang)."""
    import struct

    try:
        if (len(path) if isinstance(path, bytes) else path.stat().st_size) > _OLE_MAX:
            return None
        data = path if isinstance(path, bytes) else path.read_bytes()
        if not data.startswith(_OLE_MAGIC):
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
