"""Data quality of a month's submissions (数据质量校验): the suites of `checks/`, run once.

    Submissions ──tidy──▶ one DataFrame ──Great Expectations (one validation)──▶ failures
                 ──▶ Problems (code, Chinese message, severity, dimension, unit, cell)
                 ──▶ per-unit scores: completeness, timeliness, validity, consistency (0..1)

The reader and the intake already report what they saw (an unreadable figure, an edited
target, a late file); a check that finds the same thing on the same cell is not reported twice.
Timeliness and "the unit sent nothing" are per file, not per row, and are computed here in
Python rather than as expectations.

Great Expectations is imported only inside `check_month` (its import costs seconds), and not at
all when there is nothing to check.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from checks.params import SuiteParams
from progress_audit.config import QualitySettings
from progress_audit.intake.receive import reading_context
from progress_audit.model.period import Period
from progress_audit.model.problems import CellRef, Problem, problem_key, unique_problems
from progress_audit.model.records import COUNTING_STATUSES, REPORTED_STATUSES
from progress_audit.model.wording import (
    DIMENSION_LABELS,
    day_label,
    deadline_label,
    figure_label,
    moment_label,
)
from progress_audit.quality import gx_reuse, validation_cache, validator
from progress_audit.quality.tidy import (
    REQUIRED_COLUMNS,
    assigned_keys,
    known_line_keys,
    tidy_month,
)
from progress_audit.standards.catalogue import Catalogue
from progress_audit.standards.responsibility import TaskLine

if TYPE_CHECKING:
    from great_expectations import ExpectationSuite

    from progress_audit.model.records import Submission

__all__ = ["QualityReport", "QualitySettings", "RuleResult", "check_month"]

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RuleResult:
    """One rule as it ran this month: how many rows it looked at and how many failed."""

    name: str
    code: str
    dimension: str
    severity: str
    failed: int
    evaluated: int

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "code": self.code,
            "dimension": self.dimension,
            "severity": self.severity,
            "failed": self.failed,
            "evaluated": self.evaluated,
        }


@dataclass(frozen=True)
class QualityReport:
    """The month's data quality (数据质量报告).

    `problems` are the checks' own findings, not already given by the reader or the intake
    (the flow adds them to findings and feedback). `all_problems` is every problem of the month
    once, in page order: the files', the rows' and the checks'. `scores[unit]` has the four
    dimensions in 0..1, None where there is nothing to score (no rows; not due yet).
    `counts[unit]`: expected, reported, filled, missing_rows, errors, warnings.
    """

    period: str
    problems: tuple[Problem, ...]
    scores: dict[str, dict[str, float | None]]
    units: tuple[str, ...] = ()
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    all_problems: tuple[Problem, ...] = ()
    rules: tuple[RuleResult, ...] = ()
    as_of: str = ""
    due: str = ""
    submission_status: dict[str, str] = field(default_factory=dict)
    """unit → on_time | late | missing (no counting submission yet) | not_due."""

    def to_json(self) -> dict[str, object]:
        """quality.json: what the dashboard across months reads back."""
        return {
            "period": self.period,
            "as_of": self.as_of,
            "due": self.due,
            "units": list(self.units),
            "submission_status": self.submission_status,
            "scores": self.scores,
            "counts": self.counts,
            "rules": [r.to_json() for r in self.rules],
            "problems": [p.to_json() for p in self.all_problems],
        }


def check_month(
    period: Period,
    as_of: datetime,
    catalogue: Catalogue,
    assignments: Mapping[str, tuple[TaskLine, ...]],
    submissions: Sequence[Submission],
    previous: Sequence[Submission] = (),
    settings: QualitySettings | None = None,
    *,
    due: datetime,
    cache_dir: Path | None = None,
) -> QualityReport:
    """Check the month's submissions: one validation over all counting rows.

    `submissions` are this month's (any status; only on_time and late ones count), `previous`
    last month's (for the year-to-date and jump rules); `due` is the month's deadline.
    With `cache_dir`, each unit's validation result is kept there and reused for the same rows
    and rules (`validation_cache`): only the units whose rows changed are validated, and a rerun
    with nothing changed does not import GX.
    """
    settings = settings or QualitySettings()
    frame = tidy_month(
        period,
        catalogue,
        assignments,
        submissions,
        previous,
        jump_multiple=settings.jump_multiple,
        approx_tolerance=settings.approx_tolerance,
    )
    date_min, date_max = _date_bounds(period, settings)
    words = {
        "year": str(period.year),
        "multiple": _num(settings.jump_multiple),
        "date_min": _date(date_min),
        "date_max": _date(date_max),
    }
    own: list[Problem] = []
    rules: tuple[RuleResult, ...] = ()
    if len(frame):  # nothing to check: Great Expectations is not even imported
        failures, rules = _validated(frame, period, catalogue, assignments, settings, cache_dir)
        own += _row_problems(failures, frame, words)
    counting = _counting_by_unit(submissions, period)
    own += _file_problems(period, as_of, due, assignments, counting)
    given = _given_problems(submissions, period)
    own = _new_only(own, given)
    units = tuple(assignments)
    all_problems = _ordered(unique_problems([*given, *own]), units)
    status = _submission_status(assignments, counting, as_of, due)
    scores, counts = _scores(frame, assignments, counting, all_problems, status)
    return QualityReport(
        period=str(period),
        problems=_ordered(own, units),
        scores=scores,
        units=units,
        counts=counts,
        all_problems=all_problems,
        rules=rules,
        as_of=as_of.isoformat(),
        due=due.isoformat(),
        submission_status=status,
    )


# ---- the validation ---------------------------------------------------------------------


def suite_params(
    period: Period,
    catalogue: Catalogue,
    assignments: Mapping[str, Sequence[TaskLine]],
    settings: QualitySettings | None = None,
) -> SuiteParams:
    """What the month's rules check against (checks.rules.SuiteParams)."""
    settings = settings or QualitySettings()
    return SuiteParams(
        year=period.year,
        known_tasks=frozenset(s.id for s in catalogue.standards),
        known_lines=known_line_keys(catalogue),
        assigned=assigned_keys(assignments),
        date_min=_date_bounds(period, settings)[0],
        date_max=_date_bounds(period, settings)[1],
        jump_multiple=settings.jump_multiple,
        required_columns=REQUIRED_COLUMNS,
        statuses=REPORTED_STATUSES,
    )


def _validated(
    frame: pd.DataFrame,
    period: Period,
    catalogue: Catalogue,
    assignments: Mapping[str, tuple[TaskLine, ...]],
    settings: QualitySettings,
    cache_dir: Path | None,
) -> tuple[list[Failure], tuple[RuleResult, ...]]:
    """`validate` over the month's suite; with `cache_dir`, only the units whose rows changed.

    Every rule is row-local or unit-local (a unit's rows, never another unit's), so a unit's
    failures and counts depend on its own rows alone: each unit's result is kept under a key of
    its rows and the suite's inputs, and one validation runs over the units without one.
    """
    if cache_dir is None:
        return _validating(validate, frame, suite_params(period, catalogue, assignments, settings))
    # What suite_params builds the suite from, without building it (that imports GX).
    inputs = (
        period.year,
        _date_bounds(period, settings),
        reading_context(catalogue, assignments),
        settings.model_dump_json(),
        REQUIRED_COLUMNS,
    )
    units = unit_rows(frame)
    keys = validation_cache.unit_keys(frame, units, inputs)
    results: dict[str, tuple[list[Failure], tuple[RuleResult, ...]]] = {}
    for unit, key in keys.items():
        if (kept := validation_cache.load(cache_dir, key)) is not None:
            results[unit] = (list(kept[0]), tuple(kept[1]))
    changed = [u for u in units if u not in results]
    if changed:
        rows = frame.loc[[label for u in changed for label in units[u]]].sort_index()
        params = suite_params(period, catalogue, assignments, settings)
        for unit, result in _validating(validate_by_unit, rows, params).items():
            results[unit] = result
            validation_cache.store(cache_dir, keys[unit], result)
    return merge_units(results, units)


def _validating(function: Callable[..., Any], *args: Any) -> Any:
    """`function(*args)` (`validate` or `validate_by_unit`), in the command's validating
    process when it has one (the same function there: see `validator`), else here."""
    if (process := validator.running()) is not None:
        try:
            return process.call(function.__name__, *args)
        except validator.Unavailable:
            _log.debug("the validating process cannot answer; validating here", exc_info=True)
    return function(*args)


def unit_rows(frame: pd.DataFrame) -> dict[str, list[Any]]:
    """The row labels of each unit (牵头单位), units in their first row's order."""
    out: dict[str, list[Any]] = {}
    for label, unit in zip(frame.index, frame["unit"].tolist(), strict=True):
        out.setdefault(_text(unit) or "", []).append(label)
    return out


def validate_by_unit(
    frame: pd.DataFrame, params: SuiteParams
) -> dict[str, tuple[list[Failure], tuple[RuleResult, ...]]]:
    """One validation over `frame`, told apart per unit as if each unit had been validated alone.

    A unit's failures point at positions within its own rows (0, 1, …), so its result holds for
    the same rows wherever they stand in a later month's table. A rule's rows looked at
    (`evaluated`) come from counting each unit's rows in the rule's domain; when those do not
    add up to what Great Expectations counted over all of them, each unit is validated alone.
    """
    failures, rules = validate(frame, params)
    units = unit_rows(frame)
    counted = _evaluated_by_unit(frame, units, params)
    if counted is None or any(
        sum(c[i] for c in counted.values()) != rule.evaluated for i, rule in enumerate(rules)
    ):
        return {
            unit: validate(frame.loc[labels].reset_index(drop=True), params)
            for unit, labels in units.items()
        }
    out = {}
    for unit, labels in units.items():
        position = {label: i for i, label in enumerate(labels)}
        mine: list[Failure] = []
        failed_by_name: dict[str, int] = {}
        for f in failures:
            if not f.indices:  # a table-wide failure: every unit's table has it too
                mine.append(f)
                failed_by_name[f.name] = 1
                continue
            local = tuple(position[i] for i in f.indices if i in position)
            if local:
                mine.append(replace(f, indices=local))
                failed_by_name[f.name] = len(local)
        out[unit] = (
            mine,
            tuple(
                replace(r, failed=failed_by_name.get(r.name, 0), evaluated=counted[unit][i])
                for i, r in enumerate(rules)
            ),
        )
    return out


def merge_units(
    results: Mapping[str, tuple[Sequence[Failure], Sequence[RuleResult]]],
    units: Mapping[str, Sequence[Any]],
) -> tuple[list[Failure], tuple[RuleResult, ...]]:
    """The month's result from its units' (`validate_by_unit`): what one validation gives."""
    order = list(units)
    if not order:
        return [], ()
    rules = list(results[order[0]][1])
    merged: dict[str, Failure] = {}
    rows: dict[str, list[int]] = {}
    for unit in order:
        labels = units[unit]
        for f in results[unit][0]:
            first = merged.setdefault(f.name, f)
            if f.indices:
                rows.setdefault(f.name, []).extend(labels[i] for i in f.indices)
            elif first.indices:  # keep a table-wide failure as such
                merged[f.name] = f
    failures = [
        replace(f, indices=tuple(sorted(rows.get(f.name, ())))) if f.indices else f
        for name, f in merged.items()
    ]
    by_name = {r.name: i for i, r in enumerate(rules)}
    failures.sort(key=lambda f: by_name.get(f.name, len(by_name)))  # as `validate` orders them
    totals = []
    for i, rule in enumerate(rules):
        per_unit = [results[u][1][i] for u in order]
        table_wide = any(not f.indices for f in failures if f.name == rule.name)
        failed = 1 if table_wide else sum(r.failed for r in per_unit)
        totals.append(replace(rule, failed=failed, evaluated=sum(r.evaluated for r in per_unit)))
    return failures, tuple(totals)


def _evaluated_by_unit(
    frame: pd.DataFrame, units: Mapping[str, Sequence[Any]], params: SuiteParams
) -> dict[str, list[int]] | None:
    """Per unit and rule (in `validate`'s order), the rows the rule looks at; None if a rule is
    of a kind not counted here."""
    from checks.suites import month_suite  # checks/ imports Great Expectations: seconds

    suite = month_suite(params)
    order = {e.meta["code"]: i for i, e in enumerate(suite.expectations) if e.meta}
    expectations = sorted(
        suite.expectations, key=lambda e: order.get((e.meta or {}).get("code"), len(order))
    )
    unit_of = pd.Series(
        {label: unit for unit, labels in units.items() for label in labels}, dtype=object
    ).reindex(frame.index)
    per_rule: list[dict[str, int]] = []
    for e in expectations:
        kwargs = e.configuration.kwargs
        rows = pd.Series(True, index=frame.index)
        if (condition := kwargs.get("row_condition")) is not None:
            if (mask := _condition_mask(frame, condition)) is None:
                return None
            rows = mask
        if e.expectation_type == "expect_column_values_to_not_be_null":
            pass  # its nulls are what it looks for, not left out
        elif "column" in kwargs:
            rows = rows & frame[kwargs["column"]].notna()
        elif "column_A" in kwargs:
            pair = frame[[kwargs["column_A"], kwargs["column_B"]]].notna()
            ignore = kwargs.get("ignore_row_if", "both_values_are_missing")
            if ignore == "either_value_is_missing":
                rows = rows & pair.all(axis=1)
            elif ignore == "both_values_are_missing":
                rows = rows & pair.any(axis=1)
        elif "column_list" in kwargs:
            rows = rows & frame[list(kwargs["column_list"])].notna().any(axis=1)
        elif "column_set" in kwargs:
            rows = pd.Series(False, index=frame.index)  # a table's columns: no rows looked at
        else:
            return None
        per_rule.append(unit_of[rows.astype(bool)].value_counts().to_dict())
    return {unit: [counts.get(unit, 0) for counts in per_rule] for unit in units}


def _condition_mask(frame: pd.DataFrame, condition: Mapping[str, Any]) -> pd.Series | None:
    """The rows a rule's row condition (as Great Expectations stores it) keeps; None for a kind
    of condition not written in checks/."""
    kind = condition.get("type")
    if kind in ("and", "or"):
        masks = [_condition_mask(frame, c) for c in condition.get("conditions", ())]
        if not masks or any(m is None for m in masks):
            return None
        out = masks[0]
        for m in masks[1:]:
            out = (out & m) if kind == "and" else (out | m)
        return out
    column = frame[condition["column"]["name"]]
    if kind == "nullity":
        return column.isna() if condition["is_null"] else column.notna()
    if kind == "comparison" and condition.get("operator") == "==":
        return column == condition["parameter"]
    if kind == "comparison" and condition.get("operator") == "IN":
        return column.isin(condition["parameter"])
    return None


@dataclass(frozen=True)
class Failure:
    """An expectation that failed: its clerk's name and meta, and the rows it failed on."""

    name: str
    meta: dict[str, Any]
    severity: str
    indices: tuple[int, ...]
    details: dict[str, Any]


def _date_bounds(period: Period, settings: QualitySettings) -> tuple[date, date]:
    """预计完成时间 from the year's first day to its end plus the plausible overrun."""
    return date(period.year, 1, 1), _month_end(period.year, 12 + settings.date_overrun_months)


def validate(
    frame: pd.DataFrame,
    params: SuiteParams,
    build: Callable[[SuiteParams], ExpectationSuite] | None = None,
) -> tuple[list[Failure], tuple[RuleResult, ...]]:
    """Run the month's combined suite (or `build(params)`) once over `frame`.

    Great Expectations with an ephemeral context, a pandas dataframe asset and a whole-frame
    batch definition; what Great Expectations would otherwise compute again and again within
    the one validation is kept for its length (`gx_reuse`).
    With result_format COMPLETE, `unexpected_index_list` holds the DataFrame index of every
    failing row. An expectation that raises is a defect in the suite, so it raises here.
    """
    # Great Expectations and checks/ (built on it) take seconds to import: only when validating.
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig  # as above

    from checks.suites import month_suite  # as above

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch_definition = (
        context.data_sources.add_pandas("进度填报")
        .add_dataframe_asset("月度明细")
        .add_batch_definition_whole_dataframe("本月")
    )
    suite = context.suites.add((build or month_suite)(params))
    with gx_reuse.reusing():
        result = batch_definition.get_batch(batch_parameters={"dataframe": frame}).validate(
            suite, result_format={"result_format": "COMPLETE"}
        )
    failures: list[Failure] = []
    rules: list[RuleResult] = []
    for r in result.results:
        config = r.expectation_config
        meta = dict(config.meta or {})
        if error := _raised(r.exception_info):
            raise RuntimeError(f"数据质量规则“{config.description}”执行出错：{error}")
        severity = "warning" if str(getattr(config.severity, "value", "")) == "warning" else "error"
        indices = tuple(int(i) for i in (r.result.get("unexpected_index_list") or ()))
        evaluated = int(r.result.get("element_count") or 0) - int(
            r.result.get("missing_count") or 0
        )
        failed = len(indices) if indices else (0 if r.success else 1)
        rules.append(
            RuleResult(
                config.description or "",
                meta.get("code", ""),
                meta.get("dimension", ""),
                severity,
                failed,
                max(evaluated, 0),
            )
        )
        if not r.success:
            failures.append(
                Failure(
                    config.description or "",
                    meta,
                    severity,
                    indices,
                    dict(r.result.get("details") or {}),
                )
            )
    order = {e.meta["code"]: i for i, e in enumerate(suite.expectations) if e.meta}
    rules.sort(key=lambda x: order.get(x.code, len(order)))
    failures.sort(key=lambda x: order.get(x.meta.get("code"), len(order)))
    return failures, tuple(rules)


def _raised(info: Mapping[str, Any] | None) -> str | None:
    """The exception message of a failed expectation run (GX nests it per metric), or None."""
    if not info:
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    for value in info.values():
        if isinstance(value, Mapping) and value.get("raised_exception"):
            return str(value.get("exception_message"))
    return None


def _row_problems(
    failures: Sequence[Failure], frame: pd.DataFrame, words: Mapping[str, str]
) -> list[Problem]:
    problems: list[Problem] = []
    for f in failures:
        meta = f.meta
        code, dimension, scope = meta["code"], meta["dimension"], meta.get("scope", "row")
        if scope == "table" or not f.indices:
            missing = "、".join((f.details.get("mismatched") or {}).get("missing") or [])
            text = _fill(meta["message"], {**words, "missing": missing})
            problems.append(Problem(code, text, f.severity, dimension=dimension))
            continue
        for i in f.indices:
            row = frame.loc[i]
            ref = _ref(row, meta.get("field"), scope)
            text = _fill(meta["message"], {**words, **row_words(row, ref)})
            file_scope = scope == "file"
            problems.append(
                Problem(
                    code,
                    text,
                    f.severity,
                    ref,
                    _text(row["unit"]),
                    None if file_scope else _text(row["task_id"]),
                    None if file_scope else _text(row["metric_id"]),
                    dimension,
                )
            )
    return problems


def _ref(row: pd.Series, field_name: str | None, scope: str) -> CellRef:
    """The cell a problem points at: the field's cell, else the row's first cell, else the sheet."""
    file, sheet = _text(row["file"]) or "", _text(row["sheet"])
    if scope == "file":
        return CellRef(file, sheet, None)
    for name in (field_name, "task_id", "metric_id", "value", "status"):
        if name and (cell := _text(row.get(f"{name}_cell"))):
            return CellRef(file, sheet, cell)
    return CellRef(file, sheet, None)


def row_words(row: pd.Series, ref: CellRef | None = None) -> dict[str, str]:
    """A tidy row's values as the words a message template uses ({value}, {where}, …)."""
    ref = ref or CellRef(_text(row["file"]) or "", _text(row["sheet"]), None)
    return {
        "where": ref.where,
        "file": ref.file,
        "sheet": ref.sheet or "进度填报",
        "row": _num(row["row"]),
        "unit": _text(row["unit"]) or "",
        "task_id": _text(row["task_id"]) or "",
        "metric_id": _text(row["metric_id"]) or "（无）",
        "line": _text(row["line"]) or "",
        "item": f"{'指标' if _text(row['metric_id']) else '任务'}{_text(row['line']) or ''}"
        f"「{_text(row['name']) or ''}」",
        "name": _text(row["name"]) or "",
        "uom": "" if _text(row["uom"]) in (None, "%") else _text(row["uom"]) or "",
        "value": _num(row["value"]),
        "value_text": _text(row["value_text"]) or "",
        "previous": _num(row["previous_value"]),
        "target": _num(row["target"]),
        "target_reported": _num(row["target_reported"]),
        "percent": _num(row["percent"]),
        "status": _text(row["status"]) or "",
        "expected_completion": _date(row["expected_completion"]),
        "increase": _num(row["increase"]),
        "step_limit": _num(row["step_limit"]),
        "rows": _text(row["same_key_rows"]) or _num(row["row"]),
    }


def _fill(template: str, words: Mapping[str, str]) -> str:
    return template.format_map(dict(words))


# ---- per-file problems: timeliness, not submitted --------------------------------------


def _counting_by_unit(submissions: Sequence[Submission], period: Period) -> dict[str, Submission]:
    """The submission that counts for each unit: the latest received on_time/late one."""
    out: dict[str, Submission] = {}
    for s in sorted(submissions, key=lambda s: (s.received_at, s.file)):
        if s.status in COUNTING_STATUSES and s.unit and s.period == str(period):
            out[s.unit] = s
    return out


def _file_problems(
    period: Period,
    as_of: datetime,
    due: datetime,
    assignments: Mapping[str, Sequence[TaskLine]],
    counting: Mapping[str, Submission],
) -> list[Problem]:
    problems: list[Problem] = []
    due_text = deadline_label(due)
    for unit in assignments:
        sub = counting.get(unit)
        if sub is None:
            if as_of < due:
                continue  # not due yet: the reminder flow chases it, it is not a data problem
            problems.append(
                Problem(
                    "not_submitted",
                    f"{unit}截至{moment_label(as_of)}未报送{period.label}进度填报表（截止时间"
                    f"{due_text}）。请尽快报送；如报送的文件被退回，请按退回原因改正后重新报送。",
                    "warning",
                    None,
                    unit,
                    None,
                    None,
                    "completeness",
                )
            )
        elif sub.status == "late":
            problems.append(
                Problem(
                    "late",
                    f"{unit}的{period.label}进度填报表（{sub.file}）于"
                    f"{moment_label(sub.received_at.astimezone(as_of.tzinfo))}收到，晚于报送截止时间"
                    f"{due_text}。请今后按时报送。",
                    "warning",
                    CellRef(sub.file),
                    unit,
                    None,
                    None,
                    "timeliness",
                )
            )
    return problems


def _submission_status(
    assignments: Mapping[str, Sequence[TaskLine]],
    counting: Mapping[str, Submission],
    as_of: datetime,
    due: datetime,
) -> dict[str, str]:
    out: dict[str, str] = {}
    for unit in assignments:
        sub = counting.get(unit)
        out[unit] = sub.status if sub else ("not_due" if as_of < due else "missing")
    return out


# ---- what the reader and intake already said; one problem once ---------------------------


def _given_problems(submissions: Sequence[Submission], period: Period) -> list[Problem]:
    """The intake's and reader's problems of the month's files (rows' problems included)."""
    out: list[Problem] = []
    for s in sorted(submissions, key=lambda s: (s.received_at, s.file)):
        if s.period not in (None, str(period)):
            continue
        out += s.problems
        for r in sorted(s.rows, key=lambda r: r.row):
            out += r.problems
    return out


def _new_only(own: Sequence[Problem], given: Sequence[Problem]) -> list[Problem]:
    """The checks' problems that the reader and intake have not already given.

    Same code at the same place is the same problem. A cell the reader already called an
    error (its value cannot be trusted) gets no second verdict either. A late file the intake
    already called late (any cell of it) is not called late again.
    """
    keys = {problem_key(p) for p in given}
    bad_cells = {
        (p.ref.file, p.ref.sheet, p.ref.cell)
        for p in given
        if p.severity == "error" and p.ref and p.ref.cell
    }
    file_codes = {(p.code, p.ref.file if p.ref else None, p.unit) for p in given}
    out = []
    for p in unique_problems(own):
        if problem_key(p) in keys:
            continue
        if p.ref and p.ref.cell and (p.ref.file, p.ref.sheet, p.ref.cell) in bad_cells:
            continue
        if p.code in ("late", "not_submitted") and (
            (p.code, p.ref.file if p.ref else None, p.unit) in file_codes
            or any(g.code == p.code and g.unit == p.unit for g in given)
        ):
            continue
        out.append(p)
    return out


_CELL = re.compile(r"^([A-Z]+)(\d+)$")


def _ordered(problems: Sequence[Problem], units: Sequence[str]) -> tuple[Problem, ...]:
    """Page order: by unit (the table's order), file, sheet, row, column, then code."""
    rank = {u: i for i, u in enumerate(units)}

    def key(p: Problem) -> tuple[object, ...]:
        ref = p.ref
        m = _CELL.match(ref.cell or "") if ref else None
        row, col = (int(m.group(2)), (len(m.group(1)), m.group(1))) if m else (0, (0, ""))
        return (
            rank.get(p.unit or "", len(rank)),
            p.unit or "",
            ref.file if ref else "",
            (ref.sheet or "") if ref else "",
            row,
            col,
            p.task_id or "",
            p.metric_id or "",
            p.code,
        )

    return tuple(sorted(problems, key=key))


# ---- scores ---------------------------------------------------------------------------------


def _scores(
    frame: pd.DataFrame,
    assignments: Mapping[str, Sequence[TaskLine]],
    counting: Mapping[str, Submission],
    problems: Sequence[Problem],
    status: Mapping[str, str],
) -> tuple[dict[str, dict[str, float | None]], dict[str, dict[str, int]]]:
    """Per unit, the four dimensions in 0..1 (DHIS2-style shares):

    completeness = expected lines reported and filled in ÷ expected lines (0 if nothing sent);
    timeliness = 1 when the counting file came on time, else 0;
    validity, consistency = reported rows without a row-level problem of that dimension (any
    severity, the reader's or the checks') ÷ reported rows. File-level problems are listed on
    the page but do not move the row shares. None where there is nothing to score.
    """
    by_row: dict[tuple[str, str, str | None], set[str]] = {}
    for p in problems:
        if p.unit and p.task_id:
            by_row.setdefault((p.unit, p.task_id, p.metric_id), set()).add(p.dimension)
    rows_by_unit = _rows_by_unit(frame)
    scores: dict[str, dict[str, float | None]] = {}
    counts: dict[str, dict[str, int]] = {}
    for unit, lines in assignments.items():
        expected = {(t.task_id, t.metric_id) for t in lines}
        rows = rows_by_unit.get(unit, [])
        reported = [r for r in rows if r["reported"]]
        filled = {
            (r["task_id"], r["metric_id"])
            for r in reported
            if (r["task_id"], r["metric_id"]) in expected and _filled(r)
        }
        missing_rows = sum(1 for r in rows if not r["reported"])
        state = status[unit]
        dims: dict[str, float | None] = dict.fromkeys(DIMENSION_LABELS)
        if state != "not_due":
            dims["completeness"] = _share(len(filled), len(expected)) if unit in counting else 0.0
            dims["timeliness"] = 1.0 if state == "on_time" else 0.0
        for dim in ("validity", "consistency"):
            if reported:
                ok = sum(
                    1
                    for r in reported
                    if dim not in by_row.get((unit, r["task_id"], r["metric_id"]), set())
                )
                dims[dim] = _share(ok, len(reported))
        scores[unit] = dims
        mine = [p for p in problems if p.unit == unit]
        counts[unit] = {
            "expected": len(expected),
            "reported": len(reported),
            "filled": len(filled),
            "missing_rows": missing_rows,
            "errors": sum(1 for p in mine if p.severity == "error"),
            "warnings": sum(1 for p in mine if p.severity == "warning"),
        }
    return scores, counts


def _rows_by_unit(frame: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    if not len(frame):
        return out
    cols = ["unit", "task_id", "metric_id", "reported", "value_text", "value", "status", "percent"]
    for r in frame[cols].to_dict("records"):
        r = {
            k: (v if k == "reported" else _text(v) if k not in ("value", "percent") else v)
            for k, v in r.items()
        }
        out.setdefault(r["unit"], []).append(r)
    return out


def _filled(r: Mapping[str, Any]) -> bool:
    if r["metric_id"]:
        return r["value_text"] is not None or not _missing(r["value"])
    return r["status"] is not None or not _missing(r["percent"])


def _share(n: int, d: int) -> float | None:
    return round(n / d, 4) if d else None


# ---- small formatting helpers ---------------------------------------------------------


def _missing(x: object) -> bool:
    if x is None:
        return True
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def _text(x: object) -> str | None:
    return None if _missing(x) else str(x)


def _num(x: object) -> str:
    """A figure as a clerk reads it: 9000, 12.5, 4.17, 0.0123; — when missing."""
    return figure_label(None if _missing(x) else float(x), significant=3)  # type: ignore[arg-type]


def _date(x: object) -> str:
    if _missing(x):
        return "—"
    d = x.date() if isinstance(x, datetime) else x
    if hasattr(d, "to_pydatetime"):
        d = d.to_pydatetime().date()  # type: ignore[union-attr]
    assert isinstance(d, date)
    return day_label(d)


def _month_end(year: int, months: int) -> date:
    """The last day of the `months`-th month counted from January of `year` (12 → Dec 31)."""
    y, m = year + (months - 1) // 12, (months - 1) % 12 + 1
    return Period(y, m).last_day
