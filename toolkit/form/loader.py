"""Loading a form definition: a TOML text or a form workbook (.xlsx/.ods) → :class:`Form`.

Both are read into one neutral structure and checked by one builder (``toolkit.form.build``),
which names every problem at its TOML entry or its sheet!cell. :func:`check_form_file` returns
them all (``dv form check``); :func:`load_form_file` raises one :class:`FormError` listing them
(every ``--form``), so that next year's definition is put right before any workbook is made.
A definition that reuses the version of a form dv ships with other fields is refused: files of
both would carry the same version (docs/spec.md §10).
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..issues import ERROR, Issue, make_issue
from ..messages import Localized, os_error_text, phrase
from .build import build_form
from .errors import FormError
from .model import DEFAULT_FORM_ID, Form
from .where import Source, TomlSource

__all__ = ["FormCheck", "load_form", "load_form_file", "check_form_file", "read_definition", "available_forms"]

# Suffixes --form takes as a file rather than a form id.
FILE_SUFFIXES = (".toml", ".xlsx", ".xlsm", ".ods")
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"


@dataclass
class FormCheck:
    """What ``dv form check`` says of one definition: the form (None while a problem remains)
    and every problem, each at its entry or cell."""

    path: str
    kind: str  # "toml" or "book"
    form: Form | None
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == ERROR]

    @property
    def ok(self) -> bool:
        return self.form is not None and not self.errors

    def to_dict(self, lang: str = "vi") -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "kind": self.kind, "ok": self.ok}
        if self.form is not None:
            out["form"] = {"id": self.form.id, "version": self.form.version, "year": self.form.year}
            out["fingerprint"] = self.form.fingerprint
        out["issues"] = [{**i.to_dict(lang), "where": _where_of(i)} for i in self.issues]
        return out


def _where_of(issue: Issue) -> str:
    return issue.where or str(issue.message.split(": ", 1)[0])


def read_definition(path: str | Path) -> tuple[Any, Source, list[Issue]]:
    """The neutral structure of the definition in ``path``, its source (how its entries are
    named) and the problems of reading it (a workbook's unknown headings, misplaced rows).
    Raises :class:`FormError` for a file that cannot be read at all."""
    path = Path(path)
    try:
        head = path.read_bytes()[:8]
    except OSError as exc:
        raise FormError(phrase("def.unreadable", path=str(path), reason=os_error_text(exc))) from None
    if head.startswith(ZIP_MAGIC):
        from .book import read_book

        return read_book(path)
    if head.startswith(OLE_MAGIC):
        raise FormError(phrase("def.old_excel", path=str(path)))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FormError(phrase("def.unreadable", path=str(path), reason=os_error_text(exc))) from None
    except UnicodeDecodeError:
        raise FormError(phrase("def.not_text", path=str(path))) from None
    except tomllib.TOMLDecodeError as exc:
        raise FormError(phrase("def.not_toml", path=str(path), reason=str(exc))) from None
    return data, TomlSource(str(path), data), []


def check_form_file(path: str | Path, *, against_packaged: bool = True) -> FormCheck:
    """Every problem of the definition in ``path`` (raises :class:`FormError` only for a file
    that cannot be read). ``against_packaged``: also refuse the version of a form dv ships
    reused with other content."""
    data, source, issues = read_definition(path)
    form, problems = build_form(data, source, str(path))
    issues = [*issues, *problems]
    # A form with other problems is built without the entries they are in: compared with the
    # shipped one, it would seem to have dropped them (the problems are the news, not the version).
    if form is not None and against_packaged and not any(i.severity == ERROR for i in issues):
        issues += _version_clashes(form, source)
    return FormCheck(str(path), source.kind, None if any(i.severity == ERROR for i in issues) else form, issues)


def load_form_file(path: str | Path, *, against_packaged: bool = True) -> Form:
    """The form in ``path`` (TOML or form workbook); a :class:`FormError` listing every problem."""
    checked = check_form_file(path, against_packaged=against_packaged)
    if checked.form is None:
        raise problems_error(str(path), checked.issues)
    return checked.form


def problems_error(path: str, issues: Sequence[Issue]) -> FormError:
    errors = [i for i in issues if i.severity == ERROR]
    vi = "\n".join(f"  - {i.message}" for i in errors)
    en = "\n".join(f"  - {i.message_en}" for i in errors)
    listed = Localized(vi, en)
    return FormError(phrase("def.problems", path=path, count=len(errors), problems=listed), problems=errors)


def _version_clashes(form: Form, source: Source) -> list[Issue]:
    """The packaged form of the same id and version, if its fields or layout differ."""
    out = []
    for shipped in _packaged():
        if shipped.id != form.id or shipped.version != form.version or shipped.fingerprint == form.fingerprint:
            continue
        if shipped.path and form.path and Path(shipped.path).resolve() == Path(form.path).resolve():
            continue
        where, sheet, cell = source.locate(("form", "version"))
        out.append(
            make_issue(
                "def-version-unchanged",
                sheet=sheet,
                cell=cell,
                where=where,
                value=form.version,
                form=shipped.id,
                changes=_changes(shipped, form),
                example=f"{form.year}.{_next_minor(form.version)}",
            )
        )
    return out


def _next_minor(version: str) -> int:
    tail = version.rpartition(".")[2]
    return int(tail) + 1 if tail.isdigit() else 2


def _changes(old: Form, new: Form) -> Localized:
    """What differs between two forms of one version, in a few words."""
    before = {f.code: f for f in old.fields}
    after = {f.code: f for f in new.fields}
    parts = []
    added = [c for c in after if c not in before]
    dropped = [c for c in before if c not in after]
    relabelled = [c for c in after if c in before and after[c].label != before[c].label]
    moved = [c for c in after if c in before and (after[c].cell, after[c].type) != (before[c].cell, before[c].type)]
    for key, codes in (
        ("def.changes.added", added),
        ("def.changes.dropped", dropped),
        ("def.changes.relabelled", relabelled),
        ("def.changes.moved", moved),
    ):
        if codes:
            parts.append(phrase(key, codes=", ".join(codes[:6]) + (", …" if len(codes) > 6 else "")))
    if not parts:
        parts.append(phrase("def.changes.labels"))
    vi = "; ".join(p.render("vi") for p in parts)
    en = "; ".join(p.render("en") for p in parts)
    return Localized(vi, en)


def _packaged_paths() -> list[Path]:
    root = resources.files("workbook_templates")
    return sorted(Path(str(p)) for p in root.iterdir() if p.name.endswith(".toml"))


@lru_cache(maxsize=8)
def _packaged_file(path: Path) -> Form:
    return load_form_file(path, against_packaged=False)


def _packaged() -> tuple[Form, ...]:
    return tuple(_packaged_file(p) for p in _packaged_paths())


def _packaged_of(form_id: str) -> list[Form]:
    """The packaged forms of one id: the files named ``<id>-<year>.toml`` read first (a command
    loads only its own form, not every form dv ships); every file when none is so named."""
    import re

    named = [p for p in _packaged_paths() if re.fullmatch(rf"{re.escape(form_id)}-\d{{4}}", p.stem)]
    found = [f for f in map(_packaged_file, named) if f.id == form_id]
    return found or [f for f in _packaged() if f.id == form_id]


def available_forms() -> list[Form]:
    """The forms that ship with the package."""
    return list(_packaged())


def load_form(form: str | Path | None = None, year: int | None = None) -> Form:
    """A form by path (.toml, or a form workbook .xlsx/.ods), or by id (and year) among the
    packaged ones; the newest by default."""
    if form is not None and (Path(form).suffix.lower() in FILE_SUFFIXES or Path(form).is_file()):
        loaded = load_form_file(form)
        if year is not None and loaded.year != year:
            raise FormError(phrase("form.wrong_year", form=str(form), found=loaded.year, year=year))
        return loaded
    wanted = str(form or DEFAULT_FORM_ID)
    candidates = _packaged_of(wanted)
    if not candidates:
        known = sorted({f.id for f in available_forms()})
        raise FormError(phrase("form.no_such_form", form=wanted, known=", ".join(known)))
    if year is not None:
        match = [f for f in candidates if f.year == year]
        if not match:
            years = ", ".join(str(f.year) for f in candidates)
            raise FormError(phrase("form.no_such_year", form=wanted, year=year, known=years))
        candidates = match
    return max(candidates, key=lambda f: (f.year, f.version))
