"""The package's modules import one another without a circle: each stage imports only the
stages before it (form → template; file → values → issues → merge → summary), and an import
circle is how that order silently breaks (``toolkit.form.loader`` imported first used to fail
halfway through ``toolkit.form``)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "toolkit"


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _module_level_imports(path: Path) -> set[str]:
    """The toolkit modules ``path`` imports when it is imported: top-level statements only
    (an import inside a function runs later, and ``if TYPE_CHECKING:`` never)."""
    name = _module(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("toolkit")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("toolkit"):
                continue
            out.add(target)
            for alias in node.names:  # "from . import rules" imports a module
                if PACKAGE.parent.joinpath(*f"{target}.{alias.name}".split(".")).with_suffix(".py").exists():
                    out.add(f"{target}.{alias.name}")
    return out - {name}


def _graph() -> dict[str, set[str]]:
    modules = {_module(p): p for p in PACKAGE.rglob("*.py")}
    return {name: {m for m in _module_level_imports(p) if m in modules} for name, p in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_module_of_the_package_imports_itself_through_another():
    assert _cycle(_graph()) is None


def test_the_circle_finder_finds_one():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


@pytest.mark.parametrize(
    "module",
    [
        "toolkit.form.loader",
        "toolkit.form.rules",
        "toolkit.intake.check",
        "toolkit.merger",
        "toolkit.intake",
        "toolkit.form",
    ],
)
def test_a_module_imported_first_in_a_fresh_interpreter_loads(module):
    done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
