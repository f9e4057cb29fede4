"""Which upload counts for each unit, and the officer's summary: the rules of ``dv merge``
(docs/spec.md §5.8) applied to what the portal stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..form import Form
from ..issues import FileReport, Status
from ..merger import merge_reports
from ..roster import Roster
from ..summary import summary_filename
from .checking import Checker, Outputs
from .store import Store, Stored, issue_from_dict, issue_to_dict, report_from_json

__all__ = ["Round", "UnitStatus"]

# A unit's status on the board: its words are the catalogue's web.unit.<status>.
MISSING, REJECTED, VALID, LATE, CONFLICT = "missing", "rejected", "valid", "late", "conflict"


def _status(counted: Any, uploaded: bool, deadline: dt.date | None, zone: dt.tzinfo, in_doubt: bool = False) -> str:
    """A unit's status: valid (or late, after the end of the deadline's day in the province's
    time zone ``zone``) if an upload counts; conflict if none does and one awaits the officer's
    decision (unit-conflict); rejected if it uploaded only files that do not count, missing if
    nothing."""
    if counted is not None:
        late = deadline is not None and dt.datetime.fromtimestamp(counted["uploaded_at"], zone).date() > deadline
        return LATE if late else VALID
    if in_doubt:
        return CONFLICT
    return REJECTED if uploaded else MISSING


@dataclass
class UnitStatus:
    code: str
    name: str
    status: str  # one of MISSING, REJECTED, VALID, LATE, CONFLICT (its words: web.unit.<status>)
    latest: Any
    counted: Any
    uploads: int
    chosen: int | None = None  # the upload the officer chose (its id), if a choice stands
    choosable: list[Any] = field(default_factory=list)  # uploads the officer may choose instead


class Round:
    def __init__(
        self, store: Store, checker: Checker, form: Form, roster: Roster | None, zone: dt.tzinfo = dt.UTC
    ) -> None:
        self.store, self.checker, self.form, self.roster, self.zone = store, checker, form, roster, zone
        # One settling at a time: the last one to run sees every upload (two uploads of a unit
        # at once cannot leave two files counting).
        self._settling = threading.Lock()

    @property
    def deadline(self) -> dt.date | None:
        value = self.store.setting("deadline")
        return dt.date.fromisoformat(value) if value else None

    def settle(self, unit_code: str) -> None:
        """Decide, with ``merge_reports``, the status of each upload of the unit and the one that
        counts; saved in the database."""
        with self._settling, self.store.transaction():
            self._settle(unit_code)

    def record(
        self, unit_code: str, name: str, stored: Stored, ext: str, address: str, report: FileReport, at: float
    ) -> int:
        """Record an upload and settle its unit, in one transaction: the submission, its event
        and every status it changes are all kept, or (a full disk: :class:`DiskFull`) none."""
        with self._settling, self.store.transaction():
            sub_id = self.store.add_submission(unit_code, name, stored, ext, address, report, at)
            if self.store.clear_choice(unit_code):
                # A new upload is the unit's newer intent: the officer's earlier choice no longer holds.
                self.store.log(unit_code, "choice-lapsed", f"{sub_id}", address)
            self._settle(unit_code)
        return sub_id

    def _settle(self, unit_code: str) -> None:
        """The portal's rule (docs/spec.md §7.6, §8.4): the unit's later upload through its own
        link is its intent (``by_arrival``), whatever the dates inside the files; the officer's
        choice, while it stands, is ``merge_reports``'s ``use``, as ``dv merge --use`` is."""
        rows = self.store.submissions(unit_code)
        choice = self.store.choice(unit_code)
        use = [f"{r['id']:010d}/{r['name']}" for r in rows if choice is not None and r["id"] == choice["submission_id"]]
        reports = []
        for row in rows:
            report = report_from_json(row["report"])
            # The order dv merge would see them in: uploads in turn (the first of identical
            # copies is the original), saved when they arrived.
            report.shown_name = row["name"]
            report.path = f"{row['id']:010d}/{row['name']}"
            report.mtime = row["uploaded_at"]
            reports.append(report)
        verdicts = merge_reports(reports, self.form, self.roster, use=use, by_arrival=True).files
        outcomes = [
            (
                row["id"],
                str(v.status),
                json.dumps([issue_to_dict(i) for i in v.notes], ensure_ascii=False),
                int(v.status == Status.ACCEPTED),
            )
            for row, v in zip(rows, verdicts, strict=True)
        ]
        self.store.set_outcomes(outcomes)

    def round_reports(self) -> tuple[list[FileReport], list[str]]:
        """Every upload of every unit, as ``_settle`` names them, and the officer's standing
        choices: the round as ``merge_reports`` decides it (the roll-up's, docs/spec.md §9)."""
        reports: list[FileReport] = []
        use: list[str] = []
        for unit in self.store.units():
            choice = self.store.choice(unit["code"])
            for row in self.store.submissions(unit["code"]):
                report = report_from_json(row["report"])
                report.shown_name = row["name"]
                report.path = f"{row['id']:010d}/{row['name']}"
                report.mtime = row["uploaded_at"]
                reports.append(report)
                if choice is not None and row["id"] == choice["submission_id"]:
                    use.append(report.path)
        return reports, use

    def settle_all(self) -> None:
        with self._settling, self.store.transaction():
            for unit in self.store.units():
                self._settle(unit["code"])

    def rechecked(self, reports: list[tuple[int, FileReport]], event: tuple[str, str, str, str]) -> None:
        """Each submission's new report (the officer's re-check), every unit settled again and
        the ``event`` logged, in one transaction (all of it, or none: a full disk). The lock
        order is always the settling lock, then the database's."""
        with self._settling, self.store.transaction():
            for sub_id, report in reports:
                self.store.set_report(sub_id, report)
            for unit in self.store.units():
                self._settle(unit["code"])
            self.store.log(*event)

    def unit_status(self, rows: list[Any]) -> str:
        """The board's status of one unit, from its uploads."""
        in_doubt = any(r["status"] in (Status.CONFLICT, Status.UNIT_CONFLICT) for r in rows)
        return _status(next((r for r in rows if r["counts"]), None), bool(rows), self.deadline, self.zone, in_doubt)

    def board(self) -> list[UnitStatus]:
        deadline = self.deadline  # one query for the board, not one per unit
        return [
            UnitStatus(
                row["code"],
                row["name"],
                _status(row["counted"], row["latest"] is not None, deadline, self.zone, row["in_doubt"]),
                row["latest"],
                row["counted"],
                row["uploads"],
                row["chosen"],
                row["choosable"],
            )
            for row in self.store.board_rows()
        ]

    def choose(self, unit_code: str, sub_id: int | None) -> bool:
        """The officer's choice of the upload that counts for a unit (None: back to the unit's
        latest upload); False when that upload is not one the officer may choose."""
        if sub_id is None:
            self.store.clear_choice(unit_code)
        elif any(r["id"] == sub_id for r in self.store.choosable_rows().get(unit_code, [])) or any(
            r["id"] == sub_id and r["counts"] for r in self.store.submissions(unit_code)
        ):
            self.store.set_choice(unit_code, sub_id)
        else:
            return False
        self.settle(unit_code)
        return True

    @staticmethod
    def merge_issues(row: Any) -> list:
        return [issue_from_dict(i) for i in json.loads(row["merge_issues"])]

    # the files that count, and dv merge on them -------------------------------------------------
    def counted(self) -> list[Any]:
        """The uploads that count, in roster order."""
        return self.store.counted_rows()

    def _key(self, counted: list[Any]) -> str:
        text = "|".join(f"{r['unit_code']}:{r['sha256']}{r['ext']}:{r['uploaded_at']}" for r in counted)
        return hashlib.sha256(f"{self.form.id}|{self.form.version}|{self.form.path}|{text}".encode()).hexdigest()[:16]

    def export(self, counted: list[Any] | None = None) -> Path:
        """The files that count (``counted``, if the caller has just read them), one per unit
        named ``CODE.ext``, in a folder of their own (``DIR/derived/<key>/files``): ``dv merge``
        on it gives the portal's summary."""
        counted = self.counted() if counted is None else counted
        folder = self.store.derived / self._key(counted) / "files"
        if folder.is_dir():
            return folder
        tmp = folder.with_name("files.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            tmp.mkdir(parents=True)
            for row in counted:
                target = tmp / f"{row['unit_code']}{row['ext']}"
                shutil.copyfile(self.store.file_path(row["sha256"], row["ext"]), target)
                os.utime(target, (row["uploaded_at"], row["uploaded_at"]))
            os.replace(tmp, folder)
        except BaseException:  # a full disk: no half-copied folder is left to be taken as whole
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return folder

    def outputs(self, lang: str = "vi", counted: list[Any] | None = None) -> Outputs | None:
        """The summary workbook, JSON and Word appendix of the files that count (cached)."""
        folder = self.export(counted)
        cache = folder.parent / f"outputs-{lang}"
        names = ("summary.xlsx", "report.json", "appendix.docx")
        if (cache / names[0]).exists():
            docx = cache / names[2]
            return Outputs(
                (cache / names[0]).read_bytes(),
                (cache / names[1]).read_bytes(),
                docx.read_bytes() if docx.exists() else None,
            )
        outputs = self.checker.merge_folder(folder, lang)
        if outputs is None:
            return None
        tmp = cache.with_name(cache.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            tmp.mkdir()
            (tmp / names[0]).write_bytes(outputs.summary)
            (tmp / names[1]).write_bytes(outputs.json)
            if outputs.docx is not None:
                (tmp / names[2]).write_bytes(outputs.docx)
            shutil.rmtree(cache, ignore_errors=True)
            os.replace(tmp, cache)
        except OSError:  # a full disk: the outputs are served, only not kept for next time
            shutil.rmtree(tmp, ignore_errors=True)
        return outputs

    def zip_counted(self) -> bytes:
        folder = self.export()
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(folder.iterdir()):
                zf.write(path, path.name)
        return buf.getvalue()

    @property
    def summary_name(self) -> str:
        return summary_filename(self.form)
