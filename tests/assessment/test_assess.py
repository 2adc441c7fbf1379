"""The assessment: every status and boundary, every kind and profile, on the real 2019 catalogue.

Submissions are built by hand as intake would hand them over (rows already normalised, with
their cells), so these tests run without workbooks, Prefect or Great Expectations.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from progress_audit.assessment.assess import assess, summarise
from progress_audit.assessment.thresholds import PRESETS, Thresholds, thresholds_from_settings
from progress_audit.model.period import OFFICE_CALENDAR, Period, parse_as_of
from progress_audit.model.plans import PlanAction, PlanNode, PlanRecord, plan_state
from progress_audit.model.problems import CellRef, Problem
from progress_audit.model.records import NodeReport, ReportedRow, Submission
from progress_audit.standards.responsibility import assignments, task_lines

TZ = ZoneInfo("Asia/Shanghai")
SHEET = "进度填报"
JUNE, DECEMBER = Period(2019, 6), Period(2019, 12)
RATIO, GAP = PRESETS["default"], PRESETS["points"]
COLUMNS = {
    "task_id": "A",
    "metric_id": "B",
    "target_reported": "D",
    "value": "F",
    "status": "G",
    "percent": "H",
    "expected_completion": "I",
    "progress": "J",
    "issues": "K",
}
PLANNED_AT = datetime(2019, 2, 20, 10, tzinfo=TZ)


# ── builders: what intake hands to the assessment ──────────────────────────────────────────


def make_row(
    unit,
    period,
    task_id,
    metric_id=None,
    *,
    value=None,
    percent=None,
    status="推进中",
    n=7,
    file=None,
    problems=(),
    issues="",
    value_text=None,
    approximate=False,
    progress="本月召开推进会，落实分工，完成阶段工作。",
):
    """One row of a unit's workbook, as the reader returns it (cells F/G/H/D/K/J of row n)."""
    file = file or f"{unit}-{period}.xlsx"
    return ReportedRow(
        unit=unit,
        period=str(period),
        task_id=task_id,
        metric_id=metric_id,
        row=n,
        value=value,
        value_text=value_text if value_text is not None else ("" if value is None else str(value)),
        approximate=approximate,
        status=status,
        percent=percent,
        issues=issues,
        progress=progress,
        sources={k: CellRef(file, SHEET, f"{c}{n}") for k, c in COLUMNS.items()},
        problems=tuple(problems),
    )


def make_submission(
    unit, period, lines, *, status="on_time", received=None, file=None, problems=(), nodes=None
):
    """A received workbook; `lines` maps (task_id, metric_id) to the row's fields, `nodes`
    (task_id, node) to 完成情况 (True 已完成, False 未完成) in its 节点进展 sheet."""
    file = file or f"{unit}-{period}.xlsx"
    received = received or datetime(period.next().year, period.next().month, 3, 10, tzinfo=TZ)
    rows = tuple(
        make_row(unit, period, t, m, n=7 + i, file=file, **fields)
        for i, ((t, m), fields) in enumerate(lines.items())
    )
    return Submission(
        file,
        f"sha-{file}-{status}",
        received,
        status,
        unit,
        str(period),
        problems=tuple(problems),
        rows=rows,
        nodes=tuple(
            NodeReport(unit, str(period), t, n, done, str(period) if done else None)
            for (t, n), done in (nodes or {}).items()
        ),
    )


def approved_plan(unit, nodes, at=PLANNED_AT, extensions=()):
    """`unit`'s node plan approved on `at`: `nodes` maps (task_id, node) to its month;
    `extensions` are (task_id, node, new_month) the office granted."""
    record = PlanRecord(
        1,
        unit,
        2019,
        "sha-plan",
        "节点计划.xlsx",
        at,
        tuple(PlanNode(t, n, f"节点{n}", month) for (t, n), month in nodes.items()),
    )
    actions = [PlanAction(unit, 2019, "approve_plan", "", at, "张科长", 1, id=1)]
    actions += [
        PlanAction(unit, 2019, "extend", "情况变化", at, "张科长", 1, t, n, month, id=2 + i)
        for i, (t, n, month) in enumerate(extensions)
    ]
    return plan_state(unit, 2019, [record], actions)


def as_of(period, text=None):
    """The usual audit moment: the end of the 6th of the following month."""
    nxt = period.next()
    return parse_as_of(text or f"{nxt.year}-{nxt.month:02d}-06")


def run(
    catalogue,
    period,
    submissions,
    thresholds=RATIO,
    problems=(),
    moment=None,
    asg=None,
    *,
    previous=(),
    plans=None,
):
    return assess(
        catalogue,
        asg or assignments(catalogue),
        period,
        moment or as_of(period),
        submissions,
        thresholds,
        problems,
        previous=previous,
        plans=plans,
        calendar=OFFICE_CALENDAR,
    )


def find(findings, unit, task_id, metric_id=None):
    (hit,) = [f for f in findings if (f.unit, f.task_id, f.metric_id) == (unit, task_id, metric_id)]
    return hit


def one(catalogue, period, unit, task_id, metric_id=None, thresholds=RATIO, **fields):
    """Assess a single reported line of a unit and return its finding."""
    sub = make_submission(unit, period, {(task_id, metric_id): fields})
    return find(run(catalogue, period, [sub], thresholds), unit, task_id, metric_id)


def custom_line(catalogue, metric_id, **changes):
    """A 2019 task line whose metric is changed (comparator, kind, deadline …) for a test."""
    metric = next(m for m in catalogue.metrics if m.id == metric_id)
    standard = catalogue.standard(metric_id.rsplit(".", 1)[0])
    changed = replace(metric, **changes)
    standard = replace(standard, metrics=(changed,), deadline=changed.deadline)
    return task_lines(standard)[0]


def one_custom(catalogue, period, line, unit="测试局", **fields):
    sub = make_submission(unit, period, {line.key: fields})
    asg = {unit: (line,)}
    return find(run(catalogue, period, [sub], asg=asg), unit, line.task_id, line.metric_id)


# ── boundaries of the ratio thresholds ─────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (2250, "on_track"),
        (2249.9, "on_track"),
        (2248, "at_risk"),
        (1750, "at_risk"),
        (1748, "off_track"),
    ],
)
def test_ratio_boundaries_on_a_cumulative_target(catalogue_2019, value, status):
    # 盘活存量用地 5000 亩: 序时进度 in June is 2500 亩; 0.9 of it is 2250, 0.7 is 1750. The
    # status is judged on the ratio as shown (to 0.1%): 2249.9 亩 is 90.0%, on track.
    f = one(catalogue_2019, JUNE, "自然资源局", "3.2", "3.2.1", value=value)
    assert f.status == status
    assert f.expected == pytest.approx(2500)
    assert f.ratio == pytest.approx(value / 2500, abs=0.0005)


def test_an_exact_ninety_percent_survives_floating_point(catalogue_2019):
    # October: 序时进度 is 5000 × 10/12 = 4166.67 亩; 90% of it is 3750 exactly, which plain
    # floating-point division puts at 0.8999999999999999.
    f = one(catalogue_2019, Period(2019, 10), "自然资源局", "3.2", "3.2.1", value=3750)
    assert f.status == "on_track"


@pytest.mark.parametrize("percent", [0, 20, 50, 100])
def test_a_standard_without_a_number_is_never_judged_on_its_percentage(catalogue_2019, percent):
    # 1.3 (商务局, 探索无地招商…) is an ongoing duty: its 进展情况 is the report; the unit's own
    # 形象进度 is shown beside it, never judged.
    f = one(catalogue_2019, JUNE, "商务局", "1.3", percent=percent)
    assert f.track == "ongoing" and f.status == "on_track"
    assert (f.target, f.expected, f.actual, f.ratio) == (None, None, None, None)
    assert f"单位自报形象进度 {percent}%（仅供参考，不据此评估）" in f.warnings
    assert f.source.cell == "J7"  # 进展情况


# ── the deadline: overdue and completed ────────────────────────────────────────────────────


def test_deadline_on_the_periods_last_day_unmet_is_overdue(catalogue_2019):
    f = one(catalogue_2019, DECEMBER, "自然资源局", "3.2", "3.2.1", value=4999)
    assert f.status == "overdue"
    assert f.deadline == DECEMBER.last_day
    assert "2019年12月31日" in f.reasons[0] and "还差 1 亩" in f.reasons[0]
    assert f.required_monthly is None  # no month left


def test_deadline_on_the_periods_last_day_met_is_completed(catalogue_2019):
    f = one(catalogue_2019, DECEMBER, "自然资源局", "3.2", "3.2.1", value=5000)
    assert f.status == "completed"
    assert f.required_monthly is None


def test_overdue_regardless_of_ratio(catalogue_2019):
    # A mid-year deadline: 4900 of 5000 亩 by 30 June is 98%, but the deadline has passed.
    line = custom_line(catalogue_2019, "3.2.1", deadline=date(2019, 6, 30))
    f = one_custom(catalogue_2019, JUNE, line, value=4900)
    assert f.status == "overdue"
    assert f.ratio == pytest.approx(0.98)
    # The month before, the same figure is simply ahead of schedule.
    assert one_custom(catalogue_2019, Period(2019, 5), line, value=4900).status == "on_track"


def test_overdue_beats_blocked(catalogue_2019):
    # 7.1 (交通局) is a milestone task: the year is over with a node not done.
    plans = {"交通局": approved_plan("交通局", {("7.1", 1): "2019-05", ("7.1", 2): "2019-10"})}
    sub = make_submission(
        "交通局", DECEMBER, {("7.1", None): {"status": "受阻"}}, nodes={("7.1", 1): True}
    )
    f = find(run(catalogue_2019, DECEMBER, [sub], plans=plans), "交通局", "7.1")
    assert f.status == "overdue"


def test_a_milestone_task_is_done_when_its_last_node_is(catalogue_2019):
    plans = {"交通局": approved_plan("交通局", {("7.1", 1): "2019-05", ("7.1", 2): "2019-10"})}
    done = make_submission("交通局", DECEMBER, {}, nodes={("7.1", 1): True, ("7.1", 2): True})
    f = find(run(catalogue_2019, DECEMBER, [done], plans=plans), "交通局", "7.1")
    assert f.status == "completed" and "全部节点已完成" in f.reasons
    assert (f.target, f.expected, f.actual, f.gap, f.ratio) == (2, 2, 2, 0, 1)
    # Earlier in the year, a node done ahead of its month counts as done.
    early = make_submission("交通局", JUNE, {}, nodes={("7.1", 1): True, ("7.1", 2): True})
    assert find(run(catalogue_2019, JUNE, [early], plans=plans), "交通局", "7.1").status == (
        "completed"
    )


# ── every kind ─────────────────────────────────────────────────────────────────────────────


def test_cumulative_reaching_its_target_early_is_completed(catalogue_2019):
    f = one(catalogue_2019, JUNE, "自然资源局", "3.2", "3.2.1", value=5200)
    assert f.status == "completed"
    assert f.due_soon is False and f.required_monthly is None


def test_cumulative_reasons_in_a_clerks_words(catalogue_2019):
    f = one(catalogue_2019, JUNE, "自然资源局", "3.2", "3.2.1", value=4000)
    assert f.status == "on_track"
    assert f.reasons[0] == "累计完成 4000 亩，序时进度应完成 2,500 亩，完成序时进度的 160%"
    assert f.source == CellRef("自然资源局-2019-06.xlsx", SHEET, "F7")


def test_behind_finding_says_what_must_change(catalogue_2019):
    f = one(catalogue_2019, JUNE, "自然资源局", "3.2", "3.2.1", value=2000)
    assert f.status == "at_risk"
    assert f.time_progress == 0.5
    assert f.gap_points == pytest.approx(-10)  # 40% of the target against 50%
    assert f.projection == pytest.approx(4000)  # 2000 in 6 months → 4000 in 12
    assert f.required_monthly == pytest.approx(500)  # 3000 亩 left over 6 months
    text = "；".join(f.reasons)
    # 亩 is said whole, as the counts are (约 1,667 亩, never 1666.67 亩).
    assert "预计完成 4,000 亩" in text and "平均每月 500 亩" in text


@pytest.mark.parametrize(
    ("value", "status", "progress"),
    [(13.0, "off_track", 0.4 / 1.1), (13.5, "at_risk", 0.9 / 1.1), (13.6, "on_track", 1.0 / 1.1)],
)
def test_a_level_is_judged_on_its_rise_over_the_baseline(catalogue_2019, value, status, progress):
    # 万人发明专利拥有量 12.6 → 14.8: in June 13.7 is expected, a rise of 1.1.
    f = one(catalogue_2019, JUNE, "市场监管局", "6.4", "6.4.1", value=value)
    assert f.status == status
    assert f.expected == pytest.approx(13.7)
    # The one ratio (contract section 5): the rise over the baseline ÷ the rise expected.
    assert f.ratio == pytest.approx(progress, abs=0.0005)
    assert f.gap == pytest.approx(13.7 - value)
    assert f.gap_points == pytest.approx((progress - 1) * 50, abs=0.05)
    assert f.projection == pytest.approx(12.6 + (value - 12.6) * 2)
    assert f.required_monthly == pytest.approx((14.8 - value) / 6, abs=0.005)
    assert any(f"完成序时进度的 {round(progress * 100, 1):g}%" in r for r in f.reasons)
    assert any("基数说明" in w for w in f.warnings)  # the illustrative baseline says so


def test_a_level_meeting_its_target_before_the_deadline_is_on_track(catalogue_2019):
    assert one(catalogue_2019, JUNE, "市场监管局", "6.4", "6.4.1", value=14.9).status == "on_track"
    dec = one(catalogue_2019, DECEMBER, "市场监管局", "6.4", "6.4.1", value=14.9)
    assert dec.status == "completed"
    assert one(catalogue_2019, DECEMBER, "市场监管局", "6.4", "6.4.1", value=14.5).status == (
        "overdue"
    )


@pytest.mark.parametrize(
    ("value", "june", "december"),
    [
        (52, "on_track", "completed"),
        (50, "on_track", "completed"),
        (47, "on_track", "overdue"),  # 94% of the target, not yet met
        (40, "at_risk", "overdue"),
        (30, "off_track", "overdue"),
    ],
)
def test_a_rate_at_least(catalogue_2019, value, june, december):
    # 设备投入占比 ≥ 50%: must hold; met only counts as completed at the deadline.
    f = one(catalogue_2019, JUNE, "工信局", "2.2", "2.2.1", value=value)
    assert f.status == june
    assert f.expected == 50 and f.ratio == pytest.approx(value / 50)
    assert f.projection == value
    assert one(catalogue_2019, DECEMBER, "工信局", "2.2", "2.2.1", value=value).status == december


def test_a_rate_strictly_above(catalogue_2019):
    # “三新一特”产业占比 超 60%: exactly 60 is not above it.
    assert one(catalogue_2019, DECEMBER, "商务局", "1.1", "1.1.2", value=60).status == "overdue"
    assert one(catalogue_2019, DECEMBER, "商务局", "1.1", "1.1.2", value=60.5).status == (
        "completed"
    )
    june = one(catalogue_2019, JUNE, "商务局", "1.1", "1.1.2", value=60)
    assert june.status == "on_track" and "尚未达到" in june.reasons[0]


def test_a_rate_approximately(catalogue_2019):
    # 村集体总收入年增长 8% 左右 (made approximate for the test): 7.2 and up meets it.
    line = custom_line(catalogue_2019, "13.5.1", comparator="~")
    assert one_custom(catalogue_2019, DECEMBER, line, value=7.5).status == "completed"
    assert one_custom(catalogue_2019, DECEMBER, line, value=7.2).status == "completed"
    assert one_custom(catalogue_2019, DECEMBER, line, value=7.0).status == "overdue"
    high = one_custom(catalogue_2019, DECEMBER, line, value=9.5)
    assert high.status == "completed"
    assert any("上限" in w for w in high.warnings)


def test_a_cumulative_target_approximately(catalogue_2019):
    # 新增各类新型研发机构 10 家左右: 9 家 is within 10%.
    assert one(catalogue_2019, JUNE, "科技局", "6.1", "6.1.3", value=9).status == "completed"
    assert one(catalogue_2019, DECEMBER, "科技局", "6.1", "6.1.3", value=8).status == "overdue"


@pytest.mark.parametrize(
    ("value", "june", "december"),
    [
        (2.5, "on_track", "completed"),
        (3.6, "at_risk", "overdue"),
        (5, "at_risk", "overdue"),  # 2 points over: under the 10 that make it 严重滞后
        (15, "off_track", "overdue"),
    ],
)
def test_a_rate_that_must_stay_low(catalogue_2019, value, june, december):
    # A ceiling (不超过 3%): the ratio is target ÷ actual, so exceeding it is behind.
    line = custom_line(catalogue_2019, "13.5.1", comparator="<=", target=3.0)
    f = one_custom(catalogue_2019, JUNE, line, value=value)
    assert f.status == june
    assert f.ratio == pytest.approx(3 / value, abs=0.0005)  # the contract's ratio: target ÷ actual
    assert one_custom(catalogue_2019, DECEMBER, line, value=value).status == december


# ── every profile ──────────────────────────────────────────────────────────────────────────


def test_seasonal_employment_is_held_to_its_curve(catalogue_2019):
    # 城镇新增就业 9000 人: by March 30% (2700) is due, not a straight line's 2250.
    f = one(catalogue_2019, Period(2019, 3), "人社局", "16.1", "16.1.1", value=2100)
    assert f.expected == pytest.approx(2700)
    assert f.status == "at_risk"  # a straight line would have called 2100 on track (93%)
    assert f.projection == pytest.approx(2100 / 0.30)
    assert any("季节性进度曲线" in r for r in f.reasons)
    june = one(catalogue_2019, JUNE, "人社局", "16.1", "16.1.1", value=4900)
    assert june.expected == pytest.approx(5400)  # 60% by June on the curve
    assert june.status == "on_track"


def test_a_one_off_target_before_its_month(catalogue_2019):
    # 培育中国驰名商标 1 件, due in December: nothing is expected in June.
    f = one(catalogue_2019, JUNE, "市场监管局", "6.4", "6.4.2", value=0)
    assert f.status == "on_track"
    assert f.expected == 0 and f.ratio is None and f.time_progress == 0
    assert f.projection is None  # a one-off cannot be extrapolated
    assert f.required_monthly is None  # nor paced month by month
    blocked = one(catalogue_2019, JUNE, "市场监管局", "6.4", "6.4.2", value=0, status="受阻")
    assert blocked.status == "off_track"
    early = one(catalogue_2019, JUNE, "市场监管局", "6.4", "6.4.2", value=1)
    assert early.status == "completed"


def test_a_one_off_target_at_its_month(catalogue_2019):
    f = one(catalogue_2019, DECEMBER, "市场监管局", "6.4", "6.4.2", value=0)
    assert f.status == "overdue" and f.expected == 1 and f.time_progress == 1
    assert one(catalogue_2019, DECEMBER, "市场监管局", "6.4", "6.4.2", value=1).status == (
        "completed"
    )


# ── what a unit reports: blocked, tasks without a metric ───────────────────────────────────


def test_blocked_is_off_track_whatever_the_ratio(catalogue_2019):
    f = one(catalogue_2019, JUNE, "自然资源局", "3.2", "3.2.1", value=4000, status="受阻")
    assert f.status == "off_track"
    assert "单位报告“受阻”" in f.reasons


def test_ongoing_duties(catalogue_2019):
    unit = "商务局"
    may = make_submission(
        unit, Period(2019, 5), {("1.3", None): {"progress": "召开招商推介会 2 场"}}
    )

    def june(**fields):
        sub = make_submission(unit, JUNE, {("1.3", None): fields})
        return find(run(catalogue_2019, JUNE, [sub], previous=[may]), unit, "1.3")

    assert june(progress="赴深圳开展以商引商活动，对接企业 5 家").status == "on_track"
    copied = june(progress="召开招商推介会 2 场")
    assert copied.status == "at_risk" and copied.reasons[0] == "进展情况与上月相同"
    # Spaces and full-width characters do not make a copy new.
    assert june(progress="召开招商推介会　２ 场").status == "at_risk"
    empty = june(progress="  ")
    assert empty.status == "missing" and "进展情况未填写" in empty.reasons[0]
    blocked = june(progress="召开招商推介会 2 场", status="受阻", issues="用地指标未落实")
    assert blocked.status == "off_track"
    assert "单位报告“受阻”" in blocked.reasons and "存在问题：用地指标未落实" in blocked.reasons
    # 已完成 does not end a standing duty, and nothing is ever overdue for it.
    assert june(progress="全年任务完成", status="已完成").status == "on_track"
    december = make_submission(unit, DECEMBER, {("1.3", None): {"status": "推进中"}})
    assert find(run(catalogue_2019, DECEMBER, [december]), unit, "1.3").status == "on_track"


def test_a_milestone_finding_says_which_nodes_are_late_and_by_how_long(catalogue_2019):
    nodes = {
        ("7.1", 1): "2019-03",
        ("7.1", 2): "2019-05",
        ("7.1", 3): "2019-06",
        ("7.1", 4): "2019-10",
    }
    plans = {"交通局": approved_plan("交通局", nodes, extensions=[("7.1", 3, "2019-08")])}
    sub = make_submission(
        "交通局",
        JUNE,
        {("7.1", None): {"percent": 80}},
        nodes={("7.1", 1): True, ("7.1", 2): False},
    )
    f = find(run(catalogue_2019, JUNE, [sub], plans=plans), "交通局", "7.1")
    assert f.track == "milestones" and f.status == "at_risk"  # one month late
    assert [(n.node, n.planned, n.due, n.done, n.months_late) for n in f.nodes] == [
        (1, "2019-03", "2019-03", True, 0),
        (2, "2019-05", "2019-05", False, 1),
        (3, "2019-06", "2019-08", False, 0),  # extended: judged by its new month
        (4, "2019-10", "2019-10", False, 0),
    ]
    assert (f.target, f.expected, f.actual, f.gap) == (4, 2, 1, 1)
    assert f.ratio == pytest.approx(0.5)
    assert "节点 2“节点2”应于 2019年5月完成，已逾期 1 个月未完成" in f.reasons
    # A month later the same node is two months late: red.
    july = make_submission("交通局", Period(2019, 7), {}, nodes={("7.1", 1): True})
    later = find(run(catalogue_2019, Period(2019, 7), [july], plans=plans), "交通局", "7.1")
    assert later.status == "off_track"
    # With every node due done, it is on track, however low the unit's own percentage.
    ok = make_submission(
        "交通局", JUNE, {("7.1", None): {"percent": 5}}, nodes={("7.1", 1): True, ("7.1", 2): True}
    )
    assert find(run(catalogue_2019, JUNE, [ok], plans=plans), "交通局", "7.1").status == "on_track"


def test_a_milestone_task_without_an_approved_plan(catalogue_2019):
    sub = make_submission("交通局", Period(2019, 2), {("7.1", None): {"percent": 10}})
    feb = find(run(catalogue_2019, Period(2019, 2), [sub]), "交通局", "7.1")
    assert feb.status == "planning" and "节点计划审定中" in feb.reasons[0]
    assert feb.nodes == ()
    march = make_submission("交通局", Period(2019, 3), {("7.1", None): {"percent": 10}})
    f = find(run(catalogue_2019, Period(2019, 3), [march]), "交通局", "7.1")
    assert f.status == "missing" and f.reasons[0] == "未制定节点计划"


def test_a_node_the_plan_does_not_have_is_named_by_its_cell(catalogue_2019):
    plans = {"交通局": approved_plan("交通局", {("7.1", 1): "2019-09"})}
    sub = make_submission("交通局", JUNE, {}, nodes={("7.1", 1): False, ("7.1", 7): True})
    sub = replace(
        sub, nodes=(sub.nodes[0], replace(sub.nodes[1], cell=CellRef(sub.file, "节点进展", "E8")))
    )
    f = find(run(catalogue_2019, JUNE, [sub], plans=plans), "交通局", "7.1")
    assert f.status == "on_track" and f.actual == 0
    assert "节点进展!E8：任务 7.1 节点 7 不在审定的节点计划中，未计入" in f.warnings


def test_the_units_own_words_travel_with_the_finding(catalogue_2019):
    f = one(catalogue_2019, JUNE, "商务局", "1.3", percent=40, issues='=HYPERLINK("x")')
    assert f.issues == '=HYPERLINK("x")'
    assert f.progress == "本月召开推进会，落实分工，完成阶段工作。"


# ── missing and invalid ────────────────────────────────────────────────────────────────────


def test_no_submission_makes_every_line_missing(catalogue_2019):
    findings = run(catalogue_2019, JUNE, [])
    assert {f.status for f in findings} == {"missing"}
    f = find(findings, "人社局", "16.1", "16.1.1")
    assert f.reasons[0].startswith("未报送2019年6月进度填报表")
    assert "2019年7月5日24时" in f.reasons[0] and "已逾期" in f.reasons[0]
    assert f.expected == pytest.approx(5400) and f.actual is None and f.ratio is None
    early = find(
        run(catalogue_2019, JUNE, [], moment=as_of(JUNE, "2019-07-03")), "人社局", "16.1", "16.1.1"
    )
    assert early.status == "missing" and "尚未到截止时间" in early.reasons[0]


def test_a_rejected_or_superseded_workbook_does_not_count(catalogue_2019):
    line = {("16.1", "16.1.1"): {"value": 9000}}
    rejected = make_submission(
        "人社局",
        JUNE,
        {},
        status="rejected",
        file="人社局.docx",
        problems=[Problem("not_a_workbook", "不是 Excel 工作簿，请用进度填报表模板填写")],
    )
    superseded = make_submission("人社局", JUNE, line, status="superseded", file="旧.xlsx")
    f = find(run(catalogue_2019, JUNE, [rejected, superseded]), "人社局", "16.1", "16.1.1")
    assert f.status == "missing"
    assert "收到的 人社局.docx 无法使用：不是 Excel 工作簿" in f.reasons[1]


def test_the_counting_submission_wins_over_the_superseded_one(catalogue_2019):
    old = make_submission(
        "人社局", JUNE, {("16.1", "16.1.1"): {"value": 9000}}, status="superseded", file="旧.xlsx"
    )
    new = make_submission(
        "人社局",
        JUNE,
        {("16.1", "16.1.1"): {"value": 3000}},
        status="late",
        received=datetime(2019, 7, 6, 9, tzinfo=TZ),
        file="新.xlsx",
    )
    f = find(run(catalogue_2019, JUNE, [old, new]), "人社局", "16.1", "16.1.1")
    assert f.actual == 3000 and f.status == "off_track"
    assert f.source.file == "新.xlsx"


def test_a_workbook_received_after_the_audits_moment_does_not_count(catalogue_2019):
    late = make_submission(
        "人社局",
        JUNE,
        {("16.1", "16.1.1"): {"value": 5000}},
        status="late",
        received=datetime(2019, 7, 9, 9, tzinfo=TZ),
    )
    f = find(run(catalogue_2019, JUNE, [late]), "人社局", "16.1", "16.1.1")
    assert f.status == "missing"
    later = run(catalogue_2019, JUNE, [late], moment=as_of(JUNE, "2019-07-10"))
    assert find(later, "人社局", "16.1", "16.1.1").status == "on_track"


def test_a_missing_row(catalogue_2019):
    sub = make_submission("科技局", JUNE, {("6.1", "6.1.1"): {"value": 10}})
    findings = run(catalogue_2019, JUNE, [sub])
    f = find(findings, "科技局", "6.1", "6.1.2")
    assert f.status == "missing" and f.reasons == ("填报表中没有该指标的行",)
    assert f.source == CellRef("科技局-2019-06.xlsx", SHEET)
    # 5.6 is a milestone task with no approved plan by June: that, not the row, is missing.
    assert find(findings, "科技局", "5.6").reasons[0] == "未制定节点计划"
    ongoing = make_submission("商务局", JUNE, {("1.1", "1.1.1"): {"value": 230}})
    assert find(run(catalogue_2019, JUNE, [ongoing]), "商务局", "1.3").reasons == (
        "填报表中没有该任务的行",
    )


def test_an_empty_figure_is_not_reported(catalogue_2019):
    f = one(catalogue_2019, JUNE, "科技局", "6.1", "6.1.1", value=None, status="已完成")
    assert f.status == "missing"
    assert f.reasons[0] == "本年累计完成未填写"
    assert f.source == CellRef("科技局-2019-06.xlsx", SHEET, "F7")


def test_an_unreadable_figure_is_invalid_with_its_cell(catalogue_2019):
    cell = CellRef("科技局-2019-06.xlsx", SHEET, "F7")
    problem = Problem(
        "unreadable_value",
        "本年累计完成“见附件”不是数字，请填写数字",
        ref=cell,
        unit="科技局",
        task_id="6.1",
        metric_id="6.1.1",
    )
    f = one(
        catalogue_2019,
        JUNE,
        "科技局",
        "6.1",
        "6.1.1",
        value=None,
        value_text="见附件",
        problems=[problem],
    )
    assert f.status == "invalid"
    assert f.reasons == (problem.message,)
    assert f.source == cell


def test_a_quality_check_error_makes_the_figure_invalid(catalogue_2019):
    cell = CellRef("科技局-2019-06.xlsx", SHEET, "F7")
    falling = Problem(
        "ytd_decreased",
        "本年累计完成 8 家，比上月的 12 家少，累计数不应下降",
        ref=cell,
        unit="科技局",
        task_id="6.1",
        metric_id="6.1.1",
        dimension="consistency",
    )
    sub = make_submission("科技局", JUNE, {("6.1", "6.1.1"): {"value": 8}})
    findings = run(catalogue_2019, JUNE, [sub], problems=[falling])
    f = find(findings, "科技局", "6.1", "6.1.1")
    assert f.status == "invalid" and f.reasons == (falling.message,) and f.source == cell
    assert f.actual == 8 and f.ratio is None
    # Matched by unit, task and metric: the unit's other lines are untouched.
    assert find(findings, "科技局", "6.1", "6.1.2").status == "missing"


def test_warnings_and_problems_on_other_cells_do_not_change_the_status(catalogue_2019):
    unit, file = "自然资源局", "自然资源局-2019-06.xlsx"
    approx = Problem(
        "approximate",
        "“约4000亩”按 4000 亩计",
        severity="warning",
        ref=CellRef(file, SHEET, "F7"),
        unit=unit,
        task_id="3.2",
        metric_id="3.2.1",
    )
    edited = Problem(
        "target_edited",
        "目标值被改为 4000，应为 5000",
        ref=CellRef(file, SHEET, "D7"),
        unit=unit,
        task_id="3.2",
        metric_id="3.2.1",
        dimension="consistency",
    )
    f = one(
        catalogue_2019,
        JUNE,
        unit,
        "3.2",
        "3.2.1",
        value=4000,
        problems=[approx, edited],
        approximate=True,
        value_text="约4000亩",
    )
    assert f.status == "on_track"
    assert f.warnings == (f"{SHEET}!F7：{approx.message}", f"{SHEET}!D7：{edited.message}")


@pytest.mark.parametrize(
    ("metric_id", "column", "status"),
    [
        ("3.2.1", "F", "invalid"),  # the figure itself
        ("3.2.1", "A", "invalid"),  # the row's ids: a duplicate or an unknown task
        ("3.2.1", "G", "on_track"),  # a mistyped 完成状态 does not void a figure
        ("3.2.1", "I", "on_track"),  # an unreadable 预计完成时间
        (None, "A", "invalid"),  # an ongoing duty's row ids
        (None, "J", "invalid"),  # and its 进展情况, which is its report
        (None, "H", "on_track"),  # its 形象进度 is never judged
        (None, "F", "on_track"),  # a task has no figure to spoil
    ],
)
def test_which_errors_void_a_line(catalogue_2019, metric_id, column, status):
    unit, task = "自然资源局", "3.2" if metric_id else "3.4"
    ref = CellRef(f"{unit}-2019-06.xlsx", SHEET, f"{column}7")
    error = Problem(
        "bad_cell", f"{column}7 有误", ref=ref, unit=unit, task_id=task, metric_id=metric_id
    )
    fields = {"value": 4000} if metric_id else {}
    f = one(catalogue_2019, JUNE, unit, task, metric_id, problems=[error], **fields)
    assert f.status == status
    if status == "invalid":
        assert f.reasons == (error.message,) and f.source == ref
    else:
        assert f.warnings == (f"{SHEET}!{column}7：{error.message}",)


def test_an_approximate_figure_without_a_warning_is_still_noted(catalogue_2019):
    f = one(
        catalogue_2019,
        JUNE,
        "自然资源局",
        "3.2",
        "3.2.1",
        value=4000,
        approximate=True,
        value_text="约4000亩",
    )
    assert f.status == "on_track" and f.warnings == ("填报数为约数（“约4000亩”），按 4000 计",)


def test_a_completeness_error_on_an_empty_figure_is_missing_not_invalid(catalogue_2019):
    empty = Problem(
        "value_missing",
        "本年累计完成为空",
        dimension="completeness",
        ref=CellRef("科技局-2019-06.xlsx", SHEET, "F7"),
        unit="科技局",
        task_id="6.1",
        metric_id="6.1.1",
    )
    f = one(catalogue_2019, JUNE, "科技局", "6.1", "6.1.1", value=None, problems=[empty])
    assert f.status == "missing" and f.warnings == ()


def test_two_rows_for_one_line_are_invalid(catalogue_2019):
    sub = make_submission("科技局", JUNE, {("6.1", "6.1.1"): {"value": 10}})
    dup = make_row("科技局", JUNE, "6.1", "6.1.1", value=12, n=9)
    sub = replace(sub, rows=(*sub.rows, dup))
    f = find(run(catalogue_2019, JUNE, [sub]), "科技局", "6.1", "6.1.1")
    assert f.status == "invalid" and "第 7、9 行" in f.reasons[0]


# ── several lead units, presets, due soon, summary ─────────────────────────────────────────


def test_a_standard_with_several_lead_units_has_one_finding_per_unit(catalogue_2019):
    towns = catalogue_2019.standard("14.3").lead_units
    assert len(towns) == 3
    plans = {
        towns[0]: approved_plan(towns[0], {("14.3", 1): "2019-05"}),
        towns[1]: approved_plan(towns[1], {("14.3", 1): "2019-03", ("14.3", 2): "2019-11"}),
    }
    subs = [
        make_submission(towns[0], JUNE, {}, nodes={("14.3", 1): True}),
        make_submission(towns[1], JUNE, {}, nodes={("14.3", 1): False}),
    ]
    findings = [f for f in run(catalogue_2019, JUNE, subs, plans=plans) if f.task_id == "14.3"]
    assert [(f.unit, f.status) for f in findings] == sorted(
        [(towns[0], "completed"), (towns[1], "off_track"), (towns[2], "missing")]
    )


@pytest.mark.parametrize(
    ("month", "percent", "ratio_status", "gap_status"),
    [
        (6, 40, "at_risk", "at_risk"),  # 10 points behind 50
        (6, 41, "at_risk", "on_track"),  # 9 behind
        (6, 20, "off_track", "off_track"),  # 30 behind
        (6, 21, "off_track", "at_risk"),  # 29 behind
        (9, 66, "at_risk", "on_track"),  # 88% of 75, only 9 points behind
        (3, 12, "off_track", "at_risk"),  # 48% of 25, 13 points behind
    ],
)
def test_gap_preset(catalogue_2019, month, percent, ratio_status, gap_status):
    # 盘活存量用地 5000 亩, as a share of its target (40% = 2000 亩).
    period = Period(2019, month)
    value = percent * 50
    assert one(catalogue_2019, period, "自然资源局", "3.2", "3.2.1", value=value).status == (
        ratio_status
    )
    f = one(catalogue_2019, period, "自然资源局", "3.2", "3.2.1", thresholds=GAP, value=value)
    assert f.status == gap_status
    assert any("序时进度" in r and "个百分点" in r for r in f.reasons)


def test_gap_preset_on_a_level_uses_the_rise_over_the_baseline(catalogue_2019):
    # 13.0 of 14.8 from 12.6: 18% of the rise done against 50% → 32 points behind.
    f = one(catalogue_2019, JUNE, "市场监管局", "6.4", "6.4.1", thresholds=GAP, value=13.0)
    assert f.status == "off_track" and f.gap_points == pytest.approx(-31.8)


def test_thresholds_are_chosen_by_name_with_overrides():
    points = SimpleNamespace(lighting=SimpleNamespace(preset="points"))
    assert thresholds_from_settings(points) == GAP
    assert thresholds_from_settings(SimpleNamespace()) == RATIO
    custom = thresholds_from_settings(
        SimpleNamespace(
            lighting=SimpleNamespace(preset="default", on_track_ratio=1.0, at_risk_ratio=0.8),
            quality=SimpleNamespace(approx_tolerance=0.05),
        )
    )
    assert (custom.on_track, custom.at_risk, custom.approx_tolerance) == (1.0, 0.8, 0.05)
    assert custom.classify(0.95, None) == "at_risk"
    with pytest.raises(ValueError, match="可选"):
        thresholds_from_settings(SimpleNamespace(lighting=SimpleNamespace(preset="traffic")))
    with pytest.raises(ValueError, match="at_risk"):
        Thresholds(on_track=0.7, at_risk=0.9)


def test_thresholds_from_the_real_settings():
    from progress_audit.config import Settings

    assert thresholds_from_settings(Settings(thresholds="gap", red_gap_points=25)) == replace(
        GAP, red_gap_points=25
    )


def test_due_soon_within_thirty_days(catalogue_2019):
    nov = Period(2019, 11)  # audited 6 December: the year-end deadline is 25 days away
    sub = make_submission(
        "商务局", nov, {("1.1", "1.1.2"): {"value": 58}, ("1.1", "1.1.1"): {"value": 520}}
    )
    findings = run(catalogue_2019, nov, [sub])
    assert find(findings, "商务局", "1.1", "1.1.2").due_soon is True
    assert any("25 天" in r for r in find(findings, "商务局", "1.1", "1.1.2").reasons)
    assert find(findings, "商务局", "1.1", "1.1.1").due_soon is False  # completed
    assert find(findings, "教育局", "16.4", "16.4.1").due_soon is True  # missing, and due soon
    oct_sub = replace(sub, period="2019-10", received_at=datetime(2019, 11, 3, tzinfo=TZ))
    october = run(catalogue_2019, Period(2019, 10), [oct_sub])
    assert find(october, "商务局", "1.1", "1.1.2").due_soon is False  # 55 days away
    wider = assess(
        catalogue_2019,
        assignments(catalogue_2019),
        Period(2019, 10),
        as_of(Period(2019, 10)),
        [oct_sub],
        replace(RATIO, due_soon_days=60),
        calendar=OFFICE_CALENDAR,
    )
    assert find(wider, "商务局", "1.1", "1.1.2").due_soon is True


def test_summary_has_every_status_in_the_contracts_order(catalogue_2019):
    sub = make_submission("商务局", JUNE, {("1.3", None): {"percent": 50}})
    findings = run(catalogue_2019, JUNE, [sub])
    summary = summarise(findings)
    assert list(summary) == [
        "completed",
        "on_track",
        "at_risk",
        "off_track",
        "overdue",
        "missing",
        "invalid",
        "planning",
    ]
    assert summary["on_track"] == 1 and summary["missing"] == len(findings) - 1
    assert sum(summary.values()) == len(findings)


def test_findings_are_sorted_by_task_metric_and_unit(catalogue_2019):
    findings = run(catalogue_2019, JUNE, [])
    keys = [(tuple(map(int, f.task_id.split("."))), f.metric_id or "", f.unit) for f in findings]
    assert keys == sorted(keys)
    assert findings[0].task_id == "1.1"
    assert len(findings) == sum(len(v) for v in assignments(catalogue_2019).values())


def test_a_catalogue_of_another_year_is_refused(catalogue_2019):
    with pytest.raises(ValueError, match="2019 年的重点任务目录"):
        run(catalogue_2019, Period(2020, 6), [])


# ── a June and a December inbox, checked line by line as a clerk would ────────────────────

# unit → {(task, metric): (row fields, or None for no row; the status a clerk writes down)}
# Standards without a number are judged by their track: an ongoing duty (常态工作) by its
# 进展情况, a milestone task (节点任务) by the nodes of its approved plan; 形象进度 never.
COPIED_TEXT = "召开招商推介会 2 场，对接项目 6 个"
JUNE_INBOX = {
    "商务局": {
        ("1.1", "1.1.1"): ({"value": 230}, "on_track"),  # 230 of 250 亿元 due: 92%
        ("1.1", "1.1.2"): ({"value": 58}, "on_track"),  # 58% against >60%: 97%, not yet met
        # 1 of 1.5 projects due: 67%, but less than one project behind: on track
        ("1.1", "1.1.3"): ({"value": 1}, "on_track"),
        ("1.3", None): ({"percent": 50, "progress": COPIED_TEXT}, "at_risk"),  # as in May
        ("20.1", None): ({"percent": 40}, "on_track"),  # ongoing: 40% is not judged
        ("20.3", None): ({"percent": 100, "status": "已完成"}, "on_track"),  # a standing duty
        ("21.1", None): ({"percent": 60, "status": "受阻"}, "off_track"),
    },
    "自然资源局": {
        ("3.1", None): ({"percent": 45}, "on_track"),  # node 1 done, node 2 due this month
        ("3.2", "3.2.1"): ({"value": 4000}, "on_track"),  # 160%, not yet 5000
        ("3.4", None): ({"percent": 35}, "on_track"),  # ongoing, 进展情况 given
        ("3.5", None): ({"percent": 90}, "off_track"),  # a node of April not done: 2 months
        ("11.6", None): ({"status": "推进中"}, "at_risk"),  # a node of May not done: 1 month
        ("12.5", None): ({"status": "推进中", "progress": ""}, "on_track"),  # first node in Sept.
        ("14.1", None): (None, "on_track"),  # row deleted, but its nodes are reported
        ("20.1", None): ({"percent": 100, "status": "已完成"}, "on_track"),
        ("20.3", None): ({"percent": 60, "progress": ""}, "missing"),  # 进展情况 empty
        ("21.1", None): ({"percent": 50}, "on_track"),
    },
    "市场监管局": {
        ("6.4", "6.4.1"): ({"value": 13.0}, "off_track"),  # rose 0.4 of the 1.1 due
        ("6.4", "6.4.2"): ({"value": 0}, "on_track"),  # one-off, due in December
        ("6.4", "6.4.3"): ({"value": 1}, "on_track"),  # 1 of 2, exactly on schedule
        ("6.4", "6.4.4"): ({"value": 0, "status": "受阻"}, "off_track"),
        ("6.4", "6.4.5"): ({"value": 1}, "completed"),  # the award is won
        # 形象进度 “见附件” cannot be read: a warning, since it is not judged; the node is done.
        ("18.5", None): ({"status": "推进中", "percent": None}, "on_track"),
        ("20.1", None): ({"percent": 50}, "on_track"),
        ("20.3", None): ({"percent": 50}, "on_track"),
        ("21.1", None): ({"percent": 50}, "on_track"),
    },
    "人社局": {  # late, but received before the audit
        ("4.4", None): ({"percent": 50}, "on_track"),
        ("15.3", None): ({"percent": 40}, "invalid"),  # quality: 进展情况 unreadable
        ("16.1", "16.1.1"): ({"value": 4900}, "on_track"),  # 5400 due on the curve: 91%
        ("16.2", None): ({"percent": 20}, "on_track"),
        ("20.1", None): ({"percent": 50}, "on_track"),
        ("20.3", None): ({"percent": 50}, "on_track"),
        ("21.1", None): ({"percent": 50}, "on_track"),
    },
    "科技局": {  # sent twice: the second counts
        ("5.6", None): ({"percent": 50}, "missing"),  # no approved plan: 未制定节点计划
        ("6.1", "6.1.1"): ({"value": 9}, "on_track"),  # 9 of 10 due: exactly 90%
        ("6.1", "6.1.2"): ({"value": 1}, "on_track"),  # 1 of 1.5 due: under one behind
        ("6.1", "6.1.3"): ({"value": 9}, "completed"),  # 10 家左右: 9 is within 10%
        ("20.1", None): ({"percent": 50}, "on_track"),
        ("20.3", None): ({"percent": 50}, "on_track"),
        ("21.1", None): ({"percent": 50}, "on_track"),
    },
}
JUNE_PLANS = {
    "自然资源局": {
        ("3.1", 1): "2019-04",
        ("3.1", 2): "2019-06",
        ("3.5", 1): "2019-04",
        ("11.6", 1): "2019-05",
        ("12.5", 1): "2019-09",
        ("14.1", 1): "2019-03",
        ("14.1", 2): "2019-10",
    },
    "市场监管局": {("18.5", 1): "2019-05", ("18.5", 2): "2019-11"},
}
JUNE_NODES = {
    "自然资源局": {("3.1", 1): True, ("3.5", 1): False, ("11.6", 1): False, ("14.1", 1): True},
    "市场监管局": {("18.5", 1): True},
}

DECEMBER_INBOX = {
    "商务局": {
        ("1.1", "1.1.1"): ({"value": 510}, "completed"),
        ("1.1", "1.1.2"): ({"value": 60}, "overdue"),  # 超 60%: 60 is not above it
        ("1.1", "1.1.3"): ({"value": 2}, "overdue"),
        ("1.3", None): ({"percent": 100, "status": "已完成"}, "on_track"),
        ("20.1", None): ({"percent": 95}, "on_track"),  # a standing duty is never overdue
        ("20.3", None): ({"status": "已完成"}, "on_track"),
        ("21.1", None): ({"percent": 70, "status": "受阻"}, "off_track"),
    },
    "市场监管局": {
        ("6.4", "6.4.1"): ({"value": 14.8}, "completed"),
        ("6.4", "6.4.2"): ({"value": 1}, "completed"),
        ("6.4", "6.4.3"): ({"value": 1}, "overdue"),
        ("6.4", "6.4.4"): ({"value": 0}, "overdue"),
        ("6.4", "6.4.5"): ({"value": 1}, "completed"),
        ("18.5", None): ({"status": "已完成"}, "completed"),  # both nodes done
        ("20.1", None): ({"status": "已完成"}, "on_track"),
        ("20.3", None): ({"status": "已完成"}, "on_track"),
        ("21.1", None): ({"status": "推进中"}, "on_track"),
    },
    "工信局": {
        ("1.2", None): ({"status": "已完成"}, "on_track"),
        ("2.2", "2.2.1"): ({"value": 52}, "completed"),  # ≥ 50% held at the year's end
        ("3.6", None): ({"status": "已完成"}, "on_track"),
        ("3.10", None): ({"percent": 90}, "overdue"),  # year over, node 2 not done
        ("4.5", None): ({"status": "已完成"}, "on_track"),
        ("6.3", None): (None, "missing"),  # no plan ever approved
        ("20.1", None): ({"status": "已完成"}, "on_track"),
        ("20.3", None): ({"status": "已完成"}, "on_track"),
        ("21.1", None): ({"status": "已完成"}, "on_track"),
    },
    "农业农村局": {
        ("13.1", None): ({"status": "已完成"}, "on_track"),
        ("13.2", None): ({"status": "已完成"}, "completed"),  # its one node done
        ("13.3", None): ({"status": "已完成"}, "on_track"),
        ("13.4", None): ({"percent": 80, "status": "受阻"}, "off_track"),
        ("13.5", "13.5.1"): ({"value": 8.2}, "completed"),  # growth ≥ 8%
        ("13.5", "13.5.2"): ({"value": 96}, "overdue"),  # 96 万元 of 100
        ("13.6", "13.6.1"): ({"value": 8600}, "completed"),
        ("14.4", None): ({"status": "已完成"}, "on_track"),
        ("15.1", None): ({"status": "已完成"}, "on_track"),
        ("15.2", None): ({"status": "已完成"}, "on_track"),
        ("15.4", "15.4.1"): ({"value": 5}, "completed"),
        ("15.6", None): ({"status": "已完成"}, "missing"),  # no plan: 已完成 is not enough
        ("15.7", None): ({"value": None, "status": None, "progress": ""}, "missing"),  # blank
        ("20.1", None): ({"status": "已完成"}, "on_track"),
        ("20.3", None): ({"status": "已完成"}, "on_track"),
        ("21.1", None): ({"status": "已完成"}, "on_track"),
    },
    "科技局": {
        ("5.6", None): ({"status": "已完成"}, "overdue"),  # node 3 never reported done
        ("6.1", "6.1.1"): ({"value": 20}, "completed"),
        ("6.1", "6.1.2"): ({"value": 3}, "completed"),
        ("6.1", "6.1.3"): ({"value": 8}, "overdue"),  # 10 家左右 needs 9
        ("20.1", None): ({"status": "已完成"}, "on_track"),
        ("20.3", None): ({"status": "已完成"}, "on_track"),
        ("21.1", None): ({"status": "已完成"}, "on_track"),
    },
}
DECEMBER_PLANS = {
    "市场监管局": {("18.5", 1): "2019-05", ("18.5", 2): "2019-11"},
    "工信局": {("3.10", 1): "2019-06", ("3.10", 2): "2019-12"},
    "农业农村局": {("13.2", 1): "2019-09"},
    "科技局": {("5.6", 1): "2019-04", ("5.6", 2): "2019-08", ("5.6", 3): "2019-12"},
}
DECEMBER_NODES = {
    "市场监管局": {("18.5", 1): True, ("18.5", 2): True},
    "工信局": {("3.10", 1): True, ("3.10", 2): False},
    "农业农村局": {("13.2", 1): True},
    "科技局": {("5.6", 1): True, ("5.6", 2): True},
}


def plans_of(plans):
    return {unit: approved_plan(unit, nodes) for unit, nodes in plans.items()}


def inbox_submissions(period, inbox, nodes=None, **overrides):
    subs = []
    for unit, lines in inbox.items():
        rows = {key: fields for key, (fields, _) in lines.items() if fields is not None}
        given = (nodes or {}).get(unit)
        subs.append(make_submission(unit, period, rows, nodes=given, **overrides.get(unit, {})))
    return subs


def june_inbox():
    """The June inbox: 人社局 late, 科技局 twice, 工信局 unusable, everyone else silent."""
    subs = inbox_submissions(
        JUNE,
        JUNE_INBOX,
        JUNE_NODES,
        人社局={"status": "late", "received": datetime(2019, 7, 6, 9, tzinfo=TZ)},
    )
    # 市场监管局 18.5: 形象进度 “见附件”, which the reader could not read.
    market = next(s for s in subs if s.unit == "市场监管局")
    rows = []
    for r in market.rows:
        if r.task_id == "18.5":
            bad = Problem(
                "unreadable_value",
                "形象进度“见附件”不是 0–100 的数字",
                ref=r.sources["percent"],
                unit=r.unit,
                task_id="18.5",
            )
            r = replace(r, problems=(bad,))
        rows.append(r)
    subs[subs.index(market)] = replace(market, rows=tuple(rows))
    first = make_submission(
        "科技局",
        JUNE,
        {("6.1", "6.1.2"): {"value": 3}},
        status="superseded",
        received=datetime(2019, 7, 2, tzinfo=TZ),
        file="科技局-初稿.xlsx",
    )
    rejected = make_submission(
        "工信局",
        JUNE,
        {},
        status="rejected",
        file="工信局.et",
        problems=[Problem("old_format", "WPS .et 文件，请另存为 .xlsx")],
    )
    quality = [
        Problem(
            "percent_decreased",
            "形象进度 40%，比上月的 55% 低",
            unit="人社局",
            task_id="15.3",
            dimension="consistency",
            ref=CellRef("人社局-2019-06.xlsx", SHEET, "H8"),
        ),
        Problem(
            "unreadable_text",
            "进展情况为乱码，无法读取",
            unit="人社局",
            task_id="15.3",
            ref=CellRef("人社局-2019-06.xlsx", SHEET, "J8"),
        ),
    ]
    return [*subs, first, rejected], quality


def check_inbox(findings, inbox):
    expected = {
        (unit, t, m): status
        for unit, lines in inbox.items()
        for (t, m), (_, status) in lines.items()
    }
    got = {(f.unit, f.task_id, f.metric_id): f.status for f in findings}
    assert {k: got[k] for k in expected} == expected
    # Every unit that sent nothing usable is missing on every line.
    assert {s for k, s in got.items() if k not in expected} == {"missing"}


def test_june_inbox_as_a_clerk_would_judge_it(catalogue_2019):
    subs, quality = june_inbox()
    may = make_submission("商务局", Period(2019, 5), {("1.3", None): {"progress": COPIED_TEXT}})
    findings = run(
        catalogue_2019, JUNE, subs, problems=quality, previous=[may], plans=plans_of(JUNE_PLANS)
    )
    check_inbox(findings, JUNE_INBOX)
    assert find(findings, "商务局", "1.3").reasons[0] == "进展情况与上月相同"
    assert all(f.track == "metric" for f in findings if f.metric_id)
    assert {f.track for f in findings if not f.metric_id} == {"ongoing", "milestones"}
    industry = find(findings, "工信局", "2.2", "2.2.1")
    assert "收到的 工信局.et 无法使用：WPS .et 文件，请另存为 .xlsx" in industry.reasons
    # 16.2 has two lead units: 人社局 reported, 医疗保障分局 did not.
    assert find(findings, "金坛医疗保障分局", "16.2").status == "missing"
    market = find(findings, "市场监管局", "18.5")
    assert "进度填报!H12：形象进度“见附件”不是 0–100 的数字" in market.warnings
    assert [(n.node, n.done) for n in market.nodes] == [(1, True), (2, False)]
    people = find(findings, "人社局", "15.3")
    assert people.reasons == ("进展情况为乱码，无法读取",) and people.source.cell == "J8"
    assert "进度填报!H8：形象进度 40%，比上月的 55% 低" in people.warnings
    summary = summarise(findings)
    assert summary["completed"] == 2 and summary["invalid"] == 1


def test_december_inbox_as_a_clerk_would_judge_it(catalogue_2019):
    subs = inbox_submissions(DECEMBER, DECEMBER_INBOX, DECEMBER_NODES)
    findings = run(catalogue_2019, DECEMBER, subs, plans=plans_of(DECEMBER_PLANS))
    check_inbox(findings, DECEMBER_INBOX)
    assert not any(f.due_soon for f in findings)  # audited in January: nothing is "soon"
    assert all(f.time_progress == 1 for f in findings)
