"""The plan of a messy demo inbox (what goes wrong where): missing, late, resubmitted and
renamed files, altered layouts, unusable files, and cells typed the way real clerks type them
(`9,000人`, `约2480亩`, `见附件`, a formula without a value). Deterministic for a seed."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from random import Random
from typing import TYPE_CHECKING, Any

import cn2an

from progress_audit.demo.figures import Key, Truth, decimals
from progress_audit.demo.manifest import BAD_FILES, LAYOUT_FAULTS
from progress_audit.model.period import Period
from progress_audit.standards.responsibility import TaskLine
from progress_audit.templates.workbook import (
    number,
)

if TYPE_CHECKING:
    pass


INJECTION = '=HYPERLINK("http://x","点击")'
UNREADABLE = "见附件"
RENAMED = ("新建 Microsoft Excel 工作表.xlsx", "进度表(1).xlsx", "报督查室.xlsx")
REORDERED = (
    "指标编号",
    "任务编号",
    "工作标准",
    "计量单位",
    "目标值",
    "完成状态",
    "本年累计完成",
    "进展情况",
    "形象进度",
    "预计完成时间",
    "下步计划",
    "存在问题",
)
EXTRA = ("责任科室", "备注")

_FULL_WIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")


@dataclass
class Edit:
    """A cell typed differently from the truth: what is typed and what a reader should get."""

    kind: str
    key: Key
    header: str
    typed: Any
    expected: float | str | None
    as_text: bool = True
    note: str = ""


@dataclass
class Plan:
    missing: set[tuple[str, Period]] = field(default_factory=set)
    late: set[tuple[str, Period]] = field(default_factory=set)
    resubmit: set[tuple[str, Period]] = field(default_factory=set)
    renamed: dict[tuple[str, Period], str] = field(default_factory=dict)
    by_unit_folder: set[str] = field(default_factory=set)
    layout: dict[tuple[str, Period], str] = field(default_factory=dict)
    edits: dict[tuple[str, Period], list[Edit]] = field(default_factory=dict)
    bad: list[tuple[str, str, Period]] = field(default_factory=list)


Truths = dict[tuple[str, Key], list[Truth]]


@dataclass
class _Ctx:
    """What a planted fault may look at: the truth of every line and month."""

    truths: Truths
    periods: list[Period]
    missing: set[tuple[str, Period]]

    def value(self, unit: str, period: Period, line: TaskLine) -> float:
        return self.truths[(unit, line.key)][self.periods.index(period)].value or 0.0

    def prev(self, unit: str, period: Period, line: TaskLine) -> float | None:
        """Last month's figure, when there was a last month and the unit reported it."""
        i = self.periods.index(period)
        if i == 0 or (unit, self.periods[i - 1]) in self.missing:
            return None
        return self.truths[(unit, line.key)][i - 1].value


# Value faults: (kind, column, which lines qualify, what is typed). The typing functions return
# (typed, expected, typed as text, note); `wan` also rounds the truth it plants.
Eligible = Callable[[_Ctx, str, Period, TaskLine], bool]
Typing = Callable[[_Ctx, str, Period, TaskLine], tuple[Any, float | str | None, bool, str]]


def _metric(kind: str | None = None, above: float = 0.0, plain_units: bool = False) -> Eligible:
    def ok(ctx: _Ctx, u: str, p: Period, ln: TaskLine) -> bool:
        m = ln.metric
        return (
            m is not None
            and (kind is None or m.kind == kind)
            and ctx.value(u, p, ln) > above
            and not (plain_units and set("万亿%") & set(m.unit))
        )

    return ok


def _cumulative_whole(above: float) -> Eligible:
    def ok(ctx: _Ctx, u: str, p: Period, ln: TaskLine) -> bool:
        return _metric("cumulative", above)(ctx, u, p, ln) and decimals(ln) == 0

    return ok


def _rate_in_percent(ctx: _Ctx, u: str, p: Period, ln: TaskLine) -> bool:
    return _metric()(ctx, u, p, ln) and ln.unit_of_measure == "%"


def _grown_since_last_month(ctx: _Ctx, u: str, p: Period, ln: TaskLine) -> bool:
    prev = ctx.prev(u, p, ln)
    return (
        p == ctx.periods[-1]
        and _metric("cumulative")(ctx, u, p, ln)
        and prev is not None
        and prev >= 3
    )


def _typed(render: Callable[[TaskLine, float], str]) -> Typing:
    """A true figure typed in another form: the reader should still get the figure."""

    def make(ctx: _Ctx, u: str, p: Period, ln: TaskLine) -> tuple[Any, float, bool, str]:
        v = ctx.value(u, p, ln)
        return render(ln, v), v, True, ""

    return make


def _wan(ctx: _Ctx, u: str, p: Period, ln: TaskLine) -> tuple[Any, float, bool, str]:
    series = ctx.truths[(u, ln.key)]
    q = float(math.ceil(ctx.value(u, p, ln) / 100) * 100)
    for t in series[ctx.periods.index(p) :]:  # later months stay non-decreasing
        if t.value is not None and t.value < q:
            t.value = q
    return f"{q / 10000:g}万", q, True, ""


def _formula(ctx: _Ctx, u: str, p: Period, ln: TaskLine) -> tuple[Any, None, bool, str]:
    v = int(ctx.value(u, p, ln))
    return f"={v // 2}+{v - v // 2}", None, False, f"公式，无缓存值；本意 {v}"


def _falling(ctx: _Ctx, u: str, p: Period, ln: TaskLine) -> tuple[Any, float, bool, str]:
    prev = ctx.prev(u, p, ln) or 0.0
    scale = 10 ** decimals(ln)
    typed = math.floor(prev * 0.6 * scale) / scale
    return number(typed), typed, False, f"上月累计 {number(prev)}"


def _jump(ctx: _Ctx, u: str, p: Period, ln: TaskLine) -> tuple[Any, float, bool, str]:
    v = ctx.value(u, p, ln)
    typed = round(v * 10, decimals(ln))
    return (
        number(typed),
        typed,
        False,
        f"上月累计 {number(ctx.prev(u, p, ln) or 0)}，本月实为 {number(v)}",
    )


def _edited_target(ctx: _Ctx, u: str, p: Period, ln: TaskLine) -> tuple[Any, float, bool, str]:
    assert ln.target is not None
    t = number(round(ln.target * 0.8, 1))
    return t, float(t), False, f"目录目标 {number(ln.target)}"


def _chinese(v: float) -> str:
    return cn2an.an2cn(int(v))


def _any(ctx: _Ctx, u: str, p: Period, ln: TaskLine) -> bool:
    return True


VALUE_SPECS: tuple[tuple[str, str, Eligible, Typing], ...] = (
    (
        "thousands_separator",
        "本年累计完成",
        _metric(above=999, plain_units=True),
        _typed(lambda ln, v: f"{v:,.{decimals(ln)}f}{ln.unit_of_measure}"),
    ),
    (
        "approximate",
        "本年累计完成",
        _metric("cumulative", above=99),
        _typed(lambda ln, v: f"约{number(v)}{ln.unit_of_measure}"),
    ),
    (
        "full_width",
        "本年累计完成",
        _metric(above=99),
        _typed(lambda ln, v: str(number(v)).translate(_FULL_WIDTH)),
    ),
    ("wan", "本年累计完成", _metric(above=999, plain_units=True), _wan),
    ("percent_sign", "本年累计完成", _rate_in_percent, _typed(lambda ln, v: f"{number(v)}%")),
    ("chinese_numeral", "本年累计完成", _cumulative_whole(99), _typed(lambda ln, v: _chinese(v))),
    ("number_as_text", "本年累计完成", _metric(), _typed(lambda ln, v: str(number(v)))),
    (
        "unreadable_value",
        "本年累计完成",
        _metric(above=-1),
        lambda ctx, u, p, ln: (UNREADABLE, None, True, ""),
    ),
    ("formula_without_value", "本年累计完成", _cumulative_whole(9), _formula),
    ("falling_cumulative", "本年累计完成", _grown_since_last_month, _falling),
    ("big_jump", "本年累计完成", _grown_since_last_month, _jump),
    ("edited_target", "目标值", lambda ctx, u, p, ln: ln.target is not None, _edited_target),
    (
        "bad_percent",
        "形象进度",
        lambda ctx, u, p, ln: ln.metric is None,
        lambda ctx, u, p, ln: (150, 150.0, False, ""),
    ),
    ("formula_injection", "存在问题", _any, lambda ctx, u, p, ln: (INJECTION, INJECTION, True, "")),
    (
        "date_text",
        "预计完成时间",
        _any,
        lambda ctx, u, p, ln: ("年底", date(p.year, 12, 31).isoformat(), True, ""),
    ),
)


def plan_inbox(
    assignments: Mapping[str, tuple[TaskLine, ...]],
    periods: list[Period],
    truths: Truths,
    seed: int,
) -> Plan:
    """Where each messy thing goes, deterministically; each in its own workbook where the
    months and units allow. Adjusts `truths` where a planted form needs a rounder figure."""
    rng = Random(f"{seed}|plan")
    plan = Plan()
    units = list(assignments)
    slots = [(u, p) for p in periods for u in units]
    busy: set[tuple[str, Period]] = set()

    def take(pred: Callable[[str, Period], bool], exclusive: bool = True) -> tuple[str, Period]:
        usable = [s for s in slots if s not in plan.missing and pred(*s)]
        free = [s for s in usable if s not in busy] or usable
        if not free:
            raise LookupError("没有可用的单位和月份")
        slot = rng.choice(free)
        if exclusive:
            busy.add(slot)
        return slot

    mid = periods[len(periods) // 2]
    plan.missing.add(take(lambda u, p: p == mid))
    chronic = rng.choice(units)  # one unit is late every other month
    for i, period in enumerate(periods):
        if i % 2 == 0:
            plan.late.add((chronic, period))
        plan.late.add(take(lambda u, p, q=period: p == q and u != chronic, exclusive=False))
    plan.resubmit.add(take(lambda u, p: p == periods[-1]))
    plan.renamed[take(lambda u, p: True)] = rng.choice(RENAMED)
    plan.by_unit_folder = set(rng.sample(units, min(3, len(units))))
    with_metrics = {u for u in units if any(ln.metric for ln in assignments[u])}
    for kind in LAYOUT_FAULTS:  # where there are figures to find in the altered layout
        plan.layout[take(lambda u, p: u in with_metrics)] = kind
    for kind in BAD_FILES:
        plan.bad.append((kind, *take(lambda u, p: True, exclusive=False)))

    ctx = _Ctx(truths, periods, plan.missing)
    for kind, header, eligible, typing in VALUE_SPECS:

        def lines(u: str, p: Period, eligible: Eligible = eligible, h: str = header) -> list:
            taken = {e.key for e in plan.edits.get((u, p), []) if e.header == h}
            return [ln for ln in assignments[u] if ln.key not in taken and eligible(ctx, u, p, ln)]

        try:
            u, p = take(lambda u, p: bool(lines(u, p)))
        except LookupError:
            continue  # e.g. one month only: no falling figure to plant
        line = rng.choice(lines(u, p))
        typed, expected, as_text, note = typing(ctx, u, p, line)
        edit = Edit(kind, line.key, header, typed, expected, as_text, note)
        plan.edits.setdefault((u, p), []).append(edit)
    return plan
