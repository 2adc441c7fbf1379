"""The reader (填报表识读): one unit's workbook → tidy rows, each value with its cell.

    file ──safety──▶ sheet (python-calamine) ──headers, title, rows──▶ WorkbookReading

Workbooks come back messy and are still read: the header anywhere in the first 15 rows, columns
in any order under common synonyms, extra columns ignored (`headers.py`), merged cells
(`sheet.py`), blank and subtotal rows (`rows.py`), figures typed as text (`figures.py`). What
cannot be read is a `Problem` with its cell (`进度填报!F7`), never a guess and never silently
dropped.

Values come from python-calamine (fast, cached formula results). openpyxl is opened only when
the sheet has formulas or error cells, or a percentage cell needs its number format: it tells
a formula without a cached result (calamine shows it as empty) from a truly empty cell.

What the reader does not judge: an empty input cell or a task line without a row is read as
such (value None, no row) and left to the completeness checks (checks/completeness.py), so
that each gap is reported once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from progress_audit.intake.reading.headers import (
    HEADER_SEARCH_ROWS,
    Header,
    find_header,
    report_duplicate_columns,
)
from progress_audit.intake.reading.nodes import read_node_progress
from progress_audit.intake.reading.rows import read_rows
from progress_audit.intake.reading.safety import Inspection, SafetyLimits, inspect_workbook
from progress_audit.intake.reading.sheet import CellDetails, Grid, SheetProblems, normalised
from progress_audit.intake.reading.title import path_unit_month, unit_and_month
from progress_audit.intake.reading.values import RowValues
from progress_audit.model.problems import CellRef, Problem
from progress_audit.model.records import NodeReport, ReportedRow
from progress_audit.standards.catalogue import Catalogue
from progress_audit.standards.responsibility import TaskLine

READER_VERSION = "2"
"""Bump when the form of a reading changes. (Readings are also keyed on the reading modules'
source, `READING_PACKAGES` in intake: any change to the code reads the workbooks again.)"""

PREFERRED_SHEET = "进度填报"


@dataclass(frozen=True)
class WorkbookReading:
    """What a workbook says: whose, which month, its rows, and everything wrong with it.

    `problems` holds file-level and row-level problems (row problems are also on each
    ReportedRow). `usable` False → the intake marks the submission `rejected`; an error problem
    says why. `unit`/`period` come from the title cells, else the file name and folders (also
    for a rejected file, when its name tells).
    """

    unit: str | None
    period: str | None
    rows: tuple[ReportedRow, ...]
    problems: tuple[Problem, ...]
    usable: bool
    sheet: str | None = None
    """The sheet the rows were read from."""
    nodes: tuple[NodeReport, ...] = ()
    """The 节点进展 sheet's rows, when the workbook has one."""


def read_workbook(
    path: Path,
    display_name: str,
    catalogue: Catalogue,
    assignments: Mapping[str, tuple[TaskLine, ...]],
    *,
    limits: SafetyLimits | None = None,
) -> WorkbookReading:
    """Read the workbook at `path` (the archived copy); never raises for bad input.

    `display_name` is the file relative to the inbox: it names the file in every CellRef and
    is the fallback for unit and month. `limits` defaults to the settings.
    """
    limits = limits or SafetyLimits.from_settings()
    inspection = inspect_workbook(path, display_name, limits)
    if not inspection.usable:
        unit, period = path_unit_month(display_name, assignments, catalogue.year)
        return WorkbookReading(unit, period, (), inspection.problems, False)
    try:
        return _read(path, display_name, catalogue, assignments, inspection)
    except Exception as e:  # the workbook passed the sniff but its insides are broken
        unit, period = path_unit_month(display_name, assignments, catalogue.year)
        problem = Problem(
            "corrupt_workbook",
            f"工作簿内容已损坏，无法读取（{type(e).__name__}）：请用 Excel 或 WPS 打开后另存为 "
            ".xlsx 再报送",
            ref=CellRef(display_name),
        )
        return WorkbookReading(unit, period, (), (*inspection.problems, problem), False)


def _read(
    path: Path,
    display_name: str,
    catalogue: Catalogue,
    assignments: Mapping[str, tuple[TaskLine, ...]],
    inspection: Inspection,
) -> WorkbookReading:
    """The sheet with a header, whose and which month it is, then its rows."""
    where = SheetProblems(display_name, list(inspection.problems))

    def unusable(unit: str | None = None, period: str | None = None) -> WorkbookReading:
        if unit is None and period is None:
            unit, period = path_unit_month(display_name, assignments, catalogue.year)
        return WorkbookReading(unit, period, (), tuple(where.problems), False, where.sheet or None)

    # One opening of the workbook for the sheet's rows and its 节点进展 sheet.
    with CalamineWorkbook.from_path(str(path)) as wb:
        chosen = _choose_sheet(wb)
        if chosen is None:
            where.add(
                "no_header",
                f"在各工作表前 {HEADER_SEARCH_ROWS} 行中没有找到表头（应有“任务编号”“指标编号”"
                "“本年累计完成”“完成状态”等列）：请使用下发的进度填报表模板填写，不要删除表头行",
            )
            return unusable()
        where.sheet, grid, header = chosen
        unit, period = unit_and_month(grid, header.row, tuple(assignments), catalogue.year, where)
        if unit is None or period is None:
            return unusable(unit, str(period) if period else None)
        where.unit = unit
        # File-level problems found before the unit was known are the unit's too.
        where.problems = [replace(p, unit=p.unit or unit) for p in where.problems]
        report_duplicate_columns(header, where)
        details = CellDetails(path, where.sheet)
        values = RowValues(where, header, details, inspection, catalogue.year)
        lines = assignments.get(unit, ())
        rows = read_rows(grid, values, lines, catalogue, unit, str(period))
        if not rows:
            where.add(
                "no_rows",
                f"表中没有找到{unit}的任务行（按任务编号、指标编号对应）：请使用下发给本单位的"
                "进度填报表模板填写，不要修改编号",
            )
            return WorkbookReading(unit, str(period), (), tuple(where.problems), False, where.sheet)
        nodes = read_node_progress(wb, display_name, unit, str(period), catalogue.year, where)
        return WorkbookReading(
            unit, str(period), rows, tuple(where.problems), True, where.sheet, nodes
        )


def _choose_sheet(wb: CalamineWorkbook) -> tuple[str, Grid, Header] | None:
    """`进度填报` if it has a header, else the first visible sheet that does, then hidden."""
    metas = {m.name: m for m in wb.sheets_metadata}

    def order(name: str) -> tuple[int, int]:
        meta = metas.get(name)
        hidden = meta is not None and meta.visible != SheetVisibleEnum.Visible
        preferred = normalised(name) == PREFERRED_SHEET
        return (0 if preferred else 2 if hidden else 1, wb.sheet_names.index(name))

    for name in sorted(wb.sheet_names, key=order):
        meta = metas.get(name)
        if meta is not None and meta.typ != SheetTypeEnum.WorkSheet:
            continue
        try:
            sheet = wb.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
            merged = sheet.merged_cell_ranges or []
        except Exception:  # a chart sheet or a part calamine cannot read: try the next
            continue
        grid = Grid(rows, merged)
        header_rows = [
            grid.filled_row(r, vertical_only=True)
            for r in range(min(HEADER_SEARCH_ROWS, grid.height))
        ]
        header = find_header(header_rows)
        if header:
            return name, grid, header
    return None
