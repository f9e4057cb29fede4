"""dv check on workbooks filled like a clerk would: every rule, every coercion."""

from __future__ import annotations

import datetime as dt
import json
import zipfile

import pytest
from typer.testing import CliRunner

from tests.support.domain import DROP, appendix, check, codes, errors, filled, form, warnings
from tests.support.testing import SEED_DOCS
from toolkit.cli import app
from toolkit.intake.readers import RawBook, read_raw
from toolkit.issues import CATALOGUE
from toolkit.roster import Roster, Unit

D = dt.date


def doc(**changes):
    base = {
        "issuer": "Chính quyền",
        "doc_type": "Kế hoạch",
        "number": "545/KH-STTTT-VP",
        "date": D(2020, 4, 16),
        "title": "Kế hoạch dân vận chính quyền năm 2020",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not DROP}


# -- the seed --------------------------------------------------------------------------------


def test_the_seed_passes_with_one_warning_the_2016_plan(tmp_path):
    report = check(filled(tmp_path))
    assert report.status == "accepted"
    assert errors(report) == set()
    assert warnings(report) == {("doc_date_before_year", "van_ban.date")}
    (warning,) = report.warnings
    assert warning.cell == "E10" and "420/KH-STTTT-VP" in warning.message


def test_the_seed_values_are_read_typed(tmp_path):
    report = check(filled(tmp_path))
    v = report.values
    assert (v["dvc_total"], v["dvc_level4"]) == (37, 29)
    assert (v["staff_cc"], v["staff_vc"], v["cut_cc"], v["cut_vc"], v["cut_total"]) == (28, 28, 4, 4, 8)
    assert v["cut_rate"] == pytest.approx(0.125)
    assert (v["docs_party"], v["docs_gov"], v["docs_total"]) == (5, 2, 7)
    assert v["report_date"] == D(2020, 11, 16)
    assert report.unit_code == "STTTT"
    assert len(report.docs) == 7


# -- rules -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"cut_total": 9}, {("cut_total_sum", "cut_total"), ("cut_rate_formula", "cut_rate")}),
        ({"cut_rate": 0.2}, {("cut_rate_formula", "cut_rate")}),
        ({"cut_rate": 0.1254}, set()),  # within half of the last shown decimal
        ({"cut_rate": 0.1256}, {("cut_rate_formula", "cut_rate")}),
        ({"dvc_level4": 40}, {("dvc_level4_le_total", "dvc_level4")}),
        ({"dvc_level4": 37}, set()),
        ({"staff_cc": 0, "staff_vc": 0, "cut_cc": 0, "cut_vc": 0, "cut_total": 0, "cut_rate": 0}, set()),
    ],
)
def test_rules(tmp_path, changes, expected):
    assert errors(check(filled(tmp_path, values=appendix(**changes)))) == expected


def test_rule_message_names_cells_and_numbers(tmp_path):
    report = check(filled(tmp_path, values=appendix(cut_total=9, cut_rate=9 / 65)))
    (issue,) = report.errors
    assert issue.code == "cut_total_sum" and issue.sheet == "Phụ lục" and issue.cell == "D27"
    assert issue.message == (
        "Tổng số biên chế đã giảm (D27) là 9, nhưng công chức 4 + viên chức 4 = 8. "
        "Sửa ô D27 thành 8, hoặc sửa số đã giảm ở ô D25, D26."
    )
    assert "civil servants 4 + public employees 4 = 8" in issue.message_en


def test_rate_message_shows_percentages_the_vietnamese_way(tmp_path):
    report = check(filled(tmp_path, values=appendix(cut_rate=0.2)))
    (issue,) = report.errors
    assert "là 20%" in issue.message and "= 12,5%" in issue.message


# -- required, types, unfilled -----------------------------------------------------------------


def test_missing_required_fields(tmp_path):
    report = check(filled(tmp_path, values=appendix(dvc_total=DROP, report_date=DROP)))
    assert errors(report) == {("value-required", "dvc_total"), ("value-required", "report_date")}


def test_an_unfilled_template_is_one_error(tmp_path):
    report = check(filled(tmp_path, values={}, docs=[]))
    assert codes(report) == {("template-unfilled", "")}


def test_an_unfilled_personalised_template_is_one_error(tmp_path):
    unit = Unit("STTTT", "Sở Thông tin và Truyền thông", "so")
    report = check(filled(tmp_path, values={}, docs=[], unit=unit))
    assert codes(report) == {("template-unfilled", "")}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"dvc_total": -1}, ("value-negative", "dvc_total")),
        ({"dvc_total": 3.5}, ("value-not-integer", "dvc_total")),
        ({"dvc_total": "ba mươi bảy"}, ("value-not-number", "dvc_total")),
        ({"cut_rate": 1.5}, None),  # 1.5 typed as "1,5 %": read as a percentage, warned
        ({"cut_rate": 250}, ("value-percent-range", "cut_rate")),
        ({"report_date": "hôm qua"}, ("value-not-date", "report_date")),
        ({"report_year": 2019}, ("value-fixed-changed", "report_year")),
    ],
)
def test_type_errors(tmp_path, changes, expected):
    report = check(filled(tmp_path, values=appendix(**changes)))
    if expected is None:
        assert not any(code.startswith("value-") for code, _ in errors(report))
    else:
        assert expected in errors(report)


# -- coercions: accepted with a warning that names the cell --------------------------------------


@pytest.mark.parametrize(
    ("changes", "warning", "field", "value"),
    [
        ({"cut_cc": "04"}, "value-text-number", "cut_cc", 4),
        ({"staff_cc": "28"}, "value-text-number", "staff_cc", 28),
        ({"dvc_total": "\u00a037 "}, "value-text-number", "dvc_total", 37),
        ({"cut_rate": "12,5%"}, "value-text-number", "cut_rate", 0.125),
        ({"cut_rate": "12,5"}, "value-percent-number", "cut_rate", 0.125),
        ({"cut_rate": 12.5}, "value-percent-number", "cut_rate", 0.125),
        ({"report_date": "16/11/2020"}, "value-text-date", "report_date", D(2020, 11, 16)),
        ({"report_date": "16-11-2020"}, "value-text-date", "report_date", D(2020, 11, 16)),
        (
            {"unit_name": "  Sở Thông tin  và Truyền thông "},
            "value-spaces",
            "unit_name",
            "Sở Thông tin và Truyền thông",
        ),
    ],
)
def test_coercions(tmp_path, changes, warning, field, value):
    report = check(filled(tmp_path, values=appendix(**changes)))
    assert errors(report) == set()
    assert (warning, field) in warnings(report)
    assert report.values[field] == pytest.approx(value) if isinstance(value, float) else report.values[field] == value
    (issue,) = [i for i in report.issues if i.code == warning]
    assert issue.cell == form().field(field).cell and issue.cell in issue.message


def test_big_numbers_with_thousands_grouped_twice_or_more(tmp_path):
    """``41.250.000`` and ``1,000,000`` are one number whatever the computer: read, with a warning."""
    report = check(
        filled(
            tmp_path,
            values=appendix(
                staff_cc="1.250.000", staff_vc="1,000,000", cut_total=8, cut_rate=8 / (1_250_000 + 1_000_000 + 8)
            ),
        )
    )
    assert (report.values["staff_cc"], report.values["staff_vc"]) == (1_250_000, 1_000_000)
    assert errors(report) == set()
    assert {("value-text-number", "staff_cc"), ("value-text-number", "staff_vc")} <= warnings(report)


@pytest.mark.parametrize("typed", ["1,000", "4.000", "41.250", " 1,250 ", "12,500"])
def test_one_separator_before_three_digits_is_read_as_neither(tmp_path, typed):
    """Issue 17 item 8: 1,000 is 1000 to an English computer and 1 to a Vietnamese one: an
    error at the typed cell saying what to type, never 1 or 4 merged, never blamed on another cell."""
    report = check(filled(tmp_path, values=appendix(staff_vc=typed)))
    assert errors(report) == {("value-ambiguous-number", "staff_vc")}
    (issue,) = report.errors
    digits = typed.strip().replace(",", "").replace(".", "")
    assert (
        issue.cell == form().field("staff_vc").cell
        and f"không có dấu phân cách vào ô {issue.cell}: {digits}" in issue.message
    )
    assert report.values["staff_vc"] is None


def test_nfd_text_is_normalised(tmp_path):
    import unicodedata

    name = unicodedata.normalize("NFD", "Sở Thông tin và Truyền thông")
    report = check(filled(tmp_path, values=appendix(unit_name=name)))
    assert ("value-unicode-nfd", "unit_name") in warnings(report)
    assert report.values["unit_name"] == "Sở Thông tin và Truyền thông"


@pytest.mark.parametrize(
    ("typed", "encoding"),
    [("Së Th«ng tin vµ TruyÒn th«ng", "TCVN3"), ("Sôû Thoâng tin vaø Truyeàn thoâng", "VNI")],
)
def test_legacy_encodings_are_detected_and_converted(tmp_path, typed, encoding):
    report = check(filled(tmp_path, values=appendix(unit_name=typed)))
    (issue,) = [i for i in report.issues if i.code == "value-legacy-encoding"]
    assert issue.field == "unit_name" and encoding in issue.message
    assert report.values["unit_name"] == "Sở Thông tin và Truyền thông"


def test_formula_in_input_cell_uses_cached_value_or_fails(tmp_path):
    path = filled(tmp_path, values=appendix(cut_total="=cut_cc+cut_vc"))  # openpyxl: no cached value
    report = check(path)
    assert ("value-formula-no-value", "cut_total") in errors(report)


def test_formula_with_cached_value_is_a_warning(tmp_path):
    path = filled(tmp_path, values=appendix(cut_total="=cut_cc+cut_vc"))
    _give_cached_value(path, "D27", "8")
    report = check(path)
    assert ("value-formula", "cut_total") in warnings(report)
    assert report.values["cut_total"] == 8 and errors(report) == set()


def _give_cached_value(path, cell, value):
    """Add <v> to a formula cell, as Excel saves it (openpyxl writes formulas without one)."""
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode("utf-8")
    start = sheet.index(f'r="{cell}"')
    end = sheet.index("</c>", start)
    sheet = sheet[:end] + f"<v>{value}</v>" + sheet[end:]
    parts["xl/worksheets/sheet1.xml"] = sheet.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def test_cell_facts_reader_sees_formulas_and_names(tmp_path):
    """Pins the use of openpyxl's own workbook/worksheet parsers (readers._read_cell_facts)."""
    path = filled(tmp_path, values=appendix(cut_total="=cut_cc+cut_vc"))
    book: RawBook = read_raw(path, "xlsx", form())
    assert book.formulas == {("Phụ lục", "D27"): "=cut_cc+cut_vc"}
    assert book.names["cut_total"] == "'Phụ lục'!$D$27"
    assert set(book.names) >= {f.code for f in form().fields} | {"van_ban"}


# -- documents ---------------------------------------------------------------------------------


def test_half_filled_document_row(tmp_path):
    report = check(filled(tmp_path, docs=[*SEED_DOCS, {"issuer": "Đảng ủy", "number": "7-KH/ĐU"}]))
    (issue,) = [i for i in report.issues if i.code == "doc-incomplete"]
    assert issue.severity == "error" and "dòng 12" in issue.message
    assert "Loại văn bản" in issue.message and "Ngày ban hành" in issue.message and "Trích yếu" in issue.message


def test_blank_rows_between_documents_are_skipped(tmp_path):
    docs = [*SEED_DOCS[:2], {}, {}, *SEED_DOCS[2:]]
    report = check(filled(tmp_path, docs=docs))
    assert len(report.docs) == 7 and report.values["docs_total"] == 7


def test_document_after_the_year_is_an_error(tmp_path):
    report = check(filled(tmp_path, docs=[doc(date=D(2021, 1, 5))]))
    assert ("doc_date_after_year", "van_ban.date") in errors(report)


def test_document_date_as_text(tmp_path):
    report = check(filled(tmp_path, docs=[doc(date="25/03/2020")]))
    assert ("value-text-date", "van_ban.date") in warnings(report)
    assert report.docs[0]["date"] == D(2020, 3, 25)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (doc(issuer="Đảng ủy", number="545/KH-STTTT-VP"), {("doc-number-style", "van_ban.number")}),
        (doc(issuer="Chính quyền", number="18-KH/ĐU"), {("doc-number-style", "van_ban.number")}),
        (doc(doc_type="Quyết định", number="545/KH-STTTT-VP"), {("doc-number-type", "van_ban.number")}),
        (doc(doc_type="Công văn", number="477/STTTT-TTra"), set()),
        (doc(doc_type="Công văn", number="12/KH-STTTT"), {("doc-number-type", "van_ban.number")}),
        (doc(issuer="Đảng ủy", doc_type="Hướng dẫn", number="39-HD/BCĐ"), set()),
        # The type in lower case is a case slip, not another type (issue 9, item 16).
        (doc(issuer="Đảng ủy", number="18-kh/ĐU"), set()),
        (doc(doc_type="Quyết định", number="12/qđ-UBND"), set()),
        (doc(doc_type="Công văn", number="12/kh-STTTT"), {("doc-number-type", "van_ban.number")}),
    ],
)
def test_document_number_checks(tmp_path, row, expected):
    report = check(filled(tmp_path, docs=[row]))
    assert {c for c in warnings(report) if c[0].startswith("doc-number")} == expected


def test_same_number_twice(tmp_path):
    """The same number with another subject (or date…): a mistyped number, a warning."""
    report = check(filled(tmp_path, docs=[doc(), doc(title="Bản chép lại")]))
    assert ("doc-number-duplicate", "van_ban.number") in warnings(report)
    assert errors(report) == set()


def test_a_row_pasted_twice_is_an_error_at_both_rows(tmp_path):
    """Issue 17 item 9: 10 documents merged for 7 no more."""
    docs = [*SEED_DOCS[:3], SEED_DOCS[1], *SEED_DOCS[3:], SEED_DOCS[1], dict(SEED_DOCS[2], number=" 39-HD/BCĐ")]
    report = check(filled(tmp_path, docs=docs))
    dupes = [i for i in report.issues if i.code == "doc-duplicate-row"]
    assert [(i.cell, i.severity) for i in dupes] == [("B6", "error"), ("B8", "error"), ("B13", "error")]
    assert "dòng 8, 13" in dupes[0].message and "dòng 6, 13" in dupes[1].message
    # The columns compared are the form's identity columns, by their labels.
    table = form().tables["van_ban"]
    labels = "; ".join(table.column(code).label for code in table.identity)
    assert f"(cùng {labels})" in dupes[0].message
    # The number repeated with other cells (row 14: another document under 39-HD/BCĐ): a warning.
    assert ("doc-number-duplicate", "van_ban.number") in warnings(report)
    assert report.status == "rejected"


def test_issuer_outside_the_list(tmp_path):
    report = check(filled(tmp_path, docs=[doc(issuer="UBND")]))
    assert ("value-not-choice", "van_ban.issuer") in errors(report)


# -- unit and roster ---------------------------------------------------------------------------

ROSTER = Roster((Unit("STTTT", "Sở Thông tin và Truyền thông", "so"), Unit("SNV", "Sở Nội vụ", "so")))


def test_unit_not_in_roster(tmp_path):
    report = check(filled(tmp_path, values=appendix(unit_code="XYZ")), ROSTER)
    assert ("unit-unknown", "unit_code") in errors(report)


def test_personalised_template_of_another_unit(tmp_path):
    path = filled(tmp_path, values=appendix(unit_code="SNV"), unit=ROSTER.units[0])
    assert ("unit-mismatch", "unit_code") in errors(check(path, ROSTER))


# -- the command -------------------------------------------------------------------------------


def test_cli_json_equals_the_library_report(tmp_path):
    good = filled(tmp_path, "good.xlsx")
    bad = filled(tmp_path, "bad.xlsx", values=appendix(cut_total=9))
    result = CliRunner().invoke(app, ["check", str(good), str(bad), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["form"] == {"id": "dan-van-chinh-quyen", "version": form().version, "year": 2020}
    assert [f["status"] for f in data["files"]] == ["accepted", "rejected"]
    assert data["files"][1]["issues"][0] == check(bad).sorted_issues()[0].to_dict()


def test_cli_exit_codes(tmp_path):
    good = filled(tmp_path, "good.xlsx")
    assert CliRunner().invoke(app, ["check", str(good)]).exit_code == 0
    pdf = tmp_path / "x.xlsx"
    pdf.write_bytes(b"%PDF-1.4\n")
    result = CliRunner().invoke(app, ["check", str(pdf)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert CliRunner().invoke(app, ["check", str(tmp_path / "nope.xlsx")]).exit_code == 2


def test_cli_annotate_writes_a_copy_and_leaves_the_input(tmp_path):
    bad = filled(tmp_path, "bad.xlsx", values=appendix(cut_total=9))
    before = bad.read_bytes()
    result = CliRunner().invoke(app, ["check", str(bad), "--annotate"])
    assert result.exit_code == 1
    assert bad.read_bytes() == before
    import openpyxl

    wb = openpyxl.load_workbook(tmp_path / "bad.kiem-tra.xlsx")
    comment = wb["Phụ lục"]["D27"].comment
    assert comment is not None and "4 + viên chức 4 = 8" in comment.text
    # a second run does not overwrite without --force
    again = CliRunner().invoke(app, ["check", str(bad), "--annotate"])
    assert "--force" in again.output


def test_every_catalogued_code_has_both_languages():
    for code, kind in CATALOGUE.items():
        assert kind.vi and kind.en and kind.title, code
        assert kind.severity in ("error", "warning")


def test_a_document_cell_of_spaces_counts_as_missing(tmp_path):
    report = check(filled(tmp_path, docs=[doc(number="   ")]))
    assert ("doc-incomplete", "van_ban.number") in errors(report)
