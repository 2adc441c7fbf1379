"""The demo's six months, assessed without Prefect (the pipeline's plain functions): every
finding of every month obeys contract section 5 (its fields, its status agreeing with its
ratio, no fractions of things in words, no monthly pace for a rate), the summary agrees with the
findings, and January flags no trivial shortfalls."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from progress_audit.config import Settings
from progress_audit.demo.synthetic import make_inbox
from progress_audit.model.period import Period
from progress_audit.pipeline import assess_month, check, collect, open_ledger, prepare
from progress_audit.reporting.findings_file import findings_document
from progress_audit.standards.responsibility import assignments

PERIODS = [Period(2019, m) for m in range(1, 7)]
FRACTION_OF_THINGS = re.compile(r"\d+\.\d+\s*(个|家|件|所|项)(?!百分点|月|/|次)")
EPS = 1e-9


@pytest.fixture(scope="module")
def months(tmp_path_factory, catalogue_2019):
    """findings.json's content for each demo month, audited as the demo does (the 10th, 09:00)."""
    data = tmp_path_factory.mktemp("six-months")
    settings = Settings()
    make_inbox(
        data / "raw",
        catalogue_2019,
        assignments(catalogue_2019, settings.unit_groups),
        PERIODS,
        seed=2019,
        tz=settings.timezone,
        due_day=settings.due_day,
    )
    out = {}
    for p in PERIODS:
        moment = p.due(settings.timezone, settings.due_day) + timedelta(days=4, hours=9)
        audit = prepare(str(p), moment.isoformat(), data, now=datetime.now(UTC), settings=settings)
        ledger = open_ledger(audit)
        try:
            month = collect(audit, ledger, workers=False)
        finally:
            ledger.close()
        quality = check(audit, month)
        findings = assess_month(audit, month, quality)
        out[str(p)] = findings_document(audit.period, audit.as_of, findings, month.current)
    return out


def test_every_finding_has_the_contracts_fields(months):
    for period, doc in months.items():
        for f in doc["findings"]:
            for key in ("ratio", "gap", "required_monthly", "reported", "review"):
                assert key in f, (period, f["unit"], f["metric_id"], key)
            assert f["reported"] is None and f["review"] is None


def test_the_summary_agrees_with_the_findings(months):
    for doc in months.values():
        counted = {s: 0 for s in doc["summary"]}
        for f in doc["findings"]:
            counted[f["status"]] += 1
        assert counted == doc["summary"]


def test_every_status_agrees_with_its_ratio(months):
    for period, doc in months.items():
        for f in doc["findings"]:
            r, why = f["ratio"], "；".join(f["reasons"])
            where = (period, f["unit"], f["metric_id"] or f["task_id"], f["status"], r, why)
            if f["track"] == "ongoing":  # judged by its 进展情况, never by a ratio
                assert r is None and f["expected"] is None, where
                if f["status"] == "at_risk":
                    assert "进展情况与上月相同" in why, where
                elif f["status"] == "off_track":
                    assert "受阻" in why, where
                continue
            if f["track"] == "milestones":  # judged by its nodes' months late
                late = max((n["months_late"] for n in f["nodes"]), default=0)
                if f["status"] == "at_risk":
                    assert late == 1, where
                elif f["status"] == "off_track":
                    assert "受阻" in why or late >= 2, where
                elif f["status"] == "on_track":
                    assert late == 0, where
                continue
            if f["status"] == "at_risk":
                assert r is not None and r < 0.9, where
                assert r >= 0.7 - EPS or "未到严重滞后" in why, where
            elif f["status"] == "off_track":
                assert "受阻" in why or (r is not None and r < 0.7), where
            elif f["status"] == "on_track":
                assert (
                    r is None
                    or r >= 0.9 - EPS
                    or "按正常推进" in why
                    or "已达到目标" in why
                    or "受阻" in why
                ), where
            if f["status"] in ("at_risk", "off_track") and "受阻" not in why:
                assert f["gap"] is not None and f["gap"] > 0, where


def test_a_rate_has_no_monthly_pace_and_words_have_no_fractions_of_things(months, catalogue_2019):
    kinds = {m.id: m.kind for m in catalogue_2019.metrics}
    for period, doc in months.items():
        for f in doc["findings"]:
            if f["metric_id"] and kinds[f["metric_id"]] == "rate":
                assert f["required_monthly"] is None, (period, f["unit"], f["metric_id"])
                assert not any("每月需" in r for r in f["reasons"])
            if f["metric_id"] and kinds[f["metric_id"]] != "cumulative":
                continue  # a level (12.8 件/万人) or a rate is not a count of things
            for r in f["reasons"]:
                assert not FRACTION_OF_THINGS.search(r), (period, f["unit"], f["metric_id"], r)
                assert "序时进度应完成 0." not in r


def test_january_flags_no_trivial_shortfall(months, catalogue_2019):
    units = {m.id: m.unit for m in catalogue_2019.metrics}
    for f in months["2019-01"]["findings"]:
        if f["status"] not in ("at_risk", "off_track") or any("受阻" in r for r in f["reasons"]):
            continue
        if f["metric_id"] is None:
            # A standard without a number is never behind in January on a percentage: only a
            # copied 进展情况 (nothing to copy yet in January) or a node late (none is due).
            raise AssertionError(f)
        if units[f["metric_id"]] in ("个", "家", "件", "所", "项"):
            assert f["gap"] >= 1, f


def test_january_has_no_red_for_a_small_gap(months):
    # The default lighting rule: 严重滞后 needs 10 points behind 序时进度 (受阻 aside).
    january = months["2019-01"]["findings"]
    small = [
        (f["unit"], f["metric_id"] or f["task_id"], f["gap_points"])
        for f in january
        if f["status"] == "off_track"
        and not any("受阻" in r for r in f["reasons"])
        and (f["gap_points"] is None or f["gap_points"] > -10)
    ]
    assert small == []
    yellow = [f for f in january if any("未到严重滞后" in r for r in f["reasons"])]
    assert yellow and all(f["status"] == "at_risk" and f["gap_points"] > -10 for f in yellow)


def test_the_planted_jump_is_never_completed(months):
    # 科技局 6.1.3: from 6 to 60 家 while its own 进展情况 says 6家.
    held = [
        (period, f["status"])
        for period, doc in months.items()
        for f in doc["findings"]
        if f["unit"] == "科技局"
        and f["metric_id"] == "6.1.3"
        and any("单月合理增量" in r for r in f["reasons"])
    ]
    assert held and all(status == "invalid" for _, status in held), held


def test_clerks_report_blocked_on_a_few_projects_never_on_a_standing_duty(months):
    # 受阻 is said of a build or an opening held up; a standing duty (常态工作) cannot be.
    blocked = {
        (f["unit"], f["task_id"], f["track"])
        for doc in months.values()
        for f in doc["findings"]
        if any("受阻" in r for r in f["reasons"])
    }
    assert blocked and len(blocked) <= 5, blocked
    assert all(track != "ongoing" for _, _, track in blocked), blocked
