"""督办通报 (the exception report to the government office): what it says, built once and then
written as a workbook (exceptions.xlsx) and as a printable page (exceptions.html).

    概况      counts by status, and a matrix of status counts per 分管领导 and per 牵头单位
    一、逾期未完成    overdue findings, by leader and unit
    二、进度滞后      严重滞后 and 进度滞后, worst first
    三、未报送        units with no usable workbook, rows left out, late and unusable files
    四、数据异常      figures that could not be read or failed a check, with their cells
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from progress_audit.model.period import Period
from progress_audit.model.problems import CellRef, Problem
from progress_audit.model.records import (
    COUNTING_STATUSES,
    FINDING_STATUS_LABELS,
    Finding,
    Submission,
)
from progress_audit.reporting.reports.labels import (
    UNIT_PLACEHOLDER,
    cell_label,
    dimension_label,
    indicator_label,
    received_label,
    task_key,
)
from progress_audit.reporting.reports.ordering import (
    BEHIND,
    by_leader_and_unit,
    leaders_of,
    units_of,
    worst_first,
)
from progress_audit.reporting.reports.problem_list import (
    current,
    lateness,
    merged_problems,
    ref_key,
    rejection_reasons,
    typed_at,
    typed_values,
)

STATUSES: tuple[str, ...] = tuple(FINDING_STATUS_LABELS)
GOOD = ("on_track", "completed")
# 三、未报送: each situation shown in the colour of the status it resembles.
SITUATION_STATUS = {
    "未报送": "missing",
    "文件无法使用": "invalid",
    "漏报任务行": "missing",
    "逾期报送": "at_risk",
}
FINDING_HEADERS = (
    "状态",
    "任务编号",
    "指标编号",
    "指标/工作标准",
    "牵头单位",
    "分管领导",
    "目标值",
    "本年累计完成",
    "计量单位",
    "序时进度",
    "完成序时进度比例",
    "落后序时进度（百分点）",
    "每月需完成",
    "完成期限",
    "存在问题",
    "原因",
    "来源",
)


@dataclass(frozen=True)
class MatrixRow:
    """One row of the summary matrix: a leader's or a unit's findings counted by status."""

    kind: str
    name: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def attention(self) -> int:
        """Findings that need a leader's attention (everything but 正常推进 and 已完成)."""
        return sum(n for s, n in self.counts.items() if s not in ("on_track", "completed"))


@dataclass(frozen=True)
class NotReported:
    """A unit that did not report, left rows out, reported late, or sent an unusable file."""

    unit: str
    situation: str
    lines: int
    task_ids: str
    leaders: str
    file: str = ""
    received: str = ""
    note: str = ""


@dataclass(frozen=True)
class DataProblem:
    """A figure or file the office could not accept, with where it is."""

    unit: str
    task_id: str
    metric_id: str
    name: str
    typed: str
    message: str
    dimension: str
    file: str
    where: str


@dataclass(frozen=True)
class ExceptionReport:
    period: Period
    as_of: datetime
    total: int
    counts: dict[str, int]
    leaders: list[MatrixRow]
    units: list[MatrixRow]
    overdue: list[Finding]
    behind: list[Finding]
    not_reported: list[NotReported]
    data_problems: list[DataProblem]

    @property
    def time_share(self) -> float:
        return self.period.elapsed_share


def build_exception_report(
    period: Period,
    as_of: datetime,
    findings: Sequence[Finding],
    submissions: Sequence[Submission],
    problems: Sequence[Problem] = (),
) -> ExceptionReport:
    """What the month's 督办通报 says, from the findings, submissions and problems."""
    counts = _count(findings)
    leaders = [
        MatrixRow("分管领导", name, _count(f for f in findings if name in f.leaders))
        for name in leaders_of(findings)
    ]
    units = [
        MatrixRow("牵头单位", name, _count(f for f in findings if f.unit == name))
        for name in units_of(findings)
    ]
    overdue = [
        f
        for _, groups in by_leader_and_unit([f for f in findings if f.status == "overdue"])
        for _, fs in groups
        for f in fs
    ]
    return ExceptionReport(
        period=period,
        as_of=as_of,
        total=len(findings),
        counts=counts,
        leaders=leaders,
        units=units,
        overdue=overdue,
        behind=worst_first(f for f in findings if f.status in BEHIND),
        not_reported=not_reported(findings, submissions, as_of),
        data_problems=data_problems(findings, submissions, problems),
    )


def _count(findings) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for f in findings:
        counts[f.status] = counts.get(f.status, 0) + 1
    return counts


def not_reported(
    findings: Sequence[Finding], submissions: Sequence[Submission], as_of: datetime
) -> list[NotReported]:
    """三、未报送: units without a usable workbook, rows missing from one, late and unusable
    files, in that order; units in table order."""
    subs = current(submissions)
    usable = {s.unit for s in subs if s.status in COUNTING_STATUSES}
    rejected: dict[str, list[Submission]] = {}
    returned: dict[str, Submission] = {}
    for s in subs:
        if s.status == "rejected":
            rejected.setdefault(s.unit or UNIT_PLACEHOLDER, []).append(s)
        elif s.status == "returned" and s.unit:
            returned[s.unit] = s
    missing: dict[str, list[Finding]] = {}
    for f in findings:
        if f.status == "missing":
            missing.setdefault(f.unit, []).append(f)
    order = {u: i for i, u in enumerate(units_of(findings))}

    def unit_key(name: str) -> tuple[int, str]:
        return (order.get(name, len(order)), name)

    out: list[NotReported] = []
    for unit in sorted(missing, key=unit_key):
        fs = missing[unit]
        ids = "、".join(f.metric_id or f.task_id for f in sorted(fs, key=task_key))
        leaders = "、".join(dict.fromkeys(name for f in fs for name in f.leaders))
        if unit in usable:
            out.append(
                NotReported(
                    unit, "漏报任务行", len(fs), ids, leaders, note="填报表中没有这些任务行，请补报"
                )
            )
        elif unit in returned:
            s = returned[unit]
            back = [p.message for p in s.problems if p.code == "returned"]
            out.append(
                NotReported(
                    unit,
                    "未报送",
                    len(fs),
                    ids,
                    leaders,
                    s.file,
                    received_label(s.received_at, as_of),
                    f"填报表{back[-1] if back else '已被督查室退回'}，尚未重新报送",
                )
            )
        elif unit in rejected:
            s = rejected[unit][-1]
            out.append(
                NotReported(
                    unit,
                    "文件无法使用",
                    len(fs),
                    ids,
                    leaders,
                    s.file,
                    received_label(s.received_at, as_of),
                    rejection_reasons(s) or "文件无法使用",
                )
            )
        else:
            out.append(
                NotReported(
                    unit, "未报送", len(fs), ids, leaders, note="截至统计时间未收到本月填报表"
                )
            )
    # Unusable files not already shown above (a unit that also sent a usable one, or an
    # unknown unit): the office still needs to know about them.
    shown = {(n.unit, n.file) for n in out}
    for unit in sorted(rejected, key=unit_key):
        for s in rejected[unit]:
            if (unit, s.file) not in shown:
                out.append(
                    NotReported(
                        unit,
                        "文件无法使用",
                        0,
                        "",
                        "",
                        s.file,
                        received_label(s.received_at, as_of),
                        rejection_reasons(s) or "文件无法使用",
                    )
                )
    for s in sorted((s for s in subs if s.status == "late"), key=lambda s: unit_key(s.unit or "")):
        out.append(
            NotReported(
                s.unit or UNIT_PLACEHOLDER,
                "逾期报送",
                len(s.rows),
                "",
                "",
                s.file,
                received_label(s.received_at, as_of),
                lateness(s),
            )
        )
    return out


def data_problems(
    findings: Sequence[Finding],
    submissions: Sequence[Submission],
    problems: Sequence[Problem] = (),
) -> list[DataProblem]:
    """四、数据异常: every error the reader or the checks found (lateness is in 三), then every
    `invalid` finding no such error already explains."""
    typed = typed_values(submissions)
    by_key = {(f.unit, f.task_id, f.metric_id): f for f in findings}
    order = {u: i for i, u in enumerate(units_of(findings))}

    def rank(unit: str | None, ref: CellRef | None) -> tuple[object, ...]:
        # Units in table order, a file no unit could be told for last; then cell by cell.
        return ((0, order.get(unit, len(order)), unit) if unit else (1, 0, ""), ref_key(ref))

    items: list[tuple[tuple[object, ...], DataProblem]] = []
    explained: set[tuple[str | None, str | None, str | None]] = set()
    for p in merged_problems(problems, submissions):
        if p.severity != "error" or p.dimension == "timeliness":
            continue
        f = by_key.get((p.unit or "", p.task_id or "", p.metric_id))
        explained.add((p.unit, p.task_id, p.metric_id))
        item = DataProblem(
            unit=p.unit or UNIT_PLACEHOLDER,
            task_id=p.task_id or "",
            metric_id=p.metric_id or "",
            name=indicator_label(f) if f else "",
            typed=typed_at(typed, p.ref),
            message=p.message,
            dimension=dimension_label(p),
            file=p.ref.file if p.ref else "",
            where=cell_label(p.ref),
        )
        items.append(((*rank(p.unit, p.ref), p.code, p.message), item))
    for f in findings:
        if f.status != "invalid" or (f.unit, f.task_id, f.metric_id) in explained:
            continue
        item = DataProblem(
            unit=f.unit,
            task_id=f.task_id,
            metric_id=f.metric_id or "",
            name=indicator_label(f),
            typed=typed_at(typed, f.source),
            message="；".join(f.reasons) or "数据异常",
            dimension="有效性",
            file=f.source.file if f.source else "",
            where=cell_label(f.source),
        )
        items.append(((*rank(f.unit, f.source), "", ""), item))
    out = [item for _, item in sorted(items, key=lambda x: x[0])]
    return out
