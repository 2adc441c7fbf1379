"""Building the catalogue: the table's rows + the targets found + the reviewed answers.

The rows come from any of the table readers (`standards/tables`). A goal's number may be merged
down (repeated in every row) or printed once; standards are numbered as printed, restarting in
each goal or running on across goals; a row with no number is a sub-heading, kept as the
section of the standards under it (a heading in the 序号 column, above the goals, until the next
one; a sub-heading inside a goal until the goal ends).
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Mapping
from datetime import date

from progress_audit.standards.catalogue.answers import Answers, AnswersError
from progress_audit.standards.catalogue.model import Catalogue, Goal, Metric, Standard, Unit
from progress_audit.standards.catalogue.names import (
    is_group,
    join_wrapped,
    split_leaders,
    split_units,
)
from progress_audit.standards.catalogue.targets import default_kind, find_targets
from progress_audit.standards.catalogue.tracks import suggest_track
from progress_audit.standards.tables.rows import Row, TableError

_NUMBERING = re.compile(r"^[（(]\s*(\d+)\s*[）)]")
_GOAL_NUMBER = re.compile(r"^(\d+|[一二三四五六七八九十]+)[、.．]?$")
_MONTH_DEADLINE = re.compile(r"(\d{1,2})月(?:底|末)?(?:前|以前)")
SUBHEADING_MAX = 30
"""A row with no number and at most this many characters is a sub-heading (优化营商环境)."""


def standard_deadline(text: str, year: int) -> date:
    """完成期限: `6月底前` → 30 June; 年内, 全年 or nothing said → the year's end."""
    months = [int(m) for m in _MONTH_DEADLINE.findall(text) if 1 <= int(m) <= 12]
    if months:
        month = max(months)
        return date(year, month, monthrange(year, month)[1])
    return date(year, 12, 31)


def _goal_number(cell: str) -> int | None:
    """A goal's 序号: `3`, `3.`, `三、`."""
    match = _GOAL_NUMBER.match(cell)
    if not match:
        return None
    if match.group(1).isdigit():
        return int(match.group(1))
    import cn2an  # only for a table that numbers its goals in words

    return int(cn2an.cn2an(match.group(1), "smart"))


def _heading(goal_cell: str, goal_name: str, goal: Goal | None) -> str | None:
    """A heading row whose text runs across the table from the goal's columns
    (`（一）优化营商环境`, `一、经济发展` in 序号; a phrase in 目标名称), nothing to its right."""
    number = _goal_number(goal_cell) if goal_cell else None
    if goal_cell and number is None:
        text = goal_cell
    elif goal and goal_name and goal_name != goal.name and number in (None, goal.no):
        text = goal_name
    else:
        return None
    if len(text) > SUBHEADING_MAX or _NUMBERING.match(text):
        return None
    return text.strip("：:")


def _where(source: str, row: Row) -> str:
    return f"{source} {row.where or f'第{row.line}行'}"


def build_catalogue(
    rows: list[Row],
    answers: Answers,
    year: int,
    source: str,
    aliases: Mapping[str, str] | None = None,
) -> Catalogue:
    """Turn the table's rows into the catalogue, checking every row and every answer."""
    aliases = aliases or {}
    goals: list[Goal] = []
    standards: list[Standard] = []
    part = ""  # a heading above the goals (一、稳增长), until the next one
    section = ""  # a sub-heading inside a goal (优化营商环境), until the goal ends
    last_number = 0
    for row in rows:
        where = _where(source, row)
        goal_cell = row.text(0)
        goal_name = join_wrapped(row.cells[1])
        rest_empty = not any(row.text(i) for i in range(2, 6))
        if rest_empty:
            heading = _heading(goal_cell, goal_name, goals[-1] if goals else None)
            if heading is not None:
                if goal_cell and _goal_number(goal_cell) is None:
                    part, section = heading, ""
                else:
                    section = heading
                continue
        if goal_cell and not (goals and _goal_number(goal_cell) == goals[-1].no):
            number = _goal_number(goal_cell)
            if number is None:
                raise TableError(f"{where}：序号 {goal_cell!r} 不是数字")
            expected = len(goals) + 1
            if number != expected:
                raise TableError(f"{where}：目标序号 {number} 不连续，此处应为 {expected}")
            if not goal_name:
                raise TableError(f"{where}：目标 {expected} 缺少目标名称")
            goals.append(Goal(expected, goal_name))
            section = ""
        elif goal_name and not (goals and goal_name == goals[-1].name):
            raise TableError(f"{where}：有目标名称但没有序号")
        if not goals:
            raise TableError(f"{where}：第一行工作标准之前没有目标序号")
        goal = goals[-1]
        if rest_empty:
            continue  # the goal's own row, its standards in the rows below
        in_goal = [s for s in standards if s.goal_no == goal.no]

        text = join_wrapped(row.cells[2])
        numbering = _NUMBERING.match(text)
        if not numbering:
            if text and len(text) <= SUBHEADING_MAX and not re.search(r"[。；;]", text):
                section = text.strip("：:")
                continue
            expected_no = in_goal[-1].number + 1 if in_goal else 1
            raise TableError(f"{where}：工作标准应以（{expected_no}）开头：{text[:20]!r}")
        printed = int(numbering.group(1))
        if in_goal:
            allowed = [in_goal[-1].number + 1]
        else:
            allowed = [1] if not last_number else [1, last_number + 1]
        if printed not in allowed:
            raise TableError(
                f"{where}：目标 {goal.no} 的工作标准编号（{printed}）不连续，"
                f"此处应为（{'）或（'.join(map(str, allowed))}）"
            )
        last_number = printed
        body = text[numbering.end() :].strip()
        leaders = split_leaders(row.cells[3])
        lead_units = _aliased(split_units(row.cells[4]), aliases)
        standard_id = f"{goal.no}.{printed}"
        if not leaders or not lead_units:
            missing = "分管领导" if not leaders else "牵头单位"
            raise TableError(f"{where}：工作标准 {standard_id} 缺少{missing}")
        deadline = standard_deadline(body, year)
        metrics = _metrics(standard_id, body, deadline, answers)
        standards.append(
            Standard(
                id=standard_id,
                goal_no=goal.no,
                goal=goal.name,
                number=printed,
                standard=body,
                leaders=leaders,
                lead_units=lead_units,
                participants=_aliased(split_units(row.cells[5]), aliases),
                deadline=deadline,
                metrics=metrics,
                line=row.line,
                section=section or part,
                track=_track(standard_id, body, metrics, answers),
            )
        )

    known = {s.id for s in standards}
    stray = sorted(
        {m.rsplit(".", 1)[0] for m in answers.metrics} - known
        | set(answers.no_target) - known
        | set(answers.tracks) - known
    )
    if stray:
        raise AnswersError(
            f"{answers.source}：审核结果中的工作标准 {', '.join(stray)} 在责任分解表中找不到"
            "（审核结果是否属于这张表？）"
        )
    return Catalogue(year, source, tuple(goals), tuple(standards), _units(standards))


def _track(standard_id: str, text: str, metrics: tuple[Metric, ...], answers: Answers) -> str:
    """The office's track for a standard without a target, else the words' suggestion."""
    given = answers.tracks.get(standard_id)
    if metrics:
        if given:
            raise AnswersError(
                f"{answers.source} [tracks]：工作标准 {standard_id} 有量化指标，"
                f"考核方式只能是量化指标，不能列为 {given}"
            )
        return "metric"
    return given or suggest_track(text)


def _aliased(names: tuple[str, ...], aliases: Mapping[str, str]) -> tuple[str, ...]:
    out: dict[str, None] = {}
    for name in names:
        out.setdefault(aliases.get(name, name), None)
    return tuple(out)


def _metrics(standard_id: str, text: str, deadline: date, answers: Answers) -> tuple[Metric, ...]:
    if answers.reviewed(standard_id):
        return _reviewed_metrics(standard_id, text, answers)
    return tuple(
        Metric(
            id=f"{standard_id}.{n}",
            name=target.name,
            target=target.target,
            unit=target.unit,
            comparator=target.comparator,  # type: ignore[arg-type]
            kind=default_kind(target),  # type: ignore[arg-type]
            profile=answers.profile("linear", ""),
            deadline=deadline,
            text=target.text,
            strive=target.strive,
        )
        for n, target in enumerate(find_targets(text), start=1)
    )


def _reviewed_metrics(standard_id: str, text: str, answers: Answers) -> tuple[Metric, ...]:
    metrics = []
    for n, (metric_id, facts) in enumerate(answers.metrics_of(standard_id), start=1):
        where = f'[metrics."{metric_id}"]'
        if metric_id != f"{standard_id}.{n}":
            raise AnswersError(
                f"{answers.source} {where}：编号应为 {standard_id}.{n}（指标按原文顺序连续编号）"
            )
        words = facts.get("text", "")
        if words and words not in text:
            raise AnswersError(
                f"{answers.source} {where}：原文 {words!r} 不在工作标准 {standard_id} 中"
                "（审核结果是否属于这张表？）"
            )
        kind = facts["kind"]
        metrics.append(
            Metric(
                id=metric_id,
                name=facts["name"],
                target=float(facts["target"]),
                unit=facts["unit"],
                comparator=facts["comparator"],
                kind=kind,
                profile=answers.profile(facts["profile"], where),
                deadline=facts["deadline"],
                text=words,
                strive=bool(facts.get("strive", False)),
                baseline=facts.get("baseline") if kind == "level" else None,
                baseline_note=facts.get("baseline_note", "") if kind == "level" else "",
            )
        )
    return tuple(metrics)


def _units(standards: list[Standard]) -> tuple[Unit, ...]:
    lead: dict[str, list[str]] = {}
    part: dict[str, list[str]] = {}
    for s in standards:
        for u in s.lead_units:
            lead.setdefault(u, []).append(s.id)
            part.setdefault(u, [])
        for u in s.participants:
            part.setdefault(u, []).append(s.id)
            lead.setdefault(u, [])
    return tuple(Unit(name, is_group(name), tuple(lead[name]), tuple(part[name])) for name in lead)
