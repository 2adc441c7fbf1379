"""The report workbooks' fast paths (xlsx_style) write what openpyxl's own code writes."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl.comments import Comment
from openpyxl.styles import Border, PatternFill, Protection, Side

import progress_audit.files.xlsx_style as xs
from progress_audit.files.xlsx_style import (
    BORDER,
    Column,
    add_row,
    finish_table,
    font,
    group_row,
    merge_row,
    new_workbook,
    note_row,
    put,
    save_workbook,
    start_table,
    title_rows,
)

AS_OF = datetime(2020, 1, 8, 1, 0, tzinfo=UTC)
VALUES = [
    "文本",
    " 前后空格 ",
    "   ",
    "a\r\nb",
    "\t制表",
    "&<>\"'",
    "]]>",
    "",
    "=1+1",
    "+cmd",
    "@SUM(1)",
    "\x01控制",
    0,
    -3.5,
    0.1,
    1 / 3,
    1e20,
    12345678.9,
    float("nan"),
    True,
    None,
    date(2019, 12, 31),
    datetime(2019, 12, 31, 10, 30),
]


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def test_save_workbook_writes_the_parts_openpyxl_writes(tmp_path):
    """The zip deflated once (stored first): every part as `Workbook.save` has it."""

    def build():
        wb = new_workbook()
        ws = wb.create_sheet("表")
        for r, value in enumerate(VALUES, start=1):
            put(ws, r, 1, value)
            put(ws, r, 2, value).font = font(bold=True)  # named: save_workbook names any other
        ws.cell(row=1, column=3, value="批注").comment = Comment("说明", "审核")
        ws.cell(row=2, column=3, value="链接").hyperlink = "https://example.org/"
        ws.cell(row=3, column=3, value="=SUM(1,2)")
        ws.cell(row=4, column=3).fill = PatternFill("solid", fgColor="FFC7CE")  # styled, empty
        ws.merge_cells("D1:F1")
        return wb

    ours = save_workbook(build(), tmp_path / "ours.xlsx", AS_OF, "t")
    buf = io.BytesIO()
    build().save(buf)  # openpyxl's writer, end to end
    with zipfile.ZipFile(buf) as z:
        theirs = {name: z.read(name) for name in z.namelist()}
    mine = _parts(ours)
    assert mine.keys() == theirs.keys()
    for name in mine:
        if name != "docProps/core.xml":  # the save time, set to as_of in ours
            assert mine[name] == theirs[name], name


def _table_workbook():
    """Title rows, group rows of both levels, rows of several number formats, a note."""
    columns = [Column("状态", "status"), Column("名称"), Column("数值", "number")]
    wide = [*columns, Column("说明"), Column("来源")]
    wb = new_workbook()
    for name, cols in (("甲", columns), ("乙", wide), ("丙", columns[:2])):
        ws = wb.create_sheet(name)
        table = start_table(ws, cols, title_rows(ws, f"{name}标题", "副标题", len(cols)))
        for i, level in enumerate((0, 1, 0, 1)):
            group_row(table, f"分组{level}", level=level)
            values = ["逾期", f"=任务{i}", [1.5, 2, 0.25, None][i], "x", "y"]
            add_row(table, values[: len(cols)], status=["overdue", "at_risk", None, "overdue"][i])
        note_row(table, "说明行")
        finish_table(table, name)
    ws = wb.create_sheet("丁")
    put(ws, 1, 1, "边框").border = Border(right=Side(style="thick"), bottom=Side(style="thin"))
    put(ws, 1, 4, "末").border = BORDER
    xs.merge_row(ws, 1, 4)  # looked up at call time: the test below may replace it
    put(ws, 2, 1, "同样").border = Border(right=Side(style="thick"), bottom=Side(style="thin"))
    put(ws, 2, 4, "末").border = BORDER
    xs.merge_row(ws, 2, 4)
    for r, end in ((3, BORDER), (4, None), (5, Border(bottom=Side(style="double")))):
        put(ws, r, 1, "左边框").border = Border(left=Side(style="thin"))
        if end:
            put(ws, r, 5, "末").border = end  # its right and bottom edges go to the merged range
        xs.merge_row(ws, r, 5)
    return wb


@pytest.mark.parametrize("shortcut", ["merge_row", "_styled"])
def test_shortcuts_give_the_workbook_openpyxl_gives(tmp_path, monkeypatch, shortcut):
    """`merge_row` against `Worksheet.merge_cells`, `_styled` against styling every cell."""
    fast = save_workbook(_table_workbook(), tmp_path / "fast.xlsx", AS_OF, "t")

    def merge_cells(ws, row, last_col):
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_col)

    def style_each(cell, look, apply):
        apply()

    monkeypatch.setattr(xs, shortcut, {"merge_row": merge_cells, "_styled": style_each}[shortcut])
    slow = save_workbook(_table_workbook(), tmp_path / "slow.xlsx", AS_OF, "t")
    assert fast.read_bytes() == slow.read_bytes()


@pytest.mark.parametrize("width", [2, 3, 7])
def test_merge_row_keeps_ranges_and_first_cell(width):
    wb = new_workbook()
    ws = wb.create_sheet("表")
    for r in (1, 2, 3):
        put(ws, r, 1, f"第{r}行").border = BORDER
        merge_row(ws, r, width)
    assert sorted(str(c) for c in ws.merged_cells.ranges) == sorted(
        f"A{r}:{chr(64 + width)}{r}" for r in (1, 2, 3)
    )
    assert [ws.cell(row=r, column=1).value for r in (1, 2, 3)] == ["第1行", "第2行", "第3行"]
    assert ws.merged_cells.ranges and all(
        c.start_cell is ws.cell(row=c.min_row, column=1) for c in ws.merged_cells.ranges
    )


def _merged_workbook(merge, prior: Border | None):
    """A workbook whose style lists already hold `prior` (or not), then three merged rows of
    different looks, the first cell also locked or not."""
    wb = new_workbook()
    ws = wb.create_sheet("表")
    if prior is not None:
        put(ws, 9, 9, "先有").border = prior
    looks = [
        (Border(left=Side(style="thin"), top=Side(style="thin")), None),
        (BORDER, Border(right=Side(style="thick"), bottom=Side(style="double"))),
        (Border(), BORDER),
    ]
    for r, (first, last) in enumerate(looks, start=1):
        cell = put(ws, r, 1, f"第{r}行")
        cell.border = first
        if r == 2:
            cell.protection = Protection(locked=False)
        if last is not None:
            put(ws, r, 6, "末").border = last
        merge(ws, r, 6)
    return wb


def test_a_merge_learnt_in_one_workbook_is_right_in_another(tmp_path):
    """`merge_row` learns a look's effect once per process: a workbook whose style lists hold
    other records first still gets the bytes openpyxl's own merge gives it."""

    def merge_cells(ws, row, last_col):
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_col)

    xs._MERGES.clear()
    for i, prior in enumerate((None, Border(bottom=Side(style="thin")), BORDER)):
        fast = save_workbook(
            _merged_workbook(merge_row, prior), tmp_path / f"f{i}.xlsx", AS_OF, "t"
        )
        slow = save_workbook(
            _merged_workbook(merge_cells, prior), tmp_path / f"s{i}.xlsx", AS_OF, "t"
        )
        assert fast.read_bytes() == slow.read_bytes(), prior


def test_unlocking_rows_gives_what_unlocking_each_cell_gives(tmp_path):
    def workbook(unlock):
        wb = new_workbook()
        ws = wb.create_sheet("表")
        put(ws, 3, 2, "已有").border = BORDER  # a styled cell in the rows keeps its border
        unlock(ws, 2, 5, 4)
        return wb

    def each(ws, first, last, columns):
        for row in range(first, last + 1):
            for col in range(1, columns + 1):
                ws.cell(row, col).protection = Protection(locked=False)

    fast = save_workbook(workbook(xs.unlock_rows), tmp_path / "fast.xlsx", AS_OF, "t")
    slow = save_workbook(workbook(each), tmp_path / "slow.xlsx", AS_OF, "t")
    assert fast.read_bytes() == slow.read_bytes()
