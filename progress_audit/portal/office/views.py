"""What the office's pages show (督查室页面的内容), as plain functions over the board's
records: rows, files, findings, actions and the run, each worded once, times on the office's
clock.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from progress_audit.model.period import Calendar
from progress_audit.model.records import (
    REVIEW_ACTION_LABELS,
    SUBMISSION_STATUS_LABELS,
    Finding,
    ReviewAction,
    Submission,
)
from progress_audit.model.wording import figure_label, moment_label, percent_label, reviewed_label
from progress_audit.portal.office.board import UNIT_STATES, MonthView, unit_state
from progress_audit.portal.office.running import reports_of, run_state

REVIEWED = ("returned", "withdrawn", "same_as_returned")
"""The office's own notes on a file: shown as its status, not counted as its errors."""
RUN_LABELS = {
    "idle": "尚未运行",
    "running": "正在督查……",
    "done": "督查完成",
    "failed": "督查未能完成",
}
SORTS = {"table": "按责任分解表顺序", "state": "按报送状态", "unit": "按单位名称"}
STATE_ORDER = ("returned", "errors", "not_yet", "late", "corrected", "on_time")


def board_page(
    view: MonthView, calendar: Calendar, state: str, sort: str, stale: bool, data: Path
) -> dict[str, Any]:
    """The board: every lead unit's state and files (filtered, sorted), the month's run and
    its reports, and whether they are out of date."""
    return {
        "period": view.period,
        "as_of_label": moment_label(calendar.local(view.as_of)),
        "zone_label": calendar.zone_label,
        "rows": board_rows(view.rows, calendar, state, sort),
        "totals": totals(view.rows),
        "shown": {"state": state, "sort": sort},
        "sorts": SORTS,
        "reports": reports_of(data, str(view.period)),
        "stale": stale,
        "run": run_view(run_state(data), data, calendar),
    }


def unit_page(view: MonthView, unit: str, calendar: Calendar, done: str | None) -> dict[str, Any]:
    """A unit's month at the office: its files, figures (each metric named) and actions."""
    findings = [f for f in view.findings if f.unit == unit]
    state = unit_state(unit, view.submissions)
    return {
        "unit": unit,
        "period": view.period,
        "state": state,
        "state_label": UNIT_STATES[state],
        "as_of_label": moment_label(calendar.local(view.as_of)),
        "findings": [finding_view(f) for f in findings],
        "metrics": [(f.metric_id, f.name) for f in findings if f.metric_id],
        "submissions": [submission_view(s, calendar) for s in view.submissions if s.unit == unit],
        "actions": [action_view(a, calendar) for a in view.actions if a.unit == unit],
        "done": done,
    }


def unit_url(unit: str) -> str:
    return f"/office/units/{quote(unit)}"


def board_rows(
    rows: list[dict[str, Any]], calendar: Calendar, state: str | None, sort: str
) -> list[dict[str, Any]]:
    """The board's rows, filtered to one state (a key of UNIT_STATES) and sorted."""
    shown = [r for r in rows if state in (None, "", r["state"])]
    if sort == "state":
        shown.sort(key=lambda r: STATE_ORDER.index(r["state"]))
    elif sort == "unit":
        shown.sort(key=lambda r: r["unit"])
    return [
        {
            **r,
            "url": unit_url(r["unit"]),
            "files": [submission_view(s, calendar) for s in r["submissions"]],
            "counts_label": "，".join(f"{k} {v}" for k, v in r["counts"].items()),
        }
        for r in shown
    ]


def totals(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """How many units are in each state, with the filter's link."""
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["state"]] = counts.get(r["state"], 0) + 1
    return [
        {"state": s, "label": UNIT_STATES[s], "count": counts[s]}
        for s in UNIT_STATES
        if s in counts
    ]


def submission_view(s: Submission, calendar: Calendar) -> dict[str, Any]:
    return {
        "file": s.file.rsplit("/", 1)[-1],
        "sha256": s.sha256,
        "status": s.status,
        "status_label": SUBMISSION_STATUS_LABELS.get(s.status, s.status),
        "received_label": moment_label(calendar.local(s.received_at)),
        "errors": sum(p.severity == "error" and p.code not in REVIEWED for p in s.problems)
        + sum(p.severity == "error" for r in s.rows for p in r.problems),
        "notes": [p.message for p in s.problems if p.code in REVIEWED],
    }


def finding_view(f: Finding) -> dict[str, Any]:
    uom = f.unit_of_measure
    expected = figure_label(f.expected, missing="")
    if expected and f.time_progress is not None:
        expected = f"{expected}（{percent_label(f.time_progress)}）"
    return {
        "task_id": f.task_id,
        "metric_id": f.metric_id or "",
        "name": f.name,
        "status": f.status,
        "status_label": f.status_label,
        "target": figure_label(f.target, missing=""),
        "actual": reviewed_label(f.actual, f.reported, uom, corrected=f.review is not None),
        "expected": expected,
        "uom": uom,
        "ratio": percent_label(f.ratio),
        "reasons": "；".join(f.reasons),
    }


def action_view(a: ReviewAction, calendar: Calendar) -> dict[str, Any]:
    what = ""
    if a.action == "correct":
        what = f"{a.metric_id} 审核值 {figure_label(a.value)}"
    elif a.sha256:
        what = f"文件 {a.sha256[:12]}…"
    return {
        "unit": a.unit,
        "period": a.period,
        "action": a.action,
        "label": REVIEW_ACTION_LABELS.get(a.action, a.action),
        "reason": a.reason,
        "by": a.by,
        "at_label": moment_label(calendar.local(a.at)),
        "what": what,
    }


def run_view(state: dict[str, Any], data: Path, calendar: Calendar) -> dict[str, Any]:
    view = {k: v for k, v in state.items() if k != "pid"}
    for key in ("started", "ended"):
        if state.get(key):
            moment = calendar.local(datetime.fromisoformat(state[key]))
            view[f"{key}_label"] = moment_label(moment)
    view["label"] = RUN_LABELS.get(state.get("state", "idle"), "")
    period = state.get("period")
    view["reports"] = (
        [{**r, "url": f"/office/reports/{period}/{r['name']}"} for r in reports_of(data, period)]
        if period and state.get("state") == "done"
        else []
    )
    return view
