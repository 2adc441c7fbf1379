"""督办通报 (the exception report to the government office): what it says, built once and then
written as a workbook (exceptions.xlsx) and as a printable page (exceptions.html).

    概况      counts by status, and a matrix of status counts per 分管领导 and per 牵头单位
    一、逾期未完成    overdue findings, by leader and unit
    二、进度滞后      严重滞后 and 进度滞后, worst first
    三、未报送        units with no usable workbook, rows left out, late and unusable files
    四、数据异常      figures that could not be read or failed a check, with their cells
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from progress_audit.assessment.assess import BLOCKED
from progress_audit.assessment.escalation import (
    Escalation,
    escalation_list,
    escalation_sentence,
    escalations,
)
from progress_audit.assessment.tracks import NO_PLAN
from progress_audit.model.period import Period
from progress_audit.model.problems import CellRef, Problem
from progress_audit.model.records import (
    COUNTING_STATUSES,
    FINDING_STATUS_LABELS,
    Finding,
    Submission,
)
from progress_audit.model.wording import deadline_label, sentences_label
from progress_audit.reporting.history import FindingHistory
from progress_audit.reporting.reports.columns import FINDING_IDENTITY, PROGRESS_HEADERS
from progress_audit.reporting.reports.labels import (
    UNIT_PLACEHOLDER,
    dimension_label,
    file_cell_label,
    natural_key,
    received_label,
    short_label,
    task_key,
)
from progress_audit.reporting.reports.ordering import (
    BEHIND,
    COLLECTIVE_LEADER,
    NO_LEADER,
    LeaderOf,
    by_leader_and_unit,
    counted_leaders,
    leaders_of,
    own_leaders,
    units_of,
    worst_first,
)
from progress_audit.reporting.reports.problem_list import (
    current,
    lateness,
    merged_problems,
    ref_key,
    rejection_reasons,
    typed_at,
    typed_values,
)
from progress_audit.reporting.reports.tracks import TrackSections, track_sections

STATUSES: tuple[str, ...] = tuple(FINDING_STATUS_LABELS)
GOOD = ("on_track", "completed")
BEHIND_NOW = ("overdue", *BEHIND)
"""What counts as 滞后 month over month: 逾期未完成, 严重滞后, 进度滞后."""
_PROGRESS_RANK = {"completed": 0, "on_track": 0, "at_risk": 1, "off_track": 2, "overdue": 3}
# 三、未报送: each situation shown in the colour of the status it resembles.
SITUATION_STATUS = {
    "未报送": "missing",
    "文件无法使用": "invalid",
    "已退回": "missing",
    "漏报任务行": "missing",
    "未制定节点计划": "missing",
    "逾期报送": "at_risk",
}
FINDING_HEADERS = (
    *FINDING_IDENTITY,
    *PROGRESS_HEADERS,
    "完成期限",
    "节点/进展情况",
    "存在问题",
    "原因",
    "来源",
)
NO_PREVIOUS = "无上月数据"

# The opening names these statuses only when there are any.
_ALSO_NAMED = {"overdue": "逾期未完成", "missing": "未报送", "invalid": "数据异常待核实"}
ISSUER = "区政府办公室督查室"


@dataclass(frozen=True)
class MatrixRow:
    """One row of the summary matrix: a leader's or a unit's findings counted by status."""

    kind: str
    name: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def attention(self) -> int:
        """Findings that need a leader's attention (everything but 正常推进 and 已完成)."""
        return sum(n for s, n in self.counts.items() if s not in ("on_track", "completed"))


@dataclass(frozen=True)
class NotReported:
    """A unit that did not report, left rows out, reported late, or sent an unusable file."""

    unit: str
    situation: str
    lines: int
    task_ids: str
    leaders: str
    file: str = ""
    received: str = ""
    note: str = ""


@dataclass(frozen=True)
class DataProblem:
    """A figure or file the office could not accept, with where it is."""

    unit: str
    task_id: str
    metric_id: str
    name: str
    typed: str
    message: str
    dimension: str
    file: str
    where: str


@dataclass(frozen=True)
class Blocked:
    """A line whose unit reported 受阻 (需协调解决的问题): whose it is, and the unit's own words."""

    leader: str
    unit: str
    task_id: str
    metric_id: str
    name: str
    status_label: str
    words: str
    """The unit's 存在问题 as it wrote it (its 进展情况 when that is empty)."""
    where: str


@dataclass(frozen=True)
class Trend:
    """A finding month over month: its status last month (None: 无上月数据) and for how many
    months in a row, this one included, it has been behind (0 when it is not behind now)."""

    previous: str | None
    streak: int

    @property
    def previous_label(self) -> str:
        return FINDING_STATUS_LABELS.get(self.previous, self.previous) if self.previous else ""

    @property
    def streak_label(self) -> str:
        return f"连续{self.streak}个月" if self.streak >= 2 else ""


@dataclass(frozen=True)
class UnitRank:
    """One row of the unit ranking (单位排名): items behind, reporting, data problems."""

    rank: int
    unit: str
    leader: str
    tasks: int
    behind: int
    long_behind: int
    change: int | None
    """Items behind now minus last month (None: 无上月数据)."""
    reporting: str
    on_time_months: str
    problems: int


@dataclass(frozen=True)
class ExceptionReport:
    period: Period
    as_of: datetime
    total: int
    counts: dict[str, int]
    leaders: list[MatrixRow]
    units: list[MatrixRow]
    overdue: list[Finding]
    behind: list[Finding]
    not_reported: list[NotReported]
    data_problems: list[DataProblem]
    late: list[NotReported] = field(default_factory=list)
    """Workbooks received after the deadline and used (not 未报送: a note under 三)."""
    notes: list[DataProblem] = field(default_factory=list)
    """Data-quality notes no 数据异常 finding stands for: unusable files of a unit whose other
    workbook was used, files no unit could be told for, errors on a line that still counted."""
    leader_notes: tuple[str, ...] = ()
    previous: str = ""
    """Last month's label (2019年5月), or empty when its findings are not to be had."""
    trends: dict[tuple[str, str, str | None], Trend] = field(default_factory=dict)
    improved: int = 0
    slipped: int = 0
    ranking: list[UnitRank] = field(default_factory=list)
    next_due: datetime | None = None
    """整改时限: when the next month's workbook is due."""
    blocked: list[Blocked] = field(default_factory=list)
    """需协调解决的问题: the lines reported 受阻, by 分管领导 in table order."""
    leader_names: dict[tuple[str, str, str | None], str] = field(default_factory=dict)
    """Each finding's 分管领导 as the count tables count it (`counted_leaders`)."""

    def leader(self, f: Finding) -> str:
        """The 分管领导 every list names for `f`: the one the count tables count it under."""
        return self.leader_names.get(finding_key(f), "、".join(f.leaders))

    escalations: list[Escalation] = field(default_factory=list)
    """约谈名单: lines 严重滞后 `escalate_after` months running or more."""
    escalate_after: int = 2
    tracks: TrackSections = field(default_factory=lambda: track_sections(()))
    """节点任务和常态工作: nodes missed, extensions, plans, ongoing duties (named as counted)."""

    @property
    def time_share(self) -> float:
        return self.period.elapsed_share

    def trend(self, f: Finding) -> Trend:
        return self.trends.get(finding_key(f), Trend(None, 0))

    @property
    def long_behind_units(self) -> list[str]:
        """Units with an item behind two months or more in a row, in table order."""
        units = {u for (u, _, _), t in self.trends.items() if t.streak >= 2}
        return [m.name for m in self.units if m.name in units]


def report_title(report: ExceptionReport) -> str:
    """关于2019年6月全区重点任务推进情况的督办通报"""
    return f"关于{report.period.label}全区重点任务推进情况的督办通报"


def finding_key(f: Finding) -> tuple[str, str, str | None]:
    return (f.unit, f.task_id, f.metric_id)


def build_exception_report(
    period: Period,
    as_of: datetime,
    findings: Sequence[Finding],
    submissions: Sequence[Submission],
    problems: Sequence[Problem] = (),
    history: FindingHistory | None = None,
    *,
    next_due: datetime | None = None,
    escalate_after: int = 2,
) -> ExceptionReport:
    """What the month's 督办通报 says, from the findings, submissions and problems, and the
    earlier months of the year (`history`) to compare with; lines 严重滞后 `escalate_after`
    months running are named for 约谈."""
    counts = _count(findings)
    leader = counted_leaders(findings)
    by_leader, leader_notes = leader_rows(findings, leader)
    units = [
        MatrixRow("牵头单位", name, _count(f for f in findings if f.unit == name))
        for name in units_of(findings)
    ]
    overdue = [
        f
        for _, groups in by_leader_and_unit([f for f in findings if f.status == "overdue"], leader)
        for _, fs in groups
        for f in fs
    ]
    history = history or FindingHistory()
    last = history.month(period.prev()) if period.month > 1 else None
    trends = finding_trends(findings, period, history)
    improved = slipped = 0
    if last is not None:
        for f in findings:
            before = last.statuses.get(finding_key(f))
            if before in _PROGRESS_RANK and f.status in _PROGRESS_RANK:
                improved += _PROGRESS_RANK[f.status] < _PROGRESS_RANK[before]
                slipped += _PROGRESS_RANK[f.status] > _PROGRESS_RANK[before]
    missing_rows, late, notes_files = not_reported_parts(findings, submissions, as_of, leader)
    shown_files = {n.file for n in missing_rows if n.file}
    problems_rows, notes = data_problem_parts(findings, submissions, problems, shown_files)
    report = ExceptionReport(
        period=period,
        as_of=as_of,
        total=len(findings),
        counts=counts,
        leaders=by_leader,
        units=units,
        overdue=overdue,
        behind=worst_first(f for f in findings if f.status in BEHIND),
        not_reported=missing_rows,
        data_problems=problems_rows,
        late=late,
        notes=[*notes_files, *notes],
        leader_notes=leader_notes,
        previous=period.prev().label if last is not None else "",
        trends=trends,
        improved=improved,
        slipped=slipped,
        next_due=next_due,
        blocked=blocked_lines(findings, submissions, leader),
        leader_names={finding_key(f): leader(f) for f in findings},
        escalations=month_escalations(findings, period, history, escalate_after),
        escalate_after=escalate_after,
        tracks=track_sections(findings, leader),
    )
    ranking = unit_ranking(report, findings, submissions, history)
    return replace(report, ranking=ranking)


def month_escalations(
    findings: Sequence[Finding], period: Period, history: FindingHistory, after_months: int
) -> list[Escalation]:
    """约谈名单 from the earlier months' findings.json, each line under the leader the count
    tables name."""
    earlier = {m.period: m.statuses for m in history.months}
    return escalations(
        findings, period, earlier, after_months, counted_leaders(findings), short_label
    )


def _count(findings) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for f in findings:
        counts[f.status] = counts.get(f.status, 0) + 1
    return counts


def leader_rows(
    findings: Sequence[Finding], leader: LeaderOf | None = None
) -> tuple[list[MatrixRow], tuple[str, ...]]:
    """按分管领导: each finding counted once, under `counted_leaders`, so that the rows add up
    to 全区合计; and the notes that say how."""
    leader = leader or counted_leaders(findings)
    shared: set[str] = set()
    moved = kept = 0
    assigned: dict[str, list[Finding]] = {}
    for f in findings:
        named = [n for n in f.leaders if n != COLLECTIVE_LEADER]
        who = leader(f)
        if len(named) > 1:
            shared.add(f"{f.task_id}（{'、'.join(named)}）")
        elif not named and f.leaders:
            if who == COLLECTIVE_LEADER:
                kept += 1
            else:
                moved += 1
        assigned.setdefault(who, []).append(f)
    order = [*leaders_of(findings), COLLECTIVE_LEADER, NO_LEADER]
    rows = [
        MatrixRow("分管领导", name, _count(assigned[name]))
        for name in dict.fromkeys(order)
        if name in assigned
    ]
    notes: list[str] = []
    if shared:
        notes.append(
            f"任务{'、'.join(sorted(shared, key=natural_key))}由两位区领导共同分管，"
            "计入排名在前的领导一次；各行相加等于全区合计。"
        )
    if moved:
        notes.append(
            f"分管领导为“{COLLECTIVE_LEADER}”的 {moved} 项，按牵头单位在责任分解表其他任务中的"
            "分管领导计入，各清单同样列该领导。"
        )
    if kept:
        notes.append(
            f"“{COLLECTIVE_LEADER}”一行为牵头单位在责任分解表中没有其他分管领导的 {kept} 项。"
        )
    return rows, tuple(notes)


def finding_trends(
    findings: Sequence[Finding], period: Period, history: FindingHistory
) -> dict[tuple[str, str, str | None], Trend]:
    """Each finding's status last month and its months behind in a row (a month without data
    ends the run: it is not counted as behind)."""
    months = {m.period: m for m in history.months}
    out: dict[tuple[str, str, str | None], Trend] = {}
    for f in findings:
        key = finding_key(f)
        last = months.get(str(period.prev())) if period.month > 1 else None
        previous = last.statuses.get(key) if last else None
        streak = 0
        if f.status in BEHIND_NOW:
            streak, p = 1, period
            while p.month > 1:
                p = p.prev()
                m = months.get(str(p))
                if m is None or m.statuses.get(key) not in BEHIND_NOW:
                    break
                streak += 1
        out[key] = Trend(previous, streak)
    return out


def unit_ranking(
    report: ExceptionReport,
    findings: Sequence[Finding],
    submissions: Sequence[Submission],
    history: FindingHistory,
) -> list[UnitRank]:
    """单位排名: units with the most items behind first, then those behind longest, then the
    late or missing reports, then data problems; table order on a tie."""
    own = own_leaders(findings)
    counting = {s.unit: s.status for s in current(submissions) if s.status in COUNTING_STATUSES}
    last = history.month(report.period.prev()) if report.period.month > 1 else None
    past = {m.period: m for m in history.months}
    problems: dict[str, int] = {}
    for d in report.data_problems:
        problems[d.unit] = problems.get(d.unit, 0) + 1
    rows: list[tuple[tuple[object, ...], UnitRank]] = []
    for i, m in enumerate(report.units):
        fs = [f for f in findings if f.unit == m.name]
        behind = sum(1 for f in fs if f.status in BEHIND_NOW)
        long_behind = sum(1 for f in fs if report.trend(f).streak >= 2)
        change = None
        if last is not None:
            before = sum(
                1 for (u, _, _), s in last.statuses.items() if u == m.name and s in BEHIND_NOW
            )
            change = behind - before
        status = counting.get(m.name)
        reporting = {"on_time": "按时", "late": "逾期"}.get(status or "", "未报送")
        on_time = int(status == "on_time")
        known = 1
        for month in range(1, report.period.month):
            pm = past.get(str(Period(report.period.year, month)))
            if pm is not None:
                known += 1
                on_time += pm.submitted.get(m.name) == "on_time"
        item = UnitRank(
            0,
            m.name,
            own.get(m.name, ""),
            len(fs),
            behind,
            long_behind,
            change,
            reporting,
            f"{on_time}/{known}",
            problems.get(m.name, 0),
        )
        key = (-behind, -long_behind, status != "on_time", -item.problems, i)
        rows.append((key, item))
    ranked = [item for _, item in sorted(rows, key=lambda x: x[0])]
    return [replace(item, rank=n) for n, item in enumerate(ranked, start=1)]


def not_reported(
    findings: Sequence[Finding], submissions: Sequence[Submission], as_of: datetime
) -> list[NotReported]:
    """三、未报送 as one list: the units behind the 未报送 count, then the late workbooks used."""
    missing, late, _ = not_reported_parts(findings, submissions, as_of)
    return [*missing, *late]


def _usable_but_missing(unit: str, fs: list[Finding], leaders: str) -> list[NotReported]:
    """A unit whose workbook was used: lines left out of it (漏报任务行), and milestone tasks
    with no approved node plan (未制定节点计划), each its own row."""
    no_plan = [f for f in fs if f.reasons[:1] == (NO_PLAN,)]
    left_out = [f for f in fs if f not in no_plan]
    out = []
    for kind, group, note in (
        ("漏报任务行", left_out, "填报表中没有这些任务行，请补报"),
        (NO_PLAN, no_plan, "节点任务按审定的节点计划考核，请尽快报送节点计划"),
    ):
        if group:
            ids = "、".join(f.metric_id or f.task_id for f in sorted(group, key=task_key))
            out.append(NotReported(unit, kind, len(group), ids, leaders, note=note))
    return out


def not_reported_parts(
    findings: Sequence[Finding],
    submissions: Sequence[Submission],
    as_of: datetime,
    leader: LeaderOf | None = None,
) -> tuple[list[NotReported], list[NotReported], list[DataProblem]]:
    """三、未报送: the units whose lines are 未报送 (no usable workbook, a file that could not be
    used, a workbook sent back, rows left out), their lines adding up to the 未报送 count;
    the late workbooks that were used (a note, not 未报送); and the unusable files of a unit
    whose other workbook was used, or of no unit (data-quality notes for 四)."""
    leader = leader or counted_leaders(findings)
    subs = current(submissions)
    usable = {s.unit for s in subs if s.status in COUNTING_STATUSES}
    returned = {s.unit: s for s in submissions if s.status == "returned" and s.unit}
    rejected: dict[str, list[Submission]] = {}
    for s in subs:
        if s.status == "rejected":
            rejected.setdefault(s.unit or UNIT_PLACEHOLDER, []).append(s)
    missing: dict[str, list[Finding]] = {}
    for f in findings:
        if f.status == "missing":
            missing.setdefault(f.unit, []).append(f)
    order = {u: i for i, u in enumerate(units_of(findings))}

    def unit_key(name: str) -> tuple[int, str]:
        return (order.get(name, len(order)), name)

    out: list[NotReported] = []
    for unit in sorted(missing, key=unit_key):
        fs = missing[unit]
        ids = "、".join(f.metric_id or f.task_id for f in sorted(fs, key=task_key))
        leaders = "、".join(dict.fromkeys(leader(f) for f in sorted(fs, key=task_key)))
        if unit in usable:
            out += _usable_but_missing(unit, fs, leaders)
        elif unit in rejected:
            s = rejected[unit][-1]
            out.append(
                NotReported(
                    unit,
                    "文件无法使用",
                    len(fs),
                    ids,
                    leaders,
                    file_name(s.file),
                    received_label(s.received_at, as_of),
                    rejection_reasons(s) or "文件无法使用",
                )
            )
        elif unit in returned:
            s = returned[unit]
            # The office's reason, as the return recorded it (the findings say 未报送 first).
            back = [p.message for p in s.problems if p.code == "returned"]
            reason = f"填报表{back[-1]}，尚未重新报送" if back else ""
            out.append(
                NotReported(
                    unit,
                    "已退回",
                    len(fs),
                    ids,
                    leaders,
                    file_name(s.file),
                    received_label(s.received_at, as_of),
                    reason or "填报表已退回，待重新报送",
                )
            )
        else:
            out.append(
                NotReported(
                    unit, "未报送", len(fs), ids, leaders, note="截至统计时间未收到本月填报表"
                )
            )
    # Unusable files not shown above (a unit that also sent a usable one, or no unit): a
    # data-quality note, not 未报送.
    shown = {(n.unit, n.file) for n in out}
    notes: list[DataProblem] = []
    for unit in sorted(rejected, key=unit_key):
        for s in rejected[unit]:
            if (unit, file_name(s.file)) in shown:
                continue
            used = unit in usable
            reason = rejection_reasons(s) or "文件无法使用"
            notes.append(
                DataProblem(
                    unit=unit,
                    task_id="",
                    metric_id="",
                    name="",
                    typed="",
                    message=(f"{reason}（该单位另有报送的填报表已采用）" if used else reason),
                    dimension="文件无法使用",
                    file=file_name(s.file),
                    where=f"{received_label(s.received_at, as_of)}收到",
                )
            )
    late = [
        NotReported(
            s.unit or UNIT_PLACEHOLDER,
            "逾期报送",
            len(s.rows),
            "",
            "",
            file_name(s.file),
            received_label(s.received_at, as_of),
            lateness(s),
        )
        for s in sorted(
            (s for s in subs if s.status == "late"), key=lambda s: unit_key(s.unit or "")
        )
    ]
    return out, late, notes


def blocked_lines(
    findings: Sequence[Finding], submissions: Sequence[Submission], leader: LeaderOf
) -> list[Blocked]:
    """需协调解决的问题: every line of a workbook that counts this month whose 完成状态 is 受阻,
    under its 分管领导 (leaders in table order, then catalogue order), with the unit's words."""
    by_key = {finding_key(f): f for f in findings}
    order = {
        name: i
        for i, name in enumerate(dict.fromkeys(leader(f) for f in sorted(findings, key=task_key)))
    }
    out: list[tuple[tuple[object, ...], Blocked]] = []
    for s in current(submissions):
        if s.status not in COUNTING_STATUSES:
            continue
        for row in s.rows:
            if (row.status or "").strip() != BLOCKED:
                continue
            f = by_key.get((row.unit, row.task_id, row.metric_id))
            who = (
                leader(f)
                if f
                else "、".join(
                    dict.fromkeys(
                        leader(g)
                        for g in findings
                        if g.unit == row.unit and g.task_id == row.task_id
                    )
                )
                or NO_LEADER
            )
            ref = row.sources.get("issues") or row.sources.get("status")
            words = row.issues.strip() or row.progress.strip()
            item = Blocked(
                leader=who,
                unit=row.unit,
                task_id=row.task_id,
                metric_id=row.metric_id or "",
                name=short_label(f) if f else row.task_id,
                status_label=f.status_label if f else "",
                words=words or "（单位未说明原因）",
                where=file_cell_label(ref) if ref else file_name(s.file),
            )
            key = (
                order.get(who, len(order)),
                who,
                natural_key(row.task_id),
                natural_key(row.metric_id),
                row.unit,
            )
            out.append((key, item))
    return [item for _, item in sorted(out, key=lambda x: x[0])]


def file_name(path: str) -> str:
    """A received file as the office names it: its own name, without the inbox folders."""
    return re.split(r"[\\/]", path)[-1] if path else ""


def data_problem_parts(
    findings: Sequence[Finding],
    submissions: Sequence[Submission],
    problems: Sequence[Problem] = (),
    shown_files: set[str] | frozenset[str] = frozenset(),
) -> tuple[list[DataProblem], list[DataProblem]]:
    """四、数据异常: one row per `invalid` finding (as many as the 数据异常 count), with what the
    reader and the checks said of it; then the errors on no such finding (a note), except
    those of a file already shown under 三 and lateness (三 too)."""
    typed = typed_values(submissions)
    invalid = {finding_key(f): f for f in findings if f.status == "invalid"}
    order = {u: i for i, u in enumerate(units_of(findings))}

    def rank(unit: str | None, ref: CellRef | None) -> tuple[object, ...]:
        # Units in table order, a file no unit could be told for last; then cell by cell.
        return ((0, order.get(unit, len(order)), unit) if unit else (1, 0, ""), ref_key(ref))

    said: dict[tuple[str, str, str | None], list[Problem]] = {}
    notes: list[tuple[tuple[object, ...], DataProblem]] = []
    for p in merged_problems(problems, submissions):
        if p.severity != "error" or p.dimension == "timeliness":
            continue
        key = (p.unit or "", p.task_id or "", p.metric_id)
        if key in invalid:
            said.setdefault(key, []).append(p)
            continue
        if p.ref is not None and file_name(p.ref.file) in shown_files:
            continue
        if p.ref is not None and not p.task_id and not p.ref.sheet:
            # A whole file's problem: its submission's own note (三, or the notes) says it.
            continue
        notes.append(
            (
                (*rank(p.unit, p.ref), p.code, p.message),
                DataProblem(
                    unit=p.unit or UNIT_PLACEHOLDER,
                    task_id=p.task_id or "",
                    metric_id=p.metric_id or "",
                    name="",
                    typed=typed_at(typed, p.ref),
                    message=p.message,
                    dimension=dimension_label(p),
                    file=file_name(p.ref.file) if p.ref else "",
                    where=(p.ref.cell or p.ref.sheet or "") if p.ref else "",
                ),
            )
        )
    items: list[tuple[tuple[object, ...], DataProblem]] = []
    for key, f in invalid.items():
        own = sorted(said.get(key, []), key=lambda p: ref_key(p.ref))
        ref = own[0].ref if own and own[0].ref else f.source
        messages = list(dict.fromkeys(p.message for p in own)) or list(f.reasons) or ["数据异常"]
        items.append(
            (
                (*rank(f.unit, ref), "", ""),
                DataProblem(
                    unit=f.unit,
                    task_id=f.task_id,
                    metric_id=f.metric_id or "",
                    name=short_label(f),
                    typed=typed_at(typed, ref),
                    message=sentences_label(messages),
                    dimension=dimension_label(own[0]) if own else "有效性",
                    file=file_name(ref.file) if ref else "",
                    where=(ref.cell or ref.sheet or "") if ref else "",
                ),
            )
        )
    ordered = [item for _, item in sorted(items, key=lambda x: x[0])]
    return ordered, [item for _, item in sorted(notes, key=lambda x: x[0])]


def data_problems(
    findings: Sequence[Finding],
    submissions: Sequence[Submission],
    problems: Sequence[Problem] = (),
) -> list[DataProblem]:
    """四、数据异常: one row per `invalid` finding."""
    return data_problem_parts(findings, submissions, problems)[0]


def opening_paragraphs(report: ExceptionReport) -> list[str]:
    """What a clerk writes above the tables: where the year stands, who is behind month after
    month, what the units must do and by when. Plain text, the same in every format."""
    return [*situation_paragraphs(report), *demand_paragraphs(report)]


def coordination_paragraphs(report: ExceptionReport) -> list[str]:
    """需协调解决的问题: the lines whose units reported 受阻, under each 分管领导, each with the
    unit's own words (quoted as written)."""
    if not report.blocked:
        return ["本月没有牵头单位报告任务受阻。"]
    groups: dict[str, list[Blocked]] = {}
    for b in report.blocked:
        groups.setdefault(b.leader, []).append(b)
    out = [
        f"本月{len({b.unit for b in report.blocked})}个单位报告{len(report.blocked)}项任务受阻，"
        "需分管领导协调解决："
    ]
    for i, (leader, items) in enumerate(groups.items(), start=1):
        out.append(f"（{chinese_ordinal(i)}）{leader}分管（{len(items)}项）")
        for n, b in enumerate(items, start=1):
            ids = b.metric_id or b.task_id
            out.append(f"{n}．{b.unit}　{ids} {b.name}：“{b.words}”")
    return out


@dataclass(frozen=True)
class BodyPart:
    """One part of the 通报's body (正文): a heading and its paragraphs; `table` names a table
    the formats that can show one put after the paragraphs ("leaders": 按分管领导汇总)."""

    number: int
    title: str
    paragraphs: tuple[str, ...]
    table: str = ""

    @property
    def heading(self) -> str:
        """二、需协调解决的问题"""
        return f"{chinese_ordinal(self.number)}、{self.title}"


BODY_PARTS: tuple[tuple[str, Callable[[ExceptionReport], list[str]], str], ...] = (
    ("总体情况", lambda r: situation_paragraphs(r), "leaders"),
    ("节点任务和常态工作", lambda r: r.tracks.paragraphs(), ""),
    ("需协调解决的问题", lambda r: coordination_paragraphs(r), ""),
    ("督办要求", lambda r: [p.removeprefix("督办要求：") for p in demand_paragraphs(r)], ""),
)
"""The body, part by part, in order: a new part is one entry (heading, paragraphs, table)."""


def body_parts(report: ExceptionReport) -> list[BodyPart]:
    """The 通报's body as every format writes it: 一、总体情况 二、节点任务和常态工作
    三、需协调解决的问题 四、督办要求."""
    return [
        BodyPart(i, heading, tuple(write(report)), table)
        for i, (heading, write, table) in enumerate(BODY_PARTS, start=1)
    ]


def chinese_ordinal(n: int) -> str:
    """1 → 一, 12 → 十二 (the numbering of a document's parts, up to 99)."""
    digits = "〇一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return f"{digits[tens] if tens > 1 else ''}十{digits[ones] if ones else ''}"


def situation_paragraphs(report: ExceptionReport) -> list[str]:
    """总体情况: where the year stands and who is behind month after month."""
    c = report.counts
    month = f"{report.period.month}月底"
    behind = c.get("off_track", 0) + c.get("at_risk", 0)
    # The three a leader reads first always; the others only when there are any.
    parts = [
        f"已完成{c.get('completed', 0)}项",
        f"正常推进{c.get('on_track', 0)}项",
        f"进度滞后{behind}项"
        + (f"（其中严重滞后{c['off_track']}项）" if c.get("off_track") else ""),
    ]
    for key, label in _ALSO_NAMED.items():
        if c.get(key):
            parts.append(f"{label}{c[key]}项")
    first = f"截至{month}，全区{report.total}项任务中，{'、'.join(parts)}。"
    units_missing = [n.unit for n in report.not_reported]
    if units_missing:
        first += f"{len(units_missing)}个单位有任务未报送（{'、'.join(units_missing)}）"
        first += "；" if report.late else "。"
    if report.late:
        first += f"{len(report.late)}个单位逾期报送（{'、'.join(n.unit for n in report.late)}）。"
    if report.previous:
        first += f"与{report.previous}相比，{report.improved}项好转、{report.slipped}项退步。"
    else:
        first += f"{NO_PREVIOUS}，本月不作逐月比较。"
    paragraphs = [first]
    long_units = report.long_behind_units
    if long_units:
        per_unit: dict[str, int] = {}
        for (unit, _, _), t in report.trends.items():
            if t.streak >= 2:
                per_unit[unit] = per_unit.get(unit, 0) + 1
        n = sum(per_unit.values())
        most = sorted(long_units, key=lambda u: -per_unit[u])
        named = "、".join(f"{u}{per_unit[u]}项" for u in most)
        paragraphs.append(
            f"连续两个月及以上进度滞后或逾期的任务{n}项，涉及{len(long_units)}个单位：{named}。"
        )
    elif report.previous:
        paragraphs.append("没有连续两个月及以上进度滞后的任务。")
    return paragraphs


def demand_paragraphs(report: ExceptionReport) -> list[str]:
    """督办要求 and 整改时限: what the units must do and by when."""
    paragraphs: list[str] = []
    asks = [
        "逾期未完成和进度滞后的任务，牵头单位须对照序时进度查找原因、明确整改措施和完成时间，"
        "分管领导督促推进"
    ]
    if report.not_reported:
        asks.append("未报送的单位须补报本月进度（附件3）")
    if report.data_problems:
        asks.append("数据异常的单位须核实更正附件4所列单元格")
    if report.late:
        asks.append("逾期报送的单位须按时报送")
    if report.escalations:
        asks.append(escalation_sentence(report.escalations, report.escalate_after))
    paragraphs.append("督办要求：" + "；".join(asks) + "。")
    if report.escalations:
        paragraphs.append(escalation_list(report.escalations))
    if report.next_due:
        paragraphs.append(
            f"整改时限：{deadline_label(report.next_due)}前，整改情况随下月进度填报表一并报送"
            f"{ISSUER}。"
        )
    return paragraphs
