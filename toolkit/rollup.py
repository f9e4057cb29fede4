"""``dv roll-up``: a level's merged round becomes its own submission to the level above
(docs/spec.md §9).

The upper level's template (generic, or personalised for this unit) is filled with this level's
totals, each field as the upper form declares it (``rollup``): a count is the sum of the round's
units (of the lower fields ``rollup_from`` names, by default the same code), a rate is recomputed
from those sums by the form's own ``total`` expression (never an average), the documents table
holds every unit's rows or is left for this level's own, and the report's number, date and
signer are left for the officer to type (or given with ``--set``). The template is filled with
openpyxl, cell by defined name, so its protection, validation, live checks and metadata stay; the
file's provenance goes into rows of its metadata sheet (:mod:`toolkit.provenance`). Before
anything is written, dv reads the file back as the level above will, and refuses one that would
not pass. A round that is not settled (rejected files, files in doubt, units missing) is
refused unless the officer says so (``partial``): the level above then sees it says so.

The library part: :func:`roll_up` returns the bytes and what they hold; it writes no file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .form import Field, Form, FormError, load_form
from .form.rules import EvalError
from .issues import ERROR, FileReport, Issue, Status, make_issue
from .messages import DvError, Localized, phrase
from .numbers import format_number
from .provenance import Entry, Provenance

if TYPE_CHECKING:
    from .merger import MergeResult

__all__ = ["RollUp", "roll_up", "rollup_filename", "unsettled", "upper_values"]


@dataclass
class RollUp:
    """A roll-up, made: the workbook's bytes and what dv read back from them."""

    data: bytes
    form: Form  # the upper level's form: the one filled
    provenance: Provenance
    check: FileReport  # the file as the level above will read it
    values: dict[str, Any]  # the figures filled in, by the upper form's codes
    typed: dict[str, Any]  # the fields given with --set, as read
    left: list[Field]  # the fields left for the officer to type
    documents: int  # rows written into the table (0: none, or the table left for this level's own)
    open: list[Localized] = field(default_factory=list)  # why the round is not settled (partial)

    @property
    def unit_code(self) -> str:
        return self.check.unit_code

    @property
    def tables(self) -> bool:
        """Whether the upper form takes every unit's documents (its table rolls up ``all``)."""
        return any(t.rollup == "all" for t in self.form.tables.values())

    @property
    def units(self) -> int:
        return self.provenance.units


def rollup_filename(template: Path) -> str:
    """The default name of the roll-up of ``template``: its name with ``-gui-len`` ("sent up")."""
    return f"{template.stem}-gui-len.xlsx"


# -- is the round settled? -------------------------------------------------------------------------


def unsettled(result: MergeResult) -> list[Localized]:
    """What keeps the round from being settled, in words: rejected files, units whose files are in
    doubt, choices that named no file, units that sent nothing. Empty: settled."""
    out: list[Localized] = []
    if result.rejected:
        names = ", ".join(f"{f.name} ({f.unit_code or '?'})" for f in result.rejected[:8])
        more = len(result.rejected) - 8
        out.append(phrase("rollup.open.rejected", count=len(result.rejected), names=names + (" …" if more > 0 else "")))
    if result.conflicts:
        out.append(phrase("rollup.open.conflict", units=", ".join(result.conflicts)))
    if result.unit_conflicts:
        names = ", ".join(f.name for f in result.unit_conflicts)
        out.append(phrase("rollup.open.unit_conflict", count=len(result.unit_conflicts), names=names))
    out += result.use_problems
    if result.missing_units:
        out.append(
            phrase("rollup.open.missing", count=len(result.missing_units), units=", ".join(result.missing_units))
        )
    return out


# -- the figures, in the upper form's codes -------------------------------------------------------


def figure_fields(upper: Form) -> list[Field]:
    """The upper form's fields that a roll-up fills with the units' figures: summed, recomputed,
    and derived from those (a count of a table that takes every unit's rows is their sum; one of
    a table left for this level's own documents is not, and is no roll-up figure)."""
    filled = {f.code for f in upper.fields if f.rollup in ("sum", "recompute")}
    for f in upper.derived_fields:  # in the form's order: a total of counts comes after them
        assert f.expr is not None
        tables_ok = all(upper.tables[r.table].rollup == "all" for r in f.expr.table_refs)
        names_ok = all(n in filled for n in f.expr.names if n not in upper.tables)
        if tables_ok and names_ok:
            filled.add(f.code)
    return [f for f in upper.fields if f.code in filled]


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def upper_values(upper: Form, lower: Mapping[str, Any], docs: list[dict[str, Any]] | None) -> dict[str, Any]:
    """One unit's figures (``lower``: by the lower form's codes; ``docs``: its documents, when the
    upper table holds every unit's) as the upper form counts them: each ``sum`` field adds its
    sources, derived counts are counted again on the documents (else kept by code), a recomputed
    rate is recomputed. None where a figure cannot be had."""
    out: dict[str, Any] = {}
    for f in upper.fields:
        if f.rollup == "sum":
            given = [lower.get(s) for s in f.sources if _number(lower.get(s))]
            out[f.code] = sum(given) if given else None
    tables = {code: docs for code in upper.tables} if docs is not None else None
    for f in upper.derived_fields:
        assert f.expr is not None
        if f.expr.table_refs and tables is None:
            keep = all(upper.tables[r.table].rollup == "all" for r in f.expr.table_refs)
            out[f.code] = lower.get(f.code) if keep else None
            continue
        if any(out.get(n) is None for n in f.expr.names if n not in upper.tables):
            out[f.code] = None
            continue
        try:
            out[f.code] = f.expr.evaluate(out, tables or {})
        except (EvalError, KeyError):
            out[f.code] = None
    for f in upper.fields:
        if f.rollup == "recompute" and f.total is not None:
            out[f.code] = _recomputed(f, out)
    return out


def _recomputed(f: Field, values: Mapping[str, Any]) -> Any:
    assert f.total is not None
    if any(values.get(n) is None for n in f.total.names):
        return None
    try:
        return f.total.evaluate(dict(values))
    except (EvalError, KeyError):
        return None


# -- the upper level's template ----------------------------------------------------------------------


@dataclass
class _Template:
    path: Path
    sha256: str
    meta: dict[str, str]
    form: Form
    report: FileReport  # dv's reading of the empty template


def _template_meta(path: Path, meta_sheet: str) -> dict[str, str]:
    """The key/value rows of a workbook's metadata sheet; {} when it has none."""
    from python_calamine import CalamineError, CalamineWorkbook

    from .intake.safety import Broken, TooLarge, Unsafe, check_zip
    from .intake.sniff import sniff

    try:
        if sniff(path).kind not in ("xlsx", "xlsm"):
            raise DvError("rollup.template_not_xlsx", path=path)
        check_zip(path)
        wb = CalamineWorkbook.from_path(str(path))
        try:
            names = wb.sheet_names
            sheet = meta_sheet if meta_sheet in names else "_dv" if "_dv" in names else None
            rows = wb.get_sheet_by_name(sheet).to_python() if sheet else []
        finally:
            wb.close()
    except (Unsafe, TooLarge, Broken, CalamineError, ValueError) as exc:
        raise DvError("rollup.template_unreadable", path=path, reason=str(exc)[:200]) from None
    except OSError as exc:
        from .messages import os_error_text

        raise DvError("rollup.template_unreadable", path=path, reason=os_error_text(exc)) from None
    return {str(r[0]).strip(): str(r[1]).strip() for r in rows if len(r) >= 2 and isinstance(r[0], str) and r[0]}


def _read_template(path: Path, lower: Form, upper: Form | None) -> _Template:
    """The template of the level above: which form (from its metadata, among the packaged forms,
    unless ``upper`` is given), that it is that form's and not filled."""
    from .fsutil import sha256_of
    from .intake import check_file

    if not path.is_file():
        raise DvError("rollup.template_missing", path=path)
    meta = _template_meta(path, lower.layout.meta_sheet)
    form_id, year = meta.get("form_id", ""), meta.get("form_year", "")
    if not form_id or meta.get("kind") == "summary" or not year.isdigit():
        raise DvError("rollup.not_template", path=path)
    if upper is None:
        if (form_id, year) == (lower.id, str(lower.year)):
            upper = lower
        else:
            try:
                upper = load_form(form_id, int(year))
            except FormError:
                raise DvError("rollup.form_unknown", path=path, form=form_id, year=year) from None
    if (upper.id, str(upper.year)) != (form_id, year):
        raise DvError(
            "rollup.template_other_form", path=path, found=f"{form_id} {year}", form=f"{upper.id} {upper.year}"
        )
    if meta.get("fingerprint") not in upper.accepted_fingerprints:
        raise DvError(
            "rollup.template_other_version", path=path, found=meta.get("form_version", "?"), version=upper.version
        )
    report = check_file(path, upper)
    if not any(i.code == "template-unfilled" for i in report.issues):
        first = next((i for i in report.errors if i.code.startswith("form-")), None)
        if first is not None:
            raise DvError("rollup.template_bad", path=path, reason=first.message)
        raise DvError("rollup.template_filled", path=path)
    return _Template(path, sha256_of(path), meta, upper, report)


# -- the mapping, checked before anything is written ----------------------------------------------


def _check_mapping(upper: Form, lower: Form) -> None:
    """Every field of the upper form says how it rolls up, and the lower round has what it needs:
    an error naming them all, before anything is written."""
    problems: list[Localized] = []
    if not upper.rolls_up:
        raise DvError("rollup.form_no_rollup", form=f"{upper.id} {upper.version}")
    kinds = ", ".join(("sum", "recompute", "person"))
    for f in upper.input_fields:
        if not f.rollup:
            problems.append(phrase("rollup.map.undeclared", code=f.code, label=f.label, kinds=kinds))
    for code, table in upper.tables.items():
        if not table.rollup:
            problems.append(phrase("rollup.map.table_undeclared", table=code))
    summable = {f.code: f for f in lower.summable_fields if f.type == "integer" and f.total is None}
    filled = {f.code for f in figure_fields(upper)}
    for f in upper.fields:
        if f.rollup == "sum":
            for source in f.sources:
                if source not in summable:
                    problems.append(
                        phrase("rollup.map.missing", code=f.code, label=f.label, source=source, form=lower.id)
                    )
        elif f.rollup == "recompute" and f.total is not None:
            loose = sorted(n for n in f.total.names if n not in filled)
            if loose:
                problems.append(phrase("rollup.map.rate", code=f.code, names=", ".join(loose)))
    for code, table in upper.tables.items():
        if table.rollup != "all":
            continue
        theirs = lower.tables.get(code)
        if theirs is None:
            problems.append(phrase("rollup.map.no_table", table=code, form=lower.id))
            continue
        columns = {c.code: c for c in theirs.columns}
        for col in table.columns:
            if col.code not in columns or columns[col.code].type != col.type:
                problems.append(phrase("rollup.map.column", table=code, column=col.code, form=lower.id))
    if problems:
        raise DvError("rollup.mapping", form=f"{upper.id} {upper.version}", lower=lower.id, problems=problems)


def _typed(upper: Form, template: _Template, given: Mapping[str, str]) -> dict[str, Any]:
    """The fields the officer gave with ``--set CODE=VALUE``, read as dv reads a typed cell."""
    from .intake.coerce import coerce

    out: dict[str, Any] = {}
    locked = {upper.roster_code, upper.roster_name} if template.meta.get("unit_code") else set()
    for code, text in given.items():
        try:
            f = upper.field(code)
        except KeyError:
            raise DvError(
                "rollup.set_unknown", code=code, codes=", ".join(x.code for x in upper.input_fields)
            ) from None
        if f.rollup != "person":
            raise DvError("rollup.set_not_person", code=code, label=f.label)
        if code in locked:
            raise DvError("rollup.set_locked", code=code, label=f.label, value=template.meta.get(code, ""))
        choices = upper.choice_values(f.choices) if f.type == "choice" and f.choices else ()
        read = coerce(text, f.type, _issue_maker(f), choices=choices)
        errors = [i for i in read.issues if i.severity == ERROR]
        if errors or not read.ok:
            raise DvError("rollup.set_bad", code=code, value=text, reason=errors[0].message if errors else "?")
        out[code] = read.value
    return out


def _issue_maker(f: Field) -> Any:
    """Issues of a value given for the field ``f``, as for its cell."""

    def make(kind: str, **params: Any) -> Issue:
        return make_issue(kind, field=f.code, sheet=f.sheet, cell=f.cell, label=f.localized_label, **params)

    return make


# -- the roll-up --------------------------------------------------------------------------------


def roll_up(
    result: MergeResult,
    template: str | Path,
    *,
    upper: Form | None = None,
    typed: Mapping[str, str] | None = None,
    partial: bool = False,
) -> RollUp:
    """This round's totals in the template of the level above, with their provenance; a
    :class:`~toolkit.messages.DvError` for anything that stops it, before anything is written:
    an unsettled round (unless ``partial``), a template that is not an empty template of a form
    that declares its roll-up, a field the lower round lacks, a file that would not pass."""
    lower = result.form
    open_items = unsettled(result)
    if open_items and not partial:
        raise DvError("rollup.unsettled", problems=open_items)
    tpl = _read_template(Path(template), lower, upper)
    form = tpl.form
    _check_mapping(form, lower)
    given = _typed(form, tpl, typed or {})
    tables = [t for t in form.tables.values() if t.rollup == "all"]
    docs: list[dict[str, Any]] = []
    ranges: dict[int, tuple[int, int]] = {}
    subject = _subject_column(tables[0]) if tables else None
    for row in result.rows if tables else []:
        if row.report is not None and row.report.docs:
            ranges[id(row.report)] = (len(docs) + 1, len(docs) + len(row.report.docs))
            for d in row.report.docs:
                doc = {k: v for k, v in d.items() if k != "_row"}
                if subject is not None:  # the issuing unit, after the subject
                    text = str(doc.get(subject.code) or "").strip()
                    doc[subject.code] = f"{text} ({row.name})" if text else f"({row.name})"
                docs.append(doc)
    values = upper_values(form, result.totals, docs if tables else None)
    for f in figure_fields(form):
        if f.source != "derived" and f.required and values.get(f.code) is None:
            raise DvError("rollup.no_figure", code=f.code, label=f.label)
    provenance = _provenance(result, form, tpl, given, partial, ranges)
    written = {k: v for k, v in values.items() if form.field(k).source != "derived"}
    data = _fill(tpl, form, written, given, docs, tables, provenance)
    check = _read_back(data, form, tpl.path)
    left = [
        f
        for f in form.input_fields
        if f.rollup == "person" and check.values.get(f.code) is None and f.code not in given
    ]
    return RollUp(data, form, provenance, check, values, given, left, len(docs), open_items)


def _provenance(
    result: MergeResult,
    form: Form,
    tpl: _Template,
    typed: Mapping[str, Any],
    partial: bool,
    ranges: Mapping[int, tuple[int, int]],
) -> Provenance:
    lower = result.form
    entries: list[Entry] = []
    listed: set[int] = set()
    for row in result.rows:
        files = sorted(result.files_of(row.code), key=lambda f: f is not row.report)
        if not files:
            entries.append(Entry(1, row.code, row.name, "", "", "missing"))
        for v in files:
            if id(v) in listed or v.status == Status.IGNORED:
                continue
            listed.add(id(v))
            counted = v is row.report
            span = ranges.get(id(v)) if counted else None
            entries.append(
                Entry(
                    depth=1,
                    unit_code=row.code,
                    unit_name=row.name,
                    file=v.name,
                    sha256=v.sha256,
                    status=str(v.status),
                    values=upper_values(form, v.values, v.docs if span is not None else None) if counted else {},
                    docs=span,
                )
            )
            if counted and v.report.rollup is not None:
                entries += _deeper(v.report.rollup, form, span)
    for v in result.files:
        if id(v) not in listed and v.status != Status.IGNORED:
            entries.append(Entry(1, v.unit_code, "", v.name, v.sha256, str(v.status)))
    counted_files = sorted([v.unit_code, v.sha256, str(v.status)] for v in result.files if v.status != Status.IGNORED)
    inputs = {
        "form": [lower.id, lower.version, lower.year],
        "to": [form.id, form.version, form.year, tpl.sha256],
        "files": counted_files,
        "set": sorted([k, str(v)] for k, v in typed.items()),
        "partial": partial,
    }
    digest = hashlib.sha256(json.dumps(inputs, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()
    return Provenance(
        inputs=digest,
        generator=f"dv {__version__}",
        form=(lower.id, lower.version, lower.year),
        settled=not unsettled(result),
        fields=tuple(f.code for f in figure_fields(form)),
        entries=tuple(entries),
    )


def _deeper(prov: Provenance, form: Form, span: tuple[int, int] | None) -> list[Entry]:
    """A counted roll-up's own provenance, one level deeper: its figures in this form's codes,
    its documents' positions in this file's table."""
    out = []
    offset = span[0] - 1 if span is not None else None
    for e in prov.entries:
        docs = (e.docs[0] + offset, e.docs[1] + offset) if e.docs is not None and offset is not None else None
        values = upper_values(form, e.values, None) if e.counted else {}
        out.append(Entry(e.depth + 1, e.unit_code, e.unit_name, e.file, e.sha256, e.status, values, docs))
    return out


# -- writing the workbook ----------------------------------------------------------------------------


def _destination(wb: Any, name: str) -> tuple[Any, str]:
    """The worksheet and range a workbook-scoped defined name points to (the workbook contract:
    programs fill by name, never by address)."""
    defined = wb.defined_names.get(name)
    if defined is None:
        raise DvError("rollup.template_names", name=name)
    (sheet, ref), *_ = list(defined.destinations)
    return wb[sheet], ref.replace("$", "")


def _subject_column(table: Any) -> Any:
    """The column whose text a roll-up follows with the issuing unit's name: the table's last
    text column among those that make a row one document (its subject), else its last text
    column. Two communes' plans of the same number, date and subject ("01/KH-UBND … công tác dân
    vận năm 2020") are two documents: without their unit the level above would read them as one
    row pasted twice (doc-duplicate-row), in dv and in the sheet alike."""
    identity = [table.column(code) for code in table.identity]
    texts = [c for c in identity if c.type == "text"] or [c for c in table.columns if c.type == "text"]
    return texts[-1] if texts else None


def _fill(
    tpl: _Template,
    form: Form,
    values: Mapping[str, Any],
    typed: Mapping[str, Any],
    docs: list[dict[str, Any]],
    tables: list[Any],
    prov: Provenance,
) -> bytes:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(tpl.path.read_bytes()))
    for code, value in {**values, **typed}.items():
        if value is None:
            continue
        ws, ref = _destination(wb, code)
        if isinstance(ws[ref].value, str) and ws[ref].value.startswith("="):
            raise DvError("rollup.set_formula", code=code, label=form.field(code).label)
        ws[ref].value = dt.datetime.combine(value, dt.time()) if type(value) is dt.date else value
    for table in tables:
        ws, ref = _destination(wb, table.code)
        rows = ws[ref]
        if len(docs) > len(rows):
            raise DvError(
                "rollup.table_full", count=len(docs), rows=len(rows), table=table.title.format(year=form.year)
            )
        for doc, cells in zip(docs, rows, strict=False):
            for col, cell in zip(table.columns, cells, strict=True):
                value = doc.get(col.code)
                cell.value = dt.datetime.combine(value, dt.time()) if type(value) is dt.date else value
    # The provenance: rows after the metadata sheet's own (its fixed rows and fingerprint untouched).
    meta = wb[form.layout.meta_sheet]
    first = meta.max_row + 1
    for r, row in enumerate(prov.rows(), start=first):
        for c, value in enumerate(row, start=1):
            if value != "":
                meta.cell(row=r, column=c, value=value)
    # No cached results survive openpyxl: a spreadsheet program recomputes every check on opening.
    wb.calculation.fullCalcOnLoad = True
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _read_back(data: bytes, form: Form, template: Path) -> FileReport:
    """The file as the level above reads it. Only the fields left for the officer may be wrong
    (empty): anything else stops the roll-up before it is written."""
    from .intake import check_file

    with tempfile.TemporaryDirectory(prefix="dv-roll-up-") as tmp:
        path = Path(tmp, template.name)
        path.write_bytes(data)
        report = check_file(path, form)
    person = {f.code for f in form.input_fields if f.rollup == "person"}
    bad = [i for i in report.errors if not (i.code == "value-required" and i.field in person)]
    if bad or report.rollup is None:
        listed = [Localized(f"{i.where}: {i.message}", f"{i.where}: {i.message_en}") for i in bad[:12]]
        raise DvError("rollup.self_check", problems=listed or [phrase("rollup.no_provenance")])
    report.path = str(template)
    return report


def shown(f: Field, value: Any, lang: str = "vi") -> str:
    """A figure as the account shows it."""
    from .numbers import format_percent

    if value is None:
        return phrase("merge.no_data").render(lang)
    if f.type == "percent":
        return format_percent(value, lang=lang)
    return format_number(value, lang=lang)
