"""Figures as people type them: numbers, units, percentages, dates, statuses."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from progress_audit.intake.reading.figures import (
    parse_date,
    parse_figure,
    parse_percent,
    parse_status,
)


@pytest.mark.parametrize(
    ("raw", "unit", "value"),
    [
        (9000, "人", 9000),
        (9000.0, "人", 9000),
        (500, "亿元", 500),
        ("3000", "万元", 3000),
        (0.3, "亿元", 0.3),
        ("9000", "人", 9000),
        ("9,000人", "人", 9000),
        ("9，000", "人", 9000),
        ("9 000", "人", 9000),
        ("５０００", "亩", 5000),
        ("５，０００亩", "亩", 5000),
        ("五千", "亩", 5000),
        ("一万二", "人", 12000),
        ("三百五十", "家", 350),
        ("9000名", "人", 9000),
        ("12.5", "家", 12.5),
        ("-3.5%", "%", -3.5),
        ("5000。", "亩", 5000),
    ],
)
def test_plain_figures_are_read_without_notes(raw, unit, value):
    fig = parse_figure(raw, unit)
    assert (fig.value, fig.approximate, fig.note, fig.error) == (value, False, "", None)


@pytest.mark.parametrize(
    ("raw", "unit", "value", "note"),
    [
        ("0.6万", "人", 6000, "0.6万 换算为 6000人"),
        ("0.6万人", "人", 6000, "换算为 6000人"),
        ("1.2亿元", "万元", 12000, "1.2亿元 换算为 12000万元"),
        ("1.2亿", "万元", 12000, "换算为 12000万元"),
        ("3000万元", "亿元", 0.3, "3000万元 换算为 0.3亿元"),
        ("五千万元", "亿元", 0.5, "换算为 0.5亿元"),
    ],
)
def test_magnitudes_and_units_are_converted_to_the_targets_unit(raw, unit, value, note):
    fig = parse_figure(raw, unit)
    assert fig.value == pytest.approx(value)
    assert fig.error is None and note in fig.note


@pytest.mark.parametrize(
    "raw", ["约5000亩", "5000亩左右", "近5000", "大约5000", "5000余亩", "5000多亩", "超5000亩"]
)
def test_approximate_figures_are_flagged(raw):
    fig = parse_figure(raw, "亩")
    assert (fig.value, fig.approximate, fig.error) == (5000, True, None)


def test_an_exact_figure_is_not_approximate():
    assert not parse_figure("5000亩", "亩").approximate


@pytest.mark.parametrize(
    ("raw", "value", "assumed"),
    [
        ("65%", 65, False),
        ("65％", 65, False),
        ("百分之六十五", 65, False),
        (65, 65, False),
        ("65", 65, False),
        (0.65, 65, True),
        ("0.65", 65, True),
    ],
)
def test_percentages_are_read_consistently_and_the_assumption_is_said(raw, value, assumed):
    fig = parse_figure(raw, "%")
    assert fig.value == pytest.approx(value) and fig.error is None
    assert ("按小数理解" in fig.note) is assumed


def test_a_percentage_formatted_cell_is_read_as_its_shown_value():
    fig = parse_figure(0.65, "%", cell_is_percent=True)
    assert fig.value == pytest.approx(65) and "百分比格式" in fig.note
    # The format decides for 1.0 too: a cell showing 100% holds 1.
    assert parse_figure(1.0, "%", cell_is_percent=True).value == pytest.approx(100)
    assert parse_figure(1.0, "%").value == 1


def test_a_bare_number_in_the_rows_changed_unit_is_converted():
    fig = parse_figure(3000, "亿元", written_unit="万元")
    assert fig.value == pytest.approx(0.3) and "万元" in fig.note
    assert parse_figure(3000, "亿元", written_unit="人").error


@pytest.mark.parametrize("raw", [None, "", "   ", "-", "—", "——", "--", "－"])
def test_blanks_and_dashes_are_empty_without_error(raw):
    fig = parse_figure(raw, "人")
    assert fig.empty and fig.value is None and fig.error is None


@pytest.mark.parametrize(
    ("raw", "unit", "reason"),
    [
        ("见附件", "人", "见附件"),
        ("详见附件2", "人", "见附件"),
        ("待统计", "人", "存在问题"),
        ("/", "人", "留空"),
        ("5000-6000", "亩", "范围"),
        ("5000~6000", "亩", "范围"),
        ("五千至六千", "亩", "范围"),
        ("5000、6000", "亩", "不止一个数字"),
        ("5000 6000", "亩", "不止一个数字"),
        ("5000人", "亩", "不一致"),
        ("65%", "人", "不一致"),
        ("9000（含灵活就业）", "人", "说明文字"),
        ("#DIV/0!", "人", "错误值"),
        ("已完成", "家", "完成状态"),
        ("good", "家", "无法识别"),
        (True, "家", "不是数值"),
        (datetime(2019, 5, 6), "家", "日期"),
        (float("nan"), "家", "不是有效数值"),
    ],
)
def test_unreadable_figures_are_errors_with_a_reason(raw, unit, reason):
    fig = parse_figure(raw, unit)
    assert fig.value is None and fig.error and reason in fig.error
    assert not fig.empty


@pytest.mark.parametrize(
    ("raw", "value", "noted"),
    [
        ("80", 80, False),
        ("80%", 80, False),
        (80, 80, False),
        (0.8, 80, True),
        (0, 0, False),
        (100, 100, False),
        ("约80%", 80, False),
    ],
)
def test_percent_complete(raw, value, noted):
    fig = parse_percent(raw)
    assert fig.value == pytest.approx(value) and fig.error is None
    assert bool(fig.note) is noted


@pytest.mark.parametrize(
    ("raw", "reason"), [(120, "0–100"), (-5, "0–100"), ("完成", "100"), ("见附件", "形象进度")]
)
def test_percent_complete_out_of_range_or_words_is_an_error(raw, reason):
    fig = parse_percent(raw)
    assert fig.value is None and reason in fig.error


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("已完成", "已完成"),
        ("完成", "已完成"),
        (" 推进中 ", "推进中"),
        ("正在推进", "推进中"),
        ("进行中", "推进中"),
        ("未开始", "未启动"),
        ("未启动", "未启动"),
        ("受阻", "受阻"),
        ("", None),
        (None, None),
    ],
)
def test_status_with_light_synonyms(raw, status):
    assert parse_status(raw) == (status, None)


def test_an_unknown_status_is_an_error_listing_the_choices():
    status, error = parse_status("差不多")
    assert status is None and "未启动、推进中、已完成、受阻" in error


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (datetime(2019, 10, 31), date(2019, 10, 31)),
        (date(2019, 10, 31), date(2019, 10, 31)),
        ("2019-10-31", date(2019, 10, 31)),
        ("2019/10/31", date(2019, 10, 31)),
        ("2019.10.31", date(2019, 10, 31)),
        ("2019年10月31日", date(2019, 10, 31)),
        ("２０１９年１０月３１日", date(2019, 10, 31)),
        ("2019.10", date(2019, 10, 31)),
        ("2019-11", date(2019, 11, 30)),
        ("2019年2月", date(2019, 2, 28)),
        ("10月底", date(2019, 10, 31)),
        ("10月", date(2019, 10, 31)),
        ("十月底", date(2019, 10, 31)),
        ("10月中旬", date(2019, 10, 20)),
        ("10月15日", date(2019, 10, 15)),
        ("年底", date(2019, 12, 31)),
        ("年内", date(2019, 12, 31)),
        ("2019年底", date(2019, 12, 31)),
        ("三季度末", date(2019, 9, 30)),
        ("上半年", date(2019, 6, 30)),
        (2019.12, date(2019, 12, 31)),
    ],
)
def test_dates_as_people_write_them(raw, expected):
    assert parse_date(raw, 2019) == (expected, None)


@pytest.mark.parametrize("raw", ["长期", "已完成", "2019-13-01", "底", 43769, 2019, True])
def test_unreadable_dates_are_errors(raw):
    day, error = parse_date(raw, 2019)
    assert day is None and "无法识别为日期" in error


def test_a_number_cell_2019_1_cannot_tell_january_from_october():
    day, error = parse_date(2019.1, 2019)
    assert day is None and "1 月还是 10 月" in error


@pytest.mark.parametrize("raw", [None, "", "-", "—"])
def test_an_empty_date_is_no_error(raw):
    assert parse_date(raw, 2019) == (None, None)
