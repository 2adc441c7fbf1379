"""The row model every reader gives: the table's rows, six cells each, whatever the file's form.

A reader turns its file into a grid (`GridRow`: the cells as printed, merges already followed:
a cell merged down is repeated in every row it spans, a cell merged across keeps its text in its
first column and leaves the others empty). `table_rows` then finds the header, maps the office's
column names onto the six columns the catalogue needs, and refuses a row with a cell too few.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

COLUMNS = ("序号", "目标名称", "工作标准", "区政府分管领导", "牵头单位", "参与单位")

# The words offices head each column with (after spaces are removed), tried in order.
HEADER_WORDS: tuple[tuple[str, ...], ...] = (
    ("序号", "编号"),
    ("目标名称", "目标任务", "主要目标", "目标"),
    ("工作标准", "工作任务", "具体任务", "主要任务"),
    ("区政府分管领导", "分管领导", "责任领导", "分管区领导", "领导"),
    ("牵头单位", "责任单位", "主办单位"),
    ("参与单位", "配合单位", "协办单位", "责任配合单位"),
)


class TableError(ValueError):
    """The table cannot be read; the message names the file and the row."""


@dataclass(frozen=True)
class GridCell:
    """A cell as the file gives it: its lines, and whether it is the empty tail of a merge."""

    lines: tuple[str, ...] = ()
    spanned: bool = False
    """Covered by a cell merged across from the left (its text is in that first column)."""

    @property
    def text(self) -> str:
        return "".join(line.strip() for line in self.lines).strip()


@dataclass(frozen=True)
class GridRow:
    """One row of the file's grid; `where` names it for the office (`第12行`, `表格第5行`)."""

    where: str
    cells: tuple[GridCell, ...]
    line: int = 0
    """The line of a text export where the row starts (0 for other forms)."""
    extent: str = ""
    """The lines the row takes in a text export (`第12–18行`), for a malformed row."""

    def is_blank(self) -> bool:
        return not any(c.text for c in self.cells)


@dataclass(frozen=True)
class Row:
    """One row of the table: the six columns of COLUMNS, each the lines the cell holds."""

    line: int
    cells: tuple[tuple[str, ...], ...]
    where: str = ""

    def text(self, column: int, joiner: str = "") -> str:
        return joiner.join(part.strip() for part in self.cells[column]).strip()


def cell_lines(text: str | None) -> tuple[str, ...]:
    """A cell's text as lines (Word paragraphs, line breaks in a workbook cell, `<br>`)."""
    if text is None:
        return ()
    return tuple(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def header_columns(names: Sequence[str]) -> tuple[list[int | None], list[str]]:
    """Where each of the six columns is among `names` (a header row), and the ones not found."""
    squashed = [squash(n) for n in names]
    found: list[int | None] = []
    for words in HEADER_WORDS:
        at = next((i for i, n in enumerate(squashed) if n in words and i not in found), None)
        if at is None:  # 区政府\n分管领导, （区政府）分管领导, 牵头单位（部门）
            at = next(
                (
                    i
                    for i, n in enumerate(squashed)
                    if n and i not in found and any(w in n for w in words)
                ),
                None,
            )
        found.append(at)
    missing = [COLUMNS[k] for k, at in enumerate(found) if at is None]
    return found, missing


def _is_header(names: Sequence[str]) -> bool:
    found, missing = header_columns(names)
    return found[2] is not None and len(missing) <= 3


def find_header(rows: Sequence[GridRow], source: str) -> tuple[int, list[int]] | None:
    """The index of the header row among the first rows of a grid and its column positions.

    None when the grid has no header; TableError when it has one with columns missing.
    """
    for i, row in enumerate(rows[:20]):
        names = [c.text for c in row.cells]
        if not _is_header(names):
            continue
        found, missing = header_columns(names)
        if missing and i + 1 < len(rows):
            # A header on two rows (责任单位 over 牵头单位 and 配合单位): the second, with the
            # cells merged down from the first, is the whole header.
            below, missing_below = header_columns([c.text for c in rows[i + 1].cells])
            if not missing_below:
                return i + 1, [at for at in below if at is not None]
        if missing:
            raise TableError(
                f"{source} {row.where}：表头缺少列 {'、'.join(missing)}"
                f"（应为：{'、'.join(COLUMNS)}；实际：{'、'.join(squash(n) for n in names)}）"
            )
        return i, [at for at in found if at is not None]
    return None


def table_rows(grids: Iterable[Sequence[GridRow]], source: str) -> list[Row]:
    """The rows of every grid with the table's header, the header itself and titles dropped.

    A table split over several grids (a Word table continued after a page note, a repeated
    header) is read as one. Raises TableError when no grid has the header or a row is short.
    """
    rows: list[Row] = []
    seen_header = False
    for grid in grids:
        found = find_header(grid, source)
        if found is None:
            continue
        seen_header = True
        at, columns = found
        width = max(columns) + 1
        header_width = len(grid[at].cells)
        for number, grid_row in enumerate(grid[at + 1 :], start=at + 2):
            if grid_row.is_blank():
                continue
            if _is_header([c.text for c in grid_row.cells]):
                continue  # the header repeated on the next page
            if len(grid_row.cells) < width:
                raise TableError(
                    f"{source} {grid_row.extent or grid_row.where}："
                    f"这一行有 {len(grid_row.cells)} 列，应有 {width} 列"
                    f"（{'、'.join(COLUMNS)}）；请检查是否缺少单元格"
                )
            if any(c.text for c in grid_row.cells[header_width:]):
                raise TableError(
                    f"{source} {grid_row.extent or grid_row.where}：这一行有 "
                    f"{len(grid_row.cells)} 列，应有 {header_width} 列（{'、'.join(COLUMNS)}）；"
                    "请检查是否多出单元格"
                )
            cells = tuple(grid_row.cells[c].lines for c in columns)
            rows.append(Row(grid_row.line or number, cells, grid_row.where))
    if not seen_header:
        raise TableError(f"{source}：没有找到表头（{'、'.join(COLUMNS)}）")
    return rows
