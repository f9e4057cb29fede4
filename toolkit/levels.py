"""Nothing counted twice across levels (docs/spec.md §9.4): among the files that count in a
round, a unit's file that is also inside a roll-up, or a file inside two roll-ups.

A file is the same file when its SHA-256 is (at any depth of a roll-up's provenance); a unit is
the same unit when a file that counts on its own names the code (and, where both say one, the
name) of a unit whose counted file is inside another's roll-up. Codes inside two different
roll-ups are not compared with each other: each level's codes are its own roster's (every
province has its ``STTTT``), so two provinces' departments of one code are two units; the same
file inside both is caught by its SHA-256.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from .issues import Issue, make_issue
from .messages import Localized, phrase
from .text import normalise_code, same_text

__all__ = ["Counted", "counted_twice"]


class Counted(Protocol):
    """What the check needs of a file that counts (a merge's ``Verdict``)."""

    @property
    def name(self) -> str: ...

    @property
    def sha256(self) -> str: ...

    @property
    def unit_code(self) -> str: ...

    @property
    def values(self) -> dict[str, Any]: ...

    @property
    def report(self) -> Any: ...


@dataclass(frozen=True)
class _Seen:
    index: int  # the file of the round that holds it
    where: str  # how to find it: "HCT.xlsx", or "HCT.xlsx › X01.xlsx" inside a roll-up
    depth: int  # 0: the file itself


def _inside(files: Sequence[Counted]) -> list[list[tuple[Any, _Seen]]]:
    """Each file's counted entries (at any depth), with where each is."""
    out = []
    for i, f in enumerate(files):
        prov = getattr(f.report, "rollup", None)
        found: list[tuple[Any, _Seen]] = []
        if prov is not None:
            chain: list[str] = []
            for entry in prov.counted_entries():
                del chain[entry.depth - 1 :]
                chain.append(entry.file or entry.unit_code)
                found.append((entry, _Seen(i, " › ".join([f.name, *chain]), entry.depth)))
        out.append(found)
    return out


def counted_twice(files: Sequence[Counted], name_field: str) -> list[tuple[int, int, Issue]]:
    """Pairs of files (their indexes in ``files``) whose figures overlap, each with its
    ``merge-counted-twice`` issue (the shallowest overlap found for the pair); ``name_field``
    is the form's field of the unit's name."""
    inside = _inside(files)
    pairs: dict[tuple[int, int], Issue] = {}

    def say(a: _Seen, b: _Seen, what: Localized) -> None:
        key = (min(a.index, b.index), max(a.index, b.index))
        if a.index == b.index or key in pairs:
            return
        first, second = (a, b) if (a.depth, a.index) <= (b.depth, b.index) else (b, a)
        pairs[key] = make_issue("merge-counted-twice", what=what, file=first.where, other=second.where)

    # The same bytes, wherever they are: each file itself, then every file inside a roll-up.
    by_sha: dict[str, _Seen] = {}
    occurrences = [(f.sha256, _Seen(i, f.name, 0)) for i, f in enumerate(files)]
    occurrences += sorted(((e.sha256, seen) for found in inside for e, seen in found), key=lambda pair: pair[1].depth)
    for sha, seen in occurrences:
        if not sha:
            continue
        first = by_sha.setdefault(sha, seen)
        if first is not seen:
            say(first, seen, phrase("levels.what.file", sha=sha[:12]))
    # A unit that counts on its own here, and inside another file's roll-up.
    own = {normalise_code(f.unit_code): i for i, f in enumerate(files) if f.unit_code}
    for found in inside:
        for entry, seen in found:
            j = own.get(normalise_code(entry.unit_code)) if entry.unit_code else None
            if j is None or j == seen.index:
                continue
            name = str(files[j].values.get(name_field) or "")
            if name and entry.unit_name and not same_text(name, entry.unit_name):
                continue  # one code, two units of two levels' rosters
            what = phrase("levels.what.unit", unit=entry.unit_code, name=entry.unit_name or name)
            say(_Seen(j, files[j].name, 0), seen, what)
    return [(a, b, issue) for (a, b), issue in pairs.items()]
