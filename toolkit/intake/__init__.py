"""The intake of a file: what it really is (``sniff``), whether it is safe to open (``safety``,
``archive``), its raw cells (``readers``), its values read the Vietnamese way (``coerce``),
its issues (``validate``), one report per file (``check``), many files in worker processes
(``workers``).

The door: :func:`check_file` (one file → a :class:`~toolkit.issues.FileReport`) and
:func:`check_files` (many, in parallel, each in a worker a crash cannot escape).
"""

from __future__ import annotations

from .check import check_file
from .workers import check_files

__all__ = ["check_file", "check_files"]
