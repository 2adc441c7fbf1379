"""The 通报 the office signs without touching it: the Word file in the national layout for
official documents (GB/T 9704-2012), and what the leader reads complete in every format: the
lines reported 受阻 under their leader, no 各区长 in a list, gaps in the figure's own unit,
whole things shown whole, one word for a held figure."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import load_workbook

from progress_audit.assessment.assess import HOLD_NOTE
from progress_audit.config import DocumentSettings
from progress_audit.model.period import Period, parse_as_of
from progress_audit.model.problems import CellRef, Problem
from progress_audit.model.records import ReportedRow, Submission
from progress_audit.reporting.dashboards import write_dashboard
from progress_audit.reporting.reports import write_reports
from progress_audit.reporting.reports.exceptions import build_exception_report
from tests.reporting.test_dashboard_headline import f as line
from tests.reporting.test_dashboard_headline import write_month
from tests.reporting.test_tongbao import finding

TZ = ZoneInfo("Asia/Shanghai")
PERIOD = Period(2019, 6)
AS_OF = parse_as_of("2019-07-06")
ROOT = Path(__file__).resolve().parents[2]


JUMP_TEXT = (
    "4.3.1本年累计完成 30家，比上月的 3家增加 27家，超过单月合理增量 6家（进度填报!F7）。"
    "请核对是否填错计量单位或多写了位数；如数字无误，请在“进展情况”中说明原因。"
)


FINDINGS = [
    # 13.4件 against 13.7件: 0.3件 behind, whatever share of the target that is.
    finding(
        "12.1",
        "12.1.1",
        "市场监管局",
        ["王强"],
        "at_risk",
        target=14.8,
        actual=13.4,
        expected=13.7,
        ratio=0.85,
        gap=0.3,
        gap_points=-13.6,
        unit_of_measure="件",
        issues="专利授权周期长，申请量不足",
        required_monthly=0.23,
        projection=14.1,
    ),
    # A count of people: 序时进度 614.5人 is said whole.
    finding(
        "16.1",
        "16.1.1",
        "人社局",
        ["沈东"],
        "off_track",
        target=1229.0,
        actual=300.0,
        expected=614.5,
        ratio=0.49,
        gap=314.5,
        gap_points=-25.6,
        unit_of_measure="人",
        counted=True,
        required_monthly=154.83,
        projection=600.0,
        issues="企业用工需求下降",
    ),
    # Under 各区长: every list names 人社局's own leader, as the count table counts it.
    finding(
        "21.1", None, "人社局", ["各区长"], "at_risk", unit_of_measure="", gap=12.0, ratio=0.76
    ),
    finding("9.1", "9.1.1", "人社局", ["沈东"], "on_track", ratio=1.0),
    # A share: what each month must bring is said in percentage points.
    finding(
        "20.3",
        "20.3.1",
        "政府办",
        ["陶伟"],
        "off_track",
        target=100.0,
        actual=20.0,
        expected=50.0,
        ratio=0.4,
        gap=30.0,
        unit_of_measure="%",
        required_monthly=13.33,
        projection=40.0,
        issues="涉及部门较多，协调难度较大。",
    ),
    finding(
        "14.4",
        None,
        "农业农村局",
        ["周文俊"],
        "off_track",
        ratio=None,
        unit_of_measure="",
        reasons=("单位报告“受阻”",),
    ),
    finding(
        "4.3",
        "4.3.1",
        "金融局",
        ["沈东"],
        "invalid",
        actual=30.0,
        ratio=None,
        reasons=(JUMP_TEXT, HOLD_NOTE),
    ),
]


def _row(unit, task_id, metric_id, status, issues="", progress="") -> ReportedRow:
    return ReportedRow(
        unit,
        "2019-06",
        task_id,
        metric_id,
        7,
        status=status,
        issues=issues,
        progress=progress,
        sources={"issues": CellRef(f"2019-06_{unit}_进度填报表.xlsx", "进度填报", "K7")},
    )


def sub(unit, rows=(), problems=()) -> Submission:
    return Submission(
        f"2019-06_{unit}_进度填报表.xlsx",
        "0" * 64,
        datetime(2019, 7, 4, 10, 0, tzinfo=TZ),
        "on_time",
        unit,
        "2019-06",
        problems=tuple(problems),
        rows=tuple(rows),
    )


JUMP = Problem(
    "implausible_jump",
    JUMP_TEXT,
    "warning",
    CellRef("2019-06_金融局_进度填报表.xlsx", "进度填报", "F7"),
    "金融局",
    "4.3",
    "4.3.1",
    dimension="consistency",
)
SUBMISSIONS = [
    sub("市场监管局", [_row("市场监管局", "12.1", "12.1.1", "推进中")]),
    sub(
        "人社局",
        [
            _row("人社局", "16.1", "16.1.1", "受阻", issues="企业用工需求下降，需区领导协调园区"),
            _row("人社局", "21.1", None, "推进中"),
        ],
    ),
    sub(
        "农业农村局",
        [_row("农业农村局", "14.4", None, "受阻", progress="土地流转手续未批，需协调自然资源局")],
    ),
    sub("金融局", [_row("金融局", "4.3", "4.3.1", "推进中")], problems=[JUMP]),
]
PROBLEMS = [JUMP]


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reports") / "2019-06"
    write_reports(out, PERIOD, AS_OF, FINDINGS, SUBMISSIONS, PROBLEMS)
    return out


def report():
    return build_exception_report(
        PERIOD,
        AS_OF,
        FINDINGS,
        SUBMISSIONS,
        PROBLEMS,
        next_due=PERIOD.next().due("Asia/Shanghai", 5),
    )


def body_texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def table_texts(doc) -> list[list[str]]:
    return [[c.text for c in row.cells] for t in doc.tables for row in t.rows]


# ---- 版头, 主体, 版记 -----------------------------------------------------------------------


def test_docx_has_the_red_letterhead_the_number_and_one_signature(out):
    doc = Document(out / "exceptions.docx")
    texts = body_texts(doc)
    setting = DocumentSettings()
    # 版头: the issuing office's mark in red, the document number, a red rule under it.
    assert texts[0] == setting.issuer_mark
    mark = doc.paragraphs[0].runs[0]
    assert mark.font.color.rgb is not None and mark.font.color.rgb[0] > 0xC0
    assert mark.font.color.rgb[1] < 0x40 and mark.font.color.rgb[2] < 0x40
    assert texts[1] == "督查通报〔2019〕6号"
    rule = doc.paragraphs[1]._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule is not None and rule.get(qn("w:color")).upper().startswith("E6")
    # 主体: title, 主送机关, the body, the office and the date once, at the end.
    # Two lines, broken where a phrase ends (回行时词意完整).
    assert texts[2] == "关于2019年6月全区重点任务\n推进情况的督办通报"
    assert texts[3] == "区政府各分管领导，各牵头单位："
    assert texts.count(setting.issuer) == 1 and texts.count("2019年7月6日") == 1
    assert texts.index("2019年7月6日") == texts.index(setting.issuer) + 1
    assert texts.index(setting.issuer) > max(i for i, t in enumerate(texts) if "附件：" in t)
    assert not any("督查室　2019年" in t for t in texts)  # never on the title's line again


def test_docx_number_comes_from_the_setting(tmp_path):
    setting = DocumentSettings(number_format="区督办〔{year}〕{number}号", first_number=12)
    target = tmp_path / "2019-06" / "exceptions.docx"
    from progress_audit.reporting.reports.exceptions_docx import letterhead, write_exceptions_docx

    write_exceptions_docx(target, report(), letterhead(setting, PERIOD))
    assert body_texts(Document(target))[1] == "区督办〔2019〕17号"
    with pytest.raises(ValueError, match="number_format"):
        DocumentSettings(number_format="督查〔{year}〕{n}号")


def test_docx_page_numbers_at_the_foot_with_dashes(out):
    doc = Document(out / "exceptions.docx")
    assert doc.settings.odd_and_even_pages_header_footer
    first = doc.sections[0]
    for footer in (first.footer, first.even_page_footer):
        xml = footer._element.xml
        assert "PAGE" in xml and "fldChar" in xml
        assert footer.paragraphs[0].text.startswith("— ") and footer.paragraphs[0].text.endswith(
            " —"
        )
    assert first.footer.paragraphs[0].alignment == 2  # odd pages: right
    assert first.even_page_footer.paragraphs[0].alignment == 0  # even pages: left
    # Every later section shows the same numbers (linked, not blank).
    assert all(s.footer.is_linked_to_previous for s in doc.sections[1:])


def test_docx_colophon_on_the_last_page(out):
    doc = Document(out / "exceptions.docx")
    last = doc.sections[-1]
    assert last._sectPr.find(qn("w:vAlign")).get(qn("w:val")) == "bottom"
    assert last.page_height > last.page_width
    rows = [[c.text for c in row.cells] for row in doc.tables[-1].rows]
    assert rows[0][0].startswith("抄送：") and rows[0][0].endswith("。")
    assert rows[-1][0] == DocumentSettings().issuer and rows[-1][-1] == "2019年7月6日印发"
    body = doc.element.body
    assert body.index(doc.tables[-1]._tbl) > body.index(doc.tables[-2]._tbl)


def test_docx_page_fonts_and_grid_per_the_standard(out):
    doc = Document(out / "exceptions.docx")
    first = doc.sections[0]

    def mm(length) -> float:
        return round(length / 36000, 1)

    assert (mm(first.page_width), mm(first.page_height)) == (210, 297)
    assert mm(first.top_margin) == 37 and mm(first.left_margin) == 28
    assert mm(first.page_width - first.left_margin - first.right_margin) == 156
    assert mm(first.page_height - first.top_margin - first.bottom_margin) == 225
    grid = first._sectPr.find(qn("w:docGrid"))
    assert 22 * int(grid.get(qn("w:linePitch"))) / 20 == pytest.approx(225 / 25.4 * 72, abs=2)
    paragraphs = {p.text.replace("\n", ""): p for p in doc.paragraphs}
    title = paragraphs["关于2019年6月全区重点任务推进情况的督办通报"].runs[0]
    assert title.font.size == Pt(22) and title.font.name == "方正小标宋简体"
    body = next(p for p in doc.paragraphs if p.text.startswith("截至6月底")).runs[0]
    assert body.font.size == Pt(16)
    for run in (title, body):
        fonts = run._element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) == run.font.name
    assert body.font.name == "仿宋_GB2312"
    # 28 characters a line: 3号 set closer by the difference.
    spacing = body._element.rPr.find(qn("w:spacing"))
    pitch = 16 + int(spacing.get(qn("w:val"))) / 20
    assert 28 * pitch <= 156 / 25.4 * 72 < 29 * pitch


# ---- what the leader reads, complete ------------------------------------------------------


def test_attachment_2_is_complete(out):
    doc = Document(out / "exceptions.docx")
    rows = table_texts(doc)
    header = next(r for r in rows if r[0] == "状态" and "预计全年" in r)
    assert {"每月需完成", "预计全年", "落后序时进度"} <= set(header)
    line = next(r for r in rows if "12.1.1" in r)
    assert line[header.index("每月需完成")] and line[header.index("预计全年")] == "14.1件"
    words = rows[rows.index(line) + 1]
    assert any("存在问题：专利授权周期长，申请量不足" in c for c in words)


def test_blocked_lines_under_their_leader_in_word_and_html(out):
    r = report()
    assert [(b.leader, b.unit, b.task_id) for b in r.blocked] == [
        ("沈东", "人社局", "16.1"),
        ("周文俊", "农业农村局", "14.4"),
    ]
    texts = body_texts(Document(out / "exceptions.docx"))
    head = texts.index("三、需协调解决的问题")
    part = texts[head : texts.index("四、督办要求")]
    assert any(t.startswith("（一）沈东") for t in part)
    assert any("人社局" in t and "“企业用工需求下降，需区领导协调园区”" in t for t in part)
    assert any("“土地流转手续未批，需协调自然资源局”" in t for t in part)
    html = (out / "exceptions.html").read_text("utf-8")
    assert '<h3 class="part">需协调解决的问题</h3>' in html and "需区领导协调园区" in html
    letter = [str(c.value) for c in load_workbook(out / "exceptions.xlsx")["通报"]["A"] if c.value]
    assert "三、需协调解决的问题" in letter and any("需区领导协调园区" in t for t in letter)


def test_no_list_names_the_collective_leader(out):
    r = report()
    assert r.leader(FINDINGS[2]) == "沈东"
    docx_rows = table_texts(Document(out / "exceptions.docx"))
    line = next(r for r in docx_rows if "21.1" in r)
    assert "沈东" in line and "各区长" not in line
    html = (out / "exceptions.html").read_text("utf-8")
    lists = html[html.index("一、逾期未完成") :]
    assert "各区长" not in lists
    for name in ("exceptions.xlsx", "at-risk.xlsx"):
        wb = load_workbook(out / name)
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                assert not any(v == "各区长" for v in row), (name, ws.title, row)


def test_gap_in_the_figures_own_unit(out):
    docx_rows = table_texts(Document(out / "exceptions.docx"))
    header = next(r for r in docx_rows if r[0] == "状态" and "落后序时进度" in r)
    line = next(r for r in docx_rows if "12.1.1" in r)
    assert line[header.index("落后序时进度")] == "0.3件"
    assert "13.6" not in " ".join(line)
    html = (out / "exceptions.html").read_text("utf-8")
    assert ">0.3件<" in html and ">13.6<" not in html
    wb = load_workbook(out / "at-risk.xlsx")
    ws = wb["完整信息"]
    head = [c.value for c in ws[3]]
    row = next(r for r in ws.iter_rows(min_row=4, values_only=True) if r[2] == "12.1.1")
    assert row[head.index("落后序时进度")] == 0.3


def test_whole_things_shown_whole(out):
    docx_rows = table_texts(Document(out / "exceptions.docx"))
    line = next(r for r in docx_rows if "16.1.1" in r)
    assert "约615人" in line and not any("614.5" in c for c in line)
    html = (out / "exceptions.html").read_text("utf-8")
    assert "614.5" not in html and "约615人" in html


def test_data_problem_message_reads_as_one_sentence(out):
    r = report()
    (held,) = r.data_problems
    assert "。；" not in held.message and "；；" not in held.message
    assert held.message.count("数据异常，待核实") == 1
    checks = "".join(p.read_text("utf-8") for p in (ROOT / "checks").glob("*.py"))
    # A unit never floats before a word: 比上月的 3家增加 27家, not 3家 增加.
    assert not re.search(r"\{uom\}\"?\s*\n?\s*\"?\s+[\u4e00-\u9fff]", checks)
    assert not re.search(r"\{uom\} [\u4e00-\u9fff]", checks)


def test_one_word_for_a_held_figure_in_the_feedback(out):
    wb = load_workbook(out / "feedback" / "金融局.xlsx")
    problems = [r for r in wb["问题清单"].iter_rows(min_row=4, values_only=True) if r[0]]
    jump = next(r for r in problems if r[6] and "超过单月合理增量" in r[6])
    assert jump[1] == "数据异常"
    assert "可不修改" not in (jump[7] or "")
    status = [r for r in wb["任务状态"].iter_rows(min_row=4, values_only=True) if r[0]]
    assert any(r[0] == "数据异常" for r in status)


def test_reruns_give_the_same_docx_bytes(out, tmp_path):
    again = tmp_path / "2019-06"
    write_reports(again, PERIOD, AS_OF, FINDINGS, SUBMISSIONS, PROBLEMS)
    for name in ("exceptions.docx", "exceptions.html", "at-risk.xlsx"):
        assert (again / name).read_bytes() == (out / name).read_bytes(), name


def test_unit_text_with_control_characters_still_writes(tmp_path):
    bad = [replace(FINDINGS[0], issues="专利\x00授权\x07<b>周期</b>")]
    write_reports(tmp_path / "2019-06", PERIOD, AS_OF, bad, SUBMISSIONS[:1], [])
    rows = table_texts(Document(tmp_path / "2019-06" / "exceptions.docx"))
    assert any("专利授权<b>周期</b>" in c for r in rows for c in r)


# ---- printed ---------------------------------------------------------------------------------

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed: apt-get install chromium")
def test_printed_html_keeps_every_figure_in_its_own_column(out):
    """Printed on A4 landscape, no cell's text runs into the next column (13.3个百分点 beside the
    date, the 上月状态 badge beside 连续滞后)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    page_html = (out / "exceptions.html").read_text("utf-8")
    assert "13.6个百分点" not in page_html
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1047, "height": 740})  # 277 mm at 96 dpi
            page.emulate_media(media="print")
            page.goto((out / "exceptions.html").as_uri())
            spilled = page.evaluate(
                """() => [...document.querySelectorAll("table.list td")].flatMap(td => {
                    const box = td.getBoundingClientRect();
                    return [...td.querySelectorAll("*"), td].filter(el => {
                        const r = el.getBoundingClientRect();
                        if (el !== td) return r.right > box.right + 0.5;
                        return td.scrollWidth > td.clientWidth + 1;
                    }).map(el => td.innerText);
                })"""
            )
        finally:
            browser.close()
    assert spilled == []


def test_at_risk_prints_short_and_its_full_sheet_in_a_line_a_task(out):
    """Printing the whole workbook gives the leader's sheet and a compact 完整信息, not dozens
    of pages of it; the leader's sheet names a task short (the full text is in 完整信息)."""
    wb = load_workbook(out / "at-risk.xlsx")
    leader_sheet, full = wb["预警任务"], wb["完整信息"]
    head = [c.value for c in leader_sheet[3]]
    names = [
        r[head.index("指标/工作标准")] for r in leader_sheet.iter_rows(min_row=4, values_only=True)
    ]
    assert all(len(n) <= 24 for n in names if n)
    assert full.page_setup.fitToWidth == 1 and full.sheet_properties.pageSetUpPr.fitToPage
    assert not full.print_title_cols
    for row in full.iter_rows(min_row=4):
        assert full.row_dimensions[row[0].row].height is None
        assert not any(c.alignment.wrap_text for c in row)
    # The note saying which sheet to print is whole: its row is as tall as its lines.
    assert "打印请用“预警任务”表" in full["A2"].value


# ---- the dashboard and the quality page ----------------------------------------------------


def test_dashboard_card_of_a_held_figure_computes_nothing_from_it(tmp_path):
    """学校建成投用 held 数据异常: the card shows the figure as reported and no share of the
    target or gap to 序时进度 computed from it; lists name the leader the 通报 counts under."""
    for m in (1, 2):
        school = "invalid" if m == 2 else "on_track"
        write_month(
            tmp_path,
            m,
            [
                line(
                    "16.4.1",
                    "学校建成投用",
                    "教育局",
                    ["刘明江"],
                    8,
                    "所",
                    m,
                    8 * m / 12,
                    school,
                    m,
                ),
                line("5.1.1", "新增就业", "教育局", ["刘明江"], 100, "人", 10, 8, "on_track", m),
                line(None, "", "人社局", ["各区长"], None, "", None, None, "off_track", m, "21.1"),
                line("9.1.1", "技能培训", "人社局", ["沈东"], 500, "人", 80, 40, "on_track", m),
            ],
        )
    page = write_dashboard(tmp_path, ["16.4.1"]).read_text("utf-8")
    card = page[page.index('<section class="target"') : page.index("</section>")]
    assert "数据异常" in card and "完成全年目标" not in card and "落后" not in card
    assert "不计进度" in card
    streaks = page[page.index('id="streak-table"') :]
    streaks = streaks[: streaks.index("</table>")]
    assert "人社局" in streaks and "沈东" in streaks and "各区长" not in streaks


def test_quality_page_counts_a_files_problems_as_it_lists_them(catalogue_2019, tmp_path):
    from progress_audit.standards.responsibility import assignments
    from tests.support.quality_month import two_months

    _, report, _, page, _ = two_months(catalogue_2019, assignments(catalogue_2019), tmp_path)
    text = page.read_text("utf-8")
    files = text[text.index('id="file-table"') :]
    files = files[: files.index("</table>")]
    listed: dict[str, int] = {}
    for p in report.all_problems:
        if p.ref and p.ref.file:
            listed[p.ref.file] = listed.get(p.ref.file, 0) + 1
    rows = re.findall(
        r"<tr><td>[^<]*</td><td>([^<]*)</td>.*?<td class=\"num\">(\d+)</td></tr>", files
    )
    assert rows
    for name, count in rows:
        assert int(count) >= listed.get(name, 0), name
    assert any(int(count) > 0 for _, count in rows)


def test_whole_things_are_whole_in_the_workbooks_and_the_dashboard(out, tmp_path):
    wb = load_workbook(out / "at-risk.xlsx")
    ws = wb["完整信息"]
    head = [c.value for c in ws[3]]
    row = next(r for r in ws.iter_rows(min_row=4, values_only=True) if r[2] == "16.1.1")
    assert row[head.index("序时进度")] == 615 and row[head.index("落后序时进度")] == 315
    write_month(
        tmp_path,
        1,
        [line("16.4.1", "学校建成投用", "教育局", ["刘明江"], 8, "所", 0, 1.33, "at_risk", 1)],
    )
    page = write_dashboard(tmp_path, ["16.4.1"]).read_text("utf-8")
    card = page[page.index('<section class="target"') : page.index("</section>")]
    figures = card[: card.index("<svg")]
    assert "1.33" not in figures and "序时进度 约1 所" in figures
    assert "1.33" not in card  # nor in the chart's tooltips
