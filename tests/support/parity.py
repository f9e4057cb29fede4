"""The parity generator (issue 17, section C): realistic strings typed into every input cell of
the template through LibreOffice, and what the sheet made of them compared with what dv reads.

A case is made from ``(seed, index)`` alone (``random.Random(f"{seed}:{index}")``), so any case
can be made again from the two numbers a failure prints. The figures a case means are the
seed's (tests/support/testing.py SEED), scaled so that thousands appear, sometimes with one
figure changed so that a rule fails; each is then written the way clerks write: with ``.``, ``,``
or spaces between thousands, ``%``, a leading apostrophe, stray and no-break spaces, tone marks
placed the old or the new way, decomposed Unicode, another case, dates day first, month first
or in words, a small formula (``=30+7``), or words around the number. Some cells are typed
(LibreOffice reads the text in the session's locale), some pasted as text.

The fields, their cells and types come from the form: nothing here names a cell.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import subprocess
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from tests.support.programs import UNO_PYTHON
from tests.support.testing import SEED, SEED_DOCS
from tests.support.variants import has_errors
from toolkit.form import Form
from toolkit.form.rules import EXCEL_EPOCH
from toolkit.intake import check_file
from toolkit.issues import FileReport
from toolkit.live import ERROR_PREFIX, MISSING
from toolkit.reading import tone_apart

SCRIPT = Path(__file__).parent / "uno_parity.py"
LOCALES = ("en-US", "vi-VN")
NBSP = "\u00a0"
TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
FORMATS = ("xlsx",) * 6 + ("ods", "xls")  # mostly what the guide asks for; the others too


@dataclass(frozen=True)
class Typed:
    """One cell as the clerk filled it."""

    sheet: str
    cell: str
    field: str  # the field's code, or table.column for a document row
    text: str
    how: str  # "type" (read by LibreOffice in the session's locale) or "paste" (kept as text)


@dataclass(frozen=True)
class Case:
    seed: int
    index: int
    fmt: str
    cells: tuple[Typed, ...]

    @property
    def id(self) -> str:
        return f"{self.seed}-{self.index}"

    def describe(self) -> str:
        return "\n".join(f"    {c.sheet}!{c.cell} {c.field} ← {c.text!r} ({c.how})" for c in self.cells)


# -- how clerks write things --------------------------------------------------------------------


def _group(digits: str, sep: str) -> str:
    head = len(digits) % 3 or 3
    return sep.join([digits[:head], *(digits[i : i + 3] for i in range(head, len(digits), 3))])


def integer_text(rng: random.Random, n: int) -> str:
    digits = str(n)
    style = rng.choices(
        ["plain", "vi", "en", "space", "nbsp", "decimal", "lead0", "words", "formula", "pad", "neg", "pct", "wide"],
        weights=[30, 12, 12, 5, 4, 4, 3, 4, 5, 8, 2, 2, 1],
    )[0]
    if style == "plain":
        text = digits
    elif style in ("vi", "en", "space", "nbsp"):
        text = _group(digits, {"vi": ".", "en": ",", "space": " ", "nbsp": NBSP}[style])
    elif style == "decimal":
        text = digits + rng.choice([",0", ".0", ",00", ",5", ".5", ",000"])
    elif style == "lead0":
        text = "0" + digits
    elif style == "words":
        text = digits + rng.choice([" dịch vụ", " biên chế", " người", "(dự kiến)", " tr"])
    elif style == "formula":
        a = rng.randint(0, n)
        text = rng.choice([f"={a}+{n - a}", f"={n}", f'="{n}"'])
    elif style == "pad":
        text = rng.choice([" ", NBSP, "  "]) + digits + rng.choice(["", " ", NBSP])
    elif style == "neg":
        text = "-" + digits
    elif style == "pct":
        text = digits + "%"
    else:
        text = "".join(chr(ord(d) + 0xFEE0) for d in digits)  # full-width digits, from some input methods
    return text


def percent_text(rng: random.Random, rate: float) -> str:
    pct = round(rate * 100, 2)
    shown = f"{pct:g}"
    style = rng.choice(["vi%", "en%", "vi", "en", "frac_vi", "frac_en", "round%", "pad%", "formula", "words", "over"])
    if style == "vi%":
        return shown.replace(".", ",") + "%"
    if style == "en%":
        return shown + "%"
    if style == "vi":
        return shown.replace(".", ",")
    if style == "en":
        return shown
    if style == "frac_vi":
        return f"{rate:.4g}".replace(".", ",")
    if style == "frac_en":
        return f"{rate:.4g}"
    if style == "round%":
        return f"{round(pct)}%"
    if style == "pad%":
        return rng.choice([" ", NBSP]) + shown.replace(".", ",") + rng.choice([" %", "%", f"{NBSP}%"])
    if style == "formula":
        return rng.choice(["=8/64", "=0.125", f"={shown}/100"])
    if style == "words":
        return shown.replace(".", ",") + " phần trăm"
    return rng.choice(["150%", "1250", "101"])


def date_text(rng: random.Random, d: dt.date) -> str:
    style = rng.choice(
        ["dmy", "dmy", "mdy", "iso", "dots", "dashes", "yy", "spaced", "words", "year", "pad0", "serial"]
    )
    if style == "dmy":
        return f"{d.day}/{d.month}/{d.year}"
    if style == "mdy":
        return f"{d.month}/{d.day}/{d.year}"
    if style == "iso":
        return d.isoformat()
    if style == "dots":
        return f"{d.day:02d}.{d.month:02d}.{d.year}"
    if style == "dashes":
        return f"{d.day:02d}-{d.month:02d}-{d.year}"
    if style == "yy":
        return f"{d.day:02d}/{d.month:02d}/{d.year % 100:02d}"
    if style == "spaced":
        return f"{d.day} / {d.month} / {d.year}"
    if style == "words":
        return rng.choice([f"ngày {d.day}/{d.month}/{d.year}", f"{d.day} tháng {d.month} năm {d.year}"])
    if style == "year":
        return str(d.year)
    if style == "pad0":
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    return f"={(d - EXCEL_EPOCH).days}"


def choice_text(rng: random.Random, value: str) -> str:
    from toolkit.text import spellings

    text = rng.choice(spellings(value))
    style = rng.choices(
        ["same", "upper", "lower", "trail", "lead", "double", "nbsp", "nfd", "composed", "tab", "foreign"],
        weights=[30, 6, 6, 8, 5, 5, 5, 6, 5, 2, 4],
    )[0]
    if style == "upper":
        return text.upper()
    if style == "lower":
        return text.lower()
    if style == "trail":
        return text + rng.choice([" ", "  ", NBSP])
    if style == "lead":
        return " " + text
    if style == "double":
        return text.replace(" ", "  ", 1)
    if style == "nbsp":
        return text.replace(" ", NBSP, 1)
    if style == "nfd":
        return unicodedata.normalize("NFD", text)
    if style == "composed":
        return tone_apart(text)
    if style == "tab":
        return text + "\t"
    if style == "foreign":
        return rng.choice(
            ["UBND tỉnh", "Đảng", unicodedata.normalize("NFD", text).encode("ascii", "ignore").decode(), "Tờ trình"]
        )
    return text


def plain_text(rng: random.Random, value: str) -> str:
    style = rng.choices(["same", "pad", "nbsp", "nfd", "blank", "empty"], weights=[60, 10, 8, 8, 3, 2])[0]
    if style == "pad":
        return f"  {value} "
    if style == "nbsp":
        return value.replace(" ", NBSP)
    if style == "nfd":
        return unicodedata.normalize("NFD", value)
    if style == "blank":
        return rng.choice([" ", NBSP, "  "])
    if style == "empty":
        return ""
    return value


# -- the figures a case means -------------------------------------------------------------------


def _report_date(rng: random.Random, year: int) -> dt.date:
    return rng.choice(
        [
            dt.date(year, 11, 16),
            dt.date(year, 12, 5),
            dt.date(year, 5, 12),
            dt.date(year + 1, 2, 10),
            dt.date(year + 1, 11, 16),
            dt.date(year - 1, 11, 16),
            dt.date(year, 1, 31),
        ]
    )


def _doc_date(rng: random.Random, year: int) -> dt.date:
    return rng.choice(
        [
            dt.date(year, 3, 25),
            dt.date(year, 10, 7),
            dt.date(year, 12, 30),
            dt.date(year - 4, 4, 15),
            dt.date(year + 1, 1, 5),
            dt.date(year, 7, 12),
            dt.date(year, 4, 16),
        ]
    )


def make_case(form: Form, seed: int, index: int) -> Case:
    """The case ``index`` of ``seed``: every input of the form typed, some documents listed."""
    rng = random.Random(f"{seed}:{index}")
    scale = rng.choice([1, 1, 1, 10, 125, 1000, 1250, 40_000])
    values: dict[str, Any] = {}
    for f in form.input_fields:
        seed_value = SEED.get(f.code)
        if f.type == "integer" and isinstance(seed_value, int):
            values[f.code] = seed_value * scale
        elif f.type == "date":
            values[f.code] = _report_date(rng, form.year)
        elif seed_value is None and f.type in ("text", "code"):
            values[f.code] = rng.choice(["Nguyễn Thị Hoà, 0294 3855 123", "Phòng Tổ chức – 0912 345 678", f"{index}"])
        else:
            values[f.code] = seed_value
    integers = [f.code for f in form.input_fields if f.type == "integer"]
    if integers and rng.random() < 0.25:  # one figure off: some rule fails
        code = rng.choice(integers)
        values[code] = max(0, values[code] + rng.choice([-3, -1, 1, 7]))
    cells: list[Typed] = []
    for f in form.input_fields:
        value = values.get(f.code)
        if value is None or rng.random() < 0.03:
            text = ""
        elif f.type == "integer":
            text = integer_text(rng, value)
        elif f.type == "percent":
            text = percent_text(rng, value)
        elif f.type == "date":
            text = date_text(rng, value)
        elif f.type == "choice":
            text = choice_text(rng, str(value))
        else:
            text = plain_text(rng, str(value))
        how = "paste" if text and not text.startswith("=") and rng.random() < 0.15 else "type"
        cells.append(Typed(f.sheet, f.cell, f.code, text, how))
    for table in form.tables.values():
        cells.extend(_documents(rng, form, table))
    return Case(seed, index, rng.choice(FORMATS), tuple(cells))


def _documents(rng: random.Random, form: Form, table: Any) -> list[Typed]:
    count = rng.choices([0, 1, 2, 3, 4, 7], weights=[10, 20, 25, 20, 15, 10])[0]
    rows: list[dict[str, str]] = []
    for _ in range(count):
        if rows and rng.random() < 0.12:  # a row pasted twice
            rows.append(dict(rng.choice(rows)))
            continue
        source = dict(SEED_DOCS[rng.randrange(len(SEED_DOCS))])
        if rows and rng.random() < 0.08:  # another document under a number already listed
            source["number"] = rows[-1]["number"]
        row = {}
        for c in table.columns:
            value = source.get(c.code)
            if c.type == "date":
                text = date_text(rng, _doc_date(rng, form.year))
            elif c.type == "choice":
                text = choice_text(rng, str(value))
            elif c.code == "number" and rng.random() < 0.2:
                text = rng.choice([str(value).lower(), str(value).replace("/", " / "), f" {value}"])
            else:
                text = plain_text(rng, str(value)) if rng.random() < 0.3 else str(value)
            row[c.code] = text
        rows.append(row)
    out = []
    for i, row in enumerate(rows):
        r = table.first_row + i
        for c in table.columns:
            text = row[c.code]
            how = "paste" if text and rng.random() < 0.1 else "type"
            out.append(Typed(table.sheet, f"{c.column}{r}", f"{table.code}.{c.code}", text, how))
    return out


# -- LibreOffice's side ---------------------------------------------------------------------------


def probes(form: Form) -> list[tuple[str, str]]:
    """(field, formula): what the sheet computes of each number and date field, as its rules
    read it, and each count it derives."""
    out = []
    for f in form.fields:
        if f.is_input and f.type in ("integer", "percent", "date"):
            out.append((f.code, f"=_doc_{f.code}"))
        elif f.source == "derived":
            out.append((f.code, f"={f.code}"))
    return out


def run_in_libreoffice(form: Form, template: Path, cases: list[Case], locale: str, folder: Path) -> list[dict]:
    """Type ``cases`` into ``template`` in one LibreOffice session in ``locale``; each case's file
    is saved in ``folder``. Returns what the sheet said of each."""
    folder.mkdir(parents=True, exist_ok=True)
    own = folder / f"template-{locale}{template.suffix}"  # LibreOffice locks what it opens:
    own.write_bytes(template.read_bytes())  # a session of its own, a copy of its own
    lay = form.layout
    script = {
        "locale": locale,
        "template": str(own),
        "status": [lay.sheet, f"{lay.number_column}{lay.status_row}"],
        "probes": [formula for _, formula in probes(form)],
        "cases": [
            {
                "id": c.id,
                "fmt": c.fmt,
                "save": str(folder / f"{locale}-{c.id}.{c.fmt}"),
                "cells": [[t.sheet, t.cell, t.text, t.how] for t in c.cells if t.text],
            }
            for c in cases
        ],
    }
    path = folder / f"script-{locale}.json"
    result = folder / f"result-{locale}.json"
    path.write_text(json.dumps(script, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(
        [UNO_PYTHON, str(SCRIPT), str(path), str(result)], capture_output=True, text=True, timeout=60 + 10 * len(cases)
    )
    if done.returncode != 0:
        raise RuntimeError(f"LibreOffice ({locale}) failed: {done.stderr[-3000:]}")
    out = json.loads(result.read_text(encoding="utf-8"))["results"]
    for entry, case in zip(out, script["cases"], strict=True):
        entry["path"] = case["save"]
    return out


# -- the comparison -------------------------------------------------------------------------------


@dataclass
class Outcome:
    case: Case
    locale: str
    sheet_status: str
    sheet_rejects: bool
    dv_rejects: bool
    report: FileReport
    value_diffs: list[str]

    @property
    def agrees(self) -> bool:
        return self.sheet_rejects is self.dv_rejects and not self.value_diffs

    def explain(self) -> str:
        issues = "\n".join(f"    {i.severity}: {i.code} {i.sheet}!{i.cell}: {i.message}" for i in self.report.issues)
        return (
            f"case seed={self.case.seed} index={self.case.index} ({self.locale}, {self.case.fmt}):\n"
            f"{self.case.describe()}\n"
            f"  sheet: {self.sheet_status!r} → {'rejects' if self.sheet_rejects else 'accepts'}\n"
            f"  dv: {'rejects' if self.dv_rejects else 'accepts'}\n{issues}\n"
            + "".join(f"  value: {d}\n" for d in self.value_diffs)
        )


def _sheet_value(kind: str, value: Any) -> Any:
    if kind == "error":
        return "#ERROR"
    if kind in ("value", "formula"):
        return value
    return None


def _dv_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return (value - EXCEL_EPOCH).days
    return value


def _same(sheet: Any, dv: Any) -> bool:
    if dv is None:
        return sheet in (None, "#ERROR")  # unread by both (an empty cell reads 0 in a formula)
    if isinstance(dv, bool) or not isinstance(dv, int | float):
        return False
    return isinstance(sheet, int | float) and math.isclose(sheet, dv, rel_tol=1e-9, abs_tol=1e-9)


def checks_shown(form: Form, path: str | Path) -> dict[str, str]:
    """Each input field's check cell as the saved file holds it (LibreOffice computed it)."""
    from python_calamine import CalamineWorkbook

    lay = form.layout
    wb = CalamineWorkbook.from_path(str(path))
    try:
        rows = wb.get_sheet_by_name(lay.sheet).to_python(skip_empty_area=False)
    finally:
        wb.close()
    column = ord(lay.check_column) - ord("A")
    return {f.code: str(rows[f.row - 1][column]) for f in form.input_fields if f.row <= len(rows)}


def compare(form: Form, case: Case, locale: str, sheet: Mapping[str, Any]) -> Outcome:
    """The verdicts, and each number, date and count: what the sheet computed is what dv read.
    A value dv refuses (an error at its cell) the sheet must refuse too, at its check cell."""
    report = check_file(sheet["path"], form)
    dv_rejects = bool(report.errors)
    sheet_rejects = has_errors(sheet["status"])
    shown = checks_shown(form, sheet["path"])
    refused = {i.field for i in report.errors if i.code.startswith("value-")}
    diffs = []
    for (code, _), (kind, value, text) in zip(probes(form), sheet["probes"], strict=True):
        seen = _sheet_value(kind, value)
        mine = _dv_value(report.values.get(code))
        if code in refused:
            if not shown.get(code, "").startswith((ERROR_PREFIX, MISSING)):
                diffs.append(f"{code}: dv refuses it, the sheet's check says {shown.get(code)!r}")
            continue
        if kind in ("value", "formula") and text == "" and value == 0 and mine is None:
            continue  # an empty cell: 0 to a formula, nothing to dv
        if not _same(seen, mine):
            diffs.append(f"{code}: sheet {seen!r} ({kind} {text!r}), dv {mine!r}")
    return Outcome(case, locale, sheet["status"], sheet_rejects, dv_rejects, report, diffs)


def hand_case(form: Form, name: int, typed: Mapping[str, tuple[str, str]], docs: int = 2) -> Case:
    """The seed's appendix typed plainly (its first ``docs`` documents), with the cells of
    ``typed`` (field code → (text, how)) instead: a case written by hand, seed 0, index ``name``."""
    cells = []
    for f in form.input_fields:
        value = SEED.get(f.code)
        text, how = typed.get(f.code, (_plain(value), "type"))
        cells.append(Typed(f.sheet, f.cell, f.code, text, how))
    for table in form.tables.values():
        for i, doc in enumerate(SEED_DOCS[:docs]):
            for c in table.columns:
                text, how = typed.get(f"{table.code}.{c.code}.{i}", (_plain(doc[c.code]), "type"))
                cells.append(
                    Typed(table.sheet, f"{c.column}{table.first_row + i}", f"{table.code}.{c.code}", text, how)
                )
    return Case(0, name, "xlsx", tuple(cells))


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()  # read as a date in every locale
    if isinstance(value, float):
        fraction = Fraction(value).limit_denominator(10_000)
        return f"={fraction.numerator}/{fraction.denominator}"  # no decimal mark, read alike in every locale
    return str(value)


def cases(form: Form, seed: int, count: int, start: int = 0) -> list[Case]:
    return [make_case(form, seed, i) for i in range(start, start + count)]


def run(form: Form, template: Path, batch: Iterable[Case], locale: str, folder: Path) -> list[Outcome]:
    batch = list(batch)
    seen = run_in_libreoffice(form, template, batch, locale, folder)
    return [compare(form, case, locale, entry) for case, entry in zip(batch, seen, strict=True)]
