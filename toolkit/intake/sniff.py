"""What a file really is, from its first bytes and its container, never from its name.

Also which files are not submissions at all (Excel lock files, hidden files): those are
``ignored`` and listed, not read.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..messages import MESSAGES, Localized, phrase

__all__ = [
    "Sniffed",
    "sniff",
    "ignore_reason",
    "is_bytes",
    "open_zip",
    "WORKBOOK_EXTENSIONS",
    "READABLE",
    "OTHER_SPREADSHEETS",
    "CSV_EXTENSIONS",
]

WORKBOOK_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")
READABLE = ("xlsx", "xlsm", "xls", "ods")
# Spreadsheets dv does not read: a unit's form saved in one of these is rejected with the way
# to save it as .xlsx, never skipped (docs/spec.md §5.6). A CSV is one when named so.
OTHER_SPREADSHEETS = ("xlsb", "fods", "csv")
CSV_EXTENSIONS = (".csv", ".tsv")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Stream names inside an OLE (CFB) container are stored in UTF-16LE in its directory.
_OLE_STREAMS = {
    "encrypted": "EncryptedPackage".encode("utf-16-le"),
    "xls": "Workbook".encode("utf-16-le"),
    "xls5": "Book".encode("utf-16-le"),
    "doc": "WordDocument".encode("utf-16-le"),
}
_SYSTEM_FILES = {"thumbs.db", "desktop.ini", ".ds_store"}


# What a non-workbook is, for the message (Vietnamese, English).
def kind_text(kind: str) -> Localized:
    """What a file of ``kind`` is, in words ("a PDF file"); "data of unknown kind" for a kind
    without words of its own."""
    return phrase(f"kind.{kind}" if f"kind.{kind}" in MESSAGES else "kind.unknown")


@dataclass(frozen=True)
class Sniffed:
    kind: str  # READABLE, or "empty", "encrypted", "broken", or a kind_text key
    reason: str = ""  # for "broken": what is wrong


def ignore_reason(path: Path) -> Localized | None:
    """Why a file is not a submission at all, or None."""
    name = path.name
    if name.startswith("~$"):
        return phrase("ignored.lock")
    if name.startswith("._"):
        return phrase("ignored.mac")
    if name.lower() in _SYSTEM_FILES:
        return phrase("ignored.system")
    if name.startswith("."):
        return phrase("ignored.hidden")
    # Never by the name alone: an annotated copy (X.kiem-tra.xlsx) may come back corrected, and
    # is then the unit's submission (check_file tells an unchanged copy by what it records).
    return None


def is_bytes(source: object) -> bool:
    """Whether ``source`` is a file's bytes (read once by the caller) rather than its path."""
    return isinstance(source, (bytes, bytearray, memoryview))


def open_zip(source: Path | bytes) -> zipfile.ZipFile:
    """A zip container from a path or from the file's bytes."""
    return zipfile.ZipFile(io.BytesIO(source) if is_bytes(source) else source)


def _zip_kind(source: Path | bytes) -> Sniffed:
    try:
        with open_zip(source) as zf:
            names = set(zf.namelist())
            if "xl/workbook.xml" in names:
                macro = "xl/vbaProject.bin" in names
                if not macro and "[Content_Types].xml" in names:
                    info = zf.getinfo("[Content_Types].xml")
                    if info.file_size < 1_000_000:
                        macro = b"macroEnabled" in zf.read(info)
                return Sniffed("xlsm" if macro else "xlsx")
            if "mimetype" in names and zf.getinfo("mimetype").file_size < 200:
                mime = zf.read("mimetype").decode("ascii", "replace").strip()
                if mime == "application/vnd.oasis.opendocument.spreadsheet":
                    return Sniffed("ods")
                return Sniffed("odt" if "opendocument" in mime else "zip")
            if "xl/workbook.bin" in names:
                return Sniffed("xlsb")  # Excel's binary workbook: a spreadsheet, not a zip of files
            if "word/document.xml" in names:
                return Sniffed("docx")
            if "ppt/presentation.xml" in names:
                return Sniffed("pptx")
            return Sniffed("zip")
    except zipfile.BadZipFile as exc:
        return Sniffed("broken", str(exc))
    except (OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
        return Sniffed("broken", f"{type(exc).__name__}: {exc}")


def _head(path: Path, size: int) -> bytes:
    with path.open("rb") as fh:
        return fh.read(size)


def sniff(source: Path | bytes, max_ole_scan: int = 64 * 1024 * 1024) -> Sniffed:
    """What ``source`` (a file, or its bytes read once by the caller) really is."""
    in_memory = is_bytes(source)
    if in_memory:
        head = bytes(source[:512])
    else:
        with Path(source).open("rb") as fh:
            head = fh.read(512)
    if not head:
        return Sniffed("empty")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(source if in_memory else Path(source))
    if head.startswith(OLE_MAGIC):
        # Not parsing the container: its directory names the streams in UTF-16LE.
        data = bytes(source[:max_ole_scan]) if in_memory else Path(source).read_bytes()[:max_ole_scan]  # type: ignore[index]
        if _OLE_STREAMS["encrypted"] in data:
            return Sniffed("encrypted")
        if _OLE_STREAMS["xls"] in data or _OLE_STREAMS["xls5"] in data:
            return Sniffed("xls")
        if _OLE_STREAMS["doc"] in data:
            return Sniffed("doc")
        return Sniffed("ole")
    if head.startswith(b"Rar!\x1a\x07"):
        return Sniffed("rar")
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return Sniffed("7z")
    if head.startswith(b"%PDF"):
        return Sniffed("pdf")
    if head.startswith(b"{\\rtf"):
        return Sniffed("rtf")
    if head[:8] in (b"\x89PNG\r\n\x1a\n",) or head[:3] == b"\xff\xd8\xff" or head[:4] in (b"GIF8",):
        return Sniffed("image")
    text = head.lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if text.startswith((b"<!doctype html", b"<html", b"<table")):
        return Sniffed("html")
    if text.startswith(b"<?xml") or text.startswith(b"<"):
        # LibreOffice's flat ODS: one XML file, its spreadsheet mime type in the root element,
        # after the namespaces.
        more = bytes(source[:16384]) if in_memory else _head(Path(source), 16384)  # type: ignore[index]
        if b"office:document" in more and b"application/vnd.oasis.opendocument.spreadsheet" in more:
            return Sniffed("fods")
        return Sniffed("xml")
    try:
        head.decode("utf-8")
        return Sniffed("text")
    except UnicodeDecodeError:
        return Sniffed("unknown")
