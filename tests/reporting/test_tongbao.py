"""The 督办通报 as a clerk sends it: 未报送 only for units without a usable workbook, each
finding once by leader, the opening paragraphs, month over month, the .docx, and lists that
name a line short and cite its file and cell."""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from progress_audit.model.period import Period, parse_as_of
from progress_audit.model.problems import CellRef, Problem
from progress_audit.model.records import Finding, Submission
from progress_audit.reporting.findings_file import findings_document, write_findings
from progress_audit.reporting.reports import write_reports
from progress_audit.reporting.reports.exceptions import (
    build_exception_report,
    opening_paragraphs,
)

TZ = ZoneInfo("Asia/Shanghai")
PERIOD = Period(2019, 6)
AS_OF = parse_as_of("2019-07-06")
LONG = (
    "重点围绕“三新一特”产业，招引龙头项目和总部型、标杆型、领军型企业，带动上下游产业链，"
    "加快形成产业集群。坚持大项目与优质科技型中小项目并重。"
)


def finding(task_id, metric_id, unit, leaders, status, **kw) -> Finding:
    defaults = dict(
        target=100.0,
        actual=40.0,
        expected=50.0,
        ratio=0.8,
        time_progress=0.5,
        deadline=date(2019, 12, 31),
        name=f"指标{metric_id or task_id}",
        unit_of_measure="家",
        source=CellRef(f"2019-06/{unit}/2019-06_{unit}_进度填报表.xlsx", "进度填报", "F7"),
    )
    defaults.update(kw)
    return Finding(task_id, metric_id, unit, tuple(leaders), status, **defaults)


def sub(unit, status, file=None, day=4, problems=()) -> Submission:
    return Submission(
        file or f"{unit}.xlsx",
        "0" * 64,
        datetime(2019, 7, day, 10, 0, tzinfo=TZ),
        status,
        unit,
        "2019-06",
        problems=tuple(problems),
    )


XLS = Problem(
    "legacy_xls",
    "这是旧版 Excel 97-2003 格式（.xls），系统不读取此格式",
    "error",
    CellRef("人社局.xls"),
    "人社局",
    dimension="validity",
)
FINDINGS = [
    finding("1.1", "1.1.1", "商务局", ["周新生"], "at_risk", name=LONG, gap_points=-10.0),
    finding("14.4", None, "农业农村局", ["周文俊", "朱霞"], "off_track", ratio=0.5),
    finding("9.1", "9.1.1", "人社局", ["沈东"], "on_track", ratio=1.0),
    finding("9.2", "9.2.1", "人社局", ["沈东"], "completed", ratio=2.0),
    finding("21.1", None, "人社局", ["各区长"], "at_risk"),
    finding("21.1", None, "政府办", ["各区长"], "on_track", ratio=1.0),
    finding("5.1", "5.1.1", "儒林镇", ["陶伟"], "on_track", ratio=1.0),
    finding("7.1", "7.1.1", "水利局", ["朱霞"], "missing", actual=None, ratio=None, source=None),
]
SUBMISSIONS = [
    sub("商务局", "on_time"),
    sub("农业农村局", "on_time"),
    sub("人社局", "on_time", file="2019-06_人社局_进度填报表.xlsx"),
    sub("人社局", "rejected", file="人社局.xls", day=3, problems=[XLS]),
    sub("政府办", "on_time"),
    sub("儒林镇", "late", day=7),
]


def report(history=None, findings=FINDINGS):
    return build_exception_report(
        PERIOD,
        AS_OF,
        findings,
        SUBMISSIONS,
        [XLS],
        history,
        next_due=PERIOD.next().due("Asia/Shanghai", 5),
    )


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reports") / "2019-06"
    write_reports(out, PERIOD, AS_OF, FINDINGS, SUBMISSIONS, [XLS])
    return out


# ---- 三、未报送 and the cards -------------------------------------------------------------


def test_a_unit_whose_workbook_was_used_is_not_unreported():
    r = report()
    assert [(n.unit, n.situation, n.lines) for n in r.not_reported] == [("水利局", "未报送", 1)]
    assert sum(n.lines for n in r.not_reported) == r.counts["missing"]
    # The late workbook that was used is a note; the rejected .xls of a unit whose .xlsx was
    # used is a data-quality note.
    assert [n.unit for n in r.late] == ["儒林镇"]
    assert [(d.unit, d.file) for d in r.notes] == [("人社局", "人社局.xls")]
    assert "另有报送的填报表已采用" in r.notes[0].message


def test_sections_agree_with_the_cards_in_every_format(out):
    html = (out / "exceptions.html").read_text("utf-8")
    assert "三、未报送（1 项，1 个单位）" in html
    section = html[html.index("三、未报送") : html.index("四、数据异常")]
    assert "人社局" not in section.split("另：")[0] and "儒林镇" not in section.split("另：")[0]
    assert "儒林镇" in section  # named in the note on late workbooks
    wb = load_workbook(out / "exceptions.xlsx")
    units = [r[0] for r in wb["未报送"].iter_rows(min_row=4, values_only=True) if r[1]]
    assert units == ["水利局"]
    problems = [r for r in wb["数据异常"].iter_rows(min_row=4, values_only=True)]
    assert any(r[0] == "人社局" and r[7] == "人社局.xls" for r in problems)


# ---- by leader ----------------------------------------------------------------------------


def test_each_finding_counted_once_by_leader():
    r = report()
    totals = {m.name: m.total for m in r.leaders}
    assert sum(totals.values()) == r.total == len(FINDINGS)
    # The task under two leaders counts under the first, with a note saying so.
    assert totals["周文俊"] == 1 and "朱霞" in totals and totals["朱霞"] == 1
    assert any("14.4" in n and "排名在前" in n for n in r.leader_notes)
    # 各区长: 人社局's task under its own leader (沈东); 政府办 leads nothing else, so it stays
    # in a 各区长 group, explained.
    assert totals["沈东"] == 3
    assert totals["各区长"] == 1
    assert any("各区长" in n and "分管领导计入" in n for n in r.leader_notes)


# ---- the opening paragraphs -----------------------------------------------------------------


def test_opening_paragraphs_in_every_format(out):
    paragraphs = opening_paragraphs(report())
    first = paragraphs[0]
    assert first.startswith(
        "截至6月底，全区8项任务中，已完成1项、正常推进3项、进度滞后3项（其中严重滞后1项）"
    )
    assert "未报送1项" in first and "水利局" in first and "逾期报送（儒林镇）" in first
    assert "无上月数据" in first
    text = "".join(paragraphs)
    assert "督办要求" in text and "整改时限：2019年8月5日24时前" in text
    html = (out / "exceptions.html").read_text("utf-8")
    assert first in html
    letter = [str(c.value) for c in load_workbook(out / "exceptions.xlsx")["通报"]["A"] if c.value]
    assert letter[0] == "关于2019年6月全区重点任务推进情况的督办通报"
    assert any(first in t for t in letter)
    doc = Document(out / "exceptions.docx")
    assert first in [p.text for p in doc.paragraphs]


# ---- the .docx ------------------------------------------------------------------------------


def test_docx_is_an_issued_document(out):
    doc = Document(out / "exceptions.docx")
    texts = [p.text for p in doc.paragraphs]
    assert texts[2].replace("\n", "") == "关于2019年6月全区重点任务推进情况的督办通报"
    signed = texts.index("区政府办公室督查室")
    assert texts[signed + 1] == "2019年7月6日" and "附件1" in texts[signed + 2 :]
    for n, name in enumerate(("逾期未完成", "进度滞后", "未报送", "数据异常"), start=1):
        assert f"附件{n}" in texts
        assert any(name in t for t in texts[texts.index(f"附件{n}") :][:2])
    first, attachments = doc.sections[0], doc.sections[1]
    assert first.page_height > first.page_width
    assert attachments.page_width > attachments.page_height
    assert (
        round(attachments.page_width.cm, 1) == 29.7 and round(attachments.page_height.cm, 1) == 21.0
    )
    # Header rows repeat on every page; fonts are named for Chinese.
    assert doc.tables
    for table in doc.tables[:-1]:  # the last is the 版记
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    fonts = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    run = doc.paragraphs[2].runs[0]._element.rPr.find(qn("w:rFonts"))
    assert run.get(qn("w:eastAsia"))
    # Dated at the as-of, not when it was written.
    stamp = AS_OF.astimezone(ZoneInfo("UTC"))
    assert doc.core_properties.created == stamp and doc.core_properties.modified == stamp
    with zipfile.ZipFile(out / "exceptions.docx") as z:
        local = AS_OF.replace(tzinfo=None).timetuple()[:6]
        assert {i.date_time for i in z.infolist()} == {local}


def test_docx_bytes_do_not_depend_on_the_clock(out, tmp_path, monkeypatch):
    import time

    monkeypatch.setattr(time, "time", lambda: 1_960_000_000.0)
    again = tmp_path / "2019-06"
    write_reports(again, PERIOD, AS_OF, FINDINGS, SUBMISSIONS, [XLS])
    monkeypatch.undo()
    assert (again / "exceptions.docx").read_bytes() == (out / "exceptions.docx").read_bytes()


# ---- month over month ------------------------------------------------------------------------


def _past(reports: Path, month: int, statuses: dict[str, str], submitted=()) -> None:
    period = Period(2019, month)
    fs = [f for f in FINDINGS if (f.metric_id or f.task_id) in statuses]
    fs = [
        Finding(**{**f.__dict__, "status": statuses[f.metric_id or f.task_id]})  # type: ignore[arg-type]
        for f in fs
    ]
    subs = [sub(u, "on_time") for u in submitted]
    doc = findings_document(period, period.due("Asia/Shanghai", 5), fs, subs)
    write_findings(reports / str(period) / "findings.json", doc)


def test_month_over_month(tmp_path):
    reports = tmp_path / "reports"
    _past(reports, 4, {"1.1.1": "off_track", "14.4": "at_risk", "9.1.1": "at_risk"})
    _past(
        reports,
        5,
        {"1.1.1": "at_risk", "14.4": "on_track", "9.1.1": "at_risk", "5.1.1": "on_track"},
        submitted=["商务局"],
    )
    write_reports(reports / "2019-06", PERIOD, AS_OF, FINDINGS, SUBMISSIONS, [XLS])
    from progress_audit.reporting.history import read_finding_history

    r = report(read_finding_history(reports, PERIOD))
    by_id = {f.metric_id or f.task_id: f for f in FINDINGS}
    assert r.previous == "2019年5月"
    assert r.trend(by_id["1.1.1"]).previous_label == "进度滞后"
    assert r.trend(by_id["1.1.1"]).streak == 3  # April, May, June
    assert r.trend(by_id["14.4"]).streak == 1  # on track in May
    assert r.improved == 1 and r.slipped == 1  # 9.1.1 better, 14.4 worse
    assert r.long_behind_units == ["商务局"]
    text = "".join(opening_paragraphs(r))
    assert "与2019年5月相比，1项好转、1项退步" in text
    assert "连续两个月及以上进度滞后或逾期的任务1项，涉及1个单位：商务局1项" in text
    ranking = {x.unit: x for x in r.ranking}
    assert r.ranking[0].unit in ("商务局", "农业农村局")
    assert ranking["商务局"].long_behind == 1 and ranking["商务局"].on_time_months == "2/3"
    assert ranking["人社局"].change == 0  # 9.1.1 behind in May, 21.1 behind now
    html = (reports / "2019-06" / "exceptions.html").read_text("utf-8")
    assert "上月状态" in html and "3个月" in html and "五、单位排名" in html
    wb = load_workbook(reports / "2019-06" / "exceptions.xlsx")
    header = [c.value for c in wb["进度滞后"][3]]
    row = next(r for r in wb["进度滞后"].iter_rows(min_row=4, values_only=True) if r[2] == "1.1.1")
    assert row[header.index("上月状态")] == "进度滞后"
    assert row[header.index("连续滞后")] == "连续3个月"
    assert wb["单位排名"]["A4"].value == 1


def test_no_previous_month_is_said(out):
    r = report()
    assert r.previous == "" and r.improved == r.slipped == 0
    html = (out / "exceptions.html").read_text("utf-8")
    assert "无上月数据" in html


# ---- names, sources, printing --------------------------------------------------------------


def test_lists_name_a_line_short_and_cite_file_and_cell(out):
    html = (out / "exceptions.html").read_text("utf-8")
    assert "重点围绕“三新一特”产业" in html and "加快形成产业集群" not in html
    assert "2019-06_商务局_进度填报表.xlsx F7" in html
    assert "2019-06/商务局/" not in html and "!进度填报!" not in html
    wb = load_workbook(out / "exceptions.xlsx")
    header = [c.value for c in wb["进度滞后"][3]]
    row = next(r for r in wb["进度滞后"].iter_rows(min_row=4, values_only=True) if r[2] == "1.1.1")
    assert row[header.index("指标/工作标准")] == "重点围绕“三新一特”产业"
    assert row[header.index("来源")] == "2019-06_商务局_进度填报表.xlsx F7"


def test_html_prints_without_empty_pages_and_numbers_never_wrap(out):
    html = (out / "exceptions.html").read_text("utf-8")
    css = html[html.index("<style>") : html.index("</style>")]
    assert re.search(r"td\.num\s*\{[^}]*white-space:\s*nowrap", css)
    assert "size: A4 landscape" in css and "display: table-header-group" in css
    # No forced page break after the summary (it left a near-empty first page).
    assert "break-after: page" not in css and "page-break-after: always" not in css


def test_the_docx_goes_out_with_the_mail(out):
    from progress_audit.config import SmtpSettings
    from progress_audit.notification.mail import exception_report_message

    settings = SmtpSettings(
        host="127.0.0.1", port=25, sender="dcs@example.gov.cn", office_recipients=["a@b.cn"]
    )
    summary = {"on_track": 3}
    msg = exception_report_message(PERIOD, AS_OF, summary, [out / "exceptions.docx"], settings)
    (part,) = list(msg.iter_attachments())
    assert part.get_filename() == "2019年6月督办通报.docx"
    assert part.get_content_type().endswith("wordprocessingml.document")
    assert part.get_payload(decode=True) == (out / "exceptions.docx").read_bytes()
