"""dv reads a returned workbook's defined names and the formulas in its input cells with its own
streaming scan (expat through defusedxml): the same facts openpyxl's parsers give, on every
workbook we have (the samples, tests/awkward/, the benchmark's files when generated, and files
with the formula kinds Excel writes: shared, array, data table), without importing openpyxl."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.support.domain import filled, form
from toolkit.form.cells import col_index
from toolkit.intake.readers import RawBook, read_raw
from toolkit.intake.safety import check_zip
from toolkit.intake.sniff import sniff

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "benchmarks" / ".cache"


def openpyxl_view(path: Path | bytes) -> tuple[dict[str, str], dict[str, Any]]:
    """The oracle: what openpyxl's workbook and worksheet parsers say (dv's reader before)."""
    import io

    from openpyxl.reader.workbook import WorkbookParser
    from openpyxl.worksheet._reader import WorkSheetParser
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

    class NoStrings(list):
        def __getitem__(self, index: Any) -> str:  # type: ignore[override]
            return ""

    f = form()
    inputs = {(x.row, col_index(x.column) + 1): x.cell for x in f.input_fields if x.sheet == f.layout.sheet}
    names: dict[str, str] = {}
    formulas: dict[str, Any] = {}
    with zipfile.ZipFile(io.BytesIO(path) if isinstance(path, bytes) else path) as archive:
        parser = WorkbookParser(archive, "xl/workbook.xml", keep_links=False)
        parser.parse()
        for defined in parser.defined_names.definedName:
            if defined.localSheetId is None:
                names[defined.name] = defined.attr_text
        parts = {sheet.name: rel.target.lstrip("/") for sheet, rel in parser.find_sheets()}
        part = parts.get(f.layout.sheet)
        if part is None or part not in archive.namelist():
            return names, formulas
        with archive.open(part) as src:
            for _row, cells in WorkSheetParser(src, NoStrings(), data_only=False).parse():
                for cell in cells:
                    ref = inputs.get((cell["row"], cell["column"]))
                    if ref is not None and cell["data_type"] == "f":
                        value = cell["value"]
                        if isinstance(value, ArrayFormula):
                            value = value.text
                        elif isinstance(value, DataTableFormula):
                            value = "<data table>"
                        formulas[ref] = value
    return names, formulas


def dv_view(source: Path | bytes) -> tuple[dict[str, str], dict[str, Any]]:
    book: RawBook = read_raw(source, "xlsx", form())
    formulas = {
        cell: ("<data table>" if text.startswith("=TABLE(") else text) for (_s, cell), text in book.formulas.items()
    }
    return book.names, formulas


def workbooks() -> list[Path]:
    """Every xlsx/xlsm we have that dv gets as far as reading (safe, a workbook by content)."""
    found = sorted(
        [
            *(REPO / "samples").rglob("*.xls[xm]"),
            *(REPO / "tests" / "awkward" / "files").rglob("*"),
            *BENCH.glob("*/[ab]/*.xlsx"),
        ]
    )
    out = []
    for path in found:
        if not path.is_file() or sniff(path).kind not in ("xlsx", "xlsm"):
            continue
        try:
            check_zip(path)
        except Exception:  # noqa: BLE001 - refused before any reader: not a case for this test
            continue
        out.append(path)
    return out


def test_the_scan_finds_what_openpyxl_finds_on_every_workbook_we_have():
    paths = workbooks()
    assert len(paths) >= 40, "the samples and tests/awkward/ hold at least 40 readable workbooks"
    differ = []
    for path in paths:
        try:
            expected = openpyxl_view(path)
        except Exception:  # noqa: BLE001 - openpyxl cannot read it: dv must still say something
            continue
        if dv_view(path) != expected:
            differ.append(path.name)
    assert differ == []


def test_the_bytes_of_a_file_read_as_the_file(tmp_path):
    path = filled(tmp_path)
    assert read_raw(path.read_bytes(), "xlsx", form()) == read_raw(path, "xlsx", form())
    check_zip(path.read_bytes())
    assert sniff(path.read_bytes()) == sniff(path)


def _with_main_sheet_cells(path: Path, cells: dict[str, str]) -> bytes:
    """The file with some cells of the main sheet replaced by raw XML (what Excel writes)."""
    import io

    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                for ref, xml in cells.items():
                    text, n = re.subn(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', xml, text, count=1)
                    assert n == 1, ref
                data = text.encode()
            dst.writestr(info, data)
    return out.getvalue()


@pytest.mark.parametrize(
    "cells, expected",
    [
        (  # a clerk's formula filled down over two input cells: Excel shares it
            {
                "D25": '<c r="D25"><f t="shared" ref="D25:D26" si="0">D23-20</f><v>12</v></c>',
                "D26": '<c r="D26"><f t="shared" si="0"/><v>8</v></c>',
            },
            {"D25": "=D23-20", "D26": "=D24-20"},
        ),
        (  # an array formula (Ctrl+Shift+Enter)
            {"D20": '<c r="D20"><f t="array" ref="D20">SUM(D16:D17*1)</f><v>5</v></c>'},
            {"D20": "=SUM(D16:D17*1)"},
        ),
        (  # a what-if data table over an input cell
            {"D21": '<c r="D21"><f t="dataTable" ref="D21" dt2D="0" dtr="0" r1="D20"/><v>1</v></c>'},
            {"D21": "<data table>"},
        ),
        (  # an empty formula element
            {"D23": '<c r="D23"><f></f><v>3</v></c>'},
            {"D23": "="},
        ),
    ],
    ids=["shared", "array", "data-table", "empty"],
)
def test_each_kind_of_formula_excel_writes_in_an_input_cell(tmp_path, cells, expected):
    data = _with_main_sheet_cells(filled(tmp_path), cells)
    names, formulas = dv_view(data)
    assert {k: v for k, v in formulas.items() if k in expected} == expected
    assert (names, formulas) == openpyxl_view(data)


def test_dv_check_does_not_import_openpyxl_or_numpy(tmp_path):
    path = filled(tmp_path)
    code = (
        "import sys; from toolkit.intake.readers import assert_defused; assert_defused();"
        "from toolkit.intake import check_file; from toolkit.form import load_form;"
        f"r = check_file({str(path)!r}, load_form()); assert r.status == 'accepted', r.issues;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('openpyxl', 'numpy')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "declaration",
    [
        '<!DOCTYPE workbook [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>',
        '<!DOCTYPE workbook SYSTEM "file:///etc/passwd">',
    ],
    ids=["entities", "external"],
)
def test_the_scan_refuses_a_dtd_even_before_check_zip(tmp_path, declaration):
    """The scan parses through defusedxml's expat parser: a DTD in workbook.xml is refused by
    the reader itself, not only by safety.check_zip before it."""
    import io

    import defusedxml

    path = filled(tmp_path)
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/workbook.xml":
                data = data.replace(b"<workbook ", declaration.encode() + b"<workbook ", 1)
            dst.writestr(info, data)
    with pytest.raises(defusedxml.DTDForbidden):
        read_raw(out.getvalue(), "xlsx", form())


@pytest.mark.parametrize(
    "xml, refused",
    [
        (b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><x>&a;</x>', "DTDForbidden"),
        (b'<!DOCTYPE x SYSTEM "file:///etc/passwd"><x/>', "DTDForbidden"),
        (b"<x>&a;</x>", "ExpatError"),  # an entity nothing declares: not well-formed
    ],
    ids=["entities", "external", "undeclared"],
)
def test_every_scan_parser_refuses_dtds_and_entities(xml, refused):
    """safety.defused_expat, the one parser of dv's scans (prologs, names, formulas, saved
    time): defusedxml's refusing handlers on each new expat parser, whatever element
    handlers the scan sets."""
    from xml.parsers.expat import ExpatError

    import defusedxml

    from toolkit.intake.safety import defused_expat

    seen: list[str] = []
    expat = defused_expat(lambda tag, attrib: seen.append(tag), lambda tag: None, seen.append)
    with pytest.raises((defusedxml.DefusedXmlException, ExpatError)) as caught:
        expat.Parse(xml, True)
    assert type(caught.value).__name__ == refused and "aaaaaaaaaa" not in seen
