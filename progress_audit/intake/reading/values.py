"""One task line's row read into a ReportedRow (本年累计完成, 目标值, 完成状态, 形象进度,
预计完成时间, the texts), each value with its cell and a problem for what cannot be read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from progress_audit.intake.reading.figures import (
    Figure,
    parse_date,
    parse_figure,
    parse_percent,
    parse_status,
)
from progress_audit.intake.reading.headers import Header
from progress_audit.intake.reading.safety import Inspection
from progress_audit.intake.reading.sheet import (
    CellDetails,
    RowCells,
    SheetProblems,
    blank,
    cell_text,
    coordinate,
    normalised,
)
from progress_audit.model.problems import Problem
from progress_audit.model.records import ReportedRow
from progress_audit.standards.responsibility import TaskLine

_TARGET_WORDS = re.compile(
    r"^(?:≥|>=|>|≤|<=|<|不低于|不少于|不超过|达到|超过|超|力争|确保|新增|完成)+|(?:以上|以内|左右)$"
)


@dataclass(frozen=True)
class RowValues:
    """Reads a sheet's task rows into ReportedRows: what every row of the sheet shares."""

    where: SheetProblems
    """Names the cells in a problem."""
    header: Header
    details: CellDetails
    inspection: Inspection
    year: int
    """The catalogue's year, for dates written without one."""

    def reported_row(self, cells: RowCells, line: TaskLine, unit: str, period: str) -> ReportedRow:
        """The row matched to `line`, its values read, with a problem for each that cannot be."""
        details = self.details
        problems: list[Problem] = []
        sources = {
            name: self.where.ref(at)
            for name, at in cells.at.items()
            if name not in ("text", "unit_of_measure")
        }
        if "target" in sources:
            sources["target_reported"] = sources.pop("target")

        def problem(
            code: str, message: str, name: str, severity: str = "error", dimension: str = "validity"
        ) -> None:
            ref = self.where.ref(cells.at[name]) if name in cells.at else self.where.ref()
            problems.append(
                Problem(
                    code,
                    message,
                    severity,
                    ref,
                    unit=unit,
                    task_id=line.task_id,  # type: ignore[arg-type]
                    metric_id=line.metric_id,
                    dimension=dimension,
                )
            )

        def raw_of(name: str) -> tuple[Any, bool]:
            """The cell's value, or None with a problem when Excel left no usable result."""
            value = cells.get(name)
            if name in cells.merged_figure:
                r0, c0, r1, c1 = cells.merged_figure[name]
                problem(
                    "merged_figure",
                    f"{coordinate((r0, c0))}:{coordinate((r1, c1))} 把多行合并成了一个单元格，"
                    "无法判断数值属于哪一行：请取消合并，每行分别填写",
                    name,
                )
                return None, False
            suspect = self.inspection.has_formulas or self.inspection.has_error_cells
            if name not in cells.at or not suspect or not blank(value):
                return value, True  # calamine has the value, or the cached result of a formula
            at = cells.at[name]
            error = details.error(at)
            if error:
                return error, True
            if details.formula(at):
                cached = details.cached_result(at)
                if isinstance(cached, str) and cached.startswith("#"):
                    return cached, True
                problem(
                    "formula_without_value",
                    "该单元格是公式但没有计算结果：请在 Excel 中重新计算并保存，或直接填写数值",
                    name,
                )
                return None, False
            return value, True

        def percent_cell(name: str, value: Any) -> bool:
            """Is this number in a percentage-formatted cell (65% stored as 0.65)?"""
            if name == "value" and line.unit_of_measure != "%":
                return False
            if not isinstance(value, int | float) or not 0 < abs(value) <= 1:
                return False
            return name in cells.at and details.is_percent(cells.at[name])

        # 本年累计完成
        value: float | None = None
        approximate = False
        raw_value, ok = raw_of("value")
        value_text = cell_text(raw_value)
        status_from_value = None
        progress_from_value = ""
        if ok and self.header.weak_value and isinstance(raw_value, str) and not blank(raw_value):
            status_word, error = parse_status(raw_value)
            if error is None and status_word:
                status_from_value, raw_value = status_word, ""
            elif line.metric is None:
                progress_from_value, raw_value = value_text, ""
        if ok and not blank(raw_value):
            written_unit = self.written_unit(cells, line)
            if line.metric is not None:
                fig = parse_figure(
                    raw_value,
                    line.unit_of_measure,
                    written_unit=written_unit,
                    cell_is_percent=percent_cell("value", raw_value),
                )
                self.figure_problems(fig, value_text, "value", line, problem)
                value, approximate = fig.value, fig.approximate
            else:
                fig = parse_figure(raw_value, "")
                value = fig.value
                if fig.error and blank(cells.get("percent")):
                    problem(
                        "value_without_metric",
                        f"该任务没有量化指标，“本年累计完成”栏的“{value_text}”未作为数值读取："
                        "请在“形象进度”栏填写完成百分比（0–100）",
                        "value",
                        "warning",
                    )

        # 目标值 (the catalogue's target is what counts)
        target_reported = self.target(cells, line, problem)

        # 完成状态
        status: str | None = status_from_value
        raw_status, ok = raw_of("status")
        if ok and not blank(raw_status):
            status, error = parse_status(raw_status)
            if error:
                problem("unreadable_status", error, "status")
        elif status_from_value and "value" in cells.at:
            sources["status"] = sources["value"]

        # 形象进度
        percent: float | None = None
        raw_percent, ok = raw_of("percent")
        if ok and not blank(raw_percent):
            fig = parse_percent(raw_percent, cell_is_percent=percent_cell("percent", raw_percent))
            self.figure_problems(fig, cell_text(raw_percent), "percent", line, problem)
            percent = fig.value

        # 预计完成时间
        expected: date | None = None
        raw_date, ok = raw_of("expected_completion")
        if ok and not blank(raw_date):
            expected, error = parse_date(raw_date, self.year)
            if error:
                problem("unreadable_date", error, "expected_completion")

        texts = {name: cell_text(raw_of(name)[0]) for name in ("progress", "issues", "next_steps")}
        if progress_from_value and not texts["progress"]:
            texts["progress"] = progress_from_value
            sources["progress"] = sources["value"]
        return ReportedRow(
            unit=unit,
            period=period,
            task_id=line.task_id,
            metric_id=line.metric_id,
            row=cells.index + 1,
            value=value,
            value_text=value_text,
            approximate=approximate,
            target_reported=target_reported,
            status=status,
            percent=percent,
            expected_completion=expected,
            progress=texts["progress"],
            issues=texts["issues"],
            next_steps=texts["next_steps"],
            sources=sources,
            problems=tuple(problems),
        )

    @staticmethod
    def figure_problems(fig: Figure, shown: str, name: str, line: TaskLine, problem: Any) -> None:
        label = "形象进度" if name == "percent" else "本年累计完成"
        if fig.error:
            problem(
                "unreadable_percent" if name == "percent" else "unreadable_value", fig.error, name
            )
            return
        if fig.approximate:
            problem(
                "approximate_value",
                f"{label}“{shown}”是约数，已按 {_fmt_value(fig.value)} 读取：请填写确切的数值",
                name,
                "warning",
            )
        if fig.note:
            problem("interpreted_value", f"{label}“{shown}”：{fig.note}，请核对", name, "warning")

    def written_unit(self, cells: RowCells, line: TaskLine) -> str | None:
        """The row's 计量单位 when the unit changed it to another unit of measure (a column
        headed 单位 may instead hold a unit's name: that is not a unit of measure)."""
        raw = cells.get("unit_of_measure")
        if blank(raw) or line.metric is None:
            return None
        written = normalised(cell_text(raw))
        if written == normalised(line.unit_of_measure) or not _is_measure(written):
            return None
        return written

    def target(self, cells: RowCells, line: TaskLine, problem: Any) -> float | None:
        raw = cells.get("target")
        if blank(raw) or line.metric is None or line.target is None:
            return None
        shown = cell_text(raw)
        text = _TARGET_WORDS.sub("", normalised(shown)) if isinstance(raw, str) else raw
        # Pre-filled in the catalogue's unit: a changed 计量单位 converts the figure, not this.
        fig = parse_figure(text, line.unit_of_measure)
        expected = f"{_fmt_value(line.target)}{line.unit_of_measure}"
        if fig.error or fig.value is None:
            edited = True
        else:
            edited = abs(fig.value - line.target) > 1e-9 * max(1.0, abs(line.target))
        if edited:
            problem(
                "target_edited",
                f"目标值被改为“{shown}”，与任务表的目标 {expected} 不一致：以任务表为准，"
                "请勿修改目标值；目标如有调整请在“存在问题”栏说明",
                "target",
                "warning",
                "consistency",
            )
        return fig.value


_MEASURES = frozenset(
    (
        "人",
        "人次",
        "家",
        "个",
        "件",
        "亩",
        "元",
        "所",
        "%",
        "项",
        "户",
        "座",
        "公里",
        "千米",
        "米",
        "平方米",
        "平方公里",
        "公顷",
        "吨",
        "辆",
        "台",
        "套",
        "处",
        "次",
        "场",
        "名",
        "位",
        "张",
        "篇",
        "条",
        "部",
        "只",
        "头",
        "株",
        "棵",
        "床",
        "间",
        "栋",
        "幢",
        "千瓦",
        "度",
    )
)


def _is_measure(unit: str) -> bool:
    """`万元`, `亿元`, `人`, `%`: a unit of measure, perhaps with a magnitude in front."""
    return unit in _MEASURES or (unit[:1] in "十百千万亿" and unit[1:].lstrip("万亿") in _MEASURES)


def _fmt_value(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
