"""What a clerk types into dates, counts and texts that dv must not take at face value
(issue 9, items 4, 9, 10 and 16): a mistyped report year, a year in a date cell, float noise
in a count, a text longer than a cell."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.support.domain import appendix, check, errors, filled, warnings
from tests.support.testing import SEED_DOCS
from toolkit.intake.coerce import CUT_MARK, MAX_TEXT
from toolkit.issues import QUOTE_MAX

D = dt.date

# -- the report date (item 4) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "expected_error", "expected_warning"),
    [
        (D(2020, 11, 16), None, None),  # the seed
        (D(2021, 3, 31), None, "report_date_next_year"),  # signed early the next year: a warning
        (D(2021, 4, 1), "report_date_too_late", None),
        (D(2021, 11, 16), "report_date_too_late", None),  # the typo of issue 9: 2021 for 2020
        (D(2019, 11, 16), "report_date_before_year", None),  # a 2020 report cannot be signed in 2019
    ],
)
def test_report_date_outside_the_year_and_its_first_quarter_after(tmp_path, date, expected_error, expected_warning):
    report = check(filled(tmp_path, values=appendix(report_date=date)))
    date_errors = {code for code, field in errors(report) if field == "report_date"}
    date_warnings = {code for code, field in warnings(report) if field == "report_date"}
    assert date_errors == ({expected_error} if expected_error else set())
    assert date_warnings == ({expected_warning} if expected_warning else set())
    for issue in report.issues:
        if issue.field == "report_date":
            assert issue.cell in issue.message and f"{date.day:02d}/{date.month:02d}/{date.year}" in issue.message


# -- a year typed into a date cell (item 9) ------------------------------------------------------


@pytest.mark.parametrize("typed", [2016, 2016.0, "2016", " 2016 "])
def test_a_year_typed_into_a_document_date_is_an_error_with_a_hint(tmp_path, typed):
    # A number typed into the date-formatted cell reads back as 08/07/1905 (day 2016).
    docs = [dict(SEED_DOCS[5], date=typed), *SEED_DOCS[:5]]
    report = check(filled(tmp_path, docs=docs))
    assert ("value-date-year", "van_ban.date") in errors(report)
    (issue,) = [i for i in report.issues if i.code == "value-date-year"]
    assert issue.cell == "E5"
    assert "gõ đầy đủ ngày/tháng/năm, ví dụ 15/04/2016".casefold() in issue.message.casefold()
    assert report.status == "rejected"


def test_a_year_typed_into_the_report_date_is_an_error(tmp_path):
    report = check(filled(tmp_path, values=appendix(report_date=2020)))
    assert ("value-date-year", "report_date") in errors(report)
    # Reported once: not also as a date before the report year.
    assert {code for code, field in errors(report) if field == "report_date"} == {"value-date-year"}


@pytest.mark.parametrize("date", [D(1905, 7, 8), D(1944, 12, 31), "15/04/1916"])
def test_a_date_before_1945_is_an_error(tmp_path, date):
    docs = [dict(SEED_DOCS[0], date=date), *SEED_DOCS[1:]]
    report = check(filled(tmp_path, docs=docs))
    assert errors(report) & {("value-date-early", "van_ban.date"), ("value-date-year", "van_ban.date")}


def test_the_2016_plan_is_still_a_date(tmp_path):
    report = check(filled(tmp_path))
    assert report.docs[5]["date"] == D(2016, 4, 15) and errors(report) == set()


# -- float noise in a count (item 16) ------------------------------------------------------------


@pytest.mark.parametrize("noisy", [29.0000001, 28.999999999999996, 29.000000000000004])
def test_float_noise_from_a_pasted_formula_is_the_whole_number(tmp_path, noisy):
    report = check(filled(tmp_path, values=appendix(dvc_level4=noisy)))
    assert errors(report) == set()
    assert report.values["dvc_level4"] == 29 and isinstance(report.values["dvc_level4"], int)


def test_float_noise_in_a_big_count_is_the_whole_number(tmp_path):
    big = 41_250 * 3 / 3 + 41_250 * 1e-12
    report = check(filled(tmp_path, values=appendix(staff_vc=big, cut_rate=8 / (28 + 41_250 + 8))))
    assert report.values["staff_vc"] == 41_250 and errors(report) == set()


@pytest.mark.parametrize("half", [29.5, 29.001, "29,5"])
def test_a_fraction_is_still_not_a_count(tmp_path, half):
    report = check(filled(tmp_path, values=appendix(dvc_level4=half)))
    assert ("value-not-integer", "dvc_level4") in errors(report)


# -- long texts (item 10) ------------------------------------------------------------------------


def test_messages_quote_at_most_80_characters_of_a_value(tmp_path):
    title = "  Về " + "thực hiện công tác dân vận " * 1_200 + " "  # 32,400 characters, spaces to strip
    docs = [dict(SEED_DOCS[0], title=title), *SEED_DOCS[1:]]
    report = check(filled(tmp_path, docs=docs))
    assert report.status == "accepted"
    assert report.docs[0]["title"] == " ".join(title.split())  # the value itself is whole
    (spaces,) = [i for i in report.issues if i.code == "value-spaces"]
    assert len(spaces.message) < 2 * QUOTE_MAX + 200 and "…" in spaces.message
    assert all(len(i.message) < 600 and len(i.message_en) < 600 for i in report.issues)


def test_a_text_longer_than_a_cell_is_cut_with_a_mark_and_a_warning(tmp_path):
    from toolkit.intake.coerce import coerce
    from toolkit.issues import make_issue

    text = "a" * (MAX_TEXT + 10)  # an .ods cell can hold more than an Excel cell

    def issue(code, **params):
        return make_issue(code, field="van_ban.title", sheet="Văn bản", cell="F5", label="Trích yếu", **params)

    result = coerce(text, "text", issue)
    assert len(result.value) == MAX_TEXT and result.value.endswith(CUT_MARK)
    assert [(i.code, i.severity) for i in result.issues] == [("value-text-cut", "warning")]
    assert "32.777" in result.issues[0].message and len(result.issues[0].message) < 600
