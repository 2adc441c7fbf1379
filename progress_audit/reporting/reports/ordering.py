"""In what order the reports list findings (排序与分组): worst first, or by leader and unit.

Leaders and units appear in the order of their first task in the responsibility table (the
table lists goals roughly by the leaders' portfolios), so the same month always reads the same
way and a leader finds their block where they expect it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from progress_audit.model.records import FINDING_STATUS_LABELS, Finding
from progress_audit.reporting.reports.labels import task_key

STATUS_ORDER: tuple[str, ...] = tuple(FINDING_STATUS_LABELS)
"""Worst first: overdue, off_track, at_risk, missing, invalid, on_track, completed."""
BEHIND = ("off_track", "at_risk")


def worst_first(findings: Iterable[Finding]) -> list[Finding]:
    """Worse status first; within a status the lowest ratio to 序时进度, then the furthest
    behind it (`gap_points` is progress minus 序时进度: the most negative first).

    A finding without a ratio (a task reported 受阻) counts as the worst of its status.
    """

    def key(f: Finding) -> tuple[object, ...]:
        rank = STATUS_ORDER.index(f.status) if f.status in STATUS_ORDER else len(STATUS_ORDER)
        ratio = f.ratio if f.ratio is not None else float("-inf")
        gap = f.gap_points if f.gap_points is not None else float("-inf")
        return (rank, ratio, gap, task_key(f))

    return sorted(findings, key=key)


def in_table_order(
    items: Iterable[str], findings: Sequence[Finding], of: Callable[[Finding], Iterable[str]]
) -> list[str]:
    """`items` in the order of their first finding in catalogue order; `of(f)` names a finding's
    items."""
    first: dict[str, tuple[object, ...]] = {}
    for f in findings:
        for item in of(f):
            k = task_key(f)
            if item not in first or k < first[item]:
                first[item] = k
    wanted = set(items)
    return sorted((i for i in first if i in wanted), key=lambda i: (first[i], i))


COLLECTIVE_LEADER = "各区长"
NO_LEADER = "（未列分管领导）"
LeaderOf = Callable[[Finding], str]
"""The one 分管领导 a finding is counted under and named as, in every table and list."""


def own_leaders(findings: Sequence[Finding]) -> dict[str, str]:
    """Each lead unit's own 分管领导: the named leader (not 各区长) of most of the standards it
    leads, the first in table order on a tie."""
    tally: dict[str, dict[str, int]] = {}
    for f in sorted(findings, key=task_key):
        named = [n for n in f.leaders if n != COLLECTIVE_LEADER]
        if named:
            unit = tally.setdefault(f.unit, {})
            unit[named[0]] = unit.get(named[0], 0) + 1
    return {u: max(t, key=lambda n: (t[n], -list(t).index(n))) for u, t in tally.items()}


def counted_leaders(findings: Sequence[Finding]) -> LeaderOf:
    """Who answers for each finding, as the count tables count it (按分管领导): the first named
    leader; for a task under 各区长 its lead unit's own 分管领导 where the table names one
    (`own_leaders` over all of `findings`), else 各区长. Every list names this leader."""
    own = own_leaders(findings)

    def leader(f: Finding) -> str:
        named = [n for n in f.leaders if n != COLLECTIVE_LEADER]
        if named:
            return named[0]
        if f.leaders:
            return own.get(f.unit, COLLECTIVE_LEADER)
        return NO_LEADER

    return leader


def by_leader_and_unit(
    findings: Sequence[Finding], leader: LeaderOf | None = None
) -> list[tuple[str, list[tuple[str, list[Finding]]]]]:
    """Findings grouped by 分管领导 (`leader`: by default as the count tables name them among
    `findings`; pass the month's `counted_leaders` for a part of it), then 牵头单位."""
    leader = leader or counted_leaders(findings)
    groups: dict[str, dict[str, list[Finding]]] = {}
    for f in sorted(findings, key=task_key):
        groups.setdefault(leader(f), {}).setdefault(f.unit, []).append(f)
    leader_order = sorted(groups, key=lambda g: (task_key(_first(groups[g])), g))
    return [
        (
            leader,
            [
                (u, groups[leader][u])
                for u in sorted(groups[leader], key=lambda u: (task_key(groups[leader][u][0]), u))
            ],
        )
        for leader in leader_order
    ]


def _first(units: dict[str, list[Finding]]) -> Finding:
    return min((fs[0] for fs in units.values()), key=task_key)


def leaders_of(findings: Sequence[Finding]) -> list[str]:
    """Every leader named in the findings, each once, in table order."""
    names = {name for f in findings for name in f.leaders}
    return in_table_order(names, findings, lambda f: f.leaders)


def units_of(findings: Sequence[Finding]) -> list[str]:
    """Every lead unit of the findings, in table order."""
    return in_table_order({f.unit for f in findings}, findings, lambda f: (f.unit,))
