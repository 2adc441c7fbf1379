"""Responsibility tables written for the tests, in each form the office receives them.

A table is a header (a row, or a list of rows) and rows of six cells. A cell is its text
(lines separated by `\\n`), `M` (merged with the cell above: the goal of several standards, a
leader for several) or `SPAN` (merged with the cell to its left: a sub-heading row's text runs
across to the last column).
Each writer turns the same table into a file the way that form holds it: Word merges
(vMerge, gridSpan), workbook merged ranges, `rowspan`/`colspan` in a web page among other
tables, and the text export (a merged cell written in its first row only).
"""

from __future__ import annotations

import html
from pathlib import Path

M = object()
SPAN = object()

HEADER = ("序号", "目标名称", "工作标准", "区政府\n分管领导", "牵头单位", "配合单位")

# A 2020 table with every trait of real tables: goals merged down, standards numbered on across
# goals, sub-headings, names one a line or separated by 、 and ，, wrapped names, a collective
# name with 、, spaced-out leaders, three leaders in a cell, renamed units, many targets with
# qualifiers, growth rates, amounts, counts and standards with no number at all.
TABLE_2020 = [
    (
        "1",
        "推动经济\n稳中求进",
        "（1）地区生产总值增长6%以上，一般公共预算收入增长5%左右。",
        "陶  伟",
        "区发改局",
        "区财政局、区统计局",
    ),
    (
        M,
        M,
        "（2）全年确保完成固定资产投资65亿元，引进投资超10亿元或1亿美元项目20个。",
        M,
        M,
        "各单位、部门",
    ),
    (M, M, "（3）经济运行稳中提质。", "周新生\n陶  伟\n朱霞", "统计局", "各板块"),
    ("2", "加快产业转型升级", "做强先进制造业", SPAN, SPAN, SPAN),
    (
        M,
        M,
        "（4）规上工业产值突破1000亿元，新认定高企150家。",
        "周新生",
        "区工信局\n区科技局",
        "经开区\n(儒林镇)\n区商务局\n(区招商办)",
    ),
    (
        M,
        M,
        "(5)新开工项目不少于200个，新增规上企业100家以上。",
        M,
        "区商务局",
        "各板块，区自然资源局",
    ),
    (M, M, "优化营商环境", SPAN, SPAN, SPAN),
    (M, M, "（6）完成市下达任务。", "王晓航", "区行政审批局", "区司法局、区市场监管局"),
    (
        "3",
        "增进民生福祉",
        "（7）城镇新增就业9000人，城镇登记失业率控制在3%以内。",
        "朱  霞",
        "区人社局",
        "各单位、部门",
    ),
    (
        M,
        M,
        "（8）新建改扩建学校不少于5所，6月底前完成校舍改造。",
        "朱霞、刘明江",
        "区教育局",
        "区住建局，\n区财政局",
    ),
]

# What the catalogue must say of TABLE_2020 with `区发改局 = 发改局` as an alias:
# id → (section, leaders, lead units, participants, [(target, unit, comparator, kind)]).
EXPECTED_2020 = {
    "1.1": (
        "",
        ("陶伟",),
        ("发改局",),
        ("区财政局", "区统计局"),
        [(6, "%", ">=", "rate"), (5, "%", "~", "rate")],
    ),
    "1.2": (
        "",
        ("陶伟",),
        ("发改局",),
        ("各单位、部门",),
        [(65, "亿元", ">=", "cumulative"), (20, "个", ">=", "cumulative")],
    ),
    "1.3": ("", ("周新生", "陶伟", "朱霞"), ("统计局",), ("各板块",), []),
    "2.4": (
        "做强先进制造业",
        ("周新生",),
        ("区工信局", "区科技局"),
        ("经开区(儒林镇)", "区商务局(区招商办)"),
        [(1000, "亿元", ">", "cumulative"), (150, "家", ">=", "cumulative")],
    ),
    "2.5": (
        "做强先进制造业",
        ("周新生",),
        ("区商务局",),
        ("各板块", "区自然资源局"),
        [(200, "个", ">=", "cumulative"), (100, "家", ">=", "cumulative")],
    ),
    "2.6": ("优化营商环境", ("王晓航",), ("区行政审批局",), ("区司法局", "区市场监管局"), []),
    "3.7": (
        "",
        ("朱霞",),
        ("区人社局",),
        ("各单位、部门",),
        [(9000, "人", ">=", "cumulative"), (3, "%", "<=", "rate")],
    ),
    "3.8": (
        "",
        ("朱霞", "刘明江"),
        ("区教育局",),
        ("区住建局", "区财政局"),
        [(5, "所", ">=", "cumulative")],
    ),
}


# Another office's layout: a header on two rows (责任单位 over 牵头单位 and 配合单位, 责任领导),
# headings above the goals in the 序号 column, a goal on a row of its own with its standards
# below (cells not merged, simply empty), numbering running on and then restarting, and a
# sub-heading in the standard's column.
HEADER_TWO_ROWS = [
    ("序号", "目标任务", "工作标准", "责任领导", "责任单位", SPAN),
    (M, M, M, M, "牵头单位", "配合单位"),
]
TABLE_OTHER = [
    ("一、稳增长", SPAN, SPAN, SPAN, SPAN, SPAN),
    ("1", "扩大有效投资", "", "", "", ""),
    ("", "", "（1）新开工亿元以上项目30个。", "陶  伟", "发改局", ""),
    ("", "", "（2）民间投资增长8%。", "陶  伟", "发改局", "各板块"),
    ("2", "促进消费", "（3）社会消费品零售总额增长7%左右。", "王  斌", "商务局", ""),
    ("二、惠民生", SPAN, SPAN, SPAN, SPAN, SPAN),
    ("3", "稳定就业", "（1）城镇新增就业9000人。", "朱  霞", "人社局", ""),
    (M, M, "（二）重点群体", SPAN, SPAN, SPAN),
    (M, M, "（2）高校毕业生就业率不低于95%。", "朱  霞", "人社局", "教育局"),
]
EXPECTED_OTHER = {
    "1.1": ("一、稳增长", ("陶伟",), ("发改局",), (), [(30, "个", ">=", "cumulative")]),
    "1.2": ("一、稳增长", ("陶伟",), ("发改局",), ("各板块",), [(8, "%", ">=", "rate")]),
    "2.3": ("一、稳增长", ("王斌",), ("商务局",), (), [(7, "%", "~", "rate")]),
    "3.1": ("二、惠民生", ("朱霞",), ("人社局",), (), [(9000, "人", ">=", "cumulative")]),
    "3.2": ("（二）重点群体", ("朱霞",), ("人社局",), ("教育局",), [(95, "%", ">=", "rate")]),
}


def _with_header(rows: list[tuple], header) -> list[tuple]:
    """The table's rows under its header: one row, or several (a list of rows)."""
    return [*(header if isinstance(header, list) else [header]), *rows]


def _extent(rows: list[tuple], r: int, c: int) -> tuple[int, int]:
    """How many rows and columns the cell at (r, c) covers."""
    down = 1
    while r + down < len(rows) and rows[r + down][c] is M:
        down += 1
    across = 1
    while c + across < len(rows[r]) and rows[r][c + across] is SPAN:
        across += 1
    return down, across


def write_docx(rows: list[tuple], path: Path, header=HEADER, title: str = "") -> Path:
    """A Word document with the table, merged as Word merges: `w:vMerge` restart/continue down
    a column, `w:gridSpan` across (set on the XML directly: python-docx's `merge` re-reads
    the whole grid each time, minutes for the 2019 table)."""
    import docx
    from docx.table import _Cell

    document = docx.Document()
    document.add_paragraph(title or "附件")
    document.add_paragraph("重点任务责任分解表")
    rows = _with_header(rows, header)
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    trs = table._tbl.tr_lst
    for r, row in enumerate(rows):
        tcs = trs[r].tc_lst
        for c, value in enumerate(row):
            if value is SPAN:
                continue
            if value is M:
                tcs[c].vMerge = "continue"
                continue
            cell = _Cell(tcs[c], table)
            first, *more = value.split("\n")
            cell.paragraphs[0].text = first
            for line in more:  # one paragraph a line, as the office types them
                cell.add_paragraph(line)
            down, _ = _extent(rows, r, c)
            if down > 1:
                tcs[c].vMerge = "restart"
        for c in reversed(range(len(row))):
            if row[c] is SPAN:
                continue
            _, across = _extent(rows, r, c)
            if across > 1:
                for tc in tcs[c + 1 : c + across]:
                    trs[r].remove(tc)
                tcs[c].grid_span = across
    document.add_paragraph("注：各单位每月5日前报送进度。")
    document.save(str(path))
    return path


def write_docx_by_merge(rows: list[tuple], path: Path, header=HEADER) -> Path:
    """The same table merged with python-docx's own `merge` (as a person merging in Word)."""
    import docx

    document = docx.Document()
    table = document.add_table(rows=len(rows) + 1, cols=len(header))
    for c, text in enumerate(header):
        table.cell(0, c).text = text
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is not M and value is not SPAN:
                table.cell(r, c).text = value  # lines as line breaks within one paragraph
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is M or value is SPAN:
                continue
            down, across = _extent(rows, r, c)
            if down > 1 or across > 1:
                table.cell(r + 1, c).merge(table.cell(r + down, c + across - 1))
    document.save(str(path))
    return path


def write_xlsx(rows: list[tuple], path: Path, header=HEADER) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "责任分解表"
    ws.append(["2020年重点任务责任分解表"])
    rows = _with_header(rows, header)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    for row in rows:
        ws.append([None if v is M or v is SPAN else v for v in row])
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is M or value is SPAN:
                continue
            down, across = _extent(rows, r, c)
            if down > 1 or across > 1:
                ws.merge_cells(
                    start_row=r + 2,
                    start_column=c + 1,
                    end_row=r + 1 + down,
                    end_column=c + across,
                )
    wb.save(path)
    return path


def write_html(rows: list[tuple], path: Path, header=HEADER, encoding: str = "utf-8") -> Path:
    def cell(value: str, tag: str = "td", attrs: str = "") -> str:
        lines = "<br>".join(html.escape(line) for line in value.split("\n"))
        return f"<{tag}{attrs}><p>{lines}</p></{tag}>"

    rows = _with_header(rows, header)
    body = []
    for r, row in enumerate(rows):
        tds = []
        for c, value in enumerate(row):
            if value is M or value is SPAN:
                continue
            down, across = _extent(rows, r, c)
            attrs = (f' rowspan="{down}"' if down > 1 else "") + (
                f' colspan="{across}"' if across > 1 else ""
            )
            tds.append(cell(value, attrs=attrs))
        body.append("<tr>" + "".join(tds) + "</tr>")
    page = f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset={encoding}">
<title>关于印发2020年重点任务责任分解表的通知</title>
<script>var nav = "<table><tr><td>序号</td></tr></table>";</script></head>
<body>
<table class="nav"><tr><td><a href="/">首页</a></td><td><a href="/zwgk">政务公开</a></td>
<td>序号</td></tr></table>
<table class="layout"><tr><td>
<h1>关于印发2020年重点任务责任分解表的通知</h1>
<p>各镇人民政府、街道办事处，区各部门：现将责任分解表印发给你们，请认真贯彻落实。</p>
<table border="1" class="MsoTableGrid">
{chr(10).join(body)}
</table>
</td></tr></table>
<table class="footer"><tr><td>主办单位：区人民政府办公室</td></tr></table>
</body></html>
"""
    path.write_bytes(page.encode(encoding))
    return path


def write_txt(rows: list[tuple], path: Path, header=HEADER) -> Path:
    def record(cells) -> list[str]:
        lines = []
        for value in cells:
            text = "" if value is M or value is SPAN else value
            first, *more = text.split("\n")
            lines.append("\t" + first)
            lines.extend(more)  # the table wrapped this cell onto the next lines
        return lines

    out = ["附件", "2020年重点任务责任分解表", *record(header), ""]
    for row in rows:
        out += [*record(row), ""]
    path.write_text("\n".join(out), encoding="utf-8")
    return path


WRITERS = {"docx": write_docx, "xlsx": write_xlsx, "html": write_html, "txt": write_txt}


def rows_of_text_export(path: Path) -> tuple[tuple, list[tuple]]:
    """The 2019 text export as a table of this module: goal cells merged down."""
    from progress_audit.standards.tables.text import read_text

    rows = read_text(path, str(path))
    table = []
    for row in rows:
        cells = ["\n".join(line.strip() for line in lines) for lines in row.cells]
        if not cells[0]:
            cells[0] = cells[1] = M
        table.append(tuple(cells))
    return HEADER, table
