"""Where an entry of a form definition is, in the author's words.

A definition reaches the loader as one neutral structure (the dict ``tomllib`` gives, whichever
file it came from); every entry of it has a *path* (``("rules", 6, "expr")``). A :class:`Source`
turns a path into what the author can find: an entry of the TOML text
(``rules[6] (don_sum).expr``), or a cell of the form workbook (``Quy tắc!B8``). The loader's
checks are written once, against paths; only the naming differs.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from ..messages import Localized, phrase

__all__ = ["Path", "Source", "TomlSource", "BookSource", "generic", "close_matches", "close_phrase"]

Path = tuple[str | int, ...]


def close_matches(name: str, known: Iterable[str], n: int = 3) -> list[str]:
    """The known names a misspelt ``name`` may have meant (don_tong → don_thu_tong): the closest,
    and those about as close (tong_x → tong_a, tong_b), never a far second."""
    scored = sorted(
        ((difflib.SequenceMatcher(None, name, k).ratio(), k) for k in set(known)), key=lambda x: (-x[0], x[1])
    )
    best = scored[0][0] if scored else 0.0
    return [k for ratio, k in scored[:n] if ratio >= 0.6 and ratio >= best - 0.05]


def close_phrase(name: str, known: Iterable[str], key: str = "def.close") -> Localized:
    """ "; các mã gần giống: …" for a message, or nothing when no known name is close."""
    matches = close_matches(name, known)
    return phrase(key, names=", ".join(matches)) if matches else Localized("")


def generic(path: Path) -> Path:
    """The path with list positions as ``"*"``: what kind of entry it is."""
    return tuple("*" if isinstance(p, int) else p for p in path)


class Source:
    """Names the entries of one definition (a file) for messages."""

    kind = ""

    def __init__(self, name: str) -> None:
        self.name = name

    def locate(self, path: Path) -> tuple[str, str, str]:
        """(where, sheet, cell) of the entry at ``path``: ``where`` is what a message shows."""
        raise NotImplementedError

    def describe(self, path: Path) -> Localized:
        """What the entry at ``path`` is (for "thiếu …": a key, a column, a row)."""
        raise NotImplementedError

    def silenced(self, path: Path) -> bool:
        """Whether a missing value at ``path`` was already said another way (its column's heading)."""
        return False

    def key_name(self, path: Path) -> str:
        """The key at the end of ``path`` as the author typed it (TOML: the key in its table)."""
        return str(path[-1])


class TomlSource(Source):
    """The TOML text: entries named as TOML writes them, with the code or id of list items."""

    kind = "toml"

    def __init__(self, name: str, data: Mapping[str, Any]) -> None:
        super().__init__(name)
        self.data = data

    def locate(self, path: Path) -> tuple[str, str, str]:
        return self.entry(path), "", ""

    def entry(self, path: Path) -> str:
        if not path:
            return self.name
        first, rest = path[0], list(path[1:])
        node: Any = self.data.get(first) if isinstance(self.data, Mapping) else None
        if first == "tables" and rest and isinstance(rest[0], str):
            out = f"[tables.{rest[0]}]"
            node = node.get(rest[0]) if isinstance(node, Mapping) else None
            rest = rest[1:]
        elif first in ("sections", "rules"):
            out = str(first)  # arrays of tables: sections[2], rules[0]
        else:
            out = f"[{first}]"
        for part in rest:
            if isinstance(part, int):
                node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
                out += f"[{part}]"
                name = node.get("code", node.get("id")) if isinstance(node, Mapping) else None
                if isinstance(name, str) and name:
                    out += f" ({name})"
            else:
                node = node.get(part) if isinstance(node, Mapping) else None
                out += f".{part}"
        return out

    def describe(self, path: Path) -> Localized:
        return phrase("def.what.key", name=str(path[-1]) if path else "")


class BookSource(Source):
    """The form workbook: an entry is the cell it was read from (or would be read from: an empty
    cell of its row and column), else the nearest enclosing one (its row, its sheet)."""

    kind = "book"

    def __init__(
        self,
        name: str,
        cells: Mapping[Path, tuple[str, str]],
        describe: Callable[[Path], Localized],
        silent: Collection[Path] = (),
    ) -> None:
        super().__init__(name)
        self.cells = cells
        self._describe = describe
        self._silent = silent

    def locate(self, path: Path) -> tuple[str, str, str]:
        for n in range(len(path), -1, -1):
            found = self.cells.get(path[:n])
            if found is not None:
                sheet, cell = found
                return (f"{sheet}!{cell}" if cell else sheet), sheet, cell
        return self.name, "", ""

    def describe(self, path: Path) -> Localized:
        return self._describe(path)

    def silenced(self, path: Path) -> bool:
        return path in self._silent

    def key_name(self, path: Path) -> str:
        """A setting's key is typed whole in its row's first cell: form.year, not year."""
        return ".".join(str(p) for p in path)
