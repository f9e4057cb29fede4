"""How long the form definition takes to read, as TOML and as the officer's form workbook
(issue 20): every command loads it once, and each worker process the portal spawns loads it
again from its path. The baseline is the packaged TOML read in the same process.

    .venv/bin/python benchmarks/bench_form.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from toolkit.form import load_form, load_form_file
from toolkit.form.build import build_form
from toolkit.form.export import export_form, form_data
from toolkit.form.where import TomlSource

ROOT = Path(__file__).resolve().parent.parent


def best(fn: Callable[[], object], repeat: int = 7) -> tuple[float, float]:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return min(runs), statistics.median(runs)


def main() -> int:
    form = load_form()
    print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        toml = Path(tmp) / "bieu-mau.toml"
        toml.write_bytes(export_form(form, "toml"))
        book = Path(tmp) / "bieu-mau.xlsx"
        book.write_bytes(export_form(form, "xlsx"))
        data = form_data(form)
        rows = [
            ("check and build the neutral structure (no file)", lambda: build_form(data, TomlSource("x", data))),
            ("load the TOML (read, check, build; packaged forms compared)", lambda: load_form_file(toml)),
            ("load the form workbook (.xlsx, python-calamine)", lambda: load_form_file(book)),
            ("export the form workbook (xlsxwriter)", lambda: export_form(form, "xlsx")),
            ("export the TOML text", lambda: export_form(form, "toml")),
        ]
        timed = [(name, *best(fn)) for name, fn in rows]
        base = timed[1][1]  # loading the TOML: what every command did before the workbook existed
        for name, low, median in timed:
            print(f"{name:62s} best {low * 1000:7.2f} ms  median {median * 1000:7.2f} ms  ({low / base:.2f} × TOML)")
        for label, args in (
            ("dv --help", ["--help"]),
            ("dv form check bieu-mau.toml", ["form", "check", str(toml)]),
            ("dv form check bieu-mau.xlsx", ["form", "check", str(book)]),
        ):
            cmd = [sys.executable, "-c", "from toolkit.cli import run; run()", *args]
            low, median = best(lambda cmd=cmd: subprocess.run(cmd, capture_output=True), repeat=5)
            print(f"{label:62s} best {low * 1000:7.0f} ms  median {median * 1000:7.0f} ms  (a process)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
