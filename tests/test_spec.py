"""docs/spec.md is the project's contract, and what the code, the tests and the README cite of
it exists: every ``docs/spec.md §N`` or ``§N.M`` names a heading of it. No reference is left to a
SPEC outside the repository."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC = (ROOT / "docs" / "spec.md").read_text(encoding="utf-8")
SECTIONS = set(re.findall(r"^#{2,3} (\d+(?:\.\d+)?)[. ]", SPEC, re.M))
CITATION = re.compile(r"docs/spec\.md §(\d+(?:\.\d+)?)")
TEXTS = (".py", ".md", ".toml", ".html", ".txt")


def _sources() -> list[Path]:
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    names = listed.stdout.splitlines() if listed.returncode == 0 else []
    if not names:  # not a git checkout: the tree itself
        names = [str(p.relative_to(ROOT)) for p in ROOT.rglob("*") if ".venv" not in p.parts]
    return [ROOT / n for n in names if n.endswith(TEXTS) and n != "docs/spec.md" and (ROOT / n).is_file()]


CITATIONS = sorted({(str(p.relative_to(ROOT)), m) for p in _sources() for m in CITATION.findall(p.read_text("utf-8"))})


def test_the_spec_has_its_sections():
    assert {str(n) for n in range(1, 12)} <= SECTIONS
    assert {"5.10", "5.11"} <= SECTIONS  # exit codes, the JSON


def test_there_are_citations():
    assert len(CITATIONS) >= 15


@pytest.mark.parametrize(("path", "section"), CITATIONS)
def test_every_cited_section_exists(path, section):
    assert section in SECTIONS, f"{path} cites docs/spec.md §{section}, which has no such heading"


def test_no_reference_to_a_spec_outside_the_repository():
    stale = [str(p.relative_to(ROOT)) for p in _sources() if re.search(r"\bSPEC (section|mục|§)", p.read_text("utf-8"))]
    assert stale == []
