"""What a run says when it ends (运行小结): the closing summary in Chinese for the terminal, the
Prefect markdown artifacts (the audit's, with links to its reports, and the reminder's).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol

from progress_audit.assessment.assess import summarise
from progress_audit.assessment.tracks import BLOCKED_REASON
from progress_audit.model.period import Period
from progress_audit.model.records import (
    COUNTING_STATUSES,
    FINDING_STATUS_LABELS,
    Finding,
    Submission,
)
from progress_audit.model.wording import clipped


class AuditOf(Protocol):
    """What the summary needs of an audit: the month, the moment, who reports."""

    @property
    def period(self) -> Period: ...

    @property
    def as_of(self) -> datetime: ...

    @property
    def assignments(self) -> Mapping[str, object]: ...


class MonthOf(Protocol):
    """What the summary needs of the month's submissions: this month's."""

    @property
    def current(self) -> Sequence[Submission]: ...


def summary_lines(audit: AuditOf, findings: Sequence[Finding], month: MonthOf) -> list[str]:
    """The closing summary in Chinese: counts by status, submissions, units not reported."""
    counts = summarise(findings)
    by_status = "，".join(
        f"{FINDING_STATUS_LABELS[s]} {counts.get(s, 0)}" for s in FINDING_STATUS_LABELS
    )
    statuses = [s.status for s in month.current]
    missing = _not_reported(audit, month)
    lines = [
        f"{audit.period.label}督查（截至 {audit.as_of:%Y-%m-%d %H:%M}）：{len(findings)} 项，"
        f"{by_status}",
        f"报送：按时 {statuses.count('on_time')}，逾期 {statuses.count('late')}，"
        f"被替代 {statuses.count('superseded')}，无法使用 {statuses.count('rejected')}；"
        f"未报送单位 {len(missing)} 个"
        + (f"（{'、'.join(missing[:8])}{'等' if len(missing) > 8 else ''}）" if missing else ""),
    ]
    return lines


def summary_markdown(
    audit: AuditOf,
    findings: Sequence[Finding],
    month: MonthOf,
    links: Sequence[tuple[Path, str]] = (),
) -> str:
    """The Prefect artifact: counts by status, the worst items, units not reported, and the
    run's reports as links (`report_links`)."""
    counts = summarise(findings)
    rows = "\n".join(
        f"| {FINDING_STATUS_LABELS[s]} | {counts.get(s, 0)} |" for s in FINDING_STATUS_LABELS
    )
    order = {"overdue": 0, "off_track": 1, "at_risk": 2}
    worst = sorted(
        (f for f in findings if f.status in order),
        key=lambda f: (order[f.status], f.ratio if f.ratio is not None else 0),
    )[:10]
    worst_rows = "\n".join(
        f"| {f.metric_id or f.task_id} | {_md(f.name)[:30]} | {_md(f.unit)} | {f.status_label} |"
        f" {'' if f.ratio is None else f'{f.ratio:.0%}'} | {_why(f)} |"
        for f in worst
    )
    missing = _not_reported(audit, month)
    return (
        f"# {audit.period.label}重点任务督查\n\n截至 {audit.as_of:%Y-%m-%d %H:%M}\n\n"
        f"| 状态 | 数量 |\n|---|---|\n{rows}\n\n"
        "## 最需关注\n\n| 编号 | 指标/任务 | 牵头单位 | 状态 | 完成序时进度 | 主要原因 |\n"
        "|---|---|---|---|---|---|\n"
        f"{worst_rows or '| — | 无 | | | | |'}\n\n"
        f"## 未报送单位（{len(missing)}）\n\n{'、'.join(_md(u) for u in missing) or '无'}\n"
        + (
            "\n## 报告\n\n"
            + "".join(f"- [{_md(text)}]({path.resolve().as_uri()})\n" for path, text in links)
            if links
            else ""
        )
    )


def reminder_markdown(
    period: Period, due: datetime, as_of: datetime, units: Sequence[str], sent: str
) -> str:
    """The reminder's Prefect artifact (催报): the units that owe the workbook, what was sent."""
    return (
        f"# {period.label}催报\n\n截止时间 {due:%Y-%m-%d %H:%M}，截至 "
        f"{as_of:%Y-%m-%d %H:%M} 尚未报送 {len(units)} 个单位：\n\n"
        + ("\n".join(f"- {_md(u)}" for u in units) or "无")
        + f"\n\n{sent}\n"
    )


REASON_CHARS = 40
"""How much of a finding's reasons the artifact's table shows (the 通报 gives them whole)."""


def _why(finding: Finding) -> str:
    """The finding's reasons in a line, the unit's own 受阻 first where it decided the status: a
    严重滞后 whose nodes are on schedule must not read as a contradiction."""
    reasons = sorted(finding.reasons, key=lambda reason: reason != BLOCKED_REASON)
    return clipped(_md("；".join(reasons)), REASON_CHARS)


def _not_reported(audit: AuditOf, month: MonthOf) -> list[str]:
    submitted = {s.unit for s in month.current if s.status in COUNTING_STATUSES}
    return [u for u in audit.assignments if u not in submitted]


def _md(text: str) -> str:
    """Unit text inside a markdown table: no pipes, no markup."""
    return (
        text.replace("|", "｜")
        .replace("<", "＜")
        .replace(">", "＞")
        .replace("[", "［")
        .replace("]", "］")
        .replace("\n", " ")
    )


def report_links(files: Sequence[Path], out_dir: Path) -> list[tuple[Path, str]]:
    """What the run's artifact links to: each report, and the folder of the units' feedback
    workbooks once rather than 40 links."""
    links: list[tuple[Path, str]] = []
    folders: dict[Path, int] = {}
    for path in files:
        if path.parent != out_dir and path.parent.parent == out_dir:
            folders[path.parent] = folders.get(path.parent, 0) + 1
        else:
            links.append((path, path.name))
    links += [(folder, f"{folder.name}/（{n} 个文件）") for folder, n in folders.items()]
    return links
