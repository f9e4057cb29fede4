"""Vietnamese text typed in the pre-Unicode encodings still found in provincial offices.

TCVN3 (ABC, fonts ``.VnTime``) puts each Vietnamese letter on a Latin-1 code point
("Së Th«ng tin" is "Sở Thông tin"); VNI (fonts ``VNI-Times``) writes a base letter followed
by mark characters ("Sôû Thoâng tin"). Pasted into a Unicode workbook such text reads as
gibberish. We detect both (only in text with no genuine Vietnamese letter) and convert.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["detect_legacy", "to_unicode"]

# TCVN3 (TCVN 5712:1993, VN3): lower-case letters; upper-case plain modified letters below.
_TCVN3_LOWER = (
    "à µ|á ¸|ả ¶|ã ·|ạ ¹|ă ¨|ằ »|ắ ¾|ẳ ¼|ẵ ½|ặ Æ|â ©|ầ Ç|ấ Ê|ẩ È|ẫ É|ậ Ë|đ ®|"
    "è Ì|é Ð|ẻ Î|ẽ Ï|ẹ Ñ|ê ª|ề Ò|ế Õ|ể Ó|ễ Ô|ệ Ö|ì ×|í Ý|ỉ Ø|ĩ Ü|ị Þ|"
    "ò ß|ó ã|ỏ á|õ â|ọ ä|ô «|ồ å|ố è|ổ æ|ỗ ç|ộ é|ơ ¬|ờ ê|ớ í|ở ë|ỡ ì|ợ î|"
    "ù ï|ú ó|ủ ñ|ũ ò|ụ ô|ư \u00ad|ừ õ|ứ ø|ử ö|ữ ÷|ự ù|ỳ ú|ý ý|ỷ û|ỹ ü|ỵ þ|"
    "Ă ¡|Â ¢|Đ §|Ê £|Ô ¤|Ơ ¥|Ư ¦"
)
_TCVN3 = {code: uni for uni, code in (pair.split(" ") for pair in _TCVN3_LOWER.split("|"))}

# VNI: marks written after the base letter.
_TONES = {"acute": "\u0301", "grave": "\u0300", "hook": "\u0309", "tilde": "\u0303", "dot": "\u0323"}
_VNI_TONE_PLAIN = {"ù": "acute", "ø": "grave", "û": "hook", "õ": "tilde", "ï": "dot"}
_VNI_TONE_HAT = {"á": "acute", "à": "grave", "å": "hook", "ã": "tilde", "ä": "dot"}
_VNI_TONE_BREVE = {"é": "acute", "è": "grave", "ú": "hook", "ü": "tilde", "ë": "dot"}
_VNI_I = {"í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị"}


def _vni_table() -> dict[str, str]:
    table: dict[str, str] = {"ñ": "đ", "Ñ": "Đ"}
    for lower in (True, False):

        def c(s: str, lower: bool = lower) -> str:
            return s if lower else s.upper()

        for base in "aeo":
            hat = c(base) + c("â")
            table[hat] = unicodedata.normalize("NFC", c(base) + "\u0302")
            for mark, tone in _VNI_TONE_HAT.items():
                table[c(base) + c(mark)] = unicodedata.normalize("NFC", c(base) + "\u0302" + _TONES[tone])
        table[c("a") + c("ê")] = c("ă")
        for mark, tone in _VNI_TONE_BREVE.items():
            table[c("a") + c(mark)] = unicodedata.normalize("NFC", c("a") + "\u0306" + _TONES[tone])
        horn = {c("ô"): c("ơ"), c("ö"): c("ư")}
        for code, letter in horn.items():
            table[code] = letter
            for mark, tone in _VNI_TONE_PLAIN.items():
                table[code + c(mark)] = unicodedata.normalize("NFC", letter + _TONES[tone])
        for base in "aeouy":
            for mark, tone in _VNI_TONE_PLAIN.items():
                table.setdefault(c(base) + c(mark), unicodedata.normalize("NFC", c(base) + _TONES[tone]))
        for code, letter in _VNI_I.items():
            table[c(code)] = c(letter)
    return table


_VNI = _vni_table()
# Characters only TCVN3 text has: not genuine letters (ý), not VNI's own mark characters.
_TCVN3_SIGNAL = set(_TCVN3) - set("ýÝ") - set("".join(_VNI)) - set("".join(_VNI).upper())
_VNI_PATTERN = re.compile("|".join(sorted(map(re.escape, _VNI), key=len, reverse=True)))
# What only VNI text holds: mark characters no Vietnamese letter uses (ø û ï å ä ë ü æ ö ñ),
# and a vowel followed by a hat ("oâ", "aê"). Pairs such as "oà", "oá", "uý" are genuine
# Vietnamese in Unicode ("hoàn", "hoá", "thuý") and must not count.
_VNI_SIGNAL = re.compile(r"[øûïåäëüæöñØÛÏÅÄËÜÆÖÑ]|[aeoAEO][âÂ]|[aA][êÊ]", re.UNICODE)
# Genuine Vietnamese letters (in NFC) that neither legacy encoding produces as such.
_VIETNAMESE = re.compile("[ăđơưĂĐƠƯ\u1ea0-\u1ef9]")


def detect_legacy(text: str) -> str | None:
    """``"TCVN3"``, ``"VNI"`` or None for text that looks typed in a legacy encoding."""
    if not text or _VIETNAMESE.search(text) or text.isascii():
        return None
    tcvn = sum(1 for ch in text if ch in _TCVN3_SIGNAL)
    vni = len(_VNI_SIGNAL.findall(text))
    if tcvn >= 2:
        return "TCVN3"
    if vni >= 2:
        return "VNI"
    return None


def to_unicode(text: str, encoding: str) -> str:
    """Convert legacy-encoded text to Unicode NFC."""
    if encoding == "TCVN3":
        out = "".join(_TCVN3.get(ch, ch) for ch in text)
    else:
        out = _VNI_PATTERN.sub(lambda m: _VNI[m.group(0)], text)
    return unicodedata.normalize("NFC", out)
