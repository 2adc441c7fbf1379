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
    monthly_amount,
    number_label,
    percent_label,
    points_label,
)
from progress_audit.reporting.reports.columns import DUE_SOON_MARK
from progress_audit.reporting.reports.exceptions import (
    GOOD,
    SITUATION_STATUS,
    STATUSES,
    ExceptionReport,
    MatrixRow,
)
from progress_audit.reporting.reports.labels import (
    behind_points,
    indicator_label,
    leaders_label,
    source_label,
)

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
        "title": f"{period}重点任务督办通报",
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
                "rows": [_finding(f) for f in report.overdue],
                "empty": "本月无逾期未完成的任务。",
            },
            {
                "heading": "二、进度滞后（严重滞后、进度滞后）",
                "rows": [_finding(f) for f in report.behind],
                "empty": "本月没有落后于序时进度的任务。",
            },
        ],
        "not_reported": [
            {**asdict(n), "status": SITUATION_STATUS[n.situation]} for n in report.not_reported
        ],
        "data_problems": [
            {**asdict(d), "ids": d.metric_id or d.task_id} for d in report.data_problems
        ],
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


def _finding(f: Finding) -> dict[str, Any]:
    uom = f.unit_of_measure
    return {
        "status": f.status,
        "status_label": f.status_label,
        "ids": f.metric_id or f.task_id,
        "name": indicator_label(f),
        "reasons": "；".join(f.reasons),
        "unit": f.unit,
        "leaders": leaders_label(f),
        "target": number_label(f.target, uom),
        "actual": number_label(f.actual, uom),
        "expected": amount_label(f.expected, uom, f.counted),
        "ratio": percent_label(f.ratio),
        "gap": points_label(behind_points(f)),
        "monthly": amount_label(monthly_amount(f.required_monthly, f.counted), uom, f.counted),
        "deadline": day_label(f.deadline),
        "due_soon": DUE_SOON_MARK if f.due_soon else "",
        "issues": f.issues,
        "source": source_label(f.source),
    }
