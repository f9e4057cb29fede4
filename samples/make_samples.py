"""Rebuild ``samples/submissions/``: a realistic province's returned workbooks.

Seeded and reproducible (the same content every run; xlsx timestamps aside). Each unit
fills its own personalised template from ``samples/units.csv``, as the Home Affairs office
would send them; then the faults an officer really meets are applied: a wrong total, level 4
above the total, pasted text numbers, a file re-saved by LibreOffice as .ods and one as .xls,
a unit that sent twice, an Excel lock file, a stray Word file, and three units that sent
nothing. The .ods/.xls/.docx need LibreOffice (``soffice``) at generation time only.

    .venv/bin/python -m samples.make_samples              # rewrite samples/submissions/
    .venv/bin/python -m samples.make_samples --out DIR    # elsewhere (to compare with the committed ones)

The units' figures and documents come from the shared generator
(``tests.support.submissions``), drawn from one seeded stream in the roster's order.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl

from tests.support.submissions import shipped_form, submission, write
from tests.support.testing import SEED, SEED_DOCS, libreoffice_convert, soffice
from toolkit.roster import read_roster

HERE = Path(__file__).resolve().parent
OUT = HERE / "submissions"
MISSING = {"BQLKKT", "TTT", "HTCU"}  # sent nothing


def set_text(path: Path, cells: dict[str, str]) -> None:
    """Put text into number cells, as a clerk pasting from Word does ("04", "12,5%")."""
    wb = openpyxl.load_workbook(path)
    for ref, text in cells.items():
        sheet, cell = ref.split("!")
        wb[sheet][cell].value = text
        wb[sheet][cell].data_type = "s"
    wb.save(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="the folder to (re)write (default samples/submissions)")
    out = parser.parse_args(argv).out
    if soffice() is None:
        print(
            "LibreOffice (soffice) is needed to make the .ods/.xls/.docx samples: apt-get install libreoffice-calc-nogui"
        )
        return 2
    form = shipped_form()
    roster = read_roster(HERE / "units.csv")
    rng = random.Random(2020)
    if out.resolve() != OUT and out.exists() and any(out.iterdir()):
        print(f"{out} is not empty: give a new or empty folder")
        return 2
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    inbox = out / "email-2020-11-20"
    late = out / "email-2020-11-27"
    cell = {f.code: f"{f.sheet}!{f.cell}" for f in form.fields}
    for unit in roster.units:
        if unit.code in MISSING:
            continue
        if unit.code == "STTTT":  # the seed, exactly
            values = {k: v for k, v in SEED.items() if k not in ("unit_code", "unit_name")}
            write(out / "STTTT - Phu luc so lieu DVCQ 2020.xlsx", values, SEED_DOCS, unit=unit)
            continue
        values, docs = submission(rng, unit, form)
        name = f"{unit.code}-phu-luc-2020.xlsx"
        if unit.code == "SXD":  # a wrong total: 4 + 4 = 9
            values.update(
                cut_cc=4, cut_vc=4, cut_total=9, cut_rate=round(9 / (values["staff_cc"] + values["staff_vc"] + 9), 4)
            )
        if unit.code == "SGTVT":  # level 4 above the total
            values.update(dvc_level4=values["dvc_total"] + 6)
        path = write((inbox if unit.kind == "huyen" else out) / name, values, docs, unit=unit)
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
            values2 = dict(values, report_date=dt.date(form.year, 11, 26), dvc_total=values["dvc_total"] + 3)
            write(late / f"{unit.code}-phu-luc-2020 (bo sung).xlsx", values2, docs, unit=unit)
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
        shutil.move(Path(tmp, "Cong van gui kem.docx"), out / "SKHDT - Cong van gui kem.docx")
    for path in sorted(out.rglob("*")):
        if path.is_file():
            print(f"{path.relative_to(out.parent)}  {path.stat().st_size:,} B")
    return 0


if __name__ == "__main__":
    sys.exit(main())
