"""Every ``dv …`` command the README shows works as written after ``make demo`` (issue 17 item
12), the way a new user types it: in a copy of the clone (its tracked files), with ``dv`` on the
PATH (``. .venv/bin/activate``), after the Makefile's demo and the README's own set-up lines
(``cp …``).

What counts as a command: every line of a ``sh`` or plain code block that starts with ``dv ``
(with its ``\\`` continuations), and every inline ``dv …`` span that names a file, a folder or a
value (``dv make-template --units units.csv --generic``, ``dv --help``); a span that only names
a command or an option (``dv merge``, ``dv check --annotate``) or holds a placeholder (``…``,
``FILE``, ``X.xlsx``, ``| head``) is a name, not a command. Each runs in a fresh copy of the
state after the demo, so no command depends on another's outputs. ``dv serve`` runs until it
answers, on a free port (``--port`` added), then is stopped.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support.portal import free_port

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent
ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "DV_PASSWORD": "mat-khau-cua-so"}
ENV.pop("DV_LANG", None)
# A placeholder, not something to type: "…", a pipe, a file named in capitals (X.xlsx,
# SUMMARY.xlsx), the usage words FILE, FOLDER, DIR, OUT.
_PLACEHOLDER = re.compile(r"…|\||^[A-Z]+\.\w+$|^(FILE|FOLDER|DIR|OUT)$")


def _command_words() -> set[str]:
    """The names of dv's commands and of their sub-commands (``form``, ``check``…): a span of
    only these names a command, it is not one to run."""
    import typer.main

    from toolkit.cli import app

    words: set[str] = set()
    stack = [typer.main.get_command(app)]
    while stack:
        group = stack.pop()
        for name, command in getattr(group, "commands", {}).items():
            words.add(name)
            stack.append(command)
    return words


_COMMAND_WORDS = _command_words()


def _blocks() -> list[tuple[int, str, str]]:
    """(position, language, text) of each fenced block."""
    fences = re.finditer(r"^[ \t]*```(\w*)\n(.*?)^[ \t]*```", README, re.M | re.S)
    return [(m.start(), m.group(1), m.group(2)) for m in fences]


def _joined(text: str) -> list[str]:
    """The block's lines, ``\\`` continuations joined, comments after two spaces dropped."""
    lines: list[str] = []
    for raw in text.replace("\\\n", " ").splitlines():
        line = re.split(r"\s{2,}#\s", raw, maxsplit=1)[0].strip()
        if line:
            lines.append(" ".join(line.split()))
    return lines


def setup_lines() -> list[str]:
    """The README's own set-up: the shell lines of its ``sh`` blocks that are not dv, make or
    the activation (``cp samples/units.csv units.csv …``, ``cp workbook_templates/… …``)."""
    out = []
    for _, lang, text in _blocks():
        if lang == "sh":
            out += [line for line in _joined(text) if line.startswith("cp ")]
    return out


def commands() -> list[str]:
    found: list[tuple[int, str]] = []
    fenced = [(start, start + len(text) + 10) for start, _, text in _blocks()]
    for start, lang, text in _blocks():
        if lang in ("sh", ""):
            found += [(start, line) for line in _joined(text) if line.startswith("dv ")]
    for m in re.finditer(r"`(dv [^`]+)`", README):
        if any(a <= m.start() < b for a, b in fenced):
            continue
        words = shlex.split(" ".join(m.group(1).split()))
        named = [w for w in words[1:] if not w.startswith("-") and w not in _COMMAND_WORDS]
        if words[1:] == ["--help"] or (named and not any(_PLACEHOLDER.search(w) for w in words)):
            found.append((m.start(), " ".join(m.group(1).split())))
    return list(dict.fromkeys(command for _, command in sorted(found)))


def demo_lines(target: str = "demo") -> list[str]:
    """The lines of the Makefile's ``demo`` target that make files — the dv lines and the shell's
    own (``mkdir``, ``cp``, ``rm``), in order — as ``make demo`` runs them, following a
    ``$(MAKE) demo-levels`` into that target's recipe."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    recipe = makefile.split(f"\n{target}:", 1)[1].split("\n\n", 1)[0]
    out = []
    for raw in recipe.splitlines()[1:]:
        line = " ".join(raw.split()).lstrip("@")
        if line.startswith("$(MAKE)"):
            out += demo_lines(line.split()[-1])
        elif "$(DV)" in line or line.startswith(("mkdir ", "cp ", "rm ")):
            out.append(line.replace("$(DV)", "dv").replace("$$", "$"))
    return out


def sh(command: str, cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=ENV, capture_output=True, text=True, timeout=timeout)


def _tracked() -> list[str]:
    """The clone's files: git's list, or (sources without .git) every file but the local ones."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True)
    if listed.returncode == 0:
        return [name for name in listed.stdout.decode("utf-8").split("\0") if name]
    local = {".git", ".venv", "out", "build", "dist", "__pycache__", ".pytest_cache", ".ruff_cache"}
    return [str(p.relative_to(ROOT)) for p in ROOT.rglob("*") if p.is_file() and not local & set(p.parts)]


@pytest.fixture(scope="module")
def after_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the clone's tracked files after ``make demo`` and the README's set-up lines."""
    clone = tmp_path_factory.mktemp("readme") / "dv"
    for name in _tracked():
        source = ROOT / name
        if source.is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, clone / name)
    (clone / "out").mkdir()
    for line in demo_lines():
        done = sh(line, clone)
        assert done.returncode == 0, (line, done.stdout, done.stderr)
    for line in setup_lines():
        done = sh(line, clone)
        assert done.returncode == 0, (line, done.stderr)
    return clone


def test_the_readme_shows_commands_and_how_to_put_dv_on_the_path():
    assert ". .venv/bin/activate" in README
    found = commands()
    assert len(found) >= 10, found
    assert any(c.startswith("dv serve") for c in found) and any("--use" in c for c in found)
    assert setup_lines(), "the README says how to make units.csv and nop-ve/"


@pytest.mark.parametrize("command", commands())
def test_every_readme_command_works_as_written_after_make_demo(after_demo, tmp_path, command):
    here = tmp_path / "dv"
    shutil.copytree(after_demo, here, symlinks=True)
    if command.startswith("dv serve") and "--set-password" not in command:
        port = free_port()
        proc = subprocess.Popen(
            ["bash", "-c", f"{command} --port {port}"],
            cwd=here,
            env=ENV,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            for _ in range(300):
                try:
                    page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
                    break
                except OSError:
                    if proc.poll() is not None:
                        pytest.fail(proc.stdout.read().decode())
                    time.sleep(0.1)
            else:
                pytest.fail(f"{command}: no answer")
            assert page.status == 200
        finally:
            os.killpg(proc.pid, 15)  # the shell and the dv it started: this test's own processes
            proc.wait(timeout=30)
        return
    done = sh(command, here)
    said = done.stdout + done.stderr
    # 0, or 1 when some file of the samples is rejected (two are, on purpose): never 2, never a traceback.
    assert done.returncode in (0, 1), (command, said)
    assert "Traceback" not in said and "lỗi không mong đợi" not in said, said
