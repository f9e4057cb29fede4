"""Starting the portal: the options of ``dv serve``, the links of the units, uvicorn behind
the connection guard (``guard.py``)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..form import Form
from ..roster import Roster
from .clock import DEFAULT_ZONE, load_zone

if TYPE_CHECKING:
    from starlette.applications import Starlette

__all__ = ["ServeOptions", "parse_size", "parse_proxy", "serve", "base_url"]


@dataclass
class ServeOptions:
    data: Path
    form: Form
    roster: Roster | None
    host: str = "127.0.0.1"
    port: int = 8080
    deadline: dt.date | None = None
    max_upload: int = 10 * 1024 * 1024
    tls_cert: Path | None = None
    tls_key: Path | None = None
    base_url: str | None = None
    trusted_proxies: tuple[str, ...] = ()  # addresses or networks whose X-Forwarded-* are believed
    timezone: str = DEFAULT_ZONE
    lang: str = "vi"


def parse_size(text: str) -> int | None:
    """``10MB``, ``512kB``, ``2000000`` → bytes; None if not a size."""
    m = re.fullmatch(r"\s*(\d+(?:[.,]\d+)?)\s*([kKmMgG]?)[bB]?\s*", text or "")
    if not m:
        return None
    number = float(m.group(1).replace(",", "."))
    return int(number * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[m.group(2).lower()])


def parse_proxy(text: str) -> str | None:
    """``10.0.0.5``, ``10.0.0.0/8``, ``::1`` → the normalised address or network; None if not one."""
    try:
        net = ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None
    return str(net.network_address) if net.num_addresses == 1 else str(net)


def base_url(opts: ServeOptions) -> str:
    if opts.base_url:
        return opts.base_url.rstrip("/")
    scheme = "https" if opts.tls_cert else "http"
    host = socket.gethostname() if opts.host in ("0.0.0.0", "::") else opts.host
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}:{opts.port}"


def prepare(opts: ServeOptions) -> tuple[Starlette, int]:
    """The app on ``opts.data``, with a link issued (and written to links.csv) for every unit that has none."""
    from .app import Config, create_app

    base = base_url(opts)
    scheme = "https" if opts.tls_cert else "http"
    # Forms may be posted from the portal's address, and from the server machine itself (the
    # officer at its keyboard, where the browser says localhost or 127.0.0.1).
    own = {f"{scheme}://{host}:{opts.port}" for host in ("127.0.0.1", "localhost", "[::1]")}
    zone = load_zone(opts.timezone)
    assert zone is not None, opts.timezone  # the command checked it
    config = Config(
        data=opts.data,
        form=opts.form,
        roster=opts.roster,
        max_upload=opts.max_upload,
        deadline=opts.deadline,
        tls=opts.tls_cert is not None or base.startswith("https://"),
        base_url=base,
        origins=frozenset(own),
        timezone=zone,
        lang=opts.lang,
    )
    app = create_app(config)
    links = app.state.portal.store.issue_missing_links(config.base_url)
    return app, links


def serve(opts: ServeOptions, tell: Callable[[str, dict], None]) -> None:
    """Run until interrupted. ``tell(key, params)``: what the terminal should say (keys of messages.MESSAGES)."""
    import logging

    import uvicorn

    from ..messages import t
    from .guard import BACKLOG, ConnectionLimits, descriptor_budget, guarded_protocol

    # The process works in the province's time: what the library says in local time (the
    # saved times a merge note compares) is the province's, in this process and its workers.
    if hasattr(time, "tzset"):
        os.environ["TZ"] = opts.timezone
        time.tzset()
    app, links = prepare(opts)
    portal = app.state.portal
    if links:
        tell("serve.links", {"count": links, "path": portal.store.links_path})
    if not portal.store.has_password:
        tell("serve.no_password", {"data": opts.data})
    tell("serve.listening", {"url": portal.cfg.base_url, "data": opts.data})
    if not opts.base_url and opts.host in ("0.0.0.0", "::"):  # a guess from the machine's name
        tell("serve.base_url_guess", {"url": portal.cfg.base_url})
    limits = ConnectionLimits(total=descriptor_budget(ConnectionLimits.total), trusted=opts.trusted_proxies)
    busy = "\n".join(t("serve.busy", lang) for lang in ("vi", "en")).encode("utf-8") + b"\n"
    log = logging.getLogger("uvicorn.error")
    protocol = guarded_protocol(limits, busy, lambda key, params: log.warning(t(key, opts.lang, **params)))
    try:
        uvicorn.run(
            app,
            host=opts.host,
            port=opts.port,
            http=protocol,
            log_level="warning",
            access_log=False,
            # X-Forwarded-For/-Proto are believed from the named proxies only (uvicorn's own
            # default believes 127.0.0.1: anything on this machine could claim any address).
            proxy_headers=bool(opts.trusted_proxies),
            forwarded_allow_ips=list(opts.trusted_proxies) or [],
            timeout_keep_alive=5,
            backlog=BACKLOG,
            server_header=False,
            ssl_certfile=str(opts.tls_cert) if opts.tls_cert else None,
            ssl_keyfile=str(opts.tls_key) if opts.tls_key else None,
        )
    finally:
        portal.checker.close()
        portal.store.close()
