"""督办通报 as a workbook (exceptions.xlsx): a one-page 概况 sheet, then one sheet per section."""

from __future__ import annotations

from pathlib import Path

from openpyxl.styles import Font, PatternFill

from progress_audit.files.xlsx_style import (
    FONT_SIZE,
    STATUS_FILLS,
    Column,
    add_row,
    finish_table,
    list_sheet,
    new_workbook,
    save_workbook,
    start_table,
    status_style,
    title_rows,
)
from progress_audit.model.records import FINDING_STATUS_LABELS
from progress_audit.reporting.reports.columns import finding_columns, finding_rows
from progress_audit.reporting.reports.exceptions import (
    FINDING_HEADERS,
    GOOD,
    SITUATION_STATUS,
    STATUSES,
    ExceptionReport,
    MatrixRow,
)
from progress_audit.reporting.reports.labels import heading_label

NOT_REPORTED_COLUMNS = (
    Column("牵头单位", "text", 16, 8),
    Column("情况", "status", 12, 8),
    Column("涉及任务行数", "count", 8, 8),
    Column("任务编号", "text", 30, 10),
    Column("分管领导", "text", 14, 8),
    Column("文件", "text", 30, 10),
    Column("收到时间", "text", 18, 10),
    Column("说明", "text", 40, 14),
)
DATA_PROBLEM_COLUMNS = (
    Column("牵头单位", "text", 16, 8),
    Column("任务编号", "text", 9, 7),
    Column("指标编号", "text", 10, 7),
    Column("指标/工作标准", "text", 28, 12),
    Column("填写内容", "text", 20, 10),
    Column("问题", "text", 44, 14),
    Column("类别", "text", 8, 6),
    Column("文件", "text", 28, 10),
    Column("位置", "text", 14, 8),
)


def write_exceptions_xlsx(target: Path, report: ExceptionReport) -> Path:
    title = f"{report.period.label}重点任务督办通报"
    head = heading_label(report.period, report.as_of)
    wb = new_workbook()
    _summary(wb.create_sheet("概况"), report, title, head)
    columns = finding_columns(FINDING_HEADERS)
    list_sheet(
        wb,
        "逾期未完成",
        f"{title}　一、逾期未完成（按分管领导、牵头单位）",
        f"{head}　共 {len(report.overdue)} 项",
        columns,
        finding_rows(FINDING_HEADERS, report.overdue),
        "本月无逾期未完成的任务。",
    )
    list_sheet(
        wb,
        "进度滞后",
        f"{title}　二、进度滞后（严重滞后在前，按完成序时进度比例由低到高）",
        f"{head}　共 {len(report.behind)} 项",
        columns,
        finding_rows(FINDING_HEADERS, report.behind),
        "本月没有落后于序时进度的任务。",
    )
    list_sheet(
        wb,
        "未报送",
        f"{title}　三、未报送",
        f"{head}　共 {len(report.not_reported)} 条",
        NOT_REPORTED_COLUMNS,
        (
            (
                [n.unit, n.situation, n.lines, n.task_ids, n.leaders, n.file, n.received, n.note],
                SITUATION_STATUS[n.situation],
            )
            for n in report.not_reported
        ),
        "各单位均已按时报送。",
    )
    problems = f"{head}　共 {len(report.data_problems)} 处"
    list_sheet(
        wb,
        "数据异常",
        f"{title}　四、数据异常",
        problems,
        DATA_PROBLEM_COLUMNS,
        (
            (
                [
                    d.unit,
                    d.task_id,
                    d.metric_id,
                    d.name,
                    d.typed,
                    d.message,
                    d.dimension,
                    d.file,
                    d.where,
                ],
                None,
            )
            for d in report.data_problems
        ),
        "本月未发现数据异常。",
    )
    return save_workbook(wb, target, report.as_of, title)


def _summary(ws, report: ExceptionReport, title: str, head: str) -> None:
    """概况: one matrix, rows 全区 / each leader / each unit, columns the statuses."""
    columns = [
        Column("类别", "text", 10, 8),
        Column("名称", "text", 20, 10),
        *(Column(FINDING_STATUS_LABELS[s], "count", 10, 9) for s in STATUSES),
        Column("合计", "count", 8, 6),
        Column("需关注", "count", 8, 7),
    ]
    counts = "，".join(f"{FINDING_STATUS_LABELS[s]} {report.counts.get(s, 0)} 项" for s in STATUSES)
    row = title_rows(ws, f"{title}　概况", f"{head}　共 {report.total} 项：{counts}", len(columns))
    table = start_table(ws, columns, row)
    for i, s in enumerate(STATUSES, start=3):
        ws.cell(row=table.header_row, column=i).fill = PatternFill("solid", fgColor=STATUS_FILLS[s])
    rows = [MatrixRow("全区", "合计", report.counts), *report.leaders, *report.units]
    for m in rows:
        r = add_row(
            table,
            [m.kind, m.name, *(m.counts.get(s, 0) for s in STATUSES), m.total, m.attention],
            bold=m.kind == "全区",
        )
        for i, s in enumerate(STATUSES, start=3):
            if m.counts.get(s, 0) and s not in GOOD:
                status_style(ws.cell(row=r, column=i), s)
        if m.kind == "全区":
            for c in range(1, len(columns) + 1):
                ws.cell(row=r, column=c).font = Font(bold=True, size=FONT_SIZE)
    finish_table(table, f"{title}　概况")
    # The summary is one page: fit it whole, as the office prints it.
    ws.page_setup.fitToHeight = 1
