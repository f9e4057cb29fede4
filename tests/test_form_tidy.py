"""The form definition, not the code, says where a label used to be (tidy-lib)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from toolkit.form import FormError, load_form

LINE = 'earlier_title_cell = "A1"\n'


def _copy(tmp_path: Path, old: str, new: str) -> Path:
    text = resources.files("workbook_templates").joinpath("dan-van-chinh-quyen-2020.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "form.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_the_earlier_title_place_comes_from_the_definition():
    form = load_form()
    table = form.tables["van_ban"]
    assert table.earlier_title_cell == "A1"
    assert dict(form.moved_cells) == {(table.sheet, table.title_cell): "A1"}
    assert len(form.accepted_fingerprints) == 2 and form.fingerprint in form.accepted_fingerprints


def test_a_form_whose_title_never_moved_accepts_only_its_own_layout(tmp_path):
    form = load_form(str(_copy(tmp_path, LINE, "")))
    assert form.tables["van_ban"].earlier_title_cell is None
    assert dict(form.moved_cells) == {}
    assert form.accepted_fingerprints == {form.fingerprint}
    assert form.fingerprint == load_form().fingerprint  # the key changes what is accepted, not the layout


@pytest.mark.parametrize("bad", ['"1A"', '"a1"', '"A0"', "1"])
def test_an_earlier_title_cell_that_is_not_a_cell_is_refused(tmp_path, bad):
    with pytest.raises(FormError) as info:
        load_form(str(_copy(tmp_path, LINE, f"earlier_title_cell = {bad}\n")))
    assert "[tables.van_ban].earlier_title_cell" in str(info.value)


def test_the_guide_names_the_sheets_and_lists_of_the_form(tmp_path):
    import io

    import openpyxl

    from toolkit.template import build_template

    path = _copy(tmp_path, 'sheet = "Văn bản"\n', 'sheet = "Danh mục văn bản"\n')
    path.write_text(
        path.read_text(encoding="utf-8").replace('version = "2020.1"', 'version = "2020.2"'), encoding="utf-8"
    )
    form = load_form(str(path))
    wb = openpyxl.load_workbook(io.BytesIO(build_template(form)))
    guide = [c.value for row in wb[form.layout.guide_sheet].iter_rows() for c in row if c.value]
    assert (
        '- Các ô ở trang "Phụ lục" (Đảng ủy, Chính quyền, Tổng số văn bản) tự đếm từ trang "Danh mục văn bản": '
        "gõ đè số khác vào các ô này là lỗi.  [lỗi]" in guide
    )
    assert any(text.startswith("- Cơ quan ban hành, loại văn bản phải có trong danh sách") for text in guide)
