"""One generator of submissions: what a province's units send back, for the samples, the tests
and the benchmarks alike.

* :func:`units` — any number of distinct, realistic units (departments and districts);
  :func:`write_roster` writes them as a roster CSV.
* :func:`submission` — a unit's seeded figures and documents (:func:`figures`,
  :func:`documents`): plausible magnitudes for its kind, the form's rules holding
  (``cut_total = cut_cc + cut_vc``, the rate recomputed, ``dvc_level4 ≤ dvc_total``…) and
  document numbers in the issuer's style (Party ``18-KH/ĐU``, state ``545/KH-STTTT``).
* :func:`report` — the accepted report dv would read from such a file, without a workbook
  (for what comes after the merge: summary, comparison, Word appendix).
* :func:`write` — a filled workbook (the unit's personalised template, filled by defined
  name); :func:`write_many` — thousands of them in worker processes, for the benchmarks.

The form definition is the single source: which fields to fill, the documents' issuers and
type abbreviations, the fixed and derived fields and the rules all come from ``load_form()``,
and every submission is checked against the form's rules before it is handed out. What the
form cannot say — how big a department is, what its documents are about — is in the tables
below, and only there.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import random
import re
import time
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from tests.support.testing import fill_template
from toolkit.form import Form, load_form
from toolkit.issues import FileReport
from toolkit.roster import Unit
from toolkit.template import build_template

__all__ = [
    "shipped_form",
    "units",
    "communes",
    "write_roster",
    "figures",
    "documents",
    "submission",
    "broken_rules",
    "issuer",
    "bodies",
    "document_number",
    "report",
    "template_for",
    "write",
    "write_many",
    "far_cell_copy",
]

# -- what the form does not say -------------------------------------------------------------------
# The order of every tuple is part of the generated content: a seeded run draws from them by
# position (samples/submissions/ were made from these, in this order).

# Plausible magnitudes, by field code. A count is drawn from randint bands by kind of unit
# (districts employ far more public employees, in schools, than departments; a department's
# come in three sizes — a few, a centre or two, a network of hospitals —: one is drawn from
# each band and one band chosen). The other fields are computed from the counts, drawing what
# is said here; cut_cc/cut_vc split cut_total in proportion to the staff.
COUNTS = ("staff_cc", "staff_vc", "dvc_total")  # drawn in this order
MAGNITUDES: Mapping[str, Any] = {
    "staff_cc": {"huyen": ((85, 140),), "so": ((18, 75),), "xa": ((18, 23),)},
    "staff_vc": {"huyen": ((1400, 3300),), "so": ((0, 40), (40, 250), (1500, 4200)), "xa": ((0, 6),)},
    "dvc_total": {"huyen": ((8, 45),), "so": ((15, 160),), "xa": ((2, 12),)},
    "dvc_level4": (0.35, 0.85),  # a share of dvc_total, uniform
    "cut_total": (0.10, 0.02, 0.04, 0.16),  # the cut rate: gauss(mean, sd) clipped to [low, high]
    "report_number": (50, 480),  # N/BC-CODE
    "report_date": (11, 13, 27),  # month, first and last day
}
PHONE_PREFIX = "0294.38"  # Trà Vinh's area code
SIGNER_TITLES = ("GIÁM ĐỐC", "KT. GIÁM ĐỐC – PHÓ GIÁM ĐỐC", "CHỦ TỊCH", "KT. CHỦ TỊCH – PHÓ CHỦ TỊCH")
SIGNERS = ("Nguyễn Văn An", "Trần Thị Bích", "Lê Minh Châu", "Thạch Sô Phol", "Kim Thị Sa Rết")
OFFICES = ("Văn phòng", "Phòng Nội vụ", "Phòng Tổ chức")

# Documents: the types each issuer uses (their abbreviations are the form's), and subjects
# ("{y}": the report's year). A district's Party committee is a "huyện ủy" (HU) and its
# government signs as UBND; a department's are an "Đảng ủy" (ĐU) and the department itself.
PARTY_TYPES = ("Kế hoạch", "Nghị quyết", "Quyết định", "Hướng dẫn", "Chỉ thị")
STATE_TYPES = ("Kế hoạch", "Quyết định", "Báo cáo")
PARTY_SUBJECTS = (
    "Về thực hiện công tác dân vận, Quy chế dân chủ ở cơ sở và phong trào thi đua “Dân vận khéo” năm {y}",
    "Về lãnh đạo thực hiện công tác dân vận chính quyền năm {y}",
    "Về kiện toàn Ban Chỉ đạo thực hiện Quy chế dân chủ ở cơ sở",
    "Về tiêu chí đánh giá mô hình “Dân vận khéo” năm {y}",
    "Về tăng cường công tác dân vận trong tình hình mới",
    "Về phân công cấp ủy viên phụ trách công tác dân vận",
    "Về sơ kết 5 năm thực hiện Kết luận số 114-KL/TW của Ban Bí thư",
)
STATE_SUBJECTS = (
    "Về thực hiện công tác dân vận chính quyền năm {y}",
    "Về thực hiện Quy chế dân chủ trong hoạt động của cơ quan năm {y}",
    "Về tiếp công dân, giải quyết khiếu nại, tố cáo năm {y}",
    "Về cải cách hành chính năm {y}",
    "Về triển khai phong trào thi đua “Dân vận khéo” năm {y}",
    "Về thực hiện công tác dân vận chính quyền giai đoạn 2016-2020",
)
PARTY_NUMBERS, STATE_NUMBERS = (1, 90), (10, 2800)
PLAN_YEARS = 4  # one state document in ten dates from the five-year plan's first year (2016 for 2020)
# (Party, state) body in a number; else ("ĐU", the unit's code). A commune's Party committee is
# an "Đảng ủy" (ĐU) and its government signs as UBND.
BODIES = {"huyen": ("HU", "UBND"), "xa": ("ĐU", "UBND")}

# Units for a province of any size (the benchmarks'): departments and districts, named after
# the country's provinces so that thousands of them stay distinct.
PROVINCES = (
    "An Giang",
    "Bà Rịa – Vũng Tàu",
    "Bạc Liêu",
    "Bắc Giang",
    "Bắc Kạn",
    "Bắc Ninh",
    "Bến Tre",
    "Bình Dương",
    "Bình Định",
    "Bình Phước",
    "Bình Thuận",
    "Cà Mau",
    "Cao Bằng",
    "Cần Thơ",
    "Đà Nẵng",
    "Đắk Lắk",
    "Đắk Nông",
    "Điện Biên",
    "Đồng Nai",
    "Đồng Tháp",
    "Gia Lai",
    "Hà Giang",
    "Hà Nam",
    "Hà Nội",
    "Hà Tĩnh",
    "Hải Dương",
    "Hải Phòng",
    "Hậu Giang",
    "Hòa Bình",
    "Hưng Yên",
    "Khánh Hòa",
    "Kiên Giang",
    "Kon Tum",
    "Lai Châu",
    "Lâm Đồng",
    "Lạng Sơn",
    "Lào Cai",
    "Long An",
    "Nam Định",
    "Nghệ An",
    "Ninh Bình",
    "Ninh Thuận",
    "Phú Thọ",
    "Phú Yên",
    "Quảng Bình",
    "Quảng Nam",
    "Quảng Ngãi",
    "Quảng Ninh",
    "Quảng Trị",
    "Sóc Trăng",
    "Sơn La",
    "Tây Ninh",
    "Thái Bình",
    "Thái Nguyên",
    "Thanh Hóa",
    "Thừa Thiên Huế",
    "Tiền Giang",
    "TP. Hồ Chí Minh",
    "Trà Vinh",
    "Tuyên Quang",
    "Vĩnh Long",
    "Vĩnh Phúc",
    "Yên Bái",
)
DEPARTMENTS = (
    ("VPUBND", "Văn phòng UBND tỉnh"),
    ("SNV", "Sở Nội vụ"),
    ("STP", "Sở Tư pháp"),
    ("SKHDT", "Sở Kế hoạch và Đầu tư"),
    ("STC", "Sở Tài chính"),
    ("SCT", "Sở Công Thương"),
    ("SNNPTNT", "Sở Nông nghiệp và Phát triển nông thôn"),
    ("SGTVT", "Sở Giao thông vận tải"),
    ("SXD", "Sở Xây dựng"),
    ("STNMT", "Sở Tài nguyên và Môi trường"),
    ("STTTT", "Sở Thông tin và Truyền thông"),
    ("SLDTBXH", "Sở Lao động – Thương binh và Xã hội"),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch"),
    ("SKHCN", "Sở Khoa học và Công nghệ"),
    ("SGDDT", "Sở Giáo dục và Đào tạo"),
    ("SYT", "Sở Y tế"),
    ("TTT", "Thanh tra tỉnh"),
    ("BDT", "Ban Dân tộc"),
    ("BQLKKT", "Ban Quản lý Khu kinh tế"),
)
DISTRICTS = (
    "Càng Long",
    "Cầu Kè",
    "Tiểu Cần",
    "Châu Thành",
    "Cầu Ngang",
    "Trà Cú",
    "Duyên Hải",
    "Long Phú",
    "Mỹ Xuyên",
    "Thạnh Trị",
    "Kế Sách",
    "Cù Lao Dung",
    "Vũng Liêm",
    "Tam Bình",
    "Bình Minh",
    "Mang Thít",
)


# A district's communes (docs/spec.md §9), for a district of any size: Châu Thành's (Trà Vinh) first.
COMMUNES = (
    "Thị trấn Châu Thành",
    "Xã Đa Lộc",
    "Xã Mỹ Chánh",
    "Xã Thanh Mỹ",
    "Xã Lương Hòa A",
    "Xã Lương Hòa",
    "Xã Song Lộc",
    "Xã Nguyệt Hóa",
    "Xã Hòa Thuận",
    "Xã Hòa Lợi",
    "Xã Phước Hảo",
    "Xã Hưng Mỹ",
    "Xã Hòa Minh",
    "Xã Long Hòa",
)


@functools.cache
def shipped_form() -> Form:
    """The shipped form (loaded once per process)."""
    return load_form()


# -- units ---------------------------------------------------------------------------------------


def units(count: int) -> list[Unit]:
    """``count`` distinct units: three in ten districts, the others departments, across the
    provinces' names (``H0001``, ``SNV0002``…)."""
    out = []
    for i in range(count):
        province = PROVINCES[(i // 7) % len(PROVINCES)]
        if i % 10 < 3:
            district = DISTRICTS[i % len(DISTRICTS)]
            out.append(Unit(f"H{i + 1:04d}", f"UBND huyện {district} ({province}, {i + 1})", "huyen"))
        else:
            code, name = DEPARTMENTS[i % len(DEPARTMENTS)]
            out.append(Unit(f"{code}{i + 1:04d}", f"{name} tỉnh {province} ({i + 1})", "so"))
    return out


def communes(district: Unit, count: int) -> list[Unit]:
    """``count`` communes of ``district`` (kind ``xa``): codes ``<district>-X01``…, names from
    :data:`COMMUNES` (then numbered), each naming its district so that thousands stay distinct."""
    out = []
    for i in range(count):
        name = COMMUNES[i % len(COMMUNES)] + (f" {i // len(COMMUNES) + 1}" if i >= len(COMMUNES) else "")
        out.append(Unit(f"{district.code}-X{i + 1:02d}", f"{name} ({district.name})", "xa"))
    return out


def write_roster(path: Path, roster: Iterable[Unit]) -> Path:
    """A roster CSV (``code,name,kind``) of these units."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["code", "name", "kind"])
        writer.writerows([u.code, u.name, u.kind] for u in roster)
    return path


# -- figures and documents -----------------------------------------------------------------------


def _kind(unit: Unit) -> str:
    return unit.kind if unit.kind in ("huyen", "xa") else "so"


def _draw(rng: random.Random, bands: tuple[tuple[int, int], ...]) -> int:
    if len(bands) == 1:
        return rng.randint(*bands[0])
    return rng.choice([rng.randint(low, high) for low, high in bands])


def _choice(form: Form, key: str, value: str) -> Any:
    return next(c for c in form.choices[key] if c.value == value)


def issuer(form: Form, style: str) -> str:
    """The form's issuer whose numbers are in this style ("party" or "state")."""
    return next(c.value for c in form.choices["issuer"] if c.style == style)


def bodies(unit: Unit) -> tuple[str, str]:
    """Who signs the unit's Party and state documents, as their numbers say (ĐU, SNV)."""
    return BODIES.get(unit.kind, ("ĐU", unit.code))


def document_number(form: Form, style: str, doc_type: str, n: int, body: str) -> str:
    """A number in the issuer's style ("party" or "state") with the type's abbreviation from
    the form: Party ``07-KH/ĐU``, state ``545/KH-SNV``."""
    abbr = _choice(form, "doc_type", doc_type).abbr
    return f"{n:02d}-{abbr}/{body}" if style == "party" else f"{n}/{abbr}-{body}"


def figures(rng: random.Random, unit: Unit, form: Form | None = None) -> dict[str, Any]:
    """The unit's input fields (all but its code and name, which its template holds), drawn
    from :data:`MAGNITUDES`; the rate computed by the form's own formula. Fails if the form
    asks for a field the generator does not know."""
    form = form or shipped_form()
    size = {code: _draw(rng, MAGNITUDES[code][_kind(unit)]) for code in COUNTS}
    staff = size["staff_cc"] + size["staff_vc"]
    mean, sd, low, high = MAGNITUDES["cut_total"]
    rate = min(max(rng.gauss(mean, sd), low), high)
    cut_total = round(rate * staff / (1 - rate))
    cut_cc = round(cut_total * size["staff_cc"] / staff)
    month, first_day, last_day = MAGNITUDES["report_date"]
    drawn: dict[str, Any] = {
        "report_number": document_number(
            form, "state", "Báo cáo", rng.randint(*MAGNITUDES["report_number"]), unit.code
        ),
        "report_date": dt.date(form.year, month, rng.randint(first_day, last_day)),
        "signer": f"{rng.choice(SIGNER_TITLES)} {rng.choice(SIGNERS)}",
        "contact": f"{rng.choice(OFFICES)}, {PHONE_PREFIX}{rng.randint(10000, 99999)}",
        **size,
        "dvc_level4": round(size["dvc_total"] * rng.uniform(*MAGNITUDES["dvc_level4"])),
        "cut_cc": cut_cc,
        "cut_vc": cut_total - cut_cc,
        "cut_total": cut_total,
    }
    rate_field = form.field("cut_rate")
    assert rate_field.total is not None, "the form computes the rate from the sums"
    drawn["cut_rate"] = round(rate_field.total.evaluate(drawn), 4)
    wanted = [f.code for f in form.input_fields if f.code not in (form.roster_code, form.roster_name)]
    missing = set(wanted) - drawn.keys()
    assert not missing and drawn.keys() <= set(wanted), f"the generator and the form disagree: {missing}"
    return {code: drawn[code] for code in wanted}


def documents(
    rng: random.Random,
    unit: Unit,
    form: Form | None = None,
    *,
    party: tuple[int, int] = (2, 6),
    state: tuple[int, int] = (1, 5),
    report_date: dt.date | None = None,
) -> list[dict[str, Any]]:
    """The unit's documents of the year: ``party`` (randint bounds) from its Party committee,
    then ``state`` from its government, one state document in ten from the first year of the
    five-year plan still in force (2016 for 2020). Numbers are unique (a repeated one is dropped).
    None is dated after ``report_date`` (a report cannot list a document issued after it was
    signed: ``doc_date_after_report``): the dates are drawn as before, then held to it."""
    form = form or shipped_form()
    year = form.year
    party_body, state_body = bodies(unit)
    docs = []
    for _ in range(rng.randint(*party)):
        doc_type = rng.choice(PARTY_TYPES)
        docs.append(
            {
                "issuer": issuer(form, "party"),
                "doc_type": doc_type,
                "number": document_number(form, "party", doc_type, rng.randint(*PARTY_NUMBERS), party_body),
                "date": dt.date(year, rng.randint(1, 11), rng.randint(1, 28)),
                "title": rng.choice(PARTY_SUBJECTS).format(y=year),
            }
        )
    for _ in range(rng.randint(*state)):
        doc_type = rng.choice(STATE_TYPES)
        issued = year if rng.random() > 0.1 else year - PLAN_YEARS
        docs.append(
            {
                "issuer": issuer(form, "state"),
                "doc_type": doc_type,
                "number": document_number(form, "state", doc_type, rng.randint(*STATE_NUMBERS), state_body),
                "date": dt.date(issued, rng.randint(1, 11), rng.randint(1, 28)),
                "title": rng.choice(STATE_SUBJECTS).format(y=year),
            }
        )
    if report_date is not None:
        for d in docs:
            d["date"] = min(d["date"], report_date)
    numbers: set[str] = set()
    return [d for d in docs if not (d["number"] in numbers or numbers.add(d["number"]))]


def submission(
    rng: random.Random, unit: Unit, form: Form | None = None, **sizes: tuple[int, int]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A unit's figures and documents (``sizes``: :func:`documents`' ``party``/``state``),
    checked against the form's rules: no error, as a clerk's finished appendix."""
    form = form or shipped_form()
    values = figures(rng, unit, form)
    docs = documents(rng, unit, form, report_date=values.get(form.date_field), **sizes)
    broken = broken_rules(values, docs, form, unit)
    assert not broken, f"generated {unit.code} breaks {broken}"
    return values, docs


def broken_rules(
    values: Mapping[str, Any], docs: Sequence[Mapping[str, Any]], form: Form | None = None, unit: Unit | None = None
) -> list[str]:
    """The ids of the form's error rules (and row rules) that these figures and documents break."""
    form = form or shipped_form()
    env = report(unit or Unit("", ""), values, docs, form).values
    out = []
    for rule in form.rules:
        if rule.severity == "error" and not rule.expr.evaluate(env, {t: list(docs) for t in form.tables}):
            out.append(rule.id)
    for table in form.tables.values():
        for doc in docs:
            out += [r.id for r in table.rules if r.severity == "error" and not r.expr.evaluate({**env, **doc})]
    return out


def report(
    unit: Unit,
    values: Mapping[str, Any],
    docs: Iterable[Mapping[str, Any]] = (),
    form: Form | None = None,
    path: str | None = None,
) -> FileReport:
    """The accepted report dv reads from a file of ``unit`` holding ``values`` and ``docs``,
    without a workbook: the unit's code and name, the fixed fields and the derived counts as
    the form computes them, each document with its row, and the report's date (as
    ``check_file`` gives them)."""
    form = form or shipped_form()
    out = dict(values, **{form.roster_code: unit.code, form.roster_name: unit.name})
    first = min((t.first_row for t in form.tables.values()), default=1)
    rows = [dict(d, _row=first + i) for i, d in enumerate(docs)]
    tables = {code: rows for code in form.tables}
    for f in form.fields:
        if f.source == "fixed":
            out[f.code] = form.fixed_value(f)
    for f in form.derived_fields:
        assert f.expr is not None
        out[f.code] = f.expr.evaluate(out, tables)
    return FileReport(
        path=path or f"{unit.code}.xlsx",
        unit_code=unit.code,
        status="accepted",
        fmt="xlsx",
        values=out,
        docs=rows,
        report_date=out.get(form.date_field),
    )


# -- workbooks -----------------------------------------------------------------------------------

_TEMPLATES: dict[tuple[int, Unit | None], tuple[Form, bytes]] = {}


def template_for(unit: Unit | None = None, form: Form | None = None) -> bytes:
    """The template ``dv make-template`` gives this unit (the generic one for None), kept for
    the next call with the same form object."""
    form = form or shipped_form()
    key = (id(form), unit)
    hit = _TEMPLATES.get(key)
    if hit is None or hit[0] is not form:
        if len(_TEMPLATES) >= 32:
            _TEMPLATES.pop(next(iter(_TEMPLATES)))
        hit = _TEMPLATES[key] = (form, build_template(form, unit=unit))
    return hit[1]


def write(
    path: Path,
    values: Mapping[str, Any],
    docs: Iterable[Mapping[str, Any]] = (),
    *,
    unit: Unit | None = None,
    form: Form | None = None,
    template: bytes | None = None,
) -> Path:
    """``values`` and ``docs`` filled by defined name into the unit's template (or into
    ``template``) and saved as ``path``, as a clerk returns it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fill_template(template if template is not None else template_for(unit, form), values, docs, out=path)
    return path


# -- many workbooks at once (the benchmarks') ------------------------------------------------------
# Building a personalised template takes ~0.1 s; the bulk writer builds one for a placeholder
# unit and puts each unit's code and name in its XML parts, which gives the same parts byte
# for byte (checked on two units first). Filling (openpyxl, ~50 ms) runs in a process per CPU.

CODE_MARK, NAME_MARK = "ZZUNITCODEZZ", "ZZUNITNAMEZZ"
_PLACEHOLDER: bytes = b""
_SIZES: dict[str, tuple[int, int]] = {}


def placeholder_template(form: Form | None = None) -> bytes:
    """The personalised template of a placeholder unit, for :func:`personalise`."""
    return build_template(form or shipped_form(), unit=Unit(CODE_MARK, NAME_MARK, "so"))


def personalise(placeholder: bytes, unit: Unit) -> bytes:
    """The placeholder's template with this unit's code and name: the parts of
    ``build_template(form, unit=unit)``, without building it."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(placeholder)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith(".xml"):
                data = data.replace(CODE_MARK.encode(), escape(unit.code).encode())
                data = data.replace(NAME_MARK.encode(), escape(unit.name).encode())
            dst.writestr(info, data)
    return out.getvalue()


def _differing_parts(a: bytes, b: bytes) -> list[str]:
    """The parts in which two xlsx differ (every part, when their lists of parts differ)."""
    with zipfile.ZipFile(io.BytesIO(a)) as za, zipfile.ZipFile(io.BytesIO(b)) as zb:
        if za.namelist() != zb.namelist():
            return za.namelist()
        return [p for p in za.namelist() if za.read(p) != zb.read(p)]


def _bulk_init(placeholder: bytes, sizes: dict[str, tuple[int, int]]) -> None:
    global _PLACEHOLDER, _SIZES
    _PLACEHOLDER, _SIZES = placeholder, sizes


def _bulk_one(task: tuple[Unit, str, int]) -> None:
    unit, out, seed = task
    values, docs = submission(random.Random(seed), unit, shipped_form(), **_SIZES)
    fill_template(personalise(_PLACEHOLDER, unit), values, docs, out=out)


def write_many(
    tasks: Sequence[tuple[Unit, Path, int]],
    *,
    processes: int,
    placeholder: bytes | None = None,
    log: Callable[[str], None] = lambda text: None,
    **sizes: tuple[int, int],
) -> None:
    """Write a filled workbook for each ``(unit, path, seed)``: the unit's :func:`submission`
    from ``random.Random(seed)`` (``sizes`` as there) in its personalised template, in
    ``processes`` worker processes. The form is the shipped one."""
    form = shipped_form()
    placeholder = placeholder or placeholder_template(form)
    for probe in {t[0].kind: t[0] for t in tasks}.values():  # one unit of each kind
        differ = _differing_parts(build_template(form, unit=probe), personalise(placeholder, probe))
        if differ:
            raise RuntimeError(f"the personalised template shortcut differs from build_template in {differ}")
    start = time.perf_counter()
    jobs = [(unit, str(path), seed) for unit, path, seed in tasks]
    with ProcessPoolExecutor(processes, initializer=_bulk_init, initargs=(placeholder, sizes)) as pool:
        for done, _ in enumerate(pool.map(_bulk_one, jobs, chunksize=8), start=1):
            if done % 200 == 0:
                log(f"  {done}/{len(jobs)}")
    log(f"{len(jobs)} workbooks written in {time.perf_counter() - start:.1f} s")


def far_cell_copy(reference: Path, out: Path) -> Path:
    """A copy of the workbook ``reference`` whose ``_dv`` sheet has one more cell, at XFD1048576,
    and no <dimension>: what dv's zip check cannot see, so python-calamine allocates the whole
    grid and its process dies (the benchmarks' reader-crash path)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(reference) as src:
        wb = src.read("xl/workbook.xml").decode()
        rels = src.read("xl/_rels/workbook.xml.rels").decode()
        rid = re.search(r'<sheet [^>]*name="_dv"[^>]*r:id="([^"]+)"', wb)
        target = re.search(rf'Id="{rid.group(1) if rid else "?"}"[^>]*Target="([^"]+)"', rels) or re.search(
            rf'Target="([^"]+)"[^>]*Id="{rid.group(1) if rid else "?"}"', rels
        )
        part = "xl/" + target.group(1).lstrip("/").removeprefix("xl/") if target else "xl/worksheets/sheet5.xml"
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                data = src.read(info)
                if info.filename == part:
                    data = re.sub(rb"<dimension [^>]*/>", b"", data).replace(
                        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
                    )
                dst.writestr(info, data)
    return out
