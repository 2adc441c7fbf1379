"""Time-elapsed progress (序时进度): how much of a target should be done by a month's end.

The clock of a target runs from 1 January of the reporting year to its deadline, counted in
months; a deadline inside a month counts that month pro rata by day (a deadline of 15 June is
5.5 months), so a year-end deadline gives the office's familiar `month / 12` (June → ½).

Three profiles (`Profile.shape`, from the catalogue):

- `linear`: months elapsed ÷ months to the deadline, at most 1.
- `monthly`: a seasonal curve of cumulative shares for the 12 month-ends of the year. When the
  deadline falls before the year's end the curve is rescaled so that it reaches 1 at the
  deadline (share at the period ÷ share at the deadline): the season's shape is kept, and the
  whole target is due by the deadline. A deadline after the year's end spreads the target over
  more than one year: the year's curve then carries only the year's part (12 ÷ months to the
  deadline) of it.
- `deadline`: a one-off target (one award, one certificate) is not due pro rata: 0 before the
  deadline's month, 1 from it on.

All pure functions of the catalogue and the period; nothing here reads the clock.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date

from progress_audit.model.period import Period
from progress_audit.standards.catalogue import Metric, Profile


def months_to(deadline: date, year: int) -> float:
    """Months from 1 January of `year` to the end of `deadline`'s day (2019-12-31 → 12)."""
    days = monthrange(deadline.year, deadline.month)[1]
    return (deadline.year - year) * 12 + (deadline.month - 1) + deadline.day / days


def months_elapsed(period: Period) -> int:
    """Months of the reporting year that have passed at the period's end (June → 6)."""
    return period.month


def months_left(period: Period, deadline: date) -> float:
    """Months from the period's end to the deadline; 0 when the deadline has passed."""
    return max(0.0, months_to(deadline, period.year) - months_elapsed(period))


def _curve(shares: tuple[float, ...], months: float) -> float:
    """The cumulative seasonal share after `months` (0–12), interpolated inside a month."""
    months = min(max(months, 0.0), 12.0)
    whole = int(months)
    before = shares[whole - 1] if whole else 0.0
    if whole == 12:
        return before
    return before + (shares[whole] - before) * (months - whole)


def linear_share(period: Period, deadline: date) -> float:
    """Months elapsed ÷ months to the deadline, between 0 and 1."""
    total = months_to(deadline, period.year)
    if total <= 0:
        return 1.0
    return min(1.0, months_elapsed(period) / total)


def expected_share(profile: Profile, period: Period, deadline: date) -> float:
    """The share of a target expected to be done at the period's end (序时进度), 0–1."""
    if profile.shape == "deadline":
        return 1.0 if (period.year, period.month) >= (deadline.year, deadline.month) else 0.0
    if profile.shape == "linear":
        return linear_share(period, deadline)
    if profile.shape == "monthly":
        if len(profile.shares) != 12:
            raise ValueError(f"进度曲线 {profile.name} 须有 12 个逐月累计比例")
        total = months_to(deadline, period.year)
        elapsed = months_elapsed(period)
        if total <= 0 or elapsed >= total:
            return 1.0
        if total > 12:
            return min(1.0, _curve(profile.shares, elapsed) * 12 / total)
        at_deadline = _curve(profile.shares, total)
        if at_deadline <= 0:
            # The curve has not started by the deadline: nothing can be due before it.
            return 0.0
        return min(1.0, _curve(profile.shares, elapsed) / at_deadline)
    raise ValueError(f"未知的进度曲线形状 {profile.shape!r}（应为 linear、monthly 或 deadline）")


def metric_share(metric: Metric, period: Period) -> float:
    """`expected_share` along the metric's own profile and deadline."""
    return expected_share(metric.profile, period, metric.deadline)


def expected_to_date(metric: Metric, period: Period) -> float:
    """The figure expected at the period's end (序时进度应完成数).

    cumulative: target × share; level: baseline + (target − baseline) × share; rate: the target
    itself (a share or growth rate must hold all along).
    """
    if metric.kind == "rate":
        return metric.target
    share = metric_share(metric, period)
    if metric.kind == "level":
        if metric.baseline is None:
            raise ValueError(f"水平型指标 {metric.id} 没有基数（baseline），无法计算序时进度")
        return metric.baseline + (metric.target - metric.baseline) * share
    return metric.target * share
