"""The guards of the real-client tests (issue 17 item 16): one per program, each asking what
the tests will use, so that ``make test`` on a machine with LibreOffice Calc but without Writer
or python3-uno passes with skips. Tested by pointing each guard at a program that is not there,
never by uninstalling anything."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests import conftest
from tests.support import programs

NOWHERE = "/nonexistent/dv-test/program"


@pytest.mark.parametrize("name", list(programs.PROGRAMS))
def test_a_program_that_is_not_there_is_missing_with_what_to_install(name):
    why = programs.PROGRAMS[name].check(NOWHERE)
    assert why is not None and "apt-get install" in why


def test_writer_is_a_library_of_the_libreoffice_soffice_starts(tmp_path):
    """Calc alone has no Writer: soffice exists, its program folder has no Writer library."""
    program = tmp_path / "program"
    program.mkdir()
    (program / "soffice").write_text("#!/bin/sh\n")
    assert "libreoffice-writer" in programs.PROGRAMS["writer"].check(str(program / "soffice"))
    (program / programs.WRITER_LIBRARIES[0]).write_bytes(b"")
    assert programs.PROGRAMS["writer"].check(str(program / "soffice")) is None


def test_uno_must_import_in_the_python_that_drives_libreoffice(tmp_path):
    """The system Python existing is not enough: ``import uno`` must work in it. The venv's
    Python has no uno module."""
    if Path(sys.executable).resolve() == Path(programs.UNO_PYTHON).resolve():
        pytest.skip("the tests run under the system Python")
    assert "python3-uno" in programs.PROGRAMS["uno"].check(sys.executable)
    assert "python3-uno" in programs.PROGRAMS["uno"].check(NOWHERE)


def test_the_programs_can_be_taken_as_missing(monkeypatch):
    monkeypatch.setenv("DV_TEST_WITHOUT", "writer, uno")
    assert "DV_TEST_WITHOUT" in programs.missing("writer")
    assert "DV_TEST_WITHOUT" in programs.missing("uno")
    monkeypatch.setenv("DV_TEST_WITHOUT", "libreoffice")
    # Writer and uno are parts of LibreOffice: without it, both are missing too.
    assert all("DV_TEST_WITHOUT" in programs.missing(name) for name in ("libreoffice", "writer", "uno"))


def test_a_test_marked_with_a_missing_program_is_skipped_with_the_reason(monkeypatch):
    monkeypatch.setenv("DV_TEST_WITHOUT", "writer")
    markers: dict[str, list] = {"writer": [], "gnumeric": [], "none": []}

    def item(marker: str) -> SimpleNamespace:
        return SimpleNamespace(
            get_closest_marker=lambda name: object() if name == marker else None,
            add_marker=markers[marker].append,
        )

    items = [item("writer"), item("none")]
    conftest.pytest_collection_modifyitems(None, items)  # type: ignore[arg-type]
    (skip,) = markers["writer"]
    assert skip.mark.name == "skip" and "DV_TEST_WITHOUT" in skip.mark.kwargs["reason"]
    assert markers["none"] == []
