"""The portal's work on uploaded files, always in worker processes (never in the server
process): checking an upload, writing its annotated copy, building the summary from the files
that count. The pool is ``dv check``'s (:class:`~toolkit.intake.workers.WorkerPool`): a job
whose worker dies, or runs past its timeout, costs that job alone, which gets that as its
error, as in ``dv check``."""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import threading
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

__all__ = ["HEAVY", "Busy", "Checker", "Outputs"]


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


def roll_up_round(reports: list[FileReport], use: list[str], template: str, partial: bool) -> tuple[Any, Any]:
    """``dv roll-up`` on the portal's round (every upload, as the board decides it): the filled
    template's bytes, or why not in both languages (the same library call as the command)."""
    from ..merger import merge_reports
    from ..messages import DvError
    from ..rollup import roll_up

    form, roster = worker_context()
    result = merge_reports(reports, form, roster, use=use, by_arrival=True)
    try:
        made = roll_up(result, template, partial=partial)
    except DvError as exc:
        return None, {"vi": exc.render("vi"), "en": exc.render("en")}
    return made.data, None


# -- the pool, in the server ---------------------------------------------------------------------

HEAVY = "heavy"  # the pool's lane for downloads made on request (annotated copies, summaries)
OFFICER = ""  # the heavy lane's requester for the officer's pages (a unit is its code)


class Busy(Exception):
    """Too many heavy jobs wait already: the request is refused with a page saying to try again."""


class Checker:
    """The server's worker processes (spawned: the server has threads of its own, and Windows
    has nothing else), one job at a time each, each job with a timeout. Checking an upload
    comes first: downloads made on request (the annotated copy, the summary) run in the
    ``heavy`` lane, on at most ``jobs - 1`` workers (one worker with ``jobs=1``), and at most
    ``heavy_queue`` of them wait or run at once, at most ``heavy_share`` of them for one unit's
    link: a unit asking for many copies at once fills its own share, never the lane the other
    units and the officer (trusted, behind a login: no share of their own) need."""

    def __init__(
        self,
        form: Form,
        roster: Roster | None,
        *,
        jobs: int = 2,
        timeout: float = 30.0,
        heavy_timeout: float = 120.0,
        heavy_queue: int | None = None,
        heavy_share: int | None = None,
        memory_limit: int = MEMORY_LIMIT,
    ) -> None:
        self.form, self.timeout, self.heavy_timeout = form, timeout, heavy_timeout
        self.heavy_queue = heavy_queue or 4 * max(1, jobs)
        self.heavy_share = heavy_share or max(1, self.heavy_queue // 4)
        self.heavy_now = 0
        self.heavy_by: dict[str, int] = {}  # requester → heavy jobs waiting or running
        self._lock = threading.Lock()
        lanes = {HEAVY: max(1, jobs - 1)}
        self.pool = WorkerPool(
            form, roster, jobs=jobs, memory_limit=memory_limit, start_method="spawn", depth=1, lanes=lanes
        )

    def close(self) -> None:
        self.pool.close(kill=True)

    def submit(
        self, fn: Any, *args: Any, timeout: float | None = None, lane: str | None = None, owner: str = OFFICER
    ) -> cf.Future:
        """``owner``: who asked (a unit's code, or :data:`OFFICER`), for the heavy lane's shares."""
        if lane != HEAVY:
            return self.pool.submit(fn, *args, timeout=timeout or self.timeout)
        with self._lock:
            if self.heavy_now >= self.heavy_queue or (
                owner != OFFICER and self.heavy_by.get(owner, 0) >= self.heavy_share
            ):
                raise Busy
            self.heavy_now += 1
            self.heavy_by[owner] = self.heavy_by.get(owner, 0) + 1
        try:
            future = self.pool.submit(fn, *args, timeout=timeout or self.heavy_timeout, lane=HEAVY)
        except BaseException:
            self._heavy_done(owner)
            raise
        future.add_done_callback(lambda _f: self._heavy_done(owner))
        return future

    def _heavy_done(self, owner: str) -> None:
        with self._lock:
            self.heavy_now -= 1
            self.heavy_by[owner] -= 1
            if not self.heavy_by[owner]:
                del self.heavy_by[owner]

    def run(
        self, fn: Any, *args: Any, timeout: float | None = None, lane: str | None = None, owner: str = OFFICER
    ) -> Any:
        """``fn(*args)`` in a worker; raises :class:`JobFailed` or :class:`JobError` (and
        :class:`Busy` in the heavy lane)."""
        return self.submit(fn, *args, timeout=timeout, lane=lane, owner=owner).result()

    async def arun(
        self, fn: Any, *args: Any, timeout: float | None = None, lane: str | None = None, owner: str = OFFICER
    ) -> Any:
        """:meth:`run` for the event loop: no thread waits for the worker. A request that ends
        meanwhile does not cancel the job (its result may be kept for the next one)."""
        future = self.submit(fn, *args, timeout=timeout, lane=lane, owner=owner)
        return await asyncio.shield(asyncio.wrap_future(future))

    def _failed(self, exc: Exception, stored: Path, name: str) -> FileReport:
        timed_out = isinstance(exc, JobFailed) and exc.why == "timeout"
        reason = phrase("reason.timeout", seconds=int(self.timeout)) if timed_out else phrase("reason.crashed")
        return crashed_report(FileReport(path=name), stored, reason)

    def check(self, stored: Path, name: str, unit_code: str) -> FileReport:
        """``check_upload`` in a worker, from a thread (the officer's re-check)."""
        try:
            return self.run(check_upload, str(stored), name, unit_code)
        except (JobFailed, JobError) as exc:
            return self._failed(exc, stored, name)

    async def acheck(self, stored: Path, name: str, unit_code: str) -> FileReport:
        """``check_upload`` in a worker, for an upload: a file the reader dies on or runs out
        of time on is that file's ``file-unreadable``, as in ``dv check``."""
        try:
            return await self.arun(check_upload, str(stored), name, unit_code)
        except (JobFailed, JobError) as exc:
            return self._failed(exc, stored, name)

    async def annotated(self, stored: Path, report: FileReport, lang: str, owner: str = OFFICER) -> bytes | None:
        """The annotated copy (None: the file has nothing to annotate); raises
        :class:`JobFailed`/:class:`JobError` when it could not be made, :class:`Busy`."""
        return await self.arun(annotated, str(stored), report, lang, lane=HEAVY, owner=owner)

    async def roll_up(self, reports: list[FileReport], use: list[str], template: Path, partial: bool) -> Any:
        """:func:`roll_up_round` in the heavy lane; raises :class:`JobFailed`/:class:`JobError`."""
        timeout = max(self.heavy_timeout, 300.0)
        return await self.arun(roll_up_round, reports, use, str(template), partial, timeout=timeout, lane=HEAVY)

    def merge_folder(self, folder: Path, lang: str) -> Outputs | None:
        try:
            return self.run(merge_folder, str(folder), lang, timeout=max(self.heavy_timeout, 300.0), lane=HEAVY)
        except (JobFailed, JobError):
            return None
