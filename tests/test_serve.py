"""The submission portal (``dv serve``, docs/spec.md §7), through an in-process client: a unit
uploads through its link and sees what ``dv check`` says; the officer watches the board and
downloads what ``dv merge`` writes; each security rule has a test that fails without it."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

pytest.importorskip("starlette", reason="the portal's web libraries (pip install 'dv[web]')")
from starlette.testclient import TestClient  # noqa: E402

from tests.awkward.manifest import load_manifest  # noqa: E402
from tests.support.domain import appendix, filled, form  # noqa: E402
from tests.support.portal import ROSTER, ROSTER_PATH, Clerk, csrf_of, links, login, make_portal, sample, text_of  # noqa: E402
from toolkit.intake import check_file  # noqa: E402
from toolkit.intake.workers import JobFailed  # noqa: E402
from toolkit.issues import Status  # noqa: E402

STTTT = ROSTER.get("STTTT")


@pytest.fixture
def portal(tmp_path):
    """A running portal (app, Portal, client) on a fresh folder; closed after the test."""
    made = []

    def start(data=None, **config):
        app, the_portal = make_portal(data or tmp_path / "portal", **config)
        client = TestClient(app, base_url="https://testserver" if config.get("tls") else "http://testserver")
        made.append(the_portal)
        return app, the_portal, client

    yield start
    for p in made:
        p.checker.close()
        p.store.close()


def clerk_of(client, data, code):
    return Clerk(client, links(data)[code])


def faulty(folder, name="STTTT-phu-luc.xlsx"):
    """The seed's appendix with cut_total 9 where 4 + 4 = 8 (D27)."""
    return filled(folder, name, values=appendix(cut_total=9), unit=STTTT)


# -- the unit's walk ------------------------------------------------------------------------------


def test_a_unit_sees_its_errors_at_the_cell_and_takes_them_away(portal, tmp_path):
    _, _, client = portal()
    clerk = clerk_of(client, tmp_path / "portal", "STTTT")
    page = clerk.page()
    assert page.status_code == 200 and "Sở Thông tin và Truyền thông" in page.text
    assert text_of(page.text, "unit-status") == "chưa nộp"
    template = client.get(f"{clerk.link}/bieu-mau.xlsx")
    assert template.status_code == 200 and "STTTT" in template.headers["content-disposition"]
    assert openpyxl.load_workbook(io.BytesIO(template.content)).defined_names["unit_code"]

    wrong = faulty(tmp_path)
    result = clerk.upload(wrong)
    assert result.status_code == 200 and "/s/1" in str(result.url)
    assert text_of(result.text, "status").startswith("bị từ chối")
    expected = check_file(wrong, form(), ROSTER).errors[0]
    assert expected.cell == "D27" and expected.message in result.text.replace("&#34;", '"')
    assert "Phụ lục!D27" in result.text

    annotated = client.get(f"{clerk.link}/s/1/ghi-chu.xlsx")
    comment = openpyxl.load_workbook(io.BytesIO(annotated.content))["Phụ lục"]["D27"].comment
    assert comment is not None and "D27" in comment.text
    issues = openpyxl.load_workbook(io.BytesIO(client.get(f"{clerk.link}/s/1/loi.xlsx").content)).active
    assert any(row[2] == "Phụ lục!D27" for row in issues.iter_rows(values_only=True))
    assert client.get(f"{clerk.link}/s/1/tep").content == wrong.read_bytes()

    corrected = filled(tmp_path, "STTTT-phu-luc-sua.xlsx", unit=STTTT)
    again = clerk.upload(corrected)
    assert text_of(again.text, "status").startswith("hợp lệ")
    page = clerk.page()
    assert text_of(page.text, "unit-status") == "hợp lệ"
    assert Status.SUPERSEDED.text("vi") in page.text  # the faulty upload is kept, and superseded


def test_results_survive_a_reload_and_a_restart_and_no_upload_overwrites_another(portal, tmp_path):
    data = tmp_path / "portal"
    _, first, client = portal(data)
    clerk = clerk_of(client, data, "STTTT")
    wrong = faulty(tmp_path)
    clerk.upload(wrong)
    clerk.upload(wrong)  # the same bytes again: kept, a duplicate of the first
    before = clerk.page().text
    first.checker.close()
    first.store.close()

    _, _, client = portal(data)  # the server is restarted on the same folder
    clerk = clerk_of(client, data, "STTTT")
    assert clerk.page().text.count("/s/") == before.count("/s/") == 2
    assert Status.DUPLICATE.text("vi") in clerk.page().text
    assert text_of(client.get(f"{clerk.link}/s/1").text, "status").startswith("bị từ chối")
    stored = [p for p in (data / "files").rglob("*") if p.is_file()]
    assert len(stored) == 1 and stored[0].name.startswith(check_file(wrong, form()).sha256)


def test_english_pages_with_lang_en(portal, tmp_path):
    _, _, client = portal()
    clerk = clerk_of(client, tmp_path / "portal", "STTTT")
    result = client.post(
        f"{clerk.link}/nop?lang=en",
        data={"csrf": csrf_of(clerk.page().text)},
        files={"file": ("a.xlsx", faulty(tmp_path).read_bytes())},
    )
    assert text_of(result.text, "status").startswith("rejected")
    assert "but civil servants 4 + public employees 4 = 8" in result.text or "D27" in result.text
    assert client.get("/u/nothing?lang=en").text.count("Page not found") == 1


# -- bad input: the same as dv check --------------------------------------------------------------


@pytest.mark.parametrize("entry", load_manifest(), ids=lambda e: e["name"])
def test_every_awkward_file_gets_what_dv_check_gives(entry, portal, tmp_path):
    """What ``dv check`` gives a file sent as a unit's report (``submitted``): a stray file in a
    folder is skipped, the same file uploaded through a unit's link is rejected (issue 17
    item 11: the portal never answers "0 lỗi" for a file it did not read)."""
    expected = check_file(entry["path"], form(), ROSTER, submitted=True)
    code = expected.unit_code if ROSTER.get(expected.unit_code or "-") else "STTTT"
    _, the_portal, client = portal()
    result = clerk_of(client, tmp_path / "portal", code).upload(entry["path"])
    assert result.status_code == 200
    row = the_portal.store.submissions(code)[0]
    from toolkit.web.store import report_from_json

    got = report_from_json(row["report"])
    assert got.status == expected.status
    strip = lambda r: [(i.code, i.severity, i.sheet, i.cell, i.message) for i in r.sorted_issues()]  # noqa: E731
    assert strip(got) == strip(expected)
    assert "Traceback" not in result.text


def test_a_file_naming_another_unit_is_rejected_and_says_both_units(portal, tmp_path):
    _, _, client = portal()
    result = clerk_of(client, tmp_path / "portal", "STTTT").upload(sample("SXD"))
    assert text_of(result.text, "status").startswith("bị từ chối")
    assert "báo cáo của đơn vị SXD" in result.text and "đường dẫn của đơn vị STTTT" in result.text


def test_a_file_that_kills_the_reader_or_hangs_is_that_files_error(portal):
    _, the_portal, _ = portal(check_timeout=1.0)
    checker = the_portal.checker
    with pytest.raises(JobFailed) as died:
        checker.run(os._exit, 3)
    with pytest.raises(JobFailed) as slow:
        checker.run(time.sleep, 10)
    assert (died.value.why, slow.value.why) == ("crashed", "timeout")
    # only those workers are replaced: the next file is checked as usual
    assert checker.check(sample("STTTT"), "a.xlsx", "STTTT").status == "accepted"


# -- the officer ---------------------------------------------------------------------------------


def upload_samples(client, data, codes):
    for code in codes:
        clerk_of(client, data, code).upload(sample(code))


def test_the_board_counts_statuses_and_lists_who_is_missing(portal, tmp_path):
    data = tmp_path / "portal"
    _, _, client = portal(data, deadline=dt.date.today() - dt.timedelta(days=1))
    upload_samples(client, data, ["STTTT", "SNV", "SXD"])  # SXD's sample has a wrong total
    assert login(client).status_code == 200
    board = client.get("/admin")
    assert text_of(board.text, "count-unit_late") == "2"  # after yesterday's deadline
    assert text_of(board.text, "count-unit_rejected") == "1"
    assert text_of(board.text, "count-unit_missing") == str(len(ROSTER.units) - 3)
    reminder = text_of(client.get("/admin/chua-nop").text, "reminder")
    assert "Sở Tư pháp (STP): chưa nộp" in reminder and "(SXD): bị từ chối" in reminder
    assert "STTTT" not in reminder


def test_the_portals_summary_is_what_dv_merge_gives_on_the_files_that_count(portal, tmp_path):
    data = tmp_path / "portal"
    _, the_portal, client = portal(data)
    codes = ["STTTT", "SNV", "SXD", "SYT", "BDT", "VPUBND"]
    upload_samples(client, data, codes)
    clerk_of(client, data, "STTTT").upload(faulty(tmp_path))  # a later faulty file: the valid one still counts
    login(client)
    got = {name: client.get(f"/admin/{name}").content for name in ("tong-hop.xlsx", "tong-hop.json", "phu-luc.docx")}
    folder = the_portal.round.export()
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{c}{sample(c).suffix}" for c in codes if c != "SXD")
    out = tmp_path / "merge"
    out.mkdir()
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "toolkit.cli",
            "merge",
            str(folder),
            "--units",
            str(ROSTER_PATH),
            "-o",
            str(out / "t.xlsx"),
            "--json",
            str(out / "t.json"),
            "--docx",
            str(out / "p.docx"),
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(got["tong-hop.json"]) == json.loads((out / "t.json").read_text(encoding="utf-8"))
    assert cells(got["tong-hop.xlsx"]) == cells((out / "t.xlsx").read_bytes())
    assert docx_text(got["phu-luc.docx"]) == docx_text((out / "p.docx").read_bytes())
    zipped = zipfile.ZipFile(io.BytesIO(client.get("/admin/tep-hop-le.zip").content))
    assert sorted(zipped.namelist()) == sorted(p.name for p in folder.iterdir())


def cells(data: bytes) -> dict:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def docx_text(data: bytes) -> list[str]:
    import docx

    document = docx.Document(io.BytesIO(data))
    return [p.text for p in document.paragraphs] + [c.text for t in document.tables for r in t.rows for c in r.cells]


def test_recheck_the_export_and_the_event_log(portal, tmp_path):
    data = tmp_path / "portal"
    _, the_portal, client = portal(data)
    upload_samples(client, data, ["STTTT"])
    login(client)
    board = client.get("/admin").text
    done = client.post("/admin/kiem-tra-lai", data={"csrf": csrf_of(board)})
    assert "Đã kiểm tra lại 1 tệp." in done.text
    exported = client.post("/admin/xuat", data={"csrf": csrf_of(board)})
    assert "dv merge" in text_of(exported.text, "notice")
    log = client.get("/admin/nhat-ky.csv").content.decode("utf-8-sig")
    assert "upload" in log and "login" in log and "recheck" in log and "export" in log
    db = sqlite3.connect(data / "dv-portal.sqlite3")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM events")
    submission = client.get("/admin/s/1")
    assert submission.status_code == 200 and "STTTT" in submission.text
    assert client.get("/admin/s/1/tep").content == sample("STTTT").read_bytes()


# -- security: each rule, and a test that fails without it ------------------------------------------


def test_a_link_sees_only_its_own_units_submissions(portal, tmp_path):
    data = tmp_path / "portal"
    _, _, client = portal(data)
    clerk_of(client, data, "STTTT").upload(sample("STTTT"))
    other = links(data)["SNV"]
    for path in ("/s/1", "/s/1/tep", "/s/1/loi.xlsx", "/s/1/ghi-chu.xlsx"):
        assert client.get(f"{other}{path}").status_code == 404, path
    assert client.get(f"{links(data)['STTTT']}/s/1").status_code == 200


def test_unknown_and_revoked_links_are_404(portal, tmp_path):
    data = tmp_path / "portal"
    _, the_portal, client = portal(data)
    old = links(data)["STTTT"]
    assert client.get("/u/not-a-link").status_code == 404
    login(client)
    page = client.post("/admin/don-vi/STTTT/link-moi", data={"csrf": csrf_of(client.get("/admin").text)})
    new = "/u/" + text_of(page.text, "new-link").rsplit("/u/", 1)[1]
    assert client.get(old).status_code == 404 and client.get(new).status_code == 200
    assert links(data)["STTTT"] == new  # links.csv has the new one
    db = sqlite3.connect(data / "dv-portal.sqlite3")
    stored = json.dumps([list(r) for r in db.execute("SELECT * FROM units")])
    assert new.rsplit("/", 1)[1] not in stored  # only a hash of the secret is kept


def test_officer_pages_need_the_login(portal):
    _, _, client = portal()
    for path in ("/admin", "/admin/tong-hop.xlsx", "/admin/nhat-ky.csv", "/admin/chua-nop", "/admin/s/1"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/admin/login"), path
    assert login(client, "sai-mat-khau").status_code == 401
    assert client.get("/admin", follow_redirects=False).status_code == 303
    board = login(client)
    assert board.status_code == 200 and client.get("/admin", follow_redirects=False).status_code == 200
    client.post("/admin/logout", data={"csrf": csrf_of(board.text)})
    assert client.get("/admin", follow_redirects=False).status_code == 303


def test_the_password_is_kept_as_a_slow_hash(portal, tmp_path):
    data = tmp_path / "portal"
    portal(data)
    stored = sqlite3.connect(data / "dv-portal.sqlite3").execute("SELECT value FROM settings WHERE key='password'")
    kind, n, *_ = stored.fetchone()[0].split("$")
    assert kind == "scrypt" and int(n) >= 2**14


def test_session_cookie_is_httponly_samesite_strict_and_secure_under_tls(portal, tmp_path):
    _, _, client = portal()
    cookie = login(client).history[0].headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" not in cookie
    _, _, tls = portal(tmp_path / "tls", tls=True)
    cookie = login(tls).history[0].headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" in cookie


def test_state_changing_requests_need_the_forms_token(portal, tmp_path):
    data = tmp_path / "portal"
    _, the_portal, client = portal(data)
    clerk = clerk_of(client, data, "STTTT")
    assert clerk.upload(sample("STTTT"), csrf="forged").status_code == 403
    other_units_token = csrf_of(clerk_of(client, data, "SNV").page().text)
    assert clerk.upload(sample("STTTT"), csrf=other_units_token).status_code == 403
    page = clerk.page().text
    cross_site = clerk.upload(sample("STTTT"), csrf=csrf_of(page), headers={"origin": "http://evil.example"})
    assert cross_site.status_code == 403
    assert the_portal.store.submissions("STTTT") == []
    login(client)
    assert client.post("/admin/kiem-tra-lai", data={"csrf": "forged"}).status_code == 403
    assert client.post("/admin/don-vi/STTTT/link-moi", data={}).status_code == 403
    fresh = TestClient(client.app, base_url="http://testserver")
    assert fresh.post("/admin/login", data={"csrf": "x", "password": "mat-khau-cua-so"}).status_code == 403


def test_every_response_carries_the_security_headers(portal, tmp_path):
    _, _, client = portal()
    for path in ("/", links(tmp_path / "portal")["STTTT"], "/admin/login", "/u/none", "/static/style.css"):
        headers = client.get(path).headers
        assert headers["referrer-policy"] == "no-referrer", path
        assert headers["x-content-type-options"] == "nosniff"
        assert "default-src 'none'" in headers["content-security-policy"]
        assert "script-src" not in headers["content-security-policy"]
    page = client.get(links(tmp_path / "portal")["STTTT"]).text
    assert "<script" not in page and "http" not in page.split("<body>", 1)[1]  # nothing from another site


def test_an_oversize_upload_is_413_while_streaming(portal, tmp_path):
    data = tmp_path / "portal"
    _, the_portal, client = portal(data, max_upload=100_000)
    clerk = clerk_of(client, data, "STTTT")
    big = b"PK" + b"\0" * 300_000
    response = clerk.upload(name="big.xlsx", content=big)
    assert response.status_code == 413 and "Tệp quá lớn (tối đa 97.6562 kB)" in response.text
    # no Content-Length: the body is counted as it arrives
    token = csrf_of(clerk.page().text)
    boundary = "b0undary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{token}\r\n--{boundary}\r\n'
        'Content-Disposition: form-data; name="file"; filename="big.xlsx"\r\n\r\n'
    ).encode()

    def chunks():
        yield head
        for _ in range(30):
            yield b"\0" * 10_000
        yield f"\r\n--{boundary}--\r\n".encode()

    response = client.post(
        f"{clerk.link}/nop", content=chunks(), headers={"content-type": f"multipart/form-data; boundary={boundary}"}
    )
    assert response.status_code == 413
    assert the_portal.store.submissions("STTTT") == []
    assert not [p for p in (data / "files").rglob("*") if p.is_file()]


def test_the_clients_file_name_is_only_shown_never_a_path(portal, tmp_path):
    data = tmp_path / "portal"
    _, the_portal, client = portal(data)
    clerk = clerk_of(client, data, "STTTT")
    result = clerk.upload(name="../../../../tmp/<b>x.xlsx", content=sample("STTTT").read_bytes())
    assert result.status_code == 200
    assert "<b>x" not in result.text and "&lt;b&gt;x.xlsx" in result.text  # the last part, escaped
    assert the_portal.store.submissions("STTTT")[0]["name"] == "<b>x.xlsx"
    files = [p for p in (data / "files").rglob("*") if p.is_file()]
    assert [p.name for p in files] == [the_portal.store.submissions("STTTT")[0]["sha256"] + ".xlsx"]
    assert not list(tmp_path.rglob("<b>x.xlsx")) and not Path("/tmp/<b>x.xlsx").exists()
    long_name = clerk.upload(name="a" * 300 + ".xlsx", content=sample("STTTT").read_bytes())
    assert len(the_portal.store.submissions("STTTT")[-1]["name"]) <= 120 and long_name.status_code == 200


def test_uploads_are_rate_limited_per_link_and_per_address(portal, tmp_path):
    data = tmp_path / "portal"
    _, _, client = portal(data, upload_per_link=(2, 60.0), upload_per_address=(3, 60.0))
    clerk = clerk_of(client, data, "STTTT")
    assert [clerk.upload(sample("STTTT")).status_code for _ in range(3)] == [200, 200, 429]
    assert "Quá nhiều yêu cầu" in clerk.upload(sample("STTTT")).text
    other = clerk_of(client, data, "SNV")
    assert [other.upload(sample("SNV")).status_code for _ in range(2)] == [200, 429]  # the address's third


def test_guessing_links_is_rate_limited(portal):
    _, _, client = portal(pages_per_address=(5, 60.0))
    assert [client.get(f"/u/guess{i}").status_code for i in range(6)] == [404] * 5 + [429]


def test_a_full_disk_keeps_nothing_half_written(portal, tmp_path, monkeypatch):
    import errno

    from toolkit.web import store

    data = tmp_path / "portal"
    _, the_portal, client = portal(data)

    def full(_fh, _chunk):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store, "_write", full)
    response = clerk_of(client, data, "STTTT").upload(sample("STTTT"))
    assert response.status_code == 507 and "hết chỗ lưu" in response.text
    assert the_portal.store.submissions("STTTT") == []
    assert not [p for p in (data / "files").rglob("*") if p.is_file()]
    assert sqlite3.connect(data / "dv-portal.sqlite3").execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# -- the command ---------------------------------------------------------------------------------


def test_dv_serve_sets_the_password_and_refuses_bad_options(tmp_path):
    env = {**os.environ, "DV_PASSWORD": "mot-mat-khau-dai"}
    dv = [sys.executable, "-m", "toolkit.cli", "serve", "--data", str(tmp_path / "p")]
    done = subprocess.run([*dv, "--set-password"], env=env, capture_output=True, text=True)
    assert done.returncode == 0 and "Đã đặt mật khẩu" in done.stdout
    short = subprocess.run([*dv, "--set-password"], env={**env, "DV_PASSWORD": "ngan"}, capture_output=True, text=True)
    assert short.returncode == 2 and "ít nhất 8" in short.stderr
    assert "--units" in subprocess.run(dv, capture_output=True, text=True).stderr
    bad = subprocess.run([*dv, "--units", str(ROSTER_PATH), "--max-upload", "mười"], capture_output=True, text=True)
    assert bad.returncode == 2 and "--max-upload" in bad.stderr
