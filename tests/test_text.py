"""How dv compares what clerks type: one unit code however it is spaced or cased, and
Vietnamese written with the tone mark in the old or the new place (issue 9, items 8 and 11)."""

from __future__ import annotations

import string
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit.text import fold_tones, normalise_code, same_text, text_key

TONES = "\u0300\u0301\u0309\u0303\u0323"  # huyền, sắc, hỏi, ngã, nặng
PAIRS = ("oa", "oe", "uy")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def styles(onset: str, pair: str, tone: str) -> tuple[str, str]:
    """One open syllable both ways: the tone on the first vowel (hòa) and on the second (hoà)."""
    return nfc(onset + pair[0] + tone + pair[1]), nfc(onset + pair + tone)


onsets = st.sampled_from(["", "h", "kh", "th", "t", "x", "l", "ng", "Đ", "H", "TH", "q"])
pairs = st.sampled_from(PAIRS + tuple(p.upper() for p in PAIRS) + ("Oa", "Uy"))
tones = st.sampled_from(TONES)
words = st.text(alphabet="abcdeghiklmnopqrstuvxyđâăêôơư" + "áàảãạéèẻẽẹóòỏõọúùủũụýỳỷỹỵ ", max_size=12)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Đảng ủy", "Đảng uỷ"),
        ("Văn hóa", "Văn hoá"),
        ("khỏe", "khoẻ"),
        ("Thủy lợi", "Thuỷ lợi"),
        ("HÒA", "HOÀ"),
        ("Sở Văn hóa, Thể thao và Du lịch", "Sở Văn hoá, Thể thao và Du lịch"),
    ],
)
def test_both_styles_read_the_same(old, new):
    assert same_text(old, new) and fold_tones(new) == old


@pytest.mark.parametrize("word", ["hoàng", "huỳnh", "hoặc", "khuyến", "toàn", "quyết", "Nguyễn"])
def test_closed_syllables_and_other_vowels_are_left_alone(word):
    assert fold_tones(word) == word


def test_different_words_stay_different():
    assert not same_text("hòa", "hóa") and not same_text("Đảng ủy", "Đảng ủy ban")


@given(onsets, pairs, tones, words, words)
def test_old_and_new_style_compare_equal_in_any_sentence(onset, pair, tone, before, after):
    old, new = styles(onset, pair, tone)
    assert text_key(f"{before} {old} {after}") == text_key(f"{before} {new} {after}")
    assert text_key(old.upper()) == text_key(new.lower())


@given(st.text(max_size=30))
def test_folding_is_idempotent_keeps_nfc_and_length(text):
    folded = fold_tones(text)
    assert fold_tones(folded) == folded
    assert folded == nfc(folded)
    if text == nfc(text):
        assert len(folded) == len(text)


@given(st.text(max_size=30))
def test_folding_only_moves_tone_marks(text):
    def without_tones(s: str) -> str:
        return "".join(c for c in unicodedata.normalize("NFD", s) if c not in TONES)

    assert without_tones(fold_tones(text)) == without_tones(text)


@pytest.mark.parametrize("typed", ["STTTT", "stttt", "S TTTT", " s\u00a0tttt\t", "Stttt\n", "S T T T T"])
def test_one_unit_code_however_typed(typed):
    assert normalise_code(typed) == "STTTT"


@given(st.text(alphabet=string.ascii_letters + string.digits + "-_ \t\u00a0", max_size=20))
def test_normalised_code_ignores_case_and_every_space(code):
    once = normalise_code(code)
    assert normalise_code(once) == once
    assert not any(c.isspace() for c in once)
    assert normalise_code(code.lower()) == normalise_code(code.swapcase()) == once
    assert normalise_code(" ".join(code)) == once
