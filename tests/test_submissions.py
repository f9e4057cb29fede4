"""The one generator of submissions (tests/support/submissions.py) that the samples, the tests
and the benchmarks use: what it writes is what it says, dv accepts it, and the committed
samples are what it makes."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from samples import make_previous, make_samples
from tests.support import submissions
from tests.support.submissions import report, shipped_form, submission, units, write
from toolkit.intake import check_file
from toolkit.roster import Roster, read_roster

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def read_back(path: Path, roster: Roster | None = None) -> tuple[str, dict, list, set]:
    got = check_file(path, shipped_form(), roster)
    return got.status, got.values, got.docs, {(i.code, i.severity) for i in got.issues}


def test_units_are_distinct_departments_and_districts():
    made = units(300)
    assert len({u.code for u in made}) == len({u.name for u in made}) == 300
    assert sum(u.kind == "huyen" for u in made) == 90 and {u.kind for u in made} == {"so", "huyen"}


def test_a_submission_fills_every_input_field_and_keeps_the_rules():
    form = shipped_form()
    personal = {form.roster_code, form.roster_name}
    for i, unit in enumerate(units(40)):
        values, docs = submission(random.Random(i), unit, form)
        assert set(values) == {f.code for f in form.input_fields} - personal
        assert values["cut_total"] == values["cut_cc"] + values["cut_vc"]
        assert values["dvc_level4"] <= values["dvc_total"] and docs
        assert submissions.broken_rules(values, docs, form, unit) == []


def test_the_same_seed_gives_the_same_submission():
    unit = units(1)[0]
    assert submission(random.Random(7), unit) == submission(random.Random(7), unit)
    assert submission(random.Random(7), unit) != submission(random.Random(8), unit)


def test_a_broken_rule_is_named():
    unit = units(1)[0]
    values, docs = submission(random.Random(1), unit)
    wrong = dict(values, cut_total=values["cut_total"] + 1, dvc_level4=values["dvc_total"] + 1)
    assert submissions.broken_rules(wrong, docs, unit=unit) == ["cut_total_sum", "dvc_level4_le_total"]
    late = [*docs[:-1], dict(docs[-1], date=docs[-1]["date"].replace(year=2021))]
    assert submissions.broken_rules(values, late, unit=unit) == ["doc_date_after_year"]


@pytest.mark.parametrize("unit", units(4)[2:], ids=lambda u: u.kind)
def test_a_written_workbook_reads_back_as_its_report(tmp_path, unit):
    """dv reads from the workbook exactly the report the generator gives without one, in the
    number styles dv expects of each issuer (no issue but the 2016 plan's warning)."""
    values, docs = submission(random.Random(3), unit, party=(6, 6), state=(5, 5))
    path = write(tmp_path / f"{unit.code}.xlsx", values, docs, unit=unit)
    status, got_values, got_docs, issues = read_back(path, Roster((unit,)))
    expected = report(unit, values, docs)
    assert status == "accepted" and issues <= {("doc_date_before_year", "warning")}
    assert got_values == expected.values
    assert got_docs == expected.docs
    assert check_file(path, shipped_form()).report_date == expected.report_date


def test_the_bulk_writer_writes_what_one_by_one_writes(tmp_path):
    batch = units(3)
    tasks = [(u, tmp_path / "bulk" / f"{u.code}.xlsx", 100 + i) for i, u in enumerate(batch)]
    (tmp_path / "bulk").mkdir()
    submissions.write_many(tasks, processes=2, party=(2, 8), state=(1, 7))
    for unit, path, seed in tasks:
        values, docs = submission(random.Random(seed), unit, party=(2, 8), state=(1, 7))
        one = write(tmp_path / "one" / path.name, values, docs, unit=unit)
        assert read_back(path) == read_back(one)


def test_the_bulk_writer_refuses_a_template_its_shortcut_would_not_give(tmp_path):
    unit = units(1)[0]
    with pytest.raises(RuntimeError, match="shortcut differs"):
        submissions.write_many([(unit, tmp_path / "x.xlsx", 1)], processes=1, placeholder=submissions.template_for())


@pytest.mark.libreoffice
def test_the_samples_are_what_the_generator_makes(soffice, tmp_path):
    """samples/make_samples.py on the shared generator gives, value for value, the committed
    samples/submissions/ (xlsx bytes differ by their timestamps)."""
    assert make_samples.main(["--out", str(tmp_path / "submissions")]) == 0
    roster = read_roster(SAMPLES / "units.csv")
    committed = sorted(
        p.relative_to(SAMPLES / "submissions") for p in (SAMPLES / "submissions").rglob("*") if p.is_file()
    )
    made = sorted(p.relative_to(tmp_path / "submissions") for p in (tmp_path / "submissions").rglob("*") if p.is_file())
    assert made == committed
    for name in committed:
        assert read_back(tmp_path / "submissions" / name, roster) == read_back(SAMPLES / "submissions" / name, roster)


def test_the_2019_sample_is_what_the_generator_makes(tmp_path):
    """samples/make_previous.py gives, cell for cell, the committed tong-hop-2019.xlsx."""
    import openpyxl

    assert make_previous.main(["--out", str(tmp_path / "tong-hop-2019.xlsx")]) == 0

    def cells(path: Path) -> dict:
        book = openpyxl.load_workbook(path)
        return {(ws.title, c.coordinate): c.value for ws in book.worksheets for row in ws.iter_rows() for c in row}

    assert cells(tmp_path / "tong-hop-2019.xlsx") == cells(SAMPLES / "tong-hop-2019.xlsx")
