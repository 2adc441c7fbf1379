"""The columns a finding can be shown in (报表栏目): header, kind, width and value, defined once
so that the overdue, at-risk and exception reports say the same thing the same way."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from progress_audit.assessment.tracks import COPIED
from progress_audit.files.xlsx_style import Column, Row
from progress_audit.model.period import Period
from progress_audit.model.records import Finding
from progress_audit.model.wording import monthly_amount, reviewed_label, whole_amount
from progress_audit.reporting.reports.labels import (
    indicator_label,
    leaders_label,
    source_label,
)

DUE_SOON_MARK = "30天内到期"
FINDING_IDENTITY = (
    "状态",
    "任务编号",
    "指标编号",
    "指标/工作标准",
    "牵头单位",
    "分管领导",
    "目标值",
    "本年累计完成",
    "计量单位",
)
"""The columns every list of findings opens with: which figure, whose, against what."""
PROGRESS_HEADERS = (
    "序时进度",
    "完成序时进度比例",
    "落后序时进度",
    "每月需完成",
)
"""The columns that say how far a figure is behind 序时进度."""


def actual_shown(f: Finding) -> float | str | None:
    """The figure as judged: a number, or for a figure the office corrected its 审核值 with the
    unit's own beside it (`审核值 120（单位填报 150）`)."""
    if f.review is None:
        return f.actual
    return reviewed_label(f.actual, f.reported, corrected=True)


def _gap_to_target(f: Finding) -> float | None:
    if f.target is None or f.actual is None:
        return None
    return round(f.target - f.actual, 6)


def _metric_only(value: Callable[[Finding], Any]) -> Callable[[Finding], Any]:
    """A column that measures against 序时进度: empty for a standard without a number, which is
    judged by its nodes or its 进展情况, never by a percentage."""
    return lambda f: value(f) if f.track == "metric" else None


def track_state(f: Finding) -> str:
    """节点/进展情况: a milestone finding's nodes due and not done (planned month, the month it
    is judged by, months late), or that all due are done; an ongoing duty's 进展情况 copied or
    not reported; nothing for a metric."""
    if f.track == "milestones":
        if not f.nodes:
            return "尚无审定的节点计划"
        late = [n for n in f.nodes if n.months_late > 0]
        if not late:
            return "应完成的节点均已完成" if f.expected else "截至本月没有应完成的节点"
        return "；".join(
            f"节点{n.node}“{n.content}”计划{Period.parse(n.planned).label}"
            + (f"（延期至{Period.parse(n.due).label}）" if n.due != n.planned else "")
            + f"，逾期{n.months_late}个月"
            for n in late
        )
    if f.track == "ongoing":
        if COPIED in f.reasons:
            return "进展情况与上月相同"
        if f.status == "missing":
            return "未报进展情况"
    return ""


FINDING_FIELDS: dict[str, tuple[Column, Callable[[Finding], Any]]] = {
    "状态": (Column("状态", "status", 12, 8), lambda f: f.status_label),
    "任务编号": (Column("任务编号", "text", 9, 7), lambda f: f.task_id),
    "指标编号": (Column("指标编号", "text", 10, 7), lambda f: f.metric_id or ""),
    "编号": (Column("编号", "text", 9, 6), lambda f: f.metric_id or f.task_id),
    "指标/工作标准": (Column("指标/工作标准", "text", 24, 14), indicator_label),
    "牵头单位": (Column("牵头单位", "text", 12, 8), lambda f: f.unit),
    "分管领导": (Column("分管领导", "text", 10, 8), leaders_label),
    "目标值": (Column("目标值", "number", 11, 8), lambda f: f.target),
    "本年累计完成": (Column("本年累计完成", "number", 11, 8), lambda f: actual_shown(f)),
    "计量单位": (Column("计量单位", "text", 9, 6), lambda f: f.unit_of_measure),
    "序时进度": (
        Column("序时进度", "number", 11, 8),
        _metric_only(lambda f: whole_amount(f.expected, f.counted)),
    ),
    "完成序时进度比例": (
        Column("完成序时进度比例", "percent", 10, 8),
        _metric_only(lambda f: f.ratio),
    ),
    # In the figure's own unit (计量单位 beside it; percentage points for %), as findings.json.
    "落后序时进度": (
        Column("落后序时进度", "number", 11, 8),
        _metric_only(lambda f: whole_amount(f.gap, f.counted)),
    ),
    "每月需完成": (
        Column("每月需完成", "number", 11, 8),
        _metric_only(lambda f: monthly_amount(f.required_monthly, f.counted)),
    ),
    "预计全年": (
        Column("预计全年", "number", 11, 8),
        _metric_only(lambda f: whole_amount(f.projection, f.counted)),
    ),
    "节点/进展情况": (Column("节点/进展情况", "text", 36, 14), track_state),
    "完成期限": (Column("完成期限", "date", 15, 10), lambda f: f.deadline),
    "临近期限": (Column("临近期限", "text", 11, 8), lambda f: DUE_SOON_MARK if f.due_soon else ""),
    "差距（目标−完成）": (Column("差距（目标−完成）", "number", 12, 10), _gap_to_target),
    "存在问题": (Column("存在问题", "text", 28, 14), lambda f: f.issues),
    "原因": (Column("原因", "text", 22, 12), lambda f: "；".join(f.reasons)),
    "来源": (Column("来源", "text", 18, 10), lambda f: source_label(f.source)),
}


def finding_columns(headers: Sequence[str]) -> list[Column]:
    return [FINDING_FIELDS[h][0] for h in headers]


Shown = Mapping[str, Callable[[Finding], Any]]
"""A list's own value for some columns (`{"分管领导": counted_leaders(findings)}`)."""


def finding_row(headers: Sequence[str], finding: Finding, shown: Shown | None = None) -> Row:
    """One finding as a table row, its status cell in the status's colour; `shown` gives some
    columns the list's own value (the 分管领导 the count tables name, a short name)."""
    shown = shown or {}
    values = [shown.get(h, FINDING_FIELDS[h][1])(finding) for h in headers]
    return values, finding.status


def finding_rows(
    headers: Sequence[str], findings: Iterable[Finding], shown: Shown | None = None
) -> Iterator[Row]:
    return (finding_row(headers, f, shown) for f in findings)
