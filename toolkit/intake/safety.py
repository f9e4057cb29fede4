"""Checks on a zip-based workbook before any parser sees it.

* The zip directory against limits (as Apache POI's ZipSecureFile does): file size, number
  of parts, unpacked size per part and in total, and the compression ratio of large parts.
* Every XML part's prolog through defusedxml with DTDs forbidden: a part that declares a
  DTD (billion laughs, XXE) is refused before anything parses it. Only the prolog is read
  (parsing stops at the root element), so this costs little.
* The declared ``<dimension>`` of each worksheet: a sheet that claims a million rows is
  refused before python-calamine allocates it.

The limits are generous for the appendix (a filled template is ~60 kB, ~25 parts).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError
from xml.parsers.expat import ExpatError, ParserCreate

import defusedxml
from defusedxml.ElementTree import XMLParser

from .sniff import is_bytes, open_zip

__all__ = ["Limits", "LIMITS", "Unsafe", "Broken", "TooLarge", "check_zip", "check_directory"]


@dataclass(frozen=True)
class Limits:
    max_file: int = 50 * 1024 * 1024
    max_parts: int = 2_000
    max_part: int = 200 * 1024 * 1024
    max_total: int = 500 * 1024 * 1024
    max_ratio: float = 100.0  # unpacked / packed, checked for parts above ratio_from
    ratio_from: int = 1024 * 1024
    max_rows: int = 100_000
    max_cols: int = 1_000


LIMITS = Limits()


class Unsafe(Exception):
    """Refused: a DTD, an entity, a zip bomb."""


class Broken(Exception):
    """A container or XML part that cannot be read."""


class TooLarge(Exception):
    """A sheet declares an extent far beyond the form."""

    def __init__(self, sheet: str, ref: str) -> None:
        super().__init__(f"{sheet}: {ref}")
        self.sheet = sheet
        self.ref = ref


_XML = (".xml", ".rels", ".vml")
_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


def _ref_extent(ref: str) -> tuple[int, int]:
    """(rows, columns) covered by a ref like ``A1:XFD1048576``."""
    last = ref.split(":")[-1].strip().upper()
    m = _REF.match(last)
    if not m:
        return 0, 0
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


def check_size(source: Path | bytes, limits: Limits = LIMITS) -> None:
    """Raise :class:`Unsafe` for a file over the size limit, whatever its format (an .xls
    too: an appendix is ~100 kB)."""
    size = len(source) if is_bytes(source) else Path(source).stat().st_size  # type: ignore[arg-type]
    if size > limits.max_file:
        raise Unsafe(f"tệp {size // (1024 * 1024)} MB, quá {limits.max_file // (1024 * 1024)} MB")


def check_zip(source: Path | bytes, limits: Limits = LIMITS) -> None:
    """Raise :class:`Unsafe`, :class:`Broken` or :class:`TooLarge`; return if safe to parse.
    ``source``: the file, or its bytes (read once by the caller)."""
    check_size(source, limits)
    try:
        zf = open_zip(source)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise Broken(str(exc)) from None
    with zf:
        infos = zf.infolist()
        check_directory(infos, limits)
        for info in infos:
            if info.filename.lower().endswith(_XML) and not info.is_dir():
                _check_prolog(zf, info, limits)


def check_directory(infos: list[zipfile.ZipInfo], limits: Limits = LIMITS) -> None:
    """Raise :class:`Unsafe` when a zip's directory breaks the limits: too many parts, a part
    or the whole unpacking too large, a large part compressed beyond the ratio. Any zip gets
    these (a workbook, or an archive of e-mail attachments) before anything is inflated."""
    if len(infos) > limits.max_parts:
        raise Unsafe(f"{len(infos)} phần trong tệp nén, quá {limits.max_parts}")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > limits.max_part:
            raise Unsafe(f"phần {info.filename} giải nén ra {info.file_size // (1024 * 1024)} MB")
        if (
            info.file_size > limits.ratio_from
            and info.compress_size
            and (info.file_size / info.compress_size > limits.max_ratio)
        ):
            ratio = info.file_size // info.compress_size
            raise Unsafe(f"phần {info.filename} nén {ratio}:1 (bom nén)")
    if total > limits.max_total:
        raise Unsafe(f"giải nén ra {total // (1024 * 1024)} MB, quá {limits.max_total // (1024 * 1024)} MB")


class _Done(Exception):
    """The prolog has been read: stop parsing."""


class _Target:
    """Receives start tags; stops at the root element (or, in a worksheet, at sheetData)."""

    def __init__(self, part: str, is_sheet: bool, limits: Limits) -> None:
        self.part, self.is_sheet, self.limits = part, is_sheet, limits

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        # The element's name in any namespace ("ns}sheetData"), without splitting each tag.
        if not self.is_sheet or tag == "sheetData" or tag.endswith("}sheetData"):
            raise _Done
        if tag == "dimension" or tag.endswith("}dimension"):
            rows, cols = _ref_extent(attrib.get("ref", ""))
            if rows > self.limits.max_rows or cols > self.limits.max_cols:
                raise TooLarge(self.part, attrib.get("ref", ""))


# defusedxml's refusing handlers (a DTD, an entity declaration or an external reference raises
# its DTDForbidden, EntitiesForbidden or ExternalReferenceForbidden), taken once from one of its
# parsers and set on each new expat parser: a whole DefusedXMLParser per part (an ElementTree
# parser with its TreeBuilder, callbacks and name cache) costs more than the expat parser it
# wraps, and dv makes ~17 a file only to call its own element handlers.
_REFUSING = XMLParser(forbid_dtd=True, forbid_entities=True, forbid_external=True).parser
_REFUSING_HANDLERS = tuple(
    (name, getattr(_REFUSING, name))
    for name in (
        "StartDoctypeDeclHandler",
        "EntityDeclHandler",
        "UnparsedEntityDeclHandler",
        "ExternalEntityRefHandler",
    )
)
if not all(handler for _name, handler in _REFUSING_HANDLERS):  # pragma: no cover - another defusedxml
    raise RuntimeError("defusedxml's parser no longer sets its refusing handlers: XML would be parsed unprotected")


def feed_part(expat: Any, stream: Any, chunk: int, limit: int | None = None) -> None:
    """Give ``stream`` (an open zip part) to ``expat`` in pieces of ``chunk`` bytes, and end
    the document; with ``limit``, stop after that many bytes without ending it. The handlers
    stop it earlier by raising."""
    read = 0
    while (limit is None or read < limit) and (piece := stream.read(chunk)):
        read += len(piece)
        expat.Parse(piece, False)
    if limit is None:
        expat.Parse(b"", True)


def defused_expat(start: Any, end: Any = None, data: Any = None) -> Any:
    """An expat parser with defusedxml's refusing handlers (DTDs, entities, external
    references) that calls dv's own element handlers directly (no ElementTree events): the one
    way dv's streaming scans parse XML. Names come as ElementTree's parser has them ("ns}name")."""
    expat = ParserCreate(None, "}")
    for name, handler in _REFUSING_HANDLERS:
        setattr(expat, name, handler)
    expat.buffer_text = True
    expat.StartElementHandler = start
    expat.EndElementHandler = end
    expat.CharacterDataHandler = data
    return expat


def _check_prolog(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> None:
    """Feed the part in small pieces to a DTD-forbidding parser until the root element."""
    is_sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
    expat = defused_expat(_Target(info.filename, is_sheet, limits).start)  # ~13 parts a file
    try:
        with zf.open(info) as stream:
            feed_part(expat, stream, 1024)
    except _Done:
        return
    except (defusedxml.DTDForbidden, defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden):
        raise Unsafe(f"phần {info.filename} khai báo DTD/thực thể XML") from None
    except (ParseError, ExpatError) as exc:
        raise Broken(f"phần {info.filename}: XML lỗi ({exc})") from None
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, zlib.error) as exc:
        raise Broken(f"phần {info.filename}: {exc}") from None
