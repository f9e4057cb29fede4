"""Benchmark of the portal (``dv serve``) over loopback (not a test: it prints figures).

    .venv/bin/python -m benchmarks.bench_serve              # what ``make bench`` runs
    .venv/bin/python -m benchmarks.bench_serve --units 200  # a quicker board

A real ``dv serve`` (uvicorn, its worker processes) on 127.0.0.1, started as the officer
starts it, on a roster of ``--units`` units (default 1,000) with their workbooks made by the
shared generator (``tests.support.submissions``):

1. upload-to-result latency of one file at a time: POST the workbook through a unit's link,
   follow the redirect to the result page (``--single`` uploads; median and 95th percentile);
2. the same under load: 30 units uploading 3 files each, all at once (30 threads);
3. the board page with every unit and 3 submissions each (the database is filled with copies
   of real check results, then settled as uploads are);
4. the server's memory afterwards (resident set of the server process and of its workers).

Every loop is bounded; every request has a timeout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import httpx

from tests.support import submissions
from tests.support.portal import csrf_of, links, login, start_dv_serve
from toolkit.roster import Unit

SEED = 20201116


def files_for(units: list[Unit], folder: Path) -> dict[str, list[Path]]:
    """Three filled workbooks per unit (its own template, its generated figures and documents;
    report dates 16, 17, 18/11 of the form's year)."""
    form = submissions.shipped_form()
    out: dict[str, list[Path]] = {}
    for i, unit in enumerate(units):
        values, docs = submissions.submission(random.Random(SEED + i), unit, form)
        out[unit.code] = [
            submissions.write(folder / f"{unit.code}-{k}.xlsx", dict(values, report_date=dt.date(form.year, 11, 16 + k)),
                              docs, unit=unit, form=form)
            for k in range(3)
        ]  # fmt: skip
    return out


def upload(client: httpx.Client, link: str, path: Path) -> float:
    """Seconds from sending the file to having the result page."""
    token = csrf_of(client.get(link).text)
    started = time.perf_counter()
    result = client.post(f"{link}/nop", data={"csrf": token}, files={"file": (path.name, path.read_bytes())},
                         follow_redirects=True)  # fmt: skip
    elapsed = time.perf_counter() - started
    if result.status_code != 200 or 'id="status"' not in result.text:
        raise RuntimeError(f"upload failed: {result.status_code} {result.text[:300]}")
    return elapsed


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def rss_kb(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) in kB of a process."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in out]


def fill_board(data: Path, units: list[Unit], per_unit: int = 3) -> int:
    """Give every unit ``per_unit`` submissions in the database (copies of a real result), the
    last one counting: what the board reads after a full round."""
    import sqlite3

    db = sqlite3.connect(data / "dv-portal.sqlite3", timeout=30)
    template = db.execute("SELECT * FROM submissions ORDER BY id LIMIT 1").fetchone()
    columns = [d[0] for d in db.execute("SELECT * FROM submissions LIMIT 0").description]
    have = {code: n for code, n in db.execute("SELECT unit_code, COUNT(*) FROM submissions GROUP BY unit_code")}
    rows = []
    now = time.time()
    for unit in units:
        for k in range(have.get(unit.code, 0), per_unit):
            row = dict(zip(columns, template, strict=True))
            row.update(id=None, unit_code=unit.code, uploaded_at=now - (per_unit - k) * 60, name=f"{unit.code}-{k}.xlsx",
                       counts=0, status="superseded")  # fmt: skip
            rows.append(row)
    with db:
        db.executemany(f"INSERT INTO submissions({','.join(columns)}) VALUES({','.join('?' * len(columns))})",
                       [tuple(r[c] for c in columns) for r in rows])  # fmt: skip
        db.execute("UPDATE submissions SET counts = 0")
        db.execute("UPDATE submissions SET counts = 1, status = 'accepted' WHERE id IN "
                   "(SELECT MAX(id) FROM submissions GROUP BY unit_code)")  # fmt: skip
    total = db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
    db.close()
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=1000, help="units in the roster (the board's size)")
    parser.add_argument("--single", type=int, default=30, help="uploads one at a time")
    parser.add_argument("--concurrent-units", type=int, default=30)
    parser.add_argument("--board-runs", type=int, default=10)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="dv-bench-serve-"))
    data = work / "portal"
    try:
        units = submissions.units(args.units)
        submissions.write_roster(work / "units.csv", units)
        busy = units[: args.concurrent_units]
        print(f"preparing {len(busy) * 3} workbooks of {len(busy)} units…", flush=True)
        (work / "files").mkdir()
        files = files_for(busy, work / "files")
        server, base, _port = start_dv_serve(data, units=work / "units.csv")
        started_rss = rss_kb(server.pid)[0]
        unit_links = links(data)
        with httpx.Client(timeout=120, base_url=base) as client:
            upload(client, unit_links[busy[0].code], files[busy[0].code][0])  # the worker pool starts
            # one upload per unit in turn (a link may send 20 a minute)
            single = [upload(client, unit_links[busy[i % len(busy)].code], files[busy[i % len(busy)].code][0])
                      for i in range(args.single)]  # fmt: skip

        latencies: list[float] = []
        lock = threading.Lock()
        barrier = threading.Barrier(len(busy))
        errors: list[str] = []

        def clerk(unit: Unit) -> None:
            try:
                with httpx.Client(timeout=300, base_url=base) as client:
                    barrier.wait(timeout=60)
                    for path in files[unit.code]:
                        took = upload(client, unit_links[unit.code], path)
                        with lock:
                            latencies.append(took)
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(f"{unit.code}: {exc}")

        threads = [threading.Thread(target=clerk, args=(u,)) for u in busy]
        wall = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=600)
        wall = time.perf_counter() - wall

        total = fill_board(data, units)
        with httpx.Client(timeout=120, base_url=base) as client:
            login(client)
            board = []
            for _ in range(args.board_runs):
                t0 = time.perf_counter()
                response = client.get("/admin")
                board.append(time.perf_counter() - t0)
                assert response.status_code == 200 and f"unit-{units[-1].code}" in response.text
            size = len(response.content)
        server_rss, server_peak = rss_kb(server.pid)
        workers = [rss_kb(pid)[0] for pid in children(server.pid)]
        server.terminate()
        server.wait(10)

        ms = lambda s: f"{s * 1000:.0f} ms"  # noqa: E731
        print(f"\nmachine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; roster {len(units)} units")
        print(f"upload → result page, one at a time ({len(single)} uploads): median {ms(statistics.median(single))}, "
              f"p95 {ms(pct(single, 95))}")  # fmt: skip
        print(f"upload → result page, {len(busy)} units × 3 files at once ({len(latencies)} uploads, "
              f"{len(errors)} failed): median {ms(statistics.median(latencies))}, p95 {ms(pct(latencies, 95))}, "
              f"max {ms(max(latencies))}; all done in {wall:.1f} s")  # fmt: skip
        print(f"board page, {len(units)} units and {total} submissions: median {ms(statistics.median(board))}, "
              f"max {ms(max(board))} ({size // 1024} kB of HTML)")  # fmt: skip
        print(f"server memory: {started_rss // 1024} MB at start, {server_rss // 1024} MB after (peak "
              f"{server_peak // 1024} MB); {len(workers)} worker processes, {sum(workers) // 1024} MB together")  # fmt: skip
        for line in errors[:5]:
            print("  failed:", line)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
