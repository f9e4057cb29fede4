"""The roster of reporting units: a CSV file ``code,name[,kind]`` (SPEC section 3)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .messages import DvError, os_error_text

__all__ = ["Unit", "Roster", "RosterError", "read_roster"]

_CODE = re.compile(r"^[A-Za-z0-9_-]{1,30}$")
# Header aliases a clerk is likely to type in Vietnamese.
_HEADERS = {
    "code": "code", "ma": "code", "mã": "code", "ma_don_vi": "code", "mã đơn vị": "code",
    "name": "name", "ten": "name", "tên": "name", "ten_don_vi": "name", "tên đơn vị": "name",
    "kind": "kind", "loai": "kind", "loại": "kind",
}  # fmt: skip
KINDS = ("so", "huyen")


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

    @cached_property
    def _by_code(self) -> dict[str, Unit]:
        return {unit.code.upper(): unit for unit in self.units}

    def get(self, code: str) -> Unit | None:
        """The unit with this code, case-insensitively (clerks type "stttt")."""
        return self._by_code.get(code.strip().upper())

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


def parse_roster(text: str, path: str = "") -> Roster:
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = [(n, row) for n, row in enumerate(reader, start=1) if any(c.strip() for c in row)]
    if not rows:
        raise RosterError("roster.empty", path=path)
    header = [_HEADERS.get(_clean(c).lower(), _clean(c).lower()) for c in rows[0][1]]
    if "code" not in header or "name" not in header:
        raise RosterError("roster.header", path=path, header=delimiter.join(rows[0][1]))
    index = {key: header.index(key) for key in ("code", "name", "kind") if key in header}
    problems: list[DvError] = []
    seen: dict[str, int] = {}
    units = []
    for line, row in rows[1:]:
        cells = {key: _clean(row[i]) if i < len(row) else "" for key, i in index.items()}
        code, name, kind = cells["code"], cells["name"], cells.get("kind", "").lower()
        if not code:
            problems.append(DvError("roster.no_code", line=line))
            continue
        if not _CODE.match(code):
            problems.append(DvError("roster.bad_code", line=line, code=code))
        if code.upper() in seen:
            problems.append(DvError("roster.duplicate", line=line, code=code, first=seen[code.upper()]))
        seen.setdefault(code.upper(), line)
        if not name:
            problems.append(DvError("roster.no_name", line=line, code=code))
        if kind and kind not in KINDS:
            problems.append(DvError("roster.bad_kind", line=line, kind=kind))
        units.append(Unit(code=code, name=name, kind=kind))
    if problems:
        raise RosterError("roster.problems", path=path, problems=problems)
    if not units:
        raise RosterError("roster.empty", path=path)
    return Roster(units=tuple(units), path=path)


def read_roster(path: str | Path) -> Roster:
    """Read a roster file: UTF-8 with or without BOM, comma or semicolon separated."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RosterError("roster.unreadable", path=str(path), reason=os_error_text(exc)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RosterError("roster.encoding", path=str(path)) from None
    return parse_roster(text, str(path))
