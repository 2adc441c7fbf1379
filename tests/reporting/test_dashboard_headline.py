"""dashboard.html opens with what a leader needs: the headline targets against 序时进度, the lines
and units behind month after month, each leader's trend, and links to each month's 通报."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from progress_audit.reporting.dashboards import write_dashboard
from progress_audit.reporting.dashboards.headline import (
    behind_streaks,
    headlines,
    leader_trend,
    unit_streaks,
)
from progress_audit.reporting.dashboards.history import read_history
from tests.reporting.test_presentation import office_words_problems, visible_text

EMPLOYMENT = (0.1, 0.19, 0.3)  # the seasonal profile: ahead of a straight line


def f(mid, name, unit, leaders, target, uom, actual, expected, status, month, task=None):
    return {
        "task_id": task or (mid.rsplit(".", 1)[0] if mid else ""),
        "metric_id": mid,
        "unit": unit,
        "leaders": leaders,
        "status": status,
        "target": target,
        "actual": actual,
        "expected": expected,
        "ratio": None,
        "time_progress": month / 12,
        "deadline": "2019-12-31",
        "reasons": [],
        "source": {"file": None, "sheet": None, "cell": None},
        "name": name,
        "unit_of_measure": uom,
    }


def month_findings(m: int) -> list[dict]:
    share = m / 12
    return [
        f(
            "16.1.1",
            "城镇新增就业",
            "人社局",
            ["沈东"],
            9000,
            "人",
            [1000, 2500, 5313][m - 1],
            9000 * EMPLOYMENT[m - 1],
            "on_track",
            m,
        ),
        f(
            "3.2.1",
            "盘活存量用地",
            "自然资源局",
            ["周新生"],
            5000,
            "亩",
            300 * m,
            5000 * share,
            "on_track" if m == 1 else "at_risk",
            m,
        ),
        f(
            "1.1.1",
            "签约引进工业项目协议总投资",
            "商务局",
            ["周新生"],
            500,
            "亿元",
            50 * m,
            500 * share,
            "on_track",
            m,
        ),
        f(
            "6.1.1",
            "新增高新技术企业",
            "科技局",
            ["沈东"],
            20,
            "家",
            2 * m,
            20 * share,
            "on_track",
            m,
        ),
        f("4.3.2", "新增股改企业", "金融局", ["沈东"], 12, "家", m, 12 * share, "on_track", m),
        f("13.5.1", "村集体总收入年增长", "农业农村局", ["王强"], 8, "%", 3.5, 8, "off_track", m),
        f(
            "12.1.1",
            "每万人发明专利拥有量",
            "市场监管局",
            ["王强"],
            14.8,
            "件",
            12.5,
            12 + 2.8 * share,
            "on_track",
            m,
        ),
        f("6.4.2", "培育中国驰名商标", "市场监管局", ["王强"], 1, "件", 0, 0, "on_track", m),
        f(None, "", "发改局", ["周新生", "沈东"], None, "", None, None, "off_track", m, task="2.1"),
    ]


def write_month(root: Path, m: int, findings: list[dict]) -> Path:
    """`root/2019-0m/findings.json` holding these findings; the month's folder."""
    folder = root / f"2019-{m:02d}"
    folder.mkdir(parents=True)
    summary: dict[str, int] = {}
    for x in findings:
        summary[x["status"]] = summary.get(x["status"], 0) + 1
    doc = {
        "period": f"2019-{m:02d}",
        "as_of": f"2019-{m + 1:02d}-06T00:00:00+08:00",
        "summary": summary,
        "findings": findings,
        "submissions": [],
    }
    (folder / "findings.json").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    return folder


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("reports")
    for m in (1, 2, 3):
        folder = write_month(root, m, month_findings(m))
        if m > 1:
            (folder / "exceptions.html").write_text("<html></html>", "utf-8")
            (folder / "exceptions.docx").write_bytes(b"")
    return root


@pytest.fixture(scope="module")
def page(reports) -> str:
    return write_dashboard(reports).read_text("utf-8")


def test_headline_targets_are_the_largest_cumulative_ones(reports):
    months = read_history(reports).months
    got = headlines(months)
    # one per unit of measure, largest first; no rate (%), no level (patents per 10,000)
    assert [h.metric_id for h in got] == ["16.1.1", "3.2.1", "1.1.1", "6.1.1", "6.4.2"]
    jobs = got[0]
    assert jobs.now == 5313 and jobs.target == 9000 and jobs.actual == {1: 1000, 2: 2500, 3: 5313}
    assert jobs.expected[3] == pytest.approx(2700)
    assert [h.metric_id for h in headlines(months, ["6.1.1", "13.5.1", "9.9.9"])] == [
        "6.1.1",
        "13.5.1",
    ]


def test_the_page_opens_with_the_headline_targets_and_their_trend(page):
    text = visible_text(page)
    assert page.index('id="targets"') < page.index('id="status"')
    assert "城镇新增就业" in text and "5,313" in text and "9,000" in text
    assert "序时进度2,700人，超出2,613人" in re.sub(r"\s+", "", text)
    assert "盘活存量用地" in text and "落后" in text and "新增高新技术企业" in text
    targets = page[page.index('id="targets"') : page.index('id="streaks"')]
    assert targets.count("<svg") == 5 and targets.count("<polyline") == 10
    assert "<script" not in targets


def test_lines_and_units_behind_month_after_month(reports, page):
    months = read_history(reports).months
    streaks = {(r["id"], r["unit"]): r for r in behind_streaks(months)}
    assert streaks[("2.1", "发改局")]["months"] == 3
    assert streaks[("3.2.1", "自然资源局")]["months"] == 2
    assert ("13.5.1", "农业农村局") in streaks  # behind three months in a row too
    assert ("16.1.1", "人社局") not in streaks
    units = {r["unit"]: r for r in unit_streaks(months)}
    assert units["发改局"]["counts"] == [1, 1, 1] and units["自然资源局"]["months"] == 2
    table = page[page.index('id="streak-table"') :]
    assert "3 个月" in table and "2 个月" in table


def test_each_leaders_trend(reports, page):
    rows = {r["leader"]: r for r in leader_trend(read_history(reports).months)}
    assert rows["周新生"]["behind"] == [1, 2, 2] and rows["周新生"]["change"] == 0
    assert rows["沈东"]["behind"] == [1, 1, 1]
    assert "两位领导各计一次" in page and 'id="leader-table"' in page


def test_links_to_each_months_report_are_relative(page):
    assert 'href="2019-03/exceptions.html"' in page
    assert 'href="2019-02/exceptions.docx"' in page
    assert 'href="2019-01/exceptions.html"' not in page  # not written that month
    assert not re.search(r'(href|src)="(https?:)?//', page)


def test_configured_headline_list(reports, tmp_path):
    page = write_dashboard(reports, headline=["6.1.1"]).read_text("utf-8")
    targets = page[page.index('id="targets"') : page.index('id="streaks"')]
    assert "新增高新技术企业" in targets and "城镇新增就业" not in targets


def test_no_codes_or_library_names_on_the_dashboard(page):
    assert office_words_problems(visible_text(page)) == []
