"""The form's errors: a definition that cannot be used, a rule that is not in the rule language.
Both are :class:`~toolkit.messages.DvError`: said in the user's language, never a traceback."""

from __future__ import annotations

from ..messages import DvError, Localized

__all__ = ["FormError", "RuleSyntaxError"]


class FormError(DvError):
    """A form definition that cannot be used; the message names the file and the entry."""

    def __init__(self, vi: str | Localized, en: str | None = None) -> None:
        super().__init__(vi if isinstance(vi, Localized) else Localized(vi, en))


class RuleSyntaxError(FormError):
    """A rule or message text that is not in the rule language."""
