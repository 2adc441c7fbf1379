"""What the office's board shows and what a review does (督查室看板和审核), over the desk:
each lead unit's state for a month, its receipts and its figures against target and 序时进度
(the month's submissions with the reviews applied, assessed as `run` assesses them, before the
month's quality suites), and keeping a review action.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from progress_audit.intake.links import link_url, unit_links
from progress_audit.intake.reviews import check_action, keep_action, review_actions
from progress_audit.intake.uploads import checked_problems
from progress_audit.model.period import Period, PeriodError
from progress_audit.model.records import (
    COUNTING_STATUSES,
    Finding,
    ReviewAction,
    Submission,
)
from progress_audit.notification.mail import return_message
from progress_audit.pipeline import assess_month, recorded
from progress_audit.portal.desk import Desk

UNIT_STATES: dict[str, str] = {
    "not_yet": "未报送",
    "on_time": "按时报送",
    "late": "逾期报送",
    "returned": "已退回",
    "errors": "有错误",
    "corrected": "已核定",
}


@dataclass(frozen=True)
class MonthView:
    period: Period
    as_of: datetime
    submissions: tuple[Submission, ...]
    findings: tuple[Finding, ...]
    actions: tuple[ReviewAction, ...]
    units: tuple[str, ...]

    @property
    def rows(self) -> list[dict[str, Any]]:
        return board_rows(self)


def month_view(desk: Desk, period: Period, moment: datetime) -> MonthView:
    """The month as recorded at `moment`: submissions (reviews applied) and findings. Only
    reads: inbox files not yet taken in wait for the month's run."""
    audit = desk.audit(period, moment)
    month = recorded(audit, desk.ledger)
    counting = {(s.unit, s.sha256) for s in month.current if s.status in COUNTING_STATUSES}
    uploads = desk.ledger.uploads(periods=[str(period)])
    checked = [p for u in uploads if (u.unit, u.sha256) in counting for p in checked_problems(u)]
    # The suites' holds (待核实) show at once, and an acceptance clears them at once.
    findings = assess_month(audit, month, checked=list(dict.fromkeys(checked)))
    actions = review_actions(desk.ledger, period=str(period))
    return MonthView(
        period,
        audit.as_of,
        month.current,
        tuple(findings),
        tuple(actions),
        tuple(audit.assignments),
    )


def unit_state(unit: str, submissions: Sequence[Submission]) -> str:
    """Not yet, on time, late, returned, with errors, or corrected (a key of UNIT_STATES)."""
    mine = [s for s in submissions if s.unit == unit]
    counting = [s for s in mine if s.status in COUNTING_STATUSES]
    if counting:
        s = counting[-1]
        if any(r.review for r in s.rows):
            return "corrected"
        problems = (*s.problems, *(p for r in s.rows for p in r.problems))
        if any(p.severity == "error" for p in problems):
            return "errors"
        return s.status
    if any(s.status == "returned" for s in mine):
        return "returned"
    if any(s.status == "rejected" for s in mine):
        return "errors"
    return "not_yet"


def board_rows(view: MonthView) -> list[dict[str, Any]]:
    """One row per lead unit, in the table's order."""
    rows = []
    for unit in view.units:
        state = unit_state(unit, view.submissions)
        findings = [f for f in view.findings if f.unit == unit]
        counts: dict[str, int] = {}
        for f in findings:
            counts[f.status_label] = counts.get(f.status_label, 0) + 1
        subs = [s for s in view.submissions if s.unit == unit]
        rows.append(
            {
                "unit": unit,
                "state": state,
                "state_label": UNIT_STATES[state],
                "counts": counts,
                "submissions": subs,
                "last": max((s.received_at for s in subs), default=None),
                "actions": [a for a in view.actions if a.unit == unit],
            }
        )
    return rows


def take_review(
    desk: Desk, request: Mapping[str, Any], at: datetime, open_month: Period, by: str
) -> ReviewAction:
    """Check and keep one review action (raises ReviewRefused with the reason); a return is
    e-mailed to the unit when SMTP is configured (in the background)."""
    catalogue_year = desk.audit(open_month, at).catalogue.year
    assignments = desk.audit(open_month, at).assignments
    current, files = None, ()
    try:
        period = Period.parse(str(request.get("period", "")))
    except (PeriodError, ValueError):
        period = None
    unit = request.get("unit")
    if period is not None and period.year == catalogue_year and str(period) <= str(open_month):
        subs = month_view_submissions(desk, period, at)
        mine = [s for s in subs if s.unit == unit]
        counting = [s for s in mine if s.status in COUNTING_STATUSES]
        current = counting[-1].sha256 if counting else None
        files = tuple(s.sha256 for s in mine if s.status != "withdrawn")
    action = check_action(
        request,
        assignments,
        catalogue_year,
        at,
        latest=str(open_month),
        current=current,
        files=files,
        by=by,
    )
    keep_action(desk.ledger, action)
    if action.action == "return":
        _mail_return(desk, action)
    return action


def month_view_submissions(desk: Desk, period: Period, moment: datetime) -> tuple[Submission, ...]:
    audit = desk.audit(period, moment)
    return recorded(audit, desk.ledger).current


def rotate_link(desk: Desk, unit: str, reason: str, at: datetime, base_url: str, by: str) -> str:
    """A new link for `unit` (the old one ends at once), kept in the audit log; the new
    absolute URL (under the `portal_base_url` setting, else the address the office used)."""
    tokens = unit_links(desk.data, desk.ledger, [unit], rotate=[unit])
    period = str(desk.period) if desk.period else ""
    action = ReviewAction(unit, period, "rotate", reason or "更换链接", at, by=by)
    keep_action(desk.ledger, action)
    return link_url(desk.settings.portal_base_url or base_url, tokens[unit])


def out_of_date(desk: Desk, period: Period) -> bool:
    """Whether uploads or reviews of the month came after the moment its reports speak for
    (their `as_of`): those reports do not yet count them."""
    findings = desk.workspace.period_reports(period) / "findings.json"
    try:
        as_of = datetime.fromisoformat(json.loads(findings.read_text("utf-8"))["as_of"])
    except (OSError, ValueError, KeyError, TypeError):
        return False
    as_of_ns = int(as_of.timestamp() * 1_000_000) * 1000
    uploads = desk.ledger.uploads(periods=[str(period)])
    if any(u.received_ns > as_of_ns for u in uploads if u.period == str(period)):
        return True
    return any(a.at > as_of for a in review_actions(desk.ledger, period=str(period)))


def _mail_return(desk: Desk, action: ReviewAction) -> None:
    smtp = desk.settings.smtp
    if smtp is None or not smtp.unit_recipients.get(action.unit):
        return
    link = None
    if desk.settings.portal_base_url:
        token = unit_links(desk.data, desk.ledger, [action.unit])[action.unit]
        link = link_url(desk.settings.portal_base_url, token)
    message = return_message(
        action.unit, Period.parse(action.period), action.reason, action.at, smtp, link
    )
    if message is None:
        return

    threading.Thread(
        target=desk.deliver,
        args=([message], f"the return notice to {action.unit}"),
        name="return-notice",
        daemon=True,
    ).start()
