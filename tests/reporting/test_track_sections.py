"""The 通报's sections for standards without a number, from a month's findings."""

from __future__ import annotations

from progress_audit.model.period import Period
from progress_audit.reporting.reports.tracks import track_sections, unit_lines
from tests.assessment.test_assess import (
    COPIED_TEXT,
    JUNE,
    JUNE_PLANS,
    june_inbox,
    make_submission,
    plans_of,
    run,
)


def june_findings(catalogue):
    subs, quality = june_inbox()
    may = make_submission("商务局", Period(2019, 5), {("1.3", None): {"progress": COPIED_TEXT}})
    return run(catalogue, JUNE, subs, problems=quality, previous=[may], plans=plans_of(JUNE_PLANS))


def test_nodes_missed_plans_missing_and_ongoing_duties(catalogue_2019):
    sections = track_sections(june_findings(catalogue_2019))
    assert [(m.unit, m.task_id, m.node, m.months_late) for m in sections.missed] == [
        ("自然资源局", "3.5", 1, 2),  # worst first
        ("自然资源局", "11.6", 1, 1),
    ]
    assert sections.missed[0].sentence == (
        "自然资源局 任务 3.5 节点 1“节点1”应于2019年4月完成，已逾期 2 个月"
    )
    assert ("科技局", ("5.6",)) in sections.without_plan
    assert all(u not in ("自然资源局", "市场监管局") for u, _ in sections.without_plan)
    assert [(f.unit, f.task_id) for f in sections.ongoing_copied] == [("商务局", "1.3")]
    assert ("自然资源局", "20.3") in [(f.unit, f.task_id) for f in sections.ongoing_unreported]
    lines = sections.lines()
    assert lines[0] == "节点任务逾期节点 2 个：" and lines[1].endswith("分管：")
    assert "常态工作进展情况照抄上月 1 项：" in lines
    mine = unit_lines(june_findings(catalogue_2019), "商务局")
    assert mine[0] == "常态工作进展情况照抄上月 1 项：" and "商务局 任务 1.3" in mine[1]


def test_the_tongbao_part_names_the_counted_leader_and_says_when_all_is_well(catalogue_2019):
    from progress_audit.reporting.reports.ordering import counted_leaders

    findings = june_findings(catalogue_2019)
    leader = counted_leaders(findings)
    sections = track_sections(findings, leader)
    paragraphs = sections.paragraphs()
    assert paragraphs[0] == "（一）节点逾期。2个节点未按计划完成，涉及1个单位2项任务："
    late = next(f for f in findings if f.unit == "自然资源局" and f.task_id == "3.5")
    assert paragraphs[1] == f"{leader(late)}分管（2个）："
    assert paragraphs[2].startswith("1．自然资源局 任务 3.5 节点 1")
    assert any(p.startswith("（三）常态工作。") and "商务局（任务1.3）" in p for p in paragraphs)
    quiet = track_sections([]).paragraphs()
    assert quiet == [
        "（一）节点逾期。本月没有逾期未完成的节点。",
        "（二）节点计划。各牵头单位的节点计划均已审定。",
        "（三）常态工作。各项均已报送进展情况。没有照抄上月进展情况的。",
    ]
