"""The roster of reporting units: a CSV file ``code,name[,kind]`` (docs/spec.md §3)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .messages import DvError, os_error_text
from .text import normalise_code, text_key

__all__ = ["Unit", "Roster", "RosterError", "read_roster"]

_CODE = re.compile(r"^[A-Za-z0-9_-]{1,30}$")
# Header aliases a clerk is likely to type in Vietnamese.
_HEADERS = {
    "code": "code",
    "ma": "code",
    "mã": "code",
    "ma_don_vi": "code",
    "mã đơn vị": "code",
    "name": "name",
    "ten": "name",
    "tên": "name",
    "ten_don_vi": "name",
    "tên đơn vị": "name",
    "kind": "kind",
    "loai": "kind",
    "loại": "kind",
}
KINDS = ("so", "huyen", "xa", "tinh")
# How a clerk writes the kind, without diacritics and case: a department (a district's own
# offices, its "phòng", are its departments), a district-level unit (a town or a provincial city
# reports like a district), a commune-level unit (a ward, a township), or a province (the
# ministry's roster; a city under the central government reports like a province).
_KIND_WORDS = {
    "so": "so",
    "cap so": "so",
    "so nganh": "so",
    "phong": "so",
    "phong ban": "so",
    "xa": "xa",
    "cap xa": "xa",
    "phuong": "xa",
    "thi tran": "xa",
    "tinh": "tinh",
    "cap tinh": "tinh",
    "thanh pho truc thuoc trung uong": "tinh",
    "huyen": "huyen",
    "cap huyen": "huyen",
    "quan": "huyen",
    "thi xa": "huyen",
    "thanh pho": "huyen",
    "tx": "huyen",
    "tp": "huyen",
}


class RosterError(DvError):
    """A roster that cannot be used; nothing is written."""


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str = ""


@dataclass(frozen=True)
class Roster:
    units: tuple[Unit, ...]
    path: str = ""
    # What was read but is worth telling the officer (an encoding, a name with an unquoted comma).
    warnings: tuple[DvError, ...] = ()

    @cached_property
    def _by_code(self) -> dict[str, Unit]:
        return {normalise_code(unit.code): unit for unit in self.units}

    @cached_property
    def _by_name(self) -> dict[str, list[Unit]]:
        by_name: dict[str, list[Unit]] = {}
        for unit in self.units:
            by_name.setdefault(text_key(unit.name), []).append(unit)
        return by_name

    def get(self, code: str) -> Unit | None:
        """The unit with this code, whatever its case and spaces (clerks type "stttt", "S TTTT")."""
        return self._by_code.get(normalise_code(code))

    def by_name(self, name: str) -> Unit | None:
        """The one unit with this name, compared without case, spacing or tone-mark style
        ("Văn hoá" = "Văn hóa"); None when no unit, or several, have it."""
        found = self._by_name.get(text_key(name), [])
        return found[0] if len(found) == 1 else None

    def require(self, code: str) -> Unit:
        unit = self.get(code)
        if unit is None:
            raise RosterError(
                "roster.unknown_unit",
                code=code,
                path=self.path,
                codes=", ".join(u.code for u in self.units),
            )
        return unit

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(u.code for u in self.units)


def _clean(text: str | None) -> str:
    return unicodedata.normalize("NFC", (text or "").replace("\u00a0", " ")).strip()


def _kind(text: str) -> str:
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = " ".join("".join(c for c in plain if not unicodedata.combining(c)).casefold().split())
    return _KIND_WORDS.get(plain, text)


def _fit(row: list[str], header: list[str], delimiter: str) -> list[str] | None:
    """A row with more fields than the header: the name had an unquoted separator in it
    ("Sở Văn hóa, Thể thao và Du lịch"). The name takes the extra fields when that is the only
    reading: it is the last column, or only a kind that reads as one follows it. None otherwise."""
    name = header.index("name")
    after = header[name + 1 :]
    extra = len(row) - len(header)
    if after and (after != ["kind"] or _kind(_clean(row[-1])) not in KINDS):
        return None
    joined = delimiter.join(row[name : name + extra + 1])
    return [*row[:name], joined, *row[name + extra + 1 :]]


def parse_roster(text: str, path: str = "", warnings: tuple[DvError, ...] = ()) -> Roster:
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = max(("\t", ";", ","), key=lambda d: (first.count(d), d == ","))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = [(n, row) for n, row in enumerate(reader, start=1) if any(c.strip() for c in row)]
    if not rows:
        raise RosterError("roster.empty", path=path)
    titles = list(rows[0][1])
    while titles and not titles[-1].strip():
        titles.pop()  # "code,name,kind,," from a spreadsheet
    header = [_HEADERS.get(_clean(c).lower(), _clean(c).lower()) for c in titles]
    if "code" not in header or "name" not in header:
        raise RosterError("roster.header", path=path, header=delimiter.join(rows[0][1]))
    index = {key: header.index(key) for key in ("code", "name", "kind") if key in header}
    problems: list[DvError] = []
    notes = list(warnings)
    seen: dict[str, int] = {}
    units = []
    for line, row in rows[1:]:
        while len(row) > len(header) and not row[-1].strip():
            row = row[:-1]  # trailing empty fields, as spreadsheets export them
        if len(row) > len(header):
            fitted = _fit(row, header, delimiter)
            if fitted is None:
                problems.append(
                    DvError(
                        "roster.extra_fields", line=line, fields=len(row), columns=len(header), text=delimiter.join(row)
                    )
                )
                continue
            row = fitted
            notes.append(DvError("roster.name_joined", line=line, name=_clean(row[index["name"]]), sep=delimiter))
        cells = {key: _clean(row[i]) if i < len(row) else "" for key, i in index.items()}
        code, name, kind = cells["code"], cells["name"], _kind(cells.get("kind", ""))
        if not code:
            problems.append(DvError("roster.no_code", line=line))
            continue
        if not _CODE.match(code):
            problems.append(DvError("roster.bad_code", line=line, code=code))
        if normalise_code(code) in seen:
            problems.append(DvError("roster.duplicate", line=line, code=code, first=seen[normalise_code(code)]))
        seen.setdefault(normalise_code(code), line)
        if not name:
            problems.append(DvError("roster.no_name", line=line, code=code))
        if kind and kind not in KINDS:
            problems.append(DvError("roster.bad_kind", line=line, kind=kind))
        units.append(Unit(code=code, name=name, kind=kind))
    if problems:
        raise RosterError("roster.problems", path=path, problems=problems)
    if not units:
        raise RosterError("roster.empty", path=path)
    return Roster(units=tuple(units), path=path, warnings=tuple(notes))


# Excel on a Vietnamese Windows: "CSV (Comma delimited)" is Windows-1258 (tone marks as
# combining characters); "Unicode Text" is UTF-16 with a BOM and tabs.
_VIETNAMESE = frozenset("aăâbcdđeêghiklmnoôơpqrstuưvxyfjwzáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ")


def _plausible(text: str) -> bool:
    """Whether decoded text is Vietnamese a roster can hold: no stray symbols or control bytes."""
    for ch in text:
        if ch.isascii():
            if not (ch.isprintable() or ch in "\t\r\n"):
                return False
        elif ch.lower() not in _VIETNAMESE and ch not in "\u00a0\u2013\u2014\u2018\u2019\u201c\u201d\u2026":
            return False
    return True


def _decode(raw: bytes, path: str) -> tuple[str, tuple[DvError, ...]]:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = unicodedata.normalize("NFC", raw.decode("utf-16"))
        except UnicodeDecodeError:
            raise RosterError("roster.encoding", path=path) from None
        return text, (DvError("roster.encoding_read", path=path, encoding="UTF-16 (Unicode Text)"),)
    try:
        return raw.decode("utf-8"), ()
    except UnicodeDecodeError:
        pass
    try:
        text = unicodedata.normalize("NFC", raw.decode("cp1258"))
    except UnicodeDecodeError:
        text = ""
    if not text or not _plausible(text):
        raise RosterError("roster.encoding", path=path)
    return text, (DvError("roster.encoding_read", path=path, encoding="Windows-1258"),)


def read_roster(path: str | Path) -> Roster:
    """Read a roster file: UTF-8 (with or without BOM), Windows-1258 or UTF-16; comma,
    semicolon or tab separated. A roster not in UTF-8 is read with a warning."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RosterError("roster.unreadable", path=str(path), reason=os_error_text(exc)) from None
    text, warnings = _decode(raw, str(path))
    return parse_roster(text, str(path), warnings)


# A generic template with the roster's dropdown carries the roster in its metadata sheet, one
# row per unit: this key, the code, the name (toolkit.template writes, toolkit.intake.validate reads).
META_ROSTER_KEY = "roster_unit"
