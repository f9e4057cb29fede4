"""The checks of the form's summary charts and of its Word appendix wording (``[summary]``,
``[report]``): part of the one builder (``toolkit.form.build``), which they extend with the
same ways of saying a problem at its entry or cell."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .model import NUMERIC_TYPES, Chart, Field, Report, ReportChange, ReportSection, Table
from .rules import Template
from .where import Path

if TYPE_CHECKING:
    from .build import _Builder

    _Base = _Builder
else:
    _Base = object

__all__ = ["ReportChecks"]

REPORT_TEXTS = ("agency_parent", "agency", "nation", "motto", "date_line", "title", "attachment", "province")
REPORT_NOTES = ("new_field", "not_in_previous", "not_sent_previous", "coverage")
UNITS_KEYS = ("title", "headers", "columns", "no_previous", "note", "missing", "rejected", "all_sent")
# Names a report template may use besides field codes, by kind of template.
REPORT_NAMES = {
    "sentence": frozenset({"year"}),
    "change": frozenset({"year", "previous_year", "change", "previous"}),
    "list": frozenset({"year", "count", "total", "names"}),
    "note": frozenset({"year", "previous_year", "label", "names", "units", "previous_units"}),
}


class ReportChecks(_Base):
    """The charts and the Word appendix: mixed into the builder."""

    # -- the summary's charts ---------------------------------------------------------------------
    def charts(self, raw: Any, fields: Mapping[str, Field]) -> tuple[Chart, ...]:
        summary = self.keys(raw, ("summary",), (), ("charts",))
        out = []
        for i, c in enumerate(self.items(summary.get("charts", []), ("summary", "charts"))):
            path: Path = ("summary", "charts", i)
            c = self.keys(c, path, ("title", "fields"), ("title_en", "target", "target_label"))
            codes = self.items(c.get("fields", []), (*path, "fields"))
            ok = self.names_known((str(x) for x in codes), fields, (*path, "fields"), "def.kind.field")
            numeric = [x for x in codes if x in fields and fields[x].type not in NUMERIC_TYPES]
            for x in numeric:
                self.invalid((*path, "fields"), "def.reason.not_numeric", code=x)
            target = self.number(c, "target", path)
            title = self.text(c, "title", path)
            if ok and not numeric and title is not None and codes:
                out.append(
                    Chart(
                        title=title,
                        title_en=self.text(c, "title_en", path, title) or title,
                        fields=tuple(str(x) for x in codes),
                        target=target,
                        target_label=self.text(c, "target_label", path, "") or "",
                    )
                )
        return tuple(out)

    # -- the Word appendix ------------------------------------------------------------------------
    def report(self, raw: Any, fields: Mapping[str, Field], tables: Mapping[str, Table]) -> Report | None:
        path: Path = ("report",)
        r = self.keys(raw, path, (*REPORT_TEXTS, "compare_intro", "sections", "units", "notes"), ("documents",))
        texts = {k: self.plain(r, k, path) for k in REPORT_TEXTS}
        summable = {code for code, f in fields.items() if f.type in NUMERIC_TYPES} | self.broken_fields

        def tpl(text: Any, where: Path, kind: str) -> Template | None:
            out = self.template(text, where)
            if out is None:
                return None
            allowed = REPORT_NAMES[kind] | (summable if kind in ("sentence", "change") else set())
            return out if self.names_known(out.names, allowed, where, "def.kind.numeric_field") else None

        documents = self.report_documents(r.get("documents"), tables)
        u = self.keys(r.get("units", {}), (*path, "units"), UNITS_KEYS)
        unit_columns = []
        for i, c in enumerate(self.items(u.get("columns", []), (*path, "units", "columns"))):
            where = (*path, "units", "columns", i)
            c = self.keys(c, where, ("field", "header"))
            if "field" in c and c["field"] not in summable:
                self.unknown_name((*where, "field"), str(c["field"]), "def.kind.numeric_field", summable)
            elif "field" in c and (header := self.plain(c, "header", where)) is not None:
                unit_columns.append((str(c["field"]), header))
        n = self.keys(r.get("notes", {}), (*path, "notes"), REPORT_NOTES)
        sections = []
        for i, sec in enumerate(self.items(r.get("sections", []), (*path, "sections"))):
            where = (*path, "sections", i)
            sec = self.keys(sec, where, ("title", "sentences"), ("documents", "compare"))
            changes = []
            for j, c in enumerate(self.items(sec.get("compare", []), (*where, "compare"))):
                cw = (*where, "compare", j)
                c = self.keys(c, cw, ("field", "up", "down", "same"))
                if "field" in c and c["field"] not in summable:
                    self.unknown_name((*cw, "field"), str(c["field"]), "def.kind.numeric_field", summable)
                    continue
                parts = [tpl(c[k], (*cw, k), "change") for k in ("up", "down", "same") if k in c]
                if len(parts) == 3 and all(parts):
                    changes.append(ReportChange(str(c["field"]), *parts))  # type: ignore[arg-type]
            with_documents = self.boolean(sec, "documents", where)
            if with_documents and documents is None and not self.broken_tables:
                self.invalid((*where, "documents"), "def.reason.no_documents")
            sentences = [
                tpl(t, (*where, "sentences", k), "sentence")
                for k, t in enumerate(self.items(sec.get("sentences", []), (*where, "sentences")))
            ]
            title = self.plain(sec, "title", where)
            if title is not None and all(sentences):
                sections.append(
                    ReportSection(
                        title=title,
                        sentences=tuple(sentences),  # type: ignore[arg-type]
                        documents=with_documents,
                        compare=tuple(changes),
                    )
                )
        units_headers = self.headers(u.get("headers"), (*path, "units", "headers"), 2)
        list_texts = {k: tpl(u[k], (*path, "units", k), "list") for k in ("missing", "rejected", "all_sent") if k in u}
        notes = {k: tpl(n[k], (*path, "notes", k), "note") for k in REPORT_NOTES if k in n}
        compare_intro = tpl(r["compare_intro"], (*path, "compare_intro"), "note") if "compare_intro" in r else None
        units_note = tpl(u["note"], (*path, "units", "note"), "note") if "note" in u else None
        plain_units = {k: self.plain(u, k, (*path, "units")) for k in ("title", "no_previous")}
        if self.issues:
            return None
        table, group, item, doc_headers = documents or ("", "", None, ())
        return Report(
            **{k: str(texts[k]) for k in REPORT_TEXTS},
            compare_intro=compare_intro,  # type: ignore[arg-type]
            sections=tuple(sections),
            documents_table=table,
            documents_group=group,
            documents_item=item,
            documents_headers=doc_headers,
            units_title=str(plain_units["title"]),
            units_headers=units_headers,
            units_columns=tuple(unit_columns),
            no_previous=str(plain_units["no_previous"]),
            units_note=units_note,  # type: ignore[arg-type]
            **list_texts,  # type: ignore[arg-type]
            **notes,  # type: ignore[arg-type]
        )

    def report_documents(
        self, raw: Any, tables: Mapping[str, Table]
    ) -> tuple[str, str, Template, tuple[str, ...]] | None:
        """``[report.documents]``: each unit's documents in a table, grouped by a choice column."""
        if raw is None:
            return None
        path: Path = ("report", "documents")
        d = self.keys(raw, path, ("table", "group", "item", "headers"))
        table = tables.get(d.get("table", ""))
        if d.get("table") in self.broken_tables:
            return None
        if "table" in d and table is None:
            self.unknown_name((*path, "table"), str(d["table"]), "def.kind.table", tables)
            return None
        if table is None:
            return None
        columns = {c.code: c for c in table.columns}
        group = d.get("group", "")
        if group and (group not in columns or not columns[group].choices):
            choice_columns = [c for c, col in columns.items() if col.choices]
            self.unknown_name((*path, "group"), str(group), "def.kind.choice_column", choice_columns)
            return None
        item = self.template(d["item"], (*path, "item")) if "item" in d else None
        if item is None or not self.names_known(item.names, columns, (*path, "item"), "def.kind.column"):
            return None
        headers = self.headers(d.get("headers"), (*path, "headers"), 5)
        return table.code, str(group), item, headers

    def headers(self, value: Any, path: Path, count: int) -> tuple[str, ...]:
        if value is None:
            return ()
        items = self.items(value, path)
        if len(items) != count or not all(isinstance(h, str) for h in items):
            self.bad(path, value, "def.reason.headers", count=count)
            return ()
        return tuple(items)
