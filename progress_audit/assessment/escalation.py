"""The escalation ladder (约谈名单): a task line 严重滞后 month after month is named in the
通报's 督办要求 for a talk with its leader (约谈), after as many months running as the lighting
rule says (`Thresholds.escalate_after_months`, 2 by default).

Plain data in, plain data out: the month's findings and the earlier months' statuses of the
same lines (from their findings.json), so the 通报 and the dashboard name the same lines.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from progress_audit.model.period import Period

RED = "off_track"
"""The status that climbs the ladder: 严重滞后."""

LineKey = tuple[str, str, str | None]
"""(unit, task_id, metric_id): one line, the same month after month."""


class Line(Protocol):
    """What the ladder reads of a finding (a `Finding`, or one read back from findings.json)."""

    @property
    def unit(self) -> str: ...
    @property
    def task_id(self) -> str: ...
    @property
    def metric_id(self) -> str | None: ...
    @property
    def leaders(self) -> Sequence[str]: ...
    @property
    def name(self) -> str: ...
    @property
    def status(self) -> str: ...


@dataclass(frozen=True)
class Escalation:
    """One line named for 约谈: its unit, leaders, task and how many months running it has been
    严重滞后 up to the reported month (this one included)."""

    unit: str
    leader: str
    """The 分管领导 who holds the talk."""
    task_id: str
    metric_id: str | None
    name: str
    months: int

    @property
    def line_id(self) -> str:
        """`16.1.1`, or `16.1` for a task without a metric."""
        return self.metric_id or self.task_id


def escalations(
    findings: Sequence[Line],
    period: Period,
    earlier: Mapping[str, Mapping[LineKey, str]],
    after_months: int,
    leader_of: Callable[[Line], str] | None = None,
    name_of: Callable[[Line], str] | None = None,
) -> list[Escalation]:
    """The lines 严重滞后 this month and in each of the months before it, `after_months` or more
    months running: most months first, then in the findings' order. `earlier` holds the
    statuses of `period`'s earlier months by month (`2019-05`); a month without data ends a
    run (it is never counted as red), and so does the turn of the year. `leader_of` names a
    line's 分管领导 (by default the first the table names), `name_of` what a list calls it (by
    default its name)."""
    out = []
    for f in findings:
        if f.status != RED:
            continue
        key = (f.unit, f.task_id, f.metric_id)
        months, p = 1, period
        while p.month > 1:
            p = p.prev()
            if earlier.get(str(p), {}).get(key) != RED:
                break
            months += 1
        if months >= after_months:
            leader = leader_of(f) if leader_of else (f.leaders[0] if f.leaders else "")
            name = name_of(f) if name_of else f.name
            out.append(Escalation(f.unit, leader, f.task_id, f.metric_id, name, months))
    return sorted(out, key=lambda e: -e.months)  # stable: in the findings' own order within


def escalation_sentence(items: Sequence[Escalation], after_months: int) -> str:
    """督办要求's item for the lines named for 约谈, or empty when there are none."""
    if not items:
        return ""
    return (
        f"连续{after_months}个月及以上严重滞后的{len(items)}项任务列入约谈名单，"
        "由分管领导约谈牵头单位主要负责人"
    )


def escalation_list(items: Sequence[Escalation]) -> str:
    """约谈名单: the lines by leader, each with its unit and months running."""
    by_leader: dict[str, list[Escalation]] = {}
    for e in items:
        by_leader.setdefault(e.leader or "分管领导", []).append(e)
    named = "；".join(
        f"{leader}分管："
        + "、".join(f"{e.unit}“{e.line_id} {e.name}”（连续{e.months}个月）" for e in lines)
        for leader, lines in by_leader.items()
    )
    return f"约谈名单：{named}。" if named else ""
