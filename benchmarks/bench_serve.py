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
4. the server's memory afterwards (resident set of the server process and of its workers);
5. other units' uploads during a flood of slow clients: ``--flood`` connections (1,100) from
   one address sending half a request head, reopened as the server closes them (slowloris),
   while units upload from their own addresses (issue 18: target p95 under 2 s);
6. other units' uploads while one unit asks four times at once for the annotated copy of a
   workbook padded with ``--heavy-rows`` rows (accepted; its copy takes ~25 s to make).

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
            submissions.write(
                folder / f"{unit.code}-{k}.xlsx",
                dict(values, report_date=dt.date(form.year, 11, 16 + k)),
                docs,
                unit=unit,
                form=form,
            )
            for k in range(3)
        ]
    return out


def upload(client: httpx.Client, link: str, path: Path) -> float:
    """Seconds from sending the file to having the result page."""
    token = csrf_of(client.get(link).text)
    started = time.perf_counter()
    result = client.post(
        f"{link}/nop", data={"csrf": token}, files={"file": (path.name, path.read_bytes())}, follow_redirects=True
    )
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
            row.update(
                id=None,
                unit_code=unit.code,
                uploaded_at=now - (per_unit - k) * 60,
                name=f"{unit.code}-{k}.xlsx",
                counts=0,
                status="superseded",
            )
            rows.append(row)
    with db:
        db.executemany(
            f"INSERT INTO submissions({','.join(columns)}) VALUES({','.join('?' * len(columns))})",
            [tuple(r[c] for c in columns) for r in rows],
        )
        db.execute("UPDATE submissions SET counts = 0")
        db.execute(
            "UPDATE submissions SET counts = 1, status = 'accepted' WHERE id IN "
            "(SELECT MAX(id) FROM submissions GROUP BY unit_code)"
        )
    total = db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
    db.close()
    return total


def client_from(base: str, address: str, timeout: float = 120) -> httpx.Client:
    """A client whose connections leave from ``address`` (127.0.0.x: Linux routes all of 127/8
    to the loopback device), so that the server sees another unit's office."""
    return httpx.Client(base_url=base, timeout=timeout, transport=httpx.HTTPTransport(local_address=address))


def uploads_during(
    base: str,
    unit_links: dict[str, str],
    files: dict[str, list[Path]],
    seconds: float,
    interval: float = 0.25,
    until: threading.Event | None = None,
) -> tuple[list[float], list[str]]:
    """Units upload in turn (one every ``interval`` seconds at most: a deadline rush, within
    each link's 20 a minute), each from its own address, for ``seconds`` (or until ``until``
    is set): the latencies and the failures."""
    latencies: list[float] = []
    errors: list[str] = []
    codes = list(files)
    end = time.monotonic() + seconds
    k = 0
    while time.monotonic() < end and not (until is not None and until.is_set()):
        started = time.monotonic()
        code = codes[k % len(codes)]
        try:
            with client_from(base, f"127.0.0.{3 + k % len(codes)}") as client:
                latencies.append(upload(client, unit_links[code], files[code][k // len(codes) % 3]))
        except Exception as exc:  # noqa: BLE001 - counted and shown
            errors.append(f"{code}: {exc}".splitlines()[0][:160])
        k += 1
        time.sleep(max(0.0, interval - (time.monotonic() - started)))
    return latencies, errors


def open_fds(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return -1


def flood_case(
    base: str,
    port: int,
    pid: int,
    unit_links: dict[str, str],
    files: dict[str, list[Path]],
    connections: int,
    seconds: float,
) -> dict:
    """``connections`` half-sent request heads from 127.0.0.2, each reopened when the server
    closes it, while units upload from other addresses for ``seconds``."""
    import socket

    stop = threading.Event()
    opened = [0]
    fds: list[int] = []

    def one() -> socket.socket | None:
        s = socket.socket()
        try:
            s.setblocking(True)
            s.settimeout(2)
            s.bind(("127.0.0.2", 0))
            s.connect(("127.0.0.1", port))
            s.sendall(b"GET /admin/login HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow")
            opened[0] += 1
            s.setblocking(False)
            return s
        except OSError:
            s.close()
            return None

    def flood() -> None:
        socks = [one() for _ in range(connections)]
        while not stop.is_set():
            for i, s in enumerate(socks):  # a closed one is opened again: the attacker insists
                alive = s is not None
                if alive:
                    try:
                        s.recv(4096)  # an answer (503) or the end: the server is done with it
                        alive = False
                    except BlockingIOError:
                        pass  # nothing yet: it still holds a connection
                    except OSError:
                        alive = False
                if not alive:
                    if s is not None:
                        s.close()
                    socks[i] = one()
            fds.append(open_fds(pid))
            stop.wait(0.5)
        for s in socks:
            if s is not None:
                s.close()

    attacker = threading.Thread(target=flood, daemon=True)
    attacker.start()
    time.sleep(2.0)  # the flood is in place
    latencies, errors = uploads_during(base, unit_links, files, seconds)
    with client_from(base, "127.0.0.1", timeout=30) as officer:
        t0 = time.perf_counter()
        officer_ok = officer.get("/admin/login").status_code == 200
        officer_s = time.perf_counter() - t0
    stop.set()
    attacker.join(30)
    return {
        "latencies": latencies,
        "errors": errors,
        "opened": opened[0],
        "fds": max(fds or [-1]),
        "officer": (officer_ok, officer_s),
    }


def heavy_case(base: str, unit_links: dict[str, str], files: dict[str, list[Path]], heavy: Path, code: str) -> dict:
    """``code`` uploads ``heavy`` then asks four times at once for its annotated copy; other
    units upload from their own addresses until the four are answered."""
    import re

    with client_from(base, "127.0.0.2", timeout=300) as client:
        result = client.post(
            f"{unit_links[code]}/nop",
            data={"csrf": csrf_of(client.get(unit_links[code]).text)},
            files={"file": (heavy.name, heavy.read_bytes())},
            follow_redirects=True,
        )
        sid = re.search(r"/s/(\d+)", str(result.url)).group(1)
    answers: list[tuple[int, float]] = []

    def ask() -> None:
        t0 = time.perf_counter()
        with client_from(base, "127.0.0.2", timeout=600) as client:
            response = client.get(f"{unit_links[code]}/s/{sid}/ghi-chu.xlsx")
        answers.append((response.status_code, time.perf_counter() - t0))

    askers = [threading.Thread(target=ask) for _ in range(4)]
    for th in askers:
        th.start()
    time.sleep(0.5)
    answered = threading.Event()

    def wait_for_answers() -> None:
        for th in askers:
            th.join()
        answered.set()

    threading.Thread(target=wait_for_answers, daemon=True).start()
    # one upload a second: the heavy copy may take a minute, and each link may send 20 a minute
    latencies, errors = uploads_during(base, unit_links, files, 900.0, interval=1.0, until=answered)
    return {"latencies": latencies, "errors": errors, "answers": answers, "size": heavy.stat().st_size}


def summary_line(what: str, latencies: list[float], errors: list[str], baseline: float) -> str:
    ms = lambda s: f"{s * 1000:.0f} ms"  # noqa: E731
    if not latencies:
        return f"{what}: no upload done ({len(errors)} failed)"
    return (
        f"{what} ({len(latencies)} uploads, {len(errors)} failed): median {ms(statistics.median(latencies))}, "
        f"p95 {ms(pct(latencies, 95))}, max {ms(max(latencies))}; p95 / quiet median = "
        f"{pct(latencies, 95) / baseline:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=1000, help="units in the roster (the board's size)")
    parser.add_argument("--single", type=int, default=30, help="uploads one at a time")
    parser.add_argument("--concurrent-units", type=int, default=30)
    parser.add_argument("--board-runs", type=int, default=10)
    parser.add_argument("--flood", type=int, default=1100, help="slow connections in the flood (0: no flood case)")
    parser.add_argument("--flood-seconds", type=float, default=30.0)
    # 95,000: under dv's limit of 100,000 rows a sheet (more is refused before it is read)
    parser.add_argument("--heavy-rows", type=int, default=95_000, help="rows padding the heavy workbook (0: none)")
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
            single = [
                upload(client, unit_links[busy[i % len(busy)].code], files[busy[i % len(busy)].code][0])
                for i in range(args.single)
            ]

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

        # issue 18: the other units' uploads under a flood of slow clients, and under one unit's
        # heavy downloads (each case in this same server, after the figures above)
        others = {u.code: files[u.code] for u in busy[1:]}
        load = {"flood": os.getloadavg()[0]}
        flood = (
            flood_case(base, _port, server.pid, unit_links, others, args.flood, args.flood_seconds)
            if args.flood
            else None
        )
        heavy = None
        if args.heavy_rows:
            from tests.support.portal import padded

            # The seed's appendix in that unit's template: it has a note (a 2016 plan), so it has an
            # annotated copy to make (a generated file may have none: the copy is then a 404).
            heavy_file = padded(work / "files", args.heavy_rows, busy[0].code, name=f"{busy[0].code}-nang.xlsx")
            load["heavy"] = os.getloadavg()[0]
            heavy = heavy_case(base, unit_links, others, heavy_file, busy[0].code)

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
        print(
            f"upload → result page, one at a time ({len(single)} uploads): median {ms(statistics.median(single))}, "
            f"p95 {ms(pct(single, 95))}"
        )
        print(
            f"upload → result page, {len(busy)} units × 3 files at once ({len(latencies)} uploads, "
            f"{len(errors)} failed): median {ms(statistics.median(latencies))}, p95 {ms(pct(latencies, 95))}, "
            f"max {ms(max(latencies))}; all done in {wall:.1f} s"
        )
        print(
            f"board page, {len(units)} units and {total} submissions: median {ms(statistics.median(board))}, "
            f"max {ms(max(board))} ({size // 1024} kB of HTML)"
        )
        print(
            f"server memory: {started_rss // 1024} MB at start, {server_rss // 1024} MB after (peak "
            f"{server_peak // 1024} MB); {len(workers)} worker processes, {sum(workers) // 1024} MB together"
        )
        for line in errors[:5]:
            print("  failed:", line)
        quiet = statistics.median(single)
        if flood is not None:
            print(
                summary_line(
                    f"other units' uploads during a flood of {args.flood} slow connections from one address "
                    f"(load average {load['flood']:.2f} at its start)",
                    flood["latencies"],
                    flood["errors"],
                    quiet,
                )
            )
            ok, took = flood["officer"]
            print(
                f"  the flood opened {flood['opened']} connections in all (the server closes them); server's open "
                f"descriptors at most {flood['fds']}; the officer's login page: {'200' if ok else 'failed'} in "
                f"{ms(took)}"
            )
            for line in flood["errors"][:5]:
                print("  failed:", line)
        if heavy is not None:
            print(
                summary_line(
                    f"other units' uploads while one unit asks 4 times at once for the annotated copy of a "
                    f"{heavy['size'] / 1e6:.1f} MB workbook (load average {load['heavy']:.2f})",
                    heavy["latencies"],
                    heavy["errors"],
                    quiet,
                )
            )
            print("  the four heavy requests: " + ", ".join(f"{s} in {t:.1f} s" for s, t in sorted(heavy["answers"])))
            if not any(status == 200 for status, _ in heavy["answers"]):
                print("  NOT MEASURED: no copy was made, so nothing heavy ran while the others uploaded")
            for line in heavy["errors"][:5]:
                print("  failed:", line)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
