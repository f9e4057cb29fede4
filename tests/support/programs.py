"""One guard per program the real-client tests need, each asked the way that program is used.

A machine may have LibreOffice Calc without Writer, or LibreOffice without the ``uno`` module
for the system Python, or no Gnumeric or Chromium at all: ``make test`` passes there with
skips, each naming what to install. A test group says which programs it needs with a marker
(``@pytest.mark.libreoffice``, ``writer``, ``uno``, ``gnumeric``, ``browser``, ``poppler``);
``tests/conftest.py`` skips it when a guard says the program is missing.

Each guard asks what the tests will use, not a stand-in for it: Writer is a library of the
LibreOffice that ``soffice`` starts (Calc alone cannot convert a .docx), ``uno`` must import in
``/usr/bin/python3`` (the interpreter that drives LibreOffice), Chromium needs its driver too.

``DV_TEST_WITHOUT=writer,uno`` makes the guards say those programs are missing, to run the
suite as a machine without them would (nothing is uninstalled).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PROGRAMS", "missing", "UNO_PYTHON", "soffice_path"]

UNO_PYTHON = "/usr/bin/python3"
# Writer's library in LibreOffice's program folder: Debian's libreoffice-writer(-nogui), the
# Windows and macOS builds.
WRITER_LIBRARIES = ("libswlo.so", "swlo.dll", "libswlo.dylib")


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _soffice(exe: str | None) -> str | None:
    exe = soffice_path() if exe is None else exe
    if exe is None or not Path(exe).exists():
        return "LibreOffice not installed: apt-get install libreoffice-calc-nogui"
    return None


def _writer(exe: str | None) -> str | None:
    exe = soffice_path() if exe is None else exe
    if exe is None or not Path(exe).exists():
        return "LibreOffice Writer not installed: apt-get install libreoffice-writer-nogui"
    program = Path(exe).resolve().parent
    if not any((program / lib).exists() for lib in WRITER_LIBRARIES):
        return f"LibreOffice Writer not installed (no {WRITER_LIBRARIES[0]} in {program}): apt-get install libreoffice-writer-nogui"
    return None


@functools.lru_cache(maxsize=8)
def _imports_uno(python: str) -> bool:
    try:
        done = subprocess.run([python, "-c", "import uno"], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def _uno(python: str | None) -> str | None:
    python = UNO_PYTHON if python is None else python
    if not Path(python).exists() or not _imports_uno(python):
        return f"LibreOffice's uno module does not import in {python}: apt-get install python3-uno"
    return None


def _ssconvert(exe: str | None) -> str | None:
    exe = shutil.which("ssconvert") if exe is None else exe
    if exe is None or not Path(exe).exists():
        return "Gnumeric not installed: apt-get install gnumeric"
    return None


def _chromium(exe: str | None) -> str | None:
    browser = (shutil.which("chromium") or shutil.which("chromium-browser")) if exe is None else exe
    driver = shutil.which("chromedriver")
    if browser is None or not Path(browser).exists() or driver is None:
        return "needs Debian's chromium and chromium-driver: apt-get install chromium chromium-driver"
    return None


def _poppler(exe: str | None) -> str | None:
    tools = [exe] if exe is not None else [shutil.which("pdfinfo"), shutil.which("pdftotext")]
    if any(t is None or not Path(t).exists() for t in tools):
        return "needs poppler-utils (pdfinfo, pdftotext): apt-get install poppler-utils"
    return None


@dataclass(frozen=True)
class Program:
    """A program a test group needs; ``check(path)`` says why it is missing, or None. ``path``
    points the guard at another executable (None: the one on this machine)."""

    name: str
    check: Callable[[str | None], str | None]


PROGRAMS: dict[str, Program] = {
    p.name: p
    for p in (
        Program("libreoffice", _soffice),
        Program("writer", _writer),
        Program("uno", _uno),
        Program("gnumeric", _ssconvert),
        Program("browser", _chromium),
        Program("poppler", _poppler),
    )
}


def _pretended_missing() -> set[str]:
    return {p.strip() for p in os.environ.get("DV_TEST_WITHOUT", "").split(",") if p.strip()}


def missing(name: str, path: str | None = None) -> str | None:
    """Why the program ``name`` cannot be used (a sentence with what to install), or None."""
    if name in _pretended_missing():
        return f"{name} taken as missing (DV_TEST_WITHOUT)"
    if name in _NEEDS_LIBREOFFICE and (why := missing("libreoffice")) is not None:
        return why
    return PROGRAMS[name].check(path)


# Writer and uno are parts of LibreOffice: without soffice neither can run.
_NEEDS_LIBREOFFICE = ("writer", "uno")
