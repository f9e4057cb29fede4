"""``dv serve`` under load and under attack (issue 18), for real: the server started as the
officer starts it, in a process of its own, reached over real sockets and killed with a real
SIGKILL. Other units are other source addresses on the loopback network (127.0.0.2, .3, …:
Linux routes all of 127/8 to the loopback device), so that limits per address can be seen.

No timing thresholds: each test asserts an order of events or an outcome (every upload
recorded, a descriptor count under the limit the server was given, a process gone)."""

from __future__ import annotations

import contextlib
import os
import re
import resource
import signal
import socket
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from tests.support.portal import (
    PASSWORD,
    alive,
    child_pids,
    csrf_of,
    links,
    padded,
    post_upload,
    sample,
    start_dv_serve,
)

httpx = pytest.importorskip("httpx")
pytest.importorskip("uvicorn")
pytestmark = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="reads /proc (Linux)")

OTHERS = ("SNV", "STP", "SXD", "SYT")  # units whose clerks upload while another unit is heavy


def client_from(url: str, address: str, **kw) -> httpx.Client:
    """An HTTP client whose connections leave from ``address`` (a unit's office)."""
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=url, transport=transport, timeout=kw.pop("timeout", 120), **kw)


@pytest.fixture
def serve(tmp_path):
    """Start ``dv serve`` (as many as a test needs); every one is killed afterwards. Returns the
    process, its URL and port, and the file its output goes to."""
    started: list = []

    def start(*options: str, data: Path | None = None, port: int | None = None, **kw):
        log = tmp_path / f"serve-{len(started)}.log"
        proc, url, the_port = start_dv_serve(data or tmp_path / "portal", *options, log=log, port=port, **kw)
        started.append(proc)
        return proc, url, the_port, log

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def stored_without_row(data: Path) -> list[str]:
    """Files under files/ that no submission names: what an upload must never leave."""
    with contextlib.closing(sqlite3.connect(data / "dv-portal.sqlite3")) as db:
        named = {f"{sha}{ext}" for sha, ext in db.execute("SELECT sha256, ext FROM submissions")}
    return [p.name for p in (data / "files").rglob("*") if p.is_file() and p.name not in named]


# -- item 1: one unit's heavy requests -------------------------------------------------------------


@pytest.fixture(scope="module")
def heavy_workbook(tmp_path_factory) -> Path:
    """A valid STTTT workbook whose annotated copy takes ~10 s to build (40,000 padded rows)."""
    return padded(tmp_path_factory.mktemp("heavy"), 40_000)


def test_one_units_heavy_downloads_never_hold_up_other_units_uploads(serve, tmp_path, heavy_workbook):
    proc, url, _port, log = serve()
    data = tmp_path / "portal"
    unit_links = links(data)
    heavy_link = unit_links["STTTT"]
    with client_from(url, "127.0.0.2") as clerk:
        result = post_upload(clerk, heavy_link, heavy_workbook)
        assert result.status_code == 200, result.text[-500:]
        sid = re.search(r"/s/(\d+)", str(result.url)).group(1)

    finished: dict[str, float] = {}
    outcomes: dict[str, httpx.Response] = {}

    def heavy(i: int) -> None:  # the same unit asks for its annotated copy four times at once
        with client_from(url, "127.0.0.2", timeout=300) as client:
            outcomes[f"heavy{i}"] = client.get(f"{heavy_link}/s/{sid}/ghi-chu.xlsx")
        finished[f"heavy{i}"] = time.monotonic()

    threads = [threading.Thread(target=heavy, args=(i,)) for i in range(4)]
    for th in threads:
        th.start()
    time.sleep(1.0)  # the four requests are in the server, their work in the pool
    for k, code in enumerate(OTHERS):
        with client_from(url, f"127.0.0.{3 + k}") as clerk:
            outcomes[code] = post_upload(clerk, unit_links[code], sample(code))
        finished[code] = time.monotonic()
    for th in threads:
        th.join(600)

    for code in OTHERS:  # every other unit's upload is recorded with its result …
        assert outcomes[code].status_code == 200, (code, outcomes[code].status_code, outcomes[code].text[-300:])
        assert 'id="status"' in outcomes[code].text
    # … before the heavy unit's requests are done: they never waited behind them
    assert max(finished[c] for c in OTHERS) < min(finished[f"heavy{i}"] for i in range(4)), finished
    for i in range(4):  # the heavy unit gets its copy (or a page saying to try again), never a 500
        response = outcomes[f"heavy{i}"]
        assert response.status_code in (200, 503), (response.status_code, response.text[-300:])
    assert any(outcomes[f"heavy{i}"].status_code == 200 for i in range(4))
    assert stored_without_row(data) == []
    proc.terminate()
    proc.wait(20)
    said = log.read_text("utf-8", "replace")
    assert "Traceback" not in said, said[-3000:]


# -- item 2: slow clients -------------------------------------------------------------------------

DESCRIPTORS = 1024  # a Linux service's usual soft limit: the server is started with it


def limit_descriptors() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (DESCRIPTORS, DESCRIPTORS))


def half_header(port: int, address: str) -> socket.socket | None:
    """A connection that sends half a request head and then nothing."""
    s = socket.socket()
    try:
        s.bind((address, 0))
        s.settimeout(5)
        s.connect(("127.0.0.1", port))
        s.sendall(b"GET /admin/login HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow")
        return s
    except OSError:
        s.close()
        return None


def closed_by_server(s: socket.socket) -> bool:
    s.settimeout(0.2)
    try:
        s.recv(1024)  # an answer (408) or the end: the server is done with it
        return True
    except TimeoutError:
        return False
    except OSError:
        return True  # reset


def test_a_flood_of_half_sent_headers_neither_exhausts_descriptors_nor_stops_the_portal(serve, tmp_path):
    proc, url, port, log = serve(preexec=limit_descriptors)
    data = tmp_path / "portal"
    unit_links = links(data)
    flood = [half_header(port, "127.0.0.2") for _ in range(1100)]
    try:
        held = len(os.listdir(f"/proc/{proc.pid}/fd"))
        # the officer (this machine) and the units (their own addresses) are answered meanwhile
        with client_from(url, "127.0.0.1", timeout=30) as officer:
            assert officer.get("/admin/login").status_code == 200
        for k, code in enumerate(OTHERS[:2]):
            with client_from(url, f"127.0.0.{3 + k}", timeout=30) as clerk:
                result = post_upload(clerk, unit_links[code], sample(code))
                assert result.status_code == 200 and 'id="status"' in result.text
        assert held < DESCRIPTORS - 64, held  # far from the limit: the flood holds few descriptors
        # a half-sent request is not kept for ever: the server closes it (header timeout)
        deadline = time.monotonic() + 60
        open_ones = [s for s in flood if s is not None]
        while open_ones and time.monotonic() < deadline:
            open_ones = [s for s in open_ones if not closed_by_server(s)]
            time.sleep(1)
        assert open_ones == []
    finally:
        for s in flood:
            if s is not None:
                s.close()
    proc.terminate()
    proc.wait(20)
    said = log.read_text("utf-8", "replace")
    assert "Too many open files" not in said and "Traceback" not in said, said[-3000:]


def upload_begun(url: str, port: int, link: str) -> socket.socket:
    """A connection that has sent an upload's head and the first bytes of its file, of a body
    announced 100 kB longer: what the rest of it does is the test's."""
    with client_from(url, "127.0.0.2") as clerk:
        token = csrf_of(clerk.get(link).text)
    body = (
        f'--b\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{token}\r\n--b\r\n'
        'Content-Disposition: form-data; name="file"; filename="a.xlsx"\r\n\r\nPK'
    ).encode()
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(
        f"POST {link}/nop HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=b\r\n"
        f"Content-Length: {len(body) + 100_000}\r\n\r\n".encode()
        + body
    )
    return s


def test_a_request_whose_body_stops_coming_is_closed_and_leaves_nothing(serve, tmp_path):
    proc, url, port, log = serve()
    data = tmp_path / "portal"
    link = links(data)["STTTT"]
    s = upload_begun(url, port, link)
    deadline = time.monotonic() + 90
    while not closed_by_server(s) and time.monotonic() < deadline:
        time.sleep(1)
    assert time.monotonic() < deadline, "the server still waits for the body"
    s.close()
    assert stored_without_row(data) == [] and not list((data / "files").rglob("up-*"))
    proc.terminate()
    proc.wait(20)
    said = log.read_text("utf-8", "replace")
    assert "Traceback" not in said, said[-3000:]


def test_a_body_that_trickles_in_a_byte_now_and_then_is_closed_and_leaves_nothing(serve, tmp_path):
    """Never silent for 20 s, so the silence rule alone would keep it for hours: after 30 s the
    body must come at 512 bytes a second on average."""
    proc, url, port, log = serve()
    data = tmp_path / "portal"
    link = links(data)["STTTT"]
    s = upload_begun(url, port, link)
    start, closed = time.monotonic(), False
    while time.monotonic() < start + 120 and not closed:
        try:
            s.sendall(b"x")  # one byte every 2 s: well inside the 20 s of silence allowed
        except OSError:
            closed = True
            break
        closed = closed_by_server(s)
        time.sleep(2)
    s.close()
    assert closed, "the server still takes the trickle after two minutes"
    assert stored_without_row(data) == [] and not list((data / "files").rglob("up-*"))
    proc.terminate()
    proc.wait(20)
    said = log.read_text("utf-8", "replace")
    assert "Traceback" not in said, said[-3000:]


# -- item 3: forwarded headers --------------------------------------------------------------------


def login_attempts(url: str, address: str, forwarded: bool) -> list[int]:
    statuses = []
    with client_from(url, address) as client:
        for i in range(12):
            page = client.get("/admin/login")
            headers = {"x-forwarded-for": f"10.9.{i}.1"} if forwarded else {}
            response = client.post(
                "/admin/login", data={"csrf": csrf_of(page.text), "password": "sai-mat-khau"}, headers=headers
            )
            statuses.append(response.status_code)
    return statuses


def event_addresses(url: str) -> list[str]:
    with client_from(url, "127.0.0.9") as officer:
        page = officer.get("/admin/login")
        officer.post("/admin/login", data={"csrf": csrf_of(page.text), "password": PASSWORD})
        log = officer.get("/admin/nhat-ky.csv").content.decode("utf-8-sig").splitlines()
    return [line.rsplit(",", 1)[1] for line in log[1:] if ",login-failed," in line]


def test_forwarded_addresses_are_believed_only_from_the_named_proxy(serve, tmp_path):
    proc, url, _port, _log = serve()
    # Not named as a proxy: a fresh X-Forwarded-For per try does not reset the login limit …
    assert login_attempts(url, "127.0.0.1", forwarded=True)[-2:] == [429, 429]
    # … and the event log has the real address
    assert set(event_addresses(url)) == {"127.0.0.1"}
    proc.terminate()
    proc.wait(20)

    proc, url, _port, _log = serve("--trusted-proxy", "127.0.0.5", data=tmp_path / "proxied")
    assert login_attempts(url, "127.0.0.5", forwarded=True).count(429) == 0  # each a client of its own
    assert set(event_addresses(url)) == {f"10.9.{i}.1" for i in range(12)}
    # what the proxy forwards is text the event log keeps as text, never a formula (item 8)
    with client_from(url, "127.0.0.5") as client:
        page = client.get("/admin/login")
        client.post(
            "/admin/login",
            data={"csrf": csrf_of(page.text), "password": "sai"},
            headers={"x-forwarded-for": "=cmd|' /C calc'!A0"},
        )
    assert "'=cmd|' /C calc'!A0" in event_addresses(url)


# -- item 7: a killed server ----------------------------------------------------------------------


def test_after_kill_9_the_workers_die_and_the_temporaries_are_swept(serve, tmp_path, heavy_workbook):
    data = tmp_path / "portal"
    proc, url, port, _log = serve(data=data)
    link = links(data)["STTTT"]
    with client_from(url, "127.0.0.2") as clerk:
        sid = re.search(r"/s/(\d+)", str(post_upload(clerk, link, heavy_workbook).url)).group(1)
    # A worker busy on a long job (the annotated copy), and an upload being stored: kill -9.
    threading.Thread(
        target=lambda: _quietly(httpx.get, f"{url}{link}/s/{sid}/ghi-chu.xlsx", timeout=60), daemon=True
    ).start()
    time.sleep(1.0)
    workers = child_pids(proc.pid)
    assert workers, "no worker process"
    big = tmp_path / "big.xlsx"
    big.write_bytes(b"PK" + os.urandom(9 * 1024 * 1024))
    tmp = data / "files" / "tmp"
    caught = False
    for _ in range(5):  # the temporary lives a few milliseconds: watch for it, then kill
        threading.Thread(
            target=lambda: _quietly(post_upload, client_from(url, "127.0.0.3"), link, big), daemon=True
        ).start()
        give_up = time.monotonic() + 30
        while time.monotonic() < give_up and not caught:
            with contextlib.suppress(FileNotFoundError):
                caught = any(e.name.startswith("up-") for e in os.scandir(tmp))
        if caught:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    assert caught, "no upload was being stored"
    assert list(tmp.glob("up-*")), "the kill came too late to leave a temporary"
    give_up = time.monotonic() + 15
    while any(alive(pid) for pid in workers) and time.monotonic() < give_up:
        time.sleep(0.1)
    assert not [pid for pid in workers if alive(pid)], "a worker outlived the server"

    proc, url, _port, _log = serve(data=data, port=port)  # restarted on the same folder
    assert not list(tmp.glob("up-*"))
    assert stored_without_row(data) == []
    with contextlib.closing(sqlite3.connect(data / "dv-portal.sqlite3")) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with client_from(url, "127.0.0.2") as clerk:
        assert clerk.get(f"{link}/s/{sid}").status_code == 200


def _quietly(fn, *args, **kw) -> None:
    with contextlib.suppress(Exception):
        fn(*args, **kw)


# -- item 10: an abandoned upload -----------------------------------------------------------------


def test_an_abandoned_upload_is_one_line_in_the_log(serve, tmp_path):
    proc, url, port, log = serve()
    link = links(tmp_path / "portal")["STTTT"]
    body = b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.xlsx"\r\n\r\nPK' + b"\0" * 50_000
    for _ in range(3):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(
            f"POST {link}/nop HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=b\r\n"
            f"Content-Length: {len(body) + 500_000}\r\n\r\n".encode()
            + body
        )
        time.sleep(0.3)
        s.close()  # the clerk closed the tab
    time.sleep(1.0)
    proc.terminate()
    proc.wait(20)
    said = log.read_text("utf-8", "replace")
    assert "Traceback" not in said and "Exception in ASGI application" not in said, said[-3000:]
    lines = [line for line in said.splitlines() if "STTTT" in line]
    assert len(lines) == 3, said


def test_listening_on_every_address_without_base_url_says_what_address_the_links_use(serve, tmp_path):
    """``--host 0.0.0.0`` and no ``--base-url``: the links are a guess from the machine's name,
    and a clerk who opens the portal by its IP address could not send (the Origin check), so
    the officer is told at start; with ``--base-url`` nothing is guessed and nothing said."""
    proc, _url, _port, log = serve("--host", "0.0.0.0")
    proc.terminate()
    proc.wait(20)
    said = log.read_text("utf-8", "replace")
    assert "Đường dẫn của các đơn vị dùng tên máy này" in said and "--base-url" in said, said[-2000:]
    proc, _url, port, log = serve("--host", "0.0.0.0", "--base-url", "http://10.0.0.5:8000", data=tmp_path / "portal-2")
    proc.terminate()
    proc.wait(20)
    assert "tên máy này" not in log.read_text("utf-8", "replace")
