"""One file → a :class:`~toolkit.issues.FileReport`: what the file is, whether it can be opened,
its values and its issues. Never raises for what a file contains. Many files are read in
worker processes (:mod:`toolkit.intake.workers`), each by this function."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ..form import Form
from ..fsutil import sha256_of
from ..issues import FileReport, Issue, Status, make_issue
from ..messages import os_error_text, phrase
from ..roster import Roster
from .archive import Member
from .evidence import unit_conflict
from .sniff import CSV_EXTENSIONS, OTHER_SPREADSHEETS, READABLE, WORKBOOK_EXTENSIONS, ignore_reason, kind_text, sniff

__all__ = ["check_file", "new_report"]


def new_report(path: str | Path, member: Member | None, name: str | None = None) -> FileReport:
    """An empty report on ``path``, named as the archive member it is a copy of (if any), or
    as ``name`` (a path relative to the folder read: ``email-1/STTTT.xlsx``)."""
    if member is None:
        shown = name if name and name != Path(path).name else ""
        return FileReport(path=str(path), shown_name=shown)
    return FileReport(path=member.path, shown_name=member.name)


def check_file(
    path: str | Path,
    form: Form,
    roster: Roster | None = None,
    *,
    member: Member | None = None,
    name: str | None = None,
    submitted: bool = False,
) -> FileReport:
    """Read and validate one file. Never raises for what the file contains.

    ``member``: ``path`` is the private copy of a file read from an archive; the report names
    it as the member (``archive.zip/inner.xlsx``). ``name``: how messages name the file (its
    path relative to the folder read, so that two ``STTTT.xlsx`` of two sub-folders differ);
    by default its file name. ``submitted``: the file was sent as a unit's report (a portal
    upload): what is not a workbook is an error, never skipped."""
    path = Path(path)
    report = new_report(path, member, name)
    name = report.name
    ignored = ignore_reason(path)
    if ignored is not None:
        report.status = Status.IGNORED
        report.issues.append(make_issue("file-ignored", file=name, reason=ignored))
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
        report.issues.append(make_issue("archive-unsupported", file=name, kind=kind_text(kind)))
        return report
    if kind == "zip":
        # A zip of other files named like something else (or inside an archive): not read.
        code = "archive-nested" if member else "file-not-workbook"
        report.issues.append(make_issue(code, file=name, kind=kind_text(kind)))
        return report
    if kind in ("text", "unknown") and path.suffix.lower() in CSV_EXTENSIONS:
        kind = "csv" if submitted or _the_forms_csv(source, path, form, roster) else "other_csv"
    if kind in OTHER_SPREADSHEETS:
        # A unit's form saved as .xlsb, .fods or CSV: rejected with how to save it, never skipped.
        report.issues.append(make_issue("file-format", file=name, kind=kind_text(kind)))
        return report
    if kind == "other_csv":
        report.status = Status.IGNORED
        report.issues.append(make_issue("file-ignored", file=name, reason=phrase("ignored.other_csv")))
        return report
    if submitted and kind not in READABLE and path.suffix.lower() not in WORKBOOK_EXTENSIONS:
        report.issues.append(make_issue("file-not-workbook", file=name, kind=kind_text(kind)))
        return report
    if kind not in READABLE and path.suffix.lower() not in WORKBOOK_EXTENSIONS:
        # Not named like a workbook and not one by content: a stray file, listed and skipped.
        report.status = Status.IGNORED
        reason = phrase("ignored.not_spreadsheet", kind=kind_text(kind))
        report.issues.append(make_issue("file-ignored", file=name, reason=reason))
        return report
    if kind == "empty":
        report.issues.append(make_issue("file-empty", file=name))
    elif kind == "broken":
        report.issues.append(make_issue("file-broken", file=name, reason=sniffed.reason))
    elif kind == "encrypted":
        report.issues.append(make_issue("file-encrypted", file=name))
    elif kind not in READABLE:
        report.issues.append(make_issue("file-not-workbook", file=name, kind=kind_text(kind)))
    if report.issues:
        return report
    report.fmt = kind
    if path.suffix.lower().lstrip(".") != kind and not (kind == "xlsx" and path.suffix.lower() == ".xlsm"):
        report.issues.append(make_issue("file-extension", file=name, kind=kind_text(kind)))
    _read_and_validate(source, kind, form, roster, report)
    if report.meta.get("kind") == "summary":
        report.status = Status.IGNORED
        report.issues = [make_issue("file-ignored", file=name, reason=phrase("ignored.summary"))]
        return report
    source = report.meta.get("annotates")
    if source and report.meta.get("annotated_values") == report.content_digest():
        # dv's own annotated copy, its figures still those of the file it annotates: not a
        # submission (a corrected copy is one, and is read as such).
        report.status = Status.IGNORED
        reason = phrase("ignored.annotated", sha=source[:12])
        report.issues = [make_issue("file-ignored", file=name, reason=reason)]
        return report
    found = unit_conflict(report, form, roster)
    if found is not None:
        # The template says one unit, other evidence in the file another: whose figures?
        report.issues.append(found[0])
        report.other_unit = found[1]
        report.status = Status.UNIT_CONFLICT
    else:
        report.status = Status.REJECTED if report.errors else Status.ACCEPTED
    return report


def _the_forms_csv(source: Path | bytes, path: Path, form: Form, roster: Roster | None) -> bool:
    """Whether a CSV file is a unit's form saved as CSV: it holds the form's title or a field's
    label, or its name holds a roster unit's code (``STTTT.csv``). A roster kept in the folder
    (``units.csv``) is neither, and stays a stray file. Labels are compared by their ASCII
    letters and digits only: a CSV saved in a code page without Vietnamese ("PH? L?C S? LI?U")
    still shows the form's title."""
    import re

    data = bytes(source[:65536]) if isinstance(source, bytes | bytearray | memoryview) else _head(path)

    def skeleton(text: str) -> str:
        return re.sub(r"[^A-Za-z0-9]", "", text)

    text = skeleton(data.decode("latin-1"))
    labels = (skeleton(label) for label in (form.title, *(f.label for f in form.fields)))
    if any(len(label) >= 8 and label in text for label in labels):
        return True
    codes = {u.code.upper() for u in roster.units} if roster is not None else set()
    return any(token.upper() in codes for token in re.split(r"[^0-9A-Za-z_]+", path.stem))


def _head(path: Path, size: int = 65536) -> bytes:
    with path.open("rb") as fh:
        return fh.read(size)


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
        what = phrase("word.folder" if path.is_dir() else "word.file")
        return make_issue("file-permission", file=name, what=what, reason=reason)
    return make_issue("file-os-error", file=name, reason=reason)


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
        report.issues.append(make_issue("file-unreadable", file=name, reason=phrase("reason.out_of_memory")))
        return
    except Exception as exc:  # noqa: BLE001 - any parser failure is this file's problem
        report.issues.append(make_issue("file-unreadable", file=name, reason=f"{type(exc).__name__}: {exc}"[:200]))
        return
    report.readable = True
    report.saved_at = book.saved_at
    extracted = extract(book, form, name, roster)
    report.issues.extend(extracted.issues)
    report.values = extracted.values
    report.docs = extracted.docs
    report.meta = extracted.meta
    report.unit_code = extracted.unit_code
    report.rollup = extracted.provenance
    report.report_date = extracted.values.get(form.date_field) if form.date_field else None
