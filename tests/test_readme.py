"""The README documents every command, option and issue code (sqlite-utils style)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from toolkit.cli import app
from toolkit.form import load_form
from toolkit.issues import CATALOGUE

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
GROUP = typer.main.get_command(app)
CTX = GROUP.context_class(GROUP, info_name="dv")
COMMANDS = GROUP.list_commands(CTX)


def test_there_are_commands():
    assert {"make-template", "check", "merge"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_and_is_documented(name):
    command = GROUP.get_command(CTX, name)
    assert command.help, f"{name} has no help text"
    assert f"### `dv {name}`" in README


def _leaves() -> list[tuple[str, object]]:
    """Every command as typed: ``make-template``…, and a group's own (``form export``)."""
    out = []
    for name in COMMANDS:
        command = GROUP.get_command(CTX, name)
        inner = getattr(command, "list_commands", None)
        if inner is None:
            out.append((name, command))
            continue
        sub = command.context_class(command, info_name=name, parent=CTX)
        out += [(f"{name} {leaf}", command.get_command(sub, leaf)) for leaf in inner(sub)]
    return out


@pytest.mark.parametrize(
    ("name", "option"),
    [
        (name, opt)
        for name, command in _leaves()
        for param in command.params
        for opt in getattr(param, "opts", [])
        if opt.startswith("--")
    ],
)
def test_every_option_is_documented(name, option):
    section = README.split(f"### `dv {name}`", 1)[1].split("###", 1)[0]
    assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", section), f"{option} of dv {name}"


@pytest.mark.parametrize("name", [name for name, _ in _leaves()])
def test_every_subcommand_has_help_and_is_documented(name):
    command = dict(_leaves())[name]
    assert command.help, f"{name} has no help text"
    assert f"### `dv {name}`" in README


@pytest.mark.parametrize(
    "code",
    [*CATALOGUE, *(r.id for r in load_form().rules), *(r.id for t in load_form().tables.values() for r in t.rules)],
)
def test_every_issue_code_is_in_the_table(code):
    assert f"| `{code}` |" in README


def test_generated_blocks_are_up_to_date():
    result = subprocess.run(
        [sys.executable, "-m", "scripts.readme_reference", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("picture", re.findall(r"\]\((docs/[^)]+\.png)\)", README))
def test_pictures_exist(picture):
    assert (ROOT / picture).is_file()


def test_readme_gives_the_two_commands_first():
    first = README.split("## ", 2)[1]
    assert "make demo" in first and "make test" in first


def test_how_it_works_has_a_line_for_every_module():
    tree = README.split("## How it works", 1)[1].split("```", 2)[1]
    modules = sorted(
        p for p in (ROOT / "toolkit").rglob("*.py") if "__pycache__" not in p.parts and p.name != "__init__.py"
    )
    missing = [str(p.relative_to(ROOT)) for p in modules if not re.search(rf"^\s+{re.escape(p.name)}\s", tree, re.M)]
    assert missing == []
