"""Regenerate the README's CLI reference and issue-code table from the code itself.

    .venv/bin/python -m scripts.readme_reference          # rewrite README.md in place
    .venv/bin/python -m scripts.readme_reference --check  # exit 1 if README.md is stale

The blocks live between ``<!-- BEGIN name -->`` and ``<!-- END name -->`` markers, so the
prose around them is kept. tests/test_readme.py runs the check.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import typer.main

from toolkit.cli import app
from toolkit.form import load_form
from toolkit.issues import CATALOGUE

README = Path(__file__).resolve().parent.parent / "README.md"


def cli_reference() -> str:
    group = typer.main.get_command(app)
    ctx = group.context_class(group, info_name="dv", terminal_width=100, max_content_width=100)
    out = ["```", group.get_help(ctx).strip(), "```", ""]
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        sub = command.context_class(command, info_name=name, parent=ctx, terminal_width=100, max_content_width=100)
        out += [f"### `dv {name}`", "", "```", command.get_help(sub).strip(), "```", ""]
        for inner in getattr(command, "list_commands", lambda _ctx: [])(sub):  # a group: dv form export, …
            leaf = command.get_command(sub, inner)
            leaf_ctx = leaf.context_class(leaf, info_name=inner, parent=sub, terminal_width=100, max_content_width=100)
            out += [f"### `dv {name} {inner}`", "", "```", leaf.get_help(leaf_ctx).strip(), "```", ""]
    return "\n".join(out)


def issue_table() -> str:
    form = load_form()
    rows = ["| code | severity | meaning | message (vi) |", "| --- | --- | --- | --- |"]
    for kind in CATALOGUE.values():
        message = kind.vi.replace("|", "\\|")
        rows.append(f"| `{kind.code}` | {kind.severity} | {kind.title} | {message} |")
    for table in form.tables.values():
        for rule in table.rules:
            rows.append(
                f"| `{rule.id}` | {rule.severity} | Row rule `{rule.expr.text}` (form definition) | "
                f"{rule.message.text.replace('|', chr(92) + '|')} |"
            )
    for rule in form.rules:
        rows.append(
            f"| `{rule.id}` | {rule.severity} | Rule `{rule.expr.text}` (form definition) | "
            f"{rule.message.text.replace('|', chr(92) + '|')} |"
        )
    return "\n".join(rows) + "\n"


BLOCKS = {"cli-reference": cli_reference, "issue-codes": issue_table}


def render(text: str) -> str:
    for name, make in BLOCKS.items():
        pattern = re.compile(rf"(<!-- BEGIN {name} -->\n).*?(<!-- END {name} -->)", re.S)
        if not pattern.search(text):
            raise SystemExit(f"README.md has no <!-- BEGIN {name} --> … <!-- END {name} --> block")
        text = pattern.sub(lambda m, make=make: m.group(1) + make() + m.group(2), text)
    return text


def main(argv: list[str]) -> int:
    current = README.read_text(encoding="utf-8")
    fresh = render(current)
    if "--check" in argv:
        if fresh != current:
            print("README.md is stale: run .venv/bin/python -m scripts.readme_reference")
            return 1
        return 0
    README.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
