"""The engine's plain records between stages: what a unit reported, what was received, and
what the audit found.

    inbox file ──intake──▶ Submission (+ ReportedRow per task line) ──assess──▶ Finding

All frozen dataclasses; every value keeps its provenance (file, sheet, cell).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from progress_audit.model.problems import CellRef, Problem
from progress_audit.model.wording import (
    FIGURE_PLACES,
    POINTS_PLACES,
    RATIO_PLACES,
    round_half_up,
)

# 完成状态: the four values a unit may choose.
REPORTED_STATUSES = ("未启动", "推进中", "已完成", "受阻")

SubmissionStatus = Literal["on_time", "late", "superseded", "rejected", "returned", "withdrawn"]
SUBMISSION_STATUS_LABELS: dict[str, str] = {
    "on_time": "按时报送",
    "late": "逾期报送",
    "superseded": "已被新版本替代",
    "rejected": "无法使用",
    "returned": "已退回",
    "withdrawn": "已撤下",
}
COUNTING_STATUSES: tuple[SubmissionStatus, ...] = ("on_time", "late")
"""The submissions that count for a unit's month: its rows are audited (superseded and
rejected ones do not)."""
SUBMITTED_STATUSES: tuple[SubmissionStatus, ...] = (*COUNTING_STATUSES, "superseded")
"""What "the unit has submitted" means for reminders: a usable workbook arrived, even if a
later one replaced it."""

FindingStatus = Literal[
    "completed", "on_track", "at_risk", "off_track", "overdue", "missing", "invalid", "planning"
]
# In the order a report lists them.
FINDING_STATUS_LABELS: dict[str, str] = {
    "overdue": "逾期未完成",
    "off_track": "严重滞后",
    "at_risk": "进度滞后",
    "missing": "未报送",
    "invalid": "数据异常",
    "on_track": "正常推进",
    "completed": "已完成",
    "planning": "计划审定中",
}
UNJUDGED_STATUSES = ("planning",)
"""Statuses that are neither on track nor behind (计划审定中: a milestone standard whose node
plan is not yet approved before the plans' due date): counted apart, never as 正常推进 or as a
problem."""


@dataclass(frozen=True)
class NodeStatus:
    """A node of a milestone finding (findings.json `nodes`): `planned` the plan's month, `due`
    the month it is judged by after any extension, `months_late` 0 when not late."""

    node: int
    content: str
    planned: str
    due: str
    done: bool
    done_at: str | None
    months_late: int

    def to_json(self) -> dict[str, object]:
        return {
            "node": self.node,
            "content": self.content,
            "planned": self.planned,
            "due": self.due,
            "done": self.done,
            "done_at": self.done_at,
            "months_late": self.months_late,
        }


@dataclass(frozen=True)
class ReportedRow:
    """One task line as a unit reported it (填报行), values normalised, provenance kept.

    `value` is 本年累计完成 in the catalogue's unit of measure (`0.6万` → 6000 against 人), or
    None when empty or unreadable (then a Problem says which). `sources` maps a field name
    (`value`, `status`, `percent`, `expected_completion`, `target_reported`, `progress`,
    `issues`, `next_steps`, `task_id`, `metric_id`) to its cell.
    """

    unit: str
    period: str
    task_id: str
    metric_id: str | None
    row: int
    value: float | None = None
    value_text: str = ""
    approximate: bool = False
    target_reported: float | None = None
    status: str | None = None
    percent: float | None = None
    expected_completion: date | None = None
    progress: str = ""
    issues: str = ""
    next_steps: str = ""
    sources: dict[str, CellRef] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    reported: float | None = None
    """The unit's own figure when the office corrected `value` to its 审核值 (else None)."""
    review: Review | None = None
    """The office's correction of this row's figure, when there is one."""

    @property
    def key(self) -> tuple[str, str, str | None]:
        return (self.unit, self.task_id, self.metric_id)


@dataclass(frozen=True)
class NodeReport:
    """One row of a month's 节点进展 sheet: a node of the unit's approved plan as reported.

    `done` is 完成情况 (已完成 True, 未完成 False, None when empty or unreadable); `done_at` the
    实际完成时间 as `2019-05` when given; `cell` where 完成情况 was read (`节点进展!E5`)."""

    unit: str
    period: str
    task_id: str
    node: int
    done: bool | None
    done_at: str | None = None
    note: str = ""
    cell: CellRef | None = None


@dataclass(frozen=True)
class Submission:
    """A workbook received in the inbox (报送), as the ledger records it.

    `file` is the path relative to the inbox; `archived` the immutable copy's path relative to
    the workspace. `unit` and `period` are None when they could not be told (then `rejected`).
    """

    file: str
    sha256: str
    received_at: datetime
    status: SubmissionStatus
    unit: str | None = None
    period: str | None = None
    archived: str = ""
    problems: tuple[Problem, ...] = ()
    rows: tuple[ReportedRow, ...] = ()
    nodes: tuple[NodeReport, ...] = ()
    """The 节点进展 rows (milestone nodes reported done or not), when the workbook has them."""

    def to_json(self) -> dict[str, object]:
        """The shape of an entry of findings.json's `submissions`."""
        return {
            "unit": self.unit,
            "period": self.period,
            "file": self.file,
            "sha256": self.sha256,
            "received_at": self.received_at.isoformat(),
            "status": self.status,
            "problems": [p.to_json() for p in self.problems],
        }


@dataclass(frozen=True)
class Finding:
    """The audit's verdict on one lead unit and metric (or task without a metric) for a month.

    The fields findings.json has always had first, then what a leader needs to act: the gap to
    序时进度 in percentage points, a projection to the deadline, the monthly rate now required,
    and the unit's own words.

    `ratio` is the one share of 序时进度 done (contract section 5, oriented so that 1 is on
    schedule): cumulative actual ÷ expected-to-date; level the rise over the baseline ÷ the rise
    expected; rate actual ÷ target (target ÷ actual for a ceiling); task 形象进度 ÷ time share.
    `gap` is the shortfall against 序时进度 in the metric's own unit (percentage points for % and
    形象进度), positive when behind: expected − actual (actual − target for a ceiling).
    `gap_points` is the same shortfall as percentage points, negative when behind: −gap for %
    and 形象进度, else the points of the target (of a level's rise) behind 序时进度.
    `reported` and `review` are the unit's own figure and the office's review when the office
    corrected the figure (None otherwise).

    Every number is rounded once, here, when the finding is made (`round_half_up`: the unit's
    own figures to `REPORTED_PLACES`, derived figures to `FIGURE_PLACES`, ratios and shares to
    `RATIO_PLACES`, points to `POINTS_PLACES`; see `ROUNDING`), so that findings.json, the HTML
    and the workbooks show the same digits.
    """

    task_id: str
    metric_id: str | None
    unit: str
    leaders: tuple[str, ...]
    status: FindingStatus
    target: float | None
    actual: float | None
    expected: float | None
    ratio: float | None
    time_progress: float
    deadline: date
    reasons: tuple[str, ...] = ()
    source: CellRef | None = None
    # What must change, for a leader.
    name: str = ""
    unit_of_measure: str = ""
    gap_points: float | None = None
    projection: float | None = None
    required_monthly: float | None = None
    due_soon: bool = False
    issues: str = ""
    progress: str = ""
    warnings: tuple[str, ...] = ()
    gap: float | None = None
    reported: float | None = None
    review: dict[str, str] | None = None
    track: str = "metric"
    """考核方式: `metric`, `ongoing` (常态工作) or `milestones` (节点任务)."""
    nodes: tuple[NodeStatus, ...] | None = None
    """A milestone finding's nodes (None for the other tracks)."""
    counted: bool = False
    """The metric's amounts are whole things (个, 家 …, 亩: a cumulative figure in a unit said
    whole): amounts are said to a person in whole units (`wording.amount_label`,
    `wording.monthly_amount`)."""

    def __post_init__(self) -> None:
        for name, places in ROUNDING.items():
            value = getattr(self, name)
            if isinstance(value, float):
                object.__setattr__(self, name, round_half_up(value, places))

    @property
    def status_label(self) -> str:
        return FINDING_STATUS_LABELS[self.status]


# ── the office's review (督查室审核) ───────────────────────────────────────────────────────────

ReviewKind = Literal["return", "correct", "accept", "withdraw"]
REVIEW_ACTION_LABELS: dict[str, str] = {
    "return": "退回",
    "correct": "核定审核值",
    "accept": "确认采用",
    "withdraw": "撤下文件",
    "rotate": "更换链接",
}


@dataclass(frozen=True)
class ReviewAction:
    """One action of the office on a unit's month (审核记录), kept as given and never changed:
    `return` the current submission with a reason, `correct` a figure to the office's 审核值
    (`metric_id`, `value`), `accept` the month's figures (clearing a figure held 待核实), or
    `withdraw` a misplaced file (`sha256`). `at` is when the office acted; `sha256` on a return
    is the submission it returned."""

    unit: str
    period: str
    action: str
    reason: str
    at: datetime
    metric_id: str | None = None
    value: float | None = None
    sha256: str | None = None
    by: str = "office"
    """The office account that took it (its name; `office` for the shared password)."""

    @property
    def label(self) -> str:
        return REVIEW_ACTION_LABELS.get(self.action, self.action)

    def to_json(self) -> dict[str, object]:
        return {
            "unit": self.unit,
            "period": self.period,
            "action": self.action,
            "reason": self.reason,
            "at": self.at.isoformat(timespec="seconds"),
            "metric_id": self.metric_id,
            "value": self.value,
            "sha256": self.sha256,
            "by": self.by,
        }


@dataclass(frozen=True)
class Review:
    """What a finding says of the office's review of its figure (section 5's `review`)."""

    action: str
    reason: str
    at: datetime
    by: str = "office"

    def to_json(self) -> dict[str, str]:
        return {
            "action": self.action,
            "reason": self.reason,
            "at": self.at.isoformat(),
            "by": self.by,
        }


REPORTED_PLACES = 4
ROUNDING: dict[str, int] = {
    # The unit's own figures keep what findings.json always kept (4 decimals: 0.0123 亿元 stays);
    # what the engine derives from them is kept as the reports show it.
    "target": REPORTED_PLACES,
    "actual": REPORTED_PLACES,
    "expected": FIGURE_PLACES,
    "gap": FIGURE_PLACES,
    "required_monthly": FIGURE_PLACES,
    "projection": FIGURE_PLACES,
    "reported": REPORTED_PLACES,
    "ratio": RATIO_PLACES,
    "time_progress": RATIO_PLACES + 1,
    "gap_points": POINTS_PLACES,
}
"""How many decimals each number of a Finding keeps (the one rounding)."""


def rounded(name: str, value: float | None) -> float | None:
    """`value` rounded as the Finding's field `name` is: what the assessment classifies on, so
    that a status agrees with the number every output shows (0.89996 is 90.0%, on track)."""
    return round_half_up(value, ROUNDING[name])
