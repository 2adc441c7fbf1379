"""单位反馈 (feedback/<unit>.xlsx): for each unit that submitted, what the office could not read
or accept, cell by cell and what to do, the status of each of its task lines, and how its
workbooks were received. A unit with nothing wrong gets a file that says so."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from progress_audit.assessment.assess import HOLD_CODES, HOLD_NOTE
from progress_audit.files.xlsx_style import Column, Row, list_sheet, new_workbook, save_workbook
from progress_audit.model.codes import advice
from progress_audit.model.period import Period
from progress_audit.model.problems import CellRef, Problem
from progress_audit.model.records import (
    FINDING_STATUS_LABELS,
    SUBMISSION_STATUS_LABELS,
    Finding,
    Submission,
)
from progress_audit.model.wording import SEVERITY_LABELS, as_of_label
from progress_audit.reporting.reports.columns import finding_columns, finding_rows
from progress_audit.reporting.reports.labels import (
    heading_label,
    received_label,
    short_label,
    task_key,
)
from progress_audit.reporting.reports.ordering import units_of
from progress_audit.reporting.reports.problem_list import (
    current,
    lateness,
    merged_problems,
    rejection_reasons,
    sorted_by_position,
    typed_at,
    typed_values,
)
from progress_audit.reporting.reports.tracks import track_sections, unit_lines
from progress_audit.reporting.reports.unchanged import Job

TypedValues = dict[tuple[str, str | None, str | None], str]

PROBLEM_COLUMNS = (
    Column("序号", "count", 6, 5),
    Column("严重程度", "status", 10, 8),
    Column("文件", "text", 28, 10),
    Column("工作表", "text", 12, 8),
    Column("单元格", "text", 8, 7),
    Column("填写内容", "text", 24, 10),
    Column("问题", "text", 48, 16),
    Column("处理建议", "text", 26, 12),
    Column("任务编号", "text", 9, 7),
    Column("指标编号", "text", 10, 7),
)
FINDING_HEADERS = (
    "状态",
    "任务编号",
    "指标编号",
    "指标/工作标准",
    "目标值",
    "本年累计完成",
    "计量单位",
    "序时进度",
    "完成序时进度比例",
    "每月需完成",
    "完成期限",
    "原因",
)
SUBMISSION_COLUMNS = (
    Column("文件", "text", 36, 12),
    Column("收到时间", "text", 18, 12),
    Column("报送状态", "status", 14, 10),
    Column("说明", "text", 60, 16),
)
TRACK_COLUMNS = (
    Column("类别", "text", 16, 10),
    Column("任务编号", "text", 9, 7),
    Column("节点序号", "count", 8, 6),
    Column("节点内容", "text", 36, 12),
    Column("计划完成月份", "text", 14, 10),
    Column("考核月份", "text", 14, 10),
    Column("逾期月数", "count", 8, 6),
    Column("说明", "text", 48, 16),
)
SEVERITY_STATUS = {"error": "invalid", "warning": "at_risk"}
SUBMISSION_STATUS = {
    "on_time": "on_track",
    "late": "at_risk",
    "rejected": "invalid",
    "superseded": "missing",
    "returned": "missing",
    "withdrawn": "missing",
}
HOLD_ADVICE = HOLD_NOTE.split("：", 1)[-1]
"""What a unit does about a figure held 数据异常（待核实）: the assessment's own words."""
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


def feedback_file_name(unit: str) -> str:
    """`人社局.xlsx`; a unit name can never leave the feedback folder or break a file system."""
    name = _UNSAFE.sub("_", unicodedata.normalize("NFC", unit)).strip().lstrip(".")
    return f"{name[:80] or '未命名单位'}.xlsx"


def feedback_jobs(
    out_dir: Path,
    period: Period,
    as_of: datetime,
    findings: Sequence[Finding],
    submissions: Sequence[Submission],
    problems: Sequence[Problem] = (),
) -> list[Job]:
    """One workbook per unit with a current (not superseded) submission, rejected ones too: a
    job each, to be written with the month's other reports (each depends on its own inputs)."""
    subs = current(submissions)
    submitted = {s.unit for s in subs if s.unit}
    order = units_of(findings)
    units = [u for u in order if u in submitted] + sorted(submitted - set(order))
    merged = merged_problems(problems, submissions)
    typed = typed_values(submissions)
    jobs: list[Job] = []
    used: set[str] = set()
    for unit in units:
        name = feedback_file_name(unit)
        while name in used:  # two names that clean to the same file name: keep both
            name = name.removesuffix(".xlsx") + "_.xlsx"
        used.add(name)
        files = {s.file for s in subs if s.unit == unit}
        own = [
            p
            for p in merged
            if p.unit == unit or (p.unit is None and p.ref and p.ref.file in files)
        ]
        # Only the typed values of the files its problems point at: the unit's own inputs.
        cited = {p.ref.file for p in own if p.ref}
        inputs = (
            unit,
            period,
            as_of,
            [f for f in findings if f.unit == unit],
            [s for s in submissions if s.unit == unit],
            own,
            {k: v for k, v in typed.items() if k[0] in cited},
        )
        jobs.append((_write_unit, out_dir / name, inputs))
    return jobs


def _write_unit(
    target: Path,
    unit: str,
    period: Period,
    as_of: datetime,
    findings: list[Finding],
    submissions: list[Submission],
    problems: list[Problem],
    typed: TypedValues,
) -> Path:
    title = f"{unit}{period.label}进度填报反馈"
    when = as_of_label(as_of)
    latest = [s for s in submissions if s.status != "superseded"]
    received = "；".join(
        f"报送文件：{s.file}（{SUBMISSION_STATUS_LABELS[s.status]}，收到时间 "
        f"{received_label(s.received_at, as_of)}）"
        for s in sorted(latest, key=lambda s: s.received_at)
    )
    wb = new_workbook()
    held = {(f.task_id, f.metric_id) for f in findings if f.status == "invalid"}
    errors = sum(p.severity == "error" for p in problems)
    list_sheet(
        wb,
        "问题清单",
        title,
        f"统计截至：{when}　{received}　共 {len(problems)} 处问题：须更正 {errors} 处、"
        f"请核实 {len(problems) - errors} 处",
        PROBLEM_COLUMNS,
        (
            _problem_row(i, p, typed, held)
            for i, p in enumerate(sorted_by_position(problems), start=1)
        ),
        f"{period.label}填报表未发现需要更正或核实的问题。",
    )
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.status_label] = counts.get(f.status_label, 0) + 1
    summary = "，".join(f"{label} {n} 项" for label, n in counts.items())
    list_sheet(
        wb,
        "任务状态",
        f"{title}　任务状态",
        f"{heading_label(period, as_of)}　共 {len(findings)} 项"
        + (f"：{summary}" if summary else ""),
        finding_columns(FINDING_HEADERS),
        finding_rows(FINDING_HEADERS, sorted(findings, key=task_key)),
        "本月没有评估结果（报送的文件无法使用，或未找到本单位的任务行）。",
    )
    heads = [line for line in unit_lines(findings, unit) if not line.startswith(" ")]
    list_sheet(
        wb,
        "节点与常态工作",
        f"{title}　节点任务和常态工作",
        f"{heading_label(period, as_of)}　"
        + ("；".join(h.rstrip("：") for h in heads) or "没有逾期节点，常态工作均已如实报送"),
        TRACK_COLUMNS,
        track_rows(findings),
        "本单位没有节点任务和常态工作。",
    )
    list_sheet(
        wb,
        "报送记录",
        f"{title}　报送记录",
        f"统计截至：{when}　本月收到 {len(submissions)} 份",
        SUBMISSION_COLUMNS,
        (
            (
                [
                    s.file,
                    received_label(s.received_at, as_of),
                    SUBMISSION_STATUS_LABELS[s.status],
                    _submission_note(s),
                ],
                SUBMISSION_STATUS[s.status],
            )
            for s in sorted(submissions, key=lambda s: (s.received_at, s.file))
        ),
        "本月未收到本单位的填报表。",
    )
    return save_workbook(wb, target, as_of, title)


def track_rows(findings: Sequence[Finding]) -> list[Row]:
    """A unit's own 节点任务 and 常态工作: its nodes missed (how long late), its extensions
    (original month beside the new one), where its node plan stands, and its ongoing duties
    with no 进展情况 or last month's copied."""
    sections = track_sections(findings)
    rows: list[Row] = []
    for m in sections.missed:
        moved = f"原计划{Period.parse(m.planned).label}，已延期；" if m.planned != m.due else ""
        rows.append(
            (
                [
                    "节点逾期",
                    m.task_id,
                    m.node,
                    m.content,
                    _month(m.planned),
                    _month(m.due),
                    m.months_late,
                    f"{moved}请尽快完成并在下月节点进展中报告",
                ],
                "off_track" if m.months_late >= 2 else "at_risk",
            )
        )
    for m in sections.extended:
        rows.append(
            (
                [
                    "节点延期（已批准）",
                    m.task_id,
                    m.node,
                    m.content,
                    _month(m.planned),
                    _month(m.due),
                    None,
                    f"按{Period.parse(m.due).label}考核",
                ],
                None,
            )
        )
    milestones = [f for f in findings if f.track == "milestones"]
    without = {task for _, ids in sections.without_plan for task in ids}
    for f in sorted(milestones, key=task_key):
        if f.task_id in without:
            rows.append(
                (
                    [
                        "节点计划",
                        f.task_id,
                        None,
                        short_label(f),
                        None,
                        None,
                        None,
                        f"{f.status_label}：尚无审定的节点计划，请尽快报送",
                    ],
                    f.status,
                )
            )
    if milestones and not without:
        rows.append((["节点计划", "", None, "节点计划已审定", None, None, None, ""], "on_track"))
    for f in sections.ongoing_unreported:
        rows.append(
            (
                [
                    "常态工作未报进展",
                    f.task_id,
                    None,
                    short_label(f),
                    None,
                    None,
                    None,
                    "本月没有报送进展情况，请补报",
                ],
                "missing",
            )
        )
    for f in sections.ongoing_copied:
        rows.append(
            (
                [
                    "常态工作照抄上月",
                    f.task_id,
                    None,
                    short_label(f),
                    None,
                    None,
                    None,
                    "进展情况与上月相同，请如实填写本月做了什么",
                ],
                "at_risk",
            )
        )
    return rows


def _month(month: str) -> str:
    return Period.parse(month).label


def _problem_row(
    i: int, p: Problem, typed: TypedValues, held: set[tuple[str, str | None]] | None = None
) -> Row:
    """One problem; a warning that holds its figure as 数据异常 (待核实) says so in the words of
    the status sheet, never 提示 (可不修改)."""
    ref = p.ref or CellRef("")
    if p.code in HOLD_CODES and (p.task_id, p.metric_id) in (held or set()):
        severity, what_to_do, colour = FINDING_STATUS_LABELS["invalid"], HOLD_ADVICE, "invalid"
    else:
        severity = SEVERITY_LABELS.get(p.severity, p.severity)
        what_to_do, colour = advice(p), SEVERITY_STATUS.get(p.severity)
    values = [
        i,
        severity,
        ref.file,
        ref.sheet or "",
        ref.cell or "",
        typed_at(typed, p.ref),
        p.message,
        what_to_do,
        p.task_id or "",
        p.metric_id or "",
    ]
    return values, colour


def _submission_note(s: Submission) -> str:
    if s.status == "superseded":
        return "已收到更新的版本，本文件不再使用"
    if s.status in ("returned", "withdrawn"):
        return "；".join(p.message for p in s.problems if p.code == s.status)
    if s.status == "rejected":
        return f"文件无法使用：{rejection_reasons(s) or '原因见问题清单'}。请更正后重新报送"
    if s.status == "late":
        return lateness(s)
    return "按时收到"
