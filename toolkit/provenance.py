"""A rolled-up file's provenance (docs/spec.md §9): what a level's submission to the level above
was built from — every file of its round (unit, file name, SHA-256, status), the figures of each
counted one, and, for a file that was itself a roll-up, its own provenance one level deeper —
with the roll-up's inputs hash and dv's version.

It lives in rows of the workbook's metadata sheet (``_dv``), which dv's reader reads anyway
(python-calamine, no extra sheet): one ``rollup`` row, one ``rollup_fields`` row naming the value
columns, then one ``rollup_file`` row per file, in tree order (a file's deeper rows follow it).
Every figure is in the codes of the form of the file that carries the provenance, so that the
level above reads a row of it like a unit's row of its own summary.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .issues import Status

__all__ = [
    "Entry",
    "Provenance",
    "ProvenanceError",
    "ROLLUP_KEYS",
    "MISSING",
    "read_provenance",
]

# The keys of the metadata sheet's rows (column A).
ROLLUP_KEY, FIELDS_KEY, FILE_KEY = "rollup", "rollup_fields", "rollup_file"
ROLLUP_KEYS = (ROLLUP_KEY, FIELDS_KEY, FILE_KEY)
SETTLED, PARTIAL = "settled", "partial"
MISSING = "missing"  # a unit of the lower round's roster that sent nothing (no file)
ACCEPTED = "accepted"
STATUSES = (*(str(s) for s in Status), MISSING)
_SHA = re.compile(r"^[0-9a-f]{64}$")
_RANGE = re.compile(r"^(\d+)-(\d+)$")


class ProvenanceError(ValueError):
    """The metadata sheet's roll-up rows cannot be read (edited by hand, cut short)."""


@dataclass(frozen=True)
class Entry:
    """One file of a rolled-up round (or a unit that sent nothing): ``depth`` 1 for the files
    the roll-up was built from, 2 for the files those were built from, and so on."""

    depth: int
    unit_code: str
    unit_name: str
    file: str  # as the round named it: its path relative to the folder read
    sha256: str
    status: str  # a file's status in its round (accepted, rejected…), or "missing"
    values: Mapping[str, Any] = field(default_factory=dict)  # counted files only
    docs: tuple[int, int] | None = None  # its documents: positions in the carrying file's table (1-based)

    @property
    def counted(self) -> bool:
        return self.status == ACCEPTED


@dataclass(frozen=True)
class Provenance:
    inputs: str  # the roll-up's inputs hash (SHA-256)
    generator: str  # "dv 0.1.0"
    form: tuple[str, str, int]  # the lower round's form: id, version, year
    settled: bool  # False: rolled up with --partial while files were rejected, in doubt or missing
    fields: tuple[str, ...]  # the codes of the figures each entry carries
    entries: tuple[Entry, ...]

    # -- the tree ---------------------------------------------------------------------------
    def children(self, index: int) -> list[int]:
        """The indexes of the entries one level under ``entries[index]``."""
        depth = self.entries[index].depth
        out = []
        for i in range(index + 1, len(self.entries)):
            d = self.entries[i].depth
            if d <= depth:
                break
            if d == depth + 1:
                out.append(i)
        return out

    @property
    def top(self) -> list[Entry]:
        """The files the roll-up was built from (and its units that sent nothing)."""
        return [e for e in self.entries if e.depth == 1]

    @property
    def units(self) -> int:
        """How many units' figures the roll-up adds (its counted files)."""
        return sum(1 for e in self.top if e.counted)

    def counted_entries(self) -> Iterator[Entry]:
        """Every counted file at any depth whose parents were counted too: the figures inside."""
        counted_at: dict[int, bool] = {0: True}
        for e in self.entries:
            counted_at[e.depth] = counted_at.get(e.depth - 1, False) and e.counted
            for deeper in [d for d in counted_at if d > e.depth]:
                del counted_at[deeper]
            if counted_at[e.depth]:
                yield e

    def leaves(self) -> list[Entry]:
        """The counted files that are not roll-ups themselves: where every figure was typed."""
        entries = list(self.entries)
        counted = set(map(id, self.counted_entries()))
        return [
            e
            for i, e in enumerate(entries)
            if id(e) in counted and not any(entries[c].counted for c in self.children(i))
        ]

    def issuer_of(self, position: int) -> Entry | None:
        """The deepest counted file whose documents hold the document at ``position`` (1-based)
        of the carrying file's table: the unit that issued it."""
        found = None
        for e in self.counted_entries():
            inside = e.docs is not None and e.docs[0] <= position <= e.docs[1]
            if inside and (found is None or e.depth > found.depth):
                found = e
        return found

    # -- the metadata sheet's rows --------------------------------------------------------------
    def rows(self) -> list[list[Any]]:
        """The rows written to the metadata sheet, after its own (column A the key)."""
        form_id, version, year = self.form
        head = [ROLLUP_KEY, self.inputs, self.generator, form_id, version, str(year)]
        head += [SETTLED if self.settled else PARTIAL, str(self.units)]
        out: list[list[Any]] = [head, [FIELDS_KEY, *self.fields]]
        for e in self.entries:
            docs = f"{e.docs[0]}-{e.docs[1]}" if e.docs else ""
            row = [FILE_KEY, str(e.depth), e.unit_code, e.unit_name, e.file, e.sha256, e.status, docs]
            out.append(row + [_cell(e.values.get(code)) for code in self.fields])
        return out

    def to_dict(self) -> dict[str, Any]:
        """The JSON of a roll-up (docs/spec.md §5.11): a file's ``rollup``."""
        return {
            "units": self.units,
            "inputs_sha256": self.inputs,
            "generator": self.generator,
            "form": {"id": self.form[0], "version": self.form[1], "year": self.form[2]},
            "settled": self.settled,
            "fields": list(self.fields),
            "files": [
                {
                    "depth": e.depth,
                    "unit_code": e.unit_code,
                    "unit_name": e.unit_name,
                    "file": e.file,
                    "sha256": e.sha256,
                    "status": e.status,
                    "documents": list(e.docs) if e.docs else None,
                    "values": {k: e.values.get(k) for k in self.fields} if e.counted else {},
                }
                for e in self.entries
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Provenance:
        """:meth:`to_dict`'s inverse (the portal keeps each report as JSON)."""
        files = data.get("files", [])
        fields = tuple(data.get("fields") or dict.fromkeys(k for f in files for k in f.get("values", {})))
        entries = tuple(
            Entry(
                depth=int(f["depth"]),
                unit_code=f["unit_code"],
                unit_name=f["unit_name"],
                file=f["file"],
                sha256=f["sha256"],
                status=f["status"],
                values=dict(f.get("values") or {}),
                docs=tuple(f["documents"]) if f.get("documents") else None,  # type: ignore[arg-type]
            )
            for f in files
        )
        form = data["form"]
        return cls(
            inputs=data["inputs_sha256"],
            generator=data["generator"],
            form=(form["id"], form["version"], int(form["year"])),
            settled=bool(data["settled"]),
            fields=fields,
            entries=entries,
        )


def _cell(value: Any) -> Any:
    """A figure as its cell holds it: a number, or empty."""
    return "" if value is None else value


def _number(raw: Any) -> int | float | None:
    """A figure as python-calamine gives it back (37.0 → 37); None for an empty cell."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        raise ProvenanceError(f"a figure is {raw!r}")
    if isinstance(raw, str):
        try:
            raw = float(raw.strip())
        except ValueError:
            raise ProvenanceError(f"a figure is {raw!r}") from None
    if not isinstance(raw, int | float) or not math.isfinite(raw):
        raise ProvenanceError(f"a figure is {raw!r}")
    return raw


def _text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return str(raw).strip()


def read_provenance(rows: Sequence[Sequence[Any]], percent: frozenset[str] = frozenset()) -> Provenance | None:
    """The provenance in the metadata sheet's ``rows`` (as python-calamine reads them); None for
    a workbook that is no roll-up. ``percent``: the codes of rates (kept as fractions; every other
    whole figure is an integer). Raises :class:`ProvenanceError` when the rows cannot be read."""
    head = fields_row = None
    files: list[Sequence[Any]] = []
    for row in rows:
        key = _text(row[0]) if row else ""
        if key == ROLLUP_KEY:
            if head is not None:
                raise ProvenanceError("two rollup rows")
            head = row
        elif key == FIELDS_KEY:
            fields_row = row
        elif key == FILE_KEY:
            files.append(row)
    if head is None:
        if fields_row is not None or files:
            raise ProvenanceError("rollup_file rows without their rollup row")
        return None
    cells = [_text(c) for c in head] + [""] * 8
    inputs, generator, form_id, version, year, settled, units = cells[1:8]
    if not _SHA.match(inputs) or not year.isdigit() or settled not in (SETTLED, PARTIAL):
        raise ProvenanceError("the rollup row")
    fields = tuple(c for c in (_text(c) for c in (fields_row or [])[1:]) if c)
    entries = []
    previous_depth = 0
    for row in files:
        cells = list(row) + [""] * (8 + len(fields))
        depth_text = _text(cells[1])
        if not depth_text.isdigit() or not 1 <= int(depth_text) <= previous_depth + 1:
            raise ProvenanceError(f"a rollup_file row's depth: {depth_text!r}")
        depth = previous_depth = int(depth_text)
        sha, status, docs_text = _text(cells[5]), _text(cells[6]), _text(cells[7])
        if (sha and not _SHA.match(sha)) or status not in STATUSES:
            raise ProvenanceError("a rollup_file row")
        docs = None
        if docs_text:
            m = _RANGE.match(docs_text)
            if m is None or int(m.group(1)) > int(m.group(2)) or int(m.group(1)) < 1:
                raise ProvenanceError(f"a document range: {docs_text!r}")
            docs = (int(m.group(1)), int(m.group(2)))
        values: dict[str, Any] = {}
        for i, code in enumerate(fields):
            number = _number(cells[8 + i])
            if number is not None and code not in percent and isinstance(number, float) and number.is_integer():
                number = int(number)
            values[code] = number
        entries.append(
            Entry(
                depth=depth,
                unit_code=_text(cells[2]),
                unit_name=_text(cells[3]),
                file=_text(cells[4]),
                sha256=sha,
                status=status,
                values=values if status == ACCEPTED else {},
                docs=docs,
            )
        )
    if not units.isdigit() or int(units) != sum(1 for e in entries if e.depth == 1 and e.counted):
        raise ProvenanceError("the number of units counted")
    return Provenance(
        inputs=inputs,
        generator=generator,
        form=(form_id, version, int(year)),
        settled=settled == SETTLED,
        fields=fields,
        entries=tuple(entries),
    )
