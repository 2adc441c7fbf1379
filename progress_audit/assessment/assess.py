"""The assessment (进度评估): every lead unit's task lines for a month against target and 序时进度.

One `Finding` per reporting unit and task line, from the rows of the unit's counting submission
(the latest `on_time` or `late` workbook received by the audit's moment). The status is
checked in this order, the first that applies wins:

1. `missing` 未报送: no usable submission, or no row for the line in it.
2. `invalid` 数据异常: an error on a value the status is computed from (a validity or consistency
   problem from the reader or the quality checks, on the figure's cell, on the row's ids, or on
   the row as a whole), or two rows
   for the same line. Problems on other cells (目标值, dates, texts), completeness and
   timeliness problems, and warnings are listed in `warnings` and change nothing.
3. `missing` again when the figure is left empty: 本年累计完成未填写 is not reported, whatever
   完成状态 says.
4. `completed` 已完成: a cumulative figure has reached its target; a rate, a level or a ceiling
   meets it at the deadline.
5. `overdue` 逾期未完成: the deadline is on or before the period's last day, target not met.
6. `off_track` 严重滞后: the unit reports 受阻.
7. `on_track` 正常推进: a rate, level or ceiling that already meets its target before the deadline.
8. The thresholds (`Thresholds.classify`) on the progress ratio, or on the gap in points.

The ratio behind the status is the contract's one `ratio` ("the share of 序时进度 done"),
oriented so that 1 is on schedule and more is better, the same in findings.json, the reasons
and every report:

- cumulative: actual ÷ expected-to-date;
- level: the rise over the baseline ÷ the rise expected by now. 13.0 against 14.8 from a baseline
  of 12.6 is 0.4 of an expected 1.1 in June (36%), not 13.0 ÷ 13.7 (95%);
- rate (and a cumulative ceiling such as 不超过): actual ÷ target for ≥, > and ~; target ÷ actual
  for ≤ and <, so that exceeding a ceiling gives a ratio below 1;
- a standard without a metric is judged by its track (`tracks`: 常态工作 by its 进展情况, 节点任务
  by its approved node plan), never by the unit's own 形象进度.

Nothing is expected before a one-off target's month: the ratio is then None and the line is on
track unless 受阻. `gap` is the shortfall against 序时进度 in the metric's own unit (percentage
points for % and 形象进度; a rate's 序时进度 is its target), positive when behind; `gap_points`
the same as percentage points (of the target, for a figure not in %), negative when behind. A
`~` (左右) target is met from target × (1 − tolerance) up; a rate above target × (1 + tolerance)
is met as well but gets a warning.

A shortfall too small to matter is not behind (`Thresholds.trivial`): a count (个, 家 …) less
than one whole unit behind, anything else less than 5 points of its target (of 100 for 形象进度)
behind, is `on_track`, and its reason says so. Counts are said to a person in whole units.
A figure with an implausible jump (`HOLD_CODES`) is `invalid` (数据异常，待核实) until the office
accepts it (`accepted`).

For a leader each finding also carries a projection to the deadline (the current pace carried
on: along the seasonal curve where there is one; a level's rise over its baseline; a rate's
current value; none for a one-off target) and the monthly amount now required ((target −
actual) ÷ months left; none when met, when no month is left, for a one-off target, or for a rate
or ceiling, which is not accumulated).
`due_soon`: the deadline ends within `due_soon_days` of the audit's moment and the line is
neither completed nor overdue.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import get_args

from progress_audit.assessment.progress import (
    expected_to_date,
    linear_share,
    metric_share,
    months_left,
)
from progress_audit.assessment.thresholds import EPSILON, Thresholds
from progress_audit.assessment.tracks import (
    BLOCKED_REASON,
    TrackContext,
    judge_milestones,
    judge_ongoing,
    plans_due_date,
)
from progress_audit.config import MilestoneSettings
from progress_audit.model.period import Calendar, Period, PeriodError, end_of_day
from progress_audit.model.plans import PlanState
from progress_audit.model.problems import CellRef, Problem
from progress_audit.model.records import (
    COUNTING_STATUSES,
    Finding,
    FindingStatus,
    NodeReport,
    ReportedRow,
    Submission,
    rounded,
)
from progress_audit.model.wording import (
    day_label,
    deadline_label,
    figure_label,
    percent_label,
    quantity_label,
    whole_label,
)
from progress_audit.standards.catalogue import Catalogue, Metric
from progress_audit.standards.catalogue.tracks import UNNUMBERED_TRACKS
from progress_audit.standards.responsibility import TaskLine

# The finding statuses, in the order findings.json counts them.
STATUS_ORDER: tuple[str, ...] = get_args(FindingStatus)
HIGHER = (">=", ">", "~")
COMPARATOR_WORDS = {">=": "不低于", ">": "超过", "<=": "不超过", "<": "低于", "~": "左右"}
# Fields of a row that do not enter the status: a problem on one of these cells is a warning.
UNASSESSED = ("target_reported", "expected_completion", "progress", "issues", "next_steps")
BLOCKED, DONE, NOT_STARTED = "受阻", "已完成", "未启动"
SHEET = "进度填报"
VOIDING = ("task_id", "metric_id", "progress")
"""The cells of a row that, when in error, void the report of a standard without a number."""
HOLD_CODES = ("implausible_jump",)
"""Warnings that hold a figure as 数据异常（待核实） until the office accepts it: a figure that
only an implausible jump brought where it is is never scored on its own."""
HOLD_NOTE = "数据异常，待核实：该数字经督查室核实确认前不评估进度，请单位核对后重新报送或说明情况"
Accepted = Collection[tuple[str, str, str | None]]
"""Figures the office has checked and accepted: (unit, period `2019-06`, metric_id)."""


def assess(
    catalogue: Catalogue,
    assignments: Mapping[str, tuple[TaskLine, ...]],
    period: Period,
    as_of: datetime,
    submissions: Sequence[Submission],
    thresholds: Thresholds,
    problems: Sequence[Problem] = (),
    *,
    calendar: Calendar,
    accepted: Accepted = frozenset(),
    previous: Sequence[Submission] = (),
    plans: Mapping[str, PlanState] | None = None,
    milestones: MilestoneSettings | None = None,
) -> list[Finding]:
    """Findings for every unit and task line, sorted by task, metric and unit.

    `submissions` are the month's submissions with their statuses; only one received by `as_of`
    counts. `problems` are the quality checks' problems, matched to rows by unit, task and
    metric (they should concern the counting submissions). `calendar` gives the due date
    that a missing submission's reason names, and the office's day for `due_soon`.
    `accepted` are the figures the office has checked and accepted (unit, period, metric_id):
    an implausible jump on one of those is scored as reported.
    Standards without a number are judged by their track (`tracks`): `previous` are last
    month's submissions (an ongoing duty's 进展情况 is compared with last month's; nodes
    reported done then stay done), `plans` each unit's node plan, `milestones` the light rule.
    """
    if catalogue.year != period.year:
        raise ValueError(f"{catalogue.year} 年的重点任务目录不能用于评估 {period.label}")
    ctx = _Context(
        period, as_of, thresholds, calendar.due(period), calendar.timezone, frozenset(accepted)
    )
    external: dict[tuple[str, str | None, str | None], list[Problem]] = {}
    for p in problems:
        external.setdefault((p.unit, p.task_id, p.metric_id), []).append(p)
    rule = milestones or MilestoneSettings()
    track_ctx = TrackContext(period, plans_due_date(period.year, rule), rule)
    findings: list[Finding] = []
    for unit, lines in assignments.items():
        submission = counting_submission(submissions, unit, period, as_of)
        before = counting_submission(previous, unit, period.prev(), as_of)
        earlier_rows = {r.key[1:]: r for r in before.rows} if before else {}
        node_reports = [
            *(before.nodes if before else ()),
            *(submission.nodes if submission else ()),
        ]
        rejected = [
            s
            for s in submissions
            if s.unit == unit
            and _same_period(s.period, period)
            and s.status in ("rejected", "returned")
            and s.received_at <= as_of
        ]
        rows: dict[tuple[str, str | None], list[ReportedRow]] = {}
        for row in submission.rows if submission else ():
            rows.setdefault((row.task_id, row.metric_id), []).append(row)
        for line in lines:
            if line.metric is None:
                findings.append(
                    _judge_track(
                        line,
                        unit,
                        submission,
                        rejected,
                        rows.get(line.key, []),
                        external.get((unit, line.task_id, None), []),
                        earlier_rows.get(line.key),
                        node_reports,
                        (plans or {}).get(unit),
                        ctx,
                        track_ctx,
                    )
                )
                continue
            findings.append(
                _assess_line(
                    line,
                    unit,
                    submission,
                    rejected,
                    rows.get(line.key, []),
                    external.get((unit, line.task_id, line.metric_id), []),
                    ctx,
                )
            )
    return sorted(findings, key=finding_order)


def summarise(findings: Sequence[Finding]) -> dict[str, int]:
    """How many findings have each status; every status present, in STATUS_ORDER."""
    counts = dict.fromkeys(STATUS_ORDER, 0)
    for f in findings:
        counts[f.status] += 1
    return counts


def finding_order(f: Finding) -> tuple:
    """Task id numerically (2.1 before 10.1), then metric id, then unit."""
    return (_numeric(f.task_id), _numeric(f.metric_id or ""), f.unit)


def counting_submission(
    submissions: Sequence[Submission], unit: str, period: Period, as_of: datetime
) -> Submission | None:
    """The unit's workbook that counts: the latest on_time or late one received by `as_of`."""
    usable = [
        s
        for s in submissions
        if s.unit == unit
        and _same_period(s.period, period)
        and s.status in COUNTING_STATUSES
        and s.received_at <= as_of
    ]
    return max(usable, key=lambda s: (s.received_at, s.file, s.sha256), default=None)


def meets(actual: float, target: float, comparator: str, tolerance: float) -> bool:
    """Whether a figure satisfies its target (`~`: from target × (1 − tolerance) up)."""
    if comparator == ">=":
        return actual >= target - EPSILON
    if comparator == ">":
        return actual > target + EPSILON
    if comparator == "<=":
        return actual <= target + EPSILON
    if comparator == "<":
        return actual < target - EPSILON
    if comparator == "~":
        return actual >= target - abs(target) * tolerance - EPSILON
    raise ValueError(f"未知的比较关系 {comparator!r}")


# ── one line ────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class _Context:
    period: Period
    as_of: datetime
    thresholds: Thresholds
    due: datetime
    """When the month's workbook was due (24:00 of the due day)."""
    tz: str
    accepted: frozenset[tuple[str, str, str | None]] = frozenset()


@dataclass
class _Verdict:
    """What the evaluation of one line found, before it becomes a Finding."""

    status: str
    reasons: list[str]
    actual: float | None = None
    ratio: float | None = None
    gap: float | None = None
    gap_points: float | None = None
    projection: float | None = None
    required_monthly: float | None = None
    source: CellRef | None = None
    warnings: list[str] = field(default_factory=list)


def _assess_line(
    line: TaskLine,
    unit: str,
    submission: Submission | None,
    rejected: list[Submission],
    rows: list[ReportedRow],
    external: list[Problem],
    ctx: _Context,
) -> Finding:
    metric = line.metric
    share = metric_share(metric, ctx.period) if metric else linear_share(ctx.period, line.deadline)
    expected = expected_to_date(metric, ctx.period) if metric else share * 100
    row = rows[0] if len(rows) == 1 else None
    what = "指标" if metric else "任务"
    if submission is None:
        verdict = _Verdict("missing", _not_submitted(ctx, rejected))
    elif not rows:
        verdict = _Verdict("missing", [f"填报表中没有该{what}的行"], source=_sheet_of(submission))
    elif len(rows) > 1:
        numbers = "、".join(str(r.row) for r in rows)
        why = f"填报表中该{what}有 {len(rows)} 行（第 {numbers} 行），无法确定以哪一行为准"
        verdict = _Verdict(
            "invalid",
            [f"{why}，请删去多余的行"],
            source=_cell(rows[0], "value" if metric else "percent", submission.file),
        )
    else:
        assert row is not None
        verdict = _judge_row(line, row, external, share, expected, submission.file, ctx)
    if metric and metric.kind == "level" and metric.baseline_note:
        verdict.warnings.append(f"基数说明：{metric.baseline_note}")
    completed = verdict.status == "completed"
    days = _days_left(line.deadline, ctx)
    due_soon = verdict.status not in ("completed", "overdue") and (
        0 < days <= ctx.thresholds.due_soon_days
    )
    if due_soon:
        verdict.reasons.append(f"距完成期限 {day_label(line.deadline)} 还有 {int(days)} 天")
    return Finding(
        task_id=line.task_id,
        metric_id=line.metric_id,
        unit=unit,
        leaders=line.leaders,
        status=verdict.status,  # type: ignore[arg-type]
        target=line.target if metric else 100.0,
        actual=verdict.actual,
        expected=expected,
        ratio=verdict.ratio,
        time_progress=share,
        deadline=line.deadline,
        reasons=tuple(verdict.reasons),
        source=verdict.source,
        name=line.text,
        unit_of_measure=line.unit_of_measure if metric else "%",
        gap_points=verdict.gap_points,
        gap=verdict.gap,
        counted=bool(
            metric and metric.kind == "cumulative" and ctx.thresholds.shown_whole(metric.unit)
        ),
        projection=verdict.projection,
        required_monthly=None if completed else verdict.required_monthly,
        due_soon=due_soon,
        issues=row.issues if row else "",
        progress=row.progress if row else "",
        warnings=tuple(dict.fromkeys(verdict.warnings)),
        reported=row.reported if row and row.review else None,
        review=row.review.to_json() if row and row.review else None,
    )


def _judge_track(
    line: TaskLine,
    unit: str,
    submission: Submission | None,
    rejected: list[Submission],
    rows: list[ReportedRow],
    external: list[Problem],
    previous: ReportedRow | None,
    node_reports: Sequence[NodeReport],
    plan: PlanState | None,
    ctx: _Context,
    track_ctx: TrackContext,
) -> Finding:
    """A standard without a number, by its track (`tracks`); never by 形象进度."""
    if submission is None:
        absent, source = _not_submitted(ctx, rejected), None
    elif not rows and line.standard.track == "ongoing":
        absent, source = ["填报表中没有该任务的行"], _sheet_of(submission)
    else:
        absent, source = [], _sheet_of(submission)
    row = rows[0] if rows else None
    if len(rows) > 1:
        numbers = "、".join(str(r.row) for r in rows)
        absent = [
            f"填报表中该任务有 {len(rows)} 行（第 {numbers} 行），以第一行为准，请删去多余的行"
        ]
    problems = list(dict.fromkeys((*(row.problems if row else ()), *external)))
    errors = [p for p in problems if row is not None and _voids_report(p, row)]
    notes = [
        f"{p.where}：{p.message}" if p.where else p.message for p in problems if p not in errors
    ]
    if line.standard.track not in UNNUMBERED_TRACKS:  # a standard built without a track
        line = replace(line, standard=replace(line.standard, track="ongoing"))
    if line.standard.track == "ongoing":
        if errors:
            f = judge_ongoing(line, unit, None, None, [], source, track_ctx)
            return replace(
                f,
                status="invalid",
                reasons=tuple(p.message for p in errors),
                source=next((p.ref for p in errors if p.ref), None) or source,
                warnings=(*notes, *f.warnings),
            )
        f = judge_ongoing(line, unit, row, previous, absent, source, track_ctx)
    else:
        f = judge_milestones(
            line, unit, submission, row, node_reports, plan, absent, source, track_ctx
        )
    return replace(f, warnings=tuple(dict.fromkeys((*f.warnings, *notes))))


def _voids_report(problem: Problem, row: ReportedRow) -> bool:
    """An error a standard without a number cannot be judged past: on the row as a whole, on
    its ids, or on its 进展情况 (an ongoing duty's report). 形象进度 and 完成状态 are not judged."""
    if problem.severity != "error" or problem.dimension in ("completeness", "timeliness"):
        return False
    if problem.ref is None or problem.ref.cell is None:
        return True
    bearing = {(r.sheet, r.cell) for n, r in row.sources.items() if n in VOIDING}
    return (problem.ref.sheet, problem.ref.cell) in bearing


def _judge_row(
    line: TaskLine,
    row: ReportedRow,
    external: list[Problem],
    share: float,
    expected: float,
    file: str,
    ctx: _Context,
) -> _Verdict:
    """A line with exactly one row: invalid, missing, or the status from the figures."""
    problems = list(dict.fromkeys((*row.problems, *external)))
    errors = [p for p in problems if _bears_on_status(p, row, line.metric is not None)]
    held = (row.unit, str(ctx.period), line.metric_id)
    holds = [
        p for p in problems if p.code in HOLD_CODES and p not in errors and held not in ctx.accepted
    ]
    notes = [p for p in problems if p not in errors and p not in holds]
    if not errors and holds:
        verdict = _Verdict(
            "invalid",
            [*(p.message for p in holds), HOLD_NOTE],
            actual=row.value if line.metric else row.percent,
            source=next((p.ref for p in holds if p.ref), None)
            or _cell(row, "value" if line.metric else "percent", file),
        )
    elif errors:
        verdict = _Verdict(
            "invalid",
            [p.message for p in errors],
            actual=row.value if line.metric else row.percent,
            source=next((p.ref for p in errors if p.ref), None)
            or _cell(row, "value" if line.metric else "percent", file),
        )
    else:
        assert line.metric is not None  # a line without a metric is judged by its track
        verdict = _judge_metric(line, line.metric, row, share, expected, file, ctx)
    for p in notes:
        if verdict.status == "missing" and p.dimension == "completeness":
            continue  # the missing reason says it already
        verdict.warnings.append(f"{p.where}：{p.message}" if p.where else p.message)
    if row.approximate and not any(p.severity == "warning" for p in problems):
        verdict.warnings.append(
            f"填报数为约数（“{row.value_text}”），按 {figure_label(row.value)} 计"
        )
    return verdict


def _bears_on_status(problem: Problem, row: ReportedRow, is_metric: bool) -> bool:
    """An error the status cannot stand on: on a cell the status is read from, on the row's
    ids (a duplicate, an unknown task) or on the row as a whole.

    A metric's status stands on its figure (本年累计完成; a mistyped 完成状态 is a warning); a
    task's on 完成状态 and 形象进度.
    """
    if problem.severity != "error" or problem.dimension in ("completeness", "timeliness"):
        return False
    if problem.ref is None or problem.ref.cell is None:
        return True
    aside = UNASSESSED + (("status", "percent") if is_metric else ("value",))
    elsewhere = {(r.sheet, r.cell) for name, r in row.sources.items() if name in aside}
    return (problem.ref.sheet, problem.ref.cell) not in elsewhere


def _judge_metric(
    line: TaskLine,
    metric: Metric,
    row: ReportedRow,
    share: float,
    expected: float,
    file: str,
    ctx: _Context,
) -> _Verdict:
    source = _cell(row, "value", file)
    uom = metric.unit
    target_text = _target_text(metric)
    value = row.value
    if value is None:
        reasons = ["本年累计完成未填写"]
        if row.status:
            reasons.append(f"完成状态填报为“{row.status}”，但没有填写完成数")
        return _Verdict("missing", reasons, source=source)

    period, th = ctx.period, ctx.thresholds
    met = meets(value, metric.target, metric.comparator, th.approx_tolerance)
    passed = line.deadline <= period.last_day
    higher = metric.comparator in HIGHER
    path = (metric.kind == "cumulative" and higher) or (
        metric.kind == "level" and metric.baseline is not None and metric.target != metric.baseline
    )
    # The one ratio (contract section 5; oriented, 1 = on schedule), the share of the target
    # achieved, and the shortfall against 序时进度 in the metric's own unit (positive = behind).
    base = metric.baseline if metric.kind == "level" and metric.baseline is not None else 0.0
    if path:
        achieved = (value - base) / (metric.target - base) if metric.target != base else None
        hold_share = share
        shortfall = expected - value
        scale = metric.target - base
    else:
        if higher:
            achieved = value / metric.target if metric.target else None
        else:
            achieved = metric.target / value if value > 0 else None
        hold_share = 1.0
        shortfall = (metric.target - value) if higher else (value - metric.target)
        scale = metric.target
    progress_ratio = achieved / hold_share if achieved is not None and hold_share > 0 else None
    if uom.strip() == "%":
        points = -shortfall
    else:
        points = (achieved - hold_share) * 100 if achieved is not None else None
    # Judged on the numbers as every output shows them.
    progress_ratio = rounded("ratio", progress_ratio)
    points = rounded("gap_points", points)
    shortfall = rounded("gap", shortfall)
    v = _Verdict(
        "on_track",
        [],
        actual=value,
        ratio=progress_ratio,
        gap=shortfall,
        gap_points=points,
        source=source,
    )
    left = months_left(period, line.deadline)
    if path and not met and left > 0 and metric.profile.shape != "deadline":
        # A one-off target (an award) is won or not, and a rate or ceiling is not accumulated:
        # neither has a monthly pace.
        v.required_monthly = (metric.target - value) / left
    v.projection = _projection(metric, value, period, passed, path)
    # A count of whole things (个, 家 …) is judged and said in whole units; a level such as
    # 14.8 件/万人 or a rate is not a count.
    count = metric.kind == "cumulative" and th.counts(uom)
    # 亩 is not a count of things but is said whole too.
    whole = metric.kind == "cumulative" and th.shown_whole(uom)
    amount = _amount_words(uom, whole)

    if metric.kind == "level" and path:
        assert metric.baseline is not None
        rise, due_rise = value - metric.baseline, expected - metric.baseline
        base_text = quantity_label(metric.baseline, uom)
        now = f"当前 {quantity_label(value, uom)}，较基数 {base_text}{_change(rise, uom)}"
        if progress_ratio is None:
            share_done = ""
        elif progress_ratio < 0:
            share_done = "目前仍低于基数"
        else:
            share_done = f"完成序时进度的 {_pct(progress_ratio)}"
        progress = (
            f"{now}；序时进度应达到 {quantity_label(expected, uom)}"
            f"（{_change(due_rise, uom)}），{share_done}"
        ).rstrip("，")
    elif path:
        now = f"累计完成 {quantity_label(value, uom)}"
        if expected > 0:
            progress = (
                f"{now}，序时进度应完成 {amount(expected)}，完成序时进度的 {_pct(progress_ratio)}"
            )
        else:
            progress = (
                f"{now}；一次性目标，{line.deadline.year}年{line.deadline.month}月考核，尚未到期"
            )
    else:
        now = f"{metric.name} {quantity_label(value, uom)}"
        progress = f"{now}，目标{target_text}，尚未达到" + (
            f"（为目标的 {_pct(progress_ratio)}）" if progress_ratio is not None else ""
        )
    if metric.profile.shape == "monthly" and path and not passed:
        progress += (
            f"（序时进度按季节性进度曲线计算：{period.label}末应完成全年目标的 {_pct(share)}）"
        )

    if met and (passed or (path and metric.kind == "cumulative")):
        v.status = "completed"
        v.reasons.append(f"{now}，已达到目标 {target_text}")
    elif passed:
        v.status = "overdue"
        short = (
            f"（还差 {amount(metric.target - value)}）"
            if metric.kind == "cumulative" and higher
            else ""
        )
        v.reasons.append(
            f"完成期限 {day_label(line.deadline)} 已到，{now}，未达到目标 {target_text}{short}"
        )
    elif row.status == BLOCKED:
        v.status = "off_track"
        v.reasons += [progress if not met else f"{now}，目标 {target_text}", BLOCKED_REASON]
    elif met:
        v.status = "on_track"
        v.reasons.append(
            f"{now}，已达到目标 {target_text}，须保持到期限 {day_label(line.deadline)}"
        )
    else:
        v.status = th.classify(progress_ratio, points)
        v.reasons += [progress, *_gap_sentence(th, points)]
        _short_of_red(v, th, uom, shortfall, scale, count=count)
        if v.status != "on_track" and th.trivial(shortfall, scale, count=count):
            v.status = "on_track"
            v.reasons.append(f"{th.trivial_words(uom, count=count)}，按正常推进")
    if v.status in ("at_risk", "off_track"):
        v.reasons += _what_must_change(v, uom, left, metric.kind, metric.strive, whole)
    if (
        metric.comparator == "~"
        and not path
        and value > metric.target + abs(metric.target) * th.approx_tolerance + EPSILON
    ):
        upper = metric.target * (1 + th.approx_tolerance)
        v.warnings.append(
            f"{quantity_label(value, uom)} 高于目标 {quantity_label(metric.target, uom)}左右的上限 "
            f"{quantity_label(upper, uom)}，请核实"
        )
    return v


def _short_of_red(
    v: _Verdict,
    th: Thresholds,
    uom: str,
    shortfall: float | None,
    scale: float | None,
    *,
    count: bool,
) -> None:
    """A red over too small a shortfall (a month's gap early in the year) is lit yellow, and
    says so."""
    if th.trivial(shortfall, scale, count=count):
        return  # not behind at all: said so where that is decided
    if v.status == "off_track" and th.short_of_red(v.gap_points, shortfall, count=count):
        v.status = "at_risk"
        v.reasons.append(th.short_of_red_words(uom, count=count))


def _projection(
    metric: Metric, value: float, period: Period, passed: bool, path: bool
) -> float | None:
    """Where the current pace leads by the deadline (a rate or ceiling: the current value).

    Along the metric's seasonal curve when it has one, else a straight line; a one-off target
    cannot be extrapolated. A level extrapolates its rise over the baseline.
    """
    if passed or not path:
        return value
    if metric.profile.shape == "deadline":
        return None
    share = (
        metric_share(metric, period)
        if metric.profile.shape == "monthly"
        else linear_share(period, metric.deadline)
    )
    if share <= 0:
        return None
    base = metric.baseline if metric.kind == "level" and metric.baseline is not None else 0.0
    return base + (value - base) / share


def _gap_sentence(th: Thresholds, gap: float | None) -> list[str]:
    """Under the gap preset the status is read from this figure, so say it."""
    if th.mode != "gap" or gap is None:
        return []
    if figure_label(gap, 1) == "0":
        return ["与序时进度持平"]
    return [f"{'落后' if gap < 0 else '超前'}序时进度 {figure_label(abs(gap), 1)} 个百分点"]


# How a leader's sentences read for each kind of line: (projection verb, more, less).
_WORDS = {
    "cumulative": ("完成", "完成", "减少"),
    "level": ("达到", "提高", "降低"),
    "rate": ("达到", "提高", "降低"),
}


def _amount_words(uom: str, count: bool):
    """How an amount of the metric is said to a person: whole units for a count (约 3 个,
    不足 1 个: never 0.25 个), else the figure with its unit."""
    if count:
        return lambda x: whole_label(x, uom.strip())
    return lambda x: quantity_label(x, uom)


def _what_must_change(
    v: _Verdict, uom: str, left: float, kind: str, strive: bool, count: bool
) -> list[str]:
    """For a leader: where the pace leads and what the remaining months must bring (for a
    count the remaining total in whole units, and whole units a month when that is 1 or more)."""
    reach, more, less = _WORDS[kind]
    amount = _amount_words(uom, count)
    out = []
    if v.projection is not None and v.actual is not None and v.projection != v.actual:
        out.append(f"按目前进度，到期限预计{reach} {amount(v.projection)}")
    if v.required_monthly is not None:
        months = figure_label(left, 1)
        verb = more if v.required_monthly >= 0 else less
        monthly = abs(v.required_monthly)
        if count:
            total = monthly * left
            text = f"剩余 {months} 个月需{verb} {amount(total)}"
            if monthly >= 1:
                text += f"，平均每月 {amount(monthly)}"
            out.append(text)
        else:
            out.append(f"剩余 {months} 个月，每月需{verb} {amount(monthly)}")
    if strive:
        out.append("该目标为力争目标")
    return out


def _not_submitted(ctx: _Context, rejected: list[Submission]) -> list[str]:
    late = ctx.as_of >= ctx.due
    reasons = [
        f"未报送{ctx.period.label}进度填报表（报送截止时间 {deadline_label(ctx.due)}"
        + ("，已逾期）" if late else "，尚未到截止时间）")
    ]
    for s in sorted(rejected, key=lambda s: (s.received_at, s.file)):
        if s.status == "returned":
            back = [p.message for p in s.problems if p.code == "returned"]
            reasons.append(f"报送的 {s.file} {back[-1] if back else '已被督查室退回'}")
            continue
        why = "；".join(p.message for p in s.problems if p.severity == "error") or "无法使用"
        reasons.append(f"收到的 {s.file} 无法使用：{why}")
    return reasons


def _days_left(deadline: date, ctx: _Context) -> float:
    """Days from the audit's moment to the end of the deadline's day (24:00)."""
    return (end_of_day(deadline, ctx.tz) - ctx.as_of) / timedelta(days=1)


# ── small helpers ───────────────────────────────────────────────────────────────────────────


def _same_period(text: str | None, period: Period) -> bool:
    if not text:
        return False
    try:
        return Period.parse(text) == period
    except PeriodError:
        return False


def _sheet_of(submission: Submission) -> CellRef:
    """The submission's sheet, for a line that has no row in it."""
    sheets = (ref.sheet for r in submission.rows for ref in r.sources.values() if ref.sheet)
    return CellRef(submission.file, next(sheets, SHEET))


def _cell(row: ReportedRow, name: str, file: str) -> CellRef:
    return row.sources.get(name) or CellRef(file, SHEET)


def _numeric(dotted: str) -> tuple[int, ...]:
    return tuple(int(x) if x.isdigit() else 0 for x in dotted.split(".") if x)


def _pct(share: float | None) -> str:
    return percent_label(share, 1, missing="—", trimmed=True)


def _change(delta: float, uom: str) -> str:
    return f"{'提高' if delta >= 0 else '降低'} {quantity_label(abs(delta), uom)}"


def _target_text(metric: Metric) -> str:
    q = quantity_label(metric.target, metric.unit)
    if metric.comparator == "~":
        text = f"{q}左右"
    elif metric.comparator == ">=" and metric.kind != "rate":
        text = q
    else:
        text = f"{COMPARATOR_WORDS[metric.comparator]} {q}"
    return text + ("（力争）" if metric.strive else "")
