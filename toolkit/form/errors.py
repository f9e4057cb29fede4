"""The form's errors: a definition that cannot be used, a rule that is not in the rule language.
Both are :class:`~toolkit.messages.DvError`: said in the user's language, never a traceback."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..messages import DvError, Localized

if TYPE_CHECKING:
    from ..issues import Issue

__all__ = ["FormError", "RuleSyntaxError"]


class FormError(DvError):
    """A form definition that cannot be used; the message names the file and the entry.
    ``problems`` holds every problem found, each an issue at its entry or cell."""

    def __init__(self, vi: str | Localized, en: str | None = None, problems: Sequence[Issue] = ()) -> None:
        super().__init__(vi if isinstance(vi, Localized) else Localized(vi, en))
        self.problems = tuple(problems)


class RuleSyntaxError(FormError):
    """A rule or message text that is not in the rule language. ``position`` is the 1-based
    character where it goes wrong, ``near`` the text from there, ``reason`` what is wrong."""

    def __init__(
        self,
        message: str | Localized,
        en: str | None = None,
        *,
        position: int | None = None,
        near: str = "",
        reason: Localized | None = None,
        text: str = "",
    ) -> None:
        super().__init__(message, en)
        self.position, self.near, self.text = position, near, text
        self.reason = reason if reason is not None else self.message
