"""The month's problems, once each, with what the unit typed where (问题清单).

The reports receive the problems of the reader and of the quality checks; the submissions carry
their own too. Both are merged here (a problem is never dropped, a repeat is shown once), and
each cell reference is matched with the value the unit typed there when the reader kept it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from progress_audit.model.problems import CellRef, Problem
from progress_audit.model.records import COUNTING_STATUSES, Submission
from progress_audit.model.wording import day_label, number_label

CURRENT = (*COUNTING_STATUSES, "rejected", "returned")
"""Submission statuses that still count for the month (not replaced by a newer workbook)."""


def current(submissions: Iterable[Submission]) -> list[Submission]:
    return [s for s in submissions if s.status in CURRENT]


def merged_problems(
    problems: Iterable[Problem], submissions: Iterable[Submission]
) -> list[Problem]:
    """The given problems, then any of the current submissions' own not among them."""
    seen: dict[tuple[object, ...], Problem] = {}
    own = (
        p
        for s in current(submissions)
        for p in (*s.problems, *(q for r in s.rows for q in r.problems))
    )
    for p in (*problems, *own):
        seen.setdefault(_key(p), p)
    return list(seen.values())


def _key(p: Problem) -> tuple[object, ...]:
    ref = p.ref or CellRef("")
    return (p.code, p.message, p.unit, p.task_id, p.metric_id, ref.file, ref.sheet, ref.cell)


_FIELDS_AS_TYPED = ("status", "progress", "issues", "next_steps")


def typed_values(
    submissions: Iterable[Submission],
) -> dict[tuple[str, str | None, str | None], str]:
    """(file, sheet, cell) → the value as the unit typed it (as far as the reader kept it)."""
    out: dict[tuple[str, str | None, str | None], str] = {}
    for s in current(submissions):
        for row in s.rows:
            for field, ref in row.sources.items():
                text = _typed(row, field)
                if text:
                    out.setdefault((ref.file, ref.sheet, ref.cell), text)
    return out


def _typed(row, field: str) -> str:
    if field == "value":
        return row.value_text or number_label(row.value)
    if field in _FIELDS_AS_TYPED:
        return getattr(row, field) or ""
    if field == "percent":
        return number_label(row.percent)
    if field == "expected_completion":
        return day_label(row.expected_completion)
    if field == "target_reported":
        return number_label(row.target_reported)
    if field in ("task_id", "metric_id"):
        return getattr(row, field) or ""
    return ""


def typed_at(values: dict[tuple[str, str | None, str | None], str], ref: CellRef | None) -> str:
    if ref is None:
        return ""
    return values.get((ref.file, ref.sheet, ref.cell), "")


_CELL = re.compile(r"^([A-Za-z]+)(\d+)$")


def ref_key(ref: CellRef | None) -> tuple[object, ...]:
    """File, sheet, then row and column of the cell (F7 before AA7 before B12)."""
    ref = ref or CellRef("")
    row, col = 0, ""
    m = _CELL.match(ref.cell or "")
    if m:
        row, col = int(m.group(2)), m.group(1).upper()
    return (ref.file, ref.sheet or "", row, len(col), col)


def position_key(p: Problem) -> tuple[object, ...]:
    return (*ref_key(p.ref), p.task_id or "", p.metric_id or "", p.code, p.message)


def sorted_by_position(problems: Sequence[Problem]) -> list[Problem]:
    return sorted(problems, key=position_key)


def rejection_reasons(s: Submission) -> str:
    """Why a workbook could not be used, in the problems' own words."""
    errors = [p.message for p in s.problems if p.severity == "error"]
    return "；".join(errors or [p.message for p in s.problems])


def lateness(s: Submission) -> str:
    """What the timeliness check said about a late workbook."""
    late = [p.message for p in s.problems if p.dimension == "timeliness"]
    return "；".join(late) or "收到时间晚于报送截止时间"
