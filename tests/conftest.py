"""Shared fixtures: the default form, its template, the sample roster, and LibreOffice.

Kept to what every test module of the template capability needs; nothing here changes how
other folders under ``tests/`` are collected.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit import testing
from toolkit.form import Form, load_form
from toolkit.roster import Roster, read_roster
from toolkit.template import build_template

REPO = Path(__file__).resolve().parent.parent
SAMPLE_ROSTER = REPO / "samples" / "units.csv"
NO_SOFFICE = "LibreOffice not installed: apt-get install libreoffice-calc-nogui"


@pytest.fixture(scope="session")
def form() -> Form:
    """The default form (dan-van-chinh-quyen 2020), loaded from the package."""
    return load_form()


@pytest.fixture(scope="session")
def template_bytes(form: Form) -> bytes:
    """The generic template, as ``dv make-template`` writes it without a roster."""
    return build_template(form)


@pytest.fixture(scope="session")
def roster_path() -> Path:
    return SAMPLE_ROSTER


@pytest.fixture(scope="session")
def roster(roster_path: Path) -> Roster:
    """The sample province: Trà Vinh's 19 departments and 9 districts."""
    return read_roster(roster_path)


@pytest.fixture(scope="session")
def soffice() -> str:
    """The LibreOffice executable; the test is skipped when it is not installed."""
    exe = testing.soffice()
    if exe is None:
        pytest.skip(NO_SOFFICE)
    return exe


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``libreoffice`` (the marker pyproject.toml declares) skip without soffice."""
    if testing.soffice() is not None:
        return
    skip = pytest.mark.skip(reason=NO_SOFFICE)
    for item in items:
        if item.get_closest_marker("libreoffice") is not None:
            item.add_marker(skip)
