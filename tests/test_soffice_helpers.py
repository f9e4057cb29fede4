"""tests.support.testing's LibreOffice helpers on a busy machine: another soffice running, a run
that could not load its source, an output left over from an earlier run."""

from __future__ import annotations

import concurrent.futures
from pathlib import Path

import pytest

from tests.support import testing
from tests.support.testing import SEED, SEED_DOCS, fill_template, libreoffice_convert


@pytest.fixture
def seed_file(template_bytes, tmp_path) -> Path:
    fill_template(template_bytes, SEED, SEED_DOCS, out=tmp_path / "seed.xlsx")
    return tmp_path / "seed.xlsx"


@pytest.mark.libreoffice
def test_a_run_that_could_not_load_its_source_is_tried_again(seed_file, tmp_path, monkeypatch):
    real, calls = testing._soffice_run, []

    def flaky(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:  # what soffice said while another LibreOffice held the machine
            return "exit 0: Error: source file could not be loaded"
        return real(*args, **kwargs)

    monkeypatch.setattr(testing, "_soffice_run", flaky)
    monkeypatch.setattr(testing.time, "sleep", lambda s: None)
    out = libreoffice_convert(seed_file, "xlsx", tmp_path / "out")
    assert len(calls) == 2 and out.stat().st_size > 0


def test_an_output_left_from_an_earlier_run_is_not_taken_for_this_one(seed_file, tmp_path, monkeypatch):
    monkeypatch.setattr(testing, "soffice", lambda: "/usr/bin/true")
    monkeypatch.setattr(testing, "_soffice_run", lambda *a, **k: "exit 0: ")
    monkeypatch.setattr(testing.time, "sleep", lambda s: None)
    stale = tmp_path / "out" / "seed.xlsx"
    stale.parent.mkdir()
    stale.write_bytes(b"from yesterday")
    with pytest.raises(RuntimeError, match="LibreOffice failed"):
        libreoffice_convert(seed_file, "xlsx", tmp_path / "out")
    assert not stale.exists()


def test_a_run_that_times_out_every_time_says_so(seed_file, tmp_path, monkeypatch):
    import subprocess

    def slow(*args, **kwargs):
        raise subprocess.TimeoutExpired("soffice", kwargs.get("timeout", 1))

    monkeypatch.setattr(testing, "soffice", lambda: "/usr/bin/true")
    monkeypatch.setattr(testing, "_soffice_run", slow)
    monkeypatch.setattr(testing.time, "sleep", lambda s: None)
    with pytest.raises(RuntimeError, match="timed out"):
        libreoffice_convert(seed_file, "pdf", tmp_path / "out", timeout=1)


@pytest.mark.libreoffice
def test_conversions_at_the_same_time_each_get_their_file(seed_file, tmp_path):
    copies = []
    for i in range(3):
        copies.append(tmp_path / f"copy{i}.xlsx")
        copies[-1].write_bytes(seed_file.read_bytes())
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        outs = list(pool.map(lambda p: libreoffice_convert(p, "pdf", tmp_path / "pdf", recalc=False), copies))
    assert [o.name for o in outs] == ["copy0.pdf", "copy1.pdf", "copy2.pdf"]
    assert all(o.read_bytes().startswith(b"%PDF") for o in outs)
