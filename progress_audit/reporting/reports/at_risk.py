"""预警任务 (at-risk.xlsx): every task behind 序时进度, worst first: 严重滞后 before 进度滞后,
then the lowest ratio to 序时进度 and the biggest gap, with what each must now do per month.

The first sheet is for print: the columns a leader reads, A4 landscape at (nearly) full size,
long texts wrapped. The second holds every column, for the clerk who filters and sorts."""

from __future__ import annotations

from collections.abc import Sequence
from copy import copy
from datetime import datetime
from pathlib import Path

from progress_audit.files.xlsx_style import Table, list_sheet, new_workbook, save_workbook
from progress_audit.model.period import Period
from progress_audit.model.records import Finding
from progress_audit.reporting.reports.columns import (
    FINDING_IDENTITY,
    PROGRESS_HEADERS,
    finding_columns,
    finding_rows,
)
from progress_audit.reporting.reports.labels import heading_label, short_label
from progress_audit.reporting.reports.ordering import BEHIND, counted_leaders, worst_first

PRINT_HEADERS = (
    "状态",
    "编号",
    "指标/工作标准",
    "牵头单位",
    "分管领导",
    "目标值",
    "本年累计完成",
    "计量单位",
    "序时进度",
    "完成序时进度比例",
    "每月需完成",
    "节点/进展情况",
    "原因",
)
HEADERS = (
    *FINDING_IDENTITY,
    *PROGRESS_HEADERS,
    "预计全年",
    "完成期限",
    "临近期限",
    "节点/进展情况",
    "存在问题",
    "原因",
    "来源",
)


def write_at_risk(
    target: Path, period: Period, as_of: datetime, findings: Sequence[Finding]
) -> Path:
    """Write at-risk.xlsx: one row per 严重滞后 or 进度滞后 finding, worst first."""
    behind = worst_first(f for f in findings if f.status in BEHIND)
    leader = counted_leaders(findings)
    off = sum(f.status == "off_track" for f in behind)
    title = f"{period.label}预警任务清单"
    subtitle = (
        f"{heading_label(period, as_of)}　严重滞后 {off} 项、进度滞后 {len(behind) - off} 项"
        "（严重滞后在前，其次按完成序时进度比例由低到高）"
    )
    wb = new_workbook()
    empty = f"{period.label}没有落后于序时进度的任务。"
    list_sheet(
        wb,
        "预警任务",
        title,
        subtitle,
        finding_columns(PRINT_HEADERS),
        finding_rows(PRINT_HEADERS, behind, {"分管领导": leader, "指标/工作标准": short_label}),
        empty,
        fill_page=True,
    )
    full = list_sheet(
        wb,
        "完整信息",
        f"{title}（完整信息）",
        subtitle + "　本表列出全部栏目，供筛选、核对；打印请用“预警任务”表",
        finding_columns(HEADERS),
        finding_rows(HEADERS, behind, {"分管领导": leader}),
        empty,
    )
    # For the screen (filter, sort, read a cell whole); printed it takes a line a task, one
    # page wide, so that printing the workbook does not run to dozens of pages of it.
    one_line_rows(full)
    return save_workbook(wb, target, as_of, title)


def one_line_rows(table: Table) -> None:
    """The table's rows one line high, long texts not wrapped (the cell still holds all of it)."""
    ws = table.ws
    for r in range(table.header_row + 1, table.next_row):
        ws.row_dimensions[r].height = None
        for cell in ws[r]:
            if cell.alignment is not None and cell.alignment.wrap_text:
                alignment = copy(cell.alignment)
                alignment.wrap_text = False
                cell.alignment = alignment
