"""Worker processes: the one pool that reads files for ``dv check``, ``dv merge`` and the portal.

A file is read in a worker process with a memory cap, so that a file which makes a parser abort
or exhaust memory (python-calamine on a sheet claiming XFD1048576) is that file's error, never
the end of the run or of the server. :class:`WorkerPool` is that pool: jobs are submitted from
any thread and come back as futures; one thread of the pool owns the workers.

- **A crash costs one file.** A worker that ends itself on a job (a parser aborting, the memory
  cap reached) fails that job as ``crashed``; a worker killed from outside (the system short of
  memory, an administrator) has its job tried again alone in a new worker, ``crashed`` if that
  one dies too. Jobs sent ahead to a dead worker go back to the queue; the other workers never
  stop.
- **A timeout counts a job's own work** (from when its worker starts it, not while it waits in
  the queue) and kills only that job's worker.
- **Lanes keep the quick jobs quick.** A job submitted in a lane (the portal's annotated copies
  and summaries: ``lane="heavy"``) runs on at most the lane's share of the workers, and only
  when no job outside a lane waits: a clerk's upload never queues behind another unit's heavy
  download. A job whose future was cancelled before it started is never run.
- **Workers die with the process that owns them**, whatever kills it (SIGKILL included): on
  Linux the kernel kills a worker when the thread that started it ends (``PR_SET_PDEATHSIG``),
  and that thread is the pool's own, which lives as long as the pool; everywhere, a thread in
  each worker waits on the pipe from the parent and ends the worker at its end of file.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import itertools
import os
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..form import Form, load_form_file
from ..fsutil import sha256_of
from ..issues import FileReport
from ..roster import Roster
from .archive import Member, is_archive, open_archive
from .check import check_file, new_report
from .sniff import READABLE, ignore_reason, sniff

__all__ = ["MEMORY_LIMIT", "JobFailed", "WorkerPool", "check_files", "worker_context", "crashed_report"]

MEMORY_LIMIT = 2 * 1024 * 1024 * 1024  # per worker: far above a real appendix (~50 MB)

# Modules every worker needs, imported by the parent before it forks its workers rather than by
# each worker: a worker started after a crash is ready in milliseconds.
PRELOAD = (
    "toolkit.intake.readers",
    "toolkit.intake.safety",
    "toolkit.intake.validate",
    "toolkit.intake.sniff",
    "python_calamine",
    "defusedxml.ElementTree",
)


class JobFailed(Exception):
    """A job whose worker died on it (``why`` = "crashed") or ran past its timeout ("timeout"),
    or that the pool dropped when it was closed ("closed")."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


class JobError(Exception):
    """A job that raised in its worker: the exception's type and text."""


# -- in the worker ---------------------------------------------------------------------------------

# What every job of a pool works with (the form, the roster), set once per worker by the pool:
# inherited from the parent on fork, loaded from the form's path on spawn (Windows, macOS, the
# portal's server).
_FORMS: dict[str, Form] = {}
_CONTEXT: dict[str, Any] = {}


def _set_context(form_path: str, roster: Roster | None) -> None:
    form = _FORMS.get(form_path)
    if form is None:
        form = _FORMS[form_path] = load_form_file(form_path)
    _CONTEXT.update(form=form, roster=roster)


def worker_context() -> tuple[Form, Roster | None]:
    """The form and roster of the pool this worker belongs to."""
    return _CONTEXT["form"], _CONTEXT["roster"]


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent() -> None:
    import multiprocessing
    import signal
    import sys

    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    parent = multiprocessing.parent_process()
    if parent is None:  # pragma: no cover - not started by multiprocessing
        return
    from multiprocessing.connection import wait

    sentinel = parent.sentinel
    if wait([sentinel], timeout=0):  # the parent died before the worker got here
        os._exit(1)

    def watch() -> None:
        wait([sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="dv-parent-watchdog", daemon=True).start()


def _worker_init(memory_limit: int) -> None:
    import signal

    _die_with_parent()
    # Ctrl+C reaches the whole process group: the parent decides, and ends its workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import resource

        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = memory_limit if hard == resource.RLIM_INFINITY else min(memory_limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):  # pragma: no cover - not on POSIX
        pass
    # A parser that aborts (python-calamine on a huge sheet) writes to stderr as it dies: the
    # death is reported as that file's issue, so the noise is not the user's to read. The
    # streams are new objects: a forked worker never waits on a lock the parent's progress bar
    # held when it forked, and a library's warning has nowhere to go.
    import faulthandler
    import sys
    import warnings

    faulthandler.disable()
    warnings.simplefilter("ignore")
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.dup2(devnull, 1)
        sys.stdout = sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    from .readers import assert_defused

    assert_defused()


def _worker_main(conn: Any, memory_limit: int, form_path: str, roster: Roster | None) -> None:
    _worker_init(memory_limit)
    _set_context(form_path, roster)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        job_id, fn, args = message
        try:
            reply = (job_id, True, fn(*args))
        except Exception as exc:  # noqa: BLE001 - the job's failure is its caller's to report
            reply = (job_id, False, f"{type(exc).__name__}: {exc}"[:500])
        conn.send(reply)


# -- the pool, in the parent -----------------------------------------------------------------------


@dataclass(eq=False)
class _Job:
    id: int
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    timeout: float | None
    lane: str | None = None
    future: cf.Future = field(default_factory=cf.Future)


class _Worker:
    def __init__(self, ctx: Any, memory_limit: int, form_path: str, roster: Roster | None) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, memory_limit, form_path, roster), daemon=True)
        self.process.start()
        child.close()
        self.sent: deque[_Job] = deque()  # jobs sent and not yet answered, in the order sent
        self.head_since: float | None = None  # when the worker started the first of them
        self.alone = False  # on a job that killed a worker, and nothing else

    def send(self, job: _Job) -> None:
        if not self.sent:
            self.head_since = time.monotonic()
        self.sent.append(job)
        with contextlib.suppress(OSError):  # died before it got the job: the death is seen next
            self.conn.send((job.id, job.fn, job.args))

    def stop(self, *, kill: bool) -> None:
        with contextlib.suppress(OSError):
            if not kill:
                self.conn.send(None)
            self.conn.close()
        if kill:
            with contextlib.suppress(OSError, ValueError):
                self.process.kill()
        self.process.join(timeout=None if kill else 5)
        if self.process.is_alive():  # pragma: no cover - a worker stuck in a parser
            self.process.kill()
            self.process.join()


def _own_death(exitcode: int | None) -> bool:
    """The worker ended itself on the job it was doing (a parser aborting, a memory cap reached,
    a crash): that job failed, with no need to try it again. Killed from outside (SIGKILL,
    SIGTERM: the system short of memory, an administrator), the job is tried again alone."""
    import signal

    own = {getattr(signal, n) for n in ("SIGABRT", "SIGSEGV", "SIGBUS", "SIGILL", "SIGFPE") if hasattr(signal, n)}
    return exitcode is not None and (exitcode > 0 or -exitcode in own)


def _context(start_method: str | None) -> Any:
    import importlib
    import multiprocessing
    import sys

    if start_method is None:
        start_method = "fork" if sys.platform.startswith("linux") else None
    if start_method != "fork":
        return multiprocessing.get_context(start_method)  # spawn: each worker imports for itself
    for module in PRELOAD:
        importlib.import_module(module)
    # fork: no new interpreter to start (nor to find: dv may run where it cannot exec one). A
    # worker never touches the parent's streams or its threads' locks (see _worker_init).
    return multiprocessing.get_context("fork")


class WorkerPool:
    """Worker processes doing jobs (module-level functions and picklable arguments) for any
    thread: :meth:`submit` returns a future. ``depth`` jobs are sent ahead to each worker (2 for
    a batch, so that a worker never waits for the parent between files; 1 where jobs of very
    different sizes share the pool and none may wait behind another). Every worker works with
    ``form`` and ``roster`` (:func:`worker_context`). ``start_method``: "fork" (Linux's default
    here), or "spawn" (Windows, macOS, and a server with threads of its own). ``lanes``: how
    many workers at most may run the jobs of each lane at once (a lane's jobs go to idle
    workers only, after every job outside a lane)."""

    def __init__(
        self,
        form: Form,
        roster: Roster | None = None,
        *,
        jobs: int = 2,
        memory_limit: int = MEMORY_LIMIT,
        start_method: str | None = None,
        depth: int = 2,
        lanes: dict[str, int] | None = None,
    ) -> None:
        self.form, self.roster, self.jobs = form, roster, max(1, jobs)
        self.lanes = {name: max(1, share) for name, share in (lanes or {}).items()}
        self.memory_limit, self.depth = memory_limit, max(1, depth)
        self._ctx = _context(start_method)
        self._lock = threading.Lock()
        self._inbox: deque[_Job] = deque()
        self._ids = itertools.count()
        self._closing: bool | None = None  # None: open; False: closing when idle; True: kill now
        self._thread: threading.Thread | None = None
        self._wake_r, self._wake_w = self._ctx.Pipe(duplex=False)
        self.started = 0  # worker processes started so far

    # -- the callers' side ---------------------------------------------------------------------
    def submit(
        self, fn: Callable[..., Any], *args: Any, timeout: float | None = None, lane: str | None = None
    ) -> cf.Future:
        """Run ``fn(*args)`` in a worker. The future's result is the job's; its exception is
        :class:`JobFailed` (crashed, timeout, closed) or :class:`JobError` (the job raised).
        ``lane``: one of the pool's lanes (see the class), or None."""
        if lane is not None and lane not in self.lanes:
            raise ValueError(f"no lane {lane!r} in this pool")
        job = _Job(next(self._ids), fn, args, timeout, lane)
        with self._lock:
            if self._closing is not None:
                raise RuntimeError("the pool is closed")
            self._inbox.append(job)
            if self._thread is None:
                if self._ctx.get_start_method() == "fork":
                    _FORMS[self.form.path] = self.form  # inherited by every worker
                self._thread = threading.Thread(target=self._run, name="dv-workers", daemon=True)
                self._thread.start()
        self._wake()
        return job.future

    def close(self, *, kill: bool = False) -> None:
        """Stop the workers: once every job submitted is done, or at once (``kill``), failing
        the jobs not done with ``JobFailed("closed")``."""
        with self._lock:
            self._closing = kill or bool(self._closing)
            thread = self._thread
        self._wake()
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        self.close(kill=exc_type is not None)

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            self._wake_w.send_bytes(b"")

    # -- the pool's thread ---------------------------------------------------------------------
    def _run(self) -> None:
        from multiprocessing.connection import wait

        queue: deque[_Job] = deque()
        suspects: deque[_Job] = deque()  # jobs a worker died doing, to be done again alone
        workers: list[_Worker] = []
        try:
            while True:
                with self._lock:
                    queue.extend(self._inbox)
                    self._inbox.clear()
                    closing = self._closing
                if closing or (closing is False and not queue and not suspects and not any(w.sent for w in workers)):
                    break
                for w in [w for w in workers if not w.sent and not w.process.is_alive()]:
                    workers.remove(w)  # died between jobs (killed from outside): replaced below
                    w.stop(kill=True)
                busy = sum(1 for w in workers if w.sent)
                while len(workers) < min(self.jobs, len(queue) + len(suspects) + busy):
                    workers.append(_Worker(self._ctx, self.memory_limit, self.form.path, self.roster))
                    self.started += 1
                self._dispatch(workers, queue, suspects)
                busy_workers = [w for w in workers if w.sent]
                handles = [self._wake_r] + [w.conn for w in busy_workers] + [w.process.sentinel for w in busy_workers]
                ready = set(wait(handles, timeout=self._next_deadline(busy_workers)))
                if self._wake_r in ready:
                    with contextlib.suppress(EOFError, OSError):
                        while self._wake_r.poll():
                            self._wake_r.recv_bytes()
                for w in busy_workers:
                    self._collect(w, w.process.sentinel in ready, workers, queue, suspects)
                self._expire(workers, queue)
        finally:
            for w in workers:
                for job in w.sent:
                    _fail(job, "closed")
                w.stop(kill=bool(self._closing) or bool(w.sent))
            for job in (*queue, *suspects, *self._inbox):
                _fail(job, "closed")

    def _dispatch(self, workers: list[_Worker], queue: deque[_Job], suspects: deque[_Job]) -> None:
        in_lane = {name: sum(1 for w in workers for j in w.sent if j.lane == name) for name in self.lanes}
        for w in workers:
            if w.alone or not w.process.is_alive():
                continue
            if suspects and not w.sent:
                w.alone = True
                w.send(suspects.popleft())
                continue
            while len(w.sent) < self.depth and not suspects:
                job = self._next(queue, w, in_lane)
                if job is None:
                    break
                queue.remove(job)
                if job.lane is not None:
                    in_lane[job.lane] += 1
                w.send(job)

    def _next(self, queue: deque[_Job], w: _Worker, in_lane: dict[str, int]) -> _Job | None:
        """The job ``w`` takes next: the first outside a lane (never behind a lane's job on the
        same worker), else, on an idle worker, the first of a lane that has a worker to spare."""
        if any(j.lane is not None for j in w.sent):
            return None
        while True:
            job = next((j for j in queue if j.lane is None), None)
            if job is None and not w.sent:
                job = next((j for j in queue if in_lane[j.lane] < self.lanes[j.lane]), None)
            # A job whose caller gave up before it started is dropped here, when it comes up (a
            # scan of the whole queue at every turn made a round of N files cost N² checks).
            if job is None or not job.future.cancelled():
                return job
            queue.remove(job)

    @staticmethod
    def _next_deadline(busy: list[_Worker]) -> float | None:
        waits = [
            w.head_since + w.sent[0].timeout - time.monotonic()
            for w in busy
            if w.sent[0].timeout is not None and w.head_since is not None
        ]
        return max(0.0, min(waits)) if waits else None

    def _collect(
        self, w: _Worker, dead: bool, workers: list[_Worker], queue: deque[_Job], suspects: deque[_Job]
    ) -> None:
        try:
            while w.sent and w.conn.poll():
                job_id, ok, value = w.conn.recv()
                job = w.sent.popleft()
                assert job.id == job_id
                w.head_since = time.monotonic() if w.sent else None
                if job.future.done():  # cancelled by its caller meanwhile: nobody waits for it
                    continue
                if ok:
                    job.future.set_result(value)
                else:
                    job.future.set_exception(JobError(value))
        except (EOFError, OSError):
            dead = True
        if not w.sent:
            w.alone = False
        if dead or (w.sent and not w.process.is_alive()):
            workers.remove(w)
            w.stop(kill=True)
            if w.sent:
                culprit = w.sent.popleft()
                if w.alone or _own_death(w.process.exitcode):
                    _fail(culprit, "crashed")
                else:
                    suspects.append(culprit)
                queue.extendleft(reversed(w.sent))
                w.sent.clear()

    @staticmethod
    def _expire(workers: list[_Worker], queue: deque[_Job]) -> None:
        now = time.monotonic()
        for w in list(workers):
            if not w.sent or w.head_since is None or w.sent[0].timeout is None:
                continue
            if now - w.head_since >= w.sent[0].timeout:
                workers.remove(w)
                w.stop(kill=True)
                _fail(w.sent.popleft(), "timeout")
                queue.extendleft(reversed(w.sent))
                w.sent.clear()


def _fail(job: _Job, why: str) -> None:
    if not job.future.done():
        job.future.set_exception(JobFailed(why))


# -- dv check and dv merge: many files ----------------------------------------------------------------

# The file to read, the archive member it is (if any), and how messages name it (None: its name).
Job = tuple[str, "Member | None", "str | None"]


def _work(job: Job) -> FileReport:
    path, member, name = job
    form, roster = worker_context()
    return check_file(path, form, roster, member=member, name=name)


def check_job(job: Job) -> FileReport:
    """One file of :func:`check_files`, in a worker (``_work`` looked up when it runs: a test
    can stand in for it)."""
    return _work(job)


def crashed_report(report: FileReport, source: Path, reason: Any) -> FileReport:
    """``report`` (empty, named as the file) for a file its reader died on or ran out of time
    on: the SHA-256 of ``source`` (the bytes read) and ``file-unreadable``, saying ``reason``
    (a :class:`~toolkit.messages.Localized`)."""
    from ..issues import make_issue

    with contextlib.suppress(OSError):
        report.sha256 = sha256_of(source)
    report.issues.append(make_issue("file-unreadable", file=report.name, reason=reason))
    return report


def check_files(
    paths: Sequence[str | Path],
    form: Form,
    roster: Roster | None = None,
    *,
    jobs: int | None = None,
    progress: Callable[[FileReport], None] | None = None,
    memory_limit: int = MEMORY_LIMIT,
    root: str | Path | None = None,
) -> list[FileReport]:
    """Check every file in worker processes; results in the order given (a .zip archive's files
    in its place). A file that kills its worker is reported as unreadable; the others go on.
    ``root``: the folder read; messages name a file in a sub-folder by its path relative to it
    (``email-1/STTTT.xlsx``), never by a name another file of the folder also has."""
    from ..messages import phrase

    with tempfile.TemporaryDirectory(prefix="dv-zip-") as workdir:
        items: list[Job | FileReport] = []
        for p in paths:
            shown = relative_name(Path(p), root)
            if _is_archive(Path(p)):
                items.extend(_archive_jobs(Path(p), Path(workdir) / str(len(items)), shown))
            else:
                items.append((str(p), None, shown))
        results: dict[int, FileReport] = {}

        def done(i: int, report: FileReport) -> None:
            results[i] = report
            if progress:
                progress(report)

        pending = []
        for i, item in enumerate(items):
            if isinstance(item, FileReport):
                done(i, item)
            else:
                pending.append((i, item))
        if pending:
            size = jobs or min(len(pending), os.cpu_count() or 1)
            # Each result is taken in the pool's own thread as it comes (a done-callback), and
            # this thread wakes once, when the last is in: a wake-up a file, handing the
            # interpreter back and forth between two threads, cost the parent twice its CPU.
            left = len(pending)
            all_done = threading.Event()
            lock = threading.Lock()

            def taken(future: cf.Future, i: int, job: Job) -> None:
                nonlocal left
                path, member, shown = job
                try:
                    report = future.result()
                except (JobFailed, JobError):
                    report = crashed_report(new_report(path, member, shown), Path(path), phrase("reason.crashed"))
                with lock:
                    try:
                        done(i, report)
                    finally:  # a progress bar that fails must not leave this thread waiting
                        left -= 1
                        if not left:
                            all_done.set()

            with WorkerPool(form, roster, jobs=size, memory_limit=memory_limit) as pool:
                for i, job in pending:
                    pool.submit(check_job, job).add_done_callback(lambda f, i=i, job=job: taken(f, i, job))
                while not all_done.wait(0.5):  # in slices: Ctrl+C is heard while the files are read
                    pass
        return [results[i] for i in range(len(items))]


def _is_archive(path: Path) -> bool:
    """A .zip that is not a workbook by content (an .xlsx renamed .zip is read as a workbook)."""
    if not is_archive(path) or ignore_reason(path) is not None:
        return False
    try:
        return sniff(path).kind not in (*READABLE, "rar", "7z")
    except OSError:
        return False  # check_file says what is wrong with it


def relative_name(path: Path, root: str | Path | None) -> str | None:
    """``path`` as messages name it: relative to ``root`` when it lies in a sub-folder of it
    (``email-1/STTTT.xlsx``); None (its own name) otherwise."""
    if root is None:
        return None
    try:
        relative = path.relative_to(root)
    except ValueError:
        return None
    return relative.as_posix() if len(relative.parts) > 1 else None


def _archive_jobs(path: Path, workdir: Path, shown: str | None) -> list[Job | FileReport]:
    workdir.mkdir()
    members = open_archive(path, workdir, name=shown)
    return [(str(m.copy), m, None) if isinstance(m, Member) else m for m in members]
