"""The office's wording of numbers, days, moments and deadlines (model.wording)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from progress_audit.model.period import Period
from progress_audit.model.wording import (
    as_of_label,
    clipped,
    day_label,
    deadline_label,
    figure_label,
    gap_label,
    moment_label,
    number_label,
    percent_label,
    quantity_label,
)

TZ = ZoneInfo("Asia/Shanghai")


def test_figures():
    assert figure_label(9000.0) == "9000"
    assert figure_label(13.754) == "13.75"
    assert figure_label(0.5) == "0.5"
    assert figure_label(-0.001) == "0"
    assert figure_label(None) == "—"
    assert figure_label(0.0123) == "0.01"
    assert figure_label(0.0123, significant=3) == "0.0123"
    assert figure_label(0.0, significant=3) == "0"
    assert figure_label(12.34, 1) == "12.3"
    assert quantity_label(4000, "人") == "4000 人"
    assert quantity_label(12.5, "%") == "12.5%"
    assert quantity_label(3, "") == "3"


def test_report_numbers():
    assert number_label(9000) == "9,000"
    assert number_label(1234.5, "万元") == "1,234.5万元"
    assert number_label(None) == ""
    assert percent_label(0.784) == "78.4%"
    assert percent_label(0.5, 0) == "50%"
    assert percent_label(None, 0, missing="—") == "—"
    assert percent_label(0.5, 1, trimmed=True) == "50%"
    # 落后序时进度 in the figure's own unit: points for %, whole things for a count.
    assert gap_label(0.3, "件", False) == "0.3件"
    assert gap_label(13.33, "%", False) == "13.3个百分点"
    assert gap_label(12.5, "", False) == "12.5个百分点"
    assert gap_label(2.6, "家", True) == "约3家"
    assert gap_label(None, "件", False) == ""


def test_days_moments_and_deadlines():
    assert day_label(date(2019, 7, 5)) == "2019年7月5日"
    assert day_label(None) == ""
    moment = datetime(2019, 7, 6, 9, 0, tzinfo=TZ)
    assert moment_label(moment) == "2019年7月6日 09:00"
    assert moment_label(moment, sep="") == "2019年7月6日09:00"
    assert as_of_label(datetime(2019, 7, 6, tzinfo=TZ)) == "2019年7月5日"
    assert as_of_label(moment) == "2019年7月6日 09:00"
    assert deadline_label(Period(2019, 6).due("Asia/Shanghai", 5)) == "2019年7月5日24时"
    assert deadline_label(datetime(2019, 7, 5, 17, 30, tzinfo=TZ)) == "2019年7月5日 17:30"


def test_a_cell_text_is_cut_to_its_limit_with_an_ellipsis_last():
    assert clipped("城镇新增就业", 6) == "城镇新增就业"  # fits: as it is
    assert clipped("城镇新增就业人数", 6) == "城镇新增就…"
    assert len(clipped("甲" * 100, 40)) == 40
