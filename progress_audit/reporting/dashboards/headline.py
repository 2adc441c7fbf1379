"""What a leader reads first on the dashboard (看板要点), from the months' findings.json:

- the headline targets (重点指标): each with this year's figures month by month against the
  序时进度 line;
- what has been behind month after month (连续滞后): task lines and units;
- each leader's month-by-month count of lines behind (分管领导趋势).

Plain functions over the months' finding dictionaries, so the page and the tests read the same.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from progress_audit.model.period import Period
from progress_audit.model.records import FINDING_STATUS_LABELS
from progress_audit.model.wording import clipped
from progress_audit.reporting.dashboards.history import Month
from progress_audit.reporting.reports.ordering import COLLECTIVE_LEADER, counted_leaders

BEHIND = ("overdue", "off_track", "at_risk")
"""Statuses that count as behind: 逾期未完成, 严重滞后, 进度滞后."""
HEADLINE_LIMIT = 6
STREAK_MIN = 2
"""Months in a row, up to the latest, that make a line 连续滞后."""


@dataclass(frozen=True)
class Headline:
    """One headline target across the months: the figures by month number (1–12)."""

    metric_id: str
    name: str
    uom: str
    target: float
    units: tuple[str, ...]
    leaders: tuple[str, ...]
    actual: dict[int, float]
    expected: dict[int, float]
    status: str
    """The latest month's status (`on_track`, …)."""
    year: int
    latest: int
    """The latest month's number."""

    @property
    def status_label(self) -> str:
        return FINDING_STATUS_LABELS.get(self.status, self.status)

    @property
    def now(self) -> float | None:
        return self.actual.get(self.latest)

    @property
    def due_now(self) -> float | None:
        return self.expected.get(self.latest)

    @property
    def share(self) -> float | None:
        """Share of the year's target done."""
        return None if self.now is None or not self.target else self.now / self.target


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _month_no(month: Month) -> tuple[int, int] | None:
    try:
        p = Period.parse(month.period)
    except ValueError:
        return None
    return p.year, p.month


def _cumulative(findings: Sequence[dict[str, Any]]) -> bool:
    """A cumulative target (from zero to the target over the year): findings.json's `kind`
    when it has one, else read from the figures: a count or amount (not a %) whose 序时进度
    stays well below the target while the year runs (a rate's is the target itself, a level's
    starts at its baseline)."""
    kinds = {f.get("kind") for f in findings if f.get("kind")}
    if kinds:
        return kinds == {"cumulative"}
    verdicts = []
    for f in findings:
        target, expected = _number(f.get("target")), _number(f.get("expected"))
        share = _number(f.get("time_progress"))
        if f.get("unit_of_measure") in (None, "", "%") or not target or target <= 0:
            return False
        if expected is None or share is None or share >= 1:
            continue
        verdicts.append(expected <= target * min(1.0, share * 1.5) + 1e-9)
    return bool(verdicts) and all(verdicts)


def headlines(
    months: Sequence[Month], chosen: Sequence[str] | None = None, limit: int = HEADLINE_LIMIT
) -> list[Headline]:
    """The headline targets of the latest month's year: `chosen` metric ids in that order, or
    by default the cumulative target with the largest value of each unit of measure (人, 亩,
    亿元, 家, 个 …), largest first, at most `limit`."""
    dated = [(n, m) for m in months if (n := _month_no(m))]
    if not dated:
        return []
    year = dated[-1][0][0]
    this_year = [(n[1], m) for n, m in dated if n[0] == year]
    by_metric: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for no, m in this_year:
        for f in m.findings:
            if f.get("metric_id"):
                by_metric.setdefault(str(f["metric_id"]), []).append((no, f))
    if chosen:
        ids = [i for i in chosen if i in by_metric]
    else:
        best: dict[str, tuple[float, str]] = {}
        for mid, rows in by_metric.items():
            fs = [f for _, f in rows]
            if not _cumulative(fs):
                continue
            target = max(_number(f.get("target")) or 0 for f in fs)
            uom = str(fs[-1].get("unit_of_measure") or "")
            if target > best.get(uom, (0.0, ""))[0]:
                best[uom] = (target, mid)
        ids = [mid for _, mid in sorted(best.values(), key=lambda t: (-t[0], t[1]))][:limit]
    latest = this_year[-1][0]
    return [_headline(mid, by_metric[mid], year, latest) for mid in ids]


def _headline(mid: str, rows: list[tuple[int, dict[str, Any]]], year: int, latest: int):
    """A metric's figures per month; several lead units' figures are added up."""
    actual: dict[int, float] = {}
    expected: dict[int, float] = {}
    for no, f in rows:
        a, e = _number(f.get("actual")), _number(f.get("expected"))
        if a is not None:
            actual[no] = actual.get(no, 0.0) + a
        if e is not None:
            expected[no] = expected.get(no, 0.0) + e
    last = [f for no, f in rows if no == max(n for n, _ in rows)]
    units = tuple(dict.fromkeys(str(f.get("unit") or "") for f in last))
    leaders = tuple(dict.fromkeys(str(x) for f in last for x in f.get("leaders") or []))
    worst = min(last, key=lambda f: _STATUS_ORDER.get(str(f.get("status")), 99))
    return Headline(
        metric_id=mid,
        name=str(last[0].get("name") or mid),
        uom=str(last[0].get("unit_of_measure") or ""),
        target=sum(_number(f.get("target")) or 0 for f in last),
        units=units,
        leaders=leaders,
        actual=actual,
        expected=expected,
        status=str(worst.get("status") or ""),
        year=year,
        latest=latest,
    )


_STATUS_ORDER = {
    s: i
    for i, s in enumerate(
        (
            "overdue",
            "off_track",
            "at_risk",
            "invalid",
            "missing",
            "planning",
            "on_track",
            "completed",
        )
    )
}


def line_leaders(findings: Sequence[dict[str, Any]]) -> Callable[[dict[str, Any]], list[str]]:
    """Who answers for each line of a month's findings.json, as the 通报's count tables name
    them: every named leader of a line, and for a line under 各区长 its lead unit's own
    分管领导 (`ordering.counted_leaders`), never 各区长 where the table names one."""
    views = {
        id(f): SimpleNamespace(
            task_id=str(f.get("task_id") or ""),
            metric_id=f.get("metric_id"),
            unit=str(f.get("unit") or ""),
            leaders=tuple(str(x) for x in f.get("leaders") or ()),
        )
        for f in findings
    }
    counted = counted_leaders(list(views.values()))  # type: ignore[arg-type]

    def leaders(f: dict[str, Any]) -> list[str]:
        view = views[id(f)]
        named = [n for n in view.leaders if n != COLLECTIVE_LEADER]
        return named or [counted(view)]  # type: ignore[arg-type]

    return leaders


def short_name(text: str, limit: int = 28) -> str:
    """A metric's name, or a standard's first clause (up to the first ，。；), at most `limit`
    characters: enough to know the task in a table a leader scans."""
    text = " ".join(str(text).split())
    for i, ch in enumerate(text):
        if ch in "，。；;" and i >= 6:
            text = text[:i]
            break
    return clipped(text, limit)


def _line_key(f: dict[str, Any]) -> tuple[str, str]:
    return str(f.get("metric_id") or f.get("task_id") or ""), str(f.get("unit") or "")


def behind_streaks(months: Sequence[Month], at_least: int = STREAK_MIN) -> list[dict[str, Any]]:
    """Task lines behind in each of the last `at_least` or more months up to the latest:
    id, name, unit, leaders, the months in a row, and each month's status (oldest first)."""
    if not months:
        return []
    per_month = [{_line_key(f): f for f in m.findings} for m in months]
    leaders_of = line_leaders(months[-1].findings)
    out = []
    for key, f in per_month[-1].items():
        run = 0
        for seen in reversed(per_month):
            g = seen.get(key)
            if g is None or g.get("status") not in BEHIND:
                break
            run += 1
        if run >= at_least:
            out.append(
                {
                    "id": key[0],
                    "name": short_name(str(f.get("name") or "")),
                    "full_name": str(f.get("name") or ""),
                    "unit": key[1],
                    "leaders": "、".join(leaders_of(f)),
                    "months": run,
                    "statuses": [
                        str((seen.get(key) or {}).get("status") or "") for seen in per_month
                    ],
                }
            )
    out.sort(key=lambda r: (-r["months"], _STATUS_ORDER.get(r["statuses"][-1], 99), r["id"]))
    return out


def unit_streaks(months: Sequence[Month], at_least: int = STREAK_MIN) -> list[dict[str, Any]]:
    """Units with lines behind in each of the last `at_least` or more months: the number of
    lines behind per month (oldest first), the months in a row."""
    if not months:
        return []
    counts: list[dict[str, int]] = []
    for m in months:
        c: dict[str, int] = {}
        for f in m.findings:
            if f.get("status") in BEHIND:
                c[str(f.get("unit") or "")] = c.get(str(f.get("unit") or ""), 0) + 1
        counts.append(c)
    out = []
    for unit in counts[-1]:
        run = 0
        for c in reversed(counts):
            if not c.get(unit):
                break
            run += 1
        if run >= at_least:
            out.append({"unit": unit, "months": run, "counts": [c.get(unit, 0) for c in counts]})
    out.sort(key=lambda r: (-r["months"], -r["counts"][-1], r["unit"]))
    return out


def leader_trend(months: Sequence[Month]) -> list[dict[str, Any]]:
    """Per 分管领导: lines behind and lines in all, per month (oldest first). A line with two
    leaders counts for each of them (each answers for it); a line under 各区长 for its lead
    unit's own leader, as in the 通报 (`line_leaders`)."""
    behind: dict[str, list[int]] = {}
    total: dict[str, list[int]] = {}
    for i, m in enumerate(months):
        leaders_of = line_leaders(m.findings)
        for f in m.findings:
            for leader in leaders_of(f):
                name = str(leader)
                behind.setdefault(name, [0] * len(months))
                total.setdefault(name, [0] * len(months))
                total[name][i] += 1
                if f.get("status") in BEHIND:
                    behind[name][i] += 1
    rows = [
        {
            "leader": name,
            "behind": behind[name],
            "total": total[name],
            "change": behind[name][-1] - behind[name][-2] if len(months) > 1 else 0,
        }
        for name in total
    ]
    rows.sort(key=lambda r: (-r["behind"][-1], r["leader"]))
    return rows
