"""督办通报 as the office issues it (exceptions.docx), in the national layout for official
documents (GB/T 9704-2012 党政机关公文格式):

- A4, 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm: 22 lines of 28 characters of 3号 仿宋;
- 版头: 发文机关标志 in red 小标宋, 发文字号 (督查通报〔2019〕6号), a red rule 4 mm under it;
- 主体: title (2号 小标宋), 主送机关, the body in parts (一、二、三、, 3号 黑体 headings), 附件说明,
  发文机关署名 and 成文日期 once, at the end;
- 附件 each on its own page: the lists are wide tables, so their pages are A4 turned to
  landscape with the same 版心 turned with it (the standard's 横排表格), header rows repeated;
- 版记 (抄送, 印发机关, 印发日期 between rules) at the foot of the last page;
- page numbers at the foot, 4号 宋体 between dashes (— 1 —), odd pages right, even pages left.

Fonts are named as the standard names them, for every script (w:eastAsia too), so Word and
LibreOffice keep the names and fall back to an installed CJK font where they are missing. The
same report gives the same bytes (core properties and zip entries dated at the as-of)."""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor

from progress_audit.config import DocumentSettings
from progress_audit.files.atomic import write_bytes
from progress_audit.model.period import Period
from progress_audit.model.records import FINDING_STATUS_LABELS, Finding
from progress_audit.model.wording import (
    amount_label,
    as_of_label,
    gap_label,
    monthly_label,
    number_label,
    percent_label,
    reviewed_label,
)
from progress_audit.reporting.reports.columns import track_state
from progress_audit.reporting.reports.exceptions import (
    NO_PREVIOUS,
    STATUSES,
    ExceptionReport,
    MatrixRow,
    body_parts,
    report_title,
)
from progress_audit.reporting.reports.labels import file_cell_label, short_label

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
TABLE_FONT = "宋体"
PAGE_NUMBER_FONT = "宋体"
RED = RGBColor(0xE6, 0x00, 0x12)
BODY_SIZE = Pt(16)  # 3号
TITLE_SIZE = Pt(22)  # 2号
NOTE_SIZE = Pt(14)  # 4号: 版记, 页码
TABLE_SIZE = Pt(10.5)  # 5号
LIST_SIZE = Pt(9)  # 小5号: the widest lists
A4 = (Mm(210), Mm(297))
MARGINS = {"top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}
"""天头 37 mm, 订口 28 mm; with A4 that leaves the 版心 of 156 × 225 mm."""
TEXT_WIDTH_MM, TEXT_HEIGHT_MM = 156, 225
LINES, CHARS = 22, 28
LINE_PITCH = Pt(TEXT_HEIGHT_MM / 25.4 * 72 / LINES)
"""22 lines fill the 版心's height: 28.9 pt a line."""
CHAR_PITCH_PT = TEXT_WIDTH_MM / 25.4 * 72 / CHARS
"""28 characters fill its width: 15.8 pt a character (3号 is 16 pt, set 0.2 pt closer)."""
COLOPHON_ROW_MM = 10
"""A 版记 line: 4号 with room above and below, between its rules."""
FOOTER_DISTANCE = Mm(35 - 7 - 6)
"""页码's 一字线 7 mm under the 版心 (the footer's line box is about 6 mm of 4号)."""

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Attachment:
    """附件N: its name (附件说明 and its page's title) and what writes its page; a new
    attachment is one entry of `ATTACHMENTS`."""

    name: str
    count: Callable[[ExceptionReport], str]
    write: Callable[[object, ExceptionReport], bool]
    """Writes the page's content; True when it was more than a line (the next 附件 then
    starts a new page)."""


@dataclass(frozen=True)
class Letterhead:
    """What the 通报 carries as an official document for its month (from `DocumentSettings`):
    plain text, so that an unchanged 通报 is not written again."""

    issuer_mark: str
    issuer: str
    number: str
    recipients: str
    copy_to: str


def letterhead(setting: DocumentSettings, period: Period) -> Letterhead:
    """The month's 发文机关标志, 署名, 发文字号 (督查通报〔2019〕6号), 主送 and 抄送."""
    return Letterhead(
        setting.issuer_mark,
        setting.issuer,
        setting.number(period.year, period.month),
        setting.recipients,
        setting.copy_to,
    )


def write_exceptions_docx(
    target: Path, report: ExceptionReport, head: Letterhead | None = None
) -> Path:
    write_bytes(target, exceptions_docx_bytes(report, head))
    return target


def exceptions_docx_bytes(report: ExceptionReport, head: Letterhead | None = None) -> bytes:
    setting = head or letterhead(DocumentSettings(), report.period)
    doc = Document()
    _styles(doc)
    _core_properties(doc, report, setting)
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    _page(section, landscape=False)
    _page_numbers(section)
    date = _issue_date(report)

    # 版头
    _letterhead(doc, report, setting)
    # 主体: title two lines under the red rule, 主送机关 one line under the title
    first_line, rest = title_lines(report_title(report))
    title = _para(doc, first_line, TITLE_FONT, TITLE_SIZE, WD_ALIGN_PARAGRAPH.CENTER)
    if rest:
        title.runs[0].add_break()
        _font(title.add_run(rest), TITLE_FONT, TITLE_SIZE)
    title.paragraph_format.space_before = LINE_PITCH * 2
    title.paragraph_format.line_spacing = Pt(TITLE_SIZE.pt * 1.5)
    recipients = _para(doc, f"{setting.recipients}：", BODY_FONT, BODY_SIZE)
    recipients.paragraph_format.space_before = LINE_PITCH
    for part in body_parts(report):
        head = _para(doc, part.heading, HEADING_FONT, BODY_SIZE, indent=True)
        head.paragraph_format.keep_with_next = True
        for text in part.paragraphs:
            _para(doc, text, BODY_FONT, BODY_SIZE, indent=True)
        if part.table == "leaders":
            _para(doc, "按分管领导汇总如下（每项任务计一次）：", BODY_FONT, BODY_SIZE, indent=True)
            _leader_table(doc, report)
            for note in report.leader_notes:
                _para(doc, f"注：{note}", TABLE_FONT, TABLE_SIZE, exact=False)
    _attachment_notes(doc, report)
    _signature(doc, setting.issuer, date)

    _page(doc.add_section(WD_SECTION.NEW_PAGE), landscape=True)
    # Each 附件 on a new page, except after one that had nothing to list (a line, not a page).
    new_page = False
    for number, attachment in enumerate(ATTACHMENTS, start=1):
        _attachment_head(
            doc,
            number,
            f"{report.period.label}{attachment.name}{attachment.count(report)}",
            new_page=new_page,
        )
        new_page = attachment.write(doc, report)

    _colophon(doc, report, setting, date)
    buffer = io.BytesIO()
    doc.save(buffer)
    return _fixed_zip(buffer.getvalue(), report.as_of)


# ---- 版头, 署名, 版记 ---------------------------------------------------------------------


def _letterhead(doc, report: ExceptionReport, setting: Letterhead) -> None:
    """发文机关标志 (its top 35 mm under the 版心's), 发文字号 two lines under it, and the red
    rule 4 mm under the 发文字号, as wide as the 版心."""
    name = setting.issuer_mark
    # As large as fits the 版心's width, at most 初号+ (48 pt).
    size = Pt(min(48.0, round(TEXT_WIDTH_MM / 25.4 * 72 * 0.95 / max(len(name), 1), 1)))
    mark = _para(doc, name, TITLE_FONT, size, WD_ALIGN_PARAGRAPH.CENTER, color=RED)
    mark.paragraph_format.line_spacing = Pt(size.pt * 1.2)
    mark.paragraph_format.space_before = Mm(35) - Pt(size.pt * 0.2)
    number = _para(
        doc,
        setting.number,
        BODY_FONT,
        BODY_SIZE,
        WD_ALIGN_PARAGRAPH.CENTER,
    )
    number.paragraph_format.space_before = LINE_PITCH * 2
    _border(number, "bottom", RED_HEX, size_eighths=12, space_pt=11)


RED_HEX = "E60012"


def _signature(doc, issuer: str, date: str) -> None:
    """发文机关署名 one line under the 附件说明, two characters from the right; 成文日期 on the
    next line, its first character two to the right of the name's (a longer date keeps two
    characters from the right and moves the name left): the standard's form without a seal."""
    name_w, date_w = _text_width(issuer), _text_width(date)
    date_right = max(2.0, name_w - date_w)
    name_right = date_right + date_w + 2 - name_w
    who = _para(doc, issuer, BODY_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.RIGHT)
    who.paragraph_format.right_indent = Pt(CHAR_PITCH_PT * name_right)
    who.paragraph_format.space_before = LINE_PITCH
    when = _para(doc, date, BODY_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.RIGHT)
    when.paragraph_format.right_indent = Pt(CHAR_PITCH_PT * date_right)


TITLE_CHARS = int(TEXT_WIDTH_MM / 25.4 * 72 // TITLE_SIZE.pt)
"""2号 characters a title line holds (20)."""


def title_lines(title: str) -> tuple[str, str]:
    """A title too long for one line, broken where a phrase ends (after 任务, 情况, 的 …) as
    near the middle as may be, so that neither line splits a word (回行时词意完整); the
    second part is empty when the title fits."""
    width = _text_width(title)
    if width <= TITLE_CHARS:
        return title, ""
    ends = [i for i in range(2, len(title) - 1) if title[i - 1] in "务况的，、和及"]
    fitting = [i for i in ends if _text_width(title[:i]) <= TITLE_CHARS]
    if not fitting:
        return title, ""
    cut = min(fitting, key=lambda i: abs(_text_width(title[:i]) - width / 2))
    return title[:cut], title[cut:]


def _text_width(text: str) -> float:
    """Width in characters: a CJK character is one, a digit or Latin letter half of one."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in text)


def _attachment_notes(doc, report: ExceptionReport) -> None:
    """附件说明, one line under the body, two characters in: 附件：1．… with the names aligned."""
    indent = Pt(CHAR_PITCH_PT * 2)
    hang = Pt(CHAR_PITCH_PT * 3)  # 附件：
    for number, attachment in enumerate(ATTACHMENTS, start=1):
        label = "附件：" if number == 1 else ""
        p = _para(
            doc, f"{label}{number}．{report.period.label}{attachment.name}", BODY_FONT, BODY_SIZE
        )
        p.paragraph_format.left_indent = indent + hang
        if number == 1:
            p.paragraph_format.first_line_indent = -hang
            p.paragraph_format.space_before = LINE_PITCH


def _colophon(doc, report: ExceptionReport, setting: Letterhead, date: str) -> None:
    """版记 at the foot of the last page: 抄送 and 印发机关, 印发日期 between a thick rule above,
    a thin one between and a thick one below, as wide as the 版心 (4号 仿宋)."""
    last = doc.add_section(WD_SECTION.NEW_PAGE)
    _page(last, landscape=False)
    sect_pr = last._sectPr
    v_align = OxmlElement("w:vAlign")
    v_align.set(qn("w:val"), "bottom")
    # vAlign comes after pgNumType/cols/formProt in the schema order; before docGrid is valid.
    grid = sect_pr.find(qn("w:docGrid"))
    (grid.addprevious if grid is not None else sect_pr.append)(v_align)
    rows = []
    if setting.copy_to.strip():
        rows.append(("copy", f"抄送：{setting.copy_to.strip().rstrip('。')}。", ""))
    rows.append(("issued", setting.issuer, f"{date}印发"))
    # An empty line as tall as the 版心 less the rows puts the last rule on the 版心's bottom
    # edge (LibreOffice ignores the section's bottom alignment; Word honours both). It also
    # keeps the 版记 off the page before: a section opening with a table joins that page.
    lead = _para(doc, "", BODY_FONT, Pt(1), exact=False)
    lead.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    lead.paragraph_format.line_spacing = Mm(TEXT_HEIGHT_MM - COLOPHON_ROW_MM * (len(rows) + 2))
    thick, thin = 8, 6
    width = Mm(TEXT_WIDTH_MM)
    tbl = _new_table(doc, [width.emu // 2, width.emu - width.emu // 2], borders=False)
    for i, (kind, left, right) in enumerate(rows):
        top = thick if i == 0 else thin
        bottom = thick if i == len(rows) - 1 else thin
        indent = round(NOTE_SIZE.pt * 20)  # one 4号 character, in twentieths of a point
        cells = [(left, 2, "left")]
        if kind != "copy":
            cells = [(left, 1, "left"), (right, 1, "right")]
        height = round(Mm(COLOPHON_ROW_MM).emu / 635)
        tr = ["<w:tr>", f'<w:trPr><w:cantSplit/><w:trHeight w:val="{height}" w:hRule="exact"/>']
        tr.append("</w:trPr>")
        for text, span, align in cells:
            tr.append(
                "<w:tc><w:tcPr>"
                + (f'<w:gridSpan w:val="{span}"/>' if span > 1 else "")
                + "<w:tcBorders>"
                + f'<w:top w:val="single" w:sz="{top}" w:space="0" w:color="000000"/>'
                + '<w:left w:val="nil"/><w:right w:val="nil"/>'
                + f'<w:bottom w:val="single" w:sz="{bottom}" w:space="0" w:color="000000"/>'
                + '</w:tcBorders><w:vAlign w:val="center"/></w:tcPr>'
                + _p_xml(
                    text,
                    BODY_FONT,
                    NOTE_SIZE,
                    align=align,
                    ind=(indent, 0) if align == "left" else (0, indent),
                )
                + "</w:tc>"
            )
        tr.append("</w:tr>")
        tbl.append(parse_xml(_with_ns("".join(tr))))


# ---- the pages ----------------------------------------------------------------------------


def _page(section, *, landscape: bool) -> None:
    """A4 with the standard's margins; landscape turns the page and its 版心 with it (订口 at
    the head of a 横排表格, as the standard places it)."""
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = A4[1], A4[0]
        section.top_margin, section.bottom_margin = MARGINS["left"], MARGINS["right"]
        section.left_margin, section.right_margin = MARGINS["top"], MARGINS["bottom"]
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = A4
        section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
        section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
    section.footer_distance = FOOTER_DISTANCE
    section.header_distance = Mm(15)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    # The standard's 22 lines a page (Word's 文档网格, 指定行网格).
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(LINE_PITCH.pt * 20)))


def _page_numbers(section) -> None:
    """— 1 — at the foot: odd pages one character in from the right, even pages from the left."""
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        p = footer.paragraphs[0]
        p.alignment = align
        fmt = p.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            fmt.right_indent = NOTE_SIZE
        else:
            fmt.left_indent = NOTE_SIZE
        _font(p.add_run("— "), PAGE_NUMBER_FONT, NOTE_SIZE)
        _page_field(p)
        _font(p.add_run(" —"), PAGE_NUMBER_FONT, NOTE_SIZE)


def _page_field(paragraph) -> None:
    """A PAGE field (Word and LibreOffice fill in the page's number)."""
    for kind, text in (
        ("begin", None),
        (None, " PAGE "),
        ("separate", None),
        (None, "1"),
        ("end", None),
    ):
        run = paragraph.add_run()
        _font(run, PAGE_NUMBER_FONT, NOTE_SIZE)
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            run._r.append(_text_element(text or ""))


def _attachment_head(doc, number: int, title: str, *, new_page: bool) -> None:
    """附件N (3号 黑体, at the top left), then the attachment's title centred (小标宋)."""
    head = _para(doc, f"附件{number}", HEADING_FONT, BODY_SIZE)
    head.paragraph_format.keep_with_next = True
    head.paragraph_format.page_break_before = new_page
    if not new_page and number > 1:
        head.paragraph_format.space_before = LINE_PITCH
    name = _para(doc, title, TITLE_FONT, Pt(18), WD_ALIGN_PARAGRAPH.CENTER)
    name.paragraph_format.line_spacing = Pt(30)
    name.paragraph_format.space_after = Pt(6)
    name.paragraph_format.keep_with_next = True


# ---- the attachments ----------------------------------------------------------------------


def _overdue(doc, report: ExceptionReport) -> bool:
    return _finding_table(doc, report, report.overdue, "本月无逾期未完成的任务。")


def _behind(doc, report: ExceptionReport) -> bool:
    return _finding_table(doc, report, report.behind, "本月没有落后于序时进度的任务。")


def _not_reported(doc, report: ExceptionReport) -> bool:
    wrote = _table(
        doc,
        ("牵头单位", "情况", "项数", "任务编号", "分管领导", "说明"),
        (25, 20, 12, 68, 22, 78),
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
            exact=False,
        )
    return wrote


PROBLEM_COLUMNS = ("牵头单位", "编号", "指标/工作标准", "填写内容", "问题", "文件及位置")
PROBLEM_WIDTHS = (24, 14, 36, 26, 75, 50)


def _data_problems(doc, report: ExceptionReport) -> bool:
    wrote = _table(
        doc,
        PROBLEM_COLUMNS,
        PROBLEM_WIDTHS,
        [_problem_row(d) for d in report.data_problems],
        "本月未发现数据异常。",
    )
    if report.notes:
        _para(
            doc,
            f"数据质量提示（不影响任务状态，{len(report.notes)} 条）：",
            TABLE_FONT,
            TABLE_SIZE,
            bold=True,
            exact=False,
        )
        _table(doc, PROBLEM_COLUMNS, PROBLEM_WIDTHS, [_problem_row(d) for d in report.notes], "")
    return wrote or bool(report.notes)


def _problem_row(d) -> list[str]:
    return [
        d.unit,
        d.metric_id or d.task_id,
        d.name,
        d.typed,
        d.message,
        f"{d.file} {d.where}".strip(),
    ]


def _ranking(doc, report: ExceptionReport) -> bool:
    wrote = _table(
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
        (14, 34, 22, 18, 24, 26, 18, 20, 28, 20),
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
        _para(doc, f"注：{NO_PREVIOUS}，“较上月”不作比较。", TABLE_FONT, TABLE_SIZE, exact=False)
    return wrote


ATTACHMENTS: tuple[Attachment, ...] = (
    Attachment("逾期未完成任务清单", lambda r: f"（{len(r.overdue)}项）", _overdue),
    Attachment("进度滞后任务清单", lambda r: f"（{len(r.behind)}项）", _behind),
    Attachment(
        "未报送情况", lambda r: f"（{sum(n.lines for n in r.not_reported)}项）", _not_reported
    ),
    Attachment("数据异常清单", lambda r: f"（{len(r.data_problems)}项）", _data_problems),
    Attachment("牵头单位排名", lambda r: "", _ranking),
)
"""The 附件, in order: 附件说明 and the pages after the body are written from this list."""


FINDING_COLUMNS = (
    ("状态", 15),
    ("编号", 13),
    ("指标/工作标准", 28),
    ("牵头单位", 16),
    ("分管领导", 12),
    ("目标值", 14),
    ("本年累计完成", 16),
    ("序时进度", 14),
    ("完成序时进度比例", 14),
    ("落后序时进度", 20),
    ("每月需完成", 20),
    ("预计全年", 16),
    ("上月状态", 15),
    ("连续滞后", 12),
)
"""附件1 and 附件2, one line a task (225 mm: the 版心 turned), and under it a line across with
the unit's own 存在问题 and the figure's source."""


def _finding_table(doc, report: ExceptionReport, findings: Sequence[Finding], empty: str) -> bool:
    if not findings:
        _para(doc, empty, BODY_FONT, BODY_SIZE)
        return False
    headers = [h for h, _ in FINDING_COLUMNS]
    widths = [w for _, w in FINDING_COLUMNS]
    tbl = _new_table(doc, [Mm(w).emu for w in widths], borders=True)
    numeric = set(range(5, 12))
    tbl.append(_row(headers, widths, LIST_SIZE, header=True))
    span = len(widths) - 1
    for f in findings:
        uom = f.unit_of_measure
        trend = report.trend(f)
        previous = trend.previous_label or ("—" if report.previous else NO_PREVIOUS)
        metric = f.track == "metric"
        values = [
            f.status_label,
            f.metric_id or f.task_id,
            short_label(f),
            f.unit,
            report.leader(f),
            number_label(f.target, uom),
            reviewed_label(f.actual, f.reported, uom, corrected=f.review is not None),
            # A standard without a number is judged by its nodes or its 进展情况 (below).
            amount_label(f.expected, uom, f.counted) if metric else "",
            percent_label(f.ratio) if metric else "",
            gap_label(f.gap, uom, f.counted) if metric else "",
            monthly_label(f.required_monthly, uom, f.counted) if metric else "",
            amount_label(f.projection, uom, f.counted) if metric else "",
            previous,
            f"{trend.streak}个月" if trend.streak >= 2 else "",
        ]
        tbl.append(_row(values, widths, LIST_SIZE, numeric=numeric, keep_with_next=True))
        words = f.issues.strip() or "；".join(f.reasons if f.ratio is None else ()) or "（未填写）"
        state = track_state(f)
        if state:
            # The nodes or 进展情况 first; the unit's own words after, unless it said 无.
            words = state if f.issues.strip() in ("", "无") else f"{state}。{words}"
        source = file_cell_label(f.source)
        tbl.append(
            _row(
                ["", f"存在问题：{words}" + (f"　来源：{source}" if source else "")],
                [widths[0], sum(widths[1:])],
                LIST_SIZE,
                spans=[1, span],
            )
        )
    return True


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
        (24, *([16] * len(labels)), 14),
        rows,
        "",
        numeric=set(range(1, len(labels) + 2)),
        size=Pt(10),
    )


# ---- low-level: paragraphs, runs, tables --------------------------------------------------


def _para(
    doc,
    text: str,
    font: str,
    size,
    align=None,
    *,
    bold: bool = False,
    indent: bool = False,
    color: RGBColor | None = None,
    exact: bool = True,
):
    """A paragraph on the page's line grid (`exact`: one 28.9 pt line a line), no space after."""
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    fmt = p.paragraph_format
    fmt.space_before, fmt.space_after = Pt(0), Pt(0)
    if exact:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = LINE_PITCH
    else:
        # Small print (notes under a table) keeps its own line height, off the 22-line grid.
        snap = OxmlElement("w:snapToGrid")
        snap.set(qn("w:val"), "0")
        ppr = p._p.get_or_add_pPr()
        anchor = next(
            (
                ppr.find(qn(t))
                for t in ("w:spacing", "w:ind", "w:jc")
                if ppr.find(qn(t)) is not None
            ),
            None,
        )
        (anchor.addprevious if anchor is not None else ppr.append)(snap)
    if indent:
        fmt.first_line_indent = Pt(CHAR_PITCH_PT * 2)
    run = p.add_run(_clean(text))
    _font(run, font, size, bold)
    if color is not None:
        run.font.color.rgb = color
    if size == BODY_SIZE:
        _condense(run)
    return p


def _condense(run) -> None:
    """3号 set 0.2 pt closer, so that 28 characters fill the 版心's 156 mm."""
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(math.floor((CHAR_PITCH_PT - BODY_SIZE.pt) * 20)))
    run._element.get_or_add_rPr().append(spacing)


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


def _border(paragraph, side: str, colour: str, *, size_eighths: int, space_pt: int) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    edge = OxmlElement(f"w:{side}")
    edge.set(qn("w:val"), "single")
    edge.set(qn("w:sz"), str(size_eighths))
    edge.set(qn("w:space"), str(space_pt))
    edge.set(qn("w:color"), colour)
    borders.append(edge)
    # pBdr goes before spacing/ind/jc in the schema's order.
    anchor = next(
        (
            ppr.find(qn(t))
            for t in ("w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc")
            if ppr.find(qn(t)) is not None
        ),
        None,
    )
    (anchor.addprevious if anchor is not None else ppr.append)(borders)


def _clean(text: str) -> str:
    """A unit's text as data: characters XML cannot hold are dropped, nothing else changes."""
    return _CONTROL.sub("", str(text))


def _text_element(text: str):
    t = OxmlElement("w:t")
    t.set(qn("xml:space"), "preserve")
    t.text = _clean(text)
    return t


def _with_ns(xml: str) -> str:
    tag = xml[1 : xml.index(">")].split()[0]
    return xml.replace(f"<{tag}", f"<{tag} {nsdecls('w')}", 1)


def _p_xml(
    text: str,
    font: str,
    size,
    *,
    align: str = "left",
    bold: bool = False,
    ind: tuple[int, int] = (0, 0),
    spacing: tuple[int, int] = (0, 0),
    keep_with_next: bool = False,
) -> str:
    half_points = round(size.pt * 2)
    fonts = f'<w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:eastAsia="{font}" w:cs="{font}"/>'
    return (
        "<w:p><w:pPr>"
        + ("<w:keepNext/>" if keep_with_next else "")
        + '<w:snapToGrid w:val="0"/>'
        + f'<w:spacing w:before="{spacing[0]}" w:after="{spacing[1]}"/>'
        + (f'<w:ind w:left="{ind[0]}" w:right="{ind[1]}"/>' if any(ind) else "")
        + f'<w:jc w:val="{align}"/></w:pPr>'
        + f"<w:r><w:rPr>{fonts}{'<w:b/>' if bold else ''}"
        + f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/></w:rPr>'
        + f'<w:t xml:space="preserve">{escape(_clean(text))}</w:t></w:r></w:p>'
    )


def _new_table(doc, widths_emu: Sequence[int], *, borders: bool):
    """An empty fixed-layout table of these column widths, centred, inside the 版心."""
    twips = [round(w / 635) for w in widths_emu]
    edge = '<w:{0} w:val="single" w:sz="4" w:space="0" w:color="808080"/>'
    border_xml = (
        "<w:tblBorders>"
        + "".join(edge.format(s) for s in ("top", "left", "bottom", "right", "insideH", "insideV"))
        + "</w:tblBorders>"
        if borders
        else ""
    )
    xml = (
        "<w:tbl><w:tblPr>"
        + f'<w:tblW w:w="{sum(twips)}" w:type="dxa"/><w:jc w:val="center"/>'
        + border_xml
        + '<w:tblLayout w:type="fixed"/>'
        + '<w:tblCellMar><w:left w:w="57" w:type="dxa"/>'
        + '<w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
        + "</w:tblPr><w:tblGrid>"
        + "".join(f'<w:gridCol w:w="{t}"/>' for t in twips)
        + "</w:tblGrid></w:tbl>"
    )
    tbl = parse_xml(_with_ns(xml))
    doc.element.body.append(tbl)
    # Keep the body's last element the section properties (a new section's sectPr sits in a
    # paragraph; the document's final one at the end of the body).
    sect = doc.element.body.find(qn("w:sectPr"))
    if sect is not None:
        doc.element.body.append(sect)
    return tbl


def _row(
    values: Sequence[str],
    widths_mm: Sequence[float],
    size,
    *,
    header: bool = False,
    numeric: set[int] | frozenset[int] = frozenset(),
    spans: Sequence[int] | None = None,
    keep_with_next: bool = False,
):
    """One table row: a header row repeats on every page and is shaded; no row splits."""
    spans = spans or [1] * len(values)
    parts = ["<w:tr><w:trPr><w:cantSplit/>", "<w:tblHeader/>" if header else "", "</w:trPr>"]
    for c, (value, width, span) in enumerate(zip(values, widths_mm, spans, strict=True)):
        tc_pr = f'<w:tcW w:w="{round(Mm(width).emu / 635)}" w:type="dxa"/>'
        if span > 1:
            tc_pr += f'<w:gridSpan w:val="{span}"/>'
        if header:
            tc_pr += '<w:shd w:val="clear" w:color="auto" w:fill="DDEBF7"/>'
        if c in numeric and not header:
            tc_pr += "<w:noWrap/>"
        tc_pr += '<w:vAlign w:val="center"/>' if header else ""
        align = "center" if header else ("right" if c in numeric else "left")
        parts.append(
            f"<w:tc><w:tcPr>{tc_pr}</w:tcPr>"
            + _p_xml(
                value, TABLE_FONT, size, align=align, bold=header, keep_with_next=keep_with_next
            )
            + "</w:tc>"
        )
    parts.append("</w:tr>")
    return parse_xml(_with_ns("".join(parts)))


def _table(
    doc,
    headers: Sequence[str],
    widths_mm: Sequence[float],
    rows: Sequence[Sequence[str]],
    empty: str,
    *,
    numeric: set[int] | frozenset[int] = frozenset(),
    size=TABLE_SIZE,
) -> bool:
    """A bordered table, its header row repeated on every page and no row split over two;
    False when there were no rows (then `empty` is said, in the body's type)."""
    if not rows:
        if empty:
            _para(doc, empty, BODY_FONT, BODY_SIZE)
        return False
    tbl = _new_table(doc, [Mm(w).emu for w in widths_mm], borders=True)
    tbl.append(_row(list(headers), widths_mm, size, header=True))
    for values in rows:
        tbl.append(_row([str(v) for v in values], widths_mm, size, numeric=numeric))
    return True


def _issue_date(report: ExceptionReport) -> str:
    """The day the 通报 speaks for, without the time: 2019年7月10日."""
    return as_of_label(report.as_of).split(" ")[0]


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
    normal.paragraph_format.space_after = Pt(0)


def _core_properties(doc, report: ExceptionReport, setting: Letterhead) -> None:
    at = report.as_of.astimezone(UTC).replace(tzinfo=None)
    props = doc.core_properties
    props.title = report_title(report)
    props.subject = setting.number
    props.author = setting.issuer
    props.last_modified_by = setting.issuer
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
