"""Type many cases into the template in one LibreOffice session, in a chosen locale, and say
what the sheet made of each: the parity test's LibreOffice side (tests/test_parity.py).

Runs under the system Python that has python3-uno (/usr/bin/python3), never the venv:

    /usr/bin/python3 tests/support/uno_parity.py SCRIPT.json RESULT.json

SCRIPT.json: {"locale": "vi-VN", "template": path, "clear": [[sheet, "D8:D28"], …],
              "probes": ["=_doc_dvc_total", …],
              "cases": [{"id": …, "cells": [[sheet, cell, text, how], …], "save": path, "fmt": "xlsx"}, …]}

Each case starts from the template as sent: the ``clear`` ranges emptied, then each cell
typed. ``how`` is "type" (the text entered as a clerk types it, read by LibreOffice in the
session's locale: ``1,000`` is 1000 in en-US and 1 in vi-VN) or "paste" (the text kept as text,
as a value pasted from another program). The workbook is recalculated, the ``probes`` (formulas,
LibreOffice's English syntax) are computed on a scratch sheet, which is removed, and the file is
saved in ``fmt``.

RESULT.json: {"results": [{"id", "status", "probes": [[kind, value, text], …],
                           "cells": [[kind, value, text], …]}, …]}
with ``kind`` one of "empty", "value", "text", "formula", "error".
The soffice started here has its own profile and is ended by its process id.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import uno  # type: ignore[import-not-found]
from com.sun.star.table.CellContentType import EMPTY, FORMULA, TEXT  # type: ignore[import-not-found]

sys.path.insert(0, str(Path(__file__).parent))  # run as a script by the system Python: its neighbour
import uno_clerk  # noqa: E402  (the same way of starting LibreOffice and of writing its properties)

_props = uno_clerk._props

FILTERS = {"xlsx": "Calc MS Excel 2007 XML", "ods": "calc8", "xls": "MS Excel 97"}
PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>{locale}</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooLocale" oor:op="fuse"><value>{locale}</value></prop></item>
</oor:items>
"""
SCRATCH = "dv_parity_probe"


def _set_locale(profile: str, locale: str) -> None:
    """The profile's settings: LibreOffice's locale, as a clerk's computer in that locale has it."""
    user = Path(profile, "user")
    user.mkdir(parents=True)
    (user / "registrymodifications.xcu").write_text(PROFILE.format(locale=locale), encoding="utf-8")


def _what(cell: object) -> list:
    kind = cell.getType()
    if kind == EMPTY:
        return ["empty", None, ""]
    if kind == TEXT:
        return ["text", None, cell.getString()]
    if kind == FORMULA:
        if cell.getError():
            return ["error", cell.getError(), cell.getString()]
        return ["formula", cell.getValue(), cell.getString()]
    return ["value", cell.getValue(), cell.getString()]


def _case(desktop: object, template: str, script: dict, case: dict) -> dict:
    t0 = time.perf_counter()
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(template), "_blank", 0, _props(Hidden=True))
    times = {"load": time.perf_counter() - t0}
    try:
        sheets = doc.getSheets()
        for sheet, rng in script.get("clear", []):
            sheets.getByName(sheet).getCellRangeByName(rng).clearContents(7)  # values, dates, texts
        cells = []
        for sheet, ref, text, how in case["cells"]:
            cell = sheets.getByName(sheet).getCellRangeByName(ref)
            if how == "paste":
                cell.setString(text)
            else:
                cell.FormulaLocal = text  # as typed: the session's locale reads numbers and dates
            cells.append(cell)
        times["type"] = time.perf_counter() - t0
        doc.calculateAll()
        times["calc"] = time.perf_counter() - t0
        status_sheet, status_cell = script["status"]
        status = sheets.getByName(status_sheet).getCellRangeByName(status_cell).getString()
        sheets.insertNewByName(SCRATCH, sheets.getCount())
        scratch = sheets.getByName(SCRATCH)
        for i, formula in enumerate(script.get("probes", [])):
            scratch.getCellByPosition(0, i).setFormula(formula)
        doc.calculateAll()
        probes = [_what(scratch.getCellByPosition(0, i)) for i in range(len(script.get("probes", [])))]
        sheets.removeByName(SCRATCH)
        typed = [_what(cell) for cell in cells]
        times["probe"] = time.perf_counter() - t0
        doc.storeToURL(
            uno.systemPathToFileUrl(str(Path(case["save"]).resolve())), _props(FilterName=FILTERS[case["fmt"]])
        )
        times["store"] = time.perf_counter() - t0
    finally:
        doc.close(True)
    times["close"] = time.perf_counter() - t0
    return {"id": case["id"], "status": status, "probes": probes, "cells": typed, "times": times}


def run(script: dict) -> dict:
    template = str(Path(script["template"]).resolve())
    with uno_clerk.office(lambda profile: _set_locale(profile, script["locale"]), "dvparity", 120) as desktop:
        return {"results": [_case(desktop, template, script, case) for case in script["cases"]]}


if __name__ == "__main__":
    result = run(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")))
    Path(sys.argv[2]).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
