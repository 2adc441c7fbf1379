"""The demo's six months as the 督查室 reads their 督办通报: every card's number is the number of
rows of its section, the leaders add up to 全区合计, and a unit whose workbook was used is never
listed as 未报送 (May: 人社局's rejected .xls beside its .xlsx; June: 儒林镇, late but used).

The months are audited with the pipeline's plain functions (no Prefect), about a minute.
"""

from __future__ import annotations

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
