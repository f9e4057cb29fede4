"""dv: collect and merge the "công tác dân vận chính quyền" statistical appendix via Excel.

The Python API (the command line and the portal are its clients); from the repository's root::

    import toolkit
    form = toolkit.load_form()                       # the packaged form definition
    report = toolkit.check_file("samples/submissions/SNV-phu-luc-2020.xlsx", form)  # → FileReport
    report.status, report.values, [i.code for i in report.issues]  # values by field code
    roster = toolkit.read_roster("samples/units.csv")
    result = toolkit.merge(["samples/submissions"], roster=roster)  # → MergeResult
    result.summary_frame()                           # pandas DataFrame, one row per unit
    result.totals                                    # province totals, rates recomputed
    [(v.name, v.status) for v in result.files]       # each file's Verdict in the round
    summary = toolkit.build_summary(result)          # the summary workbook, as bytes
    # this level's round as its submission to the level above (an empty template of the level above):
    # up = toolkit.roll_up(result, "mau-cap-tren.xlsx", typed={"report_date": "05/12/2020"})  # → RollUp, .data

Attributes are imported lazily so that ``import toolkit`` (and ``dv --help``) stay fast.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "load_form": "toolkit.form",
    "Form": "toolkit.form",
    "FormError": "toolkit.form",
    "read_roster": "toolkit.roster",
    "Roster": "toolkit.roster",
    "Unit": "toolkit.roster",
    "build_template": "toolkit.template",
    "check_file": "toolkit.intake",
    "check_files": "toolkit.intake",
    "merge": "toolkit.merger",
    "MergeResult": "toolkit.merger",
    "Verdict": "toolkit.merger",
    "build_summary": "toolkit.summary",
    "roll_up": "toolkit.rollup",
    "RollUp": "toolkit.rollup",
    "build_appendix_docx": "toolkit.appendix_docx",
    "read_previous": "toolkit.previous",
    "Issue": "toolkit.issues",
    "FileReport": "toolkit.issues",
    "Status": "toolkit.issues",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'toolkit' has no attribute {name!r}")
