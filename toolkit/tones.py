"""Vietnamese tone-mark placement: ``hoá`` and ``hóa``, ``uỷ`` and ``ủy`` are one word.

Two styles put the tone of a word-final ``oa``, ``oe`` or ``uy`` on different vowels (old:
``hoà``, ``thuỷ``; new: ``hòa``, ``thủy``). A clerk cannot see the difference, so names and
choices compare equal in either style: Python compares by ``toolkit.text.text_key``, and
:func:`spellings` lists every way a text can be written for the sheet's formulas (a COUNTIF
per spelling, a lookup row per spelling), which cannot fold text themselves.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

__all__ = ["spellings"]

# (old style, new style), lower case: the tone on the second vowel or on the first.
_BASE = [
    ("oà", "òa"), ("oá", "óa"), ("oả", "ỏa"), ("oã", "õa"), ("oạ", "ọa"),
    ("oè", "òe"), ("oé", "óe"), ("oẻ", "ỏe"), ("oẽ", "õe"), ("oẹ", "ọe"),
    ("uỳ", "ùy"), ("uý", "úy"), ("uỷ", "ủy"), ("uỹ", "ũy"), ("uỵ", "ụy"),
]  # fmt: skip


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
