"""Which unit a file is from, by its other evidence (docs/spec.md §8.3).

The unit a file is *for* is the one its template (or its code cell) names. A file carries
other evidence of who filled it: the issuer part of its report number (``45/BC-SYT``,
``…/BC-STTTT-VP``), its file name and the sub-folders it came in (``SYT-phu-luc.xlsx``,
``email-SYT/``), its signer and contact lines ("Giám đốc Sở Y tế"). When a piece of that
evidence names another unit of the roster and never the file's own, the file is
``unit-conflict``: not merged, both units named, until the officer decides. Evidence that
names the file's own unit, or no unit, raises nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from ..form import Form
from ..issues import FileReport, Issue, make_issue
from ..messages import Localized, phrase
from ..roster import Roster, Unit
from ..text import normalise_code, text_key

__all__ = ["unit_conflict"]


@dataclass(frozen=True)
class _Index:
    """A roster's codes and names as patterns: any code as a whole token (``SYT`` in ``BC-SYT``
    or ``syt-phu-luc``, not in ``SYTE``), any name (by its text key: case, spaces and tone-mark
    style ignored) as whole words."""

    codes: re.Pattern[str]
    names: re.Pattern[str] | None
    by_key: dict[str, Unit]


# Built once per roster object (every file of a run, in every worker, has the same one): a
# roster of 1,000 units costs ~0.9 ms to index, and nothing once indexed.
_INDEXES: dict[int, tuple[Roster, _Index]] = {}


def _index(roster: Roster) -> _Index:
    hit = _INDEXES.get(id(roster))
    if hit is not None and hit[0] is roster:
        return hit[1]
    codes = sorted({normalise_code(u.code) for u in roster.units}, key=len, reverse=True)
    by_key = {text_key(u.name): u for u in roster.units if u.name.strip()}
    names = "|".join(re.escape(k) for k in sorted(by_key, key=len, reverse=True))
    index = _Index(
        re.compile(rf"(?<![A-Za-z0-9])(?:{'|'.join(re.escape(c) for c in codes)})(?![A-Za-z0-9])", re.IGNORECASE),
        re.compile(rf"(?<!\w)(?:{names})(?!\w)") if names else None,
        by_key,
    )
    if len(_INDEXES) >= 8:
        _INDEXES.clear()
    _INDEXES[id(roster)] = (roster, index)
    return index


def _units_by_code(text: str, roster: Roster) -> list[Unit]:
    found = _index(roster).codes.findall(text)
    return [u for u in (roster.get(c) for c in dict.fromkeys(found)) if u is not None]


def _units_by_name(text: str, roster: Roster) -> list[Unit]:
    index = _index(roster)
    if index.names is None:
        return []
    return [index.by_key[k] for k in dict.fromkeys(index.names.findall(text_key(text)))]


def _pieces(report: FileReport, form: Form) -> list[tuple[Localized, str, str]]:
    """The file's other evidence: (what it is, in words; the text to search; how: code or name)."""
    pieces: list[tuple[Localized, str, str]] = []
    number = report.values.get(form.number_field) if form.number_field else None
    if isinstance(number, str) and number.strip():
        issuer = number.split("/", 1)[1] if "/" in number else number  # 45/BC-SYT → BC-SYT
        pieces.append((phrase("evidence.report_number", value=number), issuer, "code"))
    # The path within the folder read is one piece: a file named for its unit in a folder named
    # for another ("gui-SNV/STTTT.xlsx", sent to Home Affairs) agrees with its template.
    path = PurePosixPath(report.name)
    if path.parts:
        text = " ".join([*path.parts[:-1], path.stem])
        key = "evidence.path" if len(path.parts) > 1 else "evidence.file_name"
        pieces.append((phrase(key, value=report.name), text, "code"))
    identity = {form.roster_code, form.roster_name, form.number_field}
    for f in form.fields:
        value = report.values.get(f.code)
        if f.source == "input" and f.type == "text" and f.code not in identity and isinstance(value, str):
            pieces.append((phrase("evidence.signer", value=value), value, "name"))
    return pieces


def unit_conflict(report: FileReport, form: Form, roster: Roster | None) -> tuple[Issue, str] | None:
    """``unit-conflict`` and the other unit's code, when a piece of the file's other evidence
    names another roster unit and not the file's own; None when the evidence agrees, or there
    is no roster to tell."""
    if roster is None or not report.unit_code:
        return None
    own = roster.get(report.unit_code)
    if own is None:
        return None  # unit-unknown says what is wrong
    others: list[Unit] = []
    said: list[Localized] = []
    for what, text, how in _pieces(report, form):
        units = _units_by_code(text, roster) if how == "code" else _units_by_name(text, roster)
        if not units or own in units:
            continue
        said.append(what)
        others.extend(u for u in units if u not in others)
    if not others:
        return None
    other = others[0]
    joined = (phrase("evidence.and").render(lang).join(p.render(lang) for p in said) for lang in ("vi", "en"))
    evidence = Localized(*joined)
    f = form.field(form.roster_code)
    issue = make_issue(
        "unit-conflict",
        field=f.code,
        sheet=f.sheet,
        cell=f.cell,
        value=other.code,
        file=report.name,
        unit=own.code,
        unit_name=own.name,
        other=other.code,
        other_name=other.name,
        evidence=evidence,
        path=report.path,
    )
    return issue, other.code
