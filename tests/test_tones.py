"""Tone-mark placement: the spellings the sheet's formulas count, the key Python compares."""

from __future__ import annotations

import unicodedata

from toolkit.tones import fold, spellings


def test_both_styles_of_a_word_final_pair():
    assert spellings("Đảng ủy") == ("Đảng ủy", "Đảng uỷ")
    assert spellings("Sở Văn hóa, Thể thao và Du lịch") == (
        "Sở Văn hóa, Thể thao và Du lịch",
        "Sở Văn hoá, Thể thao và Du lịch",
    )
    assert set(spellings("Hòa Thủy")) == {"Hòa Thủy", "Hoà Thủy", "Hòa Thuỷ", "Hoà Thuỷ"}


def test_no_second_spelling_where_both_styles_agree():
    for text in ("Quyết định", "Chính quyền", "Hoàng", "quý", "Nghị quyết"):
        assert spellings(text) == (text,)


def test_fold_makes_the_styles_and_cases_equal():
    assert fold("Đảng uỷ") == fold("Đảng ủy") == fold("ĐẢNG ỦY") == fold("đảng uỷ")
    assert fold("Văn hoá") == fold("Văn hóa")
    assert fold("Văn hóa") != fold("Văn hoa")
    decomposed = unicodedata.normalize("NFD", "Đảng uỷ")
    assert fold(decomposed) == fold("Đảng ủy")
