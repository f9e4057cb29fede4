"""What a folder of returned files holds: every file under it, recursively, sorted; nothing
skipped silently (a sub-folder that cannot be opened and a shortcut whose file is gone are listed
too, and :func:`~toolkit.intake.check.check_file` says what they are)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

__all__ = ["expand_paths"]


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
