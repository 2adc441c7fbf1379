"""The office's review applied to a month's submissions (审核结果): pure functions over plain
records, before the quality checks and the assessment.

- A withdrawal takes that file out of the count before the latest workbook is chosen
  (`without_withdrawn`): it is listed as `withdrawn`, its bytes kept.
- The latest return of a unit's counting submission marks it `returned`: its rows no longer
  count (its findings are `missing` with the reason) until the unit uploads again. A returned
  file stays `returned` after the unit sends a new one (never `superseded`), and the very bytes
  sent again after their return are refused (`same_as_returned`, `refused_again`).
- A correction replaces a row's figure with the office's 审核值 and keeps the unit's own
  figure (`reported`) and the action (`review`) on the row; the latest correction counts.
- An acceptance gives the figures the office accepts (`accepted_keys`).

A correction or an acceptance made before the unit's counting workbook arrived concerns an
earlier workbook: the new one's figures stand until the office reviews them again.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from progress_audit.intake.receive import Received
from progress_audit.model.problems import CellRef, Problem
from progress_audit.model.records import (
    COUNTING_STATUSES,
    ReportedRow,
    Review,
    ReviewAction,
    Submission,
)
from progress_audit.model.wording import moment_label


def without_withdrawn(
    received: Sequence[Received], actions: Iterable[ReviewAction]
) -> tuple[list[Received], set[str]]:
    """The files still in the count, and the sha256s the office withdrew (any month: a file
    is one unit's one month)."""
    gone = {a.sha256 for a in actions if a.action == "withdraw" and a.sha256}
    return [r for r in received if r.sha256 not in gone], gone


def withdrawn_submissions(
    received: Sequence[Received], actions: Sequence[ReviewAction], period: str
) -> list[Submission]:
    """The month's withdrawn files, as submissions `withdrawn` with the office's reason."""
    result = []
    seen: set[str] = set()
    for a in actions:
        if a.action != "withdraw" or a.period != period or a.sha256 in seen:
            continue
        r = next((r for r in received if r.sha256 == a.sha256), None)
        if r is None:
            continue
        seen.add(a.sha256 or "")
        problem = Problem(
            code="withdrawn",
            message=f"督查室于 {moment_label(a.at)} 撤下这份文件，不计入报送：{a.reason}",
            severity="warning",
            ref=CellRef(r.name),
            unit=a.unit,
            dimension="consistency",
        )
        result.append(
            Submission(
                file=r.name,
                sha256=r.sha256,
                received_at=r.received_at,
                status="withdrawn",
                unit=a.unit,
                period=period,
                archived=r.archived,
                problems=(problem,),
            )
        )
    return result


def apply_reviews(
    submissions: Sequence[Submission], actions: Sequence[ReviewAction]
) -> list[Submission]:
    """The month's submissions with the office's returns and corrections applied (pure)."""
    result = []
    for s in submissions:
        if s.status not in (*COUNTING_STATUSES, "superseded") or s.unit is None:
            result.append(s)
            continue
        mine = [a for a in actions if a.unit == s.unit and a.period == s.period]
        returns = [a for a in mine if a.action == "return" and a.sha256 == s.sha256]
        if returns:
            result.append(_returned(s, returns[-1]))
            continue
        if s.status == "superseded":
            result.append(s)
            continue
        corrections = {
            a.metric_id: a
            for a in mine
            if a.action == "correct" and a.metric_id and a.at >= s.received_at
        }
        if corrections:
            rows = tuple(_corrected(r, corrections.get(r.metric_id)) for r in s.rows)
            s = replace(s, rows=rows)
        result.append(s)
    return result


def accepted_keys(
    submissions: Sequence[Submission], actions: Sequence[ReviewAction]
) -> frozenset[tuple[str, str | None]]:
    """The figures the office accepts: (unit, metric_id), or (unit, None) for all of a unit's
    counting workbook, when the acceptance came after that workbook arrived."""
    counting = {s.unit: s for s in submissions if s.status in COUNTING_STATUSES}
    keys = set()
    for a in actions:
        s = counting.get(a.unit)
        if a.action == "accept" and s is not None and a.at >= s.received_at:
            keys.add((a.unit, a.metric_id))
    return frozenset(keys)


def figures_used(
    submissions: Sequence[Submission],
    held: Collection[tuple[str, str | None]],
    accepted: Collection[tuple[str, str | None]],
) -> tuple[Submission, ...]:
    """A month's submissions with only the figures its audit used (pure): a figure `held`
    (unit, metric_id: 数据异常，待核实) is left out unless the office corrected it (审核值)
    or accepted it (`accepted_keys`). What the next month compares with and offers as
    `上月累计（参考）`."""
    result = []
    for s in submissions:
        if s.unit is None or s.status not in COUNTING_STATUSES or (s.unit, None) in accepted:
            result.append(s)
            continue
        rows = tuple(
            r
            for r in s.rows
            if r.review is not None
            or (s.unit, r.metric_id) not in held
            or (s.unit, r.metric_id) in accepted
        )
        result.append(s if len(rows) == len(s.rows) else replace(s, rows=rows))
    return tuple(result)


def _returned(s: Submission, action: ReviewAction) -> Submission:
    problem = Problem(
        code="returned",
        message=f"已被督查室退回（{moment_label(action.at)}）：{action.reason}",
        severity="error",
        ref=CellRef(s.file),
        unit=s.unit,
        dimension="completeness",
    )
    # A returned file that a newer one replaced is still the returned one: the office's
    # return is its record, not the replacement.
    kept = tuple(p for p in s.problems if p.code != "superseded")
    return replace(s, status="returned", rows=(), problems=(*kept, problem))


def return_of(
    unit: str, period: str | None, sha256: str, at: datetime, actions: Iterable[ReviewAction]
) -> ReviewAction | None:
    """The office's return of these very bytes of the unit's month taken before `at` (a
    return is always of bytes already there: at the same moment, it is of those), if any."""
    found = [
        a
        for a in actions
        if a.action == "return"
        and a.unit == unit
        and a.sha256 == sha256
        and (period is None or a.period == period)
        and a.at < at
    ]
    return found[-1] if found else None


def same_as_returned(name: str, unit: str, action: ReviewAction) -> Problem:
    """The problem of bytes sent again after the office returned them."""
    return Problem(
        code="same_as_returned",
        message=(
            f"这份文件与督查室{moment_label(action.at)}退回的文件内容完全相同，未予采用。"
            f"退回理由：{action.reason}。请按退回理由修改后重新上传"
        ),
        severity="error",
        ref=CellRef(name),
        unit=unit,
        dimension="completeness",
    )


def refused_again(received: Sequence[Received], actions: Sequence[ReviewAction]) -> list[Received]:
    """The files with every upload of bytes the office had already returned (for that unit and
    month) made unusable with `same_as_returned`: the returned file stays returned
    and the copy counts for no one."""
    result = []
    for r in received:
        unit = r.reading.unit
        # Only an upload can bring returned bytes again: the inbox's copies of some bytes
        # share the time they were first received, before any return.
        action = (
            return_of(unit, r.reading.period, r.sha256, r.received_at, actions) if unit else None
        )
        if action is None:
            result.append(r)
            continue
        problem = same_as_returned(r.name, unit or "", action)
        reading = replace(r.reading, usable=False, rows=(), problems=(*r.reading.problems, problem))
        result.append(replace(r, reading=reading))
    return result


def _corrected(row: ReportedRow, action: ReviewAction | None) -> ReportedRow:
    if action is None:
        return row
    value_cell = row.sources.get("value")
    # The unit's own figure may have been unreadable: the 审核值 stands in its place.
    problems = tuple(
        p
        for p in row.problems
        if value_cell is None or p.ref is None or p.ref.cell != value_cell.cell
    )
    return replace(
        row,
        value=action.value,
        reported=row.value if row.reported is None else row.reported,
        review=Review("correct", action.reason, action.at, action.by),
        problems=problems,
    )
