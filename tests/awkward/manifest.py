"""The list of awkward and hostile workbooks in ``tests/awkward/files/`` (see README.md).

From a test module in ``tests/`` (pytest's default ``prepend`` import mode puts ``tests/`` on
``sys.path``, and ``tests/awkward/`` has no ``__init__.py``, so it imports as a namespace package)::

    from awkward.manifest import FILES, load_manifest

    @pytest.mark.parametrize("entry", load_manifest(), ids=lambda e: e["name"])
    def test_reader_outcome(entry): ...
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

__all__ = ["HERE", "FILES", "MANIFEST", "CATEGORIES", "load_manifest"]

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
