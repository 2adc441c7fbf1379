"""The office's review applied to a month's submissions (审核结果): pure functions over plain
records, before the quality checks and the assessment.

- A withdrawal takes that file out of the count before the latest workbook is chosen
  (`without_withdrawn`): it is listed as `withdrawn`, its bytes kept.
- The latest return of a unit's counting submission marks it `returned`: its rows no longer
  count (its findings are `missing` with the reason) until the unit uploads again.
- A correction replaces a row's figure with the office's 审核值 and keeps the unit's own
  figure (`reported`) and the action (`review`) on the row; the latest correction counts.
- An acceptance gives the figures the office accepts (`accepted_keys`).

A correction or an acceptance made before the unit's counting workbook arrived concerns an
earlier workbook: the new one's figures stand until the office reviews them again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

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
        if s.status not in COUNTING_STATUSES or s.unit is None:
            result.append(s)
            continue
        mine = [a for a in actions if a.unit == s.unit and a.period == s.period]
        returns = [a for a in mine if a.action == "return" and a.sha256 == s.sha256]
        if returns:
            result.append(_returned(s, returns[-1]))
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


def _returned(s: Submission, action: ReviewAction) -> Submission:
    problem = Problem(
        code="returned",
        message=f"已被督查室退回（{moment_label(action.at)}）：{action.reason}",
        severity="error",
        ref=CellRef(s.file),
        unit=s.unit,
        dimension="completeness",
    )
    return replace(s, status="returned", rows=(), problems=(*s.problems, problem))


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
        review=Review("correct", action.reason, action.at),
        problems=problems,
    )
