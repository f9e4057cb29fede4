"""Helpers for tests and sample scripts: fill a template by field codes, re-save it with the
real LibreOffice. Not used by the commands themselves.

``fill_template`` writes through openpyxl by defined name, as any program following the
workbook contract (docs/spec.md §4) would; openpyxl drops cached formula results on save, so a
filled file's live checks hold no value until a spreadsheet program recalculates them.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "SEED",
    "SEED_DOCS",
    "fill_template",
    "soffice",
    "libreoffice_convert",
    "libreoffice_convert_many",
    "LibreOfficeMissing",
    "ssconvert",
    "gnumeric_convert",
    "GnumericMissing",
    "saved",
]

# The seed's appendix (docs/spec.md §2.2): Sở Thông tin và Truyền thông Trà Vinh, 16/11/2020.
SEED: dict[str, Any] = {
    "unit_code": "STTTT",
    "unit_name": "Sở Thông tin và Truyền thông",
    "report_number": "…/BC-STTTT-VP",
    "report_date": dt.date(2020, 11, 16),
    "signer": "KT. GIÁM ĐỐC – PHÓ GIÁM ĐỐC Nguyễn Văn Nây",
    "dvc_total": 37,
    "dvc_level4": 29,
    "staff_cc": 28,
    "staff_vc": 28,
    "cut_cc": 4,
    "cut_vc": 4,
    "cut_total": 8,
    "cut_rate": 0.125,
}
SEED_DOCS: list[dict[str, Any]] = [
    {
        "issuer": "Đảng ủy",
        "doc_type": "Kế hoạch",
        "number": "18-KH/ĐU",
        "date": dt.date(2020, 3, 25),
        "title": "Về thực hiện công tác Dân vận, Quy chế dân chủ ở cơ sở và Phong trào thi đua “Dân vận khéo” năm 2020",
    },
    {
        "issuer": "Đảng ủy",
        "doc_type": "Hướng dẫn",
        "number": "39-HD/BCĐ",
        "date": dt.date(2020, 10, 7),
        "title": "Về tiêu chí đánh giá hoạt động Quy chế dân chủ ở cơ sở và phong trào thi đua “Dân vận khéo”",
    },
    {
        "issuer": "Đảng ủy",
        "doc_type": "Quyết định",
        "number": "02-QĐ/ĐU",
        "date": dt.date(2020, 10, 1),
        "title": "Về kiện toàn Ban Chỉ đạo thực hiện Quy chế dân chủ ở cơ sở và Phong trào thi đua “Dân vận khéo”",
    },
    {
        "issuer": "Đảng ủy",
        "doc_type": "Quyết định",
        "number": "04-QĐ/ĐU",
        "date": dt.date(2020, 10, 30),
        "title": "Về phân công đồng chí Phó Bí thư Đảng ủy phụ trách công tác Quy chế dân chủ ở cơ sở và Phong trào thi đua “Dân vận khéo”",
    },
    {
        "issuer": "Đảng ủy",
        "doc_type": "Quyết định",
        "number": "05-QĐ/ĐU",
        "date": dt.date(2020, 10, 30),
        "title": "Về ban hành Quy chế hoạt động của Ban Chỉ đạo Quy chế dân chủ ở cơ sở và phong trào thi đua “Dân vận khéo”",
    },
    {
        "issuer": "Chính quyền",
        "doc_type": "Kế hoạch",
        "number": "420/KH-STTTT-VP",
        "date": dt.date(2016, 4, 15),
        "title": "Về thực hiện công tác dân vận chính quyền của Sở Thông tin và Truyền thông giai đoạn 2016-2020",
    },
    {
        "issuer": "Chính quyền",
        "doc_type": "Kế hoạch",
        "number": "545/KH-STTTT-VP",
        "date": dt.date(2020, 4, 16),
        "title": "Về thực hiện công tác dân vận chính quyền Sở Thông tin và Truyền thông năm 2020",
    },
]


def fill_template(
    template: bytes | str | Path,
    values: Mapping[str, Any],
    docs: Iterable[Mapping[str, Any]] = (),
    out: str | Path | None = None,
) -> bytes:
    """Write ``values`` (field code → value) and ``docs`` (rows of the ``van_ban`` table, by
    column code) into a template, by defined name; return the xlsx bytes (and save to ``out``)."""
    import openpyxl

    src = io.BytesIO(template) if isinstance(template, bytes) else template
    wb = openpyxl.load_workbook(src)
    for code, value in values.items():
        sheet, cell = _destination(wb, code)
        wb[sheet][cell].value = value
    docs = list(docs)
    if docs:
        sheet, ref = _destination(wb, "van_ban")
        ws = wb[sheet]
        first_row = ws[ref][0]
        columns = ("issuer", "doc_type", "number", "date", "title")
        rows = ws[ref]
        if len(docs) > len(rows):
            raise ValueError(f"{len(docs)} documents, the table has {len(rows)} rows")
        for doc, row in zip(docs, rows, strict=False):
            for code, cell in zip(columns, row, strict=True):
                if code in doc:
                    cell.value = doc[code]
        del first_row
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    if out is not None:
        Path(out).write_bytes(data)
    return data


def _destination(wb: Any, name: str) -> tuple[str, str]:
    defined = wb.defined_names[name]
    (sheet, ref), *_ = list(defined.destinations)
    return sheet, ref.replace("$", "")


class LibreOfficeMissing(RuntimeError):
    """LibreOffice (soffice) is not installed."""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


_RECALC_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""

# soffice filter names by target extension
_FILTERS = {
    "xlsx": "xlsx:Calc MS Excel 2007 XML",
    "ods": "ods:calc8",
    "xls": "xls:MS Excel 97",
    "pdf": "pdf:calc_pdf_Export",
}
# ... and for a text document (the Word appendix)
_WRITER_FILTERS = {"pdf": "pdf:writer_pdf_Export"}


# What soffice prints when another instance, a slow disk or a busy machine got in its way;
# such a run is tried again (with a fresh profile), any other failure is reported at once.
_TRANSIENT = ("could not be loaded", "Error: source file", "failed to launch", "user installation could not")
ATTEMPTS = 3


def libreoffice_convert(
    src: str | Path, fmt: str, outdir: str | Path, *, recalc: bool = True, timeout: int = 180
) -> Path:
    """Open ``src`` in headless LibreOffice and save it as ``fmt`` (xlsx, ods, xls, pdf; a
    .docx only as pdf).

    With ``recalc`` a fresh profile tells LibreOffice to recalculate every formula on load
    (OOXMLRecalcMode/ODFRecalcMode = always), instead of keeping the cached results.
    """
    return libreoffice_convert_many([src], fmt, outdir, recalc=recalc, timeout=timeout)[Path(src).stem]


def libreoffice_convert_many(
    sources: Iterable[str | Path], fmt: str, outdir: str | Path, *, recalc: bool = True, timeout: int = 600
) -> dict[str, Path]:
    """:func:`libreoffice_convert` for many files in one soffice run (each run costs seconds);
    returns stem → converted file.

    Robust to a busy machine: every run has its own user profile (two soffice processes never
    share one), a run that times out or says the source "could not be loaded" is tried again,
    and every output must exist, be new and not empty.
    """
    exe = soffice()
    if exe is None:
        raise LibreOfficeMissing("soffice not found: apt-get install libreoffice-calc-nogui")
    sources = [Path(s) for s in sources]
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    targets = {src.stem: outdir / f"{src.stem}.{fmt}" for src in sources}
    writer = any(src.suffix.lower() in (".docx", ".odt", ".doc") for src in sources)
    for target in targets.values():
        target.unlink(missing_ok=True)  # an output of an earlier run is not this run's
    log = ""
    for attempt in range(ATTEMPTS):
        todo = [src for src in sources if not _fresh(targets[src.stem])]
        if not todo:
            break
        if attempt:
            time.sleep(2 * attempt)  # let the other soffice finish what got in the way
        try:
            out = _soffice_run(
                exe,
                todo,
                (_WRITER_FILTERS if writer else _FILTERS).get(fmt, fmt),
                outdir,
                recalc=recalc,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            log += f"\nattempt {attempt + 1}: timed out after {timeout}s"
            continue
        log += f"\nattempt {attempt + 1}: {out}"
        if not any(t in out for t in _TRANSIENT) and all(_fresh(targets[s.stem]) for s in todo):
            break
    missing = [str(src) for src in sources if not _fresh(targets[src.stem])]
    if missing:
        raise RuntimeError(f"LibreOffice failed on {', '.join(missing)}:{log}")
    return targets


def _fresh(path: Path) -> bool:
    return path.exists() and path.stat().st_size > 0


def _soffice_run(exe: str, sources: list[Path], filter_: str, outdir: Path, *, recalc: bool, timeout: int) -> str:
    with tempfile.TemporaryDirectory(prefix="dv-lo-") as profile:
        if recalc:
            user = Path(profile, "user")
            user.mkdir()
            (user / "registrymodifications.xcu").write_text(_RECALC_PROFILE, encoding="utf-8")
        env = {**os.environ, "HOME": profile}
        cmd = [
            exe,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            filter_,
            "--outdir",
            str(outdir),
            *map(str, sources),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    return f"exit {proc.returncode}: {proc.stdout} {proc.stderr}".strip()


class GnumericMissing(RuntimeError):
    """Gnumeric's ssconvert is not installed."""


def ssconvert() -> str | None:
    return shutil.which("ssconvert")


def gnumeric_convert(src: str | Path, fmt: str, outdir: str | Path, *, timeout: int = 120) -> Path:
    """Open ``src`` in Gnumeric (``ssconvert --recalc``: every formula recalculated) and save
    it as ``fmt`` (xlsx, ods, xls)."""
    exe = ssconvert()
    if exe is None:
        raise GnumericMissing("ssconvert not found: apt-get install gnumeric")
    src, outdir = Path(src), Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    target = outdir / f"{src.stem}.{fmt}"
    target.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="dv-gnumeric-") as home:
        proc = subprocess.run(
            [exe, "--recalc", str(src), str(target)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "HOME": home},
        )
    if proc.returncode != 0 or not _fresh(target):
        raise RuntimeError(f"Gnumeric failed on {src}: {proc.stdout} {proc.stderr}")
    return target


def saved(path: Path, when: dt.datetime | None, *, mtime: dt.datetime | None = None) -> Path:
    """Set the workbook's own last-saved time (docProps/core.xml, as Excel and LibreOffice
    write it on every save; None removes it) and the file's modification time."""
    members = {}
    with zipfile.ZipFile(path) as src:
        for info in src.infolist():
            members[info.filename] = src.read(info)
    core = members["docProps/core.xml"].decode("utf-8")
    stamp = "" if when is None else when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    element = r"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)"
    core = re.sub(element, rf"\g<1>{stamp}\g<2>" if stamp else "", core)
    members["docProps/core.xml"] = core.encode("utf-8")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in members.items():
            out.writestr(name, data)
    path.write_bytes(buf.getvalue())
    if mtime is not None:
        os.utime(path, (mtime.timestamp(), mtime.timestamp()))
    return path
