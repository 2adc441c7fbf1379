"""Which submissions count (报送认定): for a month and a moment, which files had arrived, which
counts for each unit, which were late, superseded or rejected; and what the ledger received
before that is no longer in the inbox as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from progress_audit.intake.archived_reading import WorkbookReader, default_reader, read_archived
from progress_audit.intake.inbox import moment_of
from progress_audit.intake.receive import Received, reading_context
from progress_audit.model.period import Calendar, Period
from progress_audit.model.problems import CellRef, Problem
from progress_audit.model.records import COUNTING_STATUSES, Submission
from progress_audit.model.wording import deadline_label, moment_label

if TYPE_CHECKING:
    from progress_audit.intake.ledger import Ledger
    from progress_audit.standards.catalogue import Catalogue
    from progress_audit.standards.responsibility import TaskLine


def submissions_for(
    period: Period, as_of: datetime, received: Sequence[Received], calendar: Calendar
) -> list[Submission]:
    """The month's submissions as of `as_of` (pure).

    - Only bytes received at or before `as_of` count.
    - Identical bytes under several names are one submission (the earliest name; the others
      are noted), as long as they are attributed to the same unit and month.
    - For each unit, the latest received usable workbook for the month counts, `on_time` or
      `late` against the due date; earlier usable ones are `superseded` (kept and listed).
    - Unusable files are `rejected` with their reasons. One whose month could be read goes to
      that month. One whose month could not be read goes to the month whose reporting window it
      arrived in: after the previous month's due date, up to this month's. The windows follow
      one another, so every such file is listed in exactly one month's audit.

    Ordered by unit (files with no unit last), then received time, then name.
    """
    due = calendar.due(period)
    window_start = calendar.due(period.prev())
    month = str(period)

    groups: dict[tuple[object, ...], list[Received]] = {}
    for r in received:
        if r.received_at > as_of:
            continue
        reading = r.reading
        usable = bool(reading.usable and reading.unit and reading.period)
        if reading.period is not None:
            if reading.period != month:
                continue
        elif usable or not (window_start < r.received_at <= due):
            continue
        key = (r.sha256 or f"name:{r.name}", reading.unit, reading.period, usable)
        groups.setdefault(key, []).append(r)

    counted: list[tuple[Received, tuple[str, ...], bool]] = []
    sent_last: dict[int, datetime] = {}
    for (_, _, _, usable), rs in groups.items():
        present = [r for r in rs if r.seen_mtime <= as_of] or rs
        present.sort(key=lambda r: (r.seen_mtime, r.name))
        others = tuple(dict.fromkeys(r.name for r in present[1:] if r.name != present[0].name))
        counted.append((present[0], others, usable))
        # The same bytes sent again through the portal are the latest when sent last.
        sent_last[id(present[0])] = max(r.received_at for r in present)

    latest: dict[str, Received] = {}
    for first, _, usable in counted:
        unit = first.reading.unit
        assert unit is not None or not usable
        if usable and (
            unit not in latest or _order(first, sent_last) > _order(latest[unit], sent_last)
        ):
            latest[unit] = first  # type: ignore[index]

    result = []
    for r, others, usable in counted:
        if not usable:
            status = "rejected"
        elif latest[r.reading.unit] is not r:  # type: ignore[index]
            status = "superseded"
        else:
            status = "on_time" if r.received_at <= due else "late"
        result.append(_submission(r, others, status, latest.get(r.reading.unit or ""), due))
    result.sort(key=lambda s: (s.unit is None, s.unit or "", s.received_at, s.file))
    return result


def _order(r: Received, sent_last: Mapping[int, datetime]) -> tuple[datetime, str, str]:
    """Which of two workbooks was received later (the same bytes sent again count from the
    last time); ties broken by name, then content."""
    return (sent_last.get(id(r), r.received_at), r.name, r.sha256)


def _submission(
    r: Received, others: tuple[str, ...], status: str, latest: Received | None, due: datetime
) -> Submission:
    reading = r.reading
    ref = CellRef(r.name)
    notes: list[Problem] = []
    if others:
        notes.append(
            Problem(
                code="duplicate_file",
                message=f"收件箱中另有内容完全相同的文件：{'、'.join(others)}，按同一份报送处理",
                severity="warning",
                ref=ref,
                unit=reading.unit,
                dimension="consistency",
            )
        )
    if status == "late":
        notes.append(
            Problem(
                code="late",
                message=(
                    f"逾期报送：{moment_label(r.received_at)} 收到，"
                    f"报送截止时间为 {deadline_label(due)}"
                ),
                severity="warning",
                ref=ref,
                unit=reading.unit,
                dimension="timeliness",
            )
        )
    if status == "superseded" and latest is not None:
        notes.append(
            Problem(
                code="superseded",
                message=(
                    f"已被 {latest.name}（{moment_label(latest.received_at)} 收到）替代，"
                    "以新版本为准"
                ),
                severity="warning",
                ref=ref,
                unit=reading.unit,
                dimension="consistency",
            )
        )
    counts = status in COUNTING_STATUSES
    # Only the counting workbook carries its rows and the reader's findings about them; a
    # superseded one keeps just the note (its data stays in the archive and the ledger).
    problems = (*reading.problems, *notes) if status != "superseded" else tuple(notes)
    return Submission(
        file=r.name,
        sha256=r.sha256,
        received_at=r.received_at,
        status=status,  # type: ignore[arg-type]
        unit=reading.unit,
        period=reading.period,
        archived=r.archived,
        problems=tuple(problems),
        rows=tuple(reading.rows) if counts else (),
        nodes=tuple(reading.nodes) if counts else (),
    )


# -- earlier receipts ---------------------------------------------------------------------


def earlier_receipts(
    workspace: Path,
    ledger: Ledger,
    present: Iterable[Received],
    catalogue: Catalogue,
    assignments: Mapping[str, tuple[TaskLine, ...]],
    tz: str,
    *,
    reader: WorkbookReader | None = None,
) -> list[Received]:
    """What the ledger received before that is no longer in the inbox as it was: a workbook a
    unit overwrote with a new version under the same name, or a file someone removed.

    Passed to `submissions_for` with the present files, they keep the record complete: the old
    version is listed as superseded, and a rerun of an earlier `as_of` sees what had arrived by
    then. Read from the archived copy (or the cache).
    """
    reader = reader or default_reader()
    workspace = Path(workspace)
    seen = {(r.name, r.sha256) for r in present}
    zone = ZoneInfo(tz)
    result = []
    for s in ledger.sightings():
        if (s.name, s.sha256) in seen:
            continue
        context = reading_context(catalogue, assignments)
        known = ledger.lookup(s.name, s.sha256, reader.version, context)
        if known.file is None or not (workspace / known.file.archived).exists():
            continue  # archive lost: nothing to read; the ledger still lists the sighting
        reading, cached, fresh = read_archived(
            workspace / known.file.archived, s.name, known.reading, reader, catalogue, assignments
        )
        if fresh is not None:
            ledger.store_reading(s.sha256, s.name, reader.version, context, fresh)
        result.append(
            Received(
                name=s.name,
                sha256=s.sha256,
                size=known.file.size,
                received_at=moment_of(known.file.received_ns, zone),
                seen_mtime=moment_of(s.mtime_ns, zone),
                archived=known.file.archived,
                reading=reading,
                cached=cached,
            )
        )
    return result
