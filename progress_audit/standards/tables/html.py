"""The notice published on the district's website (`.html`).

The page may have navigation, layout tables and footers around the table: every `<table>` is
read (nested ones too) and the first whose header matches is the table. `rowspan` repeats a
cell in every row it spans; `colspan` keeps its text in the first column. `<br>` and `<p>`
inside a cell are line breaks. The page's encoding is its own (`charset`), UTF-8 or GB18030.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from progress_audit.standards.tables.rows import GridCell, GridRow, Row, TableError, table_rows

_BLOCKS = {"p", "div", "li", "br", "tr"}


class _Cell:
    def __init__(self, rowspan: int, colspan: int) -> None:
        self.parts: list[str] = []
        self.rowspan = rowspan
        self.colspan = colspan

    def lines(self) -> tuple[str, ...]:
        text = re.sub(r"[ \t\r\f\v\u3000\xa0]*\n[ \t\r\f\v\u3000\xa0]*", "\n", "".join(self.parts))
        return tuple(line for line in text.strip("\n").split("\n"))


class _Table:
    def __init__(self, number: int) -> None:
        self.number = number
        self.rows: list[list[_Cell]] = []
        self.cell: _Cell | None = None


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[_Table] = []
        self.done: list[_Table] = []
        self.skip = 0
        self.count = 0

    @staticmethod
    def _span(attrs: list[tuple[str, str | None]], name: str) -> int:
        value = dict(attrs).get(name) or "1"
        digits = re.match(r"\s*(\d+)", value)
        return max(1, int(digits.group(1))) if digits else 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag == "table":
            self.count += 1
            self.stack.append(_Table(self.count))
        elif not self.stack:
            return
        elif tag == "tr":
            self.stack[-1].rows.append([])
            self.stack[-1].cell = None
        elif tag in ("td", "th"):
            table = self.stack[-1]
            if not table.rows:
                table.rows.append([])
            table.cell = _Cell(self._span(attrs, "rowspan"), self._span(attrs, "colspan"))
            table.rows[-1].append(table.cell)
        elif tag in _BLOCKS and self.stack[-1].cell is not None:
            self.stack[-1].cell.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" and self.stack and self.stack[-1].cell is not None:
            self.stack[-1].cell.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag == "table" and self.stack:
            self.done.append(self.stack.pop())
        elif tag in ("td", "th") and self.stack:
            self.stack[-1].cell = None
        elif tag in ("p", "div", "li") and self.stack and self.stack[-1].cell is not None:
            self.stack[-1].cell.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.skip or not self.stack or self.stack[-1].cell is None:
            return
        self.stack[-1].cell.parts.append(re.sub(r"[\r\n]+", "", data))


def _carry(row: list[GridCell], pending: dict[int, tuple[int, GridCell]]) -> bool:
    """Put the cell a rowspan above brings into `row`'s next column, if there is one."""
    col = len(row)
    if col not in pending:
        return False
    left, cell = pending[col]
    row.append(cell)
    if left <= 1:
        del pending[col]
    else:
        pending[col] = (left - 1, cell)
    return True


def _grid(table: _Table, label: str) -> list[GridRow]:
    """The table's rows with rowspan and colspan followed."""
    pending: dict[int, tuple[int, GridCell]] = {}  # column → (rows still to cover, cell)
    grid: list[GridRow] = []
    for r, cells in enumerate(table.rows, start=1):
        row: list[GridCell] = []
        queue = list(cells)
        while queue or any(c >= len(row) for c in pending):
            if _carry(row, pending):
                continue
            if not queue:
                row.append(GridCell())  # a rowspan further right than the row's own cells
                continue
            cell = queue.pop(0)
            first = GridCell(cell.lines())
            if cell.rowspan > 1:
                pending[len(row)] = (cell.rowspan - 1, first)
            row.append(first)
            for _ in range(cell.colspan - 1):
                tail = GridCell(spanned=True)
                if cell.rowspan > 1:
                    pending[len(row)] = (cell.rowspan - 1, tail)
                row.append(tail)
        grid.append(GridRow(f"{label}第{r}行", tuple(row)))
    return grid


def _decode(data: bytes) -> str:
    head = data[:4096].decode("ascii", errors="ignore")
    declared = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_-]+)", head)
    candidates = [declared.group(1)] if declared else []
    candidates += ["utf-8-sig", "gb18030"]
    for encoding in candidates:
        try:
            return data.decode("gb18030" if encoding.lower() in ("gb2312", "gbk") else encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("utf-8", errors="replace")


def read_html(path: Path, source: str) -> list[Row]:
    parser = _Tables()
    parser.feed(_decode(path.read_bytes()))
    parser.close()
    # Inner tables close first: a layout table around the office's table is tried after it.
    tables = parser.done
    if not tables:
        raise TableError(f"{source}：网页中没有表格")
    for table in tables:
        grid = _grid(table, "表格" if len(tables) == 1 else f"第{table.number}个表格")
        try:
            return table_rows([grid], source)
        except TableError as e:
            if "没有找到表头" not in str(e):
                raise
    raise TableError(f"{source}：网页中没有一个表格有责任分解表的表头（序号、工作标准、牵头单位…）")
