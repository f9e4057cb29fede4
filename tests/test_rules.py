"""The rule language: one text per rule, evaluated in Python (the validator) and compiled to
Excel (the live check). Cases are the seed's figures (docs/spec.md §2.6) and their wrong twins."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests.support.testing import SEED, SEED_DOCS
from toolkit.form.rules import EvalError, Expression, RuleSyntaxError, Template
from toolkit.live import (
    CANNOT,
    MISSING,
    NOT_DATE,
    OK,
    TEXT_DATE,
    TEXT_NUMBER,
    YEAR_ONLY,
    field_check_value,
    row_check_value,
)
from toolkit.numbers import format_number, format_percent
from toolkit.reading import choice_forms

# -- each rule of the default form on a table of cases --------------------------------------

SEED_NUMBERS = {
    k: SEED[k] for k in ("dvc_total", "dvc_level4", "staff_cc", "staff_vc", "cut_cc", "cut_vc", "cut_total", "cut_rate")
}


def seed(**changes: Any) -> dict[str, Any]:
    return {**SEED_NUMBERS, **changes}


def dated(year: int, month: int, day: int) -> dict[str, Any]:
    return seed(report_year=2020, report_date=dt.date(year, month, day))


FORM_RULE_CASES = [
    # (rule id, values, holds?)
    ("cut_total_sum", seed(), True),  # 4 + 4 = 8
    ("cut_total_sum", seed(cut_total=9), False),  # 4 + 4 ≠ 9
    ("cut_total_sum", seed(cut_total=7), False),
    ("cut_total_sum", seed(cut_cc=0, cut_vc=0, cut_total=0), True),
    ("cut_total_sum", seed(cut_cc=5, cut_vc=3), True),
    ("cut_rate_formula", seed(), True),  # 8 / (28 + 28 + 8) = 12,5 %
    ("cut_rate_formula", seed(cut_rate=0.2), False),
    ("cut_rate_formula", seed(cut_rate=12.5), False),  # "12,5" typed as a number, not 12,5 %
    ("cut_rate_formula", seed(cut_rate=0.1254), True),  # within 0,05 percentage points
    ("cut_rate_formula", seed(cut_rate=0.1246), True),
    ("cut_rate_formula", seed(cut_rate=0.126), False),  # 0,1 point off
    ("cut_rate_formula", seed(cut_rate=0.124), False),
    ("cut_rate_formula", seed(staff_cc=0, staff_vc=0, cut_cc=0, cut_vc=0, cut_total=0, cut_rate=0), True),
    ("cut_rate_formula", seed(staff_cc=0, staff_vc=0, cut_cc=0, cut_vc=0, cut_total=0, cut_rate=0.5), True),
    ("cut_rate_formula", seed(staff_cc=0, staff_vc=0, cut_total=8, cut_rate=1), True),  # all posts cut
    ("cut_rate_formula", seed(staff_cc=0, staff_vc=0, cut_total=8, cut_rate=0.5), False),
    ("cut_rate_formula", seed(cut_total=9, cut_rate=9 / 65), True),
    ("dvc_level4_le_total", seed(), True),  # 29 ≤ 37
    ("dvc_level4_le_total", seed(dvc_level4=37), True),
    ("dvc_level4_le_total", seed(dvc_level4=40), False),  # 40 > 37
    ("dvc_level4_le_total", seed(dvc_total=0, dvc_level4=0), True),
    # A 2020 report is signed in 2020 (the seed: 16/11/2020) or by 31/03/2021; 16/11/2021 is
    # a mistyped year and must never win "the later report" (issue 9, item 4).
    ("report_date_too_late", dated(2020, 11, 16), True),
    ("report_date_too_late", dated(2021, 3, 31), True),
    ("report_date_too_late", dated(2021, 4, 1), False),
    ("report_date_too_late", dated(2021, 11, 16), False),
    ("report_date_too_late", dated(2019, 11, 16), True),  # the next rule's case
    ("report_date_before_year", dated(2020, 1, 1), True),
    ("report_date_before_year", dated(2019, 12, 31), False),
    ("report_date_before_year", dated(2021, 3, 31), True),
    ("report_date_next_year", dated(2020, 12, 31), True),
    ("report_date_next_year", dated(2021, 1, 5), False),
    ("report_date_next_year", dated(2021, 3, 31), False),
    ("report_date_next_year", dated(2021, 4, 1), True),  # an error already: not a warning too
    ("report_date_next_year", dated(2022, 2, 1), True),
]


def _rule(form, rule_id):
    for rule in (*form.rules, *(r for t in form.tables.values() for r in t.rules)):
        if rule.id == rule_id:
            return rule
    raise KeyError(rule_id)


def test_every_rule_of_the_form_has_cases(form):
    covered = {case[0] for case in FORM_RULE_CASES} | {case[0] for case in TABLE_RULE_CASES} | {"doc_date_after_report"}
    every = {r.id for r in form.rules} | {r.id for t in form.tables.values() for r in t.rules}
    assert covered == every


@pytest.mark.parametrize("rule_id, values, holds", FORM_RULE_CASES)
def test_form_rule(form, rule_id, values, holds):
    assert _rule(form, rule_id).expr.evaluate(values) is holds


TABLE_RULE_CASES = [
    # a year typed into a date cell reads as a day of 1905: the sheet says "Sai" as dv does
    ("doc_date_plausible", dt.date(1905, 7, 8), False),
    ("doc_date_plausible", dt.date(1944, 12, 31), False),
    ("doc_date_plausible", dt.date(1945, 1, 1), True),
    ("doc_date_plausible", dt.date(2016, 4, 15), True),
    # the seed's 420/KH-STTTT-VP of 15/4/2016, a 2016-2020 plan: legal, but worth a warning
    ("doc_date_after_year", dt.date(2016, 4, 15), True),
    ("doc_date_before_year", dt.date(2016, 4, 15), False),
    ("doc_date_after_year", dt.date(2020, 4, 16), True),
    ("doc_date_before_year", dt.date(2020, 4, 16), True),
    ("doc_date_after_year", dt.date(2020, 12, 31), True),
    ("doc_date_after_year", dt.date(2021, 1, 5), False),
    ("doc_date_before_year", dt.date(2021, 1, 5), True),
    ("doc_date_after_year", dt.datetime(2020, 10, 30, 0, 0), True),  # what openpyxl reads back
]


@pytest.mark.parametrize("rule_id, date, holds", TABLE_RULE_CASES)
def test_van_ban_row_rule(form, rule_id, date, holds):
    rule = _rule(form, rule_id)
    assert rule.table == "van_ban"
    assert rule.expr.evaluate({"date": date, "report_year": form.year}) is holds


# Issue 17 item 4: (document date, report date, holds). A report cannot list a document issued
# after it was signed; a date after the report year is doc_date_after_year's (said once).
REPORT_DATE_CASES = [
    (dt.date(2020, 12, 30), dt.date(2020, 11, 16), False),  # a plan dated 30/12 in a report of 16/11
    (dt.date(2020, 11, 17), dt.date(2020, 11, 16), False),
    (dt.date(2020, 11, 16), dt.date(2020, 11, 16), True),  # the report's own day
    (dt.date(2020, 4, 16), dt.date(2020, 11, 16), True),
    (dt.date(2020, 12, 30), dt.date(2021, 2, 10), True),  # a report signed in next year's first quarter
    (dt.date(2021, 1, 5), dt.date(2020, 11, 16), True),  # after the year: the other rule's
    (dt.datetime(2020, 10, 30, 0, 0), dt.date(2020, 11, 16), True),  # what openpyxl reads back
    (dt.date(2020, 4, 16), 2020, False),  # a bare year in the report date: 12/07/1905 to the sheet
]


@pytest.mark.parametrize("date, report_date, holds", REPORT_DATE_CASES)
def test_a_document_is_not_dated_after_the_report(form, date, report_date, holds):
    rule = _rule(form, "doc_date_after_report")
    assert (rule.table, rule.severity) == ("van_ban", "error")
    assert rule.expr.evaluate({"date": date, "report_date": report_date, "report_year": form.year}) is holds


def test_an_empty_report_date_skips_the_document_date_rule_in_the_sheet_too(form):
    from toolkit.live import row_check_value

    table = form.tables["van_ban"]
    late = {**SEED_DOCS[6], "date": dt.date(2020, 12, 30)}
    assert row_check_value(form, table, late, {"report_year": 2020, "report_date": None}) == OK
    assert row_check_value(form, table, late, {"report_year": 2020, "report_date": dt.date(2020, 11, 16)}) == (
        "Sai: ngày ban hành sau ngày báo cáo"
    )


def test_severities(form):
    severity = {r.id: r.severity for r in (*form.rules, *form.tables["van_ban"].rules)}
    assert severity == {
        "cut_total_sum": "error",
        "cut_rate_formula": "error",
        "dvc_level4_le_total": "error",
        "report_date_too_late": "error",
        "report_date_before_year": "error",
        "report_date_next_year": "warning",
        "doc_date_plausible": "error",
        "doc_date_after_year": "error",
        "doc_date_after_report": "error",
        "doc_date_before_year": "warning",
    }


def test_rules_are_anchored_on_the_cell_they_correct(form):
    assert {r.id: r.anchor for r in form.rules} == {
        "cut_total_sum": "cut_total",
        "cut_rate_formula": "cut_rate",
        "dvc_level4_le_total": "dvc_level4",
        "report_date_too_late": "report_date",
        "report_date_before_year": "report_date",
        "report_date_next_year": "report_date",
    }
    assert form.rules_for("cut_total")[0].fields == {"cut_total", "cut_cc", "cut_vc"}


# -- evaluation semantics -------------------------------------------------------------------


def test_unguarded_division_by_zero_is_an_eval_error():
    with pytest.raises(EvalError):
        Expression("cut_total / (staff_cc + staff_vc)").evaluate({"cut_total": 8, "staff_cc": 0, "staff_vc": 0})


def test_guard_short_circuits_like_excel_if(form):
    # With zero staff the guard is true and the division is never computed.
    rule = _rule(form, "cut_rate_formula")
    assert rule.expr.evaluate(seed(staff_cc=0, staff_vc=0, cut_total=0, cut_rate=0.3)) is True


def test_missing_name_is_a_key_error_and_empty_cell_is_zero():
    expr = Expression("cut_total == cut_cc + cut_vc")
    with pytest.raises(KeyError):
        expr.evaluate({"cut_total": 8, "cut_cc": 4})
    assert expr.evaluate({"cut_total": 4, "cut_cc": 4, "cut_vc": None}) is True


def test_numeric_text_in_arithmetic_is_read_as_a_spreadsheet_does():
    assert Expression("cut_cc + cut_vc").evaluate({"cut_cc": "04", "cut_vc": 4}) == 8
    with pytest.raises(EvalError):
        Expression("cut_cc + cut_vc").evaluate({"cut_cc": "bốn", "cut_vc": 4})


def test_year_of_text_is_an_eval_error():
    with pytest.raises(EvalError):
        Expression("year(date) <= 2020").evaluate({"date": "16/11/2020"})


def test_numbers_compare_to_15_significant_digits_as_in_excel():
    assert Expression("0.1 + 0.2 == 0.3").evaluate({}) is True
    assert Expression("a == 0.125").evaluate({"a": 8 / 64}) is True
    assert Expression("a == 0.13").evaluate({"a": 0.125}) is False


def test_text_comparison_ignores_case_as_excel_does():
    assert Expression("issuer == 'Đảng ủy'").evaluate({"issuer": "ĐẢNG ỦY"}) is True
    assert Expression("issuer != 'Đảng ủy'").evaluate({"issuer": "Chính quyền"}) is True


def test_round_is_half_away_from_zero():
    assert Expression("round(x, 2)").evaluate({"x": 2.675}) == 2.68
    assert Expression("round(x, 0)").evaluate({"x": -2.5}) == -3
    assert Expression("round(x, 1)").evaluate({"x": 0.125 * 100}) == 12.5


def test_countif_counts_documents_by_issuer_ignoring_case(form):
    from tests.support.testing import SEED_DOCS

    party, gov = form.field("docs_party").expr, form.field("docs_gov").expr
    assert party.evaluate({}, {"van_ban": SEED_DOCS}) == 5
    assert gov.evaluate({}, {"van_ban": SEED_DOCS}) == 2
    assert party.evaluate({}, {"van_ban": [{"issuer": "đảng ủy"}, {"issuer": None}, {}]}) == 1
    assert form.field("docs_total").expr.evaluate({"docs_party": 5, "docs_gov": 2}) == 7


def test_min_max_abs():
    assert Expression("max(a, b, 3) - min(a, b) + abs(-2)").evaluate({"a": 1, "b": 7}) == 8


# -- compilation to Excel -------------------------------------------------------------------


def names(name: str) -> str:
    return name


def test_excel_snapshot_cut_total_sum(form):
    assert _rule(form, "cut_total_sum").expr.to_excel(names) == "(cut_total=(cut_cc+cut_vc))"


def test_excel_snapshot_dvc_level4(form):
    assert _rule(form, "dvc_level4_le_total").expr.to_excel(names) == "(dvc_level4<=dvc_total)"


def test_excel_guard_is_an_if_so_the_division_never_runs(form):
    formula = _rule(form, "cut_rate_formula").expr.to_excel(names)
    assert formula == (
        "IF((((staff_cc+staff_vc)+cut_total)=0),TRUE,"
        "(ABS((cut_rate-(cut_total/((staff_cc+staff_vc)+cut_total))))<=0.0005))"
    )
    assert " OR(" not in formula and not formula.startswith("OR(")  # OR() would evaluate both sides


def test_excel_row_rule_uses_the_rows_cells(form):
    table = form.tables["van_ban"]
    rule = _rule(form, "doc_date_after_year")
    date_column = table.column("date").column
    formula = rule.expr.to_excel(lambda n: f"${date_column}7" if n == "date" else n)
    assert formula == "(YEAR($E7)<=report_year)"


def test_excel_countif_uses_the_table_column(form):
    expr = form.field("docs_party").expr
    formula = expr.to_excel(names, lambda ref: form.tables[ref.table].column_range(ref.column))
    # Each row's text, spaces trimmed and in lower case, compared EXACTly with each spelling dv
    # accepts ("Đảng uỷ", decomposed…): the sheet counts the rows dv counts (issue 17 item 10).
    assert formula.startswith("SUM(IF(((EXACT(LOWER(TRIM(") and "COUNTIF" not in formula
    assert formula.count("'Văn bản'!$B$5:$B$304") == len(choice_forms("Đảng ủy"))
    assert all(
        f'"{spelling}")' in formula for spelling in ("đảng ủy", "đảng uỷ", unicodedata.normalize("NFD", "đảng ủy"))
    )
    with pytest.raises(RuleSyntaxError):
        expr.to_excel(names)  # no table to count in
    counted = Expression("countif(t.c, 'Quyết định')").to_excel(names, lambda ref: "R")
    assert counted.startswith("SUM(IF(((EXACT(LOWER(TRIM(") and '"quyết định")' in counted


def test_countif_counts_either_tone_mark_style(form):
    expr = form.field("docs_party").expr
    docs = [{"issuer": "Đảng ủy"}, {"issuer": "Đảng uỷ"}, {"issuer": "ĐẢNG UỶ"}, {"issuer": "Chính quyền"}]
    assert expr.evaluate({}, {"van_ban": docs}) == 3


def test_excel_strings_double_their_quotes():
    assert Expression("title == 'Phong trào \"Dân vận khéo\"'").to_excel(names) == (
        '(title="Phong trào ""Dân vận khéo""")'
    )


def test_excel_and_or_not_chains():
    assert Expression("a < b < c").to_excel(names) == "IF((a<b),(b<c),FALSE)"
    assert Expression("a or b or c").to_excel(names) == "IF(a,TRUE,IF(b,TRUE,c))"
    assert Expression("not a and b").to_excel(names) == "IF(NOT(a),b,FALSE)"
    assert Expression("-a + round(b, 2) != 0").to_excel(names) == "(((-a)+ROUND(b,2))<>0)"


def test_live_text_compiles_with_rounded_values(form):
    assert _rule(form, "cut_total_sum").live.to_excel(names) == '"Sai: tổng phải bằng "&ROUND((cut_cc+cut_vc),4)'
    assert _rule(form, "cut_rate_formula").live.to_excel(names) == (
        '"Sai: tỷ lệ phải là "&ROUND((cut_total/((staff_cc+staff_vc)+cut_total))*100,2)&"%"'
    )


def test_live_text_cannot_show_cell_addresses():
    with pytest.raises(RuleSyntaxError):
        Template("Sửa ô {cut_total.cell}").to_excel(names)


# -- the whitelist --------------------------------------------------------------------------

REJECTED = {
    "import": "import os",
    "dunder import": "__import__('os').system('ls')",
    "attribute access": "cut_total.__class__",
    "attribute in arithmetic": "cut_total + cut_cc.real",
    "lambda": "(lambda: 1)()",
    "bare lambda": "lambda x: x",
    "function not in whitelist": "eval('1')",
    "sum is not whitelisted": "sum(cut_cc, cut_vc)",
    "power": "cut_total ** 2",
    "floor division": "cut_total // 2",
    "modulo": "cut_total % 2",
    "bit operations": "cut_total & 1",
    "subscript": "cut_total[0]",
    "call with keywords": "round(cut_rate, ndigits=2)",
    "call with star args": "max(*cut_total)",
    "wrong arity": "round(cut_rate)",
    "no arguments": "max()",
    "list": "[cut_cc, cut_vc]",
    "comprehension": "[x for x in cut_total]",
    "conditional expression": "cut_cc if cut_vc else 0",
    "boolean constant": "cut_total == True",
    "none constant": "cut_total == None",
    "walrus": "(x := 1)",
    "f-string": "f'{cut_total}'",
    "membership": "cut_total in cut_cc",
    "identity": "cut_total is cut_cc",
    "countif on a plain name": "countif(issuer, 'Đảng ủy')",
    "two statements": "cut_total; cut_cc",
    "empty": "",
}


@pytest.mark.parametrize("text", list(REJECTED.values()), ids=list(REJECTED))
def test_whitelist_rejects(text):
    with pytest.raises(RuleSyntaxError):
        Expression(text)


def test_rejection_message_quotes_the_rule():
    with pytest.raises(RuleSyntaxError, match=r"cut_total \*\* 2"):
        Expression("cut_total ** 2")


def test_placeholders_in_messages_are_checked_too():
    with pytest.raises(RuleSyntaxError):
        Template("Sai: {cut_total ** 2}")


# -- property tests -------------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=10**9)


@given(cut_cc=counts, cut_vc=counts, cut_total=counts)
@example(cut_cc=4, cut_vc=4, cut_total=8)
@example(cut_cc=4, cut_vc=4, cut_total=9)
def test_cut_total_rule_is_the_arithmetic_truth(form, cut_cc, cut_vc, cut_total):
    env = {"cut_cc": cut_cc, "cut_vc": cut_vc, "cut_total": cut_total}
    assert _rule(form, "cut_total_sum").expr.evaluate(env) is (cut_total == cut_cc + cut_vc)


@given(dvc_total=counts, dvc_level4=counts)
def test_dvc_rule_is_the_arithmetic_truth(form, dvc_total, dvc_level4):
    env = {"dvc_total": dvc_total, "dvc_level4": dvc_level4}
    assert _rule(form, "dvc_level4_le_total").expr.evaluate(env) is (dvc_level4 <= dvc_total)


staff = st.integers(min_value=0, max_value=100_000)


@given(staff_cc=staff, staff_vc=staff, cut_total=st.integers(min_value=1, max_value=100_000))
def test_the_exact_rate_passes_and_a_point_off_fails(form, staff_cc, staff_vc, cut_total):
    rule = _rule(form, "cut_rate_formula")
    rate = cut_total / (staff_cc + staff_vc + cut_total)
    env = {"staff_cc": staff_cc, "staff_vc": staff_vc, "cut_total": cut_total}
    assert rule.expr.evaluate({**env, "cut_rate": rate}) is True
    assert rule.expr.evaluate({**env, "cut_rate": round(rate, 3)}) is True  # shown with one decimal
    assert rule.expr.evaluate({**env, "cut_rate": rate + 0.001}) is False
    assert rule.expr.evaluate({**env, "cut_rate": rate - 0.001}) is False


@given(st.integers(min_value=0, max_value=10**15))
def test_format_number_groups_thousands_with_dots(n):
    text = format_number(n)
    assert int(text.replace(".", "")) == n
    groups = text.split(".")
    assert 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])
    assert format_number(n, lang="en") == text.replace(".", ",")


@given(st.floats(min_value=0, max_value=1, allow_nan=False))
def test_format_percent_shows_at_most_two_decimals(x):
    text = format_percent(x)
    assert text.endswith("%")
    number = text[:-1]
    assert "." not in number
    whole, _, decimals = number.partition(",")
    assert len(decimals) <= 2
    assert abs(float(f"{whole}.{decimals or 0}") - x * 100) <= 0.005 + 1e-9


# -- numbers the Vietnamese way ---------------------------------------------------------------


@pytest.mark.parametrize(
    "value, vi, en",
    [
        (1234567, "1.234.567", "1,234,567"),
        (37, "37", "37"),
        (0, "0", "0"),
        (12.5, "12,5", "12.5"),
        (8.0, "8", "8"),
        (1234.5, "1.234,5", "1,234.5"),
        (41250000, "41.250.000", "41,250,000"),
        (2 / 3, "0,6667", "0.6667"),
        (dt.date(2020, 11, 16), "16/11/2020", "16/11/2020"),
        (dt.datetime(2020, 11, 16, 0, 0), "16/11/2020", "16/11/2020"),
        (None, "", ""),
        ("18-KH/ĐU", "18-KH/ĐU", "18-KH/ĐU"),
    ],
)
def test_format_number(value, vi, en):
    assert format_number(value) == vi
    assert format_number(value, lang="en") == en


@pytest.mark.parametrize(
    "value, vi, en",
    [
        (0.125, "12,5%", "12.5%"),
        (0.09615, "9,62%", "9.62%"),
        (9 / 65, "13,85%", "13.85%"),
        (1, "100%", "100%"),
        (0, "0%", "0%"),
        (0.005, "0,5%", "0.5%"),
    ],
)
def test_format_percent(value, vi, en):
    assert format_percent(value) == vi
    assert format_percent(value, lang="en") == en


# -- messages rendered for the validator ------------------------------------------------------


def attrs_of(form):
    def attrs(name: str, attr: str) -> str:
        f = form.field(name)
        return f.cell if attr == "cell" else f.label

    return attrs


def test_cut_total_message_names_cells_and_the_right_total(form):
    rule = _rule(form, "cut_total_sum")
    text = rule.message.render(seed(cut_total=9), attrs_of(form))
    assert text.startswith("Tổng số biên chế đã giảm (D27) là 9, nhưng công chức 4 + viên chức 4 = 8.")
    assert "Sửa ô D27 thành 8" in text and "D25, D26" in text
    english = rule.message_for("en").render(seed(cut_total=9), attrs_of(form), lang="en")
    assert "Change D27 to 8" in english


def test_cut_rate_message_shows_percentages_the_vietnamese_way(form):
    rule = _rule(form, "cut_rate_formula")
    text = rule.message.render(seed(cut_rate=0.2), attrs_of(form))
    assert "là 20%" in text and "8 / (28 + 28 + 8) = 12,5%" in text
    assert rule.live.render(seed(cut_rate=0.2), attrs_of(form)) == "Sai: tỷ lệ phải là 12,5%"
    assert rule.live_en.render(seed(cut_rate=0.2), attrs_of(form), lang="en") == "Wrong: the rate must be 12.5%"


def test_unrenderable_value_shows_a_question_mark(form):
    rule = _rule(form, "cut_rate_formula")
    zero = seed(staff_cc=0, staff_vc=0, cut_total=0)
    assert rule.live.render(zero, attrs_of(form)) == "Sai: tỷ lệ phải là ?"


def test_row_message_names_the_number_row_and_date(form):
    rule = _rule(form, "doc_date_before_year")
    env = {"number": "420/KH-STTTT-VP", "date": dt.date(2016, 4, 15), "report_year": 2020}
    text = rule.message.render(env, lambda name, attr: "E10", row=10)
    assert text.startswith("Văn bản 420/KH-STTTT-VP (dòng 10) ban hành ngày 15/04/2016, trước năm báo cáo")


def test_row_message_writes_the_report_year_as_a_year(form):
    # A year is never grouped: "2020", not "2.020" (the {report_year:d} placeholder).
    rule = _rule(form, "doc_date_before_year")
    env = {"number": "420/KH-STTTT-VP", "date": dt.date(2016, 4, 15), "report_year": 2020}
    text = rule.message.render(env, lambda name, attr: "E10", row=10)
    assert "trước năm báo cáo 2020." in text


# -- the live checks' Python mirror -----------------------------------------------------------


@pytest.mark.parametrize(
    "code, values, shown",
    [
        ("cut_total", seed(), OK),
        ("cut_total", seed(cut_total=9), "Sai: tổng phải bằng 8"),
        ("cut_rate", seed(), OK),
        ("cut_rate", seed(cut_rate=0.2), "Sai: tỷ lệ phải là 12,5%"),
        ("dvc_level4", seed(dvc_level4=40), "Sai: mức độ 4 không thể lớn hơn tổng 37"),
        ("cut_rate", seed(staff_cc=0, staff_vc=0, cut_cc=0, cut_vc=0, cut_total=0, cut_rate=0), OK),
        ("cut_total", seed(cut_total=None), MISSING),
        ("cut_total", seed(cut_vc=None), ""),  # wait for the other figures before judging
        ("cut_total", seed(cut_total="8"), TEXT_NUMBER),
        ("cut_total", seed(cut_cc="04"), OK),
        ("cut_total", seed(cut_cc="bốn"), CANNOT),
        ("staff_cc", seed(), ""),  # no rule anchored here
        ("report_number", {"report_number": None}, ""),  # optional
    ],
)
def test_field_check_mirror(form, code, values, shown):
    assert field_check_value(form, form.field(code), values) == shown


def test_row_check_mirror(form):
    from tests.support.testing import SEED_DOCS

    table = form.tables["van_ban"]
    env = {"report_year": 2020}
    assert row_check_value(form, table, SEED_DOCS[0], env) == OK
    assert row_check_value(form, table, SEED_DOCS[5], env).startswith("Lưu ý: ban hành trước năm")
    late = {**SEED_DOCS[0], "date": dt.date(2021, 1, 5)}
    assert row_check_value(form, table, late, env).startswith("Sai: ngày ban hành sau năm")
    partial = {"issuer": "Đảng ủy", "doc_type": "Kế hoạch", "title": "Về …"}
    assert row_check_value(form, table, partial, env) == "Sai: thiếu Số, ký hiệu; Ngày ban hành"
    assert row_check_value(form, table, {}, env) == ""


def test_row_check_mirror_shows_the_year_as_the_sheet_does(form):
    from tests.support.testing import SEED_DOCS

    table = form.tables["van_ban"]
    assert row_check_value(form, table, SEED_DOCS[5], {"report_year": 2020}) == "Lưu ý: ban hành trước năm 2020"


def test_report_date_checks_of_the_sheet_mirror(form):
    f = form.field("report_date")

    def shown(value):
        return field_check_value(form, f, {"report_date": value, "report_year": 2020})

    assert shown(dt.date(2020, 11, 16)) == OK
    assert shown(dt.date(2021, 3, 31)) == "Lưu ý: ngày thuộc năm 2021"
    assert shown(dt.date(2021, 4, 1)) == "Sai: sau quý I năm 2021"
    assert shown(dt.date(2019, 12, 31)) == "Sai: trước năm 2020"
    assert shown(2016) == YEAR_ONLY  # a year typed in the date cell: 08/07/1905, as dv says (value-date-year)
    assert shown("2016") == YEAR_ONLY
    assert shown("16/11/2020") == TEXT_DATE  # read day first, with a warning
    assert shown("16/11/2021") == "Sai: sau quý I năm 2021"  # read, then judged by the rules
    assert shown("11/16/2020") == NOT_DATE


def test_number_checks_of_the_sheet_mirror(form):
    level4, rate = form.field("dvc_level4"), form.field("cut_rate")
    env = {"dvc_total": 29, "dvc_level4": 29.0000001}
    assert field_check_value(form, level4, env) == OK  # a pasted formula's float noise: 29, as dv reads it
    assert field_check_value(form, level4, {**env, "dvc_level4": 28.999999999999996}) == OK
    assert field_check_value(form, level4, {**env, "dvc_level4": 28.9999}).startswith("Sai: phải là số nguyên")
    assert field_check_value(form, level4, {**env, "dvc_level4": -1}) == "Sai: không được là số âm"
    seed = {"staff_cc": 28, "staff_vc": 28, "cut_total": 8}
    assert field_check_value(form, rate, {**seed, "cut_rate": 12.5}).startswith("Lưu ý: đã gõ số thay vì phần trăm")
    assert field_check_value(form, rate, {**seed, "cut_rate": 150}) == "Sai: tỷ lệ không được lớn hơn 100%"


def test_row_check_mirror_takes_either_tone_mark_style(form):
    table = form.tables["van_ban"]
    row = {
        "issuer": "Đảng uỷ",
        "doc_type": "Kế hoạch",
        "number": "18-KH/ĐU",
        "date": dt.date(2020, 3, 25),
        "title": "x",
    }
    assert row_check_value(form, table, row, {"report_year": 2020}) == OK
    other = {**row, "issuer": "UBND tỉnh"}
    assert row_check_value(form, table, other, {"report_year": 2020}) == (
        'Sai: Cơ quan ban hành "UBND tỉnh" không có trong danh sách (Đảng ủy, Chính quyền)'
    )
    assert row_check_value(form, table, {**row, "date": 2016}, {"report_year": 2020}) == YEAR_ONLY


def test_year_of_a_number_is_the_year_of_that_day_as_in_a_spreadsheet():
    # 2016 typed into a date cell is 08/07/1905 to YEAR(): the live check says "Sai" as dv does.
    assert Expression("year(date)").evaluate({"date": 2016}) == 1905
    assert Expression("month(date)").evaluate({"date": 2016}) == 7
    assert Expression("year(date) >= 1945").evaluate({"date": 42475}) is True  # 15/04/2016
