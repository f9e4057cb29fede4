"""How long `dv make-template` takes: one generic template, and one per unit of a 30-unit
roster (the sample province's 28 units plus the generic one), as the CLI writes them.

    .venv/bin/python -m benchmarks.bench_template
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from toolkit.form import load_form
from toolkit.make import make_templates
from toolkit.template import build_template

ROOT = Path(__file__).resolve().parent.parent


def best(fn, repeat: int = 5) -> tuple[float, list[float]]:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return min(runs), runs


def main() -> int:
    form = load_form()
    roster = ROOT / "samples" / "units.csv"
    one, runs = best(lambda: build_template(form))
    print(
        f"build_template (generic, in memory): best {one * 1000:.0f} ms, median {statistics.median(runs) * 1000:.0f} ms"
    )
    with tempfile.TemporaryDirectory() as tmp:

        def generic() -> None:
            make_templates(form, output=Path(tmp) / "g.xlsx", force=True)

        def per_unit() -> None:
            make_templates(form, output=Path(tmp) / "units", roster_path=roster, force=True)

        g, _ = best(generic)
        many, runs = best(per_unit, repeat=3)
        files = len(list((Path(tmp) / "units").iterdir()))
    print(f"make-template, one generic file written: {g * 1000:.0f} ms")
    print(
        f"make-template --units (28 personalised + 1 generic = {files} files): best {many:.2f} s, "
        f"{many / files * 1000:.0f} ms a file"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
