"""What a plain (non-editable) wheel of dv holds: the package with its sub-packages, the default
form, the portal's pages; and nothing of the tests (their helpers live under ``tests/support``).
And that it works once installed: a fresh virtual environment, the wheel alone installed in it,
``dv serve`` answers the portal's pages (issue 17 item 17)."""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Never part of a build: a stale build/ folder would put old modules into the wheel.
_NOT_SOURCES = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "out", ".*cache*")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from a clean copy of the sources."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "src"
    shutil.copytree(ROOT, source, ignore=_NOT_SOURCES)
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(tmp / "dist")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if build.returncode != 0:
        pytest.skip(f"cannot build a wheel here (needs setuptools from the package index): {build.stderr[-300:]}")
    assert "absent from the `packages` configuration" not in build.stderr, build.stderr
    (built,) = (tmp / "dist").glob("dv-*.whl")
    return built


@pytest.fixture(scope="module")
def wheel_names(wheel: Path) -> set[str]:
    return set(zipfile.ZipFile(wheel).namelist())


def test_the_wheel_holds_the_form_definitions_and_the_cli(wheel_names):
    names = wheel_names
    forms = {p.name for p in (ROOT / "workbook_templates").glob("*.toml")}
    assert {f"workbook_templates/{name}" for name in forms} <= names
    assert {
        "toolkit/cli.py",
        "toolkit/form/loader.py",
        "toolkit/intake/check.py",
        "workbook_templates/__init__.py",
    } <= names
    # The portal (dv serve): its pages and style sheet ship with its code.
    pages = {f"toolkit/web/templates/{p.name}" for p in (ROOT / "toolkit" / "web" / "templates").glob("*.html")}
    assert pages and pages <= names
    assert {"toolkit/web/app.py", "toolkit/web/static/style.css"} <= names


def test_every_module_of_the_package_is_in_the_wheel(wheel_names):
    modules = {str(p.relative_to(ROOT)) for p in (ROOT / "toolkit").rglob("*.py") if "__pycache__" not in p.parts}
    assert modules <= wheel_names


def test_the_wheel_holds_no_test_code(wheel_names):
    # Only the package, the forms and the wheel's own metadata: no tests/, no helpers of them, no
    # benchmark, sample or script.
    tops = {name.split("/", 1)[0] for name in wheel_names}
    assert tops == {"toolkit", "workbook_templates", "dv-0.1.0.dist-info"}, tops
    assert not [n for n in wheel_names if "test" in n.rsplit("/", 1)[-1].lower()]


def test_the_wheel_declares_the_dv_command(wheel, wheel_names):
    entry = next(n for n in wheel_names if n.endswith("entry_points.txt"))
    assert "dv = toolkit.cli:run" in zipfile.ZipFile(wheel).read(entry).decode()


def test_the_installed_wheel_serves_the_portal(wheel, tmp_path):
    """The wheel installed into a fresh virtual environment (its dependencies from this one's
    site-packages, where the editable dv is not importable: only a .pth of the folder), run
    from a folder outside the sources: ``dv serve`` answers ``/`` and its style sheet, the
    package data the portal needs."""
    from tests.support.portal import free_port

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=300)
    python = venv / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr
    assert "absent from the `packages` configuration" not in install.stderr, install.stderr
    (purelib,) = [p for p in (venv / "lib").glob("python3*/site-packages")]
    (purelib / "dv-test-dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    where = subprocess.run(
        [str(python), "-c", "import toolkit, workbook_templates; print(toolkit.__file__)"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert where.stdout.strip().startswith(str(purelib)), where.stdout + where.stderr
    dv = [str(venv / "bin" / "dv"), "serve", "--data", str(tmp_path / "data")]
    env = {**os.environ, "DV_PASSWORD": "mat-khau-cua-so"}
    subprocess.run([*dv, "--set-password"], cwd=cwd, env=env, check=True, capture_output=True, timeout=60)
    port = free_port()
    units = ROOT / "samples" / "units.csv"
    proc = subprocess.Popen(
        [*dv, "--units", str(units), "--port", str(port)],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(200):
            try:
                home = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        else:
            proc.kill()
            pytest.fail(proc.stdout.read().decode())
        assert home.status == 200 and "Cổng nộp phụ lục số liệu" in home.read().decode("utf-8")
        style = urllib.request.urlopen(f"http://127.0.0.1:{port}/static/style.css", timeout=5)
        assert style.status == 200 and b".unit_valid" in style.read()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
