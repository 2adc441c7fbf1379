"""What each unit means to report, before any planted fault: figures that mostly track
序时进度 (some ahead, some behind, a few far behind), statuses, dates and sentences in Chinese.
Every draw comes from a `Random` seeded by the unit and line, so the same seed gives the same
figures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from random import Random
from typing import TYPE_CHECKING

from progress_audit.model.period import Period
from progress_audit.standards.responsibility import TaskLine
from progress_audit.templates.workbook import (
    number,
)

if TYPE_CHECKING:
    pass


Key = tuple[str, str | None]

_COUNT_UNITS = {"人", "家", "个", "所", "件", "亩", "项", "户", "元"}


@dataclass
class Truth:
    value: float | None
    status: str
    percent: int | None
    completion: date
    progress: str
    issues: str
    next_steps: str


def _share(line: TaskLine, period: Period) -> float:
    """How far along the line should be at the period's end (序时进度)."""
    m = line.metric
    if m is not None and m.profile.shape == "monthly" and len(m.profile.shares) == 12:
        return m.profile.shares[period.month - 1]
    if m is not None and m.profile.shape == "deadline":
        return 1.0 if period.last_day >= m.deadline else 0.0
    return period.month / 12


def decimals(line: TaskLine) -> int:
    m = line.metric
    if m is None or (m.unit in _COUNT_UNITS and float(m.target).is_integer()):
        return 0
    return 1


# How the units fare against 序时进度, as shares of the task lines: a few far behind, some
# behind, some ahead, most on track (dealt out in these proportions, not drawn, so that even
# the 22 metric lines of 2019 get a few of each).
PACES = ((0.08, 0.3, 0.6), (0.25, 0.72, 0.88), (0.45, 1.05, 1.3), (1.0, 0.93, 1.08))


def line_paces(
    assignments: Mapping[str, tuple[TaskLine, ...]], seed: int
) -> dict[tuple[str, Key], float]:
    """Each unit's pace on each line (1.0 = exactly 序时进度), metric and other lines dealt
    out separately."""
    out: dict[tuple[str, Key], float] = {}
    for metric in (True, False):
        keys = sorted(
            (
                (u, ln.key)
                for u, lines in assignments.items()
                for ln in lines
                if (ln.metric is not None) == metric
            ),
            key=str,
        )
        Random(f"{seed}|paces|{metric}").shuffle(keys)
        for i, key in enumerate(keys):
            share = (i + 0.5) / len(keys)
            low, high = next((lo, hi) for q, lo, hi in PACES if share < q)
            out[key] = Random(f"{seed}|pace|{key}").uniform(low, high)
    return out


def _values(line: TaskLine, periods: Sequence[Period], rng: Random, pace: float) -> list[float]:
    """A metric's figure for each period: year-to-date, rate or level; non-decreasing for
    cumulative and level metrics."""
    m = line.metric
    assert m is not None
    d = decimals(line)
    out: list[float] = []
    achieved = rng.randint(3, 14)  # a one-off target: the month it is met (> 12: not this year)
    for p in periods:
        share = _share(line, p)
        if m.kind == "rate":
            v = m.target * (1 + rng.gauss(0, 0.05)) * (pace if pace < 0.7 else 1.0)
        elif m.kind == "level":
            base = m.baseline if m.baseline is not None else m.target * 0.9
            v = base + (m.target - base) * share * pace * (1 + rng.gauss(0, 0.05))
        elif m.profile.shape == "deadline":
            v = m.target if p.month >= achieved else 0.0
        else:
            v = m.target * share * pace * (1 + rng.gauss(0, 0.04))
        v = round(max(v, 0.0), d)
        if m.kind != "rate" and out:
            v = max(v, out[-1])
        out.append(v)
    return out


def _percents(periods: Sequence[Period], rng: Random, pace: float) -> list[int]:
    out: list[int] = []
    for p in periods:
        # Noise in proportion to the progress (a January 5% against 8% is already far behind),
        # and clerks write round fives only once the figure is large enough for it.
        v = 100 * (p.month / 12) * pace * (1 + rng.gauss(0, 0.08))
        v = min(100, max(0, int(round(v / 5) * 5) if v >= 20 else round(v)))
        out.append(max(v, out[-1]) if out else v)
    return out


_PROGRESS = (
    "已制定年度工作方案，明确责任分工和时间节点，各项工作按计划推进。",
    "召开专题推进会{n}次，协调解决具体问题{k}个。",
    "已完成前期调研和方案论证，正在组织实施。",
    "建立工作台账，实行月度调度、季度通报。",
    "会同相关部门开展联合督查{n}次，发现的问题已督促整改。",
    "主要节点任务已完成，正在开展阶段性总结评估。",
)
_ISSUES = (
    "部分项目前期手续办理较慢。",
    "资金到位不及时，影响工程进度。",
    "受天气影响，施工进度有所滞后。",
    "涉及部门较多，协调难度较大。",
    "企业申报积极性不高，储备项目不足。",
    "上级配套政策细则尚未出台。",
)
_NEXT = (
    "加强督促协调，倒排工期，确保按期完成全年目标。",
    "继续按计划推进，加强跟踪服务。",
    "加大工作力度，及时协调解决存在问题。",
    "召开推进会，逐项落实责任人和完成时限。",
    "做好总结评估，巩固工作成果。",
)


def line_truths(
    unit: str, line: TaskLine, periods: Sequence[Period], seed: int, pace: float
) -> list[Truth]:
    """What `unit` means to report for `line` in each period (before any planted fault)."""
    rng = Random(f"{seed}|line|{unit}|{line.task_id}|{line.metric_id}")
    # A clerk reports 受阻 on a project held up (a build, an opening), never on a standing duty.
    blocked = pace < 0.6 and rng.random() < 0.5 and line.standard.track != "ongoing"
    early = rng.random() < 0.2
    m = line.metric
    values = _values(line, periods, rng, pace) if m else [None] * len(periods)
    percents = [None] * len(periods) if m else _percents(periods, rng, pace)
    out = []
    for p, v, pct in zip(periods, values, percents, strict=True):
        done = (
            pct == 100
            if m is None
            else (m.kind == "cumulative" and v is not None and v >= m.target)
        )
        if done:
            status = "已完成"
        elif blocked and p.month >= 3:
            status = "受阻"
        elif (v == 0 if m else pct == 0) and p.month <= 3:
            status = "未启动"
        else:
            status = "推进中"
        completion = line.deadline
        if done:
            completion = p.last_day
        elif blocked:
            completion = date(p.year + 1, 3, 31)
        elif early:
            completion = min(line.deadline, date(p.year, 10, 31))
        if m is not None:
            ratio = f"，完成全年目标的{round(100 * v / m.target)}%" if m.target else ""
            said = "为" if m.kind != "cumulative" else "累计完成"
            progress = f"截至{p.month}月底，{m.name}{said}{number(v)}{m.unit}"
            progress += (ratio if m.kind == "cumulative" else "") + "。"
        else:
            progress = f"形象进度约{pct}%。"
        progress += rng.choice(_PROGRESS).format(n=rng.randint(2, 6), k=rng.randint(1, 5))
        behind = pace < 0.9 or status == "受阻"
        issues = rng.choice(_ISSUES) if behind else "无"
        out.append(Truth(v, status, pct, completion, progress, issues, rng.choice(_NEXT)))
    return out
