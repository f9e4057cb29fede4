"""The portal's web application (Starlette): the unit's pages behind its secret link, the
officer's board behind a password. Pages are rendered on the server; no script at all."""

from __future__ import annotations

import datetime as dt
import hmac
import io
import logging
import shutil
import time
import urllib.parse
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import jinja2
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import ClientDisconnect, Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..form import Form
from ..intake.workers import JobError, JobFailed
from ..issues import ERROR, FileReport
from ..messages import t
from ..roster import Roster
from .checking import OFFICER, Busy, Checker
from .clock import DEFAULT_ZONE, deadline_end, load_zone, when, zone_label
from .derived import Derived, NotMade, derived_key
from .exports import write_texts
from .round import CONFLICT, LATE, MISSING, REJECTED, VALID, Round
from .store import Store, display_name, is_disk_full, report_from_json, safe_extension

__all__ = ["Config", "create_app"]

HERE = Path(__file__).resolve().parent
STYLE = (HERE / "static" / "style.css").read_bytes()  # read once: it changes only with dv itself
SESSION_COOKIE, LOGIN_COOKIE = "dv_officer", "dv_login"


def _default_zone() -> dt.tzinfo:
    return load_zone(DEFAULT_ZONE) or dt.timezone(dt.timedelta(hours=7))


def origin_of(url: str) -> str:
    """``https://host:port`` of a URL, as a browser's ``Origin`` header names it (lower case,
    no default port)."""
    parts = urllib.parse.urlsplit(url.strip())
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    host = f"[{host}]" if ":" in host else host
    port = parts.port
    default = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{host}" + (f":{port}" if port and port != default else "")


@dataclass
class Config:
    data: Path
    form: Form
    roster: Roster | None
    max_upload: int = 10 * 1024 * 1024
    deadline: dt.date | None = None
    tls: bool = False  # cookies marked Secure, for pages reached over HTTPS (dv's own TLS or a proxy's)
    base_url: str = "http://127.0.0.1:8080"
    # The origins whose pages may post forms (the Origin check): the base URL's, plus what
    # dv serve adds (the server machine's own loopback addresses). Never the Host header.
    origins: frozenset[str] = frozenset()
    timezone: dt.tzinfo = field(default_factory=_default_zone)
    lang: str = "vi"  # of the server's log lines
    check_jobs: int = 2
    check_timeout: float = 30.0
    heavy_timeout: float = 120.0  # an annotated copy (a summary: 300 s)
    # (requests, seconds): uploads per unit link, uploads per address, unit pages per address
    # (also counts unknown links: guessing), login attempts per address, downloads made on
    # request (annotated copy, list of issues, template) per link and per address.
    upload_per_link: tuple[int, float] = (20, 60.0)
    upload_per_address: tuple[int, float] = (300, 60.0)
    pages_per_address: tuple[int, float] = (600, 60.0)
    login_per_address: tuple[int, float] = (10, 60.0)
    heavy_per_link: tuple[int, float] = (20, 60.0)
    heavy_per_address: tuple[int, float] = (120, 60.0)

    def __post_init__(self) -> None:
        self.origins = frozenset({origin_of(self.base_url), *self.origins})


class Limiter:
    """Sliding-window counts in memory (a restart forgets them, which is harmless), for at
    most ``max_keys`` keys: past that, keys with no hit in their window go first, then the
    least recently seen (a flood of new addresses cannot grow the server's memory)."""

    def __init__(self, max_keys: int = 10_000) -> None:
        self.max_keys = max_keys
        self._hits: OrderedDict[tuple[str, str], tuple[float, deque[float]]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._hits)

    def allow(self, key: tuple[str, str], rule: tuple[int, float]) -> bool:
        limit, window = rule
        now = time.monotonic()
        if key in self._hits:
            self._hits.move_to_end(key)
            hits = self._hits[key][1]
        else:
            if len(self._hits) >= self.max_keys:
                self._prune(now)
            hits = deque()
            self._hits[key] = (window, hits)
        while hits and hits[0] <= now - window:
            hits.popleft()
        if len(hits) >= limit:
            return False
        hits.append(now)
        return True

    def _prune(self, now: float) -> None:
        for key in [k for k, (window, hits) in self._hits.items() if not hits or hits[-1] <= now - window]:
            del self._hits[key]
        while len(self._hits) >= self.max_keys:
            self._hits.popitem(last=False)


class Refused(Exception):
    def __init__(self, status: int, key: str, *, retry: int | None = None, **params: Any) -> None:
        super().__init__(key)
        self.status, self.key, self.params, self.retry = status, key, params, retry


class Abandoned(Exception):
    """The client left in the middle of its request (closed the tab, lost the network, or
    sent nothing for the guard's body timeout)."""


class SecurityHeaders:
    """Every response: no Referer (the links are secrets), no MIME sniffing, no framing, no
    script, nothing from another site; private pages are not cached."""

    HEADERS = [
        (b"referrer-policy", b"no-referrer"),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (
            b"content-security-policy",
            b"default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
            b"frame-ancestors 'none'; base-uri 'none'",
        ),
        (b"cache-control", b"no-store"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]

    # Under TLS (dv's own, or a trusted proxy's X-Forwarded-Proto): the browser uses HTTPS only
    # for a year, so a later plain http:// link cannot be taken over on the network.
    HSTS = (b"strict-transport-security", b"max-age=31536000")

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = [*self.HEADERS, self.HSTS] if scope.get("scheme") == "https" else self.HEADERS

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *headers]
            await send(message)

        await self.app(scope, receive, with_headers)


def lang_of(request: Request) -> str:
    asked = request.query_params.get("lang")
    if asked in ("vi", "en"):
        return asked
    first = request.headers.get("accept-language", "").split(",")[0].strip().lower()
    return "en" if first.startswith("en") else "vi"


def lang_query(request: Request) -> str:
    """``?lang=en`` on the links and redirects of an English page, so the next page stays
    English; nothing for Vietnamese, the default."""
    return "?lang=en" if lang_of(request) == "en" else ""


def human_size(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB" if n >= 1024 * 1024 else f"{n / 1024:g} kB"


def route_path(request: Request) -> str:
    """The path of the page, rebuilt from its route and its parameters (quoted), never the
    raw request path: ``GET //evil.example/x`` matches no route, and its links go to ``/``."""
    route = request.scope.get("route")
    path_format = getattr(route, "path_format", None)
    if not path_format:
        return "/"
    params = {k: urllib.parse.quote(str(v), safe="") for k, v in request.path_params.items()}
    try:
        return path_format.format(**params)
    except (KeyError, IndexError, ValueError):
        return "/"


def attachment(data: bytes, name: str, media: str = "application/octet-stream") -> Response:
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    quoted = urllib.parse.quote(name, safe="")
    headers = {"content-disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quoted}"}
    return Response(data, media_type=media, headers=headers)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def issues_workbook(report: FileReport, extra: list, lang: str) -> bytes:
    """The issues of one upload as a spreadsheet (every cell text through the exports'
    neutraliser, never a formula)."""
    from ..page import new_workbook

    buf = io.BytesIO()
    wb = new_workbook(buf, font_size=11)
    ws = wb.add_worksheet("Kiem tra" if lang == "en" else "Kiểm tra")
    bold = wb.add_format({"bold": True})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    write_texts(ws, 0, [t(k, lang) for k in ("web.severity", "web.file", "web.where", "web.code", "web.message")], bold)
    for row, issue in enumerate([*report.sorted_issues(), *extra], start=1):
        severity = t("severity.error" if issue.severity == ERROR else "severity.warning", lang)
        write_texts(ws, row, (severity, report.name, issue.where, issue.code, issue.text(lang)), wrap)
    ws.set_column(0, 0, 10)
    ws.set_column(1, 1, 30)
    ws.set_column(2, 3, 18)
    ws.set_column(4, 4, 100)
    ws.freeze_panes(1, 0)
    wb.close()
    return buf.getvalue()


class Portal:
    def __init__(self, config: Config) -> None:
        self.cfg = config
        self.store = Store(config.data)
        swept = self.store.sweep()  # what a killed server left (issue 18)
        if any(swept.values()):
            detail = (
                f"{swept['temporaries']} temporaries removed, {swept['orphans']} files never recorded moved to orphans/"
            )
            self.store.log("server", "swept", detail, "")
        if config.roster is not None:
            self.store.load_roster(config.roster)
        if config.deadline is not None:
            self.store.set_setting("deadline", config.deadline.isoformat())
        self.checker = Checker(
            config.form,
            config.roster,
            jobs=config.check_jobs,
            timeout=config.check_timeout,
            heavy_timeout=config.heavy_timeout,
        )
        self.round = Round(self.store, self.checker, config.form, config.roster, config.timezone)
        self.derived = Derived(self.store.derived)
        self.limiter = Limiter()
        self.clock = time.time  # the time of uploads (a test may set it)
        self.disk_full_at: float | None = None  # the last full disk, until an upload is kept again
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, undefined=jinja2.StrictUndefined
        )
        self.env.globals.update(when=lambda ts: when(ts, config.timezone), ERROR=ERROR)

    # -- helpers ------------------------------------------------------------------------------
    def say(self, key: str, **params: Any) -> None:
        """One line in the server's log (uvicorn's), in the server's language."""
        logging.getLogger("uvicorn.error").warning(t(key, self.cfg.lang, **params))

    def page(self, request: Request, name: str, status: int = 200, **ctx: Any) -> Response:
        lang = lang_of(request)
        lq = lang_query(request)
        html = self.env.get_template(name).render(
            t=lambda key, **kw: t(key, lang, **kw),
            lang=lang,
            lq=lq,
            other_lang=f"{route_path(request)}?lang={'vi' if lang == 'en' else 'en'}",
            form=self.cfg.form,
            **ctx,
        )
        return Response(html, status_code=status, media_type="text/html; charset=utf-8")

    def refuse(self, request: Request, exc: Refused) -> Response:
        params = dict(exc.params)
        if exc.key == "web.e413":
            params["cap"] = human_size(self.cfg.max_upload)
        response = self.page(request, "error.html", exc.status, message=t(exc.key, lang_of(request), **params))
        if exc.retry is not None:
            response.headers["retry-after"] = str(exc.retry)
        return response

    def deadline_text(self, request: Request) -> str:
        deadline = self.round.deadline
        lang = lang_of(request)
        if deadline is None:
            return t("web.no_deadline", lang)
        end = deadline_end(deadline, self.cfg.timezone)
        return t("web.deadline_end", lang, date=f"{deadline:%d/%m/%Y}", zone=zone_label(end))

    def disk_full(self) -> None:
        self.disk_full_at = time.time()

    def disk_notice(self, request: Request) -> str:
        """What the officer's pages say of the disk: full (an upload or a write was refused
        for want of space, and none kept since), or nearly full; "" when all is well."""
        try:
            free = shutil.disk_usage(self.cfg.data).free
        except OSError:
            return ""
        lang = lang_of(request)
        params = {"free": human_size(free), "data": str(self.cfg.data)}
        if self.disk_full_at is not None:
            return t("web.disk_full", lang, at=when(self.disk_full_at, self.cfg.timezone), **params)
        if free < max(64 * 1024 * 1024, 5 * self.cfg.max_upload):
            return t("web.disk_low", lang, **params)
        return ""

    @staticmethod
    def address(request: Request) -> str:
        """The client's address: the socket's, or what a trusted proxy (``--trusted-proxy``)
        says it is (uvicorn reads X-Forwarded-For from those only)."""
        return request.client.host if request.client else "?"

    def limit(self, request: Request, kind: str, key: str, rule: tuple[int, float]) -> None:
        if not self.limiter.allow((kind, key), rule):
            raise Refused(429, "web.e429", retry=int(rule[1]))

    def same_origin(self, request: Request) -> None:
        """A state-changing request from a page of another site is refused (OWASP: check the
        Origin header; the token checked next is the second line). The origins allowed are
        the portal's own (``--base-url``), never the Host header, which the client writes: a
        page of a host name rebound to this server posts with its own name in both."""
        origin = request.headers.get("origin")
        if origin and origin != "null" and origin_of(origin) not in self.cfg.origins:
            raise Refused(403, "web.e403_origin", url=self.cfg.base_url)

    def unit_of(self, request: Request) -> Any:
        self.limit(request, "pages", self.address(request), self.cfg.pages_per_address)
        unit = self.store.unit_by_link(request.path_params["token"])
        if unit is None:
            raise Refused(404, "web.e404")
        return unit

    def heavy_limit(self, request: Request, unit: Any) -> None:
        """Downloads made on request cost a worker: bounded per link and per address."""
        self.limit(request, "heavy-link", unit["code"], self.cfg.heavy_per_link)
        self.limit(request, "heavy-address", self.address(request), self.cfg.heavy_per_address)

    def unit_csrf(self, unit: Any) -> str:
        return hmac.new(self.store.secret, f"unit:{unit['link_hash']}".encode(), "sha256").hexdigest()

    def officer(self, request: Request) -> str | None:
        """The session's CSRF token when the officer is logged in, else None."""
        return self.store.session_csrf(request.cookies.get(SESSION_COOKIE))

    def login_redirect(self, request: Request) -> Response:
        return RedirectResponse(f"/admin/login{lang_query(request)}", status_code=303)

    async def small_form(self, request: Request, cap: int = 16 * 1024) -> dict[str, str]:
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > cap:
                raise Refused(413, "web.e413")
        fields = urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        return {k: v[0] for k, v in fields.items()}

    async def officer_post(self, request: Request) -> dict[str, str] | None:
        """The fields of an officer's form, after the login and CSRF checks (None: log in)."""
        self.same_origin(request)
        csrf = self.officer(request)
        if csrf is None:
            return None
        fields = await self.small_form(request)
        if not hmac.compare_digest(fields.get("csrf", ""), csrf):
            raise Refused(403, "web.e403")
        return fields

    async def read_upload(self, request: Request, who: str) -> tuple[UploadFile, dict[str, str]]:
        """The one file of an upload, the size cap enforced while the body streams in. A client
        that leaves before the end is :class:`Abandoned` (one line in the log, ``who`` sent it)."""
        cap = self.cfg.max_upload
        allowed = cap + 64 * 1024  # the multipart envelope around the file
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > allowed:
            raise Refused(413, "web.e413")
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            raise Refused(400, "web.e400", reason=t("web.e400_nofile", lang_of(request)))
        seen = 0

        async def limited() -> AsyncIterator[bytes]:
            nonlocal seen
            async for chunk in request.stream():
                seen += len(chunk)
                if seen > allowed:
                    raise Refused(413, "web.e413")
                yield chunk

        try:
            form = await MultiPartParser(request.headers, limited(), max_files=1, max_fields=8).parse()
        except MultiPartException:
            raise Refused(400, "web.e400", reason=t("web.e400_nofile", lang_of(request))) from None
        except ClientDisconnect:
            raise Abandoned(who, self.address(request), human_size(seen)) from None
        files = [v for v in form.getlist("file") if isinstance(v, UploadFile)]
        fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
        if len(files) != 1:
            await form.close()
            raise Refused(400, "web.e400", reason=t("web.e400_nofile", lang_of(request)))
        if (files[0].size or 0) > cap:
            await form.close()
            raise Refused(413, "web.e413")
        return files[0], fields

    # -- the unit's pages ---------------------------------------------------------------------------
    async def unit_page(self, request: Request) -> Response:
        unit = self.unit_of(request)
        rows = self.store.submissions(unit["code"])
        return self.page(
            request,
            "unit.html",
            unit=unit,
            rows=list(reversed(rows)),
            token=request.path_params["token"],
            csrf=self.unit_csrf(unit),
            deadline=self.deadline_text(request),
            cap=human_size(self.cfg.max_upload),
            unit_status=self.round.unit_status(rows),
        )

    async def template(self, request: Request) -> Response:
        unit = self.unit_of(request)
        self.heavy_limit(request, unit)
        from ..template import build_template, template_filename

        the_unit = self.cfg.roster.get(unit["code"]) if self.cfg.roster else None
        name = template_filename(self.cfg.form, the_unit)
        cache = self.derived.path("templates", f"{self.cfg.form.version}-", name)

        async def make() -> bytes:
            return await anyio.to_thread.run_sync(lambda: build_template(self.cfg.form, unit=the_unit))

        data = await self.derived.get(cache, make)
        return attachment(data or b"", name, XLSX)

    async def upload(self, request: Request) -> Response:
        unit = self.unit_of(request)
        address = self.address(request)
        self.limit(request, "upload-link", unit["code"], self.cfg.upload_per_link)
        self.limit(request, "upload-address", address, self.cfg.upload_per_address)
        self.same_origin(request)
        upload, fields = await self.read_upload(request, unit["code"])
        name = display_name(upload.filename)
        ext = safe_extension(name)
        try:
            if not hmac.compare_digest(fields.get("csrf", ""), self.unit_csrf(unit)):
                raise Refused(403, "web.e403")
            stored = await anyio.to_thread.run_sync(self.store.put_file, upload.file, ext)
        except BaseException as exc:
            if is_disk_full(exc):
                self._log_quietly(unit["code"], "upload-disk-full", name, address)
            raise
        finally:
            await upload.close()
        # From here the stored file is kept only if its submission is recorded: whatever
        # happens (a full database, a bug, the server stopping), release() removes it if not.
        try:
            report = await self.checker.acheck(stored.path, name, unit["code"])
            record = self.round.record
            sub_id = await anyio.to_thread.run_sync(
                record, unit["code"], name, stored, ext, address, report, self.clock()
            )
        except BaseException as exc:
            if is_disk_full(exc):
                self._log_quietly(unit["code"], "upload-disk-full", name, address)
            raise
        finally:
            await anyio.to_thread.run_sync(self.store.release, stored)
        self.disk_full_at = None
        return RedirectResponse(f"/u/{request.path_params['token']}/s/{sub_id}{lang_query(request)}", status_code=303)

    def _log_quietly(self, actor: str, kind: str, detail: str, address: str) -> None:
        """An event worth logging when the disk is full: lost if the database is full too."""
        try:
            self.store.log(actor, kind, detail, address)
        except Exception as exc:  # noqa: BLE001 - the refusal is what matters; it is on its way
            if not is_disk_full(exc):
                raise

    def _submission(self, request: Request, unit_code: str | None) -> tuple[Any, FileReport]:
        try:
            sub_id = int(request.path_params["sid"])
        except ValueError:
            raise Refused(404, "web.e404") from None
        row = self.store.submission(sub_id, unit_code)
        if row is None:
            raise Refused(404, "web.e404")
        return row, report_from_json(row["report"])

    def _result(self, request: Request, row: Any, report: FileReport, base: str, back: str) -> Response:
        issues = report.sorted_issues()
        groups = [
            (t("web.errors", lang_of(request)), [i for i in issues if i.severity == ERROR]),
            (t("web.warnings", lang_of(request)), [i for i in issues if i.severity != ERROR]),
        ]
        status_key = "web.counts_now" if row["counts"] else f"status.{row['status']}"
        can_annotate = report.fmt in ("xlsx", "xlsm") and any(i.sheet and i.cell for i in issues)
        return self.page(
            request,
            "result.html",
            row=row,
            report=report,
            groups=groups,
            base=base,
            back=back,
            merge_issues=Round.merge_issues(row),
            status_key=status_key,
            can_annotate=can_annotate,
        )

    async def result(self, request: Request) -> Response:
        unit = self.unit_of(request)
        row, report = self._submission(request, unit["code"])
        token = request.path_params["token"]
        return self._result(request, row, report, f"/u/{token}/s/{row['id']}", f"/u/{token}")

    async def download(self, request: Request, row: Any, report: FileReport, owner: str = OFFICER) -> Response:
        """A submission's downloads: the exact file, its list of issues, its annotated copy —
        the last two made once per submission, stored report and language (cached), the
        annotated copy in the pool's heavy lane (never ahead of an upload's check), in the share of
        ``owner`` (the unit asking, or the officer)."""
        what = request.path_params["what"]
        lang = lang_of(request)
        stored = self.store.file_path(row["sha256"], row["ext"])
        stem = Path(row["name"]).stem
        if what == "tep":
            return attachment(await anyio.to_thread.run_sync(stored.read_bytes), row["name"])
        if what == "loi.xlsx":
            key = derived_key(row["name"], row["report"], row["merge_issues"], lang)
            merge_issues = Round.merge_issues(row)

            async def issues() -> bytes:
                return await anyio.to_thread.run_sync(issues_workbook, report, merge_issues, lang)

            data = await self.derived.get(self.derived.path("issues", key, ".xlsx"), issues)
            return attachment(data or b"", f"{stem}.loi.xlsx", XLSX)
        if what == "ghi-chu.xlsx":
            key = derived_key(row["sha256"], row["ext"], row["report"], lang)

            async def annotate() -> bytes | None:
                try:
                    return await self.checker.annotated(stored, report, lang, owner)
                except (JobFailed, JobError):
                    raise NotMade from None

            try:
                data = await self.derived.get(self.derived.path("annotated", key, ".xlsx"), annotate)
            except NotMade:
                raise Refused(503, "web.annotate_failed", retry=600) from None
            if data is None:
                raise Refused(404, "web.e404")
            return attachment(data, f"{stem}.kiem-tra.xlsx", XLSX)
        raise Refused(404, "web.e404")

    async def unit_download(self, request: Request) -> Response:
        unit = self.unit_of(request)
        row, report = self._submission(request, unit["code"])
        if request.path_params["what"] != "tep":
            self.heavy_limit(request, unit)
        return await self.download(request, row, report, unit["code"])

    # -- the officer ------------------------------------------------------------------------------
    async def login_page(self, request: Request) -> Response:
        import secrets

        token = secrets.token_urlsafe(24)
        response = self.page(
            request,
            "login.html",
            csrf=token,
            error=None,
            no_password=not self.store.has_password,
            data=str(self.cfg.data),
            disk=self.disk_notice(request),
        )
        response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=self.cfg.tls, path="/admin")
        return response

    async def login(self, request: Request) -> Response:
        address = self.address(request)
        self.limit(request, "login", address, self.cfg.login_per_address)
        self.same_origin(request)
        fields = await self.small_form(request)
        cookie = request.cookies.get(LOGIN_COOKIE, "")
        if not cookie or not hmac.compare_digest(fields.get("csrf", ""), cookie):
            raise Refused(403, "web.e403")
        password = fields.get("password", "")
        ok = await anyio.to_thread.run_sync(self.store.check_password, password)
        if not ok:
            self.store.log("officer", "login-failed", "", address)
            response = self.page(
                request,
                "login.html",
                401,
                csrf=cookie,
                error=t("web.login_failed", lang_of(request)),
                no_password=not self.store.has_password,
                data=str(self.cfg.data),
                disk=self.disk_notice(request),
            )
            return response
        with self.store.transaction():  # the session and its event, or neither (a full disk)
            token, _csrf = self.store.new_session()
            self.store.log("officer", "login", "", address)
        response = RedirectResponse(f"/admin{lang_query(request)}", status_code=303)
        response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict", secure=self.cfg.tls, path="/")
        response.delete_cookie(LOGIN_COOKIE, path="/admin")
        return response

    async def logout(self, request: Request) -> Response:
        if await self.officer_post(request) is None:
            return self.login_redirect(request)
        with self.store.transaction():
            self.store.end_session(request.cookies.get(SESSION_COOKIE))
            self.store.log("officer", "logout", "", self.address(request))
        response = self.login_redirect(request)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    async def logout_everywhere(self, request: Request) -> Response:
        """The "đăng xuất mọi nơi" button: every session of the officer ends (a lost phone, a shared
        computer), this one too."""
        if await self.officer_post(request) is None:
            return self.login_redirect(request)
        with self.store.transaction():
            ended = self.store.end_all_sessions()
            self.store.log("officer", "logout-everywhere", f"{ended} sessions", self.address(request))
        response = self.login_redirect(request)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    async def board(self, request: Request, notice: str = "", link: str = "", alert: str = "") -> Response:
        csrf = self.officer(request)
        if csrf is None:
            return self.login_redirect(request)
        statuses = self.round.board()
        counts = {k: sum(1 for s in statuses if s.status == k) for k in (MISSING, REJECTED, VALID, LATE, CONFLICT)}
        return self.page(
            request,
            "board.html",
            statuses=statuses,
            counts=counts,
            csrf=csrf,
            notice=notice,
            link=link,
            alert=alert,
            deadline=self.deadline_text(request),
            disk=self.disk_notice(request),
            keys=(VALID, LATE, CONFLICT, REJECTED, MISSING),
        )

    async def officer_file(self, request: Request) -> Response:
        if self.officer(request) is None:
            return self.login_redirect(request)
        what = request.path_params["what"]
        lang = lang_of(request)
        if what == "nhat-ky.csv":
            data = self.store.events_csv(self.cfg.timezone)
            return attachment(data, "nhat-ky.csv", "text/csv; charset=utf-8")
        if what == "tep-hop-le.zip":
            data = await anyio.to_thread.run_sync(self.round.zip_counted)
            return attachment(data, "tep-hop-le.zip", "application/zip")
        counted = self.round.counted()
        if not counted:
            raise Refused(404, "web.nothing_counts")
        outputs = await anyio.to_thread.run_sync(self.round.outputs, lang, counted)
        if outputs is None:
            raise Refused(503, "web.summary_failed", retry=60)
        stem = Path(self.round.summary_name).stem
        if what == "tong-hop.xlsx":
            return attachment(outputs.summary, f"{stem}.xlsx", XLSX)
        if what == "tong-hop.json":
            return attachment(outputs.json, f"{stem}.json", "application/json")
        if what == "phu-luc.docx" and outputs.docx is not None:
            from ..appendix_docx import appendix_filename

            return attachment(outputs.docx, appendix_filename(self.cfg.form), DOCX)
        raise Refused(404, "web.e404")

    async def export(self, request: Request) -> Response:
        if await self.officer_post(request) is None:
            return self.login_redirect(request)
        folder = await anyio.to_thread.run_sync(self.round.export)
        count = len(list(folder.iterdir()))
        roster = getattr(self.cfg.roster, "path", "") or "units.csv"
        command = f'dv merge "{folder}" --units "{roster}"'
        self.store.log("officer", "export", str(folder), self.address(request))
        return await self.board(
            request, notice=t("web.exported", lang_of(request), count=count, path=folder, command=command)
        )

    async def roll_up(self, request: Request) -> Response:
        """The officer's report to the level above (docs/spec.md §9): the upper level's template,
        uploaded, filled with the round as the board decides it (``dv roll-up``'s library call,
        in a worker); the file comes back as a download, or the board says why not."""
        import tempfile

        self.same_origin(request)
        csrf = self.officer(request)
        if csrf is None:
            return self.login_redirect(request)
        upload, fields = await self.read_upload(request, "officer")
        try:
            if not hmac.compare_digest(fields.get("csrf", ""), csrf):
                raise Refused(403, "web.e403")
            data = await upload.read()
        finally:
            await upload.close()
        name = display_name(upload.filename)
        lang = lang_of(request)
        partial = fields.get("partial") == "1"
        reports, use = await anyio.to_thread.run_sync(self.round.round_reports)
        with tempfile.TemporaryDirectory(prefix="dv-roll-up-") as tmp:
            template = Path(tmp, "template.xlsx")
            await anyio.to_thread.run_sync(template.write_bytes, data)
            try:
                made, refused = await self.checker.roll_up(reports, use, template, partial)
            except (JobFailed, JobError):
                raise Refused(503, "web.summary_failed", retry=60) from None
        self.store.log("officer", "roll-up", f"{name}: {'written' if made else 'refused'}", self.address(request))
        if made is None:
            return await self.board(request, alert=refused[lang])
        from ..rollup import rollup_filename

        return attachment(made, rollup_filename(Path(name)), XLSX)

    async def missing(self, request: Request) -> Response:
        if self.officer(request) is None:
            return self.login_redirect(request)
        statuses = [s for s in self.round.board() if s.status in (MISSING, REJECTED)]
        return self.page(request, "missing.html", statuses=statuses)

    async def recheck(self, request: Request) -> Response:
        if await self.officer_post(request) is None:
            return self.login_redirect(request)
        rows = self.store.all_submissions()
        address = self.address(request)

        def work() -> None:
            checked = [
                (
                    row["id"],
                    self.checker.check(self.store.file_path(row["sha256"], row["ext"]), row["name"], row["unit_code"]),
                )
                for row in rows
            ]
            self.round.rechecked(checked, ("officer", "recheck", f"{len(rows)} files", address))

        await anyio.to_thread.run_sync(work)
        return await self.board(request, notice=t("web.rechecked", lang_of(request), count=len(rows)))

    def roster_unit(self, code: str) -> Any:
        """The unit of the roster named in the officer's request (404 for any other code)."""
        unit = self.store.unit(code)
        if unit is None or not unit["in_roster"]:
            raise Refused(404, "web.e404")
        return unit

    async def new_link(self, request: Request) -> Response:
        if await self.officer_post(request) is None:
            return self.login_redirect(request)
        code = request.path_params["code"]
        unit = self.roster_unit(code)
        event = ("officer", "new-link", code, self.address(request))  # with the link and links.csv, or none
        token = self.store.replace_links([code], self.cfg.base_url, event)[code]
        link = f"{self.cfg.base_url.rstrip('/')}/u/{token}"
        notice = t("web.new_link_done", lang_of(request), unit=f"{unit['name']} ({code})", path=self.store.links_path)
        return await self.board(request, notice=notice, link=link)

    async def choose(self, request: Request) -> Response:
        """The officer names the upload that counts for a unit (docs/spec.md §8.4), or goes back
        to the unit's latest upload: the one step that settles a unit in doubt."""
        if await self.officer_post(request) is None:
            return self.login_redirect(request)
        code = request.path_params["code"]
        unit = self.roster_unit(code)
        sid = request.path_params.get("sid")
        try:
            sub_id = int(sid) if sid is not None else None
        except ValueError:
            raise Refused(404, "web.e404") from None
        done = await anyio.to_thread.run_sync(self.round.choose, code, sub_id)
        if not done:
            raise Refused(404, "web.e404")
        row = self.store.submission(sub_id, code) if sub_id is not None else None
        kind, detail = ("choose", f"{code} {sub_id} {row['name']}") if row else ("choice-cleared", code)
        self.store.log("officer", kind, detail, self.address(request))
        lang = lang_of(request)
        who = f"{unit['name']} ({code})"
        notice = t("web.chosen", lang, unit=who, file=row["name"]) if row else t("web.unchosen", lang, unit=who)
        return await self.board(request, notice=notice)

    async def officer_submission(self, request: Request) -> Response:
        if self.officer(request) is None:
            return self.login_redirect(request)
        row, report = self._submission(request, None)
        return self._result(request, row, report, f"/admin/s/{row['id']}", "/admin")

    async def officer_download(self, request: Request) -> Response:
        if self.officer(request) is None:
            return self.login_redirect(request)
        row, report = self._submission(request, None)
        return await self.download(request, row, report)

    async def home(self, request: Request) -> Response:
        return self.page(request, "home.html")

    async def style(self, request: Request) -> Response:
        return Response(STYLE, media_type="text/css")

    def failure(self, request: Request, exc: BaseException) -> Response | None:
        """The page for a request that could not be done, when it is one dv knows: a full
        disk (507: nothing was kept), a busy pool (503: try again), a client gone (one log
        line); None for anything else."""
        if isinstance(exc, Refused):
            return self.refuse(request, exc)
        if is_disk_full(exc):
            self.disk_full()
            return self.refuse(request, Refused(507, "web.e507"))
        if isinstance(exc, Busy):
            return self.refuse(request, Refused(503, "web.e503_busy", retry=60))
        if isinstance(exc, Abandoned | ClientDisconnect):
            who, address, size = exc.args if isinstance(exc, Abandoned) else ("?", self.address(request), "?")
            self.say("serve.abandoned", unit=who, address=address, size=size, path=route_path(request))
            return Response(b"", status_code=400)
        return None


def create_app(config: Config) -> Starlette:
    portal = Portal(config)

    def guarded(handler: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception as exc:
                response = portal.failure(request, exc)
                if response is None:
                    raise
                return response

        return endpoint

    routes = [
        Route("/", guarded(portal.home)),
        Route("/static/style.css", guarded(portal.style)),
        Route("/u/{token}", guarded(portal.unit_page)),
        Route("/u/{token}/bieu-mau.xlsx", guarded(portal.template)),
        Route("/u/{token}/nop", guarded(portal.upload), methods=["POST"]),
        Route("/u/{token}/s/{sid}", guarded(portal.result)),
        Route("/u/{token}/s/{sid}/{what}", guarded(portal.unit_download)),
        Route("/admin/login", guarded(portal.login_page)),
        Route("/admin/login", guarded(portal.login), methods=["POST"]),
        Route("/admin/logout", guarded(portal.logout), methods=["POST"]),
        Route("/admin/dang-xuat-moi-noi", guarded(portal.logout_everywhere), methods=["POST"]),
        Route("/admin", guarded(portal.board)),
        Route("/admin/chua-nop", guarded(portal.missing)),
        Route("/admin/xuat", guarded(portal.export), methods=["POST"]),
        Route("/admin/kiem-tra-lai", guarded(portal.recheck), methods=["POST"]),
        Route("/admin/gui-len", guarded(portal.roll_up), methods=["POST"]),
        Route("/admin/don-vi/{code}/link-moi", guarded(portal.new_link), methods=["POST"]),
        Route("/admin/don-vi/{code}/dung/{sid}", guarded(portal.choose), methods=["POST"]),
        Route("/admin/don-vi/{code}/bo-chon", guarded(portal.choose), methods=["POST"]),
        Route("/admin/s/{sid}", guarded(portal.officer_submission)),
        Route("/admin/s/{sid}/{what}", guarded(portal.officer_download)),
        Route("/admin/{what}", guarded(portal.officer_file)),
    ]

    async def not_found(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, HTTPException) and (response := portal.failure(request, exc)) is not None:
            return response
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        key = {404: "web.e404", 405: "web.e404"}.get(status, "web.e500")
        return portal.refuse(request, Refused(status, key))

    app = Starlette(routes=routes, exception_handlers={HTTPException: not_found, Exception: not_found})
    app.state.portal = portal
    app.add_middleware(SecurityHeaders)
    return app
