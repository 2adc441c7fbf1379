"""督办通报 as a page (exceptions.html): self-contained (inline CSS, no script, nothing loaded
from anywhere), prints on A4 landscape with table headers repeated; unit text is escaped."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from progress_audit.files.atomic import write_text
from progress_audit.model.records import FINDING_STATUS_LABELS, Finding
from progress_audit.model.wording import (
    amount_label,
    as_of_label,
    day_label,
    gap_label,
    monthly_label,
    number_label,
    percent_label,
    reviewed_label,
)
from progress_audit.reporting.reports.columns import DUE_SOON_MARK
from progress_audit.reporting.reports.exceptions import (
    GOOD,
    ISSUER,
    NO_PREVIOUS,
    SITUATION_STATUS,
    STATUSES,
    ExceptionReport,
    MatrixRow,
    body_parts,
    report_title,
)
from progress_audit.reporting.reports.labels import file_cell_label, short_label

TEMPLATES = Path(__file__).parent / "templates"


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def render_exceptions_html(report: ExceptionReport) -> str:
    period = report.period.label
    half = (len(report.units) + 1) // 2
    total = MatrixRow("全区", "全区合计", report.counts)
    matrices = [
        {
            "heading": "按分管领导",
            "kind": "分管领导",
            "rows": [_matrix(total, True)] + [_matrix(m) for m in report.leaders],
        },
        {
            "heading": "按牵头单位",
            "kind": "牵头单位",
            "rows": [_matrix(m) for m in report.units[:half]],
        },
        {
            "heading": "按牵头单位（续）",
            "kind": "牵头单位",
            "rows": [_matrix(m) for m in report.units[half:]],
        },
    ]
    context: dict[str, Any] = {
        "title": report_title(report),
        "issuer": ISSUER,
        "body": [
            # The page numbers its lists 一、二、…: the letter's parts go by their titles.
            {"heading": part.title, "paragraphs": list(part.paragraphs)}
            for part in body_parts(report)
        ],
        "leader_notes": list(report.leader_notes),
        "previous": report.previous or NO_PREVIOUS,
        "has_previous": bool(report.previous),
        "period": period,
        "as_of": as_of_label(report.as_of),
        "time_share": percent_label(report.time_share, 0),
        "total": report.total,
        "statuses": [
            {"key": s, "label": FINDING_STATUS_LABELS[s], "count": report.counts.get(s, 0)}
            for s in STATUSES
        ],
        "matrices": [m for m in matrices if m["rows"]],
        "finding_sections": [
            {
                "heading": "一、逾期未完成",
                "rows": [_finding(f, report) for f in report.overdue],
                "empty": "本月无逾期未完成的任务。",
            },
            {
                "heading": "二、进度滞后（严重滞后、进度滞后）",
                "rows": [_finding(f, report) for f in report.behind],
                "empty": "本月没有落后于序时进度的任务。",
            },
        ],
        "not_reported": [
            {**asdict(n), "status": SITUATION_STATUS[n.situation]} for n in report.not_reported
        ],
        "late": [asdict(n) for n in report.late],
        "data_problems": [
            {**asdict(d), "ids": d.metric_id or d.task_id} for d in report.data_problems
        ],
        "notes": [{**asdict(d), "ids": d.metric_id or d.task_id} for d in report.notes],
        "ranking": [{**asdict(r), "change": _change(r.change)} for r in report.ranking if r.tasks],
    }
    return _environment().get_template("exceptions.html.j2").render(context)


def write_exceptions_html(target: Path, report: ExceptionReport) -> Path:
    write_text(target, render_exceptions_html(report))
    return target


def _matrix(m: MatrixRow, total_row: bool = False) -> dict[str, Any]:
    return {
        "name": m.name,
        "total_row": total_row,
        "total": m.total,
        "cells": [
            {"key": s, "count": m.counts.get(s, 0), "alert": s not in GOOD} for s in STATUSES
        ],
    }


def _change(change: int | None) -> str:
    if change is None:
        return "—"
    return f"+{change}" if change > 0 else str(change)


def _finding(f: Finding, report: ExceptionReport) -> dict[str, Any]:
    uom = f.unit_of_measure
    trend = report.trend(f)
    metric = f.track == "metric"
    return {
        "previous": trend.previous_label or ("—" if report.previous else NO_PREVIOUS),
        "previous_status": trend.previous or "",
        "streak": f"{trend.streak}个月" if trend.streak >= 2 else "",
        "status": f.status,
        "status_label": f.status_label,
        "ids": f.metric_id or f.task_id,
        "name": short_label(f),
        # The figures say why a line is behind; the reasons only where there are none (受阻).
        # (and for a standard without a number, whose reasons name its nodes or 进展情况).
        "reasons": "；".join(f.reasons) if f.ratio is None or not metric else "",
        "unit": f.unit,
        "leaders": report.leader(f),
        "target": number_label(f.target, uom),
        "actual": reviewed_label(f.actual, f.reported, uom, corrected=f.review is not None),
        "reviewed": f.review is not None,
        # A standard without a number is judged by its nodes or its 进展情况, not a ratio.
        "expected": amount_label(f.expected, uom, f.counted) if metric else "",
        "ratio": percent_label(f.ratio) if metric else "",
        "gap": gap_label(f.gap, uom, f.counted) if metric else "",
        "monthly": monthly_label(f.required_monthly, uom, f.counted) if metric else "",
        "projection": amount_label(f.projection, uom, f.counted) if metric else "",
        "deadline": day_label(f.deadline),
        "due_soon": DUE_SOON_MARK if f.due_soon else "",
        "issues": f.issues,
        "source": file_cell_label(f.source),
    }
