"""``dv serve``: the submission portal (docs/spec.md §7).

Units upload their workbook through a secret link and see at once what ``dv check`` says of it;
the Home Affairs officer watches the round on a board and downloads the summary ``dv merge``
would write from the files that count. A subpackage of its own that calls the library; the web
libraries (Starlette, uvicorn, python-multipart, Jinja2) are the ``web`` extra and are imported
only here.
"""

from __future__ import annotations

from .serve import ServeOptions, parse_size, serve

__all__ = ["ServeOptions", "parse_size", "serve"]
