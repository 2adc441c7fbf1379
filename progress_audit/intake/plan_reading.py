"""Reading a node-plan workbook back (节点计划读取): every node, every problem by its cell.

The sheet `节点计划` (or the first sheet whose header row has the plan's headers, within the
first 15 rows), the unit from `填报单位：…` in the title rows. A row with neither 节点内容 nor
计划完成月份 is an unused prefilled row. Problems: a node without a month, a month that is not a
month or falls past the standard's deadline or outside the year, a node without content, a
task that is not one of the unit's milestone standards, a node number that is not a number or
repeats, and a milestone standard with no node at all. The workbook's bytes are checked by the
same safety inspection as every unit's file before any spreadsheet library opens them.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Mapping
from pathlib import Path

from openpyxl import load_workbook

from progress_audit.intake.reading.safety import SafetyLimits, inspect_workbook
from progress_audit.model.period import PeriodError
from progress_audit.model.plans import (
    PLAN_HEADERS,
    PLAN_SHEET,
    PlanNode,
    PlanReading,
    plan_month,
)
from progress_audit.model.problems import CellRef, Problem
from progress_audit.standards.catalogue import Standard

HEADER_SEARCH_ROWS = 15
_UNIT = re.compile(r"(?:填报|牵头|责任)单位[：:]\s*(.+)")
_YEAR = re.compile(r"计划年度[：:]\s*(\d{4})")


def is_plan_workbook(path: Path) -> bool:
    """Whether a workbook is a node plan (it has a `节点计划` sheet): how the portal and the
    inbox tell a plan from a monthly workbook."""
    try:
        with zipfile.ZipFile(path) as zf:
            workbook = zf.read("xl/workbook.xml")
    except (zipfile.BadZipFile, KeyError, OSError):
        return False
    return f'name="{PLAN_SHEET}"'.encode() in workbook


def plan_problem(
    code: str, message: str, file: str, cell: str | None, unit: str | None, task_id=None
) -> Problem:
    """A problem of a plan workbook, by cell of its 节点计划 sheet."""
    sheet = PLAN_SHEET if cell else None
    return Problem(code, message, "error", CellRef(file, sheet, cell), unit=unit, task_id=task_id)


def is_plan_bytes(content: bytes) -> bool:
    """`is_plan_workbook` for an upload's bytes (the portal tells a plan from a monthly
    workbook by its sheet before keeping it)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            workbook = zf.read("xl/workbook.xml")
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return False
    return f'name="{PLAN_SHEET}"'.encode() in workbook


def read_plan(
    path: Path,
    display_name: str,
    year: int,
    standards: Mapping[str, Standard],
    unit: str | None = None,
    limits: SafetyLimits | None = None,
) -> PlanReading:
    """The plan in `path`. `standards` are the unit's milestone standards by id (the unit's
    own when `unit` is given: a plan naming another unit is refused)."""
    inspection = inspect_workbook(path, display_name, limits or SafetyLimits())
    if not inspection.usable:
        return PlanReading(unit, None, (), inspection.problems)
    try:
        wb = load_workbook(path, read_only=False, data_only=True)
    except Exception as e:  # a hostile file may break the library anywhere
        problem = Problem(
            "corrupt_workbook", f"工作簿无法打开（{type(e).__name__}）", ref=CellRef(display_name)
        )
        return PlanReading(unit, None, (), (problem,))
    try:
        return _read(wb, display_name, year, standards, unit)
    finally:
        wb.close()


def _text(value: object) -> str:
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def _read(wb, file: str, year: int, standards, unit: str | None) -> PlanReading:
    sheets = [wb[PLAN_SHEET]] if PLAN_SHEET in wb.sheetnames else list(wb.worksheets)
    found = None
    for ws in sheets:
        for r in range(1, HEADER_SEARCH_ROWS + 1):
            names = [_text(ws.cell(r, c).value) for c in range(1, ws.max_column + 1)]
            if all(h in names for h in PLAN_HEADERS[:1] + PLAN_HEADERS[2:5]):
                found = ws, r, {h: names.index(h) + 1 for h in PLAN_HEADERS if h in names}
                break
        if found:
            break
    if found is None:
        if PLAN_SHEET in wb.sheetnames:
            problem = Problem(
                "plan_no_header",
                f"找不到表头（{'、'.join(PLAN_HEADERS)}）：请用下发的节点计划表填写",
                ref=CellRef(file, PLAN_SHEET),
            )
        else:
            problem = Problem(
                "plan_no_sheet", f"没有“{PLAN_SHEET}”工作表，这不是节点计划表", ref=CellRef(file)
            )
        return PlanReading(unit, None, (), (problem,))
    ws, header, cols = found
    problems: list[Problem] = []
    said_unit, said_year = None, None
    for r in range(1, header):
        for c in range(1, ws.max_column + 1):
            text = _text(ws.cell(r, c).value)
            if m := _UNIT.search(text):
                said_unit = said_unit or (m.group(1).strip(), f"{ws.cell(r, c).coordinate}")
            if m := _YEAR.search(text):
                said_year = said_year or (int(m.group(1)), f"{ws.cell(r, c).coordinate}")
    if unit is not None and said_unit and said_unit[0] != unit:
        problems.append(
            plan_problem(
                "plan_other_unit",
                f"这是“{said_unit[0]}”的节点计划，不是本单位（{unit}）的：请上传本单位的节点计划",
                file,
                said_unit[1],
                unit,
            )
        )
        return PlanReading(unit, year, (), tuple(problems))
    who = unit or (said_unit[0] if said_unit else None)
    if said_year and said_year[0] != year:
        problems.append(
            plan_problem(
                "plan_wrong_year",
                f"计划年度为 {said_year[0]} 年，不是 {year} 年",
                file,
                said_year[1],
                who,
            )
        )
    letter = {h: ws.cell(header, c).column_letter for h, c in cols.items()}
    nodes: list[PlanNode] = []
    task = ""
    numbers: dict[str, set[int]] = {}
    for r in range(header + 1, ws.max_row + 1):

        def cell(h: str, r: int = r) -> object:
            return ws.cell(r, cols[h]).value if h in cols else None

        def ref(h: str, r: int = r) -> str:
            return f"{letter.get(h, 'A')}{r}"

        given_task = _text(cell("任务编号"))
        task = given_task or task
        content = _text(cell("节点内容"))
        raw_month = cell("计划完成月份")
        if not content and not _text(raw_month):
            continue
        standard = standards.get(task)
        if standard is None:
            problems.append(
                plan_problem(
                    "plan_unknown_task",
                    f"任务编号 {task or '（空）'} 不是本单位牵头的节点任务"
                    f"（本单位的节点任务：{'、'.join(standards) or '无'}）",
                    file,
                    ref("任务编号"),
                    who,
                    task or None,
                )
            )
            continue
        raw_number = _text(cell("节点序号"))
        if raw_number:
            try:
                number = int(float(raw_number))
                if number < 1 or number != float(raw_number):
                    raise ValueError
            except ValueError:
                problems.append(
                    plan_problem(
                        "plan_bad_node_number",
                        f"节点序号应为 1、2、3 这样的整数，实为“{raw_number}”",
                        file,
                        ref("节点序号"),
                        who,
                        task,
                    )
                )
                continue
        else:
            number = max(numbers.get(task, {0})) + 1
        if number in numbers.setdefault(task, set()):
            problems.append(
                plan_problem(
                    "plan_duplicate_node",
                    f"任务 {task} 的节点序号 {number} 重复",
                    file,
                    ref("节点序号"),
                    who,
                    task,
                )
            )
            continue
        numbers[task].add(number)
        if not content:
            problems.append(
                plan_problem(
                    "plan_no_content",
                    f"任务 {task} 节点 {number} 没有写节点内容",
                    file,
                    ref("节点内容"),
                    who,
                    task,
                )
            )
            continue
        if not _text(raw_month):
            problems.append(
                plan_problem(
                    "plan_no_month",
                    f"任务 {task} 节点 {number}“{content[:20]}”没有计划完成月份",
                    file,
                    ref("计划完成月份"),
                    who,
                    task,
                )
            )
            continue
        try:
            month = plan_month(raw_month, year)
        except PeriodError as e:
            problems.append(
                plan_problem(
                    "plan_bad_month", f"计划完成月份：{e}", file, ref("计划完成月份"), who, task
                )
            )
            continue
        if month.year != year:
            problems.append(
                plan_problem(
                    "plan_bad_month",
                    f"计划完成月份 {month.label} 不在 {year} 年",
                    file,
                    ref("计划完成月份"),
                    who,
                    task,
                )
            )
            continue
        if month.first_day > standard.deadline:
            problems.append(
                plan_problem(
                    "plan_month_past_deadline",
                    f"计划完成月份 {month.label} 晚于任务 {task} 的完成期限 "
                    f"{standard.deadline.year}年{standard.deadline.month}月"
                    f"{standard.deadline.day}日",
                    file,
                    ref("计划完成月份"),
                    who,
                    task,
                )
            )
            continue
        nodes.append(
            PlanNode(
                task,
                number,
                content,
                str(month),
                _text(cell("完成标志")),
                f"{PLAN_SHEET}!{ref('计划完成月份')}",
            )
        )
    planned = {n.task_id for n in nodes} | {p.task_id for p in problems if p.task_id}
    for standard_id in standards:
        if standard_id not in planned:
            problems.append(
                plan_problem(
                    "plan_task_without_node",
                    f"节点任务 {standard_id} 没有节点：请至少列出一个节点及其计划完成月份",
                    file,
                    _first_row_of(ws, header, cols, standard_id, letter),
                    who,
                    standard_id,
                )
            )
    return PlanReading(who, year, tuple(nodes), tuple(problems))


def _first_row_of(ws, header: int, cols, task: str, letter) -> str:
    for r in range(header + 1, ws.max_row + 1):
        if _text(ws.cell(r, cols["任务编号"]).value) == task:
            return f"{letter['节点内容']}{r}"
    return f"{letter['任务编号']}{header}"
