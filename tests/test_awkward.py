"""The folder of real awkward and hostile files (tests/awkward/): each gets exactly one status
and a message a clerk understands; no input is modified; nothing prints a traceback."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import pytest

from tests.awkward.manifest import FILES, crashing_file, load_manifest
from tests.support.domain import form
from toolkit.intake import check_files
from toolkit.merger import merge_reports
from toolkit.roster import read_roster

ENTRIES = load_manifest()
STATUS = {"ok": "accepted", "rejected": "rejected", "ignored": "ignored"}
ROSTER = read_roster(__import__("pathlib").Path(__file__).resolve().parent.parent / "samples" / "units.csv")


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def reports():
    """Every file checked once, through the worker pool as dv check and dv merge do."""
    before = {e["name"]: sha(e["path"]) for e in ENTRIES}
    result = {r.path: r for r in check_files([e["path"] for e in ENTRIES], form())}
    after = {e["name"]: sha(e["path"]) for e in ENTRIES}
    assert before == after, "an input file was modified"
    return result


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e["name"])
def test_each_file_gets_its_status_and_a_message(entry, reports):
    report = reports[str(entry["path"])]
    assert report.status == STATUS[entry["category"]], [i.message for i in report.issues]
    if entry["category"] != "ok":
        assert report.issues, "a rejected or ignored file says why"
        first = report.sorted_issues()[0]
        assert entry["path"].name in first.message or first.cell, first.message
    for issue in report.issues:
        assert issue.message and issue.message_en and "Traceback" not in issue.message
    fired = {i.code for i in report.issues}
    assert set(entry["rules"]) <= fired, (entry["rules"], fired)


EXPECTED_CODES = {
    "encrypted.xlsx": "file-encrypted",
    "truncated.xlsx": "file-broken",
    "not-a-zip.xlsx": "file-not-workbook",
    "empty.xlsx": "file-empty",
    "renamed-pdf.xlsx": "file-not-workbook",
    "renamed-docx.xlsx": "file-not-workbook",
    "xxe.xlsx": "file-unsafe",
    "billion-laughs.xlsx": "file-unsafe",
    "zip-bomb.xlsx": "file-unsafe",
    "zip-many-parts.xlsx": "file-unsafe",
    "huge-dimension.xlsx": "file-too-large",
    "not-our-form.xlsx": "form-unknown",
    "old-year.xlsx": "form-year",
    "tampered-label.xlsx": "form-tampered",
    "unfilled-template.xlsx": "template-unfilled",
    "formula-no-cache.xlsx": "value-formula-no-value",
    "half-filled-doc-row.xlsx": "doc-incomplete",
    "seed.xlsm": "file-macro",
    "formula-in-input.xlsx": "value-formula",
    "~$seed.xlsx": "file-ignored",
}


@pytest.mark.parametrize(("name", "code"), EXPECTED_CODES.items())
def test_hostile_and_broken_files_say_what_they_are(name, code, reports):
    report = reports[str(FILES / name)]
    assert code in {i.code for i in report.issues}
    if report.status == "rejected" and code.startswith(("file-", "form-", "template-")):
        assert len(report.errors) == 1, [i.code for i in report.errors]  # one clear error, not twenty


@pytest.mark.parametrize(
    "name", ["seed.xlsx", "seed-libreoffice.xlsx", "seed-libreoffice.ods", "seed-libreoffice.xls", "seed.xlsm"]
)
def test_every_format_reads_the_same_values(name, reports):
    seed = reports[str(FILES / "seed.xlsx")]
    report = reports[str(FILES / name)]
    numbers = [f.code for f in form().fields if f.type in ("integer", "percent", "date")]
    assert {c: report.values[c] for c in numbers} == {c: seed.values[c] for c in numbers}
    assert report.docs == seed.docs
    assert report.fmt == name.rsplit(".", 1)[1].replace("xlsx", "xlsx")


def test_legacy_encodings_are_converted(reports):
    report = reports[str(FILES / "tcvn3-text.xlsx")]
    converted = [i for i in report.issues if i.code == "value-legacy-encoding"]
    assert converted and all("Unicode" in i.message for i in converted)


def test_a_merge_of_the_whole_folder_lists_every_file_once(reports):
    result = merge_reports(list(reports.values()), form(), ROSTER)
    assert len(result.files) == len(ENTRIES)
    assert all(f.status in ("accepted", "rejected", "duplicate", "superseded", "ignored") for f in result.files)


def test_the_command_on_the_whole_folder_never_prints_a_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "toolkit.cli", "check", str(FILES), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert len(data["files"]) == len(ENTRIES)


def test_a_file_that_kills_its_reader_is_that_files_error_only(tmp_path):
    """A cell at XFD1048576 with no <dimension> to refuse it early: python-calamine aborts the
    whole process allocating the sheet. The worker's death is this file's error; the file
    next to it in the same run is still read."""
    bomb = crashing_file(tmp_path)
    good = FILES / "seed.xlsx"
    crashed, fine = check_files([bomb, good], form())
    assert crashed.status == "rejected" and [i.code for i in crashed.issues] == ["file-unreadable"]
    assert fine.status == "accepted"
