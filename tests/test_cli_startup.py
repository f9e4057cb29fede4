"""`dv --help` stays fast: the command line imports no heavy module at startup."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("pandas", "openpyxl", "xlsxwriter", "python_calamine", "docx", "numpy")


def test_importing_the_cli_imports_no_heavy_module():
    code = f"import sys, toolkit.cli; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_help_of_each_command_runs_without_heavy_imports():
    for args in (
        ["--help"],
        ["merge", "--help"],
        ["check", "--help"],
        ["make-template", "--help"],
        ["serve", "--help"],
        ["form", "--help"],
        ["form", "export", "--help"],
        ["form", "check", "--help"],
        ["roll-up", "--help"],
    ):
        code = (
            f"import sys\nfrom toolkit.cli import app\ntry:\n    app({args!r})\nexcept SystemExit:\n    pass\n"
            f"print('HEAVY:' + ','.join(m for m in {HEAVY!r} if m in sys.modules))"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        assert out.strip().endswith("HEAVY:"), (args, out[-200:])


def test_serve_without_the_web_extra_says_so(tmp_path):
    # A None entry in sys.modules makes `import starlette` raise ImportError, as if the
    # [web] extra were not installed.
    code = (
        "import sys\nsys.modules['starlette'] = None\nfrom toolkit.cli import app\n"
        f"app(['serve', '--lang', 'en', '--data', {str(tmp_path)!r}])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 2, done.stderr[-500:]
    assert "The portal needs the web libraries: pip install 'dv[web]'" in done.stderr
    assert "unexpected" not in done.stderr.lower()
