"""The default form ships inside the package: a plain (non-editable) wheel holds it, and the
portal's page templates."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_holds_the_form_definitions_and_the_cli(tmp_path):
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if build.returncode != 0:
        pytest.skip(f"cannot build a wheel here (needs setuptools from the package index): {build.stderr[-300:]}")
    (wheel,) = tmp_path.glob("dv-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    forms = {p.name for p in (ROOT / "workbook_templates").glob("*.toml")}
    assert {f"workbook_templates/{name}" for name in forms} <= names
    assert {"toolkit/cli.py", "toolkit/form_loader.py", "workbook_templates/__init__.py"} <= names
    # The portal (dv serve): its pages and style sheet ship with its code.
    pages = {f"toolkit/web/templates/{p.name}" for p in (ROOT / "toolkit" / "web" / "templates").glob("*.html")}
    assert pages and pages <= names
    assert {"toolkit/web/app.py", "toolkit/web/static/style.css"} <= names
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "dv = toolkit.cli:run" in zipfile.ZipFile(wheel).read(entry).decode()
