"""The documented Python API works as documented (httpx's habit): every name of
``toolkit.__all__`` resolves to the object of the module that defines it, and the example in
``toolkit``'s docstring runs as written."""

from __future__ import annotations

import importlib
import inspect
import os
import textwrap
from pathlib import Path

import pytest

import toolkit

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", toolkit.__all__)
def test_every_exported_name_resolves_to_its_modules_object(name):
    obj = getattr(toolkit, name)
    home = importlib.import_module(toolkit._EXPORTS[name])
    assert obj is getattr(home, name)
    assert getattr(obj, "__module__", "").startswith("toolkit"), obj


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_thing"):
        toolkit.no_such_thing  # noqa: B018


def _docstring_example() -> str:
    doc = inspect.getdoc(toolkit) or ""
    block = doc.split("::", 1)[1]
    lines = []
    for line in block.splitlines()[1:]:
        if line and not line.startswith("    "):
            break
        lines.append(line)
    return textwrap.dedent("\n".join(lines)).strip()


def test_the_docstring_example_runs_as_written(monkeypatch):
    monkeypatch.chdir(ROOT)
    env: dict = {}
    exec(compile(_docstring_example(), "toolkit.__doc__", "exec"), env)  # noqa: S102 - our own docs
    assert isinstance(env["form"], toolkit.Form)
    assert isinstance(env["report"], toolkit.FileReport) and env["report"].status == toolkit.Status.ACCEPTED
    assert isinstance(env["result"], toolkit.MergeResult)
    assert all(isinstance(v, toolkit.Verdict) for v in env["result"].files)
    assert env["summary"][:2] == b"PK"
    assert len(env["result"].summary_frame()) == len(env["roster"].units)
    assert os.getcwd() == str(ROOT)
