"""The rows below the header (任务行): each matched to one of the unit's task lines, by
指标编号, else 任务编号, else the text, and read by `values.py`; blank, subtotal (合计/小计) and
note rows skipped, the header repeated on a printed page skipped, a task line twice reported.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from typing import Any

from progress_audit.intake.reading.headers import NOT_FILLED_DOWN, REPORTED, Header, header_of
from progress_audit.intake.reading.sheet import (
    Grid,
    RowCells,
    SheetProblems,
    blank,
    cell_text,
    normalised,
)
from progress_audit.intake.reading.values import RowValues
from progress_audit.model.problems import Problem
from progress_audit.model.records import ReportedRow
from progress_audit.standards.catalogue import Catalogue
from progress_audit.standards.responsibility import TaskLine


def _row_cells(grid: Grid, header: Header, r: int) -> RowCells:
    """Each mapped field's value in row `r`, with the cell that holds it."""
    cells = RowCells(r)
    for name, c in header.columns.items():
        span = grid.spans.get((r, c))
        if name in NOT_FILLED_DOWN and span and span[0] != span[2]:
            cells.merged_figure[name] = span
            at = (span[0], span[1])
            cells.values[name] = grid.raw(*at) if at == (r, c) else ""
            cells.at[name] = (r, c)
            continue
        value, at = grid.value(r, c)
        cells.values[name], cells.at[name] = value, at
    return cells


def read_rows(
    grid: Grid,
    values: RowValues,
    lines: tuple[TaskLine, ...],
    catalogue: Catalogue,
    unit: str,
    period: str,
) -> tuple[ReportedRow, ...]:
    """The unit's task rows below the header, each matched to one of its task `lines`; blank,
    repeated-header, subtotal and note rows skipped; a problem for a row that cannot be used.
    Every problem is also added to the sheet's (`values.where`)."""
    header, where = values.header, values.where
    matcher = _Matcher(lines, catalogue)
    seen: dict[tuple[str, str | None], ReportedRow] = {}
    order: list[tuple[str, str | None]] = []
    for r in range(header.row + 1, grid.height):
        cells = _row_cells(grid, header, r)
        whole_row = grid.filled_row(r)
        if all(blank(v) for v in whole_row):
            continue
        if header_of(r, whole_row).score >= 3:  # the header repeated (a printed page)
            continue
        if _subtotal(cells, whole_row):
            continue
        has_report = any(not blank(cells.get(f)) for f in REPORTED)
        line, problem = matcher.match(cells, has_report)
        if problem:
            code, message, target_id = problem
            where.problems.append(
                Problem(
                    code,
                    message,
                    "error",
                    where.ref(cells.at.get(target_id, (r, 0))),
                    unit=unit,
                    dimension="validity",
                )
            )
            continue
        if line is None:  # a note or a footer row (填报人：…): nothing reported, no id
            continue
        row = values.reported_row(cells, line, unit, period)
        if line.key in seen:
            row = _duplicate(seen[line.key], row, where)
            seen[line.key] = row
            continue
        seen[line.key] = row
        order.append(line.key)
    rows = tuple(seen[k] for k in order)
    for row in rows:
        where.problems.extend(row.problems)
    return rows


def _duplicate(first: ReportedRow, second: ReportedRow, where: SheetProblems) -> ReportedRow:
    """The same task line twice: the first row counts; if the two differ it is an error."""
    same = _content(first) == _content(second)
    what = f"指标 {first.metric_id}" if first.metric_id else f"任务 {first.task_id}"
    problem = Problem(
        "duplicate_row",
        (
            f"{what}在第 {first.row} 行和第 {second.row} 行重复填写"
            + (
                "（内容相同），已按第一行读取：请删除重复的行"
                if same
                else "，两行内容不同，无法判断以哪行为准：请删除多余的行后重新报送"
            )
        ),
        "warning" if same else "error",
        second.sources.get("metric_id") or second.sources.get("task_id") or where.ref(),
        unit=first.unit,
        task_id=first.task_id,
        metric_id=first.metric_id,
        dimension="consistency",
    )
    return replace(first, problems=(*first.problems, problem))


_SUBTOTAL = re.compile(r"^(?:合计|小计|总计|共计)")


def _subtotal(cells: RowCells, whole_row: list[Any]) -> bool:
    """合计/小计 rows: a subtotal word in the row and no real task or metric id."""
    ids = [normalised(cell_text(cells.get(f))) for f in ("task_id", "metric_id")]
    if any(i and not _SUBTOTAL.match(i) for i in ids):
        return False
    return any(isinstance(v, str) and _SUBTOTAL.match(normalised(v)) for v in whole_row)


def _content(row: ReportedRow) -> tuple[Any, ...]:
    return (
        row.value,
        row.value_text,
        row.status,
        row.percent,
        row.expected_completion,
        row.progress,
        row.issues,
        row.next_steps,
    )


def _id_text(raw: Any) -> str:
    """An id cell as text: `16.1`, ` 16．1 ` → `16.1`; a number cell 16.1 → `16.1`."""
    if isinstance(raw, float):
        return repr(raw)
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", cell_text(raw))).strip(".。")


_ID_SHAPE = re.compile(r"^\d{1,3}(?:\.\d{1,3}){0,3}$")


class _Matcher:
    """Finds the unit's task line for a sheet row: by 指标编号, else 任务编号, else the text."""

    def __init__(self, lines: tuple[TaskLine, ...], catalogue: Catalogue):
        self.by_metric = {ln.metric_id: ln for ln in lines if ln.metric_id}
        self.by_task: dict[str, list[TaskLine]] = {}
        for ln in lines:
            self.by_task.setdefault(ln.task_id, []).append(ln)
        self.by_text: dict[str, list[TaskLine]] = {}
        for ln in lines:
            self.by_text.setdefault(normalised(ln.text), []).append(ln)
        self.all_metrics = {m.id for m in catalogue.metrics}
        self.all_tasks = {s.id for s in catalogue.standards}

    def match(
        self, cells: RowCells, has_report: bool
    ) -> tuple[TaskLine | None, tuple[str, str, str] | None]:
        """(line, None), or (None, (code, message, field)) for a row that cannot be used, or
        (None, None) for a row that is not a task row at all (a note, a footer)."""
        metric = _id_text(cells.get("metric_id"))
        task_raw = cells.get("task_id")
        task = _id_text(task_raw)
        text = normalised(cell_text(cells.get("text")))
        if not has_report and not (_ID_SHAPE.match(metric) or _ID_SHAPE.match(task)):
            return None, None  # 填报人：…, 注：… in the id column, and nothing reported
        if metric:
            if metric in self.by_metric:
                return self.by_metric[metric], None
            if metric in self.all_metrics:
                return None, (
                    "not_this_unit",
                    f"指标编号 {metric} 不是本单位牵头的指标：请删除该行，或使用下发给本单位的模板",
                    "metric_id",
                )
            return None, (
                "unknown_id",
                f"指标编号“{metric}”在任务表中不存在：请按下发模板填写编号，不要修改",
                "metric_id",
            )
        if task:
            # A number cell 3.1 may be 3.1 or 3.10 (Excel drops the trailing zero).
            candidates = [task]
            if isinstance(task_raw, float) and re.fullmatch(r"\d+\.\d", task):
                candidates.append(task + "0")
            found = [c for c in candidates if c in self.by_task]
            lines = [ln for c in found for ln in self.by_task[c]]
            if text:
                by_text = [ln for ln in lines if normalised(ln.text) == text]
                if len(by_text) == 1:
                    return by_text[0], None
            if len(found) == 1 and len(lines) == 1:
                return lines[0], None
            if len(found) > 1:
                return None, (
                    "ambiguous_row",
                    f"任务编号 {task} 无法判断是 {' 还是 '.join(found)}"
                    "（单元格是数字，末尾的 0 被省略）：请把编号设为文本格式重新填写",
                    "task_id",
                )
            if lines:
                message = (
                    f"任务 {task} 有 {len(lines)} 个量化指标，这一行没有填写指标编号：请按模板填写"
                )
                return None, ("ambiguous_row", message, "task_id")
            if any(c in self.all_tasks for c in candidates):
                return None, (
                    "not_this_unit",
                    f"任务编号 {task} 不是本单位牵头的任务：请删除该行，或使用下发给本单位的模板",
                    "task_id",
                )
            return None, (
                "unknown_id",
                f"任务编号“{task}”在任务表中不存在：请按下发模板填写编号，不要修改",
                "task_id",
            )
        if not has_report:
            return None, None
        by_text = self.by_text.get(text, []) if text else []
        if len(by_text) == 1:
            return by_text[0], None
        return None, (
            "row_without_id",
            "这一行填写了进度，但没有任务编号和指标编号，无法对应到任务：请按模板填写编号",
            "value",
        )
