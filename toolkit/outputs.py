"""A round's outputs: the summary workbook, the JSON report and the Word appendix, decided,
built and written in one place. ``dv merge`` and the portal both call it.

- :func:`plan_merge`: where each output goes (a folder gets the default name), that none is
  named twice or is one of the units' workbooks, and that each can be created, all found
  before a single submission is read; and the inputs (an earlier run's own outputs inside the
  folder are not).
- :func:`merge_outputs`: the outputs' bytes from a merge result (and last year's comparison).
- :func:`write_outputs`: all of them put in place together, or none (``toolkit.fsutil``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .fsutil import OutputSet, check_creatable, folder_of, remove_stale_temporaries
from .messages import DvError

if TYPE_CHECKING:
    from .form import Form
    from .merger import MergeResult
    from .previous import Comparison

__all__ = ["MergeOutputs", "MergePlan", "RollUpPlan", "merge_outputs", "plan_merge", "plan_rollup", "write_outputs"]


@dataclass(frozen=True)
class MergePlan:
    """Where a merge writes (``summary``, and ``json``, ``docx`` if asked for), what it reads,
    and the temporaries of a killed earlier run that were removed on the way."""

    summary: Path
    json: Path | None
    docx: Path | None
    inputs: tuple[Path, ...]
    removed: tuple[Path, ...] = ()

    @property
    def targets(self) -> list[Path]:
        return [p for p in (self.summary, self.json, self.docx) if p is not None]


@dataclass(frozen=True)
class MergeOutputs:
    summary: bytes
    json: bytes | None = None
    docx: bytes | None = None


def plan_merge(
    folder: Path,
    form: Form,
    *,
    output: Path | None = None,
    json: Path | None = None,
    docx: Path | None = None,
    force: bool = False,
    use: Sequence[str] = (),
) -> MergePlan:
    """The outputs of ``dv merge FOLDER`` and its inputs; a :class:`~toolkit.messages.DvError`
    for anything that would stop the writing, before anything is read (an officer's choice
    ``--use`` naming no file at all, too)."""
    from .intake.folder import expand_paths
    from .summary import summary_filename

    _check_round(folder, use)
    if docx is not None and form.report is None:
        raise DvError("docx.no_report", form=form.id)
    summary = output or Path(summary_filename(form))
    if summary.is_dir():
        summary = summary / summary_filename(form)
    if docx is not None and docx.is_dir():
        from .appendix_docx import appendix_filename

        docx = docx / appendix_filename(form)
    if summary.suffix.lower() != ".xlsx":
        raise DvError("output.suffix", path=summary, suffix=".xlsx")
    if docx is not None and docx.suffix.lower() != ".docx":
        raise DvError("output.suffix", path=docx, suffix=".docx")
    named = [(p, option) for p, option in ((summary, "-o"), (json, "--json"), (docx, "--docx")) if p is not None]
    if len({p.resolve() for p, _ in named}) < len(named):
        raise DvError("output.twice")
    removed = remove_stale_temporaries(folder_of(p) for p, _ in named)
    inputs, _ = expand_paths([folder])
    for target, option in named:
        if target.resolve() in {p.resolve() for p in inputs}:
            # An output of an earlier run inside the folder (our summary, JSON or Word
            # appendix) is not an input of this one; a unit's workbook is never overwritten.
            if not _is_own_output(target):
                raise DvError("output.is_input", path=target, option=option)
            inputs = [p for p in inputs if p.resolve() != target.resolve()]
        # Every output can be created (a read-only folder…): found before reading anything.
        check_creatable(target, force=force)
    if not inputs:
        raise DvError("check.no_files")
    return MergePlan(summary, json, docx, tuple(inputs), tuple(removed))


@dataclass(frozen=True)
class RollUpPlan:
    """Where ``dv roll-up`` writes, the template it fills and what it reads."""

    output: Path
    template: Path
    inputs: tuple[Path, ...]
    removed: tuple[Path, ...] = ()


def _check_round(folder: Path, use: Sequence[str]) -> None:
    """The folder of a round exists and is a folder; each ``--use`` could name a file in it."""
    if not folder.exists():
        raise DvError("check.missing_path", path=folder)
    if not folder.is_dir():
        raise DvError("merge.not_a_folder", path=folder)
    for choice in use:
        if not _could_name_a_file(choice):
            raise DvError("merge.use_missing", value=choice)


def plan_rollup(
    folder: Path, template: Path, *, output: Path | None = None, force: bool = False, use: Sequence[str] = ()
) -> RollUpPlan:
    """The output of ``dv roll-up FOLDER --to TEMPLATE`` and its inputs, every refusal found
    before anything is read: the folder, the choices, the output (never the template, never
    inside the folder read: it would be read as a submission next time; creatable)."""
    from .intake.folder import expand_paths
    from .rollup import rollup_filename

    _check_round(folder, use)
    if not template.is_file():
        raise DvError("rollup.template_missing", path=template)
    target = output or Path(rollup_filename(template))
    if target.is_dir():
        target = target / rollup_filename(template)
    if target.suffix.lower() != ".xlsx":
        raise DvError("output.suffix", path=target, suffix=".xlsx")
    if target.resolve() == template.resolve():
        raise DvError("output.is_input", path=target, option="-o")
    if folder.resolve() in target.resolve().parents:
        raise DvError("rollup.output_is_input", path=target)
    removed = remove_stale_temporaries([folder_of(target)])
    check_creatable(target, force=force)
    inputs, _ = expand_paths([folder])
    if not inputs:
        raise DvError("check.no_files")
    return RollUpPlan(target, template, tuple(inputs), tuple(removed))


def _could_name_a_file(choice: str) -> bool:
    """Whether ``--use CHOICE`` can name a submission: a SHA-256 (12 hex digits or more), an
    existing file, or a member of an existing archive (``nop/thu.zip/SXD.xlsx``)."""
    import re

    if re.fullmatch(r"[0-9a-fA-F]{12,64}", choice.strip()):
        return True
    path = Path(choice)
    return path.is_file() or any(p.is_file() and p.suffix.lower() == ".zip" for p in path.parents)


def _is_own_output(path: Path) -> bool:
    """A summary dv merge wrote, or any file that is not a workbook (dv reads none as input)."""
    from .intake.sniff import READABLE, sniff
    from .summary import is_summary

    try:
        return sniff(path).kind not in READABLE or is_summary(path)
    except OSError:
        return False


def merge_outputs(
    result: MergeResult,
    comparison: Comparison | None = None,
    *,
    json: bool = False,
    docx: bool = False,
    lang: str = "vi",
) -> MergeOutputs:
    """The outputs of a merge, as bytes: the summary always, the JSON and the Word appendix
    when asked for."""
    from .summary import TextTooLong, build_summary

    try:
        summary = build_summary(result, comparison)
    except TextTooLong as exc:
        raise DvError("merge.text_too_long", where=str(exc)) from None
    appendix = None
    if docx:
        from .appendix_docx import build_appendix_docx

        appendix = build_appendix_docx(result, comparison)
    return MergeOutputs(summary, result.json_bytes(lang, comparison) if json else None, appendix)


def write_outputs(plan: MergePlan, outputs: MergeOutputs, *, force: bool = False) -> list[Path]:
    """Every output written to a temporary file first, then all put in place together: the
    summary, JSON and Word appendix on disk are always of one run."""
    with OutputSet(force=force) as staged:
        pairs: list[tuple[Path | None, Any]] = [
            (plan.summary, outputs.summary),
            (plan.json, outputs.json),
            (plan.docx, outputs.docx),
        ]
        for path, data in pairs:
            if path is not None and data is not None:
                staged.add(path, data)
        return staged.commit()
