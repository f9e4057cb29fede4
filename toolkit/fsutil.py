"""Writing outputs safely: atomically, as a set, never over an existing file without ``force``.

A run's outputs (``dv merge``'s summary, JSON and Word appendix; ``dv make-template``'s
templates) are an :class:`OutputSet`: each is first written in full to a temporary file beside
its target (``.~dv-<host>-<pid>-<random><suffix>``), and only when every one is on disk are
they renamed into place, one after another with Ctrl+C, SIGTERM and SIGHUP held back. A
failure before that point (a full disk, an unwritable folder) leaves every old file as it was
and no temporary file; a failure during the renames puts the files already replaced back.
A run killed outright (SIGKILL, a power cut) can leave temporaries: the next run that writes
into the same folder removes those whose process is gone (:func:`remove_stale_temporaries`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from .messages import DvError, os_error_text

__all__ = [
    "sha256_of",
    "folder_of",
    "OutputError",
    "OutputSet",
    "atomic_write",
    "check_writable",
    "check_creatable",
    "committed",
    "remove_stale_temporaries",
    "TEMP_PREFIX",
]

TEMP_PREFIX = ".~dv-"


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes, read a megabyte at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# A temporary of another computer (a shared folder), or of a name this version did not write,
# is dv's leftover only when this old: a run writes its outputs within seconds.
STALE_AFTER_S = 3600
_HOST = re.sub(r"[^A-Za-z0-9]", "", socket.gethostname())[:24] or "host"
_OURS = re.compile(r"^\.~dv-(?:old-)?([A-Za-z0-9]+)-(\d+)-[0-9a-f]{8}(?:\.[A-Za-z0-9]+)?$")


_COMMITTED: list[Path] = []  # every output this process has put in place


def committed() -> list[Path]:
    """The outputs this process has put in place so far (for the message when it is stopped)."""
    return list(_COMMITTED)


class OutputError(DvError):
    """An output that cannot be written where it was asked for."""


def check_writable(path: Path, *, force: bool) -> None:
    """Fail early (before any work): ``path`` exists and ``force`` is not given, is a folder,
    or its folder does not exist."""
    if path.is_dir():
        raise OutputError("output.is_folder", path=str(path))
    folder = folder_of(path)
    if folder.exists() and not folder.is_dir():
        raise OutputError("output.parent_is_file", path=str(folder))
    if not folder.is_dir():
        raise OutputError("output.no_folder", path=str(folder))
    if path.exists() and not force:
        raise OutputError("output.exists", path=str(path))


def check_creatable(path: Path, *, force: bool) -> None:
    """:func:`check_writable`, and a file can really be created in the folder (a read-only
    folder, a full quota, a network share that refuses): found before anything is read."""
    check_writable(path, force=force)
    folder = folder_of(path)
    probe = folder / _temp_name(".probe")
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
    except OSError as exc:
        raise OutputError("output.unwritable", path=str(folder), reason=os_error_text(exc)) from None
    with contextlib.suppress(OSError):
        os.unlink(probe)


def remove_stale_temporaries(folders: Iterator[Path] | list[Path], *, now: float | None = None) -> list[Path]:
    """Remove dv's temporary files left in ``folders`` by a run that was killed: those named by
    this computer for a process that no longer runs, and any ``.~dv-`` file older than an hour.
    Returns what was removed; a file that cannot be removed is left alone."""
    now = time.time() if now is None else now
    removed: list[Path] = []
    for folder in dict.fromkeys(Path(f) for f in folders):
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if not entry.name.startswith(TEMP_PREFIX):
                continue
            try:
                if not entry.is_file(follow_symlinks=False):
                    continue
                age = now - entry.stat(follow_symlinks=False).st_mtime
            except OSError:
                continue
            match = _OURS.match(entry.name)
            mine = match is not None and match.group(1) == _HOST
            if (mine and match is not None and not _running(int(match.group(2)))) or age > STALE_AFTER_S:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError):
        return True  # someone else's process, or cannot tell: not ours to judge
    return True


def folder_of(path: Path) -> Path:
    """The folder ``path`` is in: "." for a bare name (whose parent is the empty path)."""
    return path.parent if str(path.parent) else Path(".")


def _temp_name(suffix: str, kind: str = "") -> str:
    return f"{TEMP_PREFIX}{kind}{_HOST}-{os.getpid()}-{secrets.token_hex(4)}{suffix}"


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl+C, SIGTERM and SIGHUP wait until the block is done (POSIX, main thread): the
    renames of a set are never cut in the middle by them."""
    wanted = {getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)}
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, wanted)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


class OutputSet:
    """Files written together: :meth:`add` writes each in full to a temporary file, then
    :meth:`commit` puts them all in place; a failure on the way leaves all the old files.

    Use as a context manager: leaving the block without a commit removes the temporaries.
    """

    def __init__(self, *, force: bool = False) -> None:
        self.force = force
        self._staged: list[tuple[Path, Path]] = []  # (target, temporary)
        self.committed: list[Path] = []

    def __enter__(self) -> OutputSet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()

    @property
    def targets(self) -> list[Path]:
        return [target for target, _ in self._staged]

    def add(self, path: str | Path, data: bytes) -> Path:
        path = Path(path)
        check_writable(path, force=self.force)
        folder = folder_of(path)
        tmp = folder / _temp_name(path.suffix)
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as exc:
            raise OutputError("output.unwritable", path=str(folder), reason=os_error_text(exc)) from None
        try:
            # O_CREAT with 0600; a shared folder needs what a plain write gives (umask).
            umask = os.umask(0)
            os.umask(umask)
            os.fchmod(fd, 0o666 & ~umask)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise OutputError("output.unwritable", path=str(folder), reason=os_error_text(exc)) from None
        self._staged.append((path, tmp))
        return path

    def discard(self) -> None:
        for _, tmp in self._staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        self._staged = []

    def commit(self) -> list[Path]:
        """Put every staged file in place; all of them, or (on an error) none."""
        # (target, it existed before, the old file kept aside if it did)
        done: list[tuple[Path, bool, Path | None]] = []
        try:
            with _signals_held():
                try:
                    for target, tmp in self._staged:
                        existed = target.exists()
                        done.append((target, existed, self._put(target, tmp, existed)))
                except (OSError, OutputError) as exc:
                    failed = [target for target, existed, old in done if not _put_back(target, existed, old)]
                    if failed:
                        raise OutputError(
                            "output.set_partial",
                            written=list(map(str, failed)),
                            kept=[str(t) for t in self.targets if t not in failed],
                        ) from None
                    if isinstance(exc, OutputError):
                        raise
                    target = self._staged[len(done)][0]
                    if isinstance(exc, PermissionError):
                        raise OutputError("output.locked", path=str(target), reason=os_error_text(exc)) from None
                    raise OutputError(
                        "output.unwritable", path=str(folder_of(target)), reason=os_error_text(exc)
                    ) from None
                self.committed = [target for target, _, _ in done]
                _COMMITTED.extend(self.committed)  # before a held-back signal can stop the run
        finally:
            for _, _, old in done:
                if old is not None:
                    with contextlib.suppress(OSError):
                        os.unlink(old)
            self.discard()
        return self.committed

    def _put(self, target: Path, tmp: Path, existed: bool) -> Path | None:
        """Rename one staged file into place; the old file's name kept aside (a hard link) to
        put it back if a later file of the set fails."""
        if not self.force:
            # link() refuses an existing target: no race with a file created meanwhile.
            try:
                os.link(tmp, target)
            except FileExistsError:
                raise OutputError("output.exists", path=str(target)) from None
            except OSError:
                if target.exists():
                    raise OutputError("output.exists", path=str(target)) from None
                os.replace(tmp, target)  # file systems without hard links
            return None
        old: Path | None = None
        if existed:
            old = folder_of(target) / _temp_name(target.suffix, "old-")
            try:
                os.link(target, old)
            except OSError:
                old = None  # no hard links here: the old file cannot be kept aside
        try:
            os.replace(tmp, target)
        except OSError:
            if old is not None:
                with contextlib.suppress(OSError):
                    os.unlink(old)
            raise
        return old


def _put_back(target: Path, existed: bool, old: Path | None) -> bool:
    """Undo one rename: the old file back, or the new file removed. False if it stays new."""
    try:
        if old is not None:
            os.replace(old, target)
        elif not existed:
            os.unlink(target)
        else:
            return False  # replaced without a copy of the old one (no hard links here)
    except OSError:
        return False
    return True


def atomic_write(path: str | Path, data: bytes, *, force: bool = False) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder.

    Readers never see a half-written file; on any failure the temporary file is removed and
    the old file (if any) is left as it was.
    """
    with OutputSet(force=force) as outputs:
        outputs.add(path, data)
        return outputs.commit()[0]
