"""The form definition: the default appendix loads, ships with the package, and a broken copy
of next year's definition is refused with a message naming the file and the entry at fault."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

from toolkit.form import DEFAULT_FORM_ID, FormError, load_form, load_form_file
from toolkit.form.rules import RuleSyntaxError
from toolkit.template import build_template

PACKAGED = "dan-van-chinh-quyen-2020.toml"

# docs/spec.md §2.2: every code of the appendix, in the order of the sheet.
SPEC_CODES = [
    "unit_code",
    "unit_name",
    "report_year",
    "report_number",
    "report_date",
    "signer",
    "contact",
    "docs_party",
    "docs_gov",
    "docs_total",
    "dvc_total",
    "dvc_level4",
    "staff_cc",
    "staff_vc",
    "cut_cc",
    "cut_vc",
    "cut_total",
    "cut_rate",
]


def default_text() -> str:
    return resources.files("workbook_templates").joinpath(PACKAGED).read_text(encoding="utf-8")


def broken_copy(tmp_path: Path, old: str, new: str, name: str = "broken.toml") -> Path:
    """The default definition with one edit: how a clerk's mistake in next year's file looks."""
    text = default_text()
    assert old in text, f"the default form no longer contains {old!r}: update the test"
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


# -- the default form ----------------------------------------------------------------------


def test_default_form_is_the_2020_appendix(form):
    assert form.id == DEFAULT_FORM_ID == "dan-van-chinh-quyen"
    assert form.year == 2020
    assert form.title == "PHỤ LỤC SỐ LIỆU"
    assert [f.code for f in form.fields] == SPEC_CODES


def test_every_field_has_code_label_and_cell(form):
    for f in form.fields:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", f.code)
        assert f.label.strip(), f.code
        assert re.fullmatch(r"[A-Z]{1,3}[1-9][0-9]*", f.cell), (f.code, f.cell)
        assert f.sheet == form.layout.sheet


def test_codes_and_cells_are_unique(form):
    codes = [f.code for f in form.fields]
    cells = [f.cell for f in form.fields]
    assert len(set(codes)) == len(codes)
    assert len(set(cells)) == len(cells)
    assert not set(codes) & set(form.tables), "a table may not share a field's defined name"


def test_field_types_follow_the_spec(form):
    types = {f.code: f.type for f in form.fields}
    assert types["report_date"] == "date"
    assert types["cut_rate"] == "percent"
    for code in ("dvc_total", "dvc_level4", "staff_cc", "staff_vc", "cut_cc", "cut_vc", "cut_total"):
        assert types[code] == "integer"
        assert form.field(code).required
    assert not form.field("report_number").required
    assert {f.code for f in form.derived_fields} == {"docs_party", "docs_gov", "docs_total"}


def test_van_ban_table_columns_in_contract_order(form):
    table = form.tables["van_ban"]
    assert [c.code for c in table.columns] == ["issuer", "doc_type", "number", "date", "title"]
    assert table.rows >= 200
    assert form.choice_values("issuer") == ("Đảng ủy", "Chính quyền")
    assert "Kế hoạch" in form.choice_values("doc_type")
    assert {c.abbr for c in form.choices["doc_type"]} >= {"KH", "HD", "QĐ"}


def test_roster_fills_unit_code_and_name(form):
    assert (form.roster_code, form.roster_name) == ("unit_code", "unit_name")


# -- package data --------------------------------------------------------------------------


def test_form_ships_as_package_data():
    resource = resources.files("workbook_templates").joinpath(PACKAGED)
    assert resource.is_file()
    with resources.as_file(resource) as path:
        from_package = load_form_file(path)
    assert from_package.fingerprint == load_form().fingerprint
    assert from_package.id == DEFAULT_FORM_ID


def test_default_form_loads_from_any_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_form().id == DEFAULT_FORM_ID
    assert load_form(DEFAULT_FORM_ID, 2020).year == 2020


def test_unknown_form_id_and_year_are_refused():
    with pytest.raises(FormError, match="khong-co"):
        load_form("khong-co")
    with pytest.raises(FormError, match="2031"):
        load_form(DEFAULT_FORM_ID, 2031)


def test_form_by_path(tmp_path):
    path = broken_copy(tmp_path, "year = 2020", "year = 2021", "next-year.toml")
    path.write_text(
        path.read_text(encoding="utf-8").replace('version = "2020.1"', 'version = "2021.1"'), encoding="utf-8"
    )
    nxt = load_form(str(path))
    assert nxt.year == 2021
    assert nxt.path == str(path)
    with pytest.raises(FormError, match="2020"):
        load_form(str(path), 2020)


# -- loader errors -------------------------------------------------------------------------

BROKEN = {
    "unknown field in a rule": (
        'expr = "cut_total == cut_cc + cut_vc"',
        'expr = "cut_total == cut_cc + cut_xx"',
        ["rules[0]", "cut_total_sum", "cut_xx"],
    ),
    "duplicate code": (
        'code = "cut_vc"',
        'code = "cut_cc"',
        ['sections[3].fields[3] (cut_cc).code: "cut_cc" đã dùng ở sections[3].fields[2] (cut_cc).code'],
    ),
    "bad type": (
        'label_en = "Online public services at levels 3 and 4"\ntype = "integer"',
        'label_en = "Online public services at levels 3 and 4"\ntype = "number"',
        ['sections[2].fields[0] (dvc_total).type: kiểu "number" không có'],
    ),
    "unknown key": (
        'code = "signer"',
        'code = "signer"\nrequried = true',
        ["sections[0].fields[5]", "requried"],
    ),
    "derived field without expr": (
        'expr = "docs_party + docs_gov"\n',
        "",
        ["sections[1].fields[2]", "docs_total"],
    ),
    "rule with unknown anchor": (
        'anchor = "dvc_level4"',
        'anchor = "dvc_level5"',
        ["rules[2]", "dvc_level4_le_total", "dvc_level5"],
    ),
    "rule anchored on a derived count": ('anchor = "dvc_level4"', 'anchor = "docs_total"', ["rules[2]"]),
    "rule outside the language": (
        'expr = "dvc_level4 <= dvc_total"',
        'expr = "dvc_level4 ** 2 <= dvc_total"',
        ["rules[2]", "dvc_level4_le_total"],
    ),
    "message naming an unknown field": (
        'live = "Sai: tổng phải bằng {cut_cc + cut_vc}"',
        'live = "Sai: tổng phải bằng {cut_cc + cut_ccc}"',
        ["rules[0]", "cut_ccc"],
    ),
    "bad severity": ('severity = "warning"', 'severity = "notice"', ["rules[5]", "report_date_next_year"]),
    "table with too few rows": ("rows = 300", "rows = 100", ["[tables.van_ban].rows"]),
    "choice list that does not exist": (
        'choices = "doc_type"',
        'choices = "loai"',
        ["[tables.van_ban].columns[1]"],
    ),
    "code that reads as a cell address": (
        'code = "signer"',
        'code = "ab12"',
        ["sections[0].fields[5]", "ab12"],
    ),
    "year out of range": ("year = 2020", "year = 20", ["[form].year"]),
    "duplicate rule id": ('id = "dvc_level4_le_total"', 'id = "cut_total_sum"', ["rules", "cut_total_sum"]),
    "roster field that is not an input": (
        'code = "unit_code"\nname',
        'code = "docs_total"\nname',
        ["[roster].code"],
    ),
}


@pytest.mark.parametrize("case", list(BROKEN), ids=list(BROKEN))
def test_broken_definition_names_file_and_entry(tmp_path, case):
    old, new, must_name = BROKEN[case]
    path = broken_copy(tmp_path, old, new)
    with pytest.raises(FormError) as info:
        load_form(str(path))
    message = str(info.value)
    assert message.startswith(str(path)), message
    for part in must_name:
        assert part in message, (part, message)


def test_not_toml_is_a_form_error(tmp_path):
    path = tmp_path / "garbled.toml"
    path.write_text("[form\nid = ", encoding="utf-8")
    with pytest.raises(FormError, match="TOML"):
        load_form(str(path))


def test_missing_form_file_is_a_form_error(tmp_path):
    with pytest.raises(FormError, match="khong-co.toml"):
        load_form(str(tmp_path / "khong-co.toml"))


def test_rule_counting_an_unknown_table_is_refused_at_load(tmp_path):
    path = broken_copy(
        tmp_path,
        'expr = "dvc_level4 <= dvc_total"',
        "expr = \"dvc_level4 <= dvc_total + countif(khong_co.issuer, 'Đảng ủy')\"",
    )
    with pytest.raises(FormError, match="khong_co"):
        load_form(str(path))


def test_a_loaded_rule_that_counts_documents_builds_a_template(tmp_path):
    path = broken_copy(
        tmp_path,
        'expr = "dvc_level4 <= dvc_total"',
        "expr = \"dvc_level4 <= dvc_total + countif(van_ban.issuer, 'Đảng ủy')\"",
    )
    try:
        form = load_form(str(path))
    except FormError:
        return  # refusing it at load time is an acceptable answer too
    try:
        build_template(form)
    except RuleSyntaxError as exc:
        pytest.fail(f"the form loaded but no template can be made from it: {exc}")


# -- fingerprint ---------------------------------------------------------------------------


def test_fingerprint_is_stable(form, tmp_path):
    copy = tmp_path / "copy.toml"
    copy.write_text(default_text(), encoding="utf-8")
    assert load_form(str(copy)).fingerprint == form.fingerprint == load_form().fingerprint
    assert re.fullmatch(r"[0-9a-f]{32}", form.fingerprint)


def test_fingerprint_ignores_what_the_sheet_does_not_show(form, tmp_path):
    # The English label and the help prompt are not part of the printed appendix.
    path = broken_copy(tmp_path, 'label_en = "Total posts cut"', 'label_en = "Posts cut, total"')
    assert load_form(str(path)).fingerprint == form.fingerprint
    path = broken_copy(tmp_path, 'help = "Ví dụ: 125/BC-STTTT-VP"', 'help = "Ví dụ: 7/BC-SNV"', "b.toml")
    assert load_form(str(path)).fingerprint == form.fingerprint


@pytest.mark.parametrize(
    "old, new",
    [
        ('label = "Tổng số biên chế đã giảm"', 'label = "Tổng số biên chế đã tinh giản"'),
        ('label = "Trong đó: mức độ 4"', 'label = "Trong đó: mức độ 3"'),
        ('unit = "dịch vụ"', 'unit = "thủ tục"'),
        ('version = "2020.1"', 'version = "2020.2"'),
        ('version = "2020.1"\nyear = 2020', 'version = "2021.1"\nyear = 2021'),
        ('label = "Trích yếu"', 'label = "Nội dung"'),
    ],
    ids=["field label", "sub-item label", "unit", "version", "year", "table header"],
)
def test_fingerprint_changes_with_the_fixed_content(form, tmp_path, old, new):
    # (A changed copy that keeps the version is refused by load_form: here only its fingerprint is looked at.)
    changed = load_form_file(broken_copy(tmp_path, old, new), against_packaged=False)
    assert changed.fingerprint != form.fingerprint


def test_fingerprint_changes_when_fields_move(form, tmp_path):
    # Swapping two fields (same labels, other cells) must not pass for the same template.
    text = default_text()
    a = 'code = "staff_cc"\nlabel = "Biên chế công chức được giao (hiện tại)"'
    b = 'code = "staff_vc"\nlabel = "Biên chế viên chức được giao (hiện tại)"'
    swapped = text.replace(a, "@@A@@").replace(b, a).replace("@@A@@", b)
    path = tmp_path / "swapped.toml"
    path.write_text(swapped, encoding="utf-8")
    moved = load_form_file(path, against_packaged=False)
    assert moved.field("staff_cc").cell != form.field("staff_cc").cell
    assert moved.fingerprint != form.fingerprint


def test_form_errors_speak_english_with_lang_en(tmp_path):
    from typer.testing import CliRunner

    from toolkit.cli import app

    result = CliRunner().invoke(
        app, ["--lang", "en", "make-template", "--year", "1999", "-o", str(tmp_path / "x.xlsx")]
    )
    assert result.exit_code == 2
    assert "has no year 1999" in result.output and "không" not in result.output
    vi = CliRunner().invoke(app, ["make-template", "--year", "1999", "-o", str(tmp_path / "x.xlsx")])
    assert "không có năm 1999" in vi.output
