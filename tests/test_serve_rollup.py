"""The officer's report to the level above from the portal (docs/spec.md §9.6): the board's
"Lập báo cáo gửi cấp trên" fills the uploaded template of the level above with the round as the
board decides it — the same library call as ``dv roll-up`` —, or says why not."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the portal's web libraries (pip install 'dv[web]')")
from starlette.testclient import TestClient  # noqa: E402

from tests.support import submissions  # noqa: E402
from tests.support.domain import form  # noqa: E402
from tests.support.levels import MINISTRY_FORM, template_file  # noqa: E402
from tests.support.portal import PASSWORD, Clerk, csrf_of, links, login  # noqa: E402
from toolkit.form import load_form  # noqa: E402
from toolkit.intake import check_file  # noqa: E402
from toolkit.merger import merge  # noqa: E402
from toolkit.rollup import roll_up  # noqa: E402
from toolkit.roster import Unit, read_roster  # noqa: E402

UNITS = [Unit("SNV", "Sở Nội vụ", "so"), Unit("SYT", "Sở Y tế", "so"), Unit("HCT", "Huyện Châu Thành", "huyen")]
PROVINCE = Unit("TVH", "Tỉnh Trà Vinh", "tinh")


@pytest.fixture
def portal(tmp_path: Path):
    from toolkit.web.app import Config, create_app

    roster = read_roster(submissions.write_roster(tmp_path / "don-vi.csv", UNITS))
    data = tmp_path / "portal"
    settings = {"upload_per_link": (1000, 60.0), "upload_per_address": (1000, 60.0)}
    app = create_app(Config(data=data, form=form(), roster=roster, base_url="http://testserver", **settings))
    the_portal = app.state.portal
    the_portal.store.issue_missing_links("http://testserver")
    the_portal.store.set_password(PASSWORD)
    client = TestClient(app, base_url="http://testserver")
    yield the_portal, client, links(data)
    the_portal.checker.close()
    the_portal.store.close()


def upload_round(client, unit_links: dict[str, str], tmp_path: Path, units: list[Unit]) -> Path:
    """Each unit uploads its seeded file through its own link; the files, in a folder."""
    folder = tmp_path / "nop-ve"
    for i, unit in enumerate(units):
        values, docs = submissions.submission(random.Random(500 + i), unit)
        path = submissions.write(folder / f"{unit.code}.xlsx", values, docs, unit=unit)
        result = Clerk(client, unit_links[unit.code]).upload(path)
        assert result.status_code == 200, result.text
    return folder


def send_up(client, template: Path, partial: bool = False):
    board = client.get("/admin")
    data = {"csrf": csrf_of(board.text), **({"partial": "1"} if partial else {})}
    return client.post("/admin/gui-len", data=data, files={"file": (template.name, template.read_bytes())})


def test_the_board_offers_it(portal):
    _, client, _ = portal
    login(client)
    board = client.get("/admin").text
    assert 'action="/admin/gui-len"' in board and "Lập báo cáo gửi cấp trên" in board


def test_a_settled_round_comes_back_filled_as_dv_roll_up_fills_it(portal, tmp_path: Path):
    the_portal, client, unit_links = portal
    folder = upload_round(client, unit_links, tmp_path, UNITS)
    login(client)
    template = template_file(tmp_path / "mau-bo.xlsx", PROVINCE, load_form(MINISTRY_FORM))
    answer = send_up(client, template)
    assert answer.status_code == 200, answer.text
    assert "mau-bo-gui-len.xlsx" in answer.headers["content-disposition"]
    got = tmp_path / "tu-cong.xlsx"
    got.write_bytes(answer.content)
    ministry = load_form(MINISTRY_FORM)
    report = check_file(got, ministry)
    assert report.rollup is not None and report.rollup.units == 3 and report.rollup.settled
    # The same figures as dv roll-up on the files the units sent.
    cli = roll_up(merge([folder], form(), read_roster(tmp_path / "don-vi.csv")), template)
    for code, value in cli.values.items():
        assert report.values[code] == (pytest.approx(value) if isinstance(value, float) else value), code
    events = the_portal.store.events_csv(the_portal.cfg.timezone).decode("utf-8-sig")
    assert "roll-up" in events and "mau-bo.xlsx: written" in events


def test_an_unsettled_round_is_refused_on_the_board_unless_asked(portal, tmp_path: Path):
    _, client, unit_links = portal
    upload_round(client, unit_links, tmp_path, UNITS[:2])  # HCT sent nothing
    login(client)
    template = template_file(tmp_path / "mau-bo.xlsx", PROVINCE, load_form(MINISTRY_FORM))
    refused = send_up(client, template)
    assert refused.status_code == 200 and "Vòng tổng hợp chưa chốt" in refused.text and "HCT" in refused.text
    assert 'id="alert"' in refused.text
    short = send_up(client, template, partial=True)
    assert short.headers["content-type"].startswith("application/vnd.openxmlformats")
    got = tmp_path / "thieu.xlsx"
    got.write_bytes(short.content)
    report = check_file(got, load_form(MINISTRY_FORM))
    assert not report.rollup.settled and "rollup-partial" in {i.code for i in report.issues}


def test_only_the_officer_may(portal, tmp_path: Path):
    _, client, _ = portal
    template = template_file(tmp_path / "mau-bo.xlsx", PROVINCE, load_form(MINISTRY_FORM))
    answer = client.post("/admin/gui-len", files={"file": ("mau.xlsx", template.read_bytes())}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/admin/login")
    login(client)
    forged = client.post("/admin/gui-len", data={"csrf": "x"}, files={"file": ("mau.xlsx", io.BytesIO(b"x"))})
    assert forged.status_code == 403
