"""``dv make-template``: which templates to build for which units, and where they go."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from .form import Form
from .fsutil import (
    OutputError,
    OutputSet,
    atomic_write,
    check_creatable,
    check_writable,
    folder_of,
    remove_stale_temporaries,
)
from .messages import DvError, os_error_text
from .roster import Roster, RosterError, read_roster
from .template import build_template, template_filename

__all__ = ["MakeResult", "make_templates"]


@dataclass(frozen=True)
class MakeResult:
    paths: tuple[Path, ...]
    folder: Path | None = None  # set when one template per unit was written
    warnings: tuple[DvError, ...] = ()  # the roster's (an encoding, a joined name), for the CLI to print
    removed: tuple[Path, ...] = ()  # temporaries a killed earlier run left in the output folder
    generic: int = 0  # of ``paths`` in a roster's folder, the generic templates (the dropdown one)


def make_templates(
    form: Form,
    *,
    output: Path | None = None,
    roster_path: Path | None = None,
    unit_code: str | None = None,
    force: bool = False,
    output_is_folder: bool = False,
    generic_only: bool = False,
) -> MakeResult:
    """Write the generic template, one unit's template, or one per unit of the roster.

    Every check (roster, unit, existing files, a folder that cannot be written) happens before
    the first byte is written, so a refused run leaves nothing behind. One template per unit
    is written as a set: every file to a temporary beside its target, then all renamed into
    place; a full disk on the way leaves none of them (and a new folder removed again).
    """
    roster: Roster | None = read_roster(roster_path) if roster_path else None
    notes = roster.warnings if roster else ()
    if unit_code and roster is None:
        raise RosterError("roster.needed")
    if unit_code:
        assert roster is not None
        unit = roster.require(unit_code)
        target = _single_target(output, template_filename(form, unit), output_is_folder)
        removed = _prepare(target, force)
        written = atomic_write(target, build_template(form, unit=unit), force=force)
        return MakeResult((written,), warnings=notes, removed=removed)
    if roster is None or generic_only:
        # Generic: the unit is typed, or picked from a dropdown of the roster when there is one.
        target = _single_target(output, template_filename(form), output_is_folder)
        removed = _prepare(target, force)
        written = atomic_write(target, build_template(form, roster=roster), force=force)
        return MakeResult((written,), warnings=notes, removed=removed)

    folder = output or Path(f"{form.id}-{form.year}")
    if folder.exists() and not folder.is_dir():
        raise OutputError("output.not_folder", path=str(folder))
    if not folder.exists() and folder.suffix.lower() in (".xlsx", ".xls", ".xlsm", ".ods"):
        raise OutputError("output.folder_suffix", path=str(folder))
    # The folder gets one personalised file per unit, plus the generic one whose unit is
    # picked from a dropdown of the same roster (for a unit added late).
    plan = [(folder / template_filename(form, u), u) for u in roster.units]
    plan.append((folder / template_filename(form), None))
    removed: tuple[Path, ...] = ()
    if folder.is_dir():  # a new folder holds nothing to overwrite
        removed = tuple(remove_stale_temporaries([folder]))
        for target, _ in plan:
            check_writable(target, force=force)
        check_creatable(plan[0][0], force=True)
    created = not folder.exists()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError("output.unwritable", path=str(folder), reason=os_error_text(exc)) from None
    try:
        with OutputSet(force=force) as outputs:
            for target, u in plan:
                outputs.add(target, build_template(form, unit=u, roster=roster))
            written = outputs.commit()
    except BaseException:
        if created:
            with contextlib.suppress(OSError):
                folder.rmdir()  # only when empty: nothing of ours, nothing of anyone's
        raise
    return MakeResult(tuple(written), folder, notes, removed, generic=sum(1 for _, u in plan if u is None))


def _prepare(target: Path, force: bool) -> tuple[Path, ...]:
    """Before building: leftovers of a killed run removed, the target creatable."""
    removed = tuple(remove_stale_temporaries([folder_of(target)]))
    check_creatable(target, force=force)
    return removed


def _single_target(output: Path | None, default_name: str, is_folder: bool = False) -> Path:
    """The file to write: ``output`` itself, or the default name inside a folder."""
    if output is None:
        return Path(default_name)
    if output.is_dir() or is_folder:
        if not output.exists():
            try:
                output.mkdir(parents=True)
            except OSError as exc:
                raise OutputError("output.unwritable", path=str(output), reason=os_error_text(exc)) from None
        return output / default_name
    if output.suffix.lower() != ".xlsx":
        raise OutputError("output.suffix", path=str(output), suffix=".xlsx")
    return output
