"""Faults around a round: a killed run, a full disk, an unwritable folder, a reader that
crashes, a file saved again while it is read. The outputs on disk stay one consistent set
(all new or all old), no temporary file stays, and nothing of dv keeps running."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.awkward.manifest import crashing_file
from tests.support import disks
from tests.support.domain import appendix, check, errors, filled, form
from toolkit import fsutil
from toolkit.cli import app
from toolkit.intake import check_files

REPO = Path(__file__).resolve().parent.parent
AWKWARD = REPO / "tests" / "awkward" / "files"


@pytest.fixture(autouse=True)
def vietnamese_by_default(monkeypatch):
    monkeypatch.delenv("DV_LANG", raising=False)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".~dv-*"))


def dead_pid() -> int:
    """The PID of a process that has just ended."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


# -- 1. workers die with dv, whatever kills it ------------------------------------------------------


def children_of(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its exit status waits to be collected


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM, signal.SIGHUP])
def test_a_merge_killed_while_reading_leaves_no_worker_running(tmp_path, signum):
    """SIGKILL, SIGTERM or SIGHUP to ``dv merge`` while its workers read: every worker ends
    with it, and whoever reads dv's output gets its end (no worker holds the pipe open)."""
    one = filled(tmp_path, "STTTT.xlsx")
    folder = tmp_path / "nop-ve"
    folder.mkdir()
    for i in range(1500):
        (folder / f"STTTT-{i:04d}.xlsx").symlink_to(one)
    proc = subprocess.Popen(
        [sys.executable, "-m", "toolkit.cli", "merge", str(folder), "-o", str(tmp_path / "t.xlsx")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
    )
    workers: set[int] = set()
    deadline = time.monotonic() + 60
    while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
        workers |= children_of(proc.pid)
        time.sleep(0.01)
    assert len(workers) >= 2, "the merge ended before its workers were seen"
    proc.send_signal(signum)
    try:
        out, err = proc.communicate(timeout=30)  # hangs while a worker keeps the pipes open
    except subprocess.TimeoutExpired:
        proc.kill()
        for pid in workers:
            if running(pid):
                os.kill(pid, signal.SIGKILL)
        pytest.fail("dv's output stayed open after it was killed: a worker still held it")
    deadline = time.monotonic() + 10
    while any(running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    alive = [pid for pid in workers if running(pid)]
    for pid in alive:
        os.kill(pid, signal.SIGKILL)
    assert alive == []
    assert not (tmp_path / "t.xlsx").exists() and leftovers(tmp_path) == []
    if signum != signal.SIGKILL:  # the same clean stop as Ctrl+C: said, exit 128 + the signal
        text = err.decode("utf-8")
        assert proc.returncode == 128 + signum and "Traceback" not in text
        assert f"Đã dừng ({signal.Signals(signum).name})" in text and "Không tệp kết quả nào được ghi" in text


# -- 2. the outputs are replaced as a set ---------------------------------------------------------------


@pytest.fixture
def last_round(tmp_path):
    """A folder of submissions, and last run's summary, JSON and Word appendix."""
    folder = tmp_path / "nop-ve"
    folder.mkdir()
    filled(folder, "STTTT.xlsx")
    outputs = [tmp_path / "tong-hop.xlsx", tmp_path / "bao-cao.json", tmp_path / "phu-luc.docx"]
    args = ["merge", str(folder), "-o", str(outputs[0]), "--json", str(outputs[1]), "--docx", str(outputs[2])]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    filled(folder, "STTTT.xlsx", appendix(dvc_total=50, dvc_level4=40))  # this round's figures
    return args + ["--force"], outputs


def contents(paths: list[Path]) -> list[bytes]:
    return [p.read_bytes() for p in paths]


def test_a_full_disk_while_writing_the_outputs_leaves_all_of_last_runs(tmp_path, last_round, monkeypatch):
    args, outputs = last_round
    before = contents(outputs)
    real_fsync, calls = os.fsync, []

    def full_on_the_third(fd):
        calls.append(fd)
        if len(calls) == 3:  # the summary and the JSON are written, the Word appendix is not
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr("toolkit.fsutil.os.fsync", full_on_the_third)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "ổ đĩa đã hết chỗ trống" in result.output and "Không tệp kết quả nào được ghi" in result.output
    assert contents(outputs) == before
    assert leftovers(tmp_path) == []


def test_a_failure_while_putting_the_outputs_in_place_puts_the_old_ones_back(tmp_path, last_round, monkeypatch):
    args, outputs = last_round
    before = contents(outputs)
    real_replace = os.replace

    def locked_docx(src, dst):
        if str(dst).endswith("phu-luc.docx"):
            raise PermissionError(errno.EACCES, "Permission denied", str(dst))  # open in Word
        real_replace(src, dst)

    monkeypatch.setattr("toolkit.fsutil.os.replace", locked_docx)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "phu-luc.docx" in result.output and "Không tệp kết quả nào được ghi" in result.output
    assert contents(outputs) == before
    assert leftovers(tmp_path) == []


def test_all_outputs_are_new_together(tmp_path, last_round):
    args, outputs = last_round
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads(outputs[1].read_text())["totals"]["dvc_total"] == 50
    assert leftovers(tmp_path) == []


# -- 3. temporaries a killed run left are removed, never read -------------------------------------------


def test_a_later_run_removes_the_temporaries_of_a_killed_one_and_reads_none(tmp_path):
    folder = tmp_path / "nop-ve"
    folder.mkdir()
    filled(folder, "STTTT.xlsx")
    host = fsutil._HOST
    gone = folder / f".~dv-{host}-{dead_pid()}-0123abcd.xlsx"  # this computer, a process that ended
    gone.write_bytes((folder / "STTTT.xlsx").read_bytes())
    old = folder / ".~dv-k3j4h5g6.json"  # an earlier version's name, two hours old
    old.write_text("{}")
    os.utime(old, (time.time() - 7200,) * 2)
    live = folder / f".~dv-{host}-{os.getpid()}-89abcdef.docx"  # a run still writing
    live.write_bytes(b"...")
    result = CliRunner().invoke(
        app, ["merge", str(folder), "-o", str(folder / "t.xlsx"), "--json", str(folder / "t.json")]
    )
    assert result.exit_code == 0, result.output
    assert "Đã xóa 2 tệp tạm" in result.output
    assert not gone.exists() and not old.exists() and live.exists()
    files = json.loads((folder / "t.json").read_text())["files"]
    status = {Path(f["path"]).name: f["status"] for f in files}
    assert status == {"STTTT.xlsx": "accepted", live.name: "ignored"}  # a hidden file, never a submission


# -- 4. an output that cannot be written is found before reading ----------------------------------------


def test_an_unwritable_output_folder_is_found_before_reading_anything(tmp_path, monkeypatch):
    folder = tmp_path / "nop-ve"
    folder.mkdir()
    filled(folder, "STTTT.xlsx")
    (tmp_path / "ro").mkdir()
    real_open = os.open

    def read_only(path, flags, *args):
        if str(path).startswith(str(tmp_path / "ro")) and flags & os.O_CREAT:
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args)

    def never(*_args, **_kwargs):
        raise AssertionError("read the submissions before knowing the output can be written")

    monkeypatch.setattr("toolkit.fsutil.os.open", read_only)
    monkeypatch.setattr("toolkit.merger.check_files", never)
    result = CliRunner().invoke(
        app, ["merge", str(folder), "-o", str(tmp_path / "t.xlsx"), "--json", str(tmp_path / "ro" / "t.json")]
    )
    assert result.exit_code == 2
    assert str(tmp_path / "ro") in result.output and "chỉ cho phép đọc" in result.output
    assert not (tmp_path / "t.xlsx").exists()


# -- 5. make-template --units on a full disk ------------------------------------------------------------


def test_templates_for_every_unit_on_a_full_disk_write_none_and_a_retry_completes(tmp_path, roster_path, monkeypatch):
    out = tmp_path / "bieu-mau"
    real_fsync, calls = os.fsync, []

    def full_on_the_eighth(fd):
        calls.append(fd)
        if len(calls) == 8:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr("toolkit.fsutil.os.fsync", full_on_the_eighth)
    result = CliRunner().invoke(app, ["make-template", "--units", str(roster_path), "-o", str(out)])
    assert result.exit_code == 2
    assert "ổ đĩa đã hết chỗ trống" in result.output and "Không tệp kết quả nào được ghi" in result.output
    assert not out.exists()  # the folder it created is gone again: nothing half made
    monkeypatch.setattr("toolkit.fsutil.os.fsync", real_fsync)
    result = CliRunner().invoke(app, ["make-template", "--units", str(roster_path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert len(list(out.glob("*.xlsx"))) == 29 and leftovers(out) == []


# -- 6. a reader crash costs one file, not the pool -----------------------------------------------------


def test_files_that_kill_their_reader_cost_a_process_start_each_not_a_round(tmp_path, monkeypatch):
    """Before: after the first crash every file not yet read was read again one process at a
    time (200 files, one in ten crashing: 12.5 s instead of 2.1 s). Now the files a worker had
    not started are given back to the pool: a crashing file costs its worker and one retry
    alone, and the other files are each read once."""
    import multiprocessing.process

    one = filled(tmp_path, "STTTT.xlsx")
    crash = crashing_file(tmp_path)
    folder = tmp_path / "nop-ve"
    folder.mkdir()
    paths = []
    for i in range(40):
        path = folder / f"{i:02d}.xlsx"
        path.symlink_to(crash if i % 10 == 9 else one)
        paths.append(path)
    started = []
    real_start = multiprocessing.process.BaseProcess.start

    def counted(self):
        started.append(self)
        real_start(self)

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", counted)
    reports = check_files(paths, form(), jobs=2)
    assert [r.status for r in reports] == ["rejected" if i % 10 == 9 else "accepted" for i in range(40)]
    assert all([i.code for i in r.issues] == ["file-unreadable"] for r in reports if r.status == "rejected")
    assert len(started) <= 2 + 4  # the two workers, and one replacement per crashing file


def test_a_worker_killed_from_outside_has_its_file_read_again_alone(tmp_path, monkeypatch):
    """The system short of memory, or someone, kills a worker: not the file's fault. It is
    read again, alone, in a new worker, and accepted."""
    import toolkit.intake.workers

    one = filled(tmp_path, "STTTT.xlsx")
    marker = tmp_path / "killed-once"
    real_work = toolkit.intake.workers._work

    def killed_once(job):
        if Path(job[0]).name == "03.xlsx" and not marker.exists():
            marker.write_text("")
            os.kill(os.getpid(), signal.SIGKILL)
        return real_work(job)

    monkeypatch.setattr(toolkit.intake.workers, "_work", killed_once)
    paths = []
    for i in range(8):
        paths.append(tmp_path / f"{i:02d}.xlsx")
        paths[-1].symlink_to(one)
    reports = check_files(paths, form(), jobs=2)
    assert marker.exists() and [r.status for r in reports] == ["accepted"] * 8


# -- 8. two inputs never share an annotated copy; hash and figures of the same bytes --------------------


def test_annotating_seed_xlsx_and_seed_xlsm_writes_two_copies(tmp_path):
    for name in ("seed.xlsx", "seed.xlsm"):
        (tmp_path / name).write_bytes((AWKWARD / name).read_bytes())
    result = CliRunner().invoke(app, ["check", "--annotate", str(tmp_path / "seed.xlsx"), str(tmp_path / "seed.xlsm")])
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in tmp_path.iterdir() if "kiem-tra" in p.name)
    assert written == ["seed.kiem-tra.xlsx", "seed.xlsm.kiem-tra.xlsx"]
    assert "Đã có tệp" not in result.output


def test_a_folder_where_the_file_without_extension_comes_first_annotates_it_and_refuses_the_namesake(tmp_path):
    # "seed" sorts before "seed.xlsx": the extension-less file is annotated (openpyxl is given
    # its bytes, not its name), and the namesake is refused without stopping the run.
    filled(tmp_path, "seed", appendix(cut_total=9))
    (tmp_path / "seed.xlsx").write_bytes((AWKWARD / "wrong-total.xlsx").read_bytes())
    (tmp_path / "other.xlsx").write_bytes((AWKWARD / "wrong-total.xlsx").read_bytes())
    result = CliRunner().invoke(app, ["check", "--annotate", str(tmp_path)])
    assert result.exit_code == 1 and "unexpected" not in result.output and "bất ngờ" not in result.output
    assert "trùng tên với bản của" in result.output
    written = sorted(p.name for p in tmp_path.iterdir() if "kiem-tra" in p.name)
    assert written == ["other.kiem-tra.xlsx", "seed.kiem-tra.xlsx"]


def test_a_file_that_gets_no_copy_does_not_claim_its_name(tmp_path):
    # "seed" is an unfilled template (an issue of the file, no cell to mark): seed.xlsx gets the name.
    (tmp_path / "seed").write_bytes((AWKWARD / "unfilled-template.xlsx").read_bytes())
    (tmp_path / "seed.xlsx").write_bytes((AWKWARD / "wrong-total.xlsx").read_bytes())
    result = CliRunner().invoke(app, ["check", "--annotate", str(tmp_path / "seed"), str(tmp_path / "seed.xlsx")])
    assert "trùng tên với bản của" not in result.output
    assert (tmp_path / "seed.kiem-tra.xlsx").exists()


def test_an_xls_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    from toolkit.intake.safety import LIMITS

    big = tmp_path / "big.xls"
    big.write_bytes((AWKWARD / "seed-libreoffice.xls").read_bytes())
    os.truncate(big, LIMITS.max_file + 1)  # sparse: no 50 MB written
    report = check(big)
    assert errors(report) == {("file-unsafe", "")} and "50 MB" in report.errors[0].message


def test_an_input_without_extension_never_overwrites_the_copy_of_its_xlsx_namesake(tmp_path):
    (tmp_path / "seed.xlsx").write_bytes((AWKWARD / "seed.xlsx").read_bytes())
    filled(tmp_path, "seed", appendix(cut_total=9))
    result = CliRunner().invoke(
        app, ["check", "--annotate", "--force", str(tmp_path / "seed.xlsx"), str(tmp_path / "seed")]
    )
    assert "trùng tên với bản của" in result.output and "seed.kiem-tra.xlsx" in result.output
    written = sorted(p.name for p in tmp_path.iterdir() if "kiem-tra" in p.name)
    assert written == ["seed.kiem-tra.xlsx"]
    import openpyxl

    total = form().field("cut_total")
    copy = openpyxl.load_workbook(tmp_path / "seed.kiem-tra.xlsx")
    assert copy[total.sheet][total.cell].value == 8  # seed.xlsx's copy, not the wrong file's (9)


def test_a_file_saved_again_while_it_is_read_is_reported_with_the_hash_of_what_was_read(tmp_path, monkeypatch):
    import toolkit.intake.readers

    path = filled(tmp_path, "STTTT.xlsx")
    first = path.read_bytes()
    second = filled(tmp_path / "..", "STTTT-2.xlsx", appendix(dvc_total=50, dvc_level4=40)).read_bytes()
    real_read = toolkit.intake.readers.read_raw

    def saved_meanwhile(source, fmt, the_form):
        path.write_bytes(second)  # the clerk saves the workbook again while dv reads it
        return real_read(source, fmt, the_form)

    monkeypatch.setattr(toolkit.intake.readers, "read_raw", saved_meanwhile)
    report = check(path)
    assert report.sha256 == hashlib.sha256(first).hexdigest()
    assert report.values["dvc_total"] == 37  # the figures of the bytes hashed


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SIGKILL of a real process")
def test_a_merge_killed_while_writing_leaves_old_outputs_and_the_next_run_cleans_up(tmp_path, last_round):
    """``kill -9`` between the first temporary file and the renames: last run's three files
    stay as they were; the temporaries left are removed by the next run, which writes a new set."""
    args, outputs = last_round
    before = contents(outputs)
    for _attempt in range(10):
        proc = subprocess.Popen(
            [sys.executable, "-m", "toolkit.cli", *args], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        while proc.poll() is None and not leftovers(tmp_path):
            time.sleep(0.0005)
        proc.kill()
        proc.wait()
        if leftovers(tmp_path):
            break
        # finished before the kill: put last run's files back and try again
        for path, data in zip(outputs, before, strict=True):
            path.write_bytes(data)
    else:
        pytest.skip("the merge never was between writing and renaming when killed")
    now = contents(outputs)  # all old (killed before the renames), or all new (just after)
    assert now == before or all(a != b for a, b in zip(now, before, strict=True))
    assert all(fsutil._OURS.match(name) and f"-{proc.pid}-" in name for name in leftovers(tmp_path))
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "tệp tạm do một lần chạy dv bị dừng giữa chừng để lại" in result.output
    assert leftovers(tmp_path) == [] and json.loads(outputs[1].read_text())["totals"]["dvc_total"] == 50


@pytest.fixture
def small_disk(tmp_path):
    """A real 300 kB file system (tmpfs): needs the right to mount (root on Linux)."""
    with disks.small_disk(tmp_path / "o-nho", "300k") as mount:
        yield mount


def test_templates_for_every_unit_on_a_real_small_disk_leave_nothing(small_disk, roster_path):
    out = small_disk / "bieu-mau"
    result = CliRunner().invoke(app, ["make-template", "--units", str(roster_path), "-o", str(out)])
    assert result.exit_code == 2
    assert "ổ đĩa đã hết chỗ trống" in result.output and "Không tệp kết quả nào được ghi" in result.output
    assert list(small_disk.iterdir()) == []  # no template, no temporary, no folder


def test_a_merge_onto_a_real_full_disk_keeps_last_runs_set(tmp_path, small_disk):
    folder = tmp_path / "nop-ve"
    folder.mkdir()
    filled(folder, "STTTT.xlsx")
    outputs = [small_disk / "tong-hop.xlsx", small_disk / "bao-cao.json", small_disk / "phu-luc.docx"]
    args = ["merge", str(folder), "-o", str(outputs[0]), "--json", str(outputs[1]), "--docx", str(outputs[2])]
    assert CliRunner().invoke(app, args).exit_code == 0
    before = contents(outputs)
    free = os.statvfs(small_disk)
    filler = small_disk / "filler.bin"  # leave room for about half of a new set
    filler.write_bytes(b"\0" * max(0, free.f_bavail * free.f_frsize - sum(map(len, before)) // 2))
    filled(folder, "STTTT.xlsx", appendix(dvc_total=50, dvc_level4=40))
    result = CliRunner().invoke(app, [*args, "--force"])
    assert result.exit_code == 2, result.output
    assert "ổ đĩa đã hết chỗ trống" in result.output and "Không tệp kết quả nào được ghi" in result.output
    assert contents(outputs) == before
    assert leftovers(small_disk) == []
