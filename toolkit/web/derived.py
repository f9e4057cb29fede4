"""Downloads the portal makes from a stored upload — its annotated copy, its list of issues —
made once and kept under ``DIR/derived/<kind>/``: each is a pure function of the stored bytes,
the check report and the language, which its key hashes. Requests that ask for one while it is
being made wait for that one making (four clicks cost one job, issue 18); one that could not be
made (too slow, a reader that died) is not tried again for ``retry_after`` seconds."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

__all__ = ["Derived", "NotMade", "derived_key"]

NOTHING = b""  # kept for "nothing to make" (a file without cell issues has no annotated copy)


class NotMade(Exception):
    """The download could not be made (recently): the page says to try again later."""


def derived_key(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


class Derived:
    def __init__(self, folder: Path, retry_after: float = 600.0) -> None:
        self.folder, self.retry_after = folder, retry_after
        self._making: dict[Path, asyncio.Task[bytes | None]] = {}
        self._failed: dict[Path, float] = {}

    def path(self, kind: str, key: str, suffix: str) -> Path:
        return self.folder / kind / f"{key}{suffix}"

    async def get(self, path: Path, make: Callable[[], Awaitable[bytes | None]]) -> bytes | None:
        """The bytes kept at ``path``, else ``await make()`` (its None: nothing to make), kept
        there for the next request. Raises :class:`NotMade` when making failed; a full disk
        only means the result is not kept."""
        if path.exists():
            data = path.read_bytes()
            return data if data != NOTHING else None
        failed = self._failed.get(path)
        if failed is not None and time.monotonic() - failed < self.retry_after:
            raise NotMade
        task = self._making.get(path)
        if task is None:
            task = asyncio.ensure_future(self._make(path, make))
            self._making[path] = task
            task.add_done_callback(lambda t: self._done(path, t))
        return await asyncio.shield(task)

    def _done(self, path: Path, task: asyncio.Task[bytes | None]) -> None:
        self._making.pop(path, None)
        if not task.cancelled():
            task.exception()  # retrieved: every request that wanted it may have left

    async def _make(self, path: Path, make: Callable[[], Awaitable[bytes | None]]) -> bytes | None:
        from ..fsutil import atomic_write

        try:
            data = await make()
        except NotMade:
            now = time.monotonic()
            self._failed = {p: t for p, t in self._failed.items() if now - t < self.retry_after}
            self._failed[path] = now
            raise
        self._failed.pop(path, None)
        with contextlib.suppress(Exception):  # a full disk: served, only not kept
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, NOTHING if data is None else data, force=True)
        return data
