"""A workbook (`.xlsx`), read with openpyxl.

The cells inside a merged range read as empty: the range's first cell belongs to every row it
spans (merged down) and to its first column only (merged across). An empty cell outside any
merge is simply empty. The sheet read is the first whose header matches.
"""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook

from progress_audit.standards.tables.rows import (
    GridCell,
    GridRow,
    Row,
    TableError,
    cell_lines,
    table_rows,
)


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _grid(sheet) -> list[GridRow]:
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    spanned: set[tuple[int, int]] = set()
    for merged in sheet.merged_cells.ranges:
        top = (
            values[merged.min_row - 1][merged.min_col - 1]
            if merged.min_row <= len(values)
            else None
        )
        for r in range(merged.min_row, min(merged.max_row, len(values)) + 1):
            row = values[r - 1]
            for c in range(merged.min_col, merged.max_col + 1):
                while len(row) < c:
                    row.append(None)
                if c == merged.min_col:
                    row[c - 1] = top
                else:
                    spanned.add((r, c))
    return [
        GridRow(
            f"工作表“{sheet.title}”第{r}行",
            tuple(
                GridCell(cell_lines(_text(v)), spanned=(r, c) in spanned)
                for c, v in enumerate(row, start=1)
            ),
        )
        for r, row in enumerate(values, start=1)
    ]


def read_xlsx(path: Path, source: str) -> list[Row]:
    try:
        book = load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as e:
        raise TableError(f"{source}：无法作为 Excel 工作簿打开（{e}）") from e
    try:
        for sheet in book.worksheets:
            grid = _grid(sheet)
            try:
                return table_rows([grid], source)
            except TableError as e:
                if "没有找到表头" not in str(e):
                    raise
        raise TableError(f"{source}：没有一个工作表有责任分解表的表头（序号、工作标准、牵头单位…）")
    finally:
        book.close()
