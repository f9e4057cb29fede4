"""The portal's work on uploaded files, always in worker processes (never in the server
process): checking an upload, writing its annotated copy, building the summary from the files
that count. A worker that dies on a file, or takes longer than the timeout, is replaced; the
file gets that as its error, as in ``dv check``."""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..form import Form
from ..fsutil import sha256_of
from ..intake import check_file
from ..intake.archive import Member
from ..intake.check import MEMORY_LIMIT, expand_paths
from ..intake.check import _worker_form as _form
from ..intake.sniff import KIND_TEXT, ignore_reason, sniff
from ..issues import FileReport, make_issue
from ..messages import t
from ..roster import Roster
from ..text import normalise_code

__all__ = ["Checker", "Outputs"]


# -- what runs in a worker -----------------------------------------------------------------------


# Not check._worker_init: its die-with-parent uses PR_SET_PDEATHSIG, which fires when the
# *thread* that started the worker ends, and the portal starts its workers from anyio's worker
# threads, which end after a few idle seconds -- every pool would be killed under the server.
def _init(memory_limit: int) -> None:
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = memory_limit if hard == resource.RLIM_INFINITY else min(memory_limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    import faulthandler

    faulthandler.disable()
    with contextlib.suppress(OSError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
    from ..intake.readers import assert_defused

    assert_defused()


def check_upload(stored: str, name: str, form_path: str, roster: Roster | None, unit_code: str) -> FileReport:
    """``dv check`` on the stored copy of an upload, named as the clerk named it, plus the
    portal's one rule: the file is the report of the unit whose link sent it."""
    path, form = Path(stored), _form(form_path)
    if (ignored := ignore_reason(Path(name))) is not None:
        report = FileReport(path=name, sha256=sha256_of(path), status="ignored")
        report.issues.append(make_issue("file-ignored", file=name, reason_vi=ignored[0], reason_en=ignored[1]))
        return report
    if sniff(path).kind == "zip":  # an archive: one workbook per upload
        report = FileReport(path=name, sha256=sha256_of(path))
        vi, en = KIND_TEXT["zip"]
        report.issues.append(make_issue("file-not-workbook", file=name, kind_vi=vi, kind_en=en))
        return report
    report = check_file(path, form, roster, member=Member(copy=path, path=name, name=name))
    if (
        report.unit_code
        and report.status != "ignored"
        and normalise_code(report.unit_code) != normalise_code(unit_code)
    ):
        field = form.field(form.roster_code)
        report.issues.append(make_issue("unit-wrong-link", field=field.code, sheet=field.sheet, cell=field.cell,
                                        value=report.unit_code, file=name, expected=unit_code))  # fmt: skip
        report.status = "rejected"
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


def merge_folder(folder: str, form_path: str, roster: Roster | None, lang: str) -> Outputs:
    """What ``dv merge FOLDER --units ROSTER --json --docx`` writes, as bytes: the same library
    calls on the same files (each checked by ``check_file``, as dv merge's workers do)."""
    from ..appendix_docx import build_appendix_docx
    from ..merger import merge_reports
    from ..summary import build_summary

    form = _form(form_path)
    paths, _ = expand_paths([folder])
    result = merge_reports([check_file(p, form, roster) for p in paths], form, roster)
    docx = build_appendix_docx(result) if form.report is not None else None
    return Outputs(build_summary(result), result.json_bytes(lang), docx)


def _crashed(name: str, stored: str, why: str) -> FileReport:
    report = FileReport(path=name)
    with contextlib.suppress(OSError):
        report.sha256 = sha256_of(Path(stored))
    vi, en = t(why[0], "vi", **why[1]), t(why[0], "en", **why[1])
    report.issues.append(make_issue("file-unreadable", file=name, reason=vi, reason_en=en))
    return report


# -- the pool, in the server ---------------------------------------------------------------------


class Checker:
    """A small pool of worker processes; each job has a timeout. A job whose worker dies is
    tried once more alone; a job that times out has its worker killed."""

    def __init__(self, form: Form, roster: Roster | None, *, jobs: int = 2, timeout: float = 30.0,
                 memory_limit: int = MEMORY_LIMIT) -> None:  # fmt: skip
        self.form, self.roster, self.jobs, self.timeout, self.memory_limit = form, roster, jobs, timeout, memory_limit
        self._lock = threading.Lock()
        self._pool: cf.ProcessPoolExecutor | None = None

    def _new_pool(self, jobs: int) -> cf.ProcessPoolExecutor:
        # spawn: the server has threads, and Windows has nothing else.
        return cf.ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"), initializer=_init,
                                      initargs=(self.memory_limit,))  # fmt: skip

    def _shared(self) -> cf.ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = self._new_pool(self.jobs)
            return self._pool

    def _discard(self, pool: cf.ProcessPoolExecutor, kill: bool) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        if kill:
            for proc in list(getattr(pool, "_processes", {}).values()):
                with contextlib.suppress(Exception):
                    proc.kill()
        pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            for proc in list(getattr(pool, "_processes", {}).values()):
                with contextlib.suppress(Exception):
                    proc.kill()
            pool.shutdown(wait=True, cancel_futures=True)

    def run(
        self, fn: Callable[..., Any], *args: Any, on_fail: Callable[[str], Any], timeout: float | None = None
    ) -> Any:
        """``fn(*args)`` in a worker. A dead worker: tried once alone, then ``on_fail("crashed")``;
        too slow: the worker is killed and ``on_fail("timeout")``."""
        timeout = timeout or self.timeout
        pool = self._shared()
        try:
            return pool.submit(fn, *args).result(timeout=timeout)
        except cf.TimeoutError:
            self._discard(pool, kill=True)
            return on_fail("timeout")
        except (BrokenProcessPool, RuntimeError):  # died, or shut down by another thread meanwhile
            self._discard(pool, kill=False)
        alone = self._new_pool(1)
        try:
            return alone.submit(fn, *args).result(timeout=timeout)
        except cf.TimeoutError:
            return on_fail("timeout")
        except BrokenProcessPool:
            return on_fail("crashed")
        finally:
            for proc in list(getattr(alone, "_processes", {}).values()):
                with contextlib.suppress(Exception):
                    proc.kill()
            alone.shutdown(wait=False, cancel_futures=True)

    def check(self, stored: Path, name: str, unit_code: str) -> FileReport:
        def failed(why: str) -> FileReport:
            reason = ("timeout", {"seconds": int(self.timeout)}) if why == "timeout" else ("crashed", {})
            return _crashed(name, str(stored), reason)

        return self.run(check_upload, str(stored), name, str(self.form.path), self.roster, unit_code, on_fail=failed)

    def annotated(self, stored: Path, report: FileReport, lang: str) -> bytes | None:
        return self.run(annotated, str(stored), report, lang, on_fail=lambda _why: None)

    def merge_folder(self, folder: Path, lang: str) -> Outputs | None:
        return self.run(merge_folder, str(folder), str(self.form.path), self.roster, lang, on_fail=lambda _why: None,
                        timeout=max(self.timeout, 300.0))  # fmt: skip
