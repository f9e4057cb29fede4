"""A .zip of e-mail attachments in the submissions folder ("download all" in a web mail).

Its workbooks are read like any file, each named ``archive.zip/inner.xlsx``: one level deep (a
zip inside the zip is that member's error, not opened). The archive's directory gets the limits
any zip gets (:func:`toolkit.intake.safety.check_directory`) before anything is inflated; each member is
then copied into a private temporary folder (never next to the input) where the readers see it,
and gets every check a workbook gets. A damaged, hostile or password-protected archive is the
archive's error.
"""

from __future__ import annotations

import contextlib
import shutil
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..fsutil import sha256_of
from ..issues import FileReport, Status, make_issue
from ..messages import phrase
from .safety import LIMITS, Limits, Unsafe, check_directory

__all__ = ["ARCHIVE_EXTENSIONS", "Member", "is_archive", "open_archive"]

ARCHIVE_EXTENSIONS = (".zip",)
NESTED_EXTENSIONS = (".zip", ".rar", ".7z")


@dataclass(frozen=True)
class Member:
    """One file of an archive, copied where the readers can open it."""

    copy: Path  # the private copy to read
    path: str  # what reports say: "nop-ve/thu.zip/SXD.xlsx"
    name: str  # what messages say: "thu.zip/SXD.xlsx"


def is_archive(path: Path) -> bool:
    return path.suffix.lower() in ARCHIVE_EXTENSIONS


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as the sender saw it. Windows and most web mails write UTF-8 names
    without the zip's UTF-8 flag; Python then decodes them as CP437 (mojibake)."""
    name = info.filename
    if not info.flag_bits & 0x800:
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            name = name.encode("cp437").decode("utf-8")
    return unicodedata.normalize("NFC", name.replace("\\", "/"))


def _error(path: Path, name: str, code: str, **params: object) -> FileReport:
    # A member's name ("thu.zip/SXD.xlsx") always differs from its path's last part: shown.
    report = FileReport(path=str(path), shown_name=name if name != path.name else "")
    report.issues.append(make_issue(code, file=name, **params))
    return report


def open_archive(
    path: Path, workdir: Path, limits: Limits = LIMITS, *, name: str | None = None
) -> list[Member | FileReport]:
    """The members of the archive at ``path`` to read (copied under ``workdir``), and reports
    for what is not read: the whole archive when it cannot be opened, a nested archive, a
    member that cannot be unpacked, or an archive holding no file at all. ``name``: how
    messages name the archive (its path relative to the folder read), by default its name."""
    name = name or path.name
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        return [_with_sha(_error(path, name, "archive-broken", reason=str(exc)), path)]
    except (OSError, EOFError, ValueError) as exc:
        return [_with_sha(_error(path, name, "archive-broken", reason=f"{type(exc).__name__}: {exc}"), path)]
    out: list[Member | FileReport] = []
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        try:
            check_directory(infos, limits)
        except Unsafe as exc:
            return [_with_sha(_error(path, name, "archive-unsafe", reason=str(exc)), path)]
        if any(i.flag_bits & 0x1 for i in infos):
            return [_with_sha(_error(path, name, "archive-encrypted"), path)]
        if not infos:
            report = FileReport(path=str(path), status=Status.IGNORED, shown_name=name if name != path.name else "")
            report.issues.append(make_issue("file-ignored", file=name, reason=phrase("ignored.empty_archive")))
            return [report]
        for index, info in enumerate(infos):
            inner = _member_name(info)
            shown = f"{name}/{inner}"
            report_path = str(path / PurePosixPath(inner))
            base = PurePosixPath(inner).name or "tep"
            if base in (".", ".."):
                base = "tep"
            if PurePosixPath(base).suffix.lower() in NESTED_EXTENSIONS:
                out.append(_error(Path(report_path), shown, "archive-nested"))
                continue
            copy = workdir / f"{index:05d}" / base
            copy.parent.mkdir(parents=True)
            try:
                # zipfile never yields more than the declared size, which the limits allowed.
                with zf.open(info) as src, copy.open("wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
                out.append(_error(Path(report_path), shown, "archive-broken", reason=f"{inner}: {exc}"[:200]))
                continue
            out.append(Member(copy=copy, path=report_path, name=shown))
    return out


def _with_sha(report: FileReport, path: Path) -> FileReport:
    with contextlib.suppress(OSError):
        report.sha256 = sha256_of(path)
    return report
