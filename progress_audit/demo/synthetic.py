"""Synthetic inboxes (模拟报送): the units' workbooks for the demo, the tests and the benchmark.

Each workbook is the office's real template (`build_template`) with the input cells typed in as
a clerk would: year-to-date figures that mostly track 序时进度 (some ahead, some behind, a few
far behind), statuses, dates and sentences in Chinese. A file's modification time is set to
when the unit "sent" it, because the engine takes received time from the file.

`profile="demo"` with `messy=True` also plants what really comes back (late and missing
reports, a resubmission, figures typed as `9,000人` or `见附件`, moved headers, hostile and
unusable files); `profile="bench"` is every unit, every month, clean and on time. The returned
`InboxManifest` records every file and every planted fault with its cell, so tests can check
that the engine finds each one. Same seed, same bytes: nothing depends on the wall clock.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from random import Random
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from progress_audit.files.atomic import write_bytes, write_text
from progress_audit.model.period import Period
from progress_audit.model.records import ReportedRow
from progress_audit.standards.responsibility import TaskLine
from progress_audit.templates.workbook import (
    PREVIOUS_HEADER,
    SHEET,
    TemplateLayout,
    build_template,
    number,
    template_filename,
    template_layout,
)

if TYPE_CHECKING:
    from openpyxl import Workbook

    from progress_audit.standards.catalogue import Catalogue

Key = tuple[str, str | None]

PROFILES = ("demo", "bench")

# What a messy demo inbox plants; every kind appears at least once when there are two months
# or more (`falling_cumulative` and `big_jump` need a previous month).
FILE_FAULTS = ("missing", "late", "resubmission", "renamed_file")
LAYOUT_FAULTS = ("header_moved", "extra_column", "columns_reordered")
BAD_FILES = ("not_workbook", "random_bytes", "text_file", "old_xls")
VALUE_FAULTS = (
    "thousands_separator",  # 4,527人
    "approximate",  # 约2480亩
    "full_width",  # ２４８０
    "wan",  # 0.45万
    "percent_sign",  # 61.5%
    "chinese_numeral",  # 四千五百二十七
    "number_as_text",  # '2480' stored as text
    "unreadable_value",  # 见附件
    "formula_without_value",  # =2000+480, no cached value
    "formula_injection",  # =HYPERLINK(...) typed into 存在问题, stays text
    "falling_cumulative",  # year-to-date below last month's
    "big_jump",  # ten times the true figure (an extra zero)
    "edited_target",  # 目标值 changed by the unit
    "bad_percent",  # 形象进度 150
    "date_text",  # 预计完成时间 typed as 年底
)
PLANTED_KINDS = FILE_FAULTS + LAYOUT_FAULTS + BAD_FILES + VALUE_FAULTS

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
_COUNT_UNITS = {"人", "家", "个", "所", "件", "亩", "项", "户", "元"}


# ── the manifest ────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class PlantedFile:
    """A file put in the inbox. `kind`: submission, superseded (an earlier version of a
    resubmission) or one of BAD_FILES. `path` is relative to the inbox, with `/`."""

    path: str
    kind: str
    unit: str | None
    period: str | None
    received_at: datetime
    late: bool
    sha256: str


@dataclass(frozen=True)
class PlantedFault:
    """Something the engine should find: its kind, where (file, `进度填报!F7`), what was typed
    and what a correct reader makes of it (`expected`: a number, text, ISO date or None)."""

    kind: str
    unit: str | None
    period: str | None
    file: str | None = None
    task_id: str | None = None
    metric_id: str | None = None
    cell: str | None = None
    sheet: str | None = None
    typed: str = ""
    expected: float | str | None = None
    note: str = ""

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.cell}" if self.sheet and self.cell else (self.file or "")


@dataclass(frozen=True)
class PlantedRow:
    """One task line of the workbook that counts for its unit and month: the figure, status
    and 形象进度 a correct reader gets from it. Cells with a planted fault hold what was typed
    (`bad_percent` 150) or None when nothing can be read (`见附件`, a formula without a value);
    the faults list says which cells those are."""

    unit: str
    period: str
    file: str
    task_id: str
    metric_id: str | None
    row: int
    value: float | None
    status: str
    percent: float | None


@dataclass(frozen=True)
class InboxManifest:
    """What `make_inbox` planted, for tests, the demo and the benchmark."""

    seed: int
    profile: str
    periods: tuple[str, ...]
    files: tuple[PlantedFile, ...]
    faults: tuple[PlantedFault, ...]
    rows: tuple[PlantedRow, ...] = field(default=(), repr=False)

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(f.kind for f in self.faults)

    def faults_of(self, kind: str) -> tuple[PlantedFault, ...]:
        return tuple(f for f in self.faults if f.kind == kind)

    def to_json(self) -> dict[str, Any]:
        def clean(obj: Any) -> Any:
            if isinstance(obj, datetime | date):
                return obj.isoformat()
            if isinstance(obj, dict):
                return {k: clean(v) for k, v in obj.items()}
            if isinstance(obj, list | tuple):
                return [clean(v) for v in obj]
            return obj

        return clean(asdict(self))

    def write(self, path: Path) -> None:
        """Write as JSON (`manifest.json`), atomically; keep it outside the inbox."""
        write_text(path, json.dumps(self.to_json(), ensure_ascii=False, indent=1) + "\n")


# ── what each unit means to report (the truth behind the typing) ─────────────────────────


@dataclass
class _Truth:
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


def _decimals(line: TaskLine) -> int:
    m = line.metric
    if m is None or (m.unit in _COUNT_UNITS and float(m.target).is_integer()):
        return 0
    return 1


# How the units fare against 序时进度, as shares of the task lines: a few far behind, some
# behind, some ahead, most on track (dealt out in these proportions, not drawn, so that even
# the 22 metric lines of 2019 get a few of each).
PACES = ((0.08, 0.3, 0.6), (0.25, 0.72, 0.88), (0.45, 1.05, 1.3), (1.0, 0.93, 1.08))


def _paces(
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
    d = _decimals(line)
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


def _truths(
    unit: str, line: TaskLine, periods: Sequence[Period], seed: int, pace: float
) -> list[_Truth]:
    """What `unit` means to report for `line` in each period (before any planted fault)."""
    rng = Random(f"{seed}|line|{unit}|{line.task_id}|{line.metric_id}")
    blocked = pace < 0.6 and rng.random() < 0.5
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
        out.append(_Truth(v, status, pct, completion, progress, issues, rng.choice(_NEXT)))
    return out


# ── the plan of a messy inbox ────────────────────────────────────────────────────────────


@dataclass
class _Edit:
    """A cell typed differently from the truth: what is typed and what a reader should get."""

    kind: str
    key: Key
    header: str
    typed: Any
    expected: float | str | None
    as_text: bool = True
    note: str = ""


@dataclass
class _Sheet:
    """One workbook to write, before writing."""

    unit: str
    period: Period
    received_at: datetime
    path: str
    kind: str = "submission"
    layout_fault: str | None = None
    title_gap: int = 0
    order: tuple[str, ...] | None = None
    extra: tuple[str, ...] = ()
    edits: list[_Edit] = field(default_factory=list)
    unprotect: bool = False


@dataclass
class _Plan:
    missing: set[tuple[str, Period]] = field(default_factory=set)
    late: set[tuple[str, Period]] = field(default_factory=set)
    resubmit: set[tuple[str, Period]] = field(default_factory=set)
    renamed: dict[tuple[str, Period], str] = field(default_factory=dict)
    by_unit_folder: set[str] = field(default_factory=set)
    layout: dict[tuple[str, Period], str] = field(default_factory=dict)
    edits: dict[tuple[str, Period], list[_Edit]] = field(default_factory=dict)
    bad: list[tuple[str, str, Period]] = field(default_factory=list)


Truths = dict[tuple[str, Key], list[_Truth]]


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
        return _metric("cumulative", above)(ctx, u, p, ln) and _decimals(ln) == 0

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
    scale = 10 ** _decimals(ln)
    typed = math.floor(prev * 0.6 * scale) / scale
    return number(typed), typed, False, f"上月累计 {number(prev)}"


def _jump(ctx: _Ctx, u: str, p: Period, ln: TaskLine) -> tuple[Any, float, bool, str]:
    v = ctx.value(u, p, ln)
    typed = round(v * 10, _decimals(ln))
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
    import cn2an

    return cn2an.an2cn(int(v))


def _any(ctx: _Ctx, u: str, p: Period, ln: TaskLine) -> bool:
    return True


VALUE_SPECS: tuple[tuple[str, str, Eligible, Typing], ...] = (
    (
        "thousands_separator",
        "本年累计完成",
        _metric(above=999, plain_units=True),
        _typed(lambda ln, v: f"{v:,.{_decimals(ln)}f}{ln.unit_of_measure}"),
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


def _plan(
    assignments: Mapping[str, tuple[TaskLine, ...]],
    periods: list[Period],
    truths: Truths,
    seed: int,
) -> _Plan:
    """Where each messy thing goes, deterministically; each in its own workbook where the
    months and units allow. Adjusts `truths` where a planted form needs a rounder figure."""
    rng = Random(f"{seed}|plan")
    plan = _Plan()
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
        edit = _Edit(kind, line.key, header, typed, expected, as_text, note)
        plan.edits.setdefault((u, p), []).append(edit)
    return plan


# ── writing ──────────────────────────────────────────────────────────────────────────────


def _received(
    rng: Random, period: Period, tz: str, due_day: int, late: bool, earliest: int = 1
) -> datetime:
    """Mostly the 2nd–5th of next month in office hours; late ones a few days after the due day."""
    nxt = period.next()
    if late:
        day = due_day + rng.randint(1, 4)
    else:
        days = list(range(max(1, earliest), due_day + 1))
        weights = [1 if d == 1 else 3 for d in days]
        day = rng.choices(days, weights)[0]
    moment = datetime.combine(date(nxt.year, nxt.month, 1), time(8, 30), ZoneInfo(tz))
    return moment + timedelta(days=day - 1, minutes=rng.randint(0, 9 * 60))


def _type(ws: Any, layout: TemplateLayout, key: Key, header: str, value: Any) -> None:
    """Type one value as a clerk would: text stays text (even `=HYPERLINK(...)`), numbers,
    dates and a formula go in as such."""
    from progress_audit.files.xlsx_style import put

    if isinstance(value, str) and not value.startswith("="):
        put(ws, layout.row(key), layout.column(header), value)
    else:
        ws.cell(layout.row(key), layout.column(header)).value = value


def _fill(
    ws: Any,
    layout: TemplateLayout,
    lines: Sequence[TaskLine],
    truths: Mapping[Key, _Truth],
    edits: Sequence[_Edit],
) -> dict[Key, tuple[float | None, float | None]]:
    """Type the unit's figures and words into the input cells; returns what a reader should
    get for value and percent per line."""
    from progress_audit.files.xlsx_style import put

    got: dict[Key, tuple[float | None, float | None]] = {}
    for ln in lines:
        t = truths[ln.key]
        typed: dict[str, Any] = {
            "完成状态": t.status,
            "预计完成时间": datetime.combine(t.completion, time()),
            "进展情况": t.progress,
            "存在问题": t.issues,
            "下步计划": t.next_steps,
        }
        if ln.metric is not None and t.value is not None:
            typed["本年累计完成"] = number(t.value)
        if ln.metric is None and t.percent is not None:
            typed["形象进度"] = t.percent
        for header, value in typed.items():
            _type(ws, layout, ln.key, header, value)
        got[ln.key] = (t.value, float(t.percent) if t.percent is not None else None)
    for e in edits:
        if e.as_text:  # text, even when it starts with "=" (the injection attempt)
            put(ws, layout.row(e.key), layout.column(e.header), str(e.typed))
        else:
            _type(ws, layout, e.key, e.header, e.typed)
        value, percent = got[e.key]
        if e.header == "本年累计完成":
            value = e.expected if isinstance(e.expected, float | int) else None
        elif e.header == "形象进度":
            percent = float(e.expected) if isinstance(e.expected, float | int) else None
        got[e.key] = (value, percent)
    return got


def _extra_columns(ws: Any, layout: TemplateLayout, lines: Sequence[TaskLine], rng: Random) -> None:
    for ln in lines:
        if "责任科室" in layout.headers:
            _type(ws, layout, ln.key, "责任科室", rng.choice(("综合科", "业务科", "规划科")))
        if "备注" in layout.headers and rng.random() < 0.5:
            _type(ws, layout, ln.key, "备注", "数据来源：本单位统计台账")


def _bad_file(kind: str, unit: str, period: Period, rng: Random) -> tuple[str, bytes]:
    """A file a unit should not have sent: its name and bytes."""
    if kind == "not_workbook":  # a Word document renamed to .xlsx
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, text in (
                (
                    "[Content_Types].xml",
                    '<?xml version="1.0"?><Types xmlns="http://schemas.'
                    'openxmlformats.org/package/2006/content-types"><Override PartName="/word/'
                    'document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                    'wordprocessingml.document.main+xml"/></Types>',
                ),
                (
                    "word/document.xml",
                    f"<w:document><w:body><w:p><w:r><w:t>{unit}{period.label}"
                    "工作进展情况说明</w:t></w:r></w:p></w:body></w:document>",
                ),
            ):
                z.writestr(zipfile.ZipInfo(name, (period.year, period.month, 28, 0, 0, 0)), text)
        return f"{period}_{unit}_进度填报表（说明）.xlsx", buf.getvalue()
    if kind == "random_bytes":
        return f"{period}_{unit}_进度填报表(损坏).xlsx", rng.randbytes(3000)
    if kind == "text_file":
        text = f"{unit}{period.label}重点工作进展情况：各项工作按计划推进，详见附件。\n"
        return f"{unit}{period.month}月工作进展说明.txt", text.encode("utf-8")
    if kind == "old_xls":  # the old binary format (Compound File header)
        return f"{period}_{unit}_进度填报表.xls", (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + rng.randbytes(4088)
        )
    raise ValueError(kind)


def _sheets(
    unit: str,
    period: Period,
    plan: _Plan,
    seed: int,
    tz: str,
    due_day: int,
    with_previous: bool,
) -> list[_Sheet]:
    """The workbook(s) `unit` sends for `period`: none, one, or an earlier and a corrected one."""
    slot = (unit, period)
    if slot in plan.missing:
        return []
    rng = Random(f"{seed}|file|{unit}|{period}")
    late = slot in plan.late
    received = _received(rng, period, tz, due_day, late, earliest=2 if late else 1)
    folder = f"{period}/{unit}" if unit in plan.by_unit_folder else str(period)
    name = template_filename(unit, period)
    edits = plan.edits.get(slot, [])
    sheet = _Sheet(
        unit,
        period,
        received,
        plan.renamed.get(slot, f"{folder}/{name}"),
        layout_fault=plan.layout.get(slot),
        edits=edits,
        unprotect=any(e.kind == "edited_target" for e in edits),
    )
    if sheet.layout_fault == "header_moved":
        sheet.title_gap = 3
    elif sheet.layout_fault == "extra_column":
        sheet.extra = EXTRA
    elif sheet.layout_fault == "columns_reordered":
        sheet.order = REORDERED + ((PREVIOUS_HEADER,) if with_previous else ())
    if slot not in plan.resubmit:
        return [sheet]
    # Sent, found wrong, corrected and sent again under another name.
    first_at = _received(rng, period, tz, due_day, False, earliest=2) - timedelta(days=1)
    first = replace(sheet, kind="superseded", received_at=first_at, edits=[], unprotect=False)
    sheet.path = f"{folder}/{name.removesuffix('.xlsx')}（更正）.xlsx"
    sheet.received_at = max(sheet.received_at, first_at + timedelta(hours=20))
    return [first, sheet]


def _first_draft(lines: Sequence[TaskLine], truth: Mapping[Key, _Truth]) -> dict[Key, _Truth]:
    """The superseded version: its first figure (or 形象进度) was typed too low."""
    draft = {k: replace(t) for k, t in truth.items()}
    for ln in lines:
        t = draft[ln.key]
        if t.value:
            t.value = round(t.value * 0.8, _decimals(ln))
            break
        if t.percent:
            t.percent = max(0, t.percent - 10)
            break
    return draft


@dataclass
class _Inbox:
    """Writes the files and keeps the manifest's records as it goes."""

    raw_dir: Path
    files: list[PlantedFile] = field(default_factory=list)
    faults: list[PlantedFault] = field(default_factory=list)
    rows: list[PlantedRow] = field(default_factory=list)

    def save(
        self,
        rel: str,
        data: bytes | Workbook,
        kind: str,
        unit: str,
        period: Period,
        received_at: datetime,
        due: datetime,
    ) -> PlantedFile:
        """Write atomically, with the same bytes for the same seed, and set the modification
        time to when the unit sent it."""
        from progress_audit.files.xlsx_style import save_workbook

        path = self.raw_dir / rel
        if isinstance(data, bytes):
            write_bytes(path, data)
        else:
            save_workbook(data, path, received_at, f"{unit}{period.label}进度填报表")
        os.utime(path, (received_at.timestamp(), received_at.timestamp()))
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        planted = PlantedFile(rel, kind, unit, str(period), received_at, received_at > due, sha)
        self.files.append(planted)
        return planted

    def workbook(
        self,
        sheet: _Sheet,
        lines: tuple[TaskLine, ...],
        truth: Mapping[Key, _Truth],
        previous: Mapping[Key, ReportedRow] | None,
        due: datetime,
        rng: Random,
    ) -> dict[Key, ReportedRow]:
        """Fill the template as the unit's clerk would; returns what a reader should get."""
        unit, period = sheet.unit, sheet.period
        layout = template_layout(
            lines,
            previous=bool(previous),
            title_gap=sheet.title_gap,
            order=sheet.order,
            extra=sheet.extra,
        )
        wb = build_template(unit, lines, period, due, previous, layout=layout)
        ws = wb[SHEET]
        typed = _first_draft(lines, truth) if sheet.kind == "superseded" else truth
        got = _fill(ws, layout, lines, typed, sheet.edits)
        if sheet.extra:
            _extra_columns(ws, layout, lines, rng)
        if sheet.unprotect:  # to edit a target the clerk lifted the (password-less) protection
            ws.protection.sheet = False
        f = self.save(sheet.path, wb, sheet.kind, unit, period, sheet.received_at, due)
        reported = {
            ln.key: ReportedRow(
                unit,
                str(period),
                ln.task_id,
                ln.metric_id,
                layout.row(ln.key),
                value=got[ln.key][0],
                status=typed[ln.key].status,
                percent=got[ln.key][1],
            )
            for ln in lines
        }
        if sheet.kind == "superseded":
            return reported
        self.rows += [
            PlantedRow(
                unit,
                str(period),
                f.path,
                r.task_id,
                r.metric_id,
                r.row,
                r.value,
                r.status or "",
                r.percent,
            )
            for r in reported.values()
        ]

        def fault(kind: str, **kw: Any) -> None:
            self.faults.append(PlantedFault(kind, unit, str(period), f.path, **kw))

        for e in sheet.edits:
            fault(
                e.kind,
                task_id=e.key[0],
                metric_id=e.key[1],
                sheet=SHEET,
                cell=layout.cell(e.key, e.header),
                typed=str(e.typed),
                expected=e.expected,
                note=e.note,
            )
        if f.late:
            fault("late", note=f"收到于 {sheet.received_at:%Y-%m-%d %H:%M}")
        if sheet.layout_fault:
            note = {
                "header_moved": f"表头在第 {layout.header_row} 行",
                "extra_column": f"多出栏目：{'、'.join(sheet.extra)}",
                "columns_reordered": f"栏目顺序：{'、'.join(layout.headers)}",
            }[sheet.layout_fault]
            fault(sheet.layout_fault, sheet=SHEET, cell=f"A{layout.header_row}", note=note)
        return reported


def make_inbox(
    raw_dir: Path,
    catalogue: Catalogue,
    assignments: Mapping[str, tuple[TaskLine, ...]],
    periods: Sequence[Period],
    *,
    seed: int = 2019,
    tz: str = "Asia/Shanghai",
    due_day: int = 5,
    messy: bool = True,
    profile: str = "demo",
) -> InboxManifest:
    """Write the units' workbooks for `periods` under `raw_dir` and say what was planted.

    The manifest is returned, not written: keep `manifest.json` outside the inbox
    (`manifest.write(path)`). Other files in `raw_dir` are left alone.
    """
    if profile not in PROFILES:
        raise ValueError(f"未知的模拟方案 {profile!r}（可选：{'、'.join(PROFILES)}）")
    if not periods:
        raise ValueError("至少需要一个填报月份")
    months = sorted(set(periods))
    if any(p.year != catalogue.year for p in months):
        raise ValueError(f"填报月份须在 {catalogue.year} 年内")
    paces = _paces(assignments, seed)
    truths: Truths = {
        (unit, ln.key): _truths(unit, ln, months, seed, paces[(unit, ln.key)])
        for unit, lines in assignments.items()
        for ln in lines
    }
    plan = _plan(assignments, months, truths, seed) if messy and profile == "demo" else _Plan()
    inbox = _Inbox(Path(raw_dir))
    previous: dict[str, dict[Key, ReportedRow]] = {}
    for i, period in enumerate(months):
        due = period.due(tz, due_day)
        current: dict[str, dict[Key, ReportedRow]] = {}
        for unit, lines in assignments.items():
            sheets = _sheets(unit, period, plan, seed, tz, due_day, bool(previous.get(unit)))
            if not sheets:
                inbox.faults.append(PlantedFault("missing", unit, str(period), note="本月未报送"))
            truth = {ln.key: truths[(unit, ln.key)][i] for ln in lines}
            rng = Random(f"{seed}|extra|{unit}|{period}")
            for sheet in sheets:
                current[unit] = inbox.workbook(sheet, lines, truth, previous.get(unit), due, rng)
            if len(sheets) > 1:
                inbox.faults.append(
                    PlantedFault(
                        "resubmission",
                        unit,
                        str(period),
                        sheets[-1].path,
                        note=f"替代 {sheets[0].path}",
                    )
                )
            if (unit, period) in plan.renamed:
                inbox.faults.append(
                    PlantedFault("renamed_file", unit, str(period), plan.renamed[(unit, period)])
                )
        for kind, unit, p in plan.bad:
            if p == period:
                rng = Random(f"{seed}|bad|{kind}|{unit}|{period}")
                name, data = _bad_file(kind, unit, period, rng)
                received = _received(rng, period, tz, due_day, False)
                f = inbox.save(f"{period}/{name}", data, kind, unit, period, received, due)
                inbox.faults.append(PlantedFault(kind, unit, str(period), f.path))
        previous = current
    return InboxManifest(
        seed,
        profile,
        tuple(str(p) for p in months),
        tuple(inbox.files),
        tuple(inbox.faults),
        tuple(inbox.rows),
    )
