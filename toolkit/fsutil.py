"""Writing outputs safely: atomically, never over an existing file without ``force``."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .messages import DvError, os_error_text

__all__ = ["OutputError", "atomic_write", "check_writable"]


class OutputError(DvError):
    """An output that cannot be written where it was asked for."""


def check_writable(path: Path, *, force: bool) -> None:
    """Fail early (before any work): ``path`` exists and ``force`` is not given, is a folder,
    or its folder does not exist."""
    if path.is_dir():
        raise OutputError("output.is_folder", path=str(path))
    folder = path.parent if str(path.parent) else Path(".")
    if folder.exists() and not folder.is_dir():
        raise OutputError("output.parent_is_file", path=str(folder))
    if not folder.is_dir():
        raise OutputError("output.no_folder", path=str(folder))
    if path.exists() and not force:
        raise OutputError("output.exists", path=str(path))


def atomic_write(path: str | Path, data: bytes, *, force: bool = False) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder.

    Readers never see a half-written file; on any failure the temporary file is removed and
    the old file (if any) is left as it was.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    check_writable(path, force=force)
    try:
        fd, tmp = tempfile.mkstemp(prefix=".~dv-", suffix=path.suffix, dir=folder)
    except OSError as exc:
        raise OutputError("output.unwritable", path=str(folder), reason=os_error_text(exc)) from None
    try:
        # mkstemp creates 0600; a shared folder needs what a plain write gives (umask).
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if force:
            os.replace(tmp, path)
        else:
            # link() refuses an existing target: no race with a file created meanwhile.
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise OutputError("output.exists", path=str(path)) from None
            except OSError:
                if path.exists():
                    raise OutputError("output.exists", path=str(path)) from None
                os.replace(tmp, path)  # file systems without hard links
    except PermissionError as exc:
        raise OutputError("output.locked", path=str(path), reason=os_error_text(exc)) from None
    except OSError as exc:
        raise OutputError("output.unwritable", path=str(folder), reason=os_error_text(exc)) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return path
