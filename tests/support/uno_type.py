"""Type a number into one cell of a workbook in LibreOffice and save it in place, as a clerk
does (File → Save): LibreOffice then records its own last-saved time in the file.

Run with the system Python that has LibreOffice's ``uno`` module (``/usr/bin/python3``), not
the venv's: ``/usr/bin/python3 tests/support/uno_type.py FILE SHEET CELL NUMBER``.
"""

import contextlib
import os
import subprocess
import sys
import tempfile
import time

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]


def _prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def main(path, sheet, cell, number):
    profile = tempfile.mkdtemp(prefix="dv-uno-")
    pipe = f"dvuno{os.getpid()}"
    proc = subprocess.Popen(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            f"--accept=pipe,name={pipe};urp;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        for _ in range(240):  # a busy machine: wait up to two minutes for LibreOffice
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:  # noqa: BLE001 - not listening yet
                time.sleep(0.5)
        else:
            sys.exit("LibreOffice did not start")
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        url = uno.systemPathToFileUrl(os.path.abspath(path))
        doc = desktop.loadComponentFromURL(url, "_blank", 0, (_prop("Hidden", True),))
        doc.Sheets.getByName(sheet).getCellRangeByName(cell).setValue(float(number))
        doc.store()
        doc.close(True)
        with contextlib.suppress(Exception):  # the bridge goes away as LibreOffice quits
            desktop.terminate()
    finally:
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main(*sys.argv[1:5])
