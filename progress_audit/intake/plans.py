"""Node plans on the record (节点计划登记) and the commands on them, for the CLI and the portal.

Two tables in the ledger's database, appended to and never updated or deleted:

- `node_plans`: each plan received (unit, year, sha256, name, received time, the nodes read and
  the problems found, as JSON); the bytes themselves are kept in the archive like every file.
- `plan_rejections`: each file in the plans inbox refused before it could be anyone's plan (no
  unit can be told from it, or its unit leads no milestone standard), with the reason, so it is
  refused once and not read again; its bytes are kept in the archive all the same.
- `plan_actions`: each decision and request on a unit's plan: approve_plan / return_plan (with
  the plan's id), request_extension / approve_extension / refuse_extension / extend (with the
  task, the node and the new month), each with its reason, who took it (`by`) and when.

The commands (`receive_plan`, `approve_plan`, `return_plan`, `request_extension`,
`decide_extension`, `grant_extension`) check the request against the record and the catalogue
and refuse it with the reason in Chinese (`PlanRefused`, 400 on the portal); a refused request
changes nothing. `plan_states` and `units_without_plan` say where every unit stands.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from progress_audit.config import OFFICE_TIMEZONE
from progress_audit.intake.archive import archive_name, keep_written
from progress_audit.intake.inbox import PLAN_INBOX
from progress_audit.intake.plan_reading import read_plan
from progress_audit.intake.reading.safety import SafetyLimits
from progress_audit.model.period import Period, PeriodError, end_of_day
from progress_audit.model.plans import (
    PLAN_ACTION_LABELS,
    PlanAction,
    PlanNode,
    PlanRecord,
    PlanState,
    plan_month,
    plan_state,
)
from progress_audit.model.problems import CellRef, Problem
from progress_audit.standards.catalogue import Catalogue, Standard
from progress_audit.standards.responsibility import TaskLine
from progress_audit.templates.plans import milestone_standards

if TYPE_CHECKING:
    from progress_audit.intake.ledger import Ledger

MAX_REASON = 500

_meta = sa.MetaData()
PLANS = sa.Table(
    "node_plans",
    _meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("unit", sa.String(), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("name", sa.String(), nullable=False),
    sa.Column("received_at", sa.String(40), nullable=False),
    sa.Column("nodes", sa.Text, nullable=False),
    sa.Column("problems", sa.Text, nullable=False),
)
ACTIONS = sa.Table(
    "plan_actions",
    _meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("unit", sa.String(), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("action", sa.String(24), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("by", sa.String(), nullable=False),
    sa.Column("plan_id", sa.Integer),
    sa.Column("task_id", sa.String(32)),
    sa.Column("node", sa.Integer),
    sa.Column("new_month", sa.String(7)),
)

REJECTIONS = sa.Table(
    "plan_rejections",
    _meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("name", sa.String(), nullable=False),
    sa.Column("received_at", sa.String(40), nullable=False),
    sa.Column("problems", sa.Text, nullable=False),
)
UNKNOWN_UNIT = "（未能确定单位）"
"""How a refused inbox file's unit is shown on its receipt."""


class PlanRefused(ValueError):
    """A plan command that cannot be carried out; the message says why, in Chinese (400)."""


def _create(ledger: Ledger) -> None:
    """The plans' tables, created once per process and database."""
    ledger.ensure_tables(_meta)


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


# ── the record ────────────────────────────────────────────────────────────────────────────


def plan_records(ledger: Ledger, year: int, unit: str | None = None) -> list[PlanRecord]:
    """Every plan received for `year` (of `unit`), in the order received."""
    rows = _rows(ledger, PLANS, year, unit)
    return [
        PlanRecord(
            r.id,
            r.unit,
            r.year,
            r.sha256,
            r.name,
            datetime.fromisoformat(r.received_at),
            tuple(PlanNode.from_json(n) for n in json.loads(r.nodes)),
            tuple(_problem(p) for p in json.loads(r.problems)),
        )
        for r in rows
    ]


def plan_actions(ledger: Ledger, year: int, unit: str | None = None) -> list[PlanAction]:
    """Every decision and request on the plans of `year` (of `unit`), in the order kept."""
    rows = _rows(ledger, ACTIONS, year, unit)
    return [
        PlanAction(
            r.unit,
            r.year,
            r.action,
            r.reason,
            datetime.fromisoformat(r.at),
            r.by,
            r.plan_id,
            r.task_id,
            r.node,
            r.new_month,
            r.id,
        )
        for r in rows
    ]


def _rows(ledger: Ledger, table: sa.Table, year: int, unit: str | None) -> list:
    _create(ledger)
    query = sa.select(table).where(table.c.year == year).order_by(table.c.id)
    if unit is not None:
        query = query.where(table.c.unit == unit)
    with ledger.engine.connect() as conn:
        return list(conn.execute(query).all())


def _keep_action(ledger: Ledger, a: PlanAction) -> PlanAction:
    _create(ledger)
    with ledger.engine.begin() as conn:
        result = conn.execute(
            ACTIONS.insert(),
            {
                "unit": a.unit,
                "year": a.year,
                "action": a.action,
                "reason": a.reason,
                "at": _iso(a.at),
                "by": a.by,
                "plan_id": a.plan_id,
                "task_id": a.task_id,
                "node": a.node,
                "new_month": a.new_month,
            },
        )
        new_id = result.inserted_primary_key[0]
    return PlanAction(
        a.unit,
        a.year,
        a.action,
        a.reason,
        a.at,
        a.by,
        a.plan_id,
        a.task_id,
        a.node,
        a.new_month,
        int(new_id),
    )


def _problem(data: Mapping) -> Problem:
    ref = CellRef(data["file"], data.get("sheet"), data.get("cell")) if data.get("file") else None
    return Problem(
        data["code"],
        data["message"],
        data.get("severity", "error"),
        ref,
        data.get("unit"),
        data.get("task_id"),
        data.get("metric_id"),
        data.get("dimension", "validity"),
    )


def plan_state_of(ledger: Ledger, unit: str, year: int) -> PlanState:
    """Where `unit`'s plan for `year` stands (see `model.plans.plan_state`)."""
    return plan_state(
        unit, year, plan_records(ledger, year, unit), plan_actions(ledger, year, unit)
    )


def plan_states(
    ledger: Ledger,
    year: int,
    assignments: Mapping[str, Sequence[TaskLine]],
    as_of: datetime | None = None,
) -> dict[str, PlanState]:
    """Every unit that leads a milestone standard, with its plan's state, in unit order; as the
    record stood at `as_of` when given (an audit's moment: a rerun sees the same plans)."""
    plans, actions = plan_records(ledger, year), plan_actions(ledger, year)
    if as_of is not None:
        plans = [p for p in plans if p.received_at <= as_of]
        actions = [a for a in actions if a.at <= as_of]
    return {
        unit: plan_state(unit, year, plans, actions)
        for unit, lines in assignments.items()
        if milestone_standards_of(lines)
    }


def units_without_plan(
    ledger: Ledger, year: int, assignments: Mapping[str, Sequence[TaskLine]]
) -> list[PlanState]:
    """The units that lead a milestone standard and have no approved plan yet (the board's
    list of who still owes one), each with its state (未报送, 待审定, 已退回, 有误)."""
    return [s for s in plan_states(ledger, year, assignments).values() if s.approved is None]


def milestone_standards_of(lines: Sequence[TaskLine]) -> dict[str, Standard]:
    """A unit's milestone standards (节点任务) by id, in the table's order."""
    return {s.id: s for s in milestone_standards(tuple(lines))}


# ── commands ──────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class PlanReceipt:
    """What the unit is told when its plan arrives: the record and every problem by cell."""

    plan: PlanRecord
    status: str
    """`received` (待审定) or `rejected` (有误: cannot be approved until sent again)."""

    def to_json(self) -> dict[str, object]:
        return {
            "kind": "plan",
            "unit": self.plan.unit,
            "year": self.plan.year,
            "file": self.plan.file,
            "sha256": self.plan.sha256,
            "received_at": self.plan.received_at.isoformat(),
            "status": self.status,
            "nodes": len(self.plan.nodes),
            "problems": [
                {
                    "code": p.code,
                    "severity": p.severity,
                    "message": p.message,
                    "cell": p.where if p.ref and p.ref.cell else None,
                }
                for p in self.plan.problems
            ],
        }


def receive_plan(
    ledger: Ledger,
    data_dir: Path,
    catalogue: Catalogue,
    assignments: Mapping[str, Sequence[TaskLine]],
    unit: str,
    content: bytes,
    name: str,
    received_at: datetime,
    limits: SafetyLimits | None = None,
) -> PlanReceipt:
    """Take in a plan `unit` sent (its bytes): keep the bytes in the archive, read them, put the
    plan on the record with its problems, and give the receipt. Nothing already approved
    changes: a new plan waits for the office's decision. `name` is shown, never used as a path.
    """
    if unit not in assignments:
        raise PlanRefused(f"未知的单位“{unit}”：不是{catalogue.year}年责任分解表中的牵头单位")
    standards = milestone_standards_of(assignments[unit])
    if not standards:
        raise PlanRefused(f"{unit}没有牵头的节点任务，不需报送节点计划")
    sha256 = hashlib.sha256(content).hexdigest()
    display = f"节点计划/{unit}/{Path(name).name or 'plan.xlsx'}"
    with _kept(data_dir, content, name) as tmp:
        reading = read_plan(tmp, display, catalogue.year, standards, unit, limits)
    _create(ledger)
    with ledger.engine.begin() as conn:
        result = conn.execute(
            PLANS.insert(),
            {
                "unit": unit,
                "year": catalogue.year,
                "sha256": sha256,
                "name": display,
                "received_at": _iso(received_at),
                "nodes": json.dumps([n.to_json() for n in reading.nodes], ensure_ascii=False),
                "problems": json.dumps([p.to_json() for p in reading.problems], ensure_ascii=False),
            },
        )
        plan_id = int(result.inserted_primary_key[0])
    record = PlanRecord(
        plan_id,
        unit,
        catalogue.year,
        sha256,
        display,
        received_at,
        reading.nodes,
        reading.problems,
    )
    return PlanReceipt(record, "received" if record.usable else "rejected")


@contextmanager
def _kept(data_dir: Path, content: bytes, name: str) -> Iterator[Path]:
    """Keep `content` in the archive, byte for byte; yields a private copy to read."""
    sha256 = hashlib.sha256(content).hexdigest()
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=Path(data_dir), prefix=".plan-", suffix=".xlsx")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
        keep_written(Path(tmp), sha256, Path(data_dir) / archive_name(sha256, name))
        yield Path(tmp)
    finally:
        Path(tmp).unlink(missing_ok=True)


def receive_plan_inbox(
    ledger: Ledger,
    data_dir: Path,
    catalogue: Catalogue,
    assignments: Mapping[str, Sequence[TaskLine]],
    limits: SafetyLimits | None = None,
) -> list[PlanReceipt]:
    """Plans dropped into `DIR/raw/plans/YYYY/`: each file not yet on the record (by unit and
    bytes) is received, at its modification time; the unit is read from its title rows."""
    folder = Path(data_dir) / "raw" / PLAN_INBOX / str(catalogue.year)
    if not folder.is_dir():
        return []
    known = {(p.unit, p.sha256) for p in plan_records(ledger, catalogue.year)}
    # A refused file is not read again until it comes back under another name (renamed for
    # its unit, as the refusal asks).
    refused = {(p.sha256, p.file) for p in plan_rejections(ledger, catalogue.year)}
    receipts = []
    files = [p for p in folder.rglob("*") if p.is_file()]
    for path in sorted(files, key=lambda p: (p.stat().st_mtime_ns, str(p))):
        content = path.read_bytes()
        sha256 = hashlib.sha256(content).hexdigest()
        if sha256 in {sha for _, sha in known}:
            continue  # on the record already: not read again
        if (sha256, _rejected_name(path.name)) in refused:
            continue
        at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        unit = _unit_of(path, content, catalogue, assignments, limits)
        try:
            if unit is None:
                raise PlanRefused(
                    f"无法确定报送单位：{path.name} 的标题行没有写明{catalogue.year}年责任分解表中"
                    "的牵头单位，文件名中也没有单位名称。请使用下发给本单位的节点计划表"
                    "（标题行写有单位名称），或把文件改名为“单位名称.xlsx”后重新放入收件箱"
                )
            receipt = receive_plan(
                ledger, data_dir, catalogue, assignments, unit, content, path.name, at, limits
            )
        except PlanRefused as refused:
            receipt = _reject(ledger, data_dir, catalogue.year, content, path.name, at, refused)
        receipts.append(receipt)
        known.add((receipt.plan.unit, sha256))
    return receipts


def plan_rejections(ledger: Ledger, year: int) -> list[PlanRecord]:
    """The inbox files of `year` refused before they could be a unit's plan, in the order
    received, each with its reason (a `no_unit` problem)."""
    _create(ledger)
    with ledger.engine.connect() as conn:
        rows = conn.execute(
            sa.select(REJECTIONS).where(REJECTIONS.c.year == year).order_by(REJECTIONS.c.id)
        ).all()
    return [
        PlanRecord(
            r.id,
            UNKNOWN_UNIT,
            r.year,
            r.sha256,
            r.name,
            datetime.fromisoformat(r.received_at),
            (),
            tuple(_problem(p) for p in json.loads(r.problems)),
        )
        for r in rows
    ]


def _rejected_name(name: str) -> str:
    return f"节点计划/{Path(name).name or 'plan.xlsx'}"


def _reject(
    ledger: Ledger,
    data_dir: Path,
    year: int,
    content: bytes,
    name: str,
    at: datetime,
    refused: PlanRefused,
) -> PlanReceipt:
    """Keep the bytes of an inbox file no unit's plan can be made of, and put the refusal on
    the record once: the clerk is told why, and the file is not read again."""
    sha256 = hashlib.sha256(content).hexdigest()
    display = _rejected_name(name)
    with _kept(data_dir, content, name):
        pass
    problem = Problem("no_unit", str(refused), ref=CellRef(display))
    _create(ledger)
    with ledger.engine.begin() as conn:
        result = conn.execute(
            REJECTIONS.insert(),
            {
                "year": year,
                "sha256": sha256,
                "name": display,
                "received_at": _iso(at),
                "problems": json.dumps([problem.to_json()], ensure_ascii=False),
            },
        )
        rejection_id = int(result.inserted_primary_key[0])
    record = PlanRecord(rejection_id, UNKNOWN_UNIT, year, sha256, display, at, (), (problem,))
    return PlanReceipt(record, "rejected")


def _unit_of(path, content, catalogue, assignments, limits) -> str | None:
    """The unit a plan in the inbox names in its title rows (else its file name)."""
    every = {
        sid: s for lines in assignments.values() for sid, s in milestone_standards_of(lines).items()
    }
    reading = read_plan(path, path.name, catalogue.year, every, None, limits)
    if reading.unit in assignments:
        return reading.unit
    for unit in sorted(assignments, key=len, reverse=True):
        if unit in path.name:
            return unit
    return None


def approve_plan(
    ledger: Ledger, unit: str, year: int, by: str, at: datetime, reason: str = ""
) -> PlanAction:
    """审定: approve the unit's latest plan. Refused when there is none, when it has problems,
    or when it is already the approved one. An earlier approved plan stays on the record."""
    state = plan_state_of(ledger, unit, year)
    latest = state.latest
    if latest is None:
        raise PlanRefused(f"{unit}还没有报送{year}年节点计划，无可审定")
    if state.approved is not None and state.approved.id == latest.id:
        raise PlanRefused(f"{unit}的{year}年节点计划已审定（{latest.file}），不需再审定")
    if any(a.plan_id == latest.id and a.action == "return_plan" for a in state.actions):
        raise PlanRefused(f"{unit}最近报送的节点计划已退回，请等单位重新报送后再审定")
    if not latest.usable:
        first = next(p for p in latest.problems if p.severity == "error")
        raise PlanRefused(
            f"{unit}最近报送的节点计划有 {sum(p.severity == 'error' for p in latest.problems)}"
            f" 处错误（如 {first.where}：{first.message}），不能审定；请退回单位改正"
        )
    return _keep_action(
        ledger, PlanAction(unit, year, "approve_plan", _reason(reason, False), at, by, latest.id)
    )


def return_plan(
    ledger: Ledger, unit: str, year: int, reason: str, by: str, at: datetime
) -> PlanAction:
    """退回: send the unit's latest plan back with a reason. An approved plan is never
    returned (it is frozen); a later plan from the unit replaces it only if approved."""
    state = plan_state_of(ledger, unit, year)
    latest = state.latest
    if latest is None:
        raise PlanRefused(f"{unit}还没有报送{year}年节点计划，无可退回")
    if state.approved is not None and state.approved.id == latest.id:
        raise PlanRefused(
            f"{unit}的节点计划已审定，审定后不能退回；如需调整，请单位报送新的节点计划，"
            "经审定后替换，或对个别节点申请延期"
        )
    if any(a.plan_id == latest.id and a.action == "return_plan" for a in state.actions):
        raise PlanRefused(f"{unit}最近报送的节点计划已退回过，等待单位重新报送")
    return _keep_action(
        ledger, PlanAction(unit, year, "return_plan", _reason(reason, True), at, by, latest.id)
    )


def request_extension(
    ledger: Ledger,
    catalogue: Catalogue,
    unit: str,
    task_id: str,
    node: int,
    new_month: str,
    reason: str,
    at: datetime,
    tz: str = OFFICE_TIMEZONE,
) -> PlanAction:
    """A unit asks to move a node of its approved plan to a later month (申请延期), before the
    node's month has ended. Refused with the reason otherwise."""
    state, scheduled, month = _check_move(ledger, catalogue, unit, task_id, node, new_month)
    due = Period.parse(scheduled.due)
    if at > end_of_day(due.last_day, tz):
        raise PlanRefused(
            f"任务 {task_id} 节点 {node} 的计划完成月份 {due.label} 已过，不能再申请延期："
            "延期须在节点月份结束前申请；请如实报送完成情况，或向督查室说明"
        )
    if state.pending_extension(task_id, node) is not None:
        raise PlanRefused(f"任务 {task_id} 节点 {node} 已有一项延期申请待督查室决定")
    return _keep_action(
        ledger,
        PlanAction(
            unit,
            catalogue.year,
            "request_extension",
            _reason(reason, True),
            at,
            f"单位：{unit}",
            state.approved.id if state.approved else None,
            task_id,
            node,
            str(month),
        ),
    )


def decide_extension(
    ledger: Ledger,
    unit: str,
    year: int,
    task_id: str,
    node: int,
    approve: bool,
    reason: str,
    by: str,
    at: datetime,
) -> PlanAction:
    """The office approves or refuses a unit's pending extension request (同意 / 不同意延期)."""
    state = plan_state_of(ledger, unit, year)
    if state.pending_extension(task_id, node) is None:
        raise PlanRefused(f"{unit}任务 {task_id} 节点 {node} 没有待决定的延期申请")
    action = "approve_extension" if approve else "refuse_extension"
    return _keep_action(
        ledger,
        PlanAction(
            unit,
            year,
            action,
            _reason(reason, not approve),
            at,
            by,
            state.approved.id if state.approved else None,
            task_id,
            node,
        ),
    )


def grant_extension(
    ledger: Ledger,
    catalogue: Catalogue,
    unit: str,
    task_id: str,
    node: int,
    new_month: str,
    reason: str,
    by: str,
    at: datetime,
) -> PlanAction:
    """The office grants an extension itself (督查室批准延期), with a reason."""
    state, _, month = _check_move(ledger, catalogue, unit, task_id, node, new_month)
    return _keep_action(
        ledger,
        PlanAction(
            unit,
            catalogue.year,
            "extend",
            _reason(reason, True),
            at,
            by,
            state.approved.id if state.approved else None,
            task_id,
            node,
            str(month),
        ),
    )


def _check_move(ledger, catalogue: Catalogue, unit, task_id, node, new_month):
    state = plan_state_of(ledger, unit, catalogue.year)
    if state.approved is None:
        raise PlanRefused(f"{unit}还没有审定的{catalogue.year}年节点计划，无节点可延期")
    try:
        node = int(node)
    except (TypeError, ValueError):
        raise PlanRefused(f"节点序号（node）应为整数，实为“{node}”") from None
    scheduled = state.node(str(task_id), node)
    if scheduled is None:
        raise PlanRefused(f"{unit}审定的节点计划中没有任务 {task_id} 的节点 {node}")
    try:
        month = plan_month(new_month, catalogue.year)
    except PeriodError as e:
        raise PlanRefused(f"新的完成月份（new_month）：{e}") from None
    deadline = catalogue.standard(str(task_id)).deadline
    if month.first_day > deadline:
        raise PlanRefused(
            f"新的完成月份 {month.label} 晚于任务 {task_id} 的完成期限 "
            f"{deadline.year}年{deadline.month}月{deadline.day}日，不能延期到期限之后"
        )
    if str(month) <= scheduled.due:
        raise PlanRefused(
            f"新的完成月份 {month.label} 不晚于现在的计划完成月份 "
            f"{Period.parse(scheduled.due).label}，不是延期"
        )
    return state, scheduled, month


def _reason(reason: object, required: bool) -> str:
    text = reason.strip() if isinstance(reason, str) else ""
    if required and not text:
        raise PlanRefused("须写明理由（reason）")
    if len(text) > MAX_REASON:
        raise PlanRefused(f"理由过长：不超过 {MAX_REASON} 字")
    return text


def action_label(action: str) -> str:
    return PLAN_ACTION_LABELS.get(action, action)


# ── the portal's requests (contract section 9), checked and dispatched ─────────────────────

PLAN_REVIEW_ACTIONS = (
    "approve_plan",
    "return_plan",
    "approve_extension",
    "refuse_extension",
    "extend",
)


def plan_review(
    ledger: Ledger,
    catalogue: Catalogue,
    assignments: Mapping[str, Sequence[TaskLine]],
    request: Mapping,
    by: str,
    at: datetime,
) -> PlanAction:
    """`POST /office/api/review` for plans: `{"unit", "year", "action": "approve_plan"}`,
    `{… "return_plan", "reason"}`, `{… "approve_extension" | "refuse_extension", "task_id",
    "node", "reason"}` or `{… "extend", "task_id", "node", "new_month", "reason"}`, taken by
    `by`. Raises PlanRefused with the reason in Chinese (400); nothing changes then."""
    if not isinstance(request, Mapping):
        raise PlanRefused('请求应为 JSON 对象：{"unit", "year", "action", …}')
    action = request.get("action")
    if action not in PLAN_REVIEW_ACTIONS:
        raise PlanRefused(
            f"未知的节点计划操作“{action}”：应为 {'、'.join(PLAN_REVIEW_ACTIONS)} 之一"
        )
    unit = request.get("unit")
    if not isinstance(unit, str) or not milestone_standards_of(assignments.get(unit, ())):
        raise PlanRefused(f"未知的单位“{unit}”：不是{catalogue.year}年牵头节点任务的单位")
    if request.get("year") != catalogue.year:
        raise PlanRefused(f"年度（year）应为 {catalogue.year}，实为“{request.get('year')}”")
    reason = request.get("reason", "")
    if action == "approve_plan":
        return approve_plan(ledger, unit, catalogue.year, by, at, _reason(reason, False))
    if action == "return_plan":
        return return_plan(ledger, unit, catalogue.year, reason, by, at)
    task_id, node = _node_of(request)
    if action == "extend":
        new_month = request.get("new_month")
        return grant_extension(ledger, catalogue, unit, task_id, node, str(new_month or ""),
                               reason, by, at)  # fmt: skip
    approve = action == "approve_extension"
    return decide_extension(ledger, unit, catalogue.year, task_id, node, approve, reason, by, at)


def extension_request(
    ledger: Ledger, catalogue: Catalogue, unit: str, request: Mapping, at: datetime
) -> PlanAction:
    """`POST <link>/extension` from a unit's own page: `{"task_id", "node", "new_month",
    "reason"}`. Raises PlanRefused with the reason (400), e.g. when asked after the node's
    planned month has ended."""
    if not isinstance(request, Mapping):
        raise PlanRefused('请求应为 JSON 对象：{"task_id", "node", "new_month", "reason"}')
    task_id, node = _node_of(request)
    new_month = request.get("new_month")
    return request_extension(
        ledger, catalogue, unit, task_id, node, str(new_month or ""), request.get("reason"), at
    )


def _node_of(request: Mapping) -> tuple[str, int]:
    task_id, node = request.get("task_id"), request.get("node")
    if not isinstance(task_id, str) or not task_id.strip():
        raise PlanRefused("须写明任务编号（task_id），如 7.1")
    if isinstance(node, bool) or not isinstance(node, int | str):
        raise PlanRefused("须写明节点序号（node），如 2")
    try:
        return task_id.strip(), int(node)
    except ValueError:
        raise PlanRefused(f"节点序号（node）应为整数，实为“{node}”") from None
