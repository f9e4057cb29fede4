"""Tone-mark placement: every spelling the sheet's formulas count is the same text to dv."""

from __future__ import annotations

from toolkit.text import spellings, text_key


def test_both_styles_of_a_word_final_pair():
    assert spellings("Đảng ủy") == ("Đảng ủy", "Đảng uỷ")
    assert spellings("Sở Văn hóa, Thể thao và Du lịch") == (
        "Sở Văn hóa, Thể thao và Du lịch",
        "Sở Văn hoá, Thể thao và Du lịch",
    )
    assert set(spellings("Hòa Thủy")) == {"Hòa Thủy", "Hoà Thủy", "Hòa Thuỷ", "Hoà Thuỷ"}


def test_no_second_spelling_where_both_styles_agree():
    for text in ("Quyết định", "Chính quyền", "Hoàng", "Huỳnh", "Nghị quyết", "Khác"):
        assert spellings(text) == (text,)


def test_every_spelling_is_the_same_text_to_dv():
    # The sheet counts each spelling; dv compares by text_key: the two must agree.
    for text in ("Đảng ủy", "Đảng uỷ", "Sở Văn hoá, Thể thao và Du lịch", "Hòa Thủy", "khoẻ", "THUỶ"):
        assert {text_key(s) for s in spellings(text)} == {text_key(text)}, text
