"""Node plans on the portal (门户的节点计划), as plain functions over the desk: a unit's plan
taken in from its link, its plan template, what its page shows of its plan, nodes due and
extensions, its extension request; and the office's side: who has no approved plan yet, the
extensions waiting for a decision, one unit's plan, a decision, and the record for the log.

Every command is `intake.plans`'s; this module only finds the year, the catalogue and the
record for the open month, and words what people see.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

from progress_audit.intake.archive import archive_name, keep_written
from progress_audit.intake.plans import (
    PLAN_REVIEW_ACTIONS,
    PlanReceipt,
    PlanRefused,
    extension_request,
    milestone_standards_of,
    plan_actions,
    plan_review,
    plan_state_of,
    plan_states,
    receive_plan,
)
from progress_audit.model.period import Calendar, Period, PeriodError, end_of_day
from progress_audit.model.plans import PLAN_ACTION_LABELS, PlanAction, PlanState
from progress_audit.model.wording import moment_label
from progress_audit.pipeline import Audit, template_nodes
from progress_audit.portal.desk import Desk
from progress_audit.portal.uploading import Incoming

PLAN_ACTIONS = PLAN_REVIEW_ACTIONS
"""The review actions on plans (contract section 9), told apart from a month's by name."""
DONE_WORDS = frozenset(PLAN_ACTION_LABELS.values())
"""What `?done=` may say on a plan's page after an action: never text from the URL."""
EXTENSION_LABELS = {
    "pending": "待督查室决定",
    "approved": "已同意",
    "refused": "不同意",
    "granted": "督查室批准",
}
RECEIPT_LABELS = {"received": "已收到，待督查室审定", "rejected": "有误，未予采用"}


def _audit(desk: Desk, moment: datetime) -> Audit:
    return desk.audit(desk.open_month(moment), moment)


def leads_milestones(desk: Desk, unit: str, moment: datetime) -> bool:
    """Whether `unit` leads any milestone standard (节点任务) this year: it owes a plan."""
    return bool(milestone_standards_of(_audit(desk, moment).assignments.get(unit, ())))


def plan_url(unit: str) -> str:
    return f"/office/plans/{quote(unit)}"


def month_label(month: str | None) -> str:
    try:
        return Period.parse(month or "").label
    except PeriodError:
        return month or ""


# -- the unit's side ----------------------------------------------------------------------------


def take_plan(desk: Desk, unit: str, incoming: Incoming, received_at: datetime) -> PlanReceipt:
    """Take in a plan a unit uploaded (its bytes kept in the archive, rejected or not); a
    unit leading no milestone task is refused (PlanRefused), its bytes kept all the same."""
    audit = _audit(desk, received_at)
    if not milestone_standards_of(audit.assignments.get(unit, ())):
        name = incoming.client_name or "plan.xlsx"
        target = desk.data / archive_name(incoming.sha256, name)
        keep_written(incoming.path, incoming.sha256, target)
        incoming.path.unlink(missing_ok=True)
        raise PlanRefused(
            f"收到的是节点计划表，但{unit}没有牵头的节点任务，不需报送节点计划；"
            "每月进度请下载本页的进度填报表填写后上传"
        )
    try:
        content = incoming.path.read_bytes()
    finally:
        incoming.path.unlink(missing_ok=True)
    return receive_plan(
        desk.ledger,
        desk.data,
        audit.catalogue,
        audit.assignments,
        unit,
        content,
        incoming.client_name or "plan.xlsx",
        received_at,
    )


def plan_template(desk: Desk, unit: str, moment: datetime) -> tuple[str, bytes] | None:
    """The unit's own node-plan workbook (节点计划表); None when it leads no milestone task."""
    # openpyxl is slow to import: only a download needs it.
    from progress_audit.templates.plans import (
        build_plan_template,
        milestone_standards,
        plan_filename,
    )

    audit = _audit(desk, moment)
    standards = milestone_standards(tuple(audit.assignments.get(unit, ())))
    if not standards:
        return None
    wb = build_plan_template(unit, audit.catalogue.year, standards)
    buffer = io.BytesIO()
    wb.save(buffer)
    return plan_filename(unit, audit.catalogue.year), buffer.getvalue()


def ask_extension(desk: Desk, unit: str, request: Mapping[str, Any], at: datetime) -> PlanAction:
    """A unit's extension request (raises PlanRefused with the reason)."""
    return extension_request(desk.ledger, _audit(desk, at).catalogue, unit, request, at)


def receipt_view(receipt: PlanReceipt, calendar: Calendar) -> dict[str, Any]:
    """A plan's receipt as its page shows it."""
    body = receipt.to_json()
    return {
        **body,
        "status_label": RECEIPT_LABELS.get(receipt.status, receipt.status),
        "received_label": moment_label(calendar.local(receipt.plan.received_at)),
        "node_rows": [
            {
                "task_id": n.task_id,
                "node": n.node,
                "content": n.content,
                "planned": month_label(n.planned),
                "mark": n.mark,
            }
            for n in receipt.plan.nodes
        ],
    }


def unit_plan(desk: Desk, unit: str, moment: datetime) -> dict[str, Any] | None:
    """What the unit's page shows of its plan: its state, its nodes due this month and next
    (the month each is judged by, its plan's month when extended), and its extensions;
    None when the unit leads no milestone task."""
    audit = _audit(desk, moment)
    if not milestone_standards_of(audit.assignments.get(unit, ())):
        return None
    calendar = Calendar.of(desk.settings)
    state = plan_state_of(desk.ledger, unit, audit.catalogue.year)
    lines = template_nodes(audit, desk.ledger).get(unit, ()) if state.approved else ()
    nodes = []
    for line in lines:
        n = line.node
        open_until = end_of_day(Period.parse(n.due).last_day, desk.settings.timezone)
        nodes.append(
            {
                "task_id": n.task_id,
                "node": n.node,
                "key": f"{n.task_id}#{n.node}",
                "content": n.content,
                "due": month_label(n.due),
                "planned": month_label(n.planned) if n.planned != n.due else "",
                "done_at": month_label(line.done_at) if line.done_at else "",
                "late": not line.done_at and n.due < str(audit.period),
                "extendable": not line.done_at
                and moment <= open_until
                and state.pending_extension(n.task_id, n.node) is None,
            }
        )
    return {
        "year": audit.catalogue.year,
        "status": state.status,
        "label": state.label,
        "returned_reason": state.returned_reason,
        "approved_label": moment_label(calendar.local(state.approved_at))
        if state.approved_at
        else "",
        "latest": state.latest.file.rsplit("/", 1)[-1] if state.latest else "",
        "waiting": state.latest is not None
        and state.latest.usable
        and state.approved is not None
        and state.latest.id != state.approved.id
        and state.status == "approved"
        and not any(a.plan_id == state.latest.id for a in state.actions),
        "nodes": nodes,
        "extensions": extensions_view(state, calendar),
    }


def extensions_view(state: PlanState, calendar: Calendar) -> list[dict[str, Any]]:
    """The unit's extensions, newest first: which node, from which month to which, why, and
    what the office decided."""
    result = []
    for e in reversed(state.extensions):
        scheduled = state.node(e.task_id, e.node)
        planned = scheduled.planned if scheduled else ""
        content = scheduled.content if scheduled else ""
        result.append(
            {
                "unit": state.unit,
                "task_id": e.task_id,
                "node": e.node,
                "content": content,
                "planned": month_label(planned),
                "new_month": month_label(e.new_month),
                "reason": e.reason,
                "state": e.state,
                "state_label": EXTENSION_LABELS.get(e.state, e.state),
                "asked_label": moment_label(calendar.local(e.asked_at)),
                "by": e.by,
                "decided_by": e.decided_by,
                "decision_reason": e.decision_reason,
            }
        )
    return result


# -- the office's side --------------------------------------------------------------------------


def decide(
    desk: Desk, request: Mapping[str, Any], at: datetime, open_month: Period, by: str
) -> PlanAction:
    """A plan action from the office (`plan_review`, raises PlanRefused with the reason): a
    form's year comes as text."""
    audit = desk.audit(open_month, at)
    asked = dict(request)
    year = asked.get("year")
    if isinstance(year, str) and year.strip().isdigit():
        asked["year"] = int(year.strip())
    if asked.get("node") in ("", None):
        asked.pop("node", None)
    return plan_review(desk.ledger, audit.catalogue, audit.assignments, asked, by, at)


def plans_board(desk: Desk, moment: datetime, calendar: Calendar) -> dict[str, Any]:
    """The board's plan section: the units without an approved plan (with their plan's state)
    and the extension requests waiting for a decision."""
    audit = _audit(desk, moment)
    year = audit.catalogue.year
    states = plan_states(desk.ledger, year, audit.assignments)
    without = [
        {
            "unit": s.unit,
            "status": s.status,
            "label": s.label,
            "returned_reason": s.returned_reason,
            "url": plan_url(s.unit),
        }
        for s in states.values()
        if s.approved is None
    ]
    waiting = [
        {"unit": s.unit, "url": plan_url(s.unit)}
        for s in states.values()
        if s.approved is not None
        and s.latest is not None
        and s.latest.id != s.approved.id
        and not any(a.plan_id == s.latest.id for a in s.actions)
    ]
    pending = [
        {**e, "url": plan_url(e["unit"])}
        for s in states.values()
        for e in extensions_view(s, calendar)
        if e["state"] == "pending"
    ]
    return {
        "plans": {
            "year": year,
            "leads": len(states),
            "approved": len(states) - len(without),
            "without": without,
            "waiting": waiting,
            "pending": pending,
        }
    }


def plan_page(desk: Desk, unit: str, moment: datetime, calendar: Calendar) -> dict[str, Any]:
    """One unit's plan at the office: the plan standing and the latest one, their nodes and
    problems by cell, its extensions, and the actions on it."""
    audit = _audit(desk, moment)
    year = audit.catalogue.year
    state = plan_state_of(desk.ledger, unit, year)

    def plan_view(record) -> dict[str, Any] | None:
        if record is None:
            return None
        return {
            "id": record.id,
            "file": record.file.rsplit("/", 1)[-1],
            "sha256": record.sha256,
            "received_label": moment_label(calendar.local(record.received_at)),
            "usable": record.usable,
            "nodes": [
                {
                    "task_id": n.task_id,
                    "node": n.node,
                    "content": n.content,
                    "planned": month_label(n.planned),
                    "mark": n.mark,
                }
                for n in record.nodes
            ],
            "problems": [{"cell": p.where, "message": p.message} for p in record.problems],
        }

    decided = {a.plan_id for a in state.actions if a.action in ("approve_plan", "return_plan")}
    latest = state.latest
    return {
        "unit": unit,
        "year": year,
        "status": state.status,
        "label": state.label,
        "returned_reason": state.returned_reason,
        "approved_by": state.approved_by,
        "approved_label": moment_label(calendar.local(state.approved_at))
        if state.approved_at
        else "",
        "approved": plan_view(state.approved),
        "latest": plan_view(latest)
        if latest is not None and (state.approved is None or latest.id != state.approved.id)
        else None,
        "undecided": latest is not None and latest.id not in decided,
        "scheduled": [
            {
                "task_id": n.task_id,
                "node": n.node,
                "content": n.content,
                "due": month_label(n.due),
                "planned": month_label(n.planned) if n.planned != n.due else "",
            }
            for n in state.nodes
        ],
        "extensions": extensions_view(state, calendar),
        "actions": [action_view(a, calendar) for a in reversed(state.actions)],
    }


def action_view(a: PlanAction, calendar: Calendar) -> dict[str, Any]:
    """A plan action as the audit log shows it (the same keys as a month's review action)."""
    what = f"{a.year}年节点计划"
    if a.task_id:
        what = f"任务 {a.task_id} 节点 {a.node}"
        if a.new_month:
            what += f" 延至 {month_label(a.new_month)}"
    return {
        "unit": a.unit,
        "period": f"{a.year}年",
        "action": a.action,
        "label": a.label,
        "reason": a.reason,
        "by": a.by,
        "at_label": moment_label(calendar.local(a.at)),
        "what": what,
        "at": a.at,
    }


def plan_log(desk: Desk, moment: datetime, calendar: Calendar) -> list[dict[str, Any]]:
    """Every action on the year's plans, for the audit log."""
    year = _audit(desk, moment).catalogue.year
    return [action_view(a, calendar) for a in plan_actions(desk.ledger, year)]
