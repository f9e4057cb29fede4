"""The variant workbooks of the live-check tests: the seed, a wrong and an empty appendix, and
one file per way a clerk's sheet and dv could disagree. Each is recalculated in LibreOffice
and in Gnumeric; the status line's verdict must be dv's (tests/test_live_agreement.py), and
for the cases of :data:`VERDICTS` the one issue 9 asks for.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.domain import appendix
from tests.support.submissions import template_for, write
from tests.support.testing import SEED, SEED_DOCS
from toolkit.form import Form
from toolkit.roster import Roster
from toolkit.template import build_template

ERROR_VALUES = ("#DIV/0!", "#VALUE!", "#NAME?", "#REF!", "#N/A", "#NUM!", "#NULL!", "Err:")


@dataclass(frozen=True)
class Variant:
    values: Mapping[str, Any]
    docs: tuple[Mapping[str, Any], ...] = tuple(SEED_DOCS)
    template: str = "generic"  # "roster": the unit picked by name from the dropdown; "personal": STTTT's
    what: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)


def doc(i: int, **changes: Any) -> tuple[dict[str, Any], ...]:
    """The seed's documents with document ``i`` changed."""
    return tuple({**d, **changes} if n == i else d for n, d in enumerate(SEED_DOCS))


UNIT = {k: v for k, v in SEED.items() if k not in ("unit_code", "unit_name")}


def many_docs(count: int) -> tuple[dict[str, Any], ...]:
    """``count`` distinct right documents (the table full at 300)."""
    return tuple(
        {
            "issuer": "Chính quyền",
            "doc_type": "Kế hoạch",
            "number": f"{i + 1}/KH-STTTT-VP",
            "date": dt.date(2020, 1 + i % 10, 1 + i % 28),
            "title": f"Kế hoạch số {i + 1} về công tác dân vận",
        }
        for i in range(count)
    )


def wrong_last(docs: tuple[dict[str, Any], ...]) -> tuple[dict[str, Any], ...]:
    """The same documents, the last one dated after the report's year."""
    return (*docs[:-1], {**docs[-1], "date": dt.date(2021, 3, 1)})


# Right and wrong appendices with 0, 1, 7 and 300 documents: every filled row gets its check.
DOC_COUNTS: dict[str, tuple[dict[str, Any], ...]] = {
    "docs_1": many_docs(1),
    "docs_1_wrong": wrong_last(many_docs(1)),
    "docs_7_wrong": wrong_last(tuple(SEED_DOCS)),
    "docs_300": many_docs(300),
    "docs_300_wrong": wrong_last(many_docs(300)),
}

CASES: dict[str, Variant] = {
    "seed": Variant(appendix(), what="the seed: right"),
    "wrong": Variant(appendix(cut_total=9, dvc_level4=40, cut_rate=0.2), what="three rules broken"),
    "empty": Variant({}, (), what="the template as sent"),
    "only_the_unit": Variant({"unit_code": "STTTT", "unit_name": "Sở Thông tin và Truyền thông"}, ()),
    "blank_required": Variant(appendix(cut_vc=None)),
    "rate_typed_12_5": Variant(appendix(cut_rate=12.5), what="read as 12,5 % with a warning"),
    "rate_wrong": Variant(appendix(cut_rate=0.2)),
    "rate_over_100": Variant(appendix(cut_rate=150)),
    "negative": Variant(appendix(cut_cc=-4, cut_vc=12)),
    "not_whole": Variant(appendix(dvc_total=37.5)),
    "float_noise": Variant(appendix(dvc_level4=29.0000001), what="a pasted formula's noise: 29"),
    "far_from_whole": Variant(appendix(dvc_level4=28.9999), what="1e-4 off: not a whole number"),
    "report_date_q1": Variant(appendix(report_date=dt.date(2021, 2, 10)), what="next year's first quarter: a warning"),
    "report_date_late": Variant(appendix(report_date=dt.date(2021, 11, 16)), what="a typo of 2020: an error"),
    "report_date_before_year": Variant(appendix(report_date=dt.date(2019, 11, 16)), what="a typo of 2020: an error"),
    "report_date_a_year": Variant(appendix(report_date=2020), what="a bare year in the date cell"),
    "doc_date_a_year": Variant(appendix(), doc(5, date=2016), what="a bare year in a document's date"),
    "doc_date_1905": Variant(appendix(), doc(5, date=dt.date(1905, 7, 8)), what="2016 as a date: 08/07/1905"),
    "doc_after_the_year": Variant(appendix(), doc(6, date=dt.date(2021, 1, 5))),
    # Issue 17 item 4: a plan dated 30/12 in a report dated 16/11; the report's own day is fine.
    "doc_after_the_report": Variant(appendix(), doc(6, date=dt.date(2020, 12, 30)), what="after the report date"),
    "doc_on_the_report_date": Variant(appendix(), doc(6, date=dt.date(2020, 11, 16))),
    "doc_before_a_q1_report": Variant(
        appendix(report_date=dt.date(2021, 2, 10)), doc(6, date=dt.date(2020, 12, 30)), what="a warning only"
    ),
    "doc_issuer_old_style": Variant(appendix(), doc(0, issuer="Đảng uỷ"), what="the same issuer, old tone marks"),
    "doc_issuer_unknown": Variant(appendix(), doc(0, issuer="UBND tỉnh")),
    "doc_type_unknown": Variant(appendix(), doc(0, doc_type="Tờ trình")),
    "doc_incomplete": Variant(appendix(), doc(0, number=None)),
    "count_typed_over": Variant(appendix(docs_party=12), what="12 typed over the Party documents' count"),
    "count_typed_same": Variant(appendix(docs_party=5), what="the right count typed over its formula"),
    "year_changed": Variant(appendix(report_year=2019), what="the locked report year typed over"),
    "personal": Variant(UNIT, template="personal"),
    "personal_code_changed": Variant({**UNIT, "unit_code": "SNV"}, template="personal"),
    "unit_picked": Variant({**UNIT, "unit_name": "Sở Nội vụ"}, template="roster"),
    "unit_old_tone_marks": Variant(
        {**UNIT, "unit_name": "Sở Văn hoá, Thể thao và Du lịch"}, template="roster", what="Văn hoá for Văn hóa"
    ),
    "unit_not_in_roster": Variant({**UNIT, "unit_name": "Sở Không Có"}, template="roster"),
    "unit_typed_loosely": Variant(
        {**UNIT, "unit_name": unicodedata.normalize("NFD", " Sở Nội\u00a0vụ ")},
        template="roster",
        what="the roster name typed decomposed, with stray and no-break spaces: the unit found (item 10)",
    ),
    # Issue 17: a typed text read the same way by the sheet and dv.
    "thousands_as_text": Variant(appendix(staff_vc="1,000"), what="1 or 1000? an error at the cell (item 8)"),
    "thousands_grouped_twice": Variant(
        appendix(staff_vc="1.000.000", cut_rate=8 / (28 + 1_000_000 + 8)), what="one number: read, a warning"
    ),
    "count_spaced_text": Variant(appendix(staff_vc="28 000", cut_rate=8 / (28 + 28_000 + 8)), what="28000, a warning"),
    "count_with_words": Variant(appendix(dvc_total="37 dịch vụ"), what="not a number: an error in both (spec review)"),
    "report_date_text_late": Variant(appendix(report_date="16/11/2021"), what="a text date after the year: an error"),
    "report_date_text_month_first": Variant(appendix(report_date="11/16/2020"), what="no 16th month: an error"),
    "doc_pasted_twice": Variant(appendix(), (*SEED_DOCS, SEED_DOCS[2]), what="a row pasted twice (item 9)"),
    # Issue 17 A meets B: the row rule naming the report date skips while the date is empty, and
    # "empty" is as dv reads it (spaces only); a date typed as text is the date it reads.
    "doc_late_report_date_blank": Variant(
        appendix(report_date=None), doc(6, date=dt.date(2020, 12, 30)), what="no report date yet: the rule waits"
    ),
    "doc_late_report_date_spaces": Variant(
        appendix(report_date="   "), doc(6, date=dt.date(2020, 12, 30)), what="spaces are an empty date"
    ),
    "doc_late_report_date_text": Variant(
        appendix(report_date="16/11/2020"), doc(6, date=dt.date(2020, 12, 30)), what="the text's date, in the rule"
    ),
    "doc_issuer_spaces": Variant(
        appendix(),
        (dict(SEED_DOCS[0], issuer=" Đảng\u00a0 ủy "), dict(SEED_DOCS[1], issuer="Đảng ủy\t"), *SEED_DOCS[2:]),
        what="spaces and a no-break space around a choice: trimmed, counted (item 10)",
    ),
    "doc_issuer_decomposed": Variant(
        appendix(), doc(0, issuer=unicodedata.normalize("NFD", "Đảng ủy")), what="decomposed Unicode (item 10)"
    ),
    "docs_0": Variant(appendix(), (), what="no documents"),
    "docs_0_wrong": Variant(appendix(cut_total=9), (), what="no documents, a rule broken"),
    **{name: Variant(appendix(), docs) for name, docs in DOC_COUNTS.items()},
}

# The verdict ("some error") both the sheet and dv must give, for the cases issue 9 names.
VERDICTS: dict[str, bool] = {
    "seed": False,
    "wrong": True,
    "empty": True,
    "doc_issuer_old_style": False,  # 'Đảng uỷ' is 'Đảng ủy'
    "unit_old_tone_marks": False,  # 'Văn hoá' gives the code of 'Văn hóa'
    "unit_not_in_roster": True,  # the code cell goes empty: no longer "số liệu khớp"
    "float_noise": False,  # 29.0000001 is 29
    "rate_typed_12_5": False,  # a warning only
    "report_date_q1": False,  # a warning only
    "report_date_late": True,
    "report_date_before_year": True,
    "report_date_a_year": True,
    "doc_date_a_year": True,
    "doc_date_1905": True,
    "doc_after_the_report": True,
    "doc_on_the_report_date": False,
    "doc_before_a_q1_report": False,
    "count_typed_over": True,
    "count_typed_same": False,
    "year_changed": True,
    "personal_code_changed": True,
    "thousands_as_text": True,
    "thousands_grouped_twice": False,
    "count_spaced_text": False,
    "count_with_words": True,
    "report_date_text_late": True,
    "report_date_text_month_first": True,
    "doc_pasted_twice": True,
    "doc_late_report_date_blank": True,  # the report date is required
    "doc_late_report_date_spaces": True,
    "doc_late_report_date_text": True,  # the document after the date the text says
    "doc_issuer_spaces": False,
    "doc_issuer_decomposed": False,
    "unit_typed_loosely": False,
    "docs_0": False,
    "docs_0_wrong": True,
    "docs_1": False,
    "docs_1_wrong": True,
    "docs_7_wrong": True,
    "docs_300": False,
    "docs_300_wrong": True,
}


def build(form: Form, roster: Roster, folder: Path) -> dict[str, Path]:
    """Every case filled (by defined names, as any program would) into ``folder``."""
    templates = {
        "generic": template_for(None, form),
        "roster": build_template(form, roster=roster),
        "personal": template_for(roster.require("STTTT"), form),
    }
    return {
        name: write(folder / f"{name}.xlsx", case.values, case.docs, template=templates[case.template])
        for name, case in CASES.items()
    }


def has_errors(status: str) -> bool:
    """The status line's verdict: some error (or a required cell empty), or none."""
    if status.startswith("Kết quả kiểm tra: số liệu khớp"):
        return False
    assert status.startswith(("Kết quả kiểm tra: còn ", "Kết quả kiểm tra: chưa nhập đủ")), status
    return True


def error_values(path: Path) -> list[tuple[str, str, Any]]:
    """Every cell of ``path`` a clerk can see holding an error value (#VALUE!, Err:502, …). The
    hidden cells beside a check column hold the sheet's reading of a typed text: #N/A there is
    "not a number", which the check beside it says in words."""
    import openpyxl

    book = openpyxl.load_workbook(path, data_only=True)
    found = []
    for ws in book.worksheets:
        hidden = {i for dim in ws.column_dimensions.values() if dim.hidden for i in range(dim.min, dim.max + 1)}
        for row in ws.iter_rows():
            for c in row:
                if c.column in hidden:
                    continue
                if c.data_type == "e" or (isinstance(c.value, str) and c.value.startswith(ERROR_VALUES)):
                    found.append((ws.title, c.coordinate, c.value))
    return found
