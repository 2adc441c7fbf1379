"""督办通报 as a workbook (exceptions.xlsx): the 通报 itself (the clerk's paragraphs), a one-page
概况 sheet, one sheet per section, then the unit ranking."""

from __future__ import annotations

from pathlib import Path

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from progress_audit.files.xlsx_style import (
    FONT_SIZE,
    LINE_HEIGHT,
    STATUS_FILLS,
    Column,
    Table,
    add_row,
    finish_table,
    lines_needed,
    merge_row,
    new_workbook,
    note_row,
    print_setup,
    put,
    save_workbook,
    start_table,
    status_style,
    title_rows,
)
from progress_audit.model.records import FINDING_STATUS_LABELS
from progress_audit.model.wording import as_of_label
from progress_audit.reporting.reports.columns import finding_columns, finding_row
from progress_audit.reporting.reports.exceptions import (
    FINDING_HEADERS,
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
from progress_audit.reporting.reports.labels import file_cell_label, heading_label, short_label

TREND_COLUMNS = (Column("上月状态", "text", 12, 8), Column("连续滞后", "text", 10, 8))
RANKING_COLUMNS = (
    Column("名次", "count", 6, 5),
    Column("牵头单位", "text", 16, 8),
    Column("分管领导", "text", 10, 8),
    Column("任务数", "count", 8, 6),
    Column("滞后（含逾期）", "count", 9, 8),
    Column("其中连续2个月以上", "count", 10, 8),
    Column("较上月", "text", 8, 6),
    Column("本月报送", "text", 9, 7),
    Column("本年按时报送（月）", "text", 10, 8),
    Column("数据异常", "count", 8, 6),
)
# In the 通报's lists a task line is named short and its source by file and cell.
_SHORT = {"指标/工作标准": short_label, "来源": lambda f: file_cell_label(f.source)}

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
    _letter(wb.create_sheet("通报"), report)
    _summary(wb.create_sheet("概况"), report, title, head)
    columns = [*finding_columns(FINDING_HEADERS), *TREND_COLUMNS]
    _sheet(
        wb,
        "逾期未完成",
        f"{title}　一、逾期未完成（按分管领导、牵头单位）",
        f"{head}　共 {len(report.overdue)} 项",
        columns,
        [_finding_row(report, f) for f in report.overdue],
        "本月无逾期未完成的任务。",
    )
    _sheet(
        wb,
        "进度滞后",
        f"{title}　二、进度滞后（严重滞后在前，按完成序时进度比例由低到高）",
        f"{head}　共 {len(report.behind)} 项",
        columns,
        [_finding_row(report, f) for f in report.behind],
        "本月没有落后于序时进度的任务。",
    )
    lines = sum(n.lines for n in report.not_reported)
    late = "、".join(f"{n.unit}（{n.received}收到）" for n in report.late)
    _sheet(
        wb,
        "未报送",
        f"{title}　三、未报送",
        f"{head}　共 {lines} 项（{len(report.not_reported)} 个单位）",
        NOT_REPORTED_COLUMNS,
        [
            (
                [n.unit, n.situation, n.lines, n.task_ids, n.leaders, n.file, n.received, n.note],
                SITUATION_STATUS[n.situation],
            )
            for n in report.not_reported
        ],
        "各单位均已报送。",
        notes=[f"另：以下单位逾期报送，数据已采用（不计入未报送）：{late}。"] if late else [],
    )

    def problem_row(d):
        return [
            d.unit,
            d.task_id,
            d.metric_id,
            d.name,
            d.typed,
            d.message,
            d.dimension,
            d.file,
            d.where,
        ]

    table = _sheet(
        wb,
        "数据异常",
        f"{title}　四、数据异常",
        f"{head}　共 {len(report.data_problems)} 项",
        DATA_PROBLEM_COLUMNS,
        [(problem_row(d), "invalid") for d in report.data_problems],
        "本月未发现数据异常。",
        finish=False,
    )
    if report.notes:
        note_row(table, f"数据质量提示（不影响任务状态，{len(report.notes)} 条）：")
        for d in report.notes:
            add_row(table, problem_row(d))
    _finish(table, f"{title}　四、数据异常", [])
    _sheet(
        wb,
        "单位排名",
        f"{title}　五、单位排名（按滞后项数、连续滞后、报送、数据异常）",
        f"{head}　上月对比：{report.previous or NO_PREVIOUS}",
        RANKING_COLUMNS,
        [
            (
                [
                    r.rank,
                    r.unit,
                    r.leader,
                    r.tasks,
                    r.behind,
                    r.long_behind,
                    "—"
                    if r.change is None
                    else (f"+{r.change}" if r.change > 0 else str(r.change)),
                    r.reporting,
                    r.on_time_months,
                    r.problems,
                ],
                None,
            )
            for r in report.ranking
            if r.tasks
        ],
        "",
    )
    return save_workbook(wb, target, report.as_of, title)


def _finding_row(report: ExceptionReport, f) -> tuple[list, str]:
    values, _ = finding_row(FINDING_HEADERS, f, {**_SHORT, "分管领导": report.leader})
    trend = report.trend(f)
    previous = trend.previous_label or ("—" if report.previous else NO_PREVIOUS)
    return [*values, previous, trend.streak_label], f.status


def _sheet(wb, name, title, subtitle, columns, rows, empty, *, notes=(), finish=True) -> Table:
    ws = wb.create_sheet(name)
    table = start_table(ws, columns, title_rows(ws, title, subtitle, len(columns)))
    for values, status in rows:
        add_row(table, values, status=status)
    if table.next_row == table.header_row + 1 and empty:
        note_row(table, empty)
    if finish:
        _finish(table, title, notes)
    return table


def _finish(table: Table, title: str, notes) -> None:
    """Finish the table, then the notes under it, wrapped over the table's width."""
    rows = [note_row(table, text) for text in notes]
    finish_table(table, title)
    width = sum(
        table.ws.column_dimensions[get_column_letter(c)].width or 8
        for c in range(1, table.last_col + 1)
    )
    for r in rows:
        cell = table.ws.cell(row=r, column=1)
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        table.ws.row_dimensions[r].height = LINE_HEIGHT * lines_needed(cell.value, width) + 5


def _letter(ws, report: ExceptionReport) -> None:
    """通报: the title, the issuing office and date, and the body part by part (总体情况,
    节点任务和常态工作, 需协调解决的问题, 督办要求), on one page."""
    ncols, width = 8, 13
    for c in range(1, ncols + 1):
        ws.column_dimensions[get_column_letter(c)].width = width
    texts = [
        (report_title(report), Font(bold=True, size=16), "center"),
        (f"{ISSUER}　{as_of_label(report.as_of)}", Font(size=FONT_SIZE + 1), "center"),
        *(
            item
            for part in body_parts(report)
            for item in (
                (part.heading, Font(bold=True, size=FONT_SIZE + 1), "left"),
                *((p, Font(size=FONT_SIZE + 1), "justify") for p in part.paragraphs),
            )
        ),
        *((f"注：{n}", Font(size=FONT_SIZE, color="404040"), "left") for n in report.leader_notes),
        ("详见“概况”及各分表。", Font(size=FONT_SIZE, color="404040"), "left"),
    ]
    for r, (text, font, horizontal) in enumerate(texts, start=1):
        body = horizontal == "justify"
        cell = put(ws, r, 1, ("　　" + text) if body else text)
        cell.font = font
        cell.alignment = Alignment(horizontal=horizontal, vertical="top", wrap_text=True)
        merge_row(ws, r, ncols)
        scale = 1.6 if r == 1 else 1.15
        lines = lines_needed(cell.value, ncols * width * (0.85 if r == 1 else 1.0))
        ws.row_dimensions[r].height = LINE_HEIGHT * scale * lines + 6
    print_setup(ws, report_title(report))
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToHeight = 1


def _summary(ws, report: ExceptionReport, title: str, head: str) -> None:
    """概况: one matrix, rows 全区 / each leader / each unit, columns the statuses."""
    columns = [
        Column("类别", "text", 10, 8),
        Column("名称", "text", 20, 10),
        *(Column(FINDING_STATUS_LABELS[s], "count", 10, 9) for s in STATUSES),
        Column("合计", "count", 8, 6),
        Column("需关注", "count", 8, 7),
    ]
    # The counts are the 全区 row below; the line under the title stays short enough to show.
    row = title_rows(ws, f"{title}　概况", f"{head}　共 {report.total} 项", len(columns))
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
    _finish(table, f"{title}　概况", [f"注：{n}" for n in report.leader_notes])
    # The summary is one page: fit it whole, as the office prints it.
    ws.page_setup.fitToHeight = 1
