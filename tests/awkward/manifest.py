"""The list of awkward and hostile workbooks in ``tests/awkward/files/`` (see README.md).

From a test module (``tests`` is a package; the repository's root is on ``sys.path``)::

    from tests.awkward.manifest import FILES, load_manifest

    @pytest.mark.parametrize("entry", load_manifest(), ids=lambda e: e["name"])
    def test_reader_outcome(entry): ...
"""

from __future__ import annotations

import tomllib
import zipfile
from pathlib import Path
from typing import Any

__all__ = ["HERE", "FILES", "MANIFEST", "CATEGORIES", "load_manifest", "crashing_file"]

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"
MANIFEST = HERE / "MANIFEST.toml"
CATEGORIES = ("ok", "rejected", "ignored")


def load_manifest(category: str | None = None) -> list[dict[str, Any]]:
    """Every file of the manifest (in its order) as a dict: ``name``, ``category``, ``what``,
    ``rules`` (form rule ids expected), ``expect`` (in words), ``source``, ``size``, ``sha256``,
    optional ``unit_code``; plus ``path`` (absolute). ``category`` keeps only that category."""
    if category is not None and category not in CATEGORIES:
        raise ValueError(f"category {category!r} is not one of {CATEGORIES}")
    with MANIFEST.open("rb") as fh:
        data = tomllib.load(fh)
    entries = []
    for raw in data.get("file", []):
        entry = dict(raw)
        entry.setdefault("unit_code", "")
        entry.setdefault("rules", [])
        entry.setdefault("expect", "")
        entry["path"] = FILES / entry["name"]
        if category is None or entry["category"] == category:
            entries.append(entry)
    return entries


def crashing_file(folder: Path, name: str = "crash.xlsx") -> Path:
    """A cell at XFD1048576 and no <dimension> to refuse it early: python-calamine aborts its
    whole process allocating the sheet (huge-dimension.xlsx with its declaration removed)."""
    out = folder / name
    with zipfile.ZipFile(FILES / "huge-dimension.xlsx") as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                start = text.index("<dimension")
                data = (text[:start] + text[text.index("/>", start) + 2 :]).encode("utf-8")
            dst.writestr(info.filename, data)
    return out
