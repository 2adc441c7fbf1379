"""The demo's six months as the 督查室 reads their 督办通报: every card's number is the number of
rows of its section, the leaders add up to 全区合计, and a unit whose workbook was used is never
listed as 未报送 (May: 人社局's rejected .xls beside its .xlsx; June: 儒林镇, late but used).

The months are audited with the pipeline's plain functions (no Prefect), about a minute.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from progress_audit import pipeline
from progress_audit.config import get_settings
from progress_audit.demo.node_plans import plan_story, record_decisions
from progress_audit.demo.synthetic import make_inbox
from progress_audit.model.period import Period
from progress_audit.model.records import FINDING_STATUS_LABELS
from progress_audit.standards.responsibility import assignments

MONTHS = [Period(2019, m) for m in range(1, 7)]


@pytest.fixture(scope="module")
def reports(tmp_path_factory, catalogue_2019) -> Path:
    data = tmp_path_factory.mktemp("demo")
    settings = get_settings()
    lines = assignments(catalogue_2019, settings.unit_groups)
    make_inbox(
        data / "raw",
        catalogue_2019,
        lines,
        MONTHS,
        seed=2019,
        tz=settings.timezone,
        due_day=settings.due_day,
    )
    # As the demo does: the node plans approved, returned and extended at the story's times.
    record_decisions(data, catalogue_2019, lines, plan_story(lines, 2019, settings.timezone))
    for p in MONTHS:
        # As the demo does: audited on the 10th at 09:00.
        moment = p.due(settings.timezone, settings.due_day) + timedelta(days=4, hours=9)
        audit = pipeline.prepare(
            str(p), moment.isoformat(), data, now=datetime.now(UTC), settings=settings
        )
        ledger = pipeline.open_ledger(audit)
        month = pipeline.collect(audit, ledger, workers=False)
        quality = pipeline.check(audit, month)
        findings = pipeline.assess_month(audit, month, quality)
        pipeline.write_outputs(audit, month, quality, findings, moment)
    return data / "reports"


def _rows(ws, first: int = 4) -> list[tuple]:
    return list(ws.iter_rows(min_row=first, values_only=True))


@pytest.mark.parametrize("period", [str(p) for p in MONTHS])
def test_cards_equal_their_sections(reports, period):
    folder = reports / period
    wb = load_workbook(folder / "exceptions.xlsx")
    labels = list(FINDING_STATUS_LABELS.values())
    summary = _rows(wb["概况"])
    total = next(r for r in summary if r[0] == "全区")
    cards = dict(zip(labels, total[2 : 2 + len(labels)], strict=True))
    overdue = [r for r in _rows(wb["逾期未完成"]) if r[0] == "逾期未完成"]
    behind = [r for r in _rows(wb["进度滞后"]) if r[0] in ("严重滞后", "进度滞后")]
    missing = [
        r
        for r in _rows(wb["未报送"])
        if r[1] in ("未报送", "文件无法使用", "已退回", "漏报任务行", "未制定节点计划")
    ]
    problems = []
    for r in _rows(wb["数据异常"]):
        if r[0] and str(r[0]).startswith("数据质量提示"):
            break
        if r[1] or r[2]:
            problems.append(r)
    assert len(overdue) == cards["逾期未完成"]
    assert len(behind) == cards["严重滞后"] + cards["进度滞后"]
    assert sum(r[2] for r in missing) == cards["未报送"]
    assert len(problems) == cards["数据异常"]
    # By leader: each finding once, the rows add up to 全区合计.
    leaders = [r for r in summary if r[0] == "分管领导"]
    assert sum(r[2 + len(labels)] for r in leaders) == total[2 + len(labels)]
    assert "各区长" not in {r[1] for r in leaders}
    # The page says the same numbers.
    html = (folder / "exceptions.html").read_text("utf-8")
    assert f"一、逾期未完成（{cards['逾期未完成']} 项）" in html
    assert f"（{cards['严重滞后'] + cards['进度滞后']} 项）" in html
    assert re.search(rf"三、未报送（{cards['未报送']} 项，\d+ 个单位）", html)
    assert f"四、数据异常（{cards['数据异常']} 项）" in html
    assert (folder / "exceptions.docx").stat().st_size > 0


def test_may_rejected_xls_beside_a_used_xlsx_is_a_note(reports):
    wb = load_workbook(reports / "2019-05" / "exceptions.xlsx")
    assert "人社局" not in [r[0] for r in _rows(wb["未报送"]) if r[1]]
    notes = [r for r in _rows(wb["数据异常"]) if r[0] == "人社局"]
    assert any(str(r[7]).endswith(".xls") for r in notes)


def test_june_late_but_used_is_not_unreported(reports):
    wb = load_workbook(reports / "2019-06" / "exceptions.xlsx")
    rows = _rows(wb["未报送"])
    assert "儒林镇" not in [r[0] for r in rows if r[1]]
    assert any("儒林镇" in str(r[0]) and "逾期报送" in str(r[0]) for r in rows)


def test_june_compares_with_may(reports):
    html = (reports / "2019-06" / "exceptions.html").read_text("utf-8")
    assert "与2019年5月相比" in html and "连续两个月及以上" in html
    january = (reports / "2019-01" / "exceptions.html").read_text("utf-8")
    assert "无上月数据" in january


def test_june_track_sections_agree_with_findings_everywhere(reports):
    """节点任务和常态工作 in the Word, page and workbook 通报 counts what findings.json holds,
    names each missed node's leader as the count tables do, and no list judges a standard
    without a number by a ratio."""
    from docx import Document

    folder = reports / "2019-06"
    doc = json.loads((folder / "findings.json").read_text(encoding="utf-8"))
    findings = doc["findings"]
    missed = [
        (f["unit"], f["task_id"], n["node"], n["months_late"])
        for f in findings
        if f["track"] == "milestones"
        for n in f["nodes"] or ()
        if n["months_late"] > 0
    ]
    copied = [
        f for f in findings if f["track"] == "ongoing" and "进展情况与上月相同" in f["reasons"]
    ]
    unreported = [f for f in findings if f["track"] == "ongoing" and f["status"] == "missing"]
    assert missed and copied  # the demo's story: a few nodes missed, a duty copied
    head = f"（一）节点逾期。{len(missed)}个节点未按计划完成，"
    copied_line = f"{len(copied)}项进展情况与上月相同（照抄上月）"
    texts = [p.text for p in Document(str(folder / "exceptions.docx")).paragraphs]
    part = texts[texts.index("二、节点任务和常态工作") : texts.index("三、需协调解决的问题")]
    html = (folder / "exceptions.html").read_text(encoding="utf-8")
    letter = [c.value for c in load_workbook(folder / "exceptions.xlsx")["通报"]["A"] if c.value]
    for shown in ("\n".join(part), html, "\n".join(letter)):
        assert head in shown and copied_line in shown
        assert ("未报送进展情况" in shown) == bool(unreported)
    # Each missed node under the leader the at-risk list names for its line.
    ws = load_workbook(folder / "at-risk.xlsx")["完整信息"]
    header = [c.value for c in ws[3]]
    rows = [dict(zip(header, r, strict=False)) for r in ws.iter_rows(min_row=4, values_only=True)]
    leader_of = {(r["牵头单位"], r["任务编号"]): r["分管领导"] for r in rows if r["牵头单位"]}
    leader = ""
    for line in part:
        if line.endswith("个）：") and "分管" in line:
            leader = line.split("分管")[0]
        for unit, task, node, late in missed:
            if f"{unit} 任务 {task} 节点 {node}“" in line and "应于" in line:
                assert leader == leader_of[(unit, task)], line
                assert f"已逾期 {late} 个月" in line
    # No ratio for a standard without a number; its nodes or 进展情况 said instead.
    tracks = {(f["unit"], f["task_id"], f["metric_id"]): f["track"] for f in findings}
    for r in rows:
        if r["牵头单位"] and tracks[(r["牵头单位"], r["任务编号"], r["指标编号"])] != "metric":
            assert r["完成序时进度比例"] is None and r["序时进度"] is None, r
            assert r["节点/进展情况"], r
    assert sum(
        summary for s, summary in doc["summary"].items() if s in ("at_risk", "off_track")
    ) == (len([r for r in rows if r["牵头单位"]]))


def test_june_feedback_lists_the_units_own_nodes_and_duties(reports):
    folder = reports / "2019-06"
    doc = json.loads((folder / "findings.json").read_text(encoding="utf-8"))
    late = next(
        f
        for f in doc["findings"]
        if f["track"] == "milestones" and any(n["months_late"] for n in f["nodes"] or ())
    )
    ws = load_workbook(folder / "feedback" / f"{late['unit']}.xlsx")["节点与常态工作"]
    rows = [r for r in ws.iter_rows(min_row=4, values_only=True) if r[0]]
    assert ("节点逾期", late["task_id"]) in [(r[0], r[1]) for r in rows]
    assert any(r[0] == "节点计划" for r in rows)
    copied = next(
        f
        for f in doc["findings"]
        if f["track"] == "ongoing" and "进展情况与上月相同" in f["reasons"]
    )
    ws = load_workbook(folder / "feedback" / f"{copied['unit']}.xlsx")["节点与常态工作"]
    assert ("常态工作照抄上月", copied["task_id"]) in [
        (r[0], r[1]) for r in ws.iter_rows(min_row=4, values_only=True)
    ]
