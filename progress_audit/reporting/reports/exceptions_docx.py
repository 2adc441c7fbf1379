"""督办通报 as the office issues it (exceptions.docx): title, issuing office and date, the
clerk's paragraphs and the summary by leader on A4 portrait, then the lists as 附件 on A4
landscape, header rows repeated on every page. Fonts are named for Chinese (w:eastAsia), and
the same report gives the same bytes (core properties and zip entries dated at the as-of)."""

from __future__ import annotations

import copy
import io
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from progress_audit.files.atomic import write_bytes
from progress_audit.model.records import FINDING_STATUS_LABELS, Finding
from progress_audit.model.wording import (
    as_of_label,
    number_label,
    percent_label,
    points_label,
    reviewed_label,
)
from progress_audit.reporting.reports.exceptions import (
    ISSUER,
    NO_PREVIOUS,
    STATUSES,
    ExceptionReport,
    MatrixRow,
    opening_paragraphs,
    report_title,
)
from progress_audit.reporting.reports.labels import (
    behind_points,
    file_cell_label,
    leaders_label,
    short_label,
)

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
TABLE_FONT = "宋体"
BODY_SIZE = Pt(16)  # 三号
TABLE_SIZE = Pt(10.5)  # 五号
A4 = (Cm(21.0), Cm(29.7))

ATTACHMENTS = (
    "逾期未完成任务清单",
    "进度滞后任务清单",
    "未报送情况",
    "数据异常清单",
    "牵头单位排名",
)


def write_exceptions_docx(target: Path, report: ExceptionReport) -> Path:
    write_bytes(target, exceptions_docx_bytes(report))
    return target


def exceptions_docx_bytes(report: ExceptionReport) -> bytes:
    doc = Document()
    _styles(doc)
    _core_properties(doc, report)
    section = doc.sections[0]
    section.page_width, section.page_height = A4
    section.orientation = WD_ORIENT.PORTRAIT
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)

    _para(doc, report_title(report), TITLE_FONT, Pt(22), WD_ALIGN_PARAGRAPH.CENTER, bold=True)
    _para(
        doc,
        f"{ISSUER}　{_issue_date(report)}",
        BODY_FONT,
        BODY_SIZE,
        WD_ALIGN_PARAGRAPH.CENTER,
    )
    _para(doc, "区政府各分管领导，各牵头单位：", BODY_FONT, BODY_SIZE)
    for text in opening_paragraphs(report):
        _para(doc, text, BODY_FONT, BODY_SIZE, indent=True)
    _para(doc, "按分管领导汇总如下（每项任务计一次）：", BODY_FONT, BODY_SIZE, indent=True)
    _leader_table(doc, report)
    for note in report.leader_notes:
        _para(doc, f"注：{note}", TABLE_FONT, TABLE_SIZE)
    _para(
        doc,
        "附件：" + "；".join(f"{i}. {t}" for i, t in enumerate(ATTACHMENTS, 1)),
        BODY_FONT,
        BODY_SIZE,
        indent=True,
    )
    _para(doc, ISSUER, BODY_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, _issue_date(report), BODY_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.RIGHT)

    landscape = doc.add_section(WD_SECTION.NEW_PAGE)
    landscape.orientation = WD_ORIENT.LANDSCAPE
    landscape.page_width, landscape.page_height = A4[1], A4[0]
    for side in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
        setattr(landscape, side, Cm(1.5))

    _attachment(
        doc, 1, f"{report.period.label}逾期未完成任务（{len(report.overdue)} 项）", first=True
    )
    _finding_table(doc, report, report.overdue, "本月无逾期未完成的任务。")
    # A new page for an attachment only after one with a table: an empty list is one line.
    _attachment(
        doc,
        2,
        f"{report.period.label}进度滞后任务（{len(report.behind)} 项）",
        first=not report.overdue,
    )
    _finding_table(doc, report, report.behind, "本月没有落后于序时进度的任务。")
    lines = sum(n.lines for n in report.not_reported)
    _attachment(doc, 3, f"{report.period.label}未报送情况（{lines} 项）", first=not report.behind)
    _table(
        doc,
        ("牵头单位", "情况", "项数", "任务编号", "分管领导", "说明"),
        (3.0, 2.4, 1.4, 7.0, 2.6, 9.0),
        [
            [n.unit, n.situation, str(n.lines), n.task_ids, n.leaders, n.note]
            for n in report.not_reported
        ],
        "各单位均已报送。",
        numeric={2},
    )
    if report.late:
        names = "、".join(f"{n.unit}（{n.received}收到）" for n in report.late)
        _para(
            doc,
            f"另：以下单位逾期报送，数据已采用（不计入未报送）：{names}。",
            TABLE_FONT,
            TABLE_SIZE,
        )
    _attachment(
        doc,
        4,
        f"{report.period.label}数据异常（{len(report.data_problems)} 项）",
        first=not report.not_reported,
    )
    problem_columns = ("牵头单位", "编号", "指标/工作标准", "填写内容", "问题", "文件及位置")
    widths = (2.8, 1.6, 4.2, 3.0, 8.8, 5.0)
    _table(
        doc,
        problem_columns,
        widths,
        [
            [
                d.unit,
                d.metric_id or d.task_id,
                d.name,
                d.typed,
                d.message,
                f"{d.file} {d.where}".strip(),
            ]
            for d in report.data_problems
        ],
        "本月未发现数据异常。",
    )
    if report.notes:
        _para(
            doc,
            f"数据质量提示（不影响任务状态，{len(report.notes)} 条）：",
            TABLE_FONT,
            TABLE_SIZE,
            bold=True,
        )
        _table(
            doc,
            problem_columns,
            widths,
            [
                [
                    d.unit,
                    d.metric_id or d.task_id,
                    d.name,
                    d.typed,
                    d.message,
                    f"{d.file} {d.where}".strip(),
                ]
                for d in report.notes
            ],
            "",
        )
    _attachment(
        doc,
        5,
        f"{report.period.label}牵头单位排名",
        first=not (report.data_problems or report.notes),
    )
    _table(
        doc,
        (
            "名次",
            "牵头单位",
            "分管领导",
            "任务数",
            "滞后（含逾期）",
            "连续2个月以上",
            "较上月",
            "本月报送",
            "本年按时报送（月）",
            "数据异常",
        ),
        (1.4, 3.6, 2.2, 1.8, 2.6, 2.8, 2.0, 2.2, 3.2, 2.2),
        [
            [
                str(r.rank),
                r.unit,
                r.leader,
                str(r.tasks),
                str(r.behind),
                str(r.long_behind),
                "—" if r.change is None else (f"+{r.change}" if r.change > 0 else str(r.change)),
                r.reporting,
                r.on_time_months,
                str(r.problems),
            ]
            for r in report.ranking
            if r.tasks
        ],
        "",
        numeric={0, 3, 4, 5, 6, 8, 9},
    )
    if not report.previous:
        _para(doc, f"注：{NO_PREVIOUS}，“较上月”不作比较。", TABLE_FONT, TABLE_SIZE)

    buffer = io.BytesIO()
    doc.save(buffer)
    return _fixed_zip(buffer.getvalue(), report.as_of)


# ---- the document's parts -----------------------------------------------------------------


def _leader_table(doc, report: ExceptionReport) -> None:
    total = MatrixRow("全区", "全区合计", report.counts)
    labels = [FINDING_STATUS_LABELS[s] for s in STATUSES]
    rows = [
        [m.name, *(str(m.counts.get(s, 0)) for s in STATUSES), str(m.total)]
        for m in (*report.leaders, total)
    ]
    _table(
        doc,
        ("分管领导", *labels, "合计"),
        (2.6, *([1.75] * len(labels)), 1.4),
        rows,
        "",
        numeric=set(range(1, len(labels) + 2)),
        size=Pt(10),
    )


def _finding_table(doc, report: ExceptionReport, findings: Sequence[Finding], empty: str) -> None:
    headers = (
        "状态",
        "编号",
        "指标/工作标准",
        "牵头单位",
        "分管领导",
        "目标值",
        "本年累计完成",
        "序时进度",
        "完成比例",
        "落后（百分点）",
        "上月状态",
        "连续滞后",
        "来源",
    )
    widths = (2.0, 1.7, 3.2, 2.0, 1.5, 2.0, 2.0, 2.0, 1.6, 1.4, 1.7, 1.5, 4.0)
    rows = []
    for f in findings:
        uom = f.unit_of_measure
        trend = report.trend(f)
        previous = trend.previous_label or ("—" if report.previous else NO_PREVIOUS)
        rows.append(
            [
                f.status_label,
                f.metric_id or f.task_id,
                short_label(f),
                f.unit,
                leaders_label(f),
                number_label(f.target, uom),
                reviewed_label(f.actual, f.reported, uom, corrected=f.review is not None),
                number_label(f.expected, uom),
                percent_label(f.ratio),
                points_label(behind_points(f)),
                previous,
                f"{trend.streak}个月" if trend.streak >= 2 else "",
                file_cell_label(f.source),
            ]
        )
    _table(doc, headers, widths, rows, empty, numeric={5, 6, 7, 8, 9}, size=Pt(10))


def _issue_date(report: ExceptionReport) -> str:
    """The day the 通报 speaks for, without the time: 2019年7月10日."""
    return as_of_label(report.as_of).split(" ")[0]


def _attachment(doc, number: int, title: str, *, first: bool = False) -> None:
    """附件N and its title; on a new page unless `first` (the section's or after a short one)."""
    head = _para(doc, f"附件{number}", HEADING_FONT, Pt(14))
    if not first:
        head.paragraph_format.page_break_before = True
    else:
        head.paragraph_format.space_before = Pt(12)
    head.paragraph_format.keep_with_next = True
    name = _para(doc, title, TITLE_FONT, Pt(16), WD_ALIGN_PARAGRAPH.CENTER, bold=True)
    name.paragraph_format.keep_with_next = True


def _para(doc, text: str, font: str, size, align=None, *, bold=False, indent=False):
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    fmt = p.paragraph_format
    fmt.space_before, fmt.space_after = Pt(0), Pt(4)
    if indent:
        fmt.first_line_indent = Pt(size.pt * 2)
    run = p.add_run(text)
    _font(run, font, size, bold)
    return p


def _font(run, name: str, size, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _table(
    doc,
    headers: Sequence[str],
    widths_cm: Sequence[float],
    rows: Sequence[Sequence[str]],
    empty: str,
    *,
    numeric: set[int] | frozenset[int] = frozenset(),
    size=TABLE_SIZE,
) -> None:
    """A bordered table, its header row repeated on every page and no row split over two."""
    if not rows:
        if empty:
            _para(doc, empty, TABLE_FONT, TABLE_SIZE)
        return
    # The header and the first row are built cell by cell; every other row has the first's form
    # and is copied from it with its own texts (python-docx builds a cell in about a millisecond).
    table = doc.add_table(rows=2, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for c, w in enumerate(widths_cm):
        table.columns[c].width = Cm(w)
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    for r, values in enumerate([list(headers), rows[0]]):
        row = table.rows[r]
        tr_pr = row._tr.get_or_add_trPr()
        if r == 0:
            tr_pr.append(OxmlElement("w:tblHeader"))
        tr_pr.append(OxmlElement("w:cantSplit"))
        for c, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            cell.width = Cm(widths_cm[c])
            p = cell.paragraphs[0]
            p.paragraph_format.space_after = Pt(0)
            if r == 0:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                _shade(cell, "DDEBF7")
            elif c in numeric:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                # A number is never broken over two lines.
                cell._tc.get_or_add_tcPr().append(OxmlElement("w:noWrap"))
            _font(p.add_run(str(value)), TABLE_FONT, size, bold=r == 0)
    first = table.rows[1]._tr
    for values in rows[1:]:
        tr = copy.deepcopy(first)
        for tc, value in zip(tr.tc_lst, values, strict=True):
            tc.p_lst[0].r_lst[0].text = str(value)
        table._tbl.append(tr)


def _shade(cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _styles(doc) -> None:
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = BODY_SIZE
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), BODY_FONT)


def _core_properties(doc, report: ExceptionReport) -> None:
    at = report.as_of.astimezone(UTC).replace(tzinfo=None)
    props = doc.core_properties
    props.title = report_title(report)
    props.subject = f"{report.period.label}重点任务督办通报"
    props.author = ISSUER
    props.last_modified_by = ISSUER
    props.created = at
    props.modified = at
    props.last_printed = at
    props.revision = 1
    props.comments = ""
    props.keywords = "督办通报"


def _fixed_zip(data: bytes, as_of: datetime) -> bytes:
    """The package again with every entry dated at the as-of (python-docx dates them now)."""
    when = as_of.replace(tzinfo=None).timetuple()[:6]
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for name in src.namelist():
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(name))
    return out.getvalue()
