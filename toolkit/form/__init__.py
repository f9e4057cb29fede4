"""The form: what the appendix asks, as data (``workbook_templates/*.toml``) loaded into frozen
dataclasses, and the rule language its checks are written in.

Everything else in dv that knows a field, a label, a choice, a rule or a cell address reads it
from a :class:`Form`. The door is narrow: :func:`load_form` (by id, year or path: a TOML text or
the officer's form workbook), :func:`check_form_file` (every problem of a definition, each at its
entry or cell), :class:`Form` and its parts, and :class:`FormError` for a definition that cannot
be used.
``toolkit.form.rules`` is the rule language, ``toolkit.form.cells`` the cell-address helpers.
"""

from __future__ import annotations

from .errors import FormError, RuleSyntaxError
from .loader import FormCheck, available_forms, check_form_file, load_form, load_form_file
from .model import (
    DEFAULT_FORM_ID,
    FIELD_TYPES,
    NUMERIC_TYPES,
    Chart,
    Choice,
    Column,
    Field,
    Form,
    Layout,
    Report,
    ReportChange,
    ReportSection,
    Rule,
    Section,
    Table,
)

__all__ = [
    "DEFAULT_FORM_ID",
    "FIELD_TYPES",
    "NUMERIC_TYPES",
    "Chart",
    "Choice",
    "Column",
    "Field",
    "Form",
    "FormCheck",
    "FormError",
    "Layout",
    "Report",
    "RuleSyntaxError",
    "ReportChange",
    "ReportSection",
    "Rule",
    "Section",
    "Table",
    "available_forms",
    "check_form_file",
    "load_form",
    "load_form_file",
]
