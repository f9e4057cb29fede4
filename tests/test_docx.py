"""The provincial appendix as a Word document (dv merge --docx): the seed's sentences, the
Vietnamese number style, the Decree 30/2020/NĐ-CP layout as python-docx and LibreOffice see it."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
from pathlib import Path

import docx
import pytest
from docx.shared import Mm
from typer.testing import CliRunner

from tests.support.domain import filled, form, reported
from tests.support.testing import SEED_DOCS, libreoffice_convert
from toolkit.appendix_docx import build_appendix_docx
from toolkit.cli import app
from toolkit.form import FormError, load_form_file
from toolkit.form.rules import Template
from toolkit.merger import merge, merge_reports
from toolkit.numbers import format_change, format_doc_date, format_number, format_percent
from toolkit.roster import Roster, Unit

STTTT = Unit("STTTT", "Sở Thông tin và Truyền thông", "so")
SNV = Unit("SNV", "Sở Nội vụ", "so")
HCL = Unit("HCL", "Huyện Càng Long", "huyen")

# The seed report's appendix ("PHỤ LỤC SỐ LIỆU", Sở TT&TT Trà Vinh, 16/11/2020), word for word.
SEED_SENTENCES = [
    "1. Tổng số văn bản lãnh đạo, chỉ đạo đã ban hành trong năm 2020:",
    "2. Công tác cải cách hành chính, cải cách thủ tục hành chính",
    "Tổng số dịch vụ công trực tuyến mức độ 3, mức độ 4: 37; trong đó mức độ 4: 29.",
    "3. Tinh giản biên chế",
    "Tổng số biên chế đã giảm 08 (04 công chức; 04 viên chức); đạt 12,5%.",
]
# Its section 1 cites each document as "Kế hoạch số 18-KH/ĐU, ngày 25/3/2020 về …" (once
# without the comma before "ngày": 545/KH-STTTT-VP, written here as the others are).
SEED_REFERENCES = [
    "Kế hoạch số 18-KH/ĐU, ngày 25/3/2020 về thực hiện công tác Dân vận, Quy chế dân chủ ở cơ sở và Phong trào "
    "thi đua “Dân vận khéo” năm 2020",
    "Hướng dẫn số 39-HD/BCĐ, ngày 07/10/2020",
    "Quyết định số 02-QĐ/ĐU, ngày 01/10/2020 về kiện toàn Ban Chỉ đạo thực hiện Quy chế dân chủ ở cơ sở và "
    "Phong trào thi đua “Dân vận khéo”",
    "Quyết định số 04-QĐ/ĐU, ngày 30/10/2020",
    "Quyết định số 05-QĐ/ĐU, ngày 30/10/2020",
    "Kế hoạch số 420/KH-STTTT-VP, ngày 15/4/2016 về thực hiện công tác dân vận chính quyền của Sở Thông tin và "
    "Truyền thông giai đoạn 2016-2020",
    "Kế hoạch số 545/KH-STTTT-VP, ngày 16/4/2020 về thực hiện công tác dân vận chính quyền Sở Thông tin và "
    "Truyền thông năm 2020",
]


def read(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def body_texts(document) -> list[str]:
    return [p.text for p in document.paragraphs if p.text.strip()]


def cell_paragraphs(document) -> list[str]:
    return [p.text for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs]


@pytest.fixture(scope="module")
def seed_docx(tmp_path_factory) -> bytes:
    folder = tmp_path_factory.mktemp("seed")
    filled(folder, "STTTT.xlsx")
    return build_appendix_docx(merge([folder], form(), Roster((STTTT,))))


def test_seed_unit_alone_gives_exactly_the_seeds_sentences(seed_docx):
    document = read(seed_docx)
    assert body_texts(document) == [
        "PHỤ LỤC SỐ LIỆU",
        "(Kèm theo Báo cáo số …/BC-SNV ngày … của Sở Nội vụ)",
        SEED_SENTENCES[0],
        "Toàn tỉnh: 07 văn bản (Đảng ủy: 05; Chính quyền: 02).",
        *SEED_SENTENCES[1:],
        "SỐ LIỆU CHỦ YẾU CỦA TỪNG ĐƠN VỊ",
        "Tất cả 01 đơn vị đã gửi báo cáo.",
    ]
    cited = cell_paragraphs(document)
    for reference in SEED_REFERENCES:
        assert any(p.startswith(reference) for p in cited), reference


def test_section_one_is_a_table_by_unit_and_issuer_with_counts(seed_docx):
    table = read(seed_docx).tables[1]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0][:4] == ["STT", "Đơn vị", "Cơ quan ban hành", "Số văn bản"]
    assert [r[:4] for r in rows[1:]] == [
        ["1", "Sở Thông tin và Truyền thông", "Đảng ủy", "5"],
        ["1", "Sở Thông tin và Truyền thông", "Chính quyền", "2"],  # merged cells read back on each row
    ]
    party = rows[1][4].split("\n")
    assert len(party) == 5 and all(p.endswith(";") for p in party[:-1]) and party[-1].endswith("”.")


def test_heading_block_is_decree_30s(seed_docx):
    heading = read(seed_docx).tables[0]
    left, right = (c.text.split("\n") for c in heading.rows[0].cells)
    assert left[:2] == ["UBND TỈNH TRÀ VINH", "SỞ NỘI VỤ"]
    assert right == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Trà Vinh, ngày …… tháng …… năm 2020",
    ]
    motto = heading.rows[0].cells[1].paragraphs[1].runs[0]
    assert motto.bold and motto.underline


# -- the wording lives in the form definition ------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ('province = "Toàn tỉnh"', 'province = "Toàn tỉnh"\nsignature = "x"', 'không có mục "signature"'),
        ("mức độ 4: {dvc_level4:02}.", "mức độ 4: {dvc_levl4:02}.", "dvc_levl4"),
        ('{ field = "dvc_total", up', '{ field = "signer", up', "signer"),
        ('title = "3. Tinh giản biên chế"', 'title = "3. Tinh giản biên chế {nam}"', "{year}"),
        ('item = "{doc_type} số {number}', 'item = "{doc_type} số {so}', "so"),
        ('group = "issuer"', 'group = "number"', "number"),
    ],
)
def test_report_definition_is_checked_when_loaded(tmp_path, old, new, said):
    text = Path(form().path).read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / "bieu-mau.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(FormError, match=re.escape(said)):
        load_form_file(path)


# -- the Vietnamese number style -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "plain", "padded"),
    [
        (0, "0", "0"),  # no "00": it reads as a blank left to fill in
        (8, "8", "08"),
        (12, "12", "12"),
        (1234567, "1.234.567", "1.234.567"),
        (8.0, "8", "08"),
        (12.5, "12,5", "12,5"),
    ],
)
def test_counts(value, plain, padded):
    assert format_number(value) == plain
    assert format_number(value, pad=True) == padded
    assert Template("{x:02}").render({"x": value}, lambda *_: "") == padded


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.125, "12,5%"), (10 / 104, "9,62%"), (0.0961538, "9,62%"), (0, "0%"), (1, "100%"), (12.3456 / 100, "12,35%")],
)
def test_percentages(value, text):
    assert format_percent(value) == text
    assert Template("{x:%}").render({"x": value}, lambda *_: "") == text


@pytest.mark.parametrize(
    ("date", "text"),
    [
        (dt.date(2020, 3, 25), "25/3/2020"),  # Decree 30: months from 3 on without a zero
        (dt.date(2020, 10, 7), "07/10/2020"),  # days under 10 with one
        (dt.date(2021, 2, 5), "05/02/2021"),  # and the months 1 and 2
        (dt.date(2016, 4, 15), "15/4/2016"),
        (dt.datetime(2020, 11, 16, 9, 30), "16/11/2020"),
    ],
)
def test_document_dates(date, text):
    assert format_doc_date(date) == text


@pytest.mark.parametrize(
    ("value", "percent", "text"),
    [
        (8, False, "+8"),
        (-3, False, "-3"),
        (0, False, "0"),
        (1234, False, "+1.234"),
        (0.0128205, True, "+1,28"),
        (-0.00001, True, "0"),
        (-0.0469, True, "-4,69"),
    ],
)
def test_changes(value, percent, text):
    assert format_change(value, percent=percent) == text


def province(*reports, roster=None):
    return merge_reports(
        list(reports), form(), roster or Roster(tuple(Unit(r.unit_code, r.values["unit_name"]) for r in reports))
    )


def test_province_sentences_in_the_number_style():
    # 1.234.560 + 7 services; 0 + 10 posts cut of 48 + 40 + 3 + 3 + 10 = 104: 9,615… %
    a = reported(STTTT, dvc_total=1234560, dvc_level4=10, staff_cc=48, staff_vc=40, cut_cc=0, cut_vc=10, cut_total=10)
    b = reported(SNV, dvc_total=7, dvc_level4=2, staff_cc=3, staff_vc=3, cut_cc=0, cut_vc=0, cut_total=0)
    texts = body_texts(read(build_appendix_docx(province(a, b))))
    assert "Toàn tỉnh: 0 văn bản (Đảng ủy: 0; Chính quyền: 0)." in texts
    assert "Tổng số dịch vụ công trực tuyến mức độ 3, mức độ 4: 1.234.567; trong đó mức độ 4: 12." in texts
    assert "Tổng số biên chế đã giảm 10 (0 công chức; 10 viên chức); đạt 9,62%." in texts


def test_units_table_and_who_did_not_report(tmp_path):
    a = reported(STTTT)
    b = reported(SNV, dvc_total=1250, dvc_level4=1000)
    rejected = reported(HCL)
    rejected.status = "rejected"
    roster = Roster((STTTT, SNV, HCL, Unit("TTT", "Thanh tra tỉnh", "so")))
    result = merge_reports([a, b, rejected], form(), roster)
    document = read(build_appendix_docx(result))
    table = document.tables[-1]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[1][:4] == ["1", "Sở Thông tin và Truyền thông", "0", "37"]
    assert rows[2][3] == "1.250"
    assert rows[-1][1] == "Toàn tỉnh" and rows[-1][3] == "1.287" and rows[-1][-1] == "12,5%"
    texts = body_texts(document)
    assert "Các đơn vị chưa gửi báo cáo (01/04 đơn vị): Thanh tra tỉnh." in texts
    assert "Các đơn vị đã gửi nhưng báo cáo còn sai sót, chưa đưa vào tổng hợp (01 đơn vị): Huyện Càng Long." in texts


def test_text_from_submissions_is_cleaned_not_refused():
    doc = dict(SEED_DOCS[0], title="Về\x0bthực hiện\x01 dân vận", number="18-KH/ĐU")
    data = build_appendix_docx(province(reported(STTTT, docs=[doc])))
    assert any("về thực hiện dân vận" in p for p in cell_paragraphs(read(data)))


# -- the layout, as python-docx reads it ------------------------------------------------------------


def test_page_setup_fonts_and_page_numbers(seed_docx):
    document = read(seed_docx)
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert 20 <= section.top_margin.mm <= 25 and 20 <= section.bottom_margin.mm <= 25
    assert 30 <= section.left_margin.mm <= 35 and 15 <= section.right_margin.mm <= 20
    assert section.different_first_page_header_footer
    assert section.first_page_header.paragraphs[0].text == ""
    header = section.header.paragraphs[0]
    assert header.alignment == 1  # centred
    assert "PAGE" in "".join(header._p.itertext()) and "fldChar" in header._p.xml
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size.pt == 14
    fonts = normal.element.rPr.rFonts
    assert {fonts.get(f"{{{fonts.nsmap['w']}}}{k}") for k in ("ascii", "hAnsi", "eastAsia", "cs")} == {
        "Times New Roman"
    }
    sizes = {r.font.size.pt for p in document.paragraphs for r in p.runs if r.font.size}
    sizes |= {
        r.font.size.pt
        for t in document.tables
        for row in t.rows
        for c in row.cells
        for p in c.paragraphs
        for r in p.runs
        if r.font.size
    }
    assert sizes and all(13 <= s <= 14 for s in sizes), sizes
    assert section.header_distance < section.top_margin and section.header_distance >= Mm(8)


# -- the layout, as LibreOffice prints it -------------------------------------------------------------

WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
PT_PER_MM = 72 / 25.4


def words_by_page(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = []
    for page in html.split("<page ")[1:]:
        pages.append([(*(float(v) / PT_PER_MM for v in m.groups()[:4]), m.group(5)) for m in WORD.finditer(page)])
    return pages


@pytest.mark.writer
@pytest.mark.poppler
def test_pdf_is_a4_with_the_margins_and_page_numbers(tmp_path):
    units = [Unit(f"U{i:02d}", f"Đơn vị số {i}", "so") for i in range(1, 13)]
    result = province(*(reported(u, docs=SEED_DOCS, dvc_total=30 + i) for i, u in enumerate(units)))
    src = tmp_path / "phu-luc.docx"
    src.write_bytes(build_appendix_docx(result))
    pdf = libreoffice_convert(src, "pdf", tmp_path / "pdf", recalc=False)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info), info
    pages = words_by_page(pdf)
    assert len(pages) >= 3
    left, right, top, bottom = 30, 210 - 15, 20, 297 - 20
    for n, words in enumerate(pages, start=1):
        in_top_margin = [w for w in words if w[3] < top]
        body = [w for w in words if w[3] >= top]
        if n == 1:
            assert in_top_margin == []  # no number on the first page
        else:
            ((x0, y0, x1, _y1, text),) = in_top_margin
            assert text == str(n)
            assert abs((x0 + x1) / 2 - (left + right) / 2) < 2  # centred on the text area
            assert y0 > 8  # in the margin, not cut at the paper's edge
        assert all(w[0] >= left - 0.5 and w[2] <= right + 0.5 for w in body), n
        assert all(w[1] >= top - 0.5 and w[3] <= bottom + 0.5 for w in body), n
    everything = [w for words in pages for w in words if w[3] >= top]
    assert min(w[0] for w in everything) == pytest.approx(left, abs=0.6)  # lines start at the left margin
    assert max(w[2] for w in everything) == pytest.approx(right, abs=1.5)  # justified lines end at the right one
    # pdftotext splits some letters with stacked diacritics into "words" of their own: compare without spaces.
    text = "".join(w[4] for w in pages[0])
    assert "PHỤLỤCSỐLIỆU" in text and "CỘNGHÒAXÃHỘICHỦNGHĨAVIỆTNAM" in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "Times" in fonts or "LiberationSerif" in fonts  # Liberation Serif: Times New Roman's metric twin


# -- the command ---------------------------------------------------------------------------------------


def test_cli_merge_writes_the_docx_and_refuses_to_overwrite_it(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    filled(sub, "STTTT.xlsx")
    out, word = tmp_path / "tong-hop.xlsx", tmp_path / "phu-luc.docx"
    runner = CliRunner()
    first = runner.invoke(app, ["merge", str(sub), "-o", str(out), "--docx", str(word)])
    assert first.exit_code == 0, first.output
    assert "phu-luc.docx" in first.output
    assert SEED_SENTENCES[2] in body_texts(docx.Document(word))
    before = word.read_bytes()
    again = runner.invoke(app, ["merge", str(sub), "-o", str(tmp_path / "other.xlsx"), "--docx", str(word)])
    assert again.exit_code == 2 and "--force" in again.output and word.read_bytes() == before
    assert not (tmp_path / "other.xlsx").exists()  # refused before any work
    folder = tmp_path / "ra"
    folder.mkdir()
    into = runner.invoke(app, ["merge", str(sub), "-o", str(folder), "--docx", str(folder)])
    assert into.exit_code == 0 and (folder / "phu-luc-2020.docx").is_file()


def test_cli_docx_needs_the_forms_report_section(tmp_path):
    text = Path(form().path).read_text(encoding="utf-8")
    bare = tmp_path / "khong-co-report.toml"
    bare.write_text(text.split("\n[report]\n", 1)[0], encoding="utf-8")
    sub = tmp_path / "sub"
    sub.mkdir()
    filled(sub, "STTTT.xlsx")
    result = CliRunner().invoke(
        app,
        ["merge", str(sub), "--form", str(bare), "-o", str(tmp_path / "t.xlsx"), "--docx", str(tmp_path / "p.docx")],
    )
    assert result.exit_code == 2 and "[report]" in result.output
    assert not (tmp_path / "t.xlsx").exists()


def test_a_province_of_many_units_costs_each_unit_the_same(monkeypatch):
    """python-docx's ``Table.cell``, ``rows[i]`` and ``add_row`` walk the whole table on each
    call: used per row, 400 units took 98 s and 2,000 never finished (nor did the summary,
    written after it). The appendix uses none of them per row: the calls into them are the
    same for 20 units as for 300, and every unit's rows read back with its number and name."""
    import collections

    import docx.table

    calls: collections.Counter[str] = collections.Counter()
    for owner, name in ((docx.table.Table, "cell"), (docx.table.Table, "add_row"), (docx.table._Rows, "__getitem__")):
        original = getattr(owner, name)

        def counted(*args, _original=original, _name=name, **kwargs):
            calls[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(owner, name, counted)

    def appendix_of(count: int) -> tuple[docx.document.Document, int]:
        calls.clear()
        units = [Unit(f"U{i:03d}", f"Đơn vị {i}", "so") for i in range(count)]
        data = build_appendix_docx(province(*(reported(u, docs=SEED_DOCS[:2]) for u in units)))
        return read(data), sum(calls.values())

    _, few = appendix_of(20)
    document, many = appendix_of(300)
    assert many == few
    rows = [[c.text for c in row.cells][:3] for row in document.tables[1].rows]
    assert len(rows) == 1 + 2 * 300  # a row per unit and issuer
    assert rows[-2:] == [["300", "Đơn vị 299", "Đảng ủy"], ["300", "Đơn vị 299", "Chính quyền"]]
    units_rows = document.tables[-1].rows
    assert len(units_rows) == 1 + 300 + 1 and units_rows[-1].cells[0].text == "Toàn tỉnh"
