"""A month of submissions built by hand for the data-quality tests (no workbooks needed).

`clean_month` gives every lead unit a plausible June (and May) with figures on 序时进度;
`dirty_month` plants one case of each rule in a different unit, and says where (`PLANTED`), with
the reader's own problems on the cells the reader would have flagged (an unreadable figure, an
edited target), so the tests can check that each problem is reported once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from progress_audit.model.period import OFFICE_CALENDAR, Period
from progress_audit.model.problems import CellRef, Problem
from progress_audit.model.records import ReportedRow, Submission
from progress_audit.standards.catalogue import Catalogue
from progress_audit.standards.responsibility import TaskLine

TZ = ZoneInfo("Asia/Shanghai")
JUNE = Period(2019, 6)
AS_OF = datetime(2019, 7, 8, 12, 0, tzinfo=TZ)
SHEET = "进度填报"
COLUMNS = {
    "task_id": "A",
    "metric_id": "B",
    "target_reported": "D",
    "value": "F",
    "status": "G",
    "percent": "H",
    "expected_completion": "I",
}
FIRST_ROW = 5


def on_track(line: TaskLine, period: Period) -> float | None:
    """A figure exactly on 序时进度 along the metric's profile (None for a task)."""
    m = line.metric
    if m is None:
        return None
    share = period.month / 12
    if m.profile.shape == "monthly" and m.profile.shares:
        share = m.profile.shares[period.month - 1]
    elif m.profile.shape == "deadline":
        share = 0.0
    if m.kind == "cumulative":
        return round(m.target * share, 4)
    if m.kind == "level":
        base = m.baseline or 0.0
        return round(base + (m.target - base) * share, 4)
    return m.target


def file_name(unit: str, period: Period) -> str:
    return f"{period}/{unit}-{period}.xlsx"


def row(unit: str, period: Period, line: TaskLine, n: int, **changes: object) -> ReportedRow:
    """The row a careful unit would report: on track, 推进中, due at the year's end."""
    file = file_name(unit, period)
    value = on_track(line, period)
    base = ReportedRow(
        unit=unit,
        period=str(period),
        task_id=line.task_id,
        metric_id=line.metric_id,
        row=n,
        value=value,
        value_text="" if value is None else f"{value:g}",
        target_reported=line.target,
        status="推进中",
        percent=None if line.metric_id else 50.0,
        expected_completion=date(period.year, 12, 31),
        progress="按计划推进",
        sources={f: CellRef(file, SHEET, f"{col}{n}") for f, col in COLUMNS.items()},
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def submission(
    unit: str,
    period: Period,
    lines: tuple[TaskLine, ...],
    *,
    status: str = "on_time",
    received: datetime | None = None,
    changes: Mapping[str, Mapping[str, object]] | None = None,
) -> Submission:
    """A unit's workbook; `changes` maps a line (metric or task id) to field overrides."""
    changes = changes or {}
    rows = []
    for i, line in enumerate(lines):
        key = line.metric_id or line.task_id
        rows.append(row(unit, period, line, FIRST_ROW + i, **dict(changes.get(key, {}))))
    due = period.due("Asia/Shanghai", 5)
    received = received or due.replace(day=3, hour=10)
    return Submission(
        file=file_name(unit, period),
        sha256=f"{abs(hash((unit, str(period)))):064d}"[:64],
        received_at=received,
        status=status,  # type: ignore[arg-type]
        unit=unit,
        period=str(period),
        rows=tuple(rows),
    )


def clean_month(
    assignments: Mapping[str, tuple[TaskLine, ...]], period: Period = JUNE
) -> list[Submission]:
    return [submission(u, period, lines) for u, lines in assignments.items()]


def first_task(lines: tuple[TaskLine, ...]) -> TaskLine:
    return next(t for t in lines if t.metric_id is None)


def line_of(lines: tuple[TaskLine, ...], key: str) -> TaskLine:
    return next(t for t in lines if (t.metric_id or t.task_id) == key)


# Where each rule's case is planted: rule code → (unit, line). Tasks without a metric are named
# by "task:" and resolved to the unit's first such task.
PLANTED: dict[str, tuple[str, str]] = {
    "ytd_decreased": ("科技局", "6.1.1"),
    "implausible_jump": ("住建局", "11.5.1"),
    "target_edited": ("自然资源局", "3.2.1"),
    "negative_value": ("地方金融监督管理局", "4.3.1"),
    "completed_below_target": ("商务局", "1.1.3"),
    "share_out_of_range": ("工信局", "2.2.1"),
    "unreadable_value": ("教育局", "16.4.1"),
    "value_missing": ("农业农村局", "15.4.1"),
    "unreadable_percent": ("发改局", "task:"),
    "percent_status_conflict": ("老城办", "task:"),
    "unreadable_status": ("开发区", "task:"),
    "status_missing": ("财政局", "task:"),
    "implausible_date": ("供电公司", "task:"),
    "duplicate_row": ("行政审批局", "task:"),
    "unknown_id": ("华科园", "99.9.1"),
    "not_this_unit": ("金科园", "2.1"),
    "row_missing": ("人才办", "task:"),
    "columns_missing": ("交通局", ""),
    "late": ("水利局", ""),
    "not_submitted": ("城管局", ""),
}
# The reader's own problems in the dirty month (same code and cell as the rule's).
READER_GIVES = ("unreadable_value", "target_edited")


def planted_line(assignments: Mapping[str, tuple[TaskLine, ...]], code: str) -> tuple[str, str]:
    """(unit, line id) of a planted case, with "task:" resolved."""
    unit, key = PLANTED[code]
    if key == "task:":
        key = first_task(assignments[unit]).task_id
    return unit, key


def dirty_month(
    assignments: Mapping[str, tuple[TaskLine, ...]],
) -> tuple[list[Submission], list[Submission]]:
    """June and May with one case of every rule planted (see PLANTED)."""
    current = {u: submission(u, JUNE, lines) for u, lines in assignments.items()}
    previous = {u: submission(u, JUNE.prev(), lines) for u, lines in assignments.items()}

    def change(code: str, month: dict[str, Submission] | None = None, **fields: object) -> None:
        month = current if month is None else month
        unit, key = planted_line(assignments, code)
        sub = month[unit]
        rows = tuple(
            replace(r, **fields) if (r.metric_id or r.task_id) == key else r  # type: ignore[arg-type]
            for r in sub.rows
        )
        month[unit] = replace(sub, rows=rows)

    def line(code: str) -> TaskLine:
        unit, key = planted_line(assignments, code)
        return line_of(assignments[unit], key)

    def cell(code: str, field: str) -> CellRef:
        unit, key = planted_line(assignments, code)
        r = next(r for r in current[unit].rows if (r.metric_id or r.task_id) == key)
        return r.sources[field]

    t = line("ytd_decreased")
    change("ytd_decreased", value=t.target * 2.5 / 12, value_text="2.5")
    t = line("implausible_jump")
    change("implausible_jump", value=t.target * 10 / 12, value_text="jump")
    t = line("target_edited")
    change("target_edited", target_reported=t.target * 2)
    ref = cell("target_edited", "target_reported")
    change(
        "target_edited",
        problems=(
            Problem(
                "target_edited",
                f"目标值被修改（{ref.where}），请恢复预填的目标值",
                "warning",
                ref,
                "自然资源局",
                "3.2",
                "3.2.1",
                "consistency",
            ),
        ),
    )
    change("negative_value", value=-5.0, value_text="-5")
    change("negative_value", previous, value=-5.0, value_text="-5")
    change("completed_below_target", status="已完成")
    change("share_out_of_range", value=120.0, value_text="120%")
    change("share_out_of_range", previous, value=120.0, value_text="120%")
    ref = cell("unreadable_value", "value")
    change(
        "unreadable_value",
        value=None,
        value_text="见附件",
        problems=(
            Problem(
                "unreadable_value",
                f"无法识别（{ref.where}），请填写数字",
                "error",
                ref,
                "教育局",
                "16.4",
                "16.4.1",
                "validity",
            ),
        ),
    )
    change("value_missing", value=None, value_text="")
    change("unreadable_percent", percent=150.0, status="已完成")
    change("percent_status_conflict", percent=100.0, status="推进中")
    change("unreadable_status", status="差不多")
    change("status_missing", status=None)
    change("implausible_date", expected_completion=date(2021, 5, 1))

    unit, key = planted_line(assignments, "duplicate_row")
    sub = current[unit]
    dup = next(r for r in sub.rows if r.task_id == key)
    n = max(r.row for r in sub.rows) + 1
    current[unit] = replace(sub, rows=(*sub.rows, row(unit, JUNE, line("duplicate_row"), n)))
    assert dup.row != n

    unit, _ = PLANTED["unknown_id"]
    sub = current[unit]
    other = assignments["商务局"][0]
    stray = replace(
        row(unit, JUNE, other, max(r.row for r in sub.rows) + 1), task_id="99.9", metric_id="99.9.1"
    )
    current[unit] = replace(sub, rows=(*sub.rows, stray))

    unit, key = PLANTED["not_this_unit"]
    assert all(t.task_id != key for t in assignments[unit])
    foreign = line_of(assignments["发改局"], key)
    sub = current[unit]
    current[unit] = replace(
        sub, rows=(*sub.rows, row(unit, JUNE, foreign, max(r.row for r in sub.rows) + 1))
    )

    unit, key = planted_line(assignments, "row_missing")
    sub = current[unit]
    current[unit] = replace(sub, rows=tuple(r for r in sub.rows if r.task_id != key))

    unit, _ = PLANTED["columns_missing"]
    sub = current[unit]
    current[unit] = replace(
        sub,
        rows=tuple(
            replace(r, sources={k: v for k, v in r.sources.items() if k != "status"})
            for r in sub.rows
        ),
    )

    unit, _ = PLANTED["late"]
    current[unit] = replace(
        current[unit], status="late", received_at=datetime(2019, 7, 8, 9, 30, tzinfo=TZ)
    )
    del current[PLANTED["not_submitted"][0]]
    return list(current.values()), list(previous.values())


HOSTILE = '<script>alert("x")</script>'


def two_months(
    catalogue: Catalogue, assignments: Mapping[str, tuple[TaskLine, ...]], reports: Path
) -> tuple[Path, object, list[Submission], Path, Path]:
    """May (clean, 商务局 late) and the dirty June written as the flow writes them, with 商务局
    typing markup into a figure cell: (reports, June's report, June's submissions, quality.html,
    dashboard.html)."""
    from progress_audit.quality.month import check_month
    from progress_audit.reporting.dashboards import write_dashboard, write_quality_page

    may = Period(2019, 5)
    may_as_of = datetime(2019, 6, 8, tzinfo=TZ)
    may_subs = [
        replace(s, status="late") if s.unit == "商务局" else s
        for s in clean_month(assignments, may)
    ]
    may_report = check_month(
        may, may_as_of, catalogue, assignments, may_subs, due=OFFICE_CALENDAR.due(may)
    )
    _findings(reports, may, may_subs, {"on_track": 200, "at_risk": 33})
    write_quality_page(reports / str(may), may_report, may_subs, may_as_of)
    current, previous = dirty_month(assignments)
    current = [_hostile(s) for s in current]
    report = check_month(
        JUNE, AS_OF, catalogue, assignments, current, previous, due=OFFICE_CALENDAR.due(JUNE)
    )
    _findings(reports, JUNE, current, {"on_track": 150, "overdue": 3, "invalid": 12})
    page = write_quality_page(reports / str(JUNE), report, current, AS_OF)
    return reports, report, current, page, write_dashboard(reports)


def _hostile(s: Submission) -> Submission:
    if s.unit != "商务局":
        return s
    rows = tuple(
        replace(r, value=None, value_text=HOSTILE) if r.metric_id == "1.1.1" else r for r in s.rows
    )
    return replace(s, rows=rows)


def _findings(reports: Path, period: Period, subs: list[Submission], summary: dict) -> None:
    """A findings.json with the contract's keys (the assessment's own is tested elsewhere)."""
    folder = reports / str(period)
    folder.mkdir(parents=True, exist_ok=True)
    doc = {
        "period": str(period),
        "as_of": AS_OF.isoformat(),
        "summary": summary,
        "findings": [],
        "submissions": [s.to_json() for s in subs],
    }
    (folder / "findings.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
