"""Reporting months (填报月份), due dates (报送截止时间) and the moment an audit speaks for.

Everything here is a pure function of its arguments: no wall clock, so a rerun with the same
`--as-of` gives the same answer.
"""

from __future__ import annotations

import re
import unicodedata
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from progress_audit.config import DUE_DAY, OFFICE_TIMEZONE

if TYPE_CHECKING:
    from progress_audit.config import Settings

_PERIOD = re.compile(r"^\s*(\d{4})\s*(?:[-./年]\s*)(\d{1,2})\s*(?:月份?)?\s*$")


class PeriodError(ValueError):
    """A month or moment that cannot be read; the message says what was expected."""


@dataclass(frozen=True, order=True)
class Period:
    """A reporting month, e.g. 2019-06 (2019年6月)."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise PeriodError(f"月份 {self.month} 不在 1–12 之间")

    @classmethod
    def parse(cls, text: str) -> Period:
        """`2019-06`, `2019-6`, `2019.6`, `2019/06`, `2019年6月`, full-width digits too."""
        norm = unicodedata.normalize("NFKC", str(text))
        m = _PERIOD.match(norm)
        if not m:
            raise PeriodError(f"无法识别的月份 {text!r}（应为 2019-06 或 2019年6月）")
        return cls(int(m.group(1)), int(m.group(2)))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        """The Chinese label the office writes: 2019年6月."""
        return f"{self.year}年{self.month}月"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, monthrange(self.year, self.month)[1])

    @property
    def elapsed_share(self) -> float:
        """Share of the year elapsed at the month's end (序时进度): June → 0.5."""
        return self.month / 12

    def next(self) -> Period:
        return Period(self.year + self.month // 12, self.month % 12 + 1)

    def prev(self) -> Period:
        return Period(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def due(self, tz: str, due_day: int, *, same_month: bool = False) -> datetime:
        """The submission deadline: end (24:00) of `due_day` of the following month (of this
        month itself with `same_month`, for offices that collect on the 25th or 28th)."""
        month = self if same_month else self.next()
        day = min(due_day, monthrange(month.year, month.month)[1])
        return datetime.combine(
            date(month.year, month.month, day), time(), ZoneInfo(tz)
        ) + timedelta(days=1)


CHINA_ZONES = ("Asia/Shanghai", "Asia/Chongqing", "Asia/Harbin", "Asia/Urumqi", "PRC")


@dataclass(frozen=True)
class Calendar:
    """The office's calendar (报送日历): its time zone, the due day, and whether the due day
    falls in the month after the reported one or in the reported month itself. Passed
    wherever a deadline is computed or worded."""

    timezone: str = OFFICE_TIMEZONE
    due_day: int = DUE_DAY
    same_month: bool = False

    @classmethod
    def of(cls, settings: Settings) -> Calendar:
        """The office's calendar from its settings."""
        return cls(settings.timezone, settings.due_day, settings.due_in_reported_month)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def due(self, period: Period) -> datetime:
        """When `period`'s workbooks are due (24:00 of the due day, in the office's zone)."""
        return period.due(self.timezone, self.due_day, same_month=self.same_month)

    @property
    def zone_label(self) -> str:
        """The clock's name as people say it: 北京时间 for China's zone."""
        return "北京时间" if self.timezone in CHINA_ZONES else self.timezone

    def local(self, moment: datetime) -> datetime:
        """A moment on the office's clock."""
        return moment.astimezone(self.zone)

    def reporting_month(self, now: datetime) -> Period:
        """The month units report at `now` (the one a scheduled audit speaks for): last month,
        or this month itself for an office that collects within it."""
        local = self.local(now)
        month = Period(local.year, local.month)
        return month if self.same_month else month.prev()


OFFICE_CALENDAR = Calendar()
"""The default calendar: Asia/Shanghai, due on the 5th of the following month."""


def end_of_day(day: date, tz: str = OFFICE_TIMEZONE) -> datetime:
    """24:00 of `day`, i.e. 00:00 of the next day, in `tz`."""
    return datetime.combine(day + timedelta(days=1), time(), ZoneInfo(tz))


def parse_as_of(
    text: str | None, tz: str = OFFICE_TIMEZONE, now: datetime | None = None
) -> datetime:
    """The moment an audit speaks for (`--as-of`).

    A date (`2019-07-06`) means its end (24:00); a date-time needs an offset or is read in `tz`.
    None means `now` (the caller passes the wall clock; this function never reads it).
    """
    zone = ZoneInfo(tz)
    if text is None:
        if now is None:
            raise PeriodError("缺少 --as-of 时间")
        return now.astimezone(zone)
    norm = unicodedata.normalize("NFKC", text).strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", norm):
            return end_of_day(date.fromisoformat(norm), tz)
        moment = datetime.fromisoformat(norm)
    except ValueError as e:
        raise PeriodError(
            f"无法识别的时间 {text!r}（应为 2019-07-06 或 2019-07-08T12:00:00+08:00）"
        ) from e
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(zone)
