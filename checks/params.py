"""What the month's rules are checked against (`SuiteParams`), apart from the rules themselves:
a plain record, so that a process which never validates (it hands the validation to another,
see progress_audit.quality.validator) can build it without importing Great Expectations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class SuiteParams:
    """What the month's rules are checked against."""

    year: int
    known_tasks: frozenset[str]
    """Every task id (工作标准编号) of the year's catalogue."""
    known_lines: frozenset[str]
    """Every `task_id/metric_id` of the catalogue (see progress_audit.quality.tidy.line_key)."""
    assigned: frozenset[str]
    """Every `unit|task_id/metric_id` a unit answers for (责任分工)."""
    date_min: date
    date_max: date
    """预计完成时间 must fall between these (the year, plus a plausible overrun)."""
    jump_multiple: float
    required_columns: tuple[str, ...]
    statuses: tuple[str, ...]
    """The 完成状态 a unit may choose (the template's drop-down)."""
