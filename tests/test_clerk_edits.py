"""What the workbook holds after a clerk worked on it in LibreOffice (issue 9, items 1, 2, 5):
a documents table grown by inserted rows, documents typed below the table, a count typed
over its formula, a unit picked from the roster's dropdown and saved as .xls.

The files are made the way the clerk made them: LibreOffice, driven through UNO
(tests/uno_clerk.py, run by the system Python that has python3-uno), unprotects the sheet,
inserts rows, types, and saves as xlsx, ods and xls. All of it in one LibreOffice session."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.support import programs
from tests.support.domain import codes, errors, filled, form
from tests.support.programs import UNO_PYTHON
from tests.support.testing import SEED, SEED_DOCS, fill_template
from toolkit.intake import check_file
from toolkit.issues import CATALOGUE
from toolkit.merger import merge
from toolkit.roster import Roster
from toolkit.template import build_template

CLERK = Path(__file__).parent / "support" / "uno_clerk.py"
FORMATS = ("xlsx", "ods", "xls")
TABLE = form().tables["van_ban"]
MAIN = form().layout.sheet
ROW_INSERT_AT = TABLE.first_row + 95  # a row in the middle of the table


def clerk(jobs: list[dict[str, Any]], folder: Path) -> None:
    script = folder / "clerk.json"
    script.write_text(json.dumps({"jobs": jobs}, ensure_ascii=False, default=str), encoding="utf-8")
    proc = subprocess.run([UNO_PYTHON, str(CLERK), str(script)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]


def typed(doc: dict[str, Any]) -> list[Any]:
    """A document row as the clerk types it (dates in ISO, which LibreOffice reads in any locale)."""
    return [doc[c.code].isoformat() if isinstance(doc[c.code], dt.date) else doc[c.code] for c in TABLE.columns]


def many_docs(n: int) -> list[dict[str, Any]]:
    """``n`` documents, alternately of the Party committee and of the government."""
    out = []
    for i in range(1, n + 1):
        party = i % 2 == 1
        out.append(
            {
                "issuer": "Đảng ủy" if party else "Chính quyền",
                "doc_type": "Kế hoạch",
                "number": f"{i}-KH/ĐU" if party else f"{i}/KH-STTTT-VP",
                "date": dt.date(2020, 3, 25),
                "title": f"Kế hoạch thực hiện công tác dân vận số {i}",
            }
        )
    return out


PARTY_TWO = [d for d in SEED_DOCS if d["issuer"] == "Đảng ủy"][:2]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, roster: Roster) -> dict[str, Path]:
    """Every workbook of this module, by case and format ("grown.xls")."""
    if (why := programs.missing("uno")) is not None:
        pytest.skip(why)
    folder = tmp_path_factory.mktemp("clerk")
    seed_only = folder / "seed-only.xlsx"
    fill_template(build_template(form()), SEED, [], out=seed_only)
    two_party = folder / "two-party.xlsx"
    fill_template(build_template(form()), SEED, PARTY_TWO, out=two_party)
    seven = folder / "seven.xlsx"
    fill_template(build_template(form()), SEED, SEED_DOCS, out=seven)
    # The generic template with the roster's dropdown, figures filled, the unit not yet chosen.
    dropdown = folder / "dropdown.xlsx"
    # No report number either: the seed's (…/BC-STTTT-VP) names Sở TT&TT, which a file of Sở Y tế
    # would rightly be doubted for (unit-conflict).
    no_unit = {k: v for k, v in SEED.items() if k not in (form().roster_code, form().roster_name, form().number_field)}
    fill_template(build_template(form(), roster=roster), no_unit, SEED_DOCS, out=dropdown)

    def saved(case: str) -> dict[str, str]:
        return {fmt: str(folder / f"{case}.{fmt}") for fmt in FORMATS}

    below = TABLE.last_row + 1
    name_cell = form().field(form().roster_name).cell
    jobs = [
        # 1. 350 documents: 50 rows inserted in the middle of the table, then typed.
        {
            "source": str(seed_only),
            "save": saved("grown"),
            "steps": [
                {"do": "unprotect", "sheet": TABLE.sheet},
                {"do": "insert_rows", "sheet": TABLE.sheet, "before": ROW_INSERT_AT, "count": 50},
                {
                    "do": "rows",
                    "sheet": TABLE.sheet,
                    "cell": f"{TABLE.first_column}{TABLE.first_row}",
                    "rows": [typed(d) for d in many_docs(TABLE.rows + 50)],
                },
                # The clerk copies a check cell into the first inserted row (every row's is the same).
                {
                    "do": "copy",
                    "sheet": TABLE.sheet,
                    "from": f"{TABLE.check_column}{TABLE.first_row}",
                    "to": f"{TABLE.check_column}{ROW_INSERT_AT}",
                },
            ],
        },
        # 1. In .xls (no defined names for dv): a grown table, and one more document below it.
        {
            "source": str(seed_only),
            "save": {"xls": str(folder / "grown-and-below.xls")},
            "steps": [
                {"do": "unprotect", "sheet": TABLE.sheet},
                {"do": "insert_rows", "sheet": TABLE.sheet, "before": ROW_INSERT_AT, "count": 20},
                {
                    "do": "rows",
                    "sheet": TABLE.sheet,
                    "cell": f"{TABLE.first_column}{TABLE.first_row}",
                    "rows": [typed(d) for d in many_docs(TABLE.rows + 20)],
                },
                {
                    "do": "rows",
                    "sheet": TABLE.sheet,
                    "cell": f"{TABLE.first_column}{TABLE.last_row + 25}",
                    "rows": [typed(d) for d in many_docs(1)],
                },
            ],
        },
        # 1. Two more documents typed just below the table's last row.
        {
            "source": str(seven),
            "save": saved("below"),
            "steps": [
                {"do": "unprotect", "sheet": TABLE.sheet},
                {
                    "do": "rows",
                    "sheet": TABLE.sheet,
                    "cell": f"{TABLE.first_column}{below}",
                    "rows": [typed(d) for d in many_docs(2)],
                },
            ],
        },
        # 5. 12 typed over the Party-documents count, with 2 Party documents listed.
        {
            "source": str(two_party),
            "save": saved("typed-over"),
            "steps": [
                {"do": "unprotect", "sheet": MAIN},
                {"do": "type", "sheet": MAIN, "cell": form().field("docs_party").cell, "text": "12"},
            ],
        },
        # 5. The same file untouched: formulas intact, cached values right.
        {"source": str(two_party), "save": saved("intact"), "steps": []},
        # 2. The unit picked by name in the dropdown template, two units.
        {
            "source": str(dropdown),
            "save": saved("dropdown-STTTT"),
            "steps": [{"do": "type", "sheet": MAIN, "cell": name_cell, "text": "Sở Thông tin và Truyền thông"}],
        },
        {
            "source": str(dropdown),
            "save": saved("dropdown-SYT"),
            "steps": [{"do": "type", "sheet": MAIN, "cell": name_cell, "text": "Sở Y tế"}],
        },
    ]
    clerk(jobs, folder)
    return {"grown-and-below.xls": folder / "grown-and-below.xls"} | {
        f"{case}.{fmt}": folder / f"{case}.{fmt}"
        for case in ("grown", "below", "typed-over", "intact", "dropdown-STTTT", "dropdown-SYT")
        for fmt in FORMATS
    }


# -- 1. more documents than the pre-made rows ------------------------------------------------------


@pytest.mark.libreoffice
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_table_grown_by_inserted_rows_is_read_to_its_new_end(files: dict[str, Path], fmt: str) -> None:
    report = check_file(files[f"grown.{fmt}"], form())
    assert errors(report) == set()
    assert len(report.docs) == TABLE.rows + 50
    assert report.docs[-1]["_row"] == TABLE.last_row + 50
    # What the sheet itself counted (and the unit signed) is what dv merges.
    assert (report.values["docs_party"], report.values["docs_gov"], report.values["docs_total"]) == (175, 175, 350)
    assert "derived-mismatch" not in {code for code, _ in codes(report)}


@pytest.mark.libreoffice
def test_rows_inserted_in_the_table_get_their_live_check_when_a_check_cell_is_copied(files: dict[str, Path]) -> None:
    """LibreOffice copies no formula into inserted rows: they show no live check (dv check still
    checks them, as every row of the grown table) until the clerk copies a check cell into them;
    the copied cell (the same formula, of the name van_ban_kiem_tra, in every row) checks its own row."""
    import openpyxl

    ws = openpyxl.load_workbook(files["grown.xlsx"], data_only=True)[TABLE.sheet]
    check = TABLE.check_column
    assert ws[f"{check}{ROW_INSERT_AT}"].value == "Khớp"  # the copied check, on its own row
    assert {ws[f"{check}{r}"].value for r in range(ROW_INSERT_AT + 1, ROW_INSERT_AT + 50)} == {None}
    premade = [*range(TABLE.first_row, ROW_INSERT_AT), *range(ROW_INSERT_AT + 50, TABLE.last_row + 51)]
    assert {ws[f"{check}{r}"].value for r in premade} == {"Khớp"}
    assert [ws[f"{TABLE.number_column}{r}"].value for r in (TABLE.first_row, TABLE.last_row + 50)] == [
        1,
        TABLE.rows + 50,
    ]


@pytest.mark.libreoffice
@pytest.mark.parametrize("fmt", FORMATS)
def test_documents_typed_below_the_table_are_an_error_naming_the_rows(files: dict[str, Path], fmt: str) -> None:
    report = check_file(files[f"below.{fmt}"], form())
    assert errors(report) == {("doc-outside-table", "van_ban")}
    issue = next(i for i in report.issues if i.code == "doc-outside-table")
    below = TABLE.last_row + 1
    assert issue.cell == f"{TABLE.first_column}{below}"
    assert f"dòng {below}-{below + 1}" in issue.message and f"{TABLE.first_row} đến {TABLE.last_row}" in issue.message
    # Not counted, as the sheet does not count them: the seed's 7 documents.
    assert len(report.docs) == len(SEED_DOCS) and report.values["docs_total"] == len(SEED_DOCS)


@pytest.mark.libreoffice
def test_in_xls_the_sheets_own_counts_tell_a_grown_table_from_rows_below_it(files: dict[str, Path]) -> None:
    """python-calamine gives no defined names for .xls: the table ends where the sheet's
    saved counts say it does."""
    report = check_file(files["grown-and-below.xls"], form())
    assert errors(report) == {("doc-outside-table", "van_ban")}
    assert len(report.docs) == TABLE.rows + 20 and report.values["docs_total"] == TABLE.rows + 20
    issue = next(i for i in report.issues if i.code == "doc-outside-table")
    assert issue.cell == f"{TABLE.first_column}{TABLE.last_row + 25}"


def test_a_row_typed_below_the_table_by_a_program_is_not_dropped_silently(tmp_path: Path) -> None:
    import openpyxl

    path = filled(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb[TABLE.sheet]
    for col, value in zip(TABLE.columns, typed(many_docs(1)[0]), strict=True):
        ws[f"{col.column}{TABLE.last_row + 3}"] = value
    wb.save(path)
    report = check_file(path, form())
    assert errors(report) == {("doc-outside-table", "van_ban")}
    assert str(TABLE.last_row + 3) in report.issues[-1].message or any(
        str(TABLE.last_row + 3) in i.message for i in report.issues
    )


def test_the_guide_and_the_table_say_what_a_unit_with_more_documents_does(template_bytes: bytes) -> None:
    import io

    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(template_bytes))
    note = wb[TABLE.sheet][f"{TABLE.first_column}2"].value  # above the printed columns
    assert "chèn thêm dòng vào giữa bảng" in note and "không gõ xuống dưới bảng" in note
    guide = " ".join(str(c.value) for row in wb[form().layout.guide_sheet].iter_rows() for c in row if c.value)
    assert "chèn thêm dòng" in guide and "Bỏ bảo vệ trang" in guide


# -- 5. a count typed over its formula -------------------------------------------------------------


@pytest.mark.libreoffice
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_count_typed_over_its_formula_is_an_error_with_both_numbers(files: dict[str, Path], fmt: str) -> None:
    report = check_file(files[f"typed-over.{fmt}"], form())
    # docs_total still adds the cells it sees (12 + 0): only the cell typed over is named.
    assert errors(report) == {("derived-mismatch", "docs_party")}
    issue = next(i for i in report.issues if i.code == "derived-mismatch")
    assert (issue.sheet, issue.cell) == (MAIN, form().field("docs_party").cell)
    assert "ghi 12" in issue.message and "phải là 2" in issue.message
    assert 'đếm theo cột "Cơ quan ban hành" ở trang Văn bản (chép lại ô này từ biểu mẫu gốc)' in issue.message
    assert report.status == "rejected"


@pytest.mark.libreoffice
@pytest.mark.parametrize("fmt", FORMATS)
def test_counts_whose_formulas_are_intact_raise_nothing(files: dict[str, Path], fmt: str) -> None:
    report = check_file(files[f"intact.{fmt}"], form())
    assert errors(report) == set()
    assert report.values["docs_party"] == 2


def test_counts_without_a_cached_value_are_no_mismatch(tmp_path: Path) -> None:
    """openpyxl writes formulas without results: nothing to compare, nothing to report."""
    from python_calamine import CalamineWorkbook

    path = filled(tmp_path)
    wb = CalamineWorkbook.from_path(str(path))
    cell = form().field("docs_party")
    rows = wb.get_sheet_by_name(MAIN).to_python(skip_empty_area=False)
    assert rows[cell.row - 1][3] == ""  # no cached value
    assert errors(check_file(path, form())) == set()


def test_the_mismatch_message_is_in_the_catalogue() -> None:
    assert CATALOGUE["derived-mismatch"].severity == "error"
    assert CATALOGUE["doc-outside-table"].severity == "error"


# -- 2. the roster-dropdown template saved as .xls -------------------------------------------------


@pytest.mark.libreoffice
@pytest.mark.parametrize("fmt", ("xls", "xlsx"))
@pytest.mark.parametrize("unit", ("STTTT", "SYT"))
@pytest.mark.parametrize("with_roster", (True, False), ids=("units", "no-units"))
def test_the_unit_follows_the_name_chosen_in_the_dropdown(
    files: dict[str, Path], roster: Roster, fmt: str, unit: str, with_roster: bool
) -> None:
    report = check_file(files[f"dropdown-{unit}.{fmt}"], form(), roster if with_roster else None)
    assert report.unit_code == unit
    assert errors(report) == set()
    # dv's own formula in the code cell is no "formula typed into an input cell".
    assert not {c for c, _ in codes(report)} & {"value-formula", "value-formula-no-value", "unit-code-not-name"}


@pytest.mark.libreoffice
def test_two_units_from_the_dropdown_template_saved_as_xls_are_two_units(
    files: dict[str, Path], tmp_path: Path
) -> None:
    folder = tmp_path / "nop"
    folder.mkdir()
    for unit in ("STTTT", "SYT"):
        shutil.copy(files[f"dropdown-{unit}.xls"], folder / f"{unit}.xls")
    result = merge([folder], form())
    accepted = sorted(r.unit_code for r in result.accepted)
    assert accepted == ["STTTT", "SYT"]


def test_the_dropdown_template_carries_its_roster(roster: Roster) -> None:
    import io

    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_filelike(io.BytesIO(build_template(form(), roster=roster)))
    rows = wb.get_sheet_by_name(form().layout.meta_sheet).to_python()
    carried = [(r[1], r[2]) for r in rows if r[0] == "roster_unit"]
    assert carried == [(u.code, u.name) for u in roster.units]
    personal = CalamineWorkbook.from_filelike(io.BytesIO(build_template(form(), unit=roster.units[0], roster=roster)))
    assert not [r for r in personal.get_sheet_by_name(form().layout.meta_sheet).to_python() if r[0] == "roster_unit"]


def test_a_stored_code_naming_another_unit_than_the_chosen_name_is_a_warning(tmp_path: Path, roster: Roster) -> None:
    """The code formula's stored result names SYT while the chosen name is STTTT's: the name
    wins (the code is a formula of it), and the officer is told."""
    from toolkit.intake.readers import read_raw
    from toolkit.intake.validate import extract

    path = tmp_path / "mau.xlsx"
    no_code = {k: v for k, v in SEED.items() if k != form().roster_code}
    fill_template(build_template(form(), roster=roster), no_code, SEED_DOCS, out=path)
    report = check_file(path, form())
    assert report.unit_code == "STTTT" and errors(report) == set()
    book = read_raw(path, "xlsx", form())
    code = form().field(form().roster_code)
    book.sheets[code.sheet][code.row - 1][3] = "SYT"
    out = extract(book, form(), path.name)
    assert out.unit_code == "STTTT"
    assert {(i.code, i.field) for i in out.issues} >= {("unit-code-not-name", "unit_code")}


def test_a_name_not_in_the_roster_is_an_error_at_the_name(tmp_path: Path, roster: Roster) -> None:
    path = tmp_path / "mau.xlsx"
    no_code = {k: v for k, v in SEED.items() if k != form().roster_code}
    fill_template(build_template(form(), roster=roster), {**no_code, "unit_name": "Sở Không Có"}, SEED_DOCS, out=path)
    for given in (roster, None):
        report = check_file(path, form(), given)
        assert ("unit-name-not-in-list", "unit_code") in errors(report)
        assert ("value-required", "unit_code") not in errors(report)
        issue = next(i for i in report.issues if i.code == "unit-name-not-in-list")
        assert issue.cell == form().field(form().roster_name).cell


def test_a_unit_renamed_since_the_template_was_made_is_found_in_the_template_roster(
    tmp_path: Path, roster: Roster
) -> None:
    from toolkit.roster import Unit

    path = tmp_path / "mau.xlsx"
    no_code = {k: v for k, v in SEED.items() if k != form().roster_code}
    values = {**no_code, "unit_name": "Sở Y tế", "report_number": "…/BC-SYT-VP"}
    fill_template(build_template(form(), roster=roster), values, SEED_DOCS, out=path)
    renamed = Roster(units=tuple(Unit(u.code, "Sở Y tế tỉnh Trà Vinh") if u.code == "SYT" else u for u in roster.units))
    report = check_file(path, form(), renamed)
    assert report.unit_code == "SYT" and errors(report) == set()
    assert ("unit-name-differs", "unit_name") in codes(report)
