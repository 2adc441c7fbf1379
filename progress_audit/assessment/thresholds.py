"""The office's lighting rule (亮灯规则): when a figure is on track, behind or far behind
序时进度, and when a line far behind month after month is named for 约谈.

Two published ways of lighting progress, chosen by name in the settings (`[lighting] preset`):

- `default` (the contract's): the share of 序时进度 done. ≥ 90% 正常推进 (green),
  70%–90% 进度滞后 (yellow), < 70% 严重滞后 (red); red needs a shortfall of at least
  10 points of the target (and 2 whole units of a count), so that a month's small gap early
  in the year is yellow, not red.
- `points`: percentage points behind 序时进度 (银川, 三亚, 宿迁): behind by 10 points or more
  yellow, by 30 or more red. June with 40% of the target done is 10 points behind 50%.

In both, a shortfall under 1 whole unit of a count (5 points of the target otherwise) is no
shortfall, and 2 months running 严重滞后 names the line for 约谈. Every number may be changed
one by one in the settings.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from progress_audit.config import COUNT_UNITS, WHOLE_UNITS
from progress_audit.model.wording import figure_label

Mode = Literal["ratio", "gap"]
"""`ratio`: judged by the share of 序时进度 done; `gap`: by the points behind it."""
Colour = Literal["on_track", "at_risk", "off_track"]

# Comparisons at a boundary allow for floating-point rounding: a clerk's exact 90% is 90%.
EPSILON = 1e-9


@dataclass(frozen=True)
class Thresholds:
    """The numbers that turn a ratio or a gap into a status."""

    name: str = "default"
    mode: Mode = "ratio"
    on_track: float = 0.9
    """Ratio mode: at or above this share of 序时进度 the task is on track."""
    at_risk: float = 0.7
    """Ratio mode: at or above this (and below `on_track`) it is behind; below it, far behind."""
    yellow_gap_points: float = 10
    """Gap mode: this many percentage points behind 序时进度 or more is behind (yellow)."""
    red_gap_points: float = 30
    """Gap mode: this many points behind or more is far behind (red)."""
    due_soon_days: int = 30
    """A deadline within this many days after the audit's moment is marked due soon."""
    approx_tolerance: float = 0.1
    """A `~` (左右) target is met within this share of it (0.1: 10 家左右 → from 9 家)."""
    count_units: frozenset[str] = frozenset(COUNT_UNITS)
    """Units of measure that count whole things (个, 家, 件, 所, 项 …)."""
    whole_units: frozenset[str] = frozenset(WHOLE_UNITS)
    """Units said in whole numbers though not counts (亩): shown whole, judged by points."""
    min_shortfall_units: float = 1
    """A count is behind only when at least this many units short of 序时进度."""
    min_shortfall_points: float = 5
    """Anything else is behind only when at least this many percentage points of its target
    (of 100 for 形象进度) short of 序时进度."""

    red_min_points: float = 10
    """严重滞后 needs at least this many percentage points (of the target, of 100 for 形象进度)
    behind 序时进度; less is 进度滞后."""
    red_min_units: float = 2
    """A count is 严重滞后 only when at least this many whole units short as well."""
    escalate_after_months: int = 2
    """This many months running 严重滞后 names the line in 督办要求 for 约谈."""

    def __post_init__(self) -> None:
        if self.mode not in ("ratio", "gap"):
            raise ValueError(f"阈值方式 {self.mode!r} 无效（应为 ratio 或 gap）")
        if not 0 <= self.at_risk <= self.on_track:
            raise ValueError(
                f"阈值 {self.name}：须 0 ≤ 滞后线 at_risk（{self.at_risk}）≤ 正常线 on_track"
                f"（{self.on_track}）"
            )
        if not 0 <= self.yellow_gap_points <= self.red_gap_points:
            raise ValueError(
                f"阈值 {self.name}：须 0 ≤ 黄色差距（{self.yellow_gap_points} 个百分点）≤ "
                f"红色差距（{self.red_gap_points} 个百分点）"
            )
        if self.red_min_points < 0 or self.red_min_units < 0:
            raise ValueError(f"阈值 {self.name}：严重滞后的最小差距不能为负数")
        if self.escalate_after_months < 1:
            raise ValueError(f"阈值 {self.name}：约谈所需的连续严重滞后月数至少为 1")
        if self.min_shortfall_units < 0 or self.min_shortfall_points < 0:
            raise ValueError(f"阈值 {self.name}：不计滞后的最小差距不能为负数")
        if self.due_soon_days < 0 or self.approx_tolerance < 0:
            raise ValueError(f"阈值 {self.name}：临期天数和“左右”容差不能为负数")

    def classify(self, ratio: float | None, gap_points: float | None) -> Colour:
        """Green, yellow or red from the ratio (ratio mode) or the gap in points (gap mode).

        None (nothing is expected yet, e.g. a one-off target before its month) is on track.
        """
        if self.mode == "gap":
            if gap_points is None:
                return "on_track"
            behind = -gap_points
            if behind >= self.red_gap_points - EPSILON:
                return "off_track"
            if behind >= self.yellow_gap_points - EPSILON:
                return "at_risk"
            return "on_track"
        if ratio is None or ratio >= self.on_track - EPSILON:
            return "on_track"
        if ratio >= self.at_risk - EPSILON:
            return "at_risk"
        return "off_track"

    def counts(self, uom: str) -> bool:
        """Whether `uom` counts whole things (个, 家 …)."""
        return uom.strip() in self.count_units

    def shown_whole(self, uom: str) -> bool:
        """Whether amounts in `uom` are said to a person in whole numbers (个, 家 …, 亩)."""
        return self.counts(uom) or uom.strip() in self.whole_units

    def trivial(self, shortfall: float | None, scale: float | None, *, count: bool) -> bool:
        """A shortfall too small to matter: under `min_shortfall_units` of a count (`count`:
        a cumulative figure in one of `count_units`), else under `min_shortfall_points`
        percentage points of `scale` (the target, a level's rise, 100 for 形象进度). Nothing is
        trivial without a shortfall to judge."""
        if shortfall is None or shortfall <= EPSILON:
            return False
        if count:
            return shortfall < self.min_shortfall_units - EPSILON
        if not scale:
            return False
        return shortfall / abs(scale) * 100 < self.min_shortfall_points - EPSILON

    def short_of_red(
        self, gap_points: float | None, shortfall: float | None, *, count: bool
    ) -> bool:
        """Too small a shortfall for 严重滞后: under `red_min_points` percentage points behind
        序时进度 (`gap_points`, negative when behind: points of the target, or of the rate
        itself for a figure in %, as every report shows it), or for a count (`count`) under
        `red_min_units` whole units."""
        if gap_points is not None and -gap_points < self.red_min_points - EPSILON:
            return True
        return count and shortfall is not None and shortfall < self.red_min_units - EPSILON

    def short_of_red_words(self, uom: str, *, count: bool) -> str:
        """Why such a finding is 进度滞后, not 严重滞后, in the office's words."""
        units = f"（或不足{figure_label(self.red_min_units)}{uom.strip()}）" if count else ""
        return (
            f"落后序时进度不足{figure_label(self.red_min_points)}个百分点{units}，"
            "按进度滞后（未到严重滞后）"
        )

    def trivial_words(self, uom: str, *, count: bool) -> str:
        """What a trivial shortfall is, in the office's words: 落后不足1个, or
        落后不足目标的5个百分点."""
        if count:
            return f"落后不足{figure_label(self.min_shortfall_units)}{uom.strip()}"
        return f"落后不足目标的{figure_label(self.min_shortfall_points)}个百分点"

    def describe(self) -> str:
        """The rule in the office's words, for the head of a report."""
        if self.mode == "gap":
            rule = (
                f"落后序时进度 {figure_label(self.yellow_gap_points)} 个百分点及以上为进度滞后，"
                f"{figure_label(self.red_gap_points)} 个百分点及以上为严重滞后"
            )
        else:
            rule = (
                f"完成序时进度 {figure_label(self.on_track * 100)}% 及以上为正常推进，"
                f"{figure_label(self.at_risk * 100)}%–{figure_label(self.on_track * 100)}% "
                f"为进度滞后，{figure_label(self.at_risk * 100)}% 以下为严重滞后"
            )
        return (
            f"{rule}（严重滞后须落后 {figure_label(self.red_min_points)} 个百分点及以上）；"
            f"连续 {self.escalate_after_months} 个月严重滞后的列入约谈名单"
        )


PRESETS: dict[str, Thresholds] = {
    "default": Thresholds("default", "ratio"),
    "points": Thresholds("points", "gap"),
}

# `[lighting]` setting → Thresholds field, for the numbers the office may change.
OVERRIDES: dict[str, str] = {
    "on_track_ratio": "on_track",
    "at_risk_ratio": "at_risk",
    "yellow_gap_points": "yellow_gap_points",
    "red_gap_points": "red_gap_points",
    "due_soon_days": "due_soon_days",
    "min_shortfall_units": "min_shortfall_units",
    "min_shortfall_points": "min_shortfall_points",
    "red_min_points": "red_min_points",
    "red_min_units": "red_min_units",
    "escalate_after_months": "escalate_after_months",
}


def thresholds_from_settings(settings: Any) -> Thresholds:
    """The preset named by `settings.lighting.preset`, with any numbers the block changes.

    The 左右 tolerance comes from `settings.quality.approx_tolerance`, so the quality checks
    and the assessment agree on what 10 家左右 means.
    """
    lighting = getattr(settings, "lighting", None)
    name = getattr(lighting, "preset", None) or "default"
    if name not in PRESETS:
        raise ValueError(f"未知的亮灯规则 {name!r}（可选：{'、'.join(PRESETS)}）")
    changes = {
        field: value
        for key, field in OVERRIDES.items()
        if (value := getattr(lighting, key, None)) is not None
    }
    units = getattr(settings, "count_units", None)
    if units is not None:
        changes["count_units"] = frozenset(u.strip() for u in units)
    whole = getattr(settings, "whole_units", None)
    if whole is not None:
        changes["whole_units"] = frozenset(u.strip() for u in whole)
    tolerance = getattr(getattr(settings, "quality", None), "approx_tolerance", None)
    if tolerance is not None:
        changes["approx_tolerance"] = tolerance
    return replace(PRESETS[name], **changes)
