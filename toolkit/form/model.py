"""Form definitions: the TOML under ``workbook_templates/`` loaded into frozen dataclasses.

Everything that knows a field, a label, a choice, a rule or a cell address reads it from
here. The loader checks the file and raises :class:`FormError` naming the file and the entry
at fault, so that a mistake in next year's definition is found before any workbook is made.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

from ..messages import Localized
from .cells import quote_sheet
from .rules import Expression, Template

__all__ = [
    "Choice",
    "Field",
    "Form",
    "Report",
    "Rule",
    "Section",
    "Table",
    "Column",
    "DEFAULT_FORM_ID",
]

DEFAULT_FORM_ID = "dan-van-chinh-quyen"
FIELD_TYPES = ("text", "code", "integer", "date", "percent", "choice")
NUMERIC_TYPES = ("integer", "percent")
SOURCES = ("input", "fixed", "derived")
SEVERITIES = ("error", "warning")
# What a column of a table is to the document-number checks (docs/spec.md §2.4): the number
# itself, the column whose choice list gives each issuer's numbering ``style``, the column
# whose choice list gives each document type's ``abbr``.
ROLES = ("doc-number", "doc-issuer", "doc-type")
STYLES = ("party", "state")
# How a field of this form is filled when a level's merged round becomes its submission to this
# form (docs/spec.md §9): summed from the lower round's totals, recomputed from those sums by its
# own ``total`` expression, or left for the officer to type. A table's documents: every unit's
# rows, or this level's own (typed by the officer).
ROLLUPS = ("sum", "recompute", "person")
TABLE_ROLLUPS = ("all", "own")


@dataclass(frozen=True)
class Choice:
    value: str
    en: str = ""
    abbr: str = ""  # a document type's abbreviation inside a document number (KH in 545/KH-…)
    style: str = ""  # an issuer's numbering style: "party" (18-KH/ĐU) or "state" (545/KH-STTTT-VP)


@dataclass(frozen=True)
class Field:
    code: str
    label: str
    label_en: str
    type: str
    section: str
    sheet: str
    row: int  # 1-based
    column: str
    required: bool = False
    source: str = "input"
    unit: str = ""
    unit_en: str = ""
    help: str = ""
    expr: Expression | None = None
    value: str = ""  # a fixed field's value; "{year}" is the form's year
    total: Expression | None = None  # how the province total is computed (rates); else a sum
    choices: str = ""  # a choice field's list
    minimum: int | float | None = None  # a number's smallest and largest accepted values
    maximum: int | float | None = None
    rollup: str = ""  # one of ROLLUPS ("" when the form declares no roll-up)
    # ``sum``: the lower round's fields whose totals are added (default: the field's own code).
    rollup_from: tuple[str, ...] = ()

    @property
    def sources(self) -> tuple[str, ...]:
        """The lower round's fields a ``sum`` field adds: its ``rollup_from``, else its own code."""
        return self.rollup_from or (self.code,)

    @property
    def cell(self) -> str:
        return f"{self.column}{self.row}"

    @property
    def is_input(self) -> bool:
        return self.source == "input"

    def text(self, lang: str) -> str:
        return self.label_en if lang == "en" and self.label_en else self.label

    @property
    def localized_label(self) -> Localized:
        """The label in both languages (English falls back to the Vietnamese)."""
        return Localized(self.label, self.label_en or self.label)


@dataclass(frozen=True)
class Chart:
    title: str
    title_en: str
    fields: tuple[str, ...]
    target: float | None = None
    target_label: str = ""


@dataclass(frozen=True)
class Section:
    number: str
    title: str
    title_en: str
    row: int
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Column:
    code: str
    column: str
    label: str
    label_en: str
    type: str
    choices: str = ""
    help: str = ""
    role: str = ""  # one of ROLES, for the document-number checks; "" for none

    def text(self, lang: str) -> str:
        return self.label_en if lang == "en" and self.label_en else self.label

    @property
    def localized_label(self) -> Localized:
        """The label in both languages (English falls back to the Vietnamese)."""
        return Localized(self.label, self.label_en or self.label)


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    expr: Expression
    live: Template
    live_en: Template
    message: Template
    message_en: Template
    anchor: str = ""  # field code (form rules); empty for table rules
    table: str = ""  # table code for row rules
    # What the rule checks, in the clerk's words (the printed guide); not the expression.
    description: str = ""
    description_en: str = ""

    @property
    def fields(self) -> frozenset[str]:
        """Every name the rule involves (fields, and columns for a row rule)."""
        return self.expr.names

    def message_for(self, lang: str) -> Template:
        return self.message_en if lang == "en" else self.message


@dataclass(frozen=True)
class Table:
    code: str
    sheet: str
    title: str
    title_en: str
    header_row: int
    rows: int
    number_column: str
    check_column: str
    columns: tuple[Column, ...]
    rules: tuple[Rule, ...]
    widths: Mapping[str, float]
    # Where templates of this form version made before the title moved had it (the TOML's
    # ``earlier_title_cell``); None for a table whose title never moved.
    earlier_title_cell: str | None = None
    note: str = ""  # the line under the title: how to fill the table ({rows}: its pre-made rows)
    # The columns that make a row one document (the TOML's ``identity``): a second row with the
    # same cells is the same document listed twice. Empty: no such check.
    identity: tuple[str, ...] = ()
    rollup: str = ""  # one of TABLE_ROLLUPS ("" when the form declares no roll-up)

    def role_column(self, role: str) -> Column | None:
        """The column playing ``role`` (one of ROLES) in the document-number checks."""
        return next((c for c in self.columns if c.role == role), None)

    @property
    def first_row(self) -> int:
        return self.header_row + 1

    @property
    def last_row(self) -> int:
        return self.header_row + self.rows

    @property
    def first_column(self) -> str:
        return self.columns[0].column

    @property
    def title_cell(self) -> str:
        """Where the title is: above the data columns, the part of the sheet that prints."""
        return f"{self.first_column}1"

    @property
    def last_column(self) -> str:
        return self.columns[-1].column

    def column(self, code: str) -> Column:
        for col in self.columns:
            if col.code == code:
                return col
        raise KeyError(code)

    def column_range(self, code: str) -> str:
        """An absolute, sheet-qualified range of one column's data rows."""
        letter = self.column(code).column
        return f"{quote_sheet(self.sheet)}!${letter}${self.first_row}:${letter}${self.last_row}"

    @property
    def data_range(self) -> str:
        return f"{quote_sheet(self.sheet)}!${self.first_column}${self.first_row}:${self.last_column}${self.last_row}"


@dataclass(frozen=True)
class ReportChange:
    """How a sentence says one province figure's change against last year: ``up``, ``down``
    or ``same``, each a template with ``{change}`` (the size of the change) and ``{previous}``."""

    field: str
    up: Template
    down: Template
    same: Template


@dataclass(frozen=True)
class ReportSection:
    title: str  # plain text, {year}
    sentences: tuple[Template, ...]  # on the province totals
    documents: bool = False  # the documents table (by unit and issuer) follows the sentences
    compare: tuple[ReportChange, ...] = ()


@dataclass(frozen=True)
class Report:
    """The provincial appendix as a Word document (``dv merge --docx``): the heading block of
    Decree 30/2020/NĐ-CP and the seed report's own sentences, as data."""

    agency_parent: str
    agency: str
    nation: str
    motto: str
    date_line: str  # plain text, {year}
    title: str
    attachment: str
    province: str  # the label of the province's row in tables
    compare_intro: Template
    sections: tuple[ReportSection, ...]
    documents_table: str  # table code ("" without a documents table)
    documents_group: str  # column whose choices split a unit's documents (the issuer)
    documents_item: Template | None  # one document, by column code
    documents_headers: tuple[str, ...]  # STT, unit, group, count, documents
    units_title: str
    units_headers: tuple[str, ...]  # STT, unit
    units_columns: tuple[tuple[str, str], ...]  # (field code, header)
    no_previous: str  # a unit's cell when last year has nothing to compare with
    units_note: Template
    missing: Template
    rejected: Template
    all_sent: Template
    new_field: Template
    not_in_previous: Template
    not_sent_previous: Template
    coverage: Template


@dataclass(frozen=True)
class Layout:
    sheet: str
    title_row: int
    subtitle_row: int
    attachment_row: int
    status_row: int
    header_row: int
    number_column: str
    label_column: str
    unit_column: str
    value_column: str
    check_column: str
    headers: Mapping[str, str]
    headers_en: Mapping[str, str]
    widths: Mapping[str, float]
    lists_sheet: str
    meta_sheet: str
    guide_sheet: str
    # The signature block under the fields: (title, hint) on the left and on the right.
    signature_left: tuple[str, ...] = ()
    signature_right: tuple[str, ...] = ()


@dataclass(frozen=True)
class Form:
    id: str
    version: str
    year: int
    title: str
    title_en: str
    subtitle: str
    subtitle_en: str
    layout: Layout
    sections: tuple[Section, ...]
    choices: Mapping[str, tuple[Choice, ...]]
    tables: Mapping[str, Table]
    rules: tuple[Rule, ...]
    roster_code: str  # the field a roster's code fills (unit_code)
    roster_name: str  # the field a roster's name fills (unit_name)
    number_field: str  # the report's own number
    date_field: str  # the report's date: the later one wins between two files of a unit
    guide_title: str
    guide_lines: tuple[str, ...]
    charts: tuple[Chart, ...] = ()
    report: Report | None = None  # the Word appendix; optional
    # The line under the subtitle: "(Kèm theo Báo cáo số {number} ngày {date} của {unit})".
    attachment: str = ""
    path: str = field(default="", compare=False)

    # -- lookups ---------------------------------------------------------------------------
    # Cached: the form is frozen, and the validator asks these of it many times for every file.
    @cached_property
    def fields(self) -> tuple[Field, ...]:
        return tuple(f for s in self.sections for f in s.fields)

    @cached_property
    def _fields_by_code(self) -> dict[str, Field]:
        by_code: dict[str, Field] = {}
        for f in self.fields:
            by_code.setdefault(f.code, f)  # the first of a code, as a scan of the fields finds
        return by_code

    def field(self, code: str) -> Field:
        return self._fields_by_code[code]

    @cached_property
    def rolls_up(self) -> bool:
        """Whether a lower level's merged round can become a submission to this form: the form
        declares how each of its fields (and its table) rolls up (docs/spec.md §9)."""
        return any(f.rollup for f in self.fields) or any(t.rollup for t in self.tables.values())

    @cached_property
    def input_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.is_input)

    @cached_property
    def input_types(self) -> Mapping[str, str]:
        """Each input field's code → its type: how the sheet's checks read what was typed
        there (every check cell asks, once per field and per value it caches)."""
        return MappingProxyType({f.code: f.type for f in self.input_fields})

    @cached_property
    def derived_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.source == "derived")

    def rules_for(self, anchor: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.anchor == anchor)

    def choice_values(self, key: str) -> tuple[str, ...]:
        return self._choice_values[key]

    @cached_property
    def _choice_values(self) -> dict[str, tuple[str, ...]]:
        return {key: tuple(c.value for c in choices) for key, choices in self.choices.items()}

    @property
    def summable_fields(self) -> tuple[Field, ...]:
        """Fields with a province total: integers are summed, rates recomputed (``total``)."""
        return tuple(f for f in self.fields if (f.type == "integer" and f.source != "fixed") or f.total)

    def fixed_value(self, f: Field) -> int | str:
        """The value a fixed field always holds in this form's workbooks."""
        text = f.value.format(year=self.year)
        return int(text) if f.type == "integer" else text

    def subtitle_text(self, lang: str = "vi") -> str:
        return (self.subtitle_en if lang == "en" else self.subtitle).format(year=self.year)

    # -- the template's fixed content ------------------------------------------------------
    def fixed_cells(self) -> tuple[tuple[str, str, str], ...]:
        """(sheet, cell, text) of every label the template writes and the reader checks."""
        return self._fixed_cells

    @cached_property
    def _fixed_cells(self) -> tuple[tuple[str, str, str], ...]:
        return tuple(self._each_fixed_cell())

    def _each_fixed_cell(self, earlier: bool = False) -> Iterator[tuple[str, str, str]]:
        lay = self.layout
        yield lay.sheet, f"{lay.number_column}{lay.title_row}", self.title
        yield lay.sheet, f"{lay.number_column}{lay.subtitle_row}", self.subtitle_text()
        for col, text in lay.headers.items():
            yield lay.sheet, f"{col}{lay.header_row}", text
        for section in self.sections:
            yield lay.sheet, f"{lay.number_column}{section.row}", section.number
            yield lay.sheet, f"{lay.label_column}{section.row}", section.title
            for f in section.fields:
                yield lay.sheet, f"{lay.label_column}{f.row}", f.label
                if f.unit:
                    yield lay.sheet, f"{lay.unit_column}{f.row}", f.unit
        for table in self.tables.values():
            title_cell = table.title_cell
            if earlier:
                title_cell = self.moved_cells.get((table.sheet, title_cell), title_cell)
            yield table.sheet, title_cell, table.title.format(year=self.year)
            yield table.sheet, f"{table.number_column}{table.header_row}", lay.headers[lay.number_column]
            for col in table.columns:
                yield table.sheet, f"{col.column}{table.header_row}", col.label

    @cached_property
    def moved_cells(self) -> Mapping[tuple[str, str], str]:
        """(sheet, cell) of a label → where templates of the same form version had it before
        it moved (a table's ``earlier_title_cell`` in the form definition). The templates
        units already hold must still read, so the reader accepts a label at either place."""
        return MappingProxyType(
            {(t.sheet, t.title_cell): t.earlier_title_cell for t in self.tables.values() if t.earlier_title_cell}
        )

    @cached_property
    def fingerprint(self) -> str:
        """A hash of the fixed content and of where every field lives. Computed once per
        form (the form is frozen; every file checked compares its metadata with it)."""
        return self._fingerprint_of(self.fixed_cells())

    @cached_property
    def accepted_fingerprints(self) -> frozenset[str]:
        """This layout's fingerprint and, if a label moved (:attr:`moved_cells`), that of the
        layout before: same fields at the same cells, same labels. A form with no moved label
        accepts only its own, so no other layout passes as an earlier one."""
        if not self.moved_cells:
            return frozenset({self.fingerprint})
        return frozenset({self.fingerprint, self._fingerprint_of(tuple(self._each_fixed_cell(earlier=True)))})

    def _fingerprint_of(self, fixed: tuple[tuple[str, str, str], ...]) -> str:
        payload = {
            "form": [self.id, self.version, self.year],
            "fixed": sorted(fixed),
            "fields": [[f.code, f.sheet, f.cell, f.type] for f in self.fields],
            "tables": [[t.code, t.data_range] for t in self.tables.values()],
        }
        blob = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()[:32]
