"""How the reports name things (报表用语): headings, sources, cells, indicators, leaders, the
catalogue's order. Numbers, days and moments are worded by `model.wording`.

Shared by the workbooks and the HTML report so both speak the same words.
"""

from __future__ import annotations

import re
from datetime import datetime

from progress_audit.model.period import Period
from progress_audit.model.problems import CellRef, Problem
from progress_audit.model.records import Finding
from progress_audit.model.wording import (
    DIMENSION_LABELS,
    as_of_label,
    clipped,
    moment_label,
    percent_label,
)

UNIT_PLACEHOLDER = "（未识别单位）"


def heading_label(period: Period, as_of: datetime) -> str:
    """The line under every report's title: month, moment, and the share of the year gone."""
    return (
        f"统计月份：{period.label}　统计截至：{as_of_label(as_of)}　"
        f"全年时间进度 {percent_label(period.elapsed_share, 0)}"
    )


def received_label(received: datetime, as_of: datetime) -> str:
    """A received time in the audit's time zone, to the minute."""
    local = received.astimezone(as_of.tzinfo) if as_of.tzinfo and received.tzinfo else received
    return moment_label(local)


def source_label(ref: CellRef | None) -> str:
    """Where a figure came from: file!sheet!cell (as much of it as is known)."""
    if ref is None:
        return ""
    return "!".join(part for part in (ref.file, ref.sheet, ref.cell) if part)


def file_cell_label(ref: CellRef | None) -> str:
    """Where a figure came from, as a clerk cites it: the file's own name and the cell
    (`2019-06_人社局_进度填报表.xlsx F7`), without the folders it was dropped in."""
    if ref is None:
        return ""
    name = re.split(r"[\\/]", ref.file)[-1] if ref.file else ""
    return " ".join(part for part in (name, ref.cell or ref.sheet or "") if part)


def cell_label(ref: CellRef | None) -> str:
    """`进度填报!F7`, or the sheet alone; empty when only the file is known."""
    return ref.where if ref and ref.sheet else ""


def leaders_label(finding: Finding) -> str:
    return "、".join(finding.leaders)


def indicator_label(finding: Finding) -> str:
    """The metric's name, or the task's text when it has no metric."""
    return finding.name or (f"任务 {finding.task_id}" if finding.metric_id is None else "")


SHORT_NAME_CHARS = 24


def short_label(finding: Finding, limit: int = SHORT_NAME_CHARS) -> str:
    """What a list calls a task line: the metric's name, or the standard's first clause (up to
    the first ，；。), at most `limit` characters (then …)."""
    text = indicator_label(finding).strip()
    first = re.split(r"[，；。,;]", text, maxsplit=1)[0].strip() or text
    return clipped(first, limit)


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
