"""The portal's work on uploaded files, always in worker processes (never in the server
process): checking an upload, writing its annotated copy, building the summary from the files
that count. The pool is ``dv check``'s (:class:`~toolkit.intake.workers.WorkerPool`): a job
whose worker dies, or runs past its timeout, costs that job alone, which gets that as its
error, as in ``dv check``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..form import Form
from ..intake import check_file
from ..intake.archive import Member
from ..intake.folder import expand_paths
from ..intake.sniff import ignore_reason, kind_text, sniff
from ..intake.workers import MEMORY_LIMIT, JobError, JobFailed, WorkerPool, crashed_report, worker_context
from ..issues import FileReport, Status, make_issue
from ..messages import phrase
from ..roster import Roster
from ..text import normalise_code

__all__ = ["Checker", "Outputs"]


# -- what runs in a worker -----------------------------------------------------------------------


def check_upload(stored: str, name: str, unit_code: str) -> FileReport:
    """``dv check`` on the stored copy of an upload, named as the clerk named it, plus the
    portal's one rule: the file is the report of the unit whose link sent it."""
    from ..fsutil import sha256_of

    path = Path(stored)
    form, roster = worker_context()
    if (ignored := ignore_reason(Path(name))) is not None:
        report = FileReport(path=name, sha256=sha256_of(path), status=Status.IGNORED)
        report.issues.append(make_issue("file-ignored", file=name, reason=ignored))
        return report
    if sniff(path).kind == "zip":  # an archive: one workbook per upload
        report = FileReport(path=name, sha256=sha256_of(path))
        report.issues.append(make_issue("file-not-workbook", file=name, kind=kind_text("zip")))
        return report
    report = check_file(path, form, roster, member=Member(copy=path, path=name, name=name), submitted=True)
    if (
        report.unit_code
        and report.status != Status.IGNORED
        and normalise_code(report.unit_code) != normalise_code(unit_code)
    ):
        field = form.field(form.roster_code)
        report.issues.append(
            make_issue(
                "unit-wrong-link",
                field=field.code,
                sheet=field.sheet,
                cell=field.cell,
                value=report.unit_code,
                file=name,
                expected=unit_code,
            )
        )
        report.status = Status.REJECTED
    return report


def annotated(stored: str, report: FileReport, lang: str) -> bytes | None:
    from ..annotate import annotated_bytes

    return annotated_bytes(report, Path(stored), lang=lang)


@dataclass
class Outputs:
    """The officer's downloads, from ``dv merge`` on the folder of files that count."""

    summary: bytes
    json: bytes
    docx: bytes | None


def merge_folder(folder: str, lang: str) -> Outputs:
    """What ``dv merge FOLDER --units ROSTER --json --docx`` writes, as bytes: the same library
    calls on the same files (each checked by ``check_file``, as dv merge's workers do)."""
    from ..merger import merge_reports
    from ..outputs import merge_outputs

    form, roster = worker_context()
    paths, _ = expand_paths([folder])
    result = merge_reports([check_file(p, form, roster) for p in paths], form, roster)
    built = merge_outputs(result, json=True, docx=form.report is not None, lang=lang)
    return Outputs(built.summary, built.json or b"", built.docx)


# -- the pool, in the server ---------------------------------------------------------------------


class Checker:
    """The server's worker processes (spawned: the server has threads of its own, and Windows
    has nothing else), one job at a time each, each job with a timeout."""

    def __init__(
        self,
        form: Form,
        roster: Roster | None,
        *,
        jobs: int = 2,
        timeout: float = 30.0,
        memory_limit: int = MEMORY_LIMIT,
    ) -> None:
        self.form, self.timeout = form, timeout
        self.pool = WorkerPool(form, roster, jobs=jobs, memory_limit=memory_limit, start_method="spawn", depth=1)

    def close(self) -> None:
        self.pool.close(kill=True)

    def run(self, fn: Any, *args: Any, timeout: float | None = None) -> Any:
        """``fn(*args)`` in a worker; raises :class:`JobFailed` or :class:`JobError`."""
        return self.pool.submit(fn, *args, timeout=timeout or self.timeout).result()

    def check(self, stored: Path, name: str, unit_code: str) -> FileReport:
        try:
            return self.run(check_upload, str(stored), name, unit_code)
        except (JobFailed, JobError) as exc:
            timed_out = isinstance(exc, JobFailed) and exc.why == "timeout"
            reason = phrase("reason.timeout", seconds=int(self.timeout)) if timed_out else phrase("reason.crashed")
            return crashed_report(FileReport(path=name), stored, reason)

    def annotated(self, stored: Path, report: FileReport, lang: str) -> bytes | None:
        try:
            return self.run(annotated, str(stored), report, lang)
        except (JobFailed, JobError):
            return None

    def merge_folder(self, folder: Path, lang: str) -> Outputs | None:
        try:
            return self.run(merge_folder, str(folder), lang, timeout=max(self.timeout, 300.0))
        except (JobFailed, JobError):
            return None
