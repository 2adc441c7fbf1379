"""How the office writes numbers, days, moments and labels (用语): one place for every report,
page, message and e-mail.

Pure functions of their arguments. Where two outputs have always differed (a figure with or
without thousands separators, a share to one decimal or none) a parameter says which.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

DIMENSION_LABELS: dict[str, str] = {
    "completeness": "完整性",
    "timeliness": "及时性",
    "validity": "有效性",
    "consistency": "一致性",
}
"""The four data-quality dimensions (DHIS2/WHO), in the order the pages show them."""

SEVERITY_LABELS: dict[str, str] = {"error": "错误", "warning": "提示"}


# ---- numbers ------------------------------------------------------------------------------

FIGURE_PLACES = 2
"""A finding's figures (target, actual, expected, gap, monthly, projection) are kept to this
many decimals, so every output shows the same digits."""
RATIO_PLACES = 3
"""A finding's ratios and shares are kept to this many decimals (0.1 of a percent)."""
POINTS_PLACES = 1
"""Percentage points (落后序时进度) are kept to this many decimals."""


def round_half_up(x: float | None, places: int) -> float | None:
    """`x` rounded half away from zero at `places` decimals, as Excel and a clerk round (56.25 →
    56.3, where Python's round gives 56.2); None stays None. The one rounding of a finding's
    numbers: the reports then show them with at most as many decimals and round nothing again."""
    if x is None or not math.isfinite(x):
        return x
    q = Decimal(repr(x)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return float(q) + 0.0


def whole_label(x: float, uom: str, sep: str = " ") -> str:
    """A count of things said to a person, in whole units: 3 个; 约 3 个 for 2.6; 不足 1 个 for
    0.25 (never 0.25 个). `sep` goes between the number and the unit (a table's cells: "")."""
    if 0 < abs(x) < 1:
        return f"不足{sep}1{sep}{uom}" if uom else f"不足{sep}1"
    n = math.floor(abs(x) + 0.5) * (1 if x >= 0 else -1)
    text = f"{n:,}{sep}{uom}" if uom else f"{n:,}"
    return text if abs(x - n) < 1e-9 else f"约{sep}{text}"


def monthly_amount(x: float | None, counted: bool) -> float | None:
    """What each remaining month must bring, as a report shows it: for a count of whole things
    the whole number that suffices (0.5 家 a month → 1 家), else the figure itself."""
    if x is None or not counted:
        return x
    return float(math.ceil(x - 1e-9))


def whole_amount(x: float | None, counted: bool) -> float | None:
    """An amount as a report's number cell holds it: for a count of whole things the nearest
    whole (614.5 人 → 615), else the figure itself; None stays None."""
    if x is None or not counted:
        return x
    return round_half_up(x, 0)


def amount_label(x: float | None, uom: str, counted: bool) -> str:
    """An amount in a report's cell: whole units for a count of things (约 3个, 不足1个),
    else as `number_label`; empty for None."""
    if x is None:
        return ""
    return whole_label(x, uom, "") if counted else number_label(x, uom)


def monthly_label(x: float | None, uom: str, counted: bool) -> str:
    """What each remaining month must bring, in a report's cell: whole units for a count of
    things (1家), percentage points for a figure in % (13.3个百分点: a share does not add up
    month by month, its points do), else as `number_label`; empty for None."""
    if x is None:
        return ""
    if uom == "%" and not counted:
        return points_amount_label(x)
    return amount_label(monthly_amount(x, counted), uom, counted)


def points_amount_label(x: float | None) -> str:
    """Percentage points as an amount in a cell: 13.3个百分点; empty for None."""
    return "" if x is None else f"{figure_label(x, 1)}个百分点"


def gap_label(gap: float | None, uom: str, counted: bool) -> str:
    """落后序时进度 in the figure's own unit (findings.json `gap`): 0.3件, 约3家 for a count of
    whole things, 13.3个百分点 for a figure in % or a 形象进度 (no unit); empty for None."""
    if gap is None:
        return ""
    if uom in ("%", "") and not counted:
        return points_amount_label(gap)
    return amount_label(gap, uom, counted)


def _decimals(x: float, places: int, grouping: str = "") -> str:
    """`x` to `places` decimals without trailing zeros (grouping "," adds thousands separators)."""
    text = f"{x:{grouping}.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def figure_label(
    x: float | None, places: int = 2, *, missing: str = "—", significant: int | None = None
) -> str:
    """A figure as a clerk writes it: 4000, 13.75, 0.5 (at most `places` decimals); `missing`
    for None. With `significant`, a fraction below 0.1 keeps that many significant digits
    (0.0123, where two decimals would say 0.01)."""
    if x is None:
        return missing
    if significant is not None and abs(x) < 0.1 and x != int(x):
        return format(x, f".{significant}g")
    text = _decimals(x, places)
    return "0" if text in ("-0", "") else text


def quantity_label(x: float | None, uom: str) -> str:
    """A figure with its unit of measure: 4000 人, 12.5%."""
    if uom == "%":
        return f"{figure_label(x)}%"
    return f"{figure_label(x)} {uom}" if uom else figure_label(x)


def reviewed_label(
    actual: float | None, reported: float | None, uom: str = "", *, corrected: bool | None = None
) -> str:
    """A figure the office corrected, with the unit's own beside it: `审核值 120（单位填报 150）`;
    any other figure as `number_label` writes it. `corrected` defaults to whether there is a
    unit's figure (one it left unreadable reads 未能识别). One wording for every report."""
    if not (reported is not None if corrected is None else corrected):
        return number_label(actual, uom)
    own = number_label(reported, uom) if reported is not None else "未能识别"
    return f"审核值 {number_label(actual, uom)}（单位填报 {own}）"


def number_label(value: float | None, unit: str = "") -> str:
    """9,000 or 12.5 (at most two decimals, no trailing zeros), with the unit of measure; empty
    for None. The report tables' form: thousands separated, and a sign kept as computed."""
    if value is None:
        return ""
    text = _decimals(value, 2, ",")
    return f"{text}{unit}" if unit else text


def percent_label(
    share: float | None, places: int = 1, *, missing: str = "", trimmed: bool = False
) -> str:
    """0.784 → 78.4% (`places` decimals; `trimmed` drops trailing zeros: 0.5 → 50%)."""
    if share is None:
        return missing
    if trimmed:
        return f"{figure_label(share * 100, places)}%"
    return f"{share * 100:.{places}f}%"


def clipped(text: str, limit: int) -> str:
    """`text` as a table's cell shows it: at most `limit` characters, the last one "…" when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def sentences_label(parts: Iterable[str]) -> str:
    """Several messages as one text, each once: `说明原因；数据异常，待核实。` (a message's own
    closing 。 or ； is not doubled by the joining ；)."""
    kept = [p.strip().rstrip("。；;. ") for p in parts if p and p.strip()]
    text = "；".join(dict.fromkeys(k for k in kept if k))
    return f"{text}。" if text else ""


# ---- days and moments ---------------------------------------------------------------------


def day_label(day: date | None, missing: str = "") -> str:
    """A day as the office writes it: 2019年7月5日; `missing` for None."""
    if day is None:
        return missing
    return f"{day.year}年{day.month}月{day.day}日"


def moment_label(moment: datetime, sep: str = " ") -> str:
    """A moment to the minute, in its own time zone: 2019年7月6日 09:00."""
    return f"{day_label(moment.date())}{sep}{moment:%H:%M}"


def as_of_label(moment: datetime) -> str:
    """The moment a report speaks for: 2019年7月6日 (midnight is the end of the day before),
    or 2019年7月8日 12:00 when it falls within a day."""
    if moment.time() == time(0, 0):
        return day_label((moment - timedelta(days=1)).date())
    return moment_label(moment)


def deadline_day(due: datetime) -> date | None:
    """The day whose 24:00 `due` is (a deadline at midnight is the end of the day before, as
    the office states it: 2019年7月5日24时); None when `due` is not at midnight."""
    if due.time() == time():
        return due.date() - timedelta(days=1)
    return None


def deadline_label(due: datetime) -> str:
    """A deadline as the office states it: 2019年7月5日24时 for midnight (the end of that day),
    else the moment: 2019年7月5日 17:30."""
    day = deadline_day(due)
    return f"{day_label(day)}24时" if day else moment_label(due)
