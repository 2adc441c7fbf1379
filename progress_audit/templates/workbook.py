"""The submission template (进度填报表) the office sends every lead unit each month.

What the units and the reader agree on is fixed: first sheet `进度填报`, title cells
`填报单位：…` and `填报月份：2019年6月`, one header row with the twelve agreed headers,
then one row per task line, pre-filled from the catalogue. Everything else here makes the
sheet hard to fill in wrongly: drop-downs and rules with Chinese help, pre-filled cells locked
(sheet protection without a password: it guards against slips, not against the unit), a
frozen header, A4 landscape print with the header repeated, and a second sheet `填报说明`.

Where last month's figures are known they go in an extra, locked column headed
`上月累计（参考）` after 下步计划; the reader ignores headers it does not know.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, NamedStyle, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.datavalidation import DataValidation

from progress_audit.files.xlsx_style import (
    font,
    lines_needed,
    merge_row,
    print_setup,
    put,
    save_workbook,
    use_default_font,
)
from progress_audit.model.period import Calendar, Period
from progress_audit.model.records import REPORTED_STATUSES, ReportedRow
from progress_audit.model.wording import deadline_label
from progress_audit.standards.responsibility import TaskLine
from progress_audit.templates.nodes import NodeLine, add_node_sheet

if TYPE_CHECKING:
    from progress_audit.standards.catalogue import Catalogue

SHEET = "进度填报"
GUIDE_SHEET = "填报说明"
UNIT_LABEL = "填报单位："
PERIOD_LABEL = "填报月份："
DUE_LABEL = "报送截止："

# The twelve headers the reader expects, in their agreed order.
HEADERS: tuple[str, ...] = (
    "任务编号",
    "指标编号",
    "工作标准",
    "目标值",
    "计量单位",
    "本年累计完成",
    "完成状态",
    "形象进度",
    "预计完成时间",
    "进展情况",
    "存在问题",
    "下步计划",
)
PREFILLED: tuple[str, ...] = HEADERS[:5]
INPUTS: tuple[str, ...] = HEADERS[5:]
PREVIOUS_HEADER = "上月累计（参考）"
"""Last month's figure, for reference only; deliberately unlike any synonym of 本年累计完成."""

TITLE_ROWS = 4  # title, unit, month, due date

HELP: dict[str, str] = {
    "任务编号": "重点任务编号，如 16.1 表示第 16 项目标的第（1）条工作标准。已预填，请勿修改。",
    "指标编号": "量化指标编号，如 16.1.1；没有量化指标的任务为空。已预填，请勿修改。",
    "工作标准": "指标名称，或没有量化指标的任务的工作标准原文。已预填，请勿修改。",
    "目标值": (
        "全年目标值，单位见“计量单位”。已预填，请勿修改；目标如有调整，请在“存在问题”中说明。"
    ),
    "计量单位": "目标值和本年累计完成的计量单位。已预填，请勿修改。",
    "本年累计完成": (
        "仅有量化指标的行填写。累计类：本年 1 月 1 日至本月底的累计完成数；比率类（%）：当前的"
        "比率或增幅；水平类：当前值。只填数字，单位与“计量单位”一致，不带单位、文字或逗号。"
    ),
    "完成状态": (
        "从下拉列表选择：未启动、推进中、已完成、受阻。选“受阻”的请在“存在问题”中说明原因。"
    ),
    "形象进度": (
        "仅没有量化指标的任务填写：按工作量估计的完成百分比，填 0 到 100 的整数，不带 % 号。"
    ),
    "预计完成时间": "预计全部完成的日期，如 2019-12-31。",
    "进展情况": "本年以来的主要工作和完成情况，简明扼要。",
    "存在问题": "影响进度的问题和困难，需要协调的事项；没有问题填“无”。",
    "下步计划": "下一步的工作安排和完成时限。",
    PREVIOUS_HEADER: (
        "上月报送的本年累计完成数（没有量化指标的任务为上月的完成状态和形象进度），"
        "仅供对照本月填报，不需填写，督查室不读取此列。"
    ),
}

WIDTHS: dict[str, float] = {
    "任务编号": 8,
    "指标编号": 9,
    "工作标准": 44,
    "目标值": 9,
    "计量单位": 8,
    "本年累计完成": 12,
    "完成状态": 10,
    "形象进度": 9,
    "预计完成时间": 13,
    "进展情况": 32,
    "存在问题": 24,
    "下步计划": 24,
    PREVIOUS_HEADER: 13,
}
WRAPPED = {"工作标准", "进展情况", "存在问题", "下步计划", PREVIOUS_HEADER}

COMPARATOR_WORDS = {">=": "不低于", ">": "超过", "<=": "不超过", "<": "低于", "~": "左右"}
KIND_WORDS = {"cumulative": "累计类", "rate": "比率类", "level": "水平类"}

_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\s]+')


@dataclass(frozen=True)
class TemplateLayout:
    """Where things sit on the 进度填报 sheet: the header row, the columns, a row per line."""

    header_row: int
    headers: tuple[str, ...]
    keys: tuple[tuple[str, str | None], ...]
    """Task-line keys (task_id, metric_id) in row order."""

    @property
    def first_row(self) -> int:
        return self.header_row + 1

    @property
    def last_row(self) -> int:
        return self.header_row + len(self.keys)

    def column(self, header: str) -> int:
        return self.headers.index(header) + 1

    def row(self, key: tuple[str, str | None]) -> int:
        return self.first_row + self.keys.index(key)

    def cell(self, key: tuple[str, str | None], header: str) -> str:
        """The cell of one line and column, e.g. `F7`."""
        return f"{get_column_letter(self.column(header))}{self.row(key)}"


def template_layout(
    lines: Sequence[TaskLine],
    *,
    previous: bool = False,
    title_gap: int = 0,
    order: Sequence[str] | None = None,
    extra: Sequence[str] = (),
) -> TemplateLayout:
    """The office's layout, or a unit's altered copy of it (rows inserted above the header,
    columns in another `order`, `extra` columns at the end); the synthetic inbox uses the latter.
    """
    headers = tuple(order) if order else HEADERS + ((PREVIOUS_HEADER,) if previous else ())
    if missing := [h for h in HEADERS if h not in headers]:
        raise ValueError(f"版式缺少表头：{'、'.join(missing)}")
    headers += tuple(h for h in extra if h not in headers)
    if len(set(headers)) != len(headers):
        raise ValueError(f"版式表头重复：{headers}")
    return TemplateLayout(TITLE_ROWS + 1 + title_gap, headers, tuple(ln.key for ln in lines))


def template_filename(unit: str, period: Period) -> str:
    """`2019-06_人社局_进度填报表.xlsx`: month first so a folder sorts by month."""
    return f"{period}_{_UNSAFE_NAME.sub('_', unit)}_进度填报表.xlsx"


def due_label(due: datetime) -> str:
    """`2019年7月5日24时前`: the deadline as the office states it, and 前 (submit before it)."""
    return f"{deadline_label(due)}前"


def number(value: float) -> int | float:
    """500.0 → 500, so a whole figure shows and is stored without a trailing `.0`."""
    return int(value) if float(value).is_integer() else value


def build_template(
    unit: str,
    lines: tuple[TaskLine, ...],
    period: Period,
    due: datetime,
    previous: Mapping[tuple[str, str | None], ReportedRow] | None = None,
    *,
    layout: TemplateLayout | None = None,
    nodes: Sequence[NodeLine] = (),
) -> Workbook:
    """The workbook one unit fills in for one month (进度填报表), pre-filled from its task lines.

    `previous` (last month's reported rows by line key) adds the `上月累计（参考）` column.
    `layout` defaults to the office's; the synthetic inbox passes altered ones.
    """

    layout = layout or template_layout(lines, previous=bool(previous))
    if layout.keys != tuple(ln.key for ln in lines):
        raise ValueError("版式的行与任务不一致")
    wb = Workbook()
    use_default_font(wb, 11)
    ws = wb.active
    ws.title = SHEET
    _register_styles(wb)
    _title(ws, layout, unit, period, due)
    _header(ws, layout)
    _rows(ws, layout, lines, previous or {})
    _validations(ws, layout, lines, period, previous or {})
    _sheet_setup(ws, layout, unit, period)
    if nodes:
        styles = (
            STYLE_TITLE, STYLE_LABEL, STYLE_HEADER, STYLE_PREFILLED, STYLE_PREFILLED_WRAP,
            STYLE_INPUT, STYLE_INPUT_WRAP,
        )  # fmt: skip
        add_node_sheet(wb, unit, period, nodes, styles)
    _guide(wb.create_sheet(GUIDE_SHEET), unit, lines, period, due, bool(previous))
    wb.active = 0
    return wb


def write_templates(
    out_dir: Path,
    catalogue: Catalogue,
    assignments: Mapping[str, tuple[TaskLine, ...]],
    period: Period,
    calendar: Calendar,
    previous_rows: Sequence[ReportedRow] = (),
    nodes: Mapping[str, Sequence[NodeLine]] | None = None,
) -> list[Path]:
    """One template per reporting unit into `out_dir`, written atomically, in unit order.

    `previous_rows` are last month's reported rows of any units (the ones of `period.prev()`);
    `nodes` each unit's nodes due (`templates.nodes.nodes_due`) for its 节点进展 sheet.
    """
    if period.year != catalogue.year:
        raise ValueError(f"填报月份 {period.label} 不属于 {catalogue.year} 年的责任分解表")
    due = calendar.due(period)
    by_unit: dict[str, dict[tuple[str, str | None], ReportedRow]] = {}
    for r in previous_rows:
        by_unit.setdefault(r.unit, {})[(r.task_id, r.metric_id)] = r

    moment = datetime.combine(period.last_day, time())  # the same bytes for the same month
    paths = []
    for unit, lines in assignments.items():
        wb = build_template(
            unit, lines, period, due, by_unit.get(unit), nodes=(nodes or {}).get(unit, ())
        )
        path = Path(out_dir) / template_filename(unit, period)
        paths.append(save_workbook(wb, path, moment, f"{unit}{period.label}进度填报表"))
    return paths


# ── the 进度填报 sheet ────────────────────────────────────────────────────────────────────


# Named cell styles (单元格样式): one registration per workbook, then one assignment per cell,
# which is also several times faster than setting font, fill, border and alignment one by one.
STYLE_TITLE = "标题"
STYLE_LABEL = "表头信息"
STYLE_HEADER = "栏目"
STYLE_PREFILLED = "预填"
STYLE_PREFILLED_WRAP = "预填换行"
STYLE_REFERENCE = "参考"
STYLE_INPUT = "填写"
STYLE_INPUT_WRAP = "填写换行"
STYLE_INPUT_DATE = "填写日期"
STYLE_INPUT_WHOLE = "填写整数"
STYLE_NOT_APPLICABLE = "不适用"
STYLE_GUIDE = "说明"
STYLE_GUIDE_KEY = "说明栏目"


def _register_styles(wb: Workbook) -> None:
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    body = font(11)
    top = Alignment(vertical="top")
    wrap = Alignment(wrap_text=True, vertical="top")
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    grey = PatternFill("solid", fgColor="F2F2F2")
    white = PatternFill("solid", fgColor="FFFFFF")
    unlocked = Protection(locked=False)

    def style(name: str, **kw: Any) -> None:
        kw.setdefault("font", body)
        wb.add_named_style(NamedStyle(name=name, **kw))

    style(STYLE_TITLE, font=font(16, bold=True), alignment=center)
    style(STYLE_LABEL, font=font(11, bold=True))
    style(
        STYLE_HEADER,
        font=font(11, bold=True),
        fill=PatternFill("solid", fgColor="DDEBF7"),
        border=border,
        alignment=center,
    )
    style(STYLE_PREFILLED, fill=grey, border=border, alignment=top)
    style(STYLE_PREFILLED_WRAP, fill=grey, border=border, alignment=wrap)
    style(
        STYLE_REFERENCE,
        font=font(10, color="595959"),
        fill=grey,
        border=border,
        alignment=wrap,
    )
    style(STYLE_INPUT, fill=white, border=border, alignment=top, protection=unlocked)
    style(STYLE_INPUT_WRAP, fill=white, border=border, alignment=wrap, protection=unlocked)
    style(
        STYLE_INPUT_DATE,
        fill=white,
        border=border,
        alignment=top,
        protection=unlocked,
        number_format="yyyy-mm-dd",
    )
    style(
        STYLE_INPUT_WHOLE,
        fill=white,
        border=border,
        alignment=top,
        protection=unlocked,
        number_format="0",
    )
    style(STYLE_NOT_APPLICABLE, fill=PatternFill("solid", fgColor="BFBFBF"), border=border)
    style(STYLE_GUIDE, border=border, alignment=wrap)
    style(
        STYLE_GUIDE_KEY, fill=PatternFill("solid", fgColor="DDEBF7"), border=border, alignment=wrap
    )


def _title(ws: Any, layout: TemplateLayout, unit: str, period: Period, due: datetime) -> None:
    last = len(layout.headers)
    ws.cell(1, 1).style = STYLE_TITLE
    put(ws, 1, 1, f"{period.year}年重点任务进度填报表")
    merge_row(ws, 1, last)
    ws.row_dimensions[1].height = 30
    for row, text in (
        (2, f"{UNIT_LABEL}{unit}"),
        (3, f"{PERIOD_LABEL}{period.label}"),
        (4, f"{DUE_LABEL}{due_label(due)}"),
    ):
        ws.cell(row, 1).style = STYLE_LABEL
        put(ws, row, 1, text)


def _header(ws: Any, layout: TemplateLayout) -> None:
    r = layout.header_row
    for col, header in enumerate(layout.headers, start=1):
        cell = ws.cell(r, col)
        cell.style = STYLE_HEADER
        put(ws, r, col, header)
        if header in HELP:
            comment = Comment(HELP[header], "督查室")
            comment.width, comment.height = 260, 110
            cell.comment = comment
        ws.column_dimensions[get_column_letter(col)].width = WIDTHS.get(header, 14)
    ws.row_dimensions[r].height = 30


def _rows(
    ws: Any,
    layout: TemplateLayout,
    lines: Sequence[TaskLine],
    previous: Mapping[tuple[str, str | None], ReportedRow],
) -> None:
    for line in lines:
        r = layout.row(line.key)
        values: dict[str, Any] = {
            "任务编号": line.task_id,
            "指标编号": line.metric_id or "",
            "工作标准": line.text,
            "目标值": number(line.target) if line.target is not None else None,
            "计量单位": line.unit_of_measure,
        }
        if PREVIOUS_HEADER in layout.headers:
            values[PREVIOUS_HEADER] = _previous_value(line, previous.get(line.key))
        for header in layout.headers:
            col = layout.column(header)
            ws.cell(r, col).style = _cell_style(header, line)
            if header in values:  # catalogue text stays text, never a formula
                put(ws, r, col, values[header])
        ws.row_dimensions[r].height = _row_height(line)


def _cell_style(header: str, line: TaskLine) -> str:
    """Pre-filled cells locked and grey; input cells unlocked and white; cells that do not
    apply to the line (a figure for a task without a metric) locked and dark grey."""
    if header == PREVIOUS_HEADER:
        return STYLE_REFERENCE
    if header in PREFILLED:
        return STYLE_PREFILLED_WRAP if header in WRAPPED else STYLE_PREFILLED
    if not _applies(header, line):
        return STYLE_NOT_APPLICABLE
    if header == "预计完成时间":
        return STYLE_INPUT_DATE
    if header == "形象进度":
        return STYLE_INPUT_WHOLE
    return STYLE_INPUT_WRAP if header in WRAPPED else STYLE_INPUT


def _applies(header: str, line: TaskLine) -> bool:
    """本年累计完成 is for metric rows, 形象进度 for tasks without a metric; the rest for all."""
    if header == "本年累计完成":
        return line.metric_id is not None
    if header == "形象进度":
        return line.metric_id is None
    return True


def _previous_value(line: TaskLine, row: ReportedRow | None) -> Any:
    if row is None:
        return None
    if line.metric_id is not None:
        return number(row.value) if row.value is not None else (row.value_text or None)
    parts = [row.status or ""]
    if row.percent is not None:
        parts.append(f"{number(row.percent)}%")
    return "，".join(p for p in parts if p) or None


def _row_height(line: TaskLine) -> float:
    """Room for the wrapped standard text and for four lines of the unit's own words."""
    return max(4, lines_needed(line.text, WIDTHS["工作标准"])) * 15 + 4


def _metric_prompt(line: TaskLine, period: Period, previous: ReportedRow | None) -> str:
    m = line.metric
    assert m is not None
    target = f"{COMPARATOR_WORDS.get(m.comparator, '')}{number(m.target)}{m.unit}"
    how = {
        "cumulative": f"填 {period.year} 年 1 月 1 日至本月底的累计数",
        "rate": "填当前的比率或增幅（% 数，如 65 表示 65%）",
        "level": "填当前值",
    }[m.kind]
    text = f"全年目标：{'力争' if m.strive else ''}{target}。{KIND_WORDS[m.kind]}，{how}。"
    if m.kind == "level" and m.baseline is not None:
        text += f"基数 {number(m.baseline)}{m.unit}。"
    text += "只填数字，不带单位、文字或逗号。"
    if previous is not None and previous.value is not None:
        text += f"上月填报：{number(previous.value)}。"
    return text[:250]


def _validations(
    ws: Any,
    layout: TemplateLayout,
    lines: Sequence[TaskLine],
    period: Period,
    previous: Mapping[tuple[str, str | None], ReportedRow],
) -> None:
    if not lines:
        return

    def column_range(header: str) -> str:
        col = get_column_letter(layout.column(header))
        return f"{col}{layout.first_row}:{col}{layout.last_row}"

    def add(dv: DataValidation, cells: Sequence[str]) -> None:
        if cells:
            dv.showInputMessage = dv.showErrorMessage = True
            dv.errorStyle = "stop"
            for c in cells:
                dv.add(c)
            ws.add_data_validation(dv)

    add(
        DataValidation(
            type="list",
            formula1='"' + ",".join(REPORTED_STATUSES) + '"',
            allow_blank=True,
            promptTitle="完成状态",
            prompt="请从下拉列表选择：" + "、".join(REPORTED_STATUSES) + "。",
            errorTitle="完成状态填写有误",
            error="只能选择：" + "、".join(REPORTED_STATUSES) + "。请点单元格右侧的下拉箭头选择。",
        ),
        [column_range("完成状态")],
    )
    add(
        DataValidation(
            type="whole",
            operator="between",
            formula1="0",
            formula2="100",
            allow_blank=True,
            promptTitle="形象进度（0–100）",
            prompt="仅没有量化指标的任务填写：完成百分比，填 0 到 100 的整数，不带 % 号。",
            errorTitle="形象进度填写有误",
            error="形象进度只能填 0 到 100 的整数（如 60 表示完成 60%），不带 % 号。",
        ),
        [layout.cell(ln.key, "形象进度") for ln in lines if ln.metric_id is None],
    )
    first, last = date(period.year, 1, 1), date(period.year + 1, 12, 31)
    add(
        DataValidation(
            type="date",
            operator="between",
            formula1=str(int(to_excel(first))),
            formula2=str(int(to_excel(last))),
            allow_blank=True,
            promptTitle="预计完成时间",
            prompt=f"填日期，如 {period.year}-12-31（{first.year} 年至 {last.year} 年之间）。",
            errorTitle="预计完成时间填写有误",
            error=(
                f"请填 {first:%Y-%m-%d} 至 {last:%Y-%m-%d} 之间的日期，格式如 "
                f"{period.year}-12-31；不要填“年底”等文字。"
            ),
        ),
        [column_range("预计完成时间")],
    )
    for line in lines:
        if line.metric is None:
            continue
        m = line.metric
        lower, upper = ("-1000", "1000") if m.kind == "rate" else ("0", "1000000000000")
        add(
            DataValidation(
                type="decimal",
                operator="between",
                formula1=lower,
                formula2=upper,
                allow_blank=True,
                promptTitle=f"{line.metric_id} 本年累计完成"[:32],
                prompt=_metric_prompt(line, period, previous.get(line.key)),
                errorTitle="本年累计完成填写有误",
                error=(
                    f"请只填数字，单位为“{m.unit}”（如 12.5），不要带单位、文字、逗号或“约”。"
                    "无法统计的请留空，并在“存在问题”中说明。"
                )[:220],
            ),
            [layout.cell(line.key, "本年累计完成")],
        )


def _print_setup(ws: Any, title_rows: str | None, area: str, title: str) -> None:
    """The reports' print set-up (A4 landscape, fit to width, page numbers) and a print area."""
    print_setup(ws, title, title_rows)
    ws.print_area = area


def _protect(ws: Any) -> None:
    """Protection without a password: guards against slips, lets a clerk resize rows/columns."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _sheet_setup(ws: Any, layout: TemplateLayout, unit: str, period: Period) -> None:
    ws.freeze_panes = f"A{layout.first_row}"
    last_col = get_column_letter(len(layout.headers))
    _print_setup(
        ws,
        f"{layout.header_row}:{layout.header_row}",
        f"A1:{last_col}{max(layout.last_row, layout.header_row)}",
        f"{unit} {period.label}进度填报表",
    )
    _protect(ws)


# ── the 填报说明 sheet ────────────────────────────────────────────────────────────────────


def _guide(
    ws: Any,
    unit: str,
    lines: Sequence[TaskLine],
    period: Period,
    due: datetime,
    with_previous: bool,
) -> None:
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 96
    rows: list[tuple[str, str, str]] = [("title", "填报说明", "")]

    def section(name: str) -> None:
        rows.append(("section", name, ""))

    section("一、报送要求")
    rows += [
        (
            "item",
            "报送时间",
            f"{period.label}进度请于{due_label(due)}报送督查室，逾期的列为逾期报送。",
        ),
        (
            "item",
            "填写范围",
            "只在白色单元格内填写；浅灰色为预填内容，深灰色为本行不适用，均已锁定。工作表保护"
            "没有密码，只为防止误改，请勿撤销保护后修改预填内容。可以调整行高、列宽。",
        ),
        (
            "item",
            "再次报送",
            "发现填错可以重新报送整张表，以最后收到的一份为准，之前的保留备查。请勿改动表头、"
            "插入或删除行列，不要修改“填报单位”“填报月份”。",
        ),
    ]
    section("二、各栏说明")
    headers = HEADERS + ((PREVIOUS_HEADER,) if with_previous else ())
    rows += [("item", h, HELP[h]) for h in headers]
    section("三、数字写法")
    rows += [
        (
            "item",
            "只填数字",
            "“本年累计完成”只填阿拉伯数字，单位与本行“计量单位”一致。例如目标为 9000 人、"
            "已完成四千五百人，填 4500；不要写“4,500人”“约4500”“0.45万”“四千五百”。",
        ),
        (
            "item",
            "亿元、万元",
            "计量单位为“亿元”的填亿元数（如 12.5），为“万元”的填万元数，不要自行换算。",
        ),
        (
            "item",
            "百分数",
            "计量单位为“%”的填百分数本身，如 65 表示 65%；不要填 0.65，也不要带 % 号。",
        ),
        (
            "item",
            "形象进度",
            "只有没有量化指标的任务填写，0 到 100 的整数；有量化指标的行不填（已锁定）。",
        ),
        (
            "item",
            "无法统计",
            "暂时无法统计的不要填“见附件”“待统计”等文字，请留空，并在“存在问题”中说明原因和"
            "预计提供时间。",
        ),
        ("item", "日期", f"“预计完成时间”填日期，如 {period.year}-12-31，不要填“年底”。"),
    ]
    metric_lines = [ln for ln in lines if ln.metric is not None]
    units = sorted({ln.unit_of_measure for ln in metric_lines if ln.unit_of_measure})
    if metric_lines:
        section(f"四、本单位量化指标（计量单位：{'、'.join(units)}）")
        for ln in metric_lines:
            rows.append(("item", ln.metric_id or "", _metric_note(ln, period)))
    for r, (kind, a, b) in enumerate(rows, start=1):
        if kind == "title":
            ws.cell(r, 1).style = STYLE_TITLE
            merge_row(ws, r, 2)
            ws.row_dimensions[r].height = 30
        elif kind == "section":
            ws.cell(r, 1).style = STYLE_LABEL
            ws.row_dimensions[r].height = 22
        else:
            ws.cell(r, 1).style = STYLE_GUIDE_KEY
            ws.cell(r, 2).style = STYLE_GUIDE
            put(ws, r, 2, b)
            ws.row_dimensions[r].height = lines_needed(b, 96) * 15 + 4
        put(ws, r, 1, a)
    _print_setup(ws, None, f"A1:B{len(rows)}", f"{unit} {period.label}进度填报表 填报说明")
    _protect(ws)


def _metric_note(line: TaskLine, period: Period) -> str:
    m = line.metric
    assert m is not None
    target = f"{'力争' if m.strive else ''}{COMPARATOR_WORDS.get(m.comparator, '')}"
    text = f"{m.name}：全年目标{target}{number(m.target)}{m.unit}（{KIND_WORDS[m.kind]}）。"
    if m.kind == "cumulative":
        text += f"填 {period.year} 年 1 月 1 日至本月底的累计数。"
    elif m.kind == "rate":
        text += "填当前的比率或增幅。"
    else:
        text += "填当前值"
        if m.baseline is not None:
            text += f"，基数 {number(m.baseline)}{m.unit}"
            if m.baseline_note:
                text += f"（{m.baseline_note}）"
        text += "。"
    if m.profile.shape == "deadline":
        text += "一次性目标，按期完成即可。"
    return text
