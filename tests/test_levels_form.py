"""The roll-up declared in the form (docs/spec.md §9.2): a field's ``rollup`` / ``rollup_from`` in
the TOML, the columns "Cộng lên cấp trên" and "Lấy từ chỉ tiêu cấp dưới" of the form workbook, a
table's ``rollup`` on its Bố cục row — written, read back into an equal form, and each mistake said
at its cell."""

from __future__ import annotations

import tomllib

import pytest

from tests.support.formbook import column_of, edit, entry_row, export_book, row_of, sheet_rows
from toolkit.form import FormError, check_form_file, load_form, load_form_file
from toolkit.form.export import export_form

MINISTRY = "dan-van-chinh-quyen-bo"


@pytest.mark.parametrize("form_id", ["dan-van-chinh-quyen", MINISTRY])
def test_the_declarations_round_trip_through_the_workbook_and_toml(form_id, tmp_path):
    form = load_form(form_id)
    assert form.rolls_up
    book = export_book(form, tmp_path / "b.xlsx")
    assert load_form_file(book) == form
    toml = tmp_path / "b.toml"
    toml.write_bytes(export_form(form, "toml"))
    assert load_form_file(toml) == form


def test_the_shipped_form_declares_every_input_field():
    form = load_form()
    declared = {f.code: f.rollup for f in form.fields}
    assert {c for c, r in declared.items() if r == "person"} == {
        "unit_code",
        "unit_name",
        "report_number",
        "report_date",
        "signer",
        "contact",
    }
    assert declared["cut_rate"] == "recompute" and declared["cut_total"] == "sum"
    assert all(declared[f.code] for f in form.input_fields)
    assert [f.code for f in form.fields if f.source != "input" and f.rollup] == []
    assert form.tables["van_ban"].rollup == "all"


def test_the_workbook_shows_the_officers_words(tmp_path):
    book = export_book(load_form(), tmp_path / "b.xlsx")
    rollup = column_of(book, "Chỉ tiêu", "Cộng lên cấp trên")
    rows = sheet_rows(book, "Chỉ tiêu")
    index = rows[0].index("Cộng lên cấp trên")
    words = {row[1]: row[index] for row in rows[1:] if row[1]}
    assert (words["cut_total"], words["cut_rate"], words["report_date"], words["docs_total"]) == (
        "cộng",
        "tính lại",
        "người nhập",
        "",
    )
    assert rollup  # a column of its own, with its dropdown
    layout = sheet_rows(book, "Bố cục")
    assert layout[entry_row(book, "Bố cục", "tables.van_ban.rollup") - 1][2] == "của các đơn vị"
    ministry = export_book(load_form(MINISTRY), tmp_path / "bo.xlsx")
    grouped = sheet_rows(ministry, "Chỉ tiêu")
    head = grouped[0]
    staff = next(r for r in grouped if r[1] == "staff_total")
    assert staff[head.index("Lấy từ chỉ tiêu cấp dưới")] == "staff_cc, staff_vc"


def test_the_toml_keys():
    data = tomllib.loads(export_form(load_form(MINISTRY), "toml").decode("utf-8"))
    staff = next(f for s in data["sections"] for f in s["fields"] if f["code"] == "staff_total")
    assert (staff["rollup"], staff["rollup_from"]) == ("sum", ["staff_cc", "staff_vc"])
    shipped = tomllib.loads(export_form(load_form(), "toml").decode("utf-8"))
    assert shipped["tables"]["van_ban"]["rollup"] == "all"


def problems(path) -> list[tuple[str, str]]:
    return [(i.code, i.message) for i in check_form_file(path).issues]


@pytest.mark.parametrize(
    ("code", "word", "expected", "said"),
    [
        ("cut_total", "trung bình", "def-bad-value", "cộng, tính lại, người nhập"),
        ("cut_rate", "cộng", "def-invalid", "chỉ cộng được chỉ tiêu số nguyên"),
        ("cut_total", "tính lại", "def-invalid", "tính lại cần công thức"),
        ("docs_total", "cộng", "def-invalid", "chỉ chỉ tiêu nhập"),
        ("cut_total", "sum", None, ""),  # the stored value is read too
    ],
)
def test_a_wrong_declaration_is_said_at_its_cell(tmp_path, code, word, expected, said):
    book = export_book(load_form(), tmp_path / "b.xlsx")
    cell = f"{column_of(book, 'Chỉ tiêu', 'Cộng lên cấp trên')}{row_of(book, 'Chỉ tiêu', 'Mã chỉ tiêu', code)}"
    edit(book, "Chỉ tiêu", {cell: word})
    found = problems(book)
    if expected is None:
        assert found == []
        return
    assert [c for c, _ in found] == [expected]
    assert found[0][1].startswith(f"Chỉ tiêu!{cell}:") and said in found[0][1]


def test_rollup_from_only_on_a_sum(tmp_path):
    book = export_book(load_form(), tmp_path / "b.xlsx")
    cell = (
        f"{column_of(book, 'Chỉ tiêu', 'Lấy từ chỉ tiêu cấp dưới')}{row_of(book, 'Chỉ tiêu', 'Mã chỉ tiêu', 'signer')}"
    )
    edit(book, "Chỉ tiêu", {cell: "staff_cc"})
    assert [c for c, _ in problems(book)] == ["def-invalid"]


def test_a_table_word_that_does_not_exist(tmp_path):
    book = export_book(load_form(), tmp_path / "b.xlsx")
    edit(book, "Bố cục", {f"C{entry_row(book, 'Bố cục', 'tables.van_ban.rollup')}": "một nửa"})
    found = problems(book)
    assert [c for c, _ in found] == ["def-bad-value"] and "của các đơn vị, của cấp này" in found[0][1]


def test_a_toml_mistake_names_its_entry(tmp_path):
    text = export_form(load_form(), "toml").decode("utf-8").replace('rollup = "recompute"', 'rollup = "average"')
    path = tmp_path / "f.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FormError) as err:
        load_form_file(path)
    assert "(cut_rate).rollup" in err.value.render() and "sum, recompute, person" in err.value.render()
