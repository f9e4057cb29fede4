"""How dv compares what clerks type: unit codes, and Vietnamese names and choices.

Vietnamese tone-mark placement: ``hoá`` and ``hóa``, ``uỷ`` and ``ủy`` are one word. Python
compares by :func:`text_key`; :func:`spellings` lists every way a text can be written for
the sheet's formulas (a COUNTIF per spelling, a lookup row per spelling).

Two spellings a clerk cannot tell apart must compare equal; the value dv keeps is still
the form's (or the roster's) own spelling. Every comparison of codes or names goes
through these functions.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache

__all__ = ["normalise_code", "fold_tones", "same_text", "text_key", "spellings"]

# The five tone marks, decomposed (NFD). The vowel-shape marks (circumflex, breve, horn) are
# not tones and are never moved.
_TONE = "\u0300\u0301\u0303\u0309\u0323"
# "oa", "oe", "uy" with the tone on the second vowel ("new style": hoà, khoẻ, thuỷ) at the end
# of a syllable, where the old style puts it on the first (hòa, khỏe, thủy). Inside a closed
# syllable (hoàng, huỳnh) both styles agree, and the text is left alone.
_NEW_STYLE = re.compile(
    rf"([oO])([aAeE])([{_TONE}])(?![\u0300-\u036f])(?![^\W\d_])|([uU])([yY])([{_TONE}])(?![\u0300-\u036f])(?![^\W\d_])"
)


def normalise_code(code: object) -> str:
    """A unit code as dv compares and groups it: NFC, upper case, no whitespace at all.

    ``"S TTTT"``, ``"stttt"`` and ``"STTTT"`` are one unit.
    """
    text = unicodedata.normalize("NFC", "" if code is None else str(code))
    return "".join(text.split()).upper()


def fold_tones(text: str) -> str:
    """NFC text with the tone of ``oa``/``oe``/``uy`` at a syllable's end put on the first vowel
    (the old style: ``hoà`` → ``hòa``, ``Đảng uỷ`` → ``Đảng ủy``), so both styles compare equal."""
    nfd = unicodedata.normalize("NFD", text)

    def move(m: re.Match[str]) -> str:
        first, second, tone = (m.group(1), m.group(2), m.group(3)) if m.group(1) else m.group(4, 5, 6)
        return first + tone + second

    return unicodedata.normalize("NFC", _NEW_STYLE.sub(move, nfd))


def text_key(text: object) -> str:
    """What two names or choices are compared by: NFC, spaces collapsed, case and tone-mark
    style ignored."""
    return _text_key("" if text is None else str(text))


@lru_cache(maxsize=4096)
def _text_key(raw: str) -> str:
    # Choices and unit names recur in every file: each spelling is folded once.
    return fold_tones(" ".join(raw.replace("\u00a0", " ").split())).casefold()


def same_text(a: object, b: object) -> bool:
    """Whether two names or choices are the same to a clerk's eye (``Đảng uỷ`` = ``Đảng ủy``)."""
    return text_key(a) == text_key(b)


# -- the same in the sheet's formulas, which cannot fold text: every spelling, listed ---------
# (old style, new style), lower case: the tone on the second vowel or on the first.
_BASE = [
    ("oà", "òa"),
    ("oá", "óa"),
    ("oả", "ỏa"),
    ("oã", "õa"),
    ("oạ", "ọa"),
    ("oè", "òe"),
    ("oé", "óe"),
    ("oẻ", "ỏe"),
    ("oẽ", "õe"),
    ("oẹ", "ọe"),
    ("uỳ", "ùy"),
    ("uý", "úy"),
    ("uỷ", "ủy"),
    ("uỹ", "ũy"),
    ("uỵ", "ụy"),
]


def _cased(a: str, b: str) -> list[tuple[str, str]]:
    return [(a, b), (a.upper(), b.upper()), (a[0].upper() + a[1], b[0].upper() + b[1])]


_PAIRS: dict[str, str] = {}
for _old, _new in _BASE:
    for _a, _b in _cased(_old, _new):
        _PAIRS[_a] = _b
        _PAIRS[_b] = _a
# Only at the end of a word (hoá/hóa; never hoàng, quyết), and not after q (quý is one style).
_SPOT = re.compile("(?<![qQ])(" + "|".join(map(re.escape, _PAIRS)) + r")(?!\w)")


def spellings(text: str) -> tuple[str, ...]:
    """Every spelling of ``text`` (NFC), the text itself first."""
    text = unicodedata.normalize("NFC", text)
    parts = _SPOT.split(text)  # even: plain text, odd: a two-letter spot
    choices = [(p,) if i % 2 == 0 else (p, _PAIRS[p]) for i, p in enumerate(parts)]
    return tuple("".join(combo) for combo in itertools.product(*choices))
