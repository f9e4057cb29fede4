"""The filled template on paper, printed by LibreOffice: A4, each sheet in its orientation,
headings repeated on every page, the guide readable (no rule code, nothing cut)."""

from __future__ import annotations

import re
import subprocess
from collections import defaultdict

import pytest

from tests.support.testing import SEED, SEED_DOCS, fill_template, libreoffice_convert

pytestmark = [pytest.mark.libreoffice, pytest.mark.poppler]


def pages_by_sheet(pdf) -> dict[str, list[tuple[str, str]]]:
    """Sheet name (the footer's right side) → [(orientation, text)] of each of its pages."""
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True).stdout
    sizes = [
        line.split("size:")[1].split("pts")[0].split(" x ")
        for line in info.splitlines()
        if line.startswith("Page ") and "size:" in line
    ]
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for n, (w, h) in enumerate(sizes, start=1):
        text = subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), "-layout", str(pdf), "-"], capture_output=True, text=True
        ).stdout
        sheet = [line for line in text.splitlines() if line.strip()][-1].split("  ")[-1].strip()
        assert {round(float(w)), round(float(h))} == {595, 842}, (n, w, h)  # A4
        out[sheet].append(("landscape" if float(w) > float(h) else "portrait", text))
    return out


@pytest.fixture(scope="module")
def printed(form, template_bytes, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("paper")
    fill_template(template_bytes, SEED, SEED_DOCS, out=tmp / "filled.xlsx")
    recalculated = libreoffice_convert(tmp / "filled.xlsx", "xlsx", tmp / "recalc")
    return pages_by_sheet(libreoffice_convert(recalculated, "pdf", tmp / "pdf", recalc=False))


def test_appendix_is_one_portrait_page_with_its_signatures(form, printed):
    pages = printed[form.layout.sheet]
    assert [o for o, _ in pages] == ["portrait"]
    assert "THỦ TRƯỞNG ĐƠN VỊ" in pages[0][1]


def test_documents_print_the_rows_typed_and_stop_there(form, printed):
    # The seed's 7 documents are one page, not the 300 pre-made rows' 8: what prints is the
    # typed rows, without the on-screen number and check columns (formulas in every row).
    table = form.tables["van_ban"]
    pages = printed[table.sheet]
    assert [o for o, _ in pages] == ["landscape"]
    text = pages[0][1]
    assert all(doc["number"] in text for doc in SEED_DOCS)
    assert table.column("title").label in text
    assert "Khớp" not in text and "Lưu ý" not in text  # row 6's check says "Lưu ý: …" on screen


@pytest.fixture(scope="module")
def forty_printed(template_bytes, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("paper40")
    fill_template(template_bytes, SEED, (SEED_DOCS * 6)[:40], out=tmp / "filled.xlsx")
    recalculated = libreoffice_convert(tmp / "filled.xlsx", "xlsx", tmp / "recalc")
    return pages_by_sheet(libreoffice_convert(recalculated, "pdf", tmp / "pdf", recalc=False))


def test_forty_documents_print_on_two_pages_with_the_heading_on_each(form, forty_printed):
    table = form.tables["van_ban"]
    pages = forty_printed[table.sheet]
    assert [o for o, _ in pages] == ["landscape", "landscape"]
    assert all(table.column("number").label in text for _, text in pages)
    dates = sum(len(re.findall(r"\b\d\d/\d\d/20\d\d\b", text)) for _, text in pages)
    assert dates == 40


@pytest.fixture(scope="module")
def typed_printed(form, template_bytes, tmp_path_factory):
    """The seed's 7 documents typed by a clerk in LibreOffice (through UNO) into an empty
    template, saved as xlsx, ods and xls, and each file printed by LibreOffice."""
    from tests.support import programs
    from tests.test_clerk_edits import clerk, typed

    if (why := programs.missing("uno")) is not None:
        pytest.skip(why)
    tmp = tmp_path_factory.mktemp("paper-typed")
    fill_template(template_bytes, SEED, [], out=tmp / "empty-table.xlsx")
    table = form.tables["van_ban"]
    saved = {fmt: str(tmp / f"typed.{fmt}") for fmt in ("xlsx", "ods", "xls")}
    clerk(
        [
            {
                "source": str(tmp / "empty-table.xlsx"),
                "save": saved,
                "steps": [
                    {
                        "do": "rows",
                        "sheet": table.sheet,
                        "cell": f"{table.first_column}{table.first_row}",
                        "rows": [typed(d) for d in SEED_DOCS],
                    }
                ],
            }
        ],
        tmp,
    )
    return {
        fmt: pages_by_sheet(libreoffice_convert(path, "pdf", tmp / f"pdf-{fmt}", recalc=False))
        for fmt, path in saved.items()
    }


@pytest.mark.parametrize("fmt", ["xlsx", "ods", "xls"])
def test_documents_typed_in_libreoffice_print_on_one_page(form, typed_printed, fmt):
    pages = typed_printed[fmt][form.tables["van_ban"].sheet]
    assert [o for o, _ in pages] == ["landscape"]
    assert all(doc["number"] in pages[0][1] for doc in SEED_DOCS)


def test_guide_is_readable_on_paper(form, printed):
    pages = printed[form.layout.guide_sheet]
    assert [o for o, _ in pages] == ["portrait"] * len(pages) and len(pages) <= 2
    text = "\n".join(t for _, t in pages)
    assert "abs(" not in text and "cut_rate" not in text and "<=" not in text  # no rule code
    assert "Tổng số biên chế đã giảm bằng số công chức đã giảm" in text
    for line in form.guide_lines:  # every line printed whole (wrapped, not cut at the margin)
        assert " ".join(line.split()[-3:]) in " ".join(text.split()), line


@pytest.fixture(scope="module")
def summary_printed(form, roster, tmp_path_factory):
    from pathlib import Path

    from toolkit.merger import merge
    from toolkit.previous import compare, read_previous
    from toolkit.summary import build_summary

    samples = Path(__file__).resolve().parent.parent / "samples"
    tmp = tmp_path_factory.mktemp("summary-paper")
    result = merge([samples / "submissions"], form, roster)
    comparison = compare(result, read_previous(samples / "tong-hop-2019.xlsx", form))
    (tmp / "tong-hop.xlsx").write_bytes(build_summary(result, comparison))
    return pages_by_sheet(libreoffice_convert(tmp / "tong-hop.xlsx", "pdf", tmp / "pdf", recalc=False))


def test_summary_prints_across_pages_with_the_units_on_each(summary_printed):
    # 19 columns: two pages wide (not one page at 5 pt), the unit's code and name on each.
    pages = summary_printed["Tổng hợp"]
    assert len(pages) <= 4 and all(o == "landscape" for o, _ in pages)
    assert all("Văn phòng UBND tỉnh" in text for _, text in pages[:2])
    assert any("Người ký" in text for _, text in pages)


def test_comparison_with_last_year_prints_on_few_pages(summary_printed):
    pages = summary_printed["So với năm trước"]  # was 12 pages
    assert 1 <= len(pages) <= 4 and all(o == "landscape" for o, _ in pages)
    assert all("Văn phòng UBND tỉnh" in text for _, text in pages)


# -- issue 17 section D: only the filled rows print, whatever their number ---------------------------


def _documents(n: int) -> list[dict]:
    """``n`` distinct documents with the seed's real subjects (one or two printed lines each)."""
    return [dict(SEED_DOCS[i % len(SEED_DOCS)], number=f"{i + 1}/KH-STTTT-VP", issuer="Chính quyền") for i in range(n)]


@pytest.fixture(scope="module")
def printed_counts(form, template_bytes, tmp_path_factory):
    """The template with 0, 7, 60 and 300 documents, recalculated and printed by LibreOffice
    (two soffice runs for the four files)."""
    from tests.support.testing import libreoffice_convert_many

    tmp = tmp_path_factory.mktemp("paper-counts")
    sources = []
    for n in (0, 7, 60, 300):
        sources.append(tmp / f"docs-{n}.xlsx")
        fill_template(template_bytes, SEED, _documents(n), out=sources[-1])
    recalculated = libreoffice_convert_many(sources, "xlsx", tmp / "recalc")
    pdfs = libreoffice_convert_many(list(recalculated.values()), "pdf", tmp / "pdf", recalc=False)
    return {int(stem.split("-")[1]): pages_by_sheet(pdf) for stem, pdf in pdfs.items()}


@pytest.mark.parametrize(("count", "fewest", "most"), [(0, 1, 1), (7, 1, 1), (60, 2, 3), (300, 1, 10)])
def test_documents_print_on_as_few_pages_as_they_fill(form, printed_counts, count, fewest, most):
    table = form.tables["van_ban"]
    pages = printed_counts[count][table.sheet]
    assert fewest <= len(pages) <= most, (count, len(pages))
    assert all(o == "landscape" and table.column("number").label in t for o, t in pages)
    text = "\n".join(t for _, t in pages)
    printed = [int(n) for n in re.findall(r"\b(\d+)/KH-STTTT-VP", text)]
    assert sorted(printed) == list(range(1, count + 1))  # every document, once
    assert "Khớp" not in text and "Sai" not in text  # the check column stays on screen
