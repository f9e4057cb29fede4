"""What a clerk does in LibreOffice, done through UNO: open a workbook, unprotect a sheet,
insert rows, type into cells, pick from a dropdown, then save in one or more formats.

Runs under the system Python that has python3-uno (/usr/bin/python3), never the venv:

    /usr/bin/python3 tests/support/uno_clerk.py SCRIPT.json

SCRIPT.json: {"jobs": [{"source": path, "steps": [...], "save": {"xlsx": path, "ods": path, "xls": path}}, …]}
(all jobs in one LibreOffice session).
Steps (rows and columns as the clerk sees them: 1-based rows, column letters):
    {"do": "unprotect", "sheet": "Văn bản"}
    {"do": "insert_rows", "sheet": "Văn bản", "before": 100, "count": 50}
    {"do": "type", "sheet": "Văn bản", "cell": "B5", "text": "Đảng ủy"}    (typed: LibreOffice
        reads "2020-03-25" as a date, "12" as a number, "18-KH/ĐU" as text)
    {"do": "rows", "sheet": "Văn bản", "cell": "B5", "rows": [["Đảng ủy", "Kế hoạch", …], …]}
        (each value typed as above, row after row)
    {"do": "copy", "sheet": "Văn bản", "from": "G5", "to": "G100"}   (copy a cell, paste it)
The soffice started here has its own profile and is ended by its process id.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]

FILTERS = {"xlsx": "Calc MS Excel 2007 XML", "ods": "calc8", "xls": "MS Excel 97"}


def _props(**values: object) -> tuple:
    out = []
    for name, value in values.items():
        prop = PropertyValue()
        prop.Name, prop.Value = name, value
        out.append(prop)
    return tuple(out)


def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _split(cell: str) -> tuple[int, int]:
    letters = "".join(ch for ch in cell if ch.isalpha())
    return _col(letters), int("".join(ch for ch in cell if ch.isdigit())) - 1


def _connect(profile: str, name: str = "dvclerk", wait: float = 90) -> tuple[subprocess.Popen, object]:
    """A headless LibreOffice on its own profile, reached over a named pipe (``name`` and this
    process's id): the process and its Desktop, once it answers (within ``wait`` seconds).
    tests/support/uno_parity.py starts its sessions with it too."""
    pipe = f"{name}{os.getpid()}"
    proc = subprocess.Popen(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "HOME": profile},
    )
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.time() + wait
    while True:
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except Exception:  # noqa: BLE001 - not listening yet
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                raise
            time.sleep(0.3)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    return proc, desktop


def _type(sheet: object, col: int, row: int, text: object) -> None:
    cell = sheet.getCellByPosition(col, row)
    if text is None or text == "":
        cell.setString("")
    else:
        cell.setFormula(str(text))  # as if typed: LibreOffice recognises numbers and ISO dates


def _job(desktop: object, job: dict) -> None:
    url = uno.systemPathToFileUrl(str(Path(job["source"]).resolve()))
    doc = desktop.loadComponentFromURL(url, "_blank", 0, _props(Hidden=True))
    sheets = doc.getSheets()
    for step in job.get("steps", []):
        sheet = sheets.getByName(step["sheet"])
        if step["do"] == "unprotect":
            sheet.unprotect("")
        elif step["do"] == "insert_rows":
            sheet.getRows().insertByIndex(step["before"] - 1, step["count"])
        elif step["do"] == "type":
            col, row = _split(step["cell"])
            _type(sheet, col, row, step["text"])
        elif step["do"] == "copy":
            col, row = _split(step["from"])
            source = sheet.getCellByPosition(col, row).getRangeAddress()
            col, row = _split(step["to"])
            sheet.copyRange(sheet.getCellByPosition(col, row).getCellAddress(), source)
        elif step["do"] == "rows":
            col, row = _split(step["cell"])
            for i, values in enumerate(step["rows"]):
                for j, value in enumerate(values):
                    _type(sheet, col + j, row + i, value)
        else:
            raise ValueError(f"unknown step {step['do']}")
    doc.calculateAll()
    for fmt, target in job["save"].items():
        doc.storeToURL(uno.systemPathToFileUrl(str(Path(target).resolve())), _props(FilterName=FILTERS[fmt]))
    doc.close(True)


@contextlib.contextmanager
def office(prepare: Callable[[str], None] | None = None, name: str = "dvclerk", wait: float = 90) -> Iterator[object]:
    """A LibreOffice session on a profile of its own (``prepare(profile)`` writes to it first):
    its Desktop, and the office ended afterwards. tests/support/uno_parity.py uses it too."""
    with tempfile.TemporaryDirectory(prefix=f"{name}-") as profile:
        if prepare is not None:
            prepare(profile)
        proc, desktop = _connect(profile, name, wait)
        try:
            yield desktop
        finally:
            with contextlib.suppress(Exception):  # the bridge goes down with the office
                desktop.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def run(script: dict) -> None:
    with office() as desktop:
        for job in script["jobs"]:
            _job(desktop, job)


if __name__ == "__main__":
    run(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")))
