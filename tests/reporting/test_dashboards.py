"""quality.html and dashboard.html: content, escaping, self-containment, the history across
months. (Loading them in a real browser: test_dashboards_browser.py.)"""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from markupsafe import escape

from progress_audit.model.codes import CODES
from progress_audit.reporting.dashboards import write_dashboard, write_quality_page
from progress_audit.standards.responsibility import assignments as assign
from tests.reporting.test_presentation import visible_text
from tests.support.quality_month import AS_OF, HOSTILE, two_months


@pytest.fixture(scope="module")
def a(catalogue_2019):
    return assign(catalogue_2019)


@pytest.fixture(scope="module")
def june(catalogue_2019, a, tmp_path_factory):
    return two_months(catalogue_2019, a, tmp_path_factory.mktemp("reports"))


class _Resources(HTMLParser):
    """Everything a page would load: src/href/poster/data attributes, <link>, url() in styles."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.scripts = 0
        self.tables: list[str] = []
        self.svgs = 0

    def handle_starttag(self, tag, attrs):
        d = dict(attrs)
        for name in ("src", "href", "poster", "data", "action", "srcset", "xlink:href"):
            if tag == "a" and name == "href" and _relative(d.get(name) or ""):
                continue  # a link the reader may follow to a month's report: loads nothing
            if d.get(name) and not d[name].startswith("#"):
                self.loads.append(f"{tag} {name}={d[name]}")
        if tag == "link":
            self.loads.append(f"link {d}")
        if tag == "script":
            self.scripts += 1
        if tag == "table":
            self.tables.append(d.get("id", ""))
        if tag == "svg":
            self.svgs += 1
        if "url(" in (d.get("style") or ""):
            self.loads.append(f"{tag} style url()")

    def handle_data(self, data):
        if "url(" in data or "@import" in data or "@font-face" in data:
            self.loads.append("url()/@import/@font-face in text")


def _relative(url: str) -> bool:
    return ":" not in url and not url.startswith(("/", "\\"))


def _parse(text: str) -> _Resources:
    p = _Resources()
    p.feed(text)
    return p


def test_quality_page_shows_each_problem_once_with_its_cell(june):
    _, report, _, page, _ = june
    text = page.read_text(encoding="utf-8")
    assert "2019年6月 数据质量报告" in text
    for p in report.all_problems:
        assert text.count(str(escape(p.message))) == 1, p.code
        if p.ref and p.ref.cell:
            assert f'<td class="nw">{p.ref.where}</td>' in text
    for code in (
        "ytd_decreased",
        "implausible_jump",
        "target_edited",
        "unreadable_percent",
        "late",
    ):
        # the problem's kind in words (model/codes.py), never its code
        assert text.count(f'<td class="nw">{CODES[code].title}</td>') == 1, code
        assert code not in visible_text(text), code


def test_unit_text_is_escaped_never_markup(june):
    _, _, _, page, _ = june
    text = page.read_text(encoding="utf-8")
    assert HOSTILE not in text
    assert str(escape(HOSTILE)) in text
    parsed = _parse(text)
    assert parsed.scripts == 1  # the sorter, and nothing a unit typed


def test_pages_are_self_contained(june):
    _, _, _, page, dashboard = june
    for path in (page, dashboard):
        parsed = _parse(path.read_text(encoding="utf-8"))
        assert parsed.loads == [], path.name
        assert parsed.scripts == 1
        assert parsed.svgs >= 1
        assert "Content-Security-Policy" in path.read_text(encoding="utf-8")


def test_quality_page_has_heat_map_trend_and_tables(june):
    _, report, _, page, _ = june
    text = page.read_text(encoding="utf-8")
    parsed = _parse(text)
    assert parsed.tables == [
        "unit-table",
        "trend-table",
        "problem-table",
        "rule-table",
        "file-table",
    ]
    for dim in ("完整性", "及时性", "有效性", "一致性"):
        assert f"<th>{dim}</th>" in text
    assert "<th>2019年5月</th>" in text and "<th>2019年6月</th>" in text
    # The late unit's timeliness cell: a red heat cell with the number in it.
    assert 'style="background:hsl(0,70%,82%)" data-sort="0.0">0%</td>' in text
    # Every unit has a row, with or without a submission (JS off shows all of them).
    assert text.count("<tr><td>") >= len(report.units)


def test_quality_json_holds_scores_and_problems_and_is_reproducible(june):
    _, report, current, page, _ = june
    data = json.loads((page.parent / "quality.json").read_text(encoding="utf-8"))
    assert data["period"] == "2019-06"
    assert data["scores"]["水利局"]["timeliness"] == 0.0
    assert len(data["problems"]) == len(report.all_problems)
    assert {p["code"] for p in data["problems"]} >= {"late", "ytd_decreased", "target_edited"}
    before = page.read_bytes(), (page.parent / "quality.json").read_bytes()
    write_quality_page(page.parent, report, current, AS_OF)
    assert (page.read_bytes(), (page.parent / "quality.json").read_bytes()) == before


def test_dashboard_trend_on_time_rate_and_problems_by_month(june):
    _, _, _, _, dashboard = june
    text = dashboard.read_text(encoding="utf-8")
    assert "2019年5月 至 2019年6月" in text
    parsed = _parse(text)
    assert parsed.tables == ["status-table", "on-time-table", "problem-table", "quality-table"]
    assert parsed.svgs == 2
    # Status counts by month, in the table and in the stacked bars' tooltips.
    assert '<td data-sort="2019-05">2019年5月</td>' in text
    assert "6月 逾期未完成：3项" in text

    # 商务局 was late in May and on time in June: 50 %; 水利局 on time in May, late in June.
    # 城管局 sent nothing in June.
    def row_of(unit: str) -> str:
        start = text.index(f"<tr><td>{unit}</td>", text.index('id="on-time-table"'))
        return text[start : text.index("</tr>", start)]

    assert 'data-sort="0.5">50%</td>' in row_of("商务局")
    assert "逾期报送" in row_of("水利局")
    assert "未报送" in row_of("城管局")
    assert 'data-sort="1.0">100%</td>' in row_of("人社局")


def test_dashboard_says_which_month_it_could_not_read(tmp_path):
    (tmp_path / "2019-03").mkdir()
    (tmp_path / "2019-03" / "findings.json").write_text("{broken", encoding="utf-8")
    (tmp_path / "2019-04").mkdir()
    (tmp_path / "2019-04" / "findings.json").write_text(
        json.dumps(
            {
                "period": "2019-04",
                "as_of": "2019-05-06T00:00:00+08:00",
                "summary": {"on_track": 3},
                "findings": [{"unit": "人社局"}],
                "submissions": [],
            }
        ),
        encoding="utf-8",
    )
    text = write_dashboard(tmp_path).read_text(encoding="utf-8")
    assert "2019-03/findings.json" in text and "无法读取" in text
    assert "2019年4月" in text
    assert "未报送" in text  # 人社局 had findings but no submission


def test_an_empty_reports_folder_still_gives_a_page(tmp_path):
    text = write_dashboard(tmp_path / "reports").read_text(encoding="utf-8")
    assert "尚无督查结果" in text
