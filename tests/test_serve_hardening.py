"""The portal's answers to issue 18 that an in-process client can show: the pool's heavy lane,
downloads made once per submission and bounded per link, the Origin check against the
portal's own address, a bounded limiter, sessions ended by a new password or by "đăng xuất mọi
nơi", a full disk (files and database) as a 507 with nothing half-kept, the province's time
zone, one neutraliser for every export, links built from the route, HSTS under TLS. (What needs
real sockets and a real kill is in test_serve_under_attack.py.)"""

from __future__ import annotations

import datetime as dt
import io
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

pytest.importorskip("starlette", reason="the portal's web libraries (pip install 'dv[web]')")
from starlette.testclient import TestClient  # noqa: E402

from tests.support import disks
from tests.support.domain import appendix, filled  # noqa: E402
from tests.support.portal import PASSWORD, ROSTER, Clerk, csrf_of, links, login, make_portal, sample, text_of  # noqa: E402
from toolkit.web.checking import HEAVY, Busy  # noqa: E402

HCM = dt.timezone(dt.timedelta(hours=7), "Asia/Ho_Chi_Minh")  # the zone, as a fixed offset (no DST there)


@pytest.fixture
def portal(tmp_path):
    made = []

    def start(data=None, https=False, **config):
        app, the_portal = make_portal(data or tmp_path / "portal", **config)
        client = TestClient(app, base_url="https://testserver" if https else "http://testserver")
        made.append(the_portal)
        return the_portal, client

    yield start
    for p in made:
        p.checker.close()
        p.store.close()


def clerk(client, data, code="STTTT"):
    return Clerk(client, links(data)[code])


def stored_files(data: Path) -> list[Path]:
    return [p for p in (data / "files").rglob("*") if p.is_file()]


# -- item 1: heavy work in its lane, made once, bounded -------------------------------------------


def test_a_check_runs_while_heavy_jobs_fill_their_lane(portal):
    the_portal, _ = portal()
    checker = the_portal.checker  # two workers: the heavy lane may use one
    heavy = [checker.submit(time.sleep, 3, lane=HEAVY) for _ in range(3)]
    report = checker.check(sample("SNV"), "SNV.xlsx", "SNV")
    assert report.status == "accepted"
    assert sum(not f.done() for f in heavy) >= 2  # the check did not wait for them
    for f in heavy:
        f.result(timeout=30)


def test_heavy_jobs_beyond_the_queue_are_refused(portal):
    the_portal, _ = portal()
    checker = the_portal.checker
    waiting = [checker.submit(time.sleep, 0.2, lane=HEAVY) for _ in range(checker.heavy_queue)]
    with pytest.raises(Busy):
        checker.submit(time.sleep, 0, lane=HEAVY)
    for f in waiting:
        f.result(timeout=60)
    checker.submit(time.sleep, 0, lane=HEAVY).result(timeout=60)  # room again


def test_one_unit_asking_for_many_heavy_jobs_fills_its_own_share_only(portal):
    the_portal, _ = portal()
    checker = the_portal.checker
    assert checker.heavy_share < checker.heavy_queue
    mine = [checker.submit(time.sleep, 0.5, lane=HEAVY, owner="SYT") for _ in range(checker.heavy_share)]
    with pytest.raises(Busy):  # its share is full: a 503 "try again" for that unit
        checker.submit(time.sleep, 0, lane=HEAVY, owner="SYT")
    others = [checker.submit(time.sleep, 0, lane=HEAVY, owner="STTTT"), checker.submit(time.sleep, 0, lane=HEAVY)]
    for f in (*mine, *others):
        f.result(timeout=60)
    checker.submit(time.sleep, 0, lane=HEAVY, owner="SYT").result(timeout=60)  # its share is free again


def test_a_job_cancelled_before_it_starts_never_runs(portal, tmp_path):
    the_portal, _ = portal()
    pool = the_portal.checker.pool
    busy = [pool.submit(time.sleep, 2) for _ in range(pool.jobs)]  # every worker taken
    marker = tmp_path / "ran"
    queued = pool.submit(Path.write_text, marker, "x")
    assert queued.cancel()  # its caller gave up (a request that ended)
    for f in busy:
        f.result(timeout=60)
    pool.submit(time.sleep, 0).result(timeout=60)  # the pool went on past it
    assert not marker.exists()


def test_the_annotated_copy_is_made_once_per_submission_and_bounded_per_link(portal, tmp_path, monkeypatch):
    data = tmp_path / "portal"
    the_portal, client = portal(data, heavy_per_link=(3, 60.0))
    c = clerk(client, data)
    c.upload(filled(tmp_path, "STTTT.xlsx", values=appendix(cut_total=9), unit=ROSTER.get("STTTT")))
    made = []
    real = the_portal.checker.annotated

    async def counting(*args, **kw):
        made.append(args)
        return await real(*args, **kw)

    monkeypatch.setattr(the_portal.checker, "annotated", counting)
    first = client.get(f"{c.link}/s/1/ghi-chu.xlsx")
    second = client.get(f"{c.link}/s/1/ghi-chu.xlsx")
    assert first.status_code == second.status_code == 200 and first.content == second.content
    assert len(made) == 1 and list((data / "derived" / "annotated").iterdir())
    assert client.get(f"{c.link}/s/1/loi.xlsx").status_code == 200
    assert client.get(f"{c.link}/s/1/loi.xlsx").status_code == 429  # the link's fourth in a minute
    assert client.get(f"{c.link}/s/1/tep").status_code == 200  # the file itself is not made: not counted


def test_an_annotated_copy_that_cannot_be_made_is_a_page_saying_to_try_later(portal, tmp_path, monkeypatch):
    from toolkit.intake.workers import JobFailed

    data = tmp_path / "portal"
    the_portal, client = portal(data)
    c = clerk(client, data)
    c.upload(filled(tmp_path, "STTTT.xlsx", values=appendix(cut_total=9), unit=ROSTER.get("STTTT")))

    async def too_slow(*_a, **_k):
        raise JobFailed("timeout")

    monkeypatch.setattr(the_portal.checker, "annotated", too_slow)
    response = client.get(f"{c.link}/s/1/ghi-chu.xlsx")
    assert response.status_code == 503 and "thử lại sau 10 phút" in response.text
    assert response.headers["retry-after"] == "600"


def test_a_stored_file_no_upload_recorded_is_moved_aside_at_start(portal, tmp_path):
    """A server killed between storing an upload and recording it (its clerk got no answer)
    leaves a file with no row: the next start moves it to orphans/ and says so in the log."""
    data = tmp_path / "portal"
    the_portal, client = portal(data)
    clerk(client, data).upload(sample("STTTT"))
    lost = data / "files" / "ab" / ("ab" + "0" * 62 + ".xlsx")
    lost.parent.mkdir()
    lost.write_bytes(sample("SNV").read_bytes())
    (data / "files" / "tmp" / "up-half").write_bytes(b"PK")
    the_portal.checker.close()
    the_portal.store.close()
    again, client = portal(data)  # the restart
    assert (data / "orphans" / lost.name).read_bytes() == sample("SNV").read_bytes()
    assert not lost.exists() and not list((data / "files" / "tmp").iterdir())
    assert [p.name for p in stored_files(data)] == [f"{again.store.submissions('STTTT')[0]['sha256']}.xlsx"]
    login(client)
    log = client.get("/admin/nhat-ky.csv").content.decode("utf-8-sig")
    assert "1 temporaries removed, 1 files never recorded moved to orphans/" in log


# -- item 3: the Origin check and the limiter -------------------------------------------------------


def test_the_origin_is_checked_against_the_portals_address_not_the_host_header(portal, tmp_path):
    data = tmp_path / "portal"
    the_portal, client = portal(data)
    c = clerk(client, data)
    token = csrf_of(c.page().text)
    files = {"file": ("a.xlsx", sample("STTTT").read_bytes())}
    # a page of a host name rebound to this server: its name in both Origin and Host
    rebound = client.post(
        f"{c.link}/nop",
        data={"csrf": token},
        files=files,
        headers={"host": "rebind.evil.example", "origin": "http://rebind.evil.example"},
    )
    assert rebound.status_code == 403 and "http://testserver" in rebound.text
    assert the_portal.store.submissions("STTTT") == []
    page = client.get("/admin/login")
    login_from_rebound = client.post(
        "/admin/login",
        data={"csrf": csrf_of(page.text), "password": PASSWORD},
        headers={"host": "rebind.evil.example", "origin": "http://rebind.evil.example"},
    )
    assert login_from_rebound.status_code == 403
    ours = client.post(f"{c.link}/nop", data={"csrf": token}, files=files, headers={"origin": "http://testserver"})
    assert ours.status_code == 200


def test_the_limiters_memory_is_bounded():
    from toolkit.web.app import Limiter

    limiter = Limiter(max_keys=500)
    for i in range(20_000):  # a fresh address per try, as forged X-Forwarded-For headers once gave
        limiter.allow(("login", f"10.0.{i // 256}.{i % 256}"), (10, 60.0))
    assert len(limiter) <= 500
    for _ in range(10):
        limiter.allow(("login", "192.0.2.1"), (10, 60.0))
    assert not limiter.allow(("login", "192.0.2.1"), (10, 60.0))  # the limit still holds


# -- item 4: sessions ------------------------------------------------------------------------------


def test_a_new_password_ends_every_officer_session(portal, tmp_path):
    data = tmp_path / "portal"
    _, client = portal(data)
    assert login(client).status_code == 200
    env = {**os.environ, "DV_PASSWORD": "mot-mat-khau-moi"}
    done = subprocess.run(
        [sys.executable, "-m", "toolkit.cli", "serve", "--data", str(data), "--set-password"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    response = client.get("/admin", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/admin/login")


def test_log_out_everywhere_ends_the_officers_other_sessions(portal, tmp_path):
    data = tmp_path / "portal"
    _, office = portal(data)
    phone = TestClient(office.app, base_url="http://testserver")
    login(phone)
    board = login(office)
    assert "Đăng xuất mọi nơi" in board.text
    out = office.post("/admin/dang-xuat-moi-noi", data={"csrf": csrf_of(board.text)}, follow_redirects=False)
    assert out.status_code == 303
    assert phone.get("/admin", follow_redirects=False).status_code == 303
    assert office.get("/admin", follow_redirects=False).status_code == 303


# -- item 5: a full disk ----------------------------------------------------------------------------


def fill_database(the_portal, tight: bool = False) -> None:
    """SQLite's own "database or disk is full" (SQLITE_FULL): the database may not grow (a row
    that fits in a page it has still goes in; ``tight``: the event log's and the sessions'
    pages are filled first, so that not even a line of the log goes in)."""
    db = the_portal.store._db
    db.execute(f"PRAGMA max_page_count = {db.execute('PRAGMA page_count').fetchone()[0]}")
    for sql in (
        (
            "INSERT INTO events(at, actor, kind, detail, address) VALUES(0, 'test', 'filler', '', '')",
            "INSERT INTO sessions VALUES(hex(randomblob(32)), '', 0)",
        )
        if tight
        else ()
    ):
        with pytest.raises(sqlite3.OperationalError, match="full"):
            for _ in range(100_000):
                db.execute(sql)


def test_a_full_database_refuses_the_upload_with_507_and_keeps_nothing(portal, tmp_path):
    data = tmp_path / "portal"
    the_portal, client = portal(data, login_per_address=(1000, 60.0))
    officer = TestClient(client.app, base_url="http://testserver")
    login(officer)
    c = clerk(client, data)
    page = c.page().text
    fill_database(the_portal)
    for k in range(20):  # different bytes each time, until the database has no room left
        content = filled(tmp_path, f"STTTT-{k}.xlsx", values=appendix(cut_total=9 + k), unit=ROSTER.get("STTTT"))
        response = client.post(
            f"{c.link}/nop", data={"csrf": csrf_of(page)}, files={"file": (content.name, content.read_bytes())}
        )
        if response.status_code != 200:
            break
    assert response.status_code == 507 and "hết chỗ lưu" in response.text
    rows = the_portal.store.submissions("STTTT")
    assert {p.name for p in stored_files(data)} == {f"{r['sha256']}{r['ext']}" for r in rows}  # none without a row
    assert "đã đầy" in text_of(officer.get("/admin").text, "disk")
    for _ in range(200):  # sessions cannot be kept either: said, never a 500
        status = login(TestClient(client.app, base_url="http://testserver")).status_code
        if status != 200:
            break
    assert status == 507
    assert sqlite3.connect(data / "dv-portal.sqlite3").execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_full_disk_for_the_file_and_the_database_is_507_not_500(portal, tmp_path, monkeypatch):
    import errno

    from toolkit.web import store

    data = tmp_path / "portal"
    the_portal, client = portal(data)
    c = clerk(client, data)
    page = c.page().text

    def full(_fh, _chunk):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store, "_write", full)
    fill_database(the_portal, tight=True)
    response = client.post(
        f"{c.link}/nop", data={"csrf": csrf_of(page)}, files={"file": ("STTTT.xlsx", sample("STTTT").read_bytes())}
    )
    assert response.status_code == 507 and "Traceback" not in response.text
    assert stored_files(data) == [] and the_portal.store.submissions("STTTT") == []


@pytest.fixture
def small_disk(tmp_path):
    """A real 2 MB file system (tmpfs): needs the right to mount (root on Linux)."""
    with disks.small_disk(tmp_path / "o-nho", "2m") as mount:
        yield mount


def test_uploads_onto_a_real_full_disk_are_507_until_space_is_freed(portal, small_disk):
    data = small_disk / "portal"
    the_portal, client = portal(data)
    officer = TestClient(client.app, base_url="http://testserver")
    login(officer)
    filler = small_disk / "filler.bin"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    for size in (65536, 4096, 1):  # the disk full, to the last byte
        try:
            while True:
                os.write(fd, b"\0" * size)
        except OSError:
            pass
    os.close(fd)
    statuses = [clerk(client, data, code).upload(sample(code)).status_code for code in ("STTTT", "SNV", "SYT")]
    assert statuses.count(507) >= 2 and 500 not in statuses, statuses
    rows = [r for code in ("STTTT", "SNV", "SYT") for r in the_portal.store.submissions(code)]
    assert len(stored_files(data)) == len(rows)  # every file kept has its row, and no temporary
    assert "đã đầy" in text_of(officer.get("/admin").text, "disk")
    filler.unlink()
    assert text_of(clerk(client, data, "SXD").upload(sample("SXD")).text, "status")
    assert "sắp đầy" in text_of(officer.get("/admin").text, "disk")  # 2 MB: nearly full, no longer full


# -- item 6: the province's time zone -------------------------------------------------------------


def test_the_deadline_is_the_end_of_its_day_in_the_provinces_time_zone(portal, tmp_path):
    deadline = dt.date(2020, 11, 30)
    at = dt.datetime(2020, 11, 30, 23, 40, tzinfo=dt.UTC).timestamp()  # 06:40 on 1 December in Hà Nội
    statuses = {}
    for name, zone in (("hcm", HCM), ("utc", dt.UTC)):
        data = tmp_path / name
        the_portal, client = portal(data, deadline=deadline, timezone=zone)
        the_portal.clock = lambda: at
        clerk(client, data).upload(sample("STTTT"))
        login(client)
        board = client.get("/admin").text
        statuses[name] = board.split('id="unit-STTTT"', 1)[1].split("</tr>", 1)[0]
        if name == "hcm":
            page = clerk(client, data).page().text
            assert "01/12/2020 06:40:00 UTC+07:00" in page
            assert "30/11/2020 (đến hết 23:59:59 ngày đó, giờ UTC+07:00)" in text_of(page, "deadline")
            log = client.get("/admin/nhat-ky.csv").content.decode("utf-8-sig")
            assert ",2020-12-01T06:40:00+07:00,STTTT,upload," in log
    assert "nộp muộn" in statuses["hcm"] and "hợp lệ" in statuses["utc"]


def test_dv_serve_refuses_an_unknown_time_zone_and_a_bad_proxy(tmp_path):
    dv = [
        sys.executable,
        "-m",
        "toolkit.cli",
        "serve",
        "--data",
        str(tmp_path / "p"),
        "--units",
        str(Path(__file__).parent.parent / "samples" / "units.csv"),
    ]
    bad = subprocess.run([*dv, "--timezone", "Sao/Hoa"], capture_output=True, text=True)
    assert bad.returncode == 2 and "--timezone" in bad.stderr
    bad = subprocess.run([*dv, "--trusted-proxy", "nginx.local"], capture_output=True, text=True)
    assert bad.returncode == 2 and "--trusted-proxy" in bad.stderr


# -- item 8: one neutraliser -----------------------------------------------------------------------

ATTACK = "=cmd|' /C calc'!A0"


def test_no_text_of_any_export_lands_as_a_formula(portal, tmp_path):
    import csv

    data = tmp_path / "portal"
    the_portal, client = portal(data)
    c = clerk(client, data)
    c.upload(
        name="+cmd|'calc'!A0.xlsx",
        content=filled(tmp_path, "x.xlsx", values=appendix(cut_total=9), unit=ROSTER.get("STTTT")).read_bytes(),
    )
    the_portal.store.log("STTTT", "upload", "@SUM(1+1)", ATTACK)  # an address a proxy forwarded
    login(client)
    rows = list(csv.reader(io.StringIO(client.get("/admin/nhat-ky.csv").content.decode("utf-8-sig"))))
    texts = [cell for row in rows for cell in row]
    assert f"'{ATTACK}" in texts and "'@SUM(1+1)" in texts
    assert not [cell for cell in texts if cell[:1] in ("=", "+", "-", "@")]
    issues = openpyxl.load_workbook(io.BytesIO(client.get(f"{c.link}/s/1/loi.xlsx").content)).active
    cells = [cell for row in issues.iter_rows() for cell in row if cell.value is not None]
    assert all(cell.data_type == "s" and not str(cell.value).startswith("=") for cell in cells)
    assert any(str(cell.value) == "'+cmd|'calc'!A0.xlsx" for cell in cells)  # the clerk's file name


def test_links_csv_keeps_a_roster_name_as_text(tmp_path):
    from toolkit.roster import read_roster
    from toolkit.web.store import Store

    roster = tmp_path / "units.csv"
    roster.write_text('code,name,kind\nSNV,=HYPERLINK("http://evil.example";"Sở Nội vụ"),so\n', encoding="utf-8")
    store = Store(tmp_path / "portal")
    store.load_roster(read_roster(roster))
    store.issue_missing_links("http://127.0.0.1:8080")
    text = store.links_path.read_text(encoding="utf-8-sig")
    store.close()
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


# -- item 9: links from the route ------------------------------------------------------------------


def test_the_language_link_is_built_from_the_route_never_the_raw_path(portal, tmp_path):
    import re

    data = tmp_path / "portal"
    _, client = portal(data)

    def other_language(path: str) -> str:
        page = client.get(f"http://testserver{path}")
        return re.search(r'<a class="lang" href="([^"]+)"', page.text).group(1)

    assert other_language("//evil.example/x") == "/?lang=en"
    assert other_language("/%2F%2Fevil.example/x") == "/?lang=en"
    link = links(data)["STTTT"]
    assert other_language(link) == f"{link}?lang=en"
    assert other_language(f"{link}/s/7?lang=en") == f"{link}/s/7?lang=vi"


# -- item 11: HSTS ---------------------------------------------------------------------------------


def test_strict_transport_security_under_tls_only(portal, tmp_path):
    _, plain = portal(tmp_path / "plain")
    _, tls = portal(tmp_path / "tls", https=True, tls=True)
    assert "strict-transport-security" not in plain.get("/admin/login").headers
    assert tls.get("/admin/login").headers["strict-transport-security"] == "max-age=31536000"
