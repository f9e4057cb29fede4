"""The package's modules import one another without a circle: each stage imports only the
stages before it (form → template; file → values → issues → merge → summary), and an import
circle is how that order silently breaks (``toolkit.form.loader`` imported first used to fail
halfway through ``toolkit.form``)."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "toolkit"


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The toolkit modules ``path`` imports: at its top level, and inside its functions too (an
    import inside a function runs later, but a circle through it is a circle all the same: the
    order of stages breaks, only later). ``if TYPE_CHECKING:`` blocks never run and are skipped."""
    name = _module(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
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
                candidate = PACKAGE.parent.joinpath(*f"{target}.{alias.name}".split("."))
                if candidate.with_suffix(".py").exists() or (candidate / "__init__.py").exists():
                    out.add(f"{target}.{alias.name}")
    return out - {name}


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node of ``tree`` but those inside ``if TYPE_CHECKING:``."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def _graph() -> dict[str, set[str]]:
    modules = {_module(p): p for p in PACKAGE.rglob("*.py")}
    return {name: {m for m in _imports(p) if m in modules} for name, p in modules.items()}


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


def test_imports_inside_functions_are_in_the_graph():
    # cli.py imports the library inside its commands (so that `dv --help` stays fast): those
    # edges are in the graph a circle is looked for in.
    graph = _graph()
    assert {"toolkit.merger", "toolkit.outputs", "toolkit.intake"} <= graph["toolkit.cli"]


def test_type_checking_imports_are_not():
    tree = ast.parse(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from toolkit import merger\n"
        "def f():\n    from toolkit import summary\n"
    )
    found = [n.names[0].name for n in _runtime_nodes(tree) if isinstance(n, ast.ImportFrom)]
    assert sorted(found) == ["TYPE_CHECKING", "summary"]
