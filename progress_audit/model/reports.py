"""The month's reports, listed once (报表清单): each file's name, its Chinese title, what it is,
and where it goes (the board, the mail to the office, the dashboard's month links). The
pipeline, the mail, the board and the dashboard read this list; a new report is one entry here
and its writer in `reporting`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Report:
    """One report file (报表) of `DIR/reports/<period>/` (or of `DIR/reports/`)."""

    name: str
    """The file's name in the month's folder."""
    title: str
    """How the board lists it: 督办通报（网页）."""
    heading: str
    """The title an e-mailed copy is named by (`2019年6月督办通报.docx`)."""
    description: str
    """What it is, in a line (the mail's attachment list)."""
    mailed: bool = False
    """Sent to the office with the month's 通报."""
    on_dashboard: bool = False
    """Linked from the dashboard's row of its month."""
    monthly: bool = True
    """Written into the month's folder (False: one file across months)."""


EXCEPTIONS_HTML = Report(
    "exceptions.html",
    "督办通报（网页）",
    "督办通报",
    "督办通报（网页版，离线可看）",
    mailed=True,
    on_dashboard=True,
)
EXCEPTIONS_XLSX = Report(
    "exceptions.xlsx",
    "督办通报（Excel）",
    "督办通报",
    "督办通报（Excel，可打印）",
    mailed=True,
    on_dashboard=True,
)
EXCEPTIONS_DOCX = Report(
    "exceptions.docx",
    "督办通报（Word）",
    "督办通报",
    "督办通报（Word 公文，附件为各清单）",
    mailed=True,
    on_dashboard=True,
)
AT_RISK = Report(
    "at-risk.xlsx",
    "预警任务",
    "预警任务清单",
    "预警任务：进度滞后、严重滞后，按滞后程度排序",
    mailed=True,
)
OVERDUE = Report(
    "overdue.xlsx",
    "逾期任务",
    "逾期任务清单",
    "逾期任务：按分管领导和牵头单位分组",
    mailed=True,
)
QUALITY = Report(
    "quality.html",
    "数据质量报告",
    "数据质量报告",
    "各单位报送数据的完整性、及时性、有效性、一致性",
    on_dashboard=True,
)
FINDINGS = Report(
    "findings.json", "督查结果（JSON）", "督查结果", "督查结果（JSON，供其他程序读取）"
)
DASHBOARD = Report(
    "dashboard.html", "督查看板", "督查看板", "逐月趋势、各单位按时报送率", monthly=False
)

REPORTS: tuple[Report, ...] = (
    EXCEPTIONS_HTML,
    EXCEPTIONS_XLSX,
    EXCEPTIONS_DOCX,
    AT_RISK,
    OVERDUE,
    QUALITY,
    FINDINGS,
    DASHBOARD,
)
"""Every report, in the order the board lists them."""

BY_NAME: dict[str, Report] = {r.name: r for r in REPORTS}
