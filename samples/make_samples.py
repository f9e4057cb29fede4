"""Rebuild ``samples/submissions/``: a realistic province's returned workbooks.

Seeded and reproducible (the same content every run; xlsx timestamps aside). Each unit
fills its own personalised template from ``samples/units.csv``, as the Home Affairs office
would send them; then the faults an officer really meets are applied: a wrong total, level 4
above the total, pasted text numbers, a file re-saved by LibreOffice as .ods and one as .xls,
a unit that sent twice, an Excel lock file, a stray Word file, and three units that sent
nothing. The .ods/.xls/.docx need LibreOffice (``soffice``) at generation time only.

    .venv/bin/python samples/make_samples.py
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import openpyxl

from tests.support.testing import SEED, SEED_DOCS, fill_template, libreoffice_convert, soffice
from toolkit.form import load_form
from toolkit.roster import Unit, read_roster
from toolkit.template import build_template

HERE = Path(__file__).resolve().parent
OUT = HERE / "submissions"
YEAR = 2020
MISSING = {"BQLKKT", "TTT", "HTCU"}  # sent nothing

PARTY_SUBJECTS = [
    "Về thực hiện công tác dân vận, Quy chế dân chủ ở cơ sở và phong trào thi đua “Dân vận khéo” năm {y}",
    "Về lãnh đạo thực hiện công tác dân vận chính quyền năm {y}",
    "Về kiện toàn Ban Chỉ đạo thực hiện Quy chế dân chủ ở cơ sở",
    "Về tiêu chí đánh giá mô hình “Dân vận khéo” năm {y}",
    "Về tăng cường công tác dân vận trong tình hình mới",
    "Về phân công cấp ủy viên phụ trách công tác dân vận",
    "Về sơ kết 5 năm thực hiện Kết luận số 114-KL/TW của Ban Bí thư",
]
STATE_SUBJECTS = [
    "Về thực hiện công tác dân vận chính quyền năm {y}",
    "Về thực hiện Quy chế dân chủ trong hoạt động của cơ quan năm {y}",
    "Về tiếp công dân, giải quyết khiếu nại, tố cáo năm {y}",
    "Về cải cách hành chính năm {y}",
    "Về triển khai phong trào thi đua “Dân vận khéo” năm {y}",
    "Về thực hiện công tác dân vận chính quyền giai đoạn 2016-2020",
]
PARTY_TYPES = [("Kế hoạch", "KH"), ("Nghị quyết", "NQ"), ("Quyết định", "QĐ"), ("Hướng dẫn", "HD"), ("Chỉ thị", "CT")]
STATE_TYPES = [("Kế hoạch", "KH"), ("Quyết định", "QĐ"), ("Báo cáo", "BC")]


def figures(rng: random.Random, unit: Unit) -> dict[str, Any]:
    """Plausible figures: districts have far more public employees (schools) than departments."""
    if unit.kind == "huyen":
        staff_cc, staff_vc = rng.randint(85, 140), rng.randint(1400, 3300)
        dvc_total = rng.randint(8, 45)
    else:
        staff_cc = rng.randint(18, 75)
        staff_vc = rng.choice([rng.randint(0, 40), rng.randint(40, 250), rng.randint(1500, 4200)])
        dvc_total = rng.randint(15, 160)
    rate = min(max(rng.gauss(0.10, 0.02), 0.04), 0.16)
    cut_total = round(rate * (staff_cc + staff_vc) / (1 - rate))
    cut_cc = round(cut_total * staff_cc / (staff_cc + staff_vc))
    cut_vc = cut_total - cut_cc
    return {
        "report_number": f"{rng.randint(50, 480)}/BC-{unit.code}",
        "report_date": dt.date(YEAR, 11, rng.randint(13, 27)),
        "signer": rng.choice(["GIÁM ĐỐC", "KT. GIÁM ĐỐC – PHÓ GIÁM ĐỐC", "CHỦ TỊCH", "KT. CHỦ TỊCH – PHÓ CHỦ TỊCH"])
        + " "
        + rng.choice(["Nguyễn Văn An", "Trần Thị Bích", "Lê Minh Châu", "Thạch Sô Phol", "Kim Thị Sa Rết"]),
        "contact": f"{rng.choice(['Văn phòng', 'Phòng Nội vụ', 'Phòng Tổ chức'])}, 0294.38{rng.randint(10000, 99999)}",
        "dvc_total": dvc_total,
        "dvc_level4": round(dvc_total * rng.uniform(0.35, 0.85)),
        "staff_cc": staff_cc,
        "staff_vc": staff_vc,
        "cut_cc": cut_cc,
        "cut_vc": cut_vc,
        "cut_total": cut_total,
        "cut_rate": round(cut_total / (staff_cc + staff_vc + cut_total), 4),
    }


def documents(rng: random.Random, unit: Unit, report_date: dt.date) -> list[dict[str, Any]]:
    """The unit's documents, none dated after its report (a report cannot list a document
    issued after it was signed: ``doc_date_after_report``). The dates are drawn as before and
    then held to the report date, so every other figure of the samples stays the same."""
    party_body = "HU" if unit.kind == "huyen" else "ĐU"
    state_body = "UBND" if unit.kind == "huyen" else unit.code
    docs = []
    for _ in range(rng.randint(2, 6)):
        doc_type, abbr = rng.choice(PARTY_TYPES)
        docs.append({"issuer": "Đảng ủy", "doc_type": doc_type, "number": f"{rng.randint(1, 90):02d}-{abbr}/{party_body}",
                     "date": dt.date(YEAR, rng.randint(1, 11), rng.randint(1, 28)),
                     "title": rng.choice(PARTY_SUBJECTS).format(y=YEAR)})  # fmt: skip
    for _ in range(rng.randint(1, 5)):
        doc_type, abbr = rng.choice(STATE_TYPES)
        year = YEAR if rng.random() > 0.1 else 2016  # a 2016-2020 plan still in force
        docs.append({"issuer": "Chính quyền", "doc_type": doc_type,
                     "number": f"{rng.randint(10, 2800)}/{abbr}-{state_body}",
                     "date": dt.date(year, rng.randint(1, 11), rng.randint(1, 28)),
                     "title": rng.choice(STATE_SUBJECTS).format(y=YEAR)})  # fmt: skip
    for d in docs:
        d["date"] = min(d["date"], report_date)
    numbers: set[str] = set()
    return [d for d in docs if not (d["number"] in numbers or numbers.add(d["number"]))]


def write(template: bytes, values: dict[str, Any], docs: list[dict[str, Any]], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fill_template(template, values, docs, out=path)
    return path


def set_text(path: Path, cells: dict[str, str]) -> None:
    """Put text into number cells, as a clerk pasting from Word does ("04", "12,5%")."""
    wb = openpyxl.load_workbook(path)
    for ref, text in cells.items():
        sheet, cell = ref.split("!")
        wb[sheet][cell].value = text
        wb[sheet][cell].data_type = "s"
    wb.save(path)


def main() -> int:
    if soffice() is None:
        print(
            "LibreOffice (soffice) is needed to make the .ods/.xls/.docx samples: apt-get install libreoffice-calc-nogui"
        )
        return 2
    form = load_form()
    roster = read_roster(HERE / "units.csv")
    rng = random.Random(2020)
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir()
    inbox = OUT / "email-2020-11-20"
    late = OUT / "email-2020-11-27"
    cell = {f.code: f"{f.sheet}!{f.cell}" for f in form.fields}
    for unit in roster.units:
        if unit.code in MISSING:
            continue
        template = build_template(form, unit=unit)
        if unit.code == "STTTT":  # the seed, exactly
            values = {k: v for k, v in SEED.items() if k not in ("unit_code", "unit_name")}
            write(template, values, SEED_DOCS, OUT / "STTTT - Phu luc so lieu DVCQ 2020.xlsx")
            continue
        values = figures(rng, unit)
        docs = documents(rng, unit, values["report_date"])
        name = f"{unit.code}-phu-luc-2020.xlsx"
        if unit.code == "SXD":  # a wrong total: 4 + 4 = 9
            values.update(
                cut_cc=4, cut_vc=4, cut_total=9, cut_rate=round(9 / (values["staff_cc"] + values["staff_vc"] + 9), 4)
            )
        if unit.code == "SGTVT":  # level 4 above the total
            values.update(dvc_level4=values["dvc_total"] + 6)
        path = write(template, values, docs, (inbox if unit.kind == "huyen" else OUT) / name)
        if unit.code == "HCK":  # pasted text numbers
            set_text(
                path,
                {
                    cell["cut_cc"]: f"{values['cut_cc']:02d}",
                    cell["cut_rate"]: f"{values['cut_rate'] * 100:.1f}%".replace(".", ","),
                },
            )
        if unit.code in ("SYT", "HCL"):  # re-saved by LibreOffice as .ods / .xls
            fmt = "ods" if unit.code == "SYT" else "xls"
            with tempfile.TemporaryDirectory() as tmp:
                converted = libreoffice_convert(path, fmt, tmp)
                shutil.move(converted, path.with_suffix(f".{fmt}"))
            path.unlink()
        if unit.code == "TPTV":  # sent twice: the later report wins
            values2 = dict(values, report_date=dt.date(YEAR, 11, 26), dvc_total=values["dvc_total"] + 3)
            write(template, values2, docs, late / f"{unit.code}-phu-luc-2020 (bo sung).xlsx")
    # What else lands in an inbox.
    (inbox / "~$HCL-phu-luc-2020.xlsx").write_bytes(b"\x0bNguyen Van A" + b"\x00" * 150)
    with tempfile.TemporaryDirectory() as tmp:
        note = Path(tmp, "Cong van gui kem.txt")
        note.write_text(
            "Kính gửi Sở Nội vụ,\nĐơn vị gửi kèm báo cáo công tác dân vận chính quyền năm 2020.\n", encoding="utf-8"
        )
        subprocess.run(
            [soffice(), "--headless", "--convert-to", "docx", "--outdir", tmp, str(note)],
            check=True,
            capture_output=True,
        )
        shutil.move(Path(tmp, "Cong van gui kem.docx"), OUT / "SKHDT - Cong van gui kem.docx")
    for path in sorted(OUT.rglob("*")):
        if path.is_file():
            print(f"{path.relative_to(HERE)}  {path.stat().st_size:,} B")
    return 0


if __name__ == "__main__":
    sys.exit(main())
