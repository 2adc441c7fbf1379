"""The office's lighting rule (亮灯规则): one `[lighting]` block with presets, a red that needs a
real shortfall, and the escalation ladder (约谈名单) computed from the months before."""

from __future__ import annotations

from dataclasses import replace

import pytest

from progress_audit.assessment.escalation import (
    escalation_list,
    escalation_sentence,
    escalations,
)
from progress_audit.assessment.thresholds import PRESETS, thresholds_from_settings
from progress_audit.config import Settings
from progress_audit.model.period import Period
from tests.assessment.test_assess import JUNE, one
from tests.reporting.test_reports import finding as report_finding

JANUARY, MARCH = Period(2019, 1), Period(2019, 3)
DEFAULT = PRESETS["default"]


# ── red needs a shortfall that matters ────────────────────────────────────────────────────


def test_january_small_gap_is_yellow_not_red(catalogue_2019):
    # 3.2.1 盘活存量用地 5000 亩: 416.7 亩 due by January's end. 100 亩 is 24% of that (red by
    # the ratio alone) but only 6.3 points of the target behind.
    f = one(catalogue_2019, JANUARY, "自然资源局", "3.2", "3.2.1", value=100)
    assert f.ratio < DEFAULT.at_risk
    assert f.status == "at_risk", f.reasons
    assert any("落后序时进度不足10个百分点" in r and "未到严重滞后" in r for r in f.reasons)
    # Nothing at all in January is still only 8.3 points behind: yellow.
    assert one(catalogue_2019, JANUARY, "自然资源局", "3.2", "3.2.1", value=0).status == "at_risk"


def test_a_real_gap_is_still_red(catalogue_2019):
    # 1000 of 2500 亩 due in June: 30 points of the target behind.
    f = one(catalogue_2019, JUNE, "自然资源局", "3.2", "3.2.1", value=1000)
    assert f.status == "off_track"
    assert not any("未到严重滞后" in r for r in f.reasons)
    # March: 0 of 1250 亩 is 25 points behind.
    assert one(catalogue_2019, MARCH, "自然资源局", "3.2", "3.2.1", value=0).status == "off_track"


def test_a_count_needs_two_whole_units_short_for_red(catalogue_2019):
    # 6.1.2 新增省级以上研发机构 3 家: 0 of 1.5 due in June is 50 points but 1.5 家 short.
    f = one(catalogue_2019, JUNE, "科技局", "6.1", "6.1.2", value=0)
    assert f.status == "at_risk"
    assert any("或不足2家" in r for r in f.reasons), f.reasons
    # 0 of 2.25 家 due in September: red.
    sep = one(catalogue_2019, Period(2019, 9), "科技局", "6.1", "6.1.2", value=0)
    assert sep.status == "off_track"


def test_blocked_stays_red_whatever_the_gap(catalogue_2019):
    f = one(catalogue_2019, JANUARY, "自然资源局", "3.2", "3.2.1", value=400, status="受阻")
    assert f.status == "off_track"


def test_the_red_minimum_is_a_setting(catalogue_2019):
    old = thresholds_from_settings(Settings(lighting={"red_min_points": 0, "red_min_units": 0}))
    f = one(catalogue_2019, JANUARY, "自然资源局", "3.2", "3.2.1", thresholds=old, value=100)
    assert f.status == "off_track"


# ── one block, presets, from the settings file and the environment ────────────────────────


def test_presets_and_what_they_do():
    assert set(PRESETS) == {"default", "points"}
    points = PRESETS["points"]
    assert points.classify(None, -9.9) == "on_track"
    assert points.classify(None, -10) == "at_risk"
    assert points.classify(None, -30) == "off_track"
    assert "10 个百分点及以上为进度滞后" in points.describe()
    assert DEFAULT.escalate_after_months == 2
    assert (DEFAULT.red_min_points, DEFAULT.red_min_units) == (10, 2)
    assert "约谈" in DEFAULT.describe()


def test_lighting_from_the_settings_file(tmp_path, monkeypatch):
    toml = tmp_path / "progress-audit.toml"
    toml.write_text(
        '[lighting]\npreset = "points"\nred_gap_points = 25\nescalate_after_months = 3\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("PROGRESS_AUDIT_SETTINGS", str(toml))
    th = thresholds_from_settings(Settings())
    assert th == replace(PRESETS["points"], red_gap_points=25, escalate_after_months=3)


def test_lighting_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("PROGRESS_AUDIT_SETTINGS", str(tmp_path / "none.toml"))
    monkeypatch.setenv("PROGRESS_AUDIT_LIGHTING__PRESET", "points")
    monkeypatch.setenv("PROGRESS_AUDIT_LIGHTING__ESCALATE_AFTER_MONTHS", "4")
    th = thresholds_from_settings(Settings())
    assert th.name == "points" and th.escalate_after_months == 4


def test_an_older_settings_file_still_lights_the_same(tmp_path, monkeypatch):
    toml = tmp_path / "progress-audit.toml"
    toml.write_text('thresholds = "gap"\nred_gap_points = 25\n', encoding="utf-8")
    monkeypatch.setenv("PROGRESS_AUDIT_SETTINGS", str(toml))
    assert thresholds_from_settings(Settings()) == replace(PRESETS["points"], red_gap_points=25)


def test_a_wrong_lighting_setting_is_refused():
    with pytest.raises(ValueError, match="preset"):
        Settings(lighting={"preset": "traffic"})
    with pytest.raises(ValueError, match="escalate_after_months"):
        Settings(lighting={"escalate_after_months": 0})
    with pytest.raises(ValueError, match="red_min"):
        Settings(lighting={"red_min": 5})  # a misspelt name is not silently ignored


# ── the escalation ladder (约谈名单) ────────────────────────────────────────────────────────


def finding(unit: str, task: str, metric: str | None, status: str, leaders=("周新生",)):
    return report_finding(task, metric, unit, leaders, status)


def test_two_months_running_red_is_named_for_a_talk():
    june = [
        finding("商务局", "1.1", "1.1.1", "off_track"),
        finding("科技局", "6.1", "6.1.2", "off_track", leaders=("王斌",)),
        finding("人社局", "16.2", None, "off_track"),
        finding("教育局", "16.4", "16.4.1", "at_risk"),
    ]
    earlier = {
        "2019-05": {
            ("商务局", "1.1", "1.1.1"): "off_track",
            ("科技局", "6.1", "6.1.2"): "off_track",
            ("人社局", "16.2", None): "at_risk",  # yellow last month: not two months red
            ("教育局", "16.4", "16.4.1"): "off_track",  # yellow now
        },
        "2019-04": {("科技局", "6.1", "6.1.2"): "off_track"},
    }
    found = escalations(june, JUNE, earlier, 2)
    assert [(e.unit, e.leader, e.line_id, e.months) for e in found] == [
        ("科技局", "王斌", "6.1.2", 3),
        ("商务局", "周新生", "1.1.1", 2),
    ]
    assert [e.unit for e in escalations(june, JUNE, earlier, 3)] == ["科技局"]
    assert escalation_sentence(found, 2) == (
        "连续2个月及以上严重滞后的2项任务列入约谈名单，由分管领导约谈牵头单位主要负责人"
    )
    assert escalation_list(found) == (
        "约谈名单：王斌分管：科技局“6.1.2 指标6.1.2”（连续3个月）；"
        "周新生分管：商务局“1.1.1 指标1.1.1”（连续2个月）。"
    )
    assert escalation_sentence([], 2) == escalation_list([]) == ""


def test_a_month_without_data_ends_the_run_and_january_has_none_before_it():
    june = [finding("商务局", "1.1", "1.1.1", "off_track")]
    gap = {"2019-04": {("商务局", "1.1", "1.1.1"): "off_track"}}  # May missing
    assert escalations(june, JUNE, gap, 2) == []
    jan = [finding("商务局", "1.1", "1.1.1", "off_track")]
    assert (
        escalations(jan, JANUARY, {"2018-12": {("商务局", "1.1", "1.1.1"): "off_track"}}, 2) == []
    )
    assert len(escalations(jan, JANUARY, {}, 1)) == 1
