"""The 节点进展 sheet of the month's workbook: the nodes of the unit's approved plan due by the
month after the period, prefilled (task, node, what, the month it is judged by with the plan's
own month beside it when extended), with 完成情况 as a drop-down; a node reported done in an
earlier month comes marked 已完成 with its month.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from progress_audit.files.xlsx_style import merge_row, print_setup, put
from progress_audit.model.period import Period
from progress_audit.model.plans import (
    NODE_DONE,
    NODE_HEADERS,
    NODE_NOT_DONE,
    NODE_SHEET,
    PlanState,
    ScheduledNode,
)
from progress_audit.model.records import NodeReport

NODE_TITLE_ROWS = 3
WIDTHS = (9, 8, 40, 22, 10, 13, 30)


@dataclass(frozen=True)
class NodeLine:
    """A node as the month's sheet lists it: done in an earlier month (`done_at`) or not."""

    node: ScheduledNode
    done_at: str | None = None


def nodes_due(
    plan: PlanState | None, period: Period, reported: Sequence[NodeReport] = ()
) -> tuple[NodeLine, ...]:
    """The approved plan's nodes due by the month after `period` (or reported done earlier),
    each with the month it was reported done, if it was."""
    if plan is None or plan.approved is None:
        return ()
    horizon = period.next()
    done: dict[tuple[str, int], str | None] = {}
    for r in sorted(reported, key=lambda r: r.period):
        if r.done:
            done[(r.task_id, r.node)] = r.done_at or r.period
        elif r.done is False:
            done.pop((r.task_id, r.node), None)
    return tuple(
        NodeLine(n, done.get((n.task_id, n.node)))
        for n in plan.nodes
        if Period.parse(n.due) <= horizon or (n.task_id, n.node) in done
    )


def add_node_sheet(wb, unit: str, period: Period, lines: Sequence[NodeLine], styles) -> None:
    """Append the 节点进展 sheet; `styles` are the workbook's named styles (title, label,
    header, prefilled, prefilled-wrap, input, input-wrap)."""
    title, label, header, prefilled, wrap, entry, entry_wrap = styles
    ws = wb.create_sheet(NODE_SHEET)
    last = len(NODE_HEADERS)
    put(ws, 1, 1, f"{unit} {period.label}节点进展").style = title
    merge_row(ws, 1, last)
    put(
        ws,
        2,
        1,
        "逐个节点填写完成情况（已完成 / 未完成）和实际完成时间（如 "
        f"{period.year}-{period.month:02d}）；未完成的请在说明中写明原因和措施。"
        "节点按审定的节点计划列出，确需调整的请在节点月份结束前申请延期。",
    )
    ws["A2"].style = label
    ws["A2"].alignment = Alignment(wrap_text=True, vertical="center")
    merge_row(ws, 2, last)
    ws.row_dimensions[2].height = 32
    for c, (text, width) in enumerate(zip(NODE_HEADERS, WIDTHS, strict=True), start=1):
        put(ws, NODE_TITLE_ROWS, c, text).style = header
        ws.column_dimensions[get_column_letter(c)].width = width
    r = NODE_TITLE_ROWS
    for line in lines:
        r += 1
        n = line.node
        month = Period.parse(n.due).label
        if n.planned != n.due:
            month += f"（原计划 {Period.parse(n.planned).label}，已延期）"
        values = (n.task_id, n.node, n.content, month)
        for c, value in enumerate(values, start=1):
            put(ws, r, c, value).style = wrap if c in (3, 4) else prefilled
        put(ws, r, 5, NODE_DONE if line.done_at else None).style = entry
        put(ws, r, 6, line.done_at).style = entry
        put(ws, r, 7, None).style = entry_wrap
        ws.row_dimensions[r].height = 30
    if lines:
        dv = DataValidation(
            type="list", formula1=f'"{NODE_DONE},{NODE_NOT_DONE}"', allow_blank=True
        )
        dv.error, dv.errorTitle = f"请选择 {NODE_DONE} 或 {NODE_NOT_DONE}", "输入有误"
        dv.showErrorMessage = True
        dv.add(f"E{NODE_TITLE_ROWS + 1}:E{r}")
        ws.add_data_validation(dv)
    ws.freeze_panes = f"A{NODE_TITLE_ROWS + 1}"
    print_setup(ws, f"{unit} {period.label}节点进展", f"{NODE_TITLE_ROWS}:{NODE_TITLE_ROWS}")
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
