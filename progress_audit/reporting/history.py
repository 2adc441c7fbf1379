"""The earlier months of the year as the 督办通报 compares them (上月对比): each finding's status
in each month already audited, read from `DIR/reports/<period>/findings.json`.

Plain data: a month whose file is missing or unreadable is simply absent, and the report says
无上月数据 for it rather than guessing.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from progress_audit.model.period import Period

FindingKey = tuple[str, str, str | None]
"""(unit, task_id, metric_id): one finding, the same line month after month."""


@dataclass(frozen=True)
class PastMonth:
    """One earlier month: each finding's status, and each unit's counting submission."""

    period: str
    statuses: Mapping[FindingKey, str] = field(default_factory=dict)
    submitted: Mapping[str, str] = field(default_factory=dict)
    """unit → on_time | late (its counting workbook); a unit absent here sent none."""


@dataclass(frozen=True)
class FindingHistory:
    """The months before the reported one in the same year, oldest first (absent ones left out)."""

    months: tuple[PastMonth, ...] = ()

    def month(self, period: Period) -> PastMonth | None:
        return next((m for m in self.months if m.period == str(period)), None)


def read_finding_history(reports_dir: Path, period: Period) -> FindingHistory:
    """The months of `period`'s year before it, from `reports_dir/<YYYY-MM>/findings.json`."""
    months: list[PastMonth] = []
    for month in range(1, period.month):
        p = Period(period.year, month)
        past = _read(Path(reports_dir) / str(p) / "findings.json", str(p))
        if past is not None:
            months.append(past)
    return FindingHistory(tuple(months))


def _read(path: Path, period: str) -> PastMonth | None:
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError, AttributeError):
        doc = json.loads(path.read_text("utf-8"))
        statuses: dict[FindingKey, str] = {}
        for f in doc.get("findings", []):
            statuses[(str(f["unit"]), str(f["task_id"]), f.get("metric_id"))] = str(f["status"])
        submitted: dict[str, str] = {}
        for s in doc.get("submissions", []):
            if s.get("unit") and s.get("status") in ("on_time", "late"):
                submitted[str(s["unit"])] = str(s["status"])
        return PastMonth(period, statuses, submitted)
    return None
