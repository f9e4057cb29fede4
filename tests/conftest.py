"""Shared fixtures: the default form, its template, the sample roster, and LibreOffice.

Kept to what every test module of the template capability needs; nothing here changes how
other folders under ``tests/`` are collected.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import programs, testing
from toolkit.form import Form, load_form
from toolkit.roster import Roster, read_roster
from toolkit.template import build_template

REPO = Path(__file__).resolve().parent.parent
SAMPLE_ROSTER = REPO / "samples" / "units.csv"


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


def _installed(program: str, exe: str | None) -> str:
    why = programs.missing(program)
    if why is not None or exe is None:
        pytest.skip(why or f"{program} not installed")
    return exe


@pytest.fixture(scope="session")
def soffice() -> str:
    """The LibreOffice executable; the test is skipped when it is not installed."""
    return _installed("libreoffice", testing.soffice())


@pytest.fixture(scope="session")
def ssconvert() -> str:
    """Gnumeric's ssconvert; the test is skipped when it is not installed."""
    return _installed("gnumeric", testing.ssconvert())


@pytest.fixture(scope="session")
def variant_files(form: Form, roster: Roster, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The variant workbooks of tests/variants.py, filled, not yet recalculated."""
    from tests.support import variants

    return variants.build(form, roster, tmp_path_factory.mktemp("variants"))


@pytest.fixture(scope="session")
def variants_in_libreoffice(soffice: str, variant_files, tmp_path_factory) -> dict[str, Path]:
    """Each variant recalculated and saved as xlsx by LibreOffice (one soffice run)."""
    return testing.libreoffice_convert_many(list(variant_files.values()), "xlsx", tmp_path_factory.mktemp("lo"))


@pytest.fixture(scope="session")
def variants_in_gnumeric(ssconvert: str, variant_files, tmp_path_factory) -> dict[str, Path]:
    """Each variant recalculated (ssconvert --recalc) and saved as xlsx by Gnumeric."""
    out = tmp_path_factory.mktemp("gnumeric")
    return {name: testing.gnumeric_convert(path, "xlsx", out) for name, path in variant_files.items()}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test marked with a program (``libreoffice``, ``writer``, ``uno``, ``gnumeric``,
    ``browser``, ``poppler``: the markers pyproject.toml declares) skips when that program's
    guard (tests/support/programs.py) says it is missing, naming what to install."""
    for name in programs.PROGRAMS:
        marked = [item for item in items if item.get_closest_marker(name) is not None]
        why = programs.missing(name) if marked else None
        for item in marked if why is not None else ():
            item.add_marker(pytest.mark.skip(reason=why))
