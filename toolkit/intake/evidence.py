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
from functools import lru_cache
from pathlib import PurePosixPath

from ..form import Form
from ..issues import FileReport, Issue, make_issue
from ..messages import Localized, phrase
from ..roster import Roster, Unit
from ..text import normalise_code, text_key

__all__ = ["unit_conflict"]


@lru_cache(maxsize=8)
def _code_pattern(codes: tuple[str, ...]) -> re.Pattern[str]:
    """Any roster code as a whole token (``SYT`` in ``BC-SYT`` or ``syt-phu-luc``, not in ``SYTE``)."""
    alternatives = "|".join(re.escape(c) for c in sorted(codes, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9])(?:{alternatives})(?![A-Za-z0-9])", re.IGNORECASE)


@lru_cache(maxsize=8)
def _name_pattern(keys: tuple[str, ...]) -> re.Pattern[str]:
    """Any roster name (compared by its text key: case, spaces and tone-mark style ignored) as
    whole words of a text key."""
    alternatives = "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def _units_by_code(text: str, roster: Roster) -> list[Unit]:
    found = _code_pattern(tuple(normalise_code(u.code) for u in roster.units)).findall(text)
    return [u for u in (roster.get(c) for c in dict.fromkeys(found)) if u is not None]


def _units_by_name(text: str, roster: Roster) -> list[Unit]:
    keys = {text_key(u.name): u for u in roster.units if u.name.strip()}
    return [keys[k] for k in dict.fromkeys(_name_pattern(tuple(keys)).findall(text_key(text)))]


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
