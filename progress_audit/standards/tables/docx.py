"""A Word table (`.docx`), read from the document's XML grid with python-docx.

A cell merged down (`w:vMerge`) belongs to every row it spans; a cell merged across
(`w:gridSpan`) keeps its text in its first grid column. A document may hold the table in
several pieces (continued on the next page) and other tables (a cover, a signature): every
table whose header matches is read, in order.
"""

from __future__ import annotations

from pathlib import Path

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import _Cell

from progress_audit.standards.tables.rows import GridCell, GridRow, Row, TableError, table_rows


def _cell_text(tc) -> tuple[str, ...]:
    # A paragraph a line, and a line break inside a paragraph (`w:br`) is a line too.
    return tuple(line for p in _Cell(tc, None).paragraphs for line in p.text.split("\n"))


def _grid(table, label: str) -> list[GridRow]:
    rows: list[GridRow] = []
    above: list[GridCell] = []
    for r, tr in enumerate(table._tbl.tr_lst, start=1):
        cells: list[GridCell] = [GridCell() for _ in range(tr.grid_before)]
        for tc in tr.tc_lst:
            col = len(cells)
            if tc.vMerge == "continue":
                lines = above[col].lines if col < len(above) else ()
            else:
                lines = _cell_text(tc)
            cells.append(GridCell(lines))
            cells.extend(GridCell(spanned=True) for _ in range(tc.grid_span - 1))
        above = cells
        rows.append(GridRow(f"{label}第{r}行", tuple(cells)))
    return rows


def read_docx(path: Path, source: str) -> list[Row]:
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError) as e:
        raise TableError(f"{source}：无法作为 Word 文档打开（{e}）") from e
    tables = document.tables
    if not tables:
        raise TableError(f"{source}：文档中没有表格")
    label = "表格" if len(tables) == 1 else "第{n}个表格"
    return table_rows((_grid(t, label.format(n=n)) for n, t in enumerate(tables, start=1)), source)
