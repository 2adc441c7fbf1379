"""The node-plan workbook (节点计划表): one per lead unit of any milestone standard (节点任务).

Sheet `节点计划`: a title row, `填报单位：…`, `计划年度：2019年`, a line of help, then the header
row `任务编号 | 工作标准 | 节点序号 | 节点内容 | 计划完成月份 | 完成标志` and, for each of the
unit's milestone standards, three rows prefilled with its id and text (nodes 1–3): the unit
fills in what each node is and by which month, and adds rows for more nodes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from progress_audit.files.xlsx_style import (
    BORDER,
    HEADER_FILL,
    font,
    lines_needed,
    merge_row,
    print_setup,
    put,
    save_workbook,
    unlock_rows,
    use_default_font,
)
from progress_audit.model.plans import PLAN_HEADERS, PLAN_SHEET
from progress_audit.model.wording import day_label
from progress_audit.standards.catalogue import Standard
from progress_audit.standards.responsibility import TaskLine

UNIT_LABEL = "填报单位："
YEAR_LABEL = "计划年度："
PLAN_TITLE_ROWS = 4
"""Title, unit, year, help: the header row is the next one."""
NODES_PER_STANDARD = 3
WIDTHS = (9, 46, 8, 36, 13, 24)
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\s]+')
PREFILLED_FILL = PatternFill("solid", fgColor="F2F2F2")


def milestone_standards(lines: tuple[TaskLine, ...]) -> tuple[Standard, ...]:
    """The unit's milestone standards (节点任务), in the table's order, each once."""
    seen: dict[str, Standard] = {}
    for line in lines:
        if line.standard.track == "milestones":
            seen.setdefault(line.standard.id, line.standard)
    return tuple(seen.values())


def plan_filename(unit: str, year: int) -> str:
    """`2019_交通局_节点计划表.xlsx`."""
    return f"{year}_{_UNSAFE_NAME.sub('_', unit)}_节点计划表.xlsx"


def build_plan_template(unit: str, year: int, standards: tuple[Standard, ...]) -> Workbook:
    """The node-plan workbook one unit fills in, prefilled with its milestone standards."""
    wb = Workbook()
    use_default_font(wb, 11)
    ws = wb.active
    ws.title = PLAN_SHEET
    last = len(PLAN_HEADERS)
    put(ws, 1, 1, f"{year}年重点任务节点计划表").font = font(16, bold=True)
    merge_row(ws, 1, last)
    put(ws, 2, 1, f"{UNIT_LABEL}{unit}").font = font(12, bold=True)
    merge_row(ws, 2, last)
    put(ws, 3, 1, f"{YEAR_LABEL}{year}年").font = font(12)
    merge_row(ws, 3, last)
    put(
        ws,
        4,
        1,
        "每个节点一行：写明节点内容、计划完成月份（如 "
        f"{year}-05 或 5月，不晚于完成期限）和完成标志；节点不够可插入行（任务编号照填）。"
        "经督查室审定后节点计划即固定，每月按节点考核；确需调整的，在节点月份结束前申请延期。",
    ).alignment = Alignment(wrap_text=True, vertical="center")
    merge_row(ws, 4, last)
    ws.row_dimensions[4].height = 44
    header = PLAN_TITLE_ROWS + 1
    for c, (text, width) in enumerate(zip(PLAN_HEADERS, WIDTHS, strict=True), start=1):
        cell = put(ws, header, c, text)
        cell.font = font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(c)].width = width
    r = header
    for standard in standards:
        text = f"{standard.standard}（完成期限：{day_label(standard.deadline)}）"
        for n in range(1, NODES_PER_STANDARD + 1):
            r += 1
            put(ws, r, 1, standard.id)
            put(ws, r, 2, text if n == 1 else "")
            put(ws, r, 3, n)
            for c in range(1, len(PLAN_HEADERS) + 1):
                cell = ws.cell(r, c)
                cell.border = BORDER
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                if c <= 2:
                    cell.fill = PREFILLED_FILL
                else:
                    cell.protection = Protection(locked=False)
            ws.cell(r, 5).number_format = "@"  # 2019-05 stays text, never a date
            ws.row_dimensions[r].height = (
                15 * max(1, lines_needed(text, WIDTHS[1])) + 3 if (n == 1) else 30
            )
    end = max(r, header + 1)
    dv = DataValidation(type="textLength", operator="lessThanOrEqual", formula1="20")
    dv.prompt, dv.promptTitle = f"如 {year}-05、{year}年5月 或 5月，不晚于完成期限", "计划完成月份"
    dv.showInputMessage = True
    dv.add(f"E{header + 1}:E{end + 200}")
    ws.add_data_validation(dv)
    unlock_rows(ws, end + 1, end + 200, len(PLAN_HEADERS))  # room for the rows a unit adds
    ws.freeze_panes = ws.cell(header + 1, 3)
    print_setup(ws, f"{unit}{year}年节点计划", f"{header}:{header}")
    return wb


def write_plan_templates(
    out_dir: Path, year: int, assignments: Mapping[str, tuple[TaskLine, ...]]
) -> list[Path]:
    """One node-plan workbook per unit that leads a milestone standard, same bytes each run."""
    moment = datetime.combine(date(year, 1, 1), time())
    paths = []
    for unit, lines in assignments.items():
        standards = milestone_standards(lines)
        if not standards:
            continue
        wb = build_plan_template(unit, year, standards)
        path = Path(out_dir) / plan_filename(unit, year)
        paths.append(save_workbook(wb, path, moment, f"{unit}{year}年节点计划表"))
    return paths
