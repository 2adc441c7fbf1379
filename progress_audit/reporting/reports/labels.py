"""How the reports say things in Chinese (报表用语): dates, moments, numbers, sources, dimensions.

Shared by the workbooks and the HTML report so both speak the same words.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from progress_audit.model.period import Period, day_label
from progress_audit.model.problems import CellRef, Problem
from progress_audit.model.records import Finding

DIMENSION_LABELS: dict[str, str] = {
    "completeness": "完整性",
    "timeliness": "及时性",
    "validity": "有效性",
    "consistency": "一致性",
}
SEVERITY_LABELS: dict[str, str] = {"error": "错误", "warning": "提示"}
# What a unit does about a problem, by severity (the problem's own message says what is wrong).
ADVICE: dict[str, str] = {
    "error": "请按说明更正后重新报送本月填报表",
    "warning": "请核实；如填写无误可不修改",
}
UNIT_PLACEHOLDER = "（未识别单位）"


def date_label(day: date | None) -> str:
    """2019年12月31日."""
    if day is None:
        return ""
    return day_label(day)


def moment_label(moment: datetime) -> str:
    """A moment as the office writes it: 2019年7月6日 (midnight is the end of the day before),
    or 2019年7月8日 12:00 when it falls within a day."""
    if moment.time() == time(0, 0):
        return date_label((moment - timedelta(days=1)).date())
    return f"{date_label(moment.date())} {moment:%H:%M}"


def heading_label(period: Period, as_of: datetime) -> str:
    """The line under every report's title: month, moment, and the share of the year gone."""
    return (
        f"统计月份：{period.label}　统计截至：{moment_label(as_of)}　"
        f"全年时间进度 {period.elapsed_share:.0%}"
    )


def received_label(received: datetime, as_of: datetime) -> str:
    """A received time in the audit's time zone, to the minute."""
    local = received.astimezone(as_of.tzinfo) if as_of.tzinfo and received.tzinfo else received
    return f"{date_label(local.date())} {local:%H:%M}"


def number_label(value: float | None, unit: str = "") -> str:
    """9,000 or 12.5 (at most two decimals, no trailing zeros), with the unit of measure."""
    if value is None:
        return ""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{text}{unit}" if unit else text


def percent_label(share: float | None) -> str:
    """0.784 → 78.4%."""
    return "" if share is None else f"{share * 100:.1f}%"


def points_label(points: float | None) -> str:
    return "" if points is None else f"{points:.1f}"


def behind_points(finding: Finding) -> float | None:
    """落后序时进度（百分点）: how far behind, positive when behind. A finding's `gap_points`
    is progress minus 序时进度, negative when behind."""
    return None if finding.gap_points is None else round(0.0 - finding.gap_points, 6)


def source_label(ref: CellRef | None) -> str:
    """Where a figure came from: file!sheet!cell (as much of it as is known)."""
    if ref is None:
        return ""
    return "!".join(part for part in (ref.file, ref.sheet, ref.cell) if part)


def cell_label(ref: CellRef | None) -> str:
    """`进度填报!F7`, or the sheet alone; empty when only the file is known."""
    return ref.where if ref and ref.sheet else ""


def leaders_label(finding: Finding) -> str:
    return "、".join(finding.leaders)


def indicator_label(finding: Finding) -> str:
    """The metric's name, or the task's text when it has no metric."""
    return finding.name or (f"任务 {finding.task_id}" if finding.metric_id is None else "")


def dimension_label(problem: Problem) -> str:
    return DIMENSION_LABELS.get(problem.dimension, problem.dimension)


def natural_key(identifier: str | None) -> tuple[tuple[int, int, str], ...]:
    """`16.1.2` after `6.10.1` after `6.2.1`: compare the numbers as numbers."""
    if not identifier:
        return ()
    return tuple(
        (0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[.\s]+", identifier) if p
    )


def task_key(finding: Finding) -> tuple[object, ...]:
    """Catalogue order of a finding's task line."""
    return (natural_key(finding.task_id), natural_key(finding.metric_id), finding.unit)
