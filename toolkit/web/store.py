"""Everything the portal keeps, under one folder (docs/spec.md §7.2): the exact bytes of every
upload named by their SHA-256 (written once, atomically, never changed) and a SQLite database
(units with the hash of their link, submissions with their check results, an append-only event
log, the officer's password hash and sessions). Copy the folder to back it up."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import errno
import hashlib
import hmac
import io
import json
import os
import re
import secrets
import sqlite3
import tempfile
import threading
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, BinaryIO

from ..fsutil import atomic_write
from ..issues import FileReport, Issue, Status
from ..roster import Roster

__all__ = ["DiskFull", "Store", "display_name", "report_from_json", "report_to_json"]

NAME_MAX = 120  # characters of a client's file name kept for display
SCRYPT = {"n": 2**15, "r": 8, "p": 1, "maxmem": 64 * 1024 * 1024}  # ~0.1 s a try on a modest machine
SESSION_HOURS = 12

SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS units (
    code TEXT PRIMARY KEY, name TEXT NOT NULL, position INTEGER NOT NULL, in_roster INTEGER NOT NULL DEFAULT 1,
    link_hash TEXT UNIQUE, link_issued_at REAL);
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, unit_code TEXT NOT NULL REFERENCES units(code),
    uploaded_at REAL NOT NULL, name TEXT NOT NULL, sha256 TEXT NOT NULL, ext TEXT NOT NULL, size INTEGER NOT NULL,
    address TEXT NOT NULL, report TEXT NOT NULL, status TEXT NOT NULL, errors INTEGER NOT NULL,
    warnings INTEGER NOT NULL, merge_issues TEXT NOT NULL DEFAULT '[]', counts INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS submissions_unit ON submissions(unit_code, id);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, actor TEXT NOT NULL, kind TEXT NOT NULL,
    detail TEXT NOT NULL, address TEXT NOT NULL);
CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TABLE IF NOT EXISTS sessions (hash TEXT PRIMARY KEY, csrf TEXT NOT NULL, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS choices (
    unit_code TEXT PRIMARY KEY REFERENCES units(code), submission_id INTEGER NOT NULL REFERENCES submissions(id),
    chosen_at REAL NOT NULL);
"""


class DiskFull(OSError):
    """The disk (or the quota) is full: nothing was kept."""


def display_name(raw: str | None) -> str:
    """A client's file name for display and messages only: the last path part, NFC, no control
    characters, at most ``NAME_MAX`` characters (the extension kept). Never used as a path."""
    name = unicodedata.normalize("NFC", raw or "")
    name = PurePosixPath(PureWindowsPath(name).name).name if name not in (".", "..") else ""
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if name in ("", ".", ".."):
        name = "tep-khong-ten"
    if len(name) > NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        ext = ext if dot and len(ext) <= 10 else ""
        name = name[: NAME_MAX - len(ext) - 2].rstrip() + "…" + ("." + ext if ext else "")
    return name


def safe_extension(name: str) -> str:
    """The extension the stored copy gets (the readers and ``dv check`` look at it): ``.xlsx``
    and the like from an allow-list of characters, else none."""
    suffix = PurePosixPath(name).suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,10}", suffix) else ""


# -- a FileReport as JSON (dates and times marked) ------------------------------------------------


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$d": value.isoformat()}
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$dt"}:
            return dt.datetime.fromisoformat(value["$dt"])
        if set(value) == {"$d"}:
            return dt.date.fromisoformat(value["$d"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def issue_to_dict(issue: Issue) -> dict[str, Any]:
    return {
        k: _encode(getattr(issue, k))
        for k in ("code", "severity", "message", "message_en", "field", "sheet", "cell", "value")
    }


def issue_from_dict(data: dict[str, Any]) -> Issue:
    return Issue(**{k: _decode(v) for k, v in data.items()})


def report_to_json(report: FileReport) -> str:
    keys = (
        "path",
        "sha256",
        "unit_code",
        "status",
        "readable",
        "fmt",
        "values",
        "docs",
        "meta",
        "report_date",
        "saved_at",
        "mtime",
        "shown_name",
        "other_unit",
    )
    data = {k: _encode(getattr(report, k)) for k in keys}
    data["issues"] = [issue_to_dict(i) for i in report.issues]
    return json.dumps(data, ensure_ascii=False)


def report_from_json(text: str) -> FileReport:
    data = json.loads(text)
    issues = [issue_from_dict(i) for i in data.pop("issues")]
    report = FileReport(**{k: _decode(v) for k, v in data.items()}, issues=issues)
    report.status = Status(report.status)
    if "readable" not in data:  # stored by a dv before the field: what it meant then
        report.readable = bool(report.fmt) and not any(
            i.code.startswith("file-") and i.severity == "error" for i in issues
        )
    return report


# -- the store --------------------------------------------------------------------------------------


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _write(fh: BinaryIO, chunk: bytes) -> None:
    fh.write(chunk)


@dataclass(frozen=True)
class Stored:
    sha256: str
    size: int
    path: Path


class Store:
    """The portal's folder. Thread-safe: every database call holds one lock."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.files = self.folder / "files"
        self.derived = self.folder / "derived"
        for sub in (self.folder, self.files, self.derived):
            sub.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.folder / "dv-portal.sqlite3", check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.executescript(SCHEMA)
        if self.setting("secret") is None:
            self.set_setting("secret", secrets.token_hex(32))
        self.secret = bytes.fromhex(self.setting("secret") or "")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    # settings ----------------------------------------------------------------------------------
    def setting(self, key: str) -> str | None:
        rows = self.query("SELECT value FROM settings WHERE key = ?", (key,))
        return rows[0]["value"] if rows else None

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO settings(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = ?",
                (key, value, value),
            )

    # the officer's password and sessions -------------------------------------------------------
    def set_password(self, password: str) -> None:
        salt = secrets.token_bytes(16)
        digest = hashlib.scrypt(password.encode(), salt=salt, **SCRYPT)
        self.set_setting("password", f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${salt.hex()}${digest.hex()}")
        self.log("officer", "password-set", "", "")

    @property
    def has_password(self) -> bool:
        return self.setting("password") is not None

    def check_password(self, password: str) -> bool:
        stored = self.setting("password")
        if not stored:
            return False
        _, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(
            password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), maxmem=SCRYPT["maxmem"]
        )
        return hmac.compare_digest(got.hex(), digest)

    def new_session(self) -> tuple[str, str]:
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self.transaction() as db:
            db.execute("DELETE FROM sessions WHERE expires < ?", (time.time(),))
            db.execute("INSERT INTO sessions VALUES(?, ?, ?)", (_hash(token), csrf, time.time() + SESSION_HOURS * 3600))
        return token, csrf

    def session_csrf(self, token: str | None) -> str | None:
        """The CSRF token of a live session, or None (no session, expired, unknown)."""
        if not token:
            return None
        rows = self.query("SELECT csrf FROM sessions WHERE hash = ? AND expires > ?", (_hash(token), time.time()))
        return rows[0]["csrf"] if rows else None

    def end_session(self, token: str | None) -> None:
        if token:
            with self.transaction() as db:
                db.execute("DELETE FROM sessions WHERE hash = ?", (_hash(token),))

    # units and their links -----------------------------------------------------------------------
    def load_roster(self, roster: Roster) -> None:
        with self.transaction() as db:
            db.execute("UPDATE units SET in_roster = 0")
            for position, unit in enumerate(roster.units):
                db.execute(
                    "INSERT INTO units(code, name, position) VALUES(?, ?, ?) ON CONFLICT(code) DO UPDATE "
                    "SET name = excluded.name, position = excluded.position, in_roster = 1",
                    (unit.code, unit.name, position),
                )

    def units(self) -> list[sqlite3.Row]:
        return self.query("SELECT * FROM units WHERE in_roster = 1 ORDER BY position")

    def unit(self, code: str) -> sqlite3.Row | None:
        rows = self.query("SELECT * FROM units WHERE code = ?", (code,))
        return rows[0] if rows else None

    def unit_by_link(self, token: str) -> sqlite3.Row | None:
        rows = self.query("SELECT * FROM units WHERE link_hash = ? AND in_roster = 1", (_hash(token),))
        return rows[0] if rows else None

    def new_link(self, code: str) -> str:
        """A new secret link token for the unit; the old one stops working. Only its hash is kept."""
        token = secrets.token_urlsafe(24)
        with self.transaction() as db:
            db.execute(
                "UPDATE units SET link_hash = ?, link_issued_at = ? WHERE code = ?", (_hash(token), time.time(), code)
            )
        return token

    def issue_missing_links(self, base_url: str) -> int:
        """A link for every roster unit that has none, written to ``links.csv``; the count."""
        fresh = {u["code"]: self.new_link(u["code"]) for u in self.units() if u["link_hash"] is None}
        if fresh:
            self.write_links(base_url, fresh)
        return len(fresh)

    @property
    def links_path(self) -> Path:
        return self.folder / "links.csv"

    def write_links(self, base_url: str, fresh: dict[str, str]) -> None:
        """Rewrite ``links.csv`` with the new links of ``fresh`` (the rows of other units stay)."""
        rows: dict[str, list[str]] = {}
        if self.links_path.exists():
            with self.links_path.open(encoding="utf-8-sig", newline="") as fh:
                for row in list(csv.reader(fh))[1:]:
                    if len(row) >= 3:
                        rows[row[0]] = row
        names = {u["code"]: u["name"] for u in self.units()}
        for code, token in fresh.items():
            rows[code] = [code, names.get(code, code), f"{base_url.rstrip('/')}/u/{token}"]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["code", "name", "link"])
        order = {code: i for i, code in enumerate(names)}
        for code in sorted(rows, key=lambda c: order.get(c, len(order))):
            writer.writerow(rows[code])
        atomic_write(self.links_path, out.getvalue().encode("utf-8-sig"), force=True)
        with contextlib.suppress(OSError):
            os.chmod(self.links_path, 0o600)

    # files ---------------------------------------------------------------------------------------
    def file_path(self, sha256: str, ext: str) -> Path:
        return self.files / sha256[:2] / f"{sha256}{ext}"

    def put_file(self, source: BinaryIO, ext: str) -> Stored:
        """Copy an upload into the store under its SHA-256: through a temporary file in the same
        folder, linked into place (an existing identical file is kept as it is). On a full disk
        nothing is left behind and :class:`DiskFull` is raised."""
        digest, size = hashlib.sha256(), 0
        tmp_dir = self.files / "tmp"
        tmp_dir.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix="up-", dir=tmp_dir)
        try:
            with os.fdopen(fd, "wb") as fh:
                for chunk in iter(lambda: source.read(1 << 20), b""):
                    digest.update(chunk)
                    size += len(chunk)
                    _write(fh, chunk)
                fh.flush()
                os.fsync(fh.fileno())
            sha = digest.hexdigest()
            target = self.file_path(sha, ext)
            target.parent.mkdir(exist_ok=True)
            if not target.exists():  # the same name means the same bytes: never replaced
                try:
                    os.link(tmp, target)
                except FileExistsError:
                    pass
                except OSError:  # a file system without hard links
                    os.replace(tmp, target)
            os.chmod(target, 0o444)
            return Stored(sha, size, target)
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise DiskFull(exc.errno, os.strerror(exc.errno)) from None
            raise
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)

    # submissions -------------------------------------------------------------------------------
    def add_submission(
        self, unit_code: str, name: str, stored: Stored, ext: str, address: str, report: FileReport, uploaded_at: float
    ) -> int:
        with self.transaction() as db:
            cur = db.execute(
                "INSERT INTO submissions(unit_code, uploaded_at, name, sha256, ext, size, address, report, status, "
                "errors, warnings) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    unit_code,
                    uploaded_at,
                    name,
                    stored.sha256,
                    ext,
                    stored.size,
                    address,
                    report_to_json(report),
                    report.status,
                    len(report.errors),
                    len(report.warnings),
                ),
            )
            db.execute(
                "INSERT INTO events(at, actor, kind, detail, address) VALUES(?, ?, ?, ?, ?)",
                (
                    uploaded_at,
                    unit_code,
                    "upload",
                    f"#{cur.lastrowid} {name} {stored.sha256} {report.status} {len(report.errors)} lỗi",
                    address,
                ),
            )
            return int(cur.lastrowid or 0)

    def submissions(self, unit_code: str) -> list[sqlite3.Row]:
        return self.query("SELECT * FROM submissions WHERE unit_code = ? ORDER BY id", (unit_code,))

    def submission(self, sub_id: int, unit_code: str | None = None) -> sqlite3.Row | None:
        """One submission; through a unit's link, only that unit's (else None: a 404)."""
        if unit_code is None:
            rows = self.query("SELECT * FROM submissions WHERE id = ?", (sub_id,))
        else:
            rows = self.query("SELECT * FROM submissions WHERE id = ? AND unit_code = ?", (sub_id, unit_code))
        return rows[0] if rows else None

    def all_submissions(self) -> list[sqlite3.Row]:
        return self.query("SELECT id, unit_code, sha256, ext, name FROM submissions ORDER BY id")

    def set_report(self, sub_id: int, report: FileReport) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE submissions SET report = ?, status = ?, errors = ?, warnings = ? WHERE id = ?",
                (report_to_json(report), report.status, len(report.errors), len(report.warnings), sub_id),
            )

    def set_outcomes(self, outcomes: list[tuple[int, str, str, int]]) -> None:
        """(id, status, merge issues as JSON, counts) of each submission of a unit, at once."""
        with self.transaction() as db:
            db.executemany(
                "UPDATE submissions SET status = ?, merge_issues = ?, counts = ? WHERE id = ?",
                [(status, issues, counts, sid) for sid, status, issues, counts in outcomes],
            )

    # the officer's choice of the upload that counts (docs/spec.md §8.4) ----------------------------
    def choice(self, unit_code: str) -> sqlite3.Row | None:
        rows = self.query("SELECT * FROM choices WHERE unit_code = ?", (unit_code,))
        return rows[0] if rows else None

    def set_choice(self, unit_code: str, sub_id: int) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO choices (unit_code, submission_id, chosen_at) VALUES (?, ?, ?)",
                (unit_code, sub_id, time.time()),
            )

    def clear_choice(self, unit_code: str) -> bool:
        """Forget the officer's choice for the unit; whether there was one."""
        with self.transaction() as db:
            return db.execute("DELETE FROM choices WHERE unit_code = ?", (unit_code,)).rowcount > 0

    def choosable_rows(self) -> dict[str, list[sqlite3.Row]]:
        """Per unit, the uploads the officer may choose instead of the one that counts: valid
        ones, and those in doubt only over their unit (unit-conflict, no other error)."""
        rows = self.query(
            "SELECT id, unit_code, uploaded_at, name, status FROM submissions WHERE counts = 0 AND ("
            "(status IN ('accepted', 'superseded', 'conflict') AND errors = 0) OR "
            "(status = 'unit-conflict' AND errors = 1)) ORDER BY id"
        )
        out: dict[str, list[sqlite3.Row]] = {}
        for row in rows:
            out.setdefault(row["unit_code"], []).append(row)
        return out

    def board_rows(self) -> list[dict[str, Any]]:
        """Per roster unit: its latest upload and the upload that counts (if any)."""
        latest = {
            r["unit_code"]: r
            for r in self.query(
                "SELECT s.id, s.unit_code, s.uploaded_at, s.name, s.status, s.errors, s.warnings FROM submissions s "
                "JOIN (SELECT unit_code, MAX(id) AS id FROM submissions GROUP BY unit_code) m ON s.id = m.id"
            )
        }
        counted = {r["unit_code"]: r for r in self.counted_rows()}
        number = {
            r["unit_code"]: r["n"]
            for r in self.query("SELECT unit_code, COUNT(*) AS n FROM submissions GROUP BY unit_code")
        }
        in_doubt = {
            r["unit_code"]
            for r in self.query(
                "SELECT DISTINCT unit_code FROM submissions WHERE status IN ('conflict', 'unit-conflict')"
            )
        }
        chosen = {r["unit_code"]: r["submission_id"] for r in self.query("SELECT * FROM choices")}
        choosable = self.choosable_rows()
        return [
            {
                "code": u["code"],
                "name": u["name"],
                "latest": latest.get(u["code"]),
                "counted": counted.get(u["code"]),
                "uploads": number.get(u["code"], 0),
                "in_doubt": u["code"] in in_doubt,
                "chosen": chosen.get(u["code"]),
                "choosable": choosable.get(u["code"], []),
            }
            for u in self.units()
        ]

    def counted_rows(self) -> list[sqlite3.Row]:
        """The upload that counts of each roster unit that has one, in roster order."""
        return self.query(
            "SELECT s.id, s.unit_code, s.uploaded_at, s.name, s.sha256, s.ext FROM submissions s "
            "JOIN units u ON u.code = s.unit_code WHERE s.counts = 1 AND u.in_roster = 1 ORDER BY u.position"
        )

    # the event log -------------------------------------------------------------------------------
    def log(self, actor: str, kind: str, detail: str, address: str) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO events(at, actor, kind, detail, address) VALUES(?, ?, ?, ?, ?)",
                (time.time(), actor, kind, detail, address),
            )

    def events_csv(self) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["id", "time", "actor", "event", "detail", "address"])
        for row in self.query("SELECT * FROM events ORDER BY id"):
            when = dt.datetime.fromtimestamp(row["at"]).isoformat(timespec="seconds")
            writer.writerow([row["id"], when, row["actor"], row["kind"], _no_formula(row["detail"]), row["address"]])
        return out.getvalue().encode("utf-8-sig")


def _no_formula(text: str) -> str:
    """A cell a spreadsheet would take for a formula (CSV injection) is kept as text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
