"""Regenerate the README's pictures under docs/ through the real LibreOffice.

    .venv/bin/python -m scripts.render_docs

Fills the template with the seed's appendix (and a copy with a wrong total), merges the
shipped samples, prints the 2021 form workbook of samples/2021, has LibreOffice recalculate and print them to PDF, and turns chosen pages
into PNG with pdftoppm (poppler-utils). Needs soffice and pdftoppm; writes only docs/*.png.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def page_png(pdf: Path, page: int, target: Path, dpi: int = 80) -> None:
    stem = target.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-f", str(page), "-l", str(page), "-r", str(dpi), "-png", "-singlefile", str(pdf), str(stem)],
        check=True,
    )


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def sheet_pages(pdf: Path) -> dict[str, list[int]]:
    """Sheet name (the footer's right side) → its page numbers in ``pdf``."""
    out: dict[str, list[int]] = {}
    for page in range(1, page_count(pdf) + 1):
        text = subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        lines = [line for line in text.splitlines() if line.strip()]
        out.setdefault(lines[-1].split("  ")[-1].strip() if lines else "", []).append(page)
    return out


def screen_png(recalculated: Path, form: Any, tmp: Path, target: Path) -> None:
    """The documents sheet as the clerk sees it: the print area widened, on a copy, to the row
    number and check columns that stay off paper (openpyxl keeps the formulas, which
    LibreOffice computes again as it prints)."""
    import openpyxl

    from tests.support.testing import libreoffice_convert

    table = form.tables["van_ban"]
    wb = openpyxl.load_workbook(recalculated)
    for ws in wb.worksheets:
        if ws.title != table.sheet:
            ws.sheet_state = "hidden"
    wb[table.sheet].print_area = f"{table.number_column}1:{table.check_column}{table.first_row + 12}"
    wb.active = wb.sheetnames.index(table.sheet)
    wb.save(tmp / "man-hinh.xlsx")
    pdf = libreoffice_convert(tmp / "man-hinh.xlsx", "pdf", tmp / "pdf-man-hinh", recalc=False)
    page_png(pdf, sheet_pages(pdf)[table.sheet][0], target)


def form_book_pngs(tmp: Path) -> None:
    """The officer's form workbook of the 2021 worked example (samples/2021), as LibreOffice
    prints it: the fields sheet (the columns an officer edits most, down to the new section) and
    the rules sheet. A copy with print areas; the workbook itself is printed as it is."""
    import openpyxl

    from tests.support.testing import libreoffice_convert

    book = ROOT / "samples" / "2021" / "bieu-mau-2021.xlsx"
    for sheet, area, target in (("Chỉ tiêu", "A1:I29", "bieu-mau-chi-tieu"), ("Quy tắc", "A1:E11", "bieu-mau-quy-tac")):
        wb = openpyxl.load_workbook(book)
        for ws in wb.worksheets:
            if ws.title != sheet:
                ws.sheet_state = "hidden"
        wb[sheet].print_area = area
        wb.active = wb.sheetnames.index(sheet)
        wb.save(tmp / f"{target}.xlsx")
        pdf = libreoffice_convert(tmp / f"{target}.xlsx", "pdf", tmp / "pdf-bieu-mau", recalc=False)
        page_png(pdf, sheet_pages(pdf)[sheet][0], DOCS / f"{target}.png", dpi=90)


def main() -> int:
    from tests.support.submissions import write
    from tests.support.testing import SEED, SEED_DOCS, libreoffice_convert, soffice
    from toolkit.form import load_form
    from toolkit.merger import merge
    from toolkit.previous import compare, read_previous
    from toolkit.roster import read_roster
    from toolkit.summary import COMPARE_SHEET, SUMMARY_SHEET, build_summary

    if soffice() is None or shutil.which("pdftoppm") is None:
        print("needs LibreOffice and poppler-utils: apt-get install libreoffice-calc-nogui poppler-utils")
        return 2
    DOCS.mkdir(exist_ok=True)
    form = load_form()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        write(tmp / "mau-da-dien.xlsx", SEED, SEED_DOCS, form=form)  # the generic template, filled
        write(tmp / "mau-co-loi.xlsx", dict(SEED, cut_total=9, dvc_level4=40), SEED_DOCS, form=form)
        roster = read_roster(ROOT / "samples" / "units.csv")
        result = merge([ROOT / "samples" / "submissions"], form, roster)
        (tmp / "tong-hop.xlsx").write_bytes(build_summary(result))
        comparison = compare(result, read_previous(ROOT / "samples" / "tong-hop-2019.xlsx", form))
        (tmp / "so-sanh.xlsx").write_bytes(build_summary(result, comparison))
        # Recalculate in LibreOffice first (the filled copies hold no cached results), then print.
        for name in ("mau-da-dien", "mau-co-loi", "tong-hop"):
            recalculated = libreoffice_convert(tmp / f"{name}.xlsx", "xlsx", tmp / "recalc")
            pdf = libreoffice_convert(recalculated, "pdf", tmp / "pdf", recalc=False)
            pages = {
                "mau-da-dien": [(1, "mau-da-dien"), (2, "mau-van-ban")],
                "mau-co-loi": [(1, "mau-co-loi")],
                "tong-hop": [(1, "tong-hop")],
            }[name]
            for page, target in pages:
                page_png(pdf, page, DOCS / f"{target}.png")
            if name == "mau-da-dien":  # the printed guide, first page
                page_png(pdf, sheet_pages(pdf)[form.layout.guide_sheet][0], DOCS / "huong-dan.png")
                screen_png(recalculated, form, tmp, DOCS / "mau-van-ban-man-hinh.png")
            if name == "tong-hop":  # the second page across: the same units, the other columns
                page_png(pdf, sheet_pages(pdf)[SUMMARY_SHEET][1], DOCS / "tong-hop-trang-2.png")
        pdf = libreoffice_convert(tmp / "so-sanh.xlsx", "pdf", tmp / "pdf", recalc=False)
        page_png(pdf, sheet_pages(pdf)[COMPARE_SHEET][0], DOCS / "so-sanh.png")
        chart_pdf = tmp / "pdf" / "tong-hop.pdf"
        page_png(chart_pdf, page_count(chart_pdf), DOCS / "bieu-do.png")
        form_book_pngs(tmp)
    for png in sorted(DOCS.glob("*.png")):
        print(f"{png.relative_to(ROOT)}  {png.stat().st_size:,} B")
    return 0


if __name__ == "__main__":
    sys.exit(main())
