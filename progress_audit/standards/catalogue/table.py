"""Reading the office's text export of the responsibility table (重点任务责任分解表).

The export has one cell per tab: a line that starts with a tab opens a new cell, a line without
one continues the cell above (the table wrapped it), and a blank line ends a row. Every row has
the six columns of the header. Anything else is an error naming the line: the office must never
get a partial catalogue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

COLUMNS = ("序号", "目标名称", "工作标准", "区政府分管领导", "牵头单位", "参与单位")


class TableError(ValueError):
    """The table cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class Row:
    """One row of the table: its cells, each a list of the lines the cell was wrapped into."""

    line: int
    cells: tuple[tuple[str, ...], ...]

    def text(self, column: int, joiner: str = "") -> str:
        return joiner.join(part.strip() for part in self.cells[column]).strip()


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _records(text: str) -> list[list[tuple[int, str]]]:
    """Group the lines into records separated by blank lines, keeping line numbers."""
    records: list[list[tuple[int, str]]] = [[]]
    for no, line in enumerate(text.splitlines(), start=1):
        if not line.strip() and "\t" not in line:
            if records[-1]:
                records.append([])
            continue
        records[-1].append((no, line))
    return [r for r in records if r]


def _cells(record: list[tuple[int, str]], source: str) -> Row:
    cells: list[list[str]] = []
    for no, line in record:
        pieces = line.split("\t")
        if pieces[0].strip():
            if not cells:
                raise TableError(
                    f"{source} 第{no}行：这一行不以制表符开头，无法判断属于哪一列："
                    f"{line.strip()[:30]!r}；请检查导出的表格是否完整"
                )
            cells[-1].append(pieces[0])  # the table wrapped this cell onto a new line
        cells.extend([p] for p in pieces[1:])
    return Row(record[0][0], tuple(tuple(c) for c in cells))


def read_rows(text: str, source: str = "<table>") -> list[Row]:
    """Split the export into rows of six cells, checking the header. Raises TableError."""
    records = _records(text)
    # Lines before the header without any tab are the sheet's titles (附件, 表名).
    while records and all("\t" not in line for _, line in records[0]):
        records.pop(0)
    if records:
        while "\t" not in records[0][0][1]:
            records[0].pop(0)
    if not records:
        raise TableError(f"{source}：没有找到表头（{'、'.join(COLUMNS)}）")
    header = _cells(records[0], source)
    names = tuple(_squash("".join(c)) for c in header.cells)
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise TableError(
            f"{source} 第{header.line}行：表头缺少列 {'、'.join(missing)}"
            f"（应为：{'、'.join(COLUMNS)}；实际：{'、'.join(names)}）"
        )
    if names != COLUMNS:
        raise TableError(
            f"{source} 第{header.line}行：表头的列不符（应为：{'、'.join(COLUMNS)}；"
            f"实际：{'、'.join(names)}）"
        )
    rows = []
    for i, record in enumerate(records[1:], start=1):
        row = _cells(record, source)
        if i == len(records) - 1 and len(row.cells) == len(COLUMNS) - 1:
            # The export drops the tab of an empty last cell at the very end of the file.
            row = Row(row.line, (*row.cells, ("",)))
        if len(row.cells) != len(COLUMNS):
            raise TableError(
                f"{source} 第{record[0][0]}–{record[-1][0]}行：这一行有 {len(row.cells)} 列，"
                f"应有 {len(COLUMNS)} 列"
                f"（{'、'.join(COLUMNS)}）；请检查是否缺少或多出制表符"
            )
        rows.append(row)
    return rows
