"""The numbers a clerk can send as they are (contract section 5): no trivial flags, no fractions
of things, one ratio per kind, a gap in the metric's own unit, an implausible jump held until
the office accepts it, and every number rounded once.

Each test here failed on the engine before these rules (commit a779cec).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest

from progress_audit.assessment.assess import assess
from progress_audit.assessment.thresholds import PRESETS, thresholds_from_settings
from progress_audit.config import Settings
from progress_audit.model.period import OFFICE_CALENDAR, Period
from progress_audit.model.problems import CellRef, Problem
from progress_audit.model.records import Finding
from progress_audit.standards.responsibility import assignments
from tests.assessment.test_assess import (
    JUNE,
    RATIO,
    as_of,
    custom_line,
    find,
    make_submission,
    one,
    one_custom,
    run,
)

JANUARY, MARCH = Period(2019, 1), Period(2019, 3)
# A fraction of a thing said to a person: 0.25 个, 0.17家.
FRACTION_OF_THINGS = re.compile(r"\d+\.\d+\s*(个|家|件|所|项)(?!百分点|月|/|次)")


# ── the small-shortfall rule ───────────────────────────────────────────────────────────────


def test_january_zero_of_a_quarter_project_is_on_track_and_says_so(catalogue_2019):
    # 1.1.3 总投资超30亿元或3亿美元产业项目 3 个: 0.25 个 due by January's end.
    f = one(catalogue_2019, JANUARY, "商务局", "1.1", "1.1.3", value=0)
    assert f.status == "on_track"
    assert f.gap == pytest.approx(0.25)
    assert any("落后不足1个，按正常推进" in r for r in f.reasons)
    assert not any(FRACTION_OF_THINGS.search(r) for r in f.reasons), f.reasons


def test_a_whole_thing_behind_is_still_behind(catalogue_2019):
    # 1 of 1.5 projects due in June is half a project behind: on track. 0 of 1.5 is behind.
    assert one(catalogue_2019, JUNE, "商务局", "1.1", "1.1.3", value=1).status == "on_track"
    far = one(catalogue_2019, JUNE, "商务局", "1.1", "1.1.3", value=0)
    # Behind, but 1.5 projects short is under the 2 whole units that make a count 严重滞后.
    assert far.status == "at_risk"
    assert not any(FRACTION_OF_THINGS.search(r) for r in far.reasons), far.reasons


def test_zero_new_jobs_is_behind_in_any_month(catalogue_2019):
    f = one(catalogue_2019, JANUARY, "人社局", "16.1", "16.1.1", value=0)
    assert f.status == "off_track"


def test_a_task_without_a_number_is_not_judged_on_its_percentage(catalogue_2019):
    # 形象进度 5% against 8.3% in January, or 20% against 50% in June, is the unit's own figure:
    # 16.2 is an ongoing duty (常态工作), judged by its 进展情况, whatever the percentage.
    for period, percent in ((JANUARY, 5), (JUNE, 20)):
        task = one(catalogue_2019, period, "人社局", "16.2", percent=percent)
        assert task.status == "on_track", task.reasons
        assert task.ratio is None and task.gap is None and task.actual is None


def test_the_small_shortfall_thresholds_are_settings(catalogue_2019):
    strict = thresholds_from_settings(
        Settings(lighting={"min_shortfall_units": 0, "min_shortfall_points": 0})
    )
    f = one(catalogue_2019, JANUARY, "商务局", "1.1", "1.1.3", thresholds=strict, value=0)
    assert f.status == "at_risk"  # behind, but 0.25 of 3 is too little for 严重滞后
    lax = thresholds_from_settings(
        Settings(min_shortfall_units=2, count_units=["家"], lighting={"red_min_points": 0})
    )
    assert lax.min_shortfall_units == 2 and lax.count_units == frozenset({"家"})
    # 个 is no longer a count: 0.25 of 3 is 8 points of the target, behind.
    f = one(catalogue_2019, JANUARY, "商务局", "1.1", "1.1.3", thresholds=lax, value=0)
    assert f.status == "off_track"


# ── no fractions of things in words ────────────────────────────────────────────────────────


def test_what_must_change_is_said_in_whole_units(catalogue_2019):
    # 6.1.2 新增省级以上研发机构 3 家: 0 in March (0.75 due, on track); 0 in June (1.5 due).
    f = one(catalogue_2019, JUNE, "科技局", "6.1", "6.1.2", value=0)
    assert f.status == "at_risk"  # 1.5 家 short: under the 2 that make a count 严重滞后
    text = "；".join(f.reasons)
    assert not FRACTION_OF_THINGS.search(text), text
    assert "剩余 6 个月需完成 3 家" in text
    assert f.required_monthly == pytest.approx(0.5)  # the JSON keeps the exact figure


def test_whole_label():
    from progress_audit.model.wording import whole_label

    assert whole_label(0.25, "个") == "不足 1 个"
    assert whole_label(3, "家") == "3 家"
    assert whole_label(2.6, "家") == "约 3 家"
    assert whole_label(2.5, "个") == "约 3 个"


# ── one ratio per kind; the gap in the metric's own unit ───────────────────────────────────


def test_what_each_month_must_bring_is_said_in_points_for_a_share():
    from progress_audit.model.wording import monthly_label

    assert monthly_label(13.333, "%", False) == "13.3个百分点"  # never "13.33%"
    assert monthly_label(14.0, "%", False) == "14个百分点"
    assert monthly_label(0.5, "家", True) == "1家"  # whole things: the number that suffices
    assert monthly_label(1250.0, "人", False) == "1,250人"
    assert monthly_label(None, "%", False) == ""


def test_a_rate_ratio_gap_and_no_monthly_pace(catalogue_2019):
    # 13.5.1 村集体总收入年增长 8%: 3.5% in June.
    f = one(catalogue_2019, JUNE, "农业农村局", "13.5", "13.5.1", value=3.5)
    assert f.ratio == pytest.approx(0.438)  # 3.5 ÷ 8 = 0.4375, rounded half up
    assert f.gap == pytest.approx(4.5)  # percentage points, not 56.2
    assert f.gap_points == pytest.approx(-4.5)
    assert f.required_monthly is None
    text = "；".join(f.reasons)
    assert "每月需提高" not in text and "43.8%" in text


def test_a_level_shows_one_ratio_in_its_field_and_its_reason(catalogue_2019):
    # 6.4.1 万人发明专利拥有量 12.6 → 14.8: 13.2 in June is 0.6 of an expected rise of 1.1.
    f = one(catalogue_2019, JUNE, "市场监管局", "6.4", "6.4.1", value=13.2)
    assert f.ratio == pytest.approx(0.545)
    assert f.status == "off_track"
    assert any("完成序时进度的 54.5%" in r for r in f.reasons)
    assert f.gap == pytest.approx(0.5)


def test_a_ceilings_gap_is_the_excess(catalogue_2019):
    line = custom_line(catalogue_2019, "13.5.1", comparator="<=", target=3.0)
    f = one_custom(catalogue_2019, JUNE, line, value=3.6)
    assert f.ratio == pytest.approx(0.833) and f.gap == pytest.approx(0.6)
    assert f.required_monthly is None


# ── an implausible jump is held until the office accepts it ────────────────────────────────


def _jump(unit, metric_id, task_id, cell="F9"):
    return Problem(
        "implausible_jump",
        "本年累计完成 60家，比上月的 6家 增加 54家，超过单月合理增量 2家（每月应完成量的 3 倍）",
        severity="warning",
        ref=CellRef(f"{unit}-2019-06.xlsx", "进度填报", cell),
        unit=unit,
        task_id=task_id,
        metric_id=metric_id,
        dimension="consistency",
    )


def test_an_implausible_jump_is_invalid_until_accepted(catalogue_2019):
    # 6.1.3 新型研发机构 10 家左右: 60 家 after 6 last month is no 已完成 on its own.
    sub = make_submission("科技局", JUNE, {("6.1", "6.1.3"): {"value": 60}})
    jump = _jump("科技局", "6.1.3", "6.1")
    held = find(run(catalogue_2019, JUNE, [sub], problems=[jump]), "科技局", "6.1", "6.1.3")
    assert held.status == "invalid"
    assert any("数据异常，待核实" in r for r in held.reasons)
    assert held.actual == 60
    accepted = assess(
        catalogue_2019,
        assignments(catalogue_2019),
        JUNE,
        as_of(JUNE),
        [sub],
        RATIO,
        [jump],
        accepted={("科技局", "2019-06", "6.1.3")},
        calendar=OFFICE_CALENDAR,
    )
    assert find(accepted, "科技局", "6.1", "6.1.3").status == "completed"


# ── rounded once ───────────────────────────────────────────────────────────────────────────


def test_round_half_up_as_excel_does():
    from progress_audit.model.wording import round_half_up

    assert round_half_up(56.25, 1) == 56.3  # Python's round gives 56.2
    assert round_half_up(-56.25, 1) == -56.3
    assert round_half_up(0.4375, 3) == 0.438
    assert round_half_up(None, 2) is None


def test_a_finding_is_rounded_when_it_is_made():
    f = Finding(
        task_id="13.5",
        metric_id="13.5.1",
        unit="农业农村局",
        leaders=(),
        status="at_risk",
        target=8.0,
        actual=3.5,
        expected=8.0,
        ratio=0.4375,
        time_progress=0.5,
        deadline=date(2019, 12, 31),
        gap_points=-56.25,
        gap=4.499999,
        required_monthly=0.333333,
    )
    assert (f.ratio, f.gap_points, f.gap, f.required_monthly) == (0.438, -56.3, 4.5, 0.33)
    assert replace(f, ratio=0.89996).ratio == 0.9


def test_status_is_judged_on_the_ratio_as_shown(catalogue_2019):
    # 2249.9 of 2500 亩 is 89.996%, shown as 90.0%: on track, as it reads.
    f = one(catalogue_2019, JUNE, "自然资源局", "3.2", "3.2.1", value=2249.9)
    assert f.ratio == 0.9 and f.status == "on_track"
    assert PRESETS["default"].on_track == 0.9


def test_a_reports_amounts_of_things_are_whole():
    from progress_audit.model.wording import amount_label, monthly_amount

    assert amount_label(0.25, "个", True) == "不足1个"
    assert amount_label(1.5, "家", True) == "约2家"
    assert amount_label(9000, "人", True) == "9,000人"
    assert amount_label(0.25, "亿元", False) == "0.25亿元"
    assert monthly_amount(0.27, True) == 1  # 3 个 in 11 months: 1 a month will do
    assert monthly_amount(2.0, True) == 2
    assert monthly_amount(0.27, False) == 0.27


def test_a_count_finding_says_so(catalogue_2019):
    assert one(catalogue_2019, JUNE, "商务局", "1.1", "1.1.3", value=0).counted
    assert not one(catalogue_2019, JUNE, "市场监管局", "6.4", "6.4.1", value=13.2).counted


def test_land_in_mu_is_said_whole_but_judged_by_points(catalogue_2019):
    # 3.2.1 盘活存量用地 5000亩: 序时进度 in April is 1666.67亩, said 1667亩 to a person.
    april = Period(2019, 4)
    f = one(catalogue_2019, april, "自然资源局", "3.2", "3.2.1", value=1600)
    assert f.counted, "amounts in 亩 are shown whole"
    assert f.status == "on_track"
    assert any("序时进度应完成 约 1,667 亩" in r for r in f.reasons), f.reasons
    assert not any("1666.67" in r for r in f.reasons), f.reasons
    # 亩 is not a count of things: 1450亩 (87% of 序时进度) is 216.67亩 short, 4.3 points of
    # 5000亩: judged by points (under 5: on track), never by the whole-unit rule.
    near = one(catalogue_2019, april, "自然资源局", "3.2", "3.2.1", value=1450)
    assert near.status == "on_track"
    assert any("不足目标的5个百分点" in r for r in near.reasons), near.reasons
    from progress_audit.model.wording import amount_label

    assert amount_label(f.expected, "亩", f.counted) == "约1,667亩"
