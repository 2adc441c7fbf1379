"""The office's text export of the table (`.txt`, the form of the 2019 table).

One cell per tab: a line that starts with a tab opens a new cell, a line without one continues
the cell above (the table wrapped it), and a blank line ends a row. Lines before the header
without a tab are the sheet's titles (附件, 表名). A cell the table merged down is written in
its first row only: an empty leader or lead-unit cell inside a goal is the one above.
"""

from __future__ import annotations

from pathlib import Path

from progress_audit.standards.tables.rows import GridCell, GridRow, Row, TableError, table_rows


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


def _grid_row(record: list[tuple[int, str]], source: str) -> GridRow:
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
    first, last = record[0][0], record[-1][0]
    return GridRow(
        f"第{first}行",
        tuple(GridCell(tuple(c)) for c in cells),
        line=first,
        extent=f"第{first}–{last}行",
    )


def read_text_rows(text: str, source: str = "<table>") -> list[Row]:
    """The table's rows from the export's text. Raises TableError."""
    records = _records(text)
    while records and all("\t" not in line for _, line in records[0]):
        records.pop(0)
    if records:
        while "\t" not in records[0][0][1]:
            records[0].pop(0)
    grid = [_grid_row(r, source) for r in records]
    if len(grid) > 1 and grid[0].cells:
        width = len(grid[0].cells)
        last = grid[-1]
        if len(last.cells) == width - 1:
            # The export drops the tab of an empty last cell at the very end of the file.
            grid[-1] = GridRow(
                last.where, (*last.cells, GridCell(("",))), line=last.line, extent=last.extent
            )
    return _merged_down(table_rows([grid], source))


# The leader and lead-unit columns: a cell merged down in the table the export came from is
# written in its first row only.
_CARRIED = (3, 4)


def _merged_down(rows: list[Row]) -> list[Row]:
    """Empty leader and lead-unit cells take the row above's, within one goal."""
    out: list[Row] = []
    for row in rows:
        if out and not row.text(0):
            above = out[-1]
            cells = list(row.cells)
            for c in _CARRIED:
                if not row.text(c):
                    cells[c] = above.cells[c]
            row = Row(row.line, tuple(cells), row.where)
        out.append(row)
    return out


def read_text(path: Path, source: str) -> list[Row]:
    return read_text_rows(path.read_text(encoding="utf-8-sig"), source)
