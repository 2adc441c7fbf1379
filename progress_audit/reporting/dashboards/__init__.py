"""The data-quality pages (数据质量报告、督查看板): `quality.html` per month, `dashboard.html`
across months.

Single self-contained files: styles and the table sorter inline, charts as inline SVG drawn in
Python, no font, script or image from anywhere. jinja2 with autoescape: every text from a unit
(names, messages quoting a cell) is escaped. The pages show everything with scripts off; the
sorter only reorders rows.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import jinja2

from progress_audit.assessment.escalation import escalations
from progress_audit.config import COUNT_UNITS, WHOLE_UNITS
from progress_audit.files.atomic import write_text
from progress_audit.model.codes import CODES
from progress_audit.model.period import Period
from progress_audit.model.problems import Problem, problem_key
from progress_audit.model.records import (
    COUNTING_STATUSES,
    FINDING_STATUS_LABELS,
    SUBMISSION_STATUS_LABELS,
)
from progress_audit.model.reports import DASHBOARD, QUALITY
from progress_audit.model.wording import (
    DIMENSION_LABELS,
    SEVERITY_LABELS,
    amount_label,
    deadline_label,
    moment_label,
    number_label,
    percent_label,
)
from progress_audit.reporting.dashboards.headline import (
    Headline,
    behind_streaks,
    headlines,
    leader_trend,
    short_name,
    unit_streaks,
)
from progress_audit.reporting.dashboards.history import (
    History,
    Month,
    month_from_quality,
    month_label,
    read_history,
)
from progress_audit.reporting.dashboards.svg import (
    count_colour,
    horizontal_bars,
    horizontal_stacked_bars,
    progress_line,
    score_colour,
    stacked_bars,
)
from progress_audit.reporting.reports.ordering import counted_leaders

if TYPE_CHECKING:
    from progress_audit.model.records import Submission
    from progress_audit.quality.month import QualityReport

__all__ = ["render_dashboard", "render_quality_page", "write_dashboard", "write_quality_page"]

STATE_LABELS = {
    **{s: SUBMISSION_STATUS_LABELS[s] for s in COUNTING_STATUSES},
    "missing": "未报送",
    "not_due": "未到截止时间",
}
STATUS_COLOURS = {
    "overdue": "#b71c1c",
    "off_track": "#e65100",
    "at_risk": "#f9a825",
    "missing": "#757575",
    "invalid": "#6a1b9a",
    "on_track": "#43a047",
    "completed": "#1b5e20",
    "planning": "#1565c0",
}


def write_quality_page(
    out_dir: Path, report: QualityReport, submissions: Sequence[Submission], as_of: datetime
) -> Path:
    """`out_dir/quality.html`, and `out_dir/quality.json` (scores and problems) beside it."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    data = report.to_json()
    problems = _page_problems(report, submissions)
    data["problems"] = [p.to_json() for p in problems]
    write_text(out_dir / "quality.json", json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    earlier = read_history(out_dir.parent, until=report.period)
    months = [m for m in earlier.months if m.period != report.period]
    months.append(month_from_quality(data))
    page = render_quality_page(report, problems, submissions, as_of, months)
    target = out_dir / QUALITY.name
    write_text(target, page)
    return target


def write_dashboard(
    reports_dir: Path, headline: Sequence[str] | None = None, *, escalate_after: int = 2
) -> Path:
    """`reports_dir/dashboard.html` from every month folder's findings.json and quality.json.
    `headline`: the metric ids shown first (default: the largest cumulative targets); lines
    严重滞后 `escalate_after` months running are listed for 约谈."""
    reports_dir = Path(reports_dir)
    reports_dir.mkdir(parents=True, exist_ok=True)
    target = reports_dir / DASHBOARD.name
    page = render_dashboard(read_history(reports_dir), headline, escalate_after=escalate_after)
    write_text(target, page)
    return target


def escalation_rows(months: Sequence[Month], after_months: int) -> list[dict[str, Any]]:
    """约谈名单 of the latest month, as its 通报 names them (`month_escalations`)."""
    if not months:
        return []
    lines = [
        SimpleNamespace(
            unit=str(f.get("unit") or ""),
            task_id=str(f.get("task_id") or ""),
            metric_id=f.get("metric_id"),
            leaders=tuple(str(x) for x in f.get("leaders") or ()),
            name=str(f.get("name") or ""),
            status=str(f.get("status") or ""),
        )
        for f in months[-1].findings
    ]
    earlier = {
        m.period: {
            (str(f.get("unit")), str(f.get("task_id")), f.get("metric_id")): f.get("status")
            for f in m.findings
        }
        for m in months[:-1]
    }
    found = escalations(
        lines, Period.parse(months[-1].period), earlier, after_months, counted_leaders(lines)
    )
    return [
        {
            "id": e.line_id,
            "name": short_name(e.name),
            "full_name": e.name,
            "unit": e.unit,
            "leader": e.leader,
            "months": e.months,
        }
        for e in found
    ]


# ---- the month's page ----------------------------------------------------------------------


def _page_problems(report: QualityReport, submissions: Sequence[Submission]) -> list[Problem]:
    """Every problem of the month once: the report's, plus any the files carry (same key)."""
    seen: dict[tuple[object, ...], Problem] = {}
    extra: list[Problem] = []
    for p in report.all_problems:
        seen.setdefault(problem_key(p), p)
    for s in submissions:
        if s.period not in (None, report.period):
            continue
        for p in (*s.problems, *(q for r in s.rows for q in r.problems), *report.problems):
            if problem_key(p) not in seen:
                seen[problem_key(p)] = p
                extra.append(p)
    return [*report.all_problems, *extra]


def render_quality_page(
    report: QualityReport,
    problems: Sequence[Problem],
    submissions: Sequence[Submission],
    as_of: datetime,
    months: Sequence[Month],
) -> str:
    """The month's quality page as HTML text."""
    label = month_label(report.period)
    units = list(report.units) or sorted(report.scores)
    states = report.submission_status
    unit_rows = []
    for u in units:
        c = report.counts.get(u, {})
        unit_rows.append(
            {
                "unit": u,
                "state": states.get(u, "missing"),
                "scores": {d: report.scores.get(u, {}).get(d) for d in DIMENSION_LABELS},
                "expected": c.get("expected", 0),
                "reported": c.get("reported", 0),
                "errors": c.get("errors", 0),
                "warnings": c.get("warnings", 0),
            }
        )
    dims = [
        {"key": d, "label": name, "mean": _mean(r["scores"][d] for r in unit_rows)}
        for d, name in DIMENSION_LABELS.items()
    ]
    per_unit: dict[str, dict[str, int]] = {}
    for p in problems:
        if p.unit:
            per_unit.setdefault(p.unit, {}).setdefault(p.dimension, 0)
            per_unit[p.unit][p.dimension] += 1
    chart_units = [u for u in units if u in per_unit] + sorted(set(per_unit) - set(units))
    problems_chart = (
        horizontal_stacked_bars(
            "各单位数据问题数（按维度）",
            chart_units,
            [
                (name, colour, [per_unit[u].get(d, 0) for u in chart_units])
                for (d, name), colour in zip(
                    DIMENSION_LABELS.items(),
                    ("#5c6bc0", "#f9a825", "#c62828", "#00897b"),
                    strict=True,
                )
            ],
            unit="条",
        )
        if chart_units
        else ""
    )
    trend = _trend(months, units)
    counted = [s for s in submissions if s.period in (None, report.period)]
    # A file's problems are every problem the page lists for it (the reader's, the quality
    # suites'), not only those the file carried when it was received.
    file_problems: dict[str, set[tuple[object, ...]]] = {}
    for s in counted:
        file_problems.setdefault(s.file, set()).update(problem_key(p) for p in s.problems)
    for p in problems:
        if p.ref is not None and p.ref.file in file_problems:
            file_problems[p.ref.file].add(problem_key(p))
    files = [
        {
            "unit": s.unit or "（无法识别）",
            "file": s.file,
            "received": moment_label(s.received_at.astimezone(as_of.tzinfo)),
            "received_sort": s.received_at.isoformat(),
            "status": SUBMISSION_STATUS_LABELS.get(s.status, s.status),
            "problems": len(file_problems.get(s.file, set())),
        }
        for s in sorted(counted, key=lambda s: (_rank(units, s.unit), s.received_at, s.file))
    ]
    return (
        _env()
        .get_template("quality.html.j2")
        .render(
            label=label,
            as_of=moment_label(as_of),
            due=_due_text(report.due),
            overview={
                "units": len(units),
                "on_time": sum(1 for u in units if states.get(u) == "on_time"),
                "late": sum(1 for u in units if states.get(u) == "late"),
                "missing": sum(1 for u in units if states.get(u) == "missing"),
                "problems": len(problems),
                "errors": sum(1 for p in problems if p.severity == "error"),
                "warnings": sum(1 for p in problems if p.severity == "warning"),
            },
            dims=dims,
            units=unit_rows,
            problems_chart=problems_chart,
            trend=trend,
            problems=[
                {
                    "unit": p.unit or "",
                    "dimension": DIMENSION_LABELS.get(p.dimension, p.dimension),
                    "severity": p.severity,
                    "severity_label": SEVERITY_LABELS.get(p.severity, p.severity),
                    "line": p.metric_id or p.task_id or "",
                    "where": p.where if p.ref and p.ref.sheet else "",
                    "file": p.ref.file if p.ref else "",
                    "message": p.message,
                    "kind": _kind(p.code),
                }
                for p in problems
            ],
            rules=[
                {
                    **r.to_json(),
                    "kind": _kind(r.code),
                    "dimension": DIMENSION_LABELS.get(r.dimension, r.dimension),
                    "severity_label": SEVERITY_LABELS.get(r.severity, r.severity),
                }
                for r in report.rules
            ],
            files=files,
        )
    )


def _target_card(h: Headline) -> dict[str, Any]:
    """A headline target's card. A figure held 数据异常 (待核实) is shown as the unit reported it
    and nothing is computed from it: no share of the target, no gap to 序时进度."""
    held = h.status == "invalid"
    judged = not held and h.now is not None and h.due_now is not None
    # A headline is a cumulative target: in a unit of whole things (所, 人 …, 亩) its 序时进度
    # and gap are said whole, as in the 通报.
    counted = h.uom.strip() in (*COUNT_UNITS, *WHOLE_UNITS)
    gap = round(abs((h.now or 0) - (h.due_now or 0)), 2) if judged else None
    return {
        "h": h,
        "chart": progress_line(h.name, h.actual, h.expected, h.target, uom=h.uom, counted=counted),
        "now": number_label(h.now) or "—",
        "target": number_label(h.target),
        "due": amount_label(h.due_now, "", counted) or "—",
        "held": held,
        "share": "" if held else percent_label(h.share, 0, missing="—"),
        "ahead": (h.now or 0) - (h.due_now or 0) if judged else None,
        "gap": amount_label(gap, "", counted),
        "colour": STATUS_COLOURS.get(h.status, "#757575"),
    }


def _trend(months: Sequence[Month], units: Sequence[str]) -> dict[str, Any]:
    return {
        "months": [m.label for m in months],
        "rows": [
            {"unit": u, "cells": [_composite(m.scores.get(u)) for m in months]} for u in units
        ],
    }


# ---- the dashboard across months -----------------------------------------------------------


def render_dashboard(
    history: History, headline: Sequence[str] | None = None, *, escalate_after: int = 2
) -> str:
    """The dashboard as HTML text: first what a leader needs (the headline targets against
    序时进度, what has been behind month after month, each leader's trend, each month's 通报),
    then the status trend and the units' reporting and data quality."""
    months = history.months
    short = [
        m.label.split("年", 1)[-1] if len({x.year for x in _periods(months)}) == 1 else m.label
        for m in months
    ]
    targets = [_target_card(h) for h in headlines(months, headline)]
    links = [
        {"period": m.period, "label": m.label, "files": m.reports, "summary": m.summary}
        for m in reversed(months)
    ]
    labels = [m.label for m in months]
    statuses = [{"key": k, "label": v} for k, v in FINDING_STATUS_LABELS.items()]
    status_rows = [
        {
            "period": m.period,
            "label": m.label,
            "counts": [m.summary.get(s["key"], 0) for s in statuses],
            "total": sum(m.summary.values()),
        }
        for m in months
    ]
    status_chart = (
        stacked_bars(
            "督查状态逐月趋势（项）",
            [
                m.label.split("年", 1)[-1]
                if len({x.year for x in _periods(months)}) == 1
                else m.label
                for m in months
            ],
            [
                (s["label"], STATUS_COLOURS[s["key"]], [m.summary.get(s["key"], 0) for m in months])
                for s in statuses
            ],
            unit="项",
        )
        if months
        else ""
    )
    units = history.units
    on_time_rows = []
    for u in units:
        states = [m.submitted.get(u, "missing") if u in m.units else "" for m in months]
        due = [s for s in states if s in (*COUNTING_STATUSES, "missing")]
        rate = round(sum(s == "on_time" for s in due) / len(due), 4) if due else None
        on_time_rows.append({"unit": u, "rate": rate, "states": states})
    ranked = sorted(on_time_rows, key=lambda r: -1 if r["rate"] is None else r["rate"])
    on_time_chart = (
        horizontal_bars("各单位按时报送率（由低到高）", [(r["unit"], r["rate"]) for r in ranked])
        if months
        else ""
    )
    problem_rows = []
    for u in units:
        counts = [m.problems.get(u, 0) if u in m.units else None for m in months]
        problem_rows.append({"unit": u, "total": sum(n for n in counts if n), "counts": counts})
    score_rows = [
        {"unit": u, "cells": [_composite(m.scores.get(u)) for m in months]} for u in units
    ]
    return (
        _env()
        .get_template("dashboard.html.j2")
        .render(
            months=labels,
            latest_as_of=_moment_text(months[-1].as_of) if months else "",
            unreadable=list(history.unreadable),
            statuses=statuses,
            status_rows=status_rows,
            status_chart=status_chart,
            on_time_rows=on_time_rows,
            on_time_chart=on_time_chart,
            problem_rows=problem_rows,
            score_rows=score_rows,
            targets=targets,
            short=short,
            streaks=behind_streaks(months),
            escalations=escalation_rows(months, escalate_after),
            escalate_after=escalate_after,
            unit_streaks=unit_streaks(months),
            leaders=leader_trend(months),
            links=links,
            status_labels=FINDING_STATUS_LABELS,
            status_colours=STATUS_COLOURS,
        )
    )


# ---- helpers -------------------------------------------------------------------------------


@cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        pct=lambda x: percent_label(x, 0, missing="—"),
        score_colour=score_colour,
        count_colour=count_colour,
        state_label=lambda s: STATE_LABELS.get(s, s or "—"),
        state_rank=lambda s: {"on_time": 3, "late": 2, "missing": 1}.get(s, ""),
    )
    return env


def _kind(code: str) -> str:
    """A problem code's Chinese title (model/codes.py); never the code itself."""
    known = CODES.get(code)
    return known.title if known else "其他问题"


def _mean(values: Any) -> float | None:
    xs = [v for v in values if v is not None]
    return round(sum(xs) / len(xs), 4) if xs else None


def _composite(scores: Mapping[str, float | None] | None) -> float | None:
    return _mean((scores or {}).values())


def _rank(units: Sequence[str], unit: str | None) -> tuple[int, str]:
    return (units.index(unit) if unit in units else len(units), unit or "")


def _periods(months: Sequence[Month]) -> list[Period]:
    out = []
    for m in months:
        try:
            out.append(Period.parse(m.period))
        except ValueError:
            continue
    return out


def _moment_text(iso: str) -> str:
    try:
        return moment_label(datetime.fromisoformat(iso))
    except ValueError:
        return iso


def _due_text(iso: str) -> str:
    return deadline_label(datetime.fromisoformat(iso)) if iso else "—"
