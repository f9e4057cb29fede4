"""Test helpers for the portal (``dv serve``): a portal on a temporary folder with the sample
roster, and a clerk who opens a unit's link and uploads files the way a browser does."""

from __future__ import annotations

import csv
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.support.domain import form
from toolkit.roster import read_roster

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from toolkit.web.app import Portal

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "submissions"
ROSTER_PATH = ROOT / "samples" / "units.csv"
ROSTER = read_roster(ROSTER_PATH)
PASSWORD = "mat-khau-cua-so"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_dv_serve(
    data: Path,
    *options: str,
    context: Any = None,
    units: Path = ROSTER_PATH,
    log: Path | None = None,
    port: int | None = None,
    preexec: Any = None,
) -> tuple[subprocess.Popen, str, int]:
    """``dv serve`` on the roster ``units`` (the sample's) in a process of its own, as ``make
    serve`` starts it (the officer's password set first), once it answers: the process, its
    base URL and port. ``context``: the TLS context of an HTTPS portal. ``log``: a file for
    what the server prints (else a pipe, read once it has stopped: a server that prints much
    would fill it); ``port``: the port of an earlier run (a restart); ``preexec``: run in the
    child before dv (limits). The caller stops the process."""
    import pytest

    port = port or free_port()
    dv = [sys.executable, "-m", "toolkit.cli", "serve", "--data", str(data)]
    env = {**os.environ, "DV_PASSWORD": PASSWORD}
    subprocess.run([*dv, "--set-password"], env=env, check=True, capture_output=True)
    out = subprocess.PIPE if log is None else log.open("ab")
    proc = subprocess.Popen(
        [*dv, "--units", str(units), "--port", str(port), *options],
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        preexec_fn=preexec,
    )
    if log is not None:
        out.close()
    url = f"{'https' if context else 'http'}://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(url + "/admin/login", timeout=2, context=context)
            break
        except OSError:  # urllib's URLError too: not listening yet
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail(proc.stdout.read().decode() if log is None else log.read_text("utf-8", "replace"))
    return proc, url, port


def sample(code: str) -> Path:
    """The sample province's file of one unit."""
    return next(p for p in sorted(SAMPLES.iterdir()) if p.name.startswith((f"{code}-", f"{code} ")))


def links(data: Path) -> dict[str, str]:
    """links.csv of the portal folder: unit code → path of its link (``/u/<secret>``)."""
    with (data / "links.csv").open(encoding="utf-8-sig", newline="") as fh:
        return {row["code"]: "/u/" + row["link"].rsplit("/u/", 1)[1] for row in csv.DictReader(fh)}


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def text_of(html: str, element_id: str) -> str:
    m = re.search(rf'id="{element_id}"[^>]*>(.*?)</', html, re.S)
    return re.sub(r"\s+", " ", m.group(1)).strip() if m else ""


def make_portal(data: Path, **config: Any) -> tuple[Starlette, Portal]:
    from toolkit.web.app import Config, create_app

    settings: dict[str, Any] = {"upload_per_link": (1000, 60.0), "upload_per_address": (1000, 60.0)}
    settings.update(config)
    app = create_app(Config(data=data, form=form(), roster=ROSTER, base_url="http://testserver", **settings))
    portal = app.state.portal
    portal.store.issue_missing_links("http://testserver")
    if not portal.store.has_password:
        portal.store.set_password(PASSWORD)
    return app, portal


@dataclass
class Clerk:
    """A unit's clerk with the unit's link, in a browser-like client."""

    client: Any
    link: str

    def page(self) -> Any:
        return self.client.get(self.link)

    def upload(
        self,
        path: Path | None = None,
        *,
        name: str | None = None,
        content: bytes | None = None,
        csrf: str | None = None,
        **kw: Any,
    ) -> Any:
        token = csrf if csrf is not None else csrf_of(self.page().text)
        data = content if content is not None else path.read_bytes()
        return self.client.post(
            f"{self.link}/nop", data={"csrf": token}, files={"file": (name or path.name, data)}, **kw
        )


def login(client: Any, password: str = PASSWORD) -> Any:
    page = client.get("/admin/login")
    return client.post("/admin/login", data={"csrf": csrf_of(page.text), "password": password})


def padded(folder: Path, rows: int, unit_code: str = "STTTT", name: str = "", source: Path | None = None) -> Path:
    """A valid workbook of ``unit_code`` (``source``, else the seed's appendix filled in that
    unit's template) padded with ``rows`` rows of figures below the form: checked in well under
    a second, but its annotated copy (openpyxl reads and writes every cell) takes seconds —
    ~10 s for 40,000 rows here. The heavy download of issue 18."""
    import shutil

    import openpyxl

    from tests.support.domain import filled

    path = folder / (name or f"{unit_code}-dem-{rows}.xlsx")
    if source is not None:
        shutil.copyfile(source, path)
    else:
        filled(folder, path.name, unit=ROSTER.get(unit_code))
    book = openpyxl.load_workbook(path)
    sheet = book[form().field(form().roster_code).sheet]
    start = sheet.max_row + 20
    for r in range(start, start + rows):
        sheet.cell(r, 1, f"dòng thêm {r}")
        for c in range(2, 12):
            sheet.cell(r, c, r * c)
    book.save(path)
    return path


def post_upload(client: Any, link: str, path: Path, *, name: str | None = None) -> Any:
    """A clerk's upload with a real HTTP client (httpx): the unit's page for the form's token,
    then the file; the result page (redirects followed)."""
    token = csrf_of(client.get(link).text)
    return client.post(
        f"{link}/nop",
        data={"csrf": token},
        files={"file": (name or path.name, path.read_bytes())},
        follow_redirects=True,
    )


def child_pids(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc: Linux)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            if f"\nPPid:\t{pid}\n" in status:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """A process that exists and is not a zombie."""
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
