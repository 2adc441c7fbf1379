"""The month's reports (contract section 6), read back as a clerk would open them."""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from progress_audit.files.xlsx_style import STATUS_FILLS, display_width, put
from progress_audit.model.period import Period, parse_as_of
from progress_audit.model.problems import CellRef, Problem
from progress_audit.model.records import FINDING_STATUS_LABELS, Finding, ReportedRow, Submission
from progress_audit.reporting.reports import write_reports

TZ = ZoneInfo("Asia/Shanghai")
PERIOD = Period(2019, 6)
AS_OF = parse_as_of("2019-07-06")
INJECTIONS = ('=HYPERLINK("http://x","点")', "+cmd", "-1+2", "@SUM(1)")
SCRIPT = "<script>alert(1)</script>"


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
        source=CellRef(f"{unit}.xlsx", "进度填报", "F6"),
    )
    defaults.update(kw)
    return Finding(task_id, metric_id, unit, tuple(leaders), status, **defaults)


def sub(unit, status, file=None, day=4, problems=(), rows=()) -> Submission:
    return Submission(
        file or f"{unit}.xlsx",
        "0" * 64,
        datetime(2019, 7, day, 10, 0, tzinfo=TZ),
        status,
        unit,
        "2019-06" if unit else None,
        problems=tuple(problems),
        rows=tuple(rows),
    )


# A month built by hand: two leaders' overdue tasks, every status, hostile unit text.
FINDINGS = [
    finding(
        "1.1",
        "1.1.1",
        "商务局",
        ["周新生"],
        "overdue",
        target=500.0,
        actual=300.0,
        expected=500.0,
        ratio=0.6,
        deadline=date(2019, 6, 30),
        issues=INJECTIONS[0],
        reasons=("完成期限已到，目标未完成",),
    ),
    finding(
        "6.1",
        "6.1.1",
        "科技局",
        ["王斌"],
        "overdue",
        deadline=date(2019, 6, 30),
        issues=INJECTIONS[1],
    ),
    finding(
        "1.3",
        None,
        "商务局",
        ["周新生"],
        "overdue",
        target=None,
        actual=None,
        deadline=date(2019, 6, 30),
        issues=SCRIPT,
    ),
    finding("3.2", "3.2.1", "工信局", ["周新生"], "overdue", deadline=date(2019, 6, 30)),
    finding(
        "2.1",
        "2.1.1",
        "商务局",
        ["周新生"],
        "at_risk",
        ratio=0.85,
        gap_points=-7.5,
        issues=INJECTIONS[2],
    ),
    finding("2.3", "2.3.1", "商务局", ["周新生"], "at_risk", ratio=0.85, gap_points=-15.0),
    finding(
        "2.2",
        "2.2.1",
        "工信局",
        ["周新生"],
        "at_risk",
        ratio=0.75,
        gap_points=-12.5,
        gap=12.5,
        required_monthly=10.0,
        projection=80.0,
        due_soon=True,
        issues=INJECTIONS[3],
    ),
    finding("6.2", "6.2.1", "科技局", ["王斌"], "off_track", ratio=0.5, gap_points=-25.0),
    finding(
        "6.3",
        None,
        "科技局",
        ["王斌"],
        "off_track",
        ratio=None,
        target=None,
        actual=None,
        reasons=("单位报告受阻",),
    ),
    finding("7.1", "7.1.1", "水利局", ["朱霞"], "missing", actual=None, ratio=None, source=None),
    finding("7.2", "7.2.1", "水利局", ["朱霞"], "missing", actual=None, ratio=None, source=None),
    finding("8.1", "8.1.1", "发改局", ["周新生"], "missing", actual=None, ratio=None, source=None),
    finding(
        "9.1",
        "9.1.1",
        "人社局",
        ["沈东"],
        "invalid",
        actual=None,
        ratio=None,
        source=CellRef("人社局.xlsx", "进度填报", "F7"),
        reasons=("进度填报!F7 的值无法识别",),
    ),
    finding(
        "9.2",
        "9.2.1",
        "人社局",
        ["沈东"],
        "invalid",
        actual=None,
        ratio=None,
        source=CellRef("人社局.xlsx", "进度填报", "F8"),
        reasons=("年累计数比上月减少",),
    ),
    finding("8.2", "8.2.1", "发改局", ["周新生"], "on_track", ratio=1.0),
    finding("9.3", "9.3.1", "人社局", ["沈东"], "completed", actual=120.0, ratio=2.4),
    finding("10.1", "10.1.1", "城管局", ["陶伟"], "missing", actual=None, ratio=None, source=None),
]
HRS_ROW = ReportedRow(
    "人社局",
    "2019-06",
    "9.1",
    "9.1.1",
    7,
    value=None,
    value_text=f"约五千{SCRIPT}",
    issues="=1+1",
    sources={"value": CellRef("人社局.xlsx", "进度填报", "F7")},
)
SUBMISSIONS = [
    sub("商务局", "on_time"),
    sub(
        "科技局",
        "late",
        day=6,
        problems=[
            Problem(
                "late",
                "2019年7月6日10:00收到，晚于截止时间",
                "warning",
                CellRef("科技局.xlsx"),
                "科技局",
                dimension="timeliness",
            )
        ],
    ),
    sub("人社局", "on_time", rows=[HRS_ROW]),
    sub("发改局", "superseded", file="发改局-旧.xlsx", day=2),
    sub("发改局", "on_time"),
    sub(
        "城管局",
        "rejected",
        problems=[
            Problem(
                "no_header",
                "找不到表头，请使用下发的模板",
                "error",
                CellRef("城管局.xlsx", "进度填报"),
                "城管局",
                dimension="completeness",
            )
        ],
    ),
    sub(
        None,
        "rejected",
        file="=cmd|' /C calc'!A0.xlsx",
        problems=[
            Problem("no_unit", "无法确定填报单位", "error", CellRef("=cmd|' /C calc'!A0.xlsx"))
        ],
    ),
    sub(
        "../../逃逸",
        "rejected",
        file="evil.xlsx",
        problems=[Problem("no_header", "找不到表头", "error", CellRef("evil.xlsx"), "../../逃逸")],
    ),
]
PROBLEMS = [
    Problem(
        "unreadable_value",
        f"进度填报!F7 的“约五千{SCRIPT}”无法识别为数字，请填写阿拉伯数字",
        "error",
        CellRef("人社局.xlsx", "进度填报", "F7"),
        "人社局",
        "9.1",
        "9.1.1",
    ),
    Problem(
        "approximate",
        "进度填报!F6 的“约300”按300计，请填写准确数字",
        "warning",
        CellRef("商务局.xlsx", "进度填报", "F6"),
        "商务局",
        "1.1",
        "1.1.1",
    ),
]


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reports") / "2019-06"
    paths = write_reports(out, PERIOD, AS_OF, FINDINGS, SUBMISSIONS, PROBLEMS)
    assert all(p.exists() for p in paths)
    return out


def rows_of(ws, first: int = 4) -> list[list]:
    return [list(r) for r in ws.iter_rows(min_row=first, values_only=True)]


def header(ws, row: int = 3) -> list[str]:
    return [c.value for c in ws[row] if c.value is not None]


def data_rows(ws, status_labels) -> list[list]:
    return [r for r in rows_of(ws) if r[0] in status_labels]


def assert_print_ready(ws, header_row: int = 3) -> None:
    assert ws.freeze_panes == f"A{header_row + 1}"
    assert ws.auto_filter.ref.startswith(f"A{header_row}:")
    assert ws.print_title_rows == f"${header_row}:${header_row}"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
    assert "2019年6月" in ws["A1"].value and "2019年7月6日" in ws["A2"].value
    for c in ws[header_row]:
        if c.value:
            # Header fill, or a status's own colour over a status column of the summary.
            assert c.font.b and c.fill.fgColor.rgb[-6:] in {"DDEBF7", *STATUS_FILLS.values()}


def test_every_report_file_is_written(out):
    names = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    feedback = {"商务局", "科技局", "人社局", "发改局", "城管局", "_.._逃逸"}
    assert names == sorted(
        ["overdue.xlsx", "at-risk.xlsx", "exceptions.xlsx", "exceptions.html", "exceptions.docx"]
        + [f"feedback/{u}.xlsx" for u in feedback]
    )


def test_overdue_grouped_by_leader_then_unit(out):
    ws = load_workbook(out / "overdue.xlsx")["逾期任务"]
    assert header(ws) == [
        "状态",
        "任务编号",
        "指标编号",
        "指标/工作标准",
        "牵头单位",
        "分管领导",
        "目标值",
        "本年累计完成",
        "计量单位",
        "完成期限",
        "差距（目标−完成）",
        "节点/进展情况",
        "存在问题",
        "原因",
        "来源",
    ]
    assert_print_ready(ws)
    rows = data_rows(ws, {"逾期未完成"})
    expected = Counter((f.task_id, f.unit) for f in FINDINGS if f.status == "overdue")
    assert Counter((r[1], r[4]) for r in rows) == expected
    # Leaders in the table's order (周新生 leads task 1.1), units within them likewise.
    assert [(r[5], r[4], r[1]) for r in rows] == [
        ("周新生", "商务局", "1.1"),
        ("周新生", "商务局", "1.3"),
        ("周新生", "工信局", "3.2"),
        ("王斌", "科技局", "6.1"),
    ]
    groups = [r[0] for r in rows_of(ws) if str(r[0]).startswith(("分管领导", "牵头单位"))]
    assert groups == [
        "分管领导：周新生（逾期 3 项）",
        "牵头单位：商务局（2 项）",
        "牵头单位：工信局（1 项）",
        "分管领导：王斌（逾期 1 项）",
        "牵头单位：科技局（1 项）",
    ]
    first = next(r for r in rows if r[1] == "1.1")
    assert first[6] == 500 and first[7] == 300 and first[10] == 200
    assert first[13] == "完成期限已到，目标未完成" and first[14] == "商务局.xlsx!进度填报!F6"
    assert first[11] in (None, "")  # a metric has no nodes to name
    status = next(c for c in ws["A"] if c.value == "逾期未完成")
    assert status.fill.fgColor.rgb.endswith(STATUS_FILLS["overdue"])
    assert ws.cell(row=status.row, column=10).number_format.startswith("yyyy")


def test_at_risk_worst_first(out):
    assert_print_ready(load_workbook(out / "at-risk.xlsx")["预警任务"])
    ws = load_workbook(out / "at-risk.xlsx")["完整信息"]  # every column
    cols = header(ws)
    for name in (
        "序时进度",
        "完成序时进度比例",
        "落后序时进度",
        "每月需完成",
        "预计全年",
        "临近期限",
        "存在问题",
    ):
        assert name in cols
    rows = data_rows(ws, {"严重滞后", "进度滞后"})
    # 受阻 without a ratio first, then the lowest ratio, then the furthest behind 序时进度;
    # 进度滞后 after every 严重滞后.
    assert [(r[0], r[2] or r[1]) for r in rows] == [
        ("严重滞后", "6.3"),
        ("严重滞后", "6.2.1"),
        ("进度滞后", "2.2.1"),
        ("进度滞后", "2.3.1"),
        ("进度滞后", "2.1.1"),
    ]
    soon = rows[2]
    assert soon[cols.index("临近期限")] == "30天内到期"
    assert soon[cols.index("每月需完成")] == 10 and soon[cols.index("预计全年")] == 80
    assert soon[cols.index("完成序时进度比例")] == 0.75
    # In the figure's own unit (its 计量单位 beside it), as findings.json's gap: behind > 0.
    assert soon[cols.index("落后序时进度")] == 12.5
    fills = {c.value: c.fill.fgColor.rgb for c in ws["A"][3:] if c.value}
    assert fills["严重滞后"].endswith(STATUS_FILLS["off_track"])
    assert fills["进度滞后"].endswith(STATUS_FILLS["at_risk"])


def test_exceptions_workbook_sections(out):
    wb = load_workbook(out / "exceptions.xlsx")
    assert wb.sheetnames == [
        "通报",
        "概况",
        "逾期未完成",
        "进度滞后",
        "未报送",
        "数据异常",
        "单位排名",
    ]
    for ws in wb.worksheets[1:]:
        assert_print_ready(ws)
    letter = [c.value for c in wb["通报"]["A"] if c.value]
    assert letter[0] == "关于2019年6月全区重点任务推进情况的督办通报"
    assert any(str(t).strip().startswith("截至6月底，全区17项任务中") for t in letter)
    summary = wb["概况"]
    cols = header(summary)
    n = len(FINDING_STATUS_LABELS)  # 计划审定中 counted apart, in its own column
    assert cols[2 : 2 + n] == list(FINDING_STATUS_LABELS.values())
    rows = {(r[0], r[1]): r for r in rows_of(summary)}
    counts = Counter(f.status for f in FINDINGS)
    total = rows[("全区", "合计")]
    assert [total[2 + i] for i in range(n)] == [counts[s] for s in FINDING_STATUS_LABELS]
    assert total[2 + n] == len(FINDINGS)
    zhou = rows[("分管领导", "周新生")]
    assert zhou[2] == 3 and zhou[cols.index("进度滞后")] == 3 and zhou[2 + n] == 8
    assert rows[("牵头单位", "水利局")][cols.index("未报送")] == 2
    assert summary.page_setup.fitToHeight == 1  # the summary prints on one page

    assert len(data_rows(wb["逾期未完成"], {"逾期未完成"})) == 4
    behind = data_rows(wb["进度滞后"], {"严重滞后", "进度滞后"})
    assert [r[0] for r in behind] == ["严重滞后"] * 2 + ["进度滞后"] * 3
    items = header(wb["进度滞后"])
    for name in (
        "目标值",
        "本年累计完成",
        "序时进度",
        "落后序时进度",
        "每月需完成",
        "存在问题",
        "上月状态",
        "连续滞后",
    ):
        assert name in items
    # The source is the file and the cell.
    assert behind[-1][items.index("来源")] == "商务局.xlsx F6"

    missing = {(r[0], r[1]): r for r in rows_of(wb["未报送"])}
    assert missing[("水利局", "未报送")][2] == 2
    assert missing[("水利局", "未报送")][3] == "7.1.1、7.2.1"
    assert missing[("发改局", "漏报任务行")][2] == 1
    assert "找不到表头" in missing[("城管局", "文件无法使用")][7]
    # 科技局 reported late and its workbook was used: a note, not 未报送.
    assert not any(r[0] == "科技局" for r in rows_of(wb["未报送"]) if r[1])
    assert any("科技局" in str(r[0]) and "逾期报送" in str(r[0]) for r in rows_of(wb["未报送"]))

    problems = rows_of(wb["数据异常"])
    f7 = next(r for r in problems if r[8] == "F7")
    assert f7[0] == "人社局" and f7[4] == f"约五千{SCRIPT}" and "无法识别" in f7[5]
    # The invalid finding no problem explains is listed from the finding itself.
    f8 = next(r for r in problems if r[8] == "F8")
    assert f8[5] == "年累计数比上月减少。"
    # The file no unit could be told for is a data-quality note.
    assert any(str(r[7]).endswith("calc'!A0.xlsx") and r[0] == "（未识别单位）" for r in problems)


def test_feedback_per_submitting_unit(out):
    hrs = load_workbook(out / "feedback" / "人社局.xlsx")
    assert hrs.sheetnames == ["问题清单", "任务状态", "节点与常态工作", "报送记录"]
    for ws in hrs:
        assert_print_ready(ws)
    problems = rows_of(hrs["问题清单"])
    assert len(problems) == 1
    _, severity, file, sheet, cell, typed, message, advice, task, metric = problems[0]
    assert (severity, file, sheet, cell, task, metric) == (
        "错误",
        "人社局.xlsx",
        "进度填报",
        "F7",
        "9.1",
        "9.1.1",
    )
    assert typed == f"约五千{SCRIPT}" and "阿拉伯数字" in message and "更正" in advice
    statuses = [r[0] for r in rows_of(hrs["任务状态"])]
    assert Counter(statuses) == Counter(f.status_label for f in FINDINGS if f.unit == "人社局")

    clean = load_workbook(out / "feedback" / "发改局.xlsx")
    assert "未发现" in rows_of(clean["问题清单"])[0][0]
    sent = rows_of(clean["报送记录"])
    assert [r[2] for r in sent] == ["已被新版本替代", "按时报送"]

    rejected = load_workbook(out / "feedback" / "城管局.xlsx")
    assert rows_of(rejected["问题清单"])[0][6] == "找不到表头，请使用下发的模板"
    note = rows_of(rejected["报送记录"])[0]
    assert note[2] == "无法使用" and "找不到表头" in note[3]
    late = load_workbook(out / "feedback" / "科技局.xlsx")["报送记录"]
    assert "晚于截止时间" in rows_of(late)[0][3]
    assert not (out / "feedback" / "水利局.xlsx").exists()  # it sent nothing


def test_unit_text_never_becomes_a_formula(out):
    seen: set[str] = set()
    for path in out.rglob("*.xlsx"):
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/"):
                    assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), path
        for ws in load_workbook(path):
            for row in ws.iter_rows():
                for c in row:
                    if isinstance(c.value, str):
                        assert c.data_type == "s", (path, c.coordinate, c.value)
                        seen.update(s for s in (*INJECTIONS, SCRIPT) if s in c.value)
    assert seen == {*INJECTIONS, SCRIPT}


@pytest.mark.parametrize("text", [*INJECTIONS, "=1+1", "=", "普通文字", "a\x01b"])
def test_put_keeps_text(tmp_path, text):
    from openpyxl import Workbook

    wb = Workbook()
    put(wb.active, 1, 1, text)
    wb.save(tmp_path / "t.xlsx")
    cell = load_workbook(tmp_path / "t.xlsx").active["A1"]
    assert cell.data_type == "s"
    assert cell.value == text.replace("\x01", "\ufffd")


def test_html_is_self_contained_and_escaped(out):
    html = (out / "exceptions.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;" in html or "&quot;" in html  # the HYPERLINK's quotes, escaped
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:|//)""", html, re.I)
    assert not re.search(r"<link|@import|url\(", html, re.I)
    assert "Noto Sans CJK SC" in html and "size: A4 landscape" in html
    assert html.count("<thead>") >= 4
    for label in (
        "一、逾期未完成",
        "二、进度滞后",
        "三、未报送",
        "四、数据异常",
        "按分管领导",
        "按牵头单位",
        "2019年6月",
        "2019年7月6日",
    ):
        assert label in html
    # Every behind item shows target, actual, 序时进度, gap, monthly rate and the unit's words.
    assert "12.5" in html and "10家" in html and "30天内到期" in html


def test_rerun_reproduces_the_bytes(out, tmp_path, monkeypatch):
    # A rerun years later: the wall clock that openpyxl and zipfile read must not show.
    import datetime as dt
    import time

    import openpyxl.writer.excel as excel_writer

    class Later(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime(2031, 2, 3, 4, 5, 6, tzinfo=tz)

    clock = type("clock", (), {"datetime": Later, "timezone": dt.timezone})
    monkeypatch.setattr(excel_writer, "datetime", clock)
    monkeypatch.setattr(time, "time", lambda: 1_960_000_000.0)
    again = tmp_path / "2019-06"
    write_reports(again, PERIOD, AS_OF, FINDINGS, SUBMISSIONS, PROBLEMS)
    monkeypatch.undo()
    for path in out.rglob("*.*"):
        assert (again / path.relative_to(out)).read_bytes() == path.read_bytes(), path


def test_quiet_month_still_writes_every_report(tmp_path):
    done = [finding("1.1", "1.1.1", "商务局", ["周新生"], "completed", actual=600.0, ratio=2.4)]
    paths = write_reports(tmp_path, PERIOD, AS_OF, done, [sub("商务局", "on_time")])
    assert {p.name for p in paths} == {
        "overdue.xlsx",
        "at-risk.xlsx",
        "exceptions.xlsx",
        "exceptions.html",
        "exceptions.docx",
        "商务局.xlsx",
    }
    ws = load_workbook(tmp_path / "overdue.xlsx").active
    assert rows_of(ws)[0][0] == "2019年6月无逾期未完成的任务。"
    assert "本月未发现数据异常" in (tmp_path / "exceptions.html").read_text(encoding="utf-8")


def test_cjk_counts_double_width():
    assert display_width("人社局") == 6 and display_width("F7") == 2
    assert display_width("ａｂ") == 4  # full-width Latin is wide too
