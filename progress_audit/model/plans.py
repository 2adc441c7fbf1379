"""Node plans (节点计划) and their record: what a unit planned, what the office decided.

A lead unit of a milestone standard (节点任务) breaks it into dated nodes (节点) and sends the plan;
the office approves it (审定) or returns it (退回) with a reason. An approved plan is frozen: a
later plan replaces it only when the office approves that one too, and both stay on the record.
A node may be extended (延期) to a later month: the unit asks before the node's month has
ended and the office approves or refuses, or the office grants one itself; the node is judged
by its new month and its original month stays on the record.

Everything here is plain data and pure functions over the record (`PlanRecord`, `PlanAction`):
the ledger keeps them (`intake.plans`), the assessment and the reports read `plan_state`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Literal

from progress_audit.model.period import Period, PeriodError
from progress_audit.model.problems import Problem

PLAN_SHEET = "节点计划"
PLAN_HEADERS = ("任务编号", "工作标准", "节点序号", "节点内容", "计划完成月份", "完成标志")
NODE_SHEET = "节点进展"
"""The monthly workbook's sheet of the nodes due (section 9)."""
NODE_HEADERS = (
    "任务编号",
    "节点序号",
    "节点内容",
    "计划完成月份",
    "完成情况",
    "实际完成时间",
    "说明",
)
NODE_DONE, NODE_NOT_DONE = "已完成", "未完成"

PlanActionKind = Literal[
    "approve_plan",
    "return_plan",
    "request_extension",
    "approve_extension",
    "refuse_extension",
    "extend",
]
PLAN_ACTION_LABELS: dict[str, str] = {
    "approve_plan": "审定节点计划",
    "return_plan": "退回节点计划",
    "request_extension": "申请延期",
    "approve_extension": "同意延期",
    "refuse_extension": "不同意延期",
    "extend": "督查室批准延期",
}
PlanStatus = Literal["none", "pending", "invalid", "returned", "approved"]
PLAN_STATUS_LABELS: dict[str, str] = {
    "none": "未报送节点计划",
    "pending": "待审定",
    "invalid": "节点计划有误",
    "returned": "已退回",
    "approved": "已审定",
}

_MONTH_ONLY = re.compile(r"^\s*(\d{1,2})\s*月(?:份|底|末)?\s*$")


def without_errors(problems: tuple[Problem, ...]) -> bool:
    """No problem is an error: a plan the office may approve."""
    return not any(p.severity == "error" for p in problems)


def plan_month(value: object, year: int) -> Period:
    """计划完成月份 as a unit types it: `2019-05`, `2019年5月`, `5月`, or a date cell.

    Raises PeriodError (in Chinese) for anything else.
    """
    if isinstance(value, datetime | date):
        return Period(value.year, value.month)
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    if not text:
        raise PeriodError("计划完成月份未填写")
    only = _MONTH_ONLY.match(text)
    if only:
        return Period(year, int(only.group(1)))
    text = re.sub(r"(月)(?:份|底|末)$", r"\1", text)
    try:
        return Period.parse(text)
    except PeriodError:
        raise PeriodError(f"“{text}”不是月份（应为 {year}-05、{year}年5月 或 5月）") from None


@dataclass(frozen=True)
class PlanNode:
    """One node of a plan (节点): task, number, what is to be done, by which month."""

    task_id: str
    node: int
    content: str
    planned: str
    """计划完成月份 as `2019-05`."""
    mark: str = ""
    """完成标志: how the office will know it is done."""
    cell: str = ""
    """Where the month was read (`节点计划!E7`), for a receipt."""

    def to_json(self) -> dict[str, object]:
        return {
            "task_id": self.task_id,
            "node": self.node,
            "content": self.content,
            "planned": self.planned,
            "mark": self.mark,
            "cell": self.cell,
        }

    @classmethod
    def from_json(cls, data: dict) -> PlanNode:
        return cls(
            data["task_id"],
            int(data["node"]),
            data["content"],
            data["planned"],
            data.get("mark", ""),
            data.get("cell", ""),
        )


@dataclass(frozen=True)
class PlanReading:
    """What a plan workbook says: whose, which year, its nodes, and every problem by cell."""

    unit: str | None
    year: int | None
    nodes: tuple[PlanNode, ...]
    problems: tuple[Problem, ...] = ()

    @property
    def usable(self) -> bool:
        """No error: the office may approve it."""
        return without_errors(self.problems)


@dataclass(frozen=True)
class PlanRecord:
    """A plan as received (一份节点计划), kept with its bytes' sha256 and its problems."""

    id: int
    unit: str
    year: int
    sha256: str
    file: str
    received_at: datetime
    nodes: tuple[PlanNode, ...]
    problems: tuple[Problem, ...] = ()

    @property
    def usable(self) -> bool:
        return without_errors(self.problems)


@dataclass(frozen=True)
class PlanAction:
    """One decision or request on a unit's plan (审定、退回、延期), kept as given, never changed.

    `plan_id` is the plan approved or returned; `task_id`, `node` and `new_month` say which node
    an extension concerns and to which month; `by` who took it (an office account, or
    `单位：<unit>` for a unit's own request)."""

    unit: str
    year: int
    action: str
    reason: str
    at: datetime
    by: str
    plan_id: int | None = None
    task_id: str | None = None
    node: int | None = None
    new_month: str | None = None
    id: int = 0

    @property
    def label(self) -> str:
        return PLAN_ACTION_LABELS.get(self.action, self.action)

    def to_json(self) -> dict[str, object]:
        return {
            "unit": self.unit,
            "year": self.year,
            "action": self.action,
            "reason": self.reason,
            "at": self.at.isoformat(timespec="seconds"),
            "by": self.by,
            "plan_id": self.plan_id,
            "task_id": self.task_id,
            "node": self.node,
            "new_month": self.new_month,
        }


@dataclass(frozen=True)
class Extension:
    """An extension asked for or granted (延期), with what became of it."""

    task_id: str
    node: int
    new_month: str
    reason: str
    asked_at: datetime
    by: str
    state: Literal["pending", "approved", "refused", "granted"]
    decided_at: datetime | None = None
    decided_by: str = ""
    decision_reason: str = ""
    request_id: int = 0


@dataclass(frozen=True)
class ScheduledNode:
    """A node of the approved plan as it is judged: `due` after any extension granted,
    `planned` the plan's own month (kept on the record)."""

    task_id: str
    node: int
    content: str
    planned: str
    due: str
    mark: str = ""
    extensions: tuple[Extension, ...] = ()


@dataclass(frozen=True)
class PlanState:
    """A unit's plan for a year as the record stands (计划状态)."""

    unit: str
    year: int
    status: PlanStatus
    received: tuple[PlanRecord, ...] = ()
    approved: PlanRecord | None = None
    approved_at: datetime | None = None
    approved_by: str = ""
    latest: PlanRecord | None = None
    """The latest plan received (may be awaiting a decision while an earlier one stands)."""
    returned_reason: str = ""
    nodes: tuple[ScheduledNode, ...] = ()
    """The approved plan's nodes, with extensions applied."""
    extensions: tuple[Extension, ...] = ()
    actions: tuple[PlanAction, ...] = field(default=())

    @property
    def label(self) -> str:
        return PLAN_STATUS_LABELS[self.status]

    def node(self, task_id: str, node: int) -> ScheduledNode | None:
        return next((n for n in self.nodes if n.task_id == task_id and n.node == node), None)

    def pending_extension(self, task_id: str, node: int) -> Extension | None:
        return next(
            (
                e
                for e in self.extensions
                if e.task_id == task_id and e.node == node and e.state == "pending"
            ),
            None,
        )


def plan_state(
    unit: str, year: int, plans: list[PlanRecord], actions: list[PlanAction]
) -> PlanState:
    """The state of `unit`'s plan for `year` from the record: received plans and actions, each in
    the order kept. The latest approval names the plan that stands; extensions granted after
    it move its nodes' months."""
    plans = sorted(
        (p for p in plans if p.unit == unit and p.year == year),
        key=lambda p: (p.received_at, p.id),
    )
    acts = sorted(
        (a for a in actions if a.unit == unit and a.year == year), key=lambda a: (a.at, a.id)
    )
    by_id = {p.id: p for p in plans}
    approved: PlanRecord | None = None
    approved_at: datetime | None = None
    approved_by = ""
    decided: dict[int, PlanAction] = {}
    extensions: list[Extension] = []
    for a in acts:
        if a.action in ("approve_plan", "return_plan") and a.plan_id in by_id:
            decided[a.plan_id] = a
            if a.action == "approve_plan":
                approved, approved_at, approved_by = by_id[a.plan_id], a.at, a.by
                extensions = []  # a new plan's nodes start from its own months
        elif a.action in ("request_extension", "extend") and a.task_id and a.node is not None:
            extensions.append(
                Extension(
                    a.task_id,
                    a.node,
                    a.new_month or "",
                    a.reason,
                    a.at,
                    a.by,
                    "granted" if a.action == "extend" else "pending",
                    a.at if a.action == "extend" else None,
                    a.by if a.action == "extend" else "",
                    "",
                    a.id,
                )
            )
        elif a.action in ("approve_extension", "refuse_extension"):
            for i, e in enumerate(extensions):
                if e.task_id == a.task_id and e.node == a.node and e.state == "pending":
                    state = "approved" if a.action == "approve_extension" else "refused"
                    extensions[i] = replace(
                        e, state=state, decided_at=a.at, decided_by=a.by, decision_reason=a.reason
                    )
    latest = plans[-1] if plans else None
    returned_reason = ""
    if latest is None:
        status: PlanStatus = "none"
    elif approved is not None and (latest.id == approved.id or latest.id not in decided):
        status = "approved"  # a newer plan awaiting a decision leaves the approved one standing
    elif latest.id in decided and decided[latest.id].action == "return_plan":
        status = "approved" if approved is not None else "returned"
        returned_reason = decided[latest.id].reason
    elif approved is not None:
        status = "approved"
    else:
        status = "pending" if latest.usable else "invalid"
    nodes: list[ScheduledNode] = []
    if approved is not None:
        for n in approved.nodes:
            granted = [
                e
                for e in extensions
                if e.task_id == n.task_id
                and e.node == n.node
                and e.state in ("approved", "granted")
            ]
            mine = tuple(e for e in extensions if e.task_id == n.task_id and e.node == n.node)
            due = granted[-1].new_month if granted else n.planned
            nodes.append(ScheduledNode(n.task_id, n.node, n.content, n.planned, due, n.mark, mine))
    return PlanState(
        unit,
        year,
        status,
        tuple(plans),
        approved,
        approved_at,
        approved_by,
        latest,
        returned_reason,
        tuple(nodes),
        tuple(extensions),
        tuple(acts),
    )
