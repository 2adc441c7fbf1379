"""The office's review applied to a month's submissions (pure): returns, 审核值 with the unit's
figure kept, acceptances, and the check of a review request."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from progress_audit.intake.review import accepted_keys, apply_reviews
from progress_audit.intake.reviews import ReviewRefused, check_action
from progress_audit.model.problems import CellRef
from progress_audit.model.records import ReportedRow, ReviewAction, Submission
from progress_audit.model.wording import reviewed_label

SH = ZoneInfo("Asia/Shanghai")
RECEIVED = datetime(2019, 7, 3, 10, 0, tzinfo=SH)
LATER = RECEIVED + timedelta(hours=1)


def _submission(sha: str = "a" * 64, value: float | None = 150) -> Submission:
    row = ReportedRow(
        "商务局", "2019-06", "1.1", "1.1.1", 7, value=value,
        sources={"value": CellRef("f.xlsx", "进度填报", "F7")},
    )  # fmt: skip
    return Submission("f.xlsx", sha, RECEIVED, "on_time", "商务局", "2019-06", rows=(row,))


def _action(action: str, at: datetime = LATER, **kw) -> ReviewAction:
    return ReviewAction("商务局", "2019-06", action, kw.pop("reason", "理由"), at, **kw)


def test_a_return_of_the_counting_workbook_marks_it_returned_without_rows():
    s = _submission()
    (out,) = apply_reviews([s], [_action("return", sha256=s.sha256, reason="数字有误")])
    assert out.status == "returned" and out.rows == ()
    assert any(p.code == "returned" and "数字有误" in p.message for p in out.problems)
    # A return of other bytes (an earlier workbook) leaves the new one counting.
    (kept,) = apply_reviews([s], [_action("return", sha256="b" * 64)])
    assert kept.status == "on_time"


def test_a_correction_keeps_the_units_figure_and_the_latest_counts():
    s = _submission()
    actions = [
        _action("correct", metric_id="1.1.1", value=130, reason="初核"),
        _action("correct", LATER + timedelta(minutes=5), metric_id="1.1.1", value=120),
    ]
    (out,) = apply_reviews([s], actions)
    row = out.rows[0]
    assert (row.value, row.reported) == (120, 150)
    assert row.review is not None and row.review.action == "correct"
    # Made before this workbook arrived, a correction concerns an earlier one.
    early = _action("correct", RECEIVED - timedelta(days=1), metric_id="1.1.1", value=1)
    assert apply_reviews([s], [early])[0].rows[0].value == 150


def test_an_unreadable_figure_corrected_is_judged_on_the_audit_value():
    s = _submission(value=None)
    (out,) = apply_reviews([s], [_action("correct", metric_id="1.1.1", value=90)])
    assert out.rows[0].value == 90 and out.rows[0].reported is None
    assert reviewed_label(90, None, "亿元", corrected=True) == "审核值 90亿元（单位填报 未能识别）"
    assert reviewed_label(120, 150) == "审核值 120（单位填报 150）"
    assert reviewed_label(120, None) == "120"


def test_acceptances_after_the_workbook_arrived_are_the_accepted_figures():
    s = _submission()
    actions = [
        _action("accept"),
        _action("accept", metric_id="1.1.1"),
        _action("accept", RECEIVED - timedelta(hours=1), metric_id="1.1.2"),
    ]
    assert accepted_keys([s], actions) == {("商务局", None), ("商务局", "1.1.1")}


def test_a_request_is_checked_against_the_catalogue_and_the_year(units):
    def check(**kw):
        body = {"unit": "人社局", "period": "2019-06", "action": "correct", "metric_id": "16.1.1",
                "value": "4,200", "reason": "核定", **kw}  # fmt: skip
        return check_action(body, units, 2019, LATER, latest="2019-06", current="c" * 64)

    assert check().value == 4200
    for bad, reason in [
        ({"unit": "人事局"}, "未知的单位"),
        ({"period": "六月"}, "未知的月份"),
        ({"period": "2019-07"}, "还没有开始填报"),
        ({"metric_id": "1.1.1"}, "未知的指标“1.1.1”"),
        ({"value": True}, "应为数字"),
    ]:
        with pytest.raises(ReviewRefused, match=reason):
            check(**bad)
