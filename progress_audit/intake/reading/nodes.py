"""The month's 节点进展 sheet: each node of the unit's approved plan, reported done or not.

Header row (within the first 15 rows) `任务编号 | 节点序号 | 节点内容 | 计划完成月份 | 完成情况 |
实际完成时间 | 说明`; columns found by their headers. 完成情况 is 已完成 or 未完成 (完成, 是 and 否
are read too); 实际完成时间 a month or a date. A value that cannot be read is a problem by its
cell, like every other figure; whether the node is in the approved plan is the assessment's
question (the reader does not know the plan).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from progress_audit.intake.reading.sheet import Grid, SheetProblems, cell_text, coordinate
from progress_audit.model.period import Period, PeriodError
from progress_audit.model.plans import NODE_HEADERS, NODE_SHEET, plan_month
from progress_audit.model.problems import CellRef, Problem
from progress_audit.model.records import NodeReport

DONE_WORDS = {"已完成": True, "完成": True, "是": True, "未完成": False, "否": False}
HEADER_SEARCH_ROWS = 15
_DAY = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月]\d{1,2}")


def read_node_progress(
    wb: Any, file: str, unit: str, period: str, year: int, where: SheetProblems
) -> tuple[NodeReport, ...]:
    """The 节点进展 rows of an open calamine workbook (none when it has no such sheet);
    problems are added to `where`, named by their cell on this sheet."""
    if NODE_SHEET not in wb.sheet_names:
        return ()
    sheet = wb.get_sheet_by_name(NODE_SHEET)
    grid = Grid(sheet.to_python(skip_empty_area=False), sheet.merged_cell_ranges or [])
    header_row, cols = None, {}
    for r in range(min(HEADER_SEARCH_ROWS, grid.height)):
        names = [cell_text(v) for v in grid.filled_row(r, vertical_only=True)]
        if "任务编号" in names and "节点序号" in names and "完成情况" in names:
            header_row, cols = r, {h: names.index(h) for h in NODE_HEADERS if h in names}
            break
    if header_row is None:
        return ()
    nodes: list[NodeReport] = []

    def ref(r: int, h: str) -> CellRef:
        return CellRef(file, NODE_SHEET, coordinate((r, cols[h])))

    for r in range(header_row + 1, grid.height):

        def get(h: str, r: int = r) -> Any:
            return grid.value(r, cols[h])[0] if h in cols else ""

        task = cell_text(get("任务编号"))
        number = cell_text(get("节点序号"))
        if not task and not number:
            continue
        try:
            node = int(float(number))
        except ValueError:
            where.problems.append(
                _problem(
                    "progress_bad_done",
                    f"节点序号应为整数，实为“{number}”",
                    ref(r, "节点序号"),
                    unit,
                    task,
                )
            )
            continue
        said = cell_text(get("完成情况")).replace(" ", "")
        done = DONE_WORDS.get(said) if said else None
        if said and done is None:
            where.problems.append(
                _problem(
                    "progress_bad_done",
                    f"完成情况应为“已完成”或“未完成”，实为“{said}”",
                    ref(r, "完成情况"),
                    unit,
                    task,
                )
            )
        done_at = None
        raw = get("实际完成时间")
        if cell_text(raw):
            try:
                done_at = str(_month_of(raw, year))
            except PeriodError:
                where.problems.append(
                    _problem(
                        "progress_bad_date",
                        f"实际完成时间应为月份或日期（如 {year}-05），实为“{cell_text(raw)}”",
                        ref(r, "实际完成时间"),
                        unit,
                        task,
                    )
                )
        nodes.append(
            NodeReport(
                unit, period, task, node, done, done_at, cell_text(get("说明")), ref(r, "完成情况")
            )
        )
    return tuple(nodes)


def _month_of(raw: Any, year: int) -> Period:
    """实际完成时间 as a month: a date cell, `2019-05-20`, `2019年5月`, `5月`."""
    if isinstance(raw, date | datetime):
        return Period(raw.year, raw.month)
    day = _DAY.match(cell_text(raw))
    if day:
        return Period(int(day.group(1)), int(day.group(2)))
    return plan_month(raw, year)


def _problem(code: str, message: str, ref: CellRef, unit: str, task: str) -> Problem:
    return Problem(code, message, "error", ref, unit=unit, task_id=task or None)
