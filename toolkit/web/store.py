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
import json
import os
import re
import secrets
import shutil
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
from .clock import iso
from .exports import csv_bytes

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
    """The disk (or the quota) is full, for the files or for the database: nothing was kept."""


def is_disk_full(exc: BaseException) -> bool:
    """A full disk, however it showed: no space or quota (ENOSPC, EDQUOT) for a file, or
    SQLite's "database or disk is full" (SQLITE_FULL)."""
    seen: BaseException | None = exc
    while seen is not None:  # dv's OutputError says it in words: the OSError is its context
        if isinstance(seen, DiskFull):
            return True
        if isinstance(seen, sqlite3.OperationalError):
            if getattr(seen, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "full" in str(seen):
                return True
        elif isinstance(seen, OSError) and seen.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


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
    if report.rollup is not None:
        data["rollup"] = report.rollup.to_dict()
    return json.dumps(data, ensure_ascii=False)


def report_from_json(text: str) -> FileReport:
    data = json.loads(text)
    issues = [issue_from_dict(i) for i in data.pop("issues")]
    rollup = data.pop("rollup", None)
    report = FileReport(**{k: _decode(v) for k, v in data.items()}, issues=issues)
    if rollup is not None:
        from ..provenance import Provenance

        report.rollup = Provenance.from_dict(rollup)
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
        self._pending: dict[str, int] = {}  # files stored for uploads not yet recorded (or refused)
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
        """One transaction: all of it is kept, or none (a transaction opened inside another is
        part of it). A full disk or database is :class:`DiskFull`, after the rollback."""
        with self._lock:
            if self._db.in_transaction:
                yield self._db
                return
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                    self._db.execute("COMMIT")
                except BaseException:
                    if self._db.in_transaction:  # SQLite may have rolled it back already (SQLITE_FULL)
                        self._db.execute("ROLLBACK")
                    raise
            except sqlite3.OperationalError as exc:
                if is_disk_full(exc):
                    raise DiskFull(errno.ENOSPC, str(exc)) from None
                raise

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
        """The officer's new password; every session of the old one ends with it."""
        salt = secrets.token_bytes(16)
        digest = hashlib.scrypt(password.encode(), salt=salt, **SCRYPT)
        with self.transaction() as db:
            self.set_setting(
                "password", f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${salt.hex()}${digest.hex()}"
            )
            ended = db.execute("DELETE FROM sessions").rowcount
            self.log("officer", "password-set", f"{ended} sessions ended", "")

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

    def end_all_sessions(self) -> int:
        """Log the officer out everywhere; the number of sessions ended."""
        with self.transaction() as db:
            return db.execute("DELETE FROM sessions").rowcount

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

    def replace_links(
        self, codes: list[str], base_url: str, event: tuple[str, str, str, str] | None = None
    ) -> dict[str, str]:
        """New links for ``codes``, in the database and in ``links.csv`` together (with
        ``event``, the (actor, kind, detail, address) of the event log): if any of them cannot
        be written (a full disk), none changes."""
        old = self.links_path.read_bytes() if self.links_path.exists() else None
        try:
            with self.transaction():
                fresh = {code: self.new_link(code) for code in codes}
                if event is not None:
                    self.log(*event)
                self.write_links(base_url, fresh)
        except BaseException:  # the database keeps the old links: so does links.csv
            with contextlib.suppress(Exception):
                if old is None:
                    self.links_path.unlink(missing_ok=True)
                elif self.links_path.read_bytes() != old:
                    atomic_write(self.links_path, old, force=True)
            raise
        return fresh

    def issue_missing_links(self, base_url: str) -> int:
        """A link for every roster unit that has none, written to ``links.csv``; the count."""
        missing = [u["code"] for u in self.units() if u["link_hash"] is None]
        if missing:
            self.replace_links(missing, base_url)
        return len(missing)

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
        order = {code: i for i, code in enumerate(names)}
        ordered = [rows[code] for code in sorted(rows, key=lambda c: order.get(c, len(order)))]
        atomic_write(self.links_path, csv_bytes(["code", "name", "link"], ordered), force=True)
        with contextlib.suppress(OSError):
            os.chmod(self.links_path, 0o600)

    # files ---------------------------------------------------------------------------------------
    def file_path(self, sha256: str, ext: str) -> Path:
        return self.files / sha256[:2] / f"{sha256}{ext}"

    @property
    def tmp(self) -> Path:
        return self.files / "tmp"

    def put_file(self, source: BinaryIO, ext: str) -> Stored:
        """Copy an upload into the store under its SHA-256: through a temporary file in
        ``files/tmp/``, linked into place (an existing identical file is kept as it is). The
        file is *pending* until :meth:`release`: kept if a submission names it by then, else
        removed. On a full disk nothing is left behind and :class:`DiskFull` is raised."""
        digest, size = hashlib.sha256(), 0
        try:
            self.tmp.mkdir(exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix="up-", dir=self.tmp)
        except OSError as exc:
            if is_disk_full(exc):
                raise DiskFull(exc.errno, os.strerror(exc.errno)) from None
            raise
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
            with self._lock:  # the file and its pending mark together (release() decides under it)
                self._pending[target.name] = self._pending.get(target.name, 0) + 1
                try:
                    target.parent.mkdir(exist_ok=True)
                    if not target.exists():  # the same name means the same bytes: never replaced
                        try:
                            os.link(tmp, target)
                        except FileExistsError:
                            pass
                        except OSError as exc:  # a file system without hard links
                            if is_disk_full(exc):
                                raise
                            os.replace(tmp, target)
                    os.chmod(target, 0o444)
                except BaseException:
                    self._release(target)
                    raise
            return Stored(sha, size, target)
        except OSError as exc:
            if is_disk_full(exc):
                raise DiskFull(exc.errno, os.strerror(exc.errno)) from None
            raise
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)

    def release(self, stored: Stored) -> None:
        """The upload that stored ``stored`` is done: recorded (its file stays), or refused or
        failed (its file goes, unless a submission or another upload under way has the same
        bytes). Never a stored file without a submission row."""
        with self._lock:
            self._release(stored.path)

    def _release(self, target: Path) -> None:
        left = self._pending.get(target.name, 1) - 1
        if left > 0:
            self._pending[target.name] = left
            return
        self._pending.pop(target.name, None)
        sha, ext = target.name[:64], target.name[64:]
        if not self.query("SELECT 1 FROM submissions WHERE sha256 = ? AND ext = ? LIMIT 1", (sha, ext)):
            _remove(target)

    def sweep(self) -> dict[str, int]:
        """At start, what a killed server left: the temporaries of uploads being stored
        (``files/tmp/``, removed), stored files no submission names (the server died before
        recording the upload, whose clerk got no answer: moved to ``orphans/``, for the officer
        to look at or delete), and the half-made folders of ``derived/``. Returns the counts."""
        from ..fsutil import remove_stale_temporaries

        temporaries = orphans = 0
        if self.tmp.is_dir():
            for entry in self.tmp.iterdir():
                temporaries += _remove(entry)
        named = {f"{r['sha256']}{r['ext']}" for r in self.query("SELECT DISTINCT sha256, ext FROM submissions")}
        for folder in self.files.iterdir():
            if folder.is_dir() and folder != self.tmp and len(folder.name) == 2:
                for entry in folder.iterdir():
                    if entry.name not in named and entry.name not in self._pending:
                        with contextlib.suppress(OSError):
                            self.orphans.mkdir(exist_ok=True)
                            os.replace(entry, self.orphans / entry.name)
                            orphans += 1
        for half in list(self.derived.glob("*/*.tmp")) + list(self.derived.glob("*.tmp")):
            shutil.rmtree(half, ignore_errors=True)
        remove_stale_temporaries([p for p in self.derived.rglob("*") if p.is_dir()] + [self.derived, self.folder])
        return {"temporaries": temporaries, "orphans": orphans}

    @property
    def orphans(self) -> Path:
        return self.folder / "orphans"

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

    def events_csv(self, zone: dt.tzinfo) -> bytes:
        """The event log as CSV; times in ``zone`` (the province's), ISO 8601 with the offset."""
        rows = (
            [
                r["id"],
                iso(r["at"], zone),
                r["actor"],
                r["kind"],
                r["detail"],
                r["address"],
            ]
            for r in self.query("SELECT * FROM events ORDER BY id")
        )
        return csv_bytes(["id", "time", "actor", "event", "detail", "address"], rows)


def _remove(path: Path) -> int:
    """Remove a file (read-only ones too: Windows refuses those); 1 if it was removed."""
    try:
        with contextlib.suppress(OSError):
            os.chmod(path, 0o644)
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
        return 1
    except OSError:
        return 0
