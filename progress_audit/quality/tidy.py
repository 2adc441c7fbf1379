"""The month's reported rows as one table (月度填报明细表): what the quality suites check.

One row per task line a unit reported, plus one row (`reported` False) for every task line a
unit that submitted was expected to report and did not, so that "expected rows present" is a
row-level expectation like the others. Units with no counting submission have no rows here:
the quality stage reports them as not submitted.

Columns (text columns have pandas' `str` dtype, missing values are NA):

| column | meaning |
|---|---|
| unit, period | the reporting unit and month (`2019-06`) |
| task_id, metric_id | `16.1`, `16.1.1` (metric_id NA for a task without a metric) |
| line | metric_id, or task_id for a task without a metric (what a clerk calls the row) |
| line_key | `task_id/metric_id` (`16.1/-` without a metric): the catalogue's key of the row |
| unit_line | `unit|line_key`: the key of an assignment (责任分工) |
| name, uom | the metric's name or the standard's text (shortened); its unit of measure |
| kind, comparator, profile | the catalogue metric's kind, comparator and profile shape |
| is_share | the metric is a share in % (占比), so 0–100 |
| value, value_text | 本年累计完成 in the catalogue's unit; the text as typed (NA when blank) |
| target_reported, target | 目标值 as the unit's sheet shows it; the catalogue's target |
| status, percent, expected_completion | 完成状态, 形象进度 (0–100), 预计完成时间 |
| previous_value | last month's 本年累计完成 of the same unit and line (0 in January for a |
|  | cumulative metric, the baseline for a level metric; NA when unknown) |
| file, sheet, row | where the row is: the file relative to the inbox, the sheet, the row number |
| submission_status | on_time or late |
| <field>_cell | the cell of each field (`F7`): task_id, metric_id, target_reported, value, |
|  | status, percent, expected_completion; NA when the reader did not see one |

Helper columns, for rules Great Expectations has no built-in expectation for (each suite
expects them with a plain expectation and says so):

| column | meaning |
|---|---|
| reported | the unit's sheet has this task line (False: an expected line is missing) |
| id_known | task and metric id exist in the catalogue (NA-free; rows not reported: True) |
| columns_present | the unit's sheet has the columns 本年累计完成 (if it has metrics) and |
|  | 完成状态: some row of the file has a cell for each |
| increase | value − previous_value (absolute for a level metric) |
| step_limit | jump multiple × the expected monthly step, at least 1 for a whole-number |
|  | cumulative target (NA where no steady step exists; see `jump_limit`) |
| meets_target | the figure meets the target by the metric's comparator (NA if unknown) |
| same_key_rows | the sheet's rows with the same unit and line, for the duplicate message |

Targets and figures are rounded to 6 decimals so that a unit conversion's floating-point
residue (`1.2亿` → 12000.000000000002 万元) never reads as an edited target.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

import pandas as pd

from progress_audit.model.period import Period
from progress_audit.model.records import COUNTING_STATUSES, ReportedRow, Submission
from progress_audit.model.wording import clipped
from progress_audit.standards.catalogue import Catalogue, Metric
from progress_audit.standards.responsibility import TaskLine, task_lines

CELL_FIELDS = (
    "task_id",
    "metric_id",
    "target_reported",
    "value",
    "status",
    "percent",
    "expected_completion",
)
"""ReportedRow.sources keys that get a `<field>_cell` column."""

REQUIRED_COLUMNS = (
    "unit",
    "period",
    "task_id",
    "metric_id",
    "line",
    "line_key",
    "unit_line",
    "name",
    "uom",
    "kind",
    "comparator",
    "profile",
    "is_share",
    "value",
    "value_text",
    "target_reported",
    "target",
    "status",
    "percent",
    "expected_completion",
    "previous_value",
    "file",
    "sheet",
    "row",
    "submission_status",
    *(f"{f}_cell" for f in CELL_FIELDS),
    "reported",
    "id_known",
    "columns_present",
    "increase",
    "step_limit",
    "meets_target",
    "same_key_rows",
)
"""Every column of the tidy table, in order (the structure suite expects them all)."""

_NAME_CHARS = 30


def line_key(task_id: str, metric_id: str | None) -> str:
    """The catalogue key of a row: `16.1/16.1.1`, or `16.1/-` for a task without a metric."""
    return f"{task_id}/{metric_id or '-'}"


def known_line_keys(catalogue: Catalogue) -> frozenset[str]:
    """Every task line of the catalogue, as line keys."""
    return frozenset(
        line_key(t.task_id, t.metric_id) for s in catalogue.standards for t in task_lines(s)
    )


def assigned_keys(assignments: Mapping[str, Sequence[TaskLine]]) -> frozenset[str]:
    """Every (unit, task line) a unit answers for, as `unit|line_key`."""
    return frozenset(
        f"{unit}|{line_key(t.task_id, t.metric_id)}"
        for unit, lines in assignments.items()
        for t in lines
    )


def monthly_step(metric: Metric, period: Period) -> float | None:
    """The increase expected in `period`'s month (每月应完成量), or None without a steady step.

    Cumulative: the target times the profile's share for the month, but never less than a
    twelfth of it (a seasonal profile's quiet month must not make an ordinary month a jump).
    Level: a twelfth of the way from baseline to target. A one-off (`deadline`) target and a
    rate have no steady step.
    """
    if metric.kind == "cumulative":
        if metric.profile.shape == "deadline":
            return None
        share = 1 / 12
        shares = metric.profile.shares
        if metric.profile.shape == "monthly" and len(shares) >= period.month:
            before = shares[period.month - 2] if period.month > 1 else 0.0
            share = max(share, shares[period.month - 1] - before)
        step = abs(metric.target) * share
    elif metric.kind == "level" and metric.baseline is not None:
        step = abs(metric.target - metric.baseline) / 12
    else:
        return None
    return step or None


def jump_limit(metric: Metric, step: float, multiple: float) -> float:
    """The largest plausible increase in a month: `multiple` expected steps, but never less
    than one whole unit for a target counted in whole units (3 个 projects a year: one more in
    a month is progress, not a jump). For such a target the limit is a whole number of units
    (the same verdict on whole increases, and the message never says 2.5家)."""
    limit = multiple * step
    if float(metric.target).is_integer() and metric.kind == "cumulative":
        limit = max(float(math.floor(limit + 1e-9)), 1.0)
    return limit


def meets_target(value: float, metric: Metric, approx_tolerance: float) -> bool:
    """Whether `value` satisfies the metric's target by its comparator (左右: within tolerance)."""
    target = metric.target
    match metric.comparator:
        case ">=":
            return value >= target
        case ">":
            return value > target
        case "<=":
            return value <= target
        case "<":
            return value < target
        case _:  # "~": 左右
            return abs(value - target) <= approx_tolerance * abs(target) or value >= target


def _is_share(metric: Metric | None) -> bool:
    # A share (占比, 比例) is bounded by 100 %; a growth rate (增长) may exceed it or fall below 0.
    return bool(
        metric and metric.unit == "%" and metric.kind == "rate" and "增长" not in metric.name
    )


def _short(text: str) -> str:
    text = " ".join(text.split())
    return clipped(text, _NAME_CHARS)


def _round(x: float | None) -> float | None:
    return None if x is None else round(float(x), 6)


def _previous_values(
    period: Period, previous: Iterable[Submission]
) -> dict[tuple[str, str, str | None], float | None]:
    last = str(period.prev())
    values: dict[tuple[str, str, str | None], float | None] = {}
    for sub in previous:
        if sub.status not in COUNTING_STATUSES or sub.period != last:
            continue
        for r in sub.rows:
            values[r.key] = r.value
    return values


def _sheet_of(sub: Submission) -> str | None:
    for r in sub.rows:
        for ref in r.sources.values():
            if ref.sheet:
                return ref.sheet
    return None


def _present_fields(sub: Submission) -> set[str]:
    return {f for r in sub.rows for f in r.sources}


def tidy_month(
    period: Period,
    catalogue: Catalogue,
    assignments: Mapping[str, Sequence[TaskLine]],
    submissions: Sequence[Submission],
    previous: Sequence[Submission] = (),
    *,
    jump_multiple: float = 3.0,
    approx_tolerance: float = 0.1,
) -> pd.DataFrame:
    """The month's counting rows (and missing expected rows) as one DataFrame, columns as above.

    Rows come in submission order (by unit, then file), each sheet's rows in sheet order, then
    the unit's missing lines in catalogue order: the index is 0..n-1, which Great Expectations'
    `unexpected_index_list` refers to.
    """
    lines_by_key: dict[tuple[str, str | None], TaskLine] = {
        (t.task_id, t.metric_id): t for s in catalogue.standards for t in task_lines(s)
    }
    known = known_line_keys(catalogue)
    prev = _previous_values(period, previous)
    counting = sorted(
        (
            s
            for s in submissions
            if s.status in COUNTING_STATUSES and s.unit and s.period == str(period)
        ),
        key=lambda s: (s.unit or "", s.received_at, s.file),
    )
    records: list[dict[str, object]] = []
    for sub in counting:
        unit = sub.unit or ""
        present = _present_fields(sub)
        expected = assignments.get(unit, ())
        needs_value = any(t.metric_id for t in expected)
        # The reader can match a row by its text, so the id columns are not required.
        columns_present = "status" in present and ("value" in present or not needs_value)
        sheet = _sheet_of(sub)
        seen: set[tuple[str, str | None]] = set()
        for r in sorted(sub.rows, key=lambda r: r.row):
            line = lines_by_key.get((r.task_id, r.metric_id))
            records.append(
                _record(
                    r,
                    sub,
                    line,
                    period,
                    prev,
                    known,
                    columns_present,
                    jump_multiple,
                    approx_tolerance,
                )
            )
            seen.add((r.task_id, r.metric_id))
        for t in expected:
            if (t.task_id, t.metric_id) not in seen:
                records.append(_missing_record(t, unit, sub, sheet, period))
    frame = pd.DataFrame.from_records(records, columns=list(REQUIRED_COLUMNS[:-1]))
    frame = _typed(frame)
    frame["same_key_rows"] = _same_key_rows(frame)
    return frame


def _record(
    r: ReportedRow,
    sub: Submission,
    line: TaskLine | None,
    period: Period,
    prev: Mapping[tuple[str, str, str | None], float | None],
    known: frozenset[str],
    columns_present: bool,
    jump_multiple: float,
    approx_tolerance: float,
) -> dict[str, object]:
    metric = line.metric if line else None
    key = line_key(r.task_id, r.metric_id)
    previous_value = prev.get(r.key)
    if metric is not None and period.month == 1:
        # The year to date starts at zero (a level at its baseline); December is another year.
        previous_value = 0.0 if metric.kind == "cumulative" else metric.baseline
    increase = step_limit = None
    if metric is not None and r.value is not None and previous_value is not None:
        increase = r.value - previous_value
        if metric.kind == "level":
            increase = abs(increase)
        step = monthly_step(metric, period)
        step_limit = None if step is None else jump_limit(metric, step, jump_multiple)
    meets = None
    if metric is not None and r.value is not None:
        meets = meets_target(r.value, metric, approx_tolerance)
    ref = r.sources.get("task_id") or next(iter(r.sources.values()), None)
    return {
        "unit": r.unit,
        "period": r.period,
        "task_id": r.task_id,
        "metric_id": r.metric_id,
        "line": r.metric_id or r.task_id,
        "line_key": key,
        "unit_line": f"{r.unit}|{key}",
        "name": _short(line.text) if line else "",
        "uom": line.unit_of_measure if line else "",
        "kind": metric.kind if metric else None,
        "comparator": metric.comparator if metric else None,
        "profile": metric.profile.shape if metric else None,
        "is_share": _is_share(metric),
        "value": _round(r.value),
        "value_text": r.value_text.strip() or None,
        "target_reported": _round(r.target_reported),
        "target": _round(line.target) if line else None,
        "status": r.status,
        "percent": r.percent,
        "expected_completion": r.expected_completion,
        "previous_value": _round(previous_value),
        "file": sub.file,
        "sheet": ref.sheet if ref else None,
        "row": r.row,
        "submission_status": sub.status,
        **{f"{f}_cell": (r.sources[f].cell if f in r.sources else None) for f in CELL_FIELDS},
        "reported": True,
        "id_known": key in known,
        "columns_present": columns_present,
        "increase": _round(increase),
        "step_limit": _round(step_limit),
        "meets_target": meets,
    }


def _missing_record(
    t: TaskLine, unit: str, sub: Submission, sheet: str | None, period: Period
) -> dict[str, object]:
    key = line_key(t.task_id, t.metric_id)
    metric = t.metric
    return {
        "unit": unit,
        "period": str(period),
        "task_id": t.task_id,
        "metric_id": t.metric_id,
        "line": t.metric_id or t.task_id,
        "line_key": key,
        "unit_line": f"{unit}|{key}",
        "name": _short(t.text),
        "uom": t.unit_of_measure,
        "kind": metric.kind if metric else None,
        "comparator": metric.comparator if metric else None,
        "profile": metric.profile.shape if metric else None,
        "is_share": _is_share(metric),
        "target": _round(t.target),
        "file": sub.file,
        "sheet": sheet,
        "submission_status": sub.status,
        "reported": False,
        "id_known": True,
        "columns_present": True,
    }


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    floats = (
        "value",
        "target_reported",
        "target",
        "percent",
        "previous_value",
        "increase",
        "step_limit",
    )
    for col in floats:
        frame[col] = pd.to_numeric(frame[col], errors="raise").astype("float64")
    frame["row"] = frame["row"].astype("Int64")
    frame["expected_completion"] = pd.to_datetime(
        frame["expected_completion"].map(lambda d: d if isinstance(d, date) else None)
    )
    for col in ("reported", "id_known", "columns_present", "is_share"):
        frame[col] = frame[col].fillna(False).astype(bool)
    frame["meets_target"] = frame["meets_target"].astype("boolean")
    texts = [
        c
        for c in REQUIRED_COLUMNS[:-1]
        if c not in floats
        and c
        not in (
            "row",
            "expected_completion",
            "reported",
            "id_known",
            "columns_present",
            "is_share",
            "meets_target",
        )
    ]
    for col in texts:
        frame[col] = frame[col].astype("str")
    return frame.reset_index(drop=True)


def _same_key_rows(frame: pd.DataFrame) -> pd.Series:
    """For each reported row, the rows of its unit's sheet that report the same line."""
    out = pd.Series([None] * len(frame), index=frame.index, dtype="str")
    reported = frame[frame["reported"]]
    repeated = reported[reported.duplicated(["unit", "line_key"], keep=False)]
    for _, group in repeated.groupby(["unit", "line_key"], sort=False):
        out.loc[group.index] = "、".join(str(r) for r in group["row"].tolist())
    return out
