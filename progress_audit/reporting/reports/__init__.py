"""The month's reports beside findings.json (报表).

    overdue.xlsx              逾期任务, by 分管领导 and 牵头单位
    at-risk.xlsx              预警任务, worst first
    exceptions.xlsx / .html / .docx   督办通报 to the government office (the .docx as issued),
                              compared with the earlier months' findings.json beside it
    feedback/<unit>.xlsx      each submitting unit's feedback, cell by cell

Each file is written atomically and depends only on its inputs and `as_of`. Text that came
from a unit stays text: `xlsx_style.put` in the workbooks, jinja2 autoescape in the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from progress_audit.config import DocumentSettings
from progress_audit.model.period import OFFICE_CALENDAR, Calendar, Period
from progress_audit.model.problems import Problem
from progress_audit.model.records import Finding, Submission
from progress_audit.model.reports import (
    AT_RISK,
    EXCEPTIONS_DOCX,
    EXCEPTIONS_HTML,
    EXCEPTIONS_XLSX,
    OVERDUE,
)
from progress_audit.reporting.history import read_finding_history
from progress_audit.reporting.reports.at_risk import write_at_risk
from progress_audit.reporting.reports.exceptions import build_exception_report
from progress_audit.reporting.reports.exceptions_docx import letterhead, write_exceptions_docx
from progress_audit.reporting.reports.exceptions_html import write_exceptions_html
from progress_audit.reporting.reports.exceptions_xlsx import write_exceptions_xlsx
from progress_audit.reporting.reports.feedback import feedback_jobs
from progress_audit.reporting.reports.overdue import write_overdue
from progress_audit.reporting.reports.unchanged import render_all

if TYPE_CHECKING:
    from progress_audit.reporting.reports.unchanged import RenderLog


def write_reports(
    out_dir: Path,
    period: Period,
    as_of: datetime,
    findings: Sequence[Finding],
    submissions: Sequence[Submission],
    problems: Sequence[Problem] = (),
    *,
    log: RenderLog | None = None,
    document: DocumentSettings | None = None,
    escalate_after: int = 2,
    calendar: Calendar = OFFICE_CALENDAR,
) -> list[Path]:
    """Write the month's reports into `out_dir` (`DIR/reports/<period>/`); returns their paths.
    `document`: what the Word 通报 carries as an official document (发文字号, 主送, 抄送 …).
    Lines 严重滞后 `escalate_after` months running are named in the 通报 for 约谈.

    With `log`, a report whose inputs are those it was last rendered from is left as it is.
    `calendar` words the next deadline (整改时限); the pipeline passes the office's own.
    """
    out_dir = Path(out_dir)
    # The earlier months of the year, from their findings.json beside this month's folder.
    history = read_finding_history(out_dir.parent, period)
    report = build_exception_report(
        period,
        as_of,
        findings,
        submissions,
        problems,
        history,
        next_due=calendar.due(period.next()),
        escalate_after=escalate_after,
    )
    document_head = letterhead(document or DocumentSettings(), period)
    # Every file depends on its own inputs only: all written together, in parallel.
    return render_all(
        [
            (write_overdue, out_dir / OVERDUE.name, (period, as_of, findings)),
            (write_at_risk, out_dir / AT_RISK.name, (period, as_of, findings)),
            (write_exceptions_xlsx, out_dir / EXCEPTIONS_XLSX.name, (report,)),
            (write_exceptions_html, out_dir / EXCEPTIONS_HTML.name, (report,)),
            (write_exceptions_docx, out_dir / EXCEPTIONS_DOCX.name, (report, document_head)),
            *feedback_jobs(out_dir / "feedback", period, as_of, findings, submissions, problems),
        ],
        log,
    )
