"""The provincial appendix as a Word document (``dv merge --docx``), ready to paste into the
report the Home Affairs office sends upward.

Layout of Decree 30/2020/NĐ-CP: A4, Times New Roman, margins top/bottom 20 mm, left 30 mm,
right 15 mm (``toolkit.template.MARGINS_MM``, the template's own), page numbers centred at the
top from page 2, the heading block (issuing body left, national name and motto right, place
and date). The words come from the form definition's ``[report]``: the seed report's own
sentences, filled with the province's totals; this module decides only how they look.
Returns bytes; writing the file is the caller's job.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_UNDERLINE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt

from . import __version__
from .form import Form, Report, ReportSection, Section
from .form.rules import Template
from .merger import MergeResult, UnitRow
from .messages import t
from .numbers import format_change, format_number, format_percent
from .page import FONT, MARGINS_MM
from .text import normalise_code

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.table import Table as DocxTable
    from docx.table import _Cell
    from docx.text.paragraph import Paragraph

    from .previous import Comparison

__all__ = ["build_appendix_docx", "NoReportDefinition", "appendix_filename"]

BODY_PT = 14  # Decree 30: body text 13-14 pt
TABLE_PT = 13
HEAD_PT = 13  # issuing body, national name: 12-13 pt
# Tables a hair narrower than the text area: margins are rounded up to whole twips.
TEXT_WIDTH_MM = 210 - MARGINS_MM["left"] - MARGINS_MM["right"] - 0.2
HEADER_DISTANCE_MM = 10
FIRST_LINE_MM = 10  # Decree 30: paragraphs indented 1-1.27 cm
# Characters XML 1.0 cannot hold (a pasted control character would make python-docx refuse).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class NoReportDefinition(ValueError):
    """The form definition has no ``[report]``: nothing says how the appendix reads."""


def appendix_filename(form: Form) -> str:
    return f"phu-luc-{form.year}.docx"


def _mm_up(mm: float) -> Emu:
    """A length rounded up to whole twips (Word stores margins in twips): 15 mm must not
    become 14,99 mm."""
    return Emu(math.ceil(Mm(mm) / 635) * 635)


def _clean(text: Any) -> str:
    return unicodedata.normalize("NFC", _NOT_XML.sub("", "" if text is None else str(text)))


class _Appendix:
    def __init__(self, result: MergeResult, comparison: Comparison | None) -> None:
        if result.form.report is None:
            raise NoReportDefinition(result.form.id)
        self.result = result
        self.form = result.form
        self.spec: Report = result.form.report
        self.comp = comparison
        self.year = self.form.year
        self.doc: DocxDocument = Document()
        self.sent = [r for r in result.rows if r.sent]
        self._blank_cells: dict[Any, list[Any]] = {}
        self._paragraphs: dict[tuple[str, bool, bool, bool], Any] = {}

    # -- texts -------------------------------------------------------------------------------
    def plain(self, text: str) -> str:
        previous = self.comp.previous_year if self.comp else self.year - 1
        return _clean(text.format(year=self.year, previous_year=previous))

    def render(self, template: Template, env: Mapping[str, Any]) -> str:
        base: dict[str, Any] = {"year": self.year}
        if self.comp is not None:
            base["previous_year"] = self.comp.previous_year
        return _clean(" ".join(template.render({**base, **env}, self._attr).split()))

    def _attr(self, name: str, attr: str) -> str:
        try:
            return self.form.field(name).label if attr == "label" else ""
        except KeyError:
            return ""

    def field_value(self, code: str, value: Any) -> str:
        if value is None:
            return ""
        if self.form.field(code).type == "percent":
            return format_percent(value)
        return format_number(value)

    # -- the document ------------------------------------------------------------------------
    def build(self) -> bytes:
        self.setup()
        self.heading_block()
        spec = self.spec
        self.paragraph(self.plain(spec.title), bold=True, align="center", indent=False, before=12, after=0)
        self.paragraph(self.plain(spec.attachment), italic=True, align="center", indent=False, after=12)
        for part in self.parts():
            if isinstance(part, ReportSection):
                self.section(part)
            else:
                self.field_lines(part)
        self.units_table()
        self.who_did_not_report()
        self.comparison_notes()
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()

    def setup(self) -> None:
        doc = self.doc
        props = doc.core_properties
        props.title = self.plain(f"{self.spec.title} {{year}}")
        props.author = props.last_modified_by = self.plain(self.spec.agency)
        props.comments = f"dv {__version__}"
        props.created = props.modified = dt.datetime(self.year, 12, 31)
        props.revision = 1
        _fonts(doc)
        normal = doc.styles["Normal"]
        normal.font.size = Pt(BODY_PT)
        pf = normal.paragraph_format
        pf.space_before, pf.space_after, pf.line_spacing = Pt(0), Pt(6), 1.0
        section = doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = _mm_up(MARGINS_MM["top"]), _mm_up(MARGINS_MM["bottom"])
        section.left_margin, section.right_margin = _mm_up(MARGINS_MM["left"]), _mm_up(MARGINS_MM["right"])
        section.header_distance = section.footer_distance = Mm(HEADER_DISTANCE_MM)
        # Decree 30: the page number centred in the top margin, not on the first page.
        section.different_first_page_header_footer = True
        section.first_page_header.is_linked_to_previous = False
        number = section.header.paragraphs[0]
        number.alignment = WD_ALIGN_PARAGRAPH.CENTER
        number.paragraph_format.space_after = Pt(0)
        _page_field(number, HEAD_PT)

    def paragraph(
        self,
        text: str = "",
        *,
        container: Any = None,
        bold: bool = False,
        italic: bool = False,
        size: float | None = None,
        align: str = "justify",
        indent: bool = True,
        before: float = 0,
        after: float = 6,
        keep: bool = False,
    ) -> Paragraph:
        target = container if container is not None else self.doc
        p = target.add_paragraph()
        fmt = p.paragraph_format
        p.alignment = {
            "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
            "center": WD_ALIGN_PARAGRAPH.CENTER,
            "left": WD_ALIGN_PARAGRAPH.LEFT,
            "right": WD_ALIGN_PARAGRAPH.RIGHT,
        }[align]
        fmt.space_before, fmt.space_after = Pt(before), Pt(after)
        if indent:
            fmt.first_line_indent = Mm(FIRST_LINE_MM)
        if keep:
            fmt.keep_with_next = True
        if text:
            run = p.add_run(text)
            run.bold, run.italic = bold or None, italic or None
            if size is not None:
                run.font.size = Pt(size)
        return p

    def heading_block(self) -> None:
        """Decree 30's heading: issuing body on the left; national name, motto, place and date
        on the right. A borderless table, as offices type it in Word."""
        spec = self.spec
        table = self.table(2, (62, TEXT_WIDTH_MM - 62), borders=False)
        left, right = table.rows[0].cells
        for cell in (left, right):
            cell._tc.remove(cell.paragraphs[0]._p)
        para = self.paragraph
        para(self.plain(spec.agency_parent), container=left, size=HEAD_PT, align="center", indent=False, after=0)
        para(self.plain(spec.agency), container=left, size=HEAD_PT, bold=True, align="center", indent=False, after=0)
        # A short rule under the issuing body: 1/3 to 1/2 of the line above, centred.
        rule = para(container=left, align="center", indent=False, before=2, after=0)
        line_mm = min(max(len(self.plain(spec.agency)) * 3.0 * 0.45, 10), 40)
        side = (62 - 4 - line_mm) / 2
        rule.paragraph_format.left_indent = rule.paragraph_format.right_indent = Mm(side)
        _bottom_border(rule)
        _tiny(rule)
        para(self.plain(spec.nation), container=right, size=HEAD_PT, bold=True, align="center", indent=False, after=0)
        motto = para(container=right, align="center", indent=False, after=6)
        run = motto.add_run(self.plain(spec.motto))
        run.bold = True
        run.underline = WD_UNDERLINE.SINGLE  # Decree 30: a rule as long as the motto
        para(self.plain(spec.date_line), container=right, italic=True, align="center", indent=False, after=0)

    def table(self, cols: int, widths_mm: Iterable[float], *, borders: bool = True) -> DocxTable:
        """A table of one row (the header); the others are added by :meth:`row`, in time
        linear in the rows (python-docx's ``Table.cell`` and ``rows[i]`` walk the whole table)."""
        widths = [Mm(w) for w in widths_mm]
        table = self.doc.add_table(rows=1, cols=cols)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        if borders:
            table.style = self.doc.styles["Table Grid"]
        for column, cell, width in zip(table.columns, table.rows[0].cells, widths, strict=True):
            column.width = width  # add_row gives each new cell its column's width
            cell.width = width
        return table

    def row(self, table: DocxTable) -> list[_Cell]:
        """A new last row of ``table``: each cell a copy of its column's empty cell (width,
        vertical centring). Built on the XML: python-docx's ``add_row`` searches the whole
        table for where a row goes, which made the appendix quadratic in the units."""
        from docx.table import _Cell

        tbl = table._tbl
        blanks = self._blank_cells.get(tbl)
        if blanks is None:
            blanks = []
            for grid_col in tbl.tblGrid.gridCol_lst:
                tc = OxmlElement("w:tc")
                tc.width = grid_col.w
                tc.get_or_add_tcPr().vAlign_val = WD_CELL_VERTICAL_ALIGNMENT.CENTER
                tc.append(OxmlElement("w:p"))
                blanks.append(tc)
            self._blank_cells[tbl] = blanks
        tr = OxmlElement("w:tr")
        tbl.append(tr)  # rows are the last children of <w:tbl>
        cells = []
        for blank in blanks:
            tc = copy.deepcopy(blank)
            tr.append(tc)
            cells.append(_Cell(tc, table))
        return cells

    def cell_text(
        self,
        cell: _Cell,
        lines: Iterable[str] | str,
        *,
        bold: bool = False,
        align: str = "center",
        italic_from: int | None = None,
    ) -> None:
        """Write ``lines`` into ``cell``, one paragraph each; lines from ``italic_from`` on in
        italics (the change against last year under a value). Each paragraph is a copy of one
        made once through python-docx for its style (a table of 10,000 units has ~100,000)."""
        lines = [lines] if isinstance(lines, str) else list(lines)
        tc = cell._tc
        first = tc.p_lst[0] if tc.p_lst else None
        for i, text in enumerate(lines or [""]):
            p = self._styled_paragraph(_clean(text), align, bold, italic_from is not None and i >= italic_from)
            if i == 0 and first is not None and len(first) == 0:
                tc.replace(first, p)  # the empty paragraph every new cell holds
            else:
                tc.append(p)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER

    def _styled_paragraph(self, text: str, align: str, bold: bool, italic: bool) -> Any:
        key = (align, bold, italic, bool(text))
        proto = self._paragraphs.get(key)
        if proto is None:
            from docx.text.paragraph import Paragraph

            proto = OxmlElement("w:p")
            p = Paragraph(proto, None)  # type: ignore[arg-type]
            p.alignment = {
                "center": WD_ALIGN_PARAGRAPH.CENTER,
                "left": WD_ALIGN_PARAGRAPH.LEFT,
                "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
            }[align]
            p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(1)
            p.paragraph_format.first_line_indent = None
            if text:
                run = p.add_run("x")
                run.font.size = Pt(TABLE_PT)
                run.bold = bold or None
                run.italic = italic or None
            self._paragraphs[key] = proto
        p = copy.deepcopy(proto)
        if text:
            run = p.r_lst[0]
            if any(c in text for c in "\t\n\r"):
                run.remove(run.t_lst[0])
                run.text = text  # python-docx's own: tabs and line breaks as <w:tab/>, <w:br/>
            else:
                t = run.t_lst[0]
                t.text = text
                if text != text.strip():
                    t.set(qn("xml:space"), "preserve")
        return p

    def header_row(self, table: DocxTable, headers: Iterable[str]) -> None:
        row = table.rows[0]
        _repeat_header(row)
        for cell, text in zip(row.cells, headers, strict=True):
            self.cell_text(cell, self.plain(text), bold=True)

    # -- the sections ----------------------------------------------------------------------------
    def parts(self) -> list[ReportSection | Section]:
        """The appendix's sections in the form's order: each ``[report]`` section where the first
        form section it speaks of stands, and every form section with figures that no
        ``[report]`` section speaks of (a section new this year) as a line per field."""
        form, spec = self.form, self.spec
        said = {id(s): _names(s) for s in spec.sections}
        out: list[ReportSection | Section] = []
        for section in form.sections:
            codes = {f.code for f in section.fields}
            speaking = [s for s in spec.sections if said[id(s)] & codes and s not in out]
            if speaking:
                out += speaking
            elif any(s for s in spec.sections if said[id(s)] & codes):
                continue  # spoken of by a section already placed
            elif any(f in form.summable_fields for f in section.fields):
                out.append(section)
        return out + [s for s in spec.sections if s not in out]

    def field_lines(self, section: Section) -> None:
        """A form section the wording does not cover: its title, and "label: total unit" for each
        field with a province total (and the change against last year, or that it is new)."""
        totals, comp = self.result.totals, self.comp
        self.paragraph(_clean(f"{section.number}. {section.title}"), bold=True, before=6, keep=True)
        for f in section.fields:
            if f not in self.form.summable_fields:
                continue
            line = f"{f.label}: {self.field_value(f.code, totals.get(f.code))}" + (
                f" {f.unit}" if f.unit and f.type != "percent" else ""
            )
            if comp is not None and f.code in comp.fields:
                line += " " + self.change_text(f.code, comp.changes.get(f.code))
            self.paragraph(_clean(line) + ".")

    def section(self, section: ReportSection) -> None:
        totals = self.result.totals
        self.paragraph(self.plain(section.title), bold=True, before=6, keep=True)
        for sentence in section.sentences:
            # A figure no accepted unit gave (no unit at all, or an empty field everywhere) is
            # "chưa có số liệu", never 0 or 0 % computed from nothing.
            if any(totals.get(name, 0) is None for name in sentence.names):
                self.paragraph(t("docx.no_data", "vi"))
            else:
                self.paragraph(self.render(sentence, totals))
        change = self.change_sentence(section)
        if change:
            self.paragraph(change)
        if section.documents:
            self.documents_table()

    def change_sentence(self, section: ReportSection) -> str:
        comp = self.comp
        if comp is None:
            return ""
        parts = []
        for item in section.compare:
            delta = comp.changes.get(item.field)
            if delta is None:
                continue
            percent = self.form.field(item.field).type == "percent"
            shown = round(delta * 100, 2) if percent else delta
            template = item.up if shown > 0 else item.down if shown < 0 else item.same
            env = {**self.result.totals, "change": abs(delta), "previous": comp.previous_totals.get(item.field)}
            parts.append(self.render(template, env))
        if not parts:
            return ""
        return self.render(self.spec.compare_intro, {}) + " " + "; ".join(parts) + "."

    def documents_table(self) -> None:
        """Section 1 as a table: each unit's documents, one row per issuer, with counts."""
        spec, form = self.spec, self.form
        table_def = form.tables[spec.documents_table]
        group_col = table_def.column(spec.documents_group)
        groups = list(form.choice_values(group_col.choices))
        units: list[tuple[UnitRow, dict[str, list[dict[str, Any]]]]] = []
        for row in self.sent:
            by_group: dict[str, list[dict[str, Any]]] = {g: [] for g in groups}
            for doc in row.report.docs if row.report else []:
                by_group.setdefault(_clean(doc.get(group_col.code)).strip() or "—", []).append(doc)
            units.append((row, by_group))
        widths = (13, 34, 23, 18, TEXT_WIDTH_MM - 88)
        table = self.table(5, widths)
        self.header_row(table, spec.documents_headers)
        for n, (unit, by_group) in enumerate(units, start=1):
            first: list[_Cell] = []
            for group, docs in by_group.items() or [("", [])]:
                cells = self.row(table)
                if first:  # the unit's number and name span its rows
                    cells[0]._tc.vMerge = cells[1]._tc.vMerge = "continue"
                else:
                    first = cells
                self.cell_text(cells[2], group)
                self.cell_text(cells[3], format_number(len(docs)))
                items = [self.document_item(d) for d in docs]
                self.cell_text(
                    cells[4], [t + (";" if i < len(items) - 1 else ".") for i, t in enumerate(items)], align="left"
                )
            if len(by_group) > 1:
                first[0]._tc.vMerge = first[1]._tc.vMerge = "restart"
            self.cell_text(first[0], str(n))
            self.cell_text(first[1], unit.name or unit.code, align="left")

    def document_item(self, doc: Mapping[str, Any]) -> str:
        env = {k: ("" if v is None else v) for k, v in doc.items() if not k.startswith("_")}
        return self.render(self.spec.documents_item, env).rstrip(" .;")

    # -- per unit, and who did not report ----------------------------------------------------
    def units_table(self) -> None:
        spec, comp = self.spec, self.comp
        columns = spec.units_columns
        self.paragraph(self.plain(spec.units_title), bold=True, align="center", indent=False, before=12, keep=True)
        rest = TEXT_WIDTH_MM - 13 - 42
        table = self.table(2 + len(columns), (13, 42, *([rest / len(columns)] * len(columns))))
        self.header_row(table, [*spec.units_headers, *(header for _, header in columns)])
        for n, unit in enumerate(self.sent, start=1):
            cells = self.row(table)
            self.cell_text(cells[0], str(n))
            self.cell_text(cells[1], unit.name or unit.code, align="left")
            info = comp.units.get(normalise_code(unit.code)) if comp else None
            for i, (code, _) in enumerate(columns):
                lines = [self.field_value(code, unit.values.get(code))]
                if comp is not None:
                    compared = info is not None and info.status == "compared" and code in comp.fields
                    lines.append(self.change_text(code, info.changes.get(code)) if compared else spec.no_previous)
                self.cell_text(cells[2 + i], lines, italic_from=1)
        cells = self.row(table)
        total = cells[0].merge(cells[1])
        self.cell_text(total, self.plain(spec.province), bold=True)
        for i, (code, _) in enumerate(columns):
            lines = [self.field_value(code, self.result.totals.get(code))]
            if comp is not None:
                lines.append(
                    self.change_text(code, comp.changes.get(code)) if code in comp.fields else spec.no_previous
                )
            self.cell_text(cells[2 + i], lines, bold=True, italic_from=1)
        if comp is not None:
            self.paragraph(self.render(spec.units_note, {}), italic=True, size=TABLE_PT, before=3)

    def change_text(self, code: str, delta: Any) -> str:
        if delta is None:
            return self.spec.no_previous
        return f"({format_change(delta, percent=self.form.field(code).type == 'percent')})"

    def who_did_not_report(self) -> None:
        result, spec = self.result, self.spec
        if result.roster is None:
            return  # without the list of units, nobody is known to be missing
        listed = [r for r in result.rows if r.in_roster]

        # Sent, but not merged: rejected, or files the officer has yet to choose between (docs/spec.md §8).
        def units_of(*statuses: str) -> set[str]:
            return {normalise_code(f.unit_code) for f in result.files if f.status in statuses and f.unit_code}

        pending_units = units_of("conflict", "unit-conflict")
        rejected_units = units_of("rejected") - pending_units
        unsent = [r for r in listed if not r.sent]
        pending = [r for r in unsent if normalise_code(r.code) in pending_units]
        rejected = [r for r in unsent if normalise_code(r.code) in rejected_units]
        silent = [r for r in unsent if r not in pending and r not in rejected]
        names = lambda rows: ", ".join(r.name or r.code for r in rows)  # noqa: E731
        if silent:
            env = {"count": len(silent), "total": len(listed), "names": names(silent)}
            self.paragraph(self.render(spec.missing, env), before=6)
        if rejected:
            self.paragraph(
                self.render(spec.rejected, {"count": len(rejected), "total": len(listed), "names": names(rejected)})
            )
        if pending:
            self.paragraph(t("docx.pending", "vi", count=format_number(len(pending), pad=True), names=names(pending)))
        if not silent and not rejected and not pending:
            self.paragraph(self.render(spec.all_sent, {"count": 0, "total": len(listed), "names": ""}), before=6)

    def comparison_notes(self) -> None:
        comp, spec = self.comp, self.spec
        if comp is None:
            return
        used = {code for code, _ in spec.units_columns} | {c.field for s in spec.sections for c in s.compare}
        used |= {f.code for part in self.parts() if isinstance(part, Section) for f in part.fields}
        for code in comp.new_fields:
            if code in used:
                self.paragraph(self.render(spec.new_field, {"label": self.form.field(code).label}))
        name_of = {normalise_code(r.code): r.name or r.code for r in self.result.rows}
        for status, template in (
            ("not_in_previous", spec.not_in_previous),
            ("not_sent_previous", spec.not_sent_previous),
        ):
            codes = comp.units_with(status)
            if codes:
                self.paragraph(self.render(template, {"names": ", ".join(name_of[normalise_code(c)] for c in codes)}))
        if comp.units_now != comp.units_before or comp.dropped_units:
            self.paragraph(self.render(spec.coverage, {"units": comp.units_now, "previous_units": comp.units_before}))


# -- a little WordprocessingML that python-docx has no property for ---------------------------


def _names(section: ReportSection) -> set[str]:
    """The field codes a ``[report]`` section speaks of: in its sentences and its comparisons."""
    names: set[str] = set()
    for sentence in section.sentences:
        names |= sentence.names
    return names | {c.field for c in section.compare}


def _fonts(doc: DocxDocument) -> None:
    """Times New Roman for every script (Vietnamese is Latin, but Word picks the East Asian or
    complex-script font for some characters), in the document defaults and the Normal style;
    the theme fonts of python-docx's default template are removed so they cannot win."""
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    targets = [doc.styles["Normal"].element.get_or_add_rPr()]
    if defaults is not None:
        rpr_default = defaults.find(qn("w:rPrDefault"))
        if rpr_default is not None:
            rpr = rpr_default.find(qn("w:rPr"))
            if rpr is not None:
                targets.append(rpr)
    for rpr in targets:
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.insert(0, fonts)
        for key in list(fonts.attrib):
            if key.endswith("Theme"):
                del fonts.attrib[key]
        for key in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(key), FONT)
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:val"), "vi-VN")


def _page_field(paragraph: Paragraph, size: float) -> None:
    """A PAGE field (begin, instruction, separate, result, end), as Word writes it."""

    def run_with(*elements: Any) -> None:
        run = paragraph.add_run()
        run.font.size = Pt(size)
        for element in elements:
            run._r.append(element)

    def fld(kind: str) -> Any:
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        return el

    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    result = OxmlElement("w:t")
    result.text = "2"
    run_with(fld("begin"))
    run_with(instr)
    run_with(fld("separate"))
    run_with(result)
    run_with(fld("end"))


def _bottom_border(paragraph: Paragraph) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    # pBdr comes before spacing/ind/jc in CT_PPr's sequence: insert it early.
    anchor = next(
        (ppr.find(qn(t)) for t in ("w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc") if ppr.find(qn(t)) is not None),
        None,
    )
    if anchor is not None:
        anchor.addprevious(borders)
    else:
        ppr.append(borders)


def _tiny(paragraph: Paragraph) -> None:
    """An empty paragraph only as tall as its border needs."""
    ppr = paragraph._p.get_or_add_pPr()
    rpr = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "4")
    rpr.append(size)
    ppr.append(rpr)


def _repeat_header(row: Any) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def build_appendix_docx(result: MergeResult, comparison: Comparison | None = None) -> bytes:
    """The province's "PHỤ LỤC SỐ LIỆU" as .docx bytes; with ``comparison``
    (``toolkit.previous.compare``), the change against last year per unit and for the
    province. Raises :class:`NoReportDefinition` when the form has no ``[report]``."""
    return _Appendix(result, comparison).build()
