"""The words of the form workbook's closed columns (its dropdowns): a field's type, yes/no, a
source, a severity… The workbook shows them in Vietnamese (its language); reading, it takes the
Vietnamese word, the English one or the stored value alike. The catalogue (``book.*`` keys of
``toolkit.messages``) holds the words."""

from __future__ import annotations

import unicodedata
from typing import Any

from ..messages import Localized, t

__all__ = ["ENUMS", "enum_words", "enum_word", "enum_value", "enum_list", "text_key"]

# -- the words of the closed columns -------------------------------------------------------------

ENUMS: dict[str, tuple[tuple[str, Any], ...]] = {
    "type": tuple((f"book.type.{v}", v) for v in ("text", "code", "integer", "date", "percent", "choice")),
    "bool": (("book.bool.yes", True), ("book.bool.no", False)),
    "source": tuple((f"book.source.{v}", v) for v in ("input", "fixed", "derived")),
    "severity": (("book.severity.error", "error"), ("book.severity.warning", "warning")),
    "style": (("book.style.party", "party"), ("book.style.state", "state")),
    "role": tuple((f"book.role.{v}", v) for v in ("doc-number", "doc-issuer", "doc-type")),
    "kind": tuple((f"book.kind.{v}", v) for v in ("section", "sentence", "compare", "units-column")),
    "rollup": tuple((f"book.rollup.{v}", v) for v in ("sum", "recompute", "person")),
    "table_rollup": tuple((f"book.table_rollup.{v}", v) for v in ("all", "own")),
}


def text_key(text: Any) -> str:
    """A cell's text as compared: NFC, spaces collapsed, case folded."""
    return " ".join(unicodedata.normalize("NFC", str(text)).split()).casefold()


def enum_words(name: str) -> list[str]:
    """The words a closed column shows (its dropdown), in Vietnamese: the workbook's language."""
    return [t(key, "vi") for key, _ in ENUMS[name]]


def enum_word(name: str, value: Any) -> str:
    return next((t(key, "vi") for key, v in ENUMS[name] if v == value and type(v) is type(value)), str(value))


def enum_value(name: str, word: Any) -> Any:
    """What a word of a closed column stands for; the stored value and English are taken too.
    An unknown word is kept as it is, for the loader to refuse with the right message."""
    wanted = text_key(word)
    for key, value in ENUMS[name]:
        if wanted in (text_key(t(key, "vi")), text_key(t(key, "en")), text_key(value)):
            return value
    if name == "bool" and wanted in ("x", "true", "1", "yes", "đúng"):
        return True
    if name == "bool" and wanted in ("false", "0", "no", "sai"):
        return False
    return word


def enum_list(name: str, values: tuple[Any, ...], book: bool) -> Localized:
    """The values of a closed column as a message lists them: the workbook's words (and the
    stored value in English) for a workbook, the stored values for a TOML text."""
    if not book:
        listed = ", ".join(str(v) for v in values)
        return Localized(listed, listed)
    vi = ", ".join(enum_word(name, v) for v in values)
    en = ", ".join(f"{enum_word(name, v)} ({v})" for v in values)
    return Localized(vi, en)
