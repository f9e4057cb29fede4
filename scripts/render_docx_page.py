"""Render the sample province's Word appendix to PNG under docs/, through the real LibreOffice.

    .venv/bin/python -m scripts.render_docx_page

Merges samples/submissions/ with samples/units.csv, compares with samples/tong-hop-2019.xlsx,
writes the appendix as ``dv merge --docx`` does, has LibreOffice print it to PDF and turns
two pages into PNG with pdftoppm (poppler-utils):

* docs/phu-luc-docx.png: page 1 (the Decree 30 heading block, the title, section 1);
* docs/phu-luc-docx-so-sanh.png: the last page (the units' key figures against 2019, who did
  not report, the page number at the top).

Needs soffice and pdftoppm; writes only those two files. Also prints the page size and the
text area LibreOffice laid out (from pdftotext -bbox), to check the margins.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PT_PER_MM = 72 / 25.4


def page_png(pdf: Path, page: int, target: Path, dpi: int = 80) -> None:
    subprocess.run(
        [
            "pdftoppm",
            "-f",
            str(page),
            "-l",
            str(page),
            "-r",
            str(dpi),
            "-png",
            "-singlefile",
            str(pdf),
            str(target.with_suffix("")),
        ],
        check=True,
    )


def text_area(pdf: Path) -> str:
    """The extent of the words on each page, in mm from the paper's top-left corner."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    word = re.compile(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"')
    lines = []
    for n, page in enumerate(html.split("<page ")[1:], start=1):
        boxes = [[float(v) / PT_PER_MM for v in m.groups()] for m in word.finditer(page)]
        body = [b for b in boxes if b[3] >= 20]
        head = [b for b in boxes if b[3] < 20]
        lines.append(
            f"page {n}: words x {min(b[0] for b in body):.1f}–{max(b[2] for b in body):.1f} mm, "
            f"y {min(b[1] for b in body):.1f}–{max(b[3] for b in body):.1f} mm; "
            f"in the top margin: {len(head)} word(s)"
            + (f" centred at x {(head[0][0] + head[0][2]) / 2:.1f} mm" if head else "")
        )
    return "\n".join(lines)


def main() -> int:
    from tests.support.testing import libreoffice_convert, soffice
    from toolkit.appendix_docx import build_appendix_docx
    from toolkit.form import load_form
    from toolkit.merger import merge
    from toolkit.previous import compare, read_previous
    from toolkit.roster import read_roster

    if soffice() is None or shutil.which("pdftoppm") is None:
        print("needs LibreOffice and poppler-utils: apt-get install libreoffice-writer-nogui poppler-utils")
        return 2
    form = load_form()
    result = merge([ROOT / "samples" / "submissions"], form, read_roster(ROOT / "samples" / "units.csv"))
    comparison = compare(result, read_previous(ROOT / "samples" / "tong-hop-2019.xlsx", form))
    DOCS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp, f"phu-luc-{form.year}.docx")
        src.write_bytes(build_appendix_docx(result, comparison))
        pdf = libreoffice_convert(src, "pdf", Path(tmp, "pdf"), recalc=False)
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
        print(re.search(r"Page size:.*", info).group(0), f"— {pages} pages")
        print(text_area(pdf))
        page_png(pdf, 1, DOCS / "phu-luc-docx.png")
        page_png(pdf, pages, DOCS / "phu-luc-docx-so-sanh.png")
    for name in ("phu-luc-docx.png", "phu-luc-docx-so-sanh.png"):
        print(f"docs/{name}  {(DOCS / name).stat().st_size:,} B")
    return 0


if __name__ == "__main__":
    sys.exit(main())
