"""Starting the portal: the options of ``dv serve``, the links of the units, uvicorn."""

from __future__ import annotations

import datetime as dt
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..form import Form
from ..roster import Roster

if TYPE_CHECKING:
    from starlette.applications import Starlette

__all__ = ["ServeOptions", "parse_size", "serve", "base_url"]


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


def parse_size(text: str) -> int | None:
    """``10MB``, ``512kB``, ``2000000`` → bytes; None if not a size."""
    m = re.fullmatch(r"\s*(\d+(?:[.,]\d+)?)\s*([kKmMgG]?)[bB]?\s*", text or "")
    if not m:
        return None
    number = float(m.group(1).replace(",", "."))
    return int(number * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[m.group(2).lower()])


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

    config = Config(
        data=opts.data,
        form=opts.form,
        roster=opts.roster,
        max_upload=opts.max_upload,
        deadline=opts.deadline,
        tls=opts.tls_cert is not None,
        base_url=base_url(opts),
    )
    app = create_app(config)
    links = app.state.portal.store.issue_missing_links(config.base_url)
    return app, links


def serve(opts: ServeOptions, tell: Callable[[str, dict], None]) -> None:
    """Run until interrupted. ``tell(key, params)``: what the terminal should say (keys of messages.MESSAGES)."""
    import uvicorn

    app, links = prepare(opts)
    portal = app.state.portal
    if links:
        tell("serve.links", {"count": links, "path": portal.store.links_path})
    if not portal.store.has_password:
        tell("serve.no_password", {"data": opts.data})
    tell("serve.listening", {"url": portal.cfg.base_url, "data": opts.data})
    try:
        uvicorn.run(
            app,
            host=opts.host,
            port=opts.port,
            log_level="warning",
            access_log=False,
            ssl_certfile=str(opts.tls_cert) if opts.tls_cert else None,
            ssl_keyfile=str(opts.tls_key) if opts.tls_key else None,
        )
    finally:
        portal.checker.close()
        portal.store.close()
