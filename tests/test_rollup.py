"""``dv roll-up`` (docs/spec.md §9): a district's merged round filled into the province's template
for it — the sums, the rate recomputed, its communes' documents, the provenance — read by the
province like any file, refused when the round is not settled, the mapping incomplete, the
template not an empty one; a figure typed over afterwards is caught."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

import openpyxl
import pytest

from tests.support import submissions
from tests.support.levels import MINISTRY_FORM, rolled_up, same_first_document, template_file, typed, write_round
from tests.support.testing import fill_template
from toolkit.form import load_form, load_form_file
from toolkit.intake import check_file
from toolkit.merger import merge, merge_reports
from toolkit.messages import DvError
from toolkit.rollup import roll_up
from toolkit.roster import Unit, read_roster
from toolkit.template import build_template

DISTRICT = Unit("HCT", "Huyện Châu Thành", "huyen")
DEPARTMENTS = [Unit("SNV", "Sở Nội vụ", "so"), Unit("SYT", "Sở Y tế", "so")]
TYPED = typed(DISTRICT, dt.date(2020, 12, 5))


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("district")
    write_round(base, submissions.communes(DISTRICT, 4), 8100)
    template_file(base / "mau.xlsx", DISTRICT)
    return base


@pytest.fixture(scope="module")
def made(district: Path):
    out = district / "HCT-gui-len.xlsx"
    return rolled_up(district / "nop-ve", district / "don-vi.csv", district / "mau.xlsx", out, TYPED) + (out,)


def codes(report) -> set[tuple[str, str]]:
    return {(i.code, i.field) for i in report.issues}


# -- what the file holds ---------------------------------------------------------------------------


def test_the_figures_are_the_sums_and_the_rate_is_recomputed(made):
    result, rollup, out = made
    report = check_file(out, load_form())
    assert report.status == "accepted" and report.unit_code == "HCT"
    for code in ("dvc_total", "dvc_level4", "staff_cc", "staff_vc", "cut_cc", "cut_vc", "cut_total"):
        assert report.values[code] == result.totals[code] == sum(r.values[code] for r in result.rows)
    t = result.totals
    assert report.values["cut_rate"] == pytest.approx(t["cut_total"] / (t["staff_cc"] + t["staff_vc"] + t["cut_total"]))
    # Every commune's documents, in roster order: the counts are the communes' counts added.
    assert len(report.docs) == sum(len(r.report.docs) for r in result.rows) == rollup.documents
    assert report.values["docs_party"] == t["docs_party"] and report.values["docs_total"] == t["docs_total"]


def test_what_the_officer_types_is_read_as_typed(made):
    _, rollup, out = made
    report = check_file(out, load_form())
    assert report.values["report_date"] == dt.date(2020, 12, 5)
    assert report.values["report_number"] == "125/BC-UBND"
    assert [f.code for f in rollup.left] == ["contact"]  # the one person field not given


def test_the_provenance_lists_every_file_with_its_hash_and_status(made, district: Path):
    from toolkit.fsutil import sha256_of

    result, rollup, out = made
    prov = check_file(out, load_form()).rollup
    # What was written reads back; a rate to the 15 significant digits a cell keeps.
    assert prov.fields == rollup.provenance.fields and len(prov.entries) == len(rollup.provenance.entries)
    for read, written in zip(prov.entries, rollup.provenance.entries, strict=True):
        assert {k: v for k, v in read.values.items() if k != "cut_rate"} == {
            k: v for k, v in written.values.items() if k != "cut_rate"
        }
        assert read.values["cut_rate"] == pytest.approx(written.values["cut_rate"], rel=1e-14)
    assert prov.settled and prov.units == 4 and prov.generator.startswith("dv ")
    assert len(prov.inputs) == 64 and prov.form == ("dan-van-chinh-quyen", "2020.1", 2020)
    files = sorted((district / "nop-ve").glob("*.xlsx"))
    assert [(e.depth, e.file, e.sha256, e.status) for e in prov.entries] == [
        (1, p.name, sha256_of(p), "accepted") for p in files
    ]
    # Each commune's documents are a range of the table, in order, without a gap.
    assert [e.docs for e in prov.entries] == [
        (sum(len(r.report.docs) for r in result.rows[:i]) + 1, sum(len(r.report.docs) for r in result.rows[: i + 1]))
        for i in range(4)
    ]


def test_the_inputs_hash_is_the_same_for_the_same_inputs(made, district: Path):
    result, rollup, _ = made
    again = roll_up(result, district / "mau.xlsx", typed=TYPED)
    assert again.provenance.inputs == rollup.provenance.inputs
    other = roll_up(result, district / "mau.xlsx", typed={**TYPED, "signer": "Người khác"})
    assert other.provenance.inputs != rollup.provenance.inputs


def test_the_template_keeps_its_protection_validation_checks_and_metadata(made, district: Path):
    _, _, out = made
    before = openpyxl.load_workbook(district / "mau.xlsx")
    after = openpyxl.load_workbook(out)
    assert after.sheetnames == before.sheetnames
    for name in before.sheetnames:
        assert after[name].protection.sheet == before[name].protection.sheet
        assert after[name].sheet_state == before[name].sheet_state
        assert len(after[name].data_validations.dataValidation) == len(before[name].data_validations.dataValidation)
        assert len(after[name].conditional_formatting) == len(before[name].conditional_formatting)
    assert after["_dv"].sheet_state == "veryHidden"
    meta_before = [[c.value for c in row] for row in before["_dv"].iter_rows()]
    meta_after = [[c.value for c in row] for row in after["_dv"].iter_rows()]
    assert [r[:2] for r in meta_after[: len(meta_before)]] == [r[:2] for r in meta_before]  # the fingerprint too
    assert set(before.defined_names) == set(after.defined_names)
    # The live checks are the template's formulas, untouched.
    assert after["Phụ lục"]["E27"].value == before["Phụ lục"]["E27"].value
    assert after["Phụ lục"]["A4"].value == before["Phụ lục"]["A4"].value
    assert after.calculation.fullCalcOnLoad


# -- the level above reads it like any other ----------------------------------------------------------


def test_a_typed_file_and_a_rolled_up_one_of_the_same_figures_merge_the_same(made, tmp_path: Path):
    result, rollup, out = made
    report = check_file(out, load_form())
    typed_in = {
        f.code: report.values[f.code] for f in load_form().input_fields if report.values.get(f.code) is not None
    }
    docs = [{k: v for k, v in d.items() if k != "_row"} for d in report.docs]
    folders = {}
    for kind in ("typed", "rolled"):
        folder = tmp_path / kind
        write_round(folder, DEPARTMENTS, 8200)
        folders[kind] = folder
    fill_template(submissions.template_for(DISTRICT), typed_in, docs, out=folders["typed"] / "nop-ve" / "HCT.xlsx")
    shutil.copy(out, folders["rolled"] / "nop-ve" / "HCT.xlsx")
    roster = submissions.write_roster(tmp_path / "tinh.csv", [*DEPARTMENTS, DISTRICT])
    a, b = (merge([folders[k] / "nop-ve"], load_form(), read_roster(roster)) for k in ("typed", "rolled"))
    assert a.ok and b.ok
    assert a.totals == b.totals
    assert [r.values for r in a.rows] == [r.values for r in b.rows]
    assert [{k: v for k, v in d.items() if k != "issued_by"} for d in a.documents()] == [
        {k: v for k, v in d.items() if k != "issued_by"} for d in b.documents()
    ]
    # Only the rolled-up one says what it is built from.
    assert [r.code for r in b.rollups] == ["HCT"] and a.rollups == []
    first = next(d for d in b.documents() if d["unit_code"] == "HCT")
    assert first["issued_by"].startswith("HCT-X01 ")


def test_a_figure_typed_over_after_the_roll_up_is_an_error(made, tmp_path: Path):
    _, _, out = made
    wb = openpyxl.load_workbook(out)
    wb["Phụ lục"]["D20"] = wb["Phụ lục"]["D20"].value + 1  # dvc_total
    edited = tmp_path / "sua.xlsx"
    wb.save(edited)
    report = check_file(edited, load_form())
    assert ("rollup-mismatch", "dvc_total") in codes(report) and report.status == "rejected"


def test_provenance_rows_edited_by_hand_are_an_error(made, tmp_path: Path):
    _, _, out = made
    wb = openpyxl.load_workbook(out)
    ws = wb["_dv"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "rollup_file")
    ws.cell(row, 2).value = "hai"
    edited = tmp_path / "sua.xlsx"
    wb.save(edited)
    report = check_file(edited, load_form())
    assert ("rollup-unreadable", "") in codes(report) and report.rollup is None and report.status == "rejected"


# -- refused before anything is written ---------------------------------------------------------------


def test_an_unsettled_round_is_refused_unless_the_officer_says_so(district: Path, tmp_path: Path):
    folder = tmp_path / "nop-ve"
    shutil.copytree(district / "nop-ve", folder)
    first = sorted(folder.glob("*.xlsx"))[0]
    wb = openpyxl.load_workbook(first)
    wb["Phụ lục"]["D27"] = wb["Phụ lục"]["D27"].value + 5  # cut_total no longer cut_cc + cut_vc
    wb.save(first)
    result = merge([folder], load_form(), read_roster(district / "don-vi.csv"))
    with pytest.raises(DvError) as err:
        roll_up(result, district / "mau.xlsx", typed=TYPED)
    assert err.value.key == "rollup.unsettled" and first.name in err.value.render()
    made = roll_up(result, district / "mau.xlsx", typed=TYPED, partial=True)
    assert not made.provenance.settled and made.provenance.units == 3
    assert [i.code for i in made.check.warnings if i.code.startswith("rollup")] == ["rollup-partial"]
    assert made.open and made.check.status == "accepted"


def test_a_unit_that_sent_nothing_leaves_the_round_unsettled(district: Path, tmp_path: Path):
    roster = submissions.write_roster(tmp_path / "don-vi.csv", submissions.communes(DISTRICT, 5))
    result = merge([district / "nop-ve"], load_form(), read_roster(roster))
    with pytest.raises(DvError) as err:
        roll_up(result, district / "mau.xlsx", typed=TYPED)
    assert "HCT-X05" in err.value.render()
    made = roll_up(result, district / "mau.xlsx", typed=TYPED, partial=True)
    assert [(e.unit_code, e.status) for e in made.provenance.entries][-1] == ("HCT-X05", "missing")


def ministry_variant(tmp_path: Path, **changes: str) -> Path:
    """The ministry's form with its id changed (another form) and ``changes`` applied to its text."""
    text = (Path(load_form(MINISTRY_FORM).path)).read_text(encoding="utf-8")
    text = text.replace('id = "dan-van-chinh-quyen-bo"', 'id = "bo-thu-nghiem"')
    for old, new in changes.items():
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "bo.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_field_the_lower_round_lacks_is_an_error_before_anything_is_written(made, tmp_path: Path):
    result, _, _ = made
    form = load_form_file(
        ministry_variant(
            tmp_path, **{'rollup_from = ["staff_cc", "staff_vc"]': 'rollup_from = ["staff_cc", "bien_che_hd"]'}
        )
    )
    template = template_file(tmp_path / "mau.xlsx", Unit("T01", "Tỉnh Trà Vinh", "tinh"), form)
    with pytest.raises(DvError) as err:
        roll_up(result, template, upper=form, typed=TYPED)
    assert err.value.key == "rollup.mapping" and "bien_che_hd" in err.value.render()


def test_a_field_without_its_roll_up_is_an_error(made, tmp_path: Path):
    result, _, _ = made
    variant = ministry_variant(
        tmp_path,
        **{
            'type = "integer"\nunit = "dịch vụ"\nunit_en = "services"\nrollup = "sum"\nrequired = true\n\n[[sections.fields]]\ncode = "dvc_level4"': 'type = "integer"\nunit = "dịch vụ"\nunit_en = "services"\nrequired = true\n\n[[sections.fields]]\ncode = "dvc_level4"'
        },
    )
    form = load_form_file(variant)
    template = template_file(tmp_path / "mau.xlsx", None, form)
    with pytest.raises(DvError) as err:
        roll_up(result, template, upper=form)
    assert err.value.key == "rollup.mapping" and "dvc_total" in err.value.render()


def test_a_form_that_declares_no_roll_up_is_refused(made, tmp_path: Path):
    result, _, _ = made
    form = load_form_file(Path(__file__).parent / "forms" / "tiep-cong-dan-quy.toml")
    template = template_file(tmp_path / "mau.xlsx", None, form)
    with pytest.raises(DvError) as err:
        roll_up(result, template, upper=form)
    assert err.value.key == "rollup.form_no_rollup"


def test_the_template_must_be_an_empty_template(made, district: Path, tmp_path: Path):
    result, _, out = made
    with pytest.raises(DvError) as err:
        roll_up(result, out, typed=TYPED)  # the roll-up itself: filled
    assert err.value.key == "rollup.template_filled"
    from toolkit.summary import build_summary

    summary = tmp_path / "tong-hop.xlsx"
    summary.write_bytes(build_summary(result))
    with pytest.raises(DvError) as err:
        roll_up(result, summary)
    assert err.value.key == "rollup.not_template"
    with pytest.raises(DvError) as err:
        roll_up(result, tmp_path / "khong-co.xlsx")
    assert err.value.key == "rollup.template_missing"


@pytest.mark.parametrize(
    ("given", "key"),
    [
        ({"don_thu": "1"}, "rollup.set_unknown"),
        ({"dvc_total": "5"}, "rollup.set_not_person"),
        ({"unit_code": "HCK"}, "rollup.set_locked"),
        ({"report_date": "31/02/2020"}, "rollup.set_bad"),
    ],
)
def test_what_set_may_fill(made, district: Path, given, key):
    result, _, _ = made
    with pytest.raises(DvError) as err:
        roll_up(result, district / "mau.xlsx", typed=given)
    assert err.value.key == key


def test_a_generic_template_takes_the_unit_from_set(made, tmp_path: Path):
    result, _, _ = made
    template = template_file(tmp_path / "chung.xlsx", None)
    made_generic = roll_up(result, template, typed={**TYPED, "unit_code": "HCT", "unit_name": "Huyện Châu Thành"})
    assert made_generic.check.unit_code == "HCT" and made_generic.check.status == "accepted"
    left = roll_up(result, template, typed=TYPED)
    assert {"unit_code", "unit_name"} <= {f.code for f in left.left}


def test_more_documents_than_the_table_holds_is_refused():
    form = load_form()
    units = submissions.communes(DISTRICT, 16)
    reports = []
    for i, unit in enumerate(units):
        values, docs = submissions.submission(random.Random(i), unit, form, party=(12, 12), state=(10, 10))
        reports.append(submissions.report(unit, values, docs, form, path=f"{unit.code}.xlsx"))
    result = merge_reports(reports, form)
    assert sum(len(r.docs) for r in reports) > 300
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp, "mau.xlsx")
        template.write_bytes(build_template(form, unit=DISTRICT))
        with pytest.raises(DvError) as err:
            roll_up(result, template, typed=TYPED)
    assert err.value.key == "rollup.table_full"


def test_next_year_reads_a_roll_ups_row_of_this_years_summary_as_sent(made, tmp_path: Path):
    from toolkit.previous import read_previous
    from toolkit.summary import build_summary

    _, _, out = made
    folder = tmp_path / "tinh"
    write_round(folder, DEPARTMENTS, 8300)
    shutil.copy(out, folder / "nop-ve" / "HCT.xlsx")
    roster = submissions.write_roster(tmp_path / "tinh.csv", [*DEPARTMENTS, DISTRICT])
    summary = tmp_path / "tong-hop-2020.xlsx"
    summary.write_bytes(build_summary(merge([folder / "nop-ve"], load_form(), read_roster(roster))))
    last_year = read_previous(summary, load_form_file(Path(__file__).parent.parent / "samples/2021/bieu-mau-2021.xlsx"))
    assert last_year.units["HCT"].sent and last_year.units["HCT"].values["cut_total"] > 0


def test_a_table_of_this_levels_own_documents_is_left_for_the_officer(made, district: Path, tmp_path: Path):
    result, _, _ = made
    text = Path(load_form().path).read_text(encoding="utf-8").replace('rollup = "all"', 'rollup = "own"')
    definition = tmp_path / "rieng.toml"
    definition.write_text(text, encoding="utf-8")
    own = roll_up(result, district / "mau.xlsx", upper=load_form_file(definition), typed=TYPED)
    assert own.documents == 0 and own.check.docs == [] and own.check.status == "accepted"
    # Its counts are this level's own documents, not the units' sums: no roll-up figure, never a mismatch.
    assert not {"docs_party", "docs_gov", "docs_total"} & set(own.provenance.fields)
    assert "dvc_total" in own.provenance.fields


def test_two_communes_with_the_same_plan_are_two_documents_each_with_its_unit(district: Path, tmp_path: Path):
    """Every commune writes "01/KH-UBND" on its plan, and two may date and title it alike: two
    documents, not one row pasted twice. The roll-up follows each subject with its commune, so
    the level above (dv and the sheet) tells them apart; before, the roll-up refused itself."""
    folder = tmp_path / "nop-ve"
    shutil.copytree(district / "nop-ve", folder)
    first, second = sorted(folder.glob("*.xlsx"))[:2]
    table = next(iter(load_form().tables.values()))
    same_first_document(first, second)
    source = openpyxl.load_workbook(first)
    # And the first commune gives one number to two of its own documents: a repeat in its numbering.
    number = table.role_column("doc-number")
    docs_a = check_file(first, load_form()).docs
    source[table.sheet][f"{number.column}{docs_a[1]['_row']}"].value = docs_a[0]["number"]
    source.save(first)
    result, rollup = rolled_up(folder, district / "don-vi.csv", district / "mau.xlsx", tmp_path / "up.xlsx", TYPED)
    report = check_file(tmp_path / "up.xlsx", load_form())
    assert report.status == "accepted" and "doc-duplicate-row" not in {c for c, _ in codes(report)}
    # Each unit numbers its own documents: the two communes' "01/…" is no repeat; the first
    # commune's own repeat still is (the warning its own file had), named at its row.
    repeats = [i for i in report.issues if i.code == "doc-number-duplicate"]
    number_cell = f"{number.column}{report.docs[1]['_row']}"
    assert [i.cell for i in repeats] == [number_cell] and docs_a[0]["number"] in repeats[0].message
    names = [r.name for r in result.rows]
    subjects = [d["title"] for d in report.docs]
    assert subjects[0].endswith(f"({names[0]})") and subjects[len(result.rows[0].report.docs)].endswith(f"({names[1]})")
    assert subjects[0].removesuffix(f" ({names[0]})") == subjects[len(result.rows[0].report.docs)].removesuffix(
        f" ({names[1]})"
    )
    assert rollup.documents == len(report.docs) == sum(len(r.report.docs) for r in result.rows)
