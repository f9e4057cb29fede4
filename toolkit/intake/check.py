"""``dv check``: one file → a :class:`FileReport`; many files → reports, read in parallel.

Each file is read in a worker process with a memory cap, so that a file which makes a
parser abort or exhaust memory (python-calamine on a sheet claiming XFD1048576) is that
file's error, never the end of the run.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from ..form import Form, load_form_file
from ..fsutil import sha256_of
from ..issues import FileReport, Issue, make_issue
from ..messages import os_error_text, t
from ..roster import Roster
from .archive import Member, is_archive, open_archive
from .sniff import KIND_TEXT, READABLE, WORKBOOK_EXTENSIONS, ignore_reason, sniff

__all__ = ["check_file", "check_files", "MEMORY_LIMIT"]

MEMORY_LIMIT = 2 * 1024 * 1024 * 1024  # per worker: far above a real appendix (~50 MB)


def _new_report(path: str | Path, member: Member | None) -> FileReport:
    """An empty report on ``path``, named as the archive member it is a copy of (if any)."""
    if member is None:
        return FileReport(path=str(path))
    return FileReport(path=member.path, shown_name=member.name)


def check_file(
    path: str | Path, form: Form, roster: Roster | None = None, *, member: Member | None = None
) -> FileReport:
    """Read and validate one file. Never raises for what the file contains.

    ``member``: ``path`` is the private copy of a file read from an archive; the report names
    it as the member (``archive.zip/inner.xlsx``)."""
    path = Path(path)
    report = _new_report(path, member)
    name = member.name if member else path.name
    ignored = ignore_reason(path)
    if ignored is not None:
        report.status = "ignored"
        report.issues.append(make_issue("file-ignored", file=name, reason_vi=ignored[0], reason_en=ignored[1]))
        return report
    if member is None and (problem := _os_problem(path)) is not None:
        report.issues.append(problem)
        return report
    try:
        # The bytes are read once, then hashed and parsed: the SHA-256 in the report is of the
        # very bytes the figures come from, even if the file is saved again meanwhile.
        data, report.mtime = _read_once(path)
        report.sha256 = hashlib.sha256(data).hexdigest() if data is not None else sha256_of(path)
        source: Path | bytes = data if data is not None else path
        sniffed = sniff(source)
    except OSError as exc:
        report.issues.append(_os_issue(exc, path, name))
        return report
    kind = sniffed.kind
    if kind in ("rar", "7z"):
        report.issues.append(make_issue("archive-unsupported", file=name, kind_vi=KIND_TEXT[kind][0],
                                        kind_en=KIND_TEXT[kind][1]))  # fmt: skip
        return report
    if kind == "zip":
        # A zip of other files named like something else (or inside an archive): not read.
        code = "archive-nested" if member else "file-not-workbook"
        report.issues.append(make_issue(code, file=name, kind_vi=KIND_TEXT[kind][0], kind_en=KIND_TEXT[kind][1]))
        return report
    if kind not in READABLE and path.suffix.lower() not in WORKBOOK_EXTENSIONS:
        # Not named like a workbook and not one by content: a stray file, listed and skipped.
        vi, en = KIND_TEXT.get(kind, (kind, kind))
        report.status = "ignored"
        report.issues.append(make_issue("file-ignored", file=name, reason_vi=f"không phải bảng tính ({vi})",
                                        reason_en=f"not a spreadsheet ({en})"))  # fmt: skip
        return report
    if kind == "empty":
        report.issues.append(make_issue("file-empty", file=name))
    elif kind == "broken":
        report.issues.append(make_issue("file-broken", file=name, reason=sniffed.reason))
    elif kind == "encrypted":
        report.issues.append(make_issue("file-encrypted", file=name))
    elif kind not in READABLE:
        vi, en = KIND_TEXT.get(kind, KIND_TEXT["unknown"])
        report.issues.append(make_issue("file-not-workbook", file=name, kind_vi=vi, kind_en=en))
    if report.issues:
        return report
    report.fmt = kind
    if path.suffix.lower().lstrip(".") != kind and not (kind == "xlsx" and path.suffix.lower() == ".xlsm"):
        vi, en = KIND_TEXT[kind]
        report.issues.append(make_issue("file-extension", file=name, kind_vi=vi, kind_en=en))
    _read_and_validate(source, kind, form, roster, report)
    if report.meta.get("kind") == "summary":
        report.status = "ignored"
        report.issues = [make_issue("file-ignored", file=name, reason_vi="bảng tổng hợp do dv merge tạo, không phải bài nộp",
                                    reason_en="a summary written by dv merge, not a submission")]  # fmt: skip
        return report
    report.status = "rejected" if report.errors else "accepted"
    return report


def _os_problem(path: Path) -> Issue | None:
    """A path the walk could not open: a sub-folder without read permission, a shortcut
    whose file is gone. A problem on this computer, not in the unit's file."""
    if path.is_symlink() and not path.exists():
        return make_issue("file-link-broken", file=str(path), target=str(os.readlink(path)))
    if path.is_dir():
        try:
            with os.scandir(path):
                pass
        except OSError as exc:
            return _os_issue(exc, path, str(path))
    return None


def _os_issue(exc: OSError, path: Path, name: str) -> Issue:
    reason = os_error_text(exc)
    if isinstance(exc, PermissionError):
        what = ("thư mục", "folder") if path.is_dir() else ("tệp", "file")
        return make_issue("file-permission", file=name, what_vi=what[0], what_en=what[1], reason_vi=reason.vi,
                          reason_en=reason.en)  # fmt: skip
    return make_issue("file-os-error", file=name, reason_vi=reason.vi, reason_en=reason.en)


def _read_once(path: Path) -> tuple[bytes | None, float]:
    """The file's bytes and modification time, from one open; None for the bytes of a file
    over the size limit (not read into memory: the safety check refuses it by its size)."""
    from .safety import LIMITS

    with path.open("rb") as fh:
        st = os.fstat(fh.fileno())
        if st.st_size > LIMITS.max_file:
            return None, st.st_mtime
        # Asked for the size it has (a read of the limit would allocate 50 MB for 24 kB), then,
        # if it grew meanwhile, for the rest up to the limit.
        data = fh.read(st.st_size + 1)
        if len(data) > st.st_size:
            data += fh.read(LIMITS.max_file + 1 - len(data))
    return (data if len(data) <= LIMITS.max_file else None), st.st_mtime


def _read_and_validate(path: Path | bytes, kind: str, form: Form, roster: Roster | None, report: FileReport) -> None:
    from python_calamine import CalamineError, PasswordError

    from .readers import read_raw
    from .safety import Broken, TooLarge, Unsafe, check_size, check_zip
    from .validate import extract

    name = report.name
    try:
        if kind in ("xlsx", "xlsm", "ods"):
            check_zip(path)
        else:
            check_size(path)
        book = read_raw(path, kind, form)
    except Unsafe as exc:
        report.issues.append(make_issue("file-unsafe", file=name, reason=str(exc)))
        return
    except TooLarge as exc:
        report.issues.append(make_issue("file-too-large", file=name, sheet=exc.sheet, reason=exc.ref))
        return
    except PasswordError:
        report.issues.append(make_issue("file-encrypted", file=name))
        return
    except (Broken, CalamineError) as exc:
        report.issues.append(make_issue("file-broken", file=name, reason=str(exc)[:200]))
        return
    except MemoryError:
        report.issues.append(make_issue("file-unreadable", file=name, reason="hết bộ nhớ", reason_en="out of memory"))
        return
    except Exception as exc:  # noqa: BLE001 - any parser failure is this file's problem
        report.issues.append(make_issue("file-unreadable", file=name, reason=f"{type(exc).__name__}: {exc}"[:200]))
        return
    report.saved_at = book.saved_at
    extracted = extract(book, form, name, roster)
    report.issues.extend(extracted.issues)
    report.values = extracted.values
    report.docs = extracted.docs
    report.meta = extracted.meta
    report.unit_code = extracted.unit_code
    report.report_date = extracted.values.get(form.date_field) if form.date_field else None


# -- many files, in worker processes -------------------------------------------------------------


# Forms by path. Before it forks its workers, the parent puts here the form it was given, and
# the workers inherit it: the form's TOML is parsed once a run (in the caller), not again for
# the workers. A spawned worker (Windows, macOS) loads it from the path.
_FORMS: dict[str, Form] = {}


def _worker_form(path: str) -> Form:
    form = _FORMS.get(path)
    if form is None:
        form = _FORMS[path] = load_form_file(path)
    return form


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent() -> None:
    """A worker never outlives the process that reads with it, whatever kills that process
    (SIGKILL included): on Linux the kernel kills the worker when its parent dies; everywhere,
    a thread waits on the pipe from the parent (multiprocessing's parent sentinel) and ends
    the worker at its end of file."""
    import multiprocessing
    import signal
    import sys
    import threading

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

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = memory_limit if hard == resource.RLIM_INFINITY else min(memory_limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):  # pragma: no cover - not on POSIX
        pass
    # A parser that aborts (python-calamine on a huge sheet) writes to stderr as it dies: the
    # death is reported as that file's issue, so the noise is not the user's to read. The
    # streams are new objects: a forked worker never waits on a lock the parent's progress
    # bar held when it forked, and a library's warning has nowhere to go.
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


Job = tuple[str, "Member | None"]  # the file to read, and the archive member it is (if any)


def _work(job: Job, form_path: str, roster: Roster | None) -> FileReport:
    path, member = job
    return check_file(path, _worker_form(form_path), roster, member=member)


def _crashed(job: Job) -> FileReport:
    path, member = job
    report = _new_report(path, member)
    with contextlib.suppress(OSError):
        report.sha256 = sha256_of(Path(path))
    report.issues.append(make_issue("file-unreadable", file=report.name, reason=t("crashed", "vi"),
                                    reason_en=t("crashed", "en")))  # fmt: skip
    return report


def check_files(
    paths: Sequence[str | Path],
    form: Form,
    roster: Roster | None = None,
    *,
    jobs: int | None = None,
    progress: Callable[[FileReport], None] | None = None,
    memory_limit: int = MEMORY_LIMIT,
) -> list[FileReport]:
    """Check every file; results in the order given (a .zip archive's files in its place).
    A file that kills its worker is reported as unreadable (see :class:`_Pool`); the other
    files go on in the pool."""
    with tempfile.TemporaryDirectory(prefix="dv-zip-") as workdir:
        return _check_files(paths, form, roster, Path(workdir), jobs, progress, memory_limit)


def _check_files(paths: Sequence[str | Path], form: Form, roster: Roster | None, workdir: Path, jobs: int | None,
                 progress: Callable[[FileReport], None] | None, memory_limit: int) -> list[FileReport]:  # fmt: skip
    results: dict[int, FileReport] = {}

    def done(i: int, report: FileReport) -> None:
        results[i] = report
        if progress:
            progress(report)

    items: list[Job | FileReport] = []
    for p in paths:
        items.extend(_archive_jobs(Path(p), workdir / str(len(items))) if _is_archive(Path(p)) else [(str(p), None)])
    for i, item in enumerate(items):
        if isinstance(item, FileReport):
            done(i, item)
    work: list[Job] = [("", None) if isinstance(item, FileReport) else item for item in items]
    pending = [i for i in range(len(items)) if i not in results]
    if pending:
        jobs = jobs or min(len(pending), os.cpu_count() or 1)
        _Pool(work, form, roster, jobs, memory_limit, done).run(pending)
    return [results[i] for i in range(len(items))]


def _is_archive(path: Path) -> bool:
    """A .zip that is not a workbook by content (an .xlsx renamed .zip is read as a workbook)."""
    if not is_archive(path) or ignore_reason(path) is not None:
        return False
    try:
        return sniff(path).kind not in (*READABLE, "rar", "7z")
    except OSError:
        return False  # check_file says what is wrong with it


def _archive_jobs(path: Path, workdir: Path) -> list[Job | FileReport]:
    workdir.mkdir()
    return [(str(m.copy), m) if isinstance(m, Member) else m for m in open_archive(path, workdir)]


# Modules every worker needs, imported by the parent before it forks its workers rather than
# by each worker: a worker started after a crash is ready in milliseconds.
_PRELOAD = (
    "toolkit.intake.readers",
    "toolkit.intake.safety",
    "toolkit.intake.validate",
    "toolkit.intake.sniff",
    "python_calamine",
    "defusedxml.ElementTree",
)  # fmt: skip - readers' lazy imports
_DEPTH = 2  # files sent ahead to a worker, so that it never waits for the parent between files


def _context() -> Any:
    import importlib
    import multiprocessing
    import sys

    if not sys.platform.startswith("linux"):
        return multiprocessing.get_context()  # spawn (Windows, macOS): each worker imports for itself
    for module in _PRELOAD:
        importlib.import_module(module)
    # fork: no new interpreter to start (nor to find: dv may run where it cannot exec one).
    # A worker never touches the parent's streams or its threads' locks (see _worker_init).
    return multiprocessing.get_context("fork")


def _worker_main(conn: Any, form_path: str, roster: Roster | None, memory_limit: int) -> None:
    _worker_init(memory_limit)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        i, job = message
        conn.send((i, _work(job, form_path, roster)))


class _Worker:
    def __init__(self, ctx: Any, form_path: str, roster: Roster | None, memory_limit: int) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, form_path, roster, memory_limit), daemon=True)
        self.process.start()
        child.close()
        self.sent: deque[int] = deque()  # files sent and not yet reported, in the order sent
        self.alone = False  # reading a file that killed a worker, and nothing else

    def send(self, i: int, job: Job) -> bool:
        self.sent.append(i)
        try:
            self.conn.send((i, job))
        except OSError:  # died before it was given the file: the death is seen by the caller
            return False
        return True

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
    """The worker ended itself on the file it was reading (a parser aborting, a memory cap
    reached, a crash): that file is unreadable, with no need to read it again. Killed from
    outside (SIGKILL, SIGTERM: the system short of memory, an administrator), the file is read
    again alone."""
    import signal

    own = {getattr(signal, n) for n in ("SIGABRT", "SIGSEGV", "SIGBUS", "SIGILL", "SIGFPE") if hasattr(signal, n)}
    return exitcode is not None and (exitcode > 0 or -exitcode in own)


class _Pool:
    """Worker processes reading files one at a time, each sent a file or two ahead. When a
    worker dies, only the file it was reading is affected: a worker that ended itself on it
    (a parser aborting, a memory cap reached) makes it unreadable; a worker killed from
    outside has it read again alone in a new worker, unreadable if that one dies too. The
    files sent ahead go back to the queue and the other workers never stop: a crashing file
    costs its own read and one process start, not a round."""

    def __init__(self, work: list[Job], form: Form, roster: Roster | None, jobs: int, memory_limit: int,
                 done: Callable[[int, FileReport], None]) -> None:  # fmt: skip
        self.work, self.form, self.roster, self.jobs = work, form, roster, max(1, jobs)
        self.memory_limit, self.done = memory_limit, done

    def run(self, pending: list[int]) -> None:
        from multiprocessing.connection import wait

        ctx = _context()
        if ctx.get_start_method() == "fork":
            _FORMS[self.form.path] = self.form  # inherited by every worker
        queue: deque[int] = deque(pending)
        suspects: deque[int] = deque()  # files a worker died reading, to be read again alone
        workers: list[_Worker] = []
        interrupted = True
        try:
            while queue or suspects or any(w.sent for w in workers):
                for w in [w for w in workers if not w.sent and not w.process.is_alive()]:
                    workers.remove(w)  # died between files (killed from outside): replaced below
                    w.stop(kill=True)
                while len(workers) < self.jobs and len(workers) < len(queue) + len(suspects) + sum(
                    1 for w in workers if w.sent
                ):
                    workers.append(_Worker(ctx, self.form.path, self.roster, self.memory_limit))
                for w in workers:
                    if w.alone or not w.process.is_alive():
                        continue
                    if suspects and not w.sent:
                        w.alone = True
                        i = suspects.popleft()
                        w.send(i, self.work[i])
                        continue
                    while queue and len(w.sent) < _DEPTH and not suspects:
                        i = queue.popleft()
                        if not w.send(i, self.work[i]):
                            break
                busy = [w for w in workers if w.sent]
                ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy]))
                for w in busy:
                    dead = w.process.sentinel in ready
                    try:
                        while w.sent and w.conn.poll():
                            i, report = w.conn.recv()
                            w.sent.remove(i)
                            self.done(i, report)
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
                                self.done(culprit, _crashed(self.work[culprit]))
                            else:
                                suspects.append(culprit)
                            queue.extendleft(reversed(w.sent))
            interrupted = False
        finally:
            for w in workers:
                w.stop(kill=interrupted)


def expand_paths(args: Iterable[str | Path]) -> tuple[list[Path], list[Path]]:
    """Files named, and every file under folders named (recursively, sorted); plus the
    arguments that do not exist.

    Nothing under a folder is skipped silently: a sub-folder that cannot be opened and a
    shortcut whose file is gone are listed too, and :func:`check_file` says what they are."""
    found: list[Path] = []
    missing: list[Path] = []
    for arg in args:
        path = Path(arg)
        if path.is_dir():
            found.extend(sorted(_walk(path), key=lambda p: str(p).casefold()))
        elif path.is_file() or path.is_symlink():
            found.append(path)
        else:
            missing.append(path)
    return found, missing


def _walk(folder: Path) -> list[Path]:
    out: list[Path] = []
    seen: set[tuple[int, int]] = set()
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            st = current.stat()
            if (st.st_dev, st.st_ino) in seen:  # a link back to a folder already read
                continue
            seen.add((st.st_dev, st.st_ino))
            with os.scandir(current) as it:
                entries = list(it)
        except OSError:
            out.append(current)  # cannot be opened: check_file says why
            continue
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                pending.append(Path(entry.path))
            elif entry.is_symlink() or entry.is_file():
                out.append(Path(entry.path))
    return out


def report_json(form: Form, reports: Sequence[FileReport], lang: str = "vi") -> dict:
    """SPEC section 5's JSON for ``dv check``."""
    return {
        "form": {"id": form.id, "version": form.version, "year": form.year},
        "files": [r.to_dict(lang) for r in reports],
    }
