"""Workbooks a unit uploads through its portal link (门户上传), taken in like the inbox's.

    upload (a temporary file) ──take_upload──▶ archived copy + ledger row (one transaction)
                                              + the receipt (回执) the unit reads at once

The bytes go into the same archive and ledger as the inbox's files; the received time is the
moment the upload completed. A workbook whose title rows name another unit is rejected and
counts for no one: its reading is the uploading unit's, unusable, saying whose it is. The
client's file name is only a label (`门户上传/人社局/6月进度.xlsx`), never a path.

`portal_received` gives every upload as a `Received`, so that `submissions_for` decides what
counts exactly as for the inbox (the latest received workbook of a unit and month).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from progress_audit.intake.archive import archive_name, extension, keep_written
from progress_audit.intake.archived_reading import WorkbookReader, default_reader, read_archived
from progress_audit.intake.inbox import moment_of
from progress_audit.intake.reading import WorkbookReading
from progress_audit.intake.receive import Received, reading_context
from progress_audit.intake.review import return_of, same_as_returned
from progress_audit.model.codes import advice
from progress_audit.model.period import Calendar, Period
from progress_audit.model.problems import CellRef, Problem
from progress_audit.model.receipts import Receipt, ReceiptProblem, ReceiptStatus

if TYPE_CHECKING:
    from progress_audit.intake.ledger import Ledger, Upload
    from progress_audit.standards.catalogue import Catalogue
    from progress_audit.standards.responsibility import TaskLine

PORTAL_FOLDER = "门户上传"
"""Uploads are named as if they were in this folder of the inbox, under the unit's name."""
DEFAULT_NAME = "进度填报表.xlsx"


def upload_name(unit: str, client_name: str | None) -> str:
    """The label an upload is known by: `门户上传/<unit>/<the file's own name>`, the client's
    name reduced to its last part, without control characters, at most 80 characters."""
    name = (client_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip().lstrip(".")
    name = re.sub(r"\s+", " ", name)[-80:].strip()
    return f"{PORTAL_FOLDER}/{unit}/{name or DEFAULT_NAME}"


def as_uploaded(reading: WorkbookReading, unit: str, name: str) -> WorkbookReading:
    """The reading of a workbook `unit` uploaded: rejected when it is another unit's."""
    if reading.unit in (None, unit):
        return replace(reading, unit=unit)  # a file the reader could not place is still ours
    problem = Problem(
        code="other_unit",
        message=(
            f"这份工作簿的标题写的是“{reading.unit}”，不是本单位（{unit}）的填报表，未予采用，"
            "也不计入任何单位。请上传本单位的填报表"
        ),
        ref=CellRef(name),
        unit=unit,
        dimension="validity",
    )
    return WorkbookReading(
        unit=unit,
        period=reading.period,
        rows=(),
        problems=(problem,),
        usable=False,
        sheet=reading.sheet,
    )


# -- the receipt ------------------------------------------------------------------------


def receipt(
    unit: str,
    file: str,
    sha256: str,
    received_at: datetime,
    reading: WorkbookReading,
    calendar: Calendar,
) -> Receipt:
    """The receipt (回执) of contract section 8: on time, late or rejected, and every problem
    the reader found, each with its cell, title and what to do."""
    status: ReceiptStatus = "rejected"
    if reading.usable and reading.period:
        due = calendar.due(Period.parse(reading.period))
        status = "on_time" if received_at <= due else "late"
    return Receipt(
        unit=unit,
        period=reading.period,
        file=file,
        sha256=sha256,
        received_at=received_at.replace(microsecond=0),
        status=status,
        problems=tuple(ReceiptProblem(**p) for p in problems_json(reading.problems)),
    )


def problems_json(problems: Sequence[Problem]) -> list[dict[str, Any]]:
    return [
        {
            "code": p.code,
            "severity": p.severity,
            "message": p.message,
            "cell": p.where,
            "advice": advice(p),
            "task_id": p.task_id,
            "metric_id": p.metric_id,
        }
        for p in problems
    ]


# -- taking an upload in ------------------------------------------------------------------


@dataclass(frozen=True)
class Taken:
    """An upload as recorded: the ledger row, its reading, and the unit's uploads of the same
    bytes recorded before it (what its receipt as it stands is joined with)."""

    upload: Upload
    reading: WorkbookReading
    earlier: tuple[Upload, ...]


def take_upload(
    temporary: Path,
    sha256: str,
    size: int,
    unit: str,
    client_name: str | None,
    received_at: datetime,
    workspace: Path,
    ledger: Ledger,
    catalogue: Catalogue,
    assignments: Mapping[str, tuple[TaskLine, ...]],
    *,
    calendar: Calendar,
    reader: WorkbookReader | None = None,
) -> Taken:
    """Archive the uploaded bytes (already hashed while they arrived), read the archived copy,
    and record the bytes, the reading and the receipt in one transaction. A kill before the
    transaction leaves at most an archived copy that no receipt names (and a later upload of
    the same bytes reuses); after it, the whole receipt."""
    # The ledger (SQLAlchemy) is slow to import: importing intake must not pull it in.
    from progress_audit.intake.ledger import CachedReading, Upload

    reader = reader or default_reader()
    workspace = Path(workspace)
    name = upload_name(unit, client_name)
    context = reading_context(catalogue, assignments)
    known = ledger.lookup(name, sha256, reader.version, context)
    archived = known.file.archived if known.file else archive_name(sha256, name)
    keep_written(temporary, sha256, workspace / archived)
    reading, _, fresh = read_archived(
        workspace / archived, name, known.reading, reader, catalogue, assignments
    )
    reading = as_uploaded(reading, unit, name)
    received_at = calendar.local(received_at)
    reading = refused_if_returned(reading, name, sha256, received_at, ledger)
    file = name.rsplit("/", 1)[-1]
    document = receipt(unit, file, sha256, received_at, reading, calendar)
    received_ns = int(received_at.timestamp() * 1_000_000) * 1000
    # A file is judged by its bytes, once: sent again, it carries every problem the first had.
    earlier = tuple(ledger.uploads(unit, sha256))
    twin = next((u for u in reversed(earlier) if u.period == reading.period), None)
    checked = None if _to_check(reading) else "[]"
    if twin is not None and checked is None:
        checked = twin.checked
    upload = Upload(
        unit=unit,
        sha256=sha256,
        received_ns=received_ns,
        name=name,
        period=reading.period,
        receipt=document.as_json(),
        checked=checked,
        archived=archived,
        size=size,
    )
    keep = CachedReading(reader.version, context, fresh) if fresh is not None else None
    ledger.record_upload(upload, size, extension(name), archived, keep)
    return Taken(upload, reading, earlier)


def refused_if_returned(
    reading: WorkbookReading, name: str, sha256: str, received_at: datetime, ledger: Ledger
) -> WorkbookReading:
    """The reading, refused (`same_as_returned`) when the office returned these very bytes."""
    # The review table lives in the ledger's database (SQLAlchemy, slow to import).
    from progress_audit.intake.reviews import review_actions

    unit = reading.unit or ""
    actions = review_actions(ledger, unit=unit)
    action = return_of(unit, reading.period, sha256, received_at, actions)
    if action is None:
        return reading
    # Said on the office's clock, as the month's run says it.
    action = replace(action, at=action.at.astimezone(received_at.tzinfo))
    problem = same_as_returned(name, unit, action)
    return replace(reading, usable=False, rows=(), problems=(*reading.problems, problem))


def checked_problems(upload: Upload) -> list[Problem]:
    """The quality suites' problems stored for an upload, as problems again (none while it is
    still being checked): what the board shows between two runs."""
    result = []
    for p in json.loads(upload.checked or "[]"):
        sheet, _, cell = (p.get("cell") or "").rpartition("!")
        result.append(
            Problem(
                code=p["code"],
                message=p["message"],
                severity=p["severity"],
                ref=CellRef(upload.name, sheet or None, cell or None),
                unit=upload.unit,
                task_id=p.get("task_id"),
                metric_id=p.get("metric_id"),
            )
        )
    return result


def _to_check(reading: WorkbookReading) -> bool:
    """Whether the quality suites have anything to say: a usable workbook with rows."""
    return bool(reading.usable and reading.rows)


def receipt_as_it_stands(upload: Upload, twins: Sequence[Upload] = ()) -> Receipt:
    """An upload's receipt with the quality suites' problems once they have run (`checking`
    until then). The same bytes sent earlier (`twins`) lend it every problem they had: a file
    is judged by its bytes, once."""
    given = Receipt.model_validate_json(upload.receipt)
    stands = given.model_copy(update={"checking": upload.checked is None})
    for u in (upload, *twins):
        stands = stands.joined(ReceiptProblem(**p) for p in json.loads(u.checked or "[]"))
    return stands


def quality_added(upload: Upload) -> list[dict[str, Any]]:
    """The quality suites' problems of an upload that its receipt did not already give."""
    return _not_given(json.loads(upload.receipt)["problems"], upload.checked)


def _not_given(given: Sequence[dict[str, Any]], checked: str | None) -> list[dict[str, Any]]:
    if not checked:
        return []
    seen = {(p["code"], p["cell"]) for p in given}
    return [p for p in json.loads(checked) if (p["code"], p["cell"]) not in seen]


# -- what `run` counts ----------------------------------------------------------------------


def portal_received(
    workspace: Path,
    ledger: Ledger,
    catalogue: Catalogue,
    assignments: Mapping[str, tuple[TaskLine, ...]],
    tz: str,
    *,
    reader: WorkbookReader | None = None,
    periods: Collection[str] | None = None,
    keep: bool = True,
) -> list[Received]:
    """Every upload the ledger holds (with `periods`, those whose workbook was of one of these
    months when it arrived, and those whose month could not be read), as received: the cached
    reading, or the archived copy read again when the reader or the catalogue changed (that
    reading kept in the ledger unless `keep` is False: a page only reads). An upload whose
    archived copy is gone is left out (the ledger still lists it)."""
    reader = reader or default_reader()
    workspace = Path(workspace)
    context = reading_context(catalogue, assignments)
    zone = ZoneInfo(tz)
    uploads = ledger.uploads(periods=periods)
    keys = [(u.sha256, u.name) for u in uploads]
    readings = ledger.cached_readings(keys, reader.version, context)
    result = []
    for u in uploads:
        if not u.archived or not (workspace / u.archived).exists():
            continue
        cached = readings.get((u.sha256, u.name))
        reading, was_cached, fresh = read_archived(
            workspace / u.archived, u.name, cached, reader, catalogue, assignments
        )
        if fresh is not None and keep:
            ledger.store_reading(u.sha256, u.name, reader.version, context, fresh)
        when = moment_of(u.received_ns, zone)
        result.append(
            Received(
                name=u.name,
                sha256=u.sha256,
                size=u.size,
                received_at=when,
                seen_mtime=when,
                archived=u.archived,
                reading=as_uploaded(reading, u.unit, u.name),
                cached=was_cached,
            )
        )
    return result
