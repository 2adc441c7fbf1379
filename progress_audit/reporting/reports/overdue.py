"""逾期任务 (overdue.xlsx): every task whose deadline has passed with its target unmet, grouped by
分管领导 and then 牵头单位, so each leader reads their own block."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from progress_audit.files.xlsx_style import (
    add_row,
    finish_table,
    group_row,
    new_workbook,
    note_row,
    save_workbook,
    start_table,
    title_rows,
)
from progress_audit.model.period import Period
from progress_audit.model.records import Finding
from progress_audit.reporting.reports.columns import FINDING_IDENTITY, finding_columns, finding_row
from progress_audit.reporting.reports.labels import heading_label
from progress_audit.reporting.reports.ordering import by_leader_and_unit, counted_leaders

HEADERS = (
    *FINDING_IDENTITY,
    "完成期限",
    "差距（目标−完成）",
    "节点/进展情况",
    "存在问题",
    "原因",
    "来源",
)


def write_overdue(
    target: Path, period: Period, as_of: datetime, findings: Sequence[Finding]
) -> Path:
    """Write overdue.xlsx: group rows per leader and unit, one row per overdue finding."""
    overdue = [f for f in findings if f.status == "overdue"]
    title = f"{period.label}逾期任务清单"
    wb = new_workbook()
    ws = wb.create_sheet("逾期任务")
    header_row = title_rows(
        ws,
        title,
        f"{heading_label(period, as_of)}　逾期未完成 {len(overdue)} 项"
        "（完成期限已到、目标未完成），按分管领导、牵头单位分组",
        len(HEADERS),
    )
    table = start_table(ws, finding_columns(HEADERS), header_row)
    leader_of = counted_leaders(findings)
    groups = by_leader_and_unit(overdue, leader_of)
    for leader, units in groups:
        count = sum(len(fs) for _, fs in units)
        group_row(table, f"分管领导：{leader}（逾期 {count} 项）")
        for unit, unit_findings in units:
            group_row(table, f"牵头单位：{unit}（{len(unit_findings)} 项）", level=1)
            for f in unit_findings:
                add_row(table, *finding_row(HEADERS, f, {"分管领导": leader_of}))
    if not overdue:
        note_row(table, f"{period.label}无逾期未完成的任务。")
    finish_table(table, title)
    return save_workbook(wb, target, as_of, title)
