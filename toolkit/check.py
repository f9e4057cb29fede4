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
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import lru_cache
from pathlib import Path

from .archive import Member, is_archive, open_archive
from .form import Form, load_form_file
from .issues import FileReport, Issue, make_issue
from .messages import os_error_text
from .roster import Roster
from .sniff import KIND_TEXT, READABLE, WORKBOOK_EXTENSIONS, ignore_reason, sniff

__all__ = ["check_file", "check_files", "sha256_of", "MEMORY_LIMIT"]

MEMORY_LIMIT = 2 * 1024 * 1024 * 1024  # per worker: far above a real appendix (~50 MB)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_file(
    path: str | Path, form: Form, roster: Roster | None = None, *, member: Member | None = None
) -> FileReport:
    """Read and validate one file. Never raises for what the file contains.

    ``member``: ``path`` is the private copy of a file read from an archive; the report names
    it as the member (``archive.zip/inner.xlsx``)."""
    path = Path(path)
    report = FileReport(path=member.path if member else str(path), shown_name=member.name if member else "")
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
        report.sha256 = sha256_of(path)
        report.mtime = path.stat().st_mtime
        sniffed = sniff(path)
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
    _read_and_validate(path, kind, form, roster, report)
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


def _read_and_validate(path: Path, kind: str, form: Form, roster: Roster | None, report: FileReport) -> None:
    from python_calamine import CalamineError, PasswordError

    from .readers import read_raw
    from .safety import Broken, TooLarge, Unsafe, check_zip
    from .validate import extract

    name = report.name
    try:
        if kind in ("xlsx", "xlsm", "ods"):
            check_zip(path)
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


@lru_cache(maxsize=4)
def _worker_form(path: str) -> Form:
    return load_form_file(path)


def _worker_init(memory_limit: int) -> None:
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = memory_limit if hard == resource.RLIM_INFINITY else min(memory_limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):  # pragma: no cover - not on POSIX
        pass
    # A parser that aborts (python-calamine on a huge sheet) writes to stderr as it dies: the
    # death is reported as that file's issue, so the noise is not the user's to read.
    import faulthandler

    faulthandler.disable()
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
    from .readers import assert_defused

    assert_defused()


Job = tuple[str, "Member | None"]  # the file to read, and the archive member it is (if any)


def _work(job: Job, form_path: str, roster: Roster | None) -> FileReport:
    path, member = job
    return check_file(path, _worker_form(form_path), roster, member=member)


def _crashed(job: Job) -> FileReport:
    path, member = job
    report = FileReport(path=member.path if member else path, shown_name=member.name if member else "")
    with contextlib.suppress(OSError):
        report.sha256 = sha256_of(Path(path))
    report.issues.append(make_issue("file-unreadable", file=report.name,
                                    reason="trình đọc bị dừng đột ngột khi mở tệp này",
                                    reason_en="the reader crashed on this file"))  # fmt: skip
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
    A file that kills its worker is retried alone, and reported as unreadable if it does so
    again."""
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
    if not pending:
        return [results[i] for i in range(len(items))]
    jobs = jobs or min(len(pending), os.cpu_count() or 1)
    # Round 1 in chunks (amortises the round trip); after a crash, the files not done are
    # tried one task each in a new pool; what fails again is tried alone, then reported.
    for size in (max(1, min(16, len(pending) // (jobs * 4))), 1):
        if not pending:
            break
        pending = _round(pending, size, work, form, roster, jobs, memory_limit, done)
    for i in pending:
        done(i, _isolated(work[i], form, roster, memory_limit))
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


def _round(indices: list[int], size: int, paths: list[Job], form: Form, roster: Roster | None, jobs: int,
           memory_limit: int, done: Callable[[int, FileReport], None]) -> list[int]:  # fmt: skip
    failed: list[int] = []
    with ProcessPoolExecutor(jobs, initializer=_worker_init, initargs=(memory_limit,)) as pool:
        futures = [
            (pool.submit(_work_many, [paths[i] for i in chunk], form.path, roster), chunk)
            for chunk in _chunks(indices, size)
        ]
        for future, chunk in futures:
            try:
                for i, report in zip(chunk, future.result(), strict=True):
                    done(i, report)
            except BrokenProcessPool:
                failed.extend(chunk)
    return failed


def _work_many(jobs: list[Job], form_path: str, roster: Roster | None) -> list[FileReport]:
    return [_work(job, form_path, roster) for job in jobs]


def _isolated(path: Job, form: Form, roster: Roster | None, memory_limit: int) -> FileReport:
    try:
        with ProcessPoolExecutor(1, initializer=_worker_init, initargs=(memory_limit,)) as pool:
            return pool.submit(_work, path, form.path, roster).result()
    except BrokenProcessPool:
        return _crashed(path)


def _chunks(items: Iterable[int], size: int) -> Iterable[list[int]]:
    chunk: list[int] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


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
