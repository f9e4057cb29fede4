"""A new user's first hour (issue 17, section E): last year's units that left the roster are
named in the terminal (item 14); a province without data says "chưa có số liệu", never a
figure computed from nothing (item 15). Items 12, 13 and 17: tests/test_readme_commands.py,
tests/test_make.py, tests/test_packaging.py."""

from __future__ import annotations

import io
import json
from pathlib import Path

import docx
from typer.testing import CliRunner

from tests.support.domain import appendix, filled, form, reported
from toolkit.appendix_docx import build_appendix_docx
from toolkit.cli import app
from toolkit.merger import merge_reports
from toolkit.previous import compare, read_previous
from toolkit.roster import Roster, read_roster

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
ROSTER = read_roster(SAMPLES / "units.csv")


def run(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, " ".join(result.output.split())


def text_of(data: bytes) -> str:
    return " ".join(" ".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs).split())


# -- item 14: a unit dropped from the roster that had figures last year -----------------------------


def test_a_unit_dropped_from_the_roster_is_named_in_the_terminal(tmp_path):
    units = tmp_path / "units.csv"
    lines = (SAMPLES / "units.csv").read_text(encoding="utf-8").splitlines()
    units.write_text("\n".join(line for line in lines if not line.startswith("SNV,")) + "\n", encoding="utf-8")
    code, output = run(
        "merge",
        SAMPLES / "submissions",
        "--units",
        units,
        "-o",
        tmp_path / "t.xlsx",
        "--previous",
        SAMPLES / "tong-hop-2019.xlsx",
        "--json",
        tmp_path / "r.json",
    )
    assert code == 1, output
    assert (
        "Đơn vị có số liệu năm 2019 nhưng không còn trong danh sách đơn vị năm nay (không so sánh): SNV (Sở Nội vụ)."
        in output
    )
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["previous"]["units_dropped"] == ["SNV"]


# -- item 15: no accepted unit, or a field no unit gave -----------------------------------------------


def test_without_an_accepted_unit_the_word_appendix_says_no_data_never_zero(tmp_path):
    sub = tmp_path / "nop"
    sub.mkdir()
    filled(sub, "SXD.xlsx", values=appendix(cut_total=9))  # rejected: the only file
    docx_path = tmp_path / "p.docx"
    code, output = run(
        "merge",
        sub,
        "--units",
        SAMPLES / "units.csv",
        "-o",
        tmp_path / "t.xlsx",
        "--docx",
        docx_path,
        "--previous",
        SAMPLES / "tong-hop-2019.xlsx",
        "--json",
        tmp_path / "r.json",
    )
    assert code == 1, output
    text = text_of(docx_path.read_bytes())
    assert text.count("Chưa có số liệu.") == 3  # the three sections
    for computed_from_nothing in ("đạt 0%", "đạt 0,00%", "So với năm 2019", "Toàn tỉnh: 0 văn bản"):
        assert computed_from_nothing not in text, computed_from_nothing
    totals = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["totals"]
    assert set(totals.values()) == {None}
    assert "Tổng số biên chế đã giảm: chưa có số liệu" in output


def test_a_field_no_accepted_unit_gave_is_no_data_and_the_others_are_said(tmp_path):
    """Two units, neither with a rate or a cut (the fields left empty in a later form version's
    optional column would be the same): the sentences that name them say "chưa có số liệu"."""
    units = Roster(tuple(ROSTER.units[:2]))
    reports = [reported(u, cut_cc=None, cut_vc=None, cut_total=None, cut_rate=None) for u in units.units]
    for r in reports:
        r.values["report_number"] = f"…/BC-{r.unit_code}-VP"
    result = merge_reports(reports, form(), units)
    assert result.totals["cut_total"] is None and result.totals["cut_rate"] is None
    assert result.totals["dvc_total"] == 74
    text = text_of(build_appendix_docx(result))
    assert "Tổng số dịch vụ công trực tuyến mức độ 3, mức độ 4: 74" in text
    assert "đã giảm" not in text and text.count("Chưa có số liệu.") == 1


def test_a_comparison_never_computes_a_change_from_nothing():
    previous = read_previous(SAMPLES / "tong-hop-2019.xlsx", form())
    result = merge_reports([], form(), ROSTER)
    comparison = compare(result, previous)
    assert comparison.changes == {}
    assert "So với năm 2019" not in text_of(build_appendix_docx(result, comparison))
