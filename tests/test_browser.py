"""The portal in a real browser: headless Chromium (Debian's ``chromium`` and
``chromium-driver``) driven by Selenium with the system driver, against ``dv serve`` running
as the officer starts it. The walk of a clerk and of the officer (issue 12).

``DV_UPDATE_DOCS=1`` also saves the screenshots README shows into docs/."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from pathlib import Path

import openpyxl
import pytest

from tests.support.domain import appendix, filled
from tests.support.portal import PASSWORD, ROOT, ROSTER, links, sample, start_dv_serve
from tests.support.testing import SEED_DOCS, fill_template

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = pytest.mark.browser  # skipped without chromium and its driver (tests/support/programs.py)
webdriver = pytest.importorskip("selenium.webdriver")
pytest.importorskip("starlette")

FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,1000",
    "--lang=vi",
)


@pytest.fixture
def server(tmp_path):
    """``dv serve`` on the sample roster, as ``make serve`` starts it; the base URL and folder."""
    data = tmp_path / "portal"
    # A deadline a month ahead: uploads are on time, and the screenshots show a plausible date.
    deadline = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    proc, url, _port = start_dv_serve(data, "--deadline", deadline)
    yield url, data
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def browser(tmp_path):
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
            "intl.accept_languages": "vi-VN,vi",
        },
    )
    from selenium.webdriver.chrome.service import Service

    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    # A click that posts a form returns before the next page is there: every lookup waits for
    # its element (a busy machine once made the board's counter "not found" right after login).
    driver.implicitly_wait(30)
    driver.downloads = downloads
    yield driver
    driver.quit()


def downloaded(driver, suffix: str, before: set[str] = frozenset()) -> Path:
    for _ in range(100):
        done = [p for p in driver.downloads.iterdir() if p.name.endswith(suffix) and p.name not in before]
        if done:
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"no {suffix} downloaded: {list(driver.downloads.iterdir())}")


def upload(driver, path: Path) -> None:
    from selenium.webdriver.common.by import By

    assert 'id="file"' in driver.page_source, driver.page_source[-1500:]
    driver.find_element(By.ID, "file").send_keys(str(path))
    driver.find_element(By.ID, "send").click()
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 60).until(lambda d: d.find_elements(By.ID, "status"))  # the result page


def shot(driver, name: str, tmp_path: Path) -> None:
    driver.save_screenshot(str(tmp_path / name))
    if os.environ.get("DV_UPDATE_DOCS"):
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1280, min(max(height + 120, 600), 2400))
        driver.save_screenshot(str(ROOT / "docs" / name))
        driver.set_window_size(1280, 1000)


def test_a_clerk_corrects_a_file_and_the_officer_downloads_the_summary(server, browser, tmp_path):
    from selenium.webdriver.common.by import By

    url, data = server
    unit_links = links(data)
    # Other units have sent their files already (one of them wrong): the board has a round to show.
    for code in ("SNV", "STP", "SXD", "SYT", "BDT", "VPUBND"):
        browser.get(url + unit_links[code])
        upload(browser, sample(code))

    browser.get(url + unit_links["STTTT"])
    assert "Sở Thông tin và Truyền thông" in browser.page_source
    assert browser.find_element(By.ID, "unit-status").text == "chưa nộp"
    browser.find_element(By.ID, "template").click()
    template = downloaded(browser, ".xlsx")
    assert "STTTT" in template.name

    wrong = tmp_path / "STTTT-phu-luc-2020.xlsx"
    fill_template(template, appendix(cut_total=9), SEED_DOCS, out=wrong)
    upload(browser, wrong)
    assert browser.find_element(By.ID, "status").text.startswith("bị từ chối")
    assert "Tổng số biên chế đã giảm (D27) là 9, nhưng công chức 4 + viên chức 4 = 8" in browser.page_source
    shot(browser, "cong-nop-ket-qua.png", tmp_path)
    before = {p.name for p in browser.downloads.iterdir()}
    browser.find_element(By.ID, "annotated").click()
    annotated = downloaded(browser, ".kiem-tra.xlsx", before)
    assert "D27" in openpyxl.load_workbook(annotated)["Phụ lục"]["D27"].comment.text

    right = tmp_path / "STTTT-phu-luc-2020-da-sua.xlsx"
    fill_template(template, appendix(), SEED_DOCS, out=right)
    browser.get(url + unit_links["STTTT"])
    upload(browser, right)
    assert browser.find_element(By.ID, "status").text.startswith("hợp lệ")

    browser.get(url + "/admin")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.ID, "login").click()
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 60).until(lambda d: d.find_elements(By.ID, "count-unit_valid"))  # the board
    assert browser.find_element(By.ID, "count-unit_valid").text == "6"
    assert browser.find_element(By.ID, "count-unit_rejected").text == "1"
    row = browser.find_element(By.ID, "unit-STTTT").text
    assert "hợp lệ" in row and right.name in row
    shot(browser, "cong-nop-bang.png", tmp_path)
    before = {p.name for p in browser.downloads.iterdir()}
    browser.find_element(By.ID, "dl-summary").click()
    summary = openpyxl.load_workbook(downloaded(browser, ".xlsx", before))
    assert "Tổng hợp" in summary.sheetnames
    assert any("STTTT" in str(c) for r in summary["Tổng hợp"].iter_rows(values_only=True) for c in r)


# What a finger can tap: links, buttons, fields, the new-link disclosure.
TARGETS = """
return Array.from(document.querySelectorAll('a[href], button, input:not([type=hidden]), summary, select'))
  .filter(e => e.checkVisibility())
  .map(e => [e.tagName.toLowerCase(), e.id || e.textContent.trim().slice(0, 40), e.getBoundingClientRect().height]);
"""


def test_on_a_phone_every_touch_target_is_at_least_44_px_high(server, browser, tmp_path):
    """The clerk often opens the link from Zalo on a phone (issue 18): on a 390×844 window each
    page's links, buttons and fields are at least 44 px high (Apple's and WCAG's touch size)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    url, data = server
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 3, "mobile": True}
    )
    link = links(data)["STTTT"]
    wrong = filled(tmp_path, "STTTT-phu-luc-2020.xlsx", values=appendix(cut_total=9), unit=ROSTER.get("STTTT"))
    measured: dict[str, list] = {}
    browser.get(url + link)
    assert browser.execute_script("return window.innerWidth") == 390  # the page's viewport is the phone's
    measured["unit page"] = browser.execute_script(TARGETS)
    upload(browser, wrong)  # the result page, then the unit page with its history
    measured["result page"] = browser.execute_script(TARGETS)
    browser.get(url + link)
    measured["unit page with an upload"] = browser.execute_script(TARGETS)
    browser.get(url + "/admin")
    measured["login"] = browser.execute_script(TARGETS)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.ID, "login").click()
    WebDriverWait(browser, 60).until(lambda d: d.find_elements(By.ID, "count-unit_valid"))
    measured["board"] = browser.execute_script(TARGETS)
    small = {page: [t for t in targets if t[2] < 44] for page, targets in measured.items()}
    assert all(measured.values()) and not any(small.values()), small
