"""Never a guess in the portal (issue 17; docs/spec.md §7.6, §8.4): the unit's later upload
through its own link is its intent, whatever the dates inside the files, and the page says so;
the officer can choose another upload in one step on the unit's row (``merge_reports``'s
``use``, as ``dv merge --use``), logged, until the unit uploads again."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

pytest.importorskip("starlette", reason="the portal's web libraries (pip install 'dv[web]')")
from starlette.testclient import TestClient  # noqa: E402

from tests.support.domain import appendix, filled  # noqa: E402
from tests.support.portal import ROSTER, Clerk, csrf_of, links, login, make_portal, text_of  # noqa: E402
from tests.support.testing import saved  # noqa: E402

STTTT = ROSTER.get("STTTT")
UTC = dt.UTC


@pytest.fixture
def portal(tmp_path):
    data = tmp_path / "portal"
    app, the_portal = make_portal(data)
    client = TestClient(app, base_url="http://testserver")
    yield the_portal, client, Clerk(client, links(data)["STTTT"])
    the_portal.checker.close()
    the_portal.store.close()


def of(**changes):
    return appendix(unit_code=STTTT.code, unit_name=STTTT.name, **changes)


def counted(the_portal) -> str:
    (row,) = [r for r in the_portal.store.submissions("STTTT") if r["counts"]]
    return row["name"]


def test_the_later_upload_through_the_units_link_counts_whatever_its_dates(portal, tmp_path):
    """The correction, dated earlier and saved later than the first upload (the letter's date
    kept): dv merge could not tell; the unit's own later upload can, and the page says so."""
    the_portal, client, clerk = portal
    first = saved(
        filled(tmp_path, "a.xlsx", values=of(dvc_total=37), unit=STTTT), dt.datetime(2020, 11, 17, 14, 0, tzinfo=UTC)
    )
    fixed = saved(
        filled(tmp_path, "b.xlsx", values=of(dvc_total=38, report_date=dt.date(2020, 11, 12)), unit=STTTT),
        dt.datetime(2020, 11, 17, 8, 0, tzinfo=UTC),
    )
    clerk.upload(first)
    result = clerk.upload(fixed)
    assert text_of(result.text, "status").startswith("hợp lệ — đang dùng cho tổng hợp")
    assert counted(the_portal) == "b.xlsx"
    assert "Bản nộp hợp lệ sau cùng qua đường dẫn này là bản được dùng cho tổng hợp" in clerk.page().text
    assert "được đơn vị nộp sau, qua đường dẫn của đơn vị" in client.get(f"{clerk.link}/s/1").text


def test_the_officer_chooses_another_upload_on_the_units_row_until_the_unit_uploads_again(portal, tmp_path):
    the_portal, client, clerk = portal
    clerk.upload(filled(tmp_path, "a.xlsx", values=of(dvc_total=37), unit=STTTT))
    clerk.upload(filled(tmp_path, "b.xlsx", values=of(dvc_total=38), unit=STTTT))
    login(client)
    board = client.get("/admin")
    assert 'id="choose-STTTT"' in board.text and 'id="use-1"' in board.text and 'id="use-2"' not in board.text
    assert "là ý muốn của đơn vị và được dùng cho tổng hợp" in text_of(board.text, "rule")
    done = client.post("/admin/don-vi/STTTT/dung/1", data={"csrf": csrf_of(board.text)})
    assert done.status_code == 200 and "Đã chọn a.xlsx" in text_of(done.text, "notice")
    assert counted(the_portal) == "a.xlsx" and 'id="chosen-STTTT"' in done.text
    summary = openpyxl.load_workbook(io.BytesIO(client.get("/admin/tong-hop.xlsx").content), data_only=True)
    row = next(r for r in summary["Tổng hợp"].iter_rows(min_row=6, values_only=True) if r[1] == "STTTT")
    assert 37 in row
    log = client.get("/admin/nhat-ky.csv").content.decode("utf-8-sig")
    assert ",choose,STTTT 1 a.xlsx," in log
    # The unit uploads again: its newer intent; the choice lapses, and that is logged too.
    clerk.upload(filled(tmp_path, "c.xlsx", values=of(dvc_total=39), unit=STTTT))
    assert counted(the_portal) == "c.xlsx" and the_portal.store.choice("STTTT") is None
    assert ",choice-lapsed," in client.get("/admin/nhat-ky.csv").content.decode("utf-8-sig")


def test_the_choice_can_be_cleared_and_a_faulty_upload_is_never_choosable(portal, tmp_path):
    the_portal, client, clerk = portal
    clerk.upload(filled(tmp_path, "a.xlsx", values=of(dvc_total=37), unit=STTTT))
    clerk.upload(filled(tmp_path, "bad.xlsx", values=of(cut_total=9), unit=STTTT))
    clerk.upload(filled(tmp_path, "b.xlsx", values=of(dvc_total=38), unit=STTTT))
    login(client)
    csrf = csrf_of(client.get("/admin").text)
    assert client.post("/admin/don-vi/STTTT/dung/2", data={"csrf": csrf}).status_code == 404  # rejected
    client.post("/admin/don-vi/STTTT/dung/1", data={"csrf": csrf})
    assert counted(the_portal) == "a.xlsx"
    cleared = client.post("/admin/don-vi/STTTT/bo-chon", data={"csrf": csrf})
    assert "bản nộp hợp lệ sau cùng của Sở Thông tin và Truyền thông (STTTT)" in text_of(cleared.text, "notice")
    assert counted(the_portal) == "b.xlsx"
    assert client.post("/admin/don-vi/STTTT/dung/1", data={"csrf": "forged"}).status_code == 403


def test_a_file_naming_another_unit_waits_for_the_officer_on_the_board(portal, tmp_path):
    the_portal, client, clerk = portal
    clerk.upload(filled(tmp_path, "SYT-phu-luc.xlsx", values=of(report_number="45/BC-SYT"), unit=STTTT))
    page = clerk.page()
    assert text_of(page.text, "unit-status") == "chờ cán bộ quyết định"
    assert "xung đột đơn vị" in page.text
    login(client)
    board = client.get("/admin")
    row = board.text.split('id="unit-STTTT"', 1)[1].split("</tr>", 1)[0]
    assert "chờ cán bộ quyết định" in row and 'id="use-1"' in row
    assert text_of(board.text, "count-unit_conflict") == "1"
    client.post("/admin/don-vi/STTTT/dung/1", data={"csrf": csrf_of(board.text)})  # "it is ours": Sở TT&TT
    assert counted(the_portal) == "SYT-phu-luc.xlsx"


def test_the_annotated_copy_corrected_and_sent_back_through_the_link_counts(portal, tmp_path):
    """Issue 17 item 1 in the portal: the clerk downloads the copy with notes the portal offers
    ("tải bản có ghi chú"), corrects the cell in it, and uploads it: it is the unit's report and
    counts. The same copy sent back unchanged is the portal's own output: skipped, and said why."""
    from tests.support.domain import form

    the_portal, client, clerk = portal
    wrong = clerk.upload(filled(tmp_path, "STTTT.xlsx", values=of(cut_total=9), unit=STTTT))
    assert text_of(wrong.text, "status").startswith("bị từ chối")
    copy = client.get(f"{clerk.link}/s/1/ghi-chu.xlsx")
    assert copy.status_code == 200
    unchanged = clerk.upload(name="STTTT.kiem-tra.xlsx", content=copy.content)
    assert text_of(unchanged.text, "status").startswith("bỏ qua")
    assert "chưa sửa" in unchanged.text
    wb = openpyxl.load_workbook(io.BytesIO(copy.content))
    f = form().field("cut_total")
    wb[f.sheet][f.cell] = 8
    corrected = tmp_path / "STTTT.kiem-tra.xlsx"
    wb.save(corrected)
    result = clerk.upload(corrected)
    assert text_of(result.text, "status").startswith("hợp lệ — đang dùng cho tổng hợp"), text_of(result.text, "status")
    assert counted(the_portal) == "STTTT.kiem-tra.xlsx"
