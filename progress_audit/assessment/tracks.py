"""Standards without a number, judged by their track (contract section 9), never by 形象进度.

- `ongoing` 常态工作: the month's 进展情况 present and not the same as last month's → 正常推进;
  the same text as last month's → 进度滞后 (进展情况与上月相同: 照抄上月); none → 未报送.
- `milestones` 节点任务: the lead unit's approved node plan (节点计划). Every node due done →
  正常推进 (已完成 when the last node is done); a node `at_risk_months` late → 进度滞后, a node
  `off_track_months` late or more → 严重滞后; the deadline passed with a node not done →
  逾期未完成; no approved plan after the plans' due date → 未报送 (未制定节点计划), before it
  → 计划审定中 (counted apart).

A unit reporting 受阻 goes to 严重滞后 with its own reason on either track. The unit's 形象进度 is
kept as its own figure (`actual` stays None: nothing is judged on it).
"""

from __future__ import annotations

import re
import unicodedata
from calendar import monthrange
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from progress_audit.assessment.progress import linear_share
from progress_audit.config import MilestoneSettings
from progress_audit.model.period import Period
from progress_audit.model.plans import PlanState, ScheduledNode
from progress_audit.model.problems import CellRef
from progress_audit.model.records import (
    Finding,
    NodeReport,
    NodeStatus,
    ReportedRow,
    Submission,
)
from progress_audit.model.wording import day_label
from progress_audit.standards.responsibility import TaskLine

BLOCKED = "受阻"
BLOCKED_REASON = "单位报告“受阻”"
"""The reason a finding is 严重滞后 because its unit said so, whatever its figures or nodes."""
COPIED = "进展情况与上月相同"
NO_PLAN = "未制定节点计划"


@dataclass(frozen=True)
class TrackContext:
    """What the track rules need of the month: the period, the plans' due date, the light rule."""

    period: Period
    plans_due: date
    rule: MilestoneSettings


def plans_due_date(year: int, rule: MilestoneSettings) -> date:
    """The day by which every node plan must be approved (default: the last day of February)."""
    last = monthrange(year, rule.plans_due_month)[1]
    return date(year, rule.plans_due_month, min(rule.plans_due_day or last, last))


def months_between(earlier: Period, later: Period) -> int:
    """Whole months from `earlier` to `later` (2019-05 → 2019-07: 2)."""
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def same_text(a: str, b: str) -> bool:
    """进展情况 the same as last month's: equal once spaces and punctuation width are ignored."""

    def norm(t: str) -> str:
        return re.sub(r"\s+", "", unicodedata.normalize("NFKC", t or ""))

    return bool(norm(a)) and norm(a) == norm(b)


def judge_ongoing(
    line: TaskLine,
    unit: str,
    row: ReportedRow | None,
    previous: ReportedRow | None,
    absent: list[str],
    source: CellRef | None,
    ctx: TrackContext,
) -> Finding:
    """An ongoing duty (常态工作): this month's 进展情况 against last month's."""
    reasons: list[str] = list(absent)
    status = "missing"
    if row is not None:
        source = row.sources.get("progress") or source
        if row.status == BLOCKED:
            status = "off_track"
            reasons += [BLOCKED_REASON, *([f"存在问题：{row.issues}"] if row.issues else [])]
        elif not row.progress.strip():
            reasons.append("进展情况未填写：常态工作按每月进展情况考核")
        elif previous is not None and same_text(row.progress, previous.progress):
            status = "at_risk"
            reasons += [
                COPIED,
                f"本月与{ctx.period.prev().label}的进展情况一字不差，未写明本月做了什么",
            ]
        else:
            status = "on_track"
            reasons.append("本月进展情况已填写，与上月不同")
    return _finding(line, unit, status, reasons, source, row, ctx, "ongoing")


def judge_milestones(
    line: TaskLine,
    unit: str,
    submission: Submission | None,
    row: ReportedRow | None,
    reports: Sequence[NodeReport],
    plan: PlanState | None,
    absent: list[str],
    source: CellRef | None,
    ctx: TrackContext,
) -> Finding:
    """A milestone task (节点任务): the nodes of the approved plan due by the period's end."""
    period = ctx.period
    if plan is None or plan.approved is None:
        state = plan.label if plan is not None else "未报送节点计划"
        if period.last_day <= ctx.plans_due:
            reasons = [f"节点计划审定中（{state}；节点计划须于 {day_label(ctx.plans_due)} 前审定）"]
            return _finding(line, unit, "planning", reasons, source, row, ctx, "milestones", ())
        reasons = [NO_PLAN, f"节点计划须于 {day_label(ctx.plans_due)} 前审定，现为“{state}”"]
        if plan is not None and plan.returned_reason:
            reasons.append(f"退回理由：{plan.returned_reason}")
        return _finding(line, unit, "missing", reasons, source, row, ctx, "milestones", ())
    scheduled = [n for n in plan.nodes if n.task_id == line.task_id]
    if not scheduled:
        reasons = [NO_PLAN, "审定的节点计划中没有该任务的节点"]
        return _finding(line, unit, "missing", reasons, source, row, ctx, "milestones", ())
    mine = [r for r in reports if r.task_id == line.task_id]
    nodes = tuple(_node_status(n, mine, period) for n in scheduled)
    due = [n for n in nodes if Period.parse(n.due) <= period]
    done = [n for n in nodes if n.done]
    late = [n for n in nodes if n.months_late > 0]
    warnings = [
        f"{r.cell.where if r.cell else '节点进展'}：任务 {r.task_id} 节点 {r.node} "
        "不在审定的节点计划中，未计入"
        for r in mine
        if not any(n.node == r.node for n in scheduled)
    ]
    reasons = list(absent)
    reasons.append(
        f"节点计划 {len(nodes)} 个节点，截至{period.label}应完成 {len(due)} 个，"
        f"已完成 {len(done)} 个"
    )
    for n in late:
        moved = f"（原计划 {Period.parse(n.planned).label}，已延期）" if n.planned != n.due else ""
        reasons.append(
            f"节点 {n.node}“{n.content}”应于 {Period.parse(n.due).label}完成{moved}，"
            f"已逾期 {n.months_late} 个月未完成"
        )
    worst = max((n.months_late for n in nodes), default=0)
    if submission is None:
        status = "missing"
    elif len(done) == len(nodes):
        status = "completed"
        reasons.append("全部节点已完成")
    elif line.deadline <= period.last_day:
        status = "overdue"
        reasons.append(f"完成期限 {day_label(line.deadline)} 已到，尚有节点未完成")
    elif row is not None and row.status == BLOCKED:
        status = "off_track"
        reasons += [BLOCKED_REASON, *([f"存在问题：{row.issues}"] if row.issues else [])]
    elif worst >= ctx.rule.off_track_months:
        status = "off_track"
    elif worst >= ctx.rule.at_risk_months:
        status = "at_risk"
    else:
        status = "on_track"
    return _finding(
        line,
        unit,
        status,
        reasons,
        source,
        row,
        ctx,
        "milestones",
        nodes,
        counts=(
            float(len(nodes)),
            float(len(done)),
            float(len(due)),
            float(len(due) - len([n for n in due if n.done])),
        ),
        warnings=warnings,
    )


def _node_status(n: ScheduledNode, reports: Sequence[NodeReport], period: Period) -> NodeStatus:
    said = [r for r in reports if r.node == n.node and r.done is not None]
    latest = max(said, key=lambda r: r.period, default=None)
    done = bool(latest and latest.done)
    done_at = (latest.done_at or latest.period) if done and latest else None
    due = Period.parse(n.due)
    late = 0 if done or due >= period else months_between(due, period)
    return NodeStatus(n.node, n.content, n.planned, n.due, done, done_at, late)


def _finding(
    line: TaskLine,
    unit: str,
    status: str,
    reasons: list[str],
    source: CellRef | None,
    row: ReportedRow | None,
    ctx: TrackContext,
    track: str,
    nodes: tuple[NodeStatus, ...] | None = None,
    *,
    counts: tuple[float, float, float, float] | None = None,
    warnings: list[str] | None = None,
) -> Finding:
    target = actual = expected = gap = ratio = None
    if counts is not None:
        target, actual, expected, gap = counts
        ratio = actual / expected if expected else None
    notes = list(warnings or ())
    if row is not None and row.percent is not None:
        notes.append(f"单位自报形象进度 {row.percent:g}%（仅供参考，不据此评估）")
    return Finding(
        task_id=line.task_id,
        metric_id=None,
        unit=unit,
        leaders=line.leaders,
        status=status,  # type: ignore[arg-type]
        target=target,
        actual=actual,
        expected=expected,
        ratio=ratio,
        time_progress=linear_share(ctx.period, line.deadline),
        deadline=line.deadline,
        reasons=tuple(reasons),
        source=source,
        name=line.text,
        unit_of_measure="个节点" if track == "milestones" else "",
        gap=gap,
        issues=row.issues if row else "",
        progress=row.progress if row else "",
        warnings=tuple(dict.fromkeys(notes)),
        track=track,
        nodes=nodes,
    )
