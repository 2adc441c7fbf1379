"""Who has not submitted yet (催报): the units the office must chase for a month's workbook.

A unit has submitted when a usable workbook for the month had arrived by `as_of`: one the
ledger marks `on_time` or `late`, or `superseded` (a usable workbook that a later one replaced;
the later one may have arrived after `as_of`). A unit whose only files were `rejected` has not
submitted, and its reminder says which files could not be used and why.

Pure functions of their arguments: no wall clock, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from progress_audit.model.period import Calendar, Period
from progress_audit.model.records import SUBMITTED_STATUSES, Submission
from progress_audit.standards.responsibility import TaskLine


@dataclass(frozen=True)
class RejectedFile:
    """A workbook a unit sent that could not be used (无法使用), and why, in the clerk's words."""

    file: str
    received_at: datetime
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reminder:
    """One unit to chase for one month (催报对象).

    `lines` is how many task lines the unit owes; `due` the deadline (报送截止时间); `as_of`
    the moment the reminder speaks for (it dates the e-mail); `rejected` the unit's files for
    the month that arrived by `as_of` but could not be used, oldest first.
    """

    unit: str
    period: str
    due: datetime
    lines: int
    as_of: datetime | None = None
    rejected: tuple[RejectedFile, ...] = ()

    @property
    def overdue(self) -> bool:
        """The deadline has passed at `as_of` (已逾期)."""
        return self.as_of is not None and self.as_of >= self.due


def _check_aware(as_of: datetime) -> None:
    if as_of.tzinfo is None or as_of.utcoffset() is None:
        raise ValueError(f"as_of 缺少时区：{as_of.isoformat()}（应为带时区的时间，如 +08:00）")


def _arrived(submissions: Sequence[Submission], period: Period, as_of: datetime):
    """The month's submissions that had arrived by `as_of`, oldest first."""
    month = str(period)
    found = [s for s in submissions if s.period == month and s.received_at <= as_of]
    return sorted(found, key=lambda s: (s.received_at, s.file))


def units_not_submitted(
    period: Period,
    as_of: datetime,
    reporting_units: Sequence[str],
    submissions: Sequence[Submission],
) -> list[str]:
    """The reporting units with no usable workbook for `period` received by `as_of`, in the
    order given (the table's order).

    Late counts as submitted (it is chased by the audit, not by a reminder); rejected does not.
    """
    _check_aware(as_of)
    submitted = {
        s.unit for s in _arrived(submissions, period, as_of) if s.status in SUBMITTED_STATUSES
    }
    return [unit for unit in dict.fromkeys(reporting_units) if unit not in submitted]


def reminders(
    period: Period,
    as_of: datetime,
    assignments: Mapping[str, Sequence[TaskLine]],
    submissions: Sequence[Submission],
    calendar: Calendar,
) -> list[Reminder]:
    """A reminder for every unit of `assignments` that has not submitted `period` by `as_of`,
    in the order of `assignments` (the table's order)."""
    arrived = _arrived(submissions, period, as_of)
    due = calendar.due(period)
    result = []
    for unit in units_not_submitted(period, as_of, list(assignments), submissions):
        rejected = tuple(
            RejectedFile(
                s.file,
                s.received_at,
                tuple(p.message for p in s.problems if p.severity == "error"),
            )
            for s in arrived
            if s.unit == unit and s.status == "rejected"
        )
        result.append(Reminder(unit, str(period), due, len(assignments[unit]), as_of, rejected))
    return result
