"""How every report workbook looks and prints (报表样式): fills, borders, print setup, and the one
safe way to write a cell.

Reports are printed (A4 landscape, fit to width, header row repeated, page numbers) and opened
in Excel or WPS. Status colours are light fills so that a black-and-white print still shows
the status word in the cell. Text that came from a unit is written with `put`, which keeps it
text: never a formula, whatever it starts with.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Sequence
from copy import copy
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal
from weakref import WeakKeyDictionary

from openpyxl import Workbook
from openpyxl.cell import Cell, MergedCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from progress_audit.files.atomic import write_bytes
from progress_audit.files.short_texts import cache_short_texts

# Light fills (print as light greys) and a darker font for the serious ones.
STATUS_FILLS: dict[str, str] = {
    "overdue": "FF9E9E",
    "off_track": "FFC7CE",
    "at_risk": "FFE699",
    "missing": "D9D9D9",
    "invalid": "E2CFF1",
    "on_track": "C6EFCE",
    "completed": "9FD8AE",
    "planning": "DDEBF7",
}
STATUS_FONTS: dict[str, str] = {"overdue": "7F0000", "off_track": "9C0006", "at_risk": "7F6000"}
HEADER_FILL = "DDEBF7"
_THIN = Side(style="thin", color="A6A6A6")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
GROUP_FILL = "F2F2F2"
SUBGROUP_FILL = "FAFAFA"

DATE_FORMAT = 'yyyy"年"m"月"d"日"'
PERCENT_FORMAT = "0.0%"
POINTS_FORMAT = "0.0"
FONT_NAME = "宋体"
"""The one font of every workbook, named in each cell style so that no program picks its own.

宋体 is in every Chinese Windows, Excel and WPS (their default before 等线), and the units'
own templates use it. LibreOffice maps the Chinese name to Noto Sans CJK for the Chinese and
a sans-serif for the digits; the English name (SimSun) it maps to serif fonts, so it is
written in Chinese."""
GB2312_CHARSET = 134
FONT_SIZE = 10
MIN_PRINT_SIZE = 9  # no body text prints smaller: a print's columns fit at 90 % or more
LINE_HEIGHT = 14.0  # points per wrapped line at FONT_SIZE, enough for CJK glyphs
MAX_CELL = 32_767  # Excel's limit on characters in a cell
_FORMULA_START = ("=", "+", "-", "@")
_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")

Kind = Literal["text", "number", "percent", "points", "date", "status", "count"]


@dataclass(frozen=True)
class Column:
    """A table column: its header, what kind of values it holds, and its widest width."""

    header: str
    kind: Kind = "text"
    max_width: int = 30
    min_width: int = 6


def font(size: float = FONT_SIZE, **kw: Any) -> Font:
    """A Font in the workbooks' one typeface (FONT_NAME), Chinese character set."""
    return Font(name=FONT_NAME, size=size, charset=GB2312_CHARSET, **kw)


def use_default_font(wb: Workbook, size: float = FONT_SIZE) -> None:
    """Make FONT_NAME the workbook's default font (the Normal style's, and font record 0, which
    every cell without a font of its own uses and which sizes Excel's column width unit)."""
    wb._fonts = IndexedList([font(size)])
    normal = next(s for s in wb._named_styles if s.name == "Normal")
    normal.font = font(size)


def display_width(text: str, wide: float = 2.0) -> float:
    """Width in Excel's character units: a CJK (wide) character counts `wide` (two)."""
    widest = 0.0
    for line in str(text).splitlines() or [""]:
        widest = max(widest, _line_width(line, wide))
    return widest


# Cached: the same texts (units, names, statuses) are sized in every report of the month.
@cache_short_texts(256)
def _line_width(line: str, wide: float) -> float:
    return sum(wide if unicodedata.east_asian_width(ch) in "WF" else 1.0 for ch in line)


PAGE_WIDTH_PX = (297 / 25.4 - 0.8) * 96
"""A4 landscape less the left and right margins (`print_setup`), in pixels at 96 per inch."""


def page_width(ncols: int) -> float:
    """The column width units (`ws.column_dimensions[...].width`) of `ncols` columns that fill
    one A4 landscape page at 100 %: a column takes 7 pixels a unit plus 5 of padding."""
    return (PAGE_WIDTH_PX - 5 * ncols) / 7 - 1


def fill_widths(columns: Sequence[Column], widths: Sequence[float], total: float) -> list[float]:
    """Widen (or narrow, down to their minimum) the long text columns so that all the widths add
    up to `total`: the table fills the page and prints at full size."""
    grow = [i for i, c in enumerate(columns) if c.kind == "text" and c.max_width >= 14]
    out = list(widths)
    if not grow:
        return out
    spare = total - sum(out)
    share = sum(columns[i].max_width for i in grow)
    for i in grow:
        out[i] = max(columns[i].min_width, out[i] + spare * columns[i].max_width / share)
    return [round(w, 1) for w in out]


def lines_needed(text: str, width: float) -> int:
    """Wrapped lines a text takes in a column `width` units wide.

    Excel draws a 10-point CJK glyph about 1.9 units wide (LibreOffice less): estimating with
    1.9 gives rows tall enough in Excel and WPS and a little air in LibreOffice.
    """
    usable = max(width - 1.0, 1.0)
    return sum(
        max(1, math.ceil(display_width(line, 1.9) / usable))
        for line in str(text).splitlines() or [""]
    )


def number_format_for(value: float) -> str:
    """Thousands separators and as many decimals as the value has (at most two)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    decimals = len(text.partition(".")[2])
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def put(ws: Worksheet, row: int, col: int, value: Any, number_format: str | None = None) -> Cell:
    """Write one value to a cell: numbers and dates as such, everything else as TEXT.

    The only cell writer of the reports. A string is never a formula (`=HYPERLINK(...)`,
    `+cmd`, `-1+2`, `@SUM(1)` stay visible text): data type `s` is forced after assignment,
    and a string that a spreadsheet would read as a formula when retyped gets a quote prefix.
    Characters a workbook cannot hold (control codes) become U+FFFD: shown, never dropped.
    """
    cell = ws.cell(row=row, column=col)
    if value is None:
        cell.value = None
    elif isinstance(value, bool):
        cell.value = "是" if value else "否"
        cell.data_type = "s"
    elif isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return put(ws, row, col, str(value))
        cell.value = value
        cell.number_format = number_format or number_format_for(value)
    elif isinstance(value, datetime | date):
        cell.value = value
        cell.number_format = number_format or DATE_FORMAT
    else:
        text = _ILLEGAL.sub("\ufffd", str(value))
        if len(text) > MAX_CELL:
            text = text[: MAX_CELL - 10] + "…（已截断）"
        cell.value = text
        cell.data_type = "s"
        cell.number_format = "@"  # text format: retyping the cell keeps it text too
        if text.startswith(_FORMULA_START):
            cell.quotePrefix = True
    return cell


def new_workbook() -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    use_default_font(wb)
    return wb


def title_rows(ws: Worksheet, title: str, subtitle: str, ncols: int) -> int:
    """Row 1 the title, row 2 the period and as-of line; returns the next free row (3)."""

    fonts = {"title": font(15, bold=True), "subtitle": font(color="404040")}
    for r, text, look in ((1, title, "title"), (2, subtitle, "subtitle")):
        cell = put(ws, r, 1, text)

        def apply(cell: Cell = cell, look: str = look) -> None:
            cell.font = fonts[look]
            # the subtitle wraps within the table's width (its height: `finish_table`)
            cell.alignment = Alignment(vertical="center", wrap_text=look == "subtitle")

        _styled(cell, (look,), apply)
    for r in (1, 2):
        if ncols > 1:
            merge_row(ws, r, ncols)
    ws.row_dimensions[1].height = 24
    ws.row_dimensions[2].height = 18
    return 3


def status_style(cell: Cell, status: str) -> None:
    """The status colour: fill, and a dark bold font for the serious ones."""

    fill = STATUS_FILLS.get(status)
    if fill:
        cell.fill = PatternFill("solid", fgColor=fill)
    cell.font = font(bold=status in STATUS_FONTS, color=STATUS_FONTS.get(status))


@dataclass
class Table:
    """A data table on a sheet: header at `header_row`, data rows after it.

    Widths and row heights are settled in `finish_table`, once every row is known.
    """

    ws: Worksheet
    columns: Sequence[Column]
    header_row: int
    next_row: int
    shown: dict[int, list[str]] = field(default_factory=dict)
    """Row → roughly what each cell shows, to size columns and rows."""

    @property
    def last_col(self) -> int:
        return len(self.columns)


# Per workbook: the style record each (style before, look) gave, so far.
_STYLES: WeakKeyDictionary[Workbook, dict[tuple[object, ...], StyleArray]] = WeakKeyDictionary()


def _styled(cell: Cell, look: tuple[object, ...], apply: Callable[[], None]) -> None:
    """Give `cell` its `look` by `apply()`, or by copying the style record of a cell of the same
    workbook that had the same style and got the same look. The same result (the workbook
    already holds every font, fill and border `apply` would add), without passing each part
    through openpyxl's style descriptors again, which cost more than the rest of a report."""
    styles = _STYLES.setdefault(cell.parent.parent, {})
    before = cell._style
    # No look touches the number format or the quote prefix (`put` sets them per value): cells
    # differing only there share one record, and keep their own.
    key = (None if before is None else (*before[:3], *before[4:7], before[8]), *look)
    style = styles.get(key)
    if style is None:
        apply()
        styles[key] = copy(cell._style)
    else:
        cell._style = copy(style)
        if before is not None:
            cell._style.numFmtId, cell._style.quotePrefix = before.numFmtId, before.quotePrefix


def unlock_rows(ws: Worksheet, first: int, last: int, columns: int) -> None:
    """Unlock columns 1 to `columns` of rows `first` to `last` (room a protected sheet leaves
    for rows the user adds): `cell.protection = Protection(locked=False)` for each cell, set
    through `_styled` (once per style a cell had before, then copied)."""
    for row in range(first, last + 1):
        for col in range(1, columns + 1):
            cell = ws.cell(row, col)

            def unlock(cell: Cell = cell) -> None:
                cell.protection = Protection(locked=False)

            _styled(cell, ("unlocked",), unlock)


@dataclass(frozen=True)
class _Merge:
    """What `ws.merge_cells` does to a row's styles, for one look of its first and last cell:
    the borders and protections it adds to the workbook's lists (in its order, after the
    workbook's defaults), and the border and protection it leaves on the first, an inner and
    the last cell (with the inner and last cells' whole style records)."""

    borders: tuple[Border, ...]
    protections: tuple[Protection, ...]
    first: tuple[Border, Protection]
    rest: tuple[tuple[StyleArray, Border, Protection], ...]  # an inner cell (if any), the last


# By the first cell's border and protection, the last cell's border (None: no last cell) and
# the width (up to 3: inner cells are alike). Learnt once per process, on a scratch workbook.
_MERGES: dict[tuple[object, ...], _Merge] = {}


def merge_row(ws: Worksheet, row: int, last_col: int) -> None:
    """Merge columns 1 to `last_col` of `row`: the same cells, styles and workbook style lists as
    `ws.merge_cells`, which re-adds a border and a protection record per covered cell through
    openpyxl's (slow) style hashing. Its effect depends only on the first cell's border and
    protection, the last cell's border and the width: learnt once by letting openpyxl merge
    such a row in a scratch workbook, then given to every row alike (the same records added to
    the workbook's lists in the same order, so the saved bytes are the same)."""
    start, end = ws._cells.get((row, 1)), ws._cells.get((row, last_col))
    if start is None or start._style is None or last_col < 2:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_col)
        return
    wb = ws.parent
    key = (
        wb._borders[start._style.borderId],
        wb._protections[start._style.protectionId],
        None if end is None else wb._borders[end._style.borderId],
        min(last_col, 3),
    )
    merge = _MERGES.get(key)
    if merge is None:
        merge = _MERGES[key] = _learn_merge(*key)
    for border in merge.borders:
        wb._borders.add(border)
    for protection in merge.protections:
        wb._protections.add(protection)
    style = copy(start._style)
    style.borderId = wb._borders.add(merge.first[0])
    style.protectionId = wb._protections.add(merge.first[1])
    start._style = style
    rest = []
    for model, border, protection in merge.rest:
        style = copy(model)
        style.borderId = wb._borders.add(border)
        style.protectionId = wb._protections.add(protection)
        rest.append(style)
    for c in range(2, last_col + 1):
        merged = ws._cells[row, c] = MergedCell(ws, row, c)
        merged._style = copy(rest[-1] if c == last_col else rest[0])
    # MergedCellRange() would re-derive the first cell's border (the cost avoided here).
    cells = MergedCellRange.__new__(MergedCellRange)
    CellRange.__init__(cells, min_col=1, min_row=row, max_col=last_col, max_row=row)
    cells.ws, cells.start_cell = ws, start
    ws.merged_cells.add(cells)


def _learn_merge(border: Border, protection: Protection, end: Border | None, width: int) -> _Merge:
    wb = Workbook()
    ws = wb.active
    first = ws.cell(1, 1)
    first.border, first.protection = border, protection
    if end is not None:
        ws.cell(1, width).border = end
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)

    def looks(cell: Cell | MergedCell) -> tuple[Border, Protection]:
        return wb._borders[cell._style.borderId], wb._protections[cell._style.protectionId]

    # Index 0 of each list is the default every workbook starts with.
    return _Merge(
        borders=tuple(wb._borders[1:]),
        protections=tuple(wb._protections[1:]),
        first=looks(first),
        rest=tuple(
            (copy(ws._cells[1, c]._style), *looks(ws._cells[1, c])) for c in sorted({2, width})
        ),
    )


def start_table(ws: Worksheet, columns: Sequence[Column], header_row: int) -> Table:
    """Write the bold, filled header row."""
    for i, col in enumerate(columns, start=1):
        cell = put(ws, header_row, i, col.header)

        def apply(cell: Cell = cell) -> None:
            cell.font = font(bold=True)
            cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.border = BORDER

        _styled(cell, ("header",), apply)
    return Table(ws, columns, header_row, header_row + 1)


_KIND_FORMATS = {"percent": PERCENT_FORMAT, "points": POINTS_FORMAT, "count": "0"}
_NUMERIC = ("number", "percent", "points", "count")


def add_row(
    table: Table,
    values: Sequence[Any],
    status: str | None = None,
    bold: bool = False,
) -> int:
    """One data row: borders, wrapping, number formats by column kind, the status colour."""
    r = table.next_row
    for i, (col, value) in enumerate(zip(table.columns, values, strict=True), start=1):
        cell = put(table.ws, r, i, value, _KIND_FORMATS.get(col.kind))
        if col.kind in _NUMERIC and not isinstance(value, str):
            horizontal = "right"
        elif col.kind in ("status", "date"):
            horizontal = "center"
        else:
            horizontal = "left"
        coloured = status if col.kind == "status" else None

        def apply(cell: Cell = cell, horizontal: str = horizontal, coloured: str | None = coloured):
            cell.alignment = Alignment(horizontal=horizontal, vertical="top", wrap_text=True)
            cell.border = BORDER
            cell.font = font(bold=bold)
            if coloured:
                status_style(cell, coloured)

        _styled(cell, ("row", horizontal, bold, coloured), apply)
    table.shown[r] = [
        _shown(v, table.ws.cell(row=r, column=i).number_format)
        for i, v in enumerate(values, start=1)
    ]
    table.next_row = r + 1
    return r


def group_row(table: Table, text: str, level: int = 0) -> int:
    """A group header row (分组行) across the table: `分管领导：周新生（共 3 项）`."""

    r = table.next_row
    cell = put(table.ws, r, 1, text)
    cell.font = font(FONT_SIZE + (1 if level == 0 else 0), bold=True)
    cell.alignment = Alignment(vertical="center", indent=level)
    fill = PatternFill("solid", fgColor=GROUP_FILL if level == 0 else SUBGROUP_FILL)
    border = BORDER
    # The inner cells are replaced by the merge; the last one's border is the merged range's.
    for c in sorted({1, table.last_col}):
        each = table.ws.cell(row=r, column=c)

        def apply(each: Cell = each) -> None:
            each.fill = fill
            each.border = border

        _styled(each, ("group", level), apply)
    merge_row(table.ws, r, table.last_col)
    table.ws.row_dimensions[r].height = LINE_HEIGHT + 5
    table.next_row = r + 1
    return r


def note_row(table: Table, text: str) -> int:
    """A row across the table saying something about it (`本月无逾期任务`)."""

    r = table.next_row
    cell = put(table.ws, r, 1, text)
    cell.font = font(italic=True, color="404040")
    cell.alignment = Alignment(vertical="center")
    if table.last_col > 1:
        merge_row(table.ws, r, table.last_col)
    table.ws.row_dimensions[r].height = LINE_HEIGHT + 5
    table.next_row = r + 1
    return r


def finish_table(
    table: Table,
    print_title: str,
    *,
    autofilter: bool = True,
    freeze: bool = True,
    fill_page: bool = False,
) -> None:
    """Widths that fit the content (within each column's limits), row heights that fit the
    wrapped text, frozen header, filter, and the print setup of the sheet. With `fill_page`,
    the long text columns take what the page has left (or give up what it lacks): the table
    prints one page wide at full size."""
    ws = table.ws
    widths = [
        max(
            col.min_width,
            min(
                col.max_width,
                max((display_width(row[i]) + 2 for row in table.shown.values()), default=0),
            ),
            min(col.max_width, math.ceil(display_width(col.header) / 2) + 2),
        )
        for i, col in enumerate(table.columns)
    ]
    if fill_page:
        widths = fill_widths(table.columns, widths, page_width(len(widths)))
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    header_lines = max(
        lines_needed(c.header, w) for c, w in zip(table.columns, widths, strict=True)
    )
    ws.row_dimensions[table.header_row].height = LINE_HEIGHT * header_lines + 4
    # The subtitle (and any line above the header) wraps across the whole table: tall enough
    # to show all of it, on screen and in print.
    across = sum(widths)
    for r in range(2, table.header_row):
        cell = ws._cells.get((r, 1))
        if cell is not None and isinstance(cell.value, str):
            height = LINE_HEIGHT * lines_needed(cell.value, across) + 4
            ws.row_dimensions[r].height = max(ws.row_dimensions[r].height or 0, height)
    for r, shown in table.shown.items():
        lines = max(lines_needed(text, w) for text, w in zip(shown, widths, strict=True))
        ws.row_dimensions[r].height = LINE_HEIGHT * lines + 3
    last = get_column_letter(table.last_col)
    if freeze:
        ws.freeze_panes = f"A{table.header_row + 1}"
    if autofilter:
        ws.auto_filter.ref = (
            f"A{table.header_row}:{last}{max(table.next_row - 1, table.header_row)}"
        )
    print_setup(ws, print_title, title_rows=f"{table.header_row}:{table.header_row}")


Row = tuple[Sequence[Any], str | None]
"""A table row's values and the status whose colour its status cell takes (or None)."""


def list_sheet(
    wb: Workbook,
    name: str,
    title: str,
    subtitle: str,
    columns: Sequence[Column],
    rows: Iterable[Row],
    empty: str,
    *,
    fill_page: bool = False,
) -> Table:
    """A sheet holding one table: title rows, header, the rows (or `empty` said when there are
    none), widths, filter, frozen header and print setup (`fill_page`: see `finish_table`)."""
    ws = wb.create_sheet(name)
    table = start_table(ws, columns, title_rows(ws, title, subtitle, len(columns)))
    for values, status in rows:
        add_row(table, values, status=status)
    if table.next_row == table.header_row + 1:
        note_row(table, empty)
    finish_table(table, title, fill_page=fill_page)
    return table


def print_setup(ws: Worksheet, print_title: str, title_rows: str | None = None) -> None:
    """A4 landscape, fit to one page wide, header row on every page, page numbers."""

    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddHeader.center.text = print_title.replace("&", "&&")
    ws.oddHeader.center.size = 9
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.center.size = 9


def save_workbook(wb: Workbook, target: Path, as_of: datetime, title: str) -> Path:
    """Save atomically, with the same bytes for the same content and `as_of`.

    openpyxl stamps the save time into the document properties and the zip entries; both are
    set to `as_of` here so that a rerun of the same audit reproduces the file.
    """
    moment = (as_of.astimezone(UTC) if as_of.tzinfo else as_of).replace(tzinfo=None, microsecond=0)
    wb.properties.creator = "progress-audit"
    wb.properties.lastModifiedBy = "progress-audit"
    wb.properties.title = title
    wb.properties.created = moment
    wb.properties.modified = moment
    _name_every_font(wb)
    buf = io.BytesIO()
    # Stored, not deflated: `_reproducible_zip` deflates every part once, when it rewrites it.
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).write_data()
    write_bytes(target, _reproducible_zip(buf.getvalue(), moment))
    return target


def _name_every_font(wb: Workbook) -> None:
    """A font made elsewhere without a name gets FONT_NAME: a workbook never leaves a font for
    the program that opens it to choose (the record's position, which cells refer to, kept)."""
    fonts = list(wb._fonts)
    for i, f in enumerate(fonts):
        if not f.name:
            named = copy(f)
            named.name, named.charset = FONT_NAME, GB2312_CHARSET
            fonts[i] = named
    wb._fonts = IndexedList(fonts)


def _reproducible_zip(data: bytes, moment: datetime) -> bytes:
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    modified = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
    when = (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = modified.sub(rb"\g<1>" + stamp + rb"\g<2>", body)
            entry = zipfile.ZipInfo(info.filename, date_time=when)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, body)
    return out.getvalue()


def _shown(value: Any, number_format: str) -> str:
    """Roughly what the cell shows, to size its column and row."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是"
    if isinstance(value, float | int):
        if number_format == PERCENT_FORMAT:
            return f"{value:.1%}"
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, datetime | date):
        return f"{value.year}年{value.month:02d}月{value.day:02d}日"
    return str(value)
