"""The demo's node plans (节点计划): what each lead unit of a milestone task planned, when the
office decided, and which nodes the units report done, the same for the same seed.

The story: most units send their plan in mid-February and the office approves it within days;
a few are approved late (March or April, after the plans' due date); one unit's first plan has
a month that is not a month and is returned, then sent again and approved; one unit asks in
May to move a May node to July and the office agrees; a few nodes are never reported done
(late one month, then two and more); and one ongoing duty's 进展情况 in June is last month's,
copied (照抄上月).

`plan_story` is pure (the monthly workbooks are filled from it); `write_plan_files` writes the
plan workbooks into `raw/plans/2019/`; `record_decisions` takes them in and records the
office's decisions in the ledger, at the story's times.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from random import Random
from zoneinfo import ZoneInfo

from progress_audit.files.xlsx_style import save_workbook
from progress_audit.model.period import Period
from progress_audit.model.plans import (
    NODE_DONE,
    NODE_NOT_DONE,
    PLAN_SHEET,
    PlanAction,
    PlanNode,
    PlanRecord,
    PlanState,
    plan_state,
)
from progress_audit.model.records import NodeReport
from progress_audit.standards.catalogue import Catalogue
from progress_audit.standards.responsibility import TaskLine
from progress_audit.templates.nodes import NODE_TITLE_ROWS, NodeLine, nodes_due
from progress_audit.templates.plans import (
    PLAN_TITLE_ROWS,
    build_plan_template,
    milestone_standards,
    plan_filename,
)

BY = "督查室（演示）"
_STEPS = ("完成前期手续和方案审批", "开工建设", "主体工程完工", "竣工验收并投入使用")


@dataclass(frozen=True)
class PlanFile:
    unit: str
    name: str
    received_at: datetime
    nodes: tuple[PlanNode, ...]
    bad_cell: bool = False
    """The first plan of the returned unit: one month typed as 2019-13."""


@dataclass
class PlanStory:
    files: list[PlanFile] = field(default_factory=list)
    actions: list[PlanAction] = field(default_factory=list)
    missed: set[tuple[str, str, int]] = field(default_factory=set)
    """(unit, task, node) never reported done."""
    copied: tuple[str, str, Period] | None = None
    """(unit, task, month) whose 进展情况 is last month's, word for word."""

    def state(self, unit: str, moment: datetime) -> PlanState:
        """`unit`'s plan as the record stood at `moment`."""
        records = [
            PlanRecord(i + 1, f.unit, 2019, f"demo-{i}", f.name, f.received_at, f.nodes)
            for i, f in enumerate(self.files)
            if f.unit == unit and f.received_at <= moment and not f.bad_cell
        ]
        records += [
            PlanRecord(i + 1, f.unit, 2019, f"demo-{i}", f.name, f.received_at, ())
            for i, f in enumerate(self.files)
            if f.unit == unit and f.received_at <= moment and f.bad_cell
        ]
        acts = [a for a in self.actions if a.unit == unit and a.at <= moment]
        return plan_state(unit, 2019, records, acts)


def plan_story(assignments: Mapping[str, tuple[TaskLine, ...]], seed: int, tz: str) -> PlanStory:
    """The year's plans and decisions for every lead unit of a milestone task."""
    zone = ZoneInfo(tz)
    story = PlanStory()
    units = [u for u, lines in assignments.items() if milestone_standards(lines)]
    late_units = set(units[3:6])
    returned = units[1] if len(units) > 1 else None
    extended: str | None = None
    ongoing = [
        (u, ln.task_id)
        for u, lines in assignments.items()
        for ln in lines
        if ln.metric is None and ln.standard.track == "ongoing"
    ]
    if ongoing:
        unit, task = ongoing[Random(f"{seed}|copied").randrange(len(ongoing))]
        story.copied = (unit, task, Period(2019, 6))
    for index, unit in enumerate(units):
        rng = Random(f"{seed}|plan|{unit}")
        nodes: list[PlanNode] = []
        for standard in milestone_standards(assignments[unit]):
            count = rng.choice((2, 3, 3, 4))
            months = sorted(rng.sample(range(3, 13), count))
            for n, month in enumerate(months, start=1):
                step = _STEPS[min(len(_STEPS) - 1, n - 1 + (len(_STEPS) - count))]
                nodes.append(PlanNode(standard.id, n, step, f"2019-{month:02d}", "验收资料"))
        day = 10 + index % 8
        sent = datetime.combine(datetime(2019, 2, day).date(), time(10), zone)
        name = f"{plan_filename(unit, 2019)}"
        if unit == returned:
            story.files.append(PlanFile(unit, f"初稿_{name}", sent, tuple(nodes), bad_cell=True))
            why = "计划完成月份有误（2019-13），请改正后重报"
            back = sent + timedelta(days=2)
            story.actions.append(
                PlanAction(
                    unit, 2019, "return_plan", why, back, BY, len(story.files),
                    id=len(story.actions) + 1,
                )
            )  # fmt: skip
            sent += timedelta(days=6)
        story.files.append(PlanFile(unit, name, sent, tuple(nodes)))
        approved = sent + timedelta(days=3)
        if unit in late_units:
            approved = datetime.combine(datetime(2019, 3 + index % 2, 12).date(), time(15), zone)
        story.actions.append(
            PlanAction(unit, 2019, "approve_plan", "", approved, BY, len(story.files),
                       id=len(story.actions) + 1)
        )  # fmt: skip
        movable = [n for n in nodes if "2019-04" <= n.planned <= "2019-06"]
        if extended is None and movable:
            extended = unit
            node = movable[0]
            month = Period.parse(node.planned)
            asked = datetime.combine(month.first_day + timedelta(days=19), time(9), zone)
            new = str(month.next().next())
            story.actions += [
                PlanAction(unit, 2019, "request_extension", "征地拆迁未完成，申请顺延两个月",
                           asked, f"单位：{unit}", len(story.files), node.task_id, node.node,
                           new, id=len(story.actions) + 1),
                PlanAction(unit, 2019, "approve_extension", "", asked + timedelta(days=2), BY,
                           len(story.files), node.task_id, node.node, id=len(story.actions) + 2),
            ]  # fmt: skip
        early = [n for n in nodes if n.planned <= "2019-05"]
        if index % 5 == 2 and early:
            miss = early[rng.randrange(len(early))]
            story.missed.add((unit, miss.task_id, miss.node))
    return story


def node_lines(
    story: PlanStory, unit: str, period: Period, sent: datetime
) -> tuple[tuple[NodeLine, ...], dict[tuple[str, int], str]]:
    """The 节点进展 rows of `unit`'s workbook for `period` (sent at `sent`), and the nodes it
    reports done with their month: a node is done in its month unless the story misses it."""
    state = story.state(unit, sent)
    done: dict[tuple[str, int], str] = {}
    earlier: list[NodeReport] = []
    for n in state.nodes:
        due = Period.parse(n.due)
        if due <= period and (unit, n.task_id, n.node) not in story.missed:
            done[(n.task_id, n.node)] = n.due
            if due < period:
                earlier.append(NodeReport(unit, str(due), n.task_id, n.node, True, n.due))
    return nodes_due(state, period, earlier), done


def fill_nodes(
    ws, lines: tuple[NodeLine, ...], done: Mapping[tuple[str, int], str], period: Period
) -> None:
    """Type 完成情况 and 实际完成时间 into the 节点进展 sheet, as the unit's clerk would."""
    for i, line in enumerate(lines):
        r = NODE_TITLE_ROWS + 1 + i
        month = done.get((line.node.task_id, line.node.node))
        ws.cell(r, 5, NODE_DONE if month else NODE_NOT_DONE)
        ws.cell(r, 6, month)
        if not month and Period.parse(line.node.due) <= period:
            ws.cell(r, 7, "受征地拆迁影响，正在协调推进")


def write_plan_files(
    raw_dir: Path, story: PlanStory, assignments: Mapping[str, tuple[TaskLine, ...]]
) -> list[Path]:
    """Each plan as the unit filled in the office's template, sent at the story's time."""
    paths = []
    for f in story.files:
        wb = build_plan_template(f.unit, 2019, milestone_standards(assignments[f.unit]))
        ws = wb[PLAN_SHEET]
        rows: dict[str, int] = {}
        for r in range(PLAN_TITLE_ROWS + 2, ws.max_row + 1):
            rows.setdefault(str(ws.cell(r, 1).value), r)
        extra = ws.max_row + 1
        for n in f.nodes:
            r = rows[n.task_id] + n.node - 1
            if ws.cell(r, 1).value != n.task_id or ws.cell(r, 3).value != n.node:
                r, extra = extra, extra + 1  # a fourth node: a row the unit added
                ws.cell(r, 1, n.task_id)
                ws.cell(r, 3, n.node)
            ws.cell(r, 4, n.content)
            ws.cell(r, 5, "2019-13" if f.bad_cell and n.node == 2 else n.planned)
            ws.cell(r, 6, n.mark)
        path = raw_dir / "plans" / "2019" / f.name
        save_workbook(wb, path, f.received_at, f"{f.unit}2019年节点计划表")  # same bytes each run
        os.utime(path, (f.received_at.timestamp(), f.received_at.timestamp()))
        paths.append(path)
    return paths


def record_decisions(
    data_dir: Path,
    catalogue: Catalogue,
    assignments: Mapping[str, tuple[TaskLine, ...]],
    story: PlanStory,
) -> None:
    """Take the plans in and record the office's decisions at the story's times (once: a
    workspace that has them already is left as it is)."""
    # The ledger (SQLAlchemy) is slow to import: only the demo's run records decisions.
    from progress_audit.intake.ledger import Ledger

    # (the same reason)
    from progress_audit.intake.plans import (
        approve_plan,
        decide_extension,
        plan_actions,
        receive_plan,
        request_extension,
        return_plan,
    )

    with Ledger.open(data_dir) as ledger:
        if plan_actions(ledger, catalogue.year):
            return
        folder = Path(data_dir) / "raw" / "plans" / "2019"
        events = [(f.received_at, 0, i, f) for i, f in enumerate(story.files)]
        events += [(a.at, 1, a.id, a) for a in story.actions]
        for _, kind, _, item in sorted(events, key=lambda e: e[:3]):
            if kind == 0:
                content = (folder / item.name).read_bytes()
                receive_plan(
                    ledger, data_dir, catalogue, assignments, item.unit, content, item.name,
                    item.received_at,
                )  # fmt: skip
                continue
            a = item
            if a.action == "approve_plan":
                approve_plan(ledger, a.unit, 2019, a.by, a.at)
            elif a.action == "return_plan":
                return_plan(ledger, a.unit, 2019, a.reason, a.by, a.at)
            elif a.action == "request_extension":
                request_extension(
                    ledger, catalogue, a.unit, a.task_id, a.node, a.new_month, a.reason, a.at
                )
            elif a.action in ("approve_extension", "refuse_extension"):
                decide_extension(
                    ledger, a.unit, 2019, a.task_id, a.node,
                    a.action == "approve_extension", a.reason, a.by, a.at,
                )  # fmt: skip
