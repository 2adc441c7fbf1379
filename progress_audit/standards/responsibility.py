"""Who reports what (责任分工): the task lines each lead unit answers for every month.

A task line is one metric of a standard, or the standard itself when it has no numeric target.
A standard led by a collective name (各单位、部门) is reported by every unit the name stands
for: the configured expansion, or by default every named lead unit of the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from progress_audit.standards.catalogue import Catalogue, Metric, Standard
from progress_audit.standards.catalogue.names import is_group


@dataclass(frozen=True)
class TaskLine:
    """One row of a unit's submission workbook: a metric, or a task without one."""

    task_id: str
    metric_id: str | None
    goal: str
    text: str
    """The metric's name, or the standard's text for a task without a metric."""
    target: float | None
    unit_of_measure: str
    deadline: date
    leaders: tuple[str, ...]
    standard: Standard
    metric: Metric | None

    @property
    def key(self) -> tuple[str, str | None]:
        return (self.task_id, self.metric_id)


def task_lines(standard: Standard) -> tuple[TaskLine, ...]:
    """The task lines of a standard: one per metric, or one for the task itself."""
    if not standard.metrics:
        return (
            TaskLine(
                standard.id,
                None,
                standard.goal,
                standard.standard,
                None,
                "",
                standard.deadline,
                standard.leaders,
                standard,
                None,
            ),
        )
    return tuple(
        TaskLine(
            standard.id,
            m.id,
            standard.goal,
            m.name,
            m.target,
            m.unit,
            m.deadline,
            standard.leaders,
            standard,
            m,
        )
        for m in standard.metrics
    )


def reporting_units(
    catalogue: Catalogue, unit_groups: dict[str, list[str]] | None = None
) -> tuple[str, ...]:
    """Every unit that must submit a workbook, in the table's order."""
    return tuple(assignments(catalogue, unit_groups))


def expand(
    name: str, catalogue: Catalogue, unit_groups: dict[str, list[str]] | None
) -> tuple[str, ...]:
    """A lead unit's name as the units that report for it."""
    if not is_group(name):
        return (name,)
    if unit_groups and name in unit_groups:
        return tuple(unit_groups[name])
    return tuple(u for u in catalogue.lead_units() if not is_group(u))


def assignments(
    catalogue: Catalogue, unit_groups: dict[str, list[str]] | None = None
) -> dict[str, tuple[TaskLine, ...]]:
    """Each reporting unit's task lines, in catalogue order."""
    result: dict[str, list[TaskLine]] = {}
    for standard in catalogue.standards:
        for lead in standard.lead_units:
            for unit in expand(lead, catalogue, unit_groups):
                result.setdefault(unit, [])
    for standard in catalogue.standards:
        lines = task_lines(standard)
        units: dict[str, None] = {}
        for lead in standard.lead_units:
            for unit in expand(lead, catalogue, unit_groups):
                units.setdefault(unit, None)
        for unit in units:
            result[unit].extend(lines)
    return {unit: tuple(lines) for unit, lines in result.items()}
