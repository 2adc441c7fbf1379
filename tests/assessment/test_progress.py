"""序时进度: the share of a target expected by a month's end, along each profile."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from progress_audit.assessment.progress import (
    expected_share,
    expected_to_date,
    months_left,
    months_to,
)
from progress_audit.model.period import Period
from progress_audit.standards.catalogue import Profile

YEAR_END = date(2019, 12, 31)
LINEAR = Profile()
ONE_OFF = Profile("one-off", "deadline")


def metric(catalogue, metric_id):
    return next(m for m in catalogue.metrics if m.id == metric_id)


@pytest.mark.parametrize("month", range(1, 13))
def test_linear_to_year_end_is_month_over_twelve(month):
    assert expected_share(LINEAR, Period(2019, month), YEAR_END) == pytest.approx(month / 12)


def test_june_is_half_of_a_year_end_target():
    assert expected_share(LINEAR, Period(2019, 6), YEAR_END) == 0.5


def test_linear_to_an_earlier_deadline_reaches_one_at_it_and_stays():
    june = date(2019, 6, 30)
    assert expected_share(LINEAR, Period(2019, 3), june) == pytest.approx(0.5)
    assert expected_share(LINEAR, Period(2019, 6), june) == 1.0
    assert expected_share(LINEAR, Period(2019, 9), june) == 1.0


def test_a_deadline_inside_a_month_counts_that_month_by_day():
    mid_june = date(2019, 6, 15)
    assert months_to(mid_june, 2019) == pytest.approx(5.5)
    assert expected_share(LINEAR, Period(2019, 5), mid_june) == pytest.approx(5 / 5.5)
    assert expected_share(LINEAR, Period(2019, 6), mid_june) == 1.0


def test_a_deadline_next_year_spreads_the_target_over_both_years():
    assert expected_share(LINEAR, Period(2019, 6), date(2020, 12, 31)) == pytest.approx(0.25)


def test_employment_runs_ahead_of_a_straight_line(catalogue_2019):
    jobs = metric(catalogue_2019, "16.1.1")
    assert jobs.profile.shape == "monthly"
    shares = jobs.profile.shares
    for month in range(1, 13):
        got = expected_share(jobs.profile, Period(2019, month), jobs.deadline)
        assert got == pytest.approx(shares[month - 1])
    # March: 30% of the year's jobs are due, not a straight line's 25%.
    assert expected_share(jobs.profile, Period(2019, 3), YEAR_END) > 3 / 12


def test_a_seasonal_curve_is_rescaled_to_an_earlier_deadline(catalogue_2019):
    profile = metric(catalogue_2019, "16.1.1").profile
    june = date(2019, 6, 30)
    at_june = profile.shares[5]
    assert expected_share(profile, Period(2019, 3), june) == pytest.approx(
        profile.shares[2] / at_june
    )
    assert expected_share(profile, Period(2019, 6), june) == 1.0
    assert expected_share(profile, Period(2019, 8), june) == 1.0


def test_a_seasonal_curve_with_a_deadline_next_year_carries_the_years_part():
    profile = Profile("even", "monthly", tuple((m + 1) / 12 for m in range(12)))
    assert expected_share(profile, Period(2019, 12), date(2020, 12, 31)) == pytest.approx(0.5)


def test_a_seasonal_curve_needs_twelve_shares():
    with pytest.raises(ValueError, match="12"):
        expected_share(Profile("bad", "monthly", (0.5, 1.0)), Period(2019, 6), YEAR_END)


def test_a_one_off_target_is_due_only_from_its_deadlines_month():
    assert expected_share(ONE_OFF, Period(2019, 11), YEAR_END) == 0.0
    assert expected_share(ONE_OFF, Period(2019, 12), YEAR_END) == 1.0
    june = date(2019, 6, 30)
    assert expected_share(ONE_OFF, Period(2019, 5), june) == 0.0
    assert expected_share(ONE_OFF, Period(2019, 6), june) == 1.0
    assert expected_share(ONE_OFF, Period(2019, 7), june) == 1.0


def test_an_unknown_shape_is_refused():
    with pytest.raises(ValueError, match="未知"):
        expected_share(Profile("x", "weekly"), Period(2019, 6), YEAR_END)  # type: ignore[arg-type]


def test_expected_to_date_for_each_kind(catalogue_2019):
    june, march = Period(2019, 6), Period(2019, 3)
    land = metric(catalogue_2019, "3.2.1")  # cumulative, 5000 亩
    assert expected_to_date(land, june) == pytest.approx(2500)
    jobs = metric(catalogue_2019, "16.1.1")  # cumulative, seasonal, 9000 人
    assert expected_to_date(jobs, march) == pytest.approx(9000 * jobs.profile.shares[2])
    patents = metric(catalogue_2019, "6.4.1")  # level 12.6 → 14.8
    assert patents.kind == "level" and patents.baseline == 12.6
    assert expected_to_date(patents, june) == pytest.approx(12.6 + (14.8 - 12.6) / 2)
    assert expected_to_date(patents, Period(2019, 12)) == pytest.approx(14.8)
    equipment = metric(catalogue_2019, "2.2.1")  # rate ≥ 50%
    assert expected_to_date(equipment, march) == 50
    assert expected_to_date(equipment, june) == 50
    brand = metric(catalogue_2019, "6.4.2")  # one-off, 1 件
    assert expected_to_date(brand, june) == 0
    assert expected_to_date(brand, Period(2019, 12)) == 1


def test_a_level_metric_without_a_baseline_is_refused(catalogue_2019):
    patents = replace(metric(catalogue_2019, "6.4.1"), baseline=None)
    with pytest.raises(ValueError, match="基数"):
        expected_to_date(patents, Period(2019, 6))


def test_months_left_to_the_deadline():
    assert months_left(Period(2019, 6), YEAR_END) == 6
    assert months_left(Period(2019, 12), YEAR_END) == 0
    assert months_left(Period(2019, 9), date(2019, 6, 30)) == 0
